//! Retries of one document within a run. The one rule of what is worth another try lives here
//! (`is_transient`); the mechanism (exponential backoff with jitter) is `backon`'s.
//!
//! Transient: connection errors, a connection broken mid-body, timeouts, HTTP 408, 429 and 5xx.
//! Never retried: other 4xx, a body over the cap, a refused redirect, a file error, and anything
//! after the body arrived whole (a page that does not parse is not fetched again).

use super::FetchError;
use crate::config::RetrySettings;
use backon::{ExponentialBuilder, Retryable};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

/// Whether a server answering with this status may well answer differently a moment later.
pub(crate) fn is_transient_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500..=599)
}

/// Whether a failed fetch is worth another try.
pub(crate) fn is_transient(error: &FetchError) -> bool {
    match error {
        FetchError::Status { status, .. } => is_transient_status(*status),
        // A resolver or a TLS handshake may fail for a moment as a connection does.
        FetchError::Timeout { .. }
        | FetchError::Dns { .. }
        | FetchError::Connect { .. }
        | FetchError::Tls { .. }
        | FetchError::Broken { .. } => true,
        FetchError::TooLarge { .. }
        | FetchError::Redirect { .. }
        | FetchError::Decode { .. }
        | FetchError::Request { .. }
        | FetchError::File { .. }
        | FetchError::Scheme { .. } => false,
    }
}

/// The wait a `Retry-After` header asks for: delta-seconds (`120`) or an HTTP date
/// (`Wed, 21 Oct 2015 07:28:00 GMT`, or the two obsolete forms), relative to `now`.
/// A date in the past asks for no wait; anything else unreadable is ignored.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Absurdly long digit strings saturate rather than fail: the cap refuses them anyway.
        return Some(Duration::from_secs(
            value.parse::<u64>().unwrap_or(u64::MAX),
        ));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// The result of trying one document up to the configured number of times.
#[derive(Debug)]
pub(crate) struct Tried<T> {
    pub result: Result<T, FetchError>,
    /// How many requests were made.
    pub attempts: usize,
    /// Why retrying stopped before the attempts ran out, when it did.
    pub stopped: Option<String>,
}

/// Runs `attempt` until it succeeds, fails for good, or the attempts run out, waiting between
/// tries with exponential backoff and jitter, or as long as the server's `Retry-After` asks when
/// that is longer (up to `retry_after_max`).
pub(crate) async fn with_retries<T, F, Fut>(settings: &RetrySettings, mut attempt: F) -> Tried<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, FetchError>>,
{
    let attempts = AtomicUsize::new(0);
    let stopped: Mutex<Option<String>> = Mutex::new(None);
    let backoff = ExponentialBuilder::default()
        .with_min_delay(settings.base_delay)
        .with_max_delay(settings.max_delay.max(settings.base_delay))
        .with_max_times(settings.attempts.saturating_sub(1))
        .with_jitter();
    let result = (|| {
        attempts.fetch_add(1, Ordering::Relaxed);
        attempt()
    })
    .retry(backoff)
    .sleep(tokio::time::sleep)
    .when(is_transient)
    .adjust(|error, next| {
        let next = next?;
        match error.retry_after() {
            Some(asked) if asked > settings.retry_after_max => {
                if let Ok(mut why) = stopped.lock() {
                    *why = Some(format!(
                        "not retried: Retry-After asks for {}, more than the {} allowed",
                        humantime::format_duration(asked),
                        humantime::format_duration(settings.retry_after_max)
                    ));
                }
                None
            }
            Some(asked) => Some(asked.max(next)),
            None => Some(next),
        }
    })
    .notify(|error, wait| {
        tracing::debug!(
            "retrying in {}: {error}",
            humantime::format_duration(Duration::from_millis(wait.as_millis() as u64))
        );
    })
    .await;
    Tried {
        result,
        attempts: attempts.load(Ordering::Relaxed),
        stopped: stopped.into_inner().ok().flatten(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16, retry_after: Option<Duration>) -> FetchError {
        FetchError::Status {
            url: "http://x/".into(),
            status,
            retry_after,
        }
    }

    #[test]
    fn only_transient_statuses_are_retried() {
        for s in [408, 429, 500, 502, 503, 504, 599] {
            assert!(is_transient_status(s), "{s}");
        }
        for s in [400, 401, 403, 404, 410, 418, 451, 301, 304, 200] {
            assert!(!is_transient_status(s), "{s}");
        }
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        // RFC 850 and asctime forms are HTTP dates too.
        assert_eq!(
            parse_retry_after("Wednesday, 21-Oct-15 07:29:00 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            parse_retry_after("Wed Oct 21 07:28:05 2015", now),
            Some(Duration::from_secs(5))
        );
        // In the past: no wait.
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
        assert_eq!(parse_retry_after("", now), None);
    }

    fn fast(attempts: usize) -> RetrySettings {
        RetrySettings {
            attempts,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(4),
            retry_after_max: Duration::from_secs(1),
        }
    }

    async fn run(settings: RetrySettings, answers: Vec<Result<u8, FetchError>>) -> Tried<u8> {
        let answers = Mutex::new(answers.into_iter());
        with_retries(&settings, || {
            let next = answers.lock().unwrap().next().expect("no more answers");
            async move { next }
        })
        .await
    }

    /// Transient failures are retried until a success, or until the attempts run out.
    #[tokio::test]
    async fn transient_failures_are_retried_within_the_attempts() {
        for (attempts, answers, result, made) in [
            (
                3,
                vec![Err(status(500, None)), Err(status(503, None)), Ok(7)],
                Ok(7),
                3,
            ),
            (
                2,
                vec![Err(status(502, None)), Err(status(502, None)), Ok(1)],
                Err(status(502, None)),
                2,
            ),
        ] {
            let tried = run(fast(attempts), answers).await;
            assert_eq!((tried.result, tried.attempts), (result, made));
            assert_eq!(tried.stopped, None);
        }
    }

    #[tokio::test]
    async fn permanent_failures_are_not_retried() {
        for error in [
            status(404, None),
            status(403, None),
            FetchError::TooLarge {
                url: "u".into(),
                limit: 1,
            },
            FetchError::Redirect {
                url: "u".into(),
                reason: "loop".into(),
            },
        ] {
            let tried = run(fast(3), vec![Err(error.clone()), Ok(1)]).await;
            assert_eq!(tried.result, Err(error));
            assert_eq!(tried.attempts, 1);
        }
    }

    #[tokio::test]
    async fn retry_after_is_waited_for_up_to_the_cap() {
        let start = std::time::Instant::now();
        let tried = run(
            fast(3),
            vec![Err(status(429, Some(Duration::from_millis(300)))), Ok(2)],
        )
        .await;
        assert_eq!(tried.result, Ok(2));
        assert!(start.elapsed() >= Duration::from_millis(300));

        let too_long = status(503, Some(Duration::from_secs(3600)));
        let tried = run(fast(3), vec![Err(too_long.clone()), Ok(2)]).await;
        assert_eq!(tried.result, Err(too_long));
        assert_eq!(tried.attempts, 1);
        assert_eq!(
            tried.stopped.as_deref(),
            Some("not retried: Retry-After asks for 1h, more than the 1s allowed")
        );
    }
}
