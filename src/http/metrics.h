// Request counts by status and a latency histogram per route, lock-free on
// the request path, rendered in Prometheus text form.
#pragma once
#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace epinet::http {

class Metrics {
 public:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  // One series per label ("GET /api/v1/venues"); call before serving.
  void define(std::vector<std::string> labels);
  // `series` indexes the labels given to define(); out of range is ignored.
  void observe(size_t series, int status, double seconds);
  std::string render() const;

 private:
  struct Series {
    std::string method, route;
    std::atomic<uint64_t> buckets[kBuckets.size() + 1] = {};
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> sum_us{0};
    std::atomic<uint64_t> by_status[500] = {};  // status 100..599
  };
  std::vector<std::unique_ptr<Series>> series_;
};

}  // namespace epinet::http
