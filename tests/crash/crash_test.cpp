// Crash test (label `crash`): while ccpulse-sim sends at a steady rate with sequence numbers, the
// real ccpulsed is killed with SIGKILL at random moments and restarted on the same state
// directory and ports. Checked:
//   * after every restart, every counter is >= what a scrape saw just before the kill (no reset);
//   * at the end, every domain number equals `ccpulsectl replay` of the sender's ground truth
//     minus exactly the events the daemon reported as sequence gaps (so nothing was counted twice
//     and nothing was lost silently), and the gap counter equals the number of those events;
//   * no spurious publisher restart was counted.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "../support/test_support.hpp"

namespace ccpulse::test {
namespace {

namespace fs = std::filesystem;

constexpr int kEvents = 24000;

bool isDomainMetric(const std::string& name) {
  // Process self-metrics and the durability metrics describe this process, not the contact centre.
  static const std::vector<std::string> kProcess = {"ccpulse_apply_latency_seconds",
                                                    "ccpulse_events_applied_total",
                                                    "ccpulse_ring_occupancy",
                                                    "ccpulse_ring_capacity",
                                                    "ccpulse_start_time_seconds",
                                                    "ccpulse_build_info",
                                                    "ccpulse_checkpoint",
                                                    "ccpulse_journal_",
                                                    "ccpulse_restore_",
                                                    "ccpulse_http_",
                                                    "ccpulse_wallboard_",
                                                    "ccpulse_history_"};
  for (const auto& p : kProcess) {
    if (name.rfind(p, 0) == 0) {
      return false;
    }
  }
  return name.rfind("ccpulse_", 0) == 0;
}

std::string keyOf(const Sample& s) {
  std::string key = s.name + "{";
  for (const auto& [k, v] : s.labels) {
    key += k + "=" + v + ",";
  }
  return key + "}";
}

std::map<std::string, double> domainSamples(const std::string& text) {
  std::map<std::string, double> out;
  for (const auto& s : parsePrometheusText(text)) {
    if (isDomainMetric(s.name) && s.labels.count("source") == 0 && s.labels.count("shard") == 0) {
      out[keyOf(s)] = s.value;
    }
  }
  return out;
}

/// Counter samples (Prometheus counters and histogram parts), keyed, excluding what restarts by
/// definition: the apply-latency histogram (replayed events have no receive time) and config
/// reload counts (per process, like the start time).
std::map<std::string, double> counterSamples(const std::string& text) {
  std::map<std::string, double> out;
  for (const auto& s : parsePrometheusText(text)) {
    const bool counterLike = s.name.ends_with("_total") || s.name.ends_with("_bucket") || s.name.ends_with("_count") ||
                             s.name.ends_with("_sum");
    if (counterLike && s.name.rfind("ccpulse_apply_latency_seconds", 0) != 0 &&
        s.name != "ccpulse_config_reloads_total") {
      out[keyOf(s)] = s.value;
    }
  }
  return out;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Crash, KillNineUnderLoadLosesOnlyReportedGapsAndNeverCountsTwice) {
  const std::string truthPath = writeTempFile("truth.ndjson", "");
  const std::string dir = fs::path(truthPath).parent_path().string();
  const std::vector<std::string> simArgs = {"--seed",
                                            "7",
                                            "--start",
                                            "2026-11-23T09:58:00Z",
                                            "--curve",
                                            "flat",
                                            "--rate",
                                            "3000",
                                            "--agents-per-queue",
                                            "300",
                                            "--count",
                                            std::to_string(kEvents)};
  std::vector<std::string> truthArgs = simArgs;
  truthArgs.insert(truthArgs.end(), {"--out", truthPath});
  const auto [truthCode, truthOut] = runCommand(CCPULSE_SIM_PATH, truthArgs);
  ASSERT_EQ(truthCode, 0) << truthOut;
  std::vector<std::pair<std::uint64_t, std::string>> truth;  // (seq, line)
  {
    std::ifstream in(truthPath);
    const std::regex seqRe("\"seq\":([0-9]+)");
    for (std::string line; std::getline(in, line);) {
      std::smatch m;
      ASSERT_TRUE(std::regex_search(line, m, seqRe)) << line;
      truth.emplace_back(std::stoull(m[1].str()), line);
    }
  }
  ASSERT_EQ(truth.size(), static_cast<std::size_t>(kEvents));

  const int httpPort = freeTcpPort();
  const int zmqPort = freeTcpPort();
  const std::string common = "sources:\n  - name: acd\n    endpoint: tcp://127.0.0.1:" + std::to_string(zmqPort) +
                             "\n    receive_hwm: 0\nengine:\n  clock: event\n  shards: 2\n  ring_capacity: 65536\n"
                             "  backpressure_timeout: 2s\ntime_zone: Europe/Paris\n";
  const std::string configPath =
      writeTempFile("ccpulse.yaml", "http:\n  listen: 127.0.0.1:" + std::to_string(httpPort) + "\n" + common +
                                        "state:\n  directory: " + dir +
                                        "/state\n  checkpoint_interval: 2s\n"
                                        "  journal_segment_bytes: 65536\n  journal_sync_interval: 50ms\n");
  const std::string replayConfig = writeTempFile("replay.yaml", common);

  std::vector<std::string> logs;
  const auto startDaemon = [&] {
    logs.push_back(configPath + ".log." + std::to_string(logs.size()));
    return std::make_unique<Process>(CCPULSED_PATH, std::vector<std::string>{"--config", configPath}, logs.back());
  };
  auto daemon = startDaemon();
  ASSERT_TRUE(waitReady(httpPort)) << readFile(logs.back());

  std::vector<std::string> sendArgs = simArgs;
  sendArgs.insert(sendArgs.end(), {"--endpoint", "tcp://127.0.0.1:" + std::to_string(zmqPort), "--paced"});
  const auto started = std::chrono::steady_clock::now();
  Process sim(CCPULSE_SIM_PATH, sendArgs, configPath + ".sim.log");

  // Three kills at random moments while the sender runs (about 28 s of simulated time, paced).
  const unsigned seed = std::random_device{}();
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> jitter(0, 3000);
  std::vector<int> killAtMs = {3000 + jitter(rng), 10000 + jitter(rng), 17000 + jitter(rng)};
  SCOPED_TRACE("kill schedule seed " + std::to_string(seed));
  for (const int atMs : killAtMs) {
    // Pacing the kills, not waiting for a condition.
    std::this_thread::sleep_until(started + std::chrono::milliseconds(atMs));
    const auto before = httpGet(httpPort, "/metrics");
    ASSERT_TRUE(before);
    daemon->signal(SIGKILL);
    ASSERT_EQ(daemon->wait(std::chrono::seconds(10)), 128 + SIGKILL);
    daemon = startDaemon();
    ASSERT_TRUE(waitReady(httpPort)) << readFile(logs.back());
    const auto after = httpGet(httpPort, "/metrics");
    ASSERT_TRUE(after);
    const auto b = counterSamples(before->body);
    const auto a = counterSamples(after->body);
    EXPECT_GT(b.size(), 100U);
    std::size_t decreased = 0;
    for (const auto& [key, value] : b) {
      const auto it = a.find(key);
      if (it == a.end() || it->second < value) {
        if (++decreased <= 10) {
          ADD_FAILURE() << "counter went back after the kill at " << atMs << " ms: " << key << " " << value << " -> "
                        << (it == a.end() ? NAN : it->second);
        }
      }
    }
    EXPECT_EQ(decreased, 0U);
  }
  ASSERT_EQ(sim.wait(std::chrono::seconds(90)), 0) << readFile(configPath + ".sim.log");

  // Every event is either counted as received or reported as a gap.
  ASSERT_TRUE(pollUntil(
      [&] {
        const auto r = httpGet(httpPort, "/metrics");
        if (!r) {
          return false;
        }
        const auto all = parsePrometheusText(r->body);
        const auto decoded = findSample(all, "ccpulse_events_decoded_total", {{"source", "acd"}});
        const auto gaps = findSample(all, "ccpulse_sequence_gaps_total", {{"source", "acd"}});
        return decoded && gaps && *decoded + *gaps == kEvents;
      },
      std::chrono::seconds(30)));

  // The events lost in the kills, as reported by the daemon's gap log lines.
  std::set<std::uint64_t> lost;
  const std::regex gapRe("skipped ([0-9]+) events before seq ([0-9]+) \\(([0-9]+) more gaps");
  for (const auto& log : logs) {
    const std::string text = readFile(log);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), gapRe); it != std::sregex_iterator(); ++it) {
      const std::uint64_t missing = std::stoull((*it)[1].str());
      const std::uint64_t beforeSeq = std::stoull((*it)[2].str());
      ASSERT_EQ((*it)[3].str(), "0") << "a gap log line was rate-limited away; cannot tell which events were lost";
      for (std::uint64_t s = beforeSeq - missing; s < beforeSeq; ++s) {
        lost.insert(s);
      }
    }
  }
  const auto finalScrape = httpGet(httpPort, "/metrics");
  ASSERT_TRUE(finalScrape);
  const auto finalSamples = parsePrometheusText(finalScrape->body);
  EXPECT_EQ(findSample(finalSamples, "ccpulse_sequence_gaps_total", {{"source", "acd"}}),
            static_cast<double>(lost.size()));
  EXPECT_EQ(findSample(finalSamples, "ccpulse_sequence_restarts_total", {{"source", "acd"}}), 0.0);
  EXPECT_EQ(findSample(finalSamples, "ccpulse_sequence_repeats_total", {{"source", "acd"}}), 0.0);
  EXPECT_EQ(findSample(finalSamples, "ccpulse_events_dropped_total", {{"source", "acd"}}), 0.0);
  std::cout << "crash test: " << killAtMs.size() << " kills, " << lost.size() << " events lost in flight of " << kEvents
            << "\n";

  // Ground truth minus exactly the reported gaps, through the same engine offline.
  const std::string expectedPath = writeTempFile("expected.ndjson", "");
  {
    std::ofstream out(expectedPath);
    for (const auto& [seq, line] : truth) {
      if (lost.count(seq) == 0) {
        out << line << "\n";
      }
    }
  }
  const auto [replayCode, replayOut] = runCommand(CCPULSECTL_PATH, {"replay", "--config", replayConfig, expectedPath});
  ASSERT_EQ(replayCode, 0) << replayOut;
  const auto expected = domainSamples(replayOut);
  std::map<std::string, double> live;
  pollUntil(
      [&] {
        const auto r = httpGet(httpPort, "/metrics");
        if (r) {
          live = domainSamples(r->body);
        }
        return live == expected;  // the final publish happens once the shards are idle
      },
      std::chrono::seconds(20));
  EXPECT_GT(expected.size(), 300U);
  std::size_t differences = 0;
  for (const auto& [key, value] : expected) {
    const auto it = live.find(key);
    if (it == live.end() || it->second != value) {
      if (++differences <= 15) {
        ADD_FAILURE() << key << ": truth minus gaps " << value << ", live " << (it == live.end() ? NAN : it->second);
      }
    }
  }
  EXPECT_EQ(differences, 0U);
  EXPECT_EQ(live.size(), expected.size());
  daemon->signal(SIGTERM);
  EXPECT_EQ(daemon->wait(std::chrono::seconds(10)), 0);
}

}  // namespace
}  // namespace ccpulse::test
