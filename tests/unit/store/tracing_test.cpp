// The SQL reference query and the in-memory index give the same exposures on
// the boundary cases of every rule (buffer edges, stays without an exit,
// the companion tier, coach rows and crew, households), read from one store.
#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "../test_support.h"
#include "service/tracing.h"
#include "store/tracing.h"

namespace epinet::store {
namespace {
namespace tr = domain::tracing;

constexpr Millis kT = 1'795'000'000'000LL;
constexpr Millis kM = tr::kMinute;

class TracingStoreTest : public testing::SqliteTest {
 protected:
  void SetUp() override {
    db_->write([&](Connection& c) {
      c.exec_script(
          "INSERT INTO divisions (id, code, name, level, path, created_at, updated_at) VALUES (1, '999999', 'x', "
          "'city', '/1/', 0, 0);"
          "INSERT INTO venues (id, name, type, division_id, division_path, created_at, updated_at) VALUES "
          "(10, 'r', 'restaurant', 1, '/1/', 0, 0), (11, 's', 'shop', 1, '/1/', 0, 0)");
      for (int64_t p = 1; p <= 12; ++p)
        c.query("INSERT INTO persons (id, id_hash, id_enc, id_masked, name, division_id, division_path, household_id, "
                "state_changed_at, created_at, updated_at) VALUES (?, ?, '', '', 'p', 1, '/1/', ?, 0, 0, 0)",
                {p, "h" + std::to_string(p), p <= 2 ? int64_t{1} : p});
    });
    stay(1, 10, kT, kT + 60 * kM);
    stay(3, 10, kT - 60 * kM, kT - 15 * kM);      // ends at the buffer's edge
    stay(4, 10, kT - 60 * kM, kT - 15 * kM - 1);  // 1 ms short
    stay(5, 10, kT + 75 * kM, std::nullopt);      // enters at the far edge, no exit
    stay(6, 10, kT + 75 * kM + 1, kT + 80 * kM);  // 1 ms late
    stay(7, 10, kT + 30 * kM, kT + 32 * kM);      // 2 minutes: a companion when the minimum is 15
    stay(1, 11, kT + 120 * kM, std::nullopt);     // the shop: 10 minutes by default
    stay(8, 11, kT + 129 * kM, kT + 140 * kM);
    stay(9, 11, kT + 160 * kM, kT + 170 * kM);    // after the default stay and buffer
    db_->write([&](Connection& c) {
      int64_t trip = upsert_trip(c, {"T1", "晋K0001", "a—b", kT + 300 * kM, kT + 360 * kM, {}, {}}, kT);
      upsert_seat(c, trip, 1, 5, 2, false);
      upsert_seat(c, trip, 10, 0, 1, true);
      upsert_seat(c, trip, 11, 8, 1, false);
      upsert_seat(c, trip, 12, 9, 1, false);
    });
  }

  void stay(int64_t person, int64_t venue, Millis in, std::optional<Millis> out) {
    db_->write([&](Connection& c) {
      c.query("INSERT INTO checkins (id, venue_id, entrance, direction, person_id, at, t_out, decision, reasons, mask, "
              "channel, rule_set_version) VALUES (?, ?, 'e', 'in', ?, ?, ?, 'pass', '[]', 1, 'code', 't')",
              {++id_, venue, person, in, opt(out)});
    });
  }

  using Row = std::tuple<int64_t, int, int, int64_t, Millis, Millis, Millis>;
  static std::set<Row> rows(const std::vector<tr::Exposure>& v) {
    std::set<Row> s;
    for (const auto& e : v)
      s.insert({e.person_id, static_cast<int>(e.kind), static_cast<int>(e.setting), e.place_id, e.from, e.to, e.overlap});
    return s;
  }

  std::pair<std::set<Row>, std::set<Row>> both(const tr::Rules& r, Millis from, Millis to, int64_t who = 1) {
    auto ix = service::build_trace_index(*db_, 0);
    std::vector<tr::Exposure> a, b;
    ix->exposures(who, from, to, r, a);
    db_->read([&](Connection& c) { SqlContactSource(c).exposures(who, from, to, r, b); });
    return {rows(a), rows(b)};
  }

