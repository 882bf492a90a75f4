#pragma once
/// One configured ZeroMQ source: a socket (pull or sub, bound or connected), its own ingest
/// thread that receives frames, decodes them and submits events to the engine. The socket is
/// opened by the constructor on the caller's thread (so bind errors fail startup), then used
/// only by the ingest thread. Stats are written by the ingest thread and read by any thread.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "ccpulse/common/rate_limited_log.hpp"
#include "ccpulse/config/config.hpp"
#include "ccpulse/decode/frame_decoder.hpp"
#include "ccpulse/durability/source_journal.hpp"
#include "ccpulse/engine/engine.hpp"
#include "ccpulse/engine/published.hpp"
#include "ccpulse/ingest/sequence_tracker.hpp"
#include "ccpulse/ingest/source.hpp"
#include "ccpulse/ingest/source_stats.hpp"

namespace ccpulse {

class ZmqSource final : public Source, private DecodeSink {
 public:
  /// Opens and binds/connects the socket; throws zmq::error_t / std::runtime_error on failure.
  ZmqSource(const SourceSettings& settings, std::size_t index, zmq::context_t& context, Engine& engine);
  ~ZmqSource() override;

  void start() override;
  void stop() override;

  [[nodiscard]] const SourceSettings& settings() const noexcept override { return settings_; }
  /// Any thread: the counters as of the end of the last receive batch and, with a journal, of
  /// the last journal commit (SourceStats::copyTo says why).
  [[nodiscard]] const SourceStats& stats() const noexcept override { return shown_; }
  [[nodiscard]] bool ready() const noexcept { return stats_.ready.load(std::memory_order_acquire); }
  /// Any thread: per-publisher sequence counters (the tracker itself is the ingest thread's).
  [[nodiscard]] const SequenceTracker& sequences() const noexcept override { return sequences_; }
  /// Before start(): journal every admitted event there (write-ahead, see source_journal.hpp).
  /// The journal outlives the ingest thread.
  [[nodiscard]] bool attachJournal(SourceJournal* journal) override;
  /// Before start() only (restore): the ingest thread's own state.
  [[nodiscard]] SourceStats& mutableStats() noexcept override { return stats_; }
  [[nodiscard]] SequenceTracker& sequences() noexcept override { return sequences_; }
  /// The endpoint actually bound (resolves tcp://*:0 to the chosen port); for tests.
  [[nodiscard]] std::string boundEndpoint() const override { return boundEndpoint_; }

 private:
  void run(const std::stop_token& stop);
  void receiveAvailable();
  /// Every queued socket-monitor event (connects, CURVE handshake failures).
  void drainMonitor();
  void onEvent(const Event& event) override;
  void onReject(RejectReason reason, std::string_view detail) override;
  void noteDecoderEvictions();
  /// Journals the batch's counters, then submits the events journaled since the last commit.
  void commitPending();
  void onIgnored(std::string_view what) override;
  void onStateEvicted(std::string_view what) override;

  SourceSettings settings_;
  std::size_t index_;
  Engine& engine_;
  zmq::socket_t socket_;
  zmq::socket_t monitor_;
  std::string boundEndpoint_;
  std::unique_ptr<FrameDecoder> decoder_;
  SequenceTracker sequences_;
  zmq::message_t message_;
  std::int64_t frameReceivedNs_ = 0;
  SourceStats stats_;  ///< live, counted as frames are decoded (ingest thread)
  SourceStats shown_;  ///< what stats() shows: stats_ copied by commitPending()
  RateLimitedLog gapLog_;
  RateLimitedLog rejectLog_;
  RateLimitedLog evictionLog_;
  RateLimitedLog handshakeLog_;
  SourceJournal* journal_ = nullptr;
  std::vector<Event> pending_;  ///< journaled, not yet submitted (preallocated by attachJournal)
  std::size_t pendingCount_ = 0;
  std::uint64_t pendingFirstOrdinal_ = 0;
  std::jthread thread_;
};

}  // namespace ccpulse
