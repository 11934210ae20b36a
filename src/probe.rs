//! `kind = "auto"`: finding a source's kind by fetching the documents each kind would read
//! first, and letting every kind's pure detector weigh its own (the rule is in
//! [`crate::providers::auto`]). The one I/O step of `auto`; `ingest` stores its choice per
//! source and `check-config --probe` prints it.

use crate::fetch::{Fetched, Fetcher, Validators};
use crate::providers::auto::{self, AutoError, Evidence};
use crate::providers::{Kind, names_a_file};
use url::Url;

/// The kind chosen for a URL, with every verdict that went into the choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// The kind chosen.
    pub kind: Kind,
    /// Every detector's verdict on every document fetched.
    pub evidence: Vec<Evidence>,
}

impl Resolution {
    /// The evidence on one line: `statuspage: Strong at https://…; statuspage-feed: …`, the
    /// kinds that agree on one document together (see [`auto::summarize`]).
    pub fn evidence_line(&self) -> String {
        auto::summarize(&self.evidence)
    }
}

/// Why a probe chose nothing. Displays as one short line (for the run's log and the source's
/// last error); `error` holds every verdict too.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("kind auto for {url}: {}", error.verdict)]
pub struct ProbeError {
    /// The URL probed.
    pub url: String,
    /// The refusal with the evidence it weighed.
    pub error: Refusal,
}

/// A probe's refusal and the evidence behind it. Displays as the verdict followed by every
/// verdict weighed (as `check-config --probe` prints an unresolved source).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{verdict} ({})", auto::summarize(evidence))]
pub struct Refusal {
    /// Why no kind was chosen, in short.
    pub verdict: AutoError,
    /// Every detector's verdict on every document fetched.
    pub evidence: Vec<Evidence>,
}

/// Probes `url`: for each format kind, the first document it would read (the page itself, its
/// `/api/v2/summary.json`, its `/history.atom`, ...; each fetched once; for the URL of one
/// document, that document), judged by that kind's detector. A document that cannot be fetched counts as `No` for its kinds, with the reason.
pub async fn probe(fetcher: &Fetcher, url: &Url) -> Result<Resolution, ProbeError> {
    let mut documents: Vec<(Url, Vec<Kind>)> = Vec::new();
    for &kind in Kind::FORMATS {
        // A URL that names one document (`…/history.rss`, `…/summary.json`) is judged by every
        // kind as it is: no kind's documents live under a file.
        let first = if names_a_file(url) {
            url.clone()
        } else {
            match kind.endpoints(url).into_iter().next() {
                Some(endpoint) => endpoint.url,
                None => continue,
            }
        };
        match documents.iter_mut().find(|(u, _)| *u == first) {
            Some((_, kinds)) => kinds.push(kind),
            None => documents.push((first, vec![kind])),
        }
    }
    let mut evidence = Vec::new();
    for (document, kinds) in documents {
        // The fetcher keeps to the global and per-host concurrency limits.
        let attempt = fetcher.fetch(&document, &Validators::default()).await;
        let unread = match attempt.result {
            // The detectors share one reading of the body (as JSON, as a feed).
            Ok(Fetched::Page(page)) => {
                evidence.extend(auto::detect_kinds(document.as_str(), &page.body, &kinds));
                continue;
            }
            Ok(Fetched::NotModified) => "answered 304 to a plain request".to_string(),
            Err(e) => e.to_string(),
        };
        for kind in kinds {
            evidence.push(Evidence::unread(kind, document.as_str(), unread.as_str()));
        }
    }
    match auto::choose(&evidence) {
        Ok(kind) => Ok(Resolution { kind, evidence }),
        Err(verdict) => Err(ProbeError {
            url: url.to_string(),
            error: Refusal { verdict, evidence },
        }),
    }
}
