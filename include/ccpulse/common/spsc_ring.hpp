#pragma once
/// Bounded single-producer single-consumer ring. Thread-safe for exactly one producer thread and
/// one consumer thread; lock-free and allocation-free after construction.
///
/// Memory orders: the producer publishes a slot with a release store of `tail_`, and the consumer
/// reads `tail_` with acquire, so the slot's contents happen-before the consumer reads them; the
/// consumer frees a slot with a release store of `head_`, which the producer reads with acquire
/// before overwriting it. Each side caches the other's index so that the shared cache line is
/// touched only when the cached value says the ring looks full or empty.

#include <atomic>
#include <cstddef>
#include <memory>
#include <new>
#include <stdexcept>
#include <type_traits>

namespace ccpulse {

inline constexpr std::size_t kCacheLine = 64;

template <typename T>
class SpscRing final {
  static_assert(std::is_trivially_copyable_v<T>, "slots are copied with plain assignment");

 public:
  /// `capacity` is rounded up to a power of two.
  explicit SpscRing(std::size_t capacity) {
    std::size_t cap = 2;
    while (cap < capacity) {
      cap <<= 1U;
    }
    mask_ = cap - 1;
    slots_ = std::make_unique<T[]>(cap);
  }
  SpscRing(const SpscRing&) = delete;
  SpscRing& operator=(const SpscRing&) = delete;

  [[nodiscard]] std::size_t capacity() const noexcept { return mask_ + 1; }

  /// Producer only. Returns false when full.
  bool tryPush(const T& value) noexcept {
    return tryPushWith([&value](T& slot) noexcept { slot = value; });
  }

  /// Producer only: `fill(T&)` writes the element straight into its slot (no temporary copy of
  /// a large T). Returns false, without calling `fill`, when full.
  template <typename Fill>
  bool tryPushWith(Fill&& fill) noexcept {
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail - headCache_ > mask_) {
      headCache_ = head_.load(std::memory_order_acquire);
      if (tail - headCache_ > mask_) {
        return false;
      }
    }
    fill(slots_[tail & mask_]);
    tail_.store(tail + 1, std::memory_order_release);
    return true;
  }

  /// Consumer only. Returns the oldest element or nullptr when empty; call pop() when done with it.
  [[nodiscard]] T* front() noexcept {
    const std::size_t head = head_.load(std::memory_order_relaxed);
    if (head == tailCache_) {
      tailCache_ = tail_.load(std::memory_order_acquire);
      if (head == tailCache_) {
        return nullptr;
      }
    }
    return &slots_[head & mask_];
  }

  /// Consumer only; requires a preceding non-null front().
  void pop() noexcept { head_.store(head_.load(std::memory_order_relaxed) + 1, std::memory_order_release); }

  /// Any thread; approximate (the two loads are not one snapshot), for gauges only.
  [[nodiscard]] std::size_t sizeApprox() const noexcept {
    const std::size_t head = head_.load(std::memory_order_relaxed);
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    return tail >= head ? tail - head : 0;
  }

 private:
  alignas(kCacheLine) std::atomic<std::size_t> head_{0};
  alignas(kCacheLine) std::size_t tailCache_ = 0;  // consumer's copy of tail_
  alignas(kCacheLine) std::atomic<std::size_t> tail_{0};
  alignas(kCacheLine) std::size_t headCache_ = 0;  // producer's copy of head_
  alignas(kCacheLine) std::size_t mask_ = 0;
  std::unique_ptr<T[]> slots_;
};

}  // namespace ccpulse
