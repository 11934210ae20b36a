//! One ingest run: pick the sources, fetch their documents concurrently, parse them on the
//! blocking pool, and hand each source's result to a single writer thread that applies it all or
//! nothing (the sources already waiting share one transaction, redone without one that fails).

use crate::config::Config;
use crate::events;
use crate::fetch::hosts::Permits;
use crate::fetch::{Fetched, Fetcher, Page};
use crate::handoff::{
    DocumentOutcome, DocumentResult, FailureCause, ResolvedKind, Source, SourceChanges,
    SourceResult, Validators,
};
use crate::model::{Observation, ParseNote};
use crate::normalize::PreparedIncident;
use crate::probe;
use crate::providers::{Endpoint, Kind, PageInput};
use crate::report::{DocumentEntry, RunReport, SourceOutcome, SourceReport};
use crate::schedule;
use crate::store::{self, EndpointState, Store, StoreError};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use url::Url;

/// At most this many sources, or this long, per database commit.
pub const GROUP_SOURCES: usize = 64;
const GROUP_TIME: std::time::Duration = std::time::Duration::from_millis(250);
/// Sources parsed and waiting for the writer, beyond those holding a holding slot (which
/// they release once their result is in this queue): a short queue keeps the writer fed (and
/// groups full) while a writer slower than the network holds fewer parsed sources in memory
/// (a cold run of 2,000 loopback sources: 205 MB peak with 64 here, 177 MB with 8).
const WRITER_QUEUE: usize = 8;
/// Sources that have parsed a page and not yet been handed to the writer. Each holds its
/// parsed pages and prepared records, so this (not the fetch concurrency) bounds a cold run's
/// memory when the writer is slower than the network; enough to keep the writer's queue full
/// and every parse lane busy.
const HELD_SOURCES: usize = 2 * WRITER_QUEUE;

/// What the sources of a run share between fetching and the writer.
struct Stages {
    /// [`HELD_SOURCES`] slots, one per source from its first parse until the writer has it.
    holding: Arc<Semaphore>,
    /// Parses and preparations running at once: one fewer than the cores (at least one), so
    /// the writer, a cold run's bottleneck, keeps a core of its own instead of waiting while
    /// every source parses at once.
    cpu: Arc<Semaphore>,
}

impl Stages {
    fn new() -> Stages {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Stages {
            holding: Arc::new(Semaphore::new(HELD_SOURCES)),
            cpu: Arc::new(Semaphore::new(cores.saturating_sub(1).max(1))),
        }
    }

    /// Runs CPU-bound work on the blocking pool within the parse lanes.
    async fn compute<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, tokio::task::JoinError> {
        // The semaphore is never closed, so acquiring does not fail.
        let lane = self.cpu.clone().acquire_owned().await.ok();
        tokio::task::spawn_blocking(move || {
            let value = work();
            drop(lane);
            value
        })
        .await
    }
}

/// Which sources a run handles, and who hears about it.
#[derive(Debug, Clone, Default)]
pub struct IngestOptions {
    /// Only these source ids (all when empty).
    pub sources: Vec<String>,
    /// Only the sources whose interval has passed.
    pub due_only: bool,
    /// Told as sources finish (a progress bar, say).
    pub progress: Option<ProgressHandle>,
}

/// Hears about a run as it goes. Called from the database writer thread, in the order sources
/// are stored.
pub trait Progress: Send + Sync {
    /// The run will handle this many sources.
    fn start(&self, sources: usize);
    /// One source was stored (or its failure recorded).
    fn source_done(&self, source_id: &str, failed: bool);
}

/// A shared [`Progress`].
#[derive(Clone)]
pub struct ProgressHandle(pub Arc<dyn Progress>);

impl std::fmt::Debug for ProgressHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgressHandle")
    }
}

/// Why a run could not be made (a source's failure is an outcome, not an error).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// `--source` names a source the config does not list.
    #[error("unknown source {0:?} (not in the config)")]
    UnknownSource(String),
    /// The HTTP client could not be made.
    #[error("cannot start the HTTP client: {0}")]
    Client(String),
    /// The writer thread stopped without an answer.
    #[error("the database writer stopped unexpectedly")]
    WriterLost,
}

