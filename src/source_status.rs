//! The health of every source, for `statusdb sources` and the metrics file: each configured
//! source with its stored fetch state, plus sources the database still knows but the config
//! no longer lists.

use crate::config::Config;
use crate::model::format_utc;
use crate::store::{Store, StoreError, time_column};
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
    /// A source as the config (or the database) describes it, before any attempt.
    fn never_attempted(
        id: String,
        vendor: String,
        kind: String,
        url: String,
        interval_seconds: u64,
        configured: bool,
    ) -> SourceStatus {
        SourceStatus {
            id,
            vendor,
            kind,
            resolved_kind: None,
            url,
            interval_seconds,
            configured,
            last_attempt_at: None,
            last_success_at: None,
            last_error: None,
            last_cause: None,
            consecutive_failures: 0,
            next_due_at: None,
            last_duration_ms: None,
        }
    }

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
        .map(|s| {
            SourceStatus::never_attempted(
                s.id.clone(),
                s.vendor.clone(),
                s.kind.as_str().to_string(),
                s.url.to_string(),
                s.interval.as_secs(),
                true,
            )
        })
        .collect();
    let Some(store) = store else { return Ok(out) };
    let conn = store.connection();
    let mut stmt = conn.prepare(
        "SELECT id, vendor, kind, url, interval_seconds, last_attempt_at, last_success_at,
                last_error, consecutive_failures, next_due_at, resolved_kind, last_cause
         FROM sources ORDER BY id",
    )?;
    // Each stored source as the database knows it (not configured, until found in the
    // config), with its state; the text of its last attempt's time kept to find its fetches.
    let rows = stmt.query_map([], |r| {
        let time = |i: usize| time_column(r, i);
        let stored = SourceStatus {
            last_attempt_at: time(5)?,
            last_success_at: time(6)?,
            last_error: r.get(7)?,
            consecutive_failures: r.get(8)?,
            next_due_at: time(9)?,
            resolved_kind: r.get(10)?,
            last_cause: r.get(11)?,
            ..SourceStatus::never_attempted(
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get::<_, i64>(4)?.max(0) as u64,
                false,
            )
        };
        Ok((stored, r.get::<_, Option<String>>(5)?))
    })?;
    let mut duration = conn.prepare(
        "SELECT sum(duration_ms) FROM fetches WHERE source_id = ?1 AND fetched_at >= ?2",
    )?;
    for row in rows {
        let (mut stored, attempt) = row?;
        // The documents of one attempt are fetched from its start on.
        if let Some(at) = &attempt {
            stored.last_duration_ms = duration
                .query_row(rusqlite::params![stored.id, at], |r| {
                    r.get::<_, Option<i64>>(0)
                })
                .optional()?
                .flatten();
        }
        match out.iter_mut().find(|s| s.id == stored.id) {
            // The config's description, the database's state.
            Some(configured) => {
                configured.last_attempt_at = stored.last_attempt_at;
                configured.last_success_at = stored.last_success_at;
                configured.last_error = stored.last_error;
                configured.last_cause = stored.last_cause;
                configured.consecutive_failures = stored.consecutive_failures;
                configured.next_due_at = stored.next_due_at;
                configured.last_duration_ms = stored.last_duration_ms;
                if configured.kind == "auto" {
                    configured.resolved_kind = stored.resolved_kind;
                }
            }
            None => {
                if stored.kind != "auto" {
                    stored.resolved_kind = None;
                }
                out.push(stored);
            }
        }
    }
    Ok(out)
}
