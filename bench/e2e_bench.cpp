// End-to-end harness (issue #10): the real ccpulsed on loopback, fed over ZeroMQ tcp (PUSH ->
// the daemon's PULL) with pre-generated events, against a plain libzmq PULL receiver that
// discards the same frames. Method, definitions and results: docs/performance.md.
//
//   ccpulse_e2e_bench [--reps N] [--events N] [--quick] [--only throughput|latency|scrape|memory]
//                     [--shards N]
//
// Every trial starts a fresh ccpulsed (so ids, sequences and label sets start clean), sends a
// warm-up (label sets created, buffers grown), then the measured events, and reads the daemon's
// own counters: a trial counts only if events decoded == sent, dropped == 0, rejected == 0 and
// offered/answered/abandoned match the workload. The raw receiver is this same binary started
// with --raw-receiver (a separate process, like the daemon).
#include <sys/resource.h>
#include <unistd.h>
#include <zmq.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "bench_events.hpp"
#include "ccpulse/common/clock.hpp"
#include "support/test_support.hpp"

namespace {

using ccpulse::steadyNowNs;
using ccpulse::bench::makeWorkload;
using ccpulse::bench::Workload;
using ccpulse::bench::WorkloadSettings;
namespace t = ccpulse::test;

constexpr int kHwm = 10'000;  // receive_hwm of the daemon and of the raw receiver, and the sender's sndhwm

double median(std::vector<double> v) {
  if (v.empty()) {
    return NAN;
  }
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) {
    return NAN;
  }
  const auto i = static_cast<std::size_t>(
      std::min<double>(static_cast<double>(sorted.size() - 1), std::ceil(p * static_cast<double>(sorted.size())) - 1));
  return sorted[i];
}

std::string fmt(double v, int decimals = 0) {
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(decimals);
  os << v;
  return os.str();
}

/// Frames to send: single events, or JSON arrays of `batch` events. Owns one buffer.
struct Frames {
  std::string bytes;
  std::vector<std::size_t> offsets;
  std::vector<std::size_t> idOffsets;  ///< send-time digits of the frame's first event
  std::size_t events = 0;
  std::size_t batch = 1;
  [[nodiscard]] std::size_t count() const noexcept { return offsets.size() - 1; }
};

Frames makeFrames(const Workload& w, std::size_t batch) {
  Frames f;
  f.batch = batch;
  f.events = w.size();
  if (batch <= 1) {
    f.bytes = w.bytes;
    f.offsets.assign(w.offsets.begin(), w.offsets.end());
    f.idOffsets.assign(w.idOffsets.begin(), w.idOffsets.end());
    return f;
  }
  f.bytes.reserve(w.bytes.size() + w.size() + 2 * (w.size() / batch + 1));
  for (std::size_t i = 0; i < w.size(); i += batch) {
    f.offsets.push_back(f.bytes.size());
    f.bytes += '[';
    for (std::size_t j = i; j < std::min(w.size(), i + batch); ++j) {
      if (j != i) {
        f.bytes += ',';
      }
      if (j == i) {
        f.idOffsets.push_back(f.bytes.size() + (w.idOffsets[j] - w.offsets[j]));
      }
      f.bytes += w.event(j);
    }
    f.bytes += ']';
  }
  f.offsets.push_back(f.bytes.size());
  return f;
}

/// A PUSH socket connected to the receiver. Blocking sends: libzmq applies back-pressure when
/// the peer's queue is full, so "as fast as possible" never loses frames in ZeroMQ itself.
class Sender final {
 public:
  explicit Sender(int port) : ctx_(zmq_ctx_new()), socket_(zmq_socket(ctx_, ZMQ_PUSH)) {
    int hwm = kHwm;
    zmq_setsockopt(socket_, ZMQ_SNDHWM, &hwm, sizeof hwm);
    int linger = 10'000;
    zmq_setsockopt(socket_, ZMQ_LINGER, &linger, sizeof linger);
    const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(port);
    if (zmq_connect(socket_, endpoint.c_str()) != 0) {
      throw std::runtime_error("zmq_connect failed");
    }
  }
  ~Sender() {
    zmq_close(socket_);
    zmq_ctx_term(ctx_);
  }
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;

