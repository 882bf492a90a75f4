// staffed_vs_committed end to end (docs/contracts.md): a real ccpulsed with two shards, the event
// clock and a state directory counts staffed agent-seconds per interval from pushed agent events,
// shows the live attainment, writes the rows to history, and after a stop and restart in the
// middle of an interval (checkpoint restore) shows the same figures and goes on counting.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "../support/test_day.hpp"
#include "../support/test_support.hpp"
#include "ccpulse/history/history_db.hpp"
#include "staffed_e2e_events.hpp"

namespace ccpulse::test {
namespace {

TEST(StaffedVsCommittedE2e, LiveHistoryAndRestartInTheMiddleOfAnInterval) {
  const std::string dir = std::filesystem::path(writeTempFile("staffed_e2e.marker", "")).parent_path().string();
  const int httpPort = freeTcpPort();
  const int zmqPort = freeTcpPort();
  {
    std::ofstream config(dir + "/ccpulse.yaml");
    config << "http:\n  listen: 127.0.0.1:" << httpPort
           << "\nsources:\n  - name: acd\n    endpoint: tcp://127.0.0.1:" << zmqPort
           << "\n    socket: pull\n    bind: true\nengine:\n  shards: 2\n  clock: event\n"
              "state:\n  directory: "
           << dir
           << "/state\n"
              "contracts:\n  agreements:\n    - name: acme-v1\n      tenant: acme\n      vendor: v1\n"
              "      terms:\n"
              "        - name: staffing\n          measure: staffed_vs_committed\n          committed_agents: 1.5\n"
              "          target: 0.5\n          period: day\n          match: {queues: [sales]}\n";
  }
  std::unique_ptr<Process> daemon;
  std::string log;
  int runs = 0;
  const auto start = [&] {
    log = dir + "/run" + std::to_string(++runs) + ".log";
    daemon = std::make_unique<Process>(CCPULSED_PATH, std::vector<std::string>{"--config", dir + "/ccpulse.yaml"}, log);
    ASSERT_TRUE(waitReady(httpPort)) << readFile(log);
  };
  const auto stop = [&] {
    daemon->signal(SIGTERM);
    ASSERT_EQ(daemon->wait(std::chrono::seconds(20)), 0) << readFile(log);
    daemon.reset();
  };
  const std::map<std::string, std::string> term = {{"agreement", "acme-v1"}, {"term", "staffing"}};
  const auto metric = [&](const std::string& name, std::map<std::string, std::string> labels) {
    labels.insert(term.begin(), term.end());
    const auto r = httpGet(httpPort, "/metrics");
    return r && r->status == 200 ? findSample(parsePrometheusText(r->body), name, labels) : std::nullopt;
  };

  start();
  // a1 and a2 in sales (committed 1.5 agents = 1350 agent-s per 15 minutes):
  //   10:00-10:15: a1 900 + a2 (from 10:05) 600             = 1500 >= 1350 met
  //   10:15-10:30: a1 (aux from 10:20) 300 + a2 900         = 1200 < 1350   missed
  // The clock moves to 10:30:06 (10:15-10:30 closes at 10:30:05).
  pushFrames(zmqPort, {agent("agent.login", "10:00:00", "a1", R"(,"queues":["sales"])"),
                       agent("agent.login", "10:05:00", "a2", R"(,"queues":["sales"])"),
                       agent("agent.state", "10:20:00", "a1", R"(,"state":"aux","reason":"break")"), tick("10:30:06")});
  // 1 of 2 = 0.5 >= 0.5 (margin 0): met, over 2 whole intervals.
  ASSERT_TRUE(pollUntil([&] { return metric("ccpulse_contract_volume", {}) == 2.0; }, std::chrono::seconds(10)))
      << readFile(log);
  EXPECT_EQ(metric("ccpulse_contract_attainment", {}), 0.5);
  EXPECT_EQ(metric("ccpulse_contract_status", {{"status", "met"}}), 1.0);
  // Stop in the middle of 10:30-10:45 with a1 still on its break and a2 available (the
  // checkpoint holds the open interval and the staffed count; the figures below do not depend on
  // whether the 10:36 tick is applied before the stop).
  pushFrames(zmqPort, {tick("10:36:00")});
  stop();

  start();
  // Rebuilt from history: the same 2 intervals, 0.5.
  ASSERT_TRUE(pollUntil([&] { return metric("ccpulse_contract_volume", {}) == 2.0; }, std::chrono::seconds(10)))
      << readFile(log);
  EXPECT_EQ(metric("ccpulse_contract_attainment", {}), 0.5);
  //   10:30-10:45: a1 (available from 10:40) 300 + a2 900   = 1200 missed (spans the restart)
  //   10:45-11:00: a1 900 + a2 900 (logout 11:00)           = 1800 met
  // 2 of 4 = 0.5.
  pushFrames(zmqPort, {agent("agent.state", "10:40:00", "a1", R"(,"state":"available")"),
                       agent("agent.logout", "11:00:00", "a2"), tick("11:00:06")});
  ASSERT_TRUE(pollUntil([&] { return metric("ccpulse_contract_volume", {}) == 4.0; }, std::chrono::seconds(10)))
      << readFile(log);
  EXPECT_EQ(metric("ccpulse_contract_attainment", {}), 0.5);
  stop();

  // History: per interval, the shards' rows add up to the figures above.
  HistoryDb db(dir + "/state/history.sqlite", /*readOnly=*/true);
  EXPECT_EQ(db.schemaVersion(), 2);
  std::map<std::int64_t, std::int64_t> staffed;
  for (const AgentIntervalRow& row : db.agentIntervals("acme", 0, INT64_MAX)) {
    EXPECT_EQ(row.queue, "sales");
    staffed[row.startUs] += row.staffedUs;
  }
  EXPECT_EQ(staffed[at(10, 0)], 1500'000'000);
  EXPECT_EQ(staffed[at(10, 15)], 1200'000'000);
  EXPECT_EQ(staffed[at(10, 30)], 1200'000'000);
  EXPECT_EQ(staffed[at(10, 45)], 1800'000'000);
}

}  // namespace
}  // namespace ccpulse::test
