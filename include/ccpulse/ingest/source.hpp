#pragma once
/// What the wiring layer needs from any configured source (ZeroMQ socket, tailed file, AMI
/// client): start, stop, readiness and its counters. Each implementation documents its own
/// threading; these methods are called from the control thread.

#include <string>

#include "ccpulse/config/config.hpp"
#include "ccpulse/ingest/sequence_tracker.hpp"
#include "ccpulse/ingest/source_stats.hpp"

namespace ccpulse {

class SourceJournal;
class LineSource;

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
  /// Where the source listens or reads, as resolved (tcp://*:0 becomes the bound port).
  [[nodiscard]] virtual std::string boundEndpoint() const { return settings().endpoint; }
  /// Per-publisher sequence tracking, owned by the source's thread (read-only views are safe from
  /// any thread, see sequence_tracker.hpp). Empty for inputs without sequence numbers (file, AMI).
  [[nodiscard]] virtual const SequenceTracker& sequences() const noexcept = 0;
  /// Before start() only (restore): the tracker and the counters, to continue them.
  [[nodiscard]] virtual SequenceTracker& sequences() noexcept = 0;
  [[nodiscard]] virtual SourceStats& mutableStats() noexcept = 0;
  /// Before start(): journal every admitted event (or, for a LineSource, every input line) there
  /// (write-ahead, docs/durability.md) and serve its checkpoint pauses. Returns false for a source
  /// that does not (the default): AMI rebuilds with QueueStatus on connect and is not journaled;
  /// checkpoints then snapshot its counters without pausing it.
  [[nodiscard]] virtual bool attachJournal(SourceJournal* /*journal*/) { return false; }
  /// Non-null for a source that journals its input lines (the file source), see LineSource.
  [[nodiscard]] virtual LineSource* lineSource() noexcept { return nullptr; }
};

}  // namespace ccpulse
