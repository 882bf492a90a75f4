// Crash test (label `crash`): while ccpulse-sim sends at a steady rate with sequence numbers, the
// real ccpulsed is killed with SIGKILL at random moments and restarted on the same state
// directory and ports. Checked:
//   * after every restart, every counter is >= what a scrape saw just before the kill (no reset);
//   * at the end, every domain number equals `ccpulsectl replay` of the sender's ground truth
//     minus exactly the events the daemon reported as sequence gaps (so nothing was counted twice
//     and nothing was lost silently), and the gap counter equals the number of those events;
//   * no spurious publisher restart was counted.
// The same with an Asterisk queue_log file source (written at a steady rate, rotated twice, once
// while the daemon is down): every number, and the lines, events and rejects counted, equal
// `ccpulsectl replay` of the complete file: nothing lost, nothing counted twice.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
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

// ---- The same with an Asterisk queue_log file source: nothing may be lost at all ----

/// A realistic queue_log, generated deterministically: 3 queues of 40 agents, a call every 2 s
/// (simulated) that is answered (CONNECT, then COMPLETECALLER/COMPLETEAGENT 40..194 s later),
/// abandoned or times out, so about a hundred calls are in flight in the decoder at any moment;
/// agents pause and unpause; one CONFIGRELOAD (ignored) and two malformed lines (rejected).
std::vector<std::string> queueLogLines(int calls) {
  constexpr std::int64_t kT0 = 1795424400;  // 2026-11-23T09:00:00Z
  const std::array<std::string, 3> queues = {"support", "sales", "billing"};
  struct Line {
    std::int64_t ts;
    int order;
    std::string text;
  };
  std::vector<Line> lines;
  int order = 0;
  const auto add = [&](std::int64_t ts, const std::string& rest) {
    lines.push_back({ts, order++, std::to_string(ts) + "|" + rest});
  };
  const auto agent = [](const std::string& q, int n) { return "PJSIP/" + q + "-" + std::to_string(n); };
  add(kT0, "NONE|NONE|NONE|QUEUESTART|");
  for (const auto& q : queues) {
    for (int a = 0; a < 40; ++a) {
      add(kT0 + 10, "NONE|" + q + "|" + agent(q, a) + "|ADDMEMBER|");
    }
  }
  for (int i = 0; i < calls; ++i) {
    const std::string& q = queues[static_cast<std::size_t>(i % 3)];
    const std::int64_t enter = kT0 + 60 + 2LL * i;
    const std::string call = std::to_string(enter) + "." + std::to_string(1000 + i);
    const std::string who = agent(q, (i / 3) % 40);
    add(enter, call + "|" + q + "|NONE|ENTERQUEUE||555" + std::to_string(100000 + i) + "|1");
    if (i % 9 == 4) {
      const int wait = 3 + i % 13;
      add(enter + wait, call + "|" + q + "|NONE|ABANDON|1|1|" + std::to_string(wait));
    } else if (i % 9 == 7) {
      add(enter + 60, call + "|" + q + "|NONE|EXITWITHTIMEOUT|1|1|60");
    } else {
      const int hold = 2 + (i % 17) * 2;
      const int talk = 40 + (i % 23) * 7;
      if (i % 10 == 1) {
        add(enter + hold - 1, call + "|" + q + "|" + agent(q, (i / 3 + 7) % 40) + "|RINGNOANSWER|1000");
      }
      add(enter + hold, call + "|" + q + "|" + who + "|CONNECT|" + std::to_string(hold) + "|" + call + "1|1");
      add(enter + hold + talk, call + "|" + q + "|" + who + (i % 2 == 0 ? "|COMPLETECALLER|" : "|COMPLETEAGENT|") +
                                   std::to_string(hold) + "|" + std::to_string(talk) + "|1");
    }
    if (i % 50 == 10) {
      add(enter + 1, "NONE|" + q + "|" + agent(q, (i / 3 + 20) % 40) + "|PAUSE|lunch");
      add(enter + 301, "NONE|" + q + "|" + agent(q, (i / 3 + 20) % 40) + "|UNPAUSE|");
    }
    if (i == calls / 2) {
      add(enter, "NONE|NONE|NONE|CONFIGRELOAD|");
      add(enter, "17954x|NONE|support|NONE|ENTERQUEUE||1|1");
      add(enter, call + "|support|NONE|CONNECT");
    }
  }
  std::sort(lines.begin(), lines.end(),
            [](const Line& a, const Line& b) { return a.ts != b.ts ? a.ts < b.ts : a.order < b.order; });
  std::vector<std::string> out;
  out.reserve(lines.size());
  for (auto& l : lines) {
    out.push_back(std::move(l.text) + "\n");
  }
  return out;
}

