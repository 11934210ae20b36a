//! One delivery over HTTP: the headers (`Idempotency-Key`, the signature), the request under
//! a time bound, and what its answer means. The rule of what is worth another try is the
//! fetcher's (`fetch::retry::is_transient_status`), so a vendor's page and a receiver are
//! judged alike.

use crate::fetch::retry::{is_transient_status, parse_retry_after};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use std::time::{Duration, SystemTime};

/// The header carrying the HMAC-SHA256 of the body, as `sha256=<hex>`.
pub(crate) const SIGNATURE_HEADER: &str = "X-Statusdb-Signature";
pub(crate) const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";

/// A key that is the same every time the same event goes to the same target, and differs
/// for any other pair (the event's time is in it, so a database started afresh, whose event
/// ids begin again at 1, does not repeat keys). Laid out as a UUID (version 8: made by the
/// application).
pub(crate) fn idempotency_key(target_id: &str, event_id: i64, recorded_at: &str) -> String {
    let digest = Sha256::digest(format!("statusdb\0{target_id}\0{event_id}\0{recorded_at}"));
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let h = hex::encode(bytes);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// `sha256=<hex of HMAC-SHA256(secret, body)>`.
pub(crate) fn signature(secret: &str, body: &[u8]) -> String {
    // HMAC takes a key of any length.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of every length"));
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// What a try came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Answer {
    /// A 2xx.
    Delivered { status: u16 },
    /// Worth another try later: no connection, no answer in time, 408, 429, 5xx.
    Transient {
        status: Option<u16>,
        reason: String,
        retry_after: Option<Duration>,
    },
    /// Not worth another try: another 4xx, a redirect.
    Permanent { status: Option<u16>, reason: String },
}

/// How much of a refusing receiver's body goes into the error (Slack's `invalid_token`,
/// PagerDuty's JSON errors).
const REASON_BYTES: usize = 300;

/// Sends one body. `timeout` bounds the whole request, from connecting to the answer;
/// `timeout_words` says what it is, for the error when it runs out.
pub(crate) async fn post(
    client: &reqwest::Client,
    url: &url::Url,
    body: Vec<u8>,
    headers: &[(&str, String)],
    timeout: Duration,
    timeout_words: &str,
) -> Answer {
    let mut request = client
        .post(url.clone())
        .timeout(timeout)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = match request.send().await {
        Ok(response) => response,
        Err(e) => return failed_request(e, timeout_words),
    };
    let status = response.status().as_u16();
    if response.status().is_success() {
        return Answer::Delivered { status };
    }
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, SystemTime::now()));
    if response.status().is_redirection() {
        return Answer::Permanent {
            status: Some(status),
            reason: format!("HTTP {status}: redirects are not followed; give the final URL"),
        };
    }
    let transient = is_transient_status(status);
    // The receiver's words, briefly; a body that does not come in time is no reason to wait.
    let said = match tokio::time::timeout(Duration::from_secs(2), response.bytes()).await {
        Ok(Ok(bytes)) => {
            let text = String::from_utf8_lossy(&bytes[..bytes.len().min(REASON_BYTES)]);
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            if text.is_empty() {
                String::new()
            } else {
                format!(": {text}")
            }
        }
        _ => String::new(),
    };
    let reason = format!("HTTP {status}{said}");
    if transient {
        Answer::Transient {
            status: Some(status),
            reason,
            retry_after,
        }
    } else {
        Answer::Permanent {
            status: Some(status),
            reason,
        }
    }
}

/// A request that got no answer. Its text never names the URL: a webhook URL is often the
/// secret itself.
fn failed_request(e: reqwest::Error, timeout_words: &str) -> Answer {
    let e = e.without_url();
    if e.is_builder() {
        return Answer::Permanent {
            status: None,
            reason: format!("cannot make the request: {}", chain(&e)),
        };
    }
    let reason = if e.is_timeout() {
        format!("no answer within {timeout_words}")
    } else if e.is_connect() {
        format!("cannot connect: {}", chain(&e))
    } else {
        format!("request failed: {}", chain(&e))
    };
    Answer::Transient {
        status: None,
        reason,
        retry_after: None,
    }
}

/// An error and its causes on one line, each said once.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = current {
        let text = err.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = err.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idempotency_keys_are_stable_per_target_and_event() {
        let key = idempotency_key("ops", 7, "2026-11-28T14:30:01.123Z");
        assert_eq!(key, idempotency_key("ops", 7, "2026-11-28T14:30:01.123Z"));
        assert_ne!(key, idempotency_key("pager", 7, "2026-11-28T14:30:01.123Z"));
        assert_ne!(key, idempotency_key("ops", 8, "2026-11-28T14:30:01.123Z"));
        assert_ne!(key, idempotency_key("ops", 7, "2026-11-28T14:30:02.123Z"));
        // A UUID, version 8, RFC 4122 variant.
        assert_eq!(key.len(), 36);
        assert_eq!(key.as_bytes()[14], b'8');
        assert!(
            matches!(key.as_bytes()[19], b'8' | b'9' | b'a' | b'b'),
            "{key}"
        );
    }

    #[test]
    fn signature_is_rfc_4231_hmac_sha256() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
