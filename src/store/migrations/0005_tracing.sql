-- Contact tracing: coach trips with their seat manifests, and trace jobs with
-- the contacts they found. Venue stays are the check-ins (an entry that
-- passed; an exit closes it) and households come from persons.household_id.
--
-- Citus: trips and trip_seats would be distributed by trip id (trip_seats'
-- key holds trip_id), tracing_jobs by id and tracing_contacts by job_id (its
-- key holds job_id). Keys are bigint.

CREATE TABLE trips (
  id {{id}},
  trip_code TEXT NOT NULL,           -- the operator's trip number (e.g. the simulator's trip_id)
  vehicle TEXT NOT NULL,             -- plate, e.g. 晋KA1234
  route TEXT NOT NULL DEFAULT '',
  departure BIGINT NOT NULL,
  arrival BIGINT NOT NULL,
  from_venue_id BIGINT,
  to_venue_id BIGINT,
  source TEXT NOT NULL,              -- import
  created_at BIGINT NOT NULL
);
CREATE INDEX trips_code ON trips (trip_code, departure);
CREATE INDEX trips_departure ON trips (departure);

CREATE TABLE trip_seats (
  trip_id BIGINT NOT NULL,
  person_id BIGINT NOT NULL,
  seat_row BIGINT NOT NULL,          -- 0 for the crew
  seat_col BIGINT NOT NULL,
  crew BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (trip_id, person_id)
);
CREATE INDEX trip_seats_person ON trip_seats (person_id);

CREATE TABLE tracing_jobs (
  id {{id}},
  status TEXT NOT NULL,              -- queued | running | done | failed
  progress DOUBLE PRECISION NOT NULL DEFAULT 0,
  index_cases TEXT NOT NULL,         -- JSON [{"person_id","from","to","window_source"}]
  rules_version TEXT NOT NULL,
  rules TEXT NOT NULL,               -- JSON: the rule values this job used
  engine TEXT NOT NULL,              -- index | sql
  close_count BIGINT NOT NULL DEFAULT 0,
  secondary_count BIGINT NOT NULL DEFAULT 0,
  companion_count BIGINT NOT NULL DEFAULT 0,
  enrolled_count BIGINT NOT NULL DEFAULT 0,
  error TEXT,
  created_by BIGINT,
  created_by_name TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  started_at BIGINT,
  finished_at BIGINT,
  elapsed_ms BIGINT
);
CREATE INDEX tracing_jobs_created ON tracing_jobs (created_at);

CREATE TABLE tracing_contacts (
  job_id BIGINT NOT NULL,
  person_id BIGINT NOT NULL,
  kind TEXT NOT NULL,                -- close | secondary | companion
  first_exposure BIGINT NOT NULL,
  last_exposure BIGINT NOT NULL,
  via_person_id BIGINT NOT NULL,     -- the index case or close contact of the first evidence
  setting TEXT NOT NULL,             -- venue | trip | household (of the first evidence)
  place_id BIGINT NOT NULL,
  evidence TEXT NOT NULL,            -- JSON array, see docs/tracing.md
  PRIMARY KEY (job_id, person_id)
);
CREATE INDEX tracing_contacts_person ON tracing_contacts (person_id);
