//! `Retry-After` values as a server may send them: never a panic or an overflow.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::time::{Duration, SystemTime};

fuzz_target!(|value: &str| {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let _ = statusdb::fetch::retry::parse_retry_after(value, now);
});
