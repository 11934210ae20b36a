//! `statusdb notify`: delivers the pending alerts (nothing else), or with `--status` shows
//! each target's deliveries: pending, delivered, failed, dead-lettered, the last error.

use crate::{EXIT_SOME_FAILED, Failure, Files};
use chrono::Utc;
use clap::ValueEnum;
use statusdb::config::Config;
use statusdb::model::format_utc;
use statusdb::notify::{self, outbox};
use statusdb::store::Store;
use std::io::{self, Write};

#[derive(clap::Args)]
pub struct NotifyArgs {
    #[command(flatten)]
    files: Files,
    /// Show each target's deliveries instead of delivering.
    #[arg(long)]
    status: bool,
    /// With --status: table for people, json for scripts.
    #[arg(long, value_enum, default_value = "table", requires = "status")]
    format: StatusFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum StatusFormat {
    Table,
    Json,
}

pub fn run(args: NotifyArgs) -> Result<u8, Failure> {
    let (config, db) = crate::config_and_database(&args.files)?;
    if args.status {
        return show_status(&config, &db, args.format);
    }
    Store::preflight(&db).map_err(Failure::usage)?;
    let _lock = notify::lock(&db)?;
    let store = Store::open(&db).map_err(Failure::usage)?;
    notify::sync_targets(store.connection(), &config.notify, Utc::now())
        .map_err(Failure::runtime)?;
    if config.notify.is_empty() {
        return Ok(0);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Failure::runtime)?;
    let report = runtime
        .block_on(notify::deliver(&store, &config))
        .map_err(Failure::runtime)?;
    tracing::info!(
        targets = report.targets.len(),
        delivered = report.delivered(),
        pending = report.left(),
        elapsed_ms = report.elapsed.as_millis() as u64,
        "notify finished"
    );
    Ok(if report.had_trouble() {
        EXIT_SOME_FAILED
    } else {
        0
    })
}

fn show_status(config: &Config, db: &std::path::Path, format: StatusFormat) -> Result<u8, Failure> {
    let store = crate::store_if_any(db)?;
    let conn = match &store {
        Some(store) if outbox::has_outbox(store.connection()).map_err(Failure::runtime)? => {
            Some(store.connection())
        }
        _ => None,
    };
    let targets = notify::status(conn, &config.notify).map_err(Failure::runtime)?;
    let mut out = io::stdout().lock();
    match format {
        StatusFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &targets).map_err(Failure::runtime)?;
            writeln!(out).map_err(Failure::runtime)?;
        }
        StatusFormat::Table => {
            let now = format_utc(&Utc::now());
            let mut table = super::table(&[
                "TARGET",
                "KIND",
                "PENDING",
                "DELIVERED",
                "FAILED",
                "DEAD",
                "NEXT_TRY",
                "LAST_ERROR",
            ]);
            for t in &targets {
                let id = super::listed_id(&t.id, t.configured);
                let next = match (&t.next_attempt_at, t.pending) {
                    (_, 0) => String::new(),
                    (Some(at), _) if *at > now => at.clone(),
                    _ => "now".into(),
                };
                let error = match (&t.last_error_at, &t.last_error) {
                    (Some(at), Some(e)) => format!("{at} {e}"),
                    (_, Some(e)) => e.clone(),
                    _ => String::new(),
                };
                table.add_row([
                    id,
                    t.kind.clone(),
                    t.pending.to_string(),
                    t.delivered.to_string(),
                    t.failed.to_string(),
                    t.dead_lettered.to_string(),
                    next,
                    super::cell(&error, 70),
                ]);
            }
            writeln!(out, "{table}").map_err(Failure::runtime)?;
        }
    }
    Ok(0)
}
