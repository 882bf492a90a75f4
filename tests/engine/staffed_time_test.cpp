// Staffed agent-time per clock-aligned interval (docs/contracts.md `staffed_vs_committed`): the
// shards split each agent's time in available / busy / ACW exactly at the interval boundaries and
// close one row per (agent-queue series, shard, interval). Driven through the real decoder and
// shards without threads (Replayer, event clock); "now" is injected with publish(nowUs), no sleeps.
// Expected seconds are worked out by hand next to each assertion.
#include <gtest/gtest.h>

#include <map>

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

std::shared_ptr<const Config> config(const std::string& extra = "") {
  const auto loaded =
      loadConfigString("sources:\n  - name: acd\n    endpoint: tcp://127.0.0.1:5555\n" + extra, "staffed.yaml");
  EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.errors.front().format());
  return loaded.config;
}

std::string agentEvent(const std::string& type, const std::string& hms, const std::string& agent,
                       const std::string& extra = "") {
  return R"({"type":")" + type + R"(","ts":"2026-11-23T)" + hms + R"(Z","tenant":"t","vendor":"v","agent":")" + agent +
         "\"" + extra + "}";
}

/// Closed staffed rows drained from the replayer, by (queue, interval start): seconds summed over
/// shards, and how many shard rows made each sum.
struct Drained {
  std::map<std::pair<std::string, std::int64_t>, double> seconds;
  std::map<std::pair<std::string, std::int64_t>, int> rows;
};

void drain(Replayer& r, Drained& out) {
  r.drainClosedAgentIntervals([&](const ClosedAgentInterval& p) {
    EXPECT_EQ(p.endUs - p.startUs, 15 * kMinuteUs);
    out.seconds[{p.series->queue, p.startUs}] += static_cast<double>(p.staffedUs) / kSecondUs;
    ++out.rows[{p.series->queue, p.startUs}];
  });
}

TEST(StaffedTime, SplitExactlyAtIntervalBoundariesWithoutBreakTime) {
  // One agent in q1: login 08:10, aux (break) 08:20-08:25, logout 08:40; 15-minute intervals.
  //   08:00-08:15: 08:10 -> 08:15                         =  5 min = 300 s
  //   08:15-08:30: 08:15 -> 08:20 (5 min) + 08:25 -> 08:30 (5 min), break excluded = 600 s
  //   08:30-08:45: 08:30 -> 08:40                         = 10 min = 600 s
  //   total 1500 s = 30 min logged in - 5 min break.
  const auto cfg = config();
  Replayer r(*cfg);
  Drained d;
  r.feed(agentEvent("agent.login", "08:10:00", "a1", R"(,"queues":["q1"])"));
  r.publish(at(8, 12));  // mid-interval publishes commit time up to now - 5 s; they must not count it twice
  r.publish(at(8, 14, 59));
  r.feed(agentEvent("agent.state", "08:20:00", "a1", R"(,"state":"aux","reason":"break")"));
  r.publish(at(8, 21));  // 08:00-08:15 closes now (08:15 + 5 s tolerance has passed)
  drain(r, d);
  ASSERT_EQ(d.seconds.count({"q1", at(8, 0)}), 1U);
  EXPECT_DOUBLE_EQ((d.seconds[{"q1", at(8, 0)}]), 300);
  EXPECT_EQ(d.seconds.count({"q1", at(8, 15)}), 0U);  // still open
  r.feed(agentEvent("agent.state", "08:25:00", "a1", R"(,"state":"available")"));
  r.feed(agentEvent("agent.logout", "08:40:00", "a1"));
  r.publish(at(9, 0));
  drain(r, d);
  EXPECT_DOUBLE_EQ((d.seconds[{"q1", at(8, 15)}]), 600);
  EXPECT_DOUBLE_EQ((d.seconds[{"q1", at(8, 30)}]), 600);
  EXPECT_EQ((d.rows[{"q1", at(8, 0)}]), 1);
  // After the logout the series still closes its intervals, with nobody staffed: 0, not absent.
  r.publish(at(9, 20));
  drain(r, d);
  ASSERT_EQ(d.seconds.count({"q1", at(8, 45)}), 1U);
  EXPECT_DOUBLE_EQ((d.seconds[{"q1", at(8, 45)}]), 0);
}

TEST(StaffedTime, BusyAndAcwCountAgentsWithoutEventsCountAndShardsAdd) {
  // Two agents of q1 on different shards (agents are routed by agent). a logs in 08:00 and sends
  // nothing until logging out at 09:00: publishes alone must commit its time into each interval.
  // b logs in 08:05 into q1 and q2, busy 08:10, acw 08:20, aux 08:25, logout 08:35.
  //   q1 08:00-08:15: a 900 + b (08:05 -> 08:15) 600 = 1500 s (2 shard rows)
  //   q1 08:15-08:30: a 900 + b (08:15 -> 08:25; acw counts, aux from 08:25 does not) 600 = 1500 s
  //   q1 08:30-08:45: a 900 + b 0 (aux until logout)   = 900 s
  //   q1 08:45-09:00: a 900                            = 900 s
  //   q2 (b only): 600, 600, 0 — an agent in two queues counts in each.
  const auto cfg = config("engine:\n  shards: 2\n");
  Replayer r(*cfg);
  std::string a = "agent-0";
  std::string b;
  Event probe;
  probe.type = EventType::kAgentLogin;
  probe.tenant.assign("t");
  probe.agent.assign(a);
  const std::size_t shardOfA = routeEvent(probe, 2);
  for (int i = 1; b.empty(); ++i) {
    probe.agent.assign("agent-" + std::to_string(i));
    if (routeEvent(probe, 2) != shardOfA) {
      b = "agent-" + std::to_string(i);
    }
  }
  Drained d;
  r.feed(agentEvent("agent.login", "08:00:00", a, R"(,"queues":["q1"])"));
  r.feed(agentEvent("agent.login", "08:05:00", b, R"(,"queues":["q1","q2"])"));
  r.feed(agentEvent("agent.state", "08:10:00", b, R"(,"state":"busy")"));
  r.feed(agentEvent("agent.state", "08:20:00", b, R"(,"state":"acw")"));
  r.feed(agentEvent("agent.state", "08:25:00", b, R"(,"state":"aux","reason":"lunch")"));
  for (int m = 26; m < 35; m += 3) {
    r.publish(at(8, m));
  }
  r.feed(agentEvent("agent.logout", "08:35:00", b));
  for (int m = 36; m < 60; m += 3) {
    r.publish(at(8, m));
  }
  r.feed(agentEvent("agent.logout", "09:00:00", a));
  r.publish(at(9, 1));
  drain(r, d);
  EXPECT_DOUBLE_EQ((d.seconds[{"q1", at(8, 0)}]), 1500);
  EXPECT_EQ((d.rows[{"q1", at(8, 0)}]), 2);
  EXPECT_DOUBLE_EQ((d.seconds[{"q1", at(8, 15)}]), 1500);
  EXPECT_DOUBLE_EQ((d.seconds[{"q1", at(8, 30)}]), 900);
  EXPECT_DOUBLE_EQ((d.seconds[{"q1", at(8, 45)}]), 900);
  EXPECT_DOUBLE_EQ((d.seconds[{"q2", at(8, 0)}]), 600);
  EXPECT_DOUBLE_EQ((d.seconds[{"q2", at(8, 15)}]), 600);
  EXPECT_DOUBLE_EQ((d.seconds[{"q2", at(8, 30)}]), 0);
}

}  // namespace
}  // namespace ccpulse
