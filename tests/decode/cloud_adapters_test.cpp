// The cloud vendor adapters (amazon_connect, twilio_taskrouter, genesys_cloud): each mapping row
// of docs/adapters/*.md, from payloads shaped as the vendors document them
// (tests/fixtures/<format>/*), plus their per-source state (exactly-once outcomes, CTR
// deduplication, bounded tables) and rejections.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ccpulse/config/config.hpp"
#include "ccpulse/decode/frame_decoder.hpp"

namespace ccpulse {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(CCPULSE_SOURCE_DIR) + "/tests/fixtures/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::int64_t us(const char* rfc3339) {
  std::int64_t out = 0;
  EXPECT_TRUE(parseRfc3339(rfc3339, out)) << rfc3339;
  return out;
}

struct Sink final : DecodeSink {
  std::vector<Event> events;
  std::vector<std::pair<RejectReason, std::string>> rejects;
  void onEvent(const Event& event) override { events.push_back(event); }
  void onReject(RejectReason reason, std::string_view detail) override { rejects.emplace_back(reason, detail); }
  [[nodiscard]] std::vector<EventType> types() const {
    std::vector<EventType> out;
    for (const Event& e : events) {
      out.push_back(e.type);
    }
    return out;
  }
  void clear() {
    events.clear();
    rejects.clear();
  }
};

SourceSettings settingsFor(SourceFormat format) {
  SourceSettings s;
  s.name = "cloud";
  s.format = format;
  s.tenant = "acme";
  s.vendor = "bpo1";
  return s;
}

using ET = EventType;

// ---- Amazon Connect -----------------------------------------------------------------------

class AmazonConnectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SourceSettings s = settingsFor(SourceFormat::kAmazonConnect);
    s.queueNames = {{"q-sales-7", "sales"}};
    decoder_ = makeFrameDecoder(s);
  }
  Sink& decode(const std::string& frame) {
    sink_.clear();
    decoder_->decode(frame, sink_);
    return sink_;
  }
  std::unique_ptr<FrameDecoder> decoder_;
  Sink sink_;
};

TEST_F(AmazonConnectTest, DocumentedAgentEventBootstrapsTheAgentInAfterContactWork) {
  // The documentation's example (contact ENDED = after-contact work) for an agent not seen yet:
  // agent.login with its routing profile's inbound queues, then agent.state acw.
  const Sink& s = decode(fixture("amazon_connect/agent_event_state_change.json"));
  ASSERT_TRUE(s.rejects.empty()) << static_cast<int>(s.rejects[0].first) << s.rejects[0].second;
  ASSERT_EQ(s.types(), (std::vector<ET>{ET::kAgentLogin, ET::kAgentState}));
  const Event& login = s.events[0];
  EXPECT_EQ(login.agent.view(), "agentUserName");
  EXPECT_EQ(login.tenant.view(), "acme");
  EXPECT_EQ(login.vendor.view(), "bpo1");
  EXPECT_EQ(login.tsUs, us("2019-05-25T18:55:27.017Z"));
  ASSERT_EQ(login.queueCount, 2);
  EXPECT_EQ(login.queues[0].view(), "BasicQueue");
  EXPECT_EQ(login.queues[1].view(), "sales");  // Name null: the ARN's id through queue_names
  EXPECT_EQ(s.events[1].agentState, AgentStateKind::kAcw);
  // The same snapshot again changes nothing.
  EXPECT_TRUE(decode(fixture("amazon_connect/agent_event_state_change.json")).events.empty());
}

