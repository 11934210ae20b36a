//! The workspace's layering, held by the lock file: the pure crates (`timetext`,
//! `statusdb-core`) reach no HTTP client, async runtime or SQLite binding, so "parsers never
//! touch the network or the database" is enforced by what they can link.

use std::collections::{BTreeSet, HashMap};

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
