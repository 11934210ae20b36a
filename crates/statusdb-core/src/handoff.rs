//! What ingest hands the store, and what the store hands back: one source's run as it was
//! fetched and parsed ([`SourceResult`]), and what writing it changed ([`SourceChanges`], and
//! the [`ChangeSet`] that change events are made from).
//!
//! Plain values, so that the store depends on no stage before it (fetch, schedule, config) and
//! none after it (events): everything it needs to know arrives here, worked out beforehand
//! (the fetch validators, the next due time, each incident's identity keys and its record as
//! new), and everything it reports leaves here.

use crate::model::{ComponentRecord, IncidentKind, IncidentRecord, Observation, Status, to_millis};
use crate::normalize::{self, PreparedIncident, Revision, Seen};
use crate::providers::{Kind, ParseCause};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::collections::HashMap;
use std::fmt;
use std::time::Duration;
use url::Url;

/// Why fetching a document failed, as a stable machine word ([`FetchCause::as_str`]): the
/// vendor (or the way to it) is down or refusing, not changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FetchCause {
    /// The host name does not resolve.
    Dns,
    /// No connection: refused, unreachable, reset before a response.
    Connect,
    /// The TLS handshake failed (a certificate refused, a server that does not speak TLS).
    Tls,
    /// No complete answer in time (connecting, or the whole request).
    Timeout,
    /// The server answered with an error status (4xx, 5xx).
    HttpStatus,
    /// The body is larger than `max_body_bytes` (decompressed).
    BodyCap,
    /// A redirect refused: too many, or to another scheme than http(s).
    Redirect,
    /// The connection broke after it was made (before or during the body).
    ConnectionLost,
    /// The body could not be decoded (a corrupt compressed stream).
    Decode,
    /// A `file://` document could not be read.
    File,
    /// The URL's scheme is not fetched (`file://` with `allow_file_urls = false`).
    Scheme,
    /// The request could not be made for another reason.
    Request,
}

impl FetchCause {
    /// Every cause, in declaration order (for documentation and metrics).
    pub const ALL: &'static [FetchCause] = &[
        FetchCause::Dns,
        FetchCause::Connect,
        FetchCause::Tls,
        FetchCause::Timeout,
        FetchCause::HttpStatus,
        FetchCause::BodyCap,
        FetchCause::Redirect,
        FetchCause::ConnectionLost,
        FetchCause::Decode,
        FetchCause::File,
        FetchCause::Scheme,
        FetchCause::Request,
    ];

    /// The cause as a stable snake_case word (`http_status`), the same in every release.
    pub fn as_str(self) -> &'static str {
        match self {
            FetchCause::Dns => "dns",
            FetchCause::Connect => "connect",
            FetchCause::Tls => "tls",
            FetchCause::Timeout => "timeout",
            FetchCause::HttpStatus => "http_status",
            FetchCause::BodyCap => "body_cap",
            FetchCause::Redirect => "redirect",
            FetchCause::ConnectionLost => "connection_lost",
            FetchCause::Decode => "decode",
            FetchCause::File => "file",
            FetchCause::Scheme => "scheme",
            FetchCause::Request => "request",
        }
    }
}

impl fmt::Display for FetchCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a source failed: fetching a document ([`FetchCause`]: the vendor is down or
/// unreachable), reading it ([`ParseCause`]: the vendor changed its page, or something stands
/// in front of it; for `kind = "auto"`, no kind or more than one recognised it), or statusdb
/// itself. One stable word per cause ([`FailureCause::as_str`]), unique over all three sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FailureCause {
    /// The fetch failed.
    Fetch(FetchCause),
    /// The page did not read as its kind.
    Parse(ParseCause),
    /// statusdb failed on its side (a parser that panicked, a body it could not compress).
    Internal,
}

impl FailureCause {
    /// Every cause: the fetch causes, the parse causes, then `internal`.
    pub fn all() -> impl Iterator<Item = FailureCause> {
        FetchCause::ALL
            .iter()
            .map(|c| FailureCause::Fetch(*c))
            .chain(ParseCause::ALL.iter().map(|c| FailureCause::Parse(*c)))
            .chain([FailureCause::Internal])
    }

