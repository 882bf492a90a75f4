#include "ccpulse/config/loader.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ccpulse/config/config.hpp"

namespace ccpulse {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr const char* kFile = "test.yaml";

ConfigLoadResult load(const std::string& text) { return loadConfigString(text, kFile); }

std::string dump(const ConfigLoadResult& result) {
  std::string out;
  for (const ConfigError& err : result.errors) {
    out += "  " + err.format() + "\n";
  }
  return out.empty() ? "  (no errors)\n" : out;
}

/// Asserts that exactly one error has this key path, at this line, and mentions `fragment`.
void expectError(const ConfigLoadResult& result, const std::string& keyPath, int line, const std::string& fragment) {
  int found = 0;
  for (const ConfigError& err : result.errors) {
    if (err.keyPath == keyPath) {
      ++found;
      EXPECT_EQ(err.line, line) << "key " << keyPath << "\n" << dump(result);
      EXPECT_EQ(err.file, kFile);
      EXPECT_NE(err.message.find(fragment), std::string::npos)
          << "key " << keyPath << ": expected '" << fragment << "' in '" << err.message << "'";
    }
  }
  EXPECT_EQ(found, 1) << "errors for " << keyPath << ":\n" << dump(result);
}

const ConfigError* findError(const ConfigLoadResult& result, const std::string& keyPath) {
  for (const ConfigError& err : result.errors) {
    if (err.keyPath == keyPath) {
      return &err;
    }
  }
  return nullptr;
}

constexpr const char* kMinimal = "sources:\n  - name: acd\n    endpoint: tcp://127.0.0.1:5555\n";

// A source list plus one extra section: line 1-3 are the source, `extra` starts at line 4.
ConfigLoadResult loadWith(const std::string& extra) { return load(std::string(kMinimal) + extra); }

// ---- valid configs ------------------------------------------------------------------------

TEST(ConfigLoader, MinimalConfigGetsEveryDefault) {
  const ConfigLoadResult result = load(kMinimal);
  ASSERT_TRUE(result.ok()) << dump(result);
  const Config& c = *result.config;
  EXPECT_EQ(c.filePath, kFile);

  EXPECT_EQ(c.http.listenHost, "127.0.0.1");
  EXPECT_EQ(c.http.listenPort, 9464);

  ASSERT_EQ(c.sources.size(), 1U);
  const SourceSettings& s = c.sources[0];
  EXPECT_EQ(s.name, "acd");
  EXPECT_EQ(s.endpoint, "tcp://127.0.0.1:5555");
  EXPECT_EQ(s.socket, SocketKind::kPull);
  EXPECT_TRUE(s.bind);
  EXPECT_TRUE(s.subscribe.empty());
  EXPECT_EQ(s.format, SourceFormat::kJson);
  EXPECT_EQ(s.maxFrameBytes, 1048576U);
  EXPECT_EQ(s.receiveHighWaterMark, 100000);

  const ServiceLevelPolicy& p = c.serviceLevel.defaults;
  EXPECT_EQ(p.threshold, seconds(20));
  EXPECT_DOUBLE_EQ(p.target, 0.80);
  EXPECT_EQ(p.shortAbandon, seconds(5));
  EXPECT_EQ(p.formula, ServiceLevelFormula::kAbandonsMiss);
  EXPECT_TRUE(p.dequeuedCountsAsMiss);
  EXPECT_TRUE(c.serviceLevel.overrides.empty());

  const EngineSettings& e = c.engine;
  EXPECT_EQ(e.shards, 2U);
  EXPECT_EQ(e.ringCapacity, 8192U);
  EXPECT_EQ(e.backpressureTimeout, milliseconds(5));
  EXPECT_EQ(e.windows, (std::vector<Micros>{minutes(15), hours(1)}));
  EXPECT_EQ(e.windowBucket, minutes(1));
  EXPECT_EQ(e.publishInterval, seconds(1));
  EXPECT_EQ(e.maxContactsInFlight, 200000U);
  EXPECT_EQ(e.contactMaxAge, hours(24));
  EXPECT_EQ(e.maxSeriesPerShard, 20000U);
  EXPECT_EQ(e.maxAgentsPerShard, 50000U);
  EXPECT_EQ(e.dedupWindow, 65536U);
  EXPECT_EQ(e.clock, ClockMode::kSystem);
  EXPECT_EQ(e.auxReasons, (std::vector<std::string>{"break", "lunch", "training", "meeting", "coaching"}));

  EXPECT_EQ(c.logging.level, "info");
}

TEST(ConfigLoader, EmptySectionsMeanDefaults) {
  const ConfigLoadResult result = loadWith("http:\nservice_level:\nengine:\nlogging:\n");
  ASSERT_TRUE(result.ok()) << dump(result);
  EXPECT_EQ(result.config->http.listenPort, 9464);
  EXPECT_EQ(result.config->engine.shards, 2U);
}

constexpr const char* kFull = R"(http:
  listen: "[::1]:0"
sources:
  - name: acd.main-1
    endpoint: tcp://*:6000
    socket: sub
    bind: true
    subscribe: [tenant-a, "tenant-b"]
    format: json
    max_frame_bytes: 65536
    receive_hwm: 0
  - name: chat
    endpoint: ipc:///run/ccpulse/chat.sock
    bind: false
  - name: test
    endpoint: inproc://test
service_level:
  overrides:
    - match: {tenant: acme, vendor: v1, queue: q, channel: chat}
      threshold: 60s
    - match: {channel: email}
      target: 0.5
      formula: answered
      dequeued_counts_as_miss: false
      short_abandon: 0s
  threshold: 30s
  target: 0.9
  short_abandon: 10s
  formula: exclude_short_abandons
  dequeued_counts_as_miss: false
engine:
  shards: 8
  ring_capacity: 16384
  backpressure_timeout: 0ms
  windows: [5m, 30m, 1d]
  window_bucket: 5m
  publish_interval: 250ms
  max_contacts_in_flight: 1000
  contact_max_age: 2h
  max_series_per_shard: 300
  max_agents_per_shard: 400
  dedup_window: 1
  clock: event
  aux_reasons: [break, "Team Meeting"]
logging:
  level: debug
)";

