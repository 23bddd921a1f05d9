#include "domain/warning/glm.h"

#include <cfloat>
#include <cmath>
#include <limits>

#include "domain/warning/distributions.h"

namespace epinet::domain::warning {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kMaxIterations = 25;  // glm.control()
constexpr double kEpsilon = 1e-8;   // glm.control()

// Column of a factor level (level > 0) in the design.
int level_column(bool trend, int level) { return (trend ? 2 : 1) + level - 1; }

// Poisson deviance 2 sum w (y log(y / mu) - (y - mu)), summed in long double
// as R's sum() does. log(y / mu) is taken as log(y) - eta (log(y) computed once
// per fit), which is the same to rounding unless mu was clamped at eps.
double deviance(const std::vector<double>& y, const std::vector<double>& logy, const std::vector<double>& eta,
                const std::vector<double>& mu, const std::vector<double>& prior) {
  long double s = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    if (y[i] > 0) {
      const double lr = mu[i] > DBL_EPSILON ? logy[i] - eta[i] : std::log(y[i] / mu[i]);
      s += prior[i] * (y[i] * lr - (y[i] - mu[i]));
    } else {
      s += mu[i] * prior[i];
    }
  }
  return static_cast<double>(2 * s);
}

// Inverts the symmetric positive definite p x p matrix `a` (row-major) by
// Cholesky; returns false if it is singular to working precision.
bool spd_inverse(const std::vector<double>& a, int p, std::vector<double>& inv) {
  std::vector<double> l(static_cast<size_t>(p * p), 0.0);
  for (int j = 0; j < p; ++j) {
    double s = a[j * p + j];
    for (int k = 0; k < j; ++k) s -= l[j * p + k] * l[j * p + k];
    if (!(s > 1e-14 * a[j * p + j]) || !std::isfinite(s)) return false;
    const double ljj = std::sqrt(s);
    l[j * p + j] = ljj;
    for (int i = j + 1; i < p; ++i) {
      double t = a[i * p + j];
      for (int k = 0; k < j; ++k) t -= l[i * p + k] * l[j * p + k];
      l[i * p + j] = t / ljj;
    }
  }
  // inv(L) (lower triangular), then inv(A) = inv(L)' inv(L).
  std::vector<double> li(static_cast<size_t>(p * p), 0.0);
  for (int j = 0; j < p; ++j) {
    li[j * p + j] = 1 / l[j * p + j];
    for (int i = j + 1; i < p; ++i) {
      double s = 0;
      for (int k = j; k < i; ++k) s -= l[i * p + k] * li[k * p + j];
      li[i * p + j] = s / l[i * p + i];
    }
  }
  inv.assign(static_cast<size_t>(p * p), 0.0);
  for (int i = 0; i < p; ++i)
    for (int j = 0; j <= i; ++j) {
      double s = 0;
      for (int k = i; k < p; ++k) s += li[k * p + i] * li[k * p + j];
      inv[i * p + j] = inv[j * p + i] = s;
    }
  return true;
}

}  // namespace

double GlmFit::link(double time, int level, double offset) const {
  const bool trend = has_trend;
  double eta = beta[0];
  if (trend) eta += beta[1] * (time - time_center);
  if (level > 0) eta += beta[level_column(trend, level)];
  return eta + offset;
}

double GlmFit::link_variance(double time, int level) const {
  std::vector<double> x(static_cast<size_t>(p), 0.0);
  x[0] = 1;
  if (has_trend) x[1] = time - time_center;
  if (level > 0) x[level_column(has_trend, level)] = 1;
  double v = 0;
  for (int i = 0; i < p; ++i)
    for (int j = 0; j < p; ++j) v += x[i] * cov[i * p + j] * x[j];
  return v;
}

double GlmFit::trend_p_value(double disp) const {
  if (!has_trend) return kNaN;
  const double t = beta[1] / std::sqrt(disp * cov[1 * p + 1]);
  return t_two_sided_p(t, df_residual);
}

double GlmFit::dispersion_with(const std::vector<double>& w, const GlmData& d) const {
  if (df_residual <= 0) return kNaN;
  long double s = 0;
  for (size_t i = 0; i < d.y.size(); ++i) {
    if (!(w[i] > 0)) continue;
    const double r = (d.y[i] - mu[i]) / mu[i];
    s += w[i] * r * r;
  }
  return static_cast<double>(s / df_residual);
}

std::vector<double> GlmFit::hat(const GlmData& d) const {
  std::vector<double> h(d.y.size(), 0.0);
  for (size_t i = 0; i < d.y.size(); ++i) {
    if (!(weight[i] > 0)) continue;
    const double t = has_trend ? d.time[i] - time_center : 0;
    const int c = d.levels > 1 && d.level[i] > 0 ? level_column(has_trend, d.level[i]) : -1;
    double q = cov[0];
    if (has_trend) q += 2 * t * cov[1] + t * t * cov[1 * p + 1];
    if (c >= 0) {
      q += 2 * cov[c] + cov[c * p + c];
      if (has_trend) q += 2 * t * cov[1 * p + c];
    }
    double v = weight[i] * q;
    if (v > 1 - 10 * DBL_EPSILON) v = 1;
    h[i] = v;
  }
  return h;
}

