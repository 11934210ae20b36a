//! Seeded, deterministic workloads in the formats status pages really serve: Statuspage's JSON
//! API (`summary.json`, `incidents.json`, `scheduled-maintenances.json`), its `history.atom`
//! feed and its HTML home page. `vendors` vendors, each with `incidents` incidents of `updates`
//! updates and `components` components.
//!
//! The shapes follow real captures in `../shared/samples/statuspage/`: the field set of
//! githubstatus.com's JSON, the Atom entry layout of its `history.atom` (stamps without a year
//! in `<var data-var=...>` tags, "Update" for an update that keeps the status, newest first),
//! and the home page markup of status.fastly.com and status.zoom.us (component groups,
//! `status-day` blocks, stamps in the page's zone abbreviation). The same seed gives the same
//! bytes on every machine: the generator has its own small PRNG (SplitMix64) rather than a
//! crate whose streams may change between versions.

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// How big a workload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub vendors: usize,
    /// Incidents per vendor (about one in eight is a maintenance).
    pub incidents: usize,
    /// Updates per incident.
    pub updates: usize,
    /// Components per vendor (in groups of up to six).
    pub components: usize,
    pub seed: u64,
}

impl Shape {
    pub const fn new(vendors: usize, incidents: usize, updates: usize) -> Shape {
        Shape {
            vendors,
            incidents,
            updates,
            components: 12,
            seed: 0x5747_5553_4442,
        }
    }

    pub fn total_updates(&self) -> usize {
        self.vendors * self.incidents * self.updates
    }
}

/// The documents of one vendor's page.
#[derive(Debug, Clone)]
pub struct VendorPages {
    /// `v0001`, ...: the source id and vendor of this page.
    pub vendor: String,
    pub summary: Vec<u8>,
    pub incidents: Vec<u8>,
    pub maintenances: Vec<u8>,
    pub history_atom: Vec<u8>,
    pub home_html: Vec<u8>,
}

impl VendorPages {
    /// The documents with the paths a Statuspage site serves them at.
    pub fn documents(&self) -> [(&'static str, &[u8]); 5] {
        [
            ("api/v2/summary.json", &self.summary),
            ("api/v2/incidents.json", &self.incidents),
            ("api/v2/scheduled-maintenances.json", &self.maintenances),
            ("history.atom", &self.history_atom),
            ("index.html", &self.home_html),
        ]
    }
}

/// SplitMix64: tiny, fast, and fixed forever, so workloads never change under a seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0; the tiny modulo bias does not matter here).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    /// A Statuspage-style 12-character lower-case base-36 code (`f0mhbz9xn497`).
    pub fn code(&mut self) -> String {
        const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
        let mut n = self.next_u64();
        (0..12)
            .map(|_| {
                let c = DIGITS[(n % 36) as usize] as char;
                n /= 36;
                c
            })
            .collect()
    }
}

const ZONES: &[&str] = &[
    "Etc/UTC",
    "America/Los_Angeles",
    "Etc/UTC",
    "America/Chicago",
    "Europe/Berlin",
    "Etc/UTC",
    "Asia/Tokyo",
];

const COMPONENT_NAMES: &[&str] = &[
    "API",
    "Dashboard",
    "Webhooks",
    "Git Operations",
    "Login",
    "Notifications",
    "Search",
    "Billing",
    "Email Delivery",
    "Mobile App",
    "CDN",
    "DNS",
    "Database",
    "Object Storage",
    "Background Jobs",
    "Analytics",
    "Realtime Messaging",
    "Payments",
    "Docs",
    "Support Portal",
];

const GROUP_NAMES: &[&str] = &[
    "North America",
    "Europe",
    "Asia Pacific",
    "Core Platform",
    "Integrations",
];

const PROBLEMS: &[&str] = &[
    "Degraded performance for",
    "Elevated error rates on",
    "Increased latency in",
    "Intermittent failures in",
    "Partial outage of",
    "Delayed processing in",
    "Disruption with some",
];

const MAINTENANCE_TITLES: &[&str] = &[
    "Scheduled database maintenance for",
    "Capacity expansion for",
    "Network upgrade affecting",
    "Planned infrastructure migration for",
];

