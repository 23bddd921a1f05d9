// The trace index's own trace: a sweep per venue.
//
// A tier is traced from a set of sources (the index cases, then the close
// contacts), each with a window. Their stays at each venue, clipped to their
// windows, are sorted by start: "intervals". Every other stay at that venue
// that could reach an interval is visited once, in entry order, and a
// running pointer over the intervals' ends finds the first interval it meets
// (its earliest-starting source is the evidence) while the largest end among
// the intervals that began before the stay ended gives its last exposure.
// So a venue costs its intervals plus the stays visited, however many sources
// were there, and a contact stay is looked at once. With a minimum overlap at
// a venue of close interaction, a stay is checked against each interval it
// reaches (exact, slower; not the default).
//
// Few sources (an index case, a few hundred close contacts) find their own
// stays through their postings; many (close contacts across a city) are found
// by reading every venue's buckets once with a bitset of sources.
//
// Each person met gets a contact number the first time (a mark per person
// slot), so that the strongest tier wins and the evidence is grouped by
// contact. A trace of one tier (no secondary contacts) marks nobody: it keeps
// every exposure with the person's slot, sorts them by (person, tier) and
// writes each person's rows of its strongest tier in one pass. A single case
// listing tens of thousands of contacts then reads no scattered mark at all
// (docs/benchmarks.md, "The heaviest single cases").
#include <algorithm>
#include <exception>
#include <limits>
#include <thread>

#include "domain/tracing/index.h"
#include "domain/tracing/scratch.h"
#include "domain/tracing/trace.h"

namespace epinet::domain::tracing {
namespace {

// One stable pass of a radix sort on `bits` bits from `shift` up.
void radix_sort(std::vector<uint64_t>& v, std::vector<uint64_t>& tmp, std::vector<uint32_t>& count, int shift,
                int bits) {
  const size_t buckets = size_t{1} << bits;
  count.assign(buckets + 1, 0);
  for (uint64_t x : v) ++count[((x >> shift) & (buckets - 1)) + 1];
  for (size_t b = 0; b < buckets; ++b) count[b + 1] += count[b];
  reserve_huge(tmp, v.size());
  tmp.resize(v.size());
  for (uint64_t x : v) tmp[count[(x >> shift) & (buckets - 1)]++] = x;
  v.swap(tmp);
}

bool interval_less(const Interval& x, const Interval& y) {
  return std::tie(x.a, x.via_key, x.b) < std::tie(y.a, y.via_key, y.b);
}

}  // namespace

class Sweep {
 public:
  Sweep(const TraceIndex& ix, const Rules& rules, TraceScratch& s) : ix_(ix), rules_(rules), s_(s) {}

  TraceResult run(const std::vector<IndexCase>& cases, const ControlTime& control, const Progress& progress) {
    const size_t persons = ix_.person_ids_.size();
    s_.begin(persons);
    const double first_share = rules_.secondary ? 0.5 : 1.0;
    // One tier: exposures are kept by person and grouped by sorting them (finish_by_person).
    by_person_ = !rules_.secondary && ix_.ids_ascending_ && persons < (size_t{1} << 24);

    // Tier 1: the index cases. Index persons are never contacts.
    struct Src {
      uint32_t p;
      Window w;
    };
    std::vector<Src> srcs;
    for (const auto& c : cases)
      if (auto p = ix_.find_person(c.person_id)) {
        s_.mark(*p, kIndexSlot);
        s_.set(s_.excluded, *p);
        srcs.push_back({*p, c.window});
      }
    auto& vi = s_.vi;
    for (const auto& x : srcs) own_stays(x.p, x.w.from, x.w.to, vi);
    sweep_sparse(vi, false, [&](double f) {
      if (progress) progress(first_share * 0.9 * f);
    });
    for (const auto& x : srcs) household(x.p, x.w.from, x.w.to, ContactKind::kClose);
    for (const auto& x : srcs) trips(x.p, x.w.from, x.w.to);
    emit_trips(ContactKind::kClose);
    if (progress) progress(first_share);

    if (rules_.secondary) {
      // Tier 2: the close contacts, from their first exposure until their control.
      const size_t n = s_.found.size();
      auto& firsts = s_.firsts;  // each close contact's first exposure
      reserve_huge(firsts, n);
      firsts.assign(n, std::numeric_limits<Millis>::max());
      s_.evs.each([&](const Ev& e, size_t) {
        if (e.kind == s_.kind_of[e.contact]) firsts[e.contact] = std::min(firsts[e.contact], e.from);
      });
      std::vector<Src> close;
      for (uint32_t c = 0; c < n; ++c)
        if (s_.kind_of[c] == ContactKind::kClose) {
          const uint32_t p = s_.found[c].person;
          close.push_back({p, {firsts[c], control(ix_.person_ids_[p])}});
          s_.set(s_.excluded, p);
        }
      auto part = [&](double f) {
        if (progress) progress(first_share + (1 - first_share) * 0.9 * f);
      };
      // Sparse costs about the stays of every bucket a close contact has a
      // posting in; dense reads every stay twice.
      const double per_bucket = ix_.buckets_.empty() ? 0 : double(ix_.stays_) / double(ix_.buckets_.size());
      const double per_person = persons == 0 ? 0 : double(ix_.stays_) / double(persons);
      const bool sparse = ix_.secondary_scan == TraceIndex::SecondaryScan::kAuto
                              ? double(close.size()) * per_person * per_bucket < 2.0 * double(ix_.stays_)
                              : ix_.secondary_scan == TraceIndex::SecondaryScan::kSparse;
      if (sparse) {
        vi.clear();
        for (const auto& x : close) own_stays(x.p, x.w.from, x.w.to, vi);
        sweep_sparse(vi, true, part);
      } else {
        reserve_huge(s_.person_window, persons, Lifetime::kKept);
        s_.person_window.resize(persons);
        for (const auto& x : close) {
          s_.set(s_.source, x.p);
          s_.person_window[x.p] = x.w;
        }
        sweep_dense(part);
      }
      for (const auto& x : close) household(x.p, x.w.from, x.w.to, ContactKind::kSecondary);
      for (const auto& x : close) trips(x.p, x.w.from, x.w.to);
      emit_trips(ContactKind::kSecondary);
    }
    TraceResult r = by_person_ ? finish_by_person() : finish();
    if (progress) progress(1.0);
    return r;
  }

