//! Shared test support for statusdb's integration tests and benchmarks: a real HTTP server on
//! 127.0.0.1 (axum, ephemeral port) whose routes a test sets and changes, helpers for
//! fixtures, configs and the `statusdb` binary, the seeded workload generator ([`workload`]),
//! every kind's documents for the parse benchmark ([`kinds`]) and the limits statusdb is
//! measured against ([`limits`]).

pub mod kinds;
pub mod limits;
pub mod workload;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, Response, StatusCode};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One canned response.
#[derive(Clone, Debug)]
pub struct Route {
    pub status: u16,
    pub body: Vec<u8>,
    pub headers: Vec<(String, String)>,
    /// When set, a request with a matching `If-None-Match` gets `304`.
    pub etag: Option<String>,
    /// How the body is sent (all at once by default).
    pub delivery: Delivery,
    /// Waited before answering.
    pub delay: Duration,
}

/// How a route's body goes out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// In one piece, with a Content-Length.
    Whole,
    /// Chunked, in pieces of this size, without a Content-Length.
    Chunked(usize),
    /// The body, then these bytes again and again every interval, forever.
    Trickle { chunk: Vec<u8>, every: Duration },
}

impl Route {
    pub fn ok(body: impl Into<Vec<u8>>) -> Route {
        let body = body.into();
        let etag = format!("\"{:016x}\"", fnv(&body));
        Route {
            status: 200,
            body,
            headers: vec![("content-type".into(), "application/json".into())],
            etag: Some(etag),
            delivery: Delivery::Whole,
            delay: Duration::ZERO,
        }
    }

    /// A fixture served with status 200 and the content type its extension says (`.atom`,
    /// `.rss`, `.xml`, `.html`, `.txt`; JSON otherwise), as vendors serve them.
    pub fn fixture(relative: &str) -> Route {
        let content_type = match relative.rsplit('.').next() {
            Some("atom") => "application/atom+xml",
            Some("rss" | "xml") => "application/rss+xml",
            Some("html") => "text/html",
            Some("txt") => "text/plain",
            _ => "application/json",
        };
        Route::ok(crate::fixture(relative)).content_type(content_type)
    }

    pub fn status(status: u16, body: impl Into<Vec<u8>>) -> Route {
        Route {
            status,
            body: body.into(),
            headers: vec![("content-type".into(), "text/plain".into())],
            etag: None,
            delivery: Delivery::Whole,
            delay: Duration::ZERO,
        }
    }

    /// A redirect to `location`.
    pub fn redirect(status: u16, location: &str) -> Route {
        Route::status(status, "").header("location", location)
    }

    pub fn content_type(mut self, value: &str) -> Route {
        self.headers.retain(|(k, _)| k != "content-type");
        self.headers.push(("content-type".into(), value.into()));
        self
    }

    pub fn without_etag(mut self) -> Route {
        self.etag = None;
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Route {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn delivery(mut self, delivery: Delivery) -> Route {
        self.delivery = delivery;
        self
    }

    pub fn delayed(mut self, delay: Duration) -> Route {
        self.delay = delay;
        self
    }
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100000001b3)
    })
}

/// One request as the server received it, and the status it answered (a recording receiver
/// for tests of deliveries).
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub path: String,
    /// Header names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The status the server answered with (404 where no route was set).
    pub status: u16,
}

