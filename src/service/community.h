// Use cases of the communities issue: the roster (residents by compound ›
// building › unit › room, imported from the tables workers keep, moves in and
// out), returnee registration with its protocol measure, and the compound
// disinfection log. Pushed lists are in service/push_lists.h.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "domain/community/returnee.h"
#include "domain/quarantine/quarantine.h"
#include "domain/community/tables.h"
#include "service/runtime.h"
#include "service/services.h"
#include "store/community.h"

namespace epinet::service {

// The community a division belongs to (itself, or the community above a
// compound or building). Throws invalid() when there is none.
store::Division community_of(store::Connection& c, int64_t division_id);

// ---- roster
struct RosterTreeNode {
  std::string key;    // "d:ID" for divisions, "u:BUILDING:UNIT", "r:…" for rooms
  std::string label;  // 1号楼, 2单元, 301
  std::string level;  // community | compound | building | unit | room
  std::optional<int64_t> division_id;
  std::string unit, room;
  int64_t residents = 0;
  std::vector<RosterTreeNode> children;
};
RosterTreeNode roster_tree(Runtime& rt, const Caller& caller, int64_t community_id);
// Current residents (or, moved_out, those who moved away) under a division, audited.
store::PageOf<store::RosterEntry> roster(Runtime& rt, const Caller& caller, int64_t division_id, store::RosterFilter f,
                                         const store::Page& p);

struct RosterImport {
  int64_t created = 0, moved = 0, unchanged = 0;
  std::vector<domain::community::RowError> errors;  // not empty: nothing was imported
  std::string encoding;
};
// Reads a CSV (UTF-8 or GBK) or XLSX roster through read_table_file, checks
// every row and imports all of it in one transaction, or nothing. A number
// already registered moves the person to the row's address (history kept);
// a new number registers the person. Compounds and buildings are matched by
// name within the community ("3号楼" or "3").
RosterImport import_roster(Runtime& rt, const Caller& caller, int64_t community_id, std::string_view bytes);

struct MoveInput {
  int64_t division_id = 0;  // compound or building
  std::string unit, room;
  std::optional<Millis> at;
};
store::Residence move_in(Runtime& rt, const Caller& caller, int64_t person_id, const MoveInput& in);
void move_out(Runtime& rt, const Caller& caller, int64_t person_id, std::optional<Millis> at, const std::string& note);
std::vector<store::Residence> residence_history(Runtime& rt, const Caller& caller, int64_t person_id);

// ---- returnees
struct DeclaredTest {
  Millis sampled_at = 0;
  std::string result;  // negative | positive | pending
};
struct ReturneeInput {
  int64_t person_id = 0;
  std::string origin_code, origin_name;
  std::optional<int64_t> risk_area_id;  // the origin's risk area the person stayed in, if any
  std::string transport, transport_no;
  std::optional<Millis> departed_at;
  Millis arrived_at = 0;
  std::string phone;
  std::vector<DeclaredTest> tests;
};
struct ReturneeResult {
  store::Returnee returnee;
  domain::community::ArrivalMeasure measure;
  std::optional<domain::quarantine::Plan> plan;  // the measure's schedule from the arrival (day 0)
  std::vector<store::RiskArea> origin_areas;  // the origin's areas in force at arrival
  int64_t closed_list_items = 0;              // pushed-list items this registration resolved
};
// What the measure would be (no write): for the form, before it is sent.
ReturneeResult preview_returnee(Runtime& rt, const ReturneeInput& in);
// Registers (self when caller is a resident, "worker" otherwise), records the
// stay as travel, enrolls the person under the measure and closes the
// person's open pushed-list items as "registered"; one transaction, audited.
ReturneeResult register_returnee(Runtime& rt, const Caller& caller, const ReturneeInput& in);
store::PageOf<store::Returnee> list_returnees(Runtime& rt, const Caller& caller, store::ReturneeFilter f,
                                              const store::Page& p);
ReturneeResult get_returnee(Runtime& rt, const Caller& caller, int64_t id);

// ---- disinfection log
struct DisinfectionInput {
  int64_t compound_id = 0;
  std::string area, method, team, note;
  Millis done_at = 0;
  std::string photo_type;    // image/jpeg | image/png | image/webp, "" for none
  std::string photo_base64;  // standard base64
};
store::Disinfection record_disinfection(Runtime& rt, const Caller& caller, const DisinfectionInput& in);
store::PageOf<store::Disinfection> list_disinfections(Runtime& rt, const Caller& caller, std::optional<int64_t> division_id,
                                                      store::DisinfectionFilter f, const store::Page& p);
// (content type, bytes)
std::pair<std::string, std::string> disinfection_photo(Runtime& rt, const Caller& caller, int64_t id);
// Largest photo accepted, in bytes.
constexpr size_t kMaxPhotoBytes = 768 * 1024;

}  // namespace epinet::service

namespace epinet::service {
// Demo data of the communities issue (called by seed_demo, idempotent): a grid
// worker (网格员) for the second compound, so that pushed-list items of that
// compound go to them and the rest to the community's worker. Returns the
// number of accounts created.
int seed_community_demo(store::Connection& c, const std::string& password_hash, const std::vector<int64_t>& compounds);
}  // namespace epinet::service
