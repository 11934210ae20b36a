//! `statusdb report uptime` and `statusdb report sla` (docs/REPORTS.md): tables for people,
//! CSV for a spreadsheet, JSON for a dashboard (`schema/uptime-v1.schema.json`), Markdown for
//! a report. Exit 0 whether or not a target is breached; `--fail-on-breach` makes a breach
//! exit 3.

use crate::{EXIT_BREACH, Failure, Files, parse_instant};
use chrono::{DateTime, Datelike, Duration, Utc};
use clap::{Subcommand, ValueEnum};
use comfy_table::{CellAlignment, Table, presets};
use statusdb::config::{Config, ReportSettings};
use statusdb::model::ComponentStatus;
use statusdb::store::Store;
use statusdb::uptime::document::{CoverageSummary, Row, UptimeDocument};
use statusdb::uptime::rule::{Maintenance, Preset, Rule};
use statusdb::uptime::sla::{SlaDocument, TargetDoc};
use statusdb::uptime::{self, By, Request, Scope, Window};
use std::io::{self, Write};

#[derive(clap::Args)]
pub struct ReportArgs {
    #[command(subcommand)]
    report: Report,
}

#[derive(Subcommand)]
enum Report {
    /// Minutes in each status, downtime and uptime of each component (and group) over a
    /// window, with the incidents behind the downtime and what statusdb does not know.
    Uptime(UptimeArgs),
    /// Each [[sla]] target of the config over a month: measured uptime, breach, credit tier,
    /// last day to claim, and the incidents a claim can cite.
    Sla(SlaArgs),
}

#[derive(clap::Args)]
struct UptimeArgs {
    #[command(flatten)]
    files: Files,
    /// Only this vendor (repeatable).
    #[arg(long = "vendor", value_name = "V")]
    vendors: Vec<String>,
    /// Only components with this name, or in a group of this name; `*` and `?` match any
    /// text and one character, without regard to case (repeatable).
    #[arg(long = "component", value_name = "NAME_OR_GLOB")]
    components: Vec<String>,
    /// A calendar month, UTC (YYYY-MM).
    #[arg(long, value_name = "YYYY-MM", conflicts_with_all = ["from", "last"])]
    month: Option<String>,
    /// The window's start (RFC 3339 or YYYY-MM-DD).
    #[arg(long, value_name = "T", value_parser = parse_instant, conflicts_with = "last")]
    from: Option<DateTime<Utc>>,
    /// The window's end, not included (default: now).
    #[arg(long, value_name = "T", value_parser = parse_instant, requires = "from")]
    to: Option<DateTime<Utc>>,
    /// The last N days up to now, e.g. 30d or 90d (the default is 30d).
    #[arg(long, value_name = "Nd", value_parser = parse_days)]
    last: Option<i64>,
    /// One row per component per UTC day or month of the window.
    #[arg(long, value_enum)]
    by: Option<ByArg>,
    #[arg(long, value_enum, default_value = "table")]
    format: ReportFormat,
    #[command(flatten)]
    rule: RuleArgs,
    /// Report as at this instant (default: now): periods still going end here, and the
    /// window ends here at the latest.
    #[arg(long, value_name = "T", value_parser = parse_instant)]
    now: Option<DateTime<Utc>>,
}

#[derive(clap::Args)]
struct SlaArgs {
    #[command(flatten)]
    files: Files,
    /// The month, UTC (YYYY-MM; default: the last whole month).
    #[arg(long, value_name = "YYYY-MM")]
    month: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    format: ReportFormat,
    #[command(flatten)]
    rule: RuleArgs,
    /// Exit 3 when a target was breached (for scripts); without it, 0 either way.
    #[arg(long)]
    fail_on_breach: bool,
    /// Report as at this instant (default: now).
    #[arg(long, value_name = "T", value_parser = parse_instant)]
    now: Option<DateTime<Utc>>,
}

/// The downtime rule, over the config's `[report]`.
#[derive(clap::Args)]
struct RuleArgs {
    /// Named weights: instatus (partial outage 0.3) or incidentio (partial outage 1).
    #[arg(long, value_name = "NAME", value_parser = parse_preset)]
    preset: Option<Preset>,
    /// A free weight, STATUS=W with W from 0 to 1 (STATUS: major_outage, partial_outage,
    /// degraded_performance); repeatable, applied over the preset.
    #[arg(long = "weight", value_name = "STATUS=W", value_parser = parse_weight)]
    weights: Vec<(ComponentStatus, f64)>,
    /// What maintenance windows do: taken out of the window, counted as up, or as down.
    #[arg(long, value_enum)]
    maintenance: Option<MaintenanceArg>,
}

