#include "service/community.h"

#include <boost/json.hpp>
#include <map>

#include "core/crypto.h"
#include "core/error.h"
#include "domain/person/identity.h"
#include "domain/riskarea/riskarea.h"
#include "service/checkpoints.h"
#include "service/management.h"

namespace epinet::service {
namespace json = boost::json;
namespace cm = domain::community;

namespace {

bool is_resident(const Caller& caller) { return caller.who.role == domain::Role::kResident; }

// A compound or building division → (compound, building) of a community.
struct Address {
  store::Division community, compound;
  std::optional<store::Division> building;
  std::string path;  // the building's or the compound's
};
Address address_of(store::Connection& c, int64_t division_id) {
  auto d = must_find_division(c, division_id);
  Address a;
  if (d.level == "building") {
    a.building = d;
    if (!d.parent_id) throw invalid("invalid_field", "the building has no compound");
    a.compound = must_find_division(c, *d.parent_id);
  } else if (d.level == "compound") {
    a.compound = d;
  } else {
    throw invalid("invalid_field", "an address is a compound or a building, not a " + d.level);
  }
  a.community = community_of(c, a.compound.id);
  a.path = d.path;
  return a;
}

// "3号楼", "3", "3栋", "3幢" all name building 3; "鑫发" and "鑫发小区" name the same compound.
std::string base_name(std::string s, std::initializer_list<std::string_view> suffixes) {
  for (auto suf : suffixes)
    if (s.size() > suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0) return s.substr(0, s.size() - suf.size());
  return s;
}

std::vector<domain::community::AreaInForce> areas_in_force(store::Connection& c, Millis at) {
  std::vector<cm::AreaInForce> out;
  for (const auto& a : store::list_risk_areas(c, false)) {
    // The level at `at`: an area that came down from high was high before its level_since.
    std::string level = a.level;
    if (at < a.level_since && a.came_from_high) level = "high";
    if (level == "low" && a.effective_until && at < *a.effective_until) level = "medium";
    out.push_back({a.id, a.division_code, level, a.effective_from, a.effective_until});
  }
  return out;
}

bool decode_base64(std::string_view text, std::string& out) {
  std::string url;
  url.reserve(text.size());
  for (char ch : text) {
    if (ch == '+') url += '-';
    else if (ch == '/') url += '_';
    else if (ch == '=' || ch == '\n' || ch == '\r') continue;
    else url += ch;
  }
  return crypto::base64url_decode(url, out);
}

bool image_matches(const std::string& type, const std::string& b) {
  if (type == "image/jpeg") return b.size() > 3 && b.compare(0, 3, "\xFF\xD8\xFF") == 0;
  if (type == "image/png") return b.size() > 8 && b.compare(0, 8, "\x89PNG\r\n\x1A\n") == 0;
  if (type == "image/webp") return b.size() > 12 && b.compare(0, 4, "RIFF") == 0 && b.compare(8, 4, "WEBP") == 0;
  return false;
}

}  // namespace

store::Division community_of(store::Connection& c, int64_t division_id) {
  auto d = must_find_division(c, division_id);
  for (int depth = 0; depth < 10; ++depth) {
    if (d.level == "community") return d;
    if (!d.parent_id || (d.level != "compound" && d.level != "building")) break;
    d = must_find_division(c, *d.parent_id);
  }
  throw invalid("invalid_field", "division " + std::to_string(division_id) + " is not in a community");
}

// ---- roster

RosterTreeNode roster_tree(Runtime& rt, const Caller& caller, int64_t community_id) {
  RosterTreeNode root;
  rt.db.read([&](store::Connection& c) {
    auto community = must_find_division(c, community_id);
    if (community.level != "community") throw invalid("invalid_field", "community_id is not a community");
    require_within(caller, {community.path, std::nullopt});
    auto divisions = store::divisions_under(c, community.path);
    std::map<int64_t, int64_t> per_division;
    for (auto [id, n] : store::count_by_division(c, community.path)) per_division[id] = n;
    std::map<int64_t, RosterTreeNode> nodes;
    for (const auto& d : divisions) nodes[d.id] = {"d:" + std::to_string(d.id), d.name, d.level, d.id, "", "", 0, {}};
    // Units and rooms hang under their building (or compound).
    for (const auto& r : store::count_rooms(c, community_id)) {
      auto& parent = nodes[r.building_id.value_or(r.compound_id)];
      std::string ukey = parent.key + ":u:" + r.unit;
      auto uit = std::find_if(parent.children.begin(), parent.children.end(), [&](auto& n) { return n.key == ukey; });
      if (uit == parent.children.end()) {
        parent.children.push_back({ukey, r.unit.empty() ? "-" : r.unit, "unit", parent.division_id, r.unit, "", 0, {}});
        uit = parent.children.end() - 1;
      }
      uit->residents += r.residents;
      uit->children.push_back({ukey + ":r:" + r.room, r.room.empty() ? "-" : r.room, "room", parent.division_id, r.unit,
                               r.room, r.residents, {}});
    }
    // Counts roll up the path; children attach bottom-up (deepest paths first).
    for (const auto& d : divisions) {
      int64_t n = per_division.count(d.id) ? per_division[d.id] : 0;
      for (const auto& a : divisions)
        if (d.path.rfind(a.path, 0) == 0) nodes[a.id].residents += n;
    }
    for (auto it = divisions.rbegin(); it != divisions.rend(); ++it) {
      if (it->id == community.id || !it->parent_id || !nodes.count(*it->parent_id)) continue;
      auto& parent = nodes[*it->parent_id];
      parent.children.insert(parent.children.begin(), std::move(nodes[it->id]));
    }
    root = std::move(nodes[community.id]);
  });
  return root;
}

store::PageOf<store::RosterEntry> roster(Runtime& rt, const Caller& caller, int64_t division_id, store::RosterFilter f,
                                         const store::Page& p) {
  store::PageOf<store::RosterEntry> out;
  rt.db.write([&](store::Connection& c) {
    auto d = must_find_division(c, division_id);
    require_within(caller, {d.path, std::nullopt});
    f.within_path = d.path;
    out = store::list_roster(c, f, p);
    if (!out.items.empty()) {
      json::array ids;
      for (const auto& e : out.items) ids.push_back(e.person_id);
      audit(c, caller, "roster.read", "division", std::to_string(division_id),
            json::serialize(json::object{{"person_ids", ids}, {"moved_out", f.moved_out}}));
    }
  });
  return out;
}

RosterImport import_roster(Runtime& rt, const Caller& caller, int64_t community_id, std::string_view bytes) {
  TableFile t = read_table_file(bytes);
  auto parsed = cm::parse_roster(t);
  RosterImport out;
  out.encoding = t.encoding;
  if (!parsed.errors.empty()) {
    out.errors = std::move(parsed.errors);
    return out;
  }
  struct Plan {
    const cm::RosterRow* row;
    std::string id_hash;
    Address addr;
    std::optional<store::Person> existing;
  };
  const Millis now = now_ms();
  std::vector<int64_t> touched;
  rt.db.write([&](store::Connection& c) {
    auto community = must_find_division(c, community_id);
    if (community.level != "community") throw invalid("invalid_field", "community_id is not a community");
    require_within(caller, {community.path, std::nullopt});
    std::map<std::string, store::Division> compounds;                      // base name → compound
    std::map<std::pair<int64_t, std::string>, store::Division> buildings;  // (compound, base name) → building
    for (const auto& d : store::divisions_under(c, community.path)) {
      if (d.level == "compound") compounds[base_name(d.name, {"小区"})] = d;
      if (d.level == "building" && d.parent_id)
        buildings[{*d.parent_id, base_name(d.name, {"号楼", "栋", "幢", "号"})}] = d;
    }
    // Pass 1: resolve every row; any problem refuses the whole file.
    std::vector<Plan> plans;
    for (const auto& row : parsed.rows) {
      auto cit = compounds.find(base_name(row.compound, {"小区"}));
      if (cit == compounds.end()) {
        out.errors.push_back({row.line, "小区 (compound) '" + row.compound + "' is not a compound of " + community.name});
        continue;
      }
      Plan pl{&row, rt.keys.id_hash(row.id_number), {community, cit->second, std::nullopt, cit->second.path}, std::nullopt};
      if (!row.building.empty()) {
        auto bit = buildings.find({cit->second.id, base_name(row.building, {"号楼", "栋", "幢", "号"})});
        if (bit == buildings.end()) {
          out.errors.push_back({row.line, "楼栋 (building) '" + row.building + "' is not a building of " + cit->second.name});
          continue;
        }
        pl.addr.building = bit->second;
        pl.addr.path = bit->second.path;
      }
      pl.existing = store::find_person_by_id_hash(c, pl.id_hash);
      if (pl.existing && !domain::within_jurisdiction(caller.who, {pl.existing->division_path, std::nullopt})) {
        out.errors.push_back({row.line, "this identity number is registered outside your jurisdiction: ask its community "
                                        "to move the person out first"});
        continue;
      }
      plans.push_back(std::move(pl));
    }
    if (!out.errors.empty()) return;  // nothing written
    std::map<std::string, int64_t> households;  // address + unit + room → first person's household
    for (auto& pl : plans) {
      const auto& row = *pl.row;
      const auto& a = pl.addr;
      int64_t division_id = a.building ? a.building->id : a.compound.id;
      std::string room_key = a.path + "|" + row.unit + "|" + row.room;
      store::Residence res;
      res.community_id = community.id;
      res.compound_id = a.compound.id;
      if (a.building) res.building_id = a.building->id;
      res.unit = row.unit;
      res.room = row.room;
      res.division_path = a.path;
      res.moved_in_at = now;
      res.created_by = caller.who.user_id;
      if (!pl.existing) {
        store::Person p;
        p.id_hash = pl.id_hash;
        p.id_enc = rt.keys.encrypt_id(row.id_number);
        p.id_masked = domain::mask_id_number(row.id_number);
        p.name = row.name;
        p.phone = row.phone;
        p.division_id = division_id;
        p.division_path = a.path;
        if (!row.room.empty()) {
          if (auto h = households.find(room_key); h != households.end()) p.household_id = h->second;
        }
        res.person_id = store::insert_person(c, p, now);
        if (!row.room.empty() && !households.count(room_key))
          households[room_key] = must_find_person(c, res.person_id).household_id;
        store::insert_residence(c, res, now);
        ++out.created;
        continue;
      }
      auto p = *pl.existing;
      res.person_id = p.id;
      auto cur = store::current_residence(c, p.id);
      bool same = cur ? cur->division_path == a.path && cur->unit == row.unit && cur->room == row.room
                      : p.division_id == division_id && row.unit.empty() && row.room.empty();
      bool details = p.name != row.name || (!row.phone.empty() && p.phone != row.phone);
      if (same && !details) {
        ++out.unchanged;
        continue;
      }
      p.name = row.name;
      if (!row.phone.empty()) p.phone = row.phone;
      if (!same) {
        if (cur) store::close_residence(c, cur->id, now, "roster import");
        store::insert_residence(c, res, now);
        p.division_id = division_id;
        p.division_path = a.path;
        touched.push_back(p.id);
        ++out.moved;
      } else {
        ++out.unchanged;
      }
      store::update_person(c, p, now);
    }
    audit(c, caller, "roster.import", "division", std::to_string(community_id),
          json::serialize(json::object{{"created", out.created}, {"moved", out.moved}, {"unchanged", out.unchanged},
                                       {"encoding", t.encoding}}));
  });
  return out;
}

store::Residence move_in(Runtime& rt, const Caller& caller, int64_t person_id, const MoveInput& in) {
  Millis now = now_ms();
  Millis at = in.at.value_or(now);
  if (at > now + 3600 * 1000) throw invalid("invalid_field", "at is in the future");
  if (in.unit.size() > 50 || in.room.size() > 50) throw invalid("invalid_field", "unit and room have at most 50 bytes");
  store::Residence res;
  rt.db.write([&](store::Connection& c) {
    auto p = must_find_person(c, person_id);
    require_within(caller, {p.division_path, std::nullopt});
    auto a = address_of(c, in.division_id);
    require_within(caller, {a.path, std::nullopt});
    if (auto cur = store::current_residence(c, person_id))
      store::close_residence(c, cur->id, at, "moved to " + a.compound.name);
    res = {0, person_id, a.community.id, a.compound.id, std::nullopt, in.unit, in.room, a.path, at, std::nullopt, "",
           caller.who.user_id};
    if (a.building) res.building_id = a.building->id;
    res.id = store::insert_residence(c, res, now);
    p.division_id = in.division_id;
    p.division_path = a.path;
    store::update_person(c, p, now);
    audit(c, caller, "residence.move_in", "person", std::to_string(person_id),
          json::serialize(json::object{{"division_id", in.division_id}, {"unit", in.unit}, {"room", in.room}}));
  });
  return res;
}

void move_out(Runtime& rt, const Caller& caller, int64_t person_id, std::optional<Millis> at_opt, const std::string& note) {
  Millis now = now_ms();
  Millis at = at_opt.value_or(now);
  if (at > now + 3600 * 1000) throw invalid("invalid_field", "at is in the future");
  if (note.size() > 500) throw invalid("invalid_field", "note has at most 500 bytes");
  rt.db.write([&](store::Connection& c) {
    auto p = must_find_person(c, person_id);
    require_within(caller, {p.division_path, std::nullopt});
    auto cur = store::current_residence(c, person_id);
    if (!cur) {
      if (!store::list_residences(c, person_id).empty())
        throw conflict("moved_out", "the person has moved out already");
      // Registered without an address row: record where they lived, then close it.
      auto a = address_of(c, p.division_id);
      store::Residence r{0, person_id, a.community.id, a.compound.id, std::nullopt, "", "", a.path, p.created_at,
                         std::nullopt, "", caller.who.user_id};
      if (a.building) r.building_id = a.building->id;
      r.id = store::insert_residence(c, r, now);
      cur = r;
    }
    store::close_residence(c, cur->id, at, note);
    audit(c, caller, "residence.move_out", "person", std::to_string(person_id), json::serialize(json::object{{"note", note}}));
  });
}

std::vector<store::Residence> residence_history(Runtime& rt, const Caller& caller, int64_t person_id) {
  std::vector<store::Residence> out;
  rt.db.write([&](store::Connection& c) {
    auto p = must_find_person(c, person_id);
    require_within(caller, {p.division_path, std::nullopt});
    out = store::list_residences(c, person_id);
    audit(c, caller, "residence.read", "person", std::to_string(person_id));
  });
  return out;
}

// ---- returnees

namespace {

void validate_returnee(const ReturneeInput& in, Millis now) {
  if (!domain::valid_gbt2260(in.origin_code)) throw invalid("invalid_field", "origin_code must be a six-digit GB/T 2260 code");
  static const std::vector<std::string> kinds = {"train", "coach", "car", "plane", "other"};
  if (std::find(kinds.begin(), kinds.end(), in.transport) == kinds.end())
    throw invalid("invalid_field", "transport must be train, coach, car, plane or other");
  if (in.transport != "other" && in.transport != "car" && in.transport_no.empty())
    throw invalid("missing_field", "transport_no (train, coach or flight number) is required");
  if (in.transport_no.size() > 40) throw invalid("invalid_field", "transport_no has at most 40 bytes");
  if (!in.arrived_at) throw invalid("missing_field", "arrived_at is required");
  if (in.arrived_at > now + 3600 * 1000) throw invalid("invalid_field", "arrived_at is in the future");
  if (in.arrived_at < now - 30 * kDayMillis) throw invalid("invalid_field", "arrived_at is more than 30 days ago");
  if (in.departed_at && *in.departed_at > in.arrived_at) throw invalid("invalid_field", "departed_at is after arrived_at");
  if (in.departed_at && *in.departed_at < in.arrived_at - 7 * kDayMillis)
    throw invalid("invalid_field", "departed_at is more than 7 days before arrived_at");
  if (in.phone.empty() || !cm::normalize_phone(in.phone)) throw invalid("invalid_field", "phone must be a phone number");
  if (in.tests.size() > 10) throw invalid("invalid_field", "at most 10 tests");
  for (const auto& t : in.tests) {
    if (t.result != "negative" && t.result != "positive" && t.result != "pending")
      throw invalid("invalid_field", "a test result is negative, positive or pending");
    if (t.sampled_at > now + 60000 || t.sampled_at < now - 30 * kDayMillis)
      throw invalid("invalid_field", "a test's sampled_at is out of range");
  }
}

void measure_of(store::Connection& c, const ReturneeInput& in, ReturneeResult& out) {
  out.measure = cm::arrival_measure(in.origin_code, in.risk_area_id, in.arrived_at, areas_in_force(c, in.arrived_at));
  if (in.risk_area_id && std::find(out.measure.areas.begin(), out.measure.areas.end(), *in.risk_area_id) == out.measure.areas.end())
    throw invalid("invalid_field", "risk_area_id is not a medium- or high-risk area of the origin in force at arrival");
  for (int64_t id : out.measure.areas)
    if (auto a = store::find_risk_area(c, id)) out.origin_areas.push_back(*a);
  if (auto m = domain::quarantine::parse_measure(out.measure.measure))
    out.plan = domain::quarantine::plan(*m, in.arrived_at, management_settings());
}

}  // namespace

ReturneeResult preview_returnee(Runtime& rt, const ReturneeInput& in) {
  if (!domain::valid_gbt2260(in.origin_code)) throw invalid("invalid_field", "origin_code must be a six-digit GB/T 2260 code");
  ReturneeResult out;
  rt.db.read([&](store::Connection& c) { measure_of(c, in, out); });
  return out;
}

ReturneeResult register_returnee(Runtime& rt, const Caller& caller, const ReturneeInput& in) {
  const Millis now = now_ms();
  validate_returnee(in, now);
  ReturneeResult out;
  rt.db.write([&](store::Connection& c) {
    auto p = must_find_person(c, in.person_id);
    if (!is_resident(caller)) require_within(caller, {p.division_path, std::nullopt});
    auto community = community_of(c, p.division_id);
    measure_of(c, in, out);
    auto& r = out.returnee;
    r.person_id = p.id;
    r.community_id = community.id;
    r.division_path = p.division_path;
    r.origin_code = in.origin_code;
    r.origin_name = in.origin_name;
    if (r.origin_name.empty())
      if (auto d = store::find_division_by_code(c, in.origin_code)) r.origin_name = d->name;
    if (r.origin_name.empty() && !out.origin_areas.empty()) r.origin_name = out.origin_areas.front().division_name;
    if (r.origin_name.empty()) r.origin_name = in.origin_code;
    r.risk_area_id = in.risk_area_id;
    r.transport = in.transport;
    r.transport_no = in.transport_no;
    r.arrived_at = in.arrived_at;
    r.departed_at = in.departed_at.value_or(in.arrived_at);
    r.phone = *cm::normalize_phone(in.phone);
    json::array tests;
    for (const auto& t : in.tests)
      tests.push_back(json::object{{"sampled_at", iso8601(t.sampled_at)}, {"result", t.result}});
    r.tests_json = json::serialize(tests);
    r.origin_level = out.measure.origin_level;
    r.measure = out.measure.measure;
    r.channel = is_resident(caller) ? "self" : "worker";
    r.registered_by = caller.who.user_id;
    r.created_at = now;
    r.person_name = p.name;
    r.id = store::insert_returnee(c, r, now);
    // The stay at the origin up to departure: the health code's travel flag follows it.
    store::insert_stay(c, {0, p.id, in.origin_code, r.departed_at - kDayMillis, r.departed_at, "returnee"}, now);
    domain::TravelFlag travel;
    person_state(c, rt, p.id, now, &travel);
    r.travel_flag = travel.flagged;
    if (r.travel_flag) store::set_returnee_travel_flag(c, r.id, true);
    if (r.measure != "none") {
      Enrollment e;
      e.person_id = p.id;
      e.measure = r.measure;
      e.exposure_at = r.arrived_at;
      e.source = "returnee:" + std::to_string(r.id);
      e.note = "from " + r.origin_name + " (" + r.origin_level + "), " + r.transport + " " + r.transport_no;
      auto ids = enroll_managed(c, caller, {e}, now);
      if (!ids.empty()) {
        r.managed_case_id = ids.front();
        store::set_returnee_case(c, r.id, ids.front());
      }
    }
    for (auto [list_id, line] : store::open_items_of_person(c, p.id, p.id_hash)) {
      store::set_item_outcome(c, list_id, line, "registered", "returnee:" + std::to_string(r.id), caller.who.user_id, now);
      ++out.closed_list_items;
    }
    audit(c, caller, "returnee.register", "returnee", std::to_string(r.id),
          json::serialize(json::object{{"person_id", p.id}, {"origin_code", r.origin_code}, {"origin_level", r.origin_level},
                                       {"measure", r.measure}, {"channel", r.channel},
                                       {"closed_list_items", out.closed_list_items}}));
  });
  rt.note_state_change(in.person_id, now);
  return out;
}

store::PageOf<store::Returnee> list_returnees(Runtime& rt, const Caller& caller, store::ReturneeFilter f,
                                              const store::Page& p) {
  if (!is_resident(caller)) f.within_path = caller.who.division_path.empty() ? "/-none-/" : caller.who.division_path;
  else if (!f.person_id) throw forbidden();
  store::PageOf<store::Returnee> out;
  rt.db.write([&](store::Connection& c) {
    out = store::list_returnees(c, f, p);
    if (!out.items.empty()) audit(c, caller, "returnee.list", "returnee", "", json::serialize(json::object{{"count", out.items.size()}}));
  });
  return out;
}

ReturneeResult get_returnee(Runtime& rt, const Caller& caller, int64_t id) {
  ReturneeResult out;
  rt.db.write([&](store::Connection& c) {
    auto r = store::find_returnee(c, id);
    if (!r) throw not_found("returnee");
    require_within(caller, {r->division_path, std::nullopt});
    out.returnee = *r;
    ReturneeInput in;
    in.origin_code = r->origin_code;
    in.risk_area_id = r->risk_area_id;
    in.arrived_at = r->arrived_at;
    measure_of(c, in, out);
    out.measure.measure = r->measure;  // as decided at registration
    out.measure.origin_level = r->origin_level;
    out.plan.reset();
    if (auto m = domain::quarantine::parse_measure(r->measure))
      out.plan = domain::quarantine::plan(*m, r->arrived_at, management_settings());
    audit(c, caller, "returnee.read", "returnee", std::to_string(id));
  });
  return out;
}

// ---- disinfection log

store::Disinfection record_disinfection(Runtime& rt, const Caller& caller, const DisinfectionInput& in) {
  const Millis now = now_ms();
  auto text = [](const std::string& v, const char* name, size_t max, bool required) {
    if (required && v.empty()) throw invalid("missing_field", std::string(name) + " is required");
    if (v.size() > max) throw invalid("invalid_field", std::string(name) + " has at most " + std::to_string(max) + " bytes");
  };
  text(in.area, "area", 200, true);
  text(in.method, "method", 200, true);
  text(in.team, "team", 100, true);
  text(in.note, "note", 1000, false);
  if (!in.done_at) throw invalid("missing_field", "done_at is required");
  if (in.done_at > now + 3600 * 1000) throw invalid("invalid_field", "done_at is in the future");
  std::string photo;
  if (!in.photo_base64.empty() || !in.photo_type.empty()) {
    if (in.photo_base64.size() > kMaxPhotoBytes / 3 * 4 + 8)
      throw Error(ErrorKind::kTooLarge, "photo_too_large", "the photo is larger than 768 KB");
    if (!decode_base64(in.photo_base64, photo) || photo.empty()) throw invalid("invalid_field", "photo is not base64");
    if (photo.size() > kMaxPhotoBytes) throw Error(ErrorKind::kTooLarge, "photo_too_large", "the photo is larger than 768 KB");
    if (!image_matches(in.photo_type, photo)) throw invalid("invalid_field", "photo must be a JPEG, PNG or WebP image");
  }
  store::Disinfection d;
  rt.db.write([&](store::Connection& c) {
    auto compound = must_find_division(c, in.compound_id);
    if (compound.level != "compound") throw invalid("invalid_field", "compound_id is not a compound");
    require_within(caller, {compound.path, std::nullopt});
    d = {0, compound.id, compound.path, compound.name, in.area, in.done_at, in.method, in.team, in.note, !photo.empty(),
         caller.who.user_id, now};
    d.id = store::insert_disinfection(c, d, now);
    if (!photo.empty()) store::put_disinfection_photo(c, d.id, in.photo_type, crypto::base64url_encode(photo));
    audit(c, caller, "disinfection.record", "disinfection", std::to_string(d.id),
          json::serialize(json::object{{"compound_id", compound.id}, {"area", in.area}, {"team", in.team},
                                       {"photo_bytes", photo.size()}}));
  });
  return d;
}

store::PageOf<store::Disinfection> list_disinfections(Runtime& rt, const Caller& caller, std::optional<int64_t> division_id,
                                                      store::DisinfectionFilter f, const store::Page& p) {
  store::PageOf<store::Disinfection> out;
  rt.db.read([&](store::Connection& c) {
    if (division_id) {
      auto d = must_find_division(c, *division_id);
      require_within(caller, {d.path, std::nullopt});
      f.within_path = d.path;
    } else {
      f.within_path = caller.who.division_path.empty() ? "/-none-/" : caller.who.division_path;
    }
    out = store::list_disinfections(c, f, p);
  });
  return out;
}

std::pair<std::string, std::string> disinfection_photo(Runtime& rt, const Caller& caller, int64_t id) {
  std::pair<std::string, std::string> out;
  rt.db.read([&](store::Connection& c) {
    auto d = store::find_disinfection(c, id);
    if (!d) throw not_found("disinfection");
    require_within(caller, {d->division_path, std::nullopt});
    auto ph = store::disinfection_photo(c, id);
    if (!ph) throw not_found("photo");
    out.first = ph->first;
    if (!crypto::base64url_decode(ph->second, out.second)) throw Error(ErrorKind::kInternal, "bad_photo", "the stored photo is damaged");
  });
  return out;
}

}  // namespace epinet::service

namespace epinet::service {

int seed_community_demo(store::Connection& c, const std::string& password_hash, const std::vector<int64_t>& compounds) {
  if (compounds.size() < 2 || store::find_user_by_username(c, "grid_worker")) return 0;
  auto d = store::find_division(c, compounds[1]);
  store::User u;
  u.username = "grid_worker";
  u.display_name = d ? d->name + "网格员" : "网格员";
  u.password_hash = password_hash;
  u.role = "community_worker";
  u.division_id = compounds[1];
  store::insert_user(c, u, now_ms());
  return 1;
}

}  // namespace epinet::service