  /// Sends every frame; `eventsPerSecond` > 0 paces by event count (sleeping when ahead);
  /// `stampSendTime` writes steady-clock ns into each frame's first id just before sending.
  /// Returns the steady time of the first send.
  std::int64_t send(Frames& frames, double eventsPerSecond, bool stampSendTime) {
    const std::int64_t start = steadyNowNs();
    for (std::size_t i = 0; i < frames.count(); ++i) {
      if (eventsPerSecond > 0) {
        // Paced: send whatever is due, then sleep ~100 us (bursts of rate x 100 us). Spinning
        // until each frame's exact due time would take a whole core from the daemon.
        const auto due =
            start + static_cast<std::int64_t>(static_cast<double>(i * frames.batch) * 1e9 / eventsPerSecond);
        while (steadyNowNs() < due) {
          std::this_thread::sleep_for(std::chrono::microseconds(100));
        }
      }
      char* data = frames.bytes.data() + frames.offsets[i];
      const std::size_t size = frames.offsets[i + 1] - frames.offsets[i];
      if (stampSendTime) {
        char digits[24];
        std::snprintf(digits, sizeof digits, "%019lld", static_cast<long long>(steadyNowNs()));
        std::memcpy(frames.bytes.data() + frames.idOffsets[i], digits, ccpulse::bench::kSendTimeDigits);
      }
      while (zmq_send(socket_, data, size, 0) < 0) {
        if (zmq_errno() != EINTR) {
          throw std::runtime_error(std::string("zmq_send: ") + zmq_strerror(zmq_errno()));
        }
      }
    }
    return start;
  }

 private:
  void* ctx_;
  void* socket_;
};

std::string tempDir() {
  static const std::string dir = [] {
    std::string d =
        (std::filesystem::temp_directory_path() / ("ccpulse-e2e-bench-" + std::to_string(getpid()))).string();
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

/// Sum of every sample of `name` (any labels) in a text exposition; optional label filter
/// (substring of the label block, e.g. `le="0.001"`).
double sumMetric(const std::string& text, const std::string& name, const std::string& labelFilter = "") {
  double sum = 0;
  std::size_t pos = 0;
  while ((pos = text.find(name, pos)) != std::string::npos) {
    const bool lineStart = pos == 0 || text[pos - 1] == '\n';
    const std::size_t after = pos + name.size();
    const std::size_t eol = text.find('\n', pos);
    if (lineStart && after < text.size() && (text[after] == '{' || text[after] == ' ')) {
      const std::string line = text.substr(pos, eol - pos);
      if (labelFilter.empty() || line.find(labelFilter) != std::string::npos) {
        sum += std::strtod(line.c_str() + line.rfind(' ') + 1, nullptr);
      }
    }
    pos = eol == std::string::npos ? text.size() : eol;
  }
  return sum;
}

/// `--shards N`: engine.shards of every daemon the harness starts (default: the config default, 2).
unsigned gShards = 2;

void note(const std::string& line);

struct DaemonOptions {
  unsigned shards = gShards;
};

/// A ccpulsed child process with a config written here; killed on destruction.
class Daemon final {
 public:
  explicit Daemon(const DaemonOptions& options = {}) : httpPort_(t::freeTcpPort()), zmqPort_(t::freeTcpPort()) {
    static int instance = 0;
    const std::string base = tempDir() + "/d" + std::to_string(++instance);
    std::ofstream(base + ".yaml") << "http:\n  listen: 127.0.0.1:" << httpPort_
                                  << "\nsources:\n  - name: bench\n    endpoint: tcp://127.0.0.1:" << zmqPort_
                                  << "\n    receive_hwm: " << kHwm << "\nengine:\n  shards: " << options.shards
                                  << "\nlogging:\n  level: warn\n";
    // CCPULSE_E2E_CCPULSED runs another build (e.g. main's) through the same trials, for A/B runs.
    const char* binary = std::getenv("CCPULSE_E2E_CCPULSED");
    process_ = std::make_unique<t::Process>(binary != nullptr ? binary : CCPULSED_PATH,
                                            std::vector<std::string>{"--config", base + ".yaml"}, base + ".log");
    if (!t::waitReady(httpPort_)) {
      throw std::runtime_error("ccpulsed did not become ready; see " + base + ".log");
    }
  }
  ~Daemon() {
    process_->signal(SIGTERM);
    process_->wait(std::chrono::seconds(10));
  }
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  [[nodiscard]] int zmqPort() const noexcept { return zmqPort_; }
  /// GET /metrics with a 120 s deadline (test_support's httpGet allows 10 s, which a ~100 MB
  /// exposition can exceed when the machine is overloaded; the time is what is measured).
  [[nodiscard]] std::string scrape() const {
    namespace beast = boost::beast;
    namespace http = beast::http;
    boost::asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(120));
    stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"),
                                                  static_cast<unsigned short>(httpPort_)));
    http::request<http::empty_body> req(http::verb::get, "/metrics", 11);
    req.set(http::field::host, "127.0.0.1");
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(1024U * 1024U * 1024U);
    http::read(stream, buffer, parser);
    auto res = parser.release();
    beast::error_code ec;
    stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    if (res.result_int() != 200) {
      throw std::runtime_error("scrape failed: HTTP " + std::to_string(res.result_int()));
    }
    return std::move(res.body());
  }
  /// VmRSS (resident now) or, with `field` "VmHWM:", the peak resident set, in KiB.
  [[nodiscard]] long rssKiB(const std::string& field = "VmRSS:") const {
    std::ifstream in("/proc/" + std::to_string(process_->pid()) + "/status");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind(field, 0) == 0) {
        return std::stol(line.substr(field.size()));
      }
    }
    return -1;
  }
  /// Polls until `events` have been decoded and applied (or progress stops for 3 s); returns
  /// the steady time of the response that showed them all, and that exposition.
  std::pair<std::int64_t, std::string> waitApplied(double events, std::chrono::milliseconds period) const {
    double last = -1;
    std::int64_t lastProgress = steadyNowNs();
    for (;;) {
      std::string text;
      try {
        text = scrape();
      } catch (const std::exception& e) {  // e.g. the daemon's write deadline on a starved VM
        note(std::string("  a completion scrape failed: ") + e.what());
        continue;
      }
      const std::int64_t at = steadyNowNs();
      const double decoded = sumMetric(text, "ccpulse_events_decoded_total");
      const double applied = sumMetric(text, "ccpulse_events_applied_total");
      const double lost =
          sumMetric(text, "ccpulse_events_dropped_total") + sumMetric(text, "ccpulse_events_rejected_total");
      if ((decoded >= events && applied + lost >= events) || (decoded >= events && lost > 0)) {
        return {at, std::move(text)};
      }
      if (applied != last) {
        last = applied;
        lastProgress = at;
      } else if (at - lastProgress > 3'000'000'000LL) {
        return {-1, std::move(text)};
      }
      std::this_thread::sleep_for(period);
    }
  }

 private:
  int httpPort_;
  int zmqPort_;
  std::unique_ptr<t::Process> process_;
};

