//! Whole-program benchmarks: the `statusdb` binary the way users run it, each figure printed
//! beside its limit (or the peer) and its target, measured side by side in one run.
//!
//! `cargo bench --bench program` runs every section; name sections to run fewer:
//! `cargo bench --bench program -- peer loopback`. Sections:
//!
//! - `parse`    every kind's parse beside its limit on the same bytes (`support/kinds.rs`:
//!   `serde_json::Value` for JSON, `scraper::Html::parse_document` for HTML, the feed library
//!   for feeds), on the fixtures and generated documents; statuspage at 10x bytes.
//! - `peer`     cold ingest of 40 file sources of the real GitHub incidents, statusdb vs
//!   `../shared/bench/peer_ingest.py` (set `STATUSDB_PEER` to another path).
//! - `loopback` cold and warm ingest of 2,000 generated sources served over loopback HTTP with
//!   a 50 ms delay per response, default concurrency (the per-host limit raised to it: the
//!   sources stand for distinct vendors' hosts but share one loopback server); peak memory.
//! - `files`    cold and warm ingest of generated file sources, and the same at 10x sources.
//! - `store`    a database of 1,000,000 updates built through the store, then more sources
//!   stored into it vs a plain batched INSERT of the same rows; export of 100,000 and
//!   1,000,000 updates with peak memory; `reparse` when the command exists.
//! - `uptime`   `report uptime --last 90d` over that database (built here when `store` does
//!   not run), as of a day after the workload's newest incident, so the window holds it all.
//!
//! `STATUSDB_BENCH_REPS` (default 3) sets the repetitions (the median is reported);
//! `STATUSDB_BENCH_QUICK=1` shrinks every workload to check the harness itself;
//! `STATUSDB_BENCH_KEEP=1` keeps the generated pages and databases (the path is printed);
//! `STATUSDB_BENCH_CONCURRENCY=N` runs the loopback section at another `[fetch] concurrency`;
//! `STATUSDB_BENCH_BIN=path` runs another build of `statusdb` (to compare two builds).

use statusdb_testkit as common;
use statusdb_testkit::{kinds, limits, workload};

use chrono::Utc;
use statusdb::handoff::SourceResult;
use statusdb::providers::{Kind, PageInput};
use statusdb::store::Store;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use workload::Shape;

const BIN: &str = env!("CARGO_BIN_EXE_statusdb");

/// The binary the whole-program sections run: this build's, or `STATUSDB_BENCH_BIN` (another
/// build, to compare two the same way).
fn binary() -> String {
    std::env::var("STATUSDB_BENCH_BIN").unwrap_or_else(|_| BIN.to_string())
}

/// One reported figure.
struct Row {
    measure: String,
    figure: String,
    against: String,
    ratio: String,
    target: String,
    met: Option<bool>,
}

struct Bench {
    reps: usize,
    quick: bool,
    /// `STATUSDB_BENCH_KEEP`: nothing generated is removed.
    keep: bool,
    rows: Vec<Row>,
    scratch: tempfile::TempDir,
}

/// Wall time and peak resident memory of one child process.
#[derive(Debug, Clone, Copy)]
struct Run {
    seconds: f64,
    peak_mb: Option<f64>,
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.total_cmp(b));
    if xs.is_empty() {
        return f64::NAN;
    }
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// Runs a command to completion under `/usr/bin/time` (for its peak RSS) and times it.
fn run(program: &str, args: &[&str], dir: &Path) -> Run {
    let rss_file = dir.join(".rss");
    let time = Path::new("/usr/bin/time");
    let mut cmd = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-f").arg("%M").arg("-o").arg(&rss_file).arg(program);
        c
    } else {
        Command::new(program)
    };
    cmd.args(args)
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let clock = Instant::now();
    let out = cmd.output().expect("spawn");
    let seconds = clock.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let peak_mb = std::fs::read_to_string(&rss_file)
        .ok()
        .and_then(|s| s.lines().last()?.trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0);
    let _ = std::fs::remove_file(&rss_file);
    Run { seconds, peak_mb }
}

fn statusdb(args: &[&str], dir: &Path) -> Run {
    run(&binary(), args, dir)
}

