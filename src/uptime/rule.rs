//! The downtime rule (docs/REPORTS.md): how many minutes of downtime each status's minutes are
//! worth, and what maintenance windows do to the window. Pure arithmetic over minutes.

use crate::model::ComponentStatus;
use serde::Serialize;
use std::fmt;

/// How bad a status is, where the words of several incidents overlap: the worst counts.
/// `component_status_periods` orders statuses the same way (migration 8).
pub(crate) fn severity(status: ComponentStatus) -> u8 {
    match status {
        ComponentStatus::MajorOutage => 5,
        ComponentStatus::PartialOutage => 4,
        ComponentStatus::UnderMaintenance => 3,
        ComponentStatus::DegradedPerformance => 2,
        ComponentStatus::Unknown => 1,
        ComponentStatus::Operational => 0,
    }
}

/// The named weightings: Instatus documents partial outages as 30% downtime; incident.io
/// counts them fully. Degraded performance is no downtime in either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// Instatus' weights: a partial outage is 30% down.
    Instatus,
    /// incident.io's: a partial outage is fully down.
    Incidentio,
}

impl Preset {
    pub(crate) const ALL: &'static [Preset] = &[Preset::Instatus, Preset::Incidentio];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Preset::Instatus => "instatus",
            Preset::Incidentio => "incidentio",
        }
    }

    /// The preset of this name.
    pub fn from_name(name: &str) -> Option<Preset> {
        Preset::ALL.iter().copied().find(|p| p.as_str() == name)
    }

    pub(crate) fn weights(self) -> Weights {
        match self {
            Preset::Instatus => Weights {
                major_outage: 1.0,
                partial_outage: 0.3,
                degraded_performance: 0.0,
            },
            Preset::Incidentio => Weights {
                major_outage: 1.0,
                partial_outage: 1.0,
                degraded_performance: 0.0,
            },
        }
    }

    /// Every preset's name, for a message.
    pub fn names() -> String {
        let names: Vec<&str> = Preset::ALL.iter().map(|p| p.as_str()).collect();
        names.join(", ")
    }
}

/// Minutes of downtime per minute of each status (0 to 1).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Weights {
    /// Per minute of major outage.
    pub major_outage: f64,
    /// Per minute of partial outage.
    pub partial_outage: f64,
    /// Per minute of degraded performance.
    pub degraded_performance: f64,
}

/// What maintenance windows do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Maintenance {
    /// Taken out of the window: neither up nor down.
    #[default]
    Exclude,
    /// Counted as up.
    Include,
    /// Counted as downtime, minute for minute.
    Down,
}

impl Maintenance {
    pub(crate) const ALL: &'static [Maintenance] = &[
        Maintenance::Exclude,
        Maintenance::Include,
        Maintenance::Down,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Maintenance::Exclude => "exclude",
            Maintenance::Include => "include",
            Maintenance::Down => "down",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Maintenance> {
        Maintenance::ALL
            .iter()
            .copied()
            .find(|m| m.as_str() == name)
    }
}

/// The rule a report applies: weights (a preset's, or free ones) and the maintenance mode.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    /// The preset the weights are, or `None` when some weight was set freely.
    pub preset: Option<Preset>,
    /// Minutes of downtime per minute of each status.
    pub weights: Weights,
    /// What maintenance windows count as.
    pub maintenance: Maintenance,
}

impl Default for Rule {
    fn default() -> Self {
        Rule::preset(Preset::Instatus)
    }
}

impl Rule {
    /// A preset's weights, maintenance left out.
    pub fn preset(preset: Preset) -> Rule {
        Rule {
            preset: Some(preset),
            weights: preset.weights(),
            maintenance: Maintenance::Exclude,
        }
    }

    /// The same rule with one status's weight set freely.
    pub fn with_weight(mut self, status: ComponentStatus, weight: f64) -> Rule {
        match status {
            ComponentStatus::MajorOutage => self.weights.major_outage = weight,
            ComponentStatus::PartialOutage => self.weights.partial_outage = weight,
            ComponentStatus::DegradedPerformance => self.weights.degraded_performance = weight,
            _ => return self,
        }
        self.preset = Preset::ALL
            .iter()
            .copied()
            .find(|p| p.weights() == self.weights);
        self
    }

    /// Minutes of downtime one minute of `status` is worth.
    pub(crate) fn weight(&self, status: ComponentStatus) -> f64 {
        match status {
            ComponentStatus::MajorOutage => self.weights.major_outage,
            ComponentStatus::PartialOutage => self.weights.partial_outage,
            ComponentStatus::DegradedPerformance => self.weights.degraded_performance,
            ComponentStatus::UnderMaintenance if self.maintenance == Maintenance::Down => 1.0,
            _ => 0.0,
        }
    }

