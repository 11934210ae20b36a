//! Google Cloud (`kind = "gcp"`): `https://status.cloud.google.com/incidents.json`, the whole
//! incident history in one array.
//!
//! Products and locations are components. `severity` (and `status_impact`, checked against
//! it) give the impact; each update's `status` is the status of the products and locations it
//! lists. An incident is resolved when it has an `end`; open incidents have none. Times are
//! RFC 3339 with offsets. Update texts quote local times ("2022-07-01 12:23 US/Pacific"): those
//! are the vendor's prose, left to the normalizer.

use super::support::{Notes, Sniff, decode_text, read_json_text, rfc3339, unexpected_start};
use super::{Confidence, PageInput, ParseCause, ParseError};
use crate::model::{
    ComponentChange, ComponentStatus, Impact, IncidentKind, Observation, ObservedIncident,
    ObservedUpdate, Status,
};
use serde::Deserialize;

// What this kind is, for the registry (providers/mod.rs; docs/FORMATS.md).
kind_spec! {
    Gcp, "gcp", product "gcp" rank 0, formats [Json], one document
}

/// Incident links are relative to the dashboard (`uri` is `incidents/<id>`).
const DASHBOARD: &str = "https://status.cloud.google.com/";

/// `id`, `begin`, `external_desc` and `updates` are required, so that another JSON array is not
/// taken for Google's.
#[derive(Deserialize)]
struct Incident {
    id: String,
    number: Option<String>,
    begin: String,
    created: Option<String>,
    end: Option<String>,
    external_desc: String,
    updates: Vec<Update>,
    status_impact: Option<String>,
    severity: Option<String>,
    #[serde(default)]
    affected_products: Vec<Named>,
    uri: Option<String>,
    #[serde(default)]
    currently_affected_locations: Vec<Named>,
    #[serde(default)]
    previously_affected_locations: Vec<Named>,
}

#[derive(Deserialize)]
struct Update {
    created: Option<String>,
    when: Option<String>,
    #[serde(default)]
    text: String,
    status: Option<String>,
    #[serde(default)]
    affected_locations: Vec<Named>,
}

#[derive(Deserialize)]
struct Named {
    title: String,
    id: Option<String>,
}

/// How surely a body is Google Cloud's `incidents.json`. Strong: an array whose incidents have
/// the fields the parser needs (`id`, `begin`, `external_desc`, `updates`) and Google's
/// `most_recent_update`. Weak: those fields without it, or an empty array (which any of the
/// array documents could be). No otherwise.
pub(crate) fn detect(sniff: &Sniff<'_>) -> Confidence {
    let Some(serde_json::Value::Array(incidents)) = sniff.json() else {
        return Confidence::No;
    };
    if incidents.is_empty() {
        return Confidence::Weak;
    }
    let shaped = incidents.iter().all(|i| {
        ["id", "begin", "external_desc", "updates"]
            .iter()
            .all(|key| i.get(key).is_some())
    });
    if !shaped {
        Confidence::No
    } else if incidents
        .iter()
        .any(|i| i.get("most_recent_update").is_some())
    {
        Confidence::Strong
    } else {
        Confidence::Weak
    }
}

pub fn parse(page: &PageInput<'_>) -> Result<Observation, ParseError> {
    let text = decode_text(KIND, page.body)?;
    if !text.trim_start().starts_with('[') {
        return Err(unexpected_start(KIND, "the incidents.json array", &text));
    }
    let incidents: Vec<Incident> =
        read_json_text(KIND, &text, "a Google Cloud incidents.json array")?;
    let mut notes = Notes::default();
    let incidents = incidents
        .into_iter()
        .enumerate()
        .map(|(i, incident)| read_incident(incident, &format!("[{i}]"), &mut notes))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Observation {
        incidents,
        notes: notes.into_vec(),
        ..Observation::default()
    })
}

