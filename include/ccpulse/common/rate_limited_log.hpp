#pragma once
/// Rate limiter for log lines on degraded paths (drops, rejects, gaps): at most one line per
/// interval per limiter, reporting how many were suppressed since. Thread-safe and lock-free; the
/// CAS on `nextAllowedNs_` decides which thread logs, relaxed ordering suffices because only the
/// counter values (not other memory) are communicated.

#include <atomic>
#include <cstdint>

#include "ccpulse/common/clock.hpp"

namespace ccpulse {

class RateLimitedLog final {
 public:
  explicit RateLimitedLog(std::int64_t intervalNs = 5'000'000'000) : intervalNs_(intervalNs) {}

  /// Returns true when the caller should log now; `suppressed` receives the number of calls that
  /// were not logged since the previous true.
  bool shouldLog(std::uint64_t& suppressed) noexcept {
    const std::int64_t now = steadyNowNs();
    std::int64_t next = nextAllowedNs_.load(std::memory_order_relaxed);
    if (now >= next && nextAllowedNs_.compare_exchange_strong(next, now + intervalNs_, std::memory_order_relaxed)) {
      suppressed = suppressed_.exchange(0, std::memory_order_relaxed);
      return true;
    }
    suppressed_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }

 private:
  std::int64_t intervalNs_;
  std::atomic<std::int64_t> nextAllowedNs_{0};
  std::atomic<std::uint64_t> suppressed_{0};
};

}  // namespace ccpulse
