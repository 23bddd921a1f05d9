// The outbreak: every transmission is backed by co-presence in the generated
// movement, natural histories are consistent, what follows (fever-clinic
// visits, tests, isolation) happens, and the epidemic curve of the demo
// scenario stays within the range scenarios/demo.env documents.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "sim_test_support.h"

namespace epinet::sim {
namespace {

using testing::Recorded;
using testing::RecordingSink;
using testing::source_root;
using testing::start_of;

Scenario demo_scenario() {
  auto root = source_root();
  if (root.empty()) throw std::runtime_error("scenarios/demo.env not found above the test binary");
  return load_scenario((root / "scenarios" / "demo.env").string());
}

// A faster-growing variant of the demo for the consistency checks: more
// infections give the checks more to check.
class OutbreakTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Scenario s = demo_scenario();
    s.days = 10;
    s.seeds_imported = 6;
    s.seeds_local = 6;
    s.signal_history_days = 0;
    sim_ = new Simulator(s, start_of(s), 2);
    rec_ = new Recorded;
    RecordingSink sink(*rec_);
    run(*sim_, sink);
    for (const auto& d : rec_->days) infections_ += d.infections.size();
  }
  static void TearDownTestSuite() {
    delete sim_;
    delete rec_;
  }
  static const City& city() { return sim_->city(); }
  static Simulator* sim_;
  static Recorded* rec_;
  static size_t infections_;
};
Simulator* OutbreakTest::sim_ = nullptr;
Recorded* OutbreakTest::rec_ = nullptr;
size_t OutbreakTest::infections_ = 0;

TEST_F(OutbreakTest, ThereIsAnOutbreakToCheck) { EXPECT_GE(infections_, 30u); }

TEST_F(OutbreakTest, EveryVenueAndTripInfectionIsBackedByCoPresence) {
  int venue = 0, trip = 0, household = 0;
  for (const auto& d : rec_->days) {
    for (const auto& x : d.infections) {
      if (x.setting == Setting::kVenue) {
        ++venue;
        auto at = [&](uint32_t person) {
          return std::any_of(d.stays.begin(), d.stays.end(), [&](const Stay& s) {
            return s.person == person && s.venue == x.place && s.t_in <= x.time && x.time < s.t_out;
          });
        };
        EXPECT_TRUE(at(x.infector)) << "infector " << x.infector << " not at venue " << x.place << " at " << x.time;
        EXPECT_TRUE(at(x.infectee)) << "infectee " << x.infectee << " not at venue " << x.place << " at " << x.time;
      } else if (x.setting == Setting::kTrip) {
        ++trip;
        const Trip* t = nullptr;
        for (const auto& y : d.trips)
          if (y.id == x.place) t = &y;
        ASSERT_NE(t, nullptr) << "trip " << x.place;
        EXPECT_LE(t->departure, x.time);
        EXPECT_LT(x.time, t->arrival);
        int row_a = -1, row_b = -1;
        for (uint32_t i = t->first_seat; i < t->first_seat + t->seats; ++i) {
          if (d.seats[i].person == x.infector) row_a = d.seats[i].row;
          if (d.seats[i].person == x.infectee) row_b = d.seats[i].row;
        }
        ASSERT_GE(row_a, 0);
        ASSERT_GE(row_b, 0);
        EXPECT_LE(std::abs(row_a - row_b), 2);
      } else if (x.setting == Setting::kHousehold) {
        ++household;
        EXPECT_EQ(city().persons[x.infector].household, city().persons[x.infectee].household);
        EXPECT_EQ(x.place, city().persons[x.infectee].household);
      }
    }
  }
  EXPECT_GT(venue, 0);
  EXPECT_GT(household, 0);
  RecordProperty("venue", venue);
  RecordProperty("trip", trip);
  RecordProperty("household", household);
}

