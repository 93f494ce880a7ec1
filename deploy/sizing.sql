-- Bytes per event, measured: heap and each index of the `event` table, per row.
--
--   createdb sizing_scratch && psql -d sizing_scratch -f deploy/sizing.sql && dropdb sizing_scratch
--
-- Run it on a SCRATCH database (it writes ~630,000 events and 20,000 cylinders, ~0.6 GB,
-- in a schema it drops at the end).
-- The table and indexes are those of migrations/versions/20261129_0001_foundation.py; the
-- payloads are shaped like the ones service/use_cases/fill.py and lifecycle.py write (the
-- `changes` block included). Mix per fill cycle, as assumed in deploy/SCALING.md: one fill,
-- a 2 % chance of a refusal, a 70 % chance of dispatch + delivery (with the safety
-- checklist) + return, a 3 % chance of an inspection. Cylinders are visited in a random order
-- each cycle, so index entries land where they would in production (not a sorted bulk load).
\set ON_ERROR_STOP on
\set cylinders 20000
\set cycles 10
SET sizing.cylinders = :'cylinders';
SET sizing.cycles = :'cycles';

DROP SCHEMA IF EXISTS sizing CASCADE;
CREATE SCHEMA sizing;
SET search_path = sizing;

CREATE TABLE event (
    cylinder_id bigint NOT NULL, seq integer NOT NULL, event_id uuid NOT NULL,
    type varchar(32) NOT NULL, occurred_at timestamptz NOT NULL, recorded_at timestamptz NOT NULL,
    actor_id uuid, org_id uuid, payload jsonb NOT NULL, request_hash bytea NOT NULL,
    prev_hash bytea, hash bytea NOT NULL,
    PRIMARY KEY (cylinder_id, seq),
    CONSTRAINT uq_event_event_id UNIQUE (event_id)
);
CREATE INDEX ix_event_org_id_recorded_at ON event (org_id, recorded_at);
CREATE INDEX ix_event_type_recorded_at ON event (type, recorded_at);

CREATE TABLE head (cylinder_id bigint PRIMARY KEY, seq integer NOT NULL);
INSERT INTO head SELECT g, 0 FROM generate_series(1, current_setting('sizing.cylinders')::int) g;
CREATE TABLE org (n integer PRIMARY KEY, id uuid NOT NULL);
INSERT INTO org SELECT g, gen_random_uuid() FROM generate_series(0, 199) g;

CREATE FUNCTION iso(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"') $$;

CREATE FUNCTION payload(kind text, org uuid, t timestamptz) RETURNS jsonb LANGUAGE sql AS $$
SELECT CASE kind
  WHEN 'filled' THEN jsonb_build_object(
    'net_kg', 14.5, 'gross_kg', 29.7, 'tare_kg', 15.2, 'check_id', gen_random_uuid()::text,
    'post_checks', '{"leak_ok": true}'::jsonb, 'warnings', '[]'::jsonb, 'held', null,
    'changes', jsonb_build_object('last_fill_at', iso(t), 'last_fill_org_id', org::text,
      'last_fill_net_kg', 14.5, 'needs_purge', false, 'last_seen_at', iso(t),
      'last_seen_org_id', org::text))
  WHEN 'fill_refused' THEN jsonb_build_object(
    'scan', 'HTTPS://GAS.EXAMPLE.GOV.CN/C/7KQM4XR92TB/2ABC', 'reasons', '["INSPECTION_OVERDUE"]'::jsonb,
    'warnings', '[]'::jsonb,
    'changes', jsonb_build_object('last_seen_at', iso(t), 'last_seen_org_id', org::text))
  WHEN 'delivered' THEN jsonb_build_object(
    'kind', 'deliver', 'vehicle', '浙A12345', 'customer_id', 'C' || lpad((random() * 1e9)::bigint::text, 9, '0'),
    'location', '{"lat": 30.123456, "lon": 120.654321}'::jsonb,
    'safety_check', '{"hose_ok": true, "no_tee_joint": true, "regulator_ok": true, "alarm_ok": true,
                      "shutoff_valve_ok": true, "not_basement": true, "ventilation_ok": true, "notes": null}'::jsonb,
    'changes', jsonb_build_object('last_seen_at', iso(t), 'last_seen_org_id', org::text))
  WHEN 'inspected' THEN jsonb_build_object(
    'result', 'pass', 'inspected_on', '2027-03-01', 'report_no', 'JY2027-000123',
    'next_due', '2031-03-01', 'life_extended', false,
    'changes', '{"last_inspected_on": "2027-03-01", "next_inspection_due": "2031-03-01",
                 "status": "in_service", "hold_reason": null}'::jsonb)
  ELSE jsonb_build_object(  -- dispatched, returned
    'kind', CASE kind WHEN 'dispatched' THEN 'dispatch' ELSE 'return' END, 'vehicle', '浙A12345',
    'customer_id', null, 'location', null, 'safety_check', null,
    'changes', jsonb_build_object('last_seen_at', iso(t), 'last_seen_org_id', org::text))
