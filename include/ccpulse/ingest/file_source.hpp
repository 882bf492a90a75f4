#pragma once
/// A source that tails a text file of one frame per line (endpoint `file:///path`), e.g. Asterisk's
/// queue_log: it follows rotation (the path names a new inode: the old file is read to its end
/// first) and truncation (the file shrank below the read offset: read again from 0), keeps a
/// partial last line until its newline arrives. Each event carries `sourcePosition` = the offset
/// just past its line.
///
/// Restarts: with durable state (a journal attached, docs/durability.md) the source is a
/// LineSource: every complete line is journaled with its position (file identity and offset)
/// before its events reach the shards, and checkpoints hold the position and the decoder's state
/// (Asterisk calls in flight), so after a kill -9 the read position, the engine and the decoder
/// agree: no line is lost or counted twice. When the file was rotated away meanwhile, the old
/// file is looked up in the same directory by device and inode and read to its end first.
/// Without a journal but with `stateDirectory`, the offset alone is persisted in an offset file
/// (an older scheme, still read once when durable state is first enabled).
///
/// Threading: constructed on the caller's thread; after start() everything (the file, the
/// decoder, the offset) is owned by the source's own thread, which polls on an Asio timer every
/// `poll_interval`. Stats are written by that thread and read by any thread (see SourceStats).
/// pollOnce() is for tests that drive the source without starting its thread.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "ccpulse/common/rate_limited_log.hpp"
#include "ccpulse/config/config.hpp"
#include "ccpulse/decode/frame_decoder.hpp"
#include "ccpulse/durability/source_journal.hpp"
#include "ccpulse/ingest/sequence_tracker.hpp"
#include "ccpulse/ingest/source.hpp"
#include "ccpulse/ingest/source_stats.hpp"

namespace ccpulse {

/// Where decoded events go (the engine's submit for this source); returns false when dropped.
using EventSubmit = std::function<bool(const Event&)>;

class FileSource final : public Source, public LineSource, private DecodeSink {
 public:
  /// `stateDirectory` empty: the offset is not persisted (every start reads the file from 0).
  FileSource(const SourceSettings& settings, std::size_t index, std::string stateDirectory, EventSubmit submit);
  ~FileSource() override;

  void start() override;
  /// Stops polling and persists the offset of the last line read.
  void stop() override;

  /// One poll: reopen/rotate/truncate checks, read and decode every complete new line, persist
  /// the offset. Only on the owning thread (or before start()).
  void pollOnce();

  [[nodiscard]] const SourceSettings& settings() const noexcept override { return settings_; }
  /// Any thread: the counters as of the end of the last read pass and, with a journal, of the
  /// last journal commit (SourceStats::copyTo says why).
  [[nodiscard]] const SourceStats& stats() const noexcept override { return shown_; }
  [[nodiscard]] const SequenceTracker& sequences() const noexcept override { return sequences_; }
  [[nodiscard]] SequenceTracker& sequences() noexcept override { return sequences_; }
  [[nodiscard]] SourceStats& mutableStats() noexcept override { return stats_; }
  /// The path being tailed and where its offset is kept.
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] const std::string& offsetFile() const noexcept { return offsetFile_; }
  /// Offset just past the last complete line read (owning thread only).
  [[nodiscard]] std::uint64_t offset() const noexcept { return offset_; }

  /// Before start(): journal every line there; the offset file is no longer used (removed).
  [[nodiscard]] bool attachJournal(SourceJournal* journal) override;
  [[nodiscard]] LineSource* lineSource() noexcept override { return this; }
  void saveLineState(std::string& out) override;
  bool restoreLineState(std::string_view state) override;
  void replayLine(const LinePosition& position, std::string_view line, DecodeSink& sink) override;

 private:
  void schedule();
  bool openFile(bool resume);
  /// Restart after a rotation: opens the file the saved position refers to under its new name in
  /// the same directory (found by device and inode), if it is still there.
  bool openRotatedAway();
  /// Keeps head_ = the open file's first bytes (up to the fingerprint length).
  void loadHead();
  void extendHead(std::uint64_t chunkStart, std::string_view chunk);
  [[nodiscard]] LinePosition positionAt(std::uint64_t endOffset);
  /// Journaled mode: writes the buffered lines, then submits their events.
  void commitPending();
  void closeFile() noexcept;
  /// Reads what the open file has past the offset; returns false on a read error.
  bool readAvailable();
  void processLine(std::string_view line, std::uint64_t endOffset);
  void loadOffset();
  void saveOffset();
  void onEvent(const Event& event) override;
  void onReject(RejectReason reason, std::string_view detail) override;
  void onIgnored(std::string_view what) override;
  void onStateEvicted(std::string_view what) override;

  SourceSettings settings_;
  std::size_t index_;
  std::string path_;
  std::string offsetFile_;
  EventSubmit submit_;
  std::unique_ptr<FrameDecoder> decoder_;
  SequenceTracker sequences_;
  SourceStats stats_;  ///< live, counted as lines are read (ingest thread)
  SourceStats shown_;  ///< what stats() shows: stats_ copied by commitPending()

  int fd_ = -1;
  std::uint64_t device_ = 0;
  std::uint64_t inode_ = 0;
  std::uint64_t offset_ = 0;      ///< past the last complete line
  std::uint64_t readOffset_ = 0;  ///< past the last byte read (offset_ + pending_.size())
  std::uint64_t savedOffset_ = UINT64_MAX;
  std::uint64_t savedInode_ = 0;
  std::uint64_t savedDevice_ = 0;
  std::uint64_t savedPrefixLength_ = 0;  ///< how many leading bytes savedPrefixHash_ covers
  std::uint64_t savedPrefixHash_ = 0;
  bool resumeFromSaved_ = false;
  bool discarding_ = false;  ///< skipping the rest of an oversize line
  std::string pending_;      ///< a partial last line
  std::string buffer_;
  std::uint64_t lineEndOffset_ = 0;
  std::string head_;  ///< the open file's first bytes (fingerprint of journaled positions)
  std::uint64_t headHashLength_ = UINT64_MAX;
  std::uint64_t headHash_ = 0;
  SourceJournal* journal_ = nullptr;
  struct PendingEvent {
    std::uint64_t ordinal;
    Event event;
  };
  std::vector<PendingEvent> pendingEvents_;  ///< journaled, not yet submitted (capacity reserved)
  std::int64_t lineReceivedNs_ = 0;

  RateLimitedLog errorLog_;
  RateLimitedLog rejectLog_;
  boost::asio::io_context io_;
  boost::asio::steady_timer timer_;
  std::jthread thread_;
};

}  // namespace ccpulse
