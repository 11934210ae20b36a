//! HTTP and `file://` fetching: one shared client, connect and total timeouts, a body-size cap
//! applied to the decompressed body, limited redirects to http(s) only, concurrency limits
//! overall and per host, retries of transient faults (`retry`), and conditional requests.

pub(crate) mod hosts;
pub mod retry;

use crate::config::FetchSettings;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use reqwest::header::{
    CONTENT_TYPE, ETAG, HeaderMap, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, RETRY_AFTER,
};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use url::Url;

/// Validators from the previous successful fetch of a document (a hand-off type: the store
/// keeps them).
pub(crate) use statusdb_core::handoff::Validators;

/// Why a fetch failed, as a machine word (a hand-off type: the store keeps it).
pub(crate) use statusdb_core::handoff::FetchCause;

/// A fetched document.
#[derive(Debug, Clone)]
pub(crate) struct Page {
    pub url: Url,
    pub fetched_at: DateTime<Utc>,
    pub content_type: Option<String>,
    pub validators: Validators,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone)]
pub(crate) enum Fetched {
    Page(Page),
    /// The server answered 304 to a conditional request.
    NotModified,
}

/// What went wrong fetching one document: one line naming the URL once, with the reason the
/// lower layers gave (their wrappers, which repeat the URL, left out), and a cause from a
/// closed set ([`FetchError::cause`]).
/// Whether it is worth another try is decided in one place: `retry::is_transient`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The server answered with an error status.
    #[error("HTTP {status} from {url}")]
    Status {
        /// The document's URL.
        url: String,
        /// The status.
        status: u16,
        /// How long the server asked us to wait (`Retry-After`), when it did.
        retry_after: Option<Duration>,
    },
    /// No complete answer in time.
    #[error("timed out after {} fetching {url}", humantime::format_duration(*.after))]
    Timeout {
        /// The document's URL.
        url: String,
        /// The limit that ran out.
        after: Duration,
    },
    /// The host name did not resolve.
    #[error("cannot resolve the host of {url}: {reason}")]
    Dns {
        /// The document's URL.
        url: String,
        /// The resolver's answer.
        reason: String,
    },
    /// No connection was made.
    #[error("cannot connect to {url}: {reason}")]
    Connect {
        /// The document's URL.
        url: String,
        /// Why, as the system said.
        reason: String,
    },
    /// The TLS handshake failed.
    #[error("TLS with {url} failed: {reason}")]
    Tls {
        /// The document's URL.
        url: String,
        /// Why, as the TLS library said.
        reason: String,
    },
    /// The connection broke after it was made.
    #[error("connection to {url} broken {stage}: {reason}")]
    Broken {
        /// The document's URL.
        url: String,
        /// `before the response` or `while reading the body`.
        stage: &'static str,
        /// Why, as the system said.
        reason: String,
    },
    /// The body is over the cap.
    #[error("body of {url} exceeds the {limit}-byte limit")]
    TooLarge {
        /// The document's URL.
        url: String,
        /// The cap, in bytes.
        limit: u64,
    },
    /// A redirect was refused.
    #[error("redirect from {url} refused: {reason}")]
    Redirect {
        /// The document's URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The body could not be decoded (a corrupt compressed stream).
    #[error("cannot decode the body of {url}: {reason}")]
    Decode {
        /// The document's URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The request could not be made.
    #[error("request to {url} failed: {reason}")]
    Request {
        /// The document's URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// A local file could not be read.
    #[error("cannot read {path}: {reason}")]
    File {
        /// The file's path.
        path: String,
        /// Why.
        reason: String,
        /// The file does not exist.
        missing: bool,
    },
    /// The URL's scheme is not fetched.
    #[error("scheme {scheme:?} of {url} is not fetched ({allowed})")]
    Scheme {
        /// The document's URL.
        url: String,
        /// Its scheme.
        scheme: String,
        /// Which schemes are.
        allowed: &'static str,
    },
}

impl FetchError {
    /// Why, as a word from a closed set.
    pub(crate) fn cause(&self) -> FetchCause {
        match self {
            FetchError::Status { .. } => FetchCause::HttpStatus,
            FetchError::Timeout { .. } => FetchCause::Timeout,
            FetchError::Dns { .. } => FetchCause::Dns,
            FetchError::Connect { .. } => FetchCause::Connect,
            FetchError::Tls { .. } => FetchCause::Tls,
            FetchError::Broken { .. } => FetchCause::ConnectionLost,
            FetchError::TooLarge { .. } => FetchCause::BodyCap,
            FetchError::Redirect { .. } => FetchCause::Redirect,
            FetchError::Decode { .. } => FetchCause::Decode,
            FetchError::Request { .. } => FetchCause::Request,
            FetchError::File { .. } => FetchCause::File,
            FetchError::Scheme { .. } => FetchCause::Scheme,
        }
    }

    /// The HTTP status, where the server gave one.
    pub(crate) fn http_status(&self) -> Option<u16> {
        match self {
            FetchError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The wait the server asked for before another try.
    pub(crate) fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The document does not exist (HTTP 404 or 410, or a missing file).
    pub(crate) fn is_not_found(&self) -> bool {
        match self {
            FetchError::Status { status, .. } => matches!(status, 404 | 410),
            FetchError::File { missing, .. } => *missing,
            _ => false,
        }
    }
}

/// The result of fetching one document, retries included, with its timing.
#[derive(Debug)]
pub(crate) struct Attempt {
    pub started_at: DateTime<Utc>,
    /// From the first request to the end of the last, waits between retries included.
    pub duration: Duration,
    pub result: Result<Fetched, FetchError>,
    /// Requests made (1 when the first one settled it).
    pub attempts: usize,
    /// Why retrying stopped before the attempts ran out, when it did.
    pub retries_stopped: Option<String>,
}

impl Attempt {
    /// The failure as the fetch log and the run report state it, with how often it was tried.
    pub(crate) fn failure_text(&self) -> Option<String> {
        let error = self.result.as_ref().err()?;
        let mut text = error.to_string();
        if self.attempts > 1 {
            text.push_str(&format!(" (after {} attempts)", self.attempts));
        }
        if let Some(why) = &self.retries_stopped {
            text.push_str("; ");
            text.push_str(why);
        }
        Some(text)
    }
}

/// Fetches documents with one shared HTTP client under the configured limits.
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    settings: FetchSettings,
    permits: Arc<hosts::Permits>,
}

impl Fetcher {
    /// A fetcher for these settings.
    pub fn new(settings: &FetchSettings) -> Result<Fetcher, FetchError> {
        let max_redirects = settings.max_redirects;
        let client = reqwest::Client::builder()
            .user_agent(settings.user_agent.clone())
            .timeout(settings.timeout)
            .connect_timeout(settings.connect_timeout.min(settings.timeout))
            .redirect(reqwest::redirect::Policy::custom(move |attempt| {
                if attempt.previous().len() > max_redirects {
                    attempt.error(format!("more than {max_redirects} redirects"))
                } else if !matches!(attempt.url().scheme(), "http" | "https") {
                    let scheme = attempt.url().scheme().to_string();
                    attempt.error(format!("redirect to a {scheme}: URL"))
                } else {
                    attempt.follow()
                }
            }))
            .build()
            .map_err(|e| FetchError::Request {
                url: String::new(),
                reason: e.to_string(),
            })?;
        Ok(Fetcher {
            client,
            settings: settings.clone(),
            permits: Arc::new(hosts::Permits::new(
                settings.concurrency,
                settings.per_host_concurrency,
            )),
        })
    }

    /// Fetches one document, conditionally where validators are known, retrying transient
    /// faults. Each request waits for its turn under the global and per-host limits; waits
    /// between retries hold no slot.
    pub(crate) async fn fetch(&self, url: &Url, validators: &Validators) -> Attempt {
        let started_at = Utc::now();
        let clock = Instant::now();
        let tried = retry::with_retries(&self.settings.retry, || async {
            let _permit = self.permits.acquire(url).await;
            self.fetch_once(url, validators).await
        })
        .await;
        Attempt {
            started_at,
            duration: clock.elapsed(),
            result: tried.result,
            attempts: tried.attempts,
            retries_stopped: tried.stopped,
        }
    }

    /// One request, bounded by the total timeout from connecting to the body's last byte.
    async fn fetch_once(&self, url: &Url, validators: &Validators) -> Result<Fetched, FetchError> {
        let fetched_at = Utc::now();
        match url.scheme() {
            "http" | "https" => {
                let limit = self.settings.timeout;
                // reqwest enforces the same total timeout; this bound also holds should a
                // body stream ever outlive it.
                tokio::time::timeout(limit, self.fetch_http(url, validators, fetched_at))
                    .await
                    .unwrap_or_else(|_| {
                        Err(FetchError::Timeout {
                            url: url.to_string(),
                            after: limit,
                        })
                    })
            }
            "file" if self.settings.allow_file_urls => self.fetch_file(url, fetched_at).await,
            other => Err(FetchError::Scheme {
                url: url.to_string(),
                scheme: other.to_string(),
                allowed: if self.settings.allow_file_urls {
                    "only http, https and file"
                } else {
                    "only http and https: [fetch] allow_file_urls = false"
                },
            }),
        }
    }

    async fn fetch_http(
        &self,
        url: &Url,
        validators: &Validators,
        fetched_at: DateTime<Utc>,
    ) -> Result<Fetched, FetchError> {
        let mut request = self.client.get(url.clone());
        if let Some(etag) = &validators.etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(lm) = &validators.last_modified {
            request = request.header(IF_MODIFIED_SINCE, lm);
        }
        let response = request
            .send()
            .await
            .map_err(|e| self.request_error(url, e, false))?;
        let status = response.status().as_u16();
        if status == 304 {
            return Ok(Fetched::NotModified);
        }
        if !response.status().is_success() {
            let retry_after = header_text(response.headers(), RETRY_AFTER.as_str())
                .and_then(|v| retry::parse_retry_after(&v, SystemTime::now()));
            return Err(FetchError::Status {
                url: url.to_string(),
                status,
                retry_after,
            });
        }
        let headers = response.headers().clone();
        let limit = self.settings.max_body_bytes;
        if response.content_length().is_some_and(|n| n > limit) {
            return Err(FetchError::TooLarge {
                url: url.to_string(),
                limit,
            });
        }
        // The stream yields decompressed bytes, so the cap holds for compressed bodies too.
        let mut body = Vec::new();
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| self.request_error(url, e, true))?;
            if body.len() as u64 + chunk.len() as u64 > limit {
                return Err(FetchError::TooLarge {
                    url: url.to_string(),
                    limit,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Fetched::Page(Page {
            url: url.clone(),
            fetched_at,
            content_type: header_text(&headers, CONTENT_TYPE.as_str()),
            validators: Validators {
                etag: header_text(&headers, ETAG.as_str()),
                last_modified: header_text(&headers, LAST_MODIFIED.as_str()),
            },
            body,
        }))
    }

    async fn fetch_file(
        &self,
        url: &Url,
        fetched_at: DateTime<Utc>,
    ) -> Result<Fetched, FetchError> {
        let path = url.to_file_path().map_err(|_| FetchError::File {
            path: url.to_string(),
            reason: "not a local file path".into(),
            missing: false,
        })?;
        let file_error = |e: std::io::Error| FetchError::File {
            path: path.display().to_string(),
            missing: e.kind() == std::io::ErrorKind::NotFound,
            reason: e.to_string(),
        };
        let meta = tokio::fs::metadata(&path).await.map_err(file_error)?;
        let limit = self.settings.max_body_bytes;
        if meta.len() > limit {
            return Err(FetchError::TooLarge {
                url: url.to_string(),
                limit,
            });
        }
        let body = tokio::fs::read(&path).await.map_err(file_error)?;
        Ok(Fetched::Page(Page {
            url: url.clone(),
            fetched_at,
            content_type: None,
            validators: Validators::default(),
            body,
        }))
    }

    /// Why a request failed: before its response arrived (`in_body` false: a timeout, no
    /// name, no connection or TLS, a refused redirect, a connection dropped), or while its
    /// body streamed in (a timeout, a body that cannot be decoded, the connection broken).
    fn request_error(&self, url: &Url, e: reqwest::Error, in_body: bool) -> FetchError {
        let url = url.to_string();
        let reason = reason(&e);
        if e.is_timeout() {
            let after = if e.is_connect() {
                self.settings.connect_timeout.min(self.settings.timeout)
            } else {
                self.settings.timeout
            };
            return FetchError::Timeout { url, after };
        }
        if in_body {
            return if is_invalid_data(&e) {
                FetchError::Decode { url, reason }
            } else {
                FetchError::Broken {
                    url,
                    stage: "while reading the body",
                    reason,
                }
            };
        }
        if e.is_connect() && names_dns(&e) {
            FetchError::Dns { url, reason }
        } else if e.is_connect() && is_invalid_data(&e) {
            // TCP does not fail with invalid data; the TLS layer does (a refused certificate,
            // a server that does not speak TLS).
            FetchError::Tls { url, reason }
        } else if e.is_connect() {
            FetchError::Connect { url, reason }
        } else if e.is_redirect() {
            FetchError::Redirect { url, reason }
        } else if e.is_builder() {
            FetchError::Request { url, reason }
        } else {
            // The connection was made and then dropped (reset, closed before a response).
            FetchError::Broken {
                url,
                stage: "before the response",
                reason,
            }
        }
    }
}

/// Whether a connect error is the resolver's: hyper's connector names it `dns error`.
fn names_dns(e: &(dyn std::error::Error + 'static)) -> bool {
    chain(e).any(|cause| cause.to_string() == "dns error")
}

/// The error and its causes, outermost first.
fn chain<'e>(
    e: &'e (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'e (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(e), |cause| cause.source())
}

/// Whether an error is bad data (a corrupt compressed stream, a TLS record that is not one)
/// rather than a broken connection: reqwest reports a body's both as decode errors when
/// decompression is on, so the cause decides.
fn is_invalid_data(e: &(dyn std::error::Error + 'static)) -> bool {
    chain(e).any(|cause| {
        // An I/O error wrapping another (hyper wraps the TLS layer's `InvalidData` in an
        // `Other`) hides it from `source()`; `get_ref` reaches it.
        let mut io = cause.downcast_ref::<std::io::Error>();
        while let Some(error) = io {
            if error.kind() == std::io::ErrorKind::InvalidData {
                return true;
            }
            io = error
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<std::io::Error>());
        }
        false
    })
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Why a request failed, in one line: the causes under reqwest's error, each said once.
/// reqwest's own message (`error sending request for url (...)`) and hyper's wrappers
/// (`client error (Connect)`, `dns error`, `tcp connect error`) are left out: the first
/// repeats the URL the line already names, the others the kind of failure it already states.
fn reason(e: &reqwest::Error) -> String {
    const WRAPPERS: [&str; 3] = ["dns error", "tcp connect error", "tcp open error"];
    let mut text = String::new();
    for cause in chain(e).skip(1) {
        let cause_text = cause.to_string();
        if cause_text.starts_with("client error (")
            || WRAPPERS.contains(&cause_text.as_str())
            || text.contains(&cause_text)
        {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&cause_text);
    }
    if text.is_empty() {
        // Nothing beneath: reqwest's message is all there is.
        text = e.to_string();
    }
    text
}
