#include "store/records.h"

#include <gtest/gtest.h>

#include <set>

#include "../test_support.h"
#include "core/error.h"

namespace epinet::store {
namespace {

using epinet::testing::SqliteTest;

constexpr Millis kNow = 1795951070000;  // 2026-11-29T11:17:50Z

int64_t add_division(Connection& c, const std::string& name, const std::string& level,
                     std::optional<int64_t> parent = std::nullopt, std::optional<std::string> code = std::nullopt,
                     const std::string& name_en = "") {
  Division d;
  d.name = name;
  d.name_en = name_en;
  d.level = level;
  d.parent_id = parent;
  d.code = std::move(code);
  return insert_division(c, d, kNow);
}

int64_t add_venue(Connection& c, const std::string& name, int64_t division_id, const std::string& type = "shop",
                  const std::string& address = "") {
  auto d = find_division(c, division_id);
  Venue v;
  v.name = name;
  v.type = type;
  v.address = address;
  v.division_id = division_id;
  v.division_path = d->path;
  return insert_venue(c, v, kNow);
}

int64_t add_user(Connection& c, const std::string& username, const std::string& role,
                 std::optional<int64_t> division_id, std::optional<int64_t> venue_id = std::nullopt) {
  User u;
  u.username = username;
  u.display_name = "Name of " + username;
  u.password_hash = "hash-" + username;
  u.role = role;
  u.division_id = division_id;
  u.venue_id = venue_id;
  return insert_user(c, u, kNow);
}

template <class T>
std::vector<std::string> names(const PageOf<T>& page) {
  std::vector<std::string> out;
  for (const auto& x : page.items) {
    if constexpr (requires { x.username; })
      out.push_back(x.username);
    else
      out.push_back(x.name);
  }
  return out;
}

// ---- divisions

class DivisionStoreTest : public SqliteTest {};

TEST_F(DivisionStoreTest, PathListsAncestorIdsDownToTheDivisionItself) {
  auto [city, district, sub] = write([](Connection& c) {
    int64_t city = add_division(c, "晋中市", "city", std::nullopt, "140700", "Jinzhong");
    int64_t district = add_division(c, "榆次区", "district", city, "140702");
    int64_t sub = add_division(c, "新建街道", "subdistrict", district, "140702002");
    return std::tuple{city, district, sub};
  });
  read([&](Connection& c) {
    EXPECT_EQ(find_division(c, city)->path, "/" + std::to_string(city) + "/");
    EXPECT_EQ(find_division(c, district)->path, "/" + std::to_string(city) + "/" + std::to_string(district) + "/");
    EXPECT_EQ(find_division(c, sub)->path,
              "/" + std::to_string(city) + "/" + std::to_string(district) + "/" + std::to_string(sub) + "/");
  });
}

TEST_F(DivisionStoreTest, FindReturnsWhatWasInserted) {
  int64_t city =
      write([](Connection& c) { return add_division(c, "晋中市", "city", std::nullopt, "140700", "Jinzhong"); });
  int64_t child = write([&](Connection& c) { return add_division(c, "1号楼", "building", city); });
  read([&](Connection& c) {
    auto d = find_division(c, city);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->id, city);
    EXPECT_EQ(d->code, "140700");
    EXPECT_EQ(d->name, "晋中市");
    EXPECT_EQ(d->name_en, "Jinzhong");
    EXPECT_EQ(d->level, "city");
    EXPECT_EQ(d->parent_id, std::nullopt);
    auto b = find_division(c, child);
    EXPECT_EQ(b->code, std::nullopt) << "no code stays NULL, not ''";
    EXPECT_EQ(b->name_en, "");
    EXPECT_EQ(b->parent_id, city);
    EXPECT_EQ(find_division_by_code(c, "140700")->id, city);
    EXPECT_EQ(find_division_by_code(c, "999999"), std::nullopt);
    EXPECT_EQ(find_division(c, 9999), std::nullopt);
  });
}

TEST_F(DivisionStoreTest, UnknownParentIsNotFound) {
  try {
    write([](Connection& c) { return add_division(c, "orphan", "district", 4242); });
    FAIL() << "inserted a division under a parent that does not exist";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kNotFound);
  }
  read([](Connection& c) { EXPECT_EQ(list_divisions(c, {}, {}).total, 0); });
}

