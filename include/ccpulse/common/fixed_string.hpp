#pragma once
/// Fixed-capacity inline string: events carry their identifiers by value so that a decoded event
/// is trivially copyable into a ring slot with no heap allocation. Not thread-safe (a value type).

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ccpulse {

template <std::size_t Capacity>
class FixedString final {
  static_assert(Capacity > 0 && Capacity < 256, "size is kept in one byte");

 public:
  static constexpr std::size_t kCapacity = Capacity;

  constexpr FixedString() = default;

  /// Copies `text` in; returns false (and leaves the value unchanged) when it does not fit.
  constexpr bool assign(std::string_view text) noexcept {
    if (text.size() > Capacity) {
      return false;
    }
    std::copy(text.begin(), text.end(), data_.begin());
    size_ = static_cast<std::uint8_t>(text.size());
    return true;
  }

  constexpr void clear() noexcept { size_ = 0; }
  [[nodiscard]] constexpr std::string_view view() const noexcept { return {data_.data(), size_}; }
  [[nodiscard]] std::string str() const { return std::string(view()); }
  [[nodiscard]] constexpr bool empty() const noexcept { return size_ == 0; }
  [[nodiscard]] constexpr std::size_t size() const noexcept { return size_; }

  friend constexpr bool operator==(const FixedString& a, const FixedString& b) noexcept { return a.view() == b.view(); }

 private:
  std::array<char, Capacity> data_{};
  std::uint8_t size_ = 0;
};

}  // namespace ccpulse
