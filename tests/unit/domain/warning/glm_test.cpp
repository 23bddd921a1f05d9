// The quasi-Poisson fit against R's glm(family = quasipoisson), values printed
// by R 4.2.2 with sprintf("%.17g").
#include "domain/warning/glm.h"

#include <gtest/gtest.h>

#include <cmath>

namespace epinet::domain::warning {
namespace {

void expect_rel(double got, double want, double tol, const char* what) {
  EXPECT_LE(std::fabs(got - want), tol * std::fabs(want)) << what << ": got " << got << ", R " << want;
}

GlmData trend_data() {
  GlmData d;
  d.y = {3, 4, 6, 4, 2, 2, 5, 6, 2, 1, 1, 2, 0, 1};
  for (int t = 1; t <= 14; ++t) d.time.push_back(t);
  d.trend = true;
  return d;
}

TEST(QuasiPoisson, TrendModelAsGlm) {
  // glm(y ~ 1 + t, family = quasipoisson)
  const GlmData d = trend_data();
  const GlmFit f = fit_quasipoisson(d);
  ASSERT_TRUE(f.ok);
  EXPECT_TRUE(f.converged);
  EXPECT_EQ(f.iterations, 5);
  expect_rel(f.beta[1], -0.10719164509795963, 1e-12, "slope");
  expect_rel(f.link(0, 0, 0), 1.7367855709478153, 1e-12, "intercept at t = 0");
  expect_rel(f.dispersion, 1.0339963824326583, 1e-12, "dispersion");
  EXPECT_EQ(f.df_residual, 12);
  expect_rel(f.trend_p_value(f.dispersion), 0.027295200682679748, 1e-11, "Pr(>|t|)");
  const double hat[] = {0.33954777671637087,  0.23530455713697701,  0.16324369826036739,  0.11642605611959304,
                        0.089140457871240031, 0.076710532505627496, 0.075329671847642943, 0.081920241662195747,
                        0.094013676841690319, 0.10964854275518904,  0.12728403516269904,  0.1457267309078728,
                        0.1640686972679965,   0.18163532494453793};
  const auto h = f.hat(d);
  for (int i = 0; i < 14; ++i) expect_rel(h[i], hat[i], 1e-11, "hatvalues");
  // predict(m, data.frame(t = 15), se.fit = TRUE, type = "response"): fit, se.fit
  const double mu = std::exp(f.link(15, 0, 0));
  expect_rel(mu, 1.1375887542102008, 1e-12, "predicted mean");
  expect_rel(std::sqrt(f.link_variance(15, 0) * f.dispersion) * mu, 0.4825257762456503, 1e-11, "se.fit");
}

TEST(QuasiPoisson, PriorWeights) {
  // glm(y ~ 1 + t, family = quasipoisson, weights = w)
  GlmData d = trend_data();
  d.prior = {1, 2, 1, 0.5, 1, 1, 1, 3, 1, 1, 1, 1, 1, 1};
  const GlmFit f = fit_quasipoisson(d);
  ASSERT_TRUE(f.ok);
  expect_rel(f.beta[1], -0.082503000662417322, 1e-12, "slope");
  expect_rel(f.link(0, 0, 0), 1.7204188974426591, 1e-12, "intercept");
  expect_rel(f.dispersion, 1.5193480447967314, 1e-12, "dispersion");
}

TEST(QuasiPoisson, FactorModel) {
  // glm(y ~ 1 + t + g, family = quasipoisson), g = factor(c(1,1,2,2,2,3,3,1,1,2,2,3,3,3))
  GlmData d = trend_data();
  d.levels = 3;
  d.level = {0, 0, 1, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2, 2};
  const GlmFit f = fit_quasipoisson(d);
  ASSERT_TRUE(f.ok);
  expect_rel(f.beta[1], -0.10453574942623188, 1e-12, "slope");
  expect_rel(f.beta[2], -0.11317222702680599, 1e-11, "g2");
  expect_rel(f.beta[3], -0.056501882821710064, 1e-11, "g3");
  expect_rel(f.dispersion, 1.2056071669406334, 1e-12, "dispersion");
  // predict(m3, data.frame(t = 15, g = 3), se.fit = TRUE, type = "link")
  expect_rel(f.link(15, 2, 0), 0.1530408965287087, 1e-11, "link");
  expect_rel(std::sqrt(f.link_variance(15, 2) * f.dispersion), 0.47071563639254843, 1e-11, "se (link)");
}

TEST(QuasiPoisson, AllZeroCountsConvergeLikeR) {
  // glm(rep(0, 20) ~ 1, family = quasipoisson): R reports convergence after 23
  // iterations, the intercept stepping down by one each time from log(0.1).
  GlmData d;
  d.y.assign(20, 0);
  const GlmFit f = fit_quasipoisson(d);
  ASSERT_TRUE(f.ok);
  EXPECT_TRUE(f.converged);
  EXPECT_EQ(f.iterations, 23);
  expect_rel(f.beta[0], -25.302585092994089, 1e-13, "intercept");
}

}  // namespace
}  // namespace epinet::domain::warning
