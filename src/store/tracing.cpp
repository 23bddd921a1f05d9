#include "store/tracing.h"

#include <limits>
#include <sstream>
#include <unordered_map>

namespace epinet::store {
namespace tr = domain::tracing;

// ---- the ledger ---------------------------------------------------------------

// Page by page along the key: the row-value comparison is a range of the
// primary key on both databases (PostgreSQL does not turn the equivalent ORs
// into one, and would read every earlier page again for each page).
const char* const kScanStaysSql =
    "SELECT venue_id, at, id, person_id, t_out FROM checkins WHERE (venue_id, at, id) > (?, ?, ?) AND at >= ? AND "
    "direction = 'in' AND decision = 'pass' AND person_id IS NOT NULL ORDER BY venue_id, at, id LIMIT ?";

void scan_stays(Connection& c, Millis since, const std::function<void(const TraceStay&)>& fn, int64_t page) {
  int64_t venue = std::numeric_limits<int64_t>::min(), at = std::numeric_limits<int64_t>::min(), id = 0;
  for (;;) {
    auto r = c.query(kScanStaysSql, {venue, at, id, since, page});
    for (const auto& row : r.rows) fn(TraceStay{as_int(row[3]), as_int(row[0]), as_int(row[1]), as_opt_int(row[4])});
    if (static_cast<int64_t>(r.rows.size()) < page) return;
    const auto& last = r.rows.back();
    venue = as_int(last[0]);
    at = as_int(last[1]);
    id = as_int(last[2]);
  }
}

void scan_venue_types(Connection& c, const std::function<void(int64_t, const std::string&)>& fn) {
  for (const auto& row : c.query("SELECT id, type FROM venues").rows) fn(as_int(row[0]), as_text(row[1]));
}

void scan_households(Connection& c, const std::function<void(int64_t, int64_t)>& fn, int64_t page) {
  int64_t after = 0;
  for (;;) {
    auto r = c.query("SELECT id, household_id FROM persons WHERE id > ? ORDER BY id LIMIT ?", {after, page});
    for (const auto& row : r.rows) fn(as_int(row[0]), as_int(row[1]));
    if (static_cast<int64_t>(r.rows.size()) < page) return;
    after = as_int(r.rows.back()[0]);
  }
}

void scan_trips(Connection& c, Millis since, const std::function<void(const tr::TripInfo&)>& trip,
                const std::function<void(const tr::SeatInfo&)>& seat) {
  for (const auto& row : c.query("SELECT id, vehicle, departure, arrival FROM trips WHERE departure >= ? ORDER BY id",
                                 {since})
                             .rows)
    trip(tr::TripInfo{as_int(row[0]), as_text(row[1]), as_int(row[2]), as_int(row[3])});
  for (const auto& row :
       c.query("SELECT s.trip_id, s.person_id, s.seat_row, s.seat_col, s.crew FROM trip_seats s JOIN trips t ON t.id = "
               "s.trip_id WHERE t.departure >= ? ORDER BY s.trip_id, s.person_id",
               {since})
           .rows)
    seat(tr::SeatInfo{as_int(row[0]), as_int(row[1]), static_cast<int>(as_int(row[2])),
                      static_cast<int>(as_int(row[3])), as_int(row[4]) != 0});
}

// ---- trips --------------------------------------------------------------------

int64_t upsert_trip(Connection& c, const TripRow& t, Millis now) {
  auto r = c.query("SELECT id FROM trips WHERE trip_code = ? AND departure = ?", {t.trip_code, t.departure});
  if (!r.empty()) {
    int64_t id = as_int(r.rows[0][0]);
    c.query("UPDATE trips SET vehicle = ?, route = ?, arrival = ?, from_venue_id = ?, to_venue_id = ? WHERE id = ?",
            {t.vehicle, t.route, t.arrival, opt(t.from_venue_id), opt(t.to_venue_id), id});
    return id;
  }
  auto ins = c.query(
      "INSERT INTO trips (trip_code, vehicle, route, departure, arrival, from_venue_id, to_venue_id, source, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, 'import', ?) RETURNING id",
      {t.trip_code, t.vehicle, t.route, t.departure, t.arrival, opt(t.from_venue_id), opt(t.to_venue_id), now});
  return as_int(ins.rows[0][0]);
}

void upsert_seat(Connection& c, int64_t trip_id, int64_t person_id, int row, int col, bool crew) {
  c.query("DELETE FROM trip_seats WHERE trip_id = ? AND person_id = ?", {trip_id, person_id});
  c.query("INSERT INTO trip_seats (trip_id, person_id, seat_row, seat_col, crew) VALUES (?, ?, ?, ?, ?)",
          {trip_id, person_id, int64_t{row}, int64_t{col}, int64_t{crew ? 1 : 0}});
}

int64_t purge_trips(Connection& c, Millis before) {
  c.query("DELETE FROM trip_seats WHERE trip_id IN (SELECT id FROM trips WHERE departure < ?)", {before});
  return c.query("DELETE FROM trips WHERE departure < ?", {before}).affected;
}

// ---- index cases --------------------------------------------------------------

tr::CaseCourse case_course(Connection& c, int64_t person_id) {
  tr::CaseCourse k;
  auto t = c.query("SELECT MIN(sampled_at) FROM nucleic_tests WHERE person_id = ? AND result = 'positive'", {person_id});
  if (!t.empty()) k.first_positive = as_opt_int(t.rows[0][0]);
  k.isolated_at = control_time(c, person_id);
  return k;
}

std::optional<Millis> control_time(Connection& c, int64_t person_id) {
  auto r = c.query("SELECT case_status, manage_status, state_changed_at FROM persons WHERE id = ?", {person_id});
  if (r.empty()) return std::nullopt;
  const auto& row = r.rows[0];
  if (as_text(row[0]) == "none" && as_text(row[1]) == "none") return std::nullopt;
  return as_int(row[2]);
}

// ---- the SQL reference query ----------------------------------------------------

namespace {

std::string quote(const std::string& s) {
  std::string o = "'";
  for (char ch : s) {
    if (ch == '\'') o += '\'';
    o += ch;
  }
  return o + "'";
}

struct Sql {
  bool pg;
  std::string mx(const std::string& a, const std::string& b) const {
    return (pg ? "GREATEST(" : "MAX(") + a + ", " + b + ")";
  }
  std::string mn(const std::string& a, const std::string& b) const {
    return (pg ? "LEAST(" : "MIN(") + a + ", " + b + ")";
  }
};

}  // namespace

void SqlContactSource::exposures(int64_t person, Millis from, Millis to, const tr::Rules& rules,
                                 std::vector<tr::Exposure>& out) const {
  if (from > to) return;
  const Sql q{c_.dialect() == Dialect::kPostgres};
  const std::string P = std::to_string(person), F = std::to_string(from), T = std::to_string(to),
                    B = std::to_string(rules.buffer), D = std::to_string(tr::kLongestStay);
  // An entry without an exit lasts its venue type's default; no stay is longer than a day.
  std::string len = std::to_string(std::min(rules.default_stay, tr::kLongestStay));
  if (!rules.default_stay_by_type.empty()) {
    std::string by_type = "CASE v.type";
    for (const auto& [type, ms] : rules.default_stay_by_type)
      by_type += " WHEN " + quote(type) + " THEN " + std::to_string(std::min(ms, tr::kLongestStay));
    len = by_type + " ELSE " + len + " END";
  }
  auto end = [&](const std::string& k) {
    return q.mx(k + ".at", q.mn("COALESCE(" + k + ".t_out, " + k + ".at + " + len + ")", k + ".at + " + D));
  };
  std::string close_type = "1";
  if (!rules.close_venue_types.empty()) {
    close_type = "CASE WHEN x.type IN (";
    for (size_t i = 0; i < rules.close_venue_types.size(); ++i)
      close_type += (i ? ", " : "") + quote(rules.close_venue_types[i]);
    close_type += ") THEN 1 ELSE 0 END";
  }
  const std::string lo = q.mx("x.cin", "x.a - " + B), hi = q.mn("x.cout", "x.b + " + B);
  const std::string venue_sql =
      "SELECT x.cp, x.venue_id, " + lo + " AS f, " + hi + " AS t, " +
      q.mx("0", q.mn("x.cout", "x.b") + " - " + q.mx("x.cin", "x.a")) + " AS ov, CASE WHEN " + close_type +
      " = 1 AND " + hi + " - " + lo + " >= " + std::to_string(rules.min_overlap) +
      " THEN 1 ELSE 0 END AS close, x.a, x.cin FROM (SELECT c.person_id AS cp, i.venue_id AS venue_id, v.type AS type, " +
      q.mx("i.at", F) + " AS a, " + q.mn(end("i"), T) + " AS b, c.at AS cin, " + end("c") +
      " AS cout FROM checkins i JOIN venues v ON v.id = i.venue_id JOIN checkins c ON c.venue_id = i.venue_id AND c.at "
      "<= " + q.mn(end("i"), T) + " + " + B + " AND c.at >= " + q.mx("i.at", F) + " - " + B + " - " + D +
      " WHERE i.person_id = " + P + " AND i.direction = 'in' AND i.decision = 'pass' AND i.at <= " + T + " AND " +
      end("i") + " >= " + F + " AND c.direction = 'in' AND c.decision = 'pass' AND c.person_id IS NOT NULL AND " +
      "c.person_id <> " + P + ") x WHERE " + lo + " <= " + hi;
  for (const auto& row : c_.query(venue_sql).rows) {
    tr::Exposure e;
    e.person_id = as_int(row[0]);
    e.via = person;
    e.setting = tr::Setting::kVenue;
    e.place_id = as_int(row[1]);
    e.from = as_int(row[2]);
    e.to = as_int(row[3]);
    e.overlap = as_int(row[4]);
    e.kind = as_int(row[5]) == 1 ? tr::ContactKind::kClose : tr::ContactKind::kCompanion;
    e.via_from = as_int(row[6]);
    e.contact_in = as_int(row[7]);
    out.push_back(e);
  }

  const std::string S = std::to_string(rules.row_span);
  const std::string trip_sql =
      "SELECT o.person_id, t.id, t.departure, t.arrival, o.seat_row, o.seat_col FROM trip_seats m JOIN trips t ON t.id "
      "= m.trip_id JOIN trip_seats o ON o.trip_id = m.trip_id AND o.person_id <> m.person_id WHERE m.person_id = " +
      P + " AND t.departure <= " + T + " AND t.arrival >= " + F + " AND (o.crew = 1 OR (m.crew = 1 AND o.seat_row <= " +
      S + ") OR (m.crew = 0 AND o.seat_row >= m.seat_row - " + S + " AND o.seat_row <= m.seat_row + " + S + "))";
  for (const auto& row : c_.query(trip_sql).rows) {
    tr::Exposure e;
    e.person_id = as_int(row[0]);
    e.via = person;
    e.setting = tr::Setting::kTrip;
    e.place_id = as_int(row[1]);
    e.from = as_int(row[2]);
    e.to = as_int(row[3]);
    e.overlap = e.to - e.from;
    e.seat_row = static_cast<int>(as_int(row[4]));
    e.seat_col = static_cast<int>(as_int(row[5]));
    e.via_from = e.contact_in = e.from;
    out.push_back(e);
  }

  for (const auto& row : c_.query("SELECT o.id, o.household_id FROM persons p JOIN persons o ON o.household_id = "
                                  "p.household_id AND o.id <> p.id WHERE p.id = " + P)
                             .rows) {
    tr::Exposure e;
    e.person_id = as_int(row[0]);
    e.via = person;
    e.setting = tr::Setting::kHousehold;
    e.place_id = as_int(row[1]);
    e.from = from;
    e.to = to;
    e.overlap = to - from;
    e.via_from = from;
    out.push_back(e);
  }
}

// ---- jobs ------------------------------------------------------------------------

namespace {

const char* kJobSelect =
    "SELECT id, status, progress, index_cases, rules_version, rules, engine, close_count, secondary_count, "
    "companion_count, enrolled_count, error, created_by, created_by_name, created_at, started_at, finished_at, "
    "elapsed_ms, reported_at, review_above, decision, handover_kinds, decision_note, decided_by, decided_by_name, "
    "decided_at FROM tracing_jobs";

TraceJob job_from(const std::vector<Value>& r) {
  TraceJob j;
  j.id = as_int(r[0]);
  j.status = as_text(r[1]);
  j.progress = as_double(r[2]);
  j.index_cases_json = as_text(r[3]);
  j.rules_version = as_text(r[4]);
  j.rules_json = as_text(r[5]);
  j.engine = as_text(r[6]);
  j.close_count = as_int(r[7]);
  j.secondary_count = as_int(r[8]);
  j.companion_count = as_int(r[9]);
  j.enrolled_count = as_int(r[10]);
  j.error = as_text(r[11]);
  j.created_by = as_opt_int(r[12]);
  j.created_by_name = as_text(r[13]);
  j.created_at = as_int(r[14]);
  j.started_at = as_opt_int(r[15]);
  j.finished_at = as_opt_int(r[16]);
  j.elapsed_ms = as_opt_int(r[17]);
  j.reported_at = as_opt_int(r[18]);
  j.review_above = as_opt_int(r[19]);
  j.decision = as_text(r[20]);
  j.handover_kinds = as_text(r[21]);
  j.decision_note = as_text(r[22]);
  j.decided_by = as_opt_int(r[23]);
  j.decided_by_name = as_text(r[24]);
  j.decided_at = as_opt_int(r[25]);
  return j;
}

}  // namespace

int64_t insert_trace_job(Connection& c, const TraceJob& j) {
  auto r = c.query(
      "INSERT INTO tracing_jobs (status, progress, index_cases, rules_version, rules, engine, created_by, "
      "created_by_name, created_at, reported_at) VALUES (?, 0, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {j.status, j.index_cases_json, j.rules_version, j.rules_json, j.engine, opt(j.created_by), j.created_by_name,
       j.created_at, opt(j.reported_at)});
  return as_int(r.rows[0][0]);
}

