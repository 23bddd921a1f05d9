#include "http/metrics.h"

#include <fmt/format.h>

namespace epinet::http {

void Metrics::define(std::vector<std::string> labels) {
  series_.clear();
  for (auto& l : labels) {
    auto s = std::make_unique<Series>();
    auto sp = l.find(' ');
    s->method = l.substr(0, sp);
    s->route = sp == std::string::npos ? "" : l.substr(sp + 1);
    series_.push_back(std::move(s));
  }
}

void Metrics::observe(size_t series, int status, double seconds) {
  if (series >= series_.size()) return;
  Series& s = *series_[series];
  size_t i = 0;
  while (i < kBuckets.size() && seconds > kBuckets[i]) ++i;
  s.buckets[i].fetch_add(1, std::memory_order_relaxed);
  s.count.fetch_add(1, std::memory_order_relaxed);
  s.sum_us.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
  if (status >= 100 && status < 600) s.by_status[status - 100].fetch_add(1, std::memory_order_relaxed);
}

std::string Metrics::render() const {
  std::string out =
      "# HELP epinet_http_requests_total HTTP requests by route, method and status.\n"
      "# TYPE epinet_http_requests_total counter\n";
  auto labels = [](const Series& s) { return fmt::format("method=\"{}\",route=\"{}\"", s.method, s.route); };
  for (const auto& s : series_)
    for (int st = 0; st < 500; ++st)
      if (uint64_t n = s->by_status[st].load(std::memory_order_relaxed))
        out += fmt::format("epinet_http_requests_total{{{},status=\"{}\"}} {}\n", labels(*s), st + 100, n);
  out +=
      "# HELP epinet_http_request_duration_seconds Time from request read to response written.\n"
      "# TYPE epinet_http_request_duration_seconds histogram\n";
  for (const auto& s : series_) {
    if (s->count.load() == 0) continue;
    uint64_t cum = 0;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      cum += s->buckets[i].load();
      out += fmt::format("epinet_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n", labels(*s), kBuckets[i], cum);
    }
    cum += s->buckets[kBuckets.size()].load();
    out += fmt::format("epinet_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n", labels(*s), cum);
    out += fmt::format("epinet_http_request_duration_seconds_sum{{{}}} {:.6f}\n", labels(*s), s->sum_us.load() / 1e6);
    out += fmt::format("epinet_http_request_duration_seconds_count{{{}}} {}\n", labels(*s), s->count.load());
  }
  return out;
}

}  // namespace epinet::http
