#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "core/table_file.h"
#include "domain/community/reconcile.h"
#include "domain/community/returnee.h"
#include "domain/community/tables.h"

namespace epinet::domain::community {
namespace {

constexpr Millis kDay = 24LL * 3600 * 1000;
constexpr Millis kT = 1'795'000'000'000LL;

// A hex "keyed hash" for tests: the first 16 characters differ per person.
std::string h(int n, char tail = '0') {
  char b[17];
  std::snprintf(b, sizeof b, "%016x", n * 2654435761u);
  return std::string(b) + std::string(48, tail);
}

std::vector<Resident> roster() {
  return {
      {1, h(1), "13800000001", "张三", 10, false, false},
      {2, h(2), "13800000002", "李四", 11, true, false},   // registered
      {3, h(3), "", "王五", 10, false, false},             // no phone
      {4, h(4), "13800000004", "赵六", 11, false, true},   // moved out
      {5, h(5), "13800000009", "钱七", 10, false, false},  // shares a phone with 6
      {6, h(6), "13800000009", "孙八", 11, false, false},
      {7, h(7), "", "同名", 10, false, false},             // shares a name with 8
      {8, h(8), "", "同名", 11, false, false},
  };
}

Match one(const RosterIndex& idx, const ListRow& row, const OpenElsewhere& open = {}) {
  return reconcile(idx, {row}, open).at(0);
}

TEST(Reconcile, MatchesByIdentityThenPhoneThenName) {
  RosterIndex idx(roster());
  auto m = one(idx, {2, h(1), "", "随便"});
  EXPECT_EQ(m.bucket, Bucket::kUnregistered);
  EXPECT_EQ(m.person_id, 1);
  EXPECT_EQ(m.matched_by, "id_number");
  EXPECT_EQ(m.compound_id, 10);
  m = one(idx, {2, "", "13800000001", "别名"});
  EXPECT_EQ(m.person_id, 1);
  EXPECT_EQ(m.matched_by, "phone");
  m = one(idx, {2, "", "13999999999", "王五"});
  EXPECT_EQ(m.person_id, 3);
  EXPECT_EQ(m.matched_by, "name");
  EXPECT_EQ(one(idx, {2, h(2), "", "李四"}).bucket, Bucket::kRegistered);
}

TEST(Reconcile, ContradictionsAndAmbiguityMatchNobody) {
  RosterIndex idx(roster());
  // The phone is 张三's but the row names another identity number: somebody else.
  auto m = one(idx, {2, h(99), "13800000001", "张三"});
  EXPECT_EQ(m.bucket, Bucket::kUnmatched);
  EXPECT_EQ(m.person_id, 0);
  // A name whose resident has another phone.
  EXPECT_EQ(one(idx, {2, "", "13912345678", "张三"}).person_id, 0);
  m = one(idx, {2, "", "13800000009", "无名"});
  EXPECT_EQ(m.bucket, Bucket::kUnmatched);
  EXPECT_EQ(m.note, "ambiguous");
  EXPECT_EQ(one(idx, {2, "", "13700000000", "同名"}).note, "ambiguous");
}

TEST(Reconcile, MovedOutIsUnmatchedWithItsNote) {
  RosterIndex idx(roster());
  auto m = one(idx, {2, h(4), "", "赵六"});
  EXPECT_EQ(m.bucket, Bucket::kUnmatched);
  EXPECT_EQ(m.note, "moved_out");
  EXPECT_EQ(m.compound_id, 11) << "the former compound's worker follows it up";
}

TEST(Reconcile, DuplicatesWithinTheListAndAcrossLists) {
  RosterIndex idx(roster());
  std::vector<ListRow> rows = {
      {2, h(1), "", "张三"},
      {3, "", "13800000001", "张三"},  // the same resident, found by phone
      {4, h(1), "", "张三"},           // the same number again
      {5, "", "13600000000", "陌生"},
      {6, "", "13600000000", "陌生"},  // the same phone-only row
      {7, h(50), "", "他人"},
  };
  OpenElsewhere open{{h(50), "list:9:12"}};
  auto ms = reconcile(idx, rows, open);
  EXPECT_EQ(ms[0].bucket, Bucket::kUnregistered);
  EXPECT_EQ(ms[1].bucket, Bucket::kDuplicate);
  EXPECT_EQ(ms[1].note, "line:2");
  EXPECT_EQ(ms[2].bucket, Bucket::kDuplicate);
  EXPECT_EQ(ms[3].bucket, Bucket::kUnmatched);
  EXPECT_EQ(ms[4].bucket, Bucket::kDuplicate);
  EXPECT_EQ(ms[4].note, "line:5");
  EXPECT_EQ(ms[5].bucket, Bucket::kDuplicate);
  EXPECT_EQ(ms[5].note, "list:9:12");
}

TEST(Reconcile, HashesSharingTheirFirst64BitsStayApart) {
  std::string a = std::string(16, 'a') + std::string(48, '1'), b = std::string(16, 'a') + std::string(48, '2');
  RosterIndex idx({{1, a, "", "甲", 1, false, false}, {2, b, "", "乙", 1, false, false}});
  EXPECT_EQ(idx.by_id_hash(a), 0);
  EXPECT_EQ(idx.by_id_hash(b), 1);
  EXPECT_EQ(idx.by_id_hash(std::string(16, 'a') + std::string(48, '3')), -1);
}

TEST(Reconcile, ReportsProgressToTheEnd) {
  RosterIndex idx(roster());
  std::vector<ListRow> rows(10000, {2, "", "", "无此人"});
  size_t last = 0;
  reconcile(idx, rows, {}, [&](size_t d) { last = d; });
  EXPECT_EQ(last, rows.size());
}

TableFile table(std::vector<std::string> header, std::vector<std::vector<std::string>> rows) {
  TableFile t;
  t.header = std::move(header);
  int line = 2;
  for (auto& r : rows) t.rows.push_back({line++, std::move(r)});
  return t;
}

TEST(Tables, RosterRowsAreCheckedOneByOne) {
  const std::string ok = "11010519491231002X";
  auto p = parse_roster(table({"姓名", "身份证号", "联系电话", "小区"},
                              {{"甲", "11010519491231002x", "+86 138-0000-0001", "鑫发"},
                               {"乙", "110105194912310021", "", "鑫发"},
                               {"", ok, "phone?", ""}}));
  ASSERT_EQ(p.rows.size(), 1u);
  EXPECT_EQ(p.rows[0].id_number, ok) << "a lowercase x is normalized";
  EXPECT_EQ(p.rows[0].phone, "13800000001");
  ASSERT_EQ(p.errors.size(), 2u);
  EXPECT_EQ(p.errors[0].line, 3);
  EXPECT_NE(p.errors[0].message.find("check"), std::string::npos);
  EXPECT_EQ(p.errors[1].line, 4);
  EXPECT_NE(p.errors[1].message.find("name"), std::string::npos);
  EXPECT_NE(p.errors[1].message.find("same as on line 2"), std::string::npos);
  EXPECT_NE(p.errors[1].message.find("compound"), std::string::npos);
}

TEST(Tables, MissingColumnsAreOneErrorOnTheHeader) {
  auto p = parse_roster(table({"name", "phone"}, {{"甲", "138"}}));
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].line, 1);
  EXPECT_NE(p.errors[0].message.find("身份证号"), std::string::npos);
  EXPECT_NE(p.errors[0].message.find("小区"), std::string::npos);
  auto q = parse_push_list(table({"姓名", "来源地"}, {{"甲", "北京"}}));
  ASSERT_EQ(q.errors.size(), 1u);
  EXPECT_EQ(q.errors[0].line, 1);
}

