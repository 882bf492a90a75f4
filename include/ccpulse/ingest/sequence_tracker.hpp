#pragma once
/// Per-publisher sequence tracking for one source: counts gaps (missing numbers), repeats
/// (resent numbers, which are ignored) and publisher restarts. Owned by the source's ingest
/// thread; not thread-safe. Memory is bounded by `maxPublishers`.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ccpulse {

class SequenceTracker final {
 public:
  enum class Verdict : std::uint8_t {
    kInOrder,    ///< first seen, or exactly the next number
    kGap,        ///< numbers were skipped; `missing` says how many
    kRepeat,     ///< not above the last number seen: a resend, to be ignored
    kRestart,    ///< 0 or 1 after a higher number: the publisher restarted
    kUntracked,  ///< too many publishers; not tracked
  };

  explicit SequenceTracker(std::size_t maxPublishers = 4096) : maxPublishers_(maxPublishers) {}

  Verdict observe(std::string_view publisher, std::uint64_t seq, std::uint64_t& missing);
  [[nodiscard]] std::size_t publisherCount() const noexcept { return last_.size(); }
  /// Checkpointing (owner thread): visits every publisher as f(name, last number seen).
  template <typename F>
  void forEach(F&& f) const {
    for (const auto& [publisher, last] : last_) {
      f(publisher, last);
    }
  }
  /// Restore (owner thread, before ingestion starts): the last number seen from `publisher`.
  void restore(std::string_view publisher, std::uint64_t last) {
    if (last_.size() < maxPublishers_ || last_.count(publisher) != 0) {
      last_.insert_or_assign(std::string(publisher), last);
    }
  }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::size_t maxPublishers_;
  std::unordered_map<std::string, std::uint64_t, Hash, std::equal_to<>> last_;
};

}  // namespace ccpulse
