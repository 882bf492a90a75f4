// format genesys_cloud (docs/adapters/genesys_cloud.md): Genesys Cloud notification service
// payloads ({"topicName": ..., "eventBody": ...}) as forwarded from the WebSocket channel (or
// EventBridge), one per frame or a JSON array of them. Queue conversation notifications repeat
// the whole conversation on every change, so each conversation's emitted milestones are
// remembered per queue leg and each outcome is emitted exactly once; user routing status,
// presence and activity notifications become agent events.

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "ccpulse/common/hash.hpp"
#include "ccpulse/config/config.hpp"
#include "ccpulse/decode/frame_decoder.hpp"
#include "vendor_support.hpp"

namespace ccpulse {
namespace {

using vendor::isoTime;
using vendor::TimeField;

constexpr std::size_t kConversationCapacity = 32768;
constexpr std::size_t kUserCapacity = 16384;

enum Milestone : std::uint8_t {
  kQueued = 1U << 0U,
  kAnswered = 1U << 1U,
  kLeft = 1U << 2U,
  kTransferred = 1U << 3U,
  kEnded = 1U << 4U,
  kWrapped = 1U << 5U,
};

struct ConversationEntry {
  std::uint64_t acdParticipant = 0;    ///< hash of the queue leg's participant id
  std::uint64_t agentParticipant = 0;  ///< hash of the participant who answered that leg
  std::uint8_t done = 0;
};

enum class RoutingStatus : std::uint8_t { kUnknown, kIdle, kInteracting, kNotResponding, kOffQueue };

struct UserEntry {
  std::uint64_t queueHash = 0;
  RoutingStatus routing = RoutingStatus::kUnknown;
  Tag presence;  ///< systemPresence, lowercased
  AgentStateKind state = AgentStateKind::kAvailable;
  Tag reason;
};

// The media arrays a participant may carry, and the channel each means.
struct MediaKind {
  std::string_view key;
  Channel channel;
};
constexpr std::array<MediaKind, 7> kMedia{{
    {"calls", Channel::kVoice},
    {"callbacks", Channel::kVoice},
    {"chats", Channel::kChat},
    {"messages", Channel::kChat},  // refined by the message's type below
    {"emails", Channel::kEmail},
    {"videos", Channel::kVideo},
    {"socialExpressions", Channel::kSocial},
}};

/// The first media object of a participant (a participant is connected through one medium).
std::optional<simdjson::dom::object> mediaOf(const simdjson::dom::object& participant, Channel& channel) noexcept {
  for (const MediaKind& kind : kMedia) {
    const auto list = vendor::arr(participant, kind.key);
    if (!list) {
      continue;
    }
    for (const simdjson::dom::element item : *list) {
      simdjson::dom::object media;
      if (item.get_object().get(media) == simdjson::SUCCESS) {
        channel = kind.channel;
        if (kind.key == "messages") {
          const std::string_view type = vendor::str(media, "type").value_or("");
          if (type == "sms") {
            channel = Channel::kSms;
          } else if (type == "facebook" || type == "twitter" || type == "instagram" || type == "whatsapp" ||
                     type == "line") {
            channel = Channel::kSocial;
          }
        }
        return media;
      }
    }
  }
  return std::nullopt;
}

class GenesysCloudDecoder final : public FrameDecoder {
 public:
  GenesysCloudDecoder(const SourceSettings& settings, AdapterCapacity capacity)
      : defaults_(settings),
        maxFrameBytes_(settings.maxFrameBytes),
        conversations_(capacity.contacts != 0 ? capacity.contacts : kConversationCapacity),
        users_(capacity.agents != 0 ? capacity.agents : kUserCapacity) {}

  std::size_t decode(std::string_view frame, DecodeSink& sink) override {
    return vendor::decodeJsonFrame(
        parser_, maxFrameBytes_, frame, sink,
        [this](simdjson::dom::element element, DecodeSink& s) { return decodeElement(element, s); });
  }

