#pragma once
/// Per-publisher sequence tracking for one source: counts gaps (missing numbers), repeats
/// (resent numbers, which are ignored) and publisher restarts. Owned by the source's ingest
/// thread (observe() is not thread-safe); the per-publisher counters it keeps are published
/// through a PublishedList so that /api/v1/sources can read them from the control thread
/// without a lock (see engine/published.hpp for the memory-order argument). Memory is bounded
/// by `maxPublishers`.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ccpulse/engine/published.hpp"

namespace ccpulse {

/// One publisher's sequence counters. The name is immutable after construction; the counters
/// are written by the owning ingest thread only and read by any thread.
struct PublisherStats {
  explicit PublisherStats(std::string_view publisherName) : name(publisherName) {}
  const std::string name;
  PubU64 lastSeq;   ///< highest (or, after a restart, latest) sequence number accepted
  PubU64 events;    ///< events accepted (not repeats)
  PubU64 gaps;      ///< numbers skipped: events that never arrived
  PubU64 repeats;   ///< events ignored because their number was not new
  PubU64 restarts;  ///< sequence went back to 0 or 1 after a higher number
};

class SequenceTracker final {
 public:
  enum class Verdict : std::uint8_t {
    kInOrder,    ///< first seen, or exactly the next number
    kGap,        ///< numbers were skipped; `missing` says how many
    kRepeat,     ///< not above the last number seen: a resend, to be ignored
    kRestart,    ///< 0 or 1 after a higher number: the publisher restarted
    kUntracked,  ///< too many publishers; not tracked
  };

  explicit SequenceTracker(std::size_t maxPublishers = 4096)
      : maxPublishers_(maxPublishers), publishers_(maxPublishers) {}

  Verdict observe(std::string_view publisher, std::uint64_t seq, std::uint64_t& missing);
  [[nodiscard]] std::size_t publisherCount() const noexcept { return last_.size(); }
  /// Any thread: the publishers seen so far, in order of first appearance.
  [[nodiscard]] const PublishedList<PublisherStats>& publishers() const noexcept { return publishers_; }
  /// Any thread: events whose publisher was not tracked because `maxPublishers` was reached.
  [[nodiscard]] std::uint64_t untracked() const noexcept { return untracked_.get(); }
  /// Checkpointing (owner thread): visits every publisher as f(name, last number seen).
  template <typename F>
  void forEach(F&& f) const {
    for (const auto& [publisher, stats] : last_) {
      f(publisher, stats->lastSeq.get());
    }
  }
  /// Restore (owner thread, before ingestion starts): the last number seen from `publisher`.
  /// Only the position is restored; the per-publisher counters of /api/v1/sources restart at 0.
  void restore(std::string_view publisher, std::uint64_t last);

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::size_t maxPublishers_;
  PublishedList<PublisherStats> publishers_;
  PubU64 untracked_;
  std::unordered_map<std::string, PublisherStats*, Hash, std::equal_to<>> last_;
};

}  // namespace ccpulse
