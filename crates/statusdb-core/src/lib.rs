//! statusdb's pure stages: bytes in, typed observations and records out.
//!
//! * [`model`]: the vocabulary and the typed values every stage hands on.
//! * [`providers`]: one parser per page format (kind), from a fetched body to an `Observation`.
//! * [`normalize`]: one record per real incident: identity, updates, stated times, anomalies.
//! * [`handoff`]: what ingest hands the store and the store hands back.
//!
//! Nothing here touches the network or the database: this crate depends on no HTTP client,
//! async runtime or SQLite binding, so the compiler holds the rule (see docs/ARCHITECTURE.md).

#![warn(missing_docs)]

pub mod handoff;
pub mod model;
pub mod normalize;
pub mod providers;