  [[nodiscard]] std::uint64_t stateEvictions() const noexcept override {
    return conversations_.evictions() + users_.evictions();
  }

 private:
  bool fail(RejectReason reason, std::string_view detail) noexcept { return reject_.fail(reason, detail); }

  // An optional timestamp member; `path` names it in the reject detail.
  bool time(const simdjson::dom::object& parent, std::string_view key, std::string_view path,
            std::optional<std::int64_t>& out) noexcept {
    return reject_.time(parent, key, path, out);
  }

  std::size_t decodeElement(const simdjson::dom::element& item, DecodeSink& sink) {
    simdjson::dom::object notification;
    if (item.get_object().get(notification) != simdjson::SUCCESS) {
      sink.onReject(RejectReason::kNotObject, {});
      return 0;
    }
    pending_.drop();
    if (!notificationOf(notification)) {
      pending_.drop();
      sink.onReject(reject_.reason, reject_.detail);
      return 0;
    }
    return pending_.flush(sink);
  }

  bool notificationOf(const simdjson::dom::object& notification) {
    const auto topic = vendor::str(notification, "topicName");
    if (!topic) {
      return fail(vendor::present(notification, "topicName") ? RejectReason::kWrongType : RejectReason::kMissingField,
                  "topicName");
    }
    if (*topic == "channel.metadata") {
      return true;  // the channel's heartbeat
    }
    // v2.routing.queues.{id}.conversations[.calls|.chats|...] and v2.users.{id}.{what}
    constexpr std::string_view kQueues = "v2.routing.queues.";
    constexpr std::string_view kUsers = "v2.users.";
    const bool queueTopic = topic->starts_with(kQueues);
    const bool userTopic = topic->starts_with(kUsers);
    if (!queueTopic && !userTopic) {
      return fail(RejectReason::kUnknownType, "topicName");
    }
    const std::string_view rest = topic->substr(queueTopic ? kQueues.size() : kUsers.size());
    const std::size_t dot = rest.find('.');
    if (dot == std::string_view::npos || dot == 0) {
      return fail(RejectReason::kUnknownType, "topicName");
    }
    const std::string_view id = rest.substr(0, dot);
    const std::string_view what = rest.substr(dot + 1);
    const auto body = vendor::obj(notification, "eventBody");
    if (!body) {
      return fail(vendor::present(notification, "eventBody") ? RejectReason::kWrongType : RejectReason::kMissingField,
                  "eventBody");
    }
    if (queueTopic) {
      if (!what.starts_with("conversations")) {
        return fail(RejectReason::kUnknownType, "topicName");
      }
      return conversation(id, *body);
    }
    if (what == "routingStatus" || what == "presence" || what == "activity") {
      return user(id, what, *body);
    }
    return fail(RejectReason::kUnknownType, "topicName");
  }

  // ---- queue conversations ------------------------------------------------------------------

  struct Leg {
    simdjson::dom::object participant;
    simdjson::dom::object media;
    bool hasMedia = false;
    Channel channel = Channel::kVoice;
    std::uint64_t id = 0;
    std::string_view userId;
    std::string_view queueId;
    std::optional<std::int64_t> start;  ///< connectedTime
    std::optional<std::int64_t> end;    ///< endTime / disconnectedTime
    std::string_view disconnectType;
    std::string_view state;
  };

