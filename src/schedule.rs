//! Which sources are due: those never fetched, and those whose next due time (set after each
//! attempt: the interval after a success, a growing backoff after failures) has passed.

use crate::config::Source;
use crate::store::{Store, StoreError};
use chrono::{DateTime, Utc};
use std::time::Duration;

/// The longest a failing source waits before its next attempt under `ingest --due` (unless
/// its own interval is longer).
pub(crate) const MAX_BACKOFF: Duration = Duration::from_secs(6 * 60 * 60);

/// How long `ingest --due` leaves a source alone after its `failures`-th failure in a row:
/// its interval doubled per failure (2×, 4×, 8×, ...), at most `MAX_BACKOFF`. A success puts it
/// back on its interval.
pub(crate) fn failure_backoff(interval: Duration, failures: i64) -> Duration {
    let doublings = failures.clamp(0, 30) as u32;
    interval
        .saturating_mul(1u32 << doublings)
        .min(MAX_BACKOFF.max(interval))
}

/// When a source is due again after a run that saw its pages at `seen_at`: its interval
/// later after a success, [`failure_backoff`] later after a failure (its
/// `failures_before + 1`-th in a row).
pub(crate) fn next_due_at(
    source: &Source,
    seen_at: DateTime<Utc>,
    failed: bool,
    failures_before: i64,
) -> DateTime<Utc> {
    let wait = if failed {
        failure_backoff(source.interval, failures_before + 1)
    } else {
        source.interval
    };
    seen_at + wait
}

/// The sources whose next due time has passed at `now` (or that were never attempted).
pub(crate) fn due(
    store: &Store,
    sources: Vec<Source>,
    now: DateTime<Utc>,
) -> Result<Vec<Source>, StoreError> {
    let states = store.source_states()?;
    Ok(sources
        .into_iter()
        .filter(|s| {
            states
                .get(&s.id)
                .and_then(|state| state.next_due_at)
                .is_none_or(|due| due <= now)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_per_failure_up_to_the_cap() {
        let five_minutes = Duration::from_secs(300);
        let waits: Vec<u64> = (1..=8)
            .map(|n| failure_backoff(five_minutes, n).as_secs())
            .collect();
        // 10m, 20m, 40m, 80m, 160m, 320m, then the 6 h cap.
        assert_eq!(
            waits,
            vec![600, 1200, 2400, 4800, 9600, 19200, 21600, 21600]
        );
        assert_eq!(failure_backoff(five_minutes, 10_000).as_secs(), 21600);
        // An interval longer than the cap is never shortened.
        let day = Duration::from_secs(86400);
        assert_eq!(failure_backoff(day, 3), day);
    }
}
