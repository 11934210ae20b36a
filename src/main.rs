//! The `statusdb` command line. Data goes to stdout, logs to stderr; exit codes:
//! 0 all sources fine, 1 some sources failed (the rest were stored), 2 usage or config error,
//! 3 an SLA target was breached (`report sla --fail-on-breach`), 75 another run holds the lock.

use chrono::{DateTime, NaiveDate, Utc};
use clap::{Parser, Subcommand, ValueEnum};
use statusdb::config::{Config, ConfigError};
use statusdb::export::{self, Filter};
use statusdb::lock::LockError;
use statusdb::logging::{self, LogFormat};
use statusdb::providers::{Kind, PageInput};
use statusdb::query::{self, QueryFilter, Subject};
use statusdb::store::Store;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod cli;

pub(crate) const EXIT_SOME_FAILED: u8 = 1;
const EXIT_USAGE: u8 = 2;
/// `report sla --fail-on-breach` when a target was breached.
pub(crate) const EXIT_BREACH: u8 = 3;
const EXIT_LOCKED: u8 = 75;

#[derive(Parser)]
#[command(
    name = "statusdb",
    version,
    about = "Vendor status pages into an exact, local SQLite record"
)]
struct Cli {
    /// More log output on stderr (-v info: one summary per run, -vv debug, -vvv trace).
    /// Without -v or -q, RUST_LOG applies when set; the default is warnings and errors.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// Only errors on stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// How log lines on stderr are written (json: one object per line, for log shippers).
    #[arg(
        long,
        value_enum,
        global = true,
        default_value = "text",
        value_name = "FORMAT"
    )]
    log_format: LogFormatArg,
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct Files {
    /// The config file.
    #[arg(long, default_value = "config.toml", value_name = "F")]
    config: PathBuf,
    /// The database (default: the path in the config).
    #[arg(long, value_name = "F")]
    db: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Fetch sources and store what they say (the cron job).
    Ingest(cli::ingest::IngestArgs),
    /// Print what changed: incidents opened, updated, resolved, maintenance scheduled,
    /// component status changes (default: those of the latest run).
    Events(cli::events::EventsArgs),
    /// Every source with its health: last success, last error, failures, next due time.
    Sources(cli::sources::SourcesArgs),
    /// Deliver the pending alerts to the `[[notify]]` targets (nothing else); with --status,
    /// each target's pending, delivered, failed and dead-lettered deliveries and last error.
    Notify(cli::notify::NotifyArgs),
    /// Uptime and SLA answers: minutes in each status, downtime and uptime per component, and
    /// the [[sla]] targets with breaches, credits and evidence (docs/REPORTS.md).
    Report(cli::report::ReportArgs),
    /// Write the normalized incidents and components as JSON.
    Export {
        #[command(flatten)]
        files: Files,
        #[arg(long, value_enum, default_value = "json")]
        format: ExportFormat,
        /// Only this vendor (repeatable).
        #[arg(long = "vendor", value_name = "V")]
        vendors: Vec<String>,
        /// Incidents open at or resolved after T (RFC 3339 or YYYY-MM-DD).
        #[arg(long, value_name = "T", value_parser = parse_instant)]
        since: Option<DateTime<Utc>>,
        /// Incidents started before T (RFC 3339 or YYYY-MM-DD).
        #[arg(long, value_name = "T", value_parser = parse_instant)]
        until: Option<DateTime<Utc>>,
        /// Only unresolved incidents.
        #[arg(long)]
        active: bool,
        /// Write to this file (atomically) instead of stdout.
        #[arg(long, value_name = "F")]
        output: Option<PathBuf>,
    },
    /// List incidents, components, fetches, anomalies or parse notes.
    Query {
        #[arg(value_enum)]
        subject: QuerySubject,
        #[command(flatten)]
        files: Files,
        #[arg(long, value_name = "V")]
        vendor: Option<String>,
        /// Only fetches of this source.
        #[arg(long, value_name = "ID")]
        source: Option<String>,
        /// Only unresolved incidents.
        #[arg(long)]
        active: bool,
        #[arg(long, value_name = "N")]
        limit: Option<u32>,
        #[arg(long, value_enum, default_value = "table")]
        format: TableFormat,
    },
    /// Parse one saved page and print its Observation as JSON (no database).
    Parse {
        /// The page format.
        #[arg(long, value_parser = parse_kind)]
        kind: Kind,
        file: PathBuf,
        /// When the page was fetched (for relative or year-less times); default now.
        #[arg(long, value_name = "T", value_parser = parse_instant)]
        fetched_at: Option<DateTime<Utc>>,
        /// The URL the page was fetched from.
        #[arg(long, value_name = "U")]
        url: Option<String>,
        /// The page's IANA zone, for times written without one.
        #[arg(long, value_name = "IANA")]
        zone: Option<chrono_tz::Tz>,
    },
    /// Read time text from stdin lines TEXT<TAB>CONTEXT; one JSON object per line out.
    ParseTime(cli::parse_time::ParseTimeArgs),
    /// Rebuild every record from the stored raw pages (after upgrading statusdb), in one
    /// transaction; the fetch log and events stay as they are.
    Reparse(cli::reparse::ReparseArgs),
    /// Validate the config file.
    CheckConfig {
        #[arg(long, default_value = "config.toml", value_name = "F")]
        config: PathBuf,
        /// Also fetch each `kind = "auto"` source's documents and print the kind it resolves to
        /// (exit 1 when one resolves to none).
        #[arg(long)]
        probe: bool,
    },
    /// Print shell completions or the man page.
    Generate(cli::generate::GenerateArgs),
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormatArg {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    Json,
    Ndjson,
}

#[derive(Clone, Copy, ValueEnum)]
enum TableFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum QuerySubject {
    Incidents,
    Components,
    Fetches,
    Anomalies,
    Notes,
}

fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| format!("{text:?} is neither RFC 3339 nor YYYY-MM-DD"))
}