#[derive(Clone, Copy, ValueEnum)]
enum ByArg {
    Day,
    Month,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    Table,
    Json,
    Csv,
    Markdown,
}

#[derive(Clone, Copy, ValueEnum)]
enum MaintenanceArg {
    Exclude,
    Include,
    Down,
}

fn parse_days(text: &str) -> Result<i64, String> {
    text.strip_suffix('d')
        .and_then(|n| n.parse::<i64>().ok())
        .filter(|n| (1..=3660).contains(n))
        .ok_or_else(|| format!("{text:?} is not a number of days such as 30d or 90d"))
}

fn parse_preset(text: &str) -> Result<Preset, String> {
    Preset::from_name(text).ok_or_else(|| {
        format!(
            "unknown preset {text:?}; known presets: {}",
            Preset::names()
        )
    })
}

fn parse_weight(text: &str) -> Result<(ComponentStatus, f64), String> {
    let (status, weight) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?} is not STATUS=WEIGHT"))?;
    let status = match status.trim() {
        "major_outage" => ComponentStatus::MajorOutage,
        "partial_outage" => ComponentStatus::PartialOutage,
        "degraded_performance" => ComponentStatus::DegradedPerformance,
        other => {
            return Err(format!(
                "{other:?} has no weight; weigh major_outage, partial_outage or \
                 degraded_performance (maintenance: --maintenance)"
            ));
        }
    };
    let weight: f64 = weight
        .trim()
        .parse()
        .ok()
        .filter(|w| (0.0..=1.0).contains(w))
        .ok_or_else(|| format!("the weight of {status} must be a number from 0 to 1"))?;
    Ok((status, weight))
}

impl RuleArgs {
    fn rule(&self, settings: &ReportSettings) -> Rule {
        let mut rule = match self.preset {
            Some(p) => Rule {
                maintenance: settings.rule.maintenance,
                ..Rule::preset(p)
            },
            None => settings.rule,
        };
        for (status, weight) in &self.weights {
            rule = rule.with_weight(*status, *weight);
        }
        if let Some(m) = self.maintenance {
            rule.maintenance = match m {
                MaintenanceArg::Exclude => Maintenance::Exclude,
                MaintenanceArg::Include => Maintenance::Include,
                MaintenanceArg::Down => Maintenance::Down,
            };
        }
        rule
    }
}

pub fn run(args: ReportArgs) -> Result<u8, Failure> {
    match args.report {
        Report::Uptime(args) => run_uptime(args),
        Report::Sla(args) => run_sla(args),
    }
}

/// The config (its `[report]` rule) and the database. With `--db` and no config file, the
/// default rule.
fn config_and_store(files: &Files, need_config: bool) -> Result<(Option<Config>, Store), Failure> {
    let config = if files.db.is_none() || need_config || files.config.is_file() {
        Some(Config::load(&files.config)?)
    } else {
        None
    };
    let db = match (&files.db, &config) {
        (Some(db), _) => db.clone(),
        (None, Some(c)) => c.database_path.clone(),
        (None, None) => return Err(Failure::usage("no database: give --db or --config")),
    };
    Ok((config, crate::open_existing(&db)?))
}

fn run_uptime(args: UptimeArgs) -> Result<u8, Failure> {
    let (config, store) = config_and_store(&args.files, false)?;
    let settings = config.map(|c| c.report).unwrap_or_default();
    let now = args.now.unwrap_or_else(Utc::now);
    let window = match (&args.month, args.from, args.last) {
        (Some(month), _, _) => Window::parse_month(month)
            .ok_or_else(|| Failure::usage(format!("--month {month:?} is not YYYY-MM")))?,
        (None, Some(from), _) => Window {
            from,
            to: args.to.unwrap_or(now),
        },
        (None, None, days) => Window {
            from: now - Duration::days(days.unwrap_or(30)),
            to: now,
        },
    };
    if window.to <= window.from {
        return Err(Failure::usage("--to must be after --from"));
    }
    let request = Request {
        scope: Scope {
            vendors: args.vendors,
            components: args.components,
        },
        window,
        by: match args.by {
            None => By::Window,
            Some(ByArg::Day) => By::Day,
            Some(ByArg::Month) => By::Month,
        },
        rule: args.rule.rule(&settings),
        now,
    };
    let doc = uptime::uptime(&store, &request).map_err(|e| match e {
        uptime::UptimeError::Store(e) => Failure::runtime(e),
        other => Failure::usage(other),
    })?;
    let mut out = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
    write_uptime(&mut out, &doc, args.format).map_err(Failure::runtime)?;
    out.flush().map_err(Failure::runtime)?;
    Ok(0)
}