/// What a ccpulsed trial saw: throughput and whether every event arrived intact.
struct Trial {
  double eventsPerSecond = 0;
  bool lossless = false;
  std::string why;      ///< when not lossless
  std::string text;     ///< the final exposition
  bool keptUp = false;  ///< all applied shortly after the last send (the daemon was not behind)
};

Trial checkCounts(const std::string& text, double totalEvents, const Workload& warm, const Workload& main) {
  Trial r;
  r.text = text;
  const double decoded = sumMetric(text, "ccpulse_events_decoded_total");
  const double dropped = sumMetric(text, "ccpulse_events_dropped_total");
  const double rejected = sumMetric(text, "ccpulse_events_rejected_total");
  const double duplicates = sumMetric(text, "ccpulse_events_duplicate_total");
  const double offered = sumMetric(text, "ccpulse_contacts_offered_total");
  const double answered = sumMetric(text, "ccpulse_contacts_answered_total");
  const double abandoned = sumMetric(text, "ccpulse_contacts_abandoned_total");
  std::ostringstream why;
  if (decoded != totalEvents) {
    why << " decoded " << decoded << " != sent " << totalEvents << ";";
  }
  if (dropped != 0 || rejected != 0 || duplicates != 0) {
    why << " dropped " << dropped << ", rejected " << rejected << ", duplicates " << duplicates << ";";
  }
  const auto expect = [&](const char* what, double got, double want) {
    if (got != want) {
      why << " " << what << " " << got << " != " << want << ";";
    }
  };
  expect("offered", offered, static_cast<double>(warm.offered + main.offered));
  expect("answered", answered, static_cast<double>(warm.answered + main.answered));
  expect("abandoned", abandoned, static_cast<double>(warm.abandoned + main.abandoned));
  r.why = why.str();
  r.lossless = r.why.empty();
  return r;
}

WorkloadSettings workloadSettings(std::uint64_t events, std::uint32_t queues, std::uint32_t channels,
                                  const std::string& source, std::uint64_t firstContact, std::int64_t startUs) {
  WorkloadSettings s;
  s.events = events;
  s.queues = queues;
  s.channels = channels;
  s.source = source;
  s.firstContact = firstContact;
  s.startUs = startUs;
  return s;
}

struct Workloads {
  Workload warm;
  Workload main;
  Frames warmFrames;
  Frames mainFrames;
};

Workloads makeWorkloads(std::uint64_t events, std::uint32_t queues, std::uint32_t channels, std::size_t batch,
                        std::uint64_t warmEvents) {
  // Event times around now (the daemon runs on the wall clock), one microsecond apart.
  const std::int64_t nowUs = ccpulse::SystemClock().nowUs();
  Workloads w;
  w.warm = makeWorkload(workloadSettings(warmEvents, queues, channels, "warm", 1'000'000'000ULL,
                                         nowUs - static_cast<std::int64_t>(warmEvents + events)));
  w.main =
      makeWorkload(workloadSettings(events, queues, channels, "bench", 0, nowUs - static_cast<std::int64_t>(events)));
  w.warmFrames = makeFrames(w.warm, batch);
  w.mainFrames = makeFrames(w.main, batch);
  return w;
}

