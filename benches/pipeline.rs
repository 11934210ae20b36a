//! Micro-benchmarks of the pipeline stages, each beside its limit on the same bytes or rows:
//!
//! - `parse/<kind>/<doc>`: the Statuspage kinds on generated documents against
//!   `serde_json::from_slice::<Value>` (JSON) or `scraper::Html::parse_document` (HTML). Every
//!   kind on the fixtures, beside its format's library, is `benches/kinds.rs`.
//! - `normalize/merge`: every incident of a page merged into a new record, and merged again
//!   into the record it made (a re-fetch of the same page).
//! - `store/apply_source`: one source's parsed documents written into a fresh database,
//!   against `store/limit-plain-insert`, the same incident, update and component rows inserted
//!   with prepared statements in one transaction.
//!
//! Time parsing is `benches/timetext.rs`. Whole-program runs (ingest, export, the peer) are
//! `benches/program.rs`.
//!
//! `cargo bench --bench pipeline` (criterion; throughput in bytes or elements per second).

use statusdb_testkit::{limits, workload};

use chrono::{TimeZone, Utc};
use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use statusdb::normalize::{self, Seen};
use statusdb::providers::{Kind, PageInput};
use statusdb::store::Store;
use std::hint::black_box;
use std::time::Duration;
use workload::Shape;

fn fixture(relative: &str) -> Vec<u8> {
    let path = format!("{}/fixtures/{relative}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn fetched_at() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 8, 22, 4, 0, 0).unwrap()
}

fn parse(c: &mut Criterion) {
    let pages = workload::vendor(&Shape::new(1, 50, 4), 1);
    let github = fixture("statuspage/github-incidents-all.json");
    let mut g = c.benchmark_group("parse");
    g.warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));

    let json_docs: [(&str, &[u8]); 3] = [
        ("generated-incidents-50x4", &pages.incidents),
        ("generated-summary", &pages.summary),
        ("github-incidents-771", &github),
    ];
    for (name, bytes) in json_docs {
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_with_input(BenchmarkId::new("statuspage", name), bytes, |b, bytes| {
            let input = PageInput {
                url: "https://status.example.com/api/v2/incidents.json",
                body: bytes,
                fetched_at: fetched_at(),
                zone: None,
            };
            b.iter(|| Kind::Statuspage.parse(black_box(&input)).unwrap())
        });
        g.bench_with_input(
            BenchmarkId::new("limit-serde_json-value", name),
            bytes,
            |b, bytes| {
                b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(bytes)).unwrap())
            },
        );
    }

    // Statuspage's two rendered views, on the generated feed and home page.
    let atom = ("generated-history-50x4", pages.history_atom.as_slice());
    g.throughput(Throughput::Bytes(atom.1.len() as u64));
    bench_kind(
        &mut g,
        Kind::StatuspageFeed,
        atom.0,
        atom.1,
        "https://status.example.com/history.atom",
    );
    let html = ("generated-home-50x4", pages.home_html.as_slice());
    g.throughput(Throughput::Bytes(html.1.len() as u64));
    bench_kind(
        &mut g,
        Kind::StatuspageHtml,
        html.0,
        html.1,
        "https://status.example.com/",
    );
    g.bench_with_input(
        BenchmarkId::new("limit-scraper-parse_document", html.0),
        html.1,
        |b, bytes| {
            let text = std::str::from_utf8(bytes).unwrap();
            b.iter(|| scraper::Html::parse_document(black_box(text)))
        },
    );
    g.finish();
}

fn bench_kind(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    kind: Kind,
    name: &str,
    bytes: &[u8],
    url: &str,
) {
    g.bench_with_input(BenchmarkId::new(kind.as_str(), name), bytes, |b, bytes| {
        let input = PageInput {
            url,
            body: bytes,
            fetched_at: fetched_at(),
            zone: None,
        };
        b.iter(|| kind.parse(black_box(&input)).unwrap())
    });
}