std::optional<TraceJob> find_trace_job(Connection& c, int64_t id) {
  auto r = c.query(std::string(kJobSelect) + " WHERE id = ?", {id});
  if (r.empty()) return std::nullopt;
  return job_from(r.rows[0]);
}

PageOf<TraceJob> list_trace_jobs(Connection& c, const Page& p) {
  PageOf<TraceJob> out;
  out.total = as_int(c.query("SELECT COUNT(*) FROM tracing_jobs").rows[0][0]);
  for (const auto& row :
       c.query(std::string(kJobSelect) + " ORDER BY id DESC LIMIT ? OFFSET ?", {p.page_size, p.offset()}).rows)
    out.items.push_back(job_from(row));
  return out;
}

void set_trace_job_running(Connection& c, int64_t id, Millis at) {
  c.query("UPDATE tracing_jobs SET status = 'running', started_at = ? WHERE id = ?", {at, id});
}

void set_trace_job_progress(Connection& c, int64_t id, double progress) {
  c.query("UPDATE tracing_jobs SET progress = ? WHERE id = ?", {progress, id});
}

void finish_trace_job(Connection& c, const TraceJob& j) {
  c.query(
      "UPDATE tracing_jobs SET status = ?, progress = ?, close_count = ?, secondary_count = ?, companion_count = ?, "
      "enrolled_count = ?, error = ?, finished_at = ?, elapsed_ms = ?, reported_at = ?, review_above = ? WHERE id = ?",
      {j.status, j.progress, j.close_count, j.secondary_count, j.companion_count, j.enrolled_count,
       null_if_empty(j.error), opt(j.finished_at), opt(j.elapsed_ms), opt(j.reported_at), opt(j.review_above), j.id});
}

