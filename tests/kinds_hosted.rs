//! The hosted status-page products other than Statuspage: incident.io, Instatus, Better Stack,
//! status.io, Cachet and plain RSS/Atom feeds. Every expected value below was read from the
//! fixture named beside it (fixtures/README.md says where each comes from).

// Tuples of expected values read better in assertions than named types.
#![allow(clippy::type_complexity)]

use chrono::{DateTime, Utc};
use serde_json::Value;
use statusdb::model::{
    ComponentStatus, Impact, IncidentKind, Observation, ObservedIncident, Status, TimeSource,
};
use statusdb::providers::{Kind, PageInput};
use statusdb_testkit::*;
use tempfile::TempDir;

fn fetched_at() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-10-10T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn parse_body(kind: Kind, body: &[u8], url: &str, zone: Option<chrono_tz::Tz>) -> Observation {
    kind.parse(&PageInput {
        url,
        body,
        fetched_at: fetched_at(),
        zone,
    })
    .unwrap_or_else(|e| panic!("{url}: {e}"))
}

fn parse(kind: Kind, file: &str, url: &str) -> Observation {
    parse_body(kind, &fixture(file), url, None)
}

fn parse_error(kind: Kind, body: &[u8], url: &str) -> String {
    kind.parse(&PageInput {
        url,
        body,
        fetched_at: fetched_at(),
        zone: None,
    })
    .expect_err("the page must be refused")
    .to_string()
}

/// (native id, posted_at, status) of each update, in observation order.
fn updates(i: &ObservedIncident) -> Vec<(Option<&str>, String, Option<Status>)> {
    i.updates
        .iter()
        .map(|u| (u.native_id.as_deref(), utc(&u.posted_at), u.status))
        .collect()
}

const HTML: &[u8] =
    b"<!DOCTYPE html>\n<html><head><title>Status</title></head><body>All good</body></html>";

// ---------------------------------------------------------------------------------------------
// incident.io

const OPENAI: &str = "https://status.openai.com/api/v2/summary.json";

#[test]
fn incidentio_summary_without_incidents_key_lists_components_only() {
    let o = parse(
        Kind::Incidentio,
        "incidentio/openai-summary-2026-10-09-operational.json",
        OPENAI,
    );
    assert!(o.incidents.is_empty());
    assert_eq!(o.components.len(), 25);
    assert!(
        o.components
            .iter()
            .all(|c| c.status == ComponentStatus::Operational && c.status_raw == "operational")
    );
    // Two components named "Login", told apart by their ULIDs.
    let logins: Vec<&str> = o
        .components
        .iter()
        .filter(|c| c.name == "Login")
        .map(|c| c.native_id.as_deref().unwrap())
        .collect();
    assert_eq!(
        logins,
        ["01JSM5RTJWHRWDTS6Q604VEW3B", "01JMXBNJXG1S2D9V65P1ZZTD94"]
    );
    assert_eq!(
        utc_opt(&o.components[0].updated_at).as_deref(),
        Some("2026-09-29T18:29:41Z")
    );
    let page = o.page.unwrap();
    assert_eq!(page.name.as_deref(), Some("OpenAI"));
    assert_eq!(page.url.as_deref(), Some("https://status.openai.com/"));
    assert!(o.notes.is_empty());
}

#[test]
fn incidentio_summary_with_two_incidents_keeps_ulids_markdown_and_order() {
    let o = parse(
        Kind::Incidentio,
        "incidentio/openai-summary-2026-09-29-two-incidents.reformatted.json",
        OPENAI,
    );
    assert_eq!(o.components.len(), 25);
    let operational: Vec<&str> = o
        .components
        .iter()
        .filter(|c| c.status == ComponentStatus::Operational)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(operational, ["Ads API", "Decisions", "dots"]);
    assert_eq!(
        o.components
            .iter()
            .filter(|c| c.status == ComponentStatus::DegradedPerformance)
            .count(),
        22
    );

    assert_eq!(o.incidents.len(), 2);
    let errors = observed_incident(&o, "01M3Q4RK1SM4EMK445GGPG7C0N");
    assert_eq!(
        errors.title,
        "Elevated errors across ChatGPT, Codex, and the API including the Agents API"
    );
    assert_eq!(errors.kind, IncidentKind::Incident);
    assert_eq!(
        errors.url.as_deref(),
        Some("https://status.openai.com/incidents/01M3Q4RK1SM4EMK445GGPG7C0N")
    );
    assert_eq!(errors.impact, Some(Impact::Minor));
    assert_eq!(errors.status, Some(Status::Investigating));
    assert_eq!(
        utc_opt(&errors.created_at).as_deref(),
        Some("2026-09-29T17:52:52Z")
    );
    assert_eq!(errors.started_at, None);
    assert_eq!(errors.resolved_at, None);
    // Updates lack affected_components: no component is invented.
    assert!(errors.components.is_empty());
    assert_eq!(
        updates(errors),
        [
            (
                Some("01M3Q4RK1S5K0NQDA0FZ267QJC"),
                "2026-09-29T17:52:52Z".to_string(),
                Some(Status::Investigating)
            ),
            (
                Some("01M3Q6J3T2220NEB407NX63SS9"),
                "2026-09-29T18:24:17Z".to_string(),
                Some(Status::Investigating)
            ),
        ]
    );
    assert_eq!(
        errors.updates[1].body,
        "We’re investigating elevated errors affecting ChatGPT, Codex, and the API including the \
         Agents API.\n\nSome users may experience failed requests, difficulty logging in or signing \
         up, and tasks that do not complete. We’ll share updates as we learn more."
    );

    let chat = observed_incident(&o, "01M3Q4HMNP8SZ27DTZKW6F5BJ4");
    assert_eq!(chat.title, "Support chat unavailable");
    assert_eq!(chat.impact, Some(Impact::None));
    assert_eq!(
        updates(chat),
        [
            (
                Some("01M3Q4HMNPYS4EAN2T4TZFXA2J"),
                "2026-09-29T17:49:05Z".to_string(),
                Some(Status::Investigating)
            ),
            (
                Some("01M3Q4X0946G4SRQZJ9EWWBD20"),
                "2026-09-29T17:55:17Z".to_string(),
                Some(Status::Investigating)
            ),
        ]
    );
    assert!(
        chat.updates[0]
            .body
            .contains("[support@openai.com](mailto:support@openai.com \"support@openai.com\")")
    );
}

#[test]
fn incidentio_null_incidents_full_outage_and_unknown_words() {
    let body = br#"{
      "page": {"id": "01JMDK9XYNY6RXSED6SDWW50WY", "name": "X", "url": "https://status.example.com"},
      "components": [
        {"id": "01JMXBRMFE6N2NNT7DG6XZQ6PW", "name": "API", "status": "full_outage"},
        {"id": "01JMXBRMFE6N2NNT7DG6XZQ6PX", "name": "Web", "status": "mostly_fine"}
      ],
      "incidents": null
    }"#;
    let o = parse_body(Kind::Incidentio, body, OPENAI, None);
    assert!(o.incidents.is_empty());
    assert_eq!(o.components[0].status, ComponentStatus::MajorOutage);
    assert_eq!(o.components[0].status_raw, "full_outage");
    assert_eq!(o.components[1].status, ComponentStatus::Unknown);
    assert_eq!(o.components[1].status_raw, "mostly_fine");
    assert_eq!(o.notes.len(), 1);
    assert_eq!(o.notes[0].place, "components[1]");
    assert!(
        o.notes[0].message.contains("\"mostly_fine\""),
        "{:?}",
        o.notes
    );
}

#[test]
fn incidentio_refuses_html_and_atlassian_statuspage_json() {
    let e = parse_error(Kind::Incidentio, HTML, OPENAI);
    assert!(
        e.starts_with(
            "not a incidentio page: an HTML page where incident.io JSON or Atom was expected"
        ),
        "{e}"
    );
    let e = parse_error(
        Kind::Incidentio,
        &fixture("statuspage/github-summary-2022-11-25.json"),
        OPENAI,
    );
    assert_eq!(
        e,
        "not a incidentio page: id \"kctbh9vrtdwd\" is not an incident.io ULID (an Atlassian \
         Statuspage page? use kind \"statuspage\") (at page.id)"
    );
}

