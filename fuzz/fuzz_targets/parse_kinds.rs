//! Every page kind's parser, and the shape checks in front of them, on arbitrary bytes: the
//! first byte picks the kind (`Kind::ALL`, so kinds added later are fuzzed too), the rest is
//! the body. Errors are fine; a panic, a hang or an overflow is a bug.
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use statusdb::providers::{Kind, PageInput};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let kind = Kind::ALL[usize::from(selector) % Kind::ALL.len()];
    let page = PageInput {
        url: "https://status.example.com/api/v2/summary.json",
        body,
        fetched_at: Utc.with_ymd_and_hms(2024, 6, 19, 17, 0, 0).unwrap(),
        zone: Some(chrono_tz::America::Chicago),
    };
    // The parser alone (as `reparse` runs it), and behind the shape checks (as ingest does).
    let _ = kind.parse(&page);
    let _ = kind.parse_fetched(&page, Some("text/html; charset=utf-8"));
});
