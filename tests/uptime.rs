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

/// `statusdb report uptime ... --format json` as of a fixed instant, parsed.
fn uptime_json(config: &Path, args: &[&str]) -> serde_json::Value {
    let out = statusdb()
        .args([
            "report", "uptime", "--format", "json", "--now", NOW, "--config",
        ])
        .arg(config)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "report uptime {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors = schema_errors(&schema_validator("uptime-v1.schema.json"), &doc);
    assert!(errors.is_empty(), "{errors:#?}");
    doc
}

/// The instant the reports are made at: after every payload, so no window reaches past it.
const NOW: &str = "2026-12-01T00:00:00Z";

/// A row's minutes as (operational, degraded, partial, major, maintenance, unknown).
fn minutes(row: &serde_json::Value) -> (u64, u64, u64, u64, u64, u64) {
    let m = &row["minutes"];
    let n = |k: &str| m[k].as_u64().unwrap();
    (
        n("operational"),
        n("degraded_performance"),
        n("partial_outage"),
        n("major_outage"),
        n("under_maintenance"),
        n("unknown"),
    )
}

fn rows(doc: &serde_json::Value) -> &Vec<serde_json::Value> {
    doc["components"].as_array().unwrap()
}

fn strings(value: &serde_json::Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// One day of `component_downtime_daily` as (operational, degraded, partial, major,
/// maintenance, unknown).
fn daily(db: &Path, component: &str, day: &str) -> (u64, u64, u64, u64, u64, u64) {
    let row = sql_strings(
        db,
        &format!(
            "SELECT operational || ' ' || degraded_performance || ' ' || partial_outage || ' ' ||
                    major_outage || ' ' || under_maintenance || ' ' || unknown
             FROM component_downtime_daily WHERE component_id = '{component}' AND day = '{day}'"
        ),
    );
    assert_eq!(row.len(), 1, "{component} {day}: {row:?}");
    let n: Vec<u64> = row[0].split(' ').map(|v| v.parse().unwrap()).collect();
    (n[0], n[1], n[2], n[3], n[4], n[5])
}

#[test]
fn overlapping_incidents_on_one_component_count_once() {
    let dir = TempDir::new().unwrap();
    let (_server, config, db) = github_history(dir.path());
    // Webhooks (github/4230lsnqdsld) on 2023-08-15, from the payloads: fjj29dxw0m7c announces
    // partial_outage at 17:24:50.768 and is resolved at 17:41:34.911 (no later word);
    // ljhhhw2tplqp announces partial_outage at 17:24:52.603 and operational in its resolving
    // update at 21:46:57.245. The two overlap from 17:24:52 to 17:41:34 and count once:
    // partial from 17:24 to 21:46 (seconds dropped) = 4 h 22 min = 262 minutes, the other
    // 1178 of the day operational. Instatus weighs partial 0.3: 78.6 minutes of downtime,
    // uptime 100 x (1 - 78.6 / 1440) = 94.542%.
    let doc = uptime_json(
        &config,
        &[
            "--from",
            "2023-08-15",
            "--to",
            "2023-08-16",
            "--component",
            "Webhooks",
        ],
    );
    let row = &rows(&doc)[0];
    assert_eq!(rows(&doc).len(), 1);
    assert_eq!(row["component_id"], "github/4230lsnqdsld");
    assert_eq!(minutes(row), (1178, 0, 262, 0, 0, 0));
    assert_eq!(row["downtime_minutes"], 78.6);
    assert_eq!(row["uptime_percent"], 94.542);
    assert_eq!(row["longest_outage_minutes"], 262);
    assert_eq!(row["incidents"], 2);
    assert_eq!(
        strings(&row["downtime_incidents"]),
        ["github/fjj29dxw0m7c", "github/ljhhhw2tplqp"]
    );
    assert_eq!(
        daily(&db, "github/4230lsnqdsld", "2023-08-15"),
        (1178, 0, 262, 0, 0, 0)
    );
    // The periods view holds one period for the two.
    assert_eq!(
        periods(&db, "github/4230lsnqdsld", "2023-08-15", "2023-08-16"),
        [
            "partial_outage 2023-08-15T17:24:50.768Z 2023-08-15T21:46:57.245Z update github/fjj29dxw0m7c"
        ]
    );
}

#[test]
fn a_partial_outage_is_weighed_by_each_preset_and_by_free_weights() {
    let dir = TempDir::new().unwrap();
    let (_server, config, _db) = github_history(dir.path());
    // Actions on 2023-08-09: nwb8m3ppfxw6's partial_outage from 19:54:59 to 20:14:05, 20
    // minutes. Instatus: 20 x 0.3 = 6 minutes down, 100 x (1 - 6/1440) = 99.583%.
    // incident.io counts partial outages fully: 20 minutes, 98.611%. Free weight 0.5: 10
    // minutes, 99.306%.
    let day = [
        "--from",
        "2023-08-09",
        "--to",
        "2023-08-10",
        "--component",
        "Actions",
    ];
    for (flags, downtime, uptime, preset) in [
        (vec![], 6.0, 99.583, serde_json::json!("instatus")),
        (
            vec!["--preset", "incidentio"],
            20.0,
            98.611,
            serde_json::json!("incidentio"),
        ),
        (
            vec!["--weight", "partial_outage=0.5"],
            10.0,
            99.306,
            serde_json::Value::Null,
        ),
    ] {
        let mut args = day.to_vec();
        args.extend(flags);
        let doc = uptime_json(&config, &args);
        let row = &rows(&doc)[0];
        assert_eq!(minutes(row), (1420, 0, 20, 0, 0, 0));
        assert_eq!(row["downtime_minutes"], downtime, "{args:?}");
        assert_eq!(row["uptime_percent"], uptime, "{args:?}");
        assert_eq!(doc["rule"]["preset"], preset);
    }
    // The config's [report] sets the rule the flags start from.
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        format!("{text}\n[report]\npreset = \"incidentio\"\n"),
    )
    .unwrap();
    let doc = uptime_json(&config, &day);
    assert_eq!(rows(&doc)[0]["downtime_minutes"], 20.0);
}

