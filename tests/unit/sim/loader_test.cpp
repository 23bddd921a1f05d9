// `epinet sim --load` into a temporary SQLite database seeded with the demo
// city: the expected counts of divisions, venues, persons, check-in rows and
// tests; identity numbers never in clear; the same load again is a no-op,
// another is refused, and a database without the districts is refused.
#include "sim/loader.h"

#include <gtest/gtest.h>

#include "../service/service_test_support.h"
#include "sim_test_support.h"
#include "store/people.h"

namespace epinet::sim {
namespace {

using epinet::testing::DemoCityTest;
using Recorded = testing::Recorded;

int64_t count(store::Database& db, const std::string& sql) {
  int64_t n = 0;
  db.read([&](store::Connection& c) { n = store::as_int(c.query(sql).rows[0][0]); });
  return n;
}

class SimLoadTest : public DemoCityTest {
 protected:
  Scenario scenario(uint64_t seed = 5) {
    Scenario s = testing::small_scenario(5000, 2, seed);
    s.seeds_imported = 4;
    s.seeds_local = 4;
    return s;
  }
  // Loads with "now" after the last simulated day: every row goes in.
  DbSink::Verdict load(const Scenario& s, Recorded* rec = nullptr) {
    Simulator sim(s, testing::start_of(s), 2);
    LoadOptions o;
    o.data_dir = config_.data_dir;
    o.now = (sim.epoch() + s.days * 86400LL + 3600) * 1000;
    o.batch_rows = 7000;  // several transactions a day
    DbSink sink(*db_, o);
    auto v = sink.check(sim);
    if (v == DbSink::Verdict::kAlreadyLoaded) return v;
    testing::Recorded local;
    testing::RecordingSink recorder(rec ? *rec : local);
    TeeSink tee({&recorder, &sink});
    run(sim, tee);
    city_venues_ = static_cast<int64_t>(sim.city().venues.size());
    city_divisions_ = static_cast<int64_t>(sim.city().communities.size() + sim.city().compounds.size());
    return v;
  }
  int64_t city_venues_ = 0, city_divisions_ = 0;
};

TEST_F(SimLoadTest, LoadsTheExpectedRows) {
  int64_t persons0 = count(*db_, "SELECT COUNT(*) FROM persons");
  int64_t venues0 = count(*db_, "SELECT COUNT(*) FROM venues");
  int64_t divisions0 = count(*db_, "SELECT COUNT(*) FROM divisions");
  int64_t last_person0 = count(*db_, "SELECT COALESCE(MAX(id), 0) FROM persons");
  Recorded rec;
  ASSERT_EQ(load(scenario(), &rec), DbSink::Verdict::kEmpty);

  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM persons") - persons0, 5000);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM divisions") - divisions0, city_divisions_);
  // The three named places of the article are the demo city's own.
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM venues") - venues0, city_venues_ - 3);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM venues WHERE name = '晋中市第一人民医院'"), 1);

  // One row per entry, one per exit; the gate's scan and an arrival's exit
  // scan are one row each.
  Simulator sim(scenario(), testing::start_of(scenario()));
  int64_t expected = 0, tests = 0;
  for (const auto& d : rec.days) {
    for (const auto& s : d.stays) {
      const Venue& v = sim.city().venues[s.venue];
      bool single = v.kind == VenueKind::kCompoundGate || std::string(v.entrances[s.entrance].direction) == "out";
      expected += single ? 1 : 2;
    }
    tests += static_cast<int64_t>(d.tests.size());
  }
  // Every coach trip with the seats of residents (row 0: the crew).
  int64_t trips = 0, seats = 0, crew = 0;
  for (const auto& d : rec.days) {
    trips += static_cast<int64_t>(d.trips.size());
    for (const auto& seat : d.seats)
      if (seat.person < sim.city().persons.size()) {
        ++seats;
        crew += seat.row == 0;
      }
  }
  ASSERT_GT(trips, 0);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM trips"), trips);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM trip_seats"), seats);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM trip_seats WHERE crew = 1"), crew);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM trip_seats s JOIN trips t ON t.id = s.trip_id WHERE t.route NOT LIKE '%—%'"), 0)
      << "each trip names its route";
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM checkins WHERE rule_set_version = 'sim'"), expected);
  EXPECT_EQ(
      count(*db_,
            "SELECT COUNT(*) FROM checkins WHERE rule_set_version = 'sim' AND direction = 'in' AND t_out IS NULL"),
      0);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM checkins WHERE decision <> 'pass' AND rule_set_version = 'sim'"), 0);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM nucleic_tests"), tests);
  EXPECT_GT(count(*db_, "SELECT COUNT(*) FROM persons WHERE case_status IN ('confirmed', 'asymptomatic')"), 0);

  // Identity numbers: hashed, encrypted and masked, never in clear.
  std::string first_id = identity_number(sim.city(), 0);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM persons WHERE id_masked LIKE '" + first_id.substr(0, 6) + "********" +
                            first_id.substr(14) + "'"),
            1);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM persons WHERE id_enc LIKE '%" + first_id + "%' OR id_hash = '" +
                            first_id + "'"),
            0);
  // Households point at their first member.
  const std::string simulated = " FROM persons WHERE id > " + std::to_string(last_person0);
  EXPECT_EQ(count(*db_, "SELECT COUNT(DISTINCT household_id)" + simulated),
            static_cast<int64_t>(sim.city().households.size()));
  EXPECT_EQ(count(*db_, "SELECT COUNT(*)" + simulated + " AND household_id = id"),
            static_cast<int64_t>(sim.city().households.size()));
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM audit_log WHERE action = 'sim.load'"), 1);

  // Pharmacy sales and school absences come in as one import, as a reporter would send them; the
  // channels the platform counts itself (fever clinic, positive tests) are not loaded.
  int64_t reported = 0;
  auto reported_by_others = [](const SignalRow& r) {
    return r.channel == Channel::kPharmacy || r.channel == Channel::kSchoolAbsence;
  };
  for (const auto& r : rec.history) reported += reported_by_others(r);
  for (const auto& d : rec.days)
    for (const auto& r : d.signals) reported += reported_by_others(r);
  EXPECT_GT(reported, 0);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM warning_counts WHERE source = 'epinet sim'"), reported);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM warning_counts WHERE channel NOT IN ('pharmacy', 'absence')"), 0);
  EXPECT_EQ(count(*db_, "SELECT rows_total FROM warning_imports WHERE uploaded_by = 'epinet sim'"), reported);
}

