#pragma once
// Shared body of the vendor adapter fuzz targets (fuzz_<format>_decoder.cpp). Besides "no crash,
// no UB": every event an adapter delivers must satisfy the canonical guarantees the engine relies
// on (docs/events.md), the adapter must be deterministic (two fresh decoders fed the same input
// agree exactly), and the oversize limit must hold. The long-lived decoder also exercises the
// per-source state across inputs, as on an ingest thread.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ccpulse/config/config.hpp"
#include "ccpulse/decode/event.hpp"
#include "ccpulse/decode/frame_decoder.hpp"
#include "fuzz_check.hpp"

namespace ccpulse::fuzz {

inline void checkAdapterEvent(const Event& event) {
  CCPULSE_FUZZ_CHECK(static_cast<std::size_t>(event.type) < kEventTypeCount);
  CCPULSE_FUZZ_CHECK(static_cast<std::size_t>(event.channel) < kChannelCount);
  CCPULSE_FUZZ_CHECK(static_cast<std::size_t>(event.agentState) < kAgentStateKindCount);
  CCPULSE_FUZZ_CHECK(static_cast<std::size_t>(event.dequeueReason) < kDequeueReasonCount);
  CCPULSE_FUZZ_CHECK(event.tsUs >= kMinTimestampUs && event.tsUs <= kMaxTimestampUs);
  CCPULSE_FUZZ_CHECK(event.sourceIndex == 0 && event.receivedNs == 0 && !event.hasSeq);
  CCPULSE_FUZZ_CHECK(event.tenant.view() == "acme" && event.vendor.view() == "bpo1");
  if (isContactEvent(event.type)) {
    CCPULSE_FUZZ_CHECK(!event.queue.empty() && !event.contact.empty());
  }
  if (isAgentEvent(event.type)) {
    CCPULSE_FUZZ_CHECK(!event.agent.empty());
  }
  CCPULSE_FUZZ_CHECK(event.queueCount <= kMaxAgentQueues);
  if (event.type != EventType::kAgentLogin) {
    CCPULSE_FUZZ_CHECK(event.queueCount == 0);
  }
  for (std::size_t i = 0; i < event.queueCount; ++i) {
    CCPULSE_FUZZ_CHECK(!event.queues[i].empty());
    for (std::size_t j = 0; j < i; ++j) {
      CCPULSE_FUZZ_CHECK(event.queues[i].view() != event.queues[j].view());
    }
  }
}

class AdapterSink final : public DecodeSink {
 public:
  void onEvent(const Event& event) override {
    checkAdapterEvent(event);
    log_.push_back(std::string(toString(event.type)) + "|" + std::to_string(event.tsUs) + "|" +
                   std::string(event.queue.view()) + "|" + std::string(event.contact.view()) + "|" +
                   std::string(event.agent.view()));
  }
  void onReject(RejectReason reason, std::string_view detail) override {
    CCPULSE_FUZZ_CHECK(static_cast<std::size_t>(reason) < kRejectReasonCount);
    CCPULSE_FUZZ_CHECK(!toString(reason).empty());
    log_.push_back("R:" + std::string(toString(reason)) + ":" + std::string(detail));
  }
  [[nodiscard]] const std::vector<std::string>& log() const noexcept { return log_; }

 private:
  std::vector<std::string> log_;
};

inline SourceSettings adapterSettings(SourceFormat format, std::size_t maxFrameBytes) {
  SourceSettings s;
  s.name = "fuzz";
  s.format = format;
  s.tenant = "acme";
  s.vendor = "bpo1";
  s.maxFrameBytes = maxFrameBytes;
  s.queueNames = {{"q1", "support"}};
  s.agentQueues = {"support"};
  return s;
}

using AdapterFactory = std::unique_ptr<FrameDecoder> (*)(const SourceSettings&, AdapterCapacity);

// Small tables: cheap fresh decoders (several per input), and evictions are exercised too.
inline std::unique_ptr<FrameDecoder> makeSmall(AdapterFactory make, SourceFormat format, std::size_t maxFrameBytes) {
  return make(adapterSettings(format, maxFrameBytes), AdapterCapacity{8, 4});
}

inline int fuzzAdapter(SourceFormat format, AdapterFactory make, const std::uint8_t* data, std::size_t size) {
  static const std::unique_ptr<FrameDecoder> longLived = makeSmall(make, format, 1U << 20U);
  constexpr std::size_t kSmallLimit = 64;
  const std::string_view frame(reinterpret_cast<const char*>(data), size);

  AdapterSink shared;
  (void)longLived->decode(frame, shared);

  // Determinism: fresh decoders (no state from earlier inputs) agree exactly.
  AdapterSink first;
  AdapterSink second;
  const std::size_t delivered = makeSmall(make, format, 1U << 20U)->decode(frame, first);
  CCPULSE_FUZZ_CHECK(makeSmall(make, format, 1U << 20U)->decode(frame, second) == delivered);
  CCPULSE_FUZZ_CHECK(first.log() == second.log());

  AdapterSink limited;
  const std::size_t limitedDelivered = makeSmall(make, format, kSmallLimit)->decode(frame, limited);
  if (size > kSmallLimit) {
    CCPULSE_FUZZ_CHECK(limitedDelivered == 0);
    CCPULSE_FUZZ_CHECK(limited.log() == std::vector<std::string>{"R:oversize:"});
  } else {
    CCPULSE_FUZZ_CHECK(limited.log() == first.log());
  }
  return 0;
}

}  // namespace ccpulse::fuzz
