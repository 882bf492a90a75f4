#include "ccpulse/export/metrics_exporter.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "ccpulse/common/clock.hpp"
#include "ccpulse/config/duration.hpp"
#include "ccpulse/export/scoped_metrics.hpp"
#include "ccpulse/export/text_format.hpp"
#include "ccpulse/staffing/erlang.hpp"
#include "queue_families.hpp"

namespace ccpulse {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using Labels = std::vector<ClientMetric::Label>;

MetricFamily family(std::string name, std::string help, MetricType type) {
  MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  return f;
}

void addValue(MetricFamily& f, Labels labels, double value) {
  ClientMetric m;
  m.label = std::move(labels);
  if (f.type == MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  f.metric.push_back(std::move(m));
}

void addHistogram(MetricFamily& f, Labels labels, const PubHistogram& h) {
  ClientMetric m;
  m.label = std::move(labels);
  std::uint64_t cumulative = 0;
  const auto& bounds = h.bounds();
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    cumulative += h.bucketCount(i);
    m.histogram.bucket.push_back({cumulative, bounds[i]});
  }
  cumulative += h.bucketCount(bounds.size());
  m.histogram.bucket.push_back({cumulative, std::numeric_limits<double>::infinity()});
  // Count from the buckets so that the +Inf bucket always equals _count even mid-update.
  m.histogram.sample_count = cumulative;
  m.histogram.sample_sum = h.sum();
  f.metric.push_back(std::move(m));
}

Labels queueLabels(const QueueSeries& s) {
  return {
      {"tenant", s.tenant}, {"vendor", s.vendor}, {"queue", s.queue}, {"channel", std::string(toString(s.channel))}};
}

Labels with(Labels labels, std::string name, std::string value) {
  labels.push_back({std::move(name), std::move(value)});
  return labels;
}

/// The overflow queue "_other" of one (tenant, vendor, channel) may exist in several shards
/// (label-set caps fold wherever an event routes); merge those duplicates so every series is
/// exposed once: counters and histograms add up, oldest waiting takes the maximum, and ratios,
/// which cannot be combined from ratios, are left out for that queue.
void mergeOverflowDuplicates(MetricFamily& f) {
  const bool isRatio = f.type == MetricType::Gauge && f.name != "ccpulse_contacts_waiting" &&
                       f.name != "ccpulse_oldest_waiting_seconds" && f.name.find("_offered") == std::string::npos &&
                       f.name.find("_answered") == std::string::npos && f.name.find("_abandoned") == std::string::npos;
  std::map<std::vector<ClientMetric::Label>, std::size_t> first;
  std::vector<ClientMetric> kept;
  std::vector<bool> dropped;
  for (auto& m : f.metric) {
    const bool overflow = std::any_of(m.label.begin(), m.label.end(), [](const ClientMetric::Label& l) {
      return l.name == "queue" && l.value == "_other";
    });
    if (!overflow) {
      kept.push_back(std::move(m));
      dropped.push_back(false);
      continue;
    }
    const auto [it, inserted] = first.emplace(m.label, kept.size());
    if (inserted) {
      kept.push_back(std::move(m));
      dropped.push_back(false);
      continue;
    }
    ClientMetric& into = kept[it->second];
    if (f.type == MetricType::Counter) {
      into.counter.value += m.counter.value;
    } else if (f.type == MetricType::Histogram) {
      into.histogram.sample_count += m.histogram.sample_count;
      into.histogram.sample_sum += m.histogram.sample_sum;
      for (std::size_t b = 0; b < into.histogram.bucket.size() && b < m.histogram.bucket.size(); ++b) {
        into.histogram.bucket[b].cumulative_count += m.histogram.bucket[b].cumulative_count;
      }
    } else if (f.name == "ccpulse_oldest_waiting_seconds") {
      into.gauge.value = std::max(into.gauge.value, m.gauge.value);
    } else if (isRatio || f.name.find("start_timestamp") != std::string::npos ||
               f.name.find("_target") != std::string::npos || f.name.find("_threshold") != std::string::npos) {
      dropped[it->second] = isRatio;  // targets and starts agree; ratios cannot be merged
    } else {
      into.gauge.value += m.gauge.value;
    }
  }
  f.metric.clear();
  for (std::size_t i = 0; i < kept.size(); ++i) {
    if (!dropped[i]) {
      f.metric.push_back(std::move(kept[i]));
    }
  }
}

void keepNonEmpty(std::vector<MetricFamily>& out, MetricFamily&& f) {
  if (!f.metric.empty()) {
    out.push_back(std::move(f));
  }
}

}  // namespace

MetricsExporter::MetricsExporter(const Engine& engine, std::vector<SourceView> sources, const ProcessStats& process,
                                 StaffingSettings staffing)
    : engine_(engine),
      sources_(std::move(sources)),
      process_(process),
      queueText_(engine),
      staffing_(std::move(staffing)) {
  const auto& windows = engine_.settings().windows;
  for (std::size_t i = 0; i < windows.size(); ++i) {
    windowLabels_.push_back(formatDuration(windows[i]));
    if (staffing_.window && *staffing_.window == windows[i]) {
      staffingWindow_ = i;
    }
  }
}

std::vector<MetricFamily> MetricsExporter::collect() const {
  std::vector<MetricFamily> out;
  collectQueues(out);
  collectAgents(out);
  collectStaffing(out);
  collectSelf(out);
  if (durability_ != nullptr) {
    collectDurability(out);
  }
  return out;
}

