#pragma once
/// The metrics engine: N shards, each with its own worker thread, fed by the ingest threads over
/// SPSC rings (one per (source, shard) pair, so every ring has exactly one producer and one
/// consumer). Routing hashes (tenant, queue) for contact events and (tenant, agent) for agent
/// events, so every piece of per-queue and per-agent state has exactly one writer.
///
/// Thread-safety: submit(sourceIndex, ...) is called only by that source's ingest thread;
/// postServiceLevel() only by the control thread; readers (exporter) may call the const
/// accessors from any thread.

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "ccpulse/common/clock.hpp"
#include "ccpulse/config/config.hpp"
#include "ccpulse/decode/event.hpp"
#include "ccpulse/engine/published.hpp"
#include "ccpulse/engine/shard.hpp"

namespace ccpulse {

/// Histogram bounds (seconds) for waits: a fixed ladder plus every configured threshold and
/// short-abandon limit, so "answered within T" can be read off the histogram exactly.
[[nodiscard]] std::shared_ptr<const std::vector<double>> waitHistogramBounds(const ServiceLevelSettings& serviceLevel);

/// Shard index for an event (pure; the same for every caller).
[[nodiscard]] std::size_t routeEvent(const Event& event, std::size_t shardCount) noexcept;

/// Shard of an agent (agent events, and the agent leg of contact events).
[[nodiscard]] std::size_t routeAgent(const Event& event, std::size_t shardCount) noexcept;

/// Shard of a (tenant, queue) pair (pure).
[[nodiscard]] std::size_t routeQueue(std::string_view tenant, std::string_view queue, std::size_t shardCount) noexcept;

/// Like forEachRoute, but calls `deliver(shardIndex, legs)` without copying the event, so the
/// caller can write it straight into the shard's ring slot.
template <typename Deliver>
void forEachRouteLegs(const Event& event, std::size_t shardCount, Deliver&& deliver) {
  std::array<std::pair<std::size_t, std::uint8_t>, 3> targets{};
  std::size_t count = 0;
  const auto add = [&](std::size_t shard, std::uint8_t legs) {
    for (std::size_t i = 0; i < count; ++i) {
      if (targets[i].first == shard) {
        targets[i].second = static_cast<std::uint8_t>(targets[i].second | legs);
        return;
      }
    }
    targets[count++] = {shard, legs};
  };
  add(routeEvent(event, shardCount), kLegContact);
  if (event.type == EventType::kContactTransferred && !event.toQueue.empty()) {
    add(routeQueue(event.tenant.view(), event.toQueue.view(), shardCount), kLegTransferTarget);
  }
  if ((event.type == EventType::kContactAnswered || event.type == EventType::kContactWrapped ||
       event.type == EventType::kContactTransferred) &&
      !event.agent.empty()) {
    add(routeAgent(event, shardCount), kLegAgent);
  }
  for (std::size_t i = 0; i < count; ++i) {
    deliver(targets[i].first, targets[i].second);
  }
}

/// Calls `deliver(shardIndex, event)` once per shard the event must reach, each copy's `legs`
/// saying what it carries there: a contact.transferred whose `to_queue` lives in another shard
/// goes to both (the origin closes its leg, the target expects the contact); a
/// contact.answered, contact.transferred or contact.wrapped naming an agent also reaches the
/// agent's shard, which counts the agent's concurrent contacts. Copies for one shard are merged.
template <typename Deliver>
void forEachRoute(const Event& event, std::size_t shardCount, Deliver&& deliver) {
  forEachRouteLegs(event, shardCount, [&](std::size_t shard, std::uint8_t legs) {
    Event copy = event;
    copy.legs = legs;
    deliver(shard, copy);
  });
}

class Engine;

/// Control thread (the rings' one consumer): hands every period closed so far, in each shard's
/// close order, to `sink` and removes it from the shards' closed-period rings.
template <typename Sink>
std::size_t drainClosedPeriods(Engine& engine, Sink&& sink);

class Engine final {
 public:
  /// `intervals` and `zones` cut the reporting intervals and days (defaults: 15 minutes, UTC).
  Engine(const EngineSettings& settings, std::shared_ptr<const ServiceLevelSettings> serviceLevel,
         std::size_t sourceCount, const Clock& clock, const IntervalSettings& intervals = {}, TimeZones zones = {},
         const ContractSettings& quality = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  void start();
  /// The newest event time submitted (event-clock "now"); relaxed: a monotonic hint, no data
  /// is published through it.
  [[nodiscard]] std::int64_t newestEventUs() const noexcept { return newestEventUs_.load(std::memory_order_relaxed); }
  /// Stops the workers after they drain what is already in the rings.
  void stop();

  /// Ingest thread of `sourceIndex` only. Pushes to the owning shard's ring, waiting up to
  /// backpressure_timeout while it is full; returns false (and counts a drop) if it stays full.
  bool submit(std::size_t sourceIndex, const Event& event) noexcept;
  /// Same, for an event straight from a decoder: each ring slot receives one copy of `decoded`
  /// with sourceIndex and receivedNs set there (no intermediate ~1.8 KB copies).
  bool submit(std::size_t sourceIndex, const Event& decoded, std::int64_t receivedNs) noexcept;

  /// Control thread only: every shard switches to the new service-level settings.
  void postServiceLevel(const std::shared_ptr<const ServiceLevelSettings>& serviceLevel);

  [[nodiscard]] std::size_t shardCount() const noexcept { return shards_.size(); }
  /// Any thread: the engine's "now": the wall clock, or in event-clock mode the newest event time
  /// submitted so far.
  [[nodiscard]] std::int64_t nowUs() const noexcept;
  [[nodiscard]] const Shard& shard(std::size_t i) const noexcept { return *shards_[i]; }
  [[nodiscard]] Shard& shard(std::size_t i) noexcept { return *shards_[i]; }
  [[nodiscard]] const EngineSettings& settings() const noexcept { return settings_; }
  /// Control thread: the interval watermark of the whole engine, the oldest of the shards'
  /// closedThroughUs() (INT64_MIN until every shard has published). Read it BEFORE draining the
  /// closed-period rings: then every interval ending by it is in what the drain hands over.
  [[nodiscard]] std::int64_t closedThroughUs() const noexcept;
  /// Events dropped because a ring stayed full, per source.
  [[nodiscard]] std::uint64_t dropped(std::size_t sourceIndex) const noexcept { return dropped_[sourceIndex].get(); }
  [[nodiscard]] std::uint64_t droppedTotal() const noexcept;
  /// Restore, before start() (the caller then owns every source's counter): sets the drop count.
  void restoreDropped(std::size_t sourceIndex, std::uint64_t value) noexcept { dropped_[sourceIndex].set(value); }
  /// Raises the event clock to `tsUs` (never lowers it). Called by submit after each push, and by
  /// the replayer, which applies events to the shards directly. Lock-free; any thread.
  void noteSubmitted(std::int64_t tsUs) noexcept;

 private:
  /// `fill(Event& slot)` writes the event into the ring slot.
  template <typename Fill>
  bool pushTo(Shard& shard, std::size_t sourceIndex, std::int64_t tsUs, const Fill& fill) noexcept;

  EngineSettings settings_;
  const Clock& clock_;
  std::size_t sourceCount_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::vector<std::jthread> workers_;
  std::unique_ptr<PubU64[]> dropped_;  ///< index = source; written only by that source's thread
  SeriesBudget seriesBudget_;
  std::unique_ptr<RepeatTable> repeats_;  ///< shared by the shards (lock-free)
  /// Newest event time submitted (event-clock mode): raised by the ingest threads after each push.
  std::atomic<std::int64_t> newestEventUs_{0};
};

/// Control thread: hands every shard's closed staffed agent-time intervals to `sink`, like
/// drainClosedPeriods (read closedThroughUs() before both drains).
template <typename Sink>
std::size_t drainClosedAgentIntervals(Engine& engine, Sink&& sink) {
  std::size_t drained = 0;
  for (std::size_t i = 0; i < engine.shardCount(); ++i) {
    auto& ring = engine.shard(i).closedAgentIntervals();
    while (const ClosedAgentInterval* p = ring.front()) {
      sink(*p);
      ring.pop();
      ++drained;
    }
  }
  return drained;
}

template <typename Sink>
std::size_t drainClosedPeriods(Engine& engine, Sink&& sink) {
  std::size_t drained = 0;
  for (std::size_t i = 0; i < engine.shardCount(); ++i) {
    auto& ring = engine.shard(i).closedPeriods();
    while (const ClosedPeriod* p = ring.front()) {
      sink(*p);
      ring.pop();
      ++drained;
    }
  }
  return drained;
}

}  // namespace ccpulse
