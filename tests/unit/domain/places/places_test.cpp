#include "domain/places/places.h"

#include <gtest/gtest.h>

#include <set>

namespace epinet::domain {
namespace {

const std::vector<std::pair<std::string, DivisionLevel>> kLevels = {
    {"province", DivisionLevel::kProvince},   {"city", DivisionLevel::kCity},
    {"district", DivisionLevel::kDistrict},   {"subdistrict", DivisionLevel::kSubdistrict},
    {"community", DivisionLevel::kCommunity}, {"compound", DivisionLevel::kCompound},
    {"building", DivisionLevel::kBuilding},
};

TEST(DivisionLevels, ParseAndNameRoundTrip) {
  for (const auto& [name, level] : kLevels) {
    EXPECT_EQ(parse_division_level(name), level) << name;
    EXPECT_EQ(division_level_name(level), name);
  }
}

TEST(DivisionLevels, UnknownNamesAreRejected) {
  for (const char* bad : {"", "City", "county", "street", "province ", "buildings"})
    EXPECT_EQ(parse_division_level(bad), std::nullopt) << "'" << bad << "'";
}

TEST(DivisionLevels, ParentMayContainOnlyDeeperLevels) {
  using L = DivisionLevel;
  EXPECT_TRUE(may_contain(L::kCity, L::kDistrict));
  EXPECT_TRUE(may_contain(L::kDistrict, L::kSubdistrict));
  EXPECT_TRUE(may_contain(L::kCommunity, L::kCompound));
  EXPECT_TRUE(may_contain(L::kCompound, L::kBuilding));
  EXPECT_TRUE(may_contain(L::kProvince, L::kBuilding));
  EXPECT_FALSE(may_contain(L::kDistrict, L::kDistrict)) << "siblings are not nested";
  EXPECT_FALSE(may_contain(L::kDistrict, L::kCity));
  EXPECT_FALSE(may_contain(L::kBuilding, L::kCompound));
  for (const auto& [name, level] : kLevels) EXPECT_FALSE(may_contain(L::kBuilding, level)) << name;
}

TEST(DivisionCodes, LengthDependsOnLevel) {
  using L = DivisionLevel;
  EXPECT_TRUE(valid_division_code("140000", L::kProvince));
  EXPECT_TRUE(valid_division_code("140700", L::kCity));
  EXPECT_TRUE(valid_division_code("140702", L::kDistrict));
  EXPECT_TRUE(valid_division_code("140702002", L::kSubdistrict));
  EXPECT_TRUE(valid_division_code("140702002001", L::kCommunity));
  EXPECT_TRUE(valid_division_code("140702002001001", L::kCompound));
  EXPECT_TRUE(valid_division_code("140702002001001001", L::kBuilding));

  EXPECT_FALSE(valid_division_code("14070", L::kCity));
  EXPECT_FALSE(valid_division_code("1407020", L::kDistrict));
  EXPECT_FALSE(valid_division_code("140702", L::kSubdistrict));
  EXPECT_FALSE(valid_division_code("140702002", L::kDistrict));
  EXPECT_FALSE(valid_division_code("140702002", L::kCommunity));
  EXPECT_FALSE(valid_division_code("140702002001", L::kSubdistrict));
  EXPECT_FALSE(valid_division_code("14070200200", L::kCompound));
  EXPECT_FALSE(valid_division_code("1407020020010010011", L::kBuilding));
}

TEST(DivisionCodes, OnlyDigitsAreAllowed) {
  using L = DivisionLevel;
  EXPECT_FALSE(valid_division_code("14070a", L::kDistrict));
  EXPECT_FALSE(valid_division_code("14 702", L::kDistrict));
  EXPECT_FALSE(valid_division_code("-40702", L::kDistrict));
  EXPECT_FALSE(valid_division_code("１４０７０２", L::kDistrict)) << "full-width digits";
  EXPECT_FALSE(valid_division_code("14070200a", L::kSubdistrict));
  EXPECT_FALSE(valid_division_code("", L::kDistrict));
  EXPECT_FALSE(valid_division_code("", L::kCompound));
}

TEST(VenueTypes, KnownTypesAreValidOthersAreNot) {
  std::set<std::string_view> types(venue_types().begin(), venue_types().end());
  for (const char* t : {"hospital", "service_hall", "transport_hub", "compound_gate", "school", "market", "supermarket",
                        "restaurant", "gym", "shop", "office", "other"}) {
    EXPECT_TRUE(valid_venue_type(t)) << t;
    EXPECT_TRUE(types.count(t)) << t;
  }
  EXPECT_EQ(types.size(), 12u);
  EXPECT_FALSE(valid_venue_type(""));
  EXPECT_FALSE(valid_venue_type("Hospital"));
  EXPECT_FALSE(valid_venue_type("airport"));
}

TEST(Entrances, ValidListPasses) {
  EXPECT_EQ(check_entrances({}), "");
  EXPECT_EQ(check_entrances({{"门诊入口", "in"}, {"出口", "out"}, {"急诊", "both"}}), "");
}

TEST(Entrances, EmptyNameIsRejected) { EXPECT_NE(check_entrances({{"东门", "in"}, {"", "out"}}), ""); }

TEST(Entrances, OverlongNameIsRejected) {
  EXPECT_EQ(check_entrances({{std::string(100, 'a'), "in"}}), "");
  EXPECT_NE(check_entrances({{std::string(101, 'a'), "in"}}), "");
}

TEST(Entrances, DuplicateNameIsRejectedNamingIt) {
  std::string msg = check_entrances({{"东门", "in"}, {"西门", "out"}, {"东门", "both"}});
  EXPECT_NE(msg.find("东门"), std::string::npos) << msg;
}

TEST(Entrances, BadDirectionIsRejectedNamingTheEntrance) {
  for (const char* dir : {"", "IN", "inout", "exit"}) {
    std::string msg = check_entrances({{"北门", dir}});
    EXPECT_NE(msg.find("北门"), std::string::npos) << "direction '" << dir << "': " << msg;
  }
}

TEST(Entrances, AtMost64) {
  std::vector<Entrance> es;
  for (int i = 0; i < 64; ++i) es.push_back({"gate " + std::to_string(i), "both"});
  EXPECT_EQ(check_entrances(es), "");
  es.push_back({"gate 64", "both"});
  EXPECT_NE(check_entrances(es), "");
}

}  // namespace
}  // namespace epinet::domain