fn sentences(status: &str) -> &'static [&'static str] {
    match status {
        "investigating" => &[
            "We are investigating reports of degraded performance for {c}.",
            "We are currently investigating elevated error rates affecting {c}. Some customers may see failed requests or timeouts.",
            "Users may experience delays when using {c}. Our engineers are looking into the cause and will post an update within 30 minutes.",
        ],
        "identified" => &[
            "We have identified the cause of the elevated errors on {c} and are working on a fix.",
            "The issue has been identified as a faulty configuration change affecting {c}. We are rolling it back.",
            "A database failover affected {c}. The team has identified the affected cluster and is restoring capacity.",
        ],
        "monitoring" => &[
            "A fix has been implemented for {c} and we are monitoring the results.",
            "We are seeing recovery for {c} and continue to monitor. Queued work is being processed and should catch up shortly.",
            "Error rates for {c} have returned to normal levels. We will keep monitoring for the next hour before resolving.",
        ],
        "resolved" => &[
            "This incident has been resolved.",
            "This incident has been resolved. Thank you for your patience and understanding as we addressed this issue. A detailed root cause analysis will be shared as soon as it is available.",
            "{c} is operating normally. All delayed work has been processed.",
        ],
        "scheduled" => &[
            "We will be performing scheduled maintenance on {c} during this window. Some requests may be briefly delayed.",
            "Engineers will upgrade the infrastructure behind {c}. End-users may observe connection resets as traffic is migrated onto new hardware.",
        ],
        "in_progress" => &[
            "Scheduled maintenance is currently in progress. We will provide updates as necessary.",
        ],
        "verifying" => &["Verification is currently underway for the maintenance items."],
        _ => &["The scheduled maintenance has been completed."],
    }
}

/// Status sequence of an incident with `k` updates: investigating first, resolved last (when
/// closed), identified/monitoring and repeats between (a repeat is an "Update" in the feed).
fn statuses(k: usize, maintenance: bool, open: bool, rng: &mut Rng) -> Vec<&'static str> {
    let mut out = Vec::with_capacity(k);
    for i in 0..k {
        let last = i + 1 == k;
        let s = if maintenance {
            match (i, last && !open) {
                (_, true) => "completed",
                (0, _) => "scheduled",
                _ => *rng.pick(&["in_progress", "in_progress", "verifying"]),
            }
        } else {
            match (i, last && !open) {
                (_, true) => "resolved",
                (0, _) => "investigating",
                _ => *rng.pick(&["investigating", "identified", "monitoring", "monitoring"]),
            }
        };
        out.push(s);
    }
    out
}

fn impact_for(rng: &mut Rng) -> &'static str {
    const IMPACTS: &[&str] = &[
        "none", "minor", "minor", "minor", "major", "major", "critical",
    ];
    IMPACTS[rng.below(IMPACTS.len() as u64) as usize]
}

fn component_status_for(impact: &str) -> &'static str {
    match impact {
        "critical" => "major_outage",
        "major" => "partial_outage",
        "maintenance" => "under_maintenance",
        _ => "degraded_performance",
    }
}

#[derive(Debug, Clone)]
struct Component {
    id: String,
    name: String,
    group: Option<usize>,
    status: &'static str,
}

#[derive(Debug, Clone)]
struct Group {
    id: String,
    name: String,
}

#[derive(Debug, Clone)]
struct Update {
    id: String,
    status: &'static str,
    body: String,
    at: DateTime<Utc>,
    /// (component index, old status, new status)
    affected: Vec<(usize, &'static str, &'static str)>,
}

#[derive(Debug, Clone)]
struct Incident {
    id: String,
    /// The numeric id Statuspage uses in feed entry ids.
    number: u64,
    name: String,
    status: &'static str,
    impact: &'static str,
    maintenance: bool,
    created_at: DateTime<Utc>,
    resolved_at: Option<DateTime<Utc>>,
    scheduled_for: Option<DateTime<Utc>>,
    scheduled_until: Option<DateTime<Utc>>,
    shortlink: String,
    components: Vec<usize>,
    /// Oldest first.
    updates: Vec<Update>,
}

/// One vendor's page, as data, before rendering.
struct Page {
    vendor: String,
    id: String,
    name: String,
    host: String,
    zone: Tz,
    zone_name: &'static str,
    updated_at: DateTime<Utc>,
    groups: Vec<Group>,
    components: Vec<Component>,
    /// Newest first, as Statuspage lists them.
    incidents: Vec<Incident>,
}

/// The instant every workload's newest incident is near: fixed so the bytes never depend on
/// the day the generator runs.
pub fn epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 8, 22, 3, 43, 56).unwrap()
}

