//! What an alert says, read once from a stored event for every payload: the subject (an
//! incident or a component), its severity in words and colour, its latest update and a link.

use crate::events::{Event, EventType};
use serde::Deserialize;

/// The incident of an event, as the export object writes it (the fields alerts show).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct IncidentView {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub url: Option<String>,
    pub impact: Option<String>,
    pub status: Option<String>,
    pub created_at: Option<String>,
    pub started_at: Option<String>,
    pub resolved_at: Option<String>,
    pub scheduled_for: Option<String>,
    pub scheduled_until: Option<String>,
    #[serde(default)]
    pub components: Vec<String>,
    #[serde(default)]
    pub updates: Vec<UpdateView>,
    pub first_seen_at: String,
    pub last_seen_at: String,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct UpdateView {
    pub id: String,
    pub status: Option<String>,
    pub posted_at: String,
    pub body: String,
}

/// The component of an event, as the export object writes it.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ComponentView {
    pub name: String,
    pub group: Option<String>,
    pub status: String,
    pub updated_at: Option<String>,
}

/// What the event is about.
#[derive(Debug, Clone)]
pub enum Subject {
    Incident(Box<IncidentView>),
    Component {
        /// The component's id in the database (`<vendor>/<native id or name>`).
        id: String,
        view: ComponentView,
    },
}

/// How bad it is, for colour and words; every payload maps it its own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Severity {
    Critical,
    Major,
    Minor,
    /// The vendor says it has no impact.
    NoImpact,
    /// The vendor does not say.
    Unstated,
    Maintenance,
    /// Over: the incident closed, the component is operational again.
    Resolved,
}

impl Severity {
    pub(crate) fn words(self) -> &'static str {
        match self {
            Severity::Critical => "Critical impact",
            Severity::Major => "Major impact",
            Severity::Minor => "Minor impact",
            Severity::NoImpact => "No impact",
            Severity::Unstated => "Impact not stated",
            Severity::Maintenance => "Maintenance",
            Severity::Resolved => "Resolved",
        }
    }

    /// A coloured mark for text that has no colour of its own (Slack's header).
    pub(crate) fn mark(self) -> &'static str {
        match self {
            Severity::Critical => "🔴",
            Severity::Major => "🟠",
            Severity::Minor => "🟡",
            Severity::NoImpact | Severity::Unstated => "⚪",
            Severity::Maintenance => "🔵",
            Severity::Resolved => "✅",
        }
    }

    /// An RGB colour: red, orange, yellow, grey, light grey, blue, green.
    pub(crate) fn colour(self) -> &'static str {
        match self {
            Severity::Critical => "#D92D20",
            Severity::Major => "#F79009",
            Severity::Minor => "#FDB022",
            Severity::NoImpact => "#667085",
            Severity::Unstated => "#98A2B3",
            Severity::Maintenance => "#2E90FA",
            Severity::Resolved => "#12B76A",
        }
    }
}

/// An event made ready for the payloads.
#[derive(Debug, Clone)]
pub(crate) struct Alert<'a> {
    pub event: &'a Event,
    /// The vendor's display name (its sources' `name`), else its id.
    pub vendor_name: String,
    pub subject: Subject,
    /// The vendor's page: the incident's own link, else the source's page.
    pub link: Option<String>,
}

/// Why an event cannot become an alert (a stored record that is not the export object).
#[derive(Debug, thiserror::Error)]
#[error("event {event_id}: {reason}")]
pub(crate) struct AlertError {
    pub event_id: i64,
    pub reason: String,
}

