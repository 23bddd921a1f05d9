// Daily movement: visits per person per day, stay lengths, opening hours,
// one place at a time, coach seat plans and occupancy — within the
// distributions docs/simulator.md documents.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <set>

#include "sim_test_support.h"

namespace epinet::sim {
namespace {

using testing::Recorded;
using testing::RecordingSink;
using testing::small_scenario;
using testing::start_of;

// One week (Monday 2021-09-06 to Sunday) of a 20,000-person city.
class MovementTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Scenario s = small_scenario(20000, 7);
    sim_ = new Simulator(s, start_of(s), 2);
    rec_ = new Recorded;
    RecordingSink sink(*rec_);
    run(*sim_, sink);
  }
  static void TearDownTestSuite() {
    delete sim_;
    delete rec_;
  }
  static const City& city() { return sim_->city(); }
  static Simulator* sim_;
  static Recorded* rec_;
};
Simulator* MovementTest::sim_ = nullptr;
Recorded* MovementTest::rec_ = nullptr;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

TEST_F(MovementTest, VisitsPerPersonPerDay) {
  // Weekdays: 2.8–3.4 check-ins per resident (infants included), 3.0–4.0 for
  // 18–59-year-olds; weekends: 2.4–3.1.
  const double n = static_cast<double>(city().persons.size());
  for (const auto& d : rec_->days) {
    double adults = 0, adult_stays = 0;
    for (const auto& p : city().persons) adults += p.age >= 18 && p.age <= 59;
    for (const auto& s : d.stays)
      adult_stays += city().persons[s.person].age >= 18 && city().persons[s.person].age <= 59;
    double per = static_cast<double>(d.stays.size()) / n;
    std::cout << format_date(d.info.date) << ": " << per << " check-ins per resident, " << adult_stays / adults
              << " per 18–59-year-old\n";
    if (d.info.workday) {
      EXPECT_GE(per, 2.8) << format_date(d.info.date);
      EXPECT_LE(per, 3.4) << format_date(d.info.date);
      EXPECT_GE(adult_stays / adults, 3.0);
      EXPECT_LE(adult_stays / adults, 4.0);
    } else {
      EXPECT_GE(per, 2.4) << format_date(d.info.date);
      EXPECT_LE(per, 3.1) << format_date(d.info.date);
    }
  }
}

TEST_F(MovementTest, StayLengthsByKindOfVenue) {
  // Median minutes of visitors' stays (not staff at their workplace).
  struct Range {
    VenueKind kind;
    double lo, hi;
  };
  const Range ranges[] = {{VenueKind::kRestaurant, 40, 70}, {VenueKind::kSupermarket, 30, 50},
                          {VenueKind::kMarket, 25, 40},     {VenueKind::kShop, 5, 12},
                          {VenueKind::kPharmacy, 7, 13},    {VenueKind::kGym, 60, 90},
                          {VenueKind::kClinic, 30, 50},     {VenueKind::kHospital, 90, 150},
                          {VenueKind::kTraining, 85, 110},  {VenueKind::kCompoundGate, 0.5, 3}};
  std::map<VenueKind, std::vector<double>> minutes;
  std::vector<double> work;
  for (const auto& d : rec_->days) {
    std::map<uint32_t, double> at_work;
    for (const auto& s : d.stays) {
      const Person& p = city().persons[s.person];
      if (p.work == s.venue) {
        if (p.occ == Occupation::kWorker) at_work[s.person] += (s.t_out - s.t_in) / 3600.0;
        continue;
      }
      minutes[city().venues[s.venue].kind].push_back((s.t_out - s.t_in) / 60.0);
    }
    for (auto& [p, h] : at_work) work.push_back(h);
  }
  for (const auto& r : ranges) {
    double m = median(minutes[r.kind]);
    std::cout << kind_name(r.kind) << ": median " << m << " min over " << minutes[r.kind].size() << " visits\n";
    EXPECT_GE(m, r.lo) << kind_name(r.kind);
    EXPECT_LE(m, r.hi) << kind_name(r.kind);
  }
  // A working day at the workplace: 7–10 hours (lunch out not counted).
  std::cout << "at the workplace: median " << median(work) << " h\n";
  EXPECT_GE(median(work), 7.0);
  EXPECT_LE(median(work), 10.0);
}

