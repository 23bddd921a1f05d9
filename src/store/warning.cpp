#include "store/warning.h"

namespace epinet::store {
namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;

std::string placeholders(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += i ? ", ?" : "?";
  return s;
}

std::vector<OwnCount> own_counts(Connection& c, const std::string& sql, std::vector<Value> params) {
  std::vector<OwnCount> out;
  auto r = c.query(sql, params);
  for (const auto& row : r.rows) out.push_back({as_text(row[0]), as_int(row[1]), as_int(row[2])});
  return out;
}

const char* kAlertSelect =
    "SELECT id, kind, level, division_code, status, title, evidence, first_signal_at, created_at, verifying_at, "
    "verifying_by, closed_at, closed_by, response_owner, response_note, dismiss_reason, window_to_day FROM "
    "warning_alerts";

WarningAlert alert_from(const std::vector<Value>& r) {
  WarningAlert a;
  a.id = as_int(r[0]);
  a.kind = as_text(r[1]);
  a.level = as_text(r[2]);
  a.division_code = as_text(r[3]);
  a.status = as_text(r[4]);
  a.title = as_text(r[5]);
  a.evidence = as_text(r[6]);
  a.first_signal_at = as_int(r[7]);
  a.created_at = as_int(r[8]);
  a.verifying_at = as_opt_int(r[9]);
  a.verifying_by = as_text(r[10]);
  a.closed_at = as_opt_int(r[11]);
  a.closed_by = as_text(r[12]);
  a.response_owner = as_text(r[13]);
  a.response_note = as_text(r[14]);
  a.dismiss_reason = as_text(r[15]);
  a.window_to_day = as_opt_int(r[16]);
  return a;
}

}  // namespace

std::vector<District> list_districts(Connection& c) {
  std::vector<District> out;
  auto r = c.query(
      "SELECT id, code, name, name_en, path FROM divisions WHERE level = 'district' AND code IS NOT NULL ORDER BY "
      "code");
  for (const auto& row : r.rows)
    out.push_back({as_int(row[0]), as_text(row[1]), as_text(row[2]), as_text(row[3]), as_text(row[4])});
  return out;
}

std::optional<int64_t> stored_count(Connection& c, const std::string& division_code, const std::string& channel,
                                    int64_t day, const std::string& source) {
  auto r =
      c.query("SELECT count FROM warning_counts WHERE division_code = ? AND channel = ? AND day = ? AND source = ?",
              {division_code, channel, day, source});
  if (r.empty()) return std::nullopt;
  return as_int(r.rows[0][0]);
}

