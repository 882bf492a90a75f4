#include "ccpulse/ingest/source_stats.hpp"

namespace ccpulse {

bool admitBySequence(const Event& event, SequenceTracker& sequences, SourceStats& stats, std::uint64_t& missing) {
  missing = 0;
  if (!event.hasSeq || event.publisher.empty()) {
    return true;
  }
  switch (sequences.observe(event.publisher.view(), event.seq, missing)) {
    case SequenceTracker::Verdict::kGap:
      stats.sequenceGaps.add(missing);
      return true;
    case SequenceTracker::Verdict::kRepeat:
      stats.sequenceRepeats.add(1);
      return false;
    case SequenceTracker::Verdict::kRestart:
      stats.sequenceRestarts.add(1);
      return true;
    case SequenceTracker::Verdict::kInOrder:
    case SequenceTracker::Verdict::kUntracked:
      return true;
  }
  return true;
}

}  // namespace ccpulse
