#pragma once
/// Builds the Prometheus exposition (prometheus-cpp's MetricFamily model and text serializer)
/// from the engine's published series and the ingest and process stats. Reads only atomics and
/// append-only lists: a scrape never takes a lock the writers wait on. Thread-safe: any thread may
/// call collect()/render() concurrently (each call builds its own result).

#include <memory>
#include <string>
#include <vector>

#include <prometheus/metric_family.h>

#include "ccpulse/engine/engine.hpp"
#include "ccpulse/engine/published.hpp"
#include "ccpulse/ingest/zmq_source.hpp"

namespace ccpulse {

/// Process-level counters owned by the control thread.
struct ProcessStats {
  PubU64 reloadsOk;
  PubU64 reloadsFailed;
  PubF64 startTimeSeconds;
};

struct SourceView {
  std::string name;
  const SourceStats* stats = nullptr;
};

class MetricsExporter final {
 public:
  MetricsExporter(const Engine& engine, std::vector<SourceView> sources, const ProcessStats& process);

  [[nodiscard]] std::vector<prometheus::MetricFamily> collect() const;
  /// Text exposition format 0.0.4.
  [[nodiscard]] std::string render() const;

 private:
  void collectQueues(std::vector<prometheus::MetricFamily>& out) const;
  void collectAgents(std::vector<prometheus::MetricFamily>& out) const;
  void collectSelf(std::vector<prometheus::MetricFamily>& out) const;

  const Engine& engine_;
  std::vector<SourceView> sources_;
  const ProcessStats& process_;
  std::vector<std::string> windowLabels_;
};

}  // namespace ccpulse
