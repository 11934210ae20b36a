//! `config.toml`: the database path, fetch defaults, the list of sources, the alert targets
//! (`[[notify]]`, `[delivery]`) and the reports' rule and service-level targets (`[report]`,
//! `[[sla]]`), validated strictly. Every error names the file, line and column
//! it found the problem at.

use crate::events::EventType;
use crate::model::{ComponentStatus, Impact};
use crate::providers::{Kind, UnknownKind};
use crate::uptime::rule::{Maintenance, Preset, Rule};
use chrono_tz::Tz;
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;
use toml::Spanned;
use url::Url;

/// The default `[fetch] concurrency`: documents fetched at once over all hosts.
pub const DEFAULT_CONCURRENCY: usize = 256;
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
pub(crate) const DEFAULT_MAX_BODY_BYTES: u64 = 32 * 1024 * 1024;
pub(crate) const DEFAULT_INTERVAL: Duration = Duration::from_secs(5 * 60);
pub(crate) const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
pub(crate) const DEFAULT_MAX_REDIRECTS: usize = 10;
pub(crate) const DEFAULT_PER_HOST_CONCURRENCY: usize = 4;
pub(crate) const DEFAULT_ATTEMPTS: usize = 3;
pub(crate) const DEFAULT_RETRY_BASE_DELAY: Duration = Duration::from_secs(1);
pub(crate) const DEFAULT_RETRY_MAX_DELAY: Duration = Duration::from_secs(30);
pub(crate) const DEFAULT_RETRY_AFTER_MAX: Duration = Duration::from_secs(120);
pub(crate) const DEFAULT_UNKNOWN_AFTER_FAILURES: u32 = 3;
pub(crate) const DEFAULT_DELIVERY_TIME_LIMIT: Duration = Duration::from_secs(30);
pub(crate) const DEFAULT_DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);
pub(crate) const DEFAULT_DELIVERY_MAX_ATTEMPTS: u32 = 10;
pub(crate) const DEFAULT_DELIVERY_RETRY_BASE_DELAY: Duration = Duration::from_secs(30);
pub(crate) const DEFAULT_DELIVERY_RETRY_MAX_DELAY: Duration = Duration::from_secs(60 * 60);
/// PagerDuty's Events API v2 endpoint, unless a target names another (its EU service region).
pub(crate) const PAGERDUTY_EVENTS_URL: &str = "https://events.pagerduty.com/v2/enqueue";

/// The user agent statusdb sends unless the config says otherwise.
pub(crate) fn default_user_agent() -> String {
    format!(
        "statusdb/{} (+https://github.com/statusdb/statusdb)",
        env!("CARGO_PKG_VERSION")
    )
}

/// A validated `config.toml`: where the database is, how to fetch, the sources, and where alerts go.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file the config was read from.
    pub file: PathBuf,
    /// The database file (`[database] path`, relative to the config's directory).
    pub database_path: PathBuf,
    /// `[fetch]`: how documents are fetched.
    pub fetch: FetchSettings,
    /// `[[sources]]`, in the order the file lists them.
    pub sources: Vec<Source>,
    /// Where alerts go (`[[notify]]`), in the order the file lists them.
    pub notify: Vec<NotifyTarget>,
    /// How alerts go out (`[delivery]`).
    pub delivery: DeliverySettings,
    /// The downtime rule reports apply (`[report]`).
    pub report: ReportSettings,
    /// Service-level targets `report sla` checks (`[[sla]]`), in the order the file lists them.
    pub sla: Vec<SlaTarget>,
}

/// `[fetch]`: limits and politeness of the fetcher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchSettings {
    /// Documents fetched at once, over all hosts.
    pub concurrency: usize,
    /// Documents fetched at once from one host.
    pub per_host_concurrency: usize,
    /// One request, from connecting to the last byte of the body.
    pub timeout: Duration,
    /// Connecting, at most (never longer than `timeout`).
    pub connect_timeout: Duration,
    /// The `User-Agent` header sent.
    pub user_agent: String,
    /// Cap on a body after decompression.
    pub max_body_bytes: u64,
    /// Redirects followed at most (only to http and https).
    pub max_redirects: usize,
    /// Whether `file://` source URLs are read (the offline replay uses them).
    pub allow_file_urls: bool,
    /// Retries of transient faults within a run.
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

/// A configured source (defined with the hand-off types: every stage sees it).
pub use statusdb_core::handoff::Source;

/// One `[[notify]]` entry: a place alerts are delivered to, and which events it wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyTarget {
    /// The target's id (defaults to its kind).
    pub id: String,
    /// The receiver it speaks to.
    pub kind: NotifyKind,
    /// Where requests go: a URL written in the file (not a secret), or the variable holding it.
    pub endpoint: Endpoint,
    /// PagerDuty only: the variable holding the integration's routing key.
    pub routing_key_env: Option<EnvVar>,
    /// Webhook only: the variable holding the key of the `X-Statusdb-Signature` HMAC.
    pub secret_env: Option<EnvVar>,
    /// Webhook only: the body's shape.
    pub format: WebhookFormat,
    /// Which events it wants.
    pub filter: NotifyFilter,
}

