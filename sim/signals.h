// Background signals for multi-point early warning (多点触发): daily counts per
// district and channel with weekday effects and the respiratory season, plus
// the outbreak's excess. docs/simulator.md, "Signals", gives the model.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

#include "sim/calendar.h"
#include "sim/city.h"
#include "sim/outbreak.h"

namespace epinet::sim {

enum class Channel : uint8_t { kFeverClinic, kPharmacy, kSchoolAbsence, kPositiveTest };
std::string_view channel_name(Channel c);

struct SignalRow {
  int64_t days = 0;  // local date, days since 1970-01-01
  uint8_t district = 0;
  Channel channel = Channel::kFeverClinic;
  int64_t count = 0;
};

// Negative-binomial dispersion k of every background count (variance = mean + mean²/k).
inline constexpr double kSignalDispersion = 20;

// Mean non-COVID fever-clinic visits a day in a district.
double fever_background_mean(const City& city, const DayInfo& info, uint8_t district);

// The day's rows in fixed order (district, then channel). With `counts`
// (a simulated day) fever-clinic visits and positive tests are the simulated
// ones and the outbreak's excess is added to pharmacy sales and school
// absences; without (a history day before the simulation) all are
// background. School absences have rows on school days only.
void signal_rows(const City& city, const DayInfo& info, const DayCounts* counts, std::vector<SignalRow>& out);

}  // namespace epinet::sim
