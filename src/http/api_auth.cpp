// /api/v1/auth/* and /api/v1/me
#include "core/error.h"
#include "http/json_io.h"

namespace epinet::http {

void register_auth_routes(App& app) {
  app.router.add({"POST", "/api/v1/auth/login", Access::kPublic, "", "auth",
                  "Sign in; returns a bearer token and sets the epinet_session cookie", "LoginRequest", "LoginResponse",
                  200, {},
                  [&app](RouteContext& ctx) {
                    auto body = parse_body(ctx.req, {"username", "password"});
                    auto username = opt_string(body, "username", 64);
                    auto password = opt_string(body, "password", 128);
                    if (!username || !password) throw invalid("missing_field", "username and password are required");
                    auto r = app.auth.login(*username, *password, ctx.req.client_addr);
                    Response resp = object_response(
                        200, {{"token", r.token}, {"expires_at", iso8601(r.expires_at)}, {"user", to_json(r.user)}});
                    resp.headers.emplace_back(
                        "Set-Cookie", "epinet_session=" + r.token + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                                          std::to_string(app.config.session_ttl_hours * 3600));
                    resp.headers.emplace_back("Cache-Control", "no-store");
                    return resp;
                  }});
  app.router.add({"POST", "/api/v1/auth/logout", Access::kSignedIn, "", "auth", "End this session", "", "", 204, {},
                  [&app](RouteContext& ctx) {
                    app.auth.logout(ctx.token, *ctx.caller);
                    Response r;
                    r.status = 204;
                    r.headers.emplace_back("Set-Cookie", "epinet_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
                    return r;
                  }});
  app.router.add({"GET", "/api/v1/me", Access::kSignedIn, "", "auth",
                  "The signed-in user, its permissions and jurisdiction", "", "Me", 200, {},
                  [&app](RouteContext& ctx) {
                    std::optional<store::User> u;
                    app.db->read([&](store::Connection& c) { u = store::find_user(c, ctx.caller->who.user_id); });
                    if (!u) throw Error(ErrorKind::kUnauthenticated, "unauthenticated", "sign in first");
                    json::object o = to_json(*u);
                    json::array perms;
                    for (auto& p : domain::permissions_of(ctx.caller->who.role)) perms.push_back(json::string(p));
                    o["permissions"] = std::move(perms);
                    o["jurisdiction"] = json::object{
                        {"division_id", o["division_id"]}, {"division_name", o["division_name"]},
                        {"venue_id", o["venue_id"]}, {"venue_name", o["venue_name"]}};
                    return object_response(200, o);
                  }});
}

}  // namespace epinet::http
