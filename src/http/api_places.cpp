// /api/v1/divisions and /api/v1/venues
#include "core/error.h"
#include "http/json_io.h"

namespace epinet::http {
namespace {

std::vector<domain::Entrance> entrances_of(const json::object& o) {
  std::vector<domain::Entrance> out;
  auto v = o.if_contains("entrances");
  if (!v->is_array()) throw invalid("invalid_field", "entrances must be an array of {name, direction}");
  for (const auto& e : v->as_array()) {
    if (!e.is_object()) throw invalid("invalid_field", "entrances must be an array of {name, direction}");
    const auto& eo = e.as_object();
    domain::Entrance en;
    en.name = opt_string(eo, "name", 100).value_or("");
    en.direction = opt_string(eo, "direction", 10).value_or("both");
    out.push_back(std::move(en));
  }
  return out;
}

service::VenuePatch venue_patch(const Request& req) {
  auto b = parse_body(req, {"name", "type", "address", "division_id", "capacity", "entrances"});
  service::VenuePatch p;
  p.name = opt_string(b, "name", 200);
  p.type = opt_string(b, "type", 40);
  p.address = opt_string(b, "address", 500);
  p.division_id = opt_int(b, "division_id");
  p.capacity = opt_nullable_int(b, "capacity");
  if (b.contains("entrances")) p.entrances = entrances_of(b);
  return p;
}

Response no_content() {
  Response r;
  r.status = 204;
  return r;
}

}  // namespace

void register_place_routes(App& app) {
  auto& db = *app.db;
  auto& venue_cache = app.runtime->venues;
  auto& r = app.router;
  r.add({"GET", "/api/v1/divisions", Access::kPermission, "divisions:read", "places",
         "List divisions (roots when no filter is given)", "", "Page:Division", 200,
         {"parent_id", "level", "q", "page", "page_size"}, [&db](RouteContext& ctx) {
           store::DivisionFilter f;
           f.parent_id = query_int(ctx.req, "parent_id");
           f.level = query_str(ctx.req, "level");
           f.q = query_str(ctx.req, "q");
           f.roots_only = !f.parent_id && f.level.empty() && f.q.empty();
           auto p = page_of(ctx.req);
           return page_response(service::list_divisions(db, f, p), p);
         }});
  r.add({"GET", "/api/v1/divisions/{id}", Access::kPermission, "divisions:read", "places", "One division", "",
         "Division", 200, {}, [&db](RouteContext& ctx) {
           return object_response(200, to_json(service::get_division(db, ctx.id_param(0))));
         }});
  r.add({"POST", "/api/v1/divisions", Access::kPermission, "divisions:write", "places",
         "Create a division under a parent", "DivisionInput", "Division", 201, {}, [&db](RouteContext& ctx) {
           auto b = parse_body(ctx.req, {"code", "name", "name_en", "level", "parent_id"});
           service::DivisionInput in;
           in.code = opt_string(b, "code", 18);
           in.name = opt_string(b, "name", 200).value_or("");
           in.name_en = opt_string(b, "name_en", 200).value_or("");
           in.level = opt_string(b, "level", 20).value_or("");
           in.parent_id = opt_int(b, "parent_id");
           if (!in.parent_id) throw invalid("missing_field", "parent_id is required");
           return object_response(201, to_json(service::create_division(db, *ctx.caller, in)));
         }});
  r.add({"PATCH", "/api/v1/divisions/{id}", Access::kPermission, "divisions:write", "places",
         "Rename a division", "DivisionPatch", "Division", 200, {}, [&db](RouteContext& ctx) {
           auto b = parse_body(ctx.req, {"name", "name_en"});
           return object_response(200, to_json(service::rename_division(db, *ctx.caller, ctx.id_param(0),
                                                                        opt_string(b, "name", 200),
                                                                        opt_string(b, "name_en", 200))));
         }});
  r.add({"DELETE", "/api/v1/divisions/{id}", Access::kPermission, "divisions:write", "places",
         "Delete a division that nothing refers to", "", "", 204, {}, [&db](RouteContext& ctx) {
           service::delete_division(db, *ctx.caller, ctx.id_param(0));
           return no_content();
         }});

  r.add({"GET", "/api/v1/venues", Access::kPermission, "venues:read", "places",
         "List venues within the caller's jurisdiction", "", "Page:Venue", 200,
         {"division_id", "type", "q", "page", "page_size"}, [&db](RouteContext& ctx) {
           store::VenueFilter f;
           f.division_id = query_int(ctx.req, "division_id");
           f.type = query_str(ctx.req, "type");
           f.q = query_str(ctx.req, "q");
           auto p = page_of(ctx.req);
           return page_response(service::list_venues(db, *ctx.caller, f, p), p);
         }});
  r.add({"GET", "/api/v1/venues/{id}", Access::kPermission, "venues:read", "places", "One venue", "", "Venue", 200,
         {}, [&db](RouteContext& ctx) {
           return object_response(200, to_json(service::get_venue(db, *ctx.caller, ctx.id_param(0))));
         }});
  r.add({"POST", "/api/v1/venues", Access::kPermission, "venues:write", "places", "Create a venue", "VenueInput",
         "Venue", 201, {}, [&db](RouteContext& ctx) {
           return object_response(201, to_json(service::create_venue(db, *ctx.caller, venue_patch(ctx.req))));
         }});
  r.add({"PATCH", "/api/v1/venues/{id}", Access::kPermission, "venues:write", "places", "Change a venue",
         "VenueInput", "Venue", 200, {}, [&db, &venue_cache](RouteContext& ctx) {
           auto v = service::update_venue(db, *ctx.caller, ctx.id_param(0), venue_patch(ctx.req));
           venue_cache.invalidate(v.id);  // checkpoints see new entrances at once
           return object_response(200, to_json(v));
         }});
  r.add({"DELETE", "/api/v1/venues/{id}", Access::kPermission, "venues:write", "places", "Delete a venue", "", "",
         204, {}, [&db, &venue_cache](RouteContext& ctx) {
           service::delete_venue(db, *ctx.caller, ctx.id_param(0));
           venue_cache.invalidate(ctx.id_param(0));
           return no_content();
         }});
}

}  // namespace epinet::http
