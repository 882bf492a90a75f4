#include "ccpulse/decode/asterisk_tracker.hpp"

#include <algorithm>
#include <array>
#include <type_traits>

#include "ccpulse/common/hash.hpp"
#include "ccpulse/durability/codec.hpp"

namespace ccpulse {
namespace {

constexpr std::int64_t kMicrosPerSecond = 1'000'000;

std::int64_t earlier(std::int64_t tsUs, std::int64_t seconds) noexcept {
  const std::int64_t back = std::min<std::int64_t>(seconds, (tsUs - kMinTimestampUs) / kMicrosPerSecond);
  return tsUs - back * kMicrosPerSecond;
}

}  // namespace

AsteriskTracker::AsteriskTracker(const AdapterSettings& settings)
    : settings_(settings), calls_(settings.maxCalls), agents_(settings.maxAgents) {}

Event& AsteriskTracker::begin(EventType type, std::int64_t tsUs) {
  event_ = Event{};
  event_.type = type;
  event_.tsUs = tsUs;
  event_.channel = settings_.channel;
  event_.tenant.assign(settings_.tenant);
  event_.vendor.assign(settings_.vendor);
  return event_;
}

std::size_t AsteriskTracker::emit(DecodeSink& sink) {
  sink.onEvent(event_);
  return 1;
}

std::size_t AsteriskTracker::emitContact(EventType type, std::int64_t tsUs, std::string_view call,
                                         std::string_view queue, std::string_view agent, DecodeSink& sink) {
  Event& e = begin(type, tsUs);
  e.contact.assign(call);
  e.queue.assign(queue);
  e.agent.assign(agent);
  return emit(sink);
}

bool AsteriskTracker::knowsCall(std::string_view call) noexcept { return calls_.find(hashKey(call)) != nullptr; }

AsteriskTracker::Call* AsteriskTracker::insertCall(std::string_view call, DecodeSink& sink) {
  bool inserted = false;
  Call* c = calls_.findOrInsert(hashKey(call), inserted);
  if (c == nullptr) {
    // Full: forget the oldest call (most likely one whose end we never saw).
    std::uint64_t oldestKey = 0;
    std::uint64_t oldestOrder = UINT64_MAX;
    calls_.forEach([&](std::uint64_t key, const Call& value) {
      if (value.order < oldestOrder) {
        oldestOrder = value.order;
        oldestKey = key;
      }
    });
    if (const Call* evicted = calls_.find(oldestKey); evicted != nullptr && evicted->leftUs != 0) {
      --pendingLeaves_;
    }
    calls_.erase(oldestKey);
    sink.onStateEvicted("call");
    c = calls_.findOrInsert(hashKey(call), inserted);
    if (c == nullptr) {
      return nullptr;
    }
  }
  if (inserted) {
    c->id.assign(call);
    c->order = ++order_;
  }
  return c;
}

AsteriskTracker::Agent* AsteriskTracker::findAgent(std::string_view agent) noexcept {
  return agents_.find(hashKey(agent));
}

AsteriskTracker::Agent* AsteriskTracker::touchAgent(std::string_view agent, DecodeSink& sink) {
  bool inserted = false;
  Agent* a = agents_.findOrInsert(hashKey(agent), inserted);
  if (a == nullptr) {
    std::uint64_t oldestKey = 0;
    std::uint64_t oldestOrder = UINT64_MAX;
    agents_.forEach([&](std::uint64_t key, const Agent& value) {
      if (value.order < oldestOrder) {
        oldestOrder = value.order;
        oldestKey = key;
      }
    });
    agents_.erase(oldestKey);
    sink.onStateEvicted("agent");
    a = agents_.findOrInsert(hashKey(agent), inserted);
    if (a == nullptr) {
      return nullptr;
    }
  }
  if (inserted) {
    a->name.assign(agent);
  }
  a->order = ++order_;
  return a;
}

std::size_t AsteriskTracker::emitLogin(std::int64_t tsUs, const Agent& agent, DecodeSink& sink) {
  Event& e = begin(EventType::kAgentLogin, tsUs);
  e.agent = agent.name;
  e.queueCount = agent.queueCount;
  std::copy_n(agent.queues.begin(), agent.queueCount, e.queues.begin());
  return emit(sink);
}

std::size_t AsteriskTracker::emitState(std::int64_t tsUs, const Agent& agent, DecodeSink& sink) {
  Event& e = begin(EventType::kAgentState, tsUs);
  e.agent = agent.name;
  if (agent.paused) {
    e.agentState = AgentStateKind::kAux;
    e.reason = agent.reason;
  } else {
    e.agentState = agent.calls > 0 ? AgentStateKind::kBusy : AgentStateKind::kAvailable;
  }
  return emit(sink);
}

std::size_t AsteriskTracker::ensureMember(std::int64_t tsUs, std::string_view agent, std::string_view queue,
                                          DecodeSink& sink) {
  if (agent.empty()) {
    return 0;
  }
  Agent* a = touchAgent(agent, sink);
  if (a == nullptr || queue.empty()) {
    return 0;
  }
  const auto end = a->queues.begin() + a->queueCount;
  if (std::find_if(a->queues.begin(), end, [&](const Id& q) { return q.view() == queue; }) != end) {
    return 0;
  }
  if (a->queueCount >= kMaxAgentQueues) {
    sink.onIgnored("membership_over_limit");
    return 0;
  }
  a->queues[a->queueCount++].assign(queue);
  // A login replaces the agent's queue list and makes it available; restate what it is doing.
  std::size_t n = emitLogin(tsUs, *a, sink);
  if (a->paused || a->calls > 0) {
    n += emitState(tsUs, *a, sink);
  }
  return n;
}

std::size_t AsteriskTracker::enterQueue(std::int64_t tsUs, std::string_view call, std::string_view queue,
                                        std::string_view customer, DecodeSink& sink) {
  Call* c = insertCall(call, sink);
  if (c != nullptr) {
    c->queue.assign(queue);
    c->agent.clear();
    c->connected = false;
    if (c->leftUs != 0) {
      c->leftUs = 0;
      --pendingLeaves_;
    }
    c->snapshot = snapshot_;
  }
  Event& e = begin(EventType::kContactQueued, tsUs);
  e.contact.assign(call);
  e.queue.assign(queue);
  if (customer.size() <= kMaxIdLength) {
    e.customer.assign(customer);
  }
  return emit(sink);
}

std::size_t AsteriskTracker::connect(std::int64_t tsUs, std::string_view call, std::string_view queue,
                                     std::string_view agent, std::int64_t holdSeconds, DecodeSink& sink) {
  std::size_t n = ensureMember(tsUs, agent, queue, sink);
  Call* c = calls_.find(hashKey(call));
  if (c != nullptr && c->leftUs != 0) {
    c->leftUs = 0;  // the QueueCallerLeave that preceded this AgentConnect is explained
    --pendingLeaves_;
  }
  if (c == nullptr && holdSeconds != kUnknown) {
    // Its ENTERQUEUE came before we started reading: Asterisk's holdtime says when it was.
    n += enterQueue(earlier(tsUs, holdSeconds), call, queue, {}, sink);
    c = calls_.find(hashKey(call));
  }
  if (c == nullptr) {
    c = insertCall(call, sink);
  }
  if (c != nullptr) {
    c->queue.assign(queue);
    c->agent.assign(agent);
    c->connected = true;
  }
  n += emitContact(EventType::kContactAnswered, tsUs, call, queue, agent, sink);
  if (Agent* a = agent.empty() ? nullptr : findAgent(agent)) {
    a->calls = static_cast<std::uint16_t>(std::min<int>(a->calls + 1, UINT16_MAX));
    n += emitState(tsUs, *a, sink);
  }
  return n;
}

std::size_t AsteriskTracker::complete(std::int64_t tsUs, std::string_view call, std::string_view queue,
                                      std::string_view agent, std::int64_t holdSeconds, std::int64_t talkSeconds,
                                      bool transfer, DecodeSink& sink) {
  std::size_t n = 0;
  const Call* c = calls_.find(hashKey(call));
  if ((c == nullptr || !c->connected) && talkSeconds != kUnknown) {
    // The CONNECT was before we started reading: answered talkSeconds ago (after holdSeconds).
    const std::int64_t answeredUs = earlier(tsUs, talkSeconds);
    if (c == nullptr && holdSeconds != kUnknown) {
      n += enterQueue(earlier(answeredUs, holdSeconds), call, queue, {}, sink);
    }
    if (Agent* a = agent.empty() ? nullptr : findAgent(agent); a != nullptr && a->snapshotCalls > 0) {
      // This is the call the snapshot counted without naming it: connect() counts it again.
      --a->snapshotCalls;
      --a->calls;
    }
    n += connect(answeredUs, call, queue, agent, kUnknown, sink);
  }
  if (transfer) {
    n += emitContact(EventType::kContactTransferred, tsUs, call, queue, agent, sink);
  }
  // Asterisk logs no wrap-up end: the contact is wrapped when the call ends (ACW 0).
  n += emitContact(EventType::kContactWrapped, tsUs, call, queue, agent, sink);
  calls_.erase(hashKey(call));
  if (Agent* a = agent.empty() ? nullptr : findAgent(agent)) {
    if (a->calls > 0) {
      --a->calls;
    }
    n += emitState(tsUs, *a, sink);
  }
  return n;
}

std::size_t AsteriskTracker::leave(std::int64_t tsUs, std::string_view call, std::string_view queue, bool abandoned,
                                   DequeueReason reason, std::int64_t waitSeconds, DecodeSink& sink) {
  std::size_t n = 0;
  const Call* known = calls_.find(hashKey(call));
  if (known == nullptr && waitSeconds != kUnknown) {
    n += enterQueue(earlier(tsUs, waitSeconds), call, queue, {}, sink);
  }
  if (known != nullptr && known->leftUs != 0) {
    --pendingLeaves_;
  }
  calls_.erase(hashKey(call));
  Event& e = begin(abandoned ? EventType::kContactAbandoned : EventType::kContactDequeued, tsUs);
  e.contact.assign(call);
  e.queue.assign(queue);
  e.dequeueReason = reason;
  return n + emit(sink);
}

std::size_t AsteriskTracker::addMember(std::int64_t tsUs, std::string_view agent, std::string_view queue,
                                       DecodeSink& sink) {
  return ensureMember(tsUs, agent, queue, sink);
}

std::size_t AsteriskTracker::removeMember(std::int64_t tsUs, std::string_view agent, std::string_view queue,
                                          DecodeSink& sink) {
  Agent* a = findAgent(agent);
  if (a == nullptr) {
    sink.onIgnored("removemember_unknown_agent");
    return 0;
  }
  const auto end = a->queues.begin() + a->queueCount;
  const auto it = std::find_if(a->queues.begin(), end, [&](const Id& q) { return q.view() == queue; });
  if (it == end) {
    sink.onIgnored("removemember_not_member");
    return 0;
  }
  std::move(it + 1, end, it);
  --a->queueCount;
  if (a->queueCount == 0) {
    return agentLogoff(tsUs, agent, sink);
  }
  std::size_t n = emitLogin(tsUs, *a, sink);
  if (a->paused || a->calls > 0) {
    n += emitState(tsUs, *a, sink);
  }
  return n;
}

std::size_t AsteriskTracker::agentLogin(std::int64_t tsUs, std::string_view agent, DecodeSink& sink) {
  Agent* a = touchAgent(agent, sink);
  if (a == nullptr) {
    return 0;
  }
  a->paused = false;
  a->reason.clear();
  return emitLogin(tsUs, *a, sink);
}

std::size_t AsteriskTracker::agentLogoff(std::int64_t tsUs, std::string_view agent, DecodeSink& sink) {
  agents_.erase(hashKey(agent));
  Event& e = begin(EventType::kAgentLogout, tsUs);
  e.agent.assign(agent);
  return emit(sink);
}

std::size_t AsteriskTracker::pause(std::int64_t tsUs, std::string_view agent, std::string_view queue, bool paused,
                                   std::string_view reason, DecodeSink& sink) {
  std::size_t n = ensureMember(tsUs, agent, queue, sink);
  Agent* a = touchAgent(agent, sink);
  if (a == nullptr) {
    return n;
  }
  a->paused = paused;
  // A reason longer than a tag cannot be a configured aux reason: it counts as "other".
  a->reason.assign(paused && reason.size() <= kMaxTagLength ? reason : std::string_view{});
  return n + emitState(tsUs, *a, sink);
}

std::size_t AsteriskTracker::memberSeen(std::int64_t tsUs, std::string_view agent, std::string_view queue,
                                        DecodeSink& sink) {
  return ensureMember(tsUs, agent, queue, sink);
}

std::size_t AsteriskTracker::restart(std::int64_t tsUs, DecodeSink& sink) {
  std::size_t n = 0;
  // Emitting does not touch the table, so visiting while emitting is safe.
  calls_.forEach([&](std::uint64_t, Call& c) {
    Event& e = begin(c.connected ? EventType::kContactWrapped : EventType::kContactDequeued, tsUs);
    e.contact = c.id;
    e.queue = c.queue;
    e.agent = c.agent;
    e.dequeueReason = DequeueReason::kOther;
    n += emit(sink);
  });
  // FlatTable has no clear(); QUEUESTART is rare enough for a fresh table.
  calls_ = FlatTable<Call>(settings_.maxCalls);
  pendingLeaves_ = 0;
  agents_.forEach([](std::uint64_t, Agent& a) {
    a.calls = 0;
    a.snapshotCalls = 0;
  });
  return n;
}

std::size_t AsteriskTracker::snapshotEntry(std::int64_t tsUs, std::string_view call, std::string_view queue,
                                           std::string_view customer, std::int64_t waitSeconds, DecodeSink& sink) {
  std::size_t n = 0;
  Call* c = calls_.find(hashKey(call));
  if (c == nullptr) {
    n += enterQueue(waitSeconds == kUnknown ? tsUs : earlier(tsUs, waitSeconds), call, queue, customer, sink);
    c = calls_.find(hashKey(call));
  }
  if (c != nullptr) {
    c->snapshot = snapshot_;
  }
  return n;
}

std::size_t AsteriskTracker::endSnapshot(std::int64_t tsUs, DecodeSink& sink) {
  // Collect first: erasing while visiting would move entries under the visitor.
  std::array<std::uint64_t, 64> gone{};
  std::size_t n = 0;
  bool more = true;
  while (more) {
    std::size_t count = 0;
    more = false;
    calls_.forEach([&](std::uint64_t key, const Call& c) {
      if (!c.connected && c.snapshot != snapshot_) {
        if (count < gone.size()) {
          gone[count++] = key;
        } else {
          more = true;
        }
      }
    });
    for (std::size_t i = 0; i < count; ++i) {
      const Call c = *calls_.find(gone[i]);
      calls_.erase(gone[i]);
      pendingLeaves_ -= c.leftUs != 0 ? 1 : 0;
      Event& e = begin(EventType::kContactDequeued, tsUs);
      e.contact = c.id;
      e.queue = c.queue;
      e.dequeueReason = DequeueReason::kOther;
      n += emit(sink);
    }
  }
  return n;
}

void AsteriskTracker::leftQueue(std::int64_t tsUs, std::string_view call) noexcept {
  Call* c = calls_.find(hashKey(call));
  if (c != nullptr && !c->connected && c->leftUs == 0) {
    c->leftUs = tsUs;
    ++pendingLeaves_;
  }
}

std::size_t AsteriskTracker::settle(std::int64_t tsUs, std::int64_t graceUs, DecodeSink& sink) {
  if (pendingLeaves_ == 0) {
    return 0;
  }
  std::array<std::uint64_t, 64> due{};
  std::size_t count = 0;
  calls_.forEach([&](std::uint64_t key, const Call& c) {
    if (c.leftUs != 0 && !c.connected && c.leftUs + graceUs < tsUs && count < due.size()) {
      due[count++] = key;
    }
  });
  std::size_t n = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const Call c = *calls_.find(due[i]);
    calls_.erase(due[i]);
    --pendingLeaves_;
    Event& e = begin(EventType::kContactDequeued, c.leftUs);
    e.contact = c.id;
    e.queue = c.queue;
    e.dequeueReason = DequeueReason::kOther;
    n += emit(sink);
  }
  return n;
}

