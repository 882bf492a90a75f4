#include "ccpulse/engine/engine.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "ccpulse/common/hash.hpp"
#include "ccpulse/common/rate_limited_log.hpp"

namespace ccpulse {
namespace {

RateLimitedLog gDropLog;

}  // namespace

std::shared_ptr<const std::vector<double>> waitHistogramBounds(const ServiceLevelSettings& serviceLevel) {
  std::set<double> bounds = {1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1800, 3600, 14400, 86400};
  const auto addPolicy = [&](const ServiceLevelPolicy& p) {
    bounds.insert(static_cast<double>(p.threshold.count()) / 1e6);
    bounds.insert(static_cast<double>(p.shortAbandon.count()) / 1e6);
  };
  addPolicy(serviceLevel.defaults);
  for (const auto& o : serviceLevel.overrides) {
    addPolicy(o.policy);
  }
  return std::make_shared<const std::vector<double>>(bounds.begin(), bounds.end());
}

std::size_t routeAgent(const Event& event, std::size_t shardCount) noexcept {
  return shardCount <= 1 ? 0 : static_cast<std::size_t>(hashKey(event.tenant.view(), event.agent.view()) % shardCount);
}

std::size_t routeQueue(std::string_view tenant, std::string_view queue, std::size_t shardCount) noexcept {
  return shardCount <= 1 ? 0 : static_cast<std::size_t>(hashKey(tenant, queue) % shardCount);
}

std::size_t routeEvent(const Event& event, std::size_t shardCount) noexcept {
  if (isAgentEvent(event.type)) {
    return routeAgent(event, shardCount);
  }
  return routeQueue(event.tenant.view(), event.queue.view(), shardCount);
}

Engine::Engine(const EngineSettings& settings, std::shared_ptr<const ServiceLevelSettings> serviceLevel,
               std::size_t sourceCount, const Clock& clock, const IntervalSettings& intervals, TimeZones zones,
               const ContractSettings& quality)
    : settings_(settings),
      clock_(clock),
      sourceCount_(sourceCount),
      dropped_(std::make_unique<PubU64[]>(sourceCount)),
      seriesBudget_(settings.maxSeriesPerTenant),
      repeats_(std::make_unique<RepeatTable>(quality.repeatTableSize, quality.repeatWindow.count())) {
  std::vector<Tag> complaints;
  for (const std::string& d : quality.complaintDispositions) {
    Tag tag;
    if (tag.assign(d)) {
      complaints.push_back(tag);
    }
  }
  const auto bounds = waitHistogramBounds(*serviceLevel);
  const unsigned shards = std::max(1U, settings_.shards);
  for (unsigned i = 0; i < shards; ++i) {
    ShardSettings s;
    s.engine = settings_;
    s.sourceCount = sourceCount;
    s.index = i;
    s.waitBounds = bounds;
    s.intervals = intervals;
    s.zones = zones;
    s.globalNewestEventUs = &newestEventUs_;
    s.seriesBudget = &seriesBudget_;
    s.complaintDispositions = complaints;
    s.repeats = repeats_.get();
    shards_.push_back(std::make_unique<Shard>(std::move(s), serviceLevel, clock));
  }
}

Engine::~Engine() { stop(); }

std::int64_t Engine::closedThroughUs() const noexcept {
  std::int64_t oldest = INT64_MAX;
  for (const auto& shard : shards_) {
    oldest = std::min(oldest, shard->closedThroughUs());
  }
  return shards_.empty() ? INT64_MIN : oldest;
}

std::int64_t Engine::nowUs() const noexcept {
  // Acquire pairs with the release in submit: a reader that sees an event time also sees the
  // event in its ring (it may not be applied yet, which is fine for a clock).
  return settings_.clock == ClockMode::kEvent ? newestEventUs_.load(std::memory_order_acquire) : clock_.nowUs();
}

void Engine::start() {
  if (!workers_.empty()) {
    return;
  }
  for (auto& shard : shards_) {
    Shard* s = shard.get();
    workers_.emplace_back([s](const std::stop_token& stop) { s->run(stop); });
  }
}

void Engine::stop() {
  for (auto& w : workers_) {
    w.request_stop();
  }
  workers_.clear();  // joins
}

void Engine::noteSubmitted(std::int64_t tsUs) noexcept {
  // Release after the push, so a shard that reads this time (acquire) and then finds its rings
  // empty knows every event submitted before it has been applied.
  std::int64_t seen = newestEventUs_.load(std::memory_order_relaxed);
  while (tsUs > seen &&
         !newestEventUs_.compare_exchange_weak(seen, tsUs, std::memory_order_release, std::memory_order_relaxed)) {
  }
}

template <typename Fill>
bool Engine::pushTo(Shard& shard, std::size_t sourceIndex, std::int64_t tsUs, const Fill& fill) noexcept {
  SpscRing<Event>& ring = shard.inputRing(sourceIndex);
  if (ring.tryPushWith(fill)) {
    noteSubmitted(tsUs);
    return true;
  }
  // Bounded back-pressure: the source waits a little for the worker to catch up (ZeroMQ then
  // queues upstream up to its high-water mark), then drops and counts rather than block forever.
  const std::int64_t deadline = steadyNowNs() + settings_.backpressureTimeout.count() * 1000;
  for (unsigned spins = 0;; ++spins) {
    if (ring.tryPushWith(fill)) {
      noteSubmitted(tsUs);
      return true;
    }
    if ((spins & 63U) == 63U) {
      if (steadyNowNs() >= deadline) {
        break;
      }
      std::this_thread::yield();
    }
  }
  dropped_[sourceIndex].add(1);
  std::uint64_t suppressed = 0;
  if (gDropLog.shouldLog(suppressed)) {
    spdlog::warn(
        "ring to shard {} full for {} us: event dropped ({} more since last report); "
        "raise engine.shards or engine.ring_capacity, or lower the input rate",
        shard.settings().index, settings_.backpressureTimeout.count(), suppressed);
  }
  return false;
}

bool Engine::submit(std::size_t sourceIndex, const Event& event) noexcept {
  bool all = true;
  forEachRouteLegs(event, shards_.size(), [&](std::size_t shard, std::uint8_t legs) {
    all = pushTo(*shards_[shard], sourceIndex, event.tsUs,
                 [&](Event& slot) noexcept {
                   slot = event;
                   slot.legs = legs;
                 }) &&
          all;
  });
  return all;
}

bool Engine::submit(std::size_t sourceIndex, const Event& decoded, std::int64_t receivedNs) noexcept {
  bool all = true;
  forEachRouteLegs(decoded, shards_.size(), [&](std::size_t shard, std::uint8_t legs) {
    all = pushTo(*shards_[shard], sourceIndex, decoded.tsUs,
                 [&](Event& slot) noexcept {
                   slot = decoded;
                   slot.legs = legs;
                   slot.sourceIndex = static_cast<std::uint16_t>(sourceIndex);
                   slot.receivedNs = receivedNs;
                 }) &&
          all;
  });
  return all;
}

void Engine::postServiceLevel(const std::shared_ptr<const ServiceLevelSettings>& serviceLevel) {
  for (auto& shard : shards_) {
    // The control ring is tiny and drained every loop iteration; retrying briefly is enough.
    while (!shard->postServiceLevel(serviceLevel)) {
      std::this_thread::yield();
    }
  }
}

std::uint64_t Engine::droppedTotal() const noexcept {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < sourceCount_; ++i) {
    total += dropped_[i].get();
  }
  return total;
}

}  // namespace ccpulse
