//! The periods a component spent in each status, from its words (the rows of
//! `component_status_changes`): the rule of the `component_status_periods` view (migration 8),
//! computed here for one component at a time so that a report reads each word once. A test
//! holds the two equal on the replay database.
//!
//! - A page's word holds until the next word about the component, from a page or an update.
//! - An update's word holds until its incident's next word about the component, the incident's
//!   resolution, or the component's next page word, whichever comes first.
//! - Where the words of several incidents hold at once, the worst status counts.
//! - Consecutive stretches of one status are one period; where no word holds there is none.

use super::rule::severity;
use crate::model::ComponentStatus;

/// What showed a word: a page's component list, or an incident's update.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// A page's component list (`snapshot`).
    Page,
    /// An incident's update.
    Update,
}

impl Origin {
    /// The word `component_status_changes.origin` stores.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Page => "snapshot",
            Origin::Update => "update",
        }
    }
}

/// One row of `component_status_changes`. Instants are milliseconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word {
    /// Its row id.
    pub id: i64,
    /// When it was said (milliseconds since the epoch).
    pub at: i64,
    /// The status it says.
    pub status: ComponentStatus,
    /// What showed it.
    pub origin: Origin,
    /// The announcing incident (an index the caller keeps), for `Update` words.
    pub incident: Option<u32>,
}

/// The time a word holds for (`until` = `None`: still holding).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// The word.
    pub word: Word,
    /// From when it holds.
    pub from: i64,
    /// Until when.
    pub until: Option<i64>,
}

/// One period in one status; `until` is `None` for a period still going.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// The status.
    pub status: ComponentStatus,
    /// From when.
    pub from: i64,
    /// Until when.
    pub until: Option<i64>,
}

/// The spans of a component's words that hold for some time. `words` are in the order
/// `(at, id)`; `resolved_at` gives an incident's resolution.
pub fn spans(words: &[Word], resolved_at: impl Fn(u32) -> Option<i64>) -> Vec<Span> {
    let mut until = vec![None; words.len()];
    // Walking backwards: the next word of the same incident (or the next page word, for page
    // words), and the next page word.
    // (incident, at of its next word): few incidents name one component at a time.
    let mut next_same: Vec<(Option<u32>, i64)> = Vec::new();
    let mut next_page: Option<i64> = None;
    for (k, word) in words.iter().enumerate().rev() {
        until[k] = match word.origin {
            Origin::Page => words.get(k + 1).map(|next| next.at),
            Origin::Update => [
                next_same
                    .iter()
                    .find(|(incident, _)| *incident == word.incident)
                    .map(|(_, at)| *at),
                word.incident.and_then(&resolved_at),
                next_page,
            ]
            .into_iter()
            .flatten()
            .min(),
        };
        match next_same
            .iter_mut()
            .find(|(incident, _)| *incident == word.incident)
        {
            Some(entry) => entry.1 = word.at,
            None => next_same.push((word.incident, word.at)),
        }
        if word.origin == Origin::Page {
            next_page = Some(word.at);
        }
    }
    words
        .iter()
        .zip(until)
        .filter(|(word, until)| until.is_none_or(|u| u > word.at))
        .map(|(word, until)| Span {
            word: *word,
            from: word.at,
            until,
        })
        .collect()
}

/// The periods the spans make.
pub fn periods(spans: &[Span]) -> Vec<Period> {
    // Every instant a span begins or ends, with the change it brings.
    let mut edges: Vec<(i64, i8, &Span)> = Vec::with_capacity(spans.len() * 2);
    for span in spans {
        edges.push((span.from, 1, span));
        if let Some(until) = span.until {
            edges.push((until, -1, span));
        }
    }
    edges.sort_by_key(|(at, _, _)| *at);

    // (from, until, status) for each stretch between two consecutive instants.
    let mut stretches: Vec<(i64, Option<i64>, Option<ComponentStatus>)> = Vec::new();
    let mut pages = 0i64;
    let mut page_word: Option<ComponentStatus> = None;
    let mut holding = [0i64; 6];
    let mut i = 0;
    while i < edges.len() {
        let at = edges[i].0;
        while i < edges.len() && edges[i].0 == at {
            let (_, delta, span) = edges[i];
            match span.word.origin {
                Origin::Page => {
                    pages += i64::from(delta);
                    if delta > 0 {
                        page_word = Some(span.word.status);
                    }
                }
                Origin::Update => {
                    holding[usize::from(severity(span.word.status))] += i64::from(delta)
                }
            }
            i += 1;
        }
        let status = if pages > 0 {
            page_word
        } else {
            (0..holding.len())
                .rev()
                .find(|&s| holding[s] > 0)
                .map(status_of_severity)
        };
        if let Some(last) = stretches.last_mut() {
            last.1 = Some(at);
        }
        stretches.push((at, None, status));
    }

    let mut periods: Vec<Period> = Vec::new();
    let mut previous: Option<ComponentStatus> = None;
    for (from, until, status) in stretches {
        match status {
            Some(status) if previous == Some(status) => {
                if let Some(last) = periods.last_mut() {
                    last.until = until;
                }
            }
            Some(status) => periods.push(Period {
                status,
                from,
                until,
            }),
            None => {}
        }
        previous = status;
    }
    periods
}