TEST(ConfigLoader, FullConfigSetsEveryField) {
  const ConfigLoadResult result = load(kFull);
  ASSERT_TRUE(result.ok()) << dump(result);
  const Config& c = *result.config;

  EXPECT_EQ(c.http.listenHost, "::1");
  EXPECT_EQ(c.http.listenPort, 0);

  ASSERT_EQ(c.sources.size(), 3U);
  const SourceSettings& a = c.sources[0];
  EXPECT_EQ(a.name, "acd.main-1");
  EXPECT_EQ(a.endpoint, "tcp://*:6000");
  EXPECT_EQ(a.socket, SocketKind::kSub);
  EXPECT_TRUE(a.bind);
  EXPECT_EQ(a.subscribe, (std::vector<std::string>{"tenant-a", "tenant-b"}));
  EXPECT_EQ(a.format, SourceFormat::kJson);
  EXPECT_EQ(a.maxFrameBytes, 65536U);
  EXPECT_EQ(a.receiveHighWaterMark, 0);
  EXPECT_EQ(c.sources[1].name, "chat");
  EXPECT_EQ(c.sources[1].endpoint, "ipc:///run/ccpulse/chat.sock");
  EXPECT_FALSE(c.sources[1].bind);
  EXPECT_EQ(c.sources[1].socket, SocketKind::kPull);
  EXPECT_EQ(c.sources[2].endpoint, "inproc://test");

  const ServiceLevelPolicy& d = c.serviceLevel.defaults;
  EXPECT_EQ(d.threshold, seconds(30));
  EXPECT_DOUBLE_EQ(d.target, 0.9);
  EXPECT_EQ(d.shortAbandon, seconds(10));
  EXPECT_EQ(d.formula, ServiceLevelFormula::kExcludeShortAbandons);
  EXPECT_FALSE(d.dequeuedCountsAsMiss);

  ASSERT_EQ(c.serviceLevel.overrides.size(), 2U);
  const ServiceLevelOverride& o0 = c.serviceLevel.overrides[0];
  EXPECT_EQ(o0.match.tenant, "acme");
  EXPECT_EQ(o0.match.vendor, "v1");
  EXPECT_EQ(o0.match.queue, "q");
  EXPECT_EQ(o0.match.channel, Channel::kChat);
  EXPECT_EQ(o0.policy.threshold, seconds(60));
  // Overrides come before the defaults in the file but still inherit them.
  EXPECT_DOUBLE_EQ(o0.policy.target, 0.9);
  EXPECT_EQ(o0.policy.shortAbandon, seconds(10));
  EXPECT_EQ(o0.policy.formula, ServiceLevelFormula::kExcludeShortAbandons);
  EXPECT_FALSE(o0.policy.dequeuedCountsAsMiss);

  const ServiceLevelOverride& o1 = c.serviceLevel.overrides[1];
  EXPECT_FALSE(o1.match.tenant.has_value());
  EXPECT_FALSE(o1.match.vendor.has_value());
  EXPECT_FALSE(o1.match.queue.has_value());
  EXPECT_EQ(o1.match.channel, Channel::kEmail);
  EXPECT_EQ(o1.policy.threshold, seconds(30));
  EXPECT_DOUBLE_EQ(o1.policy.target, 0.5);
  EXPECT_EQ(o1.policy.shortAbandon, seconds(0));
  EXPECT_EQ(o1.policy.formula, ServiceLevelFormula::kAnswered);
  EXPECT_FALSE(o1.policy.dequeuedCountsAsMiss);

  const EngineSettings& e = c.engine;
  EXPECT_EQ(e.shards, 8U);
  EXPECT_EQ(e.ringCapacity, 16384U);
  EXPECT_EQ(e.backpressureTimeout, milliseconds(0));
  EXPECT_EQ(e.windows, (std::vector<Micros>{minutes(5), minutes(30), hours(24)}));
  EXPECT_EQ(e.windowBucket, minutes(5));
  EXPECT_EQ(e.publishInterval, milliseconds(250));
  EXPECT_EQ(e.maxContactsInFlight, 1000U);
  EXPECT_EQ(e.contactMaxAge, hours(2));
  EXPECT_EQ(e.maxSeriesPerShard, 300U);
  EXPECT_EQ(e.maxAgentsPerShard, 400U);
  EXPECT_EQ(e.dedupWindow, 1U);
  EXPECT_EQ(e.clock, ClockMode::kEvent);
  EXPECT_EQ(e.auxReasons, (std::vector<std::string>{"break", "Team Meeting"}));

  EXPECT_EQ(c.logging.level, "debug");
}

TEST(ConfigLoader, ListenAddressForms) {
  const auto listen = [](const std::string& value) { return loadWith("http:\n  listen: \"" + value + "\"\n"); };
  const ConfigLoadResult v4 = listen("0.0.0.0:80");
  ASSERT_TRUE(v4.ok()) << dump(v4);
  EXPECT_EQ(v4.config->http.listenHost, "0.0.0.0");
  EXPECT_EQ(v4.config->http.listenPort, 80);
  const ConfigLoadResult name = listen("localhost:65535");
  ASSERT_TRUE(name.ok()) << dump(name);
  EXPECT_EQ(name.config->http.listenHost, "localhost");
  EXPECT_EQ(name.config->http.listenPort, 65535);
  const ConfigLoadResult any6 = listen("[::]:9464");
  ASSERT_TRUE(any6.ok()) << dump(any6);
  EXPECT_EQ(any6.config->http.listenHost, "::");

  expectError(listen("127.0.0.1"), "http.listen", 5, "missing ':port'");
  expectError(listen("127.0.0.1:65536"), "http.listen", 5, "port must be an integer 0..65535");
  expectError(listen("127.0.0.1:http"), "http.listen", 5, "port must be an integer");
  expectError(listen(":9464"), "http.listen", 5, "empty host");
  expectError(listen("::1:9464"), "http.listen", 5, "IPv6 addresses must be in brackets");
  expectError(listen("[::1:9464"), "http.listen", 5, "missing ']'");
  expectError(listen("[::1]9464"), "http.listen", 5, "missing ':port' after ']'");
  expectError(listen(""), "http.listen", 5, "must not be empty");
}

