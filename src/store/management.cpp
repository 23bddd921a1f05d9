#include "store/management.h"

#include <sstream>

namespace epinet::store {
namespace {

const char* kCaseSelect =
    "SELECT m.id, m.person_id, m.measure, m.place, m.state, m.state_since, m.anchor_at, m.case_reported_at, "
    "m.enrolled_at, m.quarantine_end, m.planned_end, m.source, m.note, m.site, m.division_path, m.district_id, "
    "m.created_by, m.updated_at, p.name, p.phone, d.name FROM managed_cases m JOIN persons p ON p.id = m.person_id "
    "LEFT JOIN divisions d ON d.id = m.district_id";

ManagedCase case_from(const std::vector<Value>& r) {
  ManagedCase m;
  m.id = as_int(r[0]);
  m.person_id = as_int(r[1]);
  m.measure = as_text(r[2]);
  m.place = as_text(r[3]);
  m.state = as_text(r[4]);
  m.state_since = as_int(r[5]);
  m.anchor_at = as_int(r[6]);
  m.case_reported_at = as_int(r[7]);
  m.enrolled_at = as_int(r[8]);
  m.quarantine_end = as_int(r[9]);
  m.planned_end = as_int(r[10]);
  m.source = as_text(r[11]);
  m.note = as_text(r[12]);
  m.site = as_text(r[13]);
  m.division_path = as_text(r[14]);
  m.district_id = as_opt_int(r[15]);
  m.created_by = as_int(r[16]);
  m.updated_at = as_int(r[17]);
  m.person_name = as_text(r[18]);
  m.person_phone = as_text(r[19]);
  m.district_name = as_text(r[20]);
  return m;
}

std::string case_where(const ManagedCaseFilter& f, std::vector<Value>& params) {
  params.reserve(12);
  std::string where = " WHERE 1 = 1";
  if (f.state == "active") {
    where += " AND m.state NOT IN ('released', 'became_case')";
  } else if (!f.state.empty()) {
    where += " AND m.state = ?";
    params.push_back(f.state);
  }
  if (!f.measure.empty()) {
    where += " AND m.measure = ?";
    params.push_back(f.measure);
  }
  if (f.district_id) {
    where += " AND m.district_id = ?";
    params.push_back(*f.district_id);
  }
  if (f.person_id) {
    where += " AND m.person_id = ?";
    params.push_back(*f.person_id);
  }
  if (!f.within_path.empty()) {
    where += " AND m.division_path LIKE ? ESCAPE '\\'";
    params.push_back(prefix_pattern(f.within_path));
  }
  if (!f.q.empty()) {
    where += " AND p.name LIKE ? ESCAPE '\\'";
    params.push_back(prefix_pattern(f.q));
  }
  return where;
}

const char* kAlertSelect =
    "SELECT a.id, a.case_id, a.person_id, a.kind, a.akey, a.opened_at, a.due_at, a.status, a.closed_at, a.closed_by, "
    "a.note, a.detail, a.division_path, p.name, m.measure, m.state FROM management_alerts a "
    "JOIN managed_cases m ON m.id = a.case_id JOIN persons p ON p.id = a.person_id";

ManagementAlert alert_from(const std::vector<Value>& r) {
  ManagementAlert a;
  a.id = as_int(r[0]);
  a.case_id = as_int(r[1]);
  a.person_id = as_int(r[2]);
  a.kind = as_text(r[3]);
  a.akey = as_text(r[4]);
  a.opened_at = as_int(r[5]);
  a.due_at = as_opt_int(r[6]);
  a.status = as_text(r[7]);
  a.closed_at = as_opt_int(r[8]);
  a.closed_by = as_opt_int(r[9]);
  a.note = as_text(r[10]);
  a.detail = as_text(r[11]);
  a.division_path = as_text(r[12]);
  a.person_name = as_text(r[13]);
  a.measure = as_text(r[14]);
  a.state = as_text(r[15]);
  return a;
}

}  // namespace

int64_t insert_managed_case(Connection& c, const ManagedCase& m, Millis now) {
  auto r = c.query(
      "INSERT INTO managed_cases (person_id, measure, place, state, state_since, anchor_at, case_reported_at, "
      "enrolled_at, quarantine_end, planned_end, source, note, site, division_path, district_id, created_by, "
      "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {m.person_id, m.measure, m.place, m.state, m.state_since, m.anchor_at,
       m.case_reported_at > 0 ? Value{m.case_reported_at} : Value{}, m.enrolled_at, m.quarantine_end, m.planned_end,
       m.source, m.note, m.site, m.division_path, opt(m.district_id), m.created_by, now, now});
  return as_int(r.rows[0][0]);
}

