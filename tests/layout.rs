//! The workspace's layering, held by the lock file: the pure crates (`timetext`,
//! `statusdb-core`) reach no HTTP client, async runtime or SQLite binding, so "parsers never
//! touch the network or the database" is enforced by what they can link; and the library's
//! modules, read from their source, import no circle.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// Crates a parser must never be able to call.
const FORBIDDEN: &[&str] = &["reqwest", "tokio", "hyper", "rusqlite", "libsqlite3-sys"];

/// Every package `root` depends on, directly or not, per `Cargo.lock` (normal, build and dev
/// dependencies alike: the lock file does not tell them apart, so this is the stricter check).
fn closure(root: &str) -> BTreeSet<String> {
    let lock_path = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock");
    let text = std::fs::read_to_string(lock_path).expect("Cargo.lock is committed");
    let lock: toml::Table = text.parse().expect("Cargo.lock is TOML");
    let mut deps: HashMap<String, Vec<String>> = HashMap::new();
    for package in lock["package"].as_array().expect("[[package]] entries") {
        let name = package["name"]
            .as_str()
            .expect("a package name")
            .to_string();
        let names: Vec<String> = package
            .get("dependencies")
            .and_then(|d| d.as_array())
            .map(|list| {
                list.iter()
                    .filter_map(|d| d.as_str())
                    // "name", or "name version" when the lock holds two versions of it.
                    .map(|d| d.split(' ').next().unwrap_or(d).to_string())
                    .collect()
            })
            .unwrap_or_default();
        deps.entry(name).or_default().extend(names);
    }
    assert!(deps.contains_key(root), "{root} is not in Cargo.lock");
    let mut seen = BTreeSet::new();
    let mut todo = vec![root.to_string()];
    while let Some(name) = todo.pop() {
        for dep in deps.get(&name).into_iter().flatten() {
            if seen.insert(dep.clone()) {
                todo.push(dep.clone());
            }
        }
    }
    seen
}

#[test]
fn the_pure_crates_reach_no_network_runtime_or_database() {
    for root in ["statusdb-core", "timetext"] {
        let reached = closure(root);
        let bad: Vec<&&str> = FORBIDDEN.iter().filter(|f| reached.contains(**f)).collect();
        assert!(bad.is_empty(), "{root} depends on {bad:?}");
    }
    // The check can fail: the root package reaches all of them.
    let root = closure("statusdb");
    for forbidden in ["reqwest", "tokio", "hyper", "rusqlite"] {
        assert!(
            root.contains(forbidden),
            "statusdb should reach {forbidden}"
        );
    }
}

#[test]
fn timetext_depends_on_nothing_of_statusdb() {
    let reached = closure("timetext");
    assert!(!reached.contains("statusdb-core") && !reached.contains("statusdb"));
    assert!(closure("statusdb-core").contains("timetext"));
}

/// The library's top-level modules (`src/<name>.rs` or `src/<name>/`) and, for each, the
/// others it names as `crate::<module>` (in `use` lines and paths alike, its submodules and
/// tests included; comments left out). The binary's files (`main.rs`, `cli/`) are not the
/// library's, and names that are no file of `src/` (the crates re-exported at the root:
/// `model`, `normalize`, `providers`, `handoff`, `timetext`) are left out.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut dirs = vec![src.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut modules: BTreeMap<String, String> = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        let first = relative.components().next().unwrap().as_os_str();
        let name = Path::new(first)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .to_string();
        if ["lib", "main", "cli"].contains(&name.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        modules.entry(name).or_default().push_str(&text);
    }
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    modules
        .iter()
        .map(|(name, text)| {
            let named = crate_references(text)
                .into_iter()
                .filter(|other| other != name && names.contains(other))
                .collect();
            (name.clone(), named)
        })
        .collect()
}

/// The first segment of every `crate::` path in Rust source, `use crate::{a::B, c}` included,
/// with `//` comments left out.
fn crate_references(text: &str) -> BTreeSet<String> {
    let code: String = text
        .lines()
        .map(|line| match line.find("//") {
            // A `//` inside a string (a URL) ends the line early: harmless here.
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // The items of the group at depth 0, each up to its first `::` or `,`.
            let mut depth = 0;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && !c.is_whitespace() => {
                        item_start = false;
                        out.insert(ident(&group[i..]));
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(ident(rest));
        }
    }
    out.remove("");
    out
}

/// A cycle of the graph, as the modules around it (the first repeated at the end), if any.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    // Depth first; a module met again while still on the path closes a cycle.
    fn visit(
        graph: &BTreeMap<String, BTreeSet<String>>,
        module: &str,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|m| m == module) {
            let mut cycle = path[at..].to_vec();
            cycle.push(module.to_string());
            return Some(cycle);
        }
        if done.contains(module) {
            return None;
        }
        path.push(module.to_string());
        for next in graph.get(module).into_iter().flatten() {
            if let Some(cycle) = visit(graph, next, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(module.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|m| visit(graph, m, &mut Vec::new(), &mut done))
}

/// No import circle between the library's modules: each stage depends only on stages before
/// it (the store on none of them).
#[test]
fn the_library_modules_import_no_circle() {
    let graph = module_graph();
    // What the graph is read from: enough modules, and edges that are there.
    assert!(graph.len() >= 15, "{:?}", graph.keys());
    assert!(graph["ingest"].contains("store") && graph["events"].contains("store"));
    assert_eq!(find_cycle(&graph), None, "{graph:#?}");
    // The store is a leaf: it names no other module of the library.
    assert_eq!(graph["store"], BTreeSet::new());
}

/// The check finds a circle where there is one: the store, events and export of before
/// (the store wrote events, which serialized the export's documents, and the export read the
/// store).
#[test]
fn a_module_circle_is_found() {
    let mut graph = BTreeMap::new();
    let store = "use crate::events::PendingEvents;\nuse crate::{config::Source, schedule};";
    let events = "use crate::export::{ExportComponent, ExportIncident};";
    let export =
        "// crate::ingest is only a comment\nlet rows = crate::store::rows::RowReader::new();";
    for (name, text) in [("store", store), ("events", events), ("export", export)] {
        graph.insert(name.to_string(), crate_references(text));
    }
    assert_eq!(
        graph["store"],
        BTreeSet::from(["config".into(), "events".into(), "schedule".into()])
    );
    assert_eq!(graph["export"], BTreeSet::from(["store".to_string()]));
    assert_eq!(
        find_cycle(&graph),
        Some(vec![
            "events".to_string(),
            "export".into(),
            "store".into(),
            "events".into()
        ])
    );
}
