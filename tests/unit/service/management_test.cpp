// enroll_managed as tracing and returnee registration call it, in their own
// transaction; and the management settings read from the configuration.
#include "service/management.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "service_test_support.h"
#include "store/people.h"

namespace epinet::service {
namespace {

using epinet::testing::DemoCityTest;
constexpr Millis kHour = 3600LL * 1000;

class EnrollManagedTest : public DemoCityTest {
 protected:
  store::Person person(const std::string& name) {
    store::PersonFilter f;
    f.q = name;
    std::optional<store::Person> out;
    db_->read([&](store::Connection& c) {
      auto page = store::list_persons(c, f, {1, 5});
      if (!page.items.empty()) out = page.items[0];
    });
    if (!out) throw std::runtime_error("no person " + name);
    return *out;
  }
  std::vector<int64_t> enroll(const std::vector<Enrollment>& in, Millis now) {
    std::vector<int64_t> ids;
    db_->write([&](store::Connection& c) { ids = enroll_managed(c, caller("commander"), in, now); });
    return ids;
  }
  store::ManagedCase managed(int64_t id) {
    std::optional<store::ManagedCase> m;
    db_->read([&](store::Connection& c) { m = store::find_managed_case(c, id); });
    return *m;
  }
};

TEST_F(EnrollManagedTest, AContactBecomesAManagedCaseAndThePersonsStatusFollows) {
  const Millis now = now_ms();
  auto p = person("王子涵");
  auto ids = enroll({{p.id, "close_contact", now - 5 * kHour, now - 2 * kHour, "tracing_job:1", "同桌用餐"}}, now);
  ASSERT_EQ(ids.size(), 1u);
  auto m = managed(ids[0]);
  EXPECT_EQ(m.state, "identified");
  EXPECT_EQ(m.place, "centralized");
  EXPECT_EQ(m.source, "tracing_job:1");
  EXPECT_EQ(m.case_reported_at, now - 2 * kHour);
  auto after = person("王子涵");
  EXPECT_EQ(after.manage_status, "close_contact");
  EXPECT_EQ(after.manage_until, m.planned_end);
  std::vector<store::ManagedTest> tests;
  db_->read([&](store::Connection& c) { tests = store::list_managed_tests(c, ids[0]); });
  EXPECT_EQ(tests.size(), 6u);
}

TEST_F(EnrollManagedTest, EnrollingAgainKeepsTheCaseNeverShortensAndAStrongerMeasureTakesOver) {
  const Millis now = now_ms();
  auto p = person("杨帆");
  auto first = enroll({{p.id, "companion", now - 30 * kHour, 0, "tracing_job:2", ""}}, now);
  auto m1 = managed(first[0]);
  EXPECT_EQ(person("杨帆").manage_status, "companion");
  // The same exposure again (a second tracing job): the same case, unchanged ends.
  auto again = enroll({{p.id, "companion", now - 30 * kHour, 0, "tracing_job:3", ""}}, now);
  EXPECT_EQ(again[0], first[0]);
  EXPECT_EQ(managed(first[0]).planned_end, m1.planned_end);
  // Promoted to close contact: same case, stronger measure, later end, code red.
  auto up = enroll({{p.id, "close_contact", now - 2 * kHour, now - kHour, "tracing_job:4", "investigator"}}, now);
  EXPECT_EQ(up[0], first[0]);
  auto m2 = managed(first[0]);
  EXPECT_EQ(m2.measure, "close_contact");
  EXPECT_GT(m2.planned_end, m1.planned_end);
  EXPECT_EQ(person("杨帆").manage_status, "close_contact");
  // A weaker measure afterwards changes nothing.
  enroll({{p.id, "secondary_contact", now - kHour, 0, "tracing_job:5", ""}}, now);
  EXPECT_EQ(managed(first[0]).measure, "close_contact");
  EXPECT_EQ(managed(first[0]).planned_end, m2.planned_end);
}

TEST_F(EnrollManagedTest, BadInputRollsBackTheCallersTransaction) {
  const Millis now = now_ms();
  auto p = person("赵磊");
  EXPECT_THROW(enroll({{p.id, "close_contact", now - kHour, 0, "t", ""}, {p.id, "friend", now - kHour, 0, "t", ""}}, now),
               Error);
  EXPECT_THROW(enroll({{987654321, "close_contact", now - kHour, 0, "t", ""}}, now), Error);
  EXPECT_THROW(enroll({{p.id, "close_contact", now + 24 * kHour, 0, "t", ""}}, now), Error);
  EXPECT_EQ(person("赵磊").manage_status, "none") << "the first, valid enrollment was rolled back with the batch";
  std::vector<store::ManagedCase> all;
  db_->read([&](store::Connection& c) {
    store::ManagedCaseFilter f;
    f.person_id = p.id;
    all = store::all_managed_cases(c, f, 10);
  });
  EXPECT_TRUE(all.empty());
}

TEST(ManagementSettings, DefaultsComeFromTheDefaultsFileAndOverridesAreValidated) {
  Config c = load_config({});
  auto s = management_settings_from(c);
  EXPECT_EQ(s.close_contact.quarantine_days, 7);
  EXPECT_EQ(s.close_contact.monitoring_days, 3);
  EXPECT_EQ(s.close_contact.quarantine_tests, (std::vector<int>{1, 2, 3, 5, 7}));
  EXPECT_EQ(s.secondary_contact.quarantine_tests, (std::vector<int>{1, 4, 7}));
  EXPECT_EQ(s.control_hours, 24);
  EXPECT_EQ(s.reports_per_day, 2);
  EXPECT_DOUBLE_EQ(s.fever_threshold_c, 37.3);
  Config o = load_config({{"EPINET_MANAGE_CLOSE_CONTACT", "centralized:14:7:1,7,14:7"}, {"EPINET_HEALTH_REPORTS_PER_DAY", "3"}});
  auto s2 = management_settings_from(o);
  EXPECT_EQ(s2.close_contact.quarantine_days, 14);
  EXPECT_EQ(s2.reports_per_day, 3);
  Config bad = load_config({{"EPINET_MANAGE_CONTROL_HOURS", "0"}});
  try {
    management_settings_from(bad);
    ADD_FAILURE() << "0 hours accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "invalid_setting");
    EXPECT_NE(std::string(e.what()).find("EPINET_MANAGE_CONTROL_HOURS"), std::string::npos);
  }
}

}  // namespace
}  // namespace epinet::service