void insert_managed_cases(Connection& c, std::vector<ManagedCase>& ms, Millis now) {
  std::vector<Value> v;
  v.reserve(ms.size() * 18);
  for (const auto& m : ms)
    for (Value x :
         {Value{m.person_id}, Value{m.measure}, Value{m.place}, Value{m.state}, Value{m.state_since},
          Value{m.anchor_at}, m.case_reported_at > 0 ? Value{m.case_reported_at} : Value{}, Value{m.enrolled_at},
          Value{m.quarantine_end}, Value{m.planned_end}, Value{m.source}, Value{m.note}, Value{m.site},
          Value{m.division_path}, opt(m.district_id), Value{m.created_by}, Value{now}, Value{now}})
      v.push_back(std::move(x));
  std::unordered_map<int64_t, int64_t> id_of;  // person → new case (RETURNING's order is not promised)
  for (const auto& r :
       insert_rows(c,
                   "INSERT INTO managed_cases (person_id, measure, place, state, state_since, anchor_at, "
                   "case_reported_at, enrolled_at, quarantine_end, planned_end, source, note, site, "
                   "division_path, district_id, created_by, created_at, updated_at) VALUES ",
                   "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", " RETURNING id, person_id", 18, v))
    id_of[as_int(r[1])] = as_int(r[0]);
  for (auto& m : ms) m.id = id_of.at(m.person_id);
}

std::optional<ManagedCase> find_managed_case(Connection& c, int64_t id) {
  auto r = c.query(std::string(kCaseSelect) + " WHERE m.id = ?", {id});
  if (r.empty()) return std::nullopt;
  return case_from(r.rows[0]);
}

std::optional<ManagedCase> active_case_of_person(Connection& c, int64_t person_id) {
  auto r = c.query(std::string(kCaseSelect) +
                       " WHERE m.person_id = ? AND m.state NOT IN ('released', 'became_case') ORDER BY m.id DESC LIMIT 1",
                   {person_id});
  if (r.empty()) return std::nullopt;
  return case_from(r.rows[0]);
}

std::unordered_map<int64_t, ManagedCase> active_cases_of_persons(Connection& c,
                                                                 const std::vector<int64_t>& person_ids) {
  std::unordered_map<int64_t, ManagedCase> out;
  for (const auto& r : query_in(c, std::string(kCaseSelect) + " WHERE m.person_id IN ",
                                " AND m.state NOT IN ('released', 'became_case')", {}, person_ids)) {
    auto m = case_from(r);
    auto it = out.find(m.person_id);
    if (it == out.end())
      out.emplace(m.person_id, std::move(m));
    else if (m.id > it->second.id)  // the newest, as active_case_of_person
      it->second = std::move(m);
  }
  return out;
}

void update_managed_case(Connection& c, const ManagedCase& m, Millis now) {
  c.query(
      "UPDATE managed_cases SET measure = ?, place = ?, state = ?, state_since = ?, anchor_at = ?, case_reported_at = ?, "
      "quarantine_end = ?, planned_end = ?, note = ?, site = ?, updated_at = ? WHERE id = ?",
      {m.measure, m.place, m.state, m.state_since, m.anchor_at,
       m.case_reported_at > 0 ? Value{m.case_reported_at} : Value{}, m.quarantine_end, m.planned_end, m.note, m.site,
       now, m.id});
}

