#pragma once
/// Live contract attainment (docs/contracts.md "Live"): per term, the current period's counts
/// summed from closed intervals as the control thread drains them, the status, what the rest of
/// the period needs, and missed-period counters; closed periods are written to the history
/// database. All state is derived from interval counts: on start (and on reload) the current
/// periods are rebuilt from the history database, so nothing else is persisted.
/// Owned by the control thread (housekeeping and HTTP handlers run there); not thread-safe.

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "ccpulse/contract/contract.hpp"
#include "ccpulse/engine/closed_period.hpp"
#include "ccpulse/history/history_db.hpp"
#include "ccpulse/staffing/forecast.hpp"

namespace ccpulse {

/// The labels and counts of a closed interval (kind interval) as a history row.
[[nodiscard]] IntervalRow toIntervalRow(const ClosedPeriod& period);
/// The labels and staffed agent-time of a closed agent interval as a history row.
[[nodiscard]] AgentIntervalRow toAgentIntervalRow(const ClosedAgentInterval& interval);
/// Any thread: appends the series' open intervals as of its last publish (read consistently
/// through its PubSnapshot), skipping empty ones, for ContractTracker::setOpenIntervals.
void appendOpenIntervals(const QueueSeries& series, std::vector<IntervalRow>& out);

class ContractTracker final {
 public:
  /// `db` may be null (no state directory).
  ContractTracker(std::int64_t intervalUs, HistoryDb* db);

  /// Installs (or replaces, on reload) the contracts, rebuilding each term's current period from
  /// the history database: the period of its newest interval (`nowUs` when it has none), or the
  /// one after it when history has already closed that period; tick() then closes what is over.
  /// Terms kept across a reload (same agreement and term name and period) keep their sums when
  /// there is no database.
  void setContracts(std::shared_ptr<const ContractSettings> contracts, std::int64_t nowUs);
  /// The staffing forecasts (config's tenants.<t>.forecast); the expected remaining volume of
  /// contact-count measures comes from them where they cover the rest of the period, and so do the
  /// per-interval commitments of `committed_agents: schedule` terms (of the whole current period,
  /// past intervals included: a reload with another file re-judges them).
  void setForecasts(std::shared_ptr<const ForecastsByTenant> forecasts) {
    forecasts_ = std::move(forecasts);
    ++agentRowsGeneration_;  // the cached staffed values depend on the schedule too
  }
  /// Forecast contacts of the term's series in [fromUs, toUs); nullopt when no forecast row of a
  /// covered series falls in that time, or the measure is not counted per contact.
  [[nodiscard]] std::optional<double> forecastVolume(const Contract& contract, const ContractTerm& term,
                                                     std::int64_t fromUs, std::int64_t toUs) const;
  /// A closed interval (call in each series' close order). One that starts after the term's
  /// current period is held until tick() has closed that period (another shard may still owe
  /// the period's last interval); one that starts before it is late (history has it).
  void addInterval(const IntervalRow& row);
  /// A closed interval of staffed agent-time (one shard's part), for staffed_vs_committed terms.
  /// Kept per (labels, shard, start), so one handed over twice (re-closed after a restore) counts
  /// once. A term's period counts the intervals ending by the last tick()'s watermark: by then
  /// every shard has handed over its part.
  void addAgentInterval(const AgentIntervalRow& row);
  /// The intervals still open in the engine (the one in progress, and the previous one while it
  /// is within the late tolerance) of every series, with their counts so far; replaces the
  /// previous set. Live period-to-date figures add those of a term's series that start inside
  /// its current period, unless a closed interval of the same series already covers them (a
  /// snapshot taken just before the interval closed). They are never written to history.
  void setOpenIntervals(std::vector<IntervalRow> rows);
  /// Closes every period that ends by `closedThroughUs`, the interval watermark (every interval
  /// ending by it has been passed to addInterval: Engine::closedThroughUs() read before the
  /// drain), writing them to history. Each term then moves to the period right after the one it
  /// closed (skipping empty periods up to the watermark's), so no interval is left out.
  void tick(std::int64_t closedThroughUs);

  /// The `ccpulse_contract_*` families (Prometheus text format, HELP and TYPE included). The
  /// period so far runs to `nowUs` (clamped to the period, and to no earlier than the newest
  /// interval counted), since the open intervals' counts run to about now.
  [[nodiscard]] std::string renderMetrics(std::int64_t nowUs) const;

  struct TermState {
    const Contract* contract = nullptr;
    const ContractTerm* term = nullptr;
    std::int64_t startUs = INT64_MIN;  ///< current period; INT64_MIN = not started
    std::int64_t endUs = INT64_MIN;
    std::int64_t coveredUntilUs = INT64_MIN;  ///< end of the newest interval counted
    OutcomeCounts sum;
    double creditPercentThisMonth = 0;
    std::int64_t creditMonthStartUs = INT64_MIN;
    std::uint64_t periodsMet = 0;  ///< since the history began (rebuilt from the database)
    std::uint64_t periodsMissed = 0;
  };
  [[nodiscard]] const std::vector<TermState>& terms() const noexcept { return terms_; }
  /// Period-to-date counts of a term: its closed intervals plus the open ones (see above);
  /// `coveredUntilUs` is set to how far the counts surely reach: the newest closed interval's
  /// end, or the start of the newest open interval counted if later.
  [[nodiscard]] OutcomeCounts liveCounts(const TermState& t, std::int64_t& coveredUntilUs) const;

 private:
  void startPeriod(TermState& t, std::int64_t atUs) const;
  void closePeriod(TermState& t, std::vector<ContractPeriodRow>& out);
  /// staffed_vs_committed over the term's current period, counting the intervals that end by `throughUs`.
  [[nodiscard]] TermValue staffedValue(const TermState& t, std::int64_t throughUs, std::int64_t* coveredUntilUs) const;

  std::int64_t intervalUs_;
  HistoryDb* db_;
  std::shared_ptr<const ContractSettings> contracts_;
  std::shared_ptr<const ForecastsByTenant> forecasts_;
  std::vector<TermState> terms_;
  std::vector<IntervalRow> open_;
  /// Closed intervals that start after some covering term's current period, oldest first; each
  /// such term takes them when tick() moves it to their period. Dropped once every term is past.
  std::vector<IntervalRow> ahead_;
  /// Staffed agent-time rows from the oldest staffed_vs_committed term's current period on.
  std::vector<AgentIntervalRow> agentRows_;
  std::int64_t watermarkUs_ = INT64_MIN;  ///< the last tick()'s closedThroughUs
  /// Bumped whenever agentRows_ (or the forecasts) change; staffedValue() results are cached per term until then
  /// (a scrape must not re-sum a month of rows when nothing changed: rows arrive once per interval).
  std::uint64_t agentRowsGeneration_ = 0;
  struct StaffedCache {
    std::uint64_t generation = 0;
    std::int64_t startUs = 0;
    std::int64_t throughUs = 0;
    TermValue value;
    std::int64_t coveredUntilUs = 0;
  };
  mutable std::unordered_map<const ContractTerm*, StaffedCache> staffedCache_;
  /// Per series (tenant, vendor, queue, channel): end of its newest closed interval seen.
  std::unordered_map<std::string, std::int64_t> closedUntil_;
};

}  // namespace ccpulse
