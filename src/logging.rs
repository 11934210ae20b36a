//! Logging: everything goes to stderr through `tracing`, so stdout carries only data.
//!
//! Quiet by default (warnings and errors only), so a clean cron run prints nothing and cron mails
//! only trouble. `-v` adds statusdb's info lines (one summary per run), `-vv` debug, `-vvv`
//! trace; `-q` keeps only errors. Without `-v`/`-q`, `RUST_LOG` (an `EnvFilter`, e.g.
//! `statusdb=debug,reqwest=info`) is honoured when set.

use crate::progress;
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// One human-readable line per event.
    #[default]
    Text,
    /// One JSON object per line, for log shippers.
    Json,
}

/// The filter directives for the command-line flags and the `RUST_LOG` value.
/// Flags win over the environment; with neither, warnings and errors only.
pub(crate) fn directives(verbose: u8, quiet: bool, rust_log: Option<&str>) -> String {
    match (quiet, verbose, rust_log) {
        (true, _, _) => "error".into(),
        (false, 0, Some(env)) if !env.trim().is_empty() => env.into(),
        (false, 0, _) => "warn".into(),
        (false, 1, _) => "warn,statusdb=info".into(),
        (false, 2, _) => "warn,statusdb=debug".into(),
        (false, _, _) => "info,statusdb=trace".into(),
    }
}

/// Installs the global subscriber. Lines go to stderr, around any progress bar.
pub fn init(verbose: u8, quiet: bool, format: LogFormat) {
    let rust_log = std::env::var("RUST_LOG").ok();
    let wanted = directives(verbose, quiet, rust_log.as_deref());
    let filter = EnvFilter::try_new(&wanted).unwrap_or_else(|e| {
        // A malformed RUST_LOG must not silence errors: fall back to the default and say so.
        eprintln!("statusdb: ignoring RUST_LOG={wanted:?}: {e}");
        EnvFilter::new("warn")
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(progress::stderr_writer)
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none());
    match format {
        LogFormat::Text => builder.with_target(false).init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}

#[cfg(test)]
mod tests {
    use super::directives;

    #[test]
    fn flags_win_over_rust_log_and_default_is_warn() {
        assert_eq!(directives(0, false, None), "warn");
        assert_eq!(directives(0, false, Some("")), "warn");
        assert_eq!(
            directives(0, false, Some("statusdb=debug")),
            "statusdb=debug"
        );
        assert_eq!(
            directives(1, false, Some("statusdb=debug")),
            "warn,statusdb=info"
        );
        assert_eq!(directives(2, false, None), "warn,statusdb=debug");
        assert_eq!(directives(5, false, None), "info,statusdb=trace");
        assert_eq!(directives(0, true, Some("trace")), "error");
    }
}
