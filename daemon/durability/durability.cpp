#include "ccpulse/durability/durability.hpp"

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

namespace ccpulse {
namespace {

namespace fs = std::filesystem;

constexpr char kMagic[8] = {'C', 'C', 'P', 'C', 'K', 'P', 'T', '1'};
// 2: a source snapshot carries its LineSource state (version 1 files are still read).
constexpr std::uint32_t kVersion = 2;
constexpr std::uint32_t kOldestReadableVersion = 1;
constexpr std::size_t kHeaderBytes = 24;  // magic, version, crc, payload length
/// How long a checkpoint waits for an ingest thread or a shard to answer before giving up.
constexpr std::int64_t kHandshakeTimeoutNs = 10'000'000'000;

std::string checkpointName(std::uint64_t generation) {
  char name[48];
  std::snprintf(name, sizeof name, "checkpoint-%016llu.ckpt", static_cast<unsigned long long>(generation));
  return name;
}

std::vector<std::pair<std::uint64_t, std::string>> listCheckpoints(const std::string& directory) {
  std::vector<std::pair<std::uint64_t, std::string>> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(directory, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() == 32 && name.starts_with("checkpoint-") && name.ends_with(".ckpt")) {
      try {
        out.emplace_back(std::stoull(name.substr(11, 16)), entry.path().string());
      } catch (const std::exception&) {
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool writeFileDurably(const std::string& directory, const std::string& finalName, const std::string& bytes) {
  const std::string tmp = directory + "/." + finalName + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) {
    return false;
  }
  const char* p = bytes.data();
  std::size_t left = bytes.size();
  bool ok = true;
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      ok = false;
      break;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  ok = ok && ::rename(tmp.c_str(), (directory + "/" + finalName).c_str()) == 0;
  ok = ok && syncDirectory(directory);
  if (!ok) {
    ::unlink(tmp.c_str());
  }
  return ok;
}

std::string sanitize(const std::string& name) {
  std::string out = name;
  for (char& c : out) {
    const bool safe =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!safe) {
      c = '_';
    }
  }
  return out.empty() || out == "." || out == ".." ? "_" + out : out;
}

}  // namespace

bool writeCheckpointFile(const std::string& directory, const CheckpointData& data, std::size_t keep) {
  std::error_code ec;
  fs::create_directories(directory, ec);
  std::string payload;
  ByteWriter w(payload);
  w.put(data.generation);
  w.put(data.createdUs);
  w.put(static_cast<std::uint32_t>(data.shards.size()));
  for (const auto& blob : data.shards) {
    w.putBytes(blob);
  }
  w.put(static_cast<std::uint32_t>(data.sources.size()));
  for (const auto& s : data.sources) {
    encodeSnapshot(w, s);
  }
  w.put(data.counters);
  std::string file;
  file.reserve(kHeaderBytes + payload.size());
  ByteWriter f(file);
  f.put(kMagic);
  f.put(kVersion);
  f.put(crc32c(payload.data(), payload.size()));
  f.put(static_cast<std::uint64_t>(payload.size()));
  file.append(payload);
  if (!writeFileDurably(directory, checkpointName(data.generation), file)) {
    spdlog::error("checkpoint {}: cannot write {}: {}", data.generation, directory, std::strerror(errno));
    return false;
  }
  const auto all = listCheckpoints(directory);
  for (std::size_t i = 0; i + keep < all.size(); ++i) {
    fs::remove(all[i].second, ec);
  }
  return true;
}

std::optional<CheckpointData> loadNewestCheckpoint(const std::string& directory, std::uint64_t& fallbacks) {
  const auto all = listCheckpoints(directory);
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    std::string bytes;
    {
      std::ifstream in(it->second, std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    ByteReader header(bytes);
    const auto magic = header.get<std::array<char, 8>>();
    const auto version = header.get<std::uint32_t>();
    const auto crc = header.get<std::uint32_t>();
    const auto length = header.get<std::uint64_t>();
    CheckpointData data;
    bool ok = header.ok() && std::memcmp(magic.data(), kMagic, 8) == 0 && version >= kOldestReadableVersion &&
              version <= kVersion && length == bytes.size() - kHeaderBytes &&
              crc32c(bytes.data() + kHeaderBytes, length) == crc;
    if (ok) {
      ByteReader r(std::string_view(bytes).substr(kHeaderBytes));
      data.generation = r.get<std::uint64_t>();
      data.createdUs = r.get<std::int64_t>();
      const auto shards = r.get<std::uint32_t>();
      for (std::uint32_t i = 0; i < shards && r.ok(); ++i) {
        data.shards.emplace_back(r.getBytes());
      }
      const auto sources = r.get<std::uint32_t>();
      for (std::uint32_t i = 0; i < sources && r.ok(); ++i) {
        SourceSnapshot s;
        if (decodeSnapshot(r, s, version)) {
          data.sources.push_back(std::move(s));
        }
      }
      data.counters = r.get<std::array<std::uint64_t, 6>>();
      ok = r.ok() && r.remaining() == 0;
    }
    if (ok) {
      return data;
    }
    ++fallbacks;
    spdlog::error("checkpoint {} is corrupt or torn (bad magic, version, length or CRC); trying the previous one",
                  it->second);
  }
  return std::nullopt;
}

Durability::Durability(DurabilitySettings settings, Engine& engine, std::vector<DurableSource> sources,
                       const Clock& clock)
    : settings_(std::move(settings)), engine_(engine), sources_(std::move(sources)), clock_(clock) {
  std::error_code ec;
  fs::create_directories(settings_.directory + "/checkpoints", ec);
  if (ec) {
    throw std::runtime_error("state.directory " + settings_.directory + " cannot be created: " + ec.message());
  }
}

Durability::~Durability() { stop(); }

std::string Durability::journalDirectory(const std::string& source) const {
  return settings_.directory + "/journal/" + sanitize(source);
}

void Durability::restore() {
  const std::int64_t startedNs = steadyNowNs();
  std::uint64_t fallbacks = 0;
  const auto checkpoint = loadNewestCheckpoint(settings_.directory + "/checkpoints", fallbacks);
  stats_.checkpointFallbacks.add(fallbacks);
  std::vector<SourceSnapshot> snapshots(sources_.size());
  previousPositions_.assign(sources_.size(), JournalPosition{});
  if (checkpoint) {
    if (checkpoint->shards.size() != engine_.shardCount()) {
      throw std::runtime_error("checkpoint in " + settings_.directory + " was written with " +
                               std::to_string(checkpoint->shards.size()) + " shards but engine.shards is " +
                               std::to_string(engine_.shardCount()) +
                               "; restore the old value or move the state directory away to start from zero");
    }
    for (std::size_t i = 0; i < engine_.shardCount(); ++i) {
      if (!engine_.shard(i).restoreState(checkpoint->shards[i])) {
        throw std::runtime_error("checkpoint generation " + std::to_string(checkpoint->generation) +
                                 " cannot be restored into shard " + std::to_string(i) +
                                 " (incompatible version or lowered caps); move the state directory away to start "
                                 "from zero");
      }
    }
    generation_ = checkpoint->generation;
    for (std::size_t i = 0; i < sources_.size(); ++i) {
      for (const auto& s : checkpoint->sources) {
        if (s.name == sources_[i].name) {
          snapshots[i] = s;
          restoreSourceSnapshot(s, i, *sources_[i].stats, *sources_[i].sequences, engine_);
          previousPositions_[i] = s.position;
          if (sources_[i].lines != nullptr && !s.lineState.empty() &&
              !sources_[i].lines->restoreLineState(s.lineState)) {
            stats_.journalCorrupt.add(1);
            spdlog::error(
                "source {}: its read position and decoder state in checkpoint {} are unusable; it "
                "starts over from its own offset",
                sources_[i].name, checkpoint->generation);
          }
        }
      }
      if (snapshots[i].name.empty()) {
        spdlog::info("source {}: not in the checkpoint (new source); its journal is replayed from the start",
                     sources_[i].name);
      }
    }
    // Durability counters continue across restarts like every other counter.
    PubU64* counters[] = {&stats_.checkpoints,      &stats_.checkpointFailures, &stats_.checkpointFallbacks,
                          &stats_.journalTornTails, &stats_.journalCorrupt,     &stats_.removedSegments};
    for (std::size_t i = 0; i < checkpoint->counters.size(); ++i) {
      counters[i]->add(checkpoint->counters[i]);
    }
  }
  std::uint64_t replayed = 0;
  journals_.clear();
  for (std::size_t i = 0; i < sources_.size(); ++i) {
    const std::string dir = journalDirectory(sources_[i].name);
    const ReplayResult r =
        replaySourceJournal(dir, previousPositions_[i], i, snapshots[i].nextOrdinal, snapshots[i].resumePosition,
                            *sources_[i].stats, *sources_[i].sequences, engine_, sources_[i].lines);
    replayed += r.events;
    stats_.journalTornTails.add(r.counters.tornTails);
    stats_.journalCorrupt.add(r.counters.corruptSegments);
    JournalWriter::Settings js;
    js.directory = dir;
    js.segmentBytes = settings_.journalSegmentBytes;
    js.syncInterval = settings_.journalSyncInterval;
    journals_.push_back(std::make_unique<SourceJournal>(sources_[i].name, i, js, r.highestSegment + 1, r.nextOrdinal,
                                                        r.resumePosition, *sources_[i].stats, *sources_[i].sequences,
                                                        engine_, sources_[i].lines));
    if (r.events > 0 || r.counters.tornTails > 0) {
      spdlog::info("source {}: replayed {} journaled events ({} dropped before the crash, {} torn tails truncated)",
                   sources_[i].name, r.events, r.skipped, r.counters.tornTails);
    }
  }
  for (std::size_t i = 0; i < engine_.shardCount(); ++i) {
    engine_.shard(i).publish(engine_.shard(i).nowUs(/*idle=*/true));
  }
  stats_.replayedEvents.set(replayed);
  // A fresh checkpoint right away: the next start replays nothing of what was just replayed, and
  // the journal covered by the older checkpoint can go.
  finalCheckpoint();
  const double seconds = static_cast<double>(steadyNowNs() - startedNs) * 1e-9;
  stats_.restoreSeconds.set(seconds);
  spdlog::info("state restored from {} (checkpoint generation {}, {} journal events replayed) in {:.3f} s",
               settings_.directory, checkpoint ? checkpoint->generation : 0, replayed, seconds);
}

void Durability::finalCheckpoint() {
  const std::int64_t startedNs = steadyNowNs();
  CheckpointData data;
  data.generation = ++generation_;
  data.createdUs = clock_.nowUs();
  for (std::size_t i = 0; i < engine_.shardCount(); ++i) {
    std::string blob;
    engine_.shard(i).saveState(blob);
    data.shards.push_back(std::move(blob));
  }
  for (auto& j : journals_) {
    j->commit();
    j->takeSnapshot();
    data.sources.push_back(j->snapshot());
  }
  writeAndPrune(std::move(data), startedNs);
}

bool Durability::checkpointOnline() {
  const std::int64_t startedNs = steadyNowNs();
  const std::uint64_t generation = ++generation_;
  const auto waitFor = [&](const auto& done) {
    const std::int64_t deadline = steadyNowNs() + kHandshakeTimeoutNs;
    while (!done()) {
      if (steadyNowNs() > deadline) {
        return false;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    return true;
  };
  for (auto& j : journals_) {
    if (j->driven()) {
      j->requestPause(generation);
    }
  }
  const auto resumeAll = [&] {
    for (auto& j : journals_) {
      j->resume(generation);
    }
  };
  bool ok = waitFor([&] {
    return std::all_of(journals_.begin(), journals_.end(),
                       [&](const auto& j) { return !j->driven() || j->paused(generation); });
  });
  CheckpointData data;
  data.generation = generation;
  data.createdUs = clock_.nowUs();
  if (ok) {
    for (std::size_t i = 0; i < engine_.shardCount(); ++i) {
      engine_.shard(i).requestCheckpoint(generation);
    }
    ok = waitFor([&] {
      for (std::size_t i = 0; i < engine_.shardCount(); ++i) {
        if (engine_.shard(i).checkpointDone() < generation) {
          return false;
        }
      }
      return true;
    });
  }
  if (ok) {
    for (std::size_t i = 0; i < engine_.shardCount(); ++i) {
      data.shards.push_back(engine_.shard(i).checkpointBlob());
    }
    for (auto& j : journals_) {
      if (!j->driven()) {
        // Not paused: only its counters (atomics) are read, and its tracker is never used; what
        // it submits after this point is simply not in the checkpoint (it is not journaled).
        j->takeSnapshot();
      }
      data.sources.push_back(j->snapshot());
    }
  }
  resumeAll();
  stats_.lastPauseSeconds.set(static_cast<double>(steadyNowNs() - startedNs) * 1e-9);
  if (!ok) {
    stats_.checkpointFailures.add(1);
    spdlog::error("checkpoint {}: an ingest or shard thread did not answer within 10 s; skipped", generation);
    return false;
  }
  return writeAndPrune(std::move(data), startedNs);
}

bool Durability::writeAndPrune(CheckpointData data, std::int64_t startedNs) {
  // Counters as they will be once this checkpoint is written and the covered segments removed, so
  // a restart from it never shows them lower than a scrape did.
  std::uint64_t toRemove = 0;
  for (std::size_t i = 0; i < journals_.size() && i < previousPositions_.size(); ++i) {
    for (const std::uint64_t id : listSegments(journals_[i]->writer().directory())) {
      toRemove += id < previousPositions_[i].segment ? 1 : 0;
    }
  }
  data.counters = {stats_.checkpoints.get() + 1,     stats_.checkpointFailures.get(),
                   stats_.checkpointFallbacks.get(), stats_.journalTornTails.get(),
                   stats_.journalCorrupt.get(),      stats_.removedSegments.get() + toRemove};
  std::vector<JournalPosition> positions;
  for (const auto& s : data.sources) {
    positions.push_back(s.position);
  }
  if (!writeCheckpointFile(settings_.directory + "/checkpoints", data)) {
    stats_.checkpointFailures.add(1);
    return false;
  }
  stats_.checkpoints.add(1);
  for (std::size_t i = 0; i < journals_.size() && i < previousPositions_.size(); ++i) {
    stats_.removedSegments.add(removeSegmentsBefore(journals_[i]->writer().directory(), previousPositions_[i].segment));
  }
  previousPositions_ = std::move(positions);
  stats_.lastCheckpointSeconds.set(static_cast<double>(data.createdUs) / 1e6);
  stats_.lastCheckpointDurationSeconds.set(static_cast<double>(steadyNowNs() - startedNs) * 1e-9);
  return true;
}

void Durability::start() {
  if (!thread_.joinable()) {
    thread_ = std::jthread([this](const std::stop_token& stop) { run(stop); });
  }
}

void Durability::stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    wake_.notify_all();
    thread_.join();
  }
}

void Durability::run(const std::stop_token& stop) {
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, stop, settings_.checkpointInterval, [] { return false; });
    }
    if (stop.stop_requested()) {
      break;
    }
    try {
      checkpointOnline();
    } catch (const std::exception& e) {
      stats_.checkpointFailures.add(1);
      spdlog::error("checkpoint failed: {}", e.what());
    }
  }
}

}  // namespace ccpulse
