#pragma once
/// One shard of the metrics engine: all state of the (tenant, queue) pairs and agents routed to
/// it. Owned by exactly one thread (its worker, or a test / replay driving it directly): apply()
/// and publish() must only be called on that thread. Other threads reach it through the SPSC
/// input rings (one per source, so each ring has one producer) and the control ring, and read
/// its published series and stats (see series.hpp / published.hpp).
///
/// Hot path (apply): no locks, no exceptions, no heap allocation in steady state. Allocation
/// happens only when a new label set appears (bounded by max_series_per_shard).

#include <atomic>
#include <cstdint>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "ccpulse/common/clock.hpp"
#include "ccpulse/common/spsc_ring.hpp"
#include "ccpulse/config/config.hpp"
#include "ccpulse/decode/event.hpp"
#include "ccpulse/engine/closed_period.hpp"
#include "ccpulse/engine/flat_table.hpp"
#include "ccpulse/engine/published.hpp"
#include "ccpulse/engine/repeat_table.hpp"
#include "ccpulse/engine/series.hpp"
#include "ccpulse/engine/series_budget.hpp"

namespace ccpulse {

/// Counters about the shard's own health; written by the owner, read by scrapes.
struct ShardStats {
  explicit ShardStats(std::size_t sourceCount)
      : duplicates(std::make_unique<PubU64[]>(sourceCount)), applyLatency(latencyBounds()) {}

  PubU64 applied;
  std::unique_ptr<PubU64[]> duplicates;           ///< per source index: events whose `id` was seen recently
  std::array<PubU64, kEventTypeCount> unmatched;  ///< events naming a contact/agent not in flight
  PubU64 lateEvents;                              ///< older than the rolling windows reach: counted in totals only
  PubU64 contactsEvictedAge;                      ///< contacts in flight older than contact_max_age
  PubU64 contactsUntracked;                       ///< contacts not tracked because max_contacts_in_flight was reached
  PubU64 agentsUntracked;                         ///< agents not tracked because max_agents_per_shard was reached
  PubU64 seriesFolded;   ///< events folded into queue="_other" because max_series_per_shard was reached
  PubU64 seriesDropped;  ///< events dropped because even the "_other" reserve was full
  PubI64 contactsInFlight;
  PubI64 agentsTracked;
  PubU64 publishes;
  PubU64 periodsDropped;      ///< closed periods lost because the control thread fell behind
  PubU64 lateForPeriods;      ///< events older than the open periods: counted in the current one
  PubHistogram applyLatency;  ///< seconds from frame receipt to the event applied (counters stored)

  static std::shared_ptr<const std::vector<double>> latencyBounds();
};

struct ShardSettings {
  EngineSettings engine;
  std::size_t sourceCount = 1;
  std::uint32_t index = 0;
  /// Histogram bounds (seconds) for wait and abandon-wait, including every configured threshold.
  std::shared_ptr<const std::vector<double>> waitBounds;
  IntervalSettings intervals;
  TimeZones zones;
  /// Event-clock mode: the newest event time submitted to any shard (owned by the engine).
  const std::atomic<std::int64_t>* globalNewestEventUs = nullptr;
  /// Per-tenant label-set budget shared by the engine's shards; null = unlimited.
  SeriesBudget* seriesBudget = nullptr;
  /// contact.wrapped dispositions counted as complaints (contracts.complaint_dispositions).
  std::vector<Tag> complaintDispositions;
  /// Repeat contacts by customer, shared by the engine's shards; null = not counted.
  RepeatTable* repeats = nullptr;
};

class Shard final {
 public:
  Shard(ShardSettings settings, std::shared_ptr<const ServiceLevelSettings> serviceLevel, const Clock& clock);
  ~Shard();
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  // ---- Owner thread ----
  /// Applies one event. Never throws.
  void apply(const Event& event) noexcept;
  /// Recomputes gauges (windows, oldest waiting, agent time) as of `nowUs`, evicts stale contacts.
  void publish(std::int64_t nowUs) noexcept;
  /// "Now" per the clock mode: the wall clock, or in event mode the newest event time applied
  /// here, or, when `idle` (this shard's rings are empty, so every event submitted to it before
  /// the engine's newest time was applied), the newest event time submitted to any shard.
  [[nodiscard]] std::int64_t nowUs(bool idle = false) const noexcept;
  /// Re-resolves every series' service-level policy.
  void setServiceLevel(std::shared_ptr<const ServiceLevelSettings> serviceLevel);
  /// Drains the input and control rings, publishing as configured, until `stop` is requested;
  /// then drains what is left once and publishes a last time.
  void run(const std::stop_token& stop);
  /// Pops and applies up to `maxEvents` from the input rings; returns how many were applied.
  std::size_t drainOnce(std::size_t maxEvents) noexcept;

