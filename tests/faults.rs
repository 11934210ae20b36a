//! Faults of the real internet, injected by servers on 127.0.0.1, each met by the real binary.
//!
//! Every fault runs the same scene: a run where the source `victim` is healthy (the Statuspage
//! documentation summary: 3 components, an incident and a maintenance) and `other` serves one
//! GitHub incident; then a run where `victim` meets the fault and `other` serves a second
//! incident. Each fault asserts: the run ends within its limit; the exit code (1 when `victim`
//! failed); the fetch log's outcome, reason and number of requests; `other`'s new incident is
//! stored in that same run; and `victim`'s export is what it was before the fault.

use serde_json::{Value, json};
use statusdb_testkit::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tempfile::TempDir;

const VICTIM: &str = "/victim/api/v2/summary.json";
const OTHER: &str = "/other/api/v2/incidents/current.json";

struct Scene {
    server: TestServer,
    dir: TempDir,
    config: PathBuf,
    db: PathBuf,
    /// `victim`'s export before the fault.
    before: Value,
}

/// How the faulty run went.
struct Run {
    code: Option<i32>,
    elapsed: Duration,
    stderr: String,
}

impl Scene {
    /// Ingests the healthy state and keeps `victim`'s export.
    fn healthy() -> Scene {
        let server = TestServer::start();
        server.serve(
            VICTIM,
            fixture("statuspage/summary-with-groups.from-docs.json"),
        );
        server.serve(
            OTHER,
            fixture("statuspage/github-incident-f0mhbz9xn497.json"),
        );
        let dir = TempDir::new().unwrap();
        let db = dir.path().join("statusdb.sqlite");
        let mut scene = Scene {
            config: PathBuf::new(),
            before: Value::Null,
            server,
            dir,
            db,
        };
        scene.config = scene.write_config(&scene.server.url(VICTIM));
        statusdb()
            .arg("ingest")
            .arg("--config")
            .arg(&scene.config)
            .assert()
            .code(0);
        scene.before = scene.victim_export();
        // What the healthy run stored, read from the fixture: 3 components (groups are not
        // components), one incident and one maintenance.
        assert_eq!(scene.before["incidents"].as_array().unwrap().len(), 2);
        assert_eq!(scene.before["components"].as_array().unwrap().len(), 3);
        scene
    }

    fn write_config(&self, victim_url: &str) -> PathBuf {
        write_config_with(
            self.dir.path(),
            FAST_FETCH,
            &[
                SourceSpec::new("victim", "victim", "statuspage", victim_url),
                SourceSpec::new("other", "other", "statuspage", self.server.url(OTHER)),
            ],
        )
    }

    fn victim_export(&self) -> Value {
        without_run_times(self.victim_export_whole())
    }

