#pragma once
/// Ingest-side durability of one source: a write-ahead journal of every event the source admits
/// (before it is handed to the shards), of which events then could not be submitted, and of the
/// source's counters; plus the pause handshake that gives checkpoints a consistent cut.
///
/// Why on the ingest side: the source's sequence tracker lives on its ingest thread. Journaling
/// there, in admission order, makes the tracker state after a restart exactly "the last number
/// journaled", so events lost in a crash (received by libzmq but never journaled) show up as a
/// gap and events already journaled are never counted twice; events still in a shard ring at the
/// crash are replayed from the journal instead of being lost.
///
/// Threads: every method is for the source's ingest thread, except requestPause(), paused(),
/// snapshot() and resume() (the checkpoint thread; see the handshake comments) and the restore
/// functions in durability.hpp, which run before the ingest thread starts.

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ccpulse/decode/event.hpp"
#include "ccpulse/decode/json_decoder.hpp"
#include "ccpulse/durability/codec.hpp"
#include "ccpulse/durability/journal.hpp"
#include "ccpulse/ingest/sequence_tracker.hpp"
#include "ccpulse/ingest/source_stats.hpp"

namespace ccpulse {

class Engine;

/// Journal record kinds (first payload byte).
/// kLine: an input line of a source that journals its input instead of decoded events (the file
/// source), with its position in the file; replay decodes it again (see LineSource).
enum class JournalRecord : std::uint8_t { kEvent = 1, kDropped = 2, kStats = 3, kLine = 4 };

/// Where a line ends in a tailed file, and which file that was: device and inode, plus a hash
/// of its first `prefixLength` bytes (inode numbers are reused at once; see file_source.cpp).
struct LinePosition {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::uint64_t prefixLength = 0;
  std::uint64_t prefixHash = 0;
  std::uint64_t offset = 0;  ///< just past the line's newline
};

/// A source whose write-ahead unit is the input line, not the decoded event: its decoder keeps
/// state across lines (Asterisk's calls in flight), and a crash must leave the journal, the
/// decoder state and the read position in agreement. Journaling the line (one CRC-checked
/// record) and decoding it again on replay makes all three follow from the same records: a line
/// is either in the journal (its events are replayed, the decoder has seen it, reading resumes
/// after it) or not (it is read again from the file). Implemented by FileSource.
///
/// Threads: saveLineState() on the source's thread while paused (or any thread while it is
/// stopped); restoreLineState() and replayLine() at startup, before the source starts.
class LineSource {
 public:
  virtual ~LineSource() = default;
  LineSource() = default;
  LineSource(const LineSource&) = delete;
  LineSource& operator=(const LineSource&) = delete;
  /// Appends the read position and the decoder state as of the last journaled line.
  virtual void saveLineState(std::string& out) = 0;
  /// Puts back what saveLineState() wrote; false when unusable (the source then starts over).
  virtual bool restoreLineState(std::string_view state) = 0;
  /// A journaled line: decode it with the source's decoder into `sink` and resume after it.
  virtual void replayLine(const LinePosition& position, std::string_view line, DecodeSink& sink) = 0;
};

/// A source's part of a checkpoint, taken on its ingest thread while paused.
struct SourceSnapshot {
  std::string name;
  JournalPosition position;       ///< the journal resumes here after this checkpoint
  std::uint64_t nextOrdinal = 0;  ///< ordinal of the next event record
  std::uint64_t resumePosition = 0;
  std::uint64_t frames = 0, bytes = 0, received = 0, repeats = 0, connects = 0, disconnects = 0;
  std::uint64_t gaps = 0, restarts = 0, submitted = 0, dropped = 0;
  double lastEventSeconds = 0;
  std::array<std::uint64_t, kRejectReasonCount> rejected{};
  std::vector<std::pair<std::string, std::uint64_t>> sequences;
  std::string lineState;  ///< LineSource::saveLineState() (empty for event-journaling sources)
  /// ignored, stateEvicted, fileRotations, fileTruncations, stateWriteFailures (format 2).
  std::array<std::uint64_t, 5> extra{};
};

class SourceJournal final {
 public:
  /// `stats` and `sequences` are the source's own (its ingest thread writes them); `engine`
  /// gives the source's drop count.
  SourceJournal(std::string name, std::size_t sourceIndex, JournalWriter::Settings settings, std::uint64_t firstSegment,
                std::uint64_t nextOrdinal, std::uint64_t resumePosition, SourceStats& stats, SequenceTracker& sequences,
                const Engine& engine, LineSource* lines = nullptr);

