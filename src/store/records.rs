//! Reading and writing canonical records. Writes are differences against what was loaded, so an
//! unchanged observation writes nothing.

use super::StoreError;
use crate::model::{
    Anomaly, ComponentChange, ComponentRecord, IncidentKind, IncidentRecord, TimeSource, TimeValue,
    UpdateRecord, db_time, parse_db_time,
};
use crate::normalize::Revision;
use crate::normalize::components::update_transitions;
use crate::normalize::identity::title_key;
use crate::timetext::Flags;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};
use std::collections::HashMap;
use std::str::FromStr;

/// Counts of what one save changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SaveCounts {
    pub incident_new: bool,
    pub incident_changed: bool,
    pub updates_new: usize,
    pub updates_changed: usize,
}

pub fn find_incident(
    conn: &Connection,
    vendor: &str,
    keys: &[String],
) -> Result<Option<String>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT incident_id FROM incident_aliases WHERE vendor = ?1 AND alias = ?2",
    )?;
    for key in keys {
        if let Some(id) = stmt
            .query_row(params![vendor, key], |r| r.get::<_, String>(0))
            .optional()?
        {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// The vendor's records of the observation's kind whose normalized title is the
/// observation's, earliest first: the candidates of the title rule
/// (`normalize::identity::same_by_title_and_time`). An observation with a native id can only
/// be a record without one (created from a fingerprint): only those are listed for it.
pub fn find_by_title(
    conn: &Connection,
    vendor: &str,
    observed: &crate::model::ObservedIncident,
) -> Result<Vec<String>, StoreError> {
    let key = title_key(&observed.title);
    if key.is_empty() {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM incidents WHERE vendor = ?1 AND kind = ?2 AND title_key = ?3
           AND (?4 = 0 OR id LIKE ?1 || '/fp-%')
         ORDER BY started_at, id",
    )?;
    let fingerprinted_only = i64::from(observed.native_id.is_some());
    let rows = stmt.query_map(
        params![vendor, observed.kind.as_str(), key, fingerprinted_only],
        |r| r.get::<_, String>(0),
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn time_value(
    utc: Option<String>,
    raw: Option<String>,
    source: Option<String>,
    flags: Option<String>,
) -> Result<Option<TimeValue>, StoreError> {
    let Some(utc) = utc else { return Ok(None) };
    let instant = parse_db_time(&utc)
        .ok_or_else(|| StoreError::Invalid(format!("time {utc:?} is not RFC 3339")))?;
    let source = match source {
        Some(s) => TimeSource::from_str(&s).map_err(|e| StoreError::Invalid(e.to_string()))?,
        None => TimeSource::Structured,
    };
    Ok(Some(TimeValue {
        utc: instant,
        raw: raw.unwrap_or_else(|| utc.clone()),
        source,
        flags: Flags::from_list(flags.as_deref()),
    }))
}

fn parse_word<T: FromStr<Err = crate::model::UnknownWord>>(
    text: Option<String>,
) -> Result<Option<T>, StoreError> {
    text.map(|t| T::from_str(&t).map_err(|e| StoreError::Invalid(e.to_string())))
        .transpose()
}

fn instant(text: String) -> Result<DateTime<Utc>, StoreError> {
    parse_db_time(&text)
        .ok_or_else(|| StoreError::Invalid(format!("time {text:?} is not RFC 3339")))
}

const INCIDENT_COLUMNS: &str =
    "id, vendor, kind, title, url, impact, impact_raw, status, status_raw,
    created_at, created_at_raw, started_at, started_at_source, started_at_raw,
    resolved_at, resolved_at_source, resolved_at_raw, structured_started_at,
    structured_resolved_at, scheduled_for, scheduled_until, first_seen_at, last_seen_at,
    created_at_source, structured_started_at_raw, structured_started_at_source,
    structured_resolved_at_raw, structured_resolved_at_source, scheduled_for_raw,
    scheduled_for_source, scheduled_until_raw, scheduled_until_source, created_at_flags,
    started_at_flags, resolved_at_flags, structured_started_at_flags, structured_resolved_at_flags,
    scheduled_for_flags, scheduled_until_flags";

fn incident_from_row(r: &Row<'_>) -> rusqlite::Result<Vec<Option<String>>> {
    (0..39).map(|i| r.get::<_, Option<String>>(i)).collect()
}

/// Loads one incident with everything that belongs to it.
pub fn load_incident(conn: &Connection, id: &str) -> Result<Option<IncidentRecord>, StoreError> {
    let sql = format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = ?1");
    let Some(cols) = conn
        .prepare_cached(&sql)?
        .query_row([id], incident_from_row)
        .optional()?
    else {
        return Ok(None);
    };
    let mut c = cols.into_iter();
    let mut next = || c.next().flatten();
    let id = next().unwrap_or_default();
    let vendor = next().unwrap_or_default();
    let kind: IncidentKind = parse_word(next())?.unwrap_or(IncidentKind::Incident);
    let title = next().unwrap_or_default();
    let url = next();
    let impact = parse_word(next())?;
    let impact_raw = next();
    let status = parse_word(next())?;
    let status_raw = next();
    let created_at = next();
    let created_at_raw = next();
    let started_at = (next(), next(), next());
    let resolved_at = (next(), next(), next());
    let (structured_started_at, structured_resolved_at) = (next(), next());
    let (scheduled_for, scheduled_until) = (next(), next());
    let first_seen_at = instant(next().unwrap_or_default())?;
    let last_seen_at = instant(next().unwrap_or_default())?;
    // Raw text and source of these times (migration 3; NULL in older rows: structured).
    let created_at_source = next();
    let structured_started_at = (structured_started_at, next(), next());
    let structured_resolved_at = (structured_resolved_at, next(), next());
    let scheduled_for = (scheduled_for, next(), next());
    let scheduled_until = (scheduled_until, next(), next());
    // Their flags (migration 4).
    let created_at = time_value(created_at, created_at_raw, created_at_source, next())?;
    let started_at = time_value(started_at.0, started_at.2, started_at.1, next())?;
    let resolved_at = time_value(resolved_at.0, resolved_at.2, resolved_at.1, next())?;
    let [
        structured_started_at,
        structured_resolved_at,
        scheduled_for,
        scheduled_until,
    ] = [
        structured_started_at,
        structured_resolved_at,
        scheduled_for,
        scheduled_until,
    ]
    .map(|(utc, raw, source)| (utc, raw, source, next()));
    let structured_started_at = time_value(
        structured_started_at.0,
        structured_started_at.1,
        structured_started_at.2,
        structured_started_at.3,
    )?;
    let structured_resolved_at = time_value(
        structured_resolved_at.0,
        structured_resolved_at.1,
        structured_resolved_at.2,
        structured_resolved_at.3,
    )?;
    let scheduled_for = time_value(
        scheduled_for.0,
        scheduled_for.1,
        scheduled_for.2,
        scheduled_for.3,
    )?;
    let scheduled_until = time_value(
        scheduled_until.0,
        scheduled_until.1,
        scheduled_until.2,
        scheduled_until.3,
    )?;

    let strings = |sql: &str| -> Result<Vec<String>, StoreError> {
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map([&id], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    };
    let aliases =
        strings("SELECT alias FROM incident_aliases WHERE incident_id = ?1 ORDER BY alias")?;
    let sources = strings(
        "SELECT source_id FROM incident_sources WHERE incident_id = ?1 ORDER BY source_id",
    )?;
    let components =
        strings("SELECT name FROM incident_components WHERE incident_id = ?1 ORDER BY position")?;
    let anomalies = {
        let mut stmt = conn.prepare_cached(
            "SELECT code, detail, source_id FROM anomalies WHERE incident_id = ?1",
        )?;
        let rows = stmt.query_map([&id], |r| {
            Ok(Anomaly {
                code: r.get(0)?,
                detail: r.get(1)?,
                source_id: r.get(2)?,
            })
        })?;
        // The normalizer's order (code, detail, source), which SQL collation need not share.
        let mut list = rows.collect::<Result<Vec<_>, _>>()?;
        list.sort();
        list
    };
    let updates = load_updates(conn, &id)?;
    Ok(Some(IncidentRecord {
        id,
        vendor,
        kind,
        title,
        url,
        impact,
        impact_raw,
        status,
        status_raw,
        created_at,
        started_at,
        resolved_at,
        structured_started_at,
        structured_resolved_at,
        scheduled_for,
        scheduled_until,
        components,
        updates,
        anomalies,
        sources,
        aliases,
        first_seen_at,
        last_seen_at,
    }))
}

/// An incident's updates, oldest first (ties in the order they were first stored).
pub fn load_updates(conn: &Connection, incident_id: &str) -> Result<Vec<UpdateRecord>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT u.id, u.native_id, u.status, u.status_raw, u.posted_at, u.posted_at_raw,
                u.posted_at_source, u.body, u.source_id, u.first_seen_at, u.posted_at_flags,
                u.status_stated, u.zone
         FROM incident_updates u WHERE u.incident_id = ?1 ORDER BY u.posted_at, u.rowid",
    )?;
    let rows = stmt.query_map([incident_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, Option<String>>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, String>(7)?,
            r.get::<_, String>(8)?,
            r.get::<_, String>(9)?,
            r.get::<_, Option<String>>(10)?,
            r.get::<_, Option<String>>(11)?,
            r.get::<_, Option<String>>(12)?,
        ))
    })?;
    let mut updates = Vec::new();
    for row in rows {
        let (
            id,
            native_id,
            status,
            status_raw,
            posted,
            posted_raw,
            posted_source,
            body,
            source_id,
            first_seen,
            posted_flags,
            status_stated,
            zone,
        ) = row?;
        updates.push(UpdateRecord {
            components: Vec::new(),
            posted_at: time_value(
                Some(posted),
                Some(posted_raw),
                Some(posted_source),
                posted_flags,
            )?
            .ok_or_else(|| StoreError::Invalid("update without time".into()))?,
            status: parse_word(status)?,
            stated_status: parse_word(status_stated)?,
            zone: zone.as_deref().and_then(|z| z.parse().ok()),
            id,
            native_id,
            status_raw,
            body,
            source_id,
            first_seen_at: instant(first_seen)?,
        });
    }
    if updates.is_empty() {
        return Ok(updates);
    }
    let mut by_id: HashMap<String, usize> = HashMap::with_capacity(updates.len());
    for (i, u) in updates.iter().enumerate() {
        by_id.insert(u.id.clone(), i);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT c.update_id, c.native_id, c.name, c.status, c.status_raw
         FROM update_components c JOIN incident_updates u ON u.id = c.update_id
         WHERE u.incident_id = ?1 ORDER BY c.update_id, c.position",
    )?;
    let rows = stmt.query_map([incident_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, Option<String>>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
        ))
    })?;
    for row in rows {
        let (update_id, native_id, name, status, status_raw) = row?;
        if let Some(&i) = by_id.get(&update_id) {
            updates[i].components.push(ComponentChange {
                native_id,
                name,
                status: parse_word(Some(status))?.unwrap_or(crate::model::ComponentStatus::Unknown),
                status_raw,
            });
        }
    }
    Ok(updates)
}

