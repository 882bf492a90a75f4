#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>

#include "ccpulse/decode/json_decoder.hpp"

namespace ccpulse {
namespace {

// Reference points used below, all computed by hand:
//   2000-01-01 is day 10957 since 1970-01-01 (30 years * 365 + 7 leap days 1972..1996).
//   2016-01-01 = 10957 + 16*365 + 4 (2000,04,08,12) = 16801;  2017-01-01 = 16801 + 366 = 17167.
//   2024-01-01 = 10957 + 24*365 + 6 (2000..2020) = 19723.
//   2026-01-01 = 10957 + 26*365 + 7 (2000..2024) = 20454 -> 20454 * 86400 = 1'767'225'600 s.
constexpr std::int64_t kUs = 1'000'000;
constexpr std::int64_t kJan1st2026 = 1'767'225'600;

std::int64_t parseOk(std::string_view text) {
  std::int64_t us = -1;
  EXPECT_TRUE(parseRfc3339(text, us)) << text;
  return us;
}

bool parses(std::string_view text) {
  std::int64_t us = 0;
  return parseRfc3339(text, us);
}

TEST(TimestampTest, Epoch) {
  EXPECT_EQ(parseOk("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parseOk("1970-01-01T00:00:00.000001Z"), 1);
  EXPECT_EQ(parseOk("1970-01-01T01:00:00+01:00"), 0);
}

TEST(TimestampTest, PositiveOffsetConvertsToUtc) {
  // 2026-11-23T10:15:30.123456+01:00 = 09:15:30.123456Z. Nov 23 is day-of-year index
  // 31+28+31+30+31+30+31+31+30+31 + 22 = 326 -> day 20454 + 326 = 20780;
  // 20780 * 86400 = 1'795'392'000; + 9h15m30s (33'330 s) = 1'795'425'330 s.
  EXPECT_EQ(parseOk("2026-11-23T10:15:30.123456+01:00"), 1'795'425'330 * kUs + 123'456);
  EXPECT_EQ(parseOk("2026-11-23T09:15:30.123456Z"), 1'795'425'330 * kUs + 123'456);
}

TEST(TimestampTest, NegativeAndHalfHourOffsets) {
  // 00:30-05:30 is 06:00Z on the same day: 1'767'225'600 + 21'600.
  EXPECT_EQ(parseOk("2026-01-01T00:30:00-05:30"), (kJan1st2026 + 21'600) * kUs);
  // +05:45 (Nepal): 05:45+05:45 = 00:00Z.
  EXPECT_EQ(parseOk("2026-01-01T05:45:00+05:45"), kJan1st2026 * kUs);
  // "-00:00" (unknown local offset) is UTC.
  EXPECT_EQ(parseOk("2026-01-01T00:00:00-00:00"), kJan1st2026 * kUs);
}

TEST(TimestampTest, OffsetCrossesYearBoundary) {
  // 2025-12-31T23:30-01:00 = 2026-01-01T00:30Z.
  EXPECT_EQ(parseOk("2025-12-31T23:30:00-01:00"), (kJan1st2026 + 1'800) * kUs);
  // 2026-01-01T10:00+14:00 = 2025-12-31T20:00Z = 4 h before midnight.
  EXPECT_EQ(parseOk("2026-01-01T10:00:00+14:00"), (kJan1st2026 - 4 * 3'600) * kUs);
}

TEST(TimestampTest, LeapYearDates) {
  // 2024-02-29 = 19723 + 31 + 28 = day 19782 -> 1'709'164'800 s; +12h = 1'709'208'000.
  EXPECT_EQ(parseOk("2024-02-29T12:00:00Z"), 1'709'208'000 * kUs);
  // 2024-03-01 follows directly.
  EXPECT_EQ(parseOk("2024-03-01T00:00:00Z"), (1'709'164'800 + 86'400) * kUs);
  // 2000 is divisible by 400, so a leap year: 10957 + 59 = 11016 -> 951'782'400 s.
  EXPECT_EQ(parseOk("2000-02-29T00:00:00Z"), 951'782'400 * kUs);
  // 2024-12-31 is day-of-year 366: 19723 + 365 = 20088 -> 1'735'603'200 s.
  EXPECT_EQ(parseOk("2024-12-31T00:00:00Z"), 1'735'603'200 * kUs);
}

TEST(TimestampTest, InvalidDates) {
  EXPECT_FALSE(parses("2023-02-29T00:00:00Z"));  // not a leap year
  EXPECT_FALSE(parses("1900-02-29T00:00:00Z"));  // divisible by 100, not by 400
  EXPECT_FALSE(parses("2100-02-29T00:00:00Z"));
  EXPECT_FALSE(parses("2024-02-30T00:00:00Z"));
  EXPECT_FALSE(parses("2024-04-31T00:00:00Z"));
  EXPECT_FALSE(parses("2024-06-31T00:00:00Z"));
  EXPECT_FALSE(parses("2024-09-31T00:00:00Z"));
  EXPECT_FALSE(parses("2024-11-31T00:00:00Z"));
  EXPECT_FALSE(parses("2024-01-32T00:00:00Z"));
  EXPECT_FALSE(parses("2024-00-10T00:00:00Z"));
  EXPECT_FALSE(parses("2024-13-01T00:00:00Z"));
  EXPECT_FALSE(parses("2024-01-00T00:00:00Z"));
  EXPECT_TRUE(parses("2024-01-31T00:00:00Z"));
  EXPECT_TRUE(parses("2023-02-28T00:00:00Z"));
}

TEST(TimestampTest, InvalidTimes) {
  EXPECT_FALSE(parses("2024-01-01T24:00:00Z"));
  EXPECT_FALSE(parses("2024-01-01T23:60:00Z"));
  EXPECT_FALSE(parses("2024-01-01T23:59:61Z"));
  EXPECT_TRUE(parses("2024-01-01T23:59:59Z"));
}

TEST(TimestampTest, LeapSecondMapsToLastMicrosecondOfSecond59) {
  // 2017-01-01 = day 17167 -> 1'483'228'800 s, so 2016-12-31T23:59:59 = 1'483'228'799.
  EXPECT_EQ(parseOk("2016-12-31T23:59:60Z"), 1'483'228'799 * kUs + 999'999);
  EXPECT_EQ(parseOk("2016-12-31T23:59:60.5Z"), 1'483'228'799 * kUs + 999'999);
  // Still ordered after the rest of second 59.
  EXPECT_LT(parseOk("2016-12-31T23:59:59.999998Z"), parseOk("2016-12-31T23:59:60Z"));
}

TEST(TimestampTest, FractionDigits) {
  EXPECT_EQ(parseOk("1970-01-01T00:00:01.5Z"), 1'500'000);
  EXPECT_EQ(parseOk("1970-01-01T00:00:01.12Z"), 1'120'000);
  EXPECT_EQ(parseOk("1970-01-01T00:00:01.123456Z"), 1'123'456);
  // 7..9 digits are truncated (not rounded) to microseconds.
  EXPECT_EQ(parseOk("1970-01-01T00:00:01.1234567Z"), 1'123'456);
  EXPECT_EQ(parseOk("1970-01-01T00:00:01.123456789Z"), 1'123'456);
  EXPECT_EQ(parseOk("1970-01-01T00:00:01.999999999Z"), 1'999'999);
  EXPECT_EQ(parseOk("1970-01-01T00:00:01.000000999Z"), 1'000'000);
  EXPECT_FALSE(parses("1970-01-01T00:00:01.1234567890Z"));  // 10 digits
  EXPECT_FALSE(parses("1970-01-01T00:00:01.Z"));
  EXPECT_FALSE(parses("1970-01-01T00:00:01,5Z"));
}

TEST(TimestampTest, LowercaseSeparators) {
  EXPECT_EQ(parseOk("2026-11-23t09:15:30.123456z"), 1'795'425'330 * kUs + 123'456);
}

TEST(TimestampTest, BeforeTheEpoch) {
  EXPECT_EQ(parseOk("1969-12-31T23:59:59.5Z"), -500'000);
  // 1960-01-01: 10 years back with leap days 1960, 1964, 1968 = -3653 days = -315'619'200 s.
  EXPECT_EQ(parseOk("1960-01-01T00:00:00Z"), -315'619'200 * kUs);
}

TEST(TimestampTest, RangeLimits) {
  EXPECT_EQ(parseOk("0000-01-01T00:00:00Z"), kMinTimestampUs);
  EXPECT_EQ(parseOk("9999-12-31T23:59:59.999999Z"), kMaxTimestampUs);
  // Offsets that push the UTC time outside years 0000..9999 are refused.
  EXPECT_FALSE(parses("0000-01-01T00:30:00+01:00"));
  EXPECT_FALSE(parses("9999-12-31T23:30:00-01:00"));
}

TEST(TimestampTest, MalformedText) {
  for (const std::string_view text : {
           "",
           "2026-11-23",
           "2026-11-23T10:15:30",        // no offset: local time is ambiguous
           "2026-11-23T10:15Z",          // seconds are required
           "2026-11-23 10:15:30Z",       // space separator
           "2026-11-23T10:15:30+0100",   // offset without colon
           "2026-11-23T10:15:30+01",     // offset without minutes
           "2026-11-23T10:15:30+24:00",  // offset hour out of range
           "2026-11-23T10:15:30+01:60",  // offset minute out of range
           "2026-11-23T10:15:30ZZ",      // trailing garbage
           "2026-11-23T10:15:30Z ",
           " 2026-11-23T10:15:30Z",
           "+2026-11-23T10:15:30Z",
           "26-11-23T10:15:30Z",
           "2026-1-23T10:15:30Z",
           "2026/11/23T10:15:30Z",
           "2026-11-23T10:15:3aZ",
           "20261123T101530Z",  // basic ISO 8601 format is not RFC 3339
           "1700000000000",
       }) {
    EXPECT_FALSE(parses(text)) << '"' << text << '"';
  }
}

TEST(TimestampTest, FailureLeavesOutputUntouched) {
  std::int64_t us = 42;
  EXPECT_FALSE(parseRfc3339("2023-02-29T00:00:00Z", us));
  EXPECT_EQ(us, 42);
}

TEST(TimestampTest, Format) {
  EXPECT_EQ(formatRfc3339(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(formatRfc3339(1'795'425'330 * kUs + 123'456), "2026-11-23T09:15:30.123456Z");
  EXPECT_EQ(formatRfc3339(1'709'208'000 * kUs), "2024-02-29T12:00:00.000000Z");
  EXPECT_EQ(formatRfc3339(-500'000), "1969-12-31T23:59:59.500000Z");
  EXPECT_EQ(formatRfc3339(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(formatRfc3339(kMinTimestampUs), "0000-01-01T00:00:00.000000Z");
  EXPECT_EQ(formatRfc3339(kMaxTimestampUs), "9999-12-31T23:59:59.999999Z");
}

TEST(TimestampTest, FormatParseRoundTrip) {
  // Step through ~400 years in uneven strides so every month, leap day and time of day is hit.
  constexpr std::int64_t kStep = 86'400 * kUs * 37 / 3 + 123'457;
  for (std::int64_t us = -300LL * 365 * 86'400 * kUs; us < 100LL * 365 * 86'400 * kUs; us += kStep) {
    std::int64_t back = 0;
    ASSERT_TRUE(parseRfc3339(formatRfc3339(us), back)) << formatRfc3339(us);
    ASSERT_EQ(back, us) << formatRfc3339(us);
  }
}

}  // namespace
}  // namespace ccpulse
