//! The export's JSON for incidents, written straight from their stored rows (a [`RowBatch`]):
//! the document [`super::ExportIncident`] serializes from a record, field for field, without
//! building the record. The export spent most of its time building, moving between threads and
//! freeing those records. `tests/spine.rs` holds the two encodings to the same bytes for every
//! incident of the offline replay.

use super::ExportError;
use crate::model::{
    ComponentStatus, Impact, IncidentKind, Status, TimeSource, format_utc, parse_db_time,
};
use crate::normalize::identity::is_internal_key;
use crate::store::StoreError;
use crate::store::rows::{INCIDENT_ID, RowBatch, Rows, incident_col as ic, update_col as uc};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::io::Write;
use std::str::FromStr;

/// One joined update row, with what orders it: its incident, then the updates oldest first
/// (ties in the order first stored), each update's component changes by position.
struct UpdateRow {
    incident: usize,
    posted: DateTime<Utc>,
    rowid: i64,
    position: Option<i64>,
    row: usize,
}

/// Writes incidents from row batches. Holds its sorting space from one batch to the next.
#[derive(Default)]
pub(super) struct Encoder {
    aliases: Vec<(usize, usize)>,
    sources: Vec<(usize, usize)>,
    components: Vec<(usize, i64, usize)>,
    anomalies: Vec<(usize, usize)>,
    updates: Vec<UpdateRow>,
}

fn invalid(what: String) -> ExportError {
    ExportError::Store(StoreError::Invalid(what))
}

fn instant(text: &str) -> Result<DateTime<Utc>, ExportError> {
    parse_db_time(text).ok_or_else(|| invalid(format!("time {text:?} is not RFC 3339")))
}

fn word<T: FromStr<Err = crate::model::UnknownWord>>(text: &str) -> Result<T, ExportError> {
    T::from_str(text).map_err(|e| invalid(e.to_string()))
}

fn string(out: &mut Vec<u8>, text: &str) -> Result<(), ExportError> {
    serde_json::to_writer(&mut *out, text)?;
    Ok(())
}

fn optional(out: &mut Vec<u8>, text: Option<&str>) -> Result<(), ExportError> {
    match text {
        Some(text) => string(out, text),
        None => {
            out.extend_from_slice(b"null");
            Ok(())
        }
    }
}

/// A JSON array of `items`, each written by `each`.
fn list<T>(
    out: &mut Vec<u8>,
    items: impl IntoIterator<Item = T>,
    mut each: impl FnMut(&mut Vec<u8>, T) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    out.push(b'[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        each(out, item)?;
    }
    out.push(b']');
    Ok(())
}

/// `,"name":` (no comma before the first field).
fn key(out: &mut Vec<u8>, name: &str) {
    if out.last() != Some(&b'{') {
        out.push(b',');
    }
    out.push(b'"');
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\":");
}

/// A stored time (`None` for NULL): the instant and the text it was read from.
struct Time<'r> {
    utc: DateTime<Utc>,
    text: &'r str,
}

fn time<'r>(rows: &'r Rows, row: usize, col: usize) -> Result<Option<Time<'r>>, ExportError> {
    rows.text(row, col)?
        .map(|text| {
            Ok(Time {
                utc: instant(text)?,
                text,
            })
        })
        .transpose()
}

/// Where a time came from; a row without it was stored before migration 3, from a machine
/// field.
fn source(
    rows: &Rows,
    row: usize,
    t: &Option<Time<'_>>,
    col: usize,
) -> Result<Option<&'static str>, ExportError> {
    if t.is_none() {
        return Ok(None);
    }
    Ok(Some(match rows.text(row, col)? {
        Some(source) => word::<TimeSource>(source)?.as_str(),
        None => TimeSource::Structured.as_str(),
    }))
}

fn write_time(out: &mut Vec<u8>, t: &Option<Time<'_>>) -> Result<(), ExportError> {
    match t {
        Some(t) => string(out, &format_utc(&t.utc)),
        None => optional(out, None),
    }
}

