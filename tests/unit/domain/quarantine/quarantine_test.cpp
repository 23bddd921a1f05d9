#include "domain/quarantine/quarantine.h"

#include <gtest/gtest.h>

#include <functional>

#include "core/error.h"

namespace epinet::domain::quarantine {
namespace {

// 2026-11-20T15:30:00Z = 2026-11-20 23:30 in Shanghai; the local day after
// (day 1) is 2026-11-21 (starting 2026-11-20T16:00:00Z).
const Millis kExposure = *parse_iso8601("2026-11-20T15:30:00Z");
Millis at(const char* s) { return *parse_iso8601(s); }

std::string code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return "";
}

CaseView view(Measure m, State s, const Plan& p) {
  CaseView c;
  c.measure = m;
  c.place = p.place;
  c.state = s;
  c.enrolled_at = p.anchor + kHour;
  c.state_since = c.enrolled_at;
  c.quarantine_end = p.quarantine_end;
  c.planned_end = p.planned_end;
  return c;
}

std::vector<TestStatus> all(const Plan& p, const std::string& result) {
  std::vector<TestStatus> out;
  for (const auto& t : p.tests) out.push_back({t.phase, t.day, t.due_to, result});
  return out;
}

// --- local days ---------------------------------------------------------------

TEST(QuarantineLocalDays, DayOneIsTheLocalDayAfterTheExposureInShanghaiTime) {
  EXPECT_EQ(day_number(kExposure, kExposure, 480), 0);
  EXPECT_EQ(day_number(kExposure, at("2026-11-20T15:59:59Z"), 480), 0) << "23:59:59 local is still day 0";
  EXPECT_EQ(day_number(kExposure, at("2026-11-20T16:00:00Z"), 480), 1) << "local midnight starts day 1";
  EXPECT_EQ(day_start(kExposure, 1, 480), at("2026-11-20T16:00:00Z"));
  // In UTC the same instant is still 2026-11-20: day 1 starts a day later.
  EXPECT_EQ(day_start(kExposure, 1, 0), at("2026-11-21T00:00:00Z"));
}

TEST(QuarantineLocalDays, TimesBefore1970AreCountedToo) {
  EXPECT_EQ(local_day_start(-1, 0), -kDayMs);
}

// --- schedules ------------------------------------------------------------------

TEST(QuarantineSchedule, CloseContactsSevenDaysCentralizedThenThreeDaysHomeMonitoring) {
  Settings s;
  auto p = plan(Measure::kCloseContact, kExposure, s);
  EXPECT_EQ(p.place, Place::kCentralized);
  EXPECT_EQ(p.quarantine_end, at("2026-11-27T16:00:00Z")) << "end of local day 7 (2026-11-27)";
  EXPECT_EQ(p.planned_end, at("2026-11-30T16:00:00Z")) << "end of local day 10";
  ASSERT_EQ(p.tests.size(), 6u);
  std::vector<int> days;
  for (const auto& t : p.tests) days.push_back(t.absolute_day);
  EXPECT_EQ(days, (std::vector<int>{1, 2, 3, 5, 7, 10})) << "quarantine days 1,2,3,5,7 and monitoring day 3";
  EXPECT_EQ(p.tests.back().phase, "monitoring");
  EXPECT_EQ(p.tests.back().day, 3);
  EXPECT_EQ(p.tests[0].due_from, at("2026-11-20T16:00:00Z"));
  EXPECT_EQ(p.tests[0].due_to, at("2026-11-21T16:00:00Z"));
}

TEST(QuarantineSchedule, SecondaryContactsAndMediumRiskArrivalsSevenDaysAtHomeTestsOnDays147) {
  Settings s;
  for (auto m : {Measure::kSecondaryContact, Measure::kMediumRiskArrival}) {
    auto p = plan(m, kExposure, s);
    EXPECT_EQ(p.place, Place::kHome);
    EXPECT_EQ(p.planned_end, p.quarantine_end) << "no monitoring phase";
    EXPECT_EQ(p.planned_end, day_start(kExposure, 8, 480));
    std::vector<int> days;
    for (const auto& t : p.tests) days.push_back(t.absolute_day);
    EXPECT_EQ(days, (std::vector<int>{1, 4, 7}));
  }
}

TEST(QuarantineSchedule, HighRiskArrivalsSevenDaysCentralized) {
  auto p = plan(Measure::kHighRiskArrival, kExposure, Settings{});
  EXPECT_EQ(p.place, Place::kCentralized);
  EXPECT_EQ(p.planned_end, day_start(kExposure, 8, 480));
  EXPECT_EQ(p.tests.size(), 5u);
}

TEST(QuarantineSchedule, CompanionsThreeTestsInThreeDaysLowRiskTwoTestsInThree) {
  auto c = plan(Measure::kCompanion, kExposure, Settings{});
  EXPECT_EQ(c.place, Place::kNone);
  EXPECT_EQ(c.planned_end, day_start(kExposure, 4, 480));
  EXPECT_EQ(c.tests.size(), 3u);
  auto l = plan(Measure::kLowRiskArrival, kExposure, Settings{});
  EXPECT_EQ(l.tests.size(), 2u);
  EXPECT_LE(l.tests.back().absolute_day, 3);
}

TEST(QuarantineSchedule, NumbersAreSettings) {
  Settings s;
  s.close_contact = parse_schedule_rule("K", "centralized:14:7:1,4,7,14:2,7");
  auto p = plan(Measure::kCloseContact, kExposure, s);
  EXPECT_EQ(p.planned_end, day_start(kExposure, 22, 480));
  EXPECT_EQ(p.tests.size(), 6u);
  EXPECT_EQ(p.tests.back().absolute_day, 21);
}

TEST(QuarantineSchedule, MalformedSettingsAreRefusedWithTheKey) {
  for (const char* bad : {"centralized:7:3", "moon:7:3:1:1", "centralized:7:3:8:", "home:7:0:3,2:", "none:7:0::",
                          "home:0:3::1", "centralized:x:3::"}) {
    try {
      parse_schedule_rule("EPINET_MANAGE_X", bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), "invalid_setting") << bad;
      EXPECT_NE(std::string(e.what()).find("EPINET_MANAGE_X"), std::string::npos);
    }
  }
  EXPECT_EQ(parse_schedule_rule("K", "home:7:0:1,4,7:").quarantine_tests, (std::vector<int>{1, 4, 7}));
}

