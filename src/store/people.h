// Persons, risk areas, travel, tests, code overrides, check-ins and fever
// handovers as the store keeps them.
#pragma once
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/records.h"

namespace epinet::store {

struct Person {
  int64_t id = 0;
  std::string id_hash, id_enc, id_masked;
  std::string name, phone;
  int64_t division_id = 0;
  std::string division_path, division_name;  // division_name read only
  int64_t household_id = 0;
  std::string case_status = "none", manage_status = "none";
  std::optional<Millis> manage_until;
  Millis state_changed_at = 0, created_at = 0;
};
struct PersonFilter {
  std::string q;        // name or phone prefix
  std::string id_hash;  // exact identity number (hashed by the caller)
  std::string within_path;
  std::optional<int64_t> household_id;
};
// Inserts the person and its identity-number lookup row; a second person with
// the same number is a conflict.
int64_t insert_person(Connection& c, Person p, Millis now);
std::optional<Person> find_person(Connection& c, int64_t id);
// Many persons by id (those that exist).
std::unordered_map<int64_t, Person> find_persons(Connection& c, const std::vector<int64_t>& ids);
std::optional<Person> find_person_by_id_hash(Connection& c, const std::string& id_hash);
PageOf<Person> list_persons(Connection& c, const PersonFilter& f, const Page& p);
void update_person(Connection& c, const Person& p, Millis now);  // name, phone, division
void set_person_state(Connection& c, int64_t id, const std::string& case_status, const std::string& manage_status,
                      std::optional<Millis> manage_until, Millis now);
void link_user_person(Connection& c, int64_t user_id, std::optional<int64_t> person_id);
std::optional<int64_t> user_person(Connection& c, int64_t user_id);

struct RiskArea {
  int64_t id = 0;
  std::string division_code, division_name, area_name, level;
  Millis level_since = 0;
  bool came_from_high = false;
  Millis effective_from = 0;
  std::optional<Millis> effective_until;
  Millis last_infection_at = 0;
  std::optional<Millis> screen_negative_at;
  std::string decided_by;
};
int64_t insert_risk_area(Connection& c, const RiskArea& a, Millis now);
std::optional<RiskArea> find_risk_area(Connection& c, int64_t id);
// active_only: medium and high only.
std::vector<RiskArea> list_risk_areas(Connection& c, bool active_only);
void update_risk_area(Connection& c, const RiskArea& a, Millis now);
struct RiskAreaEvent {
  int64_t id = 0;
  int64_t risk_area_id = 0;
  Millis at = 0;
  std::string action, level_from, level_to, actor, note;
};
void insert_risk_event(Connection& c, const RiskAreaEvent& e);
std::vector<RiskAreaEvent> list_risk_events(Connection& c, int64_t risk_area_id);

struct Stay {
  int64_t id = 0;
  int64_t person_id = 0;
  std::string division_code;
  Millis from = 0, to = 0;
  std::string source;
};
int64_t insert_stay(Connection& c, const Stay& s, Millis now);
std::vector<Stay> list_stays(Connection& c, int64_t person_id, Millis since);

struct NucleicTest {
  int64_t id = 0;
  int64_t person_id = 0;
  Millis sampled_at = 0;
  std::string result;
  std::optional<Millis> result_at;
  std::optional<int64_t> venue_id;
};
int64_t insert_test(Connection& c, const NucleicTest& t, Millis now);
std::optional<NucleicTest> latest_test(Connection& c, int64_t person_id);
std::vector<NucleicTest> list_tests(Connection& c, int64_t person_id, int64_t limit);
std::optional<Millis> latest_negative_sample(Connection& c, int64_t person_id);

struct CodeOverride {
  int64_t id = 0;
  int64_t person_id = 0;
  std::string color, reason;
  Millis until = 0;
  int64_t created_by = 0;
};
int64_t insert_override(Connection& c, const CodeOverride& o, Millis now);
std::optional<CodeOverride> active_override(Connection& c, int64_t person_id, Millis now);

struct Checkin {
  int64_t id = 0;
  int64_t venue_id = 0;
  std::string entrance, direction;
  std::optional<int64_t> person_id;
  Millis at = 0;
  std::optional<Millis> t_out;
  std::string decision, color, reasons_json;
  std::optional<double> temperature_c;
  bool mask = true;
  std::string channel, rule_set_version;
  std::optional<int64_t> staff_id;
  std::string client_scan_id;  // "" when the client sent none
};
struct FeverHandover {
  int64_t id = 0;
  int64_t venue_id = 0;
  int64_t checkin_id = 0;
  std::optional<int64_t> person_id;
  double temperature_c = 0;
  Millis opened_at = 0;
  std::string status = "open";
  std::optional<Millis> closed_at;
  std::optional<int64_t> closed_by;
  std::string outcome;
  std::string venue_name;  // read only
};
// A check-in whose (venue, client_scan_id) is recorded already is skipped.
void insert_checkin(Connection& c, const Checkin& k);
// The same for many rows, several to a statement (bulk loads).
void insert_checkins(Connection& c, const std::vector<Checkin>& rows);
std::optional<Checkin> find_checkin_by_client_id(Connection& c, int64_t venue_id, const std::string& client_scan_id);
// Closes the person's latest open stay at the venue (an entry that passed).
void close_stay(Connection& c, int64_t venue_id, int64_t person_id, Millis t_out);
void insert_handover(Connection& c, const FeverHandover& h);
std::optional<FeverHandover> find_handover(Connection& c, int64_t venue_id, int64_t id);
std::vector<FeverHandover> list_handovers(Connection& c, std::optional<int64_t> venue_id, const std::string& status,
                                          const std::string& within_path, int64_t limit);
void close_handover(Connection& c, int64_t venue_id, int64_t id, int64_t by, const std::string& outcome, Millis now);
bool has_open_handover(Connection& c, int64_t person_id);

struct CheckinFilter {
  int64_t venue_id = 0;
  Millis from = 0, to = 0;
  std::string decision;  // pass | stop | ""
};
PageOf<Checkin> list_checkins(Connection& c, const CheckinFilter& f, const Page& p);
// Counts per hour (UTC hour start) × entrance × direction × decision.
struct CheckinCount {
  Millis hour = 0;
  std::string entrance, direction, decision;
  int64_t count = 0;
  int64_t fevers = 0;
};
std::vector<CheckinCount> count_checkins(Connection& c, int64_t venue_id, Millis from, Millis to);
// People inside now: passed entries whose stay is not closed, since `since`.
int64_t occupancy(Connection& c, int64_t venue_id, Millis since);
// Deletes check-ins (and closed handovers of them) older than `before`.
int64_t purge_checkins(Connection& c, Millis before);

}  // namespace epinet::store
