// The quasi-Poisson log-linear model of farringtonFlexible, fitted as R's
// glm.fit does it: iteratively reweighted least squares from mustart = y + 0.1,
// at most 25 iterations, stopping when |dev - dev_old| / (|dev| + 0.1) < 1e-8,
// halving the step when the deviance is not finite. The design is the one the
// Farrington methods use (an intercept, optionally a linear time trend,
// optionally a factor), so X'WX is accumulated in O(n) and solved by a small
// Cholesky factorization; the time column is centred internally, which changes
// no fitted value, standard error or test, only the rounding.
//
// As in R, the working weights, the covariance (X'WX)^-1 and the hat values
// are those of the last iteration's least-squares fit (weights from the mean
// before the last update), while the fitted means and residuals are the final
// ones: summary.glm's dispersion mixes the two, and so does this.
#pragma once
#include <vector>

namespace epinet::domain::warning {

struct GlmData {
  std::vector<double> y;       // responses, none missing
  std::vector<double> time;    // the trend covariate (used when `trend`)
  std::vector<int> level;      // factor level of each row, 0 = the reference (used when levels > 1)
  std::vector<double> offset;  // empty: none
  std::vector<double> prior;   // prior weights; empty: all 1
  int levels = 1;
  bool trend = false;
};

struct GlmFit {
  bool ok = false;         // false: no valid fit (singular design, no finite deviance)
  bool converged = false;  // glm's `converged`
  int iterations = 0;
  int p = 0;                 // columns: intercept, [time], [levels 1..levels-1]
  std::vector<double> beta;  // coefficients (time centred at time_center)
  double time_center = 0;
  bool has_trend = false;
  std::vector<double> mu;      // final fitted means
  std::vector<double> weight;  // working weights of the last iteration (prior * mu before the update)
  std::vector<double> cov;     // (X'WX)^-1 of the last iteration, p x p row-major
  double dispersion = 0;       // summary.glm's: Pearson chi-square / df (NaN when df <= 0)
  int df_residual = 0;

  // Linear predictor and its unscaled variance x0'(X'WX)^-1 x0 at a new point.
  double link(double time, int level, double offset) const;
  double link_variance(double time, int level) const;
  // The trend's two-sided t-test p-value as summary.glm reports it with the
  // given dispersion.
  double trend_p_value(double dispersion) const;
  // summary.glm's dispersion had the model's `weights` been replaced by
  // `weights` (sum of w_i ((y_i - mu_i) / mu_i)^2 over w_i > 0, / df).
  double dispersion_with(const std::vector<double>& weights, const GlmData& d) const;
  // Diagonal of the hat matrix as R's hatvalues() (values >= 1 - 10 eps become 1).
  std::vector<double> hat(const GlmData& d) const;
};

GlmFit fit_quasipoisson(const GlmData& d);

}  // namespace epinet::domain::warning