 private:
  using Stay = TraceIndex::PackedStay;

  // Orders persons as their ids do: the slot itself when slots follow ids.
  int64_t key(uint32_t p) const { return ix_.ids_ascending_ ? static_cast<int64_t>(p) : ix_.person_ids_[p]; }

  // How long a stay without an exit lasts at a venue (a lookup by the venue's type: once per venue,
  // not once per stay).
  Millis open_length(const TraceIndex::Venue& v) const { return std::min(rules_.stay_length(v.type), kLongestStay); }
  static Millis length(const Stay& s, Millis open) {
    return s.dur_ms == TraceIndex::kOpen ? open : static_cast<Millis>(s.dur_ms);
  }

  // A person's stays within [from, to], clipped to it.
  void own_stays(uint32_t p, Millis from, Millis to, std::vector<VenueInterval>& out) {
    if (from > to) return;
    ix_.sorted_postings(p, s_.postings_tmp);
    const auto& post = s_.postings_tmp;
    const int64_t id = key(p);
    for (size_t i = 0, j = 0; i < post.size(); i = j) {  // a bucket's postings, [i, j)
      const uint32_t b = post[i].bucket;
      j = i + 1;
      while (j < post.size() && post[j].bucket == b) ++j;
      const auto& bucket = ix_.buckets_[b];
      const auto& v = ix_.venues_[bucket.venue];
      const Millis start = static_cast<Millis>(bucket.day) * kDay;
      if (start > to || start + kDay + ix_.venue_reach(v, rules_) < from) continue;
      const Millis open = open_length(v);
      for (size_t k = i; k < j; ++k)
        TraceIndex::stays_in_part(bucket.stays, p, post[k].part, [&](const Stay& s) {
          const Millis in = start + s.in_ms, o = in + length(s, open);
          if (in <= to && o >= from) out.push_back({bucket.venue, {std::max(in, from), std::min(o, to), id, p}});
        });
    }
  }

  template <class F>
  void sweep_sparse(std::vector<VenueInterval>& vi, bool secondary, const F& part) {
    std::sort(vi.begin(), vi.end(), [](const VenueInterval& x, const VenueInterval& y) {
      if (x.venue != y.venue) return x.venue < y.venue;
      return interval_less(x.i, y.i);
    });
    size_t done = 0;
    for (size_t g = 0; g < vi.size();) {
      size_t e = g;
      auto& w = s_.work[0];
      w.intervals.clear();
      while (e < vi.size() && vi[e].venue == vi[g].venue) w.intervals.push_back(vi[e++].i);
      auto emit = [&](uint32_t p, const Ev& ev) { meet(p, ev); };
      if (by_person_)
        venue<false>(vi[g].venue, secondary, w, emit);
      else
        venue<true>(vi[g].venue, secondary, w, emit);
      g = e;
      if (++done % 256 == 0) part(double(g) / double(vi.size()));
    }
  }

