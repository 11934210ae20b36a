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

/// A plain table (no borders) with these column headers, as every table command prints.
pub fn table(headers: &[&str]) -> comfy_table::Table {
    let mut table = comfy_table::Table::new();
    table.load_style(comfy_table::presets::NOTHING);
    table.set_header(headers);
    table
}

/// An id in a table's first column: marked when the config no longer lists it.
pub fn listed_id(id: &str, configured: bool) -> String {
    if configured {
        id.to_string()
    } else {
        format!("{id} (not in config)")
    }
}