    fn victim_export_whole(&self) -> Value {
        let out = statusdb()
            .args(["export", "--vendor", "victim", "--config"])
            .arg(&self.config)
            .output()
            .unwrap();
        assert!(out.status.success());
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Points `victim` at `url` (when given), gives `other` a new incident, and runs ingest.
    fn run_fault(&mut self, victim_url: Option<&str>) -> Run {
        if let Some(url) = victim_url {
            self.config = self.write_config(url);
        }
        self.server.serve(
            OTHER,
            fixture("statuspage/github-incident-t2xwk9mz56f4.json"),
        );
        let start = Instant::now();
        let out = statusdb()
            .arg("ingest")
            .arg("--config")
            .arg(&self.config)
            .env("NO_COLOR", "1")
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        Run {
            code: out.status.code(),
            elapsed: start.elapsed(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `victim`'s fetch rows of the last run: (outcome, http status, attempts, cause, error).
    fn victim_fetches(&self) -> Vec<(String, String, String, String, String)> {
        sql_strings(
            &self.db,
            "SELECT outcome || '|' || coalesce(http_status, 'NULL') || '|' || attempts || '|' ||
                    coalesce(cause, 'NULL') || '|' || coalesce(error, 'NULL')
             FROM fetches WHERE source_id = 'victim' AND run_id = (SELECT max(id) FROM runs)
             ORDER BY id",
        )
        .into_iter()
        .map(|row| {
            let mut parts = row.splitn(5, '|').map(str::to_string);
            (
                parts.next().unwrap(),
                parts.next().unwrap(),
                parts.next().unwrap(),
                parts.next().unwrap(),
                parts.next().unwrap(),
            )
        })
        .collect()
    }

    /// `other` stored its new incident in the faulty run, next to the one it had.
    fn assert_other_stored(&self) {
        assert_eq!(
            sql_strings(
                &self.db,
                "SELECT id FROM incidents WHERE vendor = 'other' ORDER BY id"
            ),
            vec!["other/f0mhbz9xn497", "other/t2xwk9mz56f4"]
        );
        assert_eq!(
            sql_strings(
                &self.db,
                "SELECT outcome FROM fetches WHERE source_id = 'other'
                 AND run_id = (SELECT max(id) FROM runs)"
            ),
            vec!["parsed"]
        );
    }

    /// The whole verdict on a fault that fails `victim`: exit 1 within `limit`, one fetch row
    /// that failed after `attempts` requests with the machine word `cause` and a reason
    /// starting `reason`, stderr naming the source, the reason and the cause (the URL once),
    /// `other` stored, `victim` exported as before.
    fn assert_failed(
        &self,
        run: &Run,
        limit: Duration,
        http_status: Option<u16>,
        attempts: usize,
        cause: &str,
        reason: &str,
    ) {
        assert!(
            run.elapsed < limit,
            "took {:?}, limit {limit:?}",
            run.elapsed
        );
        assert_eq!(run.code, Some(1), "stderr: {}", run.stderr);
        let fetches = self.victim_fetches();
        assert_eq!(fetches.len(), 1, "{fetches:?}");
        let (outcome, status, tries, stored_cause, error) = &fetches[0];
        assert_eq!(outcome, "failed");
        assert_eq!(stored_cause, cause, "{error}");
        assert_eq!(
            status,
            &http_status.map_or("NULL".to_string(), |s| s.to_string())
        );
        assert_eq!(tries, &attempts.to_string(), "attempts; error: {error}");
        assert!(
            error.starts_with(reason),
            "fetch log error {error:?} does not start with {reason:?}"
        );
        let line = run
            .stderr
            .lines()
            .find(|l| l.contains("source=victim"))
            .unwrap_or_else(|| panic!("no line names the source: {}", run.stderr));
        assert!(
            line.contains(reason) && line.ends_with(&format!("source=victim cause={cause}")),
            "the line names the reason, the source and the cause: {line}"
        );
        // Said once: the URL, however deep the cause.
        assert!(line.matches("://").count() <= 1, "{line}");
        self.assert_other_stored();
        assert_eq!(
            self.victim_export(),
            self.before,
            "victim's records changed"
        );
        assert_eq!(
            sql_strings(
                &self.db,
                "SELECT consecutive_failures FROM sources WHERE id = 'victim'"
            ),
            vec!["1"]
        );
    }
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

#[test]
fn refused_connection_is_retried_then_fails_the_source() {
    let mut scene = Scene::healthy();
    let url = refused_url("/gone/api/v2/summary.json");
    let run = scene.run_fault(Some(&url));
    scene.assert_failed(
        &run,
        secs(10.0),
        None,
        3,
        "connect",
        &format!("cannot connect to {url}"),
    );
    assert!(run.stderr.contains("(after 3 attempts)"), "{}", run.stderr);
}

/// A host name that does not resolve (`.invalid` never does): a transient fault of the
/// resolver, retried, then the source fails with `dns`.
#[test]
fn a_host_that_does_not_resolve_fails_the_source_with_dns() {
    let mut scene = Scene::healthy();
    let url = "http://statusdb-victim.invalid/victim/api/v2/summary.json";
    let run = scene.run_fault(Some(url));
    scene.assert_failed(
        &run,
        secs(10.0),
        None,
        3,
        "dns",
        &format!("cannot resolve the host of {url}: "),
    );
}

/// `https://` to a server that speaks plain HTTP: the TLS handshake fails (`tls`).
#[test]
fn a_failed_tls_handshake_fails_the_source_with_tls() {
    let mut scene = Scene::healthy();
    let url = scene.server.url(VICTIM).replace("http://", "https://");
    let run = scene.run_fault(Some(&url));
    scene.assert_failed(
        &run,
        secs(10.0),
        None,
        3,
        "tls",
        &format!("TLS with {url} failed: "),
    );
}

#[test]
fn reset_mid_body_is_retried_then_fails_the_source() {
    let mut scene = Scene::healthy();
    // Headers promise 100000 bytes; 1000 arrive, then a TCP reset.
    let body = fixture("statuspage/summary-with-groups.from-docs.json");
    let mut reply =
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n"
            .to_vec();
    reply.extend_from_slice(&body[..1000]);
    let raw = RawServer::start(reply, RawEnd::Reset);
    let url = raw.url("/victim/api/v2/summary.json");
    let run = scene.run_fault(Some(&url));
    scene.assert_failed(
        &run,
        secs(10.0),
        None,
        3,
        "connection_lost",
        &format!("connection to {url} broken while reading the body"),
    );
}

#[test]
fn a_500_then_success_is_retried_and_stored() {
    let mut scene = Scene::healthy();
    // The victim's page changed meanwhile: after one 500, the new page comes.
    let changed = fixture("statuspage/summary-with-groups.from-docs.json");
    let changed = String::from_utf8(changed)
        .unwrap()
        .replace("\"partial_outage\"", "\"major_outage\"");
    scene.server.routes(
        VICTIM,
        vec![
            Route::status(500, "Internal Server Error"),
            Route::ok(changed.clone()),
        ],
    );
    let run = scene.run_fault(None);
    assert!(run.elapsed < secs(10.0));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        scene.server.hits(VICTIM),
        3,
        "one healthy run, a 500, a retry"
    );
    assert_eq!(
        scene.victim_fetches(),
        vec![(
            "parsed".to_string(),
            "200".to_string(),
            "2".to_string(),
            "NULL".to_string(),
            "NULL".to_string()
        )]
    );
    scene.assert_other_stored();
    let api = scene.victim_export()["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "API")
        .cloned()
        .unwrap();
    assert_eq!(api["status"], "major_outage");
}

#[test]
fn a_5xx_that_persists_fails_after_the_configured_attempts() {
    let mut scene = Scene::healthy();
    scene
        .server
        .route(VICTIM, Route::status(502, "Bad Gateway"));
    let run = scene.run_fault(None);
    scene.assert_failed(
        &run,
        secs(10.0),
        Some(502),
        3,
        "http_status",
        &format!(
            "HTTP 502 from {} (after 3 attempts)",
            scene.server.url(VICTIM)
        ),
    );
    assert_eq!(scene.server.hits(VICTIM), 1 + 3);
}

#[test]
fn a_503_with_retry_after_2_is_waited_for() {
    let mut scene = Scene::healthy();
    scene.server.routes(
        VICTIM,
        vec![
            Route::status(503, "Service Unavailable").header("retry-after", "2"),
            Route::ok(fixture("statuspage/summary-with-groups.from-docs.json")),
        ],
    );
    let run = scene.run_fault(None);
    assert!(run.elapsed < secs(10.0));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let arrivals = scene.server.arrivals(VICTIM);
    assert_eq!(arrivals.len(), 3);
    let waited = arrivals[2] - arrivals[1];
    assert!(
        waited >= secs(2.0),
        "retried after {waited:?}, asked for 2 s"
    );
    // The retry was conditional and the page unchanged: 304, nothing parsed.
    assert_eq!(
        scene.victim_fetches(),
        vec![(
            "not_modified".to_string(),
            "304".to_string(),
            "2".to_string(),
            "NULL".to_string(),
            "NULL".to_string()
        )]
    );
    scene.assert_other_stored();
    assert_eq!(scene.victim_export(), scene.before);
}

#[test]
fn a_429_with_an_http_date_retry_after_is_waited_for() {
    let mut scene = Scene::healthy();
    // Four seconds from now, to the second (HTTP dates have no fraction).
    let (now, clock) = (std::time::SystemTime::now(), Instant::now());
    let date = httpdate::fmt_http_date(now + Duration::from_secs(4));
    let not_before = clock
        + httpdate::parse_http_date(&date)
            .unwrap()
            .duration_since(now)
            .unwrap();
    scene.server.routes(
        VICTIM,
        vec![
            Route::status(429, "Too Many Requests").header("retry-after", &date),
            Route::ok(fixture("statuspage/summary-with-groups.from-docs.json")),
        ],
    );
    let run = scene.run_fault(None);
    assert!(run.elapsed < secs(10.0));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let arrivals = scene.server.arrivals(VICTIM);
    assert_eq!(arrivals.len(), 3);
    assert!(
        arrivals[2] >= not_before,
        "retried {:?} before the date {date}",
        not_before - arrivals[2]
    );
    assert_eq!(scene.victim_fetches()[0].2, "2");
    scene.assert_other_stored();
}

#[test]
fn a_retry_after_beyond_the_cap_is_not_retried() {
    let mut scene = Scene::healthy();
    scene.server.route(
        VICTIM,
        Route::status(429, "Too Many Requests").header("retry-after", "3600"),
    );
    let run = scene.run_fault(None);
    scene.assert_failed(
        &run,
        secs(5.0),
        Some(429),
        1,
        "http_status",
        &format!(
            "HTTP 429 from {}; not retried: Retry-After asks for 1h, more than the 10s allowed",
            scene.server.url(VICTIM)
        ),
    );
}

#[test]
fn a_never_ending_slow_body_is_cut_off_by_the_total_timeout() {
    let mut scene = Scene::healthy();
    scene.server.route(
        VICTIM,
        Route::ok(b"{\"components\": [".to_vec()).delivery(Delivery::Trickle {
            chunk: b" ".to_vec(),
            every: Duration::from_millis(50),
        }),
    );
    let run = scene.run_fault(None);
    // Three tries of 1 s each plus short waits.
    scene.assert_failed(
        &run,
        secs(8.0),
        None,
        3,
        "timeout",
        &format!("timed out after 1s fetching {}", scene.server.url(VICTIM)),
    );
    assert!(run.elapsed >= secs(3.0), "each try ran to its timeout");
}

#[test]
fn a_50_mb_body_stops_at_the_cap() {
    let big = vec![b' '; 50 * 1024 * 1024];
    // With a Content-Length it is refused before reading; without one, at the cap.
    for delivery in [Delivery::Whole, Delivery::Chunked(64 * 1024)] {
        let mut scene = Scene::healthy();
        scene
            .server
            .route(VICTIM, Route::ok(big.clone()).delivery(delivery.clone()));
        let run = scene.run_fault(None);
        scene.assert_failed(
            &run,
            secs(10.0),
            None,
            1,
            "body_cap",
            &format!(
                "body of {} exceeds the 8388608-byte limit",
                scene.server.url(VICTIM)
            ),
        );
    }
}

#[test]
fn a_gzip_bomb_stops_at_the_cap_on_the_decompressed_size() {
    let mut scene = Scene::healthy();
    // 64 MiB of spaces inside a JSON string, about 64 KiB compressed.
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(b"{\"components\": \"").unwrap();
    let spaces = vec![b' '; 1024 * 1024];
    for _ in 0..64 {
        encoder.write_all(&spaces).unwrap();
    }
    encoder.write_all(b"\"}").unwrap();
    let bomb = encoder.finish().unwrap();
    assert!(bomb.len() < 1024 * 1024, "compressed {} bytes", bomb.len());
    scene
        .server
        .route(VICTIM, Route::ok(bomb).header("content-encoding", "gzip"));
    let run = scene.run_fault(None);
    scene.assert_failed(
        &run,
        secs(10.0),
        None,
        1,
        "body_cap",
        &format!(
            "body of {} exceeds the 8388608-byte limit",
            scene.server.url(VICTIM)
        ),
    );
}

#[test]
fn a_redirect_loop_stops_after_max_redirects() {
    let mut scene = Scene::healthy();
    scene
        .server
        .route(VICTIM, Route::redirect(302, "/victim/api/v2/summary.json"));
    let run = scene.run_fault(None);
    scene.assert_failed(
        &run,
        secs(5.0),
        None,
        1,
        "redirect",
        &format!("redirect from {} refused", scene.server.url(VICTIM)),
    );
    assert!(
        run.stderr.contains("more than 5 redirects"),
        "{}",
        run.stderr
    );
    // The healthy run's request, then the fault run's request and the 5 redirects followed.
    assert_eq!(scene.server.hits(VICTIM), 1 + 1 + 5);
}

#[test]
fn a_redirect_to_ftp_is_refused() {
    let mut scene = Scene::healthy();
    scene.server.route(
        VICTIM,
        Route::redirect(301, "ftp://files.example.com/summary.json"),
    );
    let run = scene.run_fault(None);
    scene.assert_failed(
        &run,
        secs(5.0),
        None,
        1,
        "redirect",
        &format!("redirect from {} refused", scene.server.url(VICTIM)),
    );
    assert!(
        run.stderr.contains("redirect to a ftp: URL"),
        "{}",
        run.stderr
    );
}

/// A page served with status 200 that is not the status page the kind reads.
fn assert_bad_page(route: Route, cause: &str, reason: &str) {
    let mut scene = Scene::healthy();
    scene.server.route(VICTIM, route);
    let run = scene.run_fault(None);
    let url = scene.server.url(VICTIM);
    scene.assert_failed(
        &run,
        secs(5.0),
        Some(200),
        1,
        cause,
        &format!("{url}: not a statuspage page: {reason}"),
    );
    // The bad body is kept for a look, referenced from the fetch log.
    assert_eq!(
        sql_count(
            &scene.db,
            "SELECT count(*) FROM fetches f JOIN raw_pages p ON p.hash = f.raw_page_hash
             WHERE f.source_id = 'victim' AND f.outcome = 'failed'"
        ),
        1
    );
}

#[test]
fn html_where_json_is_expected() {
    assert_bad_page(
        Route::ok("<!DOCTYPE html>\n<html><head><title>Example Status</title></head><body>All good</body></html>")
            .content_type("text/html; charset=utf-8"),
        "wrong_format",
        "an HTML page where JSON is expected (served as \"text/html; charset=utf-8\"), \
         titled \"example status\"",
    );
}

#[test]
fn a_login_page_instead_of_the_status_page() {
    assert_bad_page(
        Route::ok(
            "<html><head><title>Sign In</title></head><body><form method=\"post\">\
             <input type=\"email\" name=\"user\"><input type=\"password\" name=\"pass\">\
             </form></body></html>",
        )
        .content_type("text/html"),
        "login_page",
        "a login page instead of the status page (served as \"text/html\"), titled \"sign in\"",
    );
}

#[test]
fn a_captcha_challenge_instead_of_the_status_page() {
    assert_bad_page(
        Route::ok(
            "<!DOCTYPE html><html lang=\"en-US\"><head><title>Just a moment...</title>\
             </head><body><script src=\"/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1\">\
             </script></body></html>",
        )
        .content_type("text/html; charset=UTF-8"),
        "login_page",
        "a bot challenge (captcha) page instead of the status page \
         (served as \"text/html; charset=UTF-8\"), titled \"just a moment...\"",
    );
}

#[test]
fn truncated_json() {
    let body = fixture("statuspage/summary-with-groups.from-docs.json");
    // Cut inside the document: the JSON parser reaches the end of input early.
    let cut = body[..2000].to_vec();
    let lines = cut.iter().filter(|b| **b == b'\n').count() + 1;
    let column = cut.len() - cut.iter().rposition(|b| *b == b'\n').unwrap() - 1;
    assert_bad_page(
        Route::ok(cut),
        "truncated",
        &format!("the JSON ends early (a truncated body) (at line {lines} column {column})"),
    );
}

#[test]
fn invalid_utf8() {
    assert_bad_page(
        Route::ok(b"{\"page\": {\"name\": \"Caf\xE9\"}}".to_vec()),
        "not_utf8",
        "the body is not valid UTF-8 (at byte 22)",
    );
}

#[test]
fn an_empty_200() {
    assert_bad_page(
        Route::ok(Vec::new()),
        "empty",
        "the body is empty (served as \"application/json\")",
    );
}

#[test]
fn a_404_is_not_retried() {
    let mut scene = Scene::healthy();
    scene.server.route(VICTIM, Route::status(404, "Not Found"));
    let run = scene.run_fault(None);
    scene.assert_failed(
        &run,
        secs(5.0),
        Some(404),
        1,
        "http_status",
        &format!("HTTP 404 from {}", scene.server.url(VICTIM)),
    );
    assert_eq!(scene.server.hits(VICTIM), 2);
}

#[test]
fn a_403_is_not_retried() {
    let mut scene = Scene::healthy();
    scene.server.route(VICTIM, Route::status(403, "Forbidden"));
    let run = scene.run_fault(None);
    scene.assert_failed(
        &run,
        secs(5.0),
        Some(403),
        1,
        "http_status",
        &format!("HTTP 403 from {}", scene.server.url(VICTIM)),
    );
    assert_eq!(scene.server.hits(VICTIM), 2);
}

/// Components of a source that failed `unknown_after_failures` (3) runs in a row are reported
/// `unknown` in exports and queries, with the last success; a success restores them.
#[test]
fn components_of_a_failing_source_are_reported_unknown_after_three_failures() {
    let mut scene = Scene::healthy();
    let last_success = sql_strings(
        &scene.db,
        "SELECT last_success_at FROM sources WHERE id = 'victim'",
    )[0]
    .clone();
    scene.server.route(VICTIM, Route::status(404, "Not Found"));
    let statuses = |scene: &Scene| -> Vec<Value> {
        scene.victim_export()["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["status"].clone())
            .collect()
    };
    // The fixture's statuses, in export order (API, then the Data Centers group).
    let declared = vec![
        json!("partial_outage"),
        json!("operational"),
        json!("degraded_performance"),
    ];
    for failures in 1..=2 {
        scene.run_fault(None);
        assert_eq!(statuses(&scene), declared, "after {failures} failures");
    }
    scene.run_fault(None);
    let doc = scene.victim_export_whole();
    let api = &doc["components"][0];
    let last_success_export = last_success.replace(".000Z", "Z");
    assert_eq!(
        api,
        &json!({
            "vendor": "victim", "name": "API", "group": null, "status": "unknown",
            "updated_at": "2024-06-19T17:04:25.048Z",
            "stale": {
                "consecutive_failures": 3,
                "last_success_at": last_success_export,
                "declared_status": "partial_outage",
                "last_error": format!("HTTP 404 from {}", scene.server.url(VICTIM)),
            }
        })
    );
    assert_eq!(statuses(&scene), vec![json!("unknown"); 3]);
    // `other` is healthy: its vendor has no components, and nothing of it is stale.
    let out = statusdb()
        .args([
            "query",
            "components",
            "--vendor",
            "victim",
            "--format",
            "json",
            "--config",
        ])
        .arg(&scene.config)
        .output()
        .unwrap();
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    for row in rows.as_array().unwrap() {
        assert_eq!(row["status"], "unknown");
        assert_eq!(row["last_success_at"], json!(last_success));
    }
    // The export still validates against its schema.
    let schema: Value = serde_json::from_slice(
        &std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/export-v1.schema.json"))
            .unwrap(),
    )
    .unwrap();
    let errors: Vec<String> = jsonschema::validator_for(&schema)
        .unwrap()
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");

    // Back: one success restores the vendor's word.
    scene.server.route(
        VICTIM,
        Route::ok(fixture("statuspage/summary-with-groups.from-docs.json")),
    );
    let run = scene.run_fault(None);
    assert_eq!(run.code, Some(0));
    assert_eq!(statuses(&scene), declared);
    assert!(
        scene.victim_export()["components"][0]
            .get("stale")
            .is_none()
    );
}