  // Every close contact's stays at every venue of close interaction, read
  // venue by venue, on up to two threads (venues split by their stays): each
  // keeps what it met in order, and the exposures are then recorded on this
  // thread, the first part's before the second's.
  template <class F>
  void sweep_dense(const F& part) {
    const auto nv = static_cast<uint32_t>(ix_.venues_.size());
    const size_t threads = std::clamp<size_t>(ix_.trace_threads, 1, 2);
    if (threads == 1 || nv < 2) {
      for (uint32_t v = 0; v < nv; ++v) {
        dense_venue(v, s_.work[0], [&](uint32_t p, const Ev& ev) { meet(p, ev); });
        if (v % 512 == 0) part(double(v) / double(nv));
      }
      return;
    }
    // The split: half the stays on each side.
    uint32_t split = nv;
    {
      size_t total = ix_.stays_, seen = 0;
      for (uint32_t v = 0; v < nv && split == nv; ++v) {
        for (uint32_t b : ix_.venue_buckets_[v]) seen += ix_.buckets_[b].stays.size();
        if (seen * 2 >= total) split = v + 1;
      }
    }
    auto& hits = s_.hits;  // the second part's: person in Ev::contact
    hits.clear();
    std::exception_ptr failed;
    std::thread other([&] {
      try {
        for (uint32_t v = split; v < nv; ++v)
          dense_venue(v, s_.work[1], [&](uint32_t p, Ev ev) {
            ev.contact = p;
            hits.push_back(ev);
          });
      } catch (...) {
        failed = std::current_exception();
      }
    });
    try {
      for (uint32_t v = 0; v < split; ++v) {
        dense_venue(v, s_.work[0], [&](uint32_t p, const Ev& ev) { meet(p, ev); });
        if (v % 512 == 0) part(0.5 * double(v) / double(split));
      }
    } catch (...) {
      other.join();
      throw;
    }
    other.join();
    if (failed) std::rethrow_exception(failed);
    // The second part's exposures stay where they are: each gets its contact number in place (or is
    // dropped), in the order meet() would have seen them.
    const size_t n = hits.size();
    for (size_t i = 0; i < n; ++i) {
      if (i + 16 < n) __builtin_prefetch(&s_.marks[hits[i + 16].contact]);
      Ev& e = hits[i];
      const uint32_t c = contact(e.contact, e.kind);
      if (c == kNoContact)
        e.kind = kDropped;
      else
        e.contact = c;
    }
  }

  // An exposure of the dense sweep's second part that meet() would not have kept.
  static constexpr auto kDropped = static_cast<ContactKind>(0xff);
  // The exposures kept, numbered: meet()'s, then the dense sweep's second part's. Those numbered
  // [lo, hi), but for the dropped ones.
  size_t ev_count() const { return s_.evs.size() + s_.hits.size(); }
  template <class F>
  void each_ev(size_t lo, size_t hi, const F& f) const {
    const size_t ne = s_.evs.size();
    if (lo < ne) s_.evs.each(lo, std::min(hi, ne), [&](const Ev& e, size_t) { f(e); });
    if (hi > ne)
      s_.hits.each(lo > ne ? lo - ne : 0, hi - ne, [&](const Ev& e, size_t) {
        if (e.kind != kDropped) f(e);
      });
  }

  // One venue of the dense sweep: the close contacts' stays there as
  // intervals, then the sweep. A venue's buckets give entries in time order,
  // so the intervals come sorted but for those clipped by their window's
  // start (kept aside, sorted and merged in) and equal starts (ordered after).
  template <class Emit>
  void dense_venue(uint32_t v, VenueWork& w, const Emit& emit) const {
    const auto& venue_info = ix_.venues_[v];
    if (!rules_.close_type(venue_info.type)) return;
    const Millis open = open_length(venue_info);
    auto& side = w.side;
    w.intervals.clear();
    side.clear();
    for (uint32_t b : ix_.venue_buckets_[v]) {
      const auto& bucket = ix_.buckets_[b];
      const Millis start = static_cast<Millis>(bucket.day) * kDay;
      const size_t m = bucket.stays.size();
      for (size_t i = 0; i < m; ++i) {
        const auto& s = bucket.stays[i];
        if (i + 16 < m) __builtin_prefetch(&s_.person_window[bucket.stays[i + 16].person]);
        if (!TraceScratch::test(s_.source, s.person)) continue;
        const Window& win = s_.person_window[s.person];
        const Millis in = start + s.in_ms, o = in + length(s, open);
        if (win.from > win.to || in > win.to || o < win.from) continue;
        (in >= win.from ? w.intervals : side)
            .push_back({std::max(in, win.from), std::min(o, win.to), key(s.person), s.person});
      }
    }
    if (w.intervals.empty() && side.empty()) return;
    if (!side.empty()) {
      std::sort(side.begin(), side.end(), interval_less);
      const size_t mid = w.intervals.size();
      w.intervals.insert(w.intervals.end(), side.begin(), side.end());
      std::inplace_merge(w.intervals.begin(), w.intervals.begin() + static_cast<std::ptrdiff_t>(mid), w.intervals.end(),
                         [](const Interval& x, const Interval& y) { return x.a < y.a; });
    }
    for (size_t i = 0; i < w.intervals.size();) {  // equal starts: by via, then end
      size_t j = i + 1;
      while (j < w.intervals.size() && w.intervals[j].a == w.intervals[i].a) ++j;
      if (j - i > 1)
        std::sort(w.intervals.begin() + static_cast<std::ptrdiff_t>(i),
                  w.intervals.begin() + static_cast<std::ptrdiff_t>(j), interval_less);
      i = j;
    }
    venue<true>(v, true, w, emit);
  }

