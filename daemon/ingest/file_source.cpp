#include "ccpulse/ingest/file_source.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "ccpulse/common/clock.hpp"
#include "ccpulse/common/hash.hpp"
#include "ccpulse/config/loader.hpp"
#include "ccpulse/durability/codec.hpp"

namespace ccpulse {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
constexpr std::string_view kOffsetMagic = "ccpulse-file-offset-v1";

bool writeAll(int fd, std::string_view data) noexcept {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Inode numbers are reused at once when a file is deleted and another created (tmpfs, ext4), so the
// saved position also carries a hash of the file's first bytes: a different file under a reused
// inode is then still told apart.
constexpr std::size_t kFingerprintBytes = 256;
/// Journaled mode: events held before a commit writes their lines (bounds the batch's memory).
constexpr std::size_t kPendingEvents = 1024;
constexpr std::uint8_t kLineStateVersion = 1;

bool fingerprint(int fd, std::uint64_t length, std::uint64_t& hash) noexcept {
  std::array<char, kFingerprintBytes> bytes{};
  std::size_t got = 0;
  while (got < length) {
    const ssize_t n = ::pread(fd, bytes.data() + got, length - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    got += static_cast<std::size_t>(n);
  }
  hash = hashKey(std::string_view(bytes.data(), got));
  return true;
}

}  // namespace

FileSource::FileSource(const SourceSettings& settings, std::size_t index, std::string stateDirectory,
                       EventSubmit submit)
    : settings_(settings),
      index_(index),
      path_(settings.endpoint.substr(std::string_view("file://").size())),
      submit_(std::move(submit)),
      decoder_(makeFrameDecoder(settings)),
      timer_(io_) {
  if (!stateDirectory.empty()) {
    const std::filesystem::path dir = std::filesystem::path(stateDirectory) / "sources";
    std::filesystem::create_directories(dir);  // throws: an unusable state directory fails startup
    offsetFile_ = (dir / (settings_.name + ".offset")).string();
    loadOffset();
  }
  buffer_.resize(kReadChunk);
}

FileSource::~FileSource() {
  stop();
  closeFile();
}

void FileSource::start() {
  if (thread_.joinable()) {
    return;
  }
  stats_.copyTo(shown_);  // what the constructor and a restore set, before the thread runs
  spdlog::info("source {}: tailing {} (format {}, position kept in {})", settings_.name, path_,
               sourceFormatName(settings_.format),
               journal_ != nullptr   ? std::string("the journal and checkpoints")
               : offsetFile_.empty() ? std::string("nowhere: no state.directory")
                                     : offsetFile_);
  boost::asio::post(io_, [this] {
    pollOnce();
    schedule();
  });
  thread_ = std::jthread([this](const std::stop_token&) { io_.run(); });
}

void FileSource::stop() {
  if (thread_.joinable()) {
    boost::asio::post(io_, [this] {
      timer_.cancel();
      io_.stop();
    });
    thread_.join();
    // The thread is gone: this thread owns the state now.
    saveOffset();
  }
}

void FileSource::schedule() {
  timer_.expires_after(settings_.adapter.pollInterval);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) {
      return;
    }
    try {
      pollOnce();
    } catch (const std::exception& e) {
      std::uint64_t suppressed = 0;
      if (errorLog_.shouldLog(suppressed)) {
        spdlog::error("source {}: poll failed: {} ({} more since last report)", settings_.name, e.what(), suppressed);
      }
    }
    schedule();
  });
}

void FileSource::loadOffset() {
  std::FILE* f = std::fopen(offsetFile_.c_str(), "rb");
  if (f == nullptr) {
    return;  // first start
  }
  std::array<char, 128> text{};
  const std::size_t n = std::fread(text.data(), 1, text.size() - 1, f);
  std::fclose(f);
  char magic[32] = {};
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::uint64_t offset = 0;
  std::uint64_t prefixLength = 0;
  std::uint64_t prefixHash = 0;
  if (n == 0 ||
      std::sscanf(text.data(), "%31s %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64, magic, &device, &inode,
                  &offset, &prefixLength, &prefixHash) != 6 ||
      kOffsetMagic != magic || prefixLength > kFingerprintBytes) {
    spdlog::warn("source {}: ignoring unreadable offset file {}; reading {} from the start", settings_.name,
                 offsetFile_, path_);
    stats_.stateWriteFailures.add(1);
    return;
  }
  savedDevice_ = device;
  savedInode_ = inode;
  savedOffset_ = offset;
  savedPrefixLength_ = prefixLength;
  savedPrefixHash_ = prefixHash;
  resumeFromSaved_ = true;
}

