//! Slack (`kind = "slack"`): the status API v2.0.0, `https://slack-status.com/api/v2.0.0/current`
//! (an object with `active_incidents`) and `/history` (an array of the same incidents).
//!
//! An incident has an integer `id`, a `type` (incident, notice, outage, maintenance), a `status`
//! (active, resolved; scheduled, completed, cancelled for maintenance), `services` (the
//! components) and `notes` (the updates, HTML bodies, oldest first), with Pacific offsets
//! (`-07:00`). Notes carry no status and incidents no `resolved_at`: when the incident's status
//! says it is over, its last note is the one that closed it.

use super::support::{
    Notes, Scalar, Sniff, decode_text, links_to, read_json_text, rfc3339, unexpected_start,
};
use super::{Confidence, Endpoint, PageInput, ParseCause, ParseError, single, under};
use crate::model::{Impact, IncidentKind, Observation, ObservedIncident, ObservedUpdate, Status};
use serde::Deserialize;
use url::Url;

// What this kind is, for the registry (providers/mod.rs; docs/FORMATS.md).
kind_spec! {
    Slack, "slack", product "slack" rank 0, formats [Json]
}

/// A base URL reads `current` and `history`; a URL of one API document (or of a saved file)
/// reads just it.
fn endpoints(url: &Url) -> Vec<Endpoint> {
    if url.path().contains("/api/") || super::names_a_file(url) {
        return single(url);
    }
    under(
        url,
        &[("api/v2.0.0/current", true), ("api/v2.0.0/history", true)],
    )
}

#[derive(Deserialize)]
struct Current {
    status: Option<String>,
    active_incidents: Option<Vec<Incident>>,
}

/// Every field the documentation lists is required (bar `url` and `services`), so that another
/// JSON array is not taken for Slack's.
#[derive(Deserialize)]
struct Incident {
    id: Scalar,
    title: String,
    #[serde(rename = "type")]
    kind: String,
    status: String,
    url: Option<String>,
    date_created: String,
    #[serde(default)]
    services: Vec<String>,
    notes: Vec<Note>,
}

#[derive(Deserialize)]
struct Note {
    date_created: Option<String>,
    #[serde(default)]
    body: String,
}

/// How surely a body is one of Slack's status API documents (`current`: an object with
/// `active_incidents`; `history`: an array of incidents). Strong: incidents shaped as Slack's
/// (`id`, `title`, `type`, `status`, `notes`) that link `slack-status.com`. Weak: the shape
/// without the link (an all-clear `current`, with `date_updated` and no incidents; an empty
/// array, which any of the array documents could be). No otherwise.
fn detect(sniff: &Sniff<'_>) -> Confidence {
    use serde_json::Value;
    let incidents: &[Value];
    match sniff.json() {
        Some(Value::Array(list)) => incidents = list,
        Some(Value::Object(current)) => match current.get("active_incidents") {
            Some(Value::Array(list)) => incidents = list,
            None | Some(Value::Null)
                if current.get("status").and_then(Value::as_str) == Some("ok")
                    && current.contains_key("date_updated") =>
            {
                return Confidence::Weak;
            }
            _ => return Confidence::No,
        },
        _ => return Confidence::No,
    }
    let shaped = incidents.iter().all(|i| {
        ["id", "title", "type", "status", "notes"]
            .iter()
            .all(|key| i.get(key).is_some())
    });
    let on_slack = incidents.iter().any(|i| {
        i.get("url")
            .and_then(Value::as_str)
            .is_some_and(|u| links_to(u, "slack-status.com"))
    });
    match (shaped, on_slack) {
        (true, true) => Confidence::Strong,
        (true, false) => Confidence::Weak,
        (false, _) => Confidence::No,
    }
}

fn parse(page: &PageInput<'_>) -> Result<Observation, ParseError> {
    let text = decode_text(KIND, page.body)?;
    let mut notes = Notes::default();
    let incidents: Vec<(String, Incident)> = match text.trim_start().as_bytes().first() {
        Some(b'[') => read_json_text::<Vec<Incident>>(KIND, &text, "a Slack status history array")?
            .into_iter()
            .enumerate()
            .map(|(i, incident)| (format!("[{i}]"), incident))
            .collect(),
        Some(b'{') => {
            let current: Current = read_json_text(KIND, &text, "a Slack current status object")?;
            match (&current.status, current.active_incidents) {
                (_, Some(list)) => list
                    .into_iter()
                    .enumerate()
                    .map(|(i, incident)| (format!("active_incidents[{i}]"), incident))
                    .collect(),
                // The terse all-clear answer may leave the list out.
                (Some(status), None) if status == "ok" => Vec::new(),
                _ => {
                    return Err(ParseError::new(
                        KIND,
                        ParseCause::WrongFormat,
                        "object has no active_incidents and is not the {\"status\":\"ok\"} answer",
                    ));
                }
            }
        }
        _ => {
            return Err(unexpected_start(KIND, "a JSON object or array", &text));
        }
    };
    let mut observation = Observation::default();
    for (place, incident) in incidents {
        observation
            .incidents
            .push(read_incident(incident, &place, &mut notes)?);
    }
    observation.notes = notes.into_vec();
    Ok(observation)
}

