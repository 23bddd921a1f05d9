-- Communities: where in a compound each resident lives (unit and room) with
-- moves in and out, returnee registrations, the lists the district pushes down
-- (核实大数据返回人员信息) and their items, and the compound disinfection log.
--
-- Citus: residences and returnees would be distributed by person_id (with
-- persons); push_list_items by list_id (every unique key holds it);
-- push_lists and disinfections by their own id; disinfection_photos by
-- disinfection_id.

-- One row per stay at an address; a move out closes it, a move in opens a new
-- one, so the history is kept. A person has at most one open residence.
CREATE TABLE residences (
  id {{id}},
  person_id BIGINT NOT NULL REFERENCES persons(id),
  community_id BIGINT NOT NULL REFERENCES divisions(id),
  compound_id BIGINT NOT NULL REFERENCES divisions(id),
  building_id BIGINT REFERENCES divisions(id),
  unit TEXT NOT NULL DEFAULT '',    -- 单元, as the worker writes it ("2单元", "2")
  room TEXT NOT NULL DEFAULT '',    -- 房号 ("301")
  division_path TEXT NOT NULL,      -- path of the building (or compound)
  moved_in_at BIGINT NOT NULL,
  moved_out_at BIGINT,
  move_note TEXT,                   -- where to / why (moving out)
  created_by BIGINT,
  created_at BIGINT NOT NULL
);
CREATE INDEX residences_person ON residences (person_id, moved_out_at);
CREATE INDEX residences_community ON residences (community_id, moved_out_at);

-- A returnee's registration (摸排登记), by the resident or a worker.
CREATE TABLE returnees (
  id {{id}},
  person_id BIGINT NOT NULL REFERENCES persons(id),
  community_id BIGINT NOT NULL,
  division_path TEXT NOT NULL,      -- the person's home at registration, for jurisdiction
  origin_code TEXT NOT NULL,        -- GB/T 2260 county (or city) code
  origin_name TEXT NOT NULL,
  risk_area_id BIGINT,              -- the risk area the person stayed in, if any
  transport TEXT NOT NULL,          -- train | coach | car | plane | other
  transport_no TEXT NOT NULL DEFAULT '',
  departed_at BIGINT NOT NULL,
  arrived_at BIGINT NOT NULL,
  phone TEXT NOT NULL DEFAULT '',
  tests TEXT NOT NULL DEFAULT '[]', -- JSON [{"sampled_at","result"}] as declared
  origin_level TEXT NOT NULL,       -- high | medium | low | none (at arrival)
  measure TEXT NOT NULL,            -- high_risk_arrival | medium_risk_arrival | low_risk_arrival | none
  travel_flag BIGINT NOT NULL DEFAULT 0,
  managed_case_id BIGINT,
  channel TEXT NOT NULL,            -- self | worker
  registered_by BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX returnees_person ON returnees (person_id, arrived_at);
CREATE INDEX returnees_community ON returnees (community_id, created_at);

CREATE TABLE push_lists (
  id {{id}},
  name TEXT NOT NULL,
  community_id BIGINT NOT NULL REFERENCES divisions(id),
  community_path TEXT NOT NULL,
  deadline BIGINT NOT NULL,
  file_name TEXT NOT NULL DEFAULT '',
  total BIGINT NOT NULL,
  uploaded_by BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX push_lists_community ON push_lists (community_id, created_at);

-- One row per line of a pushed list. bucket is the match at upload;
-- status/outcome is what the worker found out.
CREATE TABLE push_list_items (
  list_id BIGINT NOT NULL,
  line BIGINT NOT NULL,             -- the row number in the uploaded file
  name TEXT NOT NULL,
  id_hash TEXT,                     -- keyed hash of the identity number, when the list had one
  id_masked TEXT,
  phone TEXT,
  origin TEXT NOT NULL DEFAULT '',
  arrival_date TEXT NOT NULL DEFAULT '',
  bucket TEXT NOT NULL,             -- registered | unregistered | unmatched | duplicate
  matched_by TEXT NOT NULL DEFAULT '',  -- id_number | phone | name
  match_note TEXT NOT NULL DEFAULT '',  -- moved_out | ambiguous | on_list:ID:LINE | line:N
  person_id BIGINT,
  compound_id BIGINT,
  division_path TEXT NOT NULL,      -- the compound's (or the community's) path
  assignee_id BIGINT,               -- the worker who follows it up
  status TEXT NOT NULL,             -- open | closed
  outcome TEXT,                     -- registered | not_here | moved_away | duplicate
  outcome_reason TEXT,
  outcome_by BIGINT,
  outcome_at BIGINT,
  reminded_at BIGINT,
  PRIMARY KEY (list_id, line)
);
CREATE INDEX push_list_items_assignee ON push_list_items (assignee_id, status);
-- Open items only: what a registration closes. Items that matched nobody are
-- found again by identity hash once the person is on the roster.
CREATE INDEX push_list_items_person ON push_list_items (person_id) WHERE status = 'open';
CREATE INDEX push_list_items_id_hash ON push_list_items (id_hash) WHERE status = 'open' AND person_id IS NULL;

CREATE TABLE disinfections (
  id {{id}},
  compound_id BIGINT NOT NULL REFERENCES divisions(id),
  division_path TEXT NOT NULL,
  area TEXT NOT NULL,               -- 楼道, 电梯, 垃圾站 …
  done_at BIGINT NOT NULL,
  method TEXT NOT NULL,             -- 喷洒 84 消毒液 1:100 …
  team TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  has_photo BIGINT NOT NULL DEFAULT 0,
  created_by BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX disinfections_compound ON disinfections (compound_id, done_at);
CREATE INDEX disinfections_path ON disinfections (division_path, done_at);

CREATE TABLE disinfection_photos (
  disinfection_id BIGINT PRIMARY KEY,
  content_type TEXT NOT NULL,       -- image/jpeg | image/png | image/webp
  data TEXT NOT NULL                -- base64 (portable across both databases and backups)
);
