//! Status evidence: the status an update's own text supports, and where a source's labels are
//! implausible, the status the record carries instead (with source `stated`).
//!
//! Each update keeps the label its source gave (`status`, `status_raw`). The text is read for
//! explicit wording only ([`text_status`]); it replaces a label in two cases, both flagged
//! `status_label_conflict`:
//!
//! * every update (two or more) carries the same closing label ("resolved" on all five updates
//!   of the seed page): each update whose text states a status carries that status;
//! * a closing label over text that says the team is still investigating ("is investigating"
//!   under "resolved").
//!
//! Text that states several statuses ("has been resolved; we continue to investigate the root
//! cause") states none; a timeline of the whole incident written into one update (GitHub's
//! imported history) states what its last entry states.
//!
//! A closing label on the incident's last update stands even where its text says otherwise:
//! the source closed the incident with it, and reopening an incident on words alone would
//! leave it open forever. The conflict is flagged all the same.

use crate::model::{IncidentKind, IncidentRecord, Status};
use regex::Regex;
use std::sync::LazyLock;

/// Phrases (lower case) that state one status. A postmortem is recognised by its structure
/// instead ([`is_postmortem`]).
const STATUS_PHRASES: &[(Status, &[&str])] = &[
    (
        Status::Investigating,
        &[
            "is investigating",
            "are investigating",
            "still investigating",
            "currently investigating",
            "continuing to investigate",
            "continue to investigate",
            "we're investigating",
            "we are looking into",
            "became aware",
        ],
    ),
    (
        Status::Identified,
        &[
            "has been identified",
            "have identified",
            "we've identified",
            "identified the cause",
            "identified the root cause",
            "identified the issue",
        ],
    ),
    (
        Status::Monitoring,
        &[
            "are monitoring",
            "is monitoring",
            "monitoring the results",
            "continue to monitor",
            "continuing to monitor",
        ],
    ),
    (
        Status::Resolved,
        &[
            "has been resolved",
            "have been resolved",
            "is now resolved",
            "is resolved",
            "we have resolved",
            "we've resolved",
            "operating normally",
            "fully recovered",
            "has recovered",
        ],
    ),
];

/// Headings of a root cause analysis ("Timing: … Root Cause: … Remediation Steps: …", Google
/// Cloud's "Incident Start: … Incident End: … Duration: … Customer Impact: …").
const POSTMORTEM_HEADINGS: &[&str] = &[
    "timing:",
    "incident start:",
    "incident end:",
    "incident resolved:",
    "duration:",
    "detection:",
    "impact:",
    "root cause:",
    "remediation",
    "contributing factors",
    "corrective actions",
    "root cause analysis",
];

/// An RCA: three or more RCA headings, or a text that opens with "Postmortem:" or
/// "Post-incident review:".
pub fn is_postmortem(lower: &str) -> bool {
    let headings = POSTMORTEM_HEADINGS
        .iter()
        .filter(|h| lower.contains(*h))
        .count();
    let named = ["postmortem:", "post-mortem:", "post-incident review:"]
        .iter()
        .any(|h| lower.trim_start().starts_with(h));
    headings >= 3 || named
}

/// A stamp that opens an entry of a timeline written into one update
/// ("2019-05-07 10:35 UTC - ...", "<strong>2018-11-07 20:04:18</strong> - ...").
static ENTRY_STAMP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}").expect("constant regex"));

/// The last entry of a text that is a timeline of several updates (an imported history: two
/// or more list items, or two or more entries opened by a full date and time), else the
/// whole text. A timeline's status is its last entry's.
fn last_entry(body: &str) -> &str {
    let items: Vec<usize> = body.match_indices("<li>").map(|(i, _)| i).collect();
    if items.len() >= 2 {
        return &body[items[items.len() - 1]..];
    }
    let stamps: Vec<usize> = ENTRY_STAMP.find_iter(body).map(|m| m.start()).collect();
    if stamps.len() >= 2 {
        return &body[stamps[stamps.len() - 1]..];
    }
    body
}

