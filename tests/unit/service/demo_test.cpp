#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <set>

#include "domain/person/identity.h"
#include "service/keys.h"
#include "service_test_support.h"
#include "sim/city.h"

namespace epinet::service {
namespace {

using epinet::testing::DemoCityTest;

class SeedDemoTest : public DemoCityTest {
 protected:
  store::PageOf<store::Division> divisions(const store::DivisionFilter& f) {
    store::PageOf<store::Division> out;
    db_->read([&](store::Connection& c) { out = store::list_divisions(c, f, {.page = 1, .page_size = 500}); });
    return out;
  }
  std::optional<store::Venue> venue_named(const std::string& name) {
    std::optional<store::Venue> out;
    db_->read([&](store::Connection& c) {
      auto page = store::list_venues(c, {.q = name}, {.page = 1, .page_size = 500});
      for (auto& v : page.items)
        if (v.name == name) out = v;
    });
    return out;
  }
};

TEST_F(SeedDemoTest, FirstRunCreatesTheCityAndSecondRunCreatesNothing) {
  EXPECT_GT(first_seed_.divisions, 0);
  EXPECT_GT(first_seed_.venues, 0);
  EXPECT_EQ(first_seed_.users, 8);  // one per role, and the grid worker of one compound
  EXPECT_EQ(first_seed_.password, epinet::testing::kDemoPassword);
  EXPECT_FALSE(first_seed_.password_generated);

  int64_t divisions_before = divisions({}).total;
  SeedReport again = seed_demo(*db_, config_);
  EXPECT_EQ(again.divisions, 0);
  EXPECT_EQ(again.venues, 0);
  EXPECT_EQ(again.users, 0);
  EXPECT_EQ(divisions({}).total, divisions_before);
  EXPECT_EQ(divisions_before, first_seed_.divisions);

  auto seeds = list_audit(*db_, {.action = "demo.seed"}, {});
  EXPECT_EQ(seeds.total, 1) << "a run that creates nothing leaves no audit entry";
}

// `epinet sim --load` after `epinet seed-demo` (what `make run` does) failed
// with "a person with this identity number is registered" when the simulated
// city gave one of its residents a demo resident's number: here a city of
// 200,000 starting on 2026-11-21 gave resident 24,625 140702196403071022,
// the number demo resident 3 had then.
TEST(DemoIdentityNumbers, TheSimulatorNeverIssuesOne) {
  const auto demo = demo_identity_numbers();
  ASSERT_EQ(demo.size(), 24u);
  const std::set<std::string> taken(demo.begin(), demo.end());
  EXPECT_EQ(taken.size(), demo.size());
  for (const auto& n : demo) EXPECT_EQ(domain::check_id_number(n).problem, domain::IdNumberProblem::kNone) << n;
  sim::Scenario scenario;
  scenario.persons = 200000;
  scenario.seed = 20210802;  // the demo scenario's
  for (const int64_t start : {days_from_civil(2026, 11, 21), days_from_civil(2021, 8, 2)}) {
    const sim::City city = sim::build_city(scenario, start);
    size_t clashes = 0;
    for (uint32_t p = 0; p < city.persons.size(); ++p) clashes += taken.count(sim::identity_number(city, p));
    EXPECT_EQ(clashes, 0u) << "a simulated resident holds a demo resident's number (start day " << start << ")";
  }
}

// A database seeded before the demo residents' numbers moved to 142401 keeps
// its residents: seeding again adds no second copy of them.
TEST_F(SeedDemoTest, ResidentsSeededUnderTheirFormerNumbersAreNotSeededAgain) {
  const KeyRing keys = load_keys(config_.data_dir);
  const auto numbers = demo_identity_numbers();
  int64_t before = 0;
  db_->write([&](store::Connection& c) {
    before = store::as_int(c.query("SELECT COUNT(*) FROM persons").rows[0][0]);
    for (size_t i = 0; i < numbers.size(); ++i) {  // the numbers as seed-demo gave them before
      char first17[18];
      std::snprintf(first17, sizeof first17, "140702%04zu%02zu%02zu%03zu", 1950 + (i * 7) % 60, 1 + i % 12,
                    1 + (i * 3) % 28, 100 + i);
      const std::string old_hash = keys.id_hash(std::string(first17) + domain::id_check_char(first17));
      const std::string new_hash = keys.id_hash(numbers[i]);
      c.query("UPDATE persons SET id_hash = ? WHERE id_hash = ?", {old_hash, new_hash});
      c.query("UPDATE person_ids SET id_hash = ? WHERE id_hash = ?", {old_hash, new_hash});
    }
  });
  const SeedReport again = seed_demo(*db_, config_);
  EXPECT_EQ(again.persons, 0);
  db_->read([&](store::Connection& c) {
    EXPECT_EQ(store::as_int(c.query("SELECT COUNT(*) FROM persons").rows[0][0]), before);
  });
}

TEST_F(SeedDemoTest, ElevenCountyLevelDivisionsUnderJinzhong) {
  auto cities = divisions({.level = "city"});
  ASSERT_EQ(cities.total, 1);
  EXPECT_EQ(cities.items[0].name, "晋中市");
  EXPECT_EQ(cities.items[0].code, "140700");
  auto districts = divisions({.parent_id = cities.items[0].id, .level = "district"});
  EXPECT_EQ(districts.total, 11);
  std::set<std::string> names;
  for (const auto& d : districts.items) names.insert(d.name);
  EXPECT_TRUE(names.count("榆次区"));
  EXPECT_TRUE(names.count("平遥县"));
  EXPECT_TRUE(names.count("介休市"));
  EXPECT_EQ(divisions({.level = "district"}).total, 11);
}

TEST_F(SeedDemoTest, TheNamedVenuesExist) {
  auto hospital = venue_named("晋中市第一人民医院");
  ASSERT_TRUE(hospital);
  EXPECT_EQ(hospital->type, "hospital");
  EXPECT_FALSE(hospital->entrances.empty());
  auto hall = venue_named("晋中市民之家");
  ASSERT_TRUE(hall);
  EXPECT_EQ(hall->type, "service_hall");
  auto station = venue_named("晋中汽车客运总站");
  ASSERT_TRUE(station);
  EXPECT_EQ(station->type, "transport_hub");
  for (const auto& v : {*hospital, *hall, *station})
    EXPECT_TRUE(domain::check_entrances(v.entrances).empty()) << v.name;
}

TEST_F(SeedDemoTest, CommunityYinhaiXinyueHasTwelveCompounds) {
  auto communities = divisions({.level = "community", .q = "银海心悦社区"});
  ASSERT_EQ(communities.total, 1);
  auto compounds = divisions({.parent_id = communities.items[0].id, .level = "compound"});
  EXPECT_EQ(compounds.total, 12);
  for (const auto& c : compounds.items) {
    ASSERT_TRUE(c.code) << c.name;
    EXPECT_TRUE(domain::valid_division_code(*c.code, domain::DivisionLevel::kCompound)) << *c.code;
  }
}

TEST_F(SeedDemoTest, EverySeededDivisionHasAValidCodeAndParentLevel) {
  std::map<int64_t, store::Division> by_id;
  for (const auto& d : divisions({}).items) by_id[d.id] = d;
  ASSERT_FALSE(by_id.empty());
  for (const auto& [id, d] : by_id) {
    auto level = domain::parse_division_level(d.level);
    ASSERT_TRUE(level) << d.name;
    if (d.code) {
      EXPECT_TRUE(domain::valid_division_code(*d.code, *level)) << d.name << " " << *d.code;
    }
    if (d.parent_id) {
      const auto& parent = by_id.at(*d.parent_id);
      EXPECT_TRUE(domain::may_contain(*domain::parse_division_level(parent.level), *level)) << d.name;
      EXPECT_EQ(d.path, parent.path + std::to_string(d.id) + "/");
    }
  }
}

TEST_F(SeedDemoTest, OneAccountPerRoleBoundAsItsRoleRequires) {
  store::PageOf<store::User> users;
  db_->read([&](store::Connection& c) { users = store::list_users(c, {}, {}); });
  EXPECT_EQ(users.total, 8);  // one per role, and the grid worker of one compound
  std::set<std::string> roles;
  for (const auto& u : users.items) {
    roles.insert(u.role);
    auto role = domain::parse_role(u.role);
    ASSERT_TRUE(role) << u.username;
    EXPECT_FALSE(u.disabled) << u.username;
    if (domain::is_venue_bound(*role)) {
      EXPECT_TRUE(u.venue_id) << u.username;
    } else {
      EXPECT_TRUE(u.division_id) << u.username;
    }
  }
  EXPECT_EQ(roles.size(), 7u);
  EXPECT_EQ(user("venue_staff").venue_name, "晋中市民之家");
  EXPECT_EQ(user("clinician").venue_name, "晋中市第一人民医院");
  EXPECT_EQ(user("community_worker").division_name, "银海心悦社区");
  EXPECT_EQ(user("grid_worker").role, "community_worker");
  EXPECT_EQ(user("grid_worker").division_name, "鑫发小区");
}

class SeedDemoGeneratedPasswordTest : public DemoCityTest {
 protected:
  SeedDemoGeneratedPasswordTest() : DemoCityTest({}, /*seed=*/false) { config_.demo_password.clear(); }
};

TEST_F(SeedDemoGeneratedPasswordTest, GeneratesAPrivatePasswordOnceAndReusesIt) {
  SeedReport first = seed_demo(*db_, config_);
  EXPECT_TRUE(first.password_generated);
  EXPECT_GE(first.password.size(), 12u);
  std::string file = dir_.file("demo-password.txt");
  std::ifstream in(file);
  std::string stored;
  std::getline(in, stored);
  EXPECT_EQ(stored, first.password);
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "only the owner may read the demo password";

  SeedReport second = seed_demo(*db_, config_);
  EXPECT_FALSE(second.password_generated);
  EXPECT_EQ(second.password, first.password);
}

}  // namespace
}  // namespace epinet::service
