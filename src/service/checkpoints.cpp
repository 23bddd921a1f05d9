#include "service/checkpoints.h"

#include <qrencode.h>

#include <boost/json.hpp>
#include <cmath>

#include "core/error.h"
#include "core/table_file.h"
#include "domain/person/identity.h"
#include "service/management.h"
#include "service/warning.h"

namespace epinet::service {
namespace json = boost::json;
using domain::CodeColor;

namespace {

domain::Scope scope_of(const store::Person& p) { return {p.division_path, std::nullopt}; }

// Persons are reached through their home division; venue-bound staff reach a
// person only through an exact identity-number lookup (persons:lookup).
void require_person_access(const Caller& caller, const store::Person& p) {
  if (domain::role_has(caller.who.role, "persons:lookup") && !domain::role_has(caller.who.role, "persons:read")) return;
  require_within(caller, scope_of(p));
}

std::string normalized_id(const std::string& text) {
  auto chk = domain::check_id_number(text);
  if (!chk) throw invalid("invalid_id_number", std::string(domain::id_problem_message(chk.problem)));
  return chk.normalized;
}

store::Division person_division(store::Connection& c, int64_t division_id) {
  auto d = store::find_division(c, division_id);
  if (!d) throw invalid("invalid_field", "division_id: no such division");
  if (d->level != "compound" && d->level != "building" && d->level != "community")
    throw invalid("invalid_field", "a person's home is a community, compound or building, not a " + d->level);
  return *d;
}

json::object person_detail(const store::Person& p) {
  return {{"name", p.name}, {"id_masked", p.id_masked}, {"division_id", p.division_id}};
}

}  // namespace

// ---- persons

store::Person register_person(Runtime& rt, const Caller& caller, const PersonInput& in) {
  if (!in.id_number) throw invalid("missing_field", "id_number is required");
  if (!in.name || in.name->empty()) throw invalid("missing_field", "name is required");
  if (!in.division_id) throw invalid("missing_field", "division_id is required (the home compound or building)");
  std::string id = normalized_id(*in.id_number);
  store::Person p;
  p.id_hash = rt.keys.id_hash(id);
  p.id_enc = rt.keys.encrypt_id(id);
  p.id_masked = domain::mask_id_number(id);
  p.name = *in.name;
  p.phone = in.phone.value_or("");
  store::Person out;
  rt.db.write([&](store::Connection& c) {
    auto d = person_division(c, *in.division_id);
    p.division_id = d.id;
    p.division_path = d.path;
    require_within(caller, {d.path, std::nullopt});
    if (in.household_of) {
      auto head = store::find_person(c, *in.household_of);
      if (!head) throw invalid("invalid_field", "household_of: no such person");
      require_within(caller, scope_of(*head));
      p.household_id = head->household_id;
    }
    int64_t pid = store::insert_person(c, p, now_ms());
    out = must_find_person(c, pid);
    audit(c, caller, "person.create", "person", std::to_string(pid), json::serialize(person_detail(out)));
  });
  return out;
}

store::Person get_person(Runtime& rt, const Caller& caller, int64_t id) {
  store::Person out;
  rt.db.write([&](store::Connection& c) {
    out = must_find_person(c, id);
    require_person_access(caller, out);
    audit(c, caller, "person.read", "person", std::to_string(id));
  });
  return out;
}

store::PageOf<store::Person> find_persons(Runtime& rt, const Caller& caller, const std::string& q,
                                          const std::string& id_number, const store::Page& p) {
  store::PersonFilter f;
  f.q = q;
  bool lookup_only = !domain::role_has(caller.who.role, "persons:read");
  if (lookup_only && id_number.empty())
    throw forbidden("your role may look up a person only by the full identity number");
  if (!id_number.empty()) f.id_hash = rt.keys.id_hash(normalized_id(id_number));
  if (!lookup_only) f.within_path = caller.who.division_path.empty() ? "/-none-/" : caller.who.division_path;
  store::PageOf<store::Person> out;
  rt.db.write([&](store::Connection& c) {
    out = store::list_persons(c, f, p);
    // A search that shows persons is a read of each of their records.
    json::array ids;
    for (const auto& x : out.items) ids.push_back(x.id);
    if (!out.items.empty())
      audit(c, caller, "person.search", "person", "",
            json::serialize(json::object{{"q", q}, {"by_id_number", !id_number.empty()}, {"person_ids", ids}}));
  });
  return out;
}

store::Person update_person(Runtime& rt, const Caller& caller, int64_t id, const PersonInput& in) {
  if (in.id_number) throw invalid("invalid_field", "an identity number cannot be changed: register the person again");
  store::Person out;
  rt.db.write([&](store::Connection& c) {
    auto p = must_find_person(c, id);
    require_within(caller, scope_of(p));
    if (in.name) {
      if (in.name->empty()) throw invalid("invalid_field", "name cannot be empty");
      p.name = *in.name;
    }
    if (in.phone) p.phone = *in.phone;
    if (in.division_id) {
      auto d = person_division(c, *in.division_id);
      require_within(caller, {d.path, std::nullopt});
      p.division_id = d.id;
      p.division_path = d.path;
    }
    store::update_person(c, p, now_ms());
    out = must_find_person(c, id);
    audit(c, caller, "person.update", "person", std::to_string(id), json::serialize(person_detail(out)));
  });
  return out;
}

std::string reveal_id_number(Runtime& rt, const Caller& caller, int64_t id) {
  std::string sealed;
  rt.db.write([&](store::Connection& c) {
    auto p = must_find_person(c, id);
    require_within(caller, scope_of(p));
    sealed = p.id_enc;
    audit(c, caller, "person.reveal_id_number", "person", std::to_string(id));
  });
  return rt.keys.decrypt_id(sealed);
}

std::vector<store::Person> household_of(Runtime& rt, const Caller& caller, int64_t person_id) {
  std::vector<store::Person> out;
  rt.db.write([&](store::Connection& c) {
    auto p = must_find_person(c, person_id);
    if (caller.who.role != domain::Role::kResident) require_person_access(caller, p);
    store::PersonFilter f;
    f.household_id = p.household_id;
    out = store::list_persons(c, f, {1, 50}).items;
    audit(c, caller, "person.household", "person", std::to_string(person_id));
  });
  return out;
}

void link_account(Runtime& rt, const Caller& caller, int64_t user_id, int64_t person_id) {
  rt.db.write([&](store::Connection& c) {
    auto u = store::find_user(c, user_id);
    if (!u) throw not_found("user");
    auto p = must_find_person(c, person_id);
    require_within(caller, scope_of(p));
    if (u->role != "resident") throw invalid("invalid_field", "only resident accounts speak for a person");
    store::link_user_person(c, user_id, person_id);
    audit(c, caller, "user.link_person", "user", std::to_string(user_id),
          json::serialize(json::object{{"person_id", person_id}}));
  });
}

int64_t resident_person(Runtime& rt, const Caller& caller, std::optional<int64_t> member) {
  std::optional<int64_t> self;
  bool same_household = false;
  rt.db.read([&](store::Connection& c) {
    self = store::user_person(c, caller.who.user_id);
    if (self && member && *member != *self) {
      auto a = store::find_person(c, *self), b = store::find_person(c, *member);
      same_household = a && b && a->household_id == b->household_id;
    }
  });
  if (!self) throw Error(ErrorKind::kNotFound, "no_person", "this account is not linked to a registered person yet");
  if (!member || *member == *self) return *self;
  if (!same_household) throw forbidden("you may act only for members of your household");
  return *member;
}

// ---- travel, tests, overrides, state

store::Stay add_stay(Runtime& rt, const Caller& caller, int64_t person_id, const store::Stay& s) {
  if (!domain::valid_gbt2260(s.division_code))
    throw invalid("invalid_field", "division_code must be a six-digit GB/T 2260 code");
  if (s.to < s.from) throw invalid("invalid_field", "a stay ends after it starts");
  Millis now = now_ms();
  if (s.from > now + kDayMillis) throw invalid("invalid_field", "a stay cannot start in the future");
  store::Stay out = s;
  out.person_id = person_id;
  rt.db.write([&](store::Connection& c) {
    auto p = must_find_person(c, person_id);
    if (caller.who.role != domain::Role::kResident) require_within(caller, scope_of(p));
    out.id = store::insert_stay(c, out, now);
    audit(c, caller, "travel.create", "person", std::to_string(person_id),
          json::serialize(json::object{{"division_code", s.division_code}, {"from", iso8601(s.from)}, {"to", iso8601(s.to)}}));
  });
  rt.note_state_change(person_id, now);
  return out;
}

std::vector<store::Stay> list_stays(Runtime& rt, const Caller& caller, int64_t person_id) {
  std::vector<store::Stay> out;
  rt.db.write([&](store::Connection& c) {
    auto p = must_find_person(c, person_id);
    if (caller.who.role != domain::Role::kResident) require_person_access(caller, p);
    out = store::list_stays(c, person_id, now_ms() - 30 * kDayMillis);
    audit(c, caller, "travel.read", "person", std::to_string(person_id));
  });
  return out;
}

std::vector<store::NucleicTest> list_tests(Runtime& rt, const Caller& caller, int64_t person_id) {
  std::vector<store::NucleicTest> out;
  rt.db.write([&](store::Connection& c) {
    auto p = must_find_person(c, person_id);
    if (caller.who.role != domain::Role::kResident) require_person_access(caller, p);
    out = store::list_tests(c, person_id, 100);
    audit(c, caller, "test.read", "person", std::to_string(person_id));
  });
  return out;
}

store::NucleicTest record_test(Runtime& rt, const Caller& caller, int64_t person_id, const store::NucleicTest& t) {
  if (t.result != "pending" && t.result != "negative" && t.result != "positive")
    throw invalid("invalid_field", "result must be pending, negative or positive");
  Millis now = now_ms();
  if (t.sampled_at > now + 60000) throw invalid("invalid_field", "sampled_at is in the future");
  store::NucleicTest out = t;
  out.person_id = person_id;
  if (out.result != "pending" && !out.result_at) out.result_at = now;
  if (caller.who.venue_id) out.venue_id = caller.who.venue_id;
  rt.db.write([&](store::Connection& c) {
    auto p = must_find_person(c, person_id);
    require_person_access(caller, p);
    out.id = store::insert_test(c, out, now);
    audit(c, caller, "test.create", "person", std::to_string(person_id),
          json::serialize(json::object{{"result", out.result}, {"sampled_at", iso8601(out.sampled_at)}}));
    apply_test_to_management(c, caller, out, now);  // completes a scheduled test day, or became_case
  });
  rt.note_state_change(person_id, now);
  if (out.result == "positive") warning_positive_test(rt, out.id, person_id);  // an immediate alert, after the commit
  return out;
}

store::CodeOverride override_code(Runtime& rt, const Caller& caller, int64_t person_id, const store::CodeOverride& o) {
  if (!domain::parse_color(o.color)) throw invalid("invalid_field", "color must be green, yellow or red");
  if (o.reason.size() < 4) throw invalid("invalid_field", "an override needs a reason of at least 4 characters");
  Millis now = now_ms();
  if (o.until <= now || o.until > now + 30 * kDayMillis)
    throw invalid("invalid_field", "until must be within the next 30 days");
  store::CodeOverride out = o;
  out.person_id = person_id;
  out.created_by = caller.who.user_id;
  rt.db.write([&](store::Connection& c) {
    auto p = must_find_person(c, person_id);
    require_within(caller, scope_of(p));
    out.id = store::insert_override(c, out, now);
    audit(c, caller, "health_code.override", "person", std::to_string(person_id),
          json::serialize(json::object{{"color", o.color}, {"reason", o.reason}, {"until", iso8601(o.until)}}));
  });
  rt.note_state_change(person_id, now);
  return out;
}

store::Person set_state(Runtime& rt, const Caller& caller, int64_t person_id, const std::string& case_status,
                        const std::string& manage_status, std::optional<Millis> manage_until) {
  static const std::vector<std::string> cases = {"none", "suspected", "confirmed", "asymptomatic"};
  static const std::vector<std::string> manages = {"none", "close_contact", "secondary_contact", "companion",
                                                   "centralized_quarantine", "home_quarantine", "home_monitoring"};
  if (std::find(cases.begin(), cases.end(), case_status) == cases.end())
    throw invalid("invalid_field", "case_status must be none, suspected, confirmed or asymptomatic");
  if (std::find(manages.begin(), manages.end(), manage_status) == manages.end())
    throw invalid("invalid_field", "manage_status is not a management status");
  if (manage_status != "none" && !manage_until) throw invalid("missing_field", "manage_until is required");
  Millis now = now_ms();
  store::Person out;
  rt.db.write([&](store::Connection& c) {
    auto p = must_find_person(c, person_id);
    require_within(caller, scope_of(p));
    store::set_person_state(c, person_id, case_status, manage_status, manage_status == "none" ? std::nullopt : manage_until, now);
    out = must_find_person(c, person_id);
    json::object d{{"case_status", case_status}, {"manage_status", manage_status}};
    if (manage_until) d["manage_until"] = iso8601(*manage_until);
    audit(c, caller, "person.state", "person", std::to_string(person_id), json::serialize(d));
  });
  rt.note_state_change(person_id, now);
  return out;
}

// ---- health codes

domain::PersonState person_state(store::Connection& c, Runtime& rt, int64_t person_id, Millis now,
                                 domain::TravelFlag* travel_out) {
  auto p = must_find_person(c, person_id);
  domain::PersonState s;
  s.case_status = p.case_status;
  s.manage_status = p.manage_status;
  s.manage_until = p.manage_until;
  if (auto t = store::latest_test(c, person_id)) {
    s.latest_test_result = t->result;
    s.latest_test_sampled_at = t->sampled_at;
  }
  s.latest_negative_sampled_at = store::latest_negative_sample(c, person_id);
  s.open_fever_handover = store::has_open_handover(c, person_id);
  if (auto o = store::active_override(c, person_id, now))
    s.manual_override = domain::PersonState::Override{*domain::parse_color(o->color), o->reason, o->until};
  const Millis window = rt.config.travel_window_days * kDayMillis;
  std::vector<domain::TravelStay> stays;
  for (const auto& st : store::list_stays(c, person_id, now - window)) stays.push_back({st.division_code, st.from, st.to});
  domain::TravelFlag travel;
  if (!stays.empty()) {
    std::vector<domain::RiskInterval> areas;
    for (const auto& a : store::list_risk_areas(c, false)) areas.push_back({a.division_code, a.effective_from, a.effective_until});
    travel = domain::travel_flag(stays, areas, now, rt.config.travel_window_days);
  }
  s.travel_flag = travel.flagged;
  if (travel.flagged) s.travel_flag_until = travel.until;
  if (travel_out) *travel_out = travel;
  return s;
}

std::string qr_svg(const std::string& text) {
  QRcode* qr = QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (!qr) throw Error(ErrorKind::kInternal, "qr_failed", "cannot make a QR code");
  const int quiet = 4, n = qr->width, size = n + 2 * quiet;
  std::string path;
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x)
      if (qr->data[y * n + x] & 1) path += "M" + std::to_string(x + quiet) + " " + std::to_string(y + quiet) + "h1v1h-1z";
  QRcode_free(qr);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + std::to_string(size) + " " + std::to_string(size) +
         "\" shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\"" +
         path + "\"/></svg>";
}