std::size_t AsteriskTracker::memberStatus(std::int64_t tsUs, std::string_view agent, std::string_view queue,
                                          bool paused, std::string_view reason, std::optional<bool> inCall,
                                          DecodeSink& sink) {
  std::size_t n = ensureMember(tsUs, agent, queue, sink);
  Agent* a = touchAgent(agent, sink);
  if (a == nullptr) {
    return n;
  }
  const bool wasPaused = a->paused;
  const bool wasBusy = a->calls > 0;
  a->paused = paused;
  a->reason.assign(paused && reason.size() <= kMaxTagLength ? reason : std::string_view{});
  if (inCall.has_value() && !*inCall) {
    a->calls = 0;
    a->snapshotCalls = 0;
  } else if (inCall.has_value() && a->calls == 0) {
    a->calls = 1;
    a->snapshotCalls = 1;
  }
  if (wasPaused != a->paused || wasBusy != (a->calls > 0)) {
    n += emitState(tsUs, *a, sink);
  }
  return n;
}

}  // namespace ccpulse

namespace ccpulse {
namespace {

// The tables are stored entry by entry as raw structs: they are trivially copyable and read back
// by the same build on the same machine (like the shards' checkpoint blobs); the sizes in the
// header reject a blob written by a build whose layout differs.
constexpr std::uint32_t kTrackerStateVersion = 1;

template <typename V>
void saveTable(ByteWriter& w, FlatTable<V>& table) {
  static_assert(std::is_trivially_copyable_v<V>);
  w.put(static_cast<std::uint32_t>(table.size()));
  table.forEach([&](std::uint64_t key, const V& value) {
    w.put(key);
    w.put(value);
  });
}

template <typename V>
bool restoreTable(ByteReader& r, FlatTable<V>& table) {
  table.clear();
  const auto count = r.get<std::uint32_t>();
  for (std::uint32_t i = 0; i < count && r.ok(); ++i) {
    const auto key = r.get<std::uint64_t>();
    const auto value = r.get<V>();
    bool inserted = false;
    V* slot = table.findOrInsert(key, inserted);
    if (slot == nullptr) {
      return false;  // a lowered cap: the state does not fit
    }
    *slot = value;
  }
  return r.ok();
}

}  // namespace

void AsteriskTracker::saveState(std::string& out) {
  ByteWriter w(out);
  w.put(kTrackerStateVersion);
  w.put(static_cast<std::uint32_t>(sizeof(Call)));
  w.put(static_cast<std::uint32_t>(sizeof(Agent)));
  w.put(order_);
  w.put(snapshot_);
  w.put(static_cast<std::uint64_t>(pendingLeaves_));
  saveTable(w, calls_);
  saveTable(w, agents_);
}

bool AsteriskTracker::restoreState(std::string_view state) {
  ByteReader r(state);
  const bool layout = r.get<std::uint32_t>() == kTrackerStateVersion && r.get<std::uint32_t>() == sizeof(Call) &&
                      r.get<std::uint32_t>() == sizeof(Agent);
  order_ = r.get<std::uint64_t>();
  snapshot_ = r.get<std::uint32_t>();
  pendingLeaves_ = static_cast<std::size_t>(r.get<std::uint64_t>());
  if (!layout || !restoreTable(r, calls_) || !restoreTable(r, agents_) || r.remaining() != 0) {
    calls_.clear();
    agents_.clear();
    order_ = 0;
    snapshot_ = 0;
    pendingLeaves_ = 0;
    return false;
  }
  return true;
}

}  // namespace ccpulse
