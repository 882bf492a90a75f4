#include "ccpulse/decode/event.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <string_view>
#include <type_traits>

#include "ccpulse/decode/json_decoder.hpp"

namespace ccpulse {
namespace {

// Events are copied by value into ring slots: they must stay trivially copyable.
static_assert(std::is_trivially_copyable_v<Event>);

TEST(EventNamesTest, EventTypeNamesRoundTrip) {
  constexpr std::string_view kExpected[] = {
      "contact.queued", "contact.answered",    "contact.abandoned", "contact.dequeued", "contact.hold",
      "contact.unhold", "contact.transferred", "contact.ended",     "contact.wrapped",  "contact.selfservice",
      "agent.login",    "agent.state",         "agent.logout",      "survey.result",
  };
  static_assert(std::size(kExpected) == kEventTypeCount);
  for (std::size_t i = 0; i < kEventTypeCount; ++i) {
    const auto type = static_cast<EventType>(i);
    EXPECT_EQ(toString(type), kExpected[i]);
    EXPECT_EQ(parseEventType(kExpected[i]), type);
  }
}

TEST(EventNamesTest, ChannelNamesRoundTrip) {
  constexpr std::string_view kExpected[] = {"voice", "chat", "sms", "email", "social", "video"};
  static_assert(std::size(kExpected) == kChannelCount);
  for (std::size_t i = 0; i < kChannelCount; ++i) {
    const auto channel = static_cast<Channel>(i);
    EXPECT_EQ(toString(channel), kExpected[i]);
    EXPECT_EQ(parseChannel(kExpected[i]), channel);
  }
}

TEST(EventNamesTest, AgentStateNamesRoundTrip) {
  constexpr std::string_view kExpected[] = {"available", "busy", "acw", "aux", "offline"};
  static_assert(std::size(kExpected) == kAgentStateKindCount);
  for (std::size_t i = 0; i < kAgentStateKindCount; ++i) {
    const auto state = static_cast<AgentStateKind>(i);
    EXPECT_EQ(toString(state), kExpected[i]);
    EXPECT_EQ(parseAgentState(kExpected[i]), state);
  }
}

TEST(EventNamesTest, DequeueReasonNamesRoundTrip) {
  constexpr std::string_view kExpected[] = {"timeout", "overflow", "callback", "other"};
  static_assert(std::size(kExpected) == kDequeueReasonCount);
  for (std::size_t i = 0; i < kDequeueReasonCount; ++i) {
    const auto reason = static_cast<DequeueReason>(i);
    EXPECT_EQ(toString(reason), kExpected[i]);
    EXPECT_EQ(parseDequeueReason(kExpected[i]), reason);
  }
}

TEST(EventNamesTest, RejectReasonNames) {
  constexpr std::string_view kExpected[] = {
      "not_json",  "not_object", "missing_field", "wrong_type",  "unknown_type", "bad_timestamp",  "field_too_long",
      "bad_value", "oversize",   "bad_encoding",  "unsupported", "stale_record", "too_few_fields", "malformed_message"};
  static_assert(std::size(kExpected) == kRejectReasonCount);
  for (std::size_t i = 0; i < kRejectReasonCount; ++i) {
    EXPECT_EQ(toString(static_cast<RejectReason>(i)), kExpected[i]);
  }
}

TEST(EventNamesTest, ParsingIsExactAndCaseSensitive) {
  EXPECT_FALSE(parseEventType("Contact.Queued"));
  EXPECT_FALSE(parseEventType("contact.queued "));
  EXPECT_FALSE(parseEventType("contact"));
  EXPECT_FALSE(parseEventType(""));
  EXPECT_FALSE(parseEventType("contact.self_service"));
  EXPECT_FALSE(parseChannel("Voice"));
  EXPECT_FALSE(parseChannel("phone"));
  EXPECT_FALSE(parseAgentState("AVAILABLE"));
  EXPECT_FALSE(parseAgentState("idle"));
  EXPECT_FALSE(parseDequeueReason("timed_out"));
}

TEST(EventNamesTest, OutOfRangeEnumHasEmptyName) {
  EXPECT_EQ(toString(static_cast<EventType>(200)), "");
  EXPECT_EQ(toString(static_cast<Channel>(200)), "");
}

TEST(EventNamesTest, EventClassification) {
  for (std::size_t i = 0; i < kEventTypeCount; ++i) {
    const auto type = static_cast<EventType>(i);
    const std::string_view name = toString(type);
    EXPECT_EQ(isContactEvent(type), name.starts_with("contact.")) << name;
    EXPECT_EQ(isAgentEvent(type), name.starts_with("agent.")) << name;
  }
}

}  // namespace
}  // namespace ccpulse
