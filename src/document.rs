//! The export document's objects (format version 1, `schema/export-v1.schema.json`): an
//! incident and a component as users read them. A leaf: the export writes them, and change
//! events carry them, without either depending on the other.

use crate::model::{Anomaly, ComponentRecord, IncidentRecord, TimeValue, format_utc};
use crate::normalize::identity::is_internal_key;
use serde::Serialize;

#[derive(Serialize)]
pub struct ExportIncident<'a> {
    pub id: &'a str,
    pub vendor: &'a str,
    pub kind: &'a str,
    pub title: &'a str,
    pub url: Option<&'a str>,
    pub impact: Option<&'a str>,
    pub status: Option<&'a str>,
    pub created_at: Option<String>,
    pub started_at: Option<String>,
    pub resolved_at: Option<String>,
    pub started_at_source: Option<&'a str>,
    pub resolved_at_source: Option<&'a str>,
    /// The text each time was read from (a machine field as written, or the vendor's words).
    pub started_at_raw: Option<&'a str>,
    pub resolved_at_raw: Option<&'a str>,
    /// The machine fields' values, kept beside the best evidence chosen above.
    pub structured_started_at: Option<String>,
    pub structured_resolved_at: Option<String>,
    pub scheduled_for: Option<String>,
    pub scheduled_until: Option<String>,
    pub duration_seconds: Option<i64>,
    pub components: &'a [String],
    pub updates: Vec<ExportUpdate<'a>>,
    pub anomalies: &'a [Anomaly],
    pub sources: &'a [String],
    pub aliases: Vec<&'a str>,
    pub first_seen_at: String,
    pub last_seen_at: String,
}

#[derive(Serialize)]
pub struct ExportUpdate<'a> {
    pub id: &'a str,
    /// The status the record carries: the label's, or where the labels are implausible the
    /// text's (`status_source`).
    pub status: Option<&'a str>,
    /// The source's own word for the update, as written.
    pub status_label: Option<&'a str>,
    /// `label` (the status is the source's label) or `stated` (the text's).
    pub status_source: &'static str,
    pub posted_at: String,
    pub body: &'a str,
    pub components: Vec<ExportUpdateComponent<'a>>,
}

#[derive(Serialize)]
pub struct ExportUpdateComponent<'a> {
    pub name: &'a str,
    pub status: &'a str,
}

#[derive(Serialize)]
pub struct ExportComponent {
    pub vendor: String,
    pub name: String,
    pub group: Option<String>,
    /// `unknown` while its source is failing (see `stale`), else the vendor's last word.
    pub status: String,
    pub updated_at: Option<String>,
    /// Present only when the status is withheld because the source kept failing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stale: Option<Stale>,
}

/// Why a component is reported `unknown`: its source failed this many runs in a row.
#[derive(Serialize)]
pub struct Stale {
    pub consecutive_failures: i64,
    /// The source's last successful fetch, if it ever had one.
    pub last_success_at: Option<String>,
    /// What the vendor said at that time.
    pub declared_status: String,
    pub last_error: Option<String>,
}

fn time(t: &Option<TimeValue>) -> Option<String> {
    t.as_ref().map(|t| format_utc(&t.utc))
}

impl<'a> ExportIncident<'a> {
    pub fn from_record(r: &'a IncidentRecord) -> Self {
        ExportIncident {
            id: &r.id,
            vendor: &r.vendor,
            kind: r.kind.as_str(),
            title: &r.title,
            url: r.url.as_deref(),
            impact: r.impact.map(|i| i.as_str()),
            status: r.status.map(|s| s.as_str()),
            created_at: time(&r.created_at),
            started_at: time(&r.started_at),
            resolved_at: time(&r.resolved_at),
            started_at_source: r.started_at.as_ref().map(|t| t.source.as_str()),
            resolved_at_source: r.resolved_at.as_ref().map(|t| t.source.as_str()),
            started_at_raw: r.started_at.as_ref().map(|t| t.raw.as_str()),
            resolved_at_raw: r.resolved_at.as_ref().map(|t| t.raw.as_str()),
            structured_started_at: time(&r.structured_started_at),
            structured_resolved_at: time(&r.structured_resolved_at),
            scheduled_for: time(&r.scheduled_for),
            scheduled_until: time(&r.scheduled_until),
            duration_seconds: r.duration_seconds(),
            components: &r.components,
            updates: r
                .updates
                .iter()
                .map(|u| ExportUpdate {
                    id: &u.id,
                    status: u.effective_status().map(|s| s.as_str()),
                    status_label: u.status_raw.as_deref(),
                    status_source: if u.stated_status.is_some() {
                        "stated"
                    } else {
                        "label"
                    },
                    posted_at: format_utc(&u.posted_at.utc),
                    body: &u.body,
                    components: u
                        .components
                        .iter()
                        .map(|c| ExportUpdateComponent {
                            name: &c.name,
                            status: c.status.as_str(),
                        })
                        .collect(),
                })
                .collect(),
            anomalies: &r.anomalies,
            sources: &r.sources,
            // The ids the vendor gave; statusdb's own keys (fingerprints, links) stay inside.
            aliases: r
                .aliases
                .iter()
                .map(String::as_str)
                .filter(|a| !is_internal_key(a))
                .collect(),
            first_seen_at: format_utc(&r.first_seen_at),
            last_seen_at: format_utc(&r.last_seen_at),
        }
    }
}

impl ExportComponent {
    /// A component as a successful run saved it: the vendor's word is current, nothing stale.
    pub fn from_record(c: &ComponentRecord) -> ExportComponent {
        ExportComponent {
            vendor: c.vendor.clone(),
            name: c.name.clone(),
            group: c.group.clone(),
            status: c.status.as_str().to_string(),
            updated_at: c.updated_at.as_ref().map(|t| format_utc(&t.utc)),
            stale: None,
        }
    }
}
