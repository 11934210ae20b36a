//! The offline replay (`fixtures/replay.toml`): the same records whatever order its sources are
//! written in, and the export it gives held to a committed golden file.

use serde_json::Value;
use statusdb_testkit::{field, fixture, fixtures_dir, sql_strings, statusdb, stdout_json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The golden export of the replay: one JSON value per line (every incident in document order,
/// then every component), the times of the run blanked.
const GOLDEN: &str = "replay/export.ndjson";

/// The fields that say when a run happened, not what the vendors said.
const RUN_TIMES: [&str; 3] = ["generated_at", "first_seen_at", "last_seen_at"];

fn ingest(config: &Path, db: &Path, sources: &[&str]) {
    let mut cmd = statusdb();
    cmd.arg("ingest")
        .arg("--config")
        .arg(config)
        .arg("--db")
        .arg(db);
    for source in sources {
        cmd.args(["--source", source]);
    }
    cmd.assert().success();
}

/// The export document of a database, as one value per line: incidents, then components,
/// with the times of the run set to null.
fn export_lines(db: &Path) -> Vec<Value> {
    let doc = stdout_json(
        statusdb()
            .args(["export", "--format", "json", "--db"])
            .arg(db),
    );
    assert_eq!(doc["schema_version"], 1);
    let mut lines = Vec::new();
    for part in ["incidents", "components"] {
        for item in doc[part].as_array().unwrap() {
            let mut item = item.clone();
            for field in RUN_TIMES {
                if let Some(value) = item.get_mut(field) {
                    *value = Value::Null;
                }
            }
            lines.push(item);
        }
    }
    lines
}

/// What tells two lines apart: the incident id, else the component's vendor and name.
fn line_name(line: &Value) -> String {
    match line["id"].as_str() {
        Some(id) => format!("incident {id}"),
        None => format!("component {}/{}", line["vendor"], line["name"]),
    }
}

/// The fields two lines disagree on, each with both values (shortened).
fn differences(want: &Value, got: &Value) -> Vec<String> {
    let short = |v: Option<&Value>| {
        let text = v.map_or("(absent)".to_string(), Value::to_string);
        match text.char_indices().nth(300) {
            Some((cut, _)) => format!("{}...", &text[..cut]),
            None => text,
        }
    };
    let mut fields: Vec<&String> = want
        .as_object()
        .into_iter()
        .flat_map(|o| o.keys())
        .collect();
    fields.extend(got.as_object().into_iter().flat_map(|o| o.keys()));
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter(|f| want.get(f.as_str()) != got.get(f.as_str()))
        .map(|f| {
            format!(
                "  {f}:\n    expected: {}\n    found:    {}",
                short(want.get(f.as_str())),
                short(got.get(f.as_str()))
            )
        })
        .collect()
}

/// Ingests every source of the replay into a new database, one run per source in the order
/// the config lists them (which source of a vendor writes a shared component last decides its
/// latest status, so the order is fixed).
fn replay_database(dir: &Path) -> PathBuf {
    let config_path = fixtures_dir().join("replay.toml");
    let config = statusdb::config::Config::load(&config_path).unwrap();
    let db = dir.join("replay.sqlite");
    for source in &config.sources {
        ingest(&config_path, &db, &[&source.id]);
    }
    db
}

/// The replay exports what `fixtures/replay/export.ndjson` holds, apart from the times of the
/// run. `STATUSDB_BLESS=1 cargo test --test replay` writes the file anew from this build.
#[test]
fn the_replay_exports_its_golden_document() {
    let dir = TempDir::new().unwrap();
    let db = replay_database(dir.path());
    let lines = export_lines(&db);
    let golden_path = fixtures_dir().join(GOLDEN);
    if std::env::var_os("STATUSDB_BLESS").is_some_and(|v| v == "1") {
        let mut text = String::new();
        for line in &lines {
            text.push_str(&serde_json::to_string(line).unwrap());
            text.push('\n');
        }
        std::fs::create_dir_all(golden_path.parent().unwrap()).unwrap();
        std::fs::write(&golden_path, text).unwrap();
        eprintln!("wrote {} ({} lines)", golden_path.display(), lines.len());
        return;
    }
    let golden: Vec<Value> = String::from_utf8(fixture(GOLDEN))
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    if let Some(differing) = compare(&golden, &lines) {
        panic!(
            "the replay's export differs from {GOLDEN} ({} lines golden, {} now): {differing}\n\
             If the change is meant: STATUSDB_BLESS=1 cargo test --test replay",
            golden.len(),
            lines.len()
        );
    }
}

/// `None` when the two lists of lines are equal; else how many incidents and components
/// differ (matched by id, so that one that moves in the document's order is not counted
/// again for each it passes) and the first three, field by field.
fn compare(want: &[Value], got: &[Value]) -> Option<String> {
    if want == got {
        return None;
    }
    let by_name = |lines: &[Value]| -> BTreeMap<String, Value> {
        lines.iter().map(|l| (line_name(l), l.clone())).collect()
    };
    let (want_by, got_by) = (by_name(want), by_name(got));
    let mut names: Vec<&String> = want_by.keys().chain(got_by.keys()).collect();
    names.sort();
    names.dedup();
    let differing: Vec<&String> = names
        .into_iter()
        .filter(|n| want_by.get(*n) != got_by.get(*n))
        .collect();
    if differing.is_empty() {
        return Some("the same lines in another order".into());
    }
    let mut report = format!(
        "{} incidents or components differ, the first:\n",
        differing.len()
    );
    for name in differing.iter().take(3) {
        match (want_by.get(*name), got_by.get(*name)) {
            (Some(want), Some(got)) => {
                report.push_str(&format!("{name}\n"));
                report.push_str(&differences(want, got).join("\n"));
                report.push('\n');
            }
            (Some(_), None) => report.push_str(&format!("{name}: expected, not found\n")),
            _ => report.push_str(&format!("{name}: found, not expected\n")),
        }
    }
    Some(report)
}

/// GitHub incident 8xxms3q3qzgp as the API gives it, and its updates' ids there, oldest first.
const API_INCIDENT: &str = "statuspage/github-incident-8xxms3q3qzgp.json";
const API_UPDATE_IDS: [&str; 3] = [
    "github/qn9jl09h9kqr",
    "github/jbsvpzmfjndw",
    "github/j6033rxnhrf8",
];

/// The first update of incident 8xxms3q3qzgp in GitHub's feed, and an edit of it.
const FEED_TEXT: &str = "09:40&lt;/var&gt; UTC&lt;/small&gt;&lt;br&gt;&lt;strong&gt;Investigating\
    &lt;/strong&gt; - We are investigating reports of degraded availability for GitHub Actions.";
const FEED_EDIT: &str = "GitHub Actions in Europe.";
/// That update's text, and as edited.
const FIRST_TEXT: &str =
    "We are investigating reports of degraded availability for GitHub Actions.";
const FIRST_TEXT_EDITED: &str =
    "We are investigating reports of degraded availability for GitHub Actions in Europe.";

/// A database fed by two sources of GitHub's page, `feed` (`history.atom`, whose updates have
/// no ids) and `api` (`/api/v2/incidents/<code>.json`): a first run with nothing in either
/// (so that later runs announce what they add), then one run per step: `feed` (the feed
/// with incident 8xxms3q3qzgp), `feed-edited` (its first update's text edited), `api`.
fn two_views(dir: &Path, steps: &[&str]) -> PathBuf {
    let feed = String::from_utf8(fixture("statuspage/github-history-2022-06-11.atom")).unwrap();
    let entries_start = feed.find("<entry>").unwrap();
    let entries_end = feed.rfind("</entry>").unwrap() + "</entry>".len();
    let empty_feed = format!("{}{}", &feed[..entries_start], &feed[entries_end..]);
    assert_eq!(feed.matches(FEED_TEXT).count(), 1);
    let edited = FEED_TEXT.replace("GitHub Actions.", FEED_EDIT);
    let edited_feed = feed.replace(FEED_TEXT, &edited);
    let api: Value = serde_json::from_slice(&fixture(API_INCIDENT)).unwrap();
    let empty_api = serde_json::json!({"page": api["page"], "incidents": []}).to_string();

    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[database]\npath = \"s.sqlite\"\n\n\
             [[sources]]\nid = \"feed\"\nvendor = \"github\"\nkind = \"statuspage-feed\"\n\
             url = \"file://{dir}/feed.atom\"\n\n\
             [[sources]]\nid = \"api\"\nvendor = \"github\"\nkind = \"statuspage\"\n\
             url = \"file://{dir}/api.json\"\n",
            dir = dir.display()
        ),
    )
    .unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    let db = dir.join("s.sqlite");
    write("feed.atom", &empty_feed);
    write("api.json", &empty_api);
    ingest(&config, &db, &[]);
    for step in steps {
        match *step {
            "feed" => write("feed.atom", &feed),
            "feed-edited" => write("feed.atom", &edited_feed),
            "api" => write("api.json", &api.to_string()),
            other => panic!("no step {other}"),
        }
        ingest(&config, &db, &[]);
    }
    db
}

