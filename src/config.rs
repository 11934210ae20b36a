//! `config.toml`: the database path, fetch defaults and the list of sources, validated strictly.
//! Every error names the file, line and column it found the problem at.

use crate::providers::{Kind, UnknownKind};
use chrono_tz::Tz;
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;
use toml::Spanned;
use url::Url;

pub const DEFAULT_CONCURRENCY: usize = 256;
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
pub const DEFAULT_MAX_BODY_BYTES: u64 = 32 * 1024 * 1024;
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(5 * 60);
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_MAX_REDIRECTS: usize = 10;
pub const DEFAULT_PER_HOST_CONCURRENCY: usize = 4;
pub const DEFAULT_ATTEMPTS: usize = 3;
pub const DEFAULT_RETRY_BASE_DELAY: Duration = Duration::from_secs(1);
pub const DEFAULT_RETRY_MAX_DELAY: Duration = Duration::from_secs(30);
pub const DEFAULT_RETRY_AFTER_MAX: Duration = Duration::from_secs(120);
pub const DEFAULT_UNKNOWN_AFTER_FAILURES: u32 = 3;

/// The user agent statusdb sends unless the config says otherwise.
pub fn default_user_agent() -> String {
    format!(
        "statusdb/{} (+https://github.com/statusdb/statusdb)",
        env!("CARGO_PKG_VERSION")
    )
}

#[derive(Debug, Clone)]
pub struct Config {
    /// The file the config was read from.
    pub file: PathBuf,
    pub database_path: PathBuf,
    pub fetch: FetchSettings,
    pub sources: Vec<Source>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchSettings {
    /// Documents fetched at once, over all hosts.
    pub concurrency: usize,
    /// Documents fetched at once from one host.
    pub per_host_concurrency: usize,
    /// One request, from connecting to the last byte of the body.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub user_agent: String,
    /// Cap on a body after decompression.
    pub max_body_bytes: u64,
    pub max_redirects: usize,
    /// Whether `file://` source URLs are read (the offline replay uses them).
    pub allow_file_urls: bool,
    pub retry: RetrySettings,
    /// After this many consecutive failed runs, a source's components are reported `unknown`.
    pub unknown_after_failures: u32,
}

/// Retries of one document within a run, for transient faults only (see `fetch::retry`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetrySettings {
    /// Tries per document, the first included (1 means no retry).
    pub attempts: usize,
    /// The wait before the first retry; it doubles on each retry, plus random jitter.
    pub base_delay: Duration,
    /// The longest computed wait between two tries.
    pub max_delay: Duration,
    /// The longest `Retry-After` honoured; a server asking for more is not retried this run.
    pub retry_after_max: Duration,
}

impl Default for RetrySettings {
    fn default() -> Self {
        RetrySettings {
            attempts: DEFAULT_ATTEMPTS,
            base_delay: DEFAULT_RETRY_BASE_DELAY,
            max_delay: DEFAULT_RETRY_MAX_DELAY,
            retry_after_max: DEFAULT_RETRY_AFTER_MAX,
        }
    }
}

