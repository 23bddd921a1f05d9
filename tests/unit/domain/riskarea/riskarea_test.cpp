#include "domain/riskarea/riskarea.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace epinet::domain {
namespace {

constexpr Millis kHour = 3600LL * 1000;
constexpr Millis kDay = 24 * kHour;
constexpr Millis kT = 1'795'000'000'000LL;  // the last infection, 2026-11-18

RiskAreaState high(std::optional<Millis> screen) {
  RiskAreaState s;
  s.level = "high";
  s.level_since = kT - 3 * kDay;
  s.last_infection_at = kT;
  s.screen_negative_at = screen;
  return s;
}

// --- step-down --------------------------------------------------------------

TEST(StepDown, HighBecomesMediumAfterSevenQuietDaysAndANegativeScreenOnDaySeven) {
  auto s = high(kT + 6 * kDay + 9 * kHour);  // screen sampled on day 7 (the 7th day after the last infection)
  StepDownRules rules;
  EXPECT_EQ(next_step_down(s, kT + 7 * kDay - 1, rules), std::nullopt) << "only 7 quiet days minus 1 ms";
  auto step = next_step_down(s, kT + 7 * kDay, rules);
  ASSERT_TRUE(step);
  EXPECT_EQ(step->to_level, "medium");
  EXPECT_EQ(step->at, kT + 7 * kDay);
  // Noticed later: the step still dates from when the rule was met.
  auto late = next_step_down(s, kT + 12 * kDay, rules);
  ASSERT_TRUE(late);
  EXPECT_EQ(late->at, kT + 7 * kDay);
}

TEST(StepDown, HighNeedsANegativeScreen) {
  EXPECT_EQ(next_step_down(high(std::nullopt), kT + 30 * kDay, StepDownRules{}), std::nullopt);
}

TEST(StepDown, ScreenBeforeDaySevenDoesNotCount) {
  for (Millis screen : {kT - kDay, kT + kDay, kT + 5 * kDay, kT + 6 * kDay - 1}) {
    EXPECT_EQ(next_step_down(high(screen), kT + 30 * kDay, StepDownRules{}), std::nullopt)
        << "screen " << (screen - kT) / kHour << " h after the last infection";
  }
  // The first instant of day 7 counts.
  EXPECT_TRUE(next_step_down(high(kT + 6 * kDay), kT + 7 * kDay, StepDownRules{}));
}

TEST(StepDown, LateScreenDelaysTheStepToTheScreen) {
  auto s = high(kT + 9 * kDay);
  EXPECT_EQ(next_step_down(s, kT + 8 * kDay, StepDownRules{}), std::nullopt) << "no screen yet on day 8";
  EXPECT_EQ(next_step_down(s, kT + 9 * kDay - 1, StepDownRules{}), std::nullopt);
  auto step = next_step_down(s, kT + 9 * kDay, StepDownRules{});
  ASSERT_TRUE(step);
  EXPECT_EQ(step->to_level, "medium");
  EXPECT_EQ(step->at, kT + 9 * kDay) << "max(quiet end, screen time)";
}

TEST(StepDown, NewInfectionAfterTheScreenRestartsTheCount) {
  RiskAreaState s = high(kT + 6 * kDay);
  s.last_infection_at = kT + 6 * kDay + kHour;  // a new case after the screen
  EXPECT_EQ(next_step_down(s, kT + 14 * kDay, StepDownRules{}), std::nullopt);
}

TEST(StepDown, MediumBecomesLowAfterSevenQuietDays) {
  RiskAreaState s;
  s.level = "medium";
  s.level_since = kT - kDay;
  s.last_infection_at = kT;
  EXPECT_EQ(next_step_down(s, kT + 7 * kDay - 1, StepDownRules{}), std::nullopt);
  EXPECT_EQ(next_step_down(s, kT + 3 * kDay, StepDownRules{}), std::nullopt) << "3 days is the rule only after high";
  auto step = next_step_down(s, kT + 7 * kDay, StepDownRules{});
  ASSERT_TRUE(step);
  EXPECT_EQ(step->to_level, "low");
  EXPECT_EQ(step->at, kT + 7 * kDay);
}

TEST(StepDown, MediumThatCameFromHighBecomesLowAfterThreeMoreDays) {
  RiskAreaState s;
  s.level = "medium";
  s.came_from_high = true;
  s.level_since = kT + 7 * kDay;  // stepped down from high then
  s.last_infection_at = kT;
  EXPECT_EQ(next_step_down(s, kT + 7 * kDay, StepDownRules{}), std::nullopt) << "not on the day it became medium";
  EXPECT_EQ(next_step_down(s, kT + 10 * kDay - 1, StepDownRules{}), std::nullopt) << "not before 3 days";
  auto step = next_step_down(s, kT + 10 * kDay, StepDownRules{});
  ASSERT_TRUE(step);
  EXPECT_EQ(step->to_level, "low");
  EXPECT_EQ(step->at, kT + 10 * kDay);
}

TEST(StepDown, LowAndUnknownLevelsDoNotStepDown) {
  for (const char* level : {"low", "", "none", "HIGH"}) {
    RiskAreaState s;
    s.level = level;
    s.last_infection_at = kT;
    s.screen_negative_at = kT + 6 * kDay;
    EXPECT_EQ(next_step_down(s, kT + 60 * kDay, StepDownRules{}), std::nullopt) << level;
  }
}

TEST(StepDown, SettingsChangeTheDayCounts) {
  StepDownRules r;
  r.high_to_medium_days = 14;
  r.medium_to_low_days = 10;
  r.from_high_to_low_days = 5;

  // High: the screen must now be on day 14 or later, and 14 quiet days pass.
  EXPECT_EQ(next_step_down(high(kT + 6 * kDay), kT + 30 * kDay, r), std::nullopt) << "a day-7 screen is too early";
  auto h = next_step_down(high(kT + 13 * kDay), kT + 30 * kDay, r);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->at, kT + 14 * kDay);
  EXPECT_EQ(next_step_down(high(kT + 13 * kDay), kT + 14 * kDay - 1, r), std::nullopt);