void MetricsExporter::collectDurability(std::vector<MetricFamily>& out) const {
  const DurabilityStats& d = *durability_;
  const auto counter = [&](const char* name, const char* help, const PubU64& v) {
    auto f = family(name, help, MetricType::Counter);
    addValue(f, {}, static_cast<double>(v.get()));
    out.push_back(std::move(f));
  };
  const auto gauge = [&](const char* name, const char* help, double v) {
    auto f = family(name, help, MetricType::Gauge);
    addValue(f, {}, v);
    out.push_back(std::move(f));
  };
  counter("ccpulse_checkpoints_total", "Checkpoints of the full state written.", d.checkpoints);
  counter("ccpulse_checkpoint_failures_total",
          "Checkpoints not written (I/O error, or a thread did not answer in time).", d.checkpointFailures);
  counter("ccpulse_checkpoint_fallbacks_total",
          "Corrupt or torn checkpoints skipped at startup in favour of the previous one.", d.checkpointFallbacks);
  counter("ccpulse_journal_torn_tails_total", "Journal segments truncated at a torn or corrupt record at startup.",
          d.journalTornTails);
  counter("ccpulse_journal_corrupt_total", "Journal segments or records that could not be read at startup.",
          d.journalCorrupt);
  counter("ccpulse_journal_segments_removed_total", "Journal segments deleted as covered by checkpoints.",
          d.removedSegments);
  gauge("ccpulse_journal_replayed_events", "Journal events replayed by the last startup.",
        static_cast<double>(d.replayedEvents.get()));
  gauge("ccpulse_restore_duration_seconds", "How long the last startup restore (checkpoint + journal) took.",
        d.restoreSeconds.get());
  gauge("ccpulse_checkpoint_last_timestamp_seconds", "Wall time of the last checkpoint.",
        d.lastCheckpointSeconds.get());
  gauge("ccpulse_checkpoint_last_duration_seconds", "How long the last checkpoint took, write and fsync included.",
        d.lastCheckpointDurationSeconds.get());
  gauge("ccpulse_checkpoint_last_pause_seconds", "How long ingestion was paused for the last checkpoint.",
        d.lastPauseSeconds.get());
}

void MetricsExporter::collectStaffing(std::vector<MetricFamily>& out) const {
  if (!staffing_.enabled || windowLabels_.empty()) {
    return;
  }
  const std::lock_guard lock(staffingMutex_);
  refreshStaffingLocked();
  for (const auto& f : staffingCache_) {
    out.push_back(f);
  }
}

void MetricsExporter::refreshStaffingLocked() const {
  const std::int64_t now = steadyNowNs();
  if (staffingComputedNs_ == INT64_MIN || now - staffingComputedNs_ >= staffing_.interval.count() * 1000) {
    staffingCache_ = computeStaffing();
    staffingText_.clear();
    appendFamilies(staffingText_, staffingCache_);
    staffingComputedNs_ = now;
  }
}

void MetricsExporter::renderStaffing(std::string& out, const Scope& scope) const {
  if (!staffing_.enabled || windowLabels_.empty()) {
    return;
  }
  const std::lock_guard lock(staffingMutex_);
  refreshStaffingLocked();
  if (scope.seesOperations()) {
    out += staffingText_;
    return;
  }
  auto families = staffingCache_;
  filterFamilies(families, scope);
  appendFamilies(out, families);
}

void MetricsExporter::setForecasts(std::shared_ptr<const ForecastsByTenant> forecasts) {
  const std::lock_guard lock(staffingMutex_);
  forecasts_ = std::move(forecasts);
  staffingComputedNs_ = INT64_MIN;  // recompute at the next scrape
}

