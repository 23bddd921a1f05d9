// Distribution functions the aberration detectors need, written to agree with
// R (nmath) to double precision where that matters: qnorm is Wichura's AS 241
// as in R; qnbinom and qpois use R's Cornish-Fisher start, its left-continuity
// fuzz and its search, so the discrete quantiles are R's. The continuous CDFs
// (regularized incomplete beta and gamma) are our own continued fractions and
// series, accurate to about 1e-13 relative; R uses TOMS 708 for pbeta, so a
// quantile can only differ where a CDF value lies within ~1e-13 of the
// probability asked for. Pure functions, no state.
#pragma once
#include <vector>

namespace epinet::domain::warning {

// Standard normal quantile, R's qnorm(p) (AS 241). p in [0, 1].
double qnorm(double p);

// log Gamma(x) for x > 0 (no global state, unlike std::lgamma).
double lgamma_pos(double x);

// Regularized incomplete beta I_x(a, b) (R's pbeta(x, a, b)); `upper` gives
// 1 - I_x(a, b) computed without cancellation.
double pbeta(double x, double a, double b, bool upper = false);

// Regularized lower incomplete gamma P(a, x) (R's pgamma(x, a)); `upper` gives Q(a, x).
double pgamma(double x, double a, bool upper = false);

// Two-sided p-value of a t statistic, 2 * pt(-|t|, df) as summary.glm computes it.
double t_two_sided_p(double t, double df);

// P(X <= x) for X ~ NegBin(size, prob) (failures before the size-th success), R's pnbinom.
double pnbinom(double x, double size, double prob);

// P(X <= x) for X ~ Poisson(lambda), R's ppois.
double ppois(double x, double lambda);

// R's qnbinom(p, size, prob) and qpois(p, lambda): the smallest integer y with
// P(X <= y) >= p (after R's fuzz p * (1 - 8 eps)). +Inf for p == 1.
double qnbinom(double p, double size, double prob);
double qpois(double p, double lambda);

// R's quantile(x, prob, type = 7): linear interpolation between order
// statistics. `x` is taken by value and sorted. NaN if x is empty.
double quantile7(std::vector<double> x, double prob);

}  // namespace epinet::domain::warning
