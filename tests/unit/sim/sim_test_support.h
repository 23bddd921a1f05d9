// Helpers for the simulator's tests: small scenarios, running a simulation
// into memory, and finding the checked-in scenario files.
#pragma once
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sim/output.h"
#include "sim/scenario.h"
#include "sim/simulator.h"

namespace epinet::sim::testing {

// The checkout's root: the nearest folder above the test binary (or the
// working directory) that holds scenarios/demo.env.
inline std::filesystem::path source_root() {
  std::vector<std::filesystem::path> starts;
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) starts.push_back(exe.parent_path());
  starts.push_back(std::filesystem::current_path());
  for (auto p : starts)
    for (; !p.empty() && p != p.root_path(); p = p.parent_path())
      if (std::filesystem::exists(p / "scenarios" / "demo.env")) return p;
  return {};
}

inline Scenario small_scenario(int64_t persons = 20000, int days = 7, uint64_t seed = 7) {
  Scenario s;
  s.persons = persons;
  s.days = days;
  s.seed = seed;
  s.seeds_imported = 3;
  s.seeds_local = 2;
  s.signal_history_days = 7;
  return s;
}

inline int64_t start_of(const Scenario& s) { return days_from_civil(s.start_or_default()); }

// Every day of a run, kept in memory.
struct Recorded {
  std::vector<DayOutput> days;
  std::vector<SignalRow> history;
};

class RecordingSink : public DaySink {
 public:
  explicit RecordingSink(Recorded& r) : r_(r) {}
  void begin(const Simulator&, const std::vector<SignalRow>& history) override { r_.history = history; }
  void day(const Simulator&, const DayOutput& d) override { r_.days.push_back(d); }
  void finish(const Simulator&) override {}

 private:
  Recorded& r_;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Splits CSV text (no quoted fields with commas in the files read here) into rows of fields.
inline std::vector<std::vector<std::string>> csv_rows(const std::string& text) {
  std::vector<std::vector<std::string>> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::string cur;
    bool quoted = false;
    for (char c : line) {
      if (c == '"')
        quoted = !quoted;
      else if (c == ',' && !quoted) {
        f.push_back(cur);
        cur.clear();
      } else
        cur += c;
    }
    f.push_back(cur);
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace epinet::sim::testing
