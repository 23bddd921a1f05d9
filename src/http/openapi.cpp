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
    "database":{"type":"string","enum":["sqlite","postgresql"]}}},
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
    "entrances":{"type":"array","items":{"$ref":"#/components/schemas/Entrance"}},"created_at":{"type":"string","format":"date-time"}}},
  "VenueInput": {"type":"object","properties":{"name":{"type":"string"},"type":{"$ref":"#/components/schemas/VenueType"},
    "address":{"type":"string"},"division_id":{"type":"integer"},"capacity":{"type":["integer","null"]},
    "entrances":{"type":"array","items":{"$ref":"#/components/schemas/Entrance"}}}},
  "AuditEntry": {"type":"object","properties":{"id":{"type":"integer"},"at":{"type":"string","format":"date-time"},
    "actor_id":{"type":["integer","null"]},"actor_username":{"type":["string","null"]},"action":{"type":"string"},
    "record_type":{"type":["string","null"]},"record_id":{"type":["string","null"]},"client_addr":{"type":["string","null"]},
    "detail":{}}}
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
                                                                         q == "since" || q == "until"
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
