//! Alerts: the change events delivered to webhooks, Slack, Teams and PagerDuty, none lost
//! (docs/ALERTS.md).
//!
//! The outbox is in the database. Migration 7 keeps the configured targets with their filters
//! (`notify_targets`, synced from the config at the start of `ingest` and `notify`) and a
//! trigger on `events` that writes a `notify_deliveries` row for every target whose filter lets
//! the event through, in the transaction that writes the event, whatever code writes it. A
//! delivery stays `pending` until its receiver answers 2xx; a try's outcome is committed on its
//! own, so a process killed at any moment loses no delivery (the try it was making is made
//! again, with the same `Idempotency-Key`). `deliver` sends what is due, each target's
//! deliveries in event order, all targets at once, within `[delivery] time_limit`.

pub(crate) mod alert;
pub mod outbox;
pub(crate) mod payload;
pub(crate) mod send;

pub use outbox::{TargetStatus, status, sync_targets};

use crate::config::{Config, DeliverySettings, Endpoint, NotifyKind, NotifyTarget, WebhookFormat};
use crate::events::{self, Event, EventFilter};
use crate::lock::{LockError, RunLock};
use crate::store::{Store, StoreError};
use alert::Alert;
use chrono::Utc;
use outbox::{Pending, Recorded};
use send::Answer;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::time::Instant;

/// The most pending deliveries of one target read in one run: more cannot go out within
/// any sensible time bound; the rest wait for the next run.
const PENDING_PER_RUN: usize = 1000;
/// The longest `Retry-After` honoured as asked; a longer one waits this long.
const RETRY_AFTER_CAP: Duration = Duration::from_secs(24 * 60 * 60);

/// Why alerts could not be delivered at all (a target's failure is an outcome).
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The HTTP client could not be made.
    #[error("cannot make the HTTP client: {0}")]
    Client(String),
}

/// The delivery lock of a database, `<db>.notify.lock`: one delivering process at a time, so
/// no delivery is sent twice at once. It is not ingest's lock: `statusdb notify` may run
/// while an ingest fetches.
pub fn lock(db: &Path) -> Result<RunLock, LockError> {
    let mut name = db.as_os_str().to_owned();
    name.push(".notify");
    RunLock::acquire(&PathBuf::from(name))
}

/// What one delivery run did for one target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetRun {
    /// The target's id.
    pub id: String,
    /// Delivered this run.
    pub delivered: usize,
    /// Failed for good this run (a 4xx, a redirect).
    pub failed: usize,
    /// Failed for now this run; tried again later.
    pub retrying: usize,
    /// Out of tries this run.
    pub dead_lettered: usize,
    /// Still pending after the run (waiting for their next try, or for time).
    pub left: usize,
    /// The last problem of the run: a failed try, or a secret missing from the environment.
    pub error: Option<String>,
}

impl TargetRun {
    pub(crate) fn had_trouble(&self) -> bool {
        self.error.is_some()
    }
}

/// What one delivery run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Each target's run.
    pub targets: Vec<TargetRun>,
    /// How long the run took.
    pub elapsed: Duration,
}

impl DeliveryReport {
    /// Whether a target met a problem.
    pub fn had_trouble(&self) -> bool {
        self.targets.iter().any(TargetRun::had_trouble)
    }
    fn total(&self, f: impl Fn(&TargetRun) -> usize) -> usize {
        self.targets.iter().map(f).sum()
    }
    /// Deliveries made, over all targets.
    pub fn delivered(&self) -> usize {
        self.total(|t| t.delivered)
    }
    /// Deliveries still pending, over all targets.
    pub fn left(&self) -> usize {
        self.total(|t| t.left)
    }
}

/// A target made ready to send: its secrets read from the environment.
struct Ready<'a> {
    target: &'a NotifyTarget,
    url: url::Url,
    routing_key: Option<String>,
    secret: Option<String>,
}

fn ready(target: &NotifyTarget) -> Result<Ready<'_>, (&NotifyTarget, String)> {
    prepare(target).map_err(|why| (target, why))
}

fn prepare(target: &NotifyTarget) -> Result<Ready<'_>, String> {
    let missing = |var: &crate::config::EnvVar| {
        format!(
            "environment variable {} ({}) is not set; its deliveries wait",
            var.name, var.key
        )
    };
    let url = match &target.endpoint {
        Endpoint::Url(url) => url.clone(),
        Endpoint::Env(var) => {
            let value = var.value().ok_or_else(|| missing(var))?;
            crate::config::parse_target_url(&value).map_err(|why| {
                format!(
                    "environment variable {} ({}) {why}; its deliveries wait",
                    var.name, var.key
                )
            })?
        }
    };
    let secret_of = |var: &Option<crate::config::EnvVar>| {
        var.as_ref()
            .map(|v| v.value().ok_or_else(|| missing(v)))
            .transpose()
    };
    Ok(Ready {
        target,
        url,
        routing_key: secret_of(&target.routing_key_env)?,
        secret: secret_of(&target.secret_env)?,
    })
}

