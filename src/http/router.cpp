#include "http/router.h"

#include <spdlog/spdlog.h>
#include <strings.h>

#include <boost/json.hpp>

#include "core/error.h"

namespace epinet::http {
namespace json = boost::json;

namespace {

std::vector<std::string_view> split_path(std::string_view p) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < p.size()) {
    if (p[i] == '/') {
      ++i;
      continue;
    }
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    out.push_back(p.substr(i, j - i));
    i = j;
  }
  return out;
}

bool match(const std::vector<std::string>& ps, const std::vector<std::string_view>& xs,
           std::vector<std::string>& params) {
  if (ps.size() != xs.size()) return false;
  for (size_t i = 0; i < ps.size(); ++i)
    if (!(ps[i].size() > 1 && ps[i].front() == '{') && ps[i] != xs[i]) return false;
  params.clear();
  for (size_t i = 0; i < ps.size(); ++i)
    if (ps[i].size() > 1 && ps[i].front() == '{') params.emplace_back(xs[i]);
  return true;
}

int status_of(ErrorKind k) {
  switch (k) {
    case ErrorKind::kInvalid: return 400;
    case ErrorKind::kUnauthenticated: return 401;
    case ErrorKind::kForbidden: return 403;
    case ErrorKind::kNotFound: return 404;
    case ErrorKind::kConflict: return 409;
    case ErrorKind::kTooLarge: return 413;
    case ErrorKind::kTooMany: return 429;
    case ErrorKind::kUnavailable: return 503;
    case ErrorKind::kInternal: return 500;
  }
  return 500;
}

std::string session_token(const Request& req) {
  // The scheme name is case-insensitive (RFC 9110 §11.1).
  if (req.authorization.size() > 7 && strncasecmp(req.authorization.c_str(), "bearer ", 7) == 0)
    return req.authorization.substr(7);
  // Cookie: a=b; epinet_session=TOKEN; c=d
  const std::string key = "epinet_session=";
  size_t pos = 0;
  while ((pos = req.cookie.find(key, pos)) != std::string::npos) {
    if (pos == 0 || req.cookie[pos - 1] == ' ' || req.cookie[pos - 1] == ';') {
      size_t end = req.cookie.find(';', pos);
      return req.cookie.substr(pos + key.size(), end == std::string::npos ? std::string::npos : end - pos - key.size());
    }
    pos += key.size();
  }
  return "";
}

// "a:b|c:d": the role needs one of them.
bool has_any(domain::Role role, const std::string& permissions) {
  size_t start = 0;
  for (;;) {
    size_t bar = permissions.find('|', start);
    if (domain::role_has(role, std::string_view(permissions).substr(start, bar - start))) return true;
    if (bar == std::string::npos) return false;
    start = bar + 1;
  }
}

}  // namespace

int64_t RouteContext::id_param(size_t i) const {
  const std::string& s = params.at(i);
  int64_t n = 0;
  if (s.empty() || s.size() > 18) throw not_found("record");
  for (char c : s) {
    if (c < '0' || c > '9') throw not_found("record");
    n = n * 10 + (c - '0');
  }
  if (n <= 0) throw not_found("record");
  return n;
}

Response error_response(int status, const std::string& code, const std::string& message) {
  return json_response(status, json::serialize(json::object{{"error", json::object{{"code", code}, {"message", message}}}}));
}

Response error_response(const Error& e) {
  Response r = error_response(status_of(e.kind()), e.code(), e.what());
  if (e.retry_after_s > 0) r.headers.emplace_back("Retry-After", std::to_string(e.retry_after_s));
  return r;
}

Response json_response(int status, const std::string& json_text) {
  Response r;
  r.status = status;
  r.body = json_text;
  return r;
}

void Router::add(Route r) {
  for (auto seg : split_path(r.pattern)) r.segments.emplace_back(seg);
  routes_.push_back(std::move(r));
}

Response Router::dispatch(App& app, const Request& req, int& route_id) const {
  const bool api = req.path.rfind("/api/", 0) == 0 || req.path == "/healthz" || req.path == "/metrics";
  const Route* found = nullptr;
  bool path_known = false;
  std::vector<std::string> params;
  const auto path = split_path(req.path);
  for (const auto& r : routes_) {
    std::vector<std::string> p;
    if (!match(r.segments, path, p)) continue;
    path_known = true;
    if (r.method == req.method || (req.method == "HEAD" && r.method == "GET")) {
      found = &r;
      params = std::move(p);
      break;
    }
  }
  if (!found) {
    route_id = path_known || api ? kUnmatchedRoute : kStaticRoute;
    if (path_known) return error_response(405, "method_not_allowed", req.method + " is not allowed on " + req.path);
    if (api) return error_response(404, "not_found", "no such endpoint: " + req.path);
    if (req.method != "GET" && req.method != "HEAD") return error_response(405, "method_not_allowed", "static files are read-only");
    return serve_static(app, req);
  }
  route_id = static_cast<int>(found - routes_.data());
  RouteContext ctx{req, std::move(params), std::nullopt, ""};
  try {
    if (found->access != Access::kPublic) {
      ctx.token = session_token(req);
      auto who = app.auth.authenticate(ctx.token);
      if (!who) return error_response(401, "unauthenticated", "sign in first");
      if (found->access == Access::kPermission && !has_any(who->role, found->permission))
        return error_response(403, "forbidden", "your role may not " + found->permission);
      ctx.caller = service::Caller{*who, req.client_addr};
    }
    return found->handler(ctx);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::kInternal || e.kind() == ErrorKind::kUnavailable)
      spdlog::error("{} {}: {}", req.method, req.path, e.what());
    return error_response(e);
  } catch (const std::exception& e) {
    spdlog::error("{} {}: {}", req.method, req.path, e.what());
    return error_response(500, "internal", "internal error");
  }
}

App::App(Config c, std::unique_ptr<store::Database> d)
    : config(std::move(c)), db(std::move(d)), auth(*db, config), runtime(std::make_unique<service::Runtime>(*db, config)) {}
App::~App() = default;

void register_routes(App& app) {
  register_system_routes(app);
  register_auth_routes(app);
  register_place_routes(app);
  register_user_routes(app);
  register_person_routes(app);
  register_checkpoint_routes(app);
  register_community_routes(app);
  register_tracing_routes(app);
  register_management_routes(app);
  register_warning_routes(app);
  app.openapi_json = build_openapi(app.router);
  // Metric series: one per route, then static files, then unmatched requests.
  std::vector<std::string> labels;
  for (const auto& r : app.router.routes()) labels.push_back(r.method + " " + r.pattern);
  labels.push_back("GET static");
  labels.push_back("ANY unmatched");
  app.metrics.define(std::move(labels));
  load_static_files(app);
}

}  // namespace epinet::http