HealthCode health_code(Runtime& rt, const Caller& caller, int64_t person_id) {
  HealthCode out;
  Millis now = now_ms();
  domain::TravelFlag travel;
  rt.db.write([&](store::Connection& c) {
    auto p = must_find_person(c, person_id);
    if (caller.who.role != domain::Role::kResident) require_person_access(caller, p);
    out.decision = domain::evaluate(rt.rules, person_state(c, rt, person_id, now, &travel), now);
    audit(c, caller, "health_code.issue", "person", std::to_string(person_id),
          json::serialize(json::object{{"color", domain::color_name(out.decision.color)},
                                       {"rule_set_version", out.decision.rule_set_version}}));
  });
  out.travel_flag = travel.flagged;
  out.travel_divisions = travel.division_codes;
  const auto& key = rt.keys.current();
  domain::TokenClaims claims;
  claims.kid = key.kid;
  claims.pseudonym = rt.keys.make_pseudonym(person_id);
  claims.color = out.decision.color;
  claims.issued_at = now / 1000;
  claims.expires_at = claims.issued_at + rt.config.code_ttl_s;
  out.token = domain::sign_token(claims, key);
  out.token_expires_at = claims.expires_at * 1000;
  out.qr_svg = qr_svg(out.token);
  auto issued = std::make_shared<IssuedCode>();
  issued->person_id = person_id;
  issued->color = out.decision.color;
  issued->reasons = out.decision.reasons;
  issued->issued_at = claims.issued_at;
  issued->expires_at = claims.expires_at;
  issued->rule_set_version = out.decision.rule_set_version;
  for (const auto& r : out.decision.reasons) issued->travel_flag = issued->travel_flag || r.code == "travel_risk_area";
  rt.issued.remember(out.token, std::move(issued));
  return out;
}

