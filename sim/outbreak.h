// The outbreak: seeded infections spreading over co-presence (household,
// overlapping stays at a venue, near seats on a coach), each infection's
// natural history, and what follows it — fever-clinic visits, tests,
// isolation of confirmed cases and quarantine of their households.
//
// Day by day: begin_day() turns what is due that day into the movement
// model's specials and into test records; after the day's movement,
// transmit() finds the day's new infections. Pure: no I/O, no clock.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "sim/city.h"
#include "sim/movement.h"

namespace epinet::sim {

enum class Setting : uint8_t { kHousehold, kVenue, kTrip, kImport, kLocal };
std::string_view setting_name(Setting s);

struct Infection {
  uint32_t infector = kNone;  // kNone for seeds
  uint32_t infectee = 0;
  Setting setting = Setting::kLocal;
  uint64_t place = 0;  // household index, venue index, trip id; unused for seeds
  SimTime time = 0;
};

// One infected person's natural history and what happened to them.
struct Case {
  uint32_t person = 0;
  SimTime infected = 0;
  SimTime onset = 0;             // symptom onset; for an asymptomatic infection the time it would have been
  SimTime infectious_from = 0;   // max(infected + latent_min, onset − before)
  SimTime infectious_until = 0;  // onset + after
  bool symptomatic = false;
  SimTime confirmed = kNever;  // result time of the first positive test
};

enum class TestReason : uint8_t { kFeverClinic, kQuarantine };

struct TestRecord {
  uint32_t person = 0;
  SimTime sampled = 0, result_at = 0;
  bool positive = false;
  uint32_t venue = kNone;  // the hospital, or kNone (sampled in quarantine)
  TestReason reason = TestReason::kFeverClinic;
};

// What the outbreak adds to the day's early-warning channels, per district.
struct DayCounts {
  std::array<uint32_t, kDistricts> fever_visits{};     // every fever-clinic visit (background included)
  std::array<uint32_t, kDistricts> pharmacy_excess{};  // medicine bought by the ill
  std::array<uint32_t, kDistricts> positive_tests{};   // by home district, by sample day
  std::array<uint32_t, kDistricts> absent_excess{};    // pupils ill or isolated on a school day
};

class Outbreak {
 public:
  explicit Outbreak(const City& city);

  // Before the day's movement: seeds (on the seeding day), fever-clinic
  // visits, pharmacy purchases, arrivals, days at home, tests sampled today,
  // and the isolations and quarantines they cause. `specials` comes out
  // sorted by person; `tests` by sample time.
  void begin_day(const DayInfo& info, std::vector<Special>& specials, std::vector<TestRecord>& tests,
                 DayCounts& counts);

  // After the day's movement: the day's transmissions, as new infections
  // sorted by time (seeds created by begin_day first).
  void transmit(const DayInfo& info, const std::vector<Stay>& stays, const std::vector<Trip>& trips,
                const std::vector<Seat>& seats, std::vector<Infection>& infections);

  const std::vector<SimTime>& removed_from() const { return removed_from_; }
  const std::vector<SimTime>& removed_until() const { return removed_until_; }
  const std::vector<SimTime>& present_from() const { return present_from_; }
  const std::vector<Case>& cases() const { return cases_; }
  int32_t case_index(uint32_t person) const { return case_of_[person]; }
  // When a person's isolation or quarantine began, kNever if never.
  SimTime isolated_at(uint32_t person) const;

 private:
  struct Event {
    enum Kind : uint8_t { kArrival, kFeverVisit, kPharmacy, kQuarantineTest };
    SimTime time = 0;
    uint32_t person = 0;
    Kind kind = kArrival;
    uint32_t venue = kNone;
    uint32_t aux = 0;
  };
  void seed(const DayInfo& info);
  void infect(uint32_t person, SimTime t, uint32_t infector, Setting setting, uint64_t place);
  void schedule(const Event& e);
  bool present(uint32_t person, SimTime t) const;
  bool detectable(uint32_t person, SimTime t) const;
  void remove(uint32_t person, SimTime from, SimTime until);
  void confirm(uint32_t person, SimTime result_at);
  TestRecord test(uint32_t person, SimTime sampled, uint32_t venue, TestReason reason, uint32_t n, DayCounts& counts);
  uint32_t fever_hospital(uint32_t person, Rng& r) const;
  SimTime daytime(SimTime t, Rng& r) const;  // moved into 07:30–22:00 local

  const City& city_;
  const Scenario& s_;
  std::vector<int32_t> case_of_;  // per person: index into cases_, -1 if never infected
  std::vector<Case> cases_;
  std::vector<SimTime> removed_from_, removed_until_, present_from_;
  std::vector<SimTime> isolated_first_;     // first isolation/quarantine start, for onsets.csv
  std::vector<std::vector<Event>> events_;  // by day
  std::vector<Infection> pending_;          // created in begin_day (seeds), handed out by transmit()
  std::vector<int32_t> slot_;               // per person: index into today's infectious list, -1
  std::vector<uint32_t> tests_done_;        // per case: tests taken (key of the test stream)
};

// Attack rate and doubling time of the epidemic curve (docs/simulator.md,
// "Outcome measures"): doubling = ln 2 / the least-squares slope of ln(cumulative
// infections) over days whose cumulative count is at least 5. Infinite when
// it does not grow.
struct Outcome {
  double attack_rate = 0;
  double doubling_days = 0;
  int64_t infections = 0;
};
Outcome outcome(const std::vector<int64_t>& cumulative_by_day, int64_t persons);

}  // namespace epinet::sim
