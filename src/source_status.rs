//! The health of every source, for `statusdb sources` and the metrics file: each configured
//! source with its stored fetch state, plus sources the database still knows but the config
//! no longer lists.

use crate::config::Config;
use crate::model::{format_utc, parse_db_time};
use crate::store::{Store, StoreError};
use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;
use serde::Serialize;

/// One source's health, for `statusdb sources` and the metrics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceStatus {
    /// The source's id.
    pub id: String,
    /// Its vendor.
    pub vendor: String,
    /// Its configured kind.
    pub kind: String,
    /// For `kind = "auto"`: the kind its last probe chose (null before one, or after a failure).
    pub resolved_kind: Option<String>,
    /// Its URL.
    pub url: String,
    /// How often `ingest --due` fetches it.
    pub interval_seconds: u64,
    /// False for a source the database knows that the config no longer lists.
    pub configured: bool,
    /// When it was last attempted.
    #[serde(serialize_with = "utc")]
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// When it last succeeded.
    #[serde(serialize_with = "utc")]
    pub last_success_at: Option<DateTime<Utc>>,
    /// The error of the last attempt, when it failed.
    pub last_error: Option<String>,
    /// Why the last attempt failed, as a stable machine word (`dns`, `http_status`,
    /// `wrong_format`, ...: `handoff::FailureCause`); null after a success, and for a failure
    /// recorded before statusdb kept causes.
    pub last_cause: Option<String>,
    /// Failed attempts since the last success.
    pub consecutive_failures: i64,
    /// When `ingest --due` fetches it next; null until its first attempt (due at once).
    #[serde(serialize_with = "utc")]
    pub next_due_at: Option<DateTime<Utc>>,
    /// The summed fetch time of its documents at the last attempt.
    pub last_duration_ms: Option<i64>,
}

fn utc<S: serde::Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&format_utc(t)),
        None => s.serialize_none(),
    }
}

impl SourceStatus {
    /// Whether the last attempt failed.
    pub(crate) fn failing(&self) -> bool {
        self.consecutive_failures > 0
    }
}

/// Every source of the config (in config order), then the database's others (by id).
/// `store` is `None` when there is no database yet.
pub fn list(config: &Config, store: Option<&Store>) -> Result<Vec<SourceStatus>, StoreError> {
    let mut out: Vec<SourceStatus> = config
        .sources
        .iter()
        .map(|s| SourceStatus {
            id: s.id.clone(),
            vendor: s.vendor.clone(),
            kind: s.kind.as_str().to_string(),
            resolved_kind: None,
            url: s.url.to_string(),
            interval_seconds: s.interval.as_secs(),
            configured: true,
            last_attempt_at: None,
            last_success_at: None,
            last_error: None,
            last_cause: None,
            consecutive_failures: 0,
            next_due_at: None,
            last_duration_ms: None,
        })
        .collect();
    let Some(store) = store else { return Ok(out) };
    let conn = store.connection();
    let mut stmt = conn.prepare(
        "SELECT id, vendor, kind, url, interval_seconds, last_attempt_at, last_success_at,
                last_error, consecutive_failures, next_due_at, resolved_kind, last_cause
         FROM sources ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, Option<String>>(5)?,
            r.get::<_, Option<String>>(6)?,
            r.get::<_, Option<String>>(7)?,
            r.get::<_, i64>(8)?,
            r.get::<_, Option<String>>(9)?,
            r.get::<_, Option<String>>(10)?,
            r.get::<_, Option<String>>(11)?,
        ))
    })?;
    let mut duration = conn.prepare(
        "SELECT sum(duration_ms) FROM fetches WHERE source_id = ?1 AND fetched_at >= ?2",
    )?;
    for row in rows {
        let (
            id,
            vendor,
            kind,
            url,
            interval,
            attempt,
            success,
            error,
            failures,
            due,
            resolved,
            cause,
        ) = row?;
        let time = |t: Option<String>| t.as_deref().and_then(parse_db_time);
        let last_attempt_at = time(attempt.clone());
        // The documents of one attempt are fetched from its start on.
        let last_duration_ms = match &attempt {
            Some(at) => duration
                .query_row(rusqlite::params![id, at], |r| r.get::<_, Option<i64>>(0))
                .optional()?
                .flatten(),
            None => None,
        };
        let state = |s: &mut SourceStatus| {
            s.last_attempt_at = last_attempt_at;
            s.last_success_at = time(success.clone());
            s.last_error = error.clone();
            s.last_cause = cause.clone();
            s.consecutive_failures = failures;
            s.next_due_at = time(due.clone());
            s.last_duration_ms = last_duration_ms;
            if s.kind == "auto" {
                s.resolved_kind = resolved.clone();
            }
        };
        match out.iter_mut().find(|s| s.id == id) {
            Some(configured) => state(configured),
            None => {
                let mut s = SourceStatus {
                    id,
                    vendor,
                    kind,
                    resolved_kind: None,
                    url,
                    interval_seconds: interval.max(0) as u64,
                    configured: false,
                    last_attempt_at: None,
                    last_success_at: None,
                    last_error: None,
                    last_cause: None,
                    consecutive_failures: 0,
                    next_due_at: None,
                    last_duration_ms: None,
                };
                state(&mut s);
                out.push(s);
            }
        }
    }
    Ok(out)
}
