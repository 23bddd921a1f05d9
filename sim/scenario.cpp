#include "sim/scenario.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>
#include <vector>

#include "core/config.h"
#include "core/error.h"
#include "sim/rng.h"

namespace epinet::sim {
namespace {

// Per-minute transmission probability per pair of overlapping stays, and the
// group size below which everyone at the venue mixes (docs/simulator.md,
// "Transmission"). Index: VenueKind.
constexpr std::array<double, kVenueKinds> kDefaultBeta = {
    8.0e-5,  // hospital
    8.0e-5,  // clinic
    8.0e-5,  // service_hall
    5.0e-5,  // bus_station
    5.0e-5,  // rail_station
    1.4e-4,  // market
    1.4e-4,  // supermarket
    2.2e-4,  // restaurant
    1.5e-4,  // pharmacy
    1.5e-4,  // shop
    1.6e-4,  // gym
    3.0e-5,  // kindergarten
    3.0e-5,  // primary_school
    3.0e-5,  // middle_school
    3.0e-5,  // high_school
    2.0e-5,  // university
    2.0e-4,  // training
    3.5e-5,  // office
    2.0e-5,  // factory
    1.0e-5,  // compound_gate
};
constexpr std::array<double, kVenueKinds> kDefaultGroup = {
    40, 20, 40, 50, 50, 50, 50, 20, 10, 10, 20, 30, 45, 45, 45, 60, 20, 30, 40, 20,
};

std::string fmt_double(double v) {
  // Shortest form that reads back to the same value: stable across runs.
  char b[64];
  auto r = std::to_chars(b, b + sizeof b, v);
  return std::string(b, r.ptr);
}

struct Field {
  std::string key;
  std::function<std::string(const Scenario&)> get;
  std::function<void(Scenario&, const std::string&)> set;  // throws a message
};

double parse_double(const std::string& v, double lo, double hi) {
  double x = 0;
  auto r = std::from_chars(v.data(), v.data() + v.size(), x);
  if (r.ec != std::errc() || r.ptr != v.data() + v.size() || !std::isfinite(x))
    throw std::invalid_argument("expected a number, not '" + v + "'");
  if (x < lo || x > hi)
    throw std::invalid_argument("must be from " + fmt_double(lo) + " to " + fmt_double(hi) + ", not " + v);
  return x;
}
int64_t parse_int(const std::string& v, int64_t lo, int64_t hi) {
  int64_t x = 0;
  auto r = std::from_chars(v.data(), v.data() + v.size(), x);
  if (r.ec != std::errc() || r.ptr != v.data() + v.size())
    throw std::invalid_argument("expected an integer, not '" + v + "'");
  if (x < lo || x > hi)
    throw std::invalid_argument("must be from " + std::to_string(lo) + " to " + std::to_string(hi) + ", not " + v);
  return x;
}

template <class T>
Field num(const std::string& key, T Scenario::*m, double lo, double hi) {
  return {key, [m](const Scenario& s) { return fmt_double(static_cast<double>(s.*m)); },
          [m, lo, hi](Scenario& s, const std::string& v) { s.*m = static_cast<T>(parse_double(v, lo, hi)); }};
}
template <class T>
Field integer(const std::string& key, T Scenario::*m, int64_t lo, int64_t hi) {
  return {key, [m](const Scenario& s) { return std::to_string(s.*m); },
          [m, lo, hi](Scenario& s, const std::string& v) { s.*m = static_cast<T>(parse_int(v, lo, hi)); }};
}

const std::vector<Field>& fields() {
  static const std::vector<Field> f = [] {
    std::vector<Field> v;
    v.push_back(integer("persons", &Scenario::persons, 2000, 20'000'000));
    v.push_back(integer("days", &Scenario::days, 1, 366));
    v.push_back({"seed", [](const Scenario& s) { return std::to_string(s.seed); },
                 [](Scenario& s, const std::string& x) {
                   uint64_t u = 0;
                   auto r = std::from_chars(x.data(), x.data() + x.size(), u);
                   if (r.ec != std::errc() || r.ptr != x.data() + x.size())
                     throw std::invalid_argument("expected a non-negative integer, not '" + x + "'");
                   s.seed = u;
                 }});
    v.push_back({"start_date", [](const Scenario& s) { return s.start_date ? format_date(*s.start_date) : ""; },
                 [](Scenario& s, const std::string& x) {
                   if (x.empty()) {
                     s.start_date.reset();
                     return;
                   }
                   auto d = parse_date(x);
                   if (!d) throw std::invalid_argument("expected YYYY-MM-DD, not '" + x + "'");
                   s.start_date = d;
                 }});
    v.push_back(integer("seeds_imported", &Scenario::seeds_imported, 0, 100000));
    v.push_back(integer("seeds_local", &Scenario::seeds_local, 0, 100000));
    v.push_back(integer("seed_day", &Scenario::seed_day, 0, 365));
    v.push_back({"import_area", [](const Scenario& s) { return s.import_area; },
                 [](Scenario& s, const std::string& x) {
                   if (x.size() != 6 || x.find_first_not_of("0123456789") != std::string::npos)
                     throw std::invalid_argument("expected a 6-digit GB/T 2260 code, not '" + x + "'");
                   s.import_area = x;
                 }});
    v.push_back(num("incubation_mean_days", &Scenario::incubation_mean_days, 1, 21));
    v.push_back(num("incubation_sd_days", &Scenario::incubation_sd_days, 0.01, 10));
    v.push_back(num("latent_min_days", &Scenario::latent_min_days, 1, 14));
    v.push_back(num("infectious_before_onset_days", &Scenario::infectious_before_onset_days, 0, 7));
    v.push_back(num("infectious_after_onset_days", &Scenario::infectious_after_onset_days, 0.5, 28));
    v.push_back(num("symptomatic_fraction", &Scenario::symptomatic_fraction, 0, 1));
    v.push_back(num("asymptomatic_relative", &Scenario::asymptomatic_relative, 0, 1));
    v.push_back(num("household_daily_rate", &Scenario::household_daily_rate, 0, 10));
    v.push_back(num("trip_beta", &Scenario::trip_beta, 0, 1));
    for (size_t k = 0; k < kVenueKinds; ++k) {
      std::string name(kVenueKindNames[k]);
      v.push_back({"venue_beta." + name, [k](const Scenario& s) { return fmt_double(s.venue_beta[k]); },
                   [k](Scenario& s, const std::string& x) { s.venue_beta[k] = parse_double(x, 0, 1); }});
      v.push_back({"venue_group." + name, [k](const Scenario& s) { return fmt_double(s.venue_group_size[k]); },
                   [k](Scenario& s, const std::string& x) { s.venue_group_size[k] = parse_double(x, 1, 1e6); }});
    }
    v.push_back(num("care_seeking", &Scenario::care_seeking, 0, 1));
    v.push_back(num("care_delay_mean_days", &Scenario::care_delay_mean_days, 0, 14));
    v.push_back(num("test_turnaround_min_hours", &Scenario::test_turnaround_min_hours, 0.5, 72));
    v.push_back(num("test_turnaround_max_hours", &Scenario::test_turnaround_max_hours, 0.5, 72));
    v.push_back(num("symptomatic_stay_home", &Scenario::symptomatic_stay_home, 0, 1));
    v.push_back(num("pharmacy_when_sick", &Scenario::pharmacy_when_sick, 0, 1));
    v.push_back({"quarantine_household",
                 [](const Scenario& s) { return std::string(s.quarantine_household ? "1" : "0"); },
                 [](Scenario& s, const std::string& x) {
                   if (x != "0" && x != "1") throw std::invalid_argument("expected 0 or 1, not '" + x + "'");
                   s.quarantine_household = x == "1";
                 }});
    v.push_back(num("quarantine_delay_hours", &Scenario::quarantine_delay_hours, 0, 72));
    v.push_back(integer("signal_history_days", &Scenario::signal_history_days, 0, 3650));
    v.push_back(num("fever_visits_per_10k", &Scenario::fever_visits_per_10k, 0, 1000));
    v.push_back(num("pharmacy_sales_per_10k", &Scenario::pharmacy_sales_per_10k, 0, 10000));
    v.push_back(num("school_absence_rate", &Scenario::school_absence_rate, 0, 1));
    v.push_back(num("coach_daily_fraction", &Scenario::coach_daily_fraction, 0, 0.5));
    v.push_back(num("expect_attack_rate_min", &Scenario::expect_attack_rate_min, 0, 1));
    v.push_back(num("expect_attack_rate_max", &Scenario::expect_attack_rate_max, 0, 1));
    v.push_back(num("expect_doubling_days_min", &Scenario::expect_doubling_days_min, 0, 1e9));
    v.push_back(num("expect_doubling_days_max", &Scenario::expect_doubling_days_max, 0, 1e9));
    return v;
  }();
  return f;
}

}  // namespace

Scenario::Scenario() : venue_beta(kDefaultBeta), venue_group_size(kDefaultGroup) {}

Date Scenario::start_or_default() const { return start_date ? *start_date : Date{2021, 9, 6}; }

std::string Scenario::canonical() const {
  std::string out;
  for (const auto& f : fields()) out += f.key + "=" + f.get(*this) + "\n";
  return out;
}

std::string Scenario::digest() const {
  uint64_t h = 0x5eed;
  for (unsigned char c : canonical()) h = mix64(h ^ c);
  char b[20];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(h));
  return b;
}