/// Takes the rows of one incident off the front of a list sorted by incident.
fn take<'a, T>(list: &mut &'a [T], incident: usize, of: impl Fn(&T) -> usize) -> &'a [T] {
    let n = list.iter().take_while(|x| of(x) == incident).count();
    let (mine, rest) = list.split_at(n);
    *list = rest;
    mine
}

impl Encoder {
    /// Encodes every incident of `batch`, handing each one's JSON (in `out`) to `each` with its
    /// row in `batch.incidents`.
    pub(crate) fn encode(
        &mut self,
        batch: &RowBatch,
        out: &mut Vec<u8>,
        mut each: impl FnMut(usize, &[u8]) -> Result<(), ExportError>,
    ) -> Result<(), ExportError> {
        let incidents = &batch.incidents;
        // Keyed by the bytes: a child row's incident id is only compared, never written.
        let mut index: HashMap<&[u8], usize> = HashMap::with_capacity(incidents.len());
        for row in 0..incidents.len() {
            index.insert(incidents.required(row, ic::ID)?.as_bytes(), row);
        }
        let of = |rows: &Rows, row: usize| -> Result<usize, ExportError> {
            let id = rows.bytes(row, INCIDENT_ID).unwrap_or_default();
            index.get(id).copied().ok_or_else(|| {
                let id = String::from_utf8_lossy(id);
                invalid(format!("row of unknown incident {id:?}"))
            })
        };

        // Aliases and sources sorted, as the record holds them.
        for (list, rows) in [
            (&mut self.aliases, &batch.aliases),
            (&mut self.sources, &batch.sources),
        ] {
            list.clear();
            for row in 0..rows.len() {
                list.push((of(rows, row)?, row));
            }
            list.sort_unstable_by(|a, b| (a.0, rows.bytes(a.1, 1)).cmp(&(b.0, rows.bytes(b.1, 1))));
        }
        // Names in their stored position (ties in the order read).
        let rows = &batch.components;
        self.components.clear();
        for row in 0..rows.len() {
            let position = rows
                .int(row, 1)?
                .ok_or_else(|| invalid("component without a position".into()))?;
            self.components.push((of(rows, row)?, position, row));
        }
        self.components.sort_unstable();
        // The normalizer's order: code, then detail (unique together in an incident).
        let rows = &batch.anomalies;
        self.anomalies.clear();
        for row in 0..rows.len() {
            self.anomalies.push((of(rows, row)?, row));
        }
        self.anomalies.sort_unstable_by(|a, b| {
            let key = |&(incident, row): &(usize, usize)| {
                (incident, rows.bytes(row, 1), rows.bytes(row, 2))
            };
            key(a).cmp(&key(b))
        });
        let rows = &batch.updates;
        self.updates.clear();
        let mut last: Option<(i64, DateTime<Utc>)> = None;
        for row in 0..rows.len() {
            let rowid = rows
                .int(row, uc::ROWID)?
                .ok_or_else(|| invalid("update without a rowid".into()))?;
            // An update's change rows repeat its columns: its time is read once.
            let posted = match last {
                Some((r, posted)) if r == rowid => posted,
                _ => instant(rows.required(row, uc::POSTED_AT)?)?,
            };
            last = Some((rowid, posted));
            self.updates.push(UpdateRow {
                incident: of(rows, row)?,
                posted,
                rowid,
                position: rows.int(row, uc::CHANGE_POSITION)?,
                row,
            });
        }
        self.updates
            .sort_unstable_by_key(|u| (u.incident, u.posted, u.rowid, u.position, u.row));

        let (mut aliases, mut sources) = (&self.aliases[..], &self.sources[..]);
        let (mut components, mut anomalies) = (&self.components[..], &self.anomalies[..]);
        let mut updates = &self.updates[..];
        for incident in 0..incidents.len() {
            let mine = Groups {
                aliases: take(&mut aliases, incident, |x| x.0),
                sources: take(&mut sources, incident, |x| x.0),
                components: take(&mut components, incident, |x| x.0),
                anomalies: take(&mut anomalies, incident, |x| x.0),
                updates: take(&mut updates, incident, |u| u.incident),
            };
            out.clear();
            write_incident(batch, incident, &mine, out)?;
            each(incident, out)?;
        }
        Ok(())
    }
}

