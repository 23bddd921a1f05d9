// The moving percentile method (MPM) of China's CIDARS (Yang et al. 2011):
// the count of the current block of `window` periods (the 7 days ending
// today, for daily data) against a percentile of the counts of matching
// blocks in earlier years — for each of `years` years back, the block at the
// same time of year and `neighbours` blocks either side of it (3 years x 3
// blocks = 9 blocks by default). The upperbound is that percentile (R's
// quantile type 7); the alarm is raised when the current block's count
// exceeds it. CIDARS sets the percentile per disease (P50 to P90); 80 is the
// default here.
//
// "The same time of year" is the same calendar date for dated series (Feb 29
// maps to Mar 1 in common years) and `frequency` periods back otherwise.
// Missing counts: a baseline block with a missing count is left out; a
// current block with one gives no alarm (NA); a point whose baseline reaches
// before the start of the series is not evaluated.
#pragma once
#include <optional>

#include "domain/warning/series.h"

namespace epinet::domain::warning {

struct MpmSettings {
  std::optional<int> window;  // periods per block; default 7 for daily series, else 1
  int years = 3;
  int neighbours = 1;
  double percentile = 80;  // 0..100
};

Detection mpm(const Series& series, const MpmSettings& settings, const Range& range = {});

}  // namespace epinet::domain::warning
