#pragma once
/// The per-queue families of /metrics (every family labelled tenant, vendor, queue, channel:
/// contact counters, wait histograms, window, interval and day gauges; ~100 samples per
/// (queue, channel) label set) rendered straight from the shards' published QueueSeries into
/// text exposition format 0.0.4. The output is byte for byte what the MetricFamily path
/// (MetricsExporter::collect() serialized by prometheus-cpp) gives for these families, including
/// the merge of "_other" overflow series held by several shards, without building a MetricFamily
/// per family and a label vector per sample: a series' labels are formatted once per scrape,
/// numbers with std::to_chars, HELP and TYPE once per family.
///
/// Thread-safe: render() reads only the series' atomics and the append-only series lists (it
/// never takes a lock a shard waits on) and keeps all its working state local, so any thread may
/// call it concurrently; the daemon calls it on the HTTP (control) thread, never on a shard.

#include <atomic>
#include <cstddef>
#include <string>
#include <vector>

#include "ccpulse/engine/engine.hpp"
#include "ccpulse/http/scope.hpp"

namespace ccpulse {

class QueueExposition final {
 public:
  explicit QueueExposition(const Engine& engine);

  /// Appends the families to `out`. With a scope, only the series it permits; a family left with
  /// no sample is omitted whole (no HELP or TYPE line), as filterFamilies() does.
  void render(std::string& out, const Scope* scope = nullptr) const;

 private:
  const Engine& engine_;
  std::vector<std::string> windowLabels_;
  /// Size of the last full render: the next one reserves that much up front instead of growing
  /// the buffer by doubling (copies of up to ~100 MB). Relaxed: a hint, nothing is published.
  mutable std::atomic<std::size_t> lastBytes_{0};
};

}  // namespace ccpulse