std::vector<MetricFamily> MetricsExporter::computeStaffing() const {
  // Staffed agents per (tenant, vendor, queue), summed over the shards that hold agents.
  std::map<std::tuple<std::string, std::string, std::string>, std::int64_t> staffed;
  for (std::size_t shard = 0; shard < engine_.shardCount(); ++shard) {
    const auto& list = engine_.shard(shard).agentSeries();
    const std::size_t n = list.size();
    for (std::size_t i = 0; i < n; ++i) {
      const AgentQueueSeries& a = list.at(i);
      staffed[{a.tenant, a.vendor, a.queue}] += a.staffed.get();
    }
  }
  const std::int64_t nowUs = engine_.nowUs();
  // How many vendor series serve each (tenant, queue, channel): a forecast row without a vendor
  // sizes a series only when that series is the queue's only one.
  std::map<std::tuple<std::string, std::string, Channel>, int> seriesPerQueue;
  for (std::size_t shard = 0; shard < engine_.shardCount(); ++shard) {
    const auto& list = engine_.shard(shard).queueSeries();
    const std::size_t n = list.size();
    for (std::size_t i = 0; i < n; ++i) {
      const QueueSeries& s = list.at(i);
      ++seriesPerQueue[{s.tenant, s.queue, s.channel}];
    }
  }
  auto required = family("ccpulse_agents_required",
                         "Agents needed now to meet the service-level target at the window's (or the forecast's) "
                         "arrival rate and AHT, by model (erlang_a uses the patience estimated from abandons).",
                         MetricType::Gauge);
  auto gap = family("ccpulse_staffing_gap", "Staffed agents minus required agents (negative = understaffed).",
                    MetricType::Gauge);
  auto predicted = family("ccpulse_predicted_service_level",
                          "Service level the current staffing is predicted to give at the window's load, by model.",
                          MetricType::Gauge);
  auto traffic =
      family("ccpulse_traffic_erlangs", "Offered load: arrival rate x AHT / concurrency.", MetricType::Gauge);
  auto fromForecast = family("ccpulse_staffing_from_forecast",
                             "1 when the staffing figures of this queue use the loaded forecast's volume and AHT for "
                             "the current interval, 0 when they use the rolling window.",
                             MetricType::Gauge);
  const std::size_t w = staffingWindow_;
  for (std::size_t shard = 0; shard < engine_.shardCount(); ++shard) {
    const auto& list = engine_.shard(shard).queueSeries();
    const std::size_t n = list.size();
    for (std::size_t i = 0; i < n; ++i) {
      const QueueSeries& s = list.at(i);
      if (s.queue == "_other") {
        continue;  // an overflow bucket is not a queue anyone staffs
      }
      staffing::Queue q;
      q.arrivalRate = s.windows[w].offeredPerSecond.get();
      q.ahtSeconds = s.windows[w].ahtSeconds.get();
      q.thresholdSeconds = s.publishedThresholdSeconds.get();
      q.concurrency = staffing_.concurrency[static_cast<std::size_t>(s.channel)];
      const ForecastRow* row = nullptr;
      if (forecasts_) {
        if (const auto it = forecasts_->find(s.tenant); it != forecasts_->end()) {
          row = it->second->find({s.vendor, s.queue, s.channel}, nowUs);
          if (row == nullptr && seriesPerQueue[{s.tenant, s.queue, s.channel}] == 1) {
            row = it->second->find({"", s.queue, s.channel}, nowUs);
          }
          if (row != nullptr) {
            q.arrivalRate = row->contacts / (static_cast<double>(it->second->intervalUs()) / 1e6);
            q.ahtSeconds = row->ahtSeconds;
          }
        }
      }
      const Labels labels = queueLabels(s);
      if (forecasts_ && forecasts_->count(s.tenant) != 0) {
        addValue(fromForecast, labels, row != nullptr ? 1.0 : 0.0);
      }
      if (std::isnan(q.ahtSeconds) || q.ahtSeconds <= 0 || q.arrivalRate <= 0) {
        continue;  // no load or no handle time yet: nothing to size
      }
      staffing::Target target;
      target.serviceLevel = std::clamp(s.publishedTarget.get(), 1e-6, 1.0 - 1e-9);
      target.maxOccupancy = staffing_.maxOccupancy;
      target.shrinkage = staffing_.shrinkage;
      addValue(traffic, labels, staffing::trafficErlangs(q));
      const auto it = staffed.find({s.tenant, s.vendor, s.queue});
      const std::int64_t agents = it == staffed.end() ? 0 : it->second;
      const auto emit = [&](const char* model, const staffing::Queue& modelQueue) {
        const auto result = staffing::requiredAgents(modelQueue, target);
        if (!result.ok()) {
          return;
        }
        const Labels ml = with(labels, "model", model);
        addValue(required, ml, result.value.metrics.agents);
        addValue(gap, ml, static_cast<double>(agents - result.value.metrics.agents));
        const auto now = staffing::evaluate(modelQueue, static_cast<std::int32_t>(agents));
        if (now.ok() && !std::isnan(now.value.serviceLevel)) {
          addValue(predicted, ml, now.value.serviceLevel);
        }
      };
      emit("erlang_c", q);
      const double patience = s.windows[w].patienceSeconds.get();
      if (!std::isnan(patience) && patience > 0) {
        staffing::Queue withPatience = q;
        withPatience.patienceSeconds = patience;
        emit("erlang_a", withPatience);
      }
    }
  }
  std::vector<MetricFamily> result;
  for (auto* f : {&required, &gap, &predicted, &traffic, &fromForecast}) {
    keepNonEmpty(result, std::move(*f));
  }
  computeForecastVariance(result, nowUs, staffed);
  return result;
}