/// Records that a source showed an incident at `seen_at` (its first and last sighting by that
/// source).
pub fn note_source(
    conn: &Connection,
    incident_id: &str,
    source_id: &str,
    seen_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO incident_sources(incident_id, source_id, first_seen_at, last_seen_at)
         VALUES (?1, ?2, ?3, ?3)
         ON CONFLICT(incident_id, source_id) DO UPDATE SET last_seen_at = excluded.last_seen_at",
    )?
    .execute(params![incident_id, source_id, db_time(&seen_at)])?;
    Ok(())
}

/// Writes the difference between `old` (as loaded) and `new` (as merged).
pub fn save_incident(
    conn: &Connection,
    old: Option<&IncidentRecord>,
    new: &IncidentRecord,
    revisions: &[Revision],
    source_id: &str,
    seen_at: DateTime<Utc>,
) -> Result<SaveCounts, StoreError> {
    let mut counts = SaveCounts {
        incident_new: old.is_none(),
        ..SaveCounts::default()
    };
    let seen = db_time(&seen_at);
    let content_changed = old.is_some_and(|o| incident_content_differs(o, new));
    let seen_changed = old.is_some_and(|o| {
        o.first_seen_at != new.first_seen_at || o.last_seen_at != new.last_seen_at
    });
    if old.is_none() || content_changed || seen_changed {
        counts.incident_changed = content_changed;
        let t = |v: &Option<TimeValue>| v.as_ref().map(|t| db_time(&t.utc));
        let raw = |v: &Option<TimeValue>| v.as_ref().map(|t| t.raw.clone());
        let src = |v: &Option<TimeValue>| v.as_ref().map(|t| t.source.as_str());
        let flags = |v: &Option<TimeValue>| v.as_ref().and_then(|t| t.flags.to_list());
        conn.prepare_cached(
            "INSERT INTO incidents(id, vendor, kind, title, url, impact, impact_raw, status,
               status_raw, created_at, created_at_raw, started_at, started_at_source,
               started_at_raw, resolved_at, resolved_at_source, resolved_at_raw,
               structured_started_at, structured_resolved_at, scheduled_for, scheduled_until,
               duration_seconds, first_seen_at, last_seen_at, created_at_source,
               structured_started_at_raw, structured_started_at_source,
               structured_resolved_at_raw, structured_resolved_at_source, scheduled_for_raw,
               scheduled_for_source, scheduled_until_raw, scheduled_until_source, title_key,
               created_at_flags, started_at_flags, resolved_at_flags, structured_started_at_flags,
               structured_resolved_at_flags, scheduled_for_flags, scheduled_until_flags)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
               ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33,
               ?34, ?35, ?36, ?37, ?38, ?39, ?40, ?41)
             ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, title = excluded.title,
               url = excluded.url, impact = excluded.impact, impact_raw = excluded.impact_raw,
               status = excluded.status, status_raw = excluded.status_raw,
               created_at = excluded.created_at, created_at_raw = excluded.created_at_raw,
               started_at = excluded.started_at, started_at_source = excluded.started_at_source,
               started_at_raw = excluded.started_at_raw, resolved_at = excluded.resolved_at,
               resolved_at_source = excluded.resolved_at_source,
               resolved_at_raw = excluded.resolved_at_raw,
               structured_started_at = excluded.structured_started_at,
               structured_resolved_at = excluded.structured_resolved_at,
               scheduled_for = excluded.scheduled_for, scheduled_until = excluded.scheduled_until,
               duration_seconds = excluded.duration_seconds,
               first_seen_at = excluded.first_seen_at, last_seen_at = excluded.last_seen_at,
               created_at_source = excluded.created_at_source,
               structured_started_at_raw = excluded.structured_started_at_raw,
               structured_started_at_source = excluded.structured_started_at_source,
               structured_resolved_at_raw = excluded.structured_resolved_at_raw,
               structured_resolved_at_source = excluded.structured_resolved_at_source,
               scheduled_for_raw = excluded.scheduled_for_raw,
               scheduled_for_source = excluded.scheduled_for_source,
               scheduled_until_raw = excluded.scheduled_until_raw,
               scheduled_until_source = excluded.scheduled_until_source,
               title_key = excluded.title_key, created_at_flags = excluded.created_at_flags,
               started_at_flags = excluded.started_at_flags,
               resolved_at_flags = excluded.resolved_at_flags,
               structured_started_at_flags = excluded.structured_started_at_flags,
               structured_resolved_at_flags = excluded.structured_resolved_at_flags,
               scheduled_for_flags = excluded.scheduled_for_flags,
               scheduled_until_flags = excluded.scheduled_until_flags",
        )?
        .execute(params![
            new.id,
            new.vendor,
            new.kind.as_str(),
            new.title,
            new.url,
            new.impact.map(|i| i.as_str()),
            new.impact_raw,
            new.status.map(|s| s.as_str()),
            new.status_raw,
            t(&new.created_at),
            raw(&new.created_at),
            t(&new.started_at),
            src(&new.started_at),
            raw(&new.started_at),
            t(&new.resolved_at),
            src(&new.resolved_at),
            raw(&new.resolved_at),
            t(&new.structured_started_at),
            t(&new.structured_resolved_at),
            t(&new.scheduled_for),
            t(&new.scheduled_until),
            new.duration_seconds(),
            db_time(&new.first_seen_at),
            db_time(&new.last_seen_at),
            src(&new.created_at),
            raw(&new.structured_started_at),
            src(&new.structured_started_at),
            raw(&new.structured_resolved_at),
            src(&new.structured_resolved_at),
            raw(&new.scheduled_for),
            src(&new.scheduled_for),
            raw(&new.scheduled_until),
            src(&new.scheduled_until),
            title_key(&new.title),
            flags(&new.created_at),
            flags(&new.started_at),
            flags(&new.resolved_at),
            flags(&new.structured_started_at),
            flags(&new.structured_resolved_at),
            flags(&new.scheduled_for),
            flags(&new.scheduled_until),
        ])?;
    }

    {
        let mut stmt = conn.prepare_cached(
            "INSERT OR IGNORE INTO incident_aliases(vendor, alias, incident_id) VALUES (?1, ?2, ?3)",
        )?;
        for alias in &new.aliases {
            if old.is_none_or(|o| !o.aliases.contains(alias)) {
                stmt.execute(params![new.vendor, alias, new.id])?;
            }
        }
    }
    note_source(conn, &new.id, source_id, seen_at)?;
    {
        let mut stmt = conn.prepare_cached(
            "INSERT OR IGNORE INTO incident_components(incident_id, position, name) VALUES (?1, ?2, ?3)",
        )?;
        for (i, name) in new.components.iter().enumerate() {
            if old.is_none_or(|o| !o.components.contains(name)) {
                stmt.execute(params![new.id, i as i64, name])?;
            }
        }
    }

    let old_updates: HashMap<&str, &UpdateRecord> = old
        .map(|o| o.updates.iter().map(|u| (u.id.as_str(), u)).collect())
        .unwrap_or_default();
    for update in &new.updates {
        match old_updates.get(update.id.as_str()) {
            None => {
                insert_update(conn, &new.id, update)?;
                counts.updates_new += 1;
            }
            Some(previous) if *previous != update => {
                conn.prepare_cached(
                    "UPDATE incident_updates SET status = ?2, status_raw = ?3, posted_at = ?4,
                       posted_at_raw = ?5, posted_at_source = ?6, body = ?7, native_id = ?8,
                       posted_at_flags = ?9, status_stated = ?10, zone = ?11
                     WHERE id = ?1",
                )?
                .execute(params![
                    update.id,
                    update.status.map(|s| s.as_str()),
                    update.status_raw,
                    db_time(&update.posted_at.utc),
                    update.posted_at.raw,
                    update.posted_at.source.as_str(),
                    update.body,
                    update.native_id,
                    update.posted_at.flags.to_list(),
                    update.stated_status.map(|s| s.as_str()),
                    update.zone.map(|z| z.name()),
                ])?;
                if previous.components != update.components {
                    conn.prepare_cached("DELETE FROM update_components WHERE update_id = ?1")?
                        .execute([&update.id])?;
                    insert_update_components(conn, update)?;
                }
                counts.updates_changed += 1;
            }
            Some(_) => {}
        }
    }

    let old_anomalies: &[Anomaly] = old.map(|o| o.anomalies.as_slice()).unwrap_or(&[]);
    for gone in old_anomalies.iter().filter(|a| !new.anomalies.contains(a)) {
        conn.prepare_cached(
            "DELETE FROM anomalies WHERE incident_id = ?1 AND code = ?2 AND detail = ?3",
        )?
        .execute(params![new.id, gone.code, gone.detail])?;
    }
    for added in new.anomalies.iter().filter(|a| !old_anomalies.contains(a)) {
        conn.prepare_cached(
            "INSERT OR IGNORE INTO anomalies(incident_id, code, detail, first_seen_at, source_id)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            new.id,
            added.code,
            added.detail,
            seen,
            added.source_id
        ])?;
    }

    let old_transitions = old.map(update_transitions).unwrap_or_default();
    let new_transitions = update_transitions(new);
    if old_transitions != new_transitions {
        conn.prepare_cached(
            "DELETE FROM component_status_changes WHERE origin = 'update' AND incident_id = ?1",
        )?
        .execute([&new.id])?;
        let mut stmt = conn.prepare_cached(
            "INSERT INTO component_status_changes(component_id, vendor, name, status,
               previous_status, changed_at, source_id, origin, incident_id, update_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'update', ?8, ?9)",
        )?;
        for t in &new_transitions {
            stmt.execute(params![
                t.component_id,
                new.vendor,
                t.name,
                t.status.as_str(),
                t.previous_status.map(|s| s.as_str()),
                db_time(&t.changed_at),
                t.source_id,
                new.id,
                t.update_id,
            ])?;
        }
    }

    let mut stmt = conn.prepare_cached(
        "INSERT INTO revisions(entity, entity_id, field, old_value, new_value, changed_at, source_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for r in revisions {
        stmt.execute(params![
            r.entity,
            r.entity_id,
            r.field,
            r.old_value,
            r.new_value,
            seen,
            source_id
        ])?;
    }
    Ok(counts)
}

