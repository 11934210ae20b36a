//! Prometheus text exposition for node_exporter's textfile collector (`ingest --metrics-file`).
//!
//! Per source, from the database after the run (so a `--due` run that skipped a source still
//! reports its last known state): whether its last attempt succeeded, when it last succeeded,
//! how long its last attempt took, its consecutive failures and next due time. For the run: its
//! time, duration, sources by outcome and what it changed; per alert target (`[[notify]]`),
//! its pending and dead-lettered deliveries and its failed tries. The file is replaced atomically
//! (written beside it, then renamed), so the collector never reads half a file.

use crate::handoff::FailureCause;
use crate::notify::TargetStatus;
use crate::report::IngestReport;
use crate::source_status::SourceStatus;
use chrono::{DateTime, Utc};
use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::Path;

fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn seconds(t: &DateTime<Utc>) -> String {
    format!("{:.3}", t.timestamp_millis() as f64 / 1000.0)
}

struct Family<'a> {
    out: &'a mut String,
}

impl Family<'_> {
    fn header(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.out, "# HELP {name} {help}");
        let _ = writeln!(self.out, "# TYPE {name} {kind}");
    }
    fn sample(&mut self, name: &str, labels: &str, value: impl std::fmt::Display) {
        if labels.is_empty() {
            let _ = writeln!(self.out, "{name} {value}");
        } else {
            let _ = writeln!(self.out, "{name}{{{labels}}} {value}");
        }
    }
}

/// The metrics text for a run and the sources' state after it.
pub fn render(
    report: &IngestReport,
    sources: &[SourceStatus],
    finished_at: DateTime<Utc>,
) -> String {
    let mut out = String::new();
    let mut f = Family { out: &mut out };
    source_families(&mut f, sources);
    run_families(&mut f, report, finished_at);
    out
}

/// Per source that was ever attempted (labels `source`, `vendor`, `kind`).
fn source_families(f: &mut Family<'_>, sources: &[SourceStatus]) {
    let attempted: Vec<(&SourceStatus, String)> = sources
        .iter()
        .filter(|s| s.last_attempt_at.is_some())
        .map(|s| {
            (
                s,
                format!(
                    "source=\"{}\",vendor=\"{}\",kind=\"{}\"",
                    label(&s.id),
                    label(&s.vendor),
                    label(&s.kind)
                ),
            )
        })
        .collect();

    // Each family: its name, its help, and a source's sample (extra labels, value), if any.
    type Sample = fn(&SourceStatus) -> Option<(String, String)>;
    fn plain(value: String) -> Option<(String, String)> {
        Some((String::new(), value))
    }
    let families: [(&str, &str, Sample); 7] = [
        (
            "statusdb_source_up",
            "1 if the source's last fetch succeeded, 0 if it failed.",
            |s| plain(u8::from(!s.failing()).to_string()),
        ),
        (
            "statusdb_source_last_success_timestamp_seconds",
            "When the source was last fetched successfully (Unix time).",
            |s| s.last_success_at.as_ref().and_then(|t| plain(seconds(t))),
        ),
        (
            "statusdb_source_last_attempt_timestamp_seconds",
            "When the source was last attempted (Unix time).",
            |s| s.last_attempt_at.as_ref().and_then(|t| plain(seconds(t))),
        ),
        (
            "statusdb_source_duration_seconds",
            "How long the source's last attempt took, all its documents together.",
            |s| {
                s.last_duration_ms
                    .and_then(|ms| plain(format!("{:.3}", ms as f64 / 1000.0)))
            },
        ),
        (
            "statusdb_source_consecutive_failures",
            "Failed attempts since the source's last success.",
            |s| plain(s.consecutive_failures.to_string()),
        ),
        (
            "statusdb_source_failing",
            "1 for a source whose last attempt failed, labelled with why: stage (fetch: the \
             vendor or the way to it is down; parse: its page changed or something stands in \
             front of it; internal) and cause (a stable word: dns, http_status, wrong_format, \
             ...).",
            |s| {
                let cause = s.last_cause.as_deref().and_then(FailureCause::from_word);
                s.failing().then(|| {
                    (
                        format!(
                            ",stage=\"{}\",cause=\"{}\"",
                            cause.map_or("unknown", FailureCause::stage),
                            cause.map_or("unknown", FailureCause::as_str)
                        ),
                        "1".to_string(),
                    )
                })
            },
        ),
        (
            "statusdb_source_next_due_timestamp_seconds",
            "When `ingest --due` fetches the source next (Unix time).",
            |s| s.next_due_at.as_ref().and_then(|t| plain(seconds(t))),
        ),
    ];
    for (name, help, sample) in families {
        f.header(name, "gauge", help);
        for (s, labels) in &attempted {
            if let Some((extra, value)) = sample(s) {
                f.sample(name, &format!("{labels}{extra}"), value);
            }
        }
    }
}

