// asterisk_queue_log: queue_log lines shaped as Asterisk's app_queue writes them
// (epoch|callid|queue|agent|EVENT|data...; see Asterisk's "Queue Logs" documentation) mapped onto
// canonical events, with per-source state (queued time, memberships, pause, calls held).

#include "ccpulse/decode/asterisk_queue_log.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ccpulse/config/config.hpp"

namespace ccpulse {
namespace {

struct Collect final : DecodeSink {
  std::vector<Event> events;
  std::vector<std::pair<RejectReason, std::string>> rejects;
  std::vector<std::string> ignored;
  std::vector<std::string> evicted;
  void onEvent(const Event& e) override { events.push_back(e); }
  void onReject(RejectReason r, std::string_view d) override { rejects.emplace_back(r, std::string(d)); }
  void onIgnored(std::string_view w) override { ignored.emplace_back(w); }
  void onStateEvicted(std::string_view w) override { evicted.emplace_back(w); }
  void clear() {
    events.clear();
    rejects.clear();
    ignored.clear();
    evicted.clear();
  }
};

constexpr std::int64_t kT = 1'795'425'300;  // 2026-11-23T09:15:00Z, epoch seconds
std::int64_t us(std::int64_t seconds) { return seconds * 1'000'000; }

SourceSettings settings() {
  SourceSettings s;
  s.format = SourceFormat::kAsteriskQueueLog;
  s.adapter.tenant = "acme";
  s.adapter.vendor = "bpo-east";
  return s;
}

std::string line(std::int64_t ts, std::string_view rest) { return std::to_string(ts) + "|" + std::string(rest); }

TEST(AsteriskQueueLogTest, AnsweredCallKeepsVendorTimesAndSourceDefaults) {
  AsteriskQueueLogDecoder decoder(settings());
  Collect sink;
  EXPECT_EQ(decoder.decode(line(kT, "1700000001.42|support|NONE|ENTERQUEUE||5551234|1"), sink), 1U);
  ASSERT_EQ(sink.events.size(), 1U);
  const Event& q = sink.events[0];
  EXPECT_EQ(q.type, EventType::kContactQueued);
  EXPECT_EQ(q.tsUs, us(kT));
  EXPECT_EQ(q.contact.view(), "1700000001.42");
  EXPECT_EQ(q.queue.view(), "support");
  EXPECT_EQ(q.customer.view(), "5551234");
  EXPECT_EQ(q.tenant.view(), "acme");
  EXPECT_EQ(q.vendor.view(), "bpo-east");
  EXPECT_EQ(q.channel, Channel::kVoice);
  EXPECT_EQ(decoder.trackedCalls(), 1U);

  sink.clear();
  // CONNECT holdtime|bridgedchanneluniqueid|ringtime. The agent is a static member (no ADDMEMBER
  // seen): answering shows it is a member of the queue, so it is logged in there first.
  decoder.decode(line(kT + 12, "1700000001.42|support|PJSIP/alice|CONNECT|12|1700000002.43|3"), sink);
  ASSERT_EQ(sink.events.size(), 3U);
  EXPECT_EQ(sink.events[0].type, EventType::kAgentLogin);
  ASSERT_EQ(sink.events[0].queueCount, 1U);
  EXPECT_EQ(sink.events[0].queues[0].view(), "support");
  EXPECT_EQ(sink.events[1].type, EventType::kContactAnswered);
  EXPECT_EQ(sink.events[1].tsUs, us(kT + 12));
  EXPECT_EQ(sink.events[1].agent.view(), "PJSIP/alice");
  EXPECT_EQ(sink.events[2].type, EventType::kAgentState);
  EXPECT_EQ(sink.events[2].agentState, AgentStateKind::kBusy);

  sink.clear();
  // COMPLETECALLER holdtime|calltime|origposition
  decoder.decode(line(kT + 112, "1700000001.42|support|PJSIP/alice|COMPLETECALLER|12|100|1"), sink);
  ASSERT_EQ(sink.events.size(), 2U);
  EXPECT_EQ(sink.events[0].type, EventType::kContactWrapped);
  EXPECT_EQ(sink.events[0].agent.view(), "PJSIP/alice");
  EXPECT_EQ(sink.events[1].type, EventType::kAgentState);
  EXPECT_EQ(sink.events[1].agentState, AgentStateKind::kAvailable);
  EXPECT_EQ(decoder.trackedCalls(), 0U);
  EXPECT_TRUE(sink.rejects.empty());
}

TEST(AsteriskQueueLogTest, MidStreamConnectDerivesQueuedTimeFromHoldtime) {
  AsteriskQueueLogDecoder decoder(settings());
  Collect sink;
  decoder.decode(line(kT, "c1|sales|Agent/1001|CONNECT|25|c1b|4"), sink);
  ASSERT_EQ(sink.events.size(), 4U);  // login, queued (synthesized), answered, busy
  EXPECT_EQ(sink.events[1].type, EventType::kContactQueued);
  EXPECT_EQ(sink.events[1].tsUs, us(kT - 25));
  EXPECT_EQ(sink.events[2].type, EventType::kContactAnswered);
  EXPECT_EQ(sink.events[2].tsUs, us(kT));
}

TEST(AsteriskQueueLogTest, MidStreamCompleteDerivesQueuedAndAnsweredTimes) {
  AsteriskQueueLogDecoder decoder(settings());
  Collect sink;
  decoder.decode(line(kT, "c2|sales|Agent/1001|COMPLETEAGENT|10|200|2"), sink);
  // queued at T-210, login, answered at T-200, busy, wrapped at T, available
  ASSERT_EQ(sink.events.size(), 6U);
  EXPECT_EQ(sink.events[0].type, EventType::kContactQueued);
  EXPECT_EQ(sink.events[0].tsUs, us(kT - 210));
  EXPECT_EQ(sink.events[1].type, EventType::kAgentLogin);
  EXPECT_EQ(sink.events[2].type, EventType::kContactAnswered);
  EXPECT_EQ(sink.events[2].tsUs, us(kT - 200));
  EXPECT_EQ(sink.events[4].type, EventType::kContactWrapped);
  EXPECT_EQ(sink.events[4].tsUs, us(kT));
}

TEST(AsteriskQueueLogTest, AbandonAndExits) {
  AsteriskQueueLogDecoder decoder(settings());
  Collect sink;
  decoder.decode(line(kT, "a1|sales|NONE|ENTERQUEUE||100"), sink);
  decoder.decode(line(kT + 7, "a1|sales|NONE|ABANDON|1|1|7"), sink);  // position|origposition|waittime
  ASSERT_EQ(sink.events.size(), 2U);
  EXPECT_EQ(sink.events[1].type, EventType::kContactAbandoned);
  EXPECT_EQ(sink.events[1].tsUs, us(kT + 7));

  sink.clear();
  decoder.decode(line(kT, "t1|sales|NONE|EXITWITHTIMEOUT|2|3|300"), sink);  // not seen entering
  ASSERT_EQ(sink.events.size(), 2U);
  EXPECT_EQ(sink.events[0].type, EventType::kContactQueued);
  EXPECT_EQ(sink.events[0].tsUs, us(kT - 300));
  EXPECT_EQ(sink.events[1].type, EventType::kContactDequeued);
  EXPECT_EQ(sink.events[1].dequeueReason, DequeueReason::kTimeout);

  sink.clear();
  decoder.decode(line(kT, "k1|sales|NONE|ENTERQUEUE||101"), sink);
  decoder.decode(line(kT + 9, "k1|sales|NONE|EXITWITHKEY|1|1|1|9"), sink);  // key|position|origposition|waittime
  decoder.decode(line(kT, "e1|sales|NONE|ENTERQUEUE||102"), sink);
  decoder.decode(line(kT + 1, "e1|sales|NONE|EXITEMPTY|1|1|1"), sink);
  ASSERT_EQ(sink.events.size(), 4U);
  EXPECT_EQ(sink.events[1].type, EventType::kContactDequeued);
  EXPECT_EQ(sink.events[1].dequeueReason, DequeueReason::kOther);
  EXPECT_EQ(sink.events[3].type, EventType::kContactDequeued);
  EXPECT_EQ(decoder.trackedCalls(), 0U);
}

TEST(AsteriskQueueLogTest, EveryTransferKindIsATransferThatEndsTheAgentsPart) {
  for (const std::string_view transfer :
       {"TRANSFER|2001|from-internal|5|60|1", "BLINDTRANSFER|2001|from-internal|5|60|1",
        "ATTENDEDTRANSFER|BRIDGE|b5a1-77|5|60|1", "ATTENDEDTRANSFER|APP|Dial|5|60|1"}) {
    SCOPED_TRACE(transfer);
    AsteriskQueueLogDecoder decoder(settings());
    Collect sink;
    decoder.decode(line(kT, "x1|sales|NONE|ENTERQUEUE||5"), sink);
    decoder.decode(line(kT + 5, "x1|sales|SIP/bob|CONNECT|5|x2|2"), sink);
    sink.clear();
    decoder.decode(line(kT + 65, "x1|sales|SIP/bob|" + std::string(transfer)), sink);
    ASSERT_EQ(sink.events.size(), 3U);
    EXPECT_EQ(sink.events[0].type, EventType::kContactTransferred);
    EXPECT_EQ(sink.events[0].agent.view(), "SIP/bob");
    EXPECT_TRUE(sink.events[0].toQueue.empty());
    EXPECT_EQ(sink.events[1].type, EventType::kContactWrapped);
    EXPECT_EQ(sink.events[2].agentState, AgentStateKind::kAvailable);
    EXPECT_TRUE(sink.rejects.empty());
  }
}

TEST(AsteriskQueueLogTest, MembershipLoginPauseWithReason) {
  AsteriskQueueLogDecoder decoder(settings());
  Collect sink;
  decoder.decode(line(kT, "NONE|sales|PJSIP/carol|ADDMEMBER|"), sink);
  decoder.decode(line(kT + 1, "NONE|support|PJSIP/carol|ADDMEMBER|"), sink);
  ASSERT_EQ(sink.events.size(), 2U);
  EXPECT_EQ(sink.events[1].type, EventType::kAgentLogin);
  ASSERT_EQ(sink.events[1].queueCount, 2U);
  EXPECT_EQ(sink.events[1].queues[0].view(), "sales");
  EXPECT_EQ(sink.events[1].queues[1].view(), "support");
  // The same membership again changes nothing.
  EXPECT_EQ(decoder.decode(line(kT + 2, "NONE|sales|PJSIP/carol|ADDMEMBER|"), sink), 0U);

  sink.clear();
  decoder.decode(line(kT + 10, "NONE|sales|PJSIP/carol|PAUSE|lunch"), sink);
  ASSERT_EQ(sink.events.size(), 1U);
  EXPECT_EQ(sink.events[0].type, EventType::kAgentState);
  EXPECT_EQ(sink.events[0].agentState, AgentStateKind::kAux);
  EXPECT_EQ(sink.events[0].reason.view(), "lunch");

  sink.clear();
  // Removing one queue while paused: the login names the rest, then the pause is restated.
  decoder.decode(line(kT + 20, "NONE|sales|PJSIP/carol|REMOVEMEMBER|"), sink);
  ASSERT_EQ(sink.events.size(), 2U);
  EXPECT_EQ(sink.events[0].type, EventType::kAgentLogin);
  ASSERT_EQ(sink.events[0].queueCount, 1U);
  EXPECT_EQ(sink.events[0].queues[0].view(), "support");
  EXPECT_EQ(sink.events[1].agentState, AgentStateKind::kAux);
  EXPECT_EQ(sink.events[1].reason.view(), "lunch");

  sink.clear();
  decoder.decode(line(kT + 30, "NONE|NONE|PJSIP/carol|UNPAUSEALL|"), sink);
  ASSERT_EQ(sink.events.size(), 1U);
  EXPECT_EQ(sink.events[0].agentState, AgentStateKind::kAvailable);
  decoder.decode(line(kT + 31, "NONE|NONE|PJSIP/carol|PAUSEALL|"), sink);
  EXPECT_EQ(sink.events.back().agentState, AgentStateKind::kAux);
  EXPECT_TRUE(sink.events.back().reason.empty());  // no reason: counted as "other" by the engine

  sink.clear();
  decoder.decode(line(kT + 40, "NONE|support|PJSIP/carol|REMOVEMEMBER|"), sink);  // last queue
  ASSERT_EQ(sink.events.size(), 1U);
  EXPECT_EQ(sink.events[0].type, EventType::kAgentLogout);
  EXPECT_EQ(decoder.trackedAgents(), 0U);

  sink.clear();
  // chan_agent style: AGENTLOGIN(channel), AGENTLOGOFF(channel|logintime).
  decoder.decode(line(kT + 50, "NONE|NONE|Agent/1001|AGENTLOGIN|SIP/1001-0000001"), sink);
  decoder.decode(line(kT + 90, "NONE|NONE|Agent/1001|AGENTLOGOFF|SIP/1001-0000001|40"), sink);
  ASSERT_EQ(sink.events.size(), 2U);
  EXPECT_EQ(sink.events[0].type, EventType::kAgentLogin);
  EXPECT_EQ(sink.events[1].type, EventType::kAgentLogout);
}

TEST(AsteriskQueueLogTest, RingNoAnswerAndSystemEventsAreIgnoredByDesignNotRejected) {
  AsteriskQueueLogDecoder decoder(settings());
  Collect sink;
  // RINGNOANSWER(ringtime ms): no canonical event, but it shows the member's queue.
  EXPECT_EQ(decoder.decode(line(kT, "r1|sales|SIP/dave|RINGNOANSWER|15000"), sink), 1U);
  EXPECT_EQ(sink.events[0].type, EventType::kAgentLogin);
  decoder.decode(line(kT, "r1|sales|SIP/dave|RINGCANCELED|1200"), sink);
  decoder.decode(line(kT, "NONE|NONE|NONE|CONFIGRELOAD|"), sink);
  decoder.decode(line(kT, "r1|sales|SIP/dave|AGENTDUMP|"), sink);
  decoder.decode(line(kT, "r1|sales|SIP/dave|SYSCOMPAT|"), sink);
  decoder.decode(line(kT, "r1|sales|NONE|DID|5550100"), sink);
  EXPECT_EQ(sink.ignored, (std::vector<std::string>{"RINGNOANSWER", "RINGCANCELED", "CONFIGRELOAD", "AGENTDUMP",
                                                    "SYSCOMPAT", "DID"}));
  EXPECT_TRUE(sink.rejects.empty());
}

TEST(AsteriskQueueLogTest, QueueStartEndsEveryCallAsteriskForgot) {
  AsteriskQueueLogDecoder decoder(settings());
  Collect sink;
  decoder.decode(line(kT, "w1|sales|NONE|ENTERQUEUE||1"), sink);
  decoder.decode(line(kT, "w2|sales|NONE|ENTERQUEUE||2"), sink);
  decoder.decode(line(kT + 3, "w2|sales|SIP/eve|CONNECT|3|w2b|1"), sink);
  sink.clear();
  EXPECT_EQ(decoder.decode(line(kT + 100, "NONE|NONE|NONE|QUEUESTART|"), sink), 2U);
  int dequeued = 0;
  int wrapped = 0;
  for (const Event& e : sink.events) {
    dequeued += e.type == EventType::kContactDequeued ? 1 : 0;
    wrapped += e.type == EventType::kContactWrapped ? 1 : 0;
    EXPECT_EQ(e.tsUs, us(kT + 100));
  }
  EXPECT_EQ(dequeued, 1);
  EXPECT_EQ(wrapped, 1);
  EXPECT_EQ(decoder.trackedCalls(), 0U);
}

TEST(AsteriskQueueLogTest, MalformedLinesAreCountedPerReasonAndNeverFatal) {
  AsteriskQueueLogDecoder decoder(settings());
  Collect sink;
  const std::string longId(65, 'x');
  const std::vector<std::pair<std::string, std::pair<RejectReason, std::string>>> cases = {
      {"", {RejectReason::kTooFewFields, "event"}},
      {"1795425300|c|q|a", {RejectReason::kTooFewFields, "event"}},
      {"garbage", {RejectReason::kTooFewFields, "event"}},
      {"17954x5300|c|q|NONE|ENTERQUEUE||1", {RejectReason::kBadTimestamp, "epoch"}},
      {"-5|c|q|NONE|ENTERQUEUE||1", {RejectReason::kBadTimestamp, "epoch"}},
      {"99999999999999|c|q|NONE|ENTERQUEUE||1", {RejectReason::kBadTimestamp, "epoch"}},
      {"1795425300|c|q|NONE|TELEPORT|", {RejectReason::kUnknownType, "event"}},
      {"1795425300|c|q|a|CONNECT", {RejectReason::kTooFewFields, "CONNECT"}},
      {"1795425300|c|q|NONE|ABANDON|1|1", {RejectReason::kTooFewFields, "ABANDON"}},
      {"1795425300|NONE|q|NONE|ENTERQUEUE||1", {RejectReason::kMissingField, "callid"}},
      {"1795425300|c|NONE|NONE|ENTERQUEUE||1", {RejectReason::kMissingField, "queue"}},
      {"1795425300|c|q|NONE|CONNECT|1|b|1", {RejectReason::kMissingField, "agent"}},
      {"1795425300|" + longId + "|q|NONE|ENTERQUEUE||1", {RejectReason::kFieldTooLong, "callid"}},
      {"1795425300|c|q|a|CONNECT|soon|b|1", {RejectReason::kBadValue, "holdtime"}},
      {"1795425300|c|q|a|COMPLETECALLER|1|-4|1", {RejectReason::kBadValue, "calltime"}},
      {"1795425300|c|q|NONE|ABANDON|1|1|7.5", {RejectReason::kBadValue, "waittime"}},
  };
  for (const auto& [text, expected] : cases) {
    SCOPED_TRACE(text);
    sink.clear();
    EXPECT_EQ(decoder.decode(text, sink), 0U);
    ASSERT_EQ(sink.rejects.size(), 1U);
    EXPECT_EQ(sink.rejects[0].first, expected.first);
    EXPECT_EQ(sink.rejects[0].second, expected.second);
    EXPECT_TRUE(sink.events.empty());
  }
  // Still decoding after all that; a CRLF line ending is fine.
  sink.clear();
  EXPECT_EQ(decoder.decode("1795425300|ok|q|NONE|ENTERQUEUE||1\r\n", sink), 1U);
}

TEST(AsteriskQueueLogTest, OversizeLineIsRejectedWhole) {
  SourceSettings s = settings();
  s.maxFrameBytes = 40;
  AsteriskQueueLogDecoder decoder(s);
  Collect sink;
  EXPECT_EQ(decoder.decode(line(kT, "c|q|NONE|ENTERQUEUE||" + std::string(40, '9')), sink), 0U);
  ASSERT_EQ(sink.rejects.size(), 1U);
  EXPECT_EQ(sink.rejects[0].first, RejectReason::kOversize);
}

TEST(AsteriskQueueLogTest, StateIsBoundedAndTheOldestCallIsEvicted) {
  SourceSettings s = settings();
  s.adapter.maxCalls = 3;
  s.adapter.maxAgents = 2;
  AsteriskQueueLogDecoder decoder(s);
  Collect sink;
  for (int i = 0; i < 5; ++i) {
    decoder.decode(line(kT + i, "call" + std::to_string(i) + "|q|NONE|ENTERQUEUE||1"), sink);
  }
  EXPECT_EQ(decoder.trackedCalls(), 3U);
  EXPECT_EQ(sink.evicted, (std::vector<std::string>{"call", "call"}));
  // call0 was evicted: its answer is derived from the holdtime again (a synthesized queued).
  sink.clear();
  decoder.decode(line(kT + 10, "call0|q|A|CONNECT|10|b|1"), sink);
  ASSERT_GE(sink.events.size(), 2U);
  EXPECT_EQ(sink.events[1].type, EventType::kContactQueued);
  // call4 is still known: no synthesized queued.
  sink.clear();
  decoder.decode(line(kT + 10, "call4|q|A|CONNECT|6|b|1"), sink);
  EXPECT_EQ(sink.events[0].type, EventType::kContactAnswered);

  sink.clear();
  decoder.decode(line(kT, "NONE|q|B|ADDMEMBER|"), sink);
  decoder.decode(line(kT, "NONE|q|C|ADDMEMBER|"), sink);  // A, B, C > 2 agents
  EXPECT_EQ(decoder.trackedAgents(), 2U);
  EXPECT_EQ(sink.evicted, (std::vector<std::string>{"agent"}));
}

}  // namespace
}  // namespace ccpulse
