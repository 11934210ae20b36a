//! `kind = "auto"`: which kind a page is, decided from fetched bodies by each kind's pure
//! `detect`. The fetching (which documents to try) is in `crate::probe`; this module only
//! weighs what came back.
//!
//! The rule, so that nothing is guessed silently:
//! 1. only the strongest confidence seen counts (a `Strong` match, carrying a product's own
//!    marks, outweighs any `Weak` one, which only fits the shape);
//! 2. several kinds of one product at that confidence are views of the same page: the
//!    product's preferred kind is taken (Statuspage JSON over its feed over its HTML);
//! 3. kinds of two or more products at that confidence: no choice, an error naming each;
//! 4. nothing above `No`: an error naming what was tried.

use super::support::Sniff;
use super::{BodyFormat, Confidence, Kind, KindSpec, PageInput, ParseCause, ParseError};
use crate::model::Observation;
use serde::Serialize;
use std::fmt;

/// Not a format: found by probing, then read as the kind found. Its documents may be anything
/// a format kind reads; it has no detector, so it is never chosen itself.
pub(crate) const SPEC: KindSpec = KindSpec {
    kind: Kind::Auto,
    name: "auto",
    product: "auto",
    rank: u8::MAX,
    formats: &[
        BodyFormat::Json,
        BodyFormat::Xml,
        BodyFormat::Html,
        BodyFormat::Text,
    ],
    endpoints: super::single,
    parse,
    detect: None,
};

/// One detector's verdict on one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// The kind whose detector judged.
    pub kind: Kind,
    /// The document's URL.
    pub document: String,
    /// Why the document could not be read (a fetch failure), when it could not: its kinds
    /// then judge `No`.
    pub unread: Option<String>,
    /// The detector's verdict.
    pub confidence: Confidence,
}

impl Evidence {
    /// A verdict on a document that was read.
    pub fn read(kind: Kind, document: impl Into<String>, confidence: Confidence) -> Self {
        Evidence {
            kind,
            document: document.into(),
            unread: None,
            confidence,
        }
    }

    /// `No` for a document that could not be read, with the reason.
    pub fn unread(kind: Kind, document: impl Into<String>, why: impl Into<String>) -> Self {
        Evidence {
            kind,
            document: document.into(),
            unread: Some(why.into()),
            confidence: Confidence::No,
        }
    }

    /// The document as people read it: its URL, and why it could not be read.
    fn document_note(&self) -> String {
        match &self.unread {
            Some(why) => format!("{} ({why})", self.document),
            None => self.document.clone(),
        }
    }
}

/// Why no kind was chosen, in one short line; [`summarize`] of the evidence says the rest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AutoError {
    /// No detector found its kind's marks in any document.
    #[error(
        "no known kind recognises the page ({} tried on {}{})",
        counted(*kinds, "kind"),
        counted(*documents, "document"),
        unread_note(*documents, *unread)
    )]
    NoMatch {
        /// How many kinds judged.
        kinds: usize,
        /// How many documents they judged.
        documents: usize,
        /// How many of those could not be read.
        unread: usize,
    },
    /// Kinds of two or more products fit at the best confidence seen.
    #[error(
        "the page fits more than one product and statusdb will not guess between them: {} ({:?}); set the kind explicitly",
        kind_list(&candidates.iter().map(|e| e.kind).collect::<Vec<_>>()),
        candidates.first().map_or(Confidence::No, |e| e.confidence)
    )]
    Ambiguous {
        /// The preferred kind of each product at the best confidence, in evidence order.
        candidates: Vec<Evidence>,
    },
}

impl AutoError {
    /// The refusal's cause: nothing recognised, or more than one product.
    pub fn cause(&self) -> ParseCause {
        match self {
            AutoError::NoMatch { .. } => ParseCause::Unrecognised,
            AutoError::Ambiguous { .. } => ParseCause::Ambiguous,
        }
    }
}

fn counted(n: usize, thing: &str) -> String {
    if n == 1 {
        format!("1 {thing}")
    } else {
        format!("{n} {thing}s")
    }
}

