// `epinet trace`: batch contact tracing against the configured database, with
// the server's engine (the in-memory index, built here from the store) or the
// SQL reference query (--engine sql), a progress bar on stderr and the
// contacts as CSV.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/progress.h"
#include "core/error.h"
#include "core/time.h"
#include "http/export.h"
#include "service/tracing.h"
#include "store/migrations.h"

namespace epinet::cli {
namespace {
namespace tr = domain::tracing;

struct TraceFlags {
  std::string index, index_file, out, engine = "index", onset, as_of;
  int64_t sample = 0;
  uint64_t seed = 1;
  bool progress = false, save = false, each = false;
};


std::vector<int64_t> parse_ids(const std::string& text, const std::string& origin) {
  std::vector<int64_t> ids;
  std::string tok;
  int line = 1;
  auto flush = [&] {
    while (!tok.empty() && (tok.back() == '\r' || tok.back() == ' ')) tok.pop_back();
    size_t b = tok.find_first_not_of(' ');
    tok = b == std::string::npos ? "" : tok.substr(b);
    if (tok.empty()) return;
    char* end = nullptr;
    long long v = std::strtoll(tok.c_str(), &end, 10);
    if (*end != '\0' || v <= 0) {
      // A header row ("person_id") is allowed first.
      if (!(ids.empty() && line == 1))
        throw invalid("invalid_argument", origin + ":" + std::to_string(line) + ": '" + tok + "' is not a person id");
    } else {
      ids.push_back(v);
    }
    tok.clear();
  };
  bool first_field = true;
  for (char ch : text) {
    if (ch == '\n') {
      flush();
      ++line;
      first_field = true;
    } else if (ch == ',') {
      if (origin == "--index") {
        flush();
      } else {
        flush();
        first_field = false;  // a CSV file: the first column only
      }
    } else if (first_field || origin == "--index") {
      tok += ch;
    }
  }
  flush();
  return ids;
}

int run_trace(const TraceFlags& f, const std::function<Config()>& load_config) {
  if ((f.index.empty() ? 0 : 1) + (f.index_file.empty() ? 0 : 1) + (f.sample > 0 ? 1 : 0) != 1)
    throw invalid("invalid_argument", "give the index persons with one of --index ID,ID,…, --index-file FILE or --sample N");
  if (f.save && f.each) throw invalid("invalid_argument", "--each traces for comparison only: leave out --save");
  std::optional<Millis> onset;
  if (!f.onset.empty()) {
    onset = parse_iso8601(f.onset);
    if (!onset) throw invalid("invalid_argument", "--onset must be an ISO 8601 time");
  }
  if (f.engine != "index" && f.engine != "sql") throw invalid("invalid_argument", "--engine must be index or sql");
  std::vector<int64_t> ids;
  if (!f.index.empty()) {
    ids = parse_ids(f.index, "--index");
  } else if (!f.index_file.empty()) {
    std::ifstream in(f.index_file);
    if (!in) throw invalid("invalid_argument", "cannot read " + f.index_file);
    std::stringstream ss;
    ss << in.rdbuf();
    ids = parse_ids(ss.str(), f.index_file);
  }
  Config config = load_config();
  auto db = open_migrated(config, true);
  if (f.sample > 0) {
    // A reproducible random sample of the registered persons (SplitMix64 over --seed).
    std::vector<int64_t> all;
    db->read([&](store::Connection& c) {
      for (const auto& row : c.query("SELECT id FROM persons ORDER BY id").rows) all.push_back(store::as_int(row[0]));
    });
    uint64_t x = f.seed;
    auto next = [&x] {
      uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      return z ^ (z >> 31);
    };
    for (size_t i = 0; i < all.size() && static_cast<int64_t>(ids.size()) < f.sample; ++i) {
      std::swap(all[i], all[i + next() % (all.size() - i)]);
      ids.push_back(all[i]);
    }
  }
  if (ids.empty()) throw invalid("invalid_argument", "no index person ids given");
  const tr::Rules rules = service::tracing_rules(config);
  Millis now = now_ms();
  if (!f.as_of.empty()) {
    auto t = parse_iso8601(f.as_of);
    if (!t) throw invalid("invalid_argument", "--as-of must be an ISO 8601 time");
    now = *t;
  }
  std::vector<service::IndexInput> in;
  for (int64_t id : ids) in.push_back({id, onset, {}, {}});
  service::PreparedTrace prepared;
  db->read([&](store::Connection& c) { prepared = service::prepare_trace(c, rules, in, now); });

  Bar bar(f.progress || ::isatty(STDERR_FILENO));
  std::unique_ptr<tr::TraceIndex> index;
  double build_s = 0;
  if (f.engine == "index") {
    int64_t total = 0;
    db->read([&](store::Connection& c) {
      total = store::as_int(c.query("SELECT COUNT(*) FROM checkins WHERE direction = 'in'").rows[0][0]);
    });
    const Millis since = now - static_cast<Millis>(config.retention_days) * tr::kDay;
    index = service::build_trace_index(*db, since, [&](int64_t n) {
      bar.draw(0.5 * static_cast<double>(n) / static_cast<double>(std::max<int64_t>(total, 1)),
               "reading stays " + std::to_string(n / 1000) + " k");
    });
    build_s = bar.elapsed();
  }
  tr::TraceResult result;
  const double t0 = bar.elapsed();
  const double base = f.engine == "index" ? 0.5 : 0.0;
  auto progress = [&](double x) { bar.draw(base + (1 - base) * x, "tracing " + std::to_string(prepared.cases.size()) + " index cases"); };
  auto control = [&](int64_t p) { return prepared.control_time(p); };
  // --each: every index case traced alone; the rows say whose contact each is.
  std::vector<int64_t> row_index;
  auto run = [&](const tr::ContactSource& source) {
    if (!f.each) {
      result = tr::trace(source, prepared.cases, rules, control, progress);
      return;
    }
    for (size_t i = 0; i < prepared.cases.size(); ++i) {
      auto one = tr::trace(source, {prepared.cases[i]}, rules, control);
      row_index.insert(row_index.end(), one.contacts.size(), prepared.cases[i].person_id);
      result.append(std::move(one));
      progress(static_cast<double>(i + 1) / static_cast<double>(prepared.cases.size()));
    }
  };
  if (index) {
    run(*index);
  } else {
    db->read([&](store::Connection& c) {
      store::SqlContactSource sql(c);
      run(sql);
    });
  }
  const double trace_s = bar.elapsed() - t0;
  bar.clear();

  std::vector<store::TraceContactRow> rows;
  int64_t job_id = 0, enrolled = 0;
  if (f.save) {
    const service::Caller caller = cli_caller();
    store::TraceJob j;
    j.status = "running";
    j.index_cases_json = service::index_cases_json(prepared);
    j.rules_version = rules.version();
    j.rules_json = rules.describe_json();
    j.engine = f.engine;
    j.created_by_name = caller.who.username;
    j.created_at = now;
    j.reported_at = prepared.reported_at;
    db->write([&](store::Connection& c) { job_id = store::insert_trace_job(c, j); });
    j.id = job_id;
    j.close_count = static_cast<int64_t>(result.count(tr::ContactKind::kClose));
    j.secondary_count = static_cast<int64_t>(result.count(tr::ContactKind::kSecondary));
    j.companion_count = static_cast<int64_t>(result.count(tr::ContactKind::kCompanion));
    const auto total = static_cast<int64_t>(result.contacts.size());
    // As a server's job: above the review threshold the contacts are saved and wait for a decision.
    const bool review = service::needs_review(total, config.trace_review_above);
    Bar saving(f.progress || ::isatty(STDERR_FILENO));
    service::save_contacts(*db, job_id, result, [&](double x) { saving.draw((review ? 1 : 0.3) * x, "saving"); });
    if (!review)
      service::hand_over_contacts(*db, caller, job_id, {"close", "secondary", "companion"}, total, prepared.reported_at,
                                  enrolled, [&](double x) { saving.draw(0.3 + 0.7 * x, "handing over"); });
    saving.clear();
    db->write([&](store::Connection& c) {
      j.status = review ? "review" : "done";
      j.progress = review ? 0.8 : 1;
      if (review) j.review_above = config.trace_review_above;
      j.enrolled_count = enrolled;
      j.finished_at = now_ms();
      j.elapsed_ms = static_cast<int64_t>(trace_s * 1000);
      store::finish_trace_job(c, j);
      service::audit(c, caller, review ? "tracing.job.review" : "tracing.job.finish", "tracing_job",
                     std::to_string(job_id),
                     "{\"engine\":\"" + f.engine + "\",\"contacts\":" + std::to_string(total) + "}");
    });
    if (review)
      std::fprintf(stderr,
                   "job %lld lists %lld contacts, more than EPINET_TRACE_REVIEW_ABOVE=%lld: saved, none handed over; "
                   "a commander decides in the web UI (流调溯源) or with POST /api/v1/tracing/jobs/%lld/handover\n",
                   static_cast<long long>(job_id), static_cast<long long>(total),
                   static_cast<long long>(config.trace_review_above), static_cast<long long>(job_id));
  }
  std::vector<service::NamedPerson> people;  // the operator's command: everyone is named
  db->read([&](store::Connection& c) {
    if (job_id) {
      rows = store::list_trace_contacts(c, job_id, {});
    } else {
      rows = service::contact_rows(c, 0, result);
      store::fill_contact_people(c, rows);
    }
    people = service::named_people(c, {}, rows, nullptr, false);
  });
  auto table = service::contacts_table(rows, people);
  if (f.each) {
    table[0].insert(table[0].begin(), "index_person_id");
    for (size_t i = 0; i < row_index.size(); ++i)
      table[i + 1].insert(table[i + 1].begin(), std::to_string(row_index[i]));
  }
  const std::string csv = http::to_csv(table);
  if (f.out.empty() || f.out == "-") {
    std::cout << csv;
  } else {
    std::ofstream out(f.out, std::ios::binary);
    if (!out) throw invalid("invalid_argument", "cannot write " + f.out);
    out << csv;
    if (!out.flush()) throw invalid("invalid_argument", "cannot write " + f.out);
  }
  char line[400];
  std::snprintf(line, sizeof line,
                "epinet trace: %zu index cases, %zu close, %zu secondary, %zu companion contacts (engine %s, rules %s) "
                "in %.3f s",
                prepared.cases.size(), result.count(tr::ContactKind::kClose), result.count(tr::ContactKind::kSecondary),
                result.count(tr::ContactKind::kCompanion), f.engine.c_str(), rules.version().c_str(), trace_s);
  std::cerr << line;
  if (index)
    std::cerr << "; index of " << index->stay_count() << " stays built in " << std::lround(build_s * 1000) << " ms";
  if (job_id) std::cerr << "; saved as job " << job_id << ", " << enrolled << " handed to management";
  if (!f.out.empty() && f.out != "-") std::cerr << " → " << f.out;
  std::cerr << "\n";
  return 0;
}

}  // namespace

Command add_trace_command(CLI::App& root) {
  auto flags = std::make_shared<TraceFlags>();
  Command c;
  c.app = root.add_subcommand("trace", "trace the contacts of index cases in the database (docs/tracing.md)");
  auto* a = c.app;
  a->add_option("--index", flags->index, "index person ids, comma-separated");
  a->add_option("--index-file", flags->index_file, "a file of index person ids (one a line, or a CSV's first column)");
  a->add_option("--out", flags->out, "write the contacts as CSV here (default: standard output)");
  a->add_option("--engine", flags->engine, "index (the server's in-memory index, default) or sql (the reference query)")
      ->check(CLI::IsMember({"index", "sql"}));
  a->add_option("--sample", flags->sample, "trace a random sample of N registered persons (reproducible with --seed)");
  a->add_option("--seed", flags->seed, "the sample's random seed (default 1)");
  a->add_option("--onset", flags->onset,
                "symptom onset (ISO 8601) for every index person, when the store has no positive sample: what-if tracing");
  a->add_option("--as-of", flags->as_of, "trace as at this time (ISO 8601; default now): open windows end here");
  a->add_flag("--each", flags->each, "trace each index person alone (rows gain index_person_id): for comparisons");
  a->add_flag("--save", flags->save, "keep the result as a trace job and hand every contact to closed-loop management");
  a->add_flag("--progress", flags->progress, "draw the progress bar even when stderr is not a terminal");
  c.run = [flags](const std::function<Config()>& load) { return run_trace(*flags, load); };
  return c;
}

}  // namespace epinet::cli
