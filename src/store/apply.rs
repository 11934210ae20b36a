//! Applying one source's run to the database in a single transaction: the fetch log, raw pages,
//! conditional-request state, scheduling state and the records the normalizer merged.

use super::records::{self, RecordWriter, SaveCounts, execute};
use super::{Store, StoreError};
use crate::config::Source;
use crate::events::PendingEvents;
use crate::fetch::Validators;
use crate::model::{ComponentRecord, IncidentRecord, Observation, db_time};
use crate::normalize::{self, Revision, Seen};
use crate::providers::Kind;
use crate::schedule;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, Statement, params};
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::time::Duration;

/// A fetched body as the store keeps it: its SHA-256, its size, and its zstd compression, made
/// where the page is parsed (on the blocking pool, in parallel) so that the single database
/// writer only inserts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawBody {
    pub hash: String,
    pub size: usize,
    pub zstd: Vec<u8>,
}

/// The zstd level raw pages are kept at: fast, and status pages compress about tenfold.
const ZSTD_LEVEL: i32 = 3;

impl RawBody {
    /// Compresses a body whose `content_hash` is `hash`.
    pub fn new(body: &[u8], hash: String) -> Result<RawBody, StoreError> {
        Ok(RawBody {
            hash,
            size: body.len(),
            zstd: zstd::bulk::compress(body, ZSTD_LEVEL)
                .map_err(|e| StoreError::Invalid(format!("cannot compress page: {e}")))?,
        })
    }
}

/// What happened to one document of a source in this run.
// `Parsed` is the usual outcome and moves through one channel per source; boxing it would only
// add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum DocumentOutcome {
    /// Fetched and parsed.
    Parsed {
        body: RawBody,
        validators: Validators,
        observation: Observation,
        /// The observation's incidents worked out off the writer thread
        /// ([`SourceResult::prepare`]); empty until then, or where nothing prepared them.
        prepared: Vec<PreparedIncident>,
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
        body: Option<RawBody>,
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

    /// Works out, for each parsed page, what the writer would otherwise compute per incident
    /// on its one thread: the incident's identity keys, and the record `normalize::merge`
    /// makes of it when no stored record names it (on a first ingest, every incident). Pure;
    /// meant for the parse pool, so the writer only looks up and inserts. A source that failed
    /// is not applied to the records, so nothing is prepared for it.
    pub fn prepare(&mut self) {
        if self.error().is_some() {
            return;
        }
        let who = SourceSeen::of(&self.source, self.seen_at_millis());
        for doc in &mut self.documents {
            if let DocumentOutcome::Parsed {
                observation,
                prepared,
                ..
            } = &mut doc.outcome
            {
                let seen = page_seen(&who, observation);
                *prepared = observation
                    .incidents
                    .iter()
                    .map(|incident| PreparedIncident {
                        keys: normalize::identity_keys(incident),
                        fresh: normalize::merge(None, incident, &seen),
                    })
                    .collect();
            }
        }
    }

    /// Forgets what [`SourceResult::prepare`] worked out (the writer then works it out).
    pub fn clear_prepared(&mut self) {
        for doc in &mut self.documents {
            if let DocumentOutcome::Parsed { prepared, .. } = &mut doc.outcome {
                prepared.clear();
            }
        }
    }

    /// `seen_at` at the database's precision (milliseconds): the time records are merged
    /// at, so that `reparse`, which reads it back from the fetch log, merges with the same
    /// instant. Prepared records and the writer use this one value.
    pub fn seen_at_millis(&self) -> DateTime<Utc> {
        crate::model::to_millis(self.seen_at())
    }

    /// The first failure, if any document failed.
    pub fn error(&self) -> Option<String> {
        self.documents.iter().find_map(|d| match &d.outcome {
            DocumentOutcome::Failed { error, .. } => Some(error.clone()),
            _ => None,
        })
    }
}

