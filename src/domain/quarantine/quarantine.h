// Closed-loop management of contacts and returnees, as pure rules: the
// schedules of the 9th edition protocol (DOMAIN.md) as a table of settings,
// local-day counting, the state machine of a managed case with its legal
// transitions, step deadlines and overdue detection, extensions (never a
// shortening) and the release condition. No clock, no I/O: callers pass `now`.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace epinet::domain::quarantine {

constexpr Millis kHour = 3600LL * 1000;
constexpr Millis kDayMs = 24 * kHour;

enum class Measure { kCloseContact, kSecondaryContact, kCompanion, kHighRiskArrival, kMediumRiskArrival, kLowRiskArrival };
std::optional<Measure> parse_measure(std::string_view s);
std::string_view measure_name(Measure m);
const std::vector<Measure>& all_measures();
// How strict a measure is: an active management is never replaced by a weaker one.
int strength(Measure m);

// Where the quarantine phase happens.
enum class Place { kNone, kCentralized, kHome };
std::string_view place_name(Place p);

struct TestDay {
  std::string phase;  // "quarantine" | "monitoring"
  int day = 0;        // 1-based day within the phase
};

// One row of the schedule table.
struct ScheduleRule {
  Place place = Place::kNone;
  int quarantine_days = 0;    // 0: no quarantine phase
  int monitoring_days = 0;    // home health monitoring (or, for companions and low-risk arrivals, the testing period)
  std::vector<int> quarantine_tests, monitoring_tests;  // days within each phase
};

// The settings with DOMAIN.md defaults (each is an EPINET_MANAGE_* setting).
struct Settings {
  ScheduleRule close_contact{Place::kCentralized, 7, 3, {1, 2, 3, 5, 7}, {3}};
  ScheduleRule secondary_contact{Place::kHome, 7, 0, {1, 4, 7}, {}};
  ScheduleRule companion{Place::kNone, 0, 3, {}, {1, 2, 3}};
  ScheduleRule high_risk_arrival{Place::kCentralized, 7, 0, {1, 2, 3, 5, 7}, {}};
  ScheduleRule medium_risk_arrival{Place::kHome, 7, 0, {1, 4, 7}, {}};
  ScheduleRule low_risk_arrival{Place::kNone, 0, 3, {}, {1, 3}};
  int control_hours = 24;          // under control within this many hours of the case report
  int notify_hours = 4;            // identified → notified
  int admit_hours = 12;            // transferred → under quarantine at the site
  int step_grace_hours = 24;       // after a phase ends, to record the next step (monitoring, release)
  int test_grace_hours = 12;       // after a test day ends, for its result to come in
  int reports_per_day = 2;         // daily health reports
  int report_grace_hours = 2;      // after a report slot ends, a missing report becomes a to-do
  double fever_threshold_c = 37.3;
  int utc_offset_minutes = 480;    // local days (Asia/Shanghai: +08:00, no daylight saving)

  const ScheduleRule& rule(Measure m) const;
  ScheduleRule& rule(Measure m);
};

// ---- local days
// The start (UTC millis) of the local calendar day containing t.
Millis local_day_start(Millis t, int utc_offset_minutes);
// Day 0 is the local day of the anchor (exposure or arrival); day 1 is the next local day.
int day_number(Millis anchor, Millis t, int utc_offset_minutes);
// The start of day n counted from the anchor.
Millis day_start(Millis anchor, int n, int utc_offset_minutes);

// ---- schedules
struct ScheduledTest {
  std::string phase;  // quarantine | monitoring
  int day = 0;        // day within the phase
  int absolute_day = 0;  // day counted from the anchor
  Millis due_from = 0, due_to = 0;  // the local day [from, to)
};
struct Plan {
  Measure measure = Measure::kCloseContact;
  Place place = Place::kNone;
  Millis anchor = 0;
  Millis quarantine_end = 0;  // end of the last quarantine day (= anchor day's end when there is none)
  Millis planned_end = 0;     // end of the last day of the schedule
  std::vector<ScheduledTest> tests;
};
// The schedule of a measure from its anchor (day 0).
Plan plan(Measure m, Millis anchor, const Settings& s);

