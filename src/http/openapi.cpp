// The OpenAPI 3 document, generated from the route table that dispatches
// requests, so that it lists every endpoint there is.
#include <boost/json.hpp>

#include "http/router.h"

namespace epinet::http {
namespace json = boost::json;
namespace {

const char* kSchemas = R"({
  "Error": {"type":"object","required":["error"],"properties":{"error":{"type":"object","required":["code","message"],
    "properties":{"code":{"type":"string"},"message":{"type":"string"}}}}},
  "Health": {"type":"object","properties":{"status":{"type":"string","enum":["ok"]}}},
  "Version": {"type":"object","properties":{"version":{"type":"string"},"schema_version":{"type":"integer"},
    "database":{"type":"string","enum":["sqlite","postgresql"]},"utc_offset_minutes":{"type":"integer"}}},
  "LoginRequest": {"type":"object","required":["username","password"],"properties":{"username":{"type":"string"},
    "password":{"type":"string","format":"password"}}},
  "LoginResponse": {"type":"object","properties":{"token":{"type":"string"},"expires_at":{"type":"string","format":"date-time"},
    "user":{"$ref":"#/components/schemas/User"}}},
  "Role": {"type":"string","enum":["admin","commander","venue_staff","community_worker","clinician","lab","resident"]},
  "User": {"type":"object","properties":{"id":{"type":"integer"},"username":{"type":"string"},"display_name":{"type":"string"},
    "role":{"$ref":"#/components/schemas/Role"},"division_id":{"type":["integer","null"]},"division_name":{"type":["string","null"]},
    "venue_id":{"type":["integer","null"]},"venue_name":{"type":["string","null"]},"disabled":{"type":"boolean"},
    "created_at":{"type":"string","format":"date-time"}}},
  "UserInput": {"type":"object","properties":{"username":{"type":"string","pattern":"^[a-z0-9_.-]{3,64}$"},
    "display_name":{"type":"string"},"password":{"type":"string","minLength":8},"role":{"$ref":"#/components/schemas/Role"},
    "division_id":{"type":["integer","null"]},"venue_id":{"type":["integer","null"]},"disabled":{"type":"boolean"}}},
  "Me": {"allOf":[{"$ref":"#/components/schemas/User"},{"type":"object","properties":{
    "permissions":{"type":"array","items":{"type":"string"}},
    "jurisdiction":{"type":"object","properties":{"division_id":{"type":["integer","null"]},"division_name":{"type":["string","null"]},
      "venue_id":{"type":["integer","null"]},"venue_name":{"type":["string","null"]}}}}}]},
  "DivisionLevel": {"type":"string","enum":["province","city","district","subdistrict","community","compound","building"]},
  "Division": {"type":"object","properties":{"id":{"type":"integer"},"code":{"type":["string","null"]},"name":{"type":"string"},
    "name_en":{"type":["string","null"]},"level":{"$ref":"#/components/schemas/DivisionLevel"},"parent_id":{"type":["integer","null"]},
    "path":{"type":"string"}}},
  "DivisionInput": {"type":"object","required":["name","level","parent_id"],"properties":{"code":{"type":"string"},
    "name":{"type":"string"},"name_en":{"type":"string"},"level":{"$ref":"#/components/schemas/DivisionLevel"},"parent_id":{"type":"integer"}}},
  "DivisionPatch": {"type":"object","properties":{"name":{"type":"string"},"name_en":{"type":"string"}}},
  "VenueType": {"type":"string","enum":["hospital","service_hall","transport_hub","compound_gate","school","market",
    "supermarket","restaurant","gym","shop","office","other"]},
  "Entrance": {"type":"object","required":["name"],"properties":{"name":{"type":"string"},"direction":{"type":"string","enum":["in","out","both"]}}},
  "Venue": {"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"},"type":{"$ref":"#/components/schemas/VenueType"},
    "address":{"type":"string"},"division_id":{"type":"integer"},"division_name":{"type":"string"},"capacity":{"type":["integer","null"]},
    "entrances":{"type":"array","items":{"$ref":"#/components/schemas/Entrance"}},"created_at":{"type":"string","format":"date-time"},
    "stop_on_yellow":{"type":"boolean"},"stop_on_travel_flag":{"type":"boolean"},"notices":{"type":"string"}}},
  "VenueInput": {"type":"object","properties":{"name":{"type":"string"},"type":{"$ref":"#/components/schemas/VenueType"},
    "address":{"type":"string"},"division_id":{"type":"integer"},"capacity":{"type":["integer","null"]},
    "entrances":{"type":"array","items":{"$ref":"#/components/schemas/Entrance"}}}},
  "AuditEntry": {"type":"object","properties":{"id":{"type":"integer"},"at":{"type":"string","format":"date-time"},
    "actor_id":{"type":["integer","null"]},"actor_username":{"type":["string","null"]},"action":{"type":"string"},
    "record_type":{"type":["string","null"]},"record_id":{"type":["string","null"]},"client_addr":{"type":["string","null"]},
    "detail":{}}},
  "Person": {"type":"object","properties":{"id":{"type":"integer"},"id_masked":{"type":"string","example":"140702********1234"},
    "name":{"type":"string"},"phone":{"type":["string","null"]},"division_id":{"type":"integer"},"division_name":{"type":"string"},
    "household_id":{"type":"integer"},"case_status":{"type":"string","enum":["none","suspected","confirmed","asymptomatic"]},
    "manage_status":{"type":"string"},"manage_until":{"type":["string","null"],"format":"date-time"},"created_at":{"type":"string","format":"date-time"}}},
  "PersonInput": {"type":"object","properties":{"id_number":{"type":"string","description":"18 characters, GB 11643 check digit; x accepted as X"},
    "name":{"type":"string"},"phone":{"type":"string"},"division_id":{"type":"integer","description":"home community, compound or building"},
    "household_of":{"type":"integer","description":"join this person's household"}}},
  "PersonList": {"type":"object","properties":{"items":{"type":"array","items":{"$ref":"#/components/schemas/Person"}}}},
  "MePerson": {"allOf":[{"$ref":"#/components/schemas/Person"},{"type":"object","properties":{"household":{"type":"array","items":{"$ref":"#/components/schemas/Person"}}}}]},
  "IdNumber": {"type":"object","properties":{"id_number":{"type":"string"}}},
  "Stay": {"type":"object","properties":{"id":{"type":"integer"},"division_code":{"type":"string"},"from":{"type":"string","format":"date-time"},
    "to":{"type":"string","format":"date-time"},"source":{"type":"string","enum":["declared","imported"]}}},
  "StayInput": {"type":"object","required":["division_code","from","to"],"properties":{"division_code":{"type":"string","pattern":"^[0-9]{6}$"},
    "from":{"type":"string","format":"date-time"},"to":{"type":"string","format":"date-time"},"member":{"type":"integer"}}},
  "StayList": {"type":"object","properties":{"items":{"type":"array","items":{"$ref":"#/components/schemas/Stay"}}}},
  "TestInput": {"type":"object","required":["sampled_at","result"],"properties":{"sampled_at":{"type":"string","format":"date-time"},
    "result":{"type":"string","enum":["pending","negative","positive"]}}},
  "Test": {"type":"object","properties":{"id":{"type":"integer"},"person_id":{"type":"integer"},"sampled_at":{"type":"string"},
    "result":{"type":"string"},"result_at":{"type":["string","null"]}}},
  "TestList": {"type":"object","properties":{"items":{"type":"array","items":{"$ref":"#/components/schemas/Test"}}}},
  "OverrideInput": {"type":"object","required":["color","reason","until"],"properties":{"color":{"type":"string","enum":["green","yellow","red"]},
    "reason":{"type":"string"},"until":{"type":"string","format":"date-time"}}},
  "Override": {"type":"object","properties":{"id":{"type":"integer"},"color":{"type":"string"},"reason":{"type":"string"},"until":{"type":"string"}}},
  "StateInput": {"type":"object","properties":{"case_status":{"type":"string"},"manage_status":{"type":"string"},"manage_until":{"type":"string","format":"date-time"}}},
  "LinkInput": {"type":"object","required":["person_id"],"properties":{"person_id":{"type":"integer"}}},
  "Reason": {"type":"object","properties":{"code":{"type":"string"},"message":{"type":"string"},"message_en":{"type":"string"}}},
  "HealthCode": {"type":"object","properties":{"color":{"type":"string","enum":["green","yellow","red"]},
    "reasons":{"type":"array","items":{"$ref":"#/components/schemas/Reason"}},"valid_until":{"type":"string","format":"date-time"},
    "rule_set_version":{"type":"string"},"token":{"type":"string","description":"see docs/health-code-token.md"},
    "token_expires_at":{"type":"string","format":"date-time"},"qr_svg":{"type":"string"},
    "travel":{"type":"object","properties":{"flagged":{"type":"boolean"},"division_codes":{"type":"array","items":{"type":"string"}}}}}},
  "PublicKeys": {"type":"object","properties":{"keys":{"type":"array","items":{"type":"object","properties":{"kid":{"type":"integer"},
    "alg":{"type":"string","enum":["Ed25519"]},"public_key":{"type":"string","description":"base64url, 32 bytes"}}}}}},
  "RiskArea": {"type":"object","properties":{"id":{"type":"integer"},"division_code":{"type":"string"},"division_name":{"type":"string"},
    "area_name":{"type":"string"},"level":{"type":"string","enum":["high","medium","low"]},"level_since":{"type":"string"},
    "effective_from":{"type":"string"},"effective_until":{"type":["string","null"]},"last_infection_at":{"type":"string"},
    "screen_negative_at":{"type":["string","null"]},"decided_by":{"type":"string"},"history":{"type":"array","items":{"type":"object"}}}},
  "RiskAreaList": {"type":"object","properties":{"items":{"type":"array","items":{"$ref":"#/components/schemas/RiskArea"}}}},
  "RiskAreaInput": {"type":"object","required":["division_code","area_name","level"],"properties":{"division_code":{"type":"string"},
    "division_name":{"type":"string"},"area_name":{"type":"string"},"level":{"type":"string","enum":["high","medium"]},
    "effective_from":{"type":"string","format":"date-time"}}},
  "RiskEventInput": {"type":"object","required":["action"],"properties":{"action":{"type":"string","enum":["new_infection","negative_screen","lift"]},
    "at":{"type":"string","format":"date-time"},"note":{"type":"string"}}},
  "PublicRiskAreas": {"type":"object","properties":{"updated_at":{"type":"string"},"areas":{"type":"array","items":{"type":"object",
    "properties":{"division_code":{"type":"string"},"division_name":{"type":"string"},"area_name":{"type":"string"},
    "level":{"type":"string"},"effective_from":{"type":"string"}}}}}},
  "ScanInput": {"type":"object","required":["venue_id","entrance","direction"],"properties":{"venue_id":{"type":"integer"},
    "entrance":{"type":"string"},"direction":{"type":"string","enum":["in","out"]},"token":{"type":"string"},
    "id_number":{"type":"string","description":"the special channel, instead of token"},
    "temperature_c":{"type":"number","minimum":34,"maximum":43},"mask":{"type":"boolean"},
    "client_scan_id":{"type":"string","description":"the client's id for this scan: sent again, it is recorded once and answered with the first result"},
    "scanned_at":{"type":"string","format":"date-time","description":"when a scan queued offline happened (within 24 h): judged and recorded at that time"}}},
  "ScanResult": {"type":"object","properties":{"decision":{"type":"string","enum":["pass","stop"]},"color":{"type":["string","null"]},
    "reasons":{"type":"array","items":{"$ref":"#/components/schemas/Reason"}},"checkin_id":{"type":"string"},
    "person_id":{"type":["integer","null"]},"handover_id":{"type":"string"},"replayed":{"type":"boolean"}}},
  "VenueToday": {"type":"object","properties":{"from":{"type":"string"},"to":{"type":"string"},"entries":{"type":"integer"},
    "exits":{"type":"integer"},"stops":{"type":"integer"},"fevers":{"type":"integer"},"occupancy":{"type":"integer"},
    "open_handovers":{"type":"integer"},"by_hour":{"type":"array","items":{"type":"object"}}}},
  "Checkin": {"type":"object","properties":{"id":{"type":"string"},"at":{"type":"string"},"entrance":{"type":"string"},
    "direction":{"type":"string"},"decision":{"type":"string"},"color":{"type":["string","null"]},"person_id":{"type":["integer","null"]},
    "temperature_c":{"type":["number","null"]},"mask":{"type":"boolean"},"channel":{"type":"string"},
    "reasons":{"type":"array","items":{"$ref":"#/components/schemas/Reason"}},"t_out":{"type":["string","null"]}}},
  "Handover": {"type":"object","properties":{"id":{"type":"string"},"venue_id":{"type":"integer"},"venue_name":{"type":"string"},
    "checkin_id":{"type":"string"},"person_id":{"type":["integer","null"]},"temperature_c":{"type":"number"},
    "opened_at":{"type":"string"},"status":{"type":"string","enum":["open","closed"]},"closed_at":{"type":["string","null"]},
    "outcome":{"type":["string","null"]}}},
  "HandoverList": {"type":"object","properties":{"items":{"type":"array","items":{"$ref":"#/components/schemas/Handover"}}}},
  "HandoverClose": {"type":"object","required":["outcome"],"properties":{"outcome":{"type":"string"}}},
  "VenuePolicy": {"type":"object","properties":{"stop_on_yellow":{"type":"boolean"},"stop_on_travel_flag":{"type":"boolean"},"notices":{"type":"string"}}},
  "StayImport": {"type":"object","properties":{"imported":{"type":"integer"},
    "skipped":{"type":"array","items":{"type":"object","properties":{"line":{"type":"integer"},"message":{"type":"string"}}}},
    "errors":{"type":"array","items":{"type":"object"}}}},
  "Board": {"type":"object","properties":{"venue":{"type":"object"},"notices":{"type":"string"},"today_entries":{"type":"integer"},
    "risk_areas":{"type":"array","items":{"type":"object"}},"updated_at":{"type":"string"}}},
  "RosterTree": {"type":"object","properties":{"key":{"type":"string"},"label":{"type":"string"},
    "level":{"type":"string","enum":["community","compound","building","unit","room"]},"division_id":{"type":["integer","null"]},
    "unit":{"type":"string"},"room":{"type":"string"},"residents":{"type":"integer"},
    "children":{"type":"array","items":{"$ref":"#/components/schemas/RosterTree"}}}},
  "RosterEntry": {"type":"object","properties":{"person_id":{"type":"integer"},"name":{"type":"string"},"phone":{"type":["string","null"]},
    "id_masked":{"type":"string"},"division_id":{"type":"integer"},"division_name":{"type":"string"},"compound_name":{"type":"string"},
    "building_name":{"type":["string","null"]},"unit":{"type":"string"},"room":{"type":"string"},
    "moved_in_at":{"type":["string","null"]},"moved_out_at":{"type":["string","null"]},"manage_status":{"type":"string"}}},
  "RosterImport": {"type":"object","properties":{"created":{"type":"integer"},"moved":{"type":"integer"},"unchanged":{"type":"integer"},
    "encoding":{"type":"string"}}},
  "MoveIn": {"type":"object","required":["division_id"],"properties":{"division_id":{"type":"integer"},"unit":{"type":"string"},
    "room":{"type":"string"},"at":{"type":"string","format":"date-time"}}},
  "MoveOut": {"type":"object","properties":{"at":{"type":"string","format":"date-time"},"note":{"type":"string"}}},
  "Residence": {"type":"object","properties":{"id":{"type":"integer"},"person_id":{"type":"integer"},"community_id":{"type":"integer"},
    "compound_id":{"type":"integer"},"building_id":{"type":["integer","null"]},"unit":{"type":"string"},"room":{"type":"string"},
    "moved_in_at":{"type":"string"},"moved_out_at":{"type":["string","null"]},"note":{"type":["string","null"]}}},
  "ResidenceList": {"type":"object","properties":{"items":{"type":"array","items":{"$ref":"#/components/schemas/Residence"}}}},
  "WorkerList": {"type":"object","properties":{"items":{"type":"array","items":{"type":"object","properties":{"id":{"type":"integer"},
    "display_name":{"type":"string"},"username":{"type":"string"},"division_name":{"type":"string"}}}}}},
  "ArrivalMeasure": {"type":"object","properties":{"origin_level":{"type":"string","enum":["high","medium","low","none"]},
    "measure":{"type":"string","enum":["high_risk_arrival","medium_risk_arrival","low_risk_arrival","none"]},
    "place":{"type":["string","null"]},"quarantine_end":{"type":["string","null"]},"planned_end":{"type":["string","null"]},
    "tests":{"type":"array","items":{"type":"object","properties":{"phase":{"type":"string"},"day":{"type":"integer"},
      "due_from":{"type":"string"},"due_to":{"type":"string"}}}},
    "origin_areas":{"type":"array","items":{"type":"object"}}}},
  "ReturneeInput": {"type":"object","required":["origin_code","transport","arrived_at","phone"],"properties":{
    "person_id":{"type":"integer"},"member":{"type":"integer"},"origin_code":{"type":"string","pattern":"^[0-9]{6}$"},
    "origin_name":{"type":"string"},"risk_area_id":{"type":["integer","null"]},
    "transport":{"type":"string","enum":["train","coach","car","plane","other"]},"transport_no":{"type":"string"},
    "departed_at":{"type":["string","null"]},"arrived_at":{"type":"string","format":"date-time"},"phone":{"type":"string"},
    "tests":{"type":"array","items":{"type":"object","properties":{"sampled_at":{"type":"string"},"result":{"type":"string"}}}}}},
  "Returnee": {"type":"object","properties":{"id":{"type":"integer"},"person_id":{"type":"integer"},"person_name":{"type":"string"},
    "origin_code":{"type":"string"},"origin_name":{"type":"string"},"transport":{"type":"string"},"transport_no":{"type":"string"},
    "departed_at":{"type":"string"},"arrived_at":{"type":"string"},"phone":{"type":"string"},"tests":{"type":"array","items":{"type":"object"}},
    "travel_flag":{"type":"boolean"},"managed_case_id":{"type":["integer","null"]},"channel":{"type":"string","enum":["self","worker"]},
    "closed_list_items":{"type":"integer"},"measure":{"$ref":"#/components/schemas/ArrivalMeasure"}}},
  "PushCounts": {"type":"object","properties":{"total":{"type":"integer"},
    "buckets":{"type":"object","properties":{"registered":{"type":"integer"},"unregistered":{"type":"integer"},
      "unmatched":{"type":"integer"},"duplicate":{"type":"integer"}}},
    "open":{"type":"integer"},"overdue":{"type":"integer"},
    "outcomes":{"type":"object","properties":{"registered":{"type":"integer"},"not_here":{"type":"integer"},
      "moved_away":{"type":"integer"},"duplicate":{"type":"integer"}}}}},
  "PushListCreated": {"allOf":[{"$ref":"#/components/schemas/PushCounts"},{"type":"object","properties":{"list_id":{"type":"integer"},
    "encoding":{"type":"string"}}}]},
  "PushList": {"allOf":[{"$ref":"#/components/schemas/PushCounts"},{"type":"object","properties":{"id":{"type":"integer"},
    "name":{"type":"string"},"community_id":{"type":"integer"},"community_name":{"type":"string"},"deadline":{"type":"string"},
    "file_name":{"type":"string"},"created_at":{"type":"string"}}}]},
  "PushListList": {"type":"object","properties":{"items":{"type":"array","items":{"$ref":"#/components/schemas/PushList"}}}},
  "PushItem": {"type":"object","properties":{"list_id":{"type":"integer"},"line":{"type":"integer"},"name":{"type":"string"},
    "id_masked":{"type":["string","null"]},"phone":{"type":["string","null"]},"origin":{"type":"string"},
    "arrival_date":{"type":["string","null"]},"bucket":{"type":"string","enum":["registered","unregistered","unmatched","duplicate"]},
    "matched_by":{"type":["string","null"]},"match_note":{"type":["string","null"]},"person_id":{"type":["integer","null"]},
    "compound_id":{"type":["integer","null"]},"compound_name":{"type":["string","null"]},"assignee_id":{"type":["integer","null"]},
    "assignee_name":{"type":["string","null"]},"status":{"type":"string","enum":["open","closed"]},
    "outcome":{"type":["string","null"]},"outcome_reason":{"type":["string","null"]},"outcome_at":{"type":["string","null"]},
    "deadline":{"type":"string"},"overdue":{"type":"boolean"},"reminded_at":{"type":["string","null"]}}},
  "PushOutcome": {"type":"object","required":["outcome"],"properties":{
    "outcome":{"type":"string","enum":["registered","not_here","moved_away","duplicate"]},"reason":{"type":"string"}}},
  "PushAssign": {"type":"object","required":["user_id"],"properties":{"user_id":{"type":"integer"}}},
  "PushBoard": {"allOf":[{"$ref":"#/components/schemas/PushCounts"},{"type":"object","properties":{"compounds":{"type":"array",
    "items":{"type":"object"}}}}]},
  "DisinfectionInput": {"type":"object","required":["compound_id","area","done_at","method","team"],"properties":{
    "compound_id":{"type":"integer"},"area":{"type":"string"},"done_at":{"type":"string","format":"date-time"},"method":{"type":"string"},
    "team":{"type":"string"},"note":{"type":"string"},"photo":{"type":"string","description":"data:image/jpeg;base64,…"}}},
  "Disinfection": {"type":"object","properties":{"id":{"type":"integer"},"compound_id":{"type":"integer"},"compound_name":{"type":"string"},
    "area":{"type":"string"},"done_at":{"type":"string"},"method":{"type":"string"},"team":{"type":"string"},"note":{"type":"string"},
    "photo_url":{"type":["string","null"]},"created_at":{"type":"string"}}}
})";