TEST(QuarantineMeasures, StrengthOrdersCloseContactsAboveCompanions) {
  EXPECT_GT(strength(Measure::kCloseContact), strength(Measure::kSecondaryContact));
  EXPECT_GT(strength(Measure::kSecondaryContact), strength(Measure::kCompanion));
  EXPECT_GT(strength(Measure::kHighRiskArrival), strength(Measure::kMediumRiskArrival));
  EXPECT_EQ(parse_measure("close_contact"), Measure::kCloseContact);
  EXPECT_EQ(parse_measure("friend"), std::nullopt);
}

// --- state machine -----------------------------------------------------------

TEST(QuarantineStateMachine, CloseContactGoesIdentifiedNotifiedTransferredQuarantinedMonitoringReleased) {
  auto p = plan(Measure::kCloseContact, kExposure, Settings{});
  auto c = view(Measure::kCloseContact, State::kIdentified, p);
  const Millis t = kExposure + 2 * kHour;
  EXPECT_NO_THROW(check_transition(c, State::kNotified, {}, t));
  EXPECT_EQ(code_of([&] { check_transition(c, State::kTransferred, {}, t); }), "illegal_transition") << "skips notified";
  c.state = State::kNotified;
  EXPECT_EQ(code_of([&] { check_transition(c, State::kQuarantined, {}, t); }), "illegal_transition")
      << "centralized quarantine needs the transfer";
  EXPECT_NO_THROW(check_transition(c, State::kTransferred, {}, t));
  c.state = State::kTransferred;
  EXPECT_NO_THROW(check_transition(c, State::kQuarantined, {}, t));
  c.state = State::kQuarantined;
  EXPECT_EQ(code_of([&] { check_transition(c, State::kMonitoring, {}, p.quarantine_end - 1); }), "not_yet");
  EXPECT_NO_THROW(check_transition(c, State::kMonitoring, {}, p.quarantine_end));
  EXPECT_EQ(code_of([&] { check_transition(c, State::kReleased, all(p, "negative"), p.planned_end); }),
            "illegal_transition")
      << "a close contact's home monitoring comes before release";
  c.state = State::kMonitoring;
  EXPECT_NO_THROW(check_transition(c, State::kReleased, all(p, "negative"), p.planned_end));
  c.state = State::kReleased;
  EXPECT_TRUE(next_states(c).empty());
  EXPECT_EQ(code_of([&] { check_transition(c, State::kNotified, {}, t); }), "illegal_transition");
}

TEST(QuarantineStateMachine, HomeQuarantineMayBeginWithoutATransferAndAnyActiveStateCanBecomeACase) {
  auto p = plan(Measure::kSecondaryContact, kExposure, Settings{});
  auto c = view(Measure::kSecondaryContact, State::kNotified, p);
  EXPECT_NO_THROW(check_transition(c, State::kQuarantined, {}, kExposure));
  for (auto s : {State::kIdentified, State::kNotified, State::kQuarantined}) {
    c.state = s;
    EXPECT_NO_THROW(check_transition(c, State::kBecameCase, {}, kExposure));
  }
  c.state = State::kBecameCase;
  EXPECT_EQ(code_of([&] { check_transition(c, State::kReleased, all(p, "negative"), p.planned_end); }),
            "illegal_transition");
}