bool decide_trace_job(Connection& c, const TraceJob& j) {
  return c.query(
              "UPDATE tracing_jobs SET status = ?, progress = ?, decision = ?, handover_kinds = ?, "
              "decision_note = ?, decided_by = ?, decided_by_name = ?, decided_at = ? "
              "WHERE id = ? AND status = 'review'",
              {j.status, j.progress, j.decision, null_if_empty(j.handover_kinds), null_if_empty(j.decision_note),
               opt(j.decided_by), j.decided_by_name, opt(j.decided_at), j.id})
             .affected == 1;
}

int64_t fail_unfinished_trace_jobs(Connection& c, Millis at) {
  return c
      .query(
          "UPDATE tracing_jobs SET status = 'failed', error = 'interrupted: the server stopped', finished_at = ? "
          "WHERE status = 'queued' OR (status = 'running' AND decision IS NULL)",
          {at})
      .affected;
}

JobsInReview trace_jobs_in_review(Connection& c) {
  auto r = c.query(
      "SELECT COUNT(*), COALESCE(SUM(close_count + secondary_count + companion_count), 0) FROM tracing_jobs "
      "WHERE status = 'review'");
  return {as_int(r.rows[0][0]), as_int(r.rows[0][1])};
}

std::vector<int64_t> trace_jobs_handing_over(Connection& c) {
  std::vector<int64_t> ids;
  for (const auto& row :
       c.query("SELECT id FROM tracing_jobs WHERE status = 'running' AND decision = 'handover' ORDER BY id").rows)
    ids.push_back(as_int(row[0]));
  return ids;
}

