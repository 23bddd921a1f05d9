#include "service/tracing.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <set>

#include "core/error.h"
#include "core/table_file.h"
#include "domain/person/identity.h"
#include "service/management.h"
#include "store/people.h"

namespace epinet::service {
namespace json = boost::json;
namespace tr = domain::tracing;

tr::Rules tracing_rules(const Config& config) { return tr::rules_from_settings(config.raw); }

// ---- preparing a trace -----------------------------------------------------------

std::string index_cases_json(const PreparedTrace& p) {
  json::array cases;
  for (size_t i = 0; i < p.cases.size(); ++i) {
    const auto& k = p.cases[i];
    cases.push_back(json::object{{"person_id", k.person_id},
                                 {"from", iso8601(k.window.from)},
                                 {"to", iso8601(k.window.to)},
                                 {"window_source", p.window_sources[i]}});
  }
  return json::serialize(cases);
}

Millis PreparedTrace::control_time(int64_t person) const {
  auto it = controlled.find(person);
  return it == controlled.end() ? now : std::min(it->second, now);
}

PreparedTrace prepare_trace(store::Connection& c, const tr::Rules& rules, const std::vector<IndexInput>& in,
                            Millis now) {
  PreparedTrace p;
  p.now = now;
  p.reported_at = now;
  std::set<int64_t> seen;
  for (const auto& x : in) {
    if (!seen.insert(x.person_id).second) continue;
    if (!store::find_person(c, x.person_id)) throw not_found("person " + std::to_string(x.person_id));
    tr::CaseCourse course = store::case_course(c, x.person_id);
    if (x.onset) course.onset = x.onset;
    if (x.first_positive) course.first_positive = x.first_positive;
    if (x.isolated_at) course.isolated_at = x.isolated_at;
    auto w = tr::exposure_window(course, rules, now);
    if (!w)
      throw invalid("no_exposure_window", "person " + std::to_string(x.person_id) +
                                              " has no positive sample on record: give onset or first_positive");
    p.cases.push_back({x.person_id, *w});
    p.window_sources.push_back(course.onset ? "onset" : "first_positive");
    if (course.isolated_at) p.reported_at = std::min(p.reported_at, *course.isolated_at);
  }
  if (p.cases.empty()) throw invalid("missing_field", "index_person_ids must name at least one person");
  for (const auto& row : c.query("SELECT id, state_changed_at FROM persons WHERE case_status <> 'none' OR "
                                 "manage_status <> 'none'")
                             .rows)
    p.controlled[store::as_int(row[0])] = store::as_int(row[1]);
  return p;
}

std::unique_ptr<tr::TraceIndex> build_trace_index(store::Database& db, Millis since,
                                                  const std::function<void(int64_t)>& progress) {
  auto ix = std::make_unique<tr::TraceIndex>();
  ix->begin_load();
  db.read([&](store::Connection& c) {
    store::scan_venue_types(c, [&](int64_t id, const std::string& type) { ix->add_venue(id, type); });
    store::scan_households(c, [&](int64_t p, int64_t h) { ix->add_person(p, h); });
    int64_t n = 0;
    store::scan_stays(c, since, [&](const store::TraceStay& s) {
      ix->add_stay(s.person_id, s.venue_id, s.in, s.out);
      if (progress && ++n % 100000 == 0) progress(n);
    });
    store::scan_trips(c, since, [&](const tr::TripInfo& t) { ix->add_trip(t); },
                      [&](const tr::SeatInfo& s) { ix->add_seat(s); });
  });
  ix->compact();
  return ix;
}

// ---- contacts as rows -------------------------------------------------------------

std::vector<store::TraceContactRow> contact_rows(store::Connection& c, int64_t job_id, const tr::TraceResult& r) {
  // Each place's name as a JSON string, escaped once: a large job writes
  // millions of evidence rows naming a few thousand places.
  std::unordered_map<int64_t, std::string> venue_names, trip_names;
  auto quoted = [](const std::string& s) { return json::serialize(json::string(s)); };
  for (const auto& row : c.query("SELECT id, name FROM venues").rows)
    venue_names[store::as_int(row[0])] = quoted(store::as_text(row[1]));
  std::set<int64_t> trips;
  for (const auto& e : r.evidence)
    if (e.setting == tr::Setting::kTrip) trips.insert(e.place_id);
  for (int64_t t : trips) {
    auto q = c.query("SELECT vehicle, route FROM trips WHERE id = ?", {t});
    if (!q.empty()) trip_names[t] = quoted(store::as_text(q.rows[0][0]) + " " + store::as_text(q.rows[0][1]));
  }
  const std::string unnamed = "\"\"";
  auto place = [&](const tr::Evidence& e) -> std::string {
    if (e.setting == tr::Setting::kHousehold) return "\"家庭 household " + std::to_string(e.place_id) + "\"";
    const auto& names = e.setting == tr::Setting::kVenue ? venue_names : trip_names;
    auto it = names.find(e.place_id);
    return it == names.end() ? unnamed : it->second;
  };
  std::vector<store::TraceContactRow> rows;
  rows.reserve(r.contacts.size());
  std::string ev;
  for (const auto& k : r.contacts) {
    store::TraceContactRow x;
    x.job_id = job_id;
    x.person_id = k.person_id;
    x.kind = tr::kind_name(k.kind);
    x.first_exposure = k.first_exposure;
    x.last_exposure = k.last_exposure;
    const auto evidence = r.evidence_of(k);
    const auto& first = evidence.front();
    x.via_person_id = first.via;
    x.setting = tr::setting_name(first.setting);
    x.place_id = first.place_id;
    // The evidence array (docs/tracing.md), written out directly: the names are quoted above, the rest are
    // numbers, times and setting names.
    ev.clear();
    ev += '[';
    for (const auto& e : evidence) {
      if (ev.size() > 1) ev += ',';
      ev += "{\"via\":" + std::to_string(e.via) + ",\"setting\":\"" + tr::setting_name(e.setting) +
            "\",\"place_id\":" + std::to_string(e.place_id) + ",\"place\":" + place(e) + ",\"from\":\"" +
            iso8601(e.from) + "\",\"to\":\"" + iso8601(e.to) + "\",\"overlap_s\":" + std::to_string(e.overlap / 1000);
      if (e.setting == tr::Setting::kTrip)
        ev += ",\"seat_row\":" + std::to_string(e.seat_row) + ",\"seat_col\":" + std::to_string(e.seat_col);
      ev += '}';
    }
    ev += ']';
    x.evidence_json = ev;
    rows.push_back(std::move(x));
  }
  return rows;
}

int64_t enroll_contacts(store::Connection& c, const Caller& caller, int64_t job_id,
                        const std::vector<store::TraceContactRow>& rows, Millis reported_at, Millis now) {
  std::vector<Enrollment> in;
  in.reserve(rows.size());
  for (const auto& k : rows) {
    Enrollment e;
    e.person_id = k.person_id;
    e.measure = k.kind == "close" ? "close_contact" : k.kind == "secondary" ? "secondary_contact" : "companion";
    e.exposure_at = std::min(k.last_exposure, now);  // a stay still open ends, for the schedule, now
    e.case_reported_at = reported_at;
    e.source = "tracing_job:" + std::to_string(job_id);
    // The first evidence: its via, setting and place are the row's, its start the first exposure.
    e.note = k.kind + " via " + std::to_string(k.via_person_id) + " (" + k.setting + " " + std::to_string(k.place_id) +
             ", " + iso8601(k.first_exposure) + ")";
    in.push_back(std::move(e));
  }
  if (in.empty()) return 0;
  return static_cast<int64_t>(enroll_managed(c, caller, in, now).size());
}

namespace {
constexpr size_t kContactsPerTransaction = 4096, kEnrollmentsPerTransaction = 2048;
}

void save_contacts(store::Database& db, int64_t job_id, const tr::TraceResult& r,
                   const std::function<void(double)>& progress) {
  std::vector<store::TraceContactRow> rows;
  db.read([&](store::Connection& c) { rows = contact_rows(c, job_id, r); });
  std::vector<store::TraceContactRow> part;
  for (size_t from = 0; from < rows.size(); from += kContactsPerTransaction) {
    const size_t to = std::min(rows.size(), from + kContactsPerTransaction);
    part.assign(std::make_move_iterator(rows.begin() + static_cast<std::ptrdiff_t>(from)),
                std::make_move_iterator(rows.begin() + static_cast<std::ptrdiff_t>(to)));
    db.write([&](store::Connection& c) { store::insert_trace_contacts(c, part); });
    if (progress) progress(static_cast<double>(to) / static_cast<double>(rows.size()));
  }
}

bool needs_review(int64_t contacts, int64_t review_above) { return review_above > 0 && contacts > review_above; }

std::vector<std::string> handover_kinds(const std::string& list) {
  std::vector<std::string> kinds;
  for (const char* k : {"close", "secondary", "companion"})
    if (("," + list + ",").find(std::string(",") + k + ",") != std::string::npos) kinds.emplace_back(k);
  return kinds;
}

void hand_over_contacts(store::Database& db, const Caller& caller, int64_t job_id,
                        const std::vector<std::string>& kinds, int64_t total, Millis reported_at, int64_t& enrolled,
                        const std::function<void(double)>& progress,
                        const std::function<void(const std::vector<int64_t>&)>& handed) {
  enrolled = 0;
  int64_t done = 0;
  std::vector<int64_t> persons;
  for (const auto& kind : kinds) {
    int64_t after = 0;
    for (;;) {
      std::vector<store::TraceContactRow> rows;
      db.read([&](store::Connection& c) {
        rows = store::trace_contacts_after(c, job_id, kind, after, static_cast<int64_t>(kEnrollmentsPerTransaction));
      });
      if (rows.empty()) break;
      after = rows.back().person_id;
      int64_t part = 0;
      db.write([&](store::Connection& c) { part = enroll_contacts(c, caller, job_id, rows, reported_at, now_ms()); });
      enrolled += part;
      done += static_cast<int64_t>(rows.size());
      if (handed) {
        persons.clear();
        for (const auto& x : rows) persons.push_back(x.person_id);
        handed(persons);
      }
      if (progress && total > 0) progress(std::min(1.0, static_cast<double>(done) / static_cast<double>(total)));
    }
  }
}

namespace {

// The `key` of every object of a JSON array of the service's own (index_cases_json(), contact_rows()):
// anything else is skipped.
void ids_in(const std::string& array_json, std::string_view key, std::set<int64_t>& out) {
  try {
    const json::value v = json::parse(array_json);
    if (const auto* a = v.if_array())
      for (const auto& x : *a)
        if (const auto* o = x.if_object())
          if (const auto* id = o->if_contains(key); id && id->is_int64()) out.insert(id->as_int64());
  } catch (const std::exception&) {
  }
}

}  // namespace

std::vector<NamedPerson> named_people(store::Connection& c, std::set<int64_t> ids,
                                      const std::vector<store::TraceContactRow>& rows, const domain::Principal* who,
                                      bool evidence) {
  for (const auto& x : rows) {
    ids.insert(x.via_person_id);
    if (evidence) ids_in(x.evidence_json, "via", ids);
  }
  const auto found = store::find_persons(c, std::vector<int64_t>(ids.begin(), ids.end()));
  std::vector<NamedPerson> out;
  for (int64_t id : ids) {
    auto it = found.find(id);
    if (it == found.end()) continue;
    const store::Person& p = it->second;
    if (who && !domain::within_jurisdiction(*who, {p.division_path, std::nullopt})) continue;
    out.push_back({id, p.name, p.id_masked});
  }
  return out;
}

std::vector<std::vector<std::string>> contacts_table(const std::vector<store::TraceContactRow>& rows,
                                                     const std::vector<NamedPerson>& people) {
  std::unordered_map<int64_t, const std::string*> name_of;
  for (const auto& p : people) name_of[p.person_id] = &p.name;
  std::vector<std::vector<std::string>> t;
  t.push_back({"person_id", "name", "id_masked", "district", "kind", "first_exposure", "last_exposure", "via_person_id",
               "via_name", "setting", "place", "overlap_min", "evidence"});
  for (const auto& x : rows) {
    std::string place, overlap;
    try {
      auto ev = json::parse(x.evidence_json).as_array();
      if (!ev.empty()) {
        place = json::value_to<std::string>(ev[0].at("place"));
        char b[32];
        std::snprintf(b, sizeof b, "%.1f", static_cast<double>(ev[0].at("overlap_s").to_number<int64_t>()) / 60.0);
        overlap = b;
      }
    } catch (const std::exception&) {
    }
    std::string via;
    if (auto it = name_of.find(x.via_person_id); it != name_of.end()) via = *it->second;
    t.push_back({std::to_string(x.person_id), x.name, x.id_masked, x.division_name, x.kind, iso8601(x.first_exposure),
                 iso8601(x.last_exposure), std::to_string(x.via_person_id), via, x.setting, place, overlap,
                 x.evidence_json});
  }
  return t;
}

// ---- the service ---------------------------------------------------------------------

class TracingService::LockedSource : public tr::ContactSource {
 public:
  explicit LockedSource(const TracingService& s) : s_(s) {}
  void exposures(int64_t person, Millis from, Millis to, const tr::Rules& rules,
                 std::vector<tr::Exposure>& out) const override {
    std::shared_lock lock(s_.index_mu_);
    s_.index_->exposures(person, from, to, rules, out);
  }
  // The index's own sweep, under the read lock for its whole length.
  tr::TraceResult trace(const std::vector<tr::IndexCase>& cases, const tr::Rules& rules, const tr::ControlTime& control,
                        const tr::Progress& progress) const override {
    std::shared_lock lock(s_.index_mu_);
    return s_.index_->trace(cases, rules, control, progress);
  }

