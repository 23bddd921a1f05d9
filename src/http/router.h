// Requests and responses as plain values, the route table, and dispatch: the
// one place that authenticates, checks the role's permission and maps errors
// to HTTP statuses. Free of Beast so that it compiles fast and tests easily.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/config.h"
#include "core/error.h"
#include "http/metrics.h"
#include "service/runtime.h"
#include "service/services.h"
#include "store/database.h"

namespace epinet::http {

struct Request {
  std::string method;  // GET, POST, …
  std::string path;    // without the query string, percent-decoded
  std::map<std::string, std::string> query;
  std::string body;
  std::string authorization;
  std::string cookie;
  std::string content_type;
  std::string client_addr;
};

struct Response {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  // Set by handlers that answer later (after a group commit, say): the
  // server calls it with `answer`; the handler calls `answer` exactly once,
  // from any thread, with a function that builds the final response — the
  // server runs that function on the connection's own thread.
  using Builder = std::function<Response()>;
  std::function<void(std::function<void(Builder)> answer)> deferred;
};

// Who may call a route.
enum class Access { kPublic, kSignedIn, kPermission };

struct RouteContext {
  const Request& req;
  std::vector<std::string> params;     // {…} segments of the pattern, in order
  std::optional<service::Caller> caller;
  std::string token;                   // the session token, when signed in
  int64_t id_param(size_t i) const;    // a {…} segment as a positive id; 404 otherwise
};

using Handler = std::function<Response(RouteContext&)>;

struct Route {
  std::string method;
  std::string pattern;  // "/api/v1/venues/{id}"
  Access access = Access::kPublic;
  std::string permission;  // for kPermission; "a|b" means either
  std::string tag, summary;
  std::string request_schema;   // OpenAPI component name of the body, or ""
  std::string response_schema;  // OpenAPI component name, "" for none, "Page:X" for a page of X
  int success_status = 200;
  std::vector<std::string> query_params;  // documented filters
  Handler handler;
  std::vector<std::string> segments;  // the pattern split at '/', set by Router::add
};

class App;

class Router {
 public:
  void add(Route r);
  // Dispatches a request. `route_id` receives the matched route's index in
  // routes(), or kStaticRoute / kUnmatchedRoute, for metrics.
  Response dispatch(App& app, const Request& req, int& route_id) const;
  static constexpr int kStaticRoute = -1, kUnmatchedRoute = -2;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

// Everything a request may need; built once by `epinet serve`.
class App {
 public:
  App(Config config, std::unique_ptr<store::Database> db);
  ~App();
  Config config;
  std::unique_ptr<store::Database> db;
  service::AuthService auth;
  std::unique_ptr<service::Runtime> runtime;
  Router router;
  Metrics metrics;
  std::map<std::string, std::string> static_files;  // path → content
  std::string openapi_json;
};

// Builds the route table (every API area registers here).
void register_routes(App& app);
void register_auth_routes(App& app);
void register_place_routes(App& app);
void register_user_routes(App& app);
void register_system_routes(App& app);
void register_person_routes(App& app);
void register_checkpoint_routes(App& app);
void register_community_routes(App& app);
void register_tracing_routes(App& app);
void register_management_routes(App& app);
void register_warning_routes(App& app);
std::string build_openapi(const Router& router);
void load_static_files(App& app);
Response serve_static(const App& app, const Request& req);

// Builds the JSON error body for an error code and message.
Response error_response(int status, const std::string& code, const std::string& message);
// The one mapping from an Error to its HTTP status and body.
Response error_response(const Error& e);
Response json_response(int status, const std::string& json_text);

}  // namespace epinet::http
