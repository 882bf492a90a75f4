// Checkpoint serialisation of a shard (see docs/durability.md). Kept apart from shard.cpp: this
// runs once per checkpoint on the worker thread, never per event.
#include <spdlog/spdlog.h>

#include <type_traits>

#include "ccpulse/durability/codec.hpp"
#include "ccpulse/engine/shard.hpp"

namespace ccpulse {
namespace {

/// Bumped whenever the layout below, or a raw-copied record, changes.
// 2: staffed agent-time per interval (AgentQueueSeries::staffedInterval).
// Version 1 is still restored (an upgrade must not refuse to start on its own checkpoint).
constexpr std::uint32_t kShardStateVersion = 2;

void putU64(ByteWriter& w, const PubU64& v) { w.put(v.get()); }
void putI64(ByteWriter& w, const PubI64& v) { w.put(v.get()); }
void putF64(ByteWriter& w, const PubF64& v) { w.put(v.get()); }
void getU64(ByteReader& r, PubU64& v) { v.set(r.get<std::uint64_t>()); }
void getI64(ByteReader& r, PubI64& v) { v.set(r.get<std::int64_t>()); }
void getF64(ByteReader& r, PubF64& v) { v.set(r.get<double>()); }

void putHistogram(ByteWriter& w, const PubHistogram& h) {
  w.put(static_cast<std::uint32_t>(h.bounds().size() + 1));
  for (std::size_t i = 0; i <= h.bounds().size(); ++i) {
    w.put(h.bucketCount(i));
  }
  w.put(h.sum());
  w.put(h.count());
}

void getHistogram(ByteReader& r, PubHistogram& h) {
  const auto n = r.get<std::uint32_t>();
  if (n != h.bounds().size() + 1) {
    r.fail();  // bucket bounds changed (service-level thresholds): not restorable
    return;
  }
  for (std::size_t i = 0; i < n; ++i) {
    h.restoreBucket(i, r.get<std::uint64_t>());
  }
  const auto sum = r.get<double>();
  h.restoreTotals(sum, r.get<std::uint64_t>());
}

void putPeriod(ByteWriter& w, const PeriodGauges& g) {
  for (const PubF64* v : {&g.startSeconds, &g.offered, &g.answered, &g.answeredInThreshold, &g.abandoned,
                          &g.serviceLevel, &g.asaSeconds, &g.ahtSeconds, &g.abandonRate}) {
    putF64(w, *v);
  }
}

void getPeriod(ByteReader& r, PeriodGauges& g) {
  for (PubF64* v : {&g.startSeconds, &g.offered, &g.answered, &g.answeredInThreshold, &g.abandoned, &g.serviceLevel,
                    &g.asaSeconds, &g.ahtSeconds, &g.abandonRate}) {
    getF64(r, *v);
  }
}

template <typename Bucket>
void putRing(ByteWriter& w, const WindowRing<Bucket>& ring) {
  w.put(static_cast<std::uint64_t>(ring.bucketCount()));
  w.put(ring.bucketUs());
  ring.forEachSlot([&](std::size_t, std::int64_t index, const Bucket& b) {
    w.put(index);
    w.put(b);
  });
}

template <typename Bucket>
void getRing(ByteReader& r, WindowRing<Bucket>& ring) {
  const auto count = r.get<std::uint64_t>();
  const auto bucketUs = r.get<std::int64_t>();
  const bool sameGeometry = count == ring.bucketCount() && bucketUs == ring.bucketUs();
  for (std::uint64_t i = 0; i < count && r.ok(); ++i) {
    const auto index = r.get<std::int64_t>();
    const auto bucket = r.get<Bucket>();
    if (sameGeometry) {
      ring.restoreSlot(static_cast<std::size_t>(i), index, bucket);
    }
  }
  // Changed windows: the rolling windows restart empty; totals and periods are unaffected.
}

std::uint32_t layoutFingerprint(std::uint32_t version, std::size_t contactSize, std::size_t agentSize) {
  const std::size_t v1 = contactSize * 1000003U + agentSize * 1009U + sizeof(OutcomeCounts) * 7U + sizeof(PeriodState) +
                         kEventTypeCount * 31U + kChannelCount;
  return static_cast<std::uint32_t>(version == 1 ? v1 : v1 + sizeof(StaffedPeriodState) * 3U);
}

}  // namespace

void Shard::saveState(std::string& out) {
  static_assert(std::is_trivially_copyable_v<ContactRecord> && std::is_trivially_copyable_v<AgentRecord> &&
                std::is_trivially_copyable_v<PeriodState> && std::is_trivially_copyable_v<AgentBucket> &&
                std::is_trivially_copyable_v<StaffedPeriodState>);
  ByteWriter w(out);
  w.put(kShardStateVersion);
  w.put(layoutFingerprint(kShardStateVersion, sizeof(ContactRecord), sizeof(AgentRecord)));
  w.put(settings_.index);
  w.put(newestEventUs_);

  const std::size_t queueCount = queueSeries_.size();
  w.put(static_cast<std::uint32_t>(queueCount));
  for (std::size_t i = 0; i < queueCount; ++i) {
    const QueueSeries& s = queueSeries_.at(i);
    w.putShort(s.tenant);
    w.putShort(s.vendor);
    w.putShort(s.queue);
    w.put(static_cast<std::uint8_t>(s.channel));
    for (const PubU64* v :
         {&s.offered, &s.answered, &s.answeredInThreshold, &s.abandoned, &s.abandonedInThreshold, &s.abandonedShort,
          &s.dequeued[0], &s.dequeued[1], &s.dequeued[2], &s.dequeued[3], &s.handled, &s.transferred, &s.transferredIn,
          &s.answeredUnmatched, &s.abandonedUnmatched, &s.selfServiceContained, &s.selfServiceEscalated, &s.surveys}) {
      putU64(w, *v);
    }
    for (const PubF64* v : {&s.talkSeconds, &s.holdSeconds, &s.acwSeconds, &s.handleSeconds, &s.csatSum}) {
      putF64(w, *v);
    }
    putHistogram(w, s.waitHistogram);
    putHistogram(w, s.abandonWaitHistogram);
    putI64(w, s.waiting);
    for (const auto* periods : {&s.interval, &s.day}) {
      putPeriod(w, (*periods)[0]);
      putPeriod(w, (*periods)[1]);
    }
    putRing(w, s.ring);
    w.put(s.intervalState);
    w.put(s.dayState);
  }

  const std::size_t agentSeriesCount = agentSeries_.size();
  w.put(static_cast<std::uint32_t>(agentSeriesCount));
  const std::size_t auxCount = settings_.engine.auxReasons.size() + 1;
  for (std::size_t i = 0; i < agentSeriesCount; ++i) {
    const AgentQueueSeries& s = agentSeries_.at(i);
    w.putShort(s.tenant);
    w.putShort(s.vendor);
    w.putShort(s.queue);
    putI64(w, s.staffed);
    for (const PubI64& v : s.byState) {
      putI64(w, v);
    }
    w.put(static_cast<std::uint32_t>(auxCount));
    for (std::size_t a = 0; a < auxCount; ++a) {
      putI64(w, s.auxByReason[a]);
    }
    putF64(w, s.handlingSeconds);
    putF64(w, s.availableSeconds);
    putRing(w, s.ring);
    w.put(s.handlingCommitted);
    w.put(s.availableCommitted);
    w.put(s.staffedInterval);
  }

  w.put(static_cast<std::uint64_t>(contacts_.size()));
  contacts_.forEach([&](std::uint64_t key, ContactRecord& r) {
    w.put(key);
    w.put(r);
  });
  w.put(static_cast<std::uint64_t>(agents_.size()));
  agents_.forEach([&](std::uint64_t key, AgentRecord& r) {
    w.put(key);
    w.put(r);
  });
  w.put(static_cast<std::uint64_t>(recentIdOrder_.size()));
  w.put(static_cast<std::uint64_t>(recentIdNext_));
  for (const std::uint64_t key : recentIdOrder_) {
    w.put(key);
  }

  putU64(w, stats_.applied);
  w.put(static_cast<std::uint32_t>(settings_.sourceCount));
  for (std::size_t i = 0; i < settings_.sourceCount; ++i) {
    putU64(w, stats_.duplicates[i]);
  }
  for (const PubU64& v : stats_.unmatched) {
    putU64(w, v);
  }
  for (const PubU64* v : {&stats_.lateEvents, &stats_.contactsEvictedAge, &stats_.contactsUntracked,
                          &stats_.agentsUntracked, &stats_.seriesFolded, &stats_.seriesDropped, &stats_.publishes,
                          &stats_.periodsDropped, &stats_.lateForPeriods}) {
    putU64(w, *v);
  }
  putHistogram(w, stats_.applyLatency);
}

bool Shard::restoreState(std::string_view in) {
  ByteReader r(in);
  // Version 1 (before staffed agent-time): no staffed interval per agent-queue series; the same
  // layout otherwise.
  const auto version = r.get<std::uint32_t>();
  const auto fingerprint = r.get<std::uint32_t>();
  const bool v1 = version == 1 && fingerprint == layoutFingerprint(1, sizeof(ContactRecord), sizeof(AgentRecord));
  if (!v1 && (version != kShardStateVersion ||
              fingerprint != layoutFingerprint(kShardStateVersion, sizeof(ContactRecord), sizeof(AgentRecord)))) {
    spdlog::error("shard {}: checkpoint written by an incompatible version", settings_.index);
    return false;
  }
  if (r.get<std::uint32_t>() != settings_.index) {
    return false;
  }
  newestEventUs_ = r.get<std::int64_t>();

  // Label sets are recreated in their saved order, so the positions that contacts and agents
  // refer to (ContactRecord::series, AgentRecord::queues) stay valid.
  Event labels;
  const auto queueCount = r.get<std::uint32_t>();
  for (std::uint32_t i = 0; i < queueCount && r.ok(); ++i) {
    const bool ok =
        labels.tenant.assign(r.getShort()) && labels.vendor.assign(r.getShort()) && labels.queue.assign(r.getShort());
    const auto channel = r.get<std::uint8_t>();
    if (!ok || channel >= kChannelCount || !r.ok()) {
      return false;
    }
    labels.channel = static_cast<Channel>(channel);
    QueueSeries* s = queueSeriesFor(labels);
    if (s == nullptr || s->index != i) {
      spdlog::error("shard {}: checkpoint label set {} cannot be recreated (caps lowered?)", settings_.index, i);
      return false;
    }
    for (PubU64* v : {&s->offered, &s->answered, &s->answeredInThreshold, &s->abandoned, &s->abandonedInThreshold,
                      &s->abandonedShort, &s->dequeued[0], &s->dequeued[1], &s->dequeued[2], &s->dequeued[3],
                      &s->handled, &s->transferred, &s->transferredIn, &s->answeredUnmatched, &s->abandonedUnmatched,
                      &s->selfServiceContained, &s->selfServiceEscalated, &s->surveys}) {
      getU64(r, *v);
    }
    for (PubF64* v : {&s->talkSeconds, &s->holdSeconds, &s->acwSeconds, &s->handleSeconds, &s->csatSum}) {
      getF64(r, *v);
    }
    getHistogram(r, s->waitHistogram);
    getHistogram(r, s->abandonWaitHistogram);
    getI64(r, s->waiting);
    for (auto* periods : {&s->interval, &s->day}) {
      getPeriod(r, (*periods)[0]);
      getPeriod(r, (*periods)[1]);
    }
    getRing(r, s->ring);
    s->intervalState = r.get<PeriodState>();
    s->dayState = r.get<PeriodState>();
  }

  const auto agentSeriesCount = r.get<std::uint32_t>();
  const std::size_t auxCount = settings_.engine.auxReasons.size() + 1;
  for (std::uint32_t i = 0; i < agentSeriesCount && r.ok(); ++i) {
    const bool ok = labels.tenant.assign(r.getShort()) && labels.vendor.assign(r.getShort());
    const std::string_view queue = r.getShort();
    if (!ok || !r.ok()) {
      return false;
    }
    AgentQueueSeries* s = agentSeriesFor(labels, queue);
    if (s == nullptr || s->index != i) {
      return false;
    }
    getI64(r, s->staffed);
    for (PubI64& v : s->byState) {
      getI64(r, v);
    }
    const auto savedAux = r.get<std::uint32_t>();
    for (std::uint32_t a = 0; a < savedAux && r.ok(); ++a) {
      const auto value = r.get<std::int64_t>();
      if (a < auxCount) {
        s->auxByReason[a].set(value);
      }
    }
    getF64(r, s->handlingSeconds);
    getF64(r, s->availableSeconds);
    getRing(r, s->ring);
    s->handlingCommitted = r.get<double>();
    s->availableCommitted = r.get<double>();
    if (v1) {
      // Staffed time is counted from the newest event before the upgrade on (the states since
      // then are the ones restored): nothing before it, nothing twice.
      for (std::size_t k = 0; k < kAgentStateKindCount; ++k) {
        const auto kind = static_cast<AgentStateKind>(k);
        if (kind == AgentStateKind::kAvailable || kind == AgentStateKind::kBusy || kind == AgentStateKind::kAcw) {
          s->staffedInterval.staffedAgents += s->byState[k].get();
        }
      }
      s->staffedInterval.integratedUntilUs = newestEventUs_ > 0 ? newestEventUs_ : INT64_MIN;
    } else {
      s->staffedInterval = r.get<StaffedPeriodState>();
    }
  }

  const auto contactCount = r.get<std::uint64_t>();
  for (std::uint64_t i = 0; i < contactCount && r.ok(); ++i) {
    const auto key = r.get<std::uint64_t>();
    const auto record = r.get<ContactRecord>();
    bool inserted = false;
    ContactRecord* slot = contacts_.findOrInsert(key, inserted);
    if (slot == nullptr || record.series >= queueSeries_.size()) {
      return false;
    }
    *slot = record;
  }
  const auto agentCount = r.get<std::uint64_t>();
  for (std::uint64_t i = 0; i < agentCount && r.ok(); ++i) {
    const auto key = r.get<std::uint64_t>();
    const auto record = r.get<AgentRecord>();
    bool inserted = false;
    AgentRecord* slot = agents_.findOrInsert(key, inserted);
    if (slot == nullptr || record.queueCount > kMaxAgentQueues) {
      return false;
    }
    for (std::size_t q = 0; q < record.queueCount; ++q) {
      if (record.queues[q] >= agentSeries_.size()) {
        return false;
      }
    }
    *slot = record;
  }
  const auto idCount = r.get<std::uint64_t>();
  const auto idNext = r.get<std::uint64_t>();
  const bool sameDedup = idCount == recentIdOrder_.size();
  for (std::uint64_t i = 0; i < idCount && r.ok(); ++i) {
    const auto key = r.get<std::uint64_t>();
    if (sameDedup) {
      recentIdOrder_[i] = key;
      bool inserted = false;
      if (key != 0) {
        recentIds_.findOrInsert(key, inserted);
      }
    }
  }
  // A changed dedup_window starts with an empty memory (duplicates across the restart are then
  // not recognised); the normal case keeps it exactly.
  recentIdNext_ = sameDedup && idNext < recentIdOrder_.size() ? static_cast<std::size_t>(idNext) : 0;

  getU64(r, stats_.applied);
  const auto sourceCount = r.get<std::uint32_t>();
  for (std::uint32_t i = 0; i < sourceCount && r.ok(); ++i) {
    const auto value = r.get<std::uint64_t>();
    if (i < settings_.sourceCount) {
      stats_.duplicates[i].set(value);
    }
  }
  for (PubU64& v : stats_.unmatched) {
    getU64(r, v);
  }
  for (PubU64* v : {&stats_.lateEvents, &stats_.contactsEvictedAge, &stats_.contactsUntracked, &stats_.agentsUntracked,
                    &stats_.seriesFolded, &stats_.seriesDropped, &stats_.publishes, &stats_.periodsDropped,
                    &stats_.lateForPeriods}) {
    getU64(r, *v);
  }
  getHistogram(r, stats_.applyLatency);
  stats_.contactsInFlight.set(static_cast<std::int64_t>(contacts_.size()));
  stats_.agentsTracked.set(static_cast<std::int64_t>(agents_.size()));
  if (!r.ok() || r.remaining() != 0) {
    spdlog::error("shard {}: checkpoint state is truncated or has trailing bytes", settings_.index);
    return false;
  }
  return true;
}

void Shard::serviceCheckpoint() noexcept {
  const std::uint64_t requested = checkpointRequested_.load(std::memory_order_acquire);
  if (requested <= checkpointDone_.load(std::memory_order_relaxed)) {
    return;
  }
  try {
    // Producers are paused: draining to empty puts every submitted event into the saved state.
    while (drainOnce(4096) > 0) {
    }
    checkpointBlob_.clear();
    saveState(checkpointBlob_);
  } catch (const std::exception& e) {
    spdlog::error("shard {}: checkpoint state could not be saved: {}", settings_.index, e.what());
    checkpointBlob_.clear();
  }
  checkpointDone_.store(requested, std::memory_order_release);
}

}  // namespace ccpulse