/// One incident's rows in each table, in the order they are written.
struct Groups<'a> {
    aliases: &'a [(usize, usize)],
    sources: &'a [(usize, usize)],
    components: &'a [(usize, i64, usize)],
    anomalies: &'a [(usize, usize)],
    updates: &'a [UpdateRow],
}

fn write_incident(
    batch: &RowBatch,
    row: usize,
    groups: &Groups<'_>,
    out: &mut Vec<u8>,
) -> Result<(), ExportError> {
    let r = &batch.incidents;
    let created_at = time(r, row, ic::CREATED_AT)?;
    let started_at = time(r, row, ic::STARTED_AT)?;
    let resolved_at = time(r, row, ic::RESOLVED_AT)?;
    let structured_started_at = time(r, row, ic::STRUCTURED_STARTED_AT)?;
    let structured_resolved_at = time(r, row, ic::STRUCTURED_RESOLVED_AT)?;
    let scheduled_for = time(r, row, ic::SCHEDULED_FOR)?;
    let scheduled_until = time(r, row, ic::SCHEDULED_UNTIL)?;

    out.push(b'{');
    key(out, "id");
    string(out, r.text(row, ic::ID)?.unwrap_or_default())?;
    key(out, "vendor");
    string(out, r.text(row, ic::VENDOR)?.unwrap_or_default())?;
    key(out, "kind");
    let kind = match r.text(row, ic::KIND)? {
        Some(kind) => word::<IncidentKind>(kind)?,
        None => IncidentKind::Incident,
    };
    string(out, kind.as_str())?;
    key(out, "title");
    string(out, r.text(row, ic::TITLE)?.unwrap_or_default())?;
    key(out, "url");
    optional(out, r.text(row, ic::URL)?)?;
    key(out, "impact");
    let impact = r.text(row, ic::IMPACT)?.map(word::<Impact>).transpose()?;
    optional(out, impact.map(|i| i.as_str()))?;
    key(out, "status");
    let status = r.text(row, ic::STATUS)?.map(word::<Status>).transpose()?;
    optional(out, status.map(|s| s.as_str()))?;
    for (name, t) in [
        ("created_at", &created_at),
        ("started_at", &started_at),
        ("resolved_at", &resolved_at),
    ] {
        key(out, name);
        write_time(out, t)?;
    }
    key(out, "started_at_source");
    optional(out, source(r, row, &started_at, ic::STARTED_AT_SOURCE)?)?;
    key(out, "resolved_at_source");
    optional(out, source(r, row, &resolved_at, ic::RESOLVED_AT_SOURCE)?)?;
    key(out, "started_at_raw");
    optional(out, raw(r, row, &started_at, ic::STARTED_AT_RAW)?)?;
    key(out, "resolved_at_raw");
    optional(out, raw(r, row, &resolved_at, ic::RESOLVED_AT_RAW)?)?;
    for (name, t) in [
        ("structured_started_at", &structured_started_at),
        ("structured_resolved_at", &structured_resolved_at),
        ("scheduled_for", &scheduled_for),
        ("scheduled_until", &scheduled_until),
    ] {
        key(out, name);
        write_time(out, t)?;
    }
    key(out, "duration_seconds");
    match (&started_at, &resolved_at) {
        (Some(s), Some(e)) => write!(out, "{}", (e.utc - s.utc).num_seconds())?,
        _ => out.extend_from_slice(b"null"),
    }

    key(out, "components");
    list(out, groups.components, |out, &(_, _, c)| {
        string(out, batch.components.required(c, 2)?)
    })?;

    key(out, "updates");
    out.push(b'[');
    write_updates(&batch.updates, groups.updates, out)?;
    out.push(b']');

    key(out, "anomalies");
    let a = &batch.anomalies;
    list(out, groups.anomalies, |out, &(_, row)| {
        out.extend_from_slice(b"{\"code\":");
        string(out, a.required(row, 1)?)?;
        out.extend_from_slice(b",\"detail\":");
        string(out, a.required(row, 2)?)?;
        out.push(b'}');
        Ok(())
    })?;

    key(out, "sources");
    list(out, groups.sources, |out, &(_, row)| {
        string(out, batch.sources.required(row, 1)?)
    })?;

    // The ids the vendor gave; statusdb's own keys (fingerprints, links) stay inside.
    key(out, "aliases");
    let aliases = groups
        .aliases
        .iter()
        .map(|&(_, row)| batch.aliases.required(row, 1))
        .filter(|alias| !alias.as_ref().is_ok_and(|a| is_internal_key(a)));
    list(out, aliases, |out, alias| string(out, alias?))?;

    for (name, col) in [
        ("first_seen_at", ic::FIRST_SEEN_AT),
        ("last_seen_at", ic::LAST_SEEN_AT),
    ] {
        key(out, name);
        let seen = instant(r.text(row, col)?.unwrap_or_default())?;
        string(out, &format_utc(&seen))?;
    }
    out.push(b'}');
    Ok(())
}

