//! `statusdb parse --kind statuspage-feed` on real Statuspage history feeds. Every expected
//! value below was read from the fixture itself (the entry's `<small>` stamp, `<strong>` label
//! and text, its `<published>` or `pubDate` for the year).

use serde_json::json;
use statusdb_testkit::*;

type Row = (String, String, String, String, String, String);

fn row(status: &str, label: &str, utc: &str, source: &str, raw: &str, body: &str) -> Row {
    (
        status.into(),
        label.into(),
        utc.into(),
        source.into(),
        raw.into(),
        body.into(),
    )
}

fn rows(incident: &serde_json::Value) -> Vec<Row> {
    incident["updates"]
        .as_array()
        .unwrap()
        .iter()
        .map(update_row)
        .collect()
}

#[test]
fn github_atom_entries_become_incidents_with_code_alias_and_dated_updates() {
    let o = parse_fixture(
        "statuspage-feed",
        "statuspage/github-history-2022-06-11.atom",
        &[],
    );
    assert_eq!(
        o["page"],
        json!({"name": "GitHub Status", "url": "https://www.githubstatus.com", "time_zone": null})
    );
    assert_eq!(o["incidents"].as_array().unwrap().len(), 25);
    assert_eq!(o["notes"], json!([]));
    assert_eq!(o["components"], json!([]));

    let codespaces = observed(&o, "fbx6ysfb4mff");
    assert_eq!(
        codespaces["aliases"],
        json!(["tag:www.githubstatus.com,2005:Incident/10187767"])
    );
    assert_eq!(codespaces["kind"], "incident");
    assert_eq!(codespaces["title"], "Incident with Codespaces");
    assert_eq!(
        codespaces["url"],
        "https://www.githubstatus.com/incidents/fbx6ysfb4mff"
    );
    // <published> is the last update: it is not the start, and no incident time is set.
    for field in [
        "created_at",
        "started_at",
        "resolved_at",
        "status",
        "impact",
    ] {
        assert_eq!(codespaces[field], json!(null), "{field}");
    }
    assert_eq!(
        rows(codespaces),
        vec![
            row(
                "investigating",
                "Investigating",
                "2022-06-08T18:48:00Z",
                "derived",
                "Jun 8, 18:48 UTC",
                "We are investigating reports of degraded performance for Codespaces."
            ),
            row(
                "resolved",
                "Resolved",
                "2022-06-08T19:13:00Z",
                "derived",
                "Jun 8, 19:13 UTC",
                "This incident has been resolved."
            ),
        ]
    );

    // "Update" only adds text: no status of its own.
    let actions = observed(&o, "8xxms3q3qzgp");
    assert_eq!(
        rows(actions)[1],
        row(
            "null",
            "Update",
            "2022-06-01T10:17:00Z",
            "derived",
            "Jun 1, 10:17 UTC",
            "GitHub Actions is now experiencing degraded performance. We are continuing to investigate."
        )
    );

    // Four updates in one minute keep their order (the feed lists them newest first).
    let many = observed(&o, "zhtplv7zd052");
    let minute: Vec<String> = many["updates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["posted_at"]["utc"] == "2022-05-27T07:54:00Z")
        .map(|u| {
            u["body"]
                .as_str()
                .unwrap()
                .split(' ')
                .take(2)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    assert_eq!(
        minute,
        [
            "GitHub Pages",
            "Git Operations",
            "Pull Requests",
            "GitHub Actions"
        ]
    );
    assert_eq!(many["updates"].as_array().unwrap().len(), 11);

    // Maintenance labels make a maintenance.
    let maintenance = observed(&o, "rw3k5dz04rqj");
    assert_eq!(maintenance["kind"], "maintenance");
    let statuses: Vec<(String, String)> =
        rows(maintenance).into_iter().map(|r| (r.0, r.2)).collect();
    assert_eq!(
        statuses,
        vec![
            ("scheduled".to_string(), "2022-05-12T21:11:00Z".to_string()),
            (
                "in_progress".to_string(),
                "2022-05-12T21:12:00Z".to_string()
            ),
            ("completed".to_string(), "2022-05-16T21:00:00Z".to_string()),
        ]
    );
}

#[test]
fn github_atom_of_2026_reads_spaced_markup_and_two_labels_in_one_minute() {
    let o = parse_fixture(
        "statuspage-feed",
        "statuspage/github-history-2026-08-22.atom",
        &[],
    );
    assert_eq!(o["incidents"].as_array().unwrap().len(), 25);
    let agent = observed(&o, "bhbcjn4n3jzp");
    let last = rows(agent).pop().unwrap();
    assert_eq!(
        (last.0.as_str(), last.2.as_str(), last.4.as_str()),
        ("resolved", "2026-08-21T00:37:00Z", "Aug 21, 00:37 UTC")
    );
    assert!(
        last.5
            .starts_with("This incident has been resolved. Thank you for your patience")
    );
    assert!(
        last.5.ends_with("as soon as it is available."),
        "{}",
        last.5
    );

    let runners = observed(&o, "bmpybhnrky3x");
    let labels: Vec<(String, String)> = rows(runners).into_iter().map(|r| (r.1, r.2)).collect();
    assert_eq!(
        labels,
        vec![
            (
                "Investigating".to_string(),
                "2026-08-18T07:40:00Z".to_string()
            ),
            ("Monitoring".to_string(), "2026-08-18T07:40:00Z".to_string()),
            ("Update".to_string(), "2026-08-18T10:41:00Z".to_string()),
            ("Update".to_string(), "2026-08-18T11:24:00Z".to_string()),
            ("Resolved".to_string(), "2026-08-18T11:42:00Z".to_string()),
        ]
    );
    // `<br />` in a body is a line break.
    let resolved = &rows(runners)[4].5;
    assert!(
        resolved.contains("Runner Groups through the GitHub UI and API.\n\nThe issue was caused"),
        "{resolved}"
    );
}

#[test]
fn parse_rss_reads_old_stamps_across_new_year_postmortem_and_summer_pst() {
    let o = parse_fixture(
        "statuspage-feed",
        "statuspage/parse-history-2014-01.rss",
        &[],
    );
    assert_eq!(o["page"]["name"], "Parse Status");
    assert_eq!(o["incidents"].as_array().unwrap().len(), 17);

    // "Jan  1, 09:09 PST" in an item of Wed, 01 Jan 2014: PST is UTC-8 in January.
    let january = observed(&o, "lzf7mjchpy20");
    assert_eq!(january["aliases"], json!([]), "the guid is the link");
    let times: Vec<(String, String, String)> =
        rows(january).into_iter().map(|r| (r.0, r.2, r.4)).collect();
    assert_eq!(
        times,
        vec![
            (
                "investigating".into(),
                "2014-01-01T16:17:00Z".into(),
                "Jan 1, 08:17 PST".into()
            ),
            (
                "identified".into(),
                "2014-01-01T17:00:00Z".into(),
                "Jan 1, 09:00 PST".into()
            ),
            (
                "resolved".into(),
                "2014-01-01T17:09:00Z".into(),
                "Jan 1, 09:09 PST".into()
            ),
        ]
    );

    // December stamps of an item dated December 2013 stay in 2013.
    let analytics = observed(&o, "x7yb1mmd4721");
    assert_eq!(rows(analytics)[0].2, "2013-12-29T16:04:00Z");
    assert_eq!(rows(analytics)[1].1, "Update");
    assert_eq!(rows(analytics)[1].0, "null");

    // A postmortem two days after the item's pubDate (Dec 24) is read in the same year.
    let outage = observed(&o, "p9hy357zjvb3");
    let postmortem = rows(outage).pop().unwrap();
    assert_eq!(
        (
            postmortem.0.as_str(),
            postmortem.1.as_str(),
            postmortem.2.as_str()
        ),
        ("postmortem", "Postmortem", "2013-12-26T18:22:00Z")
    );
    assert!(postmortem.5.starts_with(
        "# Summary of the December 24 Parse Service Disruption\n\nWe would like to share"
    ));

    // "Oct 28, 14:48 PST" is written in daylight time: read as the page's wall clock (the item's
    // pubDate says 14:48:00 -0700), flagged with the literal PST reading.
    let summer = observed(&o, "gtdv7rgyn76g");
    assert_eq!(rows(summer)[1].2, "2013-10-28T21:48:00Z");
    let notes = o["notes"].as_array().unwrap();
    assert_eq!(
        notes[0],
        json!({
            "place": "http://status.parse.com/incidents/gtdv7rgyn76g update[0]",
            "message": "stamp \"Oct 28, 14:48 PST\" read as 2013-10-28T21:48:00Z (PST (-08:00, America/Los_Angeles)): abbreviation_contradicts_dst; other reading 2013-10-28T22:48:00Z"
        })
    );
    // Every "PST" stamp between March 10 and November 3, 2013 is flagged, and only those:
    // 25 of the 38 stamps in the feed.
    assert_eq!(notes.len(), 25);
    assert!(notes.iter().all(|n| {
        n["message"]
            .as_str()
            .unwrap()
            .contains("abbreviation_contradicts_dst")
    }));
    assert!(
        !notes
            .iter()
            .any(|n| n["message"].as_str().unwrap().contains("Nov 4"))
    );
}

#[test]
fn a_json_document_is_not_a_feed() {
    let out = statusdb()
        .args(["parse", "--kind", "statuspage-feed"])
        .arg(fixtures_dir().join("statuspage/github-summary-2022-11-25.json"))
        .output()
        .unwrap();
    // The shape checks every body passes before its parser name the format found.
    fails_saying(
        &out,
        1,
        &["not a statuspage-feed page: JSON where an XML feed is expected"],
    );
}
