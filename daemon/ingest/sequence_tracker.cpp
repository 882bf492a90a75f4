#include "ccpulse/ingest/sequence_tracker.hpp"

#include <memory>

namespace ccpulse {

SequenceTracker::Verdict SequenceTracker::observe(std::string_view publisher, std::uint64_t seq,
                                                  std::uint64_t& missing) {
  missing = 0;
  auto it = last_.find(publisher);
  if (it == last_.end()) {
    if (last_.size() >= maxPublishers_) {
      untracked_.add(1);
      return Verdict::kUntracked;
    }
    // A new publisher allocates once; steady state finds it without allocating (heterogeneous lookup).
    PublisherStats* stats = publishers_.append(std::make_unique<PublisherStats>(publisher));
    stats->lastSeq.set(seq);
    stats->events.add(1);
    last_.emplace(std::string(publisher), stats);
    return Verdict::kInOrder;
  }
  PublisherStats& p = *it->second;
  const std::uint64_t last = p.lastSeq.get();
  if (seq == last + 1) {
    p.lastSeq.set(seq);
    p.events.add(1);
    return Verdict::kInOrder;
  }
  if (seq > last) {
    missing = seq - last - 1;
    p.lastSeq.set(seq);
    p.events.add(1);
    p.gaps.add(missing);
    return Verdict::kGap;
  }
  if (seq <= 1 && last > 1) {
    p.lastSeq.set(seq);
    p.events.add(1);
    p.restarts.add(1);
    return Verdict::kRestart;
  }
  p.repeats.add(1);
  return Verdict::kRepeat;
}

void SequenceTracker::restore(std::string_view publisher, std::uint64_t last) {
  auto it = last_.find(publisher);
  if (it == last_.end()) {
    if (last_.size() >= maxPublishers_) {
      return;
    }
    it = last_.emplace(std::string(publisher), publishers_.append(std::make_unique<PublisherStats>(publisher))).first;
  }
  it->second->lastSeq.set(last);
}

}  // namespace ccpulse
