//! Throughput of the time-text parser over the status-page corpus.
//!
//! `cargo bench --bench timetext` reports elements (strings) per second.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use statusdb::timetext::{Context, find_times, parse};
use std::hint::black_box;

fn corpus() -> Vec<(String, Context)> {
    let data = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/timetext/timestamps.tsv"
    ))
    .expect("corpus file");
    data.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            (
                cols[0].to_string(),
                Context::from_spec(cols[1]).expect("context"),
            )
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let rows = corpus();
    let mut g = c.benchmark_group("timetext");
    g.throughput(Throughput::Elements(rows.len() as u64));
    g.bench_function("parse_corpus", |b| {
        b.iter(|| {
            let mut ok = 0usize;
            for (text, ctx) in &rows {
                ok += parse(black_box(text), ctx).is_ok() as usize;
            }
            ok
        })
    });
    g.bench_function("find_times_corpus", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for (text, ctx) in &rows {
                n += find_times(black_box(text), ctx).len();
            }
            n
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
