#pragma once
/// The per-source state both Asterisk adapters (queue_log and AMI) need to turn app_queue's view
/// into canonical events: calls waiting or connected (queue, since when, which agent), and agents
/// (queue memberships, paused and why, calls held). Each method is one thing app_queue reports;
/// it emits the canonical events it implies to the sink. See docs/adapters/asterisk.md.
///
/// Owned by one decoder, hence by one ingest thread; not thread-safe. Fixed-capacity tables
/// allocated once (no allocation per event); a full table evicts its oldest entry (O(capacity)
/// scan, only on that degraded path) and reports it via DecodeSink::onStateEvicted.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ccpulse/config/config.hpp"
#include "ccpulse/decode/event.hpp"
#include "ccpulse/decode/json_decoder.hpp"
#include "ccpulse/engine/flat_table.hpp"

namespace ccpulse {

class AsteriskTracker final {
 public:
  /// Unknown duration (a field Asterisk did not write).
  static constexpr std::int64_t kUnknown = -1;

  explicit AsteriskTracker(const AdapterSettings& settings);

  /// Each returns the number of events delivered to `sink.onEvent`. Durations are seconds.
  std::size_t enterQueue(std::int64_t tsUs, std::string_view call, std::string_view queue, std::string_view customer,
                         DecodeSink& sink);
  std::size_t connect(std::int64_t tsUs, std::string_view call, std::string_view queue, std::string_view agent,
                      std::int64_t holdSeconds, DecodeSink& sink);
  /// COMPLETECALLER / COMPLETEAGENT / AgentComplete; `transfer` for every transfer kind.
  std::size_t complete(std::int64_t tsUs, std::string_view call, std::string_view queue, std::string_view agent,
                       std::int64_t holdSeconds, std::int64_t talkSeconds, bool transfer, DecodeSink& sink);
  /// Left the queue unanswered: abandoned (`abandoned`) or dequeued with `reason`.
  std::size_t leave(std::int64_t tsUs, std::string_view call, std::string_view queue, bool abandoned,
                    DequeueReason reason, std::int64_t waitSeconds, DecodeSink& sink);
  std::size_t addMember(std::int64_t tsUs, std::string_view agent, std::string_view queue, DecodeSink& sink);
  std::size_t removeMember(std::int64_t tsUs, std::string_view agent, std::string_view queue, DecodeSink& sink);
  std::size_t agentLogin(std::int64_t tsUs, std::string_view agent, DecodeSink& sink);
  std::size_t agentLogoff(std::int64_t tsUs, std::string_view agent, DecodeSink& sink);
  /// Pause state (queue empty = all queues); reason only for a pause.
  std::size_t pause(std::int64_t tsUs, std::string_view agent, std::string_view queue, bool paused,
                    std::string_view reason, DecodeSink& sink);
  /// A member app_queue rang (RINGNOANSWER, AgentCalled): it is a member of `queue`.
  std::size_t memberSeen(std::int64_t tsUs, std::string_view agent, std::string_view queue, DecodeSink& sink);
  /// Asterisk (re)started app_queue (QUEUESTART): every call it knew of is gone.
  std::size_t restart(std::int64_t tsUs, DecodeSink& sink);

