// Output side of ccpulse-sim: the ZeroMQ publisher and the run loop (pacing, batching, NDJSON).

#include <array>
#include <chrono>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include <spdlog/spdlog.h>
#include <zmq.hpp>

#include "ccpulse/common/clock.hpp"
#include "ccpulse/sim/simulator.hpp"

namespace ccpulse::sim {

struct ZmqPublisher::Impl {
  zmq::context_t context{1};
  zmq::socket_t socket;
  std::string topic;
  bool pub = false;
};

ZmqPublisher::ZmqPublisher(const SimOptions& options) : impl_(std::make_unique<Impl>()) {
  impl_->pub = options.socket == SocketKind::kPub;
  impl_->topic = options.topic;
  impl_->socket = zmq::socket_t(impl_->context, impl_->pub ? zmq::socket_type::pub : zmq::socket_type::push);
  // A deep send queue absorbs receiver hiccups at load-test rates; linger flushes it on exit;
  // the send timeout lets a blocked send notice a stop request.
  impl_->socket.set(zmq::sockopt::sndhwm, 100000);
  impl_->socket.set(zmq::sockopt::linger, options.lingerMs);
  impl_->socket.set(zmq::sockopt::sndtimeo, 100);
  if (!options.curveServerKey.empty()) {
    std::array<char, 41> publicKey{};
    if (zmq_curve_public(publicKey.data(), options.curveSecretKey.c_str()) != 0) {
      throw zmq::error_t();
    }
    impl_->socket.set(zmq::sockopt::curve_serverkey, options.curveServerKey);
    impl_->socket.set(zmq::sockopt::curve_publickey, std::string(publicKey.data()));
    impl_->socket.set(zmq::sockopt::curve_secretkey, options.curveSecretKey);
  }
  if (options.bind) {
    impl_->socket.bind(options.endpoint);
  } else {
    impl_->socket.connect(options.endpoint);
  }
}

ZmqPublisher::~ZmqPublisher() = default;

bool ZmqPublisher::send(std::string_view payload, const std::atomic<bool>& stop) {
  if (impl_->pub && !impl_->topic.empty()) {
    // PUB never blocks (it drops at the high-water mark), so the two parts go out together.
    (void)impl_->socket.send(zmq::buffer(impl_->topic), zmq::send_flags::sndmore);
    (void)impl_->socket.send(zmq::buffer(payload), zmq::send_flags::none);
    return true;
  }
  while (!impl_->socket.send(zmq::buffer(payload), zmq::send_flags::none)) {
    if (stop.load(std::memory_order_relaxed)) {
      return false;
    }
  }
  return true;
}

namespace {

/// Frames (or NDJSON chunks) being assembled, with the per-type counts they contain so that the
/// summary counts only what actually left the process.
struct Pending {
  std::string buffer;
  std::array<std::uint64_t, kEventTypeCount> perType{};
  std::uint64_t events = 0;

  void clear() {
    buffer.clear();
    perType.fill(0);
    events = 0;
  }
  void commitTo(RunStats& stats) const {
    for (std::size_t t = 0; t < kEventTypeCount; ++t) {
      stats.perType[t] += perType[t];
    }
    stats.events += events;
  }
};

struct FileCloser {
  void operator()(std::FILE* file) const noexcept {
    if (file != nullptr && file != stdout) {
      (void)std::fclose(file);
    }
  }
};

}  // namespace

RunStats runSim(const SimOptions& options, const std::atomic<bool>& stop) {
  RunStats stats;
  Simulator simulator(options.settings);
  const SimTopology& topology = simulator.topology();
  spdlog::info("ccpulse-sim: source={} seed={} rate={}/s tenants={} queues={} agents={} {}", simulator.source(),
               options.settings.seed, options.settings.rate, topology.tenants.size(), topology.queues.size(),
               topology.agents.size(),
               options.outPath.empty()
                   ? fmt::format("{} {} {}{}", options.socket == SocketKind::kPub ? "pub" : "push",
                                 options.bind ? "bind" : "connect", options.endpoint, options.fast ? " fast" : " paced")
                   : fmt::format("out={}{}", options.outPath, options.fast ? " fast" : " paced"));

  std::unique_ptr<std::FILE, FileCloser> file;
  std::unique_ptr<ZmqPublisher> publisher;
  if (!options.outPath.empty()) {
    file.reset(options.outPath == "-" ? stdout : std::fopen(options.outPath.c_str(), "wb"));
    if (!file) {
      throw std::runtime_error(fmt::format("cannot open {} for writing", options.outPath));
    }
  } else {
    publisher = std::make_unique<ZmqPublisher>(options);
  }

  constexpr std::size_t kFileChunk = 1 << 16;
  const bool toFile = static_cast<bool>(file);
  const std::uint32_t batch = toFile ? 1 : options.batch;
  Pending pending;
  pending.buffer.reserve(toFile ? kFileChunk * 2 : 1024 * batch);
  bool ok = true;

  // Hands the assembled frame/chunk to the output; false if it had to be dropped on stop.
  auto flush = [&]() -> bool {
    if (pending.events == 0) {
      return true;
    }
    if (toFile) {
      if (std::fwrite(pending.buffer.data(), 1, pending.buffer.size(), file.get()) != pending.buffer.size()) {
        throw std::runtime_error(fmt::format("write to {} failed", options.outPath));
      }
    } else {
      if (batch > 1) {
        pending.buffer += ']';
      }
      if (!publisher->send(pending.buffer, stop)) {
        stats.dropped += pending.events;
        pending.clear();
        return false;
      }
    }
    ++stats.frames;
    pending.commitTo(stats);
    pending.clear();
    return true;
  };

  const std::int64_t wallStartNs = steadyNowNs();
  const std::int64_t simStartUs = options.settings.startUs;
  std::int64_t lastTsUs = simStartUs;
  SimEvent event;
  while (ok && !stop.load(std::memory_order_relaxed) && simulator.next(event)) {
    if (!options.fast) {
      const std::int64_t dueNs = wallStartNs + (event.tsUs - simStartUs) * 1000;
      if (dueNs > steadyNowNs()) {
        // Nothing is held back while waiting: a partial batch goes out now.
        if (!flush()) {
          break;
        }
        std::int64_t remainingNs = 0;
        while (!stop.load(std::memory_order_relaxed) && (remainingNs = dueNs - steadyNowNs()) > 0) {
          std::this_thread::sleep_for(std::chrono::nanoseconds(std::min<std::int64_t>(remainingNs, 100'000'000)));
        }
        if (stop.load(std::memory_order_relaxed)) {
          break;
        }
      }
    }
    lastTsUs = event.tsUs;
    if (toFile) {
      renderJson(event, pending.buffer);
      pending.buffer += '\n';
    } else {
      pending.buffer += pending.events == 0 ? (batch > 1 ? "[" : "") : ",";
      renderJson(event, pending.buffer);
    }
    ++pending.perType[static_cast<std::size_t>(event.type)];
    ++pending.events;
    if (toFile ? pending.buffer.size() >= kFileChunk : pending.events >= batch) {
      ok = flush();
    }
  }
  (void)flush();  // what is in flight goes out even after a stop request
  if (toFile && std::fflush(file.get()) != 0) {
    throw std::runtime_error(fmt::format("write to {} failed", options.outPath));
  }
  stats.wallSeconds = static_cast<double>(steadyNowNs() - wallStartNs) / 1e9;
  stats.simulatedUs = lastTsUs - simStartUs;
  return stats;
}

}  // namespace ccpulse::sim
