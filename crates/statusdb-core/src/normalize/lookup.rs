//! Merging a whole page into the stored records: which stored record each observed incident
//! is ([`identity`](super::identity) decides, asking the store through [`RecordLookup`]), and
//! the merged record the caller then writes. The store implements the lookup with SQL; the
//! rules of matching stay here.

use super::identity::{self, same_by_title_and_time, title_key};
use super::{Revision, Seen, merge};
use crate::model::{IncidentKind, IncidentRecord, Observation};
use std::collections::{HashMap, HashSet};

/// What normalization asks of the stored records. All answers are about one vendor.
pub trait RecordLookup {
    /// Why a lookup failed.
    type Error;

    /// The incident each of `keys` (identity keys: native ids, aliases, links, fingerprints)
    /// names, for the keys that name one.
    fn incidents_named(
        &mut self,
        vendor: &str,
        keys: &[&str],
    ) -> Result<HashMap<String, String>, Self::Error>;

    /// Which of `title_keys` ([`title_key`]s) some record of this kind carries.
    fn titles_held(
        &mut self,
        vendor: &str,
        kind: IncidentKind,
        title_keys: &[&str],
    ) -> Result<HashSet<String>, Self::Error>;

    /// The ids of the records of this kind whose title key is `title_key`, earliest started
    /// first; with `fingerprinted_only`, only those without a native id (an id
    /// `<vendor>/fp-...`).
    fn with_title(
        &mut self,
        vendor: &str,
        kind: IncidentKind,
        title_key: &str,
        fingerprinted_only: bool,
    ) -> Result<Vec<String>, Self::Error>;

    /// The stored records of `ids`, in that order; ids not stored are left out.
    fn load(&mut self, ids: &[String]) -> Result<Vec<IncidentRecord>, Self::Error>;
}

/// One incident of a parsed page, worked out before the store is asked anything (on the parse
/// pool, beside the writer): its identity keys, and its record as new.
#[derive(Debug, Clone)]
pub struct PreparedIncident {
    /// [`identity::identity_keys`] of the incident.
    pub keys: Vec<String>,
    /// `merge(None, ..)`: the record and revisions of the incident seen first.
    pub fresh: (IncidentRecord, Vec<Revision>),
}

/// Prepares every incident of a page (see [`PreparedIncident`]).
pub fn prepare_page(observation: &Observation, seen: &Seen<'_>) -> Vec<PreparedIncident> {
    observation
        .incidents
        .iter()
        .map(|incident| PreparedIncident {
            keys: identity::identity_keys(incident),
            fresh: merge(None, incident, seen),
        })
        .collect()
}

/// One observed incident merged into what is stored.
#[derive(Debug)]
pub struct Merged {
    /// The stored record it is, as loaded; `None` for a new incident.
    pub existing: Option<IncidentRecord>,
    /// The record to store.
    pub record: IncidentRecord,
    /// What the merge revised (and the updates it gave the vendor's ids).
    pub revisions: Vec<Revision>,
}

impl Merged {
    /// Nothing changed: the stored record is the merged one.
    pub fn unchanged(&self) -> bool {
        self.existing.as_ref() == Some(&self.record)
    }
}

/// Merges one page's incidents into the stored records, in page order, handing each merged
/// incident to `store` (which writes it, or notes it seen when [`Merged::unchanged`], and
/// returns the aliases it stored for it: an alias another record holds is not taken).
///
/// Incidents are resolved and loaded for the whole page at once rather than one by one. An
/// incident that an earlier one of the same page wrote is loaded again, so that each merge
/// sees exactly what is stored at that point, as when loading one at a time. An incident no
/// key names is looked up by the title rule ([`same_by_title_and_time`]), among the stored
/// records at that point; the lookup is skipped when no record of the vendor (nor one this
/// page wrote) carries the title, which one query per page tells.
///
/// `prepared` is the page's [`prepare_page`] when it was worked out beforehand (used when its
/// length matches), else empty.
pub fn merge_page<L: RecordLookup>(
    lookup: &mut L,
    observation: &Observation,
    prepared: &[PreparedIncident],
    seen: &Seen<'_>,
    mut store: impl FnMut(&mut L, &Merged) -> Result<Vec<String>, L::Error>,
) -> Result<(), L::Error> {
    let prepared = (prepared.len() == observation.incidents.len()).then_some(prepared);
    let computed_keys: Vec<Vec<String>> = match prepared {
        Some(_) => Vec::new(),
        None => observation
            .incidents
            .iter()
            .map(identity::identity_keys)
            .collect(),
    };
    let keys: Vec<&[String]> = match prepared {
        Some(p) => p.iter().map(|p| p.keys.as_slice()).collect(),
        None => computed_keys.iter().map(Vec::as_slice).collect(),
    };
    let mut page = PageState::load(lookup, observation, &keys, seen.vendor)?;
    for (position, (observed, incident_keys)) in observation.incidents.iter().zip(&keys).enumerate()
    {
        let existing = page.existing(lookup, observed, incident_keys, position, seen.vendor)?;
        let (record, revisions) = match (&existing, prepared) {
            (None, Some(p)) => p[position].fresh.clone(),
            _ => merge(existing.clone(), observed, seen),
        };
        let merged = Merged {
            existing,
            record,
            revisions,
        };
        let new_aliases = store(lookup, &merged)?;
        page.stored(merged, new_aliases);
    }
    Ok(())
}