TEST_F(DivisionStoreTest, DuplicateCodeIsAConflictButManyDivisionsMayHaveNoCode) {
  write([](Connection& c) {
    int64_t city = add_division(c, "A", "city", std::nullopt, "140700");
    add_division(c, "no code 1", "compound", city);
    add_division(c, "no code 2", "compound", city);
  });
  try {
    write([](Connection& c) { add_division(c, "B", "city", std::nullopt, "140700"); });
    FAIL() << "a second division took code 140700";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConflict);
  }
}

TEST_F(DivisionStoreTest, ListFiltersByNameEnglishNameCodeLevelAndParent) {
  auto [city, yuci, taigu] = write([](Connection& c) {
    int64_t city = add_division(c, "晋中市", "city", std::nullopt, "140700", "Jinzhong");
    int64_t yuci = add_division(c, "榆次区", "district", city, "140702", "Yuci District");
    int64_t taigu = add_division(c, "太谷区", "district", city, "140703", "Taigu District");
    add_division(c, "新建街道", "subdistrict", yuci, "140702002", "Xinjian Subdistrict");
    add_division(c, "太谷城区街道", "subdistrict", taigu, "140703001");
    return std::tuple{city, yuci, taigu};
  });
  read([&](Connection& c) {
    EXPECT_EQ(list_divisions(c, {}, {}).total, 5);
    EXPECT_EQ(names(list_divisions(c, {.q = "榆次"}, {})), (std::vector<std::string>{"榆次区"}));
    EXPECT_EQ(names(list_divisions(c, {.q = "DISTRICT"}, {})),
              (std::vector<std::string>{"榆次区", "新建街道", "太谷区"}))
        << "English names match (Yuci District, Xinjian Subdistrict, Taigu District), case-insensitively, in code "
           "order";
    EXPECT_EQ(names(list_divisions(c, {.q = "140703"}, {})), (std::vector<std::string>{"太谷区", "太谷城区街道"}));
    EXPECT_EQ(list_divisions(c, {.level = "subdistrict"}, {}).total, 2);
    EXPECT_EQ(names(list_divisions(c, {.parent_id = city}, {})), (std::vector<std::string>{"榆次区", "太谷区"}));
    EXPECT_EQ(names(list_divisions(c, {.parent_id = yuci}, {})), (std::vector<std::string>{"新建街道"}));
    EXPECT_EQ(names(list_divisions(c, {.roots_only = true}, {})), (std::vector<std::string>{"晋中市"}));
    EXPECT_EQ(names(list_divisions(c, {.parent_id = taigu, .q = "城区"}, {})),
              (std::vector<std::string>{"太谷城区街道"}));
    EXPECT_EQ(list_divisions(c, {.level = "city", .q = "榆次"}, {}).total, 0) << "filters combine with AND";
  });
}

TEST_F(DivisionStoreTest, SearchTreatsLikeWildcardsLiterally) {
  write([](Connection& c) {
    int64_t city = add_division(c, "100%社区", "city");
    add_division(c, "普通社区", "district", city);
    add_division(c, "a_b", "district", city);
    add_division(c, "axb", "district", city);
  });
  read([](Connection& c) {
    EXPECT_EQ(names(list_divisions(c, {.q = "%"}, {})), (std::vector<std::string>{"100%社区"}));
    EXPECT_EQ(names(list_divisions(c, {.q = "a_b"}, {})), (std::vector<std::string>{"a_b"}));
  });
}

