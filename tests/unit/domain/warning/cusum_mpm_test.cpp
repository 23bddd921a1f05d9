// CUSUM (R's algo.cusum) and the CIDARS moving percentile method on small
// series worked by hand; the calendar helpers they rely on.
#include <gtest/gtest.h>

#include <cmath>

#include "domain/warning/cusum.h"
#include "domain/warning/mpm.h"
#include "domain/warning/series.h"

namespace epinet::domain::warning {
namespace {

Series series(std::vector<double> y, int frequency = 52) {
  Series s;
  s.observed = std::move(y);
  s.frequency = frequency;
  return s;
}

TEST(Cusum, StandardTransformAccumulatesExcess) {
  // m = mean of the 4 training counts = 4; z = (x - 4) / 2; S = max(0, S + z - k).
  CusumSettings s;
  s.trans = CusumTransform::kStandard;
  s.k = 1;
  s.h = 2;
  Range r;
  r.from = 4;
  const Detection d = cusum(series({3, 5, 4, 4, 8, 8, 4, 0}), s, r);
  // S: 8 -> max(0, 2 - 1) = 1; 8 -> 1 + 1 = 2 (alarm); 4 -> 2 + 0 - 1 = 1; 0 -> max(0, 1 - 2 - 1) = 0
  EXPECT_EQ(d.alarm[4], Alarm::kNo);
  EXPECT_EQ(d.alarm[5], Alarm::kYes);
  EXPECT_EQ(d.alarm[6], Alarm::kNo);
  EXPECT_EQ(d.alarm[7], Alarm::kNo);
  // Bound: ceiling(sqrt(m) (h + k - S_{t-1}) + m) = ceiling(2 * (3 - S_prev) + 4)
  EXPECT_DOUBLE_EQ(d.upperbound[4], 10);
  EXPECT_DOUBLE_EQ(d.upperbound[5], 8);
  EXPECT_DOUBLE_EQ(d.upperbound[6], 6);
  EXPECT_DOUBLE_EQ(d.upperbound[7], 8);
  EXPECT_EQ(d.alarm[3], Alarm::kNotEvaluated);
}

TEST(Cusum, RossiIsTheDefaultAndAMissingCountStopsItAsInR) {
  CusumSettings s;
  EXPECT_EQ(s.trans, CusumTransform::kRossi);
  Range r;
  r.from = 3;
  const Detection d = cusum(series({2, 2, 2, 2, std::nan(""), 2}), s, r);
  EXPECT_EQ(d.alarm[3], Alarm::kNo);
  EXPECT_EQ(d.alarm[4], Alarm::kMissing);
  EXPECT_EQ(d.alarm[5], Alarm::kMissing) << "R: the sum stays NA from the missing count on";
  EXPECT_DOUBLE_EQ(d.upperbound[5], 0) << "R reports an NA bound as 0";
}

TEST(Mpm, CurrentWeekAgainstThePercentileOfNineBlocks) {
  // Daily, undated, frequency 365: 3 years of 1 a day, then a week of 3 a day.
  std::vector<double> y(3 * 365 + 30, 1.0);
  for (size_t i = y.size() - 7; i < y.size(); ++i) y[i] = 3;
  const Detection d = mpm(series(y, 365), {});
  const size_t last = y.size() - 1;
  EXPECT_DOUBLE_EQ(d.upperbound[last], 7) << "every baseline block holds 7 cases";
  EXPECT_EQ(d.alarm[last], Alarm::kYes) << "21 > 7";
  EXPECT_EQ(d.alarm[3 * 365 + 7 - 1], Alarm::kNotEvaluated) << "the third year back starts before the series";
  EXPECT_NE(d.alarm[3 * 365 + 7 + 6], Alarm::kNotEvaluated);
}

TEST(Mpm, PercentileIsRsType7AndMissingBlocksAreLeftOut) {
  // Weekly blocks of one period (frequency 52): baseline = 3 years x 3 weeks.
  std::vector<double> y(3 * 52 + 2, 0.0);
  const size_t t = y.size() - 1;  // 157
  const double vals[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  size_t v = 0;
  for (int yr = 1; yr <= 3; ++yr)
    for (int j = -1; j <= 1; ++j) y[t - yr * 52 + j] = vals[v++];
  y[t] = 8;
  MpmSettings s;
  const Detection d = mpm(series(y), s);
  EXPECT_DOUBLE_EQ(d.upperbound[t], 7.4);  // quantile(1:9, 0.8, type = 7)
  EXPECT_EQ(d.alarm[t], Alarm::kYes);
  y[t - 52] = std::nan("");  // the block holding 2 (a year back, same week) is left out
  const Detection m = mpm(series(y), s);
  EXPECT_DOUBLE_EQ(m.upperbound[t], 7.6000000000000005);  // quantile(c(1, 3:9), 0.8, type = 7)
}

TEST(WarningCalendar, YearsBackAsRsSeqDate) {
  const int32_t feb29 = days_from_civil({2020, 2, 29});
  const CivilDate back = civil_from_days(minus_years(feb29, 1));
  EXPECT_EQ(back.year, 2019);
  EXPECT_EQ(back.month, 3);
  EXPECT_EQ(back.day, 1) << "R: seq(as.Date('2020-02-29'), by = '-1 year', length.out = 2)[2] is 2019-03-01";
  EXPECT_EQ(minus_years(days_from_civil({2021, 6, 15}), 2), days_from_civil({2019, 6, 15}));
  EXPECT_EQ(weekday(0), 4) << "1970-01-01 was a Thursday";
  EXPECT_EQ(weekday(days_from_civil({2026, 11, 29})), 0) << "a Sunday";
  EXPECT_EQ(days_from_civil({1970, 1, 1}), 0);
  const CivilDate c = civil_from_days(days_from_civil({1999, 12, 31}) + 1);
  EXPECT_EQ(c.year, 2000);
  EXPECT_EQ(c.month, 1);
  EXPECT_EQ(c.day, 1);
}

}  // namespace
}  // namespace epinet::domain::warning
