// Places: the administrative hierarchy and venues. Pure validation rules.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace epinet::domain {

// From the top down; a child is always at a deeper level than its parent.
enum class DivisionLevel { kProvince, kCity, kDistrict, kSubdistrict, kCommunity, kCompound, kBuilding };

std::optional<DivisionLevel> parse_division_level(std::string_view name);
std::string_view division_level_name(DivisionLevel level);
bool may_contain(DivisionLevel parent, DivisionLevel child);

// GB/T 2260 codes are 6 digits (province, city, county level); township and
// community statistical codes extend them to 9 and 12 digits.
bool valid_division_code(std::string_view code, DivisionLevel level);

const std::vector<std::string_view>& venue_types();
bool valid_venue_type(std::string_view type);

struct Entrance {
  std::string name;
  std::string direction;  // in | out | both
};
// Returns an error message, or "" when the entrances are valid: names
// non-empty, unique, at most 64 of them, direction one of in/out/both.
std::string check_entrances(const std::vector<Entrance>& entrances);

}  // namespace epinet::domain
