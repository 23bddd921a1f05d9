// The demo city: Jinzhong with its 11 county-level divisions (GB/T 2260), the
// places the source article names, a few hundred other venues and one account
// per role. Codes below county level are demo codes, not official ones.
#include <sys/stat.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "core/crypto.h"
#include "core/error.h"
#include "domain/person/identity.h"
#include "service/keys.h"
#include "service/management.h"
#include "service/community.h"
#include "service/services.h"
#include "store/people.h"

namespace epinet::service {
namespace json = boost::json;
namespace {

struct District {
  const char* code;
  const char* name;
  const char* name_en;
};
constexpr District kDistricts[] = {
    {"140702", "榆次区", "Yuci District"},   {"140703", "太谷区", "Taigu District"},
    {"140721", "榆社县", "Yushe County"},    {"140722", "左权县", "Zuoquan County"},
    {"140723", "和顺县", "Heshun County"},   {"140724", "昔阳县", "Xiyang County"},
    {"140725", "寿阳县", "Shouyang County"}, {"140727", "祁县", "Qi County"},
    {"140728", "平遥县", "Pingyao County"},  {"140729", "灵石县", "Lingshi County"},
    {"140781", "介休市", "Jiexiu City"},
};
constexpr const char* kCompounds[] = {"银海心悦", "鑫发", "和山",  "锦绣苑", "文华园", "新建小区",
                                      "安宁里",   "丰泽园", "润泽苑", "顺城佳园", "翠竹苑", "东湖湾"};

struct Seeder {
  store::Connection& c;
  SeedReport& report;
  Millis now = now_ms();

  int64_t division(const std::string& code, const std::string& name, const std::string& name_en,
                   const std::string& level, std::optional<int64_t> parent) {
    if (auto d = store::find_division_by_code(c, code)) return d->id;
    store::Division d;
    d.code = code;
    d.name = name;
    d.name_en = name_en;
    d.level = level;
    d.parent_id = parent;
    ++report.divisions;
    return store::insert_division(c, d, now);
  }

  int64_t venue(const std::string& name, const std::string& type, const std::string& address, int64_t division_id,
                std::optional<int64_t> capacity, std::vector<domain::Entrance> entrances) {
    auto r = c.query("SELECT id FROM venues WHERE name = ? AND division_id = ?", {name, division_id});
    if (!r.empty()) return store::as_int(r.rows[0][0]);
    auto d = store::find_division(c, division_id);
    store::Venue v;
    v.name = name;
    v.type = type;
    v.address = address;
    v.division_id = division_id;
    v.division_path = d->path;
    v.capacity = capacity;
    v.entrances = std::move(entrances);
    ++report.venues;
    return store::insert_venue(c, v, now);
  }

