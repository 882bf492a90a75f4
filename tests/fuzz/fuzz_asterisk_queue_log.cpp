// Fuzz target: the asterisk_queue_log decoder on arbitrary bytes, split into lines and fed to one
// decoder (its call and agent state carries across lines, as on a source), with small state caps
// so eviction is exercised. Besides "no crash, no UB": every event satisfies the schema
// guarantees the engine relies on (docs/events.md), every line ends in events, a reject, an
// ignore or nothing (never two rejects), the state stays within its caps, and a second decoder
// fed the same lines gives exactly the same results (no hidden state such as uninitialised
// memory or clocks).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ccpulse/config/config.hpp"
#include "ccpulse/decode/asterisk_queue_log.hpp"
#include "ccpulse/decode/event.hpp"
#include "fuzz_check.hpp"

namespace {

using ccpulse::Event;
using ccpulse::EventType;

void checkEvent(const Event& event) {
  CCPULSE_FUZZ_CHECK(static_cast<std::size_t>(event.type) < ccpulse::kEventTypeCount);
  CCPULSE_FUZZ_CHECK(static_cast<std::size_t>(event.agentState) < ccpulse::kAgentStateKindCount);
  CCPULSE_FUZZ_CHECK(static_cast<std::size_t>(event.dequeueReason) < ccpulse::kDequeueReasonCount);
  CCPULSE_FUZZ_CHECK(event.tsUs >= ccpulse::kMinTimestampUs && event.tsUs <= ccpulse::kMaxTimestampUs);
  CCPULSE_FUZZ_CHECK(event.sourceIndex == 0 && event.receivedNs == 0 && event.sourcePosition == 0);
  CCPULSE_FUZZ_CHECK(event.tenant.view() == "fuzz" && event.vendor.view() == "v");
  CCPULSE_FUZZ_CHECK(event.channel == ccpulse::Channel::kVoice);
  if (ccpulse::isContactEvent(event.type)) {
    CCPULSE_FUZZ_CHECK(!event.queue.empty() && !event.contact.empty());
  }
  if (ccpulse::isAgentEvent(event.type)) {
    CCPULSE_FUZZ_CHECK(!event.agent.empty());
  }
  CCPULSE_FUZZ_CHECK(event.type != EventType::kSurveyResult && event.type != EventType::kContactSelfService);
  CCPULSE_FUZZ_CHECK(event.queueCount <= ccpulse::kMaxAgentQueues);
  for (std::size_t i = 0; i < event.queueCount; ++i) {
    CCPULSE_FUZZ_CHECK(!event.queues[i].empty());
    for (std::size_t j = 0; j < i; ++j) {
      CCPULSE_FUZZ_CHECK(event.queues[i].view() != event.queues[j].view());
    }
  }
  if (event.type != EventType::kAgentLogin) {
    CCPULSE_FUZZ_CHECK(event.queueCount == 0);
  }
}

class CheckingSink final : public ccpulse::DecodeSink {
 public:
  void onEvent(const Event& event) override {
    checkEvent(event);
    ++events_;
    log_ += "E:" + std::string(ccpulse::toString(event.type)) + ":" + std::to_string(event.tsUs) + ":" +
            std::string(event.contact.view()) + ":" + std::string(event.queue.view()) + ":" +
            std::string(event.agent.view()) + ":" + std::to_string(event.queueCount) + ":" +
            std::string(event.reason.view()) + "\n";
  }
  void onReject(ccpulse::RejectReason reason, std::string_view detail) override {
    CCPULSE_FUZZ_CHECK(static_cast<std::size_t>(reason) < ccpulse::kRejectReasonCount);
    ++rejects_;
    log_ += "R:" + std::string(ccpulse::toString(reason)) + ":" + std::string(detail) + "\n";
  }
  void onIgnored(std::string_view what) override { log_ += "I:" + std::string(what) + "\n"; }
  void onStateEvicted(std::string_view what) override { log_ += "V:" + std::string(what) + "\n"; }

  std::size_t events_ = 0;
  std::size_t rejects_ = 0;
  std::string log_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ccpulse::SourceSettings settings;
  settings.format = ccpulse::SourceFormat::kAsteriskQueueLog;
  settings.maxFrameBytes = 512;
  settings.adapter.tenant = "fuzz";
  settings.adapter.vendor = "v";
  settings.adapter.maxCalls = 4;
  settings.adapter.maxAgents = 3;
  ccpulse::AsteriskQueueLogDecoder first(settings);
  ccpulse::AsteriskQueueLogDecoder second(settings);
  CheckingSink a;
  CheckingSink b;

  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::size_t start = 0;
  while (start <= input.size()) {
    const std::size_t nl = input.find('\n', start);
    const std::string_view line =
        input.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    const std::size_t rejectsBefore = a.rejects_;
    const std::size_t eventsBefore = a.events_;
    const std::size_t delivered = first.decode(line, a);
    CCPULSE_FUZZ_CHECK(delivered == a.events_ - eventsBefore);
    CCPULSE_FUZZ_CHECK(a.rejects_ - rejectsBefore <= 1);
    CCPULSE_FUZZ_CHECK(a.rejects_ == rejectsBefore || delivered == 0);
    CCPULSE_FUZZ_CHECK(second.decode(line, b) == delivered);
    CCPULSE_FUZZ_CHECK(first.trackedCalls() <= settings.adapter.maxCalls);
    CCPULSE_FUZZ_CHECK(first.trackedAgents() <= settings.adapter.maxAgents);
    if (nl == std::string_view::npos) {
      break;
    }
    start = nl + 1;
  }
  CCPULSE_FUZZ_CHECK(a.log_ == b.log_);
  return 0;
}
