// The synthetic city: census-like households and ages, districts in
// proportion, valid and unique identity numbers, the venues every district
// needs. The ranges asserted here are the ones docs/simulator.md documents.
#include "sim/city.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <unordered_set>

#include "domain/person/identity.h"
#include "sim_test_support.h"

namespace epinet::sim {
namespace {

using testing::small_scenario;
using testing::start_of;

class CityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Scenario s = small_scenario(20000, 1);
    city_ = new City(build_city(s, start_of(s)));
  }
  static void TearDownTestSuite() {
    delete city_;
    city_ = nullptr;
  }
  static City* city_;
};
City* CityTest::city_ = nullptr;

TEST_F(CityTest, HasExactlyThePersonsAsked) { EXPECT_EQ(city_->persons.size(), 20000u); }

TEST_F(CityTest, HouseholdSizesFollowTheCensus) {
  // docs/simulator.md: shares of 1…7-person households within 2.5 points of
  // China's 2020 census (25.4, 29.7, 20.9, 13.2, 6.2, 3.0, 1.6 %), mean 2.5–2.7.
  const double census[7] = {0.254, 0.297, 0.209, 0.132, 0.062, 0.030, 0.016};
  std::map<int, int> sizes;
  for (const auto& h : city_->households) ++sizes[h.size];
  double n = static_cast<double>(city_->households.size());
  for (int s = 1; s <= 7; ++s) EXPECT_NEAR(sizes[s] / n, census[s - 1], 0.025) << "households of " << s;
  double mean = static_cast<double>(city_->persons.size()) / n;
  EXPECT_GE(mean, 2.5);
  EXPECT_LE(mean, 2.7);
  // Members are contiguous and agree on their household and compound.
  for (uint32_t h = 0; h < city_->households.size(); ++h)
    for (uint32_t p = city_->households[h].first_person;
         p < city_->households[h].first_person + city_->households[h].size; ++p) {
      ASSERT_EQ(city_->persons[p].household, h);
      ASSERT_EQ(city_->persons[p].compound, city_->households[h].compound);
    }
}

TEST_F(CityTest, AgesLookLikeJinzhong) {
  // 0–14: 14–22 %, 60+: 17–25 % (Jinzhong 2020: about 16 % and 20 %).
  double young = 0, old = 0, n = static_cast<double>(city_->persons.size());
  for (const auto& p : city_->persons) {
    young += p.age <= 14;
    old += p.age >= 60;
  }
  EXPECT_GE(young / n, 0.14);
  EXPECT_LE(young / n, 0.22);
  EXPECT_GE(old / n, 0.17);
  EXPECT_LE(old / n, 0.25);
}

TEST_F(CityTest, DistrictsInProportionYuciLargest) {
  double n = static_cast<double>(city_->persons.size());
  double yuci = city_->district_population[0] / n;
  EXPECT_GT(yuci, 0.24);
  EXPECT_LT(yuci, 0.29);
  for (size_t d = 1; d < kDistricts; ++d) EXPECT_LT(city_->district_population[d], city_->district_population[0]);
  // Everyone lives in a compound of a community of their own district.
  for (const auto& p : city_->persons)
    ASSERT_EQ(city_->communities[city_->compounds[p.compound].community].district, p.district);
}

TEST_F(CityTest, IdentityNumbersAreValidUniqueAndAgree) {
  std::unordered_set<std::string> seen;
  const auto& ds = districts();
  for (uint32_t i = 0; i < city_->persons.size(); ++i) {
    const Person& p = city_->persons[i];
    std::string id = identity_number(*city_, i);
    auto check = domain::check_id_number(id);
    ASSERT_TRUE(check) << id << ": " << domain::id_problem_message(check.problem);
    ASSERT_EQ(id.substr(0, 6), ds[p.district].code) << id;
    ASSERT_EQ(id[17], domain::id_check_char(id.substr(0, 17)));
    int seq_last = id[16] - '0';
    ASSERT_EQ(seq_last % 2, p.sex == 1 ? 1 : 0) << id << " (odd for men, even for women)";
    // Age at the start date from the birth date in the number.
    Date birth{std::stoi(id.substr(6, 4)), std::stoi(id.substr(10, 2)), std::stoi(id.substr(12, 2))};
    double years = static_cast<double>(city_->start_days - days_from_civil(birth)) / 365.2425;
    ASSERT_NEAR(years, p.age + 0.5, 0.6) << id;
    ASSERT_TRUE(seen.insert(id).second) << "duplicate " << id;
  }
}

