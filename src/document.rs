//! The export document's objects (format version 1, `schema/export-v1.schema.json`): an
//! incident and a component as users read them. A leaf: the export writes them, and change
//! events carry them, without either depending on the other.

use crate::model::{Anomaly, ComponentRecord, IncidentRecord, TimeValue, format_utc};
use crate::normalize::identity::is_internal_key;
use serde::Serialize;

/// An incident of the export (`incidents[]`): the canonical record as users read it.
#[derive(Serialize)]
pub struct ExportIncident<'a> {
    /// `<vendor>/<native id>`, or `<vendor>/fp-<hash>` without one.
    pub id: &'a str,
    /// The vendor.
    pub vendor: &'a str,
    /// `incident` or `maintenance`.
    pub kind: &'a str,
    /// The title as the vendor last wrote it.
    pub title: &'a str,
    /// The incident's page at the vendor.
    pub url: Option<&'a str>,
    /// `none`, `minor`, `major`, `critical`, or null when the vendor does not say.
    pub impact: Option<&'a str>,
    /// The latest status (canonical word).
    pub status: Option<&'a str>,
    /// When the vendor created it.
    pub created_at: Option<String>,
    /// When it started (best evidence: stated, structured, derived).
    pub started_at: Option<String>,
    /// When it was resolved; null while open.
    pub resolved_at: Option<String>,
    /// Where `started_at` came from: `structured`, `stated` or `derived`.
    pub started_at_source: Option<&'a str>,
    /// Where `resolved_at` came from.
    pub resolved_at_source: Option<&'a str>,
    /// The text each time was read from (a machine field as written, or the vendor's words).
    pub started_at_raw: Option<&'a str>,
    /// The text `resolved_at` was read from.
    pub resolved_at_raw: Option<&'a str>,
    /// The machine fields' values, kept beside the best evidence chosen above.
    pub structured_started_at: Option<String>,
    /// The machine field's resolution time.
    pub structured_resolved_at: Option<String>,
    /// A maintenance's scheduled start.
    pub scheduled_for: Option<String>,
    /// A maintenance's scheduled end.
    pub scheduled_until: Option<String>,
    /// From start to resolution; null while open.
    pub duration_seconds: Option<i64>,
    /// The components it names.
    pub components: &'a [String],
    /// Its updates, oldest first.
    pub updates: Vec<ExportUpdate<'a>>,
    /// What statusdb flagged about it.
    pub anomalies: &'a [Anomaly],
    /// The sources that showed it.
    pub sources: &'a [String],
    /// The vendor's ids and aliases for it (statusdb's own keys left out).
    pub aliases: Vec<&'a str>,
    /// When statusdb first saw it.
    pub first_seen_at: String,
    /// When statusdb last saw it.
    pub last_seen_at: String,
}

/// An update of an exported incident.
#[derive(Serialize)]
pub struct ExportUpdate<'a> {
    /// `<vendor>/<native id>`, else `<incident>@<minute>/<label>/<n>`.
    pub id: &'a str,
    /// The status the record carries: the label's, or where the labels are implausible the
    /// text's (`status_source`).
    pub status: Option<&'a str>,
    /// The source's own word for the update, as written.
    pub status_label: Option<&'a str>,
    /// `label` (the status is the source's label) or `stated` (the text's).
    pub status_source: &'static str,
    /// When the vendor posted it.
    pub posted_at: String,
    /// Its text.
    pub body: &'a str,
    /// The component statuses it announced.
    pub components: Vec<ExportUpdateComponent<'a>>,
}

/// A component status an update announced.
#[derive(Serialize)]
pub struct ExportUpdateComponent<'a> {
    /// The component's name.
    pub name: &'a str,
    /// Its status (canonical word).
    pub status: &'a str,
}

/// A component of the export (`components[]`).
#[derive(Serialize)]
pub struct ExportComponent {
    /// The vendor.
    pub vendor: String,
    /// The component's name.
    pub name: String,
    /// Its group, if any.
    pub group: Option<String>,
    /// `unknown` while its source is failing (see `stale`), else the vendor's last word.
    pub status: String,
    /// When the vendor says it last changed.
    pub updated_at: Option<String>,
    /// Present only when the status is withheld because the source kept failing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stale: Option<Stale>,
}

/// Why a component is reported `unknown`: its source failed this many runs in a row.
#[derive(Serialize)]
pub struct Stale {
    /// Failed runs in a row.
    pub consecutive_failures: i64,
    /// The source's last successful fetch, if it ever had one.
    pub last_success_at: Option<String>,
    /// What the vendor said at that time.
    pub declared_status: String,
    /// The source's last failure.
    pub last_error: Option<String>,
}

fn time(t: &Option<TimeValue>) -> Option<String> {
    t.as_ref().map(|t| format_utc(&t.utc))
}

impl<'a> ExportIncident<'a> {
    /// The export object of a record.
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
    pub(crate) fn from_record(c: &ComponentRecord) -> ExportComponent {
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
