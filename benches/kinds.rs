//! Parse of every kind beside its limit, on the same bytes, in one run: one criterion group per
//! kind (`parse/<kind>`), each document measured as `statusdb/<document>` and
//! `<limit>/<document>`. The documents are the real captures in `fixtures/` and, for the
//! formats the workload generator writes (Statuspage JSON, `history.atom`, the home page), a
//! generated vendor of 50 incidents of 4 updates. What each kind is measured against is in
//! `support/kinds.rs`.
//!
//! `cargo bench --bench kinds` (criterion; throughput in bytes per second). Name a kind to run
//! one group: `cargo bench --bench kinds -- parse/aws/`. `benches/program.rs`'s `parse` section
//! prints the same documents as a table with the ratio to the limit and the target.

use statusdb_testkit::{kinds, workload};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use statusdb::providers::Kind;
use std::time::Duration;
use workload::Shape;

fn parse_each_kind(c: &mut Criterion) {
    let generated = workload::vendor(&Shape::new(1, 50, 4), 1);
    let cases = kinds::cases(&generated);
    for &kind in Kind::ALL {
        let mine: Vec<&kinds::Case> = cases.iter().filter(|c| c.kind == kind).collect();
        if mine.is_empty() {
            continue;
        }
        let mut g = c.benchmark_group(format!("parse/{kind}"));
        // The documents are small (most under 100 kB): short runs of many iterations each.
        g.warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(1))
            .sample_size(20);
        // A document beside two limits is listed twice; statusdb's parse of it is measured once.
        let mut measured: Vec<&str> = Vec::new();
        for case in mine {
            g.throughput(Throughput::Bytes(case.bytes.len() as u64));
            if !measured.contains(&case.document.as_str()) {
                measured.push(&case.document);
                g.bench_function(BenchmarkId::new("statusdb", &case.document), |b| {
                    b.iter(|| case.parse())
                });
            }
            if case.limit != kinds::Limit::Absent {
                g.bench_function(BenchmarkId::new(case.limit.id(), &case.document), |b| {
                    b.iter(|| case.limit.run(&case.bytes))
                });
            }
        }
        g.finish();
    }
}

criterion_group!(benches, parse_each_kind);
criterion_main!(benches);
