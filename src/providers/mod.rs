//! Page formats. Each kind is a pure function from one fetched page's bytes to an
//! `Observation`; none of them touches the network or the database.

pub mod aggregator;
pub mod aws;
pub mod azure;
pub mod betterstack;
pub mod cachet;
pub mod feed;
pub mod gcp;
pub mod incidentio;
pub mod instatus;
pub mod okta;
mod rss_atom;
pub mod salesforce;
pub mod shape;
pub mod slack;
pub mod statusio;
pub mod statuspage;
mod support;

use crate::model::Observation;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
pub use shape::BodyFormat;
use std::fmt;
use url::Url;

/// The page format a source serves. Config files name it as `kind = "..."`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Atlassian Statuspage JSON API (`/api/v2/*.json`).
    Statuspage,
    /// incident.io status pages: the Statuspage-compatible `/api/v2/*.json`, `/feed.atom` and
    /// the front end's `/proxy/<host>` JSON.
    Incidentio,
    /// Instatus: `/summary.json`, `/v2/components.json`, `/history.atom`.
    Instatus,
    /// Better Stack (Better Uptime) status pages: `/index.json` (JSON:API).
    Betterstack,
    /// status.io public status API: `https://api.status.io/1.0/status/<page id>`.
    Statusio,
    /// Cachet API v1: `/api/v1/components`, `/api/v1/incidents`, `/api/v1/schedules`.
    Cachet,
    /// Any RSS 2.0 or Atom feed: one incident per entry (the fallback kind).
    Feed,
    /// Google Cloud `incidents.json` (the whole history in one array).
    Gcp,
    /// AWS Health Dashboard: legacy `data.json`, `currentevents` JSON, RSS feeds.
    Aws,
    /// Azure status RSS feed.
    Azure,
    /// Slack status API v2.0.0 (`/current`, `/history`).
    Slack,
    /// Okta's status Atom feed (FeedBurner `OktaTrustRSS`).
    Okta,
    /// Salesforce Trust API (`/v1/incidents`, `/v1/maintenances`, `/v1/instances/<key>/status`).
    Salesforce,
    /// A third-party aggregator's incident page, read from its visible text.
    Aggregator,
}

impl Kind {
    pub const ALL: &'static [Kind] = &[
        Kind::Statuspage,
        Kind::Incidentio,
        Kind::Instatus,
        Kind::Betterstack,
        Kind::Statusio,
        Kind::Cachet,
        Kind::Feed,
        Kind::Gcp,
        Kind::Aws,
        Kind::Azure,
        Kind::Slack,
        Kind::Okta,
        Kind::Salesforce,
        Kind::Aggregator,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Statuspage => "statuspage",
            Kind::Incidentio => "incidentio",
            Kind::Instatus => "instatus",
            Kind::Betterstack => "betterstack",
            Kind::Statusio => "statusio",
            Kind::Cachet => "cachet",
            Kind::Feed => "feed",
            Kind::Gcp => "gcp",
            Kind::Aws => "aws",
            Kind::Azure => "azure",
            Kind::Slack => "slack",
            Kind::Okta => "okta",
            Kind::Salesforce => "salesforce",
            Kind::Aggregator => "aggregator",
        }
    }

    /// The documents one fetch of a source reads, derived from its configured URL.
    pub fn endpoints(self, url: &Url) -> Vec<Endpoint> {
        match self {
            Kind::Statuspage => statuspage::endpoints(url),
            Kind::Incidentio => incidentio::endpoints(url),
            Kind::Instatus => instatus::endpoints(url),
            Kind::Betterstack => betterstack::endpoints(url),
            Kind::Statusio => statusio::endpoints(url),
            Kind::Cachet => cachet::endpoints(url),
            Kind::Feed => feed::endpoints(url),
            Kind::Slack => slack::endpoints(url),
            Kind::Salesforce => salesforce::endpoints(url),
            // One document each: the configured URL is the document.
            Kind::Gcp | Kind::Aws | Kind::Azure | Kind::Okta | Kind::Aggregator => single(url),
        }
    }

    /// What this kind's documents may be, for the checks every body passes before parsing
    /// (`shape::check`). Kinds that read both JSON and a feed tell them apart by the body.
    pub fn body_formats(self) -> &'static [BodyFormat] {
        use BodyFormat::{Html, Json, Text, Xml};
        match self {
            Kind::Statuspage
            | Kind::Betterstack
            | Kind::Statusio
            | Kind::Cachet
            | Kind::Gcp
            | Kind::Slack
            | Kind::Salesforce => &[Json],
            Kind::Incidentio | Kind::Instatus | Kind::Aws => &[Json, Xml],
            Kind::Feed | Kind::Azure | Kind::Okta => &[Xml],
            Kind::Aggregator => &[Html, Text],
        }
    }

    /// Checks a fetched body's shape (`shape::check`: empty, wrong format, login or captcha
    /// page, truncated JSON) and then parses it. Ingest and `statusdb parse` read pages this way.
    pub fn parse_fetched(
        self,
        page: &PageInput<'_>,
        content_type: Option<&str>,
    ) -> Result<Observation, ParseError> {
        shape::check(self, content_type, page.body)?;
        self.parse(page)
    }

    /// Parses one fetched document of this kind.
    pub fn parse(self, page: &PageInput<'_>) -> Result<Observation, ParseError> {
        match self {
            Kind::Statuspage => statuspage::parse(page),
            Kind::Incidentio => incidentio::parse(page),
            Kind::Instatus => instatus::parse(page),
            Kind::Betterstack => betterstack::parse(page),
            Kind::Statusio => statusio::parse(page),
            Kind::Cachet => cachet::parse(page),
            Kind::Feed => feed::parse(page),
            Kind::Gcp => gcp::parse(page),
            Kind::Aws => aws::parse(page),
            Kind::Azure => azure::parse(page),
            Kind::Slack => slack::parse(page),
            Kind::Okta => okta::parse(page),
            Kind::Salesforce => salesforce::parse(page),
            Kind::Aggregator => aggregator::parse(page),
        }
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.as_str() == name)
    }

    pub fn names() -> String {
        Kind::ALL
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One document a source is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub url: Url,
    /// A missing optional document (404) is recorded and skipped; a missing required one fails
    /// the source.
    pub required: bool,
}

