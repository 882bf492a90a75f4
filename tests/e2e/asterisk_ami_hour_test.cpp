// Asterisk AMI end to end: the real ccpulsed with an `asterisk_ami` source logs in to a fake AMI
// server on loopback (tests/e2e/ami_playback_server.py), asks for QueueStatus and receives a
// realistic hour of a small centre (tests/fixtures/asterisk/ami_hour.txt, written by
// make_ami_hour.py, whose docstring lists the rules). Every expected number is computed by hand
// from those rules below.
//
// The QueueStatus reply carries no Timestamp (Asterisk writes it with astman_append), so the
// decoder stamps it with the wall clock; the server moves the fixture's Timestamps so that the
// snapshot's moment is the wall-clock time it is sent. Values that start at the snapshot (agent
// time, w0's wait) are therefore late by the delivery latency (milliseconds): compared within
// kSlack; everything else is exact.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <sstream>

#include "../support/test_support.hpp"
#include "metric_expect.hpp"

namespace ccpulse::test {
namespace {

constexpr double kSlack = 0.5;  // seconds

std::map<std::string, std::string> q(const std::string& queue) {
  return {{"tenant", "acme"}, {"vendor", "bpo-east"}, {"queue", queue}};
}

std::map<std::string, std::string> cq(const std::string& queue) {
  auto labels = q(queue);
  labels["channel"] = "voice";
  return labels;
}

std::map<std::string, std::string> with(std::map<std::string, std::string> labels, const std::string& key,
                                        const std::string& value) {
  labels[key] = value;
  return labels;
}

std::string mismatches(const std::vector<Sample>& s) {
  MetricExpect expect(s);
  // support (threshold 20 s, short abandon 5 s): 24 calls joining + w0 (QueueEntry in the
  // snapshot) + p0 (bob's call from before T0; its AgentComplete says HoldTime 9, TalkTime 100, so
  // the adapter queues it at T0+40-100-9 = T0-69 and answers it at T0+40-100 = T0-60) = 26 offered.
  //   abandoned: i = 6, 18 (3 s: within 20 s and short) + i = 12, 24 (50 s) = 4
  //   answered: 20 of the 24 + w0 + p0 = 22
  //   within 20 s: p0 (9 s), w0 (17 s), i%6==1 only i = 1, 19 (8 s; 7 and 13 wait 25 s),
  //                i%6==2 (10 s) 4, i%6==3 (35 s) 0, i%6==4 (6 s) 4, i%6==5 (18 s) 4
  //                = 1 + 1 + 2 + 4 + 0 + 4 + 4 = 16
  //   waits: 9 + 17 + (8 + 8 + 25 + 25) + 4*10 + 4*35 + 4*6 + 4*18 = 26 + 66 + 40 + 140 + 24 + 72
  //          = 368 s over 22: ASA 16.727 s
  //   service level (abandons_miss) A / (N + B) = 16 / (22 + 4) = 0.6154
  //   talk: 20 * 180 + w0 180 + p0 100 = 3880 s = handle (Asterisk has no wrap-up: ACW 0)
  //   transferred: i = 10 (AgentComplete Reason transfer) = 1
  expect("ccpulse_contacts_offered_total", cq("support"), 26);
  expect("ccpulse_contacts_answered_total", cq("support"), 22);
  expect("ccpulse_contacts_answered_in_threshold_total", cq("support"), 16);
  expect("ccpulse_contacts_answered_unmatched_total", cq("support"), 0);
  expect("ccpulse_contacts_abandoned_total", cq("support"), 4);
  expect("ccpulse_contacts_abandoned_in_threshold_total", cq("support"), 2);
  expect("ccpulse_contacts_abandoned_short_total", cq("support"), 2);
  expect("ccpulse_contacts_dequeued_total", with(cq("support"), "reason", "other"), 0);
  expect("ccpulse_contacts_transferred_total", cq("support"), 1);
  expect("ccpulse_contacts_handled_total", cq("support"), 22);
  expect("ccpulse_talk_seconds_total", cq("support"), 3880);
  expect("ccpulse_hold_seconds_total", cq("support"), 0);
  expect("ccpulse_acw_seconds_total", cq("support"), 0);
  expect("ccpulse_handle_seconds_total", cq("support"), 3880);
  expect("ccpulse_wait_seconds_count", cq("support"), 22);
  expect("ccpulse_wait_seconds_sum", cq("support"), 368, kSlack);
  expect("ccpulse_asa_seconds", with(cq("support"), "window", "1h"), 368.0 / 22, kSlack / 22);
  expect("ccpulse_service_level", with(cq("support"), "window", "1h"), 16.0 / 26);
  expect("ccpulse_contacts_waiting", cq("support"), 0);
  // sales: 8 calls; j = 4 abandons after 40 s (not within 20 s, not short); j = 7 leaves after
  // 30 s with neither AgentConnect nor an abandon (a timeout: dequeued "other" once the next
  // event is past the 2 s grace); 6 answered after 12 s, 150 s each.
  //   waits 6 * 12 = 72 s (ASA 12 s); talk 6 * 150 = 900 s
  //   service level (abandons_miss, dequeued_counts_as_miss: true) = 6 / (6 + 1 + 1) = 0.75
  expect("ccpulse_contacts_offered_total", cq("sales"), 8);
  expect("ccpulse_contacts_answered_total", cq("sales"), 6);
  expect("ccpulse_contacts_answered_in_threshold_total", cq("sales"), 6);
  expect("ccpulse_contacts_abandoned_total", cq("sales"), 1);
  expect("ccpulse_contacts_abandoned_in_threshold_total", cq("sales"), 0);
  expect("ccpulse_contacts_abandoned_short_total", cq("sales"), 0);
  expect("ccpulse_contacts_dequeued_total", with(cq("sales"), "reason", "other"), 1);
  expect("ccpulse_contacts_handled_total", cq("sales"), 6);
  expect("ccpulse_talk_seconds_total", cq("sales"), 900);
  expect("ccpulse_wait_seconds_sum", cq("sales"), 72);
  expect("ccpulse_asa_seconds", with(cq("sales"), "window", "1h"), 12);
  expect("ccpulse_service_level", with(cq("sales"), "window", "1h"), 0.75);
  // billing: 3 calls answered by erin after 4 s, 240 s each: waits 12 s, talk 720 s, SL 3/3.
  expect("ccpulse_contacts_offered_total", cq("billing"), 3);
  expect("ccpulse_contacts_answered_total", cq("billing"), 3);
  expect("ccpulse_contacts_answered_in_threshold_total", cq("billing"), 3);
  expect("ccpulse_contacts_abandoned_total", cq("billing"), 0);
  expect("ccpulse_talk_seconds_total", cq("billing"), 720);
  expect("ccpulse_asa_seconds", with(cq("billing"), "window", "1h"), 4);
  expect("ccpulse_service_level", with(cq("billing"), "window", "1h"), 1);
  // Agents now (the last event, i = 23's AgentComplete at T0+3418): support alice and bob
  // available, carol paused "lunch"; sales dave available; billing erin paused "break" (dave was
  // removed from billing at T0+3000).
  expect("ccpulse_agents", with(q("support"), "state", "staffed"), 3);
  expect("ccpulse_agents", with(q("support"), "state", "available"), 2);
  expect("ccpulse_agents", with(q("support"), "state", "busy"), 0);
  expect("ccpulse_agents", with(q("support"), "state", "aux"), 1);
  expect("ccpulse_agents_aux", with(q("support"), "reason", "lunch"), 1);
  expect("ccpulse_agents", with(q("sales"), "state", "staffed"), 1);
  expect("ccpulse_agents", with(q("sales"), "state", "available"), 1);
  expect("ccpulse_agents", with(q("billing"), "state", "staffed"), 1);
  expect("ccpulse_agents", with(q("billing"), "state", "available"), 0);
  expect("ccpulse_agents", with(q("billing"), "state", "aux"), 1);
  expect("ccpulse_agents_aux", with(q("billing"), "reason", "break"), 1);
  // Agent time in support, from the snapshot (T0) to now (T0+3418); alice, bob and carol are in
  // support only:
  //   handling: bob p0 until T0+40 = 40, alice w0 180, 20 calls * 180 = 3600 -> 3820 s
  //   time not in aux: alice 3418 + bob 3418 + carol 1800 (available T0+600..T0+2400) = 8636 s
  //   available = 8636 - 3820 = 4816 s
  // The device-state QueueMemberStatus events (Status 2 with InCall 0 just after AgentConnect for
  // i%6==2; InCall 1 just after AgentComplete for i%6==5) change nothing.
  expect("ccpulse_agent_handling_seconds_total", q("support"), 3820, kSlack);
  expect("ccpulse_agent_available_seconds_total", q("support"), 4816, kSlack);
  // sales: dave from T0 to T0+3418, paused 1590..1700 and 2790..2850 (170 s), 6 calls * 150 s:
  //   handling 900, available 3418 - 170 - 900 = 2348.
  expect("ccpulse_agent_handling_seconds_total", q("sales"), 900, kSlack);
  expect("ccpulse_agent_available_seconds_total", q("sales"), 2348, kSlack);
  // billing: erin T0..T0+3100 (then paused): 3100 s, handling 3 * 240 = 720; dave counts in
  // billing while a member (T0+1500..T0+3000 = 1500 s, of which 110 + 60 = 170 s paused) with his
  // sales calls j = 5, 6 in that span (2 * 150 = 300 s handling):
  //   handling 720 + 300 = 1020; available (3100 - 720) + (1500 - 170 - 300) = 2380 + 1030 = 3410.
  expect("ccpulse_agent_handling_seconds_total", q("billing"), 1020, kSlack);
  expect("ccpulse_agent_available_seconds_total", q("billing"), 3410, kSlack);
  // Input accounting. Messages after the Login response (one frame each):
  //   FullyBooted 1; QueueStatus reply: the response, 3 QueueParams, 5 QueueMember, 1 QueueEntry,
  //   QueueStatusComplete = 11; the hour: 35 QueueCallerJoin, 36 QueueCallerLeave (every call but
  //   p0 leaves the queue once), 5 QueueCallerAbandon, 32 AgentCalled (30 answers rung + carol
  //   twice), 2 AgentRingNoAnswer, 30 AgentConnect, 31 AgentComplete (+ p0), 11 QueueMemberPause
  //   (carol 2, dave 4 in each of his 2 queues, erin 1), QueueMemberAdded 1, QueueMemberRemoved 1,
  //   100 QueueMemberStatus (30 rung answers * 3 (ringing, in use, idle) + 4 stale InCall for
  //   i%6==5 + carol's 2 rings * 2 + p0's idle + the damaged one) = 284
  //                                                                         1 + 11 + 284 = 296
  // Decoded canonical events:
  //   snapshot: 5 QueueMember -> 5 agent.login + bob busy + carol aux (training); w0 queued  =   8
  //   p0: queued, answered, busy, wrapped, available                                        =   5
  //   a call seen joining and answered: queued, answered, busy, wrapped, available = 5;
  //     support 20 * 5 + 1 transferred; w0 (already queued) 4; sales 6 * 5; billing 3 * 5   = 150
  //   abandons (4 support, 1 sales): queued + abandoned                        5 * 2         =  10
  //   sales j = 7: queued + dequeued                                                        =   2
  //   pauses: carol unpause, carol lunch, dave 4 (the billing copies change nothing), erin  =   7
  //   dave QueueMemberAdded / QueueMemberRemoved: agent.login each                          =   2
  //                                                                                  total = 184
  // Ignored by design: FullyBooted, the QueueStatus response, 3 QueueParams, 32 AgentCalled,
  // 2 AgentRingNoAnswer = 39. Rejected: the damaged Timestamp (bad_timestamp) = 1.
  const std::map<std::string, std::string> src = {{"source", "pbx"}};
  expect("ccpulse_events_decoded_total", src, 184);
  expect("ccpulse_events_ignored_total", src, 39);
  expect("ccpulse_events_rejected_total", with(src, "reason", "bad_timestamp"), 1);
  expect("ccpulse_events_rejected_total", with(src, "reason", "malformed_message"), 0);
  expect("ccpulse_events_rejected_total", with(src, "reason", "missing_field"), 0);
  expect("ccpulse_frames_received_total", src, 296);
  expect("ccpulse_source_connects_total", src, 1);
  return expect.mismatches();
}

TEST(AsteriskAmiHourE2e, RealDaemonAgainstAFakeAmiServerPlayingTheHour) {
  const int amiPort = freeTcpPort();
  const int httpPort = freeTcpPort();
  const std::string serverLog = writeTempFile("ami_server.log", "");
  Process server(
      "/usr/bin/python3",
      {std::string(CCPULSE_SOURCE_DIR) + "/tests/e2e/ami_playback_server.py", std::to_string(amiPort), serverLog,
       std::string(CCPULSE_SOURCE_DIR) + "/tests/fixtures/asterisk/ami_hour.txt", "1795420800.482113"},
      serverLog + ".out");
  ASSERT_TRUE(
      pollUntil([&] { return readFile(serverLog).find("listening") != std::string::npos; }, std::chrono::seconds(10)))
      << readFile(serverLog + ".out");
  const std::string configPath =
      writeTempFile("ccpulse.yaml", "http:\n  listen: 127.0.0.1:" + std::to_string(httpPort) +
                                        "\n"
                                        "sources:\n"
                                        "  - name: pbx\n"
                                        "    endpoint: tcp://127.0.0.1:" +
                                        std::to_string(amiPort) +
                                        "\n"
                                        "    format: asterisk_ami\n"
                                        "    username: ccpulse\n"
                                        "    secret: s3cret\n"
                                        "    tenant: acme\n"
                                        "    vendor: bpo-east\n"
                                        "service_level:\n"
                                        "  threshold: 20s\n"
                                        "  short_abandon: 5s\n"
                                        "engine:\n"
                                        "  clock: event\n"
                                        "  aux_reasons: [training, lunch, break]\n");
  const std::string logPath = configPath + ".log";
  Process daemon(CCPULSED_PATH, {"--config", configPath}, logPath);
  ASSERT_TRUE(waitReady(httpPort)) << readFile(logPath);
  const std::string last = pollMetricsUntilMatch(httpPort, mismatches, std::chrono::seconds(20));
  EXPECT_EQ(last, "") << readFile(logPath) << readFile(serverLog);
  const std::string actions = readFile(serverLog);
  EXPECT_NE(actions.find("Action Login Username ccpulse Events agent"), std::string::npos) << actions;
  EXPECT_NE(actions.find("Action QueueStatus"), std::string::npos) << actions;
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait(std::chrono::seconds(10)), 0) << readFile(logPath);
}

}  // namespace
}  // namespace ccpulse::test