void insert_trace_contacts(Connection& c, const std::vector<TraceContactRow>& rows) {
  std::vector<Value> v;
  v.reserve(rows.size() * 9);
  for (const auto& x : rows)
    for (Value y : {Value{x.job_id}, Value{x.person_id}, Value{x.kind}, Value{x.first_exposure}, Value{x.last_exposure},
                    Value{x.via_person_id}, Value{x.setting}, Value{x.place_id}, Value{x.evidence_json}})
      v.push_back(std::move(y));
  insert_rows(c,
              "INSERT INTO tracing_contacts (job_id, person_id, kind, first_exposure, last_exposure, via_person_id, "
              "setting, place_id, evidence) VALUES ",
              "(?, ?, ?, ?, ?, ?, ?, ?, ?)", "", 9, v);
}

void fill_contact_people(Connection& c, std::vector<TraceContactRow>& rows) {
  std::unordered_map<int64_t, std::vector<size_t>> at;
  for (size_t i = 0; i < rows.size(); ++i) at[rows[i].person_id].push_back(i);
  std::vector<int64_t> ids;
  for (const auto& [id, v] : at) ids.push_back(id);
  for (size_t from = 0; from < ids.size(); from += 500) {
    std::string sql =
        "SELECT p.id, p.name, p.id_masked, p.division_path, d.name, p.manage_status FROM persons p JOIN divisions d ON "
        "d.id = p.division_id WHERE p.id IN (";
    std::vector<Value> params;
    params.reserve(500);
    for (size_t i = from; i < ids.size() && i < from + 500; ++i) {
      sql += i == from ? "?" : ", ?";
      params.emplace_back(ids[i]);
    }
    for (const auto& r : c.query(sql + ")", params).rows)
      for (size_t i : at[as_int(r[0])]) {
        rows[i].name = as_text(r[1]);
        rows[i].id_masked = as_text(r[2]);
        rows[i].division_path = as_text(r[3]);
        rows[i].division_name = as_text(r[4]);
        rows[i].manage_status = as_text(r[5]);
      }
  }
}

