// Fuzz target: the genesys_cloud adapter (docs/adapters/genesys_cloud.md) on arbitrary bytes; the
// invariants are in fuzz_adapter.hpp.
#include <cstddef>
#include <cstdint>

#include "fuzz_adapter.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return ccpulse::fuzz::fuzzAdapter(ccpulse::SourceFormat::kGenesysCloud, &ccpulse::makeGenesysCloudDecoder, data,
                                    size);
}
