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
// tier). Counters: p50_us, p99_us, contacts (mean listed).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "domain/tracing/index.h"
#include "domain/tracing/trace.h"

namespace {

namespace tr = epinet::domain::tracing;
using epinet::Millis;

// As config/epinet.defaults.env ships them.
const char* const kStayByType =
    "hospital:120,service_hall:45,transport_hub:30,compound_gate:2,school:480,market:30,supermarket:40,"
    "restaurant:60,gym:75,shop:10,office:480,other:480";

tr::Rules shipped_rules() {
  tr::Rules r = tr::rules_from_settings({{"EPINET_TRACE_STAY_MIN_BY_TYPE", kStayByType}});
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
  const tr::Rules rules = shipped_rules();
  std::vector<tr::IndexCase> cases;
  std::mt19937_64 rng(11);
  for (int i = 0; i < 1000; ++i)
    cases.push_back({static_cast<int64_t>(rng() % kPersons) + 1, {kT0 + tr::kDay, kT0 + 6 * tr::kDay}});
  std::vector<double> us;
  size_t contacts = 0;
  for (auto _ : state) {
    us.clear();
    contacts = 0;
    for (const auto& c : cases) {
      const auto t0 = std::chrono::steady_clock::now();
      const auto r = tr::trace(*ix, {c}, rules, [&](int64_t) { return c.window.to; });
      us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
      contacts += r.contacts.size();
    }
  }
  std::sort(us.begin(), us.end());
  state.counters["p50_us"] = us[us.size() / 2];
  state.counters["p99_us"] = us[us.size() * 99 / 100];
  state.counters["contacts"] = static_cast<double>(contacts) / static_cast<double>(cases.size());
}
BENCHMARK_CAPTURE(TraceOpenStays, exits, true)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(TraceOpenStays, open, false)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
