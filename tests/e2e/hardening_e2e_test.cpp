// End-to-end tests for issue #9 (hardening) against the real ccpulsed on loopback:
//  - /api/v1/sources: exact per-source and per-publisher sequence numbers from scripted frames;
//  - CURVE: an allowed publisher delivers, an unknown key is refused and counted, a plaintext
//    peer gets nothing through;
//  - overload: ccpulse-sim pushes pre-generated traffic as fast as it can into a deliberately
//    small daemon; memory stays under the documented cap and every event is accounted for.
#include <gtest/gtest.h>
#include <signal.h>
#include <zmq.h>

#include <simdjson.h>
#include <fstream>
#include <sstream>
#include <zmq.hpp>

#include "../support/test_support.hpp"

namespace ccpulse::test {
namespace {

// ASan (shadow memory, quarantine) and TSan (shadow, history) multiply the footprint by design;
// the RSS cap is checked in the ordinary build only. The accounting identity holds everywhere.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

std::string queued(int second, int contactNo, const std::string& seqPart) {
  char ts[32];
  std::snprintf(ts, sizeof ts, "2026-11-23T10:00:%02dZ", second);
  return R"({"type":"contact.queued","ts":")" + std::string(ts) + R"(","tenant":"acme","queue":"sales","contact":"c)" +
         std::to_string(contactNo) + "\"" + seqPart + "}";
}

std::string withSeq(const std::string& publisher, std::uint64_t seq) {
  return R"(,"source":")" + publisher + R"(","seq":)" + std::to_string(seq);
}

/// The daemon's VmHWM (peak resident set), in KiB, from /proc/<pid>/status.
long peakRssKib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      return std::stol(line.substr(6));
    }
  }
  return -1;
}

struct Daemon {
  explicit Daemon(const std::string& configBody) {
    httpPort = freeTcpPort();
    configPath =
        writeTempFile("ccpulse.yaml", "http:\n  listen: 127.0.0.1:" + std::to_string(httpPort) + "\n" + configBody);
    logPath = configPath + ".log";
    process = std::make_unique<Process>(CCPULSED_PATH, std::vector<std::string>{"--config", configPath}, logPath);
  }
  ~Daemon() {
    if (process->running()) {
      process->signal(SIGTERM);
      EXPECT_EQ(process->wait(std::chrono::seconds(20)), 0) << readFile(logPath);
    }
  }
  std::optional<double> metric(const std::string& name, const std::map<std::string, std::string>& labels = {}) const {
    const auto r = httpGet(httpPort, "/metrics");
    return r && r->status == 200 ? findSample(parsePrometheusText(r->body), name, labels) : std::nullopt;
  }
  double metricSum(const std::string& name) const {
    const auto r = httpGet(httpPort, "/metrics");
    double sum = 0;
    if (r && r->status == 200) {
      for (const auto& s : parsePrometheusText(r->body)) {
        if (s.name == name) {
          sum += s.value;
        }
      }
    }
    return sum;
  }
  int httpPort = 0;
  std::string configPath;
  std::string logPath;
  std::unique_ptr<Process> process;
};

std::uint64_t u64(simdjson::dom::element e, std::string_view pointer) {
  auto v = e.at_pointer(pointer).get_uint64();
  EXPECT_FALSE(v.error()) << pointer;
  return v.error() ? ~0ULL : v.value();
}

std::string str(simdjson::dom::element e, std::string_view pointer) {
  auto v = e.at_pointer(pointer).get_string();
  EXPECT_FALSE(v.error()) << pointer;
  return v.error() ? std::string("<missing>") : std::string(v.value());
}

