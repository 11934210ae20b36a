//! `kind = "auto"` over loopback HTTP: `check-config --probe` names each auto source's kind
//! with its evidence, `ingest` stores the kind it probed and reuses it, and a page nothing
//! recognises fails loudly. Also `statusdb parse --kind auto` on single documents.

use serde_json::Value;
use statusdb::providers::Kind;
use statusdb_testkit::*;
use tempfile::TempDir;

/// Kinds' names as `auto` lists them.
fn names<'a>(kinds: impl Iterator<Item = &'a Kind>) -> String {
    kinds.map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
}

/// Three Statuspage pages and one that is not: `/gh/` serves all three Statuspage views,
/// `/feedonly/` only `history.atom`, `/htmlonly/` only its home page, `/nothing/` plain text.
fn serve_pages(server: &TestServer) {
    let summary = fixture("statuspage/github-summary-2022-11-25.json");
    server.serve("/gh/api/v2/summary.json", summary.clone());
    server.serve("/gh/api/v2/incidents.json", summary);
    server.route(
        "/gh/history.atom",
        Route::fixture("statuspage/github-history-2022-06-11.atom"),
    );
    server.route("/gh/", Route::fixture("statuspage/python-home.html"));
    server.route(
        "/feedonly/history.atom",
        Route::ok(fixture(
            "statuspage/github-history-series/20230114T042413Z.atom",
        ))
        .content_type("application/atom+xml"),
    );
    server.route(
        "/htmlonly/",
        Route::fixture("statuspage/zoom-home-pst.html"),
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
    // A document the test server does not serve, and the kinds that tried it.
    let missing = |kinds: &str, path: &str| {
        let url = u(path);
        format!("{kinds}: No at {url} (HTTP 404 from {url})")
    };
    // What the registry says each format kind reads first under a base path. Statuspage's
    // three views read the summary, the feed and the page; the page itself is also the first
    // document of `page_kinds`; each kind of `others` reads a document of its own, which none
    // of these pages has (in the order the kinds come in `Kind::FORMATS`).
    let first = |kind: Kind, base: &str| {
        let url = url::Url::parse(&u(base)).unwrap();
        let document = kind.endpoints(&url).swap_remove(0).url;
        document.as_str()[url.as_str().len()..].to_string()
    };
    let statuspage_documents = ["api/v2/summary.json", "history.atom", ""];
    let page_kinds = names(
        Kind::FORMATS
            .iter()
            .filter(|&&k| k != Kind::StatuspageHtml && first(k, "/gh/").is_empty()),
    );
    let own: Vec<(Kind, String)> = Kind::FORMATS
        .iter()
        .map(|&k| (k, first(k, "/gh/")))
        .filter(|(_, document)| !statuspage_documents.contains(&document.as_str()))
        .collect();
    let others = |base: &str, line: &dyn Fn(&str, &str) -> String| {
        own.iter()
            .map(|(kind, document)| line(kind.as_str(), &format!("{base}{document}")))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let expected = [
        format!(
            "{}: 6 sources, database {}",
            config.display(),
            dir.path().join("statusdb.sqlite").display()
        ),
        format!(
            "gh: auto -> statuspage (statuspage: Strong at {json}; incidentio: No at {json}; \
             statuspage-feed: Strong at {feed}; statuspage-html: Strong at {home}; \
             {page_kinds}: No at {home}; {others})",
            json = u("/gh/api/v2/summary.json"),
            feed = u("/gh/history.atom"),
            home = u("/gh/"),
            others = others("/gh/", &missing),
        ),
        format!(
            "feedonly: auto -> statuspage-feed ({}; statuspage-feed: Strong at {}; {}; {})",
            missing("statuspage, incidentio", "/feedonly/api/v2/summary.json"),
            u("/feedonly/history.atom"),
            missing(&format!("statuspage-html, {page_kinds}"), "/feedonly/"),
            others("/feedonly/", &missing),
        ),
        format!(
            "htmlonly: auto -> statuspage-html ({}; {}; statuspage-html: Strong at {home}; \
             {page_kinds}: No at {home}; {})",
            missing("statuspage, incidentio", "/htmlonly/api/v2/summary.json"),
            missing("statuspage-feed", "/htmlonly/history.atom"),
            others("/htmlonly/", &missing),
            home = u("/htmlonly/"),
        ),
        // The verdict in short, then every verdict weighed.
        format!(
            "nothing: auto -> unresolved: no known kind recognises the page ({} kinds tried on \
             {} documents, {} of which could not be read) ({}; {}; statuspage-html, \
             {page_kinds}: No at {}; {})",
            Kind::FORMATS.len(),
            statuspage_documents.len() + own.len(),
            statuspage_documents.len() + own.len() - 1,
            missing("statuspage, incidentio", "/nothing/api/v2/summary.json"),
            missing("statuspage-feed", "/nothing/history.atom"),
            u("/nothing/"),
            others("/nothing/", &missing),
        ),
        // The URL of one document: every kind judges that document; the plain feed kind fits
        // it too, but Statuspage's marks are the stronger evidence.
        format!(
            "feedurl: auto -> statuspage-feed (statuspage: No at {feed}; statuspage-feed: Strong \
             at {feed}; {rest}: No at {feed}; feed: Weak at {feed})",
            feed = u("/gh/history.atom"),
            rest =
                names(Kind::FORMATS.iter().filter(|k| {
                    ![Kind::Statuspage, Kind::StatuspageFeed, Kind::Feed].contains(k)
                })),
        ),
    ]
    .map(|line| line + "\n")
    .concat();
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
    // A probe that finds no kind fails with a cause of its own, in the fetch log and on the
    // source.
    assert_eq!(
        sql_strings(
            &db,
            "SELECT f.cause || ' ' || s.last_cause FROM fetches f JOIN sources s
             ON s.id = f.source_id WHERE f.source_id = 'nothing'"
        ),
        vec!["unrecognised unrecognised"]
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
        sql_strings(&db, "SELECT last_cause FROM sources WHERE id = 'htmlonly'"),
        vec!["wrong_format"]
    );
    assert_eq!(
        sql_strings(&db, "SELECT last_error FROM sources WHERE id = 'htmlonly'"),
        // The shape checks every body passes before its parser catch it first.
        vec![format!(
            "{}: not a statuspage-html page: JSON where an HTML page is expected \
             (served as \"application/json\")",
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
        (
            "incidentio/openai-summary-2026-09-29-two-incidents.reformatted.json",
            "incidentio",
        ),
        ("instatus/demo-history.from-docs.atom", "instatus"),
        ("cachet/demo-api-v1-incidents.json", "cachet"),
        ("gcp/incidents-2022-07.json", "gcp"),
        ("aws/currentevents-2026-03-trimmed.utf16le-bom.json", "aws"),
        (
            "slack/api-v2-current-2026-09-01-active.reformatted.json",
            "slack",
        ),
        ("salesforce/instance-CS96-status-2024-10.json", "salesforce"),
        ("aggregator/okta-o365-oin-2024-10.txt", "aggregator"),
    ] {
        // A fixed fetch time and zone, so that both runs read the page alike.
        let args = ["--fetched-at", "2026-11-28T12:00:00Z", "--zone", "UTC"];
        let auto: Value = parse_fixture("auto", file, &args);
        let fixed: Value = parse_fixture(kind, file, &args);
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
    // One short line: every format kind judged the one document.
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "statusdb: {}: no known kind recognises the page ({} kinds tried on 1 document)\n",
            text.display(),
            Kind::FORMATS.len()
        )
    );
}

/// Every kind's detector on real captures (and pages written from the formats): which kinds
/// recognise each, how surely, and the one `auto` picks. Read from the payloads: each is its
/// product's; a plain feed reader fits every feed; Instatus's history carries Statuspage's
/// update paragraphs but neither its Rails ids nor its `/incidents/<code>` links.
#[test]
fn detectors_recognise_each_products_documents_and_only_them() {
    use statusdb::providers::Confidence;
    use statusdb::providers::auto::{choose, detect_all};
    // (fixture, the verdicts above `No` in `Kind::FORMATS` order, the kind chosen)
    type Case = (&'static str, &'static [(Kind, Confidence)], Kind);
    let cases: &[Case] = &[
        (
            "statuspage/github-summary-2022-11-25.json",
            &[(Kind::Statuspage, Confidence::Strong)],
            Kind::Statuspage,
        ),
        (
            "incidentio/openai-summary-2026-10-09-operational.json",
            &[(Kind::Incidentio, Confidence::Strong)],
            Kind::Incidentio,
        ),
        (
            "incidentio/openai-feed.from-docs.atom",
            &[
                (Kind::Incidentio, Confidence::Strong),
                (Kind::Feed, Confidence::Weak),
            ],
            Kind::Incidentio,
        ),
        (
            "instatus/demo-summary-hasissues.json",
            &[(Kind::Instatus, Confidence::Strong)],
            Kind::Instatus,
        ),
        (
            "instatus/gcore-v3-components-trimmed.json",
            &[(Kind::Instatus, Confidence::Strong)],
            Kind::Instatus,
        ),
        (
            "instatus/demo-history.from-docs.atom",
            &[
                (Kind::StatuspageFeed, Confidence::Weak),
                (Kind::Instatus, Confidence::Strong),
                (Kind::Feed, Confidence::Weak),
            ],
            Kind::Instatus,
        ),
        (
            "betterstack/betterstack-index-2026-09-07-trimmed.json",
            &[(Kind::Betterstack, Confidence::Strong)],
            Kind::Betterstack,
        ),
        (
            "statusio/nintex-status.served-part.json",
            &[(Kind::Statusio, Confidence::Strong)],
            Kind::Statusio,
        ),
        (
            "cachet/demo-api-v1-components.json",
            &[(Kind::Cachet, Confidence::Strong)],
            Kind::Cachet,
        ),
        (
            "gcp/incidents-2022-07.json",
            &[(Kind::Gcp, Confidence::Strong)],
            Kind::Gcp,
        ),
        (
            "aws/legacy-data-2022.json",
            &[(Kind::Aws, Confidence::Weak)],
            Kind::Aws,
        ),
        (
            "aws/all-2026-08-18.rss",
            &[
                (Kind::Aws, Confidence::Strong),
                (Kind::Feed, Confidence::Weak),
            ],
            Kind::Aws,
        ),
        (
            "azure/status-feed-empty-2026-09-07.xml",
            &[
                (Kind::Azure, Confidence::Strong),
                (Kind::Feed, Confidence::Weak),
            ],
            Kind::Azure,
        ),
        (
            "slack/api-v2-history-2026-08-18-first5.reformatted.json",
            &[(Kind::Slack, Confidence::Strong)],
            Kind::Slack,
        ),
        (
            "okta/okta-trust-feed.from-docs.atom",
            &[
                (Kind::Okta, Confidence::Strong),
                (Kind::Feed, Confidence::Weak),
            ],
            Kind::Okta,
        ),
        (
            "salesforce/instance-POD114-status-2023-04.json",
            &[(Kind::Salesforce, Confidence::Strong)],
            Kind::Salesforce,
        ),
        (
            "aggregator/okta-o365-oin-2024-10.rendered-from-text.html",
            &[(Kind::Aggregator, Confidence::Strong)],
            Kind::Aggregator,
        ),
        (
            "statuspage/github-history-2022-06-11.atom",
            &[
                (Kind::StatuspageFeed, Confidence::Strong),
                (Kind::Feed, Confidence::Weak),
            ],
            Kind::StatuspageFeed,
        ),
        (
            "statuspage/python-home.html",
            &[(Kind::StatuspageHtml, Confidence::Strong)],
            Kind::StatuspageHtml,
        ),
    ];
    for (file, verdicts, chosen) in cases {
        let evidence = detect_all(file, &fixture(file));
        let recognised: Vec<(Kind, Confidence)> = evidence
            .iter()
            .filter(|e| e.confidence != Confidence::No)
            .map(|e| (e.kind, e.confidence))
            .collect();
        assert_eq!(recognised, *verdicts, "{file}");
        assert_eq!(choose(&evidence), Ok(*chosen), "{file}");
    }
    // Every format kind in the registry is found on a document of its own (the generic feed
    // kind, which only ever fits beside a product's feed, on a feed of no product).
    let feed_of_no_product = br#"<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">
        <id>urn:example:blog</id><title>Blog</title><updated>2024-01-01T00:00:00Z</updated>
        <entry><id>urn:example:1</id><title>Hello</title><updated>2024-01-01T00:00:00Z</updated>
        <link href="https://example.com/posts/1"/><content type="html">&lt;p&gt;Hi&lt;/p&gt;</content>
        </entry></feed>"#;
    let generic = detect_all("blog.atom", feed_of_no_product);
    assert_eq!(choose(&generic), Ok(Kind::Feed));
    for kind in Kind::FORMATS {
        assert!(
            *kind == Kind::Feed || cases.iter().any(|(_, _, chosen)| chosen == kind),
            "no document here is recognised as {kind}"
        );
    }
}

/// What fits two products is refused with both named: an empty JSON array (any array
/// document), a feed with Statuspage-like paragraphs but no Statuspage marks (the plain feed
/// kind fits it as well).
#[test]
fn auto_refuses_what_fits_two_products() {
    let dir = TempDir::new().unwrap();
    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, "[]").unwrap();
    let out = statusdb()
        .args(["parse", "--kind", "auto"])
        .arg(&empty)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "statusdb: {}: the page fits more than one product and statusdb will not guess \
             between them: gcp, aws, slack, salesforce (Weak); set the kind explicitly\n",
            empty.display()
        )
    );

    let feed = dir.path().join("history.atom");
    std::fs::write(
        &feed,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>https://status.example.com/history</id>
  <title>Example history</title>
  <updated>2024-01-01T00:31:40Z</updated>
  <entry>
    <id>https://status.example.com/posts/1</id>
    <link rel="alternate" href="https://status.example.com/posts/1"/>
    <title>Delayed notifications</title>
    <updated>2024-01-01T00:31:40Z</updated>
    <content type="html">&lt;p&gt;&lt;small&gt;Jan  1, 00:31 UTC&lt;/small&gt;&lt;br&gt;&lt;strong&gt;Resolved&lt;/strong&gt; - Delivered.&lt;/p&gt;</content>
  </entry>
</feed>"#,
    )
    .unwrap();
    let out = statusdb()
        .args(["parse", "--kind", "auto"])
        .arg(&feed)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "statusdb: {}: the page fits more than one product and statusdb will not guess \
             between them: statuspage-feed, feed (Weak); set the kind explicitly\n",
            feed.display()
        )
    );
}