void FileSource::saveOffset() {
  if (offsetFile_.empty() || fd_ < 0 || (offset_ == savedOffset_ && inode_ == savedInode_ && device_ == savedDevice_)) {
    return;
  }
  // write-temp, fsync, rename, fsync the directory: the file always holds an old or the new
  // offset, never a torn one, even across a power cut.
  const std::string temp = offsetFile_ + ".tmp";
  const std::uint64_t prefixLength = std::min<std::uint64_t>(offset_, kFingerprintBytes);
  std::uint64_t prefixHash = 0;
  if (!fingerprint(fd_, prefixLength, prefixHash)) {
    return;  // the file shrank under us; the next poll sees the truncation
  }
  std::array<char, 160> text{};
  const int len =
      std::snprintf(text.data(), text.size(), "%s %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
                    kOffsetMagic.data(), device_, inode_, offset_, prefixLength, prefixHash);
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  bool ok = fd >= 0 && writeAll(fd, std::string_view(text.data(), static_cast<std::size_t>(len))) && ::fsync(fd) == 0;
  if (fd >= 0) {
    ok = ::close(fd) == 0 && ok;
  }
  ok = ok && ::rename(temp.c_str(), offsetFile_.c_str()) == 0;
  if (ok) {
    const std::string dir = std::filesystem::path(offsetFile_).parent_path().string();
    const int dirFd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirFd >= 0) {
      ok = ::fsync(dirFd) == 0;
      ::close(dirFd);
    }
  }
  if (!ok) {
    stats_.stateWriteFailures.add(1);
    std::uint64_t suppressed = 0;
    if (errorLog_.shouldLog(suppressed)) {
      spdlog::error("source {}: cannot save offset to {}: {} ({} more since last report)", settings_.name, offsetFile_,
                    std::strerror(errno), suppressed);
    }
    return;
  }
  savedOffset_ = offset_;
  savedInode_ = inode_;
  savedDevice_ = device_;
}

bool FileSource::openRotatedAway() {
  struct stat byName {};
  if (::stat(path_.c_str(), &byName) == 0 && static_cast<std::uint64_t>(byName.st_dev) == savedDevice_ &&
      static_cast<std::uint64_t>(byName.st_ino) == savedInode_) {
    return false;  // not rotated: the ordinary resume
  }
  std::error_code ec;
  const std::filesystem::path parent = std::filesystem::path(path_).parent_path();
  for (std::filesystem::directory_iterator it(parent.empty() ? "." : parent, ec), end; !ec && it != end;
       it.increment(ec)) {
    struct stat st {};
    if (::stat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
        static_cast<std::uint64_t>(st.st_dev) != savedDevice_ || static_cast<std::uint64_t>(st.st_ino) != savedInode_ ||
        static_cast<std::uint64_t>(st.st_size) < savedOffset_) {
      continue;
    }
    const int fd = ::open(it->path().c_str(), O_RDONLY | O_CLOEXEC);
    std::uint64_t prefixHash = 0;
    if (fd < 0) {
      continue;
    }
    if (savedPrefixLength_ > static_cast<std::uint64_t>(st.st_size) ||
        !fingerprint(fd, savedPrefixLength_, prefixHash) || prefixHash != savedPrefixHash_) {
      ::close(fd);
      continue;
    }
    fd_ = fd;
    device_ = savedDevice_;
    inode_ = savedInode_;
    offset_ = readOffset_ = savedOffset_;
    pending_.clear();
    discarding_ = false;
    resumeFromSaved_ = false;
    loadHead();
    stats_.ready.store(true, std::memory_order_release);
    spdlog::warn("source {}: {} was rotated while ccpulsed was stopped; finishing the old file {} from offset {} first",
                 settings_.name, path_, it->path().string(), offset_);
    return true;
  }
  return false;
}