 private:
  const TracingService& s_;
};

TracingService::TracingService(Runtime& rt) : rt_(rt), rules_(tracing_rules(rt.config)) {}

TracingService::~TracingService() {
  {
    std::lock_guard lock(hook_->mu);
    hook_->service = nullptr;
  }
  {
    std::lock_guard lock(jobs_mu_);
    stop_ = true;
  }
  jobs_cv_.notify_all();
  if (worker_.joinable()) worker_.join();
  if (builder_.joinable()) builder_.join();
}

void TracingService::start() {
  std::vector<Job> resumed;  // hand-overs decided before the server stopped: run again (enrolling is idempotent)
  rt_.db.write([&](store::Connection& c) {
    if (store::fail_unfinished_trace_jobs(c, now_ms()) > 0) {
      Caller system{{}, "local"};
      system.who.username = "epinet tracing";
      audit(c, system, "tracing.job.interrupted", "tracing_job", "");
    }
    for (int64_t id : store::trace_jobs_handing_over(c)) {
      auto j = store::find_trace_job(c, id);
      Caller decider{{}, "resumed"};
      decider.who.user_id = j->decided_by.value_or(0);
      decider.who.username = j->decided_by_name;
      resumed.push_back(Job{id, decider, {}, true});
    }
  });
  for (auto& job : resumed) enqueue(std::move(job));
  hook_->service = this;
  rt_.writer.after_commit = [hook = hook_](const std::vector<CheckinWriter::Item>& batch) {
    std::lock_guard lock(hook->mu);
    if (hook->service) hook->service->on_checkins(batch);
  };
  builder_ = std::thread([this] {
    auto t0 = std::chrono::steady_clock::now();
    const Millis since = now_ms() - static_cast<Millis>(rt_.config.retention_days) * tr::kDay;
    std::unique_ptr<tr::TraceIndex> ix;
    try {
      ix = build_trace_index(rt_.db, since);
    } catch (const std::exception& e) {
      spdlog::error(R"({{"type":"trace_index_failed","error":{}}})", json::serialize(json::string(e.what())));
      ix = std::make_unique<tr::TraceIndex>();
    }
    {
      std::unique_lock lock(index_mu_);
      index_ = std::move(ix);
      // Check-ins committed while the store was read: add those the scan missed.
      for (const auto& it : pending_) {
        const auto& k = it.checkin;
        if (!k.person_id) continue;
        if (it.close_stay) index_->close_stay(*k.person_id, k.venue_id, k.at);
        if (k.direction == "in" && k.decision == "pass" && !index_->has_stay(*k.person_id, k.venue_id, k.at))
          index_->add_stay(*k.person_id, k.venue_id, k.at, k.t_out);
      }
      pending_.clear();
      drain_backlog();
      ready_ = true;
    }
    build_ms_ = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    std::shared_lock lock(index_mu_);
    spdlog::info(R"({{"type":"trace_index_built","stays":{},"persons":{},"trips":{},"bytes":{},"ms":{}}})",
                 index_->stay_count(), index_->person_count(), index_->trip_count(), index_->total_bytes(),
                 build_ms_.load());
  });
  worker_ = std::thread([this] { worker(); });
}

void TracingService::on_checkins(const std::vector<CheckinWriter::Item>& batch) {
  // A trace holding the index for reading must not hold up the check-ins:
  // when the index is busy, the batch waits in the backlog (copied only then).
  std::unique_lock lock(index_mu_, std::try_to_lock);
  if (lock.owns_lock()) {
    drain_backlog();
    apply_checkins(batch);
    return;
  }
  {
    std::lock_guard b(backlog_mu_);
    for (const auto& it : batch) backlog_.push_back(CheckinWriter::Item{it.checkin, std::nullopt, it.close_stay, {}});
  }
  // The trace may have ended (and drained) meanwhile: try once more.
  if (lock.try_lock()) drain_backlog();
}

void TracingService::drain_backlog() {
  std::vector<CheckinWriter::Item> items;
  {
    std::lock_guard b(backlog_mu_);
    items.swap(backlog_);
  }
  apply_checkins(items);
}

void TracingService::apply_checkins(const std::vector<CheckinWriter::Item>& batch) {
  if (!index_) {
    for (const auto& it : batch) pending_.push_back(CheckinWriter::Item{it.checkin, std::nullopt, it.close_stay, {}});
    return;
  }
  for (const auto& it : batch) {
    const auto& k = it.checkin;
    if (!k.person_id) continue;
    if (it.close_stay) index_->close_stay(*k.person_id, k.venue_id, k.at);
    if (k.direction == "in" && k.decision == "pass") index_->add_stay(*k.person_id, k.venue_id, k.at, k.t_out);
  }
}

void TracingService::on_purge(Millis cutoff) {
  std::unique_lock lock(index_mu_);
  drain_backlog();
  if (index_) index_->purge_before(cutoff);
}

int64_t TracingService::submit(const Caller& caller, const std::vector<IndexInput>& in) {
  if (in.empty()) throw invalid("missing_field", "index_person_ids must name at least one person");
  if (in.size() > 10000) throw invalid("too_many", "at most 10,000 index persons per job");
  const Millis now = now_ms();
  Job job{0, caller, {}};
  rt_.db.write([&](store::Connection& c) {
    for (const auto& x : in) {
      auto p = store::find_person(c, x.person_id);
      if (!p) throw not_found("person " + std::to_string(x.person_id));
      require_within(caller, {p->division_path, std::nullopt});
    }
    job.prepared = prepare_trace(c, rules_, in, now);
    store::TraceJob j;
    j.status = "queued";
    j.index_cases_json = index_cases_json(job.prepared);
    j.rules_version = rules_.version();
    j.rules_json = rules_.describe_json();
    j.engine = "index";
    if (caller.who.user_id) j.created_by = caller.who.user_id;
    j.created_by_name = caller.who.username;
    j.created_at = now;
    j.reported_at = job.prepared.reported_at;
    job.id = store::insert_trace_job(c, j);
    audit(c, caller, "tracing.job.create", "tracing_job", std::to_string(job.id),
          json::serialize(json::object{{"index_cases", job.prepared.cases.size()}, {"rules_version", j.rules_version}}));
  });
  const int64_t id = job.id;
  enqueue(std::move(job));
  return id;
}

void TracingService::enqueue(Job job) {
  {
    std::lock_guard lock(jobs_mu_);
    queue_.push_back(std::move(job));
  }
  jobs_cv_.notify_one();
}

store::TraceJob TracingService::decide(const Caller& caller, int64_t id, const Decision& d) {
  if (d.handover && d.kinds.empty())
    throw invalid("invalid_field", "kinds must name at least one of close, secondary, companion");
  for (const auto& k : d.kinds)
    if (k != "close" && k != "secondary" && k != "companion")
      throw invalid("invalid_field", "kinds must name close, secondary or companion, not '" + k + "'");
  if (!d.handover && d.note.find_first_not_of(" \t\r\n") == std::string::npos)
    throw invalid("missing_field", "note: say why no contact is handed over");
  if (d.note.size() > 1000) throw invalid("invalid_field", "note must be at most 1,000 bytes");
  store::TraceJob j;
  rt_.db.write([&](store::Connection& c) {
    auto found = store::find_trace_job(c, id);
    if (!found) throw not_found("tracing job");
    j = *found;
    // The same jurisdiction as starting the job: every index person within the caller's.
    const json::value cases = json::parse(j.index_cases_json);
    for (const auto& x : cases.as_array()) {
      auto p = store::find_person(c, x.at("person_id").to_number<int64_t>());
      if (p) require_within(caller, {p->division_path, std::nullopt});
    }
    if (j.status != "review")
      throw conflict("not_in_review", "job " + std::to_string(id) + " is " + j.status + ", not waiting for a decision");
    std::string kinds;  // the tiers asked for, each once, in the order of the tiers
    for (const char* k : {"close", "secondary", "companion"})
      if (std::find(d.kinds.begin(), d.kinds.end(), k) != d.kinds.end())
        kinds += (kinds.empty() ? "" : ",") + std::string(k);
    j.decision = d.handover ? "handover" : "decline";
    j.handover_kinds = d.handover ? kinds : "";
    j.decision_note = d.note;
    j.decided_by = caller.who.user_id ? std::optional<int64_t>(caller.who.user_id) : std::nullopt;
    j.decided_by_name = caller.who.username;
    j.decided_at = now_ms();
    j.status = d.handover ? "running" : "done";
    j.progress = d.handover ? 0.8 : 1.0;
    if (!store::decide_trace_job(c, j))
      throw conflict("not_in_review", "job " + std::to_string(id) + " was decided meanwhile");
    json::object detail{{"decision", j.decision}, {"note", j.decision_note}};
    if (d.handover) detail["kinds"] = kinds;
    audit(c, caller, d.handover ? "tracing.job.handover" : "tracing.job.decline", "tracing_job", std::to_string(id),
          json::serialize(detail));
  });
  if (d.handover) enqueue(Job{id, caller, {}, true});
  return j;
}

void TracingService::worker() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(jobs_mu_);
      jobs_cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (stop_) return;  // queued jobs stay "queued" and are marked interrupted at the next start
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      if (job.handover) {
        std::optional<store::TraceJob> j;
        rt_.db.read([&](store::Connection& c) { j = store::find_trace_job(c, job.id); });
        if (j && j->status == "running" && j->decision == "handover")
          hand_over(*j, job.caller, handover_kinds(j->handover_kinds));
      } else {
        run_job(job);
      }
    } catch (const std::exception& e) {
      spdlog::error(R"({{"type":"trace_job_failed","job":{},"error":{}}})", job.id,
                    json::serialize(json::string(e.what())));
      try {
        rt_.db.write([&](store::Connection& c) {
          auto j = store::find_trace_job(c, job.id);
          if (!j) return;
          j->status = "failed";
          j->error = e.what();
          j->finished_at = now_ms();
          store::finish_trace_job(c, *j);
        });
      } catch (const std::exception&) {
      }
    }
  }
}