/// The wait before the next try of a delivery that has failed `failures` times: the base
/// delay doubled per failure after the first, at most the maximum; at least what the
/// receiver's `Retry-After` asked.
pub(crate) fn backoff(
    settings: &DeliverySettings,
    failures: u32,
    retry_after: Option<Duration>,
) -> Duration {
    let doubling = 2u32.saturating_pow(failures.saturating_sub(1).min(31));
    let computed = settings
        .retry_base_delay
        .saturating_mul(doubling)
        .min(settings.retry_max_delay);
    computed.max(retry_after.unwrap_or_default().min(RETRY_AFTER_CAP))
}

/// Everything one run needs to build and send bodies, shared by the targets' tasks.
struct Run<'a> {
    store: &'a Store,
    config: &'a Config,
    client: reqwest::Client,
    events: HashMap<i64, Event>,
    deadline: Instant,
}

/// Delivers what is due to every configured target, within `[delivery] time_limit`; what is
/// left goes out on a later run. One `WARN` line per target that had trouble. Returns what it
/// did; an error only when the database fails.
pub async fn deliver(store: &Store, config: &Config) -> Result<DeliveryReport, NotifyError> {
    let started = Instant::now();
    let settings = &config.delivery;
    let client = reqwest::Client::builder()
        .user_agent(config.fetch.user_agent.clone())
        // A redirected POST becomes a GET in most clients; a receiver's URL is given exactly.
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
        .build()
        .map_err(|e| NotifyError::Client(e.to_string()))?;

    let conn = store.connection();
    let mut work = Vec::new();
    for target in &config.notify {
        let pending = outbox::pending(conn, &target.id, PENDING_PER_RUN)?;
        work.push((ready(target), pending));
    }
    // The events of every pending delivery, read once.
    let oldest = work
        .iter()
        .flat_map(|(_, p)| p.iter().map(|d| d.recorded_at))
        .min();
    let events: HashMap<i64, Event> = match oldest {
        Some(since) => events::list(
            store,
            &EventFilter {
                since: Some(since),
                ..EventFilter::default()
            },
        )?
        .into_iter()
        .map(|e| (e.id, e))
        .collect(),
        None => HashMap::new(),
    };
    let run = Run {
        store,
        config,
        client,
        events,
        deadline: started + settings.time_limit,
    };
    let tasks = work.into_iter().map(|(ready, pending)| {
        let run = &run;
        async move {
            match ready {
                Ok(ready) => deliver_target(run, &ready, pending).await,
                Err((target, why)) => {
                    outbox::record_target_error(
                        run.store.connection(),
                        &target.id,
                        Utc::now(),
                        &why,
                    )?;
                    Ok(TargetRun {
                        id: target.id.clone(),
                        left: pending.len(),
                        error: Some(why),
                        ..TargetRun::default()
                    })
                }
            }
        }
    });
    // Every request is bounded by the deadline; this guards the bound itself. A task cut off
    // between two awaits has committed every outcome it saw (its writes are synchronous).
    let guard = settings.time_limit + Duration::from_secs(1);
    let results = match tokio::time::timeout(guard, futures::future::join_all(tasks)).await {
        Ok(results) => results,
        Err(_) => config
            .notify
            .iter()
            .map(|t| {
                Ok(TargetRun {
                    id: t.id.clone(),
                    error: Some("cut off at the delivery time limit".into()),
                    ..TargetRun::default()
                })
            })
            .collect(),
    };
    let mut report = DeliveryReport::default();
    for (target, result) in config.notify.iter().zip(results) {
        let outcome = result?;
        if let Some(error) = &outcome.error {
            tracing::warn!(
                delivered = outcome.delivered,
                pending = outcome.left,
                failed = outcome.failed,
                dead_lettered = outcome.dead_lettered,
                "notify target {} ({}): {error}",
                target.id,
                target.kind
            );
        }
        report.targets.push(outcome);
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

/// One target's due deliveries, oldest event first. A delivery not due yet holds back the
/// ones after it, and so does a try that failed for now: a receiver sees a target's events in
/// the order they happened (a resolution never before the incident it resolves).
async fn deliver_target(
    run: &Run<'_>,
    ready: &Ready<'_>,
    pending: Vec<Pending>,
) -> Result<TargetRun, NotifyError> {
    let target = ready.target;
    let conn = run.store.connection();
    let settings = &run.config.delivery;
    let mut outcome = TargetRun {
        id: target.id.clone(),
        left: pending.len(),
        ..TargetRun::default()
    };
    for delivery in pending {
        let now = Utc::now();
        if delivery.next_attempt_at.is_some_and(|next| next > now) {
            break;
        }
        let remaining = run.deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            break;
        }
        let Some(event) = run.events.get(&delivery.event_id) else {
            return Err(StoreError::Invalid(format!(
                "delivery to {} names event {}, which is not stored",
                target.id, delivery.event_id
            ))
            .into());
        };
        let answer = match body(run, ready, event, &delivery) {
            Ok(body) => {
                let mut headers = vec![(
                    send::IDEMPOTENCY_HEADER,
                    send::idempotency_key(&target.id, event.id, &event.recorded_at),
                )];
                if let Some(secret) = &ready.secret {
                    headers.push((send::SIGNATURE_HEADER, send::signature(secret, &body)));
                }
                let words = |d: Duration| humantime::format_duration(d).to_string();
                let (timeout, timeout_words) = if remaining < settings.timeout {
                    let limit = words(settings.time_limit);
                    (remaining, format!("the delivery time limit ({limit})"))
                } else {
                    (settings.timeout, words(settings.timeout))
                };
                send::post(
                    &run.client,
                    &ready.url,
                    body,
                    &headers,
                    timeout,
                    &timeout_words,
                )
                .await
            }
            Err(why) => Answer::Permanent {
                status: None,
                reason: why,
            },
        };
        let at = Utc::now();
        let (recorded, status, error, stop) = match answer {
            Answer::Delivered { status } => (Recorded::Delivered, Some(status), None, false),
            Answer::Permanent { status, reason } => (Recorded::Failed, status, Some(reason), false),
            Answer::Transient {
                status,
                reason,
                retry_after,
            } => {
                let failures = delivery.attempts.saturating_add(1);
                let recorded = if failures >= settings.max_attempts {
                    Recorded::Dead
                } else {
                    let wait = backoff(settings, failures, retry_after);
                    Recorded::Retry(at + chrono::Duration::from_std(wait).unwrap_or_default())
                };
                (recorded, status, Some(reason), true)
            }
        };
        outbox::record_try(
            conn,
            &target.id,
            event.id,
            at,
            status,
            &recorded,
            error.as_deref(),
        )?;
        match recorded {
            Recorded::Delivered => outcome.delivered += 1,
            Recorded::Failed => outcome.failed += 1,
            Recorded::Retry(_) => outcome.retrying += 1,
            Recorded::Dead => outcome.dead_lettered += 1,
        }
        if !matches!(recorded, Recorded::Retry(_)) {
            outcome.left -= 1;
        }
        if let Some(error) = error {
            outcome.error = Some(match recorded {
                Recorded::Dead => format!(
                    "{error}; dead-lettered after {} tries",
                    settings.max_attempts
                ),
                _ => error,
            });
        }
        if stop {
            break;
        }
    }
    Ok(outcome)
}

/// The body a target receives for an event.
fn body(
    run: &Run<'_>,
    ready: &Ready<'_>,
    event: &Event,
    delivery: &Pending,
) -> Result<Vec<u8>, String> {
    let target = ready.target;
    if target.kind == NotifyKind::Webhook && target.format == WebhookFormat::Event {
        return payload::event_body(event)
            .map_err(|e| format!("cannot encode event {}: {e}", event.id));
    }
    let config = run.config;
    let vendor_name = config
        .sources
        .iter()
        .find(|s| s.vendor == event.vendor)
        .map_or(event.vendor.as_str(), |s| s.name.as_str());
    let page_url = config.source(&event.source).map(|s| s.url.as_str());
    let alert = Alert::new(
        event,
        vendor_name,
        delivery.component_id.as_deref(),
        page_url,
    )
    .map_err(|e| e.to_string())?;
    let value = match target.kind {
        NotifyKind::Webhook => {
            let page = outbox::page_status(run.store.connection(), &event.vendor)
                .map_err(|e| e.to_string())?;
            payload::statuspage(&alert, page)
        }
        NotifyKind::Slack => payload::slack(&alert),
        NotifyKind::Teams => payload::teams(&alert),
        NotifyKind::PagerDuty => {
            payload::pagerduty(&alert, ready.routing_key.as_deref().unwrap_or_default())
        }
    };
    serde_json::to_vec(&value).map_err(|e| format!("cannot encode the body: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_base_up_to_the_maximum_and_honours_retry_after() {
        let settings = DeliverySettings::default();
        let secs = |failures, after: Option<u64>| {
            backoff(&settings, failures, after.map(Duration::from_secs)).as_secs()
        };
        assert_eq!(
            (1..=9).map(|n| secs(n, None)).collect::<Vec<_>>(),
            [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
        );
        assert_eq!(secs(40, None), 3600);
        assert_eq!(secs(1, Some(90)), 90);
        assert_eq!(secs(3, Some(10)), 120);
        assert_eq!(secs(1, Some(10 * 24 * 3600)), 24 * 3600);
    }
}
