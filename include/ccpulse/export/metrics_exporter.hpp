#pragma once
/// Builds the Prometheus exposition from the engine's published series and the ingest and process
/// stats. The per-queue families, the bulk of a scrape, are written straight into text
/// (QueueExposition); the other families go through prometheus-cpp's MetricFamily model and are
/// serialized by appendFamilies(). Reads only atomics and append-only lists: a scrape never takes
/// a lock the writers wait on. Thread-safe: any thread may call collect()/render()/renderTo()
/// concurrently (each call builds its own result; the staffing cache has its own mutex).

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include <prometheus/metric_family.h>

#include "ccpulse/durability/durability.hpp"
#include "ccpulse/engine/engine.hpp"
#include "ccpulse/engine/published.hpp"
#include "ccpulse/export/queue_exposition.hpp"
#include "ccpulse/http/scope.hpp"
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
  const PubU64* curveRejected = nullptr;  ///< CURVE sources only (the ZAP handler's counter)
};

class MetricsExporter final {
 public:
  MetricsExporter(const Engine& engine, std::vector<SourceView> sources, const ProcessStats& process,
                  StaffingSettings staffing = {});

  /// Adds the journal / checkpoint self-metrics (call before the first scrape).
  void setDurability(const DurabilityStats* durability) noexcept { durability_ = durability; }

  /// Every family as prometheus-cpp's model, the queue families included: the reference the
  /// direct text path is tested against (render() == TextSerializer(collect()), byte for byte).
  [[nodiscard]] std::vector<prometheus::MetricFamily> collect() const;
  /// Text exposition format 0.0.4, everything (the admin view).
  [[nodiscard]] std::string render() const;
  /// Appends the exposition `scope` may see to `out` (what renderScoped(collect(), scope) gives).
  void renderTo(std::string& out, const Scope& scope) const;
  /// Only the staffing families (cached like collect()'s), for the wallboard's staffing gap.
  [[nodiscard]] std::vector<prometheus::MetricFamily> staffing() const {
    std::vector<prometheus::MetricFamily> out;
    collectStaffing(out);
    return out;
  }

  /// Control thread (load and reload): the tenants' forecasts and schedules. Takes effect at the
  /// next staffing computation.
  void setForecasts(std::shared_ptr<const ForecastsByTenant> forecasts);

 private:
  void collectQueues(std::vector<prometheus::MetricFamily>& out) const;
  void collectAgents(std::vector<prometheus::MetricFamily>& out) const;
  void collectSelf(std::vector<prometheus::MetricFamily>& out) const;
  void collectDurability(std::vector<prometheus::MetricFamily>& out) const;
  /// Required agents (Erlang C and A), staffing gap and predicted service level per queue,
  /// recomputed at most every staffing.interval (scrapes in between reuse the result).
  void collectStaffing(std::vector<prometheus::MetricFamily>& out) const;
  /// The staffing families as text: the cached text for an operations scope, else filtered.
  void renderStaffing(std::string& out, const Scope& scope) const;
  /// Recomputes staffingCache_ and staffingText_ when staffing.interval has passed (staffingMutex_ held).
  void refreshStaffingLocked() const;
  [[nodiscard]] std::vector<prometheus::MetricFamily> computeStaffing() const;
  /// Forecast and schedule gauges and their variance against the actual interval (staffingMutex_ held).
  void computeForecastVariance(
      std::vector<prometheus::MetricFamily>& out, std::int64_t nowUs,
      const std::map<std::tuple<std::string, std::string, std::string>, std::int64_t>& staffed) const;

  const Engine& engine_;
  std::vector<SourceView> sources_;
  const ProcessStats& process_;
  const DurabilityStats* durability_ = nullptr;
  std::vector<std::string> windowLabels_;
  QueueExposition queueText_;
  StaffingSettings staffing_;
  std::size_t staffingWindow_ = 0;
  // Cache of the staffing families. The mutex is taken by scrapes only; writers never wait on it.
  mutable std::mutex staffingMutex_;
  mutable std::int64_t staffingComputedNs_ = INT64_MIN;
  mutable std::vector<prometheus::MetricFamily> staffingCache_;
  mutable std::string staffingText_;                    ///< staffingCache_ serialized, for unfiltered scrapes
  std::shared_ptr<const ForecastsByTenant> forecasts_;  ///< guarded by staffingMutex_
};

}  // namespace ccpulse
