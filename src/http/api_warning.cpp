// /api/v1/warning: the early-warning overview, series with their thresholds,
// imports of counts, alerts and their lifecycle, the bell.
#include <cmath>

#include "core/error.h"
#include "http/json_io.h"
#include "service/warning.h"

namespace epinet::http {
namespace {
namespace ww = domain::warning;

json::value opt_time(const std::optional<Millis>& t) { return t ? json::value(iso8601(*t)) : json::value(nullptr); }
json::value opt_text(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }

json::object view_json(const service::AlertView& v) {
  auto o = service::alert_json(v.alert);
  o["district_name"] = v.district_name;
  json::array events, deliveries;
  for (const auto& e : v.events)
    events.push_back(json::object{{"at", iso8601(e.at)},
                                  {"actor", e.actor},
                                  {"action", e.action},
                                  {"from_status", opt_text(e.from_status)},
                                  {"to_status", opt_text(e.to_status)},
                                  {"note", opt_text(e.note)}});
  for (const auto& d : v.deliveries)
    deliveries.push_back(json::object{
        {"event", d.event},
        {"attempts", d.attempts},
        {"delivered_at", opt_time(d.delivered_at)},
        {"next_attempt_at", d.delivered_at ? json::value(nullptr) : json::value(iso8601(d.next_attempt_at))},
        {"last_error", opt_text(d.last_error)}});
  o["events"] = std::move(events);
  o["deliveries"] = std::move(deliveries);
  return o;
}

json::array alerts_json(const std::vector<store::WarningAlert>& v) {
  json::array a;
  for (const auto& x : v) a.push_back(service::alert_json(x));
  return a;
}

json::value number_or_null(double x) { return std::isfinite(x) ? json::value(x) : json::value(nullptr); }

}  // namespace

void register_warning_routes(App& app) {
  auto& rt = *app.runtime;
  auto& r = app.router;
  r.add({"GET",
         "/api/v1/warning/overview",
         Access::kPermission,
         "warning:read",
         "warning",
         "The districts coloured by alert level, today's and open alerts (open first), and the time from signal to "
         "verification",
         "",
         "",
         200,
         {},
         [&rt](RouteContext& ctx) {
           auto o = service::overview(rt, *ctx.caller, now_ms());
           json::array districts;
           for (const auto& d : o.districts)
             districts.push_back(json::object{{"code", d.district.code},
                                              {"name", d.district.name},
                                              {"name_en", d.district.name_en},
                                              {"level", d.level},
                                              {"open_alerts", d.open_alerts},
                                              {"signals", d.signals}});
           json::array channels;
           for (auto ch : ww::all_channels()) channels.push_back(json::string(ww::channel_name(ch)));
           return object_response(
               200, {{"districts", std::move(districts)},
                     {"channels", std::move(channels)},
                     {"alerts", alerts_json(o.today)},
                     {"verification",
                      json::object{
                          {"verified_30d", o.verified},
                          {"mean_s", o.verified ? json::value(o.mean_verify_s) : json::value(nullptr)},
                          {"median_s", o.median_verify_s ? json::value(*o.median_verify_s) : json::value(nullptr)}}}});
         }});
  r.add({"GET",
         "/api/v1/warning/series",
         Access::kPermission,
         "warning:read",
         "warning",
         "One district's daily series on one channel with each configured detector's upper bound and alarms, and "
         "its signals",
         "",
         "",
         200,
         {"division_code", "channel", "days"},
         [&rt](RouteContext& ctx) {
           auto days = query_int(ctx.req, "days").value_or(90);
           auto v = service::series_view(rt, *ctx.caller, query_str(ctx.req, "division_code"),
                                         query_str(ctx.req, "channel"), static_cast<int>(days));
           json::array points, signals, methods;
           for (const auto& m : v.methods) methods.push_back(json::string(m));
           for (const auto& p : v.points) {
             json::object ub, al;
             for (const auto& [m, x] : p.upperbound) ub[m] = number_or_null(x);
             for (const auto& [m, x] : p.alarm) al[m] = x;
             points.push_back(json::object{{"date", ww::format_day(p.day)},
                                           {"observed", p.observed},
                                           {"upperbound", std::move(ub)},
                                           {"alarm", std::move(al)}});
           }
           for (const auto& s : v.signals) signals.push_back(service::signal_json(s));
           return object_response(200, {{"division_code", v.division_code},
                                        {"district_name", v.district_name},
                                        {"channel", v.channel},
                                        {"methods", std::move(methods)},
                                        {"points", std::move(points)},
                                        {"signals", std::move(signals)}});
         }});
  r.add({"POST",
         "/api/v1/warning/import",
         Access::kPermission,
         "warning:import",
         "warning",
         "Import daily counts: a CSV or XLSX body with the columns date, division_code, channel, count[, source]. "
         "A file with any bad row is refused whole (422, every bad row named); a row for a day already reported by "
         "the same source is a correction, recorded with the old value",
         "",
         "",
         200,
         {"filename"},
         [&rt](RouteContext& ctx) {
           auto res = service::import_counts(rt, *ctx.caller, query_str(ctx.req, "filename"), ctx.req.body);
           if (!res.errors.empty()) {
             json::array rows;
             for (const auto& e : res.errors) rows.push_back(json::object{{"line", e.line}, {"message", e.message}});
             json::object err{
                 {"code", "invalid_rows"},
                 {"message", std::to_string(res.errors.size()) + " rows are not valid: nothing was imported"},
                 {"rows", std::move(rows)}};
             return object_response(422, {{"error", std::move(err)}});
           }
           json::array signals;
           for (const auto& s : res.new_signals) signals.push_back(service::signal_json(s));
           json::array alerts;
           for (auto id : res.alerts) alerts.push_back(id);
           return object_response(200, {{"import_id", res.import_id},
                                        {"rows", res.rows},
                                        {"inserted", res.inserted},
                                        {"corrected", res.corrected},
                                        {"unchanged", res.unchanged},
                                        {"signals", std::move(signals)},
                                        {"alerts", std::move(alerts)}});
         }});
  r.add({"GET",
         "/api/v1/warning/history",
         Access::kPermission,
         "warning:read",
         "warning",
         "Every value a district's channel had on a day (or on any day): the first report and each correction, who "
         "and when",
         "",
         "",
         200,
         {"division_code", "channel", "date"},
         [&rt](RouteContext& ctx) {
           std::optional<int32_t> day;
           if (auto d = query_str(ctx.req, "date"); !d.empty()) {
             day = ww::parse_day(d);
             if (!day) throw invalid("invalid_query", "date must be YYYY-MM-DD");
           }
           auto h = service::count_history(rt, *ctx.caller, query_str(ctx.req, "division_code"),
                                           query_str(ctx.req, "channel"), day);
           json::array items;
           for (const auto& x : h)
             items.push_back(
                 json::object{{"date", ww::format_day(static_cast<int32_t>(x.day))},
                              {"source", x.source},
                              {"old_count", x.old_count ? json::value(*x.old_count) : json::value(nullptr)},
                              {"new_count", x.new_count},
                              {"changed_at", iso8601(x.changed_at)},
                              {"changed_by", x.changed_by},
                              {"import_id", x.import_id ? json::value(*x.import_id) : json::value(nullptr)}});
           return object_response(200, {{"items", std::move(items)}});
         }});
  r.add({"POST",
         "/api/v1/warning/evaluate",
         Access::kPermission,
         "warning:write",
         "warning",
         "Roll up epinet's own records and evaluate every district's channels now (the server does it daily)",
         "",
         "",
         200,
         {},
         [&rt](RouteContext& ctx) {
           auto rep = service::evaluate_all(rt, *ctx.caller, now_ms());
           json::array signals;
           for (const auto& s : rep.new_signals) signals.push_back(service::signal_json(s));
           json::array alerts;
           for (auto id : rep.alerts) alerts.push_back(id);
           return object_response(
               200, {{"series", rep.series}, {"signals", std::move(signals)}, {"alerts", std::move(alerts)}});
         }});
  r.add(
      {"GET",
       "/api/v1/warning/alerts",
       Access::kPermission,
       "warning:read",
       "warning",
       "Alerts in the caller's jurisdiction, open ones first",
       "",
       "",
       200,
       {"status", "page", "page_size"},
       [&rt](RouteContext& ctx) {
         auto p = page_of(ctx.req);
         auto page = service::list_alerts(rt, *ctx.caller, query_str(ctx.req, "status"), p);
         return object_response(
             200,
             {{"items", alerts_json(page.items)}, {"total", page.total}, {"page", p.page}, {"page_size", p.page_size}});
       }});
  r.add({"GET",
         "/api/v1/warning/alerts/{id}",
         Access::kPermission,
         "warning:read",
         "warning",
         "One alert with its evidence, who did what and when, and its webhook deliveries",
         "",
         "",
         200,
         {},
         [&rt](RouteContext& ctx) {
           return object_response(200, view_json(service::get_alert(rt, *ctx.caller, ctx.id_param(0))));
         }});
  r.add({"POST",
         "/api/v1/warning/alerts/{id}/actions",
         Access::kPermission,
         "warning:write",
         "warning",
         "Work an alert: verify (new → verifying), confirm with the response's owner (verifying → confirmed) or "
         "dismiss with a reason (verifying → dismissed); any other move is 409 and changes nothing",
         "",
         "",
         200,
         {},
         [&rt](RouteContext& ctx) {
           auto b = parse_body(ctx.req, {"action", "owner", "note", "reason"});
           service::AlertActionInput in;
           in.action = opt_string(b, "action", 20).value_or("");
           in.owner = opt_string(b, "owner", 200).value_or("");
           in.note = opt_string(b, "note", 2000).value_or("");
           in.reason = opt_string(b, "reason", 2000).value_or("");
           return object_response(200, view_json(service::act_on_alert(rt, *ctx.caller, ctx.id_param(0), in)));
         }});
  r.add({"GET",
         "/api/v1/warning/unread",
         Access::kPermission,
         "warning:read",
         "warning",
         "The bell: alerts raised since the caller last looked, and the newest open ones",
         "",
         "",
         200,
         {},
         [&rt](RouteContext& ctx) {
           auto u = service::unread_alerts(rt, *ctx.caller);
           return object_response(200, {{"unread", u.unread}, {"latest", alerts_json(u.latest)}});
         }});
  r.add({"POST",
         "/api/v1/warning/seen",
         Access::kPermission,
         "warning:read",
         "warning",
         "Mark the alerts as seen by the caller (clears the bell)",
         "",
         "",
         200,
         {},
         [&rt](RouteContext& ctx) {
           service::mark_alerts_seen(rt, *ctx.caller);
           return object_response(200, {{"unread", 0}});
         }});
}

}  // namespace epinet::http
