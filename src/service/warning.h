// Use cases of multi-point triggered early warning: daily series per district
// and channel (own records rolled up, imports with corrections), their
// evaluation by the detectors of domain/warning, triggers, escalation into
// multi-point alerts, the alert lifecycle and webhook notifications.
#pragma once
#include <boost/json/object.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "domain/warning/alerts.h"
#include "domain/warning/detect.h"
#include "service/runtime.h"
#include "service/services.h"
#include "store/warning.h"

namespace epinet::service {

// Settings (config/epinet.defaults.env, EPINET_WARNING_*). Throws
// Error(kInvalid, "invalid_setting") naming the setting when one is malformed.
struct WarningSettings {
  std::map<domain::warning::Channel, std::vector<domain::warning::DetectSettings>> methods;
  int history_days = 1095;  // days of each series the detectors see
  int evaluate_days = 7;    // the last days whose alarms become signals at each run
  domain::warning::EscalationRule rule;
  std::string webhook_url;
  int64_t webhook_retry_ms = 30000, webhook_retry_max_ms = 3600000;
  int webhook_timeout_s = 10;
};
WarningSettings warning_settings(const Config& config);

// A signal as the API, the evidence of an alert and the webhook show it.
boost::json::object signal_json(const store::WarningSignal& s);
// An alert likewise (evidence parsed, the time from signal to verification in seconds).
boost::json::object alert_json(const store::WarningAlert& a);

// ---- series
// The districts the caller may see (all of them for the city's command center).
std::vector<store::District> visible_districts(Runtime& rt, const Caller& caller);

struct SeriesPoint {
  int32_t day = 0;
  double observed = 0;
  std::map<std::string, double> upperbound;  // method → bound (NaN when not evaluated)
  std::map<std::string, bool> alarm;
};
struct SeriesView {
  std::string division_code, district_name, channel;
  std::vector<std::string> methods;
  std::vector<SeriesPoint> points;
  std::vector<store::WarningSignal> signals;
};
SeriesView series_view(Runtime& rt, const Caller& caller, const std::string& division_code, const std::string& channel,
                       int days);

// ---- imports and corrections
struct CountImport {
  int64_t import_id = 0;
  int64_t rows = 0, inserted = 0, corrected = 0, unchanged = 0;
  std::vector<domain::warning::RowError> errors;  // non-empty: nothing was written
  std::vector<store::WarningSignal> new_signals;
  std::vector<int64_t> alerts;  // multi-point alerts created or extended
};
// Reads the file through read_table_file (CSV or XLSX), checks every row,
// writes all of them or none, records each change in the history, then
// re-evaluates the affected series.
CountImport import_counts(Runtime& rt, const Caller& caller, const std::string& filename, const std::string& bytes);
std::vector<store::CountHistory> count_history(Runtime& rt, const Caller& caller, const std::string& division_code,
                                               const std::string& channel, std::optional<int32_t> day);

// ---- evaluation
struct EvaluationReport {
  int series = 0;
  std::vector<store::WarningSignal> new_signals;
  std::vector<int64_t> alerts;
};
// Rolls epinet's own records up into daily counts (the last `own_days`
// days), evaluates every district × channel (or only `only`), stores new
// signals and escalates. `by` names who asked (audit).
EvaluationReport evaluate_all(Runtime& rt, const Caller& caller, Millis now,
                              std::optional<std::pair<std::string, std::string>> only = std::nullopt);
// The daily run, from the runtime's jobs thread: once per local day.
void warning_jobs(Runtime& rt, Millis now);

// ---- triggers (after the record's commit)
void on_positive_test(Runtime& rt, int64_t test_id, int64_t person_id);
void on_fever_handover(Runtime& rt, int64_t venue_id, int64_t handover_id);
// The hooks the checkpoint use cases call after their commit: never throw
// (a failure is logged; the record stands). The handover's alert is raised
// on the warning worker's thread, off the check-in writer.
void warning_positive_test(Runtime& rt, int64_t test_id, int64_t person_id) noexcept;
void warning_fever_handover(Runtime& rt, int64_t venue_id, int64_t handover_id) noexcept;

// ---- alerts
struct AlertView {
  store::WarningAlert alert;
  std::string district_name;
  std::vector<store::AlertEvent> events;
  std::vector<store::OutboxItem> deliveries;
};
store::PageOf<store::WarningAlert> list_alerts(Runtime& rt, const Caller& caller, const std::string& status,
                                               const store::Page& p);
AlertView get_alert(Runtime& rt, const Caller& caller, int64_t id);
struct AlertActionInput {
  std::string action;  // verify | confirm | dismiss
  std::string owner;   // confirm: who owns the response
  std::string note;
  std::string reason;  // dismiss
};
// Throws conflict("invalid_transition") when the alert's status does not allow
// the action; nothing changes then.
AlertView act_on_alert(Runtime& rt, const Caller& caller, int64_t id, const AlertActionInput& in);

struct Overview {
  struct DistrictState {
    store::District district;
    std::string level;  // red | orange | yellow | green
    int64_t open_alerts = 0, signals = 0;
  };
  std::vector<DistrictState> districts;
  std::vector<store::WarningAlert> today;  // alerts created today or still open, open first
  int64_t verified = 0;                    // alerts verified in the last 30 days
  double mean_verify_s = 0;                // their mean time from first signal to verification
  std::optional<double> median_verify_s;
};
Overview overview(Runtime& rt, const Caller& caller, Millis now);

struct Unread {
  int64_t unread = 0;
  std::vector<store::WarningAlert> latest;
};
Unread unread_alerts(Runtime& rt, const Caller& caller);
void mark_alerts_seen(Runtime& rt, const Caller& caller);

// ---- webhook
// Delivers what is due in the outbox (one POST per item); returns when the
// next undelivered item is due, if any.
std::optional<Millis> deliver_webhooks(Runtime& rt, Millis now);

// The background side of early warning: triggers posted from other threads
// (a fever handover from the check-in writer) and webhook delivery with
// backoff. Started by Runtime::start_jobs.
class WarningWorker {
 public:
  explicit WarningWorker(Runtime& rt);
  ~WarningWorker();
  void post(std::function<void()> task);
  void wake();  // something new may be in the outbox

 private:
  void run();
  Runtime& rt_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;  // GUARDED_BY(mu_)
  bool stop_ = false, woken_ = false;        // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace epinet::service
