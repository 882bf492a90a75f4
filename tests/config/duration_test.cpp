#include "ccpulse/config/duration.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>

namespace ccpulse {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(DurationParse, EveryUnit) {
  EXPECT_EQ(parseDuration("7us"), microseconds(7));
  EXPECT_EQ(parseDuration("500ms"), milliseconds(500));
  EXPECT_EQ(parseDuration("20s"), seconds(20));
  EXPECT_EQ(parseDuration("15m"), minutes(15));
  EXPECT_EQ(parseDuration("1h"), hours(1));
  EXPECT_EQ(parseDuration("24h"), hours(24));
  EXPECT_EQ(parseDuration("2d"), hours(48));
}

TEST(DurationParse, ZeroAndLeadingZeros) {
  EXPECT_EQ(parseDuration("0s"), microseconds(0));
  EXPECT_EQ(parseDuration("0us"), microseconds(0));
  EXPECT_EQ(parseDuration("007s"), seconds(7));
}

TEST(DurationParse, RejectsMalformed) {
  for (const char* text : {"",     "s",   "ms",    "20",     "0",     "-5s", "+5s",   "1.5s",  "1,5s", "20 s", " 20s",
                           "20s ", "20S", "20sec", "20mins", "1h30m", "abc", "0x10s", "1e3ms", "20ns", "us20"}) {
    EXPECT_FALSE(parseDuration(text).has_value()) << "'" << text << "'";
  }
}

TEST(DurationParse, ReasonsNameTheProblem) {
  std::string why;
  EXPECT_FALSE(parseDuration("20", why));
  EXPECT_NE(why.find("duration needs a unit, e.g. 20s"), std::string::npos) << why;
  EXPECT_FALSE(parseDuration("-5s", why));
  EXPECT_NE(why.find("must not be negative"), std::string::npos) << why;
  EXPECT_FALSE(parseDuration("1.5s", why));
  EXPECT_NE(why.find("fractions are not supported"), std::string::npos) << why;
  EXPECT_FALSE(parseDuration("3fortnights", why));
  EXPECT_NE(why.find("units: us, ms, s, m, h, d"), std::string::npos) << why;
  EXPECT_FALSE(parseDuration("", why));
  EXPECT_NE(why.find("empty duration"), std::string::npos) << why;
  EXPECT_FALSE(parseDuration("99999999999999999999d", why));
  EXPECT_NE(why.find("too large"), std::string::npos) << why;

  why = "untouched";
  EXPECT_EQ(parseDuration("3s", why), seconds(3));
  EXPECT_EQ(why, "untouched");
}

TEST(DurationParse, OverflowBoundary) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(parseDuration(std::to_string(kMax) + "us"), microseconds(kMax));
  EXPECT_FALSE(parseDuration("9223372036854775808us").has_value());  // max + 1
  const std::int64_t maxDays = kMax / 86'400'000'000;
  EXPECT_EQ(parseDuration(std::to_string(maxDays) + "d"), hours(24 * maxDays));
  EXPECT_FALSE(parseDuration(std::to_string(maxDays + 1) + "d").has_value());
  const std::int64_t maxMillis = kMax / 1000;
  EXPECT_EQ(parseDuration(std::to_string(maxMillis) + "ms"), milliseconds(maxMillis));
  EXPECT_FALSE(parseDuration(std::to_string(maxMillis + 1) + "ms").has_value());
}

TEST(DurationFormat, LargestExactUnit) {
  EXPECT_EQ(formatDuration(microseconds(0)), "0s");
  EXPECT_EQ(formatDuration(microseconds(1)), "1us");
  EXPECT_EQ(formatDuration(microseconds(1500)), "1500us");
  EXPECT_EQ(formatDuration(milliseconds(5)), "5ms");
  EXPECT_EQ(formatDuration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(formatDuration(seconds(20)), "20s");
  EXPECT_EQ(formatDuration(seconds(90)), "90s");
  EXPECT_EQ(formatDuration(minutes(15)), "15m");
  EXPECT_EQ(formatDuration(minutes(90)), "90m");
  EXPECT_EQ(formatDuration(hours(1)), "1h");
  EXPECT_EQ(formatDuration(hours(24)), "1d");
  EXPECT_EQ(formatDuration(hours(36)), "36h");
  EXPECT_EQ(formatDuration(seconds(-20)), "-20s");
  EXPECT_EQ(formatDuration(microseconds(std::numeric_limits<std::int64_t>::min())), "-9223372036854775808us");
}

TEST(DurationFormat, RoundTripsThroughParse) {
  for (const std::int64_t us :
       {std::int64_t{0}, std::int64_t{1}, std::int64_t{999}, std::int64_t{1000}, std::int64_t{1'000'001},
        std::int64_t{60'000'000}, std::int64_t{3'600'000'000}, std::int64_t{86'400'000'000},
        std::int64_t{90'061'000'000}, std::numeric_limits<std::int64_t>::max()}) {
    const std::string text = formatDuration(microseconds(us));
    EXPECT_EQ(parseDuration(text), microseconds(us)) << text;
  }
}

}  // namespace
}  // namespace ccpulse
