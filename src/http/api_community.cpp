// /api/v1/communities/*, /api/v1/roster*, /api/v1/returnees*, /api/v1/me/returnee*,
// /api/v1/push-lists*, /api/v1/push-todo and /api/v1/disinfections*.
#include <map>

#include "core/crypto.h"
#include "core/error.h"
#include "http/export.h"
#include "http/json_io.h"
#include "service/checkpoints.h"
#include "service/community.h"
#include "service/push_lists.h"

namespace epinet::http {
namespace {
namespace cm = domain::community;

json::value opt_time(const std::optional<Millis>& t) { return t ? json::value(iso8601(*t)) : json::value(nullptr); }
json::value opt_id(const std::optional<int64_t>& v) { return v ? json::value(*v) : json::value(nullptr); }
json::value text_or_null(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }

// An empty field from a form means "not given".
std::optional<Millis> optional_time(const json::object& b, std::string_view key) {
  auto s = opt_string(b, key, 40);
  return s && s->empty() ? std::nullopt : body_time(b, key);
}

// ---- uploads: the raw body, or one file of a multipart/form-data body.
struct Upload {
  std::string_view bytes;
  std::string file_name;
  std::map<std::string, std::string> fields;  // the other form fields
};

std::string header_param(std::string_view header, std::string_view name) {
  std::string key = std::string(name) + "=";
  for (size_t p = 0; (p = header.find(key, p)) != std::string_view::npos; p += key.size()) {
    if (p > 0 && header[p - 1] != ' ' && header[p - 1] != ';') continue;
    size_t v = p + key.size();
    if (v < header.size() && header[v] == '"') {
      size_t e = header.find('"', v + 1);
      return std::string(header.substr(v + 1, e == std::string_view::npos ? std::string_view::npos : e - v - 1));
    }
    size_t e = header.find(';', v);
    return std::string(header.substr(v, e == std::string_view::npos ? std::string_view::npos : e - v));
  }
  return "";
}

Upload upload_of(const Request& req) {
  Upload u;
  if (req.content_type.rfind("multipart/form-data", 0) != 0) {
    require_table_upload(req);
    u.bytes = req.body;
    return u;
  }
  std::string boundary = header_param(req.content_type, "boundary");
  if (boundary.empty()) throw invalid("invalid_body", "multipart/form-data without a boundary");
  const std::string delim = "--" + boundary;
  std::string_view body = req.body;
  bool have_file = false;
  for (size_t p = body.find(delim); p != std::string_view::npos;) {
    size_t start = p + delim.size();
    if (body.substr(start, 2) == "--") break;
    size_t head_end = body.find("\r\n\r\n", start);
    size_t next = body.find("\r\n" + delim, start);
    if (head_end == std::string_view::npos || next == std::string_view::npos || head_end > next)
      throw invalid("invalid_body", "a multipart part is malformed");
    std::string_view head = body.substr(start, head_end - start);
    std::string_view content = body.substr(head_end + 4, next - head_end - 4);
    std::string name = header_param(head, "name"), file = header_param(head, "filename");
    if (head.find("filename=") != std::string_view::npos) {
      if (!have_file) u.bytes = content, u.file_name = file, have_file = true;
    } else if (!name.empty()) {
      u.fields[name] = std::string(content);
    }
    p = next + 2;
  }
  if (!have_file) throw invalid("missing_field", "the form has no file");
  return u;
}

// The setting from the query string, or else the multipart form.
std::string param(const Request& req, const Upload& u, const std::string& key) {
  std::string q = query_str(req, key);
  if (!q.empty()) return q;
  auto it = u.fields.find(key);
  return it == u.fields.end() ? "" : it->second;
}

int64_t positive_int(const std::string& s, const char* name) {
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end || v <= 0) throw invalid("invalid_field", std::string(name) + " must be a positive integer");
  return v;
}

json::array row_errors(const std::vector<cm::RowError>& errors) {
  json::array a;
  for (const auto& e : errors) a.push_back(json::object{{"line", e.line}, {"message", e.message}});
  return a;
}

Response rows_refused(const std::vector<cm::RowError>& errors) {
  json::object err{{"code", "invalid_rows"},
                   {"message", std::to_string(errors.size()) + " row(s) are not valid: nothing was imported"},
                   {"rows", row_errors(errors)}};
  return object_response(422, {{"error", std::move(err)}});
}

// ---- JSON of records

json::object tree_json(const service::RosterTreeNode& n) {
  json::array children;
  for (const auto& c : n.children) children.push_back(tree_json(c));
  return {{"key", n.key},       {"label", n.label}, {"level", n.level}, {"division_id", opt_id(n.division_id)},
          {"unit", n.unit},     {"room", n.room},   {"residents", n.residents}, {"children", std::move(children)}};
}

json::object roster_json(const store::RosterEntry& e) {
  return {{"person_id", e.person_id},       {"name", e.name},
          {"phone", text_or_null(e.phone)}, {"id_masked", e.id_masked},
          {"division_id", e.division_id},   {"division_name", e.division_name},
          {"unit", e.unit},                 {"room", e.room},
          {"moved_in_at", opt_time(e.moved_in_at)}, {"moved_out_at", opt_time(e.moved_out_at)},
          {"manage_status", e.manage_status},       {"compound_name", e.compound_name},
          {"building_name", text_or_null(e.building_name)}};
}

json::object residence_json(const store::Residence& r) {
  return {{"id", r.id},
          {"person_id", r.person_id},
          {"community_id", r.community_id},
          {"compound_id", r.compound_id},
          {"building_id", opt_id(r.building_id)},
          {"unit", r.unit},
          {"room", r.room},
          {"moved_in_at", iso8601(r.moved_in_at)},
          {"moved_out_at", opt_time(r.moved_out_at)},
          {"note", text_or_null(r.move_note)}};
}

json::object measure_json(const service::ReturneeResult& res) {
  const auto& m = res.measure;
  json::array schedule, area_list;
  if (res.plan) {
    for (const auto& t : res.plan->tests)
      schedule.push_back(json::object{{"phase", t.phase}, {"day", t.absolute_day}, {"due_from", iso8601(t.due_from)},
                                      {"due_to", iso8601(t.due_to)}});
  }
  for (const auto& a : res.origin_areas)
    area_list.push_back(json::object{{"id", a.id}, {"division_code", a.division_code}, {"division_name", a.division_name},
                                     {"area_name", a.area_name}, {"level", a.level}});
  return {{"origin_level", m.origin_level},
          {"measure", m.measure},
          {"place", res.plan ? json::value(std::string(domain::quarantine::place_name(res.plan->place))) : json::value(nullptr)},
          {"quarantine_end", res.plan && res.plan->place != domain::quarantine::Place::kNone
                                 ? json::value(iso8601(res.plan->quarantine_end)) : json::value(nullptr)},
          {"planned_end", res.plan ? json::value(iso8601(res.plan->planned_end)) : json::value(nullptr)},
          {"tests", std::move(schedule)},
          {"origin_areas", std::move(area_list)}};
}

json::object returnee_json(const service::ReturneeResult& res) {
  const auto& r = res.returnee;
  json::error_code ec;
  json::value tests = json::parse(r.tests_json, ec);
  return {{"id", r.id},
          {"person_id", r.person_id},
          {"person_name", r.person_name},
          {"community_id", r.community_id},
          {"origin_code", r.origin_code},
          {"origin_name", r.origin_name},
          {"risk_area_id", opt_id(r.risk_area_id)},
          {"transport", r.transport},
          {"transport_no", r.transport_no},
          {"departed_at", iso8601(r.departed_at)},
          {"arrived_at", iso8601(r.arrived_at)},
          {"phone", r.phone},
          {"tests", ec ? json::value(json::array{}) : tests},
          {"travel_flag", r.travel_flag},
          {"managed_case_id", opt_id(r.managed_case_id)},
          {"channel", r.channel},
          {"created_at", iso8601(r.created_at)},
          {"closed_list_items", res.closed_list_items},
          {"measure", measure_json(res)}};
}

json::object counts_json(const store::PushCounts& k) {
  return {{"total", k.total},
          {"buckets", json::object{{"registered", k.registered}, {"unregistered", k.unregistered},
                                   {"unmatched", k.unmatched}, {"duplicate", k.duplicate}}},
          {"open", k.open},
          {"overdue", k.overdue},
          {"outcomes", json::object{{"registered", k.outcome_registered}, {"not_here", k.outcome_not_here},
                                    {"moved_away", k.outcome_moved_away}, {"duplicate", k.outcome_duplicate}}}};
}

json::object list_json(const store::PushList& l, const store::PushCounts& k) {
  json::object o = counts_json(k);
  o["id"] = l.id;
  o["list_id"] = l.id;
  o["name"] = l.name;
  o["community_id"] = l.community_id;
  o["community_name"] = l.community_name;
  o["deadline"] = iso8601(l.deadline);
  o["file_name"] = l.file_name;
  o["created_at"] = iso8601(l.created_at);
  return o;
}

json::object item_json(const store::PushItem& i, Millis now) {
  return {{"list_id", i.list_id},
          {"list_name", i.list_name},
          {"line", i.line},
          {"name", i.name},
          {"id_masked", text_or_null(i.id_masked)},
          {"phone", text_or_null(i.phone)},
          {"origin", i.origin},
          {"arrival_date", text_or_null(i.arrival_date)},
          {"bucket", i.bucket},
          {"matched_by", text_or_null(i.matched_by)},
          {"match_note", text_or_null(i.match_note)},
          {"person_id", opt_id(i.person_id)},
          {"compound_id", opt_id(i.compound_id)},
          {"compound_name", text_or_null(i.compound_name)},
          {"assignee_id", opt_id(i.assignee_id)},
          {"assignee_name", text_or_null(i.assignee_name)},
          {"status", i.status},
          {"outcome", text_or_null(i.outcome)},
          {"outcome_reason", text_or_null(i.outcome_reason)},
          {"outcome_at", opt_time(i.outcome_at)},
          {"deadline", iso8601(i.deadline)},
          {"overdue", i.status == "open" && i.deadline < now},
          {"reminded_at", opt_time(i.reminded_at)}};
}

json::object disinfection_json(const store::Disinfection& d) {
  return {{"id", d.id},
          {"compound_id", d.compound_id},
          {"compound_name", d.compound_name},
          {"area", d.area},
          {"done_at", iso8601(d.done_at)},
          {"method", d.method},
          {"team", d.team},
          {"note", d.note},
          {"photo_url", d.has_photo ? json::value("/api/v1/disinfections/" + std::to_string(d.id) + "/photo")
                                    : json::value(nullptr)},
          {"created_at", iso8601(d.created_at)}};
}

template <class T, class F>
Response items_page(const store::PageOf<T>& page, const store::Page& p, F&& to) {
  json::array items;
  for (const auto& x : page.items) items.push_back(to(x));
  return object_response(200, {{"items", std::move(items)}, {"total", page.total}, {"page", p.page}, {"page_size", p.page_size}});
}

service::ReturneeInput returnee_input(const json::object& b) {
  service::ReturneeInput in;
  in.origin_code = opt_string(b, "origin_code", 6).value_or("");
  in.origin_name = opt_string(b, "origin_name", 100).value_or("");
  in.risk_area_id = opt_int(b, "risk_area_id");
  in.transport = opt_string(b, "transport", 20).value_or("");
  in.transport_no = opt_string(b, "transport_no", 40).value_or("");
  in.departed_at = optional_time(b, "departed_at");
  in.arrived_at = required_body_time(b, "arrived_at");
  in.phone = opt_string(b, "phone", 30).value_or("");
  if (auto t = b.if_contains("tests"); t && !t->is_null()) {
    if (!t->is_array()) throw invalid("invalid_field", "tests must be an array");
    for (const auto& x : t->as_array()) {
      if (!x.is_object()) throw invalid("invalid_field", "a test is an object {sampled_at, result}");
      in.tests.push_back({required_body_time(x.as_object(), "sampled_at"), opt_string(x.as_object(), "result", 20).value_or("")});
    }
  }
  return in;
}

Response push_item_table(const std::vector<store::PushItem>& items, const std::string& format, const std::string& stem) {
  Table t{{"行号 line", "姓名 name", "身份证号 id_masked", "联系电话 phone", "来源地 origin", "抵达日期 arrival_date",
           "比对结果 bucket", "匹配方式 matched_by", "小区 compound", "网格员 assignee", "状态 status", "核查结果 outcome",
           "说明 reason", "核查时间 outcome_at"}};
  for (const auto& i : items)
    t.push_back({std::to_string(i.line), i.name, i.id_masked, i.phone, i.origin, i.arrival_date, i.bucket, i.matched_by,
                 i.compound_name, i.assignee_name, i.status, i.outcome, i.outcome_reason,
                 i.outcome_at ? iso8601(*i.outcome_at) : ""});
  return table_response(t, format, stem);
}

}  // namespace

