// The direct text exposition (QueueExposition, appendFamilies, appendNumber) against the
// MetricFamily path it replaces on /metrics (MetricsExporter::collect() serialized by
// prometheus-cpp's TextSerializer): byte for byte, for every scope.
#include <gtest/gtest.h>

#include <prometheus/text_serializer.h>

#include <cmath>
#include <limits>
#include <random>
#include <sstream>

#include "../support/test_support.hpp"
#include "ccpulse/config/loader.hpp"
#include "ccpulse/export/metrics_exporter.hpp"
#include "ccpulse/export/scoped_metrics.hpp"
#include "ccpulse/export/text_format.hpp"
#include "ccpulse/replay/replayer.hpp"

namespace ccpulse {
namespace {

std::string serialize(const std::vector<prometheus::MetricFamily>& families) {
  std::ostringstream os;
  prometheus::TextSerializer().Serialize(os, families);
  return os.str();
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    out.push_back(line);
  }
  return out;
}

/// Equal texts; on a difference, the first differing line (96 MB-sized diffs are useless).
void expectSameText(const std::string& actual, const std::string& expected) {
  if (actual == expected) {
    return;
  }
  const auto a = lines(actual);
  const auto e = lines(expected);
  for (std::size_t i = 0; i < std::max(a.size(), e.size()); ++i) {
    const std::string al = i < a.size() ? a[i] : "<end>";
    const std::string el = i < e.size() ? e[i] : "<end>";
    if (al != el) {
      ADD_FAILURE() << "line " << i + 1 << " differs:\n  direct:    " << al << "\n  reference: " << el;
      return;
    }
  }
  ADD_FAILURE() << "texts differ (line endings?)";
}

TEST(TextFormat, NumbersAsPrometheusCppWritesThem) {
  std::vector<double> values = {0.0,
                                -0.0,
                                1.0,
                                -1.0,
                                0.1,
                                1.0 / 3,
                                2.0 / 3,
                                1e-9,
                                123456789012.5,
                                999999999999999.0,
                                1e15,
                                1e16,
                                12345678901234567.0,
                                1e20,
                                -2.5,
                                5e-324,
                                1e300,
                                0.005,
                                0.000123456789,
                                std::numeric_limits<double>::max(),
                                std::numeric_limits<double>::quiet_NaN(),
                                std::numeric_limits<double>::infinity(),
                                -std::numeric_limits<double>::infinity()};
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> mantissa(-10, 10);
  std::uniform_int_distribution<int> exponent(-30, 30);
  std::uniform_int_distribution<std::int64_t> integer(0, 1'000'000'000'000LL);
  for (int i = 0; i < 20'000; ++i) {
    values.push_back(mantissa(rng) * std::pow(10.0, exponent(rng)));
    values.push_back(static_cast<double>(integer(rng)));
    values.push_back(static_cast<double>(integer(rng)) / 1000.0);
  }
  prometheus::MetricFamily f;
  f.name = "x";
  f.type = prometheus::MetricType::Gauge;
  std::string direct = "# TYPE x gauge\n";
  for (const double v : values) {
    prometheus::ClientMetric m;
    m.gauge.value = v;
    f.metric.push_back(m);
    direct += "x ";
    appendNumber(direct, v);
    direct += '\n';
  }
  expectSameText(direct, serialize({f}));
}

TEST(TextFormat, AppendFamiliesEqualsTextSerializer) {
  using prometheus::MetricType;
  std::vector<prometheus::MetricFamily> families(4);
  families[0].name = "c_total";
  families[0].help = "A counter.";
  families[0].type = MetricType::Counter;
  prometheus::ClientMetric m;
  m.label = {{"tenant", "a\"b\\c\nd"}, {"empty", ""}};
  m.counter.value = 3;
  families[0].metric.push_back(m);
  m.timestamp_ms = 1234;
  m.counter.value = 0.25;
  families[0].metric.push_back(m);
  families[1].name = "h_seconds";  // no HELP; a histogram without a +Inf bucket gets one
  families[1].type = MetricType::Histogram;
  prometheus::ClientMetric h;
  h.label = {{"shard", "0"}};
  h.histogram.sample_count = 7;
  h.histogram.sample_sum = 1.5;
  h.histogram.bucket = {{2, 0.001}, {5, 2.5}};
  families[1].metric.push_back(h);
  h.histogram.bucket.push_back({7, std::numeric_limits<double>::infinity()});
  families[1].metric.push_back(h);
  families[2].name = "s";
  families[2].help = "A summary.";
  families[2].type = MetricType::Summary;
  prometheus::ClientMetric s;
  s.summary.sample_count = 2;
  s.summary.sample_sum = 0.3;
  s.summary.quantile = {{0.5, 0.1}, {0.99, 0.2}};
  families[2].metric.push_back(s);
  families[3].name = "u";
  families[3].help = "Untyped.";
  families[3].type = MetricType::Untyped;
  prometheus::ClientMetric u;
  u.untyped.value = -1;
  families[3].metric.push_back(u);
  std::string direct;
  appendFamilies(direct, families);
  expectSameText(direct, serialize(families));
}

std::shared_ptr<const Config> configWith(const std::string& extra) {
  const auto loaded =
      loadConfigString("sources:\n  - name: acd\n    endpoint: tcp://127.0.0.1:5555\n" + extra, "test.yaml");
  if (!loaded.ok()) {
    ADD_FAILURE() << loaded.errors.front().format();
  }
  return loaded.config;
}

/// One contact event; `tenant`, `vendor` and `queue` are JSON string bodies (already escaped).
std::string ev(const std::string& type, int t, const std::string& contact, const std::string& tenant,
               const std::string& vendor, const std::string& queue, const std::string& extra = "") {
  return R"({"type":")" + type + R"(","ts":)" + std::to_string(1'795'000'000'000LL + t * 1000LL) + R"(,"tenant":")" +
         tenant + R"(","vendor":")" + vendor + R"(","queue":")" + queue + R"(","contact":")" + contact + "\"" + extra +
         "}";
}