    /// The cause as a stable snake_case word (`dns`, `wrong_format`, `internal`).
    pub fn as_str(self) -> &'static str {
        match self {
            FailureCause::Fetch(c) => c.as_str(),
            FailureCause::Parse(c) => c.as_str(),
            FailureCause::Internal => "internal",
        }
    }

    /// The stage that failed: `fetch`, `parse` or `internal`.
    pub fn stage(self) -> &'static str {
        match self {
            FailureCause::Fetch(_) => "fetch",
            FailureCause::Parse(_) => "parse",
            FailureCause::Internal => "internal",
        }
    }

    /// The cause a stored word names (`None` for a word this build does not know).
    pub fn from_word(word: &str) -> Option<FailureCause> {
        FailureCause::all().find(|c| c.as_str() == word)
    }
}

impl fmt::Display for FailureCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A configured source: one URL of one vendor, read as one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The id the config gives it (unique).
    pub id: String,
    /// The vendor its incidents belong to.
    pub vendor: String,
    /// A display name.
    pub name: String,
    /// The page format it serves, or `auto`.
    pub kind: Kind,
    /// Where it is fetched.
    pub url: Url,
    /// How often `ingest --due` fetches it.
    pub interval: Duration,
    /// The zone its text is read in, where the config sets one.
    pub zone: Option<Tz>,
}

/// Validators from the previous successful fetch of a document (conditional requests).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// The `ETag` the server sent.
    pub etag: Option<String>,
    /// The `Last-Modified` the server sent.
    pub last_modified: Option<String>,
}

/// A fetched body as the store keeps it: its SHA-256, its size, and its compression, made
/// where the page is parsed (on the blocking pool, in parallel) so that the single database
/// writer only inserts it. The store makes it (`store::compress_body`): the compression is
/// the store's format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawBody {
    /// The body's SHA-256, hex.
    pub hash: String,
    /// The body's size in bytes.
    pub size: usize,
    /// The body compressed with zstd.
    pub zstd: Vec<u8>,
}

/// What happened to one document of a source in this run.
// `Parsed` is the usual outcome and moves through one channel per source; boxing it would only
// add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum DocumentOutcome {
    /// Fetched and parsed.
    Parsed {
        /// The body as stored.
        body: RawBody,
        /// The validators to send next time.
        validators: Validators,
        /// What the parser found.
        observation: Observation,
        /// The observation's incidents worked out off the writer thread
        /// ([`SourceResult::prepare`]); empty until then, or where nothing prepared them.
        prepared: Vec<PreparedIncident>,
    },
    /// Fetched, but the body is the one stored last time: not parsed again.
    Unchanged {
        /// The stored body's hash.
        hash: String,
        /// The validators to send next time.
        validators: Validators,
    },
    /// The server answered 304.
    NotModified,
    /// An optional document the server does not have (404/410).
    Absent {
        /// The status the server answered.
        http_status: u16,
    },
    /// The fetch or the parse failed; the body is kept when there was one.
    Failed {
        /// The server's status, where it answered.
        http_status: Option<u16>,
        /// Why, as a machine word.
        cause: FailureCause,
        /// Why, in one line, for people.
        error: String,
        /// The body that did not parse.
        body: Option<RawBody>,
    },
}

/// One document of a source's run.
#[derive(Debug)]
pub struct DocumentResult {
    /// The document's URL.
    pub url: String,
    /// When its first request started.
    pub fetched_at: DateTime<Utc>,
    /// From its first request to the end of its last, waits between retries included.
    pub duration: Duration,
    /// Requests made for this document, retries included.
    pub attempts: usize,
    /// What came of it.
    pub outcome: DocumentOutcome,
}

/// Everything one source produced in one run.
#[derive(Debug)]
pub struct SourceResult {
    /// The source.
    pub source: Source,
    /// For `kind = "auto"`: the kind a probe chose in this run (none when a stored choice was
    /// used, or the source has a fixed kind).
    pub resolved: Option<ResolvedKind>,
    /// The kind that read the documents (for `auto`, the one it resolved to), stored with each
    /// fetch so that `reparse` reads them the same way. None when no kind was settled.
    pub read_as: Option<Kind>,
    /// Its documents, in the order they were fetched.
    pub documents: Vec<DocumentResult>,
    /// When `ingest --due` is to fetch the source next (the schedule's answer for this run's
    /// outcome); `None` leaves it due at once.
    pub next_due_at: Option<DateTime<Utc>>,
}

