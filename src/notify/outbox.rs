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
pub(crate) fn like_pattern(glob: &str) -> String {
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
pub(crate) struct Pending {
    pub event_id: i64,
    pub attempts: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub recorded_at: DateTime<Utc>,
    pub component_id: Option<String>,
}

/// A target's pending deliveries, oldest event first, at most `limit`.
pub(crate) fn pending(
    conn: &Connection,
    target: &str,
    limit: usize,
) -> Result<Vec<Pending>, StoreError> {
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
pub(crate) enum Recorded {
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
pub(crate) fn record_try(
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
pub(crate) fn record_target_error(
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
pub(crate) fn page_status(conn: &Connection, vendor: &str) -> Result<PageStatus, StoreError> {
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
    /// The target's id.
    pub id: String,
    /// Its kind (`webhook`, `slack`, `teams`, `pagerduty`).
    pub kind: String,
    /// Whether the config lists it.
    pub configured: bool,
    /// When it was added (it receives the events recorded after); null before its first run.
    pub added_at: Option<String>,
    /// Deliveries waiting to go out.
    pub pending: i64,
    /// Deliveries made.
    pub delivered: i64,
    /// Deliveries that failed for good.
    pub failed: i64,
    /// Deliveries out of tries.
    pub dead_lettered: i64,
    /// Failed tries ever (`statusdb_notify_failed_total`).
    pub failed_tries: i64,
    /// When the oldest pending delivery is tried next (null: at the next run).
    pub next_attempt_at: Option<String>,
    /// When the last delivery was made.
    pub last_delivered_at: Option<String>,
    /// The last problem.
    pub last_error: Option<String>,
    /// When it happened.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Endpoint, NotifyFilter, NotifyKind, WebhookFormat};
    use crate::events::EventType;
    use crate::model::Impact;
    use crate::store::Store;

    fn target(id: &str, filter: NotifyFilter) -> NotifyTarget {
        NotifyTarget {
            id: id.into(),
            kind: NotifyKind::Webhook,
            endpoint: Endpoint::Url(url::Url::parse("https://hooks.example.com/").unwrap()),
            routing_key_env: None,
            secret_env: None,
            format: WebhookFormat::Event,
            filter,
        }
    }

    /// A database with a vendor, a source and the incidents and components events name.
    fn store(dir: &tempfile::TempDir) -> Store {
        let store = Store::open(&dir.path().join("t.sqlite")).unwrap();
        store
            .connection()
            .execute_batch(
                "INSERT INTO vendors(id) VALUES ('v');
                 INSERT INTO sources(id, vendor, name, kind, url, interval_seconds)
                   VALUES ('s', 'v', 'V', 'statuspage', 'https://x/', 60);
                 INSERT INTO incidents(id, vendor, kind, title, first_seen_at, last_seen_at)
                   VALUES ('v/1', 'v', 'incident', 'One', 't', 't'),
                          ('v/2', 'v', 'incident', 'Two', 't', 't');
                 INSERT INTO components(id, vendor, name, status, status_raw, source_id,
                   first_seen_at, last_seen_at)
                   VALUES ('v/c', 'v', 'API [beta] v2', 'operational', 'operational', 's',
                           't', 't');",
            )
            .unwrap();
        store
    }

    /// Inserts an event as the store writes it; returns its id.
    fn event(
        store: &Store,
        kind: &str,
        subject: &str,
        record: Value,
        before: &str,
        after: &str,
    ) -> i64 {
        let (incident, component) = if kind == "component_status_changed" {
            (None, Some(subject))
        } else {
            (Some(subject), None)
        };
        store
            .connection()
            .execute(
                "INSERT INTO events(run_id, source_id, type, recorded_at, vendor, incident_id,
                   component_id, status, previous_status, record)
                 VALUES (NULL, 's', ?1, '2026-11-28T00:00:00.000Z', 'v', ?2, ?3, ?4, ?5, ?6)",
                params![kind, incident, component, after, before, record.to_string()],
            )
            .unwrap();
        store.connection().last_insert_rowid()
    }

    use serde_json::{Value, json};

    fn enqueued(store: &Store) -> Vec<String> {
        let mut stmt = store
            .connection()
            .prepare("SELECT target_id || ' ' || event_id FROM notify_deliveries ORDER BY 1")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn the_trigger_enqueues_what_each_filter_lets_through() {
        let dir = tempfile::TempDir::new().unwrap();
        let store = store(&dir);
        let targets = [
            target("all", NotifyFilter::default()),
            target(
                "globs",
                NotifyFilter {
                    components: Some(vec!["api [BETA]*".into(), "100%_ok".into()]),
                    ..NotifyFilter::default()
                },
            ),
            target(
                "major",
                NotifyFilter {
                    min_impact: Some(Impact::Major),
                    ..NotifyFilter::default()
                },
            ),
            target(
                "opened",
                NotifyFilter {
                    events: Some(vec![EventType::IncidentOpened]),
                    vendors: Some(vec!["v".into()]),
                    ..NotifyFilter::default()
                },
            ),
            target("gone", NotifyFilter::default()),
        ];
        sync_targets(store.connection(), &targets, Utc::now()).unwrap();
        // Left out of the config: no new deliveries.
        sync_targets(store.connection(), &targets[..4], Utc::now()).unwrap();
        let incident = |impact: Value, components: Value| json!({"id": "v/1", "impact": impact, "components": components});

        // Minor, on a component no glob matches ("100%_ok" is literal: not "100x_ok").
        let e1 = event(
            &store,
            "incident_opened",
            "v/1",
            incident(json!("minor"), json!(["100x_ok"])),
            "",
            "investigating",
        );
        assert_eq!(
            enqueued(&store),
            [format!("all {e1}"), format!("opened {e1}")]
        );
        // Now critical: the impact threshold lets it through.
        let e2 = event(
            &store,
            "incident_updated",
            "v/1",
            incident(json!("critical"), json!(["100x_ok"])),
            "investigating",
            "identified",
        );
        // Downgraded to minor and resolved: "major" was told of it, so it hears the end.
        let e3 = event(
            &store,
            "incident_resolved",
            "v/1",
            incident(json!("minor"), json!(["100%_ok"])),
            "identified",
            "resolved",
        );
        // An impact the vendor does not state passes any threshold; the glob matches the
        // name with its brackets, whatever the case.
        let e4 = event(
            &store,
            "incident_opened",
            "v/2",
            incident(json!(null), json!(["Db", "API [beta] v2"])),
            "",
            "investigating",
        );
        // A component recovering from degraded performance (minor) is not major; from a
        // partial outage it is.
        let record = json!({"vendor": "v", "name": "API [beta] v2", "status": "operational"});
        let e5 = event(
            &store,
            "component_status_changed",
            "v/c",
            record.clone(),
            "degraded_performance",
            "operational",
        );
        let e6 = event(
            &store,
            "component_status_changed",
            "v/c",
            record,
            "partial_outage",
            "operational",
        );
        let mut expected = vec![
            format!("all {e1}"),
            format!("all {e2}"),
            format!("all {e3}"),
            format!("all {e4}"),
            format!("all {e5}"),
            format!("all {e6}"),
            format!("globs {e3}"),
            format!("globs {e4}"),
            format!("globs {e5}"),
            format!("globs {e6}"),
            format!("major {e2}"),
            format!("major {e3}"),
            format!("major {e4}"),
            format!("major {e6}"),
            format!("opened {e1}"),
            format!("opened {e4}"),
        ];
        expected.sort();
        assert_eq!(enqueued(&store), expected);
    }

    #[test]
    fn globs_become_like_patterns_that_match_only_themselves_elsewhere() {
        assert_eq!(like_pattern("okta.com cell *"), "okta.com cell %");
        assert_eq!(like_pattern("a?c"), "a_c");
        assert_eq!(like_pattern("100%_ok\\"), "100\\%\\_ok\\\\");
    }
}