fn build_page(shape: &Shape, index: usize) -> Page {
    let mut rng = Rng::new(
        shape
            .seed
            .wrapping_mul(0x1000_0000_01B3)
            .wrapping_add(index as u64),
    );
    let vendor = format!("v{index:04}");
    let zone_name = ZONES[index % ZONES.len()];
    let zone: Tz = zone_name.parse().expect("zone table entry");
    let page_id = rng.code();

    let group_count = shape.components.div_ceil(6).min(GROUP_NAMES.len());
    let grouped = index.is_multiple_of(3) && shape.components >= 6;
    let groups: Vec<Group> = if grouped {
        (0..group_count)
            .map(|g| Group {
                id: rng.code(),
                name: GROUP_NAMES[g].to_string(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut components: Vec<Component> = (0..shape.components)
        .map(|c| Component {
            id: rng.code(),
            name: if c < COMPONENT_NAMES.len() {
                COMPONENT_NAMES[c].to_string()
            } else {
                format!("{} {}", COMPONENT_NAMES[c % COMPONENT_NAMES.len()], c)
            },
            group: grouped.then(|| (c / 6).min(group_count - 1)),
            status: "operational",
        })
        .collect();

    // Incidents newest first, spaced a few hours to a few days apart, back from the epoch.
    let mut at = epoch() - Duration::minutes(rng.below(600) as i64 + 30);
    let open_newest = index.is_multiple_of(4);
    let mut incidents = Vec::with_capacity(shape.incidents);
    for i in 0..shape.incidents {
        let maintenance = i % 8 == 5;
        let open = i == 0 && open_newest;
        let impact = if maintenance {
            "maintenance"
        } else {
            impact_for(&mut rng)
        };
        let affected_count = 1 + rng.below(2) as usize;
        let mut affected: Vec<usize> = Vec::new();
        while affected.len() < affected_count.min(components.len()) {
            let c = rng.below(components.len() as u64) as usize;
            if !affected.contains(&c) {
                affected.push(c);
            }
        }
        let first = affected.first().map(|&c| components[c].name.clone());
        let subject = first.clone().unwrap_or_else(|| "some services".into());
        let name = if maintenance {
            format!("{} {subject}", rng.pick(MAINTENANCE_TITLES))
        } else {
            format!("{} {subject}", rng.pick(PROBLEMS))
        };
        let sequence = statuses(shape.updates, maintenance, open, &mut rng);
        // Updates 5 to 90 minutes apart; the incident's first update is its start.
        let mut gaps: Vec<i64> = (0..shape.updates)
            .map(|_| 5 + rng.below(86) as i64)
            .collect();
        gaps[0] = 0;
        let span: i64 = gaps.iter().sum();
        let start = at - Duration::minutes(span) - Duration::seconds(rng.below(60) as i64);
        let mut t = start;
        let bad = component_status_for(impact);
        let mut updates = Vec::with_capacity(shape.updates);
        for (u, status) in sequence.iter().enumerate() {
            t += Duration::minutes(gaps[u]) + Duration::milliseconds(rng.below(1000) as i64);
            let closing = matches!(*status, "resolved" | "completed");
            let (old, new) = match (u, closing) {
                (0, _) => ("operational", bad),
                (_, true) => (bad, "operational"),
                _ => (bad, bad),
            };
            let text = rng.pick(sentences(status)).replace("{c}", &subject);
            updates.push(Update {
                id: rng.code(),
                status,
                body: text,
                at: t,
                affected: affected.iter().map(|&c| (c, old, new)).collect(),
            });
        }
        if open {
            for &c in &affected {
                components[c].status = bad;
            }
        }
        let last = updates.last().map(|u| u.at).unwrap_or(start);
        let status = *sequence.last().unwrap_or(&"investigating");
        let closed = matches!(status, "resolved" | "completed");
        incidents.push(Incident {
            id: rng.code(),
            number: 10_000_000 + (index as u64) * 100_000 + i as u64,
            name,
            status,
            impact,
            maintenance,
            created_at: start,
            resolved_at: closed.then_some(last),
            scheduled_for: maintenance
                .then_some(start + Duration::minutes(gaps.get(1).copied().unwrap_or(30))),
            scheduled_until: maintenance.then_some(last + Duration::hours(1)),
            shortlink: format!("https://stspg.io/{}", rng.code()),
            components: affected,
            updates,
        });
        // The next (older) incident ended a few hours to three days before this one began.
        at = start - Duration::minutes(180 + rng.below(4140) as i64);
    }
    Page {
        host: format!("status.vendor{index:04}.example"),
        name: format!("Vendor {index:04}"),
        vendor,
        id: page_id,
        zone,
        zone_name,
        updated_at: epoch(),
        groups,
        components,
        incidents,
    }
}

/// A time as Statuspage's JSON writes it: milliseconds and the page's own offset (`Z` for UTC).
fn json_time(zone: Tz, zone_name: &str, t: DateTime<Utc>) -> String {
    if zone_name == "Etc/UTC" {
        t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
    } else {
        t.with_timezone(&zone)
            .format("%Y-%m-%dT%H:%M:%S%.3f%:z")
            .to_string()
    }
}

impl Page {
    fn t(&self, t: DateTime<Utc>) -> Value {
        Value::String(json_time(self.zone, self.zone_name, t))
    }

    fn url(&self) -> String {
        format!("https://{}", self.host)
    }

    fn page_json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "url": self.url(),
            "time_zone": self.zone_name,
            "updated_at": self.t(self.updated_at),
        })
    }

    fn components_json(&self) -> Vec<Value> {
        let created = epoch() - Duration::days(2000);
        let mut out = Vec::new();
        let mut position = 1;
        let component = |c: &Component,
                         group_id: Option<&str>,
                         position: &mut i64,
                         out: &mut Vec<Value>| {
            out.push(json!({
                "id": c.id, "name": c.name, "status": c.status,
                "created_at": self.t(created), "updated_at": self.t(self.updated_at - Duration::hours(3)),
                "position": position, "description": format!("Availability of {}", c.name),
                "showcase": false, "start_date": null, "group_id": group_id,
                "page_id": self.id, "group": false, "only_show_if_degraded": false,
            }));
            *position += 1;
        };
        for c in self.components.iter().filter(|c| c.group.is_none()) {
            component(c, None, &mut position, &mut out);
        }
        for (g, group) in self.groups.iter().enumerate() {
            let members: Vec<&Component> = self
                .components
                .iter()
                .filter(|c| c.group == Some(g))
                .collect();
            out.push(json!({
                "id": group.id, "name": group.name, "status": "operational",
                "created_at": self.t(created), "updated_at": self.t(self.updated_at),
                "position": position, "description": null, "showcase": false,
                "start_date": null, "group_id": null, "page_id": self.id, "group": true,
                "only_show_if_degraded": false,
                "components": members.iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
            }));
            position += 1;
            for c in members {
                component(c, Some(&group.id), &mut position, &mut out);
            }
        }
        out
    }

    fn incident_json(&self, i: &Incident) -> Value {
        let updates: Vec<Value> = i
            .updates
            .iter()
            .rev()
            .map(|u| {
                json!({
                    "id": u.id, "status": u.status, "body": u.body, "incident_id": i.id,
                    "created_at": self.t(u.at), "updated_at": self.t(u.at), "display_at": self.t(u.at),
                    "affected_components": u.affected.iter().map(|&(c, old, new)| json!({
                        "code": self.components[c].id, "name": self.components[c].name,
                        "old_status": old, "new_status": new,
                    })).collect::<Vec<_>>(),
                    "deliver_notifications": true, "custom_tweet": null, "tweet_id": null,
                })
            })
            .collect();
        let last = i.updates.last().map(|u| u.at).unwrap_or(i.created_at);
        let monitoring = i
            .updates
            .iter()
            .find(|u| u.status == "monitoring")
            .map(|u| self.t(u.at));
        let mut v = json!({
            "id": i.id, "name": i.name, "status": i.status,
            "created_at": self.t(i.created_at), "updated_at": self.t(last),
            "monitoring_at": monitoring,
            "resolved_at": i.resolved_at.map(|t| self.t(t)),
            "impact": i.impact, "shortlink": i.shortlink,
            "started_at": self.t(i.created_at), "page_id": self.id,
            "incident_updates": updates,
            "postmortem_body": null, "postmortem_body_last_updated_at": null,
            "components": i.components.iter().map(|&c| json!({
                "id": self.components[c].id, "name": self.components[c].name,
                "status": self.components[c].status, "page_id": self.id,
            })).collect::<Vec<_>>(),
        });
        if i.maintenance {
            v["scheduled_for"] = i.scheduled_for.map(|t| self.t(t)).into();
            v["scheduled_until"] = i.scheduled_until.map(|t| self.t(t)).into();
            v["scheduled_remind_prior"] = true.into();
            v["scheduled_auto_in_progress"] = true.into();
            v["scheduled_auto_completed"] = true.into();
        }
        v
    }

    fn summary(&self) -> Value {
        let open: Vec<Value> = self
            .incidents
            .iter()
            .filter(|i| i.resolved_at.is_none() && !i.maintenance)
            .map(|i| self.incident_json(i))
            .collect();
        let (indicator, description) = match open.first() {
            Some(_) => ("minor", "Minor Service Outage"),
            None => ("none", "All Systems Operational"),
        };
        json!({
            "page": self.page_json(),
            "components": self.components_json(),
            "incidents": open,
            "scheduled_maintenances": [],
            "status": {"indicator": indicator, "description": description},
        })
    }

    fn incidents_doc(&self) -> Value {
        json!({
            "page": self.page_json(),
            "incidents": self.incidents.iter().map(|i| self.incident_json(i)).collect::<Vec<_>>(),
        })
    }

    fn maintenances_doc(&self) -> Value {
        json!({
            "page": self.page_json(),
            "scheduled_maintenances": self.incidents.iter().filter(|i| i.maintenance)
                .map(|i| self.incident_json(i)).collect::<Vec<_>>(),
        })
    }

    /// `Aug <var data-var='date'>21</var>, <var data-var='time'>00:37</var> UTC` in the page's
    /// zone, as the feed and the home page write update stamps.
    fn stamp(&self, t: DateTime<Utc>) -> String {
        let local = t.with_timezone(&self.zone);
        format!(
            "{} <var data-var='date'>{:>2}</var>, <var data-var='time'>{}</var> {}",
            local.format("%b"),
            local.format("%-d"),
            local.format("%H:%M"),
            local.format("%Z"),
        )
    }

    /// The labels the feed and home page show: "Update" where the status did not change.
    fn labels(i: &Incident) -> Vec<&'static str> {
        let mut previous = None;
        i.updates
            .iter()
            .map(|u| {
                let label = if previous == Some(u.status) {
                    "Update"
                } else {
                    title_word(u.status)
                };
                previous = Some(u.status);
                label
            })
            .collect()
    }

    fn history_atom(&self) -> String {
        let mut out = String::with_capacity(2048 + self.incidents.len() * 1500);
        let _ = write!(
            out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xml:lang=\"en-US\" xmlns=\"http://www.w3.org/2005/Atom\">\n  <id>tag:{host},2005:/history</id>\n  <link rel=\"alternate\" type=\"text/html\" href=\"{url}\"/>\n  <link rel=\"self\" type=\"application/atom+xml\" href=\"{url}/history.atom\"/>\n  <title>{name} Status - Incident History</title>\n  <updated>{updated}</updated>\n  <author>\n    <name>{name}</name>\n  </author>\n",
            host = self.host,
            url = self.url(),
            name = xml_escape(&self.name),
            updated = self.updated_at.format("%Y-%m-%dT%H:%M:%SZ"),
        );
        for i in &self.incidents {
            let last = i.updates.last().map(|u| u.at).unwrap_or(i.created_at);
            let mut content = String::new();
            let labels = Page::labels(i);
            for (u, label) in i.updates.iter().zip(&labels).rev() {
                let _ = write!(
                    content,
                    "<p> <small>{}</small><br> <strong>{}</strong> - {} </p> ",
                    self.stamp(u.at),
                    label,
                    html_escape(&u.body),
                );
            }
            let _ = write!(
                out,
                "  <entry>\n    <id>tag:{host},2005:Incident/{number}</id>\n    <published>{published}</published>\n    <updated>{published}</updated>\n    <link rel=\"alternate\" type=\"text/html\" href=\"{url}/incidents/{id}\"/>\n    <title>{title}</title>\n    <content type=\"html\">{content}</content>\n  </entry>\n",
                host = self.host,
                number = i.number,
                published = last.format("%Y-%m-%dT%H:%M:%SZ"),
                url = self.url(),
                id = i.id,
                title = xml_escape(&i.name),
                content = xml_escape(content.trim_end()),
            );
        }
        out.push_str("</feed>\n");
        out
    }

    fn home_html(&self) -> String {
        let mut out = String::with_capacity(40_000 + self.incidents.len() * 2000);
        html_head(&mut out, &self.name);
        let _ = write!(
            out,
            "<body class=\"status index status-none\">\n  <div class=\"layout-content status status-index starter\">\n      <div class=\"masthead-container basic\">\n    <div class=\"masthead has-logo\">\n        <div class=\"logo-container\">\n          <a href=\"{url}\"><img src=\"//dka575ofm4ao0.cloudfront.net/pages-transactional_logos/retina/{n}/logo.png\" /></a>\n        </div>\n",
            url = self.url(),
            n = 1000 + self.vendor.len()
        );
        subscribe_markup(&mut out, &self.name);
        out.push_str("    </div>\n  </div>\n  <div class=\"container\">\n");

        let open: Vec<&Incident> = self
            .incidents
            .iter()
            .filter(|i| i.resolved_at.is_none())
            .collect();
        if !open.is_empty() {
            out.push_str("        <div class=\"unresolved-incidents\">\n");
            for i in open {
                let labels = Page::labels(i);
                let _ = write!(
                    out,
                    "            <div class=\"unresolved-incident impact-{impact}\">\n              <div class=\"incident-title font-large\">\n                <a class=\"actual-title with-ellipsis\" href=\"/incidents/{id}\">{title}</a>\n                <a data-toggle=\"modal\" class=\"subscribe\" id=\"btn-subscribe-modal-{id}\" href=\"#subscribe-modal-{id}\">Subscribe</a>\n              </div>\n              <div class=\"updates font-regular\">\n",
                    impact = i.impact,
                    id = i.id,
                    title = html_escape(&i.name)
                );
                for (u, label) in i.updates.iter().zip(&labels).rev() {
                    let _ = write!(
                        out,
                        "                  <div class=\"update\">\n                    <strong>{label}</strong> - {body}\n                    <br>\n                      <small>{stamp}</small>\n                  </div>\n",
                        body = html_escape(&u.body),
                        stamp = self.stamp(u.at)
                    );
                }
                out.push_str("              </div>\n            </div>\n");
            }
            out.push_str("        </div>\n");
        }

        out.push_str("  <div class=\"components-section font-regular\">\n    <div class=\"components-container one-column\">\n");
        for c in self.components.iter().filter(|c| c.group.is_none()) {
            component_html(&mut out, c, "");
        }
        for (g, group) in self.groups.iter().enumerate() {
            let _ = write!(
                out,
                "          <div class=\"component-container border-color is-group \">\n<div data-component-id=\"{id}\"\n     class=\"component-inner-container status-green \"\n     data-component-status=\"operational\"\n     data-js-hook=\"component-group-opener\">\n   <span class=\"name\">\n       <span class=\"fa group-parent-indicator color-secondary font-small fa-plus-square-o\"></span>\n       <span>\n         {name}\n       </span>\n   </span>\n  <span\n    class=\"component-status tool\"\n    title=\"Groups take on the status of their most degraded child component or service. Click to see the status of the individual children.\"\n  >\n    Operational\n  </span>\n  <span class=\"tool icon-indicator fa fa-check\" title=\"Operational\"></span>\n</div>\n  <!-- children components -->\n  <div class=\"child-components-container \">\n",
                id = group.id,
                name = html_escape(&group.name)
            );
            for c in self.components.iter().filter(|c| c.group == Some(g)) {
                component_html(&mut out, c, "      ");
            }
            out.push_str("  </div>\n          </div>\n");
        }
        out.push_str("    </div>\n  </div>\n");

        out.push_str("      <div class=\"incidents-list format-expanded\">\n        <a class=\"font-largest no-link\" id=\"past-incidents\" href=\"#past-incidents\">Past Incidents</a>\n");
        // Days newest first, as the page groups them by the (page-local) day of the last update.
        let mut day: Option<chrono::NaiveDate> = None;
        for i in &self.incidents {
            let last = i.updates.last().map(|u| u.at).unwrap_or(i.created_at);
            let local = last.with_timezone(&self.zone);
            if day != Some(local.date_naive()) {
                if day.is_some() {
                    out.push_str("  </div>\n");
                }
                day = Some(local.date_naive());
                let _ = write!(
                    out,
                    "  <div class=\"status-day font-regular \">\n    <div class=\"date border-color font-large\">{} <var data-var=\"date\">{:>2}</var>, <var data-var=\"year\">{}</var></div>\n",
                    local.format("%b"),
                    local.format("%-d"),
                    local.format("%Y"),
                );
            }
            let _ = write!(
                out,
                "          <div class=\"incident-container\">\n  <div class=\"incident-title impact-{impact} font-large\">\n    <a href=\"/incidents/{id}\">{title}</a>\n  </div>\n  <div class=\"updates-container\">\n    <!-- postmortem -->\n    <!-- incident updates -->\n",
                impact = i.impact,
                id = i.id,
                title = html_escape(&i.name)
            );
            let labels = Page::labels(i);
            for (u, label) in i.updates.iter().zip(&labels).rev() {
                let _ = write!(
                    out,
                    "      <div class=\"update font-regular {class}\">\n        <strong>{label}</strong> -\n      \t{body}\n        <br>\n        <small>\n            {stamp}\n        </small>\n      </div>\n",
                    class = u.status.replace('_', " "),
                    body = html_escape(&u.body),
                    stamp = self.stamp(u.at)
                );
            }
            out.push_str("  </div>\n</div>\n");
        }
        if day.is_some() {
            out.push_str("  </div>\n");
        }
        let _ = write!(
            out,
            "      </div>\n      <div class=\"page-footer border-color font-small\">\n          <a href=\"/history\" class=\"history-footer-link\"><span style=\"font-family:arial\">&larr;</span> Incident History</a>\n        <span class=\"color-secondary powered-by\"><a class=\"color-secondary\" target=\"_blank\" rel=\"noopener noreferrer nofollow\" href=\"https://www.atlassian.com/software/statuspage/powered-by?utm_campaign={host}\">Powered by Statuspage</a></span>\n      </div>\n    </div>\n  </div>\n",
            host = self.host
        );
        footer_scripts(&mut out);
        out.push_str("</body>\n</html>\n");
        out
    }
}

fn title_word(status: &str) -> &'static str {
    match status {
        "investigating" => "Investigating",
        "identified" => "Identified",
        "monitoring" => "Monitoring",
        "resolved" => "Resolved",
        "postmortem" => "Postmortem",
        "scheduled" => "Scheduled",
        "in_progress" => "In progress",
        "verifying" => "Verifying",
        _ => "Completed",
    }
}

fn component_html(out: &mut String, c: &Component, indent: &str) {
    let (colour, label) = match c.status {
        "operational" => ("green", "Operational"),
        "degraded_performance" => ("yellow", "Degraded Performance"),
        "partial_outage" => ("orange", "Partial Outage"),
        "major_outage" => ("red", "Major Outage"),
        _ => ("blue", "Under Maintenance"),
    };
    let _ = write!(
        out,
        "{indent}<div data-component-id=\"{id}\"\n{indent}     class=\"component-inner-container status-{colour} \"\n{indent}     data-component-status=\"{status}\"\n{indent}     data-js-hook=\"\">\n{indent}   <span class=\"name\">\n{indent}      {name}\n{indent}   </span>\n{indent}  <span\n{indent}    class=\"component-status \"\n{indent}    title=\"\"\n{indent}  >\n{indent}    {label}\n{indent}  </span>\n{indent}  <span class=\"tool icon-indicator fa fa-check\" title=\"{label}\"></span>\n{indent}</div>\n",
        id = c.id,
        status = c.status,
        name = html_escape(&c.name),
    );
}

