// A simulation scenario: the size of the city, the period, and the outbreak's
// parameters, read from a KEY=VALUE file (the same syntax as epinet's
// settings: '#' comments, one KEY=VALUE a line). Every key is optional; the
// defaults are those of scenarios/default.env. docs/simulator.md documents
// each key.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "sim/calendar.h"
#include "sim/kinds.h"

namespace epinet::sim {

struct Scenario {
  // ---- size and period
  int64_t persons = 3'400'000;
  int days = 14;
  uint64_t seed = 1;
  std::optional<Date> start_date;  // the first simulated day; see start_or_default()

  // ---- seeding
  int seeds_imported = 6;              // residents who come back infected from a risk area
  int seeds_local = 4;                 // residents infected by an unknown local source
  int seed_day = 0;                    // the day the imported seeds arrive (and local seeds are infected by)
  std::string import_area = "110105";  // GB/T 2260 code of the risk area imports come from

  // ---- natural history (days)
  double incubation_mean_days = 3.0;  // log-normal
  double incubation_sd_days = 1.3;
  double latent_min_days = 1.0;  // no one is infectious sooner after infection (must be >= 1)
  double infectious_before_onset_days = 2.0;
  double infectious_after_onset_days = 7.0;
  double symptomatic_fraction = 0.7;
  double asymptomatic_relative = 0.5;  // infectiousness of an asymptomatic infection

  // ---- transmission
  double household_daily_rate = 0.18;                  // hazard per infectious day for each household member
  double trip_beta = 3.0e-4;                           // per minute, per pair within 2 rows on one coach
  std::array<double, kVenueKinds> venue_beta{};        // per minute of overlap, per pair (before size scaling)
  std::array<double, kVenueKinds> venue_group_size{};  // the size below which everyone mixes

  // ---- what follows an infection
  double care_seeking = 0.6;          // symptomatic persons who go to a fever clinic
  double care_delay_mean_days = 0.8;  // exponential delay from onset to the visit
  double test_turnaround_min_hours = 4, test_turnaround_max_hours = 6;
  double symptomatic_stay_home = 0.5;  // chance a day that a symptomatic, not isolated person stays home
  double pharmacy_when_sick = 0.5;     // symptomatic persons not seeking care who buy medicine
  bool quarantine_household = true;    // household members of a confirmed case are quarantined
  double quarantine_delay_hours = 4;   // from the positive result to the household's transfer

  // ---- background signals
  int signal_history_days = 28;        // background-only days before the first simulated day
  double fever_visits_per_10k = 0.6;   // non-COVID fever-clinic visits a day per 10,000 residents
  double pharmacy_sales_per_10k = 6;   // fever/cough medicine sales a day per 10,000 residents
  double school_absence_rate = 0.012;  // share of enrolled pupils absent on a school day
  double coach_daily_fraction = 0.02;  // adults taking an intercity coach on a weekday (weekends ×1.4)

  // ---- documented expectations for this scenario's persons and days
  // (checked by tests/unit/sim and shown by `epinet sim`)
  double expect_attack_rate_min = 3e-5, expect_attack_rate_max = 5e-4;
  double expect_doubling_days_min = 1.8, expect_doubling_days_max = 4.5;

  Scenario();

  // The first day: start_date if set, else 2021-09-06 (a Monday in term time).
  Date start_or_default() const;
  // Every parameter as KEY=VALUE lines in a fixed order: the canonical form
  // whose digest identifies the scenario.
  std::string canonical() const;
  std::string digest() const;  // 16 hex digits
};

// Applies KEY=VALUE settings over `base`. Throws Error(kInvalid) naming the
// key for an unknown key, a malformed number or a value out of range.
Scenario apply_settings(Scenario base, const std::map<std::string, std::string>& settings, const std::string& origin);
// Reads a scenario file (over the defaults). Throws Error(kInvalid).
Scenario load_scenario(const std::string& path);
// Checks ranges and cross-field rules. Throws Error(kInvalid).
void validate(const Scenario& s);

}  // namespace epinet::sim