/// The events about incident 8xxms3q3qzgp, oldest first: each one's type, its
/// `new_update_ids` and the ids of the updates in the incident it carries.
fn events_of_the_incident(db: &Path) -> Vec<(String, String, String)> {
    let rows = sql_strings(
        db,
        "SELECT type || ' ' || new_update_ids || ' ' || json_extract(record, '$.updates')
         FROM events WHERE incident_id = 'github/8xxms3q3qzgp' ORDER BY id",
    );
    rows.iter()
        .map(|row| {
            let mut parts = row.splitn(3, ' ');
            let (kind, new, updates) = (parts.next(), parts.next(), parts.next());
            let updates: Vec<Value> = serde_json::from_str(updates.unwrap()).unwrap();
            let ids: Vec<&str> = updates.iter().map(|u| u["id"].as_str().unwrap()).collect();
            (
                kind.unwrap().to_string(),
                new.unwrap().to_string(),
                ids.join(" "),
            )
        })
        .collect()
}

/// An update first stored from a feed, without an id, takes the vendor's id when the API
/// shows it: the same incident exports the same whether the feed or the API was stored first,
/// and what named the update before (its component changes, its revisions, the events that
/// announced it) names it by the new id.
#[test]
fn an_update_takes_the_vendors_id_whichever_view_is_stored_first() {
    let feed_first = TempDir::new().unwrap();
    let api_first = TempDir::new().unwrap();
    let by_feed = two_views(feed_first.path(), &["feed", "feed-edited", "api"]);
    let by_api = two_views(api_first.path(), &["api", "feed", "feed-edited"]);

    let feed_doc = export_lines(&by_feed);
    let api_doc = export_lines(&by_api);
    assert_eq!(feed_doc.len(), 25, "the feed's incidents");
    if let Some(differing) = compare(&feed_doc, &api_doc) {
        panic!("feed first (expected) and API first (found) differ: {differing}");
    }
    let incident = feed_doc
        .iter()
        .find(|i| i["id"] == "github/8xxms3q3qzgp")
        .unwrap();
    let ids = field(&incident["updates"], "id");
    assert_eq!(ids, API_UPDATE_IDS);
    assert_eq!(
        incident["updates"][0]["components"],
        serde_json::json!([{"name": "GitHub Actions", "status": "operational"}])
    );

    for db in [&by_feed, &by_api] {
        assert_eq!(
            sql_strings(
                db,
                "SELECT update_id FROM update_components WHERE update_id IN
                   (SELECT id FROM incident_updates WHERE incident_id = 'github/8xxms3q3qzgp')"
            ),
            ["github/qn9jl09h9kqr"]
        );
        assert_eq!(
            sql_strings(
                db,
                "SELECT update_id FROM component_status_changes
                 WHERE incident_id = 'github/8xxms3q3qzgp'"
            ),
            ["github/qn9jl09h9kqr"]
        );
    }
    // Feed first: the edit of the feed's text was revised under the feed's id, the API's
    // text is another revision of it (a view with ids does not merely refine one without);
    // both are filed under the id the update has now. The id itself is no revision.
    assert_eq!(
        sql_strings(
            &by_feed,
            "SELECT entity_id || ' ' || field || ': ' || old_value || ' -> ' || new_value
             FROM revisions ORDER BY id"
        ),
        [
            format!("github/qn9jl09h9kqr body: {FIRST_TEXT} -> {FIRST_TEXT_EDITED}"),
            format!("github/qn9jl09h9kqr body: {FIRST_TEXT_EDITED} -> {FIRST_TEXT}"),
        ]
    );
    assert_eq!(
        sql_strings(&by_api, "SELECT count(*) FROM revisions"),
        ["0"]
    );
    // The events name the updates by the ids they have now: the feed's run announced them
    // under the feed's ids; a view that adds no update announces none.
    let all = API_UPDATE_IDS.join(" ");
    let listed = serde_json::to_string(&API_UPDATE_IDS).unwrap();
    let event = |kind: &str, new: &str| (kind.to_string(), new.to_string(), all.clone());
    assert_eq!(
        events_of_the_incident(&by_feed),
        [
            event("incident_opened", &listed),
            event("incident_resolved", &listed),
            event("incident_updated", "[]"),
            event("incident_updated", "[]"),
        ]
    );
    assert_eq!(
        events_of_the_incident(&by_api),
        [
            event("incident_opened", &listed),
            event("incident_resolved", &listed),
        ]
    );
}
