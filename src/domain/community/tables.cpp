#include "domain/community/tables.h"

#include <cstdio>
#include <map>
#include <unordered_map>

#include "core/error.h"
#include "domain/person/identity.h"

namespace epinet::domain::community {
namespace {

// The index of each template column in the file's header; throws a file-level
// error naming every required column that is missing.
std::map<std::string_view, size_t> locate(const TableFile& t, const std::vector<Column>& cols,
                                           std::vector<RowError>& errors) {
  std::map<std::string_view, size_t> at;
  std::string missing;
  for (const auto& c : cols) {
    if (auto i = find_column(t.header, c.names)) at[c.key] = *i;
    else if (c.required) missing += (missing.empty() ? "" : "、") + std::string(c.names.front()) + " (" + std::string(c.key) + ")";
  }
  if (!missing.empty()) errors.push_back({1, "missing column(s): " + missing + "; download the template for the expected header"});
  return at;
}

std::string get(const TableRow& r, const std::map<std::string_view, size_t>& at, std::string_view key) {
  auto it = at.find(key);
  return it == at.end() ? std::string() : cell(r, it->second);
}

bool too_long(const std::string& s, size_t n) { return s.size() > n; }

}  // namespace

const std::vector<Column>& roster_columns() {
  static const std::vector<Column> cols = {
      {"name", {"姓名", "name"}, true},
      {"id_number", {"身份证号", "身份证号码", "公民身份号码", "证件号码", "id_number"}, true},
      {"phone", {"联系电话", "手机号", "手机号码", "电话", "phone"}, false},
      {"compound", {"小区", "小区名称", "compound"}, true},
      {"building", {"楼栋", "楼号", "楼栋号", "building"}, false},
      {"unit", {"单元", "单元号", "unit"}, false},
      {"room", {"房号", "房间号", "门牌号", "room"}, false},
      {"note", {"备注", "note"}, false},
  };
  return cols;
}

const std::vector<Column>& push_list_columns() {
  static const std::vector<Column> cols = {
      {"name", {"姓名", "name"}, true},
      {"id_number", {"身份证号", "身份证号码", "公民身份号码", "证件号码", "id_number"}, false},
      {"phone", {"联系电话", "手机号", "手机号码", "电话", "phone"}, false},
      {"origin", {"来源地", "来自", "出发地", "来源地区", "origin"}, false},
      {"arrival_date", {"抵达日期", "到达日期", "返回日期", "抵达时间", "arrival_date"}, false},
  };
  return cols;
}

std::vector<std::string> template_header(const std::vector<Column>& cols) {
  std::vector<std::string> h;
  for (const auto& c : cols) h.emplace_back(c.names.front());
  return h;
}

std::optional<std::string> normalize_phone(std::string_view text) {
  std::string d;
  for (char ch : text) {
    if (ch >= '0' && ch <= '9') d += ch;
    else if (ch == ' ' || ch == '-' || ch == '+' || ch == '(' || ch == ')') continue;
    else return std::nullopt;
  }
  if (d.size() == 13 && d.rfind("86", 0) == 0) d = d.substr(2);
  else if (d.size() == 15 && d.rfind("0086", 0) == 0) d = d.substr(4);
  if (d.size() < 7 || d.size() > 15) return std::nullopt;
  return d;
}

std::optional<std::string> normalize_date(std::string_view text) {
  std::string s(text.substr(0, text.find_first_of("T ")));
  int y = 0, m = 0, d = 0;
  auto digits = [](std::string_view v) {
    if (v.empty() || v.size() > 4) return -1;
    int n = 0;
    for (char c : v) {
      if (c < '0' || c > '9') return -1;
      n = n * 10 + (c - '0');
    }
    return n;
  };
  if (s.size() == 8 && digits(s.substr(0, 4)) >= 0 && digits(s.substr(4, 4)) >= 0) {
    y = digits(s.substr(0, 4)), m = digits(s.substr(4, 2)), d = digits(s.substr(6, 2));
  } else {
    std::vector<std::string_view> parts;
    std::string_view v = s;
    for (size_t p; (p = v.find_first_of("-/.")) != std::string_view::npos; v = v.substr(p + 1)) parts.push_back(v.substr(0, p));
    parts.push_back(v);
    if (parts.size() != 3 || parts[0].size() != 4) return std::nullopt;
    y = digits(parts[0]), m = digits(parts[1]), d = digits(parts[2]);
  }
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1]) return std::nullopt;
  if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return std::nullopt;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return std::string(buf);
}

