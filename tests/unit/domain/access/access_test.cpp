#include "domain/access/access.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace epinet::domain {
namespace {

// The whole matrix, written out: a change to who may do what must change this
// table on purpose.
const std::map<std::string, std::set<std::string>> kExpected = {
    {"admin",
     {"management:read", "management:write", "management:enroll",
      "divisions:read", "divisions:write", "venues:read", "venues:write", "venues:policy", "users:read", "users:write",
      "audit:read", "persons:read", "persons:write", "persons:reveal", "persons:state", "travel:write", "tests:write",
      "riskareas:read", "riskareas:write", "handovers:write", "tracing:run", "tracing:read", "warning:read",
      "warning:write", "warning:import", "community:read", "community:write", "pushlists:write"}},
    {"commander",
     {"management:read", "management:write", "management:enroll",
      "divisions:read", "venues:read", "venues:write", "venues:policy", "persons:read", "persons:reveal",
      "persons:state", "riskareas:read", "riskareas:write", "handovers:write", "tracing:run", "tracing:read",
      "warning:read", "warning:write", "warning:import", "community:read", "pushlists:write"}},
    {"venue_staff",
     {"divisions:read", "venues:read", "venues:policy", "checkpoints:scan", "handovers:write", "riskareas:read"}},
    {"community_worker",
     {"management:read", "management:write",
      "divisions:read", "venues:read", "persons:read", "persons:write", "travel:write", "riskareas:read",
      "community:read", "community:write"}},
    {"clinician",
     {"divisions:read", "venues:read", "checkpoints:scan", "handovers:write", "persons:lookup", "tests:write",
      "riskareas:read", "warning:import"}},
    {"lab", {"divisions:read", "venues:read", "persons:lookup", "tests:write", "riskareas:read"}},
    {"resident", {"self:health"}},
};

const std::vector<std::string> kAllPermissions = {
    "management:read", "management:write", "management:enroll",
    "divisions:read", "divisions:write", "venues:read",    "venues:write",   "venues:policy",   "users:read",
    "users:write",    "audit:read",      "persons:read",   "persons:write",  "persons:reveal",  "persons:state",
    "persons:lookup", "travel:write",    "tests:write",    "riskareas:read", "riskareas:write", "handovers:write",
    "checkpoints:scan", "self:health", "tracing:run", "tracing:read", "warning:read", "warning:write", "warning:import",
    "community:read", "community:write", "pushlists:write"};

TEST(Access, EveryRoleIsInTheExpectedTable) {
  ASSERT_EQ(all_roles().size(), kExpected.size());
  for (Role r : all_roles()) EXPECT_TRUE(kExpected.count(std::string(role_name(r)))) << role_name(r);
}

TEST(Access, RolePermissionMatrixIsExactlyTheExpectedTable) {
  for (const auto& [name, granted] : kExpected) {
    auto role = parse_role(name);
    ASSERT_TRUE(role) << name;
    for (const auto& perm : kAllPermissions)
      EXPECT_EQ(role_has(*role, perm), granted.count(perm) == 1) << name << " × " << perm;
    auto listed = permissions_of(*role);
    EXPECT_EQ(std::set<std::string>(listed.begin(), listed.end()), granted) << name;
  }
}

TEST(Access, AllPermissionsAreTheOnesTheMatrixUses) {
  const auto& all = all_permissions();
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()),
            std::set<std::string>(kAllPermissions.begin(), kAllPermissions.end()));
}

TEST(Access, UnknownPermissionsAreNeverGranted) {
  for (Role r : all_roles()) {
    EXPECT_FALSE(role_has(r, "")) << role_name(r);
    EXPECT_FALSE(role_has(r, "venues:delete")) << role_name(r);
    EXPECT_FALSE(role_has(r, "VENUES:READ")) << role_name(r);
    EXPECT_FALSE(role_has(r, "*")) << role_name(r);
  }
}

TEST(Access, ParseRoleAndRoleNameRoundTrip) {
  for (Role r : all_roles()) EXPECT_EQ(parse_role(role_name(r)), r) << role_name(r);
  EXPECT_EQ(parse_role("admin"), Role::kAdmin);
  EXPECT_EQ(role_name(Role::kCommunityWorker), "community_worker");
}

