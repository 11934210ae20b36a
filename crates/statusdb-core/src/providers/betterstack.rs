//! Better Stack (formerly Better Uptime) status pages (`kind = "betterstack"`): `/index.json`,
//! a JSON:API document. `data` is the status page; `included` holds its sections, resources
//! (the components), status reports (incidents and maintenances) and their status updates.
//!
//! Times are RFC 3339 in UTC. Zones are Rails names ("Madrid", "Pacific Time (US & Canada)"),
//! mapped to IANA through Rails' own table. An update states each affected resource's status
//! but no incident status: updates carry none, and the report's `aggregate_state` gives the
//! incident's.

use super::support::{Notes, Sniff, component_status_or_unknown, read_json, rfc3339_opt, web_root};
use super::{Confidence, Endpoint, PageInput, ParseCause, ParseError, single, under};
use crate::model::{
    ComponentChange, ComponentStatus, IncidentKind, Observation, ObservedComponent,
    ObservedIncident, ObservedUpdate, PageInfo, Status, TimeValue,
};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;
use url::Url;

// What this kind is, for the registry (providers/mod.rs; docs/FORMATS.md).
kind_spec! {
    Betterstack, "betterstack", product "betterstack" rank 0, formats [Json]
}

/// A base URL reads `/index.json`; a `.json` URL reads just it.
fn endpoints(url: &Url) -> Vec<Endpoint> {
    if url.path().ends_with(".json") {
        return single(url);
    }
    under(url, &[("index.json", true)])
}

/// Resource (component) statuses, also used per resource in reports and updates.
/// `not_monitored` says the page does not know: `unknown`, as a known word.
pub fn resource_status_word(raw: &str) -> Option<ComponentStatus> {
    Some(match raw {
        "operational" | "resolved" => ComponentStatus::Operational,
        "degraded" => ComponentStatus::DegradedPerformance,
        "downtime" => ComponentStatus::MajorOutage,
        "maintenance" => ComponentStatus::UnderMaintenance,
        "not_monitored" => ComponentStatus::Unknown,
        _ => return None,
    })
}

/// A report's `aggregate_state` as an incident status: only `resolved` states one (completed
/// for a maintenance). The other states (`downtime`, `degraded`, `maintenance`, `operational`)
/// describe the resources of an open report: no status word, kept raw.
pub fn report_status(raw: &str, kind: IncidentKind) -> Option<Option<Status>> {
    match (raw, kind) {
        ("resolved", IncidentKind::Incident) => Some(Some(Status::Resolved)),
        ("resolved", IncidentKind::Maintenance) => Some(Some(Status::Completed)),
        ("downtime" | "degraded" | "maintenance" | "operational", _) => Some(None),
        _ => None,
    }
}

/// Report types: `manual` and `automatic` reports are incidents, `maintenance` is planned.
pub fn report_kind(raw: &str) -> Option<IncidentKind> {
    match raw {
        "manual" | "automatic" => Some(IncidentKind::Incident),
        "maintenance" => Some(IncidentKind::Maintenance),
        _ => None,
    }
}

#[derive(Deserialize)]
struct Document {
    data: Resource,
    #[serde(default)]
    included: Vec<Resource>,
}

#[derive(Deserialize)]
struct Resource {
    id: Value,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    attributes: Value,
    #[serde(default)]
    relationships: Value,
}

#[derive(Deserialize)]
struct PageAttributes {
    company_name: Option<String>,
    timezone: Option<String>,
    custom_domain: Option<String>,
}

#[derive(Deserialize)]
struct SectionAttributes {
    name: Option<String>,
}

#[derive(Deserialize)]
struct ResourceAttributes {
    status_page_section_id: Option<Value>,
    public_name: Option<String>,
    status: Option<String>,
}

#[derive(Deserialize)]
struct ReportAttributes {
    title: Option<String>,
    report_type: Option<String>,
    starts_at: Option<String>,
    ends_at: Option<String>,
    #[serde(default)]
    affected_resources: Vec<AffectedResource>,
    aggregate_state: Option<String>,
}