void TracingService::run_job(Job& job) {
  // Wait for the index (it is being built at start).
  while (!ready_.load()) {
    std::unique_lock lock(jobs_mu_);
    if (jobs_cv_.wait_for(lock, std::chrono::milliseconds(50), [&] { return stop_; })) return;
  }
  {
    std::unique_lock lock(index_mu_);  // check-ins committed before the job starts are in its trace
    drain_backlog();
  }
  const Millis started = now_ms();
  rt_.db.write([&](store::Connection& c) { store::set_trace_job_running(c, job.id, started); });
  auto t0 = std::chrono::steady_clock::now();
  double last = 0;
  LockedSource source(*this);
  auto result = tr::trace(
      source, job.prepared.cases, rules_, [&](int64_t p) { return job.prepared.control_time(p); },
      [&](double f) {
        if (f - last < 0.1 || f >= 1.0) return;
        last = f;
        set_progress(job.id, 0.7 * f);
      });
  const int64_t elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  {
    std::unique_lock lock(index_mu_);  // check-ins that came in during the trace
    drain_backlog();
  }
  // Progress: the trace to 0.7, saving its contacts to 0.8, the hand-over to 1.
  store::TraceJob done;
  rt_.db.write([&](store::Connection& c) {
    done = *store::find_trace_job(c, job.id);
    done.status = "running";  // "done" once the contacts are saved and handed over (below)
    done.progress = 0.7;
    done.close_count = static_cast<int64_t>(result.count(tr::ContactKind::kClose));
    done.secondary_count = static_cast<int64_t>(result.count(tr::ContactKind::kSecondary));
    done.companion_count = static_cast<int64_t>(result.count(tr::ContactKind::kCompanion));
    done.finished_at = now_ms();
    done.elapsed_ms = elapsed;
    store::finish_trace_job(c, done);
  });
  save_contacts(rt_.db, job.id, result, [&](double f) { set_progress(job.id, 0.7 + 0.1 * f); });
  rt_.db.write([&](store::Connection& c) {
    audit(c, job.caller, "tracing.job.finish", "tracing_job", std::to_string(job.id),
          json::serialize(json::object{{"close", done.close_count},
                                       {"secondary", done.secondary_count},
                                       {"companion", done.companion_count},
                                       {"elapsed_ms", elapsed}}));
  });
  // A job that lists more contacts than the review threshold waits for a commander's decision.
  done.reported_at = job.prepared.reported_at;
  const int64_t total = done.close_count + done.secondary_count + done.companion_count;
  if (needs_review(total, rt_.config.trace_review_above)) {
    done.status = "review";
    done.progress = 0.8;
    done.review_above = rt_.config.trace_review_above;
    rt_.db.write([&](store::Connection& c) {
      store::finish_trace_job(c, done);
      audit(c, job.caller, "tracing.job.review", "tracing_job", std::to_string(job.id),
            json::serialize(json::object{{"contacts", total}, {"review_above", *done.review_above}}));
    });
    spdlog::warn(R"({{"type":"trace_job_review","job":{},"contacts":{},"review_above":{}}})", job.id, total,
                 *done.review_above);
    return;
  }
  hand_over(done, job.caller, {"close", "secondary", "companion"});
}

