//! Which sources are due: those never fetched, and those whose next due time (set after each
//! attempt: the interval after a success, a growing backoff after failures) has passed.

use crate::config::Source;
use crate::store::{Store, StoreError};
use chrono::{DateTime, Utc};

pub fn due(
    store: &Store,
    sources: Vec<Source>,
    now: DateTime<Utc>,
) -> Result<Vec<Source>, StoreError> {
    let mut out = Vec::with_capacity(sources.len());
    for source in sources {
        let state = store.source_state(&source.id)?;
        if state.next_due_at.is_none_or(|due| due <= now) {
            out.push(source);
        }
    }
    Ok(out)
}