END $$;

DO $$
DECLARE
  t0 timestamptz := '2027-01-01T00:00:00Z';
  done bigint := 0;
BEGIN
  FOR cycle IN 1 .. current_setting('sizing.cycles')::int LOOP
    CREATE TEMP TABLE batch AS
    WITH draw AS (
      SELECT cylinder_id, seq, random() AS ord, random() AS refused, random() AS delivered,
             random() AS inspected, (random() * 199)::int AS org_n
        FROM head
    ), kinds AS (
      SELECT d.*, k.kind, k.k
        FROM draw d
        CROSS JOIN LATERAL (VALUES (1, 'fill_refused'), (2, 'filled'), (3, 'dispatched'),
                                   (4, 'delivered'), (5, 'returned'), (6, 'inspected')) AS k (k, kind)
       WHERE k.kind = 'filled'
          OR (k.kind = 'fill_refused' AND d.refused < 0.02)
          OR (k.kind IN ('dispatched', 'delivered', 'returned') AND d.delivered < 0.70)
          OR (k.kind = 'inspected' AND d.inspected < 0.03)
    )
    SELECT cylinder_id, seq + row_number() OVER (PARTITION BY cylinder_id ORDER BY k) AS seq,
           kind, org_n, row_number() OVER (ORDER BY ord, k) AS n
      FROM kinds;
    INSERT INTO event
    SELECT b.cylinder_id, b.seq, gen_random_uuid(), b.kind, t, t, gen_random_uuid(), o.id,
           payload(b.kind, o.id, t), sha256(random()::text::bytea), sha256(random()::text::bytea),
           sha256(random()::text::bytea)
      FROM batch b
      JOIN org o ON o.n = b.org_n
      CROSS JOIN LATERAL (SELECT t0 + make_interval(secs => (done + b.n) * 0.05) AS t) AS tt
     ORDER BY b.n;
    UPDATE head h SET seq = m.seq FROM (SELECT cylinder_id, max(seq) AS seq FROM batch GROUP BY 1) m
     WHERE h.cylinder_id = m.cylinder_id;
    done := done + (SELECT count(*) FROM batch);
    DROP TABLE batch;
  END LOOP;
END $$;

VACUUM ANALYZE event;

\echo '--- events by type, and the average stored payload (jsonb bytes)'
SELECT type, count(*) AS events, round(avg(pg_column_size(payload))) AS payload_bytes
  FROM event GROUP BY type ORDER BY count(*) DESC;

\echo '--- bytes per event: heap and each index (relation size / rows)'
WITH n AS (SELECT count(*)::numeric AS rows FROM event)
SELECT 'heap (main fork)' AS part, round(pg_relation_size('event') / rows, 1) AS bytes_per_event FROM n
UNION ALL
SELECT indexrelid::regclass::text, round(pg_relation_size(indexrelid) / rows, 1)
  FROM pg_index, n WHERE indrelid = 'event'::regclass
UNION ALL
SELECT 'TOTAL heap + indexes', round(pg_total_relation_size('event') / rows, 1) FROM n;

\echo '--- average row as stored (pg_column_size of the whole tuple)'
SELECT round(avg(pg_column_size(e.*))) AS row_bytes FROM event e;

\echo '--- the same indexes rebuilt (REINDEX): what a closed, read-only partition costs'
REINDEX TABLE event;
WITH n AS (SELECT count(*)::numeric AS rows FROM event)
SELECT indexrelid::regclass::text AS index, round(pg_relation_size(indexrelid) / rows, 1) AS bytes_per_event
  FROM pg_index, n WHERE indrelid = 'event'::regclass;

