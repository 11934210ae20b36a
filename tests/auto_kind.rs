//! `kind = "auto"` over loopback HTTP: `check-config --probe` names each auto source's kind
//! with its evidence, `ingest` stores the kind it probed and reuses it, and a page nothing
//! recognises fails loudly. Also `statusdb parse --kind auto` on single documents.

mod common;

use common::*;
use serde_json::Value;
use tempfile::TempDir;

/// Three Statuspage pages and one that is not: `/gh/` serves all three Statuspage views,
/// `/feedonly/` only `history.atom`, `/htmlonly/` only its home page, `/nothing/` plain text.
fn serve_pages(server: &TestServer) {
    let summary = fixture("statuspage/github-summary-2022-11-25.json");
    server.serve("/gh/api/v2/summary.json", summary.clone());
    server.serve("/gh/api/v2/incidents.json", summary);
    server.route(
        "/gh/history.atom",
        Route::ok(fixture("statuspage/github-history-2022-06-11.atom"))
            .content_type("application/atom+xml"),
    );
    server.route(
        "/gh/",
        Route::ok(fixture("statuspage/python-home.html")).content_type("text/html"),
    );
    server.route(
        "/feedonly/history.atom",
        Route::ok(fixture(
            "statuspage/github-history-series/20230114T042413Z.atom",
        ))
        .content_type("application/atom+xml"),
    );
    server.route(
        "/htmlonly/",
        Route::ok(fixture("statuspage/zoom-home-pst.html")).content_type("text/html"),
    );
    server.route(
        "/nothing/",
        Route::ok(b"All good here.".to_vec()).content_type("text/plain"),
    );
}

fn config(dir: &std::path::Path, server: &TestServer) -> std::path::PathBuf {
    write_config(
        dir,
        &[
            SourceSpec::new("gh", "github", "auto", server.url("/gh/")),
            SourceSpec::new("feedonly", "github-feed", "auto", server.url("/feedonly/")),
            SourceSpec::new("htmlonly", "zoom", "auto", server.url("/htmlonly/")),
            SourceSpec::new("nothing", "nobody", "auto", server.url("/nothing/")),
            SourceSpec::new(
                "fixed",
                "github-fixed",
                "statuspage-feed",
                server.url("/gh/history.atom"),
            ),
            // The URL of one document is judged as it is by every kind.
            SourceSpec::new(
                "feedurl",
                "github-feedurl",
                "auto",
                server.url("/gh/history.atom"),
            ),
        ],
    )
}

