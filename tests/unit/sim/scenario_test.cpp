// Scenario files: every key documented and parsed, unknown keys and bad
// values refused with the key named, a stable digest, and the shipped files.
#include "sim/scenario.h"

#include <gtest/gtest.h>

#include "../test_support.h"
#include "sim/calendar.h"
#include "sim_test_support.h"

namespace epinet::sim {
namespace {

using epinet::testing::Contains;
using epinet::testing::error_message;

TEST(Scenario, AppliesKeysOverTheDefaults) {
  Scenario s = apply_settings(Scenario{},
                              {{"persons", "5000"},
                               {"days", "3"},
                               {"venue_beta.restaurant", "0.001"},
                               {"start_date", "2022-03-07"},
                               {"quarantine_household", "0"}},
                              "t");
  EXPECT_EQ(s.persons, 5000);
  EXPECT_EQ(s.days, 3);
  EXPECT_DOUBLE_EQ(s.venue_beta[static_cast<size_t>(VenueKind::kRestaurant)], 0.001);
  ASSERT_TRUE(s.start_date);
  EXPECT_EQ(format_date(*s.start_date), "2022-03-07");
  EXPECT_FALSE(s.quarantine_household);
  EXPECT_EQ(Scenario{}.persons, 3400000);
}

TEST(Scenario, RefusesUnknownKeysAndBadValues) {
  EXPECT_TRUE(Contains(error_message([] { apply_settings({}, {{"persns", "5"}}, "f.env"); }), "unknown key persns"));
  EXPECT_TRUE(Contains(error_message([] { apply_settings({}, {{"days", "x"}}, "f.env"); }), "days"));
  EXPECT_TRUE(Contains(error_message([] {
                         apply_settings({}, {{"symptomatic_fraction", "1.5"}}, "f.env");
                       }),
                       "symptomatic_fraction"));
  EXPECT_TRUE(Contains(error_message([] {
                         apply_settings({}, {{"start_date", "2021-02-30"}}, "f.env");
                       }),
                       "YYYY-MM-DD"));
  EXPECT_TRUE(Contains(error_message([] {
                         apply_settings({}, {{"latent_min_days", "0.5"}}, "f.env");
                       }),
                       "latent_min_days"));
  EXPECT_TRUE(Contains(error_message([] {
                         apply_settings({}, {{"days", "3"}, {"seed_day", "5"}}, "f.env");
                       }),
                       "seed_day"));
}

TEST(Scenario, DigestIdentifiesTheParameters) {
  Scenario a, b;
  EXPECT_EQ(a.digest(), b.digest());
  EXPECT_EQ(a.digest().size(), 16u);
  b.trip_beta *= 2;
  EXPECT_NE(a.digest(), b.digest());
  // The canonical form lists every key once, and reads back to itself.
  std::map<std::string, std::string> kv = parse_settings(a.canonical(), "canonical");
  kv.erase("start_date");
  Scenario c = apply_settings(Scenario{}, kv, "canonical");
  EXPECT_EQ(c.canonical(), a.canonical());
}

TEST(Scenario, ShippedScenariosLoadAndDocumentTheirRanges) {
  auto root = testing::source_root();
  ASSERT_FALSE(root.empty());
  Scenario demo = load_scenario((root / "scenarios" / "demo.env").string());
  EXPECT_EQ(demo.persons, 20000);
  EXPECT_EQ(demo.days, 7);
  EXPECT_LT(demo.expect_attack_rate_max, 1);
  Scenario def = load_scenario((root / "scenarios" / "default.env").string());
  EXPECT_EQ(def.persons, 3400000);
  EXPECT_EQ(def.days, 14);
  EXPECT_LT(def.expect_attack_rate_max, 1);
  // default.env restates the built-in defaults.
  Scenario builtin;
  EXPECT_EQ(def.canonical(), builtin.canonical());
}

TEST(Calendar, DatesWeekdaysAndHolidays) {
  EXPECT_EQ(days_from_civil({1970, 1, 1}), 0);
  EXPECT_EQ(format_date(civil_from_days(days_from_civil({2021, 8, 2}))), "2021-08-02");
  DayInfo mon = day_info(days_from_civil({2021, 9, 6}), 0);
  EXPECT_EQ(mon.weekday, 0);
  EXPECT_TRUE(mon.school_day);
  EXPECT_EQ(mon.start_unix, 1630857600);  // 2021-09-06T00:00+08:00
  DayInfo sun = day_info(days_from_civil({2021, 9, 6}), 6);
  EXPECT_EQ(sun.weekday, 6);
  EXPECT_FALSE(sun.workday);
  EXPECT_FALSE(day_info(days_from_civil({2021, 10, 4}), 0).workday);    // National Day week
  EXPECT_TRUE(day_info(days_from_civil({2021, 8, 2}), 0).workday);      // summer holiday: work…
  EXPECT_FALSE(day_info(days_from_civil({2021, 8, 2}), 0).school_day);  // …but no school
  EXPECT_GT(day_info(days_from_civil({2021, 1, 20}), 0).season, day_info(days_from_civil({2021, 7, 20}), 0).season);
  EXPECT_FALSE(parse_date("2021-13-01"));
  EXPECT_FALSE(parse_date("21-01-01"));
}

}  // namespace
}  // namespace epinet::sim