std::string agentEvent(const std::string& type, const std::string& ts, const std::string& status,
                       const std::string& statusType, const std::string& contactsJson,
                       const std::string& queues = R"([{"ARN":"arn:x/queue/q1","Name":"support"}])") {
  return R"({"AgentARN":"arn:aws:connect:us-east-1:1:instance/i/agent/a-1","EventType":")" + type +
         R"(","EventTimestamp":")" + ts + R"(","CurrentAgentSnapshot":{"AgentStatus":{"Name":")" + status +
         R"(","Type":")" + statusType +
         R"("},"Configuration":{"Username":"alice","RoutingProfile":{"Name":"rp","InboundQueues":)" + queues +
         R"(,"Concurrency":[{"Channel":"VOICE","MaximumSlots":1},{"Channel":"CHAT","MaximumSlots":3},{"Channel":"TASK","MaximumSlots":5}]}},"Contacts":)" +
         contactsJson + "}}";
}

std::string contactIn(const std::string& state) {
  return R"([{"ContactId":"c-1","Channel":"VOICE","State":")" + state + R"(","Queue":{"Name":"support"}}])";
}

TEST_F(AmazonConnectTest, AgentStatesFollowStatusAndContacts) {
  auto s = decode(agentEvent("LOGIN", "2026-11-23T10:00:00.000Z", "Available", "ROUTABLE", "[]"));
  ASSERT_EQ(s.types(), (std::vector<ET>{ET::kAgentLogin}));
  EXPECT_EQ(s.events[0].capacity[static_cast<std::size_t>(Channel::kVoice)], 1);
  EXPECT_EQ(s.events[0].capacity[static_cast<std::size_t>(Channel::kChat)], 3);
  // Ringing changes nothing; connected is busy; on hold still busy; ENDED is ACW.
  EXPECT_TRUE(
      decode(agentEvent("STATE_CHANGE", "2026-11-23T10:01:00Z", "Available", "ROUTABLE", contactIn("CONNECTING")))
          .events.empty());
  s = decode(agentEvent("STATE_CHANGE", "2026-11-23T10:01:02Z", "Available", "ROUTABLE", contactIn("CONNECTED")));
  ASSERT_EQ(s.events.size(), 1U);
  EXPECT_EQ(s.events[0].agentState, AgentStateKind::kBusy);
  EXPECT_TRUE(
      decode(agentEvent("STATE_CHANGE", "2026-11-23T10:01:30Z", "Available", "ROUTABLE", contactIn("CONNECTED_ONHOLD")))
          .events.empty());
  s = decode(agentEvent("STATE_CHANGE", "2026-11-23T10:03:00Z", "Available", "ROUTABLE", contactIn("ENDED")));
  EXPECT_EQ(s.events.at(0).agentState, AgentStateKind::kAcw);
  // A custom status is aux with its name as reason, lowercased; missing a contact is aux "missed".
  s = decode(agentEvent("STATE_CHANGE", "2026-11-23T10:04:00Z", "Coffee Break", "CUSTOM", "[]"));
  EXPECT_EQ(s.events.at(0).agentState, AgentStateKind::kAux);
  EXPECT_EQ(s.events.at(0).reason.view(), "coffee_break");
  s = decode(agentEvent("STATE_CHANGE", "2026-11-23T10:05:00Z", "Available", "ROUTABLE", contactIn("MISSED")));
  EXPECT_EQ(s.events.at(0).reason.view(), "missed");
  s = decode(agentEvent("STATE_CHANGE", "2026-11-23T10:06:00Z", "Offline", "OFFLINE", "[]"));
  EXPECT_EQ(s.events.at(0).agentState, AgentStateKind::kOffline);
  // A routing profile with other queues logs the agent in again with them.
  s = decode(agentEvent("STATE_CHANGE", "2026-11-23T10:07:00Z", "Available", "ROUTABLE", "[]",
                        R"([{"Name":"support"},{"Name":"billing"}])"));
  ASSERT_EQ(s.types(), (std::vector<ET>{ET::kAgentLogin}));
  EXPECT_EQ(s.events[0].queueCount, 2);
  s = decode(R"({"AgentARN":"arn:x/agent/a-1","EventType":"LOGOUT","EventTimestamp":"2026-11-23T10:08:00Z",)"
             R"("CurrentAgentSnapshot":{"Configuration":{"Username":"alice"}}})");
  ASSERT_EQ(s.types(), (std::vector<ET>{ET::kAgentLogout}));
  EXPECT_EQ(s.events[0].agent.view(), "alice");
}

TEST_F(AmazonConnectTest, HeartbeatBootstrapsOnlyAgentsWhoAreOnline) {
  // Heartbeats go on for an hour after logout: an offline agent we do not know stays unknown.
  EXPECT_TRUE(decode(agentEvent("HEART_BEAT", "2026-11-23T10:00:00Z", "Offline", "OFFLINE", "[]")).events.empty());
  const auto& s = decode(agentEvent("HEART_BEAT", "2026-11-23T10:02:00Z", "Available", "ROUTABLE", "[]"));
  EXPECT_EQ(s.types(), (std::vector<ET>{ET::kAgentLogin}));
  EXPECT_TRUE(decode(agentEvent("HEART_BEAT", "2026-11-23T10:04:00Z", "Available", "ROUTABLE", "[]")).events.empty());
}

TEST_F(AmazonConnectTest, DocumentedAnsweredCtrGivesEveryMilestone) {
  const Sink& s = decode(fixture("amazon_connect/ctr_answered.json"));
  ASSERT_TRUE(s.rejects.empty());
  // Queued at EnqueueTimestamp, answered at ConnectedToAgentTimestamp, CustomerHoldDuration 4 s
  // as one hold just before the end, ended where ACW starts, wrapped where it ends.
  ASSERT_EQ(s.types(), (std::vector<ET>{ET::kContactQueued, ET::kContactAnswered, ET::kContactHold, ET::kContactUnhold,
                                        ET::kContactEnded, ET::kContactWrapped}));
  EXPECT_EQ(s.events[0].tsUs, us("2020-03-31T16:20:10Z"));
  EXPECT_EQ(s.events[1].tsUs, us("2020-03-31T16:20:16Z"));
  EXPECT_EQ(s.events[2].tsUs, us("2020-03-31T16:20:26Z"));
  EXPECT_EQ(s.events[3].tsUs, us("2020-03-31T16:20:30Z"));
  EXPECT_EQ(s.events[4].tsUs, us("2020-03-31T16:20:30Z"));
  EXPECT_EQ(s.events[5].tsUs, us("2020-03-31T16:20:40Z"));
  for (const Event& e : s.events) {
    EXPECT_EQ(e.contact.view(), "6b2d7cd9-3a4b-4a1d-8a33-0d9fd2a6c1e5");
    EXPECT_EQ(e.queue.view(), "BasicQueue");
    EXPECT_EQ(e.channel, Channel::kChat);
    EXPECT_EQ(e.tenant.view(), "acme");
  }
  EXPECT_EQ(s.events[1].agent.view(), "agentUserName");
  EXPECT_EQ(s.events[5].agent.view(), "agentUserName");
}

TEST_F(AmazonConnectTest, CtrRedeliveryIsStaleAndAnUpdateEmitsOnlyWhatIsNew) {
  std::string ctr = fixture("amazon_connect/ctr_answered.json");
  // First delivery before ACW ended: no AfterContactWorkEndTimestamp yet.
  std::string early = ctr;
  early.replace(early.find(R"("AfterContactWorkEndTimestamp": "2020-03-31T16:20:40Z")"), 54,
                R"("AfterContactWorkEndTimestamp": null)");
  early.replace(early.find("16:21:43Z"), 9, "16:20:31Z");
  EXPECT_EQ(decode(early).types(), (std::vector<ET>{ET::kContactQueued, ET::kContactAnswered, ET::kContactHold,
                                                    ET::kContactUnhold, ET::kContactEnded}));
  EXPECT_EQ(decode(ctr).types(), (std::vector<ET>{ET::kContactWrapped}));
  const auto& again = decode(ctr);
  EXPECT_TRUE(again.events.empty());
  ASSERT_EQ(again.rejects.size(), 1U);
  EXPECT_EQ(again.rejects[0].first, RejectReason::kStaleRecord);
  EXPECT_EQ(again.rejects[0].second, "LastUpdateTimestamp");
  EXPECT_EQ(decoder_->stateEvictions(), 0U);
}

std::string abandonedWith(const std::string& from, const std::string& to) {
  std::string ctr = fixture("amazon_connect/ctr_abandoned.json");
  ctr.replace(ctr.find(from), from.size(), to);
  return ctr;
}

TEST_F(AmazonConnectTest, UnansweredCtrOutcomes) {
  auto s = decode(fixture("amazon_connect/ctr_abandoned.json"));
  ASSERT_EQ(s.types(), (std::vector<ET>{ET::kContactQueued, ET::kContactAbandoned}));
  EXPECT_EQ(s.events[1].tsUs, us("2020-03-31T16:25:41Z"));
  EXPECT_EQ(s.events[1].channel, Channel::kVoice);
  // The flow disconnected it: dequeued (other); chat expired: dequeued (timeout); transferred
  // out of the queue: dequeued (overflow).
  const auto reasonFor = [&](const std::string& reason, const std::string& id) {
    std::string ctr = abandonedWith(R"("CUSTOMER_DISCONNECT")", reason);
    ctr.replace(ctr.find("22222EXAMPLE"), 12, id);
    const auto& r = decode(ctr);
    EXPECT_EQ(r.types(), (std::vector<ET>{ET::kContactQueued, ET::kContactDequeued})) << reason;
    return r.events.size() == 2 ? r.events[1].dequeueReason : DequeueReason::kOther;
  };
  EXPECT_EQ(reasonFor(R"("CONTACT_FLOW_DISCONNECT")", "33333EXAMPLE"), DequeueReason::kOther);
  EXPECT_EQ(reasonFor(R"("EXPIRED")", "44444EXAMPLE"), DequeueReason::kTimeout);
  EXPECT_EQ(reasonFor(R"("OTHER", "TransferCompletedTimestamp": "2020-03-31T16:25:41Z")", "55555EXAMPLE"),
            DequeueReason::kOverflow);
  // Never queued (e.g. outbound, or finished in the flow): nothing to count.
  EXPECT_TRUE(decode(abandonedWith(R"("Queue": {)", R"("Queue": null, "Unused": {)")).events.empty());
}

TEST_F(AmazonConnectTest, TransferredCtrAndBatches) {
  std::string ctr = fixture("amazon_connect/ctr_answered.json");
  ctr.replace(ctr.find(R"("TransferCompletedTimestamp": null)"), 34,
              R"("TransferCompletedTimestamp": "2020-03-31T16:20:29Z")");
  const auto& s = decode("[" + ctr + R"(, 7, {"ContactId": "x", "LastUpdateTimestamp": "nope"}])");
  EXPECT_EQ(s.types(), (std::vector<ET>{ET::kContactQueued, ET::kContactAnswered, ET::kContactHold, ET::kContactUnhold,
                                        ET::kContactTransferred, ET::kContactEnded, ET::kContactWrapped}));
  EXPECT_EQ(s.events[4].tsUs, us("2020-03-31T16:20:29Z"));
  ASSERT_EQ(s.rejects.size(), 2U);  // one bad element never drops its neighbours
  EXPECT_EQ(s.rejects[0].first, RejectReason::kNotObject);
  EXPECT_EQ(s.rejects[1].first, RejectReason::kBadTimestamp);
}

TEST_F(AmazonConnectTest, RejectionsNameTheField) {
  const auto reject = [&](const std::string& frame) {
    const auto& s = decode(frame);
    EXPECT_TRUE(s.events.empty()) << frame;
    return s.rejects.size() == 1 ? s.rejects[0] : std::pair<RejectReason, std::string>{RejectReason::kOversize, "?"};
  };
  using P = std::pair<RejectReason, std::string>;
  EXPECT_EQ(reject("{}"), (P{RejectReason::kMissingField, "EventType"}));
  EXPECT_EQ(reject(""), (P{RejectReason::kNotJson, "empty frame"}));
  EXPECT_EQ(reject(R"({"EventType":"DANCE","EventTimestamp":"2026-11-23T10:00:00Z"})"),
            (P{RejectReason::kUnknownType, "EventType"}));
  EXPECT_EQ(reject(R"({"EventType":"LOGIN","AgentARN":"arn:x/agent/a"})"),
            (P{RejectReason::kMissingField, "EventTimestamp"}));
  EXPECT_EQ(reject(R"({"EventType":"LOGIN","EventTimestamp":"2026-11-23T10:00:00Z"})"),
            (P{RejectReason::kMissingField, "AgentARN"}));
  EXPECT_EQ(reject(R"({"ContactId":"c","Channel":"VOICE"})"), (P{RejectReason::kMissingField, "LastUpdateTimestamp"}));
  EXPECT_EQ(reject(R"({"ContactId":")" + std::string(65, 'x') + R"(","LastUpdateTimestamp":"2026-11-23T10:00:00Z"})"),
            (P{RejectReason::kFieldTooLong, "ContactId"}));
  EXPECT_EQ(reject(abandonedWith(R"("Channel": "VOICE")", R"("Channel": "TASK")")),
            (P{RejectReason::kUnsupported, "Channel"}));
  EXPECT_EQ(reject(abandonedWith("2020-03-31T16:25:08Z", "2020-02-30T16:25:08Z")),
            (P{RejectReason::kBadTimestamp, "Queue.EnqueueTimestamp"}));
}

TEST(AmazonConnectSettings, SourceChannelMapsTasksAndOversizeIsOneReject) {
  SourceSettings s = settingsFor(SourceFormat::kAmazonConnect);
  s.channel = Channel::kEmail;
  s.maxFrameBytes = 4096;
  auto decoder = makeFrameDecoder(s);
  Sink sink;
  std::string ctr = fixture("amazon_connect/ctr_abandoned.json");
  ctr.replace(ctr.find(R"("Channel": "VOICE")"), 18, R"("Channel": "TASK")");
  decoder->decode(ctr, sink);
  ASSERT_EQ(sink.events.size(), 2U);
  EXPECT_EQ(sink.events[0].channel, Channel::kEmail);
  sink.clear();
  decoder->decode(std::string(4097, ' '), sink);
  ASSERT_EQ(sink.rejects.size(), 1U);
  EXPECT_EQ(sink.rejects[0].first, RejectReason::kOversize);
}

TEST(AmazonConnectState, ContactTableIsBoundedAndEvictionsAreCounted) {
  auto decoder = makeFrameDecoder(settingsFor(SourceFormat::kAmazonConnect));
  struct Counting final : DecodeSink {
    std::size_t events = 0;
    std::size_t rejects = 0;
    void onEvent(const Event&) override { ++events; }
    void onReject(RejectReason, std::string_view) override { ++rejects; }
  } sink;
  const auto ctr = [](int n) {
    return R"({"ContactId":"c-)" + std::to_string(n) +
           R"(","LastUpdateTimestamp":"2026-11-23T10:00:10Z","Queue":{"Name":"q","EnqueueTimestamp":"2026-11-23T10:00:00Z","DequeueTimestamp":"2026-11-23T10:00:09Z"},"DisconnectReason":"CUSTOMER_DISCONNECT"})";
  };
  // 65536 contacts are remembered; the 65537th evicts the oldest (c-0), whose redelivery then
  // counts again (the documented cost of bounded memory), while c-1's is still recognised.
  for (int n = 0; n <= 65536; ++n) {
    decoder->decode(ctr(n), sink);
  }
  EXPECT_EQ(sink.events, 2U * 65537);
  EXPECT_EQ(sink.rejects, 0U);
  EXPECT_EQ(decoder->stateEvictions(), 1U);
  decoder->decode(ctr(1), sink);
  EXPECT_EQ(sink.rejects, 1U);
  decoder->decode(ctr(0), sink);
  EXPECT_EQ(sink.events, 2U * 65537 + 2);
  EXPECT_EQ(decoder->stateEvictions(), 2U);
}

