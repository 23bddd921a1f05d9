#include "domain/tracing/memory.h"

#include <gtest/gtest.h>

#include <cstring>
#include <thread>
#include <vector>

#include "domain/tracing/index.h"
#include "domain/tracing/trace.h"

namespace epinet::domain::tracing {
namespace {

namespace rm = result_memory;

// The pool is process-wide: each test starts from an empty one.
class ResultMemory : public ::testing::Test {
 protected:
  void SetUp() override { rm::release_kept(); }
  void TearDown() override { rm::release_kept(); }
};

TEST_F(ResultMemory, AFreedBlockIsGivenToTheNextRequestOfItsSizeWithoutMakingAnother) {
  void* a = rm::allocate(300'000);  // a 512 KiB block, mapped
  std::memset(a, 7, 300'000);
  rm::deallocate(a, 300'000);
  const size_t made = rm::blocks_made();
  void* b = rm::allocate(400'000);  // the same class
  EXPECT_EQ(b, a);
  EXPECT_EQ(rm::blocks_made(), made);
  std::memset(b, 1, 400'000);       // all of it is usable
  void* c = rm::allocate(400'000);  // none kept now: a new one
  EXPECT_NE(c, b);
  EXPECT_EQ(rm::blocks_made(), made + 1);
  rm::deallocate(b, 400'000);
  rm::deallocate(c, 400'000);
}

TEST_F(ResultMemory, BlocksTakenFromMallocAreKeptToo) {
  void* a = rm::allocate(3000);  // 4 KiB, below the mapped sizes
  rm::deallocate(a, 3000);
  const size_t made = rm::blocks_made();
  void* b = rm::allocate(2100);
  EXPECT_EQ(b, a);
  EXPECT_EQ(rm::blocks_made(), made);
  rm::deallocate(b, 2100);
}

TEST_F(ResultMemory, SmallRequestsAreMallocsOwn) {
  const size_t made = rm::blocks_made(), kept = rm::kept_bytes();
  void* a = rm::allocate(200);
  std::memset(a, 3, 200);
  rm::deallocate(a, 200);
  EXPECT_EQ(rm::blocks_made(), made);
  EXPECT_EQ(rm::kept_bytes(), kept);
}

TEST_F(ResultMemory, BlocksLargerThanTheLargestKeptAreGivenBack) {
  const size_t bytes = rm::kLargestKept + 5000;
  void* a = rm::allocate(bytes);
  static_cast<char*>(a)[bytes - 1] = 1;
  const size_t kept = rm::kept_bytes();
  rm::deallocate(a, bytes);
  EXPECT_EQ(rm::kept_bytes(), kept);
}

TEST_F(ResultMemory, WhatIsKeptStaysWithinItsBound) {
  // More 32 MiB blocks freed at once than the bound holds.
  const size_t bytes = size_t{20} << 20, n = rm::kMostKept / (size_t{32} << 20) + 3;
  std::vector<void*> v;
  for (size_t i = 0; i < n; ++i) v.push_back(rm::allocate(bytes));
  for (void* p : v) rm::deallocate(p, bytes);
  EXPECT_LE(rm::kept_bytes(), rm::kMostKept);
  EXPECT_GT(rm::kept_bytes(), rm::kMostKept / 2);
  rm::release_kept();
  EXPECT_EQ(rm::kept_bytes(), 0u);
}

TEST_F(ResultMemory, AResultsVectorsGrowAndCopyAsUsual) {
  TraceResult r;
  for (int i = 0; i < 50'000; ++i)
    r.evidence.push_back({i, i * 2, i, i + 1, 1, -1, -1, ContactKind::kClose, Setting::kVenue});
  r.contacts.push_back({42, ContactKind::kClose, 1, 2, 0, 50'000});
  TraceResult copy = r;
  r = TraceResult{};
  ASSERT_EQ(copy.evidence.size(), 50'000u);
  EXPECT_EQ(copy.evidence[49'999].place_id, 99'998);
  EXPECT_EQ(copy.evidence_of(copy.contacts[0]).size(), 50'000u);
}

TEST_F(ResultMemory, AResizeLeavesTheElementsItAddsAsTheyWereOnlyWhenAskedTo) {
  std::vector<Evidence, ResultAllocator<Evidence>> v(1000);
  for (auto& e : v) e.place_id = 7;
  v.resize(10);  // the capacity stays, and so do the bytes beyond the size
  {
    result_memory::UninitialisedResize placed_by_the_caller;
    v.resize(1000);
  }
  EXPECT_EQ(v[999].place_id, 7);
  v.resize(10);
  v.resize(1000);
  EXPECT_EQ(v[999].place_id, 0);
  EXPECT_EQ(v[999].seat_row, -1);
  std::vector<Evidence, ResultAllocator<Evidence>> w;
  w.push_back({1, 2, 3, 4, 5, 6, 7, ContactKind::kSecondary, Setting::kTrip});
  w.emplace_back();
  EXPECT_EQ(w[0].seat_col, 7);
  EXPECT_EQ(w[1].seat_col, -1);
}

TEST_F(ResultMemory, ThreadsTakeAndGiveBlocksAtOnce) {
  auto work = [](int seed) {
    for (int i = 0; i < 2000; ++i) {
      const size_t bytes = size_t{1024} << ((i + seed) % 9);
      auto* p = static_cast<unsigned char*>(rm::allocate(bytes));
      p[0] = p[bytes - 1] = static_cast<unsigned char>(seed);
      EXPECT_EQ(p[0], static_cast<unsigned char>(seed));
      rm::deallocate(p, bytes);
    }
  };
  std::thread t(work, 1);
  work(2);
  t.join();
}

}  // namespace
}  // namespace epinet::domain::tracing
