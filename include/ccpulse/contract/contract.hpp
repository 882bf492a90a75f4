#pragma once
/// Contract-term arithmetic (docs/contracts.md): which series a term covers, the measurement
/// periods in the contract's time zone, a term's attainment from summed interval counts, the
/// live status and "what is still needed", and the scorecard over a date range. Pure functions
/// and value types: thread-safe, no state. A term's state is always DERIVED from interval counts
/// (closed intervals from history, plus the open one), so nothing else needs persisting.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ccpulse/config/config.hpp"
#include "ccpulse/engine/service_level.hpp"

namespace ccpulse {

/// One closed interval of one series with its labels: what history stores and contracts read.
struct IntervalRow {
  std::string tenant;
  std::string vendor;
  std::string queue;
  Channel channel = Channel::kVoice;
  std::int64_t startUs = 0;
  std::int64_t endUs = 0;
  double thresholdSeconds = 0;  ///< the service_level threshold the interval was counted with
  OutcomeCounts counts;
};

/// One closed interval of an agent-queue series' staffed agent-time (docs/contracts.md
/// `staffed_vs_committed`) as one shard counted it. Agents are sharded by agent, so several shards
/// may hold agents of the same queue: each writes its own row (`shard`), and readers sum them.
struct AgentIntervalRow {
  std::string tenant;
  std::string vendor;
  std::string queue;
  std::uint32_t shard = 0;
  std::int64_t startUs = 0;
  std::int64_t endUs = 0;
  /// Agent-microseconds in a state that counts for occupancy (available, busy, ACW); an agent in
  /// several queues counts in each. Integer, so sums and the comparison with the commitment are exact.
  std::int64_t staffedUs = 0;
};

/// Whether a staffed_vs_committed term covers an agent-queue series (tenant, vendor, queue globs;
/// agents have no channel, and the loader rejects `match.channels` on such terms).
[[nodiscard]] bool termCoversAgents(const Contract& contract, const ContractTerm& term, std::string_view tenant,
                                    std::string_view vendor, std::string_view queue) noexcept;

/// Glob with `*` (any run) and `?` (one character); no escapes.
[[nodiscard]] bool globMatch(std::string_view pattern, std::string_view text) noexcept;
/// Whether the term of `contract` covers the series.
[[nodiscard]] bool termCovers(const Contract& contract, const ContractTerm& term, std::string_view tenant,
                              std::string_view vendor, std::string_view queue, Channel channel) noexcept;

/// [start, end) of the contract period containing `tsUs` in `zone` (weeks start on Monday; a
/// DST day has 23 or 25 hours, and so do the weeks and months containing it).
void contractPeriodBounds(ContractPeriod period, const TimeZone& zone, std::int64_t intervalUs, std::int64_t tsUs,
                          std::int64_t& startUs, std::int64_t& endUs) noexcept;

/// A term's measure as numerator / denominator × scale; the attainment is undefined with a zero
/// denominator.
struct TermValue {
  double numerator = 0;
  double denominator = 0;
  double scale = 1;  ///< 100 for NPS, 1000 for complaints per 1,000
  [[nodiscard]] std::optional<double> attainment() const noexcept {
    if (denominator <= 0) {
      return std::nullopt;
    }
    return numerator / denominator * scale;
  }
};
[[nodiscard]] TermValue termValue(const ContractTerm& term, const OutcomeCounts& counts) noexcept;
/// Whether an attainment meets the term (for aht_band: within [min, max]).
[[nodiscard]] bool meetsTarget(const ContractTerm& term, double attainment) noexcept;
/// The forecast of `tenant` in `forecasts` (either may be absent: nullptr).
[[nodiscard]] const Forecast* tenantForecast(const ForecastsByTenant* forecasts, std::string_view tenant) noexcept;
/// For `committed_agents: schedule`: per interval start in [fromUs, toUs), the scheduled agents of
/// the queues the term covers, summed over the queues and their channels (agents have no channel:
/// a queue scheduled on voice and chat needs both headcounts). The contract vendor's own forecast
/// rows, else a queue's rows for all vendors (no vendor) when the vendor has none for that queue and
/// channel, as for the forecast volume. Only intervals with a forecast row are in the map.
[[nodiscard]] std::map<std::int64_t, double> scheduledAgentsByInterval(const Contract& contract,
                                                                       const ContractTerm& term,
                                                                       const Forecast& forecast, std::int64_t fromUs,
                                                                       std::int64_t toUs);
/// staffed_vs_committed over the agent rows with a start in [fromUs, toUs) that the term covers,
/// summed per interval over queues and shards (rows are keyed by their labels and shard: a
/// duplicate row is counted once, the last one wins). numerator = intervals whose staffed
/// agent-seconds / interval-seconds >= the commitment, denominator = intervals counted: those with
/// a row, and with `committed_agents: schedule` only those the schedule (the tenant's forecast,
/// `schedule`; none = nothing counted) puts agents on, the commitment then being scheduled agents ×
/// commitment_ratio. `coveredUntilUs` (optional) receives the end of the newest interval with a row.
[[nodiscard]] TermValue staffedTermValue(const Contract& contract, const ContractTerm& term,
                                         const std::vector<AgentIntervalRow>& rows, std::int64_t fromUs,
                                         std::int64_t toUs, std::int64_t* coveredUntilUs = nullptr,
                                         const Forecast* schedule = nullptr);

enum class TermStatus : std::uint8_t { kNoData, kMet, kAtRisk, kMissed };
[[nodiscard]] std::string_view toString(TermStatus status) noexcept;
/// Final status of a closed period: met or missed; no_data without a denominator.
[[nodiscard]] TermStatus closedStatus(const ContractTerm& term, const TermValue& value) noexcept;

/// What the rest of an open period must achieve.
struct Needed {
  enum class Kind : std::uint8_t {
    kUnknown,      ///< no volume so far to extrapolate from, or aht_band
    kValue,        ///< `value` is the attainment the rest of the period must reach (or stay within)
    kSecured,      ///< met whatever happens in the rest of the period
    kCannotBeMet,  ///< not reachable even with a perfect rest of the period
  };
  Kind kind = Kind::kUnknown;
  double value = 0;
  double expectedRemainingVolume = 0;  ///< the denominator the rest of the period is expected to add
};

/// `elapsedUs` is how much of the period the counts cover (through the newest closed interval, or
/// to now with the open interval), `remainingUs` the rest. Without `forecastRemainingVolume` the
/// remaining volume is the period's volume so far extrapolated at the same rate.
[[nodiscard]] Needed neededForRest(const ContractTerm& term, const TermValue& soFar, std::int64_t elapsedUs,
                                   std::int64_t remainingUs,
                                   std::optional<double> forecastRemainingVolume = std::nullopt) noexcept;
/// Live status of an open period (docs/contracts.md "Status"): missed when it cannot be met any
/// more, at_risk when the period so far fails the target or meets it by less than at_risk_margin,
/// met otherwise; no_data without volume.
[[nodiscard]] TermStatus openStatus(const ContractTerm& term, const TermValue& soFar, const Needed& needed) noexcept;

// ---- scorecard ------------------------------------------------------------------------------

struct PeriodResult {
  std::int64_t startUs = 0;
  std::int64_t endUs = 0;
  TermValue value;
  TermStatus status = TermStatus::kNoData;
  double creditPercent = 0;  ///< of the monthly fee, after the monthly cap
};

struct TermCard {
  const Contract* contract = nullptr;
  const ContractTerm* term = nullptr;
  std::vector<PeriodResult> periods;
  TermValue overall;  ///< over the whole range
  std::size_t met = 0;
  std::size_t missed = 0;
  std::size_t noData = 0;
  double creditPercent = 0;  ///< sum over the range (each month capped)
  double creditAmount = 0;   ///< creditPercent × monthly fee / 100
};

struct Scorecard {
  std::string tenant;
  std::string vendor;  ///< empty = every vendor of the tenant
  std::int64_t fromUs = 0;
  std::int64_t toUs = 0;
  std::vector<TermCard> terms;
};

/// Parses YYYY-MM-DD into days since 1970-01-01; nullopt if malformed.
[[nodiscard]] std::optional<std::int64_t> parseDate(std::string_view text) noexcept;
/// UTC microseconds of local midnight starting `days` (since 1970-01-01) in `zone`.
[[nodiscard]] std::int64_t localDayStartUs(const TimeZone& zone, std::int64_t days) noexcept;

/// Periods of every term of every agreement of `tenant` (and `vendor` when not empty) whose start
/// lies in [local midnight of fromDay, local midnight after toDay) in each contract's zone; such a
/// period counts all its rows, also those after the range (a week or month reaching past it). Rows
/// may come in any order and include anything; only covered series count. The result points
/// into `contracts`, which must outlive it.
/// `agentRows` feed the staffed_vs_committed terms (the other terms ignore them); `forecasts` (the
/// config's) give the commitments of those with `committed_agents: schedule`.
[[nodiscard]] Scorecard buildScorecard(const ContractSettings& contracts, const std::vector<IntervalRow>& rows,
                                       std::string_view tenant, std::string_view vendor, std::int64_t fromDay,
                                       std::int64_t toDay, std::int64_t intervalUs,
                                       const std::vector<AgentIntervalRow>& agentRows = {},
                                       const ForecastsByTenant* forecasts = nullptr);

[[nodiscard]] std::string scorecardCsv(const Scorecard& card);
[[nodiscard]] std::string scorecardJson(const Scorecard& card);
[[nodiscard]] std::string scorecardHtml(const Scorecard& card);
/// The plain-language summary (also the top of the HTML report), one sentence per term.
[[nodiscard]] std::vector<std::string> scorecardSummary(const Scorecard& card);
/// An attainment in the measure's unit for people: "81.2 %", "23.4 s", "4.21", "37.5".
[[nodiscard]] std::string formatAttainment(ContractMeasure measure, double value);

}  // namespace ccpulse