// ---- risk areas

store::RiskArea declare_risk_area(Runtime& rt, const Caller& caller, const RiskAreaInput& in) {
  if (!domain::valid_gbt2260(in.division_code)) throw invalid("invalid_field", "division_code must be a six-digit GB/T 2260 code");
  if (in.level != "high" && in.level != "medium") throw invalid("invalid_field", "level must be high or medium");
  if (in.area_name.empty() || in.area_name.size() > 200) throw invalid("invalid_field", "area_name needs 1 to 200 bytes");
  Millis now = now_ms();
  store::RiskArea a;
  a.division_code = in.division_code;
  a.division_name = in.division_name;
  a.area_name = in.area_name;
  a.level = in.level;
  a.effective_from = in.effective_from.value_or(now);
  a.level_since = a.effective_from;
  a.last_infection_at = a.effective_from;
  a.came_from_high = false;
  a.decided_by = caller.who.username;
  rt.db.write([&](store::Connection& c) {
    if (a.division_name.empty()) {
      if (auto d = store::find_division_by_code(c, a.division_code)) a.division_name = d->name;
    }
    if (a.division_name.empty()) throw invalid("missing_field", "division_name is required for a division outside this city");
    a.id = store::insert_risk_area(c, a, now);
    store::insert_risk_event(c, {0, a.id, a.effective_from, "declare", "", a.level, caller.who.username, ""});
    audit(c, caller, "risk_area.declare", "risk_area", std::to_string(a.id),
          json::serialize(json::object{{"division_code", a.division_code}, {"area_name", a.area_name}, {"level", a.level}}));
  });
  return a;
}

