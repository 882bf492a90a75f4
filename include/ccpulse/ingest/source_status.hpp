#pragma once
/// The per-source status served at /api/v1/sources: identity, connection state, last event and
/// receive times, event rates, counters, rejects by reason, per-publisher sequence counters and
/// drops. Rates are computed from counter samples that the control thread's housekeeping timer
/// takes (sample()), never on the ingest hot path.
///
/// Thread-safety: owned by the control thread (sample() and renderJson() must be called there);
/// the counters it reads are single-writer atomics owned by the ingest threads and the engine.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "ccpulse/config/config.hpp"
#include "ccpulse/engine/engine.hpp"
#include "ccpulse/ingest/sequence_tracker.hpp"
#include "ccpulse/ingest/source_stats.hpp"

namespace ccpulse {

class SourceStatus final {
 public:
  struct Source {
    const SourceSettings* settings = nullptr;
    std::string endpoint;  ///< as bound (tcp://*:0 resolved) or as connected
    const SourceStats* stats = nullptr;
    const SequenceTracker* sequences = nullptr;
    const PubU64* curveRejected = nullptr;  ///< CURVE sources: the ZAP handler's refusals
  };

  /// Samples are kept one per second for this long; the longest rate window is one minute.
  static constexpr std::size_t kSamples = 61;
  static constexpr std::int64_t kSampleIntervalUs = 1'000'000;

  SourceStatus(std::vector<Source> sources, const Engine& engine);

  /// Control thread, from the housekeeping timer: records each source's decoded-event counter
  /// when at least a second has passed since the previous sample.
  void sample(std::int64_t nowUs);
  /// Events per second over the last `windowUs` (≤ 60 s), from the samples; 0 until two samples.
  [[nodiscard]] double rate(std::size_t source, std::int64_t windowUs) const noexcept;
  /// The JSON document of /api/v1/sources (docs/api.md).
  [[nodiscard]] std::string renderJson() const;

 private:
  struct Sample {
    std::int64_t us = 0;
    std::uint64_t events = 0;
  };
  struct History {
    std::array<Sample, kSamples> samples{};
    std::size_t next = 0;   ///< where the next sample goes
    std::size_t count = 0;  ///< valid samples
  };

  std::vector<Source> sources_;
  const Engine& engine_;
  std::vector<History> history_;
  std::int64_t lastSampleUs_ = 0;
};

}  // namespace ccpulse