fn normalize(c: &mut Criterion) {
    let pages = workload::vendor(&Shape::new(1, 50, 4), 1);
    let input = PageInput {
        url: "https://status.example.com/api/v2/incidents.json",
        body: &pages.incidents,
        fetched_at: fetched_at(),
        zone: None,
    };
    let observation = Kind::Statuspage.parse(&input).unwrap();
    let updates: usize = observation.incidents.iter().map(|i| i.updates.len()).sum();
    let seen = Seen {
        vendor: "v0001",
        source_id: "v0001",
        at: fetched_at(),
        zone: None,
    };
    let records: Vec<_> = observation
        .incidents
        .iter()
        .map(|o| normalize::merge(None, o, &seen).0)
        .collect();

    let mut g = c.benchmark_group("normalize");
    g.warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(updates as u64));
    g.bench_function("merge-new-50x4", |b| {
        b.iter(|| {
            for o in &observation.incidents {
                black_box(normalize::merge(None, o, &seen));
            }
        })
    });
    g.bench_function("merge-again-50x4", |b| {
        b.iter_batched(
            || records.clone(),
            |records| {
                for (o, r) in observation.incidents.iter().zip(records) {
                    black_box(normalize::merge(Some(r), o, &seen));
                }
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn store(c: &mut Criterion) {
    let pages = workload::vendor(&Shape::new(1, 50, 4), 1);
    let source = limits::source(&pages.vendor, "https://status.example.com/");
    // Prepared as an ingest prepares it on the parse pool (the new-record merge is the
    // normalize bench's); the store is what the writer thread then does.
    let mut result = statusdb::handoff::SourceResult::new(
        source.clone(),
        Some(Kind::Statuspage),
        vec![
            limits::parsed(
                Kind::Statuspage,
                "https://status.example.com/api/v2/summary.json",
                &pages.summary,
                fetched_at(),
            ),
            limits::parsed(
                Kind::Statuspage,
                "https://status.example.com/api/v2/incidents.json",
                &pages.incidents,
                fetched_at(),
            ),
        ],
    );
    result.prepare();
    let (_, updates) = limits::row_counts(&result);
    let fresh = || {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.sqlite")).unwrap();
        store.sync_sources(std::slice::from_ref(&source)).unwrap();
        (dir, store)
    };

    let mut g = c.benchmark_group("store");
    g.warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(20)
        .throughput(Throughput::Elements(updates as u64));
    // Each iteration gets a fresh database; only the write itself is timed, with the
    // statements prepared beforehand as an ingest run prepares them once.
    let timed = |iters: u64, again: bool| {
        let mut total = Duration::ZERO;
        for _ in 0..iters {
            let (_dir, store) = fresh();
            let mut writer = store.writer().unwrap();
            if again {
                writer.apply_source(None, &result).unwrap();
            }
            let clock = std::time::Instant::now();
            writer.apply_source(None, &result).unwrap();
            total += clock.elapsed();
        }
        total
    };
    g.bench_function("apply_source-new-50x4", |b| {
        b.iter_custom(|n| timed(n, false))
    });
    g.bench_function("apply_source-same-again-50x4", |b| {
        b.iter_custom(|n| timed(n, true))
    });
    let observations: Vec<_> = limits::observations(&result).collect();
    g.bench_function("limit-plain-insert-50x4", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let (_dir, store) = fresh();
                let conn = store.connection();
                let clock = std::time::Instant::now();
                conn.execute_batch("BEGIN").unwrap();
                limits::plain_insert(
                    conn,
                    &source.vendor,
                    &source.id,
                    &observations,
                    fetched_at(),
                )
                .unwrap();
                conn.execute_batch("COMMIT").unwrap();
                total += clock.elapsed();
            }
            total
        })
    });
    g.finish();
}

criterion_group!(benches, parse, normalize, store);
criterion_main!(benches);
