//! How runs behave around each other and around bad local input: overlapping runs and the
//! lock, per-source backoff under `ingest --due`, politeness per host, and a bad config or
//! database path refused with exit 2 and nothing written.

use statusdb_testkit::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tempfile::TempDir;

const PAGE: &str = "/a/api/v2/summary.json";

fn one_source_config(dir: &Path, server: &TestServer, fetch: &str) -> PathBuf {
    write_config_with(
        dir,
        fetch,
        &[SourceSpec::new("a", "a", "statuspage", server.url(PAGE))],
    )
}

/// Waits until the server has seen a request for `path`: the run holding the lock is fetching.
fn wait_for_request(server: &TestServer, path: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while server.hits(path) == 0 {
        assert!(Instant::now() < deadline, "ingest never fetched {path}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_second_ingest_while_a_real_one_runs_exits_75_at_once() {
    let server = TestServer::start();
    // The first run spends 3 s on its page.
    server.route(
        PAGE,
        Route::ok(fixture("statuspage/summary-with-groups.from-docs.json"))
            .delayed(Duration::from_secs(3)),
    );
    let dir = TempDir::new().unwrap();
    let config = one_source_config(dir.path(), &server, "timeout = \"10s\"\n");
    let mut first = spawn_ingest(&config);
    wait_for_request(&server, PAGE);

    let start = Instant::now();
    let out = ingest_output(&config, &[]);
    assert_eq!(out.status.code(), Some(75));
    assert!(start.elapsed() < Duration::from_secs(2), "does not wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "another statusdb run holds the lock {}",
            dir.path().join("statusdb.sqlite.lock").display()
        )),
        "{stderr}"
    );
    assert_eq!(server.hits(PAGE), 1, "the second run fetched nothing");

    // The first run finishes undisturbed.
    assert_eq!(first.wait().unwrap().code(), Some(0));
    let db = dir.path().join("statusdb.sqlite");
    assert_eq!(sql_count(&db, "SELECT count(*) FROM runs"), 1);
    assert_eq!(
        sql_count(&db, "SELECT count(*) FROM incidents WHERE vendor = 'a'"),
        2
    );
}

#[test]
fn the_lock_is_free_again_when_the_holder_is_killed() {
    let server = TestServer::start();
    server.route(
        PAGE,
        Route::ok(fixture("statuspage/summary-with-groups.from-docs.json"))
            .delayed(Duration::from_secs(30)),
    );
    let dir = TempDir::new().unwrap();
    let config = one_source_config(dir.path(), &server, "timeout = \"60s\"\n");
    let mut first = spawn_ingest(&config);
    wait_for_request(&server, PAGE);
    assert_eq!(ingest_output(&config, &[]).status.code(), Some(75));
    first.kill().unwrap(); // SIGKILL: no destructor runs, the OS drops the lock.
    first.wait().unwrap();

    server.route(
        PAGE,
        Route::ok(fixture("statuspage/summary-with-groups.from-docs.json")),
    );
    let out = ingest_output(&config, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        sql_count(
            &dir.path().join("statusdb.sqlite"),
            "SELECT count(*) FROM incidents WHERE vendor = 'a'"
        ),
        2
    );
}