    /// Downtime minutes of a count of minutes, to three decimals.
    pub(crate) fn downtime(&self, minutes: &Minutes) -> f64 {
        round_to(self.exact_downtime(minutes), 3)
    }

    /// Summed in the order the views sum them, so that the two round alike.
    fn exact_downtime(&self, minutes: &Minutes) -> f64 {
        minutes.major_outage as f64 * self.weights.major_outage
            + minutes.partial_outage as f64 * self.weights.partial_outage
            + minutes.degraded_performance as f64 * self.weights.degraded_performance
            + match self.maintenance {
                Maintenance::Down => minutes.under_maintenance as f64,
                _ => 0.0,
            }
    }

    /// The minutes uptime is a share of: the known ones, less maintenance when excluded.
    pub(crate) fn counted(&self, minutes: &Minutes) -> u64 {
        let known = minutes.known();
        match self.maintenance {
            Maintenance::Exclude => known - minutes.under_maintenance,
            Maintenance::Include | Maintenance::Down => known,
        }
    }

    /// Uptime percent with three decimals; `None` when no minute counts.
    pub(crate) fn uptime_percent(&self, minutes: &Minutes) -> Option<f64> {
        let counted = self.counted(minutes);
        (counted > 0).then(|| round_to(100.0 * (1.0 - self.downtime(minutes) / counted as f64), 3))
    }
}

impl fmt::Display for Rule {
    /// `downtime = major_outage x 1 + partial_outage x 0.3 (instatus); maintenance taken out`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let w = &self.weights;
        write!(f, "downtime = major_outage x {}", w.major_outage)?;
        if w.partial_outage > 0.0 {
            write!(f, " + partial_outage x {}", w.partial_outage)?;
        }
        if w.degraded_performance > 0.0 {
            write!(f, " + degraded_performance x {}", w.degraded_performance)?;
        }
        if self.maintenance == Maintenance::Down {
            write!(f, " + under_maintenance x 1")?;
        }
        match self.preset {
            Some(p) => write!(f, " ({})", p.as_str())?,
            None => write!(f, " (custom weights)")?,
        }
        f.write_str(match self.maintenance {
            Maintenance::Exclude => "; maintenance taken out of the window",
            Maintenance::Include => "; maintenance counted as up",
            Maintenance::Down => "; maintenance counted as down",
        })
    }
}

/// Minutes in each status over some stretch of time. `unknown` holds the minutes statusdb has
/// no evidence for, and those a vendor said were unknown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Minutes {
    /// Operational.
    pub operational: u64,
    /// Degraded performance.
    pub degraded_performance: u64,
    /// Partial outage.
    pub partial_outage: u64,
    /// Major outage.
    pub major_outage: u64,
    /// Under maintenance.
    pub under_maintenance: u64,
    /// Unknown.
    pub unknown: u64,
}

impl Minutes {
    /// All minutes of the stretch.
    pub(crate) fn total(&self) -> u64 {
        self.known() + self.unknown
    }

    /// Minutes with evidence of a status.
    pub(crate) fn known(&self) -> u64 {
        self.operational
            + self.degraded_performance
            + self.partial_outage
            + self.major_outage
            + self.under_maintenance
    }

    pub(crate) fn add(&mut self, status: Option<ComponentStatus>, minutes: u64) {
        match status {
            Some(ComponentStatus::Operational) => self.operational += minutes,
            Some(ComponentStatus::DegradedPerformance) => self.degraded_performance += minutes,
            Some(ComponentStatus::PartialOutage) => self.partial_outage += minutes,
            Some(ComponentStatus::MajorOutage) => self.major_outage += minutes,
            Some(ComponentStatus::UnderMaintenance) => self.under_maintenance += minutes,
            Some(ComponentStatus::Unknown) | None => self.unknown += minutes,
        }
    }

    pub(crate) fn get(&self, status: ComponentStatus) -> u64 {
        match status {
            ComponentStatus::Operational => self.operational,
            ComponentStatus::DegradedPerformance => self.degraded_performance,
            ComponentStatus::PartialOutage => self.partial_outage,
            ComponentStatus::MajorOutage => self.major_outage,
            ComponentStatus::UnderMaintenance => self.under_maintenance,
            ComponentStatus::Unknown => self.unknown,
        }
    }

    /// Share of the minutes that are known, in percent with three decimals.
    pub(crate) fn known_percent(&self) -> Option<f64> {
        let total = self.total();
        (total > 0).then(|| round_to(100.0 * self.known() as f64 / total as f64, 3))
    }
}