// ---- states
enum class State { kIdentified, kNotified, kTransferred, kQuarantined, kMonitoring, kReleased, kBecameCase };
std::optional<State> parse_state(std::string_view s);
std::string_view state_name(State s);
const std::vector<State>& all_states();
bool is_active(State s);  // not released, not became_case

// What a transition needs to know about the case.
struct CaseView {
  Measure measure = Measure::kCloseContact;
  Place place = Place::kCentralized;  // of the quarantine phase (kNone: testing only)
  State state = State::kIdentified;
  Millis enrolled_at = 0;
  Millis case_reported_at = 0;  // 0: none
  Millis state_since = 0;
  Millis quarantine_end = 0, planned_end = 0;
};
struct TestStatus {
  std::string phase;
  int day = 0;
  Millis due_to = 0;
  std::string result;  // "" (not yet) | pending | negative | positive
};

// Throws epinet::Error (invalid, code "illegal_transition" or "not_yet") when
// the step is not allowed now; returns normally otherwise.
void check_transition(const CaseView& c, State to, const std::vector<TestStatus>& tests, Millis now);
// The states a case may move to next (for the UI), regardless of time.
std::vector<State> next_states(const CaseView& c);

// The health-code management status (persons.manage_status) a case in this
// state holds, and until when; "none" once it ends.
struct CodeStatus {
  std::string manage_status = "none";
  std::optional<Millis> until;
};
CodeStatus code_status(const CaseView& c);

// Release needs every schedule day passed and every scheduled test done and negative.
struct ReleaseCheck {
  bool allowed = false;
  std::string reason;  // why not, in English (the UI translates the code)
  std::string code;    // "" | days_remaining | tests_missing | test_positive
};
ReleaseCheck can_release(const CaseView& c, const std::vector<TestStatus>& tests, Millis now);

// ---- extensions
// New ends after extending by `days` (≥ 1). Extending before or during
// quarantine lengthens the quarantine (and shifts the monitoring that
// follows); during monitoring, it lengthens the monitoring. days < 1 is a
// shortening or nothing: refused (invalid "shortening_refused").
struct Ends {
  Millis quarantine_end = 0, planned_end = 0;
};
Ends extend(const CaseView& c, int days);
// An end may only move later: throws invalid("shortening_refused") otherwise.
void refuse_shortening(Millis current_end, Millis new_end);

// ---- deadlines and overdue
struct Deadline {
  std::string step;  // what is due: notify | control | admit | start_monitoring | release | test
  Millis due_at = 0;
  std::string detail;  // e.g. "quarantine day 3"
};
// The next step's deadline for the case in its current state (nullopt when
// nothing is due, e.g. released).
std::optional<Deadline> next_deadline(const CaseView& c, const Settings& s);
// Every overdue item at `now`: the step deadline and each test whose day
// (plus the grace) has passed without a result.
std::vector<Deadline> overdue(const CaseView& c, const std::vector<TestStatus>& tests, const Settings& s, Millis now);

// ---- daily health reports
// Report slots split each local day into reports_per_day equal windows.
struct Slot {
  Millis from = 0, to = 0;
};
// Slots that ended (plus the grace) in [since, now): the ones a report is owed for.
std::vector<Slot> owed_slots(Millis since, Millis now, const Settings& s);
// Whether the person must report daily in this state (home quarantine or monitoring).
bool reports_due(const CaseView& c);
bool is_fever(double temperature_c, const std::vector<std::string>& symptoms, const Settings& s);
// Known symptom codes (reports with others are refused).
const std::vector<std::string_view>& symptom_codes();

}  // namespace epinet::domain::quarantine

namespace epinet::domain::quarantine {
// A schedule row as a setting: "PLACE:QDAYS:MDAYS:QTESTS:MTESTS", e.g.
// "centralized:7:3:1,2,3,5,7:3" (PLACE centralized | home | none; test days
// comma-separated, empty for none). Throws invalid("invalid_setting") naming `key`.
ScheduleRule parse_schedule_rule(const std::string& key, const std::string& text);
}  // namespace epinet::domain::quarantine