fn parse_kind(text: &str) -> Result<Kind, String> {
    Kind::from_name(text)
        .ok_or_else(|| format!("unknown kind {text:?}; known kinds: {}", Kind::names()))
}

/// An error that ends the command, with its exit code.
struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    fn usage(message: impl ToString) -> Self {
        Failure {
            code: EXIT_USAGE,
            message: message.to_string(),
        }
    }
    fn runtime(message: impl ToString) -> Self {
        Failure {
            code: EXIT_SOME_FAILED,
            message: message.to_string(),
        }
    }
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Self {
        Failure::usage(e)
    }
}

impl From<LockError> for Failure {
    fn from(e: LockError) -> Self {
        let code = match e {
            LockError::Held { .. } => EXIT_LOCKED,
            LockError::Io { .. } => EXIT_USAGE,
        };
        Failure {
            code,
            message: e.to_string(),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let log_format = match cli.log_format {
        LogFormatArg::Text => LogFormat::Text,
        LogFormatArg::Json => LogFormat::Json,
    };
    logging::init(cli.verbose, cli.quiet, log_format);
    match run(cli.command, cli.quiet) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("statusdb: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

/// Loads the config, and the database path from `--db` or the config.
fn database_path(files: &Files) -> Result<PathBuf, Failure> {
    match &files.db {
        Some(db) => Ok(db.clone()),
        None => Ok(Config::load(&files.config)?.database_path),
    }
}

/// Loads the config, and the database path from `--db` or the config.
fn config_and_database(files: &Files) -> Result<(Config, PathBuf), Failure> {
    let config = Config::load(&files.config)?;
    let db = files
        .db
        .clone()
        .unwrap_or_else(|| config.database_path.clone());
    Ok((config, db))
}

/// The database when it exists; before the first ingest there is none, and a command that
/// reports on the config's sources or targets reports them as never run.
fn store_if_any(db: &Path) -> Result<Option<Store>, Failure> {
    if db.is_file() {
        Ok(Some(Store::open_existing(db).map_err(Failure::usage)?))
    } else {
        Ok(None)
    }
}

fn open_existing(path: &Path) -> Result<Store, Failure> {
    Store::open_existing(path).map_err(Failure::usage)
}

fn run(command: Command, quiet: bool) -> Result<u8, Failure> {
    match command {
        Command::Ingest(args) => cli::ingest::run(args, quiet),
        Command::Events(args) => cli::events::run(args),
        Command::Sources(args) => cli::sources::run(args),
        Command::Notify(args) => cli::notify::run(args),
        Command::Generate(args) => cli::generate::run(args),
        Command::ParseTime(args) => cli::parse_time::run(args),
        Command::Reparse(args) => cli::reparse::run(args),
        Command::Report(args) => cli::report::run(args),
        Command::Export {
            files,
            format,
            vendors,
            since,
            until,
            active,
            output,
        } => {
            let store = open_existing(&database_path(&files)?)?;
            let filter = Filter {
                vendors,
                since,
                until,
                active,
            };
            let format = match format {
                ExportFormat::Json => export::Format::Json,
                ExportFormat::Ndjson => export::Format::Ndjson,
            };
            let now = Utc::now();
            match output {
                Some(path) => {
                    let dir = match path.parent() {
                        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                        _ => PathBuf::from("."),
                    };
                    let mut file = tempfile::NamedTempFile::new_in(&dir).map_err(|e| {
                        Failure::usage(format!("cannot write in {}: {e}", dir.display()))
                    })?;
                    {
                        let mut writer = io::BufWriter::with_capacity(1 << 20, file.as_file_mut());
                        export::write(&store, &filter, format, now, &mut writer)
                            .map_err(Failure::runtime)?;
                    }
                    file.persist(&path).map_err(|e| {
                        Failure::runtime(format!("cannot write {}: {e}", path.display()))
                    })?;
                }
                None => {
                    let stdout = io::stdout();
                    // Large writes: a million-update export is over half a gigabyte.
                    let mut writer = io::BufWriter::with_capacity(1 << 20, stdout.lock());
                    export::write(&store, &filter, format, now, &mut writer)
                        .map_err(Failure::runtime)?;
                }
            }
            Ok(0)
        }
        Command::Query {
            subject,
            files,
            vendor,
            source,
            active,
            limit,
            format,
        } => {
            let store = open_existing(&database_path(&files)?)?;
            let subject = match subject {
                QuerySubject::Incidents => Subject::Incidents,
                QuerySubject::Components => Subject::Components,
                QuerySubject::Fetches => Subject::Fetches,
                QuerySubject::Anomalies => Subject::Anomalies,
                QuerySubject::Notes => Subject::Notes,
            };
            let filter = QueryFilter {
                vendor,
                source,
                active,
                limit,
            };
            let table = query::run(&store, subject, &filter).map_err(Failure::runtime)?;
            let mut out = io::stdout().lock();
            match format {
                TableFormat::Table => table.write_table(&mut out),
                TableFormat::Json => writeln!(out, "{}", table.to_json()),
            }
            .map_err(Failure::runtime)?;
            Ok(0)
        }
        Command::Parse {
            kind,
            file,
            fetched_at,
            url,
            zone,
        } => {
            let body = std::fs::read(&file)
                .map_err(|e| Failure::usage(format!("cannot read {}: {e}", file.display())))?;
            let url = url.unwrap_or_else(|| {
                std::path::absolute(&file)
                    .ok()
                    .and_then(|p| url::Url::from_file_path(p).ok())
                    .map(|u| u.to_string())
                    .unwrap_or_else(|| file.display().to_string())
            });
            let page = PageInput {
                url: &url,
                body: &body,
                fetched_at: fetched_at.unwrap_or_else(Utc::now),
                zone,
            };
            let observation = kind
                .parse_fetched(&page, None)
                .map_err(|e| Failure::runtime(format!("{}: {e}", file.display())))?;
            let mut out = io::stdout().lock();
            serde_json::to_writer_pretty(&mut out, &observation).map_err(Failure::runtime)?;
            writeln!(out).map_err(Failure::runtime)?;
            Ok(0)
        }
        Command::CheckConfig { config, probe } => {
            let config = Config::load(&config)?;
            println!(
                "{}: {} sources, database {}",
                config.file.display(),
                config.sources.len(),
                config.database_path.display()
            );
            if !config.notify.is_empty() {
                let ids: Vec<&str> = config.notify.iter().map(|t| t.id.as_str()).collect();
                println!("{} notify targets: {}", ids.len(), ids.join(", "));
            }
            if !config.sla.is_empty() {
                let names: Vec<&str> = config.sla.iter().map(|t| t.name.as_str()).collect();
                println!("{} sla targets: {}", names.len(), names.join(", "));
            }
            // A secret the targets need and the environment lacks: named, never printed.
            let problems = config.environment_problems();
            if let Some(last) = problems.last() {
                for problem in &problems[..problems.len() - 1] {
                    eprintln!("statusdb: {problem}");
                }
                return Err(Failure::usage(last));
            }
            if probe {
                return probe_auto_sources(&config);
            }
            Ok(0)
        }
    }
}

/// `check-config --probe`: one line per `auto` source, `<id>: auto -> <kind> (<evidence>)` or
/// `<id>: auto -> unresolved: <why>`.
fn probe_auto_sources(config: &Config) -> Result<u8, Failure> {
    let fetcher = statusdb::fetch::Fetcher::new(&config.fetch).map_err(Failure::runtime)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Failure::runtime)?;
    let mut unresolved = 0;
    let mut out = io::stdout().lock();
    for source in config.sources.iter().filter(|s| s.kind == Kind::Auto) {
        let line = match runtime.block_on(statusdb::probe::probe(&fetcher, &source.url)) {
            Ok(resolution) => format!(
                "{}: auto -> {} ({})",
                source.id,
                resolution.kind,
                resolution.evidence_line()
            ),
            Err(e) => {
                unresolved += 1;
                format!("{}: auto -> unresolved: {}", source.id, e.error)
            }
        };
        writeln!(out, "{line}").map_err(Failure::runtime)?;
    }
    Ok(if unresolved > 0 { EXIT_SOME_FAILED } else { 0 })
}
