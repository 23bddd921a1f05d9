#include "domain/riskarea/riskarea.h"

#include <algorithm>

namespace epinet::domain {

std::optional<StepDown> next_step_down(const RiskAreaState& s, Millis now, const StepDownRules& r) {
  if (s.level == "high") {
    Millis quiet = s.last_infection_at + r.high_to_medium_days * kDayMillis;
    // The area-wide screen must be negative on the last day of the quiet period or later.
    Millis screen_due = s.last_infection_at + (r.high_to_medium_days - 1) * kDayMillis;
    if (!s.screen_negative_at || *s.screen_negative_at < screen_due) return std::nullopt;
    Millis at = std::max(quiet, *s.screen_negative_at);
    if (now < at) return std::nullopt;
    return StepDown{"medium", at};
  }
  if (s.level == "medium") {
    Millis at = s.came_from_high ? std::max(s.level_since + r.from_high_to_low_days * kDayMillis,
                                            s.last_infection_at + r.from_high_to_low_days * kDayMillis)
                                 : s.last_infection_at + r.medium_to_low_days * kDayMillis;
    if (now < at) return std::nullopt;
    return StepDown{"low", at};
  }
  return std::nullopt;
}

bool valid_gbt2260(const std::string& code) {
  return code.size() == 6 && std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
         code != "000000";
}

TravelFlag travel_flag(const std::vector<TravelStay>& stays, const std::vector<RiskInterval>& areas, Millis now,
                       int window_days) {
  TravelFlag f;
  const Millis window = window_days * kDayMillis;
  for (const auto& s : stays) {
    if (s.to < now - window || s.from > now) continue;
    const bool city_level = s.division_code.size() == 6 && s.division_code.compare(4, 2, "00") == 0;
    for (const auto& a : areas) {
      bool same_place = city_level ? a.division_code.compare(0, 4, s.division_code, 0, 4) == 0
                                   : a.division_code == s.division_code;
      if (!same_place) continue;
      bool overlaps = s.from < a.until.value_or(INT64_MAX) && a.from < s.to;
      if (!overlaps) continue;
      f.flagged = true;
      f.until = std::max(f.until, s.to + window);
      if (std::find(f.division_codes.begin(), f.division_codes.end(), a.division_code) == f.division_codes.end())
        f.division_codes.push_back(a.division_code);
    }
  }
  return f;
}

}  // namespace epinet::domain