TEST_F(DivisionStoreTest, PaginationReturnsOnePageAndTheTotal) {
  write([](Connection& c) {
    int64_t city = add_division(c, "city", "city", std::nullopt, "140700");
    for (int i = 1; i <= 25; ++i) {
      char code[8];
      std::snprintf(code, sizeof code, "1407%02d", i);
      add_division(c, "d" + std::to_string(i), "district", city, code);
    }
  });
  read([](Connection& c) {
    auto p1 = list_divisions(c, {.level = "district"}, {.page = 1, .page_size = 10});
    auto p3 = list_divisions(c, {.level = "district"}, {.page = 3, .page_size = 10});
    auto p4 = list_divisions(c, {.level = "district"}, {.page = 4, .page_size = 10});
    EXPECT_EQ(p1.total, 25);
    EXPECT_EQ(p1.items.size(), 10u);
    EXPECT_EQ(p1.items.front().name, "d1");
    EXPECT_EQ(p3.total, 25);
    EXPECT_EQ(names(p3), (std::vector<std::string>{"d21", "d22", "d23", "d24", "d25"}));
    EXPECT_EQ(p4.total, 25) << "the total does not depend on the page";
    EXPECT_TRUE(p4.items.empty());
    // Pages do not overlap.
    std::set<int64_t> ids;
    for (int64_t page = 1; page <= 3; ++page)
      for (const auto& d : list_divisions(c, {.level = "district"}, {.page = page, .page_size = 10}).items)
        EXPECT_TRUE(ids.insert(d.id).second) << d.name << " on two pages";
    EXPECT_EQ(ids.size(), 25u);
  });
}

TEST_F(DivisionStoreTest, RenameChangesNamesOnly) {
  int64_t id = write([](Connection& c) { return add_division(c, "旧名", "city", std::nullopt, "140700", "Old"); });
  write([&](Connection& c) { update_division_names(c, id, "新名", "", kNow + 1); });
  read([&](Connection& c) {
    auto d = find_division(c, id);
    EXPECT_EQ(d->name, "新名");
    EXPECT_EQ(d->name_en, "");
    EXPECT_EQ(d->code, "140700");
    EXPECT_EQ(d->path, "/" + std::to_string(id) + "/");
  });
}

TEST_F(DivisionStoreTest, ReferencesCountChildrenVenuesAndUsersAndBlockDeletion) {
  auto [city, district, leaf] = write([](Connection& c) {
    int64_t city = add_division(c, "city", "city");
    int64_t district = add_division(c, "district", "district", city);
    int64_t leaf = add_division(c, "leaf", "district", city);
    add_venue(c, "v", district);
    add_user(c, "u1", "community_worker", district);
    return std::tuple{city, district, leaf};
  });
  read([&](Connection& c) {
    EXPECT_EQ(division_references(c, city), 2) << "two children";
    EXPECT_EQ(division_references(c, district), 2) << "a venue and a user";
    EXPECT_EQ(division_references(c, leaf), 0);
  });
  write([&](Connection& c) { delete_division(c, leaf); });
  read([&](Connection& c) { EXPECT_EQ(find_division(c, leaf), std::nullopt); });
  try {
    write([&](Connection& c) { delete_division(c, district); });
    FAIL() << "deleted a division that a venue and a user refer to";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConflict);
  }
  read([&](Connection& c) { EXPECT_TRUE(find_division(c, district)); });
}

// ---- venues

class VenueStoreTest : public SqliteTest {
 protected:
  // A city with 22 districts, so that district ids 2 and 23 both exist:
  // paths /1/2/ and /1/23/ share a textual prefix.
  void SetUp() override {
    write([&](Connection& c) {
      city_ = add_division(c, "city", "city");
      for (int i = 0; i < 22; ++i) districts_.push_back(add_division(c, "d" + std::to_string(i), "district", city_));
    });
    ASSERT_EQ(city_, 1);
    ASSERT_EQ(districts_.front(), 2);
    ASSERT_EQ(districts_.back(), 23);
  }
  int64_t city_ = 0;
  std::vector<int64_t> districts_;
};

