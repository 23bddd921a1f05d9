#include "domain/warning/mpm.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "domain/warning/distributions.h"

namespace epinet::domain::warning {

Detection mpm(const Series& series, const MpmSettings& s, const Range& range) {
  const int window = s.window.value_or(series.frequency == 365 ? 7 : 1);
  if (window < 1) throw invalid("window", "the block length must be at least 1 period");
  if (s.years < 1) throw invalid("years", "MPM needs at least one year back");
  if (s.neighbours < 0) throw invalid("neighbours", "the number of neighbouring blocks must not be negative");
  if (!(s.percentile >= 0 && s.percentile <= 100)) throw invalid("percentile", "the percentile must lie in [0, 100]");
  const std::vector<double>& y = series.observed;
  const long n = static_cast<long>(y.size());
  Detection out(y.size());
  if (n == 0) return out;
  const long from = static_cast<long>(range.from.value_or(0));
  const long to = std::min(static_cast<long>(range.to.value_or(static_cast<size_t>(n - 1))), n - 1);
  const bool dated = !series.dates.empty();

  // Sum of the block ending at `end` (inclusive); NaN if a count is missing.
  auto block = [&](long end) {
    double sum = 0;
    for (long i = end - window + 1; i <= end; ++i) sum += y[static_cast<size_t>(i)];
    return sum;
  };
  std::vector<double> baseline;
  for (long t = std::max(from, static_cast<long>(window) - 1); t <= to; ++t) {
    baseline.clear();
    bool complete = true;
    for (int yr = 1; yr <= s.years && complete; ++yr) {
      long centre = t - static_cast<long>(yr) * series.frequency;
      if (dated) {
        const int32_t target = minus_years(series.dates[static_cast<size_t>(t)], yr);
        if (target < series.dates.front()) {
          complete = false;
          break;
        }
        auto it = std::lower_bound(series.dates.begin(), series.dates.end(), target);
        if (it == series.dates.end() || *it != target) continue;  // a gap in the dates: that year is left out
        centre = static_cast<long>(it - series.dates.begin());
      }
      for (int j = -s.neighbours; j <= s.neighbours; ++j) {
        const long end = centre + static_cast<long>(j) * window;
        if (end - window + 1 < 0) {
          complete = false;
          break;
        }
        if (end > t - window) continue;  // would overlap the current block
        const double b = block(end);
        if (!std::isnan(b)) baseline.push_back(b);
      }
    }
    if (!complete) continue;  // not evaluated
    const double current = block(t);
    const double ub = quantile7(baseline, s.percentile / 100);
    out.upperbound[static_cast<size_t>(t)] = ub;
    out.alarm[static_cast<size_t>(t)] = (std::isnan(current) || std::isnan(ub)) ? Alarm::kMissing
                                        : current > ub                          ? Alarm::kYes
                                                                                : Alarm::kNo;
  }
  return out;
}

}  // namespace epinet::domain::warning
