// Contact tracing (run by bench/trace/run), on the simulator's stays from a
// checkins.bin file (EPINET_TRACE_BENCH_FILE; at most EPINET_TRACE_BENCH_MAX
// stays, default all):
//
//   TraceIndexBuild        building the TraceIndex from the records (memory,
//                          not the store). Counters: stays, bytes per stay
//                          (stay records alone and everything).
//   TraceOneIndexCase/R    one index case (4-day window before a random
//                          record + 1 day, no secondary tier; 2,000 cases or
//                          EPINET_TRACE_BENCH_SINGLE_CASES): latency per case.
//                          Counters: p50_us, p99_us, contacts (mean),
//                          contacts_p50, contacts_p99 (listed per case).
//   TraceOneIndexCaseWithSecondary/R  one index case with its secondary
//                          tier, as a trace job runs it (200 cases or
//                          EPINET_TRACE_BENCH_SECONDARY_SINGLE_CASES); the
//                          counters of TraceOneIndexCase.
//   Trace1000WithSecondary/R 1,000 (EPINET_TRACE_BENCH_SECONDARY_CASES) random
//                          index cases with their secondary contacts in one
//                          trace, four times. Counters: first_ms (the first),
//                          repeat_ms (median of the others), contacts, close,
//                          secondary, evidence.
//                          R: default (the rules: every venue type
//                          close, minimum overlap 0) or narrow (DOMAIN.md's:
//                          close-interaction types, 15 minutes together).
//   The city: venue types, households and coach trips from the simulator's
//   venues.csv, persons.csv and trips.csv next to the file.
//   TraceSql/engine:E      the same single-case question on a sample (the
//                          first EPINET_TRACE_BENCH_SQL_MAX stays, default
//                          2,000,000) in a migrated store with the schema's
//                          indexes: E = sqlite (a file in TMPDIR), postgres
//                          (EPINET_TRACE_BENCH_PG_URL, when set) and index
//                          (the in-memory index over that same sample).
//                          Counters: p50_us, p99_us; for the stores also
//                          store_build_s (the index built from the store as
//                          the server does at start), store_build_persons_s
//                          (the same without stays) and store_build_stays_per_s.
//   TraceAccuracy          a 20,000-person city over 21 days (seed 11, 10 + 10
//                          seeds), every infector traced: the share of true
//                          venue/coach/household transmissions whose infectee
//                          is listed as a close contact, and contacts per
//                          true infection (bench/trace/sim_accuracy.h).
//   TraceHeaviestCases     the cases of TraceOneIndexCase listing over 20,000
//                          contacts, each traced 20 times
//                          (EPINET_TRACE_BENCH_HEAVY_ROUNDS). Counters: cases,
//                          median_us, contacts and evidence (mean per case).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bench/micro/trace_latency.h"
#include "bench/trace/sim_accuracy.h"
#include "core/table_file.h"
#include "domain/tracing/index.h"
#include "domain/tracing/trace.h"
#include "service/tracing.h"
#include "store/database.h"
#include "store/migrations.h"
#include "store/tracing.h"