  // The sweep of one venue against w.intervals (sorted by interval_less);
  // each stay met goes to emit(person, exposure) (contact not yet set).
  // kMarks: emit() reads the person's mark (meet() marks persons; a one-tier
  // trace keeps exposures by person and leaves out the excluded persons when
  // it groups them).
  template <bool kMarks, class Emit>
  void venue(uint32_t v, bool secondary, VenueWork& w, const Emit& emit) const {
    const auto& V = ix_.venues_[v];
    const bool close_type = rules_.close_type(V.type);
    if (secondary && !close_type) return;
    const Millis buf = rules_.buffer, min_overlap = rules_.min_overlap, reach = ix_.venue_reach(V, rules_);
    const Millis open = open_length(V);
    const bool simple = !close_type || min_overlap <= 0;
    const ContactKind kind = secondary    ? ContactKind::kSecondary
                             : close_type ? ContactKind::kClose
                                          : ContactKind::kCompanion;
    const size_t n = w.intervals.size();
    w.st.resize(n);
    w.en.resize(n);
    w.pmax.resize(n);
    for (size_t i = 0; i < n; ++i) {
      w.st[i] = w.intervals[i].a - buf;
      w.en[i] = w.intervals[i].b + buf;
      w.pmax[i] = i ? std::max(w.pmax[i - 1], w.en[i]) : w.en[i];
    }
    const auto& list = ix_.venue_buckets_[v];
    size_t bp = 0, k = 0, i = 0;
    while (i < n) {
      // The entries that could reach intervals i…: one range of entry times.
      const Millis lo = w.st[i] - reach;
      Millis hi = w.en[i];
      while (++i < n && w.st[i] - reach <= hi) hi = std::max(hi, w.en[i]);
      const int32_t d0 = day_number(lo), d1 = day_number(hi);
      while (bp < list.size() && ix_.buckets_[list[bp]].day < d0) ++bp;
      for (size_t q = bp; q < list.size() && ix_.buckets_[list[q]].day <= d1; ++q) {
        const auto& bucket = ix_.buckets_[list[q]];
        const Millis start = static_cast<Millis>(bucket.day) * kDay;
        auto it = bucket.stays.begin();
        if (lo > start)
          it = std::lower_bound(bucket.stays.begin(), bucket.stays.end(), lo - start,
                                [](const Stay& s, Millis t) { return static_cast<Millis>(s.in_ms) < t; });
        const auto stop = bucket.stays.end();
        for (; it != stop; ++it) {
          const Millis ci = start + it->in_ms;
          if (ci > hi) break;
          const uint32_t p = it->person;
          // The marks of persons a few stays on: most stays met are contacts, and their marks are far apart.
          if constexpr (kMarks) {
            if (stop - it > 8) __builtin_prefetch(&s_.marks[(it + 8)->person]);
            if (TraceScratch::test(s_.excluded, p)) continue;
          }
          while (k < n && w.pmax[k] < ci) ++k;
          if (k == n) return;  // no interval ends after this entry, nor after any later one
          const Millis co = ci + length(*it, open);
          if (w.st[k] > co) continue;
          if (simple) {
            // The last exposure: the largest end among the intervals begun by co (co itself
            // when interval k already lasts that long, the usual case).
            Millis last = co;
            if (w.en[k] < co) {
              size_t g = k, step = 1;  // gallop to the last interval begun by co
              while (g + step < n && w.st[g + step] <= co) {
                g += step;
                step *= 2;
              }
              const auto first = w.st.begin() + static_cast<std::ptrdiff_t>(g);
              const auto end = w.st.begin() + static_cast<std::ptrdiff_t>(std::min(n, g + step));
              const auto j = static_cast<size_t>(std::upper_bound(first, end, co) - w.st.begin()) - 1;
              last = std::min(co, w.pmax[j]);
            }
            emit(p, exposure(kind, w.intervals[k], ci, co, V.id, std::max(ci, w.st[k]), last));
            continue;
          }
          // A minimum overlap at a venue of close interaction: each interval decides.
          size_t first_close = n, first_any = n;
          Millis last_close = 0, last_any = 0;
          for (size_t x = k; x < n && w.st[x] <= co; ++x) {
            if (w.en[x] < ci) continue;
            const Millis to = std::min(co, w.en[x]);
            if (to - std::max(ci, w.st[x]) >= min_overlap) {
              if (first_close == n) first_close = x;
              last_close = std::max(last_close, to);
            } else if (!secondary) {
              if (first_any == n) first_any = x;
              last_any = std::max(last_any, to);
            }
          }
          if (first_close < n)
            emit(p,
                 exposure(kind, w.intervals[first_close], ci, co, V.id, std::max(ci, w.st[first_close]), last_close));
          else if (first_any < n)
            emit(p, exposure(ContactKind::kCompanion, w.intervals[first_any], ci, co, V.id,
                             std::max(ci, w.st[first_any]), last_any));
        }
      }
    }
  }