TEST(OutbreakOnCoaches, TripInfectionsSitWithinTwoRows) {
  // Coaches made crowded and infectious, so that transmissions on board happen.
  Scenario s = testing::small_scenario(20000, 6, 9);
  s.seeds_local = 40;
  s.coach_daily_fraction = 0.15;
  s.trip_beta = 0.02;
  s.signal_history_days = 0;
  Simulator sim(s, start_of(s), 2);
  DayOutput d;
  int trips = 0;
  while (!sim.done()) {
    sim.step(d);
    for (const auto& x : d.infections) {
      if (x.setting != Setting::kTrip) continue;
      ++trips;
      const Trip* t = nullptr;
      for (const auto& y : d.trips)
        if (y.id == x.place) t = &y;
      ASSERT_NE(t, nullptr);
      EXPECT_LE(t->departure, x.time);
      EXPECT_LT(x.time, t->arrival);
      int a = -1, b = -1;
      for (uint32_t i = t->first_seat; i < t->first_seat + t->seats; ++i) {
        if (d.seats[i].person == x.infector) a = d.seats[i].row;
        if (d.seats[i].person == x.infectee) b = d.seats[i].row;
      }
      ASSERT_GE(a, 0);
      ASSERT_GE(b, 0);
      EXPECT_LE(std::abs(a - b), 2);
    }
  }
  EXPECT_GT(trips, 0);
}

TEST_F(OutbreakTest, InfectionsFormATree) {
  const Outbreak& o = sim_->outbreak();
  std::set<uint32_t> infected;
  int seeds = 0;
  for (const auto& d : rec_->days)
    for (const auto& x : d.infections) {
      EXPECT_TRUE(infected.insert(x.infectee).second) << "infected twice: " << x.infectee;
      if (x.infector == kNone) {
        ++seeds;
        EXPECT_TRUE(x.setting == Setting::kImport || x.setting == Setting::kLocal);
        continue;
      }
      // The infector was infected before, and infectious then.
      ASSERT_TRUE(infected.count(x.infector)) << x.infector;
      const Case& k = o.cases()[static_cast<size_t>(o.case_index(x.infector))];
      EXPECT_GE(x.time, k.infectious_from);
      EXPECT_LT(x.time, k.infectious_until);
      SimTime iso = o.isolated_at(x.infector);
      EXPECT_TRUE(iso == kNever || x.time < iso) << "infected by someone already isolated";
    }
  EXPECT_EQ(seeds, sim_->city().scenario.seeds_imported + sim_->city().scenario.seeds_local);
}

TEST_F(OutbreakTest, NaturalHistories) {
  const Scenario& s = city().scenario;
  double symptomatic = 0, incubation = 0;
  for (const Case& k : sim_->outbreak().cases()) {
    EXPECT_GE(k.onset - k.infected, static_cast<SimTime>(s.latent_min_days * 86400) - 1);
    EXPECT_GE(k.infectious_from, k.infected + static_cast<SimTime>(s.latent_min_days * 86400) - 1);
    EXPECT_LE(k.infectious_from, k.onset);
    EXPECT_EQ(k.infectious_until - k.onset, static_cast<SimTime>(s.infectious_after_onset_days * 86400));
    symptomatic += k.symptomatic;
    incubation += (k.onset - k.infected) / 86400.0;
  }
  double n = static_cast<double>(sim_->outbreak().cases().size());
  EXPECT_NEAR(symptomatic / n, s.symptomatic_fraction, 0.2);
  EXPECT_NEAR(incubation / n, s.incubation_mean_days, 0.8);
}

TEST_F(OutbreakTest, IsolatedPeopleStayPut) {
  const Outbreak& o = sim_->outbreak();
  for (const auto& d : rec_->days)
    for (const auto& s : d.stays) {
      SimTime iso = o.isolated_at(s.person);
      if (iso == kNever) continue;
      // Isolation and quarantine last beyond these 10 days.
      ASSERT_LT(s.t_in, iso) << "person " << s.person << " out after isolation";
    }
}