PageOf<ManagedCase> list_managed_cases(Connection& c, const ManagedCaseFilter& f, const Page& pg) {
  std::vector<Value> params;
  std::string where = case_where(f, params);
  PageOf<ManagedCase> out;
  out.total = as_int(
      c.query("SELECT COUNT(*) FROM managed_cases m JOIN persons p ON p.id = m.person_id" + where, params).rows[0][0]);
  params.emplace_back(std::in_place_type<int64_t>, pg.page_size);
  params.emplace_back(std::in_place_type<int64_t>, pg.offset());
  for (const auto& row : c.query(std::string(kCaseSelect) + where + " ORDER BY m.id DESC LIMIT ? OFFSET ?", params).rows)
    out.items.push_back(case_from(row));
  return out;
}

std::vector<ManagedCase> managed_cases_after(Connection& c, const ManagedCaseFilter& f, int64_t after_id,
                                             int64_t limit) {
  std::vector<Value> params;
  std::string where = case_where(f, params) + " AND m.id > ?";
  params.emplace_back(std::in_place_type<int64_t>, after_id);
  params.emplace_back(std::in_place_type<int64_t>, limit);
  std::vector<ManagedCase> out;
  for (const auto& row : c.query(std::string(kCaseSelect) + where + " ORDER BY m.id LIMIT ?", params).rows)
    out.push_back(case_from(row));
  return out;
}

void insert_managed_event(Connection& c, const ManagedEvent& e) {
  c.query(
      "INSERT INTO managed_events (case_id, at, recorded_at, kind, from_state, to_state, actor_id, actor, note, detail) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {e.case_id, e.at, e.recorded_at, e.kind, null_if_empty(e.from_state), null_if_empty(e.to_state), e.actor_id,
       e.actor, e.note, e.detail});
}

