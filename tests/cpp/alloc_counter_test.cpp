// The counting operator new (linked into this test) and the per-stage buckets it fills.
#include "probes/alloc_counter.h"

#include <gtest/gtest.h>

#include <memory>
#include <new>
#include <thread>
#include <vector>

#include "framework/stage.h"

namespace {

using fb::probes::AllocTotals;
using fb::probes::charge_allocations_to;
using fb::probes::this_thread_alloc_totals;

// Keeps the compiler from eliding a new/delete pair (allowed for the replaceable operators).
template <typename T>
T* escape(T* p) {
  asm volatile("" : : "r"(p) : "memory");
  return p;
}

// Allocations this thread made in `stage` while running f.
template <typename F>
AllocTotals counted_in(std::size_t stage, F&& f) {
  charge_allocations_to(stage);
  const AllocTotals before = this_thread_alloc_totals();
  f();
  const AllocTotals after = this_thread_alloc_totals();
  charge_allocations_to(fb::probes::kAllocOutside);
  return before.until(after);
}

struct alignas(64) Wide {
  char bytes[64];
};

TEST(AllocCounter, HooksAreLinked) { EXPECT_TRUE(fb::probes::alloc_counting_linked()); }

TEST(AllocCounter, CountsEveryOverloadInTheCurrentStage) {
  const AllocTotals d = counted_in(FB_STAGE_HANDLER, [] {
    delete escape(new int(1));                                   // new(size_t)
    delete[] escape(new int[10]);                                // new[](size_t)
    delete escape(new (std::nothrow) int(2));                    // nothrow
    delete[] escape(new (std::nothrow) int[3]);                  // nothrow array
    delete escape(new Wide);                                     // aligned
    delete[] escape(new Wide[2]);                                // aligned array
    delete escape(new (std::nothrow) Wide);                      // aligned nothrow
    delete[] escape(new (std::nothrow) Wide[3]);                 // aligned nothrow array
    operator delete(escape(operator new(5, std::align_val_t(4))), std::align_val_t(4));  // under-aligned request
  });
  EXPECT_EQ(d.allocations[FB_STAGE_HANDLER], 9u);
  EXPECT_GE(d.bytes[FB_STAGE_HANDLER], 4u + 40 + 4 + 12 + 64 + 128 + 64 + 192 + 5);
  EXPECT_EQ(d.request_allocations(), 9u);  // nothing leaked into other buckets
}

TEST(AllocCounter, AlignedAllocationsAreAligned) {
  auto p = std::make_unique<Wide>();
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p.get()) % 64, 0u);
  auto* q = static_cast<char*>(operator new(3, std::align_val_t(256)));
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(q) % 256, 0u);
  operator delete(q, std::align_val_t(256));
}

TEST(AllocCounter, ZeroBytesGivesAUniquePointer) {
  void* a = operator new(0);
  void* b = operator new(0);
  EXPECT_NE(a, nullptr);
  EXPECT_NE(a, b);
  operator delete(a);
  operator delete(b);
}

TEST(AllocCounter, FailureThrowsOrReturnsNull) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "sanitizer allocators abort on impossible sizes instead of returning null";
#else
  const std::size_t huge = static_cast<std::size_t>(-1) / 2;
  EXPECT_THROW(escape(operator new(huge)), std::bad_alloc);
  EXPECT_EQ(escape(operator new(huge, std::nothrow)), nullptr);
  EXPECT_EQ(escape(operator new(huge, std::align_val_t(64), std::nothrow)), nullptr);
  // The new-handler is called and may give up by throwing.
  static int calls = 0;
  std::set_new_handler([] {
    ++calls;
    std::set_new_handler(nullptr);
  });
  EXPECT_THROW(escape(operator new(huge)), std::bad_alloc);
  EXPECT_EQ(calls, 1);
#endif
}

TEST(AllocCounter, StagePointsSwitchTheBucket) {
  fb::StageTrace trace;
  charge_allocations_to(fb::probes::kAllocOutside);
  const AllocTotals before = this_thread_alloc_totals();
  fb::stage_point(trace, FB_POINT_ARRIVE);  // -> route
  delete escape(new int(1));
  fb::stage_point(trace, FB_POINT_HANDLER_CALL);  // -> handler
  delete escape(new int(1));
  delete escape(new int(1));
  fb::stage_point(trace, FB_POINT_ENQUEUE);  // -> dispatch
  fb::stage_enter(FB_STAGE_FUTURE);
  delete escape(new int(1));
  fb::stage_point(trace, FB_POINT_RESPONSE_READY);  // -> outside
  delete escape(new int(1));
  const AllocTotals d = before.until(this_thread_alloc_totals());
  EXPECT_EQ(d.allocations[FB_STAGE_ROUTE], 1u);
  EXPECT_EQ(d.allocations[FB_STAGE_HANDLER], 2u);
  EXPECT_EQ(d.allocations[FB_STAGE_DISPATCH], 0u);
  EXPECT_EQ(d.allocations[FB_STAGE_FUTURE], 1u);
  EXPECT_EQ(d.allocations[fb::probes::kAllocOutside], 1u);
  EXPECT_EQ(d.request_allocations(), 4u);
}

TEST(AllocCounter, TotalsSumThreadsAndKeepExitedOnes) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 1000;
  const AllocTotals before = fb::probes::alloc_totals();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([] {
      charge_allocations_to(FB_STAGE_GIL);
      for (int i = 0; i < kPerThread; ++i) delete escape(new int(i));
      charge_allocations_to(fb::probes::kAllocOutside);
    });
  }
  for (auto& t : threads) t.join();  // the threads are gone: their counts were retired
  const AllocTotals d = before.until(fb::probes::alloc_totals());
  EXPECT_EQ(d.allocations[FB_STAGE_GIL], static_cast<std::uint64_t>(kThreads * kPerThread));
  EXPECT_EQ(d.bytes[FB_STAGE_GIL], static_cast<std::uint64_t>(kThreads * kPerThread) * sizeof(int));
}

TEST(AllocCounter, PointTableCoversEveryPoint) {
  for (std::size_t p = 0; p < fb::probes::kPointCount; ++p) {
    const auto b = fb::probes::kAllocStageAfterPoint[p];
    EXPECT_TRUE(b == fb::probes::kAllocOutside || (b < fb::probes::kStageCount && b != FB_STAGE_TOTAL)) << p;
  }
}

}  // namespace
