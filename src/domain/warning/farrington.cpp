#include "domain/warning/farrington.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <map>

#include "core/error.h"
#include "domain/warning/distributions.h"
#include "domain/warning/glm.h"

namespace epinet::domain::warning {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

enum class Epoch { kIndex, kDay, kWeek, kMonth };

// R's x[a:b] <- value on a 1-based vector of length n (stored in v[1..n]):
// a:b runs either way, index 0 is dropped, indices past the end are ignored
// here (R would lengthen the vector with NAs, which change nothing below).
// Returns false where R stops with an error (negative indices).
bool assign_seq(std::vector<double>& v, long a, long b, double value) {
  const long lo = std::min(a, b), hi = std::max(a, b);
  if (lo < 0) return false;
  const long n = static_cast<long>(v.size()) - 1;
  for (long r = std::max(lo, 1L); r <= std::min(hi, n); ++r) v[static_cast<size_t>(r)] = value;
  return true;
}

// R's %/% and %% for a positive divisor.
long floor_div(long a, long b) {
  return static_cast<long>(std::floor(static_cast<double>(a) / static_cast<double>(b)));
}
long floor_mod(long a, long b) { return a - floor_div(a, b) * b; }

struct Model {
  GlmFit fit;
  GlmData data;
  double phi = kNaN;
  // The dispersion summary.glm() and predict.glm() see afterwards: R's
  // fitGLM.flexible overwrites the model's working weights with the prior
  // weights omega after reweighting, so it is sum(omega r^2) / df with the
  // working residuals r, not the Pearson statistic phi came from.
  double summary_dispersion = kNaN;
};

// R's max(x, 1): NaN stays NaN.
double max1(double x) { return std::isnan(x) ? x : std::max(x, 1.0); }

// algo.farrington.fitGLM.flexible. Empty optional where R returns NULL or stops.
std::optional<Model> fit_flexible(GlmData data, bool time_trend, const FarringtonSettings& s) {
  data.trend = time_trend;
  data.prior.clear();
  GlmFit m = fit_quasipoisson(data);
  if (!m.ok) return std::nullopt;
  if (!m.converged) {
    if (time_trend) {
      data.trend = false;
      m = fit_quasipoisson(data);
      if (!m.ok) return std::nullopt;
    }
    if (!m.converged) return std::nullopt;
  }
  double phi = max1(m.dispersion);
  double summary_dispersion = m.dispersion;
  if (s.reweight) {
    if (std::isnan(phi)) return std::nullopt;  // R: NA subscripts in the weight assignment
    const std::vector<double> h = m.hat(data);
    const size_t n = data.y.size();
    std::vector<double> sres(n);
    long double denom = 0;
    for (size_t i = 0; i < n; ++i) {
      const double y = data.y[i], mu = m.mu[i];
      double a = 1.5 * (std::pow(y, 2.0 / 3.0) * std::pow(mu, -1.0 / 6.0) - std::sqrt(mu));
      a = a / std::sqrt(phi * (1 - h[i]));
      if (std::isnan(a)) return std::nullopt;
      sres[i] = a;
      denom += a > s.weights_threshold ? std::pow(a, -2.0) : 1.0;
    }
    const double gamma = static_cast<double>(static_cast<long double>(n) / denom);
    data.prior.resize(n);
    for (size_t i = 0; i < n; ++i)
      data.prior[i] = sres[i] > s.weights_threshold ? gamma * std::pow(sres[i], -2.0) : gamma;
    m = fit_quasipoisson(data);  // R does not check this fit's convergence
    if (!m.ok) return std::nullopt;
    phi = max1(m.dispersion);
    summary_dispersion = m.dispersion_with(data.prior, data);
  }
  return Model{std::move(m), std::move(data), phi, summary_dispersion};
}

struct Point {
  double upperbound = kNaN;
  Alarm alarm = Alarm::kMissing;
};

class Evaluator {
 public:
  Evaluator(const Series& series, const FarringtonSettings& s) : series_(series), s_(s) {
    n_ = series.observed.size();
    if (series.dates.empty()) {
      epoch_ = Epoch::kIndex;
    } else if (series.frequency == 365) {
      epoch_ = Epoch::kDay;
    } else if (series.frequency == 52) {
      epoch_ = Epoch::kWeek;
    } else {
      epoch_ = Epoch::kMonth;
    }
    pwni_ = s.past_weeks_not_included.value_or(s.w);
    z_ = qnorm(1 - s.alpha);
    blocks_.assign(n_ + 1, kNaN);
  }

  Point at(size_t k) {
    std::optional<Model> model;
    double pred_time = 0;
    int current_level = 0;
    GlmData data;
    if (!baseline(k, data, pred_time, current_level)) return {};
    const double pop_now = series_.population.empty() ? 1.0 : series_.population[k];
    const double off_now = s_.population_offset ? std::log(pop_now) : 0.0;

    // With b < 3 R fits the trend model and then always drops it
    // (atLeastThreeYears is FALSE) for a fit without trend: starting with that
    // fit gives the same answer wherever R gives one, at half the cost.
    model = fit_flexible(data, s_.trend && s_.b >= 3, s_);
    if (!model) return {};
    if (model->data.trend) {
      const double eta = model->fit.link(pred_time, current_level, off_now);
      const double fit = std::max(std::exp(eta), DBL_EPSILON);
      const double pval = model->fit.trend_p_value(model->summary_dispersion);
      const double ymax = *std::max_element(model->data.y.begin(), model->data.y.end());
      const bool three_years = s_.b >= 3, no_extrapolation = fit <= ymax;
      bool do_trend = false;
      if (three_years && no_extrapolation) {
        if (std::isnan(pval)) return {};  // R: `if (NA == FALSE)` stops
        do_trend = pval < s_.p_threshold_trend;
      }
      if (!do_trend) {
        model = fit_flexible(data, false, s_);
        if (!model) return {};  // R: predict.glm(NULL) stops
      }
    }
    const GlmFit& m = model->fit;
    const double phi = model->phi;
    const double eta0 = m.link(pred_time, current_level, off_now);
    const double se_link = std::sqrt(m.link_variance(pred_time, current_level) * model->summary_dispersion);
    const double y = series_.observed[k];

    double upper = kNaN, score = kNaN;
    if (s_.threshold == FarringtonThreshold::kDelta) {
      const double mu0 = std::max(std::exp(eta0), DBL_EPSILON);
      const double se_resp = se_link * mu0;
      const double tau = phi + se_resp * se_resp / mu0;
      double se = 0, e = 1;
      switch (s_.powertrans) {
        case PowerTransform::kNone:
          se = std::sqrt(mu0 * tau), e = 1;
          break;
        case PowerTransform::kHalf:
          se = std::sqrt(0.25 * tau), e = 0.5;
          break;
        case PowerTransform::kTwoThirds:
          se = std::sqrt(4.0 / 9.0 * std::pow(mu0, 1.0 / 3.0) * tau), e = 2.0 / 3.0;
          break;
      }
      const double c = std::pow(mu0, e);
      const double lo = std::pow(c - z_ * se, 1 / e), hi = std::pow(c + z_ * se, 1 / e);
      // sort(c(lo, hi), na.last = FALSE)[2]
      if (std::isnan(lo) || std::isnan(hi))
        upper = std::isnan(lo) ? hi : lo;
      else
        upper = std::max(lo, hi);
      if (!std::isnan(upper)) score = (y - mu0) / (upper - mu0);
    } else {
      const double mu0q = s_.threshold == FarringtonThreshold::kNbPlugin
                              ? std::exp(eta0)
                              : std::exp(eta0 + se_link * qnorm(1 - s_.alpha));
      if (std::isnan(mu0q)) return {};  // R: `if (NA == Inf)` stops
      if (std::isfinite(mu0q)) {
        upper = phi > 1 ? qnbinom(1 - s_.alpha, mu0q / (phi - 1), 1 / phi) : qpois(1 - s_.alpha, mu0q);
        if (!std::isnan(upper)) score = (y - eta0) / (upper - eta0);
      }
    }

    // The 5-in-4 rule over R's (k - limit54[2] + 1):k.
    const long kr = static_cast<long>(k) + 1;
    const long lo = kr - s_.limit54_periods + 1;
    if (lo < 0) return {};  // R: negative subscripts mixed with positive ones
    long double cases = 0;
    bool missing = false;
    for (long r = std::max(lo, 1L); r <= kr; ++r) {
      const double v = series_.observed[static_cast<size_t>(r - 1)];
      if (std::isnan(v)) missing = true;
      cases += v;
    }
    Point p;
    const bool enough = !missing && cases >= s_.limit54_cases;
    p.upperbound = enough ? upper : kNaN;
    const double x = enough ? score : kNaN;
    p.alarm = (!std::isnan(x) && x > 1 && y != 0) ? Alarm::kYes : Alarm::kNo;
    return p;
  }