TEST(ConfigLoader, LoadsFromFileAndRecordsPath) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("ccpulse_config_test_" + std::to_string(::getpid()) + ".yaml");
  {
    std::ofstream out(path);
    out << kMinimal;
  }
  const ConfigLoadResult result = loadConfigFile(path.string());
  std::filesystem::remove(path);
  ASSERT_TRUE(result.ok()) << dump(result);
  EXPECT_EQ(result.config->filePath, path.string());
}

TEST(ConfigLoader, ShippedConfigLoadsCleanly) {
  const std::string path = std::string(CCPULSE_SOURCE_DIR) + "/config/ccpulse.yaml";
  const ConfigLoadResult result = loadConfigFile(path);
  ASSERT_TRUE(result.ok()) << dump(result);
  const Config& c = *result.config;
  // The quick start: ccpulse-sim pushes to this endpoint.
  ASSERT_EQ(c.sources.size(), 1U);
  EXPECT_EQ(c.sources[0].endpoint, "tcp://127.0.0.1:5555");
  EXPECT_EQ(c.sources[0].socket, SocketKind::kPull);
  EXPECT_TRUE(c.sources[0].bind);
  // The file documents the defaults, so apart from the source it must equal a default Config.
  const Config defaults;
  EXPECT_EQ(c.http.listenHost, defaults.http.listenHost);
  EXPECT_EQ(c.http.listenPort, defaults.http.listenPort);
  EXPECT_EQ(c.sources[0].maxFrameBytes, SourceSettings{}.maxFrameBytes);
  EXPECT_EQ(c.sources[0].receiveHighWaterMark, SourceSettings{}.receiveHighWaterMark);
  EXPECT_TRUE(c.sources[0].subscribe.empty());
  EXPECT_EQ(c.serviceLevel.defaults.threshold, defaults.serviceLevel.defaults.threshold);
  EXPECT_DOUBLE_EQ(c.serviceLevel.defaults.target, defaults.serviceLevel.defaults.target);
  EXPECT_EQ(c.serviceLevel.defaults.shortAbandon, defaults.serviceLevel.defaults.shortAbandon);
  EXPECT_EQ(c.serviceLevel.defaults.formula, defaults.serviceLevel.defaults.formula);
  EXPECT_EQ(c.serviceLevel.defaults.dequeuedCountsAsMiss, defaults.serviceLevel.defaults.dequeuedCountsAsMiss);
  EXPECT_TRUE(c.serviceLevel.overrides.empty());
  // A default Config has no sources; every http and engine value must match.
  EXPECT_EQ(restartRequiredChanges(c, defaults), std::vector<std::string>{"sources"});
  EXPECT_EQ(c.engine.auxReasons, defaults.engine.auxReasons);
  EXPECT_EQ(c.logging.level, defaults.logging.level);
}

// ---- syntax and file errors ---------------------------------------------------------------

TEST(ConfigLoader, MissingFileIsOneErrorNamingTheFile) {
  const ConfigLoadResult result = loadConfigFile("/nonexistent/dir/ccpulse.yaml");
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.config, nullptr);
  ASSERT_EQ(result.errors.size(), 1U);
  EXPECT_EQ(result.errors[0].file, "/nonexistent/dir/ccpulse.yaml");
  EXPECT_EQ(result.errors[0].line, 0);
  EXPECT_NE(result.errors[0].message.find("No such file"), std::string::npos) << result.errors[0].message;
  EXPECT_EQ(result.errors[0].format().rfind("/nonexistent/dir/ccpulse.yaml: ", 0), 0U) << result.errors[0].format();
}

TEST(ConfigLoader, DirectoryIsAnError) {
  const ConfigLoadResult result = loadConfigFile(std::filesystem::temp_directory_path().string());
  EXPECT_FALSE(result.ok());
  ASSERT_EQ(result.errors.size(), 1U) << dump(result);
}

TEST(ConfigLoader, SyntaxErrorHasLineAndColumn) {
  const ConfigLoadResult result = load("sources:\n  - name: acd\n    endpoint: [tcp://x:1\nengine:\n");
  EXPECT_FALSE(result.ok());
  ASSERT_EQ(result.errors.size(), 1U) << dump(result);
  // yaml-cpp notices the unclosed '[' at the ':' of the next key.
  EXPECT_EQ(result.errors[0].line, 4);
  EXPECT_EQ(result.errors[0].column, 7);
  EXPECT_EQ(result.errors[0].format(), "test.yaml:4:7: end of sequence flow not found");

  const ConfigLoadResult indent = load("sources:\n  - name: acd\n     endpoint: x\n");
  ASSERT_EQ(indent.errors.size(), 1U) << dump(indent);
  EXPECT_EQ(indent.errors[0].line, 3);
}

TEST(ConfigLoader, EmptyDocumentNeedsSources) {
  for (const char* text : {"", "# just a comment\n", "~\n"}) {
    const ConfigLoadResult result = load(text);
    ASSERT_EQ(result.errors.size(), 1U) << dump(result);
    EXPECT_EQ(result.errors[0].keyPath, "sources");
    EXPECT_NE(result.errors[0].message.find("at least one source"), std::string::npos);
  }
}

TEST(ConfigLoader, TopLevelMustBeAMap) {
  const ConfigLoadResult result = load("- a\n- b\n");
  ASSERT_EQ(result.errors.size(), 1U) << dump(result);
  EXPECT_EQ(result.errors[0].line, 1);
  EXPECT_NE(result.errors[0].message.find("top level must be a map"), std::string::npos);
}

TEST(ConfigLoader, MultipleDocumentsRejected) {
  const ConfigLoadResult result = load(std::string(kMinimal) + "---\nlogging:\n  level: debug\n");
  ASSERT_EQ(result.errors.size(), 1U) << dump(result);
  EXPECT_EQ(result.errors[0].line, 5);
  EXPECT_NE(result.errors[0].message.find("more than one YAML document"), std::string::npos);
}

TEST(ConfigLoader, FormatIsFileLineColumnPathMessage) {
  ConfigError err;
  err.file = "/etc/ccpulse.yaml";
  err.line = 12;
  err.column = 3;
  err.keyPath = "engine.shardz";
  err.message = "unknown key 'shardz'";
  EXPECT_EQ(err.format(), "/etc/ccpulse.yaml:12:3: engine.shardz: unknown key 'shardz'");
  err.column = 0;
  EXPECT_EQ(err.format(), "/etc/ccpulse.yaml:12: engine.shardz: unknown key 'shardz'");
  err.line = 0;
  err.keyPath.clear();
  EXPECT_EQ(err.format(), "/etc/ccpulse.yaml: unknown key 'shardz'");
}

