#pragma once
/// Per-label-set state that scrapes read. Labels are immutable after construction; the
/// `Pub*` values are written by the owning shard worker only and read by any thread (see
/// published.hpp for the memory-order argument). Writer-only fields are marked as such.

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "ccpulse/config/config.hpp"
#include "ccpulse/decode/event.hpp"
#include "ccpulse/engine/published.hpp"
#include "ccpulse/engine/service_level.hpp"
#include "ccpulse/engine/window.hpp"

namespace ccpulse {

/// Cumulative-at-export histogram: per-bucket counts (non-cumulative) plus sum and count.
class PubHistogram final {
 public:
  /// `bounds` are ascending upper bounds in seconds, shared by every series of the engine.
  explicit PubHistogram(std::shared_ptr<const std::vector<double>> bounds)
      : bounds_(std::move(bounds)), counts_(std::make_unique<PubU64[]>(bounds_->size() + 1)) {}

  void observe(double seconds) noexcept {
    std::size_t i = 0;
    while (i < bounds_->size() && seconds > (*bounds_)[i]) {
      ++i;
    }
    counts_[i].add(1);
    sum_.add(seconds);
    count_.add(1);
  }
  [[nodiscard]] const std::vector<double>& bounds() const noexcept { return *bounds_; }
  /// Count in bucket i (i == bounds().size() is +Inf), not cumulative.
  [[nodiscard]] std::uint64_t bucketCount(std::size_t i) const noexcept { return counts_[i].get(); }
  [[nodiscard]] double sum() const noexcept { return sum_.get(); }
  [[nodiscard]] std::uint64_t count() const noexcept { return count_.get(); }
  /// Owner only (checkpoint restore): sets bucket i's count, and the sum and count.
  void restoreBucket(std::size_t i, std::uint64_t value) noexcept { counts_[i].set(value); }
  void restoreTotals(double sum, std::uint64_t count) noexcept {
    sum_.set(sum);
    count_.set(count);
  }

 private:
  std::shared_ptr<const std::vector<double>> bounds_;
  std::unique_ptr<PubU64[]> counts_;
  PubF64 sum_;
  PubU64 count_;
};

/// A windowed gauge; NaN means undefined (no denominator) and is not exported.
struct WindowGauges {
  PubF64 offeredPerSecond;  ///< arrival rate over the window
  PubF64 patienceSeconds;   ///< estimated mean patience (NaN without abandons)
  PubF64 serviceLevel;
  PubF64 asaSeconds;
  PubF64 ahtSeconds;
  PubF64 abandonRate;
  PubF64 transferRate;
};

/// Gauges of one reporting period (an interval or a day) as published for scrapes.
struct PeriodGauges {
  PubF64 startSeconds;  ///< period start, seconds since the epoch; 0 = no such period yet
  PubF64 offered;
  PubF64 answered;
  PubF64 answeredInThreshold;
  PubF64 abandoned;
  PubF64 serviceLevel;  ///< NaN = undefined
  PubF64 asaSeconds;
  PubF64 ahtSeconds;
  PubF64 abandonRate;
  PubF64 handled;  ///< contacts wrapped in the period (the weight of ahtSeconds)
};

/// A clock-aligned period in progress, and the previous one while it stays open for late
/// events (`intervals.late_tolerance`). Writer-only.
struct PeriodState {
  std::int64_t currentStartUs = INT64_MIN;  ///< INT64_MIN = no period yet
  std::int64_t currentEndUs = INT64_MIN;
  OutcomeCounts current;
  bool closingOpen = false;
  std::int64_t closingStartUs = 0;
  std::int64_t closingEndUs = 0;
  OutcomeCounts closing;
};

/// The interval in progress and the previous one while it is still open for late events, as of
/// the series' last publish: what live period-to-date figures add to the closed intervals
/// (docs/contracts.md "Live status"). Start INT64_MIN = no such interval.
struct OpenIntervals {
  std::int64_t currentStartUs = INT64_MIN;
  std::int64_t currentEndUs = INT64_MIN;
  OutcomeCounts current;
  std::int64_t closingStartUs = INT64_MIN;
  std::int64_t closingEndUs = INT64_MIN;
  OutcomeCounts closing;
  double thresholdSeconds = 0;  ///< policy.threshold when published
};

/// Contact-event state exported with labels tenant, vendor, queue, channel.
struct QueueSeries {
  QueueSeries(std::string tenantIn, std::string vendorIn, std::string queueIn, Channel channelIn,
              const std::shared_ptr<const std::vector<double>>& bounds, std::size_t windowCount, std::int64_t bucketUs,
              std::size_t bucketCount)
      : tenant(std::move(tenantIn)),
        vendor(std::move(vendorIn)),
        queue(std::move(queueIn)),
        channel(channelIn),
        waitHistogram(bounds),
        abandonWaitHistogram(bounds),
        windows(std::make_unique<WindowGauges[]>(windowCount)),
        ring(bucketUs, bucketCount) {
    for (std::size_t i = 0; i < windowCount; ++i) {
      windows[i].serviceLevel.set(std::numeric_limits<double>::quiet_NaN());
      windows[i].asaSeconds.set(std::numeric_limits<double>::quiet_NaN());
      windows[i].ahtSeconds.set(std::numeric_limits<double>::quiet_NaN());
      windows[i].abandonRate.set(std::numeric_limits<double>::quiet_NaN());
      windows[i].transferRate.set(std::numeric_limits<double>::quiet_NaN());
      windows[i].patienceSeconds.set(std::numeric_limits<double>::quiet_NaN());
    }
  }

