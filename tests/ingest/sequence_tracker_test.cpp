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
  EXPECT_EQ(t.untracked(), 1U);
  // Per-publisher counters, as /api/v1/sources shows them. p1 accepted 5 6 9 1 2 (5 events),
  // skipped 7 and 8 (gaps 2), ignored 9 and 3 (duplicates 2), restarted once; last seq 2.
  ASSERT_EQ(t.publishers().size(), 2U);
  const PublisherStats& p1 = t.publishers().at(0);
  EXPECT_EQ(p1.name, "p1");
  EXPECT_EQ(p1.lastSeq.get(), 2U);
  EXPECT_EQ(p1.events.get(), 5U);
  EXPECT_EQ(p1.gaps.get(), 2U);
  EXPECT_EQ(p1.repeats.get(), 2U);
  EXPECT_EQ(p1.restarts.get(), 1U);
  EXPECT_EQ(t.publishers().at(1).name, "p2");
  EXPECT_EQ(t.publishers().at(1).events.get(), 1U);
}

}  // namespace
}  // namespace ccpulse