double sumOf(const std::vector<Sample>& samples, const std::string& name, const std::string& source) {
  double sum = 0;
  for (const auto& s : samples) {
    const auto it = s.labels.find("source");
    if (s.name == name && it != s.labels.end() && it->second == source) {
      sum += s.value;
    }
  }
  return sum;
}

/// The file source is ready once its first poll opened the file, after the restore; on a loaded
/// machine (CI shares cores) that can take longer than waitReady's 10 s.
bool waitReadyLong(int httpPort) {
  return pollUntil(
      [&] {
        const auto r = httpGet(httpPort, "/readyz");
        return r && r->status == 200;
      },
      std::chrono::seconds(60));
}

TEST(Crash, KillNineWhileTailingAQueueLogWithRotationsLosesNothingAndCountsNothingTwice) {
  const std::vector<std::string> lines = queueLogLines(5000);
  const fs::path dir = fs::path(writeTempFile("queue_log.truth", "")).parent_path();
  const std::string truthPath = (dir / "queue_log.truth").string();
  {
    std::ofstream out(truthPath);
    for (const auto& l : lines) {
      out << l;
    }
  }
  const std::string logPath = (dir / "queue_log").string();
  fs::remove(logPath);
  fs::remove(logPath + ".1");
  fs::remove(logPath + ".2");
  fs::remove_all(dir / "fstate");

  const int httpPort = freeTcpPort();
  const std::string common = "sources:\n  - name: pbx\n    endpoint: file://" + logPath +
                             "\n    format: asterisk_queue_log\n    poll_interval: 20ms\n"
                             "service_level:\n  threshold: 20s\n  short_abandon: 5s\n"
                             "engine:\n  clock: event\n  shards: 2\ntime_zone: Europe/Paris\n";
  const std::string configPath =
      writeTempFile("file_crash.yaml", "http:\n  listen: 127.0.0.1:" + std::to_string(httpPort) + "\n" + common +
                                           "state:\n  directory: " + (dir / "fstate").string() +
                                           "\n  checkpoint_interval: 2s\n"
                                           "  journal_segment_bytes: 65536\n  journal_sync_interval: 50ms\n");
  const std::string replayConfig = writeTempFile("file_replay.yaml", common);

  std::vector<std::string> logs;
  const auto startDaemon = [&] {
    logs.push_back(configPath + ".log." + std::to_string(logs.size()));
    return std::make_unique<Process>(CCPULSED_PATH, std::vector<std::string>{"--config", configPath}, logs.back());
  };

  // The writer appends at a steady rate (about 24 s for all lines), now and then in two pieces
  // (a partial last line), rotates by rename once on its own at a third of the lines, and once
  // more when asked (while the daemon is down).
  std::atomic<bool> rotateRequested{false};
  std::atomic<int> rotations{0};
  std::atomic<bool> writerDone{false};
  std::thread writer([&] {
    int fd = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    const auto rotate = [&] {
      ::close(fd);
      const int n = rotations.load() + 1;
      fs::rename(logPath, logPath + "." + std::to_string(n));
      fd = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      rotations.store(n);
    };
    const std::size_t perTick = 6;
    auto next = std::chrono::steady_clock::now();
    std::size_t i = 0;
    std::string carry;  // the rest of a line written in two pieces
    for (int tick = 0; i < lines.size(); ++tick) {
      if (carry.empty() && i >= lines.size() * 9 / 10 && rotations.load() < 2) {
        // The last tenth waits for the rotation requested while the daemon is down (restarts
        // are slow on a loaded machine), so that rotation always happens with lines after it.
        pollUntil([&] { return rotateRequested.load(); }, std::chrono::seconds(120));
        if (rotateRequested.exchange(false)) {
          rotate();
        }
      }
      std::string chunk = std::move(carry);
      carry.clear();
      for (std::size_t k = 0; k < perTick && i < lines.size(); ++k, ++i) {
        chunk += lines[i];
      }
      if (tick % 37 == 5 && i < lines.size()) {
        const std::string& l = lines[i++];
        chunk += l.substr(0, l.size() / 2);
        carry = l.substr(l.size() / 2);
      }
      if (::write(fd, chunk.data(), chunk.size()) != static_cast<ssize_t>(chunk.size())) {
        break;
      }
      if (carry.empty() && ((rotations.load() == 0 && i >= lines.size() / 3) || rotateRequested.exchange(false))) {
        rotate();
      }
      next += std::chrono::milliseconds(10);  // pacing the writer, not waiting for a condition
      std::this_thread::sleep_until(next);
    }
    if (!carry.empty()) {
      (void)::write(fd, carry.data(), carry.size());
    }
    ::close(fd);
    writerDone.store(true);
  });
  struct Joiner {
    std::thread& t;
    ~Joiner() {
      if (t.joinable()) {
        t.join();
      }
    }
  } joiner{writer};

  auto daemon = startDaemon();
  ASSERT_TRUE(waitReadyLong(httpPort)) << readFile(logs.back());
  const auto started = std::chrono::steady_clock::now();
  const unsigned seed = std::random_device{}();
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> jitter(0, 3000);
  const std::vector<int> killAtMs = {2000 + jitter(rng), 7000 + jitter(rng), 13000 + jitter(rng), 18000 + jitter(rng)};
  SCOPED_TRACE("kill schedule seed " + std::to_string(seed));
  for (std::size_t k = 0; k < killAtMs.size(); ++k) {
    std::this_thread::sleep_until(started + std::chrono::milliseconds(killAtMs[k]));  // pacing the kills
    const auto before = httpGet(httpPort, "/metrics");
    ASSERT_TRUE(before);
    daemon->signal(SIGKILL);
    ASSERT_EQ(daemon->wait(std::chrono::seconds(10)), 128 + SIGKILL);
    if (k == 2) {
      // Rotate while the daemon is down: the restart must finish the renamed file first.
      const int rotationsBefore = rotations.load();
      rotateRequested.store(true);
      ASSERT_TRUE(
          pollUntil([&] { return rotations.load() > rotationsBefore || writerDone.load(); }, std::chrono::seconds(10)));
    }
    daemon = startDaemon();
    ASSERT_TRUE(waitReadyLong(httpPort)) << readFile(logs.back());
    const auto after = httpGet(httpPort, "/metrics");
    ASSERT_TRUE(after);
    const auto b = counterSamples(before->body);
    const auto a = counterSamples(after->body);
    std::size_t decreased = 0;
    for (const auto& [key, value] : b) {
      if (key.rfind("ccpulse_history_", 0) == 0) {
        continue;  // rows this process wrote to its history store: per process, like the start time
      }
      const auto it = a.find(key);
      if (it == a.end() || it->second < value) {
        if (++decreased <= 10) {
          ADD_FAILURE() << "counter went back after kill " << k << ": " << key << " " << value << " -> "
                        << (it == a.end() ? NAN : it->second);
        }
      }
    }
    EXPECT_EQ(decreased, 0U);
  }
  writer.join();
  ASSERT_TRUE(writerDone.load());
  EXPECT_EQ(rotations.load(), 2);

  // What the writer wrote, in order, is exactly the generated truth.
  std::string written;
  for (const std::string& name : {logPath + ".1", logPath + ".2", logPath}) {
    written += readFile(name);
  }
  ASSERT_EQ(written, readFile(truthPath));

  const auto [replayCode, replayOut] =
      runCommand(CCPULSECTL_PATH, {"replay", "--config", replayConfig, "--format", "asterisk_queue_log", truthPath});
  ASSERT_EQ(replayCode, 0) << replayOut;
  const auto expected = domainSamples(replayOut);
  const auto truthSamples = parsePrometheusText(replayOut);
  const double truthDecoded = sumOf(truthSamples, "ccpulse_events_decoded_total", "replay");  // ccpulsectl's name
  ASSERT_GT(truthDecoded, 10000.0);

  std::map<std::string, double> live;
  std::vector<Sample> liveSamples;
  pollUntil(
      [&] {
        const auto r = httpGet(httpPort, "/metrics");
        if (r) {
          live = domainSamples(r->body);
          liveSamples = parsePrometheusText(r->body);
        }
        return live == expected;
      },
      std::chrono::seconds(60));
  // Every line read exactly once: lines, events and rejects equal the complete file's.
  EXPECT_EQ(sumOf(truthSamples, "ccpulse_frames_received_total", "replay"), static_cast<double>(lines.size()));
  EXPECT_EQ(sumOf(liveSamples, "ccpulse_frames_received_total", "pbx"), static_cast<double>(lines.size()));
  EXPECT_EQ(sumOf(liveSamples, "ccpulse_events_decoded_total", "pbx"), truthDecoded);
  EXPECT_EQ(sumOf(liveSamples, "ccpulse_events_rejected_total", "pbx"), 2.0);
  EXPECT_EQ(sumOf(liveSamples, "ccpulse_events_dropped_total", "pbx"), 0.0);
  EXPECT_GT(expected.size(), 100U);
  std::size_t differences = 0;
  for (const auto& [key, value] : expected) {
    const auto it = live.find(key);
    if (it == live.end() || it->second != value) {
      if (++differences <= 15) {
        ADD_FAILURE() << key << ": truth " << value << ", live " << (it == live.end() ? NAN : it->second);
      }
    }
  }
  EXPECT_EQ(differences, 0U);
  EXPECT_EQ(live.size(), expected.size());
  std::cout << "file crash test: " << killAtMs.size() << " kills, " << rotations.load() << " rotations, "
            << lines.size() << " lines, " << truthDecoded << " events\n";
  daemon->signal(SIGTERM);
  EXPECT_EQ(daemon->wait(std::chrono::seconds(10)), 0);
}

}  // namespace
}  // namespace ccpulse::test
