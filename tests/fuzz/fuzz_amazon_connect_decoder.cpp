// Fuzz target: the amazon_connect adapter (docs/adapters/amazon_connect.md) on arbitrary bytes; the
// invariants are in fuzz_adapter.hpp.
#include <cstddef>
#include <cstdint>

#include "fuzz_adapter.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return ccpulse::fuzz::fuzzAdapter(ccpulse::SourceFormat::kAmazonConnect, &ccpulse::makeAmazonConnectDecoder, data,
                                    size);
}
