// /api/v1/management/*: managed cases (closed-loop management), the board,
// the to-dos, and /api/v1/me/health-reports (daily health reports).
#include "core/error.h"
#include "http/json_io.h"
#include "service/management.h"

namespace epinet::http {
namespace {

namespace q = domain::quarantine;

json::value opt_time(std::optional<Millis> t) { return t ? json::value(iso8601(*t)) : json::value(nullptr); }

json::object deadline_json(const q::Deadline& d) {
  return {{"step", d.step}, {"due_at", iso8601(d.due_at)}, {"detail", d.detail}};
}

json::object case_json(const store::ManagedCase& m, const std::vector<q::Deadline>& overdue,
                       const std::optional<q::Deadline>& next) {
  json::array od;
  for (const auto& d : overdue) od.push_back(deadline_json(d));
  return {{"id", m.id},
          {"person_id", m.person_id},
          {"person_name", m.person_name},
          {"person_phone", m.person_phone},
          {"measure", m.measure},
          {"place", m.place},
          {"state", m.state},
          {"state_since", iso8601(m.state_since)},
          {"exposure_at", iso8601(m.anchor_at)},
          {"case_reported_at", m.case_reported_at ? json::value(iso8601(m.case_reported_at)) : json::value(nullptr)},
          {"enrolled_at", iso8601(m.enrolled_at)},
          {"quarantine_end", iso8601(m.quarantine_end)},
          {"planned_end", iso8601(m.planned_end)},
          {"source", m.source},
          {"note", m.note},
          {"site", m.site},
          {"district_id", m.district_id ? json::value(*m.district_id) : json::value(nullptr)},
          {"district_name", m.district_name},
          {"overdue", std::move(od)},
          {"next_deadline", next ? json::value(deadline_json(*next)) : json::value(nullptr)}};
}

json::object report_json(const store::HealthReport& r) {
  json::value symptoms = json::parse(r.symptoms_json.empty() ? "[]" : r.symptoms_json);
  return {{"id", r.id},
          {"person_id", r.person_id},
          {"person_name", r.person_name},
          {"reported_at", iso8601(r.reported_at)},
          {"temperature_c", r.temperature_c},
          {"symptoms", symptoms},
          {"fever", r.fever},
          {"by_worker", r.by_worker},
          {"handover_id", r.handover_id ? json::value(std::to_string(*r.handover_id)) : json::value(nullptr)}};
}

json::object alert_json(const store::ManagementAlert& a) {
  json::value detail = nullptr;
  if (!a.detail.empty() && a.detail[0] == '{') detail = json::parse(a.detail);
  else if (!a.detail.empty()) detail = json::string(a.detail);
  return {{"id", a.id},           {"case_id", a.case_id},       {"person_id", a.person_id},
          {"person_name", a.person_name}, {"measure", a.measure}, {"state", a.state},
          {"kind", a.kind},       {"key", a.akey},              {"opened_at", iso8601(a.opened_at)},
          {"due_at", opt_time(a.due_at)}, {"status", a.status}, {"closed_at", opt_time(a.closed_at)},
          {"note", a.note},       {"detail", detail}};
}

json::object detail_json(const service::CaseDetail& d) {
  json::object o = case_json(d.mc, d.overdue, d.next_deadline);
  json::array tests, events, alerts, reports, next;
  for (const auto& t : d.tests)
    tests.push_back(json::object{{"phase", t.phase},
                                 {"day", t.day},
                                 {"due_from", iso8601(t.due_from)},
                                 {"due_to", iso8601(t.due_to)},
                                 {"result", t.result.empty() ? json::value(nullptr) : json::value(t.result)},
                                 {"sampled_at", opt_time(t.sampled_at)}});
  for (const auto& e : d.events)
    events.push_back(json::object{{"at", iso8601(e.at)},
                                  {"recorded_at", iso8601(e.recorded_at)},
                                  {"kind", e.kind},
                                  {"from", e.from_state.empty() ? json::value(nullptr) : json::value(e.from_state)},
                                  {"to", e.to_state.empty() ? json::value(nullptr) : json::value(e.to_state)},
                                  {"actor", e.actor},
                                  {"note", e.note}});
  for (const auto& a : d.alerts) alerts.push_back(alert_json(a));
  for (const auto& r : d.reports) reports.push_back(report_json(r));
  for (const auto& s : d.next_states) next.emplace_back(s);
  o["tests"] = std::move(tests);
  o["events"] = std::move(events);
  o["alerts"] = std::move(alerts);
  o["reports"] = std::move(reports);
  o["next_states"] = std::move(next);
  o["release"] = json::object{{"allowed", d.release.allowed}, {"code", d.release.code}, {"reason", d.release.reason}};
  o["reports_due"] = d.reports_due;
  return o;
}

service::ReportInput report_input(const json::object& b) {
  service::ReportInput in;
  auto t = b.if_contains("temperature_c");
  if (!t || !t->is_number()) throw invalid("missing_field", "temperature_c (a number) is required");
  in.temperature_c = t->to_number<double>();
  if (auto s = b.if_contains("symptoms"); s && !s->is_null()) {
    if (!s->is_array()) throw invalid("invalid_field", "symptoms must be an array of symptom codes");
    if (s->as_array().size() > 20) throw invalid("invalid_field", "too many symptoms");
    for (const auto& x : s->as_array()) {
      if (!x.is_string()) throw invalid("invalid_field", "symptoms must be an array of symptom codes");
      in.symptoms.emplace_back(x.as_string().c_str());
    }
  }
  return in;
}

json::object report_result_json(const service::ReportResult& r) {
  json::object o = report_json(r.report);
  o["alert_id"] = r.alert_id ? json::value(*r.alert_id) : json::value(nullptr);
  return o;
}

}  // namespace

void register_management_routes(App& app) {
  auto& rt = *app.runtime;
  auto& r = app.router;
  r.add({"GET", "/api/v1/management/cases", Access::kPermission, "management:read", "management",
         "Managed cases in the caller's jurisdiction, filtered by state (or 'active'), measure, district, person name "
         "prefix; overdue=1 keeps those with an overdue step or test",
         "", "", 200, {"state", "measure", "district_id", "overdue", "q", "page", "page_size"}, [&rt](RouteContext& ctx) {
           store::ManagedCaseFilter f;
           f.state = query_str(ctx.req, "state");
           if (!f.state.empty() && f.state != "active" && !q::parse_state(f.state))
             throw invalid("invalid_query", "state is not a management state");
           f.measure = query_str(ctx.req, "measure");
           if (!f.measure.empty() && !q::parse_measure(f.measure))
             throw invalid("invalid_query", "measure is not a management measure");
           f.district_id = query_int(ctx.req, "district_id");
           f.q = query_str(ctx.req, "q");
           const std::string od = query_str(ctx.req, "overdue");
           if (!od.empty() && od != "0" && od != "1" && od != "true" && od != "false")
             throw invalid("invalid_query", "overdue must be 1 or 0");
           auto p = page_of(ctx.req);
           auto page = service::list_managed(rt, *ctx.caller, f, od == "1" || od == "true", p);
           json::array items;
           for (const auto& row : page.items) items.push_back(case_json(row.mc, row.overdue, row.next_deadline));
           return object_response(200, {{"items", std::move(items)}, {"total", page.total}, {"page", p.page},
                                        {"page_size", p.page_size}});
         }});
  r.add({"POST", "/api/v1/management/cases", Access::kPermission, "management:enroll", "management",
         "Put a person under management by hand (tracing and returnee registration enroll automatically); "
         "idempotent: an active management of the same or a stronger measure is kept, extended if needed",
         "", "", 201, {}, [&rt](RouteContext& ctx) {
           auto b = parse_body(ctx.req, {"person_id", "measure", "exposure_at", "case_reported_at", "note", "source"});
           service::Enrollment e;
           auto pid = opt_int(b, "person_id");
           if (!pid) throw invalid("missing_field", "person_id is required");
           e.person_id = *pid;
           e.measure = opt_string(b, "measure", 40).value_or("");
           if (e.measure.empty()) throw invalid("missing_field", "measure is required");
           e.exposure_at = required_body_time(b, "exposure_at");
           e.case_reported_at = body_time(b, "case_reported_at").value_or(0);
           e.note = opt_string(b, "note", 2000).value_or("");
           e.source = "manual:" + ctx.caller->who.username;
           return object_response(201, detail_json(service::enroll_one(rt, *ctx.caller, e)));
         }});
  r.add({"GET", "/api/v1/management/cases/{id}", Access::kPermission, "management:read", "management",
         "One managed case: schedule with test days, events (who, when), alerts, recent health reports, the next "
         "steps allowed and whether release is possible (an audited read)",
         "", "", 200, {}, [&rt](RouteContext& ctx) {
           return object_response(200, detail_json(service::get_managed(rt, *ctx.caller, ctx.id_param(0))));
         }});
  r.add({"POST", "/api/v1/management/cases/{id}/transitions", Access::kPermission, "management:write", "management",
         "Record a step: {to, note?, site?, at?}. Only legal transitions; release needs the schedule's days passed and "
         "every scheduled test negative",
         "", "", 200, {}, [&rt](RouteContext& ctx) {
           auto b = parse_body(ctx.req, {"to", "note", "site", "at"});
           auto to = opt_string(b, "to", 40);
           if (!to) throw invalid("missing_field", "to is required");
           return object_response(
               200, detail_json(service::transition(rt, *ctx.caller, ctx.id_param(0), *to,
                                                    opt_string(b, "note", 1000).value_or(""), opt_string(b, "site", 300),
                                                    body_time(b, "at"))));
         }});
  r.add({"POST", "/api/v1/management/cases/{id}/extend", Access::kPermission, "management:write", "management",
         "Extend the management by {days} (at least 1) with a reason; a shortening is refused", "", "", 200, {},
         [&rt](RouteContext& ctx) {
           auto b = parse_body(ctx.req, {"days", "reason"});
           auto days = opt_int(b, "days");
           if (!days) throw invalid("missing_field", "days is required");
           if (*days > 60) throw invalid("invalid_field", "days must be at most 60");
           return object_response(200, detail_json(service::extend_managed(rt, *ctx.caller, ctx.id_param(0),
                                                                           static_cast<int>(*days),
                                                                           opt_string(b, "reason", 1000).value_or(""))));
         }});
  r.add({"POST", "/api/v1/management/cases/{id}/tests", Access::kPermission, "management:write", "management",
         "Record a nucleic acid test {sampled_at, result}: a negative sample on a scheduled day completes it, a "
         "positive one makes the person a case",
         "", "", 200, {}, [&rt](RouteContext& ctx) {
           auto b = parse_body(ctx.req, {"sampled_at", "result"});
           return object_response(200, detail_json(service::record_managed_test(
                                           rt, *ctx.caller, ctx.id_param(0), required_body_time(b, "sampled_at"),
                                           opt_string(b, "result", 20).value_or(""))));
         }});
  r.add({"POST", "/api/v1/management/cases/{id}/reports", Access::kPermission, "management:write", "management",
         "A worker's daily health report for the person {temperature_c, symptoms[]}; a fever or symptom raises an "
         "alert and a fever handover",
         "", "", 201, {}, [&rt](RouteContext& ctx) {
           auto b = parse_body(ctx.req, {"temperature_c", "symptoms"});
           return object_response(201, report_result_json(service::report_for_case(rt, *ctx.caller, ctx.id_param(0),
                                                                                   report_input(b))));
         }});
  r.add({"GET",
         "/api/v1/management/board",
         Access::kPermission,
         "management:read",
         "management",
         "The command-center board: cases per state and district, the overdue list (the 100 most overdue, by "
         "the earliest deadline missed; overdue_total counts them all), open alerts, and the trace jobs waiting "
         "for a decision on their hand-over (with the contacts they list)",
         "",
         "",
         200,
         {},
         [&rt](RouteContext& ctx) {
           auto b = service::management_board(rt, *ctx.caller);
           json::object by_state;
           for (auto s : q::all_states()) by_state[q::state_name(s)] = 0;
           std::map<std::string, json::object> districts;
           for (const auto& c : b.counts) {
             by_state[c.state] = by_state[c.state].as_int64() + c.count;
             std::string key = c.district_id ? std::to_string(*c.district_id) : "";
             auto& d = districts[key];
             if (d.empty()) {
               d["district_id"] = c.district_id ? json::value(*c.district_id) : json::value(nullptr);
               d["district_name"] = c.district_name;
               json::object counts;
               for (auto s : q::all_states()) counts[q::state_name(s)] = 0;
               d["counts"] = std::move(counts);
             }
             auto& counts = d["counts"].as_object();
             counts[c.state] = counts[c.state].as_int64() + c.count;
           }
           json::array ds, overdue;
           for (auto& [k, d] : districts) ds.push_back(std::move(d));
           for (const auto& row : b.overdue) overdue.push_back(case_json(row.mc, row.overdue, row.next_deadline));
           return object_response(200, {{"by_state", std::move(by_state)},
                                        {"districts", std::move(ds)},
                                        {"overdue", std::move(overdue)},
                                        {"overdue_total", b.overdue_total},
                                        {"active", b.active},
                                        {"open_alerts", b.open_alerts},
                                        {"trace_jobs_in_review", json::object{{"jobs", b.trace_review.jobs},
                                                                              {"contacts", b.trace_review.contacts}}},
                                        {"updated_at", iso8601(now_ms())}});
         }});
  r.add({"GET",
         "/api/v1/management/todos",
         Access::kPermission,
         "management:read",
         "management",
         "The worker's to-dos in its jurisdiction, newest first, a page at a time: missing health reports, fever "
         "alerts, overdue steps and tests (status open | closed | all; kind fever | missing_report | overdue_step | "
         "overdue_test); total counts every page",
         "",
         "",
         200,
         {"status", "kind", "page", "page_size"},
         [&rt](RouteContext& ctx) {
           std::string status = query_str(ctx.req, "status");
           if (status.empty()) status = "open";
           if (status == "all") status = "";
           json::array items;
           const auto p = page_of(ctx.req);
           const auto page = service::list_todos(rt, *ctx.caller, status, query_str(ctx.req, "kind"), p);
           for (const auto& a : page.items) items.push_back(alert_json(a));
           return object_response(
               200, {{"items", std::move(items)}, {"total", page.total}, {"page", p.page}, {"page_size", p.page_size}});
         }});
  r.add({"POST", "/api/v1/management/todos/{id}/close", Access::kPermission, "management:write", "management",
         "Close a to-do with what was done {note}", "", "", 200, {}, [&rt](RouteContext& ctx) {
           auto b = parse_body(ctx.req, {"note"});
           return object_response(
               200, alert_json(service::close_todo(rt, *ctx.caller, ctx.id_param(0), opt_string(b, "note", 1000).value_or(""))));
         }});
  r.add({"GET", "/api/v1/management/fever-reports", Access::kPermission, "management:read", "management",
         "Fever reports from people under management per district and local day in [from, to) (an early-warning "
         "channel)",
         "", "", 200, {"from", "to"}, [&rt](RouteContext& ctx) {
           Millis to = query_time(ctx.req, "to").value_or(now_ms());
           Millis from = query_time(ctx.req, "from").value_or(to - 14 * q::kDayMs);
           if (to < from || to - from > 400 * q::kDayMs) throw invalid("invalid_query", "from..to must span at most 400 days");
           json::array items;
           rt.db.read([&](store::Connection& c) {
             for (const auto& d : service::fever_reports_by_district_day(c, from, to))
               items.push_back(json::object{{"district_id", d.district_id ? json::value(*d.district_id) : json::value(nullptr)},
                                            {"district_code", d.district_code},
                                            {"district_name", d.district_name},
                                            {"day", iso8601(d.day)},
                                            {"count", d.count}});
           });
           return object_response(200, {{"items", std::move(items)}});
         }});

  // A resident reports for itself and its household.
  r.add({"GET", "/api/v1/me/health-reports", Access::kPermission, "self:health", "me",
         "The resident and its household: who must report daily, today's count and the last 3 days' reports", "", "",
         200, {}, [&rt](RouteContext& ctx) {
           const auto& s = service::management_settings();
           json::array items;
           for (const auto& v : service::resident_reports(rt, *ctx.caller)) {
             json::array reports;
             for (const auto& x : v.reports) reports.push_back(report_json(x));
             items.push_back(json::object{
                 {"person_id", v.person.id},
                 {"name", v.person.name},
                 {"must_report", v.must_report},
                 {"measure", v.mc ? json::value(v.mc->measure) : json::value(nullptr)},
                 {"state", v.mc ? json::value(v.mc->state) : json::value(nullptr)},
                 {"planned_end", v.mc ? json::value(iso8601(v.mc->planned_end)) : json::value(nullptr)},
                 {"reports_today", v.reports_today},
                 {"reports", std::move(reports)}});
           }
           json::array symptoms;
           for (auto x : q::symptom_codes()) symptoms.emplace_back(x);
           return object_response(200, {{"items", std::move(items)},
                                        {"reports_per_day", s.reports_per_day},
                                        {"fever_threshold_c", s.fever_threshold_c},
                                        {"symptoms", std::move(symptoms)}});
         }});
  r.add({"POST", "/api/v1/me/health-reports", Access::kPermission, "self:health", "me",
         "Report temperature and symptoms for oneself or a household member {member?, temperature_c, symptoms[]}", "",
         "", 201, {}, [&rt](RouteContext& ctx) {
           auto b = parse_body(ctx.req, {"member", "temperature_c", "symptoms"});
           return object_response(201, report_result_json(service::report_as_resident(rt, *ctx.caller, opt_int(b, "member"),
                                                                                      report_input(b))));
         }});
}

}  // namespace epinet::http
