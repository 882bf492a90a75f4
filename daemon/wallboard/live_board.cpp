#include "ccpulse/wallboard/live_board.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <tuple>

#include "ccpulse/common/clock.hpp"
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

/// A feed for one client; holds the board only for nextEvent() (called while the board lives:
/// the io_context that calls it is stopped before the board is destroyed) and the counters by
/// shared_ptr, so a destructor run during teardown touches nothing freed.
class BoardStream final : public EventStream {
 public:
  BoardStream(LiveBoard& board, Scope scope, std::shared_ptr<LiveBoard::Counters> counters,
              std::chrono::milliseconds interval)
      : board_(board), scope_(std::move(scope)), counters_(std::move(counters)), interval_(interval) {
    counters_->active.add(1);
    counters_->opened.add(1);
  }
  ~BoardStream() override { counters_->active.add(-1); }
  BoardStream(const BoardStream&) = delete;
  BoardStream& operator=(const BoardStream&) = delete;

  std::string nextEvent() override {
    std::string json = board_.queuesJson(scope_);
    if (!json.empty() && json.back() == '\n') {
      json.pop_back();
    }
    return "event: snapshot\ndata: " + json + "\n\n";
  }
  [[nodiscard]] std::chrono::milliseconds interval() const override { return interval_; }

 private:
  LiveBoard& board_;
  Scope scope_;
  std::shared_ptr<LiveBoard::Counters> counters_;
  std::chrono::milliseconds interval_;
};

}  // namespace

LiveBoard::LiveBoard(const Engine& engine, const MetricsExporter& exporter, WallboardSettings settings)
    : engine_(engine), exporter_(exporter), settings_(settings) {
  for (const Micros w : engine_.settings().windows) {
    windowLabels_.push_back(formatDuration(w));
  }
}

const std::vector<LiveBoard::Row>& LiveBoard::rows() {
  const std::int64_t now = steadyNowNs();
  const std::int64_t maxAgeNs =
      std::chrono::duration_cast<std::chrono::nanoseconds>(settings_.streamInterval).count() / 2;
  if (rowsBuiltNs_ != INT64_MIN && now - rowsBuiltNs_ < maxAgeNs) {
    return rows_;
  }
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
  return rows_;
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
  return std::make_shared<BoardStream>(*this, scope, counters_,
                                       std::chrono::duration_cast<std::chrono::milliseconds>(settings_.streamInterval));
}

std::vector<prometheus::MetricFamily> LiveBoard::families() const {
  std::vector<prometheus::MetricFamily> out(2);
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
  return out;
}

}  // namespace ccpulse