  // ---- Producers (one thread per ring) ----
  [[nodiscard]] SpscRing<Event>& inputRing(std::size_t source) noexcept { return *inputs_[source]; }
  /// Control thread only: hands a new service-level config to the worker. False if the control
  /// ring is full (the caller retries).
  bool postServiceLevel(std::shared_ptr<const ServiceLevelSettings> serviceLevel);

  // ---- Any thread ----
  [[nodiscard]] const PublishedList<QueueSeries>& queueSeries() const noexcept { return queueSeries_; }
  [[nodiscard]] const PublishedList<AgentQueueSeries>& agentSeries() const noexcept { return agentSeries_; }
  [[nodiscard]] const ShardStats& stats() const noexcept { return stats_; }
  [[nodiscard]] const ShardSettings& settings() const noexcept { return settings_; }
  [[nodiscard]] std::size_t ringDepth() const noexcept;

  // ---- Durability (see docs/durability.md) ----
  /// Owner thread: appends the shard's whole state (label sets with their counters, windows and
  /// periods, contacts in flight, agents, dedup memory, own stats) to `out`.
  void saveState(std::string& out);
  /// Owner thread, on a freshly constructed shard before any apply(): restores what saveState
  /// wrote. False (the shard is then unusable and must be discarded) when the input is corrupt or
  /// was written with an incompatible layout. Gauges are recomputed by the next publish().
  [[nodiscard]] bool restoreState(std::string_view in);
  /// Any thread: asks the worker to drain its rings and save its state at the top of its next
  /// loop iteration. The caller must have paused every producer first, so "rings empty" means
  /// every event submitted before the pause is in the saved state.
  void requestCheckpoint(std::uint64_t generation) noexcept {
    checkpointRequested_.store(generation, std::memory_order_release);
  }
  /// Any thread: the last generation saved. Acquire pairs with the worker's release after it
  /// filled checkpointBlob(), so the blob may be read once this returns >= the generation asked.
  [[nodiscard]] std::uint64_t checkpointDone() const noexcept {
    return checkpointDone_.load(std::memory_order_acquire);
  }
  /// The state saved for the last completed request; read only between checkpointDone() reaching
  /// the generation and the next requestCheckpoint().
  [[nodiscard]] const std::string& checkpointBlob() const noexcept { return checkpointBlob_; }

  // ---- Control thread (the one consumer) ----
  /// Closed intervals and days, oldest first.
  [[nodiscard]] SpscRing<ClosedPeriod>& closedPeriods() noexcept { return closed_; }
  /// Closed intervals of staffed agent-time (every agent-queue series, every interval since the
  /// series appeared, zero included), oldest first per series; covered by closedThroughUs() like
  /// closedPeriods().
  [[nodiscard]] SpscRing<ClosedAgentInterval>& closedAgentIntervals() noexcept { return closedAgent_; }
  /// Interval watermark: every interval of this shard that ends at or before it has been closed
  /// and pushed to closedPeriods() (the last publish's "now" minus the late tolerance; INT64_MIN
  /// before the first publish). Acquire pairs with the release in publish(), which comes after
  /// those pushes: a consumer that reads it and then drains the ring has all those intervals.
  [[nodiscard]] std::int64_t closedThroughUs() const noexcept {
    return closedThroughUs_.load(std::memory_order_acquire);
  }

 private:
  /// kTransferPending: announced by a contact.transferred to a queue of this shard; the contact's
  /// contact.queued here is then a transfer in.
  enum class Phase : std::uint8_t { kWaiting, kTalking, kHold, kAcw, kTransferPending };
  struct ContactRecord {
    std::uint32_t series = 0;
    Phase phase = Phase::kWaiting;
    bool waitKnown = false;
    std::int64_t queuedUs = 0;
    std::int64_t answeredUs = 0;
    std::int64_t holdStartUs = 0;
    std::int64_t endedUs = 0;
    double holdSeconds = 0;
    double talkSeconds = 0;
  };
  struct AgentRecord {
    AgentStateKind state = AgentStateKind::kAvailable;
    std::uint8_t auxReason = 0;
    std::uint8_t queueCount = 0;
    std::int64_t lastAccountedUs = 0;
    std::array<std::uint32_t, kMaxAgentQueues> queues{};
    std::array<std::uint8_t, kChannelCount> capacity{};  ///< from agent.login; 0 = 1
    std::array<std::uint8_t, kChannelCount> active{};    ///< contacts answered and not yet wrapped
  };

