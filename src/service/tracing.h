// Contact tracing use cases: the in-memory trace index kept current with the
// check-ins, trace jobs run in the background and kept in the store, the
// ledger imports (venue-code scans, coach manifests), and the hand-over of
// every contact found to closed-loop management.
#pragma once
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include "domain/tracing/index.h"
#include "domain/tracing/trace.h"
#include "service/runtime.h"
#include "service/services.h"
#include "store/tracing.h"

namespace epinet::service {

// The EPINET_TRACE_* settings.
domain::tracing::Rules tracing_rules(const Config& config);

// One index case as asked for: the person, and optionally the course's
// times (else taken from the store: first positive sample, isolation).
struct IndexInput {
  int64_t person_id = 0;
  std::optional<Millis> onset, first_positive, isolated_at;
};

// Everything a trace needs from the store, read once.
struct PreparedTrace {
  std::vector<domain::tracing::IndexCase> cases;
  std::vector<std::string> window_sources;  // per case: onset | first_positive
  std::unordered_map<int64_t, Millis> controlled;  // persons under control (case or management) → since when
  Millis now = 0;
  Millis reported_at = 0;  // the earliest index case report (isolation) time, else now
  Millis control_time(int64_t person) const;
};
// The job's index_cases: [{"person_id","from","to","window_source"}].
std::string index_cases_json(const PreparedTrace& p);
// Throws invalid("no_exposure_window") naming a person with neither an onset
// nor a positive sample, not_found for an unknown person.
PreparedTrace prepare_trace(store::Connection& c, const domain::tracing::Rules& rules,
                            const std::vector<IndexInput>& in, Millis now);

// Builds the index over the stays entered since `since`, the trips that
// departed since then, all venues and households. `progress` gets stays read.
std::unique_ptr<domain::tracing::TraceIndex> build_trace_index(store::Database& db, Millis since,
                                                               const std::function<void(int64_t)>& progress = {});

// Contacts as rows for the store / CSV (evidence as JSON, place names resolved).
std::vector<store::TraceContactRow> contact_rows(store::Connection& c, int64_t job_id,
                                                 const domain::tracing::TraceResult& r);
// Hands saved contacts (rows of tracing_contacts) to closed-loop management (in the caller's
// transaction). Returns the count enrolled.
int64_t enroll_contacts(store::Connection& c, const Caller& caller, int64_t job_id,
                        const std::vector<store::TraceContactRow>& rows, Millis reported_at, Millis now);

// A finished trace kept as job `job_id`: its contacts saved, each in
// transactions of a few thousand rows, so check-ins committing meanwhile wait
// for one of them at most (a large job writes for seconds). progress(f) after
// each, f from 0 to 1.
void save_contacts(store::Database& db, int64_t job_id, const domain::tracing::TraceResult& r,
                   const std::function<void(double)>& progress = {});
// Whether a job listing `contacts` waits for a decision before its hand-over
// (EPINET_TRACE_REVIEW_ABOVE; 0 never).
bool needs_review(int64_t contacts, int64_t review_above);
// The tiers named in a comma-separated list, in the order close, secondary, companion.
std::vector<std::string> handover_kinds(const std::string& list);
// Then the saved contacts of these tiers handed to closed-loop management, read
// from the store and enrolled a few thousand a transaction; `total` (their
// count) scales progress(f); handed(persons) after each transaction. `enrolled`
// counts the contacts handed over so far (those committed, should a later
// transaction fail). Enrolling is idempotent, so a hand-over cut short can be
// run again from the start.
void hand_over_contacts(store::Database& db, const Caller& caller, int64_t job_id,
                        const std::vector<std::string>& kinds, int64_t total, Millis reported_at, int64_t& enrolled,
                        const std::function<void(double)>& progress = {},
                        const std::function<void(const std::vector<int64_t>&)>& handed = {});

// A person a trace names besides its contacts: an index case, or the index case or close contact a
// contact was met through ("via").
struct NamedPerson {
  int64_t person_id = 0;
  std::string name, id_masked;
};
// The persons of `ids` (a job's index cases) and every "via" of the rows (each contact's, and each of its
// evidence rows' when `evidence`), those within `who`'s jurisdiction (everyone's when who is null), by
// person id.
std::vector<NamedPerson> named_people(store::Connection& c, std::set<int64_t> ids,
                                      const std::vector<store::TraceContactRow>& rows, const domain::Principal* who,
                                      bool evidence = true);

// The contact table as exported (CSV/XLSX and `epinet trace --out`); via_name from `people` (empty for a
// person not among them).
std::vector<std::vector<std::string>> contacts_table(const std::vector<store::TraceContactRow>& rows,
                                                     const std::vector<NamedPerson>& people = {});

struct TraceJobView {
  store::TraceJob job;
  std::vector<store::TraceContactRow> contacts;  // within the caller's jurisdiction
  int64_t contacts_total = 0;                    // passing the filter (all pages)
  std::vector<NamedPerson> people;               // named_people() of the job and these contacts
};

class TracingService {
 public:
  explicit TracingService(Runtime& rt);
  ~TracingService();
  // Builds the index in the background, follows the check-in writer, and
  // starts the job worker; marks jobs a stopped server left unfinished as
  // failed. Called by Runtime::start_jobs.
  void start();
  bool ready() const { return ready_.load(); }