TEST_F(VenueStoreTest, InsertAndFindRoundTripEveryField) {
  int64_t id = write([&](Connection& c) {
    Venue v;
    v.name = "晋中市第一人民医院";
    v.type = "hospital";
    v.address = "榆次区顺城街85号";
    v.division_id = districts_[0];
    v.division_path = "/1/2/";
    v.capacity = 3000;
    v.entrances = {{"门诊入口", "in"}, {"发热门诊", "both"}, {"出口", "out"}, {"say \"hi\"", "both"}};
    return insert_venue(c, v, kNow);
  });
  read([&](Connection& c) {
    auto v = find_venue(c, id);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->name, "晋中市第一人民医院");
    EXPECT_EQ(v->type, "hospital");
    EXPECT_EQ(v->address, "榆次区顺城街85号");
    EXPECT_EQ(v->division_id, districts_[0]);
    EXPECT_EQ(v->division_name, "d0");
    EXPECT_EQ(v->division_path, "/1/2/");
    EXPECT_EQ(v->capacity, 3000);
    EXPECT_EQ(v->created_at, kNow);
    ASSERT_EQ(v->entrances.size(), 4u);
    EXPECT_EQ(v->entrances[0].name, "门诊入口");
    EXPECT_EQ(v->entrances[0].direction, "in");
    EXPECT_EQ(v->entrances[1].name, "发热门诊");
    EXPECT_EQ(v->entrances[1].direction, "both");
    EXPECT_EQ(v->entrances[2].direction, "out");
    EXPECT_EQ(v->entrances[3].name, "say \"hi\"");
    EXPECT_EQ(find_venue(c, id + 100), std::nullopt);
  });
}

TEST_F(VenueStoreTest, NoEntrancesAndNoCapacityRoundTrip) {
  int64_t id = write([&](Connection& c) { return add_venue(c, "shop", districts_[0]); });
  read([&](Connection& c) {
    auto v = find_venue(c, id);
    EXPECT_EQ(v->capacity, std::nullopt);
    EXPECT_TRUE(v->entrances.empty());
  });
}

TEST_F(VenueStoreTest, WithinPathExcludesOtherSubtreesIncludingLookalikePrefixes) {
  write([&](Connection& c) {
    add_venue(c, "in d2", districts_[0]);    // /1/2/
    add_venue(c, "in d23", districts_[21]);  // /1/23/
    add_venue(c, "in d3", districts_[1]);    // /1/3/
    int64_t sub = add_division(c, "sub of d2", "subdistrict", districts_[0]);
    add_venue(c, "deep in d2", sub);  // /1/2/24/
  });
  read([&](Connection& c) {
    auto page = list_venues(c, {.within_path = "/1/2/"}, {});
    EXPECT_EQ(names(page), (std::vector<std::string>{"in d2", "deep in d2"}));
    EXPECT_EQ(page.total, 2);
    EXPECT_EQ(list_venues(c, {.within_path = "/1/"}, {}).total, 4);
    EXPECT_EQ(names(list_venues(c, {.within_path = "/1/23/"}, {})), (std::vector<std::string>{"in d23"}));
  });
}

TEST_F(VenueStoreTest, DivisionFilterCoversTheSubtree) {
  write([&](Connection& c) {
    add_venue(c, "in d2", districts_[0]);
    add_venue(c, "in d23", districts_[21]);
    int64_t sub = add_division(c, "sub of d2", "subdistrict", districts_[0]);
    add_venue(c, "deep in d2", sub);
  });
  read([&](Connection& c) {
    EXPECT_EQ(names(list_venues(c, {.division_id = districts_[0]}, {})),
              (std::vector<std::string>{"in d2", "deep in d2"}));
    EXPECT_EQ(list_venues(c, {.division_id = 9999}, {}).total, 0) << "an unknown division has no venues";
  });
}