store::RiskArea record_risk_event(Runtime& rt, const Caller& caller, int64_t id, const std::string& action,
                                  std::optional<Millis> at_opt, const std::string& note) {
  Millis now = now_ms();
  Millis at = at_opt.value_or(now);
  if (at > now + 60000) throw invalid("invalid_field", "at is in the future");
  store::RiskArea out;
  rt.db.write([&](store::Connection& c) {
    auto a = store::find_risk_area(c, id);
    if (!a) throw not_found("risk area");
    if (a->level == "low") throw conflict("lifted", "this risk area was lifted: declare a new one");
    std::string from = a->level;
    if (action == "new_infection") {
      a->last_infection_at = std::max(a->last_infection_at, at);
      a->screen_negative_at.reset();
    } else if (action == "negative_screen") {
      a->screen_negative_at = at;
    } else if (action == "lift") {
      a->level = "low";
      a->level_since = at;
      a->effective_until = at;
    } else {
      throw invalid("invalid_field", "action must be new_infection, negative_screen or lift");
    }
    store::update_risk_area(c, *a, now);
    store::insert_risk_event(c, {0, id, at, action, from, a->level, caller.who.username, note});
    audit(c, caller, "risk_area." + action, "risk_area", std::to_string(id),
          json::serialize(json::object{{"at", iso8601(at)}, {"note", note}}));
    out = *a;
  });
  apply_step_downs(rt.db, rt.step_down, now);
  rt.db.read([&](store::Connection& c) { out = *store::find_risk_area(c, id); });
  return out;
}

