// /api/v1/users and /api/v1/audit
#include "core/error.h"
#include "http/json_io.h"

namespace epinet::http {
namespace {

service::UserPatch user_patch(const Request& req) {
  auto b = parse_body(req, {"username", "display_name", "password", "role", "division_id", "venue_id", "disabled"});
  service::UserPatch p;
  p.username = opt_string(b, "username", 64);
  p.display_name = opt_string(b, "display_name", 100);
  p.password = opt_string(b, "password", 128);
  p.role = opt_string(b, "role", 32);
  p.division_id = opt_nullable_int(b, "division_id");
  p.venue_id = opt_nullable_int(b, "venue_id");
  p.disabled = opt_bool(b, "disabled");
  return p;
}

}  // namespace

void register_user_routes(App& app) {
  auto& db = *app.db;
  auto& r = app.router;
  r.add({"GET", "/api/v1/users", Access::kPermission, "users:read", "users",
         "List accounts within the caller's jurisdiction", "", "Page:User", 200, {"role", "q", "page", "page_size"},
         [&db](RouteContext& ctx) {
           store::UserFilter f;
           f.role = query_str(ctx.req, "role");
           f.q = query_str(ctx.req, "q");
           auto p = page_of(ctx.req);
           return page_response(service::list_users(db, *ctx.caller, f, p), p);
         }});
  r.add({"GET", "/api/v1/users/{id}", Access::kPermission, "users:read", "users", "One account (audited read)", "",
         "User", 200, {}, [&db](RouteContext& ctx) {
           return object_response(200, to_json(service::get_user(db, *ctx.caller, ctx.id_param(0))));
         }});
  r.add({"POST", "/api/v1/users", Access::kPermission, "users:write", "users", "Create an account", "UserInput",
         "User", 201, {}, [&db](RouteContext& ctx) {
           return object_response(201, to_json(service::create_user(db, *ctx.caller, user_patch(ctx.req))));
         }});
  r.add({"PATCH", "/api/v1/users/{id}", Access::kPermission, "users:write", "users",
         "Change an account: role, jurisdiction, name, password, disabled", "UserInput", "User", 200, {},
         [&app, &db](RouteContext& ctx) {
           return object_response(200, to_json(service::update_user(db, app.auth, *ctx.caller, ctx.id_param(0),
                                                                    user_patch(ctx.req))));
         }});
  r.add({"GET", "/api/v1/audit", Access::kPermission, "audit:read", "audit",
         "The audit log, newest first (append-only)", "", "Page:AuditEntry", 200,
         {"actor", "action", "record_type", "since", "until", "page", "page_size"}, [&db](RouteContext& ctx) {
           store::AuditFilter f;
           f.actor = query_str(ctx.req, "actor");
           f.action = query_str(ctx.req, "action");
           f.record_type = query_str(ctx.req, "record_type");
           f.since = query_time(ctx.req, "since");
           f.until = query_time(ctx.req, "until");
           auto p = page_of(ctx.req);
           return page_response(service::list_audit(db, f, p), p);
         }});
}

}  // namespace epinet::http
