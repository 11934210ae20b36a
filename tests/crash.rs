//! Crash safety: `ingest` killed with SIGKILL at 20 different moments of a run over many
//! sources leaves, each time, a database that passes `PRAGMA integrity_check` and holds for
//! each source either all of that run's changes or none of them.

use statusdb_testkit::*;
use std::path::Path;
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// A source, what it serves, and what a complete run stores for it (read from the fixture).
struct Planned {
    id: String,
    incidents: i64,
    updates: i64,
    components: i64,
}

const SOURCES: usize = 24;

/// 24 sources on one loopback server: two serve all 771 GitHub incidents (1673 updates; slow
/// to apply, so kills land inside their transactions), the others a small document after a
/// short delay, so the run's writes spread over its length.
fn serve(server: &TestServer) -> Vec<Planned> {
    let mut planned = Vec::new();
    for i in 0..SOURCES {
        let id = format!("s{i:02}");
        let path = format!("/{id}/api/v2/incidents.json");
        let delay = Duration::from_millis(30 * (i as u64 % 5));
        let (file, incidents, updates, components) = match i % 12 {
            5 => ("statuspage/github-incidents-all.json", 771, 1673, 0),
            1 | 3 | 8 => ("statuspage/summary-with-groups.from-docs.json", 2, 3, 3),
            _ => ("statuspage/github-incident-f0mhbz9xn497.json", 1, 30, 0),
        };
        server.route(&path, Route::ok(fixture(file)).delayed(delay));
        planned.push(Planned {
            id,
            incidents,
            updates,
            components,
        });
    }
    planned
}

fn config(dir: &Path, server: &TestServer, planned: &[Planned]) -> std::path::PathBuf {
    let urls: Vec<String> = planned
        .iter()
        .map(|p| server.url(&format!("/{}/api/v2/incidents.json", p.id)))
        .collect();
    let sources: Vec<SourceSpec<'_>> = planned
        .iter()
        .zip(&urls)
        .map(|(p, url)| SourceSpec::new(&p.id, &p.id, "statuspage", url.clone()))
        .collect();
    write_config_with(dir, "concurrency = 4\ntimeout = \"10s\"\n", &sources)
}

/// Checks the database after a kill and returns how many sources are complete.
fn check_all_or_nothing(db: &Path, planned: &[Planned], moment: Duration) -> usize {
    if !db.exists() {
        return 0;
    }
    let conn = rusqlite::Connection::open(db).unwrap();
    let integrity: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(integrity, vec!["ok"], "killed at {moment:?}");
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    if version == 0 {
        // Killed before the first migration committed: an empty database.
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
            .unwrap();
        assert_eq!(tables, 0, "killed at {moment:?}: half a migration");
        return 0;
    }
    let violations: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(violations, 0, "killed at {moment:?}");
    let count = |sql: &str, id: &str| -> i64 {
        match conn.query_row(sql, [id], |r| r.get(0)) {
            Ok(n) => n,
            // Killed before this migration's tables existed.
            Err(rusqlite::Error::SqliteFailure(..)) => 0,
            Err(e) => panic!("{e}"),
        }
    };
    let mut complete = 0;
    for p in planned {
        // A run that follows a completed one finds the page unchanged (304): the parsed fetch
        // is the one that brought the records.
        let fetches = count(
            "SELECT count(*) FROM fetches WHERE source_id = ?1 AND outcome = 'parsed'",
            &p.id,
        );
        let success = count(
            "SELECT count(*) FROM sources WHERE id = ?1 AND last_success_at IS NOT NULL",
            &p.id,
        );
        let incidents = count("SELECT count(*) FROM incidents WHERE vendor = ?1", &p.id);
        let updates = count(
            "SELECT count(*) FROM incident_updates u JOIN incidents i ON i.id = u.incident_id
             WHERE i.vendor = ?1",
            &p.id,
        );
        let components = count("SELECT count(*) FROM components WHERE vendor = ?1", &p.id);
        let raw = count(
            "SELECT count(*) FROM fetches f JOIN raw_pages r ON r.hash = f.raw_page_hash
             WHERE f.source_id = ?1",
            &p.id,
        );
        let got = (fetches, success, raw, incidents, updates, components);
        let all = (1, 1, 1, p.incidents, p.updates, p.components);
        assert!(
            got == (0, 0, 0, 0, 0, 0) || got == all,
            "killed at {moment:?}: source {} holds part of its run: \
             (fetches, success, raw pages, incidents, updates, components) = {got:?}, all = {all:?}",
            p.id
        );
        if got == all {
            complete += 1;
        }
    }
    complete
}

#[test]
fn sigkill_at_20_moments_leaves_each_source_all_or_nothing() {
    let server = TestServer::start();
    let planned = serve(&server);

    // One uninterrupted run gives the length of a run to spread the kills over.
    let reference = TempDir::new().unwrap();
    let config_path = config(reference.path(), &server, &planned);
    let start = Instant::now();
    let status = spawn_ingest(&config_path).wait().unwrap();
    let length = start.elapsed();
    assert!(status.success());
    assert_eq!(
        check_all_or_nothing(&reference.path().join("statusdb.sqlite"), &planned, length),
        SOURCES
    );

    let mut outcomes = Vec::new();
    for k in 0..20u32 {
        let dir = TempDir::new().unwrap();
        let config_path = config(dir.path(), &server, &planned);
        // From just after the start to just before the end of a run.
        let moment = length.mul_f64((f64::from(k) + 0.5) / 20.0);
        let mut child = spawn_ingest(&config_path);
        std::thread::sleep(moment);
        let _ = child.kill(); // SIGKILL; it may have finished already.
        let status = child.wait().unwrap();
        let db = dir.path().join("statusdb.sqlite");
        let complete = check_all_or_nothing(&db, &planned, moment);
        outcomes.push((moment, status.code(), complete));

        // The killed run leaves the lock free and the database usable: a new run completes it.
        if k % 10 == 9 {
            let status = spawn_ingest(&config_path).wait().unwrap();
            assert!(status.success(), "ingest after a kill at {moment:?}");
            assert_eq!(check_all_or_nothing(&db, &planned, moment), SOURCES);
        }
    }
    eprintln!("run length {length:?}; (moment, exit code, complete sources): {outcomes:?}");
    // The kills really fell inside runs: some stopped a run part way.
    let part_way = outcomes
        .iter()
        .filter(|(_, code, complete)| code.is_none() && *complete > 0 && *complete < SOURCES)
        .count();
    assert!(
        part_way >= 5,
        "too few kills landed mid-run (run length {length:?}): {outcomes:?}"
    );
}
