#pragma once
/// Format `asterisk_queue_log`: Asterisk app_queue `queue_log` lines
/// (`epoch|callid|queue|agent|EVENT|data1|...`), one per frame (a trailing "\n" or "\r\n" is
/// ignored). Each line maps onto 0..n canonical events through the source's AsteriskTracker,
/// which keeps what the log does not repeat (which calls wait or talk and since when, each
/// agent's queues, pause and calls). Mapping table: docs/adapters/asterisk.md.
///
/// Stateless itself (the state is the tracker's); owned with its decoder by one ingest thread.

#include <cstddef>
#include <string_view>

#include "ccpulse/decode/asterisk_decoder.hpp"

namespace ccpulse {

struct AsteriskQueueLogFormat {
  std::size_t decode(std::string_view line, AsteriskTracker& tracker, DecodeSink& sink);
};

using AsteriskQueueLogDecoder = AsteriskDecoder<AsteriskQueueLogFormat>;

}  // namespace ccpulse
