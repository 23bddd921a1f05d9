// `epinet sim`: the synthetic city and outbreak generator (sim/). Parses the
// flags, reads the scenario, runs the simulator into files (--out) and/or an
// epinet database (--load), and draws a progress bar on stderr.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <optional>
#include <thread>

#include "cli/commands.h"
#include "cli/progress.h"
#include "core/error.h"
#include "core/time.h"
#include "sim/loader.h"
#include "sim/output.h"
#include "sim/scenario.h"
#include "sim/simulator.h"

namespace epinet::cli {
namespace {

struct SimFlags {
  std::string scenario, out, format = "csv", start;
  std::optional<int64_t> persons;
  std::optional<int> days;
  std::optional<uint64_t> seed;
  bool load = false, progress = false, dry_run = false;
  int threads = 0;
};

std::string millions(double v) {
  char b[32];
  if (v >= 1e6)
    std::snprintf(b, sizeof b, "%.1f M", v / 1e6);
  else if (v >= 1e3)
    std::snprintf(b, sizeof b, "%.1f k", v / 1e3);
  else
    std::snprintf(b, sizeof b, "%.0f", v);
  return b;
}



int run_sim(const SimFlags& f, const std::function<Config()>& load_config) {
  if (f.out.empty() && !f.load && !f.dry_run)
    throw invalid("invalid_argument", "give --out DIR (files), --load (the database), or both (or --dry-run)");
  if (f.dry_run && (!f.out.empty() || f.load))
    throw invalid("invalid_argument", "--dry-run writes nothing: leave out --out and --load");
  sim::CheckinFormat format;
  if (f.format == "csv")
    format = sim::CheckinFormat::kCsv;
  else if (f.format == "bin")
    format = sim::CheckinFormat::kBin;
  else if (f.format == "both")
    format = sim::CheckinFormat::kBoth;
  else
    throw invalid("invalid_argument", "--format must be csv, bin or both");

  sim::Scenario s = f.scenario.empty() ? sim::Scenario{} : sim::load_scenario(f.scenario);
  if (f.persons) s.persons = *f.persons;
  if (f.days) s.days = *f.days;
  if (f.seed) s.seed = *f.seed;
  if (!f.start.empty()) {
    auto d = sim::parse_date(f.start);
    if (!d) throw invalid("invalid_argument", "--start must be YYYY-MM-DD");
    s.start_date = d;
  }
  if (s.persons < 2000 || s.persons > 20'000'000)
    throw invalid("invalid_argument", "--persons must be from 2,000 to 20,000,000");
  if (s.days < 1 || s.days > 366) throw invalid("invalid_argument", "--days must be from 1 to 366");
  sim::validate(s);

  // Into a database, the simulated days end today unless a date is given:
  // the platform's pages then show recent data. Files default to a fixed
  // date so that the same seed gives the same bytes.
  const Millis now = now_ms();
  int64_t start_days;
  if (s.start_date) {
    start_days = sim::days_from_civil(*s.start_date);
  } else if (f.load) {
    int64_t today = (now / 1000 + sim::kUtcOffsetSeconds) / 86400;
    start_days = today - (s.days - 1);
  } else {
    start_days = sim::days_from_civil(s.start_or_default());
  }

  std::optional<Config> cfg;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<sim::DbSink> db_sink;
  if (f.load) {
    cfg = load_config();
    db = sim::open_for_load(*cfg);
  }

  const bool show = f.progress || ::isatty(STDERR_FILENO);
  Bar bar(show);
  int threads = f.threads > 0 ? f.threads : std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, 2);
  bar.draw(0, "building the city", "", true);
  sim::Simulator simulator(s, start_days, threads);
  const double built = bar.elapsed();

  std::unique_ptr<sim::FileSink> files;
  std::vector<sim::DaySink*> sinks;
  if (!f.out.empty()) {
    files = std::make_unique<sim::FileSink>(f.out, format);
    sinks.push_back(files.get());
  }
  if (db) {
    sim::LoadOptions lo;
    lo.data_dir = cfg->data_dir;
    lo.now = now;
    db_sink = std::make_unique<sim::DbSink>(*db, lo);
    auto verdict = db_sink->check(simulator);
    if (verdict == sim::DbSink::Verdict::kAlreadyLoaded) {
      bar.clear();
      std::cerr << "epinet sim: this simulation (seed " << s.seed << ", scenario " << s.digest() << ", from "
                << db_sink->loaded_start() << ") is already in " << db->describe() << ": nothing to do\n";
      if (f.out.empty()) return 0;
      db_sink.reset();
    } else {
      sinks.push_back(db_sink.get());
    }
  }
  sim::TeeSink tee(sinks);

