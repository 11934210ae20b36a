//! The documentation is true: docs/SCHEMA.md documents every table, column and view and its
//! recipes run against a database built from the fixtures; every README shell block runs as
//! written in a copy of the repository; docs/CONFIG.md names every config key.

use chrono::{DateTime, Utc};
use rusqlite::types::Value as Sql;
use serde_json::Value;
use statusdb_testkit::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(root().join(relative)).unwrap()
}

/// A fenced code block of a Markdown file, with the HTML comment just above it (if any) and
/// the `###` heading it sits under.
#[derive(Debug)]
struct Block {
    lang: String,
    body: String,
    tag: Option<String>,
    heading: String,
    line: usize,
}

fn blocks(markdown: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut lines = markdown.lines().enumerate();
    let mut heading = String::new();
    let mut last_comment: Option<String> = None;
    while let Some((n, line)) = lines.next() {
        if line.starts_with('#') {
            heading = line.trim_start_matches('#').trim().to_string();
            last_comment = None;
        } else if let Some(comment) = line.strip_prefix("<!--") {
            last_comment = Some(comment.trim_end_matches("-->").trim().to_string());
        } else if let Some(lang) = line.strip_prefix("```") {
            let mut body = String::new();
            for (_, inner) in lines.by_ref() {
                if inner.starts_with("```") {
                    break;
                }
                body.push_str(inner);
                body.push('\n');
            }
            out.push(Block {
                lang: lang.trim().to_string(),
                body,
                tag: last_comment.take(),
                heading: heading.clone(),
                line: n + 1,
            });
        } else if !line.trim().is_empty() {
            last_comment = None;
        }
    }
    out
}

/// Builds the database of the offline replay's Statuspage JSON sources (the fixtures that
/// `fixture_incidents` reads the recipes' expected values from): a copy of
/// `fixtures/replay.toml` with only its `kind = "statuspage"` sources. The replay's feeds,
/// pages and other kinds add incidents and vendors the recipes' expected values do not count.
fn replay_database(dir: &Path) -> PathBuf {
    let db = dir.join("replay.sqlite");
    let replay = read("fixtures/replay.toml");
    let fixtures = format!("file://{}/", root().join("fixtures").display());
    let mut blocks = replay.split("\n[[sources]]\n");
    let mut config = blocks.next().unwrap().to_string();
    for block in blocks.filter(|b| b.contains("\nkind = \"statuspage\"\n")) {
        config.push_str("\n[[sources]]\n");
        config.push_str(&block.replace("file://", &fixtures));
    }
    let file = dir.join("replay-statuspage.toml");
    std::fs::write(&file, config).unwrap();
    statusdb()
        .arg("ingest")
        .arg("--config")
        .arg(&file)
        .arg("--db")
        .arg(&db)
        .assert()
        .success()
        .stderr("");
    db
}

// ---------------------------------------------------------------------------------------------
// docs/SCHEMA.md

