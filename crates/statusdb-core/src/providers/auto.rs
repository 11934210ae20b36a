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
use super::{Confidence, Kind, PageInput, ParseError};
use crate::model::Observation;
use serde::Serialize;
use std::fmt;

/// One detector's verdict on one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub kind: Kind,
    /// The document's URL (or a note why it could not be read).
    pub document: String,
    pub confidence: Confidence,
}

/// Why no kind was chosen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AutoError {
    /// `tried`: each document read, with the kinds that read it
    /// (`statuspage, incidentio at https://…/api/v2/summary.json`).
    #[error("no known kind recognises the page (tried {})", tried.join("; "))]
    NoMatch { tried: Vec<String> },
    #[error(
        "the page fits more than one product and statusdb will not guess between them: {}; set the kind explicitly",
        candidates.iter().map(|e| format!("{} ({:?} at {})", e.kind, e.confidence, e.document)).collect::<Vec<_>>().join(", ")
    )]
    Ambiguous { candidates: Vec<Evidence> },
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
        .map(|&kind| Evidence {
            kind,
            document: document.to_string(),
            confidence: kind.detect_in(&sniff),
        })
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
        // The kinds that read each document, documents in the order first read.
        let mut per_document: Vec<(&str, Vec<Kind>)> = Vec::new();
        for e in evidence {
            match per_document.iter_mut().find(|(d, _)| *d == e.document) {
                Some((_, kinds)) if kinds.contains(&e.kind) => {}
                Some((_, kinds)) => kinds.push(e.kind),
                None => per_document.push((&e.document, vec![e.kind])),
            }
        }
        let tried = per_document
            .into_iter()
            .map(|(document, kinds)| format!("{} at {document}", kind_list(&kinds)))
            .collect();
        return Err(AutoError::NoMatch { tried });
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
    let kind = choose(&evidence).map_err(|e| ParseError {
        kind: "recognised",
        place: None,
        reason: e.to_string(),
    })?;
    kind.parse(page)
}

/// The evidence on one line, as people read it: consecutive verdicts that agree on one document
/// share an entry (`statuspage: Strong at https://…/api/v2/summary.json; statusio, gcp, aws: No
/// at https://…/`).
pub fn summarize(evidence: &[Evidence]) -> String {
    let mut entries: Vec<(Vec<Kind>, Confidence, &str)> = Vec::new();
    for e in evidence {
        match entries.last_mut() {
            Some((kinds, confidence, document))
                if *confidence == e.confidence && *document == e.document =>
            {
                kinds.push(e.kind)
            }
            _ => entries.push((vec![e.kind], e.confidence, &e.document)),
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
            self.kind, self.confidence, self.document
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(kind: Kind, confidence: Confidence) -> Evidence {
        Evidence {
            kind,
            document: format!("https://x/{kind}"),
            confidence,
        }
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
        assert!(
            err.to_string().contains(
                "statuspage-feed (Strong at https://x/statuspage-feed), instatus (Strong at https://x/instatus)"
            ),
            "{err}"
        );
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
        let at = |kind: Kind, document: &str, confidence: Confidence| Evidence {
            kind,
            document: document.to_string(),
            confidence,
        };
        let evidence = [
            at(Kind::Statuspage, "https://x/a.json", Confidence::Strong),
            at(Kind::Incidentio, "https://x/a.json", Confidence::No),
            at(Kind::StatuspageHtml, "https://x/", Confidence::No),
            at(Kind::Gcp, "https://x/", Confidence::No),
            at(Kind::Feed, "https://x/", Confidence::No),
        ];
        assert_eq!(
            summarize(&evidence),
            "statuspage: Strong at https://x/a.json; incidentio: No at https://x/a.json; \
             statuspage-html, gcp, feed: No at https://x/"
        );
    }

    #[test]
    fn nothing_recognised_names_what_was_tried() {
        let evidence = [
            e(Kind::Statuspage, Confidence::No),
            e(Kind::StatuspageFeed, Confidence::No),
            Evidence {
                kind: Kind::Incidentio,
                document: "https://x/statuspage".into(),
                confidence: Confidence::No,
            },
        ];
        let err = choose(&evidence).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no known kind recognises the page (tried statuspage, incidentio at \
             https://x/statuspage; statuspage-feed at https://x/statuspage-feed)"
        );
    }
}
