// Which protocol measure applies to a person arriving from elsewhere
// (DOMAIN.md, 9th edition protocol): from a high-risk area high_risk_arrival
// (7 days of centralized quarantine), from a medium-risk area
// medium_risk_arrival (7 days of home quarantine), from a low-risk area of a
// county that has risk areas low_risk_arrival (two tests within three days),
// otherwise none. The schedule of each measure is domain/quarantine's plan().
// Pure.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"

namespace epinet::domain::community {

struct AreaInForce {
  int64_t id = 0;
  std::string division_code;  // county level
  std::string level;          // high | medium (| low once lifted)
  Millis from = 0;
  std::optional<Millis> until;  // when it was lifted to low
};

struct ArrivalMeasure {
  std::string origin_level = "none";  // high | medium | low | none
  std::string measure = "none";       // high_risk_arrival | medium_risk_arrival | low_risk_arrival | none
  std::vector<int64_t> areas;         // the risk areas of the origin in force at arrival
};

// `origin` is a county code (or a city code xxxx00, which covers its
// counties); `stayed_in` the risk area the person says they stayed in, if
// any (it must be one of the origin's areas in force at arrival to count).
// Areas in force at `arrived_at`: from <= arrived_at and (no until or until > arrived_at).
ArrivalMeasure arrival_measure(const std::string& origin, std::optional<int64_t> stayed_in, Millis arrived_at,
                               const std::vector<AreaInForce>& areas);

}  // namespace epinet::domain::community