void MetricsExporter::computeForecastVariance(
    std::vector<MetricFamily>& out, std::int64_t nowUs,
    const std::map<std::tuple<std::string, std::string, std::string>, std::int64_t>& staffed) const {
  if (!forecasts_ || forecasts_->empty()) {
    return;
  }
  // Actual volume and handle time per (tenant, vendor, queue, channel) for the current interval
  // so far ([0]) and the last closed one ([1]), with the interval each refers to.
  struct Actual {
    std::int64_t startUs[2] = {INT64_MIN, INT64_MIN};
    double offered[2] = {0, 0};
    double handled[2] = {0, 0};
    double handleSeconds[2] = {0, 0};
  };
  std::map<std::tuple<std::string, std::string, std::string, Channel>, Actual> actuals;
  for (std::size_t shard = 0; shard < engine_.shardCount(); ++shard) {
    const auto& list = engine_.shard(shard).queueSeries();
    const std::size_t n = list.size();
    for (std::size_t i = 0; i < n; ++i) {
      const QueueSeries& s = list.at(i);
      if (forecasts_->count(s.tenant) == 0) {
        continue;
      }
      Actual& a = actuals[{s.tenant, s.vendor, s.queue, s.channel}];
      for (std::size_t k = 0; k < 2; ++k) {
        const PeriodGauges& g = s.interval[k];
        const double start = g.startSeconds.get();
        if (start == 0) {
          continue;
        }
        a.startUs[k] = std::llround(start * 1e6);
        a.offered[k] = g.offered.get();
        const double handled = g.handled.get();
        a.handled[k] = handled;
        const double aht = g.ahtSeconds.get();
        a.handleSeconds[k] = handled > 0 && !std::isnan(aht) ? aht * handled : 0;
      }
    }
  }
  auto contacts = family("ccpulse_forecast_contacts",
                         "Contacts the forecast expects in the interval (interval=\"current\" or \"last\" closed).",
                         MetricType::Gauge);
  auto volumeVariance = family("ccpulse_forecast_volume_variance",
                               "Actual minus forecast contacts offered: for the current interval against the forecast "
                               "pro rata to the time elapsed, for the last interval against the whole forecast.",
                               MetricType::Gauge);
  auto aht = family("ccpulse_forecast_aht_seconds", "Average handle time the forecast expects in the interval.",
                    MetricType::Gauge);
  auto ahtVariance = family("ccpulse_forecast_aht_variance_seconds",
                            "Actual minus forecast average handle time in the interval (only once contacts were "
                            "handled).",
                            MetricType::Gauge);
  auto scheduled = family("ccpulse_scheduled_agents", "Agents the schedule puts on the queue in the current interval.",
                          MetricType::Gauge);
  auto scheduleVariance = family("ccpulse_schedule_variance_agents",
                                 "Agents staffed on the queue now minus agents scheduled for the current interval "
                                 "(summed over the queue's channels).",
                                 MetricType::Gauge);
  std::map<std::tuple<std::string, std::string, std::string>, double> scheduledPerQueue;
  for (const auto& [tenant, forecast] : *forecasts_) {
    const std::int64_t length = forecast->intervalUs();
    for (const auto& [key, rows] : forecast->rows()) {
      // Sum the actuals of the series this row covers: one vendor's, or every vendor's.
      Actual sum;
      for (const auto& [akey, a] : actuals) {
        const auto& [aTenant, aVendor, aQueue, aChannel] = akey;
        if (aTenant != tenant || aQueue != key.queue || aChannel != key.channel ||
            (!key.vendor.empty() && aVendor != key.vendor)) {
          continue;
        }
        for (std::size_t k = 0; k < 2; ++k) {
          sum.startUs[k] = a.startUs[k];
          sum.offered[k] += a.offered[k];
          sum.handled[k] += a.handled[k];
          sum.handleSeconds[k] += a.handleSeconds[k];
        }
      }
      const Labels labels{{"tenant", tenant},
                          {"vendor", key.vendor},
                          {"queue", key.queue},
                          {"channel", std::string(toString(key.channel))}};
      const ForecastRow* current = forecast->find(key, nowUs);
      if (current != nullptr) {
        const Labels l = with(labels, "interval", "current");
        const double elapsed =
            std::clamp(static_cast<double>(nowUs - current->startUs) / static_cast<double>(length), 0.0, 1.0);
        // Before the shard publishes the new interval its gauges still show the previous one:
        // nothing has been counted for this interval yet.
        const bool same = sum.startUs[0] == current->startUs;
        addValue(contacts, l, current->contacts);
        addValue(volumeVariance, l, (same ? sum.offered[0] : 0.0) - current->contacts * elapsed);
        addValue(aht, l, current->ahtSeconds);
        if (same && sum.handled[0] > 0) {
          addValue(ahtVariance, l, sum.handleSeconds[0] / sum.handled[0] - current->ahtSeconds);
        }
        addValue(scheduled, labels, current->scheduledAgents);
        scheduledPerQueue[{tenant, key.vendor, key.queue}] += current->scheduledAgents;
      }
      const ForecastRow* last = forecast->find(key, (current != nullptr ? current->startUs : nowUs) - length);
      if (last != nullptr && sum.startUs[1] == last->startUs) {
        const Labels l = with(labels, "interval", "last");
        addValue(contacts, l, last->contacts);
        addValue(volumeVariance, l, sum.offered[1] - last->contacts);
        addValue(aht, l, last->ahtSeconds);
        if (sum.handled[1] > 0) {
          addValue(ahtVariance, l, sum.handleSeconds[1] / sum.handled[1] - last->ahtSeconds);
        }
      }
    }
  }
  for (const auto& [key, agents] : scheduledPerQueue) {
    const auto& [tenant, vendor, queue] = key;
    double staffedNow = 0;
    for (const auto& [skey, count] : staffed) {
      const auto& [sTenant, sVendor, sQueue] = skey;
      if (sTenant == tenant && sQueue == queue && (vendor.empty() || sVendor == vendor)) {
        staffedNow += static_cast<double>(count);
      }
    }
    addValue(scheduleVariance, {{"tenant", tenant}, {"vendor", vendor}, {"queue", queue}}, staffedNow - agents);
  }
  for (auto* f : {&contacts, &volumeVariance, &aht, &ahtVariance, &scheduled, &scheduleVariance}) {
    keepNonEmpty(out, std::move(*f));
  }
}

std::string MetricsExporter::render() const {
  std::string out;
  renderTo(out, Scope::admin());
  return out;
}

void MetricsExporter::renderTo(std::string& out, const Scope& scope) const {
  // Same families in the same order as collect(): queues, agents, staffing, self, durability.
  queueText_.render(out, &scope);
  std::vector<MetricFamily> families;
  collectAgents(families);
  filterFamilies(families, scope);
  appendFamilies(out, families);
  renderStaffing(out, scope);
  families.clear();
  collectSelf(families);
  if (durability_ != nullptr) {
    collectDurability(families);
  }
  filterFamilies(families, scope);
  appendFamilies(out, families);
}

