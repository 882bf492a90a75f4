#pragma once
// Times for tests set on one Monday, 2026-11-23 (UTC), so that the expected
// periods in each scenario can be worked out by hand from wall-clock times.

#include <cstdint>

#include "ccpulse/common/civil_time.hpp"

namespace ccpulse::test {

inline constexpr std::int64_t kSecondUs = 1'000'000;
inline constexpr std::int64_t kMinuteUs = 60 * kSecondUs;
inline constexpr std::int64_t kHourUs = 60 * kMinuteUs;

/// 2026-11-23 (UTC) at h:m:s, in microseconds since the epoch.
inline std::int64_t at(int h, int m, int s = 0) {
  return daysFromCivil(2026, 11, 23) * 24 * kHourUs + h * kHourUs + m * kMinuteUs + s * kSecondUs;
}

}  // namespace ccpulse::test