#[test]
fn schema_md_documents_every_table_column_and_view() {
    let dir = TempDir::new().unwrap();
    let db = replay_database(dir.path());
    let conn = rusqlite::Connection::open(&db).unwrap();
    let doc = read("docs/SCHEMA.md");
    let sections: BTreeMap<String, String> = {
        let mut map = BTreeMap::new();
        let mut current: Option<(String, String)> = None;
        for line in doc.lines() {
            if line.starts_with("## ") || line.starts_with("### ") {
                if let Some((name, text)) = current.take() {
                    map.insert(name, text);
                }
                if let Some(name) = line.strip_prefix("### `").and_then(|l| l.strip_suffix('`')) {
                    current = Some((name.to_string(), String::new()));
                }
            } else if let Some((_, text)) = &mut current {
                text.push_str(line);
                text.push('\n');
            }
        }
        if let Some((name, text)) = current {
            map.insert(name, text);
        }
        map
    };
    let objects: Vec<(String, String)> = {
        let mut stmt = conn
            .prepare(
                "SELECT name, type FROM sqlite_schema WHERE type IN ('table', 'view')
                 AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let columns = |name: &str| -> Vec<String> {
        let mut stmt = conn
            .prepare(&format!("SELECT name FROM pragma_table_info('{name}')"))
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert!(objects.len() >= 22, "{objects:?}");
    for (name, kind) in &objects {
        let section = sections
            .get(name)
            .unwrap_or_else(|| panic!("docs/SCHEMA.md has no section for {kind} `{name}`"));
        let cols = columns(name);
        if let Some(same) = section
            .split("Every column of `")
            .nth(1)
            .and_then(|r| r.split('`').next())
        {
            assert_eq!(
                cols,
                columns(same),
                "`{name}` is said to have every column of `{same}`"
            );
            continue;
        }
        for col in &cols {
            assert!(
                section.contains(&format!("| `{col}` |")),
                "docs/SCHEMA.md: {kind} `{name}` does not document column `{col}`"
            );
        }
        // And documents no column that does not exist.
        for documented in section.lines().filter_map(|l| {
            l.strip_prefix("| `")
                .and_then(|r| r.split('`').next())
                .map(str::to_string)
        }) {
            assert!(
                cols.contains(&documented),
                "`{name}` has no column `{documented}`"
            );
        }
    }
    let names: BTreeSet<&String> = objects.iter().map(|(n, _)| n).collect();
    for documented in sections.keys() {
        assert!(
            names.contains(documented),
            "SCHEMA.md documents `{documented}`, which does not exist"
        );
    }
}

/// The recipes of docs/SCHEMA.md: number → (parameters, SQL).
fn recipes() -> BTreeMap<u32, (Vec<(String, String)>, String)> {
    let mut out = BTreeMap::new();
    for block in blocks(&read("docs/SCHEMA.md")) {
        if block.lang != "sql" {
            continue;
        }
        let number: u32 = block
            .heading
            .split('.')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| {
                panic!(
                    "sql block at line {} is not under a numbered recipe",
                    block.line
                )
            });
        let tag = block
            .tag
            .unwrap_or_else(|| panic!("recipe {number} has no params comment"));
        let params = tag
            .strip_prefix("params:")
            .unwrap_or_else(|| panic!("recipe {number}: comment is not `params:`"))
            .split(", :")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (name, value) = p.split_once('=').unwrap();
                let name = name.trim().trim_start_matches(':');
                (format!(":{name}"), value.trim().to_string())
            })
            .collect();
        assert!(
            out.insert(number, (params, block.body)).is_none(),
            "recipe {number} twice"
        );
    }
    out
}

fn run_recipe(
    conn: &rusqlite::Connection,
    params: &[(String, String)],
    sql: &str,
) -> Vec<Vec<Sql>> {
    let mut stmt = conn.prepare(sql).unwrap_or_else(|e| panic!("{e}\n{sql}"));
    for (name, literal) in params {
        let value: Sql = conn
            .query_row(&format!("SELECT {literal}"), [], |r| r.get(0))
            .unwrap();
        let index = stmt
            .parameter_index(name)
            .unwrap()
            .unwrap_or_else(|| panic!("{name} is not used in\n{sql}"));
        stmt.raw_bind_parameter(index, value).unwrap();
    }
    assert_eq!(
        stmt.parameter_count(),
        params.len(),
        "every parameter has a value in\n{sql}"
    );
    let n = stmt.column_count();
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next().unwrap() {
        out.push((0..n).map(|i| row.get::<_, Sql>(i).unwrap()).collect());
    }
    out
}

fn t(s: &Sql) -> String {
    match s {
        Sql::Text(t) => t.clone(),
        Sql::Null => "NULL".into(),
        Sql::Integer(i) => i.to_string(),
        Sql::Real(f) => f.to_string(),
        Sql::Blob(_) => "<blob>".into(),
    }
}