  // The exposure of a contact's stay [ci, co] to the source interval src.
  Ev exposure(ContactKind kind, const Interval& src, Millis ci, Millis co, int64_t place, Millis first,
              Millis last) const {
    Ev e;
    e.via = src.via;
    e.place = place;
    e.from = first;  // max(ci, the interval's widened start): the earliest-starting interval met
    e.to = std::min(co, src.b + rules_.buffer);
    e.overlap = std::max<Millis>(0, std::min(co, src.b) - std::max(ci, src.a));
    e.last = last;
    e.kind = kind;
    e.setting = Setting::kVenue;
    return e;
  }

  // Records an exposure of person p (unless p is listed in a stronger tier).
  void meet(uint32_t p, Ev e) {
    if (by_person_) {  // every exposure, by person: finish_by_person() keeps each person's strongest tier
      e.contact = p;
      s_.evs.push_back(e);
      return;
    }
    const uint32_t c = contact(p, e.kind);
    if (c == kNoContact) return;
    e.contact = c;
    s_.evs.push_back(e);
  }

  // The contact number of person p after an exposure of this tier
  // (kNoContact when p is listed in a stronger tier, or an index person).
  static constexpr uint32_t kNoContact = std::numeric_limits<uint32_t>::max();
  uint32_t contact(uint32_t p, ContactKind kind) {
    if (!s_.seen(p)) {
      const auto c = static_cast<uint32_t>(s_.found.size());
      s_.mark(p, c);
      s_.found.push_back({p, kNoEvidence});
      s_.kind_of.push_back(kind);
      return c;
    }
    const uint32_t c = s_.slot(p);
    if (c == kIndexSlot || kind > s_.kind_of[c]) return kNoContact;
    if (kind < s_.kind_of[c]) {  // a stronger tier: what was found before no longer counts
      s_.kind_of[c] = kind;
      s_.found[c].household_ev = kNoEvidence;
    }
    return c;
  }

  void household(uint32_t p, Millis from, Millis to, ContactKind kind) {
    if (from > to) return;
    const uint32_t h = ix_.household_of_[p];
    if (h == 0) return;
    const int64_t via_key = key(p);
    for (uint32_t q : ix_.members_[h - 1]) {
      if (q == p || TraceScratch::test(s_.excluded, q)) continue;
      if (by_person_) {  // one per contact is kept by finish_by_person()
        s_.evs.push_back(home_ev(q, p, h, from, to, kind));
        continue;
      }
      const uint32_t c = contact(q, kind);
      if (c == kNoContact) continue;
      Found* f = &s_.found[c];
      Ev e = home_ev(c, p, h, from, to, kind);
      // One household exposure per contact: the earliest window (then the lowest via);
      // its `last` is the latest of them all.
      if (f->household_ev != kNoEvidence && s_.evs[f->household_ev].kind == kind) {
        Ev& old = s_.evs[f->household_ev];
        const int64_t old_key = key(old.via);
        e.last = old.last = std::max(old.last, to);
        if (std::tie(e.from, via_key, e.to) < std::tie(old.from, old_key, old.to)) old = e;
        continue;
      }
      f->household_ev = static_cast<uint32_t>(s_.evs.size());
      s_.evs.push_back(e);
    }
  }

  Ev home_ev(uint32_t contact, uint32_t via, uint32_t h, Millis from, Millis to, ContactKind kind) const {
    Ev e;
    e.contact = contact;
    e.via = via;
    e.place = ix_.household_ids_[h - 1];
    e.from = from;
    e.to = to;
    e.overlap = to - from;
    e.last = to;
    e.kind = kind;
    e.setting = Setting::kHousehold;
    return e;
  }

  void trips(uint32_t p, Millis from, Millis to) {
    if (from > to || !ix_.on_trip(p)) return;
    auto t = ix_.trips_of_.find(p);
    if (t == ix_.trips_of_.end()) return;
    for (uint32_t ti : t->second) {
      const auto& trip = ix_.trips_[ti];
      if (trip.info.departure > to || trip.info.arrival < from) continue;
      const TraceIndex::Seat* mine = nullptr;
      for (const auto& s : trip.seats)
        if (s.person == p) mine = &s;
      if (!mine) continue;
      for (const auto& s : trip.seats) {
        if (s.person == p || TraceScratch::test(s_.excluded, s.person) ||
            !seat_contact(mine->row, mine->crew, s.row, s.crew, rules_.row_span))
          continue;
        s_.trip_hits.push_back({s.person, ti, key(p), p, s.row, s.col});
      }
    }
  }

  // One exposure per contact and trip: the lowest via.
  void emit_trips(ContactKind kind) {
    std::sort(s_.trip_hits.begin(), s_.trip_hits.end(), [](const TripHit& a, const TripHit& b) {
      return std::tie(a.person, a.trip, a.via_key) < std::tie(b.person, b.trip, b.via_key);
    });
    for (size_t i = 0; i < s_.trip_hits.size(); ++i) {
      const TripHit& h = s_.trip_hits[i];
      if (i && s_.trip_hits[i - 1].person == h.person && s_.trip_hits[i - 1].trip == h.trip) continue;
      const auto& info = ix_.trips_[h.trip].info;
      const uint32_t c = by_person_ ? h.person : contact(h.person, kind);
      if (c == kNoContact) continue;
      Ev e;
      e.contact = c;
      e.via = h.via;
      e.place = info.id;
      e.from = info.departure;
      e.to = info.arrival;
      e.overlap = info.arrival - info.departure;
      e.last = info.arrival;
      e.row = h.row;
      e.col = h.col;
      e.kind = kind;
      e.setting = Setting::kTrip;
      s_.evs.push_back(e);
    }
    s_.trip_hits.clear();
  }

