#include "ccpulse/engine/shard.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>

#include "ccpulse/common/hash.hpp"
#include "ccpulse/common/rate_limited_log.hpp"
#include "ccpulse/engine/service_level.hpp"

namespace ccpulse {
namespace {

constexpr double kMicrosPerSecond = 1e6;
/// Extra label sets beyond max_series_per_shard, reserved for the per-(tenant, vendor, channel)
/// "_other" series that absorb the overflow.
constexpr std::size_t kOverflowSeriesReserve = 256;
constexpr std::string_view kOtherQueue = "_other";
/// Contacts evicted per publish at most, so one publish stays bounded in time.
constexpr std::size_t kMaxEvictionsPerPublish = 4096;

double seconds(std::int64_t us) noexcept { return static_cast<double>(us) / kMicrosPerSecond; }
double nonNegativeSeconds(std::int64_t us) noexcept { return us > 0 ? seconds(us) : 0.0; }

std::uint64_t queueSeriesKey(std::string_view tenant, std::string_view vendor, std::string_view queue,
                             Channel channel) noexcept {
  return hashKey(tenant, vendor, queue, toString(channel));
}

void setPolicy(QueueSeries& series, const ServiceLevelPolicy& policy) noexcept {
  series.policy = policy;
  series.publishedTarget.set(policy.target);
  series.publishedThresholdSeconds.set(seconds(policy.threshold.count()));
}

void publishPeriod(PeriodGauges& g, const ServiceLevelPolicy& policy, std::int64_t startUs,
                   const OutcomeCounts& c) noexcept {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  g.startSeconds.set(seconds(startUs));
  g.offered.set(static_cast<double>(c.offered));
  g.answered.set(static_cast<double>(c.answered));
  g.answeredInThreshold.set(static_cast<double>(c.answeredInThreshold));
  g.abandoned.set(static_cast<double>(c.abandoned));
  g.serviceLevel.set(computeServiceLevel(policy.formula, policy.dequeuedCountsAsMiss, c).value_or(kNaN));
  g.asaSeconds.set(computeAsa(c).value_or(kNaN));
  g.ahtSeconds.set(computeAht(c).value_or(kNaN));
  g.abandonRate.set(computeAbandonRate(c).value_or(kNaN));
  g.handled.set(static_cast<double>(c.handled));
}

/// Appends a new label set to the published list and indexes it by key; nullptr (counted in
/// `dropped`) when either is full.
template <typename T>
T* publishSeries(PublishedList<T>& list, FlatTable<std::uint32_t>& index, std::uint64_t key, std::unique_ptr<T> series,
                 PubU64& dropped) noexcept {
  const auto position = static_cast<std::uint32_t>(list.size());
  series->index = position;
  bool inserted = false;
  std::uint32_t* slot = index.findOrInsert(key, inserted);
  T* added = slot != nullptr ? list.append(std::move(series)) : nullptr;
  if (added == nullptr) {
    if (slot != nullptr) {
      index.erase(key);
    }
    dropped.add(1);
    return nullptr;
  }
  *slot = position;
  return added;
}

/// Occupancy counts busy, ACW and available time; aux and offline time are outside it.
constexpr bool countsForOccupancy(AgentStateKind state) noexcept {
  return state == AgentStateKind::kBusy || state == AgentStateKind::kAcw || state == AgentStateKind::kAvailable;
}

RateLimitedLog gSeriesCapLog;
RateLimitedLog gContactCapLog;
RateLimitedLog gAgentCapLog;

}  // namespace

std::shared_ptr<const std::vector<double>> ShardStats::latencyBounds() {
  static const auto kBounds = std::make_shared<const std::vector<double>>(
      // Fine steps up to a few ms, so percentiles around the 1 ms latency target interpolate
      // within narrow buckets (docs/performance.md reads p50/p99/p99.9 off this histogram).
      std::vector<double>{1e-6, 2.5e-6, 5e-6,   1e-5, 2.5e-5, 5e-5, 7.5e-5, 1e-4, 1.5e-4, 2e-4,   2.5e-4, 3e-4, 4e-4,
                          5e-4, 6e-4,   7.5e-4, 1e-3, 1.5e-3, 2e-3, 2.5e-3, 5e-3, 1e-2,   2.5e-2, 0.1,    1.0});
  return kBounds;
}

Shard::Shard(ShardSettings settings, std::shared_ptr<const ServiceLevelSettings> serviceLevel, const Clock& clock)
    : settings_(std::move(settings)),
      serviceLevel_(std::move(serviceLevel)),
      clock_(clock),
      queueSeries_(settings_.engine.maxSeriesPerShard + kOverflowSeriesReserve),
      agentSeries_(settings_.engine.maxSeriesPerShard + kOverflowSeriesReserve),
      queueSeriesIndex_(settings_.engine.maxSeriesPerShard + kOverflowSeriesReserve),
      agentSeriesIndex_(settings_.engine.maxSeriesPerShard + kOverflowSeriesReserve),
      contacts_(settings_.engine.maxContactsInFlight),
      agents_(settings_.engine.maxAgentsPerShard),
      recentIds_(std::max<std::size_t>(settings_.engine.dedupWindow, 1)),
      recentIdOrder_(std::max<std::size_t>(settings_.engine.dedupWindow, 1), 0),
      oldestScratch_(settings_.engine.maxSeriesPerShard + kOverflowSeriesReserve, 0),
      stats_(settings_.sourceCount) {
  const std::int64_t bucketUs = std::max<std::int64_t>(settings_.engine.windowBucket.count(), 1);
  for (const Micros window : settings_.engine.windows) {
    const auto buckets = static_cast<std::size_t>(std::max<std::int64_t>(window.count() / bucketUs, 1));
    windowBuckets_.push_back(buckets);
    ringBuckets_ = std::max(ringBuckets_, buckets);
  }
  inputs_.reserve(settings_.sourceCount);
  for (std::size_t i = 0; i < settings_.sourceCount; ++i) {
    inputs_.push_back(std::make_unique<SpscRing<Event>>(settings_.engine.ringCapacity));
  }
  evictScratch_.reserve(kMaxEvictionsPerPublish);
  if (!settings_.waitBounds) {
    settings_.waitBounds = std::make_shared<const std::vector<double>>();
  }
}

Shard::~Shard() {
  while (auto* box = control_.front()) {
    delete *box;
    control_.pop();
  }
}

std::int64_t Shard::nowUs(bool idle) const noexcept {
  if (settings_.engine.clock != ClockMode::kEvent) {
    return clock_.nowUs();
  }
  if (idle && settings_.globalNewestEventUs != nullptr) {
    // Acquire pairs with the engine's release after the push: events up to that time are in
    // the rings, and the rings are empty, so they have all been applied.
    return std::max(newestEventUs_, settings_.globalNewestEventUs->load(std::memory_order_acquire));
  }
  return newestEventUs_;
}

std::size_t Shard::ringDepth() const noexcept {
  std::size_t depth = 0;
  for (const auto& ring : inputs_) {
    depth += ring->sizeApprox();
  }
  return depth;
}

bool Shard::postServiceLevel(std::shared_ptr<const ServiceLevelSettings> serviceLevel) {
  auto* box = new std::shared_ptr<const ServiceLevelSettings>(std::move(serviceLevel));
  if (!control_.tryPush(box)) {
    delete box;
    return false;
  }
  return true;
}

void Shard::drainControl() noexcept {
  while (auto* slot = control_.front()) {
    std::unique_ptr<std::shared_ptr<const ServiceLevelSettings>> box(*slot);
    control_.pop();
    setServiceLevel(std::move(*box));
  }
}

void Shard::setServiceLevel(std::shared_ptr<const ServiceLevelSettings> serviceLevel) {
  serviceLevel_ = std::move(serviceLevel);
  const std::size_t n = queueSeries_.size();
  for (std::size_t i = 0; i < n; ++i) {
    QueueSeries& s = queueSeries_.at(i);
    setPolicy(s, serviceLevel_->resolve(s.tenant, s.vendor, s.queue, s.channel));
  }
}

// ---------------------------------------------------------------------------------------------
// Label sets

QueueSeries* Shard::queueSeriesFor(const Event& event) noexcept {
  const std::string_view tenant = event.tenant.view();
  const std::string_view vendor = event.vendor.view();
  std::string_view queue = event.queue.view();
  std::uint64_t key = queueSeriesKey(tenant, vendor, queue, event.channel);
  if (const std::uint32_t* index = queueSeriesIndex_.find(key)) {
    QueueSeries& s = queueSeries_.at(*index);
    return s.queue == queue && s.tenant == tenant && s.vendor == vendor && s.channel == event.channel ? &s : nullptr;
  }
  const bool shardFull = queueSeries_.size() >= settings_.engine.maxSeriesPerShard;
  if (shardFull || (settings_.seriesBudget != nullptr && !settings_.seriesBudget->tryTake(tenant))) {
    // Over a cap: fold into the tenant's "_other" queue rather than grow without bound.
    stats_.seriesFolded.add(1);
    std::uint64_t suppressed = 0;
    if (gSeriesCapLog.shouldLog(suppressed)) {
      spdlog::warn("shard {}: {} reached; queue '{}' of tenant '{}' folded into '{}' ({} more since last report)",
                   settings_.index, shardFull ? "engine.max_series_per_shard" : "engine.max_series_per_tenant", queue,
                   tenant, kOtherQueue, suppressed);
    }
    queue = kOtherQueue;
    key = queueSeriesKey(tenant, vendor, queue, event.channel);
    if (const std::uint32_t* index = queueSeriesIndex_.find(key)) {
      return &queueSeries_.at(*index);
    }
  }
  try {
    const std::size_t bucketCount = ringBuckets_;
    auto series = std::make_unique<QueueSeries>(std::string(tenant), std::string(vendor), std::string(queue),
                                                event.channel, settings_.waitBounds, windowBuckets_.size(),
                                                settings_.engine.windowBucket.count(), bucketCount);
    setPolicy(*series, serviceLevel_->resolve(tenant, vendor, queue, event.channel));
    series->zone = settings_.zones.forTenant(tenant);
    return publishSeries(queueSeries_, queueSeriesIndex_, key, std::move(series), stats_.seriesDropped);
  } catch (const std::bad_alloc&) {
    stats_.seriesDropped.add(1);
    return nullptr;
  }
}

AgentQueueSeries* Shard::agentSeriesFor(const Event& event, std::string_view queue) noexcept {
  const std::string_view tenant = event.tenant.view();
  const std::string_view vendor = event.vendor.view();
  std::uint64_t key = hashKey(tenant, vendor, queue);
  if (const std::uint32_t* index = agentSeriesIndex_.find(key)) {
    AgentQueueSeries& s = agentSeries_.at(*index);
    return s.queue == queue && s.tenant == tenant && s.vendor == vendor ? &s : nullptr;
  }
  if (agentSeries_.size() >= settings_.engine.maxSeriesPerShard) {
    stats_.seriesFolded.add(1);
    queue = kOtherQueue;
    key = hashKey(tenant, vendor, queue);
    if (const std::uint32_t* index = agentSeriesIndex_.find(key)) {
      return &agentSeries_.at(*index);
    }
  }
  try {
    auto series = std::make_unique<AgentQueueSeries>(std::string(tenant), std::string(vendor), std::string(queue),
                                                     settings_.engine.auxReasons.size() + 1, windowBuckets_.size(),
                                                     settings_.engine.windowBucket.count(), ringBuckets_);
    series->zone = settings_.zones.forTenant(tenant);
    return publishSeries(agentSeries_, agentSeriesIndex_, key, std::move(series), stats_.seriesDropped);
  } catch (const std::bad_alloc&) {
    stats_.seriesDropped.add(1);
    return nullptr;
  }
}

// ---------------------------------------------------------------------------------------------
// Apply

bool Shard::isDuplicate(const Event& event) noexcept {
  if (event.id.empty()) {
    return false;
  }
  const std::uint64_t key = hashKey(event.tenant.view(), event.id.view());
  bool inserted = false;
  if (recentIds_.find(key) != nullptr) {
    return true;
  }
  // Remember it, forgetting the oldest remembered id once the window is full (FIFO).
  std::uint64_t& oldest = recentIdOrder_[recentIdNext_];
  if (oldest != 0) {
    recentIds_.erase(oldest);
  }
  recentIds_.findOrInsert(key, inserted);
  oldest = key == 0 ? 1 : key;
  recentIdNext_ = (recentIdNext_ + 1) % recentIdOrder_.size();
  return false;
}

void Shard::apply(const Event& event) noexcept {
  applyEvent(event);
  stats_.applied.add(1);
  // Observed after the event's counters were stored, so this is frame receipt to "visible to a
  // scrape" (windowed gauges wait for the next publish; see docs/performance.md).
  if (event.receivedNs != 0) {
    stats_.applyLatency.observe(static_cast<double>(steadyNowNs() - event.receivedNs) * 1e-9);
  }
}

void Shard::applyEvent(const Event& event) noexcept {
  if (isDuplicate(event)) {
    if (event.sourceIndex < settings_.sourceCount) {
      stats_.duplicates[event.sourceIndex].add(1);
    }
    return;
  }
  newestEventUs_ = std::max(newestEventUs_, event.tsUs);
  if (isAgentEvent(event.type)) {
    applyAgent(event);
    return;
  }
  if ((event.legs & kLegAgent) != 0) {
    applyAgentContact(event);
  }
  if ((event.legs & (kLegContact | kLegTransferTarget)) != 0) {
    applyContact(event);
  }
}

double Shard::handlingShare(const AgentRecord& agent) noexcept {
  double share = 0;
  bool anyActive = false;
  for (std::size_t c = 0; c < kChannelCount; ++c) {
    if (agent.active[c] > 0) {
      anyActive = true;
      const double capacity = agent.capacity[c] == 0 ? 1.0 : agent.capacity[c];
      share = std::max(share, std::min(1.0, agent.active[c] / capacity));
    }
  }
  const bool handlingState = agent.state == AgentStateKind::kBusy || agent.state == AgentStateKind::kAcw;
  if (!anyActive) {
    return handlingState ? 1.0 : 0.0;
  }
  return share;
}

void Shard::applyAgentContact(const Event& event) noexcept {
  AgentRecord* a = agents_.find(hashKey(event.tenant.view(), event.agent.view()));
  if (a == nullptr) {
    return;  // agent not logged in as far as we know: nothing to weigh
  }
  accountAgentTime(*a, event.tsUs);  // time so far at the old concurrency
  std::uint8_t& active = a->active[static_cast<std::size_t>(event.channel)];
  if (event.type == EventType::kContactAnswered) {
    active = static_cast<std::uint8_t>(std::min(255, active + 1));
  } else if (active > 0) {
    --active;  // wrapped, or transferred away: the agent no longer holds it
  }
}

void Shard::record(QueueSeries& series, std::int64_t tsUs, const OutcomeCounts& delta) noexcept {
  if (OutcomeCounts* bucket = series.ring.at(tsUs)) {
    addCounts(*bucket, delta);
  } else {
    stats_.lateEvents.add(1);
  }
  addCounts(*periodFor(series, PeriodKind::kInterval, tsUs), delta);
  addCounts(*periodFor(series, PeriodKind::kDay, tsUs), delta);
}

void Shard::periodBounds(const QueueSeries& series, PeriodKind kind, std::int64_t tsUs, std::int64_t& startUs,
                         std::int64_t& endUs) const noexcept {
  if (kind == PeriodKind::kInterval) {
    const std::int64_t length = settings_.intervals.length.count();
    startUs = series.zone->periodStartUs(tsUs, length / 1'000'000);
    endUs = startUs + length;
  } else {
    startUs = series.zone->dayStartUs(tsUs);
    endUs = series.zone->nextDayStartUs(tsUs);
  }
}

OutcomeCounts* Shard::periodFor(QueueSeries& series, PeriodKind kind, std::int64_t tsUs) noexcept {
  PeriodState& p = kind == PeriodKind::kInterval ? series.intervalState : series.dayState;
  if (p.closingOpen && tsUs >= p.closingEndUs + settings_.intervals.lateTolerance.count()) {
    // Event time has moved past the tolerance: the previous period is final now.
    closePeriod(series, kind, p.closingStartUs, p.closingEndUs, p.closing);
    p.closingOpen = false;
  }
  if (p.currentStartUs != INT64_MIN && tsUs >= p.currentStartUs && tsUs < p.currentEndUs) {
    return &p.current;
  }
  if (p.closingOpen && tsUs >= p.closingStartUs && tsUs < p.closingEndUs) {
    return &p.closing;  // late, but within the tolerance: it still lands in its own period
  }
  if (p.currentStartUs == INT64_MIN || tsUs >= p.currentEndUs) {
    advancePeriod(series, kind, tsUs);
    return &p.current;
  }
  // Older than every open period: documented rule, it counts in the current period so that the
  // periods still add up to the counters.
  stats_.lateForPeriods.add(1);
  return &p.current;
}

void Shard::advancePeriod(QueueSeries& series, PeriodKind kind, std::int64_t nowUs) noexcept {
  PeriodState& p = kind == PeriodKind::kInterval ? series.intervalState : series.dayState;
  if (p.currentStartUs == INT64_MIN) {
    periodBounds(series, kind, nowUs, p.currentStartUs, p.currentEndUs);
    return;
  }
  const std::int64_t tolerance = settings_.intervals.lateTolerance.count();
  if (p.closingOpen && nowUs >= p.closingEndUs + tolerance) {
    closePeriod(series, kind, p.closingStartUs, p.closingEndUs, p.closing);
    p.closingOpen = false;
  }
  if (nowUs < p.currentEndUs) {
    return;
  }
  // The current period is over: it stays open for late events until end + tolerance.
  if (p.closingOpen) {
    closePeriod(series, kind, p.closingStartUs, p.closingEndUs, p.closing);
  }
  p.closingOpen = true;
  p.closingStartUs = p.currentStartUs;
  p.closingEndUs = p.currentEndUs;
  p.closing = p.current;
  p.current = OutcomeCounts{};
  periodBounds(series, kind, nowUs, p.currentStartUs, p.currentEndUs);
  if (nowUs >= p.closingEndUs + tolerance) {
    closePeriod(series, kind, p.closingStartUs, p.closingEndUs, p.closing);
    p.closingOpen = false;
  }
}

void Shard::closePeriod(QueueSeries& series, PeriodKind kind, std::int64_t startUs, std::int64_t endUs,
                        const OutcomeCounts& counts) noexcept {
  ClosedPeriod closed;
  closed.series = &series;
  closed.kind = kind;
  closed.startUs = startUs;
  closed.endUs = endUs;
  closed.counts = counts;
  closed.formula = series.policy.formula;
  closed.dequeuedCountsAsMiss = series.policy.dequeuedCountsAsMiss;
  closed.target = series.policy.target;
  closed.thresholdSeconds = seconds(series.policy.threshold.count());
  publishPeriod((kind == PeriodKind::kInterval ? series.interval : series.day)[1], series.policy, startUs, counts);
  if (!closed_.tryPush(closed)) {
    stats_.periodsDropped.add(1);
  }
}

void Shard::applyContact(const Event& event) noexcept {
  const std::uint64_t key = hashKey(event.tenant.view(), event.contact.view());
  switch (event.type) {
    case EventType::kContactQueued:
      onQueued(event, key);
      return;
    case EventType::kContactAnswered:
      onAnswered(event, key);
      return;
    case EventType::kContactAbandoned:
    case EventType::kContactDequeued:
      onLeftQueue(event, key);
      return;
    case EventType::kContactHold: {
      ContactRecord* r = contacts_.find(key);
      if (r == nullptr || r->phase != Phase::kTalking) {
        stats_.unmatched[static_cast<std::size_t>(event.type)].add(1);
        return;
      }
      r->phase = Phase::kHold;
      r->holdStartUs = event.tsUs;
      return;
    }
    case EventType::kContactUnhold: {
      ContactRecord* r = contacts_.find(key);
      if (r == nullptr || r->phase != Phase::kHold) {
        stats_.unmatched[static_cast<std::size_t>(event.type)].add(1);
        return;
      }
      r->holdSeconds += nonNegativeSeconds(event.tsUs - r->holdStartUs);
      r->phase = Phase::kTalking;
      return;
    }
    case EventType::kContactTransferred:
      onTransferred(event, key);
      return;
    case EventType::kContactEnded: {
      ContactRecord* r = contacts_.find(key);
      if (r == nullptr || (r->phase != Phase::kTalking && r->phase != Phase::kHold)) {
        stats_.unmatched[static_cast<std::size_t>(event.type)].add(1);
        return;
      }
      onEnded(*r, event.tsUs);
      return;
    }
    case EventType::kContactWrapped:
      onWrapped(event, key);
      return;
    case EventType::kContactSelfService:
      if (QueueSeries* s = queueSeriesFor(event)) {
        (event.contained == 1 ? s->selfServiceContained : s->selfServiceEscalated).add(1);
        OutcomeCounts delta;
        (event.contained == 1 ? delta.selfServiceContained : delta.selfServiceEscalated) = 1;
        record(*s, event.tsUs, delta);
      }
      return;
    case EventType::kSurveyResult:
      if (event.queue.empty()) {
        stats_.unmatched[static_cast<std::size_t>(event.type)].add(1);
        return;
      }
      if (QueueSeries* s = queueSeriesFor(event)) {
        s->surveys.add(1);
        s->csatSum.add(event.csat);
        OutcomeCounts delta;
        delta.surveys = 1;
        delta.csatSum = event.csat;
        if (event.nps >= 0) {
          delta.npsResponses = 1;
          delta.npsPromoters = event.nps >= 9 ? 1 : 0;
          delta.npsDetractors = event.nps <= 6 ? 1 : 0;
        }
        record(*s, event.tsUs, delta);
      }
      return;
    default:
      return;
  }
}

QueueSeries* Shard::seriesOf(const ContactRecord* record, const Event& event) noexcept {
  if (record != nullptr && record->phase != Phase::kTransferPending) {
    return &queueSeries_.at(record->series);
  }
  return queueSeriesFor(event);
}

void Shard::onTransferred(const Event& event, std::uint64_t key) noexcept {
  const bool toQueue = !event.toQueue.empty();
  if ((event.legs & 1U) != 0) {
    ContactRecord* r = contacts_.find(key);
    if (r == nullptr || r->phase == Phase::kTransferPending) {
      stats_.unmatched[static_cast<std::size_t>(event.type)].add(1);
    }
    if (QueueSeries* s = seriesOf(r, event)) {
      s->transferred.add(1);
      OutcomeCounts delta;
      delta.transferred = 1;
      record(*s, event.tsUs, delta);
      if (toQueue && r != nullptr && (r->phase == Phase::kTalking || r->phase == Phase::kHold)) {
        // The contact leaves for another queue: its talk and hold so far belong to this one.
        if (r->phase == Phase::kHold) {
          r->holdSeconds += nonNegativeSeconds(event.tsUs - r->holdStartUs);
        }
        s->talkSeconds.add(std::max(0.0, seconds(event.tsUs - r->answeredUs) - r->holdSeconds));
        s->holdSeconds.add(r->holdSeconds);
        contacts_.erase(key);
        stats_.contactsInFlight.add(-1);
      }
    }
  }
  if ((event.legs & 2U) != 0 && toQueue) {
    bool inserted = false;
    ContactRecord* r = contacts_.findOrInsert(key, inserted);
    if (r == nullptr) {
      stats_.contactsUntracked.add(1);
      return;
    }
    if (inserted) {
      stats_.contactsInFlight.add(1);
    } else if (r->phase == Phase::kWaiting) {
      queueSeries_.at(r->series).waiting.add(-1);
    }
    *r = ContactRecord{};
    r->phase = Phase::kTransferPending;
    r->queuedUs = event.tsUs;
  }
}

void Shard::onQueued(const Event& event, std::uint64_t key) noexcept {
  QueueSeries* s = queueSeriesFor(event);
  if (s == nullptr) {
    return;
  }
  s->offered.add(1);
  OutcomeCounts delta;
  delta.offered = 1;
  bool inserted = false;
  ContactRecord* r = contacts_.findOrInsert(key, inserted);
  // A repeat is a new contact (not a transfer or overflow re-queue: same contact id) by a customer
  // who queued within the repeat window.
  if (settings_.repeats != nullptr && !event.customer.empty() &&
      settings_.repeats->observe(hashKey(event.tenant.view(), event.customer.view()), key, event.tsUs)) {
    delta.repeatContacts = 1;
  }
  record(*s, event.tsUs, delta);
  if (r == nullptr) {
    stats_.contactsUntracked.add(1);
    std::uint64_t suppressed = 0;
    if (gContactCapLog.shouldLog(suppressed)) {
      spdlog::warn(
          "shard {}: max_contacts_in_flight={} reached; contact not tracked, its outcome will be "
          "unmatched ({} more since last report)",
          settings_.index, settings_.engine.maxContactsInFlight, suppressed);
    }
    return;
  }
  if (inserted) {
    stats_.contactsInFlight.add(1);
  } else if (r->phase == Phase::kTransferPending) {
    s->transferredIn.add(1);  // announced by the origin queue's contact.transferred
    *r = ContactRecord{};
  } else {
    QueueSeries& previous = queueSeries_.at(r->series);
    if (r->phase == Phase::kWaiting) {
      // Queued again without leaving the first queue: it no longer waits there.
      previous.waiting.add(-1);
    } else {
      // A transfer: offered again here; the talk so far belongs to the first queue.
      s->transferredIn.add(1);
      if (r->phase == Phase::kHold) {
        r->holdSeconds += nonNegativeSeconds(event.tsUs - r->holdStartUs);
      }
      if (r->phase != Phase::kAcw) {
        previous.talkSeconds.add(std::max(0.0, seconds(event.tsUs - r->answeredUs) - r->holdSeconds));
        previous.holdSeconds.add(r->holdSeconds);
      }
    }
    *r = ContactRecord{};
  }
  r->series = s->index;
  r->phase = Phase::kWaiting;
  r->waitKnown = true;
  r->queuedUs = event.tsUs;
  s->waiting.add(1);
}

void Shard::onAnswered(const Event& event, std::uint64_t key) noexcept {
  ContactRecord* r = contacts_.find(key);
  if (r != nullptr && r->phase == Phase::kWaiting) {
    QueueSeries& s = queueSeries_.at(r->series);
    const double wait = nonNegativeSeconds(event.tsUs - r->queuedUs);
    const bool inThreshold = wait <= seconds(s.policy.threshold.count());
    s.answered.add(1);
    if (inThreshold) {
      s.answeredInThreshold.add(1);
    }
    s.waitHistogram.observe(wait);
    s.waiting.add(-1);
    OutcomeCounts delta;
    delta.answered = 1;
    delta.answeredInThreshold = inThreshold ? 1 : 0;
    delta.waitSecondsAnswered = wait;
    record(s, event.tsUs, delta);
    r->phase = Phase::kTalking;
    r->answeredUs = event.tsUs;
    return;
  }
  // No contact.queued seen (joined mid-stream, or evicted): answered, but no wait to judge.
  stats_.unmatched[static_cast<std::size_t>(event.type)].add(1);
  QueueSeries* s = seriesOf(r, event);
  if (s == nullptr) {
    return;
  }
  s->answered.add(1);
  s->answeredUnmatched.add(1);
  if (r == nullptr) {
    bool inserted = false;
    r = contacts_.findOrInsert(key, inserted);
    if (r == nullptr) {
      stats_.contactsUntracked.add(1);
      return;
    }
    stats_.contactsInFlight.add(1);
    *r = ContactRecord{};
    r->series = s->index;
  } else if (r->phase == Phase::kTransferPending) {
    *r = ContactRecord{};
    r->series = s->index;
  }
  r->phase = Phase::kTalking;
  r->answeredUs = event.tsUs;
}

void Shard::onLeftQueue(const Event& event, std::uint64_t key) noexcept {
  const bool abandoned = event.type == EventType::kContactAbandoned;
  ContactRecord* r = contacts_.find(key);
  if (r == nullptr || r->phase != Phase::kWaiting) {
    stats_.unmatched[static_cast<std::size_t>(event.type)].add(1);
    QueueSeries* s = seriesOf(r, event);
    if (s != nullptr) {
      if (abandoned) {
        s->abandoned.add(1);
        s->abandonedUnmatched.add(1);
      } else {
        s->dequeued[static_cast<std::size_t>(event.dequeueReason)].add(1);
      }
    }
    return;
  }
  QueueSeries& s = queueSeries_.at(r->series);
  const double wait = nonNegativeSeconds(event.tsUs - r->queuedUs);
  OutcomeCounts delta;
  if (abandoned) {
    const bool inThreshold = wait <= seconds(s.policy.threshold.count());
    const bool isShort = wait <= seconds(s.policy.shortAbandon.count());
    s.abandoned.add(1);
    s.abandonedInThreshold.add(inThreshold ? 1 : 0);
    s.abandonedShort.add(isShort ? 1 : 0);
    s.abandonWaitHistogram.observe(wait);
    delta.abandoned = 1;
    delta.abandonedInThreshold = inThreshold ? 1 : 0;
    delta.abandonedShort = isShort ? 1 : 0;
    delta.waitSecondsLeft = wait;
  } else {
    delta.waitSecondsLeft = wait;
    s.dequeued[static_cast<std::size_t>(event.dequeueReason)].add(1);
    delta.dequeued = 1;
  }
  record(s, event.tsUs, delta);
  s.waiting.add(-1);
  contacts_.erase(key);
  stats_.contactsInFlight.add(-1);
}

void Shard::onEnded(ContactRecord& record, std::int64_t tsUs) noexcept {
  if (record.phase == Phase::kHold) {
    record.holdSeconds += nonNegativeSeconds(tsUs - record.holdStartUs);
  }
  // Hold lies inside the connected time; talk is the connected time minus hold, so that
  // talk + hold + ACW adds up to the handle time with nothing counted twice.
  record.talkSeconds = std::max(0.0, seconds(tsUs - record.answeredUs) - record.holdSeconds);
  QueueSeries& s = queueSeries_.at(record.series);
  s.talkSeconds.add(record.talkSeconds);
  s.holdSeconds.add(record.holdSeconds);
  record.phase = Phase::kAcw;
  record.endedUs = tsUs;
}

void Shard::onWrapped(const Event& event, std::uint64_t key) noexcept {
  ContactRecord* r = contacts_.find(key);
  if (r == nullptr || r->phase == Phase::kWaiting || r->phase == Phase::kTransferPending) {
    stats_.unmatched[static_cast<std::size_t>(event.type)].add(1);
    if (QueueSeries* s = seriesOf(r, event)) {
      s->handled.add(1);
    }
    return;
  }
  if (r->phase != Phase::kAcw) {
    onEnded(*r, event.tsUs);  // wrapped with no contact.ended: no after-contact work
  }
  QueueSeries& s = queueSeries_.at(r->series);
  const double acw = nonNegativeSeconds(event.tsUs - r->endedUs);
  const double handle = r->talkSeconds + r->holdSeconds + acw;
  s.acwSeconds.add(acw);
  s.handleSeconds.add(handle);
  s.handled.add(1);
  OutcomeCounts delta;
  delta.handled = 1;
  delta.handleSeconds = handle;
  if (event.resolved >= 0) {
    delta.resolvedKnown = 1;
    delta.resolvedYes = event.resolved == 1 ? 1 : 0;
  }
  for (const Tag& complaint : settings_.complaintDispositions) {
    if (!event.disposition.empty() && event.disposition.view() == complaint.view()) {
      delta.complaints = 1;
      break;
    }
  }
  record(s, event.tsUs, delta);
  contacts_.erase(key);
  stats_.contactsInFlight.add(-1);
}

// ---------------------------------------------------------------------------------------------
// Agents

std::uint8_t Shard::auxReasonIndex(std::string_view reason) const noexcept {
  const auto& reasons = settings_.engine.auxReasons;
  for (std::size_t i = 0; i < reasons.size(); ++i) {
    if (reasons[i] == reason) {
      return static_cast<std::uint8_t>(i);
    }
  }
  return static_cast<std::uint8_t>(reasons.size());  // "other"
}

void Shard::accountAgentTime(AgentRecord& agent, std::int64_t tsUs) noexcept {
  // Before the agent's state (and so its series' staffed count) changes at tsUs.
  for (std::size_t i = 0; i < agent.queueCount; ++i) {
    integrateStaffed(agentSeries_.at(agent.queues[i]), tsUs);
  }
  const std::int64_t fromUs = agent.lastAccountedUs;
  agent.lastAccountedUs = std::max(agent.lastAccountedUs, tsUs);
  if (tsUs <= fromUs || !countsForOccupancy(agent.state)) {
    return;
  }
  // With concurrency, unused capacity of a working agent counts as available time.
  const double share = handlingShare(agent);
  // Split the time exactly over the window buckets it spans (only the ring's span matters).
  const std::int64_t bucketUs = std::max<std::int64_t>(settings_.engine.windowBucket.count(), 1);
  const std::int64_t lastBucket = (tsUs - 1) / bucketUs;
  const std::int64_t firstBucket =
      std::max(fromUs / bucketUs, lastBucket - static_cast<std::int64_t>(ringBuckets_) + 1);
  const double elapsed = seconds(tsUs - fromUs);
  for (std::size_t i = 0; i < agent.queueCount; ++i) {
    AgentQueueSeries& s = agentSeries_.at(agent.queues[i]);
    s.handlingCommitted += elapsed * share;
    s.availableCommitted += elapsed * (1 - share);
    for (std::int64_t b = firstBucket; b <= lastBucket; ++b) {
      const std::int64_t part = std::min(tsUs, (b + 1) * bucketUs) - std::max(fromUs, b * bucketUs);
      if (part <= 0) {
        continue;
      }
      if (AgentBucket* bucket = s.ring.at(b * bucketUs)) {
        bucket->handlingSeconds += seconds(part) * share;
        bucket->availableSeconds += seconds(part) * (1 - share);
      }
    }
  }
}

void Shard::integrateStaffed(AgentQueueSeries& series, std::int64_t toUs) noexcept {
  // A span longer than this (no event and no publish on the shard for a day: a downtime without
  // a checkpoint covering it, or an event clock jumping) is not credible staffed time, and would
  // close one row per interval: it is skipped, and counting resumes at toUs.
  constexpr std::int64_t kMaxSpanUs = 24LL * 3600 * 1'000'000;
  StaffedPeriodState& p = series.staffedInterval;
  if (p.integratedUntilUs != INT64_MIN && toUs <= p.integratedUntilUs) {
    return;  // already counted (an agent event older than the last integration changes the count from then on)
  }
  std::int64_t fromUs = p.integratedUntilUs;
  p.integratedUntilUs = toUs;
  if (fromUs == INT64_MIN || toUs - fromUs > kMaxSpanUs) {
    return;
  }
  // One piece per clock-aligned interval the span touches, so each interval gets exactly its
  // part; with nobody staffed the pieces add 0 but still move the intervals along (an interval
  // with nobody staffed closes with 0).
  const std::int64_t lengthUs = settings_.intervals.length.count();
  while (fromUs < toUs) {
    const std::int64_t startUs = series.zone->periodStartUs(fromUs, lengthUs / 1'000'000);
    const std::int64_t pieceEnd = std::min(toUs, startUs + lengthUs);
    *staffedPeriodFor(series, fromUs) += p.staffedAgents * (pieceEnd - fromUs);
    fromUs = pieceEnd;
  }
}

std::int64_t* Shard::staffedPeriodFor(AgentQueueSeries& series, std::int64_t tsUs) noexcept {
  // The same rules as periodFor() for the queue intervals.
  StaffedPeriodState& p = series.staffedInterval;
  if (p.closingOpen && tsUs >= p.closingEndUs + settings_.intervals.lateTolerance.count()) {
    closeStaffed(series, p.closingStartUs, p.closingEndUs, p.closingUs);
    p.closingOpen = false;
  }
  if (p.currentStartUs != INT64_MIN && tsUs >= p.currentStartUs && tsUs < p.currentEndUs) {
    return &p.currentUs;
  }
  if (p.closingOpen && tsUs >= p.closingStartUs && tsUs < p.closingEndUs) {
    return &p.closingUs;
  }
  if (p.currentStartUs == INT64_MIN || tsUs >= p.currentEndUs) {
    advanceStaffed(series, tsUs);
    return &p.currentUs;
  }
  stats_.lateForPeriods.add(1);
  return &p.currentUs;
}

void Shard::advanceStaffed(AgentQueueSeries& series, std::int64_t nowUs) noexcept {
  StaffedPeriodState& p = series.staffedInterval;
  const std::int64_t lengthUs = settings_.intervals.length.count();
  const std::int64_t tolerance = settings_.intervals.lateTolerance.count();
  if (p.currentStartUs == INT64_MIN) {
    p.currentStartUs = series.zone->periodStartUs(nowUs, lengthUs / 1'000'000);
    p.currentEndUs = p.currentStartUs + lengthUs;
    return;
  }
  if (p.closingOpen && nowUs >= p.closingEndUs + tolerance) {
    closeStaffed(series, p.closingStartUs, p.closingEndUs, p.closingUs);
    p.closingOpen = false;
  }
  if (nowUs < p.currentEndUs) {
    return;
  }
  if (p.closingOpen) {
    closeStaffed(series, p.closingStartUs, p.closingEndUs, p.closingUs);
  }
  // As advancePeriod(). integrateStaffed() walks every interval (0 included), so intervals are
  // only jumped after a span it did not count (over 24 h): those get no row (unknown, not 0).
  p.closingOpen = true;
  p.closingStartUs = p.currentStartUs;
  p.closingEndUs = p.currentEndUs;
  p.closingUs = p.currentUs;
  p.currentUs = 0;
  p.currentStartUs = series.zone->periodStartUs(nowUs, lengthUs / 1'000'000);
  p.currentEndUs = p.currentStartUs + lengthUs;
  if (nowUs >= p.closingEndUs + tolerance) {
    closeStaffed(series, p.closingStartUs, p.closingEndUs, p.closingUs);
    p.closingOpen = false;
  }
}

void Shard::closeStaffed(AgentQueueSeries& series, std::int64_t startUs, std::int64_t endUs,
                         std::int64_t staffedUs) noexcept {
  ClosedAgentInterval closed;
  closed.series = &series;
  closed.shard = settings_.index;
  closed.startUs = startUs;
  closed.endUs = endUs;
  closed.staffedUs = staffedUs;
  if (!closedAgent_.tryPush(closed)) {
    stats_.periodsDropped.add(1);
  }
}

void Shard::adjustAgentGauges(const AgentRecord& agent, std::int64_t delta) noexcept {
  for (std::size_t i = 0; i < agent.queueCount; ++i) {
    AgentQueueSeries& s = agentSeries_.at(agent.queues[i]);
    if (agent.state != AgentStateKind::kOffline) {
      s.staffed.add(delta);
    }
    s.byState[static_cast<std::size_t>(agent.state)].add(delta);
    if (countsForOccupancy(agent.state)) {
      s.staffedInterval.staffedAgents += delta;
    }
    if (agent.state == AgentStateKind::kAux) {
      s.auxByReason[agent.auxReason].add(delta);
    }
  }
}

void Shard::applyAgent(const Event& event) noexcept {
  const std::uint64_t key = hashKey(event.tenant.view(), event.agent.view());
  if (event.type == EventType::kAgentLogout) {
    AgentRecord* a = agents_.find(key);
    if (a == nullptr) {
      stats_.unmatched[static_cast<std::size_t>(event.type)].add(1);
      return;
    }
    accountAgentTime(*a, event.tsUs);
    adjustAgentGauges(*a, -1);
    agents_.erase(key);
    stats_.agentsTracked.add(-1);
    return;
  }

  bool inserted = false;
  AgentRecord* a = agents_.findOrInsert(key, inserted);
  if (a == nullptr) {
    stats_.agentsUntracked.add(1);
    std::uint64_t suppressed = 0;
    if (gAgentCapLog.shouldLog(suppressed)) {
      spdlog::warn("shard {}: max_agents_per_shard={} reached; agent not tracked ({} more since last report)",
                   settings_.index, settings_.engine.maxAgentsPerShard, suppressed);
    }
    return;
  }
  if (inserted) {
    stats_.agentsTracked.add(1);
    a->lastAccountedUs = event.tsUs;
    if (event.type == EventType::kAgentState) {
      // State for an agent whose login we never saw: tracked, but in no queue until it logs in.
      stats_.unmatched[static_cast<std::size_t>(event.type)].add(1);
    }
  } else {
    accountAgentTime(*a, event.tsUs);
    adjustAgentGauges(*a, -1);
  }

  if (event.type == EventType::kAgentLogin) {
    a->queueCount = 0;
    for (std::size_t i = 0; i < event.queueCount; ++i) {
      if (AgentQueueSeries* s = agentSeriesFor(event, event.queues[i].view())) {
        a->queues[a->queueCount++] = s->index;
      }
    }
    // A login makes the agent available until a state event says otherwise.
    a->state = AgentStateKind::kAvailable;
    a->auxReason = 0;
    a->capacity = event.capacity;
    a->active = {};
  } else {
    a->state = event.agentState;
    a->auxReason = event.agentState == AgentStateKind::kAux ? auxReasonIndex(event.reason.view()) : 0;
  }
  // The queues joined at a login were not integrated above (a new agent, or new queues).
  for (std::size_t i = 0; i < a->queueCount; ++i) {
    integrateStaffed(agentSeries_.at(a->queues[i]), event.tsUs);
  }
  adjustAgentGauges(*a, +1);
}

// ---------------------------------------------------------------------------------------------
// Publish

void Shard::publishQueueWindows(QueueSeries& series, std::int64_t nowUs) noexcept {
  constexpr std::size_t kMaxWindows = 16;
  std::array<OutcomeCounts, kMaxWindows> counts{};
  const std::size_t windows = std::min(windowBuckets_.size(), kMaxWindows);
  series.ring.forEachRecent(nowUs, ringBuckets_, [&](const OutcomeCounts& b, std::int64_t age) {
    for (std::size_t w = 0; w < windows; ++w) {
      if (age < static_cast<std::int64_t>(windowBuckets_[w])) {
        addCounts(counts[w], b);
      }
    }
  });
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t w = 0; w < windows; ++w) {
    const OutcomeCounts& c = counts[w];
    WindowGauges& g = series.windows[w];
    g.serviceLevel.set(
        computeServiceLevel(series.policy.formula, series.policy.dequeuedCountsAsMiss, c).value_or(kNaN));
    g.asaSeconds.set(computeAsa(c).value_or(kNaN));
    g.ahtSeconds.set(computeAht(c).value_or(kNaN));
    g.abandonRate.set(computeAbandonRate(c).value_or(kNaN));
    g.transferRate.set(computeTransferRate(c).value_or(kNaN));
    g.offeredPerSecond.set(static_cast<double>(c.offered) /
                           (static_cast<double>(windowBuckets_[w]) * seconds(settings_.engine.windowBucket.count())));
    g.patienceSeconds.set(computePatience(c).value_or(kNaN));
  }
  for (const PeriodKind kind : {PeriodKind::kInterval, PeriodKind::kDay}) {
    advancePeriod(series, kind, nowUs);
    const PeriodState& p = kind == PeriodKind::kInterval ? series.intervalState : series.dayState;
    publishPeriod((kind == PeriodKind::kInterval ? series.interval : series.day)[0], series.policy, p.currentStartUs,
                  p.current);
  }
  const PeriodState& p = series.intervalState;
  OpenIntervals open;
  open.currentStartUs = p.currentStartUs;
  open.currentEndUs = p.currentEndUs;
  open.current = p.current;
  if (p.closingOpen) {
    open.closingStartUs = p.closingStartUs;
    open.closingEndUs = p.closingEndUs;
    open.closing = p.closing;
  }
  open.thresholdSeconds = seconds(series.policy.threshold.count());
  series.openIntervals.write(open);
}