void insert_managed_events(Connection& c, const std::vector<ManagedEvent>& es) {
  std::vector<Value> v;
  v.reserve(es.size() * 10);
  for (const auto& e : es)
    for (Value x : {Value{e.case_id}, Value{e.at}, Value{e.recorded_at}, Value{e.kind}, null_if_empty(e.from_state),
                    null_if_empty(e.to_state), Value{e.actor_id}, Value{e.actor}, Value{e.note}, Value{e.detail}})
      v.push_back(std::move(x));
  insert_rows(
      c,
      "INSERT INTO managed_events (case_id, at, recorded_at, kind, from_state, to_state, actor_id, actor, note, "
      "detail) VALUES ",
      "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "", 10, v);
}

std::vector<ManagedEvent> list_managed_events(Connection& c, int64_t case_id) {
  std::vector<ManagedEvent> out;
  auto r = c.query(
      "SELECT id, case_id, at, recorded_at, kind, from_state, to_state, actor_id, actor, note, detail FROM "
      "managed_events WHERE case_id = ? ORDER BY at, id",
      {case_id});
  for (const auto& x : r.rows)
    out.push_back({as_int(x[0]), as_int(x[1]), as_int(x[2]), as_int(x[3]), as_text(x[4]), as_text(x[5]), as_text(x[6]),
                   as_int(x[7]), as_text(x[8]), as_text(x[9]), as_text(x[10])});
  return out;
}

void insert_managed_test(Connection& c, const ManagedTest& t) {
  if (!c.query("SELECT 1 FROM managed_tests WHERE case_id = ? AND phase = ? AND day = ?",
               {t.case_id, t.phase, int64_t{t.day}})
           .empty())
    return;
  c.query("INSERT INTO managed_tests (case_id, phase, day, due_from, due_to, result) VALUES (?, ?, ?, ?, ?, '')",
          {t.case_id, t.phase, int64_t{t.day}, t.due_from, t.due_to});
}

void insert_new_managed_tests(Connection& c, const std::vector<ManagedTest>& ts) {
  std::vector<Value> v;
  v.reserve(ts.size() * 5);
  for (const auto& t : ts)
    for (Value x : {Value{t.case_id}, Value{t.phase}, Value{int64_t{t.day}}, Value{t.due_from}, Value{t.due_to}})
      v.push_back(std::move(x));
  insert_rows(c, "INSERT INTO managed_tests (case_id, phase, day, due_from, due_to, result) VALUES ",
              "(?, ?, ?, ?, ?, '')", "", 5, v);
}

namespace {
constexpr std::string_view kTestSelect =
    "SELECT id, case_id, phase, day, due_from, due_to, result, test_id, sampled_at, done_at FROM managed_tests";
ManagedTest test_from(const std::vector<Value>& x) {
  return {as_int(x[0]),     as_int(x[1]),    as_text(x[2]), static_cast<int>(as_int(x[3])),
          as_int(x[4]),     as_int(x[5]),    as_text(x[6]), as_opt_int(x[7]),
          as_opt_int(x[8]), as_opt_int(x[9])};
}
}  // namespace

std::vector<ManagedTest> list_managed_tests(Connection& c, int64_t case_id) {
  std::vector<ManagedTest> out;
  for (const auto& x :
       c.query(std::string(kTestSelect) + " WHERE case_id = ? ORDER BY due_from, phase", {case_id}).rows)
    out.push_back(test_from(x));
  return out;
}

std::unordered_map<int64_t, std::vector<ManagedTest>> list_managed_tests_of(Connection& c,
                                                                            const std::vector<int64_t>& case_ids) {
  std::unordered_map<int64_t, std::vector<ManagedTest>> out;
  for (const auto& x :
       query_in(c, std::string(kTestSelect) + " WHERE case_id IN ", " ORDER BY due_from, phase", {}, case_ids)) {
    auto t = test_from(x);
    out[t.case_id].push_back(std::move(t));
  }
  return out;
}

void set_managed_test_result(Connection& c, int64_t id, const std::string& result, int64_t test_id, Millis sampled_at,
                             Millis done_at) {
  c.query("UPDATE managed_tests SET result = ?, test_id = ?, sampled_at = ?, done_at = ? WHERE id = ?",
          {result, test_id, sampled_at, done_at, id});
}

void delete_open_managed_tests(Connection& c, int64_t case_id) {
  c.query("DELETE FROM managed_tests WHERE case_id = ? AND result IN ('', 'pending')", {case_id});
}

void shift_open_managed_tests(Connection& c, int64_t case_id, const std::string& phase, Millis by) {
  c.query(
      "UPDATE managed_tests SET due_from = due_from + ?, due_to = due_to + ? WHERE case_id = ? AND phase = ? AND "
      "result IN ('', 'pending')",
      {by, by, case_id, phase});
}

int64_t insert_health_report(Connection& c, const HealthReport& h) {
  auto r = c.query(
      "INSERT INTO health_reports (person_id, case_id, reported_at, temperature_c, symptoms, fever, reporter_id, "
      "by_worker, handover_venue_id, handover_id, division_path, district_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
      "?) RETURNING id",
      {h.person_id, opt(h.case_id), h.reported_at, h.temperature_c, h.symptoms_json, int64_t{h.fever ? 1 : 0},
       h.reporter_id, int64_t{h.by_worker ? 1 : 0}, opt(h.handover_venue_id), opt(h.handover_id), h.division_path,
       opt(h.district_id)});
  return as_int(r.rows[0][0]);
}

std::vector<HealthReport> list_health_reports(Connection& c, int64_t person_id, Millis since, int64_t limit) {
  std::vector<HealthReport> out;
  auto r = c.query(
      "SELECT h.id, h.person_id, h.case_id, h.reported_at, h.temperature_c, h.symptoms, h.fever, h.reporter_id, "
      "h.by_worker, h.handover_venue_id, h.handover_id, h.division_path, h.district_id, p.name FROM health_reports h "
      "JOIN persons p ON p.id = h.person_id WHERE h.person_id = ? AND h.reported_at >= ? ORDER BY h.reported_at DESC "
      "LIMIT ?",
      {person_id, since, limit});
  for (const auto& x : r.rows) {
    HealthReport h;
    h.id = as_int(x[0]);
    h.person_id = as_int(x[1]);
    h.case_id = as_opt_int(x[2]);
    h.reported_at = as_int(x[3]);
    h.temperature_c = as_double(x[4]);
    h.symptoms_json = as_text(x[5]);
    h.fever = as_int(x[6]) != 0;
    h.reporter_id = as_int(x[7]);
    h.by_worker = as_int(x[8]) != 0;
    h.handover_venue_id = as_opt_int(x[9]);
    h.handover_id = as_opt_int(x[10]);
    h.division_path = as_text(x[11]);
    h.district_id = as_opt_int(x[12]);
    h.person_name = as_text(x[13]);
    out.push_back(std::move(h));
  }
  return out;
}

int64_t count_health_reports(Connection& c, int64_t person_id, Millis from, Millis to) {
  return as_int(c.query("SELECT COUNT(*) FROM health_reports WHERE person_id = ? AND reported_at >= ? AND reported_at < ?",
                        {person_id, from, to})
                    .rows[0][0]);
}

bool has_management_alert(Connection& c, int64_t case_id, const std::string& kind, const std::string& akey) {
  return !c.query("SELECT 1 FROM management_alerts WHERE case_id = ? AND kind = ? AND akey = ?", {case_id, kind, akey}).empty();
}

std::optional<int64_t> insert_management_alert_once(Connection& c, const ManagementAlert& a) {
  if (has_management_alert(c, a.case_id, a.kind, a.akey)) return std::nullopt;
  auto r = c.query(
      "INSERT INTO management_alerts (case_id, person_id, kind, akey, opened_at, due_at, status, note, detail, "
      "division_path) VALUES (?, ?, ?, ?, ?, ?, 'open', '', ?, ?) RETURNING id",
      {a.case_id, a.person_id, a.kind, a.akey, a.opened_at, opt(a.due_at), a.detail, a.division_path});
  return as_int(r.rows[0][0]);
}

std::optional<ManagementAlert> find_management_alert(Connection& c, int64_t id) {
  auto r = c.query(std::string(kAlertSelect) + " WHERE a.id = ?", {id});
  if (r.empty()) return std::nullopt;
  return alert_from(r.rows[0]);
}

namespace {
// " WHERE …" over management_alerts a: the status and kind ("" any) and the path ("" anywhere).
std::string alert_where(const std::string& status, const std::string& within_path, std::vector<Value>& params,
                        const std::string& kind = "") {
  std::string sql = " WHERE 1 = 1";
  if (!status.empty()) {
    sql += " AND a.status = ?";
    params.push_back(status);
  }
  if (!kind.empty()) {
    sql += " AND a.kind = ?";
    params.push_back(kind);
  }
  if (!within_path.empty()) {
    sql += " AND a.division_path LIKE ? ESCAPE '\\'";
    params.push_back(prefix_pattern(within_path));
  }
  return sql;
}
}  // namespace

std::vector<ManagementAlert> list_management_alerts(Connection& c, const std::string& status,
                                                    const std::string& within_path, std::optional<int64_t> case_id,
                                                    int64_t limit) {
  std::vector<Value> params;
  std::string sql = std::string(kAlertSelect) + alert_where(status, within_path, params);
  if (case_id) {
    sql += " AND a.case_id = ?";
    params.push_back(*case_id);
  }
  sql += " ORDER BY a.opened_at DESC, a.id DESC LIMIT ?";
  params.emplace_back(std::in_place_type<int64_t>, limit);
  std::vector<ManagementAlert> out;
  for (const auto& row : c.query(sql, params).rows) out.push_back(alert_from(row));
  return out;
}

PageOf<ManagementAlert> page_management_alerts(Connection& c, const std::string& status, const std::string& kind,
                                               const std::string& within_path, const Page& p) {
  std::vector<Value> params;
  const std::string where = alert_where(status, within_path, params, kind);
  PageOf<ManagementAlert> out;
  out.total = as_int(c.query("SELECT COUNT(*) FROM management_alerts a" + where, params).rows[0][0]);
  params.emplace_back(std::in_place_type<int64_t>, p.page_size);
  params.emplace_back(std::in_place_type<int64_t>, p.offset());
  for (const auto& row :
       c.query(std::string(kAlertSelect) + where + " ORDER BY a.opened_at DESC, a.id DESC LIMIT ? OFFSET ?", params)
           .rows)
    out.items.push_back(alert_from(row));
  return out;
}

int64_t count_management_alerts(Connection& c, const std::string& status, const std::string& within_path) {
  std::vector<Value> params;
  const std::string where = alert_where(status, within_path, params);
  return as_int(c.query("SELECT COUNT(*) FROM management_alerts a" + where, params).rows[0][0]);
}

void close_management_alert(Connection& c, int64_t id, int64_t by, const std::string& note, Millis now) {
  c.query("UPDATE management_alerts SET status = 'closed', closed_at = ?, closed_by = ?, note = ? WHERE id = ?",
          {now, by, note, id});
}

void close_case_alerts(Connection& c, int64_t case_id, const std::string& kind, const std::string& note, Millis now) {
  c.query(
      "UPDATE management_alerts SET status = 'closed', closed_at = ?, note = ? WHERE case_id = ? AND kind = ? AND "
      "status = 'open'",
      {now, note, case_id, kind});
}

std::vector<StateCount> count_cases_by_state_district(Connection& c, const std::string& within_path) {
  std::string sql =
      "SELECT m.state, m.district_id, d.name, COUNT(*) FROM managed_cases m LEFT JOIN divisions d ON d.id = "
      "m.district_id";
  std::vector<Value> params;
  if (!within_path.empty()) {
    sql += " WHERE m.division_path LIKE ? ESCAPE '\\'";
    params.push_back(prefix_pattern(within_path));
  }
  sql += " GROUP BY m.state, m.district_id, d.name ORDER BY m.district_id, m.state";
  std::vector<StateCount> out;
  for (const auto& r : c.query(sql, params).rows) out.push_back({as_text(r[0]), as_opt_int(r[1]), as_text(r[2]), as_int(r[3])});
  return out;
}

std::optional<int64_t> district_of(Connection& c, const std::string& division_path) {
  // '/1/3/17/': the ids from the root down.
  std::vector<Value> ids;
  ids.reserve(16);
  std::string placeholders;
  std::stringstream in(division_path);
  for (std::string part; std::getline(in, part, '/');) {
    if (part.empty()) continue;
    try {
      ids.emplace_back(std::in_place_type<int64_t>, std::stoll(part));
    } catch (const std::exception&) {
      return std::nullopt;
    }
    placeholders += placeholders.empty() ? "?" : ", ?";
  }
  if (ids.empty()) return std::nullopt;
  auto r = c.query("SELECT id FROM divisions WHERE level = 'district' AND id IN (" + placeholders + ") LIMIT 1", ids);
  if (r.empty()) return std::nullopt;
  return as_int(r.rows[0][0]);
}

std::optional<int64_t> hospital_for(Connection& c, std::optional<int64_t> district_id) {
  if (district_id) {
    auto d = c.query("SELECT path FROM divisions WHERE id = ?", {*district_id});
    if (!d.empty()) {
      auto r = c.query(
          "SELECT id FROM venues WHERE type = 'hospital' AND division_path LIKE ? ESCAPE '\\' ORDER BY COALESCE(capacity, 0) DESC, id "
          "LIMIT 1",
          {prefix_pattern(as_text(d.rows[0][0]))});
      if (!r.empty()) return as_int(r.rows[0][0]);
    }
  }
  auto r = c.query("SELECT id FROM venues WHERE type = 'hospital' ORDER BY id LIMIT 1");
  if (r.empty()) return std::nullopt;
  return as_int(r.rows[0][0]);
}

std::vector<FeverReportCount> fever_reports_by_district_day(Connection& c, Millis from, Millis to, int utc_offset_minutes) {
  const int64_t off = utc_offset_minutes * 60000LL, day = 86400000LL;
  auto r = c.query(
      "SELECT h.district_id, d.code, d.name, (h.reported_at + ?) / ? AS dn, COUNT(*) FROM health_reports h "
      "LEFT JOIN divisions d ON d.id = h.district_id WHERE h.fever = 1 AND h.reported_at >= ? AND h.reported_at < ? "
      "GROUP BY 1, 2, 3, 4 ORDER BY 4, 1",
      {off, day, from, to});
  std::vector<FeverReportCount> out;
  for (const auto& x : r.rows)
    out.push_back({as_opt_int(x[0]), as_text(x[1]), as_text(x[2]), as_int(x[3]) * day - off, as_int(x[4])});
  return out;
}

}  // namespace epinet::store
