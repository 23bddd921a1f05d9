// Working memory of a trace that outlives it: marks per person slot, reset by
// moving to a new epoch rather than by clearing millions of entries, so a
// single-case trace costs what it touches. Internal to src/domain/tracing.
#pragma once
#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <memory>
#include <mutex>
#include <new>
#include <type_traits>
#include <vector>

#include "domain/tracing/index.h"
#include "domain/tracing/trace.h"

namespace epinet::domain::tracing {

constexpr uint32_t kIndexSlot = std::numeric_limits<uint32_t>::max();
constexpr uint32_t kNoEvidence = std::numeric_limits<uint32_t>::max();

// Large working arrays go on huge pages where the kernel allows it
// (transparent huge pages in "madvise" mode, Debian's default): a trace of
// many cases reads and writes hundreds of megabytes in random order, and with
// 4 KiB pages most of those accesses miss the TLB (a page walk, nested in a
// virtual machine) and every first touch is a page fault. Measured on the
// 1,000-case trace (docs/benchmarks.md). Only the 2 MiB-aligned interior of
// a block can be a huge page.
inline constexpr size_t kHugePage = size_t{2} << 20;
inline void advise_huge(const void* p, size_t bytes) {
  const auto a = (reinterpret_cast<uintptr_t>(p) + kHugePage - 1) & ~(kHugePage - 1);
  const auto b = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(kHugePage - 1);
  if (b > a) ::madvise(reinterpret_cast<void*>(a), b - a, MADV_HUGEPAGE);  // advice: a refusal changes nothing
}
// Arrays kept from one trace to the next get the advice from 4 MiB up;
// arrays of one trace only from 32 MiB, the size from which malloc always
// maps fresh memory (below it, malloc reuses what the last trace freed, which
// costs no page fault at all, and advised fresh memory would).
enum class Lifetime { kTrace, kKept };
// v.reserve(n), with the new memory advised before anything touches it.
template <class V>
void reserve_huge(V& v, size_t n, Lifetime life = Lifetime::kTrace) {
  if (v.capacity() >= n) return;
  // A kept array grows as a vector would (at least doubling), so that a few more persons since the
  // last trace do not move it every time.
  if (life == Lifetime::kKept) n = std::max(n, 2 * v.size());
  const size_t bytes = n * sizeof(typename V::value_type);
  if (bytes < (life == Lifetime::kKept ? 2 : 16) * kHugePage) return v.reserve(n);
  V fresh;
  fresh.reserve(n);
  advise_huge(fresh.data(), bytes);
  fresh.insert(fresh.end(), std::make_move_iterator(v.begin()), std::make_move_iterator(v.end()));
  v.swap(fresh);
}

// A source's stay at a venue, clipped to its window.
struct Interval {
  Millis a = 0, b = 0;
  int64_t via_key = 0;  // orders as the via's person id does
  uint32_t via = 0;
};

struct VenueInterval {
  uint32_t venue;
  Interval i;
};

// One exposure kept (one per contact stay, trip, household).
struct Ev {
  uint32_t contact = 0, via = 0;
  int64_t place = 0;
  Millis from = 0, to = 0, overlap = 0;
  Millis last = 0;  // the latest exposure this stands for (the first is `from`)
  int16_t row = -1, col = -1;
  ContactKind kind = ContactKind::kClose;
  Setting setting = Setting::kVenue;
};

// A contact (its tier is kind_of; its first and last exposures come from its evidence).
struct Found {
  uint32_t person = 0;
  uint32_t household_ev = kNoEvidence;
};

// Empties working arrays, giving back the memory of those a large trace grew.
template <class... V>
void trim(V&... v) {
  auto one = [](auto& x) {
    x.clear();
    if (x.capacity() > (size_t{1} << 20)) x.shrink_to_fit();
  };
  (one(v), ...);
}

// One venue's sweep: the sources' intervals there, their starts, ends and
// running largest ends. One per thread.
struct VenueWork {
  std::vector<Interval> intervals, side;
  std::vector<Millis> st, en, pmax;
  void trim() { tracing::trim(intervals, side, st, en, pmax); }
};

// A person's exposures in a trace of one tier, sorted by (person, tier): where they start, how many
// are of the person's strongest tier (they come first), and that tier.
struct PersonGroup {
  uint32_t begin, rows;
  ContactKind kind;
};

struct TripHit {
  uint32_t person, trip;
  int64_t via_key;
  uint32_t via;
  int16_t row, col;
};

// A growing array in blocks: no copying as it grows, and the blocks are kept
// for the next trace (up to a bound).
template <class T>
class Blocks {
 public:
  static constexpr size_t kShift = 16, kSize = size_t{1} << kShift;
  size_t size() const { return n_; }
  T& operator[](size_t i) { return blocks_[i >> kShift][i & (kSize - 1)]; }
  const T& operator[](size_t i) const { return blocks_[i >> kShift][i & (kSize - 1)]; }
  void push_back(const T& x) {
    if ((n_ >> kShift) == blocks_.size()) blocks_.push_back(new_block());
    (*this)[n_++] = x;
  }
  // Empties it, keeping at most `keep` blocks' memory.
  void clear(size_t keep = 16) {
    n_ = 0;
    if (blocks_.size() > keep) blocks_.resize(keep);
  }
  template <class F>
  void each(const F& f) const {
    each(0, n_, f);
  }
  // Entries [lo, hi).
  template <class F>
  void each(size_t lo, size_t hi, const F& f) const {
    hi = std::min(hi, n_);
    for (size_t i = lo; i < hi;) {
      const T* x = blocks_[i >> kShift].get();
      const size_t end = std::min(hi, ((i >> kShift) + 1) << kShift);
      for (; i < end; ++i) f(x[i & (kSize - 1)], i);
    }
  }

