//! `statusdb reparse`: every record rebuilt from the raw pages the database keeps, with this
//! build's parsers and normalizer, in one transaction (the store's part is
//! `Store::rebuild`). Here is what the store may not do: parse. Each stored page is read with
//! the kind that read it at ingest (kept with its fetch), else its source's kind (for `auto`,
//! the kind it resolved to), in its source's zone, at its fetch time and URL.

use crate::config::Config;
use crate::providers::{Kind, PageInput};
use crate::store::{RebuildReport, Store, StoreError, StoredPage};

/// Rebuilds the records. With a config, its sources are recorded first (so a zone or vendor
/// changed in the config applies); without one, what the database recorded at the last
/// ingest is used.
pub fn run(store: &mut Store, config: Option<&Config>) -> Result<RebuildReport, StoreError> {
    if let Some(config) = config {
        store.sync_sources(&config.sources)?;
    }
    store.rebuild(read_page)
}

/// Reads one stored page again.
pub(crate) fn read_page(page: &StoredPage<'_>) -> Result<crate::model::Observation, String> {
    let kind = kind_of(page)?;
    let input = PageInput {
        url: page.url,
        body: page.body,
        fetched_at: page.fetched_at,
        zone: page.zone,
    };
    kind.parse(&input).map_err(|e| e.to_string())
}

/// The kind a stored page is read with.
fn kind_of(page: &StoredPage<'_>) -> Result<Kind, String> {
    let name = match (page.read_as, page.source_kind, page.resolved_kind) {
        (Some(kind), _, _) => kind,
        (None, "auto", Some(resolved)) => resolved,
        (None, "auto", None) => {
            return Err("source is kind auto and no kind is recorded for this fetch".into());
        }
        (None, kind, _) => kind,
    };
    Kind::from_name(name).ok_or_else(|| format!("unknown kind {name:?}"))
}
