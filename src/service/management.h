// Closed-loop management of close contacts, secondary contacts, companions
// and returnees: enrollment, the schedule of quarantine/monitoring and tests,
// the state machine of each managed case, daily health reports and the
// overdue/to-do lists built from them. See docs/management.md.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/time.h"
#include "domain/quarantine/quarantine.h"
#include "service/services.h"
#include "store/database.h"
#include "store/management.h"
#include "store/people.h"
#include "store/tracing.h"

namespace epinet::service {

struct Enrollment {
  int64_t person_id = 0;
  std::string measure;        // close_contact | secondary_contact | companion | high_risk_arrival | medium_risk_arrival | low_risk_arrival
  Millis exposure_at = 0;     // last exposure (contacts) or arrival time (returnees): the schedule's day 0
  Millis case_reported_at = 0;  // contacts: when the index case was reported (the 24 h control deadline's start); 0 if none
  std::string source;         // e.g. "tracing_job:42", "returnee:17"
  std::string note;           // evidence summary shown to workers
};
// Puts each person under management (in the caller's write transaction). Idempotent: an
// active management of the same or stronger measure is kept and extended if needed, never shortened.
// Returns the managed-case ids. Updates the persons' manage_status/manage_until so health codes follow.
std::vector<int64_t> enroll_managed(store::Connection& c, const Caller& caller, const std::vector<Enrollment>& in, Millis now);

class Runtime;

// ---- settings
// Reads the EPINET_MANAGE_* and EPINET_HEALTH_REPORT* settings (throws
// invalid_setting) and remembers the runtime, whose state-change notes make
// tokens issued before an enrollment be re-evaluated at a scan. Called once by
// the Runtime's constructor; until then the DOMAIN.md defaults hold.
void configure_management(Runtime& rt);
void forget_management_runtime(Runtime& rt);
domain::quarantine::Settings management_settings_from(const Config& config);
const domain::quarantine::Settings& management_settings();

// ---- managed cases
struct CaseDetail {
  store::ManagedCase mc;
  std::vector<store::ManagedTest> tests;
  std::vector<store::ManagedEvent> events;
  std::vector<store::ManagementAlert> alerts;
  std::vector<store::HealthReport> reports;  // the last 7 days
  std::vector<domain::quarantine::Deadline> overdue;
  std::optional<domain::quarantine::Deadline> next_deadline;
  std::vector<std::string> next_states;
  domain::quarantine::ReleaseCheck release;
  bool reports_due = false;
};
struct CaseRow {
  store::ManagedCase mc;
  std::vector<domain::quarantine::Deadline> overdue;
  std::optional<domain::quarantine::Deadline> next_deadline;
};
// Lists cases in the caller's jurisdiction; overdue_only keeps those with an overdue item.
store::PageOf<CaseRow> list_managed(Runtime& rt, const Caller& caller, store::ManagedCaseFilter f, bool overdue_only,
                                    const store::Page& p);
// One case with its schedule, events, alerts and reports (an audited read).
CaseDetail get_managed(Runtime& rt, const Caller& caller, int64_t id);
// Enrollment by hand (an investigator, the command center): enroll_managed in its own transaction.
CaseDetail enroll_one(Runtime& rt, const Caller& caller, const Enrollment& e);
// Records a step. `at` (default now) is when it happened: not before the
// current state began, not in the future. Illegal or premature → 400, nothing changed.
CaseDetail transition(Runtime& rt, const Caller& caller, int64_t id, const std::string& to, const std::string& note,
                      const std::optional<std::string>& site, std::optional<Millis> at);
// Extends by `days` (≥ 1); anything else is refused (shortening_refused).
CaseDetail extend_managed(Runtime& rt, const Caller& caller, int64_t id, int days, const std::string& reason);
// Records a nucleic test for the case's person (result negative | positive | pending) and applies it to the schedule.
CaseDetail record_managed_test(Runtime& rt, const Caller& caller, int64_t id, Millis sampled_at, const std::string& result);
// Applies a just-recorded nucleic test to the person's active management (in the
// caller's transaction): a negative sample on a scheduled day completes that
// day's test; a positive one moves the case to became_case. Returns true when
// the person's state changed.
bool apply_test_to_management(store::Connection& c, const Caller& caller, const store::NucleicTest& t, Millis now);

// ---- board
// The board lists this many overdue cases, the most overdue first (the rest: list_managed, overdue_only).
inline constexpr size_t kBoardOverdue = 100;
struct Board {
  std::vector<store::StateCount> counts;  // per state and district
  std::vector<CaseRow> overdue;           // active cases with an overdue item: the kBoardOverdue most overdue
  int64_t overdue_total = 0;              // every active case with an overdue item
  int64_t active = 0, open_alerts = 0;
  store::JobsInReview trace_review;  // trace jobs waiting for a commander's decision on their hand-over
};
Board management_board(Runtime& rt, const Caller& caller);

// ---- to-dos (alerts) and sweeps
// One page of the caller's to-dos of the status (open | closed | "" all) and kind ("" all), newest first;
// the first page sweeps the caller's cases first (sweep_management).
store::PageOf<store::ManagementAlert> list_todos(Runtime& rt, const Caller& caller, const std::string& status,
                                                 const std::string& kind, const store::Page& p);
store::ManagementAlert close_todo(Runtime& rt, const Caller& caller, int64_t id, const std::string& note);
// The jobs thread's step: links recorded tests to scheduled days, opens
// overdue_step / overdue_test / missing_report alerts (once each). Returns the
// number of alerts opened.
// `within_path` limits it to one jurisdiction (the to-do page sweeps its own on read).
int sweep_management(Runtime& rt, Millis now, const std::string& within_path = "");

// ---- daily health reports
struct ReportInput {
  double temperature_c = 0;
  std::vector<std::string> symptoms;
};
struct ReportResult {
  store::HealthReport report;
  std::optional<int64_t> alert_id, handover_id;
};
// A worker reports for a managed person (by case id).
ReportResult report_for_case(Runtime& rt, const Caller& caller, int64_t case_id, const ReportInput& in);
// A resident reports for itself or a household member (person_id; nullopt = itself).
ReportResult report_as_resident(Runtime& rt, const Caller& caller, std::optional<int64_t> person_id,
                                const ReportInput& in);
// What a resident account sees: itself and its household members, whether
// each must report, its case (if managed) and its reports of the last 3 days.
struct ResidentReportView {
  store::Person person;
  std::optional<store::ManagedCase> mc;
  bool must_report = false;
  int reports_today = 0;
  std::vector<store::HealthReport> reports;
};
std::vector<ResidentReportView> resident_reports(Runtime& rt, const Caller& caller);

// ---- demo
// Puts three demo residents under management (a close contact in centralized
// quarantine, a secondary contact at home, a companion just identified) when
// nobody is managed yet, so that the board and the to-dos show real-looking
// data. Returns the number of cases created.
int seed_management_demo(store::Connection& c, Millis now);

// Early warning reads this: fever reports of people under management per
// district and local day in [from, to) (see store::fever_reports_by_district_day).
std::vector<store::FeverReportCount> fever_reports_by_district_day(store::Connection& c, Millis from, Millis to);

}  // namespace epinet::service
