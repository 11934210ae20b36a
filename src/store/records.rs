//! Reading and writing canonical records. Writes are differences against what was loaded, so an
//! unchanged observation writes nothing.

use super::StoreError;
use crate::model::{
    Anomaly, ComponentChange, ComponentRecord, ComponentStatus, IncidentKind, IncidentRecord,
    TimeSource, TimeValue, UpdateRecord, db_time, parse_db_time,
};
use crate::normalize::components::{UpdateTransition, update_transitions};
use crate::normalize::identity::title_key;
use crate::normalize::{RecordLookup, Revision};
use crate::timetext::Flags;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, Statement, params};
use std::collections::{HashMap, HashSet};
use std::str::FromStr;

/// Counts of what one save changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SaveCounts {
    pub incident_new: bool,
    pub incident_changed: bool,
    pub updates_new: usize,
    pub updates_changed: usize,
}

fn time_value(
    utc: Option<String>,
    raw: Option<String>,
    source: Option<String>,
    flags: Option<String>,
) -> Result<Option<TimeValue>, StoreError> {
    let Some(utc) = utc else { return Ok(None) };
    let instant = parse_db_time(&utc)
        .ok_or_else(|| StoreError::Invalid(format!("time {utc:?} is not RFC 3339")))?;
    let source = match source {
        Some(s) => TimeSource::from_str(&s).map_err(|e| StoreError::Invalid(e.to_string()))?,
        None => TimeSource::Structured,
    };
    Ok(Some(TimeValue {
        utc: instant,
        raw: raw.unwrap_or_else(|| utc.clone()),
        source,
        flags: Flags::from_list(flags.as_deref()),
    }))
}

fn parse_word<T: FromStr<Err = crate::model::UnknownWord>>(
    text: Option<String>,
) -> Result<Option<T>, StoreError> {
    text.map(|t| T::from_str(&t).map_err(|e| StoreError::Invalid(e.to_string())))
        .transpose()
}

fn instant(text: String) -> Result<DateTime<Utc>, StoreError> {
    parse_db_time(&text)
        .ok_or_else(|| StoreError::Invalid(format!("time {text:?} is not RFC 3339")))
}

const INCIDENT_COLUMNS: &str =
    "id, vendor, kind, title, url, impact, impact_raw, status, status_raw,
    created_at, created_at_raw, started_at, started_at_source, started_at_raw,
    resolved_at, resolved_at_source, resolved_at_raw, structured_started_at,
    structured_resolved_at, scheduled_for, scheduled_until, first_seen_at, last_seen_at,
    created_at_source, structured_started_at_raw, structured_started_at_source,
    structured_resolved_at_raw, structured_resolved_at_source, scheduled_for_raw,
    scheduled_for_source, scheduled_until_raw, scheduled_until_source, created_at_flags,
    started_at_flags, resolved_at_flags, structured_started_at_flags, structured_resolved_at_flags,
    scheduled_for_flags, scheduled_until_flags";

/// The columns `save_incident` writes, in the order of its parameters.
const INCIDENT_WRITTEN: [&str; 41] = [
    "id",
    "vendor",
    "kind",
    "title",
    "url",
    "impact",
    "impact_raw",
    "status",
    "status_raw",
    "created_at",
    "created_at_raw",
    "started_at",
    "started_at_source",
    "started_at_raw",
    "resolved_at",
    "resolved_at_source",
    "resolved_at_raw",
    "structured_started_at",
    "structured_resolved_at",
    "scheduled_for",
    "scheduled_until",
    "duration_seconds",
    "first_seen_at",
    "last_seen_at",
    "created_at_source",
    "structured_started_at_raw",
    "structured_started_at_source",
    "structured_resolved_at_raw",
    "structured_resolved_at_source",
    "scheduled_for_raw",
    "scheduled_for_source",
    "scheduled_until_raw",
    "scheduled_until_source",
    "title_key",
    "created_at_flags",
    "started_at_flags",
    "resolved_at_flags",
    "structured_started_at_flags",
    "structured_resolved_at_flags",
    "scheduled_for_flags",
    "scheduled_until_flags",
];

/// The insert of an incident's row, replacing all but its id and vendor when it exists.
fn upsert_incident_sql() -> String {
    let columns = INCIDENT_WRITTEN.join(", ");
    let values = placeholders(1, INCIDENT_WRITTEN.len());
    let updates: Vec<String> = INCIDENT_WRITTEN
        .iter()
        .filter(|c| !matches!(**c, "id" | "vendor"))
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    format!(
        "INSERT INTO incidents({columns}) VALUES ({values})
         ON CONFLICT(id) DO UPDATE SET {}",
        updates.join(", ")
    )
}

/// Runs a held statement and releases its bound values. SQLite keeps bindings until they are
/// replaced, and held ones fill the connection's small-allocation (lookaside) slots, which
/// sends every later bind to the global allocator.
pub(super) fn execute<P: rusqlite::Params>(
    stmt: &mut Statement<'_>,
    params: P,
) -> Result<usize, StoreError> {
    let n = stmt.execute(params)?;
    release_bindings(stmt)?;
    Ok(n)
}

/// Replaces a held statement's bound values with NULLs. Not `clear_bindings`: SQLite marks a
/// statement whose plan it specialised for any bound value (a bit in its `expmask`) as expired
/// on every `clear_bindings`, and re-prepares it at the next step (`find_by_title` was
/// re-planned for every incident looked up); rebinding one parameter expires it only when
/// that parameter's own value shaped the plan.
pub(super) fn release_bindings(stmt: &mut Statement<'_>) -> Result<(), StoreError> {
    for i in 1..=stmt.parameter_count() {
        stmt.raw_bind_parameter(i, rusqlite::types::Null)?;
    }
    Ok(())
}

