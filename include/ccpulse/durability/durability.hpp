#pragma once
/// Durable state under `state.directory` (see docs/durability.md): restores the engine and the
/// sources from the newest valid checkpoint plus the journal tail at startup, then takes a
/// checkpoint every `state.checkpoint_interval` on its own thread, and a last one at shutdown.
///
/// Layout: <dir>/checkpoints/checkpoint-<generation>.ckpt (the newest two are kept) and
/// <dir>/journal/<source name>/<segment>.seg.
///
/// Threads: restore(), attach via sources' journals, finalCheckpoint() and the constructor run on
/// the control thread while no worker or ingest thread runs; start()/stop() start and join the
/// checkpoint thread, which talks to shards and sources only through their atomic handshakes.
/// Stats are written by whichever of those threads runs and read by scrapes.

#include <array>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ccpulse/config/config.hpp"
#include "ccpulse/durability/source_journal.hpp"
#include "ccpulse/engine/engine.hpp"
#include "ccpulse/engine/published.hpp"

namespace ccpulse {

struct DurabilitySettings {
  std::string directory;
  Micros checkpointInterval = std::chrono::seconds(60);
  Micros journalSyncInterval = std::chrono::milliseconds(100);
  std::uint64_t journalSegmentBytes = 64ULL << 20U;
};

/// Self-metrics of the durable state (exported as ccpulse_checkpoint_* / ccpulse_journal_*).
struct DurabilityStats {
  PubU64 checkpoints;                    ///< checkpoints written
  PubU64 checkpointFailures;             ///< checkpoints not written (I/O error, a thread did not respond)
  PubU64 checkpointFallbacks;            ///< corrupt or torn checkpoints skipped at startup
  PubU64 journalTornTails;               ///< journal segments truncated at a bad record at startup
  PubU64 journalCorrupt;                 ///< journal segments or records unreadable at startup
  PubU64 replayedEvents;                 ///< journal events applied at the last startup
  PubU64 removedSegments;                ///< journal segments deleted as covered by checkpoints
  PubF64 restoreSeconds;                 ///< time the last startup restore took
  PubF64 lastCheckpointSeconds;          ///< wall time of the last checkpoint
  PubF64 lastCheckpointDurationSeconds;  ///< how long it took (pause, copy, write, fsync)
  PubF64 lastPauseSeconds;               ///< how long ingestion was paused for it
};

/// What restore() needs of one configured source (owned by the caller).
struct DurableSource {
  std::string name;
  SourceStats* stats = nullptr;
  SequenceTracker* sequences = nullptr;
  LineSource* lines = nullptr;  ///< a source that journals input lines (Source::lineSource())
};

/// A parsed checkpoint file (exposed for tests and tools).
struct CheckpointData {
  std::uint64_t generation = 0;
  std::int64_t createdUs = 0;
  std::vector<std::string> shards;  ///< Shard::saveState blobs
  std::vector<SourceSnapshot> sources;
  /// DurabilityStats counters, so they too continue across restarts: checkpoints, failures,
  /// fallbacks, torn tails, corrupt, removed segments.
  std::array<std::uint64_t, 6> counters{};
};

/// Writes `data` as checkpoint-<generation>.ckpt in `directory`: temp file, fsync, rename, fsync
/// of the directory; then removes all but the newest `keep` checkpoints. False on I/O error.
bool writeCheckpointFile(const std::string& directory, const CheckpointData& data, std::size_t keep = 2);
/// The newest checkpoint that passes its magic, version and CRC checks; `fallbacks` counts the
/// newer ones skipped. nullopt when there is none.
std::optional<CheckpointData> loadNewestCheckpoint(const std::string& directory, std::uint64_t& fallbacks);

class Durability final {
 public:
  Durability(DurabilitySettings settings, Engine& engine, std::vector<DurableSource> sources, const Clock& clock);
  ~Durability();
  Durability(const Durability&) = delete;
  Durability& operator=(const Durability&) = delete;

  /// Before the engine and the sources start: restores the checkpoint, replays the journals,
  /// publishes once, opens each source's journal (see journal()) and writes a fresh checkpoint.
  /// Throws std::runtime_error when the state cannot be used (e.g. engine.shards changed).
  void restore();
  /// The journal of source i, for its ingest thread (valid after restore()).
  [[nodiscard]] SourceJournal& journal(std::size_t i) noexcept { return *journals_[i]; }
  /// Starts / joins the periodic checkpoint thread.
  void start();
  void stop();
  /// After the ingest and shard threads stopped: one last checkpoint, so the next start replays
  /// nothing. The caller owns every shard and source now.
  void finalCheckpoint();
  /// Checkpoint thread body for one checkpoint while everything runs (also used by tests).
  bool checkpointOnline();

  [[nodiscard]] const DurabilityStats& stats() const noexcept { return stats_; }
  [[nodiscard]] const DurabilitySettings& settings() const noexcept { return settings_; }

 private:
  bool writeAndPrune(CheckpointData data, std::int64_t startedNs);
  [[nodiscard]] std::string journalDirectory(const std::string& source) const;
  void run(const std::stop_token& stop);

  DurabilitySettings settings_;
  Engine& engine_;
  std::vector<DurableSource> sources_;
  const Clock& clock_;
  std::vector<std::unique_ptr<SourceJournal>> journals_;
  std::uint64_t generation_ = 0;
  /// Journal positions of the previous checkpoint, per source: segments before them are deleted
  /// (not those before the newest), so a fallback to the previous checkpoint still finds its tail.
  std::vector<JournalPosition> previousPositions_;
  DurabilityStats stats_;
  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::jthread thread_;
};

}  // namespace ccpulse
