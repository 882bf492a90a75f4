// format amazon_connect (docs/adapters/amazon_connect.md): Amazon Connect agent event stream
// records and contact records (CTRs) as forwarded from Kinesis, one record per frame or a JSON
// array of records. Agent events become agent.login/state/logout; CTRs become the contact's
// queue outcome and handling milestones. CTRs arrive at least once and may be updated later, so
// each contact's already emitted milestones are remembered and only new ones are emitted.

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

using vendor::arnTail;
using vendor::isoTime;
using vendor::TimeField;

/// Contacts whose emitted milestones are remembered (a redelivery of an older one is counted
/// again). ~1 MiB of state per source.
constexpr std::size_t kContactCapacity = 65536;
constexpr std::size_t kAgentCapacity = 16384;

enum Milestone : std::uint8_t {
  kQueued = 1U << 0U,
  kAnswered = 1U << 1U,
  kLeft = 1U << 2U,  // abandoned or dequeued
  kHeld = 1U << 3U,
  kTransferred = 1U << 4U,
  kEnded = 1U << 5U,
  kWrapped = 1U << 6U,
};

struct ContactEntry {
  std::int64_t lastUpdateUs = INT64_MIN;
  std::uint8_t done = 0;
};

struct AgentEntry {
  std::uint64_t queueHash = 0;
  AgentStateKind state = AgentStateKind::kOffline;
  Tag reason;
};

struct AgentStateView {
  AgentStateKind state = AgentStateKind::kAvailable;
  std::string_view reason;
};

class AmazonConnectDecoder final : public FrameDecoder {
 public:
  AmazonConnectDecoder(const SourceSettings& settings, AdapterCapacity capacity)
      : defaults_(settings),
        maxFrameBytes_(settings.maxFrameBytes),
        contacts_(capacity.contacts != 0 ? capacity.contacts : kContactCapacity),
        agents_(capacity.agents != 0 ? capacity.agents : kAgentCapacity) {}

  std::size_t decode(std::string_view frame, DecodeSink& sink) override {
    return vendor::decodeJsonFrame(
        parser_, maxFrameBytes_, frame, sink,
        [this](simdjson::dom::element element, DecodeSink& s) { return decodeElement(element, s); });
  }

  [[nodiscard]] std::uint64_t stateEvictions() const noexcept override {
    return contacts_.evictions() + agents_.evictions();
  }

 private:
  std::size_t decodeElement(const simdjson::dom::element& item, DecodeSink& sink) {
    simdjson::dom::object record;
    if (item.get_object().get(record) != simdjson::SUCCESS) {
      sink.onReject(RejectReason::kNotObject, {});
      return 0;
    }
    pending_.drop();
    bool ok = false;
    if (vendor::present(record, "EventType")) {
      ok = agentEvent(record);
    } else if (vendor::present(record, "ContactId")) {
      ok = contactRecord(record);
    } else {
      ok = fail(RejectReason::kMissingField, "EventType");  // neither an agent event nor a CTR
    }
    if (!ok) {
      pending_.drop();
      sink.onReject(reject_.reason, reject_.detail);
      return 0;
    }
    return pending_.flush(sink);
  }

  bool fail(RejectReason reason, std::string_view detail) noexcept { return reject_.fail(reason, detail); }

  // An optional timestamp member; `path` names it in the reject detail.
  bool time(const simdjson::dom::object& parent, std::string_view key, std::string_view path,
            std::optional<std::int64_t>& out) noexcept {
    return reject_.time(parent, key, path, out);
  }

  bool assignId(Id& out, std::string_view value, std::string_view field) noexcept {
    return out.assign(value) || fail(RejectReason::kFieldTooLong, field);
  }

  // VOICE / CHAT / EMAIL; TASK (and anything new) has no canonical channel unless the source
  // configures one.
  bool channelOf(std::optional<std::string_view> name, Channel& out) noexcept {
    if (!name || *name == "VOICE") {
      out = name ? Channel::kVoice : defaults_.channel.value_or(Channel::kVoice);
      return true;
    }
    if (*name == "CHAT") {
      out = Channel::kChat;
      return true;
    }
    if (*name == "EMAIL") {
      out = Channel::kEmail;
      return true;
    }
    if (defaults_.channel) {
      out = *defaults_.channel;
      return true;
    }
    return fail(RejectReason::kUnsupported, "Channel");
  }

  // ---- agent event stream -------------------------------------------------------------------