/// The status an update's text states explicitly: a postmortem by its structure, else the one
/// status whose phrases it uses (of a timeline, its last entry). None when it states none or
/// several.
pub fn text_status(body: &str) -> Option<Status> {
    if is_postmortem(&body.to_lowercase()) {
        return Some(Status::Postmortem);
    }
    let lower = last_entry(body).to_lowercase();
    if is_postmortem(&lower) {
        return Some(Status::Postmortem);
    }
    let mut stated = STATUS_PHRASES
        .iter()
        .filter(|(_, phrases)| phrases.iter().any(|p| lower.contains(p)))
        .map(|(status, _)| *status);
    match (stated.next(), stated.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// What the label check found: which updates carry a stated status instead of their label,
/// and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelConflict {
    /// Every update carries this one closing label (as the source wrote it).
    pub all_labelled: Option<String>,
    /// `(position, label as written, stated status)` of each update whose text replaced its
    /// label, oldest first.
    pub replaced: Vec<(usize, Option<String>, Status)>,
    /// Positions of updates under a closing label whose text says the team is investigating.
    pub contradicted: Vec<usize>,
}

/// Sets `stated_status` on the updates whose labels are implausible (see the module
/// documentation) and returns what was found; clears it everywhere else. Incidents only: a
/// maintenance's labels are its schedule.
pub fn assign(record: &mut IncidentRecord) -> Option<LabelConflict> {
    for u in &mut record.updates {
        u.stated_status = None;
    }
    if record.kind != IncidentKind::Incident || record.updates.is_empty() {
        return None;
    }
    let closing = |s: Option<Status>| s.is_some_and(Status::is_closed);
    let first_label = record.updates[0]
        .status_raw
        .as_deref()
        .map(str::to_lowercase);
    let all_labelled = record.updates.len() >= 2
        && record.updates.iter().all(|u| {
            closing(u.status) && u.status_raw.as_deref().map(str::to_lowercase) == first_label
        });
    let mut conflict = LabelConflict {
        all_labelled: all_labelled
            .then(|| record.updates[0].status_raw.clone())
            .flatten(),
        replaced: Vec::new(),
        contradicted: Vec::new(),
    };
    let last = record.updates.len() - 1;
    for (i, u) in record.updates.iter_mut().enumerate() {
        let Some(stated) = text_status(&u.body) else {
            continue;
        };
        let contradicts = closing(u.status) && stated == Status::Investigating;
        if contradicts {
            conflict.contradicted.push(i);
        }
        let reopens_at_the_end = i == last && closing(u.status) && !stated.is_closed();
        if (all_labelled || contradicts) && Some(stated) != u.status && !reopens_at_the_end {
            u.stated_status = Some(stated);
            conflict.replaced.push((i, u.status_raw.clone(), stated));
        }
    }
    (conflict.all_labelled.is_some() || !conflict.contradicted.is_empty()).then_some(conflict)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_wording_states_one_status_or_none() {
        assert_eq!(
            text_status("The Engineering team is investigating the root cause."),
            Some(Status::Investigating)
        );
        assert_eq!(
            text_status("This incident has been resolved."),
            Some(Status::Resolved)
        );
        // Two statuses in one text state none.
        assert_eq!(
            text_status("This incident has been resolved. We continue to investigate the cause."),
            None
        );
        assert_eq!(
            text_status(
                "We are investigating reports of elevated error rates. Everything operating normally."
            ),
            None
        );
        assert_eq!(
            text_status("Customers should review their configuration."),
            None
        );
        assert_eq!(
            text_status(
                "Timing: Incident start: October 3 Detection: Customers reported. Root Cause: MFA. Remediation Steps: exclude the account. Incident resolved: October 10."
            ),
            Some(Status::Postmortem)
        );
        // Google Cloud's mini incident report, whose prose says "We continue to investigate".
        assert_eq!(
            text_status(
                "(All Times US/Pacific)\n**Incident Start:** 24 May 2022 07:01\n**Incident End:** 24 May 2022 07:50\n**Duration:** 49 minutes\nWe continue to investigate the nature of the traffic surge."
            ),
            Some(Status::Postmortem)
        );
    }
}
