#include "domain/quarantine/quarantine.h"

#include <algorithm>
#include <array>

#include "core/error.h"

namespace epinet::domain::quarantine {
namespace {

struct MeasureInfo {
  Measure m;
  std::string_view name;
  int strength;
};
constexpr std::array<MeasureInfo, 6> kMeasures{{
    {Measure::kCloseContact, "close_contact", 6},
    {Measure::kHighRiskArrival, "high_risk_arrival", 5},
    {Measure::kSecondaryContact, "secondary_contact", 4},
    {Measure::kMediumRiskArrival, "medium_risk_arrival", 3},
    {Measure::kCompanion, "companion", 2},
    {Measure::kLowRiskArrival, "low_risk_arrival", 1},
}};
const MeasureInfo& info(Measure m) {
  for (const auto& i : kMeasures)
    if (i.m == m) return i;
  return kMeasures[0];
}

constexpr std::array<std::string_view, 7> kStates{"identified", "notified",  "transferred", "quarantined",
                                                  "monitoring", "released", "became_case"};

Millis floor_div(Millis a, Millis b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

[[noreturn]] void illegal(const CaseView& c, State to) {
  throw invalid("illegal_transition", "a case " + std::string(state_name(c.state)) + " cannot move to " +
                                          std::string(state_name(to)) + " (" + std::string(measure_name(c.measure)) + ")");
}

}  // namespace

std::optional<Measure> parse_measure(std::string_view s) {
  for (const auto& i : kMeasures)
    if (i.name == s) return i.m;
  return std::nullopt;
}
std::string_view measure_name(Measure m) { return info(m).name; }
const std::vector<Measure>& all_measures() {
  static const std::vector<Measure> all = [] {
    std::vector<Measure> v;
    for (const auto& i : kMeasures) v.push_back(i.m);
    return v;
  }();
  return all;
}
int strength(Measure m) { return info(m).strength; }

std::string_view place_name(Place p) {
  switch (p) {
    case Place::kCentralized: return "centralized";
    case Place::kHome: return "home";
    default: return "none";
  }
}

const ScheduleRule& Settings::rule(Measure m) const { return const_cast<Settings*>(this)->rule(m); }
ScheduleRule& Settings::rule(Measure m) {
  switch (m) {
    case Measure::kCloseContact: return close_contact;
    case Measure::kSecondaryContact: return secondary_contact;
    case Measure::kCompanion: return companion;
    case Measure::kHighRiskArrival: return high_risk_arrival;
    case Measure::kMediumRiskArrival: return medium_risk_arrival;
    case Measure::kLowRiskArrival: return low_risk_arrival;
  }
  return close_contact;
}

// ---- local days

Millis local_day_start(Millis t, int utc_offset_minutes) {
  const Millis off = utc_offset_minutes * 60000LL;
  return floor_div(t + off, kDayMs) * kDayMs - off;
}
int day_number(Millis anchor, Millis t, int utc_offset_minutes) {
  return static_cast<int>((local_day_start(t, utc_offset_minutes) - local_day_start(anchor, utc_offset_minutes)) / kDayMs);
}
Millis day_start(Millis anchor, int n, int utc_offset_minutes) {
  return local_day_start(anchor, utc_offset_minutes) + n * kDayMs;
}

// ---- schedules

Plan plan(Measure m, Millis anchor, const Settings& s) {
  const auto& r = s.rule(m);
  const int off = s.utc_offset_minutes;
  Plan p;
  p.measure = m;
  p.place = r.quarantine_days > 0 ? r.place : Place::kNone;
  p.anchor = anchor;
  p.quarantine_end = day_start(anchor, r.quarantine_days + 1, off);
  p.planned_end = day_start(anchor, r.quarantine_days + r.monitoring_days + 1, off);
  for (int d : r.quarantine_tests)
    p.tests.push_back({"quarantine", d, d, day_start(anchor, d, off), day_start(anchor, d + 1, off)});
  for (int d : r.monitoring_tests) {
    int abs = r.quarantine_days + d;
    p.tests.push_back({"monitoring", d, abs, day_start(anchor, abs, off), day_start(anchor, abs + 1, off)});
  }
  return p;
}

// ---- states

std::optional<State> parse_state(std::string_view s) {
  for (size_t i = 0; i < kStates.size(); ++i)
    if (kStates[i] == s) return static_cast<State>(i);
  return std::nullopt;
}
std::string_view state_name(State s) { return kStates[static_cast<size_t>(s)]; }
const std::vector<State>& all_states() {
  static const std::vector<State> all{State::kIdentified, State::kNotified,  State::kTransferred, State::kQuarantined,
                                      State::kMonitoring, State::kReleased, State::kBecameCase};
  return all;
}
bool is_active(State s) { return s != State::kReleased && s != State::kBecameCase; }

std::vector<State> next_states(const CaseView& c) {
  const bool has_monitoring = c.planned_end > c.quarantine_end;
  switch (c.state) {
    case State::kIdentified: return {State::kNotified, State::kBecameCase};
    case State::kNotified:
      if (c.place == Place::kNone) return {State::kMonitoring, State::kBecameCase};
      if (c.place == Place::kHome) return {State::kTransferred, State::kQuarantined, State::kBecameCase};
      return {State::kTransferred, State::kBecameCase};
    case State::kTransferred: return {State::kQuarantined, State::kBecameCase};
    case State::kQuarantined:
      return {has_monitoring ? State::kMonitoring : State::kReleased, State::kBecameCase};
    case State::kMonitoring: return {State::kReleased, State::kBecameCase};
    default: return {};
  }
}

ReleaseCheck can_release(const CaseView& c, const std::vector<TestStatus>& tests, Millis now) {
  for (const auto& t : tests)
    if (t.result == "positive") return {false, "a scheduled test was positive", "test_positive"};
  if (now < c.planned_end) return {false, "the schedule's days have not all passed", "days_remaining"};
  for (const auto& t : tests)
    if (t.result != "negative")
      return {false, "the " + t.phase + " day " + std::to_string(t.day) + " test has no negative result", "tests_missing"};
  return {true, "", ""};
}

void check_transition(const CaseView& c, State to, const std::vector<TestStatus>& tests, Millis now) {
  auto next = next_states(c);
  if (std::find(next.begin(), next.end(), to) == next.end()) illegal(c, to);
  if (to == State::kMonitoring && c.place != Place::kNone && now < c.quarantine_end)
    throw invalid("not_yet", "the quarantine's days have not all passed");
  if (to == State::kReleased) {
    auto r = can_release(c, tests, now);
    if (!r.allowed) throw invalid(r.code == "days_remaining" ? "not_yet" : r.code, "cannot release yet: " + r.reason);
  }
}

CodeStatus code_status(const CaseView& c) {
  CodeStatus out;
  if (!is_active(c.state) || c.measure == Measure::kLowRiskArrival) return out;
  out.until = c.planned_end;
  if (c.state == State::kQuarantined)
    out.manage_status = c.place == Place::kCentralized ? "centralized_quarantine" : "home_quarantine";
  else if (c.state == State::kMonitoring)
    out.manage_status = c.measure == Measure::kCompanion ? "companion" : "home_monitoring";
  else
    switch (c.measure) {
      case Measure::kCloseContact: out.manage_status = "close_contact"; break;
      case Measure::kSecondaryContact: out.manage_status = "secondary_contact"; break;
      case Measure::kCompanion: out.manage_status = "companion"; break;
      case Measure::kHighRiskArrival: out.manage_status = "centralized_quarantine"; break;
      case Measure::kMediumRiskArrival: out.manage_status = "home_quarantine"; break;
      case Measure::kLowRiskArrival: break;
    }
  return out;
}

// ---- extensions

void refuse_shortening(Millis current_end, Millis new_end) {
  if (new_end < current_end) throw invalid("shortening_refused", "a management period can be extended, never shortened");
}

Ends extend(const CaseView& c, int days) {
  if (days < 1) throw invalid("shortening_refused", "an extension adds at least one day; a period is never shortened");
  if (!is_active(c.state)) throw invalid("illegal_transition", "a closed management cannot be extended");
  const Millis add = days * kDayMs;
  Ends e{c.quarantine_end, c.planned_end + add};
  const bool in_quarantine_phase = c.place != Place::kNone && c.state != State::kMonitoring;
  if (in_quarantine_phase) e.quarantine_end += add;
  return e;
}

// ---- deadlines and overdue

std::optional<Deadline> next_deadline(const CaseView& c, const Settings& s) {
  const Millis control_from = c.case_reported_at > 0 ? c.case_reported_at : c.enrolled_at;
  const Millis control = control_from + s.control_hours * kHour;
  switch (c.state) {
    case State::kIdentified:
      return Deadline{"notify", std::min(c.enrolled_at + s.notify_hours * kHour, control), "notify the person"};
    case State::kNotified: return Deadline{"control", control, "bring under control"};
    case State::kTransferred: return Deadline{"admit", c.state_since + s.admit_hours * kHour, "admit at the quarantine site"};
    case State::kQuarantined:
      if (c.planned_end > c.quarantine_end)
        return Deadline{"start_monitoring", c.quarantine_end + s.step_grace_hours * kHour, "move to home monitoring"};
      return Deadline{"release", c.planned_end + s.step_grace_hours * kHour, "release"};
    case State::kMonitoring: return Deadline{"release", c.planned_end + s.step_grace_hours * kHour, "release"};
    default: return std::nullopt;
  }
}

std::vector<Deadline> overdue(const CaseView& c, const std::vector<TestStatus>& tests, const Settings& s, Millis now) {
  std::vector<Deadline> out;
  if (!is_active(c.state)) return out;
  if (auto d = next_deadline(c, s); d && d->due_at < now) out.push_back(*d);
  for (const auto& t : tests)
    if ((t.result.empty() || t.result == "pending") && t.due_to + s.test_grace_hours * kHour < now)
      out.push_back({"test", t.due_to + s.test_grace_hours * kHour, t.phase + " day " + std::to_string(t.day)});
  return out;
}

// ---- daily health reports

std::vector<Slot> owed_slots(Millis since, Millis now, const Settings& s) {
  std::vector<Slot> out;
  const int n = std::max(1, s.reports_per_day);
  const Millis len = kDayMs / n, grace = s.report_grace_hours * kHour;
  for (Millis from = local_day_start(since, s.utc_offset_minutes); from + len + grace <= now; from += len)
    if (from + len > since) out.push_back({from, from + len});
  return out;
}

bool reports_due(const CaseView& c) {
  if (c.state == State::kQuarantined) return c.place == Place::kHome;
  return c.state == State::kMonitoring && c.measure != Measure::kCompanion && c.measure != Measure::kLowRiskArrival;
}

const std::vector<std::string_view>& symptom_codes() {
  static const std::vector<std::string_view> codes{"fever",  "cough",   "sore_throat", "fatigue", "loss_of_smell",
                                                   "diarrhea", "short_breath", "muscle_ache", "runny_nose"};
  return codes;
}

bool is_fever(double temperature_c, const std::vector<std::string>& symptoms, const Settings& s) {
  return temperature_c >= s.fever_threshold_c || !symptoms.empty();
}

}  // namespace epinet::domain::quarantine

namespace epinet::domain::quarantine {

ScheduleRule parse_schedule_rule(const std::string& key, const std::string& text) {
  auto bad = [&](const std::string& why) {
    return invalid("invalid_setting", key + " must look like centralized:7:3:1,2,3,5,7:3 (" + why + "), not '" + text + "'");
  };
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i)
    if (i == text.size() || text[i] == ':') {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  if (parts.size() != 5) throw bad("five fields separated by ':'");
  auto number = [&](const std::string& s, int lo, int hi) {
    if (s.empty() || s.size() > 3 || s.find_first_not_of("0123456789") != std::string::npos) throw bad("a whole number");
    int n = std::stoi(s);
    if (n < lo || n > hi) throw bad("a number from " + std::to_string(lo) + " to " + std::to_string(hi));
    return n;
  };
  ScheduleRule r;
  if (parts[0] == "centralized") r.place = Place::kCentralized;
  else if (parts[0] == "home") r.place = Place::kHome;
  else if (parts[0] == "none") r.place = Place::kNone;
  else throw bad("place centralized, home or none");
  r.quarantine_days = number(parts[1], 0, 60);
  r.monitoring_days = number(parts[2], 0, 60);
  if (r.place == Place::kNone && r.quarantine_days > 0) throw bad("a quarantine needs a place");
  if (r.place != Place::kNone && r.quarantine_days == 0) throw bad("a place needs quarantine days");
  if (r.quarantine_days + r.monitoring_days == 0) throw bad("at least one day");
  auto days = [&](const std::string& list, int max) {
    std::vector<int> out;
    size_t b = 0;
    for (size_t i = 0; i <= list.size() && !list.empty(); ++i)
      if (i == list.size() || list[i] == ',') {
        int d = number(list.substr(b, i - b), 1, std::max(1, max));
        if (d > max) throw bad("test day beyond its phase");
        if (!out.empty() && d <= out.back()) throw bad("test days in increasing order");
        out.push_back(d);
        b = i + 1;
      }
    return out;
  };
  r.quarantine_tests = days(parts[3], r.quarantine_days);
  r.monitoring_tests = days(parts[4], r.monitoring_days);
  return r;
}

}  // namespace epinet::domain::quarantine
