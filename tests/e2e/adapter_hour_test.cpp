// A realistic hour of a small centre in each cloud vendor's own format (tests/fixtures/<format>/,
// rendered by tests/fixtures/make_hour_fixtures.py), through `ccpulsectl replay --format F` and,
// for Twilio TaskRouter, through the real ccpulsed over ZeroMQ. Expected values computed by hand.
//
// The hour (T0 = 2026-11-23T10:00:00Z; one queue "support", voice; agents alice, bob, carol
// logged in at T0; threshold 20 s, short abandon 5 s). Contact i = 1..20 arrives at
// T0 + 60 + 180 (i - 1) s and, by i % 5:
//   1: answered after 10 s       (i = 1, 6, 11, 16)
//   2: answered after 15 s, 30 s of hold during the call (i = 2, 7, 12, 17)
//   3: answered after 40 s       (i = 3, 8, 13, 18)
//   4: abandoned after 45 s      (i = 4, 9, 14, 19)
//   0: abandoned after 3 s       (i = 5, 10, 15, 20)
// Answered contacts are connected 120 s (hold included), then 30 s of after-contact work, round
// robin to alice, bob, carol. carol goes on break at T0 + 3400 s, alice to lunch at T0 + 3600 s
// (the last event, so "now" = T0 + 3600 s).
//
//   offered 20; answered N = 3 * 4 = 12; answered within 20 s A = 4 + 4 = 8;
//   abandoned B = 8, of which within 20 s Bt = 4 and short (<= 5 s) Bs = 4.
//   ASA = (4*10 + 4*15 + 4*40) / 12 = 260 / 12 = 21.667 s.
//   Service level (abandons_miss) = A / (N + B) = 8 / 20 = 0.4 (all inside the 1 h window).
//   ACW = 12 * 30 = 360 s; handle = 12 * (120 + 30) = 1800 s.
//   Talk and hold: 4 contacts have 30 s of hold. Amazon Connect's CTR says so (hold 4 * 30 =
//   120 s, talk 12 * 120 - 120 = 1320 s). Twilio TaskRouter and Genesys queue notifications
//   carry no hold, so there hold = 0 and talk = 12 * 120 = 1440 s (handle is 1800 s either way).
//   Agents now: staffed 3, available 1 (bob), aux 2 (carol "break"; alice "lunch", which Genesys
//   calls presence Meal -> reason "meal").
//   Agent time: handling 12 * 150 = 1800 s; staffed time 3600 + 3600 + 3400 (carol on break from
//   3400) = 10600 s, so available = 10600 - 1800 = 8800 s.
#include <gtest/gtest.h>
#include <signal.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "../support/test_support.hpp"
#include "metric_expect.hpp"

namespace ccpulse::test {
namespace {

std::vector<std::string> readLines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) {
      lines.push_back(line);
    }
  }
  return lines;
}

struct AdapterHour {
  std::string format;
  std::string fixture;      ///< under tests/fixtures/
  std::string sourceExtra;  ///< YAML lines added to the source
  double talk;
  double hold;
  std::string lunchReason;
  double decoded;
  std::map<std::string, double> rejected;  ///< reason -> count
};

