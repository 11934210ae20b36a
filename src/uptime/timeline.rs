//! Minutes: a component's periods laid over what is known of it, counted per window, day or
//! month; groups (down when any member is); the longest outage. Instants count to the minute
//! (seconds dropped), as the `component_downtime_daily` view counts them.

use super::periods::Period;
use super::rule::{Minutes, severity};
use crate::model::ComponentStatus;

/// Minutes since the epoch, UTC: minute `m` is `[m * 60 s, (m + 1) * 60 s)`.
pub(crate) type Minute = i64;

pub(crate) const MINUTES_PER_DAY: Minute = 1440;

/// The minute an instant (milliseconds since the epoch) falls in.
pub(crate) fn minute_of(ms: i64) -> Minute {
    ms.div_euclid(60_000)
}

/// Minutes `[from, until)` in one status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stretch {
    pub from: Minute,
    pub until: Minute,
    pub status: ComponentStatus,
}

/// The known minutes of a component or group, in order, each in its status; every minute not
/// in a stretch is unknown. (A status a vendor said is `unknown` is a stretch, counted with the
/// unknown minutes.)
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Timeline {
    stretches: Vec<Stretch>,
}

impl Timeline {
    /// A component's timeline: its vendor's known stretches (sorted, not overlapping), from
    /// its first word to `now`, in the status of the period holding, else operational.
    pub(crate) fn of_component(
        periods: &[Period],
        known: &[(Minute, Minute)],
        first_word: Minute,
        now: Minute,
    ) -> Timeline {
        let outages: Vec<(Minute, Minute, ComponentStatus)> = periods
            .iter()
            .filter(|p| p.status != ComponentStatus::Operational)
            .map(|p| {
                let until = p.until.map_or(now, minute_of);
                (minute_of(p.from), until, p.status)
            })
            .filter(|(from, until, _)| until > from)
            .collect();
        let mut stretches = Vec::new();
        let mut next = 0;
        for &(known_from, known_until) in known {
            let (from, until) = (known_from.max(first_word), known_until.min(now));
            if until <= from {
                continue;
            }
            // Outages are in order and do not overlap (periods do not, and dropping seconds
            // keeps their order); skip those that end before this stretch.
            while next < outages.len() && outages[next].1 <= from {
                next += 1;
            }
            let mut at = from;
            let mut k = next;
            while k < outages.len() && outages[k].0 < until {
                let (o_from, o_until, status) = outages[k];
                let (a, b) = (o_from.max(from), o_until.min(until));
                if a > at {
                    push(&mut stretches, at, a, ComponentStatus::Operational);
                }
                if b > a {
                    push(&mut stretches, a, b, status);
                    at = at.max(b);
                }
                k += 1;
            }
            if until > at {
                push(&mut stretches, at, until, ComponentStatus::Operational);
            }
        }
        Timeline { stretches }
    }