  RiskAreaState m;
  m.level = "medium";
  m.last_infection_at = kT;
  EXPECT_EQ(next_step_down(m, kT + 10 * kDay - 1, r), std::nullopt);
  ASSERT_TRUE(next_step_down(m, kT + 10 * kDay, r));
  EXPECT_EQ(next_step_down(m, kT + 10 * kDay, r)->at, kT + 10 * kDay);

  m.came_from_high = true;
  m.level_since = kT + 14 * kDay;
  EXPECT_EQ(next_step_down(m, kT + 19 * kDay - 1, r), std::nullopt);
  ASSERT_TRUE(next_step_down(m, kT + 19 * kDay, r));
  EXPECT_EQ(next_step_down(m, kT + 19 * kDay, r)->at, kT + 19 * kDay);
}

TEST(StepDown, AnAreaNoticedLateComesDownTwoStepsWithTheRightTimes) {
  StepDownRules rules;
  RiskAreaState s = high(kT + 6 * kDay);
  const Millis now = kT + 30 * kDay;
  auto first = next_step_down(s, now, rules);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->to_level, "medium");
  s.level = first->to_level;
  s.came_from_high = true;
  s.level_since = first->at;
  auto second = next_step_down(s, now, rules);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->to_level, "low");
  EXPECT_EQ(second->at, kT + 10 * kDay);
  s.level = "low";
  EXPECT_EQ(next_step_down(s, now, rules), std::nullopt);
}

// --- travel flag --------------------------------------------------------------

constexpr Millis kNow = kT + 20 * kDay;

TravelStay stay(const std::string& code, Millis from, Millis to) { return TravelStay{code, from, to}; }
RiskInterval area(const std::string& code, Millis from, std::optional<Millis> until = std::nullopt) {
  return RiskInterval{code, from, until};
}

TEST(TravelFlag, StayOverlappingAnInForceAreaOfTheSameCountyFlags) {
  auto f = travel_flag({stay("140702", kNow - 3 * kDay, kNow - 2 * kDay)}, {area("140702", kNow - 5 * kDay)}, kNow);
  EXPECT_TRUE(f.flagged);
  EXPECT_EQ(f.until, kNow - 2 * kDay + 7 * kDay) << "stay end + window";
  EXPECT_EQ(f.division_codes, std::vector<std::string>{"140702"});
}

TEST(TravelFlag, OtherCountiesDoNotFlag) {
  auto f = travel_flag({stay("140703", kNow - 3 * kDay, kNow - 2 * kDay)}, {area("140702", kNow - 5 * kDay)}, kNow);
  EXPECT_FALSE(f.flagged);
  EXPECT_TRUE(f.division_codes.empty());
  EXPECT_FALSE(travel_flag({}, {area("140702", kNow - 5 * kDay)}, kNow).flagged);
  EXPECT_FALSE(travel_flag({stay("140702", kNow - 3 * kDay, kNow - 2 * kDay)}, {}, kNow).flagged);
}

TEST(TravelFlag, CityLevelStayMatchesEveryCountyOfTheCity) {
  for (const char* county : {"140702", "140703", "140781", "140729"}) {
    auto f = travel_flag({stay("140700", kNow - 3 * kDay, kNow - kDay)}, {area(county, kNow - 4 * kDay)}, kNow);
    EXPECT_TRUE(f.flagged) << county;
    EXPECT_EQ(f.division_codes, std::vector<std::string>{county});
  }
  // Not a county of another city (Taiyuan 1401xx) nor of another province.
  for (const char* county : {"140105", "140100", "410702", "130702"}) {
    auto f = travel_flag({stay("140700", kNow - 3 * kDay, kNow - kDay)}, {area(county, kNow - 4 * kDay)}, kNow);
    EXPECT_FALSE(f.flagged) << county;
  }
}