impl Default for FetchSettings {
    fn default() -> Self {
        FetchSettings {
            concurrency: DEFAULT_CONCURRENCY,
            per_host_concurrency: DEFAULT_PER_HOST_CONCURRENCY,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            user_agent: default_user_agent(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            max_redirects: DEFAULT_MAX_REDIRECTS,
            allow_file_urls: true,
            retry: RetrySettings::default(),
            unknown_after_failures: DEFAULT_UNKNOWN_AFTER_FAILURES,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub id: String,
    pub vendor: String,
    pub name: String,
    pub kind: Kind,
    pub url: Url,
    pub interval: Duration,
    pub zone: Option<Tz>,
}

/// A config problem, located in its file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    pub file: PathBuf,
    /// 1-based line and column, where the problem has a place in the file.
    pub position: Option<(usize, usize)>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, column)) => write!(
                f,
                "{}:{}:{}: {}",
                self.file.display(),
                line,
                column,
                self.message
            ),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    database: Option<RawDatabase>,
    fetch: Option<RawFetch>,
    #[serde(default)]
    sources: Vec<RawSource>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDatabase {
    path: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFetch {
    concurrency: Option<Spanned<i64>>,
    per_host_concurrency: Option<Spanned<i64>>,
    timeout: Option<Spanned<String>>,
    connect_timeout: Option<Spanned<String>>,
    user_agent: Option<String>,
    max_body_bytes: Option<Spanned<i64>>,
    max_redirects: Option<Spanned<i64>>,
    allow_file_urls: Option<bool>,
    attempts: Option<Spanned<i64>>,
    retry_base_delay: Option<Spanned<String>>,
    retry_max_delay: Option<Spanned<String>>,
    retry_after_max: Option<Spanned<String>>,
    unknown_after_failures: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    id: Spanned<String>,
    vendor: Spanned<String>,
    name: Option<String>,
    kind: Spanned<String>,
    url: Spanned<String>,
    interval: Option<Spanned<String>>,
    zone: Option<Spanned<String>>,
}

impl Config {
    /// Reads and validates a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.to_path_buf(),
            position: None,
            message: format!("cannot read config: {e}"),
        })?;
        Config::parse(&text, path)
    }

    /// Validates config text; `path` locates relative paths and names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let locate = Locator { text, file: path };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let message = e.message().trim().to_string();
            match e.span() {
                Some(span) => locate.error(span, message),
                None => locate.error(0..0, message),
            }
        })?;
        let base_dir = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let base_dir = if base_dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            base_dir
        };

        let database_path = match raw.database {
            Some(db) => {
                if db.path.get_ref().trim().is_empty() {
                    return Err(locate.error(db.path.span(), "database path is empty".into()));
                }
                base_dir.join(db.path.get_ref())
            }
            None => base_dir.join("statusdb.sqlite"),
        };

        let fetch = match raw.fetch {
            Some(f) => fetch_settings(f, &locate)?,
            None => FetchSettings::default(),
        };

        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut sources = Vec::with_capacity(raw.sources.len());
        for s in raw.sources {
            let id = s.id.get_ref().trim().to_string();
            if !valid_identifier(&id) {
                return Err(locate.error(
                    s.id.span(),
                    format!("source id {id:?} must be letters, digits, '-', '_' or '.'"),
                ));
            }
            if let Some(&first) = seen.get(&id) {
                let first_line = locate.position(first).0;
                return Err(locate.error(
                    s.id.span(),
                    format!("duplicate source id {id:?} (first defined on line {first_line})"),
                ));
            }
            // The offset, not the line: counting lines for every source is quadratic.
            seen.insert(id.clone(), s.id.span().start);
            let vendor = s.vendor.get_ref().trim().to_string();
            if !valid_identifier(&vendor) {
                return Err(locate.error(
                    s.vendor.span(),
                    format!("vendor {vendor:?} must be letters, digits, '-', '_' or '.'"),
                ));
            }
            // The registry of kinds names them, and lists them when the name is none of them.
            let kind: Kind = s
                .kind
                .get_ref()
                .parse()
                .map_err(|e: UnknownKind| locate.error(s.kind.span(), e.to_string()))?;
            let url = parse_source_url(s.url.get_ref(), &base_dir)
                .map_err(|why| locate.error(s.url.span(), why))?;
            if url.scheme() == "file" && !fetch.allow_file_urls {
                return Err(locate.error(
                    s.url.span(),
                    "file URLs are not allowed: [fetch] allow_file_urls = false".into(),
                ));
            }
            let interval = match &s.interval {
                Some(i) => parse_duration(i, &locate, "interval")?,
                None => DEFAULT_INTERVAL,
            };
            let zone = match &s.zone {
                Some(z) => Some(z.get_ref().parse::<Tz>().map_err(|_| {
                    locate.error(
                        z.span(),
                        format!(
                            "unknown time zone {:?}; use an IANA name such as America/Chicago",
                            z.get_ref()
                        ),
                    )
                })?),
                None => None,
            };
            sources.push(Source {
                name: s.name.unwrap_or_else(|| vendor.clone()),
                id,
                vendor,
                kind,
                url,
                interval,
                zone,
            });
        }

        Ok(Config {
            file: path.to_path_buf(),
            database_path,
            fetch,
            sources,
        })
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }
}

fn fetch_settings(f: RawFetch, locate: &Locator<'_>) -> Result<FetchSettings, ConfigError> {
    let mut fetch = FetchSettings::default();
    let count = |value: &Spanned<i64>, what: &str, min: i64, max: i64| {
        let n = *value.get_ref();
        if n < min || n > max {
            Err(locate.error(
                value.span(),
                format!("{what} must be {min} to {max}, not {n}"),
            ))
        } else {
            Ok(n)
        }
    };
    if let Some(c) = &f.concurrency {
        fetch.concurrency = count(c, "concurrency", 1, 4096)? as usize;
    }
    if let Some(c) = &f.per_host_concurrency {
        fetch.per_host_concurrency = count(c, "per_host_concurrency", 1, 4096)? as usize;
    }
    if let Some(t) = &f.timeout {
        fetch.timeout = parse_duration(t, locate, "timeout")?;
    }
    if let Some(t) = &f.connect_timeout {
        fetch.connect_timeout = parse_duration(t, locate, "connect_timeout")?;
    }
    if let Some(ua) = f.user_agent {
        fetch.user_agent = ua;
    }
    if let Some(m) = &f.max_body_bytes {
        fetch.max_body_bytes = count(m, "max_body_bytes", 1, i64::MAX)? as u64;
    }
    if let Some(r) = &f.max_redirects {
        fetch.max_redirects = count(r, "max_redirects", 0, 100)? as usize;
    }
    if let Some(allow) = f.allow_file_urls {
        fetch.allow_file_urls = allow;
    }
    if let Some(a) = &f.attempts {
        fetch.retry.attempts = count(a, "attempts", 1, 20)? as usize;
    }
    if let Some(d) = &f.retry_base_delay {
        fetch.retry.base_delay = parse_duration(d, locate, "retry_base_delay")?;
    }
    if let Some(d) = &f.retry_max_delay {
        fetch.retry.max_delay = parse_duration(d, locate, "retry_max_delay")?;
    }
    if let Some(d) = &f.retry_after_max {
        fetch.retry.retry_after_max = parse_duration(d, locate, "retry_after_max")?;
    }
    if let Some(n) = &f.unknown_after_failures {
        fetch.unknown_after_failures = count(n, "unknown_after_failures", 1, 1000)? as u32;
    }
    Ok(fetch)
}