/// Runs one ingest over the chosen sources and returns the per-source report.
pub async fn run(
    config: &Config,
    mut store: Store,
    options: &IngestOptions,
) -> Result<RunReport, IngestError> {
    let started = Instant::now();
    let started_at = Utc::now();
    for id in &options.sources {
        if config.source(id).is_none() {
            return Err(IngestError::UnknownSource(id.clone()));
        }
    }
    store.sync_sources(&config.sources)?;
    store.set_unknown_after_failures(config.fetch.unknown_after_failures)?;
    let mut chosen: Vec<Source> = config
        .sources
        .iter()
        .filter(|s| options.sources.is_empty() || options.sources.contains(&s.id))
        .cloned()
        .collect();
    if options.due_only {
        chosen = schedule::due(&store, chosen, started_at)?;
    }
    let states = Arc::new(store.endpoint_states()?);
    // Failures in a row before this run, for the backoff the schedule sets after it.
    let failures: Arc<HashMap<String, i64>> = Arc::new(
        store
            .source_states()?
            .into_iter()
            .map(|(id, state)| (id, state.consecutive_failures))
            .collect(),
    );
    let resolved = Arc::new(store.resolved_kinds()?);
    let run_id = store.begin_run(started_at)?;

    let fetcher = Fetcher::new(&config.fetch).map_err(|e| IngestError::Client(e.to_string()))?;
    // Sources fetching at once: as many as documents may be fetched at once (over all hosts,
    // and per host, as the fetcher allows), so fetching is never starved. Per host first, like
    // the fetcher's own limits, so sources queued behind a busy host do not hold slots other
    // hosts could use. What parsed sources hold is bounded by `stages.holding`.
    let window = Arc::new(Permits::new(
        config.fetch.concurrency,
        config.fetch.per_host_concurrency,
    ));
    let stages = Arc::new(Stages::new());
    let (sender, receiver) = mpsc::channel::<SourceResult>(WRITER_QUEUE);

    let progress = options.progress.clone();
    if let Some(p) = &progress {
        p.0.start(chosen.len());
    }
    let writer = std::thread::Builder::new()
        .name("statusdb-writer".into())
        .spawn(move || write_sources(store, receiver, run_id, progress))
        .map_err(|_| IngestError::WriterLost)?;

    let mut tasks = Vec::with_capacity(chosen.len());
    for source in chosen {
        let fetcher = fetcher.clone();
        let states = states.clone();
        let failures = failures.clone();
        let resolved = resolved.clone();
        let sender = sender.clone();
        let window = window.clone();
        let stages = stages.clone();
        tasks.push(tokio::spawn(async move {
            let known = resolved
                .get(&source.id)
                .filter(|r| r.url == source.url.as_str())
                .map(|r| r.kind);
            let slot = window.acquire(&source.url).await;
            let (mut result, held) = fetch_source(&fetcher, &states, &stages, source, known).await;
            drop(slot);
            let failures_before = failures.get(&result.source.id).copied().unwrap_or(0);
            result.next_due_at = Some(schedule::next_due_at(
                &result.source,
                result.seen_at_millis(),
                result.failed(),
                failures_before,
            ));
            // A closed channel means the writer failed; its error is reported below.
            let _ = sender.send(result).await;
            drop(held);
        }));
    }
    drop(sender);
    for task in tasks {
        let _ = task.await;
    }
    let (mut store, applied) = writer.join().map_err(|_| IngestError::WriterLost)??;

    let mut reports: Vec<SourceReport> = applied
        .into_iter()
        .map(|(result, changes)| report(&result, changes))
        .collect();
    reports.sort_by(|a, b| a.source.cmp(&b.source));
    let failed = reports
        .iter()
        .filter(|r| r.outcome == SourceOutcome::Failed)
        .count();
    store.finish_run(run_id, Utc::now(), reports.len() - failed, failed)?;
    Ok(RunReport {
        run_id,
        started_at,
        elapsed_ms: started.elapsed().as_millis() as u64,
        sources: reports,
    })
}