// ---- Twilio TaskRouter --------------------------------------------------------------------

class TwilioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SourceSettings s = settingsFor(SourceFormat::kTwilioTaskRouter);
    s.agentQueues = {"Support Queue", "sales"};
    s.queueNames = {{"WQ2", "billing"}};
    decoder_ = makeFrameDecoder(s);
  }
  Sink& decode(const std::string& frame) {
    sink_.clear();
    decoder_->decode(frame, sink_);
    return sink_;
  }
  static std::string task(const std::string& type, long long ms, const std::string& extra = "") {
    return "EventType=" + type + "&TimestampMs=" + std::to_string(ms) + "&TaskSid=WT1" + extra;
  }
  std::unique_ptr<FrameDecoder> decoder_;
  Sink sink_;
};

TEST_F(TwilioTest, DocumentedCallbacksQueueAndAnswerATask) {
  auto s = decode(fixture("twilio_taskrouter/task_queue_entered.form"));
  ASSERT_TRUE(s.rejects.empty()) << s.rejects[0].second;
  ASSERT_EQ(s.types(), (std::vector<ET>{ET::kContactQueued}));
  EXPECT_EQ(s.events[0].queue.view(), "Support Queue");  // '+' is a space in form bodies
  EXPECT_EQ(s.events[0].contact.view(), "WT00000000000000000000000000000001");
  EXPECT_EQ(s.events[0].channel, Channel::kChat);
  EXPECT_EQ(s.events[0].tsUs, 1795428060123000);  // TimestampMs wins over Timestamp
  s = decode(fixture("twilio_taskrouter/reservation_accepted.form"));
  ASSERT_EQ(s.types(), (std::vector<ET>{ET::kContactAnswered}));
  EXPECT_EQ(s.events[0].agent.view(), "Alice");
  EXPECT_EQ(s.events[0].queue.view(), "Support Queue");  // remembered from task-queue.entered
  EXPECT_EQ(s.events[0].tsUs, 1795428075500000);
}