impl Received {
    /// The first value of a header (name in any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body of {} {} is not JSON ({e}): {}",
                self.method,
                self.path,
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

/// A route as served: the body shared, so a large body is not copied per request.
struct Served {
    route: Route,
    body: Bytes,
}

impl Served {
    fn new(mut route: Route) -> Arc<Served> {
        let body = Bytes::from(std::mem::take(&mut route.body));
        Arc::new(Served { route, body })
    }
}

#[derive(Default)]
struct State {
    /// Per path, the responses in the order they are given (bodies shared, so a large body
    /// is not copied per request); the last one repeats.
    routes: HashMap<String, (Vec<Arc<Served>>, usize)>,
    /// How long every response waits before it is sent (a slow remote server), on top of
    /// its route's own delay.
    delay: Duration,
    /// Requests per path, and how many of them were answered 304.
    hits: HashMap<String, usize>,
    not_modified: HashMap<String, usize>,
    /// When each request to a path arrived.
    arrivals: HashMap<String, Vec<Instant>>,
    /// Requests being answered now, and the most there ever were at once.
    in_flight: usize,
    max_in_flight: usize,
    /// Every request with its body, in arrival order.
    received: Vec<Received>,
}

/// A loopback HTTP server that lives as long as the value.
pub struct TestServer {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    pub fn start() -> TestServer {
        let state = Arc::new(Mutex::new(State::default()));
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
        let shared = state.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                let app = axum::Router::new().fallback(move |request: Request<Body>| {
                    let shared = shared.clone();
                    async move {
                        let (parts, body) = request.into_parts();
                        let body = axum::body::to_bytes(body, usize::MAX)
                            .await
                            .map(|b| b.to_vec())
                            .unwrap_or_default();
                        let uri = parts.uri.clone();
                        let full = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
                        let received = Received {
                            method: parts.method.to_string(),
                            path: uri.path().to_string(),
                            headers: parts
                                .headers
                                .iter()
                                .map(|(k, v)| {
                                    (k.as_str().to_string(), v.to_str().unwrap_or("").to_string())
                                })
                                .collect(),
                            body,
                            status: 0,
                        };
                        respond(shared, full, uri.path(), &parts.headers, received).await
                    }
                });
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = shutdown_rx.await;
                    })
                    .await
                    .unwrap();
            });
        });
        TestServer {
            addr: addr_rx.recv().unwrap(),
            state,
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn route(&self, path: &str, route: Route) {
        self.routes(path, vec![route]);
    }

    /// Answers successive requests to `path` with these routes in turn; the last one repeats.
    pub fn routes(&self, path: &str, routes: Vec<Route>) {
        assert!(!routes.is_empty());
        self.state.lock().unwrap().routes.insert(
            path.into(),
            (routes.into_iter().map(Served::new).collect(), 0),
        );
    }

    /// Every response from now on waits this long before it is sent.
    pub fn set_delay(&self, delay: Duration) {
        self.state.lock().unwrap().delay = delay;
    }

    /// When each request to `path` arrived, in order.
    pub fn arrivals(&self, path: &str) -> Vec<Instant> {
        self.state
            .lock()
            .unwrap()
            .arrivals
            .get(path)
            .cloned()
            .unwrap_or_default()
    }

    /// The most requests the server was answering at once (a request counts until its
    /// response starts).
    pub fn max_in_flight(&self) -> usize {
        self.state.lock().unwrap().max_in_flight
    }

    /// The requests to `path` so far, with their bodies and the statuses answered.
    pub fn received(&self, path: &str) -> Vec<Received> {
        self.state
            .lock()
            .unwrap()
            .received
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }

    pub fn serve(&self, path: &str, body: impl Into<Vec<u8>>) {
        self.route(path, Route::ok(body));
    }

    pub fn hits(&self, path: &str) -> usize {
        *self.state.lock().unwrap().hits.get(path).unwrap_or(&0)
    }

    pub fn not_modified(&self, path: &str) -> usize {
        *self
            .state
            .lock()
            .unwrap()
            .not_modified
            .get(path)
            .unwrap_or(&0)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A route set for the path with its query (`/api/v1/incidents?page=2`) answers that exact
/// request; otherwise the route of the path alone does.
async fn respond(
    state: Arc<Mutex<State>>,
    full: &str,
    path: &str,
    headers: &HeaderMap,
    mut received: Received,
) -> Response<Body> {
    let (path, served, delay) = {
        let mut state = state.lock().unwrap();
        let path = if state.routes.contains_key(full) {
            full
        } else {
            path
        };
        *state.hits.entry(path.to_string()).or_default() += 1;
        state
            .arrivals
            .entry(path.to_string())
            .or_default()
            .push(Instant::now());
        state.in_flight += 1;
        state.max_in_flight = state.max_in_flight.max(state.in_flight);
        let served = match state.routes.get_mut(path) {
            Some((routes, answered)) => {
                let served = routes[(*answered).min(routes.len() - 1)].clone();
                *answered += 1;
                Some(served)
            }
            None => None,
        };
        let delay = state.delay + served.as_ref().map_or(Duration::ZERO, |s| s.route.delay);
        received.status = served.as_ref().map_or(404, |s| s.route.status);
        state.received.push(received);
        (path, served, delay)
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let response = answer(&state, path, headers, served);
    state.lock().unwrap().in_flight -= 1;
    response
}

fn answer(
    state: &Mutex<State>,
    path: &str,
    headers: &HeaderMap,
    served: Option<Arc<Served>>,
) -> Response<Body> {
    let Some(served) = served else {
        return Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body(Body::from("not found"))
            .unwrap();
    };
    let conditional = headers
        .get("if-none-match")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let route = &served.route;
    if let (Some(etag), Some(asked)) = (&route.etag, conditional)
        && *etag == asked
    {
        let mut state = state.lock().unwrap();
        *state.not_modified.entry(path.to_string()).or_default() += 1;
        return Response::builder()
            .status(StatusCode::NOT_MODIFIED)
            .header("etag", etag)
            .body(Body::empty())
            .unwrap();
    }
    let mut response = Response::builder().status(route.status);
    for (k, v) in &route.headers {
        response = response.header(k, v);
    }
    if let Some(etag) = &route.etag {
        response = response.header("etag", etag);
    }
    let body = match &route.delivery {
        Delivery::Whole => Body::from(served.body.clone()),
        Delivery::Chunked(size) => {
            let size = (*size).max(1);
            let chunks: Vec<Result<Bytes, std::io::Error>> = (0..served.body.len())
                .step_by(size)
                .map(|start| {
                    Ok(served
                        .body
                        .slice(start..(start + size).min(served.body.len())))
                })
                .collect();
            Body::from_stream(futures::stream::iter(chunks))
        }
        Delivery::Trickle { chunk, every } => {
            let (chunk, every) = (chunk.clone(), *every);
            let first = served.body.clone();
            let first = futures::stream::once(async move { Ok::<_, std::io::Error>(first) });
            let rest = futures::stream::unfold(chunk, move |chunk| async move {
                tokio::time::sleep(every).await;
                Some((Ok(Bytes::from(chunk.clone())), chunk))
            });
            Body::from_stream(futures::StreamExt::chain(first, rest))
        }
    };
    response.body(body).unwrap()
}

/// A raw TCP server for faults no HTTP library sends on purpose: it reads a request, writes
/// `reply` as it is, then ends the connection as `end` says.
pub struct RawServer {
    pub addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RawEnd {
    /// A TCP reset (SO_LINGER 0, then close).
    Reset,
    /// An orderly close (FIN).
    Close,
}

impl RawServer {
    pub fn start(reply: Vec<u8>, end: RawEnd) -> RawServer {
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (shutdown_tx, mut shutdown_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                loop {
                    let (mut socket, _) = tokio::select! {
                        accepted = listener.accept() => accepted.unwrap(),
                        _ = &mut shutdown_rx => return,
                    };
                    let reply = reply.clone();
                    tokio::spawn(async move {
                        let mut request = Vec::new();
                        let mut buffer = [0u8; 4096];
                        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                            match socket.read(&mut buffer).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => request.extend_from_slice(&buffer[..n]),
                            }
                        }
                        let _ = socket.write_all(&reply).await;
                        let _ = socket.flush().await;
                        if end == RawEnd::Reset {
                            let _ = socket.set_zero_linger();
                        }
                        drop(socket);
                    });
                }
            });
        });
        RawServer {
            addr: addr_rx.recv().unwrap(),
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A loopback address that accepts connections (the kernel completes them) and never answers:
/// a receiver that hangs. Lives as long as the value.
pub struct SilentServer {
    listener: std::net::TcpListener,
}

impl SilentServer {
    pub fn start() -> SilentServer {
        SilentServer {
            listener: std::net::TcpListener::bind("127.0.0.1:0").unwrap(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.listener.local_addr().unwrap())
    }
}

/// A loopback URL nothing listens on: connecting is refused.
pub fn refused_url(path: &str) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}{path}")
}

/// The repository's top folder (this crate lives in `crates/testkit`).
pub fn repo_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::canonicalize(&root).unwrap_or(root)
}