/// One incident of a parsed page, prepared by [`SourceResult::prepare`].
#[derive(Debug, Clone)]
pub struct PreparedIncident {
    /// `normalize::identity_keys` of the incident.
    pub keys: Vec<String>,
    /// `normalize::merge(None, ..)`: the record and revisions of the incident seen first.
    pub fresh: (IncidentRecord, Vec<Revision>),
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
    /// Prepares the statements an ingest run writes with. Apply every source of the run
    /// through one writer: preparing them costs about as much as storing a small source.
    pub fn writer(&self) -> Result<Writer<'_>, StoreError> {
        Writer::new(&self.conn)
    }

    /// Writes one source's run (see `Writer::apply_source`); prepares its statements each call.
    pub fn apply_source(
        &mut self,
        run_id: Option<i64>,
        result: &SourceResult,
    ) -> Result<SourceChanges, StoreError> {
        self.writer()?.apply_source(run_id, result)
    }
}

/// Writes sources' runs with statements prepared once.
pub struct Writer<'c> {
    conn: &'c Connection,
    records: RecordWriter<'c>,
    insert_fetch: Statement<'c>,
    insert_parse_note: Statement<'c>,
    raw_page_exists: Statement<'c>,
    insert_raw_page: Statement<'c>,
    upsert_endpoint: Statement<'c>,
}