TEST(TravelFlag, CountyLevelStayDoesNotMatchSiblingCounties) {
  auto f = travel_flag({stay("140702", kNow - 3 * kDay, kNow - kDay)},
                       {area("140703", kNow - 4 * kDay), area("140781", kNow - 4 * kDay)}, kNow);
  EXPECT_FALSE(f.flagged);
}

TEST(TravelFlag, StayOlderThanTheWindowDoesNotFlag) {
  std::vector<RiskInterval> areas = {area("140702", kNow - 30 * kDay)};
  EXPECT_FALSE(travel_flag({stay("140702", kNow - 10 * kDay, kNow - 8 * kDay)}, areas, kNow).flagged);
  EXPECT_FALSE(travel_flag({stay("140702", kNow - 10 * kDay, kNow - 7 * kDay - 1)}, areas, kNow).flagged);
  // The same stay is inside a 14-day window (the 2021 setting).
  auto f = travel_flag({stay("140702", kNow - 10 * kDay, kNow - 8 * kDay)}, areas, kNow, 14);
  EXPECT_TRUE(f.flagged);
  EXPECT_EQ(f.until, kNow - 8 * kDay + 14 * kDay);
  // A stay that ended within the window flags even though it began before it.
  EXPECT_TRUE(travel_flag({stay("140702", kNow - 10 * kDay, kNow - 6 * kDay)}, areas, kNow).flagged);
}

TEST(TravelFlag, AreaIntervalThatEndedBeforeTheStayDoesNotFlag) {
  auto s = stay("140702", kNow - 3 * kDay, kNow - 2 * kDay);
  EXPECT_FALSE(travel_flag({s}, {area("140702", kNow - 10 * kDay, kNow - 4 * kDay)}, kNow).flagged);
  EXPECT_FALSE(travel_flag({s}, {area("140702", kNow - 10 * kDay, kNow - 3 * kDay)}, kNow).flagged)
      << "lifted the moment the stay began";
  EXPECT_FALSE(travel_flag({s}, {area("140702", kNow - kDay)}, kNow).flagged) << "designated after the stay";
  EXPECT_TRUE(travel_flag({s}, {area("140702", kNow - 10 * kDay, kNow - 3 * kDay + kHour)}, kNow).flagged)
      << "lifted one hour into the stay";
  EXPECT_TRUE(travel_flag({s}, {area("140702", kNow - 2 * kDay - kHour)}, kNow).flagged)
      << "designated one hour before the stay ended";
}

TEST(TravelFlag, UntilIsTheLastFlaggedStayEndPlusWindow) {
  std::vector<TravelStay> stays = {stay("140702", kNow - 5 * kDay, kNow - 4 * kDay),
                                   stay("140781", kNow - 2 * kDay, kNow - kDay),
                                   stay("140703", kNow - kDay, kNow - kHour)};  // not a risk county
  auto f = travel_flag(stays, {area("140702", kNow - 9 * kDay), area("140781", kNow - 9 * kDay)}, kNow);
  EXPECT_TRUE(f.flagged);
  EXPECT_EQ(f.until, kNow - kDay + 7 * kDay);
}

TEST(TravelFlag, DivisionCodesAreListedOnce) {
  std::vector<TravelStay> stays = {
      stay("140702", kNow - 5 * kDay, kNow - 4 * kDay), stay("140702", kNow - 3 * kDay, kNow - 2 * kDay),
      stay("140700", kNow - 2 * kDay, kNow - kDay), stay("140781", kNow - kDay, kNow - kHour)};
  std::vector<RiskInterval> areas = {area("140702", kNow - 9 * kDay, kNow - 3 * kDay - kHour),
                                     area("140702", kNow - 3 * kDay + kHour), area("140781", kNow - 9 * kDay)};
  auto f = travel_flag(stays, areas, kNow);
  EXPECT_TRUE(f.flagged);
  std::vector<std::string> got = f.division_codes;
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"140702", "140781"}));
}

TEST(TravelFlag, FutureStaysDoNotFlag) {
  auto f = travel_flag({stay("140702", kNow + kDay, kNow + 2 * kDay)}, {area("140702", kNow - kDay)}, kNow);
  EXPECT_FALSE(f.flagged);
}

TEST(GbT2260, SixDigitsNotAllZero) {
  for (const char* ok : {"140702", "140700", "110105", "659001"}) EXPECT_TRUE(valid_gbt2260(ok)) << ok;
  for (const char* bad : {"", "000000", "14070", "1407021", "14070a", " 40702", "14-702", "１40702"})
    EXPECT_FALSE(valid_gbt2260(bad)) << "'" << bad << "'";
}

}  // namespace
}  // namespace epinet::domain
