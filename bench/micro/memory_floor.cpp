// What this machine's memory allows, as a floor for the trace benchmarks: how fast memory is
// written the first time and again, and how fast fixed-size rows are placed in a random order
// (what grouping exposures by contact must do at the least). docs/benchmarks.md compares the
// trace's phases with these.
#include <benchmark/benchmark.h>
#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <new>
#include <numeric>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

struct Mapping {
  explicit Mapping(size_t n) : bytes(n) {
    void* q = ::mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (q == MAP_FAILED) throw std::bad_alloc();
    ::madvise(q, n, MADV_HUGEPAGE);  // as the trace's large arrays are
    p = static_cast<char*>(q);
  }
  ~Mapping() { ::munmap(p, bytes); }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  char* p = nullptr;
  size_t bytes = 0;
};

// Writing `MiB` of memory: the first time (fresh pages from the kernel) and the median of three
// more times (the same pages).
void MemoryWrite(benchmark::State& state) {
  const size_t bytes = static_cast<size_t>(state.range(0)) << 20;
  double first = 0;
  std::vector<double> again;
  for (auto _ : state) {
    Mapping m(bytes);
    auto t0 = Clock::now();
    std::memset(m.p, 1, bytes);
    benchmark::DoNotOptimize(m.p);
    first = seconds_since(t0);
    for (int i = 0; i < 3; ++i) {
      t0 = Clock::now();
      std::memset(m.p, 2 + i, bytes);
      benchmark::DoNotOptimize(m.p);
      again.push_back(seconds_since(t0));
    }
  }
  std::sort(again.begin(), again.end());
  state.counters["first_GBps"] = static_cast<double>(bytes) / 1e9 / first;
  state.counters["again_GBps"] = static_cast<double>(bytes) / 1e9 / again[again.size() / 2];
}
BENCHMARK(MemoryWrite)->Arg(1200)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

// Placing `rows` rows of 48 bytes (a trace's evidence row) at the positions of a random
// permutation, on warm memory: the median of three passes, per row.
void MemoryScatter48(benchmark::State& state) {
  struct Row {
    uint64_t w[6];
  };
  static_assert(sizeof(Row) == 48);
  const auto rows = static_cast<size_t>(state.range(0));
  std::vector<uint32_t> at(rows);
  std::iota(at.begin(), at.end(), 0u);
  uint64_t x = 1;
  for (size_t i = rows - 1; i > 0; --i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    std::swap(at[i], at[(x >> 20) % (i + 1)]);
  }
  Mapping m(rows * sizeof(Row));
  auto* out = reinterpret_cast<Row*>(m.p);
  std::memset(m.p, 0, m.bytes);
  std::vector<double> ns;
  for (auto _ : state)
    for (int pass = 0; pass < 3; ++pass) {
      Row r{};
      const auto t0 = Clock::now();
      for (size_t i = 0; i < rows; ++i) {
        r.w[0] = i;
        out[at[i]] = r;
      }
      benchmark::DoNotOptimize(out);
      ns.push_back(seconds_since(t0) * 1e9 / static_cast<double>(rows));
    }
  std::sort(ns.begin(), ns.end());
  state.counters["ns_per_row"] = ns[ns.size() / 2];
}
// A heavy single case's evidence (~45,000 rows, in a core's cache) and the 1,000-case trace's
// with the default rules (~26 million rows, 1.25 GB).
BENCHMARK(MemoryScatter48)->Arg(45'000)->Arg(26'000'000)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