TEST_F(VenueStoreTest, OnlyVenueTypeAndTextFilters) {
  auto [a, b] = write([&](Connection& c) {
    int64_t a = add_venue(c, "市民之家", districts_[0], "service_hall", "迎宾街");
    int64_t b = add_venue(c, "客运总站", districts_[0], "transport_hub", "汇通路");
    add_venue(c, "便利店", districts_[1], "shop", "迎宾街 2 号");
    return std::pair{a, b};
  });
  read([&](Connection& c) {
    EXPECT_EQ(names(list_venues(c, {.only_venue = a}, {})), (std::vector<std::string>{"市民之家"}));
    EXPECT_EQ(list_venues(c, {.within_path = "/1/3/", .only_venue = b}, {}).total, 0)
        << "only_venue does not widen the jurisdiction";
    EXPECT_EQ(names(list_venues(c, {.type = "transport_hub"}, {})), (std::vector<std::string>{"客运总站"}));
    EXPECT_EQ(names(list_venues(c, {.q = "迎宾"}, {})), (std::vector<std::string>{"市民之家", "便利店"}))
        << "q matches the address too";
    EXPECT_EQ(names(list_venues(c, {.q = "客运"}, {})), (std::vector<std::string>{"客运总站"}));
  });
}

TEST_F(VenueStoreTest, PaginationOfVenues) {
  write([&](Connection& c) {
    for (int i = 0; i < 7; ++i) add_venue(c, "v" + std::to_string(i), districts_[i % 3]);
  });
  read([&](Connection& c) {
    auto p = list_venues(c, {}, {.page = 2, .page_size = 3});
    EXPECT_EQ(p.total, 7);
    EXPECT_EQ(names(p), (std::vector<std::string>{"v3", "v4", "v5"}));
  });
}

TEST_F(VenueStoreTest, UpdateReplacesFieldsAndReferencesBlockDelete) {
  int64_t id = write([&](Connection& c) { return add_venue(c, "old", districts_[0]); });
  write([&](Connection& c) {
    auto v = *find_venue(c, id);
    v.name = "new";
    v.division_id = districts_[1];
    v.division_path = "/1/3/";
    v.capacity = 12;
    v.entrances = {{"gate", "both"}};
    update_venue(c, v, kNow + 5);
  });
  read([&](Connection& c) {
    auto v = find_venue(c, id);
    EXPECT_EQ(v->name, "new");
    EXPECT_EQ(v->division_id, districts_[1]);
    EXPECT_EQ(v->division_name, "d1");
    EXPECT_EQ(v->capacity, 12);
    ASSERT_EQ(v->entrances.size(), 1u);
    EXPECT_EQ(list_venues(c, {.within_path = "/1/2/"}, {}).total, 0) << "it moved out of /1/2/";
    EXPECT_EQ(venue_references(c, id), 0);
  });
  write([&](Connection& c) { add_user(c, "staff", "venue_staff", std::nullopt, id); });
  read([&](Connection& c) { EXPECT_EQ(venue_references(c, id), 1); });
  int64_t other = write([&](Connection& c) { return add_venue(c, "unused", districts_[0]); });
  write([&](Connection& c) { delete_venue(c, other); });
  read([&](Connection& c) { EXPECT_EQ(find_venue(c, other), std::nullopt); });
}

// ---- users and sessions

class UserStoreTest : public SqliteTest {
 protected:
  void SetUp() override {
    write([&](Connection& c) {
      city_ = add_division(c, "晋中市", "city");
      d2_ = add_division(c, "榆次区", "district", city_);
      d3_ = add_division(c, "太谷区", "district", city_);
      venue_ = add_venue(c, "医院", d2_);
    });
  }
  int64_t city_ = 0, d2_ = 0, d3_ = 0, venue_ = 0;
};

