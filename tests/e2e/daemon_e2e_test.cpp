// End-to-end: the real ccpulsed process on loopback, fed a scripted event set over ZeroMQ tcp,
// scraped over HTTP; exact values asserted. The arithmetic behind every expected number is in
// the comments next to it.
#include <gtest/gtest.h>
#include <signal.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <zmq.hpp>

#include "../support/test_support.hpp"

namespace ccpulse::test {
namespace {

// T0 = 2026-11-23T10:00:00Z. Times below are T0 + seconds.
std::string at(int seconds) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "2026-11-23T10:%02d:%02dZ", seconds / 60, seconds % 60);
  return buf;
}

std::string contact(const std::string& type, int t, const std::string& id, const std::string& extra = "") {
  return R"({"type":")" + type + R"(","ts":")" + at(t) +
         R"(","tenant":"acme","vendor":"v1","queue":"sales","channel":"voice","contact":")" + id + "\"" + extra + "}";
}

std::string agent(const std::string& type, int t, const std::string& id, const std::string& extra) {
  return R"({"type":")" + type + R"(","ts":")" + at(t) + R"(","tenant":"acme","vendor":"v1","agent":")" + id + "\"" +
         extra + "}";
}

class DaemonE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    httpPort_ = freeTcpPort();
    zmqPort_ = freeTcpPort();
    const std::string config = "http:\n  listen: 127.0.0.1:" + std::to_string(httpPort_) +
                               "\n"
                               "sources:\n"
                               "  - name: acd\n"
                               "    endpoint: tcp://127.0.0.1:" +
                               std::to_string(zmqPort_) +
                               "\n"
                               "    socket: pull\n"
                               "    bind: true\n"
                               "service_level:\n"
                               "  threshold: 20s\n"
                               "  target: 0.80\n"
                               "  short_abandon: 5s\n"
                               "engine:\n"
                               "  shards: 2\n"
                               "  clock: event\n";
    configPath_ = writeTempFile("ccpulse.yaml", config);
    logPath_ = configPath_ + ".log";
    daemon_ = std::make_unique<Process>(CCPULSED_PATH, std::vector<std::string>{"--config", configPath_}, logPath_);
    ASSERT_TRUE(waitReady(httpPort_)) << readFile(logPath_);
  }

  void TearDown() override {
    if (daemon_ && daemon_->running()) {
      daemon_->signal(SIGTERM);
      EXPECT_EQ(daemon_->wait(std::chrono::seconds(10)), 0) << readFile(logPath_);
    }
  }

  void send(const std::vector<std::string>& frames) { pushFrames(zmqPort_, frames); }

  std::vector<Sample> scrape() {
    const auto r = httpGet(httpPort_, "/metrics");
    return r && r->status == 200 ? parsePrometheusText(r->body) : std::vector<Sample>{};
  }

  int httpPort_ = 0;
  int zmqPort_ = 0;
  std::string configPath_;
  std::string logPath_;
  std::unique_ptr<Process> daemon_;
};