  // Hooks (called after the check-ins committed / the retention purge).
  void on_checkins(const std::vector<CheckinWriter::Item>& batch);
  void on_purge(Millis cutoff);

  int64_t submit(const Caller& caller, const std::vector<IndexInput>& in);
  // The job; contacts only with_contacts (an audited read of personal data):
  // one page of them, or every one when no page is given (exports).
  TraceJobView get(const Caller& caller, int64_t id, bool with_contacts, const store::TraceContactFilter& f,
                   const std::optional<store::Page>& page = std::nullopt);
  // Jobs, newest first, and the index cases they name within the caller's jurisdiction (an audited read
  // when it names anyone).
  struct JobList {
    store::PageOf<store::TraceJob> page;
    std::vector<NamedPerson> people;
  };
  JobList list(const Caller& caller, const store::Page& p);

  // The decision on a job in review (it listed more than EPINET_TRACE_REVIEW_ABOVE contacts, saved
  // but handed to no one): hand over the contacts of `kinds` (in the background; the job is
  // "running" until they are all enrolled, then "done"), or none (`handover` false: the job is
  // "done", and `note` must say why). Audited. Throws conflict("not_in_review") when the job is not
  // waiting for a decision (decided meanwhile), forbidden() when an index person lies outside the
  // caller's jurisdiction.
  struct Decision {
    bool handover = false;
    std::vector<std::string> kinds;  // close | secondary | companion
    std::string note;
  };
  store::TraceJob decide(const Caller& caller, int64_t id, const Decision& d);

  // Imports (CSV or XLSX bytes). Rows are validated first: a bad file changes nothing.
  struct ImportReport {
    int64_t imported = 0;
    std::vector<std::pair<int, std::string>> errors;
  };
  ImportReport import_venue_scans(const Caller& caller, const std::string& bytes);
  ImportReport import_trips(const Caller& caller, const std::string& bytes);

  struct Stats {
    bool ready = false;
    size_t stays = 0, persons = 0, trips = 0, stay_bytes = 0, total_bytes = 0;
    int64_t build_ms = 0;
  };
  Stats stats() const;
  const domain::tracing::Rules& rules() const { return rules_; }

 private:
  struct Job {
    int64_t id;
    Caller caller;
    PreparedTrace prepared;
    bool handover = false;  // a decided hand-over, not a trace
  };
  void worker();
  void run_job(Job& job);
  // Hands the job's contacts of `kinds` over and marks it done (or says why not in its error).
  void hand_over(store::TraceJob& j, const Caller& caller, const std::vector<std::string>& kinds);
  void enqueue(Job job);
  void set_progress(int64_t id, double f);
  // The index behind a shared lock per question.
  class LockedSource;

  Runtime& rt_;
  domain::tracing::Rules rules_;
  mutable std::shared_mutex index_mu_;
  std::unique_ptr<domain::tracing::TraceIndex> index_;  // GUARDED_BY(index_mu_)
  std::vector<CheckinWriter::Item> pending_;             // GUARDED_BY(index_mu_): check-ins during the build
  // Check-ins committed while a trace held the index: the check-in writer
  // does not wait for a trace; they are applied by whoever next holds the
  // index for writing (the next batch, or the job when its trace is done).
  std::mutex backlog_mu_;
  std::vector<CheckinWriter::Item> backlog_;  // GUARDED_BY(backlog_mu_)
  void apply_checkins(const std::vector<CheckinWriter::Item>& batch);  // index_mu_ held for writing
  void drain_backlog();                                                // index_mu_ held for writing
  std::atomic<bool> ready_{false};
  std::atomic<int64_t> build_ms_{0};
  std::thread builder_;
  // The check-in writer's way in: cut when this service goes.
  struct Hook {
    std::mutex mu;
    TracingService* service = nullptr;  // GUARDED_BY(mu)
  };
  std::shared_ptr<Hook> hook_ = std::make_shared<Hook>();

  std::mutex jobs_mu_;
  std::condition_variable jobs_cv_;
  std::deque<Job> queue_;  // GUARDED_BY(jobs_mu_)
  bool stop_ = false;      // GUARDED_BY(jobs_mu_)
  std::thread worker_;
};

}  // namespace epinet::service