void Shard::publishAgentWindows(AgentQueueSeries& series, std::int64_t nowUs) noexcept {
  constexpr std::size_t kMaxWindows = 16;
  std::array<AgentBucket, kMaxWindows> sums{};
  const std::size_t windows = std::min(windowBuckets_.size(), kMaxWindows);
  series.ring.forEachRecent(nowUs, ringBuckets_, [&](const AgentBucket& b, std::int64_t age) {
    for (std::size_t w = 0; w < windows; ++w) {
      if (age < static_cast<std::int64_t>(windowBuckets_[w])) {
        sums[w].handlingSeconds += b.handlingSeconds;
        sums[w].availableSeconds += b.availableSeconds;
      }
    }
  });
  for (std::size_t w = 0; w < windows; ++w) {
    series.handlingWindow[w].set(sums[w].handlingSeconds + series.handlingProvisionalWindow[w]);
    series.availableWindow[w].set(sums[w].availableSeconds + series.availableProvisionalWindow[w]);
  }
  // Counters include the time so far in the current state, never going backwards (a state change
  // reported late could otherwise make the committed total smaller than what was shown).
  series.handlingSeconds.set(
      std::max(series.handlingSeconds.get(), series.handlingCommitted + series.handlingProvisional));
  series.availableSeconds.set(
      std::max(series.availableSeconds.get(), series.availableCommitted + series.availableProvisional));
}