/// The repository's `fixtures/` directory.
pub fn fixtures_dir() -> PathBuf {
    crate::repo_root().join("fixtures")
}

/// GitHub's `history.atom` fetched once a day, 2023-01-01 to 2023-01-14
/// (`fixtures/statuspage/github-history-series/`), oldest first.
pub fn history_series() -> Vec<Vec<u8>> {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(fixtures_dir().join("statuspage/github-history-series"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
    files.sort();
    files.iter().map(|f| std::fs::read(f).unwrap()).collect()
}

pub fn fixture(relative: &str) -> Vec<u8> {
    let path = fixtures_dir().join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()))
}

/// One `[[sources]]` entry for a test config.
pub struct SourceSpec<'a> {
    pub id: &'a str,
    pub vendor: &'a str,
    pub kind: &'a str,
    pub url: String,
    pub zone: Option<&'a str>,
}

impl<'a> SourceSpec<'a> {
    pub fn new(id: &'a str, vendor: &'a str, kind: &'a str, url: impl Into<String>) -> Self {
        SourceSpec {
            id,
            vendor,
            kind,
            url: url.into(),
            zone: None,
        }
    }
}

/// Writes `config.toml` into `dir` with a database `dir/statusdb.sqlite`.
pub fn write_config(dir: &Path, sources: &[SourceSpec<'_>]) -> PathBuf {
    write_config_with(dir, "concurrency = 4\ntimeout = \"10s\"\n", sources)
}

/// `[fetch]` settings for tests of faults: short timeouts and retry waits, so that a test
/// of a retried fault takes a fraction of a second (Retry-After is honoured as asked).
pub const FAST_FETCH: &str = "concurrency = 4
timeout = \"1s\"
connect_timeout = \"500ms\"
attempts = 3
retry_base_delay = \"20ms\"
retry_max_delay = \"100ms\"
retry_after_max = \"10s\"
max_body_bytes = 8388608
max_redirects = 5
";

/// Like `write_config`, with the given lines as the `[fetch]` table.
pub fn write_config_with(dir: &Path, fetch: &str, sources: &[SourceSpec<'_>]) -> PathBuf {
    let mut text = format!("[database]\npath = \"statusdb.sqlite\"\n\n[fetch]\n{fetch}");
    for s in sources {
        text.push_str(&format!(
            "\n[[sources]]\nid = \"{}\"\nvendor = \"{}\"\nkind = \"{}\"\nurl = \"{}\"\ninterval = \"1m\"\n",
            s.id, s.vendor, s.kind, s.url
        ));
        if let Some(zone) = s.zone {
            text.push_str(&format!("zone = \"{zone}\"\n"));
        }
    }
    let path = dir.join("config.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// The `statusdb` binary, quiet about logs unless a test asks.
pub fn statusdb() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("statusdb").unwrap();
    cmd.env_remove("RUST_LOG");
    cmd
}

/// Runs `statusdb export --format json` and parses the document.
pub fn export_json(config: &Path) -> serde_json::Value {
    stdout_json(
        statusdb()
            .args(["export", "--format", "json", "--config"])
            .arg(config),
    )
}

/// An export with the fields that legitimately change between runs blanked out.
pub fn without_run_times(mut doc: serde_json::Value) -> serde_json::Value {
    doc["generated_at"] = serde_json::Value::Null;
    if let Some(incidents) = doc["incidents"].as_array_mut() {
        for i in incidents {
            i["last_seen_at"] = serde_json::Value::Null;
        }
    }
    doc
}

/// Runs a read-only SQL query against a database and returns the first column of each row.
pub fn sql_strings(db: &Path, sql: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get::<_, rusqlite::types::Value>(0))
        .unwrap()
        .map(|v| match v.unwrap() {
            rusqlite::types::Value::Null => "NULL".to_string(),
            rusqlite::types::Value::Integer(i) => i.to_string(),
            rusqlite::types::Value::Real(f) => f.to_string(),
            rusqlite::types::Value::Text(t) => t,
            rusqlite::types::Value::Blob(b) => format!("<{} bytes>", b.len()),
        })
        .collect()
}

pub fn sql_count(db: &Path, sql: &str) -> i64 {
    sql_strings(db, sql)[0].parse().unwrap()
}

/// Runs `statusdb parse --kind KIND FIXTURE [ARGS]` on a file under `fixtures/` and returns the
/// Observation JSON (panicking with stderr when the command fails).
pub fn parse_fixture(kind: &str, relative: &str, args: &[&str]) -> serde_json::Value {
    let out = statusdb()
        .args(["parse", "--kind", kind])
        .arg(fixtures_dir().join(relative))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "parse --kind {kind} {relative} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// An observed update as `(status, status_raw, UTC time, time source, raw time, body)`.
pub fn update_row(u: &serde_json::Value) -> (String, String, String, String, String, String) {
    let s = |v: &serde_json::Value| match v {
        serde_json::Value::Null => "null".to_string(),
        serde_json::Value::String(t) => t.clone(),
        other => other.to_string(),
    };
    (
        s(&u["status"]),
        s(&u["status_raw"]),
        s(&u["posted_at"]["utc"]),
        s(&u["posted_at"]["source"]),
        s(&u["posted_at"]["raw"]),
        s(&u["body"]),
    )
}

/// The observed incident with this native id.
pub fn observed<'a>(observation: &'a serde_json::Value, native_id: &str) -> &'a serde_json::Value {
    observation["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["native_id"] == native_id)
        .unwrap_or_else(|| panic!("no observed incident {native_id}"))
}

/// A validator for one of the project's JSON Schemas (`schema/<name>`), with every schema of
/// the folder registered under its `$id` so that cross-references resolve offline.
pub fn schema_validator(name: &str) -> jsonschema::Validator {
    let dir = crate::repo_root().join("schema");
    let mut registry = jsonschema::Registry::new();
    let mut wanted = None;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let schema: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let id = schema["$id"].as_str().unwrap().to_string();
        if path.file_name().unwrap() == name {
            wanted = Some(schema.clone());
        }
        registry = registry.add(id, schema).unwrap();
    }
    let registry = registry.prepare().unwrap();
    let schema = wanted.unwrap_or_else(|| panic!("no schema/{name}"));
    jsonschema::options()
        .with_registry(&registry)
        .build(&schema)
        .unwrap()
}

/// The schema violations of a document, at most five, for an assertion message.
pub fn schema_errors(validator: &jsonschema::Validator, doc: &serde_json::Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .take(5)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// An observation's components as (native id, name, group, status, vendor's word): the
/// projection the parser tests compare whole.
pub fn component_rows(
    o: &statusdb::model::Observation,
) -> Vec<(
    &str,
    &str,
    Option<&str>,
    statusdb::model::ComponentStatus,
    &str,
)> {
    o.components
        .iter()
        .map(|c| {
            (
                c.native_id.as_deref().expect("every component has an id"),
                c.name.as_str(),
                c.group.as_deref(),
                c.status,
                c.status_raw.as_str(),
            )
        })
        .collect()
}

/// An observation's components as (name, group, status).
pub fn component_states(
    o: &statusdb::model::Observation,
) -> Vec<(&str, Option<&str>, statusdb::model::ComponentStatus)> {
    o.components
        .iter()
        .map(|c| (c.name.as_str(), c.group.as_deref(), c.status))
        .collect()
}

/// Two string fields of each object of a JSON array (the export's incidents or updates, a
/// command's JSON list), as pairs: the projection tests compare whole.
pub fn pairs<'a>(
    array: &'a serde_json::Value,
    first: &str,
    second: &str,
) -> Vec<(&'a str, &'a str)> {
    let text = |v: &'a serde_json::Value, field: &str| {
        v[field]
            .as_str()
            .unwrap_or_else(|| panic!("{field} of {v} is not a string"))
    };
    array
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {array}"))
        .iter()
        .map(|v| (text(v, first), text(v, second)))
        .collect()
}

