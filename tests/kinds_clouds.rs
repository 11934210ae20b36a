//! The cloud and bespoke kinds (gcp, aws, azure, slack, okta, salesforce, aggregator) on real
//! captures and documentation fixtures: every expected value below was read from the fixture
//! itself (for Google Cloud, by `scripts/make-clouds-fixtures.py` with Python's datetime), never
//! from running the parser.

use serde_json::{Value, json};
use statusdb::model::{
    ComponentStatus, Impact, IncidentKind, Observation, ObservedIncident, Status, TimeSource,
};
use statusdb::providers::{Kind, PageInput, ParseCause, ParseError};
use statusdb_testkit::*;

/// Parses a fixture as its kind would, fetched at `fetched_at`.
fn parse_at(kind: Kind, relative: &str, fetched_at: &str) -> Result<Observation, ParseError> {
    let body = fixture(relative);
    parse_bytes(kind, &body, fetched_at)
}

fn parse_bytes(kind: Kind, body: &[u8], fetched_at: &str) -> Result<Observation, ParseError> {
    let page = PageInput {
        url: "https://example.test/page",
        body,
        fetched_at: chrono::DateTime::parse_from_rfc3339(fetched_at)
            .unwrap()
            .to_utc(),
        zone: None,
    };
    kind.parse(&page)
}

fn observe(kind: Kind, relative: &str) -> Observation {
    parse_at(kind, relative, "2026-11-28T12:00:00Z").unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// (posted_at, status, status_raw) of each update, oldest first.
fn timeline(incident: &ObservedIncident) -> Vec<(String, Option<Status>, Option<String>)> {
    let mut updates: Vec<_> = incident
        .updates
        .iter()
        .map(|u| (utc(&u.posted_at), u.status, u.status_raw.clone()))
        .collect();
    updates.sort_by(|a, b| a.0.cmp(&b.0));
    updates
}

// ---------------------------------------------------------------------------------------------
// Google Cloud

#[test]
fn gcp_history_has_157_incidents_and_770_updates_in_utc() {
    let observation = observe(Kind::Gcp, "gcp/incidents-2022-07.json");
    let expected: Value =
        serde_json::from_slice(&fixture("gcp/incidents-2022-07.expected.json")).unwrap();
    assert_eq!(observation.incidents.len(), 157);
    assert_eq!(
        observation
            .incidents
            .iter()
            .map(|i| i.updates.len())
            .sum::<usize>(),
        770
    );
    assert_eq!(expected["incidents"], 157);
    assert_eq!(expected["updates"], 770);
    let expected = expected["by_id"].as_array().unwrap();
    for (incident, want) in observation.incidents.iter().zip(expected) {
        let id = want["id"].as_str().unwrap();
        assert_eq!(incident.native_id.as_deref(), Some(id));
        assert_eq!(
            utc_opt(&incident.started_at).as_deref(),
            want["begin"].as_str(),
            "{id}"
        );
        assert_eq!(
            utc_opt(&incident.resolved_at).as_deref(),
            want["end"].as_str(),
            "{id}"
        );
        let mut got: Vec<(String, String)> = incident
            .updates
            .iter()
            .map(|u| (utc(&u.posted_at), u.status_raw.clone().unwrap()))
            .collect();
        let mut want: Vec<(String, String)> = want["updates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| (u[0].as_str().unwrap().into(), u[1].as_str().unwrap().into()))
            .collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{id}");
    }
    assert!(observation.notes.is_empty(), "{:?}", observation.notes);
}

#[test]
fn gcp_incident_maps_products_locations_impact_and_update_status() {
    let observation = observe(Kind::Gcp, "gcp/incidents-2022-07.json");
    let bigquery = observed_incident(&observation, "TaA75H7XA1DQyM2ReK2f");
    assert_eq!(
        bigquery.title,
        "[Google BigQuery] Lower throughput from the Read API"
    );
    assert_eq!(
        bigquery.url.as_deref(),
        Some("https://status.cloud.google.com/incidents/TaA75H7XA1DQyM2ReK2f")
    );
    assert_eq!(bigquery.aliases, vec!["15267780622191605299".to_string()]);
    assert_eq!(bigquery.kind, IncidentKind::Incident);
    assert_eq!(bigquery.impact, Some(Impact::Minor));
    assert_eq!(bigquery.impact_raw.as_deref(), Some("low"));
    assert_eq!(bigquery.status, Some(Status::Resolved));
    assert_eq!(
        utc_opt(&bigquery.created_at).as_deref(),
        Some("2022-07-01T14:05:02Z")
    );
    assert_eq!(
        span(bigquery),
        "2022-07-01T13:37:44Z .. 2022-07-01T19:25:45Z"
    );
    assert_eq!(
        bigquery.started_at.as_ref().unwrap().source,
        TimeSource::Structured
    );
    assert_eq!(
        bigquery.started_at.as_ref().unwrap().raw,
        "2022-07-01T13:37:44+00:00"
    );
    // The product, then its 29 locations.
    assert_eq!(bigquery.components.len(), 30);
    assert_eq!(bigquery.components[0], "Google BigQuery");
    assert_eq!(bigquery.components[1], "Taiwan (asia-east1)");
    assert_eq!(bigquery.components[29], "Las Vegas (us-west4)");
    assert_eq!(
        timeline(bigquery),
        vec![
            (
                "2022-07-01T14:04:53Z".into(),
                None,
                Some("SERVICE_INFORMATION".into())
            ),
            (
                "2022-07-01T14:54:19Z".into(),
                None,
                Some("SERVICE_INFORMATION".into())
            ),
            (
                "2022-07-01T16:46:20Z".into(),
                None,
                Some("SERVICE_INFORMATION".into())
            ),
            (
                "2022-07-01T17:48:07Z".into(),
                None,
                Some("SERVICE_INFORMATION".into())
            ),
            (
                "2022-07-01T19:25:45Z".into(),
                Some(Status::Resolved),
                Some("AVAILABLE".into())
            ),
        ]
    );
    // Oldest first; each update sets the status of the product and the locations it lists.
    let first = &bigquery.updates[0];
    assert!(
        first
            .body
            .starts_with("Summary: [Google BigQuery] Lower throughput")
    );
    assert_eq!(first.components[0].name, "Google BigQuery");
    assert_eq!(
        first.components[0].native_id.as_deref(),
        Some("9CcrhHUcFevXPSVaSxkf")
    );
    assert_eq!(
        first.components[0].status,
        ComponentStatus::DegradedPerformance
    );
    let last = bigquery.updates.last().unwrap();
    assert_eq!(last.components.len(), 30);
    assert_eq!(last.components[1].name, "Taiwan (asia-east1)");
    assert_eq!(last.components[1].native_id.as_deref(), Some("asia-east1"));
    assert_eq!(last.components[1].status, ComponentStatus::Operational);
    assert_eq!(last.components[1].status_raw, "AVAILABLE");

    // severity high is critical, SERVICE_OUTAGE updates are major outages.
    let outage = observation
        .incidents
        .iter()
        .find(|i| i.impact_raw.as_deref() == Some("high"))
        .unwrap();
    assert_eq!(outage.impact, Some(Impact::Critical));
    let apigee = observed_incident(&observation, "sPyYB214xAhqnoxNrrnW");
    assert_eq!(apigee.impact, Some(Impact::Major));
    assert_eq!(
        timeline(apigee)
            .into_iter()
            .map(|(t, s, _)| (t, s))
            .collect::<Vec<_>>(),
        vec![
            ("2022-06-29T22:14:41Z".to_string(), None),
            ("2022-06-29T22:33:21Z".to_string(), None),
            ("2022-06-29T23:11:51Z".to_string(), Some(Status::Resolved)),
            // The incident report a day later is AVAILABLE again.
            ("2022-06-30T18:13:17Z".to_string(), Some(Status::Resolved)),
        ]
    );
    assert_eq!(
        apigee.updates[0].components[0].status,
        ComponentStatus::PartialOutage
    );
}

#[test]
fn gcp_incident_posted_after_its_end_is_resolved_by_the_end() {
    let observation = observe(Kind::Gcp, "gcp/incidents-2022-07.json");
    let networking = observed_incident(&observation, "NJJp8jkNzFStMyiJZWWD");
    assert_eq!(networking.status, Some(Status::Resolved));
    assert_eq!(
        span(networking),
        "2021-08-24T03:14:00Z .. 2021-08-24T03:41:13Z"
    );
    assert_eq!(
        timeline(networking),
        vec![(
            "2021-08-24T04:21:20Z".to_string(),
            None,
            Some("SERVICE_DISRUPTION".to_string())
        )]
    );
    assert_eq!(networking.components, vec!["Google Cloud Networking"]);
}

#[test]
fn gcp_open_incident_and_unknown_words_are_kept_and_noted() {
    let body = br#"[{"id":"abc","begin":"2024-01-02T03:04:05-08:00","created":"2024-01-02T11:10:00+00:00",
        "external_desc":"Open","severity":"extreme","status_impact":"SERVICE_DISRUPTION",
        "affected_products":[{"title":"Cloud Run","id":"p1"}],
        "updates":[{"when":"2024-01-02T11:10:00+00:00","text":"x","status":"SERVICE_WOBBLY","affected_locations":[]}]}]"#;
    let observation = parse_bytes(Kind::Gcp, body, "2024-01-02T12:00:00Z").unwrap();
    let open = &observation.incidents[0];
    assert_eq!(open.resolved_at, None);
    assert_eq!(open.status, None);
    assert_eq!(
        utc_opt(&open.started_at).as_deref(),
        Some("2024-01-02T11:04:05Z")
    );
    // An unknown severity falls back to status_impact, and is reported.
    assert_eq!(open.impact, Some(Impact::Major));
    assert_eq!(open.impact_raw.as_deref(), Some("SERVICE_DISRUPTION"));
    assert_eq!(
        open.updates[0].status_raw.as_deref(),
        Some("SERVICE_WOBBLY")
    );
    assert_eq!(
        open.updates[0].components[0].status,
        ComponentStatus::Unknown
    );
    let notes: Vec<(&str, &str)> = observation
        .notes
        .iter()
        .map(|n| (n.place.as_str(), n.message.as_str()))
        .collect();
    assert_eq!(
        notes,
        vec![
            ("[0]", "unknown severity \"extreme\" kept raw"),
            (
                "[0].updates[0]",
                "unknown update status \"SERVICE_WOBBLY\" kept raw, components unknown"
            ),
        ]
    );
}