  bool readLeg(const simdjson::dom::object& participant, Leg& leg) noexcept {
    leg.participant = participant;
    leg.id = hashKey(vendor::str(participant, "id").value_or(""));
    leg.userId = vendor::str(participant, "userId").value_or("");
    leg.queueId = vendor::str(participant, "queueId").value_or("");
    std::optional<simdjson::dom::object> media = mediaOf(participant, leg.channel);
    std::optional<std::int64_t> mediaStart;
    std::optional<std::int64_t> mediaEnd;
    if (media) {
      leg.media = *media;
      leg.hasMedia = true;
      leg.disconnectType = vendor::str(*media, "disconnectType").value_or("");
      leg.state = vendor::str(*media, "state").value_or("");
      if (!time(*media, "connectedTime", "participants.connectedTime", mediaStart) ||
          !time(*media, "disconnectedTime", "participants.disconnectedTime", mediaEnd)) {
        return false;
      }
    }
    if (!time(participant, "connectedTime", "participants.connectedTime", leg.start) ||
        !time(participant, "endTime", "participants.endTime", leg.end)) {
      return false;
    }
    // The medium's own times are the precise ones; the participant's are the fallback.
    if (mediaStart) {
      leg.start = mediaStart;
    }
    if (mediaEnd) {
      leg.end = mediaEnd;
    }
    return true;
  }

  bool conversation(std::string_view topicQueueId, const simdjson::dom::object& body) {
    const auto conversationId = vendor::str(body, "id");
    if (!conversationId || conversationId->empty()) {
      return fail(RejectReason::kMissingField, "id");
    }
    Id contact;
    if (!contact.assign(*conversationId)) {
      return fail(RejectReason::kFieldTooLong, "id");
    }
    const auto participants = vendor::arr(body, "participants");
    if (!participants) {
      return fail(vendor::present(body, "participants") ? RejectReason::kWrongType : RejectReason::kMissingField,
                  "participants");
    }
    // The queue leg (last acd participant), every agent leg, the customer.
    std::optional<Leg> acd;
    std::optional<Leg> customer;
    constexpr std::size_t kMaxAgents = 8;
    std::array<Leg, kMaxAgents> agents{};
    std::size_t agentCount = 0;
    for (const simdjson::dom::element item : *participants) {
      simdjson::dom::object participant;
      if (item.get_object().get(participant) != simdjson::SUCCESS) {
        return fail(RejectReason::kWrongType, "participants");
      }
      const std::string_view purpose = vendor::str(participant, "purpose").value_or("");
      Leg leg;
      if (purpose == "acd" || purpose == "agent" || purpose == "user" || purpose == "customer" ||
          purpose == "external") {
        if (!readLeg(participant, leg)) {
          return false;
        }
      }
      if (purpose == "acd") {
        acd = leg;
      } else if ((purpose == "agent" || purpose == "user") && !leg.userId.empty() && agentCount < kMaxAgents) {
        agents[agentCount++] = leg;
      } else if ((purpose == "customer" || purpose == "external") && !customer) {
        customer = leg;
      }
    }
    if (!acd || !acd->start) {
      return true;  // not (yet) in a queue: in the IVR, or outbound
    }
    const std::string_view queue = defaults_.queueName(acd->queueId.empty() ? topicQueueId : acd->queueId);
    Id queueId;
    if (!queueId.assign(queue)) {
      return fail(RejectReason::kFieldTooLong, "queueId");
    }
    const Channel channel = customer && customer->hasMedia ? customer->channel
                            : acd->hasMedia                ? acd->channel
                                                           : defaults_.channel.value_or(Channel::kVoice);
    // Validate the agent legs before touching state, so a rejected notification changes nothing.
    for (std::size_t i = 0; i < agentCount; ++i) {
      if (agents[i].userId.size() > kMaxIdLength) {
        return fail(RejectReason::kFieldTooLong, "userId");
      }
      std::optional<std::int64_t> acwEnd;
      const auto acw = agents[i].hasMedia ? vendor::obj(agents[i].media, "afterCallWork") : std::nullopt;
      if (acw && !time(*acw, "endTime", "afterCallWork.endTime", acwEnd)) {
        return false;
      }
    }

    bool inserted = false;
    ConversationEntry& entry = conversations_.findOrInsert(hashKey(*conversationId), inserted);
    if (entry.acdParticipant != acd->id) {
      // A new queue leg (first sight, or transferred to another queue): counted in that queue.
      entry.acdParticipant = acd->id;
      entry.agentParticipant = 0;
      entry.done = 0;
    }
    const auto emit = [&](EventType type, std::int64_t ts) -> Event& {
      Event& e = pending_.next();
      defaults_.start(e, type, ts);
      e.channel = channel;
      e.contact = contact;
      e.queue = queueId;
      return e;
    };
    std::uint8_t& done = entry.done;
    if ((done & kQueued) == 0) {
      emit(EventType::kContactQueued, *acd->start);
      done |= kQueued;
    }
    // The agent who answered this leg: the one remembered, else the first connected since it.
    const Leg* agent = nullptr;
    for (std::size_t i = 0; i < agentCount; ++i) {
      const Leg& leg = agents[i];
      if (entry.agentParticipant != 0 ? leg.id == entry.agentParticipant
                                      : (leg.start && *leg.start >= *acd->start && leg.state != "alerting")) {
        agent = &leg;
        break;
      }
    }
    if (agent != nullptr && (done & kLeft) == 0) {
      if ((done & kAnswered) == 0) {
        (void)emit(EventType::kContactAnswered, *agent->start).agent.assign(agent->userId);
        done |= kAnswered;
        entry.agentParticipant = agent->id;
      }
      return handled(*agent, done, emit);
    }
    if ((done & (kAnswered | kLeft)) != 0) {
      return true;
    }
    // Not answered: did the contact leave the queue?
    std::optional<std::int64_t> left = acd->end;
    const std::string_view why = acd->disconnectType;
    if (why.starts_with("transfer")) {
      // The queue leg ends by transfer both when an agent takes it and when a flow moves it on;
      // an agent leg still ringing means the former, not yet visible as connected.
      for (std::size_t i = 0; i < agentCount; ++i) {
        if (agents[i].end == std::nullopt) {
          return true;
        }
      }
      if (left) {
        emit(EventType::kContactDequeued, *left).dequeueReason = DequeueReason::kOverflow;
        done |= kLeft;
      }
      return true;
    }
    if (!left && customer && customer->end) {
      left = customer->end;  // the customer hung up; the queue leg is not closed yet
    }
    if (left) {
      if (why == "timeout") {
        emit(EventType::kContactDequeued, *left).dequeueReason = DequeueReason::kTimeout;
      } else {
        emit(EventType::kContactAbandoned, *left);
      }
      done |= kLeft;
    }
    return true;
  }