/// What one page's merge knows of the stored records, looked up once for the page and kept up
/// to date with what the page writes.
struct PageState {
    /// The stored aliases the page's keys name.
    stored_aliases: HashMap<String, String>,
    /// The records those aliases name, loaded up front; taken as they are merged.
    stored: HashMap<String, IncidentRecord>,
    /// Aliases this page added, to the records they name.
    added_aliases: HashMap<String, String>,
    /// The records this page wrote: loaded again when named again.
    written: HashSet<String>,
    /// Each incident's title key.
    title_keys: Vec<String>,
    /// The (kind, title key) pairs some record carries: stored ones no key names, and those
    /// this page wrote.
    titles_held: HashSet<(IncidentKind, String)>,
}

impl PageState {
    fn load<L: RecordLookup>(
        lookup: &mut L,
        observation: &Observation,
        keys: &[&[String]],
        vendor: &str,
    ) -> Result<PageState, L::Error> {
        let all_keys: Vec<&str> = keys
            .iter()
            .flat_map(|k| k.iter())
            .map(String::as_str)
            .collect();
        let stored_aliases = lookup.incidents_named(vendor, &all_keys)?;
        let mut wanted: Vec<String> = Vec::new();
        let mut seen_ids: HashSet<&str> = HashSet::new();
        for incident_keys in keys {
            if let Some(id) = incident_keys.iter().find_map(|k| stored_aliases.get(k))
                && seen_ids.insert(id)
            {
                wanted.push(id.clone());
            }
        }
        let stored: HashMap<String, IncidentRecord> = lookup
            .load(&wanted)?
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
        let title_keys: Vec<String> = observation
            .incidents
            .iter()
            .map(|o| title_key(&o.title))
            .collect();
        // The titles no key names, per kind: only those need the title rule.
        let mut unnamed: Vec<(IncidentKind, Vec<&str>)> = Vec::new();
        for ((observed, incident_keys), key) in
            observation.incidents.iter().zip(keys).zip(&title_keys)
        {
            if key.is_empty() || incident_keys.iter().any(|k| stored_aliases.contains_key(k)) {
                continue;
            }
            match unnamed.iter_mut().find(|(kind, _)| *kind == observed.kind) {
                Some((_, list)) => list.push(key),
                None => unnamed.push((observed.kind, vec![key])),
            }
        }
        let mut titles_held = HashSet::new();
        for (kind, page_keys) in unnamed {
            for key in lookup.titles_held(vendor, kind, &page_keys)? {
                titles_held.insert((kind, key));
            }
        }
        Ok(PageState {
            stored_aliases,
            stored,
            added_aliases: HashMap::new(),
            written: HashSet::new(),
            title_keys,
            titles_held,
        })
    }

    /// The stored record the incident at `position` is, if any.
    fn existing<L: RecordLookup>(
        &mut self,
        lookup: &mut L,
        observed: &crate::model::ObservedIncident,
        incident_keys: &[String],
        position: usize,
        vendor: &str,
    ) -> Result<Option<IncidentRecord>, L::Error> {
        let named = incident_keys
            .iter()
            .find_map(|k| {
                self.stored_aliases
                    .get(k)
                    .or_else(|| self.added_aliases.get(k))
            })
            .cloned();
        let load_one = |lookup: &mut L, id: &String| -> Result<Option<IncidentRecord>, L::Error> {
            Ok(lookup.load(std::slice::from_ref(id))?.pop())
        };
        match named {
            Some(id) if self.written.contains(&id) => load_one(lookup, &id),
            Some(id) => match self.stored.remove(&id) {
                Some(record) => Ok(Some(record)),
                // Named by an alias but not loaded: as loading it one at a time finds.
                None => load_one(lookup, &id),
            },
            // No key names it: the title rule, over the vendor's records of that title.
            None => {
                let key = &self.title_keys[position];
                if key.is_empty() || !self.titles_held.contains(&(observed.kind, key.clone())) {
                    return Ok(None);
                }
                // An observation with a native id can only be a record without one.
                let fingerprinted_only = observed.native_id.is_some();
                for id in lookup.with_title(vendor, observed.kind, key, fingerprinted_only)? {
                    if let Some(record) = load_one(lookup, &id)?
                        && same_by_title_and_time(&record, observed)
                    {
                        return Ok(Some(record));
                    }
                }
                Ok(None)
            }
        }
    }

    /// Takes note of what the caller did with a merged incident.
    fn stored(&mut self, merged: Merged, new_aliases: Vec<String>) {
        if merged.unchanged() {
            // Kept as loaded, for a later incident of the page that names it.
            if let Some(record) = merged.existing
                && !self.written.contains(&record.id)
            {
                self.stored.insert(record.id.clone(), record);
            }
            return;
        }
        let record = merged.record;
        for alias in new_aliases {
            self.added_aliases.insert(alias, record.id.clone());
        }
        self.titles_held
            .insert((record.kind, title_key(&record.title)));
        self.written.insert(record.id);
    }
}
