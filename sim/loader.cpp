#include "sim/loader.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>

#include "core/error.h"
#include "domain/person/identity.h"
#include "service/keys.h"
#include "service/runtime.h"
#include "store/migrations.h"
#include "store/people.h"
#include "store/records.h"
#include "store/tracing.h"
#include "store/warning.h"

namespace epinet::sim {
namespace json = boost::json;

namespace {

// Simulated check-ins take the last node number of the id space, so that
// their ids never collide with those a server (node EPINET_NODE_ID) makes.
constexpr int kSimNode = 1023;
constexpr const char* kActor = "epinet sim";

std::string address_of(const City& c, uint32_t community) {
  return std::string(districts()[c.communities[community].district].name) + c.communities[community].name;
}

}  // namespace

std::unique_ptr<store::Database> open_for_load(const Config& config) {
  store::OpenOptions o;
  o.pool_size = 2;
  o.sqlite_synchronous = config.sqlite_synchronous;
  auto db = store::open_database(config.database_url, o);
  store::migrate(*db);
  return db;
}

struct DbSink::State {
  store::Database& db;
  LoadOptions opt;
  service::KeyRing keys;
  service::IdGenerator ids{kSimNode};
  std::vector<int64_t> district_ids;
  std::vector<std::string> district_paths;
  std::vector<int64_t> community_ids, compound_ids;
  std::vector<std::string> community_paths, compound_paths;
  struct VenueRef {
    int64_t id = 0;
    std::vector<std::string> entry;  // entrance name by the simulator's index
    std::vector<std::string> exit;   // where one leaves after entering there ("" : no exit scan)
    std::vector<bool> exit_only;     // an "out" door: the stay is one exit scan
  };
  std::vector<VenueRef> venues;
  std::vector<int64_t> person_ids;
  // Pharmacy sales and school absences: the channels the platform cannot count
  // from its own records, kept as a reporter's import would give them.
  std::vector<SignalRow> reported;
  int64_t divisions = 0, venues_created = 0, venues_reused = 0, persons = 0, checkin_rows = 0, tests = 0, cases = 0,
          quarantined = 0, reported_counts = 0, trips = 0, seats = 0;