/// The `<head>` of a Statuspage home page: meta tags and the theme's inline CSS (real pages
/// carry about 18 KB of it; parsers must skip it).
fn html_head(out: &mut String, name: &str) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n  <head>\n    <meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\">\n    <meta charset=\"utf-8\">\n    <title>{name} Status</title>\n    <meta name=\"description\" content=\"Welcome to {name}&#39;s home for real-time and historical data on system performance.\">\n    <meta name=\"HandheldFriendly\" content=\"True\">\n    <meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0, minimum-scale=1.0, maximum-scale=1.0\">\n    <meta name=\"issued\" content=\"{issued}\">\n<style>\n",
        name = html_escape(name),
        issued = epoch().timestamp()
    );
    const SELECTORS: &[&str] = &[
        ".layout-content.status.status-index .status-day .update-title.impact-{} a",
        ".layout-content.status-full-history .month .incident-container .impact-{}",
        ".layout-content.status.status-index .incidents-list .incident-title.impact-{} a",
        ".components-container .component-inner-container.status-{} .component-status",
        ".layout-content.status.status-index .unresolved-incident.impact-{} .updates",
    ];
    const COLOURS: &[(&str, &str)] = &[
        ("critical", "#C20105"),
        ("major", "#DE7A21"),
        ("minor", "#B09000"),
        ("maintenance", "#00759C"),
        ("none", "#182931"),
    ];
    let start = out.len();
    while out.len() - start < 17_000 {
        for (impact, colour) in COLOURS {
            for sel in SELECTORS {
                let _ = writeln!(out, "  {},", sel.replace("{}", impact));
            }
            let _ = writeln!(
                out,
                "  .status-{impact} .icon-indicator {{\n    color:{colour};\n    border-color:{colour};\n  }}\n"
            );
        }
    }
    out.push_str("</style>\n    <link rel=\"alternate\" type=\"application/atom+xml\" href=\"/history.atom\">\n    <script src=\"https://dka575ofm4ao0.cloudfront.net/assets/status_manifest.js\"></script>\n  </head>\n");
}

