#include "ccpulse/history/interval_store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "ccpulse/common/csv.hpp"
#include "ccpulse/decode/json_decoder.hpp"
#include "ccpulse/engine/engine.hpp"
#include "ccpulse/engine/series.hpp"

namespace ccpulse {
namespace {

void appendJsonString(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

std::string number(double v) {
  if (std::isnan(v) || std::isinf(v)) {
    return "null";
  }
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc{} ? std::string(buf, end) : "null";
}

std::string optionalNumber(const std::optional<double>& v) { return v ? number(*v) : "null"; }

std::string percentDecode(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] == '%' && i + 2 < in.size()) {
      int v = 0;
      const auto [p, ec] = std::from_chars(in.data() + i + 1, in.data() + i + 3, v, 16);
      if (ec == std::errc{} && p == in.data() + i + 3) {
        out += static_cast<char>(v);
        i += 2;
      } else {
        out += in[i];
      }
    } else {
      out += in[i];
    }
  }
  return out;
}

std::optional<std::int64_t> parseTime(const std::string& text) {
  std::int64_t us = 0;
  if (parseRfc3339(text, us)) {
    return us;
  }
  std::int64_t ms = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
  if (ec == std::errc{} && p == text.data() + text.size()) {
    return ms * 1000;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> parseIntervalQuery(std::string_view queryString, IntervalQuery& out) {
  std::size_t pos = 0;
  while (pos <= queryString.size() && !queryString.empty()) {
    const std::size_t amp = queryString.find('&', pos);
    const std::string_view pair = queryString.substr(pos, amp == std::string_view::npos ? amp : amp - pos);
    if (!pair.empty()) {
      const std::size_t eq = pair.find('=');
      const std::string key = percentDecode(pair.substr(0, eq));
      const std::string value = eq == std::string_view::npos ? "" : percentDecode(pair.substr(eq + 1));
      if (key == "tenant") {
        out.tenant = value;
      } else if (key == "vendor") {
        out.vendor = value;
      } else if (key == "queue") {
        out.queue = value;
      } else if (key == "channel") {
        out.channel = value;
      } else if (key == "from" || key == "to") {
        const auto t = parseTime(value);
        if (!t) {
          return "parameter '" + key + "': expected RFC 3339 or epoch milliseconds, got '" + value + "'";
        }
        (key == "from" ? out.fromUs : out.toUs) = *t;
      } else if (key == "kind") {
        if (value == "interval") {
          out.kind = PeriodKind::kInterval;
        } else if (value == "day") {
          out.kind = PeriodKind::kDay;
        } else {
          return "parameter 'kind': expected interval or day, got '" + value + "'";
        }
      } else {
        return "unknown parameter '" + key + "' (known: tenant, vendor, queue, channel, from, to, kind)";
      }
    }
    if (amp == std::string_view::npos) {
      break;
    }
    pos = amp + 1;
  }
  return std::nullopt;
}

IntervalStore::IntervalStore(std::int64_t historyUs, bool logEach) : historyUs_(historyUs), logEach_(logEach) {}

void IntervalStore::add(const ClosedPeriod& period) {
  if (logEach_) {
    spdlog::info("{} closed {}", toString(period.kind), toJson(period));
  }
  periods_.push_back(period);
}

std::size_t IntervalStore::drain(Engine& engine) {
  // Staffed agent-time intervals are not kept here (contracts and history take them in App):
  // drained and dropped so that their ring does not overflow.
  drainClosedAgentIntervals(engine, [](const ClosedAgentInterval&) {});
  return drainClosedPeriods(engine, [this](const ClosedPeriod& p) { add(p); });
}

void IntervalStore::prune(std::int64_t nowUs) {
  // Arrival order is close order, which follows end times closely enough to prune from the front.
  while (!periods_.empty() && periods_.front().endUs < nowUs - historyUs_) {
    periods_.pop_front();
  }
}

std::vector<ClosedPeriod> IntervalStore::query(const IntervalQuery& q) const {
  std::vector<ClosedPeriod> out;
  for (const ClosedPeriod& p : periods_) {
    const QueueSeries& s = *p.series;
    if (p.kind != q.kind || p.startUs < q.fromUs || p.startUs >= q.toUs || (q.tenant && s.tenant != *q.tenant) ||
        (q.vendor && s.vendor != *q.vendor) || (q.queue && s.queue != *q.queue) ||
        (q.channel && toString(s.channel) != *q.channel)) {
      continue;
    }
    out.push_back(p);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const ClosedPeriod& a, const ClosedPeriod& b) { return a.startUs < b.startUs; });
  return out;
}

std::string IntervalStore::queryJson(const IntervalQuery& q) const {
  std::string out = "{\"kind\":\"" + std::string(toString(q.kind)) + "\",\"periods\":[";
  bool first = true;
  for (const ClosedPeriod& p : query(q)) {
    out += first ? "" : ",";
    out += toJson(p);
    first = false;
  }
  return out + "]}\n";
}

std::string IntervalStore::toJson(const ClosedPeriod& p) {
  const QueueSeries& s = *p.series;
  const OutcomeCounts& c = p.counts;
  std::string out = "{\"tenant\":";
  appendJsonString(out, s.tenant);
  out += ",\"vendor\":";
  appendJsonString(out, s.vendor);
  out += ",\"queue\":";
  appendJsonString(out, s.queue);
  out += ",\"channel\":\"" + std::string(toString(s.channel)) + "\"";
  out += ",\"start\":\"" + s.zone->formatLocal(p.startUs) + "\",\"end\":\"" + s.zone->formatLocal(p.endUs) + "\"";
  out += ",\"offered\":" + std::to_string(c.offered) + ",\"answered\":" + std::to_string(c.answered) +
         ",\"answered_in_threshold\":" + std::to_string(c.answeredInThreshold) +
         ",\"abandoned\":" + std::to_string(c.abandoned) +
         ",\"abandoned_in_threshold\":" + std::to_string(c.abandonedInThreshold) +
         ",\"abandoned_short\":" + std::to_string(c.abandonedShort) + ",\"dequeued\":" + std::to_string(c.dequeued) +
         ",\"handled\":" + std::to_string(c.handled) + ",\"transferred\":" + std::to_string(c.transferred);
  out += ",\"wait_seconds\":" + number(c.waitSecondsAnswered) + ",\"handle_seconds\":" + number(c.handleSeconds);
  out += ",\"service_level\":" + optionalNumber(computeServiceLevel(p.formula, p.dequeuedCountsAsMiss, c)) +
         ",\"asa_seconds\":" + optionalNumber(computeAsa(c)) + ",\"aht_seconds\":" + optionalNumber(computeAht(c)) +
         ",\"abandon_rate\":" + optionalNumber(computeAbandonRate(c));
  out += ",\"target\":" + number(p.target) + ",\"threshold_seconds\":" + number(p.thresholdSeconds) +
         ",\"formula\":\"" + std::string(toString(p.formula)) + "\"}";
  return out;
}

std::string IntervalStore::csvHeader() {
  return "kind,tenant,vendor,queue,channel,start,end,offered,answered,answered_in_threshold,abandoned,"
         "abandoned_in_threshold,abandoned_short,dequeued,handled,transferred,wait_seconds,handle_seconds,"
         "service_level,asa_seconds,aht_seconds,abandon_rate,target,threshold_seconds,formula\n";
}

std::string IntervalStore::toCsv(const ClosedPeriod& p) {
  const QueueSeries& s = *p.series;
  const OutcomeCounts& c = p.counts;
  const auto opt = [](const std::optional<double>& v) { return v ? number(*v) : std::string(); };
  std::string out = std::string(toString(p.kind)) + "," + csvField(s.tenant) + "," + csvField(s.vendor) + "," +
                    csvField(s.queue) + "," + std::string(toString(s.channel)) + "," + s.zone->formatLocal(p.startUs) +
                    "," + s.zone->formatLocal(p.endUs);
  for (const std::uint64_t v : {c.offered, c.answered, c.answeredInThreshold, c.abandoned, c.abandonedInThreshold,
                                c.abandonedShort, c.dequeued, c.handled, c.transferred}) {
    out += "," + std::to_string(v);
  }
  out += "," + number(c.waitSecondsAnswered) + "," + number(c.handleSeconds) + "," +
         opt(computeServiceLevel(p.formula, p.dequeuedCountsAsMiss, c)) + "," + opt(computeAsa(c)) + "," +
         opt(computeAht(c)) + "," + opt(computeAbandonRate(c)) + "," + number(p.target) + "," +
         number(p.thresholdSeconds) + "," + std::string(toString(p.formula)) + "\n";
  return out;
}

}  // namespace ccpulse