/// The writer thread: applies each source handed over, the sources already waiting committed
/// together (up to [`GROUP_SOURCES`] or [`GROUP_TIME`]), so a crash loses little and never
/// half a source. A source that fails to write is undone alone: the group is written again
/// without it, and the run then stops with its error. Returns the store and each source
/// written with what it changed (its bodies freed).
fn write_sources(
    store: Store,
    mut receiver: mpsc::Receiver<SourceResult>,
    run_id: i64,
    progress: Option<ProgressHandle>,
) -> Result<(Store, Vec<(SourceResult, SourceChanges)>), StoreError> {
    let mut applied = Vec::new();
    {
        let mut writer = store.writer()?;
        let mut group: Vec<(SourceResult, SourceChanges)> = Vec::new();
        while let Some(first) = receiver.blocking_recv() {
            writer.begin_group()?;
            let opened = Instant::now();
            let mut next = Some(first);
            let mut failure = None;
            while let Some(result) = next.take() {
                match events::apply_source(&mut writer, Some(run_id), &result) {
                    Ok(changes) => group.push((result, changes)),
                    Err(e) => {
                        writer.restart_group()?;
                        for (result, changes) in group.iter_mut() {
                            *changes = events::apply_source(&mut writer, Some(run_id), result)?;
                        }
                        failure = Some(e);
                        break;
                    }
                }
                if group.len() < GROUP_SOURCES && opened.elapsed() < GROUP_TIME {
                    next = receiver.try_recv().ok();
                }
            }
            writer.commit_group()?;
            let mut written = Written::default();
            for (mut result, changes) in group.drain(..) {
                if let Some(p) = &progress {
                    p.0.source_done(&result.source.id, result.failed());
                }
                // Bodies are no longer needed once written; keep the report small.
                take_bodies(&mut result, &mut written);
                applied.push((result, changes));
            }
            // Freeing a group's pages and records is a few percent of a cold ingest: done on a
            // thread of its own, not the writer's.
            let _ = std::thread::Builder::new()
                .name("statusdb-free".into())
                .spawn(move || drop(written));
            if let Some(e) = failure {
                return Err(e);
            }
        }
    }
    Ok((store, applied))
}

/// What a written source no longer needs: its compressed pages, observations and prepared
/// records (freed off the writer thread).
#[derive(Default)]
struct Written {
    pages: Vec<Vec<u8>>,
    observations: Vec<Observation>,
    prepared: Vec<Vec<PreparedIncident>>,
}

/// Takes a written source's bodies, observations and prepared records out of it, leaving
/// what the report needs.
fn take_bodies(result: &mut SourceResult, written: &mut Written) {
    for doc in &mut result.documents {
        match &mut doc.outcome {
            DocumentOutcome::Parsed {
                body,
                observation,
                prepared,
                ..
            } => {
                written.pages.push(std::mem::take(&mut body.zstd));
                written.observations.push(std::mem::take(observation));
                written.prepared.push(std::mem::take(prepared));
            }
            DocumentOutcome::Failed { body, .. } => {
                if let Some(body) = body.take() {
                    written.pages.push(body.zstd);
                }
            }
            _ => {}
        }
    }
}

