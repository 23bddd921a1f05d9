#include "sim/city.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numeric>

#include "domain/person/identity.h"
#include "sim/calendar.h"

namespace epinet::sim {
namespace {

// 2020 census figures, rounded; only their proportions matter.
constexpr std::array<DistrictInfo, kDistricts> kDistrictTable = {{
    {"140702", "榆次区", "Yuci District", "榆次", 860000, 0.08},
    {"140703", "太谷区", "Taigu District", "太谷", 300000, 0.25},
    {"140721", "榆社县", "Yushe County", "榆社", 105000, 0.40},
    {"140722", "左权县", "Zuoquan County", "左权", 140000, 0.40},
    {"140723", "和顺县", "Heshun County", "和顺", 130000, 0.40},
    {"140724", "昔阳县", "Xiyang County", "昔阳", 200000, 0.35},
    {"140725", "寿阳县", "Shouyang County", "寿阳", 190000, 0.35},
    {"140727", "祁县", "Qi County", "祁县", 240000, 0.30},
    {"140728", "平遥县", "Pingyao County", "平遥", 440000, 0.30},
    {"140729", "灵石县", "Lingshi County", "灵石", 240000, 0.30},
    {"140781", "介休市", "Jiexiu City", "介休", 380000, 0.20},
}};
constexpr uint8_t kYuci = 0, kTaigu = 1;

// Coach minutes from each district to Yuci and to Taiyuan.
constexpr uint16_t kMinutesToYuci[kDistricts] = {0, 35, 120, 140, 130, 120, 60, 55, 80, 130, 100};
constexpr uint16_t kMinutesToTaiyuan[kDistricts] = {50, 60, 150, 170, 150, 130, 70, 80, 100, 150, 120};

// Census-like household sizes (China 2020: 1–7+ persons).
constexpr double kHouseholdSize[7] = {0.254, 0.297, 0.209, 0.132, 0.062, 0.030, 0.016};

// Entrances by kind. Names follow the places of the source article where it
// names them (hospital, citizens' service hall, bus station).
constexpr Entrance kHospitalDoors[] = {{"门诊入口", "in"}, {"发热门诊", "both"}, {"急诊入口", "both"}, {"出口", "out"}};
constexpr Entrance kHallDoors[] = {{"东门入口", "in"}, {"西门出口", "out"}, {"专用通道", "both"}};
constexpr Entrance kStationDoors[] = {{"进站口", "in"}, {"出站口", "out"}};
constexpr Entrance kInOut[] = {{"入口", "in"}, {"出口", "out"}};
constexpr Entrance kOneDoor[] = {{"入口", "both"}};
constexpr Entrance kMarketDoors[] = {{"东门", "both"}, {"西门", "both"}};
constexpr Entrance kSchoolDoors[] = {{"校门", "both"}, {"侧门", "both"}};
constexpr Entrance kWorkDoors[] = {{"正门", "both"}, {"员工通道", "both"}};
constexpr Entrance kGateDoors[] = {{"东门", "both"}, {"南门", "both"}};

struct KindSpec {
  const Entrance* doors;
  uint8_t n_doors;
  uint16_t opens, closes;  // minutes
  double per_10k;          // venues per 10,000 residents (0: sized otherwise)
  int min_per_district;
  double zipf;             // popularity exponent
  uint32_t base_capacity;  // for public venues
};
#define DOORS(a) a, static_cast<uint8_t>(std::size(a))
const KindSpec kKinds[kVenueKinds] = {
    {DOORS(kHospitalDoors), 0, 1440, 0.1, 1, 1.0, 3000},  // hospital
    {DOORS(kInOut), 480, 1050, 0.8, 1, 0.5, 150},         // clinic
    {DOORS(kHallDoors), 540, 1020, 0, 1, 0.0, 2000},      // service_hall
    {DOORS(kStationDoors), 330, 1230, 0, 1, 0.0, 1500},   // bus_station
    {DOORS(kStationDoors), 360, 1380, 0, 0, 0.0, 3000},   // rail_station
    {DOORS(kMarketDoors), 330, 1110, 0.5, 1, 0.6, 600},   // market
    {DOORS(kInOut), 480, 1320, 2.0, 1, 0.7, 400},         // supermarket
    {DOORS(kOneDoor), 600, 1320, 20, 3, 0.8, 80},         // restaurant
    {DOORS(kOneDoor), 480, 1320, 4, 1, 0.5, 20},          // pharmacy
    {DOORS(kOneDoor), 420, 1380, 10, 2, 0.5, 25},         // shop
    {DOORS(kInOut), 360, 1320, 1.0, 1, 0.7, 120},         // gym
    {DOORS(kSchoolDoors), 450, 1050, 0, 1, 0.3, 0},       // kindergarten
    {DOORS(kSchoolDoors), 420, 1080, 0, 1, 0.3, 0},       // primary_school
    {DOORS(kSchoolDoors), 420, 1110, 0, 1, 0.3, 0},       // middle_school
    {DOORS(kSchoolDoors), 400, 1290, 0, 1, 0.3, 0},       // high_school
    {DOORS(kSchoolDoors), 420, 1320, 0, 0, 0.3, 0},       // university
    {DOORS(kOneDoor), 540, 1260, 1.5, 1, 0.6, 60},        // training
    {DOORS(kWorkDoors), 420, 1200, 0, 1, 1.0, 0},         // office
    {DOORS(kWorkDoors), 0, 1440, 0, 1, 0.9, 0},           // factory
    {DOORS(kGateDoors), 0, 1440, 0, 0, 0.0, 0},           // compound_gate
};
#undef DOORS

constexpr const char* kCommunityWords[] = {
    "锦纶", "顺城",   "新华", "安宁", "蕴华", "北关", "南关", "东顺", "西河", "汇通", "迎宾", "文苑",
    "桥东", "桥西",   "建设", "光明", "府东", "龙湖", "晋华", "丰盈", "广安", "新建", "郝村", "经纬",
    "长凝", "乌金山", "庆城", "东阳", "修文", "使赵", "鸣李", "张庆", "北田", "永康", "红旗", "胜利",
    "和平", "解放",   "中山", "人民", "东关", "西关", "北街", "南街", "东城", "西城", "朝阳", "向阳",
    "金谷", "明星",   "富康", "兴盛", "振兴", "康宁", "如意", "吉祥", "紫荆", "春晖", "泰和", "丰泽"};
constexpr const char* kCompoundWords[] = {
    "银海心悦", "鑫发", "和山", "锦绣", "文华", "润泽", "翠竹", "东湖湾", "安泰", "富力", "华润", "恒大",
    "阳光",     "金色", "蓝天", "绿城", "碧桂", "万科", "世纪", "御景",   "水岸", "香樟", "紫苑", "和谐",
    "幸福",     "康乐", "怡景", "馨园", "雅居", "盛世", "天骄", "名都",   "丽景", "凤凰", "星河", "晋商",
    "煤机",     "纺织", "电力", "铁路", "供销", "粮食", "邮电", "教师",   "医院", "化肥", "液压", "机车"};
constexpr const char* kCompoundSuffixes[] = {"小区", "花园", "家园", "苑", "新村", "公寓", "华府", "佳苑"};
constexpr const char* kShopWords[] = {"老王", "晋味", "福满", "鸿运", "好再来", "一品", "乡味", "家和", "悦来", "金鼎",
                                      "聚福", "顺心", "惠民", "百姓", "诚信",   "美佳", "天天", "佳乐", "大众", "红星",
                                      "宏达", "永和", "同心", "鑫源", "瑞丰",   "平安", "康泰", "众信"};
constexpr const char* kRestaurantLabels[] = {"面馆", "饺子馆", "火锅店", "快餐店", "家常菜馆", "烧烤店",
                                             "饭店", "粥铺",   "刀削面", "包子铺", "小吃店",   "酒楼"};

// Surnames weighted roughly by their frequency in northern China.
struct Weighted {
  const char* text;
  int weight;
};
constexpr Weighted kSurnames[] = {
    {"王", 76}, {"李", 74}, {"张", 70}, {"刘", 55}, {"陈", 45}, {"杨", 32}, {"赵", 26}, {"黄", 22}, {"周", 21},
    {"吴", 20}, {"徐", 17}, {"孙", 16}, {"胡", 14}, {"朱", 14}, {"高", 13}, {"林", 12}, {"何", 12}, {"郭", 14},
    {"马", 12}, {"罗", 9},  {"梁", 9},  {"宋", 8},  {"郑", 8},  {"谢", 7},  {"韩", 8},  {"唐", 6},  {"冯", 6},
    {"于", 6},  {"董", 6},  {"程", 5},  {"曹", 6},  {"袁", 5},  {"邓", 5},  {"许", 5},  {"傅", 4},  {"贾", 6},
    {"温", 5},  {"阎", 4},  {"薛", 4},  {"乔", 4},  {"武", 6},  {"段", 3},  {"常", 3},  {"白", 4},  {"史", 3}};
constexpr const char* kGivenMale[] = {"伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "刚", "平", "辉",
                                      "鹏", "华", "飞", "斌", "宇", "浩", "凯", "俊", "峰", "建", "国", "志",
                                      "文", "博", "晨", "阳", "子", "轩", "思", "睿", "泽", "海", "龙", "江"};
constexpr const char* kGivenFemale[] = {"芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀", "玲", "燕", "婷",
                                        "雪", "慧", "琳", "莉", "倩", "颖", "梅", "红", "欣", "怡", "佳", "悦",
                                        "雨", "涵", "萱", "诗", "晓", "琪", "瑶", "婧", "丹", "蕾", "洁", "宁"};

uint32_t clamp_u(double v, double lo, double hi) { return static_cast<uint32_t>(std::clamp(std::round(v), lo, hi)); }

struct Member {
  uint8_t age, sex;
};

// Ages and sexes of a household of `size` by a few census-like templates.
void compose_household(int size, Rng& r, std::vector<Member>& out) {
  out.clear();
  auto sex = [&] { return static_cast<uint8_t>(r.chance(0.51) ? 1 : 2); };
  auto age = [](int a) { return static_cast<uint8_t>(std::clamp(a, 0, 99)); };
  auto couple = [&](int lo, int hi) {
    int h = r.range(lo, hi);
    int w = std::clamp(h - r.range(-1, 4), 18, 99);
    out.push_back({age(h), 1});
    out.push_back({age(w), 2});
    return w;
  };
  auto child_of = [&](int mother) {
    int a = mother - r.range(22, 36);
    if (a < 0) a = r.range(0, 3);
    out.push_back({age(a), sex()});
  };
  auto grandparent = [&](int parent) { out.push_back({age(std::min(95, parent + r.range(24, 32))), sex()}); };
  double u = r.uniform();
  switch (size) {
    case 1:
      out.push_back({age(u < 0.3 ? r.range(20, 34) : u < 0.5 ? r.range(35, 59) : r.range(60, 92)), sex()});
      break;
    case 2:
      if (u < 0.5)
        couple(55, 85);
      else if (u < 0.8)
        couple(22, 40);
      else {
        int p = r.range(28, 50);
        out.push_back({age(p), sex()});
        child_of(p);
      }
      break;
    case 3:
      if (u < 0.72)
        child_of(couple(26, 48));
      else if (u < 0.9) {
        int m = couple(48, 66);
        out.push_back({age(m - r.range(22, 32)), sex()});
      } else
        grandparent(couple(24, 36));
      break;
    default: {
      int m = couple(26, 46);
      int kids = size == 4 ? (u < 0.5 ? 2 : 1) : size == 5 ? (u < 0.5 ? 2 : 1) : 2;
      for (int k = 0; k < kids; ++k) child_of(m);
      while (static_cast<int>(out.size()) < size) {
        if (out.size() < static_cast<size_t>(kids) + 4)
          grandparent(m);
        else
          out.push_back({age(r.range(18, 40)), sex()});
      }
    }
  }
}

// The sector (a venue kind) of a worker, by shares of employment.
VenueKind worker_sector(Rng& r) {
  struct Share {
    VenueKind k;
    double w;
  };
  static constexpr Share kShares[] = {
      {VenueKind::kOffice, 0.36},        {VenueKind::kFactory, 0.22},      {VenueKind::kSupermarket, 0.03},
      {VenueKind::kMarket, 0.02},        {VenueKind::kRestaurant, 0.08},   {VenueKind::kShop, 0.04},
      {VenueKind::kPharmacy, 0.01},      {VenueKind::kGym, 0.005},         {VenueKind::kHospital, 0.035},
      {VenueKind::kClinic, 0.015},       {VenueKind::kKindergarten, 0.01}, {VenueKind::kPrimarySchool, 0.02},
      {VenueKind::kMiddleSchool, 0.012}, {VenueKind::kHighSchool, 0.008},  {VenueKind::kUniversity, 0.004},
      {VenueKind::kTraining, 0.01},      {VenueKind::kServiceHall, 0.005}, {VenueKind::kBusStation, 0.004},
      {VenueKind::kRailStation, 0.003}};
  double total = 0;
  for (const auto& s : kShares) total += s.w;
  double u = r.uniform() * total;
  for (const auto& s : kShares) {
    if (u < s.w) return s.k;
    u -= s.w;
  }
  return VenueKind::kOffice;
}

std::string pad(uint32_t v, int width) {
  char b[16];
  std::snprintf(b, sizeof b, "%0*u", width, v);
  return b;
}

class Builder {
 public:
  Builder(const Scenario& s, int64_t start_days) {
    c_.scenario = s;
    c_.start_days = start_days;
    seed_ = s.seed;
  }

