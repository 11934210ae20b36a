//! The bodies each kind of target receives, built from an alert; pure (no I/O), so each is
//! held whole by a snapshot test. docs/ALERTS.md shows one of each.

use super::alert::{Alert, Severity, Subject, clip};
use crate::events::Event;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// Where a Statuspage-shaped body points its reader for documentation.
pub(crate) const DOCUMENTATION_URL: &str =
    "https://github.com/statusdb/statusdb/blob/main/docs/ALERTS.md";

/// The `webhook` body: the event exactly as `statusdb events --format ndjson` prints it
/// (without the line's newline).
pub(crate) fn event_body(event: &Event) -> Result<Vec<u8>, serde_json::Error> {
    serde_json::to_vec(event)
}

/// A vendor's overall state, as Statuspage's `page.status_indicator` and its description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageStatus {
    pub indicator: &'static str,
    pub description: &'static str,
}

impl PageStatus {
    /// From the worst rank among the vendor's active incidents' impacts and its components'
    /// statuses (0 none .. 3 critical), and whether something is under maintenance.
    pub(crate) fn from_rank(rank: i64, maintenance: bool) -> PageStatus {
        let (indicator, description) = match rank {
            r if r >= 3 => ("critical", "Major System Outage"),
            2 => ("major", "Partial System Outage"),
            1 => ("minor", "Minor Service Outage"),
            _ if maintenance => ("maintenance", "Service Under Maintenance"),
            _ => ("none", "All Systems Operational"),
        };
        PageStatus {
            indicator,
            description,
        }
    }
}

/// The `webhook` body with `format = "statuspage"`: Atlassian Statuspage's subscriber webhook,
/// `meta` and `page`, then `incident` (updates newest first, as Statuspage sends them) or
/// `component_update` and `component`.
pub(crate) fn statuspage(alert: &Alert<'_>, page: PageStatus) -> Value {
    let event = alert.event;
    let mut body = json!({
        "meta": {
            "unsubscribe": "",
            "documentation": DOCUMENTATION_URL,
            "generated_at": event.recorded_at,
        },
        "page": {
            "id": event.vendor,
            "status_indicator": page.indicator,
            "status_description": page.description,
        },
    });
    match &alert.subject {
        Subject::Incident(i) => {
            let maintenance = i.kind == "maintenance";
            // Statuspage always names a status; where the vendor gave none, the one
            // Statuspage itself starts with.
            let status = i.status.clone().unwrap_or_else(|| {
                if maintenance {
                    "scheduled"
                } else {
                    "investigating"
                }
                .to_string()
            });
            let impact = if maintenance {
                "maintenance".to_string()
            } else {
                i.impact.clone().unwrap_or_else(|| "none".into())
            };
            let updates: Vec<Value> = i
                .updates
                .iter()
                .rev()
                .map(|u| {
                    json!({
                        "id": u.id,
                        "incident_id": i.id,
                        "status": u.status.clone().unwrap_or_else(|| status.clone()),
                        "body": u.body,
                        "created_at": u.posted_at,
                        "updated_at": u.posted_at,
                        "display_at": u.posted_at,
                        "wants_twitter_update": false,
                        "twitter_updated_at": null,
                        "custom_tweet": null,
                        "deliver_notifications": true,
                    })
                })
                .collect();
            let monitoring_at = i
                .updates
                .iter()
                .find(|u| u.status.as_deref() == Some("monitoring"))
                .map(|u| u.posted_at.clone());
            let created_at = i
                .created_at
                .clone()
                .or_else(|| i.started_at.clone())
                .unwrap_or_else(|| i.first_seen_at.clone());
            let updated_at = i
                .updates
                .last()
                .map(|u| u.posted_at.clone())
                .unwrap_or_else(|| i.last_seen_at.clone());
            body["incident"] = json!({
                "id": i.id,
                "name": i.title,
                "status": status,
                "impact": impact,
                "impact_override": null,
                "created_at": created_at,
                "updated_at": updated_at,
                "monitoring_at": monitoring_at,
                "resolved_at": i.resolved_at,
                "shortlink": alert.link,
                "scheduled_for": i.scheduled_for,
                "scheduled_until": i.scheduled_until,
                "scheduled_remind_prior": false,
                "scheduled_reminded_at": null,
                "scheduled_auto_in_progress": false,
                "scheduled_auto_completed": false,
                "scheduled_auto_transition": false,
                "postmortem_body": null,
                "postmortem_body_last_updated_at": null,
                "postmortem_ignored": false,
                "postmortem_notified_subscribers": false,
                "postmortem_notified_twitter": false,
                "postmortem_published_at": null,
                "backfilled": false,
                "page_id": event.vendor,
                "organization_id": event.vendor,
                "incident_updates": updates,
            });
        }
        Subject::Component { id, view } => {
            let at = view
                .updated_at
                .clone()
                .unwrap_or_else(|| event.recorded_at.clone());
            body["component_update"] = json!({
                "id": event.id.to_string(),
                "component_id": id,
                "component_type": "Component",
                "old_status": event.previous_status,
                "new_status": view.status,
                "created_at": at,
            });
            body["component"] = json!({
                "id": id,
                "page_id": event.vendor,
                "group_id": view.group,
                "name": view.name,
                "description": null,
                "status": view.status,
                "created_at": at,
                "updated_at": at,
                "showcase": true,
            });
        }
    }
    body
}