#[test]
fn incidentio_feed_entries_carry_the_latest_update_and_components() {
    let o = parse(
        Kind::Incidentio,
        "incidentio/openai-feed.from-docs.atom",
        "https://status.openai.com/feed.atom",
    );
    assert_eq!(o.incidents.len(), 2);
    let errors = observed_incident(&o, "01M3Q4RK1SM4EMK445GGPG7C0N");
    assert_eq!(
        errors.aliases,
        ["https://status.openai.com/incidents/01M3Q4RK1SM4EMK445GGPG7C0N"]
    );
    assert_eq!(errors.status, Some(Status::Investigating));
    assert_eq!(errors.status_raw.as_deref(), Some("Investigating"));
    assert_eq!(
        utc_opt(&errors.created_at).as_deref(),
        Some("2026-09-29T17:52:52Z")
    );
    // Only the latest update is in the entry: the start is its publication, derived.
    let start = errors.started_at.as_ref().unwrap();
    assert_eq!(
        (utc(start), start.source),
        ("2026-09-29T17:52:52Z".to_string(), TimeSource::Derived)
    );
    assert_eq!(errors.components, ["Conversations", "Agents", "Login"]);
    assert_eq!(
        updates(errors),
        [(
            None,
            "2026-09-29T18:24:17Z".to_string(),
            Some(Status::Investigating)
        )]
    );
    let changes: Vec<(&str, ComponentStatus, &str)> = errors.updates[0]
        .components
        .iter()
        .map(|c| (c.name.as_str(), c.status, c.status_raw.as_str()))
        .collect();
    assert_eq!(
        changes,
        [
            (
                "Conversations",
                ComponentStatus::DegradedPerformance,
                "Degraded performance"
            ),
            (
                "Agents",
                ComponentStatus::DegradedPerformance,
                "Degraded performance"
            ),
            ("Login", ComponentStatus::PartialOutage, "Partial outage"),
        ]
    );
    // The same text as the JSON API's update of 18:24:17.
    assert!(errors.updates[0].body.starts_with(
        "We’re investigating elevated errors affecting ChatGPT, Codex, and the API including the Agents API.\n\nSome users"
    ));

    let sora = observed_incident(&o, "01M2ZK5Q8RVTB1V3F7X9HZ3W6N");
    assert_eq!(sora.status, Some(Status::Resolved));
    assert_eq!(
        utc_opt(&sora.started_at).as_deref(),
        Some("2026-09-24T14:05:10Z")
    );
    assert_eq!(
        updates(sora),
        [(
            None,
            "2026-09-24T16:41:33Z".to_string(),
            Some(Status::Resolved)
        )]
    );
    assert_eq!(
        sora.updates[0].components[0].status,
        ComponentStatus::MajorOutage
    );
    assert_eq!(sora.updates[0].components[0].status_raw, "Full outage");
    assert_eq!(
        sora.updates[0].body,
        "Video generation in Sora has recovered and all queued jobs have completed."
    );
}

#[test]
fn incidentio_proxy_gives_groups_affected_statuses_and_maintenances() {
    let o = parse(
        Kind::Incidentio,
        "incidentio/openai-proxy.from-docs.json",
        "https://status.openai.com/proxy/status.openai.com",
    );
    let components = component_rows(&o);
    use ComponentStatus::*;
    // "Legacy completions" is hidden: not listed. Sora stands outside any group.
    assert_eq!(
        components,
        [
            (
                "01JP8CD9JR3HR6Y7G4Q75N4DVW",
                "Responses",
                Some("APIs"),
                DegradedPerformance,
                "degraded_performance"
            ),
            (
                "01M3Q6W0264T1RJS1YEM47CAQJ",
                "Agents",
                Some("APIs"),
                DegradedPerformance,
                "degraded_performance"
            ),
            (
                "01JMXBRMFEMZK0HPK19RYET250",
                "Fine-tuning",
                Some("APIs"),
                DegradedPerformance,
                "degraded_performance"
            ),
            (
                "01JSM5RTJWHRWDTS6Q604VEW3B",
                "Login",
                Some("APIs"),
                DegradedPerformance,
                "degraded_performance"
            ),
            (
                "01JMXBNJXGV1T5GT2M9XA83XNG",
                "Conversations",
                Some("ChatGPT"),
                DegradedPerformance,
                "degraded_performance"
            ),
            (
                "01JMXBNJXG1S2D9V65P1ZZTD94",
                "Login",
                Some("ChatGPT"),
                PartialOutage,
                "partial_outage"
            ),
            (
                "01JTB2N4M6Q8R0S2V4W6Y8Z0A2",
                "Sora",
                None,
                MajorOutage,
                "full_outage"
            ),
        ]
    );

    assert_eq!(o.incidents.len(), 3);
    let errors = observed_incident(&o, "01M3Q4RK1SM4EMK445GGPG7C0N");
    assert_eq!(errors.kind, IncidentKind::Incident);
    assert_eq!(errors.status, Some(Status::Investigating));
    // current_worst_impact is a component word, not an impact: none is stated.
    assert_eq!(errors.impact, None);
    assert_eq!(errors.impact_raw, None);
    assert_eq!(
        utc_opt(&errors.created_at).as_deref(),
        Some("2026-09-29T17:52:52Z")
    );
    assert_eq!(
        updates(errors),
        [(
            None,
            "2026-09-29T18:24:17Z".to_string(),
            Some(Status::Investigating)
        )]
    );
    assert_eq!(errors.components, ["Conversations", "Agents", "Login"]);
    assert_eq!(
        errors.updates[0].components[2].native_id.as_deref(),
        Some("01JMXBNJXG1S2D9V65P1ZZTD94")
    );
    assert_eq!(errors.updates[0].components[2].status, PartialOutage);

    let start = errors.started_at.as_ref().unwrap();
    assert_eq!(
        (utc(start), start.source),
        ("2026-09-29T17:52:52Z".to_string(), TimeSource::Derived)
    );

    let sora = observed_incident(&o, "01M3Q9B2D4F6H8K0M2P4R6T8V0");
    assert_eq!(sora.status, Some(Status::Identified));
    // Published 18:02:40, last updated 18:20:05: it started when published.
    assert_eq!(
        utc_opt(&sora.started_at).as_deref(),
        Some("2026-09-29T18:02:40Z")
    );
    assert_eq!(sora.updates[0].components[0].status, MajorOutage);

    let maintenance = observed_incident(&o, "01M3R0A7C9E1G3J5K7M9P1R3T5");
    assert_eq!(maintenance.kind, IncidentKind::Maintenance);
    assert_eq!(maintenance.status, Some(Status::Scheduled));
    assert_eq!(
        maintenance.status_raw.as_deref(),
        Some("maintenance_scheduled")
    );
    assert_eq!(
        utc_opt(&maintenance.scheduled_for).as_deref(),
        Some("2026-10-03T16:00:00Z")
    );
    assert_eq!(
        utc_opt(&maintenance.scheduled_until).as_deref(),
        Some("2026-10-03T17:30:00Z")
    );
    assert_eq!(
        maintenance.updates[0].components[0].status,
        UnderMaintenance
    );
    assert!(o.notes.is_empty(), "{:?}", o.notes);
}

#[test]
fn incidentio_base_url_reads_the_statuspage_compatible_documents() {
    let url = url::Url::parse("https://status.openai.com").unwrap();
    let endpoints: Vec<(String, bool)> = Kind::Incidentio
        .endpoints(&url)
        .into_iter()
        .map(|e| (e.url.to_string(), e.required))
        .collect();
    assert_eq!(
        endpoints,
        [
            (
                "https://status.openai.com/api/v2/summary.json".to_string(),
                true
            ),
            (
                "https://status.openai.com/api/v2/incidents.json".to_string(),
                true
            ),
        ]
    );
    let proxy = url::Url::parse("https://status.openai.com/proxy/status.openai.com").unwrap();
    assert_eq!(Kind::Incidentio.endpoints(&proxy).len(), 1);
}