/// The receivers statusdb speaks to, each with its own payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotifyKind {
    /// A plain HTTP POST of each event (optionally signed).
    Webhook,
    /// A Slack incoming webhook (Block Kit).
    Slack,
    /// A Microsoft Teams workflow webhook (Adaptive Card).
    Teams,
    /// PagerDuty Events API v2.
    PagerDuty,
}

impl NotifyKind {
    pub(crate) const ALL: &'static [NotifyKind] = &[
        NotifyKind::Webhook,
        NotifyKind::Slack,
        NotifyKind::Teams,
        NotifyKind::PagerDuty,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            NotifyKind::Webhook => "webhook",
            NotifyKind::Slack => "slack",
            NotifyKind::Teams => "teams",
            NotifyKind::PagerDuty => "pagerduty",
        }
    }

    fn from_name(name: &str) -> Option<NotifyKind> {
        NotifyKind::ALL.iter().copied().find(|k| k.as_str() == name)
    }
}

impl fmt::Display for NotifyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a target's requests go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// Written in the config (`url = "..."`): for URLs that are not secrets.
    Url(Url),
    /// Read from the environment when delivering (`url_env = "..."`).
    Env(EnvVar),
}

/// An environment variable named in the config, with where it was named (for `check-config`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    /// The variable's name.
    pub name: String,
    /// The config key that names it (`url_env`, `routing_key_env`, `secret_env`).
    pub key: &'static str,
    /// 1-based line and column of its value in the config file.
    pub position: (usize, usize),
}

impl EnvVar {
    /// The variable's value; `None` when it is unset or empty.
    pub(crate) fn value(&self) -> Option<String> {
        std::env::var(&self.name)
            .ok()
            .filter(|v| !v.trim().is_empty())
    }
}

/// The shape of a `webhook` target's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WebhookFormat {
    /// The event as `statusdb events --format ndjson` prints it.
    #[default]
    Event,
    /// Atlassian Statuspage's subscriber webhook (`page`, `incident` or `component_update`).
    Statuspage,
}

/// Which events a target wants; every part left out lets all through.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NotifyFilter {
    /// Only these event types.
    pub events: Option<Vec<EventType>>,
    /// Only events of these vendors.
    pub vendors: Option<Vec<String>>,
    /// Component names or globs (`*` any text, `?` one character; letters compare without case).
    pub components: Option<Vec<String>>,
    /// Only incidents of at least this impact (component changes by the worse of their statuses).
    pub min_impact: Option<Impact>,
}

/// `[delivery]`: how alerts go out, for every target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliverySettings {
    /// All deliveries of one run together, from the first request to the last.
    pub time_limit: Duration,
    /// One request, from connecting to the answer.
    pub timeout: Duration,
    /// Tries of one delivery before it is dead-lettered.
    pub max_attempts: u32,
    /// The wait after a delivery's first failed try; it doubles after each further one.
    pub retry_base_delay: Duration,
    /// The longest wait between two tries of one delivery.
    pub retry_max_delay: Duration,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        DeliverySettings {
            time_limit: DEFAULT_DELIVERY_TIME_LIMIT,
            timeout: DEFAULT_DELIVERY_TIMEOUT,
            max_attempts: DEFAULT_DELIVERY_MAX_ATTEMPTS,
            retry_base_delay: DEFAULT_DELIVERY_RETRY_BASE_DELAY,
            retry_max_delay: DEFAULT_DELIVERY_RETRY_MAX_DELAY,
        }
    }
}

/// A config problem, located in its file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    /// The config file.
    pub file: PathBuf,
    /// 1-based line and column, where the problem has a place in the file.
    pub position: Option<(usize, usize)>,
    /// What is wrong.
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
    #[serde(default)]
    notify: Vec<RawNotify>,
    delivery: Option<RawDelivery>,
    report: Option<RawReport>,
    #[serde(default)]
    sla: Vec<RawSla>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNotify {
    id: Option<Spanned<String>>,
    kind: Spanned<String>,
    url: Option<Spanned<String>>,
    url_env: Option<Spanned<String>>,
    routing_key_env: Option<Spanned<String>>,
    secret_env: Option<Spanned<String>>,
    format: Option<Spanned<String>>,
    events: Option<Spanned<Vec<Spanned<String>>>>,
    vendors: Option<Spanned<Vec<Spanned<String>>>>,
    components: Option<Spanned<Vec<Spanned<String>>>>,
    min_impact: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDelivery {
    time_limit: Option<Spanned<String>>,
    timeout: Option<Spanned<String>>,
    max_attempts: Option<Spanned<i64>>,
    retry_base_delay: Option<Spanned<String>>,
    retry_max_delay: Option<Spanned<String>>,
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

        let mut notify = Vec::with_capacity(raw.notify.len());
        for n in raw.notify {
            let target = notify_target(n, &sources, &locate)?;
            if notify.iter().any(|t: &NotifyTarget| t.id == target.id) {
                return Err(locate.error(
                    target.place.clone(),
                    format!(
                        "duplicate notify target id {:?} (give each target its own id)",
                        target.id
                    ),
                ));
            }
            notify.push(target.target);
        }
        let delivery = match raw.delivery {
            Some(d) => delivery_settings(d, &locate)?,
            None => DeliverySettings::default(),
        };

        let report = match raw.report {
            Some(r) => report_settings(r, &locate)?,
            None => ReportSettings::default(),
        };
        let sla = sla_targets(raw.sla, &sources, &locate)?;

        Ok(Config {
            file: path.to_path_buf(),
            database_path,
            fetch,
            sources,
            notify,
            delivery,
            report,
            sla,
        })
    }

    pub(crate) fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }

    /// The problems of the environment the alert targets read their secrets from: a variable
    /// that is unset or empty, or a `url_env` whose value is not an http(s) URL. Each is
    /// located where the config names the variable; no value is ever printed.
    pub fn environment_problems(&self) -> Vec<ConfigError> {
        let mut problems = Vec::new();
        for target in &self.notify {
            for var in target.env_vars() {
                let problem = match var.value() {
                    None => Some(format!(
                        "environment variable {} ({} of notify target {:?}) is not set",
                        var.name, var.key, target.id
                    )),
                    Some(value) if var.key == "url_env" => {
                        parse_target_url(&value).err().map(|why| {
                            format!(
                                "environment variable {} ({} of notify target {:?}) {why}",
                                var.name, var.key, target.id
                            )
                        })
                    }
                    Some(_) => None,
                };
                if let Some(message) = problem {
                    problems.push(ConfigError {
                        file: self.file.clone(),
                        position: Some(var.position),
                        message,
                    });
                }
            }
        }
        problems
    }
}

