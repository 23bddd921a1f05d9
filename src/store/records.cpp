#include "store/records.h"

#include <boost/json.hpp>

#include "core/error.h"

namespace epinet::store {
namespace json = boost::json;
namespace {

// A small WHERE-clause builder: conditions joined by AND, with their params.
struct Where {
  std::string sql;
  std::vector<Value> params;
  void add(const std::string& cond, std::vector<Value> p = {}) {
    sql += sql.empty() ? " WHERE " : " AND ";
    sql += cond;
    for (auto& v : p) params.push_back(std::move(v));
  }
};

}  // namespace

std::string like_pattern(const std::string& q) {
  std::string out = "%";
  for (char ch : q) {
    if (ch == '%' || ch == '_' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "%";
}
std::string prefix_pattern(const std::string& p) { return like_pattern(p).substr(1); }

namespace {
// The rows of the next statement: `most` (a power of two), or the largest power of two left.
size_t chunk_of(size_t left, size_t most) {
  if (left >= most) return most;
  size_t n = 1;
  while (n * 2 <= left) n *= 2;
  return n;
}
}  // namespace

std::vector<std::vector<Value>> insert_rows(Connection& c, std::string_view head, std::string_view row,
                                            std::string_view tail, size_t columns, const std::vector<Value>& values) {
  std::vector<std::vector<Value>> out;
  const size_t rows = columns ? values.size() / columns : 0;
  std::vector<Value> v;
  for (size_t from = 0; from < rows;) {
    const size_t n = chunk_of(rows - from, 128);
    std::string sql(head);
    for (size_t i = 0; i < n; ++i) {
      if (i) sql += ", ";
      sql += row;
    }
    sql += tail;
    v.assign(values.begin() + static_cast<std::ptrdiff_t>(from * columns),
             values.begin() + static_cast<std::ptrdiff_t>((from + n) * columns));
    auto r = c.query(sql, v);
    for (auto& x : r.rows) out.push_back(std::move(x));
    from += n;
  }
  return out;
}

std::vector<std::vector<Value>> query_in(Connection& c, std::string_view sql_before_list, std::string_view sql_after,
                                         const std::vector<Value>& params, const std::vector<int64_t>& ids) {
  std::vector<std::vector<Value>> out;
  for (size_t from = 0; from < ids.size();) {
    const size_t n = chunk_of(ids.size() - from, 256);
    std::string sql(sql_before_list);
    sql += "(";
    for (size_t i = 0; i < n; ++i) sql += i ? ", ?" : "?";
    sql += ")";
    sql += sql_after;
    std::vector<Value> v = params;
    for (size_t i = 0; i < n; ++i) v.emplace_back(ids[from + i]);
    auto r = c.query(sql, v);
    for (auto& x : r.rows) out.push_back(std::move(x));
    from += n;
  }
  return out;
}

namespace {

int64_t count(Connection& c, const std::string& from_where, const std::vector<Value>& params) {
  return as_int(c.query("SELECT COUNT(*) " + from_where, params).rows[0][0]);
}

std::vector<Value> with_page(std::vector<Value> params, const Page& p) {
  params.emplace_back(p.page_size);
  params.emplace_back(p.offset());
  return params;
}

Division division_from(const Result& r, const std::vector<Value>& row) {
  Division d;
  d.id = as_int(row[r.col("id")]);
  if (!is_null(row[r.col("code")])) d.code = as_text(row[r.col("code")]);
  d.name = as_text(row[r.col("name")]);
  d.name_en = as_text(row[r.col("name_en")]);
  d.level = as_text(row[r.col("level")]);
  d.parent_id = as_opt_int(row[r.col("parent_id")]);
  d.path = as_text(row[r.col("path")]);
  return d;
}

const char* kDivisionCols = "id, code, name, name_en, level, parent_id, path";

std::string entrances_json(const std::vector<domain::Entrance>& es) {
  json::array a;
  for (const auto& e : es) a.push_back(json::object{{"name", e.name}, {"direction", e.direction}});
  return json::serialize(a);
}

std::vector<domain::Entrance> entrances_from(const std::string& text) {
  std::vector<domain::Entrance> out;
  json::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& e : v.as_array()) {
    if (!e.is_object()) continue;
    const auto& o = e.as_object();
    domain::Entrance en;
    if (auto n = o.if_contains("name"); n && n->is_string()) en.name = n->as_string().c_str();
    if (auto d = o.if_contains("direction"); d && d->is_string()) en.direction = d->as_string().c_str();
    out.push_back(std::move(en));
  }
  return out;
}

const char* kVenueSelect =
    "SELECT v.id, v.name, v.type, v.address, v.division_id, d.name AS division_name, v.division_path, v.capacity, "
    "v.entrances, v.created_at, v.stop_on_yellow, v.stop_on_travel_flag, v.notices FROM venues v JOIN divisions d ON "
    "d.id = v.division_id";

Venue venue_from(const Result& r, const std::vector<Value>& row) {
  Venue v;
  v.id = as_int(row[r.col("id")]);
  v.name = as_text(row[r.col("name")]);
  v.type = as_text(row[r.col("type")]);
  v.address = as_text(row[r.col("address")]);
  v.division_id = as_int(row[r.col("division_id")]);
  v.division_name = as_text(row[r.col("division_name")]);
  v.division_path = as_text(row[r.col("division_path")]);
  v.capacity = as_opt_int(row[r.col("capacity")]);
  v.entrances = entrances_from(as_text(row[r.col("entrances")]));
  v.created_at = as_int(row[r.col("created_at")]);
  v.stop_on_yellow = as_int(row[r.col("stop_on_yellow")]) != 0;
  v.stop_on_travel_flag = as_int(row[r.col("stop_on_travel_flag")]) != 0;
  v.notices = as_text(row[r.col("notices")]);
  return v;
}

const char* kUserSelect =
    "SELECT u.id, u.username, u.display_name, u.password_hash, u.role, u.division_id, u.venue_id, u.disabled, "
    "u.created_at, d.name AS division_name, d.path AS division_path, v.name AS venue_name, "
    "v.division_path AS venue_division_path "
    "FROM users u LEFT JOIN divisions d ON d.id = u.division_id LEFT JOIN venues v ON v.id = u.venue_id";

User user_from(const Result& r, const std::vector<Value>& row) {
  User u;
  u.id = as_int(row[r.col("id")]);
  u.username = as_text(row[r.col("username")]);
  u.display_name = as_text(row[r.col("display_name")]);
  u.password_hash = as_text(row[r.col("password_hash")]);
  u.role = as_text(row[r.col("role")]);
  u.division_id = as_opt_int(row[r.col("division_id")]);
  u.venue_id = as_opt_int(row[r.col("venue_id")]);
  u.disabled = as_int(row[r.col("disabled")]) != 0;
  u.created_at = as_int(row[r.col("created_at")]);
  u.division_name = as_text(row[r.col("division_name")]);
  u.division_path = as_text(row[r.col("division_path")]);
  u.venue_name = as_text(row[r.col("venue_name")]);
  u.venue_division_path = as_text(row[r.col("venue_division_path")]);
  return u;
}

}  // namespace

// ---- divisions

int64_t insert_division(Connection& c, const Division& d, Millis now) {
  std::string parent_path = "/";
  if (d.parent_id) {
    auto parent = find_division(c, *d.parent_id);
    if (!parent) throw not_found("parent division");
    parent_path = parent->path;
  }
  auto r = c.query(
      "INSERT INTO divisions (code, name, name_en, level, parent_id, path, created_at, updated_at) "
      "VALUES (?, ?, ?, ?, ?, '', ?, ?) RETURNING id",
      {opt(d.code), d.name, null_if_empty(d.name_en), d.level, opt(d.parent_id), now, now});
  int64_t id = as_int(r.rows[0][0]);
  c.query("UPDATE divisions SET path = ? WHERE id = ?", {parent_path + std::to_string(id) + "/", id});
  return id;
}

std::optional<Division> find_division(Connection& c, int64_t id) {
  auto r = c.query(std::string("SELECT ") + kDivisionCols + " FROM divisions WHERE id = ?", {id});
  if (r.empty()) return std::nullopt;
  return division_from(r, r.rows[0]);
}

std::optional<Division> find_division_by_code(Connection& c, const std::string& code) {
  auto r = c.query(std::string("SELECT ") + kDivisionCols + " FROM divisions WHERE code = ?", {code});
  if (r.empty()) return std::nullopt;
  return division_from(r, r.rows[0]);
}

PageOf<Division> list_divisions(Connection& c, const DivisionFilter& f, const Page& p) {
  Where w;
  if (f.parent_id) w.add("parent_id = ?", {*f.parent_id});
  if (f.roots_only) w.add("parent_id IS NULL");
  if (!f.level.empty()) w.add("level = ?", {f.level});
  if (!f.q.empty())
    w.add("(name LIKE ? ESCAPE '\\' OR name_en LIKE ? ESCAPE '\\' OR code LIKE ? ESCAPE '\\')",
          {like_pattern(f.q), like_pattern(f.q), like_pattern(f.q)});
  PageOf<Division> out;
  out.total = count(c, "FROM divisions" + w.sql, w.params);
  auto r = c.query(std::string("SELECT ") + kDivisionCols + " FROM divisions" + w.sql +
                       " ORDER BY COALESCE(code, ''), name, id LIMIT ? OFFSET ?",
                   with_page(w.params, p));
  for (const auto& row : r.rows) out.items.push_back(division_from(r, row));
  return out;
}

void update_division_names(Connection& c, int64_t id, const std::string& name, const std::string& name_en,
                           Millis now) {
  c.query("UPDATE divisions SET name = ?, name_en = ?, updated_at = ? WHERE id = ?",
          {name, null_if_empty(name_en), now, id});
}

int64_t division_references(Connection& c, int64_t id) {
  return count(c,
               "FROM (SELECT id FROM divisions WHERE parent_id = ? UNION ALL SELECT id FROM venues WHERE "
               "division_id = ? UNION ALL SELECT id FROM users WHERE division_id = ?) refs",
               {id, id, id});
}

void delete_division(Connection& c, int64_t id) { c.query("DELETE FROM divisions WHERE id = ?", {id}); }

// ---- venues

int64_t insert_venue(Connection& c, const Venue& v, Millis now) {
  auto r = c.query(
      "INSERT INTO venues (name, type, address, division_id, division_path, capacity, entrances, created_at, "
      "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {v.name, v.type, v.address, v.division_id, v.division_path, opt(v.capacity), entrances_json(v.entrances), now,
       now});
  return as_int(r.rows[0][0]);
}

std::optional<Venue> find_venue(Connection& c, int64_t id) {
  auto r = c.query(std::string(kVenueSelect) + " WHERE v.id = ?", {id});
  if (r.empty()) return std::nullopt;
  return venue_from(r, r.rows[0]);
}

PageOf<Venue> list_venues(Connection& c, const VenueFilter& f, const Page& p) {
  Where w;
  if (f.division_id) {
    auto d = find_division(c, *f.division_id);
    if (!d) return {};
    w.add("v.division_path LIKE ? ESCAPE '\\'", {prefix_pattern(d->path)});
  }
  if (!f.type.empty()) w.add("v.type = ?", {f.type});
  if (!f.q.empty()) w.add("(v.name LIKE ? ESCAPE '\\' OR v.address LIKE ? ESCAPE '\\')", {like_pattern(f.q), like_pattern(f.q)});
  if (!f.within_path.empty()) w.add("v.division_path LIKE ? ESCAPE '\\'", {prefix_pattern(f.within_path)});
  if (f.only_venue) w.add("v.id = ?", {*f.only_venue});
  PageOf<Venue> out;
  out.total = count(c, "FROM venues v" + w.sql, w.params);
  auto r = c.query(std::string(kVenueSelect) + w.sql + " ORDER BY v.id LIMIT ? OFFSET ?", with_page(w.params, p));
  for (const auto& row : r.rows) out.items.push_back(venue_from(r, row));
  return out;
}

void update_venue(Connection& c, const Venue& v, Millis now) {
  c.query(
      "UPDATE venues SET name = ?, type = ?, address = ?, division_id = ?, division_path = ?, capacity = ?, "
      "entrances = ?, updated_at = ? WHERE id = ?",
      {v.name, v.type, v.address, v.division_id, v.division_path, opt(v.capacity), entrances_json(v.entrances), now,
       v.id});
}

int64_t venue_references(Connection& c, int64_t id) {
  return count(c, "FROM (SELECT id FROM users WHERE venue_id = ? UNION ALL SELECT id FROM checkins WHERE venue_id = ?) refs",
               {id, id});
}

void delete_venue(Connection& c, int64_t id) { c.query("DELETE FROM venues WHERE id = ?", {id}); }

// ---- users and sessions

int64_t insert_user(Connection& c, const User& u, Millis now) {
  auto r = c.query(
      "INSERT INTO users (username, display_name, password_hash, role, division_id, venue_id, disabled, created_at, "
      "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {u.username, u.display_name, u.password_hash, u.role, opt(u.division_id), opt(u.venue_id),
       int64_t{u.disabled}, now, now});
  return as_int(r.rows[0][0]);
}