fn subscribe_markup(out: &mut String, name: &str) {
    let _ = write!(
        out,
        "  <div class=\"updates-dropdown-container\" data-js-hook=\"updates-dropdown-container\">\n    <a href=\"#\" data-js-hook=\"show-updates-dropdown\" id=\"show-updates-dropdown\" class=\"show-updates-dropdown\" aria-label=\"Subscribe to updates\" aria-expanded=\"false\"></a>\n    <div class=\"updates-dropdown\" data-js-hook=\"updates-dropdown\" style=\"display:none\">\n"
    );
    for (kind, label) in [
        ("email", "Subscribe via email"),
        ("sms", "Subscribe via SMS"),
        ("webhook", "Subscribe via webhook"),
        ("atom", "Subscribe via RSS"),
    ] {
        let _ = write!(
            out,
            "          <div class=\"updates-dropdown-section {kind}\" id=\"updates-dropdown-{kind}\" style=\"display:none\">\n            <div class=\"directions\">\n              Get {kind} notifications whenever {name} <strong>creates</strong>,  <strong>updates</strong> or <strong>resolves</strong> an incident.\n            </div>\n            <form id=\"subscribe-form-{kind}\" action=\"/subscriptions/new-{kind}\" accept-charset=\"UTF-8\" data-remote=\"true\" method=\"post\"><input name=\"utf8\" type=\"hidden\" value=\"&#x2713;\" />\n                <input name=\"{kind}\" id=\"{kind}\" type=\"text\" placeholder=\"{label}\" class=\"full-width\" aria-label=\"{label}\">\n                <input type=\"submit\" value=\"{label}\" class=\"flat-button full-width\" id=\"subscribe-btn-{kind}\">\n            </form>\n          </div>\n",
            name = html_escape(name)
        );
    }
    out.push_str("    </div>\n  </div>\n");
}