 private:
  // algo.farrington.referencetimepoints + blocks + algo.farrington.data.glm.
  bool baseline(size_t k, GlmData& data, double& pred_time, int& current_level) {
    const int b = s_.b, w = s_.w, p = s_.no_periods;
    const long kr = static_cast<long>(k) + 1;
    // Reference points as 1-based indices, newest (k itself) first.
    std::vector<long> refs;
    refs.reserve(static_cast<size_t>(b) + 1);
    for (int j = 0; j <= b; ++j) {
      if (epoch_ == Epoch::kIndex) {
        const long r = kr - static_cast<long>(j) * series_.frequency;
        if (r < 1) return false;  // R: "Some reference time points did not exist"
        refs.push_back(r);
        continue;
      }
      const int32_t today = series_.dates[k];
      int32_t ref = minus_years(today, j);
      if (epoch_ == Epoch::kWeek) {
        const int32_t a = ref - (weekday(ref) - weekday(today));
        const int32_t bb = a + (a > ref ? -7 : 7);
        ref = std::abs(a - ref) > std::abs(bb - ref) ? bb : a;
      }
      auto it = std::lower_bound(series_.dates.begin(), series_.dates.end(), ref);
      if (it == series_.dates.end() || *it != ref) return false;
      refs.push_back(static_cast<long>(it - series_.dates.begin()) + 1);
    }
    std::sort(refs.begin(), refs.end(), std::greater<>());  // rev(which(dates %in% refs))
    refs.erase(std::unique(refs.begin(), refs.end()), refs.end());
    if (refs.size() < static_cast<size_t>(b) + 1) return false;

    std::fill(blocks_.begin(), blocks_.end(), kNaN);
    const long now = refs[0];
    if (!assign_seq(blocks_, now - w, now, p)) return false;
    for (int i = 1; i <= b; ++i) {
      const long ref_week = refs[static_cast<size_t>(i)];
      if (!assign_seq(blocks_, ref_week - w, ref_week + w, p)) return false;
      if (p != 1) {
        const long period = refs[static_cast<size_t>(i - 1)] - 2 * w - 1 - ref_week;
        if (period < p - (2 * w + 1)) return false;  // R: "Number of factors too big!"
        const long len = floor_div(period, p - 1), rest = floor_mod(period, p - 1);
        std::vector<long> cum(static_cast<size_t>(p), 0);  // cumsum(c(0, lengths))
        for (int j = 1; j <= p - 1; ++j)
          cum[static_cast<size_t>(j)] = cum[static_cast<size_t>(j - 1)] + len + (j <= rest ? 1 : 0);
        for (int j = 1; j <= p - 1; ++j) {
          const long from = ref_week + w + 1 + cum[static_cast<size_t>(j - 1)];
          const long to = ref_week + w + 1 + cum[static_cast<size_t>(j)] - 1;
          if (!assign_seq(blocks_, from, to, j)) return false;
        }
      }
    }
    // blocksID[(k - pastWeeksNotIncluded):k] <- NA
    ids_ = blocks_;
    if (!assign_seq(ids_, kr - pwni_, kr, kNaN)) return false;

    std::vector<long> rows;
    for (long r = 1; r <= static_cast<long>(n_); ++r)
      if (!std::isnan(ids_[static_cast<size_t>(r)])) rows.push_back(r);
    if (rows.empty()) return false;
    const double diff0 = series_.dates.size() >= 2 ? static_cast<double>(series_.dates[1] - series_.dates[0]) : 1.0;
    auto time_of = [&](long r, long origin) {
      if (epoch_ == Epoch::kIndex) return static_cast<double>(r);
      return static_cast<double>(series_.dates[static_cast<size_t>(r - 1)] -
                                 series_.dates[static_cast<size_t>(origin - 1)]) /
             diff0;
    };
    std::vector<double> labels;
    data = GlmData{};
    long first_kept = 0;
    for (long r : rows) {
      const double y = series_.observed[static_cast<size_t>(r - 1)];
      if (std::isnan(y)) continue;
      if (first_kept == 0) first_kept = r;
      data.y.push_back(y);
      data.time.push_back(time_of(r, rows[0]));
      labels.push_back(blocks_[static_cast<size_t>(r)]);
      if (s_.population_offset) data.offset.push_back(std::log(series_.population[static_cast<size_t>(r - 1)]));
    }
    if (data.y.empty()) return false;
    pred_time = epoch_ == Epoch::kIndex ? static_cast<double>(kr) : time_of(kr, first_kept);

    current_level = 0;
    data.levels = 1;
    if (p != 1) {  // factorsBool: levels present after dropping missing counts, smallest first
      std::map<double, int> level_of;
      for (double v : labels) level_of.emplace(v, 0);
      if (level_of.size() < 2) return false;  // R: contrasts need two levels
      int next = 0;
      for (auto& [v, idx] : level_of) idx = next++;
      auto cur = level_of.find(static_cast<double>(p));
      if (cur == level_of.end()) return false;  // R: "factor seasgroups has new level"
      current_level = cur->second;
      data.levels = static_cast<int>(level_of.size());
      data.level.reserve(labels.size());
      for (double v : labels) data.level.push_back(level_of[v]);
    }
    return true;
  }