fn report(result: &SourceResult, changes: SourceChanges) -> SourceReport {
    let (cause, error) = result
        .failure()
        .map(|(cause, error)| (cause.as_str(), error.to_string()))
        .unzip();
    let outcome = if error.is_some() {
        SourceOutcome::Failed
    } else if result
        .documents
        .iter()
        .any(|d| matches!(d.outcome, DocumentOutcome::Parsed { .. }))
    {
        SourceOutcome::Updated
    } else {
        SourceOutcome::NotModified
    };
    let documents: Vec<DocumentEntry> = result
        .documents
        .iter()
        .map(|d| {
            let (outcome, http_status, failure) = match &d.outcome {
                DocumentOutcome::Parsed { .. } => ("parsed", Some(200), None),
                DocumentOutcome::Unchanged { .. } => ("unchanged", Some(200), None),
                DocumentOutcome::NotModified => ("not_modified", Some(304), None),
                DocumentOutcome::Absent { http_status } => ("absent", Some(*http_status), None),
                DocumentOutcome::Failed {
                    http_status,
                    cause,
                    error,
                    ..
                } => (
                    "failed",
                    *http_status,
                    Some((cause.as_str(), error.clone())),
                ),
            };
            let (cause, error) = failure.unzip();
            DocumentEntry {
                url: d.url.clone(),
                outcome,
                http_status,
                duration_ms: d.duration.as_millis() as u64,
                attempts: d.attempts,
                cause,
                error,
            }
        })
        .collect();
    SourceReport {
        source: result.source.id.clone(),
        vendor: result.source.vendor.clone(),
        kind: result.source.kind.as_str(),
        outcome,
        cause,
        error,
        duration_ms: documents.iter().map(|d| d.duration_ms).sum(),
        documents,
        changes,
    }
}

/// Fetches and parses every document of one source. Never fails: failures are outcomes.
/// An `auto` source reads with the kind stored for it (`known`), or probes for one first.
/// The fetcher keeps to the concurrency limits and retries transient faults. Returns the
/// source's holding slot (taken at its first parse) with the result: it is held until the
/// writer has the result.
async fn fetch_source(
    fetcher: &Fetcher,
    states: &HashMap<(String, String), EndpointState>,
    stages: &Stages,
    source: Source,
    known: Option<Kind>,
) -> (SourceResult, Option<OwnedSemaphorePermit>) {
    let mut held = None;
    let (kind, resolved) = match settle_kind(fetcher, &source, known).await {
        Ok(settled) => settled,
        Err(probe_failed) => return (SourceResult::new(source, None, vec![probe_failed]), held),
    };
    let documents = fetch_documents(fetcher, states, stages, &source, kind, &mut held).await;
    let mut result = SourceResult::new(source, Some(kind), documents);
    result.resolved = resolved;
    if !result
        .documents
        .iter()
        .any(|d| matches!(d.outcome, DocumentOutcome::Parsed { .. }))
    {
        return (result, held);
    }
    (prepare_off_the_writer(stages, result).await, held)
}

/// The kind a source is read as: its configured one, or for `auto` the one stored for it
/// (`known`), else the one a probe finds now (returned with the probe's evidence, for the
/// store). A probe that finds none is the source's one failed document.
async fn settle_kind(
    fetcher: &Fetcher,
    source: &Source,
    known: Option<Kind>,
) -> Result<(Kind, Option<ResolvedKind>), DocumentResult> {
    match (source.kind, known) {
        (Kind::Auto, Some(kind)) => Ok((kind, None)),
        (Kind::Auto, None) => {
            let started_at = Utc::now();
            let clock = Instant::now();
            match probe::probe(fetcher, &source.url).await {
                Ok(resolution) => {
                    tracing::info!(source = %source.id, kind = %resolution.kind, "kind auto resolved");
                    let resolved = ResolvedKind {
                        kind: resolution.kind,
                        url: source.url.to_string(),
                        at: started_at,
                        evidence: resolution.evidence_line(),
                    };
                    Ok((resolution.kind, Some(resolved)))
                }
                Err(e) => Err(DocumentResult {
                    url: source.url.to_string(),
                    fetched_at: started_at,
                    duration: clock.elapsed(),
                    // The probe's own fetches retry inside the fetcher; one probe, one row.
                    attempts: 1,
                    outcome: DocumentOutcome::Failed {
                        http_status: None,
                        cause: FailureCause::Parse(e.error.verdict.cause()),
                        error: e.to_string(),
                        body: None,
                    },
                }),
            }
        }
        (kind, _) => Ok((kind, None)),
    }
}

