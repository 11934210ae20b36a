//! The questions users ask of the database (docs/SCHEMA.md recipes, `export` filters) and the
//! lookups `ingest` makes per source are answered through indexes, not by scanning tables:
//! checked with `EXPLAIN QUERY PLAN` on a database created by statusdb itself.

use rusqlite::Connection;
use statusdb_testkit::{SourceSpec, fixtures_dir, statusdb, write_config};

/// The plan's detail lines, e.g. `SEARCH i USING INDEX incidents_by_vendor_time (vendor=?)`.
fn plan(conn: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next().unwrap() {
        out.push(row.get::<_, String>(3).unwrap());
    }
    out
}

/// A database with the current schema and real rows (GitHub's summary, one incident).
fn database() -> (tempfile::TempDir, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let summary = fixtures_dir().join("statuspage/github-summary-2022-11-25.json");
    let url = url::Url::from_file_path(&summary).unwrap().to_string();
    let config = write_config(
        dir.path(),
        &[SourceSpec::new("gh", "github", "statuspage", url)],
    );
    statusdb()
        .args(["ingest", "--config"])
        .arg(&config)
        .assert()
        .success();
    let conn = Connection::open(dir.path().join("statusdb.sqlite")).unwrap();
    (dir, conn)
}

/// Asserts that the plan reads each `(table alias, access)` that way (`access` is what
/// follows USING: `INDEX name`, `COVERING INDEX name`, `PRIMARY KEY`), and scans no table
/// whole.
fn assert_uses(conn: &Connection, sql: &str, expected: &[(&str, &str)]) {
    let lines = plan(conn, sql);
    for (table, access) in expected {
        assert!(
            lines.iter().any(|l| {
                (l.starts_with(&format!("SEARCH {table} USING "))
                    || l.starts_with(&format!("SCAN {table} USING ")))
                    && (l.contains(&format!("USING {access} "))
                        || l.ends_with(&format!("USING {access}")))
            }),
            "{table} should be read through {access} in\n{sql}\nplan: {lines:#?}"
        );
    }
    for l in &lines {
        let whole_scan = l.starts_with("SCAN ") && !l.contains(" USING ");
        assert!(
            !whole_scan,
            "full table scan `{l}` in\n{sql}\nplan: {lines:#?}"
        );
    }
}

#[test]
fn questions_by_vendor_and_time_use_the_vendor_time_index() {
    let (_dir, conn) = database();
    // Recipe 5 (and 3 through incident_durations): a vendor's incidents in a period.
    assert_uses(
        &conn,
        "SELECT strftime('%Y-%m', started_at) AS month, count(*), avg(duration_seconds)
         FROM incidents
         WHERE vendor = 'github' AND kind = 'incident'
           AND started_at >= '2022-01-01' AND started_at < '2023-01-01'
         GROUP BY month ORDER BY month",
        &[("incidents", "INDEX incidents_by_vendor_time")],
    );
    assert_uses(
        &conn,
        "SELECT id, title FROM incident_durations
         WHERE vendor = 'github' AND kind = 'incident' AND duration_seconds > 3600
           AND started_at >= '2022-10-01' AND started_at < '2023-01-01'",
        &[("incidents", "INDEX incidents_by_vendor_time")],
    );
    // `export --vendor V --until T`, and `export --until T` across vendors (export sorts the
    // selected ids by time itself).
    assert_uses(
        &conn,
        "SELECT id, started_at FROM incidents
         WHERE vendor IN ('github') AND started_at < '2023-01-01'",
        &[("incidents", "INDEX incidents_by_vendor_time")],
    );
    assert_uses(
        &conn,
        "SELECT id, started_at FROM incidents WHERE started_at < '2023-01-01'",
        &[("incidents", "INDEX incidents_by_time")],
    );
}

#[test]
fn active_incidents_are_read_from_the_open_incidents_index() {
    let (_dir, conn) = database();
    // Recipe 1, recipe 10 and `export --active`.
    assert_uses(
        &conn,
        "SELECT vendor, id, title, status, impact, started_at FROM active_incidents
         ORDER BY started_at",
        &[("incidents", "INDEX incidents_open")],
    );
    assert_uses(
        &conn,
        "SELECT id, started_at FROM incidents WHERE 1 = 1 AND resolved_at IS NULL",
        &[("incidents", "INDEX incidents_open")],
    );
}

