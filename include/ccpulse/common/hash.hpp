#pragma once
/// Stable 64-bit FNV-1a hashing used for routing and compact keys. Pure functions; thread-safe.
/// FNV-1a is chosen for determinism across runs and builds (std::hash is not guaranteed stable),
/// which keeps shard routing reproducible; a final avalanche step spreads low-entropy ids.

#include <cstdint>
#include <string_view>

namespace ccpulse {

inline constexpr std::uint64_t kFnvOffset = 14695981039346656037ULL;
inline constexpr std::uint64_t kFnvPrime = 1099511628211ULL;

[[nodiscard]] constexpr std::uint64_t hashAppend(std::uint64_t state, std::string_view text) noexcept {
  for (const char c : text) {
    state ^= static_cast<std::uint8_t>(c);
    state *= kFnvPrime;
  }
  // A separator so that ("ab","c") and ("a","bc") differ.
  state ^= 0xffU;
  state *= kFnvPrime;
  return state;
}

/// splitmix64 finaliser: makes every output bit depend on every input bit.
[[nodiscard]] constexpr std::uint64_t hashMix(std::uint64_t x) noexcept {
  x ^= x >> 30U;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27U;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31U;
  return x;
}

[[nodiscard]] constexpr std::uint64_t hashKey(std::string_view a) noexcept {
  return hashMix(hashAppend(kFnvOffset, a));
}
[[nodiscard]] constexpr std::uint64_t hashKey(std::string_view a, std::string_view b) noexcept {
  return hashMix(hashAppend(hashAppend(kFnvOffset, a), b));
}
[[nodiscard]] constexpr std::uint64_t hashKey(std::string_view a, std::string_view b, std::string_view c) noexcept {
  return hashMix(hashAppend(hashAppend(hashAppend(kFnvOffset, a), b), c));
}
[[nodiscard]] constexpr std::uint64_t hashKey(std::string_view a, std::string_view b, std::string_view c,
                                              std::string_view d) noexcept {
  return hashMix(hashAppend(hashAppend(hashAppend(hashAppend(kFnvOffset, a), b), c), d));
}

}  // namespace ccpulse