TEST_F(TwilioTest, TaskLifecycleMapsEachCallbackOnce) {
  EXPECT_EQ(decode(task("task.created", 1000)).events.size(), 0U);
  EXPECT_EQ(decode(task("task-queue.entered", 2000, "&TaskQueueSid=WQ2&TaskChannelUniqueName=default")).types(),
            (std::vector<ET>{ET::kContactQueued}));
  EXPECT_EQ(sink_.events[0].queue.view(), "billing");  // no TaskQueueName: queue_names maps the sid
  EXPECT_EQ(decode(task("reservation.created", 2500, "&WorkerSid=WK1")).events.size(), 0U);
  EXPECT_EQ(decode(task("reservation.rejected", 2600, "&WorkerSid=WK1")).events.size(), 0U);
  EXPECT_EQ(decode(task("reservation.accepted", 3000, "&WorkerSid=WK2")).types(),
            (std::vector<ET>{ET::kContactAnswered}));
  EXPECT_EQ(sink_.events[0].agent.view(), "WK2");  // no WorkerName: the sid
  EXPECT_EQ(decode(task("reservation.accepted", 3100, "&WorkerSid=WK3")).events.size(), 0U);
  EXPECT_EQ(decode(task("task.wrapup", 9000)).types(), (std::vector<ET>{ET::kContactEnded}));
  EXPECT_EQ(decode(task("task.wrapup", 9001)).events.size(), 0U);
  EXPECT_EQ(decode(task("task.completed", 12000)).types(), (std::vector<ET>{ET::kContactWrapped}));
  EXPECT_EQ(sink_.events[0].agent.view(), "WK2");
  EXPECT_EQ(sink_.events[0].tsUs, 12'000'000);
  EXPECT_EQ(decode(task("task.deleted", 13000)).events.size(), 0U);  // forgotten once completed
}

