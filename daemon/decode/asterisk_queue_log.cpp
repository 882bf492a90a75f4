#include "ccpulse/decode/asterisk_queue_log.hpp"

#include <array>

#include "asterisk_parse.hpp"

namespace ccpulse {
namespace {

// epoch|callid|queue|agent|EVENT|data1|...; data fields past this many are never used.
constexpr std::size_t kMaxFields = 12;
constexpr std::size_t kFixedFields = 5;

enum class Kind : std::uint8_t {
  kEnterQueue,
  kConnect,
  kComplete,
  kAbandon,
  kExitTimeout,
  kExitEmpty,
  kExitKey,
  kWithdraw,
  kTransfer,          // TRANSFER, BLINDTRANSFER: ext|context|holdtime|calltime|origpos
  kAttendedTransfer,  // method|data|holdtime|calltime|origpos
  kRing,              // RINGNOANSWER, RINGCANCELED: the member was rung
  kAgentLogin,
  kAgentLogoff,
  kAddMember,
  kRemoveMember,
  kPause,
  kUnpause,
  kPauseAll,
  kUnpauseAll,
  kQueueStart,
  kIgnored,
};

struct EventSpec {
  std::string_view name;
  Kind kind;
  std::uint8_t minData;  ///< data fields the mapping needs (fewer: too_few_fields)
  bool needsCall;
  bool needsQueue;
  bool needsAgent;
};

// Field layouts: Asterisk's queue_log documentation (doc/queuelog.txt, "Queue Logs" on
// docs.asterisk.org). Events the canonical schema has nothing for are kIgnored (counted).
constexpr std::array<EventSpec, 27> kSpecs{{
    {"ENTERQUEUE", Kind::kEnterQueue, 0, true, true, false},
    {"CONNECT", Kind::kConnect, 1, true, true, true},
    {"COMPLETECALLER", Kind::kComplete, 2, true, true, true},
    {"COMPLETEAGENT", Kind::kComplete, 2, true, true, true},
    {"ABANDON", Kind::kAbandon, 3, true, true, false},
    {"EXITWITHTIMEOUT", Kind::kExitTimeout, 1, true, true, false},
    {"EXITEMPTY", Kind::kExitEmpty, 1, true, true, false},
    {"EXITWITHKEY", Kind::kExitKey, 2, true, true, false},
    {"WITHDRAW", Kind::kWithdraw, 0, true, true, false},
    {"TRANSFER", Kind::kTransfer, 2, true, true, true},
    {"BLINDTRANSFER", Kind::kTransfer, 2, true, true, true},
    {"ATTENDEDTRANSFER", Kind::kAttendedTransfer, 1, true, true, true},
    {"RINGNOANSWER", Kind::kRing, 0, false, false, true},
    {"RINGCANCELED", Kind::kRing, 0, false, false, true},
    {"AGENTLOGIN", Kind::kAgentLogin, 0, false, false, true},
    {"AGENTCALLBACKLOGIN", Kind::kAgentLogin, 0, false, false, true},
    {"AGENTLOGOFF", Kind::kAgentLogoff, 0, false, false, true},
    {"AGENTCALLBACKLOGOFF", Kind::kAgentLogoff, 0, false, false, true},
    {"ADDMEMBER", Kind::kAddMember, 0, false, true, true},
    {"REMOVEMEMBER", Kind::kRemoveMember, 0, false, true, true},
    {"PAUSE", Kind::kPause, 0, false, false, true},
    {"UNPAUSE", Kind::kUnpause, 0, false, false, true},
    {"PAUSEALL", Kind::kPauseAll, 0, false, false, true},
    {"UNPAUSEALL", Kind::kUnpauseAll, 0, false, false, true},
    {"QUEUESTART", Kind::kQueueStart, 0, false, false, false},
    {"AGENTDUMP", Kind::kIgnored, 0, false, false, false},
    {"SYSCOMPAT", Kind::kIgnored, 0, false, false, false},
}};
// Written by app_queue or by dialplan QueueLog() calls that are common in the field, carrying
// nothing the canonical schema models.
constexpr std::array<std::string_view, 4> kIgnoredNames{"CONFIGRELOAD", "DID", "INFO", "ENTERQUEUE_REASON"};

// Asterisk writes "NONE" where a field has no value.
std::string_view valueOf(std::string_view field) noexcept { return field == "NONE" ? std::string_view{} : field; }

}  // namespace

std::size_t AsteriskQueueLogFormat::decode(std::string_view line, AsteriskTracker& tracker, DecodeSink& sink) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
    line.remove_suffix(1);
  }
  std::array<std::string_view, kMaxFields> fields{};
  std::size_t count = 0;
  for (std::size_t start = 0;;) {
    const std::size_t bar = line.find('|', start);
    if (count < kMaxFields) {
      fields[count] = line.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start);
    }
    ++count;
    if (bar == std::string_view::npos) {
      break;
    }
    start = bar + 1;
  }
  if (count < kFixedFields) {
    sink.onReject(RejectReason::kTooFewFields, "event");
    return 0;
  }
  std::int64_t tsUs = 0;
  if (!asterisk::parseEpoch(fields[0], tsUs)) {
    sink.onReject(RejectReason::kBadTimestamp, "epoch");
    return 0;
  }
  const std::string_view call = valueOf(fields[1]);
  const std::string_view queue = valueOf(fields[2]);
  const std::string_view agent = valueOf(fields[3]);
  const std::string_view name = fields[4];
  const EventSpec* spec = nullptr;
  for (const EventSpec& s : kSpecs) {
    if (s.name == name) {
      spec = &s;
      break;
    }
  }
  if (spec == nullptr) {
    for (const std::string_view ignored : kIgnoredNames) {
      if (ignored == name) {
        sink.onIgnored(name);
        return 0;
      }
    }
    sink.onReject(RejectReason::kUnknownType, "event");
    return 0;
  }
  if (spec->kind == Kind::kIgnored) {
    sink.onIgnored(name);
    return 0;
  }
  const std::size_t dataCount = count - kFixedFields;
  if (dataCount < spec->minData) {
    sink.onReject(RejectReason::kTooFewFields, name);
    return 0;
  }
  const auto data = [&](std::size_t i) -> std::string_view {
    return i < dataCount && kFixedFields + i < kMaxFields ? fields[kFixedFields + i] : std::string_view{};
  };
  if (!asterisk::checkIds(
          {{call, "callid", spec->needsCall}, {queue, "queue", spec->needsQueue}, {agent, "agent", spec->needsAgent}},
          sink)) {
    return 0;
  }
  // Durations at data index `i`, named for the reject detail.
  std::int64_t d1 = AsteriskTracker::kUnknown;
  std::int64_t d2 = AsteriskTracker::kUnknown;
  const auto seconds = [&](std::size_t i, std::string_view field, std::int64_t& out) {
    if (!asterisk::parseSeconds(data(i), out)) {
      sink.onReject(RejectReason::kBadValue, field);
      return false;
    }
    return true;
  };
  AsteriskTracker& t = tracker;
  switch (spec->kind) {
    case Kind::kEnterQueue:
      return t.enterQueue(tsUs, call, queue, data(1), sink);  // url|callerid
    case Kind::kConnect:
      return seconds(0, "holdtime", d1) ? t.connect(tsUs, call, queue, agent, d1, sink) : 0;
    case Kind::kComplete:
      if (!seconds(0, "holdtime", d1) || !seconds(1, "calltime", d2)) {
        return 0;
      }
      return t.complete(tsUs, call, queue, agent, d1, d2, false, sink);
    case Kind::kTransfer:
    case Kind::kAttendedTransfer:
      if (!seconds(2, "holdtime", d1) || !seconds(3, "calltime", d2)) {
        return 0;
      }
      return t.complete(tsUs, call, queue, agent, d1, d2, true, sink);
    case Kind::kAbandon:  // position|origposition|waittime
      return seconds(2, "waittime", d1) ? t.leave(tsUs, call, queue, true, DequeueReason::kOther, d1, sink) : 0;
    case Kind::kExitTimeout:  // position|origposition|waittime
      return seconds(2, "waittime", d1) ? t.leave(tsUs, call, queue, false, DequeueReason::kTimeout, d1, sink) : 0;
    case Kind::kExitEmpty:  // position|origposition|waittime
      return seconds(2, "waittime", d1) ? t.leave(tsUs, call, queue, false, DequeueReason::kOther, d1, sink) : 0;
    case Kind::kExitKey:  // key|position|origposition|waittime
      return seconds(3, "waittime", d1) ? t.leave(tsUs, call, queue, false, DequeueReason::kOther, d1, sink) : 0;
    case Kind::kWithdraw:
      return t.leave(tsUs, call, queue, false, DequeueReason::kOther, AsteriskTracker::kUnknown, sink);
    case Kind::kRing:
      sink.onIgnored(name);  // a ring attempt has no canonical event; only the membership it shows
      return t.memberSeen(tsUs, agent, queue, sink);
    case Kind::kAgentLogin:
      return t.agentLogin(tsUs, agent, sink);
    case Kind::kAgentLogoff:
      return t.agentLogoff(tsUs, agent, sink);
    case Kind::kAddMember:
      return t.addMember(tsUs, agent, queue, sink);
    case Kind::kRemoveMember:
      return t.removeMember(tsUs, agent, queue, sink);
    case Kind::kPause:
      return t.pause(tsUs, agent, queue, true, data(0), sink);
    case Kind::kUnpause:
      return t.pause(tsUs, agent, queue, false, {}, sink);
    case Kind::kPauseAll:
      return t.pause(tsUs, agent, {}, true, data(0), sink);
    case Kind::kUnpauseAll:
      return t.pause(tsUs, agent, {}, false, {}, sink);
    case Kind::kQueueStart:
      return t.restart(tsUs, sink);
    case Kind::kIgnored:
      break;
  }
  return 0;
}

}  // namespace ccpulse
