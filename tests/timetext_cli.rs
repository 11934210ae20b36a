//! `statusdb parse-time`: exact JSON lines.

use assert_cmd::Command;

fn run(args: &[&str], input: &str) -> (String, bool) {
    let out = Command::cargo_bin("statusdb")
        .expect("binary")
        .arg("parse-time")
        .args(args)
        .write_stdin(input)
        .output()
        .expect("run");
    (
        String::from_utf8(out.stdout).expect("utf-8"),
        out.status.success(),
    )
}

#[test]
fn parse_time_writes_one_json_object_per_line() {
    let input = "\
3:23 PM PST\t2024-07-11
between 14:32 and 15:10 UTC\t2024-10-10
Jun 06, 2019 09:42\t2019-06-06 tz=America/Los_Angeles
Posted 3 hours ago\t2024-10-10T22:14:00Z
2019-02-21T08:31:24.239-06:00\t2019-02-21
10:00\t2024-10-10

14:00 IST\tnot-a-date
";
    let (out, ok) = run(&[], input);
    assert!(ok);
    let expected = concat!(
        r#"{"text":"3:23 PM PST","utc":"2024-07-11T22:23:00Z","end":null,"alternative":"2024-07-11T23:23:00Z","flags":["abbreviation_contradicts_dst","date_from_context"],"error":null}"#,
        "\n",
        r#"{"text":"between 14:32 and 15:10 UTC","utc":"2024-10-10T14:32:00Z","end":"2024-10-10T15:10:00Z","alternative":null,"flags":["date_from_context"],"error":null}"#,
        "\n",
        r#"{"text":"Jun 06, 2019 09:42","utc":"2019-06-06T16:42:00Z","end":null,"alternative":null,"flags":["zone_from_page"],"error":null}"#,
        "\n",
        r#"{"text":"Posted 3 hours ago","utc":"2024-10-10T19:14:00Z","end":null,"alternative":null,"flags":["relative"],"error":null}"#,
        "\n",
        r#"{"text":"2019-02-21T08:31:24.239-06:00","utc":"2019-02-21T14:31:24.239Z","end":null,"alternative":null,"flags":[],"error":null}"#,
        "\n",
        r#"{"text":"10:00","utc":null,"end":null,"alternative":null,"flags":[],"error":"\"10:00\" names no time zone and the context gives no page zone; refusing to assume UTC"}"#,
        "\n",
        r#"{"text":"14:00 IST","utc":null,"end":null,"alternative":null,"flags":[],"error":"context \"not-a-date\" is neither a YYYY-MM-DD date nor an RFC 3339 instant"}"#,
        "\n",
    );
    assert_eq!(out, expected);
}

#[test]
fn parse_time_defaults_apply_to_lines_without_context() {
    let input = "10:00\nOct 10, 2024 11:00 UTC\t2024-10-10\n";
    let (out, ok) = run(
        &["--context", "2024-10-10", "--zone", "Europe/Berlin"],
        input,
    );
    assert!(ok);
    let expected = concat!(
        r#"{"text":"10:00","utc":"2024-10-10T08:00:00Z","end":null,"alternative":null,"flags":["date_from_context","zone_from_page"],"error":null}"#,
        "\n",
        r#"{"text":"Oct 10, 2024 11:00 UTC","utc":"2024-10-10T11:00:00Z","end":null,"alternative":null,"flags":[],"error":null}"#,
        "\n",
    );
    assert_eq!(out, expected);
}

#[test]
fn parse_time_rejects_a_bad_default_context() {
    let out = Command::cargo_bin("statusdb")
        .expect("binary")
        .args(["parse-time", "--context", "yesterday"])
        .write_stdin("")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("neither a YYYY-MM-DD date"));
}