/// Escapes text for Slack's mrkdwn (`&`, `<`, `>`; everything else is shown as written).
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A time as Slack shows it in the reader's own zone, with UTC text where it cannot.
fn slack_time(text: &str) -> String {
    match DateTime::parse_from_rfc3339(text) {
        Ok(t) => {
            let t = t.with_timezone(&Utc);
            format!(
                "<!date^{}^{{date_short_pretty}} at {{time}}|{}>",
                t.timestamp(),
                utc_words(&t)
            )
        }
        Err(_) => slack_escape(text),
    }
}

fn utc_words(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// An instant for people in UTC ("2022-11-25 16:20 UTC"); text that is not one, as it is.
fn human_time(text: &str) -> String {
    DateTime::parse_from_rfc3339(text)
        .map(|t| utc_words(&t.with_timezone(&Utc)))
        .unwrap_or_else(|_| text.to_string())
}

fn component_list(alert: &Alert<'_>) -> String {
    let components = alert.components();
    if components.is_empty() {
        "None named".into()
    } else {
        components.join(", ")
    }
}

/// The `slack` body: Block Kit in an attachment, whose bar carries the severity's colour;
/// `text` is the line notifications show.
pub(crate) fn slack(alert: &Alert<'_>) -> Value {
    let severity = alert.severity();
    let field = |title: &str, value: &str| json!({"type": "mrkdwn", "text": clip(&format!("*{title}*\n{}", slack_escape(value)), 2000)});
    let mut blocks = vec![
        json!({"type": "header", "text": {"type": "plain_text", "emoji": true,
               "text": clip(&format!("{} {}: {}", severity.mark(), alert.vendor_name, alert.title()), 150)}}),
        json!({"type": "section", "fields": [
            field("Severity", severity.words()),
            field("Impact", alert.impact_words()),
            field("Status", &alert.status_words()),
            field("Components", &component_list(alert)),
            field("Vendor", &alert.vendor_name),
        ]}),
    ];
    if let Some(update) = alert.latest_update() {
        let head = format!("*Latest update* · {}\n", slack_time(&update.posted_at));
        let room = 3000 - head.chars().count();
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn",
            "text": format!("{head}{}", clip(&slack_escape(&update.body), room))}}));
    }
    blocks.push(json!({"type": "context", "elements": [{"type": "mrkdwn",
        "text": format!("{} · recorded {} · statusdb event {}", alert.what(),
                        slack_time(&alert.event.recorded_at), alert.event.id)}]}));
    if let Some(link) = &alert.link {
        blocks.push(json!({"type": "actions", "elements": [{"type": "button",
            "text": {"type": "plain_text", "text": "Open the status page"}, "url": link}]}));
    }
    json!({
        "text": clip(&format!("{} · {}", alert.what(), alert.summary()), 3000),
        "attachments": [{"color": severity.colour(), "blocks": blocks}],
    })
}

/// The Adaptive Card colour word of a severity (Teams draws its own shades).
fn teams_colour(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::Major => "attention",
        Severity::Minor => "warning",
        Severity::Resolved => "good",
        Severity::Maintenance => "accent",
        Severity::NoImpact | Severity::Unstated => "default",
    }
}