void apply_step_downs(store::Database& db, const domain::StepDownRules& rules, Millis now) {
  db.write([&](store::Connection& c) {
    for (auto a : store::list_risk_areas(c, true)) {
      bool changed = false;
      for (;;) {
        domain::RiskAreaState s{a.level, a.came_from_high, a.level_since, a.last_infection_at, a.screen_negative_at};
        auto step = domain::next_step_down(s, now, rules);
        if (!step) break;
        std::string from = a.level;
        a.came_from_high = a.came_from_high || a.level == "high";
        a.level = step->to_level;
        a.level_since = step->at;
        if (a.level == "low") a.effective_until = step->at;
        store::insert_risk_event(c, {0, a.id, step->at, "step_down", from, a.level, "epinet", "automatic step-down"});
        changed = true;
      }
      if (changed) {
        store::update_risk_area(c, a, now);
        Caller system{{}, "local"};
        system.who.username = "epinet step-down";
        audit(c, system, "risk_area.step_down", "risk_area", std::to_string(a.id),
              json::serialize(json::object{{"level", a.level}}));
      }
    }
  });
}

// ---- scans

void scan(Runtime& rt, const Caller& caller, const ScanInput& in, std::function<void(bool, ScanResult)> done) {
  auto venue = rt.venues.get(rt.db, in.venue_id, rt.config.fever_threshold_c);
  if (!venue) throw not_found("venue");
  require_within(caller, {venue->division_path, venue->id});
  if (in.direction != "in" && in.direction != "out") throw invalid("invalid_field", "direction must be in or out");
  bool entrance_known = false;
  for (const auto& e : venue->entrances) entrance_known = entrance_known || e.name == in.entrance;
  if (!entrance_known) throw invalid("invalid_field", "entrance '" + in.entrance + "' is not an entrance of this venue");
  if (in.token.has_value() == in.id_number.has_value())
    throw invalid("invalid_field", "send either token (a scanned code) or id_number (the special channel)");
  if (in.direction == "in") {
    if (!in.temperature_c) throw invalid("missing_field", "temperature_c is required at an entrance");
    if (!in.mask) throw invalid("missing_field", "mask is required at an entrance");
  }
  if (in.temperature_c && (!std::isfinite(*in.temperature_c) || *in.temperature_c < domain::kMinTemperatureC ||
                           *in.temperature_c > domain::kMaxTemperatureC))
    throw invalid("invalid_temperature", "temperature_c must be from 34.0 to 43.0 °C: measure again");
  std::string normalized;
  if (in.id_number) normalized = normalized_id(*in.id_number);
  const Millis received = now_ms();
  if (in.scanned_at && (*in.scanned_at > received + 60000 || *in.scanned_at < received - kDayMillis))
    throw invalid("invalid_field", "scanned_at must lie within the last 24 hours");
  const Millis now = in.scanned_at.value_or(received);
  std::string client_key;
  if (!in.client_scan_id.empty()) {
    bool ok = in.client_scan_id.size() <= 64;
    for (char ch : in.client_scan_id)
      ok = ok && ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '-' || ch == '_');
    if (!ok) throw invalid("invalid_field", "client_scan_id is 1 to 64 characters of A-Z, a-z, 0-9, '-', '_'");
    client_key = std::to_string(venue->id) + ":" + in.client_scan_id;
    if (!rt.begin_client_scan(client_key))
      throw conflict("scan_in_progress", "this scan is being recorded: send it again in a moment");
    std::optional<store::Checkin> earlier;
    try {
      rt.db.read([&](store::Connection& c) { earlier = store::find_checkin_by_client_id(c, venue->id, in.client_scan_id); });
    } catch (...) {
      rt.end_client_scan(client_key);
      throw;
    }
    if (earlier) {
      rt.end_client_scan(client_key);
      ScanResult again;
      again.replayed = true;
      again.checkin_id = earlier->id;
      again.person_id = earlier->person_id;
      again.color = earlier->color;
      again.decision.pass = earlier->decision == "pass";
      json::error_code ec;
      auto reasons = json::parse(earlier->reasons_json, ec);
      if (!ec && reasons.is_array())
        for (const auto& x : reasons.as_array()) {
          const auto& o = x.as_object();
          auto text = [&](const char* k) { return o.contains(k) && o.at(k).is_string() ? std::string(o.at(k).as_string()) : ""; };
          again.decision.reasons.push_back({text("code"), text("message"), text("message_en")});
        }
      done(true, std::move(again));
      return;
    }
  }

  domain::ScanFacts facts;
  facts.direction = in.direction;
  facts.temperature_c = in.temperature_c;
  facts.mask = in.mask.value_or(true);
  ScanResult result;
  std::string rule_version = rt.rules.version;
  auto from_state = [&](int64_t person_id) {
    rt.db.read([&](store::Connection& c) {
      if (!store::find_person(c, person_id)) return;
      auto d = domain::evaluate(rt.rules, person_state(c, rt, person_id, now), now);
      facts.person_known = true;
      facts.color = d.color;
      facts.code_reasons = d.reasons;
      rule_version = d.rule_set_version;
    });
  };
  if (in.token) {
    if (auto issued = rt.issued.find(*in.token)) {
      result.person_id = issued->person_id;
      facts.token_problem = issued->expires_at <= now / 1000 ? domain::TokenProblem::kExpired : domain::TokenProblem::kNone;
      if (facts.token_problem == domain::TokenProblem::kNone) {
        if (rt.changed_since(issued->person_id, issued->issued_at * 1000)) {
          from_state(issued->person_id);
        } else {
          facts.person_known = true;
          facts.color = issued->color;
          facts.code_reasons = issued->reasons;
          rule_version = issued->rule_set_version;
        }
      }
    } else {
      auto check = domain::verify_token(*in.token, rt.keys.public_keys(), now / 1000);
      facts.token_problem = check.problem;
      if (check) {
        result.person_id = rt.keys.person_of(check.claims.pseudonym);
        from_state(*result.person_id);
      }
    }
  } else {
    std::optional<store::Person> p;
    rt.db.read([&](store::Connection& c) { p = store::find_person_by_id_hash(c, rt.keys.id_hash(normalized)); });
    if (p) {
      result.person_id = p->id;
      from_state(p->id);
    }
  }
  if (!facts.person_known && facts.token_problem == domain::TokenProblem::kNone) result.person_id.reset();
  for (const auto& r : facts.code_reasons) facts.travel_flag = facts.travel_flag || r.code == "travel_risk_area";
  result.decision = domain::decide(facts, venue->policy);
  if (facts.person_known) result.color = std::string(domain::color_name(facts.color));

  CheckinWriter::Item item;
  auto& k = item.checkin;
  k.id = rt.ids.next(now);
  k.venue_id = venue->id;
  k.entrance = in.entrance;
  k.direction = in.direction;
  k.person_id = facts.person_known ? result.person_id : std::nullopt;
  k.at = now;
  k.decision = result.decision.pass ? "pass" : "stop";
  k.color = result.color;
  json::array reasons;
  for (const auto& r : result.decision.reasons) reasons.push_back(json::object{{"code", r.code}, {"message", r.zh}, {"message_en", r.en}});
  k.reasons_json = json::serialize(reasons);
  k.temperature_c = in.temperature_c;
  k.mask = facts.mask;
  k.channel = in.token ? "code" : "id_card";
  k.rule_set_version = rule_version;
  k.staff_id = caller.who.user_id;
  k.client_scan_id = in.client_scan_id;
  item.close_stay = in.direction == "out" && k.person_id.has_value();
  result.checkin_id = k.id;
  if (result.decision.open_fever_handover) {
    store::FeverHandover h;
    h.id = rt.ids.next(now);
    h.venue_id = venue->id;
    h.checkin_id = k.id;
    h.person_id = k.person_id;
    h.temperature_c = *in.temperature_c;
    h.opened_at = now;
    item.handover = h;
    result.handover_id = h.id;
  }
  std::optional<int64_t> changed = result.handover_id && k.person_id ? k.person_id : std::nullopt;
  // A fever at a hospital entrance is an early-warning trigger, raised off the writer thread.
  std::optional<int64_t> hospital_fever = venue->type == "hospital" ? result.handover_id : std::nullopt;
  int64_t venue_id = venue->id;
  item.done = [&rt, changed, hospital_fever, venue_id, now, client_key, result = std::move(result),
               done = std::move(done)](bool ok) mutable {
    if (ok && hospital_fever) warning_fever_handover(rt, venue_id, *hospital_fever);
    // An open fever handover turns the code yellow: tokens issued before it are re-evaluated.
    if (ok && changed) rt.note_state_change(*changed, now);
    if (!client_key.empty()) rt.end_client_scan(client_key);
    done(ok, std::move(result));
  };
  rt.writer.submit(std::move(item));
}

