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
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "domain/tracing/rules.h"

namespace epinet::domain::tracing {

// A stay lasts at most this long (an entry and exit further apart count as
// this long); the store's reference query applies the same cap.
inline constexpr Millis kLongestStay = kDay;

// Where exposures come from: the in-memory index, or the SQL reference query.
class ContactSource {
 public:
  virtual ~ContactSource() = default;
  // Appends to `out` every exposure of another person to `person` during
  // [from, to] (closed), by the rules: venue meetings (kClose or kCompanion),
  // coach seats and household members (kClose). Nothing when from > to.
  virtual void exposures(int64_t person, Millis from, Millis to, const Rules& rules,
                         std::vector<Exposure>& out) const = 0;
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

  void exposures(int64_t person, Millis from, Millis to, const Rules& rules,
                 std::vector<Exposure>& out) const override;

 private:
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

  std::vector<int64_t> person_ids_;
  std::unordered_map<int64_t, uint32_t> person_slots_;
  std::vector<int64_t> households_;                           // by person slot; 0 = none
  std::unordered_map<int64_t, std::vector<uint32_t>> members_;  // household → person slots
  std::vector<std::vector<uint32_t>> postings_;               // person slot → bucket numbers
  std::vector<Venue> venues_;
  std::unordered_map<int64_t, uint32_t> venue_slots_;
  std::vector<Bucket> buckets_;
  std::unordered_map<uint64_t, uint32_t> bucket_of_;  // (venue slot << 32 | day) → bucket number
  std::vector<Trip> trips_;
  std::unordered_map<int64_t, uint32_t> trip_slots_;
  std::unordered_map<uint32_t, std::vector<uint32_t>> trips_of_;  // person slot → trip numbers
  size_t stays_ = 0;
};

}  // namespace epinet::domain::tracing