std::vector<AdapterHour> adapterHours() {
  return {
      // Amazon Connect, decoded events:
      //   3 LOGIN -> agent.login (status Available: no agent.state)                         =   3
      //   12 answered contacts' agent events: CONNECTING (still available: none), CONNECTED ->
      //   busy, hold/unhold snapshots (still busy: none), ENDED -> acw, no contact -> available
      //                                                                         12 * 3     =  36
      //   12 answered CTRs: queued, answered, ended, wrapped, plus hold + unhold for 4
      //                                                                    12 * 4 + 4 * 2 =  56
      //   8 abandoned CTRs: queued, abandoned                                    8 * 2     =  16
      //   carol Break, alice Lunch -> agent.state aux; bob's HEART_BEAT changes nothing    =   2
      //                                                                            total   = 113
      // Rejected: c01's CTR redelivered unchanged (stale_record), a TASK contact
      // (unsupported), EventTimestamp "yesterday" (bad_timestamp), a truncated record (not_json).
      // c02's CTR updated later with a newer LastUpdateTimestamp is accepted and adds nothing.
      {"amazon_connect",
       "amazon_connect/hour.ndjson",
       "",
       1320,
       120,
       "lunch",
       113,
       {{"stale_record", 1}, {"unsupported", 1}, {"bad_timestamp", 1}, {"not_json", 1}, {"missing_field", 0}}},
      // Twilio TaskRouter (form bodies; alice's Lunch as a JSON object), decoded events:
      //   3 worker.activity.update Available -> agent.login (agent_queues [support])     =  3
      //   12 answered tasks: task-queue.entered -> queued, reservation.accepted ->
      //   answered, task.wrapup -> ended, task.completed -> wrapped (task.created and
      //   reservation.created count nothing)                                  12 * 4     = 48
      //   8 canceled tasks (reason hangup): queued, abandoned                    8 * 2    = 16
      //   carol Break, alice Lunch -> agent.state aux                                     =  2
      //                                                                          total   = 69
      // Rejected: Timestamp "soon" (bad_timestamp), "%zz" (bad_encoding), no EventType
      // (missing_field).
      {"twilio_taskrouter",
       "twilio_taskrouter/hour.form",
       "    agent_queues: [support]\n",
       1440,
       0,
       "lunch",
       69,
       {{"bad_timestamp", 1}, {"bad_encoding", 1}, {"missing_field", 1}, {"not_json", 0}}},
      // Genesys Cloud, decoded events:
      //   3 v2.users.{id}.activity (IDLE, On Queue, activeQueueIds) -> agent.login        =  3
      //   12 answered conversations: queued (acd leg connected), answered (agent leg
      //   connected; the alerting notification before counts nothing), ended (agent leg
      //   disconnected), wrapped (afterCallWork complete), plus routingStatus INTERACTING
      //   -> busy and IDLE -> available                                       12 * 6     = 72
      //   8 abandoned conversations (acd leg disconnected by peer): queued, abandoned 8*2 = 16
      //   carol presence Break then OFF_QUEUE -> aux "break"; alice Meal then OFF_QUEUE ->
      //   aux "meal" (the presence notifications alone change nothing)                     =  2
      //                                                                          total   = 93
      // Rejected: routing status SLEEPING (bad_value), no topicName (missing_field), [1]
      // (not_object). The channel.metadata heartbeat counts nothing.
      {"genesys_cloud",
       "genesys_cloud/hour.ndjson",
       "    queue_names:\n      5f4b1a2c-0000-4000-8000-00000000q001: support\n",
       1440,
       0,
       "meal",
       93,
       {{"bad_value", 1}, {"missing_field", 1}, {"not_object", 1}, {"not_json", 0}}},
  };
}

std::string configFor(const AdapterHour& h, int httpPort, int zmqPort) {
  return "http:\n  listen: 127.0.0.1:" + std::to_string(httpPort) +
         "\n"
         "sources:\n"
         "  - name: cloud\n"
         "    endpoint: tcp://127.0.0.1:" +
         std::to_string(zmqPort) +
         "\n"
         "    format: " +
         h.format +
         "\n"
         "    tenant: acme\n"
         "    vendor: bpo1\n" +
         h.sourceExtra +
         "service_level:\n"
         "  threshold: 20s\n"
         "  short_abandon: 5s\n"
         "engine:\n"
         "  clock: event\n"
         "  aux_reasons: [break, lunch, meal]\n";
}

// Every expected value; returns the mismatches (empty = all good).
std::string mismatches(const std::vector<Sample>& samples, const AdapterHour& h, const std::string& source) {
  const std::map<std::string, std::string> q = {
      {"tenant", "acme"}, {"vendor", "bpo1"}, {"queue", "support"}, {"channel", "voice"}};
  const std::map<std::string, std::string> aq = {{"tenant", "acme"}, {"vendor", "bpo1"}, {"queue", "support"}};
  const auto with = [](std::map<std::string, std::string> m, const std::string& k, const std::string& v) {
    m[k] = v;
    return m;
  };
  struct Want {
    std::string name;
    std::map<std::string, std::string> labels;
    double value;
  };
  std::vector<Want> wants = {
      {"ccpulse_contacts_offered_total", q, 20},
      {"ccpulse_contacts_answered_total", q, 12},
      {"ccpulse_contacts_answered_in_threshold_total", q, 8},
      {"ccpulse_contacts_answered_unmatched_total", q, 0},
      {"ccpulse_contacts_abandoned_total", q, 8},
      {"ccpulse_contacts_abandoned_in_threshold_total", q, 4},
      {"ccpulse_contacts_abandoned_short_total", q, 4},
      {"ccpulse_contacts_handled_total", q, 12},
      {"ccpulse_contacts_waiting", q, 0},
      {"ccpulse_talk_seconds_total", q, h.talk},
      {"ccpulse_hold_seconds_total", q, h.hold},
      {"ccpulse_acw_seconds_total", q, 360},
      {"ccpulse_handle_seconds_total", q, 1800},
      {"ccpulse_service_level", with(q, "window", "1h"), 0.4},
      {"ccpulse_asa_seconds", with(q, "window", "1h"), 260.0 / 12},
      {"ccpulse_agents", with(aq, "state", "staffed"), 3},
      {"ccpulse_agents", with(aq, "state", "available"), 1},
      {"ccpulse_agents", with(aq, "state", "aux"), 2},
      {"ccpulse_agents_aux", with(aq, "reason", "break"), 1},
      {"ccpulse_agents_aux", with(aq, "reason", h.lunchReason), 1},
      {"ccpulse_agent_handling_seconds_total", aq, 1800},
      {"ccpulse_agent_available_seconds_total", aq, 8800},
      {"ccpulse_events_decoded_total", {{"source", source}}, h.decoded},
  };
  for (const auto& [reason, count] : h.rejected) {
    wants.push_back({"ccpulse_events_rejected_total", {{"source", source}, {"reason", reason}}, count});
  }
  std::string out;
  for (const Want& w : wants) {
    const auto got = findSample(samples, w.name, w.labels);
    if (!got || std::abs(*got - w.value) > 1e-6) {
      std::string labels;
      for (const auto& [k, v] : w.labels) {
        labels += k + "=" + v + ",";
      }
      out += w.name + "{" + labels + "}: want " + std::to_string(w.value) + ", got " +
             (got ? std::to_string(*got) : std::string("absent")) + "\n";
    }
  }
  return out;
}

