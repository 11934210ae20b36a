//! Alerts through the real binary: two vendors' Statuspage pages served on 127.0.0.1, `ingest`
//! making change events, and recording receivers (webhook, Statuspage-shaped webhook, Slack,
//! Teams, PagerDuty) on the same loopback server. Bodies are held whole in snapshots; retries,
//! dead letters, the time bound and a SIGKILL during delivery are tested on real processes.

use hmac::{KeyInit, Mac};
use serde::Deserialize;
use serde_json::{Value, json};
use statusdb_testkit::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

const HOOK_SECRET: &str = "s3cret-shared-with-the-receiver";
const PD_ROUTING_KEY: &str = "R0UT1NGKEYR0UT1NGKEYR0UT1NGKEY00";

fn load(relative: &str) -> Value {
    serde_json::from_slice(&fixture(relative)).unwrap()
}

/// A vendor's Statuspage page: the summary and the incidents list.
fn serve_page(server: &TestServer, base: &str, summary: &Value, incidents: &[Value]) {
    let mut summary = summary.clone();
    summary["incidents"] = json!(
        incidents
            .iter()
            .filter(|i| !matches!(i["status"].as_str(), Some("resolved" | "postmortem")))
            .collect::<Vec<_>>()
    );
    server.serve(
        &format!("{base}api/v2/summary.json"),
        serde_json::to_vec(&summary).unwrap(),
    );
    server.serve(
        &format!("{base}api/v2/incidents.json"),
        serde_json::to_vec(&json!({"page": summary["page"], "incidents": incidents})).unwrap(),
    );
}

fn github() -> Value {
    load("statuspage/github-summary-2022-11-25.json")
}

fn atlassian() -> Value {
    load("statuspage/summary-with-groups.from-docs.json")
}

/// Both vendors as first ingested: GitHub's Packages incident under way (major), Atlassian's
/// database outage identified (critical).
fn serve_before(server: &TestServer) {
    let gh = github();
    serve_page(server, "/gh/", &gh, &[gh["incidents"][0].clone()]);
    let at = atlassian();
    serve_page(server, "/at/", &at, &[at["incidents"][0].clone()]);
}

fn update(id: &str, incident: &str, status: &str, at: &str, body: &str) -> Value {
    json!({"id": id, "status": status, "body": body, "incident_id": incident,
           "created_at": at, "updated_at": at, "display_at": at,
           "affected_components": [], "deliver_notifications": true,
           "custom_tweet": null, "tweet_id": null})
}

/// GitHub after: the Packages incident resolved, a new minor incident with Git Operations, and
/// Git Operations degraded.
fn serve_github_after(server: &TestServer) {
    serve_github_with(server, "degraded_performance");
}

/// GitHub after, with Git Operations in this status.
fn serve_github_with(server: &TestServer, git_operations: &str) {
    let mut gh = github();
    gh["components"][0]["status"] = json!(git_operations);
    gh["components"][0]["updated_at"] = json!("2022-11-25T16:31:05.000Z");
    let mut resolved = gh["incidents"][0].clone();
    resolved["status"] = json!("resolved");
    resolved["resolved_at"] = json!("2022-11-25T16:20:00.000Z");
    resolved["updated_at"] = json!("2022-11-25T16:20:00.000Z");
    resolved["incident_updates"].as_array_mut().unwrap().insert(
        0,
        update(
            "zz9resolved1",
            "ljwdk6qml8z8",
            "resolved",
            "2022-11-25T16:20:00.000Z",
            "This incident has been resolved.",
        ),
    );
    let mut opened = gh["incidents"][0].clone();
    opened["id"] = json!("zz9gitops001");
    opened["name"] = json!("Disruption with some GitHub services");
    opened["impact"] = json!("minor");
    opened["shortlink"] = json!("https://stspg.io/zz9gitops");
    opened["created_at"] = json!("2022-11-25T16:31:00.000Z");
    opened["updated_at"] = json!("2022-11-25T16:31:00.000Z");
    opened["started_at"] = json!("2022-11-25T16:31:00.000Z");
    opened["components"] = json!([gh["components"][0].clone()]);
    let mut first = update(
        "zz9gitopsu01",
        "zz9gitops001",
        "investigating",
        "2022-11-25T16:31:00.000Z",
        "We are investigating reports of degraded performance for Git Operations. <details> & more soon.",
    );
    first["affected_components"] = json!([{"code": "8l4ygp009s5s", "name": "Git Operations",
        "old_status": "operational", "new_status": "degraded_performance"}]);
    opened["incident_updates"] = json!([first]);
    serve_page(server, "/gh/", &gh, &[opened, resolved]);
}

