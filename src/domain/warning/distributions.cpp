#include "domain/warning/distributions.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>

namespace epinet::domain::warning {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kLnSqrt2Pi = 0.918938533204672741780329736406;  // log(sqrt(2*pi))

// lgamma(x) - ((x - 1/2) log x - x + log sqrt(2 pi)) for x >= 10: the Stirling
// series, accurate to ~1e-17 there (R's lgammacor uses a Chebyshev fit of it).
double lgammacor(double x) {
  const double x2 = 1.0 / (x * x);
  // Bernoulli terms B_2k / (2k (2k - 1) x^(2k-1)), k = 1..8.
  static constexpr double c[] = {1.0 / 12,   -1.0 / 360,      1.0 / 1260, -1.0 / 1680,
                                 1.0 / 1188, -691.0 / 360360, 1.0 / 156,  -3617.0 / 122400};
  double s = c[7];
  for (int i = 6; i >= 0; --i) s = s * x2 + c[i];
  return s / x;
}

// R's lbeta(a, b): the large-argument branches keep precision where
// lgamma(a) + lgamma(b) - lgamma(a + b) would cancel.
double lbeta(double a, double b) {
  double p = std::min(a, b), q = std::max(a, b);
  if (p < 0) return kNaN;
  if (p == 0) return kInf;
  if (!std::isfinite(q)) return -kInf;
  if (p >= 10) {
    const double corr = lgammacor(p) + lgammacor(q) - lgammacor(p + q);
    return std::log(q) * -0.5 + kLnSqrt2Pi + corr + (p - 0.5) * std::log(p / (p + q)) + q * std::log1p(-p / (p + q));
  }
  if (q >= 10) {
    const double corr = lgammacor(q) - lgammacor(p + q);
    return lgamma_pos(p) + corr + p - p * std::log(p + q) + (q - 0.5) * std::log1p(-p / (p + q));
  }
  return lgamma_pos(p) + (lgamma_pos(q) - lgamma_pos(p + q));
}

// Continued fraction for I_x(a, b) (modified Lentz), valid for x < (a+1)/(a+b+2).
double beta_cf(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  const double qab = a + b, qap = a + 1, qam = a - 1;
  double c = 1, d = 1 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m < 200000; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1) < 1e-16) break;
  }
  return h;
}

// I_x(a, b) with y = 1 - x given separately (so that x near 1 loses nothing).
double pbeta_xy(double x, double y, double a, double b, bool upper) {
  if (std::isnan(x) || std::isnan(a) || std::isnan(b)) return kNaN;
  if (x <= 0) return upper ? 1 : 0;
  if (y <= 0) return upper ? 0 : 1;
  const double log_front = a * std::log(x) + b * std::log1p(-x) - lbeta(a, b);
  // log1p(-x) for x near 1 is better as log(y):
  const double log_front_y = a * std::log(x) + b * std::log(y) - lbeta(a, b);
  const double lf = x > 0.5 ? log_front_y : log_front;
  if (x < (a + 1) / (a + b + 2)) {
    const double lower = std::exp(lf) * beta_cf(a, b, x) / a;
    return upper ? 0.5 - lower + 0.5 : lower;
  }
  const double up = std::exp(lf) * beta_cf(b, a, y) / b;
  return upper ? up : 0.5 - up + 0.5;
}