// ---- unknown and duplicate keys -----------------------------------------------------------

TEST(ConfigLoader, UnknownKeysAtEveryLevel) {
  const ConfigLoadResult result = load(R"(sources:
  - name: acd
    endpoint: tcp://127.0.0.1:5555
  - name: b
    endpont: tcp://127.0.0.1:5556
    endpoint: tcp://127.0.0.1:5557
htp:
  listen: 1.2.3.4:1
http:
  port: 1
service_level:
  treshold: 10s
  overrides:
    - match: {tenant: a, queu: q}
      target: 0.5
      colour: red
engine:
  shardz: 4
logging:
  level: info
  maxFrameBytes: 3
)");
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.errors.size(), 8U) << dump(result);
  expectError(result, "sources[1].endpont", 5, "unknown key 'endpont' (did you mean 'endpoint'?)");
  expectError(result, "htp", 7, "unknown key 'htp' (did you mean 'http'?)");
  expectError(result, "http.port", 10, "unknown key 'port'");
  expectError(result, "service_level.treshold", 12, "did you mean 'threshold'?");
  expectError(result, "service_level.overrides[0].match.queu", 14, "did you mean 'queue'?");
  expectError(result, "service_level.overrides[0].colour", 16, "unknown key 'colour'");
  expectError(result, "engine.shardz", 18, "unknown key 'shardz' (did you mean 'shards'?)");
  // Not a near miss, so no suggestion; but the column is exact.
  const ConfigError* port = findError(result, "http.port");
  ASSERT_NE(port, nullptr);
  EXPECT_EQ(port->message, "unknown key 'port'");
  EXPECT_EQ(port->column, 3);
  EXPECT_EQ(port->format(), "test.yaml:10:3: http.port: unknown key 'port'");
  // Known elsewhere but not under logging, and not close to 'level': no suggestion.
  expectError(result, "logging.maxFrameBytes", 21, "unknown key 'maxFrameBytes'");
  const ConfigError* misplaced = findError(result, "logging.maxFrameBytes");
  ASSERT_NE(misplaced, nullptr);
  EXPECT_EQ(misplaced->message.find("did you mean"), std::string::npos) << misplaced->message;
}

TEST(ConfigLoader, CamelCaseKeySuggestsSnakeCase) {
  const ConfigLoadResult result = loadWith("engine:\n  ringCapacity: 4\n  MAX-SERIES-PER-SHARD: 3\n");
  ASSERT_EQ(result.errors.size(), 2U) << dump(result);
  expectError(result, "engine.ringCapacity", 5, "(did you mean 'ring_capacity'?)");
  expectError(result, "engine.MAX-SERIES-PER-SHARD", 6, "(did you mean 'max_series_per_shard'?)");
}

TEST(ConfigLoader, DuplicateKeysRejected) {
  const ConfigLoadResult result = loadWith("engine:\n  shards: 4\n  shards: 8\n");
  ASSERT_EQ(result.errors.size(), 1U) << dump(result);
  expectError(result, "engine.shards", 6, "duplicate key (first given at line 5)");
}

TEST(ConfigLoader, NonScalarKeyRejected) {
  const ConfigLoadResult result = loadWith("engine:\n  ? [a, b]\n  : 3\n");
  ASSERT_EQ(result.errors.size(), 1U) << dump(result);
  expectError(result, "engine", 5, "keys must be plain strings");
}

// ---- wrong types and values ---------------------------------------------------------------

TEST(ConfigLoader, WrongTypesReportedWithPathAndLine) {
  const ConfigLoadResult result = load(R"(http:
  listen: {host: x}
sources:
  - name: [a]
    endpoint: tcp://127.0.0.1:5555
    bind: yes
    max_frame_bytes: abc
    receive_hwm: 1.5
    subscribe: topic
service_level:
  target: high
  formula:
engine:
  shards: {n: 2}
  windows: 15m
  clock: [system]
logging: debug
)");
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.errors.size(), 12U) << dump(result);
  expectError(result, "http.listen", 2, "expected a string, got a map");
  expectError(result, "sources[0].name", 4, "expected a string, got a list");
  expectError(result, "sources[0].bind", 6, "expected true or false, got 'yes'");
  expectError(result, "sources[0].max_frame_bytes", 7, "expected an integer, got 'abc'");
  expectError(result, "sources[0].receive_hwm", 8, "expected an integer, got '1.5'");
  expectError(result, "sources[0].subscribe", 9, "expected a list, got 'topic'");
  expectError(result, "service_level.target", 11, "expected a number, got 'high'");
  // An empty value is reported on the key's line, not the next token's.
  expectError(result, "service_level.formula", 12, "missing value (expected one of: answered, ignore_abandons");
  expectError(result, "engine.shards", 14, "expected an integer, got a map");
  expectError(result, "engine.windows", 15, "expected a list, got '15m'");
  expectError(result, "engine.clock", 16, "expected one of: system, event, got a list");
  expectError(result, "logging", 17, "expected a map, got 'debug'");
}

TEST(ConfigLoader, OutOfRangeIntegers) {
  const ConfigLoadResult result = load(R"(sources:
  - name: acd
    endpoint: tcp://127.0.0.1:5555
    max_frame_bytes: 0
    receive_hwm: -1
engine:
  shards: 0
  ring_capacity: 16777217
  max_contacts_in_flight: 0
  max_series_per_shard: -5
  max_agents_per_shard: 99999999999999999999
  dedup_window: -1
)");
  EXPECT_EQ(result.errors.size(), 8U) << dump(result);
  expectError(result, "sources[0].max_frame_bytes", 4, "must be at least 1, got 0");
  expectError(result, "sources[0].receive_hwm", 5, "must be between 0 and 2147483647, got -1");
  expectError(result, "engine.shards", 7, "must be between 1 and 64, got 0");
  expectError(result, "engine.ring_capacity", 8, "must be between 2 and 16777216, got 16777217");
  expectError(result, "engine.max_contacts_in_flight", 9, "must be at least 1");
  expectError(result, "engine.max_series_per_shard", 10, "must be at least 1, got -5");
  expectError(result, "engine.max_agents_per_shard", 11, "must be at least 1, got 99999999999999999999");
  expectError(result, "engine.dedup_window", 12, "must be at least 1, got -1");

  const ConfigLoadResult edges = loadWith("engine:\n  shards: 64\n  ring_capacity: 2\n");
  ASSERT_TRUE(edges.ok()) << dump(edges);
  EXPECT_EQ(edges.config->engine.shards, 64U);
  EXPECT_EQ(edges.config->engine.ringCapacity, 2U);
}