/// One fetched document, as a parser sees it.
#[derive(Debug, Clone, Copy)]
pub struct PageInput<'a> {
    pub url: &'a str,
    pub body: &'a [u8],
    pub fetched_at: DateTime<Utc>,
    /// The source's configured zone, for times the page writes without one.
    pub zone: Option<Tz>,
}

/// Why a page could not be read as its kind. Names the place in the page and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a {kind} page: {reason}{}", place.as_deref().map(|p| format!(" (at {p})")).unwrap_or_default())]
pub struct ParseError {
    pub kind: &'static str,
    pub place: Option<String>,
    pub reason: String,
}

impl ParseError {
    pub fn new(kind: Kind, reason: impl Into<String>) -> Self {
        ParseError {
            kind: kind.as_str(),
            place: None,
            reason: reason.into(),
        }
    }
    pub fn at(kind: Kind, place: impl Into<String>, reason: impl Into<String>) -> Self {
        ParseError {
            kind: kind.as_str(),
            place: Some(place.into()),
            reason: reason.into(),
        }
    }
}

/// The configured URL itself, as the one required document.
pub fn single(url: &Url) -> Vec<Endpoint> {
    vec![Endpoint {
        url: url.clone(),
        required: true,
    }]
}

/// True when a URL names one file (its last path segment has an extension: `current.json`, a
/// saved capture) rather than a page or API root.
pub fn names_a_file(url: &Url) -> bool {
    url.path_segments()
        .and_then(|mut segments| segments.next_back())
        .is_some_and(|last| last.contains('.'))
}

/// Builds the URL of a document relative to a page's base URL, whether or not the base ends in
/// a slash (`https://www.githubstatus.com` and `.../` both give `.../api/v2/summary.json`).
pub fn join_base(base: &Url, relative: &str) -> Url {
    let mut dir = base.clone();
    if !dir.path().ends_with('/') {
        let path = format!("{}/", dir.path());
        dir.set_path(&path);
    }
    dir.join(relative).unwrap_or(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(kind: Kind, url: &str) -> Vec<String> {
        kind.endpoints(&Url::parse(url).unwrap())
            .into_iter()
            .map(|e| e.url.to_string())
            .collect()
    }

    #[test]
    fn api_roots_read_their_documents_and_files_read_themselves() {
        assert_eq!(
            urls(Kind::Slack, "https://slack-status.com/"),
            vec![
                "https://slack-status.com/api/v2.0.0/current",
                "https://slack-status.com/api/v2.0.0/history"
            ]
        );
        assert_eq!(
            urls(Kind::Slack, "https://slack-status.com/api/v2.0.0/history"),
            vec!["https://slack-status.com/api/v2.0.0/history"]
        );
        assert_eq!(
            urls(Kind::Salesforce, "https://api.status.salesforce.com"),
            vec![
                "https://api.status.salesforce.com/v1/incidents",
                "https://api.status.salesforce.com/v1/maintenances"
            ]
        );
        assert_eq!(
            urls(
                Kind::Salesforce,
                "https://api.status.salesforce.com/v1/instances/NA135/status"
            ),
            vec!["https://api.status.salesforce.com/v1/instances/NA135/status"]
        );
        assert_eq!(
            urls(Kind::Salesforce, "file:///data/instance-CS96-status.json"),
            vec!["file:///data/instance-CS96-status.json"]
        );
        assert_eq!(
            urls(Kind::Gcp, "https://status.cloud.google.com/incidents.json"),
            vec!["https://status.cloud.google.com/incidents.json"]
        );
    }
}
