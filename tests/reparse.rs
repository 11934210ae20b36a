//! `statusdb reparse`: a database built by 20 ingest runs over loopback HTTP (six sources of
//! several kinds, payloads that change from run to run, 304s, a follow-up page, an `auto`
//! source, a failed fetch and a page that fails to parse) is rebuilt from its stored pages into
//! the same export.

use serde_json::Value;
use statusdb_testkit::*;
use std::path::Path;
use tempfile::TempDir;

fn reparse(config: &Path) -> Value {
    stdout_json(
        statusdb()
            .args(["reparse", "--json", "--config"])
            .arg(config),
    )
}

/// Everything the export says but `generated_at`.
fn export(config: &Path) -> Value {
    let mut doc = export_json(config);
    doc["generated_at"] = Value::Null;
    doc
}

/// When each source first and last showed each incident and component.
const SIGHTINGS: &str =
    "SELECT incident_id || ' ' || source_id || ' ' || first_seen_at || ' ' || last_seen_at
     FROM incident_sources
     UNION ALL SELECT id || ' ' || source_id || ' ' || first_seen_at || ' ' || last_seen_at
     FROM components ORDER BY 1";

#[test]
fn reparse_after_twenty_ingests_gives_the_same_export() {
    let server = TestServer::start();
    let cachet = TestServer::start();
    let host = cachet.url("");
    let page = |file: &str| {
        String::from_utf8(fixture(file))
            .unwrap()
            .replace("http://cachet.invalid", &host)
    };
    cachet.serve(
        "/api/v1/components?per_page=100",
        fixture("cachet/demo-api-v1-components.json"),
    );
    cachet.serve(
        "/api/v1/incidents?per_page=100",
        page("cachet/incidents-page-1.from-docs.json"),
    );
    cachet.serve(
        "/api/v1/incidents?per_page=1&page=2",
        page("cachet/incidents-page-2.from-docs.json"),
    );
    cachet.serve(
        "/api/v1/schedules?per_page=100",
        fixture("cachet/demo-api-v1-schedules.json"),
    );
    let days = history_series();
    server.serve("/gh/history.atom", days[0].clone());
    server.serve(
        "/gh/api/v2/incidents.json",
        fixture("statuspage/github-incident-8xxms3q3qzgp.json"),
    );
    server.route(
        "/okta/feed",
        Route::fixture("okta/okta-trust-feed.from-docs.atom"),
    );
    server.route(
        "/pingoru/o365",
        Route::fixture("aggregator/okta-o365-oin-2024-10.txt"),
    );
    server.serve(
        "/any/summary.json",
        fixture("statuspage/github-summary-2022-11-25.json"),
    );

    let dir = TempDir::new().unwrap();
    let mut cachet_source = SourceSpec::new("cachet", "cachet", "cachet", cachet.url("/"));
    cachet_source.zone = Some("Europe/Amsterdam");
    let mut seed = SourceSpec::new("pingoru", "okta", "aggregator", server.url("/pingoru/o365"));
    seed.zone = Some("America/Los_Angeles");
    let config = write_config(
        dir.path(),
        &[
            SourceSpec::new(
                "gh-feed",
                "github",
                "statuspage-feed",
                server.url("/gh/history.atom"),
            ),
            SourceSpec::new(
                "gh-api",
                "github",
                "statuspage",
                server.url("/gh/api/v2/incidents.json"),
            ),
            SourceSpec::new("okta-feed", "okta", "okta", server.url("/okta/feed")),
            seed,
            cachet_source,
            SourceSpec::new("any", "github", "auto", server.url("/any/summary.json")),
        ],
    );
    let db = dir.path().join("statusdb.sqlite");

    let mut failed_runs = 0;
    for run in 0..20 {
        // The feed moves on a day each run for the 14 days of the series, then stays (304s).
        if run < days.len() {
            server.serve("/gh/history.atom", days[run].clone());
        }
        match run {
            // The API of all incidents, from then on (it shares 16 incidents with the feed).
            5 => server.serve(
                "/gh/api/v2/incidents.json",
                fixture("statuspage/github-incidents-all.json"),
            ),
            // The aggregator page rendered as HTML: a new body of the same incident.
            8 => server.route(
                "/pingoru/o365",
                Route::ok(fixture(
                    "aggregator/okta-o365-oin-2024-10.rendered-from-text.html",
                ))
                .content_type("text/html"),
            ),
            // Okta's feed fails (500), then serves HTML that is no feed: two failed runs of it.
            10 => server.route("/okta/feed", Route::status(500, "upstream down")),
            11 => server.route(
                "/okta/feed",
                Route::ok("<html><body>maintenance</body></html>").content_type("text/html"),
            ),
            12 => server.route(
                "/okta/feed",
                Route::fixture("okta/okta-trust-feed.from-docs.atom"),
            ),
            // The summary changes: the same page without its active incident's last update.
            15 => {
                let mut summary: Value =
                    serde_json::from_slice(&fixture("statuspage/github-summary-2022-11-25.json"))
                        .unwrap();
                summary["incidents"][0]["incident_updates"]
                    .as_array_mut()
                    .unwrap()
                    .remove(0);
                server.serve("/any/summary.json", serde_json::to_vec(&summary).unwrap());
            }
            16 => server.serve(
                "/any/summary.json",
                fixture("statuspage/github-summary-2022-11-25.json"),
            ),
            _ => {}
        }
        let out = ingest_output(&config, &[]);
        match out.status.code() {
            Some(0) => {}
            Some(1) => failed_runs += 1,
            other => panic!(
                "run {run}: exit {other:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }
    assert_eq!(failed_runs, 2, "runs 10 and 11 failed one source each");
    // The log holds what the test meant to build.
    let outcomes = |outcome: &str| {
        sql_count(
            &db,
            &format!("SELECT count(*) FROM fetches WHERE outcome = '{outcome}'"),
        )
    };
    assert!(
        outcomes("not_modified") >= 60,
        "{}",
        outcomes("not_modified")
    );
    assert_eq!(outcomes("failed"), 2);
    assert_eq!(
        sql_count(
            &db,
            "SELECT count(*) FROM fetches WHERE url LIKE '%page=2' AND outcome = 'parsed'"
        ),
        1,
        "the follow-up page, parsed once"
    );
    assert_eq!(
        sql_strings(
            &db,
            "SELECT DISTINCT kind FROM fetches WHERE source_id = 'any'"
        ),
        vec!["statuspage"],
        "the auto source's resolved kind is stored with its fetches"
    );

    let before = export(&config);
    let events = sql_strings(
        &db,
        "SELECT id || ' ' || type || ' ' || coalesce(incident_id, component_id) FROM events ORDER BY id",
    );
    assert!(!events.is_empty());
    let fetches = sql_count(&db, "SELECT count(*) FROM fetches");
    let revisions = sql_strings(
        &db,
        "SELECT entity_id || ' ' || field || ' ' || coalesce(old_value, '') || ' ' || changed_at
         FROM revisions ORDER BY entity_id, field, changed_at",
    );
    let history = sql_strings(
        &db,
        "SELECT component_id || ' ' || status || ' ' || changed_at || ' ' || origin
         FROM component_status_changes ORDER BY component_id, changed_at, origin, status",
    );
    let anomalies = sql_strings(
        &db,
        "SELECT incident_id || ' ' || code || ' ' || first_seen_at FROM anomalies ORDER BY 1",
    );

    let sightings = sql_strings(&db, SIGHTINGS);
    let report = reparse(&config);
    assert_eq!(report["parse_failures"], serde_json::json!([]));
    // 20 runs of 6 sources, of which 2 failed.
    assert_eq!(report["source_runs"], 118);
    assert_eq!(report["failed_source_runs"], 2);

    let after = export(&config);
    assert_eq!(
        before["incidents"].as_array().unwrap().len(),
        after["incidents"].as_array().unwrap().len()
    );
    for (b, a) in before["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .zip(after["incidents"].as_array().unwrap())
    {
        assert_eq!(b, a, "incident {}", b["id"]);
    }
    assert_eq!(before, after);
    // History is not re-announced; the log, revisions, component history and anomalies'
    // first sightings are what the ingests wrote.
    assert_eq!(
        sql_strings(
            &db,
            "SELECT id || ' ' || type || ' ' || coalesce(incident_id, component_id) FROM events ORDER BY id"
        ),
        events
    );
    assert_eq!(sql_count(&db, "SELECT count(*) FROM fetches"), fetches);
    assert_eq!(
        sql_strings(
            &db,
            "SELECT entity_id || ' ' || field || ' ' || coalesce(old_value, '') || ' ' || changed_at
             FROM revisions ORDER BY entity_id, field, changed_at",
        ),
        revisions
    );
    assert_eq!(
        sql_strings(
            &db,
            "SELECT component_id || ' ' || status || ' ' || changed_at || ' ' || origin
             FROM component_status_changes ORDER BY component_id, changed_at, origin, status",
        ),
        history
    );
    assert_eq!(
        sql_strings(
            &db,
            "SELECT incident_id || ' ' || code || ' ' || first_seen_at FROM anomalies ORDER BY 1",
        ),
        anomalies
    );
    // What each source last showed, which the next 304 of the source confirms.
    assert_eq!(sql_strings(&db, SIGHTINGS), sightings);

    // A record damaged by hand is rebuilt; a second reparse changes nothing.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "UPDATE incidents SET title = 'damaged', started_at = NULL WHERE id = 'github/8xxms3q3qzgp'",
        [],
    )
    .unwrap();
    conn.execute("DELETE FROM anomalies", []).unwrap();
    drop(conn);
    reparse(&config);
    assert_eq!(export(&config), before);
}

#[test]
fn reparse_works_from_the_database_alone() {
    // Without a config (only --db): the sources' vendor, kind and zone recorded at ingest.
    let dir = TempDir::new().unwrap();
    let seed = fixtures_dir().join("aggregator/okta-o365-oin-2024-10.txt");
    let mut source = SourceSpec::new(
        "pingoru",
        "okta",
        "aggregator",
        format!("file://{}", seed.display()),
    );
    source.zone = Some("America/Los_Angeles");
    let config = write_config(dir.path(), &[source]);
    assert!(ingest_output(&config, &[]).status.success());
    let before = export(&config);
    let db = dir.path().join("statusdb.sqlite");
    let elsewhere = TempDir::new().unwrap();
    let out = succeeds(
        statusdb()
            .current_dir(elsewhere.path())
            .args(["reparse", "--db"])
            .arg(&db),
    );
    assert_eq!(out.stdout, b"");
    assert_eq!(export(&config), before);
    assert_eq!(
        sql_strings(&db, "SELECT zone FROM sources"),
        vec!["America/Los_Angeles"]
    );
}

#[test]
fn reparse_waits_for_no_ingest_and_refuses_a_missing_database() {
    let dir = TempDir::new().unwrap();
    let config = write_config(dir.path(), &[]);
    let db = dir.path().join("statusdb.sqlite");
    // No database yet: nothing to rebuild (usage error), and none is created.
    let out = statusdb()
        .args(["reparse", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no such database"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!db.exists());
    // An ingest holds the lock: exit 75 at once.
    assert!(ingest_output(&config, &[]).status.success());
    let _held = statusdb::lock::RunLock::acquire(&db).unwrap();
    let out = statusdb()
        .args(["reparse", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(75));
}
