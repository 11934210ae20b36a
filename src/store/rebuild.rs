//! `statusdb reparse`, the store's part: every record rebuilt from the stored raw pages, in
//! the order ingest applied them, in one transaction. The store does not parse: the caller
//! hands it a function that reads one stored page (`crate::reparse`).
//!
//! The fetch log is history and stays as it is (so do runs, sources and their fetch state,
//! raw pages and events); everything built from pages is deleted and built again: incidents
//! with their updates, aliases, components, anomalies and revisions, components and their
//! status changes, parse notes. Fetches are grouped as ingest applied them: consecutive rows of
//! one run and one source. A group with a failed document applied nothing; otherwise its
//! parsed documents are read again, and its `unchanged` and `not_modified` documents bump what
//! the source showed at its previous successful group, as ingest does. Events are not written
//! again (they were announced when they happened); an event whose incident the rebuild names
//! differently (an id that is now an alias of another record) is pointed at that record.

use super::apply::{AppliedDocument, apply_records};
use super::raw_pages::read_raw_page;
use super::records::RecordWriter;
use super::{Store, StoreError};
use crate::handoff::SourceChanges;
use crate::model::{Observation, db_time, parse_db_time};
use crate::normalize::Seen;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;

/// One stored page to read again, with what is known of its source.
#[derive(Debug, Clone)]
pub(crate) struct StoredPage<'a> {
    pub url: &'a str,
    pub fetched_at: DateTime<Utc>,
    /// The kind that read it at ingest (NULL for fetches older than migration 4).
    pub read_as: Option<&'a str>,
    /// The source's configured kind, and for `auto` the kind it resolved to last.
    pub source_kind: &'a str,
    pub resolved_kind: Option<&'a str>,
    pub zone: Option<chrono_tz::Tz>,
    pub body: &'a [u8],
}

/// What a rebuild did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RebuildReport {
    /// Source runs (groups of fetches) applied again.
    pub source_runs: usize,
    /// Source runs skipped because a document failed at ingest.
    pub failed_source_runs: usize,
    /// Documents parsed again.
    pub documents_parsed: usize,
    /// Documents that parsed at ingest but fail now, with why; their source run is skipped.
    pub parse_failures: Vec<String>,
    pub incidents: i64,
    pub updates: i64,
    pub components: i64,
    pub anomalies: i64,
    /// Events pointed at the record that now holds their incident.
    pub events_repointed: usize,
}

struct FetchRow {
    id: i64,
    run_id: Option<i64>,
    source_id: String,
    url: String,
    fetched_at: String,
    outcome: String,
    hash: Option<String>,
    kind: Option<String>,
}

struct SourceRow {
    vendor: String,
    kind: String,
    resolved_kind: Option<String>,
    zone: Option<chrono_tz::Tz>,
}

/// Tables rebuilt from pages, children first.
const DERIVED_TABLES: &[&str] = &[
    "component_status_changes",
    "update_components",
    "anomalies",
    "incident_components",
    "incident_sources",
    "incident_aliases",
    "incident_updates",
    "revisions",
    "incidents",
    "components",
    "parse_notes",
];