void TracingService::set_progress(int64_t id, double f) {
  rt_.db.write([&](store::Connection& c) { store::set_trace_job_progress(c, id, f); });
}

void TracingService::hand_over(store::TraceJob& j, const Caller& caller, const std::vector<std::string>& kinds) {
  // Should it fail, the contacts found stay on record, and the job says why and how many were handed over.
  int64_t total = 0;
  for (const auto& k : kinds)
    total += k == "close" ? j.close_count : k == "secondary" ? j.secondary_count : j.companion_count;
  j.status = "done";
  j.progress = 1;
  try {
    hand_over_contacts(
        rt_.db, caller, j.id, kinds, total, j.reported_at.value_or(j.created_at), j.enrolled_count,
        [&](double f) { set_progress(j.id, 0.8 + 0.2 * std::min(f, 0.99)); },
        [&](const std::vector<int64_t>& persons) {
          for (int64_t p : persons) rt_.note_state_change(p, now_ms());
        });
    rt_.db.write([&](store::Connection& c) { store::finish_trace_job(c, j); });
  } catch (const std::exception& e) {
    rt_.db.write([&](store::Connection& c) {
      j.error = std::string("enrollment failed: ") + e.what();
      store::finish_trace_job(c, j);
    });
  }
}

TraceJobView TracingService::get(const Caller& caller, int64_t id, bool with_contacts,
                                 const store::TraceContactFilter& f, const std::optional<store::Page>& page) {
  TraceJobView v;
  auto fetch = [&](store::Connection& c) {
    auto j = store::find_trace_job(c, id);
    if (!j) throw not_found("tracing job");
    v.job = *j;
    if (!with_contacts) return;
    store::TraceContactFilter g = f;
    const std::string& mine = caller.who.division_path.empty() ? std::string("/-none-/") : caller.who.division_path;
    if (g.within_path.empty() || g.within_path.rfind(mine, 0) != 0) g.within_path = mine;
    if (page) {
      auto got = store::page_trace_contacts(c, id, g, *page);
      v.contacts = std::move(got.items);
      v.contacts_total = got.total;
    } else {
      v.contacts = store::list_trace_contacts(c, id, g);
      v.contacts_total = static_cast<int64_t>(v.contacts.size());
    }
    // A page shows every evidence row's via; an export (every page) names the contact's alone.
    std::set<int64_t> cases;
    ids_in(v.job.index_cases_json, "person_id", cases);
    v.people = named_people(c, std::move(cases), v.contacts, &caller.who, page.has_value());
  };
  rt_.db.read(fetch);
  if (with_contacts) {
    // The read is audited before anything is answered, in a write of its own:
    // reading a large job's page takes a while and holds no write lock.
    json::object detail{{"contacts", v.contacts.size()}, {"kind", f.kind}};
    if (page) detail["page"] = page->page;
    if (f.person_id) detail["person_id"] = *f.person_id;
    if (!f.name.empty()) detail["name"] = f.name;
    rt_.db.write([&](store::Connection& c) {
      audit(c, caller, "tracing.contacts.read", "tracing_job", std::to_string(id), json::serialize(detail));
    });
  }
  return v;
}