#[derive(Deserialize)]
struct UpdateAttributes {
    message: Option<String>,
    published_at: Option<String>,
    published_at_timezone: Option<String>,
    #[serde(default)]
    affected_resources: Vec<AffectedResource>,
}

#[derive(Deserialize)]
struct AffectedResource {
    status_page_resource_id: Value,
    status: Option<String>,
}

fn id_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn attributes<T: for<'de> Deserialize<'de>>(r: &Resource, place: &str) -> Result<T, ParseError> {
    serde_json::from_value(r.attributes.clone()).map_err(|e| {
        ParseError::at(
            KIND,
            ParseCause::SchemaMismatch,
            place,
            format!("{} attributes are not Better Stack's: {e}", r.kind),
        )
    })
}

/// How surely a body is Better Stack's `/index.json`: Strong when its JSON:API `data` is of type
/// `status_page`, No otherwise.
pub(crate) fn detect(sniff: &Sniff<'_>) -> Confidence {
    let is_status_page = sniff
        .json()
        .and_then(|d| {
            d.pointer("/data/type")?
                .as_str()
                .map(|t| t == "status_page")
        })
        .unwrap_or(false);
    if is_status_page {
        Confidence::Strong
    } else {
        Confidence::No
    }
}

/// Parses `/index.json`.
fn parse(page: &PageInput<'_>) -> Result<Observation, ParseError> {
    let document: Document = read_json(KIND, page.body, "Better Stack JSON:API")?;
    if document.data.kind != "status_page" {
        return Err(ParseError::at(
            KIND,
            ParseCause::WrongFormat,
            "data.type",
            format!(
                "the document's data is a {:?}, not a \"status_page\"",
                document.data.kind
            ),
        ));
    }
    let mut notes = Notes::default();
    let attrs: PageAttributes = attributes(&document.data, "data.attributes")?;
    let time_zone = attrs.timezone.as_deref().and_then(|name| {
        let iana = iana_zone(name);
        if iana.is_none() {
            notes.add(
                "data.attributes.timezone",
                format!("zone {name:?} is neither a Rails nor an IANA zone name; not used"),
            );
        }
        iana.map(str::to_string)
    });
    let root = attrs
        .custom_domain
        .as_deref()
        .filter(|d| !d.is_empty())
        .map(|d| format!("https://{d}"))
        .or_else(|| web_root(page.url));
    let mut reader = Reader {
        included: &document.included,
        by_id: document
            .included
            .iter()
            .map(|r| ((r.kind.clone(), id_text(&r.id)), r))
            .collect(),
        resources: HashMap::new(),
        notes,
    };
    let components = reader.components()?;
    let mut incidents = Vec::new();
    for (i, r) in document.included.iter().enumerate() {
        if r.kind == "status_report" {
            incidents.push(reader.report(i, r, root.as_deref())?);
        }
    }
    Ok(Observation {
        page: Some(PageInfo {
            name: attrs.company_name,
            url: root,
            time_zone,
        }),
        components,
        incidents,
        notes: reader.notes.0,
        follow: Vec::new(),
    })
}

/// The document's `included` resources, read in turn: sections and resources (the
/// components), then each status report with its updates.
struct Reader<'d> {
    included: &'d [Resource],
    by_id: HashMap<(String, String), &'d Resource>,
    /// Each resource's name by its id, for the reports that name them.
    resources: HashMap<String, String>,
    notes: Notes,
}