namespace {

constexpr std::string_view kContactColumns =
    "SELECT t.job_id, t.person_id, t.kind, t.first_exposure, t.last_exposure, t.via_person_id, t.setting, "
    "t.place_id, t.evidence, p.name, p.id_masked, p.division_path, d.name, p.manage_status FROM tracing_contacts t "
    "JOIN persons p ON p.id = t.person_id JOIN divisions d ON d.id = p.division_id WHERE t.job_id = ?";
constexpr std::string_view kContactOrder =
    " ORDER BY CASE t.kind WHEN 'close' THEN 0 WHEN 'secondary' THEN 1 ELSE 2 END, t.person_id";

// The filter's conditions on t (tracing_contacts) and p (persons), after "t.job_id = ?".
std::string contact_where(int64_t job_id, const TraceContactFilter& f, std::vector<Value>& params) {
  std::string sql;
  params.emplace_back(job_id);
  if (!f.kind.empty()) {
    sql += " AND t.kind = ?";
    params.emplace_back(f.kind);
  }
  if (f.via) {
    sql += " AND t.via_person_id = ?";
    params.emplace_back(*f.via);
  }
  if (f.person_id) {
    sql += " AND t.person_id = ?";
    params.emplace_back(*f.person_id);
  }
  if (!f.within_path.empty()) {
    sql += " AND p.division_path LIKE ? ESCAPE '\\'";
    params.emplace_back(prefix_pattern(f.within_path));
  }
  if (!f.name.empty()) {
    sql += " AND p.name LIKE ? ESCAPE '\\'";
    params.emplace_back(prefix_pattern(f.name));
  }
  return sql;
}

TraceContactRow contact_row(const std::vector<Value>& r) {
  TraceContactRow x;
  x.job_id = as_int(r[0]);
  x.person_id = as_int(r[1]);
  x.kind = as_text(r[2]);
  x.first_exposure = as_int(r[3]);
  x.last_exposure = as_int(r[4]);
  x.via_person_id = as_int(r[5]);
  x.setting = as_text(r[6]);
  x.place_id = as_int(r[7]);
  x.evidence_json = as_text(r[8]);
  x.name = as_text(r[9]);
  x.id_masked = as_text(r[10]);
  x.division_path = as_text(r[11]);
  x.division_name = as_text(r[12]);
  x.manage_status = as_text(r[13]);
  return x;
}

}  // namespace