 private:
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);
  struct Free {
    void operator()(T* p) const { std::free(p); }
  };
  using Block = std::unique_ptr<T[], Free>;
  // A block on its own huge pages when it spans one (entries are written before they are read).
  static Block new_block() {
    constexpr size_t bytes = kSize * sizeof(T);
    constexpr size_t align = bytes >= kHugePage ? kHugePage : alignof(std::max_align_t);
    void* p = std::aligned_alloc(align, (bytes + align - 1) / align * align);
    if (!p) throw std::bad_alloc();
    advise_huge(p, bytes);
    return Block(static_cast<T*>(p));
  }
  std::vector<Block> blocks_;
  size_t n_ = 0;
};

struct TraceScratch {
  struct Mark {
    uint32_t epoch, slot;  // slot holds when epoch == current
  };
  std::vector<Mark> marks;
  uint32_t current = 0;
  std::vector<uint64_t> excluded, source;  // bitsets by person slot
  // Starts a trace over `persons` person slots.
  void begin(size_t persons) {
    end();
    if (marks.size() < persons) {
      reserve_huge(marks, persons, Lifetime::kKept);
      marks.resize(persons, Mark{0, 0});
    }
    if (++current == 0) {
      std::fill(marks.begin(), marks.end(), Mark{0, 0});
      current = 1;
    }
    if (excluded.size() < (persons + 63) / 64) {
      reserve_huge(excluded, (persons + 63) / 64, Lifetime::kKept);
      reserve_huge(source, (persons + 63) / 64, Lifetime::kKept);
      excluded.assign((persons + 63) / 64, 0);
      source.assign((persons + 63) / 64, 0);
    }
  }
  bool seen(uint32_t p) const { return marks[p].epoch == current; }
  uint32_t slot(uint32_t p) const { return marks[p].slot; }
  void mark(uint32_t p, uint32_t slot) { marks[p] = Mark{current, slot}; }

  // The sweep's working arrays, kept for the next trace.
  std::vector<Found> found;
  std::vector<ContactKind> kind_of;  // found[c].kind, compact (read when evidence is grouped)
  Blocks<Ev> evs;
  std::vector<Window> person_window;  // person slot → its secondary window (dense sweep)
  std::vector<VenueInterval> vi;
  VenueWork work[2];
  Blocks<Ev> hits;  // the dense sweep's second thread: what it met, in order
  std::vector<TraceIndex::Posting> postings_tmp;
  std::vector<TripHit> trip_hits;
  std::vector<uint32_t> order, rank, at, fill, fill2;
  std::vector<uint64_t> keys, keys_tmp;
  std::vector<PersonGroup> groups;
  std::vector<uint32_t> radix_count;
  std::vector<Millis> lasts, lasts2, firsts;

  // After a trace: empties the arrays, giving back what a large one took.
  void end() {
    // person_window is kept: a dense sweep's one array per person.
    tracing::trim(found, kind_of, vi, trip_hits, order, rank, at, fill, fill2, keys, keys_tmp, groups, lasts, lasts2,
                  firsts);
    work[0].trim();
    work[1].trim();
    hits.clear(0);
    evs.clear();
    if (set_words.size() > excluded.size() / 4) {
      std::fill(excluded.begin(), excluded.end(), 0);
      std::fill(source.begin(), source.end(), 0);
    } else {
      for (uint32_t w : set_words) excluded[w] = source[w] = 0;
    }
    trim(set_words);
  }
  static bool test(const std::vector<uint64_t>& bits, uint32_t p) { return (bits[p >> 6] >> (p & 63)) & 1; }
  // Sets a bit of `excluded` or `source`; end() clears what was set.
  void set(std::vector<uint64_t>& bits, uint32_t p) {
    bits[p >> 6] |= uint64_t{1} << (p & 63);
    set_words.push_back(p >> 6);
  }
  std::vector<uint32_t> set_words;
};

struct TraceIndex::ScratchPool {
  std::mutex mu;
  std::vector<std::unique_ptr<TraceScratch>> free;

  std::unique_ptr<TraceScratch> take() {
    std::lock_guard lock(mu);
    if (free.empty()) return std::make_unique<TraceScratch>();
    auto s = std::move(free.back());
    free.pop_back();
    return s;
  }
  void give(std::unique_ptr<TraceScratch> s) {
    std::lock_guard lock(mu);
    free.push_back(std::move(s));
  }
};

}  // namespace epinet::domain::tracing