TEST_F(DaemonE2eTest, ScriptedEventsGiveExactMetrics) {
  std::vector<std::string> frames = {
      // Agents (queue sales unless noted). a1 in sales and support.
      agent("agent.login", 0, "a1", R"(,"queues":["sales","support"])"),
      agent("agent.login", 0, "a2", R"(,"queues":["sales"])"),
      agent("agent.login", 0, "a3", R"(,"queues":["sales"])"),
      agent("agent.login", 0, "a4", R"(,"queues":["sales"])"),
      // c1: queued 0, answered 10 (wait 10 <= 20: in threshold), hold 30..50, transferred 60,
      //     ended 110, wrapped 140.
      contact("contact.queued", 0, "c1"),
      // c2: queued 5, answered 35 (wait 30 > 20: missed), ended 95, wrapped 105.
      contact("contact.queued", 5, "c2"),
      // c3: queued 10, abandoned 13 (wait 3: within threshold and short); sent twice with one id.
      contact("contact.queued", 10, "c3"),
      agent("agent.state", 10, "a1", R"(,"state":"busy")"),
      contact("contact.answered", 10, "c1", R"(,"agent":"a1")"),
      contact("contact.abandoned", 13, "c3", R"(,"id":"dup-1")"),
      contact("contact.abandoned", 13, "c3", R"(,"id":"dup-1")"),
      // c4: queued 20, abandoned 60 (wait 40: missed, not short).
      contact("contact.queued", 20, "c4"),
      agent("agent.state", 20, "a2", R"(,"state":"aux","reason":"lunch")"),
      contact("contact.hold", 30, "c1"),
      // c5: queued 30, dequeued 90 by timeout.
      contact("contact.queued", 30, "c5"),
      contact("contact.answered", 35, "c2", R"(,"agent":"a2")"),
      // c7: answered 40 with no contact.queued ever seen (unmatched).
      contact("contact.answered", 40, "c7", R"(,"agent":"a3")"),
      agent("agent.state", 40, "a3", R"(,"state":"offline")"),
      contact("contact.unhold", 50, "c1"),
      agent("agent.state", 50, "a4", R"(,"state":"aux","reason":"smoking")"),
      contact("contact.abandoned", 60, "c4"),
      contact("contact.transferred", 60, "c1"),  // to an agent: no to_queue, the contact stays here
      contact("contact.dequeued", 90, "c5", R"(,"reason":"timeout")"),
      contact("contact.ended", 95, "c2"),
      // c6: queued 100, still waiting at the end.
      contact("contact.queued", 100, "c6"),
      contact("contact.wrapped", 105, "c2", R"(,"disposition":"sale","resolved":true)"),
      contact("contact.ended", 110, "c1"),
      contact("contact.wrapped", 140, "c1"),
      // c8: queued 150, still waiting.
      contact("contact.queued", 150, "c8"),
      // Last events, at 170: a survey on sales and every agent restating its state, so that each
      // shard's event clock reaches 170.
      R"({"type":"survey.result","ts":")" + at(170) +
          R"(","tenant":"acme","vendor":"v1","queue":"sales","contact":"c1","csat":4})",
      agent("agent.state", 170, "a1", R"(,"state":"busy")"),
      agent("agent.state", 170, "a2", R"(,"state":"aux","reason":"lunch")"),
      agent("agent.state", 170, "a3", R"(,"state":"offline")"),
      agent("agent.state", 170, "a4", R"(,"state":"aux","reason":"smoking")"),
  };
  // A batch frame (JSON array) and sequence numbers from publisher p1: 1, 2, 4 (one missing).
  frames.push_back("[" + contact("contact.queued", 170, "s1", R"(,"source":"p1","seq":1)") + "," +
                   contact("contact.abandoned", 170, "s1", R"(,"source":"p1","seq":2)") + "]");
  // seq 4 after 2: one event (seq 3) missing. This dequeue names a contact never queued: unmatched.
  frames.push_back(R"({"type":"contact.dequeued","ts":")" + at(170) +
                   R"(","tenant":"acme","queue":"other","contact":"s9","source":"p1","seq":4})");
  // Bad input, one of each class: not JSON, missing type, unknown type, bad timestamp,
  // missing queue, oversized identifier.
  frames.push_back("this is not json");
  frames.push_back(R"({"ts":"2026-11-23T10:00:00Z","queue":"sales","contact":"x"})");
  frames.push_back(R"({"type":"contact.teleported","ts":"2026-11-23T10:00:00Z","queue":"sales","contact":"x"})");
  frames.push_back(R"({"type":"contact.queued","ts":"yesterday","queue":"sales","contact":"x"})");
  frames.push_back(R"({"type":"contact.queued","ts":"2026-11-23T10:00:00Z","contact":"x"})");
  frames.push_back(R"({"type":"contact.queued","ts":"2026-11-23T10:00:00Z","queue":")" + std::string(100, 'q') +
                   R"(","contact":"x"})");
  send(frames);

  const std::map<std::string, std::string> sales = {
      {"tenant", "acme"}, {"vendor", "v1"}, {"queue", "sales"}, {"channel", "voice"}};
  auto with = [](std::map<std::string, std::string> m, const std::string& k, const std::string& v) {
    m[k] = v;
    return m;
  };
  std::vector<Sample> m;
  // Counters move as events are applied; gauges (windows, oldest wait, occupancy) are published
  // when a shard's rings run dry, so wait until every event was seen and the last publish of both
  // shards is visible (their final values are asserted below). "Seen" is not "published": the
  // received counter counts s1's batch frame when it is decoded, and a publish between the survey
  // and that frame already shows oldest 70 and one survey; only the 15m abandon rate (3/8 with
  // s1's abandon, 2/7 without) tells that the queue shard published after s1 (TSan made that gap
  // wide enough to scrape in it).
  const auto w15 = with(sales, "window", "15m");
  const bool settled = pollUntil(
      [&] {
        m = scrape();
        const auto occupancy =
            findSample(m, "ccpulse_occupancy", {{"tenant", "acme"}, {"queue", "sales"}, {"window", "15m"}});
        return findSample(m, "ccpulse_events_received_total", {{"source", "acd"}}) == 43.0 &&
               findSample(m, "ccpulse_surveys_total", sales) == 1.0 &&
               findSample(m, "ccpulse_oldest_waiting_seconds", sales) == 70.0 && occupancy == 160.0 / 280.0 &&
               findSample(m, "ccpulse_abandon_rate", w15) == 3.0 / 8.0;
      },
      std::chrono::seconds(10));
  const auto show = [&](const std::string& name, const std::map<std::string, std::string>& labels) {
    const auto v = findSample(m, name, labels);
    return name + "=" + (v ? std::to_string(*v) : std::string("absent")) + " ";
  };
  ASSERT_TRUE(settled) << "last scrape: " << show("ccpulse_events_received_total", {{"source", "acd"}})
                       << show("ccpulse_surveys_total", sales) << show("ccpulse_oldest_waiting_seconds", sales)
                       << show("ccpulse_abandon_rate", w15) << "\n"
                       << readFile(logPath_);

  // Offered: c1 c2 c3 c4 c5 c6 c8 and s1 = 8 (c7 was never queued).
  EXPECT_EQ(findSample(m, "ccpulse_contacts_offered_total", sales), 8);
  // Answered: c1, c2 and the unmatched c7 = 3; in threshold: c1 only.
  EXPECT_EQ(findSample(m, "ccpulse_contacts_answered_total", sales), 3);
  EXPECT_EQ(findSample(m, "ccpulse_contacts_answered_in_threshold_total", sales), 1);
  EXPECT_EQ(findSample(m, "ccpulse_contacts_answered_unmatched_total", sales), 1);
  // Abandoned: c3 (3 s), c4 (40 s), s1 (0 s) = 3; within 20 s: c3, s1; short (<= 5 s): c3, s1.
  // The duplicate of c3's abandon (same id) is ignored.
  EXPECT_EQ(findSample(m, "ccpulse_contacts_abandoned_total", sales), 3);
  EXPECT_EQ(findSample(m, "ccpulse_contacts_abandoned_in_threshold_total", sales), 2);
  EXPECT_EQ(findSample(m, "ccpulse_contacts_abandoned_short_total", sales), 2);
  EXPECT_EQ(findSample(m, "ccpulse_contacts_dequeued_total", with(sales, "reason", "timeout")), 1);
  EXPECT_EQ(findSample(m, "ccpulse_contacts_dequeued_total", with(sales, "reason", "overflow")), 0);
  // Handled (wrapped): c1, c2.
  EXPECT_EQ(findSample(m, "ccpulse_contacts_handled_total", sales), 2);
  EXPECT_EQ(findSample(m, "ccpulse_contacts_transferred_total", sales), 1);
  // Talk = connected - hold: c1 (110-10) - 20 = 80, c2 95-35 = 60 -> 140. Hold: c1 50-30 = 20.
  EXPECT_DOUBLE_EQ(*findSample(m, "ccpulse_talk_seconds_total", sales), 140);
  EXPECT_DOUBLE_EQ(*findSample(m, "ccpulse_hold_seconds_total", sales), 20);
  // ACW: c1 140-110 = 30, c2 105-95 = 10 -> 40. Handle: c1 80+20+30 = 130, c2 60+0+10 = 70 -> 200.
  EXPECT_DOUBLE_EQ(*findSample(m, "ccpulse_acw_seconds_total", sales), 40);
  EXPECT_DOUBLE_EQ(*findSample(m, "ccpulse_handle_seconds_total", sales), 200);
  // Wait histogram (answered with known wait): c1 10 s, c2 30 s.
  EXPECT_EQ(findSample(m, "ccpulse_wait_seconds_count", sales), 2);
  EXPECT_DOUBLE_EQ(*findSample(m, "ccpulse_wait_seconds_sum", sales), 40);
  EXPECT_EQ(findSample(m, "ccpulse_wait_seconds_bucket", with(sales, "le", "20")), 1);
  EXPECT_EQ(findSample(m, "ccpulse_wait_seconds_bucket", with(sales, "le", "30")), 2);
  EXPECT_EQ(findSample(m, "ccpulse_wait_seconds_bucket", with(sales, "le", "+Inf")), 2);
  // Abandon wait: 3 + 40 + 0 = 43 over 3.
  EXPECT_EQ(findSample(m, "ccpulse_abandon_wait_seconds_count", sales), 3);
  EXPECT_DOUBLE_EQ(*findSample(m, "ccpulse_abandon_wait_seconds_sum", sales), 43);
  // Waiting now: c6, c8. Oldest: c6 queued at 100, now (newest event) 170 -> 70 s.
  EXPECT_EQ(findSample(m, "ccpulse_contacts_waiting", sales), 2);
  EXPECT_DOUBLE_EQ(*findSample(m, "ccpulse_oldest_waiting_seconds", sales), 70);
  // 15-minute window, formula abandons_miss with dequeued as misses: A / (N + B + D)
  // = 1 / (2 + 3 + 1) = 1/6. ASA = 40 / 2 = 20. AHT = 200 / 2 = 100. Abandon rate = 3 / 8.
  // Transfer rate = 1 / 2 (answered with known wait).
  EXPECT_DOUBLE_EQ(*findSample(m, "ccpulse_service_level", w15), 1.0 / 6.0);
  EXPECT_DOUBLE_EQ(*findSample(m, "ccpulse_asa_seconds", w15), 20);
  EXPECT_DOUBLE_EQ(*findSample(m, "ccpulse_aht_seconds", w15), 100);
  EXPECT_DOUBLE_EQ(*findSample(m, "ccpulse_abandon_rate", w15), 3.0 / 8.0);
  EXPECT_DOUBLE_EQ(*findSample(m, "ccpulse_transfer_rate", w15), 0.5);
  // The 1h window holds the same events.
  EXPECT_DOUBLE_EQ(*findSample(m, "ccpulse_service_level", with(sales, "window", "1h")), 1.0 / 6.0);
  EXPECT_DOUBLE_EQ(*findSample(m, "ccpulse_service_level_target", sales), 0.8);
  EXPECT_DOUBLE_EQ(*findSample(m, "ccpulse_service_level_threshold_seconds", sales), 20);
  EXPECT_EQ(findSample(m, "ccpulse_surveys_total", sales), 1);
  EXPECT_EQ(findSample(m, "ccpulse_survey_csat_total", sales), 4);

  // Agents in sales at the end: a1 busy, a2 aux lunch, a3 offline, a4 aux "smoking" (not in
  // aux_reasons -> other). Staffed excludes offline: 3.
  const std::map<std::string, std::string> salesAgents = {{"tenant", "acme"}, {"vendor", "v1"}, {"queue", "sales"}};
  EXPECT_EQ(findSample(m, "ccpulse_agents", with(salesAgents, "state", "staffed")), 3);
  EXPECT_EQ(findSample(m, "ccpulse_agents", with(salesAgents, "state", "available")), 0);
  EXPECT_EQ(findSample(m, "ccpulse_agents", with(salesAgents, "state", "busy")), 1);
  EXPECT_EQ(findSample(m, "ccpulse_agents", with(salesAgents, "state", "aux")), 2);
  EXPECT_EQ(findSample(m, "ccpulse_agents_aux", with(salesAgents, "reason", "lunch")), 1);
  EXPECT_EQ(findSample(m, "ccpulse_agents_aux", with(salesAgents, "reason", "other")), 1);
  EXPECT_EQ(findSample(m, "ccpulse_agents", {{"tenant", "acme"}, {"queue", "support"}, {"state", "busy"}}), 1);
  // Occupancy = handling / (handling + available). Sales: handling a1 busy 10..170 = 160;
  // available a1 0..10 = 10, a2 0..20 = 20, a3 0..40 = 40, a4 0..50 = 50 -> 120.
  // 160 / 280. Support (a1 only): 160 / (160 + 10).
  EXPECT_DOUBLE_EQ(*findSample(m, "ccpulse_occupancy", with(salesAgents, "window", "15m")), 160.0 / 280.0);
  EXPECT_DOUBLE_EQ(*findSample(m, "ccpulse_occupancy", {{"tenant", "acme"}, {"queue", "support"}, {"window", "15m"}}),
                   160.0 / 170.0);

  // Self-metrics. Frames: 34 scripted + 1 batch + 1 sequenced + 6 bad = 42.
  EXPECT_EQ(findSample(m, "ccpulse_frames_received_total", {{"source", "acd"}}), 42);
  // Decoded: 34 + 2 (the batch) + 1 = 37; with the 6 rejected, 43 events seen.
  EXPECT_EQ(findSample(m, "ccpulse_events_decoded_total", {{"source", "acd"}}), 37);
  EXPECT_EQ(findSample(m, "ccpulse_events_received_total", {{"source", "acd"}}), 43);
  EXPECT_EQ(findSample(m, "ccpulse_events_rejected_total", {{"source", "acd"}, {"reason", "not_json"}}), 1);
  EXPECT_EQ(findSample(m, "ccpulse_events_rejected_total", {{"source", "acd"}, {"reason", "missing_field"}}), 2);
  EXPECT_EQ(findSample(m, "ccpulse_events_rejected_total", {{"source", "acd"}, {"reason", "unknown_type"}}), 1);
  EXPECT_EQ(findSample(m, "ccpulse_events_rejected_total", {{"source", "acd"}, {"reason", "bad_timestamp"}}), 1);
  EXPECT_EQ(findSample(m, "ccpulse_events_rejected_total", {{"source", "acd"}, {"reason", "field_too_long"}}), 1);
  EXPECT_EQ(findSample(m, "ccpulse_events_duplicate_total", {{"source", "acd"}}), 1);
  EXPECT_EQ(findSample(m, "ccpulse_sequence_gaps_total", {{"source", "acd"}}), 1);
  EXPECT_EQ(findSample(m, "ccpulse_events_dropped_total", {{"source", "acd"}}), 0);
  EXPECT_EQ(findSample(m, "ccpulse_events_unmatched_total", {{"type", "contact.answered"}}), 1);
  EXPECT_EQ(findSample(m, "ccpulse_events_unmatched_total", {{"type", "contact.dequeued"}}), 1);
  EXPECT_EQ(findSample(m, "ccpulse_build_info"), 1);
  EXPECT_EQ(findSample(m, "ccpulse_source_up", {{"source", "acd"}}), 1);
}

