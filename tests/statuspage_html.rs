//! `statusdb parse --kind statuspage-html` on real Statuspage home pages (Fastly, Zoom, Python)
//! and on the incident, history and home pages written from the format (`*.from-docs.html`).
//! Expected values were read from the pages: `data-component-*` attributes, `<strong>` labels,
//! `<small>` stamps, day headers and `<meta name="issued">`.

use serde_json::{Value, json};
use statusdb_testkit::*;

fn times(incident: &Value) -> Vec<(String, String, String)> {
    incident["updates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            let r = update_row(u);
            (r.0, r.2, r.4)
        })
        .collect()
}

fn t(status: &str, utc: &str, raw: &str) -> (String, String, String) {
    (status.into(), utc.into(), raw.into())
}

fn component<'a>(o: &'a Value, id: &str) -> &'a Value {
    o["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["native_id"] == id)
        .unwrap_or_else(|| panic!("no component {id}"))
}

#[test]
fn fastly_home_page_components_unresolved_and_past_incidents() {
    let o = parse_fixture(
        "statuspage-html",
        "statuspage/fastly-home-2021-01.html",
        &["--url", "https://status.fastly.com/"],
    );
    assert_eq!(
        o["page"],
        json!({"name": "Fastly Status", "url": "https://status.fastly.com", "time_zone": null})
    );
    assert_eq!(o["notes"], json!([]));
    // 105 component blocks, 9 of them group headers.
    let components = o["components"].as_array().unwrap();
    assert_eq!(components.len(), 96);
    assert_eq!(
        components[0],
        json!({"native_id": "j2wc9f6hrwwc", "name": "Ashburn (BWI)", "group": "North America",
               "status": "operational", "status_raw": "operational", "updated_at": null})
    );
    assert_eq!(
        component(&o, "qndfh9ycdpn9"),
        &json!({"native_id": "qndfh9ycdpn9", "name": "COVID-19", "group": "Business Continuity",
                "status": "operational", "status_raw": "operational", "updated_at": null})
    );
    assert!(
        components.iter().all(|c| c["native_id"] != "kl1csf40zz5f"),
        "a group is not a component"
    );

    // 1 unresolved incident and 14 under Past Incidents.
    assert_eq!(o["incidents"].as_array().unwrap().len(), 15);
    // Posted "Mar 16" and still unresolved on a page rendered 2021-01-22 (issued 1611344895):
    // March of the year before, not a March still to come.
    let covid = observed(&o, "mjtrykb6rg3g");
    assert_eq!(
        covid["title"],
        "A COVID-19 Business Continuity Update From Fastly"
    );
    assert_eq!(
        covid["url"],
        "https://status.fastly.com/incidents/mjtrykb6rg3g"
    );
    assert_eq!(
        (covid["impact"].clone(), covid["impact_raw"].clone()),
        (json!("none"), json!("none"))
    );
    assert_eq!(
        times(covid),
        vec![t("monitoring", "2020-03-16T04:38:00Z", "Mar 16, 04:38 UTC")]
    );
    assert_eq!(
        covid["updates"][0]["body"],
        "A COVID-19 Business Continuity Update From Fastly\n\nhttps://www.fastly.com/blog/covid-19-update\n\nQuestions can be directed to support@fastly.com"
    );

    let retro = observed(&o, "4zgm7ysssq2t");
    assert_eq!(
        times(retro),
        vec![t("resolved", "2021-01-22T19:03:00Z", "Jan 22, 19:03 UTC")]
    );
    assert!(
        retro["updates"][0]["body"]
            .as_str()
            .unwrap()
            .starts_with("Fastly Engineers detected a performance impacting event")
    );

    let atlanta = observed(&o, "j8xbn0rbs0c3");
    assert_eq!(atlanta["kind"], "maintenance");
    assert_eq!(
        (atlanta["impact"].clone(), atlanta["impact_raw"].clone()),
        (json!(null), json!("maintenance"))
    );
    assert_eq!(
        times(atlanta),
        vec![
            t("scheduled", "2021-01-20T23:09:00Z", "Jan 20, 23:09 UTC"),
            t("in_progress", "2021-01-22T06:00:00Z", "Jan 22, 06:00 UTC"),
            t("completed", "2021-01-22T07:00:00Z", "Jan 22, 07:00 UTC"),
        ]
    );
}

