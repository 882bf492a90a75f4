#pragma once
/// Durable history in SQLite (`<state.directory>/history.sqlite`, docs/contracts.md): every
/// closed interval and every closed contract period. Created on first open; the schema is
/// versioned (`schema_version`) and migrated forward on open; WAL journal; writes are batched in
/// one transaction per call. Owned by one thread (the daemon's control thread, or a CLI); not
/// thread-safe. Errors are thrown as std::runtime_error with SQLite's message.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ccpulse/contract/contract.hpp"

struct sqlite3;

namespace ccpulse {

struct ContractPeriodRow {
  std::string agreement;
  std::string term;
  std::int64_t startUs = 0;
  std::int64_t endUs = 0;
  std::optional<double> attainment;
  double numerator = 0;
  double denominator = 0;
  std::string status;
  double creditPercent = 0;
};

class HistoryDb final {
 public:
  /// The schema version this build writes; older databases are migrated on open.
  static constexpr int kSchemaVersion = 2;

  /// Opens (creating if needed) the database file; `readOnly` for the scorecard CLI.
  explicit HistoryDb(const std::string& path, bool readOnly = false);
  ~HistoryDb();
  HistoryDb(const HistoryDb&) = delete;
  HistoryDb& operator=(const HistoryDb&) = delete;

  /// Inserts (or replaces: a re-closed interval wins) the rows in one transaction.
  void writeIntervals(const std::vector<IntervalRow>& rows);
  void writeContractPeriods(const std::vector<ContractPeriodRow>& rows);
  /// Inserts (or replaces) staffed agent-time rows, one per (tenant, start, vendor, queue, shard),
  /// in one transaction (schema version 2).
  void writeAgentIntervals(const std::vector<AgentIntervalRow>& rows);
  /// Staffed agent-time rows of `tenant` (any when empty) starting in [fromUs, toUs), one per
  /// shard that held agents of the queue; empty for a database older than version 2 (read-only).
  [[nodiscard]] std::vector<AgentIntervalRow> agentIntervals(const std::string& tenant, std::int64_t fromUs,
                                                             std::int64_t toUs) const;

  /// Intervals of `tenant` (any tenant when empty) starting in [fromUs, toUs).
  [[nodiscard]] std::vector<IntervalRow> intervals(const std::string& tenant, std::int64_t fromUs,
                                                   std::int64_t toUs) const;
  [[nodiscard]] std::vector<ContractPeriodRow> contractPeriods(const std::string& agreement,
                                                               const std::string& term) const;
  [[nodiscard]] std::int64_t intervalCount() const;
  /// Retention (`state.history_retention_days`): deletes, in one transaction, the intervals of
  /// `tenants` that end at or before `cutoffUs` (a range scan of each tenant's primary key);
  /// returns how many were deleted (staffed agent-time rows included). Closed contract periods are kept (one row per
  /// term and period, and the met/missed counters are rebuilt from them).
  std::int64_t deleteIntervalsBefore(const std::vector<std::string>& tenants, std::int64_t cutoffUs);
  /// End of the newest stored interval (contact or staffed agent-time); INT64_MIN when there is none.
  [[nodiscard]] std::int64_t newestIntervalEndUs() const;
  [[nodiscard]] int schemaVersion() const;

 private:
  void exec(const char* sql) const;
  /// Runs `body` between BEGIN and COMMIT; rolls back and rethrows when it throws.
  template <typename Body>
  void inTransaction(Body&& body) {
    exec("BEGIN");
    try {
      std::forward<Body>(body)();
      exec("COMMIT");
    } catch (...) {
      exec("ROLLBACK");
      throw;
    }
  }
  void migrate();

  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace ccpulse