fn unread_note(documents: usize, unread: usize) -> String {
    match unread {
        0 => String::new(),
        1 if documents == 1 => ", which could not be read".to_string(),
        n if n == documents => ", none of which could be read".to_string(),
        n => format!(", {n} of which could not be read"),
    }
}

/// Every format kind's verdict on one body.
pub fn detect_all(document: &str, body: &[u8]) -> Vec<Evidence> {
    detect_kinds(document, body, Kind::FORMATS)
}

/// The verdicts of `kinds` on one body.
pub fn detect_kinds(document: &str, body: &[u8], kinds: &[Kind]) -> Vec<Evidence> {
    // One JSON parse and one feed parse of the body, shared by the detectors that read it so.
    let sniff = Sniff::new(body);
    kinds
        .iter()
        .map(|&kind| Evidence::read(kind, document, kind.detect_in(&sniff)))
        .collect()
}

/// Chooses a kind from the evidence by the rule in the module documentation.
pub fn choose(evidence: &[Evidence]) -> Result<Kind, AutoError> {
    let best = evidence
        .iter()
        .map(|e| e.confidence)
        .max()
        .unwrap_or(Confidence::No);
    if best == Confidence::No {
        let mut kinds: Vec<Kind> = Vec::new();
        let mut documents: Vec<(&str, bool)> = Vec::new();
        for e in evidence {
            if !kinds.contains(&e.kind) {
                kinds.push(e.kind);
            }
            if !documents.iter().any(|(d, _)| *d == e.document) {
                documents.push((&e.document, e.unread.is_some()));
            }
        }
        return Err(AutoError::NoMatch {
            kinds: kinds.len(),
            documents: documents.len(),
            unread: documents.iter().filter(|(_, unread)| *unread).count(),
        });
    }
    // The preferred kind of each product seen at the best confidence.
    let mut per_product: Vec<&Evidence> = Vec::new();
    for e in evidence.iter().filter(|e| e.confidence == best) {
        let (product, rank) = e.kind.product();
        match per_product
            .iter_mut()
            .find(|p| p.kind.product().0 == product)
        {
            Some(held) if rank < held.kind.product().1 => *held = e,
            Some(_) => {}
            None => per_product.push(e),
        }
    }
    match per_product.as_slice() {
        [one] => Ok(one.kind),
        many => Err(AutoError::Ambiguous {
            candidates: many.iter().map(|e| (*e).clone()).collect(),
        }),
    }
}

/// Parses one document whose kind is not known: every kind's detector reads the body, the
/// rule above picks one, and that kind parses it.
pub fn parse(page: &PageInput<'_>) -> Result<Observation, ParseError> {
    let evidence = detect_all(page.url, page.body);
    let kind =
        choose(&evidence).map_err(|e| ParseError::new(Kind::Auto, e.cause(), e.to_string()))?;
    kind.parse(page)
}