  City build() {
    split_population();
    for (uint8_t d = 0; d < kDistricts; ++d) populate_district(d);
    c_.district_first_person[kDistricts] = static_cast<uint32_t>(c_.persons.size());
    assign_occupations();
    for (uint8_t d = 0; d < kDistricts; ++d) create_venues(d);
    index_venues();
    assign_places();
    plan_routes();
    pick_drivers();
    set_capacities();
    return std::move(c_);
  }

 private:
  void split_population() {
    double total = 0;
    for (const auto& d : kDistrictTable) total += d.population;
    int64_t n = c_.scenario.persons, given = 0;
    std::array<double, kDistricts> rem{};
    for (size_t d = 0; d < kDistricts; ++d) {
      double exact = static_cast<double>(n) * kDistrictTable[d].population / total;
      target_[d] = static_cast<int64_t>(std::floor(exact));
      rem[d] = exact - static_cast<double>(target_[d]);
      given += target_[d];
    }
    std::array<size_t, kDistricts> order{};
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return rem[a] > rem[b]; });
    for (size_t i = 0; given < n; ++i, ++given) ++target_[order[i % kDistricts]];
  }

  void new_community(uint8_t d, Rng& r) {
    Community cm;
    cm.district = d;
    uint32_t idx = community_count_[d]++;
    cm.code = std::string(kDistrictTable[d].code) + "7" + pad(idx / 50 + 1, 2) + pad(idx % 50 + 1, 3);
    const char* word = kCommunityWords[(idx * 7 + d * 13 + r.below(3)) % std::size(kCommunityWords)];
    uint32_t repeat = idx / static_cast<uint32_t>(std::size(kCommunityWords));
    static constexpr const char* kOrdinal[] = {"", "二", "三", "四", "五", "六", "七", "八", "九", "十"};
    cm.name = std::string(word) + (repeat ? std::string(kOrdinal[std::min<uint32_t>(repeat, 9)]) : "") + "社区";
    cm.first_compound = static_cast<uint32_t>(c_.compounds.size());
    community_target_ = clamp_u(r.lognormal_mean_sd(7000, 3000), 1500, 20000);
    c_.communities.push_back(std::move(cm));
  }