TEST(SourcesApi, ExactSequenceGapsDuplicatesRestartsAndRejects) {
  const int zmqPort = freeTcpPort();
  Daemon d("sources:\n  - name: acd\n    endpoint: tcp://127.0.0.1:" + std::to_string(zmqPort) +
           "\n    socket: pull\n    bind: true\nengine:\n  shards: 2\n  clock: event\n");
  ASSERT_TRUE(waitReady(d.httpPort)) << readFile(d.logPath);

  std::vector<std::string> frames;
  int contact = 0;
  // Publisher pbx-a: 1 2 3 | 6 (4,5 missing: gap 2) | 6 4 (duplicates) | 7 | 10 (8,9 missing:
  // gap 2) | 1 (restart) 2 | 2 (duplicate). Accepted: 1 2 3 6 7 10 1 2 = 8 events; gaps 2+2 = 4;
  // duplicates 3; restarts 1; last seq 2. 11 frames.
  for (const std::uint64_t seq : {1, 2, 3, 6, 6, 4, 7, 10, 1, 2, 2}) {
    frames.push_back(queued(10, ++contact, withSeq("pbx-a", seq)));
  }
  // Publisher pbx-b: 100 101 | 105 (102..104 missing: gap 3). 3 events, last seq 105. 3 frames.
  for (const std::uint64_t seq : {100, 101, 105}) {
    frames.push_back(queued(20, ++contact, withSeq("pbx-b", seq)));
  }
  // Two rejects (not_json, unknown_type), then one event without seq, the last one sent (ts :59).
  frames.emplace_back("{\"type\":");
  frames.emplace_back(R"({"type":"contact.teleported","ts":"2026-11-23T10:00:30Z"})");
  frames.push_back(queued(59, ++contact, ""));
  pushFrames(zmqPort, frames);

  // Decoded events: 11 + 3 + 1 = 15; frames 17; submitted = 15 - 3 duplicates = 12.
  std::string body;
  ASSERT_TRUE(pollUntil(
      [&] {
        const auto r = httpGet(d.httpPort, "/api/v1/sources");
        body = r ? r->body : "";
        // Both: with a journal, events reach "submitted" at the group commit after their frame.
        return r && r->status == 200 && body.find("\"frames\":17,") != std::string::npos &&
               body.find("\"submitted\":12,") != std::string::npos;
      },
      std::chrono::seconds(10)))
      << body << readFile(d.logPath);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(body).get(doc), simdjson::SUCCESS) << body;
  auto source = doc.at_pointer("/sources/0");
  ASSERT_FALSE(source.error()) << body;
  const simdjson::dom::element s = source.value();
  EXPECT_EQ(str(s, "/name"), "acd");
  EXPECT_EQ(str(s, "/endpoint"), "tcp://127.0.0.1:" + std::to_string(zmqPort));
  EXPECT_EQ(str(s, "/format"), "json");
  EXPECT_EQ(str(s, "/state"), "bound");
  EXPECT_EQ(str(s, "/last_event_time"), "2026-11-23T10:00:59.000000Z");
  EXPECT_NE(str(s, "/last_receive_time"), "<missing>");
  EXPECT_EQ(u64(s, "/frames"), 17U);
  EXPECT_EQ(u64(s, "/events"), 15U);
  EXPECT_EQ(u64(s, "/submitted"), 12U);
  EXPECT_EQ(u64(s, "/dropped"), 0U);
  EXPECT_EQ(u64(s, "/rejected/total"), 2U);
  EXPECT_EQ(u64(s, "/rejected/not_json"), 1U);
  EXPECT_EQ(u64(s, "/rejected/unknown_type"), 1U);
  EXPECT_EQ(u64(s, "/rejected/bad_value"), 0U);
  EXPECT_EQ(u64(s, "/sequence/gaps"), 7U);  // 4 (pbx-a) + 3 (pbx-b)
  EXPECT_EQ(u64(s, "/sequence/duplicates"), 3U);
  EXPECT_EQ(u64(s, "/sequence/restarts"), 1U);
  EXPECT_EQ(str(s, "/publishers/0/name"), "pbx-a");
  EXPECT_EQ(u64(s, "/publishers/0/last_seq"), 2U);
  EXPECT_EQ(u64(s, "/publishers/0/events"), 8U);
  EXPECT_EQ(u64(s, "/publishers/0/gaps"), 4U);
  EXPECT_EQ(u64(s, "/publishers/0/duplicates"), 3U);
  EXPECT_EQ(u64(s, "/publishers/0/restarts"), 1U);
  EXPECT_EQ(str(s, "/publishers/1/name"), "pbx-b");
  EXPECT_EQ(u64(s, "/publishers/1/last_seq"), 105U);
  EXPECT_EQ(u64(s, "/publishers/1/events"), 3U);
  EXPECT_EQ(u64(s, "/publishers/1/gaps"), 3U);
  EXPECT_EQ(u64(s, "/publishers/1/duplicates"), 0U);
  EXPECT_EQ(u64(s, "/publishers/1/restarts"), 0U);
  EXPECT_TRUE(s.at_pointer("/publishers/2").error()) << "only two publishers sent seq";
  EXPECT_FALSE(s.at_pointer("/rate/events_per_second_10s").get_double().error());
  EXPECT_FALSE(s.at_pointer("/rate/events_per_second_1m").get_double().error());
  // The same numbers on /metrics.
  EXPECT_EQ(d.metric("ccpulse_sequence_gaps_total", {{"source", "acd"}}), 7.0);
  EXPECT_EQ(d.metric("ccpulse_sequence_repeats_total", {{"source", "acd"}}), 3.0);
  EXPECT_EQ(d.metric("ccpulse_sequence_restarts_total", {{"source", "acd"}}), 1.0);
}

