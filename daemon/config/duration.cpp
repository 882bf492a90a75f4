#include "ccpulse/config/duration.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <system_error>

namespace ccpulse {
namespace {

struct Unit {
  std::string_view suffix;
  std::int64_t micros;
};

// Largest first: formatDuration picks the first unit that divides the value exactly.
constexpr std::array<Unit, 6> kUnits{{
    {"d", 86'400'000'000},
    {"h", 3'600'000'000},
    {"m", 60'000'000},
    {"s", 1'000'000},
    {"ms", 1'000},
    {"us", 1},
}};

constexpr std::string_view kUnitList = "us, ms, s, m, h, d";

bool isDigit(char c) noexcept { return c >= '0' && c <= '9'; }

enum class Problem : std::uint8_t { kEmpty, kNegative, kNotANumber, kNoUnit, kFraction, kUnknownUnit, kTooLarge };

// Allocation-free so that the plain overload can be noexcept; the message is built separately.
std::optional<Micros> parse(std::string_view text, Problem& problem) noexcept {
  if (text.empty()) {
    problem = Problem::kEmpty;
    return std::nullopt;
  }
  if (text.front() == '-') {
    problem = Problem::kNegative;
    return std::nullopt;
  }
  std::size_t digits = 0;
  while (digits < text.size() && isDigit(text[digits])) {
    ++digits;
  }
  if (digits == 0) {
    problem = Problem::kNotANumber;
    return std::nullopt;
  }
  const std::string_view suffix = text.substr(digits);
  if (suffix.empty()) {
    problem = Problem::kNoUnit;
    return std::nullopt;
  }
  const Unit* unit = nullptr;
  for (const Unit& candidate : kUnits) {
    if (candidate.suffix == suffix) {
      unit = &candidate;
      break;
    }
  }
  if (unit == nullptr) {
    problem = suffix.front() == '.' || suffix.front() == ',' ? Problem::kFraction : Problem::kUnknownUnit;
    return std::nullopt;
  }
  std::uint64_t count = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + digits, count);
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (ec != std::errc{} || end != text.data() + digits || count > kMax / static_cast<std::uint64_t>(unit->micros)) {
    problem = Problem::kTooLarge;
    return std::nullopt;
  }
  return Micros(static_cast<std::int64_t>(count) * unit->micros);
}

std::string describe(Problem problem, std::string_view text) {
  const std::string quoted = "'" + std::string(text) + "'";
  switch (problem) {
    case Problem::kEmpty:
      return "empty duration (expected an integer and a unit, e.g. 20s)";
    case Problem::kNegative:
      return "duration must not be negative, got " + quoted;
    case Problem::kNotANumber:
      return "invalid duration " + quoted + " (expected an integer and a unit, e.g. 20s)";
    case Problem::kNoUnit:
      return "duration needs a unit, e.g. 20s (units: " + std::string(kUnitList) + ")";
    case Problem::kFraction:
      return "invalid duration " + quoted + " (fractions are not supported; use a smaller unit, e.g. 1500ms)";
    case Problem::kUnknownUnit:
      return "invalid duration " + quoted + " (units: " + std::string(kUnitList) + ")";
    case Problem::kTooLarge:
      return "duration " + quoted + " is too large";
  }
  return "invalid duration " + quoted;
}

}  // namespace

std::optional<Micros> parseDuration(std::string_view text) noexcept {
  Problem problem{};
  return parse(text, problem);
}

std::optional<Micros> parseDuration(std::string_view text, std::string& whyNot) {
  Problem problem{};
  auto result = parse(text, problem);
  if (!result) {
    whyNot = describe(problem, text);
  }
  return result;
}

std::string formatDuration(Micros duration) {
  const std::int64_t value = duration.count();
  if (value == 0) {
    return "0s";
  }
  // Work on the magnitude as unsigned so that the most negative value does not overflow.
  const std::uint64_t magnitude =
      value < 0 ? static_cast<std::uint64_t>(-(value + 1)) + 1U : static_cast<std::uint64_t>(value);
  std::string out = value < 0 ? "-" : "";
  for (const Unit& unit : kUnits) {
    const auto factor = static_cast<std::uint64_t>(unit.micros);
    if (magnitude % factor == 0) {
      out += std::to_string(magnitude / factor);
      out += unit.suffix;
      return out;
    }
  }
  return out;  // unreachable: the last unit divides everything
}

}  // namespace ccpulse