void Shard::addProvisionalAgentTime(std::int64_t nowUs) noexcept {
  // Time since each agent's last state change counts now, but is not committed: a state change
  // that arrives later with an earlier timestamp then still splits the time correctly.
  const std::size_t n = agentSeries_.size();
  for (std::size_t i = 0; i < n; ++i) {
    AgentQueueSeries& s = agentSeries_.at(i);
    s.handlingProvisional = 0;
    s.availableProvisional = 0;
    s.handlingProvisionalWindow.fill(0);
    s.availableProvisionalWindow.fill(0);
  }
  const std::int64_t bucketUs = std::max<std::int64_t>(settings_.engine.windowBucket.count(), 1);
  const std::int64_t nowBucket = nowUs / bucketUs;
  const std::size_t windows = std::min<std::size_t>(windowBuckets_.size(), 16);
  agents_.forEach([&](std::uint64_t, AgentRecord& a) {
    if (nowUs <= a.lastAccountedUs || !countsForOccupancy(a.state)) {
      return;
    }
    const double share = handlingShare(a);
    for (std::size_t i = 0; i < a.queueCount; ++i) {
      AgentQueueSeries& s = agentSeries_.at(a.queues[i]);
      const double elapsed = seconds(nowUs - a.lastAccountedUs);
      s.handlingProvisional += elapsed * share;
      s.availableProvisional += elapsed * (1 - share);
      for (std::size_t w = 0; w < windows; ++w) {
        const std::int64_t windowStartUs = (nowBucket - static_cast<std::int64_t>(windowBuckets_[w]) + 1) * bucketUs;
        const double part = std::max(seconds(nowUs - std::max(a.lastAccountedUs, windowStartUs)), 0.0);
        s.handlingProvisionalWindow[w] += part * share;
        s.availableProvisionalWindow[w] += part * (1 - share);
      }
    }
  });
}