std::vector<TraceContactRow> list_trace_contacts(Connection& c, int64_t job_id, const TraceContactFilter& f) {
  std::vector<Value> params;
  const std::string where = contact_where(job_id, f, params);
  std::vector<TraceContactRow> out;
  for (const auto& r : c.query(std::string(kContactColumns) + where + std::string(kContactOrder), params).rows)
    out.push_back(contact_row(r));
  return out;
}

PageOf<TraceContactRow> page_trace_contacts(Connection& c, int64_t job_id, const TraceContactFilter& f, const Page& p) {
  std::vector<Value> params;
  const std::string where = contact_where(job_id, f, params);
  PageOf<TraceContactRow> out;
  const std::string from = " FROM tracing_contacts t JOIN persons p ON p.id = t.person_id WHERE t.job_id = ?" + where;
  out.total = as_int(c.query("SELECT COUNT(*)" + from, params).rows[0][0]);
  if (out.total <= p.offset()) return out;
  // The page's persons first, ordered on the narrow columns; then their rows,
  // evidence included (a large job's evidence runs to tens of megabytes).
  std::vector<int64_t> ids;
  params.emplace_back(p.page_size);
  params.emplace_back(p.offset());
  for (const auto& r :
       c.query("SELECT t.person_id" + from + std::string(kContactOrder) + " LIMIT ? OFFSET ?", params).rows)
    ids.push_back(as_int(r[0]));
  if (ids.empty()) return out;
  std::string sql = std::string(kContactColumns) + " AND t.person_id IN (";
  std::vector<Value> q{job_id};
  for (size_t i = 0; i < ids.size(); ++i) {
    sql += i ? ", ?" : "?";
    q.emplace_back(ids[i]);
  }
  std::unordered_map<int64_t, TraceContactRow> rows;
  for (const auto& r : c.query(sql + ")", q).rows) {
    auto x = contact_row(r);
    rows.emplace(x.person_id, std::move(x));
  }
  for (int64_t id : ids)
    if (auto it = rows.find(id); it != rows.end()) out.items.push_back(std::move(it->second));
  return out;
}

std::vector<TraceContactRow> trace_contacts_after(Connection& c, int64_t job_id, const std::string& kind,
                                                  int64_t after_person, int64_t limit) {
  std::vector<TraceContactRow> out;
  for (const auto& r : c.query("SELECT person_id, first_exposure, last_exposure, via_person_id, setting, place_id "
                               "FROM tracing_contacts WHERE job_id = ? AND kind = ? AND person_id > ? "
                               "ORDER BY person_id LIMIT ?",
                               {job_id, kind, after_person, limit})
                           .rows) {
    TraceContactRow x;
    x.job_id = job_id;
    x.person_id = as_int(r[0]);
    x.kind = kind;
    x.first_exposure = as_int(r[1]);
    x.last_exposure = as_int(r[2]);
    x.via_person_id = as_int(r[3]);
    x.setting = as_text(r[4]);
    x.place_id = as_int(r[5]);
    out.push_back(std::move(x));
  }
  return out;
}

}  // namespace epinet::store
