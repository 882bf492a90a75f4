#pragma once
/// Typed, validated, immutable configuration. Built once by the loader (config/loader.hpp) and
/// shared as `std::shared_ptr<const Config>`; a reload builds a complete new one and swaps it.
/// Plain values: safe to read from any thread once built, never mutated afterwards.

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ccpulse/common/time_zone.hpp"
#include "ccpulse/decode/event.hpp"
#include "ccpulse/staffing/forecast.hpp"

namespace ccpulse {

using Micros = std::chrono::microseconds;

struct HttpSettings {
  std::string listenHost = "127.0.0.1";  ///< `http.listen` host part
  std::uint16_t listenPort = 9464;       ///< `http.listen` port part (0 = ephemeral, for tests)
};

enum class SocketKind : std::uint8_t { kPull, kSub };
enum class SourceFormat : std::uint8_t {
  kJson,
  kAsteriskQueueLog,  ///< Asterisk app_queue queue_log lines (docs/adapters/asterisk.md)
  kAsteriskAmi,       ///< Asterisk Manager Interface events (docs/adapters/asterisk.md)
};

/// Settings of the adapter formats (asterisk_*): what the vendor feed does not say itself, and
/// how adapter-owned sources (file tailing, AMI client) reach their input. Unused by `json`.
struct AdapterSettings {
  std::string tenant = "default";     ///< `tenant`: stamped on every event (queue_log and AMI carry none)
  std::string vendor;                 ///< `vendor`
  Channel channel = Channel::kVoice;  ///< `channel`
  std::size_t maxCalls = 20000;       ///< `max_tracked_calls`: calls the decoder remembers (oldest evicted)
  std::size_t maxAgents = 2000;       ///< `max_tracked_agents`: agents the decoder remembers
  Micros pollInterval = std::chrono::milliseconds(250);  ///< `poll_interval`: file sources
  std::string username;                                  ///< `username`: AMI login
  std::string secret;                                    ///< `secret`: AMI login
  Micros reconnectMin = std::chrono::seconds(1);         ///< `reconnect_min`: AMI backoff start
  Micros reconnectMax = std::chrono::seconds(30);        ///< `reconnect_max`: AMI backoff cap
};

/// True when `endpoint` names a file to tail (`file:///path`) rather than a socket.
[[nodiscard]] inline bool isFileEndpoint(std::string_view endpoint) noexcept { return endpoint.starts_with("file://"); }

struct SourceSettings {
  std::string name;
  std::string endpoint;  ///< tcp://, ipc://, inproc:// or file:///path (a file source, docs/adapters/asterisk.md)
  SocketKind socket = SocketKind::kPull;
  bool bind = true;
  std::vector<std::string> subscribe;  ///< topic prefixes for sub; empty = everything
  SourceFormat format = SourceFormat::kJson;
  std::size_t maxFrameBytes = 1U << 20U;  ///< `max_frame_bytes`; larger frames are rejected (ZMQ_MAXMSGSIZE)
  int receiveHighWaterMark = 100000;      ///< `receive_hwm` (ZMQ_RCVHWM)
  AdapterSettings adapter;                ///< asterisk_* formats and file sources
};

/// Which service-level formula a contract uses; see docs/metrics.md and ../shared/domain.md.
enum class ServiceLevelFormula : std::uint8_t {
  kAnswered,              ///< A / N
  kIgnoreAbandons,        ///< A / (O - Bt)
  kAbandonsMiss,          ///< A / (N + B)  (default)
  kAllMisses,             ///< A / O
  kAbandonsMet,           ///< (A + Bt) / (N + B)
  kExcludeShortAbandons,  ///< A / (N + B - Bs)
};

struct ServiceLevelPolicy {
  Micros threshold = std::chrono::seconds(20);
  double target = 0.80;
  Micros shortAbandon = std::chrono::seconds(5);
  ServiceLevelFormula formula = ServiceLevelFormula::kAbandonsMiss;
  bool dequeuedCountsAsMiss = true;
};

/// Fields left unset match anything; the override with the most set fields wins, ties go to the
/// one listed first.
struct ServiceLevelMatch {
  std::optional<std::string> tenant;
  std::optional<std::string> vendor;
  std::optional<std::string> queue;
  std::optional<Channel> channel;
};

struct ServiceLevelOverride {
  ServiceLevelMatch match;
  ServiceLevelPolicy policy;  ///< keys the override omits are inherited from the defaults
};

struct ServiceLevelSettings {
  ServiceLevelPolicy defaults;
  std::vector<ServiceLevelOverride> overrides;