GlmFit fit_quasipoisson(const GlmData& d) {
  GlmFit f;
  const size_t n = d.y.size();
  const bool trend = d.trend;
  const int levels = d.levels > 1 ? d.levels : 1;
  const int p = 1 + (trend ? 1 : 0) + (levels - 1);
  f.p = p;
  f.has_trend = trend;
  if (n == 0) return f;
  if (trend) {
    long double s = 0;
    for (double t : d.time) s += t;
    f.time_center = static_cast<double>(s / static_cast<long double>(n));
  }
  // Per-row constants, so that the iterations run without branches on the design.
  std::vector<double> prior(n, 1.0), offset(n, 0.0), tc(n, 0.0), logy(n, 0.0);
  std::vector<int> col(n, -1);
  int n_ok = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!d.prior.empty()) prior[i] = d.prior[i];
    if (!d.offset.empty()) offset[i] = d.offset[i];
    if (trend) tc[i] = d.time[i] - f.time_center;
    if (levels > 1 && d.level[i] > 0) col[i] = level_column(trend, d.level[i]);
    if (d.y[i] > 0) logy[i] = std::log(d.y[i]);
    n_ok += prior[i] > 0 ? 1 : 0;
  }
  auto update = [&](const std::vector<double>& b, std::vector<double>& eta, std::vector<double>& mu) {
    for (size_t i = 0; i < n; ++i) {
      double e = b[0];
      if (trend) e += b[1] * tc[i];
      if (col[i] >= 0) e += b[static_cast<size_t>(col[i])];
      eta[i] = e + offset[i];
      mu[i] = std::max(std::exp(eta[i]), DBL_EPSILON);
    }
  };

  std::vector<double> eta(n), mu(n);
  for (size_t i = 0; i < n; ++i) {
    eta[i] = std::log(d.y[i] + 0.1);  // linkfun(mustart), offset not included (as glm.fit)
    mu[i] = std::max(std::exp(eta[i]), DBL_EPSILON);
  }
  double devold = deviance(d.y, logy, eta, mu, prior);
  std::vector<double> start(static_cast<size_t>(p), 0.0), coefold;
  std::vector<double> a(static_cast<size_t>(p * p)), rhs(static_cast<size_t>(p)), inv, w2(n);

  bool conv = false;
  int iter = 0;
  for (iter = 1; iter <= kMaxIterations; ++iter) {
    std::fill(a.begin(), a.end(), 0.0);
    std::fill(rhs.begin(), rhs.end(), 0.0);
    // For the log link mu.eta(eta) = linkinv(eta) = mu, so the working weight
    // prior * mu.eta^2 / variance(mu) is prior * mu and z = eta - offset + (y - mu) / mu.
    double s00 = 0, s01 = 0, s11 = 0, r0 = 0, r1 = 0;
    for (size_t i = 0; i < n; ++i) {
      const double w = prior[i] > 0 ? prior[i] * mu[i] : 0.0;
      w2[i] = w;
      if (w == 0) continue;
      const double z = (eta[i] - offset[i]) + (d.y[i] - mu[i]) / mu[i];
      const double wz = w * z, t = tc[i];
      s00 += w;
      s01 += w * t;
      s11 += w * t * t;
      r0 += wz;
      r1 += wz * t;
      if (col[i] >= 0) {
        const int c = col[i];
        a[c] += w;
        a[c * p + c] += w;
        rhs[c] += wz;
        if (trend) a[1 * p + c] += w * t;
      }
    }
    a[0] = s00;
    rhs[0] = r0;
    if (trend) {
      a[1] = s01;
      a[1 * p + 1] = s11;
      rhs[1] = r1;
    }
    for (int i = 0; i < p; ++i)
      for (int j = 0; j < i; ++j) a[i * p + j] = a[j * p + i];
    if (!spd_inverse(a, p, inv)) return f;  // rank deficient: R would alias a column; we give no fit
    std::vector<double> coef(static_cast<size_t>(p), 0.0);
    bool finite = true;
    for (int i = 0; i < p; ++i) {
      long double s = 0;
      for (int j = 0; j < p; ++j) s += static_cast<long double>(inv[i * p + j]) * rhs[j];
      coef[i] = static_cast<double>(s);
      finite = finite && std::isfinite(coef[i]);
    }
    if (!finite) return f;
    start = coef;
    update(start, eta, mu);
    double dev = deviance(d.y, logy, eta, mu, prior);
    if (!std::isfinite(dev)) {
      if (coefold.empty()) return f;  // R: "no valid set of coefficients has been found"
      for (int ii = 1; !std::isfinite(dev); ++ii) {
        if (ii > kMaxIterations) return f;  // R: "inner loop 1; cannot correct step size"
        for (int j = 0; j < p; ++j) start[j] = (start[j] + coefold[j]) / 2;
        update(start, eta, mu);
        dev = deviance(d.y, logy, eta, mu, prior);
      }
    }
    if (std::fabs(dev - devold) / (std::fabs(dev) + 0.1) < kEpsilon) {
      conv = true;
      break;
    }
    devold = dev;
    coefold = start;
  }
  f.ok = true;
  f.converged = conv;
  f.iterations = std::min(iter, kMaxIterations);
  f.beta = start;
  f.cov = inv;
  f.weight = w2;
  f.df_residual = n_ok - p;
  if (f.df_residual > 0) {
    long double s = 0;
    for (size_t i = 0; i < n; ++i) {
      if (!(w2[i] > 0)) continue;
      const double r = (d.y[i] - mu[i]) / mu[i];
      s += w2[i] * r * r;
    }
    f.dispersion = static_cast<double>(s / f.df_residual);
  } else {
    f.dispersion = kNaN;
  }
  f.mu = std::move(mu);
  return f;
}

}  // namespace epinet::domain::warning