  template <typename Emit>
  bool handled(const Leg& agent, std::uint8_t& done, Emit& emit) {
    if (!agent.end) {
      return true;
    }
    if (agent.disconnectType.starts_with("transfer") && (done & kTransferred) == 0) {
      emit(EventType::kContactTransferred, *agent.end);
      done |= kTransferred;
    }
    if ((done & kEnded) == 0) {
      emit(EventType::kContactEnded, *agent.end);
      done |= kEnded;
    }
    if ((done & kWrapped) != 0) {
      return true;
    }
    // After-call work: complete with an end time, or none to do (skipped / not applicable / not
    // required), in which case the contact is wrapped when it ended.
    std::optional<std::int64_t> wrapped;
    std::string_view acwState;
    if (agent.hasMedia) {
      if (const auto acw = vendor::obj(agent.media, "afterCallWork")) {
        acwState = vendor::str(*acw, "state").value_or("");
        (void)time(*acw, "endTime", "afterCallWork.endTime", wrapped);  // validated by conversation()
      }
    }
    if (acwState == "complete" && wrapped) {
      // ACW done at its end time.
    } else if (acwState == "skipped" || acwState == "notApplicable") {
      wrapped = agent.end;
    } else if (acwState.empty()) {
      simdjson::dom::element required;
      bool needed = true;
      if (agent.hasMedia && agent.media.at_key("afterCallWorkRequired").get(required) == simdjson::SUCCESS) {
        if (required.get_bool().get(needed) != simdjson::SUCCESS) {
          needed = true;
        }
      }
      wrapped = needed ? std::nullopt : agent.end;
    } else {
      wrapped.reset();  // pending: wait for the notification that completes it
    }
    if (!wrapped) {
      return true;
    }
    Event& e = emit(EventType::kContactWrapped, std::max(*wrapped, *agent.end));
    (void)e.agent.assign(agent.userId);
    if (const auto wrapup = vendor::obj(agent.participant, "wrapup")) {
      const std::string_view code = vendor::str(*wrapup, "name").value_or(vendor::str(*wrapup, "code").value_or(""));
      vendor::assignReason(e.disposition, code);
    }
    done |= kWrapped;
    return true;
  }

