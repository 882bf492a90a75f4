#include "ccpulse/decode/frame_decoder.hpp"

#include "ccpulse/config/config.hpp"
#include "ccpulse/decode/asterisk_ami.hpp"
#include "ccpulse/decode/asterisk_queue_log.hpp"

namespace ccpulse {
namespace {

/// Canonical v1 JSON (docs/events.md).
class CanonicalJsonDecoder final : public FrameDecoder {
 public:
  explicit CanonicalJsonDecoder(const SourceSettings& settings) : decoder_(DecoderSettings{settings.maxFrameBytes}) {}
  std::size_t decode(std::string_view frame, DecodeSink& sink) override { return decoder_.decode(frame, sink); }

 private:
  JsonDecoder decoder_;
};

}  // namespace

std::unique_ptr<FrameDecoder> makeFrameDecoder(const SourceSettings& settings) {
  switch (settings.format) {
    case SourceFormat::kJson:
      break;
    case SourceFormat::kAmazonConnect:
      return makeAmazonConnectDecoder(settings);
    case SourceFormat::kTwilioTaskRouter:
      return makeTwilioTaskRouterDecoder(settings);
    case SourceFormat::kGenesysCloud:
      return makeGenesysCloudDecoder(settings);
    case SourceFormat::kAsteriskQueueLog:
      return std::make_unique<AsteriskQueueLogDecoder>(settings);
    case SourceFormat::kAsteriskAmi:
      return std::make_unique<AsteriskAmiDecoder>(settings);
  }
  return std::make_unique<CanonicalJsonDecoder>(settings);
}

}  // namespace ccpulse
