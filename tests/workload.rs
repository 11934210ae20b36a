//! The benchmark workload generator (`statusdb_testkit::workload`): the same seed gives the
//! same bytes, and what it generates is what the real parsers read. Small shapes only; the
//! benchmarks themselves never run under `cargo test`.

use statusdb_testkit::workload;

use chrono::{TimeZone, Utc};
use statusdb::model::{IncidentKind, Status};
use statusdb::providers::{Kind, PageInput};
use workload::Shape;

fn parse(url: &str, body: &[u8]) -> statusdb::model::Observation {
    let input = PageInput {
        url,
        body,
        fetched_at: Utc.with_ymd_and_hms(2026, 8, 22, 4, 0, 0).unwrap(),
        zone: None,
    };
    Kind::Statuspage.parse(&input).unwrap()
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_other_bytes() {
    let shape = Shape::new(3, 9, 3);
    let a: Vec<_> = workload::vendors(&shape).collect();
    let b: Vec<_> = workload::vendors(&shape).collect();
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.documents(), y.documents());
    }
    let other = Shape {
        seed: shape.seed + 1,
        ..shape
    };
    let c = workload::vendor(&other, 1);
    assert_ne!(a[0].incidents, c.incidents);
    assert_eq!(
        a.iter().map(|p| p.vendor.as_str()).collect::<Vec<_>>(),
        ["v0001", "v0002", "v0003"]
    );
}

#[test]
fn statuspage_json_has_the_shape_asked_for() {
    // 9 incidents of 3 updates; the sixth of every eight is a maintenance.
    let shape = Shape::new(4, 9, 3);
    for pages in workload::vendors(&shape) {
        let o = parse(
            "https://status.example.com/api/v2/incidents.json",
            &pages.incidents,
        );
        assert_eq!(o.incidents.len(), 9, "{}", pages.vendor);
        assert!(o.incidents.iter().all(|i| i.updates.len() == 3));
        let kinds: Vec<IncidentKind> = o.incidents.iter().map(|i| i.kind).collect();
        assert_eq!(
            kinds
                .iter()
                .filter(|k| **k == IncidentKind::Maintenance)
                .count(),
            1
        );
        assert_eq!(kinds[5], IncidentKind::Maintenance);
        assert!(o.notes.is_empty(), "{:?}", o.notes);
        // Every update of an incident is oldest first once parsed, and the incidents are
        // listed newest first.
        for i in &o.incidents {
            let times: Vec<_> = i.updates.iter().map(|u| u.posted_at.utc).collect();
            assert!(times.windows(2).all(|w| w[0] < w[1]), "{times:?}");
        }
        let starts: Vec<_> = o
            .incidents
            .iter()
            .map(|i| i.updates[0].posted_at.utc)
            .collect();
        assert!(starts.windows(2).all(|w| w[0] > w[1]));

        let summary = parse(
            "https://status.example.com/api/v2/summary.json",
            &pages.summary,
        );
        assert_eq!(summary.components.len(), 12);
        // The fourth vendor's newest incident is still open and shown in its summary.
        let open = usize::from(pages.vendor == "v0004");
        assert_eq!(summary.incidents.len(), open, "{}", pages.vendor);
        if open == 1 {
            assert_eq!(summary.incidents[0].native_id, o.incidents[0].native_id);
            assert_ne!(o.incidents[0].status, Some(Status::Resolved));
        }
    }
}

#[test]
fn feed_and_home_page_carry_every_incident_and_update() {
    let shape = Shape::new(3, 9, 3);
    for pages in workload::vendors(&shape) {
        let atom = String::from_utf8(pages.history_atom.clone()).unwrap();
        assert_eq!(atom.matches("<entry>").count(), 9);
        assert_eq!(atom.matches("&lt;small&gt;").count(), 27);
        let html = String::from_utf8(pages.home_html.clone()).unwrap();
        let doc = scraper::Html::parse_document(&html);
        let count = |css: &str| doc.select(&scraper::Selector::parse(css).unwrap()).count();
        assert_eq!(count(".incidents-list .incident-container"), 9);
        assert_eq!(count(".incidents-list .update small"), 27);
        // The third vendor groups its 12 components in two groups.
        let groups = if pages.vendor == "v0003" { 2 } else { 0 };
        assert_eq!(count(".component-inner-container"), 12 + groups);
    }
}