TEST_F(SimLoadTest, SameSimulationAgainIsANoOpAnotherIsRefused) {
  ASSERT_EQ(load(scenario()), DbSink::Verdict::kEmpty);
  int64_t rows = count(*db_, "SELECT COUNT(*) FROM checkins");
  EXPECT_EQ(load(scenario()), DbSink::Verdict::kAlreadyLoaded);
  EXPECT_EQ(count(*db_, "SELECT COUNT(*) FROM checkins"), rows);
  std::string msg = epinet::testing::error_message([&] { load(scenario(6)); }, ErrorKind::kConflict);
  EXPECT_TRUE(epinet::testing::Contains(msg, "already holds a simulation"));
}

class SimLoadUnseededTest : public DemoCityTest {
 protected:
  SimLoadUnseededTest() : DemoCityTest({}, false) {}
};

TEST_F(SimLoadUnseededTest, RefusesWithoutTheDistricts) {
  Scenario s = testing::small_scenario(3000, 1);
  Simulator sim(s, testing::start_of(s));
  LoadOptions o;
  o.data_dir = config_.data_dir;
  o.now = 0;
  DbSink sink(*db_, o);
  std::string msg = epinet::testing::error_message([&] { sink.check(sim); }, ErrorKind::kInvalid);
  EXPECT_TRUE(epinet::testing::Contains(msg, "seed-demo"));
}

}  // namespace
}  // namespace epinet::sim