fn secs(s: f64) -> String {
    if s < 1.0 {
        format!("{:.0} ms", s * 1000.0)
    } else {
        format!("{s:.2} s")
    }
}

fn mb(m: Option<f64>) -> String {
    m.map(|m| format!("{m:.0} MB"))
        .unwrap_or_else(|| "?".into())
}

impl Bench {
    fn row(
        &mut self,
        measure: impl Into<String>,
        figure: impl Into<String>,
        against: impl Into<String>,
        ratio: impl Into<String>,
        target: impl Into<String>,
        met: Option<bool>,
    ) {
        let row = Row {
            measure: measure.into(),
            figure: figure.into(),
            against: against.into(),
            ratio: ratio.into(),
            target: target.into(),
            met,
        };
        eprintln!(
            "  {:<44} {:>12}  {:<28} {:>8}  {:<16} {}",
            row.measure,
            row.figure,
            row.against,
            row.ratio,
            row.target,
            verdict(row.met)
        );
        self.rows.push(row);
    }

    fn dir(&self, name: &str) -> PathBuf {
        let d = self.scratch.path().join(name);
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}

fn verdict(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "met",
        Some(false) => "NOT MET",
        None => "",
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let wanted = |s: &str| args.is_empty() || args.iter().any(|a| a == s);
    let quick = std::env::var("STATUSDB_BENCH_QUICK").is_ok_and(|v| v == "1");
    let reps = std::env::var("STATUSDB_BENCH_REPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if quick { 1 } else { 3 });
    let keep = std::env::var_os("STATUSDB_BENCH_KEEP").is_some();
    let mut bench = Bench {
        reps,
        quick,
        keep,
        rows: Vec::new(),
        scratch: tempfile::Builder::new()
            .prefix("statusdb-bench")
            .tempdir()
            .unwrap(),
    };
    if keep {
        eprintln!("keeping {}", bench.scratch.path().display());
        bench.scratch.disable_cleanup(true);
    }
    let started = Instant::now();
    let load_before = load_average();
    eprintln!(
        "statusdb whole-program benchmarks: {} repetition(s), median reported; load average {load_before}",
        bench.reps
    );
    if wanted("parse") {
        parse_section(&mut bench);
    }
    if wanted("peer") {
        peer_section(&mut bench);
    }
    if wanted("loopback") {
        loopback_section(&mut bench);
    }
    if wanted("files") {
        files_section(&mut bench);
    }
    let store_db = wanted("store").then(|| store_section(&mut bench));
    if wanted("uptime") {
        uptime_section(&mut bench, store_db);
    }
    let load_after = load_average();
    println!(
        "\n## statusdb benchmarks ({} cores, load average {load_before} before, {load_after} after, {:.0} s)\n",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        started.elapsed().as_secs_f64()
    );
    println!("| measure | figure | limit / peer | ratio | target | |");
    println!("|---|---|---|---|---|---|");
    for r in &bench.rows {
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            r.measure,
            r.figure,
            r.against,
            r.ratio,
            r.target,
            verdict(r.met)
        );
    }
}

/// Times `f` `reps` times interleaved with `g` and returns both medians (seconds).
fn side_by_side(reps: usize, mut f: impl FnMut() -> f64, mut g: impl FnMut() -> f64) -> (f64, f64) {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for i in 0..reps {
        // Alternate which goes first so neither always gets the warmer machine.
        if i % 2 == 0 {
            a.push(f());
            b.push(g());
        } else {
            b.push(g());
            a.push(f());
        }
    }
    (median(a), median(b))
}

/// Seconds per call of `f`, repeated for at least `min` (in-process micro timing).
fn per_call(min: Duration, mut f: impl FnMut()) -> f64 {
    f();
    let clock = Instant::now();
    let mut n = 0u32;
    while clock.elapsed() < min || n < 3 {
        f();
        n += 1;
    }
    clock.elapsed().as_secs_f64() / f64::from(n)
}

fn parse_section(bench: &mut Bench) {
    eprintln!("parse (in-process, same bytes)");
    let small = workload::vendor(&Shape::new(1, 50, 4), 1);
    let large = workload::vendor(&Shape::new(1, 500, 4), 1);
    let parse = |bytes: &[u8]| {
        let input = PageInput {
            url: "https://status.example.com/api/v2/incidents.json",
            body: bytes,
            fetched_at: Utc::now(),
            zone: None,
        };
        std::hint::black_box(Kind::Statuspage.parse(&input).unwrap());
    };
    let value = |bytes: &[u8]| {
        std::hint::black_box(serde_json::from_slice::<serde_json::Value>(bytes).unwrap());
    };
    let min = Duration::from_millis(if bench.quick { 100 } else { 600 });
    let mut medians = Vec::new();
    for (name, bytes) in [
        ("generated incidents.json 50x4", &small.incidents),
        ("generated incidents.json 500x4", &large.incidents),
    ] {
        let (p, v) = side_by_side(
            bench.reps.max(3),
            || per_call(min, || parse(bytes)),
            || per_call(min, || value(bytes)),
        );
        parse_row(
            bench,
            "statuspage",
            name,
            bytes.len(),
            p,
            Some(("serde_json::Value", v)),
        );
        medians.push((bytes.len(), p));
    }
    let (small_len, small_t) = medians[0];
    let (large_len, large_t) = medians[1];
    let size = large_len as f64 / small_len as f64;
    let growth = large_t / small_t;
    bench.row(
        "parse at 10x size (500 vs 50 incidents)",
        format!("{growth:.1}x time"),
        format!("{size:.1}x bytes"),
        format!("{:.2}", growth / size * 10.0),
        "<= 12x time",
        Some(growth <= 1.2 * size),
    );

    // Every kind on its documents (fixtures, and generated ones where the workload writes the
    // format), beside the library it reads the format with (`support/kinds.rs`).
    let min = Duration::from_millis(if bench.quick { 50 } else { 200 });
    for case in kinds::cases(&small) {
        let (p, limit) = if case.limit == kinds::Limit::Absent {
            (
                median((0..3).map(|_| per_call(min, || case.parse())).collect()),
                None,
            )
        } else {
            let (p, l) = side_by_side(
                bench.reps.max(3),
                || per_call(min, || case.parse()),
                || {
                    per_call(min, || {
                        case.limit.run(&case.bytes);
                    })
                },
            );
            (p, Some((case.limit.name(), l)))
        };
        parse_row(
            bench,
            case.kind.as_str(),
            &case.document,
            case.bytes.len(),
            p,
            limit,
        );
    }
}

/// One parse figure: MB/s of `seconds` per parse of `bytes`, beside the limit's, if any.
fn parse_row(
    bench: &mut Bench,
    kind: &str,
    document: &str,
    bytes: usize,
    seconds: f64,
    limit: Option<(&str, f64)>,
) {
    let mbs = |s: f64| bytes as f64 / s / 1e6;
    let measure = format!("parse {kind}, {document} ({})", kilobytes(bytes));
    match limit {
        Some((name, limit_seconds)) => {
            let ratio = mbs(seconds) / mbs(limit_seconds);
            bench.row(
                measure,
                format!("{:.1} MB/s", mbs(seconds)),
                format!("{name} {:.1} MB/s", mbs(limit_seconds)),
                format!("{:.0}%", ratio * 100.0),
                ">= 50% of limit",
                Some(ratio >= 0.5),
            );
        }
        None => bench.row(
            measure,
            format!("{:.1} MB/s", mbs(seconds)),
            "no limit (plain text)",
            "",
            "",
            None,
        ),
    }
}

fn kilobytes(bytes: usize) -> String {
    if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1e6)
    } else {
        format!("{:.1} kB", bytes as f64 / 1e3)
    }
}

