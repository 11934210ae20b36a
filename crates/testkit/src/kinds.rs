//! The parse benchmark of every kind: each kind's documents (the real captures in `fixtures/`,
//! and the generated workload where `workload.rs` writes that format), each beside its limit,
//! the library the kind reads that format with, parsing the same bytes alone:
//!
//! - JSON: `serde_json::from_slice::<serde_json::Value>` (the limit). AWS serves
//!   `currentevents` as UTF-16; for that document the limit decodes it (`encoding_rs`) first,
//!   as serde_json reads only UTF-8.
//! - HTML: `scraper::Html::parse_document` (the limit).
//! - Feeds (`statuspage-feed`, `feed`, `incidentio` and `instatus` Atom, `aws` RSS, `azure`,
//!   `okta`, all read by the one feed reader): `roxmltree::Document::parse`. The issue names no
//!   limit for feeds; this is the XML library the reader is built on, without its own work
//!   (times, entry HTML, vocabulary).
//! - Text (`aggregator`'s plain-text page): no library parses it; no limit.
//!
//! `auto` detects the kind with every format's detector and then parses with it; its limit is
//! that of the format it ends up reading.

use crate::workload::VendorPages;
use chrono::{DateTime, TimeZone, Utc};
use statusdb::providers::{Kind, PageInput};
use std::hint::black_box;

/// What a kind's parse is measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Json,
    /// UTF-16 JSON: decoded, then `serde_json::from_str::<Value>`.
    JsonUtf16,
    Html,
    /// `serde_json::Value`, then `scraper::Html::parse_fragment` of every event's
    /// `description` (AWS's legacy `data.json` writes its updates as HTML).
    JsonAndDescriptionHtml,
    Roxmltree,
    /// `roxmltree::Document::parse`, then `scraper::Html::parse_fragment` of every entry's
    /// (item's) content, else summary or description: the roxmltree feeds whose entries carry
    /// their updates or text as HTML (Statuspage's, incident.io's, Instatus's, Okta's, any feed's).
    RoxmltreeAndEntryHtml,
    /// No library parses the format (plain text): no limit.
    Absent,
}

impl Limit {
    pub fn name(self) -> &'static str {
        match self {
            Limit::Json => "serde_json::Value",
            Limit::JsonUtf16 => "UTF-16 decode + serde_json::Value",
            Limit::Html => "scraper::Html::parse_document",
            Limit::JsonAndDescriptionHtml => "serde_json::Value + scraper fragment per event",
            Limit::Roxmltree => "roxmltree::Document::parse",
            Limit::RoxmltreeAndEntryHtml => "roxmltree + scraper fragment per entry",
            Limit::Absent => "none",
        }
    }

    /// A short id for benchmark names.
    pub fn id(self) -> &'static str {
        match self {
            Limit::Json => "serde_json-value",
            Limit::JsonUtf16 => "utf16-serde_json-value",
            Limit::Html => "scraper-parse_document",
            Limit::JsonAndDescriptionHtml => "serde_json-value-and-description-html",
            Limit::Roxmltree => "roxmltree-parse",
            Limit::RoxmltreeAndEntryHtml => "roxmltree-parse-and-entry-html",
            Limit::Absent => "none",
        }
    }

    /// Parses `bytes` with the limit's library alone. `false` for `Limit::Absent`.
    pub fn run(self, bytes: &[u8]) -> bool {
        match self {
            Limit::Json => {
                black_box(serde_json::from_slice::<serde_json::Value>(bytes).expect("JSON"));
            }
            Limit::JsonUtf16 => {
                let (text, _, _) = encoding_rs::UTF_16LE.decode(bytes);
                black_box(serde_json::from_str::<serde_json::Value>(&text).expect("JSON"));
            }
            Limit::Html => {
                let text = std::str::from_utf8(bytes).expect("UTF-8 HTML");
                black_box(scraper::Html::parse_document(text));
            }
            Limit::JsonAndDescriptionHtml => {
                let value: serde_json::Value = serde_json::from_slice(bytes).expect("JSON");
                for list in ["archive", "current"] {
                    let events = value[list].as_array().map(Vec::as_slice).unwrap_or(&[]);
                    for event in events {
                        if let Some(html) = event["description"].as_str() {
                            black_box(scraper::Html::parse_fragment(html));
                        }
                    }
                }
                black_box(value);
            }
            Limit::Roxmltree => {
                let text = std::str::from_utf8(bytes).expect("UTF-8 XML");
                black_box(roxmltree::Document::parse(text).expect("XML"));
            }
            Limit::RoxmltreeAndEntryHtml => {
                let text = std::str::from_utf8(bytes).expect("UTF-8 XML");
                let doc = roxmltree::Document::parse(text).expect("XML");
                let entries = doc
                    .descendants()
                    .filter(|n| matches!(n.tag_name().name(), "entry" | "item"));
                for entry in entries {
                    let html = ["content", "summary", "description"]
                        .iter()
                        .find_map(|name| {
                            entry
                                .children()
                                .find(|c| c.tag_name().name() == *name)
                                .and_then(|c| c.text())
                        });
                    if let Some(html) = html {
                        black_box(scraper::Html::parse_fragment(html));
                    }
                }
                black_box(doc);
            }
            Limit::Absent => return false,
        }
        true
    }
}

