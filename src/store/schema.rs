//! Schema migrations, keyed by `PRAGMA user_version`. A migration is appended, never edited,
//! once it has landed: databases in the field run every migration after their version.

/// Each entry moves the schema from version `index` to `index + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[
    MIGRATION_1,
    MIGRATION_2_EVENTS_AND_VIEWS,
    MIGRATION_3_AUTO_KIND_AND_TIME_SOURCES,
    MIGRATION_4_FAIL_CLOSED,
    MIGRATION_5_NORMALIZE,
    MIGRATION_6_COMPONENTS_BY_SOURCE,
    MIGRATION_7_NOTIFY_OUTBOX,
    MIGRATION_8_UPTIME,
    MIGRATION_9_FAILURE_CAUSES,
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

const MIGRATION_1: &str = r#"
CREATE TABLE vendors (
    id TEXT PRIMARY KEY
) STRICT;

CREATE TABLE sources (
    id TEXT PRIMARY KEY,
    vendor TEXT NOT NULL REFERENCES vendors(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    url TEXT NOT NULL,
    interval_seconds INTEGER NOT NULL,
    last_attempt_at TEXT,
    last_success_at TEXT,
    last_error TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    next_due_at TEXT
) STRICT;

-- Conditional-request state per document of a source.
CREATE TABLE source_endpoints (
    source_id TEXT NOT NULL REFERENCES sources(id),
    url TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    content_hash TEXT,
    PRIMARY KEY (source_id, url)
) STRICT;

CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    sources_ok INTEGER NOT NULL DEFAULT 0,
    sources_failed INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Every distinct body once, zstd-compressed, so records can be rebuilt after a parser improves.
CREATE TABLE raw_pages (
    hash TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    compression TEXT NOT NULL,
    body BLOB NOT NULL,
    first_fetched_at TEXT NOT NULL
) STRICT;

-- One row per attempt to fetch one document.
CREATE TABLE fetches (
    id INTEGER PRIMARY KEY,
    run_id INTEGER REFERENCES runs(id),
    source_id TEXT NOT NULL REFERENCES sources(id),
    url TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    http_status INTEGER,
    outcome TEXT NOT NULL CHECK (outcome IN ('parsed', 'unchanged', 'not_modified', 'absent', 'failed')),
    error TEXT,
    raw_page_hash TEXT REFERENCES raw_pages(hash),
    bytes INTEGER
) STRICT;
CREATE INDEX fetches_by_source ON fetches(source_id, fetched_at);

CREATE TABLE components (
    id TEXT PRIMARY KEY,
    vendor TEXT NOT NULL REFERENCES vendors(id),
    native_id TEXT,
    name TEXT NOT NULL,
    group_name TEXT,
    status TEXT NOT NULL,
    status_raw TEXT NOT NULL,
    updated_at TEXT,
    source_id TEXT NOT NULL REFERENCES sources(id),
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
) STRICT;
CREATE INDEX components_by_vendor ON components(vendor, name);

CREATE TABLE component_status_changes (
    id INTEGER PRIMARY KEY,
    component_id TEXT NOT NULL REFERENCES components(id),
    status TEXT NOT NULL,
    previous_status TEXT,
    changed_at TEXT NOT NULL,
    source_id TEXT NOT NULL REFERENCES sources(id)
) STRICT;
CREATE INDEX component_changes_by_component ON component_status_changes(component_id, changed_at);

CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    vendor TEXT NOT NULL REFERENCES vendors(id),
    kind TEXT NOT NULL CHECK (kind IN ('incident', 'maintenance')),
    title TEXT NOT NULL,
    url TEXT,
    impact TEXT,
    impact_raw TEXT,
    status TEXT,
    status_raw TEXT,
    created_at TEXT,
    created_at_raw TEXT,
    started_at TEXT,
    started_at_source TEXT,
    started_at_raw TEXT,
    resolved_at TEXT,
    resolved_at_source TEXT,
    resolved_at_raw TEXT,
    structured_started_at TEXT,
    structured_resolved_at TEXT,
    scheduled_for TEXT,
    scheduled_until TEXT,
    duration_seconds INTEGER,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
) STRICT;
CREATE INDEX incidents_by_vendor_time ON incidents(vendor, started_at);
CREATE INDEX incidents_by_time ON incidents(started_at);
CREATE INDEX incidents_open ON incidents(resolved_at) WHERE resolved_at IS NULL;

-- Every id an incident is known by on its vendor: native ids, feed entry ids, links.
CREATE TABLE incident_aliases (
    vendor TEXT NOT NULL,
    alias TEXT NOT NULL,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    PRIMARY KEY (vendor, alias)
) STRICT, WITHOUT ROWID;
CREATE INDEX incident_aliases_by_incident ON incident_aliases(incident_id);

