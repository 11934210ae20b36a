//! Page formats. Each kind is a pure function from one fetched page's bytes to an
//! `Observation`; none of them touches the network or the database.
//!
//! Each kind also says how surely a fetched body is its format (`detect`, pure), which is how
//! `kind = "auto"` picks one (see [`auto`]; the fetching for it is in `crate::probe`).
//!
//! Every kind is declared once: its module's `SPEC` ([`KindSpec`]: name, product, rank, body
//! formats, endpoints, parser, detector) and one row of the table in [`kinds!`], which makes
//! the [`Kind`] enum, [`Kind::ALL`], [`Kind::FORMATS`] and the name conversions from it.
//! docs/ARCHITECTURE.md ("Adding a page format") has the recipe.

/// A kind's declaration in its own module: its variant, its name in config files, its product
/// and rank, its body formats; its `endpoints` (or `one document`: the configured URL), `parse`
/// and `detect` are the module's functions of those names. Makes the module's `SPEC` (which
/// the `kinds!` table below reads) and its `KIND`.
macro_rules! kind_spec {
    ($variant:ident, $name:literal, product $product:literal rank $rank:literal, formats [$($format:ident),+] $(, $one:ident document)?) => {
        pub(crate) const SPEC: $crate::providers::KindSpec = $crate::providers::KindSpec {
            kind: $crate::providers::Kind::$variant,
            name: $name,
            product: $product,
            rank: $rank,
            formats: &[$($crate::providers::BodyFormat::$format),+],
            endpoints: kind_spec!(@endpoints $($one)?),
            parse,
            detect: Some(detect),
        };

        const KIND: $crate::providers::Kind = SPEC.kind;
    };
    (@endpoints) => { endpoints };
    (@endpoints one) => { $crate::providers::single };
}

mod aggregator;
pub mod auto;
mod aws;
mod azure;
mod betterstack;
mod cachet;
mod error;
mod feed;
mod gcp;
mod incidentio;
mod instatus;
mod okta;
mod rss_atom;
mod salesforce;
mod shape;
mod slack;
mod statusio;
mod statuspage;
mod statuspage_feed;
mod statuspage_html;
mod statuspage_text;
mod support;

use crate::model::Observation;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
pub use error::{ParseCause, ParseError};
use serde::{Deserialize, Serialize};
pub use shape::BodyFormat;
use std::fmt;
use std::str::FromStr;
use support::Sniff;
use url::Url;

