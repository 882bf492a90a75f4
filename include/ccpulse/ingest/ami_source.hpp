#pragma once
/// An Asterisk Manager Interface client source (format `asterisk_ami`, endpoint
/// `tcp://host:port`): connects, logs in (Action: Login with `username`/`secret`, `Events: agent`
/// so Asterisk only sends the agent/queue event class), asks for a QueueStatus to rebuild waiting
/// callers and members, then decodes every message with AsteriskAmiDecoder. On any failure or
/// disconnect it reconnects with exponential backoff (`reconnect_min` doubling up to
/// `reconnect_max`, reset by a successful login), counted in connects / disconnects /
/// connectFailures and logged rate-limited.
///
/// Threading: constructed on the caller's thread; after start() the socket, decoder and timers
/// are owned by the source's own thread running its io_context. Stats are written by that thread
/// and read by any thread (SourceStats).

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "ccpulse/common/rate_limited_log.hpp"
#include "ccpulse/config/config.hpp"
#include "ccpulse/decode/frame_decoder.hpp"
#include "ccpulse/ingest/file_source.hpp"
#include "ccpulse/ingest/source.hpp"
#include "ccpulse/ingest/source_stats.hpp"

namespace ccpulse {

class AmiSource final : public Source, private DecodeSink {
 public:
  /// Throws std::invalid_argument when the endpoint is not tcp://host:port.
  AmiSource(const SourceSettings& settings, std::size_t index, EventSubmit submit);
  ~AmiSource() override;

  void start() override;
  void stop() override;
  [[nodiscard]] const SourceSettings& settings() const noexcept override { return settings_; }
  [[nodiscard]] const SourceStats& stats() const noexcept override { return stats_; }
  [[nodiscard]] const SequenceTracker& sequences() const noexcept override { return sequences_; }
  [[nodiscard]] SequenceTracker& sequences() noexcept override { return sequences_; }
  [[nodiscard]] SourceStats& mutableStats() noexcept override { return stats_; }

 private:
  enum class Phase : std::uint8_t { kIdle, kBanner, kLogin, kRunning };

  void connect();
  void readBanner();
  void readMessage();
  void handleMessage(std::string_view message);
  void send(std::string text);
  void fail(const std::string& why, bool countFailure);
  void scheduleReconnect();
  void onEvent(const Event& event) override;
  void onReject(RejectReason reason, std::string_view detail) override;
  void onIgnored(std::string_view what) override;
  void onStateEvicted(std::string_view what) override;

  SourceSettings settings_;
  std::size_t index_;
  std::string host_;
  std::string port_;
  EventSubmit submit_;
  std::unique_ptr<FrameDecoder> decoder_;
  SourceStats stats_;
  SequenceTracker sequences_;  ///< stays empty: this input carries no sequence numbers
  boost::asio::io_context io_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer retry_;
  boost::asio::streambuf input_;
  std::string output_;
  Phase phase_ = Phase::kIdle;
  std::chrono::microseconds backoff_;
  std::int64_t messageReceivedNs_ = 0;
  RateLimitedLog connectLog_;
  RateLimitedLog rejectLog_;
  std::jthread thread_;
};

}  // namespace ccpulse
