#include "domain/warning/detect.h"

#include <array>
#include <cmath>

#include "core/error.h"

namespace epinet::domain::warning {
namespace {

constexpr std::array<std::pair<std::string_view, Method>, 8> kNames{{
    {"ears-c1", Method::kEarsC1},
    {"ears-c2", Method::kEarsC2},
    {"ears-c3", Method::kEarsC3},
    {"ears-c3-published", Method::kEarsC3Published},
    {"farrington", Method::kFarrington},
    {"farrington-flexible", Method::kFarringtonFlexible},
    {"cusum", Method::kCusum},
    {"mpm", Method::kMpm},
}};

}  // namespace

std::optional<Method> parse_method(std::string_view name) {
  for (const auto& [n, m] : kNames)
    if (n == name) return m;
  return std::nullopt;
}

std::string_view method_name(Method m) {
  for (const auto& [n, mm] : kNames)
    if (mm == m) return n;
  return "?";
}

DetectSettings default_settings(Method method) {
  DetectSettings s;
  s.method = method;
  if (method == Method::kFarrington) s.farrington = farrington_original();
  if (method == Method::kFarringtonFlexible) s.farrington = farrington_noufaily();
  return s;
}

Detection detect(const Series& series, const DetectSettings& s) {
  if (!series.dates.empty() && series.dates.size() != series.observed.size())
    throw invalid("dates", "the series has " + std::to_string(series.observed.size()) + " counts but " +
                               std::to_string(series.dates.size()) + " dates");
  for (size_t i = 1; i < series.dates.size(); ++i)
    if (series.dates[i] <= series.dates[i - 1]) throw invalid("dates", "the dates must be strictly increasing");
  for (double v : series.observed)
    if (!std::isnan(v) && v < 0) throw invalid("observed", "counts must not be negative");
  switch (s.method) {
    case Method::kEarsC1:
      return ears(series, EarsMethod::kC1, s.ears, s.range);
    case Method::kEarsC2:
      return ears(series, EarsMethod::kC2, s.ears, s.range);
    case Method::kEarsC3:
      return ears(series, EarsMethod::kC3, s.ears, s.range);
    case Method::kEarsC3Published:
      return ears(series, EarsMethod::kC3Published, s.ears, s.range);
    case Method::kFarrington:
    case Method::kFarringtonFlexible:
      return farrington(series, s.farrington, s.range);
    case Method::kCusum:
      return cusum(series, s.cusum, s.range);
    case Method::kMpm:
      return mpm(series, s.mpm, s.range);
  }
  return Detection(series.observed.size());
}

}  // namespace epinet::domain::warning