/// `statusdb [GLOBAL...] ingest --config CONFIG`, its output captured (global flags such as
/// `-q` or `--log-format json` go before the subcommand; colours off).
pub fn ingest_output(config: &Path, global: &[&str]) -> std::process::Output {
    statusdb()
        .args(global)
        .arg("ingest")
        .arg("--config")
        .arg(config)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// `statusdb ingest --config CONFIG [--source S]...` (every source when none is named), which
/// must succeed.
pub fn ingest_sources(config: &Path, sources: &[&str]) {
    let mut cmd = statusdb();
    cmd.arg("ingest").arg("--config").arg(config);
    for source in sources {
        cmd.args(["--source", source]);
    }
    cmd.assert().success();
}

/// `statusdb ingest --config CONFIG` started in the background, its output discarded.
pub fn spawn_ingest(config: &Path) -> std::process::Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("statusdb"))
        .arg("ingest")
        .arg("--config")
        .arg(config)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

/// A command's output as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The incident with this id in an export document.
pub fn export_incident<'a>(doc: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    doc["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("no incident {id}"))
}

/// An instant as statusdb writes it.
pub fn utc(t: &statusdb::model::TimeValue) -> String {
    statusdb::model::format_utc(&t.utc)
}

/// An optional instant as statusdb writes it.
pub fn utc_opt(t: &Option<statusdb::model::TimeValue>) -> Option<String> {
    t.as_ref().map(utc)
}

