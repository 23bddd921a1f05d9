#include "store/community.h"

#include <unordered_map>

#include "core/error.h"

namespace epinet::store {
namespace {

const char* kResidenceSelect =
    "SELECT id, person_id, community_id, compound_id, building_id, unit, room, division_path, moved_in_at, "
    "moved_out_at, move_note, created_by FROM residences";

Residence residence_from(const std::vector<Value>& r) {
  Residence x;
  x.id = as_int(r[0]);
  x.person_id = as_int(r[1]);
  x.community_id = as_int(r[2]);
  x.compound_id = as_int(r[3]);
  x.building_id = as_opt_int(r[4]);
  x.unit = as_text(r[5]);
  x.room = as_text(r[6]);
  x.division_path = as_text(r[7]);
  x.moved_in_at = as_int(r[8]);
  x.moved_out_at = as_opt_int(r[9]);
  x.move_note = as_text(r[10]);
  x.created_by = as_int(r[11]);
  return x;
}

// The first id on `path` below `prefix` ('/1/3/' + '17/40/' → 17), 0 when none.
int64_t child_below(const std::string& path, const std::string& prefix) {
  if (path.size() <= prefix.size() || path.compare(0, prefix.size(), prefix) != 0) return 0;
  int64_t n = 0;
  for (size_t i = prefix.size(); i < path.size() && path[i] != '/'; ++i) n = n * 10 + (path[i] - '0');
  return n;
}

const char* kReturneeSelect =
    "SELECT r.id, r.person_id, r.community_id, r.division_path, r.origin_code, r.origin_name, r.risk_area_id, "
    "r.transport, r.transport_no, r.departed_at, r.arrived_at, r.phone, r.tests, r.origin_level, r.measure, "
    "r.travel_flag, r.managed_case_id, r.channel, r.registered_by, r.created_at, p.name FROM returnees r "
    "JOIN persons p ON p.id = r.person_id";

Returnee returnee_from(const std::vector<Value>& r) {
  Returnee x;
  x.id = as_int(r[0]);
  x.person_id = as_int(r[1]);
  x.community_id = as_int(r[2]);
  x.division_path = as_text(r[3]);
  x.origin_code = as_text(r[4]);
  x.origin_name = as_text(r[5]);
  x.risk_area_id = as_opt_int(r[6]);
  x.transport = as_text(r[7]);
  x.transport_no = as_text(r[8]);
  x.departed_at = as_int(r[9]);
  x.arrived_at = as_int(r[10]);
  x.phone = as_text(r[11]);
  x.tests_json = as_text(r[12]);
  x.origin_level = as_text(r[13]);
  x.measure = as_text(r[14]);
  x.travel_flag = as_int(r[15]) != 0;
  x.managed_case_id = as_opt_int(r[16]);
  x.channel = as_text(r[17]);
  x.registered_by = as_int(r[18]);
  x.created_at = as_int(r[19]);
  x.person_name = as_text(r[20]);
  return x;
}

const char* kListSelect =
    "SELECT l.id, l.name, l.community_id, l.community_path, d.name, l.deadline, l.file_name, l.total, l.uploaded_by, "
    "l.created_at FROM push_lists l JOIN divisions d ON d.id = l.community_id";

PushList list_from(const std::vector<Value>& r) {
  PushList l;
  l.id = as_int(r[0]);
  l.name = as_text(r[1]);
  l.community_id = as_int(r[2]);
  l.community_path = as_text(r[3]);
  l.community_name = as_text(r[4]);
  l.deadline = as_int(r[5]);
  l.file_name = as_text(r[6]);
  l.total = as_int(r[7]);
  l.uploaded_by = as_int(r[8]);
  l.created_at = as_int(r[9]);
  return l;
}

const char* kItemSelect =
    "SELECT i.list_id, i.line, i.name, i.id_hash, i.id_masked, i.phone, i.origin, i.arrival_date, i.bucket, "
    "i.matched_by, i.match_note, i.person_id, i.compound_id, i.division_path, i.assignee_id, i.status, i.outcome, "
    "i.outcome_reason, i.outcome_by, i.outcome_at, i.reminded_at, u.display_name, cd.name, l.name, l.deadline "
    "FROM push_list_items i JOIN push_lists l ON l.id = i.list_id LEFT JOIN users u ON u.id = i.assignee_id "
    "LEFT JOIN divisions cd ON cd.id = i.compound_id";

PushItem item_from(const std::vector<Value>& r) {
  PushItem i;
  i.list_id = as_int(r[0]);
  i.line = as_int(r[1]);
  i.name = as_text(r[2]);
  i.id_hash = as_text(r[3]);
  i.id_masked = as_text(r[4]);
  i.phone = as_text(r[5]);
  i.origin = as_text(r[6]);
  i.arrival_date = as_text(r[7]);
  i.bucket = as_text(r[8]);
  i.matched_by = as_text(r[9]);
  i.match_note = as_text(r[10]);
  i.person_id = as_opt_int(r[11]);
  i.compound_id = as_opt_int(r[12]);
  i.division_path = as_text(r[13]);
  i.assignee_id = as_opt_int(r[14]);
  i.status = as_text(r[15]);
  i.outcome = as_text(r[16]);
  i.outcome_reason = as_text(r[17]);
  i.outcome_by = as_opt_int(r[18]);
  i.outcome_at = as_opt_int(r[19]);
  i.reminded_at = as_opt_int(r[20]);
  i.assignee_name = as_text(r[21]);
  i.compound_name = as_text(r[22]);
  i.list_name = as_text(r[23]);
  i.deadline = as_int(r[24]);
  return i;
}

const char* kDisinfectionSelect =
    "SELECT x.id, x.compound_id, x.division_path, d.name, x.area, x.done_at, x.method, x.team, x.note, x.has_photo, "
    "x.created_by, x.created_at FROM disinfections x JOIN divisions d ON d.id = x.compound_id";

Disinfection disinfection_from(const std::vector<Value>& r) {
  Disinfection x;
  x.id = as_int(r[0]);
  x.compound_id = as_int(r[1]);
  x.division_path = as_text(r[2]);
  x.compound_name = as_text(r[3]);
  x.area = as_text(r[4]);
  x.done_at = as_int(r[5]);
  x.method = as_text(r[6]);
  x.team = as_text(r[7]);
  x.note = as_text(r[8]);
  x.has_photo = as_int(r[9]) != 0;
  x.created_by = as_int(r[10]);
  x.created_at = as_int(r[11]);
  return x;
}

}  // namespace

// ---- residences

int64_t insert_residence(Connection& c, const Residence& r, Millis now) {
  auto res = c.query(
      "INSERT INTO residences (person_id, community_id, compound_id, building_id, unit, room, division_path, "
      "moved_in_at, moved_out_at, move_note, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
      "RETURNING id",
      {r.person_id, r.community_id, r.compound_id, opt(r.building_id), r.unit, r.room, r.division_path, r.moved_in_at,
       opt(r.moved_out_at), null_if_empty(r.move_note), r.created_by, now});
  return as_int(res.rows[0][0]);
}

std::optional<Residence> current_residence(Connection& c, int64_t person_id) {
  auto r = c.query(std::string(kResidenceSelect) + " WHERE person_id = ? AND moved_out_at IS NULL ORDER BY id DESC LIMIT 1",
                   {person_id});
  if (r.empty()) return std::nullopt;
  return residence_from(r.rows[0]);
}

std::vector<Residence> list_residences(Connection& c, int64_t person_id) {
  std::vector<Residence> out;
  for (const auto& row : c.query(std::string(kResidenceSelect) + " WHERE person_id = ? ORDER BY moved_in_at DESC, id DESC",
                                 {person_id}).rows)
    out.push_back(residence_from(row));
  return out;
}

void close_residence(Connection& c, int64_t id, Millis at, const std::string& note) {
  c.query("UPDATE residences SET moved_out_at = ?, move_note = ? WHERE id = ? AND moved_out_at IS NULL",
          {at, null_if_empty(note), id});
}

PageOf<RosterEntry> list_roster(Connection& c, const RosterFilter& f, const Page& pg) {
  std::vector<Value> params;
  std::string sql;
  if (!f.moved_out) {
    // Current residents: under the path, and not someone whose every residence is closed.
    sql = " FROM persons p JOIN divisions d ON d.id = p.division_id LEFT JOIN divisions pd ON pd.id = d.parent_id "
          "LEFT JOIN residences r ON r.person_id = p.id AND "
          "r.moved_out_at IS NULL WHERE p.division_path LIKE ? ESCAPE '\\' AND (r.id IS NOT NULL OR NOT EXISTS "
          "(SELECT 1 FROM residences o WHERE o.person_id = p.id))";
    params.push_back(prefix_pattern(f.within_path));
  } else {
    sql = " FROM residences r JOIN persons p ON p.id = r.person_id JOIN divisions d ON d.id = p.division_id "
          "LEFT JOIN divisions pd ON pd.id = d.parent_id "
          "WHERE r.division_path LIKE ? ESCAPE '\\' AND r.moved_out_at IS NOT NULL AND r.id = (SELECT MAX(o.id) FROM "
          "residences o WHERE o.person_id = p.id) ";
    params.push_back(prefix_pattern(f.within_path));
  }
  if (!f.unit.empty()) {
    sql += " AND r.unit = ?";
    params.push_back(f.unit);
  }
  if (!f.room.empty()) {
    sql += " AND r.room = ?";
    params.push_back(f.room);
  }
  if (!f.q.empty()) {
    sql += " AND (p.name LIKE ? ESCAPE '\\' OR p.phone LIKE ? ESCAPE '\\')";
    params.push_back(prefix_pattern(f.q));
    params.push_back(prefix_pattern(f.q));
  }
  PageOf<RosterEntry> out;
  out.total = as_int(c.query("SELECT COUNT(*)" + sql, params).rows[0][0]);
  params.push_back(pg.page_size);
  params.push_back(pg.offset());
  auto r = c.query(
      "SELECT p.id, p.name, p.phone, p.id_masked, p.division_id, d.name, p.division_path, r.unit, r.room, "
      "r.moved_in_at, r.moved_out_at, p.manage_status, d.level, pd.name" +
          sql + " ORDER BY p.division_path, r.unit, r.room, p.id LIMIT ? OFFSET ?",
      params);
  for (const auto& row : r.rows) {
    RosterEntry e;
    e.person_id = as_int(row[0]);
    e.name = as_text(row[1]);
    e.phone = as_text(row[2]);
    e.id_masked = as_text(row[3]);
    e.division_id = as_int(row[4]);
    e.division_name = as_text(row[5]);
    e.division_path = as_text(row[6]);
    e.unit = as_text(row[7]);
    e.room = as_text(row[8]);
    e.moved_in_at = as_opt_int(row[9]);
    e.moved_out_at = as_opt_int(row[10]);
    e.manage_status = as_text(row[11]);
    if (as_text(row[12]) == "building") e.building_name = e.division_name, e.compound_name = as_text(row[13]);
    else e.compound_name = e.division_name;
    out.items.push_back(std::move(e));
  }
  return out;
}

std::vector<RoomCount> count_rooms(Connection& c, int64_t community_id) {
  std::vector<RoomCount> out;
  for (const auto& row :
       c.query("SELECT compound_id, building_id, unit, room, COUNT(*) FROM residences WHERE community_id = ? AND "
               "moved_out_at IS NULL GROUP BY compound_id, building_id, unit, room ORDER BY compound_id, building_id, "
               "unit, room",
               {community_id}).rows)
    out.push_back({as_int(row[0]), as_opt_int(row[1]), as_text(row[2]), as_text(row[3]), as_int(row[4])});
  return out;
}

std::vector<std::pair<int64_t, int64_t>> count_by_division(Connection& c, const std::string& within_path) {
  std::vector<std::pair<int64_t, int64_t>> out;
  for (const auto& row : c.query("SELECT p.division_id, COUNT(*) FROM persons p WHERE p.division_path LIKE ? ESCAPE "
                                 "'\\' AND (EXISTS (SELECT 1 FROM residences r WHERE r.person_id = p.id AND "
                                 "r.moved_out_at IS NULL) OR NOT EXISTS (SELECT 1 FROM residences o WHERE o.person_id = "
                                 "p.id)) GROUP BY p.division_id",
                                 {prefix_pattern(within_path)}).rows)
    out.emplace_back(as_int(row[0]), as_int(row[1]));
  return out;
}

std::vector<domain::community::Resident> load_roster(Connection& c, int64_t community_id,
                                                     const std::string& community_path, Millis registered_since) {
  std::vector<domain::community::Resident> out;
  std::unordered_map<int64_t, size_t> at;
  // The compound of each division under the community (itself, or a building's compound).
  std::unordered_map<int64_t, int64_t> compound_of;
  for (const auto& r : c.query("SELECT id, path FROM divisions WHERE path LIKE ? ESCAPE '\\'", {prefix_pattern(community_path)}).rows)
    compound_of[as_int(r[0])] = child_below(as_text(r[1]), community_path);
  auto rows = c.query("SELECT id, id_hash, phone, name, division_id FROM persons WHERE division_path LIKE ? ESCAPE '\\'",
                      {prefix_pattern(community_path)});
  out.reserve(rows.rows.size());
  at.reserve(rows.rows.size());
  for (auto& row : rows.rows) {
    domain::community::Resident r;
    r.person_id = as_int(row[0]);
    r.id_hash = std::move(std::get<std::string>(row[1]));
    if (auto* s = std::get_if<std::string>(&row[2])) r.phone = std::move(*s);
    r.name = std::move(std::get<std::string>(row[3]));
    if (auto it = compound_of.find(as_int(row[4])); it != compound_of.end()) r.compound_id = it->second;
    at.emplace(r.person_id, out.size());
    out.push_back(std::move(r));
  }
  rows.rows.clear();
  // Those whose last residence in the community is closed and who live nowhere else now.
  auto moved = c.query(
      "SELECT p.id, p.id_hash, p.phone, p.name, r.compound_id FROM residences r JOIN persons p ON p.id = r.person_id "
      "WHERE r.community_id = ? AND r.moved_out_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM residences o WHERE "
      "o.person_id = r.person_id AND o.moved_out_at IS NULL)",
      {community_id});
  for (const auto& row : moved.rows) {
    int64_t pid = as_int(row[0]);
    auto it = at.find(pid);
    if (it != at.end()) {
      out[it->second].moved_out = true;
      continue;
    }
    domain::community::Resident r;
    r.person_id = pid;
    r.id_hash = as_text(row[1]);
    r.phone = as_text(row[2]);
    r.name = as_text(row[3]);
    r.compound_id = as_int(row[4]);
    r.moved_out = true;
    at.emplace(pid, out.size());
    out.push_back(std::move(r));
  }
  for (const auto& row :
       c.query("SELECT DISTINCT person_id FROM returnees WHERE arrived_at >= ?", {registered_since}).rows) {
    auto it = at.find(as_int(row[0]));
    if (it != at.end()) out[it->second].registered = true;
  }
  return out;
}

// ---- returnees

int64_t insert_returnee(Connection& c, const Returnee& r, Millis now) {
  auto res = c.query(
      "INSERT INTO returnees (person_id, community_id, division_path, origin_code, origin_name, risk_area_id, "
      "transport, transport_no, departed_at, arrived_at, phone, tests, origin_level, measure, travel_flag, "
      "managed_case_id, channel, registered_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
      "?, ?, ?) RETURNING id",
      {r.person_id, r.community_id, r.division_path, r.origin_code, r.origin_name, opt(r.risk_area_id), r.transport,
       r.transport_no, r.departed_at, r.arrived_at, r.phone, r.tests_json, r.origin_level, r.measure,
       int64_t{r.travel_flag ? 1 : 0}, opt(r.managed_case_id), r.channel, r.registered_by, now});
  return as_int(res.rows[0][0]);
}

std::optional<Returnee> find_returnee(Connection& c, int64_t id) {
  auto r = c.query(std::string(kReturneeSelect) + " WHERE r.id = ?", {id});
  if (r.empty()) return std::nullopt;
  return returnee_from(r.rows[0]);
}

PageOf<Returnee> list_returnees(Connection& c, const ReturneeFilter& f, const Page& pg) {
  std::string where = " WHERE 1 = 1";
  std::vector<Value> params;
  if (!f.within_path.empty()) {
    where += " AND r.division_path LIKE ? ESCAPE '\\'";
    params.push_back(prefix_pattern(f.within_path));
  }
  if (f.person_id) {
    where += " AND r.person_id = ?";
    params.push_back(*f.person_id);
  }
  if (!f.measure.empty()) {
    where += " AND r.measure = ?";
    params.push_back(f.measure);
  }
  PageOf<Returnee> out;
  out.total = as_int(c.query("SELECT COUNT(*) FROM returnees r" + where, params).rows[0][0]);
  params.push_back(pg.page_size);
  params.push_back(pg.offset());
  for (const auto& row : c.query(std::string(kReturneeSelect) + where + " ORDER BY r.id DESC LIMIT ? OFFSET ?", params).rows)
    out.items.push_back(returnee_from(row));
  return out;
}

// ---- pushed lists

int64_t insert_push_list(Connection& c, const PushList& l) {
  auto r = c.query(
      "INSERT INTO push_lists (name, community_id, community_path, deadline, file_name, total, uploaded_by, "
      "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {l.name, l.community_id, l.community_path, l.deadline, l.file_name, l.total, l.uploaded_by, l.created_at});
  return as_int(r.rows[0][0]);
}

void insert_push_items(Connection& c, const std::vector<PushItem>& items) {
  constexpr size_t kPerStatement = 400;  // 20 parameters a row: well under both databases' limits
  const std::string head =
      "INSERT INTO push_list_items (list_id, line, name, id_hash, id_masked, phone, origin, arrival_date, bucket, "
      "matched_by, match_note, person_id, compound_id, division_path, assignee_id, status, outcome, outcome_reason, "
      "outcome_by, outcome_at) VALUES ";
  const std::string one = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  std::string full_sql;
  for (size_t start = 0; start < items.size(); start += kPerStatement) {
    size_t n = std::min(kPerStatement, items.size() - start);
    std::string sql;
    if (n == kPerStatement && !full_sql.empty()) {
      sql = full_sql;
    } else {
      sql = head;
      for (size_t k = 0; k < n; ++k) sql += (k ? ", " : "") + one;
      if (n == kPerStatement) full_sql = sql;
    }
    std::vector<Value> p;
    p.reserve(n * 20);
    for (size_t k = start; k < start + n; ++k) {
      const auto& i = items[k];
      p.insert(p.end(), {i.list_id, i.line, i.name, null_if_empty(i.id_hash), null_if_empty(i.id_masked),
                         null_if_empty(i.phone), i.origin, i.arrival_date, i.bucket, i.matched_by, i.match_note,
                         opt(i.person_id), opt(i.compound_id), i.division_path, opt(i.assignee_id), i.status,
                         null_if_empty(i.outcome), null_if_empty(i.outcome_reason), opt(i.outcome_by), opt(i.outcome_at)});
    }
    c.query(sql, p);
  }
}

std::optional<PushList> find_push_list(Connection& c, int64_t id) {
  auto r = c.query(std::string(kListSelect) + " WHERE l.id = ?", {id});
  if (r.empty()) return std::nullopt;
  return list_from(r.rows[0]);
}

std::vector<PushList> list_push_lists(Connection& c, const std::string& within_path, int64_t limit) {
  std::vector<PushList> out;
  for (const auto& row : c.query(std::string(kListSelect) + " WHERE l.community_path LIKE ? ESCAPE '\\' ORDER BY l.id DESC LIMIT ?",
                                 {prefix_pattern(within_path), limit}).rows)
    out.push_back(list_from(row));
  return out;
}

namespace {
std::string item_where(const PushItemFilter& f, std::vector<Value>& params) {
  std::string w = " WHERE 1 = 1";
  if (f.list_id) {
    w += " AND i.list_id = ?";
    params.push_back(*f.list_id);
  }
  if (!f.within_path.empty()) {
    w += " AND i.division_path LIKE ? ESCAPE '\\'";
    params.push_back(prefix_pattern(f.within_path));
  }
  for (auto [col, v] : {std::pair{"i.bucket", &f.bucket}, {"i.status", &f.status}, {"i.outcome", &f.outcome}})
    if (!v->empty()) {
      w += std::string(" AND ") + col + " = ?";
      params.push_back(*v);
    }
  if (f.assignee_id) {
    w += " AND i.assignee_id = ?";
    params.push_back(*f.assignee_id);
  }
  if (f.overdue_only) {
    w += " AND i.status = 'open' AND l.deadline < ?";
    params.push_back(f.now);
  }
  if (!f.q.empty()) {
    w += " AND (i.name LIKE ? ESCAPE '\\' OR i.phone LIKE ? ESCAPE '\\')";
    params.push_back(prefix_pattern(f.q));
    params.push_back(prefix_pattern(f.q));
  }
  return w;
}
}  // namespace

PageOf<PushItem> list_push_items(Connection& c, const PushItemFilter& f, const Page& pg) {
  std::vector<Value> params;
  std::string w = item_where(f, params);
  PageOf<PushItem> out;
  out.total = as_int(
      c.query("SELECT COUNT(*) FROM push_list_items i JOIN push_lists l ON l.id = i.list_id" + w, params).rows[0][0]);
  params.push_back(pg.page_size);
  params.push_back(pg.offset());
  for (const auto& row : c.query(std::string(kItemSelect) + w + " ORDER BY l.deadline, i.list_id, i.line LIMIT ? OFFSET ?", params).rows)
    out.items.push_back(item_from(row));
  return out;
}

std::optional<PushItem> find_push_item(Connection& c, int64_t list_id, int64_t line) {
  auto r = c.query(std::string(kItemSelect) + " WHERE i.list_id = ? AND i.line = ?", {list_id, line});
  if (r.empty()) return std::nullopt;
  return item_from(r.rows[0]);
}

void set_item_outcome(Connection& c, int64_t list_id, int64_t line, const std::string& outcome,
                      const std::string& reason, int64_t by, Millis at) {
  c.query("UPDATE push_list_items SET status = 'closed', outcome = ?, outcome_reason = ?, outcome_by = ?, outcome_at = ? "
          "WHERE list_id = ? AND line = ?",
          {outcome, null_if_empty(reason), by, at, list_id, line});
}

void assign_item(Connection& c, int64_t list_id, int64_t line, int64_t assignee_id) {
  c.query("UPDATE push_list_items SET assignee_id = ? WHERE list_id = ? AND line = ?", {assignee_id, list_id, line});
}

PushCounts count_push_items(Connection& c, std::optional<int64_t> list_id, const std::string& within_path, Millis now) {
  std::vector<Value> params{now};
  std::string w = " WHERE 1 = 1";
  if (list_id) {
    w += " AND i.list_id = ?";
    params.push_back(*list_id);
  }
  if (!within_path.empty()) {
    w += " AND i.division_path LIKE ? ESCAPE '\\'";
    params.push_back(prefix_pattern(within_path));
  }
  auto r = c.query(
      "SELECT COUNT(*), "
      "SUM(CASE WHEN i.bucket = 'registered' THEN 1 ELSE 0 END), SUM(CASE WHEN i.bucket = 'unregistered' THEN 1 ELSE 0 END), "
      "SUM(CASE WHEN i.bucket = 'unmatched' THEN 1 ELSE 0 END), SUM(CASE WHEN i.bucket = 'duplicate' THEN 1 ELSE 0 END), "
      "SUM(CASE WHEN i.status = 'open' THEN 1 ELSE 0 END), SUM(CASE WHEN i.status = 'open' AND l.deadline < ? THEN 1 ELSE 0 END), "
      "SUM(CASE WHEN i.outcome = 'registered' THEN 1 ELSE 0 END), SUM(CASE WHEN i.outcome = 'not_here' THEN 1 ELSE 0 END), "
      "SUM(CASE WHEN i.outcome = 'moved_away' THEN 1 ELSE 0 END), SUM(CASE WHEN i.outcome = 'duplicate' THEN 1 ELSE 0 END) "
      "FROM push_list_items i JOIN push_lists l ON l.id = i.list_id" + w,
      params);
  const auto& row = r.rows[0];
  PushCounts k;
  int64_t* f[] = {&k.total, &k.registered, &k.unregistered, &k.unmatched, &k.duplicate, &k.open,
                  &k.overdue, &k.outcome_registered, &k.outcome_not_here, &k.outcome_moved_away, &k.outcome_duplicate};
  for (size_t i = 0; i < std::size(f); ++i) *f[i] = as_int(row[i]);
  return k;
}

domain::community::OpenElsewhere open_items_elsewhere(Connection& c, const std::string& community_path) {
  domain::community::OpenElsewhere out;
  for (const auto& row : c.query("SELECT i.list_id, i.line, i.id_hash, i.phone FROM push_list_items i JOIN push_lists l ON "
                                 "l.id = i.list_id WHERE l.community_path = ? AND i.status = 'open'",
                                 {community_path}).rows) {
    std::string where = "list:" + std::to_string(as_int(row[0])) + ":" + std::to_string(as_int(row[1]));
    if (!is_null(row[2])) out.emplace(as_text(row[2]), where);
    if (!is_null(row[3])) out.emplace(as_text(row[3]), where);
  }
  return out;
}

std::vector<std::pair<int64_t, int64_t>> open_items_of_person(Connection& c, int64_t person_id, const std::string& id_hash) {
  std::vector<std::pair<int64_t, int64_t>> out;
  // Two queries, so that each uses its partial index.
  for (const auto& row : c.query("SELECT list_id, line FROM push_list_items WHERE person_id = ? AND status = 'open'",
                                 {person_id}).rows)
    out.emplace_back(as_int(row[0]), as_int(row[1]));
  for (const auto& row : c.query("SELECT list_id, line FROM push_list_items WHERE id_hash = ? AND status = 'open' AND "
                                 "person_id IS NULL",
                                 {id_hash}).rows)
    out.emplace_back(as_int(row[0]), as_int(row[1]));
  return out;
}

int64_t mark_overdue_reminded(Connection& c, Millis now, Millis since) {
  return c.query("UPDATE push_list_items SET reminded_at = ? WHERE status = 'open' AND (reminded_at IS NULL OR "
                 "reminded_at < ?) AND list_id IN (SELECT id FROM push_lists WHERE deadline < ?)",
                 {now, since, now})
      .affected;
}

std::vector<std::pair<int64_t, std::string>> workers_over(Connection& c, const std::string& community_path) {
  std::vector<std::pair<int64_t, std::string>> out;
  for (const auto& row : c.query("SELECT u.id, d.path FROM users u JOIN divisions d ON d.id = u.division_id WHERE "
                                 "u.role = 'community_worker' AND u.disabled = 0 AND (d.path LIKE ? ESCAPE '\\' OR ? "
                                 "LIKE d.path || '%') ORDER BY u.id",
                                 {prefix_pattern(community_path), community_path}).rows)
    out.emplace_back(as_int(row[0]), as_text(row[1]));
  return out;
}

// ---- disinfection log

int64_t insert_disinfection(Connection& c, const Disinfection& d, Millis now) {
  auto r = c.query(
      "INSERT INTO disinfections (compound_id, division_path, area, done_at, method, team, note, has_photo, "
      "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {d.compound_id, d.division_path, d.area, d.done_at, d.method, d.team, d.note, int64_t{d.has_photo ? 1 : 0},
       d.created_by, now});
  return as_int(r.rows[0][0]);
}

std::optional<Disinfection> find_disinfection(Connection& c, int64_t id) {
  auto r = c.query(std::string(kDisinfectionSelect) + " WHERE x.id = ?", {id});
  if (r.empty()) return std::nullopt;
  return disinfection_from(r.rows[0]);
}

PageOf<Disinfection> list_disinfections(Connection& c, const DisinfectionFilter& f, const Page& pg) {
  std::string w = " WHERE x.division_path LIKE ? ESCAPE '\\'";
  std::vector<Value> params{prefix_pattern(f.within_path)};
  if (f.from) {
    w += " AND x.done_at >= ?";
    params.push_back(f.from);
  }
  if (f.to) {
    w += " AND x.done_at < ?";
    params.push_back(f.to);
  }
  if (!f.team.empty()) {
    w += " AND x.team = ?";
    params.push_back(f.team);
  }
  if (!f.area.empty()) {
    w += " AND x.area LIKE ? ESCAPE '\\'";
    params.push_back(like_pattern(f.area));
  }
  PageOf<Disinfection> out;
  out.total = as_int(c.query("SELECT COUNT(*) FROM disinfections x" + w, params).rows[0][0]);
  params.push_back(pg.page_size);
  params.push_back(pg.offset());
  for (const auto& row : c.query(std::string(kDisinfectionSelect) + w + " ORDER BY x.done_at DESC, x.id DESC LIMIT ? OFFSET ?",
                                 params).rows)
    out.items.push_back(disinfection_from(row));
  return out;
}

void put_disinfection_photo(Connection& c, int64_t id, const std::string& content_type, const std::string& base64) {
  c.query("INSERT INTO disinfection_photos (disinfection_id, content_type, data) VALUES (?, ?, ?)", {id, content_type, base64});
  c.query("UPDATE disinfections SET has_photo = 1 WHERE id = ?", {id});
}

std::optional<std::pair<std::string, std::string>> disinfection_photo(Connection& c, int64_t id) {
  auto r = c.query("SELECT content_type, data FROM disinfection_photos WHERE disinfection_id = ?", {id});
  if (r.empty()) return std::nullopt;
  return std::pair{as_text(r.rows[0][0]), as_text(r.rows[0][1])};
}

}  // namespace epinet::store

