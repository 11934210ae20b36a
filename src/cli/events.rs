//! `statusdb events`: what changed, as NDJSON for pipelines or a table for people.

use crate::{Failure, Files, database_path, open_existing, parse_instant};
use chrono::{DateTime, Utc};
use clap::ValueEnum;
use statusdb::events::{self, EventFilter};
use std::io::{self, Write};

#[derive(clap::Args)]
pub struct EventsArgs {
    #[command(flatten)]
    files: Files,
    /// Events of run N and every later run (`ingest --json` prints a run's id).
    #[arg(long, value_name = "N")]
    since_run: Option<i64>,
    /// Events recorded at or after T (RFC 3339 or YYYY-MM-DD).
    #[arg(long, value_name = "T", value_parser = parse_instant)]
    since: Option<DateTime<Utc>>,
    /// Only this vendor (repeatable).
    #[arg(long = "vendor", value_name = "V")]
    vendors: Vec<String>,
    /// ndjson: one event object per line (schema/event-v1.schema.json); table: for people.
    #[arg(long, value_enum, default_value = "ndjson")]
    format: EventsFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum EventsFormat {
    Ndjson,
    Table,
}

pub fn run(args: EventsArgs) -> Result<u8, Failure> {
    let store = open_existing(&database_path(&args.files)?)?;
    let filter = EventFilter {
        since_run: args.since_run,
        since: args.since,
        vendors: args.vendors,
    };
    let events = events::list(&store, &filter).map_err(Failure::runtime)?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    let written = match args.format {
        EventsFormat::Ndjson => events.iter().try_for_each(|e| {
            serde_json::to_writer(&mut out, e)?;
            writeln!(out).map_err(serde_json::Error::io)
        }),
        EventsFormat::Table => {
            let mut table = super::table(&[
                "ID",
                "RUN",
                "RECORDED_AT",
                "TYPE",
                "VENDOR",
                "STATUS",
                "SUBJECT",
            ]);
            for e in &events {
                let status = match (&e.previous_status, &e.status) {
                    (Some(before), Some(now)) => format!("{before} -> {now}"),
                    (None, Some(now)) => now.clone(),
                    _ => String::new(),
                };
                table.add_row([
                    e.id.to_string(),
                    e.run_id.map(|r| r.to_string()).unwrap_or_default(),
                    e.recorded_at.clone(),
                    e.kind.to_string(),
                    e.vendor.clone(),
                    status,
                    super::cell(&e.subject(), 70),
                ]);
            }
            writeln!(out, "{table}").map_err(serde_json::Error::io)
        }
    };
    written
        .and_then(|()| out.flush().map_err(serde_json::Error::io))
        .map_err(Failure::runtime)?;
    Ok(0)
}
