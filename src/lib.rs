//! statusdb: vendor status pages into a trustworthy local SQLite record.
//!
//! The pipeline stages (see docs/ARCHITECTURE.md) each live in their own module:
//! config → schedule → fetch → providers (parse) → normalize → store → export / query.

#![warn(missing_docs)]

pub mod config;
pub mod document;
pub mod events;
pub mod export;
pub mod fetch;
pub mod ingest;
pub mod lock;
pub mod logging;
pub mod metrics;
pub mod notify;
pub mod probe;
pub mod progress;
pub mod query;
pub mod reparse;
pub mod report;
pub mod schedule;
pub mod source_status;
pub mod store;
pub mod uptime;

pub use statusdb_core::{handoff, model, normalize, providers};
pub use timetext;