fn time(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

fn db_format(text: &str) -> String {
    time(text).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Every incident object in the replay's fixtures: (vendor, incident, is maintenance).
/// A maintenance is one listed under `scheduled_maintenances`, or with `scheduled_for`, or a
/// maintenance status (docs/FORMATS.md).
fn fixture_incidents() -> Vec<(String, Value, bool)> {
    let mut out = Vec::new();
    for (vendor, file) in [
        ("github", "statuspage/github-summary-2022-11-25.json"),
        ("github", "statuspage/github-incidents-all.json"),
        ("emma", "statuspage/emma-incidents-2019.json"),
        (
            "statuspage-docs",
            "statuspage/summary-with-groups.from-docs.json",
        ),
    ] {
        let doc: Value = serde_json::from_slice(&fixture(file)).unwrap();
        for key in ["incidents", "scheduled_maintenances"] {
            for i in doc[key].as_array().into_iter().flatten() {
                let status = i["status"].as_str().unwrap();
                let maintenance = key == "scheduled_maintenances"
                    || !i["scheduled_for"].is_null()
                    || ["scheduled", "in_progress", "verifying", "completed"].contains(&status);
                out.push((vendor.to_string(), i.clone(), maintenance));
            }
        }
    }
    out
}

fn closed(i: &Value) -> bool {
    ["resolved", "postmortem"].contains(&i["status"].as_str().unwrap())
}

/// An incident's start as the fixtures say it: `started_at`, else its first update.
fn start(i: &Value) -> DateTime<Utc> {
    match i["started_at"].as_str() {
        Some(s) => time(s),
        None => i["incident_updates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| time(u["display_at"].as_str().unwrap()))
            .min()
            .unwrap(),
    }
}

/// Recipe 4 computed from the payloads: each component's words, from the summaries' component
/// lists (snapshots) and from every incident's updates (`affected_components[].new_status`, a
/// word when it differs from what the incident's previous update said). A page's word holds
/// until the next word about the component; an update's until its incident's next word about
/// it, the incident's resolution, or the next page word. Where several hold, the page's counts,
/// else the worst. Minutes of the non-operational stretches within [from, until), per (vendor,
/// name, status), most first.
fn component_minutes(
    fx: &[(String, Value, bool)],
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Vec<(String, String, String, f64)> {
    // A word: (at, status, name, announcing incident (None for a page), its resolution).
    type Word = (
        DateTime<Utc>,
        String,
        String,
        Option<String>,
        Option<DateTime<Utc>>,
    );
    let mut words: BTreeMap<(String, String), Vec<Word>> = BTreeMap::new();
    for (vendor, file) in [
        ("github", "statuspage/github-summary-2022-11-25.json"),
        (
            "statuspage-docs",
            "statuspage/summary-with-groups.from-docs.json",
        ),
    ] {
        let doc: Value = serde_json::from_slice(&fixture(file)).unwrap();
        for c in doc["components"].as_array().into_iter().flatten() {
            if c["group"] == true {
                continue;
            }
            words
                .entry((vendor.into(), c["id"].as_str().unwrap().into()))
                .or_default()
                .push((
                    time(c["updated_at"].as_str().unwrap()),
                    c["status"].as_str().unwrap().into(),
                    c["name"].as_str().unwrap().into(),
                    None,
                    None,
                ));
        }
    }
    let mut seen_incidents = BTreeSet::new();
    for (vendor, incident, _) in fx {
        let id = incident["id"].as_str().unwrap();
        // The summary's active incident is also in the list of all incidents.
        if !seen_incidents.insert((vendor.clone(), id.to_string())) {
            continue;
        }
        let resolved = incident["resolved_at"].as_str().map(time);
        let mut last: BTreeMap<String, String> = BTreeMap::new();
        let updates = incident["incident_updates"].as_array().unwrap();
        for u in updates.iter().rev() {
            for a in u["affected_components"].as_array().into_iter().flatten() {
                let Some(status) = a["new_status"].as_str() else {
                    continue;
                };
                let key = a["code"].as_str().unwrap().to_string();
                if last.get(&key).map(String::as_str) == Some(status) {
                    continue;
                }
                last.insert(key.clone(), status.into());
                words.entry((vendor.clone(), key)).or_default().push((
                    time(u["display_at"].as_str().unwrap()),
                    status.into(),
                    a["name"].as_str().unwrap().into(),
                    Some(id.to_string()),
                    resolved,
                ));
            }
        }
    }
    let severity = |s: &str| match s {
        "major_outage" => 5,
        "partial_outage" => 4,
        "under_maintenance" => 3,
        "degraded_performance" => 2,
        "operational" => 0,
        _ => 1,
    };
    let mut minutes: BTreeMap<(String, String, String), f64> = BTreeMap::new();
    for ((vendor, _), mut list) in words {
        list.sort_by_key(|w| w.0);
        // Each word's span.
        // (from, until, word)
        type Span<'a> = (DateTime<Utc>, Option<DateTime<Utc>>, &'a Word);
        let mut spans: Vec<Span> = Vec::new();
        for (k, w) in list.iter().enumerate() {
            let later = &list[k + 1..];
            let end = match &w.3 {
                None => later.first().map(|n| n.0),
                Some(incident) => [
                    later
                        .iter()
                        .find(|n| n.3.as_ref() == Some(incident))
                        .map(|n| n.0),
                    w.4,
                    later.iter().find(|n| n.3.is_none()).map(|n| n.0),
                ]
                .into_iter()
                .flatten()
                .min(),
            };
            if end.is_none_or(|e| e > w.0) {
                spans.push((w.0, end, w));
            }
        }
        // Between consecutive instants where a span begins or ends: the status holding.
        let mut instants: Vec<DateTime<Utc>> = spans
            .iter()
            .flat_map(|(a, b, _)| [Some(*a), *b])
            .flatten()
            .collect();
        instants.sort();
        instants.dedup();
        for (i, at) in instants.iter().enumerate() {
            let next = instants.get(i + 1).copied();
            let holding: Vec<&&Word> = spans
                .iter()
                .filter(|(a, b, _)| a <= at && b.is_none_or(|b| b > *at))
                .map(|(_, _, w)| w)
                .collect();
            let word = holding
                .iter()
                .find(|w| w.3.is_none())
                .or_else(|| holding.iter().max_by_key(|w| severity(&w.1)));
            let Some(word) = word else { continue };
            let end = next.unwrap_or(until).min(until);
            if word.1 == "operational" || *at >= until || end <= from {
                continue;
            }
            let start = (*at).max(from);
            *minutes
                .entry((vendor.clone(), word.2.clone(), word.1.clone()))
                .or_default() += (end - start).num_milliseconds() as f64 / 60_000.0;
        }
    }
    let mut out: Vec<(String, String, String, f64)> = minutes
        .into_iter()
        .map(|((v, n, s), m)| (v, n, s, (m * 10.0).round() / 10.0))
        .collect();
    out.sort_by(|a, b| b.3.total_cmp(&a.3));
    out
}

#[test]
fn every_schema_md_recipe_runs_against_the_fixtures() {
    let dir = TempDir::new().unwrap();
    let db = replay_database(dir.path());
    let conn = rusqlite::Connection::open(&db).unwrap();
    let recipes = recipes();
    assert_eq!(
        recipes.keys().copied().collect::<Vec<_>>(),
        (1..=13).collect::<Vec<_>>()
    );
    let fx = fixture_incidents();
    let incidents = || fx.iter().filter(|(_, _, m)| !m);
    let rows = |n: u32| {
        let (params, sql) = &recipes[&n];
        run_recipe(&conn, params, sql)
    };
    let ids = |rows: &[Vec<Sql>], col: usize| -> BTreeSet<String> {
        rows.iter().map(|r| t(&r[col])).collect()
    };

    // 1. Open incidents: the fixtures' incidents whose status is not closing.
    let expected: BTreeSet<String> = incidents()
        .filter(|(_, i, _)| !closed(i))
        .map(|(v, i, _)| format!("{v}/{}", i["id"].as_str().unwrap()))
        .collect();
    assert_eq!(expected.len(), 2);
    assert_eq!(ids(&rows(1), 1), expected);

    // 2. GitHub's components not operational in the summary: Packages.
    let r = rows(2);
    assert_eq!(r.len(), 1);
    assert_eq!(
        r[0].iter().map(t).collect::<Vec<_>>(),
        [
            "NULL",
            "Packages",
            "partial_outage",
            "2022-11-25T15:50:05.888Z"
        ]
    );

    // 3. GitHub incidents of Q4 2022 longer than an hour, longest first.
    let (from, until) = (time("2022-10-01T00:00:00Z"), time("2023-01-01T00:00:00Z"));
    let mut expected: Vec<(i64, String)> = incidents()
        .filter(|(v, i, _)| v == "github" && closed(i) && !i["resolved_at"].is_null())
        .filter(|(_, i, _)| start(i) >= from && start(i) < until)
        .map(|(_, i, _)| {
            let seconds = (time(i["resolved_at"].as_str().unwrap()) - start(i)).num_seconds();
            (seconds, format!("github/{}", i["id"].as_str().unwrap()))
        })
        .filter(|(s, _)| *s > 3600)
        .collect();
    expected.sort_by_key(|(seconds, _)| std::cmp::Reverse(*seconds));
    let r = rows(3);
    assert_eq!(r.len(), 9);
    assert_eq!(
        r.iter().map(|row| t(&row[0])).collect::<Vec<_>>(),
        expected
            .iter()
            .map(|(_, id)| id.clone())
            .collect::<Vec<_>>()
    );

    // 4. November 2022, from page snapshots and incident updates together (schema version 5):
    // the periods computed here from the payloads, the way docs/SCHEMA.md defines them.
    let expected = component_minutes(
        &fx,
        time("2022-11-01T00:00:00Z"),
        time("2022-12-01T00:00:00Z"),
    );
    let got: Vec<(String, String, String, f64)> = rows(4)
        .iter()
        .map(|r| {
            let Sql::Real(m) = r[3] else {
                panic!("minutes {:?}", r[3])
            };
            (t(&r[0]), t(&r[1]), t(&r[2]), m)
        })
        .collect();
    assert_eq!(got, expected);
    // And by hand, from the summary of 2022-11-25 and the incident of 2022-11-03:
    // Packages partial_outage from the update of 14:39:29.123 to the one of 15:40:46.461 that
    // says major_outage, and again from the summary's own `updated_at` 15:50:05.888 (its
    // status partial_outage) to the end of the month; major_outage between those two;
    // Pages partial_outage from the update of 15:06:53.071 until the summary's operational
    // of 15:40:47.264; Actions major_outage from 16:11:29.499 until its incident's resolution
    // at 16:38:38.593 (the resolving update names no component).
    let minutes =
        |from: &str, to: &str| (time(to) - time(from)).num_milliseconds() as f64 / 60_000.0;
    let round = |m: f64| (m * 10.0).round() / 10.0;
    let by_hand = vec![
        (
            "Packages",
            "partial_outage",
            round(
                minutes("2022-11-25T14:39:29.123Z", "2022-11-25T15:40:46.461Z")
                    + minutes("2022-11-25T15:50:05.888Z", "2022-12-01T00:00:00Z"),
            ),
        ),
        (
            "Pages",
            "partial_outage",
            round(minutes(
                "2022-11-25T15:06:53.071Z",
                "2022-11-25T15:40:47.264Z",
            )),
        ),
        (
            "Actions",
            "major_outage",
            round(minutes(
                "2022-11-03T16:11:29.499Z",
                "2022-11-03T16:38:38.593Z",
            )),
        ),
        (
            "Packages",
            "major_outage",
            round(minutes(
                "2022-11-25T15:40:46.461Z",
                "2022-11-25T15:50:05.888Z",
            )),
        ),
    ];
    assert_eq!(
        got,
        by_hand
            .into_iter()
            .map(|(n, st, m)| ("github".to_string(), n.to_string(), st.to_string(), m))
            .collect::<Vec<_>>()
    );
    assert_eq!(got[0].3, 7751.2);

    // 5. GitHub incidents per month of 2022.
    let mut expected: BTreeMap<String, i64> = BTreeMap::new();
    for (v, i, _) in incidents() {
        let s = start(i);
        if v == "github" && s >= time("2022-01-01T00:00:00Z") && s < time("2023-01-01T00:00:00Z") {
            *expected.entry(s.format("%Y-%m").to_string()).or_default() += 1;
        }
    }
    let got: BTreeMap<String, i64> = rows(5)
        .iter()
        .map(|r| (t(&r[0]), t(&r[1]).parse().unwrap()))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(got.len(), 12);

    // 6. Resolved incidents per vendor and year.
    let mut expected: BTreeMap<(String, String), i64> = BTreeMap::new();
    for (v, i, _) in incidents().filter(|(_, i, _)| closed(i)) {
        *expected
            .entry((v.clone(), start(i).format("%Y").to_string()))
            .or_default() += 1;
    }
    let got: BTreeMap<(String, String), i64> = rows(6)
        .iter()
        .map(|r| ((t(&r[0]), t(&r[1])), t(&r[2]).parse().unwrap()))
        .collect();
    assert_eq!(got, expected);

    // 7. Emma's incident of 2019-02-20: four updates, -06:00 converted to UTC.
    let r = rows(7);
    assert_eq!(
        r.iter()
            .map(|row| (t(&row[0]), t(&row[1])))
            .collect::<Vec<_>>(),
        [
            ("2019-02-20T18:00:19.483Z", "investigating"),
            ("2019-02-20T18:32:43.413Z", "identified"),
            ("2019-02-20T19:11:24.478Z", "monitoring"),
            ("2019-02-20T19:40:58.572Z", "resolved"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );

    // 8. The component statuses each update of GitHub's active incident announced.
    let summary: Value =
        serde_json::from_slice(&fixture("statuspage/github-summary-2022-11-25.json")).unwrap();
    let mut expected: Vec<(String, String, String)> = Vec::new();
    for u in summary["incidents"][0]["incident_updates"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
    {
        for a in u["affected_components"].as_array().into_iter().flatten() {
            if let Some(status) = a["new_status"].as_str() {
                expected.push((
                    db_format(u["display_at"].as_str().unwrap()),
                    a["name"].as_str().unwrap().to_string(),
                    status.to_string(),
                ));
            }
        }
    }
    let got: Vec<(String, String, String)> = rows(8)
        .iter()
        .map(|r| (t(&r[0]), t(&r[1]), t(&r[2])))
        .collect();
    assert_eq!(got.len(), 9);
    assert_eq!(got, expected);

    // 9. GitHub incidents naming Codespaces, or announcing a status for it.
    let expected: BTreeSet<String> = incidents()
        .filter(|(v, _, _)| v == "github")
        .filter(|(_, i, _)| {
            let named = i["components"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| c["name"] == "Codespaces");
            let announced = i["incident_updates"].as_array().unwrap().iter().any(|u| {
                u["affected_components"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|a| a["name"] == "Codespaces" && !a["new_status"].is_null())
            });
            named || announced
        })
        .map(|(_, i, _)| format!("github/{}", i["id"].as_str().unwrap()))
        .collect();
    assert_eq!(expected.len(), 45);
    assert_eq!(ids(&rows(9), 0), expected);

    // 10. Open more than an hour at 2022-11-25T16:00Z: GitHub's, open since 14:39:09.542.
    let r = rows(10);
    assert_eq!(r.len(), 1);
    assert_eq!(t(&r[0][1]), "github/ljwdk6qml8z8");
    assert_eq!(r[0][4], Sql::Real(1.3));

    // 11. Vendors by incidents: counted from the fixtures.
    let mut expected: Vec<(String, i64, i64, i64)> = ["github", "emma", "statuspage-docs"]
        .iter()
        .map(|v| {
            let of = |m: bool| fx.iter().filter(move |(fv, _, fm)| fv == v && *fm == m);
            (
                v.to_string(),
                of(false).count() as i64,
                of(false).filter(|(_, i, _)| !closed(i)).count() as i64,
                of(true).count() as i64,
            )
        })
        .collect();
    expected.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let got: Vec<(String, i64, i64, i64)> = rows(11)
        .iter()
        .map(|r| {
            (
                t(&r[0]),
                t(&r[1]).parse().unwrap(),
                t(&r[2]).parse().unwrap(),
                t(&r[3]).parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, expected);
    assert_eq!(got[0], ("github".to_string(), 772, 1, 0));

    // 12. A first ingest announces nothing.
    assert_eq!(rows(12).len(), 0);

    // 13. GitHub in August 2023, from the payloads' affected_components (tests/uptime.rs works
    // the Webhooks and Actions minutes out): partial outages only, of Webhooks 821 minutes,
    // Actions 124 (08-09 19:54-20:14, 08-10 19:47-20:56, 08-29 01:59-02:34), Pull Requests 32
    // (08-29 02:02-02:34), Git Operations 20 (08-09 19:42-20:02), Copilot 16 (08-01
    // 20:12-20:28); 44640 minutes, every one known; downtime 0.3 x the partial minutes.
    let got: Vec<String> = rows(13)
        .iter()
        .map(|r| r.iter().map(t).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        got,
        [
            "Webhooks 821 0 0 246.3 99.448",
            "Actions 124 0 0 37.2 99.917",
            "Pull Requests 32 0 0 9.6 99.978",
            "Git Operations 20 0 0 6 99.987",
            "Copilot 16 0 0 4.8 99.989",
            "API Requests 0 0 0 0 100",
            "Codespaces 0 0 0 0 100",
            "Gists 0 0 0 0 100",
            "Issues 0 0 0 0 100",
            "Notifications 0 0 0 0 100",
            "Packages 0 0 0 0 100",
            "Pages 0 0 0 0 100",
            "Visit www.githubstatus.com for more information 0 0 0 0 100",
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// README.md

/// Stands in for `cargo` in README blocks: `cargo run [--release] -- ARGS` runs the statusdb
/// binary this test run already built (building a release binary here would take minutes);
/// any other cargo command fails, so a block using one must be marked as skipped.
const CARGO_SHIM: &str = r#"#!/bin/sh
[ "$1" = run ] || { echo "README check: only 'cargo run' is runnable here; mark the block" >&2; exit 97; }
shift
while [ $# -gt 0 ] && [ "$1" != "--" ]; do shift; done
[ "$1" = "--" ] && shift
exec statusdb "$@"
"#;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn every_readme_shell_block_runs_as_written() {
    let readme = read("README.md");
    let work = TempDir::new().unwrap();
    // What a fresh clone has that the commands read.
    for dir in ["fixtures", "docs", "schema"] {
        copy_dir(&root().join(dir), &work.path().join(dir));
    }
    std::fs::copy(root().join("config.toml"), work.path().join("config.toml")).unwrap();
    let bin = work.path().join(".bin");
    std::fs::create_dir(&bin).unwrap();
    let shim = bin.join("cargo");
    std::fs::write(&shim, CARGO_SHIM).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let statusdb_dir = Path::new(env!("CARGO_BIN_EXE_statusdb")).parent().unwrap();
    let path = format!(
        "{}:{}:{}",
        bin.display(),
        statusdb_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );

    let mut ran = 0;
    let mut skipped = Vec::new();
    for block in blocks(&readme) {
        if let Some(tag) = &block.tag {
            let reason = tag
                .strip_prefix("readme-check: skip (")
                .and_then(|r| r.strip_suffix(')'))
                .unwrap_or_else(|| panic!("README line {}: unknown tag {tag:?}", block.line));
            assert!(!reason.is_empty());
            skipped.push(block.line);
            continue;
        }
        match block.lang.as_str() {
            "sh" | "bash" | "shell" => {
                let out = std::process::Command::new("bash")
                    .args(["-euo", "pipefail", "-c", &block.body])
                    .current_dir(work.path())
                    .env("PATH", &path)
                    .env_remove("RUST_LOG")
                    .stdin(std::process::Stdio::null())
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "README line {} failed ({}):\n{}\nstdout:\n{}\nstderr:\n{}",
                    block.line,
                    out.status,
                    block.body,
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
                if block
                    .body
                    .contains("query incidents --config fixtures/replay.toml --limit 10")
                {
                    // The main command shows the replay's latest incidents: OpenAI's of
                    // 2026-09-29 (incident.io) are the newest.
                    let stdout = String::from_utf8_lossy(&out.stdout);
                    assert_eq!(stdout.lines().count(), 11, "{stdout}");
                    assert!(
                        stdout.contains("openai/01M3Q4RK1SM4EMK445GGPG7C0N"),
                        "{stdout}"
                    );
                }
                if block
                    .body
                    .contains("report sla --config fixtures/replay.toml --month 2023-08")
                {
                    // The run the README shows: GitHub's target breached in August 2023.
                    let stdout = String::from_utf8_lossy(&out.stdout);
                    assert!(stdout.contains("1 of 2 targets breached"), "{stdout}");
                    assert!(
                        stdout.contains("99.417  yes       10              2023-09-30"),
                        "{stdout}"
                    );
                }
                ran += 1;
            }
            "toml" => {
                // A config fragment: valid when added to the repository's config, with the
                // environment variables it names set.
                let file = work.path().join("fragment.toml");
                std::fs::write(&file, format!("{}\n{}", read("config.toml"), block.body)).unwrap();
                let mut check = statusdb();
                check.arg("check-config").arg("--config").arg(&file);
                for var in block
                    .body
                    .lines()
                    .filter(|l| l.contains("_env = \""))
                    .filter_map(|l| l.split('"').nth(1))
                {
                    check.env(var, "https://hooks.example.com/statusdb");
                }
                check.assert().success();
            }
            // cron lines, systemd units, sample output: for people, not run here.
            "cron" | "ini" | "text" | "json" => {}
            other => panic!(
                "README line {}: unknown block language {other:?}",
                block.line
            ),
        }
    }
    assert!(ran >= 8, "ran {ran} blocks");
    assert_eq!(skipped.len(), 6, "skipped blocks at lines {skipped:?}");
    // The blocks left what they say they make.
    for made in [
        "replay.sqlite",
        "incidents.json",
        "report.json",
        "statusdb.prom",
        "observation.json",
        "github-2023-08.csv",
    ] {
        assert!(work.path().join(made).is_file(), "{made}");
    }
}

// ---------------------------------------------------------------------------------------------
// docs/CONFIG.md

#[test]
fn config_md_names_every_key_the_parser_accepts() {
    // (section, key) for every `| `key` |` row, the section being the `## ` heading above it.
    let doc = read("docs/CONFIG.md");
    let mut documented: BTreeSet<(String, String)> = BTreeSet::new();
    let mut section = String::new();
    for line in doc.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            section = heading
                .trim_matches(|c| matches!(c, '`' | '[' | ']'))
                .to_string();
        } else if let Some(key) = line.strip_prefix("| `").and_then(|r| r.split('`').next()) {
            documented.insert((section.clone(), key.to_string()));
        }
    }
    // Each documented key is accepted in its section, and a key the doc does not name is not.
    let dir = TempDir::new().unwrap();
    let check = |text: &str| {
        let file = dir.path().join("c.toml");
        std::fs::write(&file, text).unwrap();
        statusdb()
            .arg("check-config")
            .arg("--config")
            .arg(&file)
            .env("STATUSDB_DOCS_URL", "https://hooks.example.com/x")
            .env("STATUSDB_DOCS_KEY", "k")
            .output()
            .unwrap()
    };
    let hook = "kind = \"webhook\"\nurl = \"https://hooks.example.com/x\"\n";
    let sla = "vendor = \"a\"\ncomponents = [\"API\"]\ntarget = 99.9\n";
    let samples: BTreeMap<(&str, &str), String> = [
        (("database", "path"), "path = \"x.sqlite\"".to_string()),
        (("fetch", "concurrency"), "concurrency = 4".into()),
        (("fetch", "timeout"), "timeout = \"10s\"".into()),
        (("fetch", "user_agent"), "user_agent = \"me\"".into()),
        (("fetch", "max_body_bytes"), "max_body_bytes = 1000".into()),
        (
            ("fetch", "per_host_concurrency"),
            "per_host_concurrency = 2".into(),
        ),
        (
            ("fetch", "connect_timeout"),
            "connect_timeout = \"2s\"".into(),
        ),
        (("fetch", "max_redirects"), "max_redirects = 3".into()),
        (
            ("fetch", "allow_file_urls"),
            "allow_file_urls = false".into(),
        ),
        (("fetch", "attempts"), "attempts = 2".into()),
        (
            ("fetch", "retry_base_delay"),
            "retry_base_delay = \"250ms\"".into(),
        ),
        (
            ("fetch", "retry_max_delay"),
            "retry_max_delay = \"10s\"".into(),
        ),
        (
            ("fetch", "retry_after_max"),
            "retry_after_max = \"1m\"".into(),
        ),
        (
            ("fetch", "unknown_after_failures"),
            "unknown_after_failures = 5".into(),
        ),
        (("sources", "name"), "name = \"Example\"".into()),
        (("sources", "interval"), "interval = \"1m\"".into()),
        (("sources", "zone"), "zone = \"America/Chicago\"".into()),
        (("notify", "id"), format!("id = \"x\"\n{hook}")),
        (("notify", "url"), hook.into()),
        (
            ("notify", "url_env"),
            "kind = \"slack\"\nurl_env = \"STATUSDB_DOCS_URL\"".into(),
        ),
        (
            ("notify", "routing_key_env"),
            "kind = \"pagerduty\"\nrouting_key_env = \"STATUSDB_DOCS_KEY\"".into(),
        ),
        (
            ("notify", "secret_env"),
            format!("{hook}secret_env = \"STATUSDB_DOCS_KEY\""),
        ),
        (
            ("notify", "format"),
            format!("{hook}format = \"statuspage\""),
        ),
        (
            ("notify", "events"),
            format!("{hook}events = [\"incident_opened\"]"),
        ),
        (("notify", "vendors"), format!("{hook}vendors = [\"a\"]")),
        (
            ("notify", "components"),
            format!("{hook}components = [\"API *\"]"),
        ),
        (
            ("notify", "min_impact"),
            format!("{hook}min_impact = \"major\""),
        ),
        (("delivery", "time_limit"), "time_limit = \"5s\"".into()),
        (("delivery", "timeout"), "timeout = \"2s\"".into()),
        (("delivery", "max_attempts"), "max_attempts = 3".into()),
        (
            ("delivery", "retry_base_delay"),
            "retry_base_delay = \"10s\"".into(),
        ),
        (
            ("delivery", "retry_max_delay"),
            "retry_max_delay = \"2h\"".into(),
        ),
        (("report", "preset"), "preset = \"incidentio\"".into()),
        (
            ("report", "weights"),
            "weights = { partial_outage = 0.5 }".into(),
        ),
        (("report", "maintenance"), "maintenance = \"down\"".into()),
        (("sla", "name"), format!("{sla}name = \"x\"")),
        (
            ("sla", "credits"),
            format!("{sla}credits = [{{ below = 99.0, credit = 10 }}]"),
        ),
        (
            ("sla", "claim_window_days"),
            format!("{sla}claim_window_days = 30"),
        ),
    ]
    .into_iter()
    .collect();
    let required = [
        ("sources", "id"),
        ("sources", "vendor"),
        ("sources", "kind"),
        ("sources", "url"),
        ("notify", "kind"),
        ("sla", "vendor"),
        ("sla", "components"),
        ("sla", "target"),
    ];
    let source =
        "id = \"a\"\nvendor = \"a\"\nkind = \"statuspage\"\nurl = \"https://example.com/\"\n";
    for (section, key) in &documented {
        if required.contains(&(section.as_str(), key.as_str())) {
            continue;
        }
        let value = samples
            .get(&(section.as_str(), key.as_str()))
            .unwrap_or_else(|| {
                panic!("CONFIG.md documents `{key}` in {section}, unknown to this test")
            });
        let text = match section.as_str() {
            "sources" => format!("[[sources]]\n{source}{value}\n"),
            "notify" => format!("[[sources]]\n{source}\n[[notify]]\n{value}\n"),
            "sla" => format!("[[sources]]\n{source}\n[[sla]]\n{value}\n"),
            s => format!("[{s}]\n{value}\n"),
        };
        let out = check(&text);
        assert!(
            out.status.success(),
            "`{key}` in {section}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for (section, key) in required.iter().chain(samples.keys()) {
        assert!(
            documented.contains(&(section.to_string(), key.to_string())),
            "CONFIG.md does not document `{key}` in {section}"
        );
    }
    // Without a required key a source is refused: the four are really required.
    for (_, key) in required.iter().filter(|(s, _)| *s == "sources") {
        let text: String = source
            .lines()
            .filter(|l| !l.starts_with(key))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(
            check(&format!("[[sources]]\n{text}")).status.code(),
            Some(2),
            "{key}"
        );
    }
    assert_eq!(
        check(&format!(
            "[[sources]]\n{source}\n[[notify]]\nurl = \"https://x.example/\"\n"
        ))
        .status
        .code(),
        Some(2)
    );
}
