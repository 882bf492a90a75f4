#pragma once
/// Z85 text (ZeroMQ RFC 32) for CURVE keys: validation and decoding without libzmq, so that the
/// config loader checks keys at load time. Pure functions; thread-safe.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ccpulse {

/// Length of a CURVE key (public or secret) in Z85 text.
inline constexpr std::size_t kZ85KeyLength = 40;

/// Decodes a 40-character Z85 key into its 32 bytes; nullopt if the length, an alphabet
/// character or a group's value (over 2^32 - 1) is wrong.
[[nodiscard]] std::optional<std::array<std::uint8_t, 32>> decodeZ85Key(std::string_view text) noexcept;

}  // namespace ccpulse