/// `ingest --due` leaves a failing source alone for its interval doubled per failure in a row
/// (capped at 6 h, see `schedule::failure_backoff`), and back to its interval after a success.
#[test]
fn a_failing_source_backs_off_and_recovers() {
    let server = TestServer::start();
    server.route(PAGE, Route::status(404, "Not Found"));
    let dir = TempDir::new().unwrap();
    let config = one_source_config(dir.path(), &server, FAST_FETCH); // interval 1m
    let db = dir.path().join("statusdb.sqlite");
    let wait_minutes = || -> (i64, f64) {
        let row = sql_strings(
            &db,
            "SELECT consecutive_failures || ' ' ||
                    ((julianday(next_due_at) - julianday(last_attempt_at)) * 1440)
             FROM sources WHERE id = 'a'",
        );
        let mut parts = row[0].split(' ');
        let failures = parts.next().unwrap().parse().unwrap();
        let minutes: f64 = parts.next().unwrap().parse().unwrap();
        (failures, (minutes * 1000.0).round() / 1000.0)
    };
    for (failures, minutes) in [(1, 2.0), (2, 4.0), (3, 8.0), (4, 16.0)] {
        assert_eq!(ingest_output(&config, &[]).status.code(), Some(1));
        assert_eq!(wait_minutes(), (failures, minutes));
    }
    // Not due yet: `--due` fetches nothing and records nothing.
    let fetches = sql_count(&db, "SELECT count(*) FROM fetches");
    statusdb()
        .args(["ingest", "--due", "--config"])
        .arg(&config)
        .assert()
        .code(0);
    assert_eq!(server.hits(PAGE), 4);
    assert_eq!(sql_count(&db, "SELECT count(*) FROM fetches"), fetches);

    // Once the backoff has passed, `--due` tries again; a success restores the interval.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "UPDATE sources SET next_due_at = '2000-01-01T00:00:00.000Z'",
            [],
        )
        .unwrap();
    server.route(
        PAGE,
        Route::ok(fixture("statuspage/summary-with-groups.from-docs.json")),
    );
    statusdb()
        .args(["ingest", "--due", "--config"])
        .arg(&config)
        .assert()
        .code(0);
    assert_eq!(server.hits(PAGE), 5);
    assert_eq!(wait_minutes(), (0, 1.0));
}

#[test]
fn many_sources_on_one_host_are_fetched_at_most_per_host_concurrency_at_once() {
    let server = TestServer::start();
    let ids: Vec<String> = (0..6).map(|i| format!("p{i}")).collect();
    let urls: Vec<String> = ids
        .iter()
        .map(|id| {
            let path = format!("/{id}/api/v2/incidents/x.json");
            server.route(
                &path,
                Route::ok(fixture("statuspage/github-incident-f0mhbz9xn497.json"))
                    .delayed(Duration::from_millis(300)),
            );
            server.url(&path)
        })
        .collect();
    let sources: Vec<SourceSpec<'_>> = ids
        .iter()
        .zip(&urls)
        .map(|(id, url)| SourceSpec::new(id, id, "statuspage", url.clone()))
        .collect();
    let dir = TempDir::new().unwrap();
    let config = write_config_with(
        dir.path(),
        "concurrency = 16\nper_host_concurrency = 2\ntimeout = \"10s\"\n",
        &sources,
    );
    let start = Instant::now();
    statusdb()
        .arg("ingest")
        .arg("--config")
        .arg(&config)
        .assert()
        .code(0);
    assert_eq!(server.max_in_flight(), 2);
    // Six 300 ms answers two at a time: at least three rounds.
    assert!(start.elapsed() >= Duration::from_millis(900));
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(snapshot(&path));
        } else {
            files.insert(path.clone(), std::fs::read(&path).unwrap());
        }
    }
    files
}

/// Runs a command that must fail with exit 2 and `message` on stderr, writing nothing in `dir`.
fn assert_refused(dir: &Path, args: &[&str], config: &Path, message: &str) {
    let before = snapshot(dir);
    let out = statusdb()
        .args(args)
        .arg("--config")
        .arg(config)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(
        stderr.contains(message),
        "{args:?}: stderr {stderr:?} lacks {message:?}"
    );
    assert!(
        snapshot(dir) == before,
        "{args:?} wrote to {}",
        dir.display()
    );
}