fn run_sla(args: SlaArgs) -> Result<u8, Failure> {
    let (config, store) = config_and_store(&args.files, true)?;
    let config = config.ok_or_else(|| Failure::usage("report sla needs the config"))?;
    if config.sla.is_empty() {
        return Err(Failure::usage(format!(
            "{}: no [[sla]] targets (docs/REPORTS.md)",
            config.file.display()
        )));
    }
    let now = args.now.unwrap_or_else(Utc::now);
    let month = match args.month {
        Some(m) => m,
        None => {
            let last = now.date_naive().with_day(1).unwrap_or(now.date_naive()) - Duration::days(1);
            format!("{:04}-{:02}", last.year(), last.month())
        }
    };
    let rule = args.rule.rule(&config.report);
    let doc =
        uptime::sla::evaluate(&store, &config.sla, &month, &rule, now).map_err(|e| match e {
            uptime::UptimeError::Store(e) => Failure::runtime(e),
            other => Failure::usage(other),
        })?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    write_sla(&mut out, &doc, args.format).map_err(Failure::runtime)?;
    out.flush().map_err(Failure::runtime)?;
    if args.fail_on_breach && doc.breached > 0 {
        return Ok(EXIT_BREACH);
    }
    Ok(0)
}

/// `uptime 2023-08-01T00:00:00Z to 2023-09-01T00:00:00Z (31 days): downtime = ...; 100% of
/// the minutes known`, saying so when little is known.
fn uptime_header(doc: &UptimeDocument) -> String {
    let days = window_days(&doc.window.from, &doc.window.to);
    format!(
        "uptime {} to {} ({days}): {}; {}",
        doc.window.from,
        doc.window.to,
        doc.rule.text,
        coverage_words(doc.coverage.known_percent, doc.coverage.low)
    )
}

fn window_days(from: &str, to: &str) -> String {
    match (parse_instant(from), parse_instant(to)) {
        (Ok(a), Ok(b)) => {
            let minutes = (b - a).num_minutes();
            if minutes == 1440 {
                "1 day".to_string()
            } else if minutes % 1440 == 0 {
                format!("{} days", minutes / 1440)
            } else {
                format!("{:.1} days", minutes as f64 / 1440.0)
            }
        }
        _ => String::new(),
    }
}

fn coverage_words(known: Option<f64>, low: bool) -> String {
    let share = known.map_or("none".to_string(), |k| format!("{}%", number(k)));
    if low {
        format!(
            "LITTLE COVERAGE: {share} of the minutes known (before a source was first watched \
             and beyond its stated history, or while it failed, nothing is known)"
        )
    } else {
        format!("{share} of the minutes known")
    }
}

/// A number without trailing zeros (99.5, 100, 0.3).
fn number(value: f64) -> String {
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_string()
}

fn percent(value: Option<f64>) -> String {
    value.map_or("-".to_string(), |v| format!("{v:.3}"))
}

const UPTIME_COLUMNS: &[&str] = &[
    "vendor",
    "group",
    "component",
    "from",
    "to",
    "major_outage",
    "partial_outage",
    "degraded_performance",
    "under_maintenance",
    "unknown",
    "downtime_minutes",
    "uptime_percent",
    "incidents",
    "longest_outage_minutes",
    "known_percent",
    "downtime_incidents",
];