  void new_compound(Rng& r) {
    Community& cm = c_.communities.back();
    Compound cp;
    cp.community = static_cast<uint32_t>(c_.communities.size() - 1);
    uint32_t idx = cm.compounds++;
    cp.code = cm.code + pad(idx + 1, 3);
    uint32_t global = static_cast<uint32_t>(c_.compounds.size());
    cp.name = std::string(kCompoundWords[(global * 5 + r.below(7)) % std::size(kCompoundWords)]) +
              kCompoundSuffixes[r.below(static_cast<uint32_t>(std::size(kCompoundSuffixes)))];
    if (idx >= 1) cp.name += pad(idx + 1, 1) + "期";
    compound_target_ = clamp_u(r.lognormal_mean_sd(900, 500), 120, 4000);
    cp.scan_out = r.chance(0.5);
    c_.compounds.push_back(std::move(cp));
  }

  void populate_district(uint8_t d) {
    Rng r(seed_, Stream::kCity, d);
    c_.district_first_person[d] = static_cast<uint32_t>(c_.persons.size());
    new_community(d, r);
    new_compound(r);
    std::vector<Member> members;
    int64_t left = target_[d];
    while (left > 0) {
      uint32_t h = static_cast<uint32_t>(c_.households.size());
      Rng hr(seed_, Stream::kHousehold, h);
      double u = hr.uniform();
      int size = 7;
      for (int s = 0; s < 7; ++s) {
        if (u < kHouseholdSize[s]) {
          size = s + 1;
          break;
        }
        u -= kHouseholdSize[s];
      }
      size = static_cast<int>(std::min<int64_t>(size, left));
      if (c_.compounds.back().population >= compound_target_) {
        if (c_.communities.back().population >= community_target_) new_community(d, r);
        new_compound(r);
      }
      compose_household(size, hr, members);
      Household hh;
      hh.first_person = static_cast<uint32_t>(c_.persons.size());
      hh.size = static_cast<uint8_t>(size);
      hh.compound = static_cast<uint32_t>(c_.compounds.size() - 1);
      for (const auto& m : members) {
        Person p;
        p.household = h;
        p.compound = hh.compound;
        p.age = m.age;
        p.sex = m.sex;
        p.district = d;
        c_.persons.push_back(p);
      }
      c_.households.push_back(hh);
      c_.compounds.back().population += static_cast<uint32_t>(size);
      c_.communities.back().population += static_cast<uint32_t>(size);
      left -= size;
    }
    c_.district_population[d] = static_cast<uint32_t>(target_[d]);
  }