/// The JSON API, the proxy and the feed of one incident.io page, ingested as three sources of
/// one vendor over HTTP: the incident they share is one record, its updates merged.
#[test]
fn incidentio_three_documents_of_one_page_make_one_record_per_incident() {
    let server = TestServer::start();
    server.serve(
        "/api/v2/summary.json",
        fixture("incidentio/openai-summary-2026-09-29-two-incidents.reformatted.json"),
    );
    server.serve(
        "/proxy/status.openai.com",
        fixture("incidentio/openai-proxy.from-docs.json"),
    );
    server.route(
        "/feed.atom",
        Route::fixture("incidentio/openai-feed.from-docs.atom"),
    );
    let dir = TempDir::new().unwrap();
    let config = write_config(
        dir.path(),
        &[
            SourceSpec::new(
                "openai-api",
                "openai",
                "incidentio",
                server.url("/api/v2/summary.json"),
            ),
            SourceSpec::new(
                "openai-proxy",
                "openai",
                "incidentio",
                server.url("/proxy/status.openai.com"),
            ),
            SourceSpec::new(
                "openai-feed",
                "openai",
                "incidentio",
                server.url("/feed.atom"),
            ),
        ],
    );
    statusdb()
        .arg("ingest")
        .arg("--config")
        .arg(&config)
        .assert()
        .success();
    let doc = export_json(&config);
    let incidents = doc["incidents"].as_array().unwrap();
    let mut ids: Vec<&str> = incidents
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            "openai/01M2ZK5Q8RVTB1V3F7X9HZ3W6N",
            "openai/01M3Q4HMNP8SZ27DTZKW6F5BJ4",
            "openai/01M3Q4RK1SM4EMK445GGPG7C0N",
            "openai/01M3Q9B2D4F6H8K0M2P4R6T8V0",
            "openai/01M3R0A7C9E1G3J5K7M9P1R3T5",
        ]
    );
    let shared = incidents
        .iter()
        .find(|i| i["id"] == "openai/01M3Q4RK1SM4EMK445GGPG7C0N")
        .unwrap();
    assert_eq!(
        shared["sources"],
        serde_json::json!(["openai-api", "openai-feed", "openai-proxy"])
    );
    assert_eq!(
        shared["aliases"],
        serde_json::json!([
            "01M3Q4RK1SM4EMK445GGPG7C0N",
            "https://status.openai.com/incidents/01M3Q4RK1SM4EMK445GGPG7C0N"
        ])
    );
    assert_eq!(shared["status"], "investigating");
    assert_eq!(shared["started_at"], "2026-09-29T17:52:52Z");
    let posted = pairs(&shared["updates"], "posted_at", "status");
    // The proxy's and the feed's 18:24:17 update is the API's update 01M3Q6J3T2220NEB407NX63SS9.
    assert_eq!(
        posted,
        [
            ("2026-09-29T17:52:52Z", "investigating"),
            ("2026-09-29T18:24:17Z", "investigating"),
        ]
    );
    assert_eq!(
        shared["updates"][1]["components"],
        serde_json::json!([
            {"name": "Conversations", "status": "degraded_performance"},
            {"name": "Agents", "status": "degraded_performance"},
            {"name": "Login", "status": "partial_outage"}
        ])
    );
    // 25 components from the API, plus Sora and the ChatGPT "Login" (01JMXBNJXG1S...), listed
    // only by the proxy.
    assert_eq!(doc["components"].as_array().unwrap().len(), 27);
    // A second run changes nothing.
    statusdb()
        .arg("ingest")
        .arg("--config")
        .arg(&config)
        .assert()
        .success();
    assert_eq!(
        without_run_times(export_json(&config)),
        without_run_times(doc)
    );
}

// ---------------------------------------------------------------------------------------------
// Instatus

#[test]
fn instatus_summary_with_active_incidents() {
    let o = parse(
        Kind::Instatus,
        "instatus/demo-summary-hasissues.json",
        "https://instatus.instatus.com/summary.json",
    );
    let page = o.page.as_ref().unwrap();
    assert_eq!(page.name.as_deref(), Some("testing-sms"));
    assert_eq!(page.url.as_deref(), Some("https://instatus.instatus.com"));
    assert_eq!(o.incidents.len(), 2);
    let partial = observed_incident(&o, "clq3wc2ap1350bronl8974nko");
    assert_eq!(partial.title, "partial");
    assert_eq!(partial.status, Some(Status::Investigating));
    assert_eq!(partial.status_raw.as_deref(), Some("INVESTIGATING"));
    assert_eq!(partial.impact, Some(Impact::Major));
    assert_eq!(partial.impact_raw.as_deref(), Some("PARTIALOUTAGE"));
    assert_eq!(
        utc_opt(&partial.started_at).as_deref(),
        Some("2023-12-13T14:58:14.917Z")
    );
    assert_eq!(
        partial.url.as_deref(),
        Some("https://instatus.instatus.com/clq3wc2ap1350bronl8974nko")
    );
    let degraded = observed_incident(&o, "clq3wa0jh18301b7ogv9747apy");
    assert_eq!(degraded.impact, Some(Impact::Minor));
    assert_eq!(
        utc_opt(&degraded.started_at).as_deref(),
        Some("2023-12-13T14:56:36.026Z")
    );
    assert!(o.notes.is_empty());
}

#[test]
fn instatus_maintenances_not_started_yet_with_durations_in_minutes() {
    let o = parse(
        Kind::Instatus,
        "instatus/gcore-summary-2026-09-07-maintenances.json",
        "https://status.gcore.com/summary.json",
    );
    let windows: Vec<(
        &str,
        IncidentKind,
        Option<Status>,
        String,
        String,
        TimeSource,
    )> = o
        .incidents
        .iter()
        .map(|i| {
            let until = i.scheduled_until.as_ref().unwrap();
            (
                i.native_id.as_deref().unwrap(),
                i.kind,
                i.status,
                utc_opt(&i.scheduled_for).unwrap(),
                utc(until),
                until.source,
            )
        })
        .collect();
    assert_eq!(
        windows,
        [
            (
                "cmtlnoty400tz1bk3ehvx261c",
                IncidentKind::Maintenance,
                Some(Status::Scheduled),
                "2026-09-10T08:00:00Z".to_string(),
                "2026-09-10T08:15:00Z".to_string(),
                TimeSource::Derived
            ),
            (
                "cmsdeath700px0zppe9l2xz6p",
                IncidentKind::Maintenance,
                Some(Status::Scheduled),
                "2026-09-14T05:00:00Z".to_string(),
                "2026-09-14T09:00:00Z".to_string(),
                TimeSource::Derived
            ),
        ]
    );
    assert_eq!(o.incidents[0].status_raw.as_deref(), Some("NOTSTARTEDYET"));
    assert_eq!(
        o.incidents[0].title,
        "[Scheduled] Cloud | Chicago Maintenance"
    );
}

#[test]
fn instatus_components_nest_three_levels_of_groups() {
    let o = parse(
        Kind::Instatus,
        "instatus/gcore-v3-components-trimmed.json",
        "https://status.gcore.com/v3/components.json",
    );
    let components = component_states(&o);
    // Gcore Systems, CDN and Global services are groups of others: not components themselves.
    assert_eq!(
        components,
        [
            ("API", Some("Gcore Systems"), ComponentStatus::Operational),
            (
                "Advanced Analytics",
                Some("CDN / Global services"),
                ComponentStatus::Operational
            ),
            (
                "API Documentation",
                Some("Gcore Systems"),
                ComponentStatus::Operational
            ),
        ]
    );
}

#[test]
fn instatus_refuses_html_and_statuspage_json() {
    let url = "https://status.gcore.com/summary.json";
    let e = parse_error(Kind::Instatus, HTML, url);
    assert!(
        e.starts_with("not a instatus page: an HTML page where Instatus JSON or Atom was expected"),
        "{e}"
    );
    let e = parse_error(
        Kind::Instatus,
        &fixture("statuspage/github-summary-2022-11-25.json"),
        url,
    );
    assert!(
        e.starts_with("not a instatus page: JSON has neither an Instatus page"),
        "{e}"
    );
}

// ---------------------------------------------------------------------------------------------
// Better Stack