TEST_F(DaemonE2eTest, HealthReadinessAndUnknownPaths) {
  const auto health = httpGet(httpPort_, "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  const auto metrics = httpGet(httpPort_, "/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->contentType.find("version=0.0.4"), std::string::npos);
  const auto missing = httpGet(httpPort_, "/nope");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST_F(DaemonE2eTest, SighupWithBadConfigKeepsRunningAndCountsFailure) {
  std::ofstream(configPath_, std::ios::app) << "bogus_key: 1\n";
  daemon_->signal(SIGHUP);
  ASSERT_TRUE(pollUntil(
      [&] {
        return findSample(scrape(), "ccpulse_config_reloads_total", {{"result", "failed"}}) == 1.0;
      },
      std::chrono::seconds(10)))
      << readFile(logPath_);
  EXPECT_TRUE(daemon_->running());
  EXPECT_NE(readFile(logPath_).find("bogus_key"), std::string::npos);
  EXPECT_EQ(httpGet(httpPort_, "/healthz")->status, 200);
}

}  // namespace
}  // namespace ccpulse::test

namespace ccpulse::test {
namespace {

TEST_F(DaemonE2eTest, ClosedIntervalsServedAsJsonAndBadQueriesRejected) {
  // c1 queued 10:14:00 and answered 10:14:10 (wait 10, within 20 s); c2 queued 10:16:00 closes
  // the 10:00 interval (10:15:00 + 5 s tolerance <= 10:16:00).
  send({contact("contact.queued", 840, "c1"), contact("contact.answered", 850, "c1"),
        contact("contact.queued", 960, "c2")});
  std::optional<HttpResult> r;
  ASSERT_TRUE(pollUntil(
      [&] {
        r = httpGet(httpPort_, "/api/v1/intervals?tenant=acme&queue=sales&from=2026-11-23T10%3A00%3A00Z");
        return r && r->status == 200 && r->body.find("\"offered\":1") != std::string::npos;
      },
      std::chrono::seconds(10)))
      << (r ? r->body : std::string("no response"));
  EXPECT_EQ(r->contentType, "application/json");
  // One closed interval, UTC (the test config sets no time zone): 10:00-10:15, SL 1/1.
  EXPECT_NE(r->body.find(R"("start":"2026-11-23T10:00:00+00:00","end":"2026-11-23T10:15:00+00:00")"), std::string::npos)
      << r->body;
  EXPECT_NE(r->body.find(R"("answered":1,"answered_in_threshold":1)"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find(R"("service_level":1)"), std::string::npos) << r->body;
  EXPECT_EQ(r->body.find("10:15:00+00:00\",\"end\""), std::string::npos) << "the 10:15 interval is still open";
  // Another tenant sees nothing; a bad parameter is a 400 naming it.
  const auto other = httpGet(httpPort_, "/api/v1/intervals?tenant=globex");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->body, "{\"kind\":\"interval\",\"periods\":[]}\n");
  const auto bad = httpGet(httpPort_, "/api/v1/intervals?from=yesterday");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("from"), std::string::npos);
  // The closed interval was also logged as one structured line.
  EXPECT_NE(readFile(logPath_).find(R"(interval closed {"tenant":"acme")"), std::string::npos);
}

}  // namespace
}  // namespace ccpulse::test