#[test]
fn gcp_refuses_a_page_that_is_not_incidents_json() {
    let e = parse_at(
        Kind::Gcp,
        "statuspage/github-summary-2022-11-25.json",
        "2024-01-01T00:00:00Z",
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "not a gcp page: expected the incidents.json array, body starts with \"{\\n  \\\"page\\\": {\\n    \\\"id\\\": \\\"kctbh9vrtdwd\\\",\\n\""
    );
    assert_eq!(e.cause(), ParseCause::WrongFormat);
    let e = parse_bytes(Kind::Gcp, br#"[{"no_id":1}]"#, "2024-01-01T00:00:00Z").unwrap_err();
    assert_eq!(e.place(), Some("line 1 column 12"));
    assert_eq!(e.cause(), ParseCause::SchemaMismatch);
    // The position is said once, as the place.
    assert_eq!(
        e.detail(),
        "body is not a Google Cloud incidents.json array (missing field `id`); it starts with \"[{\\\"no_id\\\":1}]\""
    );
}

// ---------------------------------------------------------------------------------------------
// Slack

#[test]
fn slack_current_active_incident_with_ten_notes_in_utc() {
    let observation = observe(
        Kind::Slack,
        "slack/api-v2-current-2026-09-01-active.reformatted.json",
    );
    assert_eq!(observation.incidents.len(), 1);
    let incident = &observation.incidents[0];
    assert_eq!(incident.native_id.as_deref(), Some("1576"));
    assert_eq!(
        incident.title,
        "Trouble Accessing Historical Messages With Custom Data Retention Policies Enabled"
    );
    assert_eq!(incident.kind, IncidentKind::Incident);
    assert_eq!(incident.impact, Some(Impact::Minor));
    assert_eq!(incident.impact_raw.as_deref(), Some("incident"));
    assert_eq!(incident.status, None);
    assert_eq!(incident.status_raw.as_deref(), Some("active"));
    assert_eq!(
        incident.url.as_deref(),
        Some("https://slack-status.com/2026-08/e07b9271f0346c3b")
    );
    assert_eq!(
        incident.aliases,
        vec!["https://slack-status.com/2026-08/e07b9271f0346c3b".to_string()]
    );
    assert_eq!(
        incident.components,
        vec!["Messaging", "Workspace/Org Administration"]
    );
    assert_eq!(
        utc_opt(&incident.started_at).as_deref(),
        Some("2026-08-13T21:21:41Z")
    );
    assert_eq!(
        incident.started_at.as_ref().unwrap().raw,
        "2026-08-13T14:21:41-07:00"
    );
    assert_eq!(incident.resolved_at, None);
    let times: Vec<String> = incident.updates.iter().map(|u| utc(&u.posted_at)).collect();
    assert_eq!(
        times,
        vec![
            "2026-08-13T21:21:41Z",
            "2026-08-13T21:49:40Z",
            "2026-08-14T19:35:56Z",
            "2026-08-14T20:20:26Z",
            "2026-08-14T21:39:25Z",
            "2026-08-17T21:57:51Z",
            "2026-08-20T22:54:59Z",
            "2026-08-25T20:55:43Z",
            "2026-08-27T18:58:04Z",
            "2026-09-01T22:51:21Z",
        ]
    );
    assert!(incident.updates.iter().all(|u| u.status.is_none()));
    assert_eq!(
        incident.updates[0].body,
        "<p>Users with custom data retention policies enabled might be unable to see or load older messages. We apologize for the trouble and we'll share more news as it becomes available.</p>"
    );
    assert!(observation.notes.is_empty());
}

#[test]
fn slack_history_last_note_resolves_resolved_incidents() {
    let observation = observe(
        Kind::Slack,
        "slack/api-v2-history-2026-08-18-first5.reformatted.json",
    );
    let ids: Vec<&str> = observation
        .incidents
        .iter()
        .map(|i| i.native_id.as_deref().unwrap())
        .collect();
    assert_eq!(ids, vec!["1576", "1575", "1574", "1573", "1572"]);
    let search = observed_incident(&observation, "1575");
    assert_eq!(search.status, Some(Status::Resolved));
    assert_eq!(search.components, vec!["Search"]);
    assert_eq!(
        timeline(search),
        vec![
            ("2026-08-06T22:22:35Z".into(), None, None),
            ("2026-08-06T23:11:27Z".into(), None, None),
            // 18:07:04 PDT is the next day in UTC.
            (
                "2026-08-07T01:07:04Z".into(),
                Some(Status::Resolved),
                Some("resolved".into())
            ),
        ]
    );
    let reminders = observed_incident(&observation, "1572");
    assert_eq!(
        utc_opt(&reminders.started_at).as_deref(),
        Some("2026-07-24T02:18:40Z")
    );
    assert_eq!(
        timeline(reminders),
        vec![
            ("2026-07-24T02:18:40Z".into(), None, None),
            ("2026-07-24T02:53:37Z".into(), None, None),
            (
                "2026-07-24T03:20:37Z".into(),
                Some(Status::Resolved),
                Some("resolved".into())
            ),
        ]
    );
    // Still active in this capture: no note closes it.
    assert!(
        observed_incident(&observation, "1576")
            .updates
            .iter()
            .all(|u| u.status.is_none())
    );
    assert_eq!(observed_incident(&observation, "1576").updates.len(), 6);
}

#[test]
fn slack_all_clear_maintenance_and_wrong_pages() {
    let ok = br#"{"status":"ok","active_incidents":[],"date_created":"2018-09-07T18:34:15-07:00","date_updated":"2018-09-07T18:34:15-07:00"}"#;
    assert_eq!(
        parse_bytes(Kind::Slack, ok, "2018-09-08T00:00:00Z").unwrap(),
        Observation::default()
    );
    let terse = br#"{"status":"ok","date_created":"2018-09-07T18:34:15-07:00"}"#;
    assert_eq!(
        parse_bytes(Kind::Slack, terse, "2018-09-08T00:00:00Z").unwrap(),
        Observation::default()
    );
    // The documentation's example writes the id as a string.
    let maintenance = br#"[{"id":"546","title":"Planned database work","type":"maintenance","status":"completed",
        "url":"https://slack-status.com/2018-09/7dea1cd14cd0f657","date_created":"2018-09-07T14:35:00-07:00",
        "date_updated":"2018-09-07T18:34:15-07:00","services":["Messaging"],
        "notes":[{"date_created":"2018-09-07T14:35:00-07:00","body":"Starting."},
                 {"date_created":"2018-09-07T18:34:15-07:00","body":"Done."}]}]"#;
    let observation = parse_bytes(Kind::Slack, maintenance, "2018-09-08T00:00:00Z").unwrap();
    let work = &observation.incidents[0];
    assert_eq!(work.native_id.as_deref(), Some("546"));
    assert_eq!(work.kind, IncidentKind::Maintenance);
    assert_eq!(work.impact, None);
    assert_eq!(work.status, Some(Status::Completed));
    assert_eq!(
        utc_opt(&work.scheduled_for).as_deref(),
        Some("2018-09-07T21:35:00Z")
    );
    assert_eq!(work.started_at, None);
    assert_eq!(
        timeline(work),
        vec![
            ("2018-09-07T21:35:00Z".into(), None, None),
            (
                "2018-09-08T01:34:15Z".into(),
                Some(Status::Completed),
                Some("completed".into())
            ),
        ]
    );

    let e = parse_at(
        Kind::Slack,
        "statuspage/github-summary-2022-11-25.json",
        "2024-01-01T00:00:00Z",
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("not a slack page: body is not a Slack current status object (invalid type: map, expected a string"),
        "{e}"
    );
    let e = parse_bytes(Kind::Slack, br#"{"incidents":[]}"#, "2024-01-01T00:00:00Z").unwrap_err();
    assert_eq!(
        e.to_string(),
        "not a slack page: object has no active_incidents and is not the {\"status\":\"ok\"} answer"
    );
    let odd = br#"[{"id":1,"title":"t","type":"hiccup","status":"wobbly","date_created":"2024-01-01T00:00:00Z","notes":[]}]"#;
    let observation = parse_bytes(Kind::Slack, odd, "2024-01-01T00:00:00Z").unwrap();
    assert_eq!(
        observation.incidents[0].impact_raw.as_deref(),
        Some("hiccup")
    );
    assert_eq!(
        observation.incidents[0].status_raw.as_deref(),
        Some("wobbly")
    );
    assert_eq!(
        observation
            .notes
            .iter()
            .map(|n| n.message.as_str())
            .collect::<Vec<_>>(),
        vec![
            "unknown type \"hiccup\" kept raw",
            "unknown status \"wobbly\" kept raw"
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Salesforce

#[test]
fn salesforce_instance_with_incident_and_maintenance() {
    let observation = observe(
        Kind::Salesforce,
        "salesforce/instance-POD114-status-2023-04.json",
    );
    assert_eq!(observation.components.len(), 1);
    let pod = &observation.components[0];
    assert_eq!(pod.name, "POD114");
    assert_eq!(pod.native_id.as_deref(), Some("POD114"));
    assert_eq!(pod.status, ComponentStatus::PartialOutage);
    assert_eq!(pod.status_raw, "MINOR_INCIDENT_NONCORE");
    assert_eq!(observation.incidents.len(), 2);

    let incident = observed_incident(&observation, "10967");
    assert_eq!(incident.title, "Performance Degradation on POD114");
    assert_eq!(incident.kind, IncidentKind::Incident);
    assert_eq!(
        incident.url.as_deref(),
        Some("https://status.salesforce.com/incidents/10967")
    );
    assert_eq!(incident.impact, Some(Impact::Minor));
    assert_eq!(incident.impact_raw.as_deref(), Some("minor"));
    assert_eq!(
        utc_opt(&incident.created_at).as_deref(),
        Some("2023-04-02T03:39:01.680Z")
    );
    assert_eq!(
        utc_opt(&incident.started_at).as_deref(),
        Some("2023-04-02T02:38:00Z")
    );
    // endTime is null: the machine fields say it is still open.
    assert_eq!(incident.resolved_at, None);
    assert_eq!(incident.status, None);
    assert_eq!(incident.components, vec!["POD114"]);
    let updates: Vec<(Option<&str>, String)> = incident
        .updates
        .iter()
        .map(|u| (u.native_id.as_deref(), utc(&u.posted_at)))
        .collect();
    assert_eq!(
        updates,
        vec![
            (
                Some("incident-event-9201"),
                "2023-04-02T03:47:10.212Z".to_string()
            ),
            (
                Some("incident-event-9202"),
                "2023-04-02T04:19:33.808Z".to_string()
            ),
        ]
    );
    assert!(
        incident
            .updates
            .iter()
            .all(|u| u.status.is_none() && u.status_raw.as_deref() == Some("update"))
    );
    assert!(
        incident.updates[0]
            .body
            .starts_with("At 02:38 UTC, on April 2, 2023")
    );

    let maintenance = observed_incident(&observation, "maintenance-636660");
    assert_eq!(maintenance.kind, IncidentKind::Maintenance);
    assert_eq!(maintenance.title, "23.4 B2C GA - Tuesday April 4, 2023");
    assert_eq!(maintenance.status, Some(Status::Scheduled));
    assert_eq!(maintenance.status_raw.as_deref(), Some("confirmed"));
    assert_eq!(
        utc_opt(&maintenance.scheduled_for).as_deref(),
        Some("2023-04-04T06:00:00Z")
    );
    assert_eq!(
        utc_opt(&maintenance.scheduled_until).as_deref(),
        Some("2023-04-04T11:00:00Z")
    );
    assert_eq!(
        utc_opt(&maintenance.created_at).as_deref(),
        Some("2023-03-27T11:13:28.540Z")
    );
    assert_eq!(maintenance.components, vec!["POD114"]);
    assert_eq!(
        timeline(maintenance),
        vec![(
            "2023-03-27T11:21:29.793Z".to_string(),
            Some(Status::Scheduled),
            Some("scheduled".to_string())
        )]
    );
    assert!(observation.notes.is_empty(), "{:?}", observation.notes);
}

#[test]
fn salesforce_general_messages_are_notices_closed_once_their_end_has_passed() {
    let observation = parse_at(
        Kind::Salesforce,
        "salesforce/instance-CS96-status-2024-10.json",
        "2024-10-15T00:00:00Z",
    )
    .unwrap();
    let cs96 = &observation.components[0];
    assert_eq!(
        (
            cs96.name.as_str(),
            cs96.group.as_deref(),
            cs96.status,
            cs96.status_raw.as_str()
        ),
        ("CS96", Some("NA"), ComponentStatus::Operational, "OK")
    );
    let ids: Vec<&str> = observation
        .incidents
        .iter()
        .map(|i| i.native_id.as_deref().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![
            "message-1465",
            "message-1467",
            "message-1466",
            "message-1468",
            "message-1469",
            "message-1379",
            "message-1464"
        ]
    );
    let data_cloud = observed_incident(&observation, "message-1466");
    assert_eq!(
        data_cloud.title,
        "Feature Degradation - Data Cloud - Developer Edition Provisioning"
    );
    assert_eq!(data_cloud.impact, None);
    assert_eq!(
        data_cloud.impact_raw.as_deref(),
        Some("informationalMessage")
    );
    assert_eq!(
        span(data_cloud),
        "2024-09-21T08:59:00Z .. 2024-09-24T12:33:00Z"
    );
    assert_eq!(data_cloud.status, Some(Status::Resolved));
    let mut updates: Vec<(String, Option<&str>)> = data_cloud
        .updates
        .iter()
        .map(|u| (utc(&u.posted_at), u.native_id.as_deref()))
        .collect();
    updates.sort();
    assert_eq!(
        updates,
        vec![
            ("2024-09-24T01:49:15.096Z".to_string(), Some("message-1466")),
            (
                "2024-09-24T03:40:30.071Z".to_string(),
                Some("message-update-250")
            ),
            (
                "2024-09-24T14:32:56.882Z".to_string(),
                Some("message-update-251")
            ),
        ]
    );
    // Its endDate (October 19) is after the fetch: still shown, not over.
    let mfa = observed_incident(&observation, "message-1465");
    assert_eq!(mfa.status, None);
    assert_eq!(mfa.resolved_at, None);
    assert_eq!(
        utc_opt(&mfa.started_at).as_deref(),
        Some("2024-09-23T21:00:00Z")
    );
    let b2c = observed_incident(&observation, "message-1464");
    assert_eq!(b2c.impact_raw.as_deref(), Some("productSpecific"));
    assert_eq!(b2c.components, vec!["B2C_Commerce_Cloud"]);
    assert!(data_cloud.components.is_empty());
}

#[test]
fn salesforce_incident_list_builds_titles_and_ends_only_when_every_impact_ended() {
    let observation = observe(Kind::Salesforce, "salesforce/incidents.from-docs.json");
    assert!(observation.components.is_empty());
    let resolved = observed_incident(&observation, "20455");
    assert_eq!(
        resolved.title,
        "Service Disruption, Performance Degradation on NA135, NA136"
    );
    assert_eq!(resolved.impact, Some(Impact::Major));
    assert_eq!(resolved.impact_raw.as_deref(), Some("major"));
    assert_eq!(
        span(resolved),
        "2024-05-02T14:02:00Z .. 2024-05-02T16:25:00Z"
    );
    assert_eq!(resolved.status, Some(Status::Resolved));
    assert_eq!(resolved.components, vec!["NA135", "NA136"]);
    assert_eq!(
        resolved
            .updates
            .iter()
            .map(|u| utc(&u.posted_at))
            .collect::<Vec<_>>(),
        vec![
            "2024-05-02T14:21:07Z",
            "2024-05-02T15:55:41Z",
            "2024-05-02T16:40:12Z"
        ]
    );
    // endTime "" is no end.
    let open = observed_incident(&observation, "20461");
    assert_eq!(open.title, "Feature Disruption on EU45");
    assert_eq!(open.resolved_at, None);
    assert_eq!(open.status, None);
    assert_eq!(
        utc_opt(&open.started_at).as_deref(),
        Some("2024-05-06T07:50:00Z")
    );
}

#[test]
fn salesforce_refuses_other_json_and_notes_unknown_words() {
    let e = parse_at(
        Kind::Salesforce,
        "gcp/incidents-2022-07.json",
        "2024-01-01T00:00:00Z",
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "not a salesforce page: element is none of instance, incident, maintenance or general message (at [0])"
    );
    let body = br#"{"key":"NA1","status":"DEGRADED_SOMEHOW","Incidents":[{"id":7,"IncidentImpacts":[
        {"startTime":"2024-01-01T00:00:00.000Z","endTime":null,"type":"gremlins","severity":"spicy"}],
        "IncidentEvents":[{"id":1,"type":"rant","message":"m","createdAt":"2024-01-01T00:05:00.000Z"}]}]}"#;
    let observation = parse_bytes(Kind::Salesforce, body, "2024-01-01T01:00:00Z").unwrap();
    assert_eq!(observation.components[0].status, ComponentStatus::Unknown);
    assert_eq!(observation.incidents[0].title, "gremlins on NA1");
    assert_eq!(observation.incidents[0].impact, None);
    let notes: Vec<(&str, &str)> = observation
        .notes
        .iter()
        .map(|n| (n.place.as_str(), n.message.as_str()))
        .collect();
    assert_eq!(
        notes,
        vec![
            (
                "status",
                "unknown instance status \"DEGRADED_SOMEHOW\" kept raw, mapped to unknown"
            ),
            (
                "Incidents[0].IncidentImpacts[0]",
                "unknown impact type \"gremlins\" kept raw"
            ),
            (
                "Incidents[0].IncidentImpacts[0]",
                "unknown severity \"spicy\" kept raw"
            ),
            (
                "Incidents[0].IncidentEvents[0]",
                "unknown event type \"rant\" kept raw"
            ),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Through the binary and over HTTP

#[test]
fn parse_command_prints_the_observation_of_each_json_kind() {
    for (kind, file, incidents) in [
        ("gcp", "gcp/incidents-2022-07.json", 157),
        (
            "slack",
            "slack/api-v2-history-2026-08-18-first5.reformatted.json",
            5,
        ),
        (
            "salesforce",
            "salesforce/instance-POD114-status-2023-04.json",
            2,
        ),
    ] {
        let doc = stdout_json(
            statusdb()
                .args([
                    "parse",
                    "--kind",
                    kind,
                    "--fetched-at",
                    "2026-11-28T12:00:00Z",
                ])
                .arg(fixtures_dir().join(file)),
        );
        assert_eq!(
            doc["incidents"].as_array().unwrap().len(),
            incidents,
            "{kind}"
        );
    }
    let out = statusdb()
        .args(["parse", "--kind", "slack"])
        .arg(fixtures_dir().join("gcp/incidents-2022-07.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not a slack page"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn slack_and_salesforce_sources_read_their_api_documents_over_http() {
    let server = TestServer::start();
    server.serve(
        "/slack/api/v2.0.0/current",
        fixture("slack/api-v2-current-2026-09-01-active.reformatted.json"),
    );
    server.serve(
        "/slack/api/v2.0.0/history",
        fixture("slack/api-v2-history-2026-08-18-first5.reformatted.json"),
    );
    server.serve(
        "/trust/v1/incidents",
        fixture("salesforce/incidents.from-docs.json"),
    );
    server.serve("/trust/v1/maintenances", b"[]".to_vec());
    let dir = tempfile::TempDir::new().unwrap();
    let config = write_config(
        dir.path(),
        &[
            SourceSpec::new("slack", "slack", "slack", server.url("/slack/")),
            SourceSpec::new(
                "salesforce",
                "salesforce",
                "salesforce",
                server.url("/trust/"),
            ),
        ],
    );
    statusdb()
        .args(["ingest", "--config"])
        .arg(&config)
        .assert()
        .success();
    assert_eq!(server.hits("/slack/api/v2.0.0/current"), 1);
    assert_eq!(server.hits("/slack/api/v2.0.0/history"), 1);
    assert_eq!(server.hits("/trust/v1/maintenances"), 1);
    let doc = export_json(&config);
    let incidents = doc["incidents"].as_array().unwrap();
    let slack: Vec<&Value> = incidents
        .iter()
        .filter(|i| i["vendor"] == "slack")
        .collect();
    // 1576 is in both documents: one record, with the union of its notes.
    assert_eq!(slack.len(), 5);
    let retention = slack.iter().find(|i| i["id"] == "slack/1576").unwrap();
    assert_eq!(retention["updates"].as_array().unwrap().len(), 10);
    assert_eq!(retention["status"], Value::Null);
    assert_eq!(retention["started_at"], "2026-08-13T21:21:41Z");
    let search = slack.iter().find(|i| i["id"] == "slack/1575").unwrap();
    assert_eq!(search["status"], "resolved");
    assert_eq!(search["resolved_at"], "2026-08-07T01:07:04Z");
    assert_eq!(search["duration_seconds"], 9869);
    assert_eq!(search["components"], json!(["Search"]));
    let salesforce = incidents
        .iter()
        .find(|i| i["id"] == "salesforce/20455")
        .unwrap();
    assert_eq!(salesforce["started_at"], "2024-05-02T14:02:00Z");
    assert_eq!(salesforce["resolved_at"], "2024-05-02T16:25:00Z");
    assert_eq!(salesforce["impact"], "major");
}

// ---------------------------------------------------------------------------------------------
// AWS

#[test]
fn aws_currentevents_reads_utf16_with_bom_and_mixed_epoch_units() {
    // The capture was saved as UTF-8; AWS serves UTF-16 with a BOM (the fixture made from it).
    let utf8 = observe(Kind::Aws, "aws/currentevents-2026-03-trimmed-utf8.json");
    let utf16 = observe(
        Kind::Aws,
        "aws/currentevents-2026-03-trimmed.utf16le-bom.json",
    );
    assert_eq!(utf8, utf16);
    assert_eq!(
        fixture("aws/currentevents-2026-03-trimmed.utf16le-bom.json")[..2],
        [0xFF, 0xFE]
    );

    assert_eq!(utf8.incidents.len(), 1);
    let event = &utf8.incidents[0];
    assert_eq!(
        event.native_id.as_deref(),
        Some(
            "arn:aws:health:me-central-1::event/MULTIPLE_SERVICES/AWS_MULTIPLE_SERVICES_OPERATIONAL_ISSUE/AWS_MULTIPLE_SERVICES_OPERATIONAL_ISSUE_5E6B8_EF2498889B5"
        )
    );
    assert_eq!(event.title, "Increased Error Rates");
    assert_eq!(event.impact, Some(Impact::Critical));
    assert_eq!(event.impact_raw.as_deref(), Some("3"));
    assert_eq!(event.status, None);
    assert_eq!(
        utc_opt(&event.started_at).as_deref(),
        Some("2026-03-01T12:51:25Z")
    );
    assert_eq!(event.started_at.as_ref().unwrap().raw, "1772369485");
    assert_eq!(
        event.aliases,
        vec![
            "multipleservices-me-central-1_1772369485",
            "multipleservices-me-central-1_1772371152",
            "multipleservices-me-central-1_1772374140"
        ]
    );
    assert_eq!(
        event.components,
        vec![
            "multipleservices-me-central-1",
            "cloudwatchsynthetics-me-central-1",
            "s3rtc-me-central-1",
            "acm-pca-me-central-1",
            "airflow-me-central-1"
        ]
    );
    assert_eq!(
        timeline(event),
        vec![
            ("2026-03-01T12:51:25Z".into(), None, Some("1".into())),
            ("2026-03-01T13:19:12Z".into(), None, Some("1".into())),
            ("2026-03-01T14:09:00Z".into(), None, Some("1".into())),
        ]
    );
    assert_eq!(
        event.updates[0].body,
        "We are investigating issues with AWS services in the ME-CENTRAL-1 Region."
    );
    assert_eq!(
        event.updates[0].components[0].status,
        ComponentStatus::DegradedPerformance
    );
    let components: Vec<(&str, Option<&str>, ComponentStatus, Option<String>)> = utf8
        .components
        .iter()
        .map(|c| {
            (
                c.name.as_str(),
                c.group.as_deref(),
                c.status,
                utc_opt(&c.updated_at),
            )
        })
        .collect();
    // Status changes are stamped in milliseconds: 1772369485000 is 12:51:25.
    assert_eq!(
        components,
        vec![
            (
                "multipleservices-me-central-1",
                Some("me-central-1"),
                ComponentStatus::MajorOutage,
                None
            ),
            (
                "cloudwatchsynthetics-me-central-1",
                Some("me-central-1"),
                ComponentStatus::MajorOutage,
                None
            ),
            (
                "s3rtc-me-central-1",
                Some("me-central-1"),
                ComponentStatus::MajorOutage,
                None
            ),
            (
                "acm-pca-me-central-1",
                Some("me-central-1"),
                ComponentStatus::MajorOutage,
                Some("2026-03-01T12:51:25Z".into())
            ),
            (
                "airflow-me-central-1",
                Some("me-central-1"),
                ComponentStatus::MajorOutage,
                Some("2026-03-01T12:51:25Z".into())
            ),
        ]
    );
    assert_eq!(
        utf8.components[3].updated_at.as_ref().unwrap().raw,
        "1772369485000"
    );
    assert!(utf8.notes.is_empty(), "{:?}", utf8.notes);
    // No current events is an empty array: nothing open, not a failure.
    assert_eq!(
        parse_bytes(Kind::Aws, b"[]", "2026-03-01T00:00:00Z").unwrap(),
        Observation::default()
    );
}

#[test]
fn aws_all_rss_merges_the_items_of_each_event_into_one_incident() {
    let observation = observe(Kind::Aws, "aws/all-2026-08-18.rss");
    assert_eq!(
        observation
            .incidents
            .iter()
            .map(|i| (i.native_id.as_deref().unwrap(), i.updates.len()))
            .collect::<Vec<_>>(),
        vec![
            ("multipleservices-me-central-1_1772396043", 17),
            ("multipleservices-me-south-1_1772430987", 13),
            ("directconnect-eu-central-1_1786765379", 20),
        ]
    );
    let direct_connect = observed_incident(&observation, "directconnect-eu-central-1_1786765379");
    assert_eq!(direct_connect.title, "Increased Packet loss");
    assert_eq!(
        direct_connect.components,
        vec!["directconnect-eu-central-1"]
    );
    assert_eq!(direct_connect.impact, Some(Impact::Major));
    assert_eq!(direct_connect.impact_raw.as_deref(), Some("Service impact"));
    assert_eq!(direct_connect.aliases.len(), 19);
    assert_eq!(
        direct_connect.aliases[18],
        "directconnect-eu-central-1_1787025679"
    );
    let times: Vec<String> = direct_connect
        .updates
        .iter()
        .map(|u| utc(&u.posted_at))
        .collect();
    assert_eq!(
        times,
        vec![
            "2026-08-15T03:42:59Z",
            "2026-08-15T04:42:50Z",
            "2026-08-15T05:55:13Z",
            "2026-08-15T07:24:28Z",
            "2026-08-15T09:08:14Z",
            "2026-08-15T11:10:29Z",
            "2026-08-15T13:17:50Z",
            "2026-08-15T16:27:41Z",
            "2026-08-15T22:26:42Z",
            "2026-08-16T04:37:47Z",
            "2026-08-16T10:25:32Z",
            "2026-08-16T16:30:39Z",
            "2026-08-16T22:51:07Z",
            "2026-08-17T05:38:04Z",
            "2026-08-17T11:22:30Z",
            "2026-08-17T16:25:22Z",
            "2026-08-17T17:59:20Z",
            "2026-08-17T21:00:11Z",
            "2026-08-18T01:50:12Z",
            "2026-08-18T04:01:19Z",
        ]
    );
    let first = &direct_connect.updates[0];
    assert_eq!(
        first.native_id.as_deref(),
        Some("directconnect-eu-central-1_1786765379")
    );
    assert_eq!(first.posted_at.raw, "Fri, 14 Aug 2026 20:42:59 PDT");
    assert_eq!(first.status, None);
    assert_eq!(first.status_raw.as_deref(), Some("Service impact"));
    assert_eq!(first.components[0].status, ComponentStatus::PartialOutage);
    assert_eq!(
        first.body,
        "We are investigating increased packet loss, impacting AWS Direct Connect connectivity for some customers in the EU-CENTRAL-1 Region."
    );
    let last = direct_connect.updates.last().unwrap();
    assert_eq!(last.status, Some(Status::Resolved));
    assert_eq!(
        last.status_raw.as_deref(),
        Some("Service is operating normally")
    );
    assert_eq!(last.components[0].status, ComponentStatus::Operational);

    // Two months without an item, then "an update on the ongoing service disruption": still
    // the same open event.
    let uae = observed_incident(&observation, "multipleservices-me-central-1_1772396043");
    assert_eq!(uae.title, "Increased Error Rates");
    assert_eq!(uae.impact, Some(Impact::Critical));
    assert_eq!(utc(&uae.updates[16].posted_at), "2026-04-30T07:25:54Z");
    assert!(uae.updates.iter().all(|u| u.status.is_none()));
    assert_eq!(uae.status, None);
    // Bahrain: impact items, then a disruption item: the worst level is the impact.
    let bahrain = observed_incident(&observation, "multipleservices-me-south-1_1772430987");
    assert_eq!(bahrain.impact, Some(Impact::Critical));
    assert_eq!(bahrain.impact_raw.as_deref(), Some("Service disruption"));
    assert_eq!(
        bahrain.title,
        "Increased Connectivity Issues and API Error Rates"
    );
    // The first two Bahrain items write "connectivity issues" in lower case: same event, and
    // nothing to note (only a real difference is noted).
    assert!(observation.notes.is_empty(), "{:?}", observation.notes);
}

#[test]
fn aws_service_rss_with_resolved_on_every_item_gives_one_incident_per_event() {
    let observation = observe(Kind::Aws, "aws/ec2-us-east-1-2022-03.rss");
    // 15 items: the 13 updates of the 22 December event and the 2 of 7 December.
    assert_eq!(observation.incidents.len(), 2);
    let december_7 = observed_incident(&observation, "ec2-us-east-1_1638895771");
    assert_eq!(december_7.title, "Increased API Error Rates");
    assert_eq!(
        timeline(december_7),
        vec![
            (
                "2021-12-07T16:49:31Z".into(),
                None,
                Some("Service degradation".into())
            ),
            (
                "2021-12-07T23:31:00Z".into(),
                Some(Status::Resolved),
                Some("Service is operating normally".into())
            ),
        ]
    );
    assert_eq!(december_7.impact, Some(Impact::Major));
    let december_22 = observed_incident(&observation, "ec2-us-east-1_1640176500");
    assert_eq!(december_22.title, "API Error Rates");
    assert_eq!(december_22.impact, Some(Impact::Minor));
    assert_eq!(
        december_22.impact_raw.as_deref(),
        Some("Informational message")
    );
    let times: Vec<(String, Option<Status>)> = december_22
        .updates
        .iter()
        .map(|u| (utc(&u.posted_at), u.status))
        .collect();
    assert_eq!(
        times,
        vec![
            ("2021-12-22T12:35:00Z".to_string(), None),
            ("2021-12-22T13:01:46Z".to_string(), None),
            ("2021-12-22T13:18:52Z".to_string(), None),
            ("2021-12-22T13:39:03Z".to_string(), None),
            ("2021-12-22T14:13:09Z".to_string(), None),
            ("2021-12-22T14:51:46Z".to_string(), None),
            ("2021-12-22T16:02:00Z".to_string(), None),
            ("2021-12-22T17:28:21Z".to_string(), None),
            ("2021-12-22T19:08:00Z".to_string(), None),
            ("2021-12-22T20:03:30Z".to_string(), None),
            ("2021-12-22T21:39:31Z".to_string(), None),
            ("2021-12-22T23:13:55Z".to_string(), None),
            ("2021-12-23T00:22:00Z".to_string(), Some(Status::Resolved)),
        ]
    );
    assert_eq!(
        december_22.updates[0].components[0].status,
        ComponentStatus::DegradedPerformance
    );
}

#[test]
fn aws_refuses_feeds_and_json_of_other_vendors() {
    let e = parse_at(
        Kind::Aws,
        "azure/status-feed-empty-2026-09-07.xml",
        "2026-09-07T07:00:00Z",
    );
    // An RSS feed with no items has nothing that could be wrong: it parses empty.
    assert_eq!(e.unwrap(), Observation::default());
    let e = parse_at(
        Kind::Aws,
        "statuspage/github-incidents-all.json",
        "2026-09-07T07:00:00Z",
    )
    .unwrap_err();
    assert!(e.to_string().starts_with("not a aws page: "), "{e}");
    let feed = br#"<rss version="2.0"><channel><title>GitHub</title><item><title>Incident</title>
        <guid>tag:www.githubstatus.com,2005:Incident/1</guid><pubDate>Mon, 17 Aug 2026 21:01:19 +0000</pubDate></item></channel></rss>"#;
    let e = parse_bytes(Kind::Aws, feed, "2026-09-07T07:00:00Z").unwrap_err();
    assert_eq!(
        e.to_string(),
        "not a aws page: guid \"tag:www.githubstatus.com,2005:Incident/1\" is not an AWS event guid (…#<service>_<epoch>) (at items[0])"
    );
}

// ---------------------------------------------------------------------------------------------
// Azure

#[test]
fn azure_empty_feed_is_success() {
    let observation = observe(Kind::Azure, "azure/status-feed-empty-2026-09-07.xml");
    assert!(observation.incidents.is_empty());
    assert!(observation.components.is_empty());
    // Its lastBuildDate "Mon, 07 Sep 2026 06:52:00 Z" reads: nothing to note.
    assert!(observation.notes.is_empty(), "{:?}", observation.notes);
    assert_eq!(
        observation.page.as_ref().unwrap().url.as_deref(),
        Some("https://azure.status.microsoft/en-us/status/")
    );
}

#[test]
fn azure_feed_with_two_incidents_from_documentation() {
    let observation = observe(Kind::Azure, "azure/status-feed-two-incidents.from-docs.xml");
    assert_eq!(observation.incidents.len(), 2);
    let wan = observed_incident(&observation, "VSG1-B90");
    assert_eq!(wan.title, "Azure Networking - Global WAN issues");
    assert_eq!(
        wan.url.as_deref(),
        Some("https://azure.status.microsoft/en-us/status/history/?trackingId=VSG1-B90")
    );
    assert_eq!(wan.components, vec!["Azure Networking"]);
    assert_eq!(wan.status, None);
    assert_eq!(
        timeline(wan),
        vec![
            ("2023-01-25T08:12:00Z".into(), None, None),
            ("2023-01-25T13:30:00Z".into(), None, None),
        ]
    );
    assert_eq!(wan.updates[0].posted_at.raw, "Wed, 25 Jan 2023 08:12:00 Z");
    assert!(
        wan.updates[0]
            .body
            .starts_with("Starting at 07:05 UTC on 25 January 2023")
    );
    assert!(
        wan.updates[1]
            .body
            .starts_with("Summary of Impact: Between 07:08 UTC and 12:43 UTC")
    );

    let vms = observation
        .incidents
        .iter()
        .find(|i| i.title == "Virtual Machines/VM Scale Sets - East US 2")
        .unwrap();
    // Neither a Tracking ID nor a guid: the normalizer identifies it by title and time.
    assert_eq!(vms.native_id, None);
    assert_eq!(
        vms.components,
        vec!["Virtual Machines/VM Scale Sets", "East US 2"]
    );
    assert_eq!(
        timeline(vms),
        vec![("2018-10-27T12:15:00Z".into(), None, None)]
    );
    assert_eq!(
        observation
            .notes
            .iter()
            .map(|n| (n.place.as_str(), n.message.as_str()))
            .collect::<Vec<_>>(),
        vec![(
            "items[2]",
            "no Tracking ID and no guid in the item; identified by title and time"
        )]
    );
}

#[test]
fn azure_refuses_other_feeds_and_pages() {
    let e = parse_at(
        Kind::Azure,
        "aws/all-2026-08-18.rss",
        "2026-09-07T07:00:00Z",
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "not a azure page: an RSS feed titled \"Azure Status\" expected, this is a feed titled \"Amazon Web Services Service Status\""
    );
    let e = parse_bytes(
        Kind::Azure,
        b"<!DOCTYPE html><html><body>Service Unavailable</body></html>",
        "2026-09-07T07:00:00Z",
    )
    .unwrap_err();
    // The one feed reader says what the body is.
    assert_eq!(
        e.to_string(),
        "not a azure page: an HTML page where an RSS or Atom feed was expected; it starts with \
         \"<!DOCTYPE html><html><body>Service Unavailable</body></html>\""
    );
    assert_eq!(e.cause(), ParseCause::WrongFormat);
}

// ---------------------------------------------------------------------------------------------
// Okta

#[test]
fn okta_feed_from_documentation_groups_updates_and_names_cells() {
    let observation = observe(Kind::Okta, "okta/okta-trust-feed.from-docs.atom");
    assert_eq!(observation.incidents.len(), 2);
    let o365 = observed_incident(&observation, "a3T4z00000XmpleEAA");
    assert_eq!(o365.title, "O365 OIN Provisioning Setup Issue");
    assert_eq!(
        o365.url.as_deref(),
        Some("https://status.okta.com/#incident/a3T4z00000XmpleEAA")
    );
    assert_eq!(
        o365.aliases,
        vec![
            "https://status.okta.com/#incident/a3T4z00000XmpleEAA",
            "tag:status.okta.com,2024:update/a3T4z00000XmpleEAA-1",
            "tag:status.okta.com,2024:update/a3T4z00000XmpleEAA-2",
            "tag:status.okta.com,2024:update/a3T4z00000XmpleEAA-3",
        ]
    );
    assert_eq!(o365.components, vec!["all cells"]);
    assert_eq!(
        timeline(o365),
        vec![
            // 13:08 -07:00
            ("2024-10-10T20:08:00Z".into(), None, None),
            ("2024-10-10T21:00:00Z".into(), None, None),
            (
                "2024-10-21T17:20:00Z".into(),
                Some(Status::Resolved),
                Some("Resolved".into())
            ),
        ]
    );
    assert_eq!(o365.updates[0].posted_at.raw, "2024-10-10T13:08:00-07:00");
    assert_eq!(o365.updates[0].posted_at.source, TimeSource::Structured);
    assert!(
        o365.updates[2]
            .body
            .starts_with("<p>Timing: Incident start: October 3, 2024")
    );

    let workflows = observed_incident(&observation, "a3T4z00000XmpleEAB");
    assert_eq!(workflows.title, "Delayed Okta Workflows executions");
    assert_eq!(
        workflows.components,
        vec!["okta.com cell 6", "okta-emea.com cell 9"]
    );
    assert_eq!(
        timeline(workflows),
        vec![("2024-11-05T17:12:00Z".into(), None, None)]
    );
    assert!(observation.notes.is_empty(), "{:?}", observation.notes);
}

#[test]
fn okta_refuses_feeds_of_other_vendors() {
    let e = parse_at(Kind::Okta, "aws/all-2026-08-18.rss", "2026-09-07T07:00:00Z").unwrap_err();
    assert_eq!(
        e.to_string(),
        "not a okta page: feed titled \"Amazon Web Services Service Status\" neither names Okta nor links status.okta.com"
    );
}

// ---------------------------------------------------------------------------------------------
// AWS legacy data.json: update stamps without a date

#[test]
fn aws_legacy_update_stamps_take_the_events_pacific_date_and_pass_midnight() {
    let observation = observe(Kind::Aws, "aws/legacy-data-2022.json");
    assert_eq!(observation.incidents.len(), 86);
    assert_eq!(
        observation
            .incidents
            .iter()
            .map(|i| i.updates.len())
            .sum::<usize>(),
        352
    );
    assert!(
        observation
            .incidents
            .iter()
            .all(|i| i.status == Some(Status::Resolved))
    );
    let times = |id: &str| -> Vec<String> {
        observed_incident(&observation, id)
            .updates
            .iter()
            .map(|u| utc(&u.posted_at))
            .collect()
    };
    // 18:08 PDT on 6 August is 01:08 UTC on the 7th; the stamps after midnight say "Aug 7".
    assert_eq!(
        times("dynamodb-us-east-1_1628298493"),
        vec![
            "2021-08-07T01:08:00Z",
            "2021-08-07T01:32:00Z",
            "2021-08-07T02:03:00Z",
            "2021-08-07T03:11:00Z",
            "2021-08-07T04:00:00Z",
            "2021-08-07T05:20:00Z",
            "2021-08-07T06:11:00Z",
            "2021-08-07T08:50:00Z",
            "2021-08-07T09:53:00Z",
        ]
    );
    // The event's epoch is 1 May in UTC but 30 April in Pacific time: its 5:00 PM PDT is
    // 30 April's.
    assert_eq!(
        times("ec2-ap-northeast-2_1651363256"),
        vec![
            "2022-05-01T00:00:00Z",
            "2022-05-01T00:11:00Z",
            "2022-05-01T00:31:00Z",
            "2022-05-01T01:00:00Z",
        ]
    );
    // PST in December: 11:33 PM on 21 December, then "Dec 22, 12:34 AM PST".
    assert_eq!(
        times("elasticbeanstalk-us-east-1_1640158400"),
        vec![
            "2021-12-22T07:33:00Z",
            "2021-12-22T08:34:00Z",
            "2021-12-22T09:20:00Z",
            "2021-12-22T11:21:00Z",
        ]
    );
    // A date five days on: "Sep 6,  8:25 PM PDT" after "9:51 PM PDT" on 1 September.
    let direct_connect = times("directconnect-ap-northeast-1_1630543140");
    assert_eq!(direct_connect[6], "2021-09-02T04:51:00Z");
    assert_eq!(direct_connect[7], "2021-09-07T03:25:00Z");

    // The 22 December EC2 event, also in the EC2 feed: the same 13 updates to the minute.
    let ec2 = observed_incident(&observation, "ec2-us-east-1_1640176551");
    assert_eq!(ec2.title, "API Error Rates");
    assert_eq!(ec2.impact, Some(Impact::Minor));
    assert_eq!(ec2.impact_raw.as_deref(), Some("1"));
    assert_eq!(ec2.components, vec!["ec2-us-east-1"]);
    assert_eq!(
        utc_opt(&ec2.started_at).as_deref(),
        Some("2021-12-22T12:35:51Z")
    );
    assert_eq!(
        times("ec2-us-east-1_1640176551"),
        vec![
            "2021-12-22T12:35:00Z",
            "2021-12-22T13:01:00Z",
            "2021-12-22T13:18:00Z",
            "2021-12-22T13:39:00Z",
            "2021-12-22T14:13:00Z",
            "2021-12-22T14:51:00Z",
            "2021-12-22T16:02:00Z",
            "2021-12-22T17:28:00Z",
            "2021-12-22T19:08:00Z",
            "2021-12-22T20:03:00Z",
            "2021-12-22T21:39:00Z",
            "2021-12-22T23:13:00Z",
            "2021-12-23T00:22:00Z",
        ]
    );
    let first = &ec2.updates[0];
    assert_eq!(first.posted_at.raw, "4:35 AM PST");
    assert_eq!(first.posted_at.source, TimeSource::Derived);
    assert!(
        first
            .body
            .starts_with("We are investigating increased EC2 launch failures"),
        "{}",
        first.body
    );
    assert_eq!(first.status, None);
    let last = ec2.updates.last().unwrap();
    assert_eq!(last.status, Some(Status::Resolved));
    assert_eq!(last.status_raw.as_deref(), Some("[RESOLVED]"));
    // Stamps that go through timetext and read cleanly leave nothing to note.
    assert!(observation.notes.is_empty(), "{:?}", observation.notes);
}

#[test]
fn aws_legacy_time_only_stamp_after_midnight_moves_to_the_next_day() {
    // 1633045200 is 2021-09-30T23:40:00Z, 4:40 PM PDT on 30 September.
    let body = br#"{"archive":[],"current":[{"service_name":"Amazon Simple Storage Service (Oregon)",
        "summary":"Increased Error Rates","date":"1633045200","status":"2","details":"",
        "description":"<div><span class=\"yellowfg\">11:40 PM PDT</span>&nbsp;We are investigating.</div><div><span class=\"yellowfg\">12:53 AM PDT</span>&nbsp;We continue to investigate.</div>",
        "service":"s3-us-west-2"}]}"#;
    let observation = parse_bytes(Kind::Aws, body, "2021-10-01T12:00:00Z").unwrap();
    let event = &observation.incidents[0];
    assert_eq!(event.native_id.as_deref(), Some("s3-us-west-2_1633045200"));
    assert_eq!(event.status, None);
    assert_eq!(
        event
            .updates
            .iter()
            .map(|u| utc(&u.posted_at))
            .collect::<Vec<_>>(),
        vec!["2021-10-01T06:40:00Z", "2021-10-01T07:53:00Z"]
    );
    assert_eq!(event.updates[1].body, "We continue to investigate.");
    // A current event's service takes its level.
    assert_eq!(observation.components[0].name, "s3-us-west-2");
    assert_eq!(
        observation.components[0].group.as_deref(),
        Some("us-west-2")
    );
    assert_eq!(
        observation.components[0].status,
        ComponentStatus::PartialOutage
    );
    assert_eq!(
        observation
            .notes
            .iter()
            .map(|n| (n.place.as_str(), n.message.as_str()))
            .collect::<Vec<_>>(),
        vec![(
            "current[0].description.div[1]",
            "stamp \"12:53 AM PDT\": day_rollover"
        )]
    );
    let e = parse_bytes(Kind::Aws, br#"{"page":{}}"#, "2021-10-01T12:00:00Z").unwrap_err();
    assert!(
        e.to_string().starts_with(
            "not a aws page: body is not an AWS data.json object (missing field `archive`"
        ),
        "{e}"
    );
}

// ---------------------------------------------------------------------------------------------
// Aggregator pages

fn check_seed(observation: &Observation) {
    assert_eq!(observation.incidents.len(), 1);
    let page = &observation.incidents[0];
    assert_eq!(page.title, "O365 OIN Provisioning Setup Issue");
    assert_eq!(page.kind, IncidentKind::Incident);
    assert_eq!(page.native_id, None);
    assert_eq!(page.impact, Some(Impact::Minor));
    assert_eq!(page.impact_raw.as_deref(), Some("Minor"));
    assert_eq!(page.status, Some(Status::Resolved));
    assert_eq!(page.status_raw.as_deref(), Some("Resolved"));
    // The page's own Started and Resolved, kept as given (the normalizer weighs them).
    let started = page.started_at.as_ref().unwrap();
    assert_eq!(utc(started), "2024-10-03T22:38:00Z");
    assert_eq!(started.raw, "Oct 03, 2024, 10:38 PM UTC");
    assert_eq!(started.source, TimeSource::Structured);
    assert_eq!(
        utc_opt(&page.resolved_at).as_deref(),
        Some("2025-09-10T19:47:00Z")
    );
    assert_eq!(
        page.components,
        vec![
            "okta-emea.com cell 1",
            "okta.com cell 1",
            "okta.com cell 2",
            "okta.com cell 3",
            "okta.com cell 4",
            "okta.com cell 6",
            "okta.com cell 7",
            "okta.com cell 8",
            "okta.com cell 9",
            "okta.com cell 11",
        ]
    );
    // Five updates, every one labelled "resolved" as the page says.
    assert_eq!(
        timeline(page),
        vec![
            (
                "2024-10-03T22:38:00Z".into(),
                Some(Status::Resolved),
                Some("resolved".into())
            ),
            (
                "2024-10-10T21:00:00Z".into(),
                Some(Status::Resolved),
                Some("resolved".into())
            ),
            (
                "2024-10-10T21:39:00Z".into(),
                Some(Status::Resolved),
                Some("resolved".into())
            ),
            (
                "2024-10-10T22:14:00Z".into(),
                Some(Status::Resolved),
                Some("resolved".into())
            ),
            (
                "2024-10-21T17:20:00Z".into(),
                Some(Status::Resolved),
                Some("resolved".into())
            ),
        ]
    );
    assert!(
        page.updates[0]
            .body
            .starts_with("At 12:52 PM PDT on October 10, 2024, the Engineering team became aware")
    );
    assert!(
        page.updates[0]
            .body
            .ends_with("or sooner if additional information becomes available.")
    );
    assert!(page.updates[4].body.starts_with("Timing: Incident start: October 3, 2024, at 6:38 PM PDT Incident resolved: October 10, 2024, at 3:22 PM PDT"));
    let second_hand = page.second_hand.as_ref().unwrap();
    assert_eq!(
        serde_json::to_value(second_hand).unwrap(),
        json!({
            "source_kind": "aggregator",
            "publisher": "Pingoru",
            "vendor_named": "Okta",
            "vendor_url": null,
            "fields": [
                {"label": "summary", "text": "Okta experienced a minor incident on October 3, 2024 affecting okta-emea.com cell 1 and okta.com cell 1 and 1 more component, lasting 341d 21h. The incident has been resolved; the full update timeline is below."},
                {"label": "Duration", "text": "341d 21h"},
                {"label": "Detected by Pingoru", "text": "Oct 03, 2024, 10:38 PM UTC"},
            ]
        })
    );
    assert_eq!(
        observation
            .notes
            .iter()
            .map(|n| (n.place.as_str(), n.message.as_str()))
            .collect::<Vec<_>>(),
        vec![(
            "page",
            "second-hand: Pingoru about Okta; its times, labels and duration are evidence, not the vendor's word"
        )]
    );
}

#[test]
fn aggregator_seed_page_text_is_read_with_its_labels_and_times() {
    check_seed(&observe(
        Kind::Aggregator,
        "aggregator/okta-o365-oin-2024-10.txt",
    ));
}

#[test]
fn aggregator_html_rendering_reads_the_same_as_the_text() {
    let html = observe(
        Kind::Aggregator,
        "aggregator/okta-o365-oin-2024-10.rendered-from-text.html",
    );
    check_seed(&html);
    assert_eq!(
        html,
        observe(Kind::Aggregator, "aggregator/okta-o365-oin-2024-10.txt")
    );
}

#[test]
fn aggregator_refuses_pages_that_are_not_incident_pages() {
    let e = parse_at(
        Kind::Aggregator,
        "slack/api-v2-current-2026-09-01-active.reformatted.json",
        "2026-01-01T00:00:00Z",
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "not a aggregator page: first line \"{\" is not \"<vendor> incident\" (at line 1)"
    );
    let e = parse_bytes(
        Kind::Aggregator,
        b"Okta incident\nSomething\nMinor Resolved\n",
        "2026-01-01T00:00:00Z",
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "not a aggregator page: page has no \"Started\" field"
    );
}

#[test]
fn parse_command_reads_the_seed_and_the_aws_legacy_document() {
    let out = succeeds(
        statusdb()
            .args(["parse", "--kind", "aggregator"])
            .arg(fixtures_dir().join("aggregator/okta-o365-oin-2024-10.txt")),
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let incident = &doc["incidents"][0];
    assert_eq!(incident["title"], "O365 OIN Provisioning Setup Issue");
    assert_eq!(incident["components"].as_array().unwrap().len(), 10);
    assert_eq!(incident["second_hand"]["publisher"], "Pingoru");
    assert_eq!(
        incident["updates"][4]["posted_at"]["utc"],
        "2024-10-21T17:20:00Z"
    );
    assert_eq!(incident["updates"][4]["posted_at"]["source"], "structured");

    let out = succeeds(
        statusdb()
            .args(["parse", "--kind", "aws"])
            .arg(fixtures_dir().join("aws/currentevents-2026-03-trimmed.utf16le-bom.json")),
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["incidents"][0]["started_at"]["utc"],
        "2026-03-01T12:51:25Z"
    );
}

#[test]
fn aws_and_gcp_sources_over_http_store_one_incident_per_event() {
    let server = TestServer::start();
    server.route(
        "/aws/currentevents",
        Route::ok(fixture(
            "aws/currentevents-2026-03-trimmed.utf16le-bom.json",
        ))
        .content_type("application/json; charset=utf-16"),
    );
    server.route(
        "/aws/rss/ec2-us-east-1.rss",
        Route::fixture("aws/ec2-us-east-1-2022-03.rss"),
    );
    server.serve("/gcp/incidents.json", fixture("gcp/incidents-2022-07.json"));
    let dir = tempfile::TempDir::new().unwrap();
    let mut aws_events = SourceSpec::new(
        "aws-currentevents",
        "aws",
        "aws",
        server.url("/aws/currentevents"),
    );
    aws_events.zone = Some("America/Los_Angeles");
    let config = write_config(
        dir.path(),
        &[
            aws_events,
            SourceSpec::new(
                "aws-ec2",
                "aws",
                "aws",
                server.url("/aws/rss/ec2-us-east-1.rss"),
            ),
            SourceSpec::new("gcp", "gcp", "gcp", server.url("/gcp/incidents.json")),
        ],
    );
    statusdb()
        .args(["ingest", "--config"])
        .arg(&config)
        .assert()
        .success();
    let doc = export_json(&config);
    let incidents = doc["incidents"].as_array().unwrap();
    assert_eq!(
        incidents.iter().filter(|i| i["vendor"] == "gcp").count(),
        157
    );
    let aws: Vec<&Value> = incidents.iter().filter(|i| i["vendor"] == "aws").collect();
    assert_eq!(aws.len(), 3);
    let december_22 = aws
        .iter()
        .find(|i| i["id"] == "aws/ec2-us-east-1_1640176500")
        .unwrap();
    assert_eq!(december_22["updates"].as_array().unwrap().len(), 13);
    assert_eq!(december_22["status"], "resolved");
    assert_eq!(december_22["resolved_at"], "2021-12-23T00:22:00Z");
    assert_eq!(december_22["components"], json!(["ec2-us-east-1"]));
    let bigquery = incidents
        .iter()
        .find(|i| i["id"] == "gcp/TaA75H7XA1DQyM2ReK2f")
        .unwrap();
    assert_eq!(bigquery["started_at"], "2022-07-01T13:37:44Z");
    assert_eq!(bigquery["resolved_at"], "2022-07-01T19:25:45Z");
    assert_eq!(bigquery["duration_seconds"], 20881);
    assert_eq!(bigquery["status"], "resolved");
    let components: Vec<&Value> = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["vendor"] == "aws")
        .collect();
    assert_eq!(components.len(), 5);
    assert_eq!(
        components
            .iter()
            .find(|c| c["name"] == "acm-pca-me-central-1")
            .unwrap()["updated_at"],
        "2026-03-01T12:51:25Z"
    );
}

#[test]
fn aggregator_reads_links_unknown_labels_and_zoneless_stamps_with_the_source_zone() {
    let html = r#"<!DOCTYPE html><html><body>
        <p>Acme incident</p><h1>Login errors</h1>
        <p><span>Major</span> <span>Ongoing</span> <a href="https://status.acme.example/incidents/42">View vendor source →</a></p>
        <dl><dt>Started</dt><dd>Mar 10, 2024, 01:30 AM</dd><dt>Reported by</dt><dd>a reader</dd></dl>
        <h2>Update timeline</h2>
        <ol><li><p>acknowledged Mar 10, 2024, 01:35 AM</p><p>Looking.</p></li>
            <li><p>update Mar 10, 2024, 03:10 AM</p><p>Still looking.</p><p>More soon.</p></li></ol>
        </body></html>"#;
    let page = PageInput {
        url: "https://aggregator.example/acme/1",
        body: html.as_bytes(),
        fetched_at: chrono::DateTime::parse_from_rfc3339("2024-03-11T00:00:00Z")
            .unwrap()
            .to_utc(),
        zone: Some(chrono_tz::America::New_York),
    };
    let observation = Kind::Aggregator.parse(&page).unwrap();
    let incident = &observation.incidents[0];
    assert_eq!(incident.title, "Login errors");
    assert_eq!(incident.impact, Some(Impact::Major));
    assert_eq!(incident.status, None);
    assert_eq!(
        incident.url.as_deref(),
        Some("https://status.acme.example/incidents/42")
    );
    assert_eq!(
        incident.aliases,
        vec!["https://status.acme.example/incidents/42"]
    );
    // No zone written: the source's (EST on 10 March, before the 02:00 switch), so derived.
    let started = incident.started_at.as_ref().unwrap();
    assert_eq!(utc(started), "2024-03-10T06:30:00Z");
    assert_eq!(started.source, TimeSource::Derived);
    assert_eq!(
        timeline(incident),
        vec![
            (
                "2024-03-10T06:35:00Z".into(),
                None,
                Some("acknowledged".into())
            ),
            // 03:10 EDT, after the clocks went forward.
            ("2024-03-10T07:10:00Z".into(), None, Some("update".into())),
        ]
    );
    assert_eq!(incident.updates[1].body, "Still looking.\nMore soon.");
    let second_hand = incident.second_hand.as_ref().unwrap();
    assert_eq!(second_hand.publisher.as_deref(), Some("aggregator.example"));
    assert_eq!(
        second_hand.vendor_url.as_deref(),
        Some("https://status.acme.example/incidents/42")
    );
    let notes: Vec<&str> = observation
        .notes
        .iter()
        .map(|n| n.message.as_str())
        .collect();
    assert!(
        notes.contains(&"unknown badge word \"Ongoing\" kept raw"),
        "{notes:?}"
    );
    assert!(
        notes.contains(&"unknown update label \"acknowledged\" kept raw"),
        "{notes:?}"
    );
    assert!(
        notes.contains(&"time \"Mar 10, 2024, 01:30 AM\" read with flags zone_from_page"),
        "{notes:?}"
    );
}