void Shard::publish(std::int64_t nowUs) noexcept {
  addProvisionalAgentTime(nowUs);

  // Oldest waiting per series, and eviction of contacts older than contact_max_age.
  const std::size_t seriesCount = queueSeries_.size();
  std::fill_n(oldestScratch_.begin(), seriesCount, std::numeric_limits<std::int64_t>::max());
  const std::int64_t maxAgeUs = settings_.engine.contactMaxAge.count();
  evictScratch_.clear();
  contacts_.forEach([&](std::uint64_t key, ContactRecord& r) {
    const std::int64_t since =
        r.phase == Phase::kWaiting || r.phase == Phase::kTransferPending ? r.queuedUs : r.answeredUs;
    if (maxAgeUs > 0 && nowUs - since > maxAgeUs && evictScratch_.size() < kMaxEvictionsPerPublish) {
      evictScratch_.push_back(key);
      return;
    }
    if (r.phase == Phase::kWaiting && r.waitKnown) {
      std::int64_t& oldest = oldestScratch_[r.series];
      oldest = std::min(oldest, r.queuedUs);
    }
  });
  for (const std::uint64_t key : evictScratch_) {
    if (ContactRecord* r = contacts_.find(key)) {
      if (r->phase == Phase::kWaiting) {
        queueSeries_.at(r->series).waiting.add(-1);
      }
      contacts_.erase(key);
      stats_.contactsInFlight.add(-1);
      stats_.contactsEvictedAge.add(1);
    }
  }
  if (!evictScratch_.empty()) {
    spdlog::info("shard {}: evicted {} contacts older than contact_max_age", settings_.index, evictScratch_.size());
  }

  for (std::size_t i = 0; i < seriesCount; ++i) {
    QueueSeries& s = queueSeries_.at(i);
    const std::int64_t oldest = oldestScratch_[i];
    s.oldestWaitingSeconds.set(oldest == std::numeric_limits<std::int64_t>::max() ? 0.0
                                                                                  : nonNegativeSeconds(nowUs - oldest));
    publishQueueWindows(s, nowUs);
  }
  const std::int64_t closedThrough = nowUs - settings_.intervals.lateTolerance.count();
  const std::size_t agentSeriesCount = agentSeries_.size();
  for (std::size_t i = 0; i < agentSeriesCount; ++i) {
    AgentQueueSeries& s = agentSeries_.at(i);
    publishAgentWindows(s, nowUs);
    // Staffed time up to now − tolerance is final (an agent event older than that is late for
    // the intervals anyway): counted, so that the intervals closed next have all of it, also
    // of agents who sent no event in them.
    integrateStaffed(s, closedThrough);
    advanceStaffed(s, nowUs);
  }
  // Every series' advancePeriod(nowUs) above closed its intervals ending by now − tolerance.
  // Never lowered (a wall clock stepping back must not reopen what the tracker closed).
  if (closedThrough > closedThroughUs_.load(std::memory_order_relaxed)) {
    closedThroughUs_.store(closedThrough, std::memory_order_release);
  }
  // Counted when done: the wallboard (live_board.hpp) takes a change of this count as "the
  // gauges are fresh" and pushes a snapshot; counted at the start, it pushed half-published ones.
  stats_.publishes.add(1);
}

