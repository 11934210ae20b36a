//! The JSON documents `report uptime --format json` and `report sla --format json` print:
//! documented and versioned (`schema/uptime-v1.schema.json`, docs/REPORTS.md). Fields may be
//! added within a version; none is renamed or removed.

use super::LOW_COVERAGE_PERCENT;
use super::rule::{Maintenance, Minutes, Rule, Weights};
use serde::Serialize;

pub(crate) const SCHEMA_VERSION: u32 = 1;

/// The document `report uptime --format json` prints (`schema/uptime-v1.schema.json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UptimeDocument {
    /// The schema's version (1).
    pub schema_version: u32,
    /// `uptime`.
    pub report: &'static str,
    /// When it was made.
    pub generated_at: String,
    /// The window it covers.
    pub window: WindowDoc,
    /// `day` or `month` when rows are cut so; null for one row per component.
    pub by: Option<&'static str>,
    /// The downtime rule applied.
    pub rule: RuleDoc,
    /// How much of it statusdb knows.
    pub coverage: CoverageSummary,
    /// Groups (each before its members) and components, by vendor.
    pub components: Vec<Row>,
}

/// `[from, to)`, UTC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WindowDoc {
    /// The first instant.
    pub from: String,
    /// The instant after the last.
    pub to: String,
}

/// The downtime rule, as a report states it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleDoc {
    /// `instatus` or `incidentio`; null for free weights.
    pub preset: Option<&'static str>,
    /// Minutes of downtime per minute of each status.
    pub weights: Weights,
    /// What maintenance windows count as.
    pub maintenance: Maintenance,
    /// The rule in words, as the table's header line gives it.
    pub text: String,
}

impl RuleDoc {
    pub(crate) fn of(rule: &Rule) -> RuleDoc {
        RuleDoc {
            preset: rule.preset.map(|p| p.as_str()),
            weights: rule.weights,
            maintenance: rule.maintenance,
            text: rule.to_string(),
        }
    }
}

/// The share of all component minutes of the report that are known.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverageSummary {
    /// The percent of minutes known; null when there are none.
    pub known_percent: Option<f64>,
    /// True below `LOW_COVERAGE_PERCENT`: the header line says so.
    pub low: bool,
}

impl CoverageSummary {
    pub(crate) fn of(total: &Minutes) -> CoverageSummary {
        let known_percent = total.known_percent();
        CoverageSummary {
            known_percent,
            low: known_percent.is_none_or(|k| k < LOW_COVERAGE_PERCENT),
        }
    }
}

/// One component (or group) over one window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// `component` or `group`.
    pub row: &'static str,
    /// The vendor.
    pub vendor: String,
    /// Null for a group.
    pub component_id: Option<String>,
    /// The component's (or group's) name.
    pub name: String,
    /// The group it belongs to, if any.
    pub group: Option<String>,
    /// A group's component ids; absent for a component.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<String>>,
    /// The window of this row.
    pub window: WindowDoc,
    /// Minutes in each status.
    pub minutes: Minutes,
    /// Downtime, in minutes, by the rule's weights.
    pub downtime_minutes: f64,
    /// Null when no minute counts (none known, or all maintenance taken out).
    pub uptime_percent: Option<f64>,
    /// Incidents whose words about it hold at some time of the window.
    pub incidents: usize,
    /// Maintenances the same way.
    pub maintenances: usize,
    /// The incidents behind the downtime: their words of a status the rule counts hold at a
    /// known minute of the window.
    pub downtime_incidents: Vec<String>,
    /// The longest stretch of downtime, in minutes.
    pub longest_outage_minutes: u64,
    /// What is known of it.
    pub coverage: RowCoverage,
}

/// What statusdb knows of one component, and from when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowCoverage {
    /// The first word about it: nothing before is known.
    pub first_word_at: String,
    /// The vendor's first successful fetch.
    pub watched_from: Option<String>,
    /// How far back the vendor's pages state history (the oldest incident of a source that
    /// lists resolved ones); null when none does.
    pub history_from: Option<String>,
    /// The minutes of the window known.
    pub known_minutes: u64,
    /// Their percent of the window; null for an empty window.
    pub known_percent: Option<f64>,
}