/// The statements both readers ([`Reader`] and the export's `rows::RowReader`) hold to read a
/// chunk of incidents, in the order of `rows::RowBatch::tables`: the incidents (these
/// `incident_columns`), their aliases, sources, components, anomalies (these columns) and
/// updates, each with its component changes (these columns of `incident_updates u` joined
/// with `update_components c`: one row per change, or one row of NULL changes for an update
/// without any; joined rather than read by a second query, which had to find every update
/// again, by incident, then its row, to reach its changes).
pub(super) fn chunk_statements<'c>(
    conn: &'c Connection,
    chunk: usize,
    incident_columns: &str,
    anomaly_columns: &str,
    update_columns: &str,
) -> rusqlite::Result<[Statement<'c>; 6]> {
    let prepare = |sql: &str| prepare_for_chunk(conn, chunk, sql);
    Ok([
        prepare(&format!(
            "SELECT {incident_columns} FROM incidents WHERE id IN ({{ids}})"
        ))?,
        prepare("SELECT incident_id, alias FROM incident_aliases WHERE incident_id IN ({ids})")?,
        prepare(
            "SELECT incident_id, source_id FROM incident_sources WHERE incident_id IN ({ids})",
        )?,
        prepare(
            "SELECT incident_id, position, name FROM incident_components
             WHERE incident_id IN ({ids})",
        )?,
        prepare(&format!(
            "SELECT {anomaly_columns} FROM anomalies WHERE incident_id IN ({{ids}})"
        ))?,
        prepare(&format!(
            "SELECT {update_columns}
             FROM incident_updates u LEFT JOIN update_components c ON c.update_id = u.id
             WHERE u.incident_id IN ({{ids}})"
        ))?,
    ])
}

/// A statement over a chunk of incident ids: `{ids}` in `sql` becomes `chunk` placeholders.
fn prepare_for_chunk<'c>(
    conn: &'c Connection,
    chunk: usize,
    sql: &str,
) -> rusqlite::Result<Statement<'c>> {
    conn.prepare(&sql.replace("{ids}", &placeholders(1, chunk)))
}

/// `?1, ?2, ..., ?n` starting at `first`.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Binds `values` to parameters `first..first + n`; a short list repeats its first value, which
/// an `IN (...)` list ignores, so one statement serves every chunk size.
pub(super) fn bind_padded(
    stmt: &mut Statement<'_>,
    first: usize,
    n: usize,
    values: &[&str],
) -> rusqlite::Result<()> {
    for i in 0..n {
        let value = values.get(i).or(values.first()).copied().unwrap_or("");
        stmt.raw_bind_parameter(first + i, value)?;
    }
    Ok(())
}

/// An update as read, with its rowid and its component changes in their stored position.
type LoadedUpdate = (i64, UpdateRecord, Vec<(i64, ComponentChange)>);

/// Loads incident records many at a time: one query per table for a chunk of ids, instead of
/// seven queries per incident.
///
/// Its statements are prepared once and held rather than taken from rusqlite's statement cache:
/// the cache clears a statement's bindings when it is returned, and SQLite re-plans a statement
/// whose plan looked at a bound value (`WHERE incident_id = ?1 ORDER BY ...`) on its next use,
/// so cached reads were compiled again on every call.
pub(crate) struct Reader<'c> {
    chunk: usize,
    /// [`chunk_statements`]: incidents, aliases, sources, components, anomalies, and updates
    /// with their component changes.
    statements: [Statement<'c>; 6],
}

impl<'c> Reader<'c> {
    /// A reader that loads up to `chunk` incidents per round of queries.
    pub(crate) fn new(conn: &'c Connection, chunk: usize) -> Result<Reader<'c>, StoreError> {
        let chunk = chunk.max(1);
        Ok(Reader {
            chunk,
            statements: chunk_statements(
                conn,
                chunk,
                INCIDENT_COLUMNS,
                "incident_id, code, detail, source_id",
                "u.incident_id, u.rowid, u.id, u.native_id, u.status, u.status_raw, u.posted_at,
                 u.posted_at_raw, u.posted_at_source, u.body, u.source_id, u.first_seen_at,
                 u.posted_at_flags, u.status_stated, u.zone, c.position, c.native_id, c.name,
                 c.status, c.status_raw",
            )?,
        })
    }

    /// The stored records of `ids`, in that order; ids not stored are left out.
    pub(crate) fn load(&mut self, ids: &[String]) -> Result<Vec<IncidentRecord>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(self.chunk) {
            let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
            out.extend(self.load_chunk(&refs)?);
        }
        Ok(out)
    }

    fn load_chunk(&mut self, ids: &[&str]) -> Result<Vec<IncidentRecord>, StoreError> {
        let loaded = self.query_chunk(ids);
        for stmt in &mut self.statements {
            // `clear_bindings` is safe here (no plan depends on an id; the test below checks)
            // and cheaper than rebinding every placeholder of a chunk.
            stmt.clear_bindings();
        }
        loaded
    }

