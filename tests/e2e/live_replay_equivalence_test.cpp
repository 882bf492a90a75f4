// The same recorded events give the same numbers through live ingestion (ZeroMQ into the real
// daemon) and through `ccpulsectl replay`.
#include <gtest/gtest.h>
#include <signal.h>

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "../support/test_support.hpp"

namespace ccpulse::test {
namespace {

// Self-metrics describe the process (frames, latency, shards, sources), not the contact centre.
bool isDomainMetric(const std::string& name) {
  static const std::set<std::string> kProcess = {"ccpulse_apply_latency_seconds",
                                                 "ccpulse_events_applied_total",
                                                 "ccpulse_ring_occupancy",
                                                 "ccpulse_ring_capacity",
                                                 "ccpulse_start_time_seconds",
                                                 "ccpulse_build_info",
                                                 "ccpulse_http_",
                                                 "ccpulse_wallboard_"};
  for (const auto& p : kProcess) {
    if (name.rfind(p, 0) == 0) {
      return false;
    }
  }
  return name.rfind("ccpulse_", 0) == 0;
}

std::map<std::string, double> domainSamples(const std::string& text) {
  std::map<std::string, double> out;
  for (const auto& s : parsePrometheusText(text)) {
    if (!isDomainMetric(s.name) || s.labels.count("source") != 0 || s.labels.count("shard") != 0) {
      continue;
    }
    std::string key = s.name + "{";
    for (const auto& [k, v] : s.labels) {
      key += k + "=" + v + ",";
    }
    out[key + "}"] = s.value;
  }
  return out;
}

TEST(LiveReplayEquivalence, SimulatedTrafficGivesIdenticalMetrics) {
  // 30,000 simulated events (about 5 simulated minutes across 12 queues, with agents).
  const std::string events = writeTempFile("events.ndjson", "");
  const auto [simCode, simOut] = runCommand(CCPULSE_SIM_PATH, {"--out", events, "--count", "30000", "--seed", "7",
                                                               "--start", "2026-11-23T09:58:00Z", "--curve", "flat"});
  ASSERT_EQ(simCode, 0) << simOut;
  std::vector<std::string> lines;
  {
    std::ifstream in(events);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) {
        lines.push_back(line);
      }
    }
  }
  ASSERT_EQ(lines.size(), 30000U);

  const int httpPort = freeTcpPort();
  const int zmqPort = freeTcpPort();
  const std::string config = "http:\n  listen: 127.0.0.1:" + std::to_string(httpPort) +
                             "\nsources:\n  - name: acd\n    endpoint: tcp://127.0.0.1:" + std::to_string(zmqPort) +
                             "\n    receive_hwm: 0\nengine:\n  clock: event\n  shards: 2\n  ring_capacity: 65536\n"
                             "  backpressure_timeout: 2s\ntime_zone: Europe/Paris\n";
  const std::string configPath = writeTempFile("ccpulse.yaml", config);

  const auto [replayCode, replayOut] = runCommand(CCPULSECTL_PATH, {"replay", "--config", configPath, events});
  ASSERT_EQ(replayCode, 0);
  const auto replayed = domainSamples(replayOut);

  Process daemon(CCPULSED_PATH, {"--config", configPath}, configPath + ".log");
  ASSERT_TRUE(waitReady(httpPort));
  pushFrames(zmqPort, lines);
  std::map<std::string, double> live;
  ASSERT_TRUE(pollUntil(
      [&] {
        const auto r = httpGet(httpPort, "/metrics");
        if (!r) {
          return false;
        }
        const auto all = parsePrometheusText(r->body);
        if (findSample(all, "ccpulse_events_decoded_total", {{"source", "acd"}}) != 30000.0) {
          return false;
        }
        live = domainSamples(r->body);
        return live == replayed;  // the final publish happens once the shards are idle
      },
      std::chrono::seconds(20)));
  EXPECT_GT(replayed.size(), 500U);  // a real comparison, not two empty scrapes
  std::size_t differences = 0;
  for (const auto& [key, value] : replayed) {
    const auto it = live.find(key);
    if (it == live.end() || it->second != value) {
      if (++differences <= 10) {
        ADD_FAILURE() << key << ": replay " << value << ", live " << (it == live.end() ? NAN : it->second);
      }
    }
  }
  EXPECT_EQ(live.size(), replayed.size());
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait(std::chrono::seconds(10)), 0);
}

}  // namespace
}  // namespace ccpulse::test
