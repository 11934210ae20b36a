//! `statusdb parse-time`: the time parser on stdin lines `TEXT<TAB>CONTEXT`, one JSON object per
//! line out (see docs/TIMES.md).

use crate::Failure;
use statusdb::timetext::{Context, run_parse_time};
use std::io;

#[derive(clap::Args)]
pub struct ParseTimeArgs {
    /// Default context for lines without a tab: YYYY-MM-DD, or an RFC 3339 instant, optionally
    /// with " tz=Area/City", " order=mdy|dmy", " posted=<instant>" (when the text was posted),
    /// " prev=<instant>" (the previous update) and " hint=<offset or Area/City>" (what the
    /// page's other stamps show).
    #[arg(long, value_name = "T")]
    context: Option<String>,
    /// Default page zone (IANA name) for lines whose context has none.
    #[arg(long, value_name = "IANA")]
    zone: Option<chrono_tz::Tz>,
}

pub fn run(args: ParseTimeArgs) -> Result<u8, Failure> {
    let mut defaults = match args.context.as_deref().map(Context::from_spec).transpose() {
        Ok(c) => c.unwrap_or_default(),
        Err(e) => return Err(Failure::usage(format!("parse-time: {e}"))),
    };
    if args.zone.is_some() {
        defaults.zone = args.zone;
    }
    run_parse_time(io::stdin().lock(), io::stdout().lock(), &defaults)
        .map_err(|e| Failure::runtime(format!("parse-time: {e}")))?;
    Ok(0)
}