Scenario apply_settings(Scenario s, const std::map<std::string, std::string>& settings, const std::string& origin) {
  for (const auto& [k, v] : settings) {
    const Field* f = nullptr;
    for (const auto& x : fields())
      if (x.key == k) f = &x;
    if (!f) throw invalid("invalid_scenario", origin + ": unknown key " + k + " (see docs/simulator.md)");
    try {
      f->set(s, v);
    } catch (const std::invalid_argument& e) {
      throw invalid("invalid_scenario", origin + ": " + k + " " + e.what());
    }
  }
  validate(s);
  return s;
}

Scenario load_scenario(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw invalid("invalid_scenario", "cannot read scenario file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return apply_settings(Scenario{}, parse_settings(ss.str(), path), path);
}

void validate(const Scenario& s) {
  if (s.test_turnaround_max_hours < s.test_turnaround_min_hours)
    throw invalid("invalid_scenario", "test_turnaround_max_hours must not be below test_turnaround_min_hours");
  if (s.seed_day >= s.days) throw invalid("invalid_scenario", "seed_day must fall within the simulated days");
  if (s.expect_attack_rate_max < s.expect_attack_rate_min || s.expect_doubling_days_max < s.expect_doubling_days_min)
    throw invalid("invalid_scenario", "an expect_*_max is below its expect_*_min");
  if (s.seeds_imported + s.seeds_local > s.persons / 10)
    throw invalid("invalid_scenario", "more seeds than a tenth of the persons");
}

}  // namespace epinet::sim
