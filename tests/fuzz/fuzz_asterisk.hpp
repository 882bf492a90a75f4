#pragma once
// Shared body of the two Asterisk fuzz targets (fuzz_asterisk_queue_log.cpp, fuzz_asterisk_ami.cpp):
// arbitrary bytes split into frames (lines, or AMI messages) and fed to one decoder (its call and
// agent state carries across frames, as on a source), with small state caps so eviction is
// exercised. Besides "no crash, no UB": every event satisfies the schema guarantees the engine
// relies on (docs/events.md), every frame ends in events, a reject, an ignore or nothing (never
// two rejects), the state stays within its caps, and a second decoder fed the same frames gives
// exactly the same results (no hidden state such as uninitialised memory or clocks).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ccpulse/config/config.hpp"
#include "ccpulse/decode/asterisk_decoder.hpp"
#include "ccpulse/decode/event.hpp"
#include "fuzz_adapter.hpp"
#include "fuzz_check.hpp"

namespace ccpulse::fuzz {

// The adapters' common guarantees, plus what the Asterisk formats promise: voice only, no
// position, no survey or self-service events.
inline void checkAsteriskEvent(const Event& event) {
  checkAdapterEvent(event);
  CCPULSE_FUZZ_CHECK(event.sourcePosition == 0);
  CCPULSE_FUZZ_CHECK(event.channel == Channel::kVoice);
  CCPULSE_FUZZ_CHECK(event.type != EventType::kSurveyResult && event.type != EventType::kContactSelfService);
}

class AsteriskSink final : public DecodeSink {
 public:
  /// `withTime`: log event times too (false where a frame without a time is stamped with the
  /// wall clock, which two decoders need not agree on).
  explicit AsteriskSink(bool withTime) : withTime_(withTime) {}

  void onEvent(const Event& event) override {
    checkAsteriskEvent(event);
    ++events_;
    log_ += "E:" + std::string(toString(event.type)) + ":" + (withTime_ ? std::to_string(event.tsUs) + ":" : "") +
            std::string(event.contact.view()) + ":" + std::string(event.queue.view()) + ":" +
            std::string(event.agent.view()) + ":" + std::to_string(event.queueCount) + ":" +
            std::string(event.reason.view()) + "\n";
  }
  void onReject(RejectReason reason, std::string_view detail) override {
    CCPULSE_FUZZ_CHECK(static_cast<std::size_t>(reason) < kRejectReasonCount);
    ++rejects_;
    log_ += "R:" + std::string(toString(reason)) + ":" + std::string(detail) + "\n";
  }
  void onIgnored(std::string_view what) override { log_ += "I:" + std::string(what) + "\n"; }
  void onStateEvicted(std::string_view what) override { log_ += "V:" + std::string(what) + "\n"; }

  std::size_t events_ = 0;
  std::size_t rejects_ = 0;
  std::string log_;

 private:
  bool withTime_;
};

struct AsteriskFuzzOptions {
  SourceFormat format;
  /// Where the frame starting at `start` ends (npos: at the end of input); sets `skip`, the
  /// separator's length.
  std::size_t (*frameEnd)(std::string_view input, std::size_t start, std::size_t& skip);
  bool timesDeterministic;   ///< every frame carries its own time
  bool rejectMeansNoEvents;  ///< false where events owed by earlier frames may precede a reject
};

template <class Format>
int fuzzAsterisk(const AsteriskFuzzOptions& options, const std::uint8_t* data, std::size_t size) {
  SourceSettings settings;
  settings.format = options.format;
  settings.maxFrameBytes = 512;
  settings.adapter.tenant = "acme";  // what checkAdapterEvent expects
  settings.adapter.vendor = "bpo1";
  settings.adapter.maxCalls = 4;
  settings.adapter.maxAgents = 3;
  AsteriskDecoder<Format> first(settings);
  AsteriskDecoder<Format> second(settings);
  AsteriskSink a(options.timesDeterministic);
  AsteriskSink b(options.timesDeterministic);

  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::size_t start = 0;
  while (start <= input.size()) {
    std::size_t skip = 0;
    const std::size_t end = options.frameEnd(input, start, skip);
    const std::string_view frame =
        input.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    const std::size_t rejectsBefore = a.rejects_;
    const std::size_t eventsBefore = a.events_;
    const std::size_t delivered = first.decode(frame, a);
    CCPULSE_FUZZ_CHECK(delivered == a.events_ - eventsBefore);
    CCPULSE_FUZZ_CHECK(a.rejects_ - rejectsBefore <= 1);
    if (options.rejectMeansNoEvents) {
      CCPULSE_FUZZ_CHECK(a.rejects_ == rejectsBefore || delivered == 0);
    }
    CCPULSE_FUZZ_CHECK(second.decode(frame, b) == delivered);
    CCPULSE_FUZZ_CHECK(first.trackedCalls() <= settings.adapter.maxCalls);
    CCPULSE_FUZZ_CHECK(first.trackedAgents() <= settings.adapter.maxAgents);
    if (end == std::string_view::npos) {
      break;
    }
    start = end + skip;
  }
  CCPULSE_FUZZ_CHECK(a.log_ == b.log_);
  return 0;
}

}  // namespace ccpulse::fuzz
