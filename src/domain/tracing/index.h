// The trace index: every venue stay, coach seat and household over the
// retention window, in memory, answering "who met this person between these
// times" without touching the store.
//
// Layout: stays live in buckets, one per (venue, UTC day of entry), sorted by
// entry time; a stay is 12 bytes (compact person number, entry as
// milliseconds into the bucket's day, duration in milliseconds). Each person
// has a list of the buckets they have stays in (4 bytes a posting). Person
// and venue ids are mapped to dense 32-bit numbers.
//
// Not thread-safe: the owner serializes writers against readers (see
// service/tracing.h). Its answers equal store::SqlContactSource's on the
// same data (tests/integration/tracing.test.mjs checks that).
#pragma once
#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "domain/tracing/rules.h"

namespace epinet::domain::tracing {

// A stay lasts at most this long (an entry and exit further apart count as
// this long); the store's reference query applies the same cap.
inline constexpr Millis kLongestStay = kDay;

// The UTC day a time falls in (days since 1970-01-01, negative before).
inline int32_t day_number(Millis t) { return static_cast<int32_t>(t >= 0 ? t / kDay : -((-t + kDay - 1) / kDay)); }

struct TraceResult;
struct IndexCase;
// When a close contact was put under control (its secondary window ends
// there): the time, or the trace's `now` when not yet.
using ControlTime = std::function<Millis(int64_t person_id)>;
// Fraction done, 0…1.
using Progress = std::function<void(double)>;

// Where exposures come from: the in-memory index, or the SQL reference query.
class ContactSource {
 public:
  virtual ~ContactSource() = default;
  // Appends to `out` every exposure of another person to `person` during
  // [from, to] (closed), by the rules: venue meetings (kClose or kCompanion),
  // coach seats and household members (kClose). Nothing when from > to.
  virtual void exposures(int64_t person, Millis from, Millis to, const Rules& rules,
                         std::vector<Exposure>& out) const = 0;
  // The whole trace (see trace() in trace.h). The default asks exposures()
  // person by person: the reference every faster engine must equal.
  virtual TraceResult trace(const std::vector<IndexCase>& cases, const Rules& rules, const ControlTime& control,
                            const Progress& progress) const;
};

struct TripInfo {
  int64_t id = 0;
  std::string vehicle;
  Millis departure = 0, arrival = 0;
};

struct SeatInfo {
  int64_t trip_id = 0;
  int64_t person_id = 0;
  int row = 0, col = 0;  // row 0 for the crew
  bool crew = false;
};

class TraceIndex : public ContactSource {
 public:
  TraceIndex();
  void add_venue(int64_t venue_id, const std::string& type);
  // Adds or moves a person to a household (0: none known).
  void add_person(int64_t person_id, int64_t household_id);
  // An entry that passed; `out` is its exit when known (else the venue
  // type's default stay length applies at query time).
  void add_stay(int64_t person_id, int64_t venue_id, Millis in, std::optional<Millis> out);
  // An exit: closes the person's latest open stay at the venue entered in
  // (out − 24 h, out] — what store::close_stay does. False when none was open.
  bool close_stay(int64_t person_id, int64_t venue_id, Millis out);
  // Whether the person has a stay at the venue entered at `in`.
  bool has_stay(int64_t person_id, int64_t venue_id, Millis in) const;
  void add_trip(const TripInfo& trip);
  // The trip must have been added.
  void add_seat(const SeatInfo& seat);
  // A bulk load: until compact(), stays are appended as they come and
  // compact() puts each bucket in time order once (no query meanwhile).
  void begin_load() { loading_ = true; }
  // Gives back the spare capacity of a bulk build (call after loading).
  void compact();
  // Drops stays entered before `cutoff` and trips that departed before it.
  void purge_before(Millis cutoff);

  size_t stay_count() const { return stays_; }
  size_t person_count() const { return person_ids_.size(); }
  size_t trip_count() const { return trips_.size(); }
  // Bytes held by the stay buckets' records alone, and by everything.
  size_t stay_bytes() const;
  size_t total_bytes() const;

  void exposures(int64_t person, Millis from, Millis to, const Rules& rules, std::vector<Exposure>& out) const override;
  // The sweep (sweep.cpp): every venue touched is swept once per tier, its
  // stays against all the sources' stays there at once, so a trace costs
  // about the stays it lists, and a trace whose close contacts span the city
  // reads each venue once instead of once per close contact. Equals the
  // reference (ContactSource::trace) result for result.
  TraceResult trace(const std::vector<IndexCase>& cases, const Rules& rules, const ControlTime& control,
                    const Progress& progress) const override;
  // How the close contacts' own stays are found for the secondary tier:
  // through their postings (sparse) or by reading every venue (dense).
  // Chosen by estimated cost unless set (tests and benchmarks set it).
  enum class SecondaryScan { kAuto, kSparse, kDense };
  SecondaryScan secondary_scan = SecondaryScan::kAuto;
  // Threads the dense sweep and the building of a result may use (1 or 2).
  size_t trace_threads = 2;
  // Exposures from which a result is built on two threads (below, a second
  // thread costs more than it saves). Tests set 0.
  size_t two_thread_result_from = 50'000;