void register_community_routes(App& app) {
  auto& rt = *app.runtime;
  auto& r = app.router;
  const std::string read = "community:read";
  const std::string write = "community:write";

  // ---- roster
  r.add({"GET", "/api/v1/communities/{id}/roster-tree", Access::kPermission, read, "community",
         "The community's compounds › buildings › units › rooms with how many live in each", "", "RosterTree", 200, {},
         [&rt](RouteContext& ctx) { return object_response(200, tree_json(service::roster_tree(rt, *ctx.caller, ctx.id_param(0)))); }});
  r.add({"GET", "/api/v1/roster", Access::kPermission, read, "community",
         "Residents under a division (compound, building), filtered by unit, room, name or phone; moved_out=true lists "
         "those who moved away; ?format=csv|xlsx exports (audited)",
         "", "Page:RosterEntry", 200, {"division_id", "unit", "room", "q", "moved_out", "format", "page", "page_size"},
         [&rt](RouteContext& ctx) {
           auto div = query_int(ctx.req, "division_id");
           if (!div) throw invalid("missing_field", "division_id is required");
           store::RosterFilter f;
           f.unit = query_str(ctx.req, "unit");
           f.room = query_str(ctx.req, "room");
           f.q = query_str(ctx.req, "q");
           f.moved_out = query_str(ctx.req, "moved_out") == "true";
           std::string format = query_str(ctx.req, "format");
           store::Page p = format.empty() ? page_of(ctx.req) : store::Page{1, 200000};
           auto page = service::roster(rt, *ctx.caller, *div, f, p);
           if (!format.empty()) {
             Table t{domain::community::template_header(domain::community::roster_columns())};
             t[0][1] = "身份证号(脱敏)";
             // The template's columns: name, identity number (masked), phone, compound, building, unit, room, note.
             for (const auto& e : page.items)
               t.push_back({e.name, e.id_masked, e.phone, e.compound_name, e.building_name, e.unit, e.room,
                            e.moved_out_at ? "moved out " + iso8601(*e.moved_out_at).substr(0, 10) : ""});
             return table_response(t, format, "roster-" + std::to_string(*div));
           }
           return items_page(page, p, roster_json);
         }});
  r.add({"GET", "/api/v1/roster/template", Access::kPermission, read, "community",
         "The roster template to fill in (?format=csv|xlsx): 姓名, 身份证号, 联系电话, 小区, 楼栋, 单元, 房号, 备注", "", "", 200,
         {"format"}, [](RouteContext& ctx) {
           Table t{domain::community::template_header(domain::community::roster_columns())};
           t.push_back({"张三", "", "13900000000", "银海心悦小区", "1号楼", "2单元", "301", ""});
           std::string format = query_str(ctx.req, "format");
           return table_response(t, format.empty() ? "xlsx" : format, "roster-template");
         }});
  r.add({"POST", "/api/v1/communities/{id}/roster/import", Access::kPermission, write, "community",
         "Import a roster: the file (CSV UTF-8/GBK or XLSX) as the body or as multipart/form-data. Any bad row refuses "
         "the whole file (422, every bad row named); a known identity number moves the person (history kept)",
         "", "RosterImport", 200, {}, [&rt](RouteContext& ctx) {
           auto u = upload_of(ctx.req);
           auto res = service::import_roster(rt, *ctx.caller, ctx.id_param(0), u.bytes);
           if (!res.errors.empty()) return rows_refused(res.errors);
           return object_response(200, {{"created", res.created}, {"moved", res.moved}, {"unchanged", res.unchanged},
                                        {"encoding", res.encoding}});
         }});
  r.add({"POST", "/api/v1/persons/{id}/move-in", Access::kPermission, write, "community",
         "Move a person in (to a compound or building, unit and room); the previous address is closed, not deleted",
         "MoveIn", "Residence", 201, {}, [&rt](RouteContext& ctx) {
           auto b = parse_body(ctx.req, {"division_id", "unit", "room", "at"});
           service::MoveInput in;
           auto d = opt_int(b, "division_id");
           if (!d) throw invalid("missing_field", "division_id is required");
           in.division_id = *d;
           in.unit = opt_string(b, "unit", 50).value_or("");
           in.room = opt_string(b, "room", 50).value_or("");
           in.at = optional_time(b, "at");
           return object_response(201, residence_json(service::move_in(rt, *ctx.caller, ctx.id_param(0), in)));
         }});
  r.add({"POST", "/api/v1/persons/{id}/move-out", Access::kPermission, write, "community",
         "Record that a person moved away (where to, why); the history is kept", "MoveOut", "", 204, {},
         [&rt](RouteContext& ctx) {
           auto b = parse_body(ctx.req, {"at", "note"});
           service::move_out(rt, *ctx.caller, ctx.id_param(0), optional_time(b, "at"), opt_string(b, "note", 500).value_or(""));
           Response resp;
           resp.status = 204;
           return resp;
         }});
  r.add({"GET", "/api/v1/persons/{id}/residences", Access::kPermission, read, "community",
         "A person's addresses, newest first (moves in and out)", "", "ResidenceList", 200, {}, [&rt](RouteContext& ctx) {
           json::array items;
           for (const auto& x : service::residence_history(rt, *ctx.caller, ctx.id_param(0))) items.push_back(residence_json(x));
           return object_response(200, {{"items", std::move(items)}});
         }});
  r.add({"GET", "/api/v1/communities/{id}/workers", Access::kPermission, read, "community",
         "The community workers of a community and its compounds (to assign list items to)", "", "WorkerList", 200, {},
         [&rt](RouteContext& ctx) {
           json::array items;
           rt.db.read([&](store::Connection& c) {
             auto community = service::community_of(c, ctx.id_param(0));
             service::require_within(*ctx.caller, {community.path, std::nullopt});
             for (const auto& [id, path] : store::workers_over(c, community.path)) {
               auto u = store::find_user(c, id);
               if (u && path.rfind(community.path, 0) == 0)
                 items.push_back(json::object{{"id", u->id}, {"display_name", u->display_name}, {"username", u->username},
                                              {"division_id", opt_id(u->division_id)}, {"division_name", u->division_name}});
             }
           });
           return object_response(200, {{"items", std::move(items)}});
         }});

  // ---- returnees
  r.add({"GET", "/api/v1/returnee-measure", Access::kPermission, "community:read|self:health", "community",
         "What a returnee's protocol measure would be: the origin's risk areas in force at arrival, the measure and its "
         "schedule (nothing is saved)",
         "", "ArrivalMeasure", 200, {"origin_code", "arrived_at", "risk_area_id"}, [&rt](RouteContext& ctx) {
           service::ReturneeInput in;
           in.origin_code = query_str(ctx.req, "origin_code");
           in.risk_area_id = query_int(ctx.req, "risk_area_id");
           in.arrived_at = query_time(ctx.req, "arrived_at").value_or(now_ms());
           return object_response(200, measure_json(service::preview_returnee(rt, in)));
         }});
  r.add({"POST", "/api/v1/returnees", Access::kPermission, write, "community",
         "Register a returnee on their behalf: origin, transport, arrival, tests, phone; computes the travel flag and "
         "the protocol measure, enrolls the person under it and closes their open pushed-list items",
         "ReturneeInput", "Returnee", 201, {}, [&rt](RouteContext& ctx) {
           auto b = parse_body(ctx.req, {"person_id", "origin_code", "origin_name", "risk_area_id", "transport",
                                         "transport_no", "departed_at", "arrived_at", "phone", "tests"});
           auto in = returnee_input(b);
           auto pid = opt_int(b, "person_id");
           if (!pid) throw invalid("missing_field", "person_id is required");
           in.person_id = *pid;
           return object_response(201, returnee_json(service::register_returnee(rt, *ctx.caller, in)));
         }});
  r.add({"POST", "/api/v1/me/returnee", Access::kPermission, "self:health", "me",
         "A resident registers their own return (or a household member's, member=ID)", "ReturneeInput", "Returnee", 201,
         {}, [&rt](RouteContext& ctx) {
           auto b = parse_body(ctx.req, {"member", "origin_code", "origin_name", "risk_area_id", "transport",
                                         "transport_no", "departed_at", "arrived_at", "phone", "tests"});
           auto in = returnee_input(b);
           in.person_id = service::resident_person(rt, *ctx.caller, opt_int(b, "member"));
           return object_response(201, returnee_json(service::register_returnee(rt, *ctx.caller, in)));
         }});
  r.add({"GET", "/api/v1/me/returnees", Access::kPermission, "self:health", "me",
         "The resident's own return registrations (or a household member's, ?member=ID)", "", "Page:Returnee", 200,
         {"member"}, [&rt](RouteContext& ctx) {
           store::ReturneeFilter f;
           f.person_id = service::resident_person(rt, *ctx.caller, query_int(ctx.req, "member"));
           store::Page p{1, 50};
           auto page = service::list_returnees(rt, *ctx.caller, f, p);
           return items_page(page, p, [](const store::Returnee& x) { service::ReturneeResult res;
             res.returnee = x;
             res.measure.measure = x.measure;
             res.measure.origin_level = x.origin_level;
             return returnee_json(res); });
         }});
  r.add({"GET", "/api/v1/returnees", Access::kPermission, read, "community",
         "Returnee registrations within the caller's jurisdiction, newest first", "", "Page:Returnee", 200,
         {"person_id", "measure", "page", "page_size"}, [&rt](RouteContext& ctx) {
           store::ReturneeFilter f;
           f.person_id = query_int(ctx.req, "person_id");
           f.measure = query_str(ctx.req, "measure");
           auto p = page_of(ctx.req);
           auto page = service::list_returnees(rt, *ctx.caller, f, p);
           return items_page(page, p, [](const store::Returnee& x) {
             service::ReturneeResult res;
             res.returnee = x;
             res.measure.measure = x.measure;
             res.measure.origin_level = x.origin_level;
             return returnee_json(res);
           });
         }});
  r.add({"GET", "/api/v1/returnees/{id}", Access::kPermission, read, "community",
         "One registration with its measure and schedule (audited)", "", "Returnee", 200, {}, [&rt](RouteContext& ctx) {
           return object_response(200, returnee_json(service::get_returnee(rt, *ctx.caller, ctx.id_param(0))));
         }});

  // ---- pushed lists
  r.add({"POST", "/api/v1/push-lists", Access::kPermission, "pushlists:write", "community",
         "Push a list down (核实大数据返回人员信息): the file (CSV UTF-8/GBK or XLSX: 姓名, 身份证号 or 联系电话, 来源地, "
         "抵达日期) as the body or multipart/form-data, with community_id, deadline (ISO 8601) and name in the query or "
         "the form. Matched against the roster and registrations; any bad row refuses the file (422)",
         "", "PushListCreated", 201, {"community_id", "deadline", "name"}, [&rt](RouteContext& ctx) {
           auto u = upload_of(ctx.req);
           service::PushUpload in;
           in.community_id = positive_int(param(ctx.req, u, "community_id"), "community_id");
           auto deadline = parse_iso8601(param(ctx.req, u, "deadline"));
           if (!deadline) throw invalid("invalid_field", "deadline must be an ISO 8601 time");
           in.deadline = *deadline;
           in.name = param(ctx.req, u, "name");
           in.file_name = u.file_name;
           in.bytes = u.bytes;
           auto res = service::upload_push_list(rt, *ctx.caller, in);
           if (!res.errors.empty()) return rows_refused(res.errors);
           json::object o = counts_json(res.counts);
           o["list_id"] = res.list_id;
           o["encoding"] = res.encoding;
           return object_response(201, o);
         }});
  r.add({"GET", "/api/v1/push-list-template", Access::kPermission, "pushlists:write|community:read", "community",
         "The pushed-list template (?format=csv|xlsx): 姓名, 身份证号, 联系电话, 来源地, 抵达日期", "", "", 200, {"format"},
         [](RouteContext& ctx) {
           Table t{domain::community::template_header(domain::community::push_list_columns())};
           t.push_back({"李四", "", "13900000000", "北京市朝阳区", "2021-08-03"});
           std::string format = query_str(ctx.req, "format");
           return table_response(t, format.empty() ? "xlsx" : format, "push-list-template");
         }});
  r.add({"GET", "/api/v1/push-lists", Access::kPermission, "pushlists:write|community:read", "community",
         "Pushed lists within the caller's jurisdiction (or one community's), newest first, with their counts", "",
         "PushListList", 200, {"community_id"}, [&rt](RouteContext& ctx) {
           json::array items;
           for (const auto& x : service::push_lists(rt, *ctx.caller, query_int(ctx.req, "community_id")))
             items.push_back(list_json(x.list, x.counts));
           return object_response(200, {{"items", std::move(items)}});
         }});
  r.add({"GET", "/api/v1/push-lists/{id}", Access::kPermission, "pushlists:write|community:read", "community",
         "A pushed list: total, buckets at matching, open and overdue items, outcomes", "", "PushList", 200, {},
         [&rt](RouteContext& ctx) {
           store::PushCounts k;
           auto l = service::get_push_list(rt, *ctx.caller, ctx.id_param(0), &k);
           return object_response(200, list_json(l, k));
         }});
  r.add({"GET", "/api/v1/push-lists/{id}/items", Access::kPermission, "pushlists:write|community:read", "community",
         "A list's items, filtered by bucket, status, outcome, assignee, overdue or name/phone", "", "Page:PushItem", 200,
         {"bucket", "status", "outcome", "assignee_id", "overdue", "q", "page", "page_size"}, [&rt](RouteContext& ctx) {
           store::PushItemFilter f;
           f.list_id = ctx.id_param(0);
           f.bucket = query_str(ctx.req, "bucket");
           f.status = query_str(ctx.req, "status");
           f.outcome = query_str(ctx.req, "outcome");
           f.assignee_id = query_int(ctx.req, "assignee_id");
           f.overdue_only = query_str(ctx.req, "overdue") == "true";
           f.q = query_str(ctx.req, "q");
           auto p = page_of(ctx.req);
           auto page = service::push_items(rt, *ctx.caller, f, p);
           Millis now = now_ms();
           return items_page(page, p, [now](const store::PushItem& i) { return item_json(i, now); });
         }});
  r.add({"GET", "/api/v1/push-lists/{id}/export", Access::kPermission, "pushlists:write|community:read", "community",
         "The result for the district (?format=csv|xlsx): every line with its bucket, outcome, reason and worker", "",
         "", 200, {"format"}, [&rt](RouteContext& ctx) {
           store::PushItemFilter f;
           f.list_id = ctx.id_param(0);
           auto page = service::push_items(rt, *ctx.caller, f, {1, 1000000});
           std::string format = query_str(ctx.req, "format");
           return push_item_table(page.items, format.empty() ? "xlsx" : format, "push-list-" + std::to_string(ctx.id_param(0)));
         }});
  r.add({"POST", "/api/v1/push-lists/{id}/items/{line}/outcome", Access::kPermission, write, "community",
         "Record what the worker found: registered, not_here (with the reason), moved_away or duplicate", "PushOutcome",
         "PushItem", 200, {}, [&rt](RouteContext& ctx) {
           auto b = parse_body(ctx.req, {"outcome", "reason"});
           auto item = service::record_push_outcome(rt, *ctx.caller, ctx.id_param(0), ctx.id_param(1),
                                                    opt_string(b, "outcome", 20).value_or(""),
                                                    opt_string(b, "reason", 500).value_or(""));
           return object_response(200, item_json(item, now_ms()));
         }});
  r.add({"POST", "/api/v1/push-lists/{id}/items/{line}/assign", Access::kPermission, write, "community",
         "Give an item to another worker of the community", "PushAssign", "PushItem", 200, {}, [&rt](RouteContext& ctx) {
           auto b = parse_body(ctx.req, {"user_id"});
           auto uid = opt_int(b, "user_id");
           if (!uid) throw invalid("missing_field", "user_id is required");
           return object_response(200, item_json(service::assign_push_item(rt, *ctx.caller, ctx.id_param(0), ctx.id_param(1), *uid),
                                                 now_ms()));
         }});
  r.add({"GET", "/api/v1/communities/{id}/push-board", Access::kPermission, "pushlists:write|community:read", "community",
         "What is left, per compound, over every list of the community (or one list: ?list_id=)", "", "PushBoard", 200,
         {"list_id"}, [&rt](RouteContext& ctx) {
           auto b = service::push_board(rt, *ctx.caller, ctx.id_param(0), query_int(ctx.req, "list_id"));
           json::array compounds;
           for (const auto& [d, k] : b.compounds) {
             json::object o = counts_json(k);
             o["compound_id"] = d.id;
             o["compound_name"] = d.name;
             compounds.push_back(std::move(o));
           }
           json::object o = counts_json(b.totals);
           o["compounds"] = std::move(compounds);
           return object_response(200, o);
         }});
  r.add({"GET", "/api/v1/push-todo", Access::kPermission, read, "community",
         "The caller's open list items (a worker's to-do), earliest deadline first; overdue ones are marked", "",
         "Page:PushItem", 200, {"page", "page_size"}, [&rt](RouteContext& ctx) {
           auto p = page_of(ctx.req);
           auto page = service::my_push_todo(rt, *ctx.caller, p);
           Millis now = now_ms();
           return items_page(page, p, [now](const store::PushItem& i) { return item_json(i, now); });
         }});

  // ---- disinfection log
  r.add({"POST", "/api/v1/disinfections", Access::kPermission, write, "community",
         "Record a compound disinfection: area, time, method, team, note and a photo (data URL: JPEG, PNG or WebP, at "
         "most 768 KB; the page shrinks camera photos before sending)",
         "DisinfectionInput", "Disinfection", 201, {}, [&rt](RouteContext& ctx) {
           auto b = parse_body(ctx.req, {"compound_id", "area", "done_at", "method", "team", "note", "photo"});
           service::DisinfectionInput in;
           auto cid = opt_int(b, "compound_id");
           if (!cid) throw invalid("missing_field", "compound_id is required");
           in.compound_id = *cid;
           in.area = opt_string(b, "area", 200).value_or("");
           in.method = opt_string(b, "method", 200).value_or("");
           in.team = opt_string(b, "team", 100).value_or("");
           in.note = opt_string(b, "note", 1000).value_or("");
           in.done_at = required_body_time(b, "done_at");
           if (auto photo = opt_string(b, "photo", service::kMaxPhotoBytes * 2); photo && !photo->empty()) {
             // data:image/jpeg;base64,....
             size_t comma = photo->find(',');
             if (photo->rfind("data:", 0) != 0 || comma == std::string::npos || photo->find(";base64") > comma)
               throw invalid("invalid_field", "photo must be a data URL (data:image/jpeg;base64,…)");
             in.photo_type = photo->substr(5, photo->find(';') - 5);
             in.photo_base64 = photo->substr(comma + 1);
           }
           return object_response(201, disinfection_json(service::record_disinfection(rt, *ctx.caller, in)));
         }});
  r.add({"GET", "/api/v1/disinfections", Access::kPermission, read, "community",
         "The disinfection log within the caller's jurisdiction (or under division_id), newest first", "",
         "Page:Disinfection", 200, {"division_id", "from", "to", "team", "area", "page", "page_size"},
         [&rt](RouteContext& ctx) {
           store::DisinfectionFilter f;
           f.from = query_time(ctx.req, "from").value_or(0);
           f.to = query_time(ctx.req, "to").value_or(0);
           f.team = query_str(ctx.req, "team");
           f.area = query_str(ctx.req, "area");
           auto p = page_of(ctx.req);
           return items_page(service::list_disinfections(rt, *ctx.caller, query_int(ctx.req, "division_id"), f, p), p,
                             disinfection_json);
         }});
  r.add({"GET", "/api/v1/disinfections/{id}/photo", Access::kPermission, read, "community",
         "The photo of a disinfection record", "", "", 200, {}, [&rt](RouteContext& ctx) {
           auto [type, bytes] = service::disinfection_photo(rt, *ctx.caller, ctx.id_param(0));
           Response resp;
           resp.content_type = type;
           resp.body = std::move(bytes);
           resp.headers.emplace_back("Cache-Control", "private, max-age=3600");
           return resp;
         }});
}

}  // namespace epinet::http
