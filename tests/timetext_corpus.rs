//! Golden test over the status-page timestamp corpus (fixtures/timetext/timestamps.tsv): the
//! shared corpus's 164 rows, then issue 19's rows, one or more classes each (`class N` in the
//! note).
//!
//! Every row must read right. A row not marked AMBIGUOUS gives exactly `expected_utc`. An
//! AMBIGUOUS row gives `expected_utc` or its `alt=` value, flagged, and where it names an
//! `alt=`, both candidates: the other one is the reading's `alternative`. A note may also name
//! the range's `end=` and the flags the reading must carry (`flag=`). Every flagged reading
//! says why (`Parsed::reason`). No row may get a wrong instant without a flag. The rows
//! flagged rather than decided are counted and printed.

use chrono::{DateTime, Utc};
use statusdb::timetext::{Context, Flag, parse};
use std::collections::BTreeMap;

struct Row {
    line: usize,
    text: String,
    context: String,
    expected: DateTime<Utc>,
    ambiguous: bool,
    alt: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    flags: Vec<Flag>,
    note: String,
}

fn instant(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text.trim_end_matches([';', ',', ')']))
        .unwrap_or_else(|e| panic!("{text:?}: {e}"))
        .with_timezone(&Utc)
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
            assert_eq!(cols.len(), 5, "line {}: {l}", i + 1);
            let note = cols[3];
            let word = |key: &str| -> Vec<String> {
                note.split_whitespace()
                    .filter_map(|w| w.strip_prefix(key))
                    .map(|v| v.trim_end_matches([';', ',', ')']).to_string())
                    .collect()
            };
            Row {
                line: i + 1,
                text: cols[0].to_string(),
                context: cols[1].to_string(),
                expected: instant(cols[2]),
                ambiguous: note.contains("AMBIGUOUS"),
                alt: word("alt=").first().map(|a| instant(a)),
                end: word("end=").first().map(|a| instant(a)),
                flags: word("flag=")
                    .iter()
                    .map(|f| Flag::from_name(f).unwrap_or_else(|| panic!("flag {f:?}")))
                    .collect(),
                note: note.to_string(),
            }
        })
        .collect()
}

/// Flags that say the evidence could not decide: the reading is one of two, the other in
/// `alternative`.
const UNDECIDED: [Flag; 6] = [
    Flag::AmbiguousAbbreviation,
    Flag::AmbiguousDate,
    Flag::AbbreviationContradictsDst,
    Flag::DstGap,
    Flag::DstFold,
    Flag::AmbiguousMidnight,
];

#[test]
fn corpus_golden() {
    let rows = rows();
    assert_eq!(
        rows.len(),
        229,
        "the shared corpus's 164 rows and issue 19's 65"
    );
    let mut failures = Vec::new();
    let mut silent_wrong = Vec::new();
    let mut undecided: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for r in &rows {
        let ctx = Context::from_spec(&r.context).expect("context spec");
        let got = parse(&r.text, &ctx);
        let problem = match &got {
            Err(e) => Some(format!("refused: {e}")),
            Ok(p) => {
                let candidates_ok = if !r.ambiguous {
                    p.utc == r.expected
                } else {
                    let one = p.utc == r.expected || Some(p.utc) == r.alt;
                    // Both candidates: the one not taken is the alternative.
                    let both = match r.alt {
                        Some(alt) => {
                            let other = if p.utc == r.expected { alt } else { r.expected };
                            p.alternative == Some(other)
                        }
                        None => true,
                    };
                    one && both && !p.flags.is_empty()
                };
                let missing: Vec<&str> = r
                    .flags
                    .iter()
                    .filter(|f| !p.flags.contains(**f))
                    .map(|f| f.as_str())
                    .collect();
                if !candidates_ok {
                    Some("wrong instant or candidates".to_string())
                } else if r.end.is_some() && p.end != r.end {
                    Some(format!("end {:?}", p.end.map(|e| e.to_rfc3339())))
                } else if !missing.is_empty() {
                    Some(format!("missing flags {missing:?}"))
                } else if !p.flags.is_empty() && p.reason().is_none() {
                    Some("flagged without a reason".to_string())
                } else {
                    None
                }
            }
        };
        if let Ok(p) = &got {
            for f in UNDECIDED {
                if p.flags.contains(f) {
                    undecided.entry(f.as_str()).or_default().push(r.line);
                }
            }
        }
        if let Some(problem) = problem {
            let shown = match &got {
                Ok(p) => format!(
                    "{} flags={:?} alt={:?} end={:?}",
                    p.utc.to_rfc3339(),
                    p.flags,
                    p.alternative.map(|a| a.to_rfc3339()),
                    p.end.map(|a| a.to_rfc3339())
                ),
                Err(e) => format!("error: {e}"),
            };
            failures.push(format!(
                "line {}: {:?} [{}] expected {}{}: {problem}; got {shown}",
                r.line,
                r.text,
                r.context,
                r.expected.to_rfc3339(),
                r.alt
                    .map(|a| format!(" (alt {})", a.to_rfc3339()))
                    .unwrap_or_default(),
            ));
            if let Ok(p) = &got
                && p.flags.is_empty()
                && p.utc != r.expected
            {
                silent_wrong.push(r.line);
            }
        }
    }
    let flagged: std::collections::BTreeSet<usize> =
        undecided.values().flatten().copied().collect();
    println!(
        "corpus: {}/{} rows right; {} flagged rather than decided:",
        rows.len() - failures.len(),
        rows.len(),
        flagged.len()
    );
    for (flag, lines) in &undecided {
        println!("  {flag}: {} rows, lines {lines:?}", lines.len());
    }
    for f in &failures {
        println!("FAIL {f}");
    }
    assert!(
        silent_wrong.is_empty(),
        "rows with a wrong instant and no flag: {silent_wrong:?}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn issue_19_rows_cover_its_seven_classes() {
    let rows = rows();
    let new: Vec<&Row> = rows.iter().filter(|r| r.note.contains("class ")).collect();
    assert!(new.len() >= 60, "{} rows of issue 19", new.len());
    for class in 1..=7 {
        let n = new
            .iter()
            .filter(|r| {
                let after = r.note.split("class ").nth(1).unwrap_or("");
                let tag: String = after
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == '+')
                    .collect();
                tag.split('+').any(|c| c == class.to_string())
            })
            .count();
        assert!(n >= 3, "class {class}: {n} rows");
    }
}