#[test]
fn betterstack_index_sections_resources_reports_and_updates() {
    let o = parse(
        Kind::Betterstack,
        "betterstack/betterstack-index-2026-09-07-trimmed.json",
        "https://status.betterstack.com/index.json",
    );
    let page = o.page.as_ref().unwrap();
    assert_eq!(page.name.as_deref(), Some("Better Stack"));
    assert_eq!(page.url.as_deref(), Some("https://status.betterstack.com"));
    assert_eq!(page.time_zone.as_deref(), Some("Etc/UTC"));
    let components = component_rows(&o);
    assert_eq!(
        components,
        [
            (
                "4018902",
                "Better Stack",
                Some("Better Stack"),
                ComponentStatus::Operational,
                "operational"
            ),
            (
                "4188755",
                "Uptime",
                Some("Uptime"),
                ComponentStatus::Operational,
                "operational"
            ),
            (
                "4188756",
                "Uptime backend processing health",
                Some("Uptime"),
                ComponentStatus::Unknown,
                "not_monitored"
            ),
        ]
    );

    assert_eq!(o.incidents.len(), 3);
    let europe = observed_incident(&o, "1050825");
    assert_eq!(europe.kind, IncidentKind::Incident);
    assert_eq!(europe.title, "Delayed data processing in the Europe region");
    assert_eq!(
        europe.url.as_deref(),
        Some("https://status.betterstack.com/incident/1050825")
    );
    assert_eq!(europe.status, Some(Status::Resolved));
    assert_eq!(
        utc_opt(&europe.started_at).as_deref(),
        Some("2026-09-04T13:50:00Z")
    );
    // ends_at is null: the resolution is the last update, derived.
    let resolved = europe.resolved_at.as_ref().unwrap();
    assert_eq!(utc(resolved), "2026-09-06T19:13:00Z");
    assert_eq!(resolved.source, TimeSource::Derived);
    // Updates state no incident status. The document lists them in no order of time or id
    // (5709883, 5713636, 5708773, 5719311): the parser gives them sorted by time, as the
    // Observation asks of a format without an order (the normalizer flags a listed order its
    // times contradict, and this one states none).
    assert_eq!(
        updates(europe),
        [
            (Some("5708773"), "2026-09-04T13:50:00Z".to_string(), None),
            (Some("5709883"), "2026-09-04T19:53:00Z".to_string(), None),
            (Some("5713636"), "2026-09-05T15:23:00Z".to_string(), None),
            (Some("5719311"), "2026-09-06T19:13:00Z".to_string(), None),
        ]
    );

    let migration = observed_incident(&o, "1035022");
    assert_eq!(migration.kind, IncidentKind::Maintenance);
    assert_eq!(migration.status, Some(Status::Completed));
    assert_eq!(migration.status_raw.as_deref(), Some("resolved"));
    assert_eq!(
        utc_opt(&migration.scheduled_for).as_deref(),
        Some("2026-09-03T00:00:00Z")
    );
    assert_eq!(
        utc_opt(&migration.scheduled_until).as_deref(),
        Some("2026-09-03T17:00:00Z")
    );

    // The trimmed document lacks resource 4188758 and five updates: said, not dropped silently.
    let missing_resource = o
        .notes
        .iter()
        .filter(|n| {
            n.message
                .starts_with("affected resource 4188758 is not among")
        })
        .count();
    let missing_updates = o
        .notes
        .iter()
        .filter(|n| n.message.contains("is not included in the document"))
        .count();
    assert_eq!(
        (missing_resource, missing_updates, o.notes.len()),
        (4, 5, 9)
    );
}

#[test]
fn betterstack_rails_zone_names_become_iana() {
    let body = br#"{"data": {"id": "209713", "type": "status_page",
      "attributes": {"company_name": "Latitude", "timezone": "Madrid", "custom_domain": "status.latitude.so"}},
      "included": []}"#;
    let o = parse_body(
        Kind::Betterstack,
        body,
        "https://status.latitude.so/index.json",
        None,
    );
    assert_eq!(o.page.unwrap().time_zone.as_deref(), Some("Europe/Madrid"));
    let body = br#"{"data": {"id": "1", "type": "status_page",
      "attributes": {"company_name": "X", "timezone": "Atlantis"}}, "included": []}"#;
    let o = parse_body(
        Kind::Betterstack,
        body,
        "https://status.example.com/index.json",
        None,
    );
    assert_eq!(o.page.unwrap().time_zone, None);
    assert_eq!(o.notes.len(), 1);
    assert!(o.notes[0].message.contains("\"Atlantis\""));
}