#[test]
fn check_config_probe_names_each_auto_sources_kind_and_why() {
    let server = TestServer::start();
    serve_pages(&server);
    let dir = TempDir::new().unwrap();
    let config = config(dir.path(), &server);
    let out = statusdb()
        .args(["check-config", "--probe", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "one auto source resolves to nothing"
    );
    let u = |path: &str| server.url(path);
    let expected = format!(
        "{config}: 6 sources, database {db}\n\
         gh: auto -> statuspage (statuspage: Strong at {gh_json}; statuspage-feed: Strong at {gh_feed}; statuspage-html: Strong at {gh_home})\n\
         feedonly: auto -> statuspage-feed (statuspage: No at {f_json} (HTTP 404 from {f_json}); statuspage-feed: Strong at {f_feed}; statuspage-html: No at {f_home} (HTTP 404 from {f_home}))\n\
         htmlonly: auto -> statuspage-html (statuspage: No at {h_json} (HTTP 404 from {h_json}); statuspage-feed: No at {h_feed} (HTTP 404 from {h_feed}); statuspage-html: Strong at {h_home})\n\
         nothing: auto -> unresolved: no known kind recognises the page (tried statuspage at {n_json} (HTTP 404 from {n_json}); statuspage-feed at {n_feed} (HTTP 404 from {n_feed}); statuspage-html at {n_home})\n\
         feedurl: auto -> statuspage-feed (statuspage: No at {gh_feed}; statuspage-feed: Strong at {gh_feed}; statuspage-html: No at {gh_feed})\n",
        config = config.display(),
        db = dir.path().join("statusdb.sqlite").display(),
        gh_json = u("/gh/api/v2/summary.json"),
        gh_feed = u("/gh/history.atom"),
        gh_home = u("/gh/"),
        f_json = u("/feedonly/api/v2/summary.json"),
        f_feed = u("/feedonly/history.atom"),
        f_home = u("/feedonly/"),
        h_json = u("/htmlonly/api/v2/summary.json"),
        h_feed = u("/htmlonly/history.atom"),
        h_home = u("/htmlonly/"),
        n_json = u("/nothing/api/v2/summary.json"),
        n_feed = u("/nothing/history.atom"),
        n_home = u("/nothing/"),
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
}

#[test]
fn ingest_stores_the_probed_kind_reuses_it_and_probes_again_after_a_failure() {
    let server = TestServer::start();
    serve_pages(&server);
    let dir = TempDir::new().unwrap();
    let config = config(dir.path(), &server);
    let db = dir.path().join("statusdb.sqlite");
    let run = || {
        statusdb()
            .arg("ingest")
            .arg("--config")
            .arg(&config)
            .output()
            .unwrap()
    };
    let first = run();
    assert_eq!(
        first.status.code(),
        Some(1),
        "the unrecognised source fails"
    );
    assert!(
        String::from_utf8_lossy(&first.stderr).contains("kind auto for http://127.0.0.1:"),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let resolved = |db: &std::path::Path| {
        sql_strings(
            db,
            "SELECT id || ' ' || kind || ' ' || coalesce(resolved_kind, '-') FROM sources ORDER BY id",
        )
    };
    assert_eq!(
        resolved(&db),
        vec![
            "feedonly auto statuspage-feed",
            "feedurl auto statuspage-feed",
            "fixed statuspage-feed -",
            "gh auto statuspage",
            "htmlonly auto statuspage-html",
            "nothing auto -",
        ]
    );
    assert_eq!(
        sql_strings(&db, "SELECT resolved_url FROM sources WHERE id = 'gh'"),
        vec![server.url("/gh/")]
    );
    // What each resolved source read, with the kind chosen.
    assert_eq!(
        sql_count(
            &db,
            "SELECT count(*) FROM incidents WHERE vendor = 'github'"
        ),
        1,
        "the summary's one incident, read as JSON"
    );
    assert_eq!(
        sql_count(
            &db,
            "SELECT count(*) FROM incidents WHERE vendor = 'github-feed'"
        ),
        25
    );
    assert_eq!(
        sql_count(&db, "SELECT count(*) FROM incidents WHERE vendor = 'zoom'"),
        6
    );
    assert_eq!(
        sql_count(&db, "SELECT count(*) FROM components WHERE vendor = 'zoom'"),
        18
    );
    assert_eq!(server.hits("/gh/"), 1);
    assert_eq!(
        server.hits("/feedonly/history.atom"),
        2,
        "probed, then read"
    );
    // `statusdb sources` shows the kind each auto source resolved to.
    let out = statusdb()
        .args(["sources", "--format", "json", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let kinds: Vec<(String, String, String)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_string(),
                s["kind"].as_str().unwrap().to_string(),
                s["resolved_kind"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect();
    let t = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
    assert_eq!(
        kinds,
        vec![
            t("gh", "auto", "statuspage"),
            t("feedonly", "auto", "statuspage-feed"),
            t("htmlonly", "auto", "statuspage-html"),
            t("nothing", "auto", "-"),
            t("fixed", "statuspage-feed", "-"),
            t("feedurl", "auto", "statuspage-feed"),
        ]
    );

    // The stored kinds are used: no probe the second time.
    assert_eq!(run().status.code(), Some(1));
    assert_eq!(server.hits("/gh/"), 1);
    assert_eq!(
        server.hits("/gh/history.atom"),
        6,
        "two probes (gh, feedurl) in the first run, then fixed and feedurl reading it twice"
    );
    assert_eq!(server.hits("/htmlonly/api/v2/summary.json"), 1);

    // A page that stops being what its kind reads fails the source and clears its kind.
    server.route("/htmlonly/", Route::ok(b"{\"moved\": true}".to_vec()));
    assert_eq!(run().status.code(), Some(1));
    assert_eq!(
        sql_strings(
            &db,
            "SELECT coalesce(resolved_kind, '-') FROM sources WHERE id = 'htmlonly'"
        ),
        vec!["-"]
    );
    assert_eq!(
        sql_strings(&db, "SELECT last_error FROM sources WHERE id = 'htmlonly'"),
        vec![format!(
            "{}: not a statuspage-html page: no Statuspage home, incident or history markup \
             (looked for .components-container, .incidents-list, .unresolved-incidents, \
             .page-status, .incident-updates-container, [data-react-class=HistoryIndex])",
            server.url("/htmlonly/")
        )]
    );
    // The records it had stay.
    assert_eq!(
        sql_count(&db, "SELECT count(*) FROM incidents WHERE vendor = 'zoom'"),
        6
    );
}

#[test]
fn parse_kind_auto_reads_each_view_as_its_kind() {
    for (file, kind) in [
        ("statuspage/github-summary-2022-11-25.json", "statuspage"),
        ("statuspage/parse-history-2014-01.rss", "statuspage-feed"),
        ("statuspage/fastly-home-2021-01.html", "statuspage-html"),
        (
            "statuspage/github-history.from-docs.html",
            "statuspage-html",
        ),
    ] {
        let auto: Value = parse_fixture("auto", file, &[]);
        let fixed: Value = parse_fixture(kind, file, &[]);
        assert_eq!(auto, fixed, "{file} as {kind}");
    }
    let dir = TempDir::new().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "All good here.").unwrap();
    let out = statusdb()
        .args(["parse", "--kind", "auto"])
        .arg(&text)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "not a recognised page: no known kind recognises the page (tried statuspage at file://"
        ),
        "{stderr}"
    );
}