// ---------------------------------------------------------------------------------------------
// Worker loop

std::size_t Shard::drainOnce(std::size_t maxEvents) noexcept {
  std::size_t applied = 0;
  for (auto& ring : inputs_) {
    while (applied < maxEvents) {
      Event* event = ring->front();
      if (event == nullptr) {
        break;
      }
      apply(*event);
      ring->pop();
      ++applied;
    }
  }
  return applied;
}

void Shard::run(const std::stop_token& stop) {
  constexpr std::size_t kBatch = 256;
  const std::int64_t publishEveryNs = std::max<std::int64_t>(settings_.engine.publishInterval.count(), 1) * 1000;
  std::int64_t nextPublishNs = steadyNowNs() + publishEveryNs;
  bool dirty = false;
  unsigned idleRounds = 0;
  RateLimitedLog errorLog;
  while (!stop.stop_requested()) {
    try {
      drainControl();
      serviceCheckpoint();
      const std::size_t applied = drainOnce(kBatch);
      dirty = dirty || applied > 0;
      const std::int64_t nowNs = steadyNowNs();
      // Publish on the interval, and as soon as the rings run dry after a burst, so that a scrape
      // after the last event sees it without waiting for the next tick.
      if (nowNs >= nextPublishNs || (applied == 0 && dirty)) {
        publish(nowUs(/*idle=*/applied == 0 && ringDepth() == 0));
        dirty = false;
        nextPublishNs = nowNs + publishEveryNs;
      }
      if (applied > 0) {
        idleRounds = 0;
        continue;
      }
      // Idle back-off: spin briefly (low latency under load), then yield, then sleep a little.
      ++idleRounds;
      if (idleRounds < 64) {
        continue;
      }
      if (idleRounds < 128) {
        std::this_thread::yield();
        continue;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    } catch (const std::exception& e) {
      std::uint64_t suppressed = 0;
      if (errorLog.shouldLog(suppressed)) {
        spdlog::error("shard {}: unexpected error in worker loop: {} ({} more since last report)", settings_.index,
                      e.what(), suppressed);
      }
    }
  }
  drainControl();
  while (drainOnce(kBatch) > 0) {
  }
  publish(nowUs(/*idle=*/true));
}

}  // namespace ccpulse
