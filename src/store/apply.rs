//! Applying one source's run to the database in a single transaction: the fetch log, raw pages,
//! conditional-request state, scheduling state and the records the normalizer merged.
//!
//! What arrives is a [`SourceResult`] (the hand-off types, `statusdb_core::handoff`), with
//! everything the store does not decide worked out beforehand: the next due time, each
//! incident's identity keys and its record as new. What leaves is the counts of what changed
//! and, for a source that had succeeded before, the [`ChangeSet`] the change events are made
//! of (the store writes the rows it is then handed: [`Writer::write_events`]).

use super::raw_pages::store_raw_page;
use super::records::{RecordWriter, SaveCounts, execute};
use super::{Store, StoreError};
use crate::handoff::{ChangeSet, DocumentOutcome, FailureCause, SourceChanges, SourceResult};
use crate::model::{Observation, ParseNote, db_time};
use crate::normalize::{self, PreparedIncident, Seen};
use crate::providers::Kind;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, Statement, params};

/// What writing one source's run did.
#[derive(Debug, Default)]
pub struct Applied {
    /// Counts of what changed (`events` is left to whoever writes the events).
    pub changes: SourceChanges,
    /// What changed, for the change events: `None` for a failed source, and for a source's
    /// first success (its history is recorded, not announced).
    pub touched: Option<ChangeSet>,
}

/// One change event, as the events module made it from a [`ChangeSet`], to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    /// The event's type, a machine word (`incident_opened`, ...).
    pub kind: &'static str,
    /// The vendor it is about.
    pub vendor: String,
    /// The incident it is about, if any.
    pub incident_id: Option<String>,
    /// The component it is about, if any.
    pub component_id: Option<String>,
    /// The status after the change.
    pub status: Option<String>,
    /// The status before it.
    pub previous_status: Option<String>,
    /// Updates new in this change.
    pub new_update_ids: Vec<String>,
    /// The incident or component document (JSON) after the change.
    pub record: String,
}

