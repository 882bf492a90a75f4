#pragma once
/// ccpulse-sim: a deterministic discrete-event model of a multi-tenant, multi-vendor contact
/// centre that produces canonical schema-v1 events, plus the JSON renderer, the ZeroMQ/NDJSON
/// output and the command-line front end of the `ccpulse-sim` load generator.
///
/// Determinism: for the same SimSettings (seed, rate, start, topology knobs) the event stream is
/// bit-for-bit identical on every platform with IEEE doubles and the same libm; the model uses its
/// own PRNG (xoshiro256**) and its own distribution code, never std:: distributions, whose output
/// is implementation-defined.
///
/// Thread-safety: nothing here is thread-safe; a Simulator, a renderer buffer or a publisher is
/// owned by one thread. runSim() only reads its `stop` flag from another thread (a signal handler).

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ccpulse/decode/event.hpp"

namespace ccpulse::sim {

inline constexpr std::uint32_t kNoIndex = 0xffffffffU;

/// Shape of the arrival intensity over the (UTC) day.
enum class Curve : std::uint8_t {
  kDaily,  ///< low at night, peaks late morning and early afternoon, never zero
  kFlat,   ///< constant
};

/// Model parameters. Value type.
struct SimSettings {
  std::uint64_t seed = 1;
  /// Target average events per simulated second (over a day for Curve::kDaily).
  double rate = 200.0;
  Curve curve = Curve::kDaily;
  /// Simulated start time, microseconds since the Unix epoch.
  std::int64_t startUs = 0;
  /// Stop after this much simulated time; 0 = unlimited.
  std::int64_t durationUs = 0;
  /// Stop after this many events; 0 = unlimited.
  std::uint64_t maxEvents = 0;
  /// Topology knobs; all 0 = the built-in 3-tenant, 12-queue topology. A non-zero tenants or
  /// queuesPerTenant generates a synthetic topology (missing knob: 3 tenants / 4 queues).
  std::uint32_t tenants = 0;
  std::uint32_t queuesPerTenant = 0;
  /// Agents per queue pool; 0 = sized automatically from the offered load at peak.
  std::uint32_t agentsPerQueue = 0;
  /// Publisher id (`source`); empty = "sim-<seed>".
  std::string source;
};

/// One queue of the topology. Immutable after construction.
struct SimQueue {
  std::string id;
  std::string tenant;
  std::string vendor;
  Channel channel = Channel::kVoice;
  double weight = 1.0;  ///< share of the arrivals
  std::uint32_t tenantIndex = 0;
  std::vector<std::uint32_t> agents;  ///< pool (agents whose primary queue this is)
};

/// One agent of the topology. Immutable after construction.
struct SimAgent {
  std::string id;
  std::string tenant;
  std::string vendor;
  Channel channel = Channel::kVoice;
  std::uint8_t capacity = 1;               ///< concurrent contacts (chat 2 or 3)
  std::vector<std::uint32_t> queues;       ///< queue indices, primary first, at most kMaxAgentQueues
  std::vector<std::string_view> queueIds;  ///< same, as ids (views into SimQueue::id)
};

struct SimTopology {
  std::vector<std::string> tenants;
  std::vector<SimQueue> queues;
  std::vector<SimAgent> agents;
};

/// One emitted event. The string views and the span point into the Simulator that produced it
/// (topology and constant tables) and stay valid as long as that Simulator lives.
struct SimEvent {
  EventType type = EventType::kContactQueued;
  std::int64_t tsUs = 0;
  std::uint64_t seq = 0;  ///< 1, 2, 3, ... per Simulator
  Channel channel = Channel::kVoice;
  std::string_view source;
  std::string_view tenant;
  std::string_view vendor;
  std::string_view queue;        ///< contact events and survey.result
  std::string_view toQueue;      ///< contact.transferred
  std::string_view agent;        ///< agent events; contact events once an agent is involved
  std::string_view reason;       ///< agent.state aux reason
  std::string_view disposition;  ///< contact.wrapped
  std::uint64_t contact = 0;     ///< contact number, rendered "<source>-c<n>"; 0 = none
  std::uint64_t customer = 0;    ///< customer number, rendered "<tenant>-cust-<n>"; 0 = none
  std::uint32_t queueIndex = kNoIndex;
  std::uint32_t toQueueIndex = kNoIndex;
  std::uint32_t agentIndex = kNoIndex;
  AgentStateKind state = AgentStateKind::kAvailable;
  DequeueReason dequeueReason = DequeueReason::kOther;
  std::int8_t resolved = -1;                      ///< -1 absent, 0 false, 1 true
  std::int8_t contained = -1;                     ///< -1 absent, 0 false, 1 true
  std::uint8_t csat = 0;                          ///< 1..5, 0 = absent
  std::int8_t nps = -1;                           ///< 0..10, -1 = absent
  std::uint8_t capacity = 0;                      ///< agent.login capacity for `channel`
  std::span<const std::string_view> loginQueues;  ///< agent.login `queues`
};

/// The discrete-event model. Not thread-safe.
class Simulator final {
 public:
  explicit Simulator(SimSettings settings);
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  /// Produces the next event in timestamp order; false once --count or --duration is reached.
  bool next(SimEvent& out);