/// The run's own families.
fn run_families(f: &mut Family<'_>, report: &IngestReport, finished_at: DateTime<Utc>) {
    let t = &report.totals;
    f.header(
        "statusdb_run_timestamp_seconds",
        "gauge",
        "When the last ingest run finished (Unix time).",
    );
    f.sample("statusdb_run_timestamp_seconds", "", seconds(&finished_at));
    f.header(
        "statusdb_run_duration_seconds",
        "gauge",
        "How long the last ingest run took.",
    );
    f.sample(
        "statusdb_run_duration_seconds",
        "",
        format!("{:.3}", report.elapsed_ms as f64 / 1000.0),
    );
    f.header(
        "statusdb_run_sources",
        "gauge",
        "Sources of the last run by outcome.",
    );
    for (outcome, n) in [
        ("fetched", t.fetched),
        ("not_modified", t.not_modified),
        ("failed", t.failed),
    ] {
        f.sample("statusdb_run_sources", &format!("outcome=\"{outcome}\""), n);
    }
    let c = &t.counts;
    for (name, help, n) in [
        (
            "statusdb_run_incidents_new",
            "Incidents first stored by the last run.",
            c.incidents_new,
        ),
        (
            "statusdb_run_incidents_changed",
            "Stored incidents the last run changed.",
            c.incidents_changed,
        ),
        (
            "statusdb_run_updates_new",
            "Incident updates first stored by the last run.",
            c.updates_new,
        ),
        (
            "statusdb_run_updates_changed",
            "Stored incident updates the last run revised.",
            c.updates_changed,
        ),
        (
            "statusdb_run_components_changed",
            "Components whose status the last run changed or first stored.",
            c.components_changed,
        ),
        (
            "statusdb_run_events",
            "Change events the last run wrote.",
            c.events,
        ),
    ] {
        f.header(name, "gauge", help);
        f.sample(name, "", n);
    }
}

/// The alert targets' families, from the outbox after the run's deliveries (labels `target`,
/// `kind`): appended to the file only when the config has targets.
pub fn render_notify(targets: &[TargetStatus]) -> String {
    let mut out = String::new();
    let mut f = Family { out: &mut out };
    let labelled: Vec<(&TargetStatus, String)> = targets
        .iter()
        .filter(|t| t.configured)
        .map(|t| {
            (
                t,
                format!("target=\"{}\",kind=\"{}\"", label(&t.id), label(&t.kind)),
            )
        })
        .collect();
    type Value = fn(&TargetStatus) -> i64;
    let families: [(&str, &str, &str, Value); 3] = [
        (
            "statusdb_notify_pending",
            "gauge",
            "Deliveries waiting to go out to the target (never sent, or failed for now).",
            |t| t.pending,
        ),
        (
            "statusdb_notify_dead_lettered",
            "gauge",
            "Deliveries to the target given up after the configured number of tries.",
            |t| t.dead_lettered,
        ),
        (
            "statusdb_notify_failed_total",
            "counter",
            "Failed tries to deliver to the target (refused, no answer, 4xx, 5xx), ever.",
            |t| t.failed_tries,
        ),
    ];
    for (name, kind, help, value) in families {
        f.header(name, kind, help);
        for (t, l) in &labelled {
            f.sample(name, l, value(t));
        }
    }
    out
}

/// Replaces `path` with `text` atomically: a temporary file in the same directory, made
/// world-readable (the collector often runs as another user), then renamed over it.
pub fn write_atomically(path: &Path, text: &str) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut file = tempfile::Builder::new()
        .prefix(".statusdb-metrics")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    file.write_all(text.as_bytes())?;
    file.as_file().sync_all()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::label;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