fn add_counts(changes: &mut SourceChanges, c: SaveCounts) {
    changes.incidents_new += usize::from(c.incident_new);
    changes.incidents_changed += usize::from(c.incident_changed);
    changes.updates_new += c.updates_new;
    changes.updates_changed += c.updates_changed;
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
    ) -> Result<Applied, StoreError> {
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
                   outcome, error, raw_page_hash, bytes, attempts, kind, cause)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
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
    /// group. Its change events are not written (an ingest writes them in the group:
    /// `events::apply_source`).
    pub fn apply_source(
        &mut self,
        run_id: Option<i64>,
        result: &SourceResult,
    ) -> Result<Applied, StoreError> {
        self.conn.execute_batch("SAVEPOINT apply_source")?;
        match self.apply(run_id, result) {
            Ok(applied) => {
                self.conn.execute_batch("RELEASE apply_source")?;
                Ok(applied)
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
    pub(crate) fn rollback_group(&mut self) -> Result<(), StoreError> {
        self.conn.execute_batch("ROLLBACK")?;
        Ok(())
    }

    /// Undoes the group and begins it again, empty: the caller then writes anew the sources
    /// of the group before the one that failed, so that the failed source is undone alone.
    pub(crate) fn restart_group(&mut self) -> Result<(), StoreError> {
        self.rollback_group()?;
        self.begin_group()
    }

    /// Writes one source's run inside a group, without a savepoint of its own: when it fails
    /// the group holds half of it, and the caller must `restart_group` (or `rollback_group`).
    /// A run's writer does so: a savepoint per source costs about 6% of a cold ingest's
    /// writer (its sub-journal copies every page the source changes, and releasing it frees
    /// them), and a failure is rare.
    pub(crate) fn apply_in_group(
        &mut self,
        run_id: Option<i64>,
        result: &SourceResult,
    ) -> Result<Applied, StoreError> {
        self.apply(run_id, result)
    }

    /// Writes the change events of one source's run (in the writer's transaction); returns how
    /// many.
    pub(crate) fn write_events(
        &mut self,
        run_id: Option<i64>,
        source_id: &str,
        recorded_at: DateTime<Utc>,
        rows: &[EventRow],
    ) -> Result<usize, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO events(run_id, source_id, type, recorded_at, vendor, incident_id,
               component_id, status, previous_status, new_update_ids, record)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?;
        for e in rows {
            let new_update_ids = serde_json::to_string(&e.new_update_ids)
                .map_err(|e| StoreError::Invalid(format!("cannot encode event: {e}")))?;
            stmt.execute(params![
                run_id,
                source_id,
                e.kind,
                db_time(&recorded_at),
                e.vendor,
                e.incident_id,
                e.component_id,
                e.status,
                e.previous_status,
                new_update_ids,
                e.record,
            ])?;
        }
        Ok(rows.len())
    }

    fn apply(&mut self, run_id: Option<i64>, result: &SourceResult) -> Result<Applied, StoreError> {
        self.write_fetch_log(run_id, result)?;
        if let Some(resolved) = &result.resolved {
            self.conn
                .prepare_cached(
                    "UPDATE sources SET resolved_kind = ?2, resolved_url = ?3, resolved_at = ?4,
                       resolved_evidence = ?5 WHERE id = ?1",
                )?
                .execute(params![
                    result.source.id,
                    resolved.kind.as_str(),
                    resolved.url,
                    db_time(&resolved.at),
                    resolved.evidence
                ])?;
        }
        if let Some((cause, error)) = result.failure() {
            self.record_failure(result, cause, error)?;
            return Ok(Applied::default());
        }
        let applied = self.apply_documents(result)?;
        self.record_success(result)?;
        Ok(applied)
    }

    /// A `fetches` row per document, with its raw page and parse notes.
    fn write_fetch_log(
        &mut self,
        run_id: Option<i64>,
        result: &SourceResult,
    ) -> Result<(), StoreError> {
        for doc in &result.documents {
            let (outcome, http_status, failure, body, hash) = match &doc.outcome {
                DocumentOutcome::Parsed { body, .. } => {
                    ("parsed", Some(200), None, Some(body), Some(&body.hash))
                }
                DocumentOutcome::Unchanged { hash, .. } => {
                    ("unchanged", Some(200), None, None, Some(hash))
                }
                DocumentOutcome::NotModified => ("not_modified", Some(304), None, None, None),
                DocumentOutcome::Absent { http_status } => {
                    ("absent", Some(*http_status), None, None, None)
                }
                DocumentOutcome::Failed {
                    http_status,
                    cause,
                    error,
                    body,
                } => (
                    "failed",
                    *http_status,
                    Some((cause.as_str(), error.as_str())),
                    body.as_ref(),
                    body.as_ref().map(|b| &b.hash),
                ),
            };
            if let Some(body) = body {
                store_raw_page(
                    &mut self.raw_page_exists,
                    &mut self.insert_raw_page,
                    body,
                    doc.fetched_at,
                )?;
            }
            execute(
                &mut self.insert_fetch,
                params![
                    run_id,
                    result.source.id,
                    doc.url,
                    db_time(&doc.fetched_at),
                    doc.duration.as_millis() as i64,
                    http_status.map(i64::from),
                    outcome,
                    failure.map(|(_, error)| error),
                    hash,
                    body.map(|b| b.size as i64),
                    doc.attempts as i64,
                    result.read_as.map(Kind::as_str),
                    failure.map(|(cause, _)| cause),
                ],
            )?;
            if let DocumentOutcome::Parsed { observation, .. } = &doc.outcome {
                insert_parse_notes(
                    &mut self.insert_parse_note,
                    self.conn.last_insert_rowid(),
                    &observation.notes,
                )?;
            }
        }
        Ok(())
    }

    /// A failed source: its records stay as they were; its failure is counted.
    fn record_failure(
        &mut self,
        result: &SourceResult,
        cause: FailureCause,
        error: &str,
    ) -> Result<(), StoreError> {
        let source = &result.source;
        // A failing `auto` source may have moved to another product: probe it again next run.
        if source.kind == Kind::Auto {
            self.conn
                .prepare_cached(
                    "UPDATE sources SET resolved_kind = NULL, resolved_url = NULL,
                       resolved_at = NULL, resolved_evidence = NULL WHERE id = ?1",
                )?
                .execute([&source.id])?;
        }
        self.conn
            .prepare_cached(
                "UPDATE sources SET last_attempt_at = ?2, last_error = ?3, last_cause = ?4,
                   consecutive_failures = consecutive_failures + 1, next_due_at = ?5
                 WHERE id = ?1",
            )?
            .execute(params![
                source.id,
                db_time(&result.seen_at_millis()),
                error,
                cause.as_str(),
                result.next_due_at.as_ref().map(db_time),
            ])?;
        Ok(())
    }

    /// A successful source's documents merged into the records.
    fn apply_documents(&mut self, result: &SourceResult) -> Result<Applied, StoreError> {
        let previous_success: Option<String> = self
            .conn
            .prepare_cached("SELECT last_success_at FROM sources WHERE id = ?1")?
            .query_row([&result.source.id], |r| r.get(0))?;
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
        let mut applied = Applied {
            changes: SourceChanges::default(),
            // A source's first success records its history without announcing it as news.
            touched: previous_success.as_ref().map(|_| ChangeSet::default()),
        };
        apply_records(
            &mut self.records,
            &result.seen(),
            previous_success.as_deref(),
            &documents,
            &mut applied.changes,
            applied.touched.as_mut(),
        )?;
        Ok(applied)
    }

    /// A successful source's fetch state: its documents' validators, its success time.
    fn record_success(&mut self, result: &SourceResult) -> Result<(), StoreError> {
        let source = &result.source;
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
        self.conn
            .prepare_cached(
                "UPDATE sources SET last_attempt_at = ?2, last_success_at = ?2, last_error = NULL,
                   last_cause = NULL, consecutive_failures = 0, next_due_at = ?3 WHERE id = ?1",
            )?
            .execute(params![
                source.id,
                db_time(&result.seen_at_millis()),
                result.next_due_at.as_ref().map(db_time),
            ])?;
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

/// The records part of a successful source run, shared by ingest and `reparse`: documents
/// confirmed unchanged bump what the source showed at its last success (`previous_success`)
/// to now; each parsed document's observation is merged into the records. `who` is the
/// source, at the run's time, in its configured zone.
pub(crate) fn apply_records(
    records: &mut RecordWriter<'_>,
    who: &Seen<'_>,
    previous_success: Option<&str>,
    documents: &[AppliedDocument<'_>],
    changes: &mut SourceChanges,
    mut touched: Option<&mut ChangeSet>,
) -> Result<(), StoreError> {
    // Documents confirmed unchanged still show what they showed: everything this source showed
    // at its last success is seen again now.
    let confirmed_unchanged = documents
        .iter()
        .any(|d| matches!(d, AppliedDocument::Unchanged));
    if let (true, Some(previous)) = (confirmed_unchanged, previous_success) {
        records.confirm_seen(who.source_id, previous, who.at)?;
    }
    for doc in documents {
        if let AppliedDocument::Parsed(observation, prepared) = doc {
            apply_observation(
                records,
                observation,
                prepared,
                &who.for_page(observation),
                changes,
                touched.as_deref_mut(),
            )?;
        }
    }
    Ok(())
}

const PARSE_NOTE_INSERT: &str =
    "INSERT INTO parse_notes(fetch_id, position, place, message) VALUES (?1, ?2, ?3, ?4)";

/// Stores what a parser noted about one fetched page.
pub(crate) fn write_parse_notes(
    conn: &Connection,
    fetch_id: i64,
    notes: &[ParseNote],
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(PARSE_NOTE_INSERT)?;
    insert_parse_notes(&mut stmt, fetch_id, notes)
}

fn insert_parse_notes(
    stmt: &mut Statement<'_>,
    fetch_id: i64,
    notes: &[ParseNote],
) -> Result<(), StoreError> {
    for (i, note) in notes.iter().enumerate() {
        execute(stmt, params![fetch_id, i as i64, note.place, note.message])?;
    }
    Ok(())
}

/// Merges one page's observation into the records: its components saved, then its incidents
/// matched and merged by `normalize::merge_page` (asking this writer what is stored) and each
/// saved as a difference.
fn apply_observation(
    w: &mut RecordWriter<'_>,
    observation: &Observation,
    prepared: &[PreparedIncident],
    who: &Seen<'_>,
    changes: &mut SourceChanges,
    mut touched: Option<&mut ChangeSet>,
) -> Result<(), StoreError> {
    for c in &observation.components {
        let record = normalize::components::component_record(c, who);
        let saved = w.save_component(&record)?;
        if saved.changed {
            changes.components_changed += 1;
        }
        if let Some(touched) = touched.as_deref_mut() {
            touched.component(saved.previous_status, &record);
        }
    }
    normalize::merge_page(w, observation, prepared, who, |w, merged| {
        if merged.unchanged() {
            // Nothing changed, but this source showed it now: what a later 304 of the source
            // confirms is found by this time.
            w.note_source(&merged.record.id, who.source_id, who.at)?;
            return Ok(Vec::new());
        }
        let (counts, new_aliases) = w.save_incident(
            merged.existing.as_ref(),
            &merged.record,
            &merged.revisions,
            who.source_id,
            who.at,
        )?;
        add_counts(changes, counts);
        if let Some(touched) = touched.as_deref_mut() {
            let changed =
                counts.incident_changed || counts.updates_new > 0 || counts.updates_changed > 0;
            touched.incident(
                merged.existing.as_ref(),
                &merged.record,
                changed,
                &merged.revisions,
            );
        }
        Ok(new_aliases)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handoff::{DocumentResult, Source, Validators};
    use crate::model::{IncidentKind, ObservedIncident, ObservedUpdate, Status, TimeValue};
    use crate::store::compress_body;
    use std::time::Duration;

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
        SourceResult::new(
            source(),
            Some(Kind::Statuspage),
            vec![DocumentResult {
                url: "https://status.v.example/api/v2/incidents.json".into(),
                fetched_at: at("2026-08-22T04:00:00Z"),
                duration: Duration::from_millis(1),
                attempts: 1,
                outcome: DocumentOutcome::Parsed {
                    body: compress_body(b"{}", "h1".into()).unwrap(),
                    validators: Validators::default(),
                    observation,
                    prepared: Vec::new(),
                },
            }],
        )
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
        let changes = store
            .apply_source(None, &result(observation))
            .unwrap()
            .changes;
        assert_eq!(changes.incidents_new, 1);
        assert_eq!(changes.updates_new, 3);

        assert_eq!(store.strings("SELECT id FROM incidents"), ["v/abc"]);
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
        let first = writer.apply_in_group(None, &ok).unwrap().changes;
        assert_eq!((first.incidents_new, first.updates_new), (1, 1));
        assert!(writer.apply_in_group(None, &failing).is_err());
        writer.restart_group().unwrap();
        let redone = writer.apply_in_group(None, &ok).unwrap().changes;
        assert_eq!(redone, first);
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
