//! Uptime and SLA answers (docs/REPORTS.md): the periods they rest on, the minutes of each
//! status, coverage, the downtime rule and its presets, `report uptime` and `report sla`, and
//! the SQL views that give Grafana the same numbers. Expected minutes are worked out by hand
//! from the real payloads (GitHub's incidents of 2010 to 2023, Google Cloud's of 2021-2022);
//! each test's comment shows the working.

use statusdb_testkit::*;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// A database of the 771 real GitHub incidents (`/api/v2/incidents/<code>.json` documents
/// combined into one `incidents.json`), ingested over loopback HTTP.
fn github_history(dir: &Path) -> (TestServer, PathBuf, PathBuf) {
    let server = TestServer::start();
    server.serve(
        "/github/api/v2/incidents.json",
        fixture("statuspage/github-incidents-all.json"),
    );
    let config = write_config(
        dir,
        &[SourceSpec::new(
            "github",
            "github",
            "statuspage",
            server.url("/github/api/v2/incidents.json"),
        )],
    );
    statusdb()
        .args(["ingest", "--config"])
        .arg(&config)
        .assert()
        .success();
    (server, config, dir.join("statusdb.sqlite"))
}

fn periods(db: &Path, component: &str, from: &str, until: &str) -> Vec<String> {
    sql_strings(
        db,
        &format!(
            "SELECT status || ' ' || started_at || ' ' || coalesce(ended_at, '-') || ' ' || origin
                    || ' ' || coalesce(incident_id, '-')
             FROM component_status_periods
             WHERE component_id = '{component}' AND started_at >= '{from}' AND started_at < '{until}'
             ORDER BY started_at"
        ),
    )
}

#[test]
fn a_later_incident_announcing_the_status_an_ended_period_had_starts_a_new_period() {
    let dir = TempDir::new().unwrap();
    let (_server, _config, db) = github_history(dir.path());
    // Actions (github/br0l2tvcx85d) from the payloads' `affected_components[].new_status`:
    // incident 6503rcn8s34s (2023-07-21, "Incident with Actions, API Requests, ...") names it
    // operational at 13:15:55.416 and partial_outage at 13:21:22.030 (its later updates repeat
    // partial_outage), and its resolving update at 14:01:48.017 names no component: the
    // period ends at the resolution. No update names Actions again until nwb8m3ppfxw6
    // (2023-08-09), which announces partial_outage at 19:54:59.265 and operational in its
    // resolving update at 20:14:05.771 (the incident's resolution: an operational word that
    // holds for no time). Comparing that partial_outage with the previous word (6503rcn8s34s's
    // partial_outage of July) dropped it as "no change": the August outage was missing.
    assert_eq!(
        periods(&db, "github/br0l2tvcx85d", "2023-07-21", "2023-08-10"),
        [
            "operational 2023-07-21T13:15:55.416Z 2023-07-21T13:21:22.030Z update github/6503rcn8s34s",
            "partial_outage 2023-07-21T13:21:22.030Z 2023-07-21T14:01:48.017Z update github/6503rcn8s34s",
            "partial_outage 2023-08-09T19:54:59.265Z 2023-08-09T20:14:05.771Z update github/nwb8m3ppfxw6",
        ]
    );
    // Pull Requests (github/hhtssxt0f5v2) the same way: 6503rcn8s34s left it in partial_outage
    // (13:36:14.116 to its resolution); spz29wshw9mh (2023-08-29) announces partial_outage at
    // 02:02:36.893 and operational at 02:34:06.635, and is resolved at 02:36:47.986.
    assert_eq!(
        periods(&db, "github/hhtssxt0f5v2", "2023-08-29", "2023-08-30"),
        [
            "partial_outage 2023-08-29T02:02:36.893Z 2023-08-29T02:34:06.635Z update github/spz29wshw9mh",
            "operational 2023-08-29T02:34:06.635Z 2023-08-29T02:36:47.986Z update github/spz29wshw9mh",
        ]
    );
}
