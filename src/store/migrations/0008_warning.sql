-- Multi-point triggered early warning: daily counts per district and channel
-- (own records rolled up, imports from pharmacies, schools and hospitals),
-- every change to a count, the signals the detectors raise, the alerts they
-- escalate into, the alerts' lifecycle, and the webhook outbox.
--
-- Citus: warning_counts, warning_count_history and warning_signals would be
-- distributed by division_code (every unique key holds it); warning_alerts,
-- warning_alert_events and warning_outbox by alert id / id; warning_imports
-- and warning_seen are small (by id / user_id).

CREATE TABLE warning_counts (
  division_code TEXT NOT NULL,      -- the district (GB/T 2260, 6 digits)
  channel TEXT NOT NULL,            -- fever_clinic | pharmacy | checkpoint_fever | positive_tests | monitoring_fever | absence
  day BIGINT NOT NULL,              -- local calendar day, days since 1970-01-01
  source TEXT NOT NULL,             -- 'epinet' (own records) or the reporter named in the import
  count BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (division_code, channel, day, source)
);

-- Every value a count ever had: the first report and each correction.
CREATE TABLE warning_count_history (
  id {{id}},
  division_code TEXT NOT NULL,
  channel TEXT NOT NULL,
  day BIGINT NOT NULL,
  source TEXT NOT NULL,
  old_count BIGINT,                 -- NULL for the first report
  new_count BIGINT NOT NULL,
  changed_at BIGINT NOT NULL,
  changed_by TEXT NOT NULL,
  import_id BIGINT
);
CREATE INDEX warning_count_history_series ON warning_count_history (division_code, channel, day);

CREATE TABLE warning_imports (
  id {{id}},
  filename TEXT NOT NULL,
  format TEXT NOT NULL,             -- csv | xlsx
  uploaded_by TEXT NOT NULL,
  uploaded_at BIGINT NOT NULL,
  rows_total BIGINT NOT NULL,
  inserted BIGINT NOT NULL,
  corrected BIGINT NOT NULL,
  unchanged BIGINT NOT NULL
);

-- A statistical alarm (or a trigger) on one district's channel on one day.
CREATE TABLE warning_signals (
  id {{id}},
  division_code TEXT NOT NULL,
  channel TEXT NOT NULL,
  day BIGINT NOT NULL,
  method TEXT NOT NULL,             -- the detector that flagged it, or 'trigger'
  methods TEXT NOT NULL,            -- every detector that flagged it, comma separated
  observed DOUBLE PRECISION NOT NULL,
  upperbound DOUBLE PRECISION,      -- NULL for a trigger
  created_at BIGINT NOT NULL,
  alert_id BIGINT                   -- the multi-point alert it is evidence of
);
CREATE UNIQUE INDEX warning_signals_series_day ON warning_signals (division_code, channel, day);

CREATE TABLE warning_alerts (
  id {{id}},
  kind TEXT NOT NULL,               -- positive_test | hospital_fever | multi_point
  level TEXT NOT NULL,              -- red | orange
  division_code TEXT NOT NULL,
  status TEXT NOT NULL,             -- new | verifying | confirmed | dismissed
  title TEXT NOT NULL,
  evidence TEXT NOT NULL,           -- JSON array
  first_signal_at BIGINT NOT NULL,  -- when the earliest evidence was recorded
  created_at BIGINT NOT NULL,
  verifying_at BIGINT,
  verifying_by TEXT,
  closed_at BIGINT,
  closed_by TEXT,
  response_owner TEXT,
  response_note TEXT,
  dismiss_reason TEXT,
  window_to_day BIGINT,             -- multi-point: the last day of its window
  updated_at BIGINT NOT NULL
);
CREATE INDEX warning_alerts_status ON warning_alerts (status, created_at);
CREATE INDEX warning_alerts_division ON warning_alerts (division_code, kind, status);

CREATE TABLE warning_alert_events (
  id {{id}},
  alert_id BIGINT NOT NULL REFERENCES warning_alerts(id),
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,             -- create | evidence | verify | confirm | dismiss
  from_status TEXT,
  to_status TEXT,
  note TEXT
);
CREATE INDEX warning_alert_events_alert ON warning_alert_events (alert_id, at);

-- Webhook deliveries: written in the alert's transaction, delivered and
-- retried with backoff by the server until the receiver answers 2xx.
CREATE TABLE warning_outbox (
  id {{id}},
  alert_id BIGINT NOT NULL,
  event TEXT NOT NULL,
  payload TEXT NOT NULL,
  attempts BIGINT NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  delivered_at BIGINT,
  last_error TEXT,
  created_at BIGINT NOT NULL
);
CREATE INDEX warning_outbox_due ON warning_outbox (delivered_at, next_attempt_at);

-- When each account last looked at the alerts (the bell's unread count).
CREATE TABLE warning_seen (
  user_id BIGINT PRIMARY KEY,
  seen_at BIGINT NOT NULL
);