  TraceResult finish() {
    const auto n = static_cast<uint32_t>(s_.found.size());
    // Contacts by (tier, person id): their rank.
    auto& order = s_.order;
    order.clear();
    reserve_huge(order, n);
    if (ix_.ids_ascending_ && n > ix_.person_ids_.size() / 32) {
      // Most persons are contacts: read the marks in slot (= id) order, a tier at a time.
      for (ContactKind k : {ContactKind::kClose, ContactKind::kSecondary, ContactKind::kCompanion})
        for (uint32_t p = 0; p < ix_.person_ids_.size(); ++p)
          if (s_.seen(p) && s_.slot(p) != kIndexSlot && s_.kind_of[s_.slot(p)] == k) order.push_back(s_.slot(p));
    } else if (ix_.ids_ascending_ && ix_.person_ids_.size() < (size_t{1} << 24)) {
      // (tier, slot) above the contact number; two passes of a radix sort on the 26 bits above.
      auto& keys = s_.keys;
      reserve_huge(keys, n);
      keys.resize(n);
      for (uint32_t c = 0; c < n; ++c)
        keys[c] = (static_cast<uint64_t>(s_.kind_of[c]) << 56) | (static_cast<uint64_t>(s_.found[c].person) << 32) | c;
      radix_sort(keys, s_.keys_tmp, s_.radix_count, 32, 13);
      radix_sort(keys, s_.keys_tmp, s_.radix_count, 45, 13);
      for (uint64_t x : keys) order.push_back(static_cast<uint32_t>(x));
    } else {
      std::vector<std::pair<std::pair<ContactKind, int64_t>, uint32_t>> keyed(n);
      for (uint32_t c = 0; c < n; ++c) keyed[c] = {{s_.kind_of[c], key(s_.found[c].person)}, c};
      std::sort(keyed.begin(), keyed.end());
      for (const auto& x : keyed) order.push_back(x.second);
    }
    auto& rank = s_.rank;
    reserve_huge(rank, n);
    rank.resize(n);
    for (uint32_t r = 0; r < n; ++r) rank[order[r]] = r;
    // Evidence of each contact's final tier, placed by rank (a counting sort). A large result is built
    // on two threads, each counting and placing half the exposures (the second half's rows after the
    // first's, so the order is the one thread's), then each ordering the evidence of half the contacts.
    const size_t total = ev_count();
    const bool two = ix_.trace_threads >= 2 && total >= std::max<size_t>(ix_.two_thread_result_from, 2);
    const size_t mid = two ? total / 2 : total;
    auto each_in = [&](int part, const auto& f) { each_ev(part ? mid : 0, part ? total : mid, f); };
    auto& fill0 = s_.fill;  // each half's count of rows per rank, then its next row per rank
    auto& fill1 = s_.fill2;
    reserve_huge(fill0, n);
    fill0.assign(n, 0);
    if (two) {
      reserve_huge(fill1, n);
      fill1.assign(n, 0);
    }
    both(two, [&](int part) {
      auto& count = part ? fill1 : fill0;
      each_in(part, [&](const Ev& e) {
        if (e.kind == s_.kind_of[e.contact]) ++count[rank[e.contact]];
      });
    });
    auto& at = s_.at;
    reserve_huge(at, size_t{n} + 1);
    at.resize(size_t{n} + 1);
    at[0] = 0;
    for (uint32_t r = 0; r < n; ++r) {
      const uint32_t a = at[r], first_half = fill0[r];
      at[r + 1] = a + first_half + (two ? fill1[r] : 0);
      fill0[r] = a;
      if (two) fill1[r] = a + first_half;
    }
    TraceResult res;
    res.evidence.reserve(at[n]);  // its memory (memory.h) is advised for huge pages already
    {
      result_memory::UninitialisedResize every_row_is_placed_below;
      res.evidence.resize(at[n]);
    }
    auto& lasts0 = s_.lasts;  // by rank: the latest exposure of the contact's tier, in each half
    auto& lasts1 = s_.lasts2;
    reserve_huge(lasts0, n);
    lasts0.assign(n, std::numeric_limits<Millis>::min());
    if (two) {
      reserve_huge(lasts1, n);
      lasts1.assign(n, std::numeric_limits<Millis>::min());
    }
    both(two, [&](int part) {
      auto& fill = part ? fill1 : fill0;
      auto& lasts = part ? lasts1 : lasts0;
      each_in(part, [&](const Ev& e) {
        if (e.kind != s_.kind_of[e.contact]) return;
        const uint32_t r = rank[e.contact];
        const uint32_t pos = fill[r]++;
        lasts[r] = std::max(lasts[r], e.last);
        res.evidence[pos] = {ix_.person_ids_[e.via], e.place, e.from, e.to, e.overlap, e.row, e.col, e.kind, e.setting};
      });
    });
    res.contacts.reserve(n);
    {
      result_memory::UninitialisedResize every_contact_is_written_below;
      res.contacts.resize(n);
    }
    // The contacts, each one's evidence ordered: half the rows on each thread.
    const auto split = static_cast<uint32_t>(std::lower_bound(at.begin(), at.begin() + n, at[n] / 2) - at.begin());
    both(two, [&](int part) {
      const uint32_t r0 = part ? split : 0, r1 = two && !part ? split : n;
      for (uint32_t r = r0; r < r1; ++r) {
        const Found& f = s_.found[order[r]];
        Contact& k = res.contacts[r];
        k.person_id = ix_.person_ids_[f.person];
        k.kind = s_.kind_of[order[r]];
        k.last_exposure = two ? std::max(lasts0[r], lasts1[r]) : lasts0[r];
        if (r + 32 < r1) __builtin_prefetch(&ix_.person_ids_[s_.found[order[r + 32]].person]);
        auto b = res.evidence.begin() + at[r], e = res.evidence.begin() + at[r + 1];
        order_rows(b, e);
        k.first_exposure = b->from;  // every exposure's start is its evidence's `from`
        k.evidence_begin = at[r];
        k.evidence_count =
            static_cast<uint32_t>(std::min<std::ptrdiff_t>(e - b, static_cast<std::ptrdiff_t>(kMaxEvidence)));
      }
    });
    uint32_t kept = 0;  // evidence moved down over what the cap dropped
    for (uint32_t r = 0; r < n; ++r) {
      Contact& k = res.contacts[r];
      if (kept != k.evidence_begin) {
        const auto b = res.evidence.begin() + k.evidence_begin;
        std::move(b, b + k.evidence_count, res.evidence.begin() + kept);
        k.evidence_begin = kept;
      }
      kept += k.evidence_count;
    }
    res.evidence.resize(kept);
    return res;
  }