TEST_F(TwilioTest, TasksLeavingTheQueueUnanswered) {
  const auto leave = [&](const std::string& sid, const std::string& type, const std::string& extra) {
    decode("EventType=task-queue.entered&Timestamp=100&TaskQueueName=q&TaskSid=" + sid);
    return decode("EventType=" + type + "&Timestamp=130&TaskSid=" + sid + extra);
  };
  auto s = leave("WT1", "task.canceled", "&TaskCanceledReason=hangup");
  ASSERT_EQ(s.types(), (std::vector<ET>{ET::kContactAbandoned}));
  EXPECT_EQ(s.events[0].tsUs, 130'000'000);  // Timestamp is epoch seconds
  s = leave("WT2", "task.canceled", "&TaskCanceledReason=Task+TTL+Exceeded");
  ASSERT_EQ(s.types(), (std::vector<ET>{ET::kContactDequeued}));
  EXPECT_EQ(s.events[0].dequeueReason, DequeueReason::kTimeout);
  s = leave("WT3", "task-queue.timeout", "");
  ASSERT_EQ(s.types(), (std::vector<ET>{ET::kContactDequeued}));
  EXPECT_EQ(s.events[0].dequeueReason, DequeueReason::kTimeout);
  s = leave("WT4", "task.deleted", "");
  ASSERT_EQ(s.types(), (std::vector<ET>{ET::kContactDequeued}));
  EXPECT_EQ(s.events[0].dequeueReason, DequeueReason::kOther);
  // A task never seen entering a queue counts nothing.
  EXPECT_TRUE(decode("EventType=task.canceled&Timestamp=1&TaskSid=WT9").events.empty());
}

TEST_F(TwilioTest, WorkerActivitiesBecomeAgentEvents) {
  const auto activity = [&](const std::string& name, int t) {
    return decode("EventType=worker.activity.update&Timestamp=" + std::to_string(t) +
                  "&WorkerSid=WK1&WorkerName=bob&WorkerActivityName=" + name);
  };
  auto s = activity("Available", 10);
  ASSERT_EQ(s.types(), (std::vector<ET>{ET::kAgentLogin}));
  ASSERT_EQ(s.events[0].queueCount, 2);  // agent_queues
  EXPECT_EQ(s.events[0].queues[0].view(), "Support Queue");
  s = activity("Break", 20);
  ASSERT_EQ(s.types(), (std::vector<ET>{ET::kAgentState}));
  EXPECT_EQ(s.events[0].agentState, AgentStateKind::kAux);
  EXPECT_EQ(s.events[0].reason.view(), "break");
  EXPECT_EQ(activity("Idle", 30).events.at(0).agentState, AgentStateKind::kAvailable);
  EXPECT_TRUE(activity("Available", 35).events.empty());  // no change
  EXPECT_EQ(activity("Offline", 40).types(), (std::vector<ET>{ET::kAgentLogout}));
  EXPECT_TRUE(activity("Offline", 50).events.empty());
  // Logged in straight into an aux activity: login then the state.
  EXPECT_EQ(activity("Training", 60).types(), (std::vector<ET>{ET::kAgentLogin, ET::kAgentState}));
  EXPECT_TRUE(decode("EventType=activity.created&Timestamp=1&ActivitySid=WA1").events.empty());
}

