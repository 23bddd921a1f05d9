// In-process cost of the simulator's hot paths (run by bench/sim/run), one
// simulated day of a 200,000-person city per iteration:
//
//   SimDay/threads:T   Simulator::step on T generator threads: the outbreak's
//                      plans, everyone's movement, seat plans, transmission,
//                      signals. Counter: check-ins generated per second.
//   FormatCheckinsCsv  sim::format_checkins of one day's stays into an
//                      OutFile on /dev/null: integer formatting and the
//                      buffer, without a disk. Counters: rows and bytes per second.
//
// The city is built outside the timing; the run restarts after its 7 days,
// so that weekdays and weekends both count and the outbreak stays at the
// size the default scenario has in its first week.
#include <benchmark/benchmark.h>

#include <memory>

#include "sim/output.h"
#include "sim/simulator.h"

namespace {

using namespace epinet::sim;

constexpr int64_t kPersons = 200000;

Scenario bench_scenario() {
  Scenario s;
  s.persons = kPersons;
  s.days = 7;
  s.signal_history_days = 0;
  return s;
}

void SimDay(benchmark::State& state) {
  const int threads = static_cast<int>(state.range(0));
  Scenario s = bench_scenario();
  auto sim = std::make_unique<Simulator>(s, days_from_civil(s.start_or_default()), threads);
  DayOutput day;
  int64_t stays = 0;
  for (auto _ : state) {
    if (sim->done()) {
      state.PauseTiming();
      sim = std::make_unique<Simulator>(s, days_from_civil(s.start_or_default()), threads);
      state.ResumeTiming();
    }
    sim->step(day);
    stays += static_cast<int64_t>(day.stays.size());
  }
  state.counters["checkins_per_s"] = benchmark::Counter(static_cast<double>(stays), benchmark::Counter::kIsRate);
}
BENCHMARK(SimDay)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void FormatCheckinsCsv(benchmark::State& state) {
  Scenario s = bench_scenario();
  Simulator sim(s, days_from_civil(s.start_or_default()), 2);
  DayOutput day;
  sim.step(day);
  OutFile out("/dev/null");
  int64_t rows = 0;
  uint64_t bytes0 = out.bytes();
  for (auto _ : state) {
    format_checkins(day, sim.epoch(), out);
    rows += static_cast<int64_t>(day.stays.size());
  }
  state.counters["rows_per_s"] = benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
  state.counters["bytes_per_s"] =
      benchmark::Counter(static_cast<double>(out.bytes() - bytes0), benchmark::Counter::kIsRate);
  out.close();
}
BENCHMARK(FormatCheckinsCsv)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
