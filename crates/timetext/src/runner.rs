//! The line runner behind `statusdb parse-time`.

#[cfg(doc)]
use super::Parsed;
use super::{Context, Flags, parse};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use std::io::{self, BufRead, Write};

/// Counts of one run of [`run_parse_time`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunSummary {
    /// Lines read (blank lines are skipped and not counted).
    pub lines: usize,
    /// Lines that gave an instant.
    pub parsed: usize,
    /// Lines refused (including a bad context).
    pub refused: usize,
}

#[derive(Serialize)]
struct Line<'a> {
    text: &'a str,
    utc: Option<String>,
    end: Option<String>,
    alternative: Option<String>,
    flags: Flags,
    /// Why the reading is what it is, when a flag says a choice was made.
    reason: Option<String>,
    error: Option<String>,
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Reads lines `TEXT<TAB>CONTEXT` and writes one JSON object per line:
/// `{"text","utc","end","alternative","flags","reason","error"}` (`reason`: [`Parsed::reason`],
/// which reading was taken on what evidence, when a flag is set).
///
/// CONTEXT is `YYYY-MM-DD` (posting date), `YYYY-MM-DD tz=Area/City` (plus the page zone) or an
/// RFC 3339 instant (the fetch time); see [`Context::from_spec`]. A line without a tab is all
/// text and uses `defaults`. A line's context without `tz=` takes the zone of `defaults`.
/// Times are RFC 3339 in UTC with `Z`, to the second (fractions only when the input had them);
/// `utc` is null and `error` says why when the line is refused. Blank lines are skipped.
pub fn run_parse_time(
    input: impl BufRead,
    mut output: impl Write,
    defaults: &Context,
) -> io::Result<RunSummary> {
    let mut summary = RunSummary::default();
    for line in input.lines() {
        let line = line?;
        let line = line.strip_suffix('\r').unwrap_or(&line);
        if line.trim().is_empty() {
            continue;
        }
        summary.lines += 1;
        let (text, ctx) = match line.split_once('\t') {
            Some((text, spec)) => (
                text,
                Context::from_spec(spec).map(|mut c| {
                    if c.zone.is_none() {
                        c.zone = defaults.zone;
                    }
                    c
                }),
            ),
            None => (line, Ok(*defaults)),
        };
        let out = match ctx
            .map_err(|e| e.to_string())
            .and_then(|c| parse(text, &c).map_err(|e| e.to_string()))
        {
            Ok(p) => {
                summary.parsed += 1;
                Line {
                    text,
                    utc: Some(rfc3339(p.utc)),
                    end: p.end.map(rfc3339),
                    alternative: p.alternative.map(rfc3339),
                    flags: p.flags,
                    reason: p.reason(),
                    error: None,
                }
            }
            Err(e) => {
                summary.refused += 1;
                Line {
                    text,
                    utc: None,
                    end: None,
                    alternative: None,
                    flags: Flags::empty(),
                    reason: None,
                    error: Some(e),
                }
            }
        };
        serde_json::to_writer(&mut output, &out)?;
        output.write_all(b"\n")?;
    }
    output.flush()?;
    Ok(summary)
}
