// Managed cases, their events and scheduled tests, daily health reports and
// management alerts (to-dos) as the store keeps them.
#pragma once
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/records.h"

namespace epinet::store {

struct ManagedCase {
  int64_t id = 0;
  int64_t person_id = 0;
  std::string measure, place, state;
  Millis state_since = 0, anchor_at = 0;
  Millis case_reported_at = 0;  // 0: none
  Millis enrolled_at = 0, quarantine_end = 0, planned_end = 0;
  std::string source, note, site, division_path;
  std::optional<int64_t> district_id;
  int64_t created_by = 0;
  Millis updated_at = 0;
  // read only
  std::string person_name, person_phone, district_name;
};
struct ManagedCaseFilter {
  std::string state, measure;  // "" any; state "active" = not released nor became_case
  std::optional<int64_t> district_id, person_id;
  std::string within_path;
  std::string q;  // person name prefix
};
int64_t insert_managed_case(Connection& c, const ManagedCase& m, Millis now);
// New cases of distinct persons, several rows a statement: sets each one's id.
void insert_managed_cases(Connection& c, std::vector<ManagedCase>& ms, Millis now);
std::optional<ManagedCase> find_managed_case(Connection& c, int64_t id);
std::optional<ManagedCase> active_case_of_person(Connection& c, int64_t person_id);
// The same for many persons: those with an active case, by person id.
std::unordered_map<int64_t, ManagedCase> active_cases_of_persons(Connection& c, const std::vector<int64_t>& person_ids);
// Writes measure, place, state, state_since, anchor, case report, ends, note and site.
void update_managed_case(Connection& c, const ManagedCase& m, Millis now);
PageOf<ManagedCase> list_managed_cases(Connection& c, const ManagedCaseFilter& f, const Page& p);
// Up to `limit` cases matching the filter with an id above `after_id`, by id (for the board and the
// sweeps, which read every case a batch at a time).
std::vector<ManagedCase> managed_cases_after(Connection& c, const ManagedCaseFilter& f, int64_t after_id,
                                             int64_t limit);

struct ManagedEvent {
  int64_t id = 0, case_id = 0;
  Millis at = 0, recorded_at = 0;
  std::string kind, from_state, to_state;
  int64_t actor_id = 0;
  std::string actor, note, detail;
};
void insert_managed_event(Connection& c, const ManagedEvent& e);
void insert_managed_events(Connection& c, const std::vector<ManagedEvent>& es);
std::vector<ManagedEvent> list_managed_events(Connection& c, int64_t case_id);

struct ManagedTest {
  int64_t id = 0, case_id = 0;
  std::string phase;
  int day = 0;
  Millis due_from = 0, due_to = 0;
  std::string result;  // '' | pending | negative | positive
  std::optional<int64_t> test_id;
  std::optional<Millis> sampled_at, done_at;
};
// Adds the test day unless the case has it already.
void insert_managed_test(Connection& c, const ManagedTest& t);
// Scheduled tests of cases just created (which have none yet), several rows a statement.
void insert_new_managed_tests(Connection& c, const std::vector<ManagedTest>& ts);
std::vector<ManagedTest> list_managed_tests(Connection& c, int64_t case_id);
// The same for many cases: by case id (a case without test days is absent).
std::unordered_map<int64_t, std::vector<ManagedTest>> list_managed_tests_of(Connection& c,
                                                                            const std::vector<int64_t>& case_ids);
void set_managed_test_result(Connection& c, int64_t id, const std::string& result, int64_t test_id, Millis sampled_at,
                             Millis done_at);
// Deletes the case's test days that have no result yet.
void delete_open_managed_tests(Connection& c, int64_t case_id);
// Moves the due window of the case's monitoring tests that have no result by `by`.
void shift_open_managed_tests(Connection& c, int64_t case_id, const std::string& phase, Millis by);

struct HealthReport {
  int64_t id = 0, person_id = 0;
  std::optional<int64_t> case_id;
  Millis reported_at = 0;
  double temperature_c = 0;
  std::string symptoms_json = "[]";
  bool fever = false;
  int64_t reporter_id = 0;
  bool by_worker = false;
  std::optional<int64_t> handover_venue_id, handover_id;
  std::string division_path;
  std::optional<int64_t> district_id;
  std::string person_name;  // read only
};
int64_t insert_health_report(Connection& c, const HealthReport& r);
std::vector<HealthReport> list_health_reports(Connection& c, int64_t person_id, Millis since, int64_t limit);
int64_t count_health_reports(Connection& c, int64_t person_id, Millis from, Millis to);

struct ManagementAlert {
  int64_t id = 0, case_id = 0, person_id = 0;
  std::string kind, akey;
  Millis opened_at = 0;
  std::optional<Millis> due_at;
  std::string status = "open";
  std::optional<Millis> closed_at;
  std::optional<int64_t> closed_by;
  std::string note, detail, division_path;
  std::string person_name, measure, state;  // read only
};
// Inserts unless an alert with the same (case, kind, key) exists; returns its id when inserted.
std::optional<int64_t> insert_management_alert_once(Connection& c, const ManagementAlert& a);
bool has_management_alert(Connection& c, int64_t case_id, const std::string& kind, const std::string& akey);
std::optional<ManagementAlert> find_management_alert(Connection& c, int64_t id);
std::vector<ManagementAlert> list_management_alerts(Connection& c, const std::string& status, const std::string& within_path,
                                         std::optional<int64_t> case_id, int64_t limit);
// One page of the alerts of the status and kind ("" any) within the path ("" anywhere), newest first, and
// how many there are.
PageOf<ManagementAlert> page_management_alerts(Connection& c, const std::string& status, const std::string& kind,
                                               const std::string& within_path, const Page& p);
// How many alerts of the status ("" any) lie within the path ("" anywhere).
int64_t count_management_alerts(Connection& c, const std::string& status, const std::string& within_path);
void close_management_alert(Connection& c, int64_t id, int64_t by, const std::string& note, Millis now);
// Closes the open alerts of a case of one kind (e.g. overdue_step once the step is done).
void close_case_alerts(Connection& c, int64_t case_id, const std::string& kind, const std::string& note, Millis now);

// Board: active and closed cases per state and district.
struct StateCount {
  std::string state;
  std::optional<int64_t> district_id;
  std::string district_name;
  int64_t count = 0;
};
std::vector<StateCount> count_cases_by_state_district(Connection& c, const std::string& within_path);

// The district (division of level 'district') on a division path, if any.
std::optional<int64_t> district_of(Connection& c, const std::string& division_path);
// A hospital venue to hand a fever over to: in the district if there is one, else any.
std::optional<int64_t> hospital_for(Connection& c, std::optional<int64_t> district_id);

// Fever reports from people under management per district and local day —
// one of the early-warning channels ("fever reports from people under
// monitoring"). Days are local calendar days (utc_offset_minutes); `day` is
// the day's start (UTC millis). Reports in [from, to). Districts with no
// fever report on a day are absent.
struct FeverReportCount {
  std::optional<int64_t> district_id;
  std::string district_code, district_name;
  Millis day = 0;
  int64_t count = 0;
};
std::vector<FeverReportCount> fever_reports_by_district_day(Connection& c, Millis from, Millis to, int utc_offset_minutes = 480);

}  // namespace epinet::store