/// The word a period is told by, as the view names it (`origin`, `incident_id`): the word
/// holding at its start, the page's, else the incident word of its status that began first.
pub fn told_by<'a>(spans: &'a [Span], period: &Period) -> Option<&'a Span> {
    spans
        .iter()
        .filter(|s| {
            s.word.status == period.status
                && s.from <= period.from
                && s.until.is_none_or(|u| u > period.from)
        })
        .min_by_key(|s| (s.word.origin == Origin::Update, s.from, s.word.id))
}

fn status_of_severity(severity: usize) -> ComponentStatus {
    match severity {
        5 => ComponentStatus::MajorOutage,
        4 => ComponentStatus::PartialOutage,
        3 => ComponentStatus::UnderMaintenance,
        2 => ComponentStatus::DegradedPerformance,
        1 => ComponentStatus::Unknown,
        _ => ComponentStatus::Operational,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ComponentStatus::*;

    fn word(id: i64, at: i64, status: ComponentStatus, incident: Option<u32>) -> Word {
        Word {
            id,
            at,
            status,
            origin: if incident.is_some() {
                Origin::Update
            } else {
                Origin::Page
            },
            incident,
        }
    }

    fn rows(words: &[Word], resolved: &[(u32, i64)]) -> Vec<(ComponentStatus, i64, Option<i64>)> {
        let spans = spans(words, |i| {
            resolved.iter().find(|(id, _)| *id == i).map(|(_, at)| *at)
        });
        periods(&spans)
            .into_iter()
            .map(|p| (p.status, p.from, p.until))
            .collect()
    }

    #[test]
    fn overlapping_incidents_count_at_the_worst_and_a_resolution_ends_a_word() {
        // Incident 1: partial at 10, resolved at 40. Incident 2: major at 20, operational at
        // 30, resolved at 50. Incident 3: partial at 60 (after both ended), never resolved.
        let words = [
            word(1, 10, PartialOutage, Some(1)),
            word(2, 20, MajorOutage, Some(2)),
            word(3, 30, Operational, Some(2)),
            word(4, 60, PartialOutage, Some(3)),
        ];
        assert_eq!(
            rows(&words, &[(1, 40), (2, 50)]),
            [
                (PartialOutage, 10, Some(20)),
                (MajorOutage, 20, Some(30)),
                (PartialOutage, 30, Some(40)),
                (Operational, 40, Some(50)),
                (PartialOutage, 60, None),
            ]
        );
    }

    #[test]
    fn a_page_word_ends_older_incident_words_and_the_next_word_ends_it() {
        // Incident 1 says major at 10 and is never resolved; the page says partial at 20;
        // incident 2 says operational at 30 and is resolved at 35.
        let words = [
            word(1, 10, MajorOutage, Some(1)),
            word(2, 20, PartialOutage, None),
            word(3, 30, Operational, Some(2)),
        ];
        assert_eq!(
            rows(&words, &[(2, 35)]),
            [
                (MajorOutage, 10, Some(20)),
                (PartialOutage, 20, Some(30)),
                (Operational, 30, Some(35)),
            ]
        );
    }

    #[test]
    fn a_word_posted_after_its_incident_was_resolved_holds_for_no_time() {
        let words = [
            word(1, 10, MajorOutage, Some(1)),
            word(2, 30, PartialOutage, Some(1)),
        ];
        assert_eq!(rows(&words, &[(1, 20)]), [(MajorOutage, 10, Some(20))]);
    }
}
