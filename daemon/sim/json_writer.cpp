// Canonical v1 JSON rendering for the simulator. Hand-rolled appends with std::to_chars into the
// caller's reused buffer: a load generator must not spend its budget in iostreams or allocation.

#include <array>
#include <charconv>
#include <cstdint>
#include <string>

#include "ccpulse/common/civil_time.hpp"
#include "ccpulse/sim/simulator.hpp"

namespace ccpulse::sim {
namespace {

void appendUint(std::uint64_t value, std::string& out) {
  std::array<char, 24> buf{};
  const auto result = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  out.append(buf.data(), result.ptr);
}

void appendDigits(std::uint32_t value, int width, char* dst) noexcept {
  for (int i = width - 1; i >= 0; --i) {
    dst[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

/// Quoted string field: `,"key":"value"`.
void field(std::string& out, std::string_view key, std::string_view value) {
  out += ",\"";
  out += key;
  out += "\":\"";
  out += value;
  out += '"';
}

void numberField(std::string& out, std::string_view key, std::uint64_t value) {
  out += ",\"";
  out += key;
  out += "\":";
  appendUint(value, out);
}

void boolField(std::string& out, std::string_view key, bool value) {
  out += ",\"";
  out += key;
  out += value ? "\":true" : "\":false";
}

}  // namespace

std::string_view eventTypeName(EventType type) noexcept {
  switch (type) {
    case EventType::kContactQueued:
      return "contact.queued";
    case EventType::kContactAnswered:
      return "contact.answered";
    case EventType::kContactAbandoned:
      return "contact.abandoned";
    case EventType::kContactDequeued:
      return "contact.dequeued";
    case EventType::kContactHold:
      return "contact.hold";
    case EventType::kContactUnhold:
      return "contact.unhold";
    case EventType::kContactTransferred:
      return "contact.transferred";
    case EventType::kContactEnded:
      return "contact.ended";
    case EventType::kContactWrapped:
      return "contact.wrapped";
    case EventType::kContactSelfService:
      return "contact.selfservice";
    case EventType::kAgentLogin:
      return "agent.login";
    case EventType::kAgentState:
      return "agent.state";
    case EventType::kAgentLogout:
      return "agent.logout";
    case EventType::kSurveyResult:
      return "survey.result";
  }
  return "unknown";
}

std::string_view channelName(Channel channel) noexcept {
  switch (channel) {
    case Channel::kVoice:
      return "voice";
    case Channel::kChat:
      return "chat";
    case Channel::kSms:
      return "sms";
    case Channel::kEmail:
      return "email";
    case Channel::kSocial:
      return "social";
    case Channel::kVideo:
      return "video";
  }
  return "unknown";
}

std::string_view agentStateName(AgentStateKind state) noexcept {
  switch (state) {
    case AgentStateKind::kAvailable:
      return "available";
    case AgentStateKind::kBusy:
      return "busy";
    case AgentStateKind::kAcw:
      return "acw";
    case AgentStateKind::kAux:
      return "aux";
    case AgentStateKind::kOffline:
      return "offline";
  }
  return "unknown";
}

std::string_view dequeueReasonName(DequeueReason reason) noexcept {
  switch (reason) {
    case DequeueReason::kTimeout:
      return "timeout";
    case DequeueReason::kOverflow:
      return "overflow";
    case DequeueReason::kCallback:
      return "callback";
    case DequeueReason::kOther:
      return "other";
  }
  return "other";
}

void appendTimestamp(std::int64_t tsUs, std::string& out) {
  constexpr std::int64_t kDayUs = 86'400'000'000;
  std::int64_t days = tsUs / kDayUs;
  std::int64_t inDay = tsUs % kDayUs;
  if (inDay < 0) {
    inDay += kDayUs;
    --days;
  }
  const CivilDate date = civilFromDays(days);
  const std::int64_t year = date.year;
  const unsigned month = date.month;
  const unsigned day = date.day;
  const auto micros = static_cast<std::uint32_t>(inDay % 1'000'000);
  const auto secs = static_cast<std::uint32_t>(inDay / 1'000'000);
  std::array<char, 27> buf{};  // YYYY-MM-DDTHH:MM:SS.uuuuuuZ
  appendDigits(static_cast<std::uint32_t>(year < 0 ? 0 : (year > 9999 ? 9999 : year)), 4, &buf[0]);
  buf[4] = '-';
  appendDigits(month, 2, &buf[5]);
  buf[7] = '-';
  appendDigits(day, 2, &buf[8]);
  buf[10] = 'T';
  appendDigits(secs / 3600, 2, &buf[11]);
  buf[13] = ':';
  appendDigits(secs / 60 % 60, 2, &buf[14]);
  buf[16] = ':';
  appendDigits(secs % 60, 2, &buf[17]);
  buf[19] = '.';
  appendDigits(micros, 6, &buf[20]);
  buf[26] = 'Z';
  out.append(buf.data(), buf.size());
}

void renderJson(const SimEvent& event, std::string& out) {
  out += "{\"type\":\"";
  out += eventTypeName(event.type);
  out += "\",\"ts\":\"";
  appendTimestamp(event.tsUs, out);
  out += "\",\"id\":\"";
  out += event.source;
  out += '-';
  appendUint(event.seq, out);
  out += '"';
  field(out, "source", event.source);
  numberField(out, "seq", event.seq);
  field(out, "tenant", event.tenant);
  field(out, "vendor", event.vendor);
  const bool contactLike = isContactEvent(event.type) || event.type == EventType::kSurveyResult;
  if (contactLike) {
    field(out, "queue", event.queue);
    field(out, "channel", channelName(event.channel));
    out += ",\"contact\":\"";
    out += event.source;
    out += "-c";
    appendUint(event.contact, out);
    out += '"';
    if (event.customer != 0) {
      out += ",\"customer\":\"";
      out += event.tenant;
      out += "-cust-";
      appendUint(event.customer, out);
      out += '"';
    }
  }
  if (!event.agent.empty()) {
    field(out, "agent", event.agent);
  }
  switch (event.type) {
    case EventType::kContactDequeued:
      field(out, "reason", dequeueReasonName(event.dequeueReason));
      break;
    case EventType::kContactTransferred:
      field(out, "to_queue", event.toQueue);
      break;
    case EventType::kContactWrapped:
      field(out, "disposition", event.disposition);
      boolField(out, "resolved", event.resolved > 0);
      break;
    case EventType::kContactSelfService:
      boolField(out, "contained", event.contained > 0);
      break;
    case EventType::kAgentLogin: {
      out += ",\"queues\":[";
      bool first = true;
      for (const std::string_view queue : event.loginQueues) {
        out += first ? "\"" : ",\"";
        out += queue;
        out += '"';
        first = false;
      }
      out += "],\"capacity\":{\"";
      out += channelName(event.channel);
      out += "\":";
      appendUint(event.capacity, out);
      out += '}';
      break;
    }
    case EventType::kAgentState:
      field(out, "state", agentStateName(event.state));
      if (!event.reason.empty()) {
        field(out, "reason", event.reason);
      }
      break;
    case EventType::kSurveyResult:
      numberField(out, "csat", event.csat);
      if (event.nps >= 0) {
        numberField(out, "nps", static_cast<std::uint64_t>(event.nps));
      }
      break;
    default:
      break;
  }
  out += '}';
}

}  // namespace ccpulse::sim