#[test]
fn zoom_home_page_stamps_in_pst() {
    let o = parse_fixture("statuspage-html", "statuspage/zoom-home-pst.html", &[]);
    assert_eq!(o["page"]["name"], "Zoom Status");
    assert_eq!(o["page"]["url"], json!(null), "a file has no host");
    assert_eq!(o["components"].as_array().unwrap().len(), 18);
    assert_eq!(o["incidents"].as_array().unwrap().len(), 6);
    let reconnected = observed(&o, "nw08l2x9f7n1");
    assert_eq!(reconnected["url"], json!(null));
    assert_eq!(
        times(reconnected),
        vec![t("resolved", "2021-01-21T16:07:00Z", "Jan 21, 08:07 PST")]
    );
    let europe = observed(&o, "x51v9gpg8xb6");
    assert_eq!(europe["impact"], "minor");
    assert_eq!(
        times(europe),
        vec![
            t("investigating", "2021-01-19T16:08:00Z", "Jan 19, 08:08 PST"),
            t("identified", "2021-01-19T16:21:00Z", "Jan 19, 08:21 PST"),
            t("monitoring", "2021-01-19T16:52:00Z", "Jan 19, 08:52 PST"),
            t("resolved", "2021-01-19T17:06:00Z", "Jan 19, 09:06 PST"),
        ]
    );
    // Under the day header "Jan 16": 23:59 PST on Jan 15 is already Jan 16 in UTC.
    let ranges = observed(&o, "fqh2pg4ds913");
    assert_eq!(ranges["kind"], "maintenance");
    assert_eq!(
        times(ranges),
        vec![
            t("scheduled", "2021-01-15T20:10:00Z", "Jan 15, 12:10 PST"),
            t("in_progress", "2021-01-16T07:59:00Z", "Jan 15, 23:59 PST"),
            t("completed", "2021-01-16T08:00:00Z", "Jan 16, 00:00 PST"),
        ]
    );
}

#[test]
fn python_home_page_unresolved_incident_spans_new_year() {
    let o = parse_fixture("statuspage-html", "statuspage/python-home.html", &[]);
    let components = o["components"].as_array().unwrap();
    assert_eq!(components.len(), 98);
    let degraded: Vec<&Value> = components
        .iter()
        .filter(|c| c["status"] != "operational")
        .collect();
    assert_eq!(
        degraded,
        vec![
            &json!({"native_id": "yjlyv2k3zz3p", "name": "pypi.org - Backends", "group": "PyPI",
                     "status": "partial_outage", "status_raw": "partial_outage", "updated_at": null})
        ]
    );
    // Rendered 2021-01-22 (issued 1611337235): December stamps are of 2020, January of 2021.
    let search = observed(&o, "grk0k7sz6zkp");
    assert_eq!(search["impact"], "major");
    let got = times(search);
    assert_eq!(got.len(), 9);
    assert_eq!(
        got[0],
        t("investigating", "2020-12-14T09:41:00Z", "Dec 14, 09:41 UTC")
    );
    assert_eq!(
        got[1],
        t("identified", "2020-12-14T15:09:00Z", "Dec 14, 15:09 UTC")
    );
    assert_eq!(
        got[2],
        t("null", "2020-12-14T17:30:00Z", "Dec 14, 17:30 UTC")
    );
    assert_eq!(
        got[3],
        t("monitoring", "2020-12-14T17:46:00Z", "Dec 14, 17:46 UTC")
    );
    assert_eq!(
        got[7],
        t("null", "2020-12-28T13:51:00Z", "Dec 28, 13:51 UTC")
    );
    assert_eq!(
        got[8],
        t("null", "2021-01-12T16:04:00Z", "Jan 12, 16:04 UTC")
    );
    let ddos = observed(&o, "lc5jx9rrwl1z");
    assert_eq!(ddos["impact"], "critical");
    assert_eq!(
        ddos["updates"][0]["body"],
        "wiki.python.org has been shut off temporarily in the face of a distributed denial of service attack. thousands of IP addresses are flooding the host with valid but garbage requests and attempts to block them are not keeping up with the influx.\n\nthe host will be offline overnight until we are able to assess and address this issue."
    );
}

