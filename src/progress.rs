//! A progress bar for interactive ingest runs. Drawn only when stderr is a terminal, so cron
//! mail, pipes and log files never see it; log lines written while it is drawn are printed
//! above it (see `stderr_writer`).

use crate::ingest::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{self, IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The bar being drawn, if any; log lines suspend it while they print.
static ACTIVE: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Whether an ingest should draw a progress bar: only for a person watching a terminal.
pub(crate) fn wanted(stderr_is_terminal: bool, quiet: bool) -> bool {
    stderr_is_terminal && !quiet
}

/// A bar on stderr, when `wanted` for this process's stderr.
pub fn for_stderr(quiet: bool) -> Option<Arc<Bar>> {
    wanted(io::stderr().is_terminal(), quiet).then(|| Arc::new(Bar::new()))
}

/// The progress bar of an ingest run (it is the run's [`Progress`](crate::ingest::Progress)).
pub struct Bar {
    bar: ProgressBar,
}

impl Bar {
    fn new() -> Bar {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{spinner} ingest [{bar:30}] {pos}/{len} sources, {elapsed} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        Bar { bar }
    }

    /// Removes the bar from the screen.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
        if let Ok(mut active) = ACTIVE.lock() {
            *active = None;
        }
    }
}

impl Progress for Bar {
    fn start(&self, sources: usize) {
        self.bar.set_length(sources as u64);
        self.bar.enable_steady_tick(Duration::from_millis(120));
        if let Ok(mut active) = ACTIVE.lock() {
            *active = Some(self.bar.clone());
        }
    }

    fn source_done(&self, source_id: &str, failed: bool) {
        if failed {
            self.bar.set_message(format!("({source_id} failed)"));
        }
        self.bar.inc(1);
    }
}

/// Stderr for log lines: suspends the progress bar, if one is drawn, while a line is written.
pub(crate) struct StderrWriter;

pub(crate) fn stderr_writer() -> StderrWriter {
    StderrWriter
}

impl Write for StderrWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let bar = ACTIVE.lock().ok().and_then(|a| a.clone());
        match bar {
            Some(bar) => bar
                .suspend(|| io::stderr().write_all(buf))
                .map(|_| buf.len()),
            None => io::stderr().write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_a_terminal_without_quiet_gets_a_bar() {
        assert!(super::wanted(true, false));
        assert!(!super::wanted(true, true));
        assert!(!super::wanted(false, false));
    }
}