#[test]
fn betterstack_refuses_other_json_and_html() {
    let url = "https://status.betterstack.com/index.json";
    let e = parse_error(
        Kind::Betterstack,
        &fixture("cachet/demo-api-v1-components.json"),
        url,
    );
    assert!(
        e.starts_with("not a betterstack page: body is not Better Stack JSON:API"),
        "{e}"
    );
    let e = parse_error(Kind::Betterstack, HTML, url);
    assert!(e.starts_with("not a betterstack page: an HTML page"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// status.io

#[test]
fn statusio_containers_are_components_grouped_by_their_component() {
    let o = parse(
        Kind::Statusio,
        "statusio/nintex-status.served-part.json",
        "https://api.status.io/1.0/status/566925105401bb333d000014",
    );
    // 27 components with 73 containers between them (counted in the payload).
    assert_eq!(o.components.len(), 73);
    assert!(o.incidents.is_empty());
    let designer: Vec<(&str, &str)> = o
        .components
        .iter()
        .filter(|c| {
            c.group.as_deref() == Some("Nintex Workflow for Office 365 - Workflow Designer")
        })
        .map(|c| (c.native_id.as_deref().unwrap(), c.name.as_str()))
        .collect();
    assert_eq!(
        designer,
        [
            (
                "566925105401bb333d000024/566927e61212f8873c00001c",
                "Australia"
            ),
            (
                "566925105401bb333d000024/56692802162d054731000015",
                "Europe"
            ),
            ("566925105401bb333d000024/566926cf5401bb333d00002a", "Japan"),
            (
                "566925105401bb333d000024/566925105401bb333d000023",
                "United States"
            ),
        ]
    );
    let first = &o.components[0];
    assert_eq!(first.name, "United States");
    assert_eq!(
        first.group.as_deref(),
        Some("Nintex Licensing and Permitting")
    );
    assert_eq!(first.status, ComponentStatus::Operational);
    assert_eq!(first.status_raw, "100 Operational");
    assert_eq!(
        utc_opt(&first.updated_at).as_deref(),
        Some("2025-04-18T01:12:27.981Z")
    );
    assert!(
        o.components
            .iter()
            .all(|c| c.status == ComponentStatus::Operational)
    );
}

#[test]
fn statusio_incident_messages_and_maintenances() {
    let o = parse(
        Kind::Statusio,
        "statusio/status-with-incident.from-docs.json",
        "https://api.status.io/1.0/status/5a89ef6740eba40d1c3bb4a6",
    );
    let components = component_states(&o);
    assert_eq!(
        components,
        [
            (
                "Virginia",
                Some("Website"),
                ComponentStatus::UnderMaintenance
            ),
            ("Virginia", Some("Mobile App"), ComponentStatus::Operational),
            (
                "Ireland",
                Some("Mobile App"),
                ComponentStatus::PartialOutage
            ),
        ]
    );
    let login = observed_incident(&o, "61ae3e7fa163f805d867f0c2");
    assert_eq!(login.kind, IncidentKind::Incident);
    assert_eq!(login.title, "Mobile App login failures in Ireland");
    assert_eq!(
        utc_opt(&login.created_at).as_deref(),
        Some("2021-12-06T16:40:12.004Z")
    );
    assert_eq!(login.components, ["Mobile App"]);
    assert_eq!(
        updates(login),
        [
            (
                Some("61ae3e7fa163f805d867f0c3"),
                "2021-12-06T16:40:12.004Z".to_string(),
                Some(Status::Investigating)
            ),
            (
                Some("61ae3f10e3e33c05d23d5301"),
                "2021-12-06T16:48:31.112Z".to_string(),
                Some(Status::Identified)
            ),
        ]
    );
    assert_eq!(login.updates[1].components[0].name, "Mobile App");
    assert_eq!(
        login.updates[1].components[0].status,
        ComponentStatus::PartialOutage
    );
    assert_eq!(login.updates[1].components[0].status_raw, "400");

    let active = observed_incident(&o, "61ae3e5ba163f805d867f0b9");
    assert_eq!(active.kind, IncidentKind::Maintenance);
    assert_eq!(active.status, Some(Status::InProgress));
    assert_eq!(
        utc_opt(&active.scheduled_for).as_deref(),
        Some("2021-12-06T16:45:00Z")
    );
    assert_eq!(
        utc_opt(&active.scheduled_until).as_deref(),
        Some("2021-12-06T18:45:00Z")
    );
    let upcoming = observed_incident(&o, "61b0c1a2e3e33c05d23d5420");
    assert_eq!(upcoming.status, Some(Status::Scheduled));
    assert_eq!(
        utc_opt(&upcoming.scheduled_for).as_deref(),
        Some("2021-12-12T02:00:00Z")
    );
    // A maintenance message's state is not an incident state: no status invented.
    assert_eq!(upcoming.updates[0].status, None);
    assert_eq!(
        upcoming.updates[0].components[0].status,
        ComponentStatus::UnderMaintenance
    );
}

#[test]
fn statusio_refuses_statuspage_json_and_html() {
    let url = "https://api.status.io/1.0/status/x";
    let e = parse_error(
        Kind::Statusio,
        &fixture("statuspage/github-summary-2022-11-25.json"),
        url,
    );
    assert_eq!(
        e,
        "not a statusio page: JSON has no \"result\": not a status.io public status API response"
    );
    let e = parse_error(Kind::Statusio, HTML, url);
    assert!(e.starts_with("not a statusio page: an HTML page"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// Cachet

const AMSTERDAM: Option<chrono_tz::Tz> = Some(chrono_tz::Europe::Amsterdam);

#[test]
fn cachet_components_incidents_and_schedules_in_the_source_zone() {
    let url = "https://demo.cachethq.io/api/v1/components";
    let o = parse_body(
        Kind::Cachet,
        &fixture("cachet/demo-api-v1-components.json"),
        url,
        AMSTERDAM,
    );
    let names: Vec<(&str, &str, ComponentStatus)> = o
        .components
        .iter()
        .map(|c| (c.native_id.as_deref().unwrap(), c.name.as_str(), c.status))
        .collect();
    use ComponentStatus::Operational;
    assert_eq!(
        names,
        [
            ("1", "API", Operational),
            ("2", "Documentation", Operational),
            ("3", "Website", Operational),
            ("4", "Laravel Artisan Cheatsheet", Operational),
            ("5", "Checkmango", Operational),
            ("6", "GitHub", Operational),
        ]
    );
    // 13:00:03 in Amsterdam in September (CEST, +02:00).
    let updated = o.components[0].updated_at.as_ref().unwrap();
    assert_eq!(utc(updated), "2026-09-12T11:00:03Z");
    assert_eq!(updated.raw, "2026-09-12 13:00:03");
    assert!(o.follow.is_empty());

    let url = "https://demo.cachethq.io/api/v1/incidents";
    let o = parse_body(
        Kind::Cachet,
        &fixture("cachet/demo-api-v1-incidents.json"),
        url,
        AMSTERDAM,
    );
    let monkeys = observed_incident(&o, "incidents/1");
    assert_eq!(monkeys.title, "Our monkeys aren't performing");
    assert_eq!(
        monkeys.url.as_deref(),
        Some("https://demo.cachethq.io/incidents/1")
    );
    assert_eq!(monkeys.status, Some(Status::Resolved));
    assert_eq!(monkeys.status_raw.as_deref(), Some("4"));
    assert_eq!(
        utc_opt(&monkeys.started_at).as_deref(),
        Some("2026-09-12T11:00:03Z")
    );
    // The incident's message first (status 1), then the updates oldest first: the API lists
    // them newest first (ids 1 Fixed, 2 Watching, 3 Identified).
    let at = "2026-09-12T11:00:03Z".to_string();
    assert_eq!(
        updates(monkeys),
        [
            (None, at.clone(), Some(Status::Investigating)),
            (Some("updates/3"), at.clone(), Some(Status::Identified)),
            (Some("updates/2"), at.clone(), Some(Status::Monitoring)),
            (Some("updates/1"), at.clone(), Some(Status::Resolved)),
        ]
    );
    assert_eq!(
        monkeys.updates[0].body,
        "We're investigating an issue with our monkeys not performing as they should be."
    );
    // `meta` is [] on this one.
    let unresolved = observed_incident(&o, "incidents/2");
    assert_eq!(unresolved.status, Some(Status::Monitoring));
    assert_eq!(
        updates(unresolved),
        [
            (None, at.clone(), Some(Status::Investigating)),
            (Some("updates/4"), at.clone(), Some(Status::Monitoring)),
        ]
    );

    let url = "https://demo.cachethq.io/api/v1/schedules";
    let o = parse_body(
        Kind::Cachet,
        &fixture("cachet/demo-api-v1-schedules.json"),
        url,
        AMSTERDAM,
    );
    let demo = observed_incident(&o, "schedules/1");
    assert_eq!(demo.kind, IncidentKind::Maintenance);
    assert_eq!(demo.status, Some(Status::Scheduled));
    assert_eq!(
        utc_opt(&demo.scheduled_for).as_deref(),
        Some("2026-09-12T13:00:03Z")
    );
    // completed_at before scheduled_at: kept as written, and said.
    assert_eq!(
        utc_opt(&demo.scheduled_until).as_deref(),
        Some("2026-09-12T11:27:22Z")
    );
    assert_eq!(o.notes.len(), 1);
    assert!(
        o.notes[0]
            .message
            .starts_with("completed_at \"2026-09-12 13:27:22\" is before")
    );
}

#[test]
fn cachet_zone_less_stamps_without_a_zone_fail_loudly() {
    let e = parse_error(
        Kind::Cachet,
        &fixture("cachet/demo-api-v1-incidents.json"),
        "https://demo.cachethq.io/api/v1/incidents",
    );
    assert_eq!(
        e,
        "not a cachet page: time \"2026-09-12 13:00:03\" has no zone and the source sets none: add \
         zone = \"<IANA zone of the Cachet server>\" to the source rather than guessing UTC (at data[0])"
    );
}

#[test]
fn cachet_stamps_across_a_dst_change_and_the_next_page() {
    let o = parse_body(
        Kind::Cachet,
        &fixture("cachet/incidents-page-1.from-docs.json"),
        "http://cachet.invalid/api/v1/incidents?per_page=1",
        AMSTERDAM,
    );
    let route = observed_incident(&o, "incidents/12");
    // 01:55 is still CET (+01:00); 03:05 and 04:12 are CEST (+02:00): clocks moved at 02:00.
    assert_eq!(
        utc_opt(&route.started_at).as_deref(),
        Some("2019-03-31T00:55:00Z")
    );
    assert_eq!(
        utc_opt(&route.created_at).as_deref(),
        Some("2019-03-31T01:05:00Z")
    );
    assert_eq!(
        updates(route),
        [
            (
                None,
                "2019-03-31T01:05:00Z".to_string(),
                Some(Status::Identified)
            ),
            (
                Some("updates/31"),
                "2019-03-31T02:12:00Z".to_string(),
                Some(Status::Resolved)
            ),
        ]
    );
    assert_eq!(
        o.follow,
        ["http://cachet.invalid/api/v1/incidents?per_page=1&page=2"]
    );
}

#[test]
fn cachet_refuses_other_products() {
    let url = "https://demo.cachethq.io/api/v1/incidents";
    let e = parse_error(
        Kind::Cachet,
        &fixture("statuspage/github-summary-2022-11-25.json"),
        url,
    );
    assert_eq!(
        e,
        "not a cachet page: JSON has no \"data\": not a Cachet API v1 response"
    );
    let e = parse_error(
        Kind::Cachet,
        &fixture("betterstack/betterstack-index-2026-09-07-trimmed.json"),
        "https://status.betterstack.com/index.json",
    );
    assert!(
        e.starts_with("not a cachet page: item is neither a Cachet component"),
        "{e}"
    );
    let e = parse_error(Kind::Cachet, HTML, url);
    assert!(e.starts_with("not a cachet page: an HTML page"), "{e}");
}

/// Serves the three lists of a Cachet page with incidents on two pages; the next page's URL is
/// the loopback server's.
fn serve_cachet(server: &TestServer) {
    let host = server.url("");
    let page = |file: &str| {
        String::from_utf8(fixture(file))
            .unwrap()
            .replace("http://cachet.invalid", &host)
    };
    server.serve(
        "/api/v1/components?per_page=100",
        fixture("cachet/demo-api-v1-components.json"),
    );
    server.serve(
        "/api/v1/incidents?per_page=100",
        page("cachet/incidents-page-1.from-docs.json"),
    );
    server.serve(
        "/api/v1/incidents?per_page=1&page=2",
        page("cachet/incidents-page-2.from-docs.json"),
    );
    server.serve(
        "/api/v1/schedules?per_page=100",
        fixture("cachet/demo-api-v1-schedules.json"),
    );
}

#[test]
fn cachet_ingest_follows_pagination_over_http() {
    let server = TestServer::start();
    serve_cachet(&server);
    let dir = TempDir::new().unwrap();
    let mut source = SourceSpec::new("cachet", "cachet", "cachet", server.url("/"));
    source.zone = Some("Europe/Amsterdam");
    let config = write_config(dir.path(), &[source]);
    statusdb()
        .arg("ingest")
        .arg("--config")
        .arg(&config)
        .assert()
        .success();
    assert_eq!(server.hits("/api/v1/incidents?per_page=1&page=2"), 1);

    let doc = export_json(&config);
    let incidents = doc["incidents"].as_array().unwrap();
    let summary: Vec<(&str, &str, &str, Option<&str>, Option<&str>)> = incidents
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap(),
                i["kind"].as_str().unwrap(),
                i["status"].as_str().unwrap(),
                i["started_at"].as_str(),
                i["resolved_at"].as_str(),
            )
        })
        .collect();
    let mut summary = summary;
    summary.sort();
    assert_eq!(
        summary,
        [
            (
                "cachet/incidents/11",
                "incident",
                "investigating",
                Some("2019-03-30T21:40:00Z"),
                None
            ),
            (
                "cachet/incidents/12",
                "incident",
                "resolved",
                Some("2019-03-31T00:55:00Z"),
                Some("2019-03-31T02:12:00Z")
            ),
            ("cachet/schedules/1", "maintenance", "scheduled", None, None),
        ]
    );
    assert_eq!(doc["components"].as_array().unwrap().len(), 6);
    // The fetch log has the second page.
    let db = dir.path().join("statusdb.sqlite");
    assert_eq!(
        sql_count(
            &db,
            "SELECT count(*) FROM fetches WHERE url LIKE '%page=2' AND outcome = 'parsed'"
        ),
        1
    );
}

#[test]
fn cachet_without_a_zone_fails_and_stores_nothing() {
    let server = TestServer::start();
    serve_cachet(&server);
    let dir = TempDir::new().unwrap();
    let config = one_source(dir.path(), "cachet", "cachet", "cachet", server.url("/"));
    let out = statusdb()
        .arg("ingest")
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let db = dir.path().join("statusdb.sqlite");
    assert_eq!(sql_count(&db, "SELECT count(*) FROM incidents"), 0);
    assert_eq!(sql_count(&db, "SELECT count(*) FROM components"), 0);
    let errors = sql_strings(&db, "SELECT last_error FROM sources WHERE id = 'cachet'");
    assert!(
        errors[0].contains("has no zone and the source sets none"),
        "{errors:?}"
    );
}

#[test]
fn follow_ups_stop_at_twenty_pages_per_source() {
    let server = TestServer::start();
    // 23 pages of one incident each, each linking to the next.
    let page = |n: usize| {
        let next = if n < 23 {
            Value::String(server.url(&format!("/api/v1/incidents?page={}", n + 1)))
        } else {
            Value::Null
        };
        serde_json::json!({
            "meta": {"pagination": {"links": {"next_page": next, "previous_page": null}}},
            "data": [{"id": n, "name": format!("Incident {n}"), "status": 1, "visible": 1,
                      "message": "Investigating.", "created_at": "2019-01-01 10:00:00",
                      "occurred_at": "2019-01-01 10:00:00", "updates": []}]
        })
        .to_string()
    };
    server.serve("/api/v1/incidents", page(1));
    for n in 2..=23 {
        server.serve(&format!("/api/v1/incidents?page={n}"), page(n));
    }
    let dir = TempDir::new().unwrap();
    let mut source = SourceSpec::new("c", "c", "cachet", server.url("/api/v1/incidents"));
    source.zone = Some("UTC");
    let config = write_config(dir.path(), &[source]);
    statusdb()
        .arg("ingest")
        .arg("--config")
        .arg(&config)
        .assert()
        .success();
    assert_eq!(server.hits("/api/v1/incidents?page=21"), 1);
    assert_eq!(server.hits("/api/v1/incidents?page=22"), 0);
    let db = dir.path().join("statusdb.sqlite");
    assert_eq!(sql_count(&db, "SELECT count(*) FROM incidents"), 21);
    assert_eq!(sql_count(&db, "SELECT count(*) FROM fetches"), 21);
}

// ---------------------------------------------------------------------------------------------
// Any RSS or Atom feed

#[test]
fn feed_rss_items_are_incidents_without_invented_statuses() {
    let o = parse(
        Kind::Feed,
        "feed/aws-ec2-us-east-1-2022-03.rss",
        "https://status.aws.amazon.com/rss/ec2-us-east-1.rss",
    );
    assert_eq!(o.incidents.len(), 15);
    let first = &o.incidents[0];
    assert_eq!(
        first.native_id.as_deref(),
        Some("http://status.aws.amazon.com/#ec2-us-east-1_1640218920")
    );
    assert_eq!(
        first.title,
        "Service is operating normally: [RESOLVED] API Error Rates"
    );
    assert_eq!(first.url.as_deref(), Some("http://status.aws.amazon.com/"));
    // pubDate "Wed, 22 Dec 2021 16:22:00 PST": RFC 2822's PST, -08:00.
    let posted = &first.updates[0].posted_at;
    assert_eq!(utc(posted), "2021-12-23T00:22:00Z");
    assert_eq!(posted.raw, "Wed, 22 Dec 2021 16:22:00 PST");
    assert!(
        first.updates[0]
            .body
            .starts_with("Starting at 4:11 AM PST some EC2 instances")
    );
    // No title opens with a status word: no status anywhere.
    assert!(o.incidents.iter().all(|i| i.updates.len() == 1
        && i.updates[0].status.is_none()
        && i.updates[0].status_raw.is_none()));
}

#[test]
fn feed_atom_entries_and_an_empty_feed() {
    let o = parse(
        Kind::Feed,
        "feed/github-history-2022-06-11.atom",
        "https://www.githubstatus.com/history.atom",
    );
    assert_eq!(o.incidents.len(), 25);
    let codespaces = &o.incidents[0];
    assert_eq!(
        codespaces.native_id.as_deref(),
        Some("tag:www.githubstatus.com,2005:Incident/10187767")
    );
    assert_eq!(codespaces.title, "Incident with Codespaces");
    assert_eq!(
        codespaces.url.as_deref(),
        Some("https://www.githubstatus.com/incidents/fbx6ysfb4mff")
    );
    assert_eq!(
        utc(&codespaces.updates[0].posted_at),
        "2022-06-08T19:13:39Z"
    );
    assert_eq!(
        codespaces.updates[0].body,
        "Jun 8, 19:13 UTC\nResolved - This incident has been resolved.\n\nJun 8, 18:48 UTC\n\
         Investigating - We are investigating reports of degraded performance for Codespaces."
    );

    let o = parse(
        Kind::Feed,
        "feed/azure-status-empty-2026-09-07.xml",
        "https://azure.status.microsoft/en-us/status/feed/",
    );
    assert!(o.incidents.is_empty());
    assert_eq!(o.page.unwrap().name.as_deref(), Some("Azure Status"));
}

#[test]
fn feed_statuses_only_where_the_title_states_one() {
    let body = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
      <item><title>Resolved: Login errors</title><guid>a</guid><pubDate>Tue, 02 Jan 2024 10:00:00 +0000</pubDate><description>Fixed.</description></item>
      <item><title>[Investigating] Slow API</title><guid>b</guid><pubDate>Tue, 02 Jan 2024 09:00:00 +0000</pubDate></item>
      <item><title>Update: more details</title><guid>c</guid><pubDate>Tue, 02 Jan 2024 09:30:00 +0000</pubDate></item>
      <item><title>Completed: database upgrade</title><guid>d</guid><pubDate>Tue, 02 Jan 2024 08:00:00 +0000</pubDate></item>
      <item><title>We resolved the login errors</title><guid>e</guid><pubDate>Tue, 02 Jan 2024 11:00:00 +0000</pubDate></item>
    </channel></rss>"#;
    let o = parse_body(Kind::Feed, body, "https://status.example.com/rss", None);
    let got: Vec<(&str, IncidentKind, Option<Status>, Option<&str>, String)> = o
        .incidents
        .iter()
        .map(|i| {
            (
                i.native_id.as_deref().unwrap(),
                i.kind,
                i.updates[0].status,
                i.updates[0].status_raw.as_deref(),
                utc(&i.updates[0].posted_at),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "a",
                IncidentKind::Incident,
                Some(Status::Resolved),
                Some("Resolved"),
                "2024-01-02T10:00:00Z".to_string()
            ),
            (
                "b",
                IncidentKind::Incident,
                Some(Status::Investigating),
                Some("Investigating"),
                "2024-01-02T09:00:00Z".to_string()
            ),
            (
                "c",
                IncidentKind::Incident,
                None,
                Some("Update"),
                "2024-01-02T09:30:00Z".to_string()
            ),
            (
                "d",
                IncidentKind::Maintenance,
                Some(Status::Completed),
                Some("Completed"),
                "2024-01-02T08:00:00Z".to_string()
            ),
            (
                "e",
                IncidentKind::Incident,
                None,
                None,
                "2024-01-02T11:00:00Z".to_string()
            ),
        ]
    );
}

#[test]
fn feed_refuses_html_and_json() {
    let url = "https://status.example.com/feed";
    let e = parse_error(Kind::Feed, HTML, url);
    assert!(
        e.starts_with("not a feed page: an HTML page where an RSS or Atom feed was expected"),
        "{e}"
    );
    let e = parse_error(Kind::Feed, br#"{"incidents": []}"#, url);
    assert!(
        e.starts_with("not a feed page: body is not an RSS or Atom feed"),
        "{e}"
    );
}

// ---------------------------------------------------------------------------------------------
// The binary

#[test]
fn statusdb_parse_reads_a_document_of_every_hosted_kind() {
    let cases: [(&str, &str, &[&str], &str); 6] = [
        (
            "incidentio",
            "incidentio/openai-summary-2026-09-29-two-incidents.reformatted.json",
            &[],
            "/incidents/0/native_id",
        ),
        (
            "instatus",
            "instatus/demo-summary-hasissues.json",
            &[],
            "/incidents/0/native_id",
        ),
        (
            "betterstack",
            "betterstack/betterstack-index-2026-09-07-trimmed.json",
            &[],
            "/incidents/0/native_id",
        ),
        (
            "statusio",
            "statusio/status-with-incident.from-docs.json",
            &[],
            "/incidents/0/native_id",
        ),
        (
            "cachet",
            "cachet/demo-api-v1-incidents.json",
            &["--zone", "UTC"],
            "/incidents/0/native_id",
        ),
        (
            "feed",
            "feed/aws-ec2-us-east-1-2022-03.rss",
            &[],
            "/incidents/0/native_id",
        ),
    ];
    let expected = [
        "01M3Q4RK1SM4EMK445GGPG7C0N",
        "clq3wc2ap1350bronl8974nko",
        "1050825",
        "61ae3e7fa163f805d867f0c2",
        "incidents/1",
        "http://status.aws.amazon.com/#ec2-us-east-1_1640218920",
    ];
    for ((kind, file, extra, pointer), want) in cases.into_iter().zip(expected) {
        let out = statusdb()
            .args(["parse", "--kind", kind])
            .arg(fixtures_dir().join(file))
            .args(extra)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{kind}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            doc.pointer(pointer).and_then(Value::as_str),
            Some(want),
            "{kind}"
        );
    }
    // Cachet's zone-less stamps with no --zone: exit non-zero, with the reason.
    let out = statusdb()
        .args(["parse", "--kind", "cachet"])
        .arg(fixtures_dir().join("cachet/demo-api-v1-incidents.json"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no zone and the source sets none"));
}

// ---------------------------------------------------------------------------------------------
// The offline replay

/// Every hosted source of `fixtures/replay.toml` ingests, with the records its fixture holds.
#[test]
fn the_replay_ingests_every_hosted_kind() {
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("replay.sqlite");
    succeeds(
        statusdb()
            .arg("ingest")
            .arg("--config")
            .arg(fixtures_dir().join("replay.toml"))
            .arg("--db")
            .arg(&db),
    );
    let count = |table: &str, vendor: &str| {
        sql_count(
            &db,
            &format!("SELECT count(*) FROM {table} WHERE vendor = '{vendor}'"),
        )
    };
    let got: Vec<(&str, i64, i64)> = [
        "openai",
        "instatus-demo",
        "gcore",
        "betterstack",
        "nintex",
        "statusio-docs",
        "cachet-demo",
        "cachet-docs",
        "aws-ec2-feed",
        "azure",
    ]
    .into_iter()
    .map(|v| (v, count("incidents", v), count("components", v)))
    .collect();
    assert_eq!(
        got,
        [
            ("openai", 5, 27),
            ("instatus-demo", 4, 0),
            ("gcore", 2, 3),
            ("betterstack", 3, 3),
            ("nintex", 0, 73),
            ("statusio-docs", 3, 3),
            ("cachet-demo", 3, 6),
            ("cachet-docs", 2, 0),
            ("aws-ec2-feed", 15, 0),
            ("azure", 0, 0),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Unknown words, per kind

/// A word no table knows is kept raw, mapped to `unknown` where the vocabulary has it, and
/// reported with its place.
#[test]
fn unknown_words_are_kept_raw_and_reported_by_every_kind() {
    // Instatus: a component status and an incident status.
    let o = parse_body(
        Kind::Instatus,
        br#"{"components": [{"id": "a", "name": "API", "status": "SORTOFUP", "group": null}]}"#,
        "https://status.example.com/v2/components.json",
        None,
    );
    assert_eq!(
        (o.components[0].status, o.components[0].status_raw.as_str()),
        (ComponentStatus::Unknown, "SORTOFUP")
    );
    assert_eq!(o.notes[0].place, "components[0]");
    let o = parse_body(
        Kind::Instatus,
        br#"{"page": {"name": "X", "url": "https://x", "status": "HASISSUES"},
             "activeIncidents": [{"id": "i", "name": "N", "started": "2024-01-01T00:00:00Z",
                                  "status": "PONDERING", "impact": "MAJOROUTAGE"}]}"#,
        "https://status.example.com/summary.json",
        None,
    );
    assert_eq!(o.incidents[0].status, None);
    assert_eq!(o.incidents[0].status_raw.as_deref(), Some("PONDERING"));
    assert_eq!(o.incidents[0].impact, Some(Impact::Critical));
    assert_eq!(o.notes[0].place, "activeIncidents[0]");

    // Better Stack: a resource status.
    let o = parse_body(
        Kind::Betterstack,
        br#"{"data": {"id": "1", "type": "status_page", "attributes": {"company_name": "X"}},
             "included": [{"id": "7", "type": "status_page_resource",
                           "attributes": {"public_name": "API", "status": "wobbly"}}]}"#,
        "https://status.example.com/index.json",
        None,
    );
    assert_eq!(
        (o.components[0].status, o.components[0].status_raw.as_str()),
        (ComponentStatus::Unknown, "wobbly")
    );
    assert_eq!(o.notes[0].place, "included[0]");

    // status.io: a status code and a message state.
    let o = parse_body(
        Kind::Statusio,
        br#"{"result": {"status": [{"id": "c", "name": "Web", "containers": [
               {"id": "k", "name": "EU", "status": "Odd", "status_code": 700}]}],
             "incidents": [{"_id": "i", "name": "N", "messages": [
               {"_id": "m", "details": "d", "state": 900, "datetime": "2024-01-01T00:00:00Z"}]}]}}"#,
        "https://api.status.io/1.0/status/x",
        None,
    );
    assert_eq!(
        (o.components[0].status, o.components[0].status_raw.as_str()),
        (ComponentStatus::Unknown, "700 Odd")
    );
    assert_eq!(o.incidents[0].updates[0].status, None);
    assert_eq!(o.incidents[0].updates[0].status_raw.as_deref(), Some("900"));
    let places: Vec<&str> = o.notes.iter().map(|n| n.place.as_str()).collect();
    assert_eq!(
        places,
        [
            "result.status[0].containers[0]",
            "result.incidents[0].messages[0]"
        ]
    );

    // Cachet: a component status and an update status.
    let o = parse_body(
        Kind::Cachet,
        br#"{"data": [{"id": 1, "name": "API", "status": 9, "enabled": true}]}"#,
        "https://status.example.com/api/v1/components",
        None,
    );
    assert_eq!(
        (o.components[0].status, o.components[0].status_raw.as_str()),
        (ComponentStatus::Unknown, "9")
    );
    assert_eq!(o.notes[0].place, "data[0]");
    let o = parse_body(
        Kind::Cachet,
        br#"{"data": [{"id": 5, "name": "N", "status": 1, "visible": 1, "message": "m",
             "created_at": "2024-01-01 10:00:00",
             "updates": [{"id": 8, "status": 6, "message": "?", "created_at": "2024-01-01 11:00:00"}]}]}"#,
        "https://status.example.com/api/v1/incidents",
        AMSTERDAM,
    );
    assert_eq!(o.incidents[0].updates[1].status, None);
    assert_eq!(o.incidents[0].updates[1].status_raw.as_deref(), Some("6"));
    assert_eq!(o.notes[0].place, "data[0].updates[0]");
}

