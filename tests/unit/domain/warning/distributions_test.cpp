// The distribution functions against values printed by R 4.2.2 (nmath) with
// sprintf("%.17g"): see docs/early-warning.md for how they were produced.
#include "domain/warning/distributions.h"

#include <gtest/gtest.h>

#include <cmath>

namespace epinet::domain::warning {
namespace {

void expect_rel(double got, double want, double tol, const char* what) {
  EXPECT_LE(std::fabs(got - want), tol * std::max(1e-300, std::fabs(want)))
      << what << ": got " << got << ", R " << want;
}

TEST(Distributions, QnormIsRsAs241) {
  // qnorm(c(0.999, 0.975, 0.95, 0.5, 0.9, 0.3, 1e-5, 1e-12, 1-1e-10, 0.92))
  const double p[] = {0.999, 0.975, 0.95, 0.5, 0.9, 0.3, 1e-5, 1e-12, 1 - 1e-10, 0.92};
  const double r[] = {3.0902323061678132, 1.9599639845400536,   1.6448536269514715,  0,
                      1.2815515655446008, -0.52440051270804067, -4.2648907939228256, -7.0344838253011321,
                      6.3613408896974208, 1.4050715603096327};
  for (int i = 0; i < 10; ++i) expect_rel(qnorm(p[i]), r[i], 1e-15, "qnorm");
  EXPECT_EQ(qnorm(0), -INFINITY);
  EXPECT_EQ(qnorm(1), INFINITY);
  EXPECT_TRUE(std::isnan(qnorm(1.5)));
}

TEST(Distributions, TTestPValueAsSummaryGlm) {
  // 2 * pt(-abs(c(1.5, 2.2, 0.3, 4)), c(10, 3.5, 200, 47))
  expect_rel(t_two_sided_p(1.5, 10), 0.16450732644544017, 1e-13, "pt 1.5/10");
  expect_rel(t_two_sided_p(-2.2, 3.5), 0.10233328032545587, 1e-13, "pt 2.2/3.5");
  expect_rel(t_two_sided_p(0.3, 200), 0.76448873018932795, 1e-13, "pt 0.3/200");
  expect_rel(t_two_sided_p(4, 47), 0.00022280617379691868, 1e-12, "pt 4/47");
}

TEST(Distributions, IncompleteBeta) {
  // pbeta(c(0.3, 0.7, 0.999, 0.5), c(2.5, 10, 1e5, 0.5), c(4, 3.2, 3, 30))
  expect_rel(pbeta(0.3, 2.5, 4), 0.35219758590676714, 1e-13, "pbeta 1");
  expect_rel(pbeta(0.7, 10, 3.2), 0.28522413326850204, 1e-13, "pbeta 2");
  expect_rel(pbeta(0.999, 1e5, 3), 1.8050206664622778e-40, 1e-9, "pbeta 3");
  expect_rel(pbeta(0.5, 0.5, 30), 0.99999999986697941, 1e-14, "pbeta 4");
}

TEST(Distributions, NegativeBinomialAndPoissonCdfs) {
  // pnbinom(c(3, 10, 50, 0, 1000), size = c(2.5, 0.3, 1e4, 5, 200), prob = c(0.4, 0.05, 0.99, 0.9, 0.2))
  expect_rel(pnbinom(3, 2.5, 0.4), 0.55580192155119446, 1e-13, "pnbinom 1");
  expect_rel(pnbinom(10, 0.3, 0.05), 0.82832674666684392, 1e-13, "pnbinom 2");
  expect_rel(pnbinom(50, 1e4, 0.99), 1.6333329644299771e-08, 1e-9, "pnbinom 3");
  expect_rel(pnbinom(0, 5, 0.9), 0.59049000000000007, 1e-14, "pnbinom 4");
  expect_rel(pnbinom(1000, 200, 0.2), 0.99856992903701203, 1e-13, "pnbinom 5");
  // ppois(c(3, 10, 50, 0, 1000), c(2.5, 0.3, 45, 5, 1020))
  expect_rel(ppois(3, 2.5), 0.75757613313306593, 1e-13, "ppois 1");
  expect_rel(ppois(10, 0.3), 0.99999999999996625, 1e-14, "ppois 2");
  expect_rel(ppois(50, 45), 0.79628029040741832, 1e-13, "ppois 3");
  expect_rel(ppois(0, 5), 0.006737946999085467, 1e-13, "ppois 4");
  expect_rel(ppois(1000, 1020), 0.27182795608259536, 1e-11, "ppois 5");
}

TEST(Distributions, DiscreteQuantilesAreRs) {
  // qnbinom(0.95, c(2.5, 0.3, 1e4, 5, 200, 1e-9, 1e6), c(0.4, 0.05, 0.99, 0.9, 0.2, 0.5, 1/1.000001))
  EXPECT_EQ(qnbinom(0.95, 2.5, 0.4), 10);
  EXPECT_EQ(qnbinom(0.95, 0.3, 0.05), 27);
  EXPECT_EQ(qnbinom(0.95, 1e4, 0.99), 118);
  EXPECT_EQ(qnbinom(0.95, 5, 0.9), 2);
  EXPECT_EQ(qnbinom(0.95, 200, 0.2), 907);
  EXPECT_EQ(qnbinom(0.95, 1e-9, 0.5), 0);
  EXPECT_EQ(qnbinom(0.95, 1e6, 1 / 1.000001), 3);
  EXPECT_EQ(qnbinom(1, 3, 0.5), INFINITY);
  // qpois(c(0.95, 0.95, 0.95, 0.05, 0.999), c(2.5, 0.3, 45, 5, 10000))
  EXPECT_EQ(qpois(0.95, 2.5), 5);
  EXPECT_EQ(qpois(0.95, 0.3), 1);
  EXPECT_EQ(qpois(0.95, 45), 56);
  EXPECT_EQ(qpois(0.05, 5), 2);
  EXPECT_EQ(qpois(0.999, 10000), 10310);
  // On an atom: P(X <= 0) = 0.59049 for NegBin(5, 0.9), so that is the 0.59049-quantile.
  EXPECT_EQ(qnbinom(0.59049, 5, 0.9), 0);
}

TEST(Distributions, LogGamma) {
  // lgamma(c(0.5, 1e-3, 3.7, 12.2, 1e6))
  expect_rel(lgamma_pos(0.5), 0.57236494292470008, 1e-15, "lgamma 0.5");
  expect_rel(lgamma_pos(1e-3), 6.9071788853838534, 1e-15, "lgamma 1e-3");
  expect_rel(lgamma_pos(3.7), 1.4280723266653881, 1e-15, "lgamma 3.7");
  expect_rel(lgamma_pos(12.2), 17.992568242826827, 1e-15, "lgamma 12.2");
  expect_rel(lgamma_pos(1e6), 12815504.569147611, 1e-15, "lgamma 1e6");
}

TEST(Distributions, QuantileType7) {
  // quantile(c(3,1,4,1,5,9,2,6,5), c(0.8, 0.5, 0.95, 0.9), type = 7)
  const std::vector<double> x{3, 1, 4, 1, 5, 9, 2, 6, 5};
  EXPECT_DOUBLE_EQ(quantile7(x, 0.8), 5.4000000000000004);
  EXPECT_DOUBLE_EQ(quantile7(x, 0.5), 4);
  EXPECT_DOUBLE_EQ(quantile7(x, 0.95), 7.7999999999999989);
  EXPECT_DOUBLE_EQ(quantile7(x, 0.9), 6.5999999999999979);
  EXPECT_TRUE(std::isnan(quantile7({}, 0.5)));
}

}  // namespace
}  // namespace epinet::domain::warning