/// Lays out `count` Statuspage sources `<dir>/srcNN/api/v2/{summary,incidents}.json` and
/// writes the config both programs read.
fn github_sources(dir: &Path, count: usize) -> PathBuf {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/statuspage");
    let summary = std::fs::read(fixtures.join("github-summary-2022-11-25.json")).unwrap();
    let incidents = std::fs::read(fixtures.join("github-incidents-all.json")).unwrap();
    let mut sources = Vec::new();
    for n in 1..=count {
        let id = format!("src{n:02}");
        let api = dir.join(&id).join("api/v2");
        std::fs::create_dir_all(&api).unwrap();
        std::fs::write(api.join("summary.json"), &summary).unwrap();
        std::fs::write(api.join("incidents.json"), &incidents).unwrap();
        // The peer appends `api/v2/...` to the URL as a string: the base ends in a slash.
        sources.push((id.clone(), format!("file://{}/", dir.join(&id).display())));
    }
    let config = dir.join("config.toml");
    std::fs::write(&config, workload::config_text(&sources, None, None)).unwrap();
    config
}

fn peer_script() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("STATUSDB_PEER") {
        return Some(PathBuf::from(p));
    }
    [
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/peer_ingest.py"),
        PathBuf::from("/work/shared/bench/peer_ingest.py"),
    ]
    .into_iter()
    .find(|p| p.is_file())
}

