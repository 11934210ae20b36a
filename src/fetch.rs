//! HTTP and `file://` fetching: one shared client, a per-request timeout, a body-size cap
//! applied to the decompressed body, and conditional requests.

use crate::config::FetchSettings;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use reqwest::header::{
    CONTENT_TYPE, ETAG, HeaderMap, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
};
use std::time::{Duration, Instant};
use url::Url;

/// Validators from the previous successful fetch of a document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A fetched document.
#[derive(Debug, Clone)]
pub struct Page {
    pub url: Url,
    pub fetched_at: DateTime<Utc>,
    /// HTTP status; 200 for a file.
    pub status: u16,
    pub content_type: Option<String>,
    pub validators: Validators,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone)]
pub enum Fetched {
    Page(Page),
    /// The server answered 304 to a conditional request.
    NotModified {
        url: Url,
        fetched_at: DateTime<Utc>,
    },
}

/// What went wrong fetching one document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("HTTP {status} from {url}")]
    Status { url: String, status: u16 },
    #[error("timed out after {seconds}s fetching {url}")]
    Timeout { url: String, seconds: u64 },
    #[error("cannot connect to {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("body of {url} exceeds the {limit}-byte limit")]
    TooLarge { url: String, limit: u64 },
    #[error("request to {url} failed: {reason}")]
    Request { url: String, reason: String },
    #[error("cannot read {path}: {reason}")]
    File {
        path: String,
        reason: String,
        missing: bool,
    },
    #[error("scheme {scheme:?} of {url} is not fetched (only http, https and file)")]
    Scheme { url: String, scheme: String },
}

impl FetchError {
    /// The HTTP status, where the server gave one.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            FetchError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The document does not exist (HTTP 404 or 410, or a missing file).
    pub fn is_not_found(&self) -> bool {
        match self {
            FetchError::Status { status, .. } => matches!(status, 404 | 410),
            FetchError::File { missing, .. } => *missing,
            _ => false,
        }
    }
}

/// The result of one fetch attempt with its timing.
#[derive(Debug)]
pub struct Attempt {
    pub url: Url,
    pub started_at: DateTime<Utc>,
    pub duration: Duration,
    pub result: Result<Fetched, FetchError>,
}

#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    settings: FetchSettings,
}

impl Fetcher {
    pub fn new(settings: &FetchSettings) -> Result<Fetcher, FetchError> {
        let client = reqwest::Client::builder()
            .user_agent(settings.user_agent.clone())
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::custom(|attempt| {
                if attempt.previous().len() >= 10 {
                    attempt.error("more than 10 redirects")
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
        })
    }

    /// Fetches one document, conditionally where validators are known.
    pub async fn fetch(&self, url: &Url, validators: &Validators) -> Attempt {
        let started_at = Utc::now();
        let clock = Instant::now();
        let result = match url.scheme() {
            "http" | "https" => self.fetch_http(url, validators, started_at).await,
            "file" => self.fetch_file(url, started_at).await,
            other => Err(FetchError::Scheme {
                url: url.to_string(),
                scheme: other.to_string(),
            }),
        };
        Attempt {
            url: url.clone(),
            started_at,
            duration: clock.elapsed(),
            result,
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
            .map_err(|e| self.request_error(url, e))?;
        let status = response.status().as_u16();
        if status == 304 {
            return Ok(Fetched::NotModified {
                url: url.clone(),
                fetched_at,
            });
        }
        if !response.status().is_success() {
            return Err(FetchError::Status {
                url: url.to_string(),
                status,
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
            let chunk = chunk.map_err(|e| self.request_error(url, e))?;
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
            status,
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
            status: 200,
            content_type: None,
            validators: Validators::default(),
            body,
        }))
    }

    fn request_error(&self, url: &Url, e: reqwest::Error) -> FetchError {
        let url = url.to_string();
        if e.is_timeout() {
            FetchError::Timeout {
                url,
                seconds: self.settings.timeout.as_secs(),
            }
        } else if e.is_connect() {
            FetchError::Connect {
                url,
                reason: error_chain(&e),
            }
        } else {
            FetchError::Request {
                url,
                reason: error_chain(&e),
            }
        }
    }
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// The error and its causes in one line: reqwest's top-level message alone rarely says why.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
