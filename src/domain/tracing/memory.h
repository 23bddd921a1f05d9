// Memory for trace results: large blocks kept and reused from one trace to the
// next instead of going through malloc.
//
// Why: the trace index is built, and then grows, through millions of vectors,
// which leaves malloc's bins holding many free chunks of many sizes. Finding a
// block of kilobytes to megabytes among them walked those lists on every
// trace: on the 3.4-million-person city that was 40 % of a median single-case
// trace (p50 0.45 ms, 0.26 ms with this pool; docs/benchmarks.md, "Where one
// index case's time goes"). Blocks from fresh mappings would instead
// pay a page fault per 4 KiB on every trace. So blocks of 1 KiB and more are
// given in power-of-two sizes (from malloc below 256 KiB, from their own
// mappings above), and a freed one is kept (up to a bound) for the next result
// of its size: no search, no page fault.
#pragma once
#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace epinet::domain::tracing {

namespace result_memory {
// Smallest block served by the pool (smaller ones are malloc's, which serves
// them from exact-size lists without a search); blocks from this size up are
// mapped; the largest block kept when freed (larger ones are unmapped), and
// the most kept in all.
inline constexpr size_t kPooledFrom = size_t{1} << 10;
inline constexpr size_t kMappedFrom = size_t{256} << 10;
inline constexpr size_t kLargestKept = size_t{64} << 20;
inline constexpr size_t kMostKept = size_t{256} << 20;

void* allocate(size_t bytes);
void deallocate(void* p, size_t bytes) noexcept;
// Bytes of freed blocks kept for reuse.
size_t kept_bytes();
// Gives back every block kept.
void release_kept();
// Blocks taken from malloc or mapped since the process started (tests: a reused block takes none).
size_t blocks_made();

// While one lives on a thread, a result vector's resize() leaves the bytes of the elements it adds
// as they are instead of writing each one's initial values: for a resize whose every new element is
// written before anything reads it. A trace result's arrays are hundreds of megabytes at city
// scale, and their first touch (page faults) is then the threads' writing them.
inline thread_local int uninitialised_resizes = 0;
struct UninitialisedResize {
  UninitialisedResize() { ++uninitialised_resizes; }
  ~UninitialisedResize() { --uninitialised_resizes; }
  UninitialisedResize(const UninitialisedResize&) = delete;
  UninitialisedResize& operator=(const UninitialisedResize&) = delete;
};
}  // namespace result_memory

template <class T>
struct ResultAllocator {
  using value_type = T;
  ResultAllocator() = default;
  template <class U>
  ResultAllocator(const ResultAllocator<U>&) noexcept {}  // NOLINT(google-explicit-constructor)
  T* allocate(size_t n) {
    if (n > static_cast<size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(result_memory::allocate(n * sizeof(T)));
  }
  void deallocate(T* p, size_t n) noexcept { result_memory::deallocate(p, n * sizeof(T)); }
  // Value-initialised, as std::allocator does, but within an UninitialisedResize (only for
  // aggregates of plain values, whose objects the storage holds without a constructor run).
  template <class U>
  void construct(U* p) {
    if constexpr (std::is_trivially_copyable_v<U> && std::is_trivially_destructible_v<U> && std::is_aggregate_v<U>)
      if (result_memory::uninitialised_resizes > 0) return;
    ::new (static_cast<void*>(p)) U();
  }
  template <class U, class... A>
  void construct(U* p, A&&... a) {
    ::new (static_cast<void*>(p)) U(std::forward<A>(a)...);
  }
  template <class U>
  bool operator==(const ResultAllocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace epinet::domain::tracing
