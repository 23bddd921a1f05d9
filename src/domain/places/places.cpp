#include "domain/places/places.h"

#include <algorithm>
#include <array>
#include <set>

namespace epinet::domain {
namespace {
constexpr std::array<std::string_view, 7> kLevelNames = {"province",  "city",     "district", "subdistrict",
                                                         "community", "compound", "building"};
}

std::optional<DivisionLevel> parse_division_level(std::string_view name) {
  for (size_t i = 0; i < kLevelNames.size(); ++i)
    if (kLevelNames[i] == name) return static_cast<DivisionLevel>(i);
  return std::nullopt;
}

std::string_view division_level_name(DivisionLevel level) { return kLevelNames[static_cast<size_t>(level)]; }

bool may_contain(DivisionLevel parent, DivisionLevel child) {
  return static_cast<int>(child) > static_cast<int>(parent);
}

bool valid_division_code(std::string_view code, DivisionLevel level) {
  if (!std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  switch (level) {
    case DivisionLevel::kProvince:
    case DivisionLevel::kCity:
    case DivisionLevel::kDistrict: return code.size() == 6;
    case DivisionLevel::kSubdistrict: return code.size() == 9;
    case DivisionLevel::kCommunity: return code.size() == 12;
    case DivisionLevel::kCompound:
    case DivisionLevel::kBuilding: return code.size() >= 12 && code.size() <= 18;
  }
  return false;
}

const std::vector<std::string_view>& venue_types() {
  static const std::vector<std::string_view> types = {
      "hospital", "service_hall", "transport_hub", "compound_gate", "school", "market",
      "supermarket", "restaurant", "gym", "shop", "office", "other"};
  return types;
}

bool valid_venue_type(std::string_view type) {
  const auto& t = venue_types();
  return std::find(t.begin(), t.end(), type) != t.end();
}

std::string check_entrances(const std::vector<Entrance>& entrances) {
  if (entrances.size() > 64) return "a venue has at most 64 entrances";
  std::set<std::string> seen;
  for (const auto& e : entrances) {
    if (e.name.empty() || e.name.size() > 100) return "an entrance needs a name of 1 to 100 bytes";
    if (e.direction != "in" && e.direction != "out" && e.direction != "both")
      return "entrance '" + e.name + "': direction must be in, out or both";
    if (!seen.insert(e.name).second) return "entrance '" + e.name + "' is listed twice";
  }
  return "";
}

}  // namespace epinet::domain
