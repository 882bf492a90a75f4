// AmiSource against a scripted fake AMI server (tests/ingest/fake_ami_server.py, a real TCP
// peer on an ephemeral port): a refused login, a session that rebuilds state with QueueStatus
// and is then cut, a reconnect whose QueueStatus shows what changed meanwhile, and app_queue's
// events shaped as the AMI documentation shows them.

#include "ccpulse/ingest/ami_source.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "../support/test_support.hpp"

namespace ccpulse {
namespace {

constexpr std::int64_t kT = 1'795'425'300;  // the fake server's T (2026-11-23T09:15:00Z)

TEST(AmiSourceTest, LoginQueueStatusEventsDisconnectAndReconnect) {
  const int port = test::freeTcpPort();
  const std::string actions = test::writeTempFile("actions.log", "");
  test::Process server(
      "/usr/bin/python3",
      {std::string(CCPULSE_SOURCE_DIR) + "/tests/ingest/fake_ami_server.py", std::to_string(port), actions},
      actions + ".server");
  ASSERT_TRUE(test::pollUntil([&] { return test::readFile(actions).find("listening") != std::string::npos; },
                              std::chrono::seconds(10)))
      << test::readFile(actions + ".server");

  SourceSettings settings;
  settings.name = "pbx";
  settings.endpoint = "tcp://127.0.0.1:" + std::to_string(port);
  settings.format = SourceFormat::kAsteriskAmi;
  settings.adapter.tenant = "acme";
  settings.adapter.username = "ccpulse";
  settings.adapter.secret = "s3cret";
  settings.adapter.reconnectMin = std::chrono::milliseconds(10);
  settings.adapter.reconnectMax = std::chrono::milliseconds(40);

  std::mutex mutex;
  std::vector<Event> events;
  AmiSource source(settings, 3, [&](const Event& e) {
    const std::lock_guard lock(mutex);
    events.push_back(e);
    return true;
  });
  source.start();
  const auto count = [&] {
    const std::lock_guard lock(mutex);
    return events.size();
  };
  const SourceStats& stats = source.stats();
  const bool done = test::pollUntil(
      [&] {
        return count() >= 13 && stats.rejected[static_cast<std::size_t>(RejectReason::kMalformedMessage)].get() == 1;
      },
      std::chrono::seconds(20));
  EXPECT_TRUE(done) << count() << " events\n" << test::readFile(actions) << test::readFile(actions + ".server");
  EXPECT_TRUE(source.ready());
  source.stop();

  const std::lock_guard lock(mutex);
  struct Want {
    EventType type;
    std::string id;  // contact or, for agent events, agent
    std::int64_t ts;
  };
  // Session 2: QueueMember alice (login), QueueEntry w0 waiting 30 s (queued at T-30), c1 joins at
  // T+1, leaves at T+9 and AgentConnect (HoldTime 8) answers it at T+9; alice busy. Cut.
  // Session 3: QueueStatus no longer lists w0 (left while we were away: dequeued at the snapshot,
  // T+30); c1 completes at T+69 (wrapped, alice available); c2 joins T+70, abandons T+74; c3 joins
  // T+80 and leaves at T+200 with no answer nor abandon: dequeued at T+200 once a later event
  // (the pause at T+210) passes the 2 s grace; alice paused "lunch".
  const std::vector<Want> want = {
      {EventType::kAgentLogin, "PJSIP/alice", kT},       {EventType::kContactQueued, "w0", kT - 30},
      {EventType::kContactQueued, "c1", kT + 1},         {EventType::kContactAnswered, "c1", kT + 9},
      {EventType::kAgentState, "PJSIP/alice", kT + 9},   {EventType::kContactDequeued, "w0", kT + 30},
      {EventType::kContactWrapped, "c1", kT + 69},       {EventType::kAgentState, "PJSIP/alice", kT + 69},
      {EventType::kContactQueued, "c2", kT + 70},        {EventType::kContactAbandoned, "c2", kT + 74},
      {EventType::kContactQueued, "c3", kT + 80},        {EventType::kContactDequeued, "c3", kT + 200},
      {EventType::kAgentState, "PJSIP/alice", kT + 210},
  };
  ASSERT_EQ(events.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(events[i].type, want[i].type);
    EXPECT_EQ(isAgentEvent(events[i].type) ? events[i].agent.view() : events[i].contact.view(), want[i].id);
    EXPECT_EQ(events[i].tsUs, want[i].ts * 1'000'000);
    EXPECT_EQ(events[i].tenant.view(), "acme");
    EXPECT_EQ(events[i].sourceIndex, 3U);
  }
  EXPECT_EQ(events[4].agentState, AgentStateKind::kBusy);
  EXPECT_EQ(events[7].agentState, AgentStateKind::kAvailable);
  EXPECT_EQ(events[12].agentState, AgentStateKind::kAux);
  EXPECT_EQ(events[12].reason.view(), "lunch");
  EXPECT_EQ(events[3].agent.view(), "PJSIP/alice");
  EXPECT_EQ(events[1].customer.view(), "5550100");

  EXPECT_EQ(stats.connects.get(), 2U);         // sessions 2 and 3
  EXPECT_EQ(stats.disconnects.get(), 1U);      // session 2 was cut
  EXPECT_EQ(stats.connectFailures.get(), 1U);  // session 1: login refused
  // Ignored by design: per session FullyBooted, the QueueStatus response, QueueParams; AgentCalled
  // in session 2, Newchannel in session 3 = 2 * 3 + 2 = 8.
  EXPECT_EQ(stats.ignored.get(), 8U);
  const std::string log = test::readFile(actions);
  EXPECT_NE(log.find("conn 1: Action Login Username ccpulse Secret s3cret Events agent"), std::string::npos) << log;
  EXPECT_NE(log.find("conn 2: Action QueueStatus"), std::string::npos) << log;
  EXPECT_NE(log.find("conn 3: Action QueueStatus"), std::string::npos) << log;
}

TEST(AmiSourceTest, NobodyListeningCountsFailuresAndBacksOff) {
  SourceSettings settings;
  settings.name = "pbx";
  settings.endpoint = "tcp://127.0.0.1:" + std::to_string(test::freeTcpPort());
  settings.format = SourceFormat::kAsteriskAmi;
  settings.adapter.username = "u";
  settings.adapter.reconnectMin = std::chrono::milliseconds(1);
  settings.adapter.reconnectMax = std::chrono::milliseconds(4);
  AmiSource source(settings, 0, [](const Event&) { return true; });
  source.start();
  EXPECT_TRUE(test::pollUntil([&] { return source.stats().connectFailures.get() >= 3; }, std::chrono::seconds(10)));
  EXPECT_FALSE(source.ready());
  EXPECT_EQ(source.stats().connects.get(), 0U);
  source.stop();
}

}  // namespace
}  // namespace ccpulse