  std::set<int64_t> people(const std::set<Row>& s, tr::ContactKind k) {
    std::set<int64_t> out;
    for (const auto& x : s)
      if (std::get<1>(x) == static_cast<int>(k)) out.insert(std::get<0>(x));
    return out;
  }

  int64_t id_ = 0;
};

TEST_F(TracingStoreTest, IndexAndSqlAgreeOnEveryRuleWithTheDefaults) {
  tr::Rules r = tr::rules_from_settings({{"EPINET_TRACE_STAY_MIN_BY_TYPE", "shop:10"}});
  auto [ix, sql] = both(r, kT - tr::kDay, kT + tr::kDay);
  EXPECT_EQ(ix, sql);
  EXPECT_EQ(people(ix, tr::ContactKind::kClose), (std::set<int64_t>{2, 3, 5, 7, 8, 10, 11}))
      << "household 2; buffer edges 3 and 5; 7; the shop's 8; the driver and row 8 on the coach";
}

TEST_F(TracingStoreTest, IndexAndSqlAgreeWithTheCompanionTierAndAClippedWindow) {
  tr::Rules r = tr::rules_from_settings({{"EPINET_TRACE_STAY_MIN_BY_TYPE", "shop:10"},
                                         {"EPINET_TRACE_MIN_OVERLAP_MIN", "15"},
                                         {"EPINET_TRACE_CLOSE_VENUE_TYPES", "restaurant"}});
  auto [ix, sql] = both(r, kT - tr::kDay, kT + tr::kDay);
  EXPECT_EQ(ix, sql);
  EXPECT_EQ(people(ix, tr::ContactKind::kCompanion), (std::set<int64_t>{3, 5, 7, 8}))
      << "3 and 5 only touch the buffer's edges, 7 stayed 2 minutes, the shop is not of close interaction";
  EXPECT_EQ(people(ix, tr::ContactKind::kClose), (std::set<int64_t>{2, 10, 11})) << "household and coach rules stay";
  auto [ix2, sql2] = both(r, kT + 10 * kM, kT + 20 * kM);  // isolated 20 minutes in
  EXPECT_EQ(ix2, sql2);
  EXPECT_FALSE(people(ix2, tr::ContactKind::kClose).count(5));
  EXPECT_FALSE(people(ix2, tr::ContactKind::kClose).count(10)) << "the trip is after the window";
}

TEST_F(TracingStoreTest, IndexAndSqlAgreeAfterAnExitClosesAStay) {
  db_->write([&](Connection& c) { close_stay(c, 11, 1, kT + 125 * kM); });
  tr::Rules r = tr::rules_from_settings({{"EPINET_TRACE_STAY_MIN_BY_TYPE", "shop:10"}, {"EPINET_TRACE_BUFFER_MIN", "0"}});
  auto [ix, sql] = both(r, kT - tr::kDay, kT + tr::kDay);
  EXPECT_EQ(ix, sql);
  EXPECT_FALSE(people(ix, tr::ContactKind::kClose).count(8)) << "left the shop before person 8 came";
}

}  // namespace
}  // namespace epinet::store

