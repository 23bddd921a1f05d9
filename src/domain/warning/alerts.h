// The rules of multi-point triggered early warning as pure values: the
// channels, the rows of an import, how a correction changes a count, when
// signals escalate into one multi-point alert, how an alert moves through its
// lifecycle, and when a webhook delivery is tried again.
#pragma once
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace epinet::domain::warning {

// ---- channels
enum class Channel { kFeverClinic, kPharmacy, kCheckpointFever, kPositiveTests, kMonitoringFever, kAbsence };
const std::vector<Channel>& all_channels();
std::optional<Channel> parse_channel(std::string_view name);  // "fever_clinic", …
std::string_view channel_name(Channel c);

// ---- imports
// One row of an import (date, division_code, channel, count[, source]).
struct CountRow {
  int line = 0;
  std::string division_code;
  Channel channel = Channel::kPharmacy;
  int32_t day = 0;  // days since 1970-01-01
  int64_t count = 0;
  std::string source;
};
struct RowError {
  int line = 0;
  std::string message;
};
struct ParsedImport {
  std::vector<CountRow> rows;
  std::vector<RowError> errors;  // non-empty: nothing may be imported
};
// Reads the cells of an import. `header` names the columns (date, division_code,
// channel, count, source; Chinese names accepted); `districts` are the codes
// that may appear; `today` is the last day a count may be for. A row is an
// error when a cell is missing or malformed, the district unknown, the day in
// the future, or the same (district, channel, day, source) appears twice.
// `default_source` fills an empty source cell.
struct ImportCells {
  int line = 0;
  std::vector<std::string> cells;
};
ParsedImport parse_import(const std::vector<std::string>& header, const std::vector<ImportCells>& rows,
                          const std::set<std::string>& districts, int32_t today, const std::string& default_source);
// "YYYY-MM-DD", "YYYY/MM/DD" or "YYYY-MM-DDT…" → days since 1970-01-01.
std::optional<int32_t> parse_day(std::string_view s);
std::string format_day(int32_t day);

// What writing a count does to the stored value.
enum class CountChange { kInsert, kCorrect, kUnchanged };
CountChange change_of(std::optional<int64_t> stored, int64_t reported);

// ---- escalation
// A signal: a detector's alarm (or a trigger) on one channel of one district on one day.
struct SignalRef {
  int64_t id = 0;
  Channel channel = Channel::kPharmacy;
  int32_t day = 0;
};
struct EscalationRule {
  int window_days = 3;   // signals whose days lie within this many days of each other (inclusive span)
  int min_channels = 2;  // distinct channels needed
};
// The signals of one district that escalate together with the newest signal
// day `day`: those in [day - window_days + 1, day], when they cover at least
// min_channels distinct channels; empty otherwise. Signals after `day` are ignored.
std::vector<SignalRef> escalation_evidence(const std::vector<SignalRef>& district_signals, int32_t day,
                                           const EscalationRule& rule);

// ---- lifecycle
enum class AlertStatus { kNew, kVerifying, kConfirmed, kDismissed };
enum class AlertAction { kVerify, kConfirm, kDismiss };
std::optional<AlertStatus> parse_status(std::string_view s);
std::string_view status_name(AlertStatus s);
std::optional<AlertAction> parse_action(std::string_view s);
std::string_view action_name(AlertAction a);
// new → verifying (verify); verifying → confirmed (confirm: a response with
// an owner is opened) or dismissed (dismiss: with a reason). Anything else is
// not a transition (nullopt).
std::optional<AlertStatus> transition(AlertStatus from, AlertAction action);
bool is_open(AlertStatus s);

// ---- webhook
// Milliseconds to wait before attempt number `attempts + 1` after `attempts`
// failed ones: base × 2^(attempts-1), at most `cap_ms`.
int64_t retry_delay_ms(int attempts, int64_t base_ms, int64_t cap_ms);

}  // namespace epinet::domain::warning