TEST(Tables, PushRowsNeedAnIdentityNumberOrAPhone) {
  auto p = parse_push_list(table({"name", "id_number", "phone", "arrival_date"},
                                 {{"甲", "", "13800000001", "2021/8/3"}, {"乙", "", "", ""}, {"丙", "", "139", "2021-02-29"}}));
  ASSERT_EQ(p.rows.size(), 1u);
  EXPECT_EQ(p.rows[0].arrival_date, "2021-08-03");
  ASSERT_EQ(p.errors.size(), 2u);
  EXPECT_EQ(p.errors[0].line, 3);
  EXPECT_EQ(p.errors[1].line, 4);
  EXPECT_NE(p.errors[1].message.find("phone"), std::string::npos);
  EXPECT_NE(p.errors[1].message.find("date"), std::string::npos);
}

TEST(Tables, DatesAndPhonesAsPeopleWriteThem) {
  EXPECT_EQ(normalize_date("20210803"), "2021-08-03");
  EXPECT_EQ(normalize_date("2021.8.3"), "2021-08-03");
  EXPECT_EQ(normalize_date("2021-08-03T10:00:00"), "2021-08-03");
  EXPECT_EQ(normalize_date("2020-02-29"), "2020-02-29");
  EXPECT_FALSE(normalize_date("2021-13-01"));
  EXPECT_FALSE(normalize_date("8/3/2021"));
  EXPECT_EQ(normalize_phone("0086 138 0000 0001"), "13800000001");
  EXPECT_FALSE(normalize_phone("138abc"));
  EXPECT_FALSE(normalize_phone("123"));
}

TEST(ArrivalMeasure, FollowsTheRiskAreasOfTheOriginAtArrival) {
  std::vector<AreaInForce> areas = {
      {1, "110105", "high", kT - 5 * kDay, std::nullopt},
      {2, "110105", "medium", kT - 5 * kDay, std::nullopt},
      {3, "310115", "medium", kT - 20 * kDay, kT - 10 * kDay},  // lifted before the arrival
  };
  EXPECT_EQ(arrival_measure("110105", 1, kT, areas).measure, "high_risk_arrival");
  EXPECT_EQ(arrival_measure("110105", 2, kT, areas).measure, "medium_risk_arrival");
  auto low = arrival_measure("110105", std::nullopt, kT, areas);
  EXPECT_EQ(low.measure, "low_risk_arrival");
  EXPECT_EQ(low.origin_level, "low");
  EXPECT_EQ(low.areas, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(arrival_measure("110100", std::nullopt, kT, areas).measure, "low_risk_arrival") << "a city code covers its counties";
  EXPECT_EQ(arrival_measure("310115", 3, kT, areas).measure, "none") << "lifted before the arrival";
  EXPECT_EQ(arrival_measure("110105", 1, kT - 6 * kDay, areas).measure, "none") << "declared after the arrival";
  EXPECT_EQ(arrival_measure("140781", std::nullopt, kT, areas).measure, "none");
  EXPECT_TRUE(arrival_measure("140781", std::nullopt, kT, areas).areas.empty());
}

}  // namespace
}  // namespace epinet::domain::community
