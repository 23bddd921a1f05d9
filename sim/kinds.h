// The kinds of venue the simulated city has, and how each maps onto the
// platform's venue types (domain::venue_types()).
#pragma once
#include <array>
#include <cstdint>
#include <string_view>

namespace epinet::sim {

enum class VenueKind : uint8_t {
  kHospital,     // general hospital, with a fever clinic (发热门诊)
  kClinic,       // community health centre (社区卫生服务中心)
  kServiceHall,  // citizens' service hall / government service centre
  kBusStation,   // coach station: intercity coaches leave from here
  kRailStation,
  kMarket,  // wet market (农贸市场)
  kSupermarket,
  kRestaurant,
  kPharmacy,
  kShop,  // convenience store
  kGym,
  kKindergarten,
  kPrimarySchool,
  kMiddleSchool,
  kHighSchool,
  kUniversity,
  kTraining,  // after-school training centre
  kOffice,
  kFactory,
  kCompoundGate,  // the gate of a residential compound
  kCount
};
inline constexpr size_t kVenueKinds = static_cast<size_t>(VenueKind::kCount);

// Stable lower-case names (venues.csv `kind`, scenario keys `venue_beta.<kind>`).
inline constexpr std::array<std::string_view, kVenueKinds> kVenueKindNames = {
    "hospital",    "clinic",     "service_hall", "bus_station", "rail_station", "market",         "supermarket",
    "restaurant",  "pharmacy",   "shop",         "gym",         "kindergarten", "primary_school", "middle_school",
    "high_school", "university", "training",     "office",      "factory",      "compound_gate"};

// The platform's venue type for each kind (venues.csv `type`).
inline constexpr std::array<std::string_view, kVenueKinds> kVenueDomainTypes = {
    "hospital",   "hospital", "service_hall", "transport_hub", "transport_hub", "market",       "supermarket",
    "restaurant", "shop",     "shop",         "gym",           "school",        "school",       "school",
    "school",     "school",   "school",       "office",        "other",         "compound_gate"};

inline std::string_view kind_name(VenueKind k) { return kVenueKindNames[static_cast<size_t>(k)]; }

// Staff work shifts on a rota, six days a week, weekends included.
constexpr bool works_in_shifts(VenueKind k) {
  switch (k) {
    case VenueKind::kSupermarket:
    case VenueKind::kMarket:
    case VenueKind::kRestaurant:
    case VenueKind::kShop:
    case VenueKind::kPharmacy:
    case VenueKind::kGym:
    case VenueKind::kHospital:
    case VenueKind::kBusStation:
    case VenueKind::kRailStation:
    case VenueKind::kTraining:
      return true;
    default:
      return false;
  }
}
constexpr bool is_school(VenueKind k) {
  return k == VenueKind::kKindergarten || k == VenueKind::kPrimarySchool || k == VenueKind::kMiddleSchool ||
         k == VenueKind::kHighSchool || k == VenueKind::kUniversity;
}
inline std::string_view domain_type(VenueKind k) { return kVenueDomainTypes[static_cast<size_t>(k)]; }

}  // namespace epinet::sim
