#include "http/router.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "../test_support.h"
#include "domain/access/access.h"
#include "store/migrations.h"

namespace epinet::http {
namespace {

namespace json = boost::json;
using epinet::testing::Contains;
using epinet::testing::TempDir;

constexpr const char* kDemoPassword = "demo-Passw0rd";

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() { start({}); }

  // (Re)builds the app; `extra` settings override the test defaults.
  void start(const std::map<std::string, std::string>& extra) {
    app_.reset();
    Config config = epinet::testing::test_config(dir_.path(), extra);
    config.demo_password = kDemoPassword;
    auto db = epinet::testing::open_migrated_sqlite(dir_.path());
    app_ = std::make_unique<App>(std::move(config), std::move(db));
    register_routes(*app_);
  }

  void seed() { service::seed_demo(*app_->db, app_->config); }

  Response call(const std::string& method, const std::string& path, const std::string& body = "",
                const std::string& token = "", std::map<std::string, std::string> query = {}) {
    Request req;
    req.method = method;
    req.path = path;
    req.body = body;
    req.query = std::move(query);
    req.client_addr = "127.0.0.1";
    if (!body.empty()) req.content_type = "application/json";
    if (!token.empty()) req.authorization = "Bearer " + token;
    route_ = 0;
    return app_->router.dispatch(*app_, req, route_);
  }

  std::string login(const std::string& username, const std::string& password = kDemoPassword) {
    Response r = call("POST", "/api/v1/auth/login",
                      json::serialize(json::object{{"username", username}, {"password", password}}));
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return "";
    return std::string(json::parse(r.body).at("token").as_string());
  }

  static std::string header(const Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return "";
  }

  // The error code of a JSON error body; fails the test when the body is not
  // {"error":{"code":string,"message":string}}.
  static std::string error_code(const Response& r) {
    EXPECT_EQ(r.content_type, "application/json");
    json::error_code ec;
    json::value v = json::parse(r.body, ec);
    if (ec || !v.is_object() || !v.as_object().contains("error")) {
      ADD_FAILURE() << "not an error body: " << r.body;
      return "";
    }
    const auto& e = v.at("error");
    if (!e.is_object() || !e.as_object().contains("code") || !e.at("code").is_string() ||
        !e.as_object().contains("message") || !e.at("message").is_string() || e.at("message").as_string().empty()) {
      ADD_FAILURE() << "error lacks code or message: " << r.body;
      return "";
    }
    return std::string(e.at("code").as_string());
  }