  const std::string tenant;
  const std::string vendor;
  const std::string queue;
  const Channel channel;

  PubU64 offered;
  PubU64 answered;
  PubU64 answeredInThreshold;
  PubU64 abandoned;
  PubU64 abandonedInThreshold;
  PubU64 abandonedShort;
  std::array<PubU64, kDequeueReasonCount> dequeued;
  PubU64 handled;
  PubU64 transferred;         ///< transfers out of this queue
  PubU64 transferredIn;       ///< contacts queued here after being answered elsewhere
  PubU64 answeredUnmatched;   ///< answered with no contact.queued seen: no wait known
  PubU64 abandonedUnmatched;  ///< abandoned with no contact.queued seen
  PubU64 selfServiceContained;
  PubU64 selfServiceEscalated;
  PubF64 talkSeconds;  ///< connected time minus hold time
  PubF64 holdSeconds;
  PubF64 acwSeconds;
  PubF64 handleSeconds;  ///< talk + hold + ACW, added when the contact is wrapped
  PubU64 surveys;
  PubF64 csatSum;
  PubHistogram waitHistogram;
  PubHistogram abandonWaitHistogram;

  PubI64 waiting;
  PubF64 oldestWaitingSeconds;
  PubF64 publishedTarget;                   ///< policy.target, published for scrapes
  PubF64 publishedThresholdSeconds;         ///< policy.threshold, published for scrapes
  std::unique_ptr<WindowGauges[]> windows;  ///< one per EngineSettings::windows entry
  std::array<PeriodGauges, 2> interval;     ///< [0] current interval so far, [1] last closed
  std::array<PeriodGauges, 2> day;          ///< [0] day to date, [1] last closed day

  /// Written at each publish; read by the control thread for live contract figures.
  PubSnapshot<OpenIntervals> openIntervals;

  // Writer-only.
  std::uint32_t index = 0;  ///< position in the shard's list
  ServiceLevelPolicy policy;
  std::shared_ptr<const TimeZone> zone;  ///< the tenant's time zone
  WindowRing<OutcomeCounts> ring;
  PeriodState intervalState;
  PeriodState dayState;
};

/// One bucket of an agent-queue series' rolling windows (writer-only).
struct AgentBucket {
  double handlingSeconds = 0;
  double availableSeconds = 0;
};

/// Staffed agent-time (docs/contracts.md `staffed_vs_committed`) of the series: the number of its
/// agents staffed now (available, busy or ACW), integrated over time in agent-microseconds
/// (integers: exact sums) into the clock-aligned interval in progress, and the previous one while
/// it stays open for late events. Integrating the series' count, not each agent's time, keeps the
/// time in order for all its agents. Writer-only; trivially copyable (checkpoint).
struct StaffedPeriodState {
  std::int64_t staffedAgents = 0;              ///< agents of the series in a staffed state now
  std::int64_t integratedUntilUs = INT64_MIN;  ///< time counted up to here; INT64_MIN = not yet
  std::int64_t currentStartUs = INT64_MIN;     ///< INT64_MIN = no interval yet
  std::int64_t currentEndUs = INT64_MIN;
  std::int64_t currentUs = 0;
  bool closingOpen = false;
  std::int64_t closingStartUs = 0;
  std::int64_t closingEndUs = 0;
  std::int64_t closingUs = 0;
};

/// Agent state counts and time exported with labels tenant, vendor, queue. One agent logged into
/// several queues counts in each. Agents are sharded by agent, so several shards may hold a
/// partial series for the same labels; the exporter sums them.
struct AgentQueueSeries {
  AgentQueueSeries(std::string tenantIn, std::string vendorIn, std::string queueIn, std::size_t auxReasonCount,
                   std::size_t windowCount, std::int64_t bucketUs, std::size_t bucketCount)
      : tenant(std::move(tenantIn)),
        vendor(std::move(vendorIn)),
        queue(std::move(queueIn)),
        auxByReason(std::make_unique<PubI64[]>(auxReasonCount)),
        handlingWindow(std::make_unique<PubF64[]>(windowCount)),
        availableWindow(std::make_unique<PubF64[]>(windowCount)),
        ring(bucketUs, bucketCount) {}

  const std::string tenant;
  const std::string vendor;
  const std::string queue;

  PubI64 staffed;                                    ///< logged in and not offline
  std::array<PubI64, kAgentStateKindCount> byState;  ///< index = AgentStateKind
  std::unique_ptr<PubI64[]> auxByReason;             ///< index = position in aux_reasons; last = "other"
  PubF64 handlingSeconds;   ///< counter: busy + ACW time, including the time so far in the current state
  PubF64 availableSeconds;  ///< counter: available (idle) time, likewise
  std::unique_ptr<PubF64[]> handlingWindow;   ///< per window
  std::unique_ptr<PubF64[]> availableWindow;  ///< per window

  // Writer-only.
  std::uint32_t index = 0;               ///< position in the shard's list
  std::shared_ptr<const TimeZone> zone;  ///< the tenant's time zone (interval alignment)
  StaffedPeriodState staffedInterval;    ///< staffed agent-time per interval, closed like the queue intervals
  WindowRing<AgentBucket> ring;
  double handlingCommitted = 0;  ///< time up to each agent's last state change
  double availableCommitted = 0;
  double handlingProvisional = 0;  ///< scratch for publish(): time since the last state change
  double availableProvisional = 0;
  std::array<double, 16> handlingProvisionalWindow{};  ///< scratch, per window
  std::array<double, 16> availableProvisionalWindow{};
};

}  // namespace ccpulse
