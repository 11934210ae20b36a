//! Golden test over the status-page timestamp corpus (fixtures/timetext/timestamps.tsv).
//!
//! Rows not marked AMBIGUOUS must give exactly `expected_utc`. AMBIGUOUS rows must give the
//! expected value or the `alt=` value, with a flag set. At least 97% of rows must pass, and
//! no row may get a wrong instant without a flag. Every failing row is printed.

use chrono::{DateTime, Utc};
use statusdb::timetext::{Context, parse};

struct Row {
    line: usize,
    text: String,
    context: String,
    expected: DateTime<Utc>,
    ambiguous: bool,
    alt: Option<DateTime<Utc>>,
}

fn rows() -> Vec<Row> {
    let data = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/timetext/timestamps.tsv"
    ))
    .expect("corpus file");
    data.lines()
        .enumerate()
        .skip(1)
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert!(cols.len() >= 4, "line {}: {l}", i + 1);
            let note = cols[3];
            let alt = note
                .split_whitespace()
                .find_map(|w| w.strip_prefix("alt="))
                .map(|a| {
                    DateTime::parse_from_rfc3339(a.trim_end_matches([';', ',']))
                        .expect("alt= value")
                        .with_timezone(&Utc)
                });
            Row {
                line: i + 1,
                text: cols[0].to_string(),
                context: cols[1].to_string(),
                expected: DateTime::parse_from_rfc3339(cols[2])
                    .expect("expected_utc")
                    .with_timezone(&Utc),
                ambiguous: note.contains("AMBIGUOUS"),
                alt,
            }
        })
        .collect()
}

#[test]
fn corpus_golden() {
    let rows = rows();
    assert_eq!(rows.len(), 164, "the corpus has 164 rows");
    let mut failures = Vec::new();
    let mut silent_wrong = Vec::new();
    for r in &rows {
        let ctx = Context::from_spec(&r.context).expect("context spec");
        let got = parse(&r.text, &ctx);
        let ok = match &got {
            Ok(p) if !r.ambiguous => p.utc == r.expected,
            Ok(p) => (p.utc == r.expected || Some(p.utc) == r.alt) && !p.flags.is_empty(),
            Err(_) => false,
        };
        if !ok {
            let shown = match &got {
                Ok(p) => format!(
                    "{} flags={:?} alt={:?}",
                    p.utc.to_rfc3339(),
                    p.flags,
                    p.alternative.map(|a| a.to_rfc3339())
                ),
                Err(e) => format!("error: {e}"),
            };
            failures.push(format!(
                "line {}: {:?} [{}] expected {}{} got {}",
                r.line,
                r.text,
                r.context,
                r.expected.to_rfc3339(),
                r.alt
                    .map(|a| format!(" (alt {})", a.to_rfc3339()))
                    .unwrap_or_default(),
                shown
            ));
            if let Ok(p) = &got
                && p.flags.is_empty()
            {
                silent_wrong.push(r.line);
            }
        }
    }
    let passed = rows.len() - failures.len();
    let rate = passed as f64 / rows.len() as f64;
    println!(
        "corpus: {passed}/{} rows pass ({:.1}%)",
        rows.len(),
        rate * 100.0
    );
    for f in &failures {
        println!("FAIL {f}");
    }
    assert!(
        silent_wrong.is_empty(),
        "rows with a wrong instant and no flag: {silent_wrong:?}\n{}",
        failures.join("\n")
    );
    assert!(
        rate >= 0.97,
        "pass rate {:.1}% below 97%:\n{}",
        rate * 100.0,
        failures.join("\n")
    );
}