fn uptime_cells(r: &Row) -> Vec<String> {
    let name = if r.row == "group" {
        format!("{} (group)", r.name)
    } else {
        r.name.clone()
    };
    vec![
        r.vendor.clone(),
        r.group.clone().unwrap_or_default(),
        name,
        r.window.from.clone(),
        r.window.to.clone(),
        r.minutes.major_outage.to_string(),
        r.minutes.partial_outage.to_string(),
        r.minutes.degraded_performance.to_string(),
        r.minutes.under_maintenance.to_string(),
        r.minutes.unknown.to_string(),
        number(r.downtime_minutes),
        percent(r.uptime_percent),
        r.incidents.to_string(),
        r.longest_outage_minutes.to_string(),
        r.coverage
            .known_percent
            .map_or("-".to_string(), |k| format!("{k:.1}")),
        r.downtime_incidents.join(" "),
    ]
}

fn write_json(out: &mut impl Write, doc: &impl serde::Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, doc)?;
    writeln!(out)
}

fn warn_if_little(coverage: &CoverageSummary) {
    if coverage.low {
        eprintln!("statusdb: {}", coverage_words(coverage.known_percent, true));
    }
}

fn write_uptime(
    out: &mut impl Write,
    doc: &UptimeDocument,
    format: ReportFormat,
) -> io::Result<()> {
    match format {
        ReportFormat::Json => write_json(out, doc),
        ReportFormat::Csv => {
            // CSV is data only: the header line's warning goes to stderr.
            warn_if_little(&doc.coverage);
            let mut csv = csv::Writer::from_writer(out);
            csv.write_record([
                "row",
                "vendor",
                "group",
                "component_id",
                "name",
                "from",
                "to",
                "operational",
                "degraded_performance",
                "partial_outage",
                "major_outage",
                "under_maintenance",
                "unknown",
                "downtime_minutes",
                "uptime_percent",
                "incidents",
                "maintenances",
                "longest_outage_minutes",
                "known_percent",
                "downtime_incidents",
            ])?;
            for r in &doc.components {
                let m = &r.minutes;
                csv.write_record([
                    r.row.to_string(),
                    r.vendor.clone(),
                    r.group.clone().unwrap_or_default(),
                    r.component_id.clone().unwrap_or_default(),
                    r.name.clone(),
                    r.window.from.clone(),
                    r.window.to.clone(),
                    m.operational.to_string(),
                    m.degraded_performance.to_string(),
                    m.partial_outage.to_string(),
                    m.major_outage.to_string(),
                    m.under_maintenance.to_string(),
                    m.unknown.to_string(),
                    number(r.downtime_minutes),
                    r.uptime_percent
                        .map_or(String::new(), |u| format!("{u:.3}")),
                    r.incidents.to_string(),
                    r.maintenances.to_string(),
                    r.longest_outage_minutes.to_string(),
                    r.coverage.known_percent.map_or(String::new(), number),
                    r.downtime_incidents.join(" "),
                ])?;
            }
            csv.flush()
        }
        ReportFormat::Table | ReportFormat::Markdown => {
            let markdown = format == ReportFormat::Markdown;
            writeln!(out, "{}", uptime_header(doc))?;
            if markdown {
                writeln!(out)?;
            }
            let mut table = new_table(markdown);
            let mut header: Vec<String> = UPTIME_COLUMNS.iter().map(|c| heading(c)).collect();
            // One window: its bounds are in the header line.
            let by = doc.by.is_some();
            if !by {
                header.drain(3..5);
            }
            table.set_header(header);
            for r in &doc.components {
                let mut cells = uptime_cells(r);
                if !by {
                    cells.drain(3..5);
                }
                if !markdown {
                    let last = cells.len() - 1;
                    cells[last] = super::cell(&cells[last], 60);
                }
                table.add_row(cells);
            }
            align_numbers(&mut table, if by { 5 } else { 3 }, 10);
            writeln!(out, "{table}")
        }
    }
}

fn heading(column: &str) -> String {
    match column {
        "major_outage" => "MAJOR".into(),
        "partial_outage" => "PARTIAL".into(),
        "degraded_performance" => "DEGRADED".into(),
        "under_maintenance" => "MAINTENANCE".into(),
        "downtime_minutes" => "DOWNTIME".into(),
        "uptime_percent" => "UPTIME %".into(),
        "longest_outage_minutes" => "LONGEST".into(),
        "known_percent" => "KNOWN %".into(),
        other => other.to_uppercase(),
    }
}

fn new_table(markdown: bool) -> Table {
    let mut table = Table::new();
    table.load_style(if markdown {
        presets::ASCII_MARKDOWN
    } else {
        presets::NOTHING
    });
    table
}