#[test]
fn a_stray_fence_around_a_stored_page_is_not_a_page() {
    // The samples were stored with a Markdown fence before and after the page; the fixtures
    // have it stripped. No server sends one: a body that does not open as HTML is refused by
    // the shape checks every body passes, with what it looked like, rather than guessed at.
    let dir = tempfile::TempDir::new().unwrap();
    let fenced = dir.path().join("zoom.html");
    let mut body = b"```".to_vec();
    body.extend(fixture("statuspage/zoom-home-pst.html"));
    body.extend(b"```");
    std::fs::write(&fenced, body).unwrap();
    let out = statusdb()
        .args(["parse", "--kind", "statuspage-html"])
        .arg(&fenced)
        .output()
        .unwrap();
    fails_saying(
        &out,
        1,
        &[
            "not a statuspage-html page: plain text (neither JSON, XML nor HTML) where an HTML \
             page is expected, titled \"zoom status\"",
        ],
    );
}

#[test]
fn home_page_from_docs_maintenance_window_groups_and_new_year_day() {
    let o = parse_fixture(
        "statuspage-html",
        "statuspage/home-new-year.from-docs.html",
        &["--url", "https://status.example.com/"],
    );
    assert_eq!(o["notes"], json!([]));
    assert_eq!(
        o["components"],
        json!([
            {"native_id": "r1e2s3t4a5p6", "name": "REST API", "group": "API", "status": "operational", "status_raw": "operational", "updated_at": null},
            {"native_id": "w1e2b3h4o5o6", "name": "Webhooks", "group": "API", "status": "degraded_performance", "status_raw": "degraded_performance", "updated_at": null},
            {"native_id": "e1m2a3i4l5s6", "name": "Email", "group": null, "status": "partial_outage", "status_raw": "partial_outage", "updated_at": null},
            {"native_id": "d1a2t3a4b5s6", "name": "Database", "group": null, "status": "under_maintenance", "status_raw": "under_maintenance", "updated_at": null}
        ])
    );
    // Rendered 2023-01-02T10:00:00Z: the unresolved incident's Dec 31 is of 2022.
    let email = observed(&o, "q1w2e3r4t5y6");
    assert_eq!(
        times(email),
        vec![
            t("investigating", "2022-12-31T22:10:00Z", "Dec 31, 22:10 UTC"),
            t("identified", "2023-01-01T08:30:00Z", "Jan 1, 08:30 UTC"),
        ]
    );
    assert_eq!(
        email["updates"][0]["body"],
        "Email notifications are delayed by up to an hour.\n\nOther notifications are not affected."
    );
    // Upcoming maintenance: the machine start, the stated end, the notice without a label.
    let upgrade = observed(&o, "m8n7b6v5c4x3");
    assert_eq!(upgrade["kind"], "maintenance");
    assert_eq!(
        (upgrade["status"].clone(), upgrade["status_raw"].clone()),
        (json!("scheduled"), json!("Scheduled Maintenance"))
    );
    assert_eq!(
        upgrade["scheduled_for"],
        json!({"utc": "2023-01-05T02:00:00Z", "raw": "data-unix-time=1672884000", "source": "structured"})
    );
    assert_eq!(
        upgrade["scheduled_until"],
        // The flags of the reading reach the normalizer: "Jan 5" writes no year.
        json!({"utc": "2023-01-05T04:00:00Z", "raw": "Jan 5, 02:00-04:00 UTC", "source": "derived",
               "flags": ["year_inferred"]})
    );
    assert_eq!(
        upgrade["updates"],
        json!([{"native_id": null, "status": null, "status_raw": null,
                "posted_at": {"utc": "2022-12-28T16:20:00Z", "raw": "Posted on Dec 28, 16:20 UTC", "source": "derived",
                              "flags": ["year_inferred"]},
                "body": "We will upgrade the primary database. The dashboard may be read-only for up to two hours.",
                "components": []}])
    );
    // Under the header "Dec 31, 2022", the resolution at "Jan 1" is of 2023.
    let login = observed(&o, "z9x8c7v6b5n4");
    assert_eq!(
        times(login),
        vec![
            t("investigating", "2022-12-31T23:40:00Z", "Dec 31, 23:40 UTC"),
            t("monitoring", "2022-12-31T23:55:00Z", "Dec 31, 23:55 UTC"),
            t("resolved", "2023-01-01T00:20:00Z", "Jan 1, 00:20 UTC"),
        ]
    );
    let slow = observed(&o, "a1s2d3f4g5h6");
    assert_eq!(
        times(slow)[2],
        t("postmortem", "2023-01-02T09:00:00Z", "Jan 2, 09:00 UTC")
    );
}

