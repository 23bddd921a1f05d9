// The synthetic city: Jinzhong's 11 county-level districts, their
// communities and residential compounds, households and persons, venues and
// the intercity coach network. Built once, deterministically, from the
// scenario (persons, seed, start date); read-only afterwards.
//
// Indices are 0-based in memory; the ids in the output files are index + 1.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/kinds.h"
#include "sim/rng.h"
#include "sim/scenario.h"

namespace epinet::sim {

struct Entrance {
  const char* name;
  const char* direction;  // in | out | both
};

struct DistrictInfo {
  const char* code;  // GB/T 2260
  const char* name;
  const char* name_en;
  const char* short_name;  // for venue names: 榆次, 平遥 …
  double population;       // 2020 census, rounded: the weights persons are spread by
  double rural;            // share of working adults who farm (no workplace check-in)
};
inline constexpr size_t kDistricts = 11;
const std::array<DistrictInfo, kDistricts>& districts();

enum class Occupation : uint8_t {
  kInfant,        // 0–2, at home
  kKindergarten,  // 3–5
  kPupil,         // 6–17 at primary, middle or high school (the school's kind says which)
  kCollege,       // 18–22 at a university (Yuci and Taigu have them)
  kWorker,        // works at a venue: the workplace's kind says which sector
  kFarmer,        // works outdoors: no workplace check-in
  kHome,          // adult not working: homemaker, unemployed
  kRetired,
  kDriver,  // coach driver: drives intercity coaches from a bus station
  kCount
};
std::string_view occupation_name(Occupation o);

inline constexpr uint32_t kNone = 0xffffffffu;

struct Person {
  uint32_t household = 0;
  uint32_t compound = 0;
  uint32_t work = kNone;   // workplace or school (venue index)
  int32_t birth_days = 0;  // days since 1970-01-01
  uint16_t id_seq = 0;     // the identity number's 3-digit sequence (odd: male)
  uint8_t age = 0;
  uint8_t sex = 1;  // 1 male, 2 female
  Occupation occ = Occupation::kHome;
  uint8_t district = 0;
  uint8_t offday = 0;      // rota workers' weekly day off (0 = Monday)
  uint8_t late_shift = 0;  // 1: works the late shift
  uint8_t gate_entrance = 0;
};

struct Household {
  uint32_t first_person = 0;
  uint8_t size = 0;
  uint32_t compound = 0;
};

struct Community {
  std::string code;  // 12 digits: district + "7" + 2-digit sub-district + 3-digit community (synthetic)
  std::string name;
  uint8_t district = 0;
  uint32_t first_compound = 0, compounds = 0;
  uint32_t population = 0;
};

struct Compound {
  std::string code;  // 15 digits: community + 3 digits
  std::string name;
  uint32_t community = 0;
  uint32_t gate = 0;  // venue index of its gate
  uint32_t population = 0;
  bool scan_out = false;  // residents scan the gate's code going out too, not only coming home
};

struct Venue {
  VenueKind kind = VenueKind::kShop;
  uint8_t district = 0;
  uint32_t community = 0;
  uint16_t opens = 0, closes = 1440;  // minutes after local midnight
  uint32_t capacity = 0;
  float popularity = 1;  // relative Zipf weight within its kind and district
  std::string name;
  const Entrance* entrances = nullptr;
  uint8_t n_entrances = 0;
};

// Vose's alias table: O(1) draws from a discrete distribution.
class AliasTable {
 public:
  AliasTable() = default;
  AliasTable(const std::vector<uint32_t>& items, const std::vector<double>& weights);
  bool empty() const { return items_.empty(); }
  uint32_t sample(Rng& r) const {
    uint32_t i = r.below(static_cast<uint32_t>(items_.size()));
    return r.uniform() < prob_[i] ? items_[i] : items_[alias_[i]];
  }
  const std::vector<uint32_t>& items() const { return items_; }

 private:
  std::vector<uint32_t> items_;
  std::vector<float> prob_;
  std::vector<uint32_t> alias_;
};

// An intercity coach route between a district's bus station and Yuci's
// (晋中汽车客运总站), or Taiyuan outside the city.
struct Route {
  std::string name;  // 榆次—平遥
  uint8_t from_district = 0;
  int8_t to_district = -1;    // -1: Taiyuan (outside the simulated city)
  uint32_t from_station = 0;  // venue index
  uint32_t to_station = kNone;
  uint16_t minutes = 60;
  // Departures (minutes after midnight) outbound (from → to) and back.
  std::vector<uint16_t> departures[2];
};

struct City {
  Scenario scenario;
  int64_t start_days = 0;  // the first simulated day, days since 1970-01-01

  std::vector<Person> persons;
  std::vector<Household> households;
  std::vector<Community> communities;
  std::vector<Compound> compounds;
  std::vector<Venue> venues;
  std::vector<Route> routes;
  std::array<uint32_t, kDistricts + 1> district_first_person{};  // persons are grouped by district
  std::array<uint32_t, kDistricts> district_population{};
  std::array<uint32_t, kDistricts> enrolled{};  // pupils at school, per district
  // Per district and kind: venues weighted by popularity.
  std::vector<AliasTable> by_district_kind;  // [district * kVenueKinds + kind]
  // Per community and kind: the venues in that community (CSR).
  std::vector<uint32_t> community_kind_start;  // [(community * kVenueKinds + kind)], size + 1
  std::vector<uint32_t> community_kind_venues;
  std::array<std::vector<uint32_t>, kDistricts> drivers;          // coach drivers by home district
  std::array<uint32_t, kDistricts> bus_station{};                 // each district's coach station
  std::array<uint32_t, kDistricts> rail_station{};                // the nearest rail station (maybe another district's)
  std::array<std::vector<uint32_t>, kDistricts> fever_hospitals;  // hospitals with a fever clinic
  // Routes leaving from each district (indices into routes).
  std::array<std::vector<uint16_t>, kDistricts> routes_from;

  const AliasTable& venues_of(uint8_t district, VenueKind k) const {
    return by_district_kind[district * kVenueKinds + static_cast<size_t>(k)];
  }
  // The venues of a kind in a community: [begin, end) into community_kind_venues.
  std::pair<const uint32_t*, const uint32_t*> local(uint32_t community, VenueKind k) const {
    size_t i = community * kVenueKinds + static_cast<size_t>(k);
    return {community_kind_venues.data() + community_kind_start[i],
            community_kind_venues.data() + community_kind_start[i + 1]};
  }
  uint32_t community_of(uint32_t person) const { return compounds[persons[person].compound].community; }
};

// Builds the city. Pure: the same scenario gives the same city.
City build_city(const Scenario& scenario, int64_t start_days);

// The 18-character identity number of a person (GB 11643: home district code,
// birth date, sequence, mod 11-2 check character). Unique within the city.
std::string identity_number(const City& city, uint32_t person);
// Writes the identity number into out[0..18) (no terminator).
void identity_number(const City& city, uint32_t person, char* out);
// A synthetic Chinese name.
std::string person_name(const City& city, uint32_t person);

}  // namespace epinet::sim
