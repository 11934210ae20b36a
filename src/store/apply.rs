//! Applying one source's run to the database in a single transaction: the fetch log, raw pages,
//! conditional-request state, scheduling state and the records the normalizer merged.

use super::records::{self, SaveCounts};
use super::{Store, StoreError};
use crate::config::Source;
use crate::events::PendingEvents;
use crate::fetch::Validators;
use crate::model::{ComponentRecord, Observation, db_time};
use crate::normalize::{self, Seen};
use crate::providers::Kind;
use crate::schedule;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};
use std::io::Read;
use std::time::Duration;

/// What happened to one document of a source in this run.
#[derive(Debug)]
pub enum DocumentOutcome {
    /// Fetched and parsed.
    Parsed {
        body: Vec<u8>,
        hash: String,
        validators: Validators,
        observation: Observation,
    },
    /// Fetched, but the body is the one stored last time: not parsed again.
    Unchanged {
        hash: String,
        validators: Validators,
    },
    /// The server answered 304.
    NotModified,
    /// An optional document the server does not have (404/410).
    Absent { http_status: u16 },
    /// The fetch or the parse failed; the body is kept when there was one.
    Failed {
        http_status: Option<u16>,
        error: String,
        body: Option<(Vec<u8>, String)>,
    },
}

#[derive(Debug)]
pub struct DocumentResult {
    pub url: String,
    pub fetched_at: DateTime<Utc>,
    pub duration: Duration,
    /// Requests made for this document, retries included.
    pub attempts: usize,
    pub outcome: DocumentOutcome,
}

/// Everything one source produced in one run.
#[derive(Debug)]
pub struct SourceResult {
    pub source: Source,
    /// For `kind = "auto"`: the kind a probe chose in this run (none when a stored choice was
    /// used, or the source has a fixed kind).
    pub resolved: Option<ResolvedKind>,
    /// The kind that read the documents (for `auto`, the one it resolved to), stored with each
    /// fetch so that `reparse` reads them the same way. None when no kind was settled.
    pub read_as: Option<Kind>,
    pub documents: Vec<DocumentResult>,
}

/// The kind a probe chose for an `auto` source, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedKind {
    pub kind: Kind,
    /// The URL probed (the source's URL at the time).
    pub url: String,
    pub at: DateTime<Utc>,
    /// Each detector's verdict, one line.
    pub evidence: String,
}

impl SourceResult {
    /// When this source's run saw its pages: the first document's fetch time.
    pub fn seen_at(&self) -> DateTime<Utc> {
        self.documents
            .iter()
            .map(|d| d.fetched_at)
            .min()
            .unwrap_or_else(Utc::now)
    }

    /// The first failure, if any document failed.
    pub fn error(&self) -> Option<String> {
        self.documents.iter().find_map(|d| match &d.outcome {
            DocumentOutcome::Failed { error, .. } => Some(error.clone()),
            _ => None,
        })
    }
}

/// What a source's run changed in the records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct SourceChanges {
    pub incidents_new: usize,
    pub incidents_changed: usize,
    pub updates_new: usize,
    pub updates_changed: usize,
    pub components_changed: usize,
    /// Change events written (none on a source's first successful ingest).
    pub events: usize,
}

impl SourceChanges {
    fn add(&mut self, c: SaveCounts) {
        self.incidents_new += usize::from(c.incident_new);
        self.incidents_changed += usize::from(c.incident_changed);
        self.updates_new += c.updates_new;
        self.updates_changed += c.updates_changed;
    }
}

impl Store {
    /// Writes one source's run: all of it, or (on a database error) none of it.
    /// A source with a failed document keeps its records as they were; only the fetch log and
    /// its failure state are written.
    pub fn apply_source(
        &mut self,
        run_id: Option<i64>,
        result: &SourceResult,
    ) -> Result<SourceChanges, StoreError> {
        let tx = self.conn.transaction()?;
        let changes = apply(&tx, run_id, result)?;
        tx.commit()?;
        Ok(changes)
    }
}