  void assign_occupations() {
    sector_.assign(c_.persons.size(), kNoSector);
    // Birth dates and identity-number sequences: unique per (district, birth date, sex).
    const int64_t oldest = c_.start_days - 101 * 366;
    const size_t span = 101 * 366 + 2;
    std::vector<uint16_t> used(kDistricts * span * 2, 0);
    for (uint32_t i = 0; i < c_.persons.size(); ++i) {
      Person& p = c_.persons[i];
      Rng r(seed_, Stream::kPerson, i);
      int64_t birth = c_.start_days - static_cast<int64_t>(std::floor(p.age * 365.2425)) - r.range(1, 364);
      for (;;) {
        size_t slot = (p.district * span + static_cast<size_t>(birth - oldest)) * 2 + (p.sex - 1u);
        if (used[slot] < 500) {
          uint32_t base = static_cast<uint32_t>(mix64(static_cast<uint64_t>(birth) * 31 + p.district) % 50) * 20;
          p.id_seq = static_cast<uint16_t>((base + 2u * used[slot] + (p.sex == 1 ? 1u : 2u)) % 1000);
          ++used[slot];
          break;
        }
        --birth;  // 500 people of one sex born on one day in one district: the next day back
      }
      p.birth_days = static_cast<int32_t>(birth);
      p.gate_entrance = static_cast<uint8_t>(r.below(2));
      p.offday = static_cast<uint8_t>(r.below(7));
      const bool univ_district = p.district == kYuci || p.district == kTaigu;
      const int a = p.age;
      const bool male = p.sex == 1;
      if (a <= 2)
        p.occ = Occupation::kInfant;
      else if (a <= 5)
        p.occ = r.chance(0.92) ? Occupation::kKindergarten : Occupation::kInfant;
      else if (a <= 14)
        p.occ = Occupation::kPupil;
      else if (a <= 17)
        p.occ = r.chance(0.9) ? Occupation::kPupil : (r.chance(0.5) ? Occupation::kWorker : Occupation::kHome);
      else if (a <= 22 && univ_district && r.chance(0.45))
        p.occ = Occupation::kCollege;
      else if (a <= 22)
        p.occ = r.chance(0.6) ? Occupation::kWorker : Occupation::kHome;
      else if (a < (male ? 60 : 55)) {
        double work = male ? 0.88 : 0.74;
        if (!r.chance(work))
          p.occ = Occupation::kHome;
        else
          p.occ = r.chance(kDistrictTable[p.district].rural) ? Occupation::kFarmer : Occupation::kWorker;
      } else if (a < 66 && r.chance(0.12)) {
        p.occ = r.chance(kDistrictTable[p.district].rural) ? Occupation::kFarmer : Occupation::kWorker;
      } else {
        p.occ = Occupation::kRetired;
      }
      VenueKind k = VenueKind::kCount;
      if (p.occ == Occupation::kWorker) {
        k = worker_sector(r);
        p.late_shift = works_in_shifts(k) && r.chance(0.4);
      }
      if (p.occ == Occupation::kPupil)
        k = a <= 11 ? VenueKind::kPrimarySchool : a <= 14 ? VenueKind::kMiddleSchool : VenueKind::kHighSchool;
      if (p.occ == Occupation::kKindergarten) k = VenueKind::kKindergarten;
      if (p.occ == Occupation::kCollege) k = VenueKind::kUniversity;
      sector_[i] = k == VenueKind::kCount ? kNoSector : static_cast<uint8_t>(k);
    }
  }

