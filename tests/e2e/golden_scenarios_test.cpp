// Every golden scenario through the live daemon (ZeroMQ tcp on loopback, scraped over HTTP) and
// through `ccpulsectl replay`: both must give exactly the hand-computed values.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <sstream>

#include "../support/test_support.hpp"
#include "golden_scenarios.hpp"

namespace ccpulse::test {
namespace {

std::string baseConfig(int httpPort, int zmqPort, const Scenario& s) {
  std::string extra = s.config;
  // Event time is the clock, so "now" and every window are deterministic.
  if (extra.find("engine:\n") != std::string::npos) {
    extra.replace(extra.find("engine:\n"), 8, "engine:\n  clock: event\n");
  } else {
    extra += "engine:\n  clock: event\n";
  }
  return "http:\n  listen: 127.0.0.1:" + std::to_string(httpPort) +
         "\nsources:\n  - name: acd\n    endpoint: tcp://127.0.0.1:" + std::to_string(zmqPort) + "\n" + extra;
}

/// Returns a description of every expectation that does not hold (empty when all hold).
std::string mismatches(const std::vector<Sample>& samples, const Scenario& s) {
  std::ostringstream out;
  for (const auto& e : s.expect) {
    std::optional<double> got;
    try {
      got = findSample(samples, e.metric, e.labels);
    } catch (const std::exception& ex) {
      out << e.metric << ": " << ex.what() << "\n";
      continue;
    }
    const bool ok = std::isnan(e.value)
                        ? !got.has_value()
                        : got.has_value() && std::fabs(*got - e.value) <= 1e-9 * std::max(1.0, std::fabs(e.value));
    if (!ok) {
      out << e.metric << "{";
      for (const auto& [k, v] : e.labels) {
        out << k << "=\"" << v << "\",";
      }
      out << "}: expected " << (std::isnan(e.value) ? std::string("absent") : std::to_string(e.value)) << ", got "
          << (got ? std::to_string(*got) : std::string("absent")) << "\n";
    }
  }
  return out.str();
}

class GoldenScenario : public ::testing::TestWithParam<Scenario> {};

TEST_P(GoldenScenario, ThroughTheLiveDaemon) {
  const Scenario& s = GetParam();
  const int httpPort = freeTcpPort();
  const int zmqPort = freeTcpPort();
  const std::string configPath = writeTempFile("ccpulse.yaml", baseConfig(httpPort, zmqPort, s));
  const std::string logPath = configPath + ".log";
  Process daemon(CCPULSED_PATH, {"--config", configPath}, logPath);
  ASSERT_TRUE(waitReady(httpPort));
  pushFrames(zmqPort, s.lines);
  std::vector<Sample> samples;
  const bool settled = pollUntil(
      [&] {
        const auto r = httpGet(httpPort, "/metrics");
        if (!r) {
          return false;
        }
        samples = parsePrometheusText(r->body);
        return findSample(samples, "ccpulse_events_decoded_total", {{"source", "acd"}}) ==
                   static_cast<double>(s.lines.size()) &&
               mismatches(samples, s).empty();
      },
      std::chrono::seconds(10));
  EXPECT_TRUE(settled) << mismatches(samples, s);
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait(std::chrono::seconds(10)), 0);
}

TEST_P(GoldenScenario, ThroughCcpulsectlReplay) {
  const Scenario& s = GetParam();
  const std::string configPath = writeTempFile("ccpulse.yaml", baseConfig(9464, 5555, s));
  std::string events;
  for (const auto& line : s.lines) {
    events += line + "\n";
  }
  const std::string eventsPath = writeTempFile("events.ndjson", events);
  const auto [code, output] = runCommand(CCPULSECTL_PATH, {"replay", "--config", configPath, eventsPath});
  ASSERT_EQ(code, 0) << output;
  const auto samples = parsePrometheusText(output);
  EXPECT_EQ(findSample(samples, "ccpulse_events_decoded_total", {{"source", "replay"}}),
            static_cast<double>(s.lines.size()));
  EXPECT_EQ(mismatches(samples, s), "");
}

INSTANTIATE_TEST_SUITE_P(Golden, GoldenScenario, ::testing::ValuesIn(goldenScenarios()),
                         [](const ::testing::TestParamInfo<Scenario>& paramInfo) { return paramInfo.param.name; });

}  // namespace
}  // namespace ccpulse::test

namespace ccpulse::test {
namespace {

TEST(CcpulsectlReplay, WritesClosedIntervalsAsCsv) {
  // Scenario 7's events: the 10:00 interval closes with 1 offered, 0 answered.
  const Scenario s = goldenScenarios()[6];
  ASSERT_EQ(s.name, "interval_boundary");
  const std::string configPath = writeTempFile("ccpulse.yaml", baseConfig(9464, 5555, s));
  std::string events;
  for (const auto& line : s.lines) {
    events += line + "\n";
  }
  const std::string eventsPath = writeTempFile("events.ndjson", events);
  const std::string csvPath = eventsPath + ".csv";
  const auto [code, output] =
      runCommand(CCPULSECTL_PATH, {"replay", "--config", configPath, "--intervals", csvPath, eventsPath});
  ASSERT_EQ(code, 0) << output;
  std::ifstream in(csvPath);
  std::string header;
  std::string row;
  std::getline(in, header);
  std::getline(in, row);
  EXPECT_EQ(header.rfind("kind,tenant,vendor,queue,channel,start,end,offered,answered,", 0), 0U) << header;
  EXPECT_EQ(row.rfind("interval,t,v,q,voice,2026-11-23T10:00:00+00:00,2026-11-23T10:15:00+00:00,1,0,", 0), 0U) << row;
  std::string extra;
  EXPECT_FALSE(std::getline(in, extra)) << "only one interval has closed: " << extra;
}

TEST(CcpulsectlReplay, UsageErrors) {
  EXPECT_EQ(runCommand(CCPULSECTL_PATH, {"replay"}).first, 2);
  EXPECT_EQ(runCommand(CCPULSECTL_PATH, {"replay", "--config", "x.yaml", "--format", "xml", "f"}).first, 2);
  EXPECT_EQ(runCommand(CCPULSECTL_PATH, {"replay", "--config", "/nonexistent.yaml", "f"}).first, 1);
  EXPECT_EQ(runCommand(CCPULSECTL_PATH, {"frobnicate"}).first, 2);
}

}  // namespace
}  // namespace ccpulse::test
