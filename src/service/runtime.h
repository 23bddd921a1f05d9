// Long-lived state of a running server beyond the store: keys, the tokens it
// issued, the venue cache, the check-in writer (group commit) and the
// background jobs. Built once by `epinet serve`.
#pragma once
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include "core/config.h"
#include "domain/checkpoint/decision.h"
#include "domain/healthcode/rules.h"
#include "domain/places/places.h"
#include "domain/riskarea/riskarea.h"
#include "service/keys.h"
#include "store/database.h"
#include "store/people.h"

namespace epinet::service {

class WarningWorker;  // service/warning.h
class TracingService;  // service/tracing.h

// Time-ordered ids unique across servers: milliseconds since 2020 (41 bits),
// node (10 bits), sequence (12 bits).
class IdGenerator {
 public:
  explicit IdGenerator(int node) : node_(node) {}
  int64_t next(Millis now);

 private:
  std::mutex mu_;
  int node_;
  Millis last_ = 0;  // GUARDED_BY(mu_)
  int seq_ = 0;      // GUARDED_BY(mu_)
};

// What this server knew when it issued a token: a scan of that token needs no
// signature check and no database read (unless the person's state changed).
struct IssuedCode {
  int64_t person_id = 0;
  domain::CodeColor color = domain::CodeColor::kGreen;
  std::vector<domain::Reason> reasons;
  bool travel_flag = false;
  int64_t issued_at = 0, expires_at = 0;  // Unix seconds
  std::string rule_set_version;
};

class IssuedTokens {
 public:
  explicit IssuedTokens(const std::string& digest_key) : key_(digest_key) {}
  void remember(const std::string& token, std::shared_ptr<const IssuedCode> code);
  std::shared_ptr<const IssuedCode> find(const std::string& token) const;
  void purge(int64_t now_s);
  size_t size() const;

 private:
  uint64_t digest(const std::string& token) const;
  static constexpr size_t kShards = 16;
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<uint64_t, std::shared_ptr<const IssuedCode>> codes;
  };
  std::string key_;
  Shard shards_[kShards];
};

struct VenueInfo {
  int64_t id = 0;
  std::string name, type, division_path;
  std::vector<domain::Entrance> entrances;
  domain::VenuePolicy policy;
};

class VenueCache {
 public:
  std::shared_ptr<const VenueInfo> get(store::Database& db, int64_t id, double fever_threshold_c);
  void invalidate(int64_t id);

 private:
  std::shared_mutex mu_;
  std::unordered_map<int64_t, std::shared_ptr<const VenueInfo>> venues_;
};

// Group commit for check-ins: callers queue; one writer thread commits the
// whole queue in one transaction and then tells every caller. Nothing is
// acknowledged before its transaction committed.
class CheckinWriter {
 public:
  struct Item {
    store::Checkin checkin;
    std::optional<store::FeverHandover> handover;
    bool close_stay = false;
    std::function<void(bool ok)> done;  // called on the writer thread
  };
  CheckinWriter(store::Database& db, int batch_max);
  ~CheckinWriter();
  void submit(Item item);
  uint64_t batches() const { return batches_.load(); }
  // Called on the writer thread with every committed batch, after the callers
  // were answered (the trace index follows the check-ins). Set before the
  // first submit.
  std::function<void(const std::vector<Item>&)> after_commit;
  uint64_t committed() const { return committed_.load(); }

 private:
  void run();
  store::Database& db_;
  int batch_max_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;  // GUARDED_BY(mu_)
  bool stop_ = false;       // GUARDED_BY(mu_)
  std::atomic<uint64_t> batches_{0}, committed_{0};
  std::thread thread_;
};

class Runtime {
 public:
  Runtime(store::Database& db, const Config& config);
  ~Runtime();
  // Starts the periodic jobs (risk-area step-down, retention, token purge).
  void start_jobs();
  // One round of the jobs (also for tests and the CLI).
  void run_jobs_once(Millis now);

  store::Database& db;
  const Config& config;
  KeyRing keys;
  domain::RuleSet rules;
  domain::StepDownRules step_down;
  IssuedTokens issued;
  VenueCache venues;
  IdGenerator ids;
  CheckinWriter writer;
  // Early warning's background side (triggers, webhooks); set by start_jobs.
  std::unique_ptr<WarningWorker> warning;
  // Contact tracing's index and jobs; set by `epinet serve` (register_tracing_routes).
  std::unique_ptr<TracingService> tracing;

  // Persons whose state changed in this process, and when: a token issued
  // before that is re-evaluated at a scan.
  void note_state_change(int64_t person_id, Millis at);
  bool changed_since(int64_t person_id, Millis since) const;

  // Scans with a client id that are being recorded right now ("venue:id").
  bool begin_client_scan(const std::string& key);  // false when it is in flight already
  void end_client_scan(const std::string& key);

 private:
  mutable std::mutex changes_mu_;
  std::unordered_map<int64_t, Millis> changes_;  // GUARDED_BY(changes_mu_)
  std::mutex client_scans_mu_;
  std::unordered_map<std::string, bool> client_scans_;  // GUARDED_BY(client_scans_mu_)
  std::mutex jobs_mu_;
  std::condition_variable jobs_cv_;
  bool jobs_stop_ = false;  // GUARDED_BY(jobs_mu_)
  std::thread jobs_;
};

}  // namespace epinet::service