  const double t0 = bar.elapsed();
  sim::run(simulator, tee, [&](const sim::Progress& p) {
    double secs = bar.elapsed() - t0;
    double frac = (p.days_done + p.days_written) / (2.0 * std::max(1, p.days));
    if (db_sink) frac *= 0.5;  // loading the database is the slower half
    char what[64];
    std::snprintf(what, sizeof what, "day %d/%d, %s check-ins", p.days_done, p.days,
                  millions(static_cast<double>(p.checkins)).c_str());
    bar.draw(frac, what, secs > 0 ? millions(static_cast<double>(p.checkins) / secs) + " check-ins/s" : "");
  });
  bar.clear();
  const double secs = bar.elapsed();
  const auto& c = simulator.city();
  sim::Outcome o = simulator.outcome();
  char line[512];
  std::string doubling = std::isfinite(o.doubling_days) ? [&] {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f days", o.doubling_days);
    return std::string(b);
  }() : std::string("not growing");
  const int64_t checkins = tee.checkins();
  // The scenario's expectations hold for its own size and period only.
  std::string expected;
  if (!f.persons && !f.days) {
    char b[128];
    std::snprintf(b, sizeof b, "; expected %.3f–%.3f %%, %.1f–%.1f days", s.expect_attack_rate_min * 100,
                  s.expect_attack_rate_max * 100, s.expect_doubling_days_min, s.expect_doubling_days_max);
    expected = b;
  }
  std::snprintf(line, sizeof line,
                "epinet sim: %s persons, %d days from %s, %s venues, %s check-ins, %s coach trips, %s infections "
                "(attack rate %.3f %%, doubling %s%s) in %.2f s (city %.2f s, %.1f M check-ins/s)",
                sim::grouped(static_cast<int64_t>(c.persons.size())).c_str(), s.days,
                sim::format_date(sim::civil_from_days(c.start_days)).c_str(),
                sim::grouped(static_cast<int64_t>(c.venues.size())).c_str(), sim::grouped(checkins).c_str(),
                sim::grouped(tee.trips()).c_str(), sim::grouped(o.infections).c_str(), o.attack_rate * 100,
                doubling.c_str(), expected.c_str(), secs, built,
                static_cast<double>(checkins) / std::max(1e-9, secs - built) / 1e6);
  std::cerr << line;
  if (files) std::cerr << " → " << f.out << " (" << millions(static_cast<double>(files->bytes())) << "B)";
  if (db_sink) std::cerr << " → " << db->describe() << " (" << db_sink->report() << ")";
  std::cerr << "\n";
  return 0;
}

}  // namespace

Command add_sim_command(CLI::App& root) {
  auto flags = std::make_shared<SimFlags>();
  Command c;
  c.app = root.add_subcommand("sim", "generate a synthetic city and outbreak (docs/simulator.md)");
  auto* a = c.app;
  a->add_option("--persons", flags->persons, "persons in the city (default: the scenario's; 3,400,000)");
  a->add_option("--days", flags->days, "days to simulate (default: the scenario's; 14)");
  a->add_option("--seed", flags->seed, "random seed: the same seed and scenario give the same output");
  a->add_option("--scenario", flags->scenario, "scenario file (KEY=VALUE; scenarios/*.env)");
  a->add_option("--out", flags->out, "write the CSV files into this folder");
  a->add_option("--format", flags->format, "check-ins as csv, bin (checkins.bin) or both")
      ->check(CLI::IsMember({"csv", "bin", "both"}));
  a->add_flag("--load", flags->load, "write into the epinet database (EPINET_DATABASE_URL / --database-url)");
  a->add_option("--start", flags->start,
                "first simulated day YYYY-MM-DD (default: the scenario's; with --load, so that the last day is today)");
  a->add_option("--threads", flags->threads, "generator threads (default: up to 2); never changes the output");
  a->add_flag("--dry-run", flags->dry_run, "simulate without writing anything: the summary line only");
  a->add_flag("--progress", flags->progress, "draw the progress bar even when stderr is not a terminal");
  c.run = [flags](const std::function<Config()>& load) { return run_sim(*flags, load); };
  return c;
}

}  // namespace epinet::cli