/// Whether what the incident says changed (not merely when it was last seen).
fn incident_content_differs(a: &IncidentRecord, b: &IncidentRecord) -> bool {
    a.kind != b.kind
        || a.title != b.title
        || a.url != b.url
        || a.impact != b.impact
        || a.impact_raw != b.impact_raw
        || a.status != b.status
        || a.status_raw != b.status_raw
        || a.created_at != b.created_at
        || a.started_at != b.started_at
        || a.resolved_at != b.resolved_at
        || a.structured_started_at != b.structured_started_at
        || a.structured_resolved_at != b.structured_resolved_at
        || a.scheduled_for != b.scheduled_for
        || a.scheduled_until != b.scheduled_until
}

fn insert_update(conn: &Connection, incident_id: &str, u: &UpdateRecord) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO incident_updates(id, incident_id, native_id, status, status_raw, posted_at,
           posted_at_raw, posted_at_source, body, source_id, first_seen_at, posted_at_flags,
           status_stated, zone)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        u.id,
        incident_id,
        u.native_id,
        u.status.map(|s| s.as_str()),
        u.status_raw,
        db_time(&u.posted_at.utc),
        u.posted_at.raw,
        u.posted_at.source.as_str(),
        u.body,
        u.source_id,
        db_time(&u.first_seen_at),
        u.posted_at.flags.to_list(),
        u.stated_status.map(|s| s.as_str()),
        u.zone.map(|z| z.name()),
    ])?;
    insert_update_components(conn, u)
}

