#include "store/people.h"

#include "core/error.h"

namespace epinet::store {
namespace {

const char* kPersonSelect =
    "SELECT p.id, p.id_hash, p.id_enc, p.id_masked, p.name, p.phone, p.division_id, p.division_path, "
    "d.name AS division_name, p.household_id, p.case_status, p.manage_status, p.manage_until, p.state_changed_at, "
    "p.created_at FROM persons p JOIN divisions d ON d.id = p.division_id";

Person person_from(const std::vector<Value>& r) {
  Person p;
  p.id = as_int(r[0]);
  p.id_hash = as_text(r[1]);
  p.id_enc = as_text(r[2]);
  p.id_masked = as_text(r[3]);
  p.name = as_text(r[4]);
  p.phone = as_text(r[5]);
  p.division_id = as_int(r[6]);
  p.division_path = as_text(r[7]);
  p.division_name = as_text(r[8]);
  p.household_id = as_int(r[9]);
  p.case_status = as_text(r[10]);
  p.manage_status = as_text(r[11]);
  p.manage_until = as_opt_int(r[12]);
  p.state_changed_at = as_int(r[13]);
  p.created_at = as_int(r[14]);
  return p;
}

const char* kRiskSelect =
    "SELECT id, division_code, division_name, area_name, level, level_since, came_from_high, effective_from, "
    "effective_until, last_infection_at, screen_negative_at, decided_by FROM risk_areas";

RiskArea risk_from(const std::vector<Value>& r) {
  RiskArea a;
  a.id = as_int(r[0]);
  a.division_code = as_text(r[1]);
  a.division_name = as_text(r[2]);
  a.area_name = as_text(r[3]);
  a.level = as_text(r[4]);
  a.level_since = as_int(r[5]);
  a.came_from_high = as_int(r[6]) != 0;
  a.effective_from = as_int(r[7]);
  a.effective_until = as_opt_int(r[8]);
  a.last_infection_at = as_int(r[9]);
  a.screen_negative_at = as_opt_int(r[10]);
  a.decided_by = as_text(r[11]);
  return a;
}

const char* kCheckinSelect =
    "SELECT id, venue_id, entrance, direction, person_id, at, t_out, decision, color, reasons, temperature_c, mask, "
    "channel, rule_set_version, staff_id FROM checkins";

Checkin checkin_from(const std::vector<Value>& r) {
  Checkin k;
  k.id = as_int(r[0]);
  k.venue_id = as_int(r[1]);
  k.entrance = as_text(r[2]);
  k.direction = as_text(r[3]);
  k.person_id = as_opt_int(r[4]);
  k.at = as_int(r[5]);
  k.t_out = as_opt_int(r[6]);
  k.decision = as_text(r[7]);
  k.color = as_text(r[8]);
  k.reasons_json = as_text(r[9]);
  if (!is_null(r[10])) k.temperature_c = as_double(r[10]);
  k.mask = as_int(r[11]) != 0;
  k.channel = as_text(r[12]);
  k.rule_set_version = as_text(r[13]);
  k.staff_id = as_opt_int(r[14]);
  return k;
}

const char* kHandoverSelect =
    "SELECT h.id, h.venue_id, h.checkin_id, h.person_id, h.temperature_c, h.opened_at, h.status, h.closed_at, "
    "h.closed_by, h.outcome, v.name FROM fever_handovers h JOIN venues v ON v.id = h.venue_id";

FeverHandover handover_from(const std::vector<Value>& r) {
  FeverHandover h;
  h.id = as_int(r[0]);
  h.venue_id = as_int(r[1]);
  h.checkin_id = as_int(r[2]);
  h.person_id = as_opt_int(r[3]);
  h.temperature_c = as_double(r[4]);
  h.opened_at = as_int(r[5]);
  h.status = as_text(r[6]);
  h.closed_at = as_opt_int(r[7]);
  h.closed_by = as_opt_int(r[8]);
  h.outcome = as_text(r[9]);
  h.venue_name = as_text(r[10]);
  return h;
}

// Stays longer than this are not closed by an exit scan (a forgotten exit
// days later is a new visit, not the end of the old one).
constexpr Millis kLongestStay = 24LL * 3600 * 1000;

}  // namespace

int64_t insert_person(Connection& c, Person p, Millis now) {
  if (!c.query("SELECT person_id FROM person_ids WHERE id_hash = ?", {p.id_hash}).empty())
    throw conflict("duplicate", "a person with this identity number is registered");
  auto r = c.query(
      "INSERT INTO persons (id_hash, id_enc, id_masked, name, phone, division_id, division_path, household_id, "
      "case_status, manage_status, manage_until, state_changed_at, created_at, updated_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {p.id_hash, p.id_enc, p.id_masked, p.name, null_if_empty(p.phone), p.division_id, p.division_path,
       p.household_id, p.case_status, p.manage_status, opt(p.manage_until), now, now, now});
  int64_t id = as_int(r.rows[0][0]);
  if (p.household_id == 0) c.query("UPDATE persons SET household_id = ? WHERE id = ?", {id, id});
  c.query("INSERT INTO person_ids (id_hash, person_id) VALUES (?, ?)", {p.id_hash, id});
  return id;
}

