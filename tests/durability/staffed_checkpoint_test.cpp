// Staffed agent-time survives a checkpoint (docs/durability.md): the agents' committed-until
// times and each agent-queue series' open staffed intervals are in the shard state, so a restored
// engine closes exactly the rows an uninterrupted one closes, none twice and none short.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include "../support/test_day.hpp"
#include "ccpulse/common/civil_time.hpp"
#include "ccpulse/config/loader.hpp"
#include "ccpulse/engine/engine.hpp"
#include "ccpulse/engine/series.hpp"
#include "ccpulse/replay/replayer.hpp"

namespace ccpulse {
namespace {

using test::at;
using test::kHourUs;
using test::kMinuteUs;
using test::kSecondUs;

std::string agentEvent(const std::string& type, const std::string& hms, const std::string& agent,
                       const std::string& extra = "") {
  return R"({"type":")" + type + R"(","ts":"2026-11-23T)" + hms + R"(Z","tenant":"t","vendor":"v","agent":")" + agent +
         "\"" + extra + "}";
}

using Rows = std::map<std::tuple<std::string, std::uint32_t, std::int64_t>, std::int64_t>;  // (queue, shard, start)

void drain(Replayer& r, Rows& out) {
  r.drainClosedAgentIntervals([&](const ClosedAgentInterval& p) {
    const auto [it, inserted] = out.emplace(std::make_tuple(p.series->queue, p.shard, p.startUs), p.staffedUs);
    EXPECT_TRUE(inserted) << "interval closed twice: " << p.series->queue << " shard " << p.shard << " " << p.startUs;
  });
}

TEST(StaffedCheckpoint, RestoredShardsCloseTheSameStaffedIntervals) {
  const auto loaded =
      loadConfigString("sources:\n  - name: acd\n    endpoint: tcp://127.0.0.1:5555\nengine:\n  shards: 2\n", "c.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.errors.front().format();
  const Config& config = *loaded.config;
  // Three agents (spread over the two shards by agent id), cut at 08:22 with 08:15-08:30 open and
  // a1 on a break, a2 available since 08:05 without an event since.
  const std::vector<std::string> before = {
      agentEvent("agent.login", "08:05:00", "a1", R"(,"queues":["q1"])"),
      agentEvent("agent.login", "08:05:00", "a2", R"(,"queues":["q1","q2"])"),
      agentEvent("agent.login", "08:12:30", "a3", R"(,"queues":["q2"])"),
      agentEvent("agent.state", "08:20:00", "a1", R"(,"state":"aux","reason":"break")"),
  };
  const std::vector<std::string> after = {
      agentEvent("agent.state", "08:25:00", "a1", R"(,"state":"busy")"),
      agentEvent("agent.state", "08:33:20", "a3", R"(,"state":"acw")"),
      agentEvent("agent.logout", "08:40:00", "a1"),
      agentEvent("agent.logout", "08:50:00", "a3"),
  };
  const auto run = [&](Replayer& r, Rows& rows) {
    for (int m = 41; m <= 59; m += 6) {
      r.publish(at(8, m));
    }
    r.publish(at(9, 1));
    drain(r, rows);
  };

  Replayer reference(config);
  Rows referenceRows;
  for (const auto& f : before) {
    reference.feed(f);
  }
  reference.publish(at(8, 22));
  drain(reference, referenceRows);
  for (const auto& f : after) {
    reference.feed(f);
  }
  run(reference, referenceRows);

  Replayer first(config);
  Rows restoredRows;
  for (const auto& f : before) {
    first.feed(f);
  }
  first.publish(at(8, 22));
  drain(first, restoredRows);  // 08:00-08:15 closed before the checkpoint
  std::vector<std::string> blobs;
  for (std::size_t s = 0; s < first.mutableEngine().shardCount(); ++s) {
    std::string blob;
    first.mutableEngine().shard(s).saveState(blob);
    blobs.push_back(std::move(blob));
  }
  Replayer second(config);
  for (std::size_t s = 0; s < blobs.size(); ++s) {
    ASSERT_TRUE(second.mutableEngine().shard(s).restoreState(blobs[s]));
  }
  for (const auto& f : after) {
    second.feed(f);
  }
  run(second, restoredRows);

  EXPECT_EQ(restoredRows, referenceRows);
  // Hand-computed totals per queue and interval (shards summed):
  //   q1 08:00: a1 08:05-08:15 600 + a2 600                        = 1200 s
  //   q1 08:15: a1 08:15-08:20 300 + (break) + 08:25-08:30 300 + a2 900 = 1500 s
  //   q1 08:30: a1 08:30-08:40 600 + a2 900                        = 1500 s
  //   q2 08:00: a2 600 + a3 08:12:30-08:15 150                     =  750 s
  //   q2 08:15: a2 900 + a3 900                                    = 1800 s
  //   q2 08:30: a2 900 + a3 900 (acw counts)                       = 1800 s
  //   q2 08:45: a2 900 + a3 08:45-08:50 300                        = 1200 s
  std::map<std::pair<std::string, std::int64_t>, std::int64_t> sums;
  for (const auto& [key, us] : restoredRows) {
    sums[{std::get<0>(key), std::get<2>(key)}] += us;
  }
  EXPECT_EQ((sums[{"q1", at(8, 0)}]), 1200 * kSecondUs);
  EXPECT_EQ((sums[{"q1", at(8, 15)}]), 1500 * kSecondUs);
  EXPECT_EQ((sums[{"q1", at(8, 30)}]), 1500 * kSecondUs);
  EXPECT_EQ((sums[{"q2", at(8, 0)}]), 750 * kSecondUs);
  EXPECT_EQ((sums[{"q2", at(8, 15)}]), 1800 * kSecondUs);
  EXPECT_EQ((sums[{"q2", at(8, 30)}]), 1800 * kSecondUs);
  EXPECT_EQ((sums[{"q2", at(8, 45)}]), 1200 * kSecondUs);
}

TEST(StaffedCheckpoint, AVersion1StateFromBeforeTheUpgradeIsRestored) {
  // tests/fixtures/shard_state_v1.bin was saved by the build before staffed agent-time (shard
  // state version 1; generator next to it) after: a1 login 08:05 into q1, a2 login 08:10 into
  // q1, a1 aux 08:20, publish 08:22. An upgrade must restore it (the daemon refuses to start on
  // a checkpoint it cannot restore). Staffed time then counts from the newest event before the
  // upgrade (08:20) with the restored states (a2 available, a1 in aux); before it, nothing.
  std::ifstream in(std::string(CCPULSE_SOURCE_DIR) + "/tests/fixtures/shard_state_v1.bin", std::ios::binary);
  ASSERT_TRUE(in.good());
  std::stringstream blob;
  blob << in.rdbuf();
  const auto loaded = loadConfigString(
      "sources:\n  - name: acd\n    endpoint: tcp://127.0.0.1:5555\n"
      "engine:\n  shards: 1\n  dedup_window: 1\n  windows: [15m]\n",
      "c.yaml");
  ASSERT_TRUE(loaded.ok()) << loaded.errors.front().format();
  Replayer r(*loaded.config);
  ASSERT_TRUE(r.mutableEngine().shard(0).restoreState(blob.str()));
  EXPECT_EQ(r.engine().shard(0).stats().agentsTracked.get(), 2);
  r.feed(agentEvent("agent.state", "08:25:00", "a1", R"(,"state":"available")"));
  r.feed(agentEvent("agent.logout", "08:40:00", "a1"));
  r.publish(at(8, 41));
  r.feed(agentEvent("agent.logout", "08:50:00", "a2"));
  r.publish(at(9, 1));
  Rows rows;
  drain(r, rows);
  //   08:15-08:30: a2 08:20-08:30 600 + a1 08:25-08:30 300   =  900 s (the first interval counted)
  //   08:30-08:45: a1 08:30-08:40 600 + a2 900               = 1500 s
  //   08:45-09:00: a2 08:45-08:50                            =  300 s
  EXPECT_EQ(rows.size(), 3U);
  EXPECT_EQ(rows.count({"q1", 0, at(8, 0)}), 0U);
  EXPECT_EQ((rows[{"q1", 0, at(8, 15)}]), 900 * kSecondUs);
  EXPECT_EQ((rows[{"q1", 0, at(8, 30)}]), 1500 * kSecondUs);
  EXPECT_EQ((rows[{"q1", 0, at(8, 45)}]), 300 * kSecondUs);
}

}  // namespace
}  // namespace ccpulse