  uint32_t random_community(uint8_t d, Rng& r) {
    // Weighted by population: pick a random resident's community.
    uint32_t first = c_.district_first_person[d];
    uint32_t n = c_.district_first_person[d + 1] - first;
    return c_.community_of(first + r.below(n));
  }

  void add_venue(uint8_t d, VenueKind k, std::string name, uint32_t community, Rng& r) {
    const KindSpec& s = kKinds[static_cast<size_t>(k)];
    Venue v;
    v.kind = k;
    v.district = d;
    v.community = community;
    // Opening hours vary a little, except where a timetable or a shift sets them.
    const bool fixed =
        (s.opens == 0 && s.closes == 1440) || k == VenueKind::kBusStation || k == VenueKind::kRailStation;
    int jitter = fixed ? 0 : 15 * r.range(-2, 2);
    v.opens = static_cast<uint16_t>(std::clamp<int>(s.opens + jitter, 0, 1440));
    v.closes = static_cast<uint16_t>(std::clamp<int>(s.closes + jitter, v.opens + 60, 1440));
    if (k == VenueKind::kRestaurant && r.chance(0.25)) {  // breakfast places open early
      v.opens = static_cast<uint16_t>(360 + jitter);
      v.closes = static_cast<uint16_t>(1230 + jitter);
    }
    v.entrances = s.doors;
    v.n_entrances = s.n_doors;
    v.name = std::move(name);
    c_.venues.push_back(std::move(v));
  }

  // Venue names: "<district short><word><label>", numbered when repeated.
  std::string venue_name(uint8_t d, VenueKind k, uint32_t ordinal, Rng& r) {
    const char* shortn = kDistrictTable[d].short_name;
    const char* word = kShopWords[r.below(static_cast<uint32_t>(std::size(kShopWords)))];
    const char* cword = kCommunityWords[r.below(static_cast<uint32_t>(std::size(kCommunityWords)))];
    std::string n;
    switch (k) {
      case VenueKind::kHospital:
        if (ordinal == 0) return std::string(kDistrictTable[d].name) + "人民医院";
        if (ordinal == 1) return std::string(kDistrictTable[d].name) + "中医院";
        return std::string(shortn) + "第" + std::to_string(ordinal) + "医院";
      case VenueKind::kClinic:
        return std::string(shortn) + cword + "社区卫生服务中心" + suffix(ordinal, 60);
      case VenueKind::kServiceHall:
        return std::string(kDistrictTable[d].name) + "政务服务中心";
      case VenueKind::kBusStation:
        return std::string(shortn) + "汽车站";
      case VenueKind::kMarket:
        return std::string(shortn) + cword + "农贸市场" + suffix(ordinal, 60);
      case VenueKind::kSupermarket:
        return std::string(word) + "超市（" + shortn + cword + "店）" + suffix(ordinal, 1500);
      case VenueKind::kRestaurant:
        return std::string(word) + kRestaurantLabels[r.below(static_cast<uint32_t>(std::size(kRestaurantLabels)))] +
               "（" + shortn + cword + "店）" + suffix(ordinal, 1500);
      case VenueKind::kPharmacy:
        return std::string(word) + "大药房（" + shortn + cword + "店）" + suffix(ordinal, 1500);
      case VenueKind::kShop:
        return std::string(word) + "便利店（" + shortn + cword + "店）" + suffix(ordinal, 1500);
      case VenueKind::kGym:
        return std::string(word) + "健身中心（" + shortn + "）" + suffix(ordinal, 0);
      case VenueKind::kKindergarten:
        return std::string(shortn) + cword + "幼儿园" + suffix(ordinal, 60);
      case VenueKind::kPrimarySchool:
        return std::string(shortn) + "第" + std::to_string(ordinal + 1) + "小学";
      case VenueKind::kMiddleSchool:
        return std::string(shortn) + "第" + std::to_string(ordinal + 1) + "中学";
      case VenueKind::kHighSchool:
        return std::string(kDistrictTable[d].name) + "第" + std::to_string(ordinal + 1) + "高级中学";
      case VenueKind::kTraining:
        return std::string(word) + "教育培训中心（" + shortn + "）" + suffix(ordinal, 0);
      case VenueKind::kOffice:
        return std::string(shortn) + word + "大厦" + suffix(ordinal, 0);
      case VenueKind::kFactory:
        return std::string(shortn) + word + "工业园" + suffix(ordinal, 0);
      default:
        return std::string(shortn) + std::string(kind_name(k)) + std::to_string(ordinal + 1);
    }
  }
  // "" for the first `free` ordinals, then a number that keeps names unique.
  static std::string suffix(uint32_t ordinal, uint32_t free) {
    if (ordinal < free) return "";
    return "（" + std::to_string(ordinal + 1) + "）";
  }

