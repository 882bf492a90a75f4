#include "ccpulse/ingest/sequence_tracker.hpp"

namespace ccpulse {

SequenceTracker::Verdict SequenceTracker::observe(std::string_view publisher, std::uint64_t seq,
                                                  std::uint64_t& missing) {
  missing = 0;
  auto it = last_.find(publisher);
  if (it == last_.end()) {
    if (last_.size() >= maxPublishers_) {
      return Verdict::kUntracked;
    }
    // A new publisher allocates once; steady state finds it without allocating (heterogeneous lookup).
    last_.emplace(std::string(publisher), seq);
    return Verdict::kInOrder;
  }
  std::uint64_t& last = it->second;
  if (seq == last + 1) {
    last = seq;
    return Verdict::kInOrder;
  }
  if (seq > last) {
    missing = seq - last - 1;
    last = seq;
    return Verdict::kGap;
  }
  if (seq <= 1 && last > 1) {
    last = seq;
    return Verdict::kRestart;
  }
  return Verdict::kRepeat;
}

}  // namespace ccpulse
