#pragma once
/// Rolling windows as a ring of clock-aligned time buckets keyed by event time. Owned by one
/// shard worker; not thread-safe. A bucket remembers which time slot it holds, so slots left
/// untouched while no events arrive are simply ignored when summed: windows decay on their own.

#include <cstddef>
#include <cstdint>
#include <memory>

namespace ccpulse {

template <typename Bucket>
class WindowRing final {
 public:
  /// `bucketUs` wide buckets, `bucketCount` of them (covering the longest window).
  WindowRing(std::int64_t bucketUs, std::size_t bucketCount)
      : bucketUs_(bucketUs), count_(bucketCount), slots_(std::make_unique<Slot[]>(bucketCount)) {}

  /// The bucket for event time `tsUs`, reset if it held an older slot; nullptr when `tsUs` is
  /// older than the ring covers relative to a newer slot already in its place.
  [[nodiscard]] Bucket* at(std::int64_t tsUs) noexcept {
    const std::int64_t index = floorDiv(tsUs, bucketUs_);
    Slot& slot = slots_[static_cast<std::size_t>(floorMod(index, static_cast<std::int64_t>(count_)))];
    if (slot.index != index) {
      if (slot.index > index) {
        return nullptr;
      }
      slot.index = index;
      slot.bucket = Bucket{};
    }
    return &slot.bucket;
  }

  /// Calls f(bucket) for every bucket whose slot lies in the `buckets` slots ending at `nowUs`.
  template <typename F>
  void forEachRecent(std::int64_t nowUs, std::size_t buckets, F&& f) const noexcept {
    const std::int64_t nowIndex = floorDiv(nowUs, bucketUs_);
    const std::int64_t oldest = nowIndex - static_cast<std::int64_t>(buckets) + 1;
    for (std::size_t i = 0; i < count_; ++i) {
      const Slot& slot = slots_[i];
      if (slot.index >= oldest && slot.index <= nowIndex) {
        f(slot.bucket, nowIndex - slot.index);
      }
    }
  }

  /// Checkpointing: visits every slot as f(slotIndex, timeSlot, bucket), and sets one back.
  template <typename F>
  void forEachSlot(F&& f) const {
    for (std::size_t i = 0; i < count_; ++i) {
      f(i, slots_[i].index, slots_[i].bucket);
    }
  }
  void restoreSlot(std::size_t i, std::int64_t index, const Bucket& bucket) noexcept {
    if (i < count_) {
      slots_[i].index = index;
      slots_[i].bucket = bucket;
    }
  }

  [[nodiscard]] std::int64_t bucketUs() const noexcept { return bucketUs_; }
  [[nodiscard]] std::size_t bucketCount() const noexcept { return count_; }

 private:
  static constexpr std::int64_t floorDiv(std::int64_t a, std::int64_t b) noexcept {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
  }
  static constexpr std::int64_t floorMod(std::int64_t a, std::int64_t b) noexcept { return a - floorDiv(a, b) * b; }

  struct Slot {
    std::int64_t index = INT64_MIN;
    Bucket bucket{};
  };
  std::int64_t bucketUs_;
  std::size_t count_;
  std::unique_ptr<Slot[]> slots_;
};

}  // namespace ccpulse
