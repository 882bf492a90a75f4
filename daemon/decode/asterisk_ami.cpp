#include "ccpulse/decode/asterisk_ami.hpp"

#include <array>
#include <chrono>

#include "asterisk_parse.hpp"

namespace ccpulse {
namespace {

constexpr std::size_t kMaxHeaders = 64;
// A QueueCallerLeave not followed by AgentConnect or an abandon within this much event time was a
// timeout or another exit: app_queue publishes AgentConnect right after the leave on answer.
constexpr std::int64_t kLeaveGraceUs = 2'000'000;

struct Headers {
  std::array<std::pair<std::string_view, std::string_view>, kMaxHeaders> items{};
  std::size_t count = 0;

  [[nodiscard]] std::string_view get(std::string_view key) const noexcept {
    for (std::size_t i = 0; i < count; ++i) {
      if (items[i].first.size() == key.size()) {
        bool same = true;
        for (std::size_t c = 0; c < key.size() && same; ++c) {
          const auto lower = [](char ch) { return ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch - 'A' + 'a') : ch; };
          same = lower(items[i].first[c]) == lower(key[c]);
        }
        if (same) {
          return items[i].second;
        }
      }
    }
    return {};
  }
};

bool isTrue(std::string_view v) noexcept { return v == "1" || v == "true" || v == "yes" || v == "True" || v == "Yes"; }

enum class Kind : std::uint8_t {
  kJoin,
  kLeave,
  kAbandon,
  kCalled,
  kConnect,
  kComplete,
  kRingNoAnswer,
  kMemberStatus,
  kMember,  // QueueStatus reply: the only message whose InCall is used
  kMemberAdded,
  kMemberRemoved,
  kEntry,
  kStatusComplete,
};

struct Spec {
  std::string_view name;
  Kind kind;
};

constexpr std::array<Spec, 14> kSpecs{{
    {"QueueCallerJoin", Kind::kJoin},
    {"QueueCallerLeave", Kind::kLeave},
    {"QueueCallerAbandon", Kind::kAbandon},
    {"AgentCalled", Kind::kCalled},
    {"AgentConnect", Kind::kConnect},
    {"AgentComplete", Kind::kComplete},
    {"AgentRingNoAnswer", Kind::kRingNoAnswer},
    {"QueueMemberStatus", Kind::kMemberStatus},
    {"QueueMemberPause", Kind::kMemberStatus},
    {"QueueMemberAdded", Kind::kMemberAdded},
    {"QueueMemberRemoved", Kind::kMemberRemoved},
    {"QueueMember", Kind::kMember},  // QueueStatus reply
    {"QueueEntry", Kind::kEntry},    // QueueStatus reply
    {"QueueStatusComplete", Kind::kStatusComplete},
}};

}  // namespace

