//! Operating statusdb: quiet logs, the JSON run report, change events, `sources`, the metrics
//! file and `generate`, through the real binary against pages served on 127.0.0.1.

use serde_json::{Value, json};
use statusdb_testkit::*;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const SUMMARY: &str = "/gh/api/v2/summary.json";
const INCIDENTS: &str = "/gh/api/v2/incidents.json";

fn github_summary() -> Value {
    serde_json::from_slice(&fixture("statuspage/github-summary-2022-11-25.json")).unwrap()
}

/// A config with one source reading GitHub's summary document from the loopback server.
fn summary_only(server: &TestServer, dir: &Path) -> PathBuf {
    server.serve(
        SUMMARY,
        fixture("statuspage/github-summary-2022-11-25.json"),
    );
    one_source(dir, "github", "github", "statuspage", server.url(SUMMARY))
}

#[test]
fn a_clean_run_is_silent_and_v_adds_one_summary_line() {
    let server = TestServer::start();
    let quiet_dir = TempDir::new().unwrap();
    let config = summary_only(&server, quiet_dir.path());
    let out = ingest_output(&config, &[]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stderr),
        "",
        "a clean run prints nothing on stderr"
    );
    assert_eq!(text(&out.stdout), "", "and nothing on stdout");

    // -v on a fresh database: the payload has 1 incident with 7 updates and 11 components.
    let dir = TempDir::new().unwrap();
    let config = summary_only(&server, dir.path());
    let out = ingest_output(&config, &["-v"]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = text(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one summary line: {stderr}");
    assert!(lines[0].contains(" INFO ingest finished run_id=1 sources=1 fetched=1 not_modified=0 failed=0 incidents_new=1 incidents_changed=0 updates_new=7 updates_changed=0 components_changed=11 events=0 elapsed_ms="),
        "{stderr}");
    assert!(
        !stderr.contains('\u{1b}'),
        "no colour codes when stderr is not a terminal"
    );

    // The same page again, as JSON log lines: the server answers 304.
    let out = ingest_output(&config, &["-v", "--log-format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = text(&out.stderr);
    let lines: Vec<Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    let line = &lines[0];
    assert_eq!(line["level"], "INFO");
    assert_eq!(line["message"], "ingest finished");
    assert_eq!(
        [
            &line["run_id"],
            &line["sources"],
            &line["fetched"],
            &line["not_modified"],
            &line["failed"],
            &line["incidents_new"],
            &line["updates_new"]
        ],
        [
            &json!(2),
            &json!(1),
            &json!(0),
            &json!(1),
            &json!(0),
            &json!(0),
            &json!(0)
        ]
    );
    assert_eq!(server.not_modified(SUMMARY), 1);

    // RUST_LOG is honoured without -v; -q keeps only errors.
    let out = statusdb()
        .env("RUST_LOG", "statusdb=info")
        .arg("ingest")
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    assert!(text(&out.stderr).contains("ingest finished run_id=3 "));
    let out = statusdb()
        .env("RUST_LOG", "statusdb=info")
        .args(["-q", "ingest", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(text(&out.stderr), "");
}

#[test]
fn failures_reach_stderr_even_with_q() {
    let server = TestServer::start();
    let dir = TempDir::new().unwrap();
    let config = one_source(
        dir.path(),
        "broken",
        "broken",
        "statuspage",
        server.url("/nowhere/"),
    );
    let out = ingest_output(&config, &["-q"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    let expected = format!(
        " ERROR HTTP 404 from {} source=broken cause=http_status",
        server.url("/nowhere/api/v2/summary.json")
    );
    assert!(lines[0].ends_with(&expected), "{stderr}");
}

#[test]
fn ingest_json_reports_each_source_in_its_documented_shape() {
    let server = TestServer::start();
    server.serve(
        SUMMARY,
        fixture("statuspage/github-summary-2022-11-25.json"),
    );
    let dir = TempDir::new().unwrap();
    let config = write_config(
        dir.path(),
        &[
            SourceSpec::new("broken", "broken", "statuspage", server.url("/nowhere/")),
            SourceSpec::new("github", "github", "statuspage", server.url(SUMMARY)),
        ],
    );
    let out = ingest_output(&config, &[]);
    assert_eq!(out.status.code(), Some(1));
    let out = statusdb()
        .args(["ingest", "--json", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "one line of JSON: {stdout}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let validator = schema_validator("ingest-report-v1.schema.json");
    let errors = schema_errors(&validator, &report);
    assert!(errors.is_empty(), "{errors:#?}");

    assert_eq!(report["report_version"], 1);
    assert_eq!(report["run_id"], 2);
    assert_eq!(
        report["totals"],
        json!({"sources": 2, "fetched": 0, "not_modified": 1, "failed": 1,
               "incidents_new": 0, "incidents_changed": 0, "updates_new": 0,
               "updates_changed": 0, "components_changed": 0, "events": 0})
    );
    let broken = &report["sources"][0];
    let failed_url = server.url("/nowhere/api/v2/summary.json");
    assert_eq!(broken["source"], "broken");
    assert_eq!(broken["outcome"], "failed");
    assert_eq!(broken["http_status"], 404);
    assert_eq!(broken["error"], format!("HTTP 404 from {failed_url}"));
    assert_eq!(broken["cause"], "http_status");
    assert_eq!(broken["documents"].as_array().unwrap().len(), 1);
    assert_eq!(broken["documents"][0]["url"], failed_url);
    assert_eq!(broken["documents"][0]["outcome"], "failed");
    assert_eq!(broken["documents"][0]["cause"], "http_status");
    let github = &report["sources"][1];
    assert_eq!(
        (
            &github["source"],
            &github["vendor"],
            &github["kind"],
            &github["outcome"]
        ),
        (
            &json!("github"),
            &json!("github"),
            &json!("statuspage"),
            &json!("not_modified")
        )
    );
    assert_eq!(github["http_status"], 304);
    assert_eq!(github["error"], Value::Null);
    assert_eq!(github["cause"], Value::Null);
    assert_eq!(github["documents"][0]["outcome"], "not_modified");
    assert_eq!(github["documents"][0]["cause"], Value::Null);
    let elapsed = report["elapsed_ms"].as_i64().unwrap();
    let started =
        chrono::DateTime::parse_from_rfc3339(report["started_at"].as_str().unwrap()).unwrap();
    let finished =
        chrono::DateTime::parse_from_rfc3339(report["finished_at"].as_str().unwrap()).unwrap();
    assert_eq!((finished - started).num_milliseconds(), elapsed);

    // On a fresh database the good source is fetched: 1 incident, 7 updates, 11 components.
    let fresh = TempDir::new().unwrap();
    let config = summary_only(&server, fresh.path());
    let out = statusdb()
        .args(["ingest", "--json", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(validator.is_valid(&report));
    assert_eq!(report["sources"][0]["outcome"], "fetched");
    assert_eq!(report["sources"][0]["http_status"], 200);
    assert_eq!(
        report["sources"][0]["counts"],
        json!({"incidents_new": 1, "incidents_changed": 0, "updates_new": 7,
               "updates_changed": 0, "components_changed": 11, "events": 0})
    );
    // The schema constrains: an unknown outcome, or a failure without its error, is refused.
    let mut wrong = report.clone();
    wrong["sources"][0]["outcome"] = json!("ok");
    assert!(!validator.is_valid(&wrong));
    let mut wrong = report.clone();
    wrong["sources"][0]["outcome"] = json!("failed");
    assert!(!validator.is_valid(&wrong));
    // A cause is one of the words, and only on a failure.
    let mut wrong = report.clone();
    wrong["sources"][0]["cause"] = json!("dns");
    assert!(!validator.is_valid(&wrong));
    let mut wrong = report.clone();
    wrong["sources"][0]["documents"][0]["cause"] = json!("vendor_down");
    assert!(!validator.is_valid(&wrong));
}

/// GitHub's page as two documents: the summary and an incidents list.
fn serve_pages(server: &TestServer, summary: &Value, incidents: &[Value], pretty: bool) {
    let incidents_doc = json!({"page": summary["page"], "incidents": incidents});
    let bytes = |v: &Value| {
        if pretty {
            serde_json::to_vec_pretty(v).unwrap()
        } else {
            serde_json::to_vec(v).unwrap()
        }
    };
    server.serve(SUMMARY, bytes(summary));
    server.serve(INCIDENTS, bytes(&incidents_doc));
}

fn events(config: &Path, args: &[&str]) -> Vec<Value> {
    let out = statusdb()
        .arg("events")
        .args(args)
        .arg("--config")
        .arg(config)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn ingest_report(config: &Path) -> Value {
    let out = statusdb()
        .args(["ingest", "--json", "--config"])
        .arg(config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "");
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn events_announce_real_changes_once_and_never_the_first_ingest() {
    let server = TestServer::start();
    let dir = TempDir::new().unwrap();
    let config = one_source(
        dir.path(),
        "github",
        "github",
        "statuspage",
        server.url("/gh/"),
    );
    let summary = github_summary();
    serve_pages(&server, &summary, &[summary["incidents"][0].clone()], false);

    // First ingest: history recorded (1 incident, 11 components), nothing announced.
    let first = ingest_report(&config);
    assert_eq!(first["totals"]["incidents_new"], 1);
    assert_eq!(first["totals"]["events"], 0);
    assert_eq!(events(&config, &[]), Vec::<Value>::new());
    // Unchanged: 304, nothing announced.
    let second = ingest_report(&config);
    assert_eq!(second["totals"]["not_modified"], 1);
    assert_eq!(events(&config, &["--since-run", "1"]), Vec::<Value>::new());

    // The vendor resolves the incident and Packages recovers; a resolved incident and a
    // maintenance appear that were not on the page before.
    let mut changed = summary.clone();
    {
        let incident = &mut changed["incidents"][0];
        incident["status"] = json!("resolved");
        incident["resolved_at"] = json!("2022-11-25T16:20:00.000Z");
        incident["updated_at"] = json!("2022-11-25T16:20:00.000Z");
        incident["incident_updates"].as_array_mut().unwrap().insert(
            0,
            json!({"id": "zz9resolved1", "status": "resolved",
                   "body": "This incident has been resolved.", "incident_id": "ljwdk6qml8z8",
                   "created_at": "2022-11-25T16:20:00.000Z",
                   "updated_at": "2022-11-25T16:20:00.000Z",
                   "display_at": "2022-11-25T16:20:00.000Z",
                   "affected_components": [{"code": "st3j38cctv9l", "name": "Packages",
                       "old_status": "partial_outage", "new_status": "operational"}],
                   "deliver_notifications": true, "custom_tweet": null, "tweet_id": null}),
        );
    }
    for c in changed["components"].as_array_mut().unwrap() {
        if c["id"] == "st3j38cctv9l" {
            c["status"] = json!("operational");
            c["updated_at"] = json!("2022-11-25T16:20:01.000Z");
        }
    }
    let docs: Value =
        serde_json::from_slice(&fixture("statuspage/summary-with-groups.from-docs.json")).unwrap();
    let maintenance = docs["scheduled_maintenances"][0].clone();
    changed["scheduled_maintenances"] = json!([maintenance]);
    let old_resolved: Value =
        serde_json::from_slice(&fixture("statuspage/github-incident-t2xwk9mz56f4.json")).unwrap();
    let old_resolved = old_resolved["incident"].clone();
    serve_pages(
        &server,
        &changed,
        &[changed["incidents"][0].clone(), old_resolved.clone()],
        false,
    );
    let third = ingest_report(&config);
    assert_eq!(third["run_id"], 3);
    assert_eq!(third["totals"]["events"], 5);

    let got = events(&config, &[]);
    let validator = schema_validator("event-v1.schema.json");
    for e in &got {
        let errors = schema_errors(&validator, e);
        assert!(errors.is_empty(), "{errors:#?} in {e}");
    }
    let mut summary_of: Vec<(String, String, Value, Value)> = got
        .iter()
        .map(|e| {
            let subject = if e["incident"].is_null() {
                e["component"]["name"].as_str().unwrap().to_string()
            } else {
                e["incident"]["id"].as_str().unwrap().to_string()
            };
            (
                e["type"].as_str().unwrap().to_string(),
                subject,
                e["previous_status"].clone(),
                e["status"].clone(),
            )
        })
        .collect();
    summary_of.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let s = |t: &str| t.to_string();
    assert_eq!(
        summary_of,
        vec![
            (
                s("component_status_changed"),
                s("Packages"),
                json!("partial_outage"),
                json!("operational")
            ),
            (
                s("incident_opened"),
                s("github/t2xwk9mz56f4"),
                Value::Null,
                json!("resolved")
            ),
            (
                s("incident_resolved"),
                s("github/ljwdk6qml8z8"),
                json!("investigating"),
                json!("resolved")
            ),
            (
                s("incident_resolved"),
                s("github/t2xwk9mz56f4"),
                Value::Null,
                json!("resolved")
            ),
            (
                s("maintenance_scheduled"),
                s("github/w1zdr745wmfy"),
                Value::Null,
                json!("scheduled")
            ),
        ]
    );
    for e in &got {
        assert_eq!(
            (&e["run_id"], &e["source"], &e["vendor"]),
            (&json!(3), &json!("github"), &json!("github"))
        );
    }
    let find = |kind: &str, id: &str| {
        got.iter()
            .find(|e| {
                e["type"] == kind && (e["incident"]["id"] == id || e["component"]["name"] == id)
            })
            .unwrap()
    };
    let resolved = find("incident_resolved", "github/ljwdk6qml8z8");
    assert_eq!(resolved["new_update_ids"], json!(["github/zz9resolved1"]));
    let record = &resolved["incident"];
    assert_eq!(record["status"], "resolved");
    assert_eq!(record["started_at"], "2022-11-25T14:39:09.542Z");
    assert_eq!(record["resolved_at"], "2022-11-25T16:20:00Z");
    assert_eq!(record["updates"].as_array().unwrap().len(), 8);
    assert_eq!(record["updates"][7]["id"], "github/zz9resolved1");
    assert_eq!(record["updates"][7]["status"], "resolved");

    let opened = find("incident_opened", "github/t2xwk9mz56f4");
    let mut expected_updates: Vec<String> = old_resolved["incident_updates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| format!("github/{}", u["id"].as_str().unwrap()))
        .collect();
    expected_updates.sort();
    let mut new_updates: Vec<String> = opened["new_update_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap().to_string())
        .collect();
    new_updates.sort();
    assert_eq!(new_updates.len(), 29);
    assert_eq!(new_updates, expected_updates);
    assert_eq!(
        opened["incident"]["resolved_at"],
        "2023-02-18T05:02:16.705Z"
    );

    let scheduled = find("maintenance_scheduled", "github/w1zdr745wmfy");
    assert_eq!(scheduled["incident"]["kind"], "maintenance");
    assert_eq!(scheduled["incident"]["title"], "Planned Database Upgrade");
    assert_eq!(
        scheduled["incident"]["scheduled_for"],
        "2024-06-22T08:00:00Z"
    );
    assert_eq!(
        scheduled["new_update_ids"],
        json!([format!(
            "github/{}",
            maintenance["incident_updates"][0]["id"].as_str().unwrap()
        )])
    );

    let packages = find("component_status_changed", "Packages");
    assert_eq!(
        packages["component"],
        json!({"vendor": "github", "name": "Packages", "group": null,
               "status": "operational", "updated_at": "2022-11-25T16:20:01Z"})
    );
    assert_eq!(packages["new_update_ids"], json!([]));

    // The same content again, re-serialized (new bytes, so parsed again): nothing new.
    serve_pages(
        &server,
        &changed,
        &[changed["incidents"][0].clone(), old_resolved],
        true,
    );
    let fourth = ingest_report(&config);
    assert_eq!(fourth["sources"][0]["outcome"], "fetched");
    assert_eq!(fourth["totals"]["events"], 0);
    assert_eq!(events(&config, &[]), Vec::<Value>::new());
    // Earlier runs' events stay listable, by run and by time.
    assert_eq!(events(&config, &["--since-run", "3"]), got);
    assert_eq!(events(&config, &["--since-run", "4"]), Vec::<Value>::new());
    let recorded_at = got[0]["recorded_at"].as_str().unwrap();
    assert_eq!(events(&config, &["--since", recorded_at]), got);
    assert_eq!(
        events(&config, &["--since-run", "1", "--vendor", "emma"]),
        Vec::<Value>::new()
    );

    // The maintenance begins: one update more, `incident_updated` from scheduled to in_progress.
    let mut begun = changed.clone();
    {
        let m = &mut begun["scheduled_maintenances"][0];
        m["status"] = json!("in_progress");
        m["incident_updates"].as_array_mut().unwrap().insert(
            0,
            json!({"id": "zz9begun0001", "status": "in_progress",
                   "body": "The scheduled maintenance is in progress.",
                   "incident_id": "w1zdr745wmfy",
                   "created_at": "2024-06-22T08:00:05.000Z",
                   "updated_at": "2024-06-22T08:00:05.000Z",
                   "display_at": "2024-06-22T08:00:05.000Z",
                   "affected_components": []}),
        );
    }
    serve_pages(&server, &begun, &[changed["incidents"][0].clone()], false);
    let fifth = ingest_report(&config);
    assert_eq!(fifth["totals"]["events"], 1);
    let got = events(&config, &[]);
    assert_eq!(got.len(), 1);
    let e = &got[0];
    assert_eq!(e["type"], "incident_updated");
    assert_eq!(e["run_id"], 5);
    assert_eq!(e["incident"]["id"], "github/w1zdr745wmfy");
    assert_eq!(e["incident"]["kind"], "maintenance");
    assert_eq!(
        (&e["previous_status"], &e["status"]),
        (&json!("scheduled"), &json!("in_progress"))
    );
    assert_eq!(e["new_update_ids"], json!(["github/zz9begun0001"]));
    // Work began with the in_progress update.
    assert_eq!(e["incident"]["started_at"], "2024-06-22T08:00:05Z");

    // The table for people: a header and one row per event.
    let out = statusdb()
        .args([
            "events",
            "--since-run",
            "1",
            "--format",
            "table",
            "--config",
        ])
        .arg(&config)
        .output()
        .unwrap();
    let table = text(&out.stdout);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 7, "{table}");
    assert!(lines[0].contains("TYPE"));
    assert!(table.contains("partial_outage -> operational"), "{table}");
    assert!(table.contains("investigating -> resolved"), "{table}");
}

#[test]
fn sources_shows_every_source_with_its_health() {
    let server = TestServer::start();
    server.serve(
        SUMMARY,
        fixture("statuspage/github-summary-2022-11-25.json"),
    );
    let dir = TempDir::new().unwrap();
    let config = write_config(
        dir.path(),
        &[
            SourceSpec::new("broken", "broken", "statuspage", server.url("/nowhere/")),
            SourceSpec::new("github", "github", "statuspage", server.url(SUMMARY)),
        ],
    );
    let sources = |format: &str| {
        statusdb()
            .args(["sources", "--format", format, "--config"])
            .arg(&config)
            .output()
            .unwrap()
    };
    // Before any ingest there is no database: both sources listed, never fetched.
    let out = sources("json");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let before: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(before[0]["id"], "broken");
    assert_eq!(before[1]["last_success_at"], Value::Null);
    assert_eq!(before[1]["next_due_at"], Value::Null);
    assert!(!dir.path().join("statusdb.sqlite").exists());

    assert_eq!(ingest_output(&config, &[]).status.code(), Some(1));
    let out = sources("json");
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    let broken = &list[0];
    assert_eq!(broken["id"], "broken");
    assert_eq!(broken["kind"], "statuspage");
    assert_eq!(broken["configured"], true);
    assert_eq!(broken["last_success_at"], Value::Null);
    assert_eq!(broken["consecutive_failures"], 1);
    assert_eq!(
        broken["last_error"],
        format!(
            "HTTP 404 from {}",
            server.url("/nowhere/api/v2/summary.json")
        )
    );
    let time = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    // One failure doubles the 1-minute interval; a success waits one interval.
    assert_eq!(
        (time(&broken["next_due_at"]) - time(&broken["last_attempt_at"])).num_seconds(),
        120
    );
    assert_eq!(broken["last_cause"], "http_status");
    let github = &list[1];
    assert_eq!(github["consecutive_failures"], 0);
    assert_eq!(github["last_error"], Value::Null);
    assert_eq!(github["last_cause"], Value::Null);
    assert_eq!(github["last_success_at"], github["last_attempt_at"]);
    assert_eq!(
        (time(&github["next_due_at"]) - time(&github["last_success_at"])).num_seconds(),
        60
    );

    let out = sources("table");
    let table = text(&out.stdout);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    for header in [
        "SOURCE",
        "KIND",
        "LAST_SUCCESS",
        "FAILURES",
        "NEXT_DUE",
        "CAUSE",
        "LAST_ERROR",
    ] {
        assert!(lines[0].contains(header), "{table}");
    }
    let broken_row: Vec<&str> = lines[1].split_whitespace().collect();
    assert_eq!(&broken_row[..4], &["broken", "statuspage", "never", "1"]);
    assert_eq!(broken_row[5], "http_status", "{table}");
    assert!(lines[1].contains("HTTP 404 from"), "{table}");
    let github_row: Vec<&str> = lines[2].split_whitespace().collect();
    assert_eq!(
        &github_row[..4],
        &[
            "github",
            "statuspage",
            github["last_success_at"].as_str().unwrap(),
            "0"
        ]
    );

    // A source removed from the config is still shown, marked.
    let config = one_source(
        dir.path(),
        "github",
        "github",
        "statuspage",
        server.url(SUMMARY),
    );
    let out = statusdb()
        .args(["sources", "--format", "json", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<(&str, bool)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap(),
                s["configured"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(ids, vec![("github", true), ("broken", false)]);
}

/// Samples of a Prometheus text file: `name{labels}` → value.
fn samples(text: &str) -> std::collections::BTreeMap<String, String> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (k, v) = l.rsplit_once(' ').unwrap();
            (k.to_string(), v.to_string())
        })
        .collect()
}

#[test]
fn metrics_file_is_prometheus_text_written_atomically() {
    let server = TestServer::start();
    server.serve(
        SUMMARY,
        fixture("statuspage/github-summary-2022-11-25.json"),
    );
    let dir = TempDir::new().unwrap();
    let config = write_config(
        dir.path(),
        &[
            SourceSpec::new("broken", "broken", "statuspage", server.url("/nowhere/")),
            SourceSpec::new("github", "github", "statuspage", server.url(SUMMARY)),
        ],
    );
    let metrics_dir = dir.path().join("textfile");
    std::fs::create_dir(&metrics_dir).unwrap();
    let metrics = metrics_dir.join("statusdb.prom");
    let run = || {
        statusdb()
            .args(["ingest", "--metrics-file"])
            .arg(&metrics)
            .arg("--config")
            .arg(&config)
            .output()
            .unwrap()
    };
    assert_eq!(run().status.code(), Some(1));
    let text_now = std::fs::read_to_string(&metrics).unwrap();
    let m = samples(&text_now);
    let github = r#"{source="github",vendor="github",kind="statuspage"}"#;
    let broken = r#"{source="broken",vendor="broken",kind="statuspage"}"#;
    assert_eq!(m[&format!("statusdb_source_up{github}")], "1");
    assert_eq!(m[&format!("statusdb_source_up{broken}")], "0");
    assert_eq!(
        m[&format!("statusdb_source_consecutive_failures{broken}")],
        "1"
    );
    assert!(!m.contains_key(&format!(
        "statusdb_source_last_success_timestamp_seconds{broken}"
    )));
    // Why it fails, for alerts that tell "vendor down" from "vendor changed its page"; a
    // source that does not fail has no such sample.
    let failing: Vec<(&String, &String)> = m
        .iter()
        .filter(|(k, _)| k.starts_with("statusdb_source_failing{"))
        .collect();
    assert_eq!(
        failing,
        [(
            &r#"statusdb_source_failing{source="broken",vendor="broken",kind="statuspage",stage="fetch",cause="http_status"}"#.to_string(),
            &"1".to_string()
        )]
    );
    assert_eq!(m["statusdb_run_sources{outcome=\"fetched\"}"], "1");
    assert_eq!(m["statusdb_run_sources{outcome=\"failed\"}"], "1");
    assert_eq!(m["statusdb_run_sources{outcome=\"not_modified\"}"], "0");
    assert_eq!(m["statusdb_run_incidents_new"], "1");
    assert_eq!(m["statusdb_run_updates_new"], "7");
    assert_eq!(m["statusdb_run_components_changed"], "11");
    // Every sample has its HELP and TYPE.
    for name in m.keys().map(|k| k.split('{').next().unwrap()) {
        assert!(
            text_now.contains(&format!("# TYPE {name} gauge\n")),
            "{name}"
        );
        assert!(text_now.contains(&format!("# HELP {name} ")), "{name}");
    }

    // The last success time is the one the database holds, in Unix seconds.
    let out = statusdb()
        .args(["sources", "--format", "json", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    let success =
        chrono::DateTime::parse_from_rfc3339(list[1]["last_success_at"].as_str().unwrap()).unwrap();
    assert_eq!(
        m[&format!("statusdb_source_last_success_timestamp_seconds{github}")],
        format!("{:.3}", success.timestamp_millis() as f64 / 1000.0)
    );

    // Replaced on the next run (304 now, a second failure), with nothing left beside it, and
    // readable by the collector's user.
    assert_eq!(run().status.code(), Some(1));
    let m = samples(&std::fs::read_to_string(&metrics).unwrap());
    assert_eq!(m["statusdb_run_sources{outcome=\"not_modified\"}"], "1");
    assert_eq!(
        m[&format!("statusdb_source_consecutive_failures{broken}")],
        "2"
    );
    let left: Vec<String> = std::fs::read_dir(&metrics_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, vec!["statusdb.prom"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&metrics).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o644);
    }
}

#[test]
fn generate_prints_completions_and_the_man_page() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef statusdb"),
        ("fish", "complete -c statusdb"),
        ("man", ".TH statusdb 1"),
    ] {
        let out = statusdb().args(["generate", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}: {}", text(&out.stderr));
        let body = text(&out.stdout);
        assert!(body.contains(marker), "{shell} output lacks {marker:?}");
        // The new subcommands are in every one of them.
        for sub in ["ingest", "events", "sources"] {
            assert!(body.contains(sub), "{shell} output lacks {sub}");
        }
    }
    let dir = TempDir::new().unwrap();
    statusdb()
        .args(["generate", "man", "--dir"])
        .arg(dir.path())
        .assert()
        .success();
    for page in [
        "statusdb.1",
        "statusdb-ingest.1",
        "statusdb-events.1",
        "statusdb-sources.1",
    ] {
        assert!(dir.path().join(page).is_file(), "{page}");
    }
}

#[test]
fn progress_is_drawn_only_on_a_terminal() {
    // `script` (util-linux) gives the command a pseudo-terminal as stdout and stderr.
    let server = TestServer::start();
    let dir = TempDir::new().unwrap();
    let config = summary_only(&server, dir.path());
    let bin = env!("CARGO_BIN_EXE_statusdb");
    let on_terminal = |args: &str| {
        let out = std::process::Command::new("script")
            .args([
                "-qec",
                &format!("{bin} {args} --config {}", config.display()),
                "/dev/null",
            ])
            .env_remove("RUST_LOG")
            .output()
            .expect("script(1) from util-linux");
        assert!(out.status.success(), "{}", text(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let screen = on_terminal("ingest");
    assert!(screen.contains("ingest ["), "{screen:?}");
    assert!(screen.contains("/1 sources"), "{screen:?}");
    // Cleared at the end: the last thing written erases the line.
    assert!(screen.ends_with("\r\u{1b}[2K"), "{screen:?}");
    assert!(!on_terminal("-q ingest").contains("ingest ["));
    // Not a terminal: nothing (the quiet tests above see an empty stderr).
    let out = ingest_output(&config, &[]);
    assert_eq!(text(&out.stderr), "");
}
