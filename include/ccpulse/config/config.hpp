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

/// `http.tls`: TLS 1.2 or later on the listener (docs/security.md). Restart to change.
struct TlsSettings {
  std::string certificate;  ///< PEM certificate chain file
  std::string key;          ///< PEM private key file
  std::string clientCa;     ///< PEM CA bundle; set = clients must present a certificate it signed
};

struct HttpSettings {
  std::string listenHost = "127.0.0.1";  ///< `http.listen` host part
  std::uint16_t listenPort = 9464;       ///< `http.listen` port part (0 = ephemeral, for tests)
  std::optional<TlsSettings> tls;        ///< `http.tls`; unset = plain HTTP
};

/// Who a credential may see (docs/security.md). `kPrometheus` reads /metrics in full (every
/// series and the daemon's own metrics) and nothing else.
struct ScopeSettings {
  enum class Kind : std::uint8_t { kAdmin, kTenant, kVendor, kPrometheus };
  Kind kind = Kind::kAdmin;
  std::string name;  ///< the tenant or vendor for kTenant / kVendor
};

struct AuthUser {
  std::string name;
  std::string passwordHash;  ///< bcrypt, "$2b$..."
  ScopeSettings scope;
};

struct AuthToken {
  std::string name;
  std::array<unsigned char, 32> sha256{};  ///< SHA-256 of the bearer token
  ScopeSettings scope;
};

/// `auth`: HTTP access control. Absent = open access as before (docs/security.md).
struct AuthSettings {
  bool anonymous = false;  ///< true: requests without credentials get admin scope
  std::vector<AuthUser> users;
  std::vector<AuthToken> tokens;
  double failureBurst = 10;       ///< `rate_limit.burst`: failed attempts allowed at once per client address
  double failuresPerMinute = 10;  ///< `rate_limit.per_minute`: refill rate of that allowance
  std::size_t maxClients = 4096;  ///< `rate_limit.max_clients`: client addresses tracked
};

/// `wallboard`: the live page at `/` and its event stream (docs/wallboard.md).
struct WallboardSettings {
  bool enabled = true;
  Micros streamInterval = std::chrono::milliseconds(500);  ///< how often /api/v1/stream pushes a snapshot
  std::size_t maxStreamClients = 64;                       ///< concurrent /api/v1/stream connections
};

enum class SocketKind : std::uint8_t { kPull, kSub };
enum class SourceFormat : std::uint8_t {
  kJson,
  kAmazonConnect,     ///< docs/adapters/amazon_connect.md
  kTwilioTaskRouter,  ///< docs/adapters/twilio_taskrouter.md
  kGenesysCloud,      ///< docs/adapters/genesys_cloud.md
  kAsteriskQueueLog,  ///< Asterisk app_queue queue_log lines (docs/adapters/asterisk.md)
  kAsteriskAmi,       ///< Asterisk Manager Interface events (docs/adapters/asterisk.md)
};

/// ZeroMQ CURVE on a bound source (`sources[].curve`): the daemon is the CURVE server and only
/// publishers whose public key is listed may connect; plaintext peers are refused. Keys are Z85
/// text (40 characters for 32 bytes), as printed by `ccpulsectl curve-keypair`.
struct CurveSettings {
  std::string secretKey;                    ///< `secret_key` (the value, or read from the file it names)
  std::vector<std::string> allowedClients;  ///< `allowed_clients` plus the lines of `allowed_clients_file`
  bool operator==(const CurveSettings&) const = default;
};

/// Settings of the adapter formats (asterisk_*): what the vendor feed does not say itself, and
/// how adapter-owned sources (file tailing, AMI client) reach their input. Unused by `json`.
struct AdapterSettings {
  std::string tenant = "default";     ///< the source's `tenant` (copied by the loader): stamped on every event
  std::string vendor;                 ///< the source's `vendor` (copied by the loader)
  Channel channel = Channel::kVoice;  ///< the source's `channel` (copied by the loader; voice if unset)
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

  // Vendor adapters: what vendor payloads do not carry (ignored by format json).
  std::string tenant;                                          ///< `tenant`; empty = "default"
  std::string vendor;                                          ///< `vendor`
  std::optional<Channel> channel;                              ///< `channel`: when the payload has none usable
  std::map<std::string, std::string, std::less<>> queueNames;  ///< `queue_names`: vendor queue id -> name
  std::vector<std::string> agentQueues;                        ///< `agent_queues`: when agent events name none
  std::optional<CurveSettings> curve;                          ///< `curve`; absent = plaintext (NULL mechanism)
  AdapterSettings adapter;                                     ///< asterisk_* formats and file sources
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
  // Journal and checkpoints (docs/durability.md); used only when `directory` is set.
  Micros journalSyncInterval = std::chrono::milliseconds(100);  ///< `state.journal_sync_interval`: group commit
  Micros checkpointInterval = std::chrono::seconds(60);         ///< `state.checkpoint_interval`
  std::uint64_t journalSegmentBytes = 64ULL << 20U;             ///< `state.journal_segment_bytes`
  /// `state.history_retention_days`: closed intervals older than this (by the newest closed
  /// interval's time) are deleted from the history database; 0 = kept forever.
  std::uint32_t historyRetentionDays = 0;
};

