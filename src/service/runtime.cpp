#include "service/runtime.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <cstring>
#include <fstream>

#include "core/error.h"
#include "service/checkpoints.h"
#include "service/management.h"
#include "service/push_lists.h"
#include "service/services.h"
#include "service/warning.h"
#include "service/tracing.h"

namespace epinet::service {
namespace json = boost::json;

int64_t IdGenerator::next(Millis now) {
  constexpr Millis kEpoch = 1577836800000;  // 2020-01-01T00:00:00Z
  std::lock_guard lock(mu_);
  if (now < last_) now = last_;  // the clock stepped back: keep ids increasing
  if (now == last_) {
    if (++seq_ == 4096) {  // 4096 ids in one millisecond: borrow the next one
      ++now;
      seq_ = 0;
    }
  } else {
    seq_ = 0;
  }
  last_ = now;
  return ((now - kEpoch) << 22) | (static_cast<int64_t>(node_) << 12) | seq_;
}

uint64_t IssuedTokens::digest(const std::string& token) const {
  unsigned char out[crypto_shorthash_BYTES];
  crypto_shorthash(out, reinterpret_cast<const unsigned char*>(token.data()), token.size(),
                   reinterpret_cast<const unsigned char*>(key_.data()));
  uint64_t v;
  std::memcpy(&v, out, sizeof v);
  return v;
}

void IssuedTokens::remember(const std::string& token, std::shared_ptr<const IssuedCode> code) {
  uint64_t d = digest(token);
  auto& s = shards_[d % kShards];
  std::lock_guard lock(s.mu);
  s.codes[d] = std::move(code);
}

std::shared_ptr<const IssuedCode> IssuedTokens::find(const std::string& token) const {
  uint64_t d = digest(token);
  const auto& s = shards_[d % kShards];
  std::lock_guard lock(s.mu);
  auto it = s.codes.find(d);
  return it == s.codes.end() ? nullptr : it->second;
}

void IssuedTokens::purge(int64_t now_s) {
  for (auto& s : shards_) {
    std::lock_guard lock(s.mu);
    std::erase_if(s.codes, [&](const auto& kv) { return kv.second->expires_at <= now_s; });
  }
}

size_t IssuedTokens::size() const {
  size_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard lock(s.mu);
    n += s.codes.size();
  }
  return n;
}

std::shared_ptr<const VenueInfo> VenueCache::get(store::Database& db, int64_t id, double fever_threshold_c) {
  {
    std::shared_lock lock(mu_);
    auto it = venues_.find(id);
    if (it != venues_.end()) return it->second;
  }
  std::optional<store::Venue> v;
  db.read([&](store::Connection& c) { v = store::find_venue(c, id); });
  if (!v) return nullptr;
  auto info = std::make_shared<VenueInfo>();
  info->id = v->id;
  info->name = v->name;
  info->type = v->type;
  info->division_path = v->division_path;
  info->entrances = v->entrances;
  info->policy = {v->stop_on_yellow, v->stop_on_travel_flag, fever_threshold_c};
  std::unique_lock lock(mu_);
  venues_[id] = info;
  return info;
}

void VenueCache::invalidate(int64_t id) {
  std::unique_lock lock(mu_);
  venues_.erase(id);
}

CheckinWriter::CheckinWriter(store::Database& db, int batch_max)
    : db_(db), batch_max_(batch_max), thread_([this] { run(); }) {}

CheckinWriter::~CheckinWriter() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void CheckinWriter::submit(Item item) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(item));
  }
  cv_.notify_one();
}

void CheckinWriter::run() {
  std::vector<Item> batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything was written
      size_t n = std::min(queue_.size(), static_cast<size_t>(batch_max_));
      for (size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    bool ok = true;
    try {
      db_.write([&](store::Connection& c) {
        for (const auto& it : batch) {
          if (it.close_stay && it.checkin.person_id)
            store::close_stay(c, it.checkin.venue_id, *it.checkin.person_id, it.checkin.at);
          store::insert_checkin(c, it.checkin);
          if (it.handover) store::insert_handover(c, *it.handover);
        }
      });
    } catch (const std::exception& e) {
      ok = false;
      spdlog::error(R"({{"type":"checkin_batch_failed","items":{},"error":{}}})", batch.size(),
                    json::serialize(json::string(e.what())));
    }
    if (ok) {
      batches_.fetch_add(1);
      committed_.fetch_add(batch.size());
    }
    for (auto& it : batch) it.done(ok);
    if (ok && after_commit) after_commit(batch);
    batch.clear();
  }
}