std::optional<Person> find_person(Connection& c, int64_t id) {
  auto r = c.query(std::string(kPersonSelect) + " WHERE p.id = ?", {id});
  if (r.empty()) return std::nullopt;
  return person_from(r.rows[0]);
}

std::unordered_map<int64_t, Person> find_persons(Connection& c, const std::vector<int64_t>& ids) {
  std::unordered_map<int64_t, Person> out;
  for (const auto& r : query_in(c, std::string(kPersonSelect) + " WHERE p.id IN ", "", {}, ids)) {
    auto p = person_from(r);
    out.emplace(p.id, std::move(p));
  }
  return out;
}

std::optional<Person> find_person_by_id_hash(Connection& c, const std::string& id_hash) {
  auto r = c.query(std::string(kPersonSelect) + " JOIN person_ids i ON i.person_id = p.id WHERE i.id_hash = ?",
                   {id_hash});
  if (r.empty()) return std::nullopt;
  return person_from(r.rows[0]);
}

PageOf<Person> list_persons(Connection& c, const PersonFilter& f, const Page& pg) {
  std::string where = " WHERE 1 = 1";
  std::vector<Value> params;
  if (!f.q.empty()) {
    where += " AND (p.name LIKE ? ESCAPE '\\' OR p.phone LIKE ? ESCAPE '\\')";
    params.push_back(prefix_pattern(f.q));
    params.push_back(prefix_pattern(f.q));
  }
  if (!f.id_hash.empty()) {
    where += " AND p.id_hash = ?";
    params.push_back(f.id_hash);
  }
  if (!f.within_path.empty()) {
    where += " AND p.division_path LIKE ? ESCAPE '\\'";
    params.push_back(prefix_pattern(f.within_path));
  }
  if (f.household_id) {
    where += " AND p.household_id = ?";
    params.push_back(*f.household_id);
  }
  PageOf<Person> out;
  out.total = as_int(c.query("SELECT COUNT(*) FROM persons p" + where, params).rows[0][0]);
  params.push_back(pg.page_size);
  params.push_back(pg.offset());
  auto r = c.query(std::string(kPersonSelect) + where + " ORDER BY p.id LIMIT ? OFFSET ?", params);
  for (const auto& row : r.rows) out.items.push_back(person_from(row));
  return out;
}

void update_person(Connection& c, const Person& p, Millis now) {
  c.query("UPDATE persons SET name = ?, phone = ?, division_id = ?, division_path = ?, updated_at = ? WHERE id = ?",
          {p.name, null_if_empty(p.phone), p.division_id, p.division_path, now, p.id});
}

void set_person_state(Connection& c, int64_t id, const std::string& case_status, const std::string& manage_status,
                      std::optional<Millis> manage_until, Millis now) {
  c.query(
      "UPDATE persons SET case_status = ?, manage_status = ?, manage_until = ?, state_changed_at = ?, updated_at = ? "
      "WHERE id = ?",
      {case_status, manage_status, opt(manage_until), now, now, id});
}

void link_user_person(Connection& c, int64_t user_id, std::optional<int64_t> person_id) {
  c.query("UPDATE users SET person_id = ? WHERE id = ?", {opt(person_id), user_id});
}

std::optional<int64_t> user_person(Connection& c, int64_t user_id) {
  auto r = c.query("SELECT person_id FROM users WHERE id = ?", {user_id});
  if (r.empty()) return std::nullopt;
  return as_opt_int(r.rows[0][0]);
}

int64_t insert_risk_area(Connection& c, const RiskArea& a, Millis now) {
  auto r = c.query(
      "INSERT INTO risk_areas (division_code, division_name, area_name, level, level_since, came_from_high, "
      "effective_from, effective_until, last_infection_at, screen_negative_at, decided_by, created_at, updated_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {a.division_code, a.division_name, a.area_name, a.level, a.level_since, int64_t{a.came_from_high},
       a.effective_from, opt(a.effective_until), a.last_infection_at, opt(a.screen_negative_at), a.decided_by, now,
       now});
  return as_int(r.rows[0][0]);
}

