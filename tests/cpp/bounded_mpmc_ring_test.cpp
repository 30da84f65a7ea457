// BoundedMpmcRing<T>, single-threaded rules: capacity, FIFO, full/empty, wrap-around, and
// task types of any size (the cell padding must not assume T <= 56 bytes).
#include "framework/dispatch/bounded_mpmc_ring.h"

#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <string>

using fb::BoundedMpmcRing;

TEST(BoundedMpmcRing, CapacityIsRoundedUpToAPowerOfTwo) {
  EXPECT_EQ(BoundedMpmcRing<int>(0).capacity(), 2u);
  EXPECT_EQ(BoundedMpmcRing<int>(1).capacity(), 2u);
  EXPECT_EQ(BoundedMpmcRing<int>(2).capacity(), 2u);
  EXPECT_EQ(BoundedMpmcRing<int>(3).capacity(), 4u);
  EXPECT_EQ(BoundedMpmcRing<int>(1000).capacity(), 1024u);
  EXPECT_EQ(BoundedMpmcRing<int>(1024).capacity(), 1024u);
}

TEST(BoundedMpmcRing, FifoFullAndEmpty) {
  BoundedMpmcRing<int> ring(4);
  int out = -1;
  EXPECT_FALSE(ring.try_pop(out));
  EXPECT_TRUE(ring.empty_hint());
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(ring.try_push(i));
  EXPECT_FALSE(ring.try_push(99)) << "a full ring refuses";
  EXPECT_FALSE(ring.empty_hint());
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(ring.try_pop(out));
    EXPECT_EQ(out, i);
  }
  EXPECT_FALSE(ring.try_pop(out));
}

TEST(BoundedMpmcRing, WrapsAroundManyLaps) {
  BoundedMpmcRing<std::uint64_t> ring(2);
  std::uint64_t out = 0;
  for (std::uint64_t i = 0; i < 10'000; ++i) {
    ASSERT_TRUE(ring.try_push(i));
    if (i % 2 == 1) {
      ASSERT_TRUE(ring.try_pop(out));
      EXPECT_EQ(out, i - 1);
      ASSERT_TRUE(ring.try_pop(out));
      EXPECT_EQ(out, i);
    }
  }
  EXPECT_FALSE(ring.try_pop(out));
}

TEST(BoundedMpmcRing, RefusedValueIsLeftUntouched) {
  BoundedMpmcRing<std::unique_ptr<int>> ring(2);
  ASSERT_TRUE(ring.try_push(std::make_unique<int>(1)));
  ASSERT_TRUE(ring.try_push(std::make_unique<int>(2)));
  auto third = std::make_unique<int>(3);
  EXPECT_FALSE(ring.try_push(third));
  ASSERT_NE(third, nullptr);
  EXPECT_EQ(*third, 3);
  std::unique_ptr<int> out;
  ASSERT_TRUE(ring.try_pop(out));
  EXPECT_EQ(*out, 1);
}

// Above the 56 bytes that fit next to an 8-byte sequence number in one cache line.
struct Big {
  std::array<std::uint64_t, 25> words{};  // 200 bytes
};

TEST(BoundedMpmcRing, TaskTypesOfAnySize) {
  static_assert(sizeof(Big) > 56);
  BoundedMpmcRing<Big> ring(8);
  for (std::uint64_t lap = 0; lap < 5; ++lap) {
    for (std::uint64_t i = 0; i < 8; ++i) {
      Big b;
      for (std::size_t w = 0; w < b.words.size(); ++w) b.words[w] = lap * 1000 + i * 100 + w;
      ASSERT_TRUE(ring.try_push(b));
    }
    for (std::uint64_t i = 0; i < 8; ++i) {
      Big b;
      ASSERT_TRUE(ring.try_pop(b));
      for (std::size_t w = 0; w < b.words.size(); ++w) ASSERT_EQ(b.words[w], lap * 1000 + i * 100 + w);
    }
  }
  // An over-aligned type and a string (non-trivial move) work too.
  struct alignas(128) Aligned {
    int v = 0;
  };
  BoundedMpmcRing<Aligned> aligned(4);
  ASSERT_TRUE(aligned.try_push(Aligned{7}));
  Aligned a;
  ASSERT_TRUE(aligned.try_pop(a));
  EXPECT_EQ(a.v, 7);
  BoundedMpmcRing<std::string> strings(4);
  ASSERT_TRUE(strings.try_push(std::string(100, 'x')));
  std::string s;
  ASSERT_TRUE(strings.try_pop(s));
  EXPECT_EQ(s, std::string(100, 'x'));
}

TEST(BoundedMpmcRing, DestructorDestroysWhatIsLeft) {
  auto counter = std::make_shared<int>(0);
  {
    BoundedMpmcRing<std::shared_ptr<int>> ring(4);
    ASSERT_TRUE(ring.try_push(std::shared_ptr<int>(counter)));
    ASSERT_TRUE(ring.try_push(std::shared_ptr<int>(counter)));
    std::shared_ptr<int> out;
    ASSERT_TRUE(ring.try_pop(out));  // one popped, destroyed with `out`
    EXPECT_EQ(counter.use_count(), 3);
  }
  EXPECT_EQ(counter.use_count(), 1) << "the value left in the ring was destroyed";
}

TEST(BoundedMpmcRing, IndicesLiveOnTheirOwnLines) {
  EXPECT_EQ(alignof(BoundedMpmcRing<int>), fb::kFalseSharingRange);
  EXPECT_EQ(sizeof(BoundedMpmcRing<int>) % fb::kFalseSharingRange, 0u);
}
