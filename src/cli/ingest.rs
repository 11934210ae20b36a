//! `statusdb ingest`: one run, then the alerts it made delivered (within `[delivery]
//! time_limit`), then what it tells: per-source errors on stderr, one summary line at info
//! level, the JSON run report on stdout (`--json`), the metrics file (`--metrics-file`).

use crate::{EXIT_SOME_FAILED, Failure, Files};
use statusdb::config::Config;
use statusdb::ingest::{self, IngestOptions, ProgressHandle};
use statusdb::lock::RunLock;
use statusdb::report::IngestReport;
use statusdb::store::Store;
use statusdb::{metrics, notify, progress, source_status};
use std::io::{self, Write};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct IngestArgs {
    #[command(flatten)]
    files: Files,
    /// Only this source (repeatable).
    #[arg(long = "source", value_name = "ID")]
    sources: Vec<String>,
    /// Only sources whose interval has passed since their last attempt.
    #[arg(long)]
    due: bool,
    /// Print the run report as JSON on stdout (see docs/OPERATIONS.md).
    #[arg(long)]
    json: bool,
    /// Write Prometheus metrics to this file (atomically), for node_exporter's textfile collector.
    #[arg(long, value_name = "F")]
    metrics_file: Option<PathBuf>,
}

pub fn run(args: IngestArgs, quiet: bool) -> Result<u8, Failure> {
    let (config, db) = crate::config_and_database(&args.files)?;
    // Checked before the lock file is made, so a bad path leaves nothing behind.
    Store::preflight(&db).map_err(Failure::usage)?;
    let _lock = RunLock::acquire(&db)?;
    let store = Store::open(&db).map_err(Failure::usage)?;
    // Before any event of this run is written, so the targets' filters are the config's.
    notify::sync_targets(store.connection(), &config.notify, chrono::Utc::now())
        .map_err(Failure::runtime)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Failure::runtime)?;
    let bar = progress::for_stderr(quiet);
    let options = IngestOptions {
        sources: args.sources,
        due_only: args.due,
        progress: bar
            .clone()
            .map(|b| ProgressHandle(b as std::sync::Arc<dyn ingest::Progress>)),
    };
    let result = runtime.block_on(ingest::run(&config, store, &options));
    if let Some(bar) = &bar {
        bar.finish();
    }
    let run = result.map_err(|e| match e {
        ingest::IngestError::UnknownSource(_) => Failure::usage(e),
        other => Failure::runtime(other),
    })?;

    for s in &run.sources {
        if let Some(error) = &s.error {
            let cause = s.cause.unwrap_or("internal");
            tracing::error!(source = %s.source, cause = %cause, "{error}");
        }
    }
    let report = IngestReport::from_run(&run);
    let t = &report.totals;
    tracing::info!(
        run_id = report.run_id,
        sources = t.sources,
        fetched = t.fetched,
        not_modified = t.not_modified,
        failed = t.failed,
        incidents_new = t.counts.incidents_new,
        incidents_changed = t.counts.incidents_changed,
        updates_new = t.counts.updates_new,
        updates_changed = t.counts.updates_changed,
        components_changed = t.counts.components_changed,
        events = t.counts.events,
        elapsed_ms = report.elapsed_ms,
        "ingest finished"
    );

    // A receiver that fails never changes the run's exit code: its trouble is one WARN line
    // per target, the metrics and `statusdb notify --status`.
    if !config.notify.is_empty() {
        deliver_alerts(&config, &db, &runtime);
    }

    let mut code = if t.failed > 0 { EXIT_SOME_FAILED } else { 0 };
    if args.json {
        let mut out = io::stdout().lock();
        serde_json::to_writer(&mut out, &report)
            .map_err(io::Error::from)
            .and_then(|()| writeln!(out))
            .map_err(|e| Failure::runtime(format!("cannot write the run report: {e}")))?;
    }
    if let Some(path) = &args.metrics_file {
        let written = Store::open(&db)
            .map_err(|e| e.to_string())
            .and_then(|store| {
                let sources =
                    source_status::list(&config, Some(&store)).map_err(|e| e.to_string())?;
                let mut text = metrics::render(&report, &sources, chrono::Utc::now());
                if !config.notify.is_empty() {
                    let targets = notify::status(Some(store.connection()), &config.notify)
                        .map_err(|e| e.to_string())?;
                    text.push_str(&metrics::render_notify(&targets));
                }
                metrics::write_atomically(path, &text).map_err(|e| e.to_string())
            });
        if let Err(e) = written {
            tracing::error!("cannot write metrics file {}: {e}", path.display());
            code = EXIT_SOME_FAILED;
        }
    }
    Ok(code)
}

/// Delivers the alerts that are due after the run, unless `statusdb notify` is delivering
/// now (it holds the delivery lock and sends them itself).
fn deliver_alerts(config: &Config, db: &std::path::Path, runtime: &tokio::runtime::Runtime) {
    let _lock = match notify::lock(db) {
        Ok(lock) => lock,
        Err(e) => {
            tracing::info!("alerts left to the delivery under way: {e}");
            return;
        }
    };
    let delivered = Store::open(db)
        .map_err(|e| e.to_string())
        .and_then(|store| {
            runtime
                .block_on(notify::deliver(&store, config))
                .map_err(|e| e.to_string())
        });
    match delivered {
        Ok(report) => tracing::info!(
            delivered = report.delivered(),
            pending = report.left(),
            elapsed_ms = report.elapsed.as_millis() as u64,
            "alerts delivered"
        ),
        Err(e) => tracing::warn!("cannot deliver alerts: {e}"),
    }
}
