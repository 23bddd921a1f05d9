#include "domain/access/access.h"

#include <algorithm>
#include <array>

namespace epinet::domain {
namespace {

struct RoleInfo {
  Role role;
  std::string_view name;
  std::vector<std::string_view> permissions;
};

const std::array<RoleInfo, 7>& roles() {
  static const std::array<RoleInfo, 7> table{{
      {Role::kAdmin, "admin",
       {"management:read", "management:write", "management:enroll",
        "divisions:read", "divisions:write", "venues:read", "venues:write", "venues:policy", "users:read",
        "users:write", "audit:read", "persons:read", "persons:write", "persons:reveal", "persons:state",
        "travel:write", "tests:write", "riskareas:read", "riskareas:write", "handovers:write",
        "warning:read", "warning:write", "warning:import", "tracing:run", "tracing:read",
        "community:read", "community:write", "pushlists:write"}},
      {Role::kCommander, "commander",
       {"management:read", "management:write", "management:enroll",
        "divisions:read", "venues:read", "venues:write", "venues:policy", "persons:read", "persons:reveal",
        "persons:state", "riskareas:read", "riskareas:write", "handovers:write", "warning:read", "warning:write",
        "warning:import", "tracing:run", "tracing:read",
        "community:read", "pushlists:write"}},
      {Role::kVenueStaff, "venue_staff",
       {"divisions:read", "venues:read", "venues:policy", "checkpoints:scan", "handovers:write", "riskareas:read"}},
      {Role::kCommunityWorker, "community_worker",
       {"management:read", "management:write",
        "divisions:read", "venues:read", "persons:read", "persons:write", "travel:write", "riskareas:read",
        "community:read", "community:write"}},
      {Role::kClinician, "clinician",
       {"divisions:read", "venues:read", "checkpoints:scan", "handovers:write", "persons:lookup", "tests:write",
        "riskareas:read", "warning:import"}},
      {Role::kLab, "lab", {"divisions:read", "venues:read", "persons:lookup", "tests:write", "riskareas:read"}},
      {Role::kResident, "resident", {"self:health"}},
  }};
  return table;
}

const RoleInfo& info(Role r) { return roles()[static_cast<size_t>(r)]; }

}  // namespace

std::optional<Role> parse_role(std::string_view name) {
  for (const auto& r : roles())
    if (r.name == name) return r.role;
  return std::nullopt;
}

std::string_view role_name(Role role) { return info(role).name; }

const std::vector<Role>& all_roles() {
  static const std::vector<Role> all = [] {
    std::vector<Role> v;
    for (const auto& r : roles()) v.push_back(r.role);
    return v;
  }();
  return all;
}

bool is_venue_bound(Role role) {
  return role == Role::kVenueStaff || role == Role::kClinician || role == Role::kLab;
}

bool role_has(Role role, std::string_view permission) {
  const auto& p = info(role).permissions;
  return std::find(p.begin(), p.end(), permission) != p.end();
}

std::vector<std::string> permissions_of(Role role) {
  const auto& p = info(role).permissions;
  return {p.begin(), p.end()};
}

const std::vector<std::string>& all_permissions() {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> v;
    for (const auto& r : roles())
      for (auto p : r.permissions)
        if (std::find(v.begin(), v.end(), p) == v.end()) v.emplace_back(p);
    return v;
  }();
  return all;
}

bool within_jurisdiction(const Principal& who, const Scope& record) {
  if (who.venue_id) return record.venue_id && *record.venue_id == *who.venue_id;
  if (who.division_path.empty()) return false;
  return record.division_path.rfind(who.division_path, 0) == 0;
}

}  // namespace epinet::domain
