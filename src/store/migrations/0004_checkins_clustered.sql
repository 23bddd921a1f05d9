-- Fewer B-trees per check-in (each is a random write on the scan path): the
-- primary key (venue_id, at, id) serves the venue-and-time queries, so the
-- separate (venue_id, at) index goes; on SQLite the table is clustered on that
-- key (WITHOUT ROWID). The client-scan-id key covers only rows that have one.
-- Citus: every unique key still holds venue_id.
-- @sqlite
CREATE TABLE checkins_new (
  id BIGINT NOT NULL,
  venue_id BIGINT NOT NULL,
  entrance TEXT NOT NULL,
  direction TEXT NOT NULL,
  person_id BIGINT,
  at BIGINT NOT NULL,
  t_out BIGINT,
  decision TEXT NOT NULL,
  color TEXT,
  reasons TEXT NOT NULL,
  temperature_c DOUBLE PRECISION,
  mask BIGINT NOT NULL,
  channel TEXT NOT NULL,
  rule_set_version TEXT NOT NULL,
  staff_id BIGINT,
  client_scan_id TEXT,
  PRIMARY KEY (venue_id, at, id)
) WITHOUT ROWID;
INSERT INTO checkins_new SELECT id, venue_id, entrance, direction, person_id, at, t_out, decision, color, reasons,
  temperature_c, mask, channel, rule_set_version, staff_id, client_scan_id FROM checkins;
DROP TABLE checkins;
ALTER TABLE checkins_new RENAME TO checkins;
CREATE INDEX checkins_person_at ON checkins (person_id, at);
CREATE INDEX checkins_at ON checkins (at);
-- @postgres
ALTER TABLE checkins DROP CONSTRAINT checkins_pkey;
ALTER TABLE checkins ADD PRIMARY KEY (venue_id, at, id);
DROP INDEX checkins_venue_at;
DROP INDEX checkins_client_scan;
-- @all
CREATE UNIQUE INDEX checkins_client_scan ON checkins (venue_id, client_scan_id) WHERE client_scan_id IS NOT NULL;