void FileSource::loadHead() {
  head_.resize(kFingerprintBytes);
  std::size_t got = 0;
  while (got < head_.size()) {
    const ssize_t n = ::pread(fd_, head_.data() + got, head_.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;
    }
    got += static_cast<std::size_t>(n);
  }
  head_.resize(got);
  headHashLength_ = UINT64_MAX;
}

void FileSource::extendHead(std::uint64_t chunkStart, std::string_view chunk) {
  if (head_.size() >= kFingerprintBytes || chunkStart > head_.size() || chunkStart + chunk.size() <= head_.size()) {
    return;
  }
  const std::size_t from = head_.size() - static_cast<std::size_t>(chunkStart);
  head_.append(chunk.substr(from, std::min(chunk.size() - from, kFingerprintBytes - head_.size())));
}

LinePosition FileSource::positionAt(std::uint64_t endOffset) {
  LinePosition p;
  p.device = device_;
  p.inode = inode_;
  p.offset = endOffset;
  p.prefixLength = std::min<std::uint64_t>({endOffset, kFingerprintBytes, head_.size()});
  if (p.prefixLength != headHashLength_) {
    headHashLength_ = p.prefixLength;
    headHash_ = hashKey(std::string_view(head_).substr(0, p.prefixLength));
  }
  p.prefixHash = headHash_;
  return p;
}

bool FileSource::openFile(bool resume) {
  if (resume && openRotatedAway()) {
    return true;
  }
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return false;
  }
  fd_ = fd;
  device_ = static_cast<std::uint64_t>(st.st_dev);
  inode_ = static_cast<std::uint64_t>(st.st_ino);
  offset_ = 0;
  pending_.clear();
  discarding_ = false;
  if (resume) {
    resumeFromSaved_ = false;
    std::uint64_t prefixHash = 0;
    const bool samePrefix = savedPrefixLength_ <= static_cast<std::uint64_t>(st.st_size) &&
                            fingerprint(fd, savedPrefixLength_, prefixHash) && prefixHash == savedPrefixHash_;
    if (device_ != savedDevice_ || inode_ != savedInode_ ||
        (!samePrefix && savedOffset_ <= static_cast<std::uint64_t>(st.st_size))) {
      stats_.fileRotations.add(1);
      spdlog::warn("source {}: {} was replaced while ccpulsed was stopped; reading the new file from the start",
                   settings_.name, path_);
    } else if (savedOffset_ > static_cast<std::uint64_t>(st.st_size)) {
      stats_.fileTruncations.add(1);
      spdlog::warn("source {}: {} shrank below the saved offset {} while stopped; reading from the start",
                   settings_.name, path_, savedOffset_);
    } else {
      offset_ = savedOffset_;
    }
  }
  readOffset_ = offset_;
  loadHead();
  stats_.ready.store(true, std::memory_order_release);
  spdlog::info("source {}: opened {} at offset {}", settings_.name, path_, offset_);
  return true;
}