/// Fetches and reads a source's documents in turn (its kind's endpoints, then the follow-ups
/// its pages name), stopping at the first that fails: the source fails as a whole.
async fn fetch_documents(
    fetcher: &Fetcher,
    states: &HashMap<(String, String), EndpointState>,
    stages: &Stages,
    source: &Source,
    kind: Kind,
    held: &mut Option<OwnedSemaphorePermit>,
) -> Vec<DocumentResult> {
    let mut documents = Vec::new();
    let mut queue: VecDeque<Endpoint> = kind.endpoints(&source.url).into();
    let mut queued: HashSet<String> = queue.iter().map(|e| e.url.to_string()).collect();
    let mut followed = 0;
    while let Some(endpoint) = queue.pop_front() {
        let key = (source.id.clone(), endpoint.url.to_string());
        let state = states.get(&key).cloned().unwrap_or_default();
        let attempt = fetcher.fetch(&endpoint.url, &state.validators).await;
        let failure_text = attempt.failure_text();
        let mut outcome = match attempt.result {
            Ok(Fetched::NotModified) => DocumentOutcome::NotModified,
            Ok(Fetched::Page(page)) => read_page(stages, source, kind, page, &state, held).await,
            Err(e) if e.is_not_found() && !endpoint.required => DocumentOutcome::Absent {
                http_status: e.http_status().unwrap_or(404),
            },
            Err(e) => DocumentOutcome::Failed {
                http_status: e.http_status(),
                cause: FailureCause::Fetch(e.cause()),
                error: failure_text.unwrap_or_else(|| e.to_string()),
                body: None,
            },
        };
        if let DocumentOutcome::Parsed { observation, .. } = &mut outcome {
            queue_follow_ups(
                &endpoint.url,
                observation,
                &mut queue,
                &mut queued,
                &mut followed,
            );
        }
        let failed = matches!(outcome, DocumentOutcome::Failed { .. });
        documents.push(DocumentResult {
            url: endpoint.url.to_string(),
            fetched_at: attempt.started_at,
            duration: attempt.duration,
            attempts: attempt.attempts,
            outcome,
        });
        // The source fails as a whole: its other documents are not worth fetching now.
        if failed {
            break;
        }
    }
    documents
}

/// A fetched page: `Unchanged` when its body is the one stored last time, else parsed (and
/// compressed) on a parse lane. The source's holding slot is taken at its first parse.
async fn read_page(
    stages: &Stages,
    source: &Source,
    kind: Kind,
    page: Page,
    state: &EndpointState,
    held: &mut Option<OwnedSemaphorePermit>,
) -> DocumentOutcome {
    let body = page.body;
    let hashed = tokio::task::spawn_blocking(move || {
        let hash = content_hash(&body);
        (body, hash)
    })
    .await;
    let (body, hash) = match hashed {
        Ok((_, hash)) if state.content_hash.as_deref() == Some(hash.as_str()) => {
            return DocumentOutcome::Unchanged {
                hash,
                validators: page.validators,
            };
        }
        Ok(hashed) => hashed,
        Err(e) => {
            return internal_failure(format!("hashing the body failed: {e}"));
        }
    };
    if held.is_none() {
        // Never closed, so acquiring does not fail.
        *held = stages.holding.clone().acquire_owned().await.ok();
    }
    let source = source.clone();
    let url = page.url.to_string();
    let fetched_at = page.fetched_at;
    let validators = page.validators;
    let content_type = page.content_type;
    let parsed = stages
        .compute(move || {
            let fetched = FetchedBody {
                url: &url,
                fetched_at,
                content_type: content_type.as_deref(),
            };
            parse_document(&source, kind, &fetched, body, hash, validators)
        })
        .await;
    parsed.unwrap_or_else(|e| internal_failure(format!("parser crashed: {e}")))
}