namespace epinet::store {

std::vector<Division> divisions_under(Connection& c, const std::string& path) {
  std::vector<Division> out;
  for (const auto& r : c.query("SELECT id, code, name, name_en, level, parent_id, path FROM divisions WHERE path LIKE ? "
                               "ESCAPE '\\' ORDER BY path",
                               {prefix_pattern(path)}).rows) {
    Division d;
    d.id = as_int(r[0]);
    if (!is_null(r[1])) d.code = as_text(r[1]);
    d.name = as_text(r[2]);
    d.name_en = as_text(r[3]);
    d.level = as_text(r[4]);
    d.parent_id = as_opt_int(r[5]);
    d.path = as_text(r[6]);
    out.push_back(std::move(d));
  }
  return out;
}

void set_returnee_travel_flag(Connection& c, int64_t returnee_id, bool flagged) {
  c.query("UPDATE returnees SET travel_flag = ? WHERE id = ?", {int64_t{flagged ? 1 : 0}, returnee_id});
}

bool has_returnee_since(Connection& c, int64_t person_id, Millis since) {
  return !c.query("SELECT 1 FROM returnees WHERE person_id = ? AND arrived_at >= ? LIMIT 1", {person_id, since}).empty();
}

void set_returnee_case(Connection& c, int64_t returnee_id, int64_t managed_case_id) {
  c.query("UPDATE returnees SET managed_case_id = ? WHERE id = ?", {managed_case_id, returnee_id});
}

}  // namespace epinet::store