namespace epinet::store {
namespace {

TEST_F(TracingStoreTest, TheIndexReadsEveryStayOnceInKeyOrderPageByPage) {
  stay(2, 10, kT, kT + 5 * kM);  // the same entry time as person 1's: the id decides
  stay(12, 10, kT, kT + 5 * kM);
  std::vector<TraceStay> all, paged;
  db_->read([&](Connection& c) {
    scan_stays(c, 0, [&](const TraceStay& s) { all.push_back(s); });
    scan_stays(c, 0, [&](const TraceStay& s) { paged.push_back(s); }, 2);  // pages of two
  });
  ASSERT_EQ(all.size(), 11u);
  ASSERT_EQ(paged.size(), all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(paged[i].person_id, all[i].person_id) << i;
    EXPECT_EQ(paged[i].in, all[i].in) << i;
  }
  std::vector<TraceStay> later;
  db_->read([&](Connection& c) { scan_stays(c, kT + 100 * kM, [&](const TraceStay& s) { later.push_back(s); }, 1); });
  EXPECT_EQ(later.size(), 3u) << "the shop's three stays from kT + 120 min";
}

TEST_F(TracingStoreTest, EachPageStartsWhereTheLastEndedInThePrimaryKey) {
  // Not a scan from the first row with a filter (each page would read all the earlier ones again).
  std::string plan;
  db_->read([&](Connection& c) {
    for (const auto& row : c.query(std::string("EXPLAIN QUERY PLAN ") + kScanStaysSql, {1, 2, 3, 0, 10}).rows)
      plan += as_text(row.back()) + "\n";
  });
  EXPECT_NE(plan.find("USING PRIMARY KEY ((venue_id,at,id)>(?,?,?))"), std::string::npos) << plan;
}

TEST_F(TracingStoreTest, AJobInReviewIsDecidedOnceAndAStoppedHandOverIsResumedNotFailed) {
  auto job = [&](const std::string& status) {
    TraceJob j;
    j.status = status;
    j.index_cases_json = "[]";
    j.rules_version = "v";
    j.rules_json = "{}";
    j.engine = "index";
    j.created_at = kT;
    j.reported_at = kT + 5;
    int64_t id = 0;
    db_->write([&](Connection& c) { id = insert_trace_job(c, j); });
    return id;
  };
  const int64_t review = job("review"), running = job("running"), queued = job("queued");
  TraceJob d;
  d.id = review;
  d.status = "running";
  d.progress = 0.8;
  d.decision = "handover";
  d.handover_kinds = "close";
  d.decided_by_name = "commander";
  d.decided_at = kT + 60;
  bool first = false, second = true, not_in_review = true;
  db_->write([&](Connection& c) {
    first = decide_trace_job(c, d);
    second = decide_trace_job(c, d);  // another commander, a moment later
    d.id = running;
    not_in_review = decide_trace_job(c, d);
  });
  EXPECT_TRUE(first);
  EXPECT_FALSE(second) << "decided once";
  EXPECT_FALSE(not_in_review);
  std::vector<int64_t> resumed;
  int64_t failed = 0;
  db_->write([&](Connection& c) {
    failed = fail_unfinished_trace_jobs(c, kT + 100);
    resumed = trace_jobs_handing_over(c);
  });
  EXPECT_EQ(failed, 2) << "the running trace and the queued one";
  EXPECT_EQ(resumed, std::vector<int64_t>{review}) << "the decided hand-over is resumed";
  db_->read([&](Connection& c) {
    auto r = find_trace_job(c, review);
    EXPECT_EQ(r->status, "running");
    EXPECT_EQ(r->decision, "handover");
    EXPECT_EQ(r->handover_kinds, "close");
    EXPECT_EQ(r->decided_by_name, "commander");
    EXPECT_EQ(r->decided_at, kT + 60);
    EXPECT_EQ(r->reported_at, kT + 5);
    EXPECT_EQ(find_trace_job(c, running)->status, "failed");
    EXPECT_EQ(find_trace_job(c, queued)->status, "failed");
  });
}

TEST_F(TracingStoreTest, AHandOverReadsATiersContactsInStepsByPersonId) {
  std::vector<TraceContactRow> rows;
  for (int64_t p : {9, 3, 7, 5, 11}) {
    TraceContactRow x;
    x.job_id = 1;
    x.person_id = p;
    x.kind = p == 11 ? "secondary" : "close";
    x.first_exposure = kT + p;
    x.last_exposure = kT + 2 * p;
    x.via_person_id = 1;
    x.setting = "venue";
    x.place_id = 10;
    x.evidence_json = "[]";
    rows.push_back(x);
  }
  std::vector<int64_t> seen;
  db_->write([&](Connection& c) {
    insert_trace_contacts(c, rows);
    for (int64_t after = 0;;) {
      auto step = trace_contacts_after(c, 1, "close", after, 2);
      if (step.empty()) break;
      for (const auto& x : step) {
        seen.push_back(x.person_id);
        EXPECT_EQ(x.last_exposure, kT + 2 * x.person_id);
      }
      after = step.back().person_id;
    }
  });
  EXPECT_EQ(seen, (std::vector<int64_t>{3, 5, 7, 9})) << "the close tier only, each once, in order";
}

}  // namespace
}  // namespace epinet::store