fn valid_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn parse_duration(
    value: &Spanned<String>,
    locate: &Locator<'_>,
    what: &str,
) -> Result<Duration, ConfigError> {
    match humantime::parse_duration(value.get_ref()) {
        Ok(d) if !d.is_zero() => Ok(d),
        Ok(_) => Err(locate.error(value.span(), format!("{what} must be greater than zero"))),
        Err(e) => Err(locate.error(
            value.span(),
            format!(
                "{what} {:?} is not a duration such as \"30s\" or \"5m\": {e}",
                value.get_ref()
            ),
        )),
    }
}

/// Parses a source URL. `file://` followed by a relative path (`file://fixtures/x/`) is read
/// relative to the config file's directory, so a replay config works from any checkout.
pub fn parse_source_url(text: &str, base_dir: &Path) -> Result<Url, String> {
    if let Some(rest) = text.strip_prefix("file://")
        && !rest.starts_with('/')
    {
        if rest.is_empty() {
            return Err("file URL has no path".into());
        }
        let joined = base_dir.join(rest);
        let absolute = std::path::absolute(&joined)
            .map_err(|e| format!("cannot resolve {}: {e}", joined.display()))?;
        let url = if rest.ends_with('/') {
            Url::from_directory_path(&absolute)
        } else {
            Url::from_file_path(&absolute)
        };
        return url.map_err(|_| format!("cannot make a file URL of {}", absolute.display()));
    }
    let url = Url::parse(text).map_err(|e| format!("malformed URL {text:?}: {e}"))?;
    match url.scheme() {
        "http" | "https" => {
            if url.host_str().is_none_or(str::is_empty) {
                return Err(format!("URL {text:?} has no host"));
            }
            Ok(url)
        }
        "file" => Ok(url),
        other => Err(format!(
            "URL {text:?} has scheme {other:?}; only http, https and file are fetched"
        )),
    }
}

struct Locator<'a> {
    text: &'a str,
    file: &'a Path,
}

impl Locator<'_> {
    /// 1-based line and column of a byte offset.
    fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    fn error(&self, span: Range<usize>, message: String) -> ConfigError {
        ConfigError {
            file: self.file.to_path_buf(),
            position: Some(self.position(span.start)),
            message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("/etc/statusdb/config.toml"))
    }

    const GOOD: &str = r#"
[database]
path = "data/status.sqlite"

[fetch]
concurrency = 4
timeout = "10s"

