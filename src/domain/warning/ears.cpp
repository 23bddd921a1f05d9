#include "domain/warning/ears.h"

#include <cmath>
#include <limits>

#include "core/error.h"
#include "domain/warning/distributions.h"

namespace epinet::domain::warning {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// R's pmax(a, b) for scalars: NA/NaN propagates (std::max would drop it).
double pmax(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) ? a : b;
  return a > b ? a : b;
}

struct MeanSd {
  double mean = kNaN, sd = kNaN;
};

// mean() and sd() of x[lo..hi] as R computes them: long double sums, the
// mean refined by a second pass; NA if any value is missing.
MeanSd mean_sd(const std::vector<double>& x, size_t lo, size_t hi) {
  const size_t n = hi - lo + 1;
  long double s = 0;
  for (size_t i = lo; i <= hi; ++i) {
    if (std::isnan(x[i])) return {};
    s += x[i];
  }
  s /= static_cast<long double>(n);
  if (std::isfinite(static_cast<double>(s))) {
    long double t = 0;
    for (size_t i = lo; i <= hi; ++i) t += x[i] - s;
    s += t / static_cast<long double>(n);
  }
  const double mean = static_cast<double>(s);
  // var(): its own refined mean (the same computation), then the sum of squares.
  long double ss = 0;
  for (size_t i = lo; i <= hi; ++i) {
    const long double dlt = x[i] - s;
    ss += dlt * dlt;
  }
  const double var = static_cast<double>(ss / static_cast<long double>(n - 1));
  return {mean, std::sqrt(var)};
}

Alarm alarm_of(double observed, double upperbound) {
  if (std::isnan(observed) || std::isnan(upperbound)) return Alarm::kMissing;
  return observed > upperbound ? Alarm::kYes : Alarm::kNo;
}

}  // namespace

size_t ears_default_from(EarsMethod m, const EarsSettings& s) {
  const size_t b = static_cast<size_t>(s.baseline);
  switch (m) {
    case EarsMethod::kC1:
      return b;  // 1-based baseline + 1
    case EarsMethod::kC2:
      return b + 2;  // baseline + 3
    case EarsMethod::kC3:
    case EarsMethod::kC3Published:
      return b + 4;  // baseline + 5
  }
  return b;
}

Detection ears(const Series& series, EarsMethod method, const EarsSettings& s, const Range& range) {
  if (s.baseline < 3)
    throw invalid("baseline", "EARS needs a baseline of at least 3 periods (R: \"Minimum baseline to use is 3.\")");
  if (s.min_sigma < 0) throw invalid("min_sigma", "the minimum sigma must not be negative");
  const std::vector<double>& y = series.observed;
  const size_t n = y.size();
  Detection out(n);
  const size_t first = ears_default_from(method, s);
  const size_t from = range.from.value_or(first);
  if (from < first)
    throw invalid("range",
                  "the range starts too early for this baseline (R: \"The vector of observed is too short!\")");
  const size_t to = std::min(range.to.value_or(n == 0 ? 0 : n - 1), n == 0 ? 0 : n - 1);
  if (n == 0 || from > to) return out;

  const double alpha = s.alpha.value_or(method == EarsMethod::kC1 || method == EarsMethod::kC2 ? 0.001 : 0.025);
  const double z = qnorm(1 - alpha);
  const size_t b = static_cast<size_t>(s.baseline);
  // C2 statistic's pieces at day j: reference window j-b-2 .. j-3.
  auto c2_window = [&](size_t j) { return mean_sd(y, j - b - 2, j - 3); };
  auto c2_excess = [&](size_t j) {  // max(0, C2_j - 1), R's pmax semantics
    const MeanSd m = c2_window(j);
    const double c2 = (y[j] - m.mean) / pmax(m.sd, s.min_sigma);
    return pmax(0.0, c2 - 1);
  };

  for (size_t t = from; t <= to; ++t) {
    double ub = kNaN;
    Alarm alarm = Alarm::kMissing;
    switch (method) {
      case EarsMethod::kC1: {
        const MeanSd m = mean_sd(y, t - b, t - 1);
        ub = m.mean + z * pmax(m.sd, s.min_sigma);
        alarm = alarm_of(y[t], ub);
        break;
      }
      case EarsMethod::kC2: {
        const MeanSd m = c2_window(t);
        ub = m.mean + z * pmax(m.sd, s.min_sigma);
        alarm = alarm_of(y[t], ub);
        break;
      }
      case EarsMethod::kC3: {
        const MeanSd m = c2_window(t);
        const double lags = c2_excess(t - 2) + c2_excess(t - 1);
        ub = pmax(0.0, y[t] + pmax(m.sd, s.min_sigma) * (z - lags));
        alarm = alarm_of(y[t], ub);
        break;
      }
      case EarsMethod::kC3Published: {
        const MeanSd m = c2_window(t);
        const double lags = c2_excess(t - 2) + c2_excess(t - 1);
        const double c3 = lags + c2_excess(t);
        ub = pmax(0.0, m.mean + pmax(m.sd, s.min_sigma) * (1 + s.threshold - lags));
        alarm = std::isnan(c3) ? Alarm::kMissing : (c3 > s.threshold ? Alarm::kYes : Alarm::kNo);
        break;
      }
    }
    out.upperbound[t] = ub;
    out.alarm[t] = alarm;
  }
  return out;
}

}  // namespace epinet::domain::warning