#[test]
fn a_missing_unreadable_or_malformed_config_is_refused() {
    let dir = TempDir::new().unwrap();
    let missing = dir.path().join("missing.toml");
    assert_refused(
        dir.path(),
        &["ingest"],
        &missing,
        &format!("{}: cannot read config", missing.display()),
    );
    // A directory where the file should be: unreadable as a config.
    let directory = dir.path().join("conf.d");
    std::fs::create_dir(&directory).unwrap();
    assert_refused(
        dir.path(),
        &["ingest"],
        &directory,
        &format!("{}: cannot read config", directory.display()),
    );
    let not_utf8 = dir.path().join("latin1.toml");
    std::fs::write(&not_utf8, b"[database]\npath = \"caf\xE9.sqlite\"\n").unwrap();
    assert_refused(dir.path(), &["ingest"], &not_utf8, "cannot read config");
    let malformed = dir.path().join("malformed.toml");
    std::fs::write(
        &malformed,
        "[database]\npath = \"x.sqlite\"\n[[sources]\nid = \"a\"\n",
    )
    .unwrap();
    assert_refused(
        dir.path(),
        &["ingest"],
        &malformed,
        &format!("{}:3:", malformed.display()),
    );
    let bad_value = dir.path().join("bad-value.toml");
    std::fs::write(&bad_value, "[fetch]\nattempts = 0\n").unwrap();
    assert_refused(
        dir.path(),
        &["ingest"],
        &bad_value,
        &format!(
            "{}:2:12: attempts must be 1 to 20, not 0",
            bad_value.display()
        ),
    );
    let file_urls_off = dir.path().join("no-files.toml");
    std::fs::write(
        &file_urls_off,
        "[fetch]\nallow_file_urls = false\n\n[[sources]]\nid = \"a\"\nvendor = \"a\"\n\
         kind = \"statuspage\"\nurl = \"file:///srv/pages/a.json\"\n",
    )
    .unwrap();
    assert_refused(
        dir.path(),
        &["ingest"],
        &file_urls_off,
        "8:7: file URLs are not allowed: [fetch] allow_file_urls = false",
    );
}

#[test]
fn a_database_in_a_missing_directory_is_refused() {
    let dir = TempDir::new().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "[database]\npath = \"no/such/dir/statusdb.sqlite\"\n",
    )
    .unwrap();
    assert_refused(
        dir.path(),
        &["ingest"],
        &config,
        &format!(
            "directory {} does not exist",
            dir.path().join("no/such/dir").display()
        ),
    );
    assert!(!dir.path().join("no").exists());
}

/// A database made by a good run, then spoiled by `spoil`, is refused as `message` says by
/// `commands`, and left byte for byte as it was, with no file added.
fn assert_database_refused(spoil: impl Fn(&Path), message: &str, commands: &[&[&str]]) -> TempDir {
    let dir = TempDir::new().unwrap();
    let config = write_config(
        dir.path(),
        &[SourceSpec::new(
            "docs",
            "docs",
            "statuspage",
            format!(
                "file://{}",
                fixtures_dir()
                    .join("statuspage/summary-with-groups.from-docs.json")
                    .display()
            ),
        )],
    );
    statusdb()
        .arg("ingest")
        .arg("--config")
        .arg(&config)
        .assert()
        .code(0);
    std::fs::remove_file(dir.path().join("statusdb.sqlite.lock")).unwrap();
    let db = dir.path().join("statusdb.sqlite");
    spoil(&db);
    for command in commands {
        assert_refused(dir.path(), command, &config, message);
    }
    dir
}

const ALL_COMMANDS: &[&[&str]] = &[&["ingest"], &["export"], &["query", "incidents"]];

#[test]
fn a_read_only_database_is_refused_by_ingest_and_still_exported() {
    let dir = assert_database_refused(
        |db| {
            let mut permissions = std::fs::metadata(db).unwrap().permissions();
            permissions.set_readonly(true);
            std::fs::set_permissions(db, permissions).unwrap();
        },
        "the file is read-only",
        &[&["ingest"]],
    );
    // Reading a read-only database is fine, and writes nothing to it.
    let db = dir.path().join("statusdb.sqlite");
    let bytes = std::fs::read(&db).unwrap();
    let doc = export_json(&dir.path().join("config.toml"));
    assert_eq!(doc["incidents"].as_array().unwrap().len(), 2);
    assert_eq!(std::fs::read(&db).unwrap(), bytes);
}

#[test]
fn a_database_from_a_newer_statusdb_is_refused() {
    let newer = statusdb::store::schema::SCHEMA_VERSION + 1;
    assert_database_refused(
        |db| {
            rusqlite::Connection::open(db)
                .unwrap()
                .pragma_update(None, "user_version", newer)
                .unwrap();
        },
        &format!(
            "has schema version {newer}, newer than this statusdb supports ({}); upgrade statusdb",
            statusdb::store::schema::SCHEMA_VERSION
        ),
        ALL_COMMANDS,
    );
}

#[test]
fn a_file_that_is_not_a_database_is_refused() {
    assert_database_refused(
        |db| std::fs::write(db, "id,status\ngithub,operational\n").unwrap(),
        "not a SQLite database",
        ALL_COMMANDS,
    );
}