TEST_F(OutbreakTest, FeverClinicVisitsAndTests) {
  int positives = 0, fever = 0;
  for (const auto& d : rec_->days) {
    std::map<uint8_t, int64_t> visits_by_district;
    for (const auto& t : d.tests) {
      EXPECT_LT(t.sampled, t.result_at);
      if (t.positive) {
        ++positives;
        int32_t c = sim_->outbreak().case_index(t.person);
        ASSERT_GE(c, 0) << "positive test of someone never infected";
        EXPECT_GE(t.sampled, sim_->outbreak().cases()[static_cast<size_t>(c)].infected + 86400);
      }
      if (t.reason != TestReason::kFeverClinic) continue;
      ++fever;
      ++visits_by_district[city().venues[t.venue].district];
      // The visit: a stay at the hospital's fever clinic entrance, sampled during it.
      bool visited = std::any_of(d.stays.begin(), d.stays.end(), [&](const Stay& s) {
        return s.person == t.person && s.venue == t.venue && s.entrance == 1 && s.t_in <= t.sampled &&
               t.sampled < s.t_out;
      });
      EXPECT_TRUE(visited) << "person " << t.person;
    }
    // The fever-clinic signal counts exactly those visits.
    for (const auto& row : d.signals)
      if (row.channel == Channel::kFeverClinic) {
        EXPECT_EQ(row.count, visits_by_district[row.district]);
      }
  }
  EXPECT_GT(positives, 0);
  EXPECT_GT(fever, 0);
}

TEST(OutbreakRange, DemoScenarioWithinItsDocumentedRange) {
  // scenarios/demo.env documents the attack rate and doubling time expected
  // of it; the documented seed and its neighbours all fall within.
  Scenario s = demo_scenario();
  ASSERT_LT(s.expect_attack_rate_max, 1.0) << "demo.env documents no range";
  for (uint64_t seed = s.seed; seed < s.seed + 3; ++seed) {
    Scenario x = s;
    x.seed = seed;
    x.signal_history_days = 0;
    Simulator sim(x, start_of(x), 2);
    DayOutput d;
    while (!sim.done()) sim.step(d);
    Outcome o = sim.outcome();
    EXPECT_GE(o.attack_rate, s.expect_attack_rate_min) << "seed " << seed;
    EXPECT_LE(o.attack_rate, s.expect_attack_rate_max) << "seed " << seed;
    EXPECT_GE(o.doubling_days, s.expect_doubling_days_min) << "seed " << seed;
    EXPECT_LE(o.doubling_days, s.expect_doubling_days_max) << "seed " << seed;
  }
}

TEST(OutcomeMeasures, DoublingTimeOfAnExponential) {
  std::vector<int64_t> c;
  for (int d = 0; d < 14; ++d) c.push_back(static_cast<int64_t>(std::lround(10 * std::pow(2.0, d / 3.0))));
  Outcome o = outcome(c, 100000);
  EXPECT_NEAR(o.doubling_days, 3.0, 0.05);
  EXPECT_NEAR(o.attack_rate, c.back() / 100000.0, 1e-12);
  EXPECT_TRUE(std::isinf(outcome({5, 5, 5, 5}, 100).doubling_days));
}

TEST(Signals, WeekdayEffectSeasonAndSchoolDays) {
  // A year of background history: Mondays busier than Sundays at the fever
  // clinic, January busier than July, school absences on school days only.
  Scenario s = testing::small_scenario(20000, 1);
  s.signal_history_days = 364;
  Simulator sim(s, start_of(s));
  auto rows = sim.history_signals();
  double monday = 0, sunday = 0, january = 0, july = 0;
  for (const auto& r : rows) {
    DayInfo i = day_info(r.days, 0);
    if (r.channel == Channel::kFeverClinic) {
      if (i.weekday == 0) monday += static_cast<double>(r.count);
      if (i.weekday == 6) sunday += static_cast<double>(r.count);
      if (i.date.month == 1) january += static_cast<double>(r.count);
      if (i.date.month == 7) july += static_cast<double>(r.count);
    }
    if (r.channel == Channel::kSchoolAbsence) {
      EXPECT_TRUE(i.school_day) << format_date(i.date);
    }
    EXPECT_GE(r.count, 0);
  }
  EXPECT_GT(monday, sunday * 1.15);
  EXPECT_GT(january, july * 1.5);
}

}  // namespace
}  // namespace epinet::sim