namespace {

namespace tr = epinet::domain::tracing;
using epinet::Millis;
using epinet::bench::latency;

struct Record {
  uint32_t person, venue, t_in, dur_entrance;
};

struct Data {
  int64_t epoch_ms = 0;
  std::vector<Record> records;
  uint32_t persons = 0, venues = 0;
  // From the simulator's venues.csv, persons.csv and trips.csv next to the
  // file (absent files: every venue "venue", no households, no trips).
  std::vector<std::string> venue_type;  // by simulator venue id
  std::vector<int64_t> household;       // by simulator person id; 0 = none
  std::vector<tr::TripInfo> trips;
  std::vector<tr::SeatInfo> seats;
};

int64_t num(std::string_view s) {
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

void read_side_files(Data& x, const std::filesystem::path& dir) {
  std::string line;
  if (std::ifstream in(dir / "venues.csv"); in && std::getline(in, line))
    while (std::getline(in, line)) {
      auto f = epinet::split_csv_record(line);
      if (f.size() < 2) continue;
      const auto id = static_cast<size_t>(num(f[0]));
      if (x.venue_type.size() <= id) x.venue_type.resize(id + 1, "venue");
      x.venue_type[id] = f[1];
    }
  if (std::ifstream in(dir / "persons.csv"); in && std::getline(in, line))
    while (std::getline(in, line)) {
      auto f = epinet::split_csv_record(line);
      if (f.size() < 4) continue;
      const auto id = static_cast<size_t>(num(f[0]));
      if (x.household.size() <= id) x.household.resize(id + 1, 0);
      x.household[id] = num(f[3]);
    }
  if (std::ifstream in(dir / "trips.csv"); in && std::getline(in, line)) {
    int64_t last = -1;
    while (std::getline(in, line)) {
      auto f = epinet::split_csv_record(line);  // trip_id,vehicle,route,departure,person_id,seat_row,seat_col,arrival,…
      if (f.size() < 8 || f[4].empty()) continue;
      const int64_t trip = num(f[0]);
      if (trip != last) {
        x.trips.push_back({trip, f[1], num(f[3]) * 1000, num(f[7]) * 1000});
        last = trip;
      }
      const int row = static_cast<int>(num(f[5]));
      x.seats.push_back({trip, num(f[4]) + 1, row, static_cast<int>(num(f[6])), row == 0});
    }
  }
}

const Data& data() {
  static const Data d = [] {
    Data x;
    const char* path = std::getenv("EPINET_TRACE_BENCH_FILE");
    if (!path) return x;
    std::ifstream in(path, std::ios::binary);
    char header[32];
    in.read(header, sizeof header);
    if (!in || std::memcmp(header, "EPSIMCK1", 8) != 0) return x;
    int64_t epoch;
    uint64_t count;
    std::memcpy(&epoch, header + 16, 8);
    std::memcpy(&count, header + 24, 8);
    if (const char* m = std::getenv("EPINET_TRACE_BENCH_MAX")) count = std::min<uint64_t>(count, std::strtoull(m, nullptr, 10));
    x.epoch_ms = epoch * 1000;
    x.records.resize(count);
    in.read(reinterpret_cast<char*>(x.records.data()), static_cast<std::streamsize>(count * sizeof(Record)));
    x.records.resize(static_cast<size_t>(in.gcount()) / sizeof(Record));
    for (const auto& r : x.records) {
      x.persons = std::max(x.persons, r.person + 1);
      x.venues = std::max(x.venues, r.venue + 1);
    }
    read_side_files(x, std::filesystem::path(path).parent_path());
    return x;
  }();
  return d;
}

Millis in_ms(const Record& r) { return data().epoch_ms + static_cast<Millis>(r.t_in) * 1000; }
Millis out_ms(const Record& r) { return in_ms(r) + static_cast<Millis>(r.dur_entrance & 0xffffff) * 1000; }

std::unique_ptr<tr::TraceIndex> build(size_t n) {
  const auto& d = data();
  auto ix = std::make_unique<tr::TraceIndex>();
  ix->begin_load();
  for (uint32_t v = 0; v < d.venues; ++v) ix->add_venue(v + 1, v < d.venue_type.size() ? d.venue_type[v] : "venue");
  for (uint32_t p = 0; p < d.persons; ++p) ix->add_person(p + 1, p < d.household.size() ? d.household[p] : 0);
  for (size_t i = 0; i < n; ++i) ix->add_stay(d.records[i].person + 1, d.records[i].venue + 1, in_ms(d.records[i]), out_ms(d.records[i]));
  if (n == d.records.size()) {
    for (const auto& t : d.trips) ix->add_trip(t);
    for (const auto& s : d.seats) ix->add_seat(s);
  }
  ix->compact();
  return ix;
}

tr::TraceIndex& full_index() {
  static std::unique_ptr<tr::TraceIndex> ix = [] {
    auto x = build(data().records.size());
    if (const char* t = std::getenv("EPINET_TRACE_BENCH_THREADS")) x->trace_threads = std::strtoull(t, nullptr, 10);
    return x;
  }();
  return *ix;
}

// Random index cases: a person of a random record, the window the 4 days before that record's entry + 1 day.
std::vector<tr::IndexCase> cases(size_t n, size_t records, uint64_t seed) {
  std::vector<tr::IndexCase> out;
  uint64_t x = seed;
  for (size_t i = 0; i < n; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const auto& r = data().records[(x >> 11) % records];
    out.push_back({static_cast<int64_t>(r.person) + 1, {in_ms(r) - 4 * tr::kDay, in_ms(r) + tr::kDay}});
  }
  return out;
}

// DOMAIN.md's narrower net: close only at venues of close interaction and after 15 minutes together.
tr::Rules narrow_rules() {
  tr::Rules r;
  r.close_venue_types = {"restaurant", "gym", "office", "school", "shop", "hospital"};
  r.min_overlap = 15 * tr::kMinute;
  return r;
}

void TraceIndexBuild(benchmark::State& state) {
  if (data().records.empty()) return state.SkipWithError("EPINET_TRACE_BENCH_FILE not set or unreadable");
  for (auto _ : state) {
    auto ix = build(data().records.size());
    state.counters["stays"] = static_cast<double>(ix->stay_count());
    state.counters["stay_bytes_per_stay"] = static_cast<double>(ix->stay_bytes()) / static_cast<double>(ix->stay_count());
    state.counters["bytes_per_stay"] = static_cast<double>(ix->total_bytes()) / static_cast<double>(ix->stay_count());
  }
}
BENCHMARK(TraceIndexBuild)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

// rules: "default" (the issue's: every venue type close, minimum overlap 0) or "narrow" (DOMAIN.md's).
tr::Rules rules_named(const std::string& name) { return name == "narrow" ? narrow_rules() : tr::Rules{}; }

void TraceOneIndexCase(benchmark::State& state, const std::string& rules) {
  if (data().records.empty()) return state.SkipWithError("EPINET_TRACE_BENCH_FILE not set or unreadable");
  auto& ix = full_index();
  size_t n = 2000;
  if (const char* m = std::getenv("EPINET_TRACE_BENCH_SINGLE_CASES")) n = std::strtoull(m, nullptr, 10);
  latency(state, ix, cases(n, data().records.size(), 7), rules_named(rules));
}
BENCHMARK_CAPTURE(TraceOneIndexCase, default, std::string("default"))->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(TraceOneIndexCase, narrow, std::string("narrow"))->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

// One index case with its secondary contacts, as a trace job runs it (their windows end with the case's).
void TraceOneIndexCaseWithSecondary(benchmark::State& state, const std::string& rules) {
  if (data().records.empty()) return state.SkipWithError("EPINET_TRACE_BENCH_FILE not set or unreadable");
  auto& ix = full_index();
  size_t n = 200;
  if (const char* m = std::getenv("EPINET_TRACE_BENCH_SECONDARY_SINGLE_CASES")) n = std::strtoull(m, nullptr, 10);
  latency(state, ix, cases(n, data().records.size(), 17), rules_named(rules), true);
}
BENCHMARK_CAPTURE(TraceOneIndexCaseWithSecondary, default, std::string("default"))
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(TraceOneIndexCaseWithSecondary, narrow, std::string("narrow"))
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The same trace four times in a row: the first takes its working memory and result fresh from
// the kernel, the others get back what the one before freed (counters first_ms, repeat_ms: the
// median of the other three).
void Trace1000WithSecondary(benchmark::State& state, const std::string& rule_name) {
  if (data().records.empty()) return state.SkipWithError("EPINET_TRACE_BENCH_FILE not set or unreadable");
  auto& ix = full_index();
  size_t n_cases = 1000;
  if (const char* m = std::getenv("EPINET_TRACE_BENCH_SECONDARY_CASES")) n_cases = std::strtoull(m, nullptr, 10);
  auto cs = cases(n_cases, data().records.size(), 11);
  const tr::Rules rules = rules_named(rule_name);
  std::vector<double> ms;
  tr::TraceResult r;
  for (auto _ : state)
    for (int i = 0; i < 4; ++i) {
      r = {};
      auto t0 = std::chrono::steady_clock::now();
      r = tr::trace(ix, cs, rules, [&](int64_t) { return cs.front().window.to + tr::kDay; });
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
  std::sort(ms.begin() + 1, ms.end());
  state.counters["first_ms"] = ms[0];
  state.counters["repeat_ms"] = ms[2];
  state.counters["contacts"] = static_cast<double>(r.contacts.size());
  state.counters["close"] = static_cast<double>(r.count(tr::ContactKind::kClose));
  state.counters["secondary"] = static_cast<double>(r.count(tr::ContactKind::kSecondary));
  state.counters["evidence"] = static_cast<double>(r.evidence.size());
  state.counters["cases"] = static_cast<double>(cs.size());
}
BENCHMARK_CAPTURE(Trace1000WithSecondary, default, std::string("default"))->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(Trace1000WithSecondary, narrow, std::string("narrow"))->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

size_t sql_sample() {
  size_t n = 2'000'000;
  if (const char* m = std::getenv("EPINET_TRACE_BENCH_SQL_MAX")) n = std::strtoull(m, nullptr, 10);
  return std::min(n, data().records.size());
}

// Loads the sample into a migrated store (persons, venues, check-ins), in batches of multi-row INSERTs.
void load_store(epinet::store::Database& db, size_t n) {
  const auto& d = data();
  epinet::store::migrate(db);
  db.write([&](epinet::store::Connection& c) {
    c.exec_script("INSERT INTO divisions (code, name, level, path, created_at, updated_at) VALUES ('999999', 'bench', 'city', '/1/', 0, 0)");
    std::string sql;
    for (uint32_t v = 0; v < d.venues; ++v) {
      sql += (sql.empty() ? "INSERT INTO venues (id, name, type, division_id, division_path, created_at, updated_at) VALUES " : ",");
      sql += "(" + std::to_string(v + 1) + ", 'v', 'venue', 1, '/1/', 0, 0)";
      if (sql.size() > 200000 || v + 1 == d.venues) { c.exec_script(sql); sql.clear(); }
    }
    for (uint32_t p = 0; p < d.persons; ++p) {
      sql += (sql.empty() ? "INSERT INTO persons (id, id_hash, id_enc, id_masked, name, division_id, division_path, household_id, state_changed_at, created_at, updated_at) VALUES " : ",");
      sql += "(" + std::to_string(p + 1) + ", 'h" + std::to_string(p + 1) + "', '', '', 'p', 1, '/1/', " + std::to_string(p + 1) + ", 0, 0, 0)";
      if (sql.size() > 200000 || p + 1 == d.persons) { c.exec_script(sql); sql.clear(); }
    }
    for (size_t i = 0; i < n; ++i) {
      const auto& r = d.records[i];
      sql += (sql.empty() ? "INSERT INTO checkins (id, venue_id, entrance, direction, person_id, at, t_out, decision, reasons, mask, channel, rule_set_version) VALUES " : ",");
      sql += "(" + std::to_string(i + 1) + "," + std::to_string(r.venue + 1) + ",'e','in'," + std::to_string(r.person + 1) + "," +
             std::to_string(in_ms(r)) + "," + std::to_string(out_ms(r)) + ",'pass','[]',1,'code','bench')";
      if (sql.size() > 400000 || i + 1 == n) { c.exec_script(sql); sql.clear(); }
    }
  });
  db.read([&](epinet::store::Connection& c) { c.exec_script("ANALYZE"); });
}

void TraceSql(benchmark::State& state, const std::string& engine) {
  if (data().records.empty()) return state.SkipWithError("EPINET_TRACE_BENCH_FILE not set or unreadable");
  const size_t n = sql_sample();
  auto cs = cases(200, n, 13);
  if (engine == "index") {
    static std::unique_ptr<tr::TraceIndex> ix = build(n);
    return latency(state, *ix, cs);
  }
  std::string url;
  if (engine == "sqlite") {
    auto dir = std::filesystem::temp_directory_path() / ("epinet-trace-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    url = "sqlite:" + (dir / "bench.db").string();
  } else {
    const char* pg = std::getenv("EPINET_TRACE_BENCH_PG_URL");
    if (!pg) return state.SkipWithError("EPINET_TRACE_BENCH_PG_URL not set");
    url = pg;
  }
  epinet::store::OpenOptions o;
  o.pool_size = 1;
  o.sqlite_synchronous = "OFF";
  auto db = epinet::store::open_database(url, o);
  load_store(*db, n);
  // The index as the server builds it at start: read from the store. The
  // stays' rate is the whole build less a build without stays (venues,
  // persons and households alone).
  {
    auto timed = [&](Millis since, size_t& stays) {
      auto t0 = std::chrono::steady_clock::now();
      auto ix = epinet::service::build_trace_index(*db, since);
      stays = ix->stay_count();
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    };
    size_t stays = 0, none = 0;
    const double all = timed(std::numeric_limits<Millis>::min() / 2, stays);
    const double base = timed(std::numeric_limits<Millis>::max() / 2, none);
    state.counters["store_build_s"] = all;
    state.counters["store_build_persons_s"] = base;
    state.counters["store_build_stays_per_s"] = static_cast<double>(stays) / std::max(1e-6, all - base);
  }
  db->read([&](epinet::store::Connection& c) {
    epinet::store::SqlContactSource src(c);
    latency(state, src, cs);
  });
  if (engine == "sqlite") std::filesystem::remove_all(std::filesystem::path(url.substr(7)).parent_path());
}
BENCHMARK_CAPTURE(TraceSql, index, std::string("index"))->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(TraceSql, sqlite, std::string("sqlite"))->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(TraceSql, postgres, std::string("postgres"))->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

void TraceAccuracy(benchmark::State& state) {
  epinet::bench::AccuracyReport rep;
  for (auto _ : state) {
    epinet::sim::Scenario s;
    s.persons = 20000;
    s.days = 21;
    s.seed = 11;
    s.seeds_imported = 10;
    s.seeds_local = 10;
    s.signal_history_days = 7;
    epinet::sim::Simulator simulator(s, epinet::sim::days_from_civil(s.start_or_default()), 2);
    rep = epinet::bench::evaluate_tracing(simulator, tr::Rules{});
  }
  state.counters["transmissions"] = static_cast<double>(rep.transmissions);
  state.counters["listed"] = static_cast<double>(rep.listed);
  state.counters["venue"] = static_cast<double>(rep.by_setting[0]);
  state.counters["venue_listed"] = static_cast<double>(rep.listed_by_setting[0]);
  state.counters["trip"] = static_cast<double>(rep.by_setting[1]);
  state.counters["trip_listed"] = static_cast<double>(rep.listed_by_setting[1]);
  state.counters["household"] = static_cast<double>(rep.by_setting[2]);
  state.counters["household_listed"] = static_cast<double>(rep.listed_by_setting[2]);
  state.counters["contacts_per_infection"] = rep.contacts_per_infection();
  state.counters["infectors"] = static_cast<double>(rep.infectors);
  state.counters["by_reference_onset"] = static_cast<double>(rep.infectors_by_reference);
}
BENCHMARK(TraceAccuracy)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

// The heaviest of the single cases above (those listing over 20,000 contacts, the tail the p99 is
// in), each traced again and again: the median of their traces, steadier than a p99 over cases
// each traced once.
void TraceHeaviestCases(benchmark::State& state) {
  if (data().records.empty()) return state.SkipWithError("EPINET_TRACE_BENCH_FILE not set or unreadable");
  auto& ix = full_index();
  tr::Rules rules;
  rules.secondary = false;
  std::vector<tr::IndexCase> heavy;
  size_t contacts = 0, evidence = 0;
  for (const auto& c : cases(2000, data().records.size(), 7)) {
    const auto r = tr::trace(ix, {c}, rules, [&](int64_t) { return c.window.to; });
    if (r.contacts.size() <= 20'000) continue;
    heavy.push_back(c);
    contacts += r.contacts.size();
    evidence += r.evidence.size();
  }
  size_t rounds = 20;
  if (const char* m = std::getenv("EPINET_TRACE_BENCH_HEAVY_ROUNDS"))
    rounds = std::max<size_t>(1, std::strtoull(m, nullptr, 10));
  std::vector<double> us;
  for (auto _ : state)
    for (size_t k = 0; k < rounds; ++k)
      for (const auto& c : heavy) {
        const auto t0 = std::chrono::steady_clock::now();
        auto r = tr::trace(ix, {c}, rules, [&](int64_t) { return c.window.to; });
        us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
      }
  if (heavy.empty()) return state.SkipWithError("no case lists over 20,000 contacts");
  std::sort(us.begin(), us.end());
  state.counters["cases"] = static_cast<double>(heavy.size());
  state.counters["median_us"] = us[us.size() / 2];
  state.counters["contacts"] = static_cast<double>(contacts) / static_cast<double>(heavy.size());
  state.counters["evidence"] = static_cast<double>(evidence) / static_cast<double>(heavy.size());
}
BENCHMARK(TraceHeaviestCases)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