fn peer_section(bench: &mut Bench) {
    let count = if bench.quick { 4 } else { 40 };
    eprintln!("peer: cold ingest of {count} file sources of the 771 real GitHub incidents");
    let Some(peer) = peer_script() else {
        bench.row(
            "ingest vs peer",
            "skipped",
            "peer_ingest.py not found",
            "",
            ">= 3x faster",
            None,
        );
        return;
    };
    let dir = bench.dir("peer");
    let config = github_sources(&dir, count);
    let config_arg = config.to_str().unwrap().to_string();
    let peer_arg = peer.to_str().unwrap().to_string();
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    let reps = bench.reps.max(3);
    for i in 0..reps {
        let _ = std::fs::remove_file(dir.join("peer.sqlite"));
        for f in [
            "statusdb.sqlite",
            "statusdb.sqlite-wal",
            "statusdb.sqlite-shm",
        ] {
            let _ = std::fs::remove_file(dir.join(f));
        }
        let us = || statusdb(&["ingest", "--config", &config_arg], &dir);
        let them = || run("python3", &[&peer_arg, &config_arg, "peer.sqlite"], &dir);
        if i % 2 == 0 {
            ours.push(us());
            theirs.push(them());
        } else {
            theirs.push(them());
            ours.push(us());
        }
    }
    let us = median(ours.iter().map(|r| r.seconds).collect());
    let them = median(theirs.iter().map(|r| r.seconds).collect());
    let ratio = them / us;
    bench.row(
        format!("cold ingest, {count} GitHub sources from files"),
        secs(us),
        format!("peer_ingest.py {}", secs(them)),
        format!("{ratio:.2}x"),
        ">= 3x faster",
        Some(ratio >= 3.0),
    );
    bench.row(
        "  peak memory (statusdb / peer)",
        mb(ours.iter().filter_map(|r| r.peak_mb).reduce(f64::max)),
        format!(
            "peer {}",
            mb(theirs.iter().filter_map(|r| r.peak_mb).reduce(f64::max))
        ),
        "",
        "",
        None,
    );
    let db = dir.join("statusdb.sqlite");
    let counts = common::sql_strings(
        &db,
        "SELECT (SELECT count(*) FROM incidents) || ' incidents, ' || (SELECT count(*) FROM incident_updates) || ' updates'",
    );
    eprintln!("  statusdb stored {}", counts[0]);
}

/// Starts the loopback server with every vendor of a workload at `/<vendor>/...`.
fn serve(
    shape: &Shape,
    delay: Duration,
    etags: bool,
) -> (common::TestServer, Vec<(String, String)>) {
    let server = common::TestServer::start();
    let mut sources = Vec::new();
    for pages in workload::vendors(shape) {
        for (path, body) in pages.documents() {
            let route = common::Route::ok(body.to_vec());
            let route = if etags { route } else { route.without_etag() };
            server.route(&format!("/{}/{path}", pages.vendor), route);
        }
        let url = server.url(&format!("/{}/", pages.vendor));
        sources.push((pages.vendor, url));
    }
    server.set_delay(delay);
    (server, sources)
}

