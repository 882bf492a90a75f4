#pragma once
/// IANA time zones read from the system's compiled tz database (TZif files under
/// /usr/share/zoneinfo, Debian package tzdata), and clock-aligned periods in local time.
/// Immutable after load: thread-safe to share.
///
/// Why not std::chrono::zoned_time: GCC 12's libstdc++ does not ship the C++20 tzdb yet.
/// Debian's TZif files list every transition up to 2037; after the last one the last offset
/// holds (the POSIX rule footer is not evaluated), which is documented in docs/metrics.md.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ccpulse {

class TimeZone final {
 public:
  /// Loads `name` (e.g. "Europe/Paris", "UTC") from `zoneinfoDir`; nullopt with `error` set when
  /// the zone does not exist or the file is not a valid TZif file.
  static std::optional<TimeZone> load(const std::string& name, std::string& error,
                                      const std::string& zoneinfoDir = "/usr/share/zoneinfo");
  /// UTC, without touching the file system.
  static TimeZone utc();

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  /// Offset from UTC in seconds at the instant `utcSeconds`.
  [[nodiscard]] std::int64_t offsetAt(std::int64_t utcSeconds) const noexcept;

  /// Start (UTC microseconds) of the local-time period of `periodSeconds` (a divisor of a day,
  /// e.g. 900, 1800, 3600) that contains `utcUs`: boundaries fall on local clock times that are
  /// multiples of the period.
  [[nodiscard]] std::int64_t periodStartUs(std::int64_t utcUs, std::int64_t periodSeconds) const noexcept;
  /// Start (UTC microseconds) of the local day containing `utcUs`; a DST day has 23 or 25 hours.
  [[nodiscard]] std::int64_t dayStartUs(std::int64_t utcUs) const noexcept;
  /// Start of the next local day after the one containing `utcUs`.
  [[nodiscard]] std::int64_t nextDayStartUs(std::int64_t utcUs) const noexcept;
  /// "2026-03-29T02:00:00+02:00" for a UTC instant, in this zone.
  [[nodiscard]] std::string formatLocal(std::int64_t utcUs) const;

 private:
  TimeZone() = default;
  /// The UTC instant whose local time is `localSeconds`, choosing the later one in a fall-back
  /// overlap and the instant just after the gap in a spring-forward gap.
  [[nodiscard]] std::int64_t localToUtc(std::int64_t localSeconds) const noexcept;

  std::string name_;
  std::vector<std::int64_t> transitions_;  ///< UTC seconds, ascending
  std::vector<std::int32_t> offsets_;      ///< offset in force from transitions_[i]
  std::int32_t initialOffset_ = 0;         ///< offset before the first transition
};

}  // namespace ccpulse