/// One ccpulsed trial: fresh daemon, warm-up, measured send at `rate` (0 = as fast as possible).
/// With `scrapeEveryMs` >= 0 a second thread scrapes /metrics during the measured send
/// (0 = back to back) and the scrape durations are returned in `scrapeMs`.
Trial daemonTrial(Workloads& w, double rate, const DaemonOptions& options = {}, int scrapeEveryMs = -1,
                  std::vector<double>* scrapeMs = nullptr, bool stamp = false, std::string* before = nullptr) {
  Daemon daemon(options);
  Sender sender(daemon.zmqPort());
  sender.send(w.warmFrames, 0, false);
  const double warmEvents = static_cast<double>(w.warm.size());
  if (daemon.waitApplied(warmEvents, std::chrono::milliseconds(20)).first < 0) {
    throw std::runtime_error("warm-up did not complete");
  }
  if (before != nullptr) {
    *before = daemon.scrape();
  }
  std::atomic<bool> sending{true};
  std::thread scraper;
  if (scrapeEveryMs >= 0) {
    scraper = std::thread([&] {
      while (sending.load()) {
        const std::int64_t t0 = steadyNowNs();
        try {
          (void)daemon.scrape();
        } catch (const std::exception& e) {
          note(std::string("  a scrape failed: ") + e.what());
          continue;
        }
        scrapeMs->push_back(static_cast<double>(steadyNowNs() - t0) / 1e6);
        if (scrapeEveryMs > 0) {
          std::this_thread::sleep_for(std::chrono::milliseconds(scrapeEveryMs));
        }
      }
    });
  }
  const std::int64_t start = sender.send(w.mainFrames, rate, stamp);
  const std::int64_t sent = steadyNowNs();
  const double total = warmEvents + static_cast<double>(w.main.size());
  const std::int64_t end = daemon.waitApplied(total, std::chrono::milliseconds(10)).first;
  sending.store(false);
  if (scraper.joinable()) {
    scraper.join();
  }
  // A fresh exposition for the checks: one render is not a snapshot (families are read one
  // after the other), so the one that showed the last event applied may have read the queue
  // counters a moment earlier.
  Trial r = checkCounts(daemon.scrape(), total, w.warm, w.main);
  if (end < 0) {
    r.lossless = false;
    r.why += " stalled;";
  } else {
    r.eventsPerSecond = static_cast<double>(w.main.size()) / (static_cast<double>(end - start) / 1e9);
    // Kept up: done within 5 % of the sending time (+ 50 ms of polling) after the last send.
    r.keptUp = static_cast<double>(end - sent) <= 0.05 * static_cast<double>(sent - start) + 50e6;
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Raw receiver: `--raw-receiver PORT WARM_FRAMES FRAMES RESULT_FILE [transit]`. Binds a PULL
// socket, receives and discards; after the warm-up frames writes "warm", at the end
// "done <steady ns of the last frame>" and, in transit mode, the send->receive percentiles read
// from the send time stamped into each frame's first id.

int rawReceiver(int port, std::size_t warmFrames, std::size_t frames, const std::string& resultPath, bool transit) {
  void* ctx = zmq_ctx_new();
  void* socket = zmq_socket(ctx, ZMQ_PULL);
  int hwm = kHwm;
  zmq_setsockopt(socket, ZMQ_RCVHWM, &hwm, sizeof hwm);
  const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(port);
  if (zmq_bind(socket, endpoint.c_str()) != 0) {
    return 3;
  }
  std::ofstream out(resultPath);
  out << "ready" << std::endl;
  std::vector<double> transitUs;
  transitUs.reserve(transit ? frames : 0);
  zmq_msg_t msg;
  zmq_msg_init(&msg);
  std::int64_t last = 0;
  for (std::size_t i = 0; i < warmFrames + frames; ++i) {
    if (zmq_msg_recv(&msg, socket, 0) < 0) {
      --i;
      continue;
    }
    last = steadyNowNs();
    if (i + 1 == warmFrames) {
      out << "warm" << std::endl;
    }
    if (transit && i >= warmFrames) {
      const char* data = static_cast<const char*>(zmq_msg_data(&msg));
      const std::string_view frame(data, zmq_msg_size(&msg));
      const std::size_t id = frame.find(R"("id":")");
      if (id != std::string_view::npos) {
        const long long sent = std::strtoll(std::string(frame.substr(id + 6, 19)).c_str(), nullptr, 10);
        transitUs.push_back(static_cast<double>(last - sent) / 1e3);
      }
    }
  }
  zmq_msg_close(&msg);
  std::sort(transitUs.begin(), transitUs.end());
  out << "done " << last;
  if (transit) {
    out << " " << percentile(transitUs, 0.5) << " " << percentile(transitUs, 0.99) << " "
        << percentile(transitUs, 0.999) << " " << (transitUs.empty() ? NAN : transitUs.back());
  }
  out << std::endl;
  zmq_close(socket);
  zmq_ctx_term(ctx);
  return 0;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct RawResult {
  double eventsPerSecond = 0;
  std::vector<double> transitUs;  ///< p50, p99, p99.9, max
};

RawResult rawTrial(const std::string& self, Workloads& w, double rate, bool transit) {
  static int instance = 0;
  const int port = t::freeTcpPort();
  const std::string result = tempDir() + "/raw" + std::to_string(++instance) + ".txt";
  std::vector<std::string> args = {"--raw-receiver", std::to_string(port), std::to_string(w.warmFrames.count()),
                                   std::to_string(w.mainFrames.count()), result};
  if (transit) {
    args.emplace_back("transit");
  }
  t::Process receiver(self, args, result + ".log");
  if (!t::pollUntil([&] { return readFile(result).find("ready") != std::string::npos; }, std::chrono::seconds(10))) {
    throw std::runtime_error("raw receiver did not start");
  }
  Sender sender(port);
  sender.send(w.warmFrames, 0, false);
  if (!t::pollUntil([&] { return readFile(result).find("warm") != std::string::npos; }, std::chrono::seconds(30))) {
    throw std::runtime_error("raw receiver: warm-up not received");
  }
  const std::int64_t start = sender.send(w.mainFrames, rate, transit);
  if (!receiver.wait(std::chrono::seconds(300))) {
    throw std::runtime_error("raw receiver did not finish");
  }
  std::istringstream in(readFile(result).substr(readFile(result).find("done")));
  std::string word;
  long long end = 0;
  in >> word >> end;
  RawResult r;
  r.eventsPerSecond = static_cast<double>(w.main.size()) / (static_cast<double>(end - start) / 1e9);
  double v = 0;
  while (in >> v) {
    r.transitUs.push_back(v);
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Phases

struct Options {
  int reps = 5;
  std::uint64_t singleEvents = 1'000'000;
  std::uint64_t batchEvents = 2'000'000;
  std::string only;
  std::string self;
};

std::string loadNow() {
  std::ifstream in("/proc/loadavg");
  std::string a;
  in >> a;
  return a;
}

void note(const std::string& line) { std::cout << line << std::endl; }

/// Highest offered rate that is lossless: as fast as possible first; if that loses events,
/// bisect the paced rate between a quarter of it and it (5 steps).
Trial zeroLossTrial(Workloads& w, const DaemonOptions& options) {
  Trial blast = daemonTrial(w, 0, options);
  if (blast.lossless) {
    return blast;
  }
  note("    as fast as possible lost events (" + blast.why + "); searching paced rates");
  double lo = 0;
  double hi = std::max(blast.eventsPerSecond, 1.0);
  Trial best;
  double probe = hi * 0.9;
  for (int step = 0; step < 5; ++step) {
    Trial r = daemonTrial(w, probe, options);
    // Lossless and keeping up with the offered rate passes.
    const bool pass = r.lossless && r.keptUp;
    note("    paced " + fmt(probe) + " ev/s: " + (pass ? "ok" : "fail") + " (" + fmt(r.eventsPerSecond) + " ev/s" +
         (r.lossless ? "" : ", " + r.why) + ")");
    if (pass) {
      lo = probe;
      if (r.eventsPerSecond > best.eventsPerSecond) {
        best = r;
      }
    } else {
      hi = probe;
    }
    probe = lo > 0 ? (lo + hi) / 2 : hi / 2;
  }
  return best;
}

void throughputPhase(const Options& o, std::map<std::string, double>& summary) {
  for (const std::size_t batch : {std::size_t{1}, std::size_t{100}}) {
    const std::uint64_t events = batch == 1 ? o.singleEvents : o.batchEvents;
    Workloads w = makeWorkloads(events, 200, 1, batch, 50'000);
    const std::string mode = batch == 1 ? "single" : "batch100";
    note("== throughput, " + mode + ": " + std::to_string(events) + " events in " +
         std::to_string(w.mainFrames.count()) + " frames, 200 queues; load " + loadNow());
    std::vector<double> daemonRates;
    std::vector<double> rawRates;
    for (int rep = 0; rep < o.reps; ++rep) {
      const RawResult raw = rawTrial(o.self, w, 0, false);
      const Trial d = zeroLossTrial(w, {});
      rawRates.push_back(raw.eventsPerSecond);
      daemonRates.push_back(d.lossless ? d.eventsPerSecond : 0);
      note("  rep " + std::to_string(rep + 1) + ": raw " + fmt(raw.eventsPerSecond) + " ev/s, ccpulsed " +
           fmt(d.eventsPerSecond) + " ev/s zero-loss=" + (d.lossless ? "yes" : "NO " + d.why) + ", ratio " +
           fmt(d.eventsPerSecond / raw.eventsPerSecond, 3) + "; load " + loadNow());
    }
    summary[mode + ".raw_eps"] = median(rawRates);
    summary[mode + ".ccpulsed_eps"] = median(daemonRates);
    summary[mode + ".ratio"] = median(daemonRates) / median(rawRates);
    note("  median: raw " + fmt(median(rawRates)) + " ev/s, ccpulsed " + fmt(median(daemonRates)) + " ev/s, ratio " +
         fmt(median(daemonRates) / median(rawRates), 3));
  }
}

/// Percentile from a cumulative histogram (bounds ascending, counts cumulative), linear within a
/// bucket; returns the bucket's upper bound when the target lies in it and it is the last finite.
double histogramPercentile(const std::vector<double>& bounds, const std::vector<double>& cumulative, double p) {
  const double total = cumulative.back();
  const double target = p * total;
  double prevBound = 0;
  double prevCount = 0;
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (cumulative[i] >= target) {
      const double inBucket = cumulative[i] - prevCount;
      const double frac = inBucket > 0 ? (target - prevCount) / inBucket : 1;
      return std::isinf(bounds[i]) ? prevBound : prevBound + frac * (bounds[i] - prevBound);
    }
    prevBound = bounds[i];
    prevCount = cumulative[i];
  }
  return bounds.back();
}

/// The daemon's ccpulse_apply_latency_seconds, summed over shards, as the difference between two
/// expositions: (bounds, cumulative counts).
std::pair<std::vector<double>, std::vector<double>> latencyHistogram(const std::string& before,
                                                                     const std::string& after) {
  std::vector<double> bounds;
  std::vector<double> counts;
  std::size_t pos = 0;
  const std::string name = "ccpulse_apply_latency_seconds_bucket{";
  std::map<double, double> byBound;
  const auto collect = [&](const std::string& text, double sign) {
    pos = 0;
    while ((pos = text.find(name, pos)) != std::string::npos) {
      const std::size_t eol = text.find('\n', pos);
      const std::string line = text.substr(pos, eol - pos);
      const std::size_t le = line.find("le=\"");
      const std::string boundText = line.substr(le + 4, line.find('"', le + 4) - le - 4);
      const double bound = boundText == "+Inf" ? INFINITY : std::strtod(boundText.c_str(), nullptr);
      byBound[bound] += sign * std::strtod(line.c_str() + line.rfind(' ') + 1, nullptr);
      pos = eol;
    }
  };
  collect(after, 1);
  collect(before, -1);
  for (const auto& [b, c] : byBound) {
    bounds.push_back(b);
    counts.push_back(c);
  }
  return {bounds, counts};
}

void latencyPhase(const Options& o, std::map<std::string, double>& summary) {
  const double maxRate = summary.count("single.ccpulsed_eps") != 0 ? summary["single.ccpulsed_eps"] : 0;
  Workloads w = makeWorkloads(o.singleEvents / 2, 200, 1, 1, 50'000);
  double rate = maxRate / 2;
  if (rate <= 0) {
    const Trial d = zeroLossTrial(w, {});
    rate = d.eventsPerSecond / 2;
  }
  note("== latency at " + fmt(rate) + " ev/s (half the zero-loss maximum), single frames; load " + loadNow());
  std::vector<double> a50, a99, a999, amax, t50, t99, t999, within1ms;
  for (int rep = 0; rep < o.reps; ++rep) {
    std::string before;
    const Trial d = daemonTrial(w, rate, {}, -1, nullptr, true, &before);
    const auto [bounds, cumulative] = latencyHistogram(before, d.text);
    const double p50 = histogramPercentile(bounds, cumulative, 0.5) * 1e6;
    const double p99 = histogramPercentile(bounds, cumulative, 0.99) * 1e6;
    const double p999 = histogramPercentile(bounds, cumulative, 0.999) * 1e6;
    double under1ms = 0;
    for (std::size_t i = 0; i < bounds.size(); ++i) {
      if (bounds[i] == 0.001) {
        under1ms = cumulative[i] / cumulative.back();
      }
    }
    const RawResult raw = rawTrial(o.self, w, rate, true);
    a50.push_back(p50);
    a99.push_back(p99);
    a999.push_back(p999);
    within1ms.push_back(under1ms);
    if (raw.transitUs.size() == 4) {
      t50.push_back(raw.transitUs[0]);
      t99.push_back(raw.transitUs[1]);
      t999.push_back(raw.transitUs[2]);
    }
    note("  rep " + std::to_string(rep + 1) + ": receipt->applied p50 " + fmt(p50, 1) + " us, p99 " + fmt(p99, 1) +
         " us, p99.9 " + fmt(p999, 1) + " us, within 1 ms " + fmt(under1ms * 100, 3) + " % (" +
         (d.lossless ? "lossless" : "LOSS " + d.why) + "); transit (raw receiver) p50 " +
         fmt(raw.transitUs.empty() ? NAN : raw.transitUs[0], 1) + " us, p99 " +
         fmt(raw.transitUs.size() > 1 ? raw.transitUs[1] : NAN, 1) + " us, p99.9 " +
         fmt(raw.transitUs.size() > 2 ? raw.transitUs[2] : NAN, 1) + " us; load " + loadNow());
  }
  summary["latency.rate_eps"] = rate;
  summary["latency.apply_p50_us"] = median(a50);
  summary["latency.apply_p99_us"] = median(a99);
  summary["latency.apply_p999_us"] = median(a999);
  summary["latency.apply_within_1ms"] = median(within1ms);
  summary["latency.transit_p50_us"] = median(t50);
  summary["latency.transit_p99_us"] = median(t99);
  summary["latency.transit_p999_us"] = median(t999);
  note("  median: receipt->applied p50/p99/p99.9 " + fmt(median(a50), 1) + " / " + fmt(median(a99), 1) + " / " +
       fmt(median(a999), 1) + " us; transit p50/p99/p99.9 " + fmt(median(t50), 1) + " / " + fmt(median(t99), 1) +
       " / " + fmt(median(t999), 1) + " us; send->visible p99 <= " + fmt(median(a99) + median(t99), 1) +
       " us (sum of p99s, see docs)");
}

void scrapePhase(const Options& o, std::map<std::string, double>& summary) {
  // 5,000 queues x 2 channels = 10,000 (queue, channel) label sets; the warm-up touches each.
  Workloads w = makeWorkloads(o.singleEvents, 5000, 2, 1, 60'000);
  note("== scrape under load: 10,000 label sets, " + std::to_string(w.main.size()) +
       " events as fast as possible; load " + loadNow());
  std::vector<double> quiet, busy, paced, scrapeMedian, scrapeMax, pacedScrapeMedian, loss, pacedLoss;
  for (int rep = 0; rep < o.reps; ++rep) {
    const Trial q = daemonTrial(w, 0);
    std::vector<double> ms;
    const Trial b = daemonTrial(w, 0, {}, 0, &ms);
    std::vector<double> msPaced;
    const Trial p = daemonTrial(w, 0, {}, 1000, &msPaced);
    quiet.push_back(q.eventsPerSecond);
    busy.push_back(b.eventsPerSecond);
    paced.push_back(p.eventsPerSecond);
    scrapeMedian.push_back(median(ms));
    scrapeMax.push_back(ms.empty() ? NAN : *std::max_element(ms.begin(), ms.end()));
    pacedScrapeMedian.push_back(median(msPaced));
    loss.push_back(1 - b.eventsPerSecond / q.eventsPerSecond);
    pacedLoss.push_back(1 - p.eventsPerSecond / q.eventsPerSecond);
    note("  rep " + std::to_string(rep + 1) + ": no scrapes " + fmt(q.eventsPerSecond) + " ev/s" +
         (q.lossless ? "" : " LOSS" + q.why) + "; back-to-back scrapes " + fmt(b.eventsPerSecond) + " ev/s" +
         (b.lossless ? "" : " LOSS" + b.why) + " (" + std::to_string(ms.size()) + " scrapes, median " +
         fmt(median(ms), 1) + " ms, max " + fmt(scrapeMax.back(), 1) + " ms, loss " + fmt(loss.back() * 100, 1) +
         " %); one scrape/s " + fmt(p.eventsPerSecond) + " ev/s (median " + fmt(median(msPaced), 1) + " ms, loss " +
         fmt(pacedLoss.back() * 100, 1) + " %); load " + loadNow());
  }
  summary["scrape.quiet_eps"] = median(quiet);
  summary["scrape.busy_eps"] = median(busy);
  summary["scrape.ms_median"] = median(scrapeMedian);
  summary["scrape.ms_max"] = median(scrapeMax);
  summary["scrape.loss_back_to_back"] = median(loss);
  summary["scrape.loss_1hz"] = median(pacedLoss);
  note("  median: scrape " + fmt(median(scrapeMedian), 1) + " ms (max " + fmt(median(scrapeMax), 1) +
       " ms); throughput loss back-to-back " + fmt(median(loss) * 100, 1) + " %, at one scrape/s " +
       fmt(median(pacedLoss) * 100, 1) + " %");
}

void memoryPhase(const Options& o, std::map<std::string, double>& summary) {
  note("== memory per (queue, channel) label set; load " + loadNow());
  std::vector<double> perSet;
  std::vector<double> peakPerSet;
  for (int rep = 0; rep < o.reps; ++rep) {
    const std::int64_t nowUs = ccpulse::SystemClock().nowUs();
    Workload one = makeWorkload(workloadSettings(20'000, 1, 1, "one", 0, nowUs - 100'000));
    Workload many = makeWorkload(workloadSettings(80'000, 5000, 2, "many", 1'000'000, nowUs - 80'000));
    Frames oneFrames = makeFrames(one, 1);
    Frames manyFrames = makeFrames(many, 1);
    Daemon daemon;
    Sender sender(daemon.zmqPort());
    sender.send(oneFrames, 0, false);
    const std::string oneText =
        daemon.waitApplied(static_cast<double>(one.size()), std::chrono::milliseconds(20)).second;
    const long before = daemon.rssKiB();
    sender.send(manyFrames, 0, false);
    const auto [end, text] =
        daemon.waitApplied(static_cast<double>(one.size() + many.size()), std::chrono::milliseconds(20));
    const long after = daemon.rssKiB();
    // Label sets created by `many`: count the offered-counter series before and after.
    const auto labelSets = [](const std::string& exposition) {
      std::size_t n = 0;
      for (std::size_t p = 0; (p = exposition.find("\nccpulse_contacts_offered_total{", p)) != std::string::npos; ++p) {
        ++n;
      }
      return static_cast<double>(n);
    };
    // Counted on fresh expositions: the one that showed the last event applied may have read
    // the queue families before the last label sets appeared.
    (void)text;
    (void)oneText;
    const double created = labelSets(daemon.scrape()) - 1;
    const double kib = static_cast<double>(after - before) / created;
    perSet.push_back(kib);
    // The peak includes a scrape's whole body (~9.6 KB of text per label set) while it is
    // being written, whether or not the daemon keeps the buffer for the next scrape.
    const long peak = daemon.rssKiB("VmHWM:");
    const double peakKib = static_cast<double>(peak - before) / created;
    peakPerSet.push_back(peakKib);
    note("  rep " + std::to_string(rep + 1) + ": RSS " + std::to_string(before) + " KiB with 1 label set, " +
         std::to_string(after) + " KiB after " + fmt(created) + " more: " + fmt(kib, 2) + " KiB per label set; peak " +
         std::to_string(peak) + " KiB: " + fmt(peakKib, 2) + " KiB per label set (end " + (end > 0 ? "ok" : "stalled") +
         ")");
  }
  summary["memory.kib_per_label_set"] = median(perSet);
  summary["memory.peak_kib_per_label_set"] = median(peakPerSet);
  note("  median: " + fmt(median(perSet), 2) + " KiB per label set resident after the scrapes, " +
       fmt(median(peakPerSet), 2) + " KiB at the peak");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "--raw-receiver") {
    if (args.size() < 5) {
      return 2;
    }
    return rawReceiver(std::stoi(args[1]), std::stoul(args[2]), std::stoul(args[3]), args[4],
                       args.size() > 5 && args[5] == "transit");
  }
  Options o;
  o.self = std::filesystem::canonical("/proc/self/exe").string();
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) {
        throw std::runtime_error(args[i] + " needs a value");
      }
      return args[++i];
    };
    if (args[i] == "--reps") {
      o.reps = std::stoi(value());
    } else if (args[i] == "--events") {
      o.singleEvents = std::stoull(value());
      o.batchEvents = 2 * o.singleEvents;
    } else if (args[i] == "--quick") {
      o.reps = 1;
      o.singleEvents = 100'000;
      o.batchEvents = 200'000;
    } else if (args[i] == "--only") {
      o.only = value();
    } else if (args[i] == "--shards") {
      gShards = static_cast<unsigned>(std::stoul(value()));
    } else {
      std::cerr << "usage: ccpulse_e2e_bench [--reps N] [--events N] [--quick] "
                   "[--only throughput|latency|scrape|memory] [--shards N]\n";
      return 2;
    }
  }
  try {
    note("ccpulse_e2e_bench: nproc " + std::to_string(std::thread::hardware_concurrency()) + ", load " + loadNow() +
         ", reps " + std::to_string(o.reps) + ", engine.shards " + std::to_string(gShards));
    std::map<std::string, double> summary;
    if (o.only.empty() || o.only == "throughput") {
      throughputPhase(o, summary);
    }
    if (o.only.empty() || o.only == "latency") {
      latencyPhase(o, summary);
    }
    if (o.only.empty() || o.only == "scrape") {
      scrapePhase(o, summary);
    }
    if (o.only.empty() || o.only == "memory") {
      memoryPhase(o, summary);
    }
    note("== summary (medians)");
    for (const auto& [k, v] : summary) {
      note("  " + k + " = " + fmt(v, 3));
    }
    std::filesystem::remove_all(tempDir());
  } catch (const std::exception& e) {
    std::cerr << "ccpulse_e2e_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
