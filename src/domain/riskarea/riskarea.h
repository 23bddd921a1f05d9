// Risk areas (风险区): levels, automatic step-down (9th edition protocol, with
// the day counts as settings), and the travel flag they raise. Pure.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"

namespace epinet::domain {

struct StepDownRules {
  int high_to_medium_days = 7;    // no new infection for 7 days + a negative screen on day 7
  int medium_to_low_days = 7;     // no new infection for 7 days
  int from_high_to_low_days = 3;  // a medium area that came down from high: 3 more days
};

struct RiskAreaState {
  std::string level;  // high | medium | low
  bool came_from_high = false;
  Millis level_since = 0;
  Millis last_infection_at = 0;
  std::optional<Millis> screen_negative_at;
};

struct StepDown {
  std::string to_level;
  Millis at = 0;  // when the rule was met (not when it was noticed)
};

// The next step-down the rules allow by `now`, if any. Call again after
// applying it: an area can come down more than one step at once.
std::optional<StepDown> next_step_down(const RiskAreaState& s, Millis now, const StepDownRules& rules);

// An area's interval as a medium/high risk area, for the travel flag.
struct RiskInterval {
  std::string division_code;  // 6-digit county-level code
  Millis from = 0;
  std::optional<Millis> until;  // open while it is still medium/high
};

struct TravelStay {
  std::string division_code;  // city (xxxx00) or county level
  Millis from = 0, to = 0;
};

struct TravelFlag {
  bool flagged = false;
  Millis until = 0;  // the flag holds until the last flagged stay ended + window
  std::vector<std::string> division_codes;  // where
};

// Flags a person who, within `window_days` before `now`, stayed in a division
// while a medium/high area of it was in force. A city-level stay code
// (ending in 00) matches every county of that city.
TravelFlag travel_flag(const std::vector<TravelStay>& stays, const std::vector<RiskInterval>& areas, Millis now,
                       int window_days = 7);

bool valid_gbt2260(const std::string& code);  // six digits, not 000000

}  // namespace epinet::domain
