#include "ccpulse/export/text_format.hpp"

#include <charconv>
#include <cmath>
#include <limits>

namespace ccpulse {

void appendNumber(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "Nan";
    return;
  }
  if (std::isinf(value)) {
    out += value < 0 ? "-Inf" : "+Inf";
    return;
  }
  char buf[32];
  std::to_chars_result r;
  // Integral values below 1e15 print as "%.16g" prints them (all digits, no exponent); the
  // integer conversion is several times cheaper, and counters are mostly integers. -0 keeps
  // its sign through the general path.
  if (value == std::trunc(value) && std::fabs(value) < 1e15 && !(value == 0 && std::signbit(value))) {
    r = std::to_chars(buf, buf + sizeof buf, static_cast<std::int64_t>(value));
  } else {
    r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::general, 16);
  }
  out.append(buf, r.ptr);
}

void appendNumber(std::string& out, std::uint64_t value) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, r.ptr);
}

void appendEscaped(std::string& out, std::string_view value) {
  std::size_t from = 0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c == '\\' || c == '"' || c == '\n') {
      out.append(value.data() + from, i - from);
      out += '\\';
      out += c == '\n' ? 'n' : c;
      from = i + 1;
    }
  }
  out.append(value.data() + from, value.size() - from);
}

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;

void head(std::string& out, const MetricFamily& f, const ClientMetric& m, std::string_view suffix = {},
          std::string_view extraName = {}, std::string_view extraValue = {}) {
  out += f.name;
  out += suffix;
  if (!m.label.empty() || !extraName.empty()) {
    out += '{';
    const char* sep = "";
    for (const auto& l : m.label) {
      out += sep;
      out += l.name;
      out += "=\"";
      appendEscaped(out, l.value);
      out += '"';
      sep = ",";
    }
    if (!extraName.empty()) {
      out += sep;
      out += extraName;
      out += "=\"";
      out += extraValue;  // a formatted number: nothing to escape
      out += '"';
    }
    out += '}';
  }
  out += ' ';
}

void tail(std::string& out, const ClientMetric& m) {
  if (m.timestamp_ms != 0) {
    out += ' ';
    out += std::to_string(m.timestamp_ms);
  }
  out += '\n';
}

std::string numberText(double v) {
  std::string s;
  appendNumber(s, v);
  return s;
}

}  // namespace

void appendFamilies(std::string& out, const std::vector<MetricFamily>& families) {
  using prometheus::MetricType;
  for (const MetricFamily& f : families) {
    if (!f.help.empty()) {
      out += "# HELP ";
      out += f.name;
      out += ' ';
      out += f.help;
      out += '\n';
    }
    out += "# TYPE ";
    out += f.name;
    switch (f.type) {
      case MetricType::Counter:
        out += " counter\n";
        break;
      case MetricType::Gauge:
        out += " gauge\n";
        break;
      case MetricType::Summary:
        out += " summary\n";
        break;
      case MetricType::Untyped:
        out += " untyped\n";
        break;
      case MetricType::Histogram:
        out += " histogram\n";
        break;
    }
    for (const ClientMetric& m : f.metric) {
      switch (f.type) {
        case MetricType::Counter:
          head(out, f, m);
          appendNumber(out, m.counter.value);
          tail(out, m);
          break;
        case MetricType::Gauge:
          head(out, f, m);
          appendNumber(out, m.gauge.value);
          tail(out, m);
          break;
        case MetricType::Untyped:
          head(out, f, m);
          appendNumber(out, m.untyped.value);
          tail(out, m);
          break;
        case MetricType::Summary:
          head(out, f, m, "_count");
          appendNumber(out, m.summary.sample_count);
          tail(out, m);
          head(out, f, m, "_sum");
          appendNumber(out, m.summary.sample_sum);
          tail(out, m);
          for (const auto& q : m.summary.quantile) {
            head(out, f, m, "", "quantile", numberText(q.quantile));
            appendNumber(out, q.value);
            tail(out, m);
          }
          break;
        case MetricType::Histogram: {
          head(out, f, m, "_count");
          appendNumber(out, m.histogram.sample_count);
          tail(out, m);
          head(out, f, m, "_sum");
          appendNumber(out, m.histogram.sample_sum);
          tail(out, m);
          double last = -std::numeric_limits<double>::infinity();
          for (const auto& b : m.histogram.bucket) {
            head(out, f, m, "_bucket", "le", numberText(b.upper_bound));
            last = b.upper_bound;
            appendNumber(out, b.cumulative_count);
            tail(out, m);
          }
          if (last != std::numeric_limits<double>::infinity()) {
            head(out, f, m, "_bucket", "le", "+Inf");
            appendNumber(out, m.histogram.sample_count);
            tail(out, m);
          }
          break;
        }
      }
    }
  }
}

}  // namespace ccpulse