std::optional<RiskArea> find_risk_area(Connection& c, int64_t id) {
  auto r = c.query(std::string(kRiskSelect) + " WHERE id = ?", {id});
  if (r.empty()) return std::nullopt;
  return risk_from(r.rows[0]);
}

std::vector<RiskArea> list_risk_areas(Connection& c, bool active_only) {
  auto r = c.query(std::string(kRiskSelect) + (active_only ? " WHERE level IN ('high', 'medium')" : "") +
                   " ORDER BY CASE level WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, division_code, id");
  std::vector<RiskArea> out;
  for (const auto& row : r.rows) out.push_back(risk_from(row));
  return out;
}

void update_risk_area(Connection& c, const RiskArea& a, Millis now) {
  c.query(
      "UPDATE risk_areas SET level = ?, level_since = ?, came_from_high = ?, effective_until = ?, "
      "last_infection_at = ?, screen_negative_at = ?, updated_at = ? WHERE id = ?",
      {a.level, a.level_since, int64_t{a.came_from_high}, opt(a.effective_until), a.last_infection_at,
       opt(a.screen_negative_at), now, a.id});
}

void insert_risk_event(Connection& c, const RiskAreaEvent& e) {
  c.query(
      "INSERT INTO risk_area_events (risk_area_id, at, action, level_from, level_to, actor, note) VALUES (?, ?, ?, ?, "
      "?, ?, ?)",
      {e.risk_area_id, e.at, e.action, null_if_empty(e.level_from), null_if_empty(e.level_to), e.actor,
       null_if_empty(e.note)});
}

std::vector<RiskAreaEvent> list_risk_events(Connection& c, int64_t risk_area_id) {
  auto r = c.query(
      "SELECT id, risk_area_id, at, action, level_from, level_to, actor, note FROM risk_area_events WHERE "
      "risk_area_id = ? ORDER BY at, id",
      {risk_area_id});
  std::vector<RiskAreaEvent> out;
  for (const auto& row : r.rows)
    out.push_back({as_int(row[0]), as_int(row[1]), as_int(row[2]), as_text(row[3]), as_text(row[4]), as_text(row[5]),
                   as_text(row[6]), as_text(row[7])});
  return out;
}

int64_t insert_stay(Connection& c, const Stay& s, Millis now) {
  auto r = c.query(
      "INSERT INTO travel_stays (person_id, division_code, from_at, to_at, source, created_at) VALUES (?, ?, ?, ?, "
      "?, ?) RETURNING id",
      {s.person_id, s.division_code, s.from, s.to, s.source, now});
  return as_int(r.rows[0][0]);
}

std::vector<Stay> list_stays(Connection& c, int64_t person_id, Millis since) {
  auto r = c.query(
      "SELECT id, person_id, division_code, from_at, to_at, source FROM travel_stays WHERE person_id = ? AND to_at "
      ">= ? ORDER BY from_at",
      {person_id, since});
  std::vector<Stay> out;
  for (const auto& row : r.rows)
    out.push_back({as_int(row[0]), as_int(row[1]), as_text(row[2]), as_int(row[3]), as_int(row[4]), as_text(row[5])});
  return out;
}

int64_t insert_test(Connection& c, const NucleicTest& t, Millis now) {
  auto r = c.query(
      "INSERT INTO nucleic_tests (person_id, sampled_at, result, result_at, venue_id, created_at) VALUES (?, ?, ?, "
      "?, ?, ?) RETURNING id",
      {t.person_id, t.sampled_at, t.result, opt(t.result_at), opt(t.venue_id), now});
  return as_int(r.rows[0][0]);
}

std::optional<NucleicTest> latest_test(Connection& c, int64_t person_id) {
  auto tests = list_tests(c, person_id, 1);
  if (tests.empty()) return std::nullopt;
  return tests.front();
}

std::vector<NucleicTest> list_tests(Connection& c, int64_t person_id, int64_t limit) {
  auto r = c.query(
      "SELECT id, person_id, sampled_at, result, result_at, venue_id FROM nucleic_tests WHERE person_id = ? ORDER BY "
      "sampled_at DESC, id DESC LIMIT ?",
      {person_id, limit});
  std::vector<NucleicTest> out;
  for (const auto& row : r.rows)
    out.push_back({as_int(row[0]), as_int(row[1]), as_int(row[2]), as_text(row[3]), as_opt_int(row[4]), as_opt_int(row[5])});
  return out;
}