impl<'c> Writer<'c> {
    fn new(conn: &'c Connection) -> Result<Writer<'c>, StoreError> {
        Ok(Writer {
            conn,
            records: RecordWriter::new(conn)?,
            insert_fetch: conn.prepare(
                "INSERT INTO fetches(run_id, source_id, url, fetched_at, duration_ms, http_status,
                   outcome, error, raw_page_hash, bytes, attempts, kind)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?,
            insert_parse_note: conn.prepare(PARSE_NOTE_INSERT)?,
            raw_page_exists: conn.prepare("SELECT 1 FROM raw_pages WHERE hash = ?1")?,
            insert_raw_page: conn.prepare(
                "INSERT INTO raw_pages(hash, size, compression, body, first_fetched_at)
                 VALUES (?1, ?2, 'zstd', ?3, ?4)",
            )?,
            upsert_endpoint: conn.prepare(
                "INSERT INTO source_endpoints(source_id, url, etag, last_modified, content_hash)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(source_id, url) DO UPDATE SET etag = excluded.etag,
                   last_modified = excluded.last_modified, content_hash = excluded.content_hash",
            )?,
        })
    }

    /// Writes one source's run: all of it, or (on a database error) none of it.
    /// A source with a failed document keeps its records as they were; only the fetch log and
    /// its failure state are written.
    ///
    /// The source is applied in a savepoint: on its own it is one transaction; inside a group
    /// (`begin_group` .. `commit_group`) it is undone alone on error and committed with the
    /// group.
    pub fn apply_source(
        &mut self,
        run_id: Option<i64>,
        result: &SourceResult,
    ) -> Result<SourceChanges, StoreError> {
        self.conn.execute_batch("SAVEPOINT apply_source")?;
        match self.apply(run_id, result) {
            Ok(changes) => {
                self.conn.execute_batch("RELEASE apply_source")?;
                Ok(changes)
            }
            Err(e) => {
                // The error that matters is the first; a failed rollback leaves the outer
                // transaction to be rolled back when the connection closes.
                let _ = self
                    .conn
                    .execute_batch("ROLLBACK TO apply_source; RELEASE apply_source");
                Err(e)
            }
        }
    }

    /// Starts a group of sources committed together. Each commit writes every page its
    /// sources changed to the WAL; pages that many sources share (the time index, the fetch
    /// log) are written once per group instead of once per source.
    pub fn begin_group(&mut self) -> Result<(), StoreError> {
        self.conn.execute_batch("BEGIN")?;
        Ok(())
    }

    /// Commits the group begun by `begin_group`.
    pub fn commit_group(&mut self) -> Result<(), StoreError> {
        self.conn.execute_batch("COMMIT")?;
        Ok(())
    }

    /// Undoes everything of the group begun by `begin_group`.
    pub fn rollback_group(&mut self) -> Result<(), StoreError> {
        self.conn.execute_batch("ROLLBACK")?;
        Ok(())
    }

    /// Writes one source's run inside a group, without a savepoint of its own: when it fails
    /// the group holds half of it, and the caller must `redo_group` (or `rollback_group`).
    /// A run's writer does so: a savepoint per source costs about 6% of a cold ingest's
    /// writer (its sub-journal copies every page the source changes, and releasing it frees
    /// them), and a failure is rare.
    pub fn apply_in_group(
        &mut self,
        run_id: Option<i64>,
        result: &SourceResult,
    ) -> Result<SourceChanges, StoreError> {
        self.apply(run_id, result)
    }

    /// Undoes the group and begins it again with `applied` written anew (the sources of the
    /// group before the one that failed), so that the failed source is undone alone. Returns
    /// their changes, in order; the group stays open for `commit_group`.
    pub fn redo_group(
        &mut self,
        run_id: Option<i64>,
        applied: &[&SourceResult],
    ) -> Result<Vec<SourceChanges>, StoreError> {
        self.rollback_group()?;
        self.begin_group()?;
        applied
            .iter()
            .map(|result| self.apply_in_group(run_id, result))
            .collect()
    }

    fn apply(
        &mut self,
        run_id: Option<i64>,
        result: &SourceResult,
    ) -> Result<SourceChanges, StoreError> {
        let conn = self.conn;
        let source = &result.source;
        // At the database's precision (milliseconds), so that `reparse`, which reads the times
        // back from the fetch log, merges with the very same instants.
        let seen_at = result.seen_at_millis();
        let failure = result.error();
        let mut changes = SourceChanges::default();

        for doc in &result.documents {
            let (outcome, http_status, error, hash, size) = match &doc.outcome {
                DocumentOutcome::Parsed { body, .. } => {
                    self.store_raw_page(body, doc.fetched_at)?;
                    (
                        "parsed",
                        Some(200),
                        None,
                        Some(body.hash.as_str()),
                        Some(body.size),
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
                    if let Some(body) = body {
                        self.store_raw_page(body, doc.fetched_at)?;
                    }
                    (
                        "failed",
                        *http_status,
                        Some(error.as_str()),
                        body.as_ref().map(|b| b.hash.as_str()),
                        body.as_ref().map(|b| b.size),
                    )
                }
            };
            execute(
                &mut self.insert_fetch,
                params![
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
                ],
            )?;
            if let DocumentOutcome::Parsed { observation, .. } = &doc.outcome {
                insert_parse_notes(
                    &mut self.insert_parse_note,
                    conn.last_insert_rowid(),
                    &observation.notes,
                )?;
            }
        }

        if let Some(resolved) = &result.resolved {
            conn.prepare_cached(
                "UPDATE sources SET resolved_kind = ?2, resolved_url = ?3, resolved_at = ?4,
                   resolved_evidence = ?5 WHERE id = ?1",
            )?
            .execute(params![
                source.id,
                resolved.kind.as_str(),
                resolved.url,
                db_time(&resolved.at),
                resolved.evidence
            ])?;
        }

        if let Some(error) = failure {
            // A failing `auto` source may have moved to another product: probe it again next
            // run.
            if source.kind == Kind::Auto {
                conn.prepare_cached(
                    "UPDATE sources SET resolved_kind = NULL, resolved_url = NULL,
                       resolved_at = NULL, resolved_evidence = NULL WHERE id = ?1",
                )?
                .execute([&source.id])?;
            }
            let failures: i64 = conn
                .prepare_cached("SELECT consecutive_failures FROM sources WHERE id = ?1")?
                .query_row([&source.id], |r| r.get(0))?;
            let failures = failures + 1;
            let backoff = schedule::failure_backoff(source.interval, failures);
            conn.prepare_cached(
                "UPDATE sources SET last_attempt_at = ?2, last_error = ?3,
                   consecutive_failures = ?4, next_due_at = ?5 WHERE id = ?1",
            )?
            .execute(params![
                source.id,
                db_time(&seen_at),
                error,
                failures,
                db_time(&(seen_at + backoff))
            ])?;
            return Ok(changes);
        }

        let previous_success: Option<String> = conn
            .prepare_cached("SELECT last_success_at FROM sources WHERE id = ?1")?
            .query_row([&source.id], |r| r.get(0))?;
        let seen = db_time(&seen_at);
        let documents: Vec<AppliedDocument<'_>> = result
            .documents
            .iter()
            .filter_map(|d| match &d.outcome {
                DocumentOutcome::Parsed {
                    observation,
                    prepared,
                    ..
                } => Some(AppliedDocument::Parsed(observation, prepared)),
                DocumentOutcome::Unchanged { .. } | DocumentOutcome::NotModified => {
                    Some(AppliedDocument::Unchanged)
                }
                _ => None,
            })
            .collect();
        let who = SourceSeen::of(source, seen_at);
        // A source's first success records its history without announcing it as news.
        let mut events = previous_success.as_ref().map(|_| PendingEvents::default());
        apply_records(
            &mut self.records,
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
                    body, validators, ..
                } => (&body.hash, validators),
                DocumentOutcome::Unchanged { hash, validators } => (hash, validators),
                _ => continue,
            };
            execute(
                &mut self.upsert_endpoint,
                params![
                    source.id,
                    doc.url,
                    validators.etag,
                    validators.last_modified,
                    hash
                ],
            )?;
        }
        conn.prepare_cached(
            "UPDATE sources SET last_attempt_at = ?2, last_success_at = ?2, last_error = NULL,
               consecutive_failures = 0, next_due_at = ?3 WHERE id = ?1",
        )?
        .execute(params![
            source.id,
            seen,
            db_time(&(seen_at + source.interval))
        ])?;
        Ok(changes)
    }

