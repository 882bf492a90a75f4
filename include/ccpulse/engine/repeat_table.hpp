#pragma once
/// Repeat-contact detection for first-contact resolution by repeat (docs/contracts.md): a
/// fixed-size table of the last time each customer queued, shared by every shard because
/// contacts are sharded by contact, not by customer. Lock-free and allocation-free after
/// construction: one atomic exchange per contact.queued. Thread-safe.
///
/// Memory is bounded by `slots` × 8 bytes. A slot holds a 16-bit customer tag, a 16-bit contact
/// tag and the time in whole seconds; a customer whose slot was taken by another customer since
/// their last contact is not seen as a repeat (the table errs towards "first contact").

#include <atomic>
#include <cstdint>
#include <memory>

namespace ccpulse {

class RepeatTable final {
 public:
  RepeatTable(std::size_t slots, std::int64_t windowUs)
      : mask_(roundUp(slots) - 1),
        windowSeconds_(windowUs / 1'000'000),
        slots_(new std::atomic<std::uint64_t>[mask_ + 1]) {
    for (std::size_t i = 0; i <= mask_; ++i) {
      slots_[i].store(0, std::memory_order_relaxed);
    }
  }

  /// Records that the customer (hash of tenant and customer id) queued contact `contactHash` at
  /// `tsUs`; true when the same customer queued a different contact within the window before.
  /// Relaxed: the slot is the only datum exchanged; no other memory is published through it.
  bool observe(std::uint64_t customerHash, std::uint64_t contactHash, std::int64_t tsUs) noexcept {
    const auto seconds = static_cast<std::uint32_t>(tsUs / 1'000'000);
    const std::uint64_t customerTag = (customerHash >> 48U) & 0xffffU;
    const std::uint64_t contactTag = (contactHash >> 48U) & 0xffffU;
    const std::uint64_t value = (customerTag << 48U) | (contactTag << 32U) | seconds;
    const std::uint64_t old = slots_[customerHash & mask_].exchange(value, std::memory_order_relaxed);
    if (old == 0 || (old >> 48U) != customerTag || ((old >> 32U) & 0xffffU) == contactTag) {
      return false;
    }
    const auto then = static_cast<std::uint32_t>(old & 0xffffffffU);
    return seconds >= then && static_cast<std::int64_t>(seconds - then) <= windowSeconds_;
  }

 private:
  static std::size_t roundUp(std::size_t n) noexcept {
    std::size_t p = 1;
    while (p < n) {
      p <<= 1U;
    }
    return p;
  }

  std::size_t mask_;
  std::int64_t windowSeconds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> slots_;
};

}  // namespace ccpulse
