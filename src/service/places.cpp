#include <boost/json.hpp>

#include "core/error.h"
#include "service/services.h"

namespace epinet::service {
namespace json = boost::json;
using domain::DivisionLevel;

namespace {

void check_name(const std::string& name, const char* what) {
  if (name.empty() || name.size() > 200) throw invalid("invalid_field", std::string(what) + " needs 1 to 200 bytes");
}

std::string venue_detail(const store::Venue& v) {
  return json::serialize(json::object{{"name", v.name}, {"type", v.type}, {"division_id", v.division_id}});
}

domain::Scope scope_of(const store::Venue& v) { return {v.division_path, v.id}; }

}  // namespace

store::PageOf<store::Division> list_divisions(store::Database& db, const store::DivisionFilter& f,
                                              const store::Page& p) {
  store::PageOf<store::Division> out;
  db.read([&](store::Connection& c) { out = store::list_divisions(c, f, p); });
  return out;
}

store::Division get_division(store::Database& db, int64_t id) {
  std::optional<store::Division> d;
  db.read([&](store::Connection& c) { d = store::find_division(c, id); });
  if (!d) throw not_found("division");
  return *d;
}

store::Division create_division(store::Database& db, const Caller& caller, const DivisionInput& in) {
  check_name(in.name, "name");
  auto level = domain::parse_division_level(in.level);
  if (!level) throw invalid("invalid_field", "level must be one of province, city, district, subdistrict, community, compound, building");
  if (in.code && !domain::valid_division_code(*in.code, *level))
    throw invalid("invalid_field", "code '" + *in.code + "' is not a valid code for a " + in.level);
  store::Division out;
  db.write([&](store::Connection& c) {
    std::string parent_path = "/";
    if (in.parent_id) {
      auto parent = store::find_division(c, *in.parent_id);
      if (!parent) throw invalid("invalid_field", "parent_id: no such division");
      if (!domain::may_contain(*domain::parse_division_level(parent->level), *level))
        throw invalid("invalid_field", "a " + parent->level + " cannot contain a " + in.level);
      parent_path = parent->path;
    }
    // A new root is the whole tree: only an unrestricted (root) admin makes one.
    require_within(caller, {parent_path == "/" ? std::string("/") : parent_path, std::nullopt});
    if (in.code && store::find_division_by_code(c, *in.code))
      throw conflict("duplicate", "a division with code " + *in.code + " exists");
    store::Division d;
    d.code = in.code;
    d.name = in.name;
    d.name_en = in.name_en;
    d.level = in.level;
    d.parent_id = in.parent_id;
    int64_t id = store::insert_division(c, d, now_ms());
    out = *store::find_division(c, id);
    audit(c, caller, "division.create", "division", std::to_string(id),
          json::serialize(json::object{{"name", in.name}, {"level", in.level}}));
  });
  return out;
}

store::Division rename_division(store::Database& db, const Caller& caller, int64_t id,
                                const std::optional<std::string>& name, const std::optional<std::string>& name_en) {
  store::Division out;
  db.write([&](store::Connection& c) {
    auto d = store::find_division(c, id);
    if (!d) throw not_found("division");
    require_within(caller, {d->path, std::nullopt});
    if (name) check_name(*name, "name");
    store::update_division_names(c, id, name.value_or(d->name), name_en.value_or(d->name_en), now_ms());
    out = *store::find_division(c, id);
    audit(c, caller, "division.update", "division", std::to_string(id),
          json::serialize(json::object{{"name", out.name}, {"name_en", out.name_en}}));
  });
  return out;
}

void delete_division(store::Database& db, const Caller& caller, int64_t id) {
  db.write([&](store::Connection& c) {
    auto d = store::find_division(c, id);
    if (!d) throw not_found("division");
    require_within(caller, {d->path, std::nullopt});
    if (store::division_references(c, id) > 0)
      throw conflict("referenced", "the division still has sub-divisions, venues or users");
    store::delete_division(c, id);
    audit(c, caller, "division.delete", "division", std::to_string(id),
          json::serialize(json::object{{"name", d->name}}));
  });
}

store::PageOf<store::Venue> list_venues(store::Database& db, const Caller& caller, store::VenueFilter f,
                                        const store::Page& p) {
  if (caller.who.venue_id)
    f.only_venue = caller.who.venue_id;
  else
    f.within_path = caller.who.division_path.empty() ? "/-none-/" : caller.who.division_path;
  store::PageOf<store::Venue> out;
  db.read([&](store::Connection& c) { out = store::list_venues(c, f, p); });
  return out;
}

store::Venue get_venue(store::Database& db, const Caller& caller, int64_t id) {
  std::optional<store::Venue> v;
  db.read([&](store::Connection& c) { v = store::find_venue(c, id); });
  if (!v) throw not_found("venue");
  require_within(caller, scope_of(*v));
  return *v;
}

namespace {
// Applies a patch to a venue and validates the result.
void apply(store::Connection& c, const Caller& caller, store::Venue& v, const VenuePatch& in) {
  if (in.name) v.name = *in.name;
  if (in.type) v.type = *in.type;
  if (in.address) v.address = *in.address;
  if (in.capacity) v.capacity = *in.capacity;
  if (in.entrances) v.entrances = *in.entrances;
  check_name(v.name, "name");
  if (!domain::valid_venue_type(v.type)) throw invalid("invalid_field", "type '" + v.type + "' is not a venue type");
  if (v.address.size() > 500) throw invalid("invalid_field", "address is longer than 500 bytes");
  if (v.capacity && (*v.capacity < 0 || *v.capacity > 10000000))
    throw invalid("invalid_field", "capacity must be from 0 to 10,000,000");
  if (auto msg = domain::check_entrances(v.entrances); !msg.empty()) throw invalid("invalid_field", msg);
  if (in.division_id) {
    auto d = store::find_division(c, *in.division_id);
    if (!d) throw invalid("invalid_field", "division_id: no such division");
    v.division_id = d->id;
    v.division_path = d->path;
    v.division_name = d->name;
  }
  if (v.division_id == 0) throw invalid("missing_field", "division_id is required");
  require_within(caller, {v.division_path, v.id ? std::optional<int64_t>(v.id) : std::nullopt});
}
}  // namespace

store::Venue create_venue(store::Database& db, const Caller& caller, const VenuePatch& in) {
  if (!in.name) throw invalid("missing_field", "name is required");
  if (!in.type) throw invalid("missing_field", "type is required");
  if (!in.division_id) throw invalid("missing_field", "division_id is required");
  store::Venue out;
  db.write([&](store::Connection& c) {
    store::Venue v;
    apply(c, caller, v, in);
    int64_t id = store::insert_venue(c, v, now_ms());
    out = *store::find_venue(c, id);
    audit(c, caller, "venue.create", "venue", std::to_string(id), venue_detail(out));
  });
  return out;
}

store::Venue update_venue(store::Database& db, const Caller& caller, int64_t id, const VenuePatch& in) {
  store::Venue out;
  db.write([&](store::Connection& c) {
    auto v = store::find_venue(c, id);
    if (!v) throw not_found("venue");
    require_within(caller, scope_of(*v));
    apply(c, caller, *v, in);
    store::update_venue(c, *v, now_ms());
    out = *store::find_venue(c, id);
    audit(c, caller, "venue.update", "venue", std::to_string(id), venue_detail(out));
  });
  return out;
}

void delete_venue(store::Database& db, const Caller& caller, int64_t id) {
  db.write([&](store::Connection& c) {
    auto v = store::find_venue(c, id);
    if (!v) throw not_found("venue");
    require_within(caller, scope_of(*v));
    if (store::venue_references(c, id) > 0)
      throw conflict("referenced", "accounts are bound to this venue or its check-ins are still kept: it cannot be deleted");
    store::delete_venue(c, id);
    audit(c, caller, "venue.delete", "venue", std::to_string(id), venue_detail(*v));
  });
}

}  // namespace epinet::service