impl<'a> Alert<'a> {
    /// Reads an event's record. `component_id` is the events row's, for component events;
    /// `page_url` the URL of the source that showed the change.
    pub(crate) fn new(
        event: &'a Event,
        vendor_name: &str,
        component_id: Option<&str>,
        page_url: Option<&str>,
    ) -> Result<Alert<'a>, AlertError> {
        let invalid = |reason: String| AlertError {
            event_id: event.id,
            reason,
        };
        let subject = match (&event.incident, &event.component) {
            (Some(incident), _) => Subject::Incident(Box::new(
                serde_json::from_value(incident.clone())
                    .map_err(|e| invalid(format!("incident record: {e}")))?,
            )),
            (None, Some(component)) => Subject::Component {
                id: component_id
                    .ok_or_else(|| invalid("component event without a component".into()))?
                    .to_string(),
                view: serde_json::from_value(component.clone())
                    .map_err(|e| invalid(format!("component record: {e}")))?,
            },
            (None, None) => return Err(invalid("neither an incident nor a component".into())),
        };
        let web = |u: &&str| u.starts_with("https://") || u.starts_with("http://");
        let link = match &subject {
            Subject::Incident(i) => i.url.as_deref().filter(web),
            Subject::Component { .. } => None,
        }
        .or(page_url.filter(web))
        .map(str::to_string);
        Ok(Alert {
            event,
            vendor_name: vendor_name.to_string(),
            subject,
            link,
        })
    }

    pub(crate) fn incident(&self) -> Option<&IncidentView> {
        match &self.subject {
            Subject::Incident(i) => Some(i),
            Subject::Component { .. } => None,
        }
    }

    /// The incident's title, or the component's `group / name`.
    pub(crate) fn title(&self) -> String {
        match &self.subject {
            Subject::Incident(i) => i.title.clone(),
            Subject::Component { view, .. } => match &view.group {
                Some(group) => format!("{group} / {}", view.name),
                None => view.name.clone(),
            },
        }
    }

    /// Whether the thing is over: a closing status, or a component operational again.
    pub(crate) fn is_over(&self) -> bool {
        match &self.subject {
            Subject::Incident(i) => matches!(
                i.status.as_deref(),
                Some("resolved" | "postmortem" | "completed")
            ),
            Subject::Component { view, .. } => view.status == "operational",
        }
    }

    pub(crate) fn severity(&self) -> Severity {
        if self.is_over() {
            return Severity::Resolved;
        }
        match &self.subject {
            Subject::Incident(i) if i.kind == "maintenance" => Severity::Maintenance,
            Subject::Incident(i) => match i.impact.as_deref() {
                Some("critical") => Severity::Critical,
                Some("major") => Severity::Major,
                Some("minor") => Severity::Minor,
                Some("none") => Severity::NoImpact,
                _ => Severity::Unstated,
            },
            Subject::Component { view, .. } => match view.status.as_str() {
                "major_outage" => Severity::Critical,
                "partial_outage" => Severity::Major,
                "degraded_performance" => Severity::Minor,
                "under_maintenance" => Severity::Maintenance,
                _ => Severity::Unstated,
            },
        }
    }

    /// What happened, in words: "New incident", "Resolved", ...
    pub(crate) fn what(&self) -> &'static str {
        match self.event.kind {
            EventType::IncidentOpened => "New incident",
            EventType::MaintenanceScheduled => "Maintenance scheduled",
            EventType::IncidentUpdated => "Updated",
            EventType::IncidentResolved => "Resolved",
            EventType::ComponentStatusChanged => "Component status changed",
        }
    }

    /// The status now, in words; with the one before for a change of status.
    pub(crate) fn status_words(&self) -> String {
        let now = self.event.status.as_deref().map(words);
        match (self.event.previous_status.as_deref().map(words), now) {
            (Some(before), Some(now)) if before != now => format!("{before} → {now}"),
            (_, Some(now)) => now,
            (_, None) => "Not stated".into(),
        }
    }

    /// The components it names.
    pub(crate) fn components(&self) -> Vec<String> {
        match &self.subject {
            Subject::Incident(i) => i.components.clone(),
            Subject::Component { view, .. } => vec![view.name.clone()],
        }
    }

    /// The incident's latest update (updates are oldest first).
    pub(crate) fn latest_update(&self) -> Option<&UpdateView> {
        self.incident().and_then(|i| i.updates.last())
    }

    /// The incident's impact word, or for a component its status.
    pub(crate) fn impact_word(&self) -> Option<&str> {
        match &self.subject {
            Subject::Incident(i) => i.impact.as_deref(),
            Subject::Component { view, .. } => Some(view.status.as_str()),
        }
    }

    /// The impact in a word, whatever the status: the incident's; for a component, the one
    /// its status stands for (a major outage is critical); "Not stated" where the vendor
    /// does not say.
    pub(crate) fn impact_words(&self) -> &'static str {
        let word = match &self.subject {
            Subject::Incident(i) if i.kind == "maintenance" => return "Maintenance",
            Subject::Incident(i) => i.impact.as_deref(),
            Subject::Component { view, .. } => match view.status.as_str() {
                "major_outage" => Some("critical"),
                "partial_outage" => Some("major"),
                "degraded_performance" => Some("minor"),
                "operational" | "under_maintenance" => Some("none"),
                _ => None,
            },
        };
        match word {
            Some("critical") => "Critical",
            Some("major") => "Major",
            Some("minor") => "Minor",
            Some("none") => "None",
            _ => "Not stated",
        }
    }

    /// One line: "GitHub: Incident with Packages (Investigating; impact: Major)".
    pub(crate) fn summary(&self) -> String {
        format!(
            "{}: {} ({}; impact: {})",
            self.vendor_name,
            self.title(),
            self.status_words(),
            self.impact_words()
        )
    }
}

/// A vocabulary word for people: `partial_outage` → "Partial outage".
pub(crate) fn words(word: &str) -> String {
    let spaced = word.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Text cut to at most `max` characters on a character boundary, marked with an ellipsis.
pub(crate) fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_clip() {
        assert_eq!(words("degraded_performance"), "Degraded performance");
        assert_eq!(words(""), "");
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("ééééé", 3), "éé…");
    }
}