void MetricsExporter::collectQueues(std::vector<MetricFamily>& out) const {
  namespace qf = queue_families;
  const auto& kCounters = qf::kCounters;
  constexpr std::size_t kCounterCount = std::size(qf::kCounters);
  std::vector<MetricFamily> counters;
  counters.reserve(kCounterCount);
  for (const auto& def : kCounters) {
    counters.push_back(family(def.name, def.help, MetricType::Counter));
  }
  const auto textFamily = [](const qf::Text& t, MetricType type) { return family(t.name, t.help, type); };
  auto dequeued = textFamily(qf::kDequeued, MetricType::Counter);
  auto selfService = textFamily(qf::kSelfService, MetricType::Counter);
  auto wait = textFamily(qf::kWait, MetricType::Histogram);
  auto abandonWait = textFamily(qf::kAbandonWait, MetricType::Histogram);
  auto waiting = textFamily(qf::kWaiting, MetricType::Gauge);
  auto oldest = textFamily(qf::kOldest, MetricType::Gauge);
  auto target = textFamily(qf::kTarget, MetricType::Gauge);
  auto threshold = textFamily(qf::kThreshold, MetricType::Gauge);
  auto serviceLevel = textFamily(qf::kServiceLevel, MetricType::Gauge);
  auto asa = textFamily(qf::kAsa, MetricType::Gauge);
  auto aht = textFamily(qf::kAht, MetricType::Gauge);
  auto abandonRate = textFamily(qf::kAbandonRate, MetricType::Gauge);
  auto transferRate = textFamily(qf::kTransferRate, MetricType::Gauge);

  // Clock-aligned interval and day: [0] current so far, [1] last closed.
  const auto& kPeriodDefs = qf::kPeriods;
  std::vector<MetricFamily> intervalFamilies;
  std::vector<MetricFamily> dayFamilies;
  for (const auto& def : kPeriodDefs) {
    intervalFamilies.push_back(family(std::string("ccpulse_interval_") + def.suffix,
                                      std::string(def.help) + qf::kIntervalHelpNote, MetricType::Gauge));
    dayFamilies.push_back(
        family(std::string("ccpulse_day_") + def.suffix, std::string(def.help) + qf::kDayHelpNote, MetricType::Gauge));
  }
  const auto addPeriods = [&](std::vector<MetricFamily>& families, const char* label,
                              const std::array<PeriodGauges, 2>& gauges, const Labels& labels) {
    for (std::size_t which = 0; which < 2; ++which) {
      const PeriodGauges& g = gauges[which];
      if (g.startSeconds.get() == 0) {
        continue;  // no such period yet
      }
      const Labels pl = with(labels, label, which == 0 ? "current" : "last");
      for (std::size_t f = 0; f < std::size(kPeriodDefs); ++f) {
        const double v = (g.*(kPeriodDefs[f].field)).get();
        if (!std::isnan(v)) {
          addValue(families[f], pl, v);
        }
      }
    }
  };

  std::size_t overflowSeries = 0;
  for (std::size_t shard = 0; shard < engine_.shardCount(); ++shard) {
    const auto& list = engine_.shard(shard).queueSeries();
    const std::size_t n = list.size();
    for (std::size_t i = 0; i < n; ++i) {
      const QueueSeries& s = list.at(i);
      overflowSeries += s.queue == "_other" ? 1 : 0;
      const Labels labels = queueLabels(s);
      for (std::size_t c = 0; c < kCounterCount; ++c) {
        addValue(counters[c], labels, kCounters[c].read(s));
      }
      for (std::size_t r = 0; r < kDequeueReasonCount; ++r) {
        addValue(dequeued, with(labels, "reason", std::string(toString(static_cast<DequeueReason>(r)))),
                 static_cast<double>(s.dequeued[r].get()));
      }
      addValue(selfService, with(labels, "contained", "true"), static_cast<double>(s.selfServiceContained.get()));
      addValue(selfService, with(labels, "contained", "false"), static_cast<double>(s.selfServiceEscalated.get()));
      addHistogram(wait, labels, s.waitHistogram);
      addHistogram(abandonWait, labels, s.abandonWaitHistogram);
      addValue(waiting, labels, static_cast<double>(s.waiting.get()));
      addValue(oldest, labels, s.oldestWaitingSeconds.get());
      for (std::size_t w = 0; w < windowLabels_.size(); ++w) {
        const Labels wl = with(labels, "window", windowLabels_[w]);
        const auto put = [&](MetricFamily& f, double v) {
          if (!std::isnan(v)) {
            addValue(f, wl, v);
          }
        };
        put(serviceLevel, s.windows[w].serviceLevel.get());
        put(asa, s.windows[w].asaSeconds.get());
        put(aht, s.windows[w].ahtSeconds.get());
        put(abandonRate, s.windows[w].abandonRate.get());
        put(transferRate, s.windows[w].transferRate.get());
      }
      addPeriods(intervalFamilies, "interval", s.interval, labels);
      addPeriods(dayFamilies, "day", s.day, labels);
      addValue(target, labels, s.publishedTarget.get());
      addValue(threshold, labels, s.publishedThresholdSeconds.get());
    }
  }
  std::vector<MetricFamily*> all;
  for (auto& f : counters) {
    all.push_back(&f);
  }
  for (auto* f : {&dequeued, &selfService, &wait, &abandonWait, &waiting, &oldest, &serviceLevel, &target, &threshold,
                  &asa, &aht, &abandonRate, &transferRate}) {
    all.push_back(f);
  }
  for (auto& f : intervalFamilies) {
    all.push_back(&f);
  }
  for (auto& f : dayFamilies) {
    all.push_back(&f);
  }
  for (MetricFamily* f : all) {
    if (overflowSeries > 1) {  // only then can two shards hold the same "_other" labels
      mergeOverflowDuplicates(*f);
    }
    keepNonEmpty(out, std::move(*f));
  }
}

