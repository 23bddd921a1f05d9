#include <boost/json.hpp>

#include "core/crypto.h"
#include "core/error.h"
#include "service/services.h"

namespace epinet::service {
namespace json = boost::json;

namespace {

void check_username(const std::string& u) {
  bool ok = u.size() >= 3 && u.size() <= 64;
  for (char ch : u) ok = ok && ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-');
  if (!ok) throw invalid("invalid_field", "username needs 3 to 64 characters of a-z, 0-9, '_', '.', '-'");
}

// The jurisdiction a user would have, as a scope the caller must reach.
domain::Scope scope_of(const store::User& u) {
  if (u.venue_id) return {u.venue_division_path, u.venue_id};
  return {u.division_path, std::nullopt};
}

// An admin manages accounts whose jurisdiction lies inside its own.
void require_manages(const Caller& caller, const store::User& u) {
  domain::Scope s = scope_of(u);
  if (caller.who.venue_id || s.division_path.rfind(caller.who.division_path, 0) != 0 || caller.who.division_path.empty())
    throw forbidden("this account lies outside your jurisdiction");
}

// Resolves and validates role and jurisdiction after a patch.
void resolve_jurisdiction(store::Connection& c, store::User& u) {
  auto role = domain::parse_role(u.role);
  if (!role) throw invalid("invalid_field", "role must be one of admin, commander, venue_staff, community_worker, clinician, lab, resident");
  u.division_name.clear();
  u.division_path.clear();
  u.venue_name.clear();
  u.venue_division_path.clear();
  if (domain::is_venue_bound(*role)) {
    if (!u.venue_id) throw invalid("missing_field", "a " + u.role + " account is bound to a venue: venue_id is required");
    u.division_id.reset();
    auto v = store::find_venue(c, *u.venue_id);
    if (!v) throw invalid("invalid_field", "venue_id: no such venue");
    u.venue_name = v->name;
    u.venue_division_path = v->division_path;
  } else {
    if (!u.division_id) throw invalid("missing_field", "a " + u.role + " account is bound to a division: division_id is required");
    u.venue_id.reset();
    auto d = store::find_division(c, *u.division_id);
    if (!d) throw invalid("invalid_field", "division_id: no such division");
    u.division_name = d->name;
    u.division_path = d->path;
  }
}

std::string user_detail(const store::User& u) {
  json::object o{{"username", u.username}, {"role", u.role}, {"disabled", u.disabled}};
  if (u.division_id) o["division_id"] = *u.division_id;
  if (u.venue_id) o["venue_id"] = *u.venue_id;
  return json::serialize(o);
}

}  // namespace

store::PageOf<store::User> list_users(store::Database& db, const Caller& caller, store::UserFilter f,
                                      const store::Page& p) {
  f.within_path = caller.who.division_path.empty() ? "/-none-/" : caller.who.division_path;
  store::PageOf<store::User> out;
  db.read([&](store::Connection& c) { out = store::list_users(c, f, p); });
  return out;
}

store::User get_user(store::Database& db, const Caller& caller, int64_t id) {
  store::User out;
  db.write([&](store::Connection& c) {
    auto u = store::find_user(c, id);
    if (!u) throw not_found("user");
    require_manages(caller, *u);
    out = *u;
    audit(c, caller, "user.read", "user", std::to_string(id));
  });
  return out;
}

store::User create_user(store::Database& db, const Caller& caller, const UserPatch& in) {
  if (!in.username) throw invalid("missing_field", "username is required");
  if (!in.password) throw invalid("missing_field", "password is required");
  if (!in.role) throw invalid("missing_field", "role is required");
  check_username(*in.username);
  check_password_policy(*in.password);
  store::User u;
  u.username = *in.username;
  u.display_name = in.display_name.value_or(*in.username);
  if (u.display_name.empty() || u.display_name.size() > 100) throw invalid("invalid_field", "display_name needs 1 to 100 bytes");
  u.role = *in.role;
  if (in.division_id) u.division_id = *in.division_id;
  if (in.venue_id) u.venue_id = *in.venue_id;
  u.disabled = in.disabled.value_or(false);
  std::string hash = crypto::hash_password(*in.password);  // slow: outside the transaction
  store::User out;
  db.write([&](store::Connection& c) {
    resolve_jurisdiction(c, u);
    require_manages(caller, u);
    if (store::find_user_by_username(c, u.username)) throw conflict("duplicate", "username " + u.username + " is taken");
    u.password_hash = hash;
    int64_t id = store::insert_user(c, u, now_ms());
    out = *store::find_user(c, id);
    audit(c, caller, "user.create", "user", std::to_string(id), user_detail(out));
  });
  return out;
}

store::User update_user(store::Database& db, AuthService& auth, const Caller& caller, int64_t id,
                        const UserPatch& in) {
  if (in.username) throw invalid("invalid_field", "username cannot be changed");
  std::string new_hash;
  if (in.password) {
    check_password_policy(*in.password);
    new_hash = crypto::hash_password(*in.password);
  }
  store::User out;
  db.write([&](store::Connection& c) {
    auto u = store::find_user(c, id);
    if (!u) throw not_found("user");
    require_manages(caller, *u);
    if (in.display_name) {
      if (in.display_name->empty() || in.display_name->size() > 100) throw invalid("invalid_field", "display_name needs 1 to 100 bytes");
      u->display_name = *in.display_name;
    }
    if (in.role) u->role = *in.role;
    if (in.division_id) u->division_id = *in.division_id;
    if (in.venue_id) u->venue_id = *in.venue_id;
    if (in.disabled) u->disabled = *in.disabled;
    if (!new_hash.empty()) u->password_hash = new_hash;
    if (id == caller.who.user_id && (u->disabled || u->role != domain::role_name(caller.who.role)))
      throw conflict("self_lockout", "you cannot disable your own account or change your own role");
    resolve_jurisdiction(c, *u);
    require_manages(caller, *u);
    store::update_user(c, *u, now_ms());
    // Sessions end when what they were granted changes.
    if (in.disabled.value_or(false) || in.role || in.division_id || in.venue_id || in.password)
      store::delete_sessions_of(c, id);
    out = *store::find_user(c, id);
    json::object d = json::parse(user_detail(out)).as_object();
    if (in.password) d["password_changed"] = true;
    audit(c, caller, "user.update", "user", std::to_string(id), json::serialize(d));
  });
  auth.forget_user(id);
  return out;
}

}  // namespace epinet::service