/// Atlassian after: its critical outage is being monitored (an update, still open).
fn serve_atlassian_after(server: &TestServer) {
    let at = atlassian();
    let mut incident = at["incidents"][0].clone();
    incident["status"] = json!("monitoring");
    incident["updated_at"] = json!("2024-06-19T10:30:00.000-07:00");
    incident["incident_updates"].as_array_mut().unwrap().insert(
        0,
        update(
            "zz9monitor01",
            "p31zjtct2jer",
            "monitoring",
            "2024-06-19T10:30:00.000-07:00",
            "A fix has been implemented and we are monitoring the results.",
        ),
    );
    serve_page(server, "/at/", &at, &[incident]);
}

/// A test's directory, config and database, with the secrets its targets read.
struct World {
    server: TestServer,
    _dir: TempDir,
    config: PathBuf,
    db: PathBuf,
    env: Vec<(String, String)>,
}

impl World {
    /// Two sources (GitHub, Atlassian) and these `[[notify]]` entries (`{server}` is the
    /// loopback server's address) and `[delivery]` lines.
    fn new(delivery: &str, targets: &str) -> World {
        let server = TestServer::start();
        serve_before(&server);
        let dir = TempDir::new().unwrap();
        let sources = [
            SourceSpec::new("github", "github", "statuspage", server.url("/gh/")),
            SourceSpec::new("atlassian", "atlassian", "statuspage", server.url("/at/")),
        ];
        let config = write_config(dir.path(), &sources);
        let base = server.url("");
        let extra = format!(
            "\n[delivery]\n{delivery}\n{}",
            targets.replace("{server}", &base)
        );
        let mut text = std::fs::read_to_string(&config).unwrap();
        text.push_str(&extra);
        std::fs::write(&config, text).unwrap();
        let env = vec![
            ("STATUSDB_TEST_HOOK_SECRET".into(), HOOK_SECRET.into()),
            (
                "STATUSDB_TEST_SLACK_URL".into(),
                server.url("/slack/services/T000/B000/XXXXSECRETXXXX"),
            ),
            (
                "STATUSDB_TEST_TEAMS_URL".into(),
                server.url("/teams/workflows/abc/triggers/manual/paths/invoke?sig=SIGSECRET"),
            ),
            ("STATUSDB_TEST_PD_KEY".into(), PD_ROUTING_KEY.into()),
        ];
        World {
            db: dir.path().join("statusdb.sqlite"),
            server,
            _dir: dir,
            config,
            env,
        }
    }

    fn cmd(&self, args: &[&str]) -> assert_cmd::Command {
        let mut cmd = statusdb();
        cmd.args(args).arg("--config").arg(&self.config);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        self.cmd(args).output().unwrap()
    }

    /// Runs `ingest` (with these extra arguments) and expects a clean run.
    fn ingest(&self, extra: &[&str]) {
        let mut args = vec!["ingest"];
        args.extend_from_slice(extra);
        let out = self.run(&args);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert_eq!(text(&out.stderr), "");
    }

    /// Ingest's second state, each vendor in its own run so event ids are always the same:
    /// GitHub's two events (ids 1 and 2), then Atlassian's (id 3).
    fn make_events(&self) {
        self.ingest(&[]);
        serve_github_after(&self.server);
        self.ingest(&["--source", "github"]);
        serve_atlassian_after(&self.server);
        self.ingest(&["--source", "atlassian"]);
    }