#[test]
fn incident_page_from_docs_prefers_the_machine_stamp() {
    let o = parse_fixture(
        "statuspage-html",
        "statuspage/github-incident-8xxms3q3qzgp.from-docs.html",
        &[],
    );
    let incident = observed(&o, "8xxms3q3qzgp");
    assert_eq!(incident["title"], "Incident with GitHub Actions");
    assert_eq!(incident["impact"], "major");
    // A saved page has no URL of its own: the link comes from og:url.
    assert_eq!(
        incident["url"],
        "https://www.githubstatus.com/incidents/8xxms3q3qzgp"
    );
    assert_eq!(
        incident["updates"],
        json!([
            {"native_id": null, "status": "investigating", "status_raw": "Investigating",
             "posted_at": {"utc": "2022-06-01T09:40:25.336Z", "raw": "data-datetime-unix=1654076425336", "source": "structured"},
             "body": "We are investigating reports of degraded availability for GitHub Actions.", "components": []},
            {"native_id": null, "status": null, "status_raw": "Update",
             "posted_at": {"utc": "2022-06-01T10:17:39.847Z", "raw": "data-datetime-unix=1654078659847", "source": "structured"},
             "body": "GitHub Actions is now experiencing degraded performance. We are continuing to investigate.", "components": []},
            {"native_id": null, "status": "resolved", "status_raw": "Resolved",
             "posted_at": {"utc": "2022-06-01T10:28:31.847Z", "raw": "data-datetime-unix=1654079311847", "source": "structured"},
             "body": "This incident has been resolved.", "components": []}
        ])
    );
    // The affected components are prose: reported, not split into names.
    assert_eq!(
        o["notes"],
        json!([{"place": "incident", "message": "components named in prose, not split: \"This incident affected: Actions.\""}])
    );
}

#[test]
fn history_page_from_docs_reads_the_react_props() {
    let o = parse_fixture(
        "statuspage-html",
        "statuspage/github-history.from-docs.html",
        &["--url", "https://www.githubstatus.com/history"],
    );
    let ids = field(&o["incidents"], "native_id");
    assert_eq!(
        ids,
        [
            "fbx6ysfb4mff",
            "8xxms3q3qzgp",
            "rw3k5dz04rqj",
            "vxvyrmy9w1vp"
        ]
    );
    let codespaces = observed(&o, "fbx6ysfb4mff");
    assert_eq!(
        codespaces["url"],
        "https://www.githubstatus.com/incidents/fbx6ysfb4mff"
    );
    assert_eq!(codespaces["impact"], "minor");
    assert_eq!(
        codespaces["started_at"],
        // "Jun 8" writes no year: the reading's flag is kept with the time.
        json!({"utc": "2022-06-08T18:48:00Z", "raw": "Jun 8, 18:48 - 19:13 UTC", "source": "derived",
               "flags": ["year_inferred"]})
    );
    assert_eq!(codespaces["resolved_at"]["utc"], "2022-06-08T19:13:00Z");
    assert_eq!(codespaces["updates"], json!([]));
    let maintenance = observed(&o, "rw3k5dz04rqj");
    assert_eq!(maintenance["kind"], "maintenance");
    assert_eq!(maintenance["started_at"], json!(null));
    assert_eq!(maintenance["scheduled_for"]["utc"], "2022-05-12T21:12:00Z");
    assert_eq!(
        maintenance["scheduled_until"]["utc"],
        "2022-05-16T21:00:00Z"
    );
    // A period over midnight names both days.
    let overnight = observed(&o, "vxvyrmy9w1vp");
    assert_eq!(overnight["started_at"]["utc"], "2022-04-13T20:35:00Z");
    assert_eq!(overnight["resolved_at"]["utc"], "2022-04-14T01:28:00Z");
}

#[test]
fn a_json_document_is_not_a_statuspage_page() {
    let out = statusdb()
        .args(["parse", "--kind", "statuspage-html"])
        .arg(fixtures_dir().join("statuspage/github-summary-2022-11-25.json"))
        .output()
        .unwrap();
    // The shape checks every body passes before its parser name the format found.
    fails_saying(
        &out,
        1,
        &["not a statuspage-html page: JSON where an HTML page is expected"],
    );
}