/// The evidence on one line, as people read it: consecutive verdicts that agree on one document
/// share an entry (`statuspage: Strong at https://…/api/v2/summary.json; statusio, gcp, aws: No
/// at https://…/`).
pub fn summarize(evidence: &[Evidence]) -> String {
    let mut entries: Vec<(Vec<Kind>, Confidence, String)> = Vec::new();
    for e in evidence {
        let document = e.document_note();
        match entries.last_mut() {
            Some((kinds, confidence, held)) if *confidence == e.confidence && *held == document => {
                kinds.push(e.kind)
            }
            _ => entries.push((vec![e.kind], e.confidence, document)),
        }
    }
    entries
        .iter()
        .map(|(kinds, confidence, document)| {
            format!("{}: {confidence:?} at {document}", kind_list(kinds))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn kind_list(kinds: &[Kind]) -> String {
    kinds
        .iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {:?} at {}",
            self.kind,
            self.confidence,
            self.document_note()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(kind: Kind, confidence: Confidence) -> Evidence {
        Evidence::read(kind, format!("https://x/{kind}"), confidence)
    }

    #[test]
    fn views_of_one_product_take_the_preferred_kind() {
        let evidence = [
            e(Kind::StatuspageHtml, Confidence::Strong),
            e(Kind::StatuspageFeed, Confidence::Strong),
            e(Kind::Statuspage, Confidence::Strong),
        ];
        assert_eq!(choose(&evidence), Ok(Kind::Statuspage));
    }

    #[test]
    fn strong_outweighs_weak_and_rank_only_counts_at_the_best_confidence() {
        let evidence = [
            e(Kind::Statuspage, Confidence::Weak),
            e(Kind::StatuspageHtml, Confidence::Strong),
        ];
        assert_eq!(choose(&evidence), Ok(Kind::StatuspageHtml));
    }

    #[test]
    fn two_products_at_the_best_confidence_are_refused_with_both_named() {
        let evidence = [
            e(Kind::StatuspageFeed, Confidence::Strong),
            e(Kind::Instatus, Confidence::Strong),
            e(Kind::StatuspageHtml, Confidence::Weak),
        ];
        let err = choose(&evidence).unwrap_err();
        assert_eq!(
            err,
            AutoError::Ambiguous {
                candidates: vec![
                    e(Kind::StatuspageFeed, Confidence::Strong),
                    e(Kind::Instatus, Confidence::Strong)
                ]
            }
        );
        assert_eq!(
            err.to_string(),
            "the page fits more than one product and statusdb will not guess between them: \
             statuspage-feed, instatus (Strong); set the kind explicitly"
        );
        assert_eq!(err.cause(), ParseCause::Ambiguous);
    }

    #[test]
    fn the_generic_feed_is_a_product_of_its_own() {
        // Alone at its confidence it is chosen; beside another product's Weak feed it is not.
        assert_eq!(
            choose(&[
                e(Kind::Feed, Confidence::Weak),
                e(Kind::Okta, Confidence::No)
            ]),
            Ok(Kind::Feed)
        );
        assert_eq!(
            choose(&[
                e(Kind::Okta, Confidence::Strong),
                e(Kind::Feed, Confidence::Weak)
            ]),
            Ok(Kind::Okta)
        );
        assert!(matches!(
            choose(&[
                e(Kind::StatuspageFeed, Confidence::Weak),
                e(Kind::Feed, Confidence::Weak)
            ]),
            Err(AutoError::Ambiguous { .. })
        ));
    }

    #[test]
    fn a_summary_groups_agreeing_verdicts_on_one_document() {
        let evidence = [
            Evidence::read(Kind::Statuspage, "https://x/a.json", Confidence::Strong),
            Evidence::read(Kind::Incidentio, "https://x/a.json", Confidence::No),
            Evidence::read(Kind::StatuspageHtml, "https://x/", Confidence::No),
            Evidence::read(Kind::Gcp, "https://x/", Confidence::No),
            Evidence::read(Kind::Feed, "https://x/", Confidence::No),
            Evidence::unread(Kind::Slack, "https://x/api", "HTTP 404"),
            Evidence::unread(Kind::Cachet, "https://x/api", "HTTP 404"),
        ];
        assert_eq!(
            summarize(&evidence),
            "statuspage: Strong at https://x/a.json; incidentio: No at https://x/a.json; \
             statuspage-html, gcp, feed: No at https://x/; slack, cachet: No at https://x/api \
             (HTTP 404)"
        );
    }

    #[test]
    fn nothing_recognised_names_what_was_tried() {
        let evidence = [
            e(Kind::Statuspage, Confidence::No),
            e(Kind::StatuspageFeed, Confidence::No),
            Evidence::read(Kind::Incidentio, "https://x/statuspage", Confidence::No),
        ];
        let err = choose(&evidence).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no known kind recognises the page (3 kinds tried on 2 documents)"
        );
        assert_eq!(err.cause(), ParseCause::Unrecognised);
        let unread = [
            Evidence::unread(Kind::Statuspage, "https://x/a.json", "HTTP 404"),
            Evidence::unread(Kind::Incidentio, "https://x/a.json", "HTTP 404"),
            Evidence::read(Kind::StatuspageHtml, "https://x/", Confidence::No),
        ];
        assert_eq!(
            choose(&unread).unwrap_err().to_string(),
            "no known kind recognises the page (3 kinds tried on 2 documents, 1 of which could \
             not be read)"
        );
        assert_eq!(
            choose(&unread[..2]).unwrap_err().to_string(),
            "no known kind recognises the page (2 kinds tried on 1 document, which could not be \
             read)"
        );
    }
}