/// What one kind is, declared once in the kind's module with `kind_spec!` (its `SPEC`).
pub(crate) struct KindSpec {
    /// The variant the module declares (the table's row for the module must name the same).
    pub kind: Kind,
    /// The name config files use (`kind = "statuspage-feed"`), as serde and `as_str` write it.
    pub name: &'static str,
    /// The product the kind reads; several kinds of one product are views of one page.
    pub product: &'static str,
    /// The kind's rank within its product (0 = preferred): when several views of one product
    /// match, `auto` takes the richest (JSON over feed over HTML).
    pub rank: u8,
    /// What the kind's documents may be, for the checks every body passes before parsing
    /// (`shape::check`). Kinds that read both JSON and a feed tell them apart by the body.
    pub formats: &'static [BodyFormat],
    /// The documents one fetch of a source reads, derived from its configured URL.
    pub endpoints: fn(&Url) -> Vec<Endpoint>,
    /// Parses one fetched document of the kind.
    pub parse: fn(&PageInput<'_>) -> Result<Observation, ParseError>,
    /// How surely a body is the kind's primary document (pure); `None` for a kind that is
    /// not a page format (`auto`), which `auto` therefore never chooses.
    pub detect: Option<fn(&Sniff<'_>) -> Confidence>,
}

/// The table of kinds: one row per kind, `Variant => module`, in the order `auto` weighs them
/// and reports them. Makes the `Kind` enum and [`Kind::ALL`]; the compiler holds each row to
/// its module (the module's `SPEC` must exist, with the fields above, and name that variant).
macro_rules! kinds {
    ($($(#[$doc:meta])* $variant:ident => $module:ident,)+) => {
        /// The page format a source serves. Config files name it as `kind = "..."`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Kind {
            $($(#[$doc])* $variant,)+
        }

        impl Kind {
            /// Every kind, in the table's order.
            pub const ALL: &'static [Kind] = &[$(Kind::$variant,)+];

            /// What the kind is: its module's `SPEC`.
            pub(crate) const fn spec(self) -> &'static KindSpec {
                match self {
                    $(Kind::$variant => &$module::SPEC,)+
                }
            }
        }

        $(const _: () = assert!(
            $module::SPEC.kind as usize == Kind::$variant as usize,
            concat!(stringify!($module), "::SPEC declares another kind than Kind::", stringify!($variant)),
        );)+
    };
}

kinds! {
    /// Atlassian Statuspage JSON API (`/api/v2/*.json`).
    Statuspage => statuspage,
    /// Atlassian Statuspage incident history feed (`/history.atom`, `/history.rss`).
    StatuspageFeed => statuspage_feed,
    /// Atlassian Statuspage pages for people: home, incident and history pages.
    StatuspageHtml => statuspage_html,
    /// incident.io status pages: the Statuspage-compatible `/api/v2/*.json`, `/feed.atom` and
    /// the front end's `/proxy/<host>` JSON.
    Incidentio => incidentio,
    /// Instatus: `/summary.json`, `/v2/components.json`, `/history.atom`.
    Instatus => instatus,
    /// Better Stack (Better Uptime) status pages: `/index.json` (JSON:API).
    Betterstack => betterstack,
    /// status.io public status API: `https://api.status.io/1.0/status/<page id>`.
    Statusio => statusio,
    /// Cachet API v1: `/api/v1/components`, `/api/v1/incidents`, `/api/v1/schedules`.
    Cachet => cachet,
    /// Google Cloud `incidents.json` (the whole history in one array).
    Gcp => gcp,
    /// AWS Health Dashboard: legacy `data.json`, `currentevents` JSON, RSS feeds.
    Aws => aws,
    /// Azure status RSS feed.
    Azure => azure,
    /// Slack status API v2.0.0 (`/current`, `/history`).
    Slack => slack,
    /// Okta's status Atom feed (FeedBurner `OktaTrustRSS`).
    Okta => okta,
    /// Salesforce Trust API (`/v1/incidents`, `/v1/maintenances`, `/v1/instances/<key>/status`).
    Salesforce => salesforce,
    /// A third-party aggregator's incident page, read from its visible text.
    Aggregator => aggregator,
    /// Any RSS 2.0 or Atom feed: one incident per entry (the fallback kind, last of the formats).
    Feed => feed,
    /// Not a format: the kind is found by probing the page (`crate::probe`) and stored.
    Auto => auto,
}

/// How many kinds are page formats (have a detector).
const FORMAT_COUNT: usize = {
    let mut count = 0;
    let mut i = 0;
    while i < Kind::ALL.len() {
        if Kind::ALL[i].spec().detect.is_some() {
            count += 1;
        }
        i += 1;
    }
    count
};

/// The page formats in the table's order.
const FORMATS: [Kind; FORMAT_COUNT] = {
    let mut formats = [Kind::ALL[0]; FORMAT_COUNT];
    let (mut i, mut n) = (0, 0);
    while i < Kind::ALL.len() {
        if Kind::ALL[i].spec().detect.is_some() {
            formats[n] = Kind::ALL[i];
            n += 1;
        }
        i += 1;
    }
    formats
};

/// How surely a body is of a kind. `Strong`: the product's own marks (its ids, its markup, its
/// hosts); `Weak`: the shape fits but nothing says which product made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// Not this kind's document.
    No,
    /// The shape fits, with no mark of the product.
    Weak,
    /// The product's own marks.
    Strong,
}

impl Kind {
    /// The page formats (every kind with a detector), which `auto` chooses among, in the order
    /// it reports them.
    pub const FORMATS: &'static [Kind] = &FORMATS;

    /// The name config files use (`statuspage-feed`).
    pub fn as_str(self) -> &'static str {
        self.spec().name
    }

    /// The documents one fetch of a source reads, derived from its configured URL. For `auto`
    /// (before its kind is resolved) the URL itself.
    pub fn endpoints(self, url: &Url) -> Vec<Endpoint> {
        (self.spec().endpoints)(url)
    }

    /// What this kind's documents may be, for the checks every body passes before parsing
    /// (`shape::check`). Kinds that read both JSON and a feed tell them apart by the body.
    pub fn body_formats(self) -> &'static [BodyFormat] {
        self.spec().formats
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
        (self.spec().parse)(page)
    }

    /// How surely `body` is this kind's primary document (pure; see [`Confidence`]).
    pub fn detect(self, body: &[u8]) -> Confidence {
        self.detect_in(&Sniff::new(body))
    }

    /// [`Kind::detect`] on a body shared with other detectors (each reading of it made once).
    pub(crate) fn detect_in(self, sniff: &Sniff<'_>) -> Confidence {
        self.spec()
            .detect
            .map_or(Confidence::No, |detect| detect(sniff))
    }

    /// The product a kind reads, and the kind's rank within it (0 = preferred): when several
    /// views of one product match, `auto` takes the richest (JSON over feed over HTML). Every
    /// other kind is a product of its own; `feed` (any RSS or Atom feed) is one too, so that a
    /// feed only it recognises is read by it, and a feed another product also claims at the
    /// same confidence is refused rather than guessed.
    pub fn product(self) -> (&'static str, u8) {
        (self.spec().product, self.spec().rank)
    }

    /// The kind a config file names, if any.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.iter().copied().find(|k| k.as_str() == name)
    }