void MetricsExporter::collectAgents(std::vector<MetricFamily>& out) const {
  // Agents are sharded by agent, so partial series for one (tenant, vendor, queue) may live in
  // several shards: sum them here.
  struct Sum {
    std::array<std::int64_t, kAgentStateKindCount> byState{};
    std::int64_t staffed = 0;
    std::vector<std::int64_t> aux;
    double handling = 0;
    double available = 0;
    std::vector<double> handlingWindow;
    std::vector<double> availableWindow;
  };
  const auto& reasons = engine_.settings().auxReasons;
  const std::size_t windows = windowLabels_.size();
  std::map<std::tuple<std::string, std::string, std::string>, Sum> sums;
  for (std::size_t shard = 0; shard < engine_.shardCount(); ++shard) {
    const auto& list = engine_.shard(shard).agentSeries();
    const std::size_t n = list.size();
    for (std::size_t i = 0; i < n; ++i) {
      const AgentQueueSeries& s = list.at(i);
      Sum& sum = sums[{s.tenant, s.vendor, s.queue}];
      if (sum.aux.empty()) {
        sum.aux.assign(reasons.size() + 1, 0);
        sum.handlingWindow.assign(windows, 0);
        sum.availableWindow.assign(windows, 0);
      }
      sum.staffed += s.staffed.get();
      for (std::size_t k = 0; k < kAgentStateKindCount; ++k) {
        sum.byState[k] += s.byState[k].get();
      }
      for (std::size_t r = 0; r <= reasons.size(); ++r) {
        sum.aux[r] += s.auxByReason[r].get();
      }
      sum.handling += s.handlingSeconds.get();
      sum.available += s.availableSeconds.get();
      for (std::size_t w = 0; w < windows; ++w) {
        sum.handlingWindow[w] += s.handlingWindow[w].get();
        sum.availableWindow[w] += s.availableWindow[w].get();
      }
    }
  }
  auto agents = family("ccpulse_agents",
                       "Agents per queue by state (an agent in several queues counts in each); staffed = logged in and "
                       "not offline.",
                       MetricType::Gauge);
  auto aux = family("ccpulse_agents_aux", "Agents in aux per queue by reason.", MetricType::Gauge);
  auto handling = family("ccpulse_agent_handling_seconds_total", "Agent time busy or in after-contact work, per queue.",
                         MetricType::Counter);
  auto available =
      family("ccpulse_agent_available_seconds_total", "Agent time available (idle), per queue.", MetricType::Counter);
  auto occupancy = family("ccpulse_occupancy", "Handling time / (handling + available time) over the rolling window.",
                          MetricType::Gauge);
  static constexpr std::array<AgentStateKind, 4> kExported = {AgentStateKind::kAvailable, AgentStateKind::kBusy,
                                                              AgentStateKind::kAcw, AgentStateKind::kAux};
  for (const auto& [key, sum] : sums) {
    const Labels labels = {{"tenant", std::get<0>(key)}, {"vendor", std::get<1>(key)}, {"queue", std::get<2>(key)}};
    addValue(agents, with(labels, "state", "staffed"), static_cast<double>(sum.staffed));
    for (const AgentStateKind k : kExported) {
      addValue(agents, with(labels, "state", std::string(toString(k))),
               static_cast<double>(sum.byState[static_cast<std::size_t>(k)]));
    }
    for (std::size_t r = 0; r <= reasons.size(); ++r) {
      addValue(aux, with(labels, "reason", r < reasons.size() ? reasons[r] : std::string("other")),
               static_cast<double>(sum.aux[r]));
    }
    addValue(handling, labels, sum.handling);
    addValue(available, labels, sum.available);
    for (std::size_t w = 0; w < windows; ++w) {
      const double total = sum.handlingWindow[w] + sum.availableWindow[w];
      if (total > 0) {
        addValue(occupancy, with(labels, "window", windowLabels_[w]), sum.handlingWindow[w] / total);
      }
    }
  }
  for (auto* f : {&agents, &aux, &handling, &available, &occupancy}) {
    keepNonEmpty(out, std::move(*f));
  }
}

