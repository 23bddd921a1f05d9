// `epinet sim --load`: writes a simulation straight into an epinet database.
//
// What it creates, under the district divisions that `epinet seed-demo`
// made: the communities and compounds (as divisions), the venues (the
// article's three named places are reused when the database has them),
// the persons (identity numbers hashed and encrypted with the keys in
// DATA_DIR/keys, masked for display: never stored in clear), one check-in
// row per entry and one per exit, the nucleic-acid tests, and the state of
// confirmed cases and quarantined households. Rows dated after `now` are
// left out (a stay in progress has no exit yet).
//
// A database holds one simulation: the audit log records the load
// (`sim.load.begin`, then `sim.load`), the same simulation again is a no-op,
// and a different one — or one whose load was interrupted — is refused.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/time.h"
#include "sim/output.h"
#include "store/database.h"

namespace epinet::sim {

struct LoadOptions {
  std::string data_dir;       // for the identity-number keys
  Millis now = 0;             // rows after this are left out
  size_t batch_rows = 50000;  // check-ins per transaction
};

// Opens the database the settings name and applies missing migrations.
std::unique_ptr<store::Database> open_for_load(const Config& config);

class DbSink : public DaySink {
 public:
  enum class Verdict { kEmpty, kAlreadyLoaded };
  DbSink(store::Database& db, LoadOptions options);
  ~DbSink() override;

  // Before running: kAlreadyLoaded when this very simulation (seed, scenario,
  // persons, days) is in the database — loaded_start() then says from which
  // day (it may have been loaded on an earlier day). Throws Error(kConflict) when another
  // simulation is (or an interrupted load left rows), Error(kInvalid) when
  // the districts are missing (run `epinet seed-demo` first).
  Verdict check(const Simulator& sim);
  const std::string& loaded_start() const { return loaded_start_; }

  void begin(const Simulator& sim, const std::vector<SignalRow>& history) override;
  void day(const Simulator& sim, const DayOutput& day) override;
  void finish(const Simulator& sim) override;

  // "20,000 persons, 512,345 check-ins, …"
  std::string report() const;

 private:
  struct State;
  std::unique_ptr<State> st_;
  std::string loaded_start_;
};

}  // namespace epinet::sim
