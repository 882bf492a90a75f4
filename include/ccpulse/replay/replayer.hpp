#pragma once
/// The pipeline without threads: decode frames, route, apply to the shards directly, publish.
/// Used by `ccpulsectl replay` and by tests that want the real decoder and engine with no
/// sockets. The clock is event time: "now" is the newest event time seen (or set explicitly).
/// Owned by one thread; not thread-safe.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "ccpulse/common/clock.hpp"
#include "ccpulse/config/config.hpp"
#include "ccpulse/decode/frame_decoder.hpp"
#include "ccpulse/engine/engine.hpp"
#include "ccpulse/export/metrics_exporter.hpp"
#include "ccpulse/ingest/zmq_source.hpp"

namespace ccpulse {

class Replayer final : private DecodeSink {
 public:
  /// Uses the config's engine and service-level settings with the clock forced to event time;
  /// sources are ignored (replay has one input, reported as source `replay`).
  /// `format` overrides the first source's format (`ccpulsectl replay --format`); the first
  /// source's other settings (e.g. an adapter's tenant) still apply.
  explicit Replayer(const Config& config, std::optional<SourceFormat> format = std::nullopt);
  ~Replayer() override;
  Replayer(const Replayer&) = delete;
  Replayer& operator=(const Replayer&) = delete;

  /// Decodes one frame (a line of the recording in the source's format) and applies its events.
  void feed(std::string_view frame);
  /// Recomputes every gauge as of `nowUs` (default: the newest event time seen).
  void publish();
  void publish(std::int64_t nowUs);

  [[nodiscard]] std::string renderMetrics() const;
  [[nodiscard]] const Engine& engine() const noexcept { return *engine_; }
  /// The replay thread owns the shards, so it may also save or restore their state.
  [[nodiscard]] Engine& mutableEngine() noexcept { return *engine_; }
  /// Hands every period closed so far to `sink` (oldest first) and forgets it. Call often
  /// enough that the shards' closed-period rings (16384 each) do not fill up.
  template <typename Sink>
  void drainClosedPeriods(Sink&& sink) {
    ccpulse::drainClosedPeriods(*engine_, std::forward<Sink>(sink));
  }
  /// Likewise for the closed staffed agent-time intervals (their own rings, 16384 each).
  template <typename Sink>
  void drainClosedAgentIntervals(Sink&& sink) {
    ccpulse::drainClosedAgentIntervals(*engine_, std::forward<Sink>(sink));
  }
  [[nodiscard]] const SourceStats& stats() const noexcept { return stats_; }
  [[nodiscard]] std::int64_t newestEventUs() const noexcept { return newestEventUs_; }

 private:
  void onEvent(const Event& event) override;
  void onReject(RejectReason reason, std::string_view detail) override;
  void onIgnored(std::string_view what) override;
  void onStateEvicted(std::string_view what) override;

  ManualClock clock_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<FrameDecoder> decoder_;
  SequenceTracker sequences_;
  SourceStats stats_;
  ProcessStats process_;
  std::unique_ptr<MetricsExporter> exporter_;
  std::int64_t newestEventUs_ = 0;
};

}  // namespace ccpulse
