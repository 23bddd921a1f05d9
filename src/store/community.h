// Residences (unit and room, moves in and out), returnee registrations,
// pushed lists and their items, and the disinfection log as the store keeps
// them.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "domain/community/reconcile.h"
#include "store/people.h"
#include "store/records.h"

namespace epinet::store {

// ---- residences
struct Residence {
  int64_t id = 0;
  int64_t person_id = 0;
  int64_t community_id = 0, compound_id = 0;
  std::optional<int64_t> building_id;
  std::string unit, room, division_path;
  Millis moved_in_at = 0;
  std::optional<Millis> moved_out_at;
  std::string move_note;
  int64_t created_by = 0;
};
int64_t insert_residence(Connection& c, const Residence& r, Millis now);
std::optional<Residence> current_residence(Connection& c, int64_t person_id);
std::vector<Residence> list_residences(Connection& c, int64_t person_id);  // newest first
void close_residence(Connection& c, int64_t id, Millis at, const std::string& note);

// A roster line: a person living (or having lived) in the community.
struct RosterEntry {
  int64_t person_id = 0;
  std::string name, phone, id_masked;
  int64_t division_id = 0;
  std::string division_name, division_path;
  std::string unit, room;
  std::optional<Millis> moved_in_at, moved_out_at;
  std::string manage_status;
  std::string compound_name, building_name;
};
struct RosterFilter {
  std::string within_path;  // the community, compound or building path
  std::string unit, room;
  std::string q;            // name or phone prefix
  bool moved_out = false;   // list those who moved away instead
};
PageOf<RosterEntry> list_roster(Connection& c, const RosterFilter& f, const Page& p);
// Units and rooms under a community, with how many live in each.
struct RoomCount {
  int64_t compound_id = 0;
  std::optional<int64_t> building_id;
  std::string unit, room;
  int64_t residents = 0;
};
std::vector<RoomCount> count_rooms(Connection& c, int64_t community_id);
// Persons directly under each compound/building division of the path (those
// registered without a residence row count too).
std::vector<std::pair<int64_t, int64_t>> count_by_division(Connection& c, const std::string& within_path);

// Everyone who counts for reconciliation: current residents under the
// community path, those who moved out of it (moved_out), and whether each
// registered as a returnee at or after `registered_since`. compound_id is the
// path element right below the community.
std::vector<domain::community::Resident> load_roster(Connection& c, int64_t community_id,
                                                     const std::string& community_path, Millis registered_since);

// ---- returnees
struct Returnee {
  int64_t id = 0;
  int64_t person_id = 0, community_id = 0;
  std::string division_path;
  std::string origin_code, origin_name;
  std::optional<int64_t> risk_area_id;
  std::string transport, transport_no;
  Millis departed_at = 0, arrived_at = 0;
  std::string phone, tests_json = "[]";
  std::string origin_level, measure;
  bool travel_flag = false;
  std::optional<int64_t> managed_case_id;
  std::string channel;
  int64_t registered_by = 0;
  Millis created_at = 0;
  std::string person_name;  // read only
};
int64_t insert_returnee(Connection& c, const Returnee& r, Millis now);
std::optional<Returnee> find_returnee(Connection& c, int64_t id);
struct ReturneeFilter {
  std::string within_path;
  std::optional<int64_t> person_id;
  std::string measure;
};
PageOf<Returnee> list_returnees(Connection& c, const ReturneeFilter& f, const Page& p);

// ---- pushed lists
struct PushList {
  int64_t id = 0;
  std::string name;
  int64_t community_id = 0;
  std::string community_path, community_name;  // name read only
  Millis deadline = 0;
  std::string file_name;
  int64_t total = 0;
  int64_t uploaded_by = 0;
  Millis created_at = 0;
};
struct PushItem {
  int64_t list_id = 0;
  int64_t line = 0;
  std::string name, id_hash, id_masked, phone, origin, arrival_date;
  std::string bucket, matched_by, match_note;
  std::optional<int64_t> person_id, compound_id;
  std::string division_path;
  std::optional<int64_t> assignee_id;
  std::string status = "open";
  std::string outcome, outcome_reason;
  std::optional<int64_t> outcome_by;
  std::optional<Millis> outcome_at, reminded_at;
  // read only
  std::string assignee_name, compound_name, list_name;
  Millis deadline = 0;
};
int64_t insert_push_list(Connection& c, const PushList& l);
// Many rows per statement: a 100,000-row list is written in seconds.
void insert_push_items(Connection& c, const std::vector<PushItem>& items);
std::optional<PushList> find_push_list(Connection& c, int64_t id);
std::vector<PushList> list_push_lists(Connection& c, const std::string& within_path, int64_t limit);
struct PushItemFilter {
  std::optional<int64_t> list_id;
  std::string within_path;       // items under this path (the caller's jurisdiction)
  std::string bucket, status, outcome;
  std::optional<int64_t> assignee_id;
  bool overdue_only = false;
  Millis now = 0;
  std::string q;                 // name or phone prefix
};
PageOf<PushItem> list_push_items(Connection& c, const PushItemFilter& f, const Page& p);
std::optional<PushItem> find_push_item(Connection& c, int64_t list_id, int64_t line);
void set_item_outcome(Connection& c, int64_t list_id, int64_t line, const std::string& outcome,
                      const std::string& reason, int64_t by, Millis at);
void assign_item(Connection& c, int64_t list_id, int64_t line, int64_t assignee_id);
struct PushCounts {
  int64_t total = 0, registered = 0, unregistered = 0, unmatched = 0, duplicate = 0;
  int64_t open = 0, overdue = 0;
  int64_t outcome_registered = 0, outcome_not_here = 0, outcome_moved_away = 0, outcome_duplicate = 0;
};
// Counts of one list (list_id) or of every list under a path.
PushCounts count_push_items(Connection& c, std::optional<int64_t> list_id, const std::string& within_path, Millis now);
// Open items about these identity hashes / phones in the community's other lists: key → "list:ID:LINE".
domain::community::OpenElsewhere open_items_elsewhere(Connection& c, const std::string& community_path);
// Open items about this person (by person id or identity hash): closed as "registered".
std::vector<std::pair<int64_t, int64_t>> open_items_of_person(Connection& c, int64_t person_id, const std::string& id_hash);
// Open items past their list's deadline not reminded since `since`; marks them reminded.
int64_t mark_overdue_reminded(Connection& c, Millis now, Millis since);

// Community workers whose jurisdiction lies on the path down to `path`
// (a compound's worker first, then the community's): (user id, division path).
std::vector<std::pair<int64_t, std::string>> workers_over(Connection& c, const std::string& community_path);

// ---- disinfection log
struct Disinfection {
  int64_t id = 0;
  int64_t compound_id = 0;
  std::string division_path, compound_name;  // name read only
  std::string area;
  Millis done_at = 0;
  std::string method, team, note;
  bool has_photo = false;
  int64_t created_by = 0;
  Millis created_at = 0;
};
int64_t insert_disinfection(Connection& c, const Disinfection& d, Millis now);
std::optional<Disinfection> find_disinfection(Connection& c, int64_t id);
struct DisinfectionFilter {
  std::string within_path;
  Millis from = 0, to = 0;  // 0: open
  std::string team, area;
};
PageOf<Disinfection> list_disinfections(Connection& c, const DisinfectionFilter& f, const Page& p);
void put_disinfection_photo(Connection& c, int64_t id, const std::string& content_type, const std::string& base64);
std::optional<std::pair<std::string, std::string>> disinfection_photo(Connection& c, int64_t id);  // (type, base64)

}  // namespace epinet::store

namespace epinet::store {
// Divisions on or below a path (a community's compounds and buildings), by path.
std::vector<Division> divisions_under(Connection& c, const std::string& path);
void set_returnee_case(Connection& c, int64_t returnee_id, int64_t managed_case_id);
void set_returnee_travel_flag(Connection& c, int64_t returnee_id, bool flagged);
// Whether the person has a returnee registration arriving at or after `since`.
bool has_returnee_since(Connection& c, int64_t person_id, Millis since);
}  // namespace epinet::store

namespace epinet::store {
// The benchmark's reference: the same match as domain::community::reconcile
// (identity hash, then a phone or a name held by exactly one resident under
// the path, neither contradicting the row) as one SQL join over a temporary
// table of the rows. The person matched per row, 0 for none. Current
// residents only (no move history).
std::vector<int64_t> match_list_by_join(Connection& c, const std::string& community_path,
                                        const std::vector<domain::community::ListRow>& rows);
// Residents for the benchmark: many rows per statement, then their identity lookup rows.
void insert_residents_bulk(Connection& c, const std::vector<Person>& persons, Millis now);
}  // namespace epinet::store
