// farringtonFlexible on a simulated weekly series against R 4.2.2 /
// surveillance 1.20.3 (values printed with sprintf("%.17g")), and the rules
// around the model: the 5-in-4 rule, missing counts, the range.
#include "domain/warning/farrington.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"

namespace epinet::domain::warning {
namespace {

// set.seed(3); rnbinom(5*52+20, mu = 5 + 3*sin(2*pi*(1:280)/52), size = 5)
const std::vector<double> kSeries = {
    2, 3,  4,  6,  6,  6,  2,  8,  6,  4, 6,  3,  6, 4,  11, 10, 1,  12, 4,  5, 12, 5,  1,  7,  7,  3,  4, 3,
    4, 2,  2,  2,  4,  2,  1,  3,  0,  2, 3,  1,  3, 0,  6,  1,  3,  0,  4,  1, 1,  5,  2,  4,  6,  3,  7, 3,
    8, 3,  2,  10, 2,  4,  8,  10, 1,  7, 18, 3,  7, 13, 11, 5,  1,  12, 1,  0, 14, 8,  5,  4,  2,  3,  3, 5,
    0, 6,  4,  2,  3,  5,  0,  0,  3,  2, 1,  2,  2, 1,  3,  0,  3,  1,  8,  1, 5,  6,  9,  12, 6,  10, 4, 9,
    3, 11, 10, 3,  7,  7,  10, 9,  7,  4, 8,  2,  6, 3,  4,  2,  6,  5,  8,  3, 2,  4,  6,  1,  1,  2,  0, 3,
    1, 2,  1,  0,  3,  4,  2,  0,  3,  2, 4,  4,  6, 1,  5,  10, 9,  12, 6,  7, 11, 2,  1,  14, 11, 3,  4, 1,
    5, 8,  3,  11, 3,  5,  10, 4,  12, 9, 3,  10, 3, 4,  7,  7,  3,  6,  12, 0, 7,  3,  3,  0,  5,  1,  4, 6,
    1, 2,  1,  2,  2,  10, 1,  4,  2,  2, 3,  2,  3, 5,  1,  7,  13, 6,  8,  7, 11, 10, 12, 10, 8,  12, 7, 5,
    9, 14, 4,  3,  13, 2,  4,  7,  2,  3, 3,  7,  4, 3,  1,  0,  6,  3,  3,  7, 1,  6,  4,  1,  1,  6,  2, 6,
    4, 4,  2,  1,  3,  14, 2,  2,  6,  7, 4,  7,  7, 5,  21, 13, 6,  4,  10, 5, 2,  1,  4,  10, 8,  0,  4, 6};

Series weekly(std::vector<double> y) {
  Series s;
  s.observed = std::move(y);
  s.frequency = 52;
  return s;
}

Range last20() {
  Range r;
  r.from = 260;  // R's range (5*52+1):(5*52+20), 1-based
  r.to = 279;
  return r;
}

void expect_bounds(const Detection& d, const std::vector<double>& r, double tol) {
  for (size_t i = 0; i < r.size(); ++i)
    EXPECT_LE(std::fabs(d.upperbound[260 + i] - r[i]), tol * std::max(1.0, r[i])) << "t = " << 261 + i;
}

TEST(Farrington, OriginalPresetAsR) {
  FarringtonSettings s = farrington_original();
  s.b = 4;
  const Detection d = farrington(weekly(kSeries), s, last20());
  expect_bounds(d, {10.068592300740393, 11.368973622535055, 11.724127827994888, 11.406999769722788, 12.640179432772518,
                    16.323994588835781, 19.010848435799197, 19.030693618559653, 17.880993686027484, 19.142697176254366,
                    18.671349103815118, 18.206390837944095, 16.156557232768709, 14.879842054787217, 15.331356787935004,
                    13.087079280755505, 12.98469874335721,  13.775119637603456, 13.281944269270202, 12.550017745590184},
                1e-12);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(d.alarm[260 + i], i == 6 ? Alarm::kYes : Alarm::kNo) << i;
  EXPECT_EQ(d.alarm[259], Alarm::kNotEvaluated);
}

TEST(Farrington, NoufailyPresetAsR) {
  FarringtonSettings s = farrington_noufaily();
  s.b = 4;
  const Detection d = farrington(weekly(kSeries), s, last20());
  expect_bounds(d, {12, 14, 14, 14, 15, 15, 15, 15, 14, 14, 16, 15, 15, 15, 15, 16, 15, 15, 15, 14}, 0);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(d.alarm[260 + i], i == 6 ? Alarm::kYes : Alarm::kNo) << i;
}

TEST(Farrington, MuanThresholdAsR) {
  // farringtonFlexible(s, list(b = 4, w = 3, thresholdMethod = "muan")): R's other defaults.
  FarringtonSettings s = farrington_r_defaults();
  s.b = 4;
  s.threshold = FarringtonThreshold::kMuan;
  const Detection d = farrington(weekly(kSeries), s, last20());
  expect_bounds(d, {12, 13, 13, 13, 14, 19, 21, 21, 20, 21, 20, 20, 15, 15, 16, 15, 14, 16, 15, 15}, 0);
}

TEST(Farrington, FiveInFourRuleHidesTheBoundAndTheAlarm) {
  // Fewer than 5 cases in the last 4 weeks: no bound (NA) and no alarm (FALSE), even for a jump.
  std::vector<double> y(5 * 52 + 4, 1.0);
  y[y.size() - 1] = 4;  // 1 + 1 + 1 + 4 = 7 >= 5: evaluated
  y[y.size() - 2] = 0;  // 1 + 1 + 0 + 4 = 6
  FarringtonSettings s = farrington_original();
  const Detection d = farrington(weekly(y), s);
  const size_t last = y.size() - 1;
  EXPECT_FALSE(std::isnan(d.upperbound[last]));
  EXPECT_EQ(d.alarm[last], Alarm::kYes) << "4 cases against a baseline of 1 a week";
  std::vector<double> z = y;
  z[last - 1] = 0, z[last - 2] = 0;  // 1 + 0 + 0 + 4 = 5: still enough
  EXPECT_EQ(farrington(weekly(z), s).alarm[last], Alarm::kYes);
  z[last - 3] = 0;  // 0 + 0 + 0 + 4 = 4 < 5
  const Detection hidden = farrington(weekly(z), s);
  EXPECT_TRUE(std::isnan(hidden.upperbound[last]));
  EXPECT_EQ(hidden.alarm[last], Alarm::kNo);
}

TEST(Farrington, MissingCountsAsR) {
  std::vector<double> y = kSeries;
  y[270] = std::nan("");  // within the last 4 weeks of points 271..274 (1-based)
  y[100] = std::nan("");  // in a baseline: dropped from the fit
  FarringtonSettings s = farrington_original();
  s.b = 4;
  const Detection d = farrington(weekly(y), s, last20());
  for (size_t k = 270; k <= 273; ++k) {
    EXPECT_TRUE(std::isnan(d.upperbound[k])) << k;
    EXPECT_EQ(d.alarm[k], Alarm::kNo) << "R: alarm FALSE, not NA, when the 5-in-4 sum is NA";
  }
  EXPECT_FALSE(std::isnan(d.upperbound[274]));
}

TEST(Farrington, DefaultRangeAndSettingsChecks) {
  const Series s = weekly(kSeries);
  FarringtonSettings st = farrington_r_defaults();
  EXPECT_EQ(farrington_default_from(s, st), 52u * 5 + 3);
  const Detection d = farrington(s, st);
  EXPECT_EQ(d.alarm[262], Alarm::kNotEvaluated);
  EXPECT_NE(d.alarm[263], Alarm::kNotEvaluated);
  st.limit54_periods = 0;
  EXPECT_THROW(farrington(s, st), Error);
  Series dated = s;
  dated.dates.resize(dated.observed.size());
  for (size_t i = 0; i < dated.dates.size(); ++i) dated.dates[i] = static_cast<int32_t>(10000 + 7 * i);
  dated.frequency = 26;
  EXPECT_THROW(farrington(dated, farrington_r_defaults()), Error) << "R knows only days, weeks and months for dates";
}

}  // namespace
}  // namespace epinet::domain::warning