fn read_incident(
    incident: Incident,
    place: &str,
    notes: &mut Notes,
) -> Result<ObservedIncident, ParseError> {
    let mut observed =
        ObservedIncident::new(IncidentKind::Incident, incident.external_desc.clone());
    observed.url = Some(match &incident.uri {
        Some(uri) => format!("{DASHBOARD}{}", uri.trim_start_matches('/')),
        None => format!("{DASHBOARD}incidents/{}", incident.id),
    });
    observed.native_id = Some(incident.id.clone());
    observed.aliases.extend(incident.number.clone());

    // Severity is the impact; status_impact says the same in other words, and a disagreement
    // is reported rather than settled silently.
    let from_severity = incident
        .severity
        .as_deref()
        .map(|raw| (raw, severity_impact(raw)));
    let from_status = incident
        .status_impact
        .as_deref()
        .map(|raw| (raw, status_impact(raw)));
    match (from_severity, from_status) {
        (Some((raw, Some(impact))), status) => {
            observed.impact = Some(impact);
            observed.impact_raw = Some(raw.to_string());
            if let Some((status_raw, Some(other))) = status
                && other != impact
            {
                notes.add(
                    place,
                    format!(
                        "severity {raw:?} ({impact}) and status_impact {status_raw:?} ({other}) disagree; severity kept"
                    ),
                );
            }
        }
        (severity, Some((raw, Some(impact)))) => {
            observed.impact = Some(impact);
            observed.impact_raw = Some(raw.to_string());
            if let Some((severity_raw, None)) = severity {
                notes.add(place, format!("unknown severity {severity_raw:?} kept raw"));
            }
        }
        (severity, status) => {
            for (field, word) in [("severity", severity), ("status_impact", status)] {
                if let Some((raw, _)) = word {
                    notes.add(place, format!("unknown {field} {raw:?} kept raw"));
                    observed.impact_raw.get_or_insert_with(|| raw.to_string());
                }
            }
        }
    }

    let time = |text: &Option<String>, field: &str| {
        text.as_deref()
            .filter(|t| !t.trim().is_empty())
            .map(|t| rfc3339(KIND, t, &format!("{place}.{field}")))
            .transpose()
    };
    observed.created_at = time(&incident.created, "created")?;
    observed.started_at = Some(rfc3339(KIND, &incident.begin, &format!("{place}.begin"))?);
    observed.resolved_at = time(&incident.end, "end")?;
    if observed.resolved_at.is_some() {
        // `end` is Google's own statement that the incident is over; it has no status word.
        observed.status = Some(Status::Resolved);
    }

    let products: Vec<(Option<String>, String)> = incident
        .affected_products
        .iter()
        .map(|p| (p.id.clone(), p.title.clone()))
        .collect();
    let mut components: Vec<String> = products.iter().map(|(_, name)| name.clone()).collect();
    let all_locations = incident
        .currently_affected_locations
        .iter()
        .chain(&incident.previously_affected_locations)
        .chain(incident.updates.iter().flat_map(|u| &u.affected_locations));
    for location in all_locations {
        if !components.contains(&location.title) {
            components.push(location.title.clone());
        }
    }
    observed.components = components;

    // incidents.json lists updates newest first; observations carry them oldest first.
    for (u, update) in incident.updates.into_iter().enumerate().rev() {
        let place = format!("{place}.updates[{u}]");
        let stamp = update.when.or(update.created).ok_or_else(|| {
            ParseError::at(
                KIND,
                ParseCause::SchemaMismatch,
                &place,
                "update has neither `when` nor `created`",
            )
        })?;
        let posted_at = rfc3339(KIND, &stamp, &place)?;
        let (status, component_status) = match update.status.as_deref() {
            Some(raw) => match update_status(raw) {
                Some(words) => words,
                None => {
                    notes.add(
                        &place,
                        format!("unknown update status {raw:?} kept raw, components unknown"),
                    );
                    (None, ComponentStatus::Unknown)
                }
            },
            None => (None, ComponentStatus::Unknown),
        };
        let status_raw = update.status.clone();
        let changes = products
            .iter()
            .cloned()
            .chain(
                update
                    .affected_locations
                    .into_iter()
                    .map(|l| (l.id, l.title)),
            )
            .map(|(native_id, name)| ComponentChange {
                native_id,
                name,
                status: component_status,
                status_raw: status_raw.clone().unwrap_or_default(),
            })
            .collect();
        observed.updates.push(ObservedUpdate {
            native_id: None,
            status,
            status_raw,
            posted_at,
            body: update.text,
            components: changes,
        });
    }
    Ok(observed)
}

/// `severity`: Google's three levels onto the upper three of statusdb's impacts.
pub fn severity_impact(raw: &str) -> Option<Impact> {
    Some(match raw {
        "low" => Impact::Minor,
        "medium" => Impact::Major,
        "high" => Impact::Critical,
        _ => return None,
    })
}

/// `status_impact`: the same three levels, named.
pub fn status_impact(raw: &str) -> Option<Impact> {
    Some(match raw {
        "SERVICE_INFORMATION" => Impact::Minor,
        "SERVICE_DISRUPTION" => Impact::Major,
        "SERVICE_OUTAGE" => Impact::Critical,
        _ => return None,
    })
}

/// An update's `status`: the status of what it lists, and, for `AVAILABLE`, the end of the
/// incident. The other words only add text: they keep the incident's status.
pub fn update_status(raw: &str) -> Option<(Option<Status>, ComponentStatus)> {
    Some(match raw {
        "AVAILABLE" => (Some(Status::Resolved), ComponentStatus::Operational),
        "SERVICE_INFORMATION" => (None, ComponentStatus::DegradedPerformance),
        "SERVICE_DISRUPTION" => (None, ComponentStatus::PartialOutage),
        "SERVICE_OUTAGE" => (None, ComponentStatus::MajorOutage),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::endpoint_urls;

    #[test]
    fn the_configured_url_is_the_one_document() {
        assert_eq!(
            endpoint_urls(KIND, "https://status.cloud.google.com/incidents.json"),
            vec!["https://status.cloud.google.com/incidents.json"]
        );
    }
}