impl NotifyTarget {
    /// The environment variables this target reads.
    pub(crate) fn env_vars(&self) -> impl Iterator<Item = &EnvVar> {
        let endpoint = match &self.endpoint {
            Endpoint::Env(var) => Some(var),
            Endpoint::Url(_) => None,
        };
        endpoint
            .into_iter()
            .chain(&self.routing_key_env)
            .chain(&self.secret_env)
    }
}

/// Checks a target's URL (from the file or the environment) without ever echoing it: a
/// webhook URL often is the secret.
pub(crate) fn parse_target_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text.trim()).map_err(|e| format!("is not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err("is not an http or https URL".into());
    }
    Ok(url)
}

/// A target read from the file, with where it is named (its `id`, else its `kind`).
struct Located {
    target: NotifyTarget,
    place: Range<usize>,
}

impl std::ops::Deref for Located {
    type Target = NotifyTarget;
    fn deref(&self) -> &NotifyTarget {
        &self.target
    }
}

fn notify_target(
    n: RawNotify,
    sources: &[Source],
    locate: &Locator<'_>,
) -> Result<Located, ConfigError> {
    let place = n.id.as_ref().unwrap_or(&n.kind).span();
    let kind = NotifyKind::from_name(n.kind.get_ref()).ok_or_else(|| {
        let known: Vec<&str> = NotifyKind::ALL.iter().map(|k| k.as_str()).collect();
        locate.error(
            n.kind.span(),
            format!(
                "unknown notify kind {:?}; known kinds: {}",
                n.kind.get_ref(),
                known.join(", ")
            ),
        )
    })?;
    // One target of a kind needs no id: it is named after its kind.
    let id =
        n.id.as_ref()
            .map_or(kind.as_str(), |id| id.get_ref().trim())
            .to_string();
    if !valid_identifier(&id) {
        return Err(locate.error(
            place.clone(),
            format!("notify target id {id:?} must be letters, digits, '-', '_' or '.'"),
        ));
    }
    let only_for = |value: Option<Range<usize>>, key: &str, allowed: NotifyKind| match value {
        Some(span) if kind != allowed => Err(locate.error(
            span,
            format!("{key} is for kind = \"{allowed}\" targets, not {kind}"),
        )),
        _ => Ok(()),
    };
    only_for(
        n.routing_key_env.as_ref().map(Spanned::span),
        "routing_key_env",
        NotifyKind::PagerDuty,
    )?;
    only_for(
        n.secret_env.as_ref().map(Spanned::span),
        "secret_env",
        NotifyKind::Webhook,
    )?;
    only_for(
        n.format.as_ref().map(Spanned::span),
        "format",
        NotifyKind::Webhook,
    )?;

    let endpoint = notify_endpoint(&n, kind, &id, &place, locate)?;
    let routing_key_env = env_var(&n.routing_key_env, "routing_key_env", locate)?;
    if kind == NotifyKind::PagerDuty && routing_key_env.is_none() {
        return Err(locate.error(
            place.clone(),
            format!("notify target {id:?} (pagerduty) needs routing_key_env"),
        ));
    }
    let secret_env = env_var(&n.secret_env, "secret_env", locate)?;
    let format = match &n.format {
        None => WebhookFormat::Event,
        Some(f) => match f.get_ref().as_str() {
            "event" => WebhookFormat::Event,
            "statuspage" => WebhookFormat::Statuspage,
            other => {
                return Err(locate.error(
                    f.span(),
                    format!("unknown webhook format {other:?}; known formats: event, statuspage"),
                ));
            }
        },
    };

    let filter = notify_filter(&n, sources, locate)?;
    Ok(Located {
        target: NotifyTarget {
            id,
            kind,
            endpoint,
            routing_key_env,
            secret_env,
            format,
            filter,
        },
        place,
    })
}