json::object content_of(const std::string& schema) {
  json::object s;
  if (schema.rfind("Page:", 0) == 0) {
    s = {{"type", "object"},
         {"properties", json::object{{"items", json::object{{"type", "array"},
                                                            {"items", json::object{{"$ref", "#/components/schemas/" + schema.substr(5)}}}}},
                                     {"total", json::object{{"type", "integer"}}},
                                     {"page", json::object{{"type", "integer"}}},
                                     {"page_size", json::object{{"type", "integer"}}}}}};
  } else {
    s = {{"$ref", "#/components/schemas/" + schema}};
  }
  return {{"application/json", json::object{{"schema", s}}}};
}

json::object error_ref(const std::string& what) {
  return {{"description", what}, {"content", content_of("Error")}};
}

}  // namespace

std::string build_openapi(const Router& router) {
  json::object paths;
  for (const auto& r : router.routes()) {
    json::object op{{"summary", r.summary}, {"tags", json::array{json::string(r.tag)}},
                    {"operationId", r.method + " " + r.pattern}};
    json::array params;
    for (size_t p = r.pattern.find('{'); p != std::string::npos; p = r.pattern.find('{', p + 1)) {
      auto e = r.pattern.find('}', p);
      params.push_back(json::object{{"name", r.pattern.substr(p + 1, e - p - 1)}, {"in", "path"}, {"required", true},
                                    {"schema", json::object{{"type", "integer"}}}});
    }
    for (const auto& q : r.query_params)
      params.push_back(json::object{{"name", q}, {"in", "query"}, {"required", false},
                                    {"schema", json::object{{"type", q == "q" || q == "level" || q == "type" || q == "role" ||
                                                                         q == "actor" || q == "action" || q == "record_type" ||
                                                                         q == "since" || q == "until" || q == "id_number" || q == "date" || q == "from" || q == "to" ||
                                                                         q == "decision" || q == "format" || q == "status" || q == "all" ||
                                                                         q == "division_code" || q == "channel" || q == "filename" || q == "state" || q == "measure" || q == "overdue"
                                                                     ? "string"
                                                                     : "integer"}}}});
    if (!params.empty()) op["parameters"] = std::move(params);
    if (!r.request_schema.empty())
      op["requestBody"] = json::object{{"required", true}, {"content", content_of(r.request_schema)}};
    json::object responses;
    json::object ok{{"description", "success"}};
    if (!r.response_schema.empty()) ok["content"] = content_of(r.response_schema);
    responses[std::to_string(r.success_status)] = std::move(ok);
    if (!r.request_schema.empty() || !r.query_params.empty()) responses["400"] = error_ref("bad input");
    if (r.access != Access::kPublic) {
      responses["401"] = error_ref("not signed in");
      op["security"] = json::array{json::object{{"bearer", json::array{}}}, json::object{{"cookie", json::array{}}}};
    }
    if (r.access == Access::kPermission) {
      responses["403"] = error_ref("outside the caller's role (" + r.permission + ") or jurisdiction");
      op["x-permission"] = r.permission;
    }
    if (r.pattern.find('{') != std::string::npos) responses["404"] = error_ref("no such record");
    if (r.pattern.rfind("/api/v1/me/", 0) == 0) responses["404"] = error_ref("no_person: the account is not linked to a person yet");
    if (r.method == "POST" || r.method == "PATCH" || r.method == "DELETE") responses["409"] = error_ref("conflict");
    op["responses"] = std::move(responses);
    std::string method = r.method;
    for (auto& ch : method) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (!paths.contains(r.pattern)) paths[r.pattern] = json::object{};
    paths[r.pattern].as_object()[method] = std::move(op);
  }
  json::object doc{
      {"openapi", "3.1.0"},
      {"info", json::object{{"title", "epinet API"},
                            {"version", EPINET_VERSION},
                            {"description", "A city's epidemic prevention and control platform. Errors are "
                                            "{\"error\":{\"code\",\"message\"}}."}}},
      {"servers", json::array{json::object{{"url", "/"}}}},
      {"paths", std::move(paths)},
      {"components",
       json::object{{"schemas", json::parse(kSchemas)},
                    {"securitySchemes",
                     json::object{{"bearer", json::object{{"type", "http"}, {"scheme", "bearer"}}},
                                  {"cookie", json::object{{"type", "apiKey"}, {"in", "cookie"}, {"name", "epinet_session"}}}}}}}};
  return json::serialize(doc);
}

}  // namespace epinet::http