namespace ccpulse::test {
namespace {

// Under `engine.clock: event` the in-memory interval history is pruned by event time, not by
// the wall clock: these events are from 2026-11-23, weeks before any machine running this test,
// and intervals.history is 24 h. Nothing here asks the daemon over HTTP until the interval is
// logged as closed, so the housekeeping timer is what drains it, and it prunes right after. With
// the wall clock it pruned the interval at once (the wallboard isolation test saw an empty
// /api/v1/intervals whenever housekeeping drained before its query).
TEST_F(DaemonE2eTest, EventClockKeepsPastIntervalsQueryableAfterHousekeeping) {
  send({contact("contact.queued", 840, "c1"), contact("contact.queued", 960, "c2")});
  ASSERT_TRUE(pollUntil([&] { return readFile(logPath_).find("interval closed") != std::string::npos; },
                        std::chrono::seconds(10)))
      << readFile(logPath_);
  const auto r = httpGet(httpPort_, "/api/v1/intervals?tenant=acme&queue=sales");
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find(R"("start":"2026-11-23T10:00:00+00:00")"), std::string::npos) << r->body;
}

TEST_F(DaemonE2eTest, SighupWithGoodConfigAppliesNewServiceLevel) {
  send({contact("contact.queued", 0, "c1")});
  const std::map<std::string, std::string> sales = {{"tenant", "acme"}, {"queue", "sales"}};
  ASSERT_TRUE(pollUntil([&] { return findSample(scrape(), "ccpulse_service_level_threshold_seconds", sales) == 20.0; },
                        std::chrono::seconds(10)));
  std::string config = readFile(configPath_);
  config.replace(config.find("threshold: 20s"), 14, "threshold: 30s");
  std::ofstream(configPath_) << config;
  daemon_->signal(SIGHUP);
  ASSERT_TRUE(pollUntil(
      [&] {
        const auto m = scrape();
        return findSample(m, "ccpulse_config_reloads_total", {{"result", "ok"}}) == 1.0 &&
               findSample(m, "ccpulse_service_level_threshold_seconds", sales) == 30.0;
      },
      std::chrono::seconds(10)))
      << readFile(logPath_);
}

// A connecting source is ready only once connected, and counts connections made and lost.
TEST(DaemonConnectingSource, ReadyOnlyWhenConnectedAndCountsReconnects) {
  const int httpPort = freeTcpPort();
  const int zmqPort = freeTcpPort();
  const std::string configPath = writeTempFile(
      "ccpulse.yaml", "http:\n  listen: 127.0.0.1:" + std::to_string(httpPort) +
                          "\nsources:\n  - name: upstream\n    endpoint: tcp://127.0.0.1:" + std::to_string(zmqPort) +
                          "\n    bind: false\n");
  Process daemon(CCPULSED_PATH, {"--config", configPath}, configPath + ".log");
  ASSERT_TRUE(pollUntil([&] { return httpGet(httpPort, "/healthz").has_value(); }, std::chrono::seconds(10)));
  const auto notReady = httpGet(httpPort, "/readyz");
  ASSERT_TRUE(notReady);
  EXPECT_EQ(notReady->status, 503);
  EXPECT_NE(notReady->body.find("upstream"), std::string::npos);
  const auto counter = [&](const std::string& name) {
    const auto r = httpGet(httpPort, "/metrics");
    return r ? findSample(parsePrometheusText(r->body), name, {{"source", "upstream"}}) : std::nullopt;
  };
  {
    // The publisher binds; ccpulsed connects to it.
    zmq::context_t ctx;
    zmq::socket_t publisher(ctx, zmq::socket_type::push);
    publisher.set(zmq::sockopt::linger, 0);
    publisher.bind("tcp://127.0.0.1:" + std::to_string(zmqPort));
    ASSERT_TRUE(waitReady(httpPort));
    EXPECT_EQ(counter("ccpulse_source_connects_total"), 1.0);
    EXPECT_EQ(counter("ccpulse_source_up"), 1.0);
  }  // publisher gone: the connection drops
  ASSERT_TRUE(pollUntil([&] { return counter("ccpulse_source_disconnects_total") == 1.0; }, std::chrono::seconds(10)));
  EXPECT_EQ(httpGet(httpPort, "/readyz")->status, 503);
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait(std::chrono::seconds(10)), 0);
}

}  // namespace
}  // namespace ccpulse::test