// R's stirlerr(n) = log(n!) - log(sqrt(2 pi n) (n/e)^n).
double stirlerr(double n) {
  if (n > 15) {
    constexpr double S0 = 1.0 / 12, S1 = 1.0 / 360, S2 = 1.0 / 1260, S3 = 1.0 / 1680, S4 = 1.0 / 1188;
    const double nn = n * n;
    if (n > 500) return (S0 - S1 / nn) / n;
    if (n > 80) return (S0 - (S1 - S2 / nn) / nn) / n;
    if (n > 35) return (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n;
    return (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n;
  }
  return lgamma_pos(n + 1) - (n + 0.5) * std::log(n) + n - kLnSqrt2Pi;
}

// R's bd0(x, np) = x log(x / np) + np - x, without cancellation near x == np.
double bd0(double x, double np) {
  if (std::fabs(x - np) < 0.1 * (x + np)) {
    double v = (x - np) / (x + np);
    double s = (x - np) * v;
    double ej = 2 * x * v;
    v = v * v;
    for (int j = 1; j < 1000; ++j) {
      ej *= v;
      const double s1 = s + ej / (2 * j + 1);
      if (s1 == s) return s1;
      s = s1;
    }
    return s;
  }
  return x * std::log(x / np) + np - x;
}

// x^a e^-x / Gamma(a + 1), R's dpois_raw(a, x), for a > 0, x > 0.
double dpois_raw(double a, double x) { return std::exp(-stirlerr(a) - bd0(a, x)) / std::sqrt(2 * M_PI * a); }

// Search of R's qDiscrete_search.h: the smallest y with cdf(y) >= p, from a
// start y whose cdf is z, in steps of incr.
template <class Cdf>
double discrete_search(double y, double& z, double p, double incr, const Cdf& cdf) {
  if (z >= p) {  // to the left
    for (;;) {
      double newz = -1;
      if (y > 0)
        newz = cdf(y - incr);
      else if (y < 0)
        y = 0;
      if (y == 0 || std::isnan(newz) || newz < p) return y;
      y = std::max(0.0, y - incr);
      z = newz;
    }
  }
  for (;;) {  // to the right
    y += incr;
    z = cdf(y);
    if (std::isnan(z) || z >= p) return y;
  }
}

// R's q_DISCRETE_BODY(): Cornish-Fisher start, left-continuity fuzz, search.
template <class Cdf>
double discrete_quantile(double p, double mu, double sigma, double gamma, const Cdf& cdf) {
  const double zq = qnorm(p);
  double y = std::nearbyint(mu + sigma * (zq + gamma * (zq * zq - 1) / 6));
  if (!(y >= 0)) y = 0;  // also catches NaN from a degenerate start
  double z = cdf(y);
  p *= 1 - 8 * DBL_EPSILON;
  if (y < 4096) return discrete_search(y, z, p, 1, cdf);
  double incr = std::floor(y / 64), oldincr;
  do {
    oldincr = incr;
    y = discrete_search(y, z, p, incr, cdf);
    incr = std::max(1.0, std::floor(incr / 8));
  } while (oldincr > 1 && incr > y * 1e-15);
  return y;
}

}  // namespace

double qnorm(double p) {
  if (std::isnan(p) || p < 0 || p > 1) return kNaN;
  if (p == 0) return -kInf;
  if (p == 1) return kInf;
  const double q = p - 0.5;
  double r, val;
  if (std::fabs(q) <= .425) {
    r = .180625 - q * q;
    return q *
           (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r +
                45921.953931549871457) *
                   r +
               13731.693765509461125) *
                  r +
              1971.5909503065514427) *
                 r +
             133.14166789178437745) *
                r +
            3.387132872796366608) /
           (((((((r * 5226.495278852854561 + 28729.085735721942674) * r + 39307.89580009271061) * r +
                21213.794301586595867) *
                   r +
               5394.1960214247511077) *
                  r +
              687.1870074920579083) *
                 r +
             42.313330701600911252) *
                r +
            1.);
  }
  r = q > 0 ? 0.5 - p + 0.5 : p;
  r = std::sqrt(-std::log(r));
  if (r <= 5.) {
    r += -1.6;
    val = (((((((r * 7.7454501427834140764e-4 + .0227238449892691845833) * r + .24178072517745061177) * r +
               1.27045825245236838258) *
                  r +
              3.64784832476320460504) *
                 r +
             5.7694972214606914055) *
                r +
            4.6303378461565452959) *
               r +
           1.42343711074968357734) /
          (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + .0151986665636164571966) * r +
               .14810397642748007459) *
                  r +
              .68976733498510000455) *
                 r +
             1.6763848301838038494) *
                r +
            2.05319162663775882187) *
               r +
           1.);
  } else {
    r += -5.;
    val = (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + .0012426609473880784386) * r +
               .026532189526576123093) *
                  r +
              .29656057182850489123) *
                 r +
             1.7848265399172913358) *
                r +
            5.4637849111641143699) *
               r +
           6.6579046435011037772) /
          (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r +
               7.868691311456132591e-4) *
                  r +
              .0148753612908506148525) *
                 r +
             .13692988092273580531) *
                r +
            .59983220655588793769) *
               r +
           1.);
  }
  return q < 0.0 ? -val : val;
}

double lgamma_pos(double x) {
  int sign = 0;
  return ::lgamma_r(x, &sign);
}

double pbeta(double x, double a, double b, bool upper) { return pbeta_xy(x, 0.5 - x + 0.5, a, b, upper); }

