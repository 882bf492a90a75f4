#include "ccpulse/common/spsc_ring.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <thread>

namespace ccpulse {
namespace {

TEST(SpscRing, FullAndEmpty) {
  SpscRing<int> ring(3);  // rounds up to 4
  EXPECT_EQ(ring.capacity(), 4U);
  EXPECT_EQ(ring.front(), nullptr);
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(ring.tryPush(i));
  }
  EXPECT_FALSE(ring.tryPush(99));
  EXPECT_EQ(ring.sizeApprox(), 4U);
  for (int i = 0; i < 4; ++i) {
    ASSERT_NE(ring.front(), nullptr);
    EXPECT_EQ(*ring.front(), i);
    ring.pop();
  }
  EXPECT_EQ(ring.front(), nullptr);
}

// One producer and one consumer thread: every value arrives once, in order.
TEST(SpscRing, TwoThreadsDeliverEverythingInOrder) {
  SpscRing<std::uint64_t> ring(64);
  constexpr std::uint64_t kCount = 1'000'000;
  std::thread producer([&] {
    for (std::uint64_t i = 0; i < kCount;) {
      if (ring.tryPush(i)) {
        ++i;
      }
    }
  });
  std::uint64_t expected = 0;
  while (expected < kCount) {
    if (std::uint64_t* v = ring.front()) {
      ASSERT_EQ(*v, expected);
      ring.pop();
      ++expected;
    }
  }
  producer.join();
  EXPECT_EQ(ring.front(), nullptr);
}

}  // namespace
}  // namespace ccpulse
