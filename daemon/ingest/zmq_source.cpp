#include "ccpulse/ingest/zmq_source.hpp"

#include <spdlog/spdlog.h>
#include <zmq.h>

#include <array>
#include <cstring>

#include "ccpulse/common/clock.hpp"
#include "ccpulse/common/rate_limited_log.hpp"
#include "ccpulse/config/loader.hpp"

namespace ccpulse {
namespace {

/// How long one poll waits, bounding how quickly stop() is noticed.
constexpr std::chrono::milliseconds kPollTimeout{100};
/// Frames received per poll wake-up before polling again (keeps the monitor socket serviced).
constexpr int kMaxFramesPerWake = 4096;

}  // namespace

ZmqSource::ZmqSource(const SourceSettings& settings, std::size_t index, zmq::context_t& context, Engine& engine)
    : settings_(settings),
      index_(index),
      engine_(engine),
      socket_(context, settings.socket == SocketKind::kPull ? zmq::socket_type::pull : zmq::socket_type::sub),
      decoder_(makeFrameDecoder(settings)) {
  socket_.set(zmq::sockopt::rcvhwm, settings_.receiveHighWaterMark);
  socket_.set(zmq::sockopt::linger, 0);
  // A hard cap well above max_frame_bytes protects memory from a hostile peer (libzmq drops the
  // connection past it); frames between the two limits are received and counted as oversize.
  socket_.set(zmq::sockopt::maxmsgsize, static_cast<std::int64_t>(settings_.maxFrameBytes) * 2 + 4096);
  if (settings_.socket == SocketKind::kSub) {
    if (settings_.subscribe.empty()) {
      socket_.set(zmq::sockopt::subscribe, "");
    }
    for (const auto& prefix : settings_.subscribe) {
      socket_.set(zmq::sockopt::subscribe, prefix);
    }
  }
  if (settings_.curve) {
    // CURVE server: the handshake is authenticated by the ZAP handler (ingest/zap_handler.hpp),
    // which App binds before any source exists; the ZAP domain names the source there. A
    // plaintext (NULL mechanism) peer cannot complete the handshake with a CURVE server.
    socket_.set(zmq::sockopt::curve_server, true);
    socket_.set(zmq::sockopt::curve_secretkey, settings_.curve->secretKey);
    socket_.set(zmq::sockopt::zap_domain, settings_.name);
  }
  // Connecting sources watch their connection; CURVE sources also the handshakes libzmq fails
  // on its own before asking ZAP (a plaintext peer: mechanism mismatch), which nothing else
  // would count. Drained by the ingest thread's poll loop (libzmq's send to it blocks).
  int monitorEvents = settings_.bind ? 0 : (ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED);
  if (settings_.curve) {
    monitorEvents |= ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL;
  }
  if (monitorEvents != 0) {
    const std::string monitorEndpoint = "inproc://ccpulse-monitor-" + std::to_string(index_);
    if (zmq_socket_monitor(socket_.handle(), monitorEndpoint.c_str(), monitorEvents) != 0) {
      throw zmq::error_t();
    }
    monitor_ = zmq::socket_t(context, zmq::socket_type::pair);
    monitor_.connect(monitorEndpoint);
  }
  if (settings_.bind) {
    socket_.bind(settings_.endpoint);
    boundEndpoint_ = socket_.get(zmq::sockopt::last_endpoint);
    stats_.ready.store(true, std::memory_order_release);
  } else {
    socket_.connect(settings_.endpoint);
    boundEndpoint_ = settings_.endpoint;
  }
}

ZmqSource::~ZmqSource() {
  stop();
  // libzmq sends monitor events from its I/O thread with a blocking send on a PAIR socket: if the
  // monitor's reading end closed first, the next event (a disconnect while the source closes)
  // would block that I/O thread, and with it every other socket of the context. Detach the
  // monitor before either socket closes.
  if (monitor_) {
    zmq_socket_monitor(socket_.handle(), nullptr, 0);
  }
}

void ZmqSource::start() {
  stats_.copyTo(shown_);  // what the constructor and a restore set, before the thread runs
  if (!thread_.joinable()) {
    thread_ = std::jthread([this](const std::stop_token& stop) { run(stop); });
  }
}

void ZmqSource::stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
}