double pgamma(double x, double a, bool upper) {
  if (std::isnan(x) || std::isnan(a) || a <= 0) return kNaN;
  if (x <= 0) return upper ? 1 : 0;
  if (!std::isfinite(x)) return upper ? 0 : 1;
  // x^a e^-x / Gamma(a) = a * dpois_raw(a, x)... written as dpois_raw(a, x) * a / x * x
  // for the series (terms x^n / (a+1)...(a+n)) and the continued fraction.
  const double front = dpois_raw(a, x);  // x^a e^-x / Gamma(a + 1)
  if (x < a + 1) {
    // P(a, x) = front * sum_{n>=0} x^n / ((a+1)...(a+n))
    double sum = 1, del = 1, ap = a;
    for (int n = 0; n < 100000; ++n) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (std::fabs(del) < std::fabs(sum) * 1e-17) break;
    }
    const double lower = front * sum;
    return upper ? 0.5 - lower + 0.5 : lower;
  }
  // Q(a, x) = x^a e^-x / Gamma(a) * CF = front * a * CF
  constexpr double kTiny = 1e-300;
  double b = x + 1 - a, c = 1 / kTiny, d = 1 / b, h = d;
  for (int i = 1; i < 100000; ++i) {
    const double an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = b + an / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1) < 1e-16) break;
  }
  const double up = front * a * h;
  return upper ? up : 0.5 - up + 0.5;
}

double t_two_sided_p(double t, double df) {
  if (std::isnan(t) || std::isnan(df) || df <= 0) return kNaN;
  const double x = -std::fabs(t);
  if (!std::isfinite(x)) return 0;
  const double nx = 1 + (x / df) * x;
  if (nx > 1e100) {
    const double lval =
        -0.5 * df * (2 * std::log(std::fabs(x)) - std::log(df)) - lbeta(0.5 * df, 0.5) - std::log(0.5 * df);
    return std::exp(lval);
  }
  const double x2 = x * x;
  if (df > x2) return pbeta_xy(x2 / (df + x2), df / (df + x2), 0.5, df / 2., true);
  return pbeta_xy(1. / nx, x2 / (df + x2), df / 2., 0.5, false);
}

double pnbinom(double x, double size, double prob) {
  if (std::isnan(x) || std::isnan(size) || std::isnan(prob)) return kNaN;
  if (!std::isfinite(size) || !std::isfinite(prob) || size < 0 || prob <= 0 || prob > 1) return kNaN;
  if (size == 0) return x >= 0 ? 1 : 0;  // point mass at 0
  if (x < 0) return 0;
  if (!std::isfinite(x)) return 1;
  x = std::floor(x + 1e-7);
  return pbeta(prob, size, x + 1);
}

double ppois(double x, double lambda) {
  if (std::isnan(x) || std::isnan(lambda) || lambda < 0) return kNaN;
  if (x < 0) return 0;
  if (lambda == 0) return 1;
  if (!std::isfinite(x)) return 1;
  x = std::floor(x + 1e-7);
  return pgamma(lambda, x + 1, true);
}

double qnbinom(double p, double size, double prob) {
  if (std::isnan(p) || std::isnan(size) || std::isnan(prob)) return kNaN;
  if (prob == 0 && size == 0) return 0;
  if (p < 0 || p > 1 || prob <= 0 || prob > 1 || size < 0) return kNaN;
  if (p == 0) return 0;
  if (p == 1) return kInf;
  if (prob == 1 || size == 0) return 0;
  const double Q = 1.0 / prob, P = (1.0 - prob) * Q;
  const double mu = size * P, sigma = std::sqrt(size * P * Q), gamma = (Q + P) / sigma;
  return discrete_quantile(p, mu, sigma, gamma, [&](double y) { return pnbinom(y, size, prob); });
}

double qpois(double p, double lambda) {
  if (std::isnan(p) || std::isnan(lambda)) return kNaN;
  if (!std::isfinite(lambda) || lambda < 0 || p < 0 || p > 1) return kNaN;
  if (lambda == 0 || p == 0) return 0;
  if (p == 1) return kInf;
  const double mu = lambda, sigma = std::sqrt(lambda), gamma = 1.0 / sigma;
  return discrete_quantile(p, mu, sigma, gamma, [&](double y) { return ppois(y, lambda); });
}

double quantile7(std::vector<double> x, double prob) {
  if (x.empty()) return kNaN;
  std::sort(x.begin(), x.end());
  const double index = 1 + static_cast<double>(x.size() - 1) * prob;  // 1-based, as R
  const double lo = std::floor(index), hi = std::ceil(index);
  double qs = x[static_cast<size_t>(lo) - 1];
  const double xhi = x[static_cast<size_t>(hi) - 1];
  if (index > lo && xhi != qs) {
    const double h = index - lo;
    qs = (1 - h) * qs + h * xhi;
  }
  return qs;
}

}  // namespace epinet::domain::warning