  // The result of one tier whose exposures were kept by person (by_person_): sorted by (person, tier),
  // each person's strongest tier is a prefix of its group, and the groups come in id order (slots
  // follow ids). No per-person marks: a single case listing tens of thousands of contacts would
  // otherwise read and write one scattered mark per exposure, and place each row by rank.
  TraceResult finish_by_person() {
    const size_t m = s_.evs.size();
    // person slot (24 bits) | tier (2 bits) | exposure number (30 bits: 2^30 exposures would take 60 GB)
    auto& keys = s_.keys;
    reserve_huge(keys, m);
    keys.resize(m);
    s_.evs.each([&](const Ev& e, size_t i) {
      keys[i] = (uint64_t{e.contact} << 32) | (uint64_t{static_cast<uint8_t>(e.kind)} << 30) | i;
    });
    if (m < 2048) {
      std::sort(keys.begin(), keys.end());
    } else {
      radix_sort(keys, s_.keys_tmp, s_.radix_count, 30, 13);
      radix_sort(keys, s_.keys_tmp, s_.radix_count, 43, 13);
    }
    auto& groups = s_.groups;
    groups.clear();
    size_t tier_groups[3] = {}, tier_rows[3] = {};
    for (size_t i = 0; i < m;) {
      const uint64_t head = keys[i] >> 30;  // person and tier
      size_t j = i + 1;
      while (j < m && (keys[j] >> 30) == head) ++j;
      if (!TraceScratch::test(s_.excluded, static_cast<uint32_t>(head >> 2))) {  // an index person met another
        groups.push_back({static_cast<uint32_t>(i), static_cast<uint32_t>(j - i), static_cast<ContactKind>(head & 3)});
        ++tier_groups[head & 3];
        tier_rows[head & 3] += j - i;
      }
      while (j < m && (keys[j] >> 32) == (head >> 2)) ++j;  // the person's weaker tiers
      i = j;
    }
    TraceResult res;
    const size_t ng = groups.size();
    res.contacts.reserve(ng);
    res.evidence.reserve(m);
    {
      result_memory::UninitialisedResize every_row_and_contact_kept_is_written_below;
      res.evidence.resize(m);
      res.contacts.resize(ng);
    }
    // Writes the contacts of tier k among groups [g0, g1) from contact c and evidence row `pos` on;
    // returns the row after the last one written.
    auto write = [&](ContactKind k, size_t g0, size_t g1, uint32_t c, uint32_t pos) {
      for (size_t gi = g0; gi < g1; ++gi) {
        const PersonGroup& g = groups[gi];
        // Each contact's id is a read far from the last one's (the slots are sorted but sparse).
        if (gi + 16 < g1) __builtin_prefetch(&ix_.person_ids_[keys[groups[gi + 16].begin] >> 32]);
        if (g.kind != k) continue;
        const uint32_t begin = pos;
        Millis last = std::numeric_limits<Millis>::min();
        uint32_t home = kNoEvidence;  // the household row: one per contact, the earliest window
        for (uint32_t x = g.begin; x < g.begin + g.rows; ++x) {
          if (x + 16 < m) {  // an exposure (56 bytes) often spans two lines
            const auto* ahead = reinterpret_cast<const char*>(&s_.evs[static_cast<uint32_t>(keys[x + 16]) & kEvMask]);
            __builtin_prefetch(ahead);
            __builtin_prefetch(ahead + sizeof(Ev) - 1);
          }
          const Ev& e = s_.evs[static_cast<uint32_t>(keys[x]) & kEvMask];
          last = std::max(last, e.last);
          Evidence row{ix_.person_ids_[e.via], e.place, e.from, e.to, e.overlap, e.row, e.col, e.kind, e.setting};
          if (e.setting == Setting::kHousehold) {
            if (home != kNoEvidence) {
              Evidence& old = res.evidence[home];
              if (std::tie(row.from, row.via, row.to) < std::tie(old.from, old.via, old.to)) old = row;
              continue;
            }
            home = pos;
          }
          res.evidence[pos++] = row;
        }
        auto rb = res.evidence.begin() + begin, re = res.evidence.begin() + pos;
        order_rows(rb, re);
        pos = begin + std::min<uint32_t>(pos - begin, kMaxEvidence);
        Contact& out = res.contacts[c++];
        out.person_id = ix_.person_ids_[keys[g.begin] >> 32];
        out.kind = k;
        out.first_exposure = rb->from;  // every exposure's start is its evidence's `from`
        out.last_exposure = last;
        out.evidence_begin = begin;
        out.evidence_count = pos - begin;
      }
      return pos;
    };
    // A large result on two threads, each writing half a tier's rows: the second half from where the
    // first would end if it kept every row, then moved down over what the first half's cap and
    // household merging left unused.
    const bool two = ix_.trace_threads >= 2 && m >= std::max<size_t>(ix_.two_thread_result_from, 2);
    uint32_t pos = 0, c = 0;
    for (ContactKind k : {ContactKind::kClose, ContactKind::kSecondary, ContactKind::kCompanion}) {
      const auto t = static_cast<size_t>(k);
      if (tier_groups[t] == 0) continue;
      if (!two) {
        pos = write(k, 0, ng, c, pos);
        c += tier_groups[t];
        continue;
      }
      size_t split = ng, before = 0, first_groups = 0;  // rows and contacts of tier k before split
      for (size_t gi = 0; gi < ng && split == ng; ++gi) {
        if (groups[gi].kind != k) continue;
        if (before * 2 >= tier_rows[t]) {
          split = gi;
        } else {
          before += groups[gi].rows;
          ++first_groups;
        }
      }
      const auto second = static_cast<uint32_t>(pos + before);
      uint32_t end[2];
      both(true, [&](int part) {
        end[part] =
            part ? write(k, split, ng, c + static_cast<uint32_t>(first_groups), second) : write(k, 0, split, c, pos);
      });
      if (const uint32_t gap = second - end[0]) {
        std::move(res.evidence.begin() + second, res.evidence.begin() + end[1], res.evidence.begin() + end[0]);
        for (size_t x = c + first_groups; x < c + tier_groups[t]; ++x) res.contacts[x].evidence_begin -= gap;
      }
      pos = end[1] - (second - end[0]);
      c += static_cast<uint32_t>(tier_groups[t]);
    }
    res.evidence.resize(pos);
    return res;
  }
  static constexpr uint32_t kEvMask = (uint32_t{1} << 30) - 1;

