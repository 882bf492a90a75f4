#pragma once
/// Segmented append-only journal files. A journal is a directory of segments named
/// `<16-digit id>.seg`; each segment starts with a header (magic "CCPJRNL1", format version,
/// segment id) followed by records framed as [u32 payload length][u32 CRC32C of payload][payload].
///
/// JournalWriter is owned by one thread (the ingest thread of its source): records are appended
/// into a preallocated buffer (no allocation per record in steady state), handed to the kernel
/// with one write() per flush, and made durable with fdatasync() at most every `syncInterval`
/// (group commit). Segments rotate at flush boundaries once they exceed `segmentBytes`.
/// readJournal() is used at startup (single-threaded) and truncates a torn tail.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ccpulse/config/config.hpp"

namespace ccpulse {

/// Where a reader resumes: segment id and byte offset inside it (past the header and all the
/// records before). {0, 0} = from the very beginning.
struct JournalPosition {
  std::uint64_t segment = 0;
  std::uint64_t offset = 0;
  friend bool operator==(const JournalPosition&, const JournalPosition&) = default;
};

inline constexpr std::size_t kJournalHeaderBytes = 24;
inline constexpr std::size_t kJournalRecordOverhead = 8;

/// Counters of one journal's degraded paths (single writer: the owning thread; read by scrapes).
struct JournalCounters {
  std::uint64_t tornTails = 0;        ///< segments whose tail failed its CRC or was short, truncated
  std::uint64_t corruptSegments = 0;  ///< unreadable segment headers (segment skipped)
  std::uint64_t records = 0;          ///< good records read
};

/// The segment ids present in `directory`, ascending.
[[nodiscard]] std::vector<std::uint64_t> listSegments(const std::string& directory);

/// Calls `onRecord(payload, positionAfter)` for every good record from `from` on, in order. A
/// record that fails its CRC or is cut short ends its segment: the segment is truncated there (a
/// torn tail from a crash) and counted; reading continues with the next segment. Returns the
/// highest segment id seen (0 if none).
std::uint64_t readJournal(const std::string& directory, JournalPosition from,
                          const std::function<void(std::string_view, JournalPosition)>& onRecord,
                          JournalCounters& counters);

/// Removes segments with an id below `segment` (they are covered by a checkpoint). Returns how
/// many were removed. Safe from any thread while the writer appends to a later segment.
std::size_t removeSegmentsBefore(const std::string& directory, std::uint64_t segment);

/// fsync() of a directory, so a rename or create in it is durable.
bool syncDirectory(const std::string& directory);

class JournalWriter final {
 public:
  struct Settings {
    std::string directory;
    std::uint64_t segmentBytes = 64ULL << 20U;
    Micros syncInterval = std::chrono::milliseconds(100);
    std::size_t bufferBytes = 1U << 20U;
  };
  /// Creates the directory if needed and opens a new segment `firstSegment`. Throws
  /// std::runtime_error when the directory or file cannot be created (startup fails).
  JournalWriter(Settings settings, std::uint64_t firstSegment);
  ~JournalWriter();
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;

  /// Frames and buffers one record. The payload is built by the caller in `scratch()`.
  void append(std::string_view payload);
  /// A reusable buffer for building a payload (capacity kept across records).
  [[nodiscard]] std::string& scratch() noexcept { return scratch_; }
  /// write()s the buffer; rotates the segment when it is full. False on an I/O error (counted;
  /// the buffered records are discarded so memory stays bounded).
  bool flush();
  /// fdatasync() if something was written since the last sync and `syncInterval` has passed
  /// (or `force`). False on an I/O error.
  bool syncIfDue(std::int64_t nowNs, bool force = false);
  [[nodiscard]] bool hasBuffered() const noexcept { return !buffer_.empty(); }
  /// The position after everything flushed so far.
  [[nodiscard]] JournalPosition position() const noexcept { return {segment_, offset_}; }
  [[nodiscard]] std::uint64_t writeErrors() const noexcept { return writeErrors_; }
  [[nodiscard]] std::uint64_t bytesWritten() const noexcept { return bytesWritten_; }
  [[nodiscard]] std::uint64_t syncs() const noexcept { return syncs_; }
  [[nodiscard]] const std::string& directory() const noexcept { return settings_.directory; }

 private:
  void openSegment(std::uint64_t id);
  void closeSegment();

  Settings settings_;
  int fd_ = -1;
  std::uint64_t segment_ = 0;
  std::uint64_t offset_ = 0;
  std::string buffer_;
  std::string scratch_;
  bool unsynced_ = false;
  std::int64_t nextSyncNs_ = 0;
  std::uint64_t writeErrors_ = 0;
  std::uint64_t bytesWritten_ = 0;
  std::uint64_t syncs_ = 0;
};

}  // namespace ccpulse
