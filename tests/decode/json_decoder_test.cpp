#include "ccpulse/decode/json_decoder.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ccpulse {
namespace {

struct Rejection {
  RejectReason reason;
  std::string detail;
};

class RecordingSink final : public DecodeSink {
 public:
  void onEvent(const Event& event) override {
    events.push_back(event);
    log += 'E';
  }
  void onReject(RejectReason reason, std::string_view detail) override {
    rejects.push_back({reason, std::string(detail)});
    log += 'R';
  }

  std::vector<Event> events;
  std::vector<Rejection> rejects;
  std::string log;  ///< order of callbacks: 'E' event, 'R' reject
};

// 1'700'000'000'000 ms = 2023-11-14T22:13:20Z.
constexpr std::int64_t kTsMs = 1'700'000'000'000;
constexpr std::string_view kTsText = "2023-11-14T22:13:20Z";

// A minimal valid event of each type, with `extra` spliced in as further members.
std::string contactEvent(std::string_view type, std::string_view extra = {}) {
  std::string json = R"({"type":")" + std::string(type) + R"(","ts":1700000000000,"queue":"q1","contact":"c1")";
  if (!extra.empty()) {
    json += ',';
    json += extra;
  }
  return json + '}';
}
std::string agentEvent(std::string_view type, std::string_view extra = {}) {
  std::string json = R"({"type":")" + std::string(type) + R"(","ts":1700000000000,"agent":"a1")";
  if (!extra.empty()) {
    json += ',';
    json += extra;
  }
  return json + '}';
}
std::string surveyEvent(std::string_view extra) {
  return R"({"type":"survey.result","ts":1700000000000,"contact":"c1",)" + std::string(extra) + '}';
}

// The identifier an event carries for a JSON field name.
std::string_view idField(const Event& event, std::string_view field) {
  const std::pair<std::string_view, const Id*> kIds[] = {
      {"id", &event.id},       {"source", &event.publisher}, {"tenant", &event.tenant}, {"vendor", &event.vendor},
      {"queue", &event.queue}, {"contact", &event.contact},  {"agent", &event.agent},   {"customer", &event.customer}};
  for (const auto& [name, id] : kIds) {
    if (name == field) {
      return id->view();
    }
  }
  ADD_FAILURE() << "no identifier field " << field;
  return {};
}

class JsonDecoderTest : public ::testing::Test {
 protected:
  // Decodes a frame that must yield exactly one event.
  Event decodeOne(std::string_view json) {
    RecordingSink sink;
    EXPECT_EQ(decoder_.decode(json, sink), 1U) << json;
    EXPECT_TRUE(sink.rejects.empty()) << json << " rejected: " << toString(sink.rejects.front().reason) << " / "
                                      << sink.rejects.front().detail;
    return sink.events.empty() ? Event{} : sink.events.front();
  }

  // Decodes a frame that must yield exactly one rejection with this reason and detail.
  void expectReject(std::string_view json, RejectReason reason, std::string_view detail) {
    SCOPED_TRACE(std::string(json));
    RecordingSink sink;
    EXPECT_EQ(decoder_.decode(json, sink), 0U);
    EXPECT_TRUE(sink.events.empty());
    ASSERT_EQ(sink.rejects.size(), 1U);
    EXPECT_EQ(toString(sink.rejects.front().reason), toString(reason));
    EXPECT_EQ(sink.rejects.front().detail, detail);
  }