-- The cylinder table (the current state, one row per cylinder): registered in one go, then
-- updated as service/db/events.py does on every event (event_count, chain head and the
-- projected columns), one cylinder per transaction, every cylinder once per round, in a
-- random order. None of the updated columns is indexed, so the updates can be HOT (no new
-- index entries); the last column says how many were.
CREATE TABLE cylinder (
    id bigint PRIMARY KEY, code varchar(16) NOT NULL UNIQUE, serial_no varchar(64) NOT NULL,
    serial_key varchar(64) NOT NULL, manufacturer varchar(200) NOT NULL,
    manufacturer_key varchar(200) NOT NULL, manufactured_on date NOT NULL, model varchar(32) NOT NULL,
    batch varchar(64), owner_id uuid NOT NULL, tare_kg float, design_life_years smallint NOT NULL,
    max_extension_years smallint NOT NULL, extension_years smallint NOT NULL DEFAULT 0,
    last_inspected_on date, next_inspection_due date NOT NULL, scrap_on date NOT NULL,
    status varchar(16) NOT NULL DEFAULT 'in_service', hold_reason varchar(32),
    flags varchar(32)[] NOT NULL DEFAULT '{}', is_inspection_failed boolean NOT NULL DEFAULT false,
    needs_purge boolean NOT NULL DEFAULT true, last_fill_at timestamptz, last_fill_org_id uuid,
    last_fill_net_kg float, last_seen_at timestamptz, last_seen_org_id uuid,
    event_count integer NOT NULL DEFAULT 0, last_event_at timestamptz, last_event_hash bytea,
    label_printed_at timestamptz, registered_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT uq_cylinder_serial UNIQUE (manufacturer_key, serial_key)
);
CREATE INDEX ix_cylinder_next_inspection_due ON cylinder (next_inspection_due);
CREATE INDEX ix_cylinder_owner_id_id ON cylinder (owner_id, id);
INSERT INTO cylinder (id, code, serial_no, serial_key, manufacturer, manufacturer_key,
                      manufactured_on, model, batch, owner_id, tare_kg, design_life_years,
                      max_extension_years, last_inspected_on, next_inspection_due, scrap_on,
                      event_count, last_event_hash)
SELECT g, upper(substr(md5(random()::text), 1, 11)), 'S' || lpad(g::text, 9, '0'),
       'S' || lpad(g::text, 9, '0'), '浙江某某钢瓶有限公司', '浙江某某钢瓶有限公司', '2022-05-01',
       'YSP35.5', '2022-05', (SELECT id FROM org WHERE n = g % 200), 15.2, 8, 4, '2026-05-01',
       '2030-05-01', '2030-05-01', 1, sha256(random()::text::bytea)
  FROM generate_series(1, current_setting('sizing.cylinders')::int) g;
-- Scratch data: no need to wait for the disk on each of these commits (layout is the same).
SET synchronous_commit = off;
DO $$
DECLARE
  target record;
BEGIN
  FOR target IN
    SELECT id FROM generate_series(1, current_setting('sizing.cycles')::int) AS round, cylinder
     ORDER BY round, random()
  LOOP
    UPDATE cylinder SET event_count = event_count + 1, last_event_at = now(),
           last_event_hash = sha256(random()::text::bytea), last_seen_at = now(),
           last_seen_org_id = owner_id, last_fill_at = now(), last_fill_org_id = owner_id,
           last_fill_net_kg = 14.5, needs_purge = false
     WHERE id = target.id;
    COMMIT;
  END LOOP;
END $$;
VACUUM ANALYZE cylinder;

\echo '--- bytes per cylinder after the update rounds (heap, indexes), and the HOT share'
SELECT round(pg_relation_size('cylinder') / s.n_live_tup::numeric, 1) AS heap,
       round(pg_indexes_size('cylinder') / s.n_live_tup::numeric, 1) AS indexes,
       round(pg_total_relation_size('cylinder') / s.n_live_tup::numeric, 1) AS total,
       round(100.0 * s.n_tup_hot_upd / nullif(s.n_tup_upd, 0)) AS hot_update_pct,
       (SELECT round(avg(pg_column_size(c.*))) FROM cylinder c) AS row_bytes
  FROM pg_stat_user_tables s WHERE s.relid = 'cylinder'::regclass;

DROP SCHEMA sizing CASCADE;