impl Reader<'_> {
    /// The page's resources as components, in their sections.
    fn components(&mut self) -> Result<Vec<ObservedComponent>, ParseError> {
        let mut sections: HashMap<String, String> = HashMap::new();
        for (i, r) in self.included.iter().enumerate() {
            if r.kind == "status_page_section" {
                let a: SectionAttributes = attributes(r, &format!("included[{i}]"))?;
                if let Some(name) = a.name {
                    sections.insert(id_text(&r.id), name.trim().to_string());
                }
            }
        }
        let mut components = Vec::new();
        for (i, r) in self.included.iter().enumerate() {
            if r.kind != "status_page_resource" {
                continue;
            }
            let place = format!("included[{i}]");
            let a: ResourceAttributes = attributes(r, &place)?;
            let id = id_text(&r.id);
            let name = a.public_name.unwrap_or_default().trim().to_string();
            self.resources.insert(id.clone(), name.clone());
            let raw = a.status.unwrap_or_default();
            components.push(ObservedComponent {
                native_id: Some(id),
                name,
                group: a
                    .status_page_section_id
                    .as_ref()
                    .and_then(|s| sections.get(&id_text(s)).cloned()),
                status: resource_status(&raw, &place, &mut self.notes),
                status_raw: raw,
                updated_at: None,
            });
        }
        Ok(components)
    }

    /// One status report (`included[i]`) as an incident or maintenance.
    fn report(
        &mut self,
        i: usize,
        r: &Resource,
        root: Option<&str>,
    ) -> Result<ObservedIncident, ParseError> {
        let place = format!("included[{i}] (status_report {})", id_text(&r.id));
        let a: ReportAttributes = attributes(r, &place)?;
        let kind = match a.report_type.as_deref() {
            Some(t) => report_kind(t).unwrap_or_else(|| {
                self.notes.add(
                    &place,
                    format!("unknown report_type {t:?}; read as an incident"),
                );
                IncidentKind::Incident
            }),
            None => IncidentKind::Incident,
        };
        let id = id_text(&r.id);
        let mut incident = ObservedIncident::new(kind, a.title.unwrap_or_default());
        incident.native_id = Some(id.clone());
        incident.url = root.map(|root| format!("{root}/incident/{id}"));
        let starts_at = rfc3339_opt(KIND, a.starts_at.as_deref(), &place)?;
        let ends_at = rfc3339_opt(KIND, a.ends_at.as_deref(), &place)?;
        match kind {
            IncidentKind::Incident => {
                incident.started_at = starts_at;
                incident.resolved_at = ends_at;
            }
            IncidentKind::Maintenance => {
                incident.scheduled_for = starts_at;
                incident.scheduled_until = ends_at;
            }
        }
        if let Some(raw) = &a.aggregate_state {
            incident.status = match report_status(raw, kind) {
                Some(status) => status,
                None => {
                    self.notes
                        .add(&place, format!("unknown aggregate_state {raw:?} kept raw"));
                    None
                }
            };
            incident.status_raw = Some(raw.clone());
        }
        for affected in &a.affected_resources {
            let rid = id_text(&affected.status_page_resource_id);
            if let Some(name) = self.resources.get(&rid)
                && !incident.components.contains(name)
            {
                incident.components.push(name.clone());
            }
        }
        self.updates(r, &place, &mut incident)?;
        // A resolved incident without `ends_at` ends with its last update (derived).
        if kind == IncidentKind::Incident
            && incident.status == Some(Status::Resolved)
            && incident.resolved_at.is_none()
            && let Some(last) = incident
                .updates
                .iter()
                .map(|u| &u.posted_at)
                .max_by_key(|t| t.utc)
        {
            incident.resolved_at = Some(TimeValue::derived(last.utc, last.raw.clone()));
        }
        Ok(incident)
    }

    /// The report's status updates (its `relationships`), sorted by time, with the statuses
    /// they give the page's resources.
    fn updates(
        &mut self,
        report: &Resource,
        place: &str,
        incident: &mut ObservedIncident,
    ) -> Result<(), ParseError> {
        let update_refs = report
            .relationships
            .pointer("/status_updates/data")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for reference in update_refs {
            let uid = reference.get("id").map(id_text).unwrap_or_default();
            let Some(u) = self.by_id.get(&("status_update".to_string(), uid.clone())) else {
                self.notes.add(
                    place,
                    format!("status_update {uid} is not included in the document; not recorded"),
                );
                continue;
            };
            let uplace = format!("status_update {uid}");
            let ua: UpdateAttributes = attributes(u, &uplace)?;
            let Some(posted_at) = rfc3339_opt(KIND, ua.published_at.as_deref(), &uplace)? else {
                self.notes
                    .add(&uplace, "update has no published_at; not recorded");
                continue;
            };
            if let Some(zone) = &ua.published_at_timezone
                && iana_zone(zone).is_none()
            {
                self.notes.add(
                    &uplace,
                    format!(
                        "published_at_timezone {zone:?} is neither a Rails nor an IANA zone name"
                    ),
                );
            }
            let mut changes = Vec::new();
            for affected in &ua.affected_resources {
                let rid = id_text(&affected.status_page_resource_id);
                let raw = affected.status.clone().unwrap_or_default();
                let Some(name) = self.resources.get(&rid) else {
                    self.notes.add(
                        &uplace,
                        format!(
                            "affected resource {rid} is not among the page's resources; its status {raw:?} is not recorded"
                        ),
                    );
                    continue;
                };
                if !incident.components.contains(name) {
                    incident.components.push(name.clone());
                }
                changes.push(ComponentChange {
                    native_id: Some(rid),
                    name: name.clone(),
                    status: resource_status(&raw, &uplace, &mut self.notes),
                    status_raw: raw,
                });
            }
            incident.updates.push(ObservedUpdate {
                native_id: Some(uid),
                status: None,
                status_raw: None,
                posted_at,
                body: ua.message.unwrap_or_default(),
                components: changes,
            });
        }
        // The report lists its updates in no order of time (the capture's ids and times are
        // both unordered): they are given sorted by time, as the observation's contract asks of
        // a format without an order.
        incident.updates.sort_by_key(|u| u.posted_at.utc);
        Ok(())
    }
}