  /// AMI QueueStatus after a (re)connect: beginSnapshot(), then snapshotEntry() per QueueEntry
  /// (a waiting caller; unknown ones are queued at ts - wait), then endSnapshot(), which dequeues
  /// (reason other) every call still believed waiting that the snapshot did not list: it left
  /// while we were not connected.
  void beginSnapshot() noexcept { ++snapshot_; }
  std::size_t snapshotEntry(std::int64_t tsUs, std::string_view call, std::string_view queue, std::string_view customer,
                            std::int64_t waitSeconds, DecodeSink& sink);
  std::size_t endSnapshot(std::int64_t tsUs, DecodeSink& sink);
  /// A caller left the queue (AMI QueueCallerLeave, which also precedes AgentConnect): remembered;
  /// settle() later turns it into a dequeue unless AgentConnect or an abandon explained it.
  void leftQueue(std::int64_t tsUs, std::string_view call) noexcept;
  /// Dequeues (reason other) callers that left more than `graceUs` before `tsUs` unexplained.
  std::size_t settle(std::int64_t tsUs, std::int64_t graceUs, DecodeSink& sink);
  /// Membership and state of one member as QueueMemberStatus / QueueMember report it. `inCall`
  /// is only given from the QueueStatus snapshot (QueueMember): while connected, AgentConnect /
  /// AgentComplete count the member's calls, and the InCall of QueueMemberStatus races with them
  /// (app_queue publishes device state asynchronously: "in use, InCall 0" can follow
  /// AgentConnect, "not in use, InCall 1" can follow AgentComplete). A call known only from the
  /// snapshot is the one the member's next AgentComplete for an unseen call ends.
  std::size_t memberStatus(std::int64_t tsUs, std::string_view agent, std::string_view queue, bool paused,
                           std::string_view reason, std::optional<bool> inCall, DecodeSink& sink);

  /// The whole table state (calls, agents, orders) as bytes, for checkpoints (docs/durability.md);
  /// restoreState() puts it back into a tracker built with the same settings. False (and the
  /// tracker left empty) when the bytes come from an incompatible layout.
  void saveState(std::string& out);
  bool restoreState(std::string_view state);

  [[nodiscard]] std::size_t trackedCalls() const noexcept { return calls_.size(); }
  [[nodiscard]] std::size_t trackedAgents() const noexcept { return agents_.size(); }
  /// True when `call` is remembered (waiting or connected).
  [[nodiscard]] bool knowsCall(std::string_view call) noexcept;

 private:
  struct Call {
    Id id;
    Id queue;
    Id agent;
    std::uint64_t order = 0;     ///< insertion order, for evicting the oldest
    std::int64_t leftUs = 0;     ///< AMI: when QueueCallerLeave came (0 = not left)
    std::uint32_t snapshot = 0;  ///< the last QueueStatus snapshot that listed it
    bool connected = false;
  };
  struct Agent {
    Id name;
    std::array<Id, kMaxAgentQueues> queues{};
    std::uint8_t queueCount = 0;
    bool paused = false;
    Tag reason;
    std::uint16_t calls = 0;
    std::uint16_t snapshotCalls = 0;  ///< of `calls`, those known only from a QueueStatus snapshot
    std::uint64_t order = 0;          ///< last touched, for evicting the least recently seen
  };

  Event& begin(EventType type, std::int64_t tsUs);
  std::size_t emit(DecodeSink& sink);
  std::size_t emitContact(EventType type, std::int64_t tsUs, std::string_view call, std::string_view queue,
                          std::string_view agent, DecodeSink& sink);
  Call* insertCall(std::string_view call, DecodeSink& sink);
  Agent* findAgent(std::string_view agent) noexcept;
  Agent* touchAgent(std::string_view agent, DecodeSink& sink);
  /// Makes `queue` one of the agent's queues; emits agent.login (+ its state) when it was not.
  std::size_t ensureMember(std::int64_t tsUs, std::string_view agent, std::string_view queue, DecodeSink& sink);
  std::size_t emitLogin(std::int64_t tsUs, const Agent& agent, DecodeSink& sink);
  /// agent.state for what the agent is doing now (aux when paused, busy on a call, else available).
  std::size_t emitState(std::int64_t tsUs, const Agent& agent, DecodeSink& sink);

  AdapterSettings settings_;
  FlatTable<Call> calls_;
  FlatTable<Agent> agents_;
  std::uint64_t order_ = 0;
  std::uint32_t snapshot_ = 0;
  std::size_t pendingLeaves_ = 0;  ///< calls with leftUs set (settle() scans only when non-zero)
  Event event_;
};

}  // namespace ccpulse