struct KeyPair {
  std::string publicKey;
  std::string secretKey;
};

KeyPair makeKeyPair() {
  char pub[41] = {};
  char sec[41] = {};
  EXPECT_EQ(zmq_curve_keypair(pub, sec), 0) << "libzmq built without CURVE";
  return {pub, sec};
}

/// A PUSH socket that reports its handshake outcome through a monitor.
class Pusher final {
 public:
  Pusher(zmq::context_t& ctx, int port, const std::optional<KeyPair>& client, const std::string& serverPublic,
         const std::string& name)
      : socket_(ctx, zmq::socket_type::push) {
    socket_.set(zmq::sockopt::linger, 0);
    if (client) {
      socket_.set(zmq::sockopt::curve_serverkey, serverPublic);
      socket_.set(zmq::sockopt::curve_publickey, client->publicKey);
      socket_.set(zmq::sockopt::curve_secretkey, client->secretKey);
    }
    const std::string endpoint = "inproc://monitor-" + name;
    EXPECT_EQ(zmq_socket_monitor(socket_.handle(), endpoint.c_str(),
                                 ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                                     ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                                     ZMQ_EVENT_DISCONNECTED),
              0);
    monitor_ = zmq::socket_t(ctx, zmq::socket_type::pair);
    monitor_.connect(endpoint);
    socket_.connect("tcp://127.0.0.1:" + std::to_string(port));
  }
  /// Waits for the next handshake event; returns it (0 on timeout).
  int nextHandshakeEvent(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      monitor_.set(zmq::sockopt::rcvtimeo, 100);
      zmq::message_t header;
      zmq::message_t address;
      if (!monitor_.recv(header) || !monitor_.recv(address)) {
        continue;
      }
      std::uint16_t event = 0;
      std::memcpy(&event, header.data(), sizeof event);
      if (event != ZMQ_EVENT_DISCONNECTED) {
        return event;
      }
    }
    return 0;
  }
  Pusher(const Pusher&) = delete;
  Pusher& operator=(const Pusher&) = delete;
  /// Stops the monitor first: libzmq emits monitor events from the context's I/O thread with a
  /// blocking send, so an event after the reading end closed would hang every socket of `ctx`.
  ~Pusher() { zmq_socket_monitor(socket_.handle(), nullptr, 0); }
  bool send(const std::string& frame) {
    return socket_.send(zmq::buffer(frame), zmq::send_flags::dontwait).has_value();
  }
  std::string drain() {
    std::string out;
    monitor_.set(zmq::sockopt::rcvtimeo, 0);
    zmq::message_t header;
    zmq::message_t address;
    while (monitor_.recv(header) && monitor_.recv(address)) {
      std::uint16_t event = 0;
      std::memcpy(&event, header.data(), sizeof event);
      out += std::to_string(event) + " ";
    }
    return out;
  }

 private:
  zmq::socket_t socket_;
  zmq::socket_t monitor_;
};

