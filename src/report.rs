//! What an ingest run did ([`RunReport`], as `ingest::run` returns it), and the run report
//! `statusdb ingest --json` prints: a documented, versioned JSON shape
//! (`schema/ingest-report-v1.schema.json`, docs/OPERATIONS.md) built from it, so internal
//! changes to the run do not change what scripts read (a document's entry is the one shape
//! both share). Fields may be added within a version; none is renamed or removed.

use crate::handoff::SourceChanges;
use crate::model::{format_utc, to_millis};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// How one source fared in a run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SourceReport {
    /// The source's id.
    pub source: String,
    /// Its vendor.
    pub vendor: String,
    /// Its configured kind.
    pub kind: &'static str,
    /// How it fared.
    pub outcome: SourceOutcome,
    /// Why the source failed, as a machine word (`FailureCause::as_str`).
    pub cause: Option<&'static str>,
    /// Why it failed, one line for people.
    pub error: Option<String>,
    /// Its documents' fetch time together.
    pub duration_ms: u64,
    /// Each document's outcome.
    pub documents: Vec<DocumentEntry>,
    /// What it changed in the records.
    pub changes: SourceChanges,
}

/// A source's outcome in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceOutcome {
    /// At least one document was parsed.
    Updated,
    /// Every document answered 304 or the same body as last time.
    NotModified,
    /// A document failed; its records are as they were.
    Failed,
}

/// What one ingest run did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunReport {
    /// The run's id (table `runs`).
    pub run_id: i64,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// How long it took.
    pub elapsed_ms: u64,
    /// Every source it handled, by id.
    pub sources: Vec<SourceReport>,
}

pub(crate) const REPORT_VERSION: u32 = 1;

/// The run report of `ingest --json`, version 1.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IngestReport {
    /// Always 1 for this shape.
    pub report_version: u32,
    /// The run's id.
    pub run_id: i64,
    /// When the run started.
    pub started_at: String,
    /// When it finished.
    pub finished_at: String,
    /// How long it took.
    pub elapsed_ms: u64,
    /// Counts over the run.
    pub totals: Totals,
    /// One entry per source handled in this run, by source id.
    pub sources: Vec<SourceEntry>,
}

/// Counts over the whole run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Sources handled.
    pub sources: usize,
    /// Sources whose new content was fetched and parsed.
    pub fetched: usize,
    /// Sources whose documents were all unchanged (304, same body, or absent optional ones).
    pub not_modified: usize,
    /// Sources that failed.
    pub failed: usize,
    /// What they changed.
    #[serde(flatten)]
    pub counts: SourceChanges,
}

/// One source of a run report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceEntry {
    /// The source's id.
    pub source: String,
    /// Its vendor.
    pub vendor: String,
    /// Its configured kind.
    pub kind: String,
    /// `fetched`, `not_modified` or `failed`.
    pub outcome: &'static str,
    /// The failing document's status when the source failed (null when there was no HTTP
    /// answer: a timeout, a refused connection), else the first document's.
    pub http_status: Option<u16>,
    /// Its documents' fetch time together.
    pub duration_ms: u64,
    /// Why the source failed, as a stable machine word (`dns`, `http_status`, `wrong_format`,
    /// ...: `handoff::FailureCause`); null when it did not.
    pub cause: Option<&'static str>,
    /// Why it failed, one line for people; null when it did not.
    pub error: Option<String>,
    /// What it changed.
    pub counts: SourceChanges,
    /// Each document.
    pub documents: Vec<DocumentEntry>,
}

/// One document of a source in a run report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentEntry {
    /// Its URL.
    pub url: String,
    /// `parsed`, `unchanged`, `not_modified`, `absent` or `failed`.
    pub outcome: &'static str,
    /// The HTTP status, where there was one.
    pub http_status: Option<u16>,
    /// From the first request to the end of the last.
    pub duration_ms: u64,
    /// Requests made: more than 1 when a transient fault was retried.
    pub attempts: usize,
    /// Why the document failed, as a stable machine word; null when it did not.
    pub cause: Option<&'static str>,
    /// Why it failed, one line for people; null when it did not.
    pub error: Option<String>,
}

pub(crate) fn outcome_word(outcome: SourceOutcome) -> &'static str {
    match outcome {
        SourceOutcome::Updated => "fetched",
        SourceOutcome::NotModified => "not_modified",
        SourceOutcome::Failed => "failed",
    }
}

impl IngestReport {
    /// The report of a run.
    pub fn from_run(run: &RunReport) -> IngestReport {
        let mut totals = Totals {
            sources: run.sources.len(),
            ..Totals::default()
        };
        let sources: Vec<SourceEntry> = run
            .sources
            .iter()
            .map(|s| {
                match s.outcome {
                    SourceOutcome::Updated => totals.fetched += 1,
                    SourceOutcome::NotModified => totals.not_modified += 1,
                    SourceOutcome::Failed => totals.failed += 1,
                }
                totals.counts += s.changes;
                let failing = s.documents.iter().find(|d| d.outcome == "failed");
                let http_status = match failing {
                    Some(d) => d.http_status,
                    None => s.documents.first().and_then(|d| d.http_status),
                };
                SourceEntry {
                    source: s.source.clone(),
                    vendor: s.vendor.clone(),
                    kind: s.kind.to_string(),
                    outcome: outcome_word(s.outcome),
                    http_status,
                    duration_ms: s.duration_ms,
                    cause: s.cause,
                    error: s.error.clone(),
                    counts: s.changes,
                    documents: s.documents.clone(),
                }
            })
            .collect();
        let started_at = to_millis(run.started_at);
        let finished_at =
            started_at + chrono::Duration::milliseconds(run.elapsed_ms.min(i64::MAX as u64) as i64);
        IngestReport {
            report_version: REPORT_VERSION,
            run_id: run.run_id,
            started_at: format_utc(&started_at),
            finished_at: format_utc(&finished_at),
            elapsed_ms: run.elapsed_ms,
            totals,
            sources,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::handoff::FailureCause;

    /// The schema lists every cause word a report can carry, and no other.
    #[test]
    fn the_schema_lists_every_failure_cause() {
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../schema/ingest-report-v1.schema.json")).unwrap();
        let listed: Vec<serde_json::Value> =
            schema["$defs"]["cause"]["enum"].as_array().unwrap().clone();
        let mut words: Vec<serde_json::Value> = vec![serde_json::Value::Null];
        words.extend(FailureCause::all().map(|c| c.as_str().into()));
        assert_eq!(listed, words);
    }
}