void ZmqSource::run(const std::stop_token& stop) {
  RateLimitedLog errorLog;
  std::array<zmq::pollitem_t, 2> items{};
  items[0] = {socket_.handle(), 0, ZMQ_POLLIN, 0};
  const int itemCount = monitor_ ? 2 : 1;
  if (monitor_) {
    items[1] = {monitor_.handle(), 0, ZMQ_POLLIN, 0};
  }
  spdlog::info("source {}: receiving on {} ({} {}, format {}{})", settings_.name, boundEndpoint_,
               settings_.socket == SocketKind::kPull ? "pull" : "sub", settings_.bind ? "bind" : "connect",
               sourceFormatName(settings_.format), settings_.curve ? ", CURVE" : "");
  while (!stop.stop_requested()) {
    try {
      if (journal_ != nullptr) {
        journal_->service();
      }
      zmq::poll(items.data(), static_cast<std::size_t>(itemCount), kPollTimeout);
      if ((items[0].revents & ZMQ_POLLIN) != 0) {
        receiveAvailable();
      }
      commitPending();
      if (itemCount > 1 && (items[1].revents & ZMQ_POLLIN) != 0) {
        drainMonitor();
      }
    } catch (const std::exception& e) {
      std::uint64_t suppressed = 0;
      if (errorLog.shouldLog(suppressed)) {
        spdlog::error("source {}: receive loop error: {} ({} more since last report)", settings_.name, e.what(),
                      suppressed);
      }
    }
  }
}

void ZmqSource::drainMonitor() {
  // Everything queued: libzmq's I/O thread blocks on a full monitor pipe.
  for (;;) {
    zmq::message_t header;
    zmq::message_t address;
    if (!monitor_.recv(header, zmq::recv_flags::dontwait)) {
      return;
    }
    if (!monitor_.recv(address, zmq::recv_flags::dontwait)) {
      return;
    }
    std::uint16_t event = 0;
    std::uint32_t value = 0;
    if (header.size() >= sizeof(event) + sizeof(value)) {
      std::memcpy(&event, header.data(), sizeof(event));
      std::memcpy(&value, static_cast<const char*>(header.data()) + sizeof(event), sizeof(value));
    }
    if (event == ZMQ_EVENT_CONNECTED) {
      stats_.connects.add(1);
      stats_.ready.store(true, std::memory_order_release);
      spdlog::info("source {}: connected to {}", settings_.name, address.to_string_view());
    } else if (event == ZMQ_EVENT_DISCONNECTED) {
      stats_.disconnects.add(1);
      stats_.ready.store(false, std::memory_order_release);
      spdlog::warn("source {}: disconnected from {}; libzmq reconnects automatically", settings_.name,
                   address.to_string_view());
    } else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL || event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) {
      HandshakeFailure reason = HandshakeFailure::kNoDetail;
      if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) {
        reason = value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH ? HandshakeFailure::kMechanismMismatch
                                                                     : HandshakeFailure::kProtocol;
      }
      stats_.handshakeFailed[static_cast<std::size_t>(reason)].add(1);
      std::uint64_t suppressed = 0;
      if (handshakeLog_.shouldLog(suppressed)) {
        spdlog::warn(
            "source {}: refused a peer at {} before authentication ({}; a plaintext publisher on a CURVE source "
            "is a mechanism_mismatch); counted in ccpulse_source_handshake_failed_total ({} more since last "
            "report)",
            settings_.name, address.to_string_view(), toString(reason), suppressed);
      }
    }
  }
}