fn read_incident(
    incident: Incident,
    place: &str,
    notes: &mut Notes,
) -> Result<ObservedIncident, ParseError> {
    let (kind, impact) = incident_type(&incident.kind).unwrap_or_else(|| {
        notes.add(place, format!("unknown type {:?} kept raw", incident.kind));
        (IncidentKind::Incident, None)
    });
    let mut observed = ObservedIncident::new(kind, incident.title);
    observed.native_id = Some(incident.id.text());
    observed.impact = impact;
    observed.impact_raw = Some(incident.kind);
    if let Some(url) = &incident.url {
        observed.url = Some(url.clone());
        // The same link names the incident in Slack's RSS and Atom feeds.
        observed.aliases.push(url.clone());
    }
    let raw = incident.status.as_str();
    let status = incident_status(raw);
    if raw == "cancelled" {
        notes.add(
            place,
            "maintenance cancelled: statusdb has no status for it; kept raw",
        );
    } else if status.is_none() && raw != "active" {
        notes.add(place, format!("unknown status {raw:?} kept raw"));
    }
    observed.status = status;
    observed.status_raw = Some(incident.status.clone());
    let created = rfc3339(
        KIND,
        &incident.date_created,
        &format!("{place}.date_created"),
    )?;
    // `date_created` is "when incident response or maintenance began".
    match kind {
        IncidentKind::Incident => observed.started_at = Some(created.clone()),
        IncidentKind::Maintenance => observed.scheduled_for = Some(created.clone()),
    }
    observed.created_at = Some(created);
    observed.components = incident.services;

    let last = incident.notes.len().checked_sub(1);
    for (n, note) in incident.notes.into_iter().enumerate() {
        let place = format!("{place}.notes[{n}]");
        let stamp = note.date_created.ok_or_else(|| {
            ParseError::at(
                KIND,
                ParseCause::SchemaMismatch,
                &place,
                "note has no date_created",
            )
        })?;
        let posted_at = rfc3339(KIND, &stamp, &place)?;
        // Notes have no status of their own; the closing status belongs to the last one.
        let closes = Some(n) == last && status.is_some_and(Status::is_closed);
        observed.updates.push(ObservedUpdate {
            native_id: None,
            status: if closes { status } else { None },
            status_raw: closes.then(|| incident.status.clone()),
            posted_at,
            body: note.body,
            components: Vec::new(),
        });
    }
    Ok(observed)
}

/// `type`: whether it is planned, and how bad Slack says it is.
fn incident_type(raw: &str) -> Option<(IncidentKind, Option<Impact>)> {
    Some(match raw {
        "notice" => (IncidentKind::Incident, Some(Impact::None)),
        "incident" => (IncidentKind::Incident, Some(Impact::Minor)),
        "outage" => (IncidentKind::Incident, Some(Impact::Major)),
        "maintenance" => (IncidentKind::Maintenance, None),
        _ => return None,
    })
}

/// `status`. `active` says only that it is not over (no stage), `cancelled` has no canonical
/// word: both map to none, kept raw.
fn incident_status(raw: &str) -> Option<Status> {
    Some(match raw {
        "resolved" => Status::Resolved,
        "scheduled" => Status::Scheduled,
        "completed" => Status::Completed,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::endpoint_urls;

    #[test]
    fn the_api_root_reads_current_and_history_and_a_document_reads_itself() {
        assert_eq!(
            endpoint_urls(KIND, "https://slack-status.com/"),
            vec![
                "https://slack-status.com/api/v2.0.0/current",
                "https://slack-status.com/api/v2.0.0/history"
            ]
        );
        assert_eq!(
            endpoint_urls(KIND, "https://slack-status.com/api/v2.0.0/history"),
            vec!["https://slack-status.com/api/v2.0.0/history"]
        );
    }
}
