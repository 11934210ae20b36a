//! The spine end to end: real Statuspage payloads served over HTTP on 127.0.0.1, ingested by the
//! `statusdb` binary into a real SQLite file, and exported.

use serde_json::{Value, json};
use statusdb_testkit::*;
use tempfile::TempDir;

/// GitHub's page as three documents under `/github/`, the way a Statuspage host serves it.
fn serve_github(server: &TestServer) {
    server.serve(
        "/github/api/v2/summary.json",
        fixture("statuspage/github-summary-2022-11-25.json"),
    );
    server.serve(
        "/github/api/v2/incidents.json",
        fixture("statuspage/github-incidents-all.json"),
    );
    // scheduled-maintenances.json is left unrouted: 404, an optional document.
}

#[test]
fn github_summary_active_incident_has_its_seven_updates_in_utc() {
    let server = TestServer::start();
    serve_github(&server);
    let dir = TempDir::new().unwrap();
    let config = one_source(
        dir.path(),
        "github",
        "github",
        "statuspage",
        server.url("/github/"),
    );
    ingest_sources(&config, &[]);

    let doc = export_json(&config);
    let active = export_incident(&doc, "github/ljwdk6qml8z8");
    assert_eq!(active["title"], "Incident with Packages and Pages");
    assert_eq!(active["status"], "investigating");
    assert_eq!(active["impact"], "major");
    assert_eq!(active["started_at"], "2022-11-25T14:39:09.542Z");
    assert_eq!(active["started_at_source"], "structured");
    assert_eq!(active["resolved_at"], Value::Null);
    assert_eq!(active["duration_seconds"], Value::Null);
    assert_eq!(
        active["url"],
        "https://www.githubstatus.com/incidents/ljwdk6qml8z8"
    );
    let updates: Vec<(String, String)> = active["updates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["status"].as_str().unwrap().to_string(),
                u["posted_at"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        "2022-11-25T14:39:09.577Z",
        "2022-11-25T14:39:29.123Z",
        "2022-11-25T15:06:53.071Z",
        "2022-11-25T15:11:41.808Z",
        "2022-11-25T15:40:46.461Z",
        "2022-11-25T15:45:13.950Z",
        "2022-11-25T15:50:04.967Z",
    ];
    assert_eq!(
        updates,
        expected
            .iter()
            .map(|t| ("investigating".to_string(), t.to_string()))
            .collect::<Vec<_>>()
    );
    // Per-update component statuses, from `affected_components[].new_status`.
    assert_eq!(
        active["updates"][1]["components"],
        json!([
            {"name": "Pages", "status": "operational"},
            {"name": "Packages", "status": "partial_outage"}
        ])
    );
    assert_eq!(active["components"], json!(["Packages", "Pages"]));
    assert_eq!(active["sources"], json!(["github"]));

    let packages = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Packages")
        .unwrap();
    assert_eq!(
        packages,
        &json!({"vendor": "github", "name": "Packages", "group": null,
                "status": "partial_outage", "updated_at": "2022-11-25T15:50:05.888Z"})
    );
    assert_eq!(doc["components"].as_array().unwrap().len(), 11);

    // The missing scheduled-maintenances.json is recorded as absent, not as a failure.
    let db = dir.path().join("statusdb.sqlite");
    assert_eq!(
        sql_strings(
            &db,
            "SELECT outcome || ' ' || http_status FROM fetches WHERE url LIKE '%scheduled-maintenances.json'"
        ),
        vec!["absent 404"]
    );
}

#[test]
fn emma_offsets_are_converted_exactly() {
    let server = TestServer::start();
    server.serve(
        "/emma/api/v2/incidents.json",
        fixture("statuspage/emma-incidents-2019.json"),
    );
    let dir = TempDir::new().unwrap();
    let config = one_source(
        dir.path(),
        "emma",
        "emma",
        "statuspage",
        server.url("/emma/api/v2/incidents.json"),
    );
    ingest_sources(&config, &[]);
    let doc = export_json(&config);
    assert_eq!(doc["incidents"].as_array().unwrap().len(), 22);
    let first = export_incident(&doc, "emma/x0ljvc9m1wxj");
    let times = pairs(&first["updates"], "status", "posted_at");
    // 12:00:19.483-06:00 is 18:00:19.483Z, and so on.
    assert_eq!(
        times,
        vec![
            ("investigating", "2019-02-20T18:00:19.483Z"),
            ("identified", "2019-02-20T18:32:43.413Z"),
            ("monitoring", "2019-02-20T19:11:24.478Z"),
            ("resolved", "2019-02-20T19:40:58.572Z"),
        ]
    );
    assert_eq!(first["created_at"], "2019-02-20T18:00:19.418Z");
    // No structured start: the first update's time, derived.
    assert_eq!(first["started_at"], "2019-02-20T18:00:19.483Z");
    assert_eq!(first["started_at_source"], "derived");
    assert_eq!(first["resolved_at"], "2019-02-20T19:40:58.572Z");
    assert_eq!(first["resolved_at_source"], "structured");
    assert_eq!(first["duration_seconds"], 6039);
    assert_eq!(first["impact"], "none");
}

#[test]
fn component_groups_name_their_members() {
    let dir = TempDir::new().unwrap();
    let path = fixtures_dir().join("statuspage/summary-with-groups.from-docs.json");
    let config = one_source(
        dir.path(),
        "docs",
        "example",
        "statuspage",
        format!("file://{}", path.display()),
    );
    ingest_sources(&config, &[]);
    let doc = export_json(&config);
    assert_eq!(
        doc["components"],
        json!([
            {"vendor": "example", "name": "API", "group": null, "status": "partial_outage",
             "updated_at": "2024-06-19T17:04:25.048Z"},
            {"vendor": "example", "name": "EU West", "group": "Data Centers", "status": "operational",
             "updated_at": "2024-06-18T10:00:00Z"},
            {"vendor": "example", "name": "US East", "group": "Data Centers",
             "status": "degraded_performance", "updated_at": "2024-06-19T17:04:25.048Z"}
        ])
    );
    let maintenance = export_incident(&doc, "example/w1zdr745wmfy");
    assert_eq!(maintenance["kind"], "maintenance");
    assert_eq!(maintenance["status"], "scheduled");
    assert_eq!(maintenance["impact"], Value::Null);
    assert_eq!(maintenance["scheduled_for"], "2024-06-22T08:00:00Z");
    assert_eq!(maintenance["scheduled_until"], "2024-06-22T10:00:00Z");
    // Announced, not started.
    assert_eq!(maintenance["started_at"], Value::Null);
}

#[test]
fn second_ingest_changes_nothing_and_304_parses_nothing() {
    let server = TestServer::start();
    serve_github(&server);
    let dir = TempDir::new().unwrap();
    let config = one_source(
        dir.path(),
        "github",
        "github",
        "statuspage",
        server.url("/github/"),
    );
    let db = dir.path().join("statusdb.sqlite");
    let counts = || {
        [
            "SELECT count(*) FROM incidents",
            "SELECT count(*) FROM incident_updates",
            "SELECT count(*) FROM components",
            "SELECT count(*) FROM raw_pages",
            "SELECT count(*) FROM revisions",
        ]
        .map(|q| sql_count(&db, q))
    };
    ingest_sources(&config, &[]);
    let first_counts = counts();
    assert_eq!(first_counts, [772, 1680, 11, 2, 0]);
    let first = without_run_times(export_json(&config));

    ingest_sources(&config, &[]);
    assert_eq!(counts(), first_counts);
    assert_eq!(without_run_times(export_json(&config)), first);
    // The server saw conditional requests and answered 304: nothing was parsed.
    assert_eq!(server.not_modified("/github/api/v2/summary.json"), 1);
    assert_eq!(server.not_modified("/github/api/v2/incidents.json"), 1);
    assert_eq!(
        sql_strings(
            &db,
            "SELECT outcome FROM fetches WHERE url NOT LIKE '%scheduled%' ORDER BY id"
        ),
        vec!["parsed", "parsed", "not_modified", "not_modified"]
    );

    // The same bodies without validators: fetched, hashed, found unchanged, not parsed.
    server.route(
        "/github/api/v2/summary.json",
        Route::ok(fixture("statuspage/github-summary-2022-11-25.json")).without_etag(),
    );
    ingest_sources(&config, &[]);
    assert_eq!(counts(), first_counts);
    assert_eq!(
        sql_strings(
            &db,
            "SELECT outcome FROM fetches WHERE url LIKE '%summary.json' ORDER BY id"
        ),
        vec!["parsed", "not_modified", "unchanged"]
    );
    assert_eq!(without_run_times(export_json(&config)), first);
}

#[test]
fn a_failing_source_does_not_stop_the_good_one() {
    let server = TestServer::start();
    serve_github(&server);
    let dir = TempDir::new().unwrap();
    let config = write_config(
        dir.path(),
        &[
            SourceSpec::new("broken", "broken", "statuspage", server.url("/nowhere/")),
            SourceSpec::new("github", "github", "statuspage", server.url("/github/")),
        ],
    );
    let out = statusdb()
        .arg("ingest")
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    let stderr = fails_saying(&out, 1, &["broken"]);
    assert!(stderr.contains("HTTP 404"), "stderr says why: {stderr}");

    let db = dir.path().join("statusdb.sqlite");
    assert_eq!(
        sql_count(
            &db,
            "SELECT count(*) FROM incidents WHERE vendor = 'github'"
        ),
        772
    );
    assert_eq!(
        sql_count(
            &db,
            "SELECT count(*) FROM incidents WHERE vendor = 'broken'"
        ),
        0
    );
    let expected_error = format!(
        "broken|failed|404|HTTP 404 from {}",
        server.url("/nowhere/api/v2/summary.json")
    );
    assert_eq!(
        sql_strings(
            &db,
            "SELECT source_id || '|' || outcome || '|' || http_status || '|' || error FROM fetches WHERE outcome = 'failed'"
        ),
        vec![expected_error]
    );
    assert_eq!(
        sql_strings(
            &db,
            "SELECT id || ' ' || consecutive_failures || ' ' || (last_error IS NOT NULL) FROM sources ORDER BY id"
        ),
        vec!["broken 1 1", "github 0 0"]
    );

    // `query fetches` shows the failure to a person too.
    let out = statusdb()
        .args([
            "query", "fetches", "--source", "broken", "--format", "json", "--config",
        ])
        .arg(&config)
        .output()
        .unwrap();
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["source"], "broken");
    assert_eq!(rows[0]["outcome"], "failed");
    assert_eq!(rows[0]["http_status"], 404);
    assert_eq!(rows[0]["cause"], "http_status");
    // The table names the cause in its own column.
    let out = statusdb()
        .args(["query", "fetches", "--source", "broken", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    let header: Vec<&str> = table.lines().next().unwrap().split_whitespace().collect();
    let row: Vec<&str> = table.lines().nth(1).unwrap().split_whitespace().collect();
    let at = header.iter().position(|h| *h == "CAUSE").expect(&table);
    assert_eq!(row[at], "http_status", "{table}");
}

#[test]
fn all_github_incidents_are_stored_once_with_every_update() {
    let body = fixture("statuspage/github-incidents-all.json");
    let source: Value = serde_json::from_slice(&body).unwrap();
    let server = TestServer::start();
    server.serve("/gh/api/v2/incidents.json", body.clone());
    let dir = TempDir::new().unwrap();
    let config = github_source(dir.path(), server.url("/gh/api/v2/incidents.json"));
    ingest_sources(&config, &[]);
    let doc = export_json(&config);
    let exported = doc["incidents"].as_array().unwrap();
    assert_eq!(exported.len(), 771);
    let by_id: std::collections::HashMap<&str, &Value> = exported
        .iter()
        .map(|i| (i["id"].as_str().unwrap(), i))
        .collect();
    assert_eq!(by_id.len(), 771, "every incident exactly once");
    let mut updates = 0;
    for incident in source["incidents"].as_array().unwrap() {
        let id = format!("github/{}", incident["id"].as_str().unwrap());
        let record = by_id[id.as_str()];
        let mut expected: Vec<(String, chrono::DateTime<chrono::Utc>)> =
            incident["incident_updates"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| {
                    (
                        format!("github/{}", u["id"].as_str().unwrap()),
                        chrono::DateTime::parse_from_rfc3339(u["display_at"].as_str().unwrap())
                            .unwrap()
                            .to_utc(),
                    )
                })
                .collect();
        expected.sort_by_key(|(_, t)| *t);
        let mut got: Vec<(String, chrono::DateTime<chrono::Utc>)> = record["updates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| {
                (
                    u["id"].as_str().unwrap().to_string(),
                    chrono::DateTime::parse_from_rfc3339(u["posted_at"].as_str().unwrap())
                        .unwrap()
                        .to_utc(),
                )
            })
            .collect();
        // Oldest first in the export; same-instant updates compared as sets.
        assert!(
            got.windows(2).all(|w| w[0].1 <= w[1].1),
            "{id} updates out of order"
        );
        got.sort();
        expected.sort();
        assert_eq!(got, expected, "{id}: posted_at reproduces display_at");
        updates += got.len();
    }
    assert_eq!(updates, 1673);
}

#[test]
fn export_validates_against_its_json_schema() {
    let server = TestServer::start();
    serve_github(&server);
    let dir = TempDir::new().unwrap();
    let docs = fixtures_dir().join("statuspage/summary-with-groups.from-docs.json");
    // The seed page too: stated times, raw texts and statuses the text supports.
    let seed = fixtures_dir().join("aggregator/okta-o365-oin-2024-10.txt");
    let config = write_config(
        dir.path(),
        &[
            SourceSpec::new("github", "github", "statuspage", server.url("/github/")),
            SourceSpec::new(
                "docs",
                "example",
                "statuspage",
                format!("file://{}", docs.display()),
            ),
            SourceSpec::new(
                "seed",
                "okta",
                "aggregator",
                format!("file://{}", seed.display()),
            ),
        ],
    );
    ingest_sources(&config, &[]);
    let doc = export_json(&config);
    let schema: Value = serde_json::from_slice(
        &std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/export-v1.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .take(5)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "export violates its schema: {errors:#?}");
    assert_eq!(doc["schema_version"], 1);
    // NDJSON holds the same incidents, one per line.
    let out = statusdb()
        .args(["export", "--format", "ndjson", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(&lines, doc["incidents"].as_array().unwrap());
    // The schema really constrains: a wrong status is refused.
    let mut broken = doc.clone();
    broken["incidents"][0]["status"] = json!("fine");
    assert!(!validator.is_valid(&broken));
    let seed = doc["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["vendor"] == "okta")
        .unwrap();
    assert_eq!(seed["started_at_raw"], "October 3, 2024, at 6:38 PM PDT");
    assert_eq!(seed["updates"][0]["status_source"], "stated");
    let mut broken = doc.clone();
    broken["incidents"][0]["updates"][0]["status_source"] = json!("guessed");
    assert!(!validator.is_valid(&broken));
}

/// The export writes each incident straight from its stored rows (`src/export/encode.rs`);
/// events serialize the loaded record (`ExportIncident`). Both must be the same bytes, for
/// every incident the offline replay stores from every kind's real payloads.
#[test]
fn export_writes_every_replayed_incident_as_its_record_serializes() {
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("replay.sqlite");
    statusdb()
        .arg("ingest")
        .arg("--config")
        .arg(fixtures_dir().join("replay.toml"))
        .arg("--db")
        .arg(&db)
        .assert()
        .success();
    let out = statusdb()
        .args(["export", "--format", "ndjson", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len() as i64,
        sql_count(&db, "SELECT count(*) FROM incidents")
    );
    let store = statusdb::store::Store::open_existing(&db).unwrap();
    for line in &lines {
        let id: Value = serde_json::from_str::<Value>(line).unwrap()["id"].clone();
        let record = store.load_incident(id.as_str().unwrap()).unwrap().unwrap();
        let serialized =
            serde_json::to_string(&statusdb::export::ExportIncident::from_record(&record)).unwrap();
        assert_eq!(*line, serialized, "incident {id}");
    }
    // What the comparison covered: the replay has each of these, so it is not vacuous.
    let having = |part: &str| lines.iter().filter(|l| l.contains(part)).count();
    assert!(having(r#""status_source":"stated""#) >= 1);
    assert!(having(r#""anomalies":[{"code""#) >= 100);
    assert!(having(r#""components":[{"name""#) >= 800);
    assert!(having(r#""started_at_source":"stated""#) >= 150);
    assert!(having(r#""duration_seconds":null"#) >= 1);
    let internal = sql_count(
        &db,
        "SELECT count(*) FROM incident_aliases WHERE alias LIKE 'fp-%' OR alias LIKE 'url:%'",
    );
    assert!(internal >= 1000, "{internal} internal aliases");
}

#[test]
fn export_filters_and_writes_files_atomically() {
    let dir = TempDir::new().unwrap();
    let fx = fixtures_dir().join("statuspage");
    let config = write_config(
        dir.path(),
        &[
            SourceSpec::new(
                "emma",
                "emma",
                "statuspage",
                format!("file://{}/emma-incidents-2019.json", fx.display()),
            ),
            SourceSpec::new(
                "gh",
                "github",
                "statuspage",
                format!("file://{}/github-summary-2022-11-25.json", fx.display()),
            ),
        ],
    );
    ingest_sources(&config, &[]);
    let out = dir.path().join("out.json");
    statusdb()
        .args(["export", "--vendor", "github", "--active", "--output"])
        .arg(&out)
        .arg("--config")
        .arg(&config)
        .assert()
        .success()
        .stdout("");
    let doc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let ids = field(&doc["incidents"], "id");
    assert_eq!(ids, vec!["github/ljwdk6qml8z8"]);
    assert!(
        doc["components"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["vendor"] == "github")
    );

    // Window: Emma incidents overlapping 2019-02-15 .. 2019-02-19 (only the one of Feb 18).
    let out = statusdb()
        .args([
            "export",
            "--format",
            "ndjson",
            "--vendor",
            "emma",
            "--since",
            "2019-02-15",
            "--until",
            "2019-02-19",
            "--config",
        ])
        .arg(&config)
        .output()
        .unwrap();
    let rows: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec!["emma/x9wt6q4wbbvn"]);
    assert_eq!(rows[0]["started_at"], "2019-02-18T13:28:41.403Z");
}

#[test]
fn check_config_locates_a_typo() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(
        &path,
        "[database]\npath = \"x.sqlite\"\n\n[[sources]]\nid = \"github\"\nvendor = \"github\"\nkind = \"statuspage\"\nurll = \"https://www.githubstatus.com/\"\n",
    )
    .unwrap();
    let out = statusdb()
        .arg("check-config")
        .arg("--config")
        .arg(&path)
        .output()
        .unwrap();
    let stderr = fails_saying(&out, 2, &[&format!("{}:8:1:", path.display())]);
    assert!(
        stderr.contains("unknown field `urll`"),
        "names the key: {stderr}"
    );
    // The shipped configs are valid.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for shipped in ["config.toml", "fixtures/replay.toml"] {
        statusdb()
            .arg("check-config")
            .arg("--config")
            .arg(root.join(shipped))
            .assert()
            .success();
    }
}

#[test]
fn a_second_ingest_while_one_holds_the_lock_exits_75() {
    let dir = TempDir::new().unwrap();
    let config = write_config(dir.path(), &[]);
    let db = dir.path().join("statusdb.sqlite");
    let _held = statusdb::lock::RunLock::acquire(&db).unwrap();
    let start = std::time::Instant::now();
    let out = statusdb()
        .arg("ingest")
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(75));
    assert!(String::from_utf8_lossy(&out.stderr).contains("another statusdb run holds the lock"));
    assert!(
        start.elapsed() < std::time::Duration::from_secs(5),
        "does not wait"
    );
    assert!(!db.exists(), "the database was not touched");
}