void MetricsExporter::collectSelf(std::vector<MetricFamily>& out) const {
  auto build = family("ccpulse_build_info", "Build information; the value is always 1.", MetricType::Gauge);
  addValue(build, {{"version", CCPULSE_VERSION}}, 1);
  out.push_back(std::move(build));

  auto frames = family("ccpulse_frames_received_total", "ZeroMQ messages received per source.", MetricType::Counter);
  auto bytes = family("ccpulse_received_bytes_total", "Payload bytes received per source.", MetricType::Counter);
  auto received =
      family("ccpulse_events_received_total",
             "Events seen per source: decoded plus rejected (an array element counts as one).", MetricType::Counter);
  auto decoded = family("ccpulse_events_decoded_total", "Events decoded successfully per source.", MetricType::Counter);
  auto rejected =
      family("ccpulse_events_rejected_total", "Events rejected as bad input, by reason.", MetricType::Counter);
  auto duplicate = family("ccpulse_events_duplicate_total", "Events ignored because their id was seen recently.",
                          MetricType::Counter);
  auto gaps = family("ccpulse_sequence_gaps_total", "Events missing according to publisher sequence numbers.",
                     MetricType::Counter);
  auto repeats = family("ccpulse_sequence_repeats_total", "Events ignored because their sequence number was not new.",
                        MetricType::Counter);
  auto restarts = family("ccpulse_sequence_restarts_total", "Publisher sequence restarts.", MetricType::Counter);
  auto dropped =
      family("ccpulse_events_dropped_total", "Events dropped because a shard ring stayed full.", MetricType::Counter);
  auto up = family("ccpulse_source_up", "1 when the source is bound or connected.", MetricType::Gauge);
  auto connects =
      family("ccpulse_source_connects_total", "Connections established by connecting sources.", MetricType::Counter);
  auto disconnects =
      family("ccpulse_source_disconnects_total",
             "Connections lost by connecting sources (libzmq reconnects by itself).", MetricType::Counter);
  auto last = family("ccpulse_source_last_event_timestamp_seconds", "Event time of the newest event per source.",
                     MetricType::Gauge);
  auto decoderEvicted = family("ccpulse_decoder_state_evicted_total",
                               "Vendor adapter state entries (contacts, tasks, agents) evicted from the source "
                               "decoder's fixed-capacity tables.",
                               MetricType::Counter);
  auto curveRejected = family("ccpulse_source_curve_rejected_total",
                              "CURVE handshakes refused by the ZAP handler (unknown public key).", MetricType::Counter);
  auto handshakeFailed =
      family("ccpulse_source_handshake_failed_total",
             "CURVE sources only: handshakes libzmq failed before the ZAP handler was asked, by reason "
             "(mechanism_mismatch: e.g. a plaintext peer).",
             MetricType::Counter);
  auto ignored = family("ccpulse_events_ignored_total",
                        "Well-formed input an adapter maps to no event by design (e.g. queue_log CONFIGRELOAD).",
                        MetricType::Counter);
  auto rotations =
      family("ccpulse_source_file_rotations_total", "File sources: the tailed file was replaced.", MetricType::Counter);
  auto truncations = family("ccpulse_source_file_truncations_total",
                            "File sources: the tailed file shrank below the read offset.", MetricType::Counter);
  auto connectFailures = family("ccpulse_source_connect_failures_total",
                                "Failed connect or login attempts of adapter sources (AMI).", MetricType::Counter);
  auto stateWrites = family("ccpulse_source_state_write_failures_total",
                            "File sources: failures to save (or read back) the resume offset.", MetricType::Counter);
  auto journalErrors = family("ccpulse_journal_write_errors_total",
                              "Failed writes, opens and syncs of a source's journal in this process: records that "
                              "may be missing from the journal (logged, rate-limited).",
                              MetricType::Counter);
  for (std::size_t i = 0; i < sources_.size(); ++i) {
    const SourceStats& st = *sources_[i].stats;
    const Labels labels = {{"source", sources_[i].name}};
    if (durability_ != nullptr) {
      addValue(journalErrors, labels, static_cast<double>(st.journalWriteErrors.get()));
    }
    if (sources_[i].curveRejected != nullptr) {
      addValue(curveRejected, labels, static_cast<double>(sources_[i].curveRejected->get()));
      for (std::size_t r = 0; r < st.handshakeFailed.size(); ++r) {
        addValue(handshakeFailed,
                 {{"source", sources_[i].name}, {"reason", std::string(toString(static_cast<HandshakeFailure>(r)))}},
                 static_cast<double>(st.handshakeFailed[r].get()));
      }
    }
    addValue(stateWrites, labels, static_cast<double>(st.stateWriteFailures.get()));
    addValue(ignored, labels, static_cast<double>(st.ignored.get()));
    addValue(rotations, labels, static_cast<double>(st.fileRotations.get()));
    addValue(truncations, labels, static_cast<double>(st.fileTruncations.get()));
    addValue(connectFailures, labels, static_cast<double>(st.connectFailures.get()));
    std::uint64_t rejectedSum = 0;
    for (std::size_t r = 0; r < kRejectReasonCount; ++r) {
      const std::uint64_t v = st.rejected[r].get();
      rejectedSum += v;
      addValue(rejected, with(labels, "reason", std::string(toString(static_cast<RejectReason>(r)))),
               static_cast<double>(v));
    }
    std::uint64_t duplicates = 0;
    for (std::size_t s = 0; s < engine_.shardCount(); ++s) {
      duplicates += engine_.shard(s).stats().duplicates[i].get();
    }
    addValue(frames, labels, static_cast<double>(st.frames.get()));
    addValue(bytes, labels, static_cast<double>(st.bytes.get()));
    addValue(received, labels, static_cast<double>(st.received.get() + rejectedSum));
    addValue(decoded, labels, static_cast<double>(st.received.get()));
    addValue(duplicate, labels, static_cast<double>(duplicates));
    addValue(gaps, labels, static_cast<double>(st.sequenceGaps.get()));
    addValue(repeats, labels, static_cast<double>(st.sequenceRepeats.get()));
    addValue(restarts, labels, static_cast<double>(st.sequenceRestarts.get()));
    addValue(dropped, labels, static_cast<double>(engine_.dropped(i)));
    addValue(up, labels, st.ready.load(std::memory_order_acquire) ? 1 : 0);
    addValue(connects, labels, static_cast<double>(st.connects.get()));
    addValue(disconnects, labels, static_cast<double>(st.disconnects.get()));
    // Cloud decoders report their evictions as a running total, the Asterisk tracker one by one.
    addValue(decoderEvicted, labels, static_cast<double>(st.decoderEvictions.get() + st.stateEvicted.get()));
    const double lastSeconds = st.lastEventSeconds.get();
    if (lastSeconds != 0) {
      addValue(last, labels, lastSeconds);
    }
  }

  auto applied = family("ccpulse_events_applied_total", "Events applied by each shard worker.", MetricType::Counter);
  auto ringDepth = family("ccpulse_ring_occupancy", "Events waiting in a shard's input rings.", MetricType::Gauge);
  auto ringCapacity =
      family("ccpulse_ring_capacity", "Capacity of a shard's input rings (sum over sources).", MetricType::Gauge);
  auto latency =
      family("ccpulse_apply_latency_seconds",
             "Time from frame receipt until the event is applied (its counters readable by a scrape), per shard.",
             MetricType::Histogram);
  auto inFlight =
      family("ccpulse_contacts_in_flight", "Contacts tracked (waiting or being handled).", MetricType::Gauge);
  auto agentsTracked = family("ccpulse_agents_tracked", "Agents tracked per shard.", MetricType::Gauge);
  auto unmatched =
      family("ccpulse_events_unmatched_total",
             "Events naming a contact or agent not in flight (joined mid-stream, evicted, or out of order).",
             MetricType::Counter);
  auto evicted = family("ccpulse_contacts_evicted_total", "Contacts given up on, by reason.", MetricType::Counter);
  auto folded = family("ccpulse_series_folded_total", "Events folded into queue=\"_other\" by the label-set cap.",
                       MetricType::Counter);
  auto seriesDropped = family("ccpulse_series_dropped_total", "Events dropped because no label set could be created.",
                              MetricType::Counter);
  auto late = family("ccpulse_late_events_total",
                     "Events older than the rolling windows reach (counted in totals only).", MetricType::Counter);
  auto latePeriods =
      family("ccpulse_late_period_events_total",
             "Events older than every open interval or day (counted in the current one).", MetricType::Counter);
  auto periodsDropped =
      family("ccpulse_periods_dropped_total",
             "Closed intervals or days not recorded because the control thread fell behind.", MetricType::Counter);
  std::array<std::uint64_t, kEventTypeCount> unmatchedByType{};
  std::uint64_t evictedAge = 0;
  std::uint64_t untrackedContacts = 0;
  std::uint64_t untrackedAgents = 0;
  std::uint64_t foldedSum = 0;
  std::uint64_t droppedSeries = 0;
  std::uint64_t lateSum = 0;
  std::uint64_t latePeriodsSum = 0;
  std::uint64_t periodsDroppedSum = 0;
  for (std::size_t s = 0; s < engine_.shardCount(); ++s) {
    const Shard& shard = engine_.shard(s);
    const ShardStats& st = shard.stats();
    const Labels labels = {{"shard", std::to_string(s)}};
    addValue(applied, labels, static_cast<double>(st.applied.get()));
    addValue(ringDepth, labels, static_cast<double>(shard.ringDepth()));
    addValue(ringCapacity, labels, static_cast<double>(engine_.settings().ringCapacity * sources_.size()));
    addHistogram(latency, labels, st.applyLatency);
    addValue(inFlight, labels, static_cast<double>(st.contactsInFlight.get()));
    addValue(agentsTracked, labels, static_cast<double>(st.agentsTracked.get()));
    for (std::size_t t = 0; t < kEventTypeCount; ++t) {
      unmatchedByType[t] += st.unmatched[t].get();
    }
    evictedAge += st.contactsEvictedAge.get();
    untrackedContacts += st.contactsUntracked.get();
    untrackedAgents += st.agentsUntracked.get();
    foldedSum += st.seriesFolded.get();
    droppedSeries += st.seriesDropped.get();
    lateSum += st.lateEvents.get();
    latePeriodsSum += st.lateForPeriods.get();
    periodsDroppedSum += st.periodsDropped.get();
  }
  for (std::size_t t = 0; t < kEventTypeCount; ++t) {
    addValue(unmatched, {{"type", std::string(toString(static_cast<EventType>(t)))}},
             static_cast<double>(unmatchedByType[t]));
  }
  addValue(evicted, {{"reason", "max_age"}}, static_cast<double>(evictedAge));
  addValue(evicted, {{"reason", "contacts_capacity"}}, static_cast<double>(untrackedContacts));
  addValue(evicted, {{"reason", "agents_capacity"}}, static_cast<double>(untrackedAgents));
  addValue(folded, {}, static_cast<double>(foldedSum));
  addValue(seriesDropped, {}, static_cast<double>(droppedSeries));
  addValue(late, {}, static_cast<double>(lateSum));
  addValue(latePeriods, {}, static_cast<double>(latePeriodsSum));
  addValue(periodsDropped, {}, static_cast<double>(periodsDroppedSum));

  auto reloads = family("ccpulse_config_reloads_total", "Configuration reloads by result.", MetricType::Counter);
  addValue(reloads, {{"result", "ok"}}, static_cast<double>(process_.reloadsOk.get()));
  addValue(reloads, {{"result", "failed"}}, static_cast<double>(process_.reloadsFailed.get()));
  auto start = family("ccpulse_start_time_seconds", "Process start time, seconds since the epoch.", MetricType::Gauge);
  addValue(start, {}, process_.startTimeSeconds.get());

  for (auto* f : {&frames,      &bytes,         &received,       &decoded,   &rejected,     &duplicate,
                  &gaps,        &repeats,       &restarts,       &dropped,   &up,           &connects,
                  &disconnects, &last,          &applied,        &ringDepth, &ringCapacity, &latency,
                  &inFlight,    &agentsTracked, &unmatched,      &evicted,   &folded,       &seriesDropped,
                  &late,        &latePeriods,   &periodsDropped, &reloads,   &start,        &decoderEvicted}) {
    keepNonEmpty(out, std::move(*f));
  }
  keepNonEmpty(out, std::move(curveRejected));
  keepNonEmpty(out, std::move(handshakeFailed));
  keepNonEmpty(out, std::move(journalErrors));
  // Adapter and file/AMI source families (issue #6).
  for (auto* f : {&ignored, &rotations, &truncations, &connectFailures, &stateWrites}) {
    keepNonEmpty(out, std::move(*f));
  }
}

}  // namespace ccpulse
