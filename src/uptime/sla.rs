//! `statusdb report sla`: each `[[sla]]` target over one month, with the measured uptime of
//! its components together (down when any of them is), whether it was breached, the credit
//! tier reached, the last day to claim it, and the evidence a claim can cite: the incidents
//! behind the downtime with their stated times and anomalies.

use super::document::{CoverageSummary, RowCoverage, RuleDoc, WindowDoc};
use super::rule::{Minutes, Rule};
use super::timeline::minute_of;
use super::{Scope, UptimeError, Window, group_of, minute_time, subjects};
use crate::model::format_utc;
use crate::store::{Store, StoreError};
use chrono::{DateTime, Duration, Utc};
use rusqlite::OptionalExtension;
use serde::Serialize;

/// The document `report sla --format json` prints (`schema/uptime-v1.schema.json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlaDocument {
    /// The schema's version (1).
    pub schema_version: u32,
    /// `sla`.
    pub report: &'static str,
    /// When it was made.
    pub generated_at: String,
    /// `YYYY-MM`.
    pub month: String,
    /// The month's window.
    pub window: WindowDoc,
    /// The downtime rule applied.
    pub rule: RuleDoc,
    /// How much of it statusdb knows.
    pub coverage: CoverageSummary,
    /// How many targets were breached.
    pub breached: usize,
    /// Every target, as the config lists them.
    pub targets: Vec<TargetDoc>,
}

/// One `[[sla]]` target over the month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetDoc {
    /// Its name.
    pub name: String,
    /// Its vendor.
    pub vendor: String,
    /// The names and globs the config gives.
    pub components: Vec<String>,
    /// The components they matched.
    pub matched: Vec<Matched>,
    /// The monthly uptime percent promised.
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
    /// Minutes in each status (down when any matched component is).
    pub minutes: Minutes,
    /// Downtime, in minutes, by the rule's weights.
    pub downtime_minutes: f64,
    /// The longest stretch of downtime, in minutes.
    pub longest_outage_minutes: u64,
    /// Null when nothing matched.
    pub coverage: Option<RowCoverage>,
    /// The incidents behind the downtime, oldest first.
    pub incidents: Vec<Evidence>,
}

/// A component a target's names matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Matched {
    /// Its id.
    pub component_id: String,
    /// Its name.
    pub name: String,
}

/// An incident as a claim cites it: its times as stated, with where each came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// The incident's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its page at the vendor.
    pub url: Option<String>,
    /// Its impact.
    pub impact: Option<String>,
    /// Its start.
    pub started_at: Option<String>,
    /// Where the start came from.
    pub started_at_source: Option<String>,
    /// The text the start was read from.
    pub started_at_raw: Option<String>,
    /// Its resolution.
    pub resolved_at: Option<String>,
    /// Where the resolution came from.
    pub resolved_at_source: Option<String>,
    /// The text the resolution was read from.
    pub resolved_at_raw: Option<String>,
    /// From start to resolution.
    pub duration_seconds: Option<i64>,
    /// What statusdb flagged about it.
    pub anomalies: Vec<Anomaly>,
}

/// An anomaly of a cited incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Anomaly {
    /// Its code.
    pub code: String,
    /// What it says.
    pub detail: String,
}

/// One `[[sla]]` entry: what a vendor's contract promises for some of its components.
#[derive(Debug, Clone, PartialEq)]
pub struct SlaTarget {
    /// Names the target in reports (default: its vendor).
    pub name: String,
    /// The vendor whose components it covers.
    pub vendor: String,
    /// Component names or globs (`*`, `?`; letters compare without case); a group's name
    /// stands for its components. Down when any of them is.
    pub components: Vec<String>,
    /// Monthly uptime percent promised.
    pub target: f64,
    /// Service credits, the strictest first: below `below` percent, `credit` percent back.
    pub credits: Vec<CreditTier>,
    /// Days after the month's last day within which a credit must be claimed.
    pub claim_window_days: Option<u32>,
}

/// One tier of service credits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CreditTier {
    /// Below this uptime percent...
    pub below: f64,
    /// ...this percent of the month's fee back.
    pub credit: f64,
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