TEST_F(TwilioTest, JsonBodiesAndRejections) {
  auto s = decode(R"({"EventType":"task-queue.entered","TimestampMs":1795428060123,"TaskSid":"WT7",)"
                  R"("TaskQueueName":"sales","TaskChannelUniqueName":"sms","AccountSid":"AC1"})");
  ASSERT_EQ(s.types(), (std::vector<ET>{ET::kContactQueued}));
  EXPECT_EQ(s.events[0].channel, Channel::kSms);
  EXPECT_EQ(s.events[0].tsUs, 1795428060123000);
  const auto reject = [&](const std::string& frame) {
    const auto& r = decode(frame);
    EXPECT_TRUE(r.events.empty()) << frame;
    return r.rejects.size() == 1 ? r.rejects[0] : std::pair<RejectReason, std::string>{RejectReason::kOversize, "?"};
  };
  using P = std::pair<RejectReason, std::string>;
  EXPECT_EQ(reject("TaskSid=WT1&Timestamp=1"), (P{RejectReason::kMissingField, "EventType"}));
  EXPECT_EQ(reject("EventType=task.created&TaskSid=WT1"), (P{RejectReason::kMissingField, "Timestamp"}));
  EXPECT_EQ(reject("EventType=task.created&Timestamp=12a"), (P{RejectReason::kBadTimestamp, "Timestamp"}));
  EXPECT_EQ(reject("EventType=task.created&TimestampMs=99999999999999999"),
            (P{RejectReason::kBadTimestamp, "TimestampMs"}));
  EXPECT_EQ(reject("EventType=task.created&Timestamp=1&TaskSid=%4"), (P{RejectReason::kBadEncoding, "TaskSid"}));
  EXPECT_EQ(reject("just some text"), (P{RejectReason::kBadEncoding, "body"}));
  EXPECT_EQ(reject("  \n"), (P{RejectReason::kBadEncoding, "empty frame"}));
  EXPECT_EQ(reject(R"({"EventType":5})"), (P{RejectReason::kWrongType, "EventType"}));
  EXPECT_EQ(reject(R"({"EventType":)"), (P{RejectReason::kNotJson, reject(R"({"EventType":)").second}));
  EXPECT_EQ(reject("EventType=task-queue.entered&Timestamp=1&TaskSid=WT8&TaskQueueName=q&TaskChannelUniqueName=fax"),
            (P{RejectReason::kUnsupported, "TaskChannelUniqueName"}));
  EXPECT_EQ(reject("EventType=task-queue.entered&Timestamp=1&TaskSid=WT8"),
            (P{RejectReason::kMissingField, "TaskQueueSid"}));
  EXPECT_EQ(reject("EventType=worker.activity.update&Timestamp=1&WorkerSid=WK1"),
            (P{RejectReason::kMissingField, "WorkerActivityName"}));
}

// ---- Genesys Cloud ------------------------------------------------------------------------

constexpr const char* kQueueId = "5f4b1a2c-0000-4000-8000-00000000q001";

class GenesysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SourceSettings s = settingsFor(SourceFormat::kGenesysCloud);
    s.queueNames = {{kQueueId, "support"}};
    decoder_ = makeFrameDecoder(s);
  }
  Sink& decode(const std::string& frame) {
    sink_.clear();
    decoder_->decode(frame, sink_);
    return sink_;
  }
  std::unique_ptr<FrameDecoder> decoder_;
  Sink sink_;
};

std::string conversation(const std::string& participants, const std::string& id = "conv-1") {
  return std::string(R"({"topicName":"v2.routing.queues.)") + kQueueId +
         R"(.conversations","version":"2","eventBody":{"id":")" + id + R"(","participants":[)" + participants + "]}}";
}

std::string leg(const std::string& purpose, const std::string& id, const std::string& media,
                const std::string& extra = "") {
  return R"({"id":")" + id + R"(","purpose":")" + purpose + R"(")" + extra + R"(,"calls":[)" + media + "]}";
}

std::string call(const std::string& state, const std::string& connected, const std::string& disconnected = "",
                 const std::string& disconnectType = "", const std::string& extra = "") {
  std::string out = R"({"state":")" + state + R"(")";
  if (!connected.empty()) {
    out += R"(,"connectedTime":"2026-11-23T10:)" + connected + R"(Z")";
  }
  if (!disconnected.empty()) {
    out += R"(,"disconnectedTime":"2026-11-23T10:)" + disconnected + R"(Z")";
  }
  if (!disconnectType.empty()) {
    out += R"(,"disconnectType":")" + disconnectType + R"(")";
  }
  return out + extra + "}";
}

TEST_F(GenesysTest, DocumentedConversationNotificationIsQueuedAndAnsweredOnce) {
  auto s = decode(fixture("genesys_cloud/queue_conversation_connected.json"));
  ASSERT_TRUE(s.rejects.empty()) << s.rejects[0].second;
  ASSERT_EQ(s.types(), (std::vector<ET>{ET::kContactQueued, ET::kContactAnswered}));
  EXPECT_EQ(s.events[0].queue.view(), "support");
  EXPECT_EQ(s.events[0].contact.view(), "3a5a2c6e-0b6a-4b45-9e8e-1f3d2c4b5a69");
  EXPECT_EQ(s.events[0].tsUs, us("2026-11-23T10:01:00Z"));
  EXPECT_EQ(s.events[1].tsUs, us("2026-11-23T10:01:12Z"));
  EXPECT_EQ(s.events[1].agent.view(), "00000001-aaaa-4bbb-8ccc-dddddddddddd");
  // Notifications repeat the whole conversation: the same one again counts nothing.
  EXPECT_TRUE(decode(fixture("genesys_cloud/queue_conversation_connected.json")).events.empty());
}

