#pragma once
/// Closed intervals and days of the last `history`, in memory: each is logged as one structured
/// line when it arrives, and served as JSON (`/api/v1/intervals`) or CSV (`ccpulsectl replay
/// --intervals`). Owned by the control thread (it drains the shards' closed-period rings); not
/// thread-safe. Memory is bounded by `history` × label sets.

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "ccpulse/engine/closed_period.hpp"

namespace ccpulse {

class Engine;

struct IntervalQuery {
  std::optional<std::string> tenant;
  std::optional<std::string> vendor;
  std::optional<std::string> queue;
  std::optional<std::string> channel;
  std::int64_t fromUs = INT64_MIN;  ///< periods starting at or after
  std::int64_t toUs = INT64_MAX;    ///< periods starting before
  PeriodKind kind = PeriodKind::kInterval;
};

/// Parses the query string of /api/v1/intervals (tenant, vendor, queue, channel, from, to as
/// RFC 3339 or epoch milliseconds, kind=interval|day). Returns an error message on bad input.
[[nodiscard]] std::optional<std::string> parseIntervalQuery(std::string_view queryString, IntervalQuery& out);

class IntervalStore final {
 public:
  IntervalStore(std::int64_t historyUs, bool logEach);

  void add(const ClosedPeriod& period);
  /// Moves every closed period out of the engine's rings into the store.
  std::size_t drain(Engine& engine);
  /// Forgets periods that ended more than `history` before `nowUs`.
  void prune(std::int64_t nowUs);

  [[nodiscard]] std::vector<ClosedPeriod> query(const IntervalQuery& q) const;
  [[nodiscard]] std::string queryJson(const IntervalQuery& q) const;
  [[nodiscard]] std::size_t size() const noexcept { return periods_.size(); }

  /// One period as a JSON object / a CSV row (see csvHeader()).
  [[nodiscard]] static std::string toJson(const ClosedPeriod& p);
  [[nodiscard]] static std::string csvHeader();
  [[nodiscard]] static std::string toCsv(const ClosedPeriod& p);

 private:
  std::int64_t historyUs_;
  bool logEach_;
  std::deque<ClosedPeriod> periods_;
};

}  // namespace ccpulse