  /// The policy for one series: the most specific matching override, else the defaults.
  [[nodiscard]] const ServiceLevelPolicy& resolve(std::string_view tenant, std::string_view vendor,
                                                  std::string_view queue, Channel channel) const noexcept;
};

enum class ClockMode : std::uint8_t {
  kSystem,  ///< "now" is the wall clock (live operation)
  kEvent,   ///< "now" is the newest event time seen (replay, deterministic tests)
};

struct EngineSettings {
  unsigned shards = 2;                                        ///< shard worker threads
  std::size_t ringCapacity = 8192;                            ///< events per (source, shard) ring
  Micros backpressureTimeout = std::chrono::milliseconds(5);  ///< wait on a full ring before dropping
  std::vector<Micros> windows = {std::chrono::minutes(15), std::chrono::hours(1)};
  Micros windowBucket = std::chrono::minutes(1);     ///< granularity of rolling windows
  Micros publishInterval = std::chrono::seconds(1);  ///< how often gauges are recomputed
  std::size_t maxContactsInFlight = 200000;          ///< per shard
  Micros contactMaxAge = std::chrono::hours(24);     ///< contacts in flight older than this are evicted
  std::size_t maxSeriesPerShard = 20000;             ///< label sets per shard
  std::size_t maxSeriesPerTenant = 5000;             ///< queue label sets per tenant, across shards
  std::size_t maxAgentsPerShard = 50000;
  std::size_t dedupWindow = 65536;  ///< recent event ids remembered per shard
  ClockMode clock = ClockMode::kSystem;
  std::vector<std::string> auxReasons = {"break", "lunch", "training", "meeting", "coaching"};
};

/// Clock-aligned reporting intervals (the ACD report's 15/30/60-minute rows) and days, in each
/// tenant's time zone.
struct IntervalSettings {
  Micros length = std::chrono::minutes(15);  ///< `intervals.length`: divides one hour
  Micros lateTolerance =
      std::chrono::seconds(5);              ///< `intervals.late_tolerance`: how long a period stays open after its end
  Micros history = std::chrono::hours(24);  ///< `intervals.history`: closed intervals kept in memory
};

/// Live staffing (Erlang C and Erlang A) from the rolling window; see docs/staffing.md.
struct StaffingSettings {
  bool enabled = true;
  Micros interval = std::chrono::seconds(5);  ///< results are recomputed at most this often
  std::optional<Micros> window;               ///< which rolling window feeds it; default the first
  double maxOccupancy = 1.0;                  ///< (0, 1]
  double shrinkage = 0.0;                     ///< [0, 1)
  std::array<double, kChannelCount> concurrency{1, 1, 1, 1, 1, 1};  ///< contacts per agent, by channel
};

struct TenantSettings {
  std::string timeZone;      ///< IANA name; empty = the top-level `time_zone`
  std::string forecastPath;  ///< `forecast`: CSV plan (docs/staffing.md), resolved against the config file's folder
};

/// Tenant → its parsed forecast and schedule (only tenants with a `forecast` file).
using ForecastsByTenant = std::map<std::string, std::shared_ptr<const Forecast>, std::less<>>;

/// Time zones resolved once at load; immutable and shared.
struct TimeZones {
  std::shared_ptr<const TimeZone> defaultZone = std::make_shared<const TimeZone>(TimeZone::utc());
  std::map<std::string, std::shared_ptr<const TimeZone>, std::less<>> byTenant;

  /// The tenant's zone, or the default.
  [[nodiscard]] const std::shared_ptr<const TimeZone>& forTenant(std::string_view tenant) const noexcept {
    const auto it = byTenant.find(tenant);
    return it == byTenant.end() ? defaultZone : it->second;
  }
};

struct LoggingSettings {
  std::string level = "info";  ///< trace | debug | info | warn | error | off
};

/// Durable state (history database, journal, checkpoints, source offsets) lives under one
/// directory. Empty = nothing is persisted (counters start from zero on every start).
struct StateSettings {
  std::string directory;  ///< `state.directory`; relative paths are taken from the working directory
};

struct Config {
  HttpSettings http;
  std::vector<SourceSettings> sources;
  ServiceLevelSettings serviceLevel;
  EngineSettings engine;
  LoggingSettings logging;
  std::string timeZone = "UTC";                                ///< `time_zone`: default for tenants without their own
  std::map<std::string, TenantSettings, std::less<>> tenants;  ///< `tenants`: per-tenant settings
  IntervalSettings intervals;
  StaffingSettings staffing;
  StateSettings state;
  ForecastsByTenant forecasts;  ///< read at load from tenants.<t>.forecast; reloadable
  TimeZones zones;              ///< resolved from timeZone and tenants at load
  std::string filePath;         ///< where it was loaded from (for messages)
};

[[nodiscard]] std::string_view toString(ServiceLevelFormula formula) noexcept;
[[nodiscard]] std::optional<ServiceLevelFormula> parseServiceLevelFormula(std::string_view text) noexcept;

}  // namespace ccpulse