 private:
  friend class Sweep;
  friend struct TraceScratch;
  struct PackedStay {  // 12 bytes
    uint32_t person;
    uint32_t in_ms;   // since the bucket's day start
    uint32_t dur_ms;  // kOpen: no exit yet
  };
  static constexpr uint32_t kOpen = 0xffffffffu;
  struct Bucket {
    uint32_t venue = 0;
    int32_t day = 0;
    std::vector<PackedStay> stays;
  };
  struct Venue {
    int64_t id = 0;
    std::string type;
    uint32_t max_dur = 0;   // longest closed stay
    bool has_open = false;  // some stay has no exit
  };
  // One of a person's stays as the person's postings find it: its bucket and the part of the day it
  // began in (one of 256, 5 5/8 minutes each). A bucket's stays are sorted by entry, so the stay is a
  // binary search away, among the few that began in the same part; a trace reads no other stay of the
  // bucket to find the index case's own (a day at a transport hub is tens of thousands of stays).
  // 5 bytes.
#pragma pack(push, 1)
  struct Posting {
    uint32_t bucket;
    uint8_t part;
  };
#pragma pack(pop)
  static_assert(sizeof(Posting) == 5);
  static constexpr uint32_t kPartMs = 337'500;  // a day / 256
  static uint8_t part_of(uint32_t in_ms) { return static_cast<uint8_t>(in_ms / kPartMs); }
  // f(stay) for each stay of person p in a bucket that began in the given part of its day.
  template <class S, class F>
  static void stays_in_part(S& stays, uint32_t p, uint8_t part, const F& f) {
    const uint32_t from = uint32_t{part} * kPartMs, to = from + kPartMs;
    auto it =
        std::lower_bound(stays.begin(), stays.end(), from, [](const PackedStay& x, uint32_t t) { return x.in_ms < t; });
    for (; it != stays.end() && it->in_ms < to; ++it)
      if (it->person == p) f(*it);
  }
  // A person's postings sorted by bucket and part, each once (into `out`).
  void sorted_postings(uint32_t p, std::vector<Posting>& out) const;

  struct Seat {
    uint32_t person;
    int16_t row, col;
    bool crew;
  };
  struct Trip {
    TripInfo info;
    std::vector<Seat> seats;
  };

  uint32_t person_slot(int64_t person_id);
  std::optional<uint32_t> find_person(int64_t person_id) const;
  uint32_t venue_slot(int64_t venue_id);
  const Bucket* find_bucket(uint32_t venue, int32_t day) const;
  Millis venue_reach(const Venue& v, const Rules& rules) const;  // longest stay, defaults included

  // Whether a person has a trip (a quick test before the trips_of_ lookup).
  bool on_trip(uint32_t p) const { return p < on_trip_.size() && on_trip_[p]; }
  // A venue's buckets, by day.
  void note_bucket(uint32_t venue, uint32_t bucket);

  std::vector<int64_t> person_ids_;
  std::unordered_map<int64_t, uint32_t> person_slots_;
  std::vector<uint32_t> household_of_;                     // by person slot: household number + 1; 0 = none
  std::vector<int64_t> household_ids_;                     // household number → id
  std::vector<std::vector<uint32_t>> members_;             // household number → person slots
  std::unordered_map<int64_t, uint32_t> household_slots_;  // id → household number
  std::vector<std::vector<Posting>> postings_;             // person slot → its stays
  std::vector<Venue> venues_;
  std::unordered_map<int64_t, uint32_t> venue_slots_;
  std::vector<std::vector<uint32_t>> venue_buckets_;  // venue slot → bucket numbers by day
  std::vector<Bucket> buckets_;
  std::unordered_map<uint64_t, uint32_t> bucket_of_;  // (venue slot << 32 | day) → bucket number
  std::vector<Trip> trips_;
  std::unordered_map<int64_t, uint32_t> trip_slots_;
  std::unordered_map<uint32_t, std::vector<uint32_t>> trips_of_;  // person slot → trip numbers
  std::vector<bool> on_trip_;                                     // person slot → has trips_of_
  size_t stays_ = 0;
  bool ids_ascending_ = true;
  bool loading_ = false;  // person ids grow with their slots (order by slot = order by id)
  // Per-trace working memory (marks per person), kept between traces.
  struct ScratchPool;
  std::shared_ptr<ScratchPool> scratch_;
};

}  // namespace epinet::domain::tracing