// ---------------------------------------------------------------------------------------------
// Instatus history.atom

#[test]
fn instatus_history_reads_yearless_stamps_across_new_year() {
    let o = parse(
        Kind::Instatus,
        "instatus/demo-history.from-docs.atom",
        "https://instatus.instatus.com/history.atom",
    );
    assert_eq!(o.incidents.len(), 3);
    let sms = observed_incident(&o, "clqt7x1bz0009mc08h3r5w2ya");
    assert_eq!(sms.kind, IncidentKind::Incident);
    assert_eq!(sms.title, "Delayed SMS notifications");
    assert_eq!(
        sms.url.as_deref(),
        Some("https://instatus.instatus.com/clqt7x1bz0009mc08h3r5w2ya")
    );
    assert_eq!(
        sms.aliases,
        ["https://instatus.instatus.com/clqt7x1bz0009mc08h3r5w2ya"]
    );
    // Oldest first; "Dec 31" falls in 2023, the entry being updated on 2024-01-01.
    assert_eq!(
        updates(sms),
        [
            (
                None,
                "2023-12-31T23:50:12Z".to_string(),
                Some(Status::Investigating)
            ),
            (
                None,
                "2024-01-01T00:05:55Z".to_string(),
                Some(Status::Monitoring)
            ),
            (None, "2024-01-01T00:12:03Z".to_string(), None),
            (
                None,
                "2024-01-01T00:31:40Z".to_string(),
                Some(Status::Resolved)
            ),
        ]
    );
    let raw: Vec<(&str, Option<&str>, TimeSource)> = sms
        .updates
        .iter()
        .map(|u| {
            (
                u.posted_at.raw.as_str(),
                u.status_raw.as_deref(),
                u.posted_at.source,
            )
        })
        .collect();
    assert_eq!(
        raw,
        [
            (
                "Dec 31, 23:50:12 GMT+0",
                Some("Investigating"),
                TimeSource::Derived
            ),
            (
                "Jan 1, 00:05:55 GMT+0",
                Some("Monitoring"),
                TimeSource::Derived
            ),
            ("Jan 1, 00:12:03 GMT+0", Some("Update"), TimeSource::Derived),
            (
                "Jan 1, 00:31:40 GMT+0",
                Some("Resolved"),
                TimeSource::Derived
            ),
        ]
    );
    assert_eq!(
        sms.updates[2].body,
        "The backlog is being sent at a reduced rate."
    );

    // A maintenance: its <published> is the scheduled start, after its first update.
    let upgrade = observed_incident(&o, "clrf0m2qa0004l508xk2v9d7e");
    assert_eq!(upgrade.kind, IncidentKind::Maintenance);
    assert_eq!(
        utc_opt(&upgrade.scheduled_for).as_deref(),
        Some("2024-01-20T02:00:00Z")
    );
    assert_eq!(
        updates(upgrade),
        [
            (
                None,
                "2024-01-15T09:12:45Z".to_string(),
                Some(Status::Scheduled)
            ),
            (
                None,
                "2024-01-20T02:00:04Z".to_string(),
                Some(Status::InProgress)
            ),
            (
                None,
                "2024-01-20T02:58:31Z".to_string(),
                Some(Status::Completed)
            ),
        ]
    );
    assert_eq!(
        upgrade.updates[0].status_raw.as_deref(),
        Some("Not started yet")
    );
    assert!(o.notes.is_empty(), "{:?}", o.notes);
}

