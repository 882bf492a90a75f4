// RFC 3339 parsing and formatting for event times. Pure integer arithmetic on the civil calendar
// (no timegm, no locale, no time zone database): publishers always state their UTC offset.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ccpulse/common/civil_time.hpp"
#include "ccpulse/decode/json_decoder.hpp"

namespace ccpulse {
namespace {

constexpr std::int64_t kMicrosPerSecond = 1'000'000;
constexpr std::int64_t kSecondsPerDay = 86'400;

static_assert(daysFromCivil(0, 1, 1) * kSecondsPerDay * kMicrosPerSecond == kMinTimestampUs);
static_assert(daysFromCivil(10000, 1, 1) * kSecondsPerDay * kMicrosPerSecond - 1 == kMaxTimestampUs);

constexpr bool isLeapYear(std::int64_t year) noexcept { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

constexpr unsigned daysInMonth(std::int64_t year, unsigned month) noexcept {
  constexpr std::array<unsigned, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && isLeapYear(year) ? 29 : kDays[month - 1];
}

constexpr bool isDigit(char c) noexcept { return c >= '0' && c <= '9'; }

// Reads exactly `count` ASCII digits at `pos`; false if any is not a digit or the text is short.
constexpr bool readDigits(std::string_view text, std::size_t pos, std::size_t count, unsigned& out) noexcept {
  if (pos + count > text.size()) {
    return false;
  }
  unsigned value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (!isDigit(text[i])) {
      return false;
    }
    value = value * 10 + static_cast<unsigned>(text[i] - '0');
  }
  out = value;
  return true;
}

constexpr bool charAt(std::string_view text, std::size_t pos, char expected) noexcept {
  return pos < text.size() && text[pos] == expected;
}

// Writes `value` as exactly `width` zero-padded digits starting at `begin`.
void writeDigits(char* begin, std::size_t width, std::uint64_t value) noexcept {
  for (std::size_t i = width; i > 0; --i) {
    begin[i - 1] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

bool parseRfc3339(std::string_view text, std::int64_t& outUs) noexcept {
  // Fixed layout "YYYY-MM-DDTHH:MM:SS", then optional ".f{1,9}", then "Z" or "±HH:MM".
  unsigned year = 0;
  unsigned month = 0;
  unsigned day = 0;
  unsigned hour = 0;
  unsigned minute = 0;
  unsigned second = 0;
  if (!readDigits(text, 0, 4, year) || !charAt(text, 4, '-') || !readDigits(text, 5, 2, month) ||
      !charAt(text, 7, '-') || !readDigits(text, 8, 2, day) || !(charAt(text, 10, 'T') || charAt(text, 10, 't')) ||
      !readDigits(text, 11, 2, hour) || !charAt(text, 13, ':') || !readDigits(text, 14, 2, minute) ||
      !charAt(text, 16, ':') || !readDigits(text, 17, 2, second)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 60) {
    return false;
  }

  std::size_t pos = 19;
  std::int64_t fractionUs = 0;
  if (charAt(text, pos, '.')) {
    ++pos;
    const std::size_t start = pos;
    // Up to nanoseconds are accepted; digits past the sixth are truncated, not rounded, so a
    // time never moves into the next microsecond (or second).
    std::int64_t scale = 100'000;
    while (pos < text.size() && isDigit(text[pos]) && pos - start < 9) {
      fractionUs += scale * (text[pos] - '0');
      scale /= 10;
      ++pos;
    }
    if (pos == start || (pos < text.size() && isDigit(text[pos]))) {
      return false;  // "." without digits, or more than 9 digits
    }
  }

  std::int64_t offsetSeconds = 0;
  if (charAt(text, pos, 'Z') || charAt(text, pos, 'z')) {
    ++pos;
  } else if (charAt(text, pos, '+') || charAt(text, pos, '-')) {
    const bool negative = text[pos] == '-';
    unsigned offsetHour = 0;
    unsigned offsetMinute = 0;
    if (!readDigits(text, pos + 1, 2, offsetHour) || !charAt(text, pos + 3, ':') ||
        !readDigits(text, pos + 4, 2, offsetMinute) || offsetHour > 23 || offsetMinute > 59) {
      return false;
    }
    offsetSeconds = (static_cast<std::int64_t>(offsetHour) * 3600 + offsetMinute * 60) * (negative ? -1 : 1);
    pos += 6;
  } else {
    return false;  // RFC 3339 requires an offset; a local time would be ambiguous
  }
  if (pos != text.size()) {
    return false;
  }

  if (second == 60) {
    // A leap second has no POSIX representation. Map the whole of it onto the last microsecond
    // of second 59, so it stays ordered after everything earlier in that minute.
    second = 59;
    fractionUs = kMicrosPerSecond - 1;
  }
  const std::int64_t days = daysFromCivil(year, month, day);
  const std::int64_t localSeconds = days * kSecondsPerDay + hour * 3600 + minute * 60 + second;
  const std::int64_t us = (localSeconds - offsetSeconds) * kMicrosPerSecond + fractionUs;
  // An offset can push years 0000 / 9999 outside what formatRfc3339 can print back.
  if (us < kMinTimestampUs || us > kMaxTimestampUs) {
    return false;
  }
  outUs = us;
  return true;
}

std::string formatRfc3339(std::int64_t us) {
  // Floor division so that times before 1970 still get a non-negative time of day.
  std::int64_t seconds = us / kMicrosPerSecond;
  std::int64_t micros = us % kMicrosPerSecond;
  if (micros < 0) {
    micros += kMicrosPerSecond;
    --seconds;
  }
  std::int64_t days = seconds / kSecondsPerDay;
  std::int64_t secondOfDay = seconds % kSecondsPerDay;
  if (secondOfDay < 0) {
    secondOfDay += kSecondsPerDay;
    --days;
  }
  const CivilDate date = civilFromDays(days);

  // "YYYY-MM-DDTHH:MM:SS.ffffffZ" is 27 characters; years outside 0..9999 (only reachable with
  // out-of-range input) are clamped into the 4-digit field rather than overflowing it.
  std::string out(27, '0');
  const std::int64_t year = date.year < 0 ? 0 : (date.year > 9999 ? 9999 : date.year);
  writeDigits(&out[0], 4, static_cast<std::uint64_t>(year));
  out[4] = '-';
  writeDigits(&out[5], 2, date.month);
  out[7] = '-';
  writeDigits(&out[8], 2, date.day);
  out[10] = 'T';
  writeDigits(&out[11], 2, static_cast<std::uint64_t>(secondOfDay / 3600));
  out[13] = ':';
  writeDigits(&out[14], 2, static_cast<std::uint64_t>(secondOfDay / 60 % 60));
  out[16] = ':';
  writeDigits(&out[17], 2, static_cast<std::uint64_t>(secondOfDay % 60));
  out[19] = '.';
  writeDigits(&out[20], 6, static_cast<std::uint64_t>(micros));
  out[26] = 'Z';
  return out;
}

}  // namespace ccpulse