    /// `statusdb events` lines since run 1, as printed.
    fn event_lines(&self) -> Vec<String> {
        let out = self.run(&["events", "--since-run", "1"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout).lines().map(str::to_string).collect()
    }

    fn status(&self) -> BTreeMap<String, Value> {
        let out = self.run(&["notify", "--status", "--format", "json"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let list: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        list.into_iter()
            .map(|t| (t["id"].as_str().unwrap().to_string(), t))
            .collect()
    }

    /// Holds the delivery lock, so an `ingest` leaves its alerts to a later `notify`.
    fn hold_delivery_lock(&self) -> std::fs::File {
        let mut name = self.db.as_os_str().to_owned();
        name.push(".notify.lock");
        let file = std::fs::File::create(PathBuf::from(name)).unwrap();
        file.try_lock().unwrap();
        file
    }
}

const ALL_TARGETS: &str = r#"
[[notify]]
id = "everything"
kind = "webhook"
url = "{server}/hooks/everything"
secret_env = "STATUSDB_TEST_HOOK_SECRET"

[[notify]]
id = "github-statuspage"
kind = "webhook"
url = "{server}/hooks/statuspage"
format = "statuspage"
vendors = ["github"]

[[notify]]
id = "slack-packages"
kind = "slack"
url_env = "STATUSDB_TEST_SLACK_URL"
components = ["pack*", "git operations"]

[[notify]]
id = "pager-major"
kind = "pagerduty"
url = "{server}/pagerduty/v2/enqueue"
routing_key_env = "STATUSDB_TEST_PD_KEY"
min_impact = "major"

[[notify]]
id = "teams-opened"
kind = "teams"
url_env = "STATUSDB_TEST_TEAMS_URL"
events = ["incident_opened"]
"#;

const PATHS: [&str; 5] = [
    "/hooks/everything",
    "/hooks/statuspage",
    "/slack/services/T000/B000/XXXXSECRETXXXX",
    "/pagerduty/v2/enqueue",
    "/teams/workflows/abc/triggers/manual/paths/invoke",
];

fn answer_ok(server: &TestServer) {
    for path in PATHS {
        server.route(path, Route::status(200, "ok"));
    }
    // PagerDuty accepts with 202 and a small JSON document.
    server.route(
        "/pagerduty/v2/enqueue",
        Route::status(
            202,
            r#"{"status":"success","message":"Event processed","dedup_key":"x"}"#,
        )
        .content_type("application/json"),
    );
}

/// A body with the run's own times (when the pages were fetched) replaced by placeholders,
/// in every form the payloads write them (RFC 3339, Slack's date token, UTC words), and the
/// loopback server's address by `<server>`.
fn stable(body: &[u8], events: &[Value], server: &str) -> Value {
    let mut text = text(body).replace(server, "http://<server>");
    for e in events {
        let recorded = e["recorded_at"].as_str().unwrap();
        let t = chrono::DateTime::parse_from_rfc3339(recorded).unwrap();
        text = text
            .replace(recorded, "<recorded_at>")
            .replace(&format!("^{}^", t.timestamp()), "^<recorded_at epoch>^")
            .replace(
                &t.format("%Y-%m-%d %H:%M UTC").to_string(),
                "<recorded_at UTC>",
            );
    }
    serde_json::from_str(&text).unwrap()
}

#[test]
fn each_target_receives_exactly_the_events_its_filter_lets_through() {
    let world = World::new("time_limit = \"10s\"\ntimeout = \"5s\"", ALL_TARGETS);
    answer_ok(&world.server);
    // A first ingest records history and sends nothing.
    world.ingest(&[]);
    for path in PATHS {
        assert_eq!(world.server.received(path).len(), 0, "{path}");
    }
    serve_github_after(&world.server);
    world.ingest(&["--source", "github"]);
    serve_atlassian_after(&world.server);
    world.ingest(&["--source", "atlassian"]);

    let lines = world.event_lines();
    let events: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary: Vec<String> = events
        .iter()
        .map(|e| {
            let subject = e["incident"]["id"]
                .as_str()
                .or(e["component"]["name"].as_str())
                .unwrap();
            let level = e["incident"]["impact"]
                .as_str()
                .or(e["component"]["status"].as_str())
                .unwrap();
            format!(
                "{} {} {subject} {level}",
                e["id"],
                e["type"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            "1 incident_opened github/zz9gitops001 minor",
            "2 incident_resolved github/ljwdk6qml8z8 major",
            "3 component_status_changed Git Operations degraded_performance",
            "4 incident_updated atlassian/p31zjtct2jer critical",
        ]
    );

    // Every key is sent once: each is the target's own for its event.
    let mut keys = std::collections::BTreeSet::new();
    for path in PATHS {
        for r in world.server.received(path) {
            assert_eq!(r.method, "POST");
            assert_eq!(r.header("content-type"), Some("application/json"));
            assert_eq!(r.status / 100, 2);
            let key = r.header("idempotency-key").unwrap().to_string();
            assert!(keys.insert(key.clone()), "key {key} sent twice");
        }
    }

    // `webhook`: every event, each body byte for byte the `statusdb events` line, signed.
    let everything = world.server.received("/hooks/everything");
    assert_eq!(everything.len(), 4);
    for (r, line) in everything.iter().zip(&lines) {
        assert_eq!(text(&r.body), *line);
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(HOOK_SECRET.as_bytes()).unwrap();
        mac.update(&r.body);
        let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        assert_eq!(r.header("x-statusdb-signature"), Some(expected.as_str()));
    }
    // Only the signed target carries a signature.
    for r in world.server.received("/hooks/statuspage") {
        assert_eq!(r.header("x-statusdb-signature"), None);
    }

    // The others, filtered by vendor, component, impact and type, each named by what its
    // body says the event is about.
    let event_of = |path: &str| -> Vec<String> {
        let received = world.server.received(path);
        let mut out = Vec::new();
        for r in &received {
            let body = r.json();
            let id = body["incident"]["id"]
                .as_str()
                .or(body["component"]["id"].as_str())
                .or(body["dedup_key"].as_str())
                .or(body["attachments"][0]["blocks"][0]["text"]["text"].as_str())
                .or(body["attachments"][0]["content"]["body"][1]["text"].as_str())
                .unwrap()
                .to_string();
            out.push(id);
        }
        out
    };
    assert_eq!(
        event_of("/hooks/statuspage"),
        [
            "github/zz9gitops001",
            "github/ljwdk6qml8z8",
            "github/8l4ygp009s5s"
        ]
    );
    assert_eq!(
        event_of(PATHS[2]),
        [
            "🟡 github: Disruption with some GitHub services",
            "✅ github: Incident with Packages and Pages",
            "🟡 github: Git Operations"
        ]
    );
    assert_eq!(
        event_of("/pagerduty/v2/enqueue"),
        ["github/ljwdk6qml8z8", "atlassian/p31zjtct2jer"]
    );
    assert_eq!(
        event_of(PATHS[4]),
        ["github: Disruption with some GitHub services"]
    );

    // The Statuspage shape reads as Statuspage's documented webhook, with the values of the
    // events: the vendor's page now partly down (Packages partial outage, Git Operations
    // degraded), updates newest first.
    let statuspage: Vec<StatuspageWebhook> = world
        .server
        .received("/hooks/statuspage")
        .iter()
        .map(|r| {
            serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{e}: {}", text(&r.body)))
        })
        .collect();
    for body in &statuspage {
        assert_eq!(body.page.id, "github");
        assert_eq!(body.page.status_indicator, Indicator::Major);
        assert_eq!(body.page.status_description, "Partial System Outage");
    }
    let opened = statuspage[0].incident.as_ref().unwrap();
    assert_eq!(
        (
            &opened.status,
            &opened.impact,
            opened.incident_updates.len()
        ),
        (&SpStatus::Investigating, &SpImpact::Minor, 1)
    );
    let resolved = statuspage[1].incident.as_ref().unwrap();
    assert_eq!(
        (
            &resolved.status,
            &resolved.impact,
            resolved.incident_updates.len()
        ),
        (&SpStatus::Resolved, &SpImpact::Major, 8)
    );
    assert_eq!(resolved.incident_updates[0].id, "github/zz9resolved1");
    assert_eq!(
        resolved.resolved_at.map(|t| t.to_rfc3339()),
        Some("2022-11-25T16:20:00+00:00".into())
    );
    assert!(statuspage[2].incident.is_none());
    let change = statuspage[2].component_update.as_ref().unwrap();
    assert_eq!(
        (change.old_status.as_str(), change.new_status.as_str()),
        ("operational", "degraded_performance")
    );
    assert_eq!(
        statuspage[2].component.as_ref().unwrap().name,
        "Git Operations"
    );

    // Whole bodies.
    let bodies = |path: &str| -> Vec<Value> {
        world
            .server
            .received(path)
            .iter()
            .map(|r| stable(&r.body, &events, &world.server.url("")))
            .collect()
    };
    insta::assert_json_snapshot!("slack", bodies(PATHS[2]));
    insta::assert_json_snapshot!("teams", bodies(PATHS[4]));
    insta::assert_json_snapshot!("pagerduty", bodies("/pagerduty/v2/enqueue"));
    insta::assert_json_snapshot!("statuspage", bodies("/hooks/statuspage"));

    // Every delivery is recorded as such; nothing is pending.
    let status = world.status();
    let counts: Vec<(String, i64, i64)> = status
        .values()
        .map(|t| {
            (
                t["id"].as_str().unwrap().to_string(),
                t["delivered"].as_i64().unwrap(),
                t["pending"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        [
            ("everything".into(), 4, 0),
            ("github-statuspage".into(), 3, 0),
            ("pager-major".into(), 2, 0),
            ("slack-packages".into(), 3, 0),
            ("teams-opened".into(), 1, 0),
        ]
    );
    // A notify run now has nothing to send.
    let out = world.run(&["notify"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        PATHS
            .iter()
            .map(|p| world.server.received(p).len())
            .sum::<usize>(),
        13
    );
}

/// Atlassian Statuspage's subscriber webhook as its documentation describes it: `meta`, `page`,
/// then `incident` (with `incident_updates`) or `component_update` and `component`. Unknown
/// fields are refused, so statusdb sends nothing a strict consumer would not expect.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct StatuspageWebhook {
    meta: Meta,
    page: Page,
    incident: Option<SpIncident>,
    component_update: Option<ComponentUpdate>,
    component: Option<SpComponent>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Meta {
    unsubscribe: String,
    documentation: String,
    generated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Page {
    id: String,
    status_indicator: Indicator,
    status_description: String,
}

#[derive(Deserialize, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
enum Indicator {
    None,
    Minor,
    Major,
    Critical,
    Maintenance,
}

#[derive(Deserialize, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
enum SpStatus {
    Investigating,
    Identified,
    Monitoring,
    Resolved,
    Postmortem,
    Scheduled,
    InProgress,
    Verifying,
    Completed,
}

#[derive(Deserialize, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
enum SpImpact {
    None,
    Minor,
    Major,
    Critical,
    Maintenance,
}

type Time = chrono::DateTime<chrono::Utc>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct SpIncident {
    id: String,
    name: String,
    status: SpStatus,
    impact: SpImpact,
    impact_override: Option<SpImpact>,
    created_at: Time,
    updated_at: Time,
    monitoring_at: Option<Time>,
    resolved_at: Option<Time>,
    shortlink: Option<String>,
    scheduled_for: Option<Time>,
    scheduled_until: Option<Time>,
    scheduled_remind_prior: bool,
    scheduled_reminded_at: Option<Time>,
    scheduled_auto_in_progress: bool,
    scheduled_auto_completed: bool,
    scheduled_auto_transition: bool,
    postmortem_body: Option<String>,
    postmortem_body_last_updated_at: Option<Time>,
    postmortem_ignored: bool,
    postmortem_notified_subscribers: bool,
    postmortem_notified_twitter: bool,
    postmortem_published_at: Option<Time>,
    backfilled: bool,
    page_id: String,
    organization_id: String,
    incident_updates: Vec<SpUpdate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct SpUpdate {
    id: String,
    incident_id: String,
    status: SpStatus,
    body: String,
    created_at: Time,
    updated_at: Time,
    display_at: Time,
    wants_twitter_update: bool,
    twitter_updated_at: Option<Time>,
    custom_tweet: Option<String>,
    deliver_notifications: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ComponentUpdate {
    id: String,
    component_id: String,
    component_type: String,
    old_status: String,
    new_status: String,
    created_at: Time,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct SpComponent {
    id: String,
    page_id: String,
    group_id: Option<String>,
    name: String,
    description: Option<String>,
    status: String,
    created_at: Time,
    updated_at: Time,
    showcase: bool,
}

/// The WARN lines of a run's stderr.
fn warnings(stderr: &[u8]) -> Vec<String> {
    text(stderr)
        .lines()
        .filter(|l| l.contains(" WARN "))
        .map(str::to_string)
        .collect()
}

const FLAKY: &str = r#"
[[notify]]
id = "flaky"
kind = "webhook"
url = "{server}/hooks/flaky"
"#;

#[test]
fn a_receiver_failing_twice_gets_every_event_once_among_its_successes_after_three_runs() {
    let world = World::new("retry_base_delay = \"1s\"\nretry_max_delay = \"5s\"", FLAKY);
    world.server.routes(
        "/hooks/flaky",
        vec![
            Route::status(500, "upstream broke"),
            Route::status(503, "still broken").header("retry-after", "0"),
            Route::status(200, "ok"),
        ],
    );
    // Ingest leaves the alerts to `notify` while it holds the delivery lock.
    let lock = world.hold_delivery_lock();
    world.make_events();
    assert_eq!(world.server.received("/hooks/flaky").len(), 0);
    drop(lock);

    // Run 1: the oldest delivery is refused for now; the target waits (one WARN line).
    let out = world.run(&["notify"]);
    assert_eq!(out.status.code(), Some(1));
    let warned = warnings(&out.stderr);
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(
        warned[0].contains("notify target flaky (webhook): HTTP 500: upstream broke"),
        "{}",
        warned[0]
    );
    let status = &world.status()["flaky"];
    assert_eq!(
        (
            &status["pending"],
            &status["delivered"],
            &status["failed_tries"]
        ),
        (&json!(4), &json!(0), &json!(1))
    );
    assert_eq!(status["last_error"], "HTTP 500: upstream broke");
    // Not due yet: a run right away sends nothing.
    let out = world.run(&["notify"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(world.server.received("/hooks/flaky").len(), 1);

    // Run 2 after the first wait: refused again.
    std::thread::sleep(Duration::from_millis(1100));
    let out = world.run(&["notify"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(world.server.received("/hooks/flaky").len(), 2);

    // Run 3 after the doubled wait: everything goes through, in event order.
    std::thread::sleep(Duration::from_millis(2100));
    let out = world.run(&["notify"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let received = world.server.received("/hooks/flaky");
    let lines = world.event_lines();
    assert_eq!(
        received.iter().map(|r| r.status).collect::<Vec<_>>(),
        [500, 503, 200, 200, 200, 200]
    );
    let delivered: Vec<&Received> = received.iter().filter(|r| r.status == 200).collect();
    assert_eq!(
        delivered.iter().map(|r| text(&r.body)).collect::<Vec<_>>(),
        lines
    );
    let mut keys: Vec<&str> = delivered
        .iter()
        .map(|r| r.header("idempotency-key").unwrap())
        .collect();
    // The refused tries carried the first event's key, as its success did.
    assert_eq!(received[0].header("idempotency-key"), Some(keys[0]));
    assert_eq!(received[1].header("idempotency-key"), Some(keys[0]));
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 4);
    let status = &world.status()["flaky"];
    assert_eq!(
        (
            &status["pending"],
            &status["delivered"],
            &status["failed_tries"]
        ),
        (&json!(0), &json!(4), &json!(2))
    );

    // A target added now receives only the events recorded after it was added.
    let late = FLAKY
        .replace("\"flaky\"", "\"late\"")
        .replace("/hooks/flaky", "/hooks/late")
        .replace("{server}", &world.server.url(""));
    let mut config = std::fs::read_to_string(&world.config).unwrap();
    config.push_str(&late);
    std::fs::write(&world.config, config).unwrap();
    world.server.route("/hooks/late", Route::status(200, "ok"));
    let out = world.run(&["notify"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(world.server.received("/hooks/late").len(), 0);
    let status = &world.status()["late"];
    assert_eq!(
        (&status["pending"], &status["delivered"]),
        (&json!(0), &json!(0))
    );
    assert!(status["added_at"].is_string());
    // Git Operations recovers after it was added: that it is told.
    serve_github_with(&world.server, "operational");
    world.ingest(&["--source", "github"]);
    let late = world.server.received("/hooks/late");
    assert_eq!(late.len(), 1);
    assert_eq!(late[0].json()["type"], "component_status_changed");
    assert_eq!(late[0].json()["id"], 5);
}

#[test]
fn refused_deliveries_fail_with_their_reason_and_tries_run_out_into_the_dead_letters() {
    let world = World::new(
        "max_attempts = 2\nretry_base_delay = \"100ms\"\nretry_max_delay = \"100ms\"",
        r#"
[[notify]]
id = "gone"
kind = "webhook"
url = "{server}/hooks/gone"

[[notify]]
id = "busy"
kind = "webhook"
url = "{server}/hooks/busy"

[[notify]]
id = "down"
kind = "webhook"
url = "{server}/hooks/down"
"#,
    );
    world
        .server
        .route("/hooks/gone", Route::status(404, "no such hook\n"));
    world.server.route(
        "/hooks/busy",
        Route::status(429, "slow down").header("retry-after", "120"),
    );
    world
        .server
        .route("/hooks/down", Route::status(503, "maintenance"));
    let lock = world.hold_delivery_lock();
    world.make_events();
    drop(lock);

    let before = chrono::Utc::now();
    let out = world.run(&["notify"]);
    assert_eq!(out.status.code(), Some(1));
    // One WARN line per target that had trouble.
    let warned = warnings(&out.stderr);
    assert_eq!(warned.len(), 3, "{warned:?}");
    std::thread::sleep(Duration::from_millis(150));
    let out = world.run(&["notify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        warnings(&out.stderr).iter().any(|w| w.contains(
            "notify target down (webhook): HTTP 503: maintenance; dead-lettered after 2 tries"
        )),
        "{}",
        text(&out.stderr)
    );

    let status = world.status();
    // 4xx: every delivery failed for good at once, each tried once.
    let gone = &status["gone"];
    assert_eq!(
        (&gone["failed"], &gone["pending"], &gone["failed_tries"]),
        (&json!(4), &json!(0), &json!(4))
    );
    assert_eq!(gone["last_error"], "HTTP 404: no such hook");
    // 429 with Retry-After: 120 s: tried once, waiting two minutes as asked.
    let busy = &status["busy"];
    assert_eq!(
        (&busy["pending"], &busy["failed_tries"]),
        (&json!(4), &json!(1))
    );
    let next: chrono::DateTime<chrono::Utc> =
        busy["next_attempt_at"].as_str().unwrap().parse().unwrap();
    let wait = (next - before).num_seconds();
    assert!((119..=125).contains(&wait), "{wait}");
    assert_eq!(world.server.received("/hooks/busy").len(), 1);
    // 503 twice: the oldest delivery is dead-lettered; the next waits its turn.
    let down = &status["down"];
    assert_eq!(
        (
            &down["dead_lettered"],
            &down["pending"],
            &down["failed_tries"]
        ),
        (&json!(1), &json!(3), &json!(2))
    );

    // The table for people, and the metrics beside the sources'.
    let out = world.run(&["notify", "--status"]);
    let table = text(&out.stdout);
    let rows: Vec<Vec<&str>> = table
        .lines()
        .map(|l| l.split_whitespace().take(6).collect())
        .collect();
    assert_eq!(
        rows[..4],
        [
            vec!["TARGET", "KIND", "PENDING", "DELIVERED", "FAILED", "DEAD"],
            vec!["busy", "webhook", "4", "0", "0", "0"],
            vec!["down", "webhook", "3", "0", "0", "1"],
            vec!["gone", "webhook", "0", "0", "4", "0"],
        ]
    );
    assert!(table.contains("HTTP 404: no such hook"), "{table}");
    world.server.route("/hooks/down", Route::status(200, "ok"));
    let metrics = world.db.with_file_name("statusdb.prom");
    let out = world.run(&["ingest", "--metrics-file", metrics.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let metrics = std::fs::read_to_string(&metrics).unwrap();
    let notify_lines: Vec<&str> = metrics
        .lines()
        .filter(|l| l.starts_with("statusdb_notify_"))
        .collect();
    assert_eq!(
        notify_lines,
        [
            "statusdb_notify_pending{target=\"busy\",kind=\"webhook\"} 4",
            "statusdb_notify_pending{target=\"down\",kind=\"webhook\"} 0",
            "statusdb_notify_pending{target=\"gone\",kind=\"webhook\"} 0",
            "statusdb_notify_dead_lettered{target=\"busy\",kind=\"webhook\"} 0",
            "statusdb_notify_dead_lettered{target=\"down\",kind=\"webhook\"} 1",
            "statusdb_notify_dead_lettered{target=\"gone\",kind=\"webhook\"} 0",
            "statusdb_notify_failed_total{target=\"busy\",kind=\"webhook\"} 1",
            "statusdb_notify_failed_total{target=\"down\",kind=\"webhook\"} 2",
            "statusdb_notify_failed_total{target=\"gone\",kind=\"webhook\"} 4",
        ]
    );
    assert!(metrics.contains("# TYPE statusdb_notify_failed_total counter\n"));
}

#[test]
fn a_receiver_that_never_answers_costs_one_run_at_most_the_time_limit() {
    let silent = SilentServer::start();
    let world = World::new(
        "time_limit = \"2s\"\ntimeout = \"30s\"",
        &format!(
            "\n[[notify]]\nid = \"silent\"\nkind = \"webhook\"\nurl = \"{}\"\n\n\
             [[notify]]\nid = \"slack\"\nkind = \"slack\"\nurl_env = \"STATUSDB_TEST_DEAD_SLACK\"\n",
            silent.url("/hooks/silent")
        ),
    );
    let mut world = world;
    // A Slack URL whose path is its secret, where nothing listens.
    let dead_slack = refused_url("/services/T000/B000/TOPSECRETTOKEN");
    world
        .env
        .push(("STATUSDB_TEST_DEAD_SLACK".into(), dead_slack.clone()));
    world.ingest(&[]);
    serve_github_after(&world.server);
    // Ingest's own deliveries are bounded, never fail the run, and say so once per target.
    let started = Instant::now();
    let out = world.run(&["ingest"]);
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(took >= Duration::from_secs(2), "{took:?}");
    assert!(took < Duration::from_millis(4500), "{took:?}");
    let warned = warnings(&out.stderr);
    assert_eq!(warned.len(), 2, "{warned:?}");
    assert!(
        warned[0].contains(
            "notify target silent (webhook): no answer within the delivery time limit (2s)"
        ),
        "{}",
        warned[0]
    );
    assert!(
        warned[1].contains("notify target slack (slack): cannot connect"),
        "{}",
        warned[1]
    );
    // The secret URL is never printed nor stored.
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("TOPSECRETTOKEN"), "{stderr}");
    let stored = sql_strings(
        &world.db,
        "SELECT coalesce(last_error, '') FROM notify_targets
         UNION ALL SELECT coalesce(last_error, '') FROM notify_deliveries",
    );
    assert!(
        stored.iter().all(|e| !e.contains("TOPSECRETTOKEN")),
        "{stored:?}"
    );
    let status = world.status();
    assert_eq!(status["silent"]["pending"], 3);
    assert_eq!(status["slack"]["pending"], 3);

    // And `statusdb notify` alone, likewise.
    let started = Instant::now();
    // Past the first wait (30 s is the default base): make the deliveries due again.
    sql_exec(
        &world.db,
        "UPDATE notify_deliveries SET next_attempt_at = NULL",
    );
    let out = world.run(&["notify"]);
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(1));
    assert!(took >= Duration::from_secs(2), "{took:?}");
    assert!(took < Duration::from_millis(4500), "{took:?}");
}

fn sql_exec(db: &Path, sql: &str) {
    rusqlite::Connection::open(db)
        .unwrap()
        .execute_batch(sql)
        .unwrap();
}

#[test]
fn a_sigkill_during_delivery_loses_no_delivery() {
    let world = World::new(
        "time_limit = \"30s\"",
        "\n[[notify]]\nid = \"slow\"\nkind = \"webhook\"\nurl = \"{server}/hooks/slow\"\n",
    );
    world.server.route(
        "/hooks/slow",
        Route::status(200, "ok").delayed(Duration::from_millis(600)),
    );
    let lock = world.hold_delivery_lock();
    world.make_events();
    drop(lock);
    let lines = world.event_lines();
    assert_eq!(lines.len(), 4);

    let mut child = Command::new(env!("CARGO_BIN_EXE_statusdb"))
        .arg("notify")
        .arg("--config")
        .arg(&world.config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Killed while the second delivery waits for its answer: the first was answered and
    // recorded just before the second went out.
    let deadline = Instant::now() + Duration::from_secs(20);
    while world.server.received("/hooks/slow").len() < 2 {
        assert!(Instant::now() < deadline, "the second delivery never came");
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(sql_strings(&world.db, "PRAGMA integrity_check"), ["ok"]);
    assert_eq!(
        sql_strings(
            &world.db,
            "SELECT state || ' ' || count(*) FROM notify_deliveries GROUP BY state ORDER BY state"
        ),
        ["delivered 1", "pending 3"]
    );

    world.server.route("/hooks/slow", Route::status(200, "ok"));
    let out = world.run(&["notify"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let received = world.server.received("/hooks/slow");
    // The delivery cut off by the kill went out again, with the same key: a receiver that
    // dedupes on it sees each event once.
    assert_eq!(received.len(), 5);
    assert_eq!(
        received[1].header("idempotency-key"),
        received[2].header("idempotency-key")
    );
    let mut bodies: Vec<String> = received.iter().map(|r| text(&r.body)).collect();
    bodies.dedup();
    assert_eq!(bodies, lines);
    assert_eq!(
        sql_strings(
            &world.db,
            "SELECT state || ' ' || count(*) FROM notify_deliveries GROUP BY state"
        ),
        ["delivered 4"]
    );
}

#[test]
fn check_config_names_a_secret_missing_from_the_environment() {
    let world = World::new("", ALL_TARGETS);
    let out = world.run(&["check-config"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).ends_with(
            "5 notify targets: everything, github-statuspage, slack-packages, pager-major, teams-opened\n"
        ),
        "{}",
        text(&out.stdout)
    );
    let out = world
        .cmd(&["check-config"])
        .env_remove("STATUSDB_TEST_SLACK_URL")
        .env("STATUSDB_TEST_PD_KEY", "")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let config = world.config.display().to_string();
    let text = text(&out.stderr);
    let lines: Vec<&str> = text.lines().collect();
    let line_of = |needle: &str| {
        std::fs::read_to_string(&world.config)
            .unwrap()
            .lines()
            .position(|l| l.contains(needle))
            .unwrap()
            + 1
    };
    assert_eq!(
        lines,
        [
            format!(
                "statusdb: {config}:{}:11: environment variable STATUSDB_TEST_SLACK_URL \
                 (url_env of notify target \"slack-packages\") is not set",
                line_of("\"STATUSDB_TEST_SLACK_URL\"")
            ),
            format!(
                "statusdb: {config}:{}:19: environment variable STATUSDB_TEST_PD_KEY \
                 (routing_key_env of notify target \"pager-major\") is not set",
                line_of("\"STATUSDB_TEST_PD_KEY\"")
            ),
        ]
    );
    // A URL variable that holds no URL is named too, without its value.
    let out = world
        .cmd(&["check-config"])
        .env("STATUSDB_TEST_TEAMS_URL", "hooks-secret-value")
        .output()
        .unwrap();
    let stderr = fails_saying(
        &out,
        2,
        &[
            "environment variable STATUSDB_TEST_TEAMS_URL (url_env of notify target \"teams-opened\") is not a URL",
        ],
    );
    assert!(!stderr.contains("hooks-secret-value"), "{stderr}");
}