fn apply(
    conn: &Connection,
    run_id: Option<i64>,
    result: &SourceResult,
) -> Result<SourceChanges, StoreError> {
    let source = &result.source;
    // At the database's precision (milliseconds), so that `reparse`, which reads the times
    // back from the fetch log, merges with the very same instants.
    let seen_at = crate::model::to_millis(result.seen_at());
    let failure = result.error();
    let mut changes = SourceChanges::default();

    for doc in &result.documents {
        let (outcome, http_status, error, hash, size) = match &doc.outcome {
            DocumentOutcome::Parsed { body, hash, .. } => {
                store_raw_page(conn, hash, body, doc.fetched_at)?;
                (
                    "parsed",
                    Some(200),
                    None,
                    Some(hash.as_str()),
                    Some(body.len()),
                )
            }
            DocumentOutcome::Unchanged { hash, .. } => {
                ("unchanged", Some(200), None, Some(hash.as_str()), None)
            }
            DocumentOutcome::NotModified => ("not_modified", Some(304), None, None, None),
            DocumentOutcome::Absent { http_status } => {
                ("absent", Some(*http_status), None, None, None)
            }
            DocumentOutcome::Failed {
                http_status,
                error,
                body,
            } => {
                if let Some((bytes, hash)) = body {
                    store_raw_page(conn, hash, bytes, doc.fetched_at)?;
                }
                (
                    "failed",
                    *http_status,
                    Some(error.as_str()),
                    body.as_ref().map(|(_, h)| h.as_str()),
                    body.as_ref().map(|(b, _)| b.len()),
                )
            }
        };
        conn.prepare_cached(
            "INSERT INTO fetches(run_id, source_id, url, fetched_at, duration_ms, http_status,
               outcome, error, raw_page_hash, bytes, attempts, kind)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?
        .execute(params![
            run_id,
            source.id,
            doc.url,
            db_time(&doc.fetched_at),
            doc.duration.as_millis() as i64,
            http_status.map(i64::from),
            outcome,
            error,
            hash,
            size.map(|s| s as i64),
            doc.attempts as i64,
            result.read_as.map(Kind::as_str),
        ])?;
        if let DocumentOutcome::Parsed { observation, .. } = &doc.outcome {
            write_parse_notes(conn, conn.last_insert_rowid(), &observation.notes)?;
        }
    }

    if let Some(resolved) = &result.resolved {
        conn.execute(
            "UPDATE sources SET resolved_kind = ?2, resolved_url = ?3, resolved_at = ?4,
               resolved_evidence = ?5 WHERE id = ?1",
            params![
                source.id,
                resolved.kind.as_str(),
                resolved.url,
                db_time(&resolved.at),
                resolved.evidence
            ],
        )?;
    }

    if let Some(error) = failure {
        // A failing `auto` source may have moved to another product: probe it again next run.
        if source.kind == Kind::Auto {
            conn.execute(
                "UPDATE sources SET resolved_kind = NULL, resolved_url = NULL, resolved_at = NULL,
                   resolved_evidence = NULL WHERE id = ?1",
                [&source.id],
            )?;
        }
        let failures: i64 = conn.query_row(
            "SELECT consecutive_failures FROM sources WHERE id = ?1",
            [&source.id],
            |r| r.get(0),
        )?;
        let failures = failures + 1;
        let backoff = schedule::failure_backoff(source.interval, failures);
        conn.execute(
            "UPDATE sources SET last_attempt_at = ?2, last_error = ?3,
               consecutive_failures = ?4, next_due_at = ?5 WHERE id = ?1",
            params![
                source.id,
                db_time(&seen_at),
                error,
                failures,
                db_time(&(seen_at + backoff))
            ],
        )?;
        return Ok(changes);
    }

    let previous_success: Option<String> = conn.query_row(
        "SELECT last_success_at FROM sources WHERE id = ?1",
        [&source.id],
        |r| r.get(0),
    )?;
    let seen = db_time(&seen_at);
    let documents: Vec<AppliedDocument<'_>> = result
        .documents
        .iter()
        .filter_map(|d| match &d.outcome {
            DocumentOutcome::Parsed { observation, .. } => {
                Some(AppliedDocument::Parsed(observation))
            }
            DocumentOutcome::Unchanged { .. } | DocumentOutcome::NotModified => {
                Some(AppliedDocument::Unchanged)
            }
            _ => None,
        })
        .collect();
    let who = SourceSeen {
        vendor: &source.vendor,
        source_id: &source.id,
        at: seen_at,
        zone: source.zone,
    };
    // A source's first success records its history without announcing it as news.
    let mut events = previous_success.as_ref().map(|_| PendingEvents::default());
    apply_records(
        conn,
        &who,
        previous_success.as_deref(),
        &documents,
        &mut changes,
        events.as_mut(),
    )?;
    if let Some(events) = &events {
        changes.events = events.write(conn, run_id, &source.id, seen_at)?;
    }

    for doc in &result.documents {
        let (hash, validators) = match &doc.outcome {
            DocumentOutcome::Parsed {
                hash, validators, ..
            }
            | DocumentOutcome::Unchanged { hash, validators } => (hash, validators),
            _ => continue,
        };
        conn.prepare_cached(
            "INSERT INTO source_endpoints(source_id, url, etag, last_modified, content_hash)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(source_id, url) DO UPDATE SET etag = excluded.etag,
               last_modified = excluded.last_modified, content_hash = excluded.content_hash",
        )?
        .execute(params![
            source.id,
            doc.url,
            validators.etag,
            validators.last_modified,
            hash
        ])?;
    }
    conn.execute(
        "UPDATE sources SET last_attempt_at = ?2, last_success_at = ?2, last_error = NULL,
           consecutive_failures = 0, next_due_at = ?3 WHERE id = ?1",
        params![source.id, seen, db_time(&(seen_at + source.interval))],
    )?;
    Ok(changes)
}

