// The accuracy bar on a small simulated city: of all true
// transmissions through a venue, coach trip or household, at least 99 % have
// the infectee listed as a close contact when the infector is traced with
// the default rules. bench/trace/run reports the same at a larger size.
#include <gtest/gtest.h>

#include <cstdio>

#include "../../sim/sim_test_support.h"
#include "bench/trace/sim_accuracy.h"

namespace epinet::bench {
namespace {

TEST(TraceAccuracy, InfecteesOfVenueTripAndHouseholdTransmissionsAreListedAsCloseContacts) {
  auto s = sim::testing::small_scenario(20000, 21, 11);
  s.seeds_imported = 10;
  s.seeds_local = 10;
  sim::Simulator simulator(s, sim::testing::start_of(s), 2);
  auto rep = evaluate_tracing(simulator, domain::tracing::Rules{});
  ASSERT_GE(rep.transmissions, 30) << "the outbreak must be big enough to say something";
  EXPECT_GT(rep.by_setting[0], 0) << "venue transmissions";
  EXPECT_GT(rep.by_setting[2], 0) << "household transmissions";
  EXPECT_GE(rep.rate(), 0.99) << rep.listed << " of " << rep.transmissions << " listed (venue "
                              << rep.listed_by_setting[0] << "/" << rep.by_setting[0] << ", trip "
                              << rep.listed_by_setting[1] << "/" << rep.by_setting[1] << ", household "
                              << rep.listed_by_setting[2] << "/" << rep.by_setting[2] << ")";
  // A buffer of zero minutes and a 60-minute minimum overlap lose venue transmissions: the test can fail.
  domain::tracing::Rules strict;
  strict.buffer = 0;
  strict.min_overlap = 60 * domain::tracing::kMinute;
  sim::Simulator again(s, sim::testing::start_of(s), 2);
  auto tight = evaluate_tracing(again, strict);
  EXPECT_EQ(tight.transmissions, rep.transmissions) << "the same outbreak";
  EXPECT_LT(tight.listed_by_setting[0], rep.listed_by_setting[0]);
  std::printf("accuracy: %lld of %lld listed (venue %lld/%lld, trip %lld/%lld, household %lld/%lld), %.1f close contacts per infection, %lld stays\n",
              (long long)rep.listed, (long long)rep.transmissions, (long long)rep.listed_by_setting[0], (long long)rep.by_setting[0],
              (long long)rep.listed_by_setting[1], (long long)rep.by_setting[1], (long long)rep.listed_by_setting[2],
              (long long)rep.by_setting[2], rep.contacts_per_infection(), (long long)rep.stays);
}

}  // namespace
}  // namespace epinet::bench