fn insert_update_components(conn: &Connection, u: &UpdateRecord) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO update_components(update_id, position, native_id, name, status, status_raw)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (i, c) in u.components.iter().enumerate() {
        stmt.execute(params![
            u.id,
            i as i64,
            c.native_id,
            c.name,
            c.status.as_str(),
            c.status_raw
        ])?;
    }
    Ok(())
}

/// What saving a component found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentSave {
    /// The status held before, `None` for a component not stored until now.
    pub previous_status: Option<String>,
    /// True when the status changed (or the component is new).
    pub changed: bool,
}

/// Upserts a component's latest status, logging a status change when it differs.
pub fn save_component(conn: &Connection, c: &ComponentRecord) -> Result<ComponentSave, StoreError> {
    let previous: Option<String> = conn
        .prepare_cached("SELECT status FROM components WHERE id = ?1")?
        .query_row([&c.id], |r| r.get(0))
        .optional()?;
    let seen = db_time(&c.last_seen_at);
    conn.prepare_cached(
        "INSERT INTO components(id, vendor, native_id, name, group_name, status, status_raw,
           updated_at, source_id, first_seen_at, last_seen_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)
         ON CONFLICT(id) DO UPDATE SET native_id = excluded.native_id, name = excluded.name,
           group_name = excluded.group_name, status = excluded.status,
           status_raw = excluded.status_raw, updated_at = excluded.updated_at,
           source_id = excluded.source_id, last_seen_at = excluded.last_seen_at",
    )?
    .execute(params![
        c.id,
        c.vendor,
        c.native_id,
        c.name,
        c.group,
        c.status.as_str(),
        c.status_raw,
        c.updated_at.as_ref().map(|t| db_time(&t.utc)),
        c.source_id,
        seen,
    ])?;
    let changed = previous.as_deref() != Some(c.status.as_str());
    if changed {
        let at = c
            .updated_at
            .as_ref()
            .map(|t| db_time(&t.utc))
            .unwrap_or_else(|| seen.clone());
        conn.prepare_cached(
            "INSERT INTO component_status_changes(component_id, vendor, name, status,
               previous_status, changed_at, source_id, origin)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'snapshot')",
        )?
        .execute(params![
            c.id,
            c.vendor,
            c.name,
            c.status.as_str(),
            previous,
            at,
            c.source_id
        ])?;
    }
    Ok(ComponentSave {
        previous_status: previous,
        changed,
    })
}
