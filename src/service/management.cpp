#include "service/management.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include "core/error.h"
#include "service/checkpoints.h"
#include "service/runtime.h"
#include "store/people.h"

namespace epinet::service {

namespace json = boost::json;
namespace q = domain::quarantine;

namespace {

std::mutex g_mu;
q::Settings g_settings;     // GUARDED_BY(g_mu) for writes; read after start
Runtime* g_runtime = nullptr;  // GUARDED_BY(g_mu)

void note_change(int64_t person_id, Millis now) {
  std::lock_guard lock(g_mu);
  if (g_runtime) g_runtime->note_state_change(person_id, now);
}

q::CaseView view_of(const store::ManagedCase& m) {
  q::CaseView v;
  v.measure = q::parse_measure(m.measure).value_or(q::Measure::kCloseContact);
  v.place = m.place == "centralized" ? q::Place::kCentralized : m.place == "home" ? q::Place::kHome : q::Place::kNone;
  v.state = q::parse_state(m.state).value_or(q::State::kIdentified);
  v.enrolled_at = m.enrolled_at;
  v.case_reported_at = m.case_reported_at;
  v.state_since = m.state_since;
  v.quarantine_end = m.quarantine_end;
  v.planned_end = m.planned_end;
  return v;
}

std::vector<q::TestStatus> statuses(const std::vector<store::ManagedTest>& tests) {
  std::vector<q::TestStatus> out;
  for (const auto& t : tests) out.push_back({t.phase, t.day, t.due_to, t.result});
  return out;
}

domain::Scope scope_of_case(const store::ManagedCase& m) { return {m.division_path, std::nullopt}; }

store::ManagedCase must_find_case(store::Connection& c, int64_t id) {
  auto m = store::find_managed_case(c, id);
  if (!m) throw not_found("managed case");
  return *m;
}

store::ManagedEvent event_of(const Caller& caller, int64_t case_id, const std::string& kind, const std::string& from,
                             const std::string& to, Millis at, Millis now, const std::string& note,
                             const std::string& detail) {
  store::ManagedEvent e;
  e.case_id = case_id;
  e.at = at;
  e.recorded_at = now;
  e.kind = kind;
  e.from_state = from;
  e.to_state = to;
  e.actor_id = caller.who.user_id;
  e.actor = caller.who.username;
  e.note = note;
  e.detail = detail;
  return e;
}

void add_event(store::Connection& c, const Caller& caller, int64_t case_id, const std::string& kind,
               const std::string& from, const std::string& to, Millis at, Millis now, const std::string& note,
               const std::string& detail = "") {
  store::insert_managed_event(c, event_of(caller, case_id, kind, from, to, at, now, note, detail));
}

// The person's manage_status/manage_until follow the case (health codes read
// them); `case_status` is the person's as read.
void sync_person(store::Connection& c, const store::ManagedCase& m, std::string case_status, Millis now) {
  auto cs = q::code_status(view_of(m));
  if (m.state == "became_case" && case_status == "none") case_status = "suspected";
  store::set_person_state(c, m.person_id, case_status, cs.manage_status, cs.until, now);
  note_change(m.person_id, now);
}
void sync_person(store::Connection& c, const store::ManagedCase& m, Millis now) {
  if (auto p = store::find_person(c, m.person_id)) sync_person(c, m, p->case_status, now);
}

void insert_plan_tests(store::Connection& c, int64_t case_id, const q::Plan& plan) {
  for (const auto& t : plan.tests) store::insert_managed_test(c, {0, case_id, t.phase, t.day, t.due_from, t.due_to});
}

json::object enrollment_detail(const Enrollment& e) {
  json::object d{{"measure", e.measure}, {"source", e.source}, {"exposure_at", iso8601(e.exposure_at)}};
  if (e.case_reported_at) d["case_reported_at"] = iso8601(e.case_reported_at);
  return d;
}

// Links recorded nucleic tests to the case's open scheduled days. Returns true
// when a positive result moved the case to became_case.
bool reconcile_tests(store::Connection& c, const Caller& caller, store::ManagedCase& m, Millis now) {
  auto tests = store::list_managed_tests(c, m.id);
  bool open = false;
  for (const auto& t : tests) open |= t.result.empty() || t.result == "pending";
  if (!open) return false;
  for (const auto& nt : store::list_tests(c, m.person_id, 200)) {
    if (nt.sampled_at < m.anchor_at) continue;
    store::NucleicTest copy = nt;
    if (apply_test_to_management(c, caller, copy, now) && nt.result == "positive") return true;
  }
  return false;
}

std::vector<q::Deadline> overdue_of(store::Connection& c, const store::ManagedCase& m, Millis now,
                                    std::vector<store::ManagedTest>* tests_out = nullptr) {
  auto tests = store::list_managed_tests(c, m.id);
  auto out = q::overdue(view_of(m), statuses(tests), management_settings(), now);
  if (tests_out) *tests_out = std::move(tests);
  return out;
}

// Every case of the filter (active ones unless it says otherwise), by id, however many there are: fn(batch)
// for each 1,000 of them.
template <class F>
void each_case_batch(store::Connection& c, store::ManagedCaseFilter f, const F& fn) {
  if (f.state.empty()) f.state = "active";
  for (int64_t after = 0;;) {
    auto batch = store::managed_cases_after(c, f, after, 1000);
    if (batch.empty()) return;
    after = batch.back().id;
    fn(batch);
  }
}

// The same with the test days of a batch read at once: fn(case, its overdue items).
template <class F>
void each_case_overdue(store::Connection& c, const store::ManagedCaseFilter& f, Millis now, const F& fn) {
  each_case_batch(c, f, [&](std::vector<store::ManagedCase>& batch) {
    std::vector<int64_t> ids;
    ids.reserve(batch.size());
    for (const auto& m : batch) ids.push_back(m.id);
    const auto tests = store::list_managed_tests_of(c, ids);
    static const std::vector<store::ManagedTest> kNone;
    for (auto& m : batch) {
      const auto it = tests.find(m.id);
      fn(m, q::overdue(view_of(m), statuses(it == tests.end() ? kNone : it->second), management_settings(), now));
    }
  });
}

CaseDetail detail_of(store::Connection& c, int64_t id, Millis now) {
  CaseDetail d;
  d.mc = must_find_case(c, id);
  d.tests = store::list_managed_tests(c, id);
  d.events = store::list_managed_events(c, id);
  d.alerts = store::list_management_alerts(c, "", "", id, 200);
  d.reports = store::list_health_reports(c, d.mc.person_id, now - 7 * q::kDayMs, 100);
  auto v = view_of(d.mc);
  const auto& s = management_settings();
  d.overdue = q::overdue(v, statuses(d.tests), s, now);
  d.next_deadline = q::next_deadline(v, s);
  for (auto st : q::next_states(v)) d.next_states.emplace_back(q::state_name(st));
  d.release = q::can_release(v, statuses(d.tests), now);
  d.reports_due = q::reports_due(v);
  return d;
}

Caller system_caller() {
  Caller system{{}, "local"};
  system.who.username = "epinet management";
  return system;
}

}  // namespace

// ---- settings

domain::quarantine::Settings management_settings_from(const Config& config) {
  q::Settings s;
  auto get = [&](const std::string& key) -> const std::string* {
    auto it = config.raw.find(key);
    return it == config.raw.end() ? nullptr : &it->second;
  };
  const std::pair<const char*, q::Measure> rows[] = {
      {"EPINET_MANAGE_CLOSE_CONTACT", q::Measure::kCloseContact},
      {"EPINET_MANAGE_SECONDARY_CONTACT", q::Measure::kSecondaryContact},
      {"EPINET_MANAGE_COMPANION", q::Measure::kCompanion},
      {"EPINET_MANAGE_HIGH_RISK_ARRIVAL", q::Measure::kHighRiskArrival},
      {"EPINET_MANAGE_MEDIUM_RISK_ARRIVAL", q::Measure::kMediumRiskArrival},
      {"EPINET_MANAGE_LOW_RISK_ARRIVAL", q::Measure::kLowRiskArrival}};
  for (const auto& [key, m] : rows)
    if (auto v = get(key)) s.rule(m) = q::parse_schedule_rule(key, *v);
  auto hours = [&](const char* key, int& out, int lo, int hi) {
    auto v = get(key);
    if (!v) return;
    try {
      size_t pos = 0;
      int n = std::stoi(*v, &pos);
      if (pos != v->size() || n < lo || n > hi) throw std::out_of_range(key);
      out = n;
    } catch (const std::exception&) {
      throw invalid("invalid_setting", std::string(key) + " must be a whole number from " + std::to_string(lo) + " to " +
                                           std::to_string(hi) + ", not '" + *v + "'");
    }
  };
  hours("EPINET_MANAGE_CONTROL_HOURS", s.control_hours, 1, 240);
  hours("EPINET_MANAGE_NOTIFY_HOURS", s.notify_hours, 1, 240);
  hours("EPINET_MANAGE_ADMIT_HOURS", s.admit_hours, 1, 240);
  hours("EPINET_MANAGE_STEP_GRACE_HOURS", s.step_grace_hours, 0, 240);
  hours("EPINET_MANAGE_TEST_GRACE_HOURS", s.test_grace_hours, 0, 240);
  hours("EPINET_HEALTH_REPORTS_PER_DAY", s.reports_per_day, 1, 24);
  hours("EPINET_HEALTH_REPORT_GRACE_HOURS", s.report_grace_hours, 0, 24);
  s.fever_threshold_c = config.fever_threshold_c;
  s.utc_offset_minutes = config.utc_offset_minutes;
  return s;
}

void configure_management(Runtime& rt) {
  auto s = management_settings_from(rt.config);
  std::lock_guard lock(g_mu);
  g_settings = s;
  g_runtime = &rt;
}

void forget_management_runtime(Runtime& rt) {
  std::lock_guard lock(g_mu);
  if (g_runtime == &rt) g_runtime = nullptr;
}

const domain::quarantine::Settings& management_settings() { return g_settings; }

// ---- enrollment

namespace {

// The measure of a valid enrollment (bad input throws).
q::Measure check_enrollment(const Enrollment& e, Millis now) {
  auto measure = q::parse_measure(e.measure);
  if (!measure) throw invalid("invalid_field", "measure '" + e.measure + "' is not a management measure");
  if (e.exposure_at <= 0 || e.exposure_at > now + 60000)
    throw invalid("invalid_field", "exposure_at must be a past time");
  return *measure;
}

using Districts = std::unordered_map<std::string, std::optional<int64_t>>;  // by division path

// A new case in its first state (not yet written).
store::ManagedCase new_case(store::Connection& c, const Caller& caller, const Enrollment& e, const q::Plan& plan,
                            const std::string& division_path, Millis now, Districts& districts) {
  store::ManagedCase m;
  m.person_id = e.person_id;
  m.measure = e.measure;
  m.place = std::string(q::place_name(plan.place));
  m.state = "identified";
  m.state_since = now;
  m.anchor_at = e.exposure_at;
  m.case_reported_at = e.case_reported_at;
  m.enrolled_at = now;
  m.quarantine_end = plan.quarantine_end;
  m.planned_end = plan.planned_end;
  m.source = e.source.empty() ? "manual" : e.source.substr(0, 200);
  m.note = e.note.substr(0, 2000);
  m.division_path = division_path;
  auto d = districts.find(division_path);
  if (d == districts.end()) d = districts.emplace(division_path, store::district_of(c, division_path)).first;
  m.district_id = d->second;
  m.created_by = caller.who.user_id;
  return m;
}

// One enrollment, read and written row by row: a person who may have a case.
int64_t enroll_row(store::Connection& c, const Caller& caller, const Enrollment& e, q::Measure measure, Millis now,
                   Districts& districts) {
  const auto& s = management_settings();
  const auto p = must_find_person(c, e.person_id);
  auto plan = q::plan(measure, e.exposure_at, s);
  auto existing = store::active_case_of_person(c, e.person_id);
  json::object detail = enrollment_detail(e);
  if (!existing) {
    store::ManagedCase m = new_case(c, caller, e, plan, p.division_path, now, districts);
    m.id = store::insert_managed_case(c, m, now);
    insert_plan_tests(c, m.id, plan);
    add_event(c, caller, m.id, "enroll", "", "identified", now, now, e.note, json::serialize(detail));
    sync_person(c, m, now);
    audit(c, caller, "management.enroll", "managed_case", std::to_string(m.id), json::serialize(detail));
    return m.id;
  }
  store::ManagedCase m = *existing;
  const auto old_measure = q::parse_measure(m.measure).value_or(q::Measure::kCloseContact);
  const bool stronger = q::strength(measure) > q::strength(old_measure);
  std::string kind = "reenroll";
  if (stronger) {
    // A stronger measure takes over, from the new anchor; ends never move earlier.
    kind = "upgrade";
    const std::string old_place = m.place;
    m.measure = e.measure;
    m.place = std::string(q::place_name(plan.place));
    m.anchor_at = e.exposure_at;
    if (m.place != old_place && m.state != "identified") {
      add_event(c, caller, m.id, "transition", m.state, "identified", now, now, "measure changed: steps start again");
      m.state = "identified";
      m.state_since = now;
    }
    store::delete_open_managed_tests(c, m.id);
    insert_plan_tests(c, m.id, plan);
  } else if (measure == old_measure && plan.planned_end > m.planned_end) {
    // A later exposure under the same measure restarts its clock.
    m.anchor_at = std::max(m.anchor_at, e.exposure_at);
    store::delete_open_managed_tests(c, m.id);
    insert_plan_tests(c, m.id, plan);
  }
  if (stronger || measure == old_measure) {
    m.quarantine_end = std::max(m.quarantine_end, plan.quarantine_end);
    m.planned_end = std::max(m.planned_end, plan.planned_end);
  }
  if (e.case_reported_at && (!m.case_reported_at || e.case_reported_at < m.case_reported_at))
    m.case_reported_at = e.case_reported_at;
  if (!e.note.empty() && m.note.find(e.note) == std::string::npos)
    m.note = (m.note.empty() ? e.note : m.note + "\n" + e.note).substr(0, 4000);
  store::update_managed_case(c, m, now);
  detail["kept_measure"] = m.measure;
  detail["planned_end"] = iso8601(m.planned_end);
  add_event(c, caller, m.id, kind, m.state, m.state, now, now, e.note, json::serialize(detail));
  sync_person(c, m, now);
  audit(c, caller, "management." + kind, "managed_case", std::to_string(m.id), json::serialize(detail));
  return m.id;
}

}  // namespace

std::vector<int64_t> enroll_managed(store::Connection& c, const Caller& caller, const std::vector<Enrollment>& in,
                                    Millis now) {
  const auto& s = management_settings();
  Districts districts;  // a tracing job enrolls many
  std::vector<int64_t> persons_named;
  std::vector<q::Measure> measures;
  persons_named.reserve(in.size());
  measures.reserve(in.size());
  for (const auto& e : in) {
    measures.push_back(check_enrollment(e, now));
    persons_named.push_back(e.person_id);
  }
  // A tracing job hands over tens of thousands: the persons and their cases
  // are read, and the new cases written, many rows a statement. Persons with
  // an active case (and a person named twice, the second time) go row by row.
  const auto persons = store::find_persons(c, persons_named);
  const auto active = store::active_cases_of_persons(c, persons_named);
  std::vector<int64_t> out(in.size());
  std::vector<size_t> fresh, later;
  std::vector<store::ManagedCase> cases;
  std::vector<q::Plan> plans;
  std::unordered_set<int64_t> named;
  for (size_t i = 0; i < in.size(); ++i) {
    const auto& e = in[i];
    auto p = persons.find(e.person_id);
    if (p == persons.end()) throw not_found("person");
    if (!named.insert(e.person_id).second || active.count(e.person_id)) {
      later.push_back(i);
      continue;
    }
    auto plan = q::plan(measures[i], e.exposure_at, s);
    fresh.push_back(i);
    cases.push_back(new_case(c, caller, e, plan, p->second.division_path, now, districts));
    plans.push_back(std::move(plan));
  }
  if (!cases.empty()) {
    store::insert_managed_cases(c, cases, now);
    std::vector<store::ManagedTest> tests;
    std::vector<store::ManagedEvent> events;
    std::vector<store::AuditEntry> audits;
    events.reserve(cases.size());
    audits.reserve(cases.size());
    for (size_t k = 0; k < cases.size(); ++k) {
      const auto& m = cases[k];
      const auto& e = in[fresh[k]];
      out[fresh[k]] = m.id;
      for (const auto& t : plans[k].tests) tests.push_back({0, m.id, t.phase, t.day, t.due_from, t.due_to});
      const std::string detail = json::serialize(enrollment_detail(e));
      events.push_back(event_of(caller, m.id, "enroll", "", "identified", now, now, e.note, detail));
      sync_person(c, m, persons.at(m.person_id).case_status, now);
      audits.push_back(audit_entry(caller, "management.enroll", "managed_case", std::to_string(m.id), detail));
    }
    store::insert_new_managed_tests(c, tests);
    store::insert_managed_events(c, events);
    store::append_audits(c, audits);
  }
  for (size_t i : later) out[i] = enroll_row(c, caller, in[i], measures[i], now, districts);
  return out;
}

CaseDetail enroll_one(Runtime& rt, const Caller& caller, const Enrollment& e) {
  Millis now = now_ms();
  CaseDetail d;
  rt.db.write([&](store::Connection& c) {
    const auto p = must_find_person(c, e.person_id);
    require_within(caller, {p.division_path, std::nullopt});
    auto ids = enroll_managed(c, caller, {e}, now);
    d = detail_of(c, ids.at(0), now);
  });
  return d;
}

// ---- reading

store::PageOf<CaseRow> list_managed(Runtime& rt, const Caller& caller, store::ManagedCaseFilter f, bool overdue_only,
                                    const store::Page& p) {
  if (caller.who.division_path.empty()) throw forbidden();
  f.within_path = caller.who.division_path;
  Millis now = now_ms();
  store::PageOf<CaseRow> out;
  rt.db.read([&](store::Connection& c) {
    if (overdue_only) {  // every case read (no cap), the page's kept
      each_case_overdue(c, f, now, [&](store::ManagedCase& m, std::vector<q::Deadline> od) {
        if (od.empty()) return;
        if (out.total >= p.offset() && out.total < p.offset() + p.page_size)
          out.items.push_back({std::move(m), std::move(od), std::nullopt});
        ++out.total;
      });
    } else {
      auto page = store::list_managed_cases(c, f, p);
      out.total = page.total;
      for (auto& m : page.items) {
        auto od = overdue_of(c, m, now);
        out.items.push_back({std::move(m), std::move(od), std::nullopt});
      }
    }
  });
  for (auto& r : out.items) r.next_deadline = q::next_deadline(view_of(r.mc), management_settings());
  // Audited before anything is answered, in a write of its own: the overdue filter reads every case.
  rt.db.write([&](store::Connection& c) {
    audit(c, caller, "managed_case.list", "managed_case", "",
          json::serialize(json::object{{"count", static_cast<int64_t>(out.items.size())}, {"state", f.state},
                                       {"overdue_only", overdue_only}}));
  });
  return out;
}

CaseDetail get_managed(Runtime& rt, const Caller& caller, int64_t id) {
  Millis now = now_ms();
  CaseDetail d;
  rt.db.write([&](store::Connection& c) {
    auto m = must_find_case(c, id);
    require_within(caller, scope_of_case(m));
    d = detail_of(c, id, now);
    audit(c, caller, "managed_case.read", "person", std::to_string(m.person_id),
          json::serialize(json::object{{"case_id", id}}));
  });
  return d;
}

// ---- steps

CaseDetail transition(Runtime& rt, const Caller& caller, int64_t id, const std::string& to, const std::string& note,
                      const std::optional<std::string>& site, std::optional<Millis> at) {
  auto target = q::parse_state(to);
  if (!target) throw invalid("invalid_field", "to must be one of identified, notified, transferred, quarantined, monitoring, released, became_case");
  Millis now = now_ms();
  Millis when = at.value_or(now);
  if (when > now + 60000) throw invalid("invalid_field", "at cannot be in the future");
  CaseDetail d;
  rt.db.write([&](store::Connection& c) {
    auto m = must_find_case(c, id);
    require_within(caller, scope_of_case(m));
    if (when < m.state_since) throw invalid("invalid_field", "at is before the current state began");
    auto tests = store::list_managed_tests(c, id);
    q::check_transition(view_of(m), *target, statuses(tests), when);
    const std::string from = m.state;
    m.state = std::string(q::state_name(*target));
    m.state_since = when;
    if (site) m.site = site->substr(0, 300);
    store::update_managed_case(c, m, now);
    json::object detail{{"from", from}, {"to", m.state}, {"at", iso8601(when)}};
    if (site) detail["site"] = *site;
    add_event(c, caller, id, "transition", from, m.state, when, now, note, json::serialize(detail));
    store::close_case_alerts(c, id, "overdue_step", "step recorded: " + m.state, now);
    if (!q::is_active(*target)) {
      store::close_case_alerts(c, id, "missing_report", "management ended", now);
      store::close_case_alerts(c, id, "overdue_test", "management ended", now);
    }
    sync_person(c, m, now);
    audit(c, caller, "management.transition", "managed_case", std::to_string(id), json::serialize(detail));
    d = detail_of(c, id, now);
  });
  return d;
}

CaseDetail extend_managed(Runtime& rt, const Caller& caller, int64_t id, int days, const std::string& reason) {
  if (reason.size() < 2) throw invalid("missing_field", "an extension needs a reason");
  Millis now = now_ms();
  CaseDetail d;
  rt.db.write([&](store::Connection& c) {
    auto m = must_find_case(c, id);
    require_within(caller, scope_of_case(m));
    auto ends = q::extend(view_of(m), days);
    q::refuse_shortening(m.planned_end, ends.planned_end);
    const Millis moved_q = ends.quarantine_end - m.quarantine_end;
    json::object detail{{"days", days},
                        {"planned_end_from", iso8601(m.planned_end)},
                        {"planned_end_to", iso8601(ends.planned_end)},
                        {"reason", reason}};
    m.quarantine_end = ends.quarantine_end;
    m.planned_end = ends.planned_end;
    if (moved_q > 0) store::shift_open_managed_tests(c, id, "monitoring", moved_q);
    store::update_managed_case(c, m, now);
    add_event(c, caller, id, "extend", m.state, m.state, now, now, reason, json::serialize(detail));
    sync_person(c, m, now);
    audit(c, caller, "management.extend", "managed_case", std::to_string(id), json::serialize(detail));
    d = detail_of(c, id, now);
  });
  return d;
}

bool apply_test_to_management(store::Connection& c, const Caller& caller, const store::NucleicTest& t, Millis now) {
  auto m = store::active_case_of_person(c, t.person_id);
  if (!m || t.sampled_at < q::local_day_start(m->anchor_at, management_settings().utc_offset_minutes)) return false;
  if (t.result == "positive") {
    const std::string from = m->state;
    m->state = "became_case";
    m->state_since = now;
    store::update_managed_case(c, *m, now);
    for (const auto& mt : store::list_managed_tests(c, m->id))
      if ((mt.result.empty() || mt.result == "pending") && t.sampled_at >= mt.due_from && t.sampled_at < mt.due_to)
        store::set_managed_test_result(c, mt.id, "positive", t.id, t.sampled_at, now);
    json::object detail{{"test_id", t.id}, {"sampled_at", iso8601(t.sampled_at)}};
    add_event(c, caller, m->id, "transition", from, "became_case", now, now, "positive nucleic acid test",
              json::serialize(detail));
    store::close_case_alerts(c, m->id, "overdue_step", "became a case", now);
    store::close_case_alerts(c, m->id, "overdue_test", "became a case", now);
    store::close_case_alerts(c, m->id, "missing_report", "became a case", now);
    sync_person(c, *m, now);
    audit(c, caller, "management.became_case", "managed_case", std::to_string(m->id), json::serialize(detail));
    return true;
  }
  for (const auto& mt : store::list_managed_tests(c, m->id)) {
    if (!(mt.result.empty() || (mt.result == "pending" && t.result == "negative"))) continue;
    if (t.sampled_at < mt.due_from || t.sampled_at >= mt.due_to) continue;
    if (mt.test_id && *mt.test_id == t.id && mt.result == t.result) continue;
    store::set_managed_test_result(c, mt.id, t.result, t.id, t.sampled_at, now);
    add_event(c, caller, m->id, "test", m->state, m->state, t.sampled_at, now, mt.phase + " day " + std::to_string(mt.day),
              json::serialize(json::object{{"result", t.result}, {"test_id", t.id}}));
    store::close_case_alerts(c, m->id, "overdue_test", "test recorded", now);
  }
  return false;
}

CaseDetail record_managed_test(Runtime& rt, const Caller& caller, int64_t id, Millis sampled_at, const std::string& result) {
  if (result != "negative" && result != "positive" && result != "pending")
    throw invalid("invalid_field", "result must be pending, negative or positive");
  Millis now = now_ms();
  if (sampled_at > now + 60000) throw invalid("invalid_field", "sampled_at is in the future");
  CaseDetail d;
  int64_t person = 0;
  rt.db.write([&](store::Connection& c) {
    auto m = must_find_case(c, id);
    require_within(caller, scope_of_case(m));
    if (!q::is_active(q::parse_state(m.state).value_or(q::State::kReleased)))
      throw conflict("closed", "this management has ended");
    person = m.person_id;
    store::NucleicTest t;
    t.person_id = m.person_id;
    t.sampled_at = sampled_at;
    t.result = result;
    if (result != "pending") t.result_at = now;
    t.id = store::insert_test(c, t, now);
    audit(c, caller, "test.create", "person", std::to_string(m.person_id),
          json::serialize(json::object{{"result", result}, {"sampled_at", iso8601(sampled_at)}, {"case_id", id}}));
    apply_test_to_management(c, caller, t, now);
    d = detail_of(c, id, now);
  });
  rt.note_state_change(person, now);
  return d;
}

// ---- board

Board management_board(Runtime& rt, const Caller& caller) {
  if (caller.who.division_path.empty()) throw forbidden();
  Millis now = now_ms();
  Board b;
  // The most overdue first: by the earliest deadline missed, then by case.
  auto key = [](const CaseRow& r) {
    Millis first = std::numeric_limits<Millis>::max();
    for (const auto& d : r.overdue) first = std::min(first, d.due_at);
    return std::pair{first, r.mc.id};
  };
  auto later = [&](const CaseRow& x, const CaseRow& y) { return key(x) < key(y); };  // a max-heap on the key
  rt.db.read([&](store::Connection& c) {
    b.counts = store::count_cases_by_state_district(c, caller.who.division_path);
    store::ManagedCaseFilter f;
    f.within_path = caller.who.division_path;
    each_case_overdue(c, f, now, [&](store::ManagedCase& m, std::vector<q::Deadline> od) {
      ++b.active;
      if (od.empty()) return;
      ++b.overdue_total;
      CaseRow row{std::move(m), std::move(od), std::nullopt};
      if (b.overdue.size() == kBoardOverdue && !later(row, b.overdue.front())) return;
      b.overdue.push_back(std::move(row));
      std::push_heap(b.overdue.begin(), b.overdue.end(), later);
      if (b.overdue.size() > kBoardOverdue) {
        std::pop_heap(b.overdue.begin(), b.overdue.end(), later);
        b.overdue.pop_back();
      }
    });
    b.open_alerts = store::count_management_alerts(c, "open", caller.who.division_path);
    b.trace_review = store::trace_jobs_in_review(c);
  });
  std::sort_heap(b.overdue.begin(), b.overdue.end(), later);
  for (auto& r : b.overdue) r.next_deadline = q::next_deadline(view_of(r.mc), management_settings());
  // Audited in a write of its own: reading every case of a city takes a while and holds no write lock.
  rt.db.write([&](store::Connection& c) {
    audit(c, caller, "management.board", "managed_case", "",
          json::serialize(
              json::object{{"overdue", b.overdue_total}, {"listed", static_cast<int64_t>(b.overdue.size())}}));
  });
  return b;
}

// ---- to-dos

store::PageOf<store::ManagementAlert> list_todos(Runtime& rt, const Caller& caller, const std::string& status,
                                                 const std::string& kind, const store::Page& p) {
  if (caller.who.division_path.empty()) throw forbidden();
  if (!status.empty() && status != "open" && status != "closed") throw invalid("invalid_query", "status must be open or closed");
  if (!kind.empty() && kind != "fever" && kind != "missing_report" && kind != "overdue_step" && kind != "overdue_test")
    throw invalid("invalid_query", "kind must be fever, missing_report, overdue_step or overdue_test");
  // Computed on read as well as by the jobs thread: on the first page (reading every case of a city takes
  // seconds; the pages after it are the same list).
  if (p.page == 1) sweep_management(rt, now_ms(), caller.who.division_path);
  store::PageOf<store::ManagementAlert> out;
  rt.db.read(
      [&](store::Connection& c) { out = store::page_management_alerts(c, status, kind, caller.who.division_path, p); });
  rt.db.write([&](store::Connection& c) {
    audit(c, caller, "management.todos", "management_alert", "",
          json::serialize(json::object{{"count", static_cast<int64_t>(out.items.size())},
                                       {"total", out.total},
                                       {"page", p.page},
                                       {"kind", kind}}));
  });
  return out;
}

store::ManagementAlert close_todo(Runtime& rt, const Caller& caller, int64_t id, const std::string& note) {
  if (note.size() < 2) throw invalid("missing_field", "say what was done (note)");
  Millis now = now_ms();
  store::ManagementAlert out;
  rt.db.write([&](store::Connection& c) {
    auto a = store::find_management_alert(c, id);
    if (!a) throw not_found("to-do");
    require_within(caller, {a->division_path, std::nullopt});
    if (a->status != "open") throw conflict("closed", "this to-do is closed already");
    store::close_management_alert(c, id, caller.who.user_id, note.substr(0, 1000), now);
    add_event(c, caller, a->case_id, "todo", a->state, a->state, now, now, note,
              json::serialize(json::object{{"alert_id", id}, {"kind", a->kind}}));
    audit(c, caller, "management.todo.close", "management_alert", std::to_string(id),
          json::serialize(json::object{{"note", note}}));
    out = *store::find_management_alert(c, id);
  });
  return out;
}

namespace {

// Whether a recorded nucleic test waits to be linked to one of the case's open scheduled days.
bool tests_to_link(store::Connection& c, const store::ManagedCase& m) {
  const Millis from = q::local_day_start(m.anchor_at, management_settings().utc_offset_minutes);
  auto open = store::list_managed_tests(c, m.id);
  std::erase_if(open, [](const store::ManagedTest& t) { return !t.result.empty() && t.result != "pending"; });
  if (open.empty()) return false;
  for (const auto& nt : store::list_tests(c, m.person_id, 200)) {
    if (nt.sampled_at < from) continue;
    if (nt.result == "positive") return true;
    for (const auto& t : open)
      if (nt.sampled_at >= t.due_from && nt.sampled_at < t.due_to && nt.result != t.result &&
          (t.result.empty() || nt.result == "negative"))
        return true;
  }
  return false;
}

// One case's sweep. With write = false it only counts what it would change
// (run in a read, so that an idle sweep never takes the write lock).
int sweep_case(store::Connection& c, const Caller& system, int64_t id, Millis now, bool write) {
  const auto& s = management_settings();
  auto m = store::find_managed_case(c, id);
  if (!m || !q::is_active(q::parse_state(m->state).value_or(q::State::kReleased))) return 0;
  int changes = 0;
  if (tests_to_link(c, *m)) {
    if (!write) return 1;
    if (reconcile_tests(c, system, *m, now)) return 1;
    m = store::find_managed_case(c, id);
  }
  auto add = [&](const std::string& kind, const std::string& key, Millis due, const std::string& detail) {
    if (store::has_management_alert(c, m->id, kind, key)) return;
    ++changes;
    if (!write) return;
    store::ManagementAlert a;
    a.case_id = m->id;
    a.person_id = m->person_id;
    a.kind = kind;
    a.akey = key;
    a.opened_at = now;
    a.due_at = due;
    a.detail = detail;
    a.division_path = m->division_path;
    if (auto aid = store::insert_management_alert_once(c, a))
      audit(c, system, "management.alert", "managed_case", std::to_string(m->id),
            json::serialize(json::object{{"kind", kind}, {"key", key}, {"alert_id", *aid}}));
  };
  for (const auto& d : overdue_of(c, *m, now))
    add(d.step == "test" ? "overdue_test" : "overdue_step", d.step == "test" ? d.detail : m->state + ":" + d.step,
        d.due_at, d.detail);
  if (q::reports_due(view_of(*m))) {
    const Millis since = std::max(m->state_since, now - 2 * q::kDayMs);
    for (const auto& slot : q::owed_slots(since, now, s))
      if (store::count_health_reports(c, m->person_id, slot.from, slot.to) == 0)
        add("missing_report", iso8601(slot.from), slot.to + s.report_grace_hours * q::kHour,
            "no health report between " + iso8601(slot.from) + " and " + iso8601(slot.to));
  }
  return changes;
}

}  // namespace

int sweep_management(Runtime& rt, Millis now, const std::string& within_path) {
  const Caller system = system_caller();
  int opened = 0;
  std::vector<int64_t> ids, dirty;
  rt.db.read([&](store::Connection& c) {
    store::ManagedCaseFilter f;
    f.within_path = within_path;
    each_case_batch(c, f, [&](const std::vector<store::ManagedCase>& batch) {
      for (const auto& m : batch) ids.push_back(m.id);
    });
    for (int64_t id : ids)
      if (sweep_case(c, system, id, now, false) > 0) dirty.push_back(id);
  });
  for (int64_t id : dirty) rt.db.write([&](store::Connection& c) { opened += sweep_case(c, system, id, now, true); });
  return opened;
}

// ---- daily health reports

namespace {

ReportResult submit_report(Runtime& rt, const Caller& caller, int64_t person_id, std::optional<int64_t> case_id,
                           const ReportInput& in, bool by_worker) {
  if (!(in.temperature_c >= 34.0 && in.temperature_c <= 43.0))
    throw invalid("invalid_field", "temperature_c must be a body temperature from 34.0 to 43.0 °C");
  std::vector<std::string> symptoms;
  for (const auto& x : in.symptoms) {
    const auto& codes = q::symptom_codes();
    if (std::find(codes.begin(), codes.end(), x) == codes.end()) throw invalid("invalid_field", "unknown symptom '" + x + "'");
    if (std::find(symptoms.begin(), symptoms.end(), x) == symptoms.end()) symptoms.push_back(x);
  }
  const auto& s = management_settings();
  Millis now = now_ms();
  ReportResult out;
  rt.db.write([&](store::Connection& c) {
    const auto p = must_find_person(c, person_id);
    std::optional<store::ManagedCase> m =
        case_id ? store::find_managed_case(c, *case_id) : store::active_case_of_person(c, person_id);
    if (case_id && (!m || m->person_id != person_id)) throw not_found("managed case");
    if (by_worker) require_within(caller, m ? scope_of_case(*m) : domain::Scope{p.division_path, std::nullopt});
    if (!m || !q::is_active(q::parse_state(m->state).value_or(q::State::kReleased)))
      throw conflict("not_managed", "this person is not under management: no daily report is needed");
    store::HealthReport r;
    r.person_id = person_id;
    r.case_id = m->id;
    r.reported_at = now;
    r.temperature_c = std::round(in.temperature_c * 10) / 10;
    json::array sj;
    for (const auto& x : symptoms) sj.emplace_back(x);
    r.symptoms_json = json::serialize(sj);
    r.fever = q::is_fever(r.temperature_c, symptoms, s);
    r.reporter_id = caller.who.user_id;
    r.by_worker = by_worker;
    r.division_path = m->division_path;
    r.district_id = m->district_id;
    std::optional<int64_t> venue;
    if (r.fever) {
      venue = store::hospital_for(c, m->district_id);
      if (venue) {
        r.handover_venue_id = venue;
        r.handover_id = rt.ids.next(now);
      }
    }
    r.id = store::insert_health_report(c, r);
    if (r.fever) {
      if (venue) {
        store::FeverHandover h;
        h.id = *r.handover_id;
        h.venue_id = *venue;
        h.checkin_id = r.id;  // the report stands in for the check-in
        h.person_id = person_id;
        h.temperature_c = r.temperature_c;
        h.opened_at = now;
        store::insert_handover(c, h);
        out.handover_id = h.id;
      }
      store::ManagementAlert a;
      a.case_id = m->id;
      a.person_id = person_id;
      a.kind = "fever";
      a.akey = "report:" + std::to_string(r.id);
      a.opened_at = now;
      a.detail = json::serialize(json::object{{"temperature_c", r.temperature_c}, {"symptoms", sj}, {"report_id", r.id},
                                              {"handover_id", out.handover_id ? json::value(std::to_string(*out.handover_id))
                                                                              : json::value(nullptr)}});
      a.division_path = m->division_path;
      out.alert_id = store::insert_management_alert_once(c, a);
      add_event(c, caller, m->id, "report", m->state, m->state, now, now, "fever or symptoms reported", a.detail);
    }
    out.report = r;
    out.report.person_name = p.name;
    audit(c, caller, "health_report.create", "person", std::to_string(person_id),
          json::serialize(json::object{{"report_id", r.id}, {"fever", r.fever}, {"by_worker", by_worker}}));
  });
  if (out.handover_id) rt.note_state_change(person_id, now);
  return out;
}

}  // namespace

ReportResult report_for_case(Runtime& rt, const Caller& caller, int64_t case_id, const ReportInput& in) {
  int64_t person = 0;
  rt.db.read([&](store::Connection& c) { person = must_find_case(c, case_id).person_id; });
  return submit_report(rt, caller, person, case_id, in, true);
}

ReportResult report_as_resident(Runtime& rt, const Caller& caller, std::optional<int64_t> person_id, const ReportInput& in) {
  int64_t person = resident_person(rt, caller, person_id);
  return submit_report(rt, caller, person, std::nullopt, in, false);
}

std::vector<ResidentReportView> resident_reports(Runtime& rt, const Caller& caller) {
  int64_t self = resident_person(rt, caller, std::nullopt);
  Millis now = now_ms();
  const auto& s = management_settings();
  std::vector<ResidentReportView> out;
  rt.db.write([&](store::Connection& c) {
    const auto me = must_find_person(c, self);
    store::PersonFilter f;
    f.household_id = me.household_id;
    auto members = store::list_persons(c, f, {1, 50}).items;
    std::stable_partition(members.begin(), members.end(), [&](const store::Person& p) { return p.id == self; });
    const Millis today = q::local_day_start(now, s.utc_offset_minutes);
    for (auto& p : members) {
      ResidentReportView v;
      v.mc = store::active_case_of_person(c, p.id);
      v.must_report = v.mc && q::reports_due(view_of(*v.mc));
      v.reports = store::list_health_reports(c, p.id, now - 3 * q::kDayMs, 20);
      v.reports_today = static_cast<int>(store::count_health_reports(c, p.id, today, today + q::kDayMs));
      v.person = std::move(p);
      out.push_back(std::move(v));
    }
    audit(c, caller, "health_report.read_own", "person", std::to_string(self));
  });
  return out;
}

int seed_management_demo(store::Connection& c, Millis now) {
  if (!store::managed_cases_after(c, {}, 0, 1).empty()) return 0;
  Caller system{{}, "local"};
  system.who.username = "epinet seed-demo";
  struct Demo {
    const char* name;
    const char* measure;
    int exposure_hours_ago;
    std::vector<std::pair<const char*, const char*>> steps;  // (state, site)
    const char* note;
  };
  const Demo demos[] = {
      {"郑海", "close_contact", 40, {{"notified", ""}, {"transferred", "榆次区集中隔离点 A 栋"}, {"quarantined", "榆次区集中隔离点 A 栋"}},
       "与确诊病例同一餐馆用餐 45 分钟"},
      {"孙丽", "secondary_contact", 30, {{"notified", ""}, {"quarantined", ""}}, "密接郑海的同事"},
      {"林涛", "companion", 6, {}, "与病例同一超市，时段重叠"},
  };
  int created = 0;
  for (const auto& d : demos) {
    store::PersonFilter f;
    f.q = d.name;
    auto found = store::list_persons(c, f, {1, 1}).items;
    if (found.empty()) continue;
    Enrollment e;
    e.person_id = found[0].id;
    e.measure = d.measure;
    e.exposure_at = now - d.exposure_hours_ago * q::kHour;
    e.case_reported_at = e.exposure_at + 4 * q::kHour;
    e.source = "demo";
    e.note = d.note;
    int64_t id = enroll_managed(c, system, {e}, now).at(0);
    for (const auto& [state, site] : d.steps) {
      auto m = must_find_case(c, id);
      m.state = state;
      m.state_since = now;
      if (*site) m.site = site;
      store::update_managed_case(c, m, now);
      add_event(c, system, id, "transition", "", state, now, now, "demo");
      sync_person(c, m, now);
    }
    ++created;
  }
  return created;
}

std::vector<store::FeverReportCount> fever_reports_by_district_day(store::Connection& c, Millis from, Millis to) {
  return store::fever_reports_by_district_day(c, from, to, management_settings().utc_offset_minutes);
}

}  // namespace epinet::service