void FileSource::closeFile() noexcept {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

void FileSource::pollOnce() {
  if (journal_ != nullptr) {
    journal_->service();  // also where a checkpoint pauses this thread, between two polls
  }
  if (fd_ < 0 && !openFile(resumeFromSaved_)) {
    stats_.ready.store(false, std::memory_order_release);
    stats_.copyTo(shown_);  // nothing was read, so nothing is pending: only readiness changed
    return;
  }
  struct stat st {};
  if (::fstat(fd_, &st) == 0 && static_cast<std::uint64_t>(st.st_size) < readOffset_) {
    // copytruncate-style rotation, or someone emptied the file: start again from its beginning.
    stats_.fileTruncations.add(1);
    std::uint64_t suppressed = 0;
    if (errorLog_.shouldLog(suppressed)) {
      spdlog::warn("source {}: {} shrank to {} bytes below offset {}; reading from the start ({} more)", settings_.name,
                   path_, static_cast<std::int64_t>(st.st_size), readOffset_, suppressed);
    }
    offset_ = readOffset_ = 0;
    pending_.clear();
    discarding_ = false;
    head_.clear();
    headHashLength_ = UINT64_MAX;
  }
  readAvailable();
  struct stat byName {};
  if (::stat(path_.c_str(), &byName) == 0 &&
      (static_cast<std::uint64_t>(byName.st_dev) != device_ || static_cast<std::uint64_t>(byName.st_ino) != inode_)) {
    // Rotated (renamed away, a new file created under the name): finish the old file first, so
    // lines written just before the rotation are not lost.
    readAvailable();
    if (!pending_.empty() && !discarding_) {
      const std::string last = std::move(pending_);
      pending_.clear();
      processLine(last, readOffset_);
    }
    stats_.fileRotations.add(1);
    spdlog::info("source {}: {} was rotated; following the new file", settings_.name, path_);
    closeFile();
    if (openFile(false)) {
      readAvailable();
    } else {
      stats_.ready.store(false, std::memory_order_release);
    }
  }
  commitPending();
  saveOffset();
}

bool FileSource::readAvailable() {
  while (fd_ >= 0) {
    const ssize_t n = ::pread(fd_, buffer_.data(), buffer_.size(), static_cast<off_t>(readOffset_));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      std::uint64_t suppressed = 0;
      if (errorLog_.shouldLog(suppressed)) {
        spdlog::error("source {}: read error on {}: {} ({} more)", settings_.name, path_, std::strerror(errno),
                      suppressed);
      }
      return false;
    }
    if (n == 0) {
      return true;
    }
    lineReceivedNs_ = steadyNowNs();
    const std::string_view chunk(buffer_.data(), static_cast<std::size_t>(n));
    const std::uint64_t chunkStart = readOffset_;
    readOffset_ += static_cast<std::uint64_t>(n);
    extendHead(chunkStart, chunk);
    std::size_t start = 0;
    while (start < chunk.size()) {
      const std::size_t nl = chunk.find('\n', start);
      if (nl == std::string_view::npos) {
        if (!discarding_) {
          pending_.append(chunk.substr(start));
          if (pending_.size() > settings_.maxFrameBytes) {
            onReject(RejectReason::kOversize, {});
            stats_.frames.add(1);
            pending_.clear();
            discarding_ = true;
          }
        }
        break;
      }
      const std::uint64_t end = chunkStart + nl + 1;
      if (discarding_) {
        discarding_ = false;
        offset_ = end;
      } else if (pending_.empty()) {
        processLine(chunk.substr(start, nl - start), end);
      } else {
        pending_.append(chunk.substr(start, nl - start));
        processLine(pending_, end);
        pending_.clear();
      }
      start = nl + 1;
    }
  }
  return true;
}

void FileSource::processLine(std::string_view line, std::uint64_t endOffset) {
  offset_ = endOffset;
  if (!line.empty() && line.back() == '\r') {
    line.remove_suffix(1);
  }
  if (line.empty()) {
    return;
  }
  lineEndOffset_ = endOffset;
  stats_.frames.add(1);
  stats_.bytes.add(line.size());
  if (journal_ != nullptr) {
    // Write-ahead: the line goes to the journal (reaching the kernel in commitPending) before
    // any of its events is submitted; replay decodes it again.
    journal_->logLine(positionAt(endOffset), line);
  }
  decoder_->decode(line, *this);
  if (pendingEvents_.size() + 16 > kPendingEvents) {
    commitPending();
  }
}

void FileSource::commitPending() {
  if (journal_ == nullptr) {
    stats_.copyTo(shown_);
    return;
  }
  journal_->commit();
  for (const PendingEvent& p : pendingEvents_) {
    if (submit_(p.event)) {
      stats_.submitted.add(1);
    } else {
      journal_->logDropped(p.ordinal);
    }
  }
  pendingEvents_.clear();
  // Everything counted so far is in the kernel now (commit above): it may be shown.
  stats_.copyTo(shown_);
}

