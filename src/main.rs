use clap::{Parser, Subcommand};
use statusdb::timetext::{Context, run_parse_time};
use std::io;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "statusdb",
    about = "Vendor status pages into a trustworthy local SQLite record"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Reads lines TEXT<TAB>CONTEXT from stdin and writes one JSON object per line.
    ParseTime {
        /// Default context for lines without a tab: YYYY-MM-DD, or an RFC 3339 instant, optionally with " tz=Area/City".
        #[arg(long)]
        context: Option<String>,
        /// Default page zone (IANA name) for lines whose context has none.
        #[arg(long)]
        zone: Option<chrono_tz::Tz>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::ParseTime { context, zone } => {
            let mut defaults = match context.as_deref().map(Context::from_spec).transpose() {
                Ok(c) => c.unwrap_or_default(),
                Err(e) => {
                    eprintln!("statusdb parse-time: {e}");
                    return ExitCode::from(2);
                }
            };
            if zone.is_some() {
                defaults.zone = zone;
            }
            match run_parse_time(io::stdin().lock(), io::stdout().lock(), &defaults) {
                Ok(_) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("statusdb parse-time: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