/// The `teams` body: the message a Teams Workflows "When a Teams webhook request is received"
/// flow posts, holding one Adaptive Card (version 1.4).
pub(crate) fn teams(alert: &Alert<'_>) -> Value {
    let severity = alert.severity();
    let mut body = vec![
        json!({"type": "TextBlock", "text": format!("{} · {}", severity.words(), alert.what()),
               "weight": "Bolder", "color": teams_colour(severity), "wrap": true}),
        json!({"type": "TextBlock", "text": format!("{}: {}", alert.vendor_name, alert.title()),
               "size": "Large", "weight": "Bolder", "wrap": true}),
        json!({"type": "FactSet", "facts": [
            {"title": "Status", "value": alert.status_words()},
            {"title": "Impact", "value": alert.impact_words()},
            {"title": "Vendor", "value": alert.vendor_name},
            {"title": "Components", "value": component_list(alert)},
            {"title": "Recorded", "value": human_time(&alert.event.recorded_at)},
        ]}),
    ];
    if let Some(update) = alert.latest_update() {
        body.push(
            json!({"type": "TextBlock", "spacing": "Medium", "weight": "Bolder", "wrap": true,
                         "text": format!("Latest update · {}", human_time(&update.posted_at))}),
        );
        body.push(json!({"type": "TextBlock", "text": clip(&update.body, 4000), "wrap": true}));
    }
    let mut card = json!({
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "msteams": {"width": "Full"},
        "body": body,
    });
    if let Some(link) = &alert.link {
        card["actions"] =
            json!([{"type": "Action.OpenUrl", "title": "Open the status page", "url": link}]);
    }
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": card,
        }],
    })
}

/// PagerDuty's severity for an alert: from the impact (an unstated one is `warning`).
fn pagerduty_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "critical",
        Severity::Major => "error",
        Severity::Minor | Severity::Unstated => "warning",
        Severity::NoImpact | Severity::Maintenance | Severity::Resolved => "info",
    }
}

/// The `dedup_key` of an alert: the incident's id, or the component's; so the event that
/// ends it resolves the alert its start opened.
pub(crate) fn pagerduty_dedup_key(alert: &Alert<'_>) -> String {
    let key = match &alert.subject {
        Subject::Incident(i) => i.id.clone(),
        Subject::Component { id, .. } => format!("component:{id}"),
    };
    clip(&key, 255)
}

/// The `pagerduty` body: an Events API v2 event. Anything over (a closing status, a component
/// operational again) resolves the alert of its incident or component; anything else
/// triggers it, or adds to it while it is open.
pub(crate) fn pagerduty(alert: &Alert<'_>, routing_key: &str) -> Value {
    let dedup_key = pagerduty_dedup_key(alert);
    if alert.is_over() {
        return json!({
            "routing_key": routing_key,
            "event_action": "resolve",
            "dedup_key": dedup_key,
        });
    }
    let event = alert.event;
    let mut details = json!({
        "event": event.kind.as_str(),
        "statusdb_event_id": event.id,
        "vendor": event.vendor,
        "title": alert.title(),
        "status": event.status,
        "previous_status": event.previous_status,
        "impact": alert.impact_word(),
        "components": alert.components(),
    });
    if let Some(i) = alert.incident() {
        details["started_at"] = json!(i.started_at);
        details["scheduled_for"] = json!(i.scheduled_for);
    }
    if let Some(update) = alert.latest_update() {
        details["latest_update"] =
            json!({"posted_at": update.posted_at, "body": clip(&update.body, 4000)});
    }
    let mut payload = json!({
        "summary": clip(&alert.summary(), 1024),
        "source": event.vendor,
        "severity": pagerduty_severity(alert.severity()),
        "timestamp": event.recorded_at,
        "group": event.vendor,
        "class": event.kind.as_str(),
        "custom_details": details,
    });
    let components = alert.components();
    if !components.is_empty() {
        payload["component"] = json!(clip(&components.join(", "), 255));
    }
    let mut body = json!({
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": dedup_key,
        "client": "statusdb",
        "payload": payload,
    });
    if let Some(link) = &alert.link {
        body["links"] =
            json!([{"href": link, "text": format!("{} status page", alert.vendor_name)}]);
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slack_text_is_escaped_and_times_are_shown_in_the_readers_zone() {
        assert_eq!(
            slack_escape("<b> & <!here>"),
            "&lt;b&gt; &amp; &lt;!here&gt;"
        );
        assert_eq!(
            slack_time("2022-11-25T16:20:00Z"),
            "<!date^1669393200^{date_short_pretty} at {time}|2022-11-25 16:20 UTC>"
        );
        assert_eq!(slack_time("soon & later"), "soon &amp; later");
    }

    #[test]
    fn page_status_words_are_statuspages() {
        let words = |rank, maintenance| {
            let p = PageStatus::from_rank(rank, maintenance);
            (p.indicator, p.description)
        };
        assert_eq!(words(0, false), ("none", "All Systems Operational"));
        assert_eq!(words(0, true), ("maintenance", "Service Under Maintenance"));
        assert_eq!(words(1, true), ("minor", "Minor Service Outage"));
        assert_eq!(words(2, false), ("major", "Partial System Outage"));
        assert_eq!(words(3, false), ("critical", "Major System Outage"));
    }
}
