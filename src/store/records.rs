//! Reading and writing canonical records. Writes are differences against what was loaded, so an
//! unchanged observation writes nothing.

use super::StoreError;
use crate::model::{
    Anomaly, ComponentChange, ComponentRecord, IncidentKind, IncidentRecord, TimeSource, TimeValue,
    UpdateRecord, db_time, parse_db_time,
};
use crate::normalize::Revision;
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

fn time_value(
    utc: Option<String>,
    raw: Option<String>,
    source: Option<String>,
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
    structured_resolved_at, scheduled_for, scheduled_until, first_seen_at, last_seen_at";

fn incident_from_row(r: &Row<'_>) -> rusqlite::Result<Vec<Option<String>>> {
    (0..23).map(|i| r.get::<_, Option<String>>(i)).collect()
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
    let created_at = {
        let (u, raw) = (next(), next());
        time_value(u, raw, None)?
    };
    let started_at = {
        let (u, s, raw) = (next(), next(), next());
        time_value(u, raw, s)?
    };
    let resolved_at = {
        let (u, s, raw) = (next(), next(), next());
        time_value(u, raw, s)?
    };
    let structured_started_at = time_value(next(), None, None)?;
    let structured_resolved_at = time_value(next(), None, None)?;
    let scheduled_for = time_value(next(), None, None)?;
    let scheduled_until = time_value(next(), None, None)?;
    let first_seen_at = instant(next().unwrap_or_default())?;
    let last_seen_at = instant(next().unwrap_or_default())?;

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
            "SELECT code, detail FROM anomalies WHERE incident_id = ?1 ORDER BY code, detail",
        )?;
        let rows = stmt.query_map([&id], |r| {
            Ok(Anomaly {
                code: r.get(0)?,
                detail: r.get(1)?,
            })
        })?;
        rows.collect::<Result<Vec<_>, _>>()?
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
                u.posted_at_source, u.body, u.source_id, u.first_seen_at
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
        ) = row?;
        updates.push(UpdateRecord {
            components: Vec::new(),
            posted_at: time_value(Some(posted), Some(posted_raw), Some(posted_source))?
                .ok_or_else(|| StoreError::Invalid("update without time".into()))?,
            status: parse_word(status)?,
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
        conn.prepare_cached(
            "INSERT INTO incidents(id, vendor, kind, title, url, impact, impact_raw, status,
               status_raw, created_at, created_at_raw, started_at, started_at_source,
               started_at_raw, resolved_at, resolved_at_source, resolved_at_raw,
               structured_started_at, structured_resolved_at, scheduled_for, scheduled_until,
               duration_seconds, first_seen_at, last_seen_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
               ?18, ?19, ?20, ?21, ?22, ?23, ?24)
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
               first_seen_at = excluded.first_seen_at, last_seen_at = excluded.last_seen_at",
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
    conn.prepare_cached(
        "INSERT INTO incident_sources(incident_id, source_id, first_seen_at, last_seen_at)
         VALUES (?1, ?2, ?3, ?3)
         ON CONFLICT(incident_id, source_id) DO UPDATE SET last_seen_at = excluded.last_seen_at",
    )?
    .execute(params![new.id, source_id, seen])?;
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
                       posted_at_raw = ?5, posted_at_source = ?6, body = ?7 WHERE id = ?1",
                )?
                .execute(params![
                    update.id,
                    update.status.map(|s| s.as_str()),
                    update.status_raw,
                    db_time(&update.posted_at.utc),
                    update.posted_at.raw,
                    update.posted_at.source.as_str(),
                    update.body,
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
            "INSERT OR IGNORE INTO anomalies(incident_id, code, detail, first_seen_at) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![new.id, added.code, added.detail, seen])?;
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
        || a.structured_started_at.as_ref().map(|t| t.utc)
            != b.structured_started_at.as_ref().map(|t| t.utc)
        || a.structured_resolved_at.as_ref().map(|t| t.utc)
            != b.structured_resolved_at.as_ref().map(|t| t.utc)
        || a.scheduled_for.as_ref().map(|t| t.utc) != b.scheduled_for.as_ref().map(|t| t.utc)
        || a.scheduled_until.as_ref().map(|t| t.utc) != b.scheduled_until.as_ref().map(|t| t.utc)
}

fn insert_update(conn: &Connection, incident_id: &str, u: &UpdateRecord) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO incident_updates(id, incident_id, native_id, status, status_raw, posted_at,
           posted_at_raw, posted_at_source, body, source_id, first_seen_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
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
            "INSERT INTO component_status_changes(component_id, status, previous_status, changed_at, source_id)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![c.id, c.status.as_str(), previous, at, c.source_id])?;
    }
    Ok(ComponentSave {
        previous_status: previous,
        changed,
    })
}