TracingService::JobList TracingService::list(const Caller& caller, const store::Page& p) {
  JobList out;
  rt_.db.read([&](store::Connection& c) {
    out.page = store::list_trace_jobs(c, p);
    std::set<int64_t> cases;
    for (const auto& j : out.page.items) ids_in(j.index_cases_json, "person_id", cases);
    out.people = named_people(c, std::move(cases), {}, &caller.who);
  });
  if (!out.people.empty())
    rt_.db.write([&](store::Connection& c) {
      audit(c, caller, "tracing.jobs.list", "tracing_job", "",
            json::serialize(json::object{{"jobs", out.page.items.size()}, {"index_persons", out.people.size()}}));
    });
  return out;
}

TracingService::Stats TracingService::stats() const {
  Stats s;
  std::shared_lock lock(index_mu_);
  s.ready = ready_.load();
  if (index_) {
    s.stays = index_->stay_count();
    s.persons = index_->person_count();
    s.trips = index_->trip_count();
    s.stay_bytes = index_->stay_bytes();
    s.total_bytes = index_->total_bytes();
  }
  s.build_ms = build_ms_.load();
  return s;
}

// ---- imports -------------------------------------------------------------------------

namespace {

// ISO 8601; without a zone, local time (EPINET_UTC_OFFSET_MINUTES), as a spreadsheet writes it.
std::optional<Millis> local_time(const std::string& s, const Config& config) {
  if (s.empty()) return std::nullopt;
  std::string t = s;
  if (t.size() >= 16 && t[10] == ' ') t[10] = 'T';
  auto v = parse_iso8601(t);
  if (!v) return std::nullopt;
  const bool zoned = t.back() == 'Z' || (t.size() > 19 && (t[t.size() - 6] == '+' || t[t.size() - 6] == '-'));
  return zoned ? *v : *v - config.utc_offset_minutes * 60000LL;
}

std::optional<int64_t> whole(const std::string& s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  int64_t n = 0;
  for (char ch : s) {
    if (ch < '0' || ch > '9') return std::nullopt;
    n = n * 10 + (ch - '0');
  }
  return n;
}

size_t need(const TableFile& f, std::vector<std::string_view> names, const std::string& what) {
  auto col = find_column(f.header, names);
  if (!col) throw invalid("invalid_file", "the file has no " + what + " column (" + std::string(names.front()) + ")");
  return *col;
}

// A person by id column or identity number, within the caller's jurisdiction.
std::optional<int64_t> person_of(store::Connection& c, Runtime& rt, const Caller& caller, const TableRow& row,
                                 std::optional<size_t> id_col, std::optional<size_t> number_col, std::string& why) {
  std::optional<store::Person> p;
  if (id_col && !cell(row, *id_col).empty()) {
    auto id = whole(cell(row, *id_col));
    if (!id) {
      why = "person_id must be a number";
      return std::nullopt;
    }
    p = store::find_person(c, *id);
  } else if (number_col && !cell(row, *number_col).empty()) {
    auto chk = domain::check_id_number(cell(row, *number_col));
    if (!chk) {
      why = std::string(domain::id_problem_message(chk.problem));
      return std::nullopt;
    }
    p = store::find_person_by_id_hash(c, rt.keys.id_hash(chk.normalized));
  } else {
    why = "no person_id or id_number";
    return std::nullopt;
  }
  if (!p) {
    why = "person not registered";
    return std::nullopt;
  }
  if (!domain::within_jurisdiction(caller.who, {p->division_path, std::nullopt})) {
    why = "person outside your jurisdiction";
    return std::nullopt;
  }
  return p->id;
}

}  // namespace