// ---- venue views

namespace {
std::shared_ptr<const VenueInfo> venue_within(Runtime& rt, const Caller& caller, int64_t venue_id) {
  auto v = rt.venues.get(rt.db, venue_id, rt.config.fever_threshold_c);
  if (!v) throw not_found("venue");
  require_within(caller, {v->division_path, v->id});
  return v;
}
}  // namespace

VenueToday venue_today(Runtime& rt, const Caller& caller, int64_t venue_id, Millis from, Millis to) {
  venue_within(rt, caller, venue_id);
  VenueToday t;
  rt.db.read([&](store::Connection& c) {
    t.counts = store::count_checkins(c, venue_id, from, to);
    t.occupancy = store::occupancy(c, venue_id, from);
    t.open_handovers = static_cast<int64_t>(store::list_handovers(c, venue_id, "open", "", 10000).size());
  });
  for (const auto& x : t.counts) {
    if (x.decision == "stop") t.stops += x.count;
    else if (x.direction == "in") t.entries += x.count;
    else t.exits += x.count;
    t.fevers += x.fevers;
  }
  return t;
}

store::PageOf<store::Checkin> venue_checkins(Runtime& rt, const Caller& caller, int64_t venue_id, Millis from, Millis to,
                                              const std::string& decision, const store::Page& p) {
  venue_within(rt, caller, venue_id);
  if (!decision.empty() && decision != "pass" && decision != "stop") throw invalid("invalid_query", "decision must be pass or stop");
  store::PageOf<store::Checkin> out;
  rt.db.write([&](store::Connection& c) {
    out = store::list_checkins(c, {venue_id, from, to, decision}, p);
    audit(c, caller, "checkin.list", "venue", std::to_string(venue_id),
          json::serialize(json::object{{"from", iso8601(from)}, {"to", iso8601(to)}, {"rows", out.items.size()}}));
  });
  return out;
}

