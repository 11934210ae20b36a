//! The time parser (`statusdb::timetext`) on arbitrary text under varied contexts: the first
//! byte picks the context (anchor, page zone, date order, previous instant), the rest is the
//! text. Refusals are fine; a panic, an overflow or a hang is a bug.
#![no_main]

use chrono::{NaiveDate, TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use statusdb::timetext::{self, Context, DateOrder};

fn context(selector: u8) -> Context {
    let date = NaiveDate::from_ymd_opt(2024, 12, 31).unwrap();
    let instant = Utc.with_ymd_and_hms(2025, 1, 1, 0, 30, 0).unwrap();
    let mut ctx = match selector % 3 {
        0 => Context::new(),
        1 => Context::on_date(date),
        _ => Context::at_instant(instant),
    };
    ctx = match (selector / 3) % 4 {
        0 => ctx,
        1 => ctx.with_zone(chrono_tz::America::Los_Angeles),
        2 => ctx.with_zone(chrono_tz::Asia::Kolkata),
        _ => ctx.with_zone(chrono_tz::Australia::Lord_Howe),
    };
    ctx = match (selector / 12) % 3 {
        0 => ctx,
        1 => ctx.with_date_order(DateOrder::MonthFirst),
        _ => ctx.with_date_order(DateOrder::DayFirst),
    };
    if selector >= 128 {
        ctx = ctx.with_previous(instant);
    }
    ctx
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let ctx = context(selector);
    let _ = timetext::parse(text, &ctx);
    let _ = timetext::parse_date(text, &ctx);
    let _ = timetext::find_times(text, &ctx);
    let lines: Vec<&str> = text.lines().collect();
    let _ = timetext::parse_sequence(&lines, &ctx);
    let _ = Context::from_spec(text);
});