CREATE TABLE incident_sources (
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    source_id TEXT NOT NULL REFERENCES sources(id),
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    PRIMARY KEY (incident_id, source_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX incident_sources_by_source ON incident_sources(source_id);

CREATE TABLE incident_components (
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (incident_id, name)
) STRICT, WITHOUT ROWID;
CREATE INDEX incident_components_by_name ON incident_components(name);

CREATE TABLE incident_updates (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    native_id TEXT,
    status TEXT,
    status_raw TEXT,
    posted_at TEXT NOT NULL,
    posted_at_raw TEXT NOT NULL,
    posted_at_source TEXT NOT NULL,
    body TEXT NOT NULL,
    source_id TEXT NOT NULL REFERENCES sources(id),
    first_seen_at TEXT NOT NULL
) STRICT;
CREATE INDEX incident_updates_by_incident ON incident_updates(incident_id, posted_at);

CREATE TABLE update_components (
    update_id TEXT NOT NULL REFERENCES incident_updates(id),
    position INTEGER NOT NULL,
    native_id TEXT,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    status_raw TEXT NOT NULL,
    PRIMARY KEY (update_id, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE anomalies (
    incident_id TEXT NOT NULL REFERENCES incidents(id),
    code TEXT NOT NULL,
    detail TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    PRIMARY KEY (incident_id, code, detail)
) STRICT, WITHOUT ROWID;

-- The previous value of every field a later observation changed.
CREATE TABLE revisions (
    id INTEGER PRIMARY KEY,
    entity TEXT NOT NULL CHECK (entity IN ('incident', 'update')),
    entity_id TEXT NOT NULL,
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    changed_at TEXT NOT NULL,
    source_id TEXT NOT NULL
) STRICT;
CREATE INDEX revisions_by_entity ON revisions(entity, entity_id);

CREATE VIEW active_incidents AS
    SELECT * FROM incidents WHERE resolved_at IS NULL AND kind = 'incident';

CREATE VIEW incident_durations AS
    SELECT id, vendor, kind, title, started_at, resolved_at, duration_seconds
    FROM incidents WHERE duration_seconds IS NOT NULL;

CREATE VIEW latest_component_status AS
    SELECT vendor, group_name, name, status, updated_at, last_seen_at FROM components;
"#;

/// Change events for `statusdb events`, and the views SQL users query (docs/SCHEMA.md).
const MIGRATION_2_EVENTS_AND_VIEWS: &str = r#"
-- What a run changed, written in the same transaction as the change itself. A source's first
-- successful ingest writes none: its history is recorded, not announced.
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    run_id INTEGER REFERENCES runs(id),
    source_id TEXT NOT NULL REFERENCES sources(id),
    type TEXT NOT NULL CHECK (type IN ('incident_opened', 'incident_updated', 'incident_resolved',
        'maintenance_scheduled', 'component_status_changed')),
    recorded_at TEXT NOT NULL,
    vendor TEXT NOT NULL REFERENCES vendors(id),
    incident_id TEXT REFERENCES incidents(id),
    component_id TEXT REFERENCES components(id),
    status TEXT,
    previous_status TEXT,
    -- JSON array of the ids of the updates this change added.
    new_update_ids TEXT NOT NULL DEFAULT '[]',
    -- JSON: the export object of the incident or component as it was after the change.
    record TEXT NOT NULL,
    CHECK ((incident_id IS NULL) <> (component_id IS NULL))
) STRICT;
CREATE INDEX events_by_run ON events(run_id);
CREATE INDEX events_by_time ON events(recorded_at);

DROP VIEW incident_durations;
CREATE VIEW incident_durations AS
    SELECT id, vendor, kind, title, impact, started_at, started_at_source, resolved_at,
           resolved_at_source, duration_seconds, round(duration_seconds / 60.0, 1) AS duration_minutes
    FROM incidents WHERE duration_seconds IS NOT NULL;

DROP VIEW latest_component_status;
CREATE VIEW latest_component_status AS
    SELECT id AS component_id, vendor, group_name, name, status, status_raw, updated_at,
           source_id, last_seen_at
    FROM components;

-- One row per period a component spent in one status; ended_at is NULL for the current one.
CREATE VIEW component_status_periods AS
    SELECT c.id AS component_id, c.vendor, c.group_name, c.name, s.status, s.changed_at AS started_at,
           lead(s.changed_at) OVER (PARTITION BY s.component_id ORDER BY s.changed_at, s.id) AS ended_at
    FROM component_status_changes s JOIN components c ON c.id = s.component_id;

CREATE VIEW vendor_incident_counts AS
    SELECT v.id AS vendor,
           count(i.id) FILTER (WHERE i.kind = 'incident') AS incidents,
           count(i.id) FILTER (WHERE i.kind = 'incident' AND i.resolved_at IS NULL) AS active_incidents,
           count(i.id) FILTER (WHERE i.kind = 'maintenance') AS maintenances,
           coalesce(sum(i.duration_seconds) FILTER (WHERE i.kind = 'incident'), 0) AS incident_seconds,
           min(i.started_at) FILTER (WHERE i.kind = 'incident') AS first_incident_at,
           max(i.started_at) FILTER (WHERE i.kind = 'incident') AS last_incident_at
    FROM vendors v LEFT JOIN incidents i ON i.vendor = v.id
    GROUP BY v.id;
"#;

/// `kind = "auto"`: the kind a probe chose for a source, for the URL it probed, with the
/// evidence it weighed; cleared when the source fails, so the next run probes again.
/// The raw text and source of the incident times that had none: a page's stated minute and an
/// API's machine instant of the same minute are told apart (NULL in older rows: structured).
const MIGRATION_3_AUTO_KIND_AND_TIME_SOURCES: &str = r#"
ALTER TABLE sources ADD COLUMN resolved_kind TEXT;
ALTER TABLE sources ADD COLUMN resolved_url TEXT;
ALTER TABLE sources ADD COLUMN resolved_at TEXT;
ALTER TABLE sources ADD COLUMN resolved_evidence TEXT;
ALTER TABLE incidents ADD COLUMN created_at_source TEXT;
ALTER TABLE incidents ADD COLUMN structured_started_at_raw TEXT;
ALTER TABLE incidents ADD COLUMN structured_started_at_source TEXT;
ALTER TABLE incidents ADD COLUMN structured_resolved_at_raw TEXT;
ALTER TABLE incidents ADD COLUMN structured_resolved_at_source TEXT;
ALTER TABLE incidents ADD COLUMN scheduled_for_raw TEXT;
ALTER TABLE incidents ADD COLUMN scheduled_for_source TEXT;
ALTER TABLE incidents ADD COLUMN scheduled_until_raw TEXT;
ALTER TABLE incidents ADD COLUMN scheduled_until_source TEXT;
"#;

/// Fail closed: a source failing `unknown_after_failures` runs in a row has its components
/// reported `unknown` (the vendor's last word is kept beside it as `declared_status`); and how
/// many requests each fetch took, retries included.
const MIGRATION_4_FAIL_CLOSED: &str = r#"
ALTER TABLE sources ADD COLUMN unknown_after_failures INTEGER NOT NULL DEFAULT 3;
ALTER TABLE fetches ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1;

DROP VIEW latest_component_status;
CREATE VIEW latest_component_status AS
    SELECT c.id AS component_id, c.vendor, c.group_name, c.name,
           CASE WHEN s.consecutive_failures >= s.unknown_after_failures THEN 'unknown'
                ELSE c.status END AS status,
           c.status_raw, c.updated_at, c.source_id, c.last_seen_at,
           s.consecutive_failures >= s.unknown_after_failures AS stale,
           c.status AS declared_status, s.last_success_at, s.consecutive_failures, s.last_error
    FROM components c JOIN sources s ON s.id = c.source_id;
"#;

/// One record per incident (docs/NORMALIZE.md): the normalized title the title rule looks
/// records up by; the flags of every stored time (so a later merge still sees an ambiguous
/// zone); the status an update's text supports and the zone its text is read in; which
/// source's observation alone showed an anomaly; the zone and kind `reparse` reads stored
/// pages with; parse notes per fetch; and component history from updates beside page
/// snapshots (`component_status_changes` is rebuilt: an update may name a component no page
/// listed, so the column no longer references `components`).
const MIGRATION_5_NORMALIZE: &str = r#"
ALTER TABLE incidents ADD COLUMN title_key TEXT;
CREATE INDEX incidents_by_title_key ON incidents(vendor, kind, title_key);
ALTER TABLE incidents ADD COLUMN created_at_flags TEXT;
ALTER TABLE incidents ADD COLUMN started_at_flags TEXT;
ALTER TABLE incidents ADD COLUMN resolved_at_flags TEXT;
ALTER TABLE incidents ADD COLUMN structured_started_at_flags TEXT;
ALTER TABLE incidents ADD COLUMN structured_resolved_at_flags TEXT;
ALTER TABLE incidents ADD COLUMN scheduled_for_flags TEXT;
ALTER TABLE incidents ADD COLUMN scheduled_until_flags TEXT;
ALTER TABLE incident_updates ADD COLUMN posted_at_flags TEXT;
ALTER TABLE incident_updates ADD COLUMN status_stated TEXT;
ALTER TABLE incident_updates ADD COLUMN zone TEXT;
ALTER TABLE anomalies ADD COLUMN source_id TEXT;
ALTER TABLE sources ADD COLUMN zone TEXT;
ALTER TABLE fetches ADD COLUMN kind TEXT;

-- What the parser of a fetched page kept but could not map, and anything else it noted.
CREATE TABLE parse_notes (
    fetch_id INTEGER NOT NULL REFERENCES fetches(id),
    position INTEGER NOT NULL,
    place TEXT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (fetch_id, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE component_status_changes_v4 (
    id INTEGER PRIMARY KEY,
    component_id TEXT NOT NULL,
    vendor TEXT NOT NULL REFERENCES vendors(id),
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    previous_status TEXT,
    changed_at TEXT NOT NULL,
    source_id TEXT NOT NULL REFERENCES sources(id),
    origin TEXT NOT NULL CHECK (origin IN ('snapshot', 'update')),
    incident_id TEXT REFERENCES incidents(id),
    update_id TEXT REFERENCES incident_updates(id),
    CHECK ((origin = 'update') = (update_id IS NOT NULL))
) STRICT;
INSERT INTO component_status_changes_v4(id, component_id, vendor, name, status, previous_status,
    changed_at, source_id, origin)
    SELECT s.id, s.component_id, c.vendor, c.name, s.status, s.previous_status, s.changed_at,
           s.source_id, 'snapshot'
    FROM component_status_changes s JOIN components c ON c.id = s.component_id;
DROP VIEW component_status_periods;
DROP TABLE component_status_changes;
ALTER TABLE component_status_changes_v4 RENAME TO component_status_changes;
CREATE INDEX component_changes_by_component ON component_status_changes(component_id, changed_at);
CREATE INDEX component_changes_by_incident ON component_status_changes(incident_id);

-- One row per period a component spent in one status, from page snapshots and incident
-- updates together; a change to the status it already had (a snapshot confirming what an
-- update announced) starts no new period. A status an incident's update announced holds until
-- the next change or, when the incident is resolved first, its resolution: many resolving
-- updates name no component, and what the incident announced says nothing of the time after.
CREATE VIEW component_status_periods AS
    WITH ordered AS (
        SELECT s.*, lag(s.status) OVER (PARTITION BY s.component_id
                                        ORDER BY s.changed_at, s.id) AS status_before
        FROM component_status_changes s
    ), changes AS (
        SELECT * FROM ordered WHERE status_before IS NULL OR status_before <> status
    ), periods AS (
        SELECT ch.*, lead(ch.changed_at) OVER (PARTITION BY ch.component_id
                                               ORDER BY ch.changed_at, ch.id) AS next_change
        FROM changes ch
    )
    SELECT p.component_id, p.vendor, c.group_name, p.name, p.status,
           p.changed_at AS started_at,
           CASE WHEN p.origin = 'update' AND i.resolved_at IS NOT NULL
                     AND i.resolved_at >= p.changed_at
                     AND (p.next_change IS NULL OR i.resolved_at < p.next_change)
                THEN i.resolved_at ELSE p.next_change END AS ended_at,
           p.origin, p.incident_id
    FROM periods p LEFT JOIN components c ON c.id = p.component_id
      LEFT JOIN incidents i ON i.id = p.incident_id;
"#;

/// A source whose pages did not change marks the components it showed as seen again
/// (`UPDATE components ... WHERE source_id = ?`): without an index every such source scanned
/// every component of every vendor, so a warm run grew with the square of the sources.
const MIGRATION_6_COMPONENTS_BY_SOURCE: &str = r#"
CREATE INDEX components_by_source ON components(source_id, last_seen_at);
"#;

/// Alerts (docs/ALERTS.md): the configured targets with their filters, and the outbox, one
/// delivery row per (target, event) that the target's filter lets through, written by a
/// trigger in the same transaction as the event, whatever code inserts it.
const MIGRATION_7_NOTIFY_OUTBOX: &str = r#"
CREATE TABLE notify_targets (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    -- 1 while the config lists it; a target left out is kept (with its deliveries) but gets no
    -- new ones.
    active INTEGER NOT NULL DEFAULT 1,
    -- When it was last added to the config: it receives only events recorded after.
    added_at TEXT NOT NULL,
    -- The filter, as written in the config: JSON arrays, NULL for "every".
    event_types TEXT,
    vendors TEXT,
    -- Component names or globs as SQL LIKE patterns (case-insensitive for ASCII letters).
    component_patterns TEXT,
    min_impact TEXT,
    -- Failed tries ever (statusdb_notify_failed_total).
    failed_total INTEGER NOT NULL DEFAULT 0,
    -- What went wrong in the last run that failed, and when.
    last_error TEXT,
    last_error_at TEXT
) STRICT;

CREATE TABLE notify_deliveries (
    target_id TEXT NOT NULL REFERENCES notify_targets(id),
    event_id INTEGER NOT NULL REFERENCES events(id),
    -- The incident or component the event is about: later events of something a target was
    -- told about reach it whatever its component and impact filters say now.
    subject TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'delivered', 'failed', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    -- Not tried again before this instant (NULL: due now).
    next_attempt_at TEXT,
    last_attempt_at TEXT,
    last_http_status INTEGER,
    last_error TEXT,
    delivered_at TEXT,
    PRIMARY KEY (target_id, event_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX notify_deliveries_pending ON notify_deliveries(target_id, event_id)
    WHERE state = 'pending';
CREATE INDEX notify_deliveries_by_subject ON notify_deliveries(target_id, subject);

-- The impact rank of an event for `min_impact`: the incident's impact; for a component change
-- the worse of its two statuses. NULL (the vendor does not say) passes every threshold.
CREATE TRIGGER notify_enqueue AFTER INSERT ON events
BEGIN
    INSERT INTO notify_deliveries(target_id, event_id, subject)
    SELECT t.id, NEW.id, coalesce(NEW.incident_id, NEW.component_id)
    FROM notify_targets t
    WHERE t.active = 1
      AND (t.event_types IS NULL
           OR EXISTS (SELECT 1 FROM json_each(t.event_types) WHERE value = NEW.type))
      AND (t.vendors IS NULL
           OR EXISTS (SELECT 1 FROM json_each(t.vendors) WHERE value = NEW.vendor))
      AND (
        EXISTS (SELECT 1 FROM notify_deliveries d
                WHERE d.target_id = t.id
                  AND d.subject = coalesce(NEW.incident_id, NEW.component_id))
        OR (
          (t.component_patterns IS NULL OR EXISTS (
             SELECT 1 FROM json_each(t.component_patterns) AS p,
                  json_each(CASE WHEN NEW.incident_id IS NULL
                                 THEN json_array(json_extract(NEW.record, '$.name'))
                                 ELSE json_extract(NEW.record, '$.components') END) AS c
             WHERE c.value LIKE p.value ESCAPE '\'))
          AND (t.min_impact IS NULL OR coalesce(
             CASE WHEN NEW.incident_id IS NOT NULL THEN
                  CASE json_extract(NEW.record, '$.impact')
                       WHEN 'none' THEN 0 WHEN 'minor' THEN 1 WHEN 'major' THEN 2
                       WHEN 'critical' THEN 3 END
             ELSE
                  CASE WHEN NEW.status = 'unknown' OR NEW.previous_status = 'unknown' THEN NULL
                       ELSE max(
                         CASE NEW.status WHEN 'degraded_performance' THEN 1
                              WHEN 'partial_outage' THEN 2 WHEN 'major_outage' THEN 3 ELSE 0 END,
                         CASE NEW.previous_status WHEN 'degraded_performance' THEN 1
                              WHEN 'partial_outage' THEN 2 WHEN 'major_outage' THEN 3 ELSE 0 END)
                  END
             END, 4) >= CASE t.min_impact WHEN 'none' THEN 0 WHEN 'minor' THEN 1
                                          WHEN 'major' THEN 2 WHEN 'critical' THEN 3 END)
        )
      );
END;
"#;

/// Uptime and SLA answers (docs/REPORTS.md). First, `component_status_periods` rebuilt (same
/// columns): it decided "no change" against the
/// component's previous word, so an incident announcing the status an earlier, already
/// resolved incident had announced was dropped, with its whole outage. Now every word holds
/// for a span of its own, and the periods are the spans laid over each other:
///
/// - a page's word (`snapshot`) holds until the next word about the component, from a page or
///   an update;
/// - an update's word holds until its incident's next word about the component, its
///   incident's resolution, or the component's next page word, whichever comes first;
/// - where the spans of several incidents overlap, the worst status counts (major outage,
///   partial outage, maintenance, degraded performance, unknown, operational);
/// - consecutive stretches of one status are one period; where no word holds, there is none.
///
/// Then what statusdb knows and from when (`source_coverage`, `source_failures`,
/// `vendor_coverage`, with an index of failed fetches), and the minutes of each status per
/// component and UTC day and month (`component_downtime_daily`, `component_uptime_monthly`),
/// counted as `statusdb report uptime` counts them.
const MIGRATION_8_UPTIME: &str = r#"
DROP VIEW component_status_periods;
CREATE VIEW component_status_periods AS
    WITH words AS (
        SELECT s.id, s.component_id, s.vendor, s.name, s.status, s.changed_at, s.origin,
               s.incident_id,
               lead(s.changed_at) OVER (PARTITION BY s.component_id
                                        ORDER BY s.changed_at, s.id) AS next_word,
               lead(s.changed_at) OVER (PARTITION BY s.component_id, s.incident_id
                                        ORDER BY s.changed_at, s.id) AS next_same,
               min(CASE WHEN s.origin = 'snapshot' THEN s.changed_at END)
                   OVER (PARTITION BY s.component_id ORDER BY s.changed_at DESC, s.id DESC
                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS next_snapshot
        FROM component_status_changes s
    ), spans AS (
        -- '9999' stands for "never" (it sorts after every instant).
        SELECT w.id, w.component_id, w.vendor, w.name, w.status, w.origin, w.incident_id,
               w.changed_at AS span_from,
               nullif(CASE WHEN w.origin = 'snapshot' THEN coalesce(w.next_word, '9999')
                           ELSE min(coalesce(w.next_same, '9999'),
                                    coalesce(i.resolved_at, '9999'),
                                    coalesce(w.next_snapshot, '9999')) END,
                      '9999') AS span_until,
               CASE w.status WHEN 'major_outage' THEN 5 WHEN 'partial_outage' THEN 4
                             WHEN 'under_maintenance' THEN 3 WHEN 'degraded_performance' THEN 2
                             WHEN 'operational' THEN 0 ELSE 1 END AS severity
        FROM words w LEFT JOIN incidents i ON i.id = w.incident_id
    ), live AS (
        -- A word posted at or after what ends it holds for no time.
        SELECT * FROM spans WHERE span_until IS NULL OR span_until > span_from
    ), edges AS (
        SELECT component_id, span_from AS at, 1 AS delta, origin, severity, status FROM live
        UNION ALL
        SELECT component_id, span_until, -1, origin, severity, status FROM live
        WHERE span_until IS NOT NULL
    ), moments AS (
        -- Per instant where a span begins or ends: the change in the number of page spans and
        -- of update spans of each severity holding, and the page word beginning there.
        SELECT component_id, at,
               sum(CASE WHEN origin = 'snapshot' THEN delta ELSE 0 END) AS d_page,
               max(CASE WHEN origin = 'snapshot' AND delta = 1 THEN at || status END) AS page_word,
               sum(CASE WHEN origin = 'update' AND severity = 5 THEN delta ELSE 0 END) AS d5,
               sum(CASE WHEN origin = 'update' AND severity = 4 THEN delta ELSE 0 END) AS d4,
               sum(CASE WHEN origin = 'update' AND severity = 3 THEN delta ELSE 0 END) AS d3,
               sum(CASE WHEN origin = 'update' AND severity = 2 THEN delta ELSE 0 END) AS d2,
               sum(CASE WHEN origin = 'update' AND severity = 1 THEN delta ELSE 0 END) AS d1,
               sum(CASE WHEN origin = 'update' AND severity = 0 THEN delta ELSE 0 END) AS d0
        FROM edges GROUP BY component_id, at
    ), holding AS (
        SELECT component_id, at, lead(at) OVER w AS until,
               sum(d_page) OVER w AS pages, max(page_word) OVER w AS page_word,
               sum(d5) OVER w AS n5, sum(d4) OVER w AS n4, sum(d3) OVER w AS n3,
               sum(d2) OVER w AS n2, sum(d1) OVER w AS n1, sum(d0) OVER w AS n0
        FROM moments
        WINDOW w AS (PARTITION BY component_id ORDER BY at ROWS UNBOUNDED PRECEDING)
    ), stretches AS (
        -- From each instant to the next: the page's word where one holds (page spans never
        -- overlap: each ends at the next word), else the worst word of the incidents.
        SELECT component_id, at, until,
               CASE WHEN pages > 0 THEN substr(page_word, 25)
                    WHEN n5 > 0 THEN 'major_outage' WHEN n4 > 0 THEN 'partial_outage'
                    WHEN n3 > 0 THEN 'under_maintenance' WHEN n2 > 0 THEN 'degraded_performance'
                    WHEN n1 > 0 THEN 'unknown' WHEN n0 > 0 THEN 'operational' END AS status
        FROM holding
    ), runs AS (
        SELECT *, sum(begins) OVER (PARTITION BY component_id ORDER BY at
                                    ROWS UNBOUNDED PRECEDING) AS run
        FROM (SELECT *, CASE WHEN status IS lag(status) OVER (PARTITION BY component_id
                                                              ORDER BY at)
                             THEN 0 ELSE 1 END AS begins
              FROM stretches)
    ), periods AS (
        SELECT component_id, status, min(at) AS started_at,
               CASE WHEN count(until) = count(*) THEN max(until) END AS ended_at
        FROM runs WHERE status IS NOT NULL GROUP BY component_id, run
    )
    -- Each period is told by the word holding at its start: the page's, else the incident
    -- word of its status that began first.
    SELECT p.component_id, f.vendor, c.group_name, f.name, p.status, p.started_at, p.ended_at,
           f.origin, f.incident_id
    FROM periods p
    JOIN live f ON f.id = (
        SELECT s.id FROM live s
        WHERE s.component_id = p.component_id AND s.status = p.status
          AND s.span_from <= p.started_at
          AND (s.span_until IS NULL OR s.span_until > p.started_at)
        ORDER BY s.origin = 'update', s.span_from, s.id LIMIT 1)
    LEFT JOIN components c ON c.id = p.component_id;

-- What statusdb knows, and from when (docs/REPORTS.md): a source's stated history reaches back
-- to the oldest incident it showed (when it showed a resolved one: a page of current
-- incidents only states no history); it is watched from its first successful fetch to its
-- last fetch, except while it was failing.
CREATE INDEX fetches_failed ON fetches(source_id, fetched_at) WHERE outcome = 'failed';

CREATE VIEW source_coverage AS
    SELECT s.id AS source_id, s.vendor,
           -- The vendor's incidents oldest first, to the first the source showed (through the
           -- vendor and time index: one lookup or a few per source).
           CASE WHEN EXISTS (SELECT 1 FROM incident_sources x JOIN incidents i ON i.id = x.incident_id
                             WHERE x.source_id = s.id AND i.resolved_at IS NOT NULL)
                THEN (SELECT i.started_at FROM incidents i
                      WHERE i.vendor = s.vendor AND i.started_at IS NOT NULL
                        AND EXISTS (SELECT 1 FROM incident_sources x
                                    WHERE x.incident_id = i.id AND x.source_id = s.id)
                      ORDER BY i.started_at LIMIT 1) END AS history_from,
           (SELECT f.fetched_at FROM fetches f WHERE f.source_id = s.id AND f.outcome <> 'failed'
            ORDER BY f.fetched_at LIMIT 1) AS watched_from,
           (SELECT max(f.fetched_at) FROM fetches f WHERE f.source_id = s.id) AS watched_until
    FROM sources s;

-- From a failed fetch to the source's next successful one (null while it still fails).
CREATE VIEW source_failures AS
    SELECT source_id, vendor, min(failed_at) AS failed_from, recovered_at AS failed_until
    FROM (SELECT f.source_id, s.vendor, f.fetched_at AS failed_at,
                 (SELECT g.fetched_at FROM fetches g
                  WHERE g.source_id = f.source_id AND g.fetched_at > f.fetched_at
                    AND g.outcome <> 'failed'
                  ORDER BY g.fetched_at LIMIT 1) AS recovered_at
          FROM fetches f JOIN sources s ON s.id = f.source_id
          WHERE f.outcome = 'failed')
    GROUP BY source_id, recovered_at;

-- A vendor's known stretches: what any of its sources states or watched, merged.
CREATE VIEW vendor_coverage AS
    WITH stretches AS (
        SELECT vendor, history_from AS known_from, watched_from AS known_until
        FROM source_coverage WHERE history_from < watched_from
        UNION ALL
        SELECT st.vendor, st.at,
               coalesce((SELECT min(x.failed_from) FROM source_failures x
                         WHERE x.source_id = st.source_id AND x.failed_from > st.at),
                        st.watched_until)
        FROM (SELECT source_id, vendor, watched_from AS at, watched_until FROM source_coverage
              WHERE watched_from IS NOT NULL
              UNION
              SELECT fl.source_id, fl.vendor, fl.failed_until, c.watched_until
              FROM source_failures fl JOIN source_coverage c ON c.source_id = fl.source_id
              WHERE fl.failed_until IS NOT NULL) st
    ), ordered AS (
        SELECT *, CASE WHEN known_from <= max(known_until) OVER (
                           PARTITION BY vendor ORDER BY known_from, known_until
                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                       THEN 0 ELSE 1 END AS begins
        FROM stretches WHERE known_until > known_from
    )
    SELECT vendor, min(known_from) AS known_from, max(known_until) AS known_until
    FROM (SELECT *, sum(begins) OVER (PARTITION BY vendor ORDER BY known_from, known_until
                                      ROWS UNBOUNDED PRECEDING) AS island
          FROM ordered)
    GROUP BY vendor, island;

-- Minutes of each status per component and UTC day, from the component's first word to
-- today (docs/REPORTS.md has the rule). Instants count to the minute (seconds dropped); a
-- minute is known when its vendor's coverage knows it; known minutes no period covers are
-- operational; `unknown` is every other minute, and those a word says are unknown. The
-- downtime and uptime columns follow the default rule (Instatus's weights, maintenance taken
-- out); `statusdb report uptime` applies any other from the same minutes.
CREATE VIEW component_downtime_daily AS
    WITH clock AS (
        SELECT unixepoch('now') / 60 AS now_minute
    ), component AS (
        SELECT s.component_id, s.vendor, min(s.changed_at) AS first_word,
               (SELECT coalesce(
                    (SELECT c.name FROM components c WHERE c.id = s.component_id),
                    (SELECT x.name FROM component_status_changes x
                     WHERE x.component_id = s.component_id
                     ORDER BY x.changed_at DESC, x.id DESC LIMIT 1))) AS name
        FROM component_status_changes s GROUP BY s.component_id
    ), known AS (
        SELECT c.component_id,
               max(unixepoch(v.known_from) / 60, unixepoch(c.first_word) / 60) AS from_minute,
               min(unixepoch(v.known_until) / 60, clock.now_minute) AS until_minute
        FROM component c JOIN vendor_coverage v ON v.vendor = c.vendor, clock
    ), known_spans AS (
        SELECT * FROM known WHERE until_minute > from_minute
    ), outages AS (
        SELECT p.component_id, p.status,
               max(unixepoch(p.started_at) / 60, k.from_minute) AS from_minute,
               min(coalesce(unixepoch(p.ended_at) / 60, clock.now_minute), k.until_minute)
                   AS until_minute
        FROM component_status_periods p
        JOIN known_spans k ON k.component_id = p.component_id, clock
        WHERE p.status <> 'operational'
    ), pieces(component_id, status, from_minute, until_minute) AS (
        SELECT component_id, status, from_minute, until_minute FROM outages
        WHERE until_minute > from_minute
        UNION ALL
        SELECT component_id, status, (from_minute / 1440 + 1) * 1440, until_minute FROM pieces
        WHERE until_minute > (from_minute / 1440 + 1) * 1440
    ), status_days AS (
        SELECT component_id, day_number,
               sum(CASE WHEN status = 'major_outage' THEN minutes ELSE 0 END) AS major_outage,
               sum(CASE WHEN status = 'partial_outage' THEN minutes ELSE 0 END) AS partial_outage,
               sum(CASE WHEN status = 'degraded_performance' THEN minutes ELSE 0 END)
                   AS degraded_performance,
               sum(CASE WHEN status = 'under_maintenance' THEN minutes ELSE 0 END)
                   AS under_maintenance,
               sum(CASE WHEN status = 'unknown' THEN minutes ELSE 0 END) AS said_unknown
        FROM (SELECT component_id, status, from_minute / 1440 AS day_number,
                     min(until_minute, (from_minute / 1440 + 1) * 1440) - from_minute AS minutes
              FROM pieces)
        GROUP BY component_id, day_number
    ), known_pieces(component_id, from_minute, until_minute) AS (
        SELECT component_id, from_minute, until_minute FROM known_spans
        UNION ALL
        SELECT component_id, (from_minute / 1440 + 1) * 1440, until_minute FROM known_pieces
        WHERE until_minute > (from_minute / 1440 + 1) * 1440
    ), known_days AS (
        SELECT component_id, from_minute / 1440 AS day_number,
               sum(min(until_minute, (from_minute / 1440 + 1) * 1440) - from_minute) AS known
        FROM known_pieces GROUP BY component_id, day_number
    ), days(component_id, day_number, last_day) AS (
        SELECT c.component_id, unixepoch(c.first_word) / 86400, clock.now_minute / 1440
        FROM component c, clock
        UNION ALL
        SELECT component_id, day_number + 1, last_day FROM days WHERE day_number < last_day
    ), counted AS (
        SELECT d.component_id, d.day_number,
               CASE WHEN d.day_number = d.last_day THEN clock.now_minute % 1440 ELSE 1440 END
                   AS minutes,
               coalesce(k.known, 0) AS known,
               coalesce(s.major_outage, 0) AS major_outage,
               coalesce(s.partial_outage, 0) AS partial_outage,
               coalesce(s.degraded_performance, 0) AS degraded_performance,
               coalesce(s.under_maintenance, 0) AS under_maintenance,
               coalesce(s.said_unknown, 0) AS said_unknown
        FROM days d CROSS JOIN clock
        LEFT JOIN known_days k ON k.component_id = d.component_id AND k.day_number = d.day_number
        LEFT JOIN status_days s ON s.component_id = d.component_id
                               AND s.day_number = d.day_number
        WHERE d.day_number <= d.last_day
    )
    SELECT n.component_id, c.vendor, g.group_name, c.name,
           date(n.day_number * 86400, 'unixepoch') AS day, n.minutes,
           n.known - n.major_outage - n.partial_outage - n.degraded_performance
               - n.under_maintenance - n.said_unknown AS operational,
           n.degraded_performance, n.partial_outage, n.major_outage, n.under_maintenance,
           n.minutes - n.known + n.said_unknown AS unknown,
           round(n.major_outage + 0.3 * n.partial_outage, 3) AS downtime_minutes,
           CASE WHEN n.known - n.said_unknown - n.under_maintenance > 0
                THEN round(100.0 * (1 - (n.major_outage + 0.3 * n.partial_outage)
                                    / (n.known - n.said_unknown - n.under_maintenance)), 3)
           END AS uptime_percent
    FROM counted n JOIN component c ON c.component_id = n.component_id
    LEFT JOIN components g ON g.id = n.component_id;

-- The same per UTC month.
CREATE VIEW component_uptime_monthly AS
    SELECT component_id, vendor, group_name, name, substr(day, 1, 7) AS month,
           sum(minutes) AS minutes, sum(operational) AS operational,
           sum(degraded_performance) AS degraded_performance,
           sum(partial_outage) AS partial_outage, sum(major_outage) AS major_outage,
           sum(under_maintenance) AS under_maintenance, sum(unknown) AS unknown,
           round(sum(major_outage) + 0.3 * sum(partial_outage), 3) AS downtime_minutes,
           CASE WHEN sum(minutes) - sum(unknown) - sum(under_maintenance) > 0
                THEN round(100.0 * (1 - (sum(major_outage) + 0.3 * sum(partial_outage))
                                    / (sum(minutes) - sum(unknown) - sum(under_maintenance))), 3)
           END AS uptime_percent,
           round(100.0 * (sum(minutes) - sum(unknown)) / sum(minutes), 3) AS known_percent
    FROM component_downtime_daily
    GROUP BY component_id, month;
"#;

/// Why a document failed, as a machine word (`handoff::FailureCause`: `dns`, `http_status`,
/// `wrong_format`, ...), beside the line for people: on each failed fetch, and the last one on
/// its source. Rows written before stay NULL (their reason text is kept; no word is guessed
/// from it). And the events of an incident found without reading them all: an update that
/// takes the vendor's id rewrites the events that named it.
const MIGRATION_9_FAILURE_CAUSES: &str = r#"
ALTER TABLE fetches ADD COLUMN cause TEXT;
ALTER TABLE sources ADD COLUMN last_cause TEXT;
CREATE INDEX events_by_incident ON events(incident_id) WHERE incident_id IS NOT NULL;
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migration_5_keeps_the_snapshot_history_of_a_version_4_database() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..4] {
            conn.execute_batch(sql).unwrap();
        }
        conn.execute_batch(
            "INSERT INTO vendors(id) VALUES ('github');
             INSERT INTO sources(id, vendor, name, kind, url, interval_seconds)
               VALUES ('gh', 'github', 'GitHub', 'statuspage', 'https://x', 60);
             INSERT INTO components(id, vendor, name, status, status_raw, source_id,
               first_seen_at, last_seen_at)
               VALUES ('github/p', 'github', 'Packages', 'partial_outage', 'partial_outage', 'gh',
                 '2022-11-25T15:50:05.888Z', '2022-11-25T15:50:05.888Z');
             INSERT INTO component_status_changes(id, component_id, status, previous_status,
               changed_at, source_id)
               VALUES (7, 'github/p', 'operational', NULL, '2022-11-01T00:00:00.000Z', 'gh'),
                      (8, 'github/p', 'partial_outage', 'operational',
                       '2022-11-25T15:50:05.888Z', 'gh');",
        )
        .unwrap();
        conn.execute_batch(MIGRATIONS[4]).unwrap();
        let strings = |sql: &str| -> Vec<String> {
            conn.prepare(sql)
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        assert_eq!(
            strings(
                "SELECT id || ' ' || component_id || ' ' || vendor || ' ' || name || ' ' ||
                        coalesce(previous_status, '-') || ' ' || status || ' ' || origin
                 FROM component_status_changes ORDER BY id"
            ),
            [
                "7 github/p github Packages - operational snapshot",
                "8 github/p github Packages operational partial_outage snapshot"
            ]
        );
        let periods = strings(
            "SELECT status || ' ' || started_at || ' ' || coalesce(ended_at, '-')
             FROM component_status_periods ORDER BY started_at",
        );
        assert_eq!(
            periods,
            [
                "operational 2022-11-01T00:00:00.000Z 2022-11-25T15:50:05.888Z",
                "partial_outage 2022-11-25T15:50:05.888Z -"
            ]
        );
    }
}
