// The simulator: the city, then one day at a time — the outbreak's plans for
// the day, everyone's movement, the coach seat plans, the transmissions, the
// signals. Deterministic for a scenario and start date whatever the thread
// count: random draws come from counter-based streams (sim/rng.h) and the
// work of each thread is concatenated in a fixed order.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "sim/city.h"
#include "sim/movement.h"
#include "sim/outbreak.h"
#include "sim/signals.h"

namespace epinet::sim {

// One simulated day: everything the output files need. Buffers are reused
// from day to day.
struct DayOutput {
  DayInfo info;
  std::vector<Stay> stays;  // in person order, each person's in time order
  std::vector<Trip> trips;
  std::vector<Seat> seats;
  std::vector<Infection> infections;  // by time
  std::vector<TestRecord> tests;      // by sample time
  std::vector<SignalRow> signals;
};

class Simulator {
 public:
  // Builds the city (the slow part for millions of persons). `threads`
  // (1 or more) only changes speed, never output.
  Simulator(const Scenario& scenario, int64_t start_days, int threads = 1);

  const City& city() const { return city_; }
  const Outbreak& outbreak() const { return outbreak_; }
  int days() const { return city_.scenario.days; }
  int next_day() const { return next_; }
  bool done() const { return next_ >= days(); }

  // Background signals of the history days before day 0, oldest first.
  std::vector<SignalRow> history_signals() const;
  // Simulates the next day into `out`.
  void step(DayOutput& out);

  // Cumulative infections (seeds included) at the end of each simulated day.
  const std::vector<int64_t>& cumulative_infections() const { return cumulative_; }
  Outcome outcome() const { return sim::outcome(cumulative_, static_cast<int64_t>(city_.persons.size())); }
  // Unix seconds of the local midnight that starts day 0.
  int64_t epoch() const { return day_info(city_.start_days, 0).start_unix; }

 private:
  City city_;
  Outbreak outbreak_;
  int threads_;
  int next_ = 0;
  std::vector<int64_t> cumulative_;
  std::vector<Special> specials_;
  std::vector<SeatRequest> requests_;
  std::vector<std::vector<Stay>> part_stays_;
  std::vector<std::vector<SeatRequest>> part_requests_;
  std::vector<uint32_t> chunk_;        // household boundaries of the threads' shares
  std::vector<SimTime> removed_view_;  // removal starts, ended removals as kNever
};

}  // namespace epinet::sim