bool FileSource::attachJournal(SourceJournal* journal) {
  journal_ = journal;
  pendingEvents_.reserve(kPendingEvents);
  if (journal_ != nullptr && !offsetFile_.empty()) {
    // The journal and the checkpoints hold the position from now on (restore already took over
    // what the offset file said); a stale offset file must never be read again.
    std::error_code ec;
    std::filesystem::remove(offsetFile_, ec);
    offsetFile_.clear();
  }
  return journal_ != nullptr;
}

void FileSource::saveLineState(std::string& out) {
  ByteWriter w(out);
  w.put(kLineStateVersion);
  if (fd_ >= 0) {
    w.put(std::uint8_t{1});
    w.put(positionAt(offset_));
  } else {
    w.put(static_cast<std::uint8_t>(resumeFromSaved_ ? 1 : 0));
    w.put(LinePosition{savedDevice_, savedInode_, savedPrefixLength_, savedPrefixHash_, savedOffset_});
  }
  std::string decoderState;
  decoder_->saveState(decoderState);
  w.putBytes(decoderState);
}

bool FileSource::restoreLineState(std::string_view state) {
  ByteReader r(state);
  const auto version = r.get<std::uint8_t>();
  const auto hasPosition = r.get<std::uint8_t>();
  const auto position = r.get<LinePosition>();
  const std::string_view decoderState = r.getBytes();
  if (!r.ok() || r.remaining() != 0 || version != kLineStateVersion || position.prefixLength > kFingerprintBytes) {
    return false;
  }
  if (hasPosition != 0) {
    savedDevice_ = position.device;
    savedInode_ = position.inode;
    savedPrefixLength_ = position.prefixLength;
    savedPrefixHash_ = position.prefixHash;
    savedOffset_ = position.offset;
    resumeFromSaved_ = true;
  }
  if (!decoder_->restoreState(decoderState)) {
    spdlog::error("source {}: the decoder state in the checkpoint is unusable; calls in flight are forgotten",
                  settings_.name);
    return false;
  }
  return true;
}

void FileSource::replayLine(const LinePosition& position, std::string_view line, DecodeSink& sink) {
  savedDevice_ = position.device;
  savedInode_ = position.inode;
  savedPrefixLength_ = position.prefixLength;
  savedPrefixHash_ = position.prefixHash;
  savedOffset_ = position.offset;
  resumeFromSaved_ = true;
  decoder_->decode(line, sink);
}

void FileSource::onEvent(const Event& decoded) {
  stats_.received.add(1);
  // Every decoded event takes an ordinal, admitted or not, as replay numbers them.
  const std::uint64_t ordinal = journal_ != nullptr ? journal_->reserveOrdinal() : 0;
  std::uint64_t missing = 0;
  if (!admitBySequence(decoded, sequences_, stats_, missing)) {
    return;
  }
  Event event = decoded;
  event.sourceIndex = static_cast<std::uint16_t>(index_);
  event.receivedNs = lineReceivedNs_;
  event.sourcePosition = lineEndOffset_;
  stats_.lastEventSeconds.set(static_cast<double>(event.tsUs) / 1e6);
  if (journal_ != nullptr) {
    pendingEvents_.push_back({ordinal, event});  // capacity reserved: no allocation
    return;
  }
  if (submit_(event)) {
    stats_.submitted.add(1);
  }
}

void FileSource::onReject(RejectReason reason, std::string_view detail) {
  stats_.rejected[static_cast<std::size_t>(reason)].add(1);
  std::uint64_t suppressed = 0;
  if (rejectLog_.shouldLog(suppressed)) {
    spdlog::warn(
        "source {}: rejected line before offset {} (reason={}, field='{}'); counted in "
        "ccpulse_events_rejected_total ({} more since last report)",
        settings_.name, lineEndOffset_, toString(reason), detail, suppressed);
  }
}

void FileSource::onIgnored(std::string_view /*what*/) { stats_.ignored.add(1); }

void FileSource::onStateEvicted(std::string_view what) { countStateEvicted(stats_, rejectLog_, settings_.name, what); }

}  // namespace ccpulse
