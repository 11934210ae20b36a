//! Exact UTC instants from the times people write on status pages.
