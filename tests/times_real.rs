//! Times never silently wrong (issue 19), over real payloads ingested by the binary over
//! loopback HTTP: the 771 GitHub incidents, and two Statuspage shapes derived from captured
//! GitHub incidents (scripts/make-normalize-fixtures.py, fixtures/README.md).
//!
//! Expected values are read from the payloads: `display_at`, `started_at`, `resolved_at`,
//! `created_at`, the windows the updates' text states ("From 16:24-16:43 UTC"), the updates'
//! labels.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use statusdb_testkit::*;
use std::path::Path;
use tempfile::TempDir;

fn ingest(config: &Path) {
    statusdb()
        .arg("ingest")
        .arg("--config")
        .arg(config)
        .assert()
        .success();
}

/// The export of one Statuspage document served over loopback.
fn export_of(fixture_path: &str) -> Value {
    let server = TestServer::start();
    server.serve("/api/v2/incidents.json", fixture(fixture_path));
    let dir = TempDir::new().unwrap();
    let config = github_source(dir.path(), server.url("/api/v2/incidents.json"));
    ingest(&config);
    export_json(&config)
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

/// An instant the way the export writes it (no trailing zero fraction).
fn shown(text: &str) -> String {
    at(text).to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

const CLOSING: [&str; 3] = ["resolved", "postmortem", "completed"];

/// The updates as the export must show them, read from the payload: oldest first, the
/// update's id, its label (a Statuspage word, the status itself), `display_at`, the body, and
/// the components with their new status.
fn updates_from_payload(payload: &Value) -> Value {
    let mut updates: Vec<&Value> = payload["incident"]["incident_updates"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    updates.sort_by_key(|u| at(u["display_at"].as_str().unwrap()));
    Value::Array(
        updates
            .into_iter()
            .map(|u| {
                json!({
                    "id": format!("github/{}", u["id"].as_str().unwrap()),
                    "status": u["status"],
                    "status_label": u["status"],
                    "status_source": "label",
                    "posted_at": shown(u["display_at"].as_str().unwrap()),
                    "body": u["body"],
                    "components": u["affected_components"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|c| json!({"name": c["name"], "status": c["new_status"]}))
                        .collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

/// The one incident of an export, with its run times checked and removed.
fn the_record(doc: &Value) -> Value {
    let incidents = doc["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 1);
    let mut record = incidents[0].clone();
    for field in ["first_seen_at", "last_seen_at"] {
        assert!(record[field].as_str().is_some_and(|t| t.ends_with('Z')));
        record.as_object_mut().unwrap().remove(field);
    }
    record
}

#[test]
fn github_incidents_never_end_before_an_open_update_unless_flagged() {
    let doc = export_of("statuspage/github-incidents-all.json");
    let incidents = doc["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 771);
    let mut ends_set_aside = Vec::new();
    for i in incidents {
        let Some(resolved) = i["resolved_at"].as_str().map(at) else {
            continue;
        };
        // Every update posted after the resolution carries (its label, else the one before
        // it) a closing status.
        let mut carried: Option<&str> = None;
        let open_after: Vec<&str> = i["updates"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|u| {
                carried = u["status"].as_str().or(carried);
                let open = carried.is_some_and(|s| !CLOSING.contains(&s));
                (open && at(u["posted_at"].as_str().unwrap()) > resolved)
                    .then(|| u["posted_at"].as_str().unwrap())
            })
            .collect();
        assert!(
            open_after.is_empty(),
            "{}: resolved_at {resolved} before open updates {open_after:?}",
            i["id"]
        );
        let set_aside = i["anomalies"].as_array().unwrap().iter().any(|a| {
            a["code"] == "stated_time_conflict"
                && a["detail"]
                    .as_str()
                    .unwrap()
                    .contains("the stated end is not the resolution")
        });
        if set_aside {
            ends_set_aside.push(i["id"].as_str().unwrap());
        }
    }
    // The three incidents whose stated window ends before the vendor stopped investigating:
    // "From 17:39-18:12 UTC" with investigating updates from 18:12:28 to 18:35:47, "From
    // 16:24-16:43 UTC" with investigating updates from 16:44:14 to 17:01:30, "From
    // 16:45-20:01 UTC" stated by an investigating update at 20:44:37.
    ends_set_aside.sort();
    assert_eq!(
        ends_set_aside,
        [
            "github/gqx5l06jjxhp",
            "github/smdz34v7j8q0",
            "github/sz8pjjhzcy3t"
        ]
    );
    let expect = |id: &str, start: [&str; 2], end: [&str; 2]| {
        let i = incidents.iter().find(|i| i["id"] == id).unwrap();
        assert_eq!(
            [
                &i["started_at"],
                &i["started_at_source"],
                &i["resolved_at"],
                &i["resolved_at_source"]
            ],
            [
                &json!(start[0]),
                &json!(start[1]),
                &json!(end[0]),
                &json!(end[1])
            ],
            "{id}"
        );
    };
    // The stated starts stand (each window was open when the incident was); the machine
    // resolutions replace the stated ends.
    expect(
        "github/gqx5l06jjxhp",
        ["2023-06-29T17:39:00Z", "stated"],
        ["2023-06-29T18:36:19Z", "structured"],
    );
    expect(
        "github/smdz34v7j8q0",
        ["2023-09-05T16:24:00Z", "stated"],
        ["2023-09-05T17:01:49Z", "structured"],
    );
    expect(
        "github/sz8pjjhzcy3t",
        ["2023-08-11T16:45:00Z", "stated"],
        ["2023-08-11T21:41:56.548Z", "structured"],
    );
}

#[test]
fn a_first_update_that_states_two_windows_spans_both() {
    // 12m34s4gmx6c's single update (labelled resolved, 2016-08-19 00:48:25) with a second
    // window: "Webhook delivery was impacted from 00:05UTC to 00:11UTC and again from
    // 00:18UTC to 00:40UTC".
    let path = "statuspage/github-incident-12m34s4gmx6c.two-windows.json";
    let payload: Value = serde_json::from_slice(&fixture(path)).unwrap();
    let windows = "00:05UTC to 00:11UTC and again from 00:18UTC to 00:40UTC";
    assert_eq!(
        the_record(&export_of(path)),
        json!({
            "id": "github/12m34s4gmx6c",
            "vendor": "github",
            "kind": "incident",
            "title": "Incident on 2016-08-19 00:48:25 UTC",
            "url": "https://www.githubstatus.com/incidents/12m34s4gmx6c",
            "impact": "minor",
            "status": "resolved",
            "created_at": "2016-08-19T00:48:25Z",
            // The first start and the last end; the words of both windows are the evidence.
            "started_at": "2016-08-19T00:05:00Z",
            "resolved_at": "2016-08-19T00:40:00Z",
            "started_at_source": "stated",
            "resolved_at_source": "stated",
            "started_at_raw": windows,
            "resolved_at_raw": windows,
            "structured_started_at": "2016-08-19T00:48:25Z",
            "structured_resolved_at": "2016-08-19T00:48:25Z",
            "scheduled_for": null,
            "scheduled_until": null,
            "duration_seconds": 35 * 60,
            "components": ["API Requests"],
            "updates": updates_from_payload(&payload),
            // 43 minutes from the machine start: within the hour, no conflict.
            "anomalies": [],
            "sources": ["gh"],
            "aliases": ["12m34s4gmx6c"],
        })
    );
}

#[test]
fn a_structured_end_before_the_start_and_a_stated_window_keep_both_anomalies() {
    // smdz34v7j8q0 with `resolved_at` moved to 16:28, before `started_at` 16:30:39.531. Its
    // resolving update (17:01:49) says "From 16:24-16:43 UTC, multiple GitHub services were
    // down"; updates 8 to 17 (16:44:14 to 17:01:30) are still labelled investigating.
    let path = "statuspage/github-incident-smdz34v7j8q0.resolved-before-started.json";
    let payload: Value = serde_json::from_slice(&fixture(path)).unwrap();
    assert_eq!(
        the_record(&export_of(path)),
        json!({
            "id": "github/smdz34v7j8q0",
            "vendor": "github",
            "kind": "incident",
            "title": "Incident with Actions, Pages, Pull Requests, Codespaces, API Requests, Issues, Webhooks and Packages",
            "url": "https://www.githubstatus.com/incidents/smdz34v7j8q0",
            "impact": "major",
            "status": "resolved",
            "created_at": "2023-09-05T16:30:39.536Z",
            // The window's start: it was open when the incident was (first update 16:30:39).
            "started_at": "2023-09-05T16:24:00Z",
            "started_at_source": "stated",
            "started_at_raw": "16:24",
            // Neither the stated end (16:43) nor the machine's (16:28) is followed only by
            // closing updates: the closing update is the resolution.
            "resolved_at": "2023-09-05T17:01:49Z",
            "resolved_at_source": "derived",
            "resolved_at_raw": "2023-09-05T17:01:49.000Z",
            "structured_started_at": "2023-09-05T16:30:39.531Z",
            "structured_resolved_at": "2023-09-05T16:28:00Z",
            "scheduled_for": null,
            "scheduled_until": null,
            "duration_seconds": 37 * 60 + 49,
            "components": ["API Requests", "Webhooks", "Issues", "Pull Requests", "Actions", "Packages", "Pages", "Codespaces"],
            "updates": updates_from_payload(&payload),
            "anomalies": [
                {"code": "resolved_before_started", "detail": "the structured resolved_at 2023-09-05T16:28:00Z (structured, \"2023-09-05T16:28:00.000Z\") is 2m 39s before the structured started_at 2023-09-05T16:30:39.531Z (structured, \"2023-09-05T16:30:39.531Z\"); the record uses started_at 2023-09-05T16:24:00Z (stated, \"16:24\") and resolved_at 2023-09-05T17:01:49Z (derived, \"2023-09-05T17:01:49.000Z\")"},
                {"code": "stated_time_conflict", "detail": "update 18 (posted 2023-09-05T17:01:49Z) states the end 2023-09-05T16:43:00Z (stated, \"16:43 UTC\") (after \"between/from\"), but update 8 (posted 2023-09-05T16:44:14.883Z) is still investigating after it: the stated end is not the resolution; resolved_at is 2023-09-05T17:01:49Z (derived, \"2023-09-05T17:01:49.000Z\")"},
                {"code": "update_out_of_order", "detail": "update 1 (posted 2023-09-05T16:30:39.587Z) is still investigating after the structured resolution 2023-09-05T16:28:00Z (structured, \"2023-09-05T16:28:00.000Z\"): that resolution is not taken; the record uses resolved_at 2023-09-05T17:01:49Z (derived, \"2023-09-05T17:01:49.000Z\")"}
            ],
            "sources": ["gh"],
            "aliases": ["smdz34v7j8q0"],
        })
    );
}