void ZmqSource::receiveAvailable() {
  for (int i = 0; i < kMaxFramesPerWake; ++i) {
    // A multipart message may carry a topic first; the payload is the last part.
    if (!socket_.recv(message_, zmq::recv_flags::dontwait)) {
      return;
    }
    while (message_.more()) {
      if (!socket_.recv(message_, zmq::recv_flags::none)) {
        return;
      }
    }
    frameReceivedNs_ = steadyNowNs();
    stats_.lastReceiveUs.set(
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
    stats_.bytes.add(message_.size());
    decoder_->decode(message_.to_string_view(), *this);
    // Counted after decoding, so a reader that sees N frames also sees every event, reject and
    // sequence outcome of those N frames (the counters are relaxed atomics written by this one
    // thread; /api/v1/sources polls them).
    stats_.frames.add(1);
    noteDecoderEvictions();
  }
}

void ZmqSource::noteDecoderEvictions() {
  const std::uint64_t evictions = decoder_->stateEvictions();
  if (evictions == stats_.decoderEvictions.get()) {
    return;
  }
  stats_.decoderEvictions.set(evictions);
  std::uint64_t suppressed = 0;
  if (evictionLog_.shouldLog(suppressed)) {
    spdlog::warn(
        "source {}: adapter state table full, oldest entry evicted ({} in total); a redelivery of it may be "
        "counted again; see ccpulse_decoder_state_evicted_total ({} more since last report)",
        settings_.name, evictions, suppressed);
  }
}

void ZmqSource::onEvent(const Event& decoded) {
  stats_.received.add(1);
  std::uint64_t missing = 0;
  const std::uint64_t restartsBefore = stats_.sequenceRestarts.get();
  if (!admitBySequence(decoded, sequences_, stats_, missing)) {
    return;
  }
  if (missing > 0) {
    std::uint64_t suppressed = 0;
    if (gapLog_.shouldLog(suppressed)) {
      spdlog::warn("source {}: publisher '{}' skipped {} events before seq {} ({} more gaps since last report)",
                   settings_.name, decoded.publisher.view(), missing, decoded.seq, suppressed);
    }
  } else if (stats_.sequenceRestarts.get() != restartsBefore) {
    spdlog::info("source {}: publisher '{}' restarted its sequence", settings_.name, decoded.publisher.view());
  }
  stats_.lastEventSeconds.set(static_cast<double>(decoded.tsUs) / 1e6);
  stats_.lastEventUs.set(decoded.tsUs);
  if (journal_ != nullptr) {
    // The decoder's event is const and reused; the journaled, pending copy carries the ingest
    // metadata. Event is trivially copyable, so this is a memcpy, not an allocation.
    Event event = decoded;
    event.sourceIndex = static_cast<std::uint16_t>(index_);
    event.receivedNs = frameReceivedNs_;
    // Write-ahead: the event reaches the kernel (commitPending) before any shard applies it.
    const std::uint64_t ordinal = journal_->logEvent(event);
    if (pendingCount_ == 0) {
      pendingFirstOrdinal_ = ordinal;
    }
    pending_[pendingCount_++] = event;
    if (pendingCount_ == pending_.size()) {
      commitPending();
    }
    return;
  }
  // No journal: the decoder's event is copied once, straight into each ring slot it routes to,
  // where the ingest metadata (source index, receipt time) is set (issue #10).
  if (engine_.submit(index_, decoded, frameReceivedNs_)) {
    stats_.submitted.add(1);
  }
}

bool ZmqSource::attachJournal(SourceJournal* journal) {
  journal_ = journal;
  pending_.assign(journal != nullptr ? 256 : 0, Event{});
  pendingCount_ = 0;
  return journal != nullptr;
}

void ZmqSource::commitPending() {
  if (journal_ == nullptr) {
    stats_.copyTo(shown_);
    return;
  }
  journal_->commit();
  for (std::size_t i = 0; i < pendingCount_; ++i) {
    if (engine_.submit(index_, pending_[i])) {
      stats_.submitted.add(1);
    } else {
      journal_->logDropped(pendingFirstOrdinal_ + i);
    }
  }
  pendingCount_ = 0;
  // Everything counted so far is in the kernel now (commit above): it may be shown.
  stats_.copyTo(shown_);
}

void ZmqSource::onReject(RejectReason reason, std::string_view detail) {
  stats_.rejected[static_cast<std::size_t>(reason)].add(1);
  std::uint64_t suppressed = 0;
  if (rejectLog_.shouldLog(suppressed)) {
    spdlog::warn(
        "source {}: rejected input (reason={}, field='{}'); counted in ccpulse_events_rejected_total "
        "({} more since last report)",
        settings_.name, toString(reason), detail, suppressed);
  }
}

}  // namespace ccpulse

namespace ccpulse {

void ZmqSource::onIgnored(std::string_view /*what*/) { stats_.ignored.add(1); }

void ZmqSource::onStateEvicted(std::string_view what) { countStateEvicted(stats_, rejectLog_, settings_.name, what); }

}  // namespace ccpulse
