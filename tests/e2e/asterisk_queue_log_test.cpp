// Asterisk queue_log end to end: the realistic-hour fixture (tests/fixtures/asterisk/
// queue_log_hour.txt, written by make_queue_log_hour.py whose docstring lists the rules) through
// `ccpulsectl replay --format asterisk_queue_log` and through the real ccpulsed tailing the file,
// with every expected number computed by hand from those rules; then a restart of the daemon
// resumes after the last line (nothing lost, nothing read twice).
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "../support/test_support.hpp"
#include "metric_expect.hpp"

namespace ccpulse::test {
namespace {

namespace fs = std::filesystem;

const std::string kFixture = std::string(CCPULSE_SOURCE_DIR) + "/tests/fixtures/asterisk/queue_log_hour.txt";

std::map<std::string, std::string> q(const std::string& queue) {
  return {{"tenant", "acme"}, {"vendor", "bpo-east"}, {"queue", queue}};
}

std::map<std::string, std::string> with(std::map<std::string, std::string> labels, const std::string& key,
                                        const std::string& value) {
  labels[key] = value;
  return labels;
}

/// Every number the fixture's rules imply. Returns a description of each mismatch ("" = none).
std::string mismatches(const std::vector<Sample>& s, const std::string& source) {
  MetricExpect expect(s);
  // support: 60 calls (i = 0..59, one a minute).
  //   abandoned: i%10==4 (6 calls, wait 3 s: short and within 20 s) + i%10==9 (6 calls, wait 30 s) = 12
  //   dequeued by timeout: i = 7, 27, 47 = 3
  //   answered: 60 - 12 - 3 = 45; even i with hold 10 s: 30 even - 6 (i%10==4) = 24 (within 20 s);
  //             odd i with hold 25 s: 30 odd - 6 (i%10==9) - 3 timeouts = 21
  //   transfers: i%10==2 -> 2, 12, 22, 32, 42, 52 = 6 (all answered)
  //   handled: every answered call ends (complete or transfer) = 45, each after 200 s -> 9000 s
  //   waits of answered: 24*10 + 21*25 = 240 + 525 = 765 s (ASA 17 s)
  expect("ccpulse_contacts_offered_total", q("support"), 60);
  expect("ccpulse_contacts_answered_total", q("support"), 45);
  expect("ccpulse_contacts_answered_in_threshold_total", q("support"), 24);
  expect("ccpulse_contacts_answered_unmatched_total", q("support"), 0);
  expect("ccpulse_contacts_abandoned_total", q("support"), 12);
  expect("ccpulse_contacts_abandoned_in_threshold_total", q("support"), 6);
  expect("ccpulse_contacts_abandoned_short_total", q("support"), 6);
  expect("ccpulse_contacts_dequeued_total", with(q("support"), "reason", "timeout"), 3);
  expect("ccpulse_contacts_dequeued_total", with(q("support"), "reason", "other"), 0);
  expect("ccpulse_contacts_transferred_total", q("support"), 6);
  expect("ccpulse_contacts_handled_total", q("support"), 45);
  expect("ccpulse_handle_seconds_total", q("support"), 9000);
  expect("ccpulse_talk_seconds_total", q("support"), 9000);
  expect("ccpulse_acw_seconds_total", q("support"), 0);
  expect("ccpulse_wait_seconds_sum", q("support"), 765);
  expect("ccpulse_wait_seconds_count", q("support"), 45);
  expect("ccpulse_contacts_waiting", q("support"), 0);
  // sales: 30 calls (j = 0..29, every two minutes).
  //   abandoned: j%6==5 -> 5, 11, 17, 23, 29 = 5, each after 12 s (within 20 s, not short)
  //   dequeued other: EXITEMPTY (j = 13) + EXITWITHKEY (j = 20) = 2
  //   answered: 30 - 5 - 2 = 23, hold 5 s (all within 20 s), 150 s each -> 3450 s; waits 23*5 = 115 s
  expect("ccpulse_contacts_offered_total", q("sales"), 30);
  expect("ccpulse_contacts_answered_total", q("sales"), 23);
  expect("ccpulse_contacts_answered_in_threshold_total", q("sales"), 23);
  expect("ccpulse_contacts_abandoned_total", q("sales"), 5);
  expect("ccpulse_contacts_abandoned_in_threshold_total", q("sales"), 5);
  expect("ccpulse_contacts_abandoned_short_total", q("sales"), 0);
  expect("ccpulse_contacts_dequeued_total", with(q("sales"), "reason", "other"), 2);
  expect("ccpulse_contacts_dequeued_total", with(q("sales"), "reason", "timeout"), 0);
  expect("ccpulse_contacts_transferred_total", q("sales"), 0);
  expect("ccpulse_contacts_handled_total", q("sales"), 23);
  expect("ccpulse_handle_seconds_total", q("sales"), 3450);
  expect("ccpulse_wait_seconds_sum", q("sales"), 115);
  // Agents at the end: support has alice, bob, carol, dave (all calls over: available) and gina
  // (paused "break" at 09:55) = 5 staffed, 4 available, 1 aux; sales has erin (frank's
  // REMOVEMEMBER of his only queue logged him out) = 1 staffed, 1 available.
  expect("ccpulse_agents", with(q("support"), "state", "staffed"), 5);
  expect("ccpulse_agents", with(q("support"), "state", "available"), 4);
  expect("ccpulse_agents", with(q("support"), "state", "busy"), 0);
  expect("ccpulse_agents", with(q("support"), "state", "aux"), 1);
  expect("ccpulse_agents_aux", with(q("support"), "reason", "break"), 1);
  expect("ccpulse_agents", with(q("sales"), "state", "staffed"), 1);
  expect("ccpulse_agents", with(q("sales"), "state", "available"), 1);
  // Input accounting: one line cut short and one with a damaged epoch are rejected; CONFIGRELOAD
  // (1) and RINGNOANSWER (i%10==1: 1, 11, 21, 31, 41, 51 = 6) are ignored by design = 7.
  expect("ccpulse_events_rejected_total", {{"source", source}, {"reason", "too_few_fields"}}, 1);
  expect("ccpulse_events_rejected_total", {{"source", source}, {"reason", "bad_timestamp"}}, 1);
  expect("ccpulse_events_rejected_total", {{"source", source}, {"reason", "unknown_type"}}, 0);
  expect("ccpulse_events_ignored_total", {{"source", source}}, 7);
  // 269 lines, one frame each.
  expect("ccpulse_frames_received_total", {{"source", source}}, 269);
  return expect.mismatches();
}

std::string config(int httpPort, const std::string& endpoint, const std::string& stateDir) {
  return "http:\n  listen: 127.0.0.1:" + std::to_string(httpPort) +
         "\n"
         "sources:\n"
         "  - name: pbx\n"
         "    endpoint: " +
         endpoint +
         "\n"
         "    format: asterisk_queue_log\n"
         "    tenant: acme\n"
         "    vendor: bpo-east\n"
         "    poll_interval: 20ms\n" +
         (stateDir.empty() ? "" : "state:\n  directory: " + stateDir + "\n") +
         "service_level:\n"
         "  threshold: 20s\n"
         "  short_abandon: 5s\n"
         "engine:\n"
         "  clock: event\n";
}

TEST(AsteriskQueueLogE2e, FixtureHourThroughCcpulsectlReplay) {
  const std::string configPath = writeTempFile("ccpulse.yaml", config(9464, "file:///var/log/asterisk/queue_log", ""));
  const auto [code, output] =
      runCommand(CCPULSECTL_PATH, {"replay", "--config", configPath, "--format", "asterisk_queue_log", kFixture});
  ASSERT_EQ(code, 0) << output;
  EXPECT_EQ(mismatches(parsePrometheusText(output), "replay"), "");
}

TEST(AsteriskQueueLogE2e, FixtureHourThroughTheDaemonsFileSourceAndARestartResumes) {
  const fs::path dir = fs::path(writeTempFile("x", "")).parent_path();
  const std::string log = (dir / "queue_log").string();
  fs::copy_file(kFixture, log, fs::copy_options::overwrite_existing);
  const std::string state = (dir / "state").string();
  const int httpPort = freeTcpPort();
  const std::string configPath = (dir / "ccpulse.yaml").string();
  std::ofstream(configPath) << config(httpPort, "file://" + log, state);

  const auto scrape = [&] {
    const auto r = httpGet(httpPort, "/metrics");
    return r && r->status == 200 ? parsePrometheusText(r->body) : std::vector<Sample>{};
  };
  std::vector<Sample> before;
  {
    Process daemon(CCPULSED_PATH, {"--config", configPath}, configPath + ".log");
    ASSERT_TRUE(waitReady(httpPort)) << readFile(configPath + ".log");
    // The last fixture line is frank's REMOVEMEMBER: once sales shows 1 staffed, everything is in
    // (each queue's gauges are published by its shard after applying).
    std::string last;
    const bool done = pollUntil(
        [&] {
          last = mismatches(scrape(), "pbx");
          return last.empty();
        },
        std::chrono::seconds(20));
    EXPECT_TRUE(done) << last << readFile(configPath + ".log");
    before = scrape();
    daemon.signal(SIGTERM);
    EXPECT_EQ(daemon.wait(std::chrono::seconds(10)), 0) << readFile(configPath + ".log");
  }
  // With a state directory the read position lives in the journal and the checkpoints
  // (docs/durability.md, "File sources journal lines"); no separate offset file is kept.
  EXPECT_FALSE(fs::exists(state + "/sources/pbx.offset"));

  // Restart, then Asterisk writes one more call. With a state directory the counters continue
  // across the restart (docs/durability.md), and the file source resumes after the last line it
  // read: support goes from 60 to 61 offered (a re-read of the old lines would give 121) and the
  // source from 269 to 271 frames.
  {
    std::ofstream out(log, std::ios::app);
    out << "1795428300|1795428300.900|support|NONE|ENTERQUEUE||5559999|1\n"
           "1795428304|1795428300.900|support|NONE|ABANDON|1|1|4\n";
  }
  const auto abandonedBefore = findSample(before, "ccpulse_contacts_abandoned_total", q("support"));
  ASSERT_TRUE(abandonedBefore);
  EXPECT_EQ(findSample(before, "ccpulse_contacts_offered_total", q("support")), 60.0);
  EXPECT_EQ(findSample(before, "ccpulse_frames_received_total", {{"source", "pbx"}}), 269.0);
  Process daemon(CCPULSED_PATH, {"--config", configPath}, configPath + ".log2");
  ASSERT_TRUE(waitReady(httpPort)) << readFile(configPath + ".log2");
  EXPECT_TRUE(pollUntil(
      [&] {
        const auto s = scrape();
        return findSample(s, "ccpulse_contacts_abandoned_total", q("support")) == *abandonedBefore + 1;
      },
      std::chrono::seconds(20)))
      << readFile(configPath + ".log2");
  const auto s = scrape();
  EXPECT_EQ(findSample(s, "ccpulse_contacts_offered_total", q("support")), 61.0);
  EXPECT_EQ(findSample(s, "ccpulse_frames_received_total", {{"source", "pbx"}}), 271.0);
  EXPECT_EQ(findSample(s, "ccpulse_source_file_rotations_total", {{"source", "pbx"}}), 0.0);
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait(std::chrono::seconds(10)), 0);
}

TEST(AsteriskAmiE2e, RecordedAmiMessagesThroughCcpulsectlReplay) {
  // The recording framing: AMI messages separated by blank lines, as read from the manager port.
  const std::string configPath = writeTempFile("ccpulse.yaml", config(9464, "file:///x", ""));
  const std::string recording = std::string(CCPULSE_SOURCE_DIR) + "/tests/fuzz/corpus/asterisk_ami/answered_call.txt";
  const auto [code, output] =
      runCommand(CCPULSECTL_PATH, {"replay", "--config", configPath, "--format", "asterisk_ami", recording});
  ASSERT_EQ(code, 0) << output;
  const auto s = parsePrometheusText(output);
  // c1 joins at T+1, AgentConnect at T+9 (wait 8 s), AgentComplete with Reason transfer at T+69.
  EXPECT_EQ(findSample(s, "ccpulse_contacts_offered_total", q("support")), 1.0);
  EXPECT_EQ(findSample(s, "ccpulse_contacts_answered_in_threshold_total", q("support")), 1.0);
  EXPECT_EQ(findSample(s, "ccpulse_wait_seconds_sum", q("support")), 8.0);
  EXPECT_EQ(findSample(s, "ccpulse_contacts_transferred_total", q("support")), 1.0);
  EXPECT_EQ(findSample(s, "ccpulse_contacts_handled_total", q("support")), 1.0);
  EXPECT_EQ(findSample(s, "ccpulse_handle_seconds_total", q("support")), 60.0);
  // 5 messages; AgentCalled is ignored by design.
  EXPECT_EQ(findSample(s, "ccpulse_frames_received_total", {{"source", "replay"}}), 5.0);
  EXPECT_EQ(findSample(s, "ccpulse_events_ignored_total", {{"source", "replay"}}), 1.0);
}

TEST(AsteriskAmiE2e, DaemonWithAnAmiSourceAgainstTheFakeServer) {
  // The real ccpulsed wired with an asterisk_ami source, against tests/ingest/fake_ami_server.py
  // (its docstring and tests/ingest/ami_source_test.cpp give the script): a refused login, a
  // session cut after c1 is answered, a reconnect.
  const fs::path dir = fs::path(writeTempFile("x", "")).parent_path();
  const int amiPort = freeTcpPort();
  const std::string actions = (dir / "actions.log").string();
  Process server(
      "/usr/bin/python3",
      {std::string(CCPULSE_SOURCE_DIR) + "/tests/ingest/fake_ami_server.py", std::to_string(amiPort), actions},
      actions + ".server");
  ASSERT_TRUE(
      pollUntil([&] { return readFile(actions).find("listening") != std::string::npos; }, std::chrono::seconds(10)));
  const int httpPort = freeTcpPort();
  const std::string configPath = (dir / "ccpulse.yaml").string();
  std::ofstream(configPath) << "http:\n  listen: 127.0.0.1:" << httpPort
                            << "\nsources:\n  - name: ami\n    endpoint: tcp://127.0.0.1:" << amiPort
                            << "\n    format: asterisk_ami\n    username: ccpulse\n    secret: s3cret\n"
                               "    tenant: acme\n    vendor: bpo-east\n    reconnect_min: 10ms\n"
                               "    reconnect_max: 50ms\nengine:\n  clock: event\n";
  Process daemon(CCPULSED_PATH, {"--config", configPath}, configPath + ".log");
  // Offered: w0 (from QueueStatus), c1, c2, c3 = 4; answered c1 = 1; abandoned c2 = 1; dequeued
  // (other): w0 (gone at the second QueueStatus) and c3 (left unanswered) = 2; handled c1 = 1.
  std::vector<Sample> s;
  const bool done = pollUntil(
      [&] {
        const auto r = httpGet(httpPort, "/metrics");
        s = r && r->status == 200 ? parsePrometheusText(r->body) : std::vector<Sample>{};
        return findSample(s, "ccpulse_contacts_dequeued_total", with(q("support"), "reason", "other")) == 2.0 &&
               findSample(s, "ccpulse_contacts_handled_total", q("support")) == 1.0;
      },
      std::chrono::seconds(20));
  ASSERT_TRUE(done) << readFile(configPath + ".log") << readFile(actions);
  EXPECT_EQ(findSample(s, "ccpulse_contacts_offered_total", q("support")), 4.0);
  EXPECT_EQ(findSample(s, "ccpulse_contacts_answered_total", q("support")), 1.0);
  EXPECT_EQ(findSample(s, "ccpulse_contacts_abandoned_total", q("support")), 1.0);
  EXPECT_EQ(findSample(s, "ccpulse_source_connects_total", {{"source", "ami"}}), 2.0);
  EXPECT_EQ(findSample(s, "ccpulse_source_disconnects_total", {{"source", "ami"}}), 1.0);
  EXPECT_EQ(findSample(s, "ccpulse_source_connect_failures_total", {{"source", "ami"}}), 1.0);
  EXPECT_EQ(findSample(s, "ccpulse_source_up", {{"source", "ami"}}), 1.0);
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait(std::chrono::seconds(10)), 0) << readFile(configPath + ".log");
}

TEST(AsteriskQueueLogE2e, ReplayRejectsAnUnknownFormatAndListsTheKnownOnes) {
  const std::string configPath = writeTempFile("ccpulse.yaml", config(9464, "file:///x", ""));
  const auto [code, output] = runCommand(CCPULSECTL_PATH, {"replay", "--config", configPath, "--format", "xml", "f"});
  EXPECT_EQ(code, 2);
  EXPECT_NE(output.find("asterisk_queue_log"), std::string::npos) << output;
}

}  // namespace
}  // namespace ccpulse::test