    /// Every kind's name, comma separated (for messages).
    pub fn names() -> String {
        Kind::ALL
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A name that is no kind's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown kind {name:?}; known kinds: {}", Kind::names())]
pub struct UnknownKind {
    /// The name as written.
    pub name: String,
}

impl FromStr for Kind {
    type Err = UnknownKind;

    fn from_str(name: &str) -> Result<Kind, UnknownKind> {
        Kind::from_name(name).ok_or_else(|| UnknownKind {
            name: name.to_string(),
        })
    }
}

impl Serialize for Kind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Kind, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
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
    /// Where the document is.
    pub url: Url,
    /// A missing optional document (404) is recorded and skipped; a missing required one fails
    /// the source.
    pub required: bool,
}

/// One fetched document, as a parser sees it.
#[derive(Debug, Clone, Copy)]
pub struct PageInput<'a> {
    /// The URL the page was fetched from (links the page leaves relative are read against it).
    pub url: &'a str,
    /// The page as fetched, decompressed.
    pub body: &'a [u8],
    /// When it was fetched: the latest a time on it can be, and the year of stamps without one.
    pub fetched_at: DateTime<Utc>,
    /// The source's configured zone, for times the page writes without one.
    pub zone: Option<Tz>,
}

/// The configured URL itself, as the one required document.
pub(crate) fn single(url: &Url) -> Vec<Endpoint> {
    vec![Endpoint {
        url: url.clone(),
        required: true,
    }]
}

/// The documents under a base URL: each relative path joined to it ([`join_base`]), with
/// whether it is required.
pub(crate) fn under(base: &Url, documents: &[(&str, bool)]) -> Vec<Endpoint> {
    documents
        .iter()
        .map(|&(path, required)| Endpoint {
            url: join_base(base, path),
            required,
        })
        .collect()
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
pub(crate) fn join_base(base: &Url, relative: &str) -> Url {
    let mut dir = base.clone();
    if !dir.path().ends_with('/') {
        let path = format!("{}/", dir.path());
        dir.set_path(&path);
    }
    dir.join(relative).unwrap_or(dir)
}

/// The URLs of the documents a kind reads for a configured URL (for the kinds' tests).
#[cfg(test)]
pub(crate) fn endpoint_urls(kind: Kind, url: &str) -> Vec<String> {
    kind.endpoints(&Url::parse(url).expect("a test URL"))
        .into_iter()
        .map(|e| e.url.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table's names are distinct config words, and every conversion reads them.
    #[test]
    fn every_kind_has_one_name_that_reads_back() {
        let mut names: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        for name in &names {
            assert!(
                !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{name:?} is not a kebab-case word"
            );
        }
        for &kind in Kind::ALL {
            assert_eq!(kind.as_str().parse::<Kind>(), Ok(kind));
            assert_eq!(kind.to_string(), kind.as_str());
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{kind}\""));
            assert_eq!(serde_json::from_str::<Kind>(&json).unwrap(), kind);
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Kind::ALL.len(), "two kinds share a name");
        assert_eq!(
            "statuspag".parse::<Kind>().unwrap_err().to_string(),
            format!("unknown kind \"statuspag\"; known kinds: {}", Kind::names())
        );
    }

    /// `auto` chooses among the kinds with a detector, in the table's order; within a product
    /// each kind has its own rank.
    #[test]
    fn formats_are_the_kinds_with_a_detector() {
        let with_detector: Vec<Kind> = Kind::ALL
            .iter()
            .copied()
            .filter(|k| k.spec().detect.is_some())
            .collect();
        assert_eq!(Kind::FORMATS, with_detector.as_slice());
        assert!(!Kind::FORMATS.contains(&Kind::Auto));
        // The fallback is weighed and reported last.
        assert_eq!(Kind::FORMATS.last(), Some(&Kind::Feed));
        assert_eq!(Kind::FORMATS.len(), Kind::ALL.len() - 1);
        let mut products: Vec<(&str, u8)> = Kind::FORMATS.iter().map(|k| k.product()).collect();
        products.sort_unstable();
        let count = products.len();
        products.dedup();
        assert_eq!(
            products.len(),
            count,
            "two kinds of one product share a rank"
        );
    }
}
