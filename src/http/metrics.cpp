#include "http/metrics.h"

#include <fmt/format.h>

namespace epinet::http {

void Metrics::observe(const std::string& route, const std::string& method, int status, double seconds) {
  std::string key = method + " " + route;
  std::lock_guard lock(mu_);
  auto& s = series_[key];
  if (!s) s = std::make_unique<Series>();
  size_t i = 0;
  while (i < kBuckets.size() && seconds > kBuckets[i]) ++i;
  s->buckets[i].fetch_add(1, std::memory_order_relaxed);
  s->count.fetch_add(1, std::memory_order_relaxed);
  s->sum_us.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
  s->by_status[status].fetch_add(1, std::memory_order_relaxed);
}

std::string Metrics::render() const {
  std::string out =
      "# HELP epinet_http_requests_total HTTP requests by route, method and status.\n"
      "# TYPE epinet_http_requests_total counter\n";
  std::lock_guard lock(mu_);
  auto labels = [](const std::string& key) {
    auto sp = key.find(' ');
    return fmt::format("method=\"{}\",route=\"{}\"", key.substr(0, sp), key.substr(sp + 1));
  };
  for (const auto& [key, s] : series_)
    for (const auto& [status, n] : s->by_status)
      out += fmt::format("epinet_http_requests_total{{{},status=\"{}\"}} {}\n", labels(key), status, n.load());
  out +=
      "# HELP epinet_http_request_duration_seconds Time from request read to response written.\n"
      "# TYPE epinet_http_request_duration_seconds histogram\n";
  for (const auto& [key, s] : series_) {
    uint64_t cum = 0;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      cum += s->buckets[i].load();
      out += fmt::format("epinet_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n", labels(key), kBuckets[i], cum);
    }
    cum += s->buckets[kBuckets.size()].load();
    out += fmt::format("epinet_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n", labels(key), cum);
    out += fmt::format("epinet_http_request_duration_seconds_sum{{{}}} {:.6f}\n", labels(key), s->sum_us.load() / 1e6);
    out += fmt::format("epinet_http_request_duration_seconds_count{{{}}} {}\n", labels(key), s->count.load());
  }
  return out;
}

}  // namespace epinet::http