[[sources]]
id = "github"
vendor = "github"
name = "GitHub"
kind = "statuspage"
url = "https://www.githubstatus.com/"
interval = "2m"
zone = "Etc/UTC"
"#;

    #[test]
    fn reads_a_good_config() {
        let c = parse(GOOD).unwrap();
        assert_eq!(
            c.database_path,
            PathBuf::from("/etc/statusdb/data/status.sqlite")
        );
        assert_eq!(c.fetch.concurrency, 4);
        assert_eq!(c.fetch.timeout, Duration::from_secs(10));
        assert_eq!(c.fetch.max_body_bytes, DEFAULT_MAX_BODY_BYTES);
        assert!(c.fetch.user_agent.starts_with("statusdb/0."));
        let s = &c.sources[0];
        assert_eq!(
            (s.id.as_str(), s.kind, s.url.as_str()),
            ("github", Kind::Statuspage, "https://www.githubstatus.com/")
        );
        assert_eq!(s.interval, Duration::from_secs(120));
        assert_eq!(s.zone, Some(chrono_tz::Etc::UTC));
    }

    #[test]
    fn unknown_key_is_located() {
        let text = GOOD.replace("interval = \"2m\"", "intervall = \"2m\"");
        let e = parse(&text).unwrap_err();
        assert_eq!(e.position, Some((15, 1)));
        assert!(e.message.contains("unknown field `intervall`"), "{e}");
        assert!(
            e.to_string()
                .starts_with("/etc/statusdb/config.toml:15:1: "),
            "{e}"
        );
    }

    #[test]
    fn unknown_kind_lists_known_kinds() {
        let text = GOOD.replace("kind = \"statuspage\"", "kind = \"statuspag\"");
        let e = parse(&text).unwrap_err();
        assert_eq!(e.position, Some((13, 8)));
        assert!(e.message.contains("known kinds: statuspage"), "{e}");
    }

    #[test]
    fn duplicate_ids_are_refused() {
        let second = GOOD.split("[[sources]]").nth(1).unwrap();
        let text = format!("{GOOD}\n[[sources]]{second}");
        let e = parse(&text).unwrap_err();
        assert!(
            e.message
                .contains("duplicate source id \"github\" (first defined on line 10)"),
            "{e}"
        );
        assert_eq!(e.position.unwrap().0, 19);
    }

    #[test]
    fn malformed_url_and_zone_are_located() {
        let e = parse(&GOOD.replace("https://www.githubstatus.com/", "htps//nope")).unwrap_err();
        assert_eq!(e.position, Some((14, 7)));
        assert!(e.message.contains("malformed URL"), "{e}");
        let e = parse(&GOOD.replace("ftp", "").replace("https://", "ftp://")).unwrap_err();
        assert!(e.message.contains("only http, https and file"), "{e}");
        let e = parse(&GOOD.replace("Etc/UTC", "Mars/Olympus")).unwrap_err();
        assert_eq!(e.position, Some((16, 8)));
        assert!(
            e.message.contains("unknown time zone \"Mars/Olympus\""),
            "{e}"
        );
    }

    #[test]
    fn relative_file_urls_are_read_from_the_config_directory() {
        let text = GOOD.replace("https://www.githubstatus.com/", "file://pages/github/");
        let c = parse(&text).unwrap();
        assert_eq!(
            c.sources[0].url.as_str(),
            "file:///etc/statusdb/pages/github/"
        );
    }

    #[test]
    fn fetch_limits_and_retries_have_defaults_and_can_be_set() {
        let c = parse(GOOD).unwrap();
        assert_eq!(c.fetch.per_host_concurrency, 4);
        assert_eq!(c.fetch.connect_timeout, Duration::from_secs(10));
        assert_eq!(c.fetch.max_redirects, 10);
        assert!(c.fetch.allow_file_urls);
        assert_eq!(c.fetch.retry, RetrySettings::default());
        assert_eq!(c.fetch.retry.attempts, 3);
        assert_eq!(c.fetch.unknown_after_failures, 3);

        let text = GOOD.replace(
            "timeout = \"10s\"",
            "timeout = \"10s\"\nconnect_timeout = \"2s\"\nper_host_concurrency = 1\n\
             max_redirects = 0\nattempts = 5\nretry_base_delay = \"250ms\"\n\
             retry_max_delay = \"1m\"\nretry_after_max = \"5m\"\nunknown_after_failures = 10",
        );
        let f = parse(&text).unwrap().fetch;
        assert_eq!(f.connect_timeout, Duration::from_secs(2));
        assert_eq!(f.per_host_concurrency, 1);
        assert_eq!(f.max_redirects, 0);
        assert_eq!(
            f.retry,
            RetrySettings {
                attempts: 5,
                base_delay: Duration::from_millis(250),
                max_delay: Duration::from_secs(60),
                retry_after_max: Duration::from_secs(300),
            }
        );
        assert_eq!(f.unknown_after_failures, 10);
    }

    #[test]
    fn fetch_values_out_of_range_are_located() {
        let e =
            parse(&GOOD.replace("concurrency = 4", "concurrency = 4\nattempts = 0")).unwrap_err();
        assert_eq!(e.position, Some((7, 12)));
        assert_eq!(e.message, "attempts must be 1 to 20, not 0");
        let e = parse(&GOOD.replace(
            "timeout = \"10s\"",
            "timeout = \"10s\"\nconnect_timeout = \"0s\"",
        ))
        .unwrap_err();
        assert_eq!(e.message, "connect_timeout must be greater than zero");
    }

    #[test]
    fn file_urls_can_be_forbidden() {
        let text = GOOD
            .replace(
                "https://www.githubstatus.com/",
                "file:///srv/pages/github.json",
            )
            .replace(
                "timeout = \"10s\"",
                "timeout = \"10s\"\nallow_file_urls = false",
            );
        let e = parse(&text).unwrap_err();
        assert_eq!(e.position, Some((15, 7)));
        assert_eq!(
            e.message,
            "file URLs are not allowed: [fetch] allow_file_urls = false"
        );
    }
}
