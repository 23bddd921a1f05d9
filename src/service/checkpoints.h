// Use cases of the checkpoint issue: persons, risk areas, travel, health
// codes, scans, venue views and fever handovers.
#pragma once
#include <functional>

#include "service/runtime.h"
#include "service/services.h"
#include "store/people.h"

namespace epinet::service {

// ---- persons
struct PersonInput {
  std::optional<std::string> id_number, name, phone;
  std::optional<int64_t> division_id;
  std::optional<int64_t> household_of;  // put the person in this person's household
};
store::Person register_person(Runtime& rt, const Caller& caller, const PersonInput& in);
// Reading a person's record is audited.
store::Person get_person(Runtime& rt, const Caller& caller, int64_t id);
store::PageOf<store::Person> find_persons(Runtime& rt, const Caller& caller, const std::string& q,
                                          const std::string& id_number, const store::Page& p);
store::Person update_person(Runtime& rt, const Caller& caller, int64_t id, const PersonInput& in);
// The full identity number, for roles that may see it; audited.
std::string reveal_id_number(Runtime& rt, const Caller& caller, int64_t id);
std::vector<store::Person> household_of(Runtime& rt, const Caller& caller, int64_t person_id);
// Links a resident account to its person (admin, or the resident itself by
// proving the identity number).
void link_account(Runtime& rt, const Caller& caller, int64_t user_id, int64_t person_id);
// The person a resident account speaks for: itself or a household member.
int64_t resident_person(Runtime& rt, const Caller& caller, std::optional<int64_t> member);

// ---- travel, tests, overrides, state
store::Stay add_stay(Runtime& rt, const Caller& caller, int64_t person_id, const store::Stay& s);
std::vector<store::Stay> list_stays(Runtime& rt, const Caller& caller, int64_t person_id);
std::vector<store::NucleicTest> list_tests(Runtime& rt, const Caller& caller, int64_t person_id);
store::NucleicTest record_test(Runtime& rt, const Caller& caller, int64_t person_id, const store::NucleicTest& t);
store::CodeOverride override_code(Runtime& rt, const Caller& caller, int64_t person_id, const store::CodeOverride& o);
// Sets case and management status (the tracing issue drives this; the
// command center may set it by hand), audited.
store::Person set_state(Runtime& rt, const Caller& caller, int64_t person_id, const std::string& case_status,
                        const std::string& manage_status, std::optional<Millis> manage_until);

// ---- health codes
struct HealthCode {
  domain::CodeDecision decision;
  bool travel_flag = false;
  std::vector<std::string> travel_divisions;
  std::string token;
  std::string qr_svg;
  Millis token_expires_at = 0;
};
domain::PersonState person_state(store::Connection& c, Runtime& rt, int64_t person_id, Millis now,
                                 domain::TravelFlag* travel = nullptr);
HealthCode health_code(Runtime& rt, const Caller& caller, int64_t person_id);
std::string qr_svg(const std::string& text);

// ---- risk areas
struct RiskAreaInput {
  std::string division_code, division_name, area_name, level;
  std::optional<Millis> effective_from;
};
store::RiskArea declare_risk_area(Runtime& rt, const Caller& caller, const RiskAreaInput& in);
// action: new_infection | negative_screen | lift
store::RiskArea record_risk_event(Runtime& rt, const Caller& caller, int64_t id, const std::string& action,
                                  std::optional<Millis> at, const std::string& note);
void apply_step_downs(store::Database& db, const domain::StepDownRules& rules, Millis now);

// ---- checkpoint scans
struct ScanInput {
  int64_t venue_id = 0;
  std::string entrance, direction;
  std::optional<std::string> token, id_number;
  std::optional<double> temperature_c;
  std::optional<bool> mask;
  // The client's own id for this scan (a page that queued it offline): a scan
  // sent again is answered with what was recorded the first time.
  std::string client_scan_id;
  // When the scan happened, for a scan queued offline and sent later: the
  // code is judged and the check-in recorded at that time (at most 24 h ago).
  std::optional<Millis> scanned_at;
};
struct ScanResult {
  domain::ScanDecision decision;
  std::string color;  // "" when unknown
  int64_t checkin_id = 0;
  std::optional<int64_t> person_id;
  std::optional<int64_t> handover_id;
  bool replayed = false;  // recorded before: this is the first answer again
};
// Validates and decides now (throws on bad input); `done` runs once the
// check-in is durable (ok) or could not be written (!ok).
void scan(Runtime& rt, const Caller& caller, const ScanInput& in, std::function<void(bool ok, ScanResult)> done);

// ---- venue views
struct VenueToday {
  std::vector<store::CheckinCount> counts;
  int64_t entries = 0, exits = 0, stops = 0, fevers = 0, occupancy = 0, open_handovers = 0;
};
VenueToday venue_today(Runtime& rt, const Caller& caller, int64_t venue_id, Millis from, Millis to);
store::PageOf<store::Checkin> venue_checkins(Runtime& rt, const Caller& caller, int64_t venue_id, Millis from, Millis to,
                                              const std::string& decision, const store::Page& p);
std::vector<store::FeverHandover> handovers(Runtime& rt, const Caller& caller, std::optional<int64_t> venue_id,
                                            const std::string& status);
store::FeverHandover close_handover(Runtime& rt, const Caller& caller, int64_t venue_id, int64_t id,
                                    const std::string& outcome);
void set_venue_policy(Runtime& rt, const Caller& caller, int64_t venue_id, std::optional<bool> stop_on_yellow,
                      std::optional<bool> stop_on_travel_flag, std::optional<std::string> notices);

}  // namespace epinet::service

namespace epinet::service {

// Imports stays in bulk (CSV with a header: id_number, division_code, from,
// to; times ISO 8601). A malformed file is refused whole with every bad row
// named; rows naming persons not registered in the caller's jurisdiction are
// skipped and counted.
struct StayImport {
  int64_t imported = 0;
  std::vector<std::pair<int, std::string>> errors;   // (line, message)
  std::vector<std::pair<int, std::string>> skipped;  // (line, why)
};
StayImport import_stays(Runtime& rt, const Caller& caller, const std::string& csv);

}  // namespace epinet::service