TEST(QuarantineStateMachine, CompanionsAreTestedWithoutQuarantine) {
  auto p = plan(Measure::kCompanion, kExposure, Settings{});
  auto c = view(Measure::kCompanion, State::kNotified, p);
  EXPECT_EQ(code_of([&] { check_transition(c, State::kTransferred, {}, kExposure); }), "illegal_transition");
  EXPECT_NO_THROW(check_transition(c, State::kMonitoring, {}, kExposure));
}

// --- release --------------------------------------------------------------------

TEST(QuarantineRelease, NeedsEveryDayPassedAndEveryTestNegative) {
  auto p = plan(Measure::kSecondaryContact, kExposure, Settings{});
  auto c = view(Measure::kSecondaryContact, State::kQuarantined, p);
  auto neg = all(p, "negative");
  EXPECT_EQ(can_release(c, neg, p.planned_end - 1).code, "days_remaining");
  EXPECT_TRUE(can_release(c, neg, p.planned_end).allowed);
  auto missing = neg;
  missing[1].result = "";
  auto r = can_release(c, missing, p.planned_end);
  EXPECT_FALSE(r.allowed);
  EXPECT_EQ(r.code, "tests_missing");
  EXPECT_NE(r.reason.find("day 4"), std::string::npos) << r.reason;
  auto pending = neg;
  pending[2].result = "pending";
  EXPECT_EQ(can_release(c, pending, p.planned_end).code, "tests_missing");
  auto positive = neg;
  positive[0].result = "positive";
  EXPECT_EQ(can_release(c, positive, p.planned_end).code, "test_positive");
  EXPECT_EQ(code_of([&] { check_transition(c, State::kReleased, missing, p.planned_end); }), "tests_missing");
  EXPECT_EQ(code_of([&] { check_transition(c, State::kReleased, neg, p.planned_end - 1); }), "not_yet");
}

// --- extensions -------------------------------------------------------------------

TEST(QuarantineExtension, LengthensTheCurrentPhaseAndNeverShortens) {
  auto p = plan(Measure::kCloseContact, kExposure, Settings{});
  auto c = view(Measure::kCloseContact, State::kQuarantined, p);
  auto e = extend(c, 2);
  EXPECT_EQ(e.quarantine_end, p.quarantine_end + 2 * kDayMs) << "quarantine lengthened";
  EXPECT_EQ(e.planned_end, p.planned_end + 2 * kDayMs) << "and the monitoring that follows moves";
  c.state = State::kMonitoring;
  e = extend(c, 1);
  EXPECT_EQ(e.quarantine_end, p.quarantine_end) << "monitoring extends only itself";
  EXPECT_EQ(e.planned_end, p.planned_end + kDayMs);
  EXPECT_EQ(code_of([&] { extend(c, 0); }), "shortening_refused");
  EXPECT_EQ(code_of([&] { extend(c, -3); }), "shortening_refused");
  EXPECT_EQ(code_of([&] { refuse_shortening(p.planned_end, p.planned_end - 1); }), "shortening_refused");
  EXPECT_NO_THROW(refuse_shortening(p.planned_end, p.planned_end));
  c.state = State::kReleased;
  EXPECT_EQ(code_of([&] { extend(c, 1); }), "illegal_transition");
}

// --- code status ----------------------------------------------------------------

TEST(QuarantineCodeStatus, FollowsTheStateSoCodesTurnRedThenYellowThenGreen) {
  auto p = plan(Measure::kCloseContact, kExposure, Settings{});
  auto c = view(Measure::kCloseContact, State::kIdentified, p);
  EXPECT_EQ(code_status(c).manage_status, "close_contact");
  EXPECT_EQ(code_status(c).until, p.planned_end);
  c.state = State::kQuarantined;
  EXPECT_EQ(code_status(c).manage_status, "centralized_quarantine");
  c.state = State::kMonitoring;
  EXPECT_EQ(code_status(c).manage_status, "home_monitoring");
  c.state = State::kReleased;
  EXPECT_EQ(code_status(c).manage_status, "none");
  EXPECT_EQ(code_status(c).until, std::nullopt);
  auto h = view(Measure::kMediumRiskArrival, State::kQuarantined, plan(Measure::kMediumRiskArrival, kExposure, Settings{}));
  EXPECT_EQ(code_status(h).manage_status, "home_quarantine");
  auto comp = view(Measure::kCompanion, State::kIdentified, plan(Measure::kCompanion, kExposure, Settings{}));
  EXPECT_EQ(code_status(comp).manage_status, "companion");
}