    /// A group's timeline: at each minute the worst status of the members known then; unknown
    /// when none is.
    pub(crate) fn worst_of<'a>(members: impl IntoIterator<Item = &'a Timeline>) -> Timeline {
        let mut edges: Vec<(Minute, i32, ComponentStatus)> = Vec::new();
        for member in members {
            for s in &member.stretches {
                edges.push((s.from, 1, s.status));
                edges.push((s.until, -1, s.status));
            }
        }
        edges.sort_by_key(|(at, _, _)| *at);
        let mut holding = [0i32; 6];
        let mut stretches = Vec::new();
        let mut i = 0;
        while i < edges.len() {
            let at = edges[i].0;
            while i < edges.len() && edges[i].0 == at {
                holding[usize::from(severity(edges[i].2))] += edges[i].1;
                i += 1;
            }
            let Some(&(next, _, _)) = edges.get(i) else {
                break;
            };
            if let Some(worst) = ComponentStatus::ALL
                .iter()
                .copied()
                .filter(|s| holding[usize::from(severity(*s))] > 0)
                .max_by_key(|s| severity(*s))
            {
                push(&mut stretches, at, next, worst);
            }
        }
        Timeline { stretches }
    }

    /// The stretches overlapping `[from, until)`, clipped to it.
    pub(crate) fn clipped(
        &self,
        from: Minute,
        until: Minute,
    ) -> impl Iterator<Item = Stretch> + '_ {
        let first = self.stretches.partition_point(|s| s.until <= from);
        self.stretches[first..]
            .iter()
            .take_while(move |s| s.from < until)
            .map(move |s| Stretch {
                from: s.from.max(from),
                until: s.until.min(until),
                status: s.status,
            })
    }

    /// Minutes of each status in `[from, until)`.
    pub(crate) fn minutes(&self, from: Minute, until: Minute) -> Minutes {
        let mut minutes = Minutes::default();
        let mut known = 0;
        for s in self.clipped(from, until) {
            let length = (s.until - s.from) as u64;
            minutes.add(Some(s.status), length);
            known += length;
        }
        minutes.unknown += (until - from).max(0) as u64 - known;
        minutes
    }

    /// The longest run of consecutive minutes in `[from, until)` whose status `down` holds.
    pub(crate) fn longest_run(
        &self,
        from: Minute,
        until: Minute,
        down: impl Fn(ComponentStatus) -> bool,
    ) -> u64 {
        let mut longest = 0;
        let mut run: Option<(Minute, Minute)> = None;
        for s in self.clipped(from, until).filter(|s| down(s.status)) {
            run = match run {
                Some((start, end)) if end == s.from => Some((start, s.until)),
                _ => Some((s.from, s.until)),
            };
            if let Some((start, end)) = run {
                longest = longest.max((end - start) as u64);
            }
        }
        longest
    }

    /// Whether any known minute of `[from, until)` is in a status `down` holds for.
    pub(crate) fn any(
        &self,
        from: Minute,
        until: Minute,
        down: impl Fn(ComponentStatus) -> bool,
    ) -> bool {
        self.clipped(from, until).any(|s| down(s.status))
    }
}

/// Appends a stretch, joined to the last one when it continues it in the same status.
fn push(stretches: &mut Vec<Stretch>, from: Minute, until: Minute, status: ComponentStatus) {
    if let Some(last) = stretches.last_mut()
        && last.until == from
        && last.status == status
    {
        last.until = until;
        return;
    }
    stretches.push(Stretch {
        from,
        until,
        status,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use ComponentStatus::*;

    fn period(status: ComponentStatus, from_minute: i64, until_minute: Option<i64>) -> Period {
        // Seconds inside the minute are dropped.
        Period {
            status,
            from: from_minute * 60_000 + 59_999,
            until: until_minute.map(|m| m * 60_000 + 1),
        }
    }

    #[test]
    fn known_minutes_outside_periods_are_operational_and_the_rest_unknown() {
        let periods = [
            period(PartialOutage, 100, Some(130)),
            period(Operational, 130, Some(140)),
            period(MajorOutage, 200, None),
        ];
        // Known from 50 to 120 and from 190 on; first word at 60; now is 260.
        let t = Timeline::of_component(&periods, &[(50, 120), (190, 1000)], 60, 260);
        let m = t.minutes(0, 300);
        assert_eq!(
            (m.operational, m.partial_outage, m.major_outage, m.unknown),
            (40 + 10, 20, 60, 60 + 70 + 40)
        );
        assert_eq!(t.longest_run(0, 300, |s| s == MajorOutage), 60);
        assert_eq!(t.longest_run(0, 300, |s| s != Operational), 60);
        assert_eq!(t.minutes(110, 115).partial_outage, 5);
    }

    #[test]
    fn a_group_is_at_its_worst_known_member() {
        let a = Timeline::of_component(&[period(PartialOutage, 10, Some(30))], &[(0, 60)], 0, 60);
        let b = Timeline::of_component(&[period(MajorOutage, 20, Some(40))], &[(15, 100)], 15, 100);
        let g = Timeline::worst_of([&a, &b]);
        let m = g.minutes(0, 100);
        // 0-10 a up, 10-20 a partial, 20-40 b major, 40-100 up (a up to 60, b to 100).
        assert_eq!(
            (m.operational, m.partial_outage, m.major_outage, m.unknown),
            (10 + 60, 10, 20, 0)
        );
        assert_eq!(g.longest_run(0, 100, |s| s != Operational), 30);
    }
}
