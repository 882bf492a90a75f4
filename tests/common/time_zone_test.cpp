#include "ccpulse/common/time_zone.hpp"

#include <gtest/gtest.h>

namespace ccpulse {
namespace {

constexpr std::int64_t kUs = 1'000'000;

TimeZone load(const std::string& name) {
  std::string error;
  auto tz = TimeZone::load(name, error);
  if (!tz) {
    ADD_FAILURE() << error;
    return TimeZone::utc();
  }
  return *tz;
}

// 2026-03-29: Europe/Paris springs forward at 01:00 UTC (02:00 CET -> 03:00 CEST).
// 2026-03-29T00:00:00+01:00 = 2026-03-28T23:00:00Z = 1774738800.
// 2026-03-30T00:00:00+02:00 = 2026-03-29T22:00:00Z = 1774821600. The day is 23 hours.
TEST(TimeZone, SpringForwardDayHas23Hours) {
  const TimeZone paris = load("Europe/Paris");
  EXPECT_EQ(paris.offsetAt(1774746000 - 1), 3600);  // 00:59:59Z
  EXPECT_EQ(paris.offsetAt(1774746000), 7200);      // 01:00:00Z
  const std::int64_t noonUtc = 1774785600LL * kUs;  // 2026-03-29T12:00:00Z
  EXPECT_EQ(paris.dayStartUs(noonUtc), 1774738800LL * kUs);
  EXPECT_EQ(paris.nextDayStartUs(noonUtc), 1774821600LL * kUs);
  EXPECT_EQ((paris.nextDayStartUs(noonUtc) - paris.dayStartUs(noonUtc)) / kUs, 23 * 3600);
  EXPECT_EQ(paris.formatLocal(1774746000LL * kUs), "2026-03-29T03:00:00+02:00");
  // The 15-minute interval that contains 01:07:00Z (03:07 CEST) starts at 03:00 CEST = 01:00Z.
  EXPECT_EQ(paris.periodStartUs((1774746000LL + 420) * kUs, 900), 1774746000LL * kUs);
  // 00:59:00Z is 01:59 CET, in the 01:45 CET interval = 00:45Z.
  EXPECT_EQ(paris.periodStartUs((1774746000LL - 60) * kUs, 900), (1774746000LL - 900) * kUs);
}

// 2026-10-25: Europe/Paris falls back at 01:00 UTC (03:00 CEST -> 02:00 CET); 25-hour day.
// 2026-10-25T00:00:00+02:00 = 2026-10-24T22:00:00Z = 1792879200.
// 2026-10-26T00:00:00+01:00 = 2026-10-25T23:00:00Z = 1792969200.
TEST(TimeZone, FallBackDayHas25HoursAndTwoIntervalsAt0200) {
  const TimeZone paris = load("Europe/Paris");
  const std::int64_t noonUtc = 1792929600LL * kUs;  // 2026-10-25T12:00:00Z
  EXPECT_EQ(paris.dayStartUs(noonUtc), 1792879200LL * kUs);
  EXPECT_EQ(paris.nextDayStartUs(noonUtc), 1792969200LL * kUs);
  EXPECT_EQ((paris.nextDayStartUs(noonUtc) - paris.dayStartUs(noonUtc)) / kUs, 25 * 3600);
  // 02:00 local happens twice: at 00:00Z (CEST) and 01:00Z (CET); each opens its own interval.
  const std::int64_t first = 1792886400LL;  // 2026-10-25T00:00:00Z
  EXPECT_EQ(paris.periodStartUs((first + 300) * kUs, 900), first * kUs);
  EXPECT_EQ(paris.periodStartUs((first + 3600 + 300) * kUs, 900), (first + 3600) * kUs);
  EXPECT_EQ(paris.formatLocal(first * kUs), "2026-10-25T02:00:00+02:00");
  EXPECT_EQ(paris.formatLocal((first + 3600) * kUs), "2026-10-25T02:00:00+01:00");
}

TEST(TimeZone, UtcAndHalfHourZones) {
  const TimeZone utc = TimeZone::utc();
  EXPECT_EQ(utc.offsetAt(0), 0);
  EXPECT_EQ(utc.periodStartUs(1799 * kUs, 1800), 0);
  EXPECT_EQ(utc.dayStartUs(86399 * kUs), 0);
  // India is UTC+05:30: a 60-minute local interval starts at :30 UTC.
  const TimeZone kolkata = load("Asia/Kolkata");
  const std::int64_t t = 1795000000LL;  // 2026-11-18T11:06:40Z = 16:36:40 IST
  // 16:00 IST = 10:30Z = 1794997800.
  EXPECT_EQ(kolkata.periodStartUs(t * kUs, 3600), 1794997800LL * kUs);
  EXPECT_EQ(kolkata.formatLocal(1794997800LL * kUs), "2026-11-18T16:00:00+05:30");
  // 15-minute interval: 16:30 IST = 11:00Z.
  EXPECT_EQ(kolkata.periodStartUs(t * kUs, 900), 1795000000LL * kUs - 400 * kUs);
}

TEST(TimeZone, UnknownAndInvalidNamesAreErrors) {
  std::string error;
  EXPECT_FALSE(TimeZone::load("Mars/Olympus_Mons", error).has_value());
  EXPECT_NE(error.find("Mars/Olympus_Mons"), std::string::npos);
  EXPECT_FALSE(TimeZone::load("../etc/passwd", error).has_value());
}

}  // namespace
}  // namespace ccpulse