fn footer_scripts(out: &mut String) {
    out.push_str(
        "    <script src=\"https://dka575ofm4ao0.cloudfront.net/assets/status_common.js\"></script>\n    <script>\n      SP.pollForChanges('/api/v2/status.json');\n    </script>\n  <script>\n    $(function() {\n      $('.tool').tooltipster({\n        animationDuration: 100,\n        contentAsHTML: true,\n        delay: 100,\n        theme: 'tooltipster-borderless'\n      });\n      $('.updates-dropdown-nav > a').eq(0).click();\n    });\n  </script>\n",
    );
}

fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Generates every document of vendor `index` of a workload.
pub fn vendor(shape: &Shape, index: usize) -> VendorPages {
    let page = build_page(shape, index);
    let json = |v: &Value| serde_json::to_vec(v).expect("JSON of generated values");
    VendorPages {
        vendor: page.vendor.clone(),
        summary: json(&page.summary()),
        incidents: json(&page.incidents_doc()),
        maintenances: json(&page.maintenances_doc()),
        history_atom: page.history_atom().into_bytes(),
        home_html: page.home_html().into_bytes(),
    }
}

/// Every vendor of a workload.
pub fn vendors(shape: &Shape) -> impl Iterator<Item = VendorPages> + '_ {
    (0..shape.vendors).map(move |i| vendor(shape, i + 1))
}

