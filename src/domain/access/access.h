// Who may do what, where. Pure: the HTTP layer asks these functions and
// nothing else whether a call is allowed (one place, tested as a matrix).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace epinet::domain {

enum class Role { kAdmin, kCommander, kVenueStaff, kCommunityWorker, kClinician, kLab, kResident };

std::optional<Role> parse_role(std::string_view name);
std::string_view role_name(Role role);
const std::vector<Role>& all_roles();

// Roles that work at one venue and are bound to it rather than to a division.
bool is_venue_bound(Role role);

// Permissions are "area:verb" strings, e.g. "venues:write".
bool role_has(Role role, std::string_view permission);
std::vector<std::string> permissions_of(Role role);
const std::vector<std::string>& all_permissions();

// The signed-in caller.
struct Principal {
  int64_t user_id = 0;
  std::string username;
  Role role = Role::kResident;
  std::optional<int64_t> division_id;
  std::string division_path;  // '/1/3/' of the jurisdiction division ("" when venue-bound)
  std::optional<int64_t> venue_id;
};

// Where a record lies.
struct Scope {
  std::string division_path;  // path of the division the record belongs to
  std::optional<int64_t> venue_id;
};

// A venue-bound caller reaches only records of its venue; any other caller
// reaches records whose division lies in (or is) its jurisdiction division.
bool within_jurisdiction(const Principal& who, const Scope& record);

}  // namespace epinet::domain