  static AgentStateView stateOf(const simdjson::dom::object& snapshot) noexcept {
    // A contact in conversation makes the agent busy, one in after-contact work (ENDED) makes
    // them ACW, whatever status they set in the CCP; otherwise the status decides.
    bool connected = false;
    bool acw = false;
    bool missed = false;
    if (const auto contacts = vendor::arr(snapshot, "Contacts")) {
      for (const simdjson::dom::element c : *contacts) {
        simdjson::dom::object contact;
        if (c.get_object().get(contact) != simdjson::SUCCESS) {
          continue;
        }
        const std::string_view state = vendor::str(contact, "State").value_or("");
        connected = connected || state == "CONNECTED" || state == "CONNECTED_ONHOLD";
        acw = acw || state == "ENDED";
        missed = missed || state == "MISSED" || state == "REJECTED" || state == "ERROR";
      }
    }
    if (connected) {
      return {AgentStateKind::kBusy, {}};
    }
    if (acw) {
      return {AgentStateKind::kAcw, {}};
    }
    std::string_view name;
    std::string_view type;
    if (const auto status = vendor::obj(snapshot, "AgentStatus")) {
      name = vendor::str(*status, "Name").value_or("");
      type = vendor::str(*status, "Type").value_or("");
    }
    if (missed) {
      return {AgentStateKind::kAux, "missed"};  // Connect stops routing to an agent who missed a contact
    }
    if (type == "ROUTABLE" || (type.empty() && name == "Available")) {
      return {AgentStateKind::kAvailable, {}};
    }
    if (type == "OFFLINE" || (type.empty() && name == "Offline")) {
      return {AgentStateKind::kOffline, {}};
    }
    return {AgentStateKind::kAux, name.empty() ? std::string_view("other") : name};
  }

  // Inbound queues (by name, else by the ARN's id through queue_names) and channel concurrency.
  bool loginFromSnapshot(const simdjson::dom::object& snapshot, Event& login) noexcept {
    const auto config = vendor::obj(snapshot, "Configuration");
    const auto profile = config ? vendor::obj(*config, "RoutingProfile") : std::nullopt;
    if (!profile) {
      return true;
    }
    if (const auto queues = vendor::arr(*profile, "InboundQueues")) {
      for (const simdjson::dom::element q : *queues) {
        simdjson::dom::object queue;
        if (q.get_object().get(queue) != simdjson::SUCCESS) {
          continue;
        }
        std::string_view name = vendor::str(queue, "Name").value_or("");
        if (name.empty()) {
          name = defaults_.queueName(arnTail(vendor::str(queue, "ARN").value_or("")));
        }
        if (name.size() > kMaxIdLength) {
          return fail(RejectReason::kFieldTooLong, "RoutingProfile.InboundQueues.Name");
        }
        vendor::addQueue(login, name);
      }
    }
    if (const auto concurrency = vendor::arr(*profile, "Concurrency")) {
      for (const simdjson::dom::element c : *concurrency) {
        simdjson::dom::object slot;
        Channel channel = Channel::kVoice;
        if (c.get_object().get(slot) != simdjson::SUCCESS) {
          continue;
        }
        const auto name = vendor::str(slot, "Channel");
        const auto slots = vendor::number(slot, "MaximumSlots");
        if (!name || !slots || *slots < 1 || *slots > 255) {
          continue;
        }
        if (*name == "VOICE" || *name == "CHAT" || *name == "EMAIL") {
          (void)channelOf(name, channel);
          login.capacity[static_cast<std::size_t>(channel)] = static_cast<std::uint8_t>(*slots);
        }
      }
    }
    return true;
  }