class AdapterHourTest : public ::testing::TestWithParam<AdapterHour> {};

TEST_P(AdapterHourTest, ReplayGivesHandComputedMetrics) {
  const AdapterHour& h = GetParam();
  const std::string configPath = writeTempFile("ccpulse.yaml", configFor(h, 9464, 5555));
  const auto [code, output] = runCommand(CCPULSECTL_PATH, {"replay", "--config", configPath, "--format", h.format,
                                                           CCPULSE_SOURCE_DIR "/tests/fixtures/" + h.fixture});
  ASSERT_EQ(code, 0) << output;
  EXPECT_EQ(mismatches(parsePrometheusText(output), h, "replay"), "");
}

INSTANTIATE_TEST_SUITE_P(Cloud, AdapterHourTest, ::testing::ValuesIn(adapterHours()),
                         [](const ::testing::TestParamInfo<AdapterHour>& paramInfo) { return paramInfo.param.format; });

// The --format flag overrides the config's source format: the canonical decoder would reject
// every vendor line (the config here says json).
TEST(AdapterReplay, FormatFlagSelectsTheDecoderAndUnknownFormatsAreListed) {
  const std::string configPath = writeTempFile("ccpulse.yaml",
                                               "sources:\n  - name: acd\n    endpoint: tcp://127.0.0.1:5555\n"
                                               "    tenant: acme\n    vendor: bpo1\n");
  const std::string fixture = CCPULSE_SOURCE_DIR "/tests/fixtures/genesys_cloud/hour.ndjson";
  auto [code, output] = runCommand(CCPULSECTL_PATH, {"replay", "--config", configPath, fixture});
  ASSERT_EQ(code, 0) << output;
  EXPECT_EQ(findSample(parsePrometheusText(output), "ccpulse_events_decoded_total", {{"source", "replay"}}), 0);
  std::tie(code, output) =
      runCommand(CCPULSECTL_PATH, {"replay", "--config", configPath, "--format", "cobol", fixture});
  EXPECT_EQ(code, 2);
  EXPECT_NE(output.find("amazon_connect, twilio_taskrouter, genesys_cloud"), std::string::npos) << output;
}

// Twilio's form bodies pushed through the real daemon over ZeroMQ give the same numbers.
TEST(AdapterDaemon, TwilioHourOverZeroMqGivesHandComputedMetrics) {
  const AdapterHour h = adapterHours()[1];
  ASSERT_EQ(h.format, "twilio_taskrouter");
  const int httpPort = freeTcpPort();
  const int zmqPort = freeTcpPort();
  const std::string configPath = writeTempFile("ccpulse.yaml", configFor(h, httpPort, zmqPort));
  const std::string logPath = configPath + ".log";
  Process daemon(CCPULSED_PATH, {"--config", configPath}, logPath);
  ASSERT_TRUE(waitReady(httpPort)) << readFile(logPath);
  const std::vector<std::string> lines = readLines(CCPULSE_SOURCE_DIR "/tests/fixtures/" + h.fixture);
  ASSERT_EQ(lines.size(), 104U);  // 69 decoded + 3 rejected + 32 callbacks that count nothing
  pushFrames(zmqPort, lines);
  std::vector<Sample> samples;
  const std::string last = pollMetricsUntilMatch(
      httpPort, [&](const std::vector<Sample>& s) { return mismatches(s, h, "cloud"); }, std::chrono::seconds(15),
      &samples);
  EXPECT_EQ(last, "") << readFile(logPath);
  EXPECT_EQ(findSample(samples, "ccpulse_frames_received_total", {{"source", "cloud"}}), 104);
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait(std::chrono::seconds(10)), 0) << readFile(logPath);
}

}  // namespace
}  // namespace ccpulse::test
