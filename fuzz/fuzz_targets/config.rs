//! The config parser on arbitrary text: errors must be located, never a panic (the line and
//! column arithmetic is the risk).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|text: &str| {
    let _ = statusdb::config::Config::parse(text, Path::new("/etc/statusdb/config.toml"));
});