std::vector<store::FeverHandover> handovers(Runtime& rt, const Caller& caller, std::optional<int64_t> venue_id,
                                            const std::string& status) {
  if (!status.empty() && status != "open" && status != "closed") throw invalid("invalid_query", "status must be open or closed");
  if (venue_id) venue_within(rt, caller, *venue_id);
  else if (caller.who.venue_id) venue_id = caller.who.venue_id;
  std::vector<store::FeverHandover> out;
  rt.db.read([&](store::Connection& c) {
    out = store::list_handovers(c, venue_id, status, caller.who.venue_id ? "" : caller.who.division_path, 500);
  });
  return out;
}

store::FeverHandover close_handover(Runtime& rt, const Caller& caller, int64_t venue_id, int64_t id,
                                    const std::string& outcome) {
  venue_within(rt, caller, venue_id);
  if (outcome.empty() || outcome.size() > 500) throw invalid("invalid_field", "outcome needs 1 to 500 bytes");
  Millis now = now_ms();
  store::FeverHandover out;
  rt.db.write([&](store::Connection& c) {
    auto h = store::find_handover(c, venue_id, id);
    if (!h) throw not_found("fever handover");
    if (h->status != "open") throw conflict("closed", "this handover is closed already");
    store::close_handover(c, venue_id, id, caller.who.user_id, outcome, now);
    out = *store::find_handover(c, venue_id, id);
    audit(c, caller, "handover.close", "fever_handover", std::to_string(id), json::serialize(json::object{{"outcome", outcome}}));
    if (out.person_id) rt.note_state_change(*out.person_id, now);
  });
  return out;
}