/// A target's endpoint: its `url` (never for Slack and Teams, whose URLs are secrets), the
/// variable its `url_env` names, or for PagerDuty the Events API.
fn notify_endpoint(
    n: &RawNotify,
    kind: NotifyKind,
    id: &str,
    place: &Range<usize>,
    locate: &Locator<'_>,
) -> Result<Endpoint, ConfigError> {
    Ok(match (&n.url, &n.url_env) {
        (Some(url), Some(_)) => {
            return Err(locate.error(url.span(), "give url or url_env, not both".into()));
        }
        (Some(url), None) => {
            if matches!(kind, NotifyKind::Slack | NotifyKind::Teams) {
                return Err(locate.error(
                    url.span(),
                    format!(
                        "a {kind} webhook URL is a secret: put it in an environment variable \
                         and name that with url_env"
                    ),
                ));
            }
            let parsed = parse_target_url(url.get_ref())
                .map_err(|why| locate.error(url.span(), format!("url {why}")))?;
            Endpoint::Url(parsed)
        }
        (None, Some(_)) => Endpoint::Env(
            env_var(&n.url_env, "url_env", locate)?
                .ok_or_else(|| locate.error(place.clone(), "url_env is missing".into()))?,
        ),
        (None, None) if kind == NotifyKind::PagerDuty => Endpoint::Url(
            Url::parse(PAGERDUTY_EVENTS_URL)
                .map_err(|e| locate.error(place.clone(), e.to_string()))?,
        ),
        (None, None) => {
            return Err(locate.error(
                place.clone(),
                format!(
                    "notify target {id:?} needs url_env (or url, for a URL that is not a secret)"
                ),
            ));
        }
    })
}