/// `auto` over loopback for pages of other products: incident.io's Statuspage-compatible API
/// (read at the same `/api/v2/summary.json` as Statuspage's, told apart by its ULIDs) and an
/// Instatus page (its `/summary.json`). Each resolves to its product's kind, on the document
/// that carries the product's marks, and ingests as that kind.
#[test]
fn auto_finds_incident_io_and_instatus_pages_by_their_marks() {
    let server = TestServer::start();
    let summary = fixture("incidentio/openai-summary-2026-09-29-two-incidents.reformatted.json");
    server.serve("/oai/api/v2/summary.json", summary.clone());
    server.serve("/oai/api/v2/incidents.json", summary);
    server.serve(
        "/gc/summary.json",
        fixture("instatus/gcore-summary-2026-09-07-maintenances.json"),
    );
    server.serve(
        "/gc/v2/components.json",
        fixture("instatus/gcore-v3-components-trimmed.json"),
    );
    let dir = TempDir::new().unwrap();
    let config = write_config(
        dir.path(),
        &[
            SourceSpec::new("oai", "openai", "auto", server.url("/oai/")),
            SourceSpec::new("gc", "gcore", "auto", server.url("/gc/")),
        ],
    );
    let out = statusdb()
        .args(["check-config", "--probe", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Per source: the kind chosen and every verdict above `No`.
    let verdicts: Vec<(String, Vec<String>)> = stdout
        .lines()
        .skip(1)
        .map(|line| {
            let (head, evidence) = line.split_once(" (").unwrap();
            let found = evidence
                .trim_end_matches(')')
                .split("; ")
                .filter(|e| !e.contains(": No at "))
                .map(str::to_string)
                .collect();
            (head.to_string(), found)
        })
        .collect();
    assert_eq!(
        verdicts,
        vec![
            (
                "oai: auto -> incidentio".to_string(),
                vec![format!(
                    "incidentio: Strong at {}",
                    server.url("/oai/api/v2/summary.json")
                )]
            ),
            (
                "gc: auto -> instatus".to_string(),
                vec![format!(
                    "instatus: Strong at {}",
                    server.url("/gc/summary.json")
                )]
            ),
        ]
    );

    let db = dir.path().join("statusdb.sqlite");
    succeeds(statusdb().arg("ingest").arg("--config").arg(&config));
    assert_eq!(
        sql_strings(
            &db,
            "SELECT id || ' ' || coalesce(resolved_kind, '-') FROM sources ORDER BY id"
        ),
        vec!["gc instatus", "oai incidentio"]
    );
    // The summary's two incidents; Gcore's two maintenances and the components of its two
    // documents.
    assert_eq!(
        sql_count(
            &db,
            "SELECT count(*) FROM incidents WHERE vendor = 'openai'"
        ),
        2
    );
    assert_eq!(
        sql_count(&db, "SELECT count(*) FROM incidents WHERE vendor = 'gcore'"),
        2
    );
    assert_eq!(
        sql_count(
            &db,
            "SELECT count(*) FROM components WHERE vendor = 'gcore'"
        ),
        3
    );
}