  void create_venues(uint8_t d) {
    Rng r(seed_, Stream::kVenue, d);
    const double pop = static_cast<double>(c_.district_population[d]);
    std::array<uint32_t, kVenueKinds> demand{};  // people who work or study by kind
    for (uint32_t i = c_.district_first_person[d]; i < c_.district_first_person[d + 1]; ++i)
      if (sector_[i] != kNoSector) ++demand[sector_[i]];
    for (size_t ki = 0; ki < kVenueKinds; ++ki) {
      VenueKind k = static_cast<VenueKind>(ki);
      const KindSpec& s = kKinds[ki];
      uint32_t n = 0;
      switch (k) {
        case VenueKind::kServiceHall:
          n = d == kYuci ? 2 : 1;
          break;
        case VenueKind::kBusStation:
          n = 1;
          break;
        case VenueKind::kRailStation:
          n = 0;
          break;  // below, by name
        case VenueKind::kKindergarten:
          n = clamp_u(demand[ki] / 180.0, 1, 1e6);
          break;
        case VenueKind::kPrimarySchool:
          n = clamp_u(demand[ki] / 900.0, 1, 1e6);
          break;
        case VenueKind::kMiddleSchool:
          n = clamp_u(demand[ki] / 1200.0, 1, 1e6);
          break;
        case VenueKind::kHighSchool:
          n = clamp_u(demand[ki] / 2000.0, 1, 1e6);
          break;
        case VenueKind::kUniversity:
          n = d == kYuci ? 3 : d == kTaigu ? 1 : 0;
          break;
        case VenueKind::kOffice:
          n = clamp_u(demand[ki] / 120.0, 1, 1e6);
          break;
        case VenueKind::kFactory:
          n = clamp_u(demand[ki] / 300.0, 1, 1e6);
          break;
        case VenueKind::kCompoundGate:
          n = 0;
          break;  // one per compound, below
        default:
          n = clamp_u(pop * s.per_10k / 10000.0, s.min_per_district, 1e6);
      }
      uint32_t first = static_cast<uint32_t>(c_.venues.size());
      if (k == VenueKind::kRailStation) {
        for (const char* name : rail_names(d)) add_venue(d, k, name, random_community(d, r), r);
      } else if (k == VenueKind::kCompoundGate) {
        for (uint32_t cp = 0; cp < c_.compounds.size(); ++cp) {
          if (c_.communities[c_.compounds[cp].community].district != d) continue;
          c_.compounds[cp].gate = static_cast<uint32_t>(c_.venues.size());
          add_venue(d, k, c_.compounds[cp].name + "大门", c_.compounds[cp].community, r);
        }
      } else {
        for (uint32_t j = 0; j < n; ++j) {
          std::string name;
          if (d == kYuci && k == VenueKind::kHospital && j == 0)
            name = "晋中市第一人民医院";
          else if (d == kYuci && k == VenueKind::kServiceHall && j == 0)
            name = "晋中市民之家";
          else if (d == kYuci && k == VenueKind::kBusStation)
            name = "晋中汽车客运总站";
          else if (k == VenueKind::kUniversity) {
            static constexpr const char* kYuciUniv[] = {"晋中学院", "山西中医药大学", "山西工商学院"};
            name = d == kYuci ? kYuciUniv[j] : "山西农业大学";
          } else if (k == VenueKind::kHospital && d == kYuci) {
            name = venue_name(d, k, j - 1, r);  // after the city's flagship hospital
          } else {
            name = venue_name(d, k, j, r);
          }
          add_venue(d, k, std::move(name), random_community(d, r), r);
        }
      }
      // Zipf popularity over a random ranking; a named flagship venue ranks first.
      uint32_t count = static_cast<uint32_t>(c_.venues.size()) - first;
      std::vector<uint32_t> rank(count);
      std::iota(rank.begin(), rank.end(), 0);
      for (uint32_t j = count; j > 2; --j) std::swap(rank[j - 1], rank[1 + r.below(j - 1)]);
      for (uint32_t j = 0; j < count; ++j)
        c_.venues[first + j].popularity = static_cast<float>(1.0 / std::pow(rank[j] + 1.0, s.zipf));
      if (k == VenueKind::kBusStation) c_.bus_station[d] = first;
      if (k == VenueKind::kHospital)
        for (uint32_t j = 0; j < count; ++j) c_.fever_hospitals[d].push_back(first + j);
    }
  }

  static std::vector<const char*> rail_names(uint8_t d) {
    switch (d) {
      case 0:
        return {"晋中站", "榆次站"};
      case 1:
        return {"太谷站"};
      case 6:
        return {"寿阳站"};
      case 7:
        return {"祁县东站"};
      case 8:
        return {"平遥古城站", "平遥站"};
      case 9:
        return {"灵石东站"};
      case 10:
        return {"介休东站", "介休站"};
      default:
        return {};
    }
  }

  void index_venues() {
    c_.by_district_kind.resize(kDistricts * kVenueKinds);
    std::vector<std::vector<uint32_t>> items(kDistricts * kVenueKinds);
    std::vector<std::vector<double>> weights(kDistricts * kVenueKinds);
    for (uint32_t v = 0; v < c_.venues.size(); ++v) {
      const Venue& x = c_.venues[v];
      size_t i = x.district * kVenueKinds + static_cast<size_t>(x.kind);
      items[i].push_back(v);
      weights[i].push_back(x.popularity);
    }
    for (size_t i = 0; i < items.size(); ++i)
      if (!items[i].empty()) c_.by_district_kind[i] = AliasTable(items[i], weights[i]);
    // Per community (CSR).
    size_t cells = c_.communities.size() * kVenueKinds;
    c_.community_kind_start.assign(cells + 1, 0);
    for (const auto& v : c_.venues)
      ++c_.community_kind_start[v.community * kVenueKinds + static_cast<size_t>(v.kind) + 1];
    for (size_t i = 0; i < cells; ++i) c_.community_kind_start[i + 1] += c_.community_kind_start[i];
    c_.community_kind_venues.resize(c_.venues.size());
    std::vector<uint32_t> fill(c_.community_kind_start.begin(), c_.community_kind_start.end() - 1);
    for (uint32_t v = 0; v < c_.venues.size(); ++v) {
      const Venue& x = c_.venues[v];
      c_.community_kind_venues[fill[x.community * kVenueKinds + static_cast<size_t>(x.kind)]++] = v;
    }
    for (uint8_t d = 0; d < kDistricts; ++d) {
      const auto& rail = c_.venues_of(d, VenueKind::kRailStation);
      c_.rail_station[d] = rail.empty() ? kNone : rail.items()[0];
    }
  }

