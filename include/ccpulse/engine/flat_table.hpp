#pragma once
/// Fixed-capacity open-addressing hash table from a 64-bit key to a value, for the shard's
/// contacts in flight, agents and label sets. Owned by one thread; not thread-safe.
///
/// Why not std::unordered_map: it allocates a node per insert, and the hot path must not
/// allocate in steady state; a fixed capacity also bounds memory by construction. Linear probing
/// with backward-shift deletion keeps lookups short without tombstones. Key 0 marks an empty slot,
/// so callers' keys are remapped away from 0.

#include <cstddef>
#include <cstdint>
#include <memory>

namespace ccpulse {

template <typename V>
class FlatTable final {
 public:
  struct Slot {
    std::uint64_t key = 0;  ///< 0 = empty
    V value{};
  };

  /// Holds up to `maxEntries`; the slot array is sized for a load factor of at most 1/2.
  explicit FlatTable(std::size_t maxEntries) : maxEntries_(maxEntries) {
    std::size_t cap = 16;
    while (cap < maxEntries * 2) {
      cap <<= 1U;
    }
    mask_ = cap - 1;
    slots_ = std::make_unique<Slot[]>(cap);
  }

  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] std::size_t maxEntries() const noexcept { return maxEntries_; }
  [[nodiscard]] std::size_t slotCount() const noexcept { return mask_ + 1; }

  [[nodiscard]] V* find(std::uint64_t key) noexcept {
    key = fix(key);
    for (std::size_t i = key & mask_;; i = (i + 1) & mask_) {
      if (slots_[i].key == key) {
        return &slots_[i].value;
      }
      if (slots_[i].key == 0) {
        return nullptr;
      }
    }
  }

  /// Returns the existing or a new default value; nullptr when full. `inserted` tells which.
  V* findOrInsert(std::uint64_t key, bool& inserted) noexcept {
    key = fix(key);
    inserted = false;
    std::size_t i = key & mask_;
    for (;; i = (i + 1) & mask_) {
      if (slots_[i].key == key) {
        return &slots_[i].value;
      }
      if (slots_[i].key == 0) {
        break;
      }
    }
    if (size_ >= maxEntries_) {
      return nullptr;
    }
    slots_[i].key = key;
    slots_[i].value = V{};
    ++size_;
    inserted = true;
    return &slots_[i].value;
  }

  bool erase(std::uint64_t key) noexcept {
    key = fix(key);
    std::size_t i = key & mask_;
    for (;; i = (i + 1) & mask_) {
      if (slots_[i].key == 0) {
        return false;
      }
      if (slots_[i].key == key) {
        break;
      }
    }
    // Backward-shift: pull later members of the probe run into the hole so lookups that pass
    // through it still find them.
    std::size_t hole = i;
    for (std::size_t j = (i + 1) & mask_; slots_[j].key != 0; j = (j + 1) & mask_) {
      const std::size_t home = slots_[j].key & mask_;
      // Move j into the hole when its home position is not cyclically inside (hole, j].
      const bool homeInRange = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
      if (!homeInRange) {
        slots_[hole] = slots_[j];
        hole = j;
      }
    }
    slots_[hole].key = 0;
    --size_;
    return true;
  }

  /// Removes every entry (startup only: O(capacity)).
  void clear() noexcept {
    for (std::size_t i = 0; i <= mask_; ++i) {
      slots_[i].key = 0;
    }
    size_ = 0;
  }

  /// Visits every entry as f(key, value&). The table must not be modified during the visit.
  template <typename F>
  void forEach(F&& f) noexcept {
    for (std::size_t i = 0; i <= mask_; ++i) {
      if (slots_[i].key != 0) {
        f(slots_[i].key, slots_[i].value);
      }
    }
  }

 private:
  static constexpr std::uint64_t fix(std::uint64_t key) noexcept { return key == 0 ? 0x9e3779b97f4a7c15ULL : key; }

  std::size_t maxEntries_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
  std::unique_ptr<Slot[]> slots_;
};

}  // namespace ccpulse
