//! What the benchmarks compare statusdb against, and the plumbing to feed the store without
//! HTTP: a source's documents parsed into the `SourceResult` the ingest writer applies, and the
//! "plain batched INSERT" limit for the store (the same rows, written with nothing else).

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};
use statusdb::config::Source;
use statusdb::handoff::{DocumentOutcome, DocumentResult, SourceResult};
use statusdb::ingest::content_hash;
use statusdb::model::{Observation, TimeValue, db_time};
use statusdb::providers::{Kind, PageInput};
use std::time::Duration;

/// A `statuspage` source with the given id as its vendor.
pub fn source(id: &str, url: &str) -> Source {
    Source {
        id: id.to_string(),
        vendor: id.to_string(),
        name: id.to_string(),
        kind: Kind::Statuspage,
        url: url.parse().expect("a URL"),
        interval: Duration::from_secs(300),
        zone: None,
    }
}

/// Parses one document as the ingest does (hash, then parse) into its outcome.
pub fn parsed(kind: Kind, url: &str, body: &[u8], fetched_at: DateTime<Utc>) -> DocumentResult {
    let input = PageInput {
        url,
        body,
        fetched_at,
        zone: None,
    };
    let observation = kind.parse(&input).expect("generated pages parse");
    DocumentResult {
        url: url.to_string(),
        fetched_at,
        duration: Duration::from_millis(1),
        attempts: 1,
        outcome: DocumentOutcome::Parsed {
            body: statusdb::store::compress_body(body, content_hash(body))
                .expect("zstd compresses"),
            validators: Default::default(),
            observation,
            prepared: Vec::new(),
        },
    }
}

/// Every parsed observation of a source result.
pub fn observations(result: &SourceResult) -> impl Iterator<Item = &Observation> {
    result.documents.iter().filter_map(|d| match &d.outcome {
        DocumentOutcome::Parsed { observation, .. } => Some(observation),
        _ => None,
    })
}

/// Rows of a source result: (incidents, updates).
pub fn row_counts(result: &SourceResult) -> (usize, usize) {
    observations(result).fold((0, 0), |(i, u), o| {
        (
            i + o.incidents.len(),
            u + o.incidents.iter().map(|x| x.updates.len()).sum::<usize>(),
        )
    })
}

/// The store's limit: the incident, update and update-component rows of the observations,
/// inserted with prepared statements in the caller's transaction, and nothing else (no
/// lookups, no merge, no raw pages, no fetch log). `OR IGNORE`, not `OR REPLACE`: an incident
/// listed by two documents of a page is written once, and a REPLACE into a foreign-key parent
/// costs far more than the insert (about 700 rows/s into a database of 1,000,000 updates).
/// Returns the updates written.
pub fn plain_insert(
    conn: &Connection,
    vendor: &str,
    source_id: &str,
    observations: &[&Observation],
    seen: DateTime<Utc>,
) -> rusqlite::Result<usize> {
    let seen = db_time(&seen);
    let mut incident = conn.prepare_cached(
        "INSERT OR IGNORE INTO incidents(id, vendor, kind, title, url, impact, impact_raw,
           status, status_raw, created_at, created_at_raw, started_at, started_at_source,
           started_at_raw, resolved_at, resolved_at_source, resolved_at_raw, first_seen_at,
           last_seen_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'structured', ?13, ?14,
           'structured', ?15, ?16, ?16)",
    )?;
    let mut update = conn.prepare_cached(
        "INSERT OR IGNORE INTO incident_updates(id, incident_id, native_id, status, status_raw,
           posted_at, posted_at_raw, posted_at_source, body, source_id, first_seen_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'structured', ?8, ?9, ?10)",
    )?;
    let mut component = conn.prepare_cached(
        "INSERT OR IGNORE INTO update_components(update_id, position, native_id, name, status,
           status_raw) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut updates = 0;
    for o in observations {
        for i in &o.incidents {
            let id = format!("{vendor}/{}", i.native_id.as_deref().unwrap_or(&i.title));
            let t = |v: &Option<TimeValue>| v.as_ref().map(|t| db_time(&t.utc));
            fn raw(v: &Option<TimeValue>) -> Option<&str> {
                v.as_ref().map(|t| t.raw.as_str())
            }
            incident.execute(params![
                id,
                vendor,
                i.kind.as_str(),
                i.title,
                i.url,
                i.impact.map(|x| x.as_str()),
                i.impact_raw,
                i.status.map(|x| x.as_str()),
                i.status_raw,
                t(&i.created_at),
                raw(&i.created_at),
                t(&i.started_at),
                raw(&i.started_at),
                t(&i.resolved_at),
                raw(&i.resolved_at),
                seen,
            ])?;
            for (n, u) in i.updates.iter().enumerate() {
                let uid = match &u.native_id {
                    Some(x) => format!("{vendor}/{x}"),
                    None => format!("{id}@{n}"),
                };
                update.execute(params![
                    uid,
                    id,
                    u.native_id,
                    u.status.map(|x| x.as_str()),
                    u.status_raw,
                    db_time(&u.posted_at.utc),
                    u.posted_at.raw,
                    u.body,
                    source_id,
                    seen,
                ])?;
                for (p, c) in u.components.iter().enumerate() {
                    component.execute(params![
                        uid,
                        p as i64,
                        c.native_id,
                        c.name,
                        c.status.as_str(),
                        c.status_raw
                    ])?;
                }
                updates += 1;
            }
        }
    }
    Ok(updates)
}
