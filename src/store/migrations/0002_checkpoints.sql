-- Persons, risk areas, travel, tests, health-code overrides, check-ins and
-- fever handovers.
--
-- Citus: persons would be distributed by id and person_ids (the identity-
-- number lookup) by id_hash, so that "one person per number" is a unique key
-- containing its table's distribution column; checkins and fever_handovers by
-- venue_id; risk_areas is a reference table.

CREATE TABLE persons (
  id {{id}},
  id_hash TEXT NOT NULL,            -- HMAC-SHA256(pii-hmac.key, identity number): lookup without the number
  id_enc TEXT NOT NULL,             -- XChaCha20-Poly1305(pii-enc.key): for authorized, audited display
  id_masked TEXT NOT NULL,          -- 140702********1234
  name TEXT NOT NULL,
  phone TEXT,
  division_id BIGINT NOT NULL REFERENCES divisions(id),   -- home compound or building
  division_path TEXT NOT NULL,
  household_id BIGINT NOT NULL,     -- the id of the household's first registered member
  case_status TEXT NOT NULL DEFAULT 'none',     -- none | suspected | confirmed | asymptomatic
  manage_status TEXT NOT NULL DEFAULT 'none',   -- see config/health-code-rules.json
  manage_until BIGINT,
  state_changed_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX persons_household ON persons (household_id);
CREATE INDEX persons_division_path ON persons (division_path);
CREATE INDEX persons_name ON persons (name);

CREATE TABLE person_ids (
  id_hash TEXT PRIMARY KEY,
  person_id BIGINT NOT NULL REFERENCES persons(id)
);

ALTER TABLE users ADD COLUMN person_id BIGINT REFERENCES persons(id);

CREATE TABLE risk_areas (
  id {{id}},
  division_code TEXT NOT NULL,      -- GB/T 2260 county-level code; areas anywhere in the country
  division_name TEXT NOT NULL,      -- as published, e.g. 北京市朝阳区
  area_name TEXT NOT NULL,          -- the compound, street or village named in the notice
  level TEXT NOT NULL,              -- high | medium | low (low: lifted)
  level_since BIGINT NOT NULL,
  came_from_high BIGINT NOT NULL DEFAULT 0,
  effective_from BIGINT NOT NULL,
  effective_until BIGINT,           -- set when it is lifted to low
  last_infection_at BIGINT NOT NULL,
  screen_negative_at BIGINT,        -- area-wide negative screen (needed to step down from high)
  decided_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX risk_areas_division ON risk_areas (division_code, effective_from);
CREATE INDEX risk_areas_level ON risk_areas (level);

CREATE TABLE risk_area_events (
  id {{id}},
  risk_area_id BIGINT NOT NULL REFERENCES risk_areas(id),
  at BIGINT NOT NULL,
  action TEXT NOT NULL,             -- declare | new_infection | negative_screen | step_down | lift
  level_from TEXT,
  level_to TEXT,
  actor TEXT NOT NULL,
  note TEXT
);
CREATE INDEX risk_area_events_area ON risk_area_events (risk_area_id, at);

CREATE TABLE travel_stays (
  id {{id}},
  person_id BIGINT NOT NULL REFERENCES persons(id),
  division_code TEXT NOT NULL,      -- GB/T 2260, city or county level
  from_at BIGINT NOT NULL,
  to_at BIGINT NOT NULL,
  source TEXT NOT NULL,             -- declared | imported
  created_at BIGINT NOT NULL
);
CREATE INDEX travel_stays_person ON travel_stays (person_id, to_at);

CREATE TABLE nucleic_tests (
  id {{id}},
  person_id BIGINT NOT NULL REFERENCES persons(id),
  sampled_at BIGINT NOT NULL,
  result TEXT NOT NULL,             -- pending | negative | positive
  result_at BIGINT,
  venue_id BIGINT REFERENCES venues(id),
  created_at BIGINT NOT NULL
);
CREATE INDEX nucleic_tests_person ON nucleic_tests (person_id, sampled_at);

CREATE TABLE code_overrides (
  id {{id}},
  person_id BIGINT NOT NULL REFERENCES persons(id),
  color TEXT NOT NULL,
  reason TEXT NOT NULL,
  until_at BIGINT NOT NULL,
  created_by BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX code_overrides_person ON code_overrides (person_id, until_at);

-- Every checkpoint decision, pass or stop. An entry that passed opens a stay;
-- an exit scan closes it by setting t_out. Ids are assigned by the server
-- (time-ordered, unique across nodes) so that a batch needs no round trip.
CREATE TABLE checkins (
  id BIGINT NOT NULL,
  venue_id BIGINT NOT NULL,
  entrance TEXT NOT NULL,
  direction TEXT NOT NULL,          -- in | out
  person_id BIGINT,                 -- NULL when the code could not be trusted
  at BIGINT NOT NULL,
  t_out BIGINT,
  decision TEXT NOT NULL,           -- pass | stop
  color TEXT,
  reasons TEXT NOT NULL,            -- JSON [{"code","message"}]
  temperature_c DOUBLE PRECISION,
  mask BIGINT NOT NULL,
  channel TEXT NOT NULL,            -- code | id_card
  rule_set_version TEXT NOT NULL,
  staff_id BIGINT,
  PRIMARY KEY (venue_id, id)
);
CREATE INDEX checkins_venue_at ON checkins (venue_id, at);
CREATE INDEX checkins_person_at ON checkins (person_id, at);
CREATE INDEX checkins_at ON checkins (at);

CREATE TABLE fever_handovers (
  id BIGINT NOT NULL,
  venue_id BIGINT NOT NULL,
  checkin_id BIGINT NOT NULL,
  person_id BIGINT,
  temperature_c DOUBLE PRECISION NOT NULL,
  opened_at BIGINT NOT NULL,
  status TEXT NOT NULL,             -- open | closed
  closed_at BIGINT,
  closed_by BIGINT,
  outcome TEXT,                     -- e.g. sent to the fever clinic, retest normal
  PRIMARY KEY (venue_id, id)
);
CREATE INDEX fever_handovers_status ON fever_handovers (status, opened_at);
CREATE INDEX fever_handovers_person ON fever_handovers (person_id, status);

-- Venue policy: what stops at this door, and the notices of its board.
ALTER TABLE venues ADD COLUMN stop_on_yellow BIGINT NOT NULL DEFAULT 1;
ALTER TABLE venues ADD COLUMN stop_on_travel_flag BIGINT NOT NULL DEFAULT 1;
ALTER TABLE venues ADD COLUMN notices TEXT NOT NULL DEFAULT '';
