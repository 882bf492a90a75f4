#include "ccpulse/engine/engine.hpp"

#include <gtest/gtest.h>

namespace ccpulse {
namespace {

// With the workers not running, a full ring stays full: after the back-pressure timeout the
// event is dropped and counted, never blocking for ever.
TEST(Engine, FullRingDropsAndCountsAfterBackpressure) {
  EngineSettings settings;
  settings.shards = 1;
  settings.ringCapacity = 4;
  settings.backpressureTimeout = std::chrono::milliseconds(2);
  ManualClock clock;
  Engine engine(settings, std::make_shared<const ServiceLevelSettings>(), 2, clock);
  Event event;
  event.type = EventType::kContactQueued;
  event.tenant.assign("t");
  event.queue.assign("q");
  event.contact.assign("c");
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(engine.submit(0, event));
  }
  EXPECT_FALSE(engine.submit(0, event));
  EXPECT_FALSE(engine.submit(0, event));
  EXPECT_EQ(engine.dropped(0), 2U);
  EXPECT_EQ(engine.dropped(1), 0U) << "drops are counted per source";
  EXPECT_TRUE(engine.submit(1, event)) << "each source has its own ring";
  // Once the worker drains, events flow again and everything accepted was applied.
  EXPECT_EQ(engine.shard(0).drainOnce(100), 5U);
  EXPECT_TRUE(engine.submit(0, event));
}

}  // namespace
}  // namespace ccpulse
