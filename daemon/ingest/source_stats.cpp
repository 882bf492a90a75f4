#include "ccpulse/ingest/source_stats.hpp"

#include <spdlog/spdlog.h>

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

void countStateEvicted(SourceStats& stats, RateLimitedLog& log, std::string_view source, std::string_view what) {
  stats.stateEvicted.add(1);
  std::uint64_t suppressed = 0;
  if (log.shouldLog(suppressed)) {
    spdlog::warn("source {}: adapter forgot its oldest {} (tracking cap reached; {} more since last report)", source,
                 what, suppressed);
  }
}

}  // namespace ccpulse
