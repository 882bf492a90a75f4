// asterisk_ami decoder: AMI messages shaped as the Asterisk documentation shows them (Key: Value
// lines, CRLF) mapped onto canonical events. The connection side (login, QueueStatus, reconnect)
// is tests/ingest/ami_source_test.cpp.

#include "ccpulse/decode/asterisk_ami.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ccpulse {
namespace {

struct Collect final : DecodeSink {
  std::vector<Event> events;
  std::vector<std::pair<RejectReason, std::string>> rejects;
  std::vector<std::string> ignored;
  void onEvent(const Event& e) override { events.push_back(e); }
  void onReject(RejectReason r, std::string_view d) override { rejects.emplace_back(r, std::string(d)); }
  void onIgnored(std::string_view w) override { ignored.emplace_back(w); }
};

SourceSettings settings() {
  SourceSettings s;
  s.format = SourceFormat::kAsteriskAmi;
  s.adapter.tenant = "acme";
  s.adapter.channel = Channel::kVoice;
  return s;
}

TEST(AsteriskAmiTest, CallLifecycleWithVendorTimestampsAndTransferReason) {
  AsteriskAmiDecoder decoder(settings());
  Collect sink;
  decoder.decode(
      "Event: QueueCallerJoin\r\nPrivilege: agent,all\r\nTimestamp: 1795425301.250000\r\nChannel: "
      "PJSIP/trunk-00000001\r\n"
      "Uniqueid: 1795425301.7\r\nLinkedid: 1795425301.7\r\nCallerIDNum: 5550101\r\nQueue: support\r\nPosition: 1\r\n"
      "Count: 1\r\n\r\n",
      sink);
  decoder.decode(
      "Event: AgentConnect\r\nTimestamp: 1795425311.000000\r\nUniqueid: 1795425301.7\r\nQueue: support\r\n"
      "Interface: PJSIP/alice\r\nMemberName: PJSIP/alice\r\nHoldTime: 10\r\nRingTime: 4\r\n\r\n",
      sink);
  decoder.decode(
      "Event: AgentComplete\r\nTimestamp: 1795425371.000000\r\nUniqueid: 1795425301.7\r\nQueue: support\r\n"
      "Interface: PJSIP/alice\r\nMemberName: PJSIP/alice\r\nHoldTime: 10\r\nTalkTime: 60\r\nReason: transfer\r\n\r\n",
      sink);
  ASSERT_EQ(sink.events.size(),
            7U);  // queued, login (implicit member), answered, busy, transferred, wrapped, available
  EXPECT_EQ(sink.events[0].type, EventType::kContactQueued);
  EXPECT_EQ(sink.events[0].tsUs, 1'795'425'301'250'000);
  EXPECT_EQ(sink.events[0].customer.view(), "5550101");
  EXPECT_EQ(sink.events[1].type, EventType::kAgentLogin);
  EXPECT_EQ(sink.events[2].type, EventType::kContactAnswered);
  EXPECT_EQ(sink.events[4].type, EventType::kContactTransferred);
  EXPECT_EQ(sink.events[5].type, EventType::kContactWrapped);
  EXPECT_EQ(sink.events[5].tsUs, 1'795'425'371'000'000);
  EXPECT_TRUE(sink.rejects.empty());
}

TEST(AsteriskAmiTest, MalformedMessagesAreCountedPerReason) {
  AsteriskAmiDecoder decoder(settings());
  Collect sink;
  const std::vector<std::pair<std::string, std::pair<RejectReason, std::string>>> cases = {
      {"no colon here\r\n\r\n", {RejectReason::kMalformedMessage, "line"}},
      {"\r\n", {RejectReason::kMalformedMessage, "empty"}},
      {"Event: QueueCallerJoin\r\nTimestamp: soon\r\nUniqueid: c\r\nQueue: q\r\n",
       {RejectReason::kBadTimestamp, "Timestamp"}},
      {"Event: QueueCallerJoin\r\nTimestamp: 1795425300\r\nQueue: q\r\n", {RejectReason::kMissingField, "Uniqueid"}},
      {"Event: AgentConnect\r\nTimestamp: 1795425300\r\nUniqueid: c\r\nQueue: q\r\n",
       {RejectReason::kMissingField, "MemberName"}},
      {"Event: AgentConnect\r\nTimestamp: 1795425300\r\nUniqueid: c\r\nQueue: q\r\nMemberName: a\r\nHoldTime: x\r\n",
       {RejectReason::kBadValue, "HoldTime"}},
  };
  for (const auto& [text, expected] : cases) {
    SCOPED_TRACE(text);
    sink.rejects.clear();
    decoder.decode(text, sink);
    ASSERT_EQ(sink.rejects.size(), 1U);
    EXPECT_EQ(sink.rejects[0].first, expected.first);
    EXPECT_EQ(sink.rejects[0].second, expected.second);
  }
  // Other AMI traffic is well-formed and ignored, not rejected.
  decoder.decode("Event: Newchannel\r\nChannel: PJSIP/x\r\n\r\n", sink);
  decoder.decode("Response: Success\r\nActionID: 1\r\nMessage: Authentication accepted\r\n\r\n", sink);
  EXPECT_EQ(sink.ignored, (std::vector<std::string>{"Newchannel", "response"}));
}

}  // namespace
}  // namespace ccpulse