  // ---- Ingest thread ----
  /// Buffers an admitted event before it is submitted; returns its ordinal.
  std::uint64_t logEvent(const Event& event);
  /// A line source's input line (see LineSource); its events then take ordinals with
  /// reserveOrdinal(), in decode order, exactly as replay numbers them.
  void logLine(const LinePosition& position, std::string_view line);
  std::uint64_t reserveOrdinal() noexcept { return nextOrdinal_++; }
  /// The event with `ordinal` could not be submitted (a full ring): replay must skip it too.
  void logDropped(std::uint64_t ordinal);
  /// Buffers the source's counters, then write()s everything buffered. Call after a batch of
  /// logEvent() and before submitting that batch: an event is in the kernel before any shard
  /// can apply it, so a scrape never shows what a kill -9 could lose.
  void commit();
  /// Top of the ingest loop: flushes leftovers, fdatasyncs when due, and serves a pause request
  /// (takes the snapshot, acknowledges, and blocks until resumed).
  void service();
  /// Where the source resumes reading after the last journaled event (0 = no position).
  [[nodiscard]] std::uint64_t resumePosition() const noexcept { return resumePosition_; }
  [[nodiscard]] const JournalWriter& writer() const noexcept { return writer_; }

  /// Startup, before any checkpoint: the source does not journal or serve pauses (AMI). Online
  /// checkpoints then take its snapshot themselves instead of waiting for a pause that never
  /// comes; they used to give up after 10 s, so with an AMI source no checkpoint ever succeeded.
  void setNotDriven() noexcept { driven_.store(false, std::memory_order_release); }
  /// Release/acquire: set on the startup thread, read on the checkpoint thread.
  [[nodiscard]] bool driven() const noexcept { return driven_.load(std::memory_order_acquire); }

  // ---- Checkpoint thread ----
  /// Asks the ingest thread to pause at its next service().
  void requestPause(std::uint64_t generation) noexcept { pauseRequested_.store(generation, std::memory_order_release); }
  /// True once the ingest thread is paused for `generation`; acquire pairs with its release after
  /// it filled snapshot(), which may then be read until resume().
  [[nodiscard]] bool paused(std::uint64_t generation) const noexcept {
    return pauseAcked_.load(std::memory_order_acquire) >= generation;
  }
  [[nodiscard]] const SourceSnapshot& snapshot() const noexcept { return snapshot_; }
  void resume(std::uint64_t generation) noexcept;

  /// Ingest thread, or any thread while the ingest thread is stopped: fills snapshot().
  void takeSnapshot();

 private:
  std::string name_;
  std::size_t index_;
  JournalWriter writer_;
  SourceStats& stats_;
  SequenceTracker& sequences_;
  const Engine& engine_;
  LineSource* lines_;
  std::uint64_t nextOrdinal_;
  std::uint64_t resumePosition_;
  std::uint64_t lastStatsKey_ = ~0ULL;
  SourceSnapshot snapshot_;
  std::atomic<bool> driven_{true};
  std::atomic<std::uint64_t> pauseRequested_{0};
  std::atomic<std::uint64_t> pauseAcked_{0};
  std::atomic<std::uint64_t> resumed_{0};
};

/// Startup (single thread): applies a checkpoint's source snapshot to a source's tracker, stats
/// and the engine's drop counter.
void restoreSourceSnapshot(const SourceSnapshot& snapshot, std::size_t sourceIndex, SourceStats& stats,
                           SequenceTracker& sequences, Engine& engine);

struct ReplayResult {
  std::uint64_t events = 0;   ///< event records applied to the shards
  std::uint64_t skipped = 0;  ///< event records marked dropped (not applied, as before the crash)
  std::uint64_t nextOrdinal = 0;
  std::uint64_t resumePosition = 0;
  std::uint64_t highestSegment = 0;
  JournalCounters counters;
};

/// Startup (single thread, engine not started): reads the source's journal from `from`, runs
/// each event through the sequence rules (rebuilding the tracker and its counters exactly) and
/// applies it to the shards directly, restores the counters from the stats records.
/// `lines`: the source's LineSource, which decodes kLine records again (nullptr: they are skipped).
ReplayResult replaySourceJournal(const std::string& directory, JournalPosition from, std::size_t sourceIndex,
                                 std::uint64_t nextOrdinal, std::uint64_t resumePosition, SourceStats& stats,
                                 SequenceTracker& sequences, Engine& engine, LineSource* lines = nullptr);

/// `version`: the checkpoint format version (1 had no lineState).
void encodeSnapshot(ByteWriter& out, const SourceSnapshot& snapshot);
[[nodiscard]] bool decodeSnapshot(ByteReader& in, SourceSnapshot& snapshot, std::uint32_t version = 2);

}  // namespace ccpulse