    fn query_chunk(&mut self, ids: &[&str]) -> Result<Vec<IncidentRecord>, StoreError> {
        let n = self.chunk;
        let [incidents, aliases, sources, components, anomalies, updates] = &mut self.statements;
        let mut records: Vec<IncidentRecord> = Vec::with_capacity(ids.len());
        let mut index: HashMap<String, usize> = HashMap::with_capacity(ids.len());
        bind_padded(incidents, 1, n, ids)?;
        let mut rows = incidents.raw_query();
        while let Some(row) = rows.next()? {
            let record = incident_from_row(row)?;
            index.insert(record.id.clone(), records.len());
            records.push(record);
        }
        if records.is_empty() {
            return Ok(records);
        }
        let at = |index: &HashMap<String, usize>, id: &str| {
            index
                .get(id)
                .copied()
                .ok_or_else(|| StoreError::Invalid(format!("row of unknown incident {id:?}")))
        };

        bind_padded(aliases, 1, n, ids)?;
        let mut rows = aliases.raw_query();
        while let Some(row) = rows.next()? {
            let i = at(&index, text(row, 0)?)?;
            records[i].aliases.push(row.get(1)?);
        }
        bind_padded(sources, 1, n, ids)?;
        let mut rows = sources.raw_query();
        while let Some(row) = rows.next()? {
            let i = at(&index, text(row, 0)?)?;
            records[i].sources.push(row.get(1)?);
        }
        // Names in their stored position.
        let mut positions: Vec<Vec<(i64, String)>> = vec![Vec::new(); records.len()];
        bind_padded(components, 1, n, ids)?;
        let mut rows = components.raw_query();
        while let Some(row) = rows.next()? {
            let i = at(&index, text(row, 0)?)?;
            positions[i].push((row.get(1)?, row.get(2)?));
        }
        bind_padded(anomalies, 1, n, ids)?;
        let mut rows = anomalies.raw_query();
        while let Some(row) = rows.next()? {
            let i = at(&index, text(row, 0)?)?;
            records[i].anomalies.push(Anomaly {
                code: row.get(1)?,
                detail: row.get(2)?,
                source_id: row.get(3)?,
            });
        }
        let updates = read_updates(updates, self.chunk, ids, &index, records.len())?;

        for ((record, names), mut list) in records.iter_mut().zip(positions).zip(updates) {
            record.aliases.sort();
            record.sources.sort();
            // The normalizer's order (code, detail, source), which SQL collation need not share.
            record.anomalies.sort();
            let mut names = names;
            names.sort_by_key(|(p, _)| *p);
            record.components = names.into_iter().map(|(_, n)| n).collect();
            list.sort_by(|(ra, a, _), (rb, b, _)| {
                (a.posted_at.utc, ra).cmp(&(b.posted_at.utc, rb))
            });
            record.updates = list
                .into_iter()
                .map(|(_, mut u, mut changes)| {
                    changes.sort_by_key(|(p, _)| *p);
                    u.components = changes.into_iter().map(|(_, c)| c).collect();
                    u
                })
                .collect();
        }
        // In the order asked for.
        let mut slots: Vec<Option<IncidentRecord>> = records.into_iter().map(Some).collect();
        Ok(ids
            .iter()
            .filter_map(|id| index.get(*id).and_then(|&i| slots[i].take()))
            .collect())
    }
}

/// The updates of a chunk's records (`index`: a record's place by id), each with its
/// component changes in their stored position; not yet in order (oldest first, ties in
/// the order first stored: the rowid that comes with each).
fn read_updates(
    statement: &mut Statement<'_>,
    chunk: usize,
    ids: &[&str],
    index: &HashMap<String, usize>,
    count: usize,
) -> Result<Vec<Vec<LoadedUpdate>>, StoreError> {
    let at = |id: &str| {
        index
            .get(id)
            .copied()
            .ok_or_else(|| StoreError::Invalid(format!("row of unknown incident {id:?}")))
    };
    let mut updates: Vec<Vec<LoadedUpdate>> = vec![Vec::new(); count];
    // Where each update went, by rowid: a change's row normally follows its update's.
    let mut placed: HashMap<i64, (usize, usize)> = HashMap::new();
    let mut last: Option<(i64, usize, usize)> = None;
    bind_padded(statement, 1, chunk, ids)?;
    let mut rows = statement.raw_query();
    while let Some(row) = rows.next()? {
        let rowid: i64 = row.get(1)?;
        let (i, j) = match last {
            Some((r, i, j)) if r == rowid => (i, j),
            _ => match placed.get(&rowid) {
                Some(&(i, j)) => (i, j),
                None => {
                    let i = at(text(row, 0)?)?;
                    updates[i].push((rowid, update_from_row(row)?, Vec::new()));
                    let j = updates[i].len() - 1;
                    placed.insert(rowid, (i, j));
                    (i, j)
                }
            },
        };
        last = Some((rowid, i, j));
        let Some(position) = row.get::<_, Option<i64>>(15)? else {
            continue;
        };
        let status: String = row.get(18)?;
        updates[i][j].2.push((
            position,
            ComponentChange {
                native_id: row.get(16)?,
                name: row.get(17)?,
                status: parse_word(Some(status))?.unwrap_or(ComponentStatus::Unknown),
                status_raw: row.get(19)?,
            },
        ));
    }
    Ok(updates)
}

fn text<'r>(row: &'r Row<'_>, i: usize) -> Result<&'r str, StoreError> {
    row.get_ref(i)?
        .as_str()
        .map_err(|e| StoreError::Invalid(format!("column {i}: {e}")))
}

/// An incident row, without the parts that live in other tables.
fn incident_from_row(r: &Row<'_>) -> Result<IncidentRecord, StoreError> {
    let mut col = 0;
    let mut next = || -> rusqlite::Result<Option<String>> {
        col += 1;
        r.get(col - 1)
    };
    let id = next()?.unwrap_or_default();
    let vendor = next()?.unwrap_or_default();
    let kind: IncidentKind = parse_word(next()?)?.unwrap_or(IncidentKind::Incident);
    let title = next()?.unwrap_or_default();
    let url = next()?;
    let impact = parse_word(next()?)?;
    let impact_raw = next()?;
    let status = parse_word(next()?)?;
    let status_raw = next()?;
    let (created_at, created_at_raw) = (next()?, next()?);
    let started_at = (next()?, next()?, next()?);
    let resolved_at = (next()?, next()?, next()?);
    let (structured_started_at, structured_resolved_at) = (next()?, next()?);
    let (scheduled_for, scheduled_until) = (next()?, next()?);
    let first_seen_at = instant(next()?.unwrap_or_default())?;
    let last_seen_at = instant(next()?.unwrap_or_default())?;
    // Raw text and source of these times (migration 3; NULL in older rows: structured).
    let created_at_source = next()?;
    let structured_started_at = (structured_started_at, next()?, next()?);
    let structured_resolved_at = (structured_resolved_at, next()?, next()?);
    let scheduled_for = (scheduled_for, next()?, next()?);
    let scheduled_until = (scheduled_until, next()?, next()?);
    // Their flags (migration 5), in column order.
    let created_at = time_value(created_at, created_at_raw, created_at_source, next()?)?;
    let started_at = time_value(started_at.0, started_at.2, started_at.1, next()?)?;
    let resolved_at = time_value(resolved_at.0, resolved_at.2, resolved_at.1, next()?)?;
    let mut with_flags = |(utc, raw, source): (Option<String>, Option<String>, Option<String>)| {
        next()
            .map_err(StoreError::from)
            .and_then(|flags| time_value(utc, raw, source, flags))
    };
    let structured_started_at = with_flags(structured_started_at)?;
    let structured_resolved_at = with_flags(structured_resolved_at)?;
    let scheduled_for = with_flags(scheduled_for)?;
    let scheduled_until = with_flags(scheduled_until)?;
    Ok(IncidentRecord {
        id,
        vendor,
        kind,
        title,
        url,
        impact,
        impact_raw,
        status,
        status_raw,
        created_at,
        started_at,
        resolved_at,
        structured_started_at,
        structured_resolved_at,
        scheduled_for,
        scheduled_until,
        components: Vec::new(),
        updates: Vec::new(),
        anomalies: Vec::new(),
        sources: Vec::new(),
        aliases: Vec::new(),
        first_seen_at,
        last_seen_at,
    })
}