/// One document of a successful source run, as the records see it.
pub(crate) enum AppliedDocument<'a> {
    Parsed(&'a Observation),
    /// A 304, or the same body as last time: it still shows what it showed.
    Unchanged,
}

/// Who saw a source's documents, and when (the fetch time of its first document).
pub(crate) struct SourceSeen<'a> {
    pub vendor: &'a str,
    pub source_id: &'a str,
    pub at: DateTime<Utc>,
    /// The source's configured zone.
    pub zone: Option<chrono_tz::Tz>,
}

/// The records part of a successful source run, shared by ingest and `reparse`: documents
/// confirmed unchanged bump what the source showed at its last success (`previous_success`)
/// to now; each parsed document's observation is merged into the records.
pub(crate) fn apply_records(
    conn: &Connection,
    who: &SourceSeen<'_>,
    previous_success: Option<&str>,
    documents: &[AppliedDocument<'_>],
    changes: &mut SourceChanges,
    mut events: Option<&mut PendingEvents>,
) -> Result<(), StoreError> {
    let seen = db_time(&who.at);
    // Documents confirmed unchanged still show what they showed: everything this source showed
    // at its last success is seen again now.
    let confirmed_unchanged = documents
        .iter()
        .any(|d| matches!(d, AppliedDocument::Unchanged));
    if let (true, Some(previous)) = (confirmed_unchanged, previous_success) {
        conn.execute(
            "UPDATE incidents SET last_seen_at = ?3 WHERE id IN
               (SELECT incident_id FROM incident_sources WHERE source_id = ?1 AND last_seen_at = ?2)
             AND last_seen_at < ?3",
            params![who.source_id, previous, seen],
        )?;
        conn.execute(
            "UPDATE incident_sources SET last_seen_at = ?3 WHERE source_id = ?1 AND last_seen_at = ?2",
            params![who.source_id, previous, seen],
        )?;
        conn.execute(
            "UPDATE components SET last_seen_at = ?3 WHERE source_id = ?1 AND last_seen_at = ?2",
            params![who.source_id, previous, seen],
        )?;
    }
    for doc in documents {
        if let AppliedDocument::Parsed(observation) = doc {
            // The page's own zone where the source configures none.
            let page_zone = observation
                .page
                .as_ref()
                .and_then(|p| p.time_zone.as_deref())
                .and_then(|z| z.parse::<chrono_tz::Tz>().ok());
            let seen = Seen {
                vendor: who.vendor,
                source_id: who.source_id,
                at: who.at,
                zone: who.zone.or(page_zone),
            };
            apply_observation(conn, observation, &seen, changes, events.as_deref_mut())?;
        }
    }
    Ok(())
}

/// Stores what a parser noted about one fetched page.
pub(crate) fn write_parse_notes(
    conn: &Connection,
    fetch_id: i64,
    notes: &[crate::model::ParseNote],
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO parse_notes(fetch_id, position, place, message) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (i, note) in notes.iter().enumerate() {
        stmt.execute(params![fetch_id, i as i64, note.place, note.message])?;
    }
    Ok(())
}

/// Merges one page's observation into the records.
pub(crate) fn apply_observation(
    conn: &Connection,
    observation: &Observation,
    who: &Seen<'_>,
    changes: &mut SourceChanges,
    mut events: Option<&mut PendingEvents>,
) -> Result<(), StoreError> {
    for c in &observation.components {
        let key = match &c.native_id {
            Some(id) => id.clone(),
            None => match &c.group {
                Some(g) => format!("{g}/{}", c.name),
                None => c.name.clone(),
            },
        };
        let record = ComponentRecord {
            id: format!("{}/{key}", who.vendor),
            vendor: who.vendor.to_string(),
            native_id: c.native_id.clone(),
            name: c.name.clone(),
            group: c.group.clone(),
            status: c.status,
            status_raw: c.status_raw.clone(),
            updated_at: c.updated_at.clone(),
            source_id: who.source_id.to_string(),
            last_seen_at: who.at,
        };
        let saved = records::save_component(conn, &record)?;
        if saved.changed {
            changes.components_changed += 1;
        }
        if let Some(events) = events.as_deref_mut() {
            events.component(saved.previous_status, &record);
        }
    }
    for observed in &observation.incidents {
        let keys = normalize::identity_keys(observed);
        let existing = match records::find_incident(conn, who.vendor, &keys)? {
            Some(id) => records::load_incident(conn, &id)?,
            // No key names it: the title rule, over the vendor's records of that title.
            None => {
                let mut found = None;
                for id in records::find_by_title(conn, who.vendor, observed)? {
                    if let Some(record) = records::load_incident(conn, &id)?
                        && normalize::identity::same_by_title_and_time(&record, observed)
                    {
                        found = Some(record);
                        break;
                    }
                }
                found
            }
        };
        let (merged, revisions) = normalize::merge(existing.clone(), observed, who);
        if existing.as_ref() == Some(&merged) {
            // Nothing changed, but this source showed it now: what a later 304 of the source
            // confirms is found by this time.
            records::note_source(conn, &merged.id, who.source_id, who.at)?;
            continue;
        }
        let counts = records::save_incident(
            conn,
            existing.as_ref(),
            &merged,
            &revisions,
            who.source_id,
            who.at,
        )?;
        changes.add(counts);
        if let Some(events) = events.as_deref_mut() {
            let changed =
                counts.incident_changed || counts.updates_new > 0 || counts.updates_changed > 0;
            events.incident(existing.as_ref(), &merged, changed);
        }
    }
    Ok(())
}

fn store_raw_page(
    conn: &Connection,
    hash: &str,
    body: &[u8],
    fetched_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let exists = conn
        .prepare_cached("SELECT 1 FROM raw_pages WHERE hash = ?1")?
        .exists([hash])?;
    if exists {
        return Ok(());
    }
    let compressed = zstd::encode_all(body, 3)
        .map_err(|e| StoreError::Invalid(format!("cannot compress page: {e}")))?;
    conn.prepare_cached(
        "INSERT INTO raw_pages(hash, size, compression, body, first_fetched_at)
         VALUES (?1, ?2, 'zstd', ?3, ?4)",
    )?
    .execute(params![
        hash,
        body.len() as i64,
        compressed,
        db_time(&fetched_at)
    ])?;
    Ok(())
}

/// Reads a stored raw page back, decompressed.
pub fn read_raw_page(conn: &Connection, hash: &str) -> Result<Vec<u8>, StoreError> {
    let (compression, blob): (String, Vec<u8>) = conn.query_row(
        "SELECT compression, body FROM raw_pages WHERE hash = ?1",
        [hash],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    match compression.as_str() {
        "zstd" => {
            let mut out = Vec::new();
            zstd::Decoder::new(blob.as_slice())
                .and_then(|mut d| d.read_to_end(&mut out))
                .map_err(|e| StoreError::Invalid(format!("raw page {hash}: {e}")))?;
            Ok(out)
        }
        other => Err(StoreError::Invalid(format!(
            "raw page {hash} has unknown compression {other:?}"
        ))),
    }
}
