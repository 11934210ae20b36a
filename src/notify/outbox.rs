//! The outbox's SQL: the configured targets synced into `notify_targets` (the enqueue trigger
//! of migration 7 reads their filters), the pending deliveries of a target, each try's outcome,
//! and the counts `statusdb notify --status` and the metrics show.

use super::payload::PageStatus;
use crate::config::NotifyTarget;
use crate::model::{db_time, parse_db_time};
use crate::store::StoreError;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// A component glob (`*` any text, `?` one character) as a SQL `LIKE` pattern with `\` as
/// the escape, so `%`, `_` and `\` in a name match only themselves.
pub fn like_pattern(glob: &str) -> String {
    let mut out = String::with_capacity(glob.len());
    for c in glob.chars() {
        match c {
            '*' => out.push('%'),
            '?' => out.push('_'),
            '%' | '_' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            other => out.push(other),
        }
    }
    out
}

fn json_list<T: Serialize>(items: &Option<Vec<T>>) -> Result<Option<String>, StoreError> {
    items
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| StoreError::Invalid(format!("cannot encode a notify filter: {e}")))
}

/// Records the configured targets and their filters; a target the config no longer lists is
/// made inactive (its deliveries are kept; it gets no new ones). A target added, or added back,
/// gets only the events recorded from now on.
pub fn sync_targets(
    conn: &Connection,
    targets: &[NotifyTarget],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let tx = conn.unchecked_transaction()?;
    {
        let mut upsert = tx.prepare_cached(
            "INSERT INTO notify_targets(id, kind, active, added_at, event_types, vendors,
                 component_patterns, min_impact)
             VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(id) DO UPDATE SET kind = excluded.kind,
                 added_at = CASE WHEN active = 0 THEN excluded.added_at ELSE added_at END,
                 active = 1, event_types = excluded.event_types, vendors = excluded.vendors,
                 component_patterns = excluded.component_patterns,
                 min_impact = excluded.min_impact",
        )?;
        for t in targets {
            let types: Option<Vec<&str>> = t
                .filter
                .events
                .as_ref()
                .map(|types| types.iter().map(|e| e.as_str()).collect());
            let patterns: Option<Vec<String>> = t
                .filter
                .components
                .as_ref()
                .map(|c| c.iter().map(|g| like_pattern(g)).collect());
            upsert.execute(params![
                t.id,
                t.kind.as_str(),
                db_time(&now),
                json_list(&types)?,
                json_list(&t.filter.vendors)?,
                json_list(&patterns)?,
                t.filter.min_impact.map(|i| i.as_str()),
            ])?;
        }
        let ids: Vec<&str> = targets.iter().map(|t| t.id.as_str()).collect();
        tx.execute(
            "UPDATE notify_targets SET active = 0
             WHERE active = 1 AND id NOT IN (SELECT value FROM json_each(?1))",
            [json_list(&Some(ids))?],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// A delivery waiting to go out, with what the payloads need of its event's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub event_id: i64,
    pub attempts: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub recorded_at: DateTime<Utc>,
    pub component_id: Option<String>,
}

/// A target's pending deliveries, oldest event first, at most `limit`.
pub fn pending(conn: &Connection, target: &str, limit: usize) -> Result<Vec<Pending>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.event_id, d.attempts, d.next_attempt_at, e.recorded_at, e.component_id
         FROM notify_deliveries d JOIN events e ON e.id = d.event_id
         WHERE d.target_id = ?1 AND d.state = 'pending'
         ORDER BY d.event_id LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![target, limit as i64], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, Option<String>>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (event_id, attempts, next, recorded, component_id) = row?;
        let time = |text: &str| {
            parse_db_time(text).ok_or_else(|| {
                StoreError::Invalid(format!("delivery of event {event_id}: bad time {text:?}"))
            })
        };
        out.push(Pending {
            event_id,
            attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
            next_attempt_at: next.as_deref().map(time).transpose()?,
            recorded_at: time(&recorded)?,
            component_id,
        });
    }
    Ok(out)
}

/// What one try came to, as the outbox records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    Delivered,
    /// Failed for good (a 4xx other than 408 and 429, a redirect, a body that cannot be made).
    Failed,
    /// Failed for now: tried again at this instant.
    Retry(DateTime<Utc>),
    /// Failed for now, and out of tries.
    Dead,
}

impl Recorded {
    fn state(&self) -> &'static str {
        match self {
            Recorded::Delivered => "delivered",
            Recorded::Failed => "failed",
            Recorded::Retry(_) => "pending",
            Recorded::Dead => "dead",
        }
    }
}

/// Records one try of a delivery: its new state, and for a failure the target's count and
/// last error, in one transaction.
pub fn record_try(
    conn: &Connection,
    target: &str,
    event_id: i64,
    at: DateTime<Utc>,
    http_status: Option<u16>,
    outcome: &Recorded,
    error: Option<&str>,
) -> Result<(), StoreError> {
    let tx = conn.unchecked_transaction()?;
    let at_text = db_time(&at);
    let next = match outcome {
        Recorded::Retry(next) => Some(db_time(next)),
        _ => None,
    };
    let delivered_at = (*outcome == Recorded::Delivered).then(|| at_text.clone());
    tx.prepare_cached(
        "UPDATE notify_deliveries SET state = ?3, attempts = attempts + 1,
             next_attempt_at = ?4, last_attempt_at = ?5, last_http_status = ?6,
             last_error = coalesce(?7, last_error), delivered_at = ?8
         WHERE target_id = ?1 AND event_id = ?2",
    )?
    .execute(params![
        target,
        event_id,
        outcome.state(),
        next,
        at_text,
        http_status,
        error,
        delivered_at
    ])?;
    if let Some(error) = error {
        tx.prepare_cached(
            "UPDATE notify_targets SET failed_total = failed_total + 1, last_error = ?2,
                 last_error_at = ?3 WHERE id = ?1",
        )?
        .execute(params![target, error, at_text])?;
    }
    tx.commit()?;
    Ok(())
}