  // A contact's evidence rows in the result's order (two, the usual case beyond one, without the sort).
  template <class It>
  static void order_rows(It b, It e) {
    if (e - b == 2) {
      if (evidence_less(b[1], b[0])) std::swap(b[0], b[1]);
    } else if (e - b > 2) {
      std::sort(b, e, evidence_less);
    }
  }

  // f(0), and f(1) on a second thread at the same time when `two`.
  template <class F>
  static void both(bool two, const F& f) {
    if (!two) return f(0);
    std::exception_ptr failed;
    std::thread other([&] {
      try {
        f(1);
      } catch (...) {
        failed = std::current_exception();
      }
    });
    try {
      f(0);
    } catch (...) {
      other.join();
      throw;
    }
    other.join();
    if (failed) std::rethrow_exception(failed);
  }

  const TraceIndex& ix_;
  const Rules& rules_;
  TraceScratch& s_;
  bool by_person_ = false;  // meet() keeps exposures by person slot (one tier, no marks)
};

TraceResult TraceIndex::trace(const std::vector<IndexCase>& cases, const Rules& rules, const ControlTime& control,
                              const Progress& progress) const {
  auto scratch = scratch_->take();
  struct Give {
    ScratchPool& pool;
    std::unique_ptr<TraceScratch>& s;
    ~Give() {
      s->end();
      pool.give(std::move(s));
    }
  } give{*scratch_, scratch};
  return Sweep(*this, rules, *scratch).run(cases, control, progress);
}

}  // namespace epinet::domain::tracing