  State(store::Database& d, LoadOptions o) : db(d), opt(std::move(o)) {}
};

DbSink::DbSink(store::Database& db, LoadOptions options) : st_(std::make_unique<State>(db, std::move(options))) {}
DbSink::~DbSink() = default;

namespace {
json::object identity(const Simulator& sim) {
  const Scenario& s = sim.city().scenario;
  return json::object{{"seed", s.seed},
                      {"scenario_digest", s.digest()},
                      {"start_date", format_date(civil_from_days(sim.city().start_days))},
                      {"days", s.days},
                      {"persons", sim.city().persons.size()}};
}
// The same simulation, perhaps loaded on an earlier day (its days then end
// on that day): loading it again would only duplicate it.
bool same_run(const json::object& a, const json::object& b) {
  for (const char* k : {"seed", "scenario_digest", "days", "persons"})
    if (!a.contains(k) || !b.contains(k) || a.at(k) != b.at(k)) return false;
  return true;
}
}  // namespace

DbSink::Verdict DbSink::check(const Simulator& sim) {
  loaded_start_.clear();
  Verdict v = Verdict::kEmpty;
  const json::object me = identity(sim);
  st_->db.read([&](store::Connection& c) {
    for (const auto& d : districts())
      if (!store::find_division_by_code(c, d.code))
        throw invalid("missing_districts",
                      std::string("the database has no division ") + d.code + " (" + d.name +
                          "): run `epinet seed-demo` first, which creates Jinzhong and its 11 districts");
    auto r = c.query("SELECT action, detail FROM audit_log WHERE action IN ('sim.load.begin', 'sim.load') ORDER BY id");
    bool began = false, done = false;
    json::object begun, finished;
    for (const auto& row : r.rows) {
      json::object detail;
      try {
        detail = json::parse(store::as_text(row[1])).as_object();
      } catch (const std::exception&) {
      }
      if (store::as_text(row[0]) == "sim.load.begin") {
        began = true;
        begun = detail;
      } else {
        done = true;
        finished = detail;
      }
    }
    if (done && same_run(finished, me)) {
      v = Verdict::kAlreadyLoaded;
      loaded_start_ = finished.contains("start_date") ? std::string(finished.at("start_date").as_string()) : "";
      return;
    }
    if (done)
      throw conflict("simulation_loaded",
                     "the database already holds a simulation (seed " + json::serialize(finished["seed"]) + ", start " +
                         json::serialize(finished["start_date"]) + "): load a different one into a fresh database");
    if (began)
      throw conflict("simulation_interrupted",
                     "an earlier `epinet sim --load` into this database did not finish (seed " +
                         json::serialize(begun["seed"]) + "): start again from a fresh database");
    // Codes this simulation would create must be free.
    const auto& cm = sim.city().communities;
    if (!cm.empty() && store::find_division_by_code(c, cm.front().code))
      throw conflict(
          "simulation_loaded",
          "division " + cm.front().code + " exists already: the database holds simulated data; use a fresh database");
  });
  return v;
}

namespace {
bool reported_by_others(const SignalRow& r) {
  return r.channel == Channel::kPharmacy || r.channel == Channel::kSchoolAbsence;
}
}  // namespace

void DbSink::begin(const Simulator& sim, const std::vector<SignalRow>& history) {
  State& s = *st_;
  for (const auto& r : history)
    if (reported_by_others(r)) s.reported.push_back(r);
  const City& c = sim.city();
  s.keys = service::load_keys(s.opt.data_dir);
  const Millis now = s.opt.now;
  // Places: communities, compounds, venues, and the marker of a load in progress.
  s.db.write([&](store::Connection& cn) {
    for (const auto& d : districts()) {
      auto div = store::find_division_by_code(cn, d.code);
      if (!div)
        throw invalid("missing_districts", std::string("no division ") + d.code + ": run `epinet seed-demo` first");
      s.district_ids.push_back(div->id);
      s.district_paths.push_back(div->path);
    }
    auto division = [&](const std::string& code, const std::string& name, const char* level, int64_t parent,
                        const std::string& parent_path, std::vector<int64_t>& ids, std::vector<std::string>& paths) {
      store::Division d;
      d.code = code;
      d.name = name;
      d.level = level;
      d.parent_id = parent;
      int64_t id = store::insert_division(cn, d, now);
      ids.push_back(id);
      paths.push_back(parent_path + std::to_string(id) + "/");
      ++s.divisions;
    };
    for (const auto& cm : c.communities)
      division(cm.code, cm.name, "community", s.district_ids[cm.district], s.district_paths[cm.district],
               s.community_ids, s.community_paths);
    for (const auto& cp : c.compounds)
      division(cp.code, cp.name, "compound", s.community_ids[cp.community], s.community_paths[cp.community],
               s.compound_ids, s.compound_paths);
    std::vector<uint32_t> gate_compound(c.venues.size(), kNone);
    for (uint32_t i = 0; i < c.compounds.size(); ++i) gate_compound[c.compounds[i].gate] = i;
    for (uint32_t v = 0; v < c.venues.size(); ++v) {
      const Venue& x = c.venues[v];
      State::VenueRef ref;
      std::vector<domain::Entrance> doors;
      for (uint8_t e = 0; e < x.n_entrances; ++e) doors.push_back({x.entrances[e].name, x.entrances[e].direction});
      // The article's named places already exist in the demo city: use them.
      std::optional<store::Venue> existing;
      if (x.name == "晋中市第一人民医院" || x.name == "晋中市民之家" || x.name == "晋中汽车客运总站") {
        auto r = cn.query("SELECT id FROM venues WHERE name = ? ORDER BY id LIMIT 1", {x.name});
        if (!r.empty()) existing = store::find_venue(cn, store::as_int(r.rows[0][0]));
      }
      if (existing) {
        ref.id = existing->id;
        ++s.venues_reused;
        std::vector<domain::Entrance> have = existing->entrances;
        for (auto& d : doors) {
          bool found =
              std::any_of(have.begin(), have.end(), [&](const domain::Entrance& h) { return h.name == d.name; });
          if (!found && !have.empty()) d = have.front();
        }
      } else {
        store::Venue nv;
        nv.name = x.name;
        nv.type = std::string(domain_type(x.kind));
        bool gate = gate_compound[v] != kNone;
        nv.division_id = gate ? s.compound_ids[gate_compound[v]] : s.community_ids[x.community];
        nv.division_path = gate ? s.compound_paths[gate_compound[v]] : s.community_paths[x.community];
        nv.address = address_of(c, x.community);
        if (x.capacity) nv.capacity = x.capacity;
        nv.entrances = doors;
        ref.id = store::insert_venue(cn, nv, now);
        ++s.venues_created;
      }
      std::string first_out;
      for (const auto& d : doors)
        if (d.direction == "out" && first_out.empty()) first_out = d.name;
      const bool gate = x.kind == VenueKind::kCompoundGate;
      for (const auto& d : doors) {
        ref.entry.push_back(d.name);
        ref.exit_only.push_back(d.direction == "out");
        ref.exit.push_back(gate ? "" : d.direction == "both" ? d.name : !first_out.empty() ? first_out : d.name);
      }
      s.venues.push_back(std::move(ref));
    }
    json::object detail = identity(sim);
    store::append_audit(
        cn, {0, now, std::nullopt, kActor, "sim.load.begin", "simulation", "", "local", json::serialize(detail)});
  });
  // Persons, a transaction per 20,000.
  const size_t n = c.persons.size();
  s.person_ids.assign(n, 0);
  for (size_t from = 0; from < n; from += 20000) {
    size_t to = std::min(n, from + 20000);
    s.db.write([&](store::Connection& cn) {
      for (size_t i = from; i < to; ++i) {
        const Person& p = c.persons[i];
        const std::string id = identity_number(c, static_cast<uint32_t>(i));
        store::Person x;
        x.id_hash = s.keys.id_hash(id);
        x.id_enc = s.keys.encrypt_id(id);
        x.id_masked = domain::mask_id_number(id);
        x.name = person_name(c, static_cast<uint32_t>(i));
        Rng r(c.scenario.seed, Stream::kNames, 0x200000000ULL + i);
        static constexpr const char* kPrefixes[] = {"139", "138", "137", "136", "135", "150", "151", "152", "158",
                                                    "159", "182", "183", "187", "188", "130", "131", "132", "155"};
        if (p.age >= 12) {
          char phone[16];
          std::snprintf(phone, sizeof phone, "%s%08u", kPrefixes[r.below(std::size(kPrefixes))], r.below(100000000));
          x.phone = phone;
        }
        x.division_id = s.compound_ids[p.compound];
        x.division_path = s.compound_paths[p.compound];
        const Household& hh = c.households[p.household];
        x.household_id = i == hh.first_person ? 0 : s.person_ids[hh.first_person];
        s.person_ids[i] = store::insert_person(cn, std::move(x), now);
        ++s.persons;
      }
    });
  }
}

void DbSink::day(const Simulator& sim, const DayOutput& d) {
  State& s = *st_;
  const City& c = sim.city();
  const int64_t epoch = sim.epoch();
  const Millis now = s.opt.now;
  for (const auto& r : d.signals)
    if (reported_by_others(r) && (r.days + 1) * 86400000LL - 8 * 3600000LL <= now) s.reported.push_back(r);
  // Rows in time order, so that ids follow time as a server's do.
  struct Row {
    Millis at;
    uint32_t stay;
    bool out;
  };
  std::vector<Row> rows;
  rows.reserve(d.stays.size() * 2);
  for (uint32_t i = 0; i < d.stays.size(); ++i) {
    const Stay& x = d.stays[i];
    Millis in = (epoch + x.t_in) * 1000, out = (epoch + x.t_out) * 1000;
    if (in > now) continue;
    const auto& ref = s.venues[x.venue];
    if (ref.exit_only[x.entrance]) {
      rows.push_back({in, i, true});
      continue;
    }
    rows.push_back({in, i, false});
    if (out <= now && !ref.exit[x.entrance].empty()) rows.push_back({out, i, true});
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.at < b.at; });
  for (size_t from = 0; from < rows.size(); from += s.opt.batch_rows) {
    size_t to = std::min(rows.size(), from + s.opt.batch_rows);
    std::vector<store::Checkin> batch;
    batch.reserve(to - from);
    {
      store::Checkin k;
      k.decision = "pass";
      k.color = "green";
      k.reasons_json = "[]";
      k.rule_set_version = "sim";
      k.mask = true;
      for (size_t j = from; j < to; ++j) {
        const Row& row = rows[j];
        const Stay& x = d.stays[row.stay];
        const auto& ref = s.venues[x.venue];
        const Person& p = c.persons[x.person];
        Rng r(c.scenario.seed, Stream::kNames, (static_cast<uint64_t>(x.person) << 24) ^ static_cast<uint64_t>(x.t_in),
              row.out);
        k.id = s.ids.next(row.at);
        k.venue_id = ref.id;
        k.person_id = s.person_ids[x.person];
        k.at = row.at;
        k.channel = p.age >= 75 && r.chance(0.3) ? "id_card" : "code";
        if (row.out) {
          const bool exit_only = ref.exit_only[x.entrance];
          k.entrance = exit_only ? ref.entry[x.entrance] : ref.exit[x.entrance];
          k.direction = "out";
          k.t_out.reset();
          k.temperature_c.reset();
        } else {
          k.entrance = ref.entry[x.entrance];
          k.direction = "in";
          Millis out = (epoch + x.t_out) * 1000;
          k.t_out = out <= now ? std::optional<Millis>(out) : std::nullopt;
          const bool fever = c.venues[x.venue].kind == VenueKind::kHospital && x.entrance == 1;
          double t = fever ? r.uniform(37.4, 39.3) : std::min(37.2, r.normal(36.5, 0.22));
          k.temperature_c = std::round(t * 10) / 10;
        }
        batch.push_back(k);
      }
    }
    s.db.write([&](store::Connection& cn) { store::insert_checkins(cn, batch); });
    s.checkin_rows += static_cast<int64_t>(to - from);
  }
  // Coach trips with their seat plans, as a station's manifest import gives them.
  if (!d.trips.empty()) {
    s.db.write([&](store::Connection& cn) {
      for (const Trip& t : d.trips) {
        const Millis departure = (epoch + t.departure) * 1000;
        if (departure > now) continue;
        store::TripRow row;
        row.trip_code = std::to_string(t.id);
        row.vehicle = vehicle_plate(c, t);
        row.route = route_name(c, t);
        row.departure = departure;
        row.arrival = (epoch + t.arrival) * 1000;
        if (const uint32_t v = trip_from(c, t); v != kNone) row.from_venue_id = s.venues[v].id;
        if (const uint32_t v = trip_to(c, t); v != kNone) row.to_venue_id = s.venues[v].id;
        const int64_t id = store::upsert_trip(cn, row, now);
        ++s.trips;
        for (uint32_t i = t.first_seat; i < t.first_seat + t.seats; ++i) {
          const Seat& seat = d.seats[i];
          if (seat.person >= s.person_ids.size()) continue;  // a crew member who is not a resident
          store::upsert_seat(cn, id, s.person_ids[seat.person], seat.row, seat.col, seat.row == 0);
          ++s.seats;
        }
      }
    });
  }
  if (!d.tests.empty()) {
    s.db.write([&](store::Connection& cn) {
      for (const TestRecord& t : d.tests) {
        Millis sampled = (epoch + t.sampled) * 1000, result = (epoch + t.result_at) * 1000;
        if (sampled > now) continue;
        store::NucleicTest x;
        x.person_id = s.person_ids[t.person];
        x.sampled_at = sampled;
        x.result = result <= now ? (t.positive ? "positive" : "negative") : "pending";
        if (result <= now) x.result_at = result;
        if (t.venue != kNone) x.venue_id = s.venues[t.venue].id;
        store::insert_test(cn, x, sampled);
        ++s.tests;
      }
    });
  }
}