TEST(ConfigLoader, DurationErrors) {
  const ConfigLoadResult result = load(R"(sources:
  - name: acd
    endpoint: tcp://127.0.0.1:5555
service_level:
  threshold: 20
  short_abandon: -5s
engine:
  backpressure_timeout: 1.5ms
  window_bucket: 0s
  publish_interval: 0ms
  contact_max_age: 1fortnight
)");
  EXPECT_EQ(result.errors.size(), 6U) << dump(result);
  expectError(result, "service_level.threshold", 5, "duration needs a unit, e.g. 20s");
  expectError(result, "service_level.short_abandon", 6, "must not be negative");
  expectError(result, "engine.backpressure_timeout", 8, "fractions are not supported");
  expectError(result, "engine.window_bucket", 9, "must be greater than zero");
  expectError(result, "engine.publish_interval", 10, "must be greater than zero");
  expectError(result, "engine.contact_max_age", 11, "units: us, ms, s, m, h, d");
}

TEST(ConfigLoader, ZeroThresholdRejectedZeroShortAbandonAllowed) {
  const ConfigLoadResult result = loadWith("service_level:\n  threshold: 0s\n  short_abandon: 0s\n");
  ASSERT_EQ(result.errors.size(), 1U) << dump(result);
  expectError(result, "service_level.threshold", 5, "must be greater than zero");
}

TEST(ConfigLoader, TargetRange) {
  for (const char* bad : {"0", "0.0", "1.01", "-0.5", "80", "80%", "nan", "inf", "1e-1"}) {
    const ConfigLoadResult result = loadWith(std::string("service_level:\n  target: ") + bad + "\n");
    ASSERT_EQ(result.errors.size(), 1U) << bad << "\n" << dump(result);
    EXPECT_EQ(result.errors[0].keyPath, "service_level.target");
    EXPECT_EQ(result.errors[0].line, 5);
  }
  for (const char* good : {"1", "1.0", "0.01", ".5"}) {
    const ConfigLoadResult result = loadWith(std::string("service_level:\n  target: ") + good + "\n");
    EXPECT_TRUE(result.ok()) << good << "\n" << dump(result);
  }
}

TEST(ConfigLoader, EnumValuesListTheChoices) {
  const ConfigLoadResult result = load(R"(sources:
  - name: acd
    endpoint: tcp://127.0.0.1:5555
    socket: push
    format: protobuf
service_level:
  formula: abandons_missed
engine:
  clock: wall
logging:
  level: verbose
)");
  EXPECT_EQ(result.errors.size(), 5U) << dump(result);
  expectError(result, "sources[0].socket", 4, "must be one of: pull, sub; got 'push'");
  expectError(
      result, "sources[0].format", 5,
      "must be one of: json, amazon_connect, twilio_taskrouter, genesys_cloud, asterisk_queue_log, asterisk_ami");
  expectError(result, "sources[0].format", 5, "; got 'protobuf'");
  expectError(result, "service_level.formula", 7,
              "must be one of: answered, ignore_abandons, abandons_miss, all_misses, abandons_met, "
              "exclude_short_abandons; got 'abandons_missed'");
  expectError(result, "engine.clock", 9, "must be one of: system, event; got 'wall'");
  expectError(result, "logging.level", 11, "must be one of: trace, debug, info, warn, error, off; got 'verbose'");
}

TEST(ConfigLoader, LongValuesAreCutShortInMessages) {
  const ConfigLoadResult result = loadWith("engine:\n  clock: " + std::string(200, 'x') + "\n");
  ASSERT_EQ(result.errors.size(), 1U) << dump(result);
  expectError(result, "engine.clock", 5, "(200 characters)");
  EXPECT_LT(result.errors[0].message.size(), 150U) << result.errors[0].message;
}

TEST(ConfigLoader, EveryLogLevelAccepted) {
  for (const char* level : {"trace", "debug", "info", "warn", "error", "off"}) {
    const ConfigLoadResult result = loadWith(std::string("logging:\n  level: ") + level + "\n");
    ASSERT_TRUE(result.ok()) << level << "\n" << dump(result);
    EXPECT_EQ(result.config->logging.level, level);
  }
}

TEST(ConfigLoader, EveryFormulaAccepted) {
  for (const char* name :
       {"answered", "ignore_abandons", "abandons_miss", "all_misses", "abandons_met", "exclude_short_abandons"}) {
    const ConfigLoadResult result = loadWith(std::string("service_level:\n  formula: ") + name + "\n");
    ASSERT_TRUE(result.ok()) << name << "\n" << dump(result);
    EXPECT_EQ(toString(result.config->serviceLevel.defaults.formula), name);
  }
}

// ---- sources ------------------------------------------------------------------------------

TEST(ConfigLoader, SourcesRequiredAndNonEmpty) {
  const ConfigLoadResult missing = load("engine:\n  shards: 2\n");
  ASSERT_EQ(missing.errors.size(), 1U) << dump(missing);
  expectError(missing, "sources", 1, "at least one source");

  const ConfigLoadResult empty = load("sources: []\n");
  ASSERT_EQ(empty.errors.size(), 1U) << dump(empty);
  expectError(empty, "sources", 1, "at least one source");

  const ConfigLoadResult null = load("logging:\n  level: info\nsources:\n");
  ASSERT_EQ(null.errors.size(), 1U) << dump(null);
  expectError(null, "sources", 3, "expected a list, got an empty value (write [] for an empty list)");
}

