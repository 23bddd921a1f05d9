// CUSUM for counts as R's surveillance::algo.cusum computes it (Rossi et al.
// 1999 for the "rossi" transformation). The in-control mean m is the mean of
// the counts before the first evaluated point (or given); each count is
// standardised, S_t = max(0, S_{t-1} + z_t - k), and the alarm is S_t >= h.
// The upperbound is the count that would have made S_t reach h.
//
// As in R: a missing count makes S (and every later S) NA, with alarm NA; an
// NA or negative upperbound is reported as 0. The "anscombe2nd" bound uses
// m^(1/3)/9 where its statistic uses m^(-1/3)/9 — R's code, reproduced.
#pragma once
#include <optional>

#include "domain/warning/series.h"

namespace epinet::domain::warning {

enum class CusumTransform { kRossi, kStandard, kAnscombe, kAnscombe2nd, kPearsonNegBin, kNone };

struct CusumSettings {
  double k = 1.04;
  double h = 2.26;
  std::optional<double> m;  // in-control mean; default: mean of the counts before `from`
  // R's algo.cusum defaults to "standard"; epinet's cusum method is the
  // Rossi CUSUM, so that is the default here.
  CusumTransform trans = CusumTransform::kRossi;
  double alpha = 0.1;  // kPearsonNegBin's dispersion
};

// Default first point (0-based): one year of training counts, `frequency`.
size_t cusum_default_from(const Series& series);

Detection cusum(const Series& series, const CusumSettings& settings, const Range& range = {});

}  // namespace epinet::domain::warning