namespace epinet::store {

std::vector<int64_t> match_list_by_join(Connection& c, const std::string& community_path,
                                        const std::vector<domain::community::ListRow>& rows) {
  c.exec_script("DROP TABLE IF EXISTS push_match; CREATE TEMP TABLE push_match (line BIGINT, id_hash TEXT, phone TEXT, name TEXT)");
  constexpr size_t kPer = 500;
  for (size_t s = 0; s < rows.size(); s += kPer) {
    size_t n = std::min(kPer, rows.size() - s);
    std::string sql = "INSERT INTO push_match (line, id_hash, phone, name) VALUES ";
    std::vector<Value> p;
    for (size_t k = 0; k < n; ++k) {
      const auto& r = rows[s + k];
      sql += k ? ", (?, ?, ?, ?)" : "(?, ?, ?, ?)";
      p.insert(p.end(), {int64_t{r.line}, null_if_empty(r.id_hash), null_if_empty(r.phone), null_if_empty(r.name)});
    }
    c.query(sql, p);
  }
  auto pat = prefix_pattern(community_path);
  auto res = c.query(
      "WITH phones AS (SELECT phone, MIN(id) AS id, MIN(id_hash) AS id_hash FROM persons WHERE division_path LIKE ? "
      "ESCAPE '\\' AND phone IS NOT NULL GROUP BY phone HAVING COUNT(*) = 1), "
      "names AS (SELECT name, MIN(id) AS id, MIN(id_hash) AS id_hash, MIN(phone) AS phone FROM persons WHERE "
      "division_path LIKE ? ESCAPE '\\' GROUP BY name HAVING COUNT(*) = 1) "
      "SELECT l.line, COALESCE(r1.id, p2.id, n3.id, 0) FROM push_match l "
      "LEFT JOIN person_ids x ON x.id_hash = l.id_hash "
      "LEFT JOIN persons r1 ON r1.id = x.person_id AND r1.division_path LIKE ? ESCAPE '\\' "
      "LEFT JOIN phones p2 ON p2.phone = l.phone AND (l.id_hash IS NULL OR p2.id_hash = l.id_hash) "
      "LEFT JOIN names n3 ON n3.name = l.name AND (l.id_hash IS NULL OR n3.id_hash = l.id_hash) AND "
      "(l.phone IS NULL OR n3.phone IS NULL OR n3.phone = l.phone) ORDER BY l.line",
      {pat, pat, pat});
  std::vector<int64_t> out;
  out.reserve(res.rows.size());
  for (const auto& r : res.rows) out.push_back(as_int(r[1]));
  c.exec_script("DROP TABLE push_match");
  return out;
}

void insert_residents_bulk(Connection& c, const std::vector<Person>& persons, Millis now) {
  constexpr size_t kPer = 500;
  for (size_t s = 0; s < persons.size(); s += kPer) {
    size_t n = std::min(kPer, persons.size() - s);
    std::string sql =
        "INSERT INTO persons (id_hash, id_enc, id_masked, name, phone, division_id, division_path, household_id, "
        "case_status, manage_status, state_changed_at, created_at, updated_at) VALUES ";
    std::vector<Value> p;
    p.reserve(n * 12);
    for (size_t k = 0; k < n; ++k) {
      const auto& x = persons[s + k];
      sql += k ? ", (?, ?, ?, ?, ?, ?, ?, 0, 'none', 'none', ?, ?, ?)" : "(?, ?, ?, ?, ?, ?, ?, 0, 'none', 'none', ?, ?, ?)";
      p.insert(p.end(), {x.id_hash, x.id_enc, x.id_masked, x.name, null_if_empty(x.phone), x.division_id, x.division_path,
                         now, now, now});
    }
    c.query(sql, p);
  }
  c.query("UPDATE persons SET household_id = id WHERE household_id = 0");
  c.query("INSERT INTO person_ids (id_hash, person_id) SELECT p.id_hash, p.id FROM persons p LEFT JOIN person_ids x ON "
          "x.id_hash = p.id_hash WHERE x.id_hash IS NULL");
}

}  // namespace epinet::store