std::optional<User> find_user(Connection& c, int64_t id) {
  auto r = c.query(std::string(kUserSelect) + " WHERE u.id = ?", {id});
  if (r.empty()) return std::nullopt;
  return user_from(r, r.rows[0]);
}

std::optional<User> find_user_by_username(Connection& c, const std::string& username) {
  auto r = c.query(std::string(kUserSelect) + " WHERE u.username = ?", {username});
  if (r.empty()) return std::nullopt;
  return user_from(r, r.rows[0]);
}

PageOf<User> list_users(Connection& c, const UserFilter& f, const Page& p) {
  Where w;
  if (!f.role.empty()) w.add("u.role = ?", {f.role});
  if (!f.q.empty()) w.add("(u.username LIKE ? ESCAPE '\\' OR u.display_name LIKE ? ESCAPE '\\')", {like_pattern(f.q), like_pattern(f.q)});
  if (!f.within_path.empty())
    w.add("(d.path LIKE ? ESCAPE '\\' OR v.division_path LIKE ? ESCAPE '\\')",
          {prefix_pattern(f.within_path), prefix_pattern(f.within_path)});
  PageOf<User> out;
  out.total = count(c,
                    "FROM users u LEFT JOIN divisions d ON d.id = u.division_id LEFT JOIN venues v ON v.id = "
                    "u.venue_id" + w.sql,
                    w.params);
  auto r = c.query(std::string(kUserSelect) + w.sql + " ORDER BY u.id LIMIT ? OFFSET ?", with_page(w.params, p));
  for (const auto& row : r.rows) out.items.push_back(user_from(r, row));
  return out;
}

