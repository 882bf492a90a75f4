#include "ccpulse/decode/event.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace ccpulse {
namespace {

// Name tables are indexed by the enum's underlying value, so their order must follow the enum
// declarations in event.hpp; the static_asserts catch a table that drifts in length.
constexpr std::array<std::string_view, kEventTypeCount> kEventTypeNames = {
    "contact.queued", "contact.answered",    "contact.abandoned", "contact.dequeued", "contact.hold",
    "contact.unhold", "contact.transferred", "contact.ended",     "contact.wrapped",  "contact.selfservice",
    "agent.login",    "agent.state",         "agent.logout",      "survey.result",
};
constexpr std::array<std::string_view, kChannelCount> kChannelNames = {"voice", "chat",   "sms",
                                                                       "email", "social", "video"};
constexpr std::array<std::string_view, kAgentStateKindCount> kAgentStateNames = {"available", "busy", "acw", "aux",
                                                                                 "offline"};
constexpr std::array<std::string_view, kDequeueReasonCount> kDequeueReasonNames = {"timeout", "overflow", "callback",
                                                                                   "other"};

static_assert(static_cast<std::size_t>(EventType::kSurveyResult) + 1 == kEventTypeCount);
static_assert(static_cast<std::size_t>(Channel::kVideo) + 1 == kChannelCount);
static_assert(static_cast<std::size_t>(AgentStateKind::kOffline) + 1 == kAgentStateKindCount);
static_assert(static_cast<std::size_t>(DequeueReason::kOther) + 1 == kDequeueReasonCount);

template <typename Enum, std::size_t N>
std::string_view nameOf(const std::array<std::string_view, N>& names, Enum value) noexcept {
  const auto index = static_cast<std::size_t>(value);
  // An out-of-range value can only come from a cast bug; an empty name is easier to spot in
  // output than undefined behaviour.
  return index < N ? names[index] : std::string_view{};
}

// Linear scans: the tables are tiny (<= 14 entries) and this is faster than hashing for them.
template <typename Enum, std::size_t N>
std::optional<Enum> parseName(const std::array<std::string_view, N>& names, std::string_view text) noexcept {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == text) {
      return static_cast<Enum>(i);
    }
  }
  return std::nullopt;
}

}  // namespace

std::string_view toString(EventType type) noexcept { return nameOf(kEventTypeNames, type); }
std::string_view toString(Channel channel) noexcept { return nameOf(kChannelNames, channel); }
std::string_view toString(AgentStateKind state) noexcept { return nameOf(kAgentStateNames, state); }
std::string_view toString(DequeueReason reason) noexcept { return nameOf(kDequeueReasonNames, reason); }

std::optional<EventType> parseEventType(std::string_view text) noexcept {
  return parseName<EventType>(kEventTypeNames, text);
}
std::optional<Channel> parseChannel(std::string_view text) noexcept { return parseName<Channel>(kChannelNames, text); }
std::optional<AgentStateKind> parseAgentState(std::string_view text) noexcept {
  return parseName<AgentStateKind>(kAgentStateNames, text);
}
std::optional<DequeueReason> parseDequeueReason(std::string_view text) noexcept {
  return parseName<DequeueReason>(kDequeueReasonNames, text);
}

}  // namespace ccpulse
