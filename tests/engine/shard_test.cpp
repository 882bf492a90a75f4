// Engine semantics through the real decoder and shards, without threads (Replayer).
#include <gtest/gtest.h>

#include "../support/test_support.hpp"
#include "ccpulse/config/loader.hpp"
#include "ccpulse/engine/engine.hpp"
#include "ccpulse/replay/replayer.hpp"

namespace ccpulse {
namespace {

using test::findSample;
using test::parsePrometheusText;

std::shared_ptr<const Config> configWith(const std::string& extra) {
  const auto loaded =
      loadConfigString("sources:\n  - name: acd\n    endpoint: tcp://127.0.0.1:5555\n" + extra, "test.yaml");
  if (!loaded.ok()) {
    ADD_FAILURE() << loaded.errors.front().format();
  }
  return loaded.config;
}

std::string ev(const std::string& type, int t, const std::string& contactId, const std::string& extra = "",
               const std::string& queue = "q1") {
  // ts as epoch milliseconds: base 1'795'000'000'000 ms + t seconds.
  return R"({"type":")" + type + R"(","ts":)" + std::to_string(1'795'000'000'000LL + t * 1000LL) +
         R"(,"tenant":"t","queue":")" + queue + R"(","contact":")" + contactId + "\"" + extra + "}";
}

const std::map<std::string, std::string> kQ1 = {{"tenant", "t"}, {"queue", "q1"}, {"channel", "voice"}};

TEST(Routing, ContactEventsByTenantAndQueueAgentsByTenantAndAgent) {
  Event a;
  a.type = EventType::kContactQueued;
  a.tenant.assign("t");
  a.queue.assign("q1");
  a.contact.assign("c1");
  Event b = a;
  b.contact.assign("c2");  // same queue, other contact: same shard
  EXPECT_EQ(routeEvent(a, 8), routeEvent(b, 8));
  Event agent;
  agent.type = EventType::kAgentState;
  agent.tenant.assign("t");
  agent.agent.assign("x");
  agent.queue.assign("q1");
  Event agent2 = agent;
  agent2.queue.assign("q2");  // agents ignore the queue field for routing
  EXPECT_EQ(routeEvent(agent, 8), routeEvent(agent2, 8));
  EXPECT_EQ(routeEvent(a, 1), 0U);
  // Spread: 1000 queues over 4 shards, none empty and none with more than 40 %.
  std::array<int, 4> counts{};
  for (int i = 0; i < 1000; ++i) {
    a.queue.assign("queue-" + std::to_string(i));
    ++counts[routeEvent(a, 4)];
  }
  for (const int c : counts) {
    EXPECT_GT(c, 150);
    EXPECT_LT(c, 400);
  }
}

TEST(Shard, TransferOffersAgainInTheSecondQueue) {
  const auto config = configWith("");
  Replayer r(*config);
  // c1 queued in q1 at 0, answered at 10, transferred at 40, queued in q2 at 40, answered in q2
  // at 70 (wait 30 there, counted from the second queued), ended 100, wrapped 110.
  r.feed(ev("contact.queued", 0, "c1"));
  r.feed(ev("contact.answered", 10, "c1"));
  r.feed(ev("contact.transferred", 40, "c1", R"(,"to_queue":"q2")"));
  r.feed(ev("contact.queued", 40, "c1", "", "q2"));
  r.feed(ev("contact.answered", 70, "c1", "", "q2"));
  r.feed(ev("contact.ended", 100, "c1", "", "q2"));
  r.feed(ev("contact.wrapped", 110, "c1", "", "q2"));
  r.publish();
  const auto m = parsePrometheusText(r.renderMetrics());
  std::map<std::string, std::string> q2 = kQ1;
  q2["queue"] = "q2";
  EXPECT_EQ(findSample(m, "ccpulse_contacts_offered_total", kQ1), 1);
  EXPECT_EQ(findSample(m, "ccpulse_contacts_transferred_total", kQ1), 1);
  EXPECT_EQ(findSample(m, "ccpulse_contacts_offered_total", q2), 1);
  EXPECT_EQ(findSample(m, "ccpulse_contacts_transferred_in_total", q2), 1);
  // Talk in q1: 40 - 10 = 30 s (until the transfer re-queued it); in q2: 100 - 70 = 30 s.
  EXPECT_DOUBLE_EQ(*findSample(m, "ccpulse_talk_seconds_total", kQ1), 30);
  EXPECT_DOUBLE_EQ(*findSample(m, "ccpulse_talk_seconds_total", q2), 30);
  // Wait in q2 starts at its own contact.queued: 70 - 40 = 30 s.
  EXPECT_DOUBLE_EQ(*findSample(m, "ccpulse_wait_seconds_sum", q2), 30);
  EXPECT_EQ(findSample(m, "ccpulse_contacts_handled_total", q2), 1);
  EXPECT_EQ(findSample(m, "ccpulse_contacts_handled_total", kQ1), 0);
}

TEST(Shard, ThresholdIsInclusiveAndShortAbandonIsInclusive) {
  const auto config = configWith("service_level:\n  threshold: 20s\n  short_abandon: 5s\n");
  Replayer r(*config);
  r.feed(ev("contact.queued", 0, "a"));
  r.feed(ev("contact.answered", 20, "a"));  // exactly 20 s: within
  r.feed(ev("contact.queued", 0, "b"));
  r.feed(ev("contact.answered", 21, "b"));  // 21 s: missed
  r.feed(ev("contact.queued", 0, "c"));
  r.feed(ev("contact.abandoned", 5, "c"));  // exactly 5 s: short
  r.feed(ev("contact.queued", 0, "d"));
  r.feed(ev("contact.abandoned", 6, "d"));  // 6 s: not short, within threshold
  r.publish();
  const auto m = parsePrometheusText(r.renderMetrics());
  EXPECT_EQ(findSample(m, "ccpulse_contacts_answered_in_threshold_total", kQ1), 1);
  EXPECT_EQ(findSample(m, "ccpulse_contacts_abandoned_short_total", kQ1), 1);
  EXPECT_EQ(findSample(m, "ccpulse_contacts_abandoned_in_threshold_total", kQ1), 2);
}

TEST(Shard, WindowsDecayWhenNoEventsArrive) {
  const auto config = configWith("engine:\n  windows: [15m, 1h]\n");
  Replayer r(*config);
  r.feed(ev("contact.queued", 0, "a"));
  r.feed(ev("contact.answered", 10, "a"));
  r.publish();
  auto m = parsePrometheusText(r.renderMetrics());
  EXPECT_EQ(findSample(m, "ccpulse_service_level", {{"queue", "q1"}, {"window", "15m"}}), 1.0);
  // 20 minutes later the 15m window is empty (undefined, so absent) and the 1h one still holds it.
  r.publish(r.newestEventUs() + 20LL * 60 * 1'000'000);
  m = parsePrometheusText(r.renderMetrics());
  EXPECT_FALSE(findSample(m, "ccpulse_service_level", {{"queue", "q1"}, {"window", "15m"}}).has_value());
  EXPECT_EQ(findSample(m, "ccpulse_service_level", {{"queue", "q1"}, {"window", "1h"}}), 1.0);
  // Counters never decay.
  EXPECT_EQ(findSample(m, "ccpulse_contacts_answered_total", kQ1), 1);
}

TEST(Shard, ContactsOlderThanMaxAgeAreEvictedAndCounted) {
  const auto config = configWith("engine:\n  contact_max_age: 1h\n");
  Replayer r(*config);
  r.feed(ev("contact.queued", 0, "old"));
  r.feed(ev("contact.queued", 3000, "young"));
  r.publish(1'795'000'000'000'000LL + 3700LL * 1'000'000);  // 'old' is 3700 s old > 1 h
  const auto m = parsePrometheusText(r.renderMetrics());
  EXPECT_EQ(findSample(m, "ccpulse_contacts_evicted_total", {{"reason", "max_age"}}), 1);
  EXPECT_EQ(findSample(m, "ccpulse_contacts_waiting", kQ1), 1);
  // The remaining one is 'young', queued at 3000: 700 s old.
  EXPECT_DOUBLE_EQ(*findSample(m, "ccpulse_oldest_waiting_seconds", kQ1), 700);
}

TEST(Shard, LabelSetsBeyondTheCapFoldIntoOther) {
  const auto config = configWith("engine:\n  shards: 1\n  max_series_per_shard: 2\n");
  Replayer r(*config);
  r.feed(ev("contact.queued", 0, "a", "", "q1"));
  r.feed(ev("contact.queued", 0, "b", "", "q2"));
  r.feed(ev("contact.queued", 0, "c", "", "q3"));  // third label set: folded
  r.feed(ev("contact.queued", 0, "d", "", "q4"));  // folded too
  r.publish();
  const auto m = parsePrometheusText(r.renderMetrics());
  EXPECT_EQ(findSample(m, "ccpulse_contacts_offered_total", {{"queue", "_other"}}), 2);
  EXPECT_FALSE(findSample(m, "ccpulse_contacts_offered_total", {{"queue", "q3"}}).has_value());
  EXPECT_EQ(findSample(m, "ccpulse_series_folded_total"), 2);
}

TEST(Shard, DuplicateIdsIgnoredWithinTheWindowOnly) {
  const auto config = configWith("engine:\n  shards: 1\n  dedup_window: 2\n");
  Replayer r(*config);
  r.feed(ev("contact.queued", 0, "a", R"(,"id":"e1")"));
  r.feed(ev("contact.queued", 0, "a", R"(,"id":"e1")"));  // duplicate: ignored
  r.feed(ev("contact.queued", 0, "b", R"(,"id":"e2")"));
  r.feed(ev("contact.queued", 0, "c", R"(,"id":"e3")"));  // e1 falls out of the 2-id window
  r.feed(ev("contact.queued", 0, "a", R"(,"id":"e1")"));  // so this one counts again
  r.publish();
  const auto m = parsePrometheusText(r.renderMetrics());
  EXPECT_EQ(findSample(m, "ccpulse_contacts_offered_total", kQ1), 4);
  EXPECT_EQ(findSample(m, "ccpulse_events_duplicate_total", {{"source", "replay"}}), 1);
}

TEST(Shard, ServiceLevelOverrideAppliesPerChannel) {
  const auto config = configWith(
      "service_level:\n  threshold: 20s\n  overrides:\n    - match: {channel: chat}\n      threshold: 60s\n");
  Replayer r(*config);
  r.feed(ev("contact.queued", 0, "v"));
  r.feed(ev("contact.answered", 45, "v"));  // voice: 45 > 20, missed
  r.feed(ev("contact.queued", 0, "c", R"(,"channel":"chat")"));
  r.feed(ev("contact.answered", 45, "c", R"(,"channel":"chat")"));  // chat: 45 <= 60, met
  r.publish();
  const auto m = parsePrometheusText(r.renderMetrics());
  EXPECT_EQ(findSample(m, "ccpulse_contacts_answered_in_threshold_total", kQ1), 0);
  EXPECT_EQ(findSample(m, "ccpulse_contacts_answered_in_threshold_total", {{"queue", "q1"}, {"channel", "chat"}}), 1);
  EXPECT_EQ(findSample(m, "ccpulse_service_level_threshold_seconds", {{"queue", "q1"}, {"channel", "chat"}}), 60);
}

}  // namespace
}  // namespace ccpulse