  // ---- users --------------------------------------------------------------------------------

  static RoutingStatus routingOf(std::string_view status) noexcept {
    if (status == "IDLE") {
      return RoutingStatus::kIdle;
    }
    if (status == "INTERACTING" || status == "COMMUNICATING") {
      return RoutingStatus::kInteracting;
    }
    if (status == "NOT_RESPONDING") {
      return RoutingStatus::kNotResponding;
    }
    if (status == "OFF_QUEUE") {
      return RoutingStatus::kOffQueue;
    }
    return RoutingStatus::kUnknown;
  }

  // routingStatus { status, startTime } (also accepted flat in the body).
  bool readRouting(const simdjson::dom::object& body, RoutingStatus& routing, std::optional<std::int64_t>& ts) {
    const auto nested = vendor::obj(body, "routingStatus");
    const simdjson::dom::object& holder = nested ? *nested : body;
    const auto status = vendor::str(holder, "status");
    if (!status) {
      return true;
    }
    routing = routingOf(*status);
    if (routing == RoutingStatus::kUnknown) {
      return fail(RejectReason::kBadValue, "routingStatus.status");
    }
    return time(holder, "startTime", "routingStatus.startTime", ts);
  }

  // presence { presenceDefinition { systemPresence }, modifiedDate }.
  bool readPresence(const simdjson::dom::object& body, bool nested, Tag& presence, bool& seen,
                    std::optional<std::int64_t>& ts) {
    const auto inner = nested ? vendor::obj(body, "presence") : std::optional<simdjson::dom::object>(body);
    if (!inner) {
      return true;
    }
    const auto definition = vendor::obj(*inner, "presenceDefinition");
    const auto system = definition ? vendor::str(*definition, "systemPresence") : std::nullopt;
    if (!system) {
      return true;
    }
    seen = true;
    vendor::assignReason(presence, *system);
    return time(*inner, "modifiedDate", "presence.modifiedDate", ts);
  }

