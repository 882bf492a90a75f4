#pragma once
/// Injected wall clock. Components that need "now" (oldest waiting age, window rotation) take a
/// `const Clock&` so tests control time. Implementations are thread-safe.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace ccpulse {

class Clock {
 public:
  virtual ~Clock() = default;
  /// Microseconds since the Unix epoch.
  [[nodiscard]] virtual std::int64_t nowUs() const noexcept = 0;
};

class SystemClock final : public Clock {
 public:
  [[nodiscard]] std::int64_t nowUs() const noexcept override {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

/// A clock tests set by hand. Relaxed ordering: the value itself is the only shared datum.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t startUs = 0) : nowUs_(startUs) {}
  [[nodiscard]] std::int64_t nowUs() const noexcept override { return nowUs_.load(std::memory_order_relaxed); }
  void setUs(std::int64_t us) noexcept { nowUs_.store(us, std::memory_order_relaxed); }
  void advanceUs(std::int64_t us) noexcept { nowUs_.fetch_add(us, std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> nowUs_;
};

/// Monotonic nanoseconds for latency measurement only (never for event time).
[[nodiscard]] inline std::int64_t steadyNowNs() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace ccpulse