#[test]
fn a_maintenance_window_is_taken_out_counted_up_or_counted_down() {
    let dir = TempDir::new().unwrap();
    let (_server, config, db) = github_history(dir.path());
    // Packages (github/st3j38cctv9l, then named "GitHub Packages") on 2021-01-09: incident
    // 978zwz4crz1z's one update names it under_maintenance at 16:03:21.194; the incident is
    // resolved at 16:23:55.612 and nothing else names Packages that day: 20 minutes of
    // maintenance (16:03 to 16:23), 1420 operational. Taken out (the default) the uptime is
    // over 1420 minutes: 100%; counted up, over 1440: 100%; counted down, 20 minutes of
    // downtime: 100 x (1 - 20/1440) = 98.611%.
    let day = [
        "--from",
        "2021-01-09",
        "--to",
        "2021-01-10",
        "--component",
        "Packages",
    ];
    for (mode, downtime, uptime, longest) in [
        ("exclude", 0.0, 100.0, 0),
        ("include", 0.0, 100.0, 0),
        ("down", 20.0, 98.611, 20),
    ] {
        let mut args = day.to_vec();
        args.extend(["--maintenance", mode]);
        let doc = uptime_json(&config, &args);
        let row = &rows(&doc)[0];
        assert_eq!(minutes(row), (1420, 0, 0, 0, 20, 0), "{mode}");
        assert_eq!(row["downtime_minutes"], downtime, "{mode}");
        assert_eq!(row["uptime_percent"], uptime, "{mode}");
        assert_eq!(row["longest_outage_minutes"], longest, "{mode}");
        assert_eq!(doc["rule"]["maintenance"], mode);
    }
    assert_eq!(
        daily(&db, "github/st3j38cctv9l", "2021-01-09"),
        (1420, 0, 0, 0, 20, 0)
    );
}

