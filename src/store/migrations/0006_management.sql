-- Closed-loop management: managed cases with their events and scheduled
-- tests, daily health reports, and the alerts (to-dos) built from them.
--
-- Citus: managed_cases, managed_events, managed_tests and management_alerts
-- would be distributed by case_id (managed_cases by id), so each unique key
-- below contains it; health_reports by person_id.

CREATE TABLE managed_cases (
  id {{id}},
  person_id BIGINT NOT NULL REFERENCES persons(id),
  measure TEXT NOT NULL,            -- close_contact | secondary_contact | companion | high_risk_arrival | medium_risk_arrival | low_risk_arrival
  place TEXT NOT NULL,              -- centralized | home | none: where the quarantine phase happens
  state TEXT NOT NULL,              -- identified | notified | transferred | quarantined | monitoring | released | became_case
  state_since BIGINT NOT NULL,
  anchor_at BIGINT NOT NULL,        -- last exposure or arrival: the schedule's day 0
  case_reported_at BIGINT,          -- the index case's report: the control deadline's start
  enrolled_at BIGINT NOT NULL,
  quarantine_end BIGINT NOT NULL,
  planned_end BIGINT NOT NULL,      -- moves only later (extensions); never shortened
  source TEXT NOT NULL,             -- e.g. tracing_job:42, returnee:17, manual
  note TEXT NOT NULL DEFAULT '',
  site TEXT NOT NULL DEFAULT '',    -- quarantine hotel or home address note
  division_path TEXT NOT NULL,      -- the person's division at enrollment (jurisdiction)
  district_id BIGINT,               -- the district containing it (board counts)
  created_by BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX managed_cases_person ON managed_cases (person_id, state);
CREATE INDEX managed_cases_state ON managed_cases (state, division_path);
CREATE INDEX managed_cases_path ON managed_cases (division_path);

CREATE TABLE managed_events (
  id {{id}},
  case_id BIGINT NOT NULL REFERENCES managed_cases(id),
  at BIGINT NOT NULL,               -- when it happened (a step may be recorded after the fact)
  recorded_at BIGINT NOT NULL,
  kind TEXT NOT NULL,               -- enroll | reenroll | upgrade | transition | extend | test | report
  from_state TEXT,
  to_state TEXT,
  actor_id BIGINT NOT NULL,
  actor TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT ''   -- JSON
);
CREATE INDEX managed_events_case ON managed_events (case_id, at);

CREATE TABLE managed_tests (
  id {{id}},
  case_id BIGINT NOT NULL REFERENCES managed_cases(id),
  phase TEXT NOT NULL,              -- quarantine | monitoring
  day INTEGER NOT NULL,             -- day within the phase
  due_from BIGINT NOT NULL,         -- the local day [due_from, due_to)
  due_to BIGINT NOT NULL,
  result TEXT NOT NULL DEFAULT '',  -- '' | pending | negative | positive
  test_id BIGINT,                   -- nucleic_tests(id)
  sampled_at BIGINT,
  done_at BIGINT
);
CREATE UNIQUE INDEX managed_tests_day ON managed_tests (case_id, phase, day);

CREATE TABLE health_reports (
  id {{id}},
  person_id BIGINT NOT NULL REFERENCES persons(id),
  case_id BIGINT,
  reported_at BIGINT NOT NULL,
  temperature_c DOUBLE PRECISION NOT NULL,
  symptoms TEXT NOT NULL DEFAULT '[]',   -- JSON array of symptom codes
  fever BIGINT NOT NULL DEFAULT 0,       -- ≥ threshold or any symptom
  reporter_id BIGINT NOT NULL,
  by_worker BIGINT NOT NULL DEFAULT 0,
  handover_venue_id BIGINT,
  handover_id BIGINT,
  division_path TEXT NOT NULL,
  district_id BIGINT
);
CREATE INDEX health_reports_person ON health_reports (person_id, reported_at);
CREATE INDEX health_reports_fever ON health_reports (fever, reported_at);

CREATE TABLE management_alerts (
  id {{id}},
  case_id BIGINT NOT NULL REFERENCES managed_cases(id),
  person_id BIGINT NOT NULL,
  kind TEXT NOT NULL,               -- missing_report | fever | overdue_step | overdue_test
  akey TEXT NOT NULL,               -- what it is about (slot start, step, test day): one alert per thing
  opened_at BIGINT NOT NULL,
  due_at BIGINT,
  status TEXT NOT NULL DEFAULT 'open',   -- open | closed
  closed_at BIGINT,
  closed_by BIGINT,
  note TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  division_path TEXT NOT NULL
);
CREATE UNIQUE INDEX management_alerts_key ON management_alerts (case_id, kind, akey);
CREATE INDEX management_alerts_status ON management_alerts (status, division_path);