  const Series& series_;
  const FarringtonSettings& s_;
  size_t n_ = 0;
  Epoch epoch_ = Epoch::kIndex;
  int pwni_ = 0;
  double z_ = 0;
  std::vector<double> blocks_, ids_;
};

}  // namespace

FarringtonSettings farrington_r_defaults() { return {}; }

namespace {
FarringtonSettings preset(int no_periods, double weights_threshold, int past_weeks_not_included,
                          double p_threshold_trend, FarringtonThreshold threshold) {
  FarringtonSettings s;
  s.no_periods = no_periods;
  s.weights_threshold = weights_threshold;
  s.past_weeks_not_included = past_weeks_not_included;
  s.p_threshold_trend = p_threshold_trend;
  s.threshold = threshold;
  return s;
}
}  // namespace

FarringtonSettings farrington_original() { return preset(1, 1, 3, 0.05, FarringtonThreshold::kDelta); }

FarringtonSettings farrington_noufaily() { return preset(10, 2.58, 26, 1, FarringtonThreshold::kNbPlugin); }

size_t farrington_default_from(const Series& series, const FarringtonSettings& s) {
  return static_cast<size_t>(series.frequency) * static_cast<size_t>(s.b) + static_cast<size_t>(s.w);
}

Detection farrington(const Series& series, const FarringtonSettings& s, const Range& range) {
  if (!(s.limit54_cases >= 0 && s.limit54_periods > 0))
    throw invalid("limit54", "the limit54 arguments are out of bounds: cases >= 0 and periods > 0");
  if (s.b < 1) throw invalid("b", "b (years back) must be at least 1");
  if (s.w < 0) throw invalid("w", "w (half-window) must not be negative");
  if (s.no_periods < 1) throw invalid("no_periods", "the number of periods must be at least 1");
  if (!(s.alpha > 0 && s.alpha < 1)) throw invalid("alpha", "alpha must lie in (0, 1)");
  if (series.frequency < 1) throw invalid("frequency", "the frequency must be positive");
  if (!series.dates.empty() && series.frequency != 365 && series.frequency != 52 && series.frequency != 12)
    throw invalid("frequency", "dated series must be daily (365), weekly (52) or monthly (12), as in R");
  if (!series.dates.empty() && series.dates.size() != series.observed.size())
    throw invalid("dates", "one date per count");
  if (s.population_offset && series.population.size() != series.observed.size())
    throw invalid("population", "the population offset needs a population for every period");
  const size_t n = series.observed.size();
  Detection out(n);
  if (n == 0) return out;
  const size_t from = range.from.value_or(farrington_default_from(series, s));
  const size_t to = std::min(range.to.value_or(n - 1), n - 1);
  Evaluator ev(series, s);
  for (size_t k = from; k <= to; ++k) {
    const Point p = ev.at(k);
    out.upperbound[k] = p.upperbound;
    out.alarm[k] = p.alarm;
  }
  return out;
}

}  // namespace epinet::domain::warning
