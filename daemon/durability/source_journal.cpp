#include "ccpulse/durability/source_journal.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <deque>

#include "ccpulse/common/clock.hpp"
#include "ccpulse/engine/engine.hpp"

namespace ccpulse {
namespace {

/// Drop records follow their event within one batch (at most a few thousand records later), so
/// replay holds this many events back before applying them.
constexpr std::size_t kReplayLookahead = 8192;

// Counters added in checkpoint format 2 (and appended to stats records): what adapters and file
// sources count besides the decode results, so they too continue across restarts.
std::array<PubU64*, 5> extraCounters(SourceStats& s) noexcept {
  return {&s.ignored, &s.stateEvicted, &s.fileRotations, &s.fileTruncations, &s.stateWriteFailures};
}

std::uint64_t statsKey(const SourceStats& s) noexcept {
  std::uint64_t key = s.frames.get() * 31 + s.bytes.get() * 7 + s.received.get() * 3 + s.sequenceRepeats.get() +
                      s.connects.get() * 131 + s.disconnects.get() * 137;
  for (const auto& r : s.rejected) {
    key = key * 17 + r.get();
  }
  for (const PubU64* v : {&s.ignored, &s.stateEvicted, &s.fileRotations, &s.fileTruncations, &s.stateWriteFailures}) {
    key = key * 13 + v->get();
  }
  return key;
}

}  // namespace

SourceJournal::SourceJournal(std::string name, std::size_t sourceIndex, JournalWriter::Settings settings,
                             std::uint64_t firstSegment, std::uint64_t nextOrdinal, std::uint64_t resumePosition,
                             SourceStats& stats, SequenceTracker& sequences, const Engine& engine, LineSource* lines)
    : name_(std::move(name)),
      index_(sourceIndex),
      writer_(std::move(settings), firstSegment),
      stats_(stats),
      sequences_(sequences),
      engine_(engine),
      lines_(lines),
      nextOrdinal_(nextOrdinal),
      resumePosition_(resumePosition) {}

std::uint64_t SourceJournal::logEvent(const Event& event) {
  std::string& payload = writer_.scratch();
  payload.clear();
  ByteWriter w(payload);
  w.put(JournalRecord::kEvent);
  const std::uint64_t ordinal = nextOrdinal_++;
  w.put(ordinal);
  encodeEvent(w, event);
  writer_.append(payload);
  if (event.sourcePosition != 0) {
    resumePosition_ = event.sourcePosition;
  }
  return ordinal;
}

void SourceJournal::logLine(const LinePosition& position, std::string_view line) {
  std::string& payload = writer_.scratch();
  payload.clear();
  ByteWriter w(payload);
  w.put(JournalRecord::kLine);
  w.put(position);
  w.putBytes(line);
  writer_.append(payload);
  resumePosition_ = position.offset;
}

void SourceJournal::logDropped(std::uint64_t ordinal) {
  std::string& payload = writer_.scratch();
  payload.clear();
  ByteWriter w(payload);
  w.put(JournalRecord::kDropped);
  w.put(ordinal);
  writer_.append(payload);
}

void SourceJournal::commit() {
  const std::uint64_t key = statsKey(stats_);
  if (key != lastStatsKey_) {
    lastStatsKey_ = key;
    std::string& payload = writer_.scratch();
    payload.clear();
    ByteWriter w(payload);
    w.put(JournalRecord::kStats);
    for (const PubU64* v : {&stats_.frames, &stats_.bytes, &stats_.received, &stats_.sequenceRepeats, &stats_.connects,
                            &stats_.disconnects}) {
      w.put(v->get());
    }
    w.put(static_cast<std::uint32_t>(kRejectReasonCount));
    for (const auto& r : stats_.rejected) {
      w.put(r.get());
    }
    const auto extra = extraCounters(stats_);
    w.put(static_cast<std::uint32_t>(extra.size()));
    for (const PubU64* v : extra) {
      w.put(v->get());
    }
    writer_.append(payload);
  }
  writer_.flush();
  stats_.journalWriteErrors.set(writer_.writeErrors());
}

void SourceJournal::service() {
  if (writer_.hasBuffered()) {
    writer_.flush();
  }
  writer_.syncIfDue(steadyNowNs());
  stats_.journalWriteErrors.set(writer_.writeErrors());
  const std::uint64_t requested = pauseRequested_.load(std::memory_order_acquire);
  if (requested <= pauseAcked_.load(std::memory_order_relaxed)) {
    return;
  }
  commit();
  takeSnapshot();
  pauseAcked_.store(requested, std::memory_order_release);
  // Blocks this ingest thread only while the shards drain and copy their state (milliseconds);
  // libzmq queues incoming frames meanwhile, up to the receive high-water mark.
  for (std::uint64_t v = resumed_.load(std::memory_order_acquire); v < requested;
       v = resumed_.load(std::memory_order_acquire)) {
    resumed_.wait(v, std::memory_order_acquire);
  }
}

void SourceJournal::resume(std::uint64_t generation) noexcept {
  resumed_.store(generation, std::memory_order_release);
  resumed_.notify_all();
}

void SourceJournal::takeSnapshot() {
  SourceSnapshot& s = snapshot_;
  s.name = name_;
  s.position = writer_.position();
  s.nextOrdinal = nextOrdinal_;
  s.resumePosition = resumePosition_;
  s.frames = stats_.frames.get();
  s.bytes = stats_.bytes.get();
  s.received = stats_.received.get();
  s.repeats = stats_.sequenceRepeats.get();
  s.connects = stats_.connects.get();
  s.disconnects = stats_.disconnects.get();
  s.gaps = stats_.sequenceGaps.get();
  s.restarts = stats_.sequenceRestarts.get();
  s.submitted = stats_.submitted.get();
  s.dropped = engine_.dropped(index_);
  s.lastEventSeconds = stats_.lastEventSeconds.get();
  for (std::size_t i = 0; i < kRejectReasonCount; ++i) {
    s.rejected[i] = stats_.rejected[i].get();
  }
  s.sequences.clear();
  sequences_.forEach(
      [&](const std::string& publisher, std::uint64_t last) { s.sequences.emplace_back(publisher, last); });
  const auto extra = extraCounters(stats_);
  for (std::size_t i = 0; i < extra.size(); ++i) {
    s.extra[i] = extra[i]->get();
  }
  s.lineState.clear();
  if (lines_ != nullptr) {
    lines_->saveLineState(s.lineState);
  }
}

void encodeSnapshot(ByteWriter& w, const SourceSnapshot& s) {
  w.putShort(s.name);
  w.put(s.position.segment);
  w.put(s.position.offset);
  w.put(s.nextOrdinal);
  w.put(s.resumePosition);
  for (const std::uint64_t v : {s.frames, s.bytes, s.received, s.repeats, s.connects, s.disconnects, s.gaps, s.restarts,
                                s.submitted, s.dropped}) {
    w.put(v);
  }
  w.put(s.lastEventSeconds);
  w.put(static_cast<std::uint32_t>(kRejectReasonCount));
  for (const std::uint64_t v : s.rejected) {
    w.put(v);
  }
  w.put(static_cast<std::uint32_t>(s.sequences.size()));
  for (const auto& [publisher, last] : s.sequences) {
    w.putShort(publisher);
    w.put(last);
  }
  w.putBytes(s.lineState);
  w.put(static_cast<std::uint32_t>(s.extra.size()));
  for (const std::uint64_t v : s.extra) {
    w.put(v);
  }
}

bool decodeSnapshot(ByteReader& r, SourceSnapshot& s, std::uint32_t version) {
  s.name = std::string(r.getShort());
  s.position.segment = r.get<std::uint64_t>();
  s.position.offset = r.get<std::uint64_t>();
  s.nextOrdinal = r.get<std::uint64_t>();
  s.resumePosition = r.get<std::uint64_t>();
  for (std::uint64_t* v : {&s.frames, &s.bytes, &s.received, &s.repeats, &s.connects, &s.disconnects, &s.gaps,
                           &s.restarts, &s.submitted, &s.dropped}) {
    *v = r.get<std::uint64_t>();
  }
  s.lastEventSeconds = r.get<double>();
  const auto rejectCount = r.get<std::uint32_t>();
  for (std::uint32_t i = 0; i < rejectCount && r.ok(); ++i) {
    const auto v = r.get<std::uint64_t>();
    if (i < kRejectReasonCount) {
      s.rejected[i] = v;
    }
  }
  const auto sequenceCount = r.get<std::uint32_t>();
  s.sequences.clear();
  for (std::uint32_t i = 0; i < sequenceCount && r.ok(); ++i) {
    std::string publisher(r.getShort());
    s.sequences.emplace_back(std::move(publisher), r.get<std::uint64_t>());
  }
  s.lineState.clear();
  s.extra = {};
  if (version >= 2) {
    s.lineState = std::string(r.getBytes());
    const auto extraCount = r.get<std::uint32_t>();
    for (std::uint32_t i = 0; i < extraCount && r.ok(); ++i) {
      const auto v = r.get<std::uint64_t>();
      if (i < s.extra.size()) {
        s.extra[i] = v;
      }
    }
  }
  return r.ok();
}

void restoreSourceSnapshot(const SourceSnapshot& s, std::size_t sourceIndex, SourceStats& stats,
                           SequenceTracker& sequences, Engine& engine) {
  stats.frames.set(s.frames);
  stats.bytes.set(s.bytes);
  stats.received.set(s.received);
  stats.sequenceRepeats.set(s.repeats);
  stats.connects.set(s.connects);
  stats.disconnects.set(s.disconnects);
  stats.sequenceGaps.set(s.gaps);
  stats.sequenceRestarts.set(s.restarts);
  stats.submitted.set(s.submitted);
  stats.lastEventSeconds.set(s.lastEventSeconds);
  for (std::size_t i = 0; i < kRejectReasonCount; ++i) {
    stats.rejected[i].set(s.rejected[i]);
  }
  const auto extra = extraCounters(stats);
  for (std::size_t i = 0; i < extra.size(); ++i) {
    extra[i]->set(s.extra[i]);
  }
  engine.restoreDropped(sourceIndex, s.dropped);
  for (const auto& [publisher, last] : s.sequences) {
    sequences.restore(publisher, last);
  }
}

ReplayResult replaySourceJournal(const std::string& directory, JournalPosition from, std::size_t sourceIndex,
                                 std::uint64_t nextOrdinal, std::uint64_t resumePosition, SourceStats& stats,
                                 SequenceTracker& sequences, Engine& engine, LineSource* lines) {
  ReplayResult result;
  result.nextOrdinal = nextOrdinal;
  result.resumePosition = resumePosition;
  struct Pending {
    std::uint64_t ordinal;
    bool dropped;
    Event event;
  };
  std::deque<Pending> pending;
  const auto applyOldest = [&] {
    Pending& p = pending.front();
    Event& event = p.event;
    event.sourceIndex = static_cast<std::uint16_t>(sourceIndex);
    event.receivedNs = 0;  // no apply latency for replayed events
    std::uint64_t missing = 0;
    // Journaled events were admitted; running them through the rules again rebuilds the tracker
    // and its gap / restart counts exactly as they were.
    if (admitBySequence(event, sequences, stats, missing)) {
      if (p.dropped) {
        engine.restoreDropped(sourceIndex, engine.dropped(sourceIndex) + 1);
        ++result.skipped;
      } else {
        forEachRoute(event, engine.shardCount(),
                     [&](std::size_t shard, const Event& routed) { engine.shard(shard).apply(routed); });
        engine.noteSubmitted(event.tsUs);  // event-clock mode: "now" continues from the journal
        stats.submitted.add(1);
        ++result.events;
      }
      stats.lastEventSeconds.set(static_cast<double>(event.tsUs) / 1e6);
    }
    pending.pop_front();
  };
  // Events of a replayed line take ordinals in decode order, as the live source numbered them.
  struct LineSink final : DecodeSink {
    std::deque<Pending>* pending;
    ReplayResult* result;
    SourceStats* stats;
    void onEvent(const Event& event) override {
      stats->received.add(1);
      pending->push_back(Pending{result->nextOrdinal++, false, event});
    }
    void onReject(RejectReason reason, std::string_view /*detail*/) override {
      stats->rejected[static_cast<std::size_t>(reason)].add(1);
    }
    void onIgnored(std::string_view /*what*/) override { stats->ignored.add(1); }
    void onStateEvicted(std::string_view /*what*/) override { stats->stateEvicted.add(1); }
  };
  LineSink lineSink;
  lineSink.pending = &pending;
  lineSink.result = &result;
  lineSink.stats = &stats;
  result.highestSegment = readJournal(
      directory, from,
      [&](std::string_view payload, JournalPosition) {
        ByteReader r(payload);
        const auto kind = r.get<JournalRecord>();
        if (kind == JournalRecord::kEvent) {
          const auto ordinal = r.get<std::uint64_t>();
          Pending p{ordinal, false, Event{}};
          if (!decodeEvent(r, p.event)) {
            ++result.counters.corruptSegments;  // CRC-valid but undecodable: a format bug; skip it
            return;
          }
          result.nextOrdinal = std::max(result.nextOrdinal, ordinal + 1);
          if (p.event.sourcePosition != 0) {
            result.resumePosition = p.event.sourcePosition;
          }
          pending.push_back(std::move(p));
          if (pending.size() > kReplayLookahead) {
            applyOldest();
          }
        } else if (kind == JournalRecord::kLine) {
          const auto position = r.get<LinePosition>();
          const std::string_view line = r.getBytes();
          if (!r.ok()) {
            ++result.counters.corruptSegments;
            return;
          }
          result.resumePosition = position.offset;
          if (lines == nullptr) {
            return;  // the source is no longer a line source: nothing can decode it
          }
          // Counters from here on until the next stats record (which sets them absolutely).
          stats.frames.add(1);
          stats.bytes.add(line.size());
          lines->replayLine(position, line, lineSink);
          while (pending.size() > kReplayLookahead) {
            applyOldest();
          }
        } else if (kind == JournalRecord::kDropped) {
          const auto ordinal = r.get<std::uint64_t>();
          for (auto it = pending.rbegin(); it != pending.rend(); ++it) {
            if (it->ordinal == ordinal) {
              it->dropped = true;
              break;
            }
          }
        } else if (kind == JournalRecord::kStats) {
          for (PubU64* v : {&stats.frames, &stats.bytes, &stats.received, &stats.sequenceRepeats, &stats.connects,
                            &stats.disconnects}) {
            v->set(r.get<std::uint64_t>());
          }
          const auto rejectCount = r.get<std::uint32_t>();
          for (std::uint32_t i = 0; i < rejectCount && r.ok(); ++i) {
            const auto v = r.get<std::uint64_t>();
            if (i < kRejectReasonCount) {
              stats.rejected[i].set(v);
            }
          }
          if (r.remaining() >= sizeof(std::uint32_t)) {  // absent in records of older builds
            const auto extra = extraCounters(stats);
            const auto extraCount = r.get<std::uint32_t>();
            for (std::uint32_t i = 0; i < extraCount && r.ok(); ++i) {
              const auto v = r.get<std::uint64_t>();
              if (i < extra.size()) {
                extra[i]->set(v);
              }
            }
          }
        }
      },
      result.counters);
  while (!pending.empty()) {
    applyOldest();
  }
  return result;
}

}  // namespace ccpulse
