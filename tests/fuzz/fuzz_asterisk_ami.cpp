// Fuzz target: the asterisk_ami decoder on arbitrary bytes split into messages at blank lines
// ("\n\n" or "\r\n\r\n", the recorded-file framing); the invariants are in fuzz_asterisk.hpp.
// Event times are not compared: a message without a Timestamp header is stamped with the wall
// clock. A rejected message may still deliver the dequeues an earlier QueueCallerLeave owed.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ccpulse/decode/asterisk_ami.hpp"
#include "fuzz_asterisk.hpp"

namespace {

std::size_t messageEnd(std::string_view input, std::size_t start, std::size_t& skip) {
  std::size_t end = input.find("\n\n", start);
  const std::size_t crlf = input.find("\r\n\r\n", start);
  skip = 2;
  if (crlf != std::string_view::npos && (end == std::string_view::npos || crlf < end)) {
    end = crlf;
    skip = 4;
  }
  return end;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return ccpulse::fuzz::fuzzAsterisk<ccpulse::AsteriskAmiFormat>(
      {ccpulse::SourceFormat::kAsteriskAmi, &messageEnd, false, false}, data, size);
}
