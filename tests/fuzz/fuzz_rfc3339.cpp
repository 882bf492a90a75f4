// Fuzz target: parseRfc3339 / formatRfc3339 (daemon/decode/timestamp.cpp).
//  - Differential: the parser must accept exactly what an independent, deliberately plain
//    reference (std::chrono calendar types, no shared code) accepts, and give the same instant.
//  - Round trip: anything parsed formats back to text that parses to the same microsecond.
//  - The input's first 8 bytes, folded into the accepted range, must format and parse back too,
//    so the formatter sees instants the text grammar rarely produces (e.g. year 0, negative µs).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "ccpulse/decode/json_decoder.hpp"
#include "fuzz_check.hpp"

namespace {

// Reads `count` digits at `pos`; nullopt if any is missing or not a digit.
std::optional<int> number(std::string_view text, std::size_t pos, std::size_t count) {
  if (pos + count > text.size()) {
    return std::nullopt;
  }
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') {
      return std::nullopt;
    }
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

// The reference: docs/events.md's grammar written out directly, with the calendar left to
// std::chrono (which knows month lengths and leap years on its own).
std::optional<std::int64_t> referenceParse(std::string_view text) {
  using namespace std::chrono;
  const auto sep = [&](std::size_t pos, char a, char b) {
    return pos < text.size() && (text[pos] == a || text[pos] == b);
  };
  const auto y = number(text, 0, 4);
  const auto mo = number(text, 5, 2);
  const auto d = number(text, 8, 2);
  const auto h = number(text, 11, 2);
  const auto mi = number(text, 14, 2);
  const auto s = number(text, 17, 2);
  if (!y || !mo || !d || !h || !mi || !s || !sep(4, '-', '-') || !sep(7, '-', '-') || !sep(10, 'T', 't') ||
      !sep(13, ':', ':') || !sep(16, ':', ':')) {
    return std::nullopt;
  }
  const year_month_day date{year{*y}, month{static_cast<unsigned>(*mo)}, day{static_cast<unsigned>(*d)}};
  if (!date.ok() || *h > 23 || *mi > 59 || *s > 60) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  std::int64_t fraction = 0;  // microseconds, truncated
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::size_t digits = 0;
    while (pos + digits < text.size() && text[pos + digits] >= '0' && text[pos + digits] <= '9') {
      ++digits;
    }
    if (digits < 1 || digits > 9) {
      return std::nullopt;
    }
    std::string micros(text.substr(pos, digits < 6 ? digits : 6));
    micros.resize(6, '0');
    fraction = std::stoll(micros);
    pos += digits;
  }
  const std::string_view zone = text.substr(pos);
  minutes offset{0};
  if (zone == "Z" || zone == "z") {
    // UTC
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    const auto oh = number(zone, 1, 2);
    const auto om = number(zone, 4, 2);
    if (!oh || !om || *oh > 23 || *om > 59) {
      return std::nullopt;
    }
    offset = hours{*oh} + minutes{*om};
    if (zone[0] == '-') {
      offset = -offset;
    }
  } else {
    return std::nullopt;
  }
  if (*s == 60) {
    fraction = 999'999;  // a leap second is the last microsecond of second 59
  }
  const sys_time<microseconds> instant =
      sys_days{date} + hours{*h} + minutes{*mi} + seconds{*s == 60 ? 59 : *s} + microseconds{fraction} - offset;
  const std::int64_t us = instant.time_since_epoch().count();
  if (us < ccpulse::kMinTimestampUs || us > ccpulse::kMaxTimestampUs) {
    return std::nullopt;
  }
  return us;
}

void checkRoundTrip(std::int64_t us) {
  const std::string text = ccpulse::formatRfc3339(us);
  CCPULSE_FUZZ_CHECK(text.size() == 27 && text[10] == 'T' && text[26] == 'Z');
  std::int64_t back = 0;
  CCPULSE_FUZZ_CHECK(ccpulse::parseRfc3339(text, back));
  CCPULSE_FUZZ_CHECK(back == us);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  std::int64_t parsed = 0;
  const bool ok = ccpulse::parseRfc3339(text, parsed);
  const std::optional<std::int64_t> expected = referenceParse(text);
  CCPULSE_FUZZ_CHECK(ok == expected.has_value());
  if (ok) {
    CCPULSE_FUZZ_CHECK(parsed == *expected);
    checkRoundTrip(parsed);
  }

  if (size >= sizeof(std::uint64_t)) {
    std::uint64_t raw = 0;
    std::memcpy(&raw, data, sizeof raw);
    constexpr auto kSpan = static_cast<std::uint64_t>(ccpulse::kMaxTimestampUs - ccpulse::kMinTimestampUs) + 1;
    checkRoundTrip(ccpulse::kMinTimestampUs + static_cast<std::int64_t>(raw % kSpan));
  }
  return 0;
}
