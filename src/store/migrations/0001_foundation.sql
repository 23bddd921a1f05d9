-- The foundation: places, venues, accounts, sessions, the audit log.
--
-- Citus: divisions, venues and users are small and read everywhere: reference
-- tables. audit_log and sessions would be distributed by their own id /
-- token_hash. Every unique key holds the column its table would be
-- distributed by; keys are bigint.

CREATE TABLE divisions (
  id {{id}},
  code TEXT,                       -- GB/T 2260 (6 digits) or a statistical code; NULL below community level
  name TEXT NOT NULL,
  name_en TEXT,
  level TEXT NOT NULL,             -- province | city | district | subdistrict | community | compound | building
  parent_id BIGINT REFERENCES divisions(id),
  path TEXT NOT NULL,              -- '/1/3/17/': ids from the root down to and including this one
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX divisions_code ON divisions (code);
CREATE INDEX divisions_parent ON divisions (parent_id);
CREATE INDEX divisions_path ON divisions (path);

CREATE TABLE venues (
  id {{id}},
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  address TEXT NOT NULL DEFAULT '',
  division_id BIGINT NOT NULL REFERENCES divisions(id),
  division_path TEXT NOT NULL,     -- copy of the division's path, for jurisdiction filters
  capacity BIGINT,
  entrances TEXT NOT NULL DEFAULT '[]',  -- JSON array of {"name","direction"}
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX venues_division_path ON venues (division_path);
CREATE INDEX venues_type ON venues (type);

CREATE TABLE users (
  id {{id}},
  username TEXT NOT NULL,
  display_name TEXT NOT NULL,
  password_hash TEXT NOT NULL,     -- Argon2id, libsodium string form
  role TEXT NOT NULL,
  division_id BIGINT REFERENCES divisions(id),
  venue_id BIGINT REFERENCES venues(id),
  disabled BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_username ON users (username);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,     -- SHA-256 of the token: the token itself is never stored
  user_id BIGINT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  client_addr TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE audit_log (
  id {{id}},
  at BIGINT NOT NULL,
  actor_id BIGINT,
  actor_username TEXT,
  action TEXT NOT NULL,            -- e.g. venue.create, user.read, auth.login_failed
  record_type TEXT,
  record_id TEXT,
  client_addr TEXT,
  detail TEXT                      -- JSON; never an identity number in clear
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at);

-- The audit log is append-only, whatever the client.
-- @sqlite
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
-- @postgres
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
-- @all
