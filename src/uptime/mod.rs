//! Uptime and SLA answers (docs/REPORTS.md): how many minutes each component spent in each
//! status over a window, how much of that is downtime by a stated rule, and what statusdb
//! does not know. `evidence` reads the store, `periods` lays each component's words out as
//! `component_status_periods` does, `timeline` counts minutes (coverage, groups, longest
//! outage), `rule` weighs them, `sla` checks the configured targets; `document` is the JSON
//! (`schema/uptime-v1.schema.json`).

pub mod document;
pub mod evidence;
pub mod periods;
pub mod rule;
pub mod sla;
pub(crate) mod timeline;

use crate::model::{ComponentStatus, format_utc};
use crate::store::{Store, StoreError};
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use document::{CoverageSummary, Row, RowCoverage, RuleDoc, UptimeDocument, WindowDoc};
use evidence::{Coverage, Evidence};
use periods::{Origin, Span};
use rule::{Minutes, Rule};
use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;
use timeline::{MINUTES_PER_DAY, Minute, Timeline, minute_of};

/// Below this share of known minutes a report says its coverage is little.
pub(crate) const LOW_COVERAGE_PERCENT: f64 = 90.0;

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum UptimeError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The window asked for is not one.
    #[error("{0}")]
    Window(String),
    /// A component pattern does not compile.
    #[error("component pattern {pattern:?}: {reason}")]
    Pattern {
        /// The pattern as written.
        pattern: String,
        /// Why.
        reason: String,
    },
}

/// Which components a report covers: every one of these vendors (all when empty) whose name,
/// or whose group's name, matches one of the patterns (all when empty).
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// These vendors (all when empty).
    pub vendors: Vec<String>,
    /// Component names or globs (all when empty).
    pub components: Vec<String>,
}

/// A component name or glob (`*` any text, `?` one character), compared without case.
#[derive(Debug, Clone)]
pub(crate) struct Pattern(regex::Regex);

impl Pattern {
    pub(crate) fn new(glob: &str) -> Result<Pattern, UptimeError> {
        let mut expr = String::from("(?i)^");
        for c in glob.trim().chars() {
            match c {
                '*' => expr.push_str(".*"),
                '?' => expr.push('.'),
                c => expr.push_str(&regex::escape(&c.to_string())),
            }
        }
        expr.push('$');
        regex::Regex::new(&expr)
            .map(Pattern)
            .map_err(|e| UptimeError::Pattern {
                pattern: glob.to_string(),
                reason: e.to_string(),
            })
    }

    pub(crate) fn matches(&self, name: &str) -> bool {
        self.0.is_match(name)
    }
}

/// How rows are cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// One row per component over the whole window.
    Window,
    /// One row per component and UTC day.
    Day,
    /// One row per component and UTC month.
    Month,
}

impl By {
    pub(crate) fn as_str(self) -> Option<&'static str> {
        match self {
            By::Window => None,
            By::Day => Some("day"),
            By::Month => Some("month"),
        }
    }
}

/// `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The first instant.
    pub from: DateTime<Utc>,
    /// The instant after the last.
    pub to: DateTime<Utc>,
}

impl Window {
    /// A calendar month, UTC.
    pub(crate) fn month(year: i32, month: u32) -> Option<Window> {
        let from = Utc.with_ymd_and_hms(year, month, 1, 0, 0, 0).single()?;
        let (next_year, next_month) = if month == 12 {
            (year + 1, 1)
        } else {
            (year, month + 1)
        };
        let to = Utc
            .with_ymd_and_hms(next_year, next_month, 1, 0, 0, 0)
            .single()?;
        Some(Window { from, to })
    }

    /// `YYYY-MM`.
    pub fn parse_month(text: &str) -> Option<Window> {
        let (year, month) = text.split_once('-')?;
        if year.len() != 4 || month.len() != 2 {
            return None;
        }
        Window::month(year.parse().ok()?, month.parse().ok()?)
    }

    /// The minutes of the window, up to `now` (minutes to come are not counted).
    pub(crate) fn minutes(&self, now: Minute) -> (Minute, Minute) {
        let from = minute_of(self.from.timestamp_millis());
        let to = minute_of(self.to.timestamp_millis()).min(now);
        (from, to.max(from))
    }
}

/// What `report uptime` is asked.
#[derive(Debug, Clone)]
pub struct Request {
    /// Which components.
    pub scope: Scope,
    /// Over which time.
    pub window: Window,
    /// How rows are cut.
    pub by: By,
    /// The downtime rule.
    pub rule: Rule,
    /// The instant the report is made at: periods still going end here, and minutes after it
    /// are not counted.
    pub now: DateTime<Utc>,
}

