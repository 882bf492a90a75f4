#pragma once
/// A tenant's workforce-management plan: per interval, queue and channel, the forecast contacts,
/// the forecast AHT and the scheduled agents, read from a CSV file named in config
/// (`tenants.<tenant>.forecast`, docs/staffing.md#forecast-and-schedule).
///
/// A `Forecast` is immutable once parsed and shared as `std::shared_ptr<const Forecast>`, so any
/// thread may read it; a config reload builds a new one and swaps the pointer.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "ccpulse/common/time_zone.hpp"
#include "ccpulse/decode/event.hpp"

namespace ccpulse {

/// One planned interval of one (vendor, queue, channel).
struct ForecastRow {
  std::int64_t startUs = 0;    ///< interval start, UTC microseconds since the epoch
  double contacts = 0;         ///< forecast contacts offered in the interval
  double ahtSeconds = 0;       ///< forecast average handle time
  double scheduledAgents = 0;  ///< agents the schedule puts on the queue in the interval
};

/// What a row is about. `vendor` empty = the queue as a whole, across vendors.
struct ForecastKey {
  std::string vendor;
  std::string queue;
  Channel channel = Channel::kVoice;

  friend bool operator<(const ForecastKey& a, const ForecastKey& b) noexcept {
    return std::tie(a.queue, a.channel, a.vendor) < std::tie(b.queue, b.channel, b.vendor);
  }
};

class Forecast final {
 public:
  using Rows = std::map<ForecastKey, std::vector<ForecastRow>>;

  Forecast(std::string path, std::int64_t intervalUs, Rows rows) noexcept;

  /// The row whose interval contains `utcUs`, or nullptr.
  [[nodiscard]] const ForecastRow* find(const ForecastKey& key, std::int64_t utcUs) const noexcept;
  [[nodiscard]] const Rows& rows() const noexcept { return rows_; }
  /// Whether the rows under `key` are the plan for `vendor`'s part of the queue: the vendor's
  /// own rows, else the queue's rows for all vendors (empty vendor) when the vendor has none.
  [[nodiscard]] bool planOfVendor(const ForecastKey& key, const std::string& vendor) const;
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] std::int64_t intervalUs() const noexcept { return intervalUs_; }
  [[nodiscard]] std::size_t rowCount() const noexcept;

 private:
  std::string path_;
  std::int64_t intervalUs_;
  Rows rows_;  ///< each vector sorted by startUs, no duplicates
};

/// One problem in a forecast file: 1-based line, the column's header name (empty when the
/// problem is the line as a whole) and what is wrong.
struct ForecastError {
  int line = 0;
  std::string column;
  std::string message;
};

struct ForecastParseResult {
  std::shared_ptr<const Forecast> forecast;  ///< null when errors is non-empty
  std::vector<ForecastError> errors;
};

/// Parses forecast CSV text. Columns (header line required, any order, names case-insensitive):
/// `interval_start`, `queue`, `channel`, `contacts`, `aht_seconds`, `scheduled_agents`, and the
/// optional `vendor`. `interval_start` is RFC 3339 with an offset, or a local time
/// `YYYY-MM-DD HH:MM[:SS]` (or with `T`) in `zone`; it must start an interval of `intervalUs` in
/// that zone. A local time that a DST change makes ambiguous or nonexistent is an error (write
/// the offset). Every error is collected (up to a limit), not just the first. Thread-safe.
[[nodiscard]] ForecastParseResult parseForecastCsv(std::string_view text, std::string path, const TimeZone& zone,
                                                   std::int64_t intervalUs);

/// Reads and parses a file; an unreadable file is one error on line 0.
[[nodiscard]] ForecastParseResult loadForecastFile(const std::string& path, const TimeZone& zone,
                                                   std::int64_t intervalUs);

}  // namespace ccpulse