TEST(Access, UnknownRoleNamesAreRejected) {
  for (const char* bad : {"", "Admin", "ADMIN", " admin", "admin ", "root", "superuser", "venue-staff"})
    EXPECT_EQ(parse_role(bad), std::nullopt) << "'" << bad << "'";
}

TEST(Access, VenueBoundRolesAreVenueStaffClinicianAndLab) {
  std::set<Role> bound;
  for (Role r : all_roles())
    if (is_venue_bound(r)) bound.insert(r);
  EXPECT_EQ(bound, (std::set<Role>{Role::kVenueStaff, Role::kClinician, Role::kLab}));
}

Principal division_user(const std::string& path, Role role = Role::kAdmin) {
  Principal p;
  p.user_id = 1;
  p.role = role;
  p.division_path = path;
  return p;
}

Principal venue_user(int64_t venue_id) {
  Principal p;
  p.user_id = 2;
  p.role = Role::kVenueStaff;
  p.venue_id = venue_id;
  return p;
}

TEST(Jurisdiction, CityAdminReachesRecordsInItsDistricts) {
  Principal city = division_user("/1/");
  EXPECT_TRUE(within_jurisdiction(city, {"/1/", std::nullopt}));
  EXPECT_TRUE(within_jurisdiction(city, {"/1/2/", std::nullopt}));
  EXPECT_TRUE(within_jurisdiction(city, {"/1/2/15/40/", std::nullopt}));
  EXPECT_TRUE(within_jurisdiction(city, {"/1/3/", int64_t{77}})) << "a venue in the city";
}

TEST(Jurisdiction, DistrictUserDoesNotReachSiblingDistrictOrParentCity) {
  Principal district = division_user("/1/2/", Role::kCommunityWorker);
  EXPECT_TRUE(within_jurisdiction(district, {"/1/2/9/", std::nullopt}));
  EXPECT_FALSE(within_jurisdiction(district, {"/1/3/", std::nullopt}));
  EXPECT_FALSE(within_jurisdiction(district, {"/1/3/9/", std::nullopt}));
  EXPECT_FALSE(within_jurisdiction(district, {"/1/", std::nullopt}));
}

TEST(Jurisdiction, PathPrefixMatchesWholeSegmentsOnly) {
  Principal p = division_user("/1/2/");
  EXPECT_FALSE(within_jurisdiction(p, {"/1/23/", std::nullopt}));
  EXPECT_FALSE(within_jurisdiction(p, {"/1/23/4/", std::nullopt}));
  EXPECT_FALSE(within_jurisdiction(division_user("/1/"), {"/10/", std::nullopt}));
}

TEST(Jurisdiction, VenueBoundUserReachesOnlyItsVenue) {
  Principal staff = venue_user(42);
  EXPECT_TRUE(within_jurisdiction(staff, {"/1/2/", int64_t{42}}));
  EXPECT_FALSE(within_jurisdiction(staff, {"/1/2/", int64_t{43}}));
  EXPECT_FALSE(within_jurisdiction(staff, {"/1/2/", std::nullopt})) << "a division record is not its venue";
  EXPECT_FALSE(within_jurisdiction(staff, {"", std::nullopt}));
}

TEST(Jurisdiction, EmptyPathReachesNothing) {
  Principal nobody = division_user("");
  EXPECT_FALSE(within_jurisdiction(nobody, {"/1/", std::nullopt}));
  EXPECT_FALSE(within_jurisdiction(nobody, {"", std::nullopt}));
  EXPECT_FALSE(within_jurisdiction(nobody, {"/1/2/", int64_t{5}}));
}

TEST(Jurisdiction, RootPathReachesEveryDivision) {
  Principal root = division_user("/");
  EXPECT_TRUE(within_jurisdiction(root, {"/1/", std::nullopt}));
  EXPECT_TRUE(within_jurisdiction(root, {"/9/8/7/", int64_t{3}}));
}

TEST(Jurisdiction, RecordWithEmptyPathIsReachedOnlyByItsVenue) {
  Principal city = division_user("/1/");
  EXPECT_FALSE(within_jurisdiction(city, {"", std::nullopt}));
}

}  // namespace
}  // namespace epinet::domain
