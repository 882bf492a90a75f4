#include "ccpulse/wallboard/live_board.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <tuple>

#include <spdlog/spdlog.h>

#include "ccpulse/common/clock.hpp"
#include "ccpulse/common/rate_limited_log.hpp"
#include "ccpulse/config/duration.hpp"

namespace ccpulse {
namespace {

void appendString(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  out += '"';
}

// NaN (undefined: no denominator yet) is null, so the page can show a dash.
void appendNumber(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", value);
  out += buf;
}

using QueueKey = std::tuple<std::string, std::string, std::string, std::string>;
using AgentKey = std::tuple<std::string, std::string, std::string>;

std::string label(const prometheus::ClientMetric& m, std::string_view name) {
  for (const auto& l : m.label) {
    if (l.name == name) {
      return l.value;
    }
  }
  return {};
}

std::int64_t toNs(Micros d) noexcept { return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count(); }

}  // namespace

/// A feed for one client: a snapshot whenever the board has pushed a newer one than this client
/// took. Holds the board only for nextEvent() (called while the board lives: the io_context that
/// calls it is stopped before the board is destroyed) and the counters by shared_ptr, so a
/// destructor run during teardown touches nothing freed.
class LiveBoard::Stream final : public EventStream {
 public:
  Stream(LiveBoard& board, Scope scope, std::shared_ptr<Counters> counters)
      : board_(board), scope_(std::move(scope)), counters_(std::move(counters)) {
    counters_->active.add(1);
    counters_->opened.add(1);
  }
  ~Stream() override { counters_->active.add(-1); }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  void setWake(std::function<void()> wake) override { wake_ = std::move(wake); }
  void wake() const {
    if (wake_) {
      wake_();
    }
  }

  std::string nextEvent() override {
    const std::uint64_t newest = board_.snapshotSeq_;
    if (taken_ && newest == takenSeq_) {
      return {};
    }
    if (taken_ && newest > takenSeq_ + 1) {
      counters_->coalesced.add(newest - takenSeq_ - 1);  // this client was still writing the older ones
    }
    taken_ = true;
    takenSeq_ = newest;
    std::string json = board_.queuesJson(scope_);
    if (!json.empty() && json.back() == '\n') {
      json.pop_back();
    }
    return "event: snapshot\ndata: " + json + "\n\n";
  }

 private:
  LiveBoard& board_;
  Scope scope_;
  std::shared_ptr<Counters> counters_;
  std::function<void()> wake_;
  bool taken_ = false;
  std::uint64_t takenSeq_ = 0;
};

LiveBoard::LiveBoard(const Engine& engine, const MetricsExporter& exporter, WallboardSettings settings,
                     boost::asio::io_context& io)
    : engine_(engine), exporter_(exporter), settings_(settings), timer_(io) {
  for (const Micros w : engine_.settings().windows) {
    windowLabels_.push_back(formatDuration(w));
  }
}

// The pending tick (if any) completes with operation_aborted and touches nothing.
LiveBoard::~LiveBoard() { timer_.cancel(); }

std::int64_t LiveBoard::minIntervalNs() const noexcept { return toNs(settings_.streamInterval) / 2; }

LiveBoard::Generation LiveBoard::engineGeneration() const noexcept {
  Generation g;
  for (std::size_t i = 0; i < engine_.shardCount(); ++i) {
    const ShardStats& stats = engine_.shard(i).stats();
    g.applied += stats.applied.get();
    g.publishes += stats.publishes.get();
  }
  return g;
}

void LiveBoard::scheduleTick() {
  timer_.expires_after(kPollInterval);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) {
      return;
    }
    try {
      tick();
    } catch (const std::exception& e) {
      static RateLimitedLog log;
      if (std::uint64_t suppressed = 0; log.shouldLog(suppressed)) {
        spdlog::error("wallboard: snapshot failed: {} ({} more suppressed)", e.what(), suppressed);
      }
      scheduleTick();
    }
  });
}

// Push on change (leading edge: at once if the last push is at least minIntervalNs() old;
// otherwise when it becomes so, carrying everything since), and as a heartbeat every
// stream_interval. The timer runs only while a stream is open.
void LiveBoard::tick() {
  std::erase_if(streams_, [](const std::weak_ptr<Stream>& s) { return s.expired(); });
  if (streams_.empty()) {
    ticking_ = false;
    return;
  }
  const std::int64_t now = steadyNowNs();
  const std::int64_t sinceLast = now - lastPushNs_;
  // Against what was pushed, not what was built: an /api/v1/queues request may rebuild the rows.
  const Generation g = engineGeneration();
  bool changed = g.publishes != pushedGeneration_.publishes;
  if (!changed && g.applied != pushedGeneration_.applied) {
    if (unpublishedSinceNs_ == 0) {
      unpublishedSinceNs_ = now;
    }
    changed = now - unpublishedSinceNs_ >= toNs(kPublishWait);
  }
  if ((changed && sinceLast >= minIntervalNs()) || sinceLast >= toNs(settings_.streamInterval)) {
    rebuild(now);
    pushedGeneration_ = rowsGeneration_;
    unpublishedSinceNs_ = 0;
    ++snapshotSeq_;
    lastPushNs_ = now;
    counters_->snapshots.add(1);
    // Copied: a wake writes at once and a failed write may drop a stream meanwhile.
    const auto streams = streams_;
    for (const auto& weak : streams) {
      if (const auto stream = weak.lock()) {
        stream->wake();
      }
    }
  }
  scheduleTick();
}

