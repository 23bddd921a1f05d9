// The index's sweep (TraceIndex::trace) against the reference trace
// (ContactSource::trace, exposure by exposure) on random cities: the same
// contacts, tiers, first and last exposures and evidence, under every rule
// that changes how a meeting is decided, with the secondary tier found both
// ways (postings and reading every venue).
#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "domain/tracing/index.h"
#include "domain/tracing/scratch.h"
#include "domain/tracing/trace.h"

namespace epinet::domain::tracing {
namespace {

constexpr Millis kT0 = 1'795'000'000'000LL;
constexpr Millis kM = kMinute;

struct City {
  TraceIndex ix;
  std::vector<int64_t> persons;
};

// `persons` residents in households of 1–4, `venues` venues of four types,
// stays over `days` days: short visits, long shifts, stays over midnight,
// entries without exit, late (out of order) scans, a closed stay; coach
// trips with crew.
City make_city(uint32_t seed, int persons, int venues, int days, bool ascending_ids = false, bool bulk = false) {
  std::mt19937_64 rng(seed);
  auto uni = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  City c;
  if (bulk) c.ix.begin_load();
  const char* types[] = {"restaurant", "shop", "office", "compound_gate"};
  for (int v = 0; v < venues; ++v) c.ix.add_venue(1000 + v, types[v % 4]);
  int64_t household = 500;
  for (int p = 0; p < persons; ++p) {
    if (p % 3 == 0 || uni(0, 3) == 0) ++household;
    // Ids in the order persons are added, or not (the index orders by slot in the first case).
    const int64_t id = ascending_ids ? 10 + p * 3 : 10 + (p * 7919) % 100003;
    c.persons.push_back(id);
    c.ix.add_person(id, uni(0, 9) == 0 ? 0 : household);
  }
  std::vector<std::tuple<int64_t, int64_t, Millis, std::optional<Millis>>> late;
  for (int p = 0; p < persons; ++p)
    for (int d = 0; d < days; ++d) {
      const int n = static_cast<int>(uni(0, 4));
      for (int k = 0; k < n; ++k) {
        const int64_t venue = 1000 + uni(0, venues - 1);
        const Millis in = kT0 + d * kDay + uni(0, kDay - 1) / 1000 * 1000;
        std::optional<Millis> out;
        switch (uni(0, 5)) {
          case 0:
            break;  // no exit: the venue type's default stay
          case 1:
            out = in + uni(6, 12) * 60 * kM;
            break;  // a shift, often over midnight
          case 2:
            out = in + uni(0, 30) * kDay;
            break;  // longer than a day: capped
          default:
            out = in + uni(1, 90) * kM;
        }
        if (uni(0, 19) == 0)
          late.emplace_back(c.persons[p], venue, in, out);
        else
          c.ix.add_stay(c.persons[p], venue, in, out);
      }
    }
  for (const auto& [p, v, in, out] : late) c.ix.add_stay(p, v, in, out);
  // Exits for a few open stays.
  for (int k = 0; k < persons / 10; ++k) {
    const int64_t p = c.persons[uni(0, persons - 1)];
    c.ix.close_stay(p, 1000 + uni(0, venues - 1), kT0 + uni(0, days) * kDay);
  }
  for (int t = 0; t < 6; ++t) {
    TripInfo trip{7000 + t, "晋K" + std::to_string(t), kT0 + uni(0, days - 1) * kDay + uni(0, 20) * 60 * kM, 0};
    trip.arrival = trip.departure + uni(1, 4) * 60 * kM;
    c.ix.add_trip(trip);
    const int seats = static_cast<int>(uni(5, 30));
    for (int s = 0; s < seats; ++s) {
      SeatInfo seat;
      seat.trip_id = trip.id;
      seat.person_id = c.persons[uni(0, persons - 1)];
      seat.crew = s < 2;
      seat.row = seat.crew ? 0 : static_cast<int>(uni(1, 12));
      seat.col = seat.crew ? 0 : static_cast<int>(uni(1, 4));
      c.ix.add_seat(seat);
    }
  }
  c.ix.compact();
  return c;
}

std::string show(const TraceResult& r) {
  std::ostringstream o;
  for (const auto& c : r.contacts) {
    o << c.person_id << ' ' << kind_name(c.kind) << ' ' << c.first_exposure << ' ' << c.last_exposure << ':';
    for (const auto& e : r.evidence_of(c))
      o << " [" << e.via << ' ' << kind_name(e.kind) << ' ' << setting_name(e.setting) << ' ' << e.place_id << ' '
        << e.from << ' ' << e.to << ' ' << e.overlap << ' ' << e.seat_row << ' ' << e.seat_col << ']';
    o << '\n';
  }
  return o.str();
}

// The first line where two listings differ (the whole listing is too long to read).
std::string first_difference(const std::string& got, const std::string& want) {
  std::istringstream a(got), b(want);
  std::string x, y;
  for (int line = 1;; ++line) {
    const bool ha = static_cast<bool>(std::getline(a, x)), hb = static_cast<bool>(std::getline(b, y));
    if (!ha && !hb) return "";
    if (!ha || !hb || x != y)
      return "line " + std::to_string(line) + "\n  sweep:     " + (ha ? x : "(end)") +
             "\n  reference: " + (hb ? y : "(end)");
  }
}

struct Case {
  std::string name;
  Rules rules;
};

std::vector<Case> rule_sets() {
  std::vector<Case> v;
  v.push_back({"defaults", Rules{}});
  Rules r;
  r.buffer = 0;
  v.push_back({"no buffer", r});
  r = Rules{};
  r.min_overlap = 15 * kM;
  v.push_back({"15 min minimum overlap", r});
  r = Rules{};
  r.close_venue_types = {"restaurant", "office"};
  r.min_overlap = 10 * kM;
  r.buffer = 5 * kM;
  v.push_back({"close types and minimum overlap (companions)", r});
  r = Rules{};
  r.close_venue_types = {"shop"};
  v.push_back({"close types only", r});
  r = Rules{};
  r.default_stay = 20 * kM;
  r.default_stay_by_type = {{"office", 9 * 60 * kM}};
  r.row_span = 1;
  v.push_back({"default stays by type, row span 1", r});
  // Each again with one tier (a trace of one tier groups its exposures by person instead of marking them).
  const size_t n = v.size();
  for (size_t i = 0; i < n; ++i) {
    r = v[i].rules;
    r.secondary = false;
    v.push_back({v[i].name + ", no secondary tier", r});
  }
  return v;
}

TEST(TraceSweep, EqualsTheReferenceOnRandomCitiesUnderEveryRule) {
  for (uint32_t seed : {1u, 2u, 3u, 4u}) {
    City city = make_city(seed, 400, 12, 5, seed % 2 == 0);
    std::mt19937_64 rng(seed * 31);
    for (const auto& rc : rule_sets())
      for (size_t n_cases : {1u, 3u, 25u}) {
        std::vector<IndexCase> cases;
        for (size_t i = 0; i < n_cases; ++i) {
          const int64_t p = city.persons[rng() % city.persons.size()];
          const Millis from = kT0 + static_cast<Millis>(rng() % (3 * kDay));
          cases.push_back({p, {from, from + static_cast<Millis>(rng() % (3 * kDay))}});
        }
        // Some close contacts under control early (an empty window), some late.
        auto control = [&](int64_t p) { return kT0 + (p % 5) * kDay + (p % 7) * 60 * kM; };
        const TraceResult want = city.ix.ContactSource::trace(cases, rc.rules, control, {});
        for (auto mode : {TraceIndex::SecondaryScan::kSparse, TraceIndex::SecondaryScan::kDense})
          for (size_t threads : {1u, 2u}) {
            city.ix.secondary_scan = mode;
            city.ix.trace_threads = threads;
            city.ix.two_thread_result_from = 0;  // every result built on two threads when there are two
            const TraceResult got = city.ix.trace(cases, rc.rules, control, {});
            ASSERT_EQ(first_difference(show(got), show(want)), "")
                << "seed " << seed << ", " << rc.name << ", " << n_cases << " cases, "
                << (mode == TraceIndex::SecondaryScan::kDense ? "dense" : "sparse") << ", " << threads << " thread(s)";
          }
        city.ix.secondary_scan = TraceIndex::SecondaryScan::kAuto;
        city.ix.trace_threads = 2;
        if (rc.rules.secondary && n_cases == 25) {
          EXPECT_GT(want.count(ContactKind::kSecondary), 0u) << rc.name;
        }
      }
  }
}

TEST(TraceSweep, AOneTierTraceOfThousandsOfExposuresEqualsTheReference) {
  // Enough exposures that a one-tier trace sorts them by person with a radix sort.
  City city = make_city(11, 3000, 8, 3, true);
  std::mt19937_64 rng(11);
  for (const auto& rc : rule_sets()) {
    if (rc.rules.secondary) continue;
    std::vector<IndexCase> cases;
    for (size_t i = 0; i < 40; ++i) {
      const int64_t p = city.persons[rng() % city.persons.size()];
      const Millis from = kT0 + static_cast<Millis>(rng() % kDay);
      cases.push_back({p, {from, from + kDay + static_cast<Millis>(rng() % kDay)}});
    }
    const TraceResult want = city.ix.ContactSource::trace(cases, rc.rules, {}, {});
    for (size_t two_from : {size_t{1} << 20, size_t{0}}) {  // built on one thread, and on two
      city.ix.two_thread_result_from = two_from;
      const TraceResult got = city.ix.trace(cases, rc.rules, {}, {});
      ASSERT_GT(got.evidence.size(), 4000u) << rc.name;
      ASSERT_EQ(first_difference(show(got), show(want)), "") << rc.name << ", from " << two_from;
    }
  }
}

TEST(TraceSweep, NamesTheCaseWhoseStayBeganFirstWhenSeveralMetTheSameStay) {
  TraceIndex ix;
  ix.add_venue(1, "restaurant");
  ix.add_stay(20, 1, kT0 + 30 * kM, kT0 + 90 * kM);  // index 20 arrives second
  ix.add_stay(10, 1, kT0 + 40 * kM, kT0 + 50 * kM);  // index 10 arrives third
  ix.add_stay(30, 1, kT0 + 10 * kM, kT0 + 35 * kM);  // index 30 arrives first
  ix.add_stay(5, 1, kT0 + 20 * kM, kT0 + 60 * kM);   // the contact
  Rules r;
  r.secondary = false;
  std::vector<IndexCase> cases{
      {10, {kT0 - kDay, kT0 + kDay}}, {20, {kT0 - kDay, kT0 + kDay}}, {30, {kT0 - kDay, kT0 + kDay}}};
  for (const TraceResult& res : {ix.trace(cases, r, {}, {}), ix.ContactSource::trace(cases, r, {}, {})}) {
    ASSERT_EQ(res.contacts.size(), 1u);
    const auto& c = res.contacts[0];
    EXPECT_EQ(c.person_id, 5);
    EXPECT_EQ(c.first_exposure, kT0 + 20 * kM) << "from the contact's entry (index 30 was already there)";
    EXPECT_EQ(c.last_exposure, kT0 + 60 * kM) << "until the contact left (index 20 stayed longer)";
    ASSERT_EQ(res.evidence_of(c).size(), 1u) << "one evidence row per stay of the contact";
    EXPECT_EQ(res.evidence_of(c)[0].via, 30);
    EXPECT_EQ(res.evidence_of(c)[0].overlap, 15 * kM);
  }
}

// What changes a bucket after the index is built (a late scan inserted among earlier ones, an
// entry appended, an exit closing an open stay, a purge shifting what is left) leaves the sweep
// equal to the reference, at a place where a few shifts of hours make it read hours of entries back.
TEST(TraceSweep, ChangesToABuiltIndexLeaveTheSweepEqualToTheReference) {
  std::mt19937_64 rng(7);
  auto uni = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  const Millis day0 = (kT0 / kDay + 1) * kDay;
  TraceIndex ix;
  ix.add_venue(1, "transport_hub");
  ix.add_venue(2, "shop");
  for (int64_t p = 1; p <= 400; ++p) ix.add_person(p, 0);
  // Mostly short passes, a few shifts of hours (which make the sweep read hours of entries back),
  // one in ten without an exit yet.
  auto add = [&](Millis in) {
    std::optional<Millis> out = in + (uni(0, 19) == 0 ? uni(6, 12) * 60 * kM : uni(1, 5) * kM);
    if (uni(0, 9) == 0) out.reset();
    ix.add_stay(uni(1, 400), uni(1, 2), in, out);
  };
  std::vector<Millis> ins;
  for (int i = 0; i < 1800; ++i) ins.push_back(day0 + uni(0, 3 * kDay - 1) / 1000 * 1000);
  std::sort(ins.begin(), ins.end());
  for (Millis in : ins) add(in);
  auto check = [&](const std::string& after) {
    std::mt19937_64 pick(11);
    size_t listed = 0;
    for (int i = 0; i < 30; ++i) {
      const int64_t p = static_cast<int64_t>(pick() % 400) + 1;
      const Millis from = day0 + static_cast<Millis>(pick() % (2 * kDay));
      const std::vector<IndexCase> cases{{p, {from, from + static_cast<Millis>(pick() % kDay)}}};
      auto control = [&](int64_t) { return day0 + 3 * kDay; };
      const TraceResult reference = ix.ContactSource::trace(cases, Rules{}, control, {});
      listed += reference.contacts.size();
      ASSERT_EQ(first_difference(show(ix.trace(cases, Rules{}, control, {})), show(reference)), "")
          << "after " << after << ", index person " << p;
    }
    EXPECT_GT(listed, 300u) << "after " << after << ": the cases meet people";
  };
  check("the stays added one by one");
  ix.compact();
  check("compact()");
  for (int i = 0; i < 200; ++i) add(day0 + uni(0, 3 * kDay - 1) / 1000 * 1000);
  check("late scans");
  for (int i = 0; i < 200; ++i) {
    const int64_t p = uni(1, 400), v = uni(1, 2);
    const Millis out = day0 + uni(0, 3 * kDay - 1);
    ix.close_stay(p, v, out);
  }
  check("exits");
  ix.purge_before(day0 + kDay + 7 * 60 * kM + 123);
  check("a purge");
}

// A person's stays are found through postings that name a bucket (venue and day) and one of 256
// parts of the day. A purge that cuts a day within such a part keeps the stays after the cut
// findable: the index case's entry half a minute after the cut is still traced and can still be
// closed by its exit, in the sweep as in the reference.
TEST(TraceSweep, APurgeWithinAPartOfTheDayKeepsTheStaysAfterItsCut) {
  const Millis day = (kT0 / kDay + 1) * kDay, cut = day + 7 * 60 * kM;  // 07:00, within 06:56:15-07:01:52.5
  for (bool secondary : {false, true}) {
    TraceIndex ix;
    for (int64_t p : {1, 2, 3}) ix.add_person(p, 0);
    ix.add_venue(1, "shop");
    ix.add_stay(1, 1, cut - 2 * kM, cut - kM);      // the index case before the cut: purged
    ix.add_stay(3, 1, cut - 2 * kM, cut - kM);      // met then: purged with it
    ix.add_stay(1, 1, cut + kM / 2, std::nullopt);  // the index case again, no exit yet
    ix.add_stay(2, 1, cut + kM, cut + 10 * kM);     // met after the cut
    ix.purge_before(cut);
    Rules rules;
    rules.secondary = secondary;
    const std::vector<IndexCase> cases{{1, {day, day + kDay}}};
    auto control = [&](int64_t) { return day + kDay; };
    const TraceResult r = ix.trace(cases, rules, control, {});
    ASSERT_EQ(r.contacts.size(), 1u) << "secondary " << secondary;
    EXPECT_EQ(r.contacts[0].person_id, 2);
    EXPECT_EQ(r.contacts[0].first_exposure, cut + kM);
    EXPECT_EQ(show(r), show(ix.ContactSource::trace(cases, rules, control, {})));
    EXPECT_TRUE(ix.close_stay(1, 1, cut + 20 * kM));
    EXPECT_FALSE(ix.close_stay(1, 1, cut + 30 * kM)) << "the one open stay is closed already";
  }
}

TEST(TraceSweep, ABulkLoadInAnyOrderAnswersAsStaysAddedOneByOne) {
  City one = make_city(5, 300, 8, 4, true, false), bulk = make_city(5, 300, 8, 4, true, true);
  EXPECT_EQ(one.ix.stay_count(), bulk.ix.stay_count());
  std::vector<IndexCase> cases{{one.persons[7], {kT0, kT0 + 3 * kDay}},
                               {one.persons[99], {kT0 + kDay, kT0 + 2 * kDay}}};
  auto control = [](int64_t) { return kT0 + 4 * kDay; };
  const std::string want = show(one.ix.trace(cases, Rules{}, control, {}));
  EXPECT_NE(want, "");
  EXPECT_EQ(show(bulk.ix.trace(cases, Rules{}, control, {})), want);
  EXPECT_EQ(show(bulk.ix.ContactSource::trace(cases, Rules{}, control, {})), want);
}

TEST(TraceSweep, EvidenceStopsAtFiftyRowsButFirstAndLastExposureCountEveryMeeting) {
  // Persons known in the order of their ids (a trace of one tier then groups exposures by person
  // slot), or not (it marks them).
  for (bool ascending : {false, true}) {
    TraceIndex ix;
    if (ascending)
      for (int64_t p : {5, 7, 100}) ix.add_person(p, 0);
    ix.add_venue(1, "office");
    ix.add_stay(100, 1, kT0, kT0 + kDay);  // the index, all day
    for (int i = 0; i < 60; ++i) {         // contact 5 comes in 60 times, contact 7 twice
      ix.add_stay(5, 1, kT0 + i * 20 * kM, kT0 + i * 20 * kM + 5 * kM);
      if (i < 2) ix.add_stay(7, 1, kT0 + i * 20 * kM + kM, kT0 + i * 20 * kM + 2 * kM);
    }
    Rules r;
    r.secondary = false;
    std::vector<IndexCase> cases{{100, {kT0 - kDay, kT0 + 2 * kDay}}};
    const std::string want = show(ix.ContactSource::trace(cases, r, {}, {}));
    // On one thread, and on two: contact 5's visits then lie in both halves, the sixtieth in the second.
    for (size_t two_from : {size_t{1} << 20, size_t{0}}) {
      ix.two_thread_result_from = two_from;
      const TraceResult res = ix.trace(cases, r, {}, {});
      EXPECT_EQ(show(res), want) << two_from << " " << ascending;
      ASSERT_EQ(res.contacts.size(), 2u);
      EXPECT_EQ(res.contacts[0].person_id, 5);
      EXPECT_EQ(res.evidence_of(res.contacts[0]).size(), kMaxEvidence);
      EXPECT_EQ(res.evidence_of(res.contacts[0]).back().from, kT0 + 49 * 20 * kM) << "the earliest fifty";
      EXPECT_EQ(res.contacts[0].last_exposure, kT0 + 59 * 20 * kM + 5 * kM) << "the sixtieth visit still counts";
      EXPECT_EQ(res.evidence_of(res.contacts[1]).size(), 2u);
      EXPECT_EQ(res.evidence_of(res.contacts[1])[0].from, kT0 + kM) << "contact 7's rows follow contact 5's fifty";
    }
  }
}

TEST(TraceSweep, ASecondTraceOnTheSameIndexStartsClean) {
  City city = make_city(9, 200, 6, 3);
  Rules r;
  std::vector<IndexCase> a{{city.persons[3], {kT0, kT0 + 2 * kDay}}}, b{{city.persons[50], {kT0, kT0 + 2 * kDay}}};
  auto control = [](int64_t) { return kT0 + 3 * kDay; };
  const std::string first = show(city.ix.trace(a, r, control, {}));
  city.ix.trace(b, r, control, {});
  EXPECT_EQ(show(city.ix.trace(a, r, control, {})), first);
}

// The per-person working memory a trace keeps grows as a vector would: persons registered
// between two traces do not make every trace copy (and fault in) a new array of millions.
TEST(TraceScratch, AFewMorePersonsSinceTheLastTraceDoNotMoveItsArrays) {
  TraceScratch s;
  s.begin(100000);
  s.begin(100001);
  const auto* marks = s.marks.data();
  for (size_t persons = 100002; persons < 100100; ++persons) {
    s.begin(persons);
    ASSERT_EQ(s.marks.data(), marks) << persons << " persons";
    ASSERT_GE(s.marks.size(), persons);
  }
  s.end();
}

TEST(TraceScratch, BlocksAreReadInRangesAcrossTheirBoundaries) {
  Blocks<uint32_t> b;
  const size_t n = 3 * Blocks<uint32_t>::kSize + 17;
  for (size_t i = 0; i < n; ++i) b.push_back(static_cast<uint32_t>(i));
  const size_t k = Blocks<uint32_t>::kSize;
  for (auto [lo, hi] : std::vector<std::pair<size_t, size_t>>{
           {0, n}, {k - 1, k + 1}, {k, 2 * k}, {5, 5}, {2 * k + 3, n + 100}, {n, n + 1}, {1, 3 * k}}) {
    std::vector<uint32_t> got;
    b.each(lo, hi, [&](uint32_t x, size_t i) {
      EXPECT_EQ(x, i);
      got.push_back(x);
    });
    const size_t end = std::min(hi, n);
    ASSERT_EQ(got.size(), end > lo ? end - lo : 0) << lo << ".." << hi;
    if (!got.empty()) {
      EXPECT_EQ(got.front(), lo);
    }
  }
}

}  // namespace
}  // namespace epinet::domain::tracing
