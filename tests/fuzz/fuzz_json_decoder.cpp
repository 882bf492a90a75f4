// Fuzz target: JsonDecoder::decode on arbitrary bytes. Besides "no crash, no UB", every event the
// decoder delivers must satisfy the schema guarantees the engine relies on (docs/events.md), a
// reused decoder must give exactly the same results as on the first call (no state leaks between
// frames), and the oversize limit must hold.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ccpulse/decode/event.hpp"
#include "ccpulse/decode/json_decoder.hpp"
#include "fuzz_check.hpp"

namespace {

using ccpulse::Event;
using ccpulse::EventType;

bool validEnumValues(const Event& event) {
  return static_cast<std::size_t>(event.type) < ccpulse::kEventTypeCount &&
         static_cast<std::size_t>(event.channel) < ccpulse::kChannelCount &&
         static_cast<std::size_t>(event.agentState) < ccpulse::kAgentStateKindCount &&
         static_cast<std::size_t>(event.dequeueReason) < ccpulse::kDequeueReasonCount;
}

void checkEvent(const Event& event) {
  CCPULSE_FUZZ_CHECK(validEnumValues(event));
  CCPULSE_FUZZ_CHECK(event.tsUs >= ccpulse::kMinTimestampUs && event.tsUs <= ccpulse::kMaxTimestampUs);
  // Every accepted time must print back and parse to the same microsecond (replay, logs).
  std::int64_t reparsed = 0;
  CCPULSE_FUZZ_CHECK(ccpulse::parseRfc3339(ccpulse::formatRfc3339(event.tsUs), reparsed) && reparsed == event.tsUs);
  // Ingest fills these in, never the decoder.
  CCPULSE_FUZZ_CHECK(event.sourceIndex == 0 && event.receivedNs == 0);
  CCPULSE_FUZZ_CHECK(event.hasSeq || event.seq == 0);
  CCPULSE_FUZZ_CHECK(!event.tenant.empty());  // "" and absent both mean "default"

  if (ccpulse::isContactEvent(event.type)) {
    CCPULSE_FUZZ_CHECK(!event.queue.empty() && !event.contact.empty());
  }
  if (ccpulse::isAgentEvent(event.type)) {
    CCPULSE_FUZZ_CHECK(!event.agent.empty());
  }
  CCPULSE_FUZZ_CHECK(event.resolved >= -1 && event.resolved <= 1);
  CCPULSE_FUZZ_CHECK(event.contained >= -1 && event.contained <= 1);
  switch (event.type) {
    case EventType::kContactSelfService:
      CCPULSE_FUZZ_CHECK(event.contained == 0 || event.contained == 1);  // required
      break;
    case EventType::kSurveyResult:
      CCPULSE_FUZZ_CHECK(!event.contact.empty());
      CCPULSE_FUZZ_CHECK(event.csat >= 1 && event.csat <= 5);
      CCPULSE_FUZZ_CHECK(event.nps >= -1 && event.nps <= 10);
      break;
    case EventType::kAgentLogin:
      CCPULSE_FUZZ_CHECK(event.queueCount <= ccpulse::kMaxAgentQueues);
      for (std::size_t i = 0; i < event.queueCount; ++i) {
        CCPULSE_FUZZ_CHECK(!event.queues[i].empty());
        for (std::size_t j = 0; j < i; ++j) {
          CCPULSE_FUZZ_CHECK(event.queues[i].view() != event.queues[j].view());  // duplicates kept once
        }
      }
      break;
    default:
      break;
  }
  if (event.type != EventType::kAgentLogin) {
    CCPULSE_FUZZ_CHECK(event.queueCount == 0);
  }
}

// A readable, padding-free rendering of everything the decoder sets, to compare two decodes.
std::string describe(const Event& event) {
  std::string out;
  const auto add = [&out](std::string_view text) {
    out += text;
    out += '|';
  };
  add(ccpulse::toString(event.type));
  add(ccpulse::toString(event.channel));
  add(std::to_string(event.tsUs));
  add(event.hasSeq ? std::to_string(event.seq) : "-");
  for (const ccpulse::Id* id : {&event.id, &event.publisher, &event.tenant, &event.vendor, &event.queue, &event.contact,
                                &event.agent, &event.customer, &event.toQueue}) {
    add(id->view());
  }
  add(ccpulse::toString(event.dequeueReason));
  add(ccpulse::toString(event.agentState));
  add(event.reason.view());
  add(event.disposition.view());
  add(std::to_string(event.resolved) + "," + std::to_string(event.contained) + "," + std::to_string(event.csat) + "," +
      std::to_string(event.nps));
  for (std::size_t i = 0; i < event.queueCount; ++i) {
    add(event.queues[i].view());
  }
  for (const std::uint8_t slots : event.capacity) {
    add(std::to_string(slots));
  }
  return out;
}

class CheckingSink final : public ccpulse::DecodeSink {
 public:
  void onEvent(const Event& event) override {
    checkEvent(event);
    ++events_;
    log_.push_back("E:" + describe(event));
  }

  void onReject(ccpulse::RejectReason reason, std::string_view detail) override {
    CCPULSE_FUZZ_CHECK(static_cast<std::size_t>(reason) < ccpulse::kRejectReasonCount);
    CCPULSE_FUZZ_CHECK(!ccpulse::toString(reason).empty());
    log_.push_back("R:" + std::string(ccpulse::toString(reason)) + ":" + std::string(detail));
  }

  [[nodiscard]] std::size_t events() const noexcept { return events_; }
  [[nodiscard]] const std::vector<std::string>& log() const noexcept { return log_; }

 private:
  std::size_t events_ = 0;
  std::vector<std::string> log_;
};

bool startsWithArray(std::string_view frame) {
  const std::size_t first = frame.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && frame[first] == '[';
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // One long-lived decoder, as on an ingest thread: its reused buffers are part of what is tested.
  static ccpulse::JsonDecoder decoder(ccpulse::DecoderSettings{});
  constexpr std::size_t kSmallLimit = 64;
  static ccpulse::JsonDecoder smallDecoder(ccpulse::DecoderSettings{kSmallLimit});

  const std::string_view frame(reinterpret_cast<const char*>(data), size);

  CheckingSink first;
  const std::size_t delivered = decoder.decode(frame, first);
  CCPULSE_FUZZ_CHECK(delivered == first.events());
  // A single value always yields exactly one result; only an array may yield none (`[]`) or many.
  CCPULSE_FUZZ_CHECK(first.log().size() == 1 || startsWithArray(frame));

  CheckingSink second;
  CCPULSE_FUZZ_CHECK(decoder.decode(frame, second) == delivered);
  CCPULSE_FUZZ_CHECK(second.log() == first.log());

  CheckingSink limited;
  const std::size_t limitedDelivered = smallDecoder.decode(frame, limited);
  if (size > kSmallLimit) {
    CCPULSE_FUZZ_CHECK(limitedDelivered == 0);
    CCPULSE_FUZZ_CHECK(limited.log() == std::vector<std::string>{"R:oversize:"});
  } else {
    CCPULSE_FUZZ_CHECK(limited.log() == first.log());
  }
  return 0;
}