std::optional<Millis> latest_negative_sample(Connection& c, int64_t person_id) {
  auto r = c.query("SELECT MAX(sampled_at) FROM nucleic_tests WHERE person_id = ? AND result = 'negative'",
                   {person_id});
  return as_opt_int(r.rows[0][0]);
}

int64_t insert_override(Connection& c, const CodeOverride& o, Millis now) {
  auto r = c.query(
      "INSERT INTO code_overrides (person_id, color, reason, until_at, created_by, created_at) VALUES (?, ?, ?, ?, ?, "
      "?) RETURNING id",
      {o.person_id, o.color, o.reason, o.until, o.created_by, now});
  return as_int(r.rows[0][0]);
}

std::optional<CodeOverride> active_override(Connection& c, int64_t person_id, Millis now) {
  auto r = c.query(
      "SELECT id, person_id, color, reason, until_at, created_by FROM code_overrides WHERE person_id = ? AND until_at "
      "> ? ORDER BY created_at DESC, id DESC LIMIT 1",
      {person_id, now});
  if (r.empty()) return std::nullopt;
  const auto& row = r.rows[0];
  return CodeOverride{as_int(row[0]), as_int(row[1]), as_text(row[2]), as_text(row[3]), as_int(row[4]),
                      as_int(row[5])};
}

namespace {
constexpr const char* kCheckinInsert =
    "INSERT INTO checkins (id, venue_id, entrance, direction, person_id, at, t_out, decision, color, reasons, "
    "temperature_c, mask, channel, rule_set_version, staff_id, client_scan_id) VALUES ";
constexpr const char* kCheckinPlaceholders = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char* kCheckinConflict =
    " ON CONFLICT (venue_id, client_scan_id) WHERE client_scan_id IS NOT NULL DO NOTHING";

void append_checkin_values(std::vector<Value>& v, const Checkin& k) {
  for (Value x : {Value{k.id}, Value{k.venue_id}, Value{k.entrance}, Value{k.direction}, opt(k.person_id), Value{k.at},
                  opt(k.t_out), Value{k.decision}, null_if_empty(k.color), Value{k.reasons_json}, opt(k.temperature_c),
                  Value{int64_t{k.mask}}, Value{k.channel}, Value{k.rule_set_version}, opt(k.staff_id),
                  null_if_empty(k.client_scan_id)})
    v.push_back(std::move(x));
}
}  // namespace

void insert_checkin(Connection& c, const Checkin& k) {
  std::vector<Value> v;
  append_checkin_values(v, k);
  c.query(std::string(kCheckinInsert) + kCheckinPlaceholders + kCheckinConflict, v);
}

void insert_checkins(Connection& c, const std::vector<Checkin>& rows) {
  // Several rows a statement: one round trip instead of one a row on PostgreSQL.
  constexpr size_t kPerStatement = 256;
  for (size_t from = 0; from < rows.size(); from += kPerStatement) {
    size_t n = std::min(kPerStatement, rows.size() - from);
    std::string sql = kCheckinInsert;
    for (size_t i = 0; i < n; ++i) sql += i ? std::string(", ") + kCheckinPlaceholders : kCheckinPlaceholders;
    sql += kCheckinConflict;
    std::vector<Value> v;
    v.reserve(n * 16);
    for (size_t i = 0; i < n; ++i) append_checkin_values(v, rows[from + i]);
    c.query(sql, v);
  }
}

std::optional<Checkin> find_checkin_by_client_id(Connection& c, int64_t venue_id, const std::string& client_scan_id) {
  auto r = c.query(std::string(kCheckinSelect) + " WHERE venue_id = ? AND client_scan_id = ?", {venue_id, client_scan_id});
  if (r.empty()) return std::nullopt;
  return checkin_from(r.rows[0]);
}

void close_stay(Connection& c, int64_t venue_id, int64_t person_id, Millis t_out) {
  // The person's index finds the stay; the update then goes by the primary key.
  c.query(
      "UPDATE checkins SET t_out = ? WHERE venue_id = ? AND id = (SELECT id FROM checkins WHERE person_id = ? AND "
      "venue_id = ? AND direction = 'in' AND decision = 'pass' AND t_out IS NULL AND at <= ? AND at > ? ORDER BY at "
      "DESC LIMIT 1) AND at > ?",
      {t_out, venue_id, person_id, venue_id, t_out, t_out - kLongestStay, t_out - kLongestStay});
}

