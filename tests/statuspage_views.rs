//! Several views of one Statuspage page, ingested as sources of one vendor over loopback HTTP:
//! the JSON API, `history.atom`, and the HTML incident and history pages must hold each
//! incident once and each update once, whatever order they come in. Also the 14 daily
//! `history.atom` fetches of GitHub across New Year, replayed as 14 ingest runs.
//!
//! Expected counts and times were read from the payloads: the feed entries' `<small>` stamps
//! and `<strong>` labels, the JSON's `incident_updates[].display_at`.

use serde_json::{Value, json};
use statusdb_testkit::*;
use tempfile::TempDir;

/// What an export says about incidents, without the fields that depend on which source saw a
/// thing first (update ids, first/last seen times).
fn content(doc: &Value) -> Vec<Value> {
    doc["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let updates: Vec<Value> = i["updates"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| json!([u["status"], u["posted_at"], u["body"], u["components"]]))
                .collect();
            json!({
                "id": i["id"], "title": i["title"], "kind": i["kind"], "url": i["url"],
                "impact": i["impact"], "status": i["status"], "created_at": i["created_at"],
                "started_at": i["started_at"], "started_at_source": i["started_at_source"],
                "resolved_at": i["resolved_at"], "resolved_at_source": i["resolved_at_source"],
                "components": i["components"], "aliases": i["aliases"], "sources": i["sources"],
                "updates": updates,
            })
        })
        .collect()
}

