//! Component status history from an incident's updates: each update's per-component statuses
//! (the vendor's own per-update data, Statuspage's `affected_components[].new_status`), diffed
//! against the status the same component had in the incident's previous update that named it.
//!
//! The vendor's own "previous" field is not used: Statuspage's `old_status` often equals
//! `new_status`. A component's first mention in an incident is a change from unknown
//! (`previous_status` null); a repeated status is no change.

use super::Seen;
use crate::model::{ComponentRecord, ComponentStatus, IncidentRecord, ObservedComponent};
use chrono::{DateTime, Utc};

/// One status change a component went through, as an incident's updates announced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateTransition {
    /// `<vendor>/<native id or name>`, the id the component has when a page lists it.
    pub component_id: String,
    /// The component's name.
    pub name: String,
    /// The status the update announced.
    pub status: ComponentStatus,
    /// The status an earlier update of the record announced, if any.
    pub previous_status: Option<ComponentStatus>,
    /// The update's time.
    pub changed_at: DateTime<Utc>,
    /// The update that announced it.
    pub update_id: String,
    /// The source that first showed the update.
    pub source_id: String,
}

/// The component id an update's component has: the one a page's component of that native id
/// (or, without one, that name) is stored under.
pub fn component_id(vendor: &str, native_id: Option<&str>, name: &str) -> String {
    format!("{vendor}/{}", native_id.unwrap_or(name))
}

/// A page's component as the store keeps it: `<vendor>/<native id>`, or without one
/// `<vendor>/<group>/<name>` (`<vendor>/<name>` outside a group), seen by `seen`'s source at
/// its time.
pub fn component_record(c: &ObservedComponent, seen: &Seen<'_>) -> ComponentRecord {
    let key = match &c.native_id {
        Some(id) => id.clone(),
        None => match &c.group {
            Some(g) => format!("{g}/{}", c.name),
            None => c.name.clone(),
        },
    };
    ComponentRecord {
        id: format!("{}/{key}", seen.vendor),
        vendor: seen.vendor.to_string(),
        native_id: c.native_id.clone(),
        name: c.name.clone(),
        group: c.group.clone(),
        status: c.status,
        status_raw: c.status_raw.clone(),
        updated_at: c.updated_at.clone(),
        source_id: seen.source_id.to_string(),
        last_seen_at: seen.at,
    }
}

/// Every status change the record's updates announce, oldest first.
pub fn update_transitions(record: &IncidentRecord) -> Vec<UpdateTransition> {
    let mut last: Vec<(String, ComponentStatus)> = Vec::new();
    let mut out = Vec::new();
    for update in &record.updates {
        for change in &update.components {
            let id = component_id(&record.vendor, change.native_id.as_deref(), &change.name);
            let previous = last.iter_mut().find(|(c, _)| *c == id);
            let previous_status = previous.as_ref().map(|(_, s)| *s);
            if previous_status == Some(change.status) {
                continue;
            }
            match previous {
                Some(held) => held.1 = change.status,
                None => last.push((id.clone(), change.status)),
            }
            out.push(UpdateTransition {
                component_id: id,
                name: change.name.clone(),
                status: change.status,
                previous_status,
                changed_at: update.posted_at.utc,
                update_id: update.id.clone(),
                source_id: update.source_id.clone(),
            });
        }
    }
    out
}