fn loopback_section(bench: &mut Bench) {
    let shape = if bench.quick {
        Shape::new(100, 25, 4)
    } else {
        Shape::new(2000, 25, 4)
    };
    let delay = Duration::from_millis(50);
    eprintln!(
        "loopback: {} sources x {} incidents x {} updates over HTTP, {} ms per response",
        shape.vendors,
        shape.incidents,
        shape.updates,
        delay.as_millis()
    );
    let dir = bench.dir("loopback");
    let (server, sources) = serve(&shape, delay, true);
    let config = dir.join("config.toml");
    // statusdb's default unless STATUSDB_BENCH_CONCURRENCY says otherwise (to compare).
    let concurrency = std::env::var("STATUSDB_BENCH_CONCURRENCY")
        .ok()
        .and_then(|v| v.parse().ok());
    // The generated sources stand for as many vendors, each on its own host; here they share
    // one loopback server, so the per-host limit (for many sources on one host) is lifted to
    // the overall one, as it would not bind distinct hosts.
    let per_host = Some(concurrency.unwrap_or(statusdb::config::DEFAULT_CONCURRENCY));
    let config_text =
        |sources: &[(String, String)]| workload::config_text(sources, concurrency, per_host);
    std::fs::write(&config, config_text(&sources)).unwrap();
    let config_arg = config.to_str().unwrap().to_string();
    let (mut cold, mut warm) = (Vec::new(), Vec::new());
    for _ in 0..bench.reps {
        for f in [
            "statusdb.sqlite",
            "statusdb.sqlite-wal",
            "statusdb.sqlite-shm",
        ] {
            let _ = std::fs::remove_file(dir.join(f));
        }
        cold.push(statusdb(&["ingest", "--config", &config_arg], &dir));
        warm.push(statusdb(&["ingest", "--config", &config_arg], &dir));
    }
    let not_modified = server.not_modified(&format!("/{}/api/v2/incidents.json", sources[0].0));
    drop(server);
    let cold_t = median(cold.iter().map(|r| r.seconds).collect());
    let warm_t = median(warm.iter().map(|r| r.seconds).collect());
    let cold_mb = cold.iter().filter_map(|r| r.peak_mb).reduce(f64::max);
    let warm_mb = warm.iter().filter_map(|r| r.peak_mb).reduce(f64::max);
    bench.row(
        format!("cold ingest, {} sources over loopback", shape.vendors),
        secs(cold_t),
        format!("{} updates", shape.total_updates()),
        "",
        "< 5 s",
        Some(cold_t < 5.0),
    );
    bench.row(
        "  peak memory",
        mb(cold_mb),
        "",
        "",
        "< 200 MB",
        cold_mb.map(|m| m < 200.0),
    );
    bench.row(
        "warm ingest, every document 304",
        secs(warm_t),
        format!("cold {}", secs(cold_t)),
        format!("{:.2}", warm_t / cold_t),
        "< 1/3 of cold",
        Some(warm_t < cold_t / 3.0),
    );
    bench.row("  peak memory", mb(warm_mb), "", "", "", None);
    assert!(not_modified >= 1, "the warm runs were answered 304");

    // The same again against a server without validators: every body comes back, unchanged.
    let (server, sources) = serve(&shape, delay, false);
    std::fs::write(&config, config_text(&sources)).unwrap();
    let mut same = Vec::new();
    for f in [
        "statusdb.sqlite",
        "statusdb.sqlite-wal",
        "statusdb.sqlite-shm",
    ] {
        let _ = std::fs::remove_file(dir.join(f));
    }
    let first = statusdb(&["ingest", "--config", &config_arg], &dir);
    for _ in 0..bench.reps {
        same.push(statusdb(&["ingest", "--config", &config_arg], &dir));
    }
    drop(server);
    let same_t = median(same.iter().map(|r| r.seconds).collect());
    bench.row(
        "warm ingest, every body the same (no ETag)",
        secs(same_t),
        format!("cold {}", secs(first.seconds)),
        format!("{:.2}", same_t / first.seconds),
        "< 1/3 of cold",
        Some(same_t < first.seconds / 3.0),
    );
}