std::size_t AsteriskAmiFormat::decode(std::string_view frame, AsteriskTracker& tracker, DecodeSink& sink) {
  Headers h;
  std::size_t start = 0;
  while (start < frame.size()) {
    std::size_t nl = frame.find('\n', start);
    std::string_view line = frame.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    start = nl == std::string_view::npos ? frame.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (line.empty()) {
      continue;  // the blank line that ends the message
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      sink.onReject(RejectReason::kMalformedMessage, "line");
      return 0;
    }
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') {
      value.remove_prefix(1);
    }
    if (h.count < kMaxHeaders) {
      h.items[h.count++] = {line.substr(0, colon), value};
    }
  }
  if (h.count == 0) {
    sink.onReject(RejectReason::kMalformedMessage, "empty");
    return 0;
  }
  const std::string_view name = h.get("Event");
  if (name.empty()) {
    // Responses to our actions (Login, QueueStatus): "Queue status will follow" opens a snapshot.
    if (h.get("Response") == "Success" && h.get("EventList") == "start") {
      tracker.beginSnapshot();
      inSnapshot = true;
    }
    sink.onIgnored(h.get("Response").empty() ? std::string_view("message") : std::string_view("response"));
    return 0;
  }
  const Spec* spec = nullptr;
  for (const Spec& s : kSpecs) {
    if (s.name == name) {
      spec = &s;
      break;
    }
  }
  if (spec == nullptr) {
    sink.onIgnored(name);  // AMI sends many event types; only app_queue's are mapped
    return 0;
  }
  std::int64_t tsUs = 0;
  const std::string_view stamp = h.get("Timestamp");
  if (stamp.empty()) {
    tsUs = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
               .count();
  } else if (!asterisk::parseEpoch(stamp, tsUs)) {
    sink.onReject(RejectReason::kBadTimestamp, "Timestamp");
    return 0;
  }
  const std::string_view call = h.get("Uniqueid");
  const std::string_view queue = h.get("Queue");
  std::string_view agent = h.get("MemberName");
  if (agent.empty()) {
    agent = h.get("Name");  // QueueMember (QueueStatus reply)
  }
  const bool needsCall = spec->kind <= Kind::kRingNoAnswer || spec->kind == Kind::kEntry;
  const bool needsQueue = spec->kind != Kind::kStatusComplete;
  const bool needsAgent = spec->kind >= Kind::kCalled && spec->kind <= Kind::kMemberRemoved;
  if (!asterisk::checkIds(
          {{call, "Uniqueid", needsCall}, {queue, "Queue", needsQueue}, {agent, "MemberName", needsAgent}}, sink)) {
    return 0;
  }
  const auto seconds = [&](std::string_view key, std::int64_t& out) {
    if (!asterisk::parseSeconds(h.get(key), out)) {
      sink.onReject(RejectReason::kBadValue, key);
      return false;
    }
    return true;
  };
  std::int64_t hold = AsteriskTracker::kUnknown;
  std::int64_t talk = AsteriskTracker::kUnknown;
  AsteriskTracker& t = tracker;
  std::size_t n = t.settle(tsUs, kLeaveGraceUs, sink);
  switch (spec->kind) {
    case Kind::kJoin:
      return n + t.enterQueue(tsUs, call, queue, h.get("CallerIDNum"), sink);
    case Kind::kLeave:
      t.leftQueue(tsUs, call);
      return n;
    case Kind::kAbandon:
      return seconds("HoldTime", hold) ? n + t.leave(tsUs, call, queue, true, DequeueReason::kOther, hold, sink) : n;
    case Kind::kCalled:
      sink.onIgnored(name);
      return n + t.memberSeen(tsUs, agent, queue, sink);
    case Kind::kRingNoAnswer:
      sink.onIgnored(name);
      return n + t.memberSeen(tsUs, agent, queue, sink);
    case Kind::kConnect:
      return seconds("HoldTime", hold) ? n + t.connect(tsUs, call, queue, agent, hold, sink) : n;
    case Kind::kComplete:
      if (!seconds("HoldTime", hold) || !seconds("TalkTime", talk)) {
        return n;
      }
      return n + t.complete(tsUs, call, queue, agent, hold, talk, h.get("Reason") == "transfer", sink);
    case Kind::kMemberStatus:
    case Kind::kMember: {
      std::string_view reason = h.get("PausedReason");
      if (reason.empty()) {
        reason = h.get("Reason");  // QueueMemberPause before Asterisk 13
      }
      const std::optional<bool> inCall =
          spec->kind == Kind::kMember ? std::optional<bool>(isTrue(h.get("InCall"))) : std::nullopt;
      return n + t.memberStatus(tsUs, agent, queue, isTrue(h.get("Paused")), reason, inCall, sink);
    }
    case Kind::kMemberAdded:
      return n + t.addMember(tsUs, agent, queue, sink);
    case Kind::kMemberRemoved:
      return n + t.removeMember(tsUs, agent, queue, sink);
    case Kind::kEntry: {
      std::int64_t wait = AsteriskTracker::kUnknown;
      if (!seconds("Wait", wait)) {
        return n;
      }
      return n + t.snapshotEntry(tsUs, call, queue, h.get("CallerIDNum"), wait, sink);
    }
    case Kind::kStatusComplete:
      if (!inSnapshot) {
        sink.onIgnored(name);
        return n;
      }
      inSnapshot = false;
      return n + t.endSnapshot(tsUs, sink);
  }
  return n;
}

}  // namespace ccpulse
