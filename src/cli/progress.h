// The progress bar of the long commands (sim, trace): one line on stderr.
#pragma once
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>

namespace epinet::cli {

// "1:02:03" or "2:03"; "--:--" when not known.
inline std::string clock_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  long s = std::lround(seconds);
  char b[32];
  if (s >= 3600)
    std::snprintf(b, sizeof b, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(b, sizeof b, "%ld:%02ld", s / 60, s % 60);
  return b;
}

// A one-line progress bar on stderr: percent, rate, ETA. Redrawn at most ten
// times a second; drawn only on a terminal unless forced.
class Bar {
 public:
  explicit Bar(bool enabled) : enabled_(enabled), start_(std::chrono::steady_clock::now()) {}
  double elapsed() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }
  // fraction in [0, 1]; `what` is the phase; `rate` e.g. "6.1 M check-ins/s".
  void draw(double fraction, const std::string& what, const std::string& rate = "", bool force = false) {
    if (!enabled_) return;
    double now = elapsed();
    if (!force && now - last_ < 0.1) return;
    last_ = now;
    fraction = std::clamp(fraction, 0.0, 1.0);
    constexpr int kWidth = 28;
    int full = static_cast<int>(fraction * kWidth);
    std::string bar;
    for (int i = 0; i < kWidth; ++i) bar += i < full ? "█" : "░";
    double eta = fraction > 0.01 ? now * (1 - fraction) / fraction : NAN;
    char b[256];
    std::snprintf(b, sizeof b, "\r%s %3.0f%%  %-28s %-22s ETA %s ", bar.c_str(), fraction * 100, what.c_str(),
                  rate.c_str(), clock_text(eta).c_str());
    std::cerr << b << std::flush;
    drawn_ = true;
  }
  void clear() {
    if (drawn_) std::cerr << "\r\033[K" << std::flush;
    drawn_ = false;
  }

 private:
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
  double last_ = -1;
  bool drawn_ = false;
};

}  // namespace epinet::cli