  void user(const std::string& username, const std::string& display, const std::string& hash,
            std::optional<int64_t> division_id, std::optional<int64_t> venue_id) {
    if (store::find_user_by_username(c, username)) return;
    store::User u;
    u.username = username;
    u.display_name = display;
    u.password_hash = hash;
    u.role = username;
    u.division_id = division_id;
    u.venue_id = venue_id;
    ++report.users;
    store::insert_user(c, u, now);
  }
};

std::string demo_password(const Config& config, bool& generated) {
  generated = false;
  if (!config.demo_password.empty()) return config.demo_password;
  auto file = std::filesystem::path(config.data_dir) / "demo-password.txt";
  if (std::ifstream in(file); in) {
    std::string p;
    std::getline(in, p);
    if (p.size() >= 8) return p;
  }
  std::filesystem::create_directories(config.data_dir);
  std::string p = crypto::random_token(9);  // 12 characters
  {
    std::ofstream out(file, std::ios::trunc);
    out << p << "\n";
    if (!out) throw Error(ErrorKind::kInternal, "io_error", "cannot write " + file.string());
  }
  ::chmod(file.c_str(), 0600);
  generated = true;
  return p;
}

constexpr const char* kDemoNames[] = {"张明", "李娜", "张小雨", "王强", "刘芳", "王子涵", "陈静", "杨帆",
                                      "赵磊", "黄敏", "周杰",   "吴婷", "郑海", "孙丽",   "马超", "朱琳",
                                      "胡军", "郭蕾", "何平",   "高洁", "林涛", "罗敏",   "梁爽", "宋佳"};

// Demo resident i's number under registration code `code`, born in one of
// the `years` years from 1950.
std::string demo_number(const char* code, size_t years, size_t i) {
  char first17[18];
  std::snprintf(first17, sizeof first17, "%s%04zu%02zu%02zu%03zu", code, 1950 + (i * 7) % years, 1 + i % 12,
                1 + (i * 3) % 28, 100 + i);
  return std::string(first17) + domain::id_check_char(first17);
}

// The numbers seed-demo gave the same residents before they moved to 142401
// (Yuci's present code, which the simulator issues too): a database seeded
// then keeps its residents and gets no second copy of them.
std::string legacy_demo_identity_number(size_t i) { return demo_number("140702", 60, i); }

// Residents of Yinhai Xinyue in households, the demo resident account linked
// to the first of them, and one medium-risk area elsewhere, so that codes,
// households and the travel flag show real-looking data. Identity numbers
// are generated (valid check digits; see demo_identity_numbers).
void seed_people(store::Connection& c, SeedReport& report, const KeyRing& keys, const std::vector<int64_t>& compounds) {
  const Millis now = now_ms();
  const auto numbers = demo_identity_numbers();
  int64_t head = 0;
  for (size_t i = 0; i < numbers.size(); ++i) {
    const std::string& id = numbers[i];
    std::string hash = keys.id_hash(id);
    if (store::find_person_by_id_hash(c, hash) ||
        store::find_person_by_id_hash(c, keys.id_hash(legacy_demo_identity_number(i))))
      continue;
    auto d = store::find_division(c, compounds[(i / 3) % compounds.size()]);
    store::Person p;
    p.id_hash = hash;
    p.id_enc = keys.encrypt_id(id);
    p.id_masked = domain::mask_id_number(id);
    p.name = kDemoNames[i];
    p.phone = "139" + std::to_string(10000000 + i * 7919);
    p.division_id = d->id;
    p.division_path = d->path;
    p.household_id = i % 3 == 0 ? 0 : head;  // households of three
    int64_t id_new = store::insert_person(c, p, now);
    if (i % 3 == 0) head = id_new;
    if (i == 0) {
      auto u = store::find_user_by_username(c, "resident");
      if (u) store::link_user_person(c, u->id, id_new);
    }
    ++report.persons;
  }
  if (store::list_risk_areas(c, false).empty()) {
    store::RiskArea a;
    a.division_code = "110105";
    a.division_name = "北京市朝阳区";
    a.area_name = "示例小区（演示数据）";
    a.level = "medium";
    a.effective_from = a.level_since = a.last_infection_at = now - 2LL * 24 * 3600 * 1000;
    a.decided_by = "epinet seed-demo";
    a.id = store::insert_risk_area(c, a, now);
    store::insert_risk_event(c, {0, a.id, a.effective_from, "declare", "", "medium", "epinet seed-demo", "demo data"});
  }
}

}  // namespace

std::vector<std::string> demo_identity_numbers() {
  std::vector<std::string> out;
  for (size_t i = 0; i < std::size(kDemoNames); ++i) out.push_back(demo_number("142401", 50, i));
  return out;
}

SeedReport seed_demo(store::Database& db, const Config& config) {
  SeedReport report;
  report.password = demo_password(config, report.password_generated);
  check_password_policy(report.password);
  const std::string hash = crypto::hash_password(report.password);
  const KeyRing keys = load_keys(config.data_dir);
  db.write([&](store::Connection& c) {
    Seeder s{c, report};
    int64_t city = s.division("140700", "晋中市", "Jinzhong", "city", std::nullopt);
    std::vector<int64_t> districts, subdistricts;
    for (const auto& d : kDistricts) {
      int64_t id = s.division(d.code, d.name, d.name_en, "district", city);
      districts.push_back(id);
      subdistricts.push_back(s.division(std::string(d.code) + "001", std::string(d.name) + "城区街道",
                                        std::string(d.name_en) + " Urban Subdistrict", "subdistrict", id));
    }
    int64_t xinjian = s.division("140702002", "新建街道", "Xinjian Subdistrict", "subdistrict", districts[0]);
    int64_t yinhai = s.division("140702002001", "银海心悦社区", "Yinhai Xinyue Community", "community", xinjian);
    int64_t first_compound = 0;
    std::vector<int64_t> compounds;
    for (size_t i = 0; i < std::size(kCompounds); ++i) {
      char code[32];
      std::snprintf(code, sizeof code, "140702002001%03zu", i + 1);
      int64_t compound = s.division(code, std::string(kCompounds[i]) + "小区", "", "compound", yinhai);
      if (i == 0) first_compound = compound;
      compounds.push_back(compound);
      for (int b = 1; b <= 4; ++b) {
        char bcode[40];
        std::snprintf(bcode, sizeof bcode, "%s%03d", code, b);
        s.division(bcode, std::to_string(b) + "号楼", "Building " + std::to_string(b), "building", compound);
      }
      s.venue(std::string(kCompounds[i]) + "小区大门", "compound_gate", "榆次区新建街道", compound, std::nullopt,
              {{"大门", "both"}});
    }
    int64_t hospital = s.venue("晋中市第一人民医院", "hospital", "榆次区顺城街85号", subdistricts[0], 3000,
                               {{"门诊入口", "in"}, {"发热门诊", "both"}, {"急诊入口", "both"}, {"出口", "out"}});
    int64_t hall = s.venue("晋中市民之家", "service_hall", "榆次区迎宾街", subdistricts[0], 3000,
                           {{"东门入口", "in"}, {"西门出口", "out"}, {"专用通道", "both"}});
    s.venue("晋中汽车客运总站", "transport_hub", "榆次区汇通路", subdistricts[0], 2000,
            {{"进站口", "in"}, {"出站口", "out"}});
    // Other venues, spread over the districts by a fixed pattern.
    struct Kind {
      const char* type;
      const char* suffix;
      int capacity;
    };
    constexpr Kind kinds[] = {{"supermarket", "超市", 400}, {"restaurant", "餐馆", 80},   {"market", "农贸市场", 600},
                              {"school", "学校", 1500},     {"office", "写字楼", 800},   {"gym", "健身馆", 120},
                              {"shop", "便利店", 30},       {"hospital", "社区卫生服务中心", 200},
                              {"transport_hub", "公交枢纽", 500}};
    int n = 0;
    for (size_t d = 0; d < std::size(kDistricts); ++d)
      for (int i = 1; i <= 28; ++i) {
        const Kind& k = kinds[(d * 7 + static_cast<size_t>(i)) % std::size(kinds)];
        std::string name = std::string(kDistricts[d].name) + "第" + std::to_string(i) + k.suffix;
        s.venue(name, k.type, kDistricts[d].name, subdistricts[d], k.capacity, {{"入口", "in"}, {"出口", "out"}});
        ++n;
      }
    s.user("admin", "系统管理员", hash, city, std::nullopt);
    s.user("commander", "指挥部值班员", hash, city, std::nullopt);
    s.user("venue_staff", "市民之家检查员", hash, std::nullopt, hall);
    s.user("community_worker", "银海心悦社区网格员", hash, yinhai, std::nullopt);
    s.user("clinician", "预检分诊护士", hash, std::nullopt, hospital);
    s.user("lab", "检验科技师", hash, std::nullopt, hospital);
    s.user("resident", "居民张明", hash, first_compound, std::nullopt);
    seed_people(c, report, keys, compounds);
    report.users += seed_community_demo(c, hash, compounds);  // service/community.h
    seed_management_demo(c, now_ms());  // service/management.h
    if (report.divisions || report.venues || report.users || report.persons) {
      Caller system{{}, "local"};
      system.who.username = "epinet seed-demo";
      audit(c, system, "demo.seed", "", "",
            json::serialize(json::object{
                {"divisions", report.divisions}, {"venues", report.venues}, {"users", report.users},
                {"persons", report.persons}}));
    }
  });
  return report;
}

}  // namespace epinet::service