// ---- Outsourcing contracts (docs/contracts.md) ----------------------------------------------

/// What a contract term measures. Ratios are 0..1, durations seconds, CSAT 1..5, NPS -100..100.
enum class ContractMeasure : std::uint8_t {
  kServiceLevel,        ///< per the term's formula, with the service_level threshold of each queue
  kAbandonRate,         ///< abandoned / offered
  kAsa,                 ///< average wait of answered contacts, seconds
  kAhtBand,             ///< average handle time within [min, max] seconds
  kCsatAverage,         ///< mean survey CSAT
  kNps,                 ///< % promoters (9-10) - % detractors (0-6)
  kFcrResolved,         ///< wrapped with resolved=true / wrapped with a resolved flag
  kFcrNoRepeat,         ///< 1 - repeat contacts / offered (repeat: same customer within repeat_window)
  kContainment,         ///< self-service contained / self-service contacts
  kComplaintsPer1000,   ///< complaint dispositions per 1,000 handled contacts
  kStaffedVsCommitted,  ///< share of intervals whose time-weighted staffed agents >= committed_agents
};
enum class ContractPeriod : std::uint8_t { kInterval, kDay, kWeek, kMonth };
enum class Comparison : std::uint8_t { kAtLeast, kAtMost };

/// Which series a term covers: a label matches when the list is empty or any glob (`*`, `?`)
/// matches it.
struct ContractMatch {
  std::vector<std::string> queues;
  std::vector<Channel> channels;
};

struct ContractTerm {
  std::string name;
  ContractMatch match;
  ContractMeasure measure = ContractMeasure::kServiceLevel;
  ServiceLevelFormula formula = ServiceLevelFormula::kAbandonsMiss;  ///< service_level only
  bool dequeuedCountsAsMiss = true;                                  ///< service_level only
  double target = 0;                                                 ///< not used by aht_band
  double bandMin = 0;                                                ///< aht_band: seconds
  double bandMax = 0;                                                ///< aht_band: seconds
  Comparison comparison = Comparison::kAtLeast;
  ContractPeriod period = ContractPeriod::kDay;
  double atRiskMargin = 0;        ///< in the measure's unit: met by less than this is at risk
  double creditPercent = 0;       ///< of the monthly fee per missed period; 0 = no credit
  double creditCapPercent = 100;  ///< per calendar month of the contract's time zone
  double committedAgents = 0;     ///< staffed_vs_committed only: agents committed per interval (> 0)
  /// staffed_vs_committed only: `committed_agents: schedule` takes each interval's commitment from
  /// the tenant's forecast (scheduled agents summed over the covered queues and their channels);
  /// an interval the schedule has no agents for is not counted. committedAgents is unused then.
  bool commitmentFromSchedule = false;
  double commitmentRatio = 1;  ///< with the schedule: staffed must reach this share of the scheduled agents
};

struct Contract {
  std::string name;
  std::string tenant;                    ///< the client
  std::string vendor;                    ///< the outsourcer; matches the events' vendor label
  std::string timeZone;                  ///< empty = the tenant's
  std::shared_ptr<const TimeZone> zone;  ///< resolved at load
  double monthlyFee = 0;
  std::vector<ContractTerm> terms;
};

struct ContractSettings {
  std::vector<std::string> complaintDispositions = {"complaint"};  ///< restart required
  Micros repeatWindow = std::chrono::hours(24);                    ///< restart required
  std::size_t repeatTableSize = 1U << 20U;                         ///< customers remembered (slots), restart required
  std::vector<Contract> contracts;                                 ///< reloadable
};

[[nodiscard]] std::string_view toString(ContractMeasure measure) noexcept;
[[nodiscard]] std::string_view toString(ContractPeriod period) noexcept;
[[nodiscard]] std::string_view toString(Comparison comparison) noexcept;

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
  ForecastsByTenant forecasts;       ///< read at load from tenants.<t>.forecast; reloadable
  std::optional<AuthSettings> auth;  ///< `auth`; unset = open access (docs/security.md)
  WallboardSettings wallboard;
  ContractSettings contracts;  ///< `contracts`
  TimeZones zones;             ///< resolved from timeZone and tenants at load
  std::string filePath;        ///< where it was loaded from (for messages)
};

[[nodiscard]] std::string_view toString(ServiceLevelFormula formula) noexcept;
/// A source `format` name (json, amazon_connect, ...); the loader's table is the one definition.
[[nodiscard]] std::optional<SourceFormat> parseSourceFormat(std::string_view text) noexcept;
/// The known `format` names, comma-separated, for messages.
[[nodiscard]] std::string sourceFormatNames();
[[nodiscard]] std::optional<ServiceLevelFormula> parseServiceLevelFormula(std::string_view text) noexcept;

}  // namespace ccpulse
