//! statusdb: vendor status pages into a trustworthy local SQLite record.
//!
//! The pipeline stages (see docs/ARCHITECTURE.md) each live in their own module.

pub mod timetext;
