// Single-case latency for the trace benchmarks (trace_index.cpp, trace_open_stays.cpp): each
// case traced once, its window ending at its control time. Counters: p50_us, p99_us, contacts
// (mean listed), contacts_p50 and contacts_p99 (listed per case).
#pragma once
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <utility>
#include <vector>

#include "domain/tracing/trace.h"

namespace epinet::bench {

inline void latency(benchmark::State& state, const domain::tracing::ContactSource& src,
                    const std::vector<domain::tracing::IndexCase>& cs, domain::tracing::Rules rules = {},
                    bool secondary = false) {
  namespace tr = domain::tracing;
  rules.secondary = secondary;
  std::vector<std::pair<double, size_t>> us;  // latency, contacts listed
  std::vector<size_t> listed;
  for (auto _ : state) {
    us.clear();
    for (const auto& c : cs) {
      auto t0 = std::chrono::steady_clock::now();
      auto r = tr::trace(src, {c}, rules, [&](int64_t) { return c.window.to; });
      us.emplace_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count(),
                      r.contacts.size());
    }
  }
  size_t contacts = 0;
  for (const auto& [t, n] : us) {
    contacts += n;
    listed.push_back(n);
  }
  std::sort(us.begin(), us.end());
  std::sort(listed.begin(), listed.end());
  const size_t p99 = std::min(us.size() - 1, us.size() * 99 / 100);
  state.counters["p50_us"] = us[us.size() / 2].first;
  state.counters["p99_us"] = us[p99].first;
  state.counters["contacts"] = static_cast<double>(contacts) / static_cast<double>(cs.size());
  // How many contacts the cases list: the median and the 99th percentile.
  state.counters["contacts_p50"] = static_cast<double>(listed[listed.size() / 2]);
  state.counters["contacts_p99"] = static_cast<double>(listed[p99]);
}

}  // namespace epinet::bench