fn resource_status(raw: &str, place: &str, notes: &mut Notes) -> ComponentStatus {
    let mapped = resource_status_word(raw);
    component_status_or_unknown(mapped, "resource status", raw, place, notes)
}

/// A zone as Better Stack writes it: a Rails name, or already an IANA name.
pub fn iana_zone(name: &str) -> Option<&'static str> {
    if let Some(iana) = rails_zone(name) {
        return Some(iana);
    }
    name.parse::<chrono_tz::Tz>().ok().map(|tz| tz.name())
}

/// Rails' `ActiveSupport::TimeZone::MAPPING`: its display names and their IANA zones.
pub const RAILS_ZONES: &[(&str, &str)] = &[
    ("International Date Line West", "Etc/GMT+12"),
    ("Midway Island", "Pacific/Midway"),
    ("American Samoa", "Pacific/Pago_Pago"),
    ("Hawaii", "Pacific/Honolulu"),
    ("Alaska", "America/Juneau"),
    ("Pacific Time (US & Canada)", "America/Los_Angeles"),
    ("Tijuana", "America/Tijuana"),
    ("Mountain Time (US & Canada)", "America/Denver"),
    ("Arizona", "America/Phoenix"),
    ("Chihuahua", "America/Chihuahua"),
    ("Mazatlan", "America/Mazatlan"),
    ("Central Time (US & Canada)", "America/Chicago"),
    ("Saskatchewan", "America/Regina"),
    ("Guadalajara", "America/Mexico_City"),
    ("Mexico City", "America/Mexico_City"),
    ("Monterrey", "America/Monterrey"),
    ("Central America", "America/Guatemala"),
    ("Eastern Time (US & Canada)", "America/New_York"),
    ("Indiana (East)", "America/Indiana/Indianapolis"),
    ("Bogota", "America/Bogota"),
    ("Lima", "America/Lima"),
    ("Quito", "America/Lima"),
    ("Atlantic Time (Canada)", "America/Halifax"),
    ("Caracas", "America/Caracas"),
    ("La Paz", "America/La_Paz"),
    ("Santiago", "America/Santiago"),
    ("Newfoundland", "America/St_Johns"),
    ("Brasilia", "America/Sao_Paulo"),
    ("Buenos Aires", "America/Argentina/Buenos_Aires"),
    ("Montevideo", "America/Montevideo"),
    ("Georgetown", "America/Guyana"),
    ("Puerto Rico", "America/Puerto_Rico"),
    ("Greenland", "America/Godthab"),
    ("Mid-Atlantic", "Atlantic/South_Georgia"),
    ("Azores", "Atlantic/Azores"),
    ("Cape Verde Is.", "Atlantic/Cape_Verde"),
    ("Dublin", "Europe/Dublin"),
    ("Edinburgh", "Europe/London"),
    ("London", "Europe/London"),
    ("Lisbon", "Europe/Lisbon"),
    ("Casablanca", "Africa/Casablanca"),
    ("Monrovia", "Africa/Monrovia"),
    ("UTC", "Etc/UTC"),
    ("Belgrade", "Europe/Belgrade"),
    ("Bratislava", "Europe/Bratislava"),
    ("Budapest", "Europe/Budapest"),
    ("Ljubljana", "Europe/Ljubljana"),
    ("Prague", "Europe/Prague"),
    ("Sarajevo", "Europe/Sarajevo"),
    ("Skopje", "Europe/Skopje"),
    ("Warsaw", "Europe/Warsaw"),
    ("Zagreb", "Europe/Zagreb"),
    ("Brussels", "Europe/Brussels"),
    ("Copenhagen", "Europe/Copenhagen"),
    ("Madrid", "Europe/Madrid"),
    ("Paris", "Europe/Paris"),
    ("Amsterdam", "Europe/Amsterdam"),
    ("Berlin", "Europe/Berlin"),
    ("Bern", "Europe/Zurich"),
    ("Zurich", "Europe/Zurich"),
    ("Rome", "Europe/Rome"),
    ("Stockholm", "Europe/Stockholm"),
    ("Vienna", "Europe/Vienna"),
    ("West Central Africa", "Africa/Algiers"),
    ("Bucharest", "Europe/Bucharest"),
    ("Cairo", "Africa/Cairo"),
    ("Helsinki", "Europe/Helsinki"),
    ("Kyiv", "Europe/Kiev"),
    // Rails spelled it "Kyev" before 7.1.
    ("Kyev", "Europe/Kiev"),
    ("Riga", "Europe/Riga"),
    ("Sofia", "Europe/Sofia"),
    ("Tallinn", "Europe/Tallinn"),
    ("Vilnius", "Europe/Vilnius"),
    ("Athens", "Europe/Athens"),
    ("Istanbul", "Europe/Istanbul"),
    ("Minsk", "Europe/Minsk"),
    ("Jerusalem", "Asia/Jerusalem"),
    ("Harare", "Africa/Harare"),
    ("Pretoria", "Africa/Johannesburg"),
    ("Kaliningrad", "Europe/Kaliningrad"),
    ("Moscow", "Europe/Moscow"),
    ("St. Petersburg", "Europe/Moscow"),
    ("Volgograd", "Europe/Volgograd"),
    ("Samara", "Europe/Samara"),
    ("Kuwait", "Asia/Kuwait"),
    ("Riyadh", "Asia/Riyadh"),
    ("Nairobi", "Africa/Nairobi"),
    ("Baghdad", "Asia/Baghdad"),
    ("Tehran", "Asia/Tehran"),
    ("Abu Dhabi", "Asia/Muscat"),
    ("Muscat", "Asia/Muscat"),
    ("Baku", "Asia/Baku"),
    ("Tbilisi", "Asia/Tbilisi"),
    ("Yerevan", "Asia/Yerevan"),
    ("Kabul", "Asia/Kabul"),
    ("Ekaterinburg", "Asia/Yekaterinburg"),
    ("Islamabad", "Asia/Karachi"),
    ("Karachi", "Asia/Karachi"),
    ("Tashkent", "Asia/Tashkent"),
    ("Chennai", "Asia/Kolkata"),
    ("Kolkata", "Asia/Kolkata"),
    ("Mumbai", "Asia/Kolkata"),
    ("New Delhi", "Asia/Kolkata"),
    ("Kathmandu", "Asia/Kathmandu"),
    ("Astana", "Asia/Dhaka"),
    ("Dhaka", "Asia/Dhaka"),
    ("Sri Jayawardenepura", "Asia/Colombo"),
    ("Almaty", "Asia/Almaty"),
    ("Novosibirsk", "Asia/Novosibirsk"),
    ("Rangoon", "Asia/Rangoon"),
    ("Bangkok", "Asia/Bangkok"),
    ("Hanoi", "Asia/Bangkok"),
    ("Jakarta", "Asia/Jakarta"),
    ("Krasnoyarsk", "Asia/Krasnoyarsk"),
    ("Beijing", "Asia/Shanghai"),
    ("Chongqing", "Asia/Chongqing"),
    ("Hong Kong", "Asia/Hong_Kong"),
    ("Urumqi", "Asia/Urumqi"),
    ("Kuala Lumpur", "Asia/Kuala_Lumpur"),
    ("Singapore", "Asia/Singapore"),
    ("Taipei", "Asia/Taipei"),
    ("Perth", "Australia/Perth"),
    ("Irkutsk", "Asia/Irkutsk"),
    ("Ulaanbaatar", "Asia/Ulaanbaatar"),
    ("Seoul", "Asia/Seoul"),
    ("Osaka", "Asia/Tokyo"),
    ("Sapporo", "Asia/Tokyo"),
    ("Tokyo", "Asia/Tokyo"),
    ("Yakutsk", "Asia/Yakutsk"),
    ("Darwin", "Australia/Darwin"),
    ("Adelaide", "Australia/Adelaide"),
    ("Canberra", "Australia/Melbourne"),
    ("Melbourne", "Australia/Melbourne"),
    ("Sydney", "Australia/Sydney"),
    ("Brisbane", "Australia/Brisbane"),
    ("Hobart", "Australia/Hobart"),
    ("Vladivostok", "Asia/Vladivostok"),
    ("Guam", "Pacific/Guam"),
    ("Port Moresby", "Pacific/Port_Moresby"),
    ("Magadan", "Asia/Magadan"),
    ("Srednekolymsk", "Asia/Srednekolymsk"),
    ("Solomon Is.", "Pacific/Guadalcanal"),
    ("New Caledonia", "Pacific/Noumea"),
    ("Fiji", "Pacific/Fiji"),
    ("Kamchatka", "Asia/Kamchatka"),
    ("Marshall Is.", "Pacific/Majuro"),
    ("Auckland", "Pacific/Auckland"),
    ("Wellington", "Pacific/Auckland"),
    ("Nuku'alofa", "Pacific/Tongatapu"),
    ("Tokelau Is.", "Pacific/Fakaofo"),
    ("Chatham Is.", "Pacific/Chatham"),
    ("Samoa", "Pacific/Apia"),
];

/// The IANA zone of a Rails zone name.
pub fn rails_zone(name: &str) -> Option<&'static str> {
    RAILS_ZONES
        .iter()
        .find(|(rails, _)| *rails == name)
        .map(|(_, iana)| *iana)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rails_zone_is_a_zone_chrono_tz_knows() {
        assert_eq!(RAILS_ZONES.len(), 152);
        for (name, iana) in RAILS_ZONES {
            assert!(iana.parse::<chrono_tz::Tz>().is_ok(), "{name} → {iana}");
        }
        assert_eq!(
            iana_zone("Pacific Time (US & Canada)"),
            Some("America/Los_Angeles")
        );
        assert_eq!(iana_zone("Madrid"), Some("Europe/Madrid"));
        assert_eq!(iana_zone("Europe/Madrid"), Some("Europe/Madrid"));
        assert_eq!(iana_zone("Mars Standard"), None);
    }
}
