#include "domain/warning/cusum.h"

#include <cmath>
#include <limits>

#include "core/error.h"

namespace epinet::domain::warning {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// R's max(0, x): NA/NaN propagates.
double max0(double x) { return std::isnan(x) ? x : (x > 0 ? x : 0); }

}  // namespace

size_t cusum_default_from(const Series& series) { return static_cast<size_t>(std::max(series.frequency, 1)); }

Detection cusum(const Series& series, const CusumSettings& s, const Range& range) {
  const std::vector<double>& y = series.observed;
  const size_t n = y.size();
  Detection out(n);
  const size_t from = range.from.value_or(cusum_default_from(series));
  if (from < 1 && !s.m) throw invalid("range", "CUSUM needs at least one count before the first evaluated point, or m");
  if (n == 0 || from >= n) return out;
  const size_t to = std::min(range.to.value_or(n - 1), n - 1);

  double m = 0;
  if (s.m) {
    m = *s.m;
  } else {  // R's mean(): long double, refined; NA if any count is missing
    long double sum = 0;
    bool missing = false;
    for (size_t i = 0; i < from; ++i) {
      if (std::isnan(y[i])) missing = true;
      sum += y[i];
    }
    if (missing) {
      m = kNaN;
    } else {
      sum /= static_cast<long double>(from);
      long double t = 0;
      for (size_t i = 0; i < from; ++i) t += y[i] - sum;
      m = static_cast<double>(sum + t / static_cast<long double>(from));
    }
  }
  const double k = s.k, h = s.h, a = s.alpha;
  double c_prev = 0;
  for (size_t t = from; t <= to; ++t) {
    const double x = y[t];
    double z = kNaN, ub = kNaN;
    const double room = h + k - c_prev;  // h + k - C_{t-1}
    switch (s.trans) {
      case CusumTransform::kRossi:
        z = (x - 3 * m + 2 * std::sqrt(x * m)) / (2 * std::sqrt(m));
        ub = 2 * h * std::sqrt(m) + 2 * k * std::sqrt(m) - 2 * c_prev * std::sqrt(m) + 5 * m -
             2 * std::sqrt(4 * m * m + 2 * std::pow(m, 1.5) * h + 2 * std::pow(m, 1.5) * k -
                           2 * std::pow(m, 1.5) * c_prev);
        break;
      case CusumTransform::kStandard:
        z = (x - m) / std::sqrt(m);
        ub = std::ceil(std::sqrt(m) * room + m);
        break;
      case CusumTransform::kAnscombe: {
        z = 1.5 * (std::pow(x, 2.0 / 3.0) - std::pow(m, 2.0 / 3.0)) / std::pow(m, 1.0 / 6.0);
        const double base = (2.0 / 3.0) * std::pow(m, 1.0 / 6.0) * room + std::pow(m, 2.0 / 3.0);
        ub = std::isnan(base) ? kNaN : (base < 0 ? 0 : std::pow(base, 1.5));
        break;
      }
      case CusumTransform::kAnscombe2nd: {
        z = (std::pow(x, 2.0 / 3.0) - (std::pow(m, 2.0 / 3.0) - std::pow(m, -1.0 / 3.0) / 9)) /
            (2.0 / 3.0 * std::pow(m, 1.0 / 6.0));
        const double base =
            (2.0 / 3.0) * std::pow(m, 1.0 / 6.0) * room + (std::pow(m, 2.0 / 3.0) - std::pow(m, 1.0 / 3.0) / 9);
        ub = std::isnan(base) ? kNaN : (base < 0 ? 0 : std::pow(base, 1.5));
        break;
      }
      case CusumTransform::kPearsonNegBin:
        z = (x - m) / std::sqrt(m + a * m * m);
        ub = std::sqrt(m + a * m * m) * room + m;
        break;
      case CusumTransform::kNone:
        z = x;
        break;
    }
    const double c = max0(c_prev + (z - k));
    if (s.trans == CusumTransform::kNone) ub = h - c;
    if (std::isnan(ub) || ub < 0) ub = 0;
    out.upperbound[t] = ub;
    out.alarm[t] = std::isnan(c) ? Alarm::kMissing : (c >= h ? Alarm::kYes : Alarm::kNo);
    c_prev = c;
  }
  return out;
}

}  // namespace epinet::domain::warning