  JsonDecoder decoder_{DecoderSettings{}};
};

// ---------------------------------------------------------------------------------------------
// Common fields and defaults

TEST_F(JsonDecoderTest, MinimalContactEventGetsEveryDefault) {
  const Event event = decodeOne(R"({"type":"contact.queued","ts":1700000000000,"queue":"q1","contact":"c1"})");
  EXPECT_EQ(event.type, EventType::kContactQueued);
  EXPECT_EQ(event.tsUs, kTsMs * 1000);
  EXPECT_EQ(event.queue.view(), "q1");
  EXPECT_EQ(event.contact.view(), "c1");
  EXPECT_EQ(event.tenant.view(), "default");
  EXPECT_EQ(event.vendor.view(), "");
  EXPECT_EQ(event.channel, Channel::kVoice);
  EXPECT_TRUE(event.id.empty());
  EXPECT_TRUE(event.publisher.empty());
  EXPECT_FALSE(event.hasSeq);
  EXPECT_EQ(event.seq, 0U);
  EXPECT_TRUE(event.agent.empty());
  EXPECT_TRUE(event.customer.empty());
  EXPECT_TRUE(event.toQueue.empty());
  EXPECT_EQ(event.dequeueReason, DequeueReason::kOther);
  EXPECT_TRUE(event.reason.empty());
  EXPECT_TRUE(event.disposition.empty());
  EXPECT_EQ(event.resolved, -1);
  EXPECT_EQ(event.contained, -1);
  EXPECT_EQ(event.csat, 0);
  EXPECT_EQ(event.nps, -1);
  EXPECT_EQ(event.queueCount, 0);
  for (const std::uint8_t slots : event.capacity) {
    EXPECT_EQ(slots, 0);
  }
  // Set by ingest, never by the decoder.
  EXPECT_EQ(event.sourceIndex, 0);
  EXPECT_EQ(event.receivedNs, 0);
}

TEST_F(JsonDecoderTest, EveryCommonFieldDecoded) {
  const Event event = decodeOne(R"({
      "type": "contact.answered", "ts": "2023-11-14T23:13:20.250+01:00", "id": "evt-1",
      "source": "pbx-east", "seq": 42, "tenant": "acme", "vendor": "genesys", "queue": "sales",
      "channel": "chat", "contact": "call-9", "agent": "alice", "customer": "cust-7"})");
  EXPECT_EQ(event.type, EventType::kContactAnswered);
  EXPECT_EQ(event.tsUs, kTsMs * 1000 + 250'000);
  EXPECT_EQ(event.id.view(), "evt-1");
  EXPECT_EQ(event.publisher.view(), "pbx-east");
  EXPECT_TRUE(event.hasSeq);
  EXPECT_EQ(event.seq, 42U);
  EXPECT_EQ(event.tenant.view(), "acme");
  EXPECT_EQ(event.vendor.view(), "genesys");
  EXPECT_EQ(event.queue.view(), "sales");
  EXPECT_EQ(event.channel, Channel::kChat);
  EXPECT_EQ(event.contact.view(), "call-9");
  EXPECT_EQ(event.agent.view(), "alice");
  EXPECT_EQ(event.customer.view(), "cust-7");
}

TEST_F(JsonDecoderTest, EveryChannelName) {
  const std::pair<std::string_view, Channel> kChannels[] = {{"voice", Channel::kVoice},   {"chat", Channel::kChat},
                                                            {"sms", Channel::kSms},       {"email", Channel::kEmail},
                                                            {"social", Channel::kSocial}, {"video", Channel::kVideo}};
  for (const auto& [name, channel] : kChannels) {
    EXPECT_EQ(decodeOne(contactEvent("contact.queued", R"("channel":")" + std::string(name) + '"')).channel, channel);
  }
  expectReject(contactEvent("contact.queued", R"("channel":"fax")"), RejectReason::kBadValue, "channel");
  expectReject(contactEvent("contact.queued", R"("channel":"Voice")"), RejectReason::kBadValue, "channel");
}

TEST_F(JsonDecoderTest, NullMeansAbsentForOptionalFields) {
  const Event event = decodeOne(contactEvent(
      "contact.queued",
      R"("id":null,"source":null,"seq":null,"tenant":null,"vendor":null,"channel":null,"agent":null,"customer":null)"));
  EXPECT_EQ(event.tenant.view(), "default");
  EXPECT_EQ(event.channel, Channel::kVoice);
  EXPECT_FALSE(event.hasSeq);
  EXPECT_TRUE(event.id.empty());
  EXPECT_TRUE(event.publisher.empty());
  EXPECT_TRUE(event.agent.empty());
  EXPECT_TRUE(event.customer.empty());
}

TEST_F(JsonDecoderTest, EmptyTenantMeansDefault) {
  EXPECT_EQ(decodeOne(contactEvent("contact.queued", R"("tenant":"")")).tenant.view(), "default");
}

TEST_F(JsonDecoderTest, UnknownFieldsAreIgnored) {
  const Event event = decodeOne(contactEvent(
      "contact.queued", R"("future":{"nested":[1,2,{"deep":null}]},"priority":3,"x-vendor":"yes","TYPE":5)"));
  EXPECT_EQ(event.type, EventType::kContactQueued);
  EXPECT_EQ(event.queue.view(), "q1");
}

TEST_F(JsonDecoderTest, FieldsOfOtherTypesAreIgnored) {
  // `csat`, `state`, `queues`... mean nothing to contact.queued, even when malformed.
  const Event event = decodeOne(contactEvent(
      "contact.queued", R"("csat":"x","state":5,"queues":7,"capacity":[],"contained":"no","reason":3,"to_queue":1)"));
  EXPECT_EQ(event.csat, 0);
  EXPECT_EQ(event.queueCount, 0);
  EXPECT_EQ(event.contained, -1);
  EXPECT_TRUE(event.reason.empty());
  EXPECT_TRUE(event.toQueue.empty());
}

TEST_F(JsonDecoderTest, EscapedStringsAreUnescaped) {
  const Event event = decodeOne(contactEvent("contact.queued", R"("customer":"caf\u00e9 \"x\"")"));
  EXPECT_EQ(event.customer.view(), "caf\xC3\xA9 \"x\"");
}

TEST_F(JsonDecoderTest, DuplicateKeysLastOneWins) {
  EXPECT_EQ(decodeOne(contactEvent("contact.queued", R"("tenant":"a","tenant":"b")")).tenant.view(), "b");
  EXPECT_EQ(decodeOne(contactEvent("contact.queued", R"("tenant":"a","tenant":null)")).tenant.view(), "default");
}

TEST_F(JsonDecoderTest, SequenceNumbers) {
  EXPECT_EQ(decodeOne(contactEvent("contact.queued", R"("seq":0)")).seq, 0U);
  EXPECT_TRUE(decodeOne(contactEvent("contact.queued", R"("seq":0)")).hasSeq);
  EXPECT_EQ(decodeOne(contactEvent("contact.queued", R"("seq":18446744073709551615)")).seq,
            18'446'744'073'709'551'615U);
  expectReject(contactEvent("contact.queued", R"("seq":-1)"), RejectReason::kBadValue, "seq");
  expectReject(contactEvent("contact.queued", R"("seq":1.5)"), RejectReason::kWrongType, "seq");
  expectReject(contactEvent("contact.queued", R"("seq":"7")"), RejectReason::kWrongType, "seq");
}

// ---------------------------------------------------------------------------------------------
// Timestamps

TEST_F(JsonDecoderTest, EpochMillisecondTimestamps) {
  EXPECT_EQ(decodeOne(R"({"type":"agent.logout","ts":1700000000123,"agent":"a"})").tsUs, 1'700'000'000'123'000);
  EXPECT_EQ(decodeOne(R"({"type":"agent.logout","ts":0,"agent":"a"})").tsUs, 0);
  EXPECT_EQ(decodeOne(R"({"type":"agent.logout","ts":-1500,"agent":"a"})").tsUs, -1'500'000);
  // 253'402'300'799'999 ms = 9999-12-31T23:59:59.999Z, the last accepted millisecond.
  EXPECT_EQ(decodeOne(R"({"type":"agent.logout","ts":253402300799999,"agent":"a"})").tsUs, 253'402'300'799'999'000);
  expectReject(R"({"type":"agent.logout","ts":253402300800000,"agent":"a"})", RejectReason::kBadTimestamp, "ts");
  expectReject(R"({"type":"agent.logout","ts":18446744073709551615,"agent":"a"})", RejectReason::kBadTimestamp, "ts");
}

TEST_F(JsonDecoderTest, Rfc3339TimestampsWithOffsets) {
  // 2023-11-14T22:13:20Z is 1'700'000'000 s; the same instant written in three zones.
  constexpr std::int64_t kExpected = kTsMs * 1000 + 123'456;
  EXPECT_EQ(decodeOne(R"({"type":"agent.logout","ts":"2023-11-14T22:13:20.123456Z","agent":"a"})").tsUs, kExpected);
  EXPECT_EQ(decodeOne(R"({"type":"agent.logout","ts":"2023-11-15T03:43:20.123456789+05:30","agent":"a"})").tsUs,
            kExpected);
  EXPECT_EQ(decodeOne(R"({"type":"agent.logout","ts":"2023-11-14t17:13:20.123456-05:00","agent":"a"})").tsUs,
            kExpected);
  // Leap day: 2024-02-29T00:00:00Z = day 19782 * 86400 = 1'709'164'800 s.
  EXPECT_EQ(decodeOne(R"({"type":"agent.logout","ts":"2024-02-29T00:00:00Z","agent":"a"})").tsUs,
            1'709'164'800'000'000);
}

TEST_F(JsonDecoderTest, BadTimestamps) {
  for (const std::string_view ts : {
           R"("2023-02-29T00:00:00Z")",  // not a leap year
           R"("2023-11-14T22:13:20")",   // no offset
           R"("2023-11-14 22:13:20Z")",
           R"("yesterday")",
           R"("")",
           R"("1700000000000")",  // epoch ms as text
           R"(1700000000000.0)",  // not an integer
           R"(1.7e12)",
           R"(true)",
           R"([1700000000000])",
           R"({"ms":1700000000000})",
       }) {
    expectReject(R"({"type":"agent.logout","agent":"a","ts":)" + std::string(ts) + '}', RejectReason::kBadTimestamp,
                 "ts");
  }
}

TEST_F(JsonDecoderTest, MissingTimestamp) {
  expectReject(R"({"type":"agent.logout","agent":"a"})", RejectReason::kMissingField, "ts");
  expectReject(R"({"type":"agent.logout","agent":"a","ts":null})", RejectReason::kMissingField, "ts");
}

// ---------------------------------------------------------------------------------------------
// Per-type fields

TEST_F(JsonDecoderTest, EveryContactTypeDecodes) {
  const std::pair<std::string_view, EventType> kTypes[] = {
      {"contact.queued", EventType::kContactQueued},
      {"contact.answered", EventType::kContactAnswered},
      {"contact.abandoned", EventType::kContactAbandoned},
      {"contact.dequeued", EventType::kContactDequeued},
      {"contact.hold", EventType::kContactHold},
      {"contact.unhold", EventType::kContactUnhold},
      {"contact.transferred", EventType::kContactTransferred},
      {"contact.ended", EventType::kContactEnded},
      {"contact.wrapped", EventType::kContactWrapped},
  };
  for (const auto& [name, type] : kTypes) {
    EXPECT_EQ(decodeOne(contactEvent(name)).type, type) << name;
    expectReject(R"({"type":")" + std::string(name) + R"(","ts":0,"contact":"c"})", RejectReason::kMissingField,
                 "queue");
    expectReject(R"({"type":")" + std::string(name) + R"(","ts":0,"queue":"q"})", RejectReason::kMissingField,
                 "contact");
  }
  EXPECT_EQ(decodeOne(contactEvent("contact.selfservice", R"("contained":true)")).type, EventType::kContactSelfService);
}

TEST_F(JsonDecoderTest, DequeueReasons) {
  EXPECT_EQ(decodeOne(contactEvent("contact.dequeued")).dequeueReason, DequeueReason::kOther);
  EXPECT_EQ(decodeOne(contactEvent("contact.dequeued", R"("reason":null)")).dequeueReason, DequeueReason::kOther);
  EXPECT_EQ(decodeOne(contactEvent("contact.dequeued", R"("reason":"timeout")")).dequeueReason,
            DequeueReason::kTimeout);
  EXPECT_EQ(decodeOne(contactEvent("contact.dequeued", R"("reason":"overflow")")).dequeueReason,
            DequeueReason::kOverflow);
  EXPECT_EQ(decodeOne(contactEvent("contact.dequeued", R"("reason":"callback")")).dequeueReason,
            DequeueReason::kCallback);
  EXPECT_EQ(decodeOne(contactEvent("contact.dequeued", R"("reason":"other")")).dequeueReason, DequeueReason::kOther);
  expectReject(contactEvent("contact.dequeued", R"("reason":"bored")"), RejectReason::kBadValue, "reason");
  expectReject(contactEvent("contact.dequeued", R"("reason":1)"), RejectReason::kWrongType, "reason");
}

TEST_F(JsonDecoderTest, TransferredToQueue) {
  EXPECT_EQ(decodeOne(contactEvent("contact.transferred", R"("to_queue":"billing")")).toQueue.view(), "billing");
  EXPECT_TRUE(decodeOne(contactEvent("contact.transferred")).toQueue.empty());
  expectReject(contactEvent("contact.transferred", R"("to_queue":["billing"])"), RejectReason::kWrongType, "to_queue");
  expectReject(contactEvent("contact.transferred", R"("to_queue":")" + std::string(65, 'q') + '"'),
               RejectReason::kFieldTooLong, "to_queue");
}

TEST_F(JsonDecoderTest, WrappedDispositionAndResolved) {
  const Event resolved = decodeOne(contactEvent("contact.wrapped", R"("disposition":"sale","resolved":true)"));
  EXPECT_EQ(resolved.disposition.view(), "sale");
  EXPECT_EQ(resolved.resolved, 1);
  EXPECT_EQ(decodeOne(contactEvent("contact.wrapped", R"("resolved":false)")).resolved, 0);
  const Event bare = decodeOne(contactEvent("contact.wrapped"));
  EXPECT_TRUE(bare.disposition.empty());
  EXPECT_EQ(bare.resolved, -1);
  // Tags hold kMaxTagLength = 32 bytes.
  EXPECT_EQ(
      decodeOne(contactEvent("contact.wrapped", R"("disposition":")" + std::string(32, 'd') + '"')).disposition.size(),
      32U);
  expectReject(contactEvent("contact.wrapped", R"("disposition":")" + std::string(33, 'd') + '"'),
               RejectReason::kFieldTooLong, "disposition");
  expectReject(contactEvent("contact.wrapped", R"("resolved":"yes")"), RejectReason::kWrongType, "resolved");
  expectReject(contactEvent("contact.wrapped", R"("resolved":1)"), RejectReason::kWrongType, "resolved");
  expectReject(contactEvent("contact.wrapped", R"("disposition":7)"), RejectReason::kWrongType, "disposition");
}

TEST_F(JsonDecoderTest, SelfServiceContained) {
  EXPECT_EQ(decodeOne(contactEvent("contact.selfservice", R"("contained":true)")).contained, 1);
  EXPECT_EQ(decodeOne(contactEvent("contact.selfservice", R"("contained":false)")).contained, 0);
  expectReject(contactEvent("contact.selfservice"), RejectReason::kMissingField, "contained");
  expectReject(contactEvent("contact.selfservice", R"("contained":null)"), RejectReason::kMissingField, "contained");
  expectReject(contactEvent("contact.selfservice", R"("contained":"true")"), RejectReason::kWrongType, "contained");
}

TEST_F(JsonDecoderTest, AgentLoginQueuesAndCapacity) {
  const Event event = decodeOne(
      agentEvent("agent.login", R"("queues":["sales","support","sales"],"capacity":{"chat":3,"email":255,"voice":1})"));
  EXPECT_EQ(event.type, EventType::kAgentLogin);
  EXPECT_EQ(event.agent.view(), "a1");
  ASSERT_EQ(event.queueCount, 2);  // the repeated "sales" is kept once
  EXPECT_EQ(event.queues[0].view(), "sales");
  EXPECT_EQ(event.queues[1].view(), "support");
  EXPECT_EQ(event.capacity[static_cast<std::size_t>(Channel::kVoice)], 1);
  EXPECT_EQ(event.capacity[static_cast<std::size_t>(Channel::kChat)], 3);
  EXPECT_EQ(event.capacity[static_cast<std::size_t>(Channel::kEmail)], 255);
  EXPECT_EQ(event.capacity[static_cast<std::size_t>(Channel::kSms)], 0);

  const Event bare = decodeOne(agentEvent("agent.login"));
  EXPECT_EQ(bare.queueCount, 0);
  EXPECT_EQ(decodeOne(agentEvent("agent.login", R"("queues":[],"capacity":{})")).queueCount, 0);
}

TEST_F(JsonDecoderTest, AgentLoginQueueLimit) {
  std::string sixteen = R"("queues":[)";
  for (std::size_t i = 0; i < kMaxAgentQueues; ++i) {
    sixteen += (i == 0 ? "\"q" : ",\"q") + std::to_string(i) + '"';
  }
  const Event event = decodeOne(agentEvent("agent.login", sixteen + ']'));
  EXPECT_EQ(event.queueCount, kMaxAgentQueues);
  EXPECT_EQ(event.queues[kMaxAgentQueues - 1].view(), "q15");
  expectReject(agentEvent("agent.login", sixteen + R"(,"q16"])"), RejectReason::kBadValue, "queues");
}

TEST_F(JsonDecoderTest, AgentLoginBadQueuesAndCapacity) {
  expectReject(agentEvent("agent.login", R"("queues":"sales")"), RejectReason::kWrongType, "queues");
  expectReject(agentEvent("agent.login", R"("queues":["sales",3])"), RejectReason::kWrongType, "queues");
  expectReject(agentEvent("agent.login", R"("queues":[["sales"]])"), RejectReason::kWrongType, "queues");
  expectReject(agentEvent("agent.login", R"("queues":[null])"), RejectReason::kWrongType, "queues");
  expectReject(agentEvent("agent.login", R"("queues":[""])"), RejectReason::kBadValue, "queues");
  expectReject(agentEvent("agent.login", R"("queues":[")" + std::string(65, 'q') + R"("])"),
               RejectReason::kFieldTooLong, "queues");
  expectReject(agentEvent("agent.login", R"("capacity":3)"), RejectReason::kWrongType, "capacity");
  expectReject(agentEvent("agent.login", R"("capacity":[3])"), RejectReason::kWrongType, "capacity");
  expectReject(agentEvent("agent.login", R"("capacity":{"fax":3})"), RejectReason::kBadValue, "capacity");
  expectReject(agentEvent("agent.login", R"("capacity":{"chat":0})"), RejectReason::kBadValue, "capacity");
  expectReject(agentEvent("agent.login", R"("capacity":{"chat":256})"), RejectReason::kBadValue, "capacity");
  expectReject(agentEvent("agent.login", R"("capacity":{"chat":-1})"), RejectReason::kBadValue, "capacity");
  expectReject(agentEvent("agent.login", R"("capacity":{"chat":"3"})"), RejectReason::kWrongType, "capacity");
  expectReject(agentEvent("agent.login", R"("capacity":{"chat":2.5})"), RejectReason::kWrongType, "capacity");
  expectReject(agentEvent("agent.login", R"("capacity":{"chat":{"max":3}})"), RejectReason::kWrongType, "capacity");
}

TEST_F(JsonDecoderTest, AgentStates) {
  const std::pair<std::string_view, AgentStateKind> kStates[] = {{"available", AgentStateKind::kAvailable},
                                                                 {"busy", AgentStateKind::kBusy},
                                                                 {"acw", AgentStateKind::kAcw},
                                                                 {"aux", AgentStateKind::kAux},
                                                                 {"offline", AgentStateKind::kOffline}};
  for (const auto& [name, state] : kStates) {
    EXPECT_EQ(decodeOne(agentEvent("agent.state", R"("state":")" + std::string(name) + '"')).agentState, state);
  }
  const Event aux = decodeOne(agentEvent("agent.state", R"("state":"aux","reason":"lunch")"));
  EXPECT_EQ(aux.type, EventType::kAgentState);
  EXPECT_EQ(aux.reason.view(), "lunch");
  // The dequeue reason keeps its default: `reason` here is the aux reason tag.
  EXPECT_EQ(aux.dequeueReason, DequeueReason::kOther);

  expectReject(agentEvent("agent.state"), RejectReason::kMissingField, "state");
  expectReject(agentEvent("agent.state", R"("state":null)"), RejectReason::kMissingField, "state");
  expectReject(agentEvent("agent.state", R"("state":"sleeping")"), RejectReason::kBadValue, "state");
  expectReject(agentEvent("agent.state", R"("state":"")"), RejectReason::kBadValue, "state");
  expectReject(agentEvent("agent.state", R"("state":1)"), RejectReason::kWrongType, "state");
  expectReject(agentEvent("agent.state", R"("state":"aux","reason":{"code":1})"), RejectReason::kWrongType, "reason");
  expectReject(agentEvent("agent.state", R"("state":"aux","reason":")" + std::string(33, 'r') + '"'),
               RejectReason::kFieldTooLong, "reason");
}

TEST_F(JsonDecoderTest, AgentEventsRequireAgent) {
  for (const std::string_view type : {"agent.login", "agent.state", "agent.logout"}) {
    const std::string head = R"({"type":")" + std::string(type) + R"(","ts":0,"state":"busy")";
    expectReject(head + '}', RejectReason::kMissingField, "agent");
    expectReject(head + R"(,"agent":""})", RejectReason::kMissingField, "agent");
    expectReject(head + R"(,"agent":null})", RejectReason::kMissingField, "agent");
    expectReject(head + R"(,"agent":12})", RejectReason::kWrongType, "agent");
  }
  const Event logout = decodeOne(agentEvent("agent.logout", R"("queue":"q9")"));
  EXPECT_EQ(logout.type, EventType::kAgentLogout);
  EXPECT_EQ(logout.queue.view(), "q9");  // optional for agent events, kept when given
}

TEST_F(JsonDecoderTest, SurveyResult) {
  const Event event = decodeOne(surveyEvent(R"("csat":5,"nps":10,"queue":"sales")"));
  EXPECT_EQ(event.type, EventType::kSurveyResult);
  EXPECT_EQ(event.contact.view(), "c1");
  EXPECT_EQ(event.queue.view(), "sales");
  EXPECT_EQ(event.csat, 5);
  EXPECT_EQ(event.nps, 10);
  const Event minimal = decodeOne(surveyEvent(R"("csat":1)"));  // no queue needed
  EXPECT_EQ(minimal.csat, 1);
  EXPECT_EQ(minimal.nps, -1);
  EXPECT_EQ(decodeOne(surveyEvent(R"("csat":3,"nps":0)")).nps, 0);

  expectReject(surveyEvent(R"("nps":3)"), RejectReason::kMissingField, "csat");
  expectReject(surveyEvent(R"("csat":0)"), RejectReason::kBadValue, "csat");
  expectReject(surveyEvent(R"("csat":6)"), RejectReason::kBadValue, "csat");
  expectReject(surveyEvent(R"("csat":18446744073709551615)"), RejectReason::kBadValue, "csat");
  expectReject(surveyEvent(R"("csat":"5")"), RejectReason::kWrongType, "csat");
  expectReject(surveyEvent(R"("csat":4.0)"), RejectReason::kWrongType, "csat");
  expectReject(surveyEvent(R"("csat":4,"nps":11)"), RejectReason::kBadValue, "nps");
  expectReject(surveyEvent(R"("csat":4,"nps":-1)"), RejectReason::kBadValue, "nps");
  expectReject(surveyEvent(R"("csat":4,"nps":[9])"), RejectReason::kWrongType, "nps");
  expectReject(R"({"type":"survey.result","ts":0,"csat":4})", RejectReason::kMissingField, "contact");
}

// ---------------------------------------------------------------------------------------------
// Rejections

TEST_F(JsonDecoderTest, TypeProblems) {
  expectReject(R"({"ts":0,"queue":"q","contact":"c"})", RejectReason::kMissingField, "type");
  expectReject(R"({"type":null,"ts":0,"queue":"q","contact":"c"})", RejectReason::kMissingField, "type");
  expectReject(R"({"type":7,"ts":0,"queue":"q","contact":"c"})", RejectReason::kWrongType, "type");
  expectReject(R"({"type":["contact.queued"],"ts":0})", RejectReason::kWrongType, "type");
  expectReject(R"({"type":"contact.teleported","ts":0,"queue":"q","contact":"c"})", RejectReason::kUnknownType, "type");
  expectReject(R"({"type":"","ts":0})", RejectReason::kUnknownType, "type");
  // The type is checked first, whatever else is wrong.
  expectReject(R"({"type":"nope","ts":"garbage"})", RejectReason::kUnknownType, "type");
}

TEST_F(JsonDecoderTest, WrongTypeForEveryStringField) {
  for (const std::string_view field :
       {"id", "source", "tenant", "vendor", "queue", "channel", "contact", "agent", "customer"}) {
    for (const std::string_view bad : {"42", "true", "[\"x\"]", R"({"nested":"x"})", "1.5"}) {
      expectReject(contactEvent("contact.queued", '"' + std::string(field) + "\":" + std::string(bad)),
                   RejectReason::kWrongType, field);
    }
  }
}

TEST_F(JsonDecoderTest, IdentifierLengthLimit) {
  for (const std::string_view field : {"id", "source", "tenant", "vendor", "queue", "contact", "agent", "customer"}) {
    const std::string exact = '"' + std::string(field) + "\":\"" + std::string(kMaxIdLength, 'x') + '"';
    EXPECT_EQ(idField(decodeOne(contactEvent("contact.queued", exact)), field).size(), kMaxIdLength) << field;
    const std::string tooLong = '"' + std::string(field) + "\":\"" + std::string(kMaxIdLength + 1, 'x') + '"';
    expectReject(contactEvent("contact.queued", tooLong), RejectReason::kFieldTooLong, field);
  }
  // The limit is in bytes: 33 two-byte characters are 66 bytes.
  std::string wide;
  for (int i = 0; i < 33; ++i) {
    wide += "\xC3\xA9";
  }
  expectReject(contactEvent("contact.queued", R"("customer":")" + wide + '"'), RejectReason::kFieldTooLong, "customer");
}

TEST_F(JsonDecoderTest, EmptyRequiredIdentifiersAreMissing) {
  expectReject(R"({"type":"contact.queued","ts":0,"queue":"","contact":"c"})", RejectReason::kMissingField, "queue");
  expectReject(R"({"type":"contact.queued","ts":0,"queue":"q","contact":""})", RejectReason::kMissingField, "contact");
  expectReject(R"({"type":"contact.queued","ts":0,"queue":null,"contact":"c"})", RejectReason::kMissingField, "queue");
}

TEST_F(JsonDecoderTest, NotJson) {
  for (const std::string_view frame : {"", "   ", "{", R"({"type":)", "not json", R"({"a":1}{"b":2})", "[1,]",
                                       R"({'type':'x'})", "{\"type\":\"contact.queued\x01\"}"}) {
    SCOPED_TRACE(std::string(frame));
    RecordingSink sink;
    EXPECT_EQ(decoder_.decode(frame, sink), 0U);
    ASSERT_EQ(sink.rejects.size(), 1U);
    EXPECT_EQ(sink.rejects.front().reason, RejectReason::kNotJson);
    EXPECT_FALSE(sink.rejects.front().detail.empty());  // simdjson's message, for the log
  }
  // Invalid UTF-8 inside a string.
  RecordingSink sink;
  EXPECT_EQ(decoder_.decode(contactEvent("contact.queued", "\"customer\":\"\xFF\xFE\""), sink), 0U);
  ASSERT_EQ(sink.rejects.size(), 1U);
  EXPECT_EQ(sink.rejects.front().reason, RejectReason::kNotJson);
}

TEST_F(JsonDecoderTest, NotObject) {
  for (const std::string_view frame : {"5", "\"contact.queued\"", "null", "true", "-1.5"}) {
    expectReject(frame, RejectReason::kNotObject, "");
  }
}

TEST_F(JsonDecoderTest, Oversize) {
  JsonDecoder small(DecoderSettings{.maxFrameBytes = 80});
  const std::string fits = contactEvent("contact.queued");
  ASSERT_LE(fits.size(), 80U);
  const std::string exact = fits.substr(0, fits.size() - 1) + std::string(80 - fits.size(), ' ') + '}';
  ASSERT_EQ(exact.size(), 80U);
  RecordingSink sink;
  EXPECT_EQ(small.decode(exact, sink), 1U);

  // One rejection for the whole frame, even when it is a batch of many events.
  const std::string batch = '[' + fits + ',' + fits + ',' + fits + ']';
  RecordingSink oversized;
  EXPECT_EQ(small.decode(batch, oversized), 0U);
  EXPECT_TRUE(oversized.events.empty());
  ASSERT_EQ(oversized.rejects.size(), 1U);
  EXPECT_EQ(oversized.rejects.front().reason, RejectReason::kOversize);

  RecordingSink justOver;
  EXPECT_EQ(small.decode(exact + ' ', justOver), 0U);
  ASSERT_EQ(justOver.rejects.size(), 1U);
  EXPECT_EQ(justOver.rejects.front().reason, RejectReason::kOversize);
  // Garbage that is too big is oversize, not not_json: the size is checked before parsing.
  RecordingSink garbage;
  EXPECT_EQ(small.decode(std::string(200, '#'), garbage), 0U);
  ASSERT_EQ(garbage.rejects.size(), 1U);
  EXPECT_EQ(garbage.rejects.front().reason, RejectReason::kOversize);
}

// ---------------------------------------------------------------------------------------------
// Batching and reuse

TEST_F(JsonDecoderTest, BatchWithMixedGoodAndBadElements) {
  const std::string frame =
      '[' + contactEvent("contact.queued") + ",5," + R"({"type":"contact.answered","ts":0,"queue":"q1"},)" +
      agentEvent("agent.state", R"("state":"busy")") + R"(,[{"type":"agent.logout"}],)" +
      R"({"type":"contact.queued","ts":"bad","queue":"q","contact":"c"},)" + surveyEvent(R"("csat":4)") + ",null]";
  RecordingSink sink;
  EXPECT_EQ(decoder_.decode(frame, sink), 3U);
  EXPECT_EQ(sink.log, "ERRERRER");
  ASSERT_EQ(sink.events.size(), 3U);
  EXPECT_EQ(sink.events[0].type, EventType::kContactQueued);
  EXPECT_EQ(sink.events[1].type, EventType::kAgentState);
  EXPECT_EQ(sink.events[1].agentState, AgentStateKind::kBusy);
  EXPECT_EQ(sink.events[2].type, EventType::kSurveyResult);
  ASSERT_EQ(sink.rejects.size(), 5U);
  EXPECT_EQ(sink.rejects[0].reason, RejectReason::kNotObject);
  EXPECT_EQ(sink.rejects[1].reason, RejectReason::kMissingField);
  EXPECT_EQ(sink.rejects[1].detail, "contact");
  EXPECT_EQ(sink.rejects[2].reason, RejectReason::kNotObject);  // nested arrays are not flattened
  EXPECT_EQ(sink.rejects[3].reason, RejectReason::kBadTimestamp);
  EXPECT_EQ(sink.rejects[3].detail, "ts");
  EXPECT_EQ(sink.rejects[4].reason, RejectReason::kNotObject);
}

TEST_F(JsonDecoderTest, EmptyBatch) {
  RecordingSink sink;
  EXPECT_EQ(decoder_.decode("[]", sink), 0U);
  EXPECT_TRUE(sink.log.empty());
}

TEST_F(JsonDecoderTest, InputNeedNotBePaddedOrTerminated) {
  // The frame is a view into a larger buffer whose following bytes would break the JSON if the
  // parser read past the view.
  const std::string json = contactEvent("contact.queued");
  const std::string buffer = json + R"(,"queue":"WRONG"}}}})";
  const Event event = decodeOne(std::string_view(buffer.data(), json.size()));
  EXPECT_EQ(event.queue.view(), "q1");
}

TEST_F(JsonDecoderTest, DecoderRecoversAfterErrors) {
  RecordingSink sink;
  EXPECT_EQ(decoder_.decode("{broken", sink), 0U);
  EXPECT_EQ(decoder_.decode(std::string(4096, '['), sink), 0U);
  EXPECT_EQ(decoder_.decode(contactEvent("contact.queued"), sink), 1U);
  // A large frame grows the parser's buffers, a smaller one afterwards still parses correctly.
  std::string big = "[";
  for (int i = 0; i < 200; ++i) {
    big += (i == 0 ? "" : ",") + contactEvent("contact.hold");
  }
  big += ']';
  EXPECT_EQ(decoder_.decode(big, sink), 200U);
  EXPECT_EQ(decoder_.decode(agentEvent("agent.logout"), sink), 1U);
  EXPECT_EQ(sink.events.back().type, EventType::kAgentLogout);
}

TEST_F(JsonDecoderTest, FieldsNeverLeakBetweenEvents) {
  // A maximal event followed by minimal ones, both in one batch and across frames: every
  // optional field of the minimal ones must be back at its default each time.
  const std::string full = R"({"type":"agent.login","ts":"2024-02-29T00:00:00Z","id":"i","source":"s","seq":9,)"
                           R"("tenant":"t","vendor":"v","queue":"q","channel":"video","contact":"c","agent":"a",)"
                           R"("customer":"cu","queues":["q1","q2"],"capacity":{"chat":4}})";
  const std::string fullState = agentEvent("agent.state", R"("state":"aux","reason":"lunch")");
  const std::string fullWrap = contactEvent("contact.wrapped", R"("disposition":"d","resolved":true)");
  const std::string fullSurvey = surveyEvent(R"("csat":2,"nps":7)");
  const std::string minimal = R"({"type":"agent.logout","ts":0,"agent":"b"})";
  const std::string batch =
      '[' + full + ',' + minimal + ',' + fullState + ',' + fullWrap + ',' + fullSurvey + ',' + minimal + ']';

  const auto expectMinimal = [](const Event& event) {
    EXPECT_EQ(event.type, EventType::kAgentLogout);
    EXPECT_EQ(event.tsUs, 0);
    EXPECT_EQ(event.agent.view(), "b");
    EXPECT_TRUE(event.id.empty());
    EXPECT_TRUE(event.publisher.empty());
    EXPECT_FALSE(event.hasSeq);
    EXPECT_EQ(event.seq, 0U);
    EXPECT_EQ(event.tenant.view(), "default");
    EXPECT_TRUE(event.vendor.empty());
    EXPECT_TRUE(event.queue.empty());
    EXPECT_EQ(event.channel, Channel::kVoice);
    EXPECT_TRUE(event.contact.empty());
    EXPECT_TRUE(event.customer.empty());
    EXPECT_TRUE(event.reason.empty());
    EXPECT_TRUE(event.disposition.empty());
    EXPECT_EQ(event.agentState, AgentStateKind::kAvailable);
    EXPECT_EQ(event.resolved, -1);
    EXPECT_EQ(event.csat, 0);
    EXPECT_EQ(event.nps, -1);
    EXPECT_EQ(event.queueCount, 0);
    EXPECT_TRUE(event.queues[0].empty());
    EXPECT_EQ(event.capacity[static_cast<std::size_t>(Channel::kChat)], 0);
  };

  for (int round = 0; round < 1000; ++round) {
    RecordingSink sink;
    ASSERT_EQ(decoder_.decode(batch, sink), 6U);
    ASSERT_EQ(sink.events.size(), 6U);
    expectMinimal(sink.events[1]);
    expectMinimal(sink.events[5]);
    EXPECT_EQ(sink.events[0].queueCount, 2);
    EXPECT_EQ(sink.events[0].capacity[static_cast<std::size_t>(Channel::kChat)], 4);

    RecordingSink single;
    ASSERT_EQ(decoder_.decode(full, single), 1U);
    ASSERT_EQ(decoder_.decode(minimal, single), 1U);
    expectMinimal(single.events[1]);
    if (::testing::Test::HasFailure()) {
      break;  // one round's worth of failures is enough to read
    }
  }
}

}  // namespace
}  // namespace ccpulse