namespace ccpulse::test {
namespace {

// A forecast named in the config is read at reload; a broken one is rejected and the running
// plan stays.
TEST_F(DaemonE2eTest, ForecastIsReadOnReloadAndABrokenOneKeepsThePrevious) {
  const std::string header = "interval_start,queue,channel,contacts,aht_seconds,scheduled_agents\n";
  const std::string csv = writeTempFile("acme-forecast.csv", header + "2026-11-23T10:00:00Z,sales,voice,30,180,4\n");
  std::ofstream(configPath_, std::ios::app) << "tenants:\n  acme:\n    forecast: " << csv << "\n";
  daemon_->signal(SIGHUP);
  // Event clock: now = 10:03:00, 180 s into the 10:00 interval; 2 offered so far.
  send({contact("contact.queued", 60, "c1"), contact("contact.queued", 180, "c2")});
  const std::map<std::string, std::string> current = {
      {"tenant", "acme"}, {"queue", "sales"}, {"channel", "voice"}, {"interval", "current"}};
  ASSERT_TRUE(pollUntil(
      [&] {
        const auto m = scrape();
        // 2 offered - 30 x 180/900 = 2 - 6 = -4 (once the shard has published both contacts).
        return findSample(m, "ccpulse_forecast_contacts", current) == 30.0 &&
               findSample(m, "ccpulse_forecast_volume_variance", current) == -4.0;
      },
      std::chrono::seconds(15)))
      << readFile(logPath_);
  EXPECT_EQ(findSample(scrape(), "ccpulse_scheduled_agents", {{"tenant", "acme"}, {"queue", "sales"}}), 4.0);

  std::ofstream(csv) << header << "2026-11-23T10:00:00Z,sales,voice,45,180,6\n";
  daemon_->signal(SIGHUP);
  // 2 - 45 x 180/900 = 2 - 9 = -7. Staffing results are cached for staffing.interval (5 s).
  ASSERT_TRUE(pollUntil(
      [&] {
        const auto m = scrape();
        return findSample(m, "ccpulse_config_reloads_total", {{"result", "ok"}}) == 2.0 &&
               findSample(m, "ccpulse_forecast_volume_variance", current) == -7.0;
      },
      std::chrono::seconds(15)))
      << readFile(logPath_);

  std::ofstream(csv) << header << "2026-11-23T10:00:00Z,sales,fax,45,180,6\n";
  daemon_->signal(SIGHUP);
  ASSERT_TRUE(pollUntil(
      [&] {
        return findSample(scrape(), "ccpulse_config_reloads_total", {{"result", "failed"}}) == 1.0;
      },
      std::chrono::seconds(10)))
      << readFile(logPath_);
  EXPECT_EQ(findSample(scrape(), "ccpulse_forecast_contacts", current), 45.0) << "the running plan stays";
  // The log names the CSV file, its line and the column.
  EXPECT_NE(readFile(logPath_).find(csv + ":2: tenants.acme.forecast: column 'channel'"), std::string::npos)
      << readFile(logPath_);
}

}  // namespace
}  // namespace ccpulse::test