TEST_F(CityTest, DivisionCodesAreWellFormed) {
  std::set<std::string> codes;
  for (const auto& c : city_->communities) {
    EXPECT_EQ(c.code.size(), 12u);
    EXPECT_EQ(c.code.substr(0, 6), districts()[c.district].code);
    EXPECT_TRUE(codes.insert(c.code).second);
  }
  for (const auto& c : city_->compounds) {
    EXPECT_EQ(c.code.size(), 15u);
    EXPECT_EQ(c.code.substr(0, 12), city_->communities[c.community].code);
    EXPECT_TRUE(codes.insert(c.code).second);
    EXPECT_EQ(city_->venues[c.gate].kind, VenueKind::kCompoundGate);
  }
}

TEST_F(CityTest, EveryDistrictHasTheEssentialVenues) {
  for (uint8_t d = 0; d < kDistricts; ++d) {
    for (VenueKind k : {VenueKind::kHospital, VenueKind::kServiceHall, VenueKind::kBusStation, VenueKind::kMarket,
                        VenueKind::kSupermarket, VenueKind::kRestaurant, VenueKind::kPharmacy,
                        VenueKind::kPrimarySchool, VenueKind::kOffice})
      EXPECT_FALSE(city_->venues_of(d, k).empty()) << districts()[d].name << " has no " << kind_name(k);
    EXPECT_FALSE(city_->fever_hospitals[d].empty());
  }
  EXPECT_EQ(city_->venues[city_->fever_hospitals[0].front()].name, "晋中市第一人民医院");
  EXPECT_EQ(city_->venues[city_->bus_station[0]].name, "晋中汽车客运总站");
}

TEST_F(CityTest, VenuesHaveHoursCapacityAndEntrances) {
  for (const auto& v : city_->venues) {
    ASSERT_LT(v.opens, v.closes) << v.name;
    ASSERT_LE(v.closes, 1440) << v.name;
    ASSERT_GT(v.capacity, 0u) << v.name;
    ASSERT_GE(v.n_entrances, 1) << v.name;
    ASSERT_GT(v.popularity, 0.0f) << v.name;
  }
}

TEST_F(CityTest, WorkersAndPupilsHaveAPlaceInTheirDistrict) {
  for (const auto& p : city_->persons) {
    bool needs = p.occ == Occupation::kWorker || p.occ == Occupation::kPupil || p.occ == Occupation::kKindergarten ||
                 p.occ == Occupation::kCollege || p.occ == Occupation::kDriver;
    ASSERT_EQ(p.work != kNone, needs);
    if (needs) {
      ASSERT_EQ(city_->venues[p.work].district, p.district);
    }
  }
}

TEST(CityBuild, SameScenarioSameCity) {
  Scenario s = small_scenario(5000, 1, 42);
  City a = build_city(s, start_of(s)), b = build_city(s, start_of(s));
  ASSERT_EQ(a.persons.size(), b.persons.size());
  for (uint32_t i = 0; i < a.persons.size(); ++i) ASSERT_EQ(identity_number(a, i), identity_number(b, i));
  ASSERT_EQ(a.venues.size(), b.venues.size());
  s.seed = 43;
  City c = build_city(s, start_of(s));
  int same = 0;
  for (uint32_t i = 0; i < std::min(a.persons.size(), c.persons.size()); ++i)
    same += identity_number(a, i) == identity_number(c, i);
  EXPECT_LT(same, 50);
}

TEST(CityBuild, ScalesDownToAFewThousand) {
  Scenario s = small_scenario(2000, 1);
  City c = build_city(s, start_of(s));
  EXPECT_EQ(c.persons.size(), 2000u);
  for (uint8_t d = 0; d < kDistricts; ++d) EXPECT_GT(c.district_population[d], 0u);
}

}  // namespace
}  // namespace epinet::sim