TEST_F(UserStoreTest, InsertAndFindWithJurisdictionNames) {
  auto [admin, nurse] = write([&](Connection& c) {
    return std::pair{add_user(c, "admin", "admin", city_), add_user(c, "nurse", "clinician", std::nullopt, venue_)};
  });
  read([&](Connection& c) {
    auto a = find_user(c, admin);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->username, "admin");
    EXPECT_EQ(a->display_name, "Name of admin");
    EXPECT_EQ(a->password_hash, "hash-admin");
    EXPECT_EQ(a->role, "admin");
    EXPECT_EQ(a->division_id, city_);
    EXPECT_EQ(a->division_name, "晋中市");
    EXPECT_EQ(a->division_path, "/" + std::to_string(city_) + "/");
    EXPECT_EQ(a->venue_id, std::nullopt);
    EXPECT_FALSE(a->disabled);
    EXPECT_EQ(a->created_at, kNow);
    auto n = find_user_by_username(c, "nurse");
    ASSERT_TRUE(n);
    EXPECT_EQ(n->id, nurse);
    EXPECT_EQ(n->venue_id, venue_);
    EXPECT_EQ(n->venue_name, "医院");
    EXPECT_EQ(n->venue_division_path, find_division(c, d2_)->path);
    EXPECT_EQ(n->division_id, std::nullopt);
    EXPECT_EQ(find_user_by_username(c, "Admin"), std::nullopt) << "usernames are exact";
    EXPECT_EQ(find_user(c, 999), std::nullopt);
  });
}

TEST_F(UserStoreTest, DuplicateUsernameIsAConflict) {
  write([&](Connection& c) { add_user(c, "worker", "community_worker", d2_); });
  try {
    write([&](Connection& c) { add_user(c, "worker", "resident", d3_); });
    FAIL() << "a second account took the username";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConflict);
  }
  read([&](Connection& c) { EXPECT_EQ(find_user_by_username(c, "worker")->role, "community_worker"); });
}

TEST_F(UserStoreTest, ListFiltersByRoleTextAndJurisdiction) {
  write([&](Connection& c) {
    add_user(c, "admin", "admin", city_);
    add_user(c, "yuci_worker", "community_worker", d2_);
    add_user(c, "taigu_worker", "community_worker", d3_);
    add_user(c, "nurse", "clinician", std::nullopt, venue_);  // venue in 榆次区
  });
  read([&](Connection& c) {
    EXPECT_EQ(list_users(c, {}, {}).total, 4);
    EXPECT_EQ(names(list_users(c, {.role = "community_worker"}, {})),
              (std::vector<std::string>{"yuci_worker", "taigu_worker"}));
    EXPECT_EQ(names(list_users(c, {.q = "taigu"}, {})), (std::vector<std::string>{"taigu_worker"}));
    EXPECT_EQ(names(list_users(c, {.q = "Name of nur"}, {})), (std::vector<std::string>{"nurse"}))
        << "q matches the display name";
    std::string yuci_path = find_division(c, d2_)->path;
    EXPECT_EQ(names(list_users(c, {.within_path = yuci_path}, {})), (std::vector<std::string>{"yuci_worker", "nurse"}))
        << "a venue-bound account lies where its venue lies";
    auto p = list_users(c, {}, {.page = 2, .page_size = 3});
    EXPECT_EQ(p.total, 4);
    EXPECT_EQ(names(p), (std::vector<std::string>{"nurse"}));
  });
}