/// Records a problem of the target itself (a secret missing from the environment): no
/// delivery was tried, so none changes.
pub fn record_target_error(
    conn: &Connection,
    target: &str,
    at: DateTime<Utc>,
    error: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE notify_targets SET last_error = ?2, last_error_at = ?3 WHERE id = ?1",
        params![target, error, db_time(&at)],
    )?;
    Ok(())
}

/// A vendor's overall state now, for the Statuspage shape's `page`: the worst of its active
/// incidents' impacts and its components' statuses, or maintenance under way.
pub fn page_status(conn: &Connection, vendor: &str) -> Result<PageStatus, StoreError> {
    let (rank, maintenance): (i64, bool) = conn
        .prepare_cached(
            "SELECT max(
                 coalesce((SELECT max(CASE impact WHEN 'minor' THEN 1 WHEN 'major' THEN 2
                                                  WHEN 'critical' THEN 3 ELSE 0 END)
                           FROM active_incidents WHERE vendor = ?1), 0),
                 coalesce((SELECT max(CASE status WHEN 'degraded_performance' THEN 1
                                                  WHEN 'partial_outage' THEN 2
                                                  WHEN 'major_outage' THEN 3 ELSE 0 END)
                           FROM latest_component_status WHERE vendor = ?1), 0)),
             EXISTS (SELECT 1 FROM latest_component_status
                     WHERE vendor = ?1 AND status = 'under_maintenance')
             OR EXISTS (SELECT 1 FROM incidents WHERE vendor = ?1 AND kind = 'maintenance'
                        AND status IN ('in_progress', 'verifying'))",
        )?
        .query_row([vendor], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(PageStatus::from_rank(rank, maintenance))
}

/// One target's deliveries, for `statusdb notify --status` and the metrics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetStatus {
    pub id: String,
    pub kind: String,
    /// Whether the config lists it.
    pub configured: bool,
    /// When it was added (it receives the events recorded after); null before its first run.
    pub added_at: Option<String>,
    pub pending: i64,
    pub delivered: i64,
    pub failed: i64,
    pub dead_lettered: i64,
    /// Failed tries ever (`statusdb_notify_failed_total`).
    pub failed_tries: i64,
    /// When the oldest pending delivery is tried next (null: at the next run).
    pub next_attempt_at: Option<String>,
    pub last_delivered_at: Option<String>,
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
}

/// Every target the database knows, and the configured ones it does not know yet.
pub fn status(
    conn: Option<&Connection>,
    configured: &[NotifyTarget],
) -> Result<Vec<TargetStatus>, StoreError> {
    let mut out: Vec<TargetStatus> = Vec::new();
    if let Some(conn) = conn {
        let mut stmt = conn.prepare(
            "SELECT t.id, t.kind, t.added_at, t.failed_total, t.last_error, t.last_error_at,
                    count(d.event_id) FILTER (WHERE d.state = 'pending'),
                    count(d.event_id) FILTER (WHERE d.state = 'delivered'),
                    count(d.event_id) FILTER (WHERE d.state = 'failed'),
                    count(d.event_id) FILTER (WHERE d.state = 'dead'),
                    (SELECT p.next_attempt_at FROM notify_deliveries p
                     WHERE p.target_id = t.id AND p.state = 'pending'
                     ORDER BY p.event_id LIMIT 1),
                    max(d.delivered_at)
             FROM notify_targets t LEFT JOIN notify_deliveries d ON d.target_id = t.id
             GROUP BY t.id ORDER BY t.id",
        )?;
        let time = |text: Option<String>| {
            text.map(|t| {
                parse_db_time(&t)
                    .map(|t| crate::model::format_utc(&t))
                    .unwrap_or(t)
            })
        };
        let rows = stmt.query_map([], |r| {
            Ok(TargetStatus {
                id: r.get(0)?,
                kind: r.get(1)?,
                configured: false,
                added_at: time(r.get(2)?),
                failed_tries: r.get(3)?,
                last_error: r.get(4)?,
                last_error_at: time(r.get(5)?),
                pending: r.get(6)?,
                delivered: r.get(7)?,
                failed: r.get(8)?,
                dead_lettered: r.get(9)?,
                next_attempt_at: time(r.get(10)?),
                last_delivered_at: time(r.get(11)?),
            })
        })?;
        for row in rows {
            out.push(row?);
        }
    }
    for target in configured {
        match out.iter_mut().find(|s| s.id == target.id) {
            Some(known) => {
                known.configured = true;
                known.kind = target.kind.as_str().to_string();
            }
            None => out.push(TargetStatus {
                id: target.id.clone(),
                kind: target.kind.as_str().to_string(),
                configured: true,
                added_at: None,
                pending: 0,
                delivered: 0,
                failed: 0,
                dead_lettered: 0,
                failed_tries: 0,
                next_attempt_at: None,
                last_delivered_at: None,
                last_error: None,
                last_error_at: None,
            }),
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// Whether the database has the outbox's tables (a database a newer statusdb did not write
/// may predate them when opened read-only).
pub fn has_outbox(conn: &Connection) -> Result<bool, StoreError> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'notify_targets'",
            [],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}