void put_count(Connection& c, const WarningCount& w, std::optional<int64_t> old_count, const std::string& by,
               std::optional<int64_t> import_id, Millis now) {
  c.query(
      "INSERT INTO warning_counts (division_code, channel, day, source, count, updated_at, updated_by) "
      "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (division_code, channel, day, source) DO UPDATE SET "
      "count = excluded.count, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
      {w.division_code, w.channel, w.day, w.source, w.count, now, by});
  c.query(
      "INSERT INTO warning_count_history (division_code, channel, day, source, old_count, new_count, changed_at, "
      "changed_by, import_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {w.division_code, w.channel, w.day, w.source, opt(old_count), w.count, now, by, opt(import_id)});
}

std::vector<DayTotal> day_totals(Connection& c, const std::string& division_code, const std::string& channel,
                                 int64_t from, int64_t to) {
  std::vector<DayTotal> out;
  auto r = c.query(
      "SELECT day, SUM(count) FROM warning_counts WHERE division_code = ? AND channel = ? AND day >= ? AND day <= ? "
      "GROUP BY day ORDER BY day",
      {division_code, channel, from, to});
  for (const auto& row : r.rows) out.push_back({as_int(row[0]), as_int(row[1])});
  return out;
}

std::optional<int64_t> first_count_day(Connection& c, const std::string& division_code, const std::string& channel) {
  auto r =
      c.query("SELECT MIN(day) FROM warning_counts WHERE division_code = ? AND channel = ?", {division_code, channel});
  return r.empty() ? std::nullopt : as_opt_int(r.rows[0][0]);
}

std::vector<CountHistory> count_history(Connection& c, const std::string& division_code, const std::string& channel,
                                        std::optional<int64_t> day, int64_t limit) {
  std::vector<Value> params{division_code, channel};
  std::string sql =
      "SELECT id, division_code, channel, day, source, old_count, new_count, changed_at, changed_by, import_id "
      "FROM warning_count_history WHERE division_code = ? AND channel = ?";
  if (day) {
    sql += " AND day = ?";
    params.emplace_back(*day);
  }
  sql += " ORDER BY id DESC LIMIT ?";
  params.emplace_back(limit);
  std::vector<CountHistory> out;
  for (const auto& row : c.query(sql, params).rows)
    out.push_back({as_int(row[0]), as_text(row[1]), as_text(row[2]), as_int(row[3]), as_text(row[4]),
                   as_opt_int(row[5]), as_int(row[6]), as_int(row[7]), as_text(row[8]), as_opt_int(row[9])});
  return out;
}

int64_t insert_import(Connection& c, const WarningImport& w) {
  auto r = c.query(
      "INSERT INTO warning_imports (filename, format, uploaded_by, uploaded_at, rows_total, inserted, corrected, "
      "unchanged) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {w.filename, w.format, w.uploaded_by, w.uploaded_at, w.rows_total, w.inserted, w.corrected, w.unchanged});
  return as_int(r.rows[0][0]);
}

void update_import_totals(Connection& c, const WarningImport& w) {
  c.query("UPDATE warning_imports SET rows_total = ?, inserted = ?, corrected = ?, unchanged = ? WHERE id = ?",
          {w.rows_total, w.inserted, w.corrected, w.unchanged, w.id});
}

std::vector<WarningImport> list_imports(Connection& c, int64_t limit) {
  std::vector<WarningImport> out;
  auto r = c.query(
      "SELECT id, filename, format, uploaded_by, uploaded_at, rows_total, inserted, corrected, unchanged FROM "
      "warning_imports ORDER BY id DESC LIMIT ?",
      {limit});
  for (const auto& row : r.rows)
    out.push_back({as_int(row[0]), as_text(row[1]), as_text(row[2]), as_text(row[3]), as_int(row[4]), as_int(row[5]),
                   as_int(row[6]), as_int(row[7]), as_int(row[8])});
  return out;
}

std::vector<OwnCount> positive_tests_by_day(Connection& c, int64_t from, int64_t to, int64_t offset_ms) {
  return own_counts(
      c,
      "SELECT d.code, (COALESCE(t.result_at, t.sampled_at) + ?) / 86400000 AS day, COUNT(*) FROM nucleic_tests t "
      "JOIN persons p ON p.id = t.person_id JOIN divisions d ON d.level = 'district' AND d.code IS NOT NULL "
      "AND substr(p.division_path, 1, length(d.path)) = d.path WHERE t.result = 'positive' AND "
      "COALESCE(t.result_at, t.sampled_at) >= ? AND COALESCE(t.result_at, t.sampled_at) < ? GROUP BY 1, 2",
      {offset_ms, from * kDayMs - offset_ms, (to + 1) * kDayMs - offset_ms});
}

std::vector<OwnCount> hospital_fevers_by_day(Connection& c, int64_t from, int64_t to, int64_t offset_ms) {
  return own_counts(
      c,
      "SELECT d.code, (h.opened_at + ?) / 86400000 AS day, COUNT(*) FROM fever_handovers h "
      "JOIN venues v ON v.id = h.venue_id JOIN divisions d ON d.level = 'district' AND d.code IS NOT NULL "
      "AND substr(v.division_path, 1, length(d.path)) = d.path WHERE v.type = 'hospital' AND "
      "h.opened_at >= ? AND h.opened_at < ? GROUP BY 1, 2",
      {offset_ms, from * kDayMs - offset_ms, (to + 1) * kDayMs - offset_ms});
}

std::vector<OwnCount> checkpoint_fevers_by_day(Connection& c, int64_t from, int64_t to, int64_t offset_ms,
                                               double threshold) {
  return own_counts(
      c,
      "SELECT d.code, (k.at + ?) / 86400000 AS day, COUNT(*) FROM checkins k "
      "JOIN venues v ON v.id = k.venue_id JOIN divisions d ON d.level = 'district' AND d.code IS NOT NULL "
      "AND substr(v.division_path, 1, length(d.path)) = d.path WHERE v.type <> 'hospital' AND "
      "k.temperature_c >= ? AND k.at >= ? AND k.at < ? GROUP BY 1, 2",
      {offset_ms, threshold, from * kDayMs - offset_ms, (to + 1) * kDayMs - offset_ms});
}

std::pair<int64_t, bool> insert_signal(Connection& c, const WarningSignal& s) {
  auto r = c.query(
      "INSERT INTO warning_signals (division_code, channel, day, method, methods, observed, upperbound, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (division_code, channel, day) DO NOTHING RETURNING id",
      {s.division_code, s.channel, s.day, s.method, s.methods, s.observed, opt(s.upperbound), s.created_at});
  if (!r.empty()) return {as_int(r.rows[0][0]), true};
  auto e = c.query("SELECT id FROM warning_signals WHERE division_code = ? AND channel = ? AND day = ?",
                   {s.division_code, s.channel, s.day});
  return {as_int(e.rows[0][0]), false};
}

std::vector<WarningSignal> list_signals(Connection& c, const std::string& division_code, int64_t from, int64_t to) {
  std::vector<WarningSignal> out;
  auto r = c.query(
      "SELECT id, division_code, channel, day, method, methods, observed, upperbound, created_at, alert_id FROM "
      "warning_signals WHERE (? = '' OR division_code = ?) AND day >= ? AND day <= ? ORDER BY day, id",
      {division_code, division_code, from, to});
  for (const auto& row : r.rows) {
    WarningSignal s;
    s.id = as_int(row[0]);
    s.division_code = as_text(row[1]);
    s.channel = as_text(row[2]);
    s.day = as_int(row[3]);
    s.method = as_text(row[4]);
    s.methods = as_text(row[5]);
    s.observed = as_double(row[6]);
    if (!is_null(row[7])) s.upperbound = as_double(row[7]);
    s.created_at = as_int(row[8]);
    s.alert_id = as_opt_int(row[9]);
    out.push_back(std::move(s));
  }
  return out;
}

void set_signal_alert(Connection& c, int64_t signal_id, int64_t alert_id) {
  c.query("UPDATE warning_signals SET alert_id = ? WHERE id = ?", {alert_id, signal_id});
}

int64_t insert_alert(Connection& c, const WarningAlert& a, Millis now) {
  auto r = c.query(
      "INSERT INTO warning_alerts (kind, level, division_code, status, title, evidence, first_signal_at, created_at, "
      "window_to_day, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {a.kind, a.level, a.division_code, a.status, a.title, a.evidence, a.first_signal_at, now, opt(a.window_to_day),
       now});
  return as_int(r.rows[0][0]);
}

std::optional<WarningAlert> find_alert(Connection& c, int64_t id) {
  auto r = c.query(std::string(kAlertSelect) + " WHERE id = ?", {id});
  if (r.empty()) return std::nullopt;
  return alert_from(r.rows[0]);
}

PageOf<WarningAlert> list_alerts(Connection& c, const AlertFilter& f, const Page& p) {
  PageOf<WarningAlert> out;
  if (f.division_codes.empty()) return out;
  std::string where = " WHERE division_code IN (" + placeholders(f.division_codes.size()) + ")";
  std::vector<Value> params(f.division_codes.begin(), f.division_codes.end());
  if (f.status == "open") {
    where += " AND status IN ('new', 'verifying')";
  } else if (!f.status.empty()) {
    where += " AND status = ?";
    params.emplace_back(f.status);
  }
  if (f.since) {
    where += " AND created_at >= ?";
    params.emplace_back(*f.since);
  }
  out.total = as_int(c.query("SELECT COUNT(*) FROM warning_alerts" + where, params).rows[0][0]);
  params.emplace_back(p.page_size);
  params.emplace_back(p.offset());
  // Open alerts first, then the newest.
  auto r = c.query(std::string(kAlertSelect) + where +
                       " ORDER BY CASE WHEN status IN ('new', 'verifying') THEN 0 ELSE 1 END, created_at DESC, id DESC "
                       "LIMIT ? OFFSET ?",
                   params);
  for (const auto& row : r.rows) out.items.push_back(alert_from(row));
  return out;
}

std::optional<WarningAlert> open_multi_point(Connection& c, const std::string& division_code) {
  auto r = c.query(std::string(kAlertSelect) +
                       " WHERE division_code = ? AND kind = 'multi_point' AND status IN ('new', 'verifying') "
                       "ORDER BY id DESC LIMIT 1",
                   {division_code});
  if (r.empty()) return std::nullopt;
  return alert_from(r.rows[0]);
}

void update_alert(Connection& c, const WarningAlert& a, Millis now) {
  c.query(
      "UPDATE warning_alerts SET status = ?, evidence = ?, first_signal_at = ?, verifying_at = ?, verifying_by = ?, "
      "closed_at = ?, closed_by = ?, response_owner = ?, response_note = ?, dismiss_reason = ?, window_to_day = ?, "
      "updated_at = ? WHERE id = ?",
      {a.status, a.evidence, a.first_signal_at, opt(a.verifying_at), null_if_empty(a.verifying_by), opt(a.closed_at),
       null_if_empty(a.closed_by), null_if_empty(a.response_owner), null_if_empty(a.response_note),
       null_if_empty(a.dismiss_reason), opt(a.window_to_day), now, a.id});
}

int64_t count_alerts_since(Connection& c, const std::vector<std::string>& division_codes, Millis since) {
  if (division_codes.empty()) return 0;
  std::vector<Value> params(division_codes.begin(), division_codes.end());
  params.emplace_back(since);
  return as_int(c.query("SELECT COUNT(*) FROM warning_alerts WHERE division_code IN (" +
                            placeholders(division_codes.size()) + ") AND created_at > ?",
                        params)
                    .rows[0][0]);
}

void insert_alert_event(Connection& c, const AlertEvent& e) {
  c.query(
      "INSERT INTO warning_alert_events (alert_id, at, actor, action, from_status, to_status, note) VALUES (?, ?, ?, "
      "?, "
      "?, ?, ?)",
      {e.alert_id, e.at, e.actor, e.action, null_if_empty(e.from_status), null_if_empty(e.to_status),
       null_if_empty(e.note)});
}

std::vector<AlertEvent> list_alert_events(Connection& c, int64_t alert_id) {
  std::vector<AlertEvent> out;
  auto r = c.query(
      "SELECT id, alert_id, at, actor, action, from_status, to_status, note FROM warning_alert_events WHERE alert_id = "
      "? "
      "ORDER BY at, id",
      {alert_id});
  for (const auto& row : r.rows)
    out.push_back({as_int(row[0]), as_int(row[1]), as_int(row[2]), as_text(row[3]), as_text(row[4]), as_text(row[5]),
                   as_text(row[6]), as_text(row[7])});
  return out;
}

void insert_outbox(Connection& c, const OutboxItem& o, Millis now) {
  c.query(
      "INSERT INTO warning_outbox (alert_id, event, payload, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, "
      "0, "
      "?, ?)",
      {o.alert_id, o.event, o.payload, o.next_attempt_at, now});
}

namespace {
OutboxItem outbox_from(const std::vector<Value>& row) {
  return {as_int(row[0]), as_int(row[1]), as_text(row[2]),    as_text(row[3]),
          as_int(row[4]), as_int(row[5]), as_opt_int(row[6]), as_text(row[7])};
}
const char* kOutboxSelect =
    "SELECT id, alert_id, event, payload, attempts, next_attempt_at, delivered_at, last_error FROM warning_outbox";
}  // namespace

std::vector<OutboxItem> due_outbox(Connection& c, Millis now, int64_t limit) {
  std::vector<OutboxItem> out;
  auto r =
      c.query(std::string(kOutboxSelect) + " WHERE delivered_at IS NULL AND next_attempt_at <= ? ORDER BY id LIMIT ?",
              {now, limit});
  for (const auto& row : r.rows) out.push_back(outbox_from(row));
  return out;
}

std::optional<Millis> next_outbox_due(Connection& c) {
  auto r = c.query("SELECT MIN(next_attempt_at) FROM warning_outbox WHERE delivered_at IS NULL");
  return r.empty() ? std::nullopt : as_opt_int(r.rows[0][0]);
}

void mark_outbox(Connection& c, int64_t id, bool delivered, int64_t attempts, Millis next_attempt_at,
                 const std::string& error, Millis now) {
  c.query("UPDATE warning_outbox SET attempts = ?, next_attempt_at = ?, delivered_at = ?, last_error = ? WHERE id = ?",
          {attempts, next_attempt_at, delivered ? Value{now} : Value{}, null_if_empty(error), id});
}

std::vector<OutboxItem> list_outbox(Connection& c, int64_t alert_id) {
  std::vector<OutboxItem> out;
  auto r = c.query(std::string(kOutboxSelect) + " WHERE alert_id = ? ORDER BY id", {alert_id});
  for (const auto& row : r.rows) out.push_back(outbox_from(row));
  return out;
}

std::optional<Millis> seen_at(Connection& c, int64_t user_id) {
  auto r = c.query("SELECT seen_at FROM warning_seen WHERE user_id = ?", {user_id});
  if (r.empty()) return std::nullopt;
  return as_int(r.rows[0][0]);
}

void set_seen_at(Connection& c, int64_t user_id, Millis at) {
  c.query(
      "INSERT INTO warning_seen (user_id, seen_at) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET seen_at = "
      "excluded.seen_at",
      {user_id, at});
}

}  // namespace epinet::store