/// Rounded to `decimals` as SQLite's `round()` rounds: half away from zero, on the exact
/// decimal expansion of the value (99.4875 held as 99.48749999... rounds down, 95.3125 held
/// exactly rounds up), so that a report and the views give the same digits.
pub(crate) fn round_to(value: f64, decimals: usize) -> f64 {
    let scale = 10f64.powi(decimals as i32);
    let scaled = value.abs() * scale;
    // Far from a tie, plain rounding gives the same digits; near one, the exact expansion
    // decides.
    if (scaled.fract() - 0.5).abs() > 1e-6 && scaled < 1e12 {
        return (scaled.round() / scale).copysign(value);
    }
    // Wide enough for the exact expansion of any value a report rounds.
    let exact = format!("{:.80}", value.abs());
    let Some((whole, fraction)) = exact.split_once('.') else {
        return value;
    };
    let Ok(mut scaled) = format!("{whole}{}", &fraction[..decimals]).parse::<u128>() else {
        return value;
    };
    if fraction.as_bytes()[decimals] >= b'5' {
        scaled += 1;
    }
    let digits = format!("{scaled:0>width$}", width = decimals + 1);
    let (int, frac) = digits.split_at(digits.len() - decimals);
    format!("{int}.{frac}")
        .parse::<f64>()
        .map_or(value, |r| r.copysign(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minutes(major: u64, partial: u64, degraded: u64, maintenance: u64, up: u64) -> Minutes {
        Minutes {
            operational: up,
            degraded_performance: degraded,
            partial_outage: partial,
            major_outage: major,
            under_maintenance: maintenance,
            unknown: 0,
        }
    }

    #[test]
    fn presets_weigh_partial_outages_as_their_products_document() {
        // 20 minutes of partial outage in a day of 1440 known minutes.
        let m = minutes(0, 20, 0, 0, 1420);
        let instatus = Rule::preset(Preset::Instatus);
        assert_eq!(instatus.downtime(&m), 6.0);
        assert_eq!(instatus.uptime_percent(&m), Some(99.583));
        let incidentio = Rule::preset(Preset::Incidentio);
        assert_eq!(incidentio.downtime(&m), 20.0);
        assert_eq!(incidentio.uptime_percent(&m), Some(98.611));
    }

    #[test]
    fn maintenance_is_taken_out_counted_up_or_down() {
        let m = minutes(10, 0, 30, 20, 1380);
        let mut rule = Rule::default();
        assert_eq!((rule.downtime(&m), rule.counted(&m)), (10.0, 1420));
        rule.maintenance = Maintenance::Include;
        assert_eq!((rule.downtime(&m), rule.counted(&m)), (10.0, 1440));
        rule.maintenance = Maintenance::Down;
        assert_eq!((rule.downtime(&m), rule.counted(&m)), (30.0, 1440));
        assert_eq!(rule.uptime_percent(&m), Some(97.917));
    }

    #[test]
    fn a_free_weight_names_no_preset_unless_it_makes_one() {
        let rule = Rule::default().with_weight(ComponentStatus::DegradedPerformance, 0.5);
        assert_eq!(rule.preset, None);
        assert_eq!(rule.weight(ComponentStatus::DegradedPerformance), 0.5);
        assert_eq!(
            rule.to_string(),
            "downtime = major_outage x 1 + partial_outage x 0.3 + degraded_performance x 0.5 \
             (custom weights); maintenance taken out of the window"
        );
        let rule = Rule::default().with_weight(ComponentStatus::PartialOutage, 1.0);
        assert_eq!(rule.preset, Some(Preset::Incidentio));
    }

    #[test]
    fn rounding_is_sqlites() {
        // 67.5 minutes down of 1440: 95.3125 exactly, rounded up; 221.4 of 43200: 99.4875
        // held as 99.48749999999999, rounded down.
        assert_eq!(round_to(100.0 * (1.0 - 67.5 / 1440.0), 3), 95.313);
        assert_eq!(
            round_to(100.0 * (1.0 - (126.0 + 0.3 * 318.0) / 43200.0), 3),
            99.487
        );
        assert_eq!(round_to(0.3 * 821.0, 3), 246.3);
        assert_eq!(round_to(-2.5, 0), -3.0);
        assert_eq!(round_to(99.9995, 3), 99.999);
    }

    #[test]
    fn no_counted_minute_has_no_uptime() {
        let mut m = minutes(0, 0, 0, 60, 0);
        m.unknown = 1380;
        assert_eq!(Rule::default().uptime_percent(&m), None);
        assert_eq!(m.known_percent(), Some(4.167));
    }
}