  void assign_places() {
    for (uint32_t i = 0; i < c_.persons.size(); ++i) {
      if (sector_[i] == kNoSector) continue;
      Person& p = c_.persons[i];
      Rng r(seed_, Stream::kAssign, i);
      VenueKind k = static_cast<VenueKind>(sector_[i]);
      const AliasTable* t = &c_.venues_of(p.district, k);
      if (t->empty()) {  // no such venue in this district (rail, university): an office job instead
        if (p.occ == Occupation::kCollege) {
          p.occ = Occupation::kHome;
          continue;
        }
        k = VenueKind::kOffice;
        t = &c_.venues_of(p.district, k);
      }
      const bool school = p.occ == Occupation::kPupil || p.occ == Occupation::kKindergarten;
      if (school) {
        auto [b, e] = c_.local(c_.community_of(i), k);
        if (b != e && r.chance(0.7)) {
          p.work = b[r.below(static_cast<uint32_t>(e - b))];
        } else {
          p.work = t->sample(r);
        }
        ++c_.enrolled[p.district];
      } else {
        p.work = t->sample(r);
      }
    }
  }

  void plan_routes() {
    const Scenario& s = c_.scenario;
    const double f = s.coach_daily_fraction * (5 + 2 * 1.4) / 7;  // average day
    std::array<double, kDistricts> adults{};
    for (const auto& p : c_.persons)
      if (p.age >= 18 && p.age <= 75) adults[p.district] += 1;
    double other_pop = 0;
    for (uint8_t d = 1; d < kDistricts; ++d) other_pop += adults[d];
    auto make = [&](uint8_t from, int8_t to, double morning_out, double afternoon_out, double morning_back,
                    double afternoon_back) {
      Route rt;
      rt.from_district = from;
      rt.to_district = to;
      rt.from_station = c_.bus_station[from];
      rt.to_station = to >= 0 ? c_.bus_station[static_cast<size_t>(to)] : kNone;
      rt.minutes = to >= 0 ? kMinutesToYuci[from] : kMinutesToTaiyuan[from];
      rt.name = std::string(kDistrictTable[from].short_name) + "—" +
                (to >= 0 ? kDistrictTable[static_cast<size_t>(to)].short_name : "太原");
      auto timetable = [&](std::vector<uint16_t>& deps, double morning, double afternoon) {
        // Enough departures for a ~70 % load on an average day, at least one
        // in each half-day that has passengers.
        auto slots = [](double pax, int lo, int hi) {
          if (pax <= 0) return 0;
          return std::clamp(static_cast<int>(std::lround(pax / (44 * 0.7))), lo, hi);
        };
        int km = slots(morning, 1, 30), ka = slots(afternoon, 1, 30);
        for (int j = 0; j < km; ++j)
          deps.push_back(static_cast<uint16_t>(390 + (300 * j) / std::max(1, km)));  // 6:30–11:30
        for (int j = 0; j < ka; ++j)
          deps.push_back(static_cast<uint16_t>(750 + (300 * j) / std::max(1, ka)));  // 12:30–17:30
      };
      timetable(rt.departures[0], morning_out, afternoon_out);
      timetable(rt.departures[1], morning_back, afternoon_back);
      c_.routes_from[from].push_back(static_cast<uint16_t>(c_.routes.size()));
      if (to >= 0) c_.routes_from[static_cast<size_t>(to)].push_back(static_cast<uint16_t>(c_.routes.size()));
      c_.routes.push_back(std::move(rt));
    };
    // District ↔ Yuci: outbound carries the district's travellers in the
    // morning and Yuci's returning travellers in the afternoon; and back.
    for (uint8_t d = 1; d < kDistricts; ++d) {
      double out = adults[d] * f * 0.65;
      double in = other_pop > 0 ? adults[kYuci] * f * 0.6 * adults[d] / other_pop : 0;
      make(d, kYuci, out, in, in, out);
    }
    for (uint8_t d = 0; d < kDistricts; ++d) {
      double out = adults[d] * f * (d == kYuci ? 0.4 : 0.35);
      make(d, -1, out, 0, 0, out);
    }
  }

  void pick_drivers() {
    // Enough drivers at each station for every departure leaving it, plus
    // relief for extra vehicles.
    std::array<uint32_t, kDistricts> needed{};
    for (const auto& rt : c_.routes) {
      needed[rt.from_district] += static_cast<uint32_t>(rt.departures[0].size());
      if (rt.to_district >= 0)
        needed[static_cast<size_t>(rt.to_district)] += static_cast<uint32_t>(rt.departures[1].size());
    }
    for (uint8_t d = 0; d < kDistricts; ++d) {
      uint32_t want = needed[d] + needed[d] / 3 + 2;
      std::vector<uint32_t> eligible;
      for (uint32_t i = c_.district_first_person[d]; i < c_.district_first_person[d + 1]; ++i) {
        const Person& p = c_.persons[i];
        if (p.occ == Occupation::kWorker && p.sex == 1 && p.age >= 25 && p.age <= 55) eligible.push_back(i);
      }
      Rng r(seed_, Stream::kAssign, 0xd000000u + d);
      want = std::min<uint32_t>(want, static_cast<uint32_t>(eligible.size()));
      for (uint32_t j = 0; j < want; ++j) {
        std::swap(eligible[j], eligible[j + r.below(static_cast<uint32_t>(eligible.size()) - j)]);
        Person& p = c_.persons[eligible[j]];
        p.occ = Occupation::kDriver;
        p.work = c_.bus_station[d];
        p.late_shift = 0;
      }
      eligible.resize(want);
      std::sort(eligible.begin(), eligible.end());
      c_.drivers[d] = std::move(eligible);
    }
  }