TracingService::ImportReport TracingService::import_venue_scans(const Caller& caller, const std::string& bytes) {
  TableFile f = read_table_file(bytes);
  const size_t vcol = need(f, {"venue_id", "场所ID", "场所编号"}, "venue_id");
  const size_t tcol = need(f, {"scanned_at", "扫码时间", "time"}, "scanned_at");
  auto ocol = find_column(f.header, {"left_at", "离开时间", "t_out"});
  auto idcol = find_column(f.header, {"person_id", "人员ID"});
  auto ncol = find_column(f.header, {"id_number", "身份证号", "证件号码"});
  if (!idcol && !ncol) throw invalid("invalid_file", "the file has no person_id or id_number (身份证号) column");
  ImportReport rep;
  std::vector<store::Checkin> rows;
  const Millis now = now_ms();
  rt_.db.write([&](store::Connection& c) {
    for (const auto& row : f.rows) {
      std::string why;
      auto person = person_of(c, rt_, caller, row, idcol, ncol, why);
      auto venue_id = whole(cell(row, vcol));
      auto at = local_time(cell(row, tcol), rt_.config);
      auto out = ocol ? local_time(cell(row, *ocol), rt_.config) : std::nullopt;
      if (!person) rep.errors.emplace_back(row.line, why);
      if (!venue_id || !store::find_venue(c, *venue_id)) rep.errors.emplace_back(row.line, "unknown venue");
      if (!at || *at > now) rep.errors.emplace_back(row.line, "scanned_at must be a past ISO 8601 time");
      if (ocol && !cell(row, *ocol).empty() && (!out || !at || *out < *at))
        rep.errors.emplace_back(row.line, "left_at must be a time after scanned_at");
      if (!person || !venue_id || !at) continue;
      store::Checkin k;
      k.id = rt_.ids.next(*at);
      k.venue_id = *venue_id;
      k.entrance = "场所码";
      k.direction = "in";
      k.person_id = *person;
      k.at = *at;
      k.t_out = out;
      k.decision = "pass";
      k.reasons_json = "[]";
      k.mask = true;
      k.channel = "venue_code";
      k.rule_set_version = "import";
      rows.push_back(k);
    }
    if (!rep.errors.empty()) return;  // refused whole: nothing written
    for (const auto& k : rows) store::insert_checkin(c, k);
    rep.imported = static_cast<int64_t>(rows.size());
    audit(c, caller, "tracing.import.venue_scans", "checkin", "",
          json::serialize(json::object{{"rows", rep.imported}}));
  });
  if (!rep.errors.empty()) return rep;
  std::unique_lock lock(index_mu_);
  drain_backlog();
  for (const auto& k : rows) {
    if (index_)
      index_->add_stay(*k.person_id, k.venue_id, k.at, k.t_out);
    else
      pending_.push_back(CheckinWriter::Item{k, std::nullopt, false, {}});
  }
  return rep;
}

