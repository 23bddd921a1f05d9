// Stays without an exit. A checkpoint records entries; an exit only where a venue also scans people
// out. So in a deployment most stays last their venue type's default length
// (EPINET_TRACE_STAY_MIN_BY_TYPE). The simulator's stays all have exits (bench/micro/trace_index.cpp
// measures those), so this benchmark builds a synthetic city twice: once with every stay's exit at
// its type's default length, once with no exits at all. The two indexes hold the same stays and list
// the same contacts; only how each stay's length is found differs.
//
//   TraceOpenStays/exits   every stay with its exit
//   TraceOpenStays/open    no exit: the length by the venue's type, from the shipped settings
//
// 200,000 persons, 4,000 venues of the shipped settings' twelve types, 7 days, 3 stays a person a
// day (4.2 million stays); 1,000 random single cases (the 4 days before day 5 + 1 day, no secondary
// tier). Counters: p50_us, p99_us, contacts (mean listed), contacts_p50, contacts_p99
// (bench/micro/trace_latency.h).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "bench/micro/trace_latency.h"
#include "core/config.h"
#include "domain/tracing/index.h"
#include "domain/tracing/trace.h"

namespace {

namespace tr = epinet::domain::tracing;
using epinet::Millis;
using epinet::bench::latency;

// As the shipped settings have them (config/epinet.defaults.env, embedded in the binary).
tr::Rules shipped_rules() {
  tr::Rules r = tr::rules_from_settings(epinet::parse_settings(epinet::kDefaultsFile, "defaults"));
  r.secondary = false;
  return r;
}

constexpr int kPersons = 200'000, kVenues = 4'000, kDays = 7, kStaysPerDay = 3;
constexpr Millis kT0 = 1'767'225'600'000;  // 2026-01-01T00:00Z

std::unique_ptr<tr::TraceIndex> build(bool exits) {
  const tr::Rules rules = shipped_rules();
  std::vector<std::string> types;
  for (const auto& [type, length] : rules.default_stay_by_type) types.push_back(type);
  auto ix = std::make_unique<tr::TraceIndex>();
  ix->begin_load();
  for (int v = 0; v < kVenues; ++v) ix->add_venue(v + 1, types[static_cast<size_t>(v) % types.size()]);
  for (int p = 0; p < kPersons; ++p) ix->add_person(p + 1, 0);
  std::mt19937_64 rng(7);
  // Venues of skewed popularity: the square of a uniform draw.
  std::uniform_real_distribution<double> u(0, 1);
  std::uniform_int_distribution<Millis> second(8 * 3600, 22 * 3600);
  for (int d = 0; d < kDays; ++d)
    for (int p = 0; p < kPersons; ++p)
      for (int k = 0; k < kStaysPerDay; ++k) {
        const double x = u(rng);
        const int v = static_cast<int>(x * x * kVenues);
        const Millis in = kT0 + d * tr::kDay + second(rng) * 1000;
        std::optional<Millis> out;
        if (exits) out = in + rules.stay_length(types[static_cast<size_t>(v) % types.size()]);
        ix->add_stay(p + 1, v + 1, in, out);
      }
  ix->compact();
  return ix;
}

void TraceOpenStays(benchmark::State& state, bool exits) {
  const auto ix = build(exits);
  std::vector<tr::IndexCase> cases;
  std::mt19937_64 rng(11);
  for (int i = 0; i < 1000; ++i)
    cases.push_back({static_cast<int64_t>(rng() % kPersons) + 1, {kT0 + tr::kDay, kT0 + 6 * tr::kDay}});
  latency(state, *ix, cases, shipped_rules());
}
BENCHMARK_CAPTURE(TraceOpenStays, exits, true)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(TraceOpenStays, open, false)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