namespace ccpulse {
namespace {

TEST(Shard, LabelSetsPerTenantAreCappedAcrossShards) {
  const auto config = configWith("engine:\n  shards: 4\n  max_series_per_tenant: 2\n");
  Replayer r(*config);
  // Tenant t: q1 and q2 fit its budget of 2, q3 and q4 fold into "_other" wherever they route.
  for (const char* q : {"q1", "q2", "q3", "q4"}) {
    r.feed(ev("contact.queued", 0, std::string("c-") + q, "", q));
  }
  // Tenant u has its own budget.
  r.feed(R"({"type":"contact.queued","ts":1795000000000,"tenant":"u","queue":"q9","contact":"x"})");
  r.publish();
  const auto m = parsePrometheusText(r.renderMetrics());
  EXPECT_EQ(findSample(m, "ccpulse_contacts_offered_total", {{"tenant", "t"}, {"queue", "_other"}}), 2);
  EXPECT_EQ(findSample(m, "ccpulse_contacts_offered_total", {{"tenant", "t"}, {"queue", "q1"}}), 1);
  EXPECT_EQ(findSample(m, "ccpulse_contacts_offered_total", {{"tenant", "u"}, {"queue", "q9"}}), 1);
  EXPECT_EQ(findSample(m, "ccpulse_series_folded_total"), 2);
}

}  // namespace
}  // namespace ccpulse
