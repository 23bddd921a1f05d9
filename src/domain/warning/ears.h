// CDC EARS C1, C2 and C3 as R's surveillance::earsC computes them, and the
// C3 of the published EARS definition, which R does not implement.
//
// For day t, C1 takes the mean and standard deviation of the `baseline` days
// before t; C2 the same `baseline` days ending 3 days before t (a 2-day guard
// band). Both give upperbound = mean + qnorm(1 - alpha) * max(sd, min_sigma)
// and an alarm when the count exceeds it.
//
// C3 differs between R and the published method:
//   * R's earsC(method = "C3") ("ears-c3"): with C2_j = (y_j - mean_j) / sd_j,
//     upperbound_t = max(0, y_t + sd_t * (z - max(0, C2_{t-2} - 1) - max(0, C2_{t-1} - 1)))
//     and alarm = y_t > upperbound_t. Today's count cancels out: the alarm is
//     raised when the two previous days' excesses sum to more than z
//     (qnorm(0.975) = 1.96 by default), whatever today's count is.
//   * The published C3 (Hutwagner et al. 2003; "ears-c3-published"):
//     C3_t = sum_{j=t-2..t} max(0, C2_j - 1), alarm when C3_t > threshold (2).
//     The upperbound reported is the count at which today's own term would
//     take C3 over the threshold, max(0, mean_t + sd_t * (1 + threshold - L))
//     with L the two previous days' terms; when L alone exceeds the threshold
//     the alarm is raised whatever today's count.
//
// Missing counts and zero variance behave as in R: a missing count in a
// baseline makes that day's bound NA; sd = 0 gives C1/C2 bound = mean, and C3
// (both) divides by zero, giving NaN (R prints NaN; the alarm is NA).
#pragma once
#include <optional>

#include "domain/warning/series.h"

namespace epinet::domain::warning {

enum class EarsMethod { kC1, kC2, kC3, kC3Published };

struct EarsSettings {
  int baseline = 7;             // days in the reference window, >= 3
  std::optional<double> alpha;  // default: 0.001 for C1 and C2, 0.025 for C3 (R's); unused by kC3Published
  double min_sigma = 0;         // lower bound on the standard deviation (R's minSigma)
  double threshold = 2;         // kC3Published only: the published C3 threshold
};

// R's default range: from day baseline + 1 (C1), baseline + 3 (C2), baseline + 5 (C3), 1-based.
size_t ears_default_from(EarsMethod m, const EarsSettings& s);

// Throws Error(kInvalid) for settings R rejects (baseline < 3, min_sigma < 0)
// and for a range that starts before the default.
Detection ears(const Series& series, EarsMethod method, const EarsSettings& settings, const Range& range = {});

}  // namespace epinet::domain::warning
