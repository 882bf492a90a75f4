#include "ccpulse/ingest/source_stats.hpp"

namespace ccpulse {

std::string_view toString(HandshakeFailure reason) noexcept {
  switch (reason) {
    case HandshakeFailure::kMechanismMismatch:
      return "mechanism_mismatch";
    case HandshakeFailure::kProtocol:
      return "protocol";
    case HandshakeFailure::kNoDetail:
      return "no_detail";
  }
  return "unknown";
}

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
