// The tracing ledger in the store: venue stays (check-ins), coach trips and
// seats, households; the SQL reference query that the in-memory index must
// equal; trace jobs and their contacts.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "domain/tracing/index.h"
#include "domain/tracing/trace.h"
#include "store/database.h"
#include "store/records.h"

namespace epinet::store {

// ---- the ledger, streamed for building the index (in pages: any size fits)
struct TraceStay {
  int64_t person_id = 0, venue_id = 0;
  Millis in = 0;
  std::optional<Millis> out;
};
// Every stay (an entry that passed, with a person) entered at or after `since`.
// The statement scan_stays pages with (parameters: the last key read, since, page size).
extern const char* const kScanStaysSql;
void scan_stays(Connection& c, Millis since, const std::function<void(const TraceStay&)>& fn, int64_t page = 200000);
void scan_venue_types(Connection& c, const std::function<void(int64_t id, const std::string& type)>& fn);
void scan_households(Connection& c, const std::function<void(int64_t person_id, int64_t household_id)>& fn,
                     int64_t page = 200000);
void scan_trips(Connection& c, Millis since, const std::function<void(const domain::tracing::TripInfo&)>& trip,
                const std::function<void(const domain::tracing::SeatInfo&)>& seat);

// ---- trips
struct TripRow {
  std::string trip_code, vehicle, route;
  Millis departure = 0, arrival = 0;
  std::optional<int64_t> from_venue_id, to_venue_id;
};
// The trip with this code and departure, created when missing. Returns its id.
int64_t upsert_trip(Connection& c, const TripRow& t, Millis now);
// Adds or moves a person's seat on a trip.
void upsert_seat(Connection& c, int64_t trip_id, int64_t person_id, int row, int col, bool crew);
int64_t purge_trips(Connection& c, Millis before);

// ---- index cases: what the store knows of a person's course
domain::tracing::CaseCourse case_course(Connection& c, int64_t person_id);
// When the person was put under control (case or management status set), or nullopt.
std::optional<Millis> control_time(Connection& c, int64_t person_id);

// ---- the SQL reference query: the same exposures as the index, from SQL
class SqlContactSource : public domain::tracing::ContactSource {
 public:
  explicit SqlContactSource(Connection& c) : c_(c) {}
  void exposures(int64_t person, Millis from, Millis to, const domain::tracing::Rules& rules,
                 std::vector<domain::tracing::Exposure>& out) const override;

 private:
  Connection& c_;
};

// ---- jobs
struct TraceJob {
  int64_t id = 0;
  std::string status;  // queued | running | review | done | failed
  double progress = 0;
  std::string index_cases_json, rules_version, rules_json, engine;
  int64_t close_count = 0, secondary_count = 0, companion_count = 0, enrolled_count = 0;
  std::string error;
  std::optional<int64_t> created_by;
  std::string created_by_name;
  Millis created_at = 0;
  std::optional<Millis> started_at, finished_at, elapsed_ms;
  std::optional<Millis> reported_at;    // the index cases' report: the hand-over's deadlines run from it
  std::optional<int64_t> review_above;  // set when the job listed more contacts than this: a decision is asked for
  // The decision on a job in review: "handover" (of handover_kinds, comma-separated) or "decline".
  std::string decision, handover_kinds, decision_note, decided_by_name;
  std::optional<int64_t> decided_by;
  std::optional<Millis> decided_at;
};
int64_t insert_trace_job(Connection& c, const TraceJob& j);
std::optional<TraceJob> find_trace_job(Connection& c, int64_t id);
PageOf<TraceJob> list_trace_jobs(Connection& c, const Page& p);
void set_trace_job_running(Connection& c, int64_t id, Millis at);
void set_trace_job_progress(Connection& c, int64_t id, double progress);
// status, counts, error, finished_at, elapsed_ms, reported_at, review_above.
void finish_trace_job(Connection& c, const TraceJob& j);
// Records the decision on a job in review (status becomes "running" for a hand-over, "done" for a
// decline). False, and nothing changed, when the job is not in review (decided meanwhile).
bool decide_trace_job(Connection& c, const TraceJob& j);
// Jobs left queued or running by a server that stopped: failed ("interrupted"), except those handing
// over after a decision, which are returned to be resumed.
int64_t fail_unfinished_trace_jobs(Connection& c, Millis at);
std::vector<int64_t> trace_jobs_handing_over(Connection& c);
// Jobs waiting for a decision on their hand-over (status review), and the contacts they list.
struct JobsInReview {
  int64_t jobs = 0, contacts = 0;
};
JobsInReview trace_jobs_in_review(Connection& c);

struct TraceContactRow {
  int64_t job_id = 0, person_id = 0;
  std::string kind;
  Millis first_exposure = 0, last_exposure = 0;
  int64_t via_person_id = 0;
  std::string setting;
  int64_t place_id = 0;
  std::string evidence_json;
  // Joined for display (not stored with the contact).
  std::string name, id_masked, division_path, division_name, manage_status;
};
void insert_trace_contacts(Connection& c, const std::vector<TraceContactRow>& rows);
struct TraceContactFilter {
  std::string kind;          // "" = all
  std::optional<int64_t> via;
  std::string within_path;   // jurisdiction / district: persons.division_path prefix
  std::optional<int64_t> person_id;
  std::string name;  // "" = all; else the contacts whose name begins so
};
// Fills name, id_masked, division and manage_status of rows not read from the store.
void fill_contact_people(Connection& c, std::vector<TraceContactRow>& rows);
// Every contact of a job that passes the filter: close, then secondary, then
// companion; by person id within each.
std::vector<TraceContactRow> list_trace_contacts(Connection& c, int64_t job_id, const TraceContactFilter& f);
// One page of them, in the same order, and how many pass the filter.
PageOf<TraceContactRow> page_trace_contacts(Connection& c, int64_t job_id, const TraceContactFilter& f, const Page& p);
// Up to `limit` contacts of one tier after `after_person` by person id, without their evidence or the
// persons' details (what a hand-over needs, read in steps).
std::vector<TraceContactRow> trace_contacts_after(Connection& c, int64_t job_id, const std::string& kind,
                                                  int64_t after_person, int64_t limit);

}  // namespace epinet::store
