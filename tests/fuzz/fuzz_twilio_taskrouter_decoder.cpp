// Fuzz target: the twilio_taskrouter adapter (docs/adapters/twilio_taskrouter.md) on arbitrary bytes; the
// invariants are in fuzz_adapter.hpp.
#include <cstddef>
#include <cstdint>

#include "fuzz_adapter.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return ccpulse::fuzz::fuzzAdapter(ccpulse::SourceFormat::kTwilioTaskRouter, &ccpulse::makeTwilioTaskRouterDecoder,
                                    data, size);
}