void set_venue_policy(Runtime& rt, const Caller& caller, int64_t venue_id, std::optional<bool> stop_on_yellow,
                      std::optional<bool> stop_on_travel_flag, std::optional<std::string> notices) {
  venue_within(rt, caller, venue_id);
  if (notices && notices->size() > 4000) throw invalid("invalid_field", "notices are at most 4000 bytes");
  rt.db.write([&](store::Connection& c) {
    if (stop_on_yellow) c.query("UPDATE venues SET stop_on_yellow = ? WHERE id = ?", {int64_t{*stop_on_yellow}, venue_id});
    if (stop_on_travel_flag)
      c.query("UPDATE venues SET stop_on_travel_flag = ? WHERE id = ?", {int64_t{*stop_on_travel_flag}, venue_id});
    if (notices) c.query("UPDATE venues SET notices = ? WHERE id = ?", {*notices, venue_id});
    json::object d;
    if (stop_on_yellow) d["stop_on_yellow"] = *stop_on_yellow;
    if (stop_on_travel_flag) d["stop_on_travel_flag"] = *stop_on_travel_flag;
    if (notices) d["notices"] = *notices;
    audit(c, caller, "venue.policy", "venue", std::to_string(venue_id), json::serialize(d));
  });
  rt.venues.invalidate(venue_id);
}

}  // namespace epinet::service

namespace epinet::service {


StayImport import_stays(Runtime& rt, const Caller& caller, const std::string& text) {
  StayImport r;
  auto table = read_table_file(text);
  auto col_id = find_column(table.header, {"id_number", "身份证号"});
  auto col_div = find_column(table.header, {"division_code", "地区代码"});
  auto col_from = find_column(table.header, {"from", "开始时间"});
  auto col_to = find_column(table.header, {"to", "结束时间"});
  if (!col_id || !col_div || !col_from || !col_to)
    throw invalid("invalid_file", "the first row must be the header: id_number,division_code,from,to");
  struct Row {
    int line;
    std::string id_hash;
    store::Stay stay;
  };
  std::vector<Row> rows;
  const Millis now = now_ms();
  for (const auto& tr : table.rows) {
    const int line = tr.line;
    std::vector<std::string> f{cell(tr, *col_id), cell(tr, *col_div), cell(tr, *col_from), cell(tr, *col_to)};
    auto id = domain::check_id_number(f[0]);
    if (!id) {
      r.errors.emplace_back(line, std::string(domain::id_problem_message(id.problem)));
      continue;
    }
    auto from = parse_iso8601(f[2]), to = parse_iso8601(f[3]);
    if (!domain::valid_gbt2260(f[1])) r.errors.emplace_back(line, "division_code must be a six-digit GB/T 2260 code");
    else if (!from || !to) r.errors.emplace_back(line, "from and to must be ISO 8601 times");
    else if (*to < *from) r.errors.emplace_back(line, "the stay ends before it starts");
    else if (*from > now + kDayMillis)
      r.errors.emplace_back(line, "the stay starts in the future");
    else rows.push_back({line, rt.keys.id_hash(id.normalized), {0, 0, f[1], *from, *to, "imported"}});
  }
  if (rows.empty() && r.errors.empty()) throw invalid("invalid_file", "the file has no rows");
  if (!r.errors.empty()) return r;  // nothing imported
  std::vector<int64_t> touched;
  rt.db.write([&](store::Connection& c) {
    for (auto& row : rows) {
      auto p = store::find_person_by_id_hash(c, row.id_hash);
      if (!p) {
        r.skipped.emplace_back(row.line, "no registered person with this identity number");
        continue;
      }
      if (!domain::within_jurisdiction(caller.who, scope_of(*p))) {
        r.skipped.emplace_back(row.line, "the person lives outside your jurisdiction");
        continue;
      }
      row.stay.person_id = p->id;
      store::insert_stay(c, row.stay, now);
      touched.push_back(p->id);
      ++r.imported;
    }
    audit(c, caller, "travel.import", "", "",
          json::serialize(json::object{{"imported", r.imported}, {"skipped", r.skipped.size()}}));
  });
  for (int64_t id : touched) rt.note_state_change(id, now);
  return r;
}

}  // namespace epinet::service
