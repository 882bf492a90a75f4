#pragma once
/// What the wiring layer needs from any configured source (ZeroMQ socket, tailed file, AMI
/// client): start, stop, readiness and its counters. Each implementation documents its own
/// threading; these methods are called from the control thread.

#include "ccpulse/config/config.hpp"
#include "ccpulse/ingest/source_stats.hpp"

namespace ccpulse {

class Source {
 public:
  virtual ~Source() = default;
  Source() = default;
  Source(const Source&) = delete;
  Source& operator=(const Source&) = delete;

  virtual void start() = 0;
  virtual void stop() = 0;
  [[nodiscard]] virtual const SourceSettings& settings() const noexcept = 0;
  [[nodiscard]] virtual const SourceStats& stats() const noexcept = 0;
  /// Bound, connected or (file) open.
  [[nodiscard]] bool ready() const noexcept { return stats().ready.load(std::memory_order_acquire); }
};

}  // namespace ccpulse
