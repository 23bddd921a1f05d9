// /api/v1/checkpoints/scan, venue views, fever handovers and the display board.
#include <cmath>

#include "core/error.h"
#include "http/export.h"
#include "http/json_io.h"
#include "service/checkpoints.h"

namespace epinet::http {
namespace {

// [start, end) of a local calendar day ("YYYY-MM-DD", or today).
std::pair<Millis, Millis> local_day(const Request& req, const Config& config) {
  const Millis offset = config.utc_offset_minutes * 60000LL;
  std::string date = query_str(req, "date");
  Millis start;
  if (date.empty()) {
    Millis local = now_ms() + offset;
    start = local - ((local % kDayMillis) + kDayMillis) % kDayMillis - offset;
  } else {
    auto t = date.size() == 10 ? parse_iso8601(date) : std::nullopt;
    if (!t) throw invalid("invalid_query", "date must be YYYY-MM-DD");
    start = *t - offset;
  }
  return {start, start + kDayMillis};
}

json::object handover_json(const store::FeverHandover& h) {
  return {{"id", std::to_string(h.id)},
          {"venue_id", h.venue_id},
          {"venue_name", h.venue_name},
          {"checkin_id", std::to_string(h.checkin_id)},
          {"person_id", h.person_id ? json::value(*h.person_id) : json::value(nullptr)},
          {"temperature_c", h.temperature_c},
          {"opened_at", iso8601(h.opened_at)},
          {"status", h.status},
          {"closed_at", h.closed_at ? json::value(iso8601(*h.closed_at)) : json::value(nullptr)},
          {"outcome", h.outcome.empty() ? json::value(nullptr) : json::value(h.outcome)}};
}

int64_t id_from_string(const std::string& s) {
  int64_t n = 0;
  if (s.empty() || s.size() > 19) throw not_found("record");
  for (char c : s) {
    if (c < '0' || c > '9') throw not_found("record");
    n = n * 10 + (c - '0');
  }
  return n;
}

Response scan_response(bool ok, const service::ScanResult& res) {
  if (!ok) return error_response(503, "store_unavailable", "the check-in could not be saved: scan again");
  json::array reasons;
  for (const auto& x : res.decision.reasons)
    reasons.push_back(json::object{{"code", x.code}, {"message", x.zh}, {"message_en", x.en}});
  json::object o{{"decision", res.decision.pass ? "pass" : "stop"},
                 {"color", res.color.empty() ? json::value(nullptr) : json::value(res.color)},
                 {"reasons", std::move(reasons)},
                 {"checkin_id", std::to_string(res.checkin_id)},
                 {"person_id", res.person_id ? json::value(*res.person_id) : json::value(nullptr)}};
  if (res.handover_id) o["handover_id"] = std::to_string(*res.handover_id);
  if (res.replayed) o["replayed"] = true;
  return object_response(200, o);
}

}  // namespace

void register_checkpoint_routes(App& app) {
  auto& rt = *app.runtime;
  auto& r = app.router;
  r.add({"POST", "/api/v1/checkpoints/scan", Access::kPermission, "checkpoints:scan", "checkpoints",
         "Verify a code (or the ID card of the special channel), decide pass or stop, and record the check-in; "
         "answers after the check-in is durable",
         "ScanInput", "ScanResult", 200, {}, [&rt](RouteContext& ctx) {
           auto b = parse_body(ctx.req, {"venue_id", "entrance", "direction", "token", "id_number", "temperature_c", "mask",
                                         "client_scan_id", "scanned_at"});
           service::ScanInput in;
           auto venue = opt_int(b, "venue_id");
           if (!venue) throw invalid("missing_field", "venue_id is required");
           in.venue_id = *venue;
           in.entrance = opt_string(b, "entrance", 100).value_or("");
           in.direction = opt_string(b, "direction", 10).value_or("in");
           in.token = opt_string(b, "token", 400);
           in.id_number = opt_string(b, "id_number", 40);
           if (auto t = b.if_contains("temperature_c"); t && !t->is_null()) {
             if (!t->is_number()) throw invalid("invalid_field", "temperature_c must be a number");
             in.temperature_c = t->to_number<double>();
           }
           in.mask = opt_bool(b, "mask");
           in.client_scan_id = opt_string(b, "client_scan_id", 64).value_or("");
           if (auto at = opt_string(b, "scanned_at", 40)) {
             in.scanned_at = parse_iso8601(*at);
             if (!in.scanned_at) throw invalid("invalid_field", "scanned_at must be an ISO 8601 time");
           }
           auto caller = *ctx.caller;
           Response resp;
           resp.deferred = [&rt, caller, in](std::function<void(Response::Builder)> answer) {
             try {
               // The writer thread only hands the result over; the answer is built on the connection's thread.
               service::scan(rt, caller, in, [answer](bool ok, service::ScanResult res) {
                 answer([ok, res = std::move(res)] { return scan_response(ok, res); });
               });
             } catch (const Error& e) {
               answer([e] { return error_response(e); });
             }
           };
           return resp;
         }});
  r.add({"GET", "/api/v1/venues/{id}/today", Access::kPermission, "venues:read", "checkpoints",
         "A day at a venue: entries, exits and stops by hour and entrance, occupancy, fevers, open handovers", "",
         "VenueToday", 200, {"date"}, [&app, &rt](RouteContext& ctx) {
           auto [from, to] = local_day(ctx.req, app.config);
           auto t = service::venue_today(rt, *ctx.caller, ctx.id_param(0), from, to);
           json::array rows;
           for (const auto& c : t.counts)
             rows.push_back(json::object{{"hour", iso8601(c.hour)}, {"entrance", c.entrance}, {"direction", c.direction},
                                         {"decision", c.decision}, {"count", c.count}, {"fevers", c.fevers}});
           return object_response(200, {{"from", iso8601(from)}, {"to", iso8601(to)}, {"entries", t.entries},
                                        {"exits", t.exits}, {"stops", t.stops}, {"fevers", t.fevers},
                                        {"occupancy", t.occupancy}, {"open_handovers", t.open_handovers},
                                        {"by_hour", std::move(rows)}});
         }});
  r.add({"GET", "/api/v1/venues/{id}/checkins", Access::kPermission, "venues:read", "checkpoints",
         "Check-ins of a day (or from/to), as JSON, or ?format=csv|xlsx", "", "Page:Checkin", 200,
         {"date", "from", "to", "decision", "format", "page", "page_size"}, [&app, &rt](RouteContext& ctx) {
           auto [from, to] = local_day(ctx.req, app.config);
           if (auto f = query_time(ctx.req, "from")) from = *f;
           if (auto t = query_time(ctx.req, "to")) to = *t;
           std::string format = query_str(ctx.req, "format");
           store::Page p = format.empty() ? page_of(ctx.req) : store::Page{1, 100000};
           auto page = service::venue_checkins(rt, *ctx.caller, ctx.id_param(0), from, to, query_str(ctx.req, "decision"), p);
           if (!format.empty()) {
             Table t{{"checkin_id", "time", "entrance", "direction", "decision", "color", "person_id", "temperature_c", "mask",
                      "channel", "reasons", "left_at"}};
             for (const auto& k : page.items) {
               char temp[16] = "";
               if (k.temperature_c) std::snprintf(temp, sizeof temp, "%.1f", *k.temperature_c);
               std::string reasons;
               json::error_code ec;
               auto rv = json::parse(k.reasons_json, ec);
               if (!ec && rv.is_array())
                 for (const auto& x : rv.as_array()) {
                   if (!reasons.empty()) reasons += "; ";
                   reasons += x.as_object().at("message").as_string().c_str();
                 }
               t.push_back({std::to_string(k.id), iso8601(k.at), k.entrance, k.direction, k.decision, k.color,
                            k.person_id ? std::to_string(*k.person_id) : "", temp, k.mask ? "yes" : "no", k.channel,
                            reasons, k.t_out ? iso8601(*k.t_out) : ""});
             }
             return table_response(t, format, "checkins-" + std::to_string(ctx.id_param(0)) + "-" + iso8601(from).substr(0, 10));
           }
           json::array items;
           for (const auto& k : page.items) {
             json::error_code ec;
             json::value reasons = json::parse(k.reasons_json, ec);
             items.push_back(json::object{
                 {"id", std::to_string(k.id)}, {"at", iso8601(k.at)}, {"entrance", k.entrance}, {"direction", k.direction},
                 {"decision", k.decision}, {"color", k.color.empty() ? json::value(nullptr) : json::value(k.color)},
                 {"person_id", k.person_id ? json::value(*k.person_id) : json::value(nullptr)},
                 {"temperature_c", k.temperature_c ? json::value(*k.temperature_c) : json::value(nullptr)},
                 {"mask", k.mask}, {"channel", k.channel}, {"reasons", ec ? json::value(json::array{}) : reasons},
                 {"t_out", k.t_out ? json::value(iso8601(*k.t_out)) : json::value(nullptr)}});
           }
           return object_response(200, {{"items", std::move(items)}, {"total", page.total}, {"page", p.page}, {"page_size", p.page_size}});
         }});
  r.add({"GET", "/api/v1/handovers", Access::kPermission, "venues:read", "checkpoints",
         "Fever handovers (发热人员移交) within the caller's jurisdiction", "", "HandoverList", 200, {"venue_id", "status"},
         [&rt](RouteContext& ctx) {
           json::array items;
           for (const auto& h : service::handovers(rt, *ctx.caller, query_int(ctx.req, "venue_id"), query_str(ctx.req, "status")))
             items.push_back(handover_json(h));
           return object_response(200, {{"items", std::move(items)}});
         }});
  r.add({"POST", "/api/v1/venues/{id}/handovers/{handover}/close", Access::kPermission, "handovers:write", "checkpoints",
         "Close a fever handover with its outcome", "HandoverClose", "Handover", 200, {}, [&rt](RouteContext& ctx) {
           auto b = parse_body(ctx.req, {"outcome"});
           return object_response(200, handover_json(service::close_handover(rt, *ctx.caller, ctx.id_param(0),
                                                                             id_from_string(ctx.params.at(1)),
                                                                             opt_string(b, "outcome", 500).value_or(""))));
         }});
  r.add({"PATCH", "/api/v1/venues/{id}/policy", Access::kPermission, "venues:policy", "checkpoints",
         "What stops at this venue's doors, and the notices on its board", "VenuePolicy", "", 204, {},
         [&rt](RouteContext& ctx) {
           auto b = parse_body(ctx.req, {"stop_on_yellow", "stop_on_travel_flag", "notices"});
           service::set_venue_policy(rt, *ctx.caller, ctx.id_param(0), opt_bool(b, "stop_on_yellow"),
                                     opt_bool(b, "stop_on_travel_flag"), opt_string(b, "notices", 4000));
           Response resp;
           resp.status = 204;
           return resp;
         }});
  r.add({"GET", "/api/v1/public/venues/{id}/board", Access::kPublic, "", "public",
         "What the LED board at a venue's entrance shows: risk areas, notices, today's count", "", "Board", 200, {},
         [&app, &rt](RouteContext& ctx) {
           int64_t id = ctx.id_param(0);
           auto [from, to] = local_day(ctx.req, app.config);
           json::object o;
           rt.db.read([&](store::Connection& c) {
             auto v = store::find_venue(c, id);
             if (!v) throw not_found("venue");
             auto entries = c.query(
                 "SELECT COUNT(*) FROM checkins WHERE venue_id = ? AND at >= ? AND at < ? AND direction = 'in' AND "
                 "decision = 'pass'",
                 {id, from, to});
             json::array areas;
             for (const auto& a : store::list_risk_areas(c, true))
               areas.push_back(json::object{{"division_name", a.division_name}, {"area_name", a.area_name}, {"level", a.level}});
             o = {{"venue", json::object{{"id", v->id}, {"name", v->name}, {"type", v->type}}},
                  {"notices", v->notices},
                  {"today_entries", store::as_int(entries.rows[0][0])},
                  {"risk_areas", std::move(areas)},
                  {"updated_at", iso8601(now_ms())}};
           });
           return object_response(200, o);
         }});
}

}  // namespace epinet::http
