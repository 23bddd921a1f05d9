// One entry point for every aberration detector, for the server and for
// `epinet detect`: a method name, its settings, a series in, bounds and
// alarms out. Each method's contract is in its own header (ears.h,
// farrington.h, cusum.h, mpm.h); docs/early-warning.md compares them with R.
#pragma once
#include <optional>
#include <string_view>

#include "domain/warning/cusum.h"
#include "domain/warning/ears.h"
#include "domain/warning/farrington.h"
#include "domain/warning/mpm.h"
#include "domain/warning/series.h"

namespace epinet::domain::warning {

enum class Method {
  kEarsC1,
  kEarsC2,
  kEarsC3,              // R's earsC C3
  kEarsC3Published,     // Hutwagner et al. (2003)
  kFarrington,          // farringtonFlexible, "original Farrington" settings
  kFarringtonFlexible,  // farringtonFlexible, Noufaily et al. (2013) settings
  kCusum,               // algo.cusum, Rossi transformation by default
  kMpm,                 // CIDARS moving percentile method
};

// "ears-c1", "ears-c2", "ears-c3", "ears-c3-published", "farrington",
// "farrington-flexible", "cusum", "mpm".
std::optional<Method> parse_method(std::string_view name);
std::string_view method_name(Method m);

struct DetectSettings {
  Method method = Method::kEarsC1;
  EarsSettings ears;
  FarringtonSettings farrington;  // start from default_settings(method) for the presets
  CusumSettings cusum;
  MpmSettings mpm;
  Range range;
};

// The defaults of `method`: R's for EARS and CUSUM's k and h, the preset for
// the two Farrington methods, CIDARS-like for MPM.
DetectSettings default_settings(Method method);

// Runs the detector. Throws Error(kInvalid) for settings or series it cannot
// use (see each method); otherwise every time point gets a value or NA.
Detection detect(const Series& series, const DetectSettings& settings);

}  // namespace epinet::domain::warning