/// The kind a probe chose for an `auto` source, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedKind {
    /// The kind chosen.
    pub kind: Kind,
    /// The URL probed (the source's URL at the time).
    pub url: String,
    /// When it was probed.
    pub at: DateTime<Utc>,
    /// Each detector's verdict, one line.
    pub evidence: String,
}

impl SourceResult {
    /// A source's run with these documents, read as `read_as`, nothing resolved and no next
    /// due time set.
    pub fn new(source: Source, read_as: Option<Kind>, documents: Vec<DocumentResult>) -> Self {
        SourceResult {
            source,
            resolved: None,
            read_as,
            documents,
            next_due_at: None,
        }
    }

    /// When this source's run saw its pages: the first document's fetch time.
    pub fn seen_at(&self) -> DateTime<Utc> {
        self.documents
            .iter()
            .map(|d| d.fetched_at)
            .min()
            .unwrap_or_else(Utc::now)
    }

    /// `seen_at` at the database's precision (milliseconds): the time records are merged
    /// at, so that `reparse`, which reads it back from the fetch log, merges with the same
    /// instant. Prepared records and the writer use this one value.
    pub fn seen_at_millis(&self) -> DateTime<Utc> {
        to_millis(self.seen_at())
    }

    /// Who saw this run's pages, and when (before a page's own zone is considered).
    pub fn seen(&self) -> Seen<'_> {
        Seen {
            vendor: &self.source.vendor,
            source_id: &self.source.id,
            at: self.seen_at_millis(),
            zone: self.source.zone,
        }
    }

    /// Works out, for each parsed page, what the writer would otherwise compute per incident
    /// on its one thread: the incident's identity keys, and the record `normalize::merge`
    /// makes of it when no stored record names it (on a first ingest, every incident). Pure;
    /// meant for the parse pool, so the writer only looks up and inserts. A source that failed
    /// is not applied to the records, so nothing is prepared for it.
    pub fn prepare(&mut self) {
        if self.failed() {
            return;
        }
        let at = self.seen_at_millis();
        let source = &self.source;
        for doc in &mut self.documents {
            if let DocumentOutcome::Parsed {
                observation,
                prepared,
                ..
            } = &mut doc.outcome
            {
                let who = Seen {
                    vendor: &source.vendor,
                    source_id: &source.id,
                    at,
                    zone: source.zone,
                };
                *prepared = normalize::prepare_page(observation, &who.for_page(observation));
            }
        }
    }

    /// Forgets what [`SourceResult::prepare`] worked out (the writer then works it out).
    pub fn clear_prepared(&mut self) {
        for doc in &mut self.documents {
            if let DocumentOutcome::Parsed { prepared, .. } = &mut doc.outcome {
                prepared.clear();
            }
        }
    }

    /// Whether a document failed (the source then fails as a whole).
    pub fn failed(&self) -> bool {
        self.error().is_some()
    }

    /// The first failure, if any document failed.
    pub fn error(&self) -> Option<&str> {
        self.failure().map(|(_, error)| error)
    }

    /// The first failure's cause and line, if any document failed.
    pub fn failure(&self) -> Option<(FailureCause, &str)> {
        self.documents.iter().find_map(|d| match &d.outcome {
            DocumentOutcome::Failed { cause, error, .. } => Some((*cause, error.as_str())),
            _ => None,
        })
    }
}

/// What a source's run changed in the records (the run report's `counts`, as they serialize).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct SourceChanges {
    /// Incidents stored for the first time.
    pub incidents_new: usize,
    /// Incidents whose content changed.
    pub incidents_changed: usize,
    /// Updates stored for the first time.
    pub updates_new: usize,
    /// Updates revised or refined.
    pub updates_changed: usize,
    /// Components whose status changed (or that are new).
    pub components_changed: usize,
    /// Change events written (none on a source's first successful ingest).
    pub events: usize,
}

impl std::ops::AddAssign for SourceChanges {
    fn add_assign(&mut self, other: SourceChanges) {
        self.incidents_new += other.incidents_new;
        self.incidents_changed += other.incidents_changed;
        self.updates_new += other.updates_new;
        self.updates_changed += other.updates_changed;
        self.components_changed += other.components_changed;
        self.events += other.events;
    }
}