/// An update row from column 2 on (`id, native_id, status, status_raw, posted_at,
/// posted_at_raw, posted_at_source, body, source_id, first_seen_at, posted_at_flags,
/// status_stated, zone`). Columns that are parsed
/// are read in place rather than copied out first.
fn update_from_row(r: &Row<'_>) -> Result<UpdateRecord, StoreError> {
    let status = match r.get_ref(4)?.as_str_or_null() {
        Ok(Some(word)) => Some(
            crate::model::Status::from_str(word).map_err(|e| StoreError::Invalid(e.to_string()))?,
        ),
        Ok(None) => None,
        Err(e) => return Err(StoreError::Invalid(format!("update status: {e}"))),
    };
    let posted = text(r, 6)?;
    let utc = parse_db_time(posted)
        .ok_or_else(|| StoreError::Invalid(format!("time {posted:?} is not RFC 3339")))?;
    let source =
        TimeSource::from_str(text(r, 8)?).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let first_seen = text(r, 11)?;
    Ok(UpdateRecord {
        id: r.get(2)?,
        native_id: r.get(3)?,
        status,
        status_raw: r.get(5)?,
        stated_status: parse_word(r.get(13)?)?,
        posted_at: TimeValue {
            utc,
            raw: r.get(7)?,
            source,
            flags: Flags::from_list(r.get_ref(12)?.as_str_or_null().ok().flatten()),
        },
        body: r.get(9)?,
        components: Vec::new(),
        source_id: r.get(10)?,
        first_seen_at: parse_db_time(first_seen)
            .ok_or_else(|| StoreError::Invalid(format!("time {first_seen:?} is not RFC 3339")))?,
        zone: r
            .get_ref(14)?
            .as_str_or_null()
            .ok()
            .flatten()
            .and_then(|z| z.parse().ok()),
    })
}

/// Loads one incident record with its updates, components, anomalies, sources and aliases.
pub(crate) fn load_incident(
    conn: &Connection,
    id: &str,
) -> Result<Option<IncidentRecord>, StoreError> {
    Ok(Reader::new(conn, 1)?.load(&[id.to_string()])?.pop())
}

/// The statements that write records, prepared once for a whole ingest run (see `Reader` for
/// why not through rusqlite's cache), with the reader that loads what is already stored.
pub(crate) struct RecordWriter<'c> {
    conn: &'c Connection,
    pub(super) reader: Reader<'c>,
    find_aliases: Statement<'c>,
    find_by_title: Statement<'c>,
    find_fingerprinted_by_title: Statement<'c>,
    title_keys_present: Statement<'c>,
    upsert_incident: Statement<'c>,
    insert_alias: Statement<'c>,
    upsert_incident_source: Statement<'c>,
    insert_incident_component: Statement<'c>,
    insert_update: Statement<'c>,
    update_update: Statement<'c>,
    delete_update_components: Statement<'c>,
    insert_update_component: Statement<'c>,
    delete_anomaly: Statement<'c>,
    insert_anomaly: Statement<'c>,
    delete_update_transitions: Statement<'c>,
    insert_update_transition: Statement<'c>,
    insert_revision: Statement<'c>,
    component_status: Statement<'c>,
    upsert_component: Statement<'c>,
    insert_component_change: Statement<'c>,
}

/// Identity keys looked up per query, and existing records loaded per round of queries.
const ALIAS_CHUNK: usize = 64;
const LOAD_CHUNK: usize = 32;

