// Request counts and a latency histogram per route, in Prometheus text form.
#pragma once
#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace epinet::http {

class Metrics {
 public:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  void observe(const std::string& route, const std::string& method, int status, double seconds);
  std::string render() const;

 private:
  struct Series {
    std::atomic<uint64_t> buckets[kBuckets.size() + 1] = {};
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> sum_us{0};
    std::map<int, std::atomic<uint64_t>> by_status;  // GUARDED_BY(mu_) for insertion
  };
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Series>> series_;  // key "METHOD route"
};

}  // namespace epinet::http
