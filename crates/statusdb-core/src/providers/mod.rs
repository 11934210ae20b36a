//! Page formats. Each kind is a pure function from one fetched page's bytes to an
//! `Observation`; none of them touches the network or the database.
//!
//! Each kind also says how surely a fetched body is its format (`detect`, pure), which is how
//! `kind = "auto"` picks one (see [`auto`]; the fetching for it is in `crate::probe`).

pub mod aggregator;
pub mod auto;
pub mod aws;
pub mod azure;
pub mod betterstack;
pub mod cachet;
mod error;
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
pub mod statuspage_feed;
pub mod statuspage_html;
pub mod statuspage_text;
mod support;

use crate::model::Observation;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
pub use error::{ParseCause, ParseError};
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
    /// Atlassian Statuspage incident history feed (`/history.atom`, `/history.rss`).
    StatuspageFeed,
    /// Atlassian Statuspage pages for people: home, incident and history pages.
    StatuspageHtml,
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
    /// Not a format: the kind is found by probing the page (`crate::probe`) and stored.
    Auto,
}

/// How surely a body is of a kind. `Strong`: the product's own marks (its ids, its markup, its
/// hosts); `Weak`: the shape fits but nothing says which product made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    No,
    Weak,
    Strong,
}

impl Kind {
    pub const ALL: &'static [Kind] = &[
        Kind::Statuspage,
        Kind::StatuspageFeed,
        Kind::StatuspageHtml,
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
        Kind::Auto,
    ];

    /// The page formats, which `auto` chooses among, in the order it reports them. A new kind
    /// joins `auto` with an arm in `detect` and in `product`, and its place here.
    pub const FORMATS: &'static [Kind] = &[
        Kind::Statuspage,
        Kind::StatuspageFeed,
        Kind::StatuspageHtml,
        Kind::Incidentio,
        Kind::Instatus,
        Kind::Betterstack,
        Kind::Statusio,
        Kind::Cachet,
        Kind::Gcp,
        Kind::Aws,
        Kind::Azure,
        Kind::Slack,
        Kind::Okta,
        Kind::Salesforce,
        Kind::Aggregator,
        Kind::Feed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Statuspage => "statuspage",
            Kind::StatuspageFeed => "statuspage-feed",
            Kind::StatuspageHtml => "statuspage-html",
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
            Kind::Auto => "auto",
        }
    }

    /// The documents one fetch of a source reads, derived from its configured URL. For `auto`
    /// (before its kind is resolved) the URL itself.
    pub fn endpoints(self, url: &Url) -> Vec<Endpoint> {
        match self {
            Kind::Statuspage => statuspage::endpoints(url),
            Kind::StatuspageFeed => statuspage_feed::endpoints(url),
            Kind::StatuspageHtml => statuspage_html::endpoints(url),
            Kind::Incidentio => incidentio::endpoints(url),
            Kind::Instatus => instatus::endpoints(url),
            Kind::Betterstack => betterstack::endpoints(url),
            Kind::Statusio => statusio::endpoints(url),
            Kind::Cachet => cachet::endpoints(url),
            Kind::Feed => feed::endpoints(url),
            Kind::Slack => slack::endpoints(url),
            Kind::Salesforce => salesforce::endpoints(url),
            // One document each: the configured URL is the document (for `auto`, until its
            // kind is resolved).
            Kind::Gcp | Kind::Aws | Kind::Azure | Kind::Okta | Kind::Aggregator | Kind::Auto => {
                single(url)
            }
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
            Kind::Feed | Kind::Azure | Kind::Okta | Kind::StatuspageFeed => &[Xml],
            Kind::StatuspageHtml => &[Html],
            Kind::Aggregator => &[Html, Text],
            // `auto` reads whatever the probed kind reads; the body decides.
            Kind::Auto => &[Json, Xml, Html, Text],
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

    /// Parses one fetched document of this kind. `auto` recognises the document's format
    /// from the body alone (see [`auto::parse`]).
    pub fn parse(self, page: &PageInput<'_>) -> Result<Observation, ParseError> {
        match self {
            Kind::Statuspage => statuspage::parse(page),
            Kind::StatuspageFeed => statuspage_feed::parse(page),
            Kind::StatuspageHtml => statuspage_html::parse(page),
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
            Kind::Auto => auto::parse(page),
        }
    }

    /// How surely `body` is this kind's primary document (pure; see [`Confidence`]).
    pub fn detect(self, body: &[u8]) -> Confidence {
        self.detect_in(&support::Sniff::new(body))
    }

    /// [`Kind::detect`] on a body shared with other detectors (each reading of it made once).
    pub(crate) fn detect_in(self, sniff: &support::Sniff<'_>) -> Confidence {
        let body = sniff.body;
        match self {
            Kind::Statuspage => statuspage::detect(sniff),
            Kind::StatuspageFeed => statuspage_feed::detect(sniff),
            Kind::StatuspageHtml => statuspage_html::detect(body),
            Kind::Incidentio => incidentio::detect(sniff),
            Kind::Instatus => instatus::detect(sniff),
            Kind::Betterstack => betterstack::detect(sniff),
            Kind::Statusio => statusio::detect(sniff),
            Kind::Cachet => cachet::detect(sniff),
            Kind::Feed => feed::detect(sniff),
            Kind::Gcp => gcp::detect(sniff),
            Kind::Aws => aws::detect(sniff),
            Kind::Azure => azure::detect(sniff),
            Kind::Slack => slack::detect(sniff),
            Kind::Okta => okta::detect(sniff),
            Kind::Salesforce => salesforce::detect(sniff),
            Kind::Aggregator => aggregator::detect(body),
            Kind::Auto => Confidence::No,
        }
    }

    /// The product a kind reads, and the kind's rank within it (0 = preferred): when several
    /// views of one product match, `auto` takes the richest (JSON over feed over HTML). Every
    /// other kind is a product of its own; `feed` (any RSS or Atom feed) is one too, so that a
    /// feed only it recognises is read by it, and a feed another product also claims at the
    /// same confidence is refused rather than guessed.
    pub fn product(self) -> (&'static str, u8) {
        match self {
            Kind::Statuspage => ("statuspage", 0),
            Kind::StatuspageFeed => ("statuspage", 1),
            Kind::StatuspageHtml => ("statuspage", 2),
            Kind::Incidentio => ("incident.io", 0),
            Kind::Instatus => ("instatus", 0),
            Kind::Betterstack => ("betterstack", 0),
            Kind::Statusio => ("status.io", 0),
            Kind::Cachet => ("cachet", 0),
            Kind::Feed => ("feed", 0),
            Kind::Gcp => ("gcp", 0),
            Kind::Aws => ("aws", 0),
            Kind::Azure => ("azure", 0),
            Kind::Slack => ("slack", 0),
            Kind::Okta => ("okta", 0),
            Kind::Salesforce => ("salesforce", 0),
            Kind::Aggregator => ("aggregator", 0),
            Kind::Auto => ("auto", u8::MAX),
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
    fn auto_chooses_among_every_format_kind_once() {
        let mut formats: Vec<Kind> = Kind::FORMATS.to_vec();
        formats.push(Kind::Auto);
        let mut all = Kind::ALL.to_vec();
        let key = |k: &Kind| k.as_str();
        formats.sort_by_key(key);
        all.sort_by_key(key);
        assert_eq!(formats, all);
        formats.dedup();
        assert_eq!(formats.len(), Kind::ALL.len());
        // Only Statuspage has several kinds (views) of one product.
        let mut products: Vec<&str> = Kind::FORMATS.iter().map(|k| k.product().0).collect();
        products.dedup();
        assert_eq!(products.len(), Kind::FORMATS.len() - 2);
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
