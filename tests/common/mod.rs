//! Shared test harness: a real HTTP server on 127.0.0.1 (axum, ephemeral port) whose routes a
//! test sets and changes, plus helpers for fixtures, configs and the `statusdb` binary.
//! The benchmarks (`benches/`) serve their generated workloads with the same server.
#![allow(dead_code)]

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, Response, StatusCode};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One canned response.
#[derive(Clone, Debug)]
pub struct Route {
    pub status: u16,
    pub body: Vec<u8>,
    pub headers: Vec<(String, String)>,
    /// When set, a request with a matching `If-None-Match` gets `304`.
    pub etag: Option<String>,
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
        }
    }

    pub fn status(status: u16, body: impl Into<Vec<u8>>) -> Route {
        Route {
            status,
            body: body.into(),
            headers: vec![("content-type".into(), "text/plain".into())],
            etag: None,
        }
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
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100000001b3)
    })
}

/// A route as served: the body shared, so a large body is not copied per request.
struct Served {
    route: Route,
    body: Bytes,
}

#[derive(Default)]
struct State {
    routes: HashMap<String, Arc<Served>>,
    /// How long every response waits before it is sent (a slow remote server).
    delay: Duration,
    /// Requests per path, and how many of them were answered 304.
    hits: HashMap<String, usize>,
    not_modified: HashMap<String, usize>,
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
                        let delay = shared.lock().unwrap().delay;
                        if !delay.is_zero() {
                            tokio::time::sleep(delay).await;
                        }
                        respond(&shared, request.uri().path(), request.headers())
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

    pub fn route(&self, path: &str, mut route: Route) {
        let body = Bytes::from(std::mem::take(&mut route.body));
        self.state
            .lock()
            .unwrap()
            .routes
            .insert(path.into(), Arc::new(Served { route, body }));
    }

    /// Every response from now on waits this long before it is sent.
    pub fn set_delay(&self, delay: Duration) {
        self.state.lock().unwrap().delay = delay;
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

fn respond(state: &Mutex<State>, path: &str, headers: &HeaderMap) -> Response<Body> {
    let mut state = state.lock().unwrap();
    *state.hits.entry(path.to_string()).or_default() += 1;
    let Some(served) = state.routes.get(path).cloned() else {
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
    response.body(Body::from(served.body.clone())).unwrap()
}

/// The repository's `fixtures/` directory.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
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
    let mut text = String::from(
        "[database]\npath = \"statusdb.sqlite\"\n\n[fetch]\nconcurrency = 4\ntimeout = \"10s\"\n",
    );
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
    let out = statusdb()
        .args(["export", "--format", "json", "--config"])
        .arg(config)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "export failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
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

/// A validator for one of the project's JSON Schemas (`schema/<name>`), with every schema of
/// the folder registered under its `$id` so that cross-references resolve offline.
pub fn schema_validator(name: &str) -> jsonschema::Validator {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
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