TEST_F(UserStoreTest, UpdateChangesEveryWritableField) {
  int64_t id = write([&](Connection& c) { return add_user(c, "worker", "community_worker", d2_); });
  write([&](Connection& c) {
    auto u = *find_user(c, id);
    u.display_name = "新名字";
    u.password_hash = "new-hash";
    u.role = "clinician";
    u.division_id.reset();
    u.venue_id = venue_;
    u.disabled = true;
    update_user(c, u, kNow + 1);
  });
  read([&](Connection& c) {
    auto u = find_user(c, id);
    EXPECT_EQ(u->username, "worker");
    EXPECT_EQ(u->display_name, "新名字");
    EXPECT_EQ(u->password_hash, "new-hash");
    EXPECT_EQ(u->role, "clinician");
    EXPECT_EQ(u->division_id, std::nullopt);
    EXPECT_EQ(u->venue_id, venue_);
    EXPECT_TRUE(u->disabled);
  });
}

TEST_F(UserStoreTest, SessionIsFoundUntilItExpires) {
  int64_t id = write([&](Connection& c) { return add_user(c, "worker", "community_worker", d2_); });
  write([&](Connection& c) { insert_session(c, "hash-1", id, kNow, kNow + 1000, "10.0.0.1"); });
  read([&](Connection& c) {
    auto u = find_session_user(c, "hash-1", kNow);
    ASSERT_TRUE(u);
    EXPECT_EQ(u->username, "worker");
    EXPECT_EQ(u->division_path, find_division(c, d2_)->path);
    EXPECT_TRUE(find_session_user(c, "hash-1", kNow + 999));
    EXPECT_EQ(find_session_user(c, "hash-1", kNow + 1000), std::nullopt) << "expired at expires_at";
    EXPECT_EQ(find_session_user(c, "hash-1", kNow + 5000), std::nullopt);
    EXPECT_EQ(find_session_user(c, "other-hash", kNow), std::nullopt);
  });
}

TEST_F(UserStoreTest, DeletedSessionsAreGone) {
  auto [a, b] = write([&](Connection& c) {
    return std::pair{add_user(c, "a_user", "community_worker", d2_), add_user(c, "b_user", "resident", d3_)};
  });
  write([&](Connection& c) {
    insert_session(c, "a1", a, kNow, kNow + 1000, "");
    insert_session(c, "a2", a, kNow, kNow + 1000, "");
    insert_session(c, "b1", b, kNow, kNow + 1000, "");
  });
  write([&](Connection& c) { delete_session(c, "a1"); });
  read([&](Connection& c) {
    EXPECT_EQ(find_session_user(c, "a1", kNow), std::nullopt);
    EXPECT_TRUE(find_session_user(c, "a2", kNow));
  });
  write([&](Connection& c) { delete_sessions_of(c, a); });
  read([&](Connection& c) {
    EXPECT_EQ(find_session_user(c, "a2", kNow), std::nullopt);
    EXPECT_TRUE(find_session_user(c, "b1", kNow)) << "another user's session is untouched";
  });
}

TEST_F(UserStoreTest, PurgeRemovesOnlyExpiredSessions) {
  int64_t id = write([&](Connection& c) { return add_user(c, "worker", "community_worker", d2_); });
  write([&](Connection& c) {
    insert_session(c, "old1", id, kNow - 10, kNow - 5, "");
    insert_session(c, "old2", id, kNow - 10, kNow, "");
    insert_session(c, "live", id, kNow, kNow + 1000, "");
  });
  int64_t purged = write([&](Connection& c) { return purge_expired_sessions(c, kNow); });
  EXPECT_EQ(purged, 2);
  read([&](Connection& c) {
    EXPECT_EQ(as_int(c.query("SELECT COUNT(*) FROM sessions").rows[0][0]), 1);
    EXPECT_TRUE(find_session_user(c, "live", kNow));
  });
}

// ---- audit

class AuditStoreTest : public SqliteTest {
 protected:
  void append(Millis at, const std::string& actor, const std::string& action, const std::string& record_type = "",
              const std::string& detail = "") {
    write([&](Connection& c) {
      AuditEntry e;
      e.at = at;
      e.actor_username = actor;
      e.action = action;
      e.record_type = record_type;
      e.record_id = record_type.empty() ? "" : "7";
      e.client_addr = "10.0.0.9";
      e.detail = detail;
      append_audit(c, e);
    });
  }
  std::vector<std::string> actions(const AuditFilter& f, const Page& p = {}) {
    std::vector<std::string> out;
    read([&](Connection& c) {
      for (const auto& e : list_audit(c, f, p).items) out.push_back(e.action);
    });
    return out;
  }
};

