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
        r#"{"text":"3:23 PM PST","utc":"2024-07-11T22:23:00Z","end":null,"alternative":"2024-07-11T23:23:00Z","flags":["abbreviation_contradicts_dst","date_from_context"],"reason":"PST (-08:00) does not match America/Los_Angeles's clocks at that date: read as that zone's wall clock, the literal offset gives 2024-07-11T23:23:00Z; no date written: the posting date 2024-07-11","error":null}"#,
        "\n",
        r#"{"text":"between 14:32 and 15:10 UTC","utc":"2024-10-10T14:32:00Z","end":"2024-10-10T15:10:00Z","alternative":null,"flags":["date_from_context"],"reason":"no date written: the posting date 2024-10-10","error":null}"#,
        "\n",
        r#"{"text":"Jun 06, 2019 09:42","utc":"2019-06-06T16:42:00Z","end":null,"alternative":null,"flags":["zone_from_page"],"reason":"no zone written: the page's zone America/Los_Angeles","error":null}"#,
        "\n",
        r#"{"text":"Posted 3 hours ago","utc":"2024-10-10T19:14:00Z","end":null,"alternative":null,"flags":["relative"],"reason":"relative to the context's date or fetch instant","error":null}"#,
        "\n",
        r#"{"text":"2019-02-21T08:31:24.239-06:00","utc":"2019-02-21T14:31:24.239Z","end":null,"alternative":null,"flags":[],"reason":null,"error":null}"#,
        "\n",
        r#"{"text":"10:00","utc":null,"end":null,"alternative":null,"flags":[],"reason":null,"error":"\"10:00\" names no time zone and the context gives no page zone; refusing to assume UTC"}"#,
        "\n",
        r#"{"text":"14:00 IST","utc":null,"end":null,"alternative":null,"flags":[],"reason":null,"error":"context \"not-a-date\" is neither a YYYY-MM-DD date nor an RFC 3339 instant"}"#,
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
        r#"{"text":"10:00","utc":"2024-10-10T08:00:00Z","end":null,"alternative":null,"flags":["date_from_context","zone_from_page"],"reason":"no date written: the posting date 2024-10-10; no zone written: the page's zone Europe/Berlin","error":null}"#,
        "\n",
        r#"{"text":"Oct 10, 2024 11:00 UTC","utc":"2024-10-10T11:00:00Z","end":null,"alternative":null,"flags":[],"reason":null,"error":null}"#,
        "\n",
    );
    assert_eq!(out, expected);
}

#[test]
fn parse_time_names_the_reading_taken_its_evidence_and_the_alternative() {
    // Issue 19: a US vendor's "CST" in October, read in the configured zone's wall clock
    // (CDT), the literal CST beside it; a numeric date no evidence decides, both candidates.
    let input = "10:00 CST\t2024-10-15 tz=America/Chicago\n04/11/2022 10:00:00 AM (GMT)\t2022-07-01\n04/11/2022 10:00:00 AM (GMT)\t2022-11-04\n";
    let (out, ok) = run(&[], input);
    assert!(ok);
    let expected = concat!(
        r#"{"text":"10:00 CST","utc":"2024-10-15T15:00:00Z","end":null,"alternative":"2024-10-15T16:00:00Z","flags":["abbreviation_contradicts_dst","date_from_context","abbreviation_from_context"],"reason":"CST (-06:00) does not match America/Chicago's clocks at that date: read as that zone's wall clock, the literal offset gives 2024-10-15T16:00:00Z; no date written: the posting date 2024-10-15; CST has several readings: Central Standard Time (North America) (-06:00, America/Chicago) taken because the page's zone is America/Chicago; the others are China Standard Time (+08:00), Cuba Standard Time (-05:00)","error":null}"#,
        "\n",
        r#"{"text":"04/11/2022 10:00:00 AM (GMT)","utc":"2022-04-11T10:00:00Z","end":null,"alternative":"2022-11-04T10:00:00Z","flags":["ambiguous_date"],"reason":"the numeric date reads both ways and the evidence cannot decide: this reading taken because nothing decides: the default; the other gives 2022-11-04T10:00:00Z","error":null}"#,
        "\n",
        r#"{"text":"04/11/2022 10:00:00 AM (GMT)","utc":"2022-11-04T10:00:00Z","end":null,"alternative":"2022-04-11T10:00:00Z","flags":["ambiguous_date_order"],"reason":"the numeric date reads both ways: this reading taken because it is within a day of the posting date 2022-11-04; the other gives 2022-04-11T10:00:00Z","error":null}"#,
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
