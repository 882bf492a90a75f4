#include "ccpulse/durability/journal.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "ccpulse/common/clock.hpp"
#include "ccpulse/common/rate_limited_log.hpp"
#include "ccpulse/durability/codec.hpp"

namespace ccpulse {
namespace {

namespace fs = std::filesystem;

constexpr char kMagic[8] = {'C', 'C', 'P', 'J', 'R', 'N', 'L', '1'};
constexpr std::uint32_t kVersion = 1;

std::string segmentPath(const std::string& directory, std::uint64_t id) {
  char name[32];
  std::snprintf(name, sizeof name, "%016llu.seg", static_cast<unsigned long long>(id));
  return directory + "/" + name;
}

bool writeAll(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

RateLimitedLog gWriteLog;

}  // namespace

std::vector<std::uint64_t> listSegments(const std::string& directory) {
  std::vector<std::uint64_t> ids;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(directory, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() == 20 && name.ends_with(".seg") &&
        std::all_of(name.begin(), name.begin() + 16, [](char c) { return c >= '0' && c <= '9'; })) {
      ids.push_back(std::stoull(name.substr(0, 16)));
    }
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

bool syncDirectory(const std::string& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return false;
  }
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

std::uint64_t readJournal(const std::string& directory, JournalPosition from,
                          const std::function<void(std::string_view, JournalPosition)>& onRecord,
                          JournalCounters& counters) {
  std::uint64_t highest = 0;
  std::string data;
  for (const std::uint64_t id : listSegments(directory)) {
    highest = std::max(highest, id);
    if (id < from.segment) {
      continue;
    }
    const std::string path = segmentPath(directory, id);
    {
      std::ifstream in(path, std::ios::binary);
      data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    ByteReader header(data);
    char magic[8];
    std::memcpy(magic, data.data(), std::min<std::size_t>(data.size(), 8));
    header.get<std::array<char, 8>>();
    const auto version = header.get<std::uint32_t>();
    header.get<std::uint32_t>();
    const auto headerId = header.get<std::uint64_t>();
    if (!header.ok() || std::memcmp(magic, kMagic, 8) != 0 || version != kVersion || headerId != id) {
      // A segment created but never written (crash right after open) has a short header: that is
      // a torn tail too; anything else is corruption. Either way nothing in it can be trusted.
      if (data.size() < kJournalHeaderBytes) {
        ++counters.tornTails;
      } else {
        ++counters.corruptSegments;
      }
      spdlog::warn("journal {}: segment {} has no valid header ({} bytes); skipped", directory, id, data.size());
      continue;
    }
    std::size_t offset = kJournalHeaderBytes;
    if (id == from.segment && from.offset > offset) {
      offset = static_cast<std::size_t>(std::min<std::uint64_t>(from.offset, data.size()));
    }
    while (offset < data.size()) {
      std::uint32_t length = 0;
      std::uint32_t crc = 0;
      if (data.size() - offset < kJournalRecordOverhead) {
        break;
      }
      std::memcpy(&length, data.data() + offset, 4);
      std::memcpy(&crc, data.data() + offset + 4, 4);
      if (data.size() - offset - kJournalRecordOverhead < length) {
        break;
      }
      const std::string_view payload(data.data() + offset + kJournalRecordOverhead, length);
      if (crc32c(payload.data(), payload.size()) != crc) {
        break;
      }
      offset += kJournalRecordOverhead + length;
      ++counters.records;
      onRecord(payload, {id, offset});
    }
    if (offset < data.size()) {
      ++counters.tornTails;
      spdlog::warn("journal {}: segment {} has a torn or corrupt tail at byte {} of {}; truncated there", directory, id,
                   offset, data.size());
      if (::truncate(path.c_str(), static_cast<off_t>(offset)) != 0) {
        spdlog::error("journal {}: cannot truncate segment {}: {}", directory, id, std::strerror(errno));
      }
    }
  }
  return highest;
}

std::size_t removeSegmentsBefore(const std::string& directory, std::uint64_t segment) {
  std::size_t removed = 0;
  for (const std::uint64_t id : listSegments(directory)) {
    if (id >= segment) {
      break;
    }
    std::error_code ec;
    if (fs::remove(segmentPath(directory, id), ec)) {
      ++removed;
    }
  }
  if (removed > 0) {
    syncDirectory(directory);
  }
  return removed;
}

JournalWriter::JournalWriter(Settings settings, std::uint64_t firstSegment) : settings_(std::move(settings)) {
  std::error_code ec;
  fs::create_directories(settings_.directory, ec);
  if (ec) {
    throw std::runtime_error("cannot create journal directory " + settings_.directory + ": " + ec.message());
  }
  buffer_.reserve(settings_.bufferBytes + 4096);
  scratch_.reserve(4096);
  openSegment(firstSegment);
  if (fd_ < 0) {
    throw std::runtime_error("cannot create journal segment in " + settings_.directory + ": " + std::strerror(errno));
  }
}

JournalWriter::~JournalWriter() {
  flush();
  syncIfDue(0, /*force=*/true);
  closeSegment();
}

void JournalWriter::openSegment(std::uint64_t id) {
  segment_ = id;
  offset_ = 0;
  fd_ = ::open(segmentPath(settings_.directory, id).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd_ < 0) {
    ++writeErrors_;
    return;
  }
  std::string header;
  ByteWriter w(header);
  w.put(kMagic);
  w.put(kVersion);
  w.put(std::uint32_t{0});
  w.put(id);
  if (!writeAll(fd_, header.data(), header.size())) {
    ++writeErrors_;
  }
  offset_ = header.size();
  // The new file's directory entry must survive a power failure, or its records would vanish.
  ::fdatasync(fd_);
  syncDirectory(settings_.directory);
}

void JournalWriter::closeSegment() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

void JournalWriter::append(std::string_view payload) {
  const auto length = static_cast<std::uint32_t>(payload.size());
  const std::uint32_t crc = crc32c(payload.data(), payload.size());
  buffer_.append(reinterpret_cast<const char*>(&length), 4);
  buffer_.append(reinterpret_cast<const char*>(&crc), 4);
  buffer_.append(payload);
  if (buffer_.size() >= settings_.bufferBytes) {
    flush();
  }
}

bool JournalWriter::flush() {
  if (buffer_.empty()) {
    return true;
  }
  bool ok = fd_ >= 0 && writeAll(fd_, buffer_.data(), buffer_.size());
  if (ok) {
    offset_ += buffer_.size();
    bytesWritten_ += buffer_.size();
    unsynced_ = true;
  } else {
    ++writeErrors_;
    std::uint64_t suppressed = 0;
    if (gWriteLog.shouldLog(suppressed)) {
      spdlog::error("journal {}: write failed: {}; {} bytes of records lost from the journal ({} more since)",
                    settings_.directory, std::strerror(errno), buffer_.size(), suppressed);
    }
  }
  buffer_.clear();
  if (offset_ >= settings_.segmentBytes) {
    // The finished segment is synced before the next one starts, so segments are durable in order.
    if (fd_ >= 0 && ::fdatasync(fd_) != 0) {
      ++writeErrors_;
    }
    ++syncs_;
    unsynced_ = false;
    closeSegment();
    openSegment(segment_ + 1);
    ok = ok && fd_ >= 0;
  }
  return ok;
}

bool JournalWriter::syncIfDue(std::int64_t nowNs, bool force) {
  if (!unsynced_ || (!force && nowNs < nextSyncNs_)) {
    return true;
  }
  nextSyncNs_ = nowNs + settings_.syncInterval.count() * 1000;
  unsynced_ = false;
  ++syncs_;
  if (fd_ >= 0 && ::fdatasync(fd_) == 0) {
    return true;
  }
  ++writeErrors_;
  return false;
}

}  // namespace ccpulse
