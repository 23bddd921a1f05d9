// Early warning as the store keeps it: daily counts and their history,
// imports, signals, alerts with their events, the webhook outbox, and what
// each account has seen. SQL for these tables lives here and nowhere else.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "store/records.h"

namespace epinet::store {

struct District {
  int64_t id = 0;
  std::string code, name, name_en, path;
};
// The districts (level 'district') with a code, by code.
std::vector<District> list_districts(Connection& c);

// ---- counts
struct WarningCount {
  std::string division_code, channel;
  int64_t day = 0;
  std::string source;
  int64_t count = 0;
};
std::optional<int64_t> stored_count(Connection& c, const std::string& division_code, const std::string& channel,
                                    int64_t day, const std::string& source);
// Writes a count (insert or replace) and appends the change to its history.
void put_count(Connection& c, const WarningCount& w, std::optional<int64_t> old_count, const std::string& by,
               std::optional<int64_t> import_id, Millis now);
// Sum over sources per day, days in [from, to], ascending; days without a row absent.
struct DayTotal {
  int64_t day = 0;
  int64_t count = 0;
};
std::vector<DayTotal> day_totals(Connection& c, const std::string& division_code, const std::string& channel,
                                 int64_t from, int64_t to);
// The first day any count of this series was reported, or nullopt.
std::optional<int64_t> first_count_day(Connection& c, const std::string& division_code, const std::string& channel);
struct CountHistory {
  int64_t id = 0;
  std::string division_code, channel;
  int64_t day = 0;
  std::string source;
  std::optional<int64_t> old_count;
  int64_t new_count = 0;
  Millis changed_at = 0;
  std::string changed_by;
  std::optional<int64_t> import_id;
};
std::vector<CountHistory> count_history(Connection& c, const std::string& division_code, const std::string& channel,
                                        std::optional<int64_t> day, int64_t limit);

struct WarningImport {
  int64_t id = 0;
  std::string filename, format, uploaded_by;
  Millis uploaded_at = 0;
  int64_t rows_total = 0, inserted = 0, corrected = 0, unchanged = 0;
};
int64_t insert_import(Connection& c, const WarningImport& w);
void update_import_totals(Connection& c, const WarningImport& w);
std::vector<WarningImport> list_imports(Connection& c, int64_t limit);

// Own records per district and local day, days in [from, to]; `offset_ms` is
// the local time zone's offset from UTC.
struct OwnCount {
  std::string division_code;
  int64_t day = 0;
  int64_t count = 0;
};
// Positive nucleic acid tests by the day of their result, in the person's home district.
std::vector<OwnCount> positive_tests_by_day(Connection& c, int64_t from, int64_t to, int64_t offset_ms);
// Fever handovers opened at hospital entrances (sent to the fever clinic).
std::vector<OwnCount> hospital_fevers_by_day(Connection& c, int64_t from, int64_t to, int64_t offset_ms);
// Check-ins with a temperature at or above `threshold` at any other venue.
std::vector<OwnCount> checkpoint_fevers_by_day(Connection& c, int64_t from, int64_t to, int64_t offset_ms,
                                               double threshold);

// ---- signals
struct WarningSignal {
  int64_t id = 0;
  std::string division_code, channel;
  int64_t day = 0;
  std::string method, methods;
  double observed = 0;
  std::optional<double> upperbound;
  Millis created_at = 0;
  std::optional<int64_t> alert_id;
};
// Inserts the signal unless one exists for the same series and day; returns
// the stored one's id and whether it was new.
std::pair<int64_t, bool> insert_signal(Connection& c, const WarningSignal& s);
std::vector<WarningSignal> list_signals(Connection& c, const std::string& division_code, int64_t from, int64_t to);
void set_signal_alert(Connection& c, int64_t signal_id, int64_t alert_id);

// ---- alerts
struct WarningAlert {
  int64_t id = 0;
  std::string kind, level, division_code, status, title;
  std::string evidence = "[]";  // JSON array
  Millis first_signal_at = 0, created_at = 0;
  std::optional<Millis> verifying_at;
  std::string verifying_by;
  std::optional<Millis> closed_at;
  std::string closed_by, response_owner, response_note, dismiss_reason;
  std::optional<int64_t> window_to_day;
};
int64_t insert_alert(Connection& c, const WarningAlert& a, Millis now);
std::optional<WarningAlert> find_alert(Connection& c, int64_t id);
struct AlertFilter {
  std::vector<std::string> division_codes;  // empty: none visible
  std::string status;                       // "" any, "open" new|verifying, or a status
  std::optional<Millis> since;
};
PageOf<WarningAlert> list_alerts(Connection& c, const AlertFilter& f, const Page& p);
// The open multi-point alert of a district, if any.
std::optional<WarningAlert> open_multi_point(Connection& c, const std::string& division_code);
void update_alert(Connection& c, const WarningAlert& a, Millis now);
int64_t count_alerts_since(Connection& c, const std::vector<std::string>& division_codes, Millis since);

struct AlertEvent {
  int64_t id = 0;
  int64_t alert_id = 0;
  Millis at = 0;
  std::string actor, action, from_status, to_status, note;
};
void insert_alert_event(Connection& c, const AlertEvent& e);
std::vector<AlertEvent> list_alert_events(Connection& c, int64_t alert_id);

// ---- webhook outbox
struct OutboxItem {
  int64_t id = 0;
  int64_t alert_id = 0;
  std::string event, payload;
  int64_t attempts = 0;
  Millis next_attempt_at = 0;
  std::optional<Millis> delivered_at;
  std::string last_error;
};
void insert_outbox(Connection& c, const OutboxItem& o, Millis now);
std::vector<OutboxItem> due_outbox(Connection& c, Millis now, int64_t limit);
std::optional<Millis> next_outbox_due(Connection& c);
void mark_outbox(Connection& c, int64_t id, bool delivered, int64_t attempts, Millis next_attempt_at,
                 const std::string& error, Millis now);
std::vector<OutboxItem> list_outbox(Connection& c, int64_t alert_id);

// ---- what an account has seen
std::optional<Millis> seen_at(Connection& c, int64_t user_id);
void set_seen_at(Connection& c, int64_t user_id, Millis at);

}  // namespace epinet::store