/// What one source's run changed, incident by incident and component by component, for the
/// change events (the events module makes them; the store writes them in the same
/// transaction). Several documents of one source may show the same incident: its touches are
/// coalesced, its state before the first and after the last kept.
#[derive(Debug, Default)]
pub struct ChangeSet {
    /// Incidents touched, in the order first touched.
    pub incidents: Vec<IncidentTouch>,
    incident_index: HashMap<String, usize>,
    /// Components saved, in the order first saved.
    pub components: Vec<ComponentTouch>,
    component_index: HashMap<String, usize>,
}

/// One incident touched during a source's run.
#[derive(Debug)]
pub struct IncidentTouch {
    /// Its kind and status before the first touch; `None` for an incident new in this run.
    pub before: Option<(IncidentKind, Option<Status>)>,
    /// The record as written last.
    pub after: IncidentRecord,
    /// Whether its content or updates changed (not merely when it was seen).
    pub changed: bool,
    /// Updates stored for the first time in this run, by their ids now.
    pub new_update_ids: Vec<String>,
}

/// One component saved during a source's run.
#[derive(Debug)]
pub struct ComponentTouch {
    /// Its status before; `None` for a component first stored in this run.
    pub before: Option<String>,
    /// The component as saved last.
    pub after: ComponentRecord,
}

impl ChangeSet {
    /// Notes that an incident was saved: `before` as loaded, `after` as written, with the
    /// merge's `revisions` (an update that took the vendor's id is not new).
    pub fn incident(
        &mut self,
        before: Option<&IncidentRecord>,
        after: &IncidentRecord,
        changed: bool,
        revisions: &[Revision],
    ) {
        let renamed: Vec<(&str, &str)> = revisions
            .iter()
            .filter_map(Revision::renamed_update)
            .collect();
        let new_update_ids: Vec<String> = after
            .updates
            .iter()
            .filter(|u| before.is_none_or(|b| !b.updates.iter().any(|held| held.id == u.id)))
            .filter(|u| !renamed.iter().any(|(_, to)| *to == u.id))
            .map(|u| u.id.clone())
            .collect();
        match self.incident_index.get(&after.id) {
            Some(&i) => {
                let touch = &mut self.incidents[i];
                // An update new in this run that has since taken the vendor's id.
                for id in &mut touch.new_update_ids {
                    if let Some((_, to)) = renamed.iter().find(|(from, _)| from == id) {
                        *id = to.to_string();
                    }
                }
                touch.after = after.clone();
                touch.changed |= changed;
                for id in new_update_ids {
                    if !touch.new_update_ids.contains(&id) {
                        touch.new_update_ids.push(id);
                    }
                }
            }
            None => {
                self.incident_index
                    .insert(after.id.clone(), self.incidents.len());
                self.incidents.push(IncidentTouch {
                    before: before.map(|b| (b.kind, b.status)),
                    after: after.clone(),
                    changed,
                    new_update_ids,
                });
            }
        }
    }

    /// Notes that a component was saved, with the status it held before.
    pub fn component(&mut self, previous_status: Option<String>, after: &ComponentRecord) {
        match self.component_index.get(&after.id) {
            Some(&i) => self.components[i].after = after.clone(),
            None => {
                self.component_index
                    .insert(after.id.clone(), self.components.len());
                self.components.push(ComponentTouch {
                    before: previous_status,
                    after: after.clone(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each cause has its own word, snake_case, and reads back as itself.
    #[test]
    fn failure_cause_words_are_unique_and_read_back() {
        let words: Vec<&str> = FailureCause::all().map(FailureCause::as_str).collect();
        assert_eq!(
            words.len(),
            FetchCause::ALL.len() + ParseCause::ALL.len() + 1
        );
        let mut unique = words.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), words.len(), "{words:?}");
        for cause in FailureCause::all() {
            let word = cause.as_str();
            assert!(
                word.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{word}"
            );
            assert_eq!(FailureCause::from_word(word), Some(cause));
        }
        assert_eq!(FailureCause::Fetch(FetchCause::Dns).stage(), "fetch");
        assert_eq!(
            FailureCause::Parse(ParseCause::WrongFormat).to_string(),
            "wrong_format"
        );
        assert_eq!(FailureCause::from_word("down"), None);
    }
}