TEST(ConfigLoader, SourceFieldsValidated) {
  const ConfigLoadResult result = load(R"(sources:
  - endpoint: tcp://127.0.0.1:5555
  - name: b
  - name: "bad name!"
    endpoint: udp://127.0.0.1:1
  - name: ""
    endpoint: tcp://127.0.0.1
  - name: e
    endpoint: "tcp://:5"
  - name: f
    endpoint: tcp://*:5
    bind: false
  - name: g
    endpoint: tcp://host:0
  - name: h
    endpoint: "ipc://"
  - just a string
)");
  EXPECT_EQ(result.errors.size(), 11U) << dump(result);
  expectError(result, "sources[0].name", 2, "required key is missing");
  expectError(result, "sources[1].endpoint", 3, "required key is missing");
  expectError(result, "sources[2].name", 4, "invalid source name 'bad name!'");
  expectError(result, "sources[2].endpoint", 5, "must start with tcp://, ipc://, inproc:// or file://");
  expectError(result, "sources[3].name", 6, "must not be empty");
  expectError(result, "sources[3].endpoint", 7, "missing ':port'");
  expectError(result, "sources[4].endpoint", 9, "empty host");
  expectError(result, "sources[5].endpoint", 11, "host '*' is only valid with bind: true");
  expectError(result, "sources[6].endpoint", 14, "port must be an integer 1..65535");
  expectError(result, "sources[7].endpoint", 16, "has nothing after ipc://");
  expectError(result, "sources[8]", 17, "expected a map with at least name and endpoint");
}

TEST(ConfigLoader, EmptyIpcEndpointRejected) {
  const ConfigLoadResult result = load("sources:\n  - name: h\n    endpoint: \"ipc://\"\n");
  ASSERT_EQ(result.errors.size(), 1U) << dump(result);
  expectError(result, "sources[0].endpoint", 3, "has nothing after ipc://");
}

TEST(ConfigLoader, DuplicateSourceNamesAndEndpointsPointAtTheSecond) {
  const ConfigLoadResult result = load(R"(sources:
  - name: acd
    endpoint: tcp://127.0.0.1:5555
  - name: chat
    endpoint: tcp://127.0.0.1:5556
  - name: acd
    endpoint: tcp://127.0.0.1:5557
  - name: other
    endpoint: tcp://127.0.0.1:5556
)");
  EXPECT_EQ(result.errors.size(), 2U) << dump(result);
  expectError(result, "sources[2].name", 6, "duplicate source name 'acd' (already used by sources[0] at line 2)");
  expectError(result, "sources[3].endpoint", 9,
              "duplicate endpoint 'tcp://127.0.0.1:5556' (already used by sources[1] at line 5)");
}

TEST(ConfigLoader, SubscribeOnlyWithSub) {
  const ConfigLoadResult result = load(R"(sources:
  - name: a
    subscribe: [x]
    endpoint: tcp://127.0.0.1:5555
  - name: b
    subscribe: [x, y]
    endpoint: tcp://127.0.0.1:5556
    socket: sub
  - name: c
    endpoint: tcp://127.0.0.1:5557
    subscribe: []
)");
  EXPECT_EQ(result.errors.size(), 1U) << dump(result);
  expectError(result, "sources[0].subscribe", 3, "only meaningful with socket: sub");
}

TEST(ConfigLoader, SubscribeItemsMustBeStrings) {
  const ConfigLoadResult result = load(R"(sources:
  - name: a
    socket: sub
    endpoint: tcp://127.0.0.1:5555
    subscribe:
      - ok
      - {topic: x}
)");
  ASSERT_EQ(result.errors.size(), 1U) << dump(result);
  expectError(result, "sources[0].subscribe[1]", 7, "expected a string, got a map");
}

// ---- service level overrides ----------------------------------------------------------------

TEST(ConfigLoader, OverrideValidation) {
  const ConfigLoadResult result = loadWith(R"(service_level:
  overrides:
    - threshold: 10s
    - match: {}
      threshold: 10s
    - match: {channel: fax}
      threshold: 10s
    - match: {queue: q}
    - match: tenant-a
      target: 0.5
    - match: {tenant: a, channel: voice}
      target: 0.7
    - match: {channel: voice, tenant: a}
      target: 0.6
    - 42
)");
  EXPECT_EQ(result.errors.size(), 7U) << dump(result);
  expectError(result, "service_level.overrides[0].match", 6, "required key is missing");
  expectError(result, "service_level.overrides[1].match", 7, "match needs at least one of");
  expectError(result, "service_level.overrides[2].match.channel", 9,
              "must be one of: voice, chat, sms, email, social, video; got 'fax'");
  expectError(result, "service_level.overrides[3]", 11, "override changes nothing");
  expectError(result, "service_level.overrides[4].match", 12, "expected a map");
  expectError(result, "service_level.overrides[6].match", 16,
              "same match as service_level.overrides[5], so this override would never apply");
  expectError(result, "service_level.overrides[7]", 18, "expected a map");
}

TEST(ConfigLoader, OverrideMatchIdTooLong) {
  const ConfigLoadResult result =
      loadWith("service_level:\n  overrides:\n    - match: {queue: " + std::string(65, 'q') + "}\n      target: 0.5\n");
  ASSERT_EQ(result.errors.size(), 1U) << dump(result);
  expectError(result, "service_level.overrides[0].match.queue", 6, "longer than 64 characters");
}

TEST(ConfigLoader, BadDefaultReportedOnce) {
  // Overrides inherit the defaults, but a bad default is reported once, not once per override.
  const ConfigLoadResult result =
      loadWith("service_level:\n  overrides:\n    - match: {queue: q}\n      target: 0.5\n  threshold: 20\n");
  ASSERT_EQ(result.errors.size(), 1U) << dump(result);
  expectError(result, "service_level.threshold", 8, "duration needs a unit");
}

// ---- engine -------------------------------------------------------------------------------