/// Writes every vendor's documents under `<dir>/<vendor>/...` (the layout a `file://` base URL
/// reads) and returns the vendor directories.
pub fn write_tree(dir: &Path, shape: &Shape) -> std::io::Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::with_capacity(shape.vendors);
    for pages in vendors(shape) {
        let root = dir.join(&pages.vendor);
        for (path, body) in pages.documents() {
            let file = root.join(path);
            std::fs::create_dir_all(file.parent().expect("documents live in folders"))?;
            std::fs::write(&file, body)?;
        }
        out.push((pages.vendor, root));
    }
    Ok(out)
}

/// A `config.toml` with one `statuspage` source per `(id, base URL)`, its database in the
/// config's directory. `concurrency` and `per_host_concurrency` None keep statusdb's defaults.
pub fn config_text(
    sources: &[(String, String)],
    concurrency: Option<usize>,
    per_host_concurrency: Option<usize>,
) -> String {
    let mut text = String::from("[database]\npath = \"statusdb.sqlite\"\n");
    if concurrency.is_some() || per_host_concurrency.is_some() {
        text.push_str("\n[fetch]\n");
    }
    if let Some(c) = concurrency {
        let _ = writeln!(text, "concurrency = {c}");
    }
    if let Some(c) = per_host_concurrency {
        let _ = writeln!(text, "per_host_concurrency = {c}");
    }
    for (id, url) in sources {
        let _ = write!(
            text,
            "\n[[sources]]\nid = \"{id}\"\nvendor = \"{id}\"\nkind = \"statuspage\"\nurl = \"{url}\"\n"
        );
    }
    text
}
