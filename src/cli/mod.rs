//! Subcommands of the `statusdb` binary, one module each. `main.rs` keeps the argument types
//! shared by several commands, the exit codes and the dispatch.

pub mod events;
pub mod generate;
pub mod ingest;
pub mod notify;
pub mod parse_time;
pub mod reparse;
pub mod report;
pub mod sources;

/// Shortens text for a table cell, on a character boundary.
pub fn cell(text: &str, max_chars: usize) -> String {
    let flat = text.replace('\n', " ");
    if flat.chars().count() <= max_chars {
        return flat;
    }
    let cut: String = flat.chars().take(max_chars.saturating_sub(1)).collect();
    format!("{cut}…")
}
