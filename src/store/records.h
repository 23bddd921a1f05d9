// Records as the store keeps them, and the repositories that read and write
// them. SQL lives here and nowhere else.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"
#include "domain/places/places.h"
#include "store/database.h"

namespace epinet::store {

// LIKE patterns with ESCAPE '\\': "%q%" (contains) and "p%" (starts with), the
// pattern characters in the text escaped.
std::string like_pattern(const std::string& q);
std::string prefix_pattern(const std::string& p);

// Many rows in few statements: `head` + `row` repeated (joined by ", ") +
// `tail`, `columns` values a row taken in order from `values`. At most 128
// rows a statement, the rest in powers of two, so a connection prepares few
// distinct statements however many rows come. Returns what RETURNING gave.
std::vector<std::vector<Value>> insert_rows(Connection& c, std::string_view head, std::string_view row,
                                            std::string_view tail, size_t columns, const std::vector<Value>& values);
// Runs `sql_before_list` + "(?, ?, …)" + `sql_after` for ids in chunks of at
// most 256 (powers of two for the rest); returns every row. `params` bind the
// placeholders of `sql_before_list`, the ids those of the list: `sql_after`
// takes none.
std::vector<std::vector<Value>> query_in(Connection& c, std::string_view sql_before_list, std::string_view sql_after,
                                         const std::vector<Value>& params, const std::vector<int64_t>& ids);

struct Page {
  int64_t page = 1;
  int64_t page_size = 50;
  int64_t offset() const { return (page - 1) * page_size; }
};

template <class T>
struct PageOf {
  std::vector<T> items;
  int64_t total = 0;
};

// ---- divisions
struct Division {
  int64_t id = 0;
  std::optional<std::string> code;
  std::string name;
  std::string name_en;
  std::string level;
  std::optional<int64_t> parent_id;
  std::string path;
};
struct DivisionFilter {
  std::optional<int64_t> parent_id;
  bool roots_only = false;
  std::string level;
  std::string q;  // substring of name, English name or code
};
int64_t insert_division(Connection& c, const Division& d, Millis now);  // sets path from the parent
std::optional<Division> find_division(Connection& c, int64_t id);
std::optional<Division> find_division_by_code(Connection& c, const std::string& code);
PageOf<Division> list_divisions(Connection& c, const DivisionFilter& f, const Page& p);
void update_division_names(Connection& c, int64_t id, const std::string& name, const std::string& name_en, Millis now);
// Counts what still refers to a division (children, venues, users).
int64_t division_references(Connection& c, int64_t id);
void delete_division(Connection& c, int64_t id);

// ---- venues
struct Venue {
  int64_t id = 0;
  std::string name;
  std::string type;
  std::string address;
  int64_t division_id = 0;
  std::string division_name;  // read only
  std::string division_path;
  std::optional<int64_t> capacity;
  std::vector<domain::Entrance> entrances;
  Millis created_at = 0;
  // Policy at the doors and the board's notices (read only here; set by
  // the venue-policy use case).
  bool stop_on_yellow = true, stop_on_travel_flag = true;
  std::string notices;
};
struct VenueFilter {
  std::optional<int64_t> division_id;  // in this division's subtree
  std::string type;
  std::string q;
  // Jurisdiction: only venues under this path, or only this venue.
  std::string within_path;
  std::optional<int64_t> only_venue;
};
int64_t insert_venue(Connection& c, const Venue& v, Millis now);
std::optional<Venue> find_venue(Connection& c, int64_t id);
PageOf<Venue> list_venues(Connection& c, const VenueFilter& f, const Page& p);
void update_venue(Connection& c, const Venue& v, Millis now);
int64_t venue_references(Connection& c, int64_t id);
void delete_venue(Connection& c, int64_t id);

// ---- users and sessions
struct User {
  int64_t id = 0;
  std::string username;
  std::string display_name;
  std::string password_hash;
  std::string role;
  std::optional<int64_t> division_id;
  std::optional<int64_t> venue_id;
  bool disabled = false;
  Millis created_at = 0;
  // Read only: the jurisdiction's names and path.
  std::string division_name;
  std::string division_path;
  std::string venue_name;
  std::string venue_division_path;
};
struct UserFilter {
  std::string role;
  std::string q;
  std::string within_path;  // users whose jurisdiction lies under this path
};
int64_t insert_user(Connection& c, const User& u, Millis now);
std::optional<User> find_user(Connection& c, int64_t id);
std::optional<User> find_user_by_username(Connection& c, const std::string& username);
PageOf<User> list_users(Connection& c, const UserFilter& f, const Page& p);
void update_user(Connection& c, const User& u, Millis now);  // all fields incl. password_hash

void insert_session(Connection& c, const std::string& token_hash, int64_t user_id, Millis now, Millis expires,
                    const std::string& client_addr);
// The session's user when the session exists and has not expired.
std::optional<User> find_session_user(Connection& c, const std::string& token_hash, Millis now);
void delete_session(Connection& c, const std::string& token_hash);
void delete_sessions_of(Connection& c, int64_t user_id);
int64_t purge_expired_sessions(Connection& c, Millis now);

// ---- audit
struct AuditEntry {
  int64_t id = 0;
  Millis at = 0;
  std::optional<int64_t> actor_id;
  std::string actor_username;
  std::string action;
  std::string record_type;
  std::string record_id;
  std::string client_addr;
  std::string detail;  // JSON text
};
struct AuditFilter {
  std::string actor;  // username
  std::string action;
  std::string record_type;
  std::optional<Millis> since, until;
};
void append_audit(Connection& c, const AuditEntry& e);
void append_audits(Connection& c, const std::vector<AuditEntry>& es);
PageOf<AuditEntry> list_audit(Connection& c, const AuditFilter& f, const Page& p);

}  // namespace epinet::store
