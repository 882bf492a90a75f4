#pragma once
/// Values written by exactly one thread (a shard worker) and read concurrently by scrapes.
///
/// Memory orders: every value is independent and monotonic or last-write-wins, so relaxed loads
/// and stores suffice: a scrape may see counter A from slightly before counter B, which
/// Prometheus semantics tolerate (each series is sampled on its own). No read-modify-write is
/// needed because there is one writer, so `add` is a plain load + store (cheaper than fetch_add).
/// `PublishedList` publishes newly created objects with a release store of its size that readers
/// load with acquire, so an object's constructor (its immutable labels) happens-before any read.

#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>

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

/// A whole trivially copyable value (made of 8-byte fields) published by one writer and read
/// consistently by any thread: a sequence lock. Used where a reader needs several fields from the
/// same moment (a period's numerator and denominator), which independent PubU64s cannot give.
///
/// Memory orders (the standard seqlock recipe with atomic payload words, so there is no data
/// race): the writer makes the sequence odd (relaxed), a release fence orders that before the
/// payload stores (relaxed), and the final even store is a release. The reader's acquire load of
/// the sequence pairs with that release; an acquire fence after the payload loads orders them
/// before the second (relaxed) sequence load, so equal even sequences prove no write overlapped.
template <typename T>
class PubSnapshot final {
  static_assert(std::is_trivially_copyable_v<T> && sizeof(T) % 8 == 0, "8-byte words only");
  static constexpr std::size_t kWords = sizeof(T) / 8;

 public:
  /// Owner only. Never blocks.
  void write(const T& value) noexcept {
    const auto words = std::bit_cast<std::array<std::uint64_t, kWords>>(value);
    const std::uint64_t seq = seq_.load(std::memory_order_relaxed);
    seq_.store(seq + 1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    for (std::size_t i = 0; i < kWords; ++i) {
      words_[i].store(words[i], std::memory_order_relaxed);
    }
    seq_.store(seq + 2, std::memory_order_release);
  }
  /// Any thread: a consistent copy; retries while a write overlaps (writes are rare and short).
  [[nodiscard]] T read() const noexcept {
    std::array<std::uint64_t, kWords> words{};
    for (;;) {
      const std::uint64_t before = seq_.load(std::memory_order_acquire);
      if ((before & 1U) == 0) {
        for (std::size_t i = 0; i < kWords; ++i) {
          words[i] = words_[i].load(std::memory_order_relaxed);
        }
        std::atomic_thread_fence(std::memory_order_acquire);
        if (seq_.load(std::memory_order_relaxed) == before) {
          break;
        }
      }
    }
    return std::bit_cast<T>(words);
  }
  /// Any thread: whether anything was ever written.
  [[nodiscard]] bool written() const noexcept { return seq_.load(std::memory_order_acquire) != 0; }

 private:
  std::atomic<std::uint64_t> seq_{0};
  std::array<std::atomic<std::uint64_t>, kWords> words_{};
};

}  // namespace ccpulse
