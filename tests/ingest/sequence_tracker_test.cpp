#include "ccpulse/ingest/sequence_tracker.hpp"

#include <gtest/gtest.h>

namespace ccpulse {
namespace {

using V = SequenceTracker::Verdict;

TEST(SequenceTracker, GapsRepeatsAndRestartsPerPublisher) {
  SequenceTracker t(2);
  std::uint64_t missing = 0;
  EXPECT_EQ(t.observe("p1", 5, missing), V::kInOrder);  // first seen: any start is fine
  EXPECT_EQ(t.observe("p1", 6, missing), V::kInOrder);
  EXPECT_EQ(t.observe("p1", 9, missing), V::kGap);
  EXPECT_EQ(missing, 2U);  // 7 and 8
  EXPECT_EQ(t.observe("p1", 9, missing), V::kRepeat);
  EXPECT_EQ(t.observe("p1", 3, missing), V::kRepeat);
  EXPECT_EQ(t.observe("p1", 1, missing), V::kRestart);
  EXPECT_EQ(t.observe("p1", 2, missing), V::kInOrder);
  EXPECT_EQ(t.observe("p2", 1, missing), V::kInOrder);  // independent publisher
  EXPECT_EQ(t.observe("p3", 1, missing), V::kUntracked) << "bounded at 2 publishers";
  EXPECT_EQ(t.publisherCount(), 2U);
}

}  // namespace
}  // namespace ccpulse