  bool agentEvent(const simdjson::dom::object& record) {
    const auto type = vendor::str(record, "EventType");
    if (!type) {
      return fail(RejectReason::kWrongType, "EventType");
    }
    const bool login = *type == "LOGIN";
    const bool logout = *type == "LOGOUT";
    const bool change = *type == "STATE_CHANGE";
    const bool heartbeat = *type == "HEART_BEAT";
    if (!login && !logout && !change && !heartbeat) {
      return fail(RejectReason::kUnknownType, "EventType");
    }
    std::optional<std::int64_t> ts;
    if (!time(record, "EventTimestamp", "EventTimestamp", ts)) {
      return false;
    }
    if (!ts) {
      return fail(RejectReason::kMissingField, "EventTimestamp");
    }
    const auto snapshot = vendor::obj(record, "CurrentAgentSnapshot");
    std::string_view agentName;
    if (snapshot) {
      if (const auto config = vendor::obj(*snapshot, "Configuration")) {
        agentName = vendor::str(*config, "Username").value_or("");
      }
    }
    if (agentName.empty()) {
      agentName = arnTail(vendor::str(record, "AgentARN").value_or(""));
    }
    if (agentName.empty()) {
      return fail(RejectReason::kMissingField, "AgentARN");
    }
    if (agentName.size() > kMaxIdLength) {
      return fail(RejectReason::kFieldTooLong, "Username");
    }
    const std::uint64_t key = hashKey(agentName);
    if (logout) {
      Event& e = pending_.next();
      defaults_.start(e, EventType::kAgentLogout, *ts);
      (void)e.agent.assign(agentName);
      agents_.erase(key);
      return true;
    }
    if (!snapshot) {
      return heartbeat || fail(RejectReason::kMissingField, "CurrentAgentSnapshot");
    }
    Event& loginEvent = pending_.next();
    defaults_.start(loginEvent, EventType::kAgentLogin, *ts);
    (void)loginEvent.agent.assign(agentName);
    if (!loginFromSnapshot(*snapshot, loginEvent)) {
      return false;
    }
    const AgentStateView state = stateOf(*snapshot);
    Tag reason;
    if (state.state == AgentStateKind::kAux) {
      vendor::assignReason(reason, state.reason);
    }
    const std::uint64_t queueHash = vendor::queueSetHash(loginEvent);

    AgentEntry* known = agents_.find(key);
    if (known == nullptr && !login && state.state == AgentStateKind::kOffline) {
      // Heartbeats continue for an hour after logout: an offline agent we do not track stays out.
      pending_.drop();
      return true;
    }
    bool inserted = false;
    AgentEntry& entry = known != nullptr ? *known : agents_.findOrInsert(key, inserted);
    const bool relogin = login || inserted || entry.queueHash != queueHash;
    if (!relogin) {
      pending_.drop();  // the login event prepared above is not needed
    }
    if (relogin) {
      entry.queueHash = queueHash;
      entry.state = AgentStateKind::kAvailable;  // what agent.login implies
      entry.reason = Tag{};
    }
    if (entry.state != state.state || entry.reason.view() != reason.view()) {
      Event& e = pending_.next();
      defaults_.start(e, EventType::kAgentState, *ts);
      (void)e.agent.assign(agentName);
      e.agentState = state.state;
      e.reason = reason;
      entry.state = state.state;
      entry.reason = reason;
    }
    return true;
  }

  // ---- contact records ----------------------------------------------------------------------