TEST(QueueExposition, SameSeriesAsTheMetricFamilyPathWithEscapingAndOverflowMerges) {
  // 4 shards and 2 label sets per tenant: the queues past the budget fold into "_other" in
  // whichever shard they route to, so one (tenant, vendor, channel) has "_other" series in
  // several shards, which the exposition merges. Tenant, vendor and queue names carry a quote,
  // a backslash and a line feed (JSON-escaped here), which the exposition must escape.
  const auto config = configWith("engine:\n  shards: 4\n  max_series_per_tenant: 2\n");
  Replayer r(*config);
  const std::vector<std::string> tenants = {R"(t\"1)", R"(t\\2)", "plain"};
  const std::vector<std::string> vendors = {R"(v\n\"x)", ""};
  int contact = 0;
  for (const auto& tenant : tenants) {
    for (const auto& vendor : vendors) {
      for (int q = 0; q < 8; ++q) {
        const std::string queue = "q" + std::to_string(q) + (q % 3 == 0 ? R"(\\\"\n)" : "");
        const std::string channel = q % 2 == 0 ? "" : R"(,"channel":"chat")";
        for (int k = 0; k < 4; ++k) {
          const std::string c = "c" + std::to_string(++contact);
          const int t0 = contact % 600;
          r.feed(ev("contact.queued", t0, c, tenant, vendor, queue, channel));
          switch ((q + k) % 4) {
            case 0:
              r.feed(ev("contact.answered", t0 + 5 + k * 7, c, tenant, vendor, queue, channel));
              r.feed(ev("contact.ended", t0 + 100, c, tenant, vendor, queue, channel));
              r.feed(ev("contact.wrapped", t0 + 130, c, tenant, vendor, queue, channel));
              r.feed(ev("survey.result", t0 + 140, c, tenant, vendor, queue, channel + R"(,"csat":4)"));
              break;
            case 1:
              r.feed(ev("contact.abandoned", t0 + 3 + k * 11, c, tenant, vendor, queue, channel));
              break;
            case 2:
              r.feed(ev("contact.dequeued", t0 + 9, c, tenant, vendor, queue, channel));
              break;
            default:
              break;  // still waiting
          }
        }
      }
    }
  }
  r.publish();
  const Engine& engine = r.engine();

  // The workload must contain what the test is about, or it proves nothing.
  std::map<std::tuple<std::string, std::string, Channel>, int> overflowShards;
  bool escaped = false;
  std::size_t series = 0;
  for (std::size_t s = 0; s < engine.shardCount(); ++s) {
    const auto& list = engine.shard(s).queueSeries();
    for (std::size_t i = 0; i < list.size(); ++i) {
      const QueueSeries& q = list.at(i);
      ++series;
      escaped = escaped || q.tenant.find_first_of("\"\\\n") != std::string::npos ||
                q.queue.find_first_of("\"\\\n") != std::string::npos;
      if (q.queue == "_other") {
        ++overflowShards[{q.tenant, q.vendor, q.channel}];
      }
    }
  }
  int merged = 0;
  for (const auto& [key, shards] : overflowShards) {
    merged += shards > 1 ? 1 : 0;
  }
  ASSERT_TRUE(escaped);
  ASSERT_GE(merged, 2) << "no (tenant, vendor, channel) has \"_other\" in several shards";
  ASSERT_GE(series, 20U);

  ProcessStats process;
  const MetricsExporter exporter(engine, {}, process);
  const std::string reference = serialize(exporter.collect());
  const std::string direct = exporter.render();
  expectSameText(direct, reference);
  // Series for series, too (the texts could only be equal with the same samples, but this
  // names the sample that differs).
  const auto a = test::parsePrometheusText(direct);
  const auto e = test::parsePrometheusText(reference);
  ASSERT_EQ(a.size(), e.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].name, e[i].name);
    EXPECT_EQ(a[i].labels, e[i].labels);
    EXPECT_TRUE(a[i].value == e[i].value || (std::isnan(a[i].value) && std::isnan(e[i].value))) << a[i].name;
  }
  EXPECT_NE(reference.find(R"(tenant="t\"1")"), std::string::npos);
  EXPECT_NE(reference.find(R"(vendor="v\n\"x")"), std::string::npos);

  // Scoped callers: the same filter as renderScoped on the model.
  for (const Scope& scope : {Scope{Scope::Kind::kTenant, "t\"1", ""}, Scope{Scope::Kind::kTenant, "t\\2", ""},
                             Scope{Scope::Kind::kVendor, "v\n\"x", ""}, Scope{Scope::Kind::kVendor, "", ""},
                             Scope{Scope::Kind::kTenant, "nobody", ""}, Scope{Scope::Kind::kPrometheus, "", ""}}) {
    std::string scoped;
    exporter.renderTo(scoped, scope);
    SCOPED_TRACE(scope.describe());
    expectSameText(scoped, renderScoped(exporter.collect(), scope));
  }
}

}  // namespace
}  // namespace ccpulse
