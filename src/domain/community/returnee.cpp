#include "domain/community/returnee.h"

namespace epinet::domain::community {
namespace {

bool covers(const std::string& origin, const std::string& county) {
  if (origin == county) return true;
  // A city code (xxxx00) covers its counties; a province code (xx0000) its cities.
  if (origin.size() == 6 && origin.compare(4, 2, "00") == 0) {
    size_t n = origin.compare(2, 4, "0000") == 0 ? 2 : 4;
    return county.compare(0, n, origin, 0, n) == 0;
  }
  return false;
}

}  // namespace

ArrivalMeasure arrival_measure(const std::string& origin, std::optional<int64_t> stayed_in, Millis arrived_at,
                               const std::vector<AreaInForce>& areas) {
  ArrivalMeasure m;
  std::string level;
  for (const auto& a : areas) {
    if (!covers(origin, a.division_code)) continue;
    bool in_force = a.from <= arrived_at && (!a.until || *a.until > arrived_at) && (a.level == "high" || a.level == "medium");
    if (!in_force) continue;
    m.areas.push_back(a.id);
    if (stayed_in && *stayed_in == a.id && level != "high") level = a.level;
  }
  if (m.areas.empty()) return m;
  m.origin_level = level.empty() ? "low" : level;
  m.measure = m.origin_level + "_risk_arrival";
  return m;
}

}  // namespace epinet::domain::community