TEST(CurveSource, AllowedKeyDeliversUnknownKeyAndPlaintextAreRefused) {
  const KeyPair server = makeKeyPair();
  const KeyPair allowed = makeKeyPair();
  const KeyPair stranger = makeKeyPair();
  // The simulator's keys come from `ccpulsectl curve-keypair` ("public: K" / "secret: K").
  const auto [ctlStatus, ctlOut] = runCommand(CCPULSECTL_PATH, {"curve-keypair"});
  ASSERT_EQ(ctlStatus, 0) << ctlOut;
  ASSERT_EQ(ctlOut.size(), 8 + 40 + 1 + 8 + 40 + 1) << ctlOut;
  const KeyPair sim{ctlOut.substr(8, 40), ctlOut.substr(57, 40)};
  ASSERT_EQ(ctlOut.substr(49, 8), "secret: ") << ctlOut;
  const std::string serverSecretFile =
      writeTempFile("server.key", "# ccpulsed CURVE secret key\n" + server.secretKey + "\n");
  const int zmqPort = freeTcpPort();
  Daemon d("sources:\n  - name: secure\n    endpoint: tcp://127.0.0.1:" + std::to_string(zmqPort) +
           "\n    curve:\n      secret_key: " + serverSecretFile + "\n      allowed_clients: [\"" + allowed.publicKey +
           "\", \"" + sim.publicKey + "\"]\nengine:\n  clock: event\n");
  ASSERT_TRUE(waitReady(d.httpPort)) << readFile(d.logPath);
  zmq::context_t ctx;
  const auto events = [&] { return d.metric("ccpulse_events_decoded_total", {{"source", "secure"}}); };

  // The allowed publisher's handshake succeeds and its 3 events arrive.
  Pusher good(ctx, zmqPort, allowed, server.publicKey, "good");
  ASSERT_EQ(good.nextHandshakeEvent(std::chrono::seconds(10)), ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
  for (int i = 1; i <= 3; ++i) {
    good.send(queued(i, i, ""));
  }
  ASSERT_TRUE(pollUntil([&] { return events() == 3.0; }, std::chrono::seconds(10))) << readFile(d.logPath);

  // A key the daemon does not list: the ZAP handler refuses it (the client sees an auth failure)
  // and counts it.
  {
    Pusher bad(ctx, zmqPort, stranger, server.publicKey, "bad");
    bad.send(queued(4, 4, ""));
    EXPECT_EQ(bad.nextHandshakeEvent(std::chrono::seconds(10)), ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
    ASSERT_TRUE(pollUntil(
        [&] {
          return d.metric("ccpulse_source_curve_rejected_total", {{"source", "secure"}}) >= 1.0;
        },
        std::chrono::seconds(10)));
  }
  // A plaintext (NULL mechanism) peer cannot complete the handshake with a CURVE server. libzmq
  // refuses it before ZAP is asked, so the ZAP counter stays; the source's socket monitor counts
  // it as a mechanism mismatch (and logs it).
  const auto zapRejected = d.metric("ccpulse_source_curve_rejected_total", {{"source", "secure"}});
  const auto handshakeFailed = [&](const char* reason) {
    return d.metric("ccpulse_source_handshake_failed_total", {{"source", "secure"}, {"reason", reason}}).value_or(0);
  };
  // The server usually reads the peer's NULL greeting (mechanism_mismatch), but when the client
  // sees the CURVE greeting and hangs up first, libzmq reports the closed handshake as no_detail
  // (seen once in 20 CI runs): either counts the refusal. That nothing gets through is checked
  // below by the event count.
  const double refusedBefore = handshakeFailed("mechanism_mismatch") + handshakeFailed("no_detail");
  EXPECT_EQ(handshakeFailed("mechanism_mismatch"), 0.0);
  {
    Pusher plain(ctx, zmqPort, std::nullopt, "", "plain");
    plain.send(queued(5, 5, ""));
    const int outcome = plain.nextHandshakeEvent(std::chrono::seconds(10));
    EXPECT_TRUE(outcome == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL || outcome == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)
        << "event " << outcome << "\n"
        << readFile(d.logPath);
    ASSERT_TRUE(pollUntil(
        [&] { return handshakeFailed("mechanism_mismatch") + handshakeFailed("no_detail") >= refusedBefore + 1; },
        std::chrono::seconds(10)))
        << readFile(d.logPath);
  }
  EXPECT_EQ(d.metric("ccpulse_source_curve_rejected_total", {{"source", "secure"}}), zapRejected);
  EXPECT_EQ(d.metric("ccpulse_source_handshake_failed_total", {{"source", "secure"}, {"reason", "protocol"}}), 0.0);
  EXPECT_NE(readFile(d.logPath).find("refused a peer at tcp://127.0.0.1:" + std::to_string(zmqPort) +
                                     " before authentication"),
            std::string::npos);
  // The allowed publisher still delivers, and nothing else got through: 3 + 1 = 4 events.
  const bool sent6 = good.send(queued(6, 6, ""));
  ASSERT_TRUE(sent6);
  ASSERT_TRUE(pollUntil([&] { return events() == 4.0; }, std::chrono::seconds(10)))
      << "monitor events " << good.drain() << ", decoded events " << events().value_or(-1) << "\n"
      << readFile(d.logPath);
  EXPECT_EQ(events(), 4.0);
  // ccpulse-sim publishes with CURVE too (its secret key from a file): 50 more events.
  const std::string simSecret = writeTempFile("sim.key", sim.secretKey + "\n");
  const auto [simStatus, simOut] =
      runCommand(CCPULSE_SIM_PATH,
                 {"--endpoint", "tcp://127.0.0.1:" + std::to_string(zmqPort), "--fast", "--count", "50", "--start",
                  "2026-11-23T09:00:00Z", "--curve-server-key", server.publicKey, "--curve-secret-key", simSecret,
                  // The sim exits right after queueing; a long linger lets a slow CURVE handshake (a
                  // sanitizer build on a busy machine took over the default 2 s) finish first.
                  "--linger", "30000"});
  ASSERT_EQ(simStatus, 0) << simOut;
  ASSERT_TRUE(pollUntil([&] { return events() == 54.0; }, std::chrono::seconds(10)))
      << "decoded events " << events().value_or(-1) << "\n"
      << simOut << readFile(d.logPath);
  const auto api = httpGet(d.httpPort, "/api/v1/sources");
  ASSERT_TRUE(api);
  EXPECT_NE(api->body.find("\"curve\":true"), std::string::npos) << api->body;
}

// Overload: 1 shard, 64-slot ring, no back-pressure wait. ccpulse-sim pushes pre-generated
// traffic (100 events per frame) as fast as it can; the shard cannot keep up, so the ring
// overflows and the documented policy applies: the event is dropped and counted. Checks: every
// sent event is either applied, dropped or rejected (exactly), and the peak RSS stays under the
// cap documented in docs/overload.md.
TEST(Overload, TwiceTheSustainableRateStaysBoundedAndEveryEventIsCounted) {
  const int zmqPort = freeTcpPort();
  constexpr int kReceiveHwm = 64;          // frames queued in ZeroMQ
  constexpr int kMaxFrameBytes = 1 << 16;  // 100 sim events are ~30 KiB
  Daemon d("sources:\n  - name: flood\n    endpoint: tcp://127.0.0.1:" + std::to_string(zmqPort) +
           "\n    receive_hwm: " + std::to_string(kReceiveHwm) +
           "\n    max_frame_bytes: " + std::to_string(kMaxFrameBytes) +
           "\nengine:\n  shards: 1\n  ring_capacity: 64\n  backpressure_timeout: 0s\n  clock: event\n"
           "  max_contacts_in_flight: 20000\n  max_agents_per_shard: 5000\n  dedup_window: 8192\n"
           "  max_series_per_shard: 2000\n  max_series_per_tenant: 2000\n"
           "staffing:\n  enabled: false\n");
  ASSERT_TRUE(waitReady(d.httpPort)) << readFile(d.logPath);
  const long idleKib = peakRssKib(d.process->pid());
  ASSERT_GT(idleKib, 0);

  // Phase 1 measures the sustainable rate: as fast as possible, the applied rate is what this
  // configuration sustains on this machine. Phase 2 offers twice that, paced by ccpulse-sim.
  const auto runSim = [&](long count, const std::vector<std::string>& pacing, const std::string& start) {
    std::vector<std::string> args = {"--endpoint", "tcp://127.0.0.1:" + std::to_string(zmqPort),
                                     "--curve",    "flat",
                                     "--batch",    "100",
                                     "--count",    std::to_string(count),
                                     "--start",    start,
                                     "--seed",     "9",
                                     "--linger",   "60000",
                                     "--source",   "sim-" + start.substr(11, 2)};
    args.insert(args.end(), pacing.begin(), pacing.end());
    const std::string simLog = d.configPath + ".sim" + start.substr(11, 2) + ".log";
    const auto t0 = std::chrono::steady_clock::now();
    Process sim(CCPULSE_SIM_PATH, args, simLog);
    EXPECT_EQ(sim.wait(std::chrono::minutes(5)), 0) << readFile(simLog);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  constexpr long kPhase1 = 200'000;
  const double phase1Seconds = runSim(kPhase1, {"--fast", "--rate", "2000"}, "2026-11-23T08:00:00Z");
  ASSERT_TRUE(pollUntil(
      [&] {
        return d.metric("ccpulse_events_received_total", {{"source", "flood"}}) == kPhase1;
      },
      std::chrono::seconds(60)));
  const double sustainable = d.metricSum("ccpulse_events_applied_total") / phase1Seconds;
  // Phase 2: about 2x the sustainable rate, paced. ccpulse-sim's --rate counts arrivals (contacts),
  // and each contact yields a little over 2 events on average with this mix (measured: 48,900
  // events took 1.76 s at --rate 12,225), so --rate = sustainable gives about 2x in events; the
  // offered rate actually achieved is measured and checked below.
  const long rate2 = std::max(500L, static_cast<long>(sustainable));
  const long phase2 = rate2 * 8;
  const double phase2Seconds = runSim(phase2, {"--paced", "--rate", std::to_string(rate2)}, "2026-11-23T12:00:00Z");
  const long kEvents = kPhase1 + phase2;
  const double offered2 = static_cast<double>(phase2) / phase2Seconds;
  // Everything sent has been received once the daemon has seen kEvents events (decoded + rejected).
  ASSERT_TRUE(pollUntil(
      [&] {
        return d.metric("ccpulse_events_received_total", {{"source", "flood"}}) == kEvents;
      },
      std::chrono::seconds(60)))
      << readFile(d.logPath);
  // ... and applied once the ring is empty and applied + dropped + rejected covers them.
  double applied = 0;
  double dropped = 0;
  double rejected = 0;
  double repeats = 0;
  ASSERT_TRUE(pollUntil(
      [&] {
        applied = d.metricSum("ccpulse_events_applied_total");
        dropped = d.metric("ccpulse_events_dropped_total", {{"source", "flood"}}).value_or(-1);
        rejected = d.metricSum("ccpulse_events_rejected_total");
        repeats = d.metric("ccpulse_sequence_repeats_total", {{"source", "flood"}}).value_or(-1);
        return applied + dropped + rejected + repeats >= kEvents;
      },
      std::chrono::seconds(60)));
  const long peakKib = peakRssKib(d.process->pid());
  // The cap (docs/overload.md): the idle footprint (code, libraries, pre-sized tables) plus what
  // overload can add: the ZeroMQ queue (receive_hwm frames of at most max_frame_bytes, counted
  // twice for libzmq's decoder buffer and the received message), the decoder's buffers (~10x
  // the largest frame), and 32 MiB for allocator arenas, the tables filling up and TCP buffers.
  const long capKib = idleKib + 2L * kReceiveHwm * kMaxFrameBytes / 1024 + 10L * kMaxFrameBytes / 1024 + 32 * 1024;
  std::cout << "overload: phase 1 (fast): " << kPhase1 << " events in " << phase1Seconds << " s, sustainable ~"
            << sustainable << " ev/s applied; phase 2 (paced): " << phase2 << " events in " << phase2Seconds
            << " s = " << offered2 << " ev/s offered (" << offered2 / sustainable << "x sustainable); total applied "
            << applied << ", dropped " << dropped << ", rejected " << rejected << ", repeats " << repeats
            << "; VmHWM idle " << idleKib << " KiB, peak " << peakKib << " KiB, cap " << capKib << " KiB\n";
  EXPECT_GT(dropped, 0) << "the daemon kept up: no overload happened";
  // The sender is paced at about 2x; on a loaded 2-core machine it has reached 1.5x to 2.8x of the
  // phase-1 rate (printed above). What makes this an overload is that the daemon could not keep
  // up, and drops > 0 above proves that; the achieved pace depends on how the two processes share
  // the cores, so only "faster than phase 1 applied" is asserted (CI once saw 1.23x).
  EXPECT_GT(offered2, sustainable) << "phase 2 did not offer more than the sustainable rate";
  EXPECT_EQ(kEvents - applied, dropped + rejected + repeats) << "every event not applied is counted exactly once";
  EXPECT_EQ(rejected, 0);
  EXPECT_EQ(repeats, 0);
  if (!kSanitized) {
    EXPECT_LE(peakKib, capKib);
  }
}

}  // namespace
}  // namespace ccpulse::test