    fn store_raw_page(
        &mut self,
        body: &RawBody,
        fetched_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let exists = self.raw_page_exists.exists([&body.hash])?;
        records::release_bindings(&mut self.raw_page_exists)?;
        if exists {
            return Ok(());
        }
        execute(
            &mut self.insert_raw_page,
            params![body.hash, body.size as i64, body.zstd, db_time(&fetched_at)],
        )?;
        Ok(())
    }
}

/// One document of a successful source run, as the records see it.
pub(crate) enum AppliedDocument<'a> {
    /// A parsed page, with its incidents as prepared off the writer (or none).
    Parsed(&'a Observation, &'a [PreparedIncident]),
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

impl<'a> SourceSeen<'a> {
    /// A source's run, seen at `at`.
    pub(crate) fn of(source: &'a Source, at: DateTime<Utc>) -> SourceSeen<'a> {
        SourceSeen {
            vendor: &source.vendor,
            source_id: &source.id,
            at,
            zone: source.zone,
        }
    }
}

/// The records part of a successful source run, shared by ingest and `reparse`: documents
/// confirmed unchanged bump what the source showed at its last success (`previous_success`)
/// to now; each parsed document's observation is merged into the records.
pub(crate) fn apply_records(
    records: &mut RecordWriter<'_>,
    who: &SourceSeen<'_>,
    previous_success: Option<&str>,
    documents: &[AppliedDocument<'_>],
    changes: &mut SourceChanges,
    mut events: Option<&mut PendingEvents>,
) -> Result<(), StoreError> {
    let conn = records.connection();
    let seen = db_time(&who.at);
    // Documents confirmed unchanged still show what they showed: everything this source showed
    // at its last success is seen again now.
    let confirmed_unchanged = documents
        .iter()
        .any(|d| matches!(d, AppliedDocument::Unchanged));
    if let (true, Some(previous)) = (confirmed_unchanged, previous_success) {
        conn.prepare_cached(
            "UPDATE incidents SET last_seen_at = ?3 WHERE id IN
               (SELECT incident_id FROM incident_sources WHERE source_id = ?1 AND last_seen_at = ?2)
             AND last_seen_at < ?3",
        )?
        .execute(params![who.source_id, previous, seen])?;
        conn.prepare_cached(
            "UPDATE incident_sources SET last_seen_at = ?3 WHERE source_id = ?1 AND last_seen_at = ?2",
        )?
        .execute(params![who.source_id, previous, seen])?;
        conn.prepare_cached(
            "UPDATE components SET last_seen_at = ?3 WHERE source_id = ?1 AND last_seen_at = ?2",
        )?
        .execute(params![who.source_id, previous, seen])?;
    }
    for doc in documents {
        if let AppliedDocument::Parsed(observation, prepared) = doc {
            let seen = page_seen(who, observation);
            apply_observation(
                records,
                observation,
                prepared,
                &seen,
                changes,
                events.as_deref_mut(),
            )?;
        }
    }
    Ok(())
}

/// Who saw one page: the source, at the run's time, reading text in the source's zone or,
/// where it configures none, the page's own.
fn page_seen<'a>(who: &SourceSeen<'a>, observation: &Observation) -> Seen<'a> {
    let page_zone = observation
        .page
        .as_ref()
        .and_then(|p| p.time_zone.as_deref())
        .and_then(|z| z.parse::<chrono_tz::Tz>().ok());
    Seen {
        vendor: who.vendor,
        source_id: who.source_id,
        at: who.at,
        zone: who.zone.or(page_zone),
    }
}