TEST(ConfigLoader, WindowsValidatedAgainstBucketInAnyOrder) {
  const ConfigLoadResult result = loadWith(R"(engine:
  windows: [15m, 7m, 15m, 0s, 60d, 20]
  window_bucket: 5m
)");
  EXPECT_EQ(result.errors.size(), 5U) << dump(result);
  expectError(result, "engine.windows[1]", 5, "7m is not a multiple of window_bucket (5m)");
  expectError(result, "engine.windows[2]", 5, "duplicate window 15m");
  expectError(result, "engine.windows[3]", 5, "must be greater than zero");
  expectError(result, "engine.windows[4]", 5, "would need 17280 buckets of 5m");
  expectError(result, "engine.windows[5]", 5, "duration needs a unit");

  const ConfigLoadResult empty = loadWith("engine:\n  windows: []\n");
  ASSERT_EQ(empty.errors.size(), 1U) << dump(empty);
  expectError(empty, "engine.windows", 5, "at least one window");

  // Bucket given before the windows and in seconds: still checked against the final value.
  const ConfigLoadResult ok = loadWith("engine:\n  window_bucket: 10s\n  windows: [30s, 1h]\n");
  ASSERT_TRUE(ok.ok()) << dump(ok);
  EXPECT_EQ(ok.config->engine.windows, (std::vector<Micros>{seconds(30), hours(1)}));
}

TEST(ConfigLoader, DefaultWindowsCheckedAgainstNewBucket) {
  // Changing only the bucket must not leave the default windows (15m, 1h) silently misaligned.
  const ConfigLoadResult result = loadWith("engine:\n  window_bucket: 7m\n");
  ASSERT_EQ(result.errors.size(), 1U) << dump(result);
  expectError(result, "engine.window_bucket", 5, "does not divide the default windows");
}

TEST(ConfigLoader, AuxReasons) {
  const ConfigLoadResult result = loadWith(R"(engine:
  aux_reasons:
    - break
    - other
    - break
    - ""
    - [x]
    - abcdefghijabcdefghijabcdefghijabc
)");
  EXPECT_EQ(result.errors.size(), 5U) << dump(result);
  expectError(result, "engine.aux_reasons[1]", 7, "'other' is implicit");
  expectError(result, "engine.aux_reasons[2]", 8, "duplicate aux reason 'break'");
  expectError(result, "engine.aux_reasons[3]", 9, "must not be empty");
  expectError(result, "engine.aux_reasons[4]", 10, "expected a string, got a list");
  expectError(result, "engine.aux_reasons[5]", 11, "longer than 32 characters");

  const ConfigLoadResult none = loadWith("engine:\n  aux_reasons: []\n");
  ASSERT_TRUE(none.ok()) << dump(none);
  EXPECT_TRUE(none.config->engine.auxReasons.empty());
}

// ---- many errors at once ------------------------------------------------------------------

TEST(ConfigLoader, AllErrorsCollectedInFileOrder) {
  const ConfigLoadResult result = load(R"(http:
  listen: nowhere
sources:
  - name: acd
    endpoint: tcp://127.0.0.1:5555
    socket: pull
    subscribe: [a]
service_level:
  target: 2
engine:
  windows: [7m]
  shards: 100
  window_bucket: 2m
logging:
  level: loud
)");
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.config, nullptr);
  ASSERT_EQ(result.errors.size(), 6U) << dump(result);
  std::vector<int> lines;
  for (const ConfigError& err : result.errors) {
    lines.push_back(err.line);
  }
  EXPECT_EQ(lines, (std::vector<int>{2, 7, 9, 11, 12, 15}));
  EXPECT_EQ(result.errors[0].keyPath, "http.listen");
  EXPECT_EQ(result.errors[1].keyPath, "sources[0].subscribe");
  EXPECT_EQ(result.errors[2].keyPath, "service_level.target");
  EXPECT_EQ(result.errors[3].keyPath, "engine.windows[0]");
  EXPECT_EQ(result.errors[4].keyPath, "engine.shards");
  EXPECT_EQ(result.errors[5].keyPath, "logging.level");
}

TEST(ConfigLoader, NeverThrowsOnHostileInput) {
  const std::string deep(5000, '[');
  for (const std::string& text : {deep, std::string("\t\tsources:"), std::string("a: *undefined\n"),
                                  std::string("\xff\xfe\x00x", 4), std::string("sources: !!binary 'AAAA'\n"),
                                  std::string("? : :\n"), std::string(R"({"sources": [{"name": 1}]})")}) {
    ConfigLoadResult result;
    EXPECT_NO_THROW(result = load(text));
    EXPECT_FALSE(result.ok());
    EXPECT_FALSE(result.errors.empty());
  }
}

// ---- service-level resolution ---------------------------------------------------------------

ServiceLevelOverride makeOverride(ServiceLevelMatch match, int thresholdSeconds) {
  ServiceLevelOverride entry;
  entry.match = std::move(match);
  entry.policy.threshold = seconds(thresholdSeconds);
  return entry;
}

TEST(ConfigResolve, NoOverridesGivesDefaults) {
  ServiceLevelSettings settings;
  settings.defaults.threshold = seconds(42);
  EXPECT_EQ(&settings.resolve("t", "v", "q", Channel::kVoice), &settings.defaults);
}

TEST(ConfigResolve, NoMatchGivesDefaults) {
  ServiceLevelSettings settings;
  settings.overrides.push_back(makeOverride({.tenant = "acme", .vendor = {}, .queue = {}, .channel = {}}, 10));
  settings.overrides.push_back(makeOverride({.tenant = {}, .vendor = {}, .queue = {}, .channel = Channel::kChat}, 11));
  EXPECT_EQ(&settings.resolve("other", "v", "q", Channel::kVoice), &settings.defaults);
  // Exact, case-sensitive comparison.
  EXPECT_EQ(&settings.resolve("ACME", "v", "q", Channel::kVoice), &settings.defaults);
  EXPECT_EQ(&settings.resolve("acm", "v", "q", Channel::kVoice), &settings.defaults);
}