TEST_F(GenesysTest, HandledConversationEndsAndWrapsOnceWithDisposition) {
  const std::string cust = leg("customer", "p1", call("connected", "00:00"));
  const std::string acd = leg("acd", "p2", call("disconnected", "00:10", "00:20", "transfer"),
                              std::string(R"(,"queueId":")") + kQueueId + "\"");
  const auto agent = [](const std::string& media, const std::string& extra = "") {
    return leg("agent", "p3", media, R"(,"userId":"u-1")" + extra);
  };
  EXPECT_EQ(decode(conversation(cust + "," + acd + "," + agent(call("alerting", "")))).types(),
            (std::vector<ET>{ET::kContactQueued}));  // alerting is not answered
  EXPECT_EQ(decode(conversation(cust + "," + acd + "," + agent(call("connected", "00:20")))).types(),
            (std::vector<ET>{ET::kContactAnswered}));
  const std::string pending = R"(,"afterCallWorkRequired":true,"afterCallWork":{"state":"pending"})";
  EXPECT_EQ(
      decode(conversation(cust + "," + acd + "," + agent(call("disconnected", "00:20", "02:20", "peer", pending))))
          .types(),
      (std::vector<ET>{ET::kContactEnded}));
  const std::string complete =
      R"(,"afterCallWork":{"state":"complete","startTime":"2026-11-23T10:02:20Z","endTime":"2026-11-23T10:02:50Z"})";
  const auto& s = decode(conversation(cust + "," + acd + "," +
                                      agent(call("disconnected", "00:20", "02:20", "peer", complete),
                                            R"(,"wrapup":{"code":"wc-1","name":"Sale Made"})")));
  ASSERT_EQ(s.types(), (std::vector<ET>{ET::kContactWrapped}));
  EXPECT_EQ(s.events[0].tsUs, us("2026-11-23T10:02:50Z"));
  EXPECT_EQ(s.events[0].disposition.view(), "sale_made");
  EXPECT_EQ(s.events[0].agent.view(), "u-1");
}

TEST_F(GenesysTest, TransferAndChannels) {
  // The agent transfers it away and needs no after-call work: transferred, ended, wrapped.
  const std::string acd = leg("acd", "p2", call("disconnected", "00:10", "00:20", "transfer"),
                              std::string(R"(,"queueId":")") + kQueueId + "\"");
  const std::string chat =
      R"({"id":"p1","purpose":"customer","chats":[{"state":"connected","connectedTime":"2026-11-23T10:00:00Z"}]})";
  const std::string agent =
      leg("agent", "p3", call("disconnected", "00:20", "01:00", "transfer", R"(,"afterCallWorkRequired":false)"),
          R"(,"userId":"u-1")");
  const auto& s = decode(conversation(chat + "," + acd + "," + agent, "conv-chat"));
  ASSERT_EQ(s.types(), (std::vector<ET>{ET::kContactQueued, ET::kContactAnswered, ET::kContactTransferred,
                                        ET::kContactEnded, ET::kContactWrapped}));
  EXPECT_EQ(s.events[0].channel, Channel::kChat);
  const std::string sms =
      R"({"id":"p1","purpose":"customer","messages":[{"type":"sms","state":"connected","connectedTime":"2026-11-23T10:00:00Z"}]})";
  EXPECT_EQ(
      decode(conversation(sms + "," + leg("acd", "p2", call("connected", "00:10")), "conv-sms")).events.at(0).channel,
      Channel::kSms);
  // A new queue leg (transferred to another queue) is queued again there.
  const auto& again = decode(conversation(
      chat + "," + acd + "," + agent + "," + leg("acd", "p4", call("connected", "01:00"), R"(,"queueId":"q-2")"),
      "conv-chat"));
  ASSERT_EQ(again.types(), (std::vector<ET>{ET::kContactQueued}));
  EXPECT_EQ(again.events[0].queue.view(), "q-2");
}

TEST_F(GenesysTest, UnansweredOutcomes) {
  const auto outcome = [&](const std::string& id, const std::string& acdCall, const std::string& extra = "") {
    return decode(conversation(leg("customer", "p1", call("disconnected", "00:00", "00:50", "endpoint")) + "," +
                                   leg("acd", "p2", acdCall, R"(,"queueId":"q")") + extra,
                               id));
  };
  auto s = outcome("a", call("disconnected", "00:10", "00:50", "peer"));
  ASSERT_EQ(s.types(), (std::vector<ET>{ET::kContactQueued, ET::kContactAbandoned}));
  EXPECT_EQ(s.events[1].tsUs, us("2026-11-23T10:00:50Z"));
  s = outcome("b", call("disconnected", "00:10", "00:50", "timeout"));
  EXPECT_EQ(s.events.at(1).dequeueReason, DequeueReason::kTimeout);
  s = outcome("c", call("disconnected", "00:10", "00:50", "transfer"));
  ASSERT_EQ(s.types(), (std::vector<ET>{ET::kContactQueued, ET::kContactDequeued}));
  EXPECT_EQ(s.events[1].dequeueReason, DequeueReason::kOverflow);
  // Transfer while an agent leg is still ringing: not decided yet.
  s = outcome("d", call("disconnected", "00:10", "00:50", "transfer"),
              "," + leg("agent", "p3", call("alerting", ""), R"(,"userId":"u")"));
  EXPECT_EQ(s.types(), (std::vector<ET>{ET::kContactQueued}));
  // The customer hung up, the queue leg not closed yet: abandoned at the customer's end.
  s = outcome("e", call("connected", "00:10"));
  ASSERT_EQ(s.types(), (std::vector<ET>{ET::kContactQueued, ET::kContactAbandoned}));
  EXPECT_EQ(s.events[1].tsUs, us("2026-11-23T10:00:50Z"));
  EXPECT_TRUE(outcome("e", call("connected", "00:10")).events.empty());  // exactly once
  // Not in a queue yet (IVR): nothing.
  EXPECT_TRUE(decode(conversation(leg("customer", "p1", call("connected", "00:00")), "f")).events.empty());
}