/// One kind's parse of one document.
pub struct Case {
    pub kind: Kind,
    /// The fixture's path under `fixtures/`, or `generated <document> 50x4`.
    pub document: String,
    pub url: &'static str,
    pub bytes: Vec<u8>,
    /// The source's configured zone (Cachet writes stamps without one).
    pub zone: Option<chrono_tz::Tz>,
    pub limit: Limit,
}

impl Case {
    /// The kind's parse, as ingest calls it after the shape check.
    pub fn parse(&self) {
        let input = PageInput {
            url: self.url,
            body: &self.bytes,
            fetched_at: fetched_at(),
            zone: self.zone,
        };
        black_box(
            self.kind
                .parse(black_box(&input))
                .expect("the document parses"),
        );
    }
}

pub fn fetched_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 8, 22, 4, 0, 0).unwrap()
}

fn fixture(relative: &str) -> Vec<u8> {
    let path = crate::fixtures_dir().join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every kind's documents, in `Kind::ALL` order; `generated` is a vendor of the workload
/// (`Shape::new(1, 50, 4)` in the benches).
pub fn cases(generated: &VendorPages) -> Vec<Case> {
    use Limit::*;
    // (kind, fixture, URL it is served at, limit)
    let fixtures: &[(Kind, &str, &str, Limit)] = &[
        (
            Kind::Statuspage,
            "statuspage/github-incidents-all.json",
            "https://www.githubstatus.com/api/v2/incidents.json",
            Json,
        ),
        (
            Kind::Statuspage,
            "statuspage/emma-incidents-2019.json",
            "https://status.myemma.com/api/v2/incidents.json",
            Json,
        ),
        (
            Kind::Statuspage,
            "statuspage/github-summary-2022-11-25.json",
            "https://www.githubstatus.com/api/v2/summary.json",
            Json,
        ),
        (
            Kind::Statuspage,
            "statuspage/github-incident-t2xwk9mz56f4.json",
            "https://www.githubstatus.com/api/v2/incidents/t2xwk9mz56f4.json",
            Json,
        ),
        (
            Kind::StatuspageFeed,
            "statuspage/github-history-2026-08-22.atom",
            "https://www.githubstatus.com/history.atom",
            Roxmltree,
        ),
        (
            Kind::StatuspageFeed,
            "statuspage/github-history-2022-06-11.atom",
            "https://www.githubstatus.com/history.atom",
            Roxmltree,
        ),
        (
            Kind::StatuspageFeed,
            "statuspage/parse-history-2014-01.rss",
            "https://status.parse.com/history.rss",
            Roxmltree,
        ),
        (
            Kind::StatuspageHtml,
            "statuspage/fastly-home-2021-01.html",
            "https://status.fastly.com/",
            Html,
        ),
        (
            Kind::StatuspageHtml,
            "statuspage/python-home.html",
            "https://status.python.org/",
            Html,
        ),
        (
            Kind::StatuspageHtml,
            "statuspage/zoom-home-pst.html",
            "https://status.zoom.us/",
            Html,
        ),
        (
            Kind::StatuspageHtml,
            "statuspage/github-incident-8xxms3q3qzgp.from-docs.html",
            "https://www.githubstatus.com/incidents/8xxms3q3qzgp",
            Html,
        ),
        (
            Kind::StatuspageHtml,
            "statuspage/github-history.from-docs.html",
            "https://www.githubstatus.com/history",
            Html,
        ),
        (
            Kind::Incidentio,
            "incidentio/openai-summary-2026-09-29-two-incidents.reformatted.json",
            "https://status.openai.com/api/v2/summary.json",
            Json,
        ),
        (
            Kind::Incidentio,
            "incidentio/openai-proxy.from-docs.json",
            "https://status.openai.com/proxy/status.openai.com",
            Json,
        ),
        (
            Kind::Incidentio,
            "incidentio/openai-feed.from-docs.atom",
            "https://status.openai.com/feed.atom",
            Roxmltree,
        ),
        (
            Kind::Instatus,
            "instatus/demo-summary-hasissues.json",
            "https://instatus.instatus.com/summary.json",
            Json,
        ),
        (
            Kind::Instatus,
            "instatus/gcore-v3-components-trimmed.json",
            "https://status.gcore.com/v3/components.json",
            Json,
        ),
        (
            Kind::Instatus,
            "instatus/demo-history.from-docs.atom",
            "https://instatus.instatus.com/history.atom",
            Roxmltree,
        ),
        (
            Kind::Betterstack,
            "betterstack/betterstack-index-2026-09-07-trimmed.json",
            "https://status.betterstack.com/index.json",
            Json,
        ),
        (
            Kind::Statusio,
            "statusio/nintex-status.served-part.json",
            "https://api.status.io/1.0/status/566925105401bb333d000014",
            Json,
        ),
        (
            Kind::Statusio,
            "statusio/status-with-incident.from-docs.json",
            "https://api.status.io/1.0/status/5a89ef6740eba40d1c3bb4a6",
            Json,
        ),
        (
            Kind::Cachet,
            "cachet/demo-api-v1-incidents.json",
            "https://demo.cachethq.io/api/v1/incidents",
            Json,
        ),
        (
            Kind::Cachet,
            "cachet/demo-api-v1-components.json",
            "https://demo.cachethq.io/api/v1/components",
            Json,
        ),
        (
            Kind::Cachet,
            "cachet/demo-api-v1-schedules.json",
            "https://demo.cachethq.io/api/v1/schedules",
            Json,
        ),
        (
            Kind::Feed,
            "feed/github-history-2022-06-11.atom",
            "https://www.githubstatus.com/history.atom",
            Roxmltree,
        ),
        (
            Kind::Feed,
            "feed/aws-ec2-us-east-1-2022-03.rss",
            "https://status.aws.amazon.com/rss/ec2-us-east-1.rss",
            Roxmltree,
        ),
        (
            Kind::Gcp,
            "gcp/incidents-2022-07.json",
            "https://status.cloud.google.com/incidents.json",
            Json,
        ),
        (
            Kind::Aws,
            "aws/legacy-data-2022.json",
            "https://status.aws.amazon.com/data.json",
            Json,
        ),
        (
            Kind::Aws,
            "aws/currentevents-2026-03-trimmed.utf16le-bom.json",
            "https://health.aws.amazon.com/public/currentevents",
            JsonUtf16,
        ),
        (
            Kind::Aws,
            "aws/all-2026-08-18.rss",
            "https://status.aws.amazon.com/rss/all.rss",
            Roxmltree,
        ),
        (
            Kind::Aws,
            "aws/ec2-us-east-1-2022-03.rss",
            "https://status.aws.amazon.com/rss/ec2-us-east-1.rss",
            Roxmltree,
        ),
        (
            Kind::Azure,
            "azure/status-feed-two-incidents.from-docs.xml",
            "https://azure.status.microsoft/en-us/status/feed/",
            Roxmltree,
        ),
        (
            Kind::Slack,
            "slack/api-v2-history-2026-08-18-first5.reformatted.json",
            "https://slack-status.com/api/v2.0.0/history",
            Json,
        ),
        (
            Kind::Slack,
            "slack/api-v2-current-2026-09-01-active.reformatted.json",
            "https://slack-status.com/api/v2.0.0/current",
            Json,
        ),
        (
            Kind::Okta,
            "okta/okta-trust-feed.from-docs.atom",
            "https://feeds.feedburner.com/OktaTrustRSS",
            Roxmltree,
        ),
        (
            Kind::Salesforce,
            "salesforce/instance-CS96-status-2024-10.json",
            "https://api.status.salesforce.com/v1/instances/CS96/status",
            Json,
        ),
        (
            Kind::Salesforce,
            "salesforce/instance-POD114-status-2023-04.json",
            "https://api.status.salesforce.com/v1/instances/POD114/status",
            Json,
        ),
        (
            Kind::Salesforce,
            "salesforce/incidents.from-docs.json",
            "https://api.status.salesforce.com/v1/incidents",
            Json,
        ),
        (
            Kind::Aggregator,
            "aggregator/okta-o365-oin-2024-10.rendered-from-text.html",
            "https://aggregator.example/okta/incident",
            Html,
        ),
        (
            Kind::Aggregator,
            "aggregator/okta-o365-oin-2024-10.txt",
            "https://aggregator.example/okta/incident",
            Absent,
        ),
        (
            Kind::Auto,
            "statuspage/github-incidents-all.json",
            "https://www.githubstatus.com/api/v2/incidents.json",
            Json,
        ),
        (
            Kind::Auto,
            "statuspage/github-history-2026-08-22.atom",
            "https://www.githubstatus.com/history.atom",
            Roxmltree,
        ),
        (
            Kind::Auto,
            "statuspage/fastly-home-2021-01.html",
            "https://status.fastly.com/",
            Html,
        ),
        (
            Kind::Auto,
            "gcp/incidents-2022-07.json",
            "https://status.cloud.google.com/incidents.json",
            Json,
        ),
    ];
    let mut cases: Vec<Case> = fixtures
        .iter()
        .map(|&(kind, path, url, limit)| Case {
            kind,
            document: path.to_string(),
            url,
            bytes: fixture(path),
            // The zone the Cachet demo server runs in (its stamps carry none).
            zone: (kind == Kind::Cachet).then_some(chrono_tz::Europe::Amsterdam),
            limit,
        })
        .collect();
    let generated_docs: [(Kind, &str, &'static str, &[u8], Limit); 5] = [
        (
            Kind::Statuspage,
            "incidents.json",
            "https://status.example.com/api/v2/incidents.json",
            &generated.incidents,
            Json,
        ),
        (
            Kind::Statuspage,
            "summary.json",
            "https://status.example.com/api/v2/summary.json",
            &generated.summary,
            Json,
        ),
        (
            Kind::StatuspageFeed,
            "history.atom",
            "https://status.example.com/history.atom",
            &generated.history_atom,
            Roxmltree,
        ),
        (
            Kind::StatuspageHtml,
            "home page",
            "https://status.example.com/",
            &generated.home_html,
            Html,
        ),
        (
            Kind::Feed,
            "history.atom",
            "https://status.example.com/history.atom",
            &generated.history_atom,
            Roxmltree,
        ),
    ];
    for (kind, name, url, bytes, limit) in generated_docs {
        cases.push(Case {
            kind,
            document: format!("generated {name} 50x4"),
            url,
            bytes: bytes.to_vec(),
            zone: None,
            limit,
        });
    }
    // The same documents again beside their format's library plus scraper on the HTML their
    // entries (events) carry, which the kind has to read and the format's limit alone skips.
    let with_html: Vec<Case> = cases
        .iter()
        .filter_map(|c| {
            let limit = match (c.kind, c.limit) {
                (
                    Kind::StatuspageFeed
                    | Kind::Incidentio
                    | Kind::Instatus
                    | Kind::Feed
                    | Kind::Okta,
                    Roxmltree,
                ) => RoxmltreeAndEntryHtml,
                (Kind::Aws, Json) => JsonAndDescriptionHtml,
                _ => return Option::None,
            };
            Some(Case {
                kind: c.kind,
                document: c.document.clone(),
                url: c.url,
                bytes: c.bytes.clone(),
                zone: c.zone,
                limit,
            })
        })
        .collect();
    cases.extend(with_html);
    // Kind::ALL order, fixtures before generated documents within a kind.
    let rank = |k: Kind| Kind::ALL.iter().position(|&x| x == k).unwrap_or(usize::MAX);
    cases.sort_by_key(|c| rank(c.kind));
    cases
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::Shape;

    /// Every kind in the registry is measured on at least one document, and each document
    /// parses as its kind (a kind added to the table without bench documents fails here).
    #[test]
    fn every_kind_has_documents_that_parse() {
        let generated = crate::workload::vendor(&Shape::new(1, 3, 2), 1);
        let cases = cases(&generated);
        for &kind in Kind::ALL {
            assert!(
                cases.iter().any(|c| c.kind == kind),
                "{kind} has no document in kinds::cases"
            );
        }
        for case in &cases {
            case.parse();
        }
    }
}
