// Where a simulation goes: a DaySink receives the city, then each day in
// order, then the end. run() drives a Simulator and a sink with the sink one
// day behind on a second thread, so writing day d overlaps simulating d + 1.
//
// FileSink writes the CSV files (and checkins.bin) that docs/simulator.md
// documents column by column. This is the I/O edge of sim/.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/simulator.h"

namespace epinet::sim {

class DaySink {
 public:
  virtual ~DaySink() = default;
  // Called once, before any day, with the history days' signals.
  virtual void begin(const Simulator& sim, const std::vector<SignalRow>& history) = 0;
  virtual void day(const Simulator& sim, const DayOutput& day) = 0;
  // Called once after the last day (the simulator is finished).
  virtual void finish(const Simulator& sim) = 0;
};

struct Progress {
  int days_done = 0;     // days simulated
  int days_written = 0;  // days the sink has finished
  int days = 0;
  int64_t checkins = 0;  // generated so far
  int64_t infections = 0;
  int64_t bytes = 0;  // written by the sink so far, when it counts them
};

// Runs the simulation to its end. `progress` is called on the calling
// thread after every simulated and every written day. Exceptions from the
// sink are rethrown here.
void run(Simulator& sim, DaySink& sink, const std::function<void(const Progress&)>& progress = {});

enum class CheckinFormat { kCsv, kBin, kBoth };

// Fast integer formatting into a growing buffer, written with large write(2)
// calls; shared by the files and the benchmark.
class OutFile {
 public:
  explicit OutFile(const std::string& path);
  ~OutFile();
  OutFile(const OutFile&) = delete;
  OutFile& operator=(const OutFile&) = delete;

  char* reserve(size_t n) {
    if (size_ + n > cap_) flush_some(n);
    return buf_.get() + size_;
  }
  void commit(size_t n) { size_ += n; }
  void raw(const void* p, size_t n);
  void text(std::string_view s) { raw(s.data(), s.size()); }
  void ch(char c) {
    *reserve(1) = c;
    ++size_;
  }
  void u64(uint64_t v) {
    char* p = reserve(20);
    size_ += format_u64(v, p);
  }
  void i64(int64_t v) {
    if (v < 0) {
      ch('-');
      u64(static_cast<uint64_t>(-v));
    } else {
      u64(static_cast<uint64_t>(v));
    }
  }
  // A CSV field: quoted when it holds a comma, quote or line break.
  void field(std::string_view s);
  void close();  // flushes; throws on a write error
  // Rewrites `n` bytes at `offset` (after close(): for a header's count).
  void patch(uint64_t offset, const void* p, size_t n);
  uint64_t bytes() const { return written_ + size_; }
  const std::string& path() const { return path_; }

  static size_t format_u64(uint64_t v, char* out);

 private:
  void flush_some(size_t need);
  std::string path_;
  int fd_ = -1;
  std::unique_ptr<char[]> buf_;
  size_t cap_ = 0, size_ = 0;
  uint64_t written_ = 0;
};

// Formats the day's stays as checkins.csv rows into `out`.
void format_checkins(const DayOutput& day, int64_t epoch, OutFile& out);

class FileSink : public DaySink {
 public:
  FileSink(std::string dir, CheckinFormat format);
  ~FileSink() override;
  void begin(const Simulator& sim, const std::vector<SignalRow>& history) override;
  void day(const Simulator& sim, const DayOutput& day) override;
  void finish(const Simulator& sim) override;
  int64_t bytes() const;
  // The file names written, in the order written.
  std::vector<std::string> files() const;

 private:
  void write_signals(const std::vector<SignalRow>& rows);
  std::string dir_;
  CheckinFormat format_;
  int64_t epoch_ = 0;
  std::unique_ptr<OutFile> checkins_, checkins_bin_, trips_, infections_, tests_, signals_;
  std::vector<std::string> written_;
  uint64_t bin_records_ = 0;
  int64_t bytes_closed_ = 0;
  // Totals for summary.json.
  int64_t n_checkins_ = 0, n_trips_ = 0, n_seats_ = 0, n_tests_ = 0, n_positive_ = 0, n_signals_ = 0;
};

// Forwards every call to several sinks in order, and counts what passed.
class TeeSink : public DaySink {
 public:
  explicit TeeSink(std::vector<DaySink*> sinks) : sinks_(std::move(sinks)) {}
  void begin(const Simulator& sim, const std::vector<SignalRow>& history) override {
    for (auto* s : sinks_) s->begin(sim, history);
  }
  void day(const Simulator& sim, const DayOutput& d) override {
    checkins_ += static_cast<int64_t>(d.stays.size());
    trips_ += static_cast<int64_t>(d.trips.size());
    for (auto* s : sinks_) s->day(sim, d);
  }
  void finish(const Simulator& sim) override {
    for (auto* s : sinks_) s->finish(sim);
  }
  int64_t checkins() const { return checkins_; }
  int64_t trips() const { return trips_; }

 private:
  std::vector<DaySink*> sinks_;
  int64_t checkins_ = 0, trips_ = 0;
};

// 1234567 → "1,234,567" (for people reading a summary).
std::string grouped(int64_t v);

// summary.json's content (deterministic: no timings).
std::string summary_json(const Simulator& sim, int64_t checkins, int64_t trips, int64_t seats, int64_t tests,
                         int64_t positive);

}  // namespace epinet::sim