RosterParse parse_roster(const TableFile& t) {
  RosterParse out;
  auto at = locate(t, roster_columns(), out.errors);
  if (!out.errors.empty()) return out;
  std::unordered_map<std::string, int> seen;  // identity number → first line
  for (const auto& r : t.rows) {
    RosterRow row;
    row.line = r.line;
    row.name = get(r, at, "name");
    row.compound = get(r, at, "compound");
    row.building = get(r, at, "building");
    row.unit = get(r, at, "unit");
    row.room = get(r, at, "room");
    row.note = get(r, at, "note");
    std::string problems;
    auto add = [&](const std::string& m) { problems += (problems.empty() ? "" : "; ") + m; };
    if (row.name.empty()) add("姓名 (name) is empty");
    else if (too_long(row.name, 100)) add("姓名 (name) is longer than 100 bytes");
    auto id = check_id_number(get(r, at, "id_number"));
    if (get(r, at, "id_number").empty()) add("身份证号 (id_number) is empty");
    else if (!id) add("身份证号 (id_number): " + std::string(id_problem_message(id.problem)));
    else {
      row.id_number = id.normalized;
      auto [it, fresh] = seen.emplace(row.id_number, row.line);
      if (!fresh) add("身份证号 (id_number) is the same as on line " + std::to_string(it->second));
    }
    std::string phone = get(r, at, "phone");
    if (!phone.empty()) {
      if (auto p = normalize_phone(phone)) row.phone = *p;
      else add("联系电话 (phone) is not a phone number");
    }
    if (row.compound.empty()) add("小区 (compound) is empty");
    if (too_long(row.building, 100) || too_long(row.unit, 50) || too_long(row.room, 50) || too_long(row.note, 500))
      add("楼栋/单元/房号/备注 too long");
    if (!problems.empty()) out.errors.push_back({row.line, problems});
    else out.rows.push_back(std::move(row));
  }
  if (out.rows.empty() && out.errors.empty()) out.errors.push_back({1, "the file has a header but no rows"});
  return out;
}

PushParse parse_push_list(const TableFile& t) {
  PushParse out;
  auto at = locate(t, push_list_columns(), out.errors);
  if (out.errors.empty() && !at.count("id_number") && !at.count("phone"))
    out.errors.push_back({1, "missing column: 身份证号 (id_number) or 联系电话 (phone)"});
  if (!out.errors.empty()) return out;
  for (const auto& r : t.rows) {
    PushRow row;
    row.line = r.line;
    row.name = get(r, at, "name");
    row.origin = get(r, at, "origin");
    std::string problems;
    auto add = [&](const std::string& m) { problems += (problems.empty() ? "" : "; ") + m; };
    if (row.name.empty()) add("姓名 (name) is empty");
    else if (too_long(row.name, 100)) add("姓名 (name) is longer than 100 bytes");
    std::string idt = get(r, at, "id_number"), phone = get(r, at, "phone");
    if (!idt.empty()) {
      auto id = check_id_number(idt);
      if (!id) add("身份证号 (id_number): " + std::string(id_problem_message(id.problem)));
      else row.id_number = id.normalized;
    }
    if (!phone.empty()) {
      if (auto p = normalize_phone(phone)) row.phone = *p;
      else add("联系电话 (phone) is not a phone number");
    }
    if (idt.empty() && phone.empty()) add("a row needs 身份证号 (id_number) or 联系电话 (phone)");
    std::string date = get(r, at, "arrival_date");
    if (!date.empty()) {
      if (auto d = normalize_date(date)) row.arrival_date = *d;
      else add("抵达日期 (arrival_date) is not a date (YYYY-MM-DD)");
    }
    if (too_long(row.origin, 200)) add("来源地 (origin) is longer than 200 bytes");
    if (!problems.empty()) out.errors.push_back({row.line, problems});
    else out.rows.push_back(std::move(row));
  }
  if (out.rows.empty() && out.errors.empty()) out.errors.push_back({1, "the file has a header but no rows"});
  return out;
}

}  // namespace epinet::domain::community
