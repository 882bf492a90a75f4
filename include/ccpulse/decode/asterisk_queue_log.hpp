#pragma once
/// Decoder for Asterisk app_queue `queue_log` lines (`epoch|callid|queue|agent|EVENT|data1|...`),
/// format `asterisk_queue_log`. Maps each line onto 0..n canonical events and keeps the per-source
/// state the log does not repeat: which calls wait or talk (and since when), which queues each
/// agent is a member of, whether it is paused, how many calls it holds. The mapping table is
/// docs/adapters/asterisk.md.
///
/// One instance per source, owned by that source's ingest thread; not thread-safe. Never throws on
/// input. The state tables are fixed-capacity (AdapterSettings::maxCalls / maxAgents) and allocated
/// once, so steady-state decoding allocates nothing; when a table is full the oldest entry is
/// evicted (an O(capacity) scan, only on that degraded path) and reported via onStateEvicted.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "ccpulse/config/config.hpp"
#include "ccpulse/decode/frame_decoder.hpp"

namespace ccpulse {

class AsteriskQueueLogDecoder final : public FrameDecoder {
 public:
  explicit AsteriskQueueLogDecoder(const SourceSettings& settings);
  ~AsteriskQueueLogDecoder() override;

  /// One queue_log line (a trailing "\n" or "\r\n" is ignored).
  std::size_t decode(std::string_view frame, DecodeSink& sink) override;
  /// The tracker's tables (calls waiting or connected, agents), for checkpoints.
  void saveState(std::string& out) override;
  bool restoreState(std::string_view state) override;

  /// Calls and agents currently remembered (for tests).
  [[nodiscard]] std::size_t trackedCalls() const noexcept;
  [[nodiscard]] std::size_t trackedAgents() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccpulse
