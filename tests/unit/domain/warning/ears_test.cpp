// EARS C1, C2, C3 (R's earsC) and the published C3, on small series worked by
// hand; the comparison with R on real data is tests/integration/detect_r.test.mjs.
#include "domain/warning/ears.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "domain/warning/distributions.h"

namespace epinet::domain::warning {
namespace {

const double NA = std::nan("");

Series series(std::vector<double> y) {
  Series s;
  s.observed = std::move(y);
  return s;
}

TEST(Ears, C1IsMeanPlusZTimesSdOfTheLastSevenDays) {
  // Days 1-7 are the baseline of day 8; day 10's baseline is days 3-9.
  const Series s = series({1, 2, 3, 4, 5, 6, 7, 4, 20, 3});
  const Detection d = ears(s, EarsMethod::kC1, {});
  for (int t = 0; t < 7; ++t) EXPECT_EQ(d.alarm[t], Alarm::kNotEvaluated) << t;
  const double z = qnorm(0.999);  // R's default alpha for C1
  // Day 8: mean 4, sd sqrt(28 / 6).
  EXPECT_NEAR(d.upperbound[7], 4 + z * std::sqrt(28.0 / 6), 1e-13);
  EXPECT_EQ(d.alarm[7], Alarm::kNo);
  // Day 9: baseline 2..7, 4: mean 31/7.
  const double m9 = 31.0 / 7;
  double ss = 0;
  for (double v : {2, 3, 4, 5, 6, 7, 4}) ss += (v - m9) * (v - m9);
  EXPECT_NEAR(d.upperbound[8], m9 + z * std::sqrt(ss / 6), 1e-13);
  EXPECT_EQ(d.alarm[8], Alarm::kYes) << "20 cases against a mean of 4.4";
}

TEST(Ears, C2SkipsTwoDays) {
  // Day 10's C2 baseline is days 1-7 (lag 3).
  const Series s = series({4, 4, 4, 4, 4, 4, 4, 50, 50, 5});
  const Detection d = ears(s, EarsMethod::kC2, {});
  EXPECT_EQ(d.alarm[8], Alarm::kNotEvaluated);
  EXPECT_DOUBLE_EQ(d.upperbound[9], 4) << "constant baseline: the bound is its mean";
  EXPECT_EQ(d.alarm[9], Alarm::kYes);
}

TEST(Ears, ZeroVarianceBaselineAsR) {
  // sd = 0: C1's bound is the mean, so a count equal to it raises nothing and
  // one above it raises an alarm; C3 divides by zero and gives NaN, alarm NA.
  const Series s = series({5, 5, 5, 5, 5, 5, 5, 5, 6, 5, 5, 5, 5});
  const Detection c1 = ears(s, EarsMethod::kC1, {});
  EXPECT_DOUBLE_EQ(c1.upperbound[7], 5);
  EXPECT_EQ(c1.alarm[7], Alarm::kNo);
  EXPECT_EQ(c1.alarm[8], Alarm::kYes);
  const Detection c3 = ears(s, EarsMethod::kC3, {});
  EXPECT_TRUE(std::isnan(c3.upperbound[11]));
  EXPECT_EQ(c3.alarm[11], Alarm::kMissing);
  // min_sigma avoids it.
  EarsSettings floor;
  floor.min_sigma = 0.5;
  const Detection c1f = ears(s, EarsMethod::kC1, floor);
  EXPECT_DOUBLE_EQ(c1f.upperbound[7], 5 + qnorm(0.999) * 0.5);
  EXPECT_EQ(c1f.alarm[8], Alarm::kNo);
}

TEST(Ears, MissingCountsAsR) {
  // A missing count: that day's alarm is NA, and every bound whose baseline
  // holds it is NA too (R's mean/sd without na.rm).
  const Series s = series({1, 2, 1, 2, 1, 2, 1, NA, 2, 1, 2, 1, 2, 1, 2, 1, 9});
  const Detection d = ears(s, EarsMethod::kC1, {});
  EXPECT_FALSE(std::isnan(d.upperbound[7]));
  EXPECT_EQ(d.alarm[7], Alarm::kMissing) << "no count, no alarm";
  for (int t = 8; t <= 14; ++t) {
    EXPECT_TRUE(std::isnan(d.upperbound[t])) << t;
    EXPECT_EQ(d.alarm[t], Alarm::kMissing) << t;
  }
  EXPECT_EQ(d.alarm[15], Alarm::kNo);
  EXPECT_EQ(d.alarm[16], Alarm::kYes);
}

TEST(Ears, RsC3AlarmsOnThePreviousTwoDaysNotToday) {
  // Baseline 10, 12, 10, 12, ... (sd about 1.07). Days 13 and 14 are high, day 15 is back to normal.
  std::vector<double> y;
  for (int i = 0; i < 12; ++i) y.push_back(i % 2 ? 12 : 10);
  y.push_back(20);
  y.push_back(20);
  y.push_back(11);
  const Detection r = ears(series(y), EarsMethod::kC3, {});
  const Detection pub = ears(series(y), EarsMethod::kC3Published, {});
  // Day 15 (index 14): the two previous days' excesses are large, so R's C3
  // alarms although 11 is an ordinary count; its bound is clamped to 0.
  EXPECT_EQ(r.alarm[14], Alarm::kYes);
  EXPECT_DOUBLE_EQ(r.upperbound[14], 0);
  // The published C3 sums today's excess too and alarms as well here (the
  // previous days alone exceed 2), with a bound below today's count.
  EXPECT_EQ(pub.alarm[14], Alarm::kYes);
  // Day 13 (index 12): R's C3 looks only at days 11 and 12 (normal): no alarm
  // however high day 13 is; the published C3 alarms on day 13 itself.
  EXPECT_EQ(r.alarm[12], Alarm::kNo);
  EXPECT_EQ(pub.alarm[12], Alarm::kYes);
  EXPECT_LT(pub.upperbound[12], 20);
}

TEST(Ears, PublishedC3BoundIsWhereTodayTipsTheSum) {
  // Quiet previous days (11 and 11, within one sd of their baselines): the
  // bound is mean + sd * (1 + threshold).
  std::vector<double> y;
  for (int i = 0; i < 11; ++i) y.push_back(i % 2 ? 12 : 10);
  y.push_back(11);
  y.push_back(11);
  y.push_back(12);
  const Detection d = ears(series(y), EarsMethod::kC3Published, {});
  // Day 14 (index 13): its C2 window is indices 4..10: 10,12,10,12,10,12,10.
  const double mean = 76.0 / 7;
  double ss = 0;
  for (double v : {10, 12, 10, 12, 10, 12, 10}) ss += (v - mean) * (v - mean);
  EXPECT_NEAR(d.upperbound[13], mean + std::sqrt(ss / 6) * 3, 1e-12);
  EXPECT_EQ(d.alarm[13], Alarm::kNo);
}

TEST(Ears, RejectsWhatRRejects) {
  const Series s = series(std::vector<double>(20, 1));
  EarsSettings short_baseline;
  short_baseline.baseline = 2;
  EXPECT_THROW(ears(s, EarsMethod::kC1, short_baseline), Error);
  Range early;
  early.from = 6;  // C1 needs 7 days before the first point
  EXPECT_THROW(ears(s, EarsMethod::kC1, {}, early), Error);
  EXPECT_NO_THROW(ears(series({1, 2}), EarsMethod::kC3, {})) << "too short: nothing evaluated, no error";
}

}  // namespace
}  // namespace epinet::domain::warning