  void applyEvent(const Event& event) noexcept;
  QueueSeries* queueSeriesFor(const Event& event) noexcept;
  /// The series a tracked contact is in, or (untracked, or only announced) the event's own.
  QueueSeries* seriesOf(const ContactRecord* record, const Event& event) noexcept;
  void onTransferred(const Event& event, std::uint64_t key) noexcept;
  AgentQueueSeries* agentSeriesFor(const Event& event, std::string_view queue) noexcept;
  bool isDuplicate(const Event& event) noexcept;
  void applyContact(const Event& event) noexcept;
  void applyAgent(const Event& event) noexcept;
  void onQueued(const Event& event, std::uint64_t key) noexcept;
  void onAnswered(const Event& event, std::uint64_t key) noexcept;
  void onLeftQueue(const Event& event, std::uint64_t key) noexcept;
  void onEnded(ContactRecord& record, std::int64_t tsUs) noexcept;
  void onWrapped(const Event& event, std::uint64_t key) noexcept;
  void accountAgentTime(AgentRecord& agent, std::int64_t tsUs) noexcept;
  /// Adds the series' staffed agents × the time since it was last integrated, up to `toUs`, to
  /// its staffed intervals, split exactly at the interval boundaries (no-op when `toUs` is not
  /// later). Called before any change of the staffed count, and by publish().
  void integrateStaffed(AgentQueueSeries& series, std::int64_t toUs) noexcept;
  std::int64_t* staffedPeriodFor(AgentQueueSeries& series, std::int64_t tsUs) noexcept;
  void advanceStaffed(AgentQueueSeries& series, std::int64_t nowUs) noexcept;
  void closeStaffed(AgentQueueSeries& series, std::int64_t startUs, std::int64_t endUs,
                    std::int64_t staffedUs) noexcept;
  void adjustAgentGauges(const AgentRecord& agent, std::int64_t delta) noexcept;
  void addProvisionalAgentTime(std::int64_t nowUs) noexcept;
  void applyAgentContact(const Event& event) noexcept;
  /// Share of the agent's time that counts as handling: 1 when busy or in ACW with no known
  /// contacts, else the fullest channel's active contacts / capacity (capped at 1); see
  /// docs/metrics.md "occupancy and concurrency".
  [[nodiscard]] static double handlingShare(const AgentRecord& agent) noexcept;
  [[nodiscard]] std::uint8_t auxReasonIndex(std::string_view reason) const noexcept;
  void publishQueueWindows(QueueSeries& series, std::int64_t nowUs) noexcept;
  void publishAgentWindows(AgentQueueSeries& series, std::int64_t nowUs) noexcept;
  void drainControl() noexcept;
  /// Worker loop: serves a pending checkpoint request (drain, save, publish the generation).
  void serviceCheckpoint() noexcept;
  /// Adds an outcome at event time `tsUs` to the series' window bucket, interval and day.
  void record(QueueSeries& series, std::int64_t tsUs, const OutcomeCounts& delta) noexcept;
  OutcomeCounts* periodFor(QueueSeries& series, PeriodKind kind, std::int64_t tsUs) noexcept;
  void advancePeriod(QueueSeries& series, PeriodKind kind, std::int64_t nowUs) noexcept;
  void closePeriod(QueueSeries& series, PeriodKind kind, std::int64_t startUs, std::int64_t endUs,
                   const OutcomeCounts& counts) noexcept;
  void periodBounds(const QueueSeries& series, PeriodKind kind, std::int64_t tsUs, std::int64_t& startUs,
                    std::int64_t& endUs) const noexcept;

  ShardSettings settings_;
  std::shared_ptr<const ServiceLevelSettings> serviceLevel_;
  const Clock& clock_;
  std::vector<std::size_t> windowBuckets_;  ///< buckets per configured window
  std::size_t ringBuckets_ = 1;

  std::vector<std::unique_ptr<SpscRing<Event>>> inputs_;
  SpscRing<std::shared_ptr<const ServiceLevelSettings>*> control_{16};
  SpscRing<ClosedPeriod> closed_{16384};
  SpscRing<ClosedAgentInterval> closedAgent_{16384};

  PublishedList<QueueSeries> queueSeries_;
  PublishedList<AgentQueueSeries> agentSeries_;
  FlatTable<std::uint32_t> queueSeriesIndex_;
  FlatTable<std::uint32_t> agentSeriesIndex_;
  FlatTable<ContactRecord> contacts_;
  FlatTable<AgentRecord> agents_;
  FlatTable<std::uint8_t> recentIds_;
  std::vector<std::uint64_t> recentIdOrder_;  ///< ring of recent id keys, for FIFO eviction
  std::size_t recentIdNext_ = 0;

  std::vector<std::int64_t> oldestScratch_;  ///< per queue series, reused by publish()
  std::vector<std::uint64_t> evictScratch_;  ///< contact keys to evict, reused by publish()
  std::int64_t newestEventUs_ = 0;
  ShardStats stats_;
  std::atomic<std::int64_t> closedThroughUs_{INT64_MIN};  ///< written by the owner in publish()
  std::atomic<std::uint64_t> checkpointRequested_{0};
  std::atomic<std::uint64_t> checkpointDone_{0};
  std::string checkpointBlob_;
};

}  // namespace ccpulse