/// Works out on a parse lane what the writer needs no database for (`SourceResult::prepare`):
/// the writer is one thread, and this runs in parallel with it. A panic there loses only the
/// preparation; a cancelled task fails the source.
async fn prepare_off_the_writer(stages: &Stages, mut result: SourceResult) -> SourceResult {
    let source = result.source.clone();
    let kind = result.read_as;
    let prepared = stages
        .compute(move || {
            if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| result.prepare())).is_err()
            {
                result.clear_prepared();
            }
            result
        })
        .await;
    prepared.unwrap_or_else(|e| {
        SourceResult::new(
            source,
            kind,
            vec![DocumentResult {
                url: String::new(),
                fetched_at: Utc::now(),
                duration: std::time::Duration::ZERO,
                attempts: 0,
                outcome: DocumentOutcome::Failed {
                    http_status: None,
                    cause: FailureCause::Internal,
                    error: format!("preparing the parsed pages was cancelled: {e}"),
                    body: None,
                },
            }],
        )
    })
}

/// A document statusdb failed on after the server answered (a parser that panicked, a body
/// it could not hash or compress).
fn internal_failure(error: String) -> DocumentOutcome {
    DocumentOutcome::Failed {
        http_status: Some(200),
        cause: FailureCause::Internal,
        error,
        body: None,
    }
}

/// The most follow-up documents (next pages) one source reads in one run.
pub(crate) const MAX_FOLLOW_UPS: usize = 20;

/// Queues the documents a parsed page links on to (the next page of a list): only those on the
/// same origin as the page, each once, at most [`MAX_FOLLOW_UPS`] per source. What is left out
/// is said in the page's parse notes and the log, never dropped silently.
fn queue_follow_ups(
    from: &Url,
    observation: &mut Observation,
    queue: &mut VecDeque<Endpoint>,
    queued: &mut HashSet<String>,
    followed: &mut usize,
) {
    for link in std::mem::take(&mut observation.follow) {
        let next = match from.join(&link) {
            Ok(url) if same_site(&url, from) => url,
            Ok(url) => {
                observation.notes.push(ParseNote {
                    place: from.to_string(),
                    message: format!("follow-up {url} is on another site; not fetched"),
                });
                continue;
            }
            Err(e) => {
                observation.notes.push(ParseNote {
                    place: from.to_string(),
                    message: format!("follow-up {link:?} is not a URL ({e}); not fetched"),
                });
                continue;
            }
        };
        if !queued.insert(next.to_string()) {
            continue;
        }
        if *followed >= MAX_FOLLOW_UPS {
            tracing::warn!(url = %next, "follow-up cap of {MAX_FOLLOW_UPS} documents reached");
            observation.notes.push(ParseNote {
                place: from.to_string(),
                message: format!(
                    "follow-up {next} not fetched: the cap of {MAX_FOLLOW_UPS} follow-up documents per source was reached"
                ),
            });
            continue;
        }
        *followed += 1;
        observation.follow.push(next.to_string());
        queue.push_back(Endpoint {
            url: next,
            required: true,
        });
    }
}

/// Same scheme, host and port (`file:` URLs: both local files).
fn same_site(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// The SHA-256 of a body, hex: the key of its raw page.
pub fn content_hash(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// Where and when a body was fetched, and what the server said it is.
struct FetchedBody<'a> {
    url: &'a str,
    fetched_at: DateTime<Utc>,
    content_type: Option<&'a str>,
}

fn parse_document(
    source: &Source,
    kind: Kind,
    fetched: &FetchedBody<'_>,
    body: Vec<u8>,
    hash: String,
    validators: Validators,
) -> DocumentOutcome {
    let url = fetched.url;
    let input = PageInput {
        url,
        body: &body,
        fetched_at: fetched.fetched_at,
        zone: source.zone,
    };
    let parsed = kind.parse_fetched(&input, fetched.content_type);
    // Compressed here, in parallel, so the database writer only inserts it.
    let raw = match store::compress_body(&body, hash) {
        Ok(raw) => raw,
        Err(e) => {
            return internal_failure(format!("{url}: {e}"));
        }
    };
    match parsed {
        Ok(observation) => DocumentOutcome::Parsed {
            body: raw,
            validators,
            observation,
            prepared: Vec::new(),
        },
        Err(e) => DocumentOutcome::Failed {
            http_status: Some(200),
            cause: FailureCause::Parse(e.cause()),
            error: format!("{url}: {e}"),
            body: Some(raw),
        },
    }
}
