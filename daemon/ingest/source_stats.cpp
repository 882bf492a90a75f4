#include "ccpulse/ingest/source_stats.hpp"

#include <spdlog/spdlog.h>

#include <utility>

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

void SourceStats::copyTo(SourceStats& out) const noexcept {
  for (const auto& [from, to] :
       {std::pair{&bytes, &out.bytes}, std::pair{&received, &out.received}, std::pair{&sequenceGaps, &out.sequenceGaps},
        std::pair{&sequenceRepeats, &out.sequenceRepeats}, std::pair{&sequenceRestarts, &out.sequenceRestarts},
        std::pair{&submitted, &out.submitted}, std::pair{&connects, &out.connects},
        std::pair{&disconnects, &out.disconnects}, std::pair{&ignored, &out.ignored},
        std::pair{&stateEvicted, &out.stateEvicted}, std::pair{&fileRotations, &out.fileRotations},
        std::pair{&fileTruncations, &out.fileTruncations}, std::pair{&connectFailures, &out.connectFailures},
        std::pair{&stateWriteFailures, &out.stateWriteFailures}, std::pair{&decoderEvictions, &out.decoderEvictions},
        std::pair{&journalWriteErrors, &out.journalWriteErrors}}) {
    to->set(from->get());
  }
  for (std::size_t i = 0; i < rejected.size(); ++i) {
    out.rejected[i].set(rejected[i].get());
  }
  for (std::size_t i = 0; i < handshakeFailed.size(); ++i) {
    out.handshakeFailed[i].set(handshakeFailed[i].get());
  }
  out.lastEventSeconds.set(lastEventSeconds.get());
  out.lastEventUs.set(lastEventUs.get());
  out.lastReceiveUs.set(lastReceiveUs.get());
  out.ready.store(ready.load(std::memory_order_acquire), std::memory_order_release);
  out.frames.set(frames.get());
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
