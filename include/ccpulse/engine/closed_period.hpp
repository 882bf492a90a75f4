#pragma once
/// A reporting period (clock-aligned interval or local day) that has closed, as handed from a
/// shard worker to the control thread over an SPSC ring. Trivially copyable. `series` points to
/// an immutable-labelled series that lives as long as the engine.

#include <cstdint>
#include <string_view>

#include "ccpulse/config/config.hpp"
#include "ccpulse/engine/service_level.hpp"

namespace ccpulse {

struct QueueSeries;
struct AgentQueueSeries;

enum class PeriodKind : std::uint8_t { kInterval, kDay };

[[nodiscard]] constexpr std::string_view toString(PeriodKind kind) noexcept {
  return kind == PeriodKind::kInterval ? "interval" : "day";
}

struct ClosedPeriod {
  const QueueSeries* series = nullptr;
  PeriodKind kind = PeriodKind::kInterval;
  std::int64_t startUs = 0;
  std::int64_t endUs = 0;
  OutcomeCounts counts;
  // The policy in force when it closed, so consumers need not read writer-only state.
  ServiceLevelFormula formula = ServiceLevelFormula::kAbandonsMiss;
  bool dequeuedCountsAsMiss = true;
  double target = 0;
  double thresholdSeconds = 0;
};

/// A closed interval of one agent-queue series' staffed agent-time (docs/contracts.md
/// `staffed_vs_committed`), handed from a shard worker to the control thread over its own SPSC
/// ring. Trivially copyable. Several shards may close the same labels and interval (agents are
/// sharded by agent): each is one partial row, told apart by `shard`; consumers sum them.
struct ClosedAgentInterval {
  const AgentQueueSeries* series = nullptr;
  std::uint32_t shard = 0;
  std::int64_t startUs = 0;
  std::int64_t endUs = 0;
  std::int64_t staffedUs = 0;  ///< agent-microseconds in available, busy or ACW
};

}  // namespace ccpulse
