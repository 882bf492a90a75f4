#pragma once
/// The canonical event (schema v1) as decoded on an ingest thread and carried by value through
/// the shard rings. Trivially copyable, fixed size, no heap: a value type, not thread-safe.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "ccpulse/common/fixed_string.hpp"

namespace ccpulse {

/// Identifiers (tenant, queue, contact, agent, ...) longer than this are rejected as `field_too_long`.
inline constexpr std::size_t kMaxIdLength = 64;
/// Short enumerated strings (aux reason, disposition).
inline constexpr std::size_t kMaxTagLength = 32;
/// Queues one `agent.login` may name.
inline constexpr std::size_t kMaxAgentQueues = 16;

using Id = FixedString<kMaxIdLength>;
using Tag = FixedString<kMaxTagLength>;

enum class EventType : std::uint8_t {
  kContactQueued,
  kContactAnswered,
  kContactAbandoned,
  kContactDequeued,
  kContactHold,
  kContactUnhold,
  kContactTransferred,
  kContactEnded,
  kContactWrapped,
  kContactSelfService,
  kAgentLogin,
  kAgentState,
  kAgentLogout,
  kSurveyResult,
};
inline constexpr std::size_t kEventTypeCount = 14;

enum class Channel : std::uint8_t { kVoice, kChat, kSms, kEmail, kSocial, kVideo };
inline constexpr std::size_t kChannelCount = 6;

enum class AgentStateKind : std::uint8_t { kAvailable, kBusy, kAcw, kAux, kOffline };
inline constexpr std::size_t kAgentStateKindCount = 5;

enum class DequeueReason : std::uint8_t { kTimeout, kOverflow, kCallback, kOther };
inline constexpr std::size_t kDequeueReasonCount = 4;

[[nodiscard]] std::string_view toString(EventType type) noexcept;
[[nodiscard]] std::string_view toString(Channel channel) noexcept;
[[nodiscard]] std::string_view toString(AgentStateKind state) noexcept;
[[nodiscard]] std::string_view toString(DequeueReason reason) noexcept;
[[nodiscard]] std::optional<EventType> parseEventType(std::string_view text) noexcept;
[[nodiscard]] std::optional<Channel> parseChannel(std::string_view text) noexcept;
[[nodiscard]] std::optional<AgentStateKind> parseAgentState(std::string_view text) noexcept;
[[nodiscard]] std::optional<DequeueReason> parseDequeueReason(std::string_view text) noexcept;

[[nodiscard]] constexpr bool isContactEvent(EventType type) noexcept { return type <= EventType::kContactSelfService; }
[[nodiscard]] constexpr bool isAgentEvent(EventType type) noexcept {
  return type == EventType::kAgentLogin || type == EventType::kAgentState || type == EventType::kAgentLogout;
}

inline constexpr std::uint8_t kLegContact = 1;
inline constexpr std::uint8_t kLegTransferTarget = 2;
inline constexpr std::uint8_t kLegAgent = 4;

struct Event {
  EventType type = EventType::kContactQueued;
  Channel channel = Channel::kVoice;
  /// Index of the configured source that received it (set by ingest, not by the decoder).
  std::uint16_t sourceIndex = 0;
  /// Event time, microseconds since the Unix epoch.
  std::int64_t tsUs = 0;
  /// steady_clock nanoseconds when the frame was received (for apply latency).
  std::int64_t receivedNs = 0;
  /// Where the source resumes after this event (a file source's byte offset past its line; 0 =
  /// the source has no resumable position). Set by ingest, not by decoders; journaled with the
  /// event so a restart continues exactly after the last applied one.
  std::uint64_t sourcePosition = 0;
  bool hasSeq = false;
  std::uint64_t seq = 0;

  Id id;         ///< optional unique id; empty when absent
  Id publisher;  ///< JSON `source`: publisher id for sequence tracking
  Id tenant;     ///< defaults to "default"
  Id vendor;     ///< defaults to empty
  Id queue;
  Id contact;
  Id agent;
  Id customer;
  Id toQueue;  ///< contact.transferred `to_queue`

  // Type-specific fields.
  DequeueReason dequeueReason = DequeueReason::kOther;
  AgentStateKind agentState = AgentStateKind::kAvailable;
  Tag reason;                  ///< agent.state `reason` (aux reason)
  Tag disposition;             ///< contact.wrapped `disposition`
  std::int8_t resolved = -1;   ///< contact.wrapped `resolved`: -1 absent, 0 false, 1 true
  std::int8_t contained = -1;  ///< contact.selfservice `contained`: -1 absent, 0 false, 1 true
  std::uint8_t csat = 0;       ///< survey.result 1..5
  std::int8_t nps = -1;        ///< survey.result 0..10, -1 absent

  /// Set by routing, not decoded: which parts of the event this copy carries to its shard.
  /// Bit 1: the contact in its queue. Bit 2: a contact.transferred's target queue. Bit 4: the
  /// agent handling the contact (contact.answered / contact.wrapped with `agent`), whose shard
  /// counts the agent's concurrent contacts for occupancy.
  std::uint8_t legs = kLegContact | kLegTransferTarget;

  std::uint8_t queueCount = 0;  ///< agent.login `queues`
  std::array<Id, kMaxAgentQueues> queues{};
  /// agent.login `capacity` per channel (index = Channel); 0 = not given (means 1).
  std::array<std::uint8_t, kChannelCount> capacity{};
};

}  // namespace ccpulse
