//! `statusdb reparse`: rebuild every record from the stored raw pages.

use crate::{Failure, Files};
use statusdb::config::Config;
use statusdb::lock::RunLock;
use statusdb::reparse;
use statusdb::store::Store;
use std::io::{self, Write};

#[derive(clap::Args)]
pub struct ReparseArgs {
    #[command(flatten)]
    files: Files,
    /// Print what was rebuilt as JSON on stdout.
    #[arg(long)]
    json: bool,
}

pub fn run(args: ReparseArgs) -> Result<u8, Failure> {
    // The config is optional when --db names the database: the database keeps each source's
    // vendor, kind and zone from the last ingest.
    let config = match (&args.files.db, args.files.config.is_file()) {
        (Some(_), false) => None,
        _ => Some(Config::load(&args.files.config)?),
    };
    let db = match (&args.files.db, &config) {
        (Some(db), _) => db.clone(),
        (None, Some(config)) => config.database_path.clone(),
        (None, None) => unreachable!("a config is loaded when --db is not given"),
    };
    let _lock = RunLock::acquire(&db)?;
    let mut store = Store::open_existing(&db).map_err(Failure::usage)?;
    let report = reparse::run(&mut store, config.as_ref()).map_err(Failure::runtime)?;
    for failure in &report.parse_failures {
        tracing::warn!("{failure}; its source run was left out");
    }
    tracing::info!(
        source_runs = report.source_runs,
        documents = report.documents_parsed,
        incidents = report.incidents,
        "reparse finished"
    );
    if args.json {
        let mut out = io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, &report).map_err(Failure::runtime)?;
        writeln!(out).map_err(Failure::runtime)?;
    }
    Ok(if report.parse_failures.is_empty() {
        0
    } else {
        crate::EXIT_SOME_FAILED
    })
}
