// Cost of putting contacts under closed-loop management, as a tracing job
// does: service::enroll_managed for kContacts persons in one write
// transaction on SQLite (a managed case, its scheduled test days, an event,
// the person's code status and an audit entry each), against the reference in
// the same run: only flipping the same persons' manage_status
// (store::set_person_state) in one transaction.
//
//   EnrollContacts        kContacts close contacts enrolled (fresh each time)
//   SetPersonStateOnly    the reference
#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/time.h"
#include "service/management.h"
#include "store/database.h"
#include "store/migrations.h"
#include "store/people.h"

namespace {

using namespace epinet;

constexpr int kContacts = 1000;

struct City {
  std::filesystem::path dir;
  std::unique_ptr<store::Database> db;
  std::vector<int64_t> persons;
};

City make_city() {
  City c;
  c.dir = std::filesystem::temp_directory_path() / ("epinet-bench-manage-" + std::to_string(now_ms()));
  std::filesystem::create_directories(c.dir);
  c.db = store::open_database("sqlite:" + (c.dir / "bench.db").string(), {});
  store::migrate(*c.db);
  const Millis now = now_ms();
  c.db->write([&](store::Connection& k) {
    store::Division d;
    d.name = "榆次区";
    d.level = "district";
    int64_t district = store::insert_division(k, d, now);
    store::Division comp;
    comp.name = "小区";
    comp.level = "compound";
    comp.parent_id = district;
    int64_t compound = store::insert_division(k, comp, now);
    auto path = store::find_division(k, compound)->path;
    for (int i = 0; i < kContacts; ++i) {
      store::Person p;
      p.id_hash = "bench" + std::to_string(i);
      p.id_enc = "x";
      p.id_masked = "x";
      p.name = "密接" + std::to_string(i);
      p.division_id = compound;
      p.division_path = path;
      c.persons.push_back(store::insert_person(k, p, now));
    }
  });
  return c;
}

void EnrollContacts(benchmark::State& state) {
  service::Caller caller{{}, "bench"};
  caller.who.username = "bench";
  for (auto _ : state) {
    state.PauseTiming();
    City city = make_city();
    std::vector<service::Enrollment> in;
    const Millis now = now_ms();
    for (int64_t id : city.persons) in.push_back({id, "close_contact", now - 3600000, now - 1800000, "bench", "bench"});
    state.ResumeTiming();
    city.db->write([&](store::Connection& c) { benchmark::DoNotOptimize(service::enroll_managed(c, caller, in, now)); });
    state.PauseTiming();
    city.db.reset();
    std::filesystem::remove_all(city.dir);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kContacts);
}
BENCHMARK(EnrollContacts)->Unit(benchmark::kMillisecond)->Iterations(5);

void SetPersonStateOnly(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    City city = make_city();
    const Millis now = now_ms();
    state.ResumeTiming();
    city.db->write([&](store::Connection& c) {
      for (int64_t id : city.persons) store::set_person_state(c, id, "none", "close_contact", now + 10 * 86400000LL, now);
    });
    state.PauseTiming();
    city.db.reset();
    std::filesystem::remove_all(city.dir);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kContacts);
}
BENCHMARK(SetPersonStateOnly)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace
