// staffed_vs_committed with `committed_agents: schedule` end to end (docs/contracts.md): a real
// ccpulsed with two shards, the event clock, a state directory and a forecast CSV judges each
// interval against the schedule's agents; `/api/v1/scorecard`, `ccpulsectl scorecard --config
// --db` and `ccpulsectl scorecard --config --replay` of the same events give the daemon's answer,
// ccpulsectl reading the schedule from the forecast file the config names.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "../support/test_support.hpp"
#include "staffed_e2e_events.hpp"

namespace ccpulse::test {
namespace {

TEST(StaffedScheduleE2e, DaemonHttpScorecardAndCcpulsectlDbAndReplayAgree) {
  const std::string dir =
      std::filesystem::path(writeTempFile("staffed_schedule_e2e.marker", "")).parent_path().string() +
      "/staffed_schedule_e2e";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const int httpPort = freeTcpPort();
  const int zmqPort = freeTcpPort();
  // Scheduled agents on sales: 10:00 2; 10:15 1; 10:30 none; 10:45 0.5 voice + 0.5 chat = 1.
  {
    std::ofstream(dir + "/acme.csv") << "interval_start,queue,channel,contacts,aht_seconds,scheduled_agents\n"
                                        "2026-11-23T10:00:00Z,sales,voice,10,300,2\n"
                                        "2026-11-23T10:15:00Z,sales,voice,10,300,1\n"
                                        "2026-11-23T10:45:00Z,sales,voice,10,300,0.5\n"
                                        "2026-11-23T10:45:00Z,sales,chat,10,300,0.5\n";
    std::ofstream config(dir + "/ccpulse.yaml");
    config << "http:\n  listen: 127.0.0.1:" << httpPort
           << "\nsources:\n  - name: acd\n    endpoint: tcp://127.0.0.1:" << zmqPort
           << "\n    socket: pull\n    bind: true\nengine:\n  shards: 2\n  clock: event\n"
              "state:\n  directory: "
           << dir
           << "/state\n"
              "tenants:\n  acme:\n    forecast: acme.csv\n"
              "contracts:\n  agreements:\n    - name: acme-v1\n      tenant: acme\n      vendor: v1\n"
              "      terms:\n"
              "        - name: staffing\n          measure: staffed_vs_committed\n"
              "          committed_agents: schedule\n"
              "          target: 0.6\n          period: day\n          match: {queues: [sales]}\n";
  }
  // a1 and a2 in sales:
  //   10:00-10:15: a1 900 + a2 (from 10:05) 600 = 1500 agent-s = 1.67 < 2 scheduled   missed
  //   10:15-10:30: a1 (aux from 10:20) 300 + a2 900 = 1200 = 1.33 >= 1               met
  //   10:30-10:45: a2 900 = 1.0, nobody scheduled                                     not counted
  //   10:45-11:00: a2 900 = 1.0 >= 0.5 + 0.5                                         met
  // 2 of 3 = 0.667 >= 0.6: met. (A constant commitment would count 10:30 too, and ccpulsectl
  // --replay, which closes the interval after the last event, 11:00 as well.)
  const std::vector<std::string> events = {agent("agent.login", "10:00:00", "a1", R"(,"queues":["sales"])"),
                                           agent("agent.login", "10:05:00", "a2", R"(,"queues":["sales"])"),
                                           agent("agent.state", "10:20:00", "a1", R"(,"state":"aux","reason":"break")"),
                                           tick("11:00:06")};
  const std::string log = dir + "/run.log";
  auto daemon =
      std::make_unique<Process>(CCPULSED_PATH, std::vector<std::string>{"--config", dir + "/ccpulse.yaml"}, log);
  ASSERT_TRUE(waitReady(httpPort)) << readFile(log);
  const std::map<std::string, std::string> term = {{"agreement", "acme-v1"}, {"term", "staffing"}};
  const auto metric = [&](const std::string& name, std::map<std::string, std::string> labels) {
    labels.insert(term.begin(), term.end());
    const auto r = httpGet(httpPort, "/metrics");
    return r && r->status == 200 ? findSample(parsePrometheusText(r->body), name, labels) : std::nullopt;
  };
  pushFrames(zmqPort, events);
  // 10:45-11:00 closes at 11:00:05 (late tolerance 5 s), before the 11:00:06 tick.
  ASSERT_TRUE(pollUntil([&] { return metric("ccpulse_contract_volume", {}) == 3.0; }, std::chrono::seconds(10)))
      << readFile(log);
  EXPECT_NEAR(*metric("ccpulse_contract_attainment", {}), 2.0 / 3.0, 1e-12);
  EXPECT_EQ(metric("ccpulse_contract_status", {{"status", "met"}}), 1.0);
  // Nothing more is scheduled today: secured.
  EXPECT_EQ(metric("ccpulse_contract_expected_remaining_volume", {}), 0.0);

  const std::string expected = ",0.666667,0.600000,>=,met,2.000000,3.000000,";
  const auto http = httpGet(httpPort, "/api/v1/scorecard?tenant=acme&from=2026-11-23&to=2026-11-23&format=csv");
  ASSERT_TRUE(http && http->status == 200);
  EXPECT_NE(http->body.find("staffing,staffed_vs_committed,day,"), std::string::npos) << http->body;
  EXPECT_NE(http->body.find(expected), std::string::npos) << http->body;
  daemon->signal(SIGTERM);
  ASSERT_EQ(daemon->wait(std::chrono::seconds(20)), 0) << readFile(log);
  daemon.reset();

  const std::vector<std::string> common = {
      "scorecard",  "--config", dir + "/ccpulse.yaml", "--tenant", "acme", "--from",
      "2026-11-23", "--to",     "2026-11-23",          "--format", "csv"};
  auto withDb = common;
  withDb.insert(withDb.end(), {"--db", dir + "/state/history.sqlite"});
  const auto [dbCode, dbCsv] = runCommand(CCPULSECTL_PATH, withDb);
  ASSERT_EQ(dbCode, 0) << dbCsv;
  EXPECT_NE(dbCsv.find(expected), std::string::npos) << dbCsv;

  {
    std::ofstream replay(dir + "/events.jsonl");
    for (const std::string& e : events) {
      replay << e << "\n";
    }
  }
  auto withReplay = common;
  withReplay.insert(withReplay.end(), {"--replay", dir + "/events.jsonl", "--replay-format", "json"});
  const auto [replayCode, replayCsv] = runCommand(CCPULSECTL_PATH, withReplay);
  ASSERT_EQ(replayCode, 0) << replayCsv;
  EXPECT_NE(replayCsv.find(expected), std::string::npos) << replayCsv;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ccpulse::test