/// The observed incident with this native id.
pub fn observed_incident<'a>(
    o: &'a statusdb::model::Observation,
    native_id: &str,
) -> &'a statusdb::model::ObservedIncident {
    o.incidents
        .iter()
        .find(|i| i.native_id.as_deref() == Some(native_id))
        .unwrap_or_else(|| panic!("no incident {native_id}"))
}

/// An observed incident's start and resolution: `<start> .. <resolution>`, `-` for one it
/// lacks.
pub fn span(i: &statusdb::model::ObservedIncident) -> String {
    let at = |t: &Option<statusdb::model::TimeValue>| utc_opt(t).unwrap_or_else(|| "-".into());
    format!("{} .. {}", at(&i.started_at), at(&i.resolved_at))
}

/// One string field of each object of a JSON array (ids, times), in order.
pub fn field<'a>(array: &'a serde_json::Value, name: &str) -> Vec<&'a str> {
    array
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {array}"))
        .iter()
        .map(|v| {
            v[name]
                .as_str()
                .unwrap_or_else(|| panic!("{name} of {v} is not a string"))
        })
        .collect()
}

/// Asserts that a command exited with `code` and that its stderr says each of `needles`;
/// returns the stderr.
pub fn fails_saying(out: &std::process::Output, code: i32, needles: &[&str]) -> String {
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "stderr lacks {needle:?}: {stderr}");
    }
    stderr
}

/// Writes `config.toml` into `dir` for GitHub's Statuspage API (source `gh`) at `url`.
pub fn github_source(dir: &Path, url: impl Into<String>) -> PathBuf {
    one_source(dir, "gh", "github", "statuspage", url)
}

/// Writes `config.toml` into `dir` for one source.
pub fn one_source(
    dir: &Path,
    id: &str,
    vendor: &str,
    kind: &str,
    url: impl Into<String>,
) -> PathBuf {
    write_config(dir, &[SourceSpec::new(id, vendor, kind, url)])
}

/// Runs a command that must succeed (its stderr shown if not), and returns its output.
pub fn succeeds(cmd: &mut assert_cmd::Command) -> std::process::Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        text(&out.stderr)
    );
    out
}

/// Runs a command that prints JSON on stdout; it must succeed (its stderr shown if not).
pub fn stdout_json(cmd: &mut assert_cmd::Command) -> serde_json::Value {
    let out = succeeds(cmd);
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{cmd:?} printed no JSON ({e}): {}", text(&out.stdout)))
}