#[test]
fn instatus_history_refuses_unreadable_stamps_and_zone_less_ones() {
    let entry = |stamp: &str| {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">
            <id>x</id><title>t</title><updated>2024-03-01T00:00:00Z</updated>
            <entry><id>https://status.example.com/abc123</id><title>T</title>
            <updated>2024-03-01T00:00:00Z</updated>
            <link rel="alternate" href="https://status.example.com/abc123"/>
            <content type="html">&lt;p&gt;&lt;small&gt;{stamp}&lt;/small&gt;&lt;br&gt;&lt;strong&gt;Resolved&lt;/strong&gt; - ok&lt;/p&gt;</content>
            </entry></feed>"#
        )
    };
    let url = "https://status.example.com/history.atom";
    let e = parse_error(
        Kind::Instatus,
        entry("Feb 30, 10:00:00 GMT+0").as_bytes(),
        url,
    );
    assert!(
        e.starts_with("not a instatus page: stamp \"Feb 30, 10:00:00 GMT+0\""),
        "{e}"
    );
    // No zone in the stamp and none configured: refused rather than read as UTC.
    let e = parse_error(Kind::Instatus, entry("Feb 29, 10:00:00").as_bytes(), url);
    assert!(e.contains("refusing to assume UTC"), "{e}");
    // With the source's zone it is read in that zone, and said.
    let o = parse_body(
        Kind::Instatus,
        entry("Feb 29, 10:00:00").as_bytes(),
        url,
        AMSTERDAM,
    );
    assert_eq!(
        utc(&o.incidents[0].updates[0].posted_at),
        "2024-02-29T09:00:00Z"
    );
    assert_eq!(o.notes.len(), 1);
    assert!(
        o.notes[0].message.contains("zone_from_page"),
        "{:?}",
        o.notes
    );
}

