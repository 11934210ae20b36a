//! The JSON documents `report uptime --format json` and `report sla --format json` print:
//! documented and versioned (`schema/uptime-v1.schema.json`, docs/REPORTS.md). Fields may be
//! added within a version; none is renamed or removed.

use super::LOW_COVERAGE_PERCENT;
use super::rule::{Maintenance, Minutes, Rule, Weights};
use serde::Serialize;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UptimeDocument {
    pub schema_version: u32,
    /// `uptime`.
    pub report: &'static str,
    pub generated_at: String,
    pub window: WindowDoc,
    /// `day` or `month` when rows are cut so; null for one row per component.
    pub by: Option<&'static str>,
    pub rule: RuleDoc,
    pub coverage: CoverageSummary,
    /// Groups (each before its members) and components, by vendor.
    pub components: Vec<Row>,
}

/// `[from, to)`, UTC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WindowDoc {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleDoc {
    /// `instatus` or `incidentio`; null for free weights.
    pub preset: Option<&'static str>,
    pub weights: Weights,
    pub maintenance: Maintenance,
    /// The rule in words, as the table's header line gives it.
    pub text: String,
}

impl RuleDoc {
    pub fn of(rule: &Rule) -> RuleDoc {
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
    pub known_percent: Option<f64>,
    /// True below `LOW_COVERAGE_PERCENT`: the header line says so.
    pub low: bool,
}

impl CoverageSummary {
    pub fn of(total: &Minutes) -> CoverageSummary {
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
    pub vendor: String,
    /// Null for a group.
    pub component_id: Option<String>,
    pub name: String,
    pub group: Option<String>,
    /// A group's component ids; absent for a component.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<String>>,
    pub window: WindowDoc,
    pub minutes: Minutes,
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
    pub longest_outage_minutes: u64,
    pub coverage: RowCoverage,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowCoverage {
    /// The first word about it: nothing before is known.
    pub first_word_at: String,
    /// The vendor's first successful fetch.
    pub watched_from: Option<String>,
    /// How far back the vendor's pages state history (the oldest incident of a source that
    /// lists resolved ones); null when none does.
    pub history_from: Option<String>,
    pub known_minutes: u64,
    pub known_percent: Option<f64>,
}
