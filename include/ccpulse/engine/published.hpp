#pragma once
/// Values written by exactly one thread (a shard worker) and read concurrently by scrapes.
///
/// Memory orders: every value is independent and monotonic or last-write-wins, so relaxed loads
/// and stores suffice: a scrape may see counter A from slightly before counter B, which
/// Prometheus semantics tolerate (each series is sampled on its own). No read-modify-write is
/// needed because there is one writer, so `add` is a plain load + store (cheaper than fetch_add).
/// `PublishedList` publishes newly created objects with a release store of its size that readers
/// load with acquire, so an object's constructor (its immutable labels) happens-before any read.

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace ccpulse {

/// A counter or gauge of unsigned integers. Single writer, many readers.
class PubU64 final {
 public:
  void add(std::uint64_t delta) noexcept {
    value_.store(value_.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
  }
  void set(std::uint64_t value) noexcept { value_.store(value, std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t get() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

/// A signed gauge (e.g. contacts waiting). Single writer, many readers.
class PubI64 final {
 public:
  void add(std::int64_t delta) noexcept {
    value_.store(value_.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
  }
  void set(std::int64_t value) noexcept { value_.store(value, std::memory_order_relaxed); }
  [[nodiscard]] std::int64_t get() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

/// A double counter or gauge. Single writer, many readers.
class PubF64 final {
 public:
  void add(double delta) noexcept {
    value_.store(value_.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
  }
  void set(double value) noexcept { value_.store(value, std::memory_order_relaxed); }
  [[nodiscard]] double get() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

/// Append-only list of objects with a capacity fixed at construction: the owner appends (and
/// constructs) on its thread; readers on other threads see a prefix. Objects are never removed
/// while the list lives, so readers need no lock and no hazard pointers.
template <typename T>
class PublishedList final {
 public:
  explicit PublishedList(std::size_t capacity)
      : capacity_(capacity), slots_(std::make_unique<std::unique_ptr<T>[]>(capacity)) {}

  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }

  /// Owner only. Returns nullptr when full.
  T* append(std::unique_ptr<T> object) noexcept {
    const std::size_t n = size_.load(std::memory_order_relaxed);
    if (n >= capacity_) {
      return nullptr;
    }
    slots_[n] = std::move(object);
    size_.store(n + 1, std::memory_order_release);
    return slots_[n].get();
  }

  /// Any thread.
  [[nodiscard]] std::size_t size() const noexcept { return size_.load(std::memory_order_acquire); }
  /// Any thread, for i < size().
  [[nodiscard]] T& at(std::size_t i) const noexcept { return *slots_[i]; }

 private:
  std::size_t capacity_;
  std::unique_ptr<std::unique_ptr<T>[]> slots_;
  std::atomic<std::size_t> size_{0};
};

}  // namespace ccpulse