  bool contactRecord(const simdjson::dom::object& record) {
    const auto contactId = vendor::str(record, "ContactId");
    if (!contactId || contactId->empty()) {
      return fail(contactId ? RejectReason::kMissingField : RejectReason::kWrongType, "ContactId");
    }
    Id contact;
    if (!assignId(contact, *contactId, "ContactId")) {
      return false;
    }
    std::optional<std::int64_t> lastUpdate;
    if (!time(record, "LastUpdateTimestamp", "LastUpdateTimestamp", lastUpdate)) {
      return false;
    }
    if (!lastUpdate) {
      return fail(RejectReason::kMissingField, "LastUpdateTimestamp");
    }
    Channel channel = Channel::kVoice;
    if (!channelOf(vendor::str(record, "Channel"), channel)) {
      return false;
    }
    const auto queue = vendor::obj(record, "Queue");
    const auto agent = vendor::obj(record, "Agent");
    std::optional<std::int64_t> enqueued;
    std::optional<std::int64_t> dequeued;
    std::optional<std::int64_t> connected;
    std::optional<std::int64_t> acwStart;
    std::optional<std::int64_t> acwEnd;
    std::optional<std::int64_t> disconnected;
    std::optional<std::int64_t> transferCompleted;
    Id queueName;
    Id agentName;
    if (queue) {
      if (!time(*queue, "EnqueueTimestamp", "Queue.EnqueueTimestamp", enqueued) ||
          !time(*queue, "DequeueTimestamp", "Queue.DequeueTimestamp", dequeued)) {
        return false;
      }
      std::string_view name = vendor::str(*queue, "Name").value_or("");
      if (name.empty()) {
        name = defaults_.queueName(arnTail(vendor::str(*queue, "ARN").value_or("")));
      }
      if (!assignId(queueName, name, "Queue.Name")) {
        return false;
      }
    }
    if (agent) {
      if (!time(*agent, "ConnectedToAgentTimestamp", "Agent.ConnectedToAgentTimestamp", connected) ||
          !time(*agent, "AfterContactWorkStartTimestamp", "Agent.AfterContactWorkStartTimestamp", acwStart) ||
          !time(*agent, "AfterContactWorkEndTimestamp", "Agent.AfterContactWorkEndTimestamp", acwEnd)) {
        return false;
      }
      std::string_view name = vendor::str(*agent, "Username").value_or("");
      if (name.empty()) {
        name = arnTail(vendor::str(*agent, "ARN").value_or(""));
      }
      if (!assignId(agentName, name, "Agent.Username")) {
        return false;
      }
    }
    if (!time(record, "DisconnectTimestamp", "DisconnectTimestamp", disconnected) ||
        !time(record, "TransferCompletedTimestamp", "TransferCompletedTimestamp", transferCompleted)) {
      return false;
    }
    if (queueName.empty() || !enqueued) {
      // Never queued (outbound, or finished in the flow): no queue metric to update. A later
      // update may still queue it, so nothing is remembered.
      return true;
    }

    bool inserted = false;
    ContactEntry& entry = contacts_.findOrInsert(hashKey(*contactId), inserted);
    if (!inserted && *lastUpdate <= entry.lastUpdateUs) {
      return fail(RejectReason::kStaleRecord, "LastUpdateTimestamp");
    }
    entry.lastUpdateUs = *lastUpdate;

    const auto emit = [&](EventType type, std::int64_t ts) -> Event& {
      Event& e = pending_.next();
      defaults_.start(e, type, ts);
      e.channel = channel;
      e.contact = contact;
      e.queue = queueName;
      if (type == EventType::kContactAnswered || type == EventType::kContactWrapped) {
        e.agent = agentName;
      }
      return e;
    };
    std::uint8_t& done = entry.done;
    if ((done & kQueued) == 0) {
      emit(EventType::kContactQueued, *enqueued);
      done |= kQueued;
    }
    const bool answered = connected.has_value() && !agentName.empty();
    if (!answered) {
      const std::optional<std::int64_t> left = dequeued ? dequeued : disconnected;
      if (left && (done & (kLeft | kAnswered)) == 0) {
        const std::string_view why = vendor::str(record, "DisconnectReason").value_or("");
        const bool transferred = vendor::present(record, "TransferredToEndpoint") || transferCompleted.has_value();
        if (why.empty() || why == "CUSTOMER_DISCONNECT") {
          emit(EventType::kContactAbandoned, *left);
        } else {
          Event& e = emit(EventType::kContactDequeued, *left);
          e.dequeueReason = transferred        ? DequeueReason::kOverflow
                            : why == "EXPIRED" ? DequeueReason::kTimeout
                                               : DequeueReason::kOther;
        }
        done |= kLeft;
      }
      return true;
    }
    if ((done & kAnswered) == 0) {
      emit(EventType::kContactAnswered, *connected);
      done |= kAnswered;
    }
    // The conversation ends where after-contact work starts (or at disconnect without ACW).
    const std::optional<std::int64_t> ended = acwStart ? acwStart : disconnected;
    if (ended && (done & kHeld) == 0) {
      // CTRs give the total hold time, not when: one hold just before the end gives the same
      // talk and hold seconds.
      const double holdSeconds = agent ? vendor::number(*agent, "CustomerHoldDuration").value_or(0) : 0;
      if (holdSeconds > 0 && holdSeconds < 1e7) {
        const std::int64_t start = std::max(*connected, *ended - static_cast<std::int64_t>(holdSeconds * 1e6));
        emit(EventType::kContactHold, start);
        emit(EventType::kContactUnhold, *ended);
      }
      done |= kHeld;
    }
    const bool transferred = vendor::present(record, "TransferredToEndpoint") || transferCompleted.has_value();
    if (transferred && (done & kTransferred) == 0 && (transferCompleted || ended)) {
      emit(EventType::kContactTransferred, transferCompleted ? *transferCompleted : *ended);
      done |= kTransferred;
    }
    if (ended && (done & kEnded) == 0) {
      emit(EventType::kContactEnded, *ended);
      done |= kEnded;
    }
    // Wrapped when ACW ended; with no ACW at all, at disconnect.
    const std::optional<std::int64_t> wrapped = acwEnd ? acwEnd : (acwStart ? std::nullopt : disconnected);
    if (wrapped && (done & kWrapped) == 0) {
      emit(EventType::kContactWrapped, *wrapped);
      done |= kWrapped;
    }
    return true;
  }

  vendor::Defaults defaults_;
  std::size_t maxFrameBytes_;
  simdjson::dom::parser parser_;
  vendor::Pending pending_;
  vendor::BoundedTable<ContactEntry> contacts_;
  vendor::BoundedTable<AgentEntry> agents_;
  vendor::RejectNote reject_;
};

}  // namespace

std::unique_ptr<FrameDecoder> makeAmazonConnectDecoder(const SourceSettings& settings, AdapterCapacity capacity) {
  return std::make_unique<AmazonConnectDecoder>(settings, capacity);
}

}  // namespace ccpulse
