// The Farrington family as R's surveillance::farringtonFlexible computes it:
// Farrington et al. (1996) and the improved method of Noufaily et al. (2013).
//
// For each time point t (R's `range`, by default from freq * b + w + 1):
//  1. Reference points: t, and the same time 1..b years back (t - j * freq
//     for undated series; for dated ones the same calendar date, moved to
//     the same weekday for weekly data, as algo.farrington.referencetimepoints).
//  2. Blocks: windows of w periods either side of each reference point form
//     period `no_periods`; with no_periods > 1 the gaps between windows are
//     cut into no_periods - 1 further periods (R's blocks()). The last
//     past_weeks_not_included + 1 points (t included) are left out, and
//     missing counts are dropped.
//  3. A quasi-Poisson GLM (see glm.h) with a linear trend and, with
//     no_periods > 1, a factor for the periods; if it does not converge, again
//     without the trend; no fit at all gives upperbound NA and alarm NA.
//     Dispersion phi = max(1, Pearson dispersion).
//  4. Reweighting: Anscombe residuals s_i = 3/2 (y^(2/3) mu^(-1/6) - mu^(1/2)) /
//     sqrt(phi (1 - h_i)); rows with s_i > weights_threshold get weight
//     gamma / s_i^2, the rest gamma, with the weights summing to n; refit.
//  5. The trend is kept only if b >= 3, its p-value is below
//     p_threshold_trend and the predicted count does not exceed the largest
//     count in the baseline; otherwise steps 3-4 are redone without it.
//  6. Threshold: "delta" — the 2/3-power transform and the delta method,
//     (mu0^(2/3) + z sqrt(4/9 mu0^(1/3) (phi + se^2 / mu0)))^(3/2);
//     "nbPlugin" — the (1 - alpha) quantile of a negative binomial with mean
//     mu0 and size mu0 / (phi - 1) (Poisson when phi = 1); "muan" — the
//     same with mu0 replaced by exp of the upper (1 - alpha) limit of the
//     linear predictor.
//  7. The 5-in-4 rule: with fewer than limit54_cases counts in the last
//     limit54_periods periods (t included) there is no bound (NA) and no
//     alarm (FALSE). Otherwise alarm when score = (y - pred) / (U - pred) > 1
//     and y > 0.
//
// What R does that may surprise, and which this code does too:
//  * The trend's t-test and the standard error of the prediction do not use
//    phi. After reweighting, R's fitGLM.flexible stores the prior weights
//    omega in the model's `weights` slot, where summary.glm() and
//    predict.glm() expect the working weights; they then estimate the
//    dispersion as sum(omega_i r_i^2) / df with the working residuals
//    r_i = (y_i - mu_i) / mu_i (not the Pearson statistic, and not clamped at
//    1). predict.glm is also handed `dispersion = phi` inside `newdata`, where
//    it is ignored. Without reweighting it is summary.glm's Pearson estimate.
//    phi = max(1, Pearson dispersion) is used only in the threshold itself.
//  * With "nbPlugin" and "muan" the score compares y with the prediction on
//    the log scale: (y - log(mu0)) / (U - log(mu0)).
//  * A missing count among the last limit54_periods gives upperbound NA and
//    alarm FALSE (not NA).
//  * For dated series the trend time of the predicted point is counted from
//    the first baseline point that has a count, while the baseline's own time
//    is counted from the first baseline point, counted or missing.
// Where R stops with an error for the whole series (reference dates not in
// the series, too many periods for the gaps, a singular design), this code
// gives NA for that time point only.
#pragma once
#include <optional>

#include "domain/warning/series.h"

namespace epinet::domain::warning {

enum class FarringtonThreshold { kDelta, kNbPlugin, kMuan };
enum class PowerTransform { kNone, kHalf, kTwoThirds };

struct FarringtonSettings {
  int b = 5;  // years back
  int w = 3;  // half-window, periods
  bool reweight = true;
  double weights_threshold = 2.58;
  double alpha = 0.05;
  bool trend = true;
  double p_threshold_trend = 0.05;
  int limit54_cases = 5;
  int limit54_periods = 4;
  PowerTransform powertrans = PowerTransform::kTwoThirds;  // delta method only
  bool population_offset = false;
  int no_periods = 1;
  std::optional<int> past_weeks_not_included;  // default: w
  FarringtonThreshold threshold = FarringtonThreshold::kDelta;
};

// R's farringtonFlexible() defaults (above).
FarringtonSettings farrington_r_defaults();
// The monitoringCounts vignette's "original Farrington" settings, except b
// (the vignette uses b = 4 for its short series; Farrington et al. used 5):
// no_periods 1, weights_threshold 1, past_weeks_not_included 3, trend test at
// 0.05, threshold "delta".
FarringtonSettings farrington_original();
// The vignette's "improved Farrington" (Noufaily et al. 2013), same b caveat:
// no_periods 10, weights_threshold 2.58, past_weeks_not_included 26,
// p_threshold_trend 1 (the trend is always kept if the other conditions
// hold), threshold "nbPlugin".
FarringtonSettings farrington_noufaily();

// R's default first time point, 0-based: freq * b + w.
size_t farrington_default_from(const Series& series, const FarringtonSettings& s);

// Throws Error(kInvalid) for settings R rejects (limit54 out of bounds, no
// dates with an unsupported frequency, b < 1, w < 0, no_periods < 1).
Detection farrington(const Series& series, const FarringtonSettings& settings, const Range& range = {});

}  // namespace epinet::domain::warning
