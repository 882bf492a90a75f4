#pragma once
/// Per-source ingest counters (written by the source's one ingest thread, read by scrapes; see
/// engine/published.hpp for the memory-order argument) and the sequence admission rule shared
/// by live ingestion and replay, so both give the same numbers.

#include <array>
#include <atomic>
#include <cstdint>

#include "ccpulse/common/rate_limited_log.hpp"
#include "ccpulse/decode/event.hpp"
#include "ccpulse/decode/json_decoder.hpp"
#include "ccpulse/engine/published.hpp"
#include "ccpulse/ingest/sequence_tracker.hpp"

namespace ccpulse {

struct SourceStats {
  PubU64 frames;
  PubU64 bytes;
  PubU64 received;  ///< events decoded successfully (before sequence and duplicate checks)
  std::array<PubU64, kRejectReasonCount> rejected;
  PubU64 sequenceGaps;      ///< events missing according to `seq`
  PubU64 sequenceRepeats;   ///< events ignored because their `seq` was not new
  PubU64 sequenceRestarts;  ///< publisher restarts (seq back to 0 or 1)
  PubU64 submitted;         ///< handed to a shard ring
  PubU64 connects;          ///< connections established (connecting sources)
  PubU64 disconnects;
  PubU64 ignored;          ///< input an adapter maps to no event by design (DecodeSink::onIgnored)
  PubU64 stateEvicted;     ///< adapter state dropped at its cap (DecodeSink::onStateEvicted)
  PubU64 fileRotations;    ///< file sources: the file was replaced (new inode)
  PubU64 fileTruncations;  ///< file sources: the file shrank below the read offset
  PubU64 connectFailures;  ///< connecting adapter sources (AMI): failed connect or login attempts
  /// CURVE sources: handshakes libzmq failed before ZAP was asked, by reason (HandshakeFailure),
  /// e.g. a plaintext peer (mechanism mismatch). Key refusals are the ZAP handler's counter.
  std::array<PubU64, 3> handshakeFailed;
  /// File sources: the offset could not be saved (or the saved one could not be read).
  PubU64 stateWriteFailures;
  PubF64 lastEventSeconds;  ///< event time of the newest event, seconds since the epoch
  PubU64 decoderEvictions;  ///< FrameDecoder::stateEvictions(), mirrored after each frame
  /// Failed journal writes, opens and syncs of this process (JournalWriter::writeErrors(),
  /// mirrored after each commit): records that may be missing from the journal. Per process,
  /// not restored: an error belongs to the run that had it.
  PubU64 journalWriteErrors;
  PubI64 lastEventUs;    ///< the same, exact (µs since the epoch; 0 = none yet)
  PubI64 lastReceiveUs;  ///< wall-clock time the newest frame was received (µs; 0 = none yet)
  std::atomic<bool> ready{false};

  /// Copies every field into `out` (the writer of both is the calling thread). A journaling
  /// source exports such a copy, refreshed right after each journal commit, and never its live
  /// counters: those run ahead of the journal by up to a batch of frames, so a scrape could see a
  /// count that a kill -9 takes back (the restart restores exactly what was committed) and
  /// Prometheus would see a counter reset. Relaxed loads and stores as for any PubU64 (each
  /// counter stays monotonic on its own), with `frames` stored last so that, as for the live
  /// counters, a reader that sees N frames sees the outcomes of those N frames.
  void copyTo(SourceStats& out) const noexcept;
};

/// Reasons of SourceStats::handshakeFailed (label `reason` of ccpulse_source_handshake_failed_total).
enum class HandshakeFailure : std::uint8_t { kMechanismMismatch = 0, kProtocol = 1, kNoDetail = 2 };
[[nodiscard]] std::string_view toString(HandshakeFailure reason) noexcept;

/// Applies the sequence rules to a decoded event and counts the outcome in `stats`. Returns
/// false when the event must be ignored (a repeat). `missing` receives the gap size (0 if none).
bool admitBySequence(const Event& event, SequenceTracker& sequences, SourceStats& stats, std::uint64_t& missing);

/// Counts an adapter's eviction of its oldest `what` (a tracking table at its cap) in `stats` and
/// logs it through `log`, rate-limited: the one report every live source gives for this degraded
/// path. Called on the source's ingest thread.
void countStateEvicted(SourceStats& stats, RateLimitedLog& log, std::string_view source, std::string_view what);

}  // namespace ccpulse
