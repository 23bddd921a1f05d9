// Use cases. Each takes the caller, checks jurisdiction (the role's
// permission was checked by the router), does its work in one transaction and
// appends to the audit log in that same transaction.
#pragma once
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/config.h"
#include "domain/access/access.h"
#include "store/database.h"
#include "store/people.h"
#include "store/records.h"

namespace epinet::service {

struct Caller {
  domain::Principal who;
  std::string client_addr;
};

// The audit entry audit() appends (for callers that append many at once).
store::AuditEntry audit_entry(const Caller& caller, const std::string& action, const std::string& record_type,
                              const std::string& record_id, const std::string& detail_json = "");
// Appends one audit entry (in the caller's transaction).
void audit(store::Connection& c, const Caller& caller, const std::string& action, const std::string& record_type,
           const std::string& record_id, const std::string& detail_json = "");

// Throws forbidden() when the record lies outside the caller's jurisdiction.
void require_within(const Caller& caller, const domain::Scope& scope);

// The person or division with this id; not_found() when there is none.
store::Person must_find_person(store::Connection& c, int64_t id);
store::Division must_find_division(store::Connection& c, int64_t id);

// ---- accounts
struct LoginResult {
  std::string token;
  Millis expires_at = 0;
  store::User user;
};

// Sessions, login throttling and the token → principal cache.
class AuthService {
 public:
  AuthService(store::Database& db, const Config& config) : db_(db), config_(config) {}

  // Throws Error(kUnauthenticated) on a wrong name or password (the same
  // message for both) and Error(kTooMany) while throttled.
  LoginResult login(const std::string& username, const std::string& password, const std::string& client_addr);
  void logout(const std::string& token, const Caller& caller);
  // The principal behind a token, or nullopt. Cached for a few seconds.
  std::optional<domain::Principal> authenticate(const std::string& token);
  // Drops cached sessions of a user (after disable, role change, password change).
  void forget_user(int64_t user_id);

 private:
  struct Failures {
    int count = 0;
    Millis window_start = 0;
  };
  int retry_after_s(const std::string& key, Millis now);  // REQUIRES: mu_ held
  void note_failure(const std::string& key, Millis now);  // REQUIRES: mu_ held

  store::Database& db_;
  const Config& config_;
  std::mutex mu_;
  std::unordered_map<std::string, Failures> failures_;  // GUARDED_BY(mu_)
  struct Cached {
    domain::Principal who;
    Millis until;
  };
  std::unordered_map<std::string, Cached> cache_;  // GUARDED_BY(mu_), by token hash
  // Bumped by forget_user(): an answer read from the store before a change
  // is not cached after it.
  uint64_t generation_ = 0;  // GUARDED_BY(mu_)
};

domain::Principal principal_of(const store::User& u);
void check_password_policy(const std::string& password);

// ---- places
store::PageOf<store::Division> list_divisions(store::Database& db, const store::DivisionFilter& f,
                                              const store::Page& p);
store::Division get_division(store::Database& db, int64_t id);
struct DivisionInput {
  std::optional<std::string> code;
  std::string name, name_en, level;
  std::optional<int64_t> parent_id;
};
store::Division create_division(store::Database& db, const Caller& caller, const DivisionInput& in);
store::Division rename_division(store::Database& db, const Caller& caller, int64_t id,
                                const std::optional<std::string>& name, const std::optional<std::string>& name_en);
void delete_division(store::Database& db, const Caller& caller, int64_t id);

struct VenuePatch {
  std::optional<std::string> name, type, address;
  std::optional<int64_t> division_id;
  std::optional<std::optional<int64_t>> capacity;  // set to null clears it
  std::optional<std::vector<domain::Entrance>> entrances;
};
store::PageOf<store::Venue> list_venues(store::Database& db, const Caller& caller, store::VenueFilter f,
                                        const store::Page& p);
store::Venue get_venue(store::Database& db, const Caller& caller, int64_t id);
store::Venue create_venue(store::Database& db, const Caller& caller, const VenuePatch& in);
store::Venue update_venue(store::Database& db, const Caller& caller, int64_t id, const VenuePatch& in);
void delete_venue(store::Database& db, const Caller& caller, int64_t id);

// ---- users
struct UserPatch {
  std::optional<std::string> username, display_name, password, role;
  std::optional<std::optional<int64_t>> division_id, venue_id;
  std::optional<bool> disabled;
};
store::PageOf<store::User> list_users(store::Database& db, const Caller& caller, store::UserFilter f,
                                      const store::Page& p);
store::User get_user(store::Database& db, const Caller& caller, int64_t id);
store::User create_user(store::Database& db, const Caller& caller, const UserPatch& in);
store::User update_user(store::Database& db, AuthService& auth, const Caller& caller, int64_t id,
                        const UserPatch& in);

// ---- audit
store::PageOf<store::AuditEntry> list_audit(store::Database& db, const store::AuditFilter& f, const store::Page& p);

// ---- demo city
struct SeedReport {
  int divisions = 0, venues = 0, users = 0, persons = 0;  // created by this run
  std::string password;                      // the demo accounts' password
  bool password_generated = false;
};
// Idempotent: creates what is missing, leaves what exists. Calls progress
// with a short line per stage.
SeedReport seed_demo(store::Database& db, const Config& config);

// The demo residents' identity numbers, in seeding order. They carry 142401,
// Yuci's code before Jinzhong became a prefecture-level city in 1999 (numbers
// issued then keep it), and births before 2000: the simulator issues only
// the present codes of Jinzhong's 11 districts, so `epinet sim --load` never
// generates a number a demo resident holds.
std::vector<std::string> demo_identity_numbers();

}  // namespace epinet::service