std::string userTopic(const std::string& what, const std::string& body, const std::string& user = "u-1") {
  return R"({"topicName":"v2.users.)" + user + "." + what + R"(","eventBody":)" + body + "}";
}

TEST_F(GenesysTest, UserActivityRoutingStatusAndPresence) {
  auto s = decode(fixture("genesys_cloud/user_activity.json"));
  ASSERT_EQ(s.types(), (std::vector<ET>{ET::kAgentLogin}));
  EXPECT_EQ(s.events[0].agent.view(), "00000001-aaaa-4bbb-8ccc-dddddddddddd");
  ASSERT_EQ(s.events[0].queueCount, 2);
  EXPECT_EQ(s.events[0].queues[0].view(), "support");
  EXPECT_EQ(s.events[0].queues[1].view(), "6a7b8c9d-0000-4000-8000-00000000q002");  // not in queue_names
  EXPECT_EQ(s.events[0].tsUs, us("2026-11-23T10:00:00Z"));                          // the newest time it carries
  const auto routing = [&](const std::string& status, const std::string& t) {
    return decode(
        userTopic("routingStatus",
                  R"({"routingStatus":{"status":")" + status + R"(","startTime":"2026-11-23T10:)" + t + R"(Z"}})",
                  "00000001-aaaa-4bbb-8ccc-dddddddddddd"));
  };
  EXPECT_EQ(routing("INTERACTING", "01:00").events.at(0).agentState, AgentStateKind::kBusy);
  EXPECT_EQ(routing("COMMUNICATING", "01:10").events.size(), 0U);  // still busy
  EXPECT_EQ(routing("NOT_RESPONDING", "02:00").events.at(0).reason.view(), "not_responding");
  EXPECT_EQ(routing("IDLE", "03:00").events.at(0).agentState, AgentStateKind::kAvailable);
  s = decode(userTopic("presence",
                       R"({"presenceDefinition":{"systemPresence":"Training"},"modifiedDate":"2026-11-23T10:04:00Z"})",
                       "00000001-aaaa-4bbb-8ccc-dddddddddddd"));
  EXPECT_TRUE(s.events.empty());  // presence alone: still routed (IDLE)
  s = routing("OFF_QUEUE", "04:00");
  EXPECT_EQ(s.events.at(0).agentState, AgentStateKind::kAux);
  EXPECT_EQ(s.events.at(0).reason.view(), "training");
  s = decode(userTopic("presence",
                       R"({"presenceDefinition":{"systemPresence":"Offline"},"modifiedDate":"2026-11-23T10:05:00Z"})",
                       "00000001-aaaa-4bbb-8ccc-dddddddddddd"));
  EXPECT_EQ(s.types(), (std::vector<ET>{ET::kAgentLogout}));
  // A routing status of someone unknown logs them in (queues from agent_queues: none here).
  s = decode(userTopic("routingStatus", R"({"routingStatus":{"status":"IDLE","startTime":"2026-11-23T10:06:00Z"}})"));
  EXPECT_EQ(s.types(), (std::vector<ET>{ET::kAgentLogin}));
}

TEST_F(GenesysTest, RejectionsAndIgnoredTopics) {
  const auto reject = [&](const std::string& frame) {
    const auto& r = decode(frame);
    EXPECT_TRUE(r.events.empty()) << frame;
    return r.rejects.size() == 1 ? r.rejects[0] : std::pair<RejectReason, std::string>{RejectReason::kOversize, "?"};
  };
  using P = std::pair<RejectReason, std::string>;
  EXPECT_TRUE(
      decode(R"({"topicName":"channel.metadata","eventBody":{"message":"WebSocket Heartbeat"}})").events.empty());
  EXPECT_TRUE(sink_.rejects.empty());
  EXPECT_EQ(reject(R"({"eventBody":{}})"), (P{RejectReason::kMissingField, "topicName"}));
  EXPECT_EQ(reject(R"({"topicName":"v2.users.u.geolocation","eventBody":{}})"),
            (P{RejectReason::kUnknownType, "topicName"}));
  EXPECT_EQ(reject(R"({"topicName":"v2.routing.queues.q.conversations"})"),
            (P{RejectReason::kMissingField, "eventBody"}));
  EXPECT_EQ(reject(R"({"topicName":"v2.routing.queues.q.conversations","eventBody":{"participants":[]}})"),
            (P{RejectReason::kMissingField, "id"}));
  EXPECT_EQ(reject(userTopic("routingStatus", R"({"routingStatus":{"status":"NAPPING","startTime":"x"}})")),
            (P{RejectReason::kBadValue, "routingStatus.status"}));
  EXPECT_EQ(reject(userTopic("routingStatus", R"({"routingStatus":{"status":"IDLE","startTime":"10 past"}})")),
            (P{RejectReason::kBadTimestamp, "routingStatus.startTime"}));
  EXPECT_EQ(reject(conversation(leg("acd", "p", call("connected", "99:00")))),
            (P{RejectReason::kBadTimestamp, "participants.connectedTime"}));
  EXPECT_EQ(reject("[[]]"), (P{RejectReason::kNotObject, ""}));
}

}  // namespace
}  // namespace ccpulse
