//! `statusdb sources`: every source with its health, from the config and the database.

use crate::{Failure, Files};
use chrono::Utc;
use clap::ValueEnum;
use statusdb::model::format_utc;
use statusdb::source_status;
use std::io::{self, Write};

#[derive(clap::Args)]
pub struct SourcesArgs {
    #[command(flatten)]
    files: Files,
    #[arg(long, value_enum, default_value = "table")]
    format: SourcesFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum SourcesFormat {
    Table,
    Json,
}

pub fn run(args: SourcesArgs) -> Result<u8, Failure> {
    let (config, db) = crate::config_and_database(&args.files)?;
    let store = crate::store_if_any(&db)?;
    let sources = source_status::list(&config, store.as_ref()).map_err(Failure::runtime)?;
    let mut out = io::stdout().lock();
    match args.format {
        SourcesFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &sources).map_err(Failure::runtime)?;
            writeln!(out).map_err(Failure::runtime)?;
        }
        SourcesFormat::Table => {
            let now = Utc::now();
            let time = |t: &Option<chrono::DateTime<Utc>>| t.as_ref().map(format_utc);
            let mut table = super::table(&[
                "SOURCE",
                "KIND",
                "LAST_SUCCESS",
                "FAILURES",
                "NEXT_DUE",
                "CAUSE",
                "LAST_ERROR",
            ]);
            for s in &sources {
                let id = super::listed_id(&s.id, s.configured);
                let next_due = match &s.next_due_at {
                    Some(t) if *t > now => format_utc(t),
                    Some(_) | None => "now".to_string(),
                };
                let kind = match &s.resolved_kind {
                    Some(resolved) => format!("{} ({resolved})", s.kind),
                    None => s.kind.clone(),
                };
                table.add_row([
                    id,
                    kind,
                    time(&s.last_success_at).unwrap_or_else(|| "never".into()),
                    s.consecutive_failures.to_string(),
                    next_due,
                    s.last_cause.clone().unwrap_or_default(),
                    super::cell(s.last_error.as_deref().unwrap_or(""), 60),
                ]);
            }
            writeln!(out, "{table}").map_err(Failure::runtime)?;
        }
    }
    Ok(0)
}
