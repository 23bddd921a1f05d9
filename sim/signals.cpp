#include "sim/signals.h"

namespace epinet::sim {
namespace {

// Weekday effects, Monday first.
constexpr double kFeverWeekday[7] = {1.20, 1.05, 1.0, 0.98, 0.97, 0.92, 0.88};     // visits put off over the weekend
constexpr double kPharmacyWeekday[7] = {0.95, 0.95, 0.95, 0.97, 1.0, 1.10, 1.08};  // shopping at weekends
constexpr double kAbsenceWeekday[7] = {1.15, 1.0, 0.97, 0.97, 1.05, 1.0, 1.0};     // Monday sick notes

}  // namespace

std::string_view channel_name(Channel c) {
  switch (c) {
    case Channel::kFeverClinic:
      return "fever_clinic";
    case Channel::kPharmacy:
      return "pharmacy";
    case Channel::kSchoolAbsence:
      return "school_absence";
    case Channel::kPositiveTest:
      return "positive_test";
  }
  return "";
}

double fever_background_mean(const City& city, const DayInfo& info, uint8_t d) {
  return city.district_population[d] / 10000.0 * city.scenario.fever_visits_per_10k * info.season *
         kFeverWeekday[info.weekday];
}

void signal_rows(const City& city, const DayInfo& info, const DayCounts* counts, std::vector<SignalRow>& out) {
  const Scenario& s = city.scenario;
  const uint64_t day = static_cast<uint64_t>(static_cast<int64_t>(info.index) + (int64_t{1} << 40));
  for (uint8_t d = 0; d < kDistricts; ++d) {
    // Fever clinic: on a history day, the same draw the simulated days make
    // person by person (outbreak.cpp), so the series is continuous.
    int64_t fever;
    if (counts) {
      fever = counts->fever_visits[d];
    } else {
      Rng r(s.seed, Stream::kFeverBackground, d, static_cast<uint64_t>(info.index));
      fever = r.neg_binomial(fever_background_mean(city, info, d), kSignalDispersion);
    }
    out.push_back({info.days, d, Channel::kFeverClinic, fever});

    Rng rp(s.seed, Stream::kSignals, (static_cast<uint64_t>(d) << 8) | 1, day);
    double pharmacy_mean =
        city.district_population[d] / 10000.0 * s.pharmacy_sales_per_10k * info.season * kPharmacyWeekday[info.weekday];
    int64_t pharmacy = rp.neg_binomial(pharmacy_mean, kSignalDispersion) + (counts ? counts->pharmacy_excess[d] : 0);
    out.push_back({info.days, d, Channel::kPharmacy, pharmacy});

    if (info.school_day) {
      Rng ra(s.seed, Stream::kSignals, (static_cast<uint64_t>(d) << 8) | 2, day);
      double absent_mean =
          city.enrolled[d] * s.school_absence_rate * (0.6 + 0.4 * info.season) * kAbsenceWeekday[info.weekday];
      int64_t absent = ra.neg_binomial(absent_mean, kSignalDispersion) + (counts ? counts->absent_excess[d] : 0);
      out.push_back({info.days, d, Channel::kSchoolAbsence, absent});
    }
    out.push_back({info.days, d, Channel::kPositiveTest, counts ? counts->positive_tests[d] : 0});
  }
}

}  // namespace epinet::sim
