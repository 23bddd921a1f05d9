#include "domain/tracing/memory.h"

#include <sys/mman.h>

#include <array>
#include <bit>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "domain/tracing/scratch.h"

namespace epinet::domain::tracing::result_memory {
namespace {

constexpr size_t kPage = 4096;
// Size classes: kPooledFrom << k for k = 0 … kClasses - 1.
constexpr size_t kClasses = std::countr_zero(kLargestKept / kPooledFrom) + 1;

struct Pool {
  std::mutex mu;
  std::array<std::vector<void*>, kClasses> free;
  size_t kept = 0, made = 0;
};
Pool& pool() {
  static auto* p = new Pool;  // never destroyed: results may be freed during exit
  return *p;
}

// The block size a request of `bytes` (≥ kPooledFrom) is given.
size_t block_size(size_t bytes) {
  if (bytes > kLargestKept) return (bytes + kPage - 1) / kPage * kPage;
  return std::bit_ceil(bytes);
}
size_t class_of(size_t block) { return static_cast<size_t>(std::countr_zero(block / kPooledFrom)); }

void* make(size_t block) {
  void* p = nullptr;
  if (block < kMappedFrom) {
    p = std::malloc(block);
    if (!p) throw std::bad_alloc();
  } else {
    p = ::mmap(nullptr, block, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    advise_huge(p, block);
  }
  std::lock_guard lock(pool().mu);
  ++pool().made;
  return p;
}

void unmake(void* p, size_t block) {
  if (block < kMappedFrom)
    std::free(p);
  else
    ::munmap(p, block);
}

}  // namespace

void* allocate(size_t bytes) {
  if (bytes < kPooledFrom) {
    void* p = std::malloc(bytes == 0 ? 1 : bytes);
    if (!p) throw std::bad_alloc();
    return p;
  }
  const size_t block = block_size(bytes);
  if (block <= kLargestKept) {
    Pool& P = pool();
    std::lock_guard lock(P.mu);
    auto& list = P.free[class_of(block)];
    if (!list.empty()) {
      void* p = list.back();
      list.pop_back();
      P.kept -= block;
      return p;
    }
  }
  return make(block);
}

void deallocate(void* p, size_t bytes) noexcept {
  if (!p) return;
  if (bytes < kPooledFrom) return std::free(p);
  const size_t block = block_size(bytes);
  if (block <= kLargestKept) {
    Pool& P = pool();
    std::lock_guard lock(P.mu);
    if (P.kept + block <= kMostKept) {
      try {
        P.free[class_of(block)].push_back(p);
        P.kept += block;
        return;
      } catch (...) {  // no room to note it: give it back instead
      }
    }
  }
  unmake(p, block);
}

size_t kept_bytes() {
  std::lock_guard lock(pool().mu);
  return pool().kept;
}

void release_kept() {
  Pool& P = pool();
  std::lock_guard lock(P.mu);
  for (size_t k = 0; k < kClasses; ++k) {
    for (void* p : P.free[k]) unmake(p, kPooledFrom << k);
    P.free[k].clear();
  }
  P.kept = 0;
}

size_t blocks_made() {
  std::lock_guard lock(pool().mu);
  return pool().made;
}

}  // namespace epinet::domain::tracing::result_memory