void update_user(Connection& c, const User& u, Millis now) {
  c.query(
      "UPDATE users SET display_name = ?, password_hash = ?, role = ?, division_id = ?, venue_id = ?, disabled = ?, "
      "updated_at = ? WHERE id = ?",
      {u.display_name, u.password_hash, u.role, opt(u.division_id), opt(u.venue_id), int64_t{u.disabled}, now, u.id});
}

void insert_session(Connection& c, const std::string& token_hash, int64_t user_id, Millis now, Millis expires,
                    const std::string& client_addr) {
  c.query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at, client_addr) VALUES (?, ?, ?, ?, ?)",
          {token_hash, user_id, now, expires, client_addr});
}

std::optional<User> find_session_user(Connection& c, const std::string& token_hash, Millis now) {
  auto r = c.query(std::string(kUserSelect) +
                       " JOIN sessions s ON s.user_id = u.id WHERE s.token_hash = ? AND s.expires_at > ?",
                   {token_hash, now});
  if (r.empty()) return std::nullopt;
  return user_from(r, r.rows[0]);
}

void delete_session(Connection& c, const std::string& token_hash) {
  c.query("DELETE FROM sessions WHERE token_hash = ?", {token_hash});
}

void delete_sessions_of(Connection& c, int64_t user_id) { c.query("DELETE FROM sessions WHERE user_id = ?", {user_id}); }