  void set_capacities() {
    std::vector<uint32_t> members(c_.venues.size(), 0);
    for (const auto& p : c_.persons)
      if (p.work != kNone) ++members[p.work];
    // Public venues: the kind's base scaled by popularity relative to the
    // district's most popular venue of that kind.
    std::vector<float> top(kDistricts * kVenueKinds, 0);
    for (const auto& v : c_.venues) {
      float& t = top[v.district * kVenueKinds + static_cast<size_t>(v.kind)];
      t = std::max(t, v.popularity);
    }
    for (uint32_t i = 0; i < c_.venues.size(); ++i) {
      Venue& v = c_.venues[i];
      const KindSpec& s = kKinds[static_cast<size_t>(v.kind)];
      double rel = v.popularity / std::max(1e-9f, top[v.district * kVenueKinds + static_cast<size_t>(v.kind)]);
      double cap = std::max(s.base_capacity * (0.3 + 0.7 * rel), members[i] * 1.15);
      v.capacity = clamp_u(cap, 10, 1e7);
    }
    for (auto& cp : c_.compounds) c_.venues[cp.gate].capacity = std::max<uint32_t>(20, cp.population / 10);
  }

  City c_;
  uint64_t seed_ = 0;
  std::array<int64_t, kDistricts> target_{};
  std::array<uint32_t, kDistricts> community_count_{};
  uint32_t community_target_ = 0, compound_target_ = 0;
  static constexpr uint8_t kNoSector = 0xff;
  std::vector<uint8_t> sector_;  // per person: the kind of venue they work or study at
};

}  // namespace

const std::array<DistrictInfo, kDistricts>& districts() { return kDistrictTable; }

std::string_view occupation_name(Occupation o) {
  static constexpr std::string_view kNames[] = {"infant", "kindergarten", "pupil",   "college", "worker",
                                                "farmer", "home",         "retired", "driver"};
  return kNames[static_cast<size_t>(o)];
}

AliasTable::AliasTable(const std::vector<uint32_t>& items, const std::vector<double>& weights) : items_(items) {
  size_t n = items.size();
  prob_.assign(n, 1.0f);
  alias_.resize(n);
  std::iota(alias_.begin(), alias_.end(), 0);
  double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  std::vector<double> scaled(n);
  std::vector<uint32_t> small, large;
  for (size_t i = 0; i < n; ++i) {
    scaled[i] = weights[i] * static_cast<double>(n) / total;
    (scaled[i] < 1 ? small : large).push_back(static_cast<uint32_t>(i));
  }
  while (!small.empty() && !large.empty()) {
    uint32_t s = small.back(), l = large.back();
    small.pop_back();
    prob_[s] = static_cast<float>(scaled[s]);
    alias_[s] = l;
    scaled[l] -= 1 - scaled[s];
    if (scaled[l] < 1) {
      large.pop_back();
      small.push_back(l);
    }
  }
}

City build_city(const Scenario& scenario, int64_t start_days) { return Builder(scenario, start_days).build(); }

void identity_number(const City& city, uint32_t person, char* out) {
  const Person& p = city.persons[person];
  std::memcpy(out, kDistrictTable[p.district].code, 6);
  Date b = civil_from_days(p.birth_days);
  auto put = [](char* at, uint32_t v, int width) {
    for (int i = width - 1; i >= 0; --i, v /= 10) at[i] = static_cast<char>('0' + v % 10);
  };
  put(out + 6, static_cast<uint32_t>(b.year), 4);
  put(out + 10, static_cast<uint32_t>(b.month), 2);
  put(out + 12, static_cast<uint32_t>(b.day), 2);
  put(out + 14, p.id_seq, 3);
  out[17] = domain::id_check_char(std::string_view(out, 17));
}

std::string identity_number(const City& city, uint32_t person) {
  std::string s(18, '0');
  identity_number(city, person, s.data());
  return s;
}

std::string person_name(const City& city, uint32_t person) {
  const Person& p = city.persons[person];
  Rng r(city.scenario.seed, Stream::kNames, person);
  static const int kTotal = [] {
    int t = 0;
    for (const auto& s : kSurnames) t += s.weight;
    return t;
  }();
  auto surname = [&](Rng& g) {
    int u = static_cast<int>(g.below(static_cast<uint32_t>(kTotal)));
    for (const auto& s : kSurnames) {
      if (u < s.weight) return s.text;
      u -= s.weight;
    }
    return kSurnames[0].text;
  };
  Rng family(city.scenario.seed, Stream::kNames, 0x100000000ULL + p.household);
  std::string name = r.chance(0.6) ? surname(family) : surname(r);
  const auto& given = p.sex == 1 ? kGivenMale : kGivenFemale;
  constexpr uint32_t n = static_cast<uint32_t>(std::size(kGivenMale));
  name += given[r.below(n)];
  if (r.chance(0.7)) name += given[r.below(n)];
  return name;
}

}  // namespace epinet::sim