void insert_handover(Connection& c, const FeverHandover& h) {
  c.query(
      "INSERT INTO fever_handovers (id, venue_id, checkin_id, person_id, temperature_c, opened_at, status) VALUES (?, "
      "?, ?, ?, ?, ?, 'open')",
      {h.id, h.venue_id, h.checkin_id, opt(h.person_id), h.temperature_c, h.opened_at});
}

std::optional<FeverHandover> find_handover(Connection& c, int64_t venue_id, int64_t id) {
  auto r = c.query(std::string(kHandoverSelect) + " WHERE h.venue_id = ? AND h.id = ?", {venue_id, id});
  if (r.empty()) return std::nullopt;
  return handover_from(r.rows[0]);
}

std::vector<FeverHandover> list_handovers(Connection& c, std::optional<int64_t> venue_id, const std::string& status,
                                          const std::string& within_path, int64_t limit) {
  std::string sql = std::string(kHandoverSelect) + " WHERE 1 = 1";
  std::vector<Value> params;
  if (venue_id) {
    sql += " AND h.venue_id = ?";
    params.push_back(*venue_id);
  }
  if (!status.empty()) {
    sql += " AND h.status = ?";
    params.push_back(status);
  }
  if (!within_path.empty()) {
    sql += " AND v.division_path LIKE ? ESCAPE '\\'";
    params.push_back(prefix_pattern(within_path));
  }
  sql += " ORDER BY h.opened_at DESC LIMIT ?";
  params.push_back(limit);
  std::vector<FeverHandover> out;
  for (const auto& row : c.query(sql, params).rows) out.push_back(handover_from(row));
  return out;
}

void close_handover(Connection& c, int64_t venue_id, int64_t id, int64_t by, const std::string& outcome, Millis now) {
  c.query(
      "UPDATE fever_handovers SET status = 'closed', closed_at = ?, closed_by = ?, outcome = ? WHERE venue_id = ? AND "
      "id = ?",
      {now, by, outcome, venue_id, id});
}

bool has_open_handover(Connection& c, int64_t person_id) {
  return !c.query("SELECT 1 FROM fever_handovers WHERE person_id = ? AND status = 'open' LIMIT 1", {person_id}).empty();
}

PageOf<Checkin> list_checkins(Connection& c, const CheckinFilter& f, const Page& p) {
  std::string where = " WHERE venue_id = ? AND at >= ? AND at < ?";
  std::vector<Value> params{f.venue_id, f.from, f.to};
  if (!f.decision.empty()) {
    where += " AND decision = ?";
    params.push_back(f.decision);
  }
  PageOf<Checkin> out;
  out.total = as_int(c.query("SELECT COUNT(*) FROM checkins" + where, params).rows[0][0]);
  params.push_back(p.page_size);
  params.push_back(p.offset());
  for (const auto& row : c.query(std::string(kCheckinSelect) + where + " ORDER BY at DESC, id DESC LIMIT ? OFFSET ?", params).rows)
    out.items.push_back(checkin_from(row));
  return out;
}

std::vector<CheckinCount> count_checkins(Connection& c, int64_t venue_id, Millis from, Millis to) {
  auto r = c.query(
      "SELECT (at / 3600000) * 3600000 AS hour, entrance, direction, decision, COUNT(*), "
      "SUM(CASE WHEN temperature_c >= 37.3 THEN 1 ELSE 0 END) FROM checkins WHERE venue_id = ? AND at >= ? AND at < ? "
      "GROUP BY (at / 3600000) * 3600000, entrance, direction, decision ORDER BY 1, 2, 3, 4",
      {venue_id, from, to});
  std::vector<CheckinCount> out;
  for (const auto& row : r.rows)
    out.push_back({as_int(row[0]), as_text(row[1]), as_text(row[2]), as_text(row[3]), as_int(row[4]), as_int(row[5])});
  return out;
}

int64_t occupancy(Connection& c, int64_t venue_id, Millis since) {
  return as_int(c.query(
                     "SELECT COUNT(*) FROM checkins WHERE venue_id = ? AND at >= ? AND direction = 'in' AND decision = "
                     "'pass' AND t_out IS NULL",
                     {venue_id, since})
                    .rows[0][0]);
}

int64_t purge_checkins(Connection& c, Millis before) {
  c.query("DELETE FROM fever_handovers WHERE status = 'closed' AND opened_at < ?", {before});
  return c.query("DELETE FROM checkins WHERE at < ?", {before}).affected;
}

}  // namespace epinet::store
