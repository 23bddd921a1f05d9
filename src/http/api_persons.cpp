// /api/v1/persons, /api/v1/me/*, /api/v1/risk-areas and the public keys.
#include "core/crypto.h"
#include "core/error.h"
#include "http/export.h"
#include "http/json_io.h"
#include "service/checkpoints.h"

namespace epinet::http {
namespace {

json::object person_json(const store::Person& p) {
  json::object o{{"id", p.id},
                 {"id_masked", p.id_masked},
                 {"name", p.name},
                 {"phone", p.phone.empty() ? json::value(nullptr) : json::value(p.phone)},
                 {"division_id", p.division_id},
                 {"division_name", p.division_name},
                 {"household_id", p.household_id},
                 {"case_status", p.case_status},
                 {"manage_status", p.manage_status},
                 {"manage_until", p.manage_until ? json::value(iso8601(*p.manage_until)) : json::value(nullptr)},
                 {"created_at", iso8601(p.created_at)}};
  return o;
}

json::object stay_json(const store::Stay& s) {
  return {{"id", s.id}, {"division_code", s.division_code}, {"from", iso8601(s.from)}, {"to", iso8601(s.to)}, {"source", s.source}};
}

json::object code_json(const service::HealthCode& h) {
  json::array reasons;
  for (const auto& r : h.decision.reasons)
    reasons.push_back(json::object{{"code", r.code}, {"message", r.zh}, {"message_en", r.en}});
  json::array divisions;
  for (const auto& d : h.travel_divisions) divisions.push_back(json::string(d));
  return {{"color", domain::color_name(h.decision.color)},
          {"reasons", std::move(reasons)},
          {"valid_until", iso8601(h.decision.valid_until)},
          {"rule_set_version", h.decision.rule_set_version},
          {"token", h.token},
          {"token_expires_at", iso8601(h.token_expires_at)},
          {"qr_svg", h.qr_svg},
          {"travel", json::object{{"flagged", h.travel_flag}, {"division_codes", std::move(divisions)}}}};
}

json::object test_json(const store::NucleicTest& t) {
  return {{"id", t.id},
          {"person_id", t.person_id},
          {"sampled_at", iso8601(t.sampled_at)},
          {"result", t.result},
          {"result_at", t.result_at ? json::value(iso8601(*t.result_at)) : json::value(nullptr)}};
}

json::object risk_json(const store::RiskArea& a) {
  return {{"id", a.id},
          {"division_code", a.division_code},
          {"division_name", a.division_name},
          {"area_name", a.area_name},
          {"level", a.level},
          {"level_since", iso8601(a.level_since)},
          {"effective_from", iso8601(a.effective_from)},
          {"effective_until", a.effective_until ? json::value(iso8601(*a.effective_until)) : json::value(nullptr)},
          {"last_infection_at", iso8601(a.last_infection_at)},
          {"screen_negative_at", a.screen_negative_at ? json::value(iso8601(*a.screen_negative_at)) : json::value(nullptr)},
          {"decided_by", a.decided_by}};
}


service::PersonInput person_input(const Request& req) {
  auto b = parse_body(req, {"id_number", "name", "phone", "division_id", "household_of"});
  service::PersonInput in;
  in.id_number = opt_string(b, "id_number", 40);
  in.name = opt_string(b, "name", 100);
  in.phone = opt_string(b, "phone", 20);
  in.division_id = opt_int(b, "division_id");
  in.household_of = opt_int(b, "household_of");
  return in;
}

store::Stay stay_input(const json::object& b) {
  store::Stay s;
  s.division_code = opt_string(b, "division_code", 6).value_or("");
  s.from = required_body_time(b, "from");
  s.to = required_body_time(b, "to");
  s.source = "declared";
  return s;
}

Response created(const json::object& o) { return object_response(201, o); }

}  // namespace

void register_person_routes(App& app) {
  auto& rt = *app.runtime;
  auto& r = app.router;
  const std::string read_perm = "persons:read|persons:lookup";
  r.add({"POST", "/api/v1/persons", Access::kPermission, "persons:write", "persons",
         "Register a person (identity number validated, stored hashed and encrypted)", "PersonInput", "Person", 201, {},
         [&rt](RouteContext& ctx) { return created(person_json(service::register_person(rt, *ctx.caller, person_input(ctx.req)))); }});
  r.add({"GET", "/api/v1/persons", Access::kPermission, read_perm, "persons",
         "Find persons by name or phone prefix, or by the exact identity number (audited)", "", "Page:Person", 200,
         {"q", "id_number", "page", "page_size"}, [&rt](RouteContext& ctx) {
           auto p = page_of(ctx.req);
           auto page = service::find_persons(rt, *ctx.caller, query_str(ctx.req, "q"), query_str(ctx.req, "id_number"), p);
           json::array items;
           for (const auto& x : page.items) items.push_back(person_json(x));
           return object_response(200, {{"items", std::move(items)}, {"total", page.total}, {"page", p.page}, {"page_size", p.page_size}});
         }});
  r.add({"GET", "/api/v1/persons/{id}", Access::kPermission, read_perm, "persons", "One person (audited read)", "",
         "Person", 200, {}, [&rt](RouteContext& ctx) {
           return object_response(200, person_json(service::get_person(rt, *ctx.caller, ctx.id_param(0))));
         }});
  r.add({"PATCH", "/api/v1/persons/{id}", Access::kPermission, "persons:write", "persons",
         "Change name, phone or home", "PersonInput", "Person", 200, {}, [&rt](RouteContext& ctx) {
           return object_response(200, person_json(service::update_person(rt, *ctx.caller, ctx.id_param(0), person_input(ctx.req))));
         }});
  r.add({"GET", "/api/v1/persons/{id}/id-number", Access::kPermission, "persons:reveal", "persons",
         "The full identity number (audited)", "", "IdNumber", 200, {}, [&rt](RouteContext& ctx) {
           Response resp = object_response(200, {{"id_number", service::reveal_id_number(rt, *ctx.caller, ctx.id_param(0))}});
           resp.headers.emplace_back("Cache-Control", "no-store");
           return resp;
         }});
  r.add({"GET", "/api/v1/persons/{id}/household", Access::kPermission, "persons:read", "persons",
         "The person's household", "", "PersonList", 200, {}, [&rt](RouteContext& ctx) {
           json::array items;
           for (const auto& p : service::household_of(rt, *ctx.caller, ctx.id_param(0))) items.push_back(person_json(p));
           return object_response(200, {{"items", std::move(items)}});
         }});
  r.add({"GET", "/api/v1/persons/{id}/travel", Access::kPermission, "persons:read", "persons",
         "Stays of the last 30 days", "", "StayList", 200, {}, [&rt](RouteContext& ctx) {
           json::array items;
           for (const auto& s : service::list_stays(rt, *ctx.caller, ctx.id_param(0))) items.push_back(stay_json(s));
           return object_response(200, {{"items", std::move(items)}});
         }});
  r.add({"POST", "/api/v1/persons/{id}/travel", Access::kPermission, "travel:write", "persons",
         "Record a stay (trip declaration)", "StayInput", "Stay", 201, {}, [&rt](RouteContext& ctx) {
           auto b = parse_body(ctx.req, {"division_code", "from", "to"});
           return created(stay_json(service::add_stay(rt, *ctx.caller, ctx.id_param(0), stay_input(b))));
         }});
  r.add({"POST", "/api/v1/persons/{id}/tests", Access::kPermission, "tests:write", "persons",
         "Record a nucleic acid test result", "TestInput", "Test", 201, {}, [&rt](RouteContext& ctx) {
           auto b = parse_body(ctx.req, {"sampled_at", "result"});
           store::NucleicTest t;
           t.sampled_at = required_body_time(b, "sampled_at");
           t.result = opt_string(b, "result", 20).value_or("");
           return created(test_json(service::record_test(rt, *ctx.caller, ctx.id_param(0), t)));
         }});
  r.add({"GET", "/api/v1/persons/{id}/tests", Access::kPermission, "persons:read|persons:lookup|tests:write", "persons",
         "The person's nucleic acid tests, newest first (audited)", "", "TestList", 200, {}, [&rt](RouteContext& ctx) {
           json::array items;
           for (const auto& t : service::list_tests(rt, *ctx.caller, ctx.id_param(0))) items.push_back(test_json(t));
           return object_response(200, {{"items", std::move(items)}});
         }});
  r.add({"POST", "/api/v1/persons/{id}/code-override", Access::kPermission, "persons:state", "persons",
         "Override the computed colour until a time (audited)", "OverrideInput", "Override", 201, {},
         [&rt](RouteContext& ctx) {
           auto b = parse_body(ctx.req, {"color", "reason", "until"});
           store::CodeOverride o;
           o.color = opt_string(b, "color", 10).value_or("");
           o.reason = opt_string(b, "reason", 500).value_or("");
           o.until = required_body_time(b, "until");
           auto out = service::override_code(rt, *ctx.caller, ctx.id_param(0), o);
           return created({{"id", out.id}, {"color", out.color}, {"reason", out.reason}, {"until", iso8601(out.until)}});
         }});
  r.add({"PUT", "/api/v1/persons/{id}/state", Access::kPermission, "persons:state", "persons",
         "Set case and management status", "StateInput", "Person", 200, {}, [&rt](RouteContext& ctx) {
           auto b = parse_body(ctx.req, {"case_status", "manage_status", "manage_until"});
           return object_response(200, person_json(service::set_state(rt, *ctx.caller, ctx.id_param(0),
                                                                      opt_string(b, "case_status", 20).value_or("none"),
                                                                      opt_string(b, "manage_status", 30).value_or("none"),
                                                                      body_time(b, "manage_until"))));
         }});
  r.add({"GET", "/api/v1/persons/{id}/health-code", Access::kPermission, "persons:read", "health-codes",
         "The person's health code: colour, reasons, validity, signed token and QR (make code)", "", "HealthCode", 200,
         {}, [&rt](RouteContext& ctx) {
           Response resp = object_response(200, code_json(service::health_code(rt, *ctx.caller, ctx.id_param(0))));
           resp.headers.emplace_back("Cache-Control", "no-store");
           return resp;
         }});
  r.add({"POST", "/api/v1/users/{id}/person", Access::kPermission, "users:write", "users",
         "Link a resident account to its person", "LinkInput", "", 204, {}, [&rt](RouteContext& ctx) {
           auto b = parse_body(ctx.req, {"person_id"});
           auto pid = opt_int(b, "person_id");
           if (!pid) throw invalid("missing_field", "person_id is required");
           service::link_account(rt, *ctx.caller, ctx.id_param(0), *pid);
           Response resp;
           resp.status = 204;
           return resp;
         }});

  r.add({"POST", "/api/v1/travel/import", Access::kPermission, "travel:write", "persons",
         "Import stays in bulk: a CSV (text/csv, UTF-8 or GBK) or XLSX body with the header "
         "id_number,division_code,from,to. A file with "
         "any bad row is refused whole (422, every bad row named); unknown persons are skipped and counted",
         "", "StayImport", 200, {}, [&rt](RouteContext& ctx) {
           require_table_upload(ctx.req);
           auto r = service::import_stays(rt, *ctx.caller, ctx.req.body);
           auto rows = [](const std::vector<std::pair<int, std::string>>& v) {
             json::array a;
             for (const auto& [line, msg] : v) a.push_back(json::object{{"line", line}, {"message", msg}});
             return a;
           };
           json::object o{{"imported", r.imported}, {"skipped", rows(r.skipped)}, {"errors", rows(r.errors)}};
           if (!r.errors.empty()) {
             json::object err{{"code", "invalid_rows"},
                              {"message", std::to_string(r.errors.size()) + " rows are not valid: nothing was imported"},
                              {"rows", rows(r.errors)}};
             return object_response(422, {{"error", std::move(err)}});
           }
           return object_response(200, o);
         }});

  // A resident: its own record, its household's codes, its trips.
  r.add({"GET", "/api/v1/me/person", Access::kPermission, "self:health", "me",
         "The resident's own record and household", "", "MePerson", 200, {}, [&rt](RouteContext& ctx) {
           int64_t self = service::resident_person(rt, *ctx.caller, std::nullopt);
           json::array members;
           store::Person me;
           for (const auto& p : service::household_of(rt, *ctx.caller, self)) {
             if (p.id == self) me = p;
             members.push_back(person_json(p));
           }
           json::object o = person_json(me);
           o["household"] = std::move(members);
           return object_response(200, o);
         }});
  r.add({"GET", "/api/v1/me/health-code", Access::kPermission, "self:health", "me",
         "The resident's health code, or a household member's (?member=ID)", "", "HealthCode", 200, {"member"},
         [&rt](RouteContext& ctx) {
           int64_t pid = service::resident_person(rt, *ctx.caller, query_int(ctx.req, "member"));
           Response resp = object_response(200, code_json(service::health_code(rt, *ctx.caller, pid)));
           resp.headers.emplace_back("Cache-Control", "no-store");
           return resp;
         }});
  r.add({"GET", "/api/v1/me/travel", Access::kPermission, "self:health", "me",
         "The resident's (or a household member's, ?member=ID) stays of the last 30 days", "", "StayList", 200,
         {"member"}, [&rt](RouteContext& ctx) {
           int64_t pid = service::resident_person(rt, *ctx.caller, query_int(ctx.req, "member"));
           json::array items;
           for (const auto& s : service::list_stays(rt, *ctx.caller, pid)) items.push_back(stay_json(s));
           return object_response(200, {{"items", std::move(items)}});
         }});
  r.add({"POST", "/api/v1/me/travel", Access::kPermission, "self:health", "me",
         "Declare a trip for oneself or a household member", "StayInput", "Stay", 201, {}, [&rt](RouteContext& ctx) {
           auto b = parse_body(ctx.req, {"division_code", "from", "to", "member"});
           int64_t pid = service::resident_person(rt, *ctx.caller, opt_int(b, "member"));
           return created(stay_json(service::add_stay(rt, *ctx.caller, pid, stay_input(b))));
         }});

  // Risk areas.
  r.add({"GET", "/api/v1/public/risk-areas", Access::kPublic, "", "public",
         "The medium- and high-risk areas in force (for display boards and the public)", "", "PublicRiskAreas", 200, {},
         [&rt](RouteContext&) {
           json::array areas;
           rt.db.read([&](store::Connection& c) {
             for (const auto& a : store::list_risk_areas(c, true))
               areas.push_back(json::object{{"division_code", a.division_code}, {"division_name", a.division_name},
                                            {"area_name", a.area_name}, {"level", a.level},
                                            {"effective_from", iso8601(a.effective_from)}});
           });
           return object_response(200, {{"updated_at", iso8601(now_ms())}, {"areas", std::move(areas)}});
         }});
  r.add({"GET", "/api/v1/risk-areas", Access::kPermission, "riskareas:read", "risk-areas",
         "Risk areas, including lifted ones with ?all=1", "", "RiskAreaList", 200, {"all"}, [&rt](RouteContext& ctx) {
           json::array items;
           rt.db.read([&](store::Connection& c) {
             for (const auto& a : store::list_risk_areas(c, query_str(ctx.req, "all") != "1")) items.push_back(risk_json(a));
           });
           return object_response(200, {{"items", std::move(items)}});
         }});
  r.add({"GET", "/api/v1/risk-areas/{id}", Access::kPermission, "riskareas:read", "risk-areas",
         "One risk area with its history", "", "RiskArea", 200, {}, [&rt](RouteContext& ctx) {
           json::object o;
           rt.db.read([&](store::Connection& c) {
             auto a = store::find_risk_area(c, ctx.id_param(0));
             if (!a) throw not_found("risk area");
             o = risk_json(*a);
             json::array events;
             for (const auto& e : store::list_risk_events(c, a->id))
               events.push_back(json::object{{"at", iso8601(e.at)}, {"action", e.action}, {"level_from", e.level_from},
                                             {"level_to", e.level_to}, {"actor", e.actor}, {"note", e.note}});
             o["history"] = std::move(events);
           });
           return object_response(200, o);
         }});
  r.add({"POST", "/api/v1/risk-areas", Access::kPermission, "riskareas:write", "risk-areas",
         "Declare a high- or medium-risk area", "RiskAreaInput", "RiskArea", 201, {}, [&rt](RouteContext& ctx) {
           auto b = parse_body(ctx.req, {"division_code", "division_name", "area_name", "level", "effective_from"});
           service::RiskAreaInput in;
           in.division_code = opt_string(b, "division_code", 6).value_or("");
           in.division_name = opt_string(b, "division_name", 100).value_or("");
           in.area_name = opt_string(b, "area_name", 200).value_or("");
           in.level = opt_string(b, "level", 10).value_or("");
           in.effective_from = body_time(b, "effective_from");
           return created(risk_json(service::declare_risk_area(rt, *ctx.caller, in)));
         }});
  r.add({"POST", "/api/v1/risk-areas/{id}/events", Access::kPermission, "riskareas:write", "risk-areas",
         "Record a new infection, an area-wide negative screen, or lift the area", "RiskEventInput", "RiskArea", 200, {},
         [&rt](RouteContext& ctx) {
           auto b = parse_body(ctx.req, {"action", "at", "note"});
           return object_response(200, risk_json(service::record_risk_event(rt, *ctx.caller, ctx.id_param(0),
                                                                            opt_string(b, "action", 30).value_or(""),
                                                                            body_time(b, "at"),
                                                                            opt_string(b, "note", 500).value_or(""))));
         }});
  r.add({"GET", "/api/v1/public/keys", Access::kPublic, "", "public",
         "Public keys that verify health-code tokens offline", "", "PublicKeys", 200, {}, [&rt](RouteContext&) {
           json::array keys;
           for (const auto& [kid, pk] : rt.keys.public_keys())
             keys.push_back(json::object{{"kid", kid}, {"alg", "Ed25519"}, {"public_key", crypto::base64url_encode(pk)}});
           Response resp = object_response(200, {{"keys", std::move(keys)}});
           resp.headers.emplace_back("Cache-Control", "public, max-age=300");
           return resp;
         }});
}

}  // namespace epinet::http