#[test]
fn questions_by_component_use_the_component_indexes() {
    let (_dir, conn) = database();
    // Recipe 9: incidents that affected a named component.
    assert_uses(
        &conn,
        "SELECT i.id, i.title FROM incident_components ic
         JOIN incidents i ON i.id = ic.incident_id
         WHERE i.vendor = 'github' AND ic.name = 'Codespaces'
         ORDER BY i.started_at DESC",
        &[
            ("i", "INDEX incidents_by_vendor_time"),
            ("ic", "COVERING INDEX incident_components_by_name"),
        ],
    );
    // Recipe 2: a vendor's components that are not operational.
    assert_uses(
        &conn,
        "SELECT group_name, name, status FROM latest_component_status
         WHERE vendor = 'github' AND status <> 'operational'",
        // The view reads components as `c`, each joined to its source (fail closed).
        &[
            ("c", "INDEX components_by_vendor"),
            ("s", "INDEX sqlite_autoindex_sources_1"),
        ],
    );
    // A component's status history.
    assert_uses(
        &conn,
        "SELECT status, changed_at FROM component_status_changes
         WHERE component_id = 'github/8l4ygp009s5s' ORDER BY changed_at",
        &[(
            "component_status_changes",
            "INDEX component_changes_by_component",
        )],
    );
    // Recipes 7 and 8: one incident's timeline and the component statuses it announced.
    assert_uses(
        &conn,
        "SELECT u.posted_at, c.name, c.status FROM update_components c
         JOIN incident_updates u ON u.id = c.update_id
         WHERE u.incident_id = 'github/ljwdk6qml8z8' ORDER BY u.posted_at, c.position",
        &[
            ("u", "INDEX incident_updates_by_incident"),
            ("c", "PRIMARY KEY"),
        ],
    );
}

#[test]
fn ingest_lookups_per_source_use_indexes() {
    let (_dir, conn) = database();
    // An unchanged source marks what it showed as seen again.
    assert_uses(
        &conn,
        "UPDATE components SET last_seen_at = '2026-01-01T00:00:00.000Z'
         WHERE source_id = 'gh' AND last_seen_at = '2025-01-01T00:00:00.000Z'",
        &[("components", "INDEX components_by_source")],
    );
    assert_uses(
        &conn,
        "UPDATE incident_sources SET last_seen_at = '2026-01-01T00:00:00.000Z'
         WHERE source_id = 'gh' AND last_seen_at = '2025-01-01T00:00:00.000Z'",
        &[("incident_sources", "INDEX incident_sources_by_source")],
    );
    // Identity: the incidents a page's ids and aliases already belong to.
    assert_uses(
        &conn,
        "SELECT alias, incident_id FROM incident_aliases
         WHERE vendor = 'github' AND alias IN ('ljwdk6qml8z8', 'x')",
        &[("incident_aliases", "PRIMARY KEY")],
    );
    // Identity: the title rule's candidates for an incident no key names (any record, or
    // for an observation with an id only records made from a fingerprint).
    assert_uses(
        &conn,
        "SELECT id FROM incidents WHERE vendor = 'github' AND kind = 'incident'
           AND title_key = 'disruption with some github services'
         ORDER BY +started_at, id",
        &[("incidents", "INDEX incidents_by_title_key")],
    );
    assert_uses(
        &conn,
        "SELECT id FROM incidents WHERE vendor = 'github' AND kind = 'incident'
           AND title_key = 'disruption with some github services'
           AND substr(id, 1, length('github') + 4) = 'github' || '/fp-'
         ORDER BY +started_at, id",
        &[("incidents", "INDEX incidents_by_title_key")],
    );
}

#[test]
fn report_coverage_reads_fetches_and_incidents_through_indexes() {
    let (_dir, conn) = database();
    // What `statusdb report uptime` and `report sla` read of coverage (every source once):
    // a source's fetches only at its ends and after each failure, failures through the
    // partial index of failed fetches, its oldest incident through the vendor and time index.
    let lines = plan(
        &conn,
        "SELECT vendor, known_from, known_until FROM vendor_coverage",
    );
    for expected in [
        "SCAN f USING COVERING INDEX fetches_failed",
        "SEARCH g USING INDEX fetches_by_source (source_id=? AND fetched_at>?)",
        "SEARCH f USING COVERING INDEX fetches_by_source (source_id=?)",
        "SEARCH i USING INDEX incidents_by_vendor_time (vendor=? AND started_at>?)",
        "SEARCH x EXISTS USING COVERING INDEX incident_sources_by_source (source_id=? AND incident_id=?)",
    ] {
        assert!(
            lines.iter().any(|l| l == expected),
            "`{expected}` missing from\n{lines:#?}"
        );
    }
    // fetches (f, g), incidents (i) and incident_sources (x) are never read whole.
    for l in &lines {
        for alias in ["f", "g", "i", "x"] {
            assert_ne!(l, &format!("SCAN {alias}"), "{lines:#?}");
        }
    }
    // A report for some vendors reads their incidents by vendor.
    assert_uses(
        &conn,
        "SELECT id, kind, resolved_at FROM incidents WHERE 1 = 1 AND vendor IN ('github')",
        &[("incidents", "INDEX incidents_by_title_key")],
    );
}