/// The text a time was read from; a row without it was stored before migration 3 and names
/// the instant itself.
fn raw<'r>(
    rows: &'r Rows,
    row: usize,
    t: &Option<Time<'r>>,
    col: usize,
) -> Result<Option<&'r str>, ExportError> {
    Ok(match t {
        Some(t) => Some(rows.text(row, col)?.unwrap_or(t.text)),
        None => None,
    })
}

/// An incident's updates, each row group of one update (its component changes) together.
fn write_updates(rows: &Rows, updates: &[UpdateRow], out: &mut Vec<u8>) -> Result<(), ExportError> {
    let mut rest = updates;
    let mut first = true;
    while let Some(head) = rest.first() {
        let n = rest.iter().take_while(|u| u.rowid == head.rowid).count();
        let (changes, after) = rest.split_at(n);
        rest = after;
        let row = head.row;
        if !first {
            out.push(b',');
        }
        first = false;
        let label = rows
            .text(row, uc::STATUS)?
            .map(word::<Status>)
            .transpose()?;
        let stated = rows
            .text(row, uc::STATUS_STATED)?
            .map(word::<Status>)
            .transpose()?;

        out.extend_from_slice(b"{\"id\":");
        string(out, rows.required(row, uc::ID)?)?;
        out.extend_from_slice(b",\"status\":");
        optional(out, stated.or(label).map(|s| s.as_str()))?;
        out.extend_from_slice(b",\"status_label\":");
        optional(out, rows.text(row, uc::STATUS_RAW)?)?;
        out.extend_from_slice(b",\"status_source\":");
        string(out, if stated.is_some() { "stated" } else { "label" })?;
        out.extend_from_slice(b",\"posted_at\":");
        string(out, &format_utc(&head.posted))?;
        out.extend_from_slice(b",\"body\":");
        string(out, rows.required(row, uc::BODY)?)?;
        out.extend_from_slice(b",\"components\":");
        // An update without changes has one row of NULL changes.
        let changes = changes.iter().filter(|c| c.position.is_some());
        list(out, changes, |out, change| {
            let status = word::<ComponentStatus>(rows.required(change.row, uc::CHANGE_STATUS)?)?;
            out.extend_from_slice(b"{\"name\":");
            string(out, rows.required(change.row, uc::CHANGE_NAME)?)?;
            out.extend_from_slice(b",\"status\":");
            string(out, status.as_str())?;
            out.push(b'}');
            Ok(())
        })?;
        out.push(b'}');
    }
    Ok(())
}
