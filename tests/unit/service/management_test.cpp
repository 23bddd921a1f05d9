// enroll_managed as tracing and returnee registration call it, in their own
// transaction; and the management settings read from the configuration.
#include "service/management.h"

#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "core/error.h"
#include "service/runtime.h"
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
  // n new persons of `home`'s division, named prefix + i.
  std::vector<int64_t> new_persons(const store::Person& home, const std::string& prefix, int n, Millis now) {
    std::vector<int64_t> ids;
    db_->write([&](store::Connection& c) {
      for (int i = 0; i < n; ++i) {
        store::Person p;
        p.id_hash = prefix + "-" + std::to_string(i);
        p.id_enc = "x";
        p.id_masked = "1407**********" + std::to_string(1000 + i);
        p.name = prefix + std::to_string(i);
        p.division_id = home.division_id;
        p.division_path = home.division_path;
        ids.push_back(store::insert_person(c, p, now));
      }
    });
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
    all = store::managed_cases_after(c, f, 0, 10);
  });
  EXPECT_TRUE(all.empty());
}

// A tracing job hands over tens of thousands at once: the persons are read and
// the new cases written many rows a statement. The outcome must be what
// enrolling each person alone gives.
TEST_F(EnrollManagedTest, ManyAtOnceGiveWhatEachAloneGives) {
  const Millis now = now_ms();
  const auto home = person("王子涵");
  constexpr int kMany = 300;  // two full statements of 128 and the rest in smaller ones
  const std::vector<int64_t> together = new_persons(home, "批量", kMany, now),
                             alone = new_persons(home, "批量乙", kMany, now);
  const char* measures[] = {"close_contact", "secondary_contact", "companion"};
  auto input = [&](const std::vector<int64_t>& ids) {
    std::vector<Enrollment> in;
    for (int i = 0; i < kMany; ++i)
      in.push_back({ids[static_cast<size_t>(i)], measures[i % 3], now - (10 + i) * 60000LL, now - kHour,
                    "tracing_job:9", "via #" + std::to_string(i)});
    // Named twice (the second time a stronger measure), and one already under management.
    in.push_back({ids[4], "close_contact", now - 3 * kHour, now - kHour, "tracing_job:9", "again"});
    return in;
  };
  enroll({{alone[7], "companion", now - 50 * kHour, 0, "manual", "before"}}, now);
  enroll({{together[7], "companion", now - 50 * kHour, 0, "manual", "before"}}, now);

  const auto bulk = enroll(input(together), now);
  std::vector<int64_t> single;
  for (const auto& e : input(alone)) single.push_back(enroll({e}, now).at(0));
  ASSERT_EQ(bulk.size(), single.size());
  EXPECT_EQ(bulk[4], bulk[kMany]) << "a person named twice has one case";

  struct Seen {
    store::ManagedCase m;
    std::vector<store::ManagedTest> tests;
    std::vector<store::ManagedEvent> events;
    store::Person person;
  };
  auto seen = [&](int64_t case_id) {
    Seen s;
    db_->read([&](store::Connection& c) {
      s.m = *store::find_managed_case(c, case_id);
      s.tests = store::list_managed_tests(c, case_id);
      s.events = store::list_managed_events(c, case_id);
      s.person = *store::find_person(c, s.m.person_id);
    });
    return s;
  };
  for (size_t i = 0; i < bulk.size(); ++i) {
    SCOPED_TRACE("enrollment " + std::to_string(i));
    const Seen a = seen(bulk[i]), b = seen(single[i]);
    const size_t who = i < kMany ? i : 4;
    EXPECT_EQ(a.m.person_id, together[who]);
    EXPECT_EQ(b.m.person_id, alone[who]);
    EXPECT_EQ(std::tie(a.m.measure, a.m.place, a.m.state, a.m.anchor_at, a.m.case_reported_at, a.m.quarantine_end,
                       a.m.planned_end, a.m.source, a.m.note, a.m.division_path, a.m.district_id),
              std::tie(b.m.measure, b.m.place, b.m.state, b.m.anchor_at, b.m.case_reported_at, b.m.quarantine_end,
                       b.m.planned_end, b.m.source, b.m.note, b.m.division_path, b.m.district_id));
    ASSERT_EQ(a.tests.size(), b.tests.size());
    for (size_t k = 0; k < a.tests.size(); ++k)
      EXPECT_EQ(std::tie(a.tests[k].phase, a.tests[k].day, a.tests[k].due_from, a.tests[k].due_to, a.tests[k].result),
                std::tie(b.tests[k].phase, b.tests[k].day, b.tests[k].due_from, b.tests[k].due_to, b.tests[k].result));
    ASSERT_EQ(a.events.size(), b.events.size());
    for (size_t k = 0; k < a.events.size(); ++k)
      EXPECT_EQ(std::tie(a.events[k].kind, a.events[k].from_state, a.events[k].to_state, a.events[k].note,
                         a.events[k].detail, a.events[k].actor),
                std::tie(b.events[k].kind, b.events[k].from_state, b.events[k].to_state, b.events[k].note,
                         b.events[k].detail, b.events[k].actor));
    EXPECT_EQ(std::tie(a.person.manage_status, a.person.manage_until, a.person.case_status),
              std::tie(b.person.manage_status, b.person.manage_until, b.person.case_status));
  }
  // One audit entry an enrollment, as each alone writes.
  auto audited = [&](const std::vector<int64_t>& cases) {
    std::set<int64_t> wanted(cases.begin(), cases.end());
    size_t n = 0;
    db_->read([&](store::Connection& c) {
      store::AuditFilter f;
      f.action = "management.";
      for (const auto& e : store::list_audit(c, f, {1, 10000}).items)
        n += e.record_type == "managed_case" && wanted.count(std::stoll(e.record_id));
    });
    return n;
  };
  EXPECT_EQ(audited(bulk), audited(single));
  EXPECT_EQ(audited(bulk), static_cast<size_t>(kMany + 1 + 1));  // + the enrollment before, + the second naming
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

// More active cases than the board reads at once (1,000) and more overdue than it lists: it counts every
// one, lists the kBoardOverdue most overdue (the earliest deadline missed first, then by case), and the
// overdue list pages through all of them.
TEST_F(EnrollManagedTest, TheBoardCountsEveryOverdueCaseAndListsTheMostOverdueFirst) {
  const Millis now = now_ms();
  const auto home = person("王子涵");
  constexpr int kMany = 1'150, kOverdue = 130;
  const auto ids = new_persons(home, "看板", kMany, now);
  std::vector<Enrollment> in;
  for (int i = 0; i < kMany; ++i) {
    // The first kOverdue reported 30 h (and i minutes) ago: not under control within 24 h. The others an hour ago.
    const Millis reported = i < kOverdue ? now - 30 * kHour - i * 60000LL : now - kHour;
    in.push_back({ids[static_cast<size_t>(i)], "close_contact", reported - kHour, reported, "tracing_job:7", "board"});
  }
  enroll(in, now);
  Runtime rt(*db_, config_);
  const Caller commander = caller("commander");
  const Board b = management_board(rt, commander);

  // Every overdue case, from the overdue list a page at a time.
  std::vector<CaseRow> all;
  for (int64_t page = 1;; ++page) {
    auto got = list_managed(rt, commander, {}, true, {page, 200});
    EXPECT_EQ(got.total, b.overdue_total);
    if (got.items.empty()) break;
    for (auto& r : got.items) all.push_back(std::move(r));
  }
  ASSERT_EQ(static_cast<int64_t>(all.size()), b.overdue_total);
  std::set<int64_t> distinct;
  for (const auto& r : all) distinct.insert(r.mc.id);
  EXPECT_EQ(distinct.size(), all.size()) << "each overdue case once";
  EXPECT_GE(b.overdue_total, kOverdue);
  EXPECT_GT(b.active, kMany) << "every active case counted, beyond one batch";

  auto key = [](const CaseRow& r) {
    Millis first = std::numeric_limits<Millis>::max();
    for (const auto& d : r.overdue) first = std::min(first, d.due_at);
    return std::pair{first, r.mc.id};
  };
  std::sort(all.begin(), all.end(), [&](const CaseRow& x, const CaseRow& y) { return key(x) < key(y); });
  ASSERT_EQ(b.overdue.size(), kBoardOverdue);
  for (size_t i = 0; i < kBoardOverdue; ++i) {
    EXPECT_EQ(b.overdue[i].mc.id, all[i].mc.id) << "rank " << i;
    EXPECT_TRUE(b.overdue[i].next_deadline.has_value());
  }
  // The one reported longest ago is the most overdue of those enrolled here.
  const auto first_here = std::find_if(b.overdue.begin(), b.overdue.end(),
                                       [](const CaseRow& r) { return r.mc.note.find("board") != std::string::npos; });
  ASSERT_NE(first_here, b.overdue.end());
  EXPECT_EQ(first_here->mc.case_reported_at, in[kOverdue - 1].case_reported_at);
}

}  // namespace
}  // namespace epinet::service