TEST_F(MovementTest, OnePlaceAtATimeAndWithinTheDay) {
  for (const auto& d : rec_->days) {
    const SimTime start = d.info.index * 86400;
    for (size_t i = 0; i < d.stays.size(); ++i) {
      const Stay& s = d.stays[i];
      ASSERT_LT(s.t_in, s.t_out);
      ASSERT_GE(s.t_in, start);
      ASSERT_LE(s.t_out, start + 86400);
      ASSERT_LT(s.entrance, city().venues[s.venue].n_entrances);
      if (i == 0) continue;
      ASSERT_LE(d.stays[i - 1].person, s.person) << "stays come in person order";
      if (d.stays[i - 1].person == s.person) {
        ASSERT_LE(d.stays[i - 1].t_out, s.t_in) << "person " << s.person;
      }
    }
  }
}

TEST_F(MovementTest, VisitorsComeWhenTheVenueIsOpen) {
  for (const auto& d : rec_->days) {
    const SimTime start = d.info.index * 86400;
    for (const auto& s : d.stays) {
      const Venue& v = city().venues[s.venue];
      if (city().persons[s.person].work == s.venue) continue;
      ASSERT_GE(s.t_in - start, v.opens * 60) << v.name;
      ASSERT_LE(s.t_out - start, v.closes * 60) << v.name;
    }
  }
}

TEST_F(MovementTest, CoachSeatPlans) {
  for (const auto& d : rec_->days) {
    for (const auto& t : d.trips) {
      std::set<std::pair<int, int>> taken;
      int crew = 0;
      ASSERT_LE(t.seats, static_cast<uint32_t>(kCoachSeats + 1));
      ASSERT_LT(t.departure, t.arrival);
      for (uint32_t i = t.first_seat; i < t.first_seat + t.seats; ++i) {
        const Seat& s = d.seats[i];
        ASSERT_EQ(d.trips[s.trip].id, t.id);
        if (s.row == 0) {
          ++crew;
          ASSERT_EQ(city().persons[s.person].occ, Occupation::kDriver);
          continue;
        }
        ASSERT_GE(s.row, 1);
        ASSERT_LE(s.row, kCoachRows);
        ASSERT_GE(s.col, 1);
        ASSERT_LE(s.col, kCoachCols);
        ASSERT_TRUE(taken.insert({s.row, s.col}).second) << "seat taken twice on trip " << t.id;
      }
      ASSERT_LE(crew, 1);
    }
  }
}

TEST_F(MovementTest, CoachPassengersWaitAtTheStationBeforeDeparture) {
  for (const auto& d : rec_->days) {
    for (const auto& t : d.trips) {
      const Route& rt = city().routes[t.route];
      uint32_t origin = t.direction == 0 ? rt.from_station : rt.to_station;
      if (origin == kNone) continue;
      for (uint32_t i = t.first_seat; i < t.first_seat + t.seats; ++i) {
        const Seat& s = d.seats[i];
        if (s.row == 0) continue;
        bool waited = std::any_of(d.stays.begin(), d.stays.end(), [&](const Stay& x) {
          return x.person == s.person && x.venue == origin && x.t_out == t.departure;
        });
        ASSERT_TRUE(waited) << "passenger " << s.person << " of trip " << t.id;
      }
    }
  }
}

TEST(CoachOccupancy, LoadFactorOfACity) {
  // At 200,000 residents and more the timetable is sized for a ~70 % load on an
  // average day: the mean passengers per coach / 44 seats falls in 45–85 %,
  // and 1–3 % of adults travel by coach on a weekday.
  Scenario s = small_scenario(200000, 2, 11);
  s.signal_history_days = 0;
  Simulator sim(s, start_of(s), 2);
  double passengers = 0, coaches = 0, travellers = 0, adults = 0;
  for (const auto& p : sim.city().persons) adults += p.age >= 18 && p.age <= 75;
  DayOutput d;
  while (!sim.done()) {
    sim.step(d);
    std::set<uint32_t> people;
    for (const auto& t : d.trips) {
      coaches += 1;
      for (uint32_t i = t.first_seat; i < t.first_seat + t.seats; ++i)
        if (d.seats[i].row > 0) {
          passengers += 1;
          people.insert(d.seats[i].person);
        }
    }
    travellers += static_cast<double>(people.size());
  }
  double load = passengers / coaches / kCoachSeats;
  std::cout << "coach load " << load << ", " << coaches << " coaches, adults travelling " << travellers / adults / 2
            << "\n";
  EXPECT_GE(load, 0.45);
  EXPECT_LE(load, 0.85);
  double share = travellers / adults / 2;
  EXPECT_GE(share, 0.01);
  EXPECT_LE(share, 0.03);
}

}  // namespace
}  // namespace epinet::sim
