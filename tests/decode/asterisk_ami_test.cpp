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

// app_queue publishes the member's device state (QueueMemberStatus) asynchronously, so its InCall
// races with AgentConnect / AgentComplete: "in use, InCall 0" can come just after AgentConnect and
// "not in use, InCall 1" just after AgentComplete. Neither may flip the agent's state: while
// connected, the call count comes from AgentConnect / AgentComplete.
TEST(AsteriskAmiTest, DeviceStateStatusRacingAgentConnectAndCompleteChangesNothing) {
  AsteriskAmiDecoder decoder(settings());
  Collect sink;
  const std::string member =
      "Queue: support\r\nMemberName: PJSIP/alice\r\nInterface: PJSIP/alice\r\nStateInterface: PJSIP/alice\r\n"
      "Membership: dynamic\r\nPenalty: 0\r\nCallsTaken: 0\r\nLastCall: 0\r\nLastPause: 0\r\nLoginTime: 0\r\n";
  decoder.decode("Event: QueueCallerJoin\r\nTimestamp: 1795425300.000000\r\nUniqueid: c1\r\nQueue: support\r\n\r\n",
                 sink);
  decoder.decode(
      "Event: AgentConnect\r\nTimestamp: 1795425305.000000\r\nUniqueid: c1\r\nQueue: support\r\n"
      "MemberName: PJSIP/alice\r\nHoldTime: 5\r\nRingTime: 2\r\n\r\n",
      sink);
  ASSERT_EQ(sink.events.size(), 4U);  // queued, login, answered, busy
  ASSERT_EQ(sink.events[3].agentState, AgentStateKind::kBusy);
  decoder.decode("Event: QueueMemberStatus\r\nTimestamp: 1795425305.000000\r\n" + member +
                     "InCall: 0\r\nStatus: 2\r\nPaused: 0\r\nPausedReason: \r\n\r\n",
                 sink);
  EXPECT_EQ(sink.events.size(), 4U);  // still busy
  decoder.decode(
      "Event: AgentComplete\r\nTimestamp: 1795425365.000000\r\nUniqueid: c1\r\nQueue: support\r\n"
      "MemberName: PJSIP/alice\r\nHoldTime: 5\r\nTalkTime: 60\r\nReason: caller\r\n\r\n",
      sink);
  ASSERT_EQ(sink.events.size(), 6U);  // wrapped, available
  EXPECT_EQ(sink.events[5].agentState, AgentStateKind::kAvailable);
  decoder.decode("Event: QueueMemberStatus\r\nTimestamp: 1795425365.000000\r\n" + member +
                     "InCall: 1\r\nStatus: 1\r\nPaused: 0\r\nPausedReason: \r\n\r\n",
                 sink);
  EXPECT_EQ(sink.events.size(), 6U);  // still available
  // A pause is still taken from QueueMemberStatus / QueueMemberPause.
  decoder.decode("Event: QueueMemberPause\r\nTimestamp: 1795425400.000000\r\n" + member +
                     "InCall: 0\r\nStatus: 1\r\nPaused: 1\r\nPausedReason: lunch\r\n\r\n",
                 sink);
  ASSERT_EQ(sink.events.size(), 7U);
  EXPECT_EQ(sink.events[6].agentState, AgentStateKind::kAux);
  EXPECT_EQ(sink.events[6].reason.view(), "lunch");
}

// A member the QueueStatus snapshot shows in a call (InCall 1) is busy; the AgentComplete of that
// call (never seen connecting) ends that same call: the member is available after it, not still
// busy with a phantom second call.
TEST(AsteriskAmiTest, SnapshotInCallIsTheCallTheNextUnseenAgentCompleteEnds) {
  AsteriskAmiDecoder decoder(settings());
  Collect sink;
  decoder.decode(
      "Response: Success\r\nActionID: ccpulse-status\r\nEventList: start\r\nMessage: Queue status will follow\r\n\r\n",
      sink);
  decoder.decode(
      "Event: QueueMember\r\nQueue: support\r\nName: PJSIP/bob\r\nLocation: PJSIP/bob\r\nStateInterface: PJSIP/bob\r\n"
      "Membership: dynamic\r\nPenalty: 0\r\nCallsTaken: 3\r\nLastCall: 1795425000\r\nLastPause: 0\r\n"
      "LoginTime: 1795420000\r\nInCall: 1\r\nStatus: 2\r\nPaused: 0\r\nPausedReason: \r\nWrapuptime: 0\r\n"
      "ActionID: ccpulse-status\r\n\r\n",
      sink);
  decoder.decode(
      "Event: QueueStatusComplete\r\nActionID: ccpulse-status\r\nEventList: Complete\r\nListItems: 1\r\n\r\n", sink);
  ASSERT_EQ(sink.events.size(), 2U);  // login, busy
  EXPECT_EQ(sink.events[1].agentState, AgentStateKind::kBusy);
  decoder.decode(
      "Event: AgentComplete\r\nTimestamp: 1795425340.000000\r\nUniqueid: p0\r\nQueue: support\r\n"
      "MemberName: PJSIP/bob\r\nHoldTime: 9\r\nTalkTime: 100\r\nReason: agent\r\n\r\n",
      sink);
  // queued at 1795425340 - 100 - 9, answered at - 100 (busy), wrapped, then bob is available.
  ASSERT_EQ(sink.events.size(), 7U);
  EXPECT_EQ(sink.events[2].type, EventType::kContactQueued);
  EXPECT_EQ(sink.events[2].tsUs, 1'795'425'231'000'000);
  EXPECT_EQ(sink.events[3].type, EventType::kContactAnswered);
  EXPECT_EQ(sink.events[5].type, EventType::kContactWrapped);
  EXPECT_EQ(sink.events[6].type, EventType::kAgentState);
  EXPECT_EQ(sink.events[6].agentState, AgentStateKind::kAvailable);
  EXPECT_EQ(decoder.trackedCalls(), 0U);
}

}  // namespace
}  // namespace ccpulse
