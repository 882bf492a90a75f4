// Tests for ccpulse-sim: determinism, stream consistency, JSON validity, rate calibration, CLI
// parsing and an end-to-end ZeroMQ publish to a PULL socket.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <gtest/gtest.h>
#include <simdjson.h>
#include <zmq.hpp>

#include "ccpulse/sim/simulator.hpp"

namespace ccpulse::sim {
namespace {

// 2026-11-23T06:00:00Z: the morning ramp, so rosters grow, queues build and every path is taken.
constexpr std::int64_t kMorningUs = 1795413600LL * 1'000'000;

SimSettings settingsFor(std::uint64_t seed, double rate = 50.0, Curve curve = Curve::kDaily) {
  SimSettings s;
  s.seed = seed;
  s.rate = rate;
  s.curve = curve;
  s.startUs = kMorningUs;
  return s;
}

std::vector<std::string> renderFirst(SimSettings settings, std::size_t count) {
  Simulator sim(std::move(settings));
  std::vector<std::string> lines;
  SimEvent event;
  while (lines.size() < count && sim.next(event)) {
    std::string line;
    renderJson(event, line);
    lines.push_back(std::move(line));
  }
  return lines;
}

TEST(SimTimestamp, FormatsAndParsesRfc3339) {
  std::string out;
  appendTimestamp(kMorningUs + 123'456, out);
  EXPECT_EQ(out, "2026-11-23T06:00:00.123456Z");
  out.clear();
  appendTimestamp(0, out);
  EXPECT_EQ(out, "1970-01-01T00:00:00.000000Z");
  out.clear();
  const auto leap = parseStartUs("2028-02-29T23:59:59.5Z");
  ASSERT_TRUE(leap.has_value());
  appendTimestamp(*leap, out);
  EXPECT_EQ(out, "2028-02-29T23:59:59.500000Z");

  EXPECT_EQ(parseStartUs("2026-11-23T06:00:00Z"), kMorningUs);
  EXPECT_EQ(parseStartUs("2026-11-23T08:00:00+02:00"), kMorningUs);
  EXPECT_EQ(parseStartUs("1795413600000"), kMorningUs);
  EXPECT_FALSE(parseStartUs("2026-11-23T06:00:00").has_value());  // no offset
  EXPECT_FALSE(parseStartUs("2026-13-01T00:00:00Z").has_value());
  EXPECT_FALSE(parseStartUs("yesterday").has_value());
}

TEST(SimDuration, ParsesUnits) {
  EXPECT_EQ(parseDurationUs("30s"), 30'000'000);
  EXPECT_EQ(parseDurationUs("10m"), 600'000'000);
  EXPECT_EQ(parseDurationUs("2h"), 7'200'000'000);
  EXPECT_EQ(parseDurationUs("250ms"), 250'000);
  EXPECT_EQ(parseDurationUs("1.5"), 1'500'000);
  EXPECT_FALSE(parseDurationUs("").has_value());
  EXPECT_FALSE(parseDurationUs("5 weeks").has_value());
  EXPECT_FALSE(parseDurationUs("-1s").has_value());
}

TEST(SimDeterminism, SameSeedSameStreamDifferentSeedDifferent) {
  const auto a = renderFirst(settingsFor(7), 30000);
  const auto b = renderFirst(settingsFor(7), 30000);
  const auto c = renderFirst(settingsFor(8), 30000);
  ASSERT_EQ(a.size(), 30000U);
  EXPECT_EQ(a, b);
  ASSERT_EQ(c.size(), 30000U);
  std::size_t differing = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    differing += a[i] != c[i] ? 1 : 0;
  }
  EXPECT_GT(differing, a.size() / 2);
}

TEST(SimModel, StopsAtCountAndDuration) {
  SimSettings byCount = settingsFor(1);
  byCount.maxEvents = 1234;
  Simulator counted(byCount);
  SimEvent event;
  std::uint64_t n = 0;
  while (counted.next(event)) {
    ++n;
  }
  EXPECT_EQ(n, 1234U);
  EXPECT_FALSE(counted.next(event));

  SimSettings byTime = settingsFor(1);
  byTime.durationUs = 120'000'000;
  Simulator timed(byTime);
  std::int64_t last = 0;
  n = 0;
  while (timed.next(event)) {
    last = event.tsUs;
    ++n;
  }
  EXPECT_GT(n, 100U);
  EXPECT_LE(last, byTime.startUs + byTime.durationUs);
  EXPECT_GT(last, byTime.startUs + byTime.durationUs - 10'000'000);
}

/// Replays a stream and checks it the way a consumer would see it.
class StreamChecker {
 public:
  explicit StreamChecker(const SimTopology& topology) : topology_(topology) {}

  void check(const SimEvent& e) {
    ++counts_[static_cast<std::size_t>(e.type)];
    ASSERT_EQ(e.seq, lastSeq_ + 1) << "seq must be consecutive";
    lastSeq_ = e.seq;
    ASSERT_GE(e.tsUs, lastTs_) << "ts must be non-decreasing at seq " << e.seq;
    lastTs_ = e.tsUs;

    if (isAgentEvent(e.type)) {
      checkAgent(e);
      return;
    }
    ASSERT_NE(e.contact, 0U);
    ASSERT_LT(e.queueIndex, topology_.queues.size());
    ASSERT_EQ(e.queue, topology_.queues[e.queueIndex].id);
    ASSERT_EQ(e.channel, topology_.queues[e.queueIndex].channel);
    ContactView& c = contacts_[e.contact];
    const std::string where = std::string(eventTypeName(e.type)) + " seq " + std::to_string(e.seq);
    switch (e.type) {
      case EventType::kContactSelfService:
        ASSERT_EQ(c.phase, Phase::kNew) << where;
        if (e.contained == 0) {
          c.phase = Phase::kSelfServed;
        } else {
          c.phase = Phase::kDone;
        }
        break;
      case EventType::kContactQueued:
        ASSERT_TRUE(c.phase == Phase::kNew || c.phase == Phase::kSelfServed || c.phase == Phase::kRequeue ||
                    c.phase == Phase::kOverflowed)
            << where;
        if (c.phase == Phase::kRequeue) {
          ASSERT_EQ(e.queueIndex, c.requeueTo) << where;
        }
        if (c.phase == Phase::kOverflowed) {
          ASSERT_NE(e.queueIndex, c.queue) << where;
        }
        c.phase = Phase::kWaiting;
        c.queue = e.queueIndex;
        break;
      case EventType::kContactAnswered: {
        ASSERT_EQ(c.phase, Phase::kWaiting) << where;
        ASSERT_EQ(c.queue, e.queueIndex) << "answered in the queue it waited in: " << where;
        ASSERT_LT(e.agentIndex, topology_.agents.size());
        AgentView& a = agents_[e.agentIndex];
        ASSERT_TRUE(a.loggedIn) << where;
        ASSERT_NE(a.state, AgentStateKind::kAux) << where;
        ++a.load;
        ASSERT_LE(a.load, a.capacity) << "agent over capacity: " << where;
        maxLoad_ = std::max(maxLoad_, a.load);
        c.phase = Phase::kTalking;
        c.agent = e.agentIndex;
        ++answered_;
        break;
      }
      case EventType::kContactAbandoned:
      case EventType::kContactDequeued:
        ASSERT_EQ(c.phase, Phase::kWaiting) << where;
        ASSERT_EQ(c.queue, e.queueIndex) << where;
        if (e.type == EventType::kContactDequeued) {
          dequeueReasons_.insert(e.dequeueReason);
        }
        // An overflow moves the contact: its next event is contact.queued in another queue.
        c.phase = e.type == EventType::kContactDequeued && e.dequeueReason == DequeueReason::kOverflow
                      ? Phase::kOverflowed
                      : Phase::kDone;
        break;
      case EventType::kContactHold:
        ASSERT_EQ(c.phase, Phase::kTalking) << where;
        ASSERT_FALSE(c.onHold) << where;
        ASSERT_EQ(c.agent, e.agentIndex) << where;
        c.onHold = true;
        break;
      case EventType::kContactUnhold:
        ASSERT_EQ(c.phase, Phase::kTalking) << where;
        ASSERT_TRUE(c.onHold) << where;
        c.onHold = false;
        break;
      case EventType::kContactTransferred:
        ASSERT_EQ(c.phase, Phase::kTalking) << where;
        ASSERT_EQ(c.agent, e.agentIndex) << where;
        ASSERT_LT(e.toQueueIndex, topology_.queues.size());
        ASSERT_NE(e.toQueueIndex, e.queueIndex) << where;
        ASSERT_EQ(e.toQueue, topology_.queues[e.toQueueIndex].id);
        --agents_[c.agent].load;
        c.phase = Phase::kRequeue;
        c.requeueTo = e.toQueueIndex;
        c.onHold = false;
        break;
      case EventType::kContactEnded:
        ASSERT_EQ(c.phase, Phase::kTalking) << "ended after answered: " << where;
        ASSERT_FALSE(c.onHold) << where;
        ASSERT_EQ(c.agent, e.agentIndex) << where;
        c.phase = Phase::kEnded;
        break;
      case EventType::kContactWrapped:
        ASSERT_EQ(c.phase, Phase::kEnded) << "wrapped after ended: " << where;
        ASSERT_EQ(c.agent, e.agentIndex) << where;
        ASSERT_FALSE(e.disposition.empty()) << where;
        ASSERT_GE(e.resolved, 0) << where;
        --agents_[c.agent].load;
        c.phase = Phase::kWrapped;
        break;
      case EventType::kSurveyResult:
        ASSERT_EQ(c.phase, Phase::kWrapped) << where;
        ASSERT_GE(e.csat, 1);
        ASSERT_LE(e.csat, 5);
        ASSERT_GE(e.nps, 0);
        ASSERT_LE(e.nps, 10);
        c.phase = Phase::kDone;
        break;
      default:
        FAIL() << where;
    }
  }

  [[nodiscard]] std::uint64_t count(EventType type) const { return counts_[static_cast<std::size_t>(type)]; }
  [[nodiscard]] const std::set<DequeueReason>& dequeueReasons() const { return dequeueReasons_; }
  [[nodiscard]] const std::set<AgentStateKind>& states() const { return states_; }
  [[nodiscard]] std::uint32_t maxLoad() const { return maxLoad_; }
  [[nodiscard]] std::uint64_t answered() const { return answered_; }

 private:
  enum class Phase { kNew, kSelfServed, kWaiting, kTalking, kEnded, kWrapped, kRequeue, kOverflowed, kDone };
  struct ContactView {
    Phase phase = Phase::kNew;
    std::uint32_t queue = kNoIndex;
    std::uint32_t agent = kNoIndex;
    std::uint32_t requeueTo = kNoIndex;
    bool onHold = false;
  };
  struct AgentView {
    bool loggedIn = false;
    std::uint32_t load = 0;
    std::uint32_t capacity = 0;
    AgentStateKind state = AgentStateKind::kOffline;
  };

  void checkAgent(const SimEvent& e) {
    ASSERT_LT(e.agentIndex, topology_.agents.size());
    ASSERT_EQ(e.agent, topology_.agents[e.agentIndex].id);
    AgentView& a = agents_[e.agentIndex];
    switch (e.type) {
      case EventType::kAgentLogin:
        ASSERT_FALSE(a.loggedIn) << "double login seq " << e.seq;
        ASSERT_GE(e.loginQueues.size(), 1U);
        ASSERT_LE(e.loginQueues.size(), kMaxAgentQueues);
        ASSERT_GE(e.capacity, 1U);
        if (e.channel == Channel::kChat) {
          ASSERT_TRUE(e.capacity == 2 || e.capacity == 3);
        }
        a.loggedIn = true;
        a.capacity = e.capacity;
        a.state = AgentStateKind::kOffline;
        ASSERT_EQ(a.load, 0U);
        break;
      case EventType::kAgentState:
        ASSERT_TRUE(a.loggedIn) << "state while logged out, seq " << e.seq;
        ASSERT_NE(e.state, a.state) << "repeated state, seq " << e.seq;
        if (e.state == AgentStateKind::kAux) {
          ASSERT_FALSE(e.reason.empty());
          ASSERT_EQ(a.load, 0U) << "aux with contacts in hand, seq " << e.seq;
        }
        if (e.state == AgentStateKind::kAvailable) {
          ASSERT_LT(a.load, a.capacity) << "available without a free slot, seq " << e.seq;
        }
        if (e.state == AgentStateKind::kBusy) {
          ASSERT_GT(a.load, 0U) << "busy with nothing, seq " << e.seq;
        }
        states_.insert(e.state);
        a.state = e.state;
        break;
      case EventType::kAgentLogout:
        ASSERT_TRUE(a.loggedIn) << "logout while logged out, seq " << e.seq;
        ASSERT_EQ(a.load, 0U) << "logout with contacts in hand, seq " << e.seq;
        a.loggedIn = false;
        a.state = AgentStateKind::kOffline;
        break;
      default:
        FAIL();
    }
  }

  const SimTopology& topology_;
  std::array<std::uint64_t, kEventTypeCount> counts_{};
  std::unordered_map<std::uint64_t, ContactView> contacts_;
  std::unordered_map<std::uint32_t, AgentView> agents_;
  std::set<DequeueReason> dequeueReasons_;
  std::set<AgentStateKind> states_;
  std::uint64_t lastSeq_ = 0;
  std::int64_t lastTs_ = 0;
  std::uint32_t maxLoad_ = 0;
  std::uint64_t answered_ = 0;
};

TEST(SimStream, ConsistencyInvariantsHold) {
  for (const std::uint64_t seed : {1ULL, 42ULL}) {
    Simulator sim(settingsFor(seed));
    StreamChecker checker(sim.topology());
    SimEvent event;
    for (int i = 0; i < 60000 && sim.next(event); ++i) {
      checker.check(event);
      if (testing::Test::HasFatalFailure()) {
        return;
      }
    }
    EXPECT_GT(checker.answered(), 1000U);
    EXPECT_GT(checker.maxLoad(), 1U) << "chat agents should handle concurrent chats";
  }
}

TEST(SimStream, EveryTypeStateAndReasonAppears) {
  // A lean roster (few agents per queue) and a few hours of the morning exercise every path.
  SimSettings settings = settingsFor(3, 30.0);
  settings.agentsPerQueue = 40;
  settings.durationUs = 5LL * 3600 * 1'000'000;
  Simulator sim(settings);
  StreamChecker checker(sim.topology());
  SimEvent event;
  while (sim.next(event)) {
    checker.check(event);
    if (testing::Test::HasFatalFailure()) {
      return;
    }
  }
  for (std::size_t t = 0; t < kEventTypeCount; ++t) {
    EXPECT_GT(checker.count(static_cast<EventType>(t)), 0U) << eventTypeName(static_cast<EventType>(t));
  }
  EXPECT_EQ(checker.dequeueReasons().size(), kDequeueReasonCount);
  for (const auto state :
       {AgentStateKind::kAvailable, AgentStateKind::kBusy, AgentStateKind::kAcw, AgentStateKind::kAux}) {
    EXPECT_TRUE(checker.states().contains(state)) << agentStateName(state);
  }
}

TEST(SimStream, GeneratedTopologyScales) {
  SimSettings settings = settingsFor(5, 500.0, Curve::kFlat);
  settings.tenants = 40;
  settings.queuesPerTenant = 10;
  settings.agentsPerQueue = 6;
  Simulator sim(settings);
  EXPECT_EQ(sim.topology().tenants.size(), 40U);
  EXPECT_EQ(sim.topology().queues.size(), 400U);
  EXPECT_EQ(sim.topology().agents.size(), 2400U);
  std::set<std::string> ids;
  for (const auto& queue : sim.topology().queues) {
    EXPECT_TRUE(ids.insert(queue.id).second) << "duplicate queue id " << queue.id;
  }
  StreamChecker checker(sim.topology());
  std::set<std::string_view> queuesSeen;
  SimEvent event;
  for (int i = 0; i < 50000 && sim.next(event); ++i) {
    checker.check(event);
    if (testing::Test::HasFatalFailure()) {
      return;
    }
    if (event.type == EventType::kContactQueued) {
      queuesSeen.insert(event.queue);
    }
  }
  EXPECT_GT(queuesSeen.size(), 300U);
}

TEST(SimJson, LinesAreValidCanonicalEvents) {
  Simulator sim(settingsFor(11));
  simdjson::dom::parser parser;
  const std::set<std::string_view> channels{"voice", "chat", "sms", "email", "social", "video"};
  std::set<std::string> ids;
  SimEvent event;
  std::string line;
  for (int i = 0; i < 40000 && sim.next(event); ++i) {
    line.clear();
    renderJson(event, line);
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(line).get(doc), simdjson::SUCCESS) << line;
    simdjson::dom::object obj;
    ASSERT_EQ(doc.get_object().get(obj), simdjson::SUCCESS) << line;
    std::string_view type;
    std::string_view ts;
    std::string_view id;
    std::string_view source;
    std::uint64_t seq = 0;
    ASSERT_EQ(obj["type"].get_string().get(type), simdjson::SUCCESS) << line;
    ASSERT_EQ(type, eventTypeName(event.type));
    ASSERT_EQ(obj["ts"].get_string().get(ts), simdjson::SUCCESS) << line;
    ASSERT_EQ(ts.size(), 27U) << line;
    ASSERT_EQ(ts[10], 'T');
    ASSERT_EQ(ts[19], '.');
    ASSERT_EQ(ts.back(), 'Z');
    ASSERT_EQ(parseStartUs(ts), event.tsUs) << line;
    ASSERT_EQ(obj["id"].get_string().get(id), simdjson::SUCCESS) << line;
    ASSERT_TRUE(ids.insert(std::string(id)).second) << "duplicate id " << id;
    ASSERT_EQ(obj["source"].get_string().get(source), simdjson::SUCCESS) << line;
    ASSERT_EQ(source, "sim-11");
    ASSERT_EQ(obj["seq"].get_uint64().get(seq), simdjson::SUCCESS) << line;
    ASSERT_EQ(seq, event.seq);
    std::string_view tenant;
    ASSERT_EQ(obj["tenant"].get_string().get(tenant), simdjson::SUCCESS) << line;
    ASSERT_FALSE(tenant.empty());
    std::string_view text;
    ASSERT_EQ(obj["vendor"].get_string().get(text), simdjson::SUCCESS) << line;
    if (isContactEvent(event.type) || event.type == EventType::kSurveyResult) {
      ASSERT_EQ(obj["queue"].get_string().get(text), simdjson::SUCCESS) << line;
      ASSERT_EQ(obj["contact"].get_string().get(text), simdjson::SUCCESS) << line;
      ASSERT_EQ(obj["channel"].get_string().get(text), simdjson::SUCCESS) << line;
      ASSERT_TRUE(channels.contains(text)) << line;
    } else {
      ASSERT_EQ(obj["agent"].get_string().get(text), simdjson::SUCCESS) << line;
    }
    switch (event.type) {
      case EventType::kAgentLogin: {
        simdjson::dom::array queues;
        ASSERT_EQ(obj["queues"].get_array().get(queues), simdjson::SUCCESS) << line;
        ASSERT_GE(queues.size(), 1U);
        ASSERT_LE(queues.size(), kMaxAgentQueues);
        simdjson::dom::object capacity;
        ASSERT_EQ(obj["capacity"].get_object().get(capacity), simdjson::SUCCESS) << line;
        std::uint64_t slots = 0;
        ASSERT_EQ(capacity[channelName(event.channel)].get_uint64().get(slots), simdjson::SUCCESS) << line;
        ASSERT_GE(slots, 1U);
        break;
      }
      case EventType::kAgentState:
        ASSERT_EQ(obj["state"].get_string().get(text), simdjson::SUCCESS) << line;
        break;
      case EventType::kContactWrapped: {
        bool resolved = false;
        ASSERT_EQ(obj["resolved"].get_bool().get(resolved), simdjson::SUCCESS) << line;
        ASSERT_EQ(obj["disposition"].get_string().get(text), simdjson::SUCCESS) << line;
        break;
      }
      case EventType::kContactSelfService: {
        bool contained = false;
        ASSERT_EQ(obj["contained"].get_bool().get(contained), simdjson::SUCCESS) << line;
        break;
      }
      case EventType::kContactTransferred:
        ASSERT_EQ(obj["to_queue"].get_string().get(text), simdjson::SUCCESS) << line;
        break;
      case EventType::kContactDequeued:
        ASSERT_EQ(obj["reason"].get_string().get(text), simdjson::SUCCESS) << line;
        break;
      case EventType::kSurveyResult: {
        std::uint64_t csat = 0;
        std::uint64_t nps = 0;
        ASSERT_EQ(obj["csat"].get_uint64().get(csat), simdjson::SUCCESS) << line;
        ASSERT_EQ(obj["nps"].get_uint64().get(nps), simdjson::SUCCESS) << line;
        ASSERT_TRUE(csat >= 1 && csat <= 5 && nps <= 10) << line;
        break;
      }
      default:
        break;
    }
  }
}

/// Events per simulated second between `fromUs` and the end of the run.
double measuredRate(SimSettings settings, std::int64_t fromUs) {
  Simulator sim(settings);
  SimEvent event;
  std::uint64_t n = 0;
  while (sim.next(event)) {
    n += event.tsUs >= settings.startUs + fromUs ? 1 : 0;
  }
  return static_cast<double>(n) / (static_cast<double>(settings.durationUs - fromUs) / 1e6);
}

TEST(SimRate, FlatCurveMeetsTargetRate) {
  constexpr std::int64_t kMinuteUs = 60'000'000;
  for (const double rate : {20.0, 150.0}) {
    SimSettings settings = settingsFor(9, rate, Curve::kFlat);
    settings.durationUs = 90 * kMinuteUs;
    const double measured = measuredRate(settings, 15 * kMinuteUs);
    EXPECT_NEAR(measured, rate, rate * 0.15) << "--rate " << rate;
  }
}

TEST(SimCli, ParsesOptionsAndRejectsBadOnes) {
  auto parse = [](std::vector<std::string_view> args) { return parseSimArgs(args, 42); };

  const ParseResult defaults = parse({});
  ASSERT_TRUE(defaults.options.has_value());
  EXPECT_EQ(defaults.options->endpoint, "tcp://127.0.0.1:5555");
  EXPECT_FALSE(defaults.options->fast);
  EXPECT_EQ(defaults.options->settings.startUs, 42);
  EXPECT_EQ(defaults.options->settings.rate, 200.0);

  const ParseResult full = parse({"--endpoint=tcp://10.0.0.1:6000",
                                  "--bind",
                                  "--socket",
                                  "pub",
                                  "--topic",
                                  "cc.",
                                  "--seed",
                                  "9",
                                  "--rate",
                                  "1e4",
                                  "--count",
                                  "100",
                                  "--duration",
                                  "10m",
                                  "--start",
                                  "2026-11-23T06:00:00Z",
                                  "--batch",
                                  "32",
                                  "--tenants",
                                  "20",
                                  "--queues-per-tenant",
                                  "8",
                                  "--agents-per-queue",
                                  "5",
                                  "--curve",
                                  "flat",
                                  "--fast"});
  ASSERT_TRUE(full.options.has_value()) << full.error;
  const SimOptions& o = *full.options;
  EXPECT_EQ(o.endpoint, "tcp://10.0.0.1:6000");
  EXPECT_TRUE(o.bind);
  EXPECT_EQ(o.socket, SocketKind::kPub);
  EXPECT_EQ(o.topic, "cc.");
  EXPECT_EQ(o.settings.seed, 9U);
  EXPECT_EQ(o.settings.rate, 1e4);
  EXPECT_EQ(o.settings.maxEvents, 100U);
  EXPECT_EQ(o.settings.durationUs, 600'000'000);
  EXPECT_EQ(o.settings.startUs, kMorningUs);
  EXPECT_EQ(o.batch, 32U);
  EXPECT_EQ(o.settings.tenants, 20U);
  EXPECT_EQ(o.settings.queuesPerTenant, 8U);
  EXPECT_EQ(o.settings.agentsPerQueue, 5U);
  EXPECT_EQ(o.settings.curve, Curve::kFlat);
  EXPECT_TRUE(o.fast);

  const ParseResult toFile = parse({"--out", "-"});
  ASSERT_TRUE(toFile.options.has_value());
  EXPECT_TRUE(toFile.options->fast) << "--out defaults to fast";
  const ParseResult pacedFile = parse({"--out", "x.ndjson", "--paced"});
  ASSERT_TRUE(pacedFile.options.has_value());
  EXPECT_FALSE(pacedFile.options->fast);

  EXPECT_TRUE(parse({"--help"}).help);
  for (const auto& bad : std::vector<std::vector<std::string_view>>{{"--rate", "0"},
                                                                    {"--rate", "fast"},
                                                                    {"--rate"},
                                                                    {"--count", "-1"},
                                                                    {"--duration", "soon"},
                                                                    {"--start", "2026-11-23"},
                                                                    {"--socket", "req"},
                                                                    {"--topic", "x"},
                                                                    {"--batch", "0"},
                                                                    {"--fast", "--paced"},
                                                                    {"--curve", "weekly"},
                                                                    {"--log-level", "loud"},
                                                                    {"--endpoint", "localhost"},
                                                                    {"--nope"},
                                                                    {"stray"}}) {
    const ParseResult r = parse(bad);
    EXPECT_FALSE(r.options.has_value()) << bad.front();
    EXPECT_FALSE(r.error.empty()) << bad.front();
  }
}

TEST(SimPublish, PushDeliversBatchedEventsToPull) {
  zmq::context_t context{1};
  zmq::socket_t pull(context, zmq::socket_type::pull);
  pull.set(zmq::sockopt::linger, 0);
  pull.bind("tcp://127.0.0.1:*");
  const std::string endpoint = pull.get(zmq::sockopt::last_endpoint);

  SimOptions options;
  options.endpoint = endpoint;
  options.fast = true;
  options.batch = 7;  // 1000 is not a multiple: the last frame is partial
  options.settings = settingsFor(4);
  options.settings.maxEvents = 1000;
  std::atomic<bool> stop{false};
  RunStats stats;
  std::thread sender([&] { stats = runSim(options, stop); });

  simdjson::dom::parser parser;
  std::uint64_t expectedSeq = 1;
  std::uint64_t frames = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (expectedSeq <= 1000 && std::chrono::steady_clock::now() < deadline) {
    std::array<zmq::pollitem_t, 1> items{{{pull.handle(), 0, ZMQ_POLLIN, 0}}};
    zmq::poll(items.data(), items.size(), std::chrono::milliseconds(200));
    if ((items[0].revents & ZMQ_POLLIN) == 0) {
      continue;
    }
    zmq::message_t message;
    ASSERT_TRUE(pull.recv(message, zmq::recv_flags::none).has_value());
    ++frames;
    simdjson::dom::array events;
    ASSERT_EQ(parser.parse(message.to_string()).get_array().get(events), simdjson::SUCCESS);
    for (simdjson::dom::element element : events) {
      std::uint64_t seq = 0;
      ASSERT_EQ(element["seq"].get_uint64().get(seq), simdjson::SUCCESS);
      EXPECT_EQ(seq, expectedSeq);
      ++expectedSeq;
    }
  }
  sender.join();
  EXPECT_EQ(expectedSeq, 1001U) << "all events received in order";
  EXPECT_EQ(frames, 143U);  // ceil(1000 / 7)
  EXPECT_EQ(stats.events, 1000U);
  EXPECT_EQ(stats.frames, 143U);
  std::uint64_t perTypeTotal = 0;
  for (const auto n : stats.perType) {
    perTypeTotal += n;
  }
  EXPECT_EQ(perTypeTotal, 1000U);
  EXPECT_NE(formatSummary(stats).find("agent.login="), std::string::npos);
}

}  // namespace
}  // namespace ccpulse::sim
