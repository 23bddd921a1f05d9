#include "http/json_io.h"

#include "core/error.h"

namespace epinet::http {

json::object parse_body(const Request& req, std::initializer_list<std::string_view> allowed) {
  if (!req.content_type.empty() && req.content_type.find("application/json") == std::string::npos)
    throw Error(ErrorKind::kInvalid, "unsupported_media_type", "send the body as application/json");
  json::error_code ec;
  json::value v = json::parse(req.body, ec);
  if (ec) throw invalid("invalid_json", "the body is not valid JSON: " + ec.message());
  if (!v.is_object()) throw invalid("invalid_json", "the body must be a JSON object");
  json::object o = std::move(v.as_object());
  for (const auto& kv : o) {
    bool known = false;
    for (auto a : allowed) known = known || kv.key() == a;
    if (!known) throw invalid("invalid_field", "unknown field '" + std::string(kv.key()) + "'");
  }
  return o;
}

std::optional<std::string> opt_string(const json::object& o, std::string_view key, size_t max_len) {
  auto v = o.if_contains(key);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_string()) throw invalid("invalid_field", std::string(key) + " must be a string");
  if (v->as_string().size() > max_len)
    throw invalid("invalid_field", std::string(key) + " is longer than " + std::to_string(max_len) + " bytes");
  return std::string(v->as_string());
}

std::optional<int64_t> opt_int(const json::object& o, std::string_view key) {
  auto v = o.if_contains(key);
  if (!v || v->is_null()) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(v->as_uint64());
  throw invalid("invalid_field", std::string(key) + " must be a whole number");
}

std::optional<bool> opt_bool(const json::object& o, std::string_view key) {
  auto v = o.if_contains(key);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_bool()) throw invalid("invalid_field", std::string(key) + " must be true or false");
  return v->as_bool();
}

std::optional<std::optional<int64_t>> opt_nullable_int(const json::object& o, std::string_view key) {
  auto v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_null()) return std::optional<int64_t>{};
  return opt_int(o, key);
}

std::optional<int64_t> query_int(const Request& req, const std::string& key) {
  auto it = req.query.find(key);
  if (it == req.query.end() || it->second.empty()) return std::nullopt;
  try {
    size_t pos = 0;
    long long n = std::stoll(it->second, &pos);
    if (pos == it->second.size()) return n;
  } catch (const std::exception&) {
  }
  throw invalid("invalid_query", key + " must be a whole number");
}

std::string query_str(const Request& req, const std::string& key) {
  auto it = req.query.find(key);
  if (it == req.query.end()) return "";
  if (it->second.size() > 200) throw invalid("invalid_query", key + " is longer than 200 bytes");
  return it->second;
}

std::optional<Millis> query_time(const Request& req, const std::string& key) {
  std::string s = query_str(req, key);
  if (s.empty()) return std::nullopt;
  auto t = parse_iso8601(s);
  if (!t) throw invalid("invalid_query", key + " must be an ISO 8601 time such as 2026-11-29T08:00:00Z");
  return t;
}

std::optional<Millis> body_time(const json::object& o, std::string_view key) {
  auto s = opt_string(o, key, 40);
  if (!s) return std::nullopt;
  auto t = parse_iso8601(*s);
  if (!t) throw invalid("invalid_field", std::string(key) + " must be an ISO 8601 time");
  return t;
}

Millis required_body_time(const json::object& o, std::string_view key) {
  auto t = body_time(o, key);
  if (!t) throw invalid("missing_field", std::string(key) + " is required");
  return *t;
}

store::Page page_of(const Request& req) {
  store::Page p;
  p.page = query_int(req, "page").value_or(1);
  p.page_size = query_int(req, "page_size").value_or(50);
  if (p.page < 1 || p.page > 1000000) throw invalid("invalid_query", "page must be from 1 to 1,000,000");
  if (p.page_size < 1 || p.page_size > 500) throw invalid("invalid_query", "page_size must be from 1 to 500");
  return p;
}

namespace {
json::value nullable(const std::optional<int64_t>& v) { return v ? json::value(*v) : json::value(nullptr); }
json::value nullable(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }
}  // namespace

json::object to_json(const store::Division& d) {
  return {{"id", d.id},
          {"code", d.code ? json::value(*d.code) : json::value(nullptr)},
          {"name", d.name},
          {"name_en", nullable(d.name_en)},
          {"level", d.level},
          {"parent_id", nullable(d.parent_id)},
          {"path", d.path}};
}

json::object to_json(const store::Venue& v) {
  json::array es;
  for (const auto& e : v.entrances) es.push_back(json::object{{"name", e.name}, {"direction", e.direction}});
  return {{"id", v.id},
          {"name", v.name},
          {"type", v.type},
          {"address", v.address},
          {"division_id", v.division_id},
          {"division_name", v.division_name},
          {"capacity", nullable(v.capacity)},
          {"entrances", std::move(es)},
          {"stop_on_yellow", v.stop_on_yellow},
          {"stop_on_travel_flag", v.stop_on_travel_flag},
          {"notices", v.notices},
          {"created_at", iso8601(v.created_at)}};
}

json::object to_json(const store::User& u) {
  return {{"id", u.id},
          {"username", u.username},
          {"display_name", u.display_name},
          {"role", u.role},
          {"division_id", nullable(u.division_id)},
          {"division_name", nullable(u.division_name)},
          {"venue_id", nullable(u.venue_id)},
          {"venue_name", nullable(u.venue_name)},
          {"disabled", u.disabled},
          {"created_at", iso8601(u.created_at)}};
}

json::object to_json(const store::AuditEntry& e) {
  json::value detail = nullptr;
  if (!e.detail.empty()) {
    json::error_code ec;
    detail = json::parse(e.detail, ec);
    if (ec) detail = e.detail;
  }
  return {{"id", e.id},
          {"at", iso8601(e.at)},
          {"actor_id", nullable(e.actor_id)},
          {"actor_username", nullable(e.actor_username)},
          {"action", e.action},
          {"record_type", nullable(e.record_type)},
          {"record_id", nullable(e.record_id)},
          {"client_addr", nullable(e.client_addr)},
          {"detail", detail}};
}

}  // namespace epinet::http