// --- deadlines and overdue --------------------------------------------------------

TEST(QuarantineDeadlines, ControlWithin24HoursOfTheCaseReport) {
  Settings s;
  auto p = plan(Measure::kCloseContact, kExposure, s);
  auto c = view(Measure::kCloseContact, State::kNotified, p);
  c.case_reported_at = kExposure + 10 * kHour;
  auto d = next_deadline(c, s);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->step, "control");
  EXPECT_EQ(d->due_at, c.case_reported_at + 24 * kHour);
  EXPECT_TRUE(overdue(c, {}, s, d->due_at).empty()) << "due, not yet overdue";
  auto od = overdue(c, {}, s, d->due_at + 1);
  ASSERT_EQ(od.size(), 1u);
  EXPECT_EQ(od[0].step, "control");
  s.control_hours = 12;
  EXPECT_EQ(next_deadline(c, s)->due_at, c.case_reported_at + 12 * kHour) << "the 24 h is a setting";
}

TEST(QuarantineDeadlines, NotifyIsDueFirstAndAReleasedCaseHasNone) {
  Settings s;
  auto p = plan(Measure::kSecondaryContact, kExposure, s);
  auto c = view(Measure::kSecondaryContact, State::kIdentified, p);
  EXPECT_EQ(next_deadline(c, s)->step, "notify");
  EXPECT_EQ(next_deadline(c, s)->due_at, c.enrolled_at + 4 * kHour);
  c.state = State::kQuarantined;
  EXPECT_EQ(next_deadline(c, s)->step, "release");
  EXPECT_EQ(next_deadline(c, s)->due_at, p.planned_end + 24 * kHour);
  c.state = State::kReleased;
  EXPECT_EQ(next_deadline(c, s), std::nullopt);
  EXPECT_TRUE(overdue(c, {}, s, p.planned_end + 100 * kDayMs).empty());
}

TEST(QuarantineDeadlines, ATestDayWithoutAResultIsOverdueAfterItsGrace) {
  Settings s;
  auto p = plan(Measure::kSecondaryContact, kExposure, s);
  auto c = view(Measure::kSecondaryContact, State::kQuarantined, p);
  auto tests = all(p, "");
  tests[0].result = "negative";
  const Millis after_day4 = p.tests[1].due_to + s.test_grace_hours * kHour + 1;
  auto od = overdue(c, tests, s, after_day4);
  ASSERT_EQ(od.size(), 1u);
  EXPECT_EQ(od[0].step, "test");
  EXPECT_EQ(od[0].detail, "quarantine day 4");
}

// --- health reports -------------------------------------------------------------

TEST(QuarantineHealthReports, TwoSlotsADayOwedAfterTheGrace) {
  Settings s;  // 2 a day, 2 h grace
  const Millis since = at("2026-11-21T01:00:00Z");  // 09:00 local, 21 Nov
  // The morning slot (00:00–12:00 local) ends 04:00Z; owed from 06:00Z.
  EXPECT_TRUE(owed_slots(since, at("2026-11-21T05:59:00Z"), s).empty());
  auto owed = owed_slots(since, at("2026-11-21T06:00:00Z"), s);
  ASSERT_EQ(owed.size(), 1u);
  EXPECT_EQ(owed[0].from, at("2026-11-20T16:00:00Z"));
  EXPECT_EQ(owed[0].to, at("2026-11-21T04:00:00Z"));
  EXPECT_EQ(owed_slots(since, at("2026-11-22T06:00:00Z"), s).size(), 3u);
  s.reports_per_day = 1;
  EXPECT_EQ(owed_slots(since, at("2026-11-22T06:00:00Z"), s).size(), 1u);
}

TEST(QuarantineHealthReports, FeverAtOrAbove373OrAnySymptom) {
  Settings s;
  EXPECT_FALSE(is_fever(37.2, {}, s));
  EXPECT_TRUE(is_fever(37.3, {}, s));
  EXPECT_TRUE(is_fever(36.5, {"cough"}, s));
}

TEST(QuarantineHealthReports, DueForHomeQuarantineAndMonitoringOnly) {
  auto pc = plan(Measure::kCloseContact, kExposure, Settings{});
  auto c = view(Measure::kCloseContact, State::kQuarantined, pc);
  EXPECT_FALSE(reports_due(c)) << "a quarantine site takes temperatures itself";
  c.state = State::kMonitoring;
  EXPECT_TRUE(reports_due(c));
  auto h = view(Measure::kSecondaryContact, State::kQuarantined, plan(Measure::kSecondaryContact, kExposure, Settings{}));
  EXPECT_TRUE(reports_due(h));
  h.state = State::kNotified;
  EXPECT_FALSE(reports_due(h));
}

}  // namespace
}  // namespace epinet::domain::quarantine
