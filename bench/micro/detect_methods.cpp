// Aberration detection on the platform's whole signal set: 11 districts x 6
// channels = 66 daily series of 3 years, every method of domain::warning (run
// by bench/detect/run, which times R's surveillance package on the same data).
//
//   DetectLatestDay/<method>   each series evaluated at its newest day (CUSUM:
//                              its whole path after a year of training, which
//                              the newest value needs) — what the server does
//                              when a day's counts are in
//   DetectLast28Days/<method>  every day of the last four weeks of each series
//   DetectFullHistory/<method> every day each method can evaluate
// "all" runs the eight methods one after the other.
//
// The series come from the CSV named by EPINET_DETECT_DATA (series,t,count,date;
// bench/detect/run writes it with R), or else from a built-in generator.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "domain/warning/detect.h"

namespace {

namespace w = epinet::domain::warning;

std::vector<w::Series> load() {
  std::vector<w::Series> out;
  if (const char* path = std::getenv("EPINET_DETECT_DATA")) {
    std::ifstream in(path);
    if (!in) {
      std::fprintf(stderr, "detect bench: cannot read %s\n", path);
      std::exit(2);
    }
    std::string line;
    std::getline(in, line);  // series,t,count,date
    std::map<std::string, size_t> index;
    while (std::getline(in, line)) {
      std::stringstream ss(line);
      std::string name, t, count, date;
      std::getline(ss, name, ',');
      std::getline(ss, t, ',');
      std::getline(ss, count, ',');
      std::getline(ss, date, ',');
      auto [it, added] = index.emplace(name, out.size());
      if (added) out.emplace_back().frequency = 365;
      w::Series& s = out[it->second];
      s.observed.push_back(count == "NA" ? std::nan("") : std::stod(count));
      int y = 0, m = 0, d = 0;
      std::sscanf(date.c_str(), "%d-%d-%d", &y, &m, &d);
      s.dates.push_back(w::days_from_civil({y, m, d}));
    }
    return out;
  }
  // 3 years from 2023-01-01 (2024 is a leap year): 1096 days.
  std::mt19937_64 rng(20261129);
  const int32_t first = w::days_from_civil({2023, 1, 1});
  for (int i = 0; i < 66; ++i) {
    w::Series s;
    s.frequency = 365;
    const double base = 1 + (i * 37 % 60);
    for (int d = 0; d < 1096; ++d) {
      const double mu =
          base * std::exp(0.4 * std::sin(2 * M_PI * d / 365.25) + (w::weekday(first + d) == 0 ? -0.3 : 0));
      std::poisson_distribution<int> pois(mu);
      s.observed.push_back(pois(rng));
      s.dates.push_back(first + d);
    }
    out.push_back(std::move(s));
  }
  return out;
}

const std::vector<w::Series>& data() {
  static const std::vector<w::Series> d = load();
  return d;
}

// The settings for 3 years of daily data: R's defaults, except that the
// Farrington methods look back b = 2 years and MPM 2 years (a third year back
// is not in the data), and CUSUM trains on the first year.
w::DetectSettings settings(w::Method m) {
  w::DetectSettings s = w::default_settings(m);
  s.farrington.b = 2;
  s.mpm.years = 2;
  return s;
}

enum class Work { kLatestDay, kLast28Days, kFullHistory };

size_t run(const std::vector<w::Method>& methods, Work work) {
  size_t points = 0;
  for (w::Method m : methods) {
    w::DetectSettings s = settings(m);
    for (const w::Series& series : data()) {
      const size_t n = series.observed.size();
      if (m == w::Method::kCusum) {
        s.range.from = 365;  // a year of training, then the whole path the newest value needs
        s.range.to = n - 1;
      } else if (work == Work::kLatestDay) {
        s.range.from = n - 1;
        s.range.to = n - 1;
      } else if (work == Work::kLast28Days) {
        s.range.from = n - 28;
        s.range.to = n - 1;
      }
      const w::Detection d = w::detect(series, s);
      for (w::Alarm a : d.alarm) points += a != w::Alarm::kNotEvaluated ? 1 : 0;
      benchmark::DoNotOptimize(d.upperbound.data());
    }
  }
  return points;
}

void Detect(benchmark::State& state, std::vector<w::Method> methods, Work work) {
  data();
  size_t points = 0;
  for (auto _ : state) points = run(methods, work);
  state.counters["series"] = static_cast<double>(data().size());
  state.counters["points"] = static_cast<double>(points);
}

const std::vector<w::Method> kAll = {w::Method::kEarsC1,     w::Method::kEarsC2,
                                     w::Method::kEarsC3,     w::Method::kEarsC3Published,
                                     w::Method::kFarrington, w::Method::kFarringtonFlexible,
                                     w::Method::kCusum,      w::Method::kMpm};

int register_all() {
  const std::pair<const char*, Work> works[] = {{"DetectLatestDay", Work::kLatestDay},
                                                {"DetectLast28Days", Work::kLast28Days},
                                                {"DetectFullHistory", Work::kFullHistory}};
  for (const auto& [name, work] : works) {
    benchmark::RegisterBenchmark((std::string(name) + "/all").c_str(), Detect, kAll, work)
        ->Unit(benchmark::kMillisecond);
    for (w::Method m : kAll)
      benchmark::RegisterBenchmark((std::string(name) + "/" + std::string(w::method_name(m))).c_str(), Detect,
                                   std::vector<w::Method>{m}, work)
          ->Unit(benchmark::kMillisecond);
  }
  return 0;
}
const int registered = register_all();

}  // namespace
