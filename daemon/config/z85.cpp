#include "ccpulse/config/z85.hpp"

namespace ccpulse {
namespace {

constexpr std::string_view kAlphabet =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

int digitOf(char c) noexcept {
  const auto pos = kAlphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

}  // namespace

std::optional<std::array<std::uint8_t, 32>> decodeZ85Key(std::string_view text) noexcept {
  if (text.size() != kZ85KeyLength) {
    return std::nullopt;
  }
  std::array<std::uint8_t, 32> out{};
  for (std::size_t group = 0; group < 8; ++group) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < 5; ++i) {
      const int digit = digitOf(text[group * 5 + i]);
      if (digit < 0) {
        return std::nullopt;
      }
      value = value * 85 + static_cast<std::uint64_t>(digit);
    }
    if (value > 0xFFFFFFFFULL) {
      return std::nullopt;
    }
    for (std::size_t i = 0; i < 4; ++i) {
      out[group * 4 + i] = static_cast<std::uint8_t>(value >> (24 - 8 * i));
    }
  }
  return out;
}

}  // namespace ccpulse
