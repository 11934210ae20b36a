//! `statusdb report sla`: each `[[sla]]` target over one month, with the measured uptime of
//! its components together (down when any of them is), whether it was breached, the credit
//! tier reached, the last day to claim it, and the evidence a claim can cite: the incidents
//! behind the downtime with their stated times and anomalies.

use super::document::{CoverageSummary, RowCoverage, RuleDoc, WindowDoc};
use super::rule::{Minutes, Rule};
use super::timeline::minute_of;
use super::{Scope, UptimeError, Window, group_of, minute_time, subjects};
use crate::config::SlaTarget;
use crate::model::format_utc;
use crate::store::{Store, StoreError};
use chrono::{DateTime, Duration, Utc};
use rusqlite::OptionalExtension;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlaDocument {
    pub schema_version: u32,
    /// `sla`.
    pub report: &'static str,
    pub generated_at: String,
    /// `YYYY-MM`.
    pub month: String,
    pub window: WindowDoc,
    pub rule: RuleDoc,
    pub coverage: CoverageSummary,
    /// How many targets were breached.
    pub breached: usize,
    pub targets: Vec<TargetDoc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetDoc {
    pub name: String,
    pub vendor: String,
    /// The names and globs the config gives.
    pub components: Vec<String>,
    /// The components they matched.
    pub matched: Vec<Matched>,
    pub target_percent: f64,
    /// Null when no minute of the month is known.
    pub uptime_percent: Option<f64>,
    /// Null when the uptime is unknown.
    pub breached: Option<bool>,
    /// The credit of the strictest tier the uptime is below (0 when breached above every
    /// tier); null when not breached.
    pub credit_percent: Option<f64>,
    /// The last day to claim the credit: the month's last day plus the claim window; null
    /// when not breached or no claim window is configured.
    pub claim_by: Option<String>,
    pub minutes: Minutes,
    pub downtime_minutes: f64,
    pub longest_outage_minutes: u64,
    /// Null when nothing matched.
    pub coverage: Option<RowCoverage>,
    /// The incidents behind the downtime, oldest first.
    pub incidents: Vec<Evidence>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Matched {
    pub component_id: String,
    pub name: String,
}

/// An incident as a claim cites it: its times as stated, with where each came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    pub id: String,
    pub title: String,
    pub url: Option<String>,
    pub impact: Option<String>,
    pub started_at: Option<String>,
    pub started_at_source: Option<String>,
    pub started_at_raw: Option<String>,
    pub resolved_at: Option<String>,
    pub resolved_at_source: Option<String>,
    pub resolved_at_raw: Option<String>,
    pub duration_seconds: Option<i64>,
    pub anomalies: Vec<Anomaly>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Anomaly {
    pub code: String,
    pub detail: String,
}

/// Checks every target over `month`.
pub fn evaluate(
    store: &Store,
    targets: &[SlaTarget],
    month: &str,
    rule: &Rule,
    now: DateTime<Utc>,
) -> Result<SlaDocument, UptimeError> {
    let window = Window::parse_month(month)
        .ok_or_else(|| UptimeError::Window(format!("{month:?} is not a month (YYYY-MM)")))?;
    let now_minute = minute_of(now.timestamp_millis());
    let (from, to) = window.minutes(now_minute);
    if to <= from {
        return Err(UptimeError::Window(format!(
            "{month} has not begun (now is {})",
            format_utc(&now)
        )));
    }
    let mut docs = Vec::with_capacity(targets.len());
    let mut total = Minutes::default();
    for target in targets {
        let scope = Scope {
            vendors: vec![target.vendor.clone()],
            components: target.components.clone(),
        };
        let (subjects, incidents) = subjects(store, &scope, now)?;
        let members: Vec<_> = subjects
            .into_iter()
            .filter(|s| s.component_id.is_some())
            .collect();
        let matched: Vec<Matched> = members
            .iter()
            .filter_map(|m| {
                Some(Matched {
                    component_id: m.component_id.clone()?,
                    name: m.name.clone(),
                })
            })
            .collect();
        // What a target without a matching component says: nothing is known.
        let mut doc = TargetDoc {
            name: target.name.clone(),
            vendor: target.vendor.clone(),
            components: target.components.clone(),
            matched,
            target_percent: target.target,
            uptime_percent: None,
            breached: None,
            credit_percent: None,
            claim_by: None,
            minutes: Minutes {
                unknown: (to - from) as u64,
                ..Minutes::default()
            },
            downtime_minutes: 0.0,
            longest_outage_minutes: 0,
            coverage: None,
            incidents: Vec::new(),
        };
        if let Some(group) = group_of(&members, &target.name) {
            let tally = group.tally(from, to, rule, &incidents);
            super::add_minutes(&mut total, &tally.minutes);
            let breached = tally.uptime_percent.map(|u| u < target.target);
            if let (Some(true), Some(uptime)) = (breached, tally.uptime_percent) {
                doc.credit_percent = Some(
                    target
                        .credits
                        .iter()
                        .filter(|tier| uptime < tier.below)
                        .map(|tier| tier.credit)
                        .fold(0.0, f64::max),
                );
                doc.claim_by = target.claim_window_days.map(|days| {
                    (window.to - Duration::days(1) + Duration::days(i64::from(days)))
                        .format("%Y-%m-%d")
                        .to_string()
                });
            }
            for i in &tally.downtime_incidents {
                doc.incidents
                    .push(incident_evidence(store, &incidents[*i as usize].id)?);
            }
            doc.incidents
                .sort_by(|a, b| (&a.started_at, &a.id).cmp(&(&b.started_at, &b.id)));
            doc.uptime_percent = tally.uptime_percent;
            doc.breached = breached;
            doc.minutes = tally.minutes;
            doc.downtime_minutes = tally.downtime;
            doc.longest_outage_minutes = tally.longest_outage;
            doc.coverage = Some(group.row_coverage(&tally.minutes));
        }
        docs.push(doc);
    }
    Ok(SlaDocument {
        schema_version: super::document::SCHEMA_VERSION,
        report: "sla",
        generated_at: format_utc(&crate::model::to_millis(now)),
        month: month.to_string(),
        window: WindowDoc {
            from: minute_time(from),
            to: minute_time(to),
        },
        rule: RuleDoc::of(rule),
        coverage: CoverageSummary::of(&total),
        breached: docs.iter().filter(|t| t.breached == Some(true)).count(),
        targets: docs,
    })
}

fn incident_evidence(store: &Store, id: &str) -> Result<Evidence, StoreError> {
    let conn = store.connection();
    let evidence = conn
        .query_row(
            "SELECT id, title, url, impact, started_at, started_at_source, started_at_raw,
                    resolved_at, resolved_at_source, resolved_at_raw, duration_seconds
             FROM incidents WHERE id = ?1",
            [id],
            |r| {
                let time = |i: usize| -> rusqlite::Result<Option<String>> {
                    Ok(r.get::<_, Option<String>>(i)?
                        .as_deref()
                        .map(super::export_time))
                };
                Ok(Evidence {
                    id: r.get(0)?,
                    title: r.get(1)?,
                    url: r.get(2)?,
                    impact: r.get(3)?,
                    started_at: time(4)?,
                    started_at_source: r.get(5)?,
                    started_at_raw: r.get(6)?,
                    resolved_at: time(7)?,
                    resolved_at_source: r.get(8)?,
                    resolved_at_raw: r.get(9)?,
                    duration_seconds: r.get(10)?,
                    anomalies: Vec::new(),
                })
            },
        )
        .optional()?;
    let mut evidence = evidence
        .ok_or_else(|| StoreError::Invalid(format!("incident {id} named by a word is missing")))?;
    let mut stmt = conn.prepare(
        "SELECT code, detail FROM anomalies WHERE incident_id = ?1 ORDER BY code, detail",
    )?;
    evidence.anomalies = stmt
        .query_map([id], |r| {
            Ok(Anomaly {
                code: r.get(0)?,
                detail: r.get(1)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(evidence)
}