fn files_section(bench: &mut Bench) {
    let (small, large) = if bench.quick {
        (Shape::new(20, 25, 4), Shape::new(200, 25, 4))
    } else {
        (Shape::new(200, 25, 4), Shape::new(2000, 25, 4))
    };
    eprintln!(
        "files: cold and warm ingest of {} and {} generated file sources ({} incidents x {} updates)",
        small.vendors, large.vendors, small.incidents, small.updates
    );
    let mut cold_times = Vec::new();
    for shape in [small, large] {
        let dir = bench.dir(&format!("files-{}", shape.vendors));
        let tree = workload::write_tree(&dir.join("pages"), &shape).unwrap();
        let sources: Vec<(String, String)> = tree
            .into_iter()
            .map(|(id, root)| (id, format!("file://{}/", root.display())))
            .collect();
        let config = dir.join("config.toml");
        std::fs::write(&config, workload::config_text(&sources, None, None)).unwrap();
        let config_arg = config.to_str().unwrap().to_string();
        let (mut cold, mut warm) = (Vec::new(), Vec::new());
        for _ in 0..bench.reps {
            for f in [
                "statusdb.sqlite",
                "statusdb.sqlite-wal",
                "statusdb.sqlite-shm",
            ] {
                let _ = std::fs::remove_file(dir.join(f));
            }
            cold.push(statusdb(&["ingest", "--config", &config_arg], &dir));
            warm.push(statusdb(&["ingest", "--config", &config_arg], &dir));
        }
        let cold_t = median(cold.iter().map(|r| r.seconds).collect());
        let warm_t = median(warm.iter().map(|r| r.seconds).collect());
        let peak = cold.iter().filter_map(|r| r.peak_mb).reduce(f64::max);
        bench.row(
            format!("cold ingest, {} sources from files", shape.vendors),
            secs(cold_t),
            format!("{} updates", shape.total_updates()),
            format!("{:.0} upd/s", shape.total_updates() as f64 / cold_t),
            "",
            None,
        );
        bench.row("  peak memory", mb(peak), "", "", "", None);
        bench.row(
            "warm ingest, every body the same (files)",
            secs(warm_t),
            format!("cold {}", secs(cold_t)),
            format!("{:.2}", warm_t / cold_t),
            "< 1/3 of cold",
            Some(warm_t < cold_t / 3.0),
        );
        cold_times.push(cold_t);
        if !bench.keep {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    let growth = cold_times[1] / cold_times[0];
    bench.row(
        "cold ingest at 10x sources",
        format!("{growth:.1}x time"),
        "10x sources",
        "",
        "<= 12x time",
        Some(growth <= 12.0),
    );
}

/// Generates and parses vendors on a second thread while the caller stores them.
fn parsed_vendors(
    shape: Shape,
    range: std::ops::Range<usize>,
) -> std::sync::mpsc::Receiver<SourceResult> {
    let (tx, rx) = std::sync::mpsc::sync_channel(8);
    std::thread::spawn(move || {
        for index in range {
            let pages = workload::vendor(&shape, index);
            let base = format!("https://status.{}.example/", pages.vendor);
            let at = Utc::now();
            let documents = vec![
                limits::parsed(
                    Kind::Statuspage,
                    &format!("{base}api/v2/summary.json"),
                    &pages.summary,
                    at,
                ),
                limits::parsed(
                    Kind::Statuspage,
                    &format!("{base}api/v2/incidents.json"),
                    &pages.incidents,
                    at,
                ),
            ];
            let mut result = SourceResult::new(
                limits::source(&pages.vendor, &base),
                Some(Kind::Statuspage),
                documents,
            );
            // As an ingest does on its parse pool, beside the writer: identity keys and the
            // new-record merge (normalize); the store measured is the writer's own work.
            result.prepare();
            if tx.send(result).is_err() {
                return;
            }
        }
    });
    rx
}

/// The store section's workload: 50 incidents of 4 updates per vendor (Statuspage's
/// incidents.json lists the latest 50), 1,000,000 updates in all.
fn store_shape(quick: bool) -> Shape {
    let per_vendor = 200;
    let total = if quick { 20_000 } else { 1_000_000 };
    Shape::new(total / per_vendor, 50, 4)
}

/// Returns the database it built (1,050,248 updates, reparsed).
fn store_section(bench: &mut Bench) -> PathBuf {
    let shape = store_shape(bench.quick);
    let extra_vendors = shape.vendors / 20;
    eprintln!(
        "store: {} vendors x 50 x 4 = {} updates through the store, then {} more vendors",
        shape.vendors,
        shape.total_updates(),
        extra_vendors
    );
    let dir = bench.dir("store");
    let db = dir.join("statusdb.sqlite");
    let mut store = Store::open(&db).unwrap();
    let all: Vec<_> = (1..=shape.vendors + extra_vendors)
        .map(|i| {
            limits::source(
                &format!("v{i:04}"),
                &format!("https://status.v{i:04}.example/"),
            )
        })
        .collect();
    store.sync_sources(&all).unwrap();
    let store = store;
    let mut writer = store.writer().unwrap();

    // Build the base, timing only the store's work; snapshot it at a tenth for the 10x checks.
    let tenth = shape.vendors / 10;
    let mut stored = 0usize;
    let mut store_time = Duration::ZERO;
    let mut tenth_time = Duration::ZERO;
    let tenth_db = dir.join("tenth.sqlite");
    // Committed in groups of sources, as an ingest's writer commits the sources waiting for it.
    let group = statusdb::ingest::GROUP_SOURCES;
    let mut open = false;
    for (n, result) in parsed_vendors(shape, 1..shape.vendors + 1)
        .into_iter()
        .enumerate()
    {
        let clock = Instant::now();
        if !open {
            writer.begin_group().unwrap();
            open = true;
        }
        let changes = statusdb::events::apply_source(&mut writer, None, &result).unwrap();
        if (n + 1) % group == 0 || n + 1 == tenth || n + 1 == shape.vendors {
            writer.commit_group().unwrap();
            open = false;
        }
        store_time += clock.elapsed();
        stored += changes.updates_new;
        if n + 1 == tenth {
            tenth_time = store_time;
            store
                .connection()
                .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
                .unwrap();
            std::fs::copy(&db, &tenth_db).unwrap();
        }
        if (n + 1) % 500 == 0 {
            eprintln!(
                "  {} vendors, {stored} updates stored, {:.0} updates/s so far",
                n + 1,
                stored as f64 / store_time.as_secs_f64()
            );
        }
    }
    assert_eq!(stored, shape.total_updates());
    let base_rate = stored as f64 / store_time.as_secs_f64();
    bench.row(
        format!("store {stored} updates into an empty DB"),
        format!("{base_rate:.0} upd/s"),
        secs(store_time.as_secs_f64()),
        "",
        "",
        None,
    );
    let growth = store_time.as_secs_f64() / tenth_time.as_secs_f64();
    bench.row(
        "store at 10x size (0 to 1/10 vs 0 to all)",
        format!("{growth:.1}x time"),
        "10x updates",
        "",
        "<= 12x time",
        Some(growth <= 12.0),
    );

    // More vendors into the full database: statusdb's store vs the plain INSERT of the same
    // rows (in a transaction rolled back, so the database is the same for both).
    let extra: Vec<SourceResult> =
        parsed_vendors(shape, shape.vendors + 1..shape.vendors + extra_vendors + 1)
            .into_iter()
            .collect();
    let extra_updates: usize = extra.iter().map(|r| limits::row_counts(r).1).sum();
    let limit_time = {
        let conn = store.connection();
        let clock = Instant::now();
        conn.execute_batch("BEGIN").unwrap();
        for r in &extra {
            let obs: Vec<_> = limits::observations(r).collect();
            limits::plain_insert(conn, &r.source.vendor, &r.source.id, &obs, Utc::now()).unwrap();
        }
        let t = clock.elapsed().as_secs_f64();
        conn.execute_batch("ROLLBACK").unwrap();
        t
    };
    // Commits included (the limit's transaction is rolled back, untimed).
    let clock = Instant::now();
    for sources in extra.chunks(group) {
        writer.begin_group().unwrap();
        for r in sources {
            statusdb::events::apply_source(&mut writer, None, r).unwrap();
        }
        writer.commit_group().unwrap();
    }
    let ours = clock.elapsed().as_secs_f64();
    let rate = extra_updates as f64 / ours;
    let limit_rate = extra_updates as f64 / limit_time;
    bench.row(
        format!("store {extra_updates} updates into a DB of {stored}"),
        format!("{rate:.0} upd/s"),
        format!("plain INSERT {limit_rate:.0} upd/s"),
        format!("{:.0}%", rate / limit_rate * 100.0),
        ">= 50,000 upd/s",
        Some(rate >= 50_000.0),
    );
    drop(writer);
    drop(store);

    // Export, as users run it, of a tenth and of the whole.
    let mut exports = Vec::new();
    for (label, path) in [("a tenth", &tenth_db), ("all", &db)] {
        let db_arg = path.to_str().unwrap().to_string();
        let runs: Vec<Run> = (0..bench.reps)
            .map(|_| statusdb(&["export", "--format", "json", "--db", &db_arg], &dir))
            .collect();
        let t = median(runs.iter().map(|r| r.seconds).collect());
        let peak = runs.iter().filter_map(|r| r.peak_mb).reduce(f64::max);
        exports.push(t);
        if label == "all" {
            bench.row(
                format!(
                    "export --format json, {} updates",
                    shape.total_updates() + extra_updates
                ),
                secs(t),
                "",
                "",
                "< 10 s",
                Some(t < 10.0),
            );
            bench.row(
                "  peak memory",
                mb(peak),
                "",
                "",
                "< 300 MB",
                peak.map(|m| m < 300.0),
            );
        }
    }
    let growth = exports[1] / exports[0];
    bench.row(
        "export at ~10x size (a tenth vs all)",
        format!("{growth:.1}x time"),
        "10.5x updates",
        "",
        "<= 12.6x time",
        Some(growth <= 12.6),
    );

    // `reparse` rebuilds every record from the raw pages; it is not built yet.
    let has_reparse = Command::new(binary())
        .args(["reparse", "--help"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if has_reparse {
        let db_arg = db.to_str().unwrap().to_string();
        let r = statusdb(&["reparse", "--db", &db_arg], &dir);
        bench.row(
            format!("reparse, {} updates", shape.total_updates() + extra_updates),
            secs(r.seconds),
            "",
            "",
            "",
            None,
        );
    } else {
        bench.row("reparse", "not built yet", "", "", "", None);
    }
    db
}

/// `report uptime --last 90d` over the million-update database, as users run it.
fn uptime_section(bench: &mut Bench, db: Option<PathBuf>) {
    let db = match db {
        Some(db) => db,
        None => {
            // The store section's base database, built the same way, untimed.
            let shape = store_shape(bench.quick);
            let dir = bench.dir("uptime-db");
            let db = dir.join("statusdb.sqlite");
            let mut store = Store::open(&db).unwrap();
            let all: Vec<_> = (1..=shape.vendors)
                .map(|i| {
                    limits::source(
                        &format!("v{i:04}"),
                        &format!("https://status.v{i:04}.example/"),
                    )
                })
                .collect();
            store.sync_sources(&all).unwrap();
            let mut writer = store.writer().unwrap();
            for sources in parsed_vendors(shape, 1..shape.vendors + 1)
                .into_iter()
                .collect::<Vec<_>>()
                .chunks(statusdb::ingest::GROUP_SOURCES)
            {
                writer.begin_group().unwrap();
                for r in sources {
                    statusdb::events::apply_source(&mut writer, None, r).unwrap();
                }
                writer.commit_group().unwrap();
            }
            drop(writer);
            db
        }
    };
    let dir = bench.dir("uptime");
    let db_arg = db.to_str().unwrap().to_string();
    // A day after the newest incident of the workload: the last 90 days hold it all.
    let now = statusdb::model::format_utc(&(workload::epoch() + chrono::Duration::days(1)));
    let words: i64 = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT count(*) FROM component_status_changes", [], |r| {
            r.get(0)
        })
        .unwrap();
    for (label, format) in [("json", "json"), ("table", "table")] {
        let runs: Vec<Run> = (0..bench.reps)
            .map(|_| {
                statusdb(
                    &[
                        "report", "uptime", "--last", "90d", "--now", &now, "--format", format,
                        "--db", &db_arg,
                    ],
                    &dir,
                )
            })
            .collect();
        let t = median(runs.iter().map(|r| r.seconds).collect());
        let peak = runs.iter().filter_map(|r| r.peak_mb).reduce(f64::max);
        bench.row(
            format!("report uptime --last 90d --format {label}, {words} component words"),
            secs(t),
            "",
            "",
            "< 2 s",
            Some(t < 2.0),
        );
        bench.row(
            "  peak memory (the database file mapped counts)",
            mb(peak),
            "",
            "",
            "",
            None,
        );
    }
}