TEST(ConfigResolve, MostSpecificWinsRegardlessOfOrder) {
  ServiceLevelSettings settings;
  settings.overrides.push_back(makeOverride({.tenant = "acme", .vendor = {}, .queue = {}, .channel = {}}, 10));
  settings.overrides.push_back(
      makeOverride({.tenant = "acme", .vendor = {}, .queue = "vip", .channel = Channel::kVoice}, 30));
  settings.overrides.push_back(makeOverride({.tenant = "acme", .vendor = {}, .queue = "vip", .channel = {}}, 20));
  settings.overrides.push_back(
      makeOverride({.tenant = "acme", .vendor = "v1", .queue = "vip", .channel = Channel::kVoice}, 40));

  EXPECT_EQ(settings.resolve("acme", "v1", "vip", Channel::kVoice).threshold, seconds(40));
  EXPECT_EQ(settings.resolve("acme", "v2", "vip", Channel::kVoice).threshold, seconds(30));
  EXPECT_EQ(settings.resolve("acme", "v2", "vip", Channel::kChat).threshold, seconds(20));
  EXPECT_EQ(settings.resolve("acme", "v2", "std", Channel::kChat).threshold, seconds(10));
  // Only tenant-bound overrides exist, so another tenant gets the defaults.
  EXPECT_EQ(&settings.resolve("beta", "v1", "vip", Channel::kVoice), &settings.defaults);
}

TEST(ConfigResolve, TiesGoToTheFirstListed) {
  ServiceLevelSettings settings;
  settings.overrides.push_back(makeOverride({.tenant = {}, .vendor = {}, .queue = "q", .channel = {}}, 11));
  settings.overrides.push_back(makeOverride({.tenant = "t", .vendor = {}, .queue = {}, .channel = {}}, 12));
  settings.overrides.push_back(makeOverride({.tenant = {}, .vendor = {}, .queue = {}, .channel = Channel::kSms}, 13));
  EXPECT_EQ(settings.resolve("t", "", "q", Channel::kSms).threshold, seconds(11));
  EXPECT_EQ(settings.resolve("t", "", "x", Channel::kSms).threshold, seconds(12));
  EXPECT_EQ(settings.resolve("u", "", "x", Channel::kSms).threshold, seconds(13));

  // Reversed order: the first listed still wins the tie.
  std::swap(settings.overrides[0], settings.overrides[2]);
  EXPECT_EQ(settings.resolve("t", "", "q", Channel::kSms).threshold, seconds(13));
}

TEST(ConfigResolve, ChannelOnlyAndEmptyVendor) {
  ServiceLevelSettings settings;
  settings.overrides.push_back(makeOverride({.tenant = {}, .vendor = "", .queue = {}, .channel = {}}, 5));
  settings.overrides.push_back(
      makeOverride({.tenant = {}, .vendor = {}, .queue = {}, .channel = Channel::kEmail}, 86400));
  EXPECT_EQ(settings.resolve("t", "", "q", Channel::kVoice).threshold, seconds(5));
  EXPECT_EQ(settings.resolve("t", "v", "q", Channel::kEmail).threshold, seconds(86400));
  EXPECT_EQ(&settings.resolve("t", "v", "q", Channel::kVideo), &settings.defaults);
}

TEST(ConfigResolve, LoadedOverridesResolve) {
  const ConfigLoadResult result = loadWith(R"(service_level:
  threshold: 20s
  overrides:
    - match: {channel: email}
      threshold: 4h
    - match: {tenant: acme, channel: email}
      threshold: 1h
    - match: {tenant: acme}
      target: 0.9
)");
  ASSERT_TRUE(result.ok()) << dump(result);
  const ServiceLevelSettings& sl = result.config->serviceLevel;
  EXPECT_EQ(sl.resolve("acme", "", "q", Channel::kEmail).threshold, hours(1));
  EXPECT_EQ(sl.resolve("beta", "", "q", Channel::kEmail).threshold, hours(4));
  const ServiceLevelPolicy& acmeVoice = sl.resolve("acme", "", "q", Channel::kVoice);
  EXPECT_EQ(acmeVoice.threshold, seconds(20));
  EXPECT_DOUBLE_EQ(acmeVoice.target, 0.9);
  EXPECT_EQ(&sl.resolve("beta", "", "q", Channel::kVoice), &sl.defaults);
}

TEST(ConfigFormula, NamesRoundTrip) {
  const std::vector<std::pair<ServiceLevelFormula, std::string_view>> all = {
      {ServiceLevelFormula::kAnswered, "answered"},
      {ServiceLevelFormula::kIgnoreAbandons, "ignore_abandons"},
      {ServiceLevelFormula::kAbandonsMiss, "abandons_miss"},
      {ServiceLevelFormula::kAllMisses, "all_misses"},
      {ServiceLevelFormula::kAbandonsMet, "abandons_met"},
      {ServiceLevelFormula::kExcludeShortAbandons, "exclude_short_abandons"},
  };
  for (const auto& [formula, name] : all) {
    EXPECT_EQ(toString(formula), name);
    EXPECT_EQ(parseServiceLevelFormula(name), formula);
  }
  EXPECT_FALSE(parseServiceLevelFormula("").has_value());
  EXPECT_FALSE(parseServiceLevelFormula("Answered").has_value());
  EXPECT_FALSE(parseServiceLevelFormula("abandons-miss").has_value());
}

// ---- reload ---------------------------------------------------------------------------------

TEST(ConfigReload, ReloadableChangesNeedNoRestart) {
  const ConfigLoadResult before = load(kMinimal);
  const ConfigLoadResult after = loadWith(R"(service_level:
  threshold: 30s
  overrides:
    - match: {queue: q}
      target: 0.5
logging:
  level: debug
)");
  ASSERT_TRUE(before.ok() && after.ok()) << dump(before) << dump(after);
  EXPECT_TRUE(restartRequiredChanges(*before.config, *after.config).empty());
}

TEST(ConfigReload, RestartRequiredChangesListed) {
  const ConfigLoadResult before = load(kMinimal);
  const ConfigLoadResult after = load(R"(http:
  listen: 127.0.0.1:9465
sources:
  - name: acd
    endpoint: tcp://127.0.0.1:5555
    receive_hwm: 5
engine:
  shards: 3
  windows: [15m]
  clock: event
  aux_reasons: [break]
)");
  ASSERT_TRUE(before.ok() && after.ok()) << dump(before) << dump(after);
  EXPECT_EQ(restartRequiredChanges(*before.config, *after.config),
            (std::vector<std::string>{"http.listen", "sources", "engine.shards", "engine.windows", "engine.clock",
                                      "engine.aux_reasons"}));
  EXPECT_TRUE(restartRequiredChanges(*after.config, *after.config).empty());
}

}  // namespace
}  // namespace ccpulse