  [[nodiscard]] const SimTopology& topology() const noexcept;
  [[nodiscard]] const SimSettings& settings() const noexcept;
  [[nodiscard]] std::string_view source() const noexcept;
  /// Events returned by next() so far.
  [[nodiscard]] std::uint64_t emitted() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Wire names (the simulator's own, independent of the decoder's tables).
[[nodiscard]] std::string_view eventTypeName(EventType type) noexcept;
[[nodiscard]] std::string_view channelName(Channel channel) noexcept;
[[nodiscard]] std::string_view agentStateName(AgentStateKind state) noexcept;
[[nodiscard]] std::string_view dequeueReasonName(DequeueReason reason) noexcept;

/// Appends `event` as one compact JSON object (no newline) to `out`. Identifiers produced by the
/// model are plain ASCII without quotes or backslashes, so no escaping is needed.
void renderJson(const SimEvent& event, std::string& out);
/// Appends RFC 3339 UTC with microseconds, e.g. 2026-11-23T10:15:30.123456Z.
void appendTimestamp(std::int64_t tsUs, std::string& out);

/// Parses "30s", "10m", "2h", "1d", "250ms", "1500us" or plain seconds into microseconds.
[[nodiscard]] std::optional<std::int64_t> parseDurationUs(std::string_view text) noexcept;
/// Parses RFC 3339 (with 'Z' or a numeric offset, optional fraction) or integer epoch ms.
[[nodiscard]] std::optional<std::int64_t> parseStartUs(std::string_view text) noexcept;

enum class SocketKind : std::uint8_t { kPush, kPub };

/// Everything the command line controls. Value type.
struct SimOptions {
  SimSettings settings;
  std::string endpoint = "tcp://127.0.0.1:5555";
  bool bind = false;
  SocketKind socket = SocketKind::kPush;
  std::string topic;        ///< pub only: first frame
  std::string outPath;      ///< non-empty: write NDJSON there ("-" = stdout) instead of sending
  bool fast = false;        ///< resolved: true = no pacing
  std::uint32_t batch = 1;  ///< events per ZMQ frame (JSON array when > 1)
  std::string logLevel = "info";
  int lingerMs = 2000;
  std::string curveServerKey;  ///< Z85 public key of the CURVE server (ccpulsed); empty = plaintext
  std::string curveSecretKey;  ///< Z85 secret key of this publisher (its public key is derived)
};

struct ParseResult {
  std::optional<SimOptions> options;  ///< set on success
  bool help = false;                  ///< --help was given
  std::string error;                  ///< set on failure
};

/// Parses argv[1..]. `nowUs` is the default --start.
[[nodiscard]] ParseResult parseSimArgs(std::span<const std::string_view> args, std::int64_t nowUs);
[[nodiscard]] std::string_view simUsage() noexcept;

/// Result of a run, for the exit summary.
struct RunStats {
  std::array<std::uint64_t, kEventTypeCount> perType{};
  std::uint64_t events = 0;
  std::uint64_t frames = 0;
  std::uint64_t dropped = 0;  ///< rendered but not sent because of a stop request on a full socket
  double wallSeconds = 0.0;
  std::int64_t simulatedUs = 0;
};

/// Sends events over a ZeroMQ PUSH or PUB socket. Not thread-safe (owns one socket).
class ZmqPublisher final {
 public:
  /// Throws zmq::error_t when the endpoint cannot be connected/bound.
  explicit ZmqPublisher(const SimOptions& options);
  ~ZmqPublisher();
  ZmqPublisher(const ZmqPublisher&) = delete;
  ZmqPublisher& operator=(const ZmqPublisher&) = delete;

  /// Sends one frame (preceded by the topic frame for PUB). Blocks while the socket is full,
  /// re-checking `stop`; returns false if it gave up because `stop` became true.
  bool send(std::string_view payload, const std::atomic<bool>& stop);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Runs the simulator with the given options until done or `stop`; throws on I/O setup errors.
RunStats runSim(const SimOptions& options, const std::atomic<bool>& stop);
/// "sent N events (...) in Xs: contact.queued=..., ..." without a trailing newline.
[[nodiscard]] std::string formatSummary(const RunStats& stats);

}  // namespace ccpulse::sim