TracingService::ImportReport TracingService::import_trips(const Caller& caller, const std::string& bytes) {
  TableFile f = read_table_file(bytes);
  const size_t ccol = need(f, {"trip_id", "trip_code", "班次"}, "trip_id");
  const size_t vcol = need(f, {"vehicle", "车牌"}, "vehicle");
  const size_t dcol = need(f, {"departure", "发车时间"}, "departure");
  const size_t acol = need(f, {"arrival", "到达时间"}, "arrival");
  const size_t rcol = need(f, {"seat_row", "排"}, "seat_row");
  auto colcol = find_column(f.header, {"seat_col", "列"});
  auto crewcol = find_column(f.header, {"crew", "乘务"});
  auto routecol = find_column(f.header, {"route", "线路"});
  auto idcol = find_column(f.header, {"person_id", "人员ID"});
  auto ncol = find_column(f.header, {"id_number", "身份证号", "证件号码"});
  if (!idcol && !ncol) throw invalid("invalid_file", "the file has no person_id or id_number (身份证号) column");
  // Unix seconds (the simulator's trips.csv) or ISO 8601.
  auto when = [&](const std::string& s) -> std::optional<Millis> {
    if (auto n = whole(s)) return *n * 1000;
    return local_time(s, rt_.config);
  };
  struct Row {
    store::TripRow trip;
    int64_t person;
    int row, col;
    bool crew;
  };
  std::vector<Row> rows;
  ImportReport rep;
  std::vector<tr::TripInfo> trips;
  std::vector<tr::SeatInfo> seats;
  rt_.db.write([&](store::Connection& c) {
    for (const auto& row : f.rows) {
      std::string why;
      auto person = person_of(c, rt_, caller, row, idcol, ncol, why);
      if (!person) {
        // The simulator's coaches from Taiyuan have crews who are not residents: an empty person is skipped.
        if ((idcol && cell(row, *idcol).empty()) && (!ncol || cell(row, *ncol).empty())) continue;
        rep.errors.emplace_back(row.line, why);
        continue;
      }
      Row x;
      x.trip.trip_code = cell(row, ccol);
      x.trip.vehicle = cell(row, vcol);
      if (routecol) x.trip.route = cell(row, *routecol);
      auto dep = when(cell(row, dcol)), arr = when(cell(row, acol));
      auto seat_row = whole(cell(row, rcol));
      auto seat_col = colcol ? whole(cell(row, *colcol)) : std::optional<int64_t>(0);
      if (x.trip.trip_code.empty() || x.trip.vehicle.empty()) rep.errors.emplace_back(row.line, "trip_id and vehicle are required");
      if (!dep || !arr || *arr < *dep) rep.errors.emplace_back(row.line, "departure and arrival must be times, arrival after departure");
      if (!seat_row || *seat_row > 100 || !seat_col) rep.errors.emplace_back(row.line, "seat_row must be 0 (crew) to 100");
      if (!dep || !arr || !seat_row || !seat_col) continue;
      x.trip.departure = *dep;
      x.trip.arrival = *arr;
      x.person = *person;
      x.row = static_cast<int>(*seat_row);
      x.col = static_cast<int>(*seat_col);
      const std::string crew = crewcol ? cell(row, *crewcol) : "";
      x.crew = crewcol ? (crew == "1" || crew == "true" || crew == "TRUE" || crew == "是") : x.row == 0;
      rows.push_back(x);
    }
    if (!rep.errors.empty()) return;  // refused whole: nothing written
    std::map<std::pair<std::string, Millis>, int64_t> ids;
    const Millis now = now_ms();
    for (const auto& x : rows) {
      auto key = std::make_pair(x.trip.trip_code, x.trip.departure);
      auto it = ids.find(key);
      if (it == ids.end()) {
        it = ids.emplace(key, store::upsert_trip(c, x.trip, now)).first;
        trips.push_back({it->second, x.trip.vehicle, x.trip.departure, x.trip.arrival});
      }
      store::upsert_seat(c, it->second, x.person, x.row, x.col, x.crew);
      seats.push_back({it->second, x.person, x.row, x.col, x.crew});
    }
    rep.imported = static_cast<int64_t>(rows.size());
    audit(c, caller, "tracing.import.trips", "trip", "",
          json::serialize(json::object{{"trips", trips.size()}, {"seats", rep.imported}}));
  });
  std::unique_lock lock(index_mu_);
  drain_backlog();
  if (index_) {
    for (const auto& t : trips) index_->add_trip(t);
    for (const auto& s : seats) index_->add_seat(s);
  }
  return rep;
}

}  // namespace epinet::service