/// An Instatus page's base URL over HTTP: the summary's open incident and the history's entry
/// for it are one record, with the summary's start and the history's update.
#[test]
fn instatus_summary_and_history_of_one_page_merge() {
    let server = TestServer::start();
    server.serve(
        "/summary.json",
        fixture("instatus/demo-summary-hasissues.json"),
    );
    server.route(
        "/history.atom",
        Route::fixture("instatus/demo-history.from-docs.atom"),
    );
    let dir = TempDir::new().unwrap();
    let config = one_source(
        dir.path(),
        "demo",
        "instatus-demo",
        "instatus",
        server.url("/"),
    );
    statusdb()
        .arg("ingest")
        .arg("--config")
        .arg(&config)
        .assert()
        .success();
    // No v2/components.json on this page: recorded as absent, not a failure.
    assert_eq!(server.hits("/v2/components.json"), 1);
    let doc = export_json(&config);
    let ids = field(&doc["incidents"], "id");
    assert_eq!(ids.len(), 4);
    let partial = doc["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "instatus-demo/clq3wc2ap1350bronl8974nko")
        .unwrap();
    assert_eq!(partial["started_at"], "2023-12-13T14:58:14.917Z");
    assert_eq!(partial["started_at_source"], "structured");
    assert_eq!(partial["impact"], "major");
    assert_eq!(partial["status"], "investigating");
    assert_eq!(partial["updates"].as_array().unwrap().len(), 1);
    assert_eq!(partial["updates"][0]["posted_at"], "2023-12-13T14:58:14Z");
    assert_eq!(
        partial["updates"][0]["body"],
        "We are looking into a partial outage."
    );
}