#[test]
fn feed_and_api_of_one_page_hold_one_incident_each_with_the_union_in_either_order() {
    let server = TestServer::start();
    server.serve(
        "/github/history.atom",
        fixture("statuspage/github-history-2022-06-11.atom"),
    );
    server.serve(
        "/github/api/v2/incidents.json",
        fixture("statuspage/github-incidents-all.json"),
    );
    let sources = [
        SourceSpec::new(
            "github-feed",
            "github",
            "statuspage-feed",
            server.url("/github/history.atom"),
        ),
        SourceSpec::new(
            "github-api",
            "github",
            "statuspage",
            server.url("/github/api/v2/incidents.json"),
        ),
    ];
    let feed_first = TempDir::new().unwrap();
    let api_first = TempDir::new().unwrap();
    let config_a = write_config(feed_first.path(), &sources);
    let config_b = write_config(api_first.path(), &sources);
    ingest_sources(&config_a, &["github-feed"]);
    ingest_sources(&config_a, &["github-api"]);
    ingest_sources(&config_b, &["github-api"]);
    ingest_sources(&config_b, &["github-feed"]);

    for dir in [&feed_first, &api_first] {
        let db = dir.path().join("statusdb.sqlite");
        // 771 incidents in the API, 25 in the feed, 13 of them in both.
        assert_eq!(sql_count(&db, "SELECT count(*) FROM incidents"), 783);
        // 1673 updates in the API; the 13 shared incidents' 53 feed updates are among them;
        // the 12 feed-only incidents add 39.
        assert_eq!(
            sql_count(&db, "SELECT count(*) FROM incident_updates"),
            1712
        );
        // Seeing the same update through a second view is not an edit.
        assert_eq!(sql_count(&db, "SELECT count(*) FROM revisions"), 0);
        assert_eq!(
            sql_count(
                &db,
                "SELECT count(*) FROM incident_sources WHERE source_id = 'github-feed'"
            ),
            25
        );
        // Each update of a shared incident carries the API's id and millisecond time, paired
        // with the feed's update of the same minute by its text (four "Update"s at 07:54).
        assert_eq!(
            sql_strings(
                &db,
                "SELECT native_id || ' ' || posted_at || ' ' || coalesce(status, '-')
                 FROM incident_updates WHERE incident_id = 'github/zhtplv7zd052'
                 ORDER BY posted_at"
            ),
            vec![
                "5wzftxs9cjdh 2022-05-27T07:36:43.185Z investigating",
                "39sry5lbgsxv 2022-05-27T07:43:07.207Z investigating",
                "ymft11398ckc 2022-05-27T07:51:41.791Z investigating",
                "153gr9csjrnf 2022-05-27T07:54:02.536Z investigating",
                "411sp52dbfmw 2022-05-27T07:54:06.105Z investigating",
                "v04ctjpqby05 2022-05-27T07:54:07.063Z investigating",
                "9992r8xwdz01 2022-05-27T07:54:46.487Z investigating",
                "28jc4m519rbs 2022-05-27T07:56:03.411Z investigating",
                "dt2xmkl315hq 2022-05-27T07:56:33.782Z investigating",
                "r8cqxw09yzqy 2022-05-27T07:59:57.395Z investigating",
                "l6hwt99gxkg1 2022-05-27T08:57:55.848Z resolved",
            ]
        );
        assert_eq!(
            sql_strings(
                &db,
                "SELECT substr(body, 1, 14) FROM incident_updates
                 WHERE incident_id = 'github/zhtplv7zd052' AND posted_at LIKE '2022-05-27T07:54%'
                 ORDER BY posted_at"
            ),
            vec![
                "GitHub Pages i",
                "Git Operations",
                "Pull Requests ",
                "GitHub Actions"
            ]
        );
    }

    let a = export_json(&config_a);
    let b = export_json(&config_b);
    assert_eq!(
        content(&a),
        content(&b),
        "the order of the views changes nothing"
    );

    let actions = export_incident(&a, "github/8xxms3q3qzgp");
    assert_eq!(
        actions["aliases"],
        json!([
            "8xxms3q3qzgp",
            "tag:www.githubstatus.com,2005:Incident/10122187"
        ])
    );
    assert_eq!(actions["sources"], json!(["github-api", "github-feed"]));
    assert_eq!(actions["impact"], "major");
    assert_eq!(actions["started_at"], "2022-06-01T09:40:25.281Z");
    assert_eq!(actions["resolved_at"], "2022-06-01T10:28:31.847Z");
    let updates: Vec<(Value, Value)> = actions["updates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["status"].clone(), u["posted_at"].clone()))
        .collect();
    assert_eq!(
        updates,
        vec![
            (json!("investigating"), json!("2022-06-01T09:40:25.336Z")),
            (json!("investigating"), json!("2022-06-01T10:17:39.847Z")),
            (json!("resolved"), json!("2022-06-01T10:28:31.847Z")),
        ]
    );

    // An incident the API capture lacks stands on the feed's minutes.
    let feed_only = export_incident(&a, "github/yyj2cdqdjbhk");
    assert_eq!(feed_only["sources"], json!(["github-feed"]));
    assert_eq!(feed_only["started_at"], "2022-05-27T04:26:00Z");
    assert_eq!(feed_only["started_at_source"], "derived");
    assert_eq!(feed_only["resolved_at"], "2022-05-27T04:47:00Z");
    assert_eq!(feed_only["status"], "resolved");
}

#[test]
fn fourteen_daily_feeds_across_new_year_then_the_api_hold_everything_once() {
    let server = TestServer::start();
    let dir = TempDir::new().unwrap();
    let config = write_config(
        dir.path(),
        &[
            SourceSpec::new(
                "github-feed",
                "github",
                "statuspage-feed",
                server.url("/github/history.atom"),
            ),
            SourceSpec::new(
                "github-api",
                "github",
                "statuspage",
                server.url("/github/api/v2/incidents.json"),
            ),
        ],
    );
    let db = dir.path().join("statusdb.sqlite");
    let days = history_series();
    assert_eq!(days.len(), 14);
    for (day, page) in days.into_iter().enumerate() {
        server.serve("/github/history.atom", page);
        ingest_sources(&config, &["github-feed"]);
        // Jan 12 (day 12) shows n6wxc7xwrk1z with one update; Jan 13 adds two.
        if day == 11 {
            assert_eq!(
                sql_count(
                    &db,
                    "SELECT count(*) FROM incident_updates WHERE incident_id = 'github/n6wxc7xwrk1z'"
                ),
                1
            );
        }
    }
    assert_eq!(
        sql_count(&db, "SELECT count(*) FROM fetches WHERE outcome = 'parsed'"),
        14,
        "each daily file is a new body"
    );
    // 29 incidents in the 14 files, 95 distinct updates among them.
    assert_eq!(sql_count(&db, "SELECT count(*) FROM incidents"), 29);
    assert_eq!(sql_count(&db, "SELECT count(*) FROM incident_updates"), 95);
    assert_eq!(sql_count(&db, "SELECT count(*) FROM revisions"), 0);
    // The 33 December stamps are of 2022 and the 14 January ones of 2023, whichever day's
    // feed showed them: nothing lands in December 2023.
    assert_eq!(
        sql_count(
            &db,
            "SELECT count(*) FROM incident_updates WHERE posted_at LIKE '2022-12-%'"
        ),
        33
    );
    assert_eq!(
        sql_count(
            &db,
            "SELECT count(*) FROM incident_updates WHERE posted_at LIKE '2023-01-%'"
        ),
        14
    );
    assert_eq!(
        sql_count(
            &db,
            "SELECT count(*) FROM incident_updates WHERE posted_at > '2023-01-14T04:24:13Z'"
        ),
        0
    );
    assert_eq!(
        sql_strings(
            &db,
            "SELECT posted_at || ' ' || status_raw FROM incident_updates
             WHERE incident_id = 'github/1whd66ydswnx' ORDER BY posted_at"
        ),
        vec![
            "2022-12-31T00:07:00.000Z Investigating",
            "2022-12-31T00:39:00.000Z Update",
            "2022-12-31T01:12:00.000Z Update",
            "2022-12-31T01:39:00.000Z Update",
            "2022-12-31T01:47:00.000Z Resolved",
        ]
    );
    let doc = export_json(&config);
    let copilot = export_incident(&doc, "github/n6wxc7xwrk1z");
    assert_eq!(copilot["status"], "resolved");
    assert_eq!(copilot["started_at"], "2023-01-12T03:59:00Z");
    assert_eq!(copilot["resolved_at"], "2023-01-12T04:55:00Z");
    assert_eq!(copilot["duration_seconds"], 3360);
    let new_year = export_incident(&doc, "github/srn4b1fjxp8h");
    assert_eq!(new_year["started_at"], "2023-01-01T16:33:00Z");
    // A maintenance whose updates span October and November.
    let importer = export_incident(&doc, "github/3ktldkb3r6f8");
    assert_eq!(importer["kind"], "maintenance");
    let importer_times = field(&importer["updates"], "posted_at");
    assert_eq!(
        importer_times,
        [
            "2022-10-27T17:00:00Z",
            "2022-11-04T03:00:00Z",
            "2022-11-04T04:01:00Z"
        ]
    );

    // Then the API: 16 of the 29 are in it, with the same 43 updates the feeds showed.
    server.serve(
        "/github/api/v2/incidents.json",
        fixture("statuspage/github-incidents-all.json"),
    );
    ingest_sources(&config, &["github-api"]);
    assert_eq!(sql_count(&db, "SELECT count(*) FROM incidents"), 771 + 13);
    assert_eq!(
        sql_count(&db, "SELECT count(*) FROM incident_updates"),
        1673 + 52
    );
    assert_eq!(sql_count(&db, "SELECT count(*) FROM revisions"), 0);
    assert_eq!(
        sql_count(
            &db,
            "SELECT count(*) FROM incident_updates u JOIN incident_sources s
               ON s.incident_id = u.incident_id AND s.source_id = 'github-feed'
             WHERE u.native_id IS NULL AND u.incident_id IN
               (SELECT incident_id FROM incident_sources WHERE source_id = 'github-api')"
        ),
        0,
        "every feed update of an incident the API has was paired with the API's update"
    );

    // One incident per real incident, both sources listed, the union of the updates: read
    // from the payloads, the 16 incidents the feeds and the API share, each with the API's
    // updates (the feeds' are among them) and no other.
    let api: Value =
        serde_json::from_slice(&fixture("statuspage/github-incidents-all.json")).unwrap();
    let doc = export_json(&config);
    let mut shared = 0;
    for i in doc["incidents"].as_array().unwrap() {
        if i["sources"] != json!(["github-api", "github-feed"]) {
            continue;
        }
        shared += 1;
        let code = i["id"].as_str().unwrap().trim_start_matches("github/");
        let from_api = api["incidents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == code)
            .unwrap();
        let mut expected: Vec<String> = from_api["incident_updates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| db_time_of(u["display_at"].as_str().unwrap()))
            .collect();
        expected.sort();
        let got: Vec<String> = i["updates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| db_time_of(u["posted_at"].as_str().unwrap()))
            .collect();
        assert_eq!(got, expected, "{code}");
    }
    assert_eq!(shared, 16);
    assert_eq!(
        sql_count(
            &db,
            "SELECT count(*) FROM incidents WHERE id IN (SELECT incident_id FROM incident_sources
               GROUP BY incident_id HAVING count(*) = 2)"
        ),
        16
    );
}

/// An RFC 3339 instant as UTC with milliseconds, for comparing the API's offsets with the
/// export's `Z`.
fn db_time_of(text: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(text)
        .unwrap()
        .to_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[test]
fn html_incident_and_history_pages_join_the_api_record() {
    let server = TestServer::start();
    server.serve(
        "/api/v2/incidents/8xxms3q3qzgp.json",
        fixture("statuspage/github-incident-8xxms3q3qzgp.json"),
    );
    server.route(
        "/incidents/8xxms3q3qzgp",
        Route::ok(fixture(
            "statuspage/github-incident-8xxms3q3qzgp.from-docs.html",
        ))
        .content_type("text/html"),
    );
    server.route(
        "/history",
        Route::fixture("statuspage/github-history.from-docs.html"),
    );
    let dir = TempDir::new().unwrap();
    let config = write_config(
        dir.path(),
        &[
            SourceSpec::new(
                "page",
                "github",
                "statuspage-html",
                server.url("/incidents/8xxms3q3qzgp"),
            ),
            SourceSpec::new(
                "history",
                "github",
                "statuspage-html",
                server.url("/history"),
            ),
            SourceSpec::new(
                "api",
                "github",
                "statuspage",
                server.url("/api/v2/incidents/8xxms3q3qzgp.json"),
            ),
        ],
    );
    ingest_sources(&config, &["history"]);
    ingest_sources(&config, &["page"]);
    ingest_sources(&config, &["api"]);
    let db = dir.path().join("statusdb.sqlite");
    assert_eq!(
        sql_count(
            &db,
            "SELECT count(*) FROM incidents WHERE id = 'github/8xxms3q3qzgp'"
        ),
        1
    );
    assert_eq!(sql_count(&db, "SELECT count(*) FROM incident_updates"), 3);
    // The only revision is the link: the history page was served from the loopback host,
    // the incident page and the API name the page's own. The history page's minutes (09:40,
    // 10:28) give way to the API's instants of those minutes without a revision.
    let port = server.addr.port();
    assert_eq!(
        sql_strings(
            &db,
            "SELECT entity_id || ' ' || field || ' ' || old_value || ' -> ' || new_value
             FROM revisions"
        ),
        vec![format!(
            "github/8xxms3q3qzgp url http://127.0.0.1:{port}/incidents/8xxms3q3qzgp -> \
             https://www.githubstatus.com/incidents/8xxms3q3qzgp"
        )]
    );
    let doc = export_json(&config);
    let actions = export_incident(&doc, "github/8xxms3q3qzgp");
    assert_eq!(actions["sources"], json!(["api", "history", "page"]));
    // The history page's minute (09:40) gives way to the API's machine start of that minute.
    assert_eq!(actions["started_at"], "2022-06-01T09:40:25.281Z");
    assert_eq!(actions["started_at_source"], "structured");
    assert_eq!(actions["resolved_at"], "2022-06-01T10:28:31.847Z");
    let updates: Vec<(Value, Value)> = actions["updates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["status"].clone(), u["posted_at"].clone()))
        .collect();
    assert_eq!(
        updates,
        vec![
            (json!("investigating"), json!("2022-06-01T09:40:25.336Z")),
            (json!("investigating"), json!("2022-06-01T10:17:39.847Z")),
            (json!("resolved"), json!("2022-06-01T10:28:31.847Z")),
        ]
    );
    assert_eq!(
        sql_strings(
            &db,
            "SELECT native_id FROM incident_updates ORDER BY posted_at"
        ),
        vec!["qn9jl09h9kqr", "jbsvpzmfjndw", "j6033rxnhrf8"]
    );
}
