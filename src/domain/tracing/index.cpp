#include "domain/tracing/index.h"

#include <algorithm>

#include "domain/tracing/scratch.h"

namespace epinet::domain::tracing {
namespace {

int32_t day_of(Millis t) { return day_number(t); }

uint64_t bucket_key(uint32_t venue, int32_t day) {
  return (static_cast<uint64_t>(venue) << 32) | static_cast<uint32_t>(day);
}

}  // namespace

TraceIndex::TraceIndex() : scratch_(std::make_shared<ScratchPool>()) {}

uint32_t TraceIndex::person_slot(int64_t person_id) {
  auto [it, added] = person_slots_.try_emplace(person_id, static_cast<uint32_t>(person_ids_.size()));
  if (added) {
    if (!person_ids_.empty() && person_id < person_ids_.back()) ids_ascending_ = false;
    person_ids_.push_back(person_id);
    household_of_.push_back(0);
    postings_.emplace_back();
  }
  return it->second;
}

std::optional<uint32_t> TraceIndex::find_person(int64_t person_id) const {
  auto it = person_slots_.find(person_id);
  if (it == person_slots_.end()) return std::nullopt;
  return it->second;
}

uint32_t TraceIndex::venue_slot(int64_t venue_id) {
  auto [it, added] = venue_slots_.try_emplace(venue_id, static_cast<uint32_t>(venues_.size()));
  if (added) {
    venues_.push_back(Venue{venue_id, "", 0, false});
    venue_buckets_.emplace_back();
  }
  return it->second;
}

void TraceIndex::add_venue(int64_t venue_id, const std::string& type) { venues_[venue_slot(venue_id)].type = type; }

void TraceIndex::add_person(int64_t person_id, int64_t household_id) {
  uint32_t p = person_slot(person_id);
  const uint32_t old = household_of_[p];
  if ((old == 0 && household_id == 0) || (old != 0 && household_ids_[old - 1] == household_id)) return;
  if (old != 0) std::erase(members_[old - 1], p);
  household_of_[p] = 0;
  if (household_id == 0) return;
  auto [it, added] = household_slots_.try_emplace(household_id, static_cast<uint32_t>(household_ids_.size()));
  if (added) {
    household_ids_.push_back(household_id);
    members_.emplace_back();
  }
  members_[it->second].push_back(p);
  household_of_[p] = it->second + 1;
}

void TraceIndex::note_bucket(uint32_t venue, uint32_t bucket) {
  auto& list = venue_buckets_[venue];
  list.push_back(bucket);
  // Days arrive in order but for late scans: keep the list sorted by day.
  for (size_t i = list.size() - 1; i > 0 && buckets_[list[i - 1]].day > buckets_[list[i]].day; --i)
    std::swap(list[i - 1], list[i]);
}

void TraceIndex::add_stay(int64_t person_id, int64_t venue_id, Millis in, std::optional<Millis> out) {
  uint32_t p = person_slot(person_id);
  uint32_t v = venue_slot(venue_id);
  int32_t day = day_of(in);
  PackedStay s{p, static_cast<uint32_t>(in - static_cast<Millis>(day) * kDay), kOpen};
  Venue& venue = venues_[v];
  if (out) {
    s.dur_ms = static_cast<uint32_t>(std::clamp<Millis>(*out - in, 0, kLongestStay));
    venue.max_dur = std::max(venue.max_dur, s.dur_ms);
  } else {
    venue.has_open = true;
  }
  auto [it, added] = bucket_of_.try_emplace(bucket_key(v, day), static_cast<uint32_t>(buckets_.size()));
  if (added) {
    buckets_.push_back(Bucket{v, day, {}});
    note_bucket(v, it->second);
  }
  const uint32_t b = it->second;
  auto& stays = buckets_[b].stays;
  if (loading_ || stays.empty() || stays.back().in_ms <= s.in_ms) {
    stays.push_back(s);
  } else {  // a late arrival (a scan queued offline): keep the bucket sorted
    auto pos = std::upper_bound(stays.begin(), stays.end(), s.in_ms,
                                [](uint32_t t, const PackedStay& x) { return t < x.in_ms; });
    stays.insert(pos, s);
  }
  // One posting a stay, but for a repeat of one of the person's last few (a second scan in the same
  // part of the day, which the posting's lookup finds anyway).
  auto& post = postings_[p];
  const Posting x{b, part_of(s.in_ms)};
  const auto last = post.rbegin() + static_cast<std::ptrdiff_t>(std::min<size_t>(post.size(), 4));
  if (std::none_of(post.rbegin(), last, [&](const Posting& y) { return y.bucket == x.bucket && y.part == x.part; }))
    post.push_back(x);
  ++stays_;
}

void TraceIndex::sorted_postings(uint32_t p, std::vector<Posting>& out) const {
  out.assign(postings_[p].begin(), postings_[p].end());
  auto key = [](const Posting& x) { return (uint64_t{x.bucket} << 8) | x.part; };
  std::sort(out.begin(), out.end(), [&](const Posting& x, const Posting& y) { return key(x) < key(y); });
  out.erase(std::unique(out.begin(), out.end(), [&](const Posting& x, const Posting& y) { return key(x) == key(y); }),
            out.end());
}

bool TraceIndex::close_stay(int64_t person_id, int64_t venue_id, Millis out) {
  auto p = find_person(person_id);
  auto vit = venue_slots_.find(venue_id);
  if (!p || vit == venue_slots_.end()) return false;
  PackedStay* best = nullptr;
  Millis best_in = 0;
  for (const Posting& x : postings_[*p]) {
    Bucket& bucket = buckets_[x.bucket];
    if (bucket.venue != vit->second) continue;
    const Millis start = static_cast<Millis>(bucket.day) * kDay;
    if (start > out || start + kDay <= out - kLongestStay) continue;
    stays_in_part(bucket.stays, *p, x.part, [&](PackedStay& s) {
      if (s.dur_ms != kOpen) return;
      const Millis in = start + s.in_ms;
      if (in <= out && in > out - kLongestStay && (!best || in > best_in)) {
        best = &s;
        best_in = in;
      }
    });
  }
  if (!best) return false;
  best->dur_ms = static_cast<uint32_t>(std::clamp<Millis>(out - best_in, 0, kLongestStay));
  auto& venue = venues_[vit->second];
  venue.max_dur = std::max(venue.max_dur, best->dur_ms);
  return true;
}

bool TraceIndex::has_stay(int64_t person_id, int64_t venue_id, Millis in) const {
  auto p = find_person(person_id);
  auto v = venue_slots_.find(venue_id);
  if (!p || v == venue_slots_.end()) return false;
  const Bucket* b = find_bucket(v->second, day_of(in));
  if (!b) return false;
  const Millis start = static_cast<Millis>(b->day) * kDay;
  return std::any_of(b->stays.begin(), b->stays.end(),
                     [&](const PackedStay& s) { return s.person == *p && start + s.in_ms == in; });
}

void TraceIndex::add_trip(const TripInfo& trip) {
  auto [it, added] = trip_slots_.try_emplace(trip.id, static_cast<uint32_t>(trips_.size()));
  if (added)
    trips_.push_back(Trip{trip, {}});
  else
    trips_[it->second].info = trip;
}

void TraceIndex::add_seat(const SeatInfo& seat) {
  auto it = trip_slots_.find(seat.trip_id);
  if (it == trip_slots_.end()) return;
  uint32_t p = person_slot(seat.person_id);
  auto& seats = trips_[it->second].seats;
  for (auto& s : seats)
    if (s.person == p) {  // moved seats: the manifest's last word
      s = Seat{p, static_cast<int16_t>(seat.row), static_cast<int16_t>(seat.col), seat.crew};
      return;
    }
  seats.push_back(Seat{p, static_cast<int16_t>(seat.row), static_cast<int16_t>(seat.col), seat.crew});
  trips_of_[p].push_back(it->second);
  if (on_trip_.size() <= p) on_trip_.resize(person_ids_.size());
  on_trip_[p] = true;
}

void TraceIndex::compact() {
  if (loading_) {
    for (auto& b : buckets_)
      std::stable_sort(b.stays.begin(), b.stays.end(),
                       [](const PackedStay& x, const PackedStay& y) { return x.in_ms < y.in_ms; });
    loading_ = false;
  }
  for (auto& b : buckets_) b.stays.shrink_to_fit();
  for (auto& p : postings_) p.shrink_to_fit();
  for (auto& v : venue_buckets_) v.shrink_to_fit();
  buckets_.shrink_to_fit();
}

void TraceIndex::purge_before(Millis cutoff) {
  bool emptied = false;
  for (uint32_t b = 0; b < buckets_.size(); ++b) {
    Bucket& bucket = buckets_[b];
    if (bucket.stays.empty()) continue;
    const Millis start = static_cast<Millis>(bucket.day) * kDay;
    if (start >= cutoff) continue;
    auto keep = std::lower_bound(bucket.stays.begin(), bucket.stays.end(), cutoff - start,
                                 [](const PackedStay& x, Millis t) { return static_cast<Millis>(x.in_ms) < t; });
    stays_ -= static_cast<size_t>(keep - bucket.stays.begin());
    bucket.stays.erase(bucket.stays.begin(), keep);
    if (bucket.stays.empty()) {
      bucket.stays.shrink_to_fit();
      bucket_of_.erase(bucket_key(bucket.venue, bucket.day));
      emptied = true;
    }
  }
  if (emptied) {
    // Postings to emptied buckets go; the buckets are compacted away. (A posting to a stay purged
    // from a bucket still in use stays until the bucket goes: its lookup finds no stay of the person.)
    std::vector<uint32_t> renumber(buckets_.size(), UINT32_MAX);
    std::vector<Bucket> kept;
    for (uint32_t b = 0; b < buckets_.size(); ++b)
      if (!buckets_[b].stays.empty()) {
        renumber[b] = static_cast<uint32_t>(kept.size());
        kept.push_back(std::move(buckets_[b]));
      }
    buckets_ = std::move(kept);
    bucket_of_.clear();
    for (auto& list : venue_buckets_) list.clear();
    for (uint32_t b = 0; b < buckets_.size(); ++b) {
      bucket_of_[bucket_key(buckets_[b].venue, buckets_[b].day)] = b;
      note_bucket(buckets_[b].venue, b);
    }
    for (auto& post : postings_) {
      size_t w = 0;
      for (const Posting& x : post)
        if (renumber[x.bucket] != UINT32_MAX) post[w++] = {renumber[x.bucket], x.part};
      post.resize(w);
    }
  }
  if (std::any_of(trips_.begin(), trips_.end(), [&](const Trip& t) { return t.info.departure < cutoff; })) {
    std::vector<Trip> kept;
    for (auto& t : trips_)
      if (t.info.departure >= cutoff) kept.push_back(std::move(t));
    trips_ = std::move(kept);
    trip_slots_.clear();
    trips_of_.clear();
    on_trip_.assign(person_ids_.size(), false);
    for (uint32_t i = 0; i < trips_.size(); ++i) {
      trip_slots_[trips_[i].info.id] = i;
      for (const auto& s : trips_[i].seats) {
        trips_of_[s.person].push_back(i);
        on_trip_[s.person] = true;
      }
    }
  }
}

size_t TraceIndex::stay_bytes() const {
  size_t n = 0;
  for (const auto& b : buckets_) n += b.stays.capacity() * sizeof(PackedStay);
  return n;
}

size_t TraceIndex::total_bytes() const {
  size_t n = stay_bytes() + buckets_.capacity() * sizeof(Bucket) + bucket_of_.size() * 32;
  for (const auto& p : postings_) n += p.capacity() * sizeof(Posting) + sizeof(p);
  n += person_ids_.capacity() * sizeof(int64_t) + household_of_.capacity() * sizeof(uint32_t) + person_slots_.size() * 32;
  n += household_ids_.capacity() * sizeof(int64_t) + household_slots_.size() * 32;
  for (const auto& m : members_) n += m.capacity() * sizeof(uint32_t) + sizeof(m);
  for (const auto& v : venue_buckets_) n += v.capacity() * sizeof(uint32_t) + sizeof(v);
  for (const auto& t : trips_) n += sizeof(Trip) + t.seats.capacity() * sizeof(Seat);
  return n;
}

const TraceIndex::Bucket* TraceIndex::find_bucket(uint32_t venue, int32_t day) const {
  auto it = bucket_of_.find(bucket_key(venue, day));
  return it == bucket_of_.end() ? nullptr : &buckets_[it->second];
}

Millis TraceIndex::venue_reach(const Venue& v, const Rules& rules) const {
  Millis reach = v.max_dur;
  if (v.has_open) reach = std::max(reach, std::min(rules.stay_length(v.type), kLongestStay));
  return reach;
}

void TraceIndex::exposures(int64_t person, Millis from, Millis to, const Rules& rules,
                           std::vector<Exposure>& out) const {
  if (from > to) return;
  auto ps = find_person(person);
  if (!ps) return;
  const uint32_t p = *ps;
  auto length = [&](const PackedStay& s, const Venue& v) -> Millis {
    return s.dur_ms == kOpen ? std::min(rules.stay_length(v.type), kLongestStay) : static_cast<Millis>(s.dur_ms);
  };

  // The person's own stays within the window, clipped to it.
  struct Own {
    uint32_t venue;
    Millis a, b;
  };
  std::vector<Own> own;
  // (Every stay of each bucket read, not the postings' parts of the day: the reference the sweep is checked
  // against finds the person's stays by the bucket alone.)
  std::vector<uint32_t> buckets;
  for (const Posting& x : postings_[p])
    buckets.push_back(uint32_t{x.bucket});  // a copy: the packed field is not aligned
  std::sort(buckets.begin(), buckets.end());
  buckets.erase(std::unique(buckets.begin(), buckets.end()), buckets.end());
  for (uint32_t b : buckets) {
    const Bucket& bucket = buckets_[b];
    const Venue& v = venues_[bucket.venue];
    const Millis start = static_cast<Millis>(bucket.day) * kDay;
    if (start > to || start + kDay + venue_reach(v, rules) < from) continue;
    for (const auto& s : bucket.stays) {
      if (s.person != p) continue;
      Millis in = start + s.in_ms, o = in + length(s, v);
      if (in <= to && o >= from) own.push_back({bucket.venue, std::max(in, from), std::min(o, to)});
    }
  }

  // Everyone else's stays at those venues that reach the widened stays.
  for (const Own& x : own) {
    const Venue& v = venues_[x.venue];
    const bool close_type = rules.close_type(v.type);
    const Millis lo = x.a - rules.buffer - venue_reach(v, rules), hi = x.b + rules.buffer;
    for (int32_t day = day_of(lo); day <= day_of(hi); ++day) {
      const Bucket* bucket = find_bucket(x.venue, day);
      if (!bucket) continue;
      const Millis start = static_cast<Millis>(day) * kDay;
      auto it = std::lower_bound(bucket->stays.begin(), bucket->stays.end(), lo - start,
                                 [](const PackedStay& s, Millis t) { return static_cast<Millis>(s.in_ms) < t; });
      for (; it != bucket->stays.end(); ++it) {
        const Millis in = start + it->in_ms;
        if (in > hi) break;
        if (it->person == p) continue;
        const Meeting m = venue_meeting(x.a, x.b, in, in + length(*it, v), rules.buffer);
        if (!m.met) continue;
        Exposure e;
        e.person_id = person_ids_[it->person];
        e.via = person;
        e.kind = meeting_is_close(m, rules, close_type) ? ContactKind::kClose : ContactKind::kCompanion;
        e.setting = Setting::kVenue;
        e.place_id = v.id;
        e.from = m.from;
        e.to = m.to;
        e.overlap = m.overlap;
        e.via_from = x.a;
        e.contact_in = in;
        out.push_back(e);
      }
    }
  }

  // Coach trips.
  if (auto t = on_trip(p) ? trips_of_.find(p) : trips_of_.end(); t != trips_of_.end()) {
    for (uint32_t ti : t->second) {
      const Trip& trip = trips_[ti];
      if (trip.info.departure > to || trip.info.arrival < from) continue;
      const Seat* mine = nullptr;
      for (const auto& s : trip.seats)
        if (s.person == p) mine = &s;
      if (!mine) continue;
      for (const auto& s : trip.seats) {
        if (s.person == p || !seat_contact(mine->row, mine->crew, s.row, s.crew, rules.row_span)) continue;
        Exposure e;
        e.person_id = person_ids_[s.person];
        e.via = person;
        e.setting = Setting::kTrip;
        e.place_id = trip.info.id;
        e.from = trip.info.departure;
        e.to = trip.info.arrival;
        e.overlap = trip.info.arrival - trip.info.departure;
        e.seat_row = s.row;
        e.seat_col = s.col;
        e.via_from = e.contact_in = trip.info.departure;
        out.push_back(e);
      }
    }
  }

  // The household.
  if (uint32_t h = household_of_[p]; h != 0)
    for (uint32_t q : members_[h - 1]) {
      if (q == p) continue;
      Exposure e;
      e.person_id = person_ids_[q];
      e.via = person;
      e.setting = Setting::kHousehold;
      e.place_id = household_ids_[h - 1];
      e.from = from;
      e.to = to;
      e.overlap = to - from;
      e.via_from = from;
      out.push_back(e);
    }
}

}  // namespace epinet::domain::tracing