TEST_F(AuditStoreTest, ListsNewestFirstWithEveryField) {
  append(kNow, "admin", "auth.login", "user", R"({"a":1})");
  append(kNow + 10, "admin", "venue.create", "venue");
  append(kNow + 20, "commander", "venue.update", "venue");
  EXPECT_EQ(actions({}), (std::vector<std::string>{"venue.update", "venue.create", "auth.login"}));
  read([&](Connection& c) {
    auto page = list_audit(c, {}, {});
    EXPECT_EQ(page.total, 3);
    const auto& oldest = page.items.back();
    EXPECT_EQ(oldest.at, kNow);
    EXPECT_EQ(oldest.actor_username, "admin");
    EXPECT_EQ(oldest.record_type, "user");
    EXPECT_EQ(oldest.record_id, "7");
    EXPECT_EQ(oldest.client_addr, "10.0.0.9");
    EXPECT_EQ(oldest.detail, R"({"a":1})");
    EXPECT_EQ(oldest.actor_id, std::nullopt);
  });
}

TEST_F(AuditStoreTest, FiltersByActorActionPrefixRecordTypeAndTime) {
  append(kNow, "admin", "auth.login", "user");
  append(kNow + 10, "admin", "auth.login_failed", "user");
  append(kNow + 20, "commander", "venue.create", "venue");
  append(kNow + 30, "commander", "auth.logout", "user");
  EXPECT_EQ(actions({.actor = "commander"}), (std::vector<std::string>{"auth.logout", "venue.create"}));
  EXPECT_EQ(actions({.action = "auth."}), (std::vector<std::string>{"auth.logout", "auth.login_failed", "auth.login"}));
  EXPECT_EQ(actions({.action = "auth.login"}), (std::vector<std::string>{"auth.login_failed", "auth.login"}));
  EXPECT_EQ(actions({.record_type = "venue"}), (std::vector<std::string>{"venue.create"}));
  EXPECT_EQ(actions({.since = kNow + 10, .until = kNow + 30}),
            (std::vector<std::string>{"venue.create", "auth.login_failed"}))
      << "since is inclusive, until exclusive";
  EXPECT_EQ(actions({.actor = "admin", .action = "venue"}), std::vector<std::string>{});
  EXPECT_EQ(actions({.action = "%"}), std::vector<std::string>{}) << "wildcards are literal";
  EXPECT_EQ(actions({}, {.page = 2, .page_size = 3}), (std::vector<std::string>{"auth.login"}));
}

TEST_F(AuditStoreTest, UpdateIsRefusedByTheDatabase) {
  append(kNow, "admin", "auth.login");
  EXPECT_THROW(write([](Connection& c) { c.query("UPDATE audit_log SET action = 'x'"); }), Error);
  EXPECT_THROW(read([](Connection& c) { c.query("UPDATE audit_log SET action = 'x'"); }), Error)
      << "outside a transaction too";
  EXPECT_EQ(actions({}), (std::vector<std::string>{"auth.login"}));
}

TEST_F(AuditStoreTest, DeleteIsRefusedByTheDatabase) {
  append(kNow, "admin", "auth.login");
  append(kNow + 1, "admin", "auth.logout");
  EXPECT_THROW(write([](Connection& c) { c.query("DELETE FROM audit_log"); }), Error);
  EXPECT_THROW(read([](Connection& c) { c.query("DELETE FROM audit_log WHERE action = 'auth.login'"); }), Error);
  EXPECT_EQ(actions({}).size(), 2u);
}

}  // namespace
}  // namespace epinet::store