const std::vector<LiveBoard::Row>& LiveBoard::rows() {
  const std::int64_t now = steadyNowNs();
  if (rowsBuiltNs_ == INT64_MIN || (engineGeneration() != rowsGeneration_ && now - rowsBuiltNs_ >= minIntervalNs())) {
    rebuild(now);
  }
  return rows_;
}

void LiveBoard::rebuild(std::int64_t now) {
  // Read first: whatever changes during the build moves the generation past this value.
  rowsGeneration_ = engineGeneration();
  rowsBuiltNs_ = now;
  generatedMs_ =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();

  // Agents are sharded by agent: sum the partial series per (tenant, vendor, queue).
  std::map<AgentKey, std::array<std::int64_t, kAgentStateKindCount + 1>> agents;
  for (std::size_t shard = 0; shard < engine_.shardCount(); ++shard) {
    const auto& list = engine_.shard(shard).agentSeries();
    const std::size_t n = list.size();
    for (std::size_t i = 0; i < n; ++i) {
      const AgentQueueSeries& a = list.at(i);
      auto& sum = agents[{a.tenant, a.vendor, a.queue}];
      for (std::size_t k = 0; k < kAgentStateKindCount; ++k) {
        sum[k] += a.byState[k].get();
      }
      sum[kAgentStateKindCount] += a.staffed.get();
    }
  }
  // Staffing gap and required agents: Erlang A where the patience is known, else Erlang C.
  std::map<QueueKey, std::pair<double, double>> gaps;  // (gap, required)
  std::map<QueueKey, bool> fromErlangA;
  for (const auto& f : exporter_.staffing()) {
    const bool isGap = f.name == "ccpulse_staffing_gap";
    if (!isGap && f.name != "ccpulse_agents_required") {
      continue;
    }
    for (const auto& m : f.metric) {
      const QueueKey key{label(m, "tenant"), label(m, "vendor"), label(m, "queue"), label(m, "channel")};
      const bool erlangA = label(m, "model") == "erlang_a";
      if (!erlangA && fromErlangA[key]) {
        continue;
      }
      if (erlangA && !fromErlangA[key]) {
        fromErlangA[key] = true;
        gaps[key] = {NAN, NAN};
      }
      auto& entry = gaps.try_emplace(key, NAN, NAN).first->second;
      (isGap ? entry.first : entry.second) = m.gauge.value;
    }
  }

  rows_.clear();
  for (std::size_t shard = 0; shard < engine_.shardCount(); ++shard) {
    const auto& list = engine_.shard(shard).queueSeries();
    const std::size_t n = list.size();
    for (std::size_t i = 0; i < n; ++i) {
      const QueueSeries& s = list.at(i);
      const std::string channel(toString(s.channel));
      std::string j = "{\"tenant\":";
      appendString(j, s.tenant);
      j += ",\"vendor\":";
      appendString(j, s.vendor);
      j += ",\"queue\":";
      appendString(j, s.queue);
      j += ",\"channel\":\"" + channel + "\"";
      j += ",\"waiting\":" + std::to_string(s.waiting.get());
      j += ",\"oldest_wait\":";
      appendNumber(j, s.oldestWaitingSeconds.get());
      j += ",\"threshold\":";
      appendNumber(j, s.publishedThresholdSeconds.get());
      j += ",\"target\":";
      appendNumber(j, s.publishedTarget.get());
      const auto perWindow = [&](const char* name, const PubF64 WindowGauges::*field) {
        j += ",\"";
        j += name;
        j += "\":[";
        for (std::size_t w = 0; w < windowLabels_.size(); ++w) {
          j += w == 0 ? "" : ",";
          appendNumber(j, (s.windows[w].*field).get());
        }
        j += "]";
      };
      perWindow("sl", &WindowGauges::serviceLevel);
      perWindow("abandon_rate", &WindowGauges::abandonRate);
      perWindow("asa", &WindowGauges::asaSeconds);
      perWindow("aht", &WindowGauges::ahtSeconds);
      const PeriodGauges& day = s.day[0];
      const bool haveDay = day.startSeconds.get() != 0;
      j += ",\"sl_day\":";
      appendNumber(j, haveDay ? day.serviceLevel.get() : NAN);
      j += ",\"offered_day\":";
      appendNumber(j, haveDay ? day.offered.get() : 0);
      j += ",\"answered_day\":";
      appendNumber(j, haveDay ? day.answered.get() : 0);
      j += ",\"abandoned_day\":";
      appendNumber(j, haveDay ? day.abandoned.get() : 0);
      j += ",\"agents\":";
      if (const auto a = agents.find({s.tenant, s.vendor, s.queue}); a != agents.end()) {
        const auto& c = a->second;
        j += "{\"staffed\":" + std::to_string(c[kAgentStateKindCount]) +
             ",\"available\":" + std::to_string(c[static_cast<std::size_t>(AgentStateKind::kAvailable)]) +
             ",\"busy\":" + std::to_string(c[static_cast<std::size_t>(AgentStateKind::kBusy)]) +
             ",\"acw\":" + std::to_string(c[static_cast<std::size_t>(AgentStateKind::kAcw)]) +
             ",\"aux\":" + std::to_string(c[static_cast<std::size_t>(AgentStateKind::kAux)]) + "}";
      } else {
        j += "null";
      }
      const auto g = gaps.find({s.tenant, s.vendor, s.queue, channel});
      j += ",\"staffing_gap\":";
      appendNumber(j, g == gaps.end() ? NAN : g->second.first);
      j += ",\"agents_required\":";
      appendNumber(j, g == gaps.end() ? NAN : g->second.second);
      j += "}";
      rows_.push_back(Row{s.tenant, s.vendor, std::move(j)});
    }
  }
  std::sort(rows_.begin(), rows_.end(), [](const Row& a, const Row& b) {
    return std::tie(a.tenant, a.vendor, a.json) < std::tie(b.tenant, b.vendor, b.json);
  });
}