#[test]
fn a_component_named_halfway_through_the_window_is_unknown_before() {
    let dir = TempDir::new().unwrap();
    let (_server, config, db) = github_history(dir.path());
    // Copilot (github/pjmpxvq2cmr2) is first named by 9xb0vpwcj8gj's update of 2022-06-21
    // 17:02:07.910 (operational); nothing names it again in June. Before that word nothing is
    // known of it: June 2022 has 30 x 1440 = 43200 minutes, of which 17:02 to midnight on the
    // 21st (1440 - 1022 = 418) and the 9 days after (12960) are known, 13378, all
    // operational; 29822 unknown; 30.968% known, which the header line calls little.
    let doc = uptime_json(&config, &["--month", "2022-06", "--component", "Copilot"]);
    let row = &rows(&doc)[0];
    assert_eq!(minutes(row), (13378, 0, 0, 0, 0, 29822));
    assert_eq!(row["uptime_percent"], 100.0);
    assert_eq!(row["coverage"]["known_percent"], 30.968);
    assert_eq!(row["coverage"]["first_word_at"], "2022-06-21T17:02:07.910Z");
    assert_eq!(doc["coverage"]["low"], true);
    let table = statusdb()
        .args(["report", "uptime", "--now", NOW, "--month", "2022-06"])
        .args(["--component", "Copilot", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let text = String::from_utf8(table.stdout).unwrap();
    assert_eq!(
        text.lines().next().unwrap(),
        "uptime 2022-06-01T00:00:00Z to 2022-07-01T00:00:00Z (30 days): downtime = \
         major_outage x 1 + partial_outage x 0.3 (instatus); maintenance taken out of the \
         window; LITTLE COVERAGE: 30.968% of the minutes known (before a source was first \
         watched and beyond its stated history, or while it failed, nothing is known)"
    );
    // The views begin its rows on the day of its first word.
    assert_eq!(
        sql_strings(
            &db,
            "SELECT min(day) FROM component_downtime_daily WHERE component_id = 'github/pjmpxvq2cmr2'"
        ),
        ["2022-06-21"]
    );
    assert_eq!(
        daily(&db, "github/pjmpxvq2cmr2", "2022-06-21"),
        (418, 0, 0, 0, 0, 1022)
    );
    // --by day: no row before that day.
    let doc = uptime_json(
        &config,
        &[
            "--month",
            "2022-06",
            "--component",
            "Copilot",
            "--by",
            "day",
        ],
    );
    assert_eq!(rows(&doc).len(), 10);
    assert_eq!(rows(&doc)[0]["window"]["from"], "2022-06-21T00:00:00Z");
}

#[test]
fn an_incident_across_a_month_boundary_counts_in_each_month() {
    let dir = TempDir::new().unwrap();
    let server = TestServer::start();
    server.serve("/incidents.json", fixture("gcp/incidents-2022-07.json"));
    let mut spec = SourceSpec::new("gcp", "gcp", "gcp", server.url("/incidents.json"));
    spec.zone = Some("America/Los_Angeles");
    let config = write_config(dir.path(), &[spec]);
    statusdb()
        .args(["ingest", "--config"])
        .arg(&config)
        .assert()
        .success();
    let db = dir.path().join("statusdb.sqlite");
    // Google Cloud's mDY7jN545et9XUV541MZ ("Intermittent Cloud Composer creation failures ...",
    // begin 2022-06-30T18:12, end 2022-07-01T02:15:28): its first update, 2022-06-30T18:45:05,
    // lists Google Cloud SQL as SERVICE_INFORMATION (degraded_performance); the later ones
    // repeat it until AVAILABLE at 2022-07-01T02:15:28, the end. No other incident names Cloud
    // SQL from June 15 to July 15 (the one before, 6sfxucMj6DuhVzmj9Xr8, ended June 4).
    // Degraded from 18:45 on June 30 to 02:15 on July 1: 1440 - 1125 = 315 minutes in June,
    // 135 in July. June 15 to July 1 is 16 days (23040 minutes), July 1 to 15 is 14 (20160).
    // Degraded performance is no downtime in either preset; weighed 0.5 it is 157.5 minutes
    // (99.316%) in June and 67.5 (99.665%) in July.
    let window = [
        "--from",
        "2022-06-15",
        "--to",
        "2022-07-15",
        "--component",
        "Google Cloud SQL",
        "--by",
        "month",
    ];
    let doc = uptime_json(&config, &window);
    let got: Vec<_> = rows(&doc)
        .iter()
        .map(|r| (r["window"]["from"].as_str().unwrap(), minutes(r)))
        .collect();
    assert_eq!(
        got,
        [
            ("2022-06-15T00:00:00Z", (22725, 315, 0, 0, 0, 0)),
            ("2022-07-01T00:00:00Z", (20025, 135, 0, 0, 0, 0)),
        ]
    );
    assert_eq!(rows(&doc)[0]["downtime_minutes"], 0.0);
    let mut weighed = window.to_vec();
    weighed.extend(["--weight", "degraded_performance=0.5"]);
    let doc = uptime_json(&config, &weighed);
    let got: Vec<_> = rows(&doc)
        .iter()
        .map(|r| {
            (
                r["downtime_minutes"].as_f64().unwrap(),
                r["uptime_percent"].as_f64().unwrap(),
                r["longest_outage_minutes"].as_u64().unwrap(),
                strings(&r["downtime_incidents"]),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                157.5,
                99.316,
                315,
                vec!["gcp/mDY7jN545et9XUV541MZ".to_string()]
            ),
            (
                67.5,
                99.665,
                135,
                vec!["gcp/mDY7jN545et9XUV541MZ".to_string()]
            ),
        ]
    );
    let component = &rows(&doc)[0]["component_id"].as_str().unwrap().to_string();
    assert_eq!(daily(&db, component, "2022-06-30"), (1125, 315, 0, 0, 0, 0));
    assert_eq!(daily(&db, component, "2022-07-01"), (1305, 135, 0, 0, 0, 0));
}

#[test]
fn a_day_the_source_failed_is_unknown_never_up() {
    let dir = TempDir::new().unwrap();
    let server = TestServer::start();
    let path = "/github/api/v2/incidents.json";
    let page = Route::ok(fixture("statuspage/github-incidents-all.json")).without_etag();
    server.routes(
        path,
        vec![
            page.clone(),
            Route::status(500, "upstream connect error"),
            page.clone(),
            page,
        ],
    );
    let config = write_config_with(
        dir.path(),
        "concurrency = 4\ntimeout = \"10s\"\nattempts = 1\n",
        &[SourceSpec::new(
            "github",
            "github",
            "statuspage",
            server.url(path),
        )],
    );
    for code in [0, 1, 0, 0] {
        statusdb()
            .args(["ingest", "--config"])
            .arg(&config)
            .assert()
            .code(code);
    }
    // The four runs happened seconds apart; put them where the story needs them: first
    // watched 2023-08-01, failing from 2023-08-10 until the run of 2023-08-11, watched again
    // then and last on 2023-08-20.
    let db = dir.path().join("statusdb.sqlite");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "UPDATE fetches SET fetched_at = CASE run_id
             WHEN 1 THEN '2023-08-01T00:00:00.000Z' WHEN 2 THEN '2023-08-10T00:00:00.000Z'
             WHEN 3 THEN '2023-08-11T00:00:00.000Z' ELSE '2023-08-20T00:00:00.000Z' END;",
    )
    .unwrap();
    drop(conn);
    assert_eq!(
        sql_strings(
            &db,
            "SELECT known_from || ' ' || known_until FROM vendor_coverage ORDER BY known_from"
        ),
        [
            // Stated history, from the oldest incident listed to the first fetch, and the
            // first watch, merged; then the watch after the failure.
            "2010-02-07T06:00:00.000Z 2023-08-10T00:00:00.000Z",
            "2023-08-11T00:00:00.000Z 2023-08-20T00:00:00.000Z",
        ]
    );
    // Actions from August 9 to 11: nwb8m3ppfxw6's partial outage on the 9th (19:54 to 20:14,
    // 20 minutes); on the 10th the source failed all day, so the 69 minutes rk1918knvr0w
    // announced (19:47 to 20:56) are not counted: the day is unknown, not up; the 11th is
    // watched and quiet. 2880 of 4320 minutes known (66.667%): little coverage.
    let doc = uptime_json(
        &config,
        &[
            "--from",
            "2023-08-09",
            "--to",
            "2023-08-12",
            "--component",
            "Actions",
            "--by",
            "day",
        ],
    );
    let got: Vec<_> = rows(&doc).iter().map(minutes).collect();
    assert_eq!(
        got,
        [
            (1420, 0, 20, 0, 0, 0),
            (0, 0, 0, 0, 0, 1440),
            (1440, 0, 0, 0, 0, 0)
        ]
    );
    assert_eq!(rows(&doc)[1]["uptime_percent"], serde_json::Value::Null);
    assert_eq!(doc["coverage"]["known_percent"], 66.667);
    assert_eq!(doc["coverage"]["low"], true);
    assert_eq!(
        rows(&doc)[0]["coverage"]["watched_from"],
        "2023-08-01T00:00:00Z"
    );
    assert_eq!(
        daily(&db, "github/br0l2tvcx85d", "2023-08-10"),
        (0, 0, 0, 0, 0, 1440)
    );
    // After the last fetch nothing is known either.
    assert_eq!(
        daily(&db, "github/br0l2tvcx85d", "2023-08-21"),
        (0, 0, 0, 0, 0, 1440)
    );
}

/// The offline replay's database (every source of `fixtures/replay.toml`).
fn replay(dir: &Path) -> PathBuf {
    let db = dir.join("replay.sqlite");
    statusdb()
        .args(["ingest", "--config"])
        .arg(fixtures_dir().join("replay.toml"))
        .arg("--db")
        .arg(&db)
        .assert()
        .success();
    db
}

#[test]
fn the_periods_a_report_computes_are_the_views_on_the_replay_database() {
    let dir = TempDir::new().unwrap();
    let db = replay(dir.path());
    let conn = rusqlite::Connection::open(&db).unwrap();
    let evidence = statusdb::uptime::evidence::Evidence::load(&conn, None, &[]).unwrap();
    let time =
        |ms: i64| statusdb::model::db_time(&chrono::DateTime::from_timestamp_millis(ms).unwrap());
    let mut ours = Vec::new();
    for c in &evidence.components {
        use statusdb::uptime::periods;
        let spans = periods::spans(&c.words, |i| evidence.incidents[i as usize].resolved_at);
        for p in periods::periods(&spans) {
            let told = periods::told_by(&spans, &p).unwrap();
            ours.push(format!(
                "{} {} {} {} {} {}",
                c.id,
                p.status,
                time(p.from),
                p.until.map_or("-".to_string(), time),
                told.word.origin.as_str(),
                told.word
                    .incident
                    .map_or("-", |i| evidence.incidents[i as usize].id.as_str())
            ));
        }
    }
    ours.sort();
    let mut view = sql_strings(
        &db,
        "SELECT component_id || ' ' || status || ' ' || started_at || ' ' ||
                coalesce(ended_at, '-') || ' ' || origin || ' ' || coalesce(incident_id, '-')
         FROM component_status_periods",
    );
    view.sort();
    // Every vendor of the replay, with snapshots, updates, groups and open incidents.
    assert!(view.len() > 1900, "{}", view.len());
    assert_eq!(ours, view);
}

/// (component, period) → minutes as (operational, degraded, partial, major, maintenance,
/// unknown) and the default rule's downtime, from a view.
fn view_minutes(db: &Path, view: &str, period: &str, until: &str) -> Vec<String> {
    sql_strings(
        db,
        &format!(
            "SELECT component_id || ' ' || {period} || ' ' || operational || ' ' ||
                    degraded_performance || ' ' || partial_outage || ' ' || major_outage || ' ' ||
                    under_maintenance || ' ' || unknown || ' ' || printf('%.3f', downtime_minutes)
                    || ' ' || iif(uptime_percent IS NULL, '-', printf('%.3f', uptime_percent))
             FROM {view} WHERE {period} < '{until}' ORDER BY 1"
        ),
    )
}

/// Equal lists, or the first rows that differ.
fn assert_same(ours: &[String], views: &[String]) {
    let only_ours: Vec<&String> = ours.iter().filter(|r| !views.contains(r)).take(5).collect();
    let only_views: Vec<&String> = views.iter().filter(|r| !ours.contains(r)).take(5).collect();
    assert!(
        ours == views,
        "report only: {only_ours:#?}\nviews only: {only_views:#?}"
    );
}

fn report_minutes(doc: &serde_json::Value, period: usize) -> Vec<String> {
    let mut out: Vec<String> = rows(doc)
        .iter()
        .filter(|r| r["row"] == "component")
        .map(|r| {
            let (up, degraded, partial, major, maintenance, unknown) = minutes(r);
            format!(
                "{} {} {up} {degraded} {partial} {major} {maintenance} {unknown} {:.3} {}",
                r["component_id"].as_str().unwrap(),
                &r["window"]["from"].as_str().unwrap()[..period],
                r["downtime_minutes"].as_f64().unwrap(),
                r["uptime_percent"]
                    .as_f64()
                    .map_or("-".to_string(), |u| format!("{u:.3}"))
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn report_uptime_and_the_views_agree_to_the_minute_on_the_replay_database() {
    let dir = TempDir::new().unwrap();
    let db = replay(dir.path());
    let db_arg = db.to_str().unwrap();
    let report = |args: &[&str]| -> serde_json::Value {
        let out = statusdb()
            .args(["report", "uptime", "--format", "json", "--db", db_arg])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    // Every component and month from 2010 to the last whole month (the current one is still
    // going: the view counts it to its own "now").
    let this_month = chrono::Utc::now().format("%Y-%m").to_string();
    let doc = report(&[
        "--from",
        "2010-01-01",
        "--to",
        &format!("{this_month}-01"),
        "--by",
        "month",
    ]);
    let errors = schema_errors(&schema_validator("uptime-v1.schema.json"), &doc);
    assert!(errors.is_empty(), "{errors:#?}");
    // Groups (Fastly's, Python's, the Statuspage example's, ...) come before their members,
    // and hold at least the worst of them.
    let groups: Vec<&serde_json::Value> =
        rows(&doc).iter().filter(|r| r["row"] == "group").collect();
    assert!(groups.len() > 20, "{}", groups.len());
    for g in &groups {
        let members: Vec<&serde_json::Value> = rows(&doc)
            .iter()
            .filter(|r| {
                r["row"] == "component"
                    && r["vendor"] == g["vendor"]
                    && r["group"] == g["group"]
                    && r["window"]["to"] == g["window"]["to"]
            })
            .collect();
        // Every member named since, in the group's month.
        assert!(!members.is_empty(), "{g}");
        assert!(
            members.len() <= g["members"].as_array().unwrap().len(),
            "{g}"
        );
        for status in ["major_outage", "partial_outage"] {
            let worst = members
                .iter()
                .map(|m| m["minutes"][status].as_u64().unwrap())
                .max();
            assert!(g["minutes"][status].as_u64() >= worst, "{g}");
        }
    }
    let ours = report_minutes(&doc, 7);
    let views = view_minutes(&db, "component_uptime_monthly", "month", &this_month);
    assert!(views.len() > 1500, "{}", views.len());
    assert_same(&ours, &views);
    // Every component and day of two months of GitHub and Google Cloud history.
    for (from, to) in [("2023-07-01", "2023-09-01"), ("2022-06-01", "2022-08-01")] {
        let doc = report(&["--from", from, "--to", to, "--by", "day"]);
        let ours = report_minutes(&doc, 10);
        let views: Vec<String> = view_minutes(&db, "component_downtime_daily", "day", to)
            .into_iter()
            .filter(|r| r.split(' ').nth(1).is_some_and(|day| day >= from))
            .collect();
        assert!(views.len() > 1000, "{}", views.len());
        assert_same(&ours, &views);
    }
}

const SLA_TARGETS: &str = r#"
[[sla]]
name = "GitHub webhooks and pull requests"
vendor = "github"
components = ["Webhooks", "pull req*"]
target = 99.9
claim_window_days = 30
credits = [
  { below = 99.9, credit = 10 },
  { below = 99.5, credit = 25 },
  { below = 95.0, credit = 100 },
]

[[sla]]
name = "GitHub Pages"
vendor = "github"
components = ["Pages"]
target = 99.9
claim_window_days = 30
"#;

#[test]
fn report_sla_measures_each_target_with_its_breach_credit_claim_day_and_evidence() {
    let dir = TempDir::new().unwrap();
    let (_server, config, _db) = github_history(dir.path());
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{text}{SLA_TARGETS}")).unwrap();
    let check = statusdb()
        .args(["check-config", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(check.stdout).unwrap().lines().nth(1),
        Some("2 sla targets: GitHub webhooks and pull requests, GitHub Pages")
    );
    let sla = |args: &[&str]| {
        statusdb()
            .args([
                "report", "sla", "--month", "2023-08", "--now", NOW, "--config",
            ])
            .arg(&config)
            .args(args)
            .output()
            .unwrap()
    };
    let out = sla(&["--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors = schema_errors(&schema_validator("uptime-v1.schema.json"), &doc);
    assert!(errors.is_empty(), "{errors:#?}");
    // August 2023, 31 days, 44640 minutes. Webhooks (from the payloads): rk1918knvr0w
    // partial_outage 08-10 17:35 to 21:20 (225 minutes); fjj29dxw0m7c and ljhhhw2tplqp
    // overlapping on 08-15 17:24 to 21:46 (262); w86r7g2x32j1 08-23 15:38 to 16:23 (45);
    // spz29wshw9mh 08-29 02:14 to 02:34 (20); wqv4yvlgtq62 08-29 17:29 to 21:58 (269): 821.
    // Pull Requests ("pull req*" matches it): spz29wshw9mh 08-29 02:02 to 02:34, of which
    // 02:02 to 02:14 (12) Webhooks was not already down: the target is down 833 minutes,
    // 249.9 of downtime (x 0.3), uptime 100 x (1 - 249.9 / 44640) = 99.440%: below 99.9 and
    // 99.5, not 95: breached, 25% credit, to be claimed by 2023-08-31 + 30 days = 2023-09-30.
    let target = &doc["targets"][0];
    assert_eq!(target["name"], "GitHub webhooks and pull requests");
    assert_eq!(
        target["matched"],
        serde_json::json!([
            {"component_id": "github/hhtssxt0f5v2", "name": "Pull Requests"},
            {"component_id": "github/4230lsnqdsld", "name": "Webhooks"},
        ])
    );
    assert_eq!(minutes(target), (43807, 0, 833, 0, 0, 0));
    assert_eq!(target["downtime_minutes"], 249.9);
    assert_eq!(target["uptime_percent"], 99.44);
    assert_eq!(target["breached"], true);
    assert_eq!(target["credit_percent"], 25.0);
    assert_eq!(target["claim_by"], "2023-09-30");
    assert_eq!(target["longest_outage_minutes"], 269);
    // The evidence, oldest first, with where each time came from.
    let evidence: Vec<String> = target["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            format!(
                "{} {} ({}) {} ({}) {}",
                i["id"].as_str().unwrap(),
                i["started_at"].as_str().unwrap(),
                i["started_at_source"].as_str().unwrap(),
                i["resolved_at"].as_str().unwrap(),
                i["resolved_at_source"].as_str().unwrap(),
                i["anomalies"].as_array().unwrap().len()
            )
        })
        .collect();
    assert_eq!(
        evidence,
        [
            "github/rk1918knvr0w 2023-08-10T17:35:14.636Z (structured) 2023-08-10T21:20:23.511Z (structured) 0",
            "github/fjj29dxw0m7c 2023-08-15T17:24:50.660Z (structured) 2023-08-15T17:41:34.911Z (structured) 0",
            "github/ljhhhw2tplqp 2023-08-15T17:24:52.565Z (structured) 2023-08-15T21:46:57.245Z (structured) 0",
            "github/w86r7g2x32j1 2023-08-23T15:38:46.312Z (structured) 2023-08-23T16:23:11.719Z (structured) 0",
            "github/spz29wshw9mh 2023-08-29T01:59:19.988Z (structured) 2023-08-29T02:36:47.986Z (structured) 0",
            "github/wqv4yvlgtq62 2023-08-29T17:29:09.993Z (structured) 2023-08-29T21:58:10.626Z (structured) 0",
        ]
    );
    // Pages: no outage in August; not breached, nothing to claim.
    let pages = &doc["targets"][1];
    assert_eq!(
        (
            &pages["uptime_percent"],
            &pages["breached"],
            &pages["credit_percent"],
            &pages["claim_by"]
        ),
        (
            &serde_json::json!(100.0),
            &serde_json::json!(false),
            &serde_json::Value::Null,
            &serde_json::Value::Null
        )
    );
    assert_eq!(doc["breached"], 1);

    // A breach exits 0, or 3 for scripts that ask.
    assert_eq!(sla(&[]).status.code(), Some(0));
    let out = sla(&["--fail-on-breach"]);
    assert_eq!(out.status.code(), Some(3));
    let table = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        table.lines().next().unwrap(),
        "sla 2023-08 (2023-08-01T00:00:00Z to 2023-09-01T00:00:00Z): downtime = major_outage x 1 \
         + partial_outage x 0.3 (instatus); maintenance taken out of the window; 1 of 2 targets \
         breached; 100% of the minutes known"
    );
    // No breach, no exit 3.
    let out = statusdb()
        .args([
            "report",
            "sla",
            "--month",
            "2023-07",
            "--now",
            NOW,
            "--fail-on-breach",
        ])
        .args(["--format", "csv", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    // July 2023: no word names Webhooks. Pull Requests: shbq71s0g00z partial_outage from
    // 07-18 16:43:54 to its resolution at 16:44:11 (one minute once seconds are dropped:
    // 16:43 to 16:44) and 6503rcn8s34s (the data-centre power failure) from 07-21 13:36:14 to
    // its resolution at 14:01:48 (25): 26 minutes, 7.8 down of 44640, 99.983%. Pages:
    // 6503rcn8s34s partial from 13:27:38 to its operational word at 14:01:19 (34; 10.2 down,
    // 99.977%). Neither breaches 99.9.
    assert_eq!(out.status.code(), Some(0), "{csv}");
    assert_eq!(
        csv.lines().collect::<Vec<_>>(),
        [
            "target,vendor,components,target_percent,uptime_percent,breached,credit_percent,claim_by,downtime_minutes,unknown,incidents,incident_ids",
            "GitHub webhooks and pull requests,github,Pull Requests; Webhooks,99.9,99.983,no,,,7.8,0,2,github/shbq71s0g00z github/6503rcn8s34s",
            "GitHub Pages,github,Pages,99.9,99.977,no,,,10.2,0,1,github/6503rcn8s34s",
        ]
    );
}

#[test]
fn the_table_csv_and_markdown_say_the_same_numbers() {
    let dir = TempDir::new().unwrap();
    let (_server, config, _db) = github_history(dir.path());
    let report = |format: &str| {
        let out = statusdb()
            .args([
                "report",
                "uptime",
                "--now",
                NOW,
                "--from",
                "2023-08-15",
                "--to",
            ])
            .args([
                "2023-08-16",
                "--component",
                "Webhooks",
                "--component",
                "pull*",
            ])
            .args(["--format", format, "--config"])
            .arg(&config)
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| l.trim_end().to_string())
            .collect::<Vec<_>>()
    };
    // Webhooks as worked out in overlapping_incidents_on_one_component_count_once; Pull
    // Requests has no word on 2023-08-15: 1440 operational minutes.
    let header = "uptime 2023-08-15T00:00:00Z to 2023-08-16T00:00:00Z (1 day): downtime = \
                  major_outage x 1 + partial_outage x 0.3 (instatus); maintenance taken out of \
                  the window; 100% of the minutes known";
    assert_eq!(
        report("table"),
        [
            header,
            " VENDOR  GROUP  COMPONENT      MAJOR  PARTIAL  DEGRADED  MAINTENANCE  UNKNOWN  DOWNTIME  UPTIME %  INCIDENTS  LONGEST  KNOWN %  DOWNTIME_INCIDENTS",
            " github         Pull Requests      0        0         0            0        0         0   100.000          0        0    100.0",
            " github         Webhooks           0      262         0            0        0      78.6    94.542          2      262    100.0  github/fjj29dxw0m7c github/ljhhhw2tplqp",
        ]
    );
    assert_eq!(
        report("markdown"),
        [
            header,
            "",
            "| VENDOR | GROUP | COMPONENT     | MAJOR | PARTIAL | DEGRADED | MAINTENANCE | UNKNOWN | DOWNTIME | UPTIME % | INCIDENTS | LONGEST | KNOWN % | DOWNTIME_INCIDENTS                      |",
            "|--------|-------|---------------|-------|---------|----------|-------------|---------|----------|----------|-----------|---------|---------|-----------------------------------------|",
            "| github |       | Pull Requests |     0 |       0 |        0 |           0 |       0 |        0 |  100.000 |         0 |       0 |   100.0 |                                         |",
            "| github |       | Webhooks      |     0 |     262 |        0 |           0 |       0 |     78.6 |   94.542 |         2 |     262 |   100.0 | github/fjj29dxw0m7c github/ljhhhw2tplqp |",
        ]
    );
    assert_eq!(
        report("csv"),
        [
            "row,vendor,group,component_id,name,from,to,operational,degraded_performance,partial_outage,major_outage,under_maintenance,unknown,downtime_minutes,uptime_percent,incidents,maintenances,longest_outage_minutes,known_percent,downtime_incidents",
            "component,github,,github/hhtssxt0f5v2,Pull Requests,2023-08-15T00:00:00Z,2023-08-16T00:00:00Z,1440,0,0,0,0,0,0,100.000,0,0,0,100,",
            "component,github,,github/4230lsnqdsld,Webhooks,2023-08-15T00:00:00Z,2023-08-16T00:00:00Z,1178,0,262,0,0,0,78.6,94.542,2,0,262,100,github/fjj29dxw0m7c github/ljhhhw2tplqp",
        ]
    );
}

#[test]
fn windows_and_weights_that_cannot_be_are_refused() {
    let dir = TempDir::new().unwrap();
    let (_server, config, _db) = github_history(dir.path());
    for (args, message) in [
        (
            vec!["--month", "2023-13"],
            "statusdb: --month \"2023-13\" is not YYYY-MM",
        ),
        (
            vec!["--from", "2023-08-02", "--to", "2023-08-01"],
            "statusdb: --to must be after --from",
        ),
        (
            vec!["--from", "2027-01-01"],
            "statusdb: --to must be after --from",
        ),
        (
            vec!["--weight", "under_maintenance=1"],
            "error: invalid value 'under_maintenance=1' for '--weight <STATUS=W>': \
             \"under_maintenance\" has no weight; weigh major_outage, partial_outage or \
             degraded_performance (maintenance: --maintenance)",
        ),
    ] {
        let out = statusdb()
            .args(["report", "uptime", "--now", NOW, "--config"])
            .arg(&config)
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.lines().next().unwrap(), message, "{args:?}");
    }
    // report sla without targets says where to put them.
    let out = statusdb()
        .args(["report", "sla", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .ends_with("config.toml: no [[sla]] targets (docs/REPORTS.md)\n")
    );
}