namespace {
domain::RuleSet load_rules(const Config& config) {
  if (config.health_code_rules.empty()) return domain::default_rule_set();
  std::ifstream in(config.health_code_rules);
  if (!in) throw invalid("invalid_setting", "cannot read EPINET_HEALTH_CODE_RULES file " + config.health_code_rules);
  return domain::parse_rule_set(std::string(std::istreambuf_iterator<char>(in), {}));
}
}  // namespace

Runtime::Runtime(store::Database& d, const Config& c)
    : db(d),
      config(c),
      keys(load_keys(c.data_dir)),
      rules(load_rules(c)),
      step_down{c.risk_high_to_medium_days, c.risk_medium_to_low_days, c.risk_from_high_to_low_days},
      issued(keys.token_digest_key),
      ids(c.node_id),
      writer(d, c.commit_batch_max) {
  configure_management(*this);
}

Runtime::~Runtime() {
  {
    std::lock_guard lock(jobs_mu_);
    jobs_stop_ = true;
  }
  jobs_cv_.notify_all();
  if (jobs_.joinable()) jobs_.join();
  forget_management_runtime(*this);
  tracing.reset();
  warning.reset();
}

void Runtime::start_jobs() {
  warning = std::make_unique<WarningWorker>(*this);
  if (tracing) tracing->start();
  jobs_ = std::thread([this] {
    std::unique_lock lock(jobs_mu_);
    while (!jobs_stop_) {
      lock.unlock();
      try {
        run_jobs_once(now_ms());
      } catch (const std::exception& e) {
        spdlog::error(R"({{"type":"jobs_failed","error":{}}})", json::serialize(json::string(e.what())));
      }
      lock.lock();
      jobs_cv_.wait_for(lock, std::chrono::seconds(config.jobs_interval_s), [&] { return jobs_stop_; });
    }
  });
}

void Runtime::run_jobs_once(Millis now) {
  apply_step_downs(db, step_down, now);
  Millis cutoff = now - static_cast<Millis>(config.retention_days) * 24 * 3600 * 1000;
  db.write([&](store::Connection& c) {
    int64_t purged = store::purge_checkins(c, cutoff);
    if (int64_t trips = store::purge_trips(c, cutoff); trips > 0) {  // coach manifests, like check-ins
      Caller system{{}, "local"};
      system.who.username = "epinet retention";
      audit(c, system, "retention.purge", "trip", "", json::serialize(json::object{{"rows", trips}, {"before", iso8601(cutoff)}}));
    }
    if (purged > 0) {
      Caller system{{}, "local"};
      system.who.username = "epinet retention";
      audit(c, system, "retention.purge", "checkin", "",
            json::serialize(json::object{{"rows", purged}, {"before", iso8601(cutoff)}, {"retention_days", config.retention_days}}));
      spdlog::info(R"({{"type":"retention_purge","rows":{},"before":"{}"}})", purged, iso8601(cutoff));
    }
  });
  if (tracing) tracing->on_purge(cutoff);
  warning_jobs(*this, now);
  sweep_management(*this, now);  // overdue steps and tests, missing health reports
  remind_overdue_push_items(db, now);  // pushed-list items past their deadline: on the workers' to-do
  issued.purge(now / 1000);
  std::lock_guard lock(changes_mu_);
  std::erase_if(changes_, [&](const auto& kv) { return kv.second < now - config.code_ttl_s * 1000LL - 60000; });
}

void Runtime::note_state_change(int64_t person_id, Millis at) {
  std::lock_guard lock(changes_mu_);
  changes_[person_id] = at;
}

bool Runtime::begin_client_scan(const std::string& key) {
  std::lock_guard lock(client_scans_mu_);
  return client_scans_.emplace(key, true).second;
}

void Runtime::end_client_scan(const std::string& key) {
  std::lock_guard lock(client_scans_mu_);
  client_scans_.erase(key);
}

bool Runtime::changed_since(int64_t person_id, Millis since) const {
  std::lock_guard lock(changes_mu_);
  auto it = changes_.find(person_id);
  return it != changes_.end() && it->second >= since;
}

}  // namespace epinet::service