std::string LiveBoard::queuesJson(const Scope& scope) {
  const auto& all = rows();
  std::string out = "{\"generated_ms\":" + std::to_string(generatedMs_) + ",\"scope\":";
  appendString(out, scope.describe());
  out += ",\"windows\":[";
  for (std::size_t w = 0; w < windowLabels_.size(); ++w) {
    out += w == 0 ? "" : ",";
    appendString(out, windowLabels_[w]);
  }
  out += "],\"queues\":[";
  bool first = true;
  for (const Row& r : all) {
    if (!scope.permits(r.tenant, r.vendor)) {
      continue;
    }
    out += first ? "" : ",";
    out += r.json;
    first = false;
  }
  return out + "]}\n";
}

std::shared_ptr<EventStream> LiveBoard::openStream(const Scope& scope) {
  if (counters_->active.get() >= static_cast<std::int64_t>(settings_.maxStreamClients)) {
    counters_->rejected.add(1);
    return nullptr;
  }
  auto stream = std::make_shared<Stream>(*this, scope, counters_);
  streams_.push_back(stream);
  if (!ticking_) {
    ticking_ = true;
    scheduleTick();
  }
  return stream;
}

std::vector<prometheus::MetricFamily> LiveBoard::families() const {
  std::vector<prometheus::MetricFamily> out(4);
  out[0].name = "ccpulse_wallboard_stream_clients";
  out[0].help = "Clients connected to /api/v1/stream.";
  out[0].type = prometheus::MetricType::Gauge;
  out[0].metric.emplace_back();
  out[0].metric.back().gauge.value = static_cast<double>(counters_->active.get());
  out[1].name = "ccpulse_wallboard_streams_total";
  out[1].help = "/api/v1/stream connections by result (rejected = wallboard.max_stream_clients reached).";
  out[1].type = prometheus::MetricType::Counter;
  for (const auto& [result, value] :
       {std::pair{"opened", counters_->opened.get()}, std::pair{"rejected", counters_->rejected.get()}}) {
    prometheus::ClientMetric m;
    m.label = {{"result", result}};
    m.counter.value = static_cast<double>(value);
    out[1].metric.push_back(std::move(m));
  }
  out[2].name = "ccpulse_wallboard_snapshots_total";
  out[2].help = "Snapshots pushed to /api/v1/stream clients (one per change burst or heartbeat).";
  out[2].type = prometheus::MetricType::Counter;
  out[2].metric.emplace_back();
  out[2].metric.back().counter.value = static_cast<double>(counters_->snapshots.get());
  out[3].name = "ccpulse_wallboard_snapshots_coalesced_total";
  out[3].help = "Snapshots a slow /api/v1/stream client skipped because a newer one replaced them.";
  out[3].type = prometheus::MetricType::Counter;
  out[3].metric.emplace_back();
  out[3].metric.back().counter.value = static_cast<double>(counters_->coalesced.get());
  return out;
}

}  // namespace ccpulse