  bool user(std::string_view userId, std::string_view what, const simdjson::dom::object& body) {
    Id agent;
    if (!agent.assign(userId)) {
      return fail(RejectReason::kFieldTooLong, "topicName");
    }
    RoutingStatus routing = RoutingStatus::kUnknown;
    Tag presence;
    bool presenceSeen = false;
    std::optional<std::int64_t> routingTs;
    std::optional<std::int64_t> presenceTs;
    std::optional<std::int64_t> queuesTs;
    Event login;
    bool queuesSeen = false;
    if (what == "routingStatus" || what == "activity") {
      if (!readRouting(body, routing, routingTs)) {
        return false;
      }
    }
    if (what == "presence" || what == "activity") {
      if (!readPresence(body, what == "activity", presence, presenceSeen, presenceTs)) {
        return false;
      }
    }
    if (what == "activity") {
      if (const auto queues = vendor::arr(body, "activeQueueIds")) {
        queuesSeen = true;
        for (const simdjson::dom::element q : *queues) {
          std::string_view id;
          if (q.get_string().get(id) != simdjson::SUCCESS) {
            return fail(RejectReason::kWrongType, "activeQueueIds");
          }
          const std::string_view name = defaults_.queueName(id);
          if (name.size() > kMaxIdLength) {
            return fail(RejectReason::kFieldTooLong, "activeQueueIds");
          }
          vendor::addQueue(login, name);
        }
      }
      if (!time(body, "dateActiveQueuesChanged", "dateActiveQueuesChanged", queuesTs)) {
        return false;
      }
    }
    // The notification's time: the newest of the times it carries.
    std::optional<std::int64_t> ts;
    for (const auto& t : {routingTs, presenceTs, queuesTs}) {
      if (t && (!ts || *t > *ts)) {
        ts = t;
      }
    }
    if (!ts) {
      return fail(RejectReason::kMissingField, what == "presence" ? "modifiedDate" : "startTime");
    }
    const std::uint64_t key = hashKey(userId);
    UserEntry* known = users_.find(key);
    if (presenceSeen && presence.view() == "offline") {
      if (known != nullptr) {
        Event& e = pending_.next();
        defaults_.start(e, EventType::kAgentLogout, *ts);
        e.agent = agent;
        users_.erase(key);
      }
      return true;
    }
    if (known == nullptr && routing == RoutingStatus::kUnknown && !queuesSeen) {
      return true;  // a presence change of someone not (yet) known as an agent
    }
    bool inserted = false;
    UserEntry& entry = known != nullptr ? *known : users_.findOrInsert(key, inserted);
    if (!queuesSeen && inserted) {
      defaults_.fillDefaultQueues(login);
    }
    const std::uint64_t queueHash = vendor::queueSetHash(login);
    if (inserted || (queuesSeen && queueHash != entry.queueHash)) {
      Event& e = pending_.next();
      defaults_.start(e, EventType::kAgentLogin, *ts);
      e.agent = agent;
      e.queueCount = login.queueCount;
      e.queues = login.queues;
      entry.queueHash = queueHash;
      entry.state = AgentStateKind::kAvailable;
      entry.reason = Tag{};
    }
    if (routing != RoutingStatus::kUnknown) {
      entry.routing = routing;
    }
    if (presenceSeen) {
      entry.presence = presence;
    }
    AgentStateKind state = AgentStateKind::kAvailable;
    Tag reason;
    switch (entry.routing) {
      case RoutingStatus::kIdle:
      case RoutingStatus::kUnknown:
        state = AgentStateKind::kAvailable;
        break;
      case RoutingStatus::kInteracting:
        state = AgentStateKind::kBusy;
        break;
      case RoutingStatus::kNotResponding:
        state = AgentStateKind::kAux;
        vendor::assignReason(reason, "not_responding");
        break;
      case RoutingStatus::kOffQueue:
        state = AgentStateKind::kAux;
        // Off queue for a reason the presence names (break, meal, training...).
        vendor::assignReason(reason, entry.presence.empty() || entry.presence.view() == "on_queue" ||
                                             entry.presence.view() == "available"
                                         ? std::string_view("off_queue")
                                         : entry.presence.view());
        break;
    }
    if (state != entry.state || reason.view() != entry.reason.view()) {
      Event& e = pending_.next();
      defaults_.start(e, EventType::kAgentState, *ts);
      e.agent = agent;
      e.agentState = state;
      e.reason = reason;
      entry.state = state;
      entry.reason = reason;
    }
    return true;
  }

  vendor::Defaults defaults_;
  std::size_t maxFrameBytes_;
  simdjson::dom::parser parser_;
  vendor::Pending pending_;
  vendor::BoundedTable<ConversationEntry> conversations_;
  vendor::BoundedTable<UserEntry> users_;
  vendor::RejectNote reject_;
};

}  // namespace

std::unique_ptr<FrameDecoder> makeGenesysCloudDecoder(const SourceSettings& settings, AdapterCapacity capacity) {
  return std::make_unique<GenesysCloudDecoder>(settings, capacity);
}

}  // namespace ccpulse