/// The events a target wants: every list left out lets all through; an empty one is refused.
fn notify_filter(
    n: &RawNotify,
    sources: &[Source],
    locate: &Locator<'_>,
) -> Result<NotifyFilter, ConfigError> {
    let list = |value: &Option<Spanned<Vec<Spanned<String>>>>, key: &str| match value {
        Some(items) if items.get_ref().is_empty() => Err(locate.error(
            items.span(),
            format!("{key} is empty: leave it out to let every event through"),
        )),
        Some(items) => Ok(Some(items.get_ref().clone())),
        None => Ok(None),
    };
    let events = list(&n.events, "events")?
        .map(|items| {
            items
                .iter()
                .map(|e| {
                    EventType::ALL
                        .iter()
                        .copied()
                        .find(|t| t.as_str() == e.get_ref())
                        .ok_or_else(|| {
                            let known: Vec<&str> =
                                EventType::ALL.iter().map(|t| t.as_str()).collect();
                            locate.error(
                                e.span(),
                                format!(
                                    "unknown event type {:?}; known types: {}",
                                    e.get_ref(),
                                    known.join(", ")
                                ),
                            )
                        })
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let vendors = list(&n.vendors, "vendors")?
        .map(|items| {
            items
                .iter()
                .map(|v| {
                    let vendor = v.get_ref().trim();
                    if sources.iter().any(|s| s.vendor == vendor) {
                        Ok(vendor.to_string())
                    } else {
                        Err(locate.error(
                            v.span(),
                            format!("vendor {vendor:?} is not the vendor of any source"),
                        ))
                    }
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let components = list(&n.components, "components")?
        .map(|items| {
            items
                .iter()
                .map(|c| {
                    let pattern = c.get_ref().trim();
                    if pattern.is_empty() {
                        Err(locate.error(c.span(), "component name is empty".into()))
                    } else {
                        Ok(pattern.to_string())
                    }
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?;
    let min_impact = n
        .min_impact
        .as_ref()
        .map(|m| {
            m.get_ref().parse::<Impact>().map_err(|_| {
                locate.error(
                    m.span(),
                    format!(
                        "unknown impact {:?}; known impacts: none, minor, major, critical",
                        m.get_ref()
                    ),
                )
            })
        })
        .transpose()?;
    Ok(NotifyFilter {
        events,
        vendors,
        components,
        min_impact,
    })
}

/// An environment variable's name from the config (`url_env`, `routing_key_env`,
/// `secret_env`), checked, with where it was written.
fn env_var(
    value: &Option<Spanned<String>>,
    key: &'static str,
    locate: &Locator<'_>,
) -> Result<Option<EnvVar>, ConfigError> {
    value
        .as_ref()
        .map(|v| {
            let name = v.get_ref().trim().to_string();
            let valid = name
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if valid {
                Ok(EnvVar {
                    name,
                    key,
                    position: locate.position(v.span().start),
                })
            } else {
                Err(locate.error(
                    v.span(),
                    format!(
                        "{key} {name:?} is not an environment variable name \
                             (letters, digits and '_', not starting with a digit)"
                    ),
                ))
            }
        })
        .transpose()
}

fn delivery_settings(
    d: RawDelivery,
    locate: &Locator<'_>,
) -> Result<DeliverySettings, ConfigError> {
    let mut delivery = DeliverySettings::default();
    if let Some(t) = &d.time_limit {
        delivery.time_limit = parse_duration(t, locate, "time_limit")?;
    }
    if let Some(t) = &d.timeout {
        delivery.timeout = parse_duration(t, locate, "timeout")?;
    }
    if let Some(n) = &d.max_attempts {
        let value = *n.get_ref();
        if !(1..=100).contains(&value) {
            return Err(locate.error(
                n.span(),
                format!("max_attempts must be 1 to 100, not {value}"),
            ));
        }
        delivery.max_attempts = value as u32;
    }
    if let Some(t) = &d.retry_base_delay {
        delivery.retry_base_delay = parse_duration(t, locate, "retry_base_delay")?;
    }
    if let Some(t) = &d.retry_max_delay {
        delivery.retry_max_delay = parse_duration(t, locate, "retry_max_delay")?;
    }
    if delivery.retry_max_delay < delivery.retry_base_delay {
        let span = d
            .retry_max_delay
            .as_ref()
            .or(d.retry_base_delay.as_ref())
            .map(Spanned::span)
            .unwrap_or(0..0);
        return Err(locate.error(
            span,
            "retry_max_delay must not be shorter than retry_base_delay".into(),
        ));
    }
    Ok(delivery)
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
pub(crate) fn parse_source_url(text: &str, base_dir: &Path) -> Result<Url, String> {
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

#[cfg(test)]
mod notify_tests {
    use super::*;

    const SOURCES: &str = r#"
[[sources]]
id = "github"
vendor = "github"
kind = "statuspage"
url = "https://www.githubstatus.com/"
"#;

    fn parse(notify: &str) -> Result<Config, ConfigError> {
        Config::parse(
            &format!("{SOURCES}{notify}"),
            Path::new("/etc/statusdb/config.toml"),
        )
    }

    #[test]
    fn targets_are_read_with_their_filters_and_defaults() {
        let c = parse(
            r#"
[[notify]]
id = "ops-slack"
kind = "slack"
url_env = "STATUSDB_SLACK_URL"
events = ["incident_opened", "incident_resolved"]
vendors = ["github"]
components = ["Git Operations", "okta.com cell *"]
min_impact = "minor"

[[notify]]
id = "pager"
kind = "pagerduty"
routing_key_env = "PD_KEY"

[[notify]]
id = "hook"
kind = "webhook"
url = "https://hooks.example.com/statusdb"
secret_env = "HOOK_SECRET"
format = "statuspage"
"#,
        )
        .unwrap();
        assert_eq!(c.delivery, DeliverySettings::default());
        assert_eq!(c.delivery.time_limit, Duration::from_secs(30));
        let slack = &c.notify[0];
        assert_eq!(slack.kind, NotifyKind::Slack);
        assert_eq!(
            slack.endpoint,
            Endpoint::Env(EnvVar {
                name: "STATUSDB_SLACK_URL".into(),
                key: "url_env",
                position: (11, 11),
            })
        );
        assert_eq!(
            slack.filter,
            NotifyFilter {
                events: Some(vec![EventType::IncidentOpened, EventType::IncidentResolved]),
                vendors: Some(vec!["github".into()]),
                components: Some(vec!["Git Operations".into(), "okta.com cell *".into()]),
                min_impact: Some(Impact::Minor),
            }
        );
        let pager = &c.notify[1];
        assert_eq!(
            pager.endpoint,
            Endpoint::Url(Url::parse(PAGERDUTY_EVENTS_URL).unwrap())
        );
        assert_eq!(pager.routing_key_env.as_ref().unwrap().name, "PD_KEY");
        assert_eq!(pager.filter, NotifyFilter::default());
        let hook = &c.notify[2];
        assert_eq!(hook.format, WebhookFormat::Statuspage);
        assert_eq!(hook.secret_env.as_ref().unwrap().position, (26, 14));
    }

    fn error(notify: &str) -> (Option<(usize, usize)>, String) {
        let e = parse(notify).unwrap_err();
        (e.position, e.message)
    }

    #[test]
    fn mistakes_are_located_and_named() {
        let target = "\n[[notify]]\nid = \"t\"\nkind = \"webhook\"\nurl = \"https://x.example/\"\n";
        assert_eq!(
            error(&format!("{target}mention = \"@here\"\n")).0,
            Some((12, 1))
        );
        assert!(
            error(&format!("{target}mention = \"@here\"\n"))
                .1
                .contains("unknown field `mention`")
        );
        assert_eq!(
            error(&target.replace("webhook", "discord")),
            (
                Some((10, 8)),
                "unknown notify kind \"discord\"; known kinds: webhook, slack, teams, pagerduty"
                    .into()
            )
        );
        assert_eq!(
            error(&format!(
                "{target}events = [\"incident_opened\", \"incident_closed\"]\n"
            )),
            (
                Some((12, 30)),
                "unknown event type \"incident_closed\"; known types: incident_opened, \
                 incident_updated, incident_resolved, maintenance_scheduled, \
                 component_status_changed"
                    .into()
            )
        );
        assert_eq!(
            error(&format!("{target}vendors = [\"gihtub\"]\n")),
            (
                Some((12, 12)),
                "vendor \"gihtub\" is not the vendor of any source".into()
            )
        );
        assert_eq!(
            error(&format!("{target}min_impact = \"severe\"\n")).1,
            "unknown impact \"severe\"; known impacts: none, minor, major, critical"
        );
        assert_eq!(
            error(&format!("{target}events = []\n")).1,
            "events is empty: leave it out to let every event through"
        );
        assert_eq!(
            error(&format!("{target}routing_key_env = \"K\"\n")).1,
            "routing_key_env is for kind = \"pagerduty\" targets, not webhook"
        );
        assert_eq!(
            error(&format!("{target}format = \"xml\"\n")).1,
            "unknown webhook format \"xml\"; known formats: event, statuspage"
        );
        assert_eq!(
            error(&format!(
                "{target}{}",
                target.replace("https://x.example/", "https://y/")
            ))
            .1,
            "duplicate notify target id \"t\" (give each target its own id)"
        );
        // Without an id, a target is named after its kind.
        let c = parse(
            "\n[[notify]]\nkind = \"pagerduty\"\nrouting_key_env = \"K\"\nvendors = [\"github\"]\n",
        )
        .unwrap();
        assert_eq!(c.notify[0].id, "pagerduty");
        assert_eq!(
            error(&target.replace("url = \"https://x.example/\"", "url = \"ftp://x/\"")).1,
            "url is not an http or https URL"
        );
        assert_eq!(
            error(&target.replace("url = \"https://x.example/\"", "url_env = \"1BAD\"")).1,
            "url_env \"1BAD\" is not an environment variable name (letters, digits and '_', \
             not starting with a digit)"
        );
        assert_eq!(
            error(&target.replace("url = \"https://x.example/\"\n", "")).1,
            "notify target \"t\" needs url_env (or url, for a URL that is not a secret)"
        );
        assert_eq!(
            error("\n[[notify]]\nid = \"p\"\nkind = \"pagerduty\"\n").1,
            "notify target \"p\" (pagerduty) needs routing_key_env"
        );
    }

    #[test]
    fn chat_webhook_urls_are_secrets_and_never_written_in_the_file() {
        for kind in ["slack", "teams"] {
            let (position, message) = error(&format!(
                "\n[[notify]]\nid = \"c\"\nkind = \"{kind}\"\nurl = \"https://hooks.slack.com/services/T/B/X\"\n"
            ));
            assert_eq!(position, Some((11, 7)));
            assert_eq!(
                message,
                format!(
                    "a {kind} webhook URL is a secret: put it in an environment variable and \
                     name that with url_env"
                )
            );
        }
    }

    #[test]
    fn delivery_settings_have_defaults_and_bounds() {
        let c = parse(
            "[delivery]\ntime_limit = \"5s\"\ntimeout = \"2s\"\nmax_attempts = 3\n\
             retry_base_delay = \"1s\"\nretry_max_delay = \"10s\"\n",
        )
        .unwrap();
        assert_eq!(
            c.delivery,
            DeliverySettings {
                time_limit: Duration::from_secs(5),
                timeout: Duration::from_secs(2),
                max_attempts: 3,
                retry_base_delay: Duration::from_secs(1),
                retry_max_delay: Duration::from_secs(10),
            }
        );
        assert_eq!(
            error("[delivery]\nmax_attempts = 0\n"),
            (Some((8, 16)), "max_attempts must be 1 to 100, not 0".into())
        );
        assert_eq!(
            error("[delivery]\nretry_base_delay = \"2h\"\n").1,
            "retry_max_delay must not be shorter than retry_base_delay"
        );
    }

    #[test]
    fn missing_secrets_are_named_where_the_config_names_them() {
        let c = parse(
            "\n[[notify]]\nid = \"pager\"\nkind = \"pagerduty\"\n\
             routing_key_env = \"STATUSDB_CONFIG_TEST_UNSET_KEY\"\n",
        )
        .unwrap();
        let problems = c.environment_problems();
        assert_eq!(problems.len(), 1);
        assert_eq!(
            problems[0].to_string(),
            "/etc/statusdb/config.toml:11:19: environment variable \
             STATUSDB_CONFIG_TEST_UNSET_KEY (routing_key_env of notify target \"pager\") is not set"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// `[report]` and `[[sla]]`: the downtime rule of reports and the service-level targets
// `report sla` checks (docs/REPORTS.md).

/// `[report]`: the rule `report uptime` and `report sla` apply unless a flag says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ReportSettings {
    /// The downtime rule (a preset's weights, or free ones, and the maintenance mode).
    pub rule: Rule,
}

/// `[[sla]]` entries (defined with the report that checks them).
pub use crate::uptime::sla::{CreditTier, SlaTarget};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReport {
    preset: Option<Spanned<String>>,
    weights: Option<RawWeights>,
    maintenance: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWeights {
    major_outage: Option<Spanned<f64>>,
    partial_outage: Option<Spanned<f64>>,
    degraded_performance: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSla {
    name: Option<Spanned<String>>,
    vendor: Spanned<String>,
    components: Spanned<Vec<Spanned<String>>>,
    target: Spanned<f64>,
    credits: Option<Vec<Spanned<RawCredit>>>,
    claim_window_days: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCredit {
    below: Spanned<f64>,
    credit: Spanned<f64>,
}

fn report_settings(r: RawReport, locate: &Locator<'_>) -> Result<ReportSettings, ConfigError> {
    let preset = match &r.preset {
        Some(p) => Preset::from_name(p.get_ref()).ok_or_else(|| {
            locate.error(
                p.span(),
                format!(
                    "unknown preset {:?}; known presets: {}",
                    p.get_ref(),
                    Preset::names()
                ),
            )
        })?,
        None => Preset::Instatus,
    };
    let mut rule = Rule::preset(preset);
    if let Some(w) = &r.weights {
        for (status, value) in [
            (ComponentStatus::MajorOutage, &w.major_outage),
            (ComponentStatus::PartialOutage, &w.partial_outage),
            (
                ComponentStatus::DegradedPerformance,
                &w.degraded_performance,
            ),
        ] {
            if let Some(v) = value {
                let weight = *v.get_ref();
                if !(0.0..=1.0).contains(&weight) {
                    return Err(locate.error(
                        v.span(),
                        format!("the weight of {status} must be 0 to 1, not {weight}"),
                    ));
                }
                rule = rule.with_weight(status, weight);
            }
        }
    }
    if let Some(m) = &r.maintenance {
        rule.maintenance = Maintenance::from_name(m.get_ref()).ok_or_else(|| {
            locate.error(
                m.span(),
                format!(
                    "unknown maintenance mode {:?}; known modes: exclude, include, down",
                    m.get_ref()
                ),
            )
        })?;
    }
    Ok(ReportSettings { rule })
}

fn percent(value: &Spanned<f64>, what: &str, locate: &Locator<'_>) -> Result<f64, ConfigError> {
    let v = *value.get_ref();
    if v > 0.0 && v <= 100.0 {
        Ok(v)
    } else {
        Err(locate.error(
            value.span(),
            format!("{what} must be above 0 and at most 100, not {v}"),
        ))
    }
}

fn sla_targets(
    raw: Vec<RawSla>,
    sources: &[Source],
    locate: &Locator<'_>,
) -> Result<Vec<SlaTarget>, ConfigError> {
    let mut targets: Vec<SlaTarget> = Vec::with_capacity(raw.len());
    for s in raw {
        let vendor = s.vendor.get_ref().trim().to_string();
        if !sources.iter().any(|src| src.vendor == vendor) {
            return Err(locate.error(
                s.vendor.span(),
                format!("vendor {vendor:?} is not the vendor of any source"),
            ));
        }
        let name = match &s.name {
            Some(n) if n.get_ref().trim().is_empty() => {
                return Err(locate.error(n.span(), "sla name is empty".into()));
            }
            Some(n) => n.get_ref().trim().to_string(),
            None => vendor.clone(),
        };
        if targets.iter().any(|t| t.name == name) {
            let place = s.name.as_ref().map_or(s.vendor.span(), Spanned::span);
            return Err(locate.error(
                place,
                format!("duplicate sla name {name:?} (give each [[sla]] its own name)"),
            ));
        }
        if s.components.get_ref().is_empty() {
            return Err(locate.error(
                s.components.span(),
                "components is empty: name the components the target covers".into(),
            ));
        }
        let mut components = Vec::with_capacity(s.components.get_ref().len());
        for c in s.components.get_ref() {
            let pattern = c.get_ref().trim();
            if pattern.is_empty() {
                return Err(locate.error(c.span(), "component name is empty".into()));
            }
            components.push(pattern.to_string());
        }
        let target = percent(&s.target, "target", locate)?;
        let mut credits: Vec<CreditTier> = Vec::new();
        for tier in s.credits.iter().flatten() {
            let t = tier.get_ref();
            let below = percent(&t.below, "below", locate)?;
            let credit = *t.credit.get_ref();
            if !(0.0..=100.0).contains(&credit) {
                return Err(locate.error(
                    t.credit.span(),
                    format!("credit must be 0 to 100, not {credit}"),
                ));
            }
            if below > target {
                return Err(locate.error(
                    t.below.span(),
                    format!(
                        "a credit below {below} is above the target {target}: no credit without \
                         a breach"
                    ),
                ));
            }
            if credits.iter().any(|c| c.below == below) {
                return Err(locate.error(t.below.span(), format!("two credit tiers below {below}")));
            }
            credits.push(CreditTier { below, credit });
        }
        // The strictest tier first; a stricter tier never gives less back.
        credits.sort_by(|a, b| b.below.total_cmp(&a.below));
        for pair in credits.windows(2) {
            if pair[1].credit < pair[0].credit {
                let place = s
                    .credits
                    .iter()
                    .flatten()
                    .find(|t| *t.get_ref().below.get_ref() == pair[1].below)
                    .map_or(s.target.span(), Spanned::span);
                return Err(locate.error(
                    place,
                    format!(
                        "the tier below {} gives less credit ({}) than the tier below {} ({})",
                        pair[1].below, pair[1].credit, pair[0].below, pair[0].credit
                    ),
                ));
            }
        }
        let claim_window_days = match &s.claim_window_days {
            Some(d) => {
                let days = *d.get_ref();
                if !(1..=3650).contains(&days) {
                    return Err(locate.error(
                        d.span(),
                        format!("claim_window_days must be 1 to 3650, not {days}"),
                    ));
                }
                Some(days as u32)
            }
            None => None,
        };
        targets.push(SlaTarget {
            name,
            vendor,
            components,
            target,
            credits,
            claim_window_days,
        });
    }
    Ok(targets)
}

#[cfg(test)]
mod report_tests {
    use super::*;
    use crate::uptime::rule::Weights;

    const SOURCES: &str = r#"
[[sources]]
id = "github"
vendor = "github"
kind = "statuspage"
url = "https://www.githubstatus.com/"
"#;

    fn parse(extra: &str) -> Result<Config, ConfigError> {
        Config::parse(
            &format!("{SOURCES}{extra}"),
            Path::new("/etc/statusdb/config.toml"),
        )
    }

    fn error(extra: &str) -> (Option<(usize, usize)>, String) {
        let e = parse(extra).unwrap_err();
        (e.position, e.message)
    }

    #[test]
    fn the_report_rule_defaults_to_instatus_and_can_be_set() {
        let c = parse("").unwrap();
        assert_eq!(c.report.rule, Rule::preset(Preset::Instatus));
        assert!(c.sla.is_empty());
        let c = parse(
            "\n[report]\npreset = \"incidentio\"\nmaintenance = \"down\"\n\
             weights = { degraded_performance = 0.1 }\n",
        )
        .unwrap();
        assert_eq!(c.report.rule.preset, None);
        assert_eq!(
            c.report.rule.weights,
            Weights {
                major_outage: 1.0,
                partial_outage: 1.0,
                degraded_performance: 0.1
            }
        );
        assert_eq!(c.report.rule.maintenance, Maintenance::Down);
    }

    #[test]
    fn report_mistakes_are_located() {
        assert_eq!(
            error("\n[report]\npreset = \"statuspage\"\n"),
            (
                Some((9, 10)),
                "unknown preset \"statuspage\"; known presets: instatus, incidentio".into()
            )
        );
        assert_eq!(
            error("\n[report]\nweights = { partial_outage = 1.5 }\n"),
            (
                Some((9, 30)),
                "the weight of partial_outage must be 0 to 1, not 1.5".into()
            )
        );
        assert_eq!(
            error("\n[report]\nweights = { minor_outage = 0.5 }\n").0,
            Some((9, 13))
        );
        assert_eq!(
            error("\n[report]\nmaintenance = \"ignore\"\n").1,
            "unknown maintenance mode \"ignore\"; known modes: exclude, include, down"
        );
    }

    const SLA: &str = r#"
[[sla]]
name = "GitHub Enterprise Cloud"
vendor = "github"
components = ["Git Operations", "API Requests", "Actions*"]
target = 99.9
claim_window_days = 30
credits = [
  { below = 99.0, credit = 25 },
  { below = 99.9, credit = 10 },
  { below = 95.0, credit = 100 },
]
"#;

    #[test]
    fn sla_targets_are_read_with_their_credit_tiers_strictest_first() {
        let c = parse(SLA).unwrap();
        assert_eq!(
            c.sla,
            [SlaTarget {
                name: "GitHub Enterprise Cloud".into(),
                vendor: "github".into(),
                components: vec![
                    "Git Operations".into(),
                    "API Requests".into(),
                    "Actions*".into()
                ],
                target: 99.9,
                credits: vec![
                    CreditTier {
                        below: 99.9,
                        credit: 10.0
                    },
                    CreditTier {
                        below: 99.0,
                        credit: 25.0
                    },
                    CreditTier {
                        below: 95.0,
                        credit: 100.0
                    },
                ],
                claim_window_days: Some(30),
            }]
        );
        // A whole-number target, no name (the vendor names it), no credits.
        let c = parse("\n[[sla]]\nvendor = \"github\"\ncomponents = [\"Pages\"]\ntarget = 100\n")
            .unwrap();
        assert_eq!((c.sla[0].name.as_str(), c.sla[0].target), ("github", 100.0));
        assert_eq!(c.sla[0].claim_window_days, None);
    }

    #[test]
    fn sla_mistakes_are_located_and_named() {
        assert_eq!(
            error(&SLA.replace("vendor = \"github\"", "vendor = \"gihtub\"")),
            (
                Some((10, 10)),
                "vendor \"gihtub\" is not the vendor of any source".into()
            )
        );
        assert_eq!(
            error(&SLA.replace("target = 99.9", "target = 0")),
            (
                Some((12, 10)),
                "target must be above 0 and at most 100, not 0".into()
            )
        );
        assert_eq!(
            error(&SLA.replace("below = 95.0, credit = 100", "below = 95.0, credit = 5")),
            (
                Some((17, 3)),
                "the tier below 95 gives less credit (5) than the tier below 99 (25)".into()
            )
        );
        for (from, to, message) in [
            (
                "below = 99.0,",
                "below = 99.95,",
                "a credit below 99.95 is above the target 99.9: no credit without a breach",
            ),
            (
                "below = 99.0,",
                "below = 99.9,",
                "two credit tiers below 99.9",
            ),
            (
                "credit = 25",
                "credit = 250",
                "credit must be 0 to 100, not 250",
            ),
        ] {
            assert_eq!(error(&SLA.replace(from, to)).1, message, "{from} -> {to}");
        }
        assert_eq!(
            error(&SLA.replace("claim_window_days = 30", "claim_window_days = 0")),
            (
                Some((13, 21)),
                "claim_window_days must be 1 to 3650, not 0".into()
            )
        );
        for (from, to, message) in [
            (
                "[\"Git Operations\", \"API Requests\", \"Actions*\"]",
                "[]",
                "components is empty: name the components the target covers",
            ),
            ("\"API Requests\"", "\" \"", "component name is empty"),
        ] {
            assert_eq!(error(&SLA.replace(from, to)).1, message, "{from} -> {to}");
        }
        assert_eq!(
            error(&format!("{SLA}{SLA}")).1,
            "duplicate sla name \"GitHub Enterprise Cloud\" (give each [[sla]] its own name)"
        );
        let (position, message) = error(&SLA.replace("target = 99.9", "target = 99.9\nsla = 1"));
        assert_eq!(position, Some((13, 1)));
        assert!(message.contains("unknown field `sla`"), "{message}");
    }
}