fn align_numbers(table: &mut Table, first: usize, count: usize) {
    for i in first..first + count {
        if let Some(column) = table.column_mut(i) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
}

fn sla_header(doc: &SlaDocument) -> String {
    format!(
        "sla {} ({} to {}): {}; {} of {} targets breached; {}",
        doc.month,
        doc.window.from,
        doc.window.to,
        doc.rule.text,
        doc.breached,
        doc.targets.len(),
        coverage_words(doc.coverage.known_percent, doc.coverage.low)
    )
}

const SLA_COLUMNS: &[&str] = &[
    "target",
    "vendor",
    "components",
    "target_percent",
    "uptime_percent",
    "breached",
    "credit_percent",
    "claim_by",
    "downtime_minutes",
    "unknown",
    "incidents",
];

fn sla_cells(t: &TargetDoc, separator: &str) -> Vec<String> {
    let matched: Vec<&str> = t.matched.iter().map(|m| m.name.as_str()).collect();
    vec![
        t.name.clone(),
        t.vendor.clone(),
        matched.join(separator),
        number(t.target_percent),
        percent(t.uptime_percent),
        match t.breached {
            Some(true) => "yes".into(),
            Some(false) => "no".into(),
            None => "unknown".into(),
        },
        t.credit_percent.map_or(String::new(), number),
        t.claim_by.clone().unwrap_or_default(),
        number(t.downtime_minutes),
        t.minutes.unknown.to_string(),
        t.incidents.len().to_string(),
    ]
}

fn write_sla(out: &mut impl Write, doc: &SlaDocument, format: ReportFormat) -> io::Result<()> {
    match format {
        ReportFormat::Json => write_json(out, doc),
        ReportFormat::Csv => {
            // CSV is data only: the header line's warning goes to stderr.
            warn_if_little(&doc.coverage);
            let mut csv = csv::Writer::from_writer(out);
            let mut header: Vec<&str> = SLA_COLUMNS.to_vec();
            header.push("incident_ids");
            csv.write_record(&header)?;
            for t in &doc.targets {
                let mut record = sla_cells(t, "; ");
                record.push(
                    t.incidents
                        .iter()
                        .map(|i| i.id.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                );
                csv.write_record(&record)?;
            }
            csv.flush()
        }
        ReportFormat::Table | ReportFormat::Markdown => {
            let markdown = format == ReportFormat::Markdown;
            writeln!(out, "{}", sla_header(doc))?;
            if markdown {
                writeln!(out)?;
            }
            let mut table = new_table(markdown);
            table.set_header(SLA_COLUMNS.iter().map(|c| c.to_uppercase()));
            for t in &doc.targets {
                table.add_row(sla_cells(t, ", "));
            }
            align_numbers(&mut table, 3, 2);
            writeln!(out, "{table}")?;
            // The evidence of each breach.
            for t in doc.targets.iter().filter(|t| t.breached == Some(true)) {
                writeln!(out)?;
                writeln!(
                    out,
                    "{}{}: {} behind {} minutes of downtime",
                    if markdown { "### " } else { "" },
                    t.name,
                    match t.incidents.len() {
                        1 => "1 incident".to_string(),
                        n => format!("{n} incidents"),
                    },
                    number(t.downtime_minutes)
                )?;
                if markdown {
                    writeln!(out)?;
                }
                let mut table = new_table(markdown);
                table.set_header(["INCIDENT", "STARTED", "RESOLVED", "ANOMALIES", "TITLE"]);
                for i in &t.incidents {
                    let time = |at: &Option<String>, source: &Option<String>| match (at, source) {
                        (Some(at), Some(source)) => format!("{at} ({source})"),
                        (Some(at), None) => at.clone(),
                        _ => "-".into(),
                    };
                    let anomalies: Vec<&str> =
                        i.anomalies.iter().map(|a| a.code.as_str()).collect();
                    table.add_row([
                        i.id.clone(),
                        time(&i.started_at, &i.started_at_source),
                        time(&i.resolved_at, &i.resolved_at_source),
                        anomalies.join(", "),
                        if markdown {
                            i.title.clone()
                        } else {
                            super::cell(&i.title, 60)
                        },
                    ]);
                }
                writeln!(out, "{table}")?;
            }
            Ok(())
        }
    }
}
