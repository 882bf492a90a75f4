// Fuzz target: the asterisk_queue_log decoder on arbitrary bytes split into lines; the
// invariants are in fuzz_asterisk.hpp. Every line carries its epoch, so event times must agree
// too, and a rejected line delivers nothing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ccpulse/decode/asterisk_queue_log.hpp"
#include "fuzz_asterisk.hpp"

namespace {

std::size_t lineEnd(std::string_view input, std::size_t start, std::size_t& skip) {
  skip = 1;
  return input.find('\n', start);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return ccpulse::fuzz::fuzzAsterisk<ccpulse::AsteriskQueueLogFormat>(
      {ccpulse::SourceFormat::kAsteriskQueueLog, &lineEnd, true, true}, data, size);
}