  TempDir dir_;
  std::unique_ptr<App> app_;
  int route_ = 0;
  // The matched route's pattern, or the special id's name.
  std::string label() const {
    if (route_ == Router::kUnmatchedRoute) return "unmatched";
    if (route_ == Router::kStaticRoute) return "static";
    return app_->router.routes().at(static_cast<size_t>(route_)).pattern;
  }
};

TEST_F(RouterTest, UnknownApiPathIs404WithJsonErrorBody) {
  Response r = call("GET", "/api/v1/no-such-thing");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(error_code(r), "not_found");
  EXPECT_EQ(label(), "unmatched");
  EXPECT_EQ(call("POST", "/api/v2/venues").status, 404);
}

TEST_F(RouterTest, WrongMethodOnAKnownPathIs405) {
  Response r = call("DELETE", "/api/v1/version");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(error_code(r), "method_not_allowed");
  EXPECT_EQ(call("POST", "/api/v1/venues/5").status, 405) << "/venues/{id} has GET, PATCH and DELETE only";
  EXPECT_EQ(call("GET", "/api/v1/auth/login").status, 405);
}

TEST_F(RouterTest, HeadIsAnsweredLikeGet) {
  EXPECT_EQ(call("HEAD", "/healthz").status, 200);
  EXPECT_EQ(label(), "/healthz");
}

TEST_F(RouterTest, HealthAndVersionArePublic) {
  Response h = call("GET", "/healthz");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(json::parse(h.body).at("status"), "ok");
  Response v = call("GET", "/api/v1/version");
  ASSERT_EQ(v.status, 200);
  auto o = json::parse(v.body);
  EXPECT_EQ(o.at("schema_version").as_int64(), store::embedded_migrations().back().version);
  EXPECT_EQ(o.at("database"), "sqlite");
  EXPECT_EQ(o.at("version"), EPINET_VERSION);
}

TEST_F(RouterTest, ProtectedRoutesWithoutTokenAre401) {
  for (const char* path : {"/api/v1/me", "/api/v1/venues", "/api/v1/divisions", "/api/v1/users", "/api/v1/audit"}) {
    Response r = call("GET", path);
    EXPECT_EQ(r.status, 401) << path;
    EXPECT_EQ(error_code(r), "unauthenticated") << path;
  }
  EXPECT_EQ(call("POST", "/api/v1/auth/logout").status, 401);
}

TEST_F(RouterTest, UnknownTokenIs401) {
  EXPECT_EQ(call("GET", "/api/v1/me", "", "not-a-session-token").status, 401);
  EXPECT_EQ(call("GET", "/api/v1/me", "", std::string(300, 'a')).status, 401);
}

TEST_F(RouterTest, LoginThenBearerTokenWorks) {
  seed();
  Response r = call("POST", "/api/v1/auth/login", R"({"username":"admin","password":"demo-Passw0rd"})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = json::parse(r.body).as_object();
  std::string token(body.at("token").as_string());
  EXPECT_GE(token.size(), 40u);
  EXPECT_EQ(body.at("user").at("username"), "admin");
  EXPECT_FALSE(body.at("user").as_object().contains("password_hash")) << "the hash never leaves the server";
  EXPECT_EQ(r.body.find("argon2"), std::string::npos);
  std::string cookie = header(r, "Set-Cookie");
  EXPECT_TRUE(Contains(cookie, "epinet_session=" + token));
  EXPECT_TRUE(Contains(cookie, "HttpOnly"));

  Response me = call("GET", "/api/v1/me", "", token);
  ASSERT_EQ(me.status, 200) << me.body;
  auto m = json::parse(me.body);
  EXPECT_EQ(m.at("username"), "admin");
  EXPECT_EQ(m.at("role"), "admin");
  std::vector<std::string> listed;
  for (const auto& p : m.at("permissions").as_array()) listed.emplace_back(p.as_string());
  EXPECT_EQ(listed, domain::permissions_of(domain::Role::kAdmin)) << "the admin's permissions, in the table's order";
  EXPECT_EQ(m.at("jurisdiction").at("division_name"), "晋中市");
}

TEST_F(RouterTest, SessionCookieWorksLikeABearerToken) {
  seed();
  std::string token = login("commander");
  Request req;
  req.method = "GET";
  req.path = "/api/v1/me";
  req.cookie = "theme=dark; epinet_session=" + token + "; lang=zh";
  EXPECT_EQ(app_->router.dispatch(*app_, req, route_).status, 200);
  req.cookie = "xepinet_session=" + token;
  EXPECT_EQ(app_->router.dispatch(*app_, req, route_).status, 401) << "a cookie whose name only ends the same";
}

TEST_F(RouterTest, LogoutEndsTheSession) {
  seed();
  std::string token = login("commander");
  EXPECT_EQ(call("POST", "/api/v1/auth/logout", "", token).status, 204);
  EXPECT_EQ(call("GET", "/api/v1/me", "", token).status, 401);
}

TEST_F(RouterTest, WrongPasswordIs401WithoutSayingWhichPartWasWrong) {
  seed();
  Response wrong_pw = call("POST", "/api/v1/auth/login", R"({"username":"admin","password":"wrong-password"})");
  Response no_user = call("POST", "/api/v1/auth/login", R"({"username":"nobody","password":"wrong-password"})");
  EXPECT_EQ(wrong_pw.status, 401);
  EXPECT_EQ(no_user.status, 401);
  EXPECT_EQ(error_code(wrong_pw), "invalid_credentials");
  EXPECT_EQ(wrong_pw.body, no_user.body);
}

TEST_F(RouterTest, ThrottledLoginIs429WithRetryAfter) {
  start({{"EPINET_LOGIN_MAX_FAILURES", "1"}});
  seed();
  EXPECT_EQ(call("POST", "/api/v1/auth/login", R"({"username":"admin","password":"wrong-password"})").status, 401);
  Response r = call("POST", "/api/v1/auth/login", R"({"username":"admin","password":"demo-Passw0rd"})");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(error_code(r), "too_many_attempts");
  int retry = std::atoi(header(r, "Retry-After").c_str());
  EXPECT_GT(retry, 0);
  EXPECT_LE(retry, app_->config.login_window_s);
}

TEST_F(RouterTest, CommanderMayNotListUsers) {
  seed();
  std::string token = login("commander");
  Response r = call("GET", "/api/v1/users", "", token);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(error_code(r), "forbidden");
  EXPECT_EQ(call("GET", "/api/v1/audit", "", token).status, 403);
  EXPECT_EQ(call("GET", "/api/v1/venues", "", token).status, 200) << "but may read venues";
}

TEST_F(RouterTest, ResidentMayReadNothing) {
  seed();
  std::string token = login("resident");
  EXPECT_EQ(call("GET", "/api/v1/me", "", token).status, 200);
  EXPECT_EQ(call("GET", "/api/v1/venues", "", token).status, 403);
  EXPECT_EQ(call("GET", "/api/v1/divisions", "", token).status, 403);
}

TEST_F(RouterTest, VenueStaffSeesOnlyItsVenue) {
  seed();
  std::string token = login("venue_staff");
  Response r = call("GET", "/api/v1/venues", "", token);
  ASSERT_EQ(r.status, 200) << r.body;
  auto page = json::parse(r.body);
  EXPECT_EQ(page.at("total").as_int64(), 1);
  ASSERT_EQ(page.at("items").as_array().size(), 1u);
  EXPECT_EQ(page.at("items").at(0).at("name"), "晋中市民之家");
}

TEST_F(RouterTest, AdminSeesAllVenuesPaged) {
  seed();
  std::string token = login("admin");
  Response r = call("GET", "/api/v1/venues", "", token, {{"page", "2"}, {"page_size", "10"}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto page = json::parse(r.body);
  EXPECT_GT(page.at("total").as_int64(), 300);
  EXPECT_EQ(page.at("items").as_array().size(), 10u);
  EXPECT_EQ(page.at("page").as_int64(), 2);
  EXPECT_EQ(page.at("page_size").as_int64(), 10);
}

TEST_F(RouterTest, VenueStaffCannotOpenAnotherVenue) {
  seed();
  std::string admin = login("admin");
  auto all = json::parse(call("GET", "/api/v1/venues", "", admin, {{"q", "晋中汽车客运总站"}}).body);
  ASSERT_EQ(all.at("total").as_int64(), 1);
  int64_t station = all.at("items").at(0).at("id").as_int64();
  std::string staff = login("venue_staff");
  Response r = call("GET", "/api/v1/venues/" + std::to_string(station), "", staff);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(error_code(r), "forbidden");
}

TEST_F(RouterTest, CreatedVenueIsReturnedValidatedAndAudited) {
  seed();
  std::string token = login("admin");
  auto districts =
      json::parse(call("GET", "/api/v1/divisions", "", token, {{"q", "140702"}, {"level", "district"}}).body);
  ASSERT_EQ(districts.at("total").as_int64(), 1);
  int64_t yuci = districts.at("items").at(0).at("id").as_int64();

  json::object venue{{"name", "榆次区核酸采样点"},
                     {"type", "other"},
                     {"division_id", yuci},
                     {"capacity", 50},
                     {"entrances", json::array{json::object{{"name", "入口"}, {"direction", "in"}}}}};
  Response created = call("POST", "/api/v1/venues", json::serialize(venue), token);
  ASSERT_EQ(created.status, 201) << created.body;
  auto v = json::parse(created.body);
  EXPECT_EQ(v.at("name"), "榆次区核酸采样点");
  EXPECT_EQ(v.at("division_name"), "榆次区");
  EXPECT_EQ(v.at("entrances").at(0).at("direction"), "in");
  int64_t id = v.at("id").as_int64();
  EXPECT_EQ(call("GET", "/api/v1/venues/" + std::to_string(id), "", token).status, 200);

  venue["entrances"] = json::array{json::object{{"name", "门"}, {"direction", "in"}},
                                   json::object{{"name", "门"}, {"direction", "out"}}};
  Response dup = call("POST", "/api/v1/venues", json::serialize(venue), token);
  EXPECT_EQ(dup.status, 400);
  EXPECT_EQ(error_code(dup), "invalid_field");

  auto audit = json::parse(call("GET", "/api/v1/audit", "", token, {{"action", "venue.create"}}).body);
  ASSERT_EQ(audit.at("total").as_int64(), 1) << "the rejected venue is not audited as created";
  EXPECT_EQ(audit.at("items").at(0).at("actor_username"), "admin");
  EXPECT_EQ(audit.at("items").at(0).at("record_id").as_string(), std::to_string(id));

  std::string worker = login("community_worker");
  EXPECT_EQ(call("POST", "/api/v1/venues", json::serialize(venue), worker).status, 403)
      << "community workers may not create venues";
}

TEST_F(RouterTest, BadQueryParametersAre400) {
  seed();
  std::string token = login("admin");
  EXPECT_EQ(error_code(call("GET", "/api/v1/venues", "", token, {{"page_size", "0"}})), "invalid_query");
  EXPECT_EQ(error_code(call("GET", "/api/v1/venues", "", token, {{"page", "abc"}})), "invalid_query");
  EXPECT_EQ(error_code(call("GET", "/api/v1/audit", "", token, {{"since", "2026-13-01"}})), "invalid_query");
  EXPECT_EQ(call("GET", "/api/v1/venues", "", token, {{"page_size", "501"}}).status, 400);
}

TEST_F(RouterTest, NonNumericOrUnknownIdIs404) {
  seed();
  std::string token = login("admin");
  EXPECT_EQ(call("GET", "/api/v1/venues/abc", "", token).status, 404);
  EXPECT_EQ(call("GET", "/api/v1/venues/0", "", token).status, 404);
  EXPECT_EQ(call("GET", "/api/v1/venues/-3", "", token).status, 404);
  EXPECT_EQ(call("GET", "/api/v1/venues/999999", "", token).status, 404);
  EXPECT_EQ(call("GET", "/api/v1/venues/99999999999999999999999", "", token).status, 404);
}

TEST_F(RouterTest, MalformedJsonIs400InvalidJson) {
  for (const char* body : {"{", "not json", "{\"username\":}", "[1,2]", "\"text\"", "null"}) {
    Response r = call("POST", "/api/v1/auth/login", body);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_EQ(error_code(r), "invalid_json") << body;
  }
}

TEST_F(RouterTest, EmptyBodyIs400) {
  Request req;
  req.method = "POST";
  req.path = "/api/v1/auth/login";
  EXPECT_EQ(app_->router.dispatch(*app_, req, route_).status, 400);
}

TEST_F(RouterTest, UnknownFieldIs400NamingTheField) {
  Response r = call("POST", "/api/v1/auth/login", R"({"username":"admin","password":"x","remember_me":true})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_code(r), "invalid_field");
  EXPECT_TRUE(Contains(r.body, "remember_me"));
}

TEST_F(RouterTest, WrongFieldTypeOrMissingFieldIs400) {
  EXPECT_EQ(call("POST", "/api/v1/auth/login", R"({"username":1,"password":"x"})").status, 400);
  EXPECT_EQ(error_code(call("POST", "/api/v1/auth/login", R"({"username":"admin"})")), "missing_field");
}

TEST_F(RouterTest, NonJsonContentTypeIs400) {
  Request req;
  req.method = "POST";
  req.path = "/api/v1/auth/login";
  req.body = R"({"username":"admin","password":"x"})";
  req.content_type = "application/x-www-form-urlencoded";
  Response r = app_->router.dispatch(*app_, req, route_);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(error_code(r), "unsupported_media_type");
}

TEST_F(RouterTest, OpenApiDocumentListsEveryRoute) {
  json::error_code ec;
  json::value doc = json::parse(app_->openapi_json, ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(doc.at("openapi"), "3.1.0");
  const auto& paths = doc.at("paths").as_object();
  ASSERT_FALSE(app_->router.routes().empty());
  for (const auto& r : app_->router.routes()) {
    std::string method = r.method;
    for (auto& ch : method) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    ASSERT_TRUE(paths.contains(r.pattern)) << r.pattern;
    const auto& item = paths.at(r.pattern).as_object();
    ASSERT_TRUE(item.contains(method)) << r.method << " " << r.pattern;
    const auto& op = item.at(method).as_object();
    EXPECT_TRUE(op.at("responses").as_object().contains(std::to_string(r.success_status)))
        << r.method << " " << r.pattern;
    if (r.access == Access::kPermission) {
      EXPECT_TRUE(op.at("responses").as_object().contains("403")) << r.method << " " << r.pattern;
    }
  }
  // Every $ref points at a schema that exists.
  const auto& schemas = doc.at("components").at("schemas").as_object();
  std::string text = app_->openapi_json;
  const std::string prefix = "#/components/schemas/";
  for (size_t p = text.find(prefix); p != std::string::npos; p = text.find(prefix, p + 1)) {
    size_t end = text.find('"', p);
    std::string name = text.substr(p + prefix.size(), end - p - prefix.size());
    EXPECT_TRUE(schemas.contains(name)) << "dangling $ref to " << name;
  }
}

TEST_F(RouterTest, OpenApiDocumentIsServed) {
  Response r = call("GET", "/api/v1/openapi.json");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, app_->openapi_json);
}

TEST_F(RouterTest, NonApiPathWithoutBuiltUiGetsFallbackPage) {
  for (const char* path : {"/", "/venues", "/venues/12/edit"}) {
    Response r = call("GET", path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_TRUE(Contains(r.content_type, "text/html")) << path;
    EXPECT_TRUE(Contains(r.body, "/api/v1/openapi.json")) << path;
    EXPECT_EQ(label(), "static");
  }
}

TEST_F(RouterTest, MissingFileLookingPathIs404) {
  Response r = call("GET", "/x.js");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(error_code(r), "not_found");
  EXPECT_EQ(call("GET", "/assets/app.css").status, 404);
}

TEST_F(RouterTest, StaticFilesAreReadOnly) { EXPECT_EQ(call("POST", "/index.html").status, 405); }

TEST_F(RouterTest, BuiltUiIsServedWithSinglePageFallback) {
  std::filesystem::create_directories(dir_.file("web/assets"));
  std::ofstream(dir_.file("web/index.html")) << "<!doctype html><div id=app></div>";
  std::ofstream(dir_.file("web/assets/index-abc123.js")) << "console.log(1)";
  start({{"EPINET_WEB_DIR", dir_.file("web")}});

  Response js = call("GET", "/assets/index-abc123.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.body, "console.log(1)");
  EXPECT_TRUE(Contains(js.content_type, "javascript"));
  EXPECT_TRUE(Contains(header(js, "Cache-Control"), "immutable")) << "hashed assets are cached for good";

  Response page = call("GET", "/venues/3");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.body, "<!doctype html><div id=app></div>");
  EXPECT_TRUE(Contains(page.content_type, "text/html"));
  EXPECT_EQ(header(page, "Cache-Control"), "no-cache") << "index.html must be revalidated after a deploy";

  EXPECT_EQ(call("GET", "/missing.png").status, 404);
  EXPECT_EQ(call("GET", "/api/v1/nothing").status, 404) << "API paths never fall back to the UI";
}

}  // namespace
}  // namespace epinet::http