void DbSink::finish(const Simulator& sim) {
  State& s = *st_;
  const City& c = sim.city();
  const Outbreak& o = sim.outbreak();
  const int64_t epoch = sim.epoch();
  const Millis now = s.opt.now;
  constexpr Millis kDayMs = 86400000;
  s.db.write([&](store::Connection& cn) {
    std::vector<bool> is_case(c.persons.size(), false);
    for (const Case& k : o.cases()) {
      if (k.confirmed == kNever) continue;
      Millis at = (epoch + k.confirmed) * 1000;
      if (at > now) continue;
      is_case[k.person] = true;
      store::set_person_state(cn, s.person_ids[k.person], k.symptomatic ? "confirmed" : "asymptomatic", "none",
                              std::nullopt, at);
      ++s.cases;
    }
    // Household close contacts: 7 days of centralised quarantine, then 3 of
    // home health monitoring.
    for (uint32_t p = 0; p < c.persons.size(); ++p) {
      SimTime iso = o.isolated_at(p);
      if (iso == kNever || is_case[p]) continue;
      Millis at = (epoch + iso) * 1000;
      if (at > now) continue;
      if (now < at + 7 * kDayMs) {
        store::set_person_state(cn, s.person_ids[p], "none", "centralized_quarantine", at + 7 * kDayMs, at);
      } else if (now < at + 10 * kDayMs) {
        store::set_person_state(cn, s.person_ids[p], "none", "home_monitoring", at + 10 * kDayMs, at + 7 * kDayMs);
      } else {
        continue;
      }
      ++s.quarantined;
    }
    // The reported channels, as one import (the server evaluates them at start).
    if (!s.reported.empty()) {
      store::WarningImport imp;
      imp.filename = "epinet sim (pharmacy sales, school absences)";
      imp.format = "sim";
      imp.uploaded_by = kActor;
      imp.uploaded_at = now;
      imp.rows_total = imp.inserted = static_cast<int64_t>(s.reported.size());
      imp.id = store::insert_import(cn, imp);
      for (const auto& r : s.reported) {
        store::WarningCount w;
        w.division_code = districts()[r.district].code;
        w.channel = r.channel == Channel::kPharmacy ? "pharmacy" : "absence";
        w.day = r.days;
        w.source = kActor;
        w.count = r.count;
        store::put_count(cn, w, std::nullopt, kActor, imp.id, now);
      }
      s.reported_counts = static_cast<int64_t>(s.reported.size());
    }
    json::object detail = identity(sim);
    detail["divisions"] = s.divisions;
    detail["venues_created"] = s.venues_created;
    detail["venues_reused"] = s.venues_reused;
    detail["checkin_rows"] = s.checkin_rows;
    detail["trips"] = s.trips;
    detail["seats"] = s.seats;
    detail["tests"] = s.tests;
    detail["cases"] = s.cases;
    store::append_audit(cn,
                        {0, now, std::nullopt, kActor, "sim.load", "simulation", "", "local", json::serialize(detail)});
  });
}

std::string DbSink::report() const {
  const State& s = *st_;
  auto g = grouped;
  return g(s.divisions) + " divisions, " + g(s.venues_created) + " venues (+" + g(s.venues_reused) + " reused), " +
         g(s.persons) + " persons, " + g(s.checkin_rows) + " check-in rows, " + g(s.trips) + " coach trips (" +
         g(s.seats) + " seats), " + g(s.tests) + " tests, " + g(s.cases) + " cases, " + g(s.quarantined) +
         " in quarantine, " + g(s.reported_counts) + " reported daily counts";
}

}  // namespace epinet::sim
