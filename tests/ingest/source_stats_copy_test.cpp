// SourceStats::copyTo: a journaling source shows a copy of its counters taken right after each
// journal commit (so /metrics never runs ahead of what a restart restores); every field must
// reach the copy.
#include <gtest/gtest.h>

#include "ccpulse/ingest/source_stats.hpp"

namespace ccpulse {
namespace {

TEST(SourceStatsCopy, EveryFieldReachesTheCopy) {
  SourceStats live;
  std::uint64_t v = 1;
  for (PubU64* c : {&live.frames, &live.bytes, &live.received, &live.sequenceGaps, &live.sequenceRepeats,
                    &live.sequenceRestarts, &live.submitted, &live.connects, &live.disconnects, &live.ignored,
                    &live.stateEvicted, &live.fileRotations, &live.fileTruncations, &live.connectFailures,
                    &live.stateWriteFailures, &live.decoderEvictions, &live.journalWriteErrors}) {
    c->set(v++);
  }
  for (auto& r : live.rejected) {
    r.set(v++);
  }
  for (auto& h : live.handshakeFailed) {
    h.set(v++);
  }
  live.lastEventSeconds.set(1.5);
  live.lastEventUs.set(-7);
  live.lastReceiveUs.set(42);
  live.ready.store(true);

  SourceStats shown;
  live.copyTo(shown);
  v = 1;
  for (const PubU64* c :
       {&shown.frames, &shown.bytes, &shown.received, &shown.sequenceGaps, &shown.sequenceRepeats,
        &shown.sequenceRestarts, &shown.submitted, &shown.connects, &shown.disconnects, &shown.ignored,
        &shown.stateEvicted, &shown.fileRotations, &shown.fileTruncations, &shown.connectFailures,
        &shown.stateWriteFailures, &shown.decoderEvictions, &shown.journalWriteErrors}) {
    EXPECT_EQ(c->get(), v++);
  }
  for (const auto& r : shown.rejected) {
    EXPECT_EQ(r.get(), v++);
  }
  for (const auto& h : shown.handshakeFailed) {
    EXPECT_EQ(h.get(), v++);
  }
  EXPECT_EQ(shown.lastEventSeconds.get(), 1.5);
  EXPECT_EQ(shown.lastEventUs.get(), -7);
  EXPECT_EQ(shown.lastReceiveUs.get(), 42);
  EXPECT_TRUE(shown.ready.load());

  // A later copy moves the shown values on, readiness included.
  live.frames.add(10);
  live.ready.store(false);
  live.copyTo(shown);
  EXPECT_EQ(shown.frames.get(), 11U);
  EXPECT_FALSE(shown.ready.load());
}

}  // namespace
}  // namespace ccpulse