/// A component, or a group of them, ready to be counted over any window.
#[derive(Debug, Clone)]
pub(crate) struct Subject {
    pub vendor: String,
    /// `None` for a group.
    pub component_id: Option<String>,
    pub name: String,
    pub group: Option<String>,
    /// The component ids a group aggregates.
    pub members: Vec<String>,
    pub timeline: Timeline,
    /// The minute of the first word about it (for a group, of its members'): before it nothing
    /// is known.
    pub first_word: Minute,
    pub first_word_at: i64,
    /// The same, as the export writes times.
    pub first_word_text: String,
    /// Update words that hold for some time: (incident, status, from, until) in milliseconds.
    pub incident_spans: Vec<(u32, ComponentStatus, i64, Option<i64>)>,
    pub coverage: Arc<Coverage>,
}

/// Runs `work` over `items` cut in order into one chunk per core (at most 4), the chunks at
/// once, and gives the results in order.
fn parallel<T: Send, R: Send>(items: &mut [T], work: impl Fn(&mut [T]) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    if threads == 1 || items.len() < 256 {
        return vec![work(items)];
    }
    let size = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let work = &work;
        let running: Vec<_> = items
            .chunks_mut(size)
            .map(|chunk| scope.spawn(move || work(chunk)))
            .collect();
        running
            .into_iter()
            .map(|r| {
                r.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// A vendor's known stretches, in minutes.
type Known = Vec<(Minute, Minute)>;

/// Every component of the scope (with its group rows) as subjects, and the incidents their
/// words name.
pub(crate) fn subjects(
    store: &Store,
    scope: &Scope,
    now: DateTime<Utc>,
) -> Result<(Vec<Subject>, Vec<evidence::Incident>), UptimeError> {
    let patterns = scope
        .components
        .iter()
        .map(|p| Pattern::new(p))
        .collect::<Result<Vec<_>, _>>()?;
    let Evidence {
        components: mut listed,
        incidents,
        coverage: coverage_of,
    } = Evidence::load(store.connection(), Some(store.path()), &scope.vendors)?;
    let now_minute = minute_of(now.timestamp_millis());
    // Ordered by vendor, then each group (its row first, then its members), then the
    // components without a group; by name within each.
    listed.sort_unstable_by(|a, b| {
        (&a.vendor, a.group.is_none(), &a.group, &a.name, &a.id).cmp(&(
            &b.vendor,
            b.group.is_none(),
            &b.group,
            &b.name,
            &b.id,
        ))
    });
    // The coverage of each vendor once, shared by its components.
    let coverages: HashMap<String, (Arc<Coverage>, Known)> = listed
        .iter()
        .map(|c| c.vendor.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|vendor| {
            let coverage = coverage_of.get(&vendor).cloned().unwrap_or_default();
            let known = coverage
                .known
                .iter()
                .map(|&(a, b)| (minute_of(a), minute_of(b)))
                .collect();
            (vendor, (Arc::new(coverage), known))
        })
        .collect();
    let components: Vec<Subject> = parallel(&mut listed, |chunk| {
        let mut out = Vec::with_capacity(chunk.len());
        for c in chunk {
            let in_scope = patterns.is_empty()
                || patterns.iter().any(|p| {
                    p.matches(&c.name) || c.group.as_deref().is_some_and(|g| p.matches(g))
                });
            if !in_scope || c.words.is_empty() {
                continue;
            }
            let Some((coverage, known)) = coverages.get(&c.vendor) else {
                continue;
            };
            let spans = periods::spans(&c.words, |i| incidents[i as usize].resolved_at);
            let periods = periods::periods(&spans);
            let first_word_at = c.words[0].at;
            let first_word = minute_of(first_word_at);
            out.push(Subject {
                first_word_text: format_utc(&ms_time(first_word_at)),
                timeline: Timeline::of_component(&periods, known, first_word, now_minute),
                incident_spans: incident_spans(&spans),
                coverage: Arc::clone(coverage),
                vendor: std::mem::take(&mut c.vendor),
                component_id: Some(std::mem::take(&mut c.id)),
                name: std::mem::take(&mut c.name),
                group: c.group.take(),
                members: Vec::new(),
                first_word,
                first_word_at,
            });
        }
        out
    })
    .into_iter()
    .flatten()
    .collect();
    let mut out = Vec::with_capacity(components.len());
    let mut rest = components.into_iter().peekable();
    while let Some(first) = rest.next() {
        let Some(group) = first.group.clone() else {
            out.push(first);
            continue;
        };
        let vendor = first.vendor.clone();
        let mut members = vec![first];
        while let Some(next) =
            rest.next_if(|c| c.vendor == vendor && c.group.as_ref() == Some(&group))
        {
            members.push(next);
        }
        out.extend(group_of(&members, &group));
        out.extend(members);
    }
    Ok((out, incidents))
}

/// A group's subject: down when any member is (`Timeline::worst_of`); `None` without members.
pub(crate) fn group_of(members: &[Subject], name: &str) -> Option<Subject> {
    let first = members.iter().min_by_key(|m| m.first_word_at)?;
    Some(Subject {
        vendor: first.vendor.clone(),
        component_id: None,
        name: name.to_string(),
        group: Some(name.to_string()),
        members: members
            .iter()
            .filter_map(|m| m.component_id.clone())
            .collect(),
        timeline: Timeline::worst_of(members.iter().map(|m| &m.timeline)),
        first_word: first.first_word,
        first_word_at: first.first_word_at,
        first_word_text: first.first_word_text.clone(),
        incident_spans: members
            .iter()
            .flat_map(|m| m.incident_spans.iter().copied())
            .collect(),
        coverage: Arc::clone(&first.coverage),
    })
}

fn incident_spans(spans: &[Span]) -> Vec<(u32, ComponentStatus, i64, Option<i64>)> {
    spans
        .iter()
        .filter(|s| s.word.origin == Origin::Update)
        .filter_map(|s| Some((s.word.incident?, s.word.status, s.from, s.until)))
        .collect()
}

/// What a subject comes to over `[from, to)` (minutes), by a rule.
#[derive(Debug, Clone)]
pub(crate) struct Tally {
    pub minutes: Minutes,
    pub downtime: f64,
    pub uptime_percent: Option<f64>,
    pub longest_outage: u64,
    /// Incidents (not maintenances) whose words about it hold at some time of the window.
    pub incidents: Vec<u32>,
    pub maintenances: Vec<u32>,
    /// Incidents whose words of a status the rule counts as downtime hold at a known minute
    /// of the window.
    pub downtime_incidents: Vec<u32>,
}

impl Subject {
    pub(crate) fn tally(
        &self,
        from: Minute,
        to: Minute,
        rule: &Rule,
        incidents: &[evidence::Incident],
    ) -> Tally {
        let minutes = self.timeline.minutes(from, to);
        let down = |s: ComponentStatus| rule.weight(s) > 0.0;
        let (from_ms, to_ms) = (from * 60_000, to * 60_000);
        let mut touched = Vec::new();
        let mut maintenances = Vec::new();
        let mut behind = Vec::new();
        for &(incident, status, span_from, span_until) in &self.incident_spans {
            if span_from >= to_ms || span_until.is_some_and(|u| u <= from_ms) {
                continue;
            }
            if incidents[incident as usize].maintenance {
                maintenances.push(incident);
            } else {
                touched.push(incident);
            }
            let (a, b) = (
                minute_of(span_from).max(from),
                span_until.map_or(to, minute_of).min(to),
            );
            if down(status) && b > a && self.timeline.any(a, b, down) {
                behind.push(incident);
            }
        }
        for list in [&mut touched, &mut maintenances, &mut behind] {
            list.sort_by(|a, b| incidents[*a as usize].id.cmp(&incidents[*b as usize].id));
            list.dedup();
        }
        Tally {
            minutes,
            downtime: rule.downtime(&minutes),
            uptime_percent: rule.uptime_percent(&minutes),
            longest_outage: self.timeline.longest_run(from, to, down),
            incidents: touched,
            maintenances,
            downtime_incidents: behind,
        }
    }

    pub(crate) fn row_coverage(&self, minutes: &Minutes) -> RowCoverage {
        RowCoverage {
            first_word_at: self.first_word_text.clone(),
            watched_from: self.coverage.watched_from.clone(),
            history_from: self.coverage.history_from.clone(),
            known_minutes: minutes.known(),
            known_percent: minutes.known_percent(),
        }
    }
}

fn ms_time(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// A stored time as the export writes it (no trailing zero fraction).
pub(crate) fn export_time(stored: &str) -> String {
    crate::model::parse_db_time(stored)
        .map(|t| format_utc(&t))
        .unwrap_or_else(|| stored.to_string())
}

pub(crate) fn minute_time(minute: Minute) -> String {
    format_utc(&ms_time(minute * 60_000))
}

/// The sub-windows `[from, to)` is cut into.
fn cuts(from: Minute, to: Minute, by: By) -> Vec<(Minute, Minute)> {
    let mut out = Vec::new();
    let mut at = from;
    while at < to {
        let next = match by {
            By::Window => to,
            By::Day => (at.div_euclid(MINUTES_PER_DAY) + 1) * MINUTES_PER_DAY,
            By::Month => {
                let date = ms_time(at * 60_000).date_naive();
                let (y, m) = if date.month() == 12 {
                    (date.year() + 1, 1)
                } else {
                    (date.year(), date.month() + 1)
                };
                NaiveDate::from_ymd_opt(y, m, 1)
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .map_or(to, |t| minute_of(t.and_utc().timestamp_millis()))
            }
        };
        let next = next.min(to);
        out.push((at, next));
        at = next;
    }
    out
}

/// `statusdb report uptime`.
pub fn uptime(store: &Store, request: &Request) -> Result<UptimeDocument, UptimeError> {
    let now = minute_of(request.now.timestamp_millis());
    let (from, to) = request.window.minutes(now);
    if to <= from {
        return Err(UptimeError::Window(format!(
            "the window {} to {} has no minute before now ({})",
            format_utc(&request.window.from),
            format_utc(&request.window.to),
            format_utc(&request.now)
        )));
    }
    let (subjects, incidents) = subjects(store, &request.scope, request.now)?;
    // Each cut's window as written, once.
    let cuts: Vec<(Minute, Minute, WindowDoc)> = cuts(from, to, request.by)
        .into_iter()
        .map(|(a, b)| {
            let window = WindowDoc {
                from: minute_time(a),
                to: minute_time(b),
            };
            (a, b, window)
        })
        .collect();
    let mut subjects = subjects;
    let parts = parallel(&mut subjects, |chunk| {
        let mut rows = Vec::new();
        let mut total = Minutes::default();
        for subject in chunk.iter() {
            // Nothing is said of a component before its first word: cut by day or month, its
            // rows begin on the day of it, as the views' do; none at all when it comes after
            // the window.
            let start = match request.by {
                By::Window => subject.first_word,
                By::Day | By::Month => {
                    subject.first_word.div_euclid(MINUTES_PER_DAY) * MINUTES_PER_DAY
                }
            };
            for (a, b, window) in &cuts {
                let (a, b) = (*a, *b);
                if b <= start {
                    continue;
                }
                let window = if request.by == By::Window || a >= start {
                    window.clone()
                } else {
                    WindowDoc {
                        from: minute_time(start),
                        to: window.to.clone(),
                    }
                };
                let a = if request.by == By::Window {
                    a
                } else {
                    a.max(start)
                };
                let tally = subject.tally(a, b, &request.rule, &incidents);
                if subject.component_id.is_some() {
                    add_minutes(&mut total, &tally.minutes);
                }
                rows.push(row(subject, window, &tally, &incidents));
            }
        }
        (rows, total)
    });
    let mut rows = Vec::new();
    let mut total = Minutes::default();
    for (part, minutes) in parts {
        rows.extend(part);
        add_minutes(&mut total, &minutes);
    }
    Ok(UptimeDocument {
        schema_version: document::SCHEMA_VERSION,
        report: "uptime",
        generated_at: format_utc(&crate::model::to_millis(request.now)),
        window: WindowDoc {
            from: minute_time(from),
            to: minute_time(to),
        },
        by: request.by.as_str(),
        rule: RuleDoc::of(&request.rule),
        coverage: CoverageSummary::of(&total),
        components: rows,
    })
}

pub(crate) fn add_minutes(total: &mut Minutes, m: &Minutes) {
    for status in ComponentStatus::ALL {
        total.add(Some(*status), m.get(*status));
    }
}

fn row(
    subject: &Subject,
    window: WindowDoc,
    tally: &Tally,
    incidents: &[evidence::Incident],
) -> Row {
    let ids = |list: &[u32]| -> Vec<String> {
        list.iter()
            .map(|i| incidents[*i as usize].id.clone())
            .collect()
    };
    Row {
        row: if subject.component_id.is_some() {
            "component"
        } else {
            "group"
        },
        vendor: subject.vendor.clone(),
        component_id: subject.component_id.clone(),
        name: subject.name.clone(),
        group: subject.group.clone(),
        members: (subject.component_id.is_none()).then(|| subject.members.clone()),
        window,
        minutes: tally.minutes,
        downtime_minutes: tally.downtime,
        uptime_percent: tally.uptime_percent,
        incidents: tally.incidents.len(),
        maintenances: tally.maintenances.len(),
        downtime_incidents: ids(&tally.downtime_incidents),
        longest_outage_minutes: tally.longest_outage,
        coverage: subject.row_coverage(&tally.minutes),
    }
}