const PARSE_NOTE_INSERT: &str =
    "INSERT INTO parse_notes(fetch_id, position, place, message) VALUES (?1, ?2, ?3, ?4)";

/// Stores what a parser noted about one fetched page.
pub(crate) fn write_parse_notes(
    conn: &Connection,
    fetch_id: i64,
    notes: &[crate::model::ParseNote],
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(PARSE_NOTE_INSERT)?;
    insert_parse_notes(&mut stmt, fetch_id, notes)
}

fn insert_parse_notes(
    stmt: &mut Statement<'_>,
    fetch_id: i64,
    notes: &[crate::model::ParseNote],
) -> Result<(), StoreError> {
    for (i, note) in notes.iter().enumerate() {
        execute(stmt, params![fetch_id, i as i64, note.place, note.message])?;
    }
    Ok(())
}

/// Merges one page's observation into the records.
///
/// Incidents are resolved and loaded for the whole page at once (one query per chunk of
/// identity keys, one round of queries per chunk of records) rather than one by one. An
/// incident that an earlier one of the same page already wrote is loaded again, so each
/// merge sees exactly what the database holds at that point, as when loading one at a time.
/// An incident no key names is looked up by the title rule, in the database as it is then.
pub(crate) fn apply_observation(
    w: &mut RecordWriter<'_>,
    observation: &Observation,
    prepared: &[PreparedIncident],
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
        let saved = w.save_component(&record)?;
        if saved.changed {
            changes.components_changed += 1;
        }
        if let Some(events) = events.as_deref_mut() {
            events.component(saved.previous_status, &record);
        }
    }

    // Prepared beside the parse when the page came from an ingest; `reparse` works them out here.
    let prepared = (prepared.len() == observation.incidents.len()).then_some(prepared);
    let computed_keys: Vec<Vec<String>> = match prepared {
        Some(_) => Vec::new(),
        None => observation
            .incidents
            .iter()
            .map(normalize::identity_keys)
            .collect(),
    };
    let keys: Vec<&[String]> = match prepared {
        Some(p) => p.iter().map(|p| p.keys.as_slice()).collect(),
        None => computed_keys.iter().map(Vec::as_slice).collect(),
    };
    let stored_aliases = w.find_aliases(
        who.vendor,
        keys.iter().flat_map(|k| k.iter()).map(String::as_str),
    )?;
    let mut wanted: Vec<String> = Vec::new();
    let mut seen_ids: HashSet<&str> = HashSet::new();
    for incident_keys in &keys {
        if let Some(id) = incident_keys.iter().find_map(|k| stored_aliases.get(k))
            && seen_ids.insert(id)
        {
            wanted.push(id.clone());
        }
    }
    let mut stored: HashMap<String, IncidentRecord> = w
        .reader
        .load(&wanted)?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    // Aliases this page added, and the records it wrote: those are read back from the database.
    let mut added_aliases: HashMap<String, String> = HashMap::new();
    let mut written: HashSet<String> = HashSet::new();
    // The titles (per kind) the vendor's records carry, read for the whole page, and those this
    // page writes: an incident no key names and whose title is in neither has no candidate for
    // the title rule, so the rule's lookup is skipped (on a first ingest, every incident).
    let title_keys: Vec<String> = observation
        .incidents
        .iter()
        .map(|o| normalize::identity::title_key(&o.title))
        .collect();
    let mut titles_held: HashSet<(&'static str, String)> = HashSet::new();
    {
        let mut unnamed: HashMap<&'static str, Vec<&str>> = HashMap::new();
        for ((observed, incident_keys), key) in
            observation.incidents.iter().zip(&keys).zip(&title_keys)
        {
            if !key.is_empty() && !incident_keys.iter().any(|k| stored_aliases.contains_key(k)) {
                unnamed.entry(observed.kind.as_str()).or_default().push(key);
            }
        }
        for (kind, page_keys) in unnamed {
            for key in w.title_keys_present(who.vendor, kind, page_keys)? {
                titles_held.insert((kind, key));
            }
        }
    }

    for (position, (observed, incident_keys)) in observation.incidents.iter().zip(&keys).enumerate()
    {
        let existing_id = incident_keys
            .iter()
            .find_map(|k| stored_aliases.get(k).or_else(|| added_aliases.get(k)))
            .cloned();
        let existing = match &existing_id {
            Some(id) if written.contains(id) => w.reader.load(std::slice::from_ref(id))?.pop(),
            Some(id) => match stored.remove(id) {
                Some(record) => Some(record),
                // Named by an alias but not stored: as loading it one at a time finds.
                None => w.reader.load(std::slice::from_ref(id))?.pop(),
            },
            // No key names it: the title rule, over the vendor's records of that title.
            None if !titles_held
                .contains(&(observed.kind.as_str(), title_keys[position].clone())) =>
            {
                None
            }
            None => {
                let mut found = None;
                for id in w.find_by_title(who.vendor, observed, &title_keys[position])? {
                    if let Some(record) = w.reader.load(std::slice::from_ref(&id))?.pop()
                        && normalize::identity::same_by_title_and_time(&record, observed)
                    {
                        found = Some(record);
                        break;
                    }
                }
                found
            }
        };
        let (merged, revisions) = match (&existing, prepared) {
            (None, Some(p)) => p[position].fresh.clone(),
            _ => normalize::merge(existing.clone(), observed, who),
        };
        if existing.as_ref() == Some(&merged) {
            // Nothing changed, but this source showed it now: what a later 304 of the source
            // confirms is found by this time.
            w.note_source(&merged.id, who.source_id, who.at)?;
            if let Some(record) = existing
                && !written.contains(&record.id)
            {
                stored.insert(record.id.clone(), record);
            }
            continue;
        }
        let (counts, new_aliases) = w.save_incident(
            existing.as_ref(),
            &merged,
            &revisions,
            who.source_id,
            who.at,
        )?;
        for alias in new_aliases {
            added_aliases.insert(alias, merged.id.clone());
        }
        written.insert(merged.id.clone());
        titles_held.insert((
            merged.kind.as_str(),
            normalize::identity::title_key(&merged.title),
        ));
        changes.add(counts);
        if let Some(events) = events.as_deref_mut() {
            let changed =
                counts.incident_changed || counts.updates_new > 0 || counts.updates_changed > 0;
            events.incident(existing.as_ref(), &merged, changed, &revisions);
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{IncidentKind, ObservedIncident, ObservedUpdate, Status, TimeValue};

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    fn update(id: &str, time: &str, status: Status) -> ObservedUpdate {
        ObservedUpdate {
            native_id: Some(id.into()),
            status: Some(status),
            status_raw: Some(status.as_str().into()),
            posted_at: TimeValue::structured(at(time), time),
            body: format!("{status} body"),
            components: Vec::new(),
        }
    }

    fn source() -> Source {
        Source {
            id: "v-api".into(),
            vendor: "v".into(),
            name: "v".into(),
            kind: Kind::Statuspage,
            url: "https://status.v.example/".parse().unwrap(),
            interval: Duration::from_secs(60),
            zone: None,
        }
    }

    fn result(observation: Observation) -> SourceResult {
        SourceResult {
            source: source(),
            resolved: None,
            read_as: Some(Kind::Statuspage),
            documents: vec![DocumentResult {
                url: "https://status.v.example/api/v2/incidents.json".into(),
                fetched_at: at("2026-08-22T04:00:00Z"),
                duration: Duration::from_millis(1),
                attempts: 1,
                outcome: DocumentOutcome::Parsed {
                    body: RawBody::new(b"{}", "h1".into()).unwrap(),
                    validators: Validators::default(),
                    observation,
                    prepared: Vec::new(),
                },
            }],
        }
    }

    /// A page that lists one incident twice (the second time with one more update) and then
    /// a third entry known by an alias of the first: all three are the same record, each
    /// merged into what the previous one wrote, as when incidents were loaded one at a time.
    #[test]
    fn incidents_repeated_within_one_page_merge_into_one_record() {
        let mut first = ObservedIncident::new(IncidentKind::Incident, "API errors");
        first.native_id = Some("abc".into());
        first.updates = vec![update("u1", "2026-08-21T10:00:00Z", Status::Investigating)];
        let mut again = first.clone();
        again
            .updates
            .push(update("u2", "2026-08-21T10:30:00Z", Status::Monitoring));
        let mut by_alias = ObservedIncident::new(IncidentKind::Incident, "API errors (resolved)");
        by_alias.native_id = Some("feed-7".into());
        by_alias.aliases = vec!["abc".into()];
        by_alias.updates = vec![update("u3", "2026-08-21T11:00:00Z", Status::Resolved)];
        let observation = Observation {
            incidents: vec![first, again, by_alias],
            ..Observation::default()
        };

        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        store.sync_sources(&[source()]).unwrap();
        let changes = store.apply_source(None, &result(observation)).unwrap();
        assert_eq!(changes.incidents_new, 1);
        assert_eq!(changes.updates_new, 3);

        let ids: Vec<String> = store
            .connection()
            .prepare("SELECT id FROM incidents")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(ids, ["v/abc"]);
        let record = store.load_incident("v/abc").unwrap().unwrap();
        assert_eq!(record.title, "API errors (resolved)");
        assert_eq!(record.aliases, ["abc", "feed-7"]);
        let updates: Vec<(&str, Option<Status>)> = record
            .updates
            .iter()
            .map(|u| (u.id.as_str(), u.status))
            .collect();
        assert_eq!(
            updates,
            [
                ("v/u1", Some(Status::Investigating)),
                ("v/u2", Some(Status::Monitoring)),
                ("v/u3", Some(Status::Resolved)),
            ]
        );
        assert_eq!(record.status, Some(Status::Resolved));
        let revisions: i64 = store
            .connection()
            .query_row(
                "SELECT count(*) FROM revisions WHERE entity_id = 'v/abc' AND field = 'title'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(revisions, 1);
    }

    /// Two sources: one that writes, and one whose page breaks a primary key (two incidents
    /// claiming the same update id), in a new database that knows them both.
    fn store_with_good_and_clashing() -> (tempfile::TempDir, Store, SourceResult, SourceResult) {
        let mut good = ObservedIncident::new(IncidentKind::Incident, "API errors");
        good.native_id = Some("abc".into());
        good.updates = vec![update("u1", "2026-08-21T10:00:00Z", Status::Investigating)];
        let mut first = ObservedIncident::new(IncidentKind::Incident, "Login errors");
        first.native_id = Some("def".into());
        first.updates = vec![update("u9", "2026-08-21T12:00:00Z", Status::Investigating)];
        let mut clash = ObservedIncident::new(IncidentKind::Incident, "Web errors");
        clash.native_id = Some("ghi".into());
        clash.updates = first.updates.clone();
        let ok = result(Observation {
            incidents: vec![good],
            ..Observation::default()
        });
        let mut other = source();
        other.id = "v-feed".into();
        let mut failing = result(Observation {
            incidents: vec![first, clash],
            ..Observation::default()
        });
        failing.source = other.clone();
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        store.sync_sources(&[source(), other]).unwrap();
        (dir, store, ok, failing)
    }

    /// What the database holds when the good source alone was written.
    fn assert_only_the_good_source_was_written(store: &Store) {
        let count =
            |sql: &str| -> i64 { store.connection().query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(count("SELECT count(*) FROM incidents"), 1);
        assert_eq!(
            count("SELECT count(*) FROM incidents WHERE id = 'v/abc'"),
            1
        );
        assert_eq!(count("SELECT count(*) FROM incident_updates"), 1);
        assert_eq!(count("SELECT count(*) FROM incident_aliases"), 1);
        assert_eq!(
            count("SELECT count(*) FROM fetches WHERE source_id = 'v-api'"),
            1
        );
        assert_eq!(
            count("SELECT count(*) FROM fetches WHERE source_id = 'v-feed'"),
            0
        );
        assert_eq!(
            count("SELECT count(*) FROM sources WHERE last_success_at IS NOT NULL"),
            1
        );
    }

    /// A run's writer applies a group's sources without savepoints; when one fails, the group
    /// is redone without it, and nothing of the failed one remains.
    #[test]
    fn a_group_redone_without_its_failed_source_keeps_the_others_whole() {
        let (_dir, store, ok, failing) = store_with_good_and_clashing();
        let mut writer = store.writer().unwrap();
        writer.begin_group().unwrap();
        let first = writer.apply_in_group(None, &ok).unwrap();
        assert_eq!((first.incidents_new, first.updates_new), (1, 1));
        assert!(writer.apply_in_group(None, &failing).is_err());
        let redone = writer.redo_group(None, &[&ok]).unwrap();
        assert_eq!(redone, vec![first]);
        writer.commit_group().unwrap();
        drop(writer);
        assert_only_the_good_source_was_written(&store);
    }

    /// In a group, a source that fails to apply is undone alone: the sources before it are
    /// committed with the group, nothing of the failed one remains.
    #[test]
    fn a_source_that_fails_in_a_group_is_undone_alone() {
        let (_dir, store, ok, failing) = store_with_good_and_clashing();
        let mut writer = store.writer().unwrap();
        writer.begin_group().unwrap();
        writer.apply_source(None, &ok).unwrap();
        assert!(writer.apply_source(None, &failing).is_err());
        writer.commit_group().unwrap();
        drop(writer);
        assert_only_the_good_source_was_written(&store);
    }
}