impl<'c> RecordWriter<'c> {
    pub(crate) fn new(conn: &'c Connection) -> Result<RecordWriter<'c>, StoreError> {
        Ok(RecordWriter {
            conn,
            reader: Reader::new(conn, LOAD_CHUNK)?,
            find_aliases: conn.prepare(&format!(
                "SELECT alias, incident_id FROM incident_aliases
                 WHERE vendor = ?1 AND alias IN ({})",
                placeholders(2, ALIAS_CHUNK)
            ))?,
            // `+started_at`: without it SQLite reads the vendor's every incident through
            // the (vendor, started_at) index to spare a sort of the few candidates, a cost
            // per lookup that grows with the vendor's history.
            find_by_title: conn.prepare(
                "SELECT id FROM incidents WHERE vendor = ?1 AND kind = ?2 AND title_key = ?3
                 ORDER BY +started_at, id",
            )?,
            // Two statements rather than one with `(?4 = 0 OR ...)`: SQLite re-plans a
            // statement whose WHERE depends on a bound value like that at every execution.
            find_fingerprinted_by_title: conn.prepare(
                "SELECT id FROM incidents WHERE vendor = ?1 AND kind = ?2 AND title_key = ?3
                   AND substr(id, 1, length(?1) + 4) = ?1 || '/fp-'
                 ORDER BY +started_at, id",
            )?,
            title_keys_present: conn.prepare(&format!(
                "SELECT DISTINCT title_key FROM incidents
                 WHERE vendor = ?1 AND kind = ?2 AND title_key IN ({})",
                placeholders(3, ALIAS_CHUNK)
            ))?,
            upsert_incident: conn.prepare(&upsert_incident_sql())?,
            insert_alias: conn.prepare(
                "INSERT OR IGNORE INTO incident_aliases(vendor, alias, incident_id) VALUES (?1, ?2, ?3)",
            )?,
            upsert_incident_source: conn.prepare(
                "INSERT INTO incident_sources(incident_id, source_id, first_seen_at, last_seen_at)
                 VALUES (?1, ?2, ?3, ?3)
                 ON CONFLICT(incident_id, source_id) DO UPDATE SET last_seen_at = excluded.last_seen_at",
            )?,
            insert_incident_component: conn.prepare(
                "INSERT OR IGNORE INTO incident_components(incident_id, position, name) VALUES (?1, ?2, ?3)",
            )?,
            insert_update: conn.prepare(
                "INSERT INTO incident_updates(id, incident_id, native_id, status, status_raw,
                   posted_at, posted_at_raw, posted_at_source, body, source_id, first_seen_at,
                   posted_at_flags, status_stated, zone)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            )?,
            // The insert's parameters: a stored update keeps its incident (?2), its first
            // source (?10) and when it was first seen (?11).
            update_update: conn.prepare(
                "UPDATE incident_updates SET native_id = ?3, status = ?4, status_raw = ?5,
                   posted_at = ?6, posted_at_raw = ?7, posted_at_source = ?8, body = ?9,
                   posted_at_flags = ?12, status_stated = ?13, zone = ?14
                 WHERE id = ?1",
            )?,
            delete_update_components: conn
                .prepare("DELETE FROM update_components WHERE update_id = ?1")?,
            insert_update_component: conn.prepare(
                "INSERT INTO update_components(update_id, position, native_id, name, status, status_raw)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?,
            delete_anomaly: conn.prepare(
                "DELETE FROM anomalies WHERE incident_id = ?1 AND code = ?2 AND detail = ?3",
            )?,
            insert_anomaly: conn.prepare(
                "INSERT OR IGNORE INTO anomalies(incident_id, code, detail, first_seen_at, source_id)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?,
            delete_update_transitions: conn.prepare(
                "DELETE FROM component_status_changes WHERE origin = 'update' AND incident_id = ?1",
            )?,
            insert_update_transition: conn.prepare(
                "INSERT INTO component_status_changes(component_id, vendor, name, status,
                   previous_status, changed_at, source_id, origin, incident_id, update_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'update', ?8, ?9)",
            )?,
            insert_revision: conn.prepare(
                "INSERT INTO revisions(entity, entity_id, field, old_value, new_value, changed_at, source_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?,
            component_status: conn.prepare("SELECT status FROM components WHERE id = ?1")?,
            upsert_component: conn.prepare(
                "INSERT INTO components(id, vendor, native_id, name, group_name, status, status_raw,
                   updated_at, source_id, first_seen_at, last_seen_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)
                 ON CONFLICT(id) DO UPDATE SET native_id = excluded.native_id, name = excluded.name,
                   group_name = excluded.group_name, status = excluded.status,
                   status_raw = excluded.status_raw, updated_at = excluded.updated_at,
                   source_id = excluded.source_id, last_seen_at = excluded.last_seen_at",
            )?,
            insert_component_change: conn.prepare(
                "INSERT INTO component_status_changes(component_id, vendor, name, status,
                   previous_status, changed_at, source_id, origin)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'snapshot')",
            )?,
        })
    }

    /// The incident each alias of `vendor` belongs to, for the aliases that are stored.
    pub(crate) fn find_aliases<'k>(
        &mut self,
        vendor: &str,
        keys: impl IntoIterator<Item = &'k str>,
    ) -> Result<HashMap<String, String>, StoreError> {
        let keys: Vec<&str> = keys.into_iter().collect();
        let mut found = HashMap::new();
        for chunk in keys.chunks(ALIAS_CHUNK) {
            self.find_aliases.raw_bind_parameter(1, vendor)?;
            bind_padded(&mut self.find_aliases, 2, ALIAS_CHUNK, chunk)?;
            let mut rows = self.find_aliases.raw_query();
            while let Some(row) = rows.next()? {
                found.insert(row.get(0)?, row.get(1)?);
            }
            drop(rows);
            release_bindings(&mut self.find_aliases)?;
        }
        Ok(found)
    }

    /// The vendor's records of this kind whose normalized title is `key`, earliest first: the
    /// candidates of the title rule (`normalize::identity::same_by_title_and_time`); with
    /// `fingerprinted_only`, only records without a native id (`<vendor>/fp-...`).
    pub(crate) fn find_by_title(
        &mut self,
        vendor: &str,
        kind: IncidentKind,
        key: &str,
        fingerprinted_only: bool,
    ) -> Result<Vec<String>, StoreError> {
        if key.is_empty() {
            return Ok(Vec::new());
        }
        let statement = if fingerprinted_only {
            &mut self.find_fingerprinted_by_title
        } else {
            &mut self.find_by_title
        };
        let ids = statement
            .query_map(params![vendor, kind.as_str(), key], |r| {
                r.get::<_, String>(0)
            })?
            .collect::<Result<Vec<_>, _>>();
        release_bindings(statement)?;
        Ok(ids?)
    }

    /// Which of `keys` (normalized titles) some record of `vendor` and `kind` carries: a
    /// title none carries has no candidates for the title rule, so its lookup can be skipped.
    pub(crate) fn title_keys_present<'k>(
        &mut self,
        vendor: &str,
        kind: &str,
        keys: impl IntoIterator<Item = &'k str>,
    ) -> Result<HashSet<String>, StoreError> {
        let keys: Vec<&str> = keys.into_iter().collect();
        let mut found = HashSet::new();
        for chunk in keys.chunks(ALIAS_CHUNK) {
            self.title_keys_present.raw_bind_parameter(1, vendor)?;
            self.title_keys_present.raw_bind_parameter(2, kind)?;
            bind_padded(&mut self.title_keys_present, 3, ALIAS_CHUNK, chunk)?;
            let mut rows = self.title_keys_present.raw_query();
            while let Some(row) = rows.next()? {
                found.insert(row.get(0)?);
            }
            drop(rows);
            release_bindings(&mut self.title_keys_present)?;
        }
        Ok(found)
    }

    /// A source's documents confirmed unchanged (304, or the same body) still show what they
    /// showed: what the source showed at its last success (`previous`) is seen again at `at`.
    pub(crate) fn confirm_seen(
        &mut self,
        source_id: &str,
        previous: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let seen = db_time(&at);
        self.conn
            .prepare_cached(
                "UPDATE incidents SET last_seen_at = ?3 WHERE id IN
                   (SELECT incident_id FROM incident_sources
                    WHERE source_id = ?1 AND last_seen_at = ?2)
                 AND last_seen_at < ?3",
            )?
            .execute(params![source_id, previous, seen])?;
        self.conn
            .prepare_cached(
                "UPDATE incident_sources SET last_seen_at = ?3
                 WHERE source_id = ?1 AND last_seen_at = ?2",
            )?
            .execute(params![source_id, previous, seen])?;
        self.conn
            .prepare_cached(
                "UPDATE components SET last_seen_at = ?3 WHERE source_id = ?1 AND last_seen_at = ?2",
            )?
            .execute(params![source_id, previous, seen])?;
        Ok(())
    }

    /// Records that a source showed an incident at `seen_at` (its first and last sighting by
    /// that source).
    pub(crate) fn note_source(
        &mut self,
        incident_id: &str,
        source_id: &str,
        seen_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        execute(
            &mut self.upsert_incident_source,
            params![incident_id, source_id, db_time(&seen_at)],
        )?;
        Ok(())
    }

    /// Writes the difference between `old` (as loaded) and `new` (as merged), and returns the
    /// aliases it added (an alias already held by another incident is not taken from it).
    pub(crate) fn save_incident(
        &mut self,
        old: Option<&IncidentRecord>,
        new: &IncidentRecord,
        revisions: &[Revision],
        source_id: &str,
        seen_at: DateTime<Utc>,
    ) -> Result<(SaveCounts, Vec<String>), StoreError> {
        let mut counts = SaveCounts {
            incident_new: old.is_none(),
            incident_changed: old.is_some_and(|o| incident_content_differs(o, new)),
            ..SaveCounts::default()
        };
        let seen_changed = old.is_some_and(|o| {
            o.first_seen_at != new.first_seen_at || o.last_seen_at != new.last_seen_at
        });
        if old.is_none() || counts.incident_changed || seen_changed {
            self.write_incident_row(new)?;
        }
        let added_aliases = self.add_aliases(old, new)?;
        self.note_source(&new.id, source_id, seen_at)?;
        for (i, name) in new.components.iter().enumerate() {
            if old.is_none_or(|o| !o.components.contains(name)) {
                execute(
                    &mut self.insert_incident_component,
                    params![new.id, i as i64, name],
                )?;
            }
        }

        // The status changes the updates announce name updates: when they change they go
        // before any update moves to the vendor's id, and are written again after.
        let new_transitions = update_transitions(new);
        let transitions_changed =
            old.map(update_transitions).unwrap_or_default() != new_transitions;
        // A new incident has no rows to replace (the foreign key keeps any from naming it).
        if transitions_changed && old.is_some() {
            execute(&mut self.delete_update_transitions, [&new.id])?;
        }
        let renamed: HashMap<&str, &str> = revisions
            .iter()
            .filter_map(Revision::renamed_update)
            .collect();
        for (from, to) in &renamed {
            self.rename_update(&new.id, from, to)?;
        }
        self.save_updates(old, new, &renamed, &mut counts)?;
        self.save_anomalies(old, new, seen_at)?;
        if transitions_changed {
            self.insert_transitions(new, &new_transitions)?;
        }
        self.insert_revisions(revisions, source_id, seen_at)?;
        Ok((counts, added_aliases))
    }

    /// Inserts or replaces the incident's own row.
    fn write_incident_row(&mut self, new: &IncidentRecord) -> Result<(), StoreError> {
        let t = |v: &Option<TimeValue>| v.as_ref().map(|t| db_time(&t.utc));
        fn raw(v: &Option<TimeValue>) -> Option<&str> {
            v.as_ref().map(|t| t.raw.as_str())
        }
        let src = |v: &Option<TimeValue>| v.as_ref().map(|t| t.source.as_str());
        let flags = |v: &Option<TimeValue>| v.as_ref().and_then(|t| t.flags.to_list());
        execute(
            &mut self.upsert_incident,
            params![
                new.id,
                new.vendor,
                new.kind.as_str(),
                new.title,
                new.url,
                new.impact.map(|i| i.as_str()),
                new.impact_raw,
                new.status.map(|s| s.as_str()),
                new.status_raw,
                t(&new.created_at),
                raw(&new.created_at),
                t(&new.started_at),
                src(&new.started_at),
                raw(&new.started_at),
                t(&new.resolved_at),
                src(&new.resolved_at),
                raw(&new.resolved_at),
                t(&new.structured_started_at),
                t(&new.structured_resolved_at),
                t(&new.scheduled_for),
                t(&new.scheduled_until),
                new.duration_seconds(),
                db_time(&new.first_seen_at),
                db_time(&new.last_seen_at),
                src(&new.created_at),
                raw(&new.structured_started_at),
                src(&new.structured_started_at),
                raw(&new.structured_resolved_at),
                src(&new.structured_resolved_at),
                raw(&new.scheduled_for),
                src(&new.scheduled_for),
                raw(&new.scheduled_until),
                src(&new.scheduled_until),
                title_key(&new.title),
                flags(&new.created_at),
                flags(&new.started_at),
                flags(&new.resolved_at),
                flags(&new.structured_started_at),
                flags(&new.structured_resolved_at),
                flags(&new.scheduled_for),
                flags(&new.scheduled_until),
            ],
        )?;
        Ok(())
    }

    /// Stores the aliases `new` has that `old` had not; returns those stored (one another
    /// incident of the vendor holds is left to it).
    fn add_aliases(
        &mut self,
        old: Option<&IncidentRecord>,
        new: &IncidentRecord,
    ) -> Result<Vec<String>, StoreError> {
        let mut added = Vec::new();
        for alias in &new.aliases {
            if old.is_none_or(|o| !o.aliases.contains(alias))
                && execute(&mut self.insert_alias, params![new.vendor, alias, new.id])? > 0
            {
                added.push(alias.clone());
            }
        }
        Ok(added)
    }

    /// Inserts the new updates and rewrites the changed ones (an update `renamed` has already
    /// moved, without its component changes).
    fn save_updates(
        &mut self,
        old: Option<&IncidentRecord>,
        new: &IncidentRecord,
        renamed: &HashMap<&str, &str>,
        counts: &mut SaveCounts,
    ) -> Result<(), StoreError> {
        let old_updates: HashMap<&str, &UpdateRecord> = old
            .map(|o| {
                o.updates
                    .iter()
                    .map(|u| (renamed.get(u.id.as_str()).copied().unwrap_or(&u.id), u))
                    .collect()
            })
            .unwrap_or_default();
        for update in &new.updates {
            match old_updates.get(update.id.as_str()) {
                None => {
                    self.write_update(&new.id, update, true)?;
                    self.insert_update_components(update)?;
                    counts.updates_new += 1;
                }
                // Moved without its component changes: written again under the new id.
                Some(previous) if previous.id != update.id => {
                    self.write_update(&new.id, update, false)?;
                    self.insert_update_components(update)?;
                    counts.updates_changed += 1;
                }
                Some(previous) if *previous != update => {
                    self.write_update(&new.id, update, false)?;
                    if previous.components != update.components {
                        execute(&mut self.delete_update_components, [&update.id])?;
                        self.insert_update_components(update)?;
                    }
                    counts.updates_changed += 1;
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// Deletes the anomalies `new` no longer has and inserts those it adds.
    fn save_anomalies(
        &mut self,
        old: Option<&IncidentRecord>,
        new: &IncidentRecord,
        seen_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let old_anomalies: &[Anomaly] = old.map(|o| o.anomalies.as_slice()).unwrap_or(&[]);
        for gone in old_anomalies.iter().filter(|a| !new.anomalies.contains(a)) {
            execute(
                &mut self.delete_anomaly,
                params![new.id, gone.code, gone.detail],
            )?;
        }
        let seen = db_time(&seen_at);
        for added in new.anomalies.iter().filter(|a| !old_anomalies.contains(a)) {
            execute(
                &mut self.insert_anomaly,
                params![new.id, added.code, added.detail, seen, added.source_id],
            )?;
        }
        Ok(())
    }

    /// Inserts the component status changes the incident's updates announce.
    fn insert_transitions(
        &mut self,
        new: &IncidentRecord,
        transitions: &[UpdateTransition],
    ) -> Result<(), StoreError> {
        for t in transitions {
            execute(
                &mut self.insert_update_transition,
                params![
                    t.component_id,
                    new.vendor,
                    t.name,
                    t.status.as_str(),
                    t.previous_status.map(|s| s.as_str()),
                    db_time(&t.changed_at),
                    t.source_id,
                    new.id,
                    t.update_id,
                ],
            )?;
        }
        Ok(())
    }

    /// Keeps what a merge revised (an update's move to the vendor's id is no edit: its rows
    /// moved instead).
    fn insert_revisions(
        &mut self,
        revisions: &[Revision],
        source_id: &str,
        seen_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let seen = db_time(&seen_at);
        for r in revisions.iter().filter(|r| r.renamed_update().is_none()) {
            execute(
                &mut self.insert_revision,
                params![
                    r.entity,
                    r.entity_id,
                    r.field,
                    r.old_value,
                    r.new_value,
                    seen,
                    source_id
                ],
            )?;
        }
        Ok(())
    }

    /// Moves a stored update of `incident_id` from id `from` to id `to` (the vendor's id it
    /// adopted), with what names it: its revisions, and the events that listed it (their
    /// `new_update_ids` and the incident document they carry). Its component changes are
    /// dropped, for the caller to write again under the new id; the rows of
    /// `component_status_changes` that name it must already be gone (the caller rewrites them).
    fn rename_update(&mut self, incident_id: &str, from: &str, to: &str) -> Result<(), StoreError> {
        execute(&mut self.delete_update_components, [from])?;
        self.conn
            .prepare_cached("UPDATE incident_updates SET id = ?2 WHERE id = ?1")?
            .execute([from, to])?;
        self.conn
            .prepare_cached(
                "UPDATE revisions SET entity_id = ?2 WHERE entity = 'update' AND entity_id = ?1",
            )?
            .execute([from, to])?;
        // JSON strings, quoted, so that only a whole id is replaced.
        self.conn
            .prepare_cached(
                "UPDATE events SET
                   new_update_ids = replace(new_update_ids, json_quote(?2), json_quote(?3)),
                   record = replace(record, json_quote(?2), json_quote(?3))
                 WHERE incident_id = ?1 AND instr(record, json_quote(?2)) > 0",
            )?
            .execute([incident_id, from, to])?;
        Ok(())
    }

    /// Stores an update of `incident_id`: inserted when `new`, else its fields rewritten (its
    /// incident, first source and first sighting stay); its component changes are the
    /// caller's.
    fn write_update(
        &mut self,
        incident_id: &str,
        u: &UpdateRecord,
        new: bool,
    ) -> Result<(), StoreError> {
        let statement = if new {
            &mut self.insert_update
        } else {
            &mut self.update_update
        };
        execute(
            statement,
            params![
                u.id,
                incident_id,
                u.native_id,
                u.status.map(|s| s.as_str()),
                u.status_raw,
                db_time(&u.posted_at.utc),
                u.posted_at.raw,
                u.posted_at.source.as_str(),
                u.body,
                u.source_id,
                db_time(&u.first_seen_at),
                u.posted_at.flags.to_list(),
                u.stated_status.map(|s| s.as_str()),
                u.zone.map(|z| z.name()),
            ],
        )?;
        Ok(())
    }

    fn insert_update_components(&mut self, u: &UpdateRecord) -> Result<(), StoreError> {
        for (i, c) in u.components.iter().enumerate() {
            execute(
                &mut self.insert_update_component,
                params![
                    u.id,
                    i as i64,
                    c.native_id,
                    c.name,
                    c.status.as_str(),
                    c.status_raw
                ],
            )?;
        }
        Ok(())
    }

    /// Upserts a component's latest status, logging a status change when it differs.
    pub(crate) fn save_component(
        &mut self,
        c: &ComponentRecord,
    ) -> Result<ComponentSave, StoreError> {
        let previous: Option<String> = self
            .component_status
            .query_row([&c.id], |r| r.get(0))
            .optional()?;
        release_bindings(&mut self.component_status)?;
        let seen = db_time(&c.last_seen_at);
        execute(
            &mut self.upsert_component,
            params![
                c.id,
                c.vendor,
                c.native_id,
                c.name,
                c.group,
                c.status.as_str(),
                c.status_raw,
                c.updated_at.as_ref().map(|t| db_time(&t.utc)),
                c.source_id,
                seen,
            ],
        )?;
        let changed = previous.as_deref() != Some(c.status.as_str());
        if changed {
            let at = c
                .updated_at
                .as_ref()
                .map(|t| db_time(&t.utc))
                .unwrap_or_else(|| seen.clone());
            execute(
                &mut self.insert_component_change,
                params![
                    c.id,
                    c.vendor,
                    c.name,
                    c.status.as_str(),
                    previous,
                    at,
                    c.source_id
                ],
            )?;
        }
        Ok(ComponentSave {
            previous_status: previous,
            changed,
        })
    }
}

/// The store's answers to normalization's questions about stored records.
impl RecordLookup for RecordWriter<'_> {
    type Error = StoreError;

    fn incidents_named(
        &mut self,
        vendor: &str,
        keys: &[&str],
    ) -> Result<HashMap<String, String>, StoreError> {
        self.find_aliases(vendor, keys.iter().copied())
    }

    fn titles_held(
        &mut self,
        vendor: &str,
        kind: IncidentKind,
        title_keys: &[&str],
    ) -> Result<HashSet<String>, StoreError> {
        self.title_keys_present(vendor, kind.as_str(), title_keys.iter().copied())
    }

    fn with_title(
        &mut self,
        vendor: &str,
        kind: IncidentKind,
        title_key: &str,
        fingerprinted_only: bool,
    ) -> Result<Vec<String>, StoreError> {
        self.find_by_title(vendor, kind, title_key, fingerprinted_only)
    }

    fn load(&mut self, ids: &[String]) -> Result<Vec<IncidentRecord>, StoreError> {
        self.reader.load(ids)
    }
}

/// Whether what the incident says changed (not merely when it was last seen).
fn incident_content_differs(a: &IncidentRecord, b: &IncidentRecord) -> bool {
    // What the vendor says of it, by reference: its words, then its times.
    fn content(r: &IncidentRecord) -> impl PartialEq + '_ {
        let words = (
            &r.kind,
            &r.title,
            &r.url,
            &r.impact,
            &r.impact_raw,
            &r.status,
            &r.status_raw,
        );
        let times = [
            &r.created_at,
            &r.started_at,
            &r.resolved_at,
            &r.structured_started_at,
            &r.structured_resolved_at,
            &r.scheduled_for,
            &r.scheduled_until,
        ];
        (words, times)
    }
    content(a) != content(b)
}

/// What saving a component found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ComponentSave {
    /// The status held before, `None` for a component not stored until now.
    pub previous_status: Option<String>,
    /// True when the status changed (or the component is new).
    pub changed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{IncidentKind, ObservedIncident};
    use crate::normalize::{self, Seen};
    use crate::store::Store;
    use rusqlite::StatementStatus;

    /// Held statements are reused as compiled: nothing makes SQLite prepare them again.
    #[test]
    fn held_statements_are_not_recompiled_between_uses() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        let conn = store.connection();
        conn.execute_batch(
            "INSERT INTO vendors(id) VALUES ('v');
             INSERT INTO sources(id, vendor, name, kind, url, interval_seconds)
             VALUES ('s', 'v', 'v', 'statuspage', 'https://v.example/', 60);",
        )
        .unwrap();
        let seen = Seen {
            vendor: "v",
            source_id: "s",
            at: crate::model::to_millis(Utc::now()),
            zone: None,
        };
        let mut writer = RecordWriter::new(conn).unwrap();
        for id in ["a", "b", "c"] {
            let mut observed = ObservedIncident::new(IncidentKind::Incident, id);
            observed.native_id = Some(id.into());
            observed.components = vec!["API".into(), "Web".into()];
            let (record, _) = normalize::merge(None, &observed, &seen);
            writer
                .save_incident(None, &record, &[], "s", seen.at)
                .unwrap();
        }
        let ids: Vec<String> = ["v/a", "v/b", "v/c"].map(String::from).to_vec();
        for _ in 0..3 {
            assert_eq!(writer.reader.load(&ids).unwrap().len(), 3);
            writer.find_aliases("v", ["a", "b", "x"]).unwrap();
            for title in ["a", "b", "x"] {
                for fingerprinted_only in [false, true] {
                    writer
                        .find_by_title(
                            "v",
                            IncidentKind::Incident,
                            &title_key(title),
                            fingerprinted_only,
                        )
                        .unwrap();
                }
            }
        }
        let held = writer.reader.statements.iter().chain([
            &writer.find_aliases,
            &writer.find_by_title,
            &writer.find_fingerprinted_by_title,
        ]);
        for stmt in held {
            assert_eq!(
                stmt.get_status(StatementStatus::RePrepare),
                0,
                "{:?}",
                stmt.expanded_sql()
            );
        }
        // Chunks of 2 with a short last chunk read the same records in the asked order.
        let mut small = Reader::new(conn, 2).unwrap();
        let loaded = small.load(&["v/c".into(), "v/a".into(), "v/zz".into(), "v/b".into()]);
        let titles: Vec<String> = loaded.unwrap().into_iter().map(|r| r.title).collect();
        assert_eq!(titles, ["c", "a", "b"]);
        let components = small.load(&["v/b".into()]).unwrap().remove(0).components;
        assert_eq!(components, ["API", "Web"]);
    }
}