impl Store {
    /// Rebuilds every record from the stored pages (see the module documentation): all of
    /// it, or on any error nothing.
    pub(crate) fn rebuild<F>(&mut self, mut read: F) -> Result<RebuildReport, StoreError>
    where
        F: FnMut(&StoredPage<'_>) -> Result<Observation, String>,
    {
        let tx = self.conn.transaction()?;
        // Events keep pointing at incidents and components while they are rebuilt.
        tx.pragma_update(None, "defer_foreign_keys", true)?;
        for table in DERIVED_TABLES {
            tx.execute(&format!("DELETE FROM {table}"), [])?;
        }
        let sources = load_sources(&tx)?;
        let fetches = load_fetches(&tx)?;
        let mut report = RebuildReport::default();
        let mut records = RecordWriter::new(&tx)?;
        let mut last_success: HashMap<String, String> = HashMap::new();
        let mut start = 0;
        while start < fetches.len() {
            let key = (fetches[start].run_id, &fetches[start].source_id);
            let end = fetches[start..]
                .iter()
                .position(|f| (f.run_id, &f.source_id) != key)
                .map_or(fetches.len(), |n| start + n);
            let group = &fetches[start..end];
            start = end;
            if group.iter().any(|f| f.outcome == "failed") {
                report.failed_source_runs += 1;
                continue;
            }
            let source_id = group[0].source_id.as_str();
            let source = sources.get(source_id).ok_or_else(|| {
                StoreError::Invalid(format!("fetch of unknown source {source_id:?}"))
            })?;
            let Some(ReadGroup {
                observations,
                unchanged,
            }) = read_group(&tx, group, source, &mut read, &mut report)?
            else {
                report.failed_source_runs += 1;
                continue;
            };
            let at = group
                .iter()
                .map(|f| instant(&f.fetched_at))
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .min()
                .unwrap_or_default();
            let mut documents: Vec<AppliedDocument<'_>> = observations
                .iter()
                .map(|(_, o)| AppliedDocument::Parsed(o, &[]))
                .collect();
            if unchanged {
                documents.push(AppliedDocument::Unchanged);
            }
            let who = Seen {
                vendor: &source.vendor,
                source_id,
                at,
                zone: source.zone,
            };
            let mut changes = SourceChanges::default();
            apply_records(
                &mut records,
                &who,
                last_success.get(source_id).map(String::as_str),
                &documents,
                &mut changes,
                None,
            )?;
            for (fetch_id, observation) in &observations {
                super::apply::write_parse_notes(&tx, *fetch_id, &observation.notes)?;
            }
            last_success.insert(source_id.to_string(), db_time(&at));
            report.source_runs += 1;
        }
        drop(records);
        report.events_repointed = repoint_events(&tx)?;
        let count = |table: &str| -> Result<i64, StoreError> {
            Ok(tx.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?)
        };
        report.incidents = count("incidents")?;
        report.updates = count("incident_updates")?;
        report.components = count("components")?;
        report.anomalies = count("anomalies")?;
        tx.commit()?;
        Ok(report)
    }
}

/// The pages of one source run read again.
struct ReadGroup {
    /// Each parsed page's observation, with its fetch id.
    observations: Vec<(i64, Observation)>,
    /// Whether a document was confirmed unchanged (304, or the same body).
    unchanged: bool,
}

/// Reads again the parsed pages of one source run (`None` when one no longer parses: its
/// failure is in `report`).
fn read_group<F>(
    tx: &Connection,
    group: &[FetchRow],
    source: &SourceRow,
    read: &mut F,
    report: &mut RebuildReport,
) -> Result<Option<ReadGroup>, StoreError>
where
    F: FnMut(&StoredPage<'_>) -> Result<Observation, String>,
{
    let mut observations: Vec<(i64, Observation)> = Vec::new();
    let mut unchanged = false;
    let mut failed = false;
    for f in group {
        match f.outcome.as_str() {
            "parsed" => {
                let hash = f.hash.as_deref().ok_or_else(|| {
                    StoreError::Invalid(format!("parsed fetch {} has no page", f.id))
                })?;
                let body = read_raw_page(tx, hash)?;
                let page = StoredPage {
                    url: &f.url,
                    fetched_at: instant(&f.fetched_at)?,
                    read_as: f.kind.as_deref(),
                    source_kind: &source.kind,
                    resolved_kind: source.resolved_kind.as_deref(),
                    zone: source.zone,
                    body: &body,
                };
                report.documents_parsed += 1;
                match read(&page) {
                    Ok(observation) => observations.push((f.id, observation)),
                    Err(e) => {
                        report
                            .parse_failures
                            .push(format!("fetch {} ({}): {e}", f.id, f.url));
                        failed = true;
                    }
                }
            }
            "unchanged" | "not_modified" => unchanged = true,
            _ => {}
        }
    }
    Ok((!failed).then_some(ReadGroup {
        observations,
        unchanged,
    }))
}

fn instant(text: &str) -> Result<DateTime<Utc>, StoreError> {
    parse_db_time(text).ok_or_else(|| StoreError::Invalid(format!("time {text:?} is not RFC 3339")))
}

fn load_sources(conn: &Connection) -> Result<HashMap<String, SourceRow>, StoreError> {
    let mut stmt = conn.prepare("SELECT id, vendor, kind, resolved_kind, zone FROM sources")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            SourceRow {
                vendor: r.get(1)?,
                kind: r.get(2)?,
                resolved_kind: r.get(3)?,
                zone: r
                    .get::<_, Option<String>>(4)?
                    .and_then(|z| z.parse::<chrono_tz::Tz>().ok()),
            },
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn load_fetches(conn: &Connection) -> Result<Vec<FetchRow>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, run_id, source_id, url, fetched_at, outcome, raw_page_hash, kind
         FROM fetches ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(FetchRow {
            id: r.get(0)?,
            run_id: r.get(1)?,
            source_id: r.get(2)?,
            url: r.get(3)?,
            fetched_at: r.get(4)?,
            outcome: r.get(5)?,
            hash: r.get(6)?,
            kind: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Points events at the records that now hold their incidents; refuses when an event's
/// incident or component is gone altogether (the rebuild would orphan history).
fn repoint_events(conn: &Connection) -> Result<usize, StoreError> {
    let missing: Vec<(String, String)> = {
        let mut stmt = conn.prepare(
            "SELECT DISTINCT incident_id, vendor FROM events
             WHERE incident_id IS NOT NULL AND incident_id NOT IN (SELECT id FROM incidents)",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    let mut moved = 0;
    for (old, vendor) in missing {
        let key = old.strip_prefix(&format!("{vendor}/")).unwrap_or(&old);
        let now: Option<String> = conn
            .query_row(
                "SELECT incident_id FROM incident_aliases WHERE vendor = ?1 AND alias = ?2",
                params![vendor, key],
                |r| r.get(0),
            )
            .optional()?;
        let Some(now) = now else {
            return Err(StoreError::Invalid(format!(
                "reparse would leave events about incident {old} pointing at nothing: the stored pages no longer build it; nothing was changed"
            )));
        };
        moved += conn.execute(
            "UPDATE events SET incident_id = ?2 WHERE incident_id = ?1",
            params![old, now],
        )?;
    }
    let orphan: Option<String> = conn
        .query_row(
            "SELECT component_id FROM events WHERE component_id IS NOT NULL
             AND component_id NOT IN (SELECT id FROM components) LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(component) = orphan {
        return Err(StoreError::Invalid(format!(
            "reparse would leave events about component {component} pointing at nothing: the stored pages no longer list it; nothing was changed"
        )));
    }
    Ok(moved)
}
