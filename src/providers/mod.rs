//! Page formats. Each kind is a pure function from one fetched page's bytes to an
//! `Observation`; none of them touches the network or the database.
//!
//! Each kind also says how surely a fetched body is its format (`detect`, pure), which is how
//! `kind = "auto"` picks one (see [`auto`]; the fetching for it is in `crate::probe`).

pub mod auto;
pub mod statuspage;
pub mod statuspage_feed;
pub mod statuspage_html;
pub mod statuspage_text;

use crate::model::Observation;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
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
        Kind::Auto,
    ];

    /// The page formats, which `auto` chooses among, in the order it reports them. A new kind
    /// joins `auto` with an arm in `detect` and in `product`, and its place here.
    pub const FORMATS: &'static [Kind] =
        &[Kind::Statuspage, Kind::StatuspageFeed, Kind::StatuspageHtml];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Statuspage => "statuspage",
            Kind::StatuspageFeed => "statuspage-feed",
            Kind::StatuspageHtml => "statuspage-html",
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
            Kind::Auto => vec![Endpoint {
                url: url.clone(),
                required: true,
            }],
        }
    }

    /// Parses one fetched document of this kind. `auto` recognises the document's format
    /// from the body alone (see [`auto::parse`]).
    pub fn parse(self, page: &PageInput<'_>) -> Result<Observation, ParseError> {
        match self {
            Kind::Statuspage => statuspage::parse(page),
            Kind::StatuspageFeed => statuspage_feed::parse(page),
            Kind::StatuspageHtml => statuspage_html::parse(page),
            Kind::Auto => auto::parse(page),
        }
    }

    /// How surely `body` is this kind's primary document (pure; see [`Confidence`]).
    pub fn detect(self, body: &[u8]) -> Confidence {
        match self {
            Kind::Statuspage => statuspage::detect(body),
            Kind::StatuspageFeed => statuspage_feed::detect(body),
            Kind::StatuspageHtml => statuspage_html::detect(body),
            Kind::Auto => Confidence::No,
        }
    }

    /// The product a kind reads, and the kind's rank within it (0 = preferred): when several
    /// views of one product match, `auto` takes the richest (JSON over feed over HTML).
    pub fn product(self) -> (&'static str, u8) {
        match self {
            Kind::Statuspage => ("statuspage", 0),
            Kind::StatuspageFeed => ("statuspage", 1),
            Kind::StatuspageHtml => ("statuspage", 2),
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