int64_t purge_expired_sessions(Connection& c, Millis now) {
  return c.query("DELETE FROM sessions WHERE expires_at <= ?", {now}).affected;
}

// ---- audit

void append_audit(Connection& c, const AuditEntry& e) {
  c.query(
      "INSERT INTO audit_log (at, actor_id, actor_username, action, record_type, record_id, client_addr, detail) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {e.at, opt(e.actor_id), null_if_empty(e.actor_username), e.action, null_if_empty(e.record_type),
       null_if_empty(e.record_id), null_if_empty(e.client_addr), null_if_empty(e.detail)});
}

void append_audits(Connection& c, const std::vector<AuditEntry>& es) {
  std::vector<Value> v;
  v.reserve(es.size() * 8);
  for (const auto& e : es)
    for (Value x :
         {Value{e.at}, opt(e.actor_id), null_if_empty(e.actor_username), Value{e.action}, null_if_empty(e.record_type),
          null_if_empty(e.record_id), null_if_empty(e.client_addr), null_if_empty(e.detail)})
      v.push_back(std::move(x));
  insert_rows(
      c,
      "INSERT INTO audit_log (at, actor_id, actor_username, action, record_type, record_id, client_addr, detail) "
      "VALUES ",
      "(?, ?, ?, ?, ?, ?, ?, ?)", "", 8, v);
}

PageOf<AuditEntry> list_audit(Connection& c, const AuditFilter& f, const Page& p) {
  Where w;
  if (!f.actor.empty()) w.add("actor_username = ?", {f.actor});
  if (!f.action.empty()) w.add("action LIKE ? ESCAPE '\\'", {prefix_pattern(f.action)});
  if (!f.record_type.empty()) w.add("record_type = ?", {f.record_type});
  if (f.since) w.add("at >= ?", {*f.since});
  if (f.until) w.add("at < ?", {*f.until});
  PageOf<AuditEntry> out;
  out.total = count(c, "FROM audit_log" + w.sql, w.params);
  auto r = c.query(
      "SELECT id, at, actor_id, actor_username, action, record_type, record_id, client_addr, detail FROM audit_log" +
          w.sql + " ORDER BY id DESC LIMIT ? OFFSET ?",
      with_page(w.params, p));
  for (const auto& row : r.rows) {
    AuditEntry e;
    e.id = as_int(row[0]);
    e.at = as_int(row[1]);
    e.actor_id = as_opt_int(row[2]);
    e.actor_username = as_text(row[3]);
    e.action = as_text(row[4]);
    e.record_type = as_text(row[5]);
    e.record_id = as_text(row[6]);
    e.client_addr = as_text(row[7]);
    e.detail = as_text(row[8]);
    out.items.push_back(std::move(e));
  }
  return out;
}

}  // namespace epinet::store
