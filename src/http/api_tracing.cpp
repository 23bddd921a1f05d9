// /api/v1/tracing: trace jobs, their contacts (JSON, CSV, XLSX), the index's
// state, and the ledger imports (venue-code scans, coach manifests).
#include "core/error.h"
#include "http/export.h"
#include "http/json_io.h"
#include "service/tracing.h"

namespace epinet::http {
namespace {

// A job in review's decision: null until one is made.
json::value decision_json(const store::TraceJob& j) {
  if (j.decision.empty()) return nullptr;
  json::array kinds;
  for (const auto& k : service::handover_kinds(j.handover_kinds)) kinds.emplace_back(k);
  return json::object{{"decision", j.decision},
                      {"kinds", std::move(kinds)},
                      {"note", j.decision_note},
                      {"decided_by", j.decided_by_name},
                      {"decided_at", j.decided_at ? json::value(iso8601(*j.decided_at)) : json::value(nullptr)}};
}

json::object job_json(const store::TraceJob& j) {
  json::value cases;
  try {
    cases = json::parse(j.index_cases_json);
  } catch (const std::exception&) {
    cases = json::array();
  }
  json::value rules;
  try {
    rules = json::parse(j.rules_json);
  } catch (const std::exception&) {
    rules = json::object();
  }
  auto t = [](const std::optional<Millis>& v) { return v ? json::value(iso8601(*v)) : json::value(nullptr); };
  return {{"job_id", j.id},
          {"status", j.status},
          {"progress", j.progress},
          {"index_cases", std::move(cases)},
          {"rules_version", j.rules_version},
          {"rules", std::move(rules)},
          {"counts", json::object{{"close", j.close_count},
                                  {"secondary", j.secondary_count},
                                  {"companion", j.companion_count},
                                  {"enrolled", j.enrolled_count}}},
          {"error", j.error.empty() ? json::value(nullptr) : json::value(j.error)},
          {"created_by", j.created_by_name},
          {"created_at", iso8601(j.created_at)},
          {"started_at", t(j.started_at)},
          {"finished_at", t(j.finished_at)},
          {"elapsed_ms", j.elapsed_ms ? json::value(*j.elapsed_ms) : json::value(nullptr)},
          {"reported_at", t(j.reported_at)},
          {"review_above", j.review_above ? json::value(*j.review_above) : json::value(nullptr)},
          {"decision", decision_json(j)}};
}

json::object contact_json(const store::TraceContactRow& x) {
  json::value evidence;
  try {
    evidence = json::parse(x.evidence_json);
  } catch (const std::exception&) {
    evidence = json::array();
  }
  return {{"person_id", x.person_id},
          {"name", x.name},
          {"id_masked", x.id_masked},
          {"district", x.division_name},
          {"division_path", x.division_path},
          {"manage_status", x.manage_status},
          {"kind", x.kind},
          {"first_exposure", iso8601(x.first_exposure)},
          {"last_exposure", iso8601(x.last_exposure)},
          {"via_person_id", x.via_person_id},
          {"setting", x.setting},
          {"place_id", x.place_id},
          {"evidence", std::move(evidence)}};
}

json::array people_json(const std::vector<service::NamedPerson>& people) {
  json::array out;
  for (const auto& p : people)
    out.push_back(json::object{{"person_id", p.person_id}, {"name", p.name}, {"id_masked", p.id_masked}});
  return out;
}

store::TraceContactFilter contact_filter(const Request& req) {
  store::TraceContactFilter f;
  f.kind = query_str(req, "kind");
  if (!f.kind.empty() && f.kind != "close" && f.kind != "secondary" && f.kind != "companion")
    throw invalid("invalid_query", "kind must be close, secondary or companion");
  f.via = query_int(req, "via");
  f.within_path = query_str(req, "division_path");
  f.person_id = query_int(req, "person_id");
  f.name = query_str(req, "name");
  if (f.name.size() > 100) throw invalid("invalid_query", "name must be at most 100 bytes");
  return f;
}

std::optional<Millis> opt_time(const json::object& o, std::string_view key) {
  auto s = opt_string(o, key, 40);
  if (!s) return std::nullopt;
  auto t = parse_iso8601(*s);
  if (!t) throw invalid("invalid_field", std::string(key) + " must be an ISO 8601 time");
  return t;
}

service::TracingService& tracing(service::Runtime& rt) {
  if (!rt.tracing) throw Error(ErrorKind::kUnavailable, "unavailable", "tracing is not running");
  return *rt.tracing;
}

Response import_response(const service::TracingService::ImportReport& r) {
  json::array rows;
  for (const auto& [line, msg] : r.errors) rows.push_back(json::object{{"line", line}, {"message", msg}});
  if (!r.errors.empty())
    return object_response(
        422, {{"error", json::object{{"code", "invalid_rows"},
                                     {"message", std::to_string(r.errors.size()) + " rows are not valid: nothing was imported"},
                                     {"rows", std::move(rows)}}}});
  return object_response(200, {{"imported", r.imported}, {"errors", json::array()}});
}

}  // namespace

void register_tracing_routes(App& app) {
  auto& rt = *app.runtime;
  if (!rt.tracing) rt.tracing = std::make_unique<service::TracingService>(rt);
  auto& r = app.router;
  r.add({"POST", "/api/v1/tracing/jobs", Access::kPermission, "tracing:run", "tracing",
         "Start a trace job from index persons: {\"index_person_ids\":[…]} and optionally \"cases\" "
         "[{person_id, onset, first_positive, isolated_at}] that set an index case's course; runs in the background",
         "", "", 202, {}, [&rt](RouteContext& ctx) {
           auto b = parse_body(ctx.req, {"index_person_ids", "cases"});
           std::vector<service::IndexInput> in;
           if (auto ids = b.if_contains("index_person_ids")) {
             if (!ids->is_array()) throw invalid("invalid_field", "index_person_ids must be an array of person ids");
             for (const auto& v : ids->as_array()) {
               if (!v.is_int64() || v.as_int64() <= 0)
                 throw invalid("invalid_field", "index_person_ids must be an array of person ids");
               in.push_back({v.as_int64(), {}, {}, {}});
             }
           }
           if (auto cases = b.if_contains("cases")) {
             if (!cases->is_array()) throw invalid("invalid_field", "cases must be an array");
             for (const auto& v : cases->as_array()) {
               if (!v.is_object()) throw invalid("invalid_field", "cases must be an array of objects");
               const auto& o = v.as_object();
               auto id = opt_int(o, "person_id");
               if (!id || *id <= 0) throw invalid("invalid_field", "every case needs a person_id");
               service::IndexInput x{*id, opt_time(o, "onset"), opt_time(o, "first_positive"), opt_time(o, "isolated_at")};
               auto same = std::find_if(in.begin(), in.end(), [&](const auto& y) { return y.person_id == *id; });
               if (same == in.end())
                 in.push_back(x);
               else
                 *same = x;
             }
           }
           int64_t id = tracing(rt).submit(*ctx.caller, in);
           return object_response(202, {{"job_id", id}});
         }});
  r.add({"GET",
         "/api/v1/tracing/jobs",
         Access::kPermission,
         "tracing:read",
         "tracing",
         "Trace jobs, newest first (without contacts); people names their index cases within the caller's "
         "jurisdiction (person id, name, masked identity number; an audited read)",
         "",
         "",
         200,
         {"page", "page_size"},
         [&rt](RouteContext& ctx) {
           auto p = page_of(ctx.req);
           auto [page, people] = tracing(rt).list(*ctx.caller, p);
           json::array items;
           for (const auto& j : page.items) items.push_back(job_json(j));
           return object_response(200, {{"items", std::move(items)},
                                        {"people", people_json(people)},
                                        {"total", page.total},
                                        {"page", p.page},
                                        {"page_size", p.page_size}});
         }});
  r.add({"GET",
         "/api/v1/tracing/jobs/{id}",
         Access::kPermission,
         "tracing:read",
         "tracing",
         "A trace job: status, progress and, once its contacts are saved, one page of the contacts in the caller's "
         "jurisdiction with their evidence (an audited read): close, then secondary, then companion, by person id; "
         "contacts_total counts every page; people names the index cases and every via (person id, name, masked "
         "identity number) within the caller's jurisdiction; filters kind, via (person id), person_id, name "
         "(prefix), division_path; "
         "contacts=false for the status alone (no contacts read, nothing audited: for following a job's progress)",
         "",
         "",
         200,
         {"kind", "via", "person_id", "name", "division_path", "page", "page_size", "contacts"},
         [&rt](RouteContext& ctx) {
           const auto page = page_of(ctx.req);
           const std::string with = query_str(ctx.req, "contacts");
           if (!with.empty() && with != "true" && with != "false")
             throw invalid("invalid_query", "contacts must be true or false");
           auto v = tracing(rt).get(*ctx.caller, ctx.id_param(0), with != "false", contact_filter(ctx.req), page);
           auto o = job_json(v.job);
           if (with == "false") return object_response(200, o);
           json::array contacts;
           for (const auto& x : v.contacts) contacts.push_back(contact_json(x));
           o["contacts"] = std::move(contacts);
           o["people"] = people_json(v.people);
           o["contacts_total"] = v.contacts_total;
           o["page"] = page.page;
           o["page_size"] = page.page_size;
           return object_response(200, o);
         }});
  r.add({"POST",
         "/api/v1/tracing/jobs/{id}/handover",
         Access::kPermission,
         "tracing:run",
         "tracing",
         "Decide a job in review (it listed more contacts than EPINET_TRACE_REVIEW_ABOVE): hand over its contacts "
         "of {\"kinds\":[\"close\",\"secondary\",\"companion\"]} (default every tier) to closed-loop "
         "management, with an optional \"note\"; runs in the background (status running, then done); audited; "
         "409 not_in_review when the job is not waiting for a decision",
         "",
         "",
         202,
         {},
         [&rt](RouteContext& ctx) {
           auto b = parse_body(ctx.req, {"kinds", "note"});
           service::TracingService::Decision d;
           d.handover = true;
           d.note = opt_string(b, "note").value_or("");
           if (auto kinds = b.if_contains("kinds")) {
             if (!kinds->is_array())
               throw invalid("invalid_field", "kinds must be an array of close, secondary, companion");
             for (const auto& v : kinds->as_array()) {
               if (!v.is_string())
                 throw invalid("invalid_field", "kinds must be an array of close, secondary, companion");
               d.kinds.emplace_back(v.as_string());
             }
           } else {
             d.kinds = {"close", "secondary", "companion"};
           }
           return object_response(202, job_json(tracing(rt).decide(*ctx.caller, ctx.id_param(0), d)));
         }});
  r.add({"POST",
         "/api/v1/tracing/jobs/{id}/decline",
         Access::kPermission,
         "tracing:run",
         "tracing",
         "Decide a job in review by handing over none of its contacts: {\"note\"} says why (required); the "
         "contacts stay listed; audited; 409 not_in_review when the job is not waiting for a decision",
         "",
         "",
         200,
         {},
         [&rt](RouteContext& ctx) {
           service::TracingService::Decision d;  // handing over none
           d.note = opt_string(parse_body(ctx.req, {"note"}), "note").value_or("");
           return object_response(200, job_json(tracing(rt).decide(*ctx.caller, ctx.id_param(0), d)));
         }});
  r.add({"GET",
         "/api/v1/tracing/jobs/{id}/contacts",
         Access::kPermission,
         "tracing:read",
         "tracing",
         "A trace job's contacts as a table: ?format=csv|xlsx (an audited read); filters as for the job",
         "",
         "",
         200,
         {"format", "kind", "via", "person_id", "name", "division_path"},
         [&rt](RouteContext& ctx) {
           const int64_t id = ctx.id_param(0);
           auto v = tracing(rt).get(*ctx.caller, id, true, contact_filter(ctx.req));
           std::string format = query_str(ctx.req, "format");
           return table_response(service::contacts_table(v.contacts, v.people), format.empty() ? "csv" : format,
                                 "tracing-job-" + std::to_string(id));
         }});
  r.add({"GET", "/api/v1/tracing/index", Access::kPermission, "tracing:read", "tracing",
         "The trace index: ready, stays, persons, trips, memory, build time, and the rules in force", "", "",
         200, {}, [&rt](RouteContext&) {
           auto s = tracing(rt).stats();
           const auto& rules = tracing(rt).rules();
           return object_response(
               200, {{"ready", s.ready},
                     {"stays", s.stays},
                     {"persons", s.persons},
                     {"trips", s.trips},
                     {"stay_bytes", s.stay_bytes},
                     {"total_bytes", s.total_bytes},
                     {"bytes_per_stay", s.stays ? static_cast<double>(s.total_bytes) / static_cast<double>(s.stays) : 0.0},
                     {"build_ms", s.build_ms},
                     {"rules_version", rules.version()},
                     {"rules", json::parse(rules.describe_json())}});
         }});
  r.add({"POST", "/api/v1/tracing/imports/venue-scans", Access::kPermission, "tracing:run", "tracing",
         "Import venue-code scans (场所码) in bulk: CSV or XLSX with venue_id, person_id or id_number, scanned_at and "
         "optionally left_at (ISO 8601; no zone = local time). A file with any bad row is refused whole (422)",
         "", "StayImport", 200, {}, [&rt](RouteContext& ctx) {
           require_table_upload(ctx.req);
           return import_response(tracing(rt).import_venue_scans(*ctx.caller, ctx.req.body));
         }});
  r.add({"POST", "/api/v1/tracing/imports/trips", Access::kPermission, "tracing:run", "tracing",
         "Import coach trips with seat manifests: CSV or XLSX with trip_id, vehicle, route, departure, arrival "
         "(Unix seconds or ISO 8601), person_id or id_number, seat_row (0 = crew), seat_col, crew. Refused whole on "
         "any bad row (422)",
         "", "StayImport", 200, {}, [&rt](RouteContext& ctx) {
           require_table_upload(ctx.req);
           return import_response(tracing(rt).import_trips(*ctx.caller, ctx.req.body));
         }});
}

}  // namespace epinet::http
