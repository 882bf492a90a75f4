#include "ccpulse/durability/codec.hpp"

#include <array>

namespace ccpulse {
namespace {

constexpr std::array<std::uint32_t, 256> makeCrcTable() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) {
      c = (c & 1U) != 0 ? 0x82F63B78U ^ (c >> 1U) : c >> 1U;  // reflected Castagnoli polynomial
    }
    table[i] = c;
  }
  return table;
}
constexpr auto kCrcTable = makeCrcTable();

template <std::size_t N>
bool readFixed(ByteReader& in, FixedString<N>& out) noexcept {
  const std::string_view text = in.getShort();
  return in.ok() && out.assign(text);
}

}  // namespace

std::uint32_t crc32c(const void* data, std::size_t size, std::uint32_t crc) noexcept {
  const auto* p = static_cast<const unsigned char*>(data);
  crc = ~crc;
  for (std::size_t i = 0; i < size; ++i) {
    crc = kCrcTable[(crc ^ p[i]) & 0xFFU] ^ (crc >> 8U);
  }
  return ~crc;
}

void encodeEvent(ByteWriter& out, const Event& e) {
  out.put(static_cast<std::uint8_t>(e.type));
  out.put(static_cast<std::uint8_t>(e.channel));
  out.put(e.tsUs);
  out.put(e.sourcePosition);
  out.put(static_cast<std::uint8_t>(e.hasSeq ? 1 : 0));
  out.put(e.seq);
  for (const Id* id :
       {&e.id, &e.publisher, &e.tenant, &e.vendor, &e.queue, &e.contact, &e.agent, &e.customer, &e.toQueue}) {
    out.putShort(id->view());
  }
  out.put(static_cast<std::uint8_t>(e.dequeueReason));
  out.put(static_cast<std::uint8_t>(e.agentState));
  out.putShort(e.reason.view());
  out.putShort(e.disposition.view());
  out.put(e.resolved);
  out.put(e.contained);
  out.put(e.csat);
  out.put(e.nps);
  out.put(e.queueCount);
  for (std::size_t i = 0; i < e.queueCount && i < kMaxAgentQueues; ++i) {
    out.putShort(e.queues[i].view());
  }
  out.put(e.capacity);
}

bool decodeEvent(ByteReader& in, Event& e) noexcept {
  e = Event{};
  const auto type = in.get<std::uint8_t>();
  const auto channel = in.get<std::uint8_t>();
  if (type >= kEventTypeCount || channel >= kChannelCount) {
    return false;
  }
  e.type = static_cast<EventType>(type);
  e.channel = static_cast<Channel>(channel);
  e.tsUs = in.get<std::int64_t>();
  e.sourcePosition = in.get<std::uint64_t>();
  e.hasSeq = in.get<std::uint8_t>() != 0;
  e.seq = in.get<std::uint64_t>();
  for (Id* id : {&e.id, &e.publisher, &e.tenant, &e.vendor, &e.queue, &e.contact, &e.agent, &e.customer, &e.toQueue}) {
    if (!readFixed(in, *id)) {
      return false;
    }
  }
  const auto dequeueReason = in.get<std::uint8_t>();
  const auto agentState = in.get<std::uint8_t>();
  if (dequeueReason >= kDequeueReasonCount || agentState >= kAgentStateKindCount) {
    return false;
  }
  e.dequeueReason = static_cast<DequeueReason>(dequeueReason);
  e.agentState = static_cast<AgentStateKind>(agentState);
  if (!readFixed(in, e.reason) || !readFixed(in, e.disposition)) {
    return false;
  }
  e.resolved = in.get<std::int8_t>();
  e.contained = in.get<std::int8_t>();
  e.csat = in.get<std::uint8_t>();
  e.nps = in.get<std::int8_t>();
  e.queueCount = in.get<std::uint8_t>();
  if (e.queueCount > kMaxAgentQueues) {
    return false;
  }
  for (std::size_t i = 0; i < e.queueCount; ++i) {
    if (!readFixed(in, e.queues[i])) {
      return false;
    }
  }
  e.capacity = in.get<std::array<std::uint8_t, kChannelCount>>();
  return in.ok();
}

}  // namespace ccpulse
