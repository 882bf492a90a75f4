#pragma once
/// Format `asterisk_ami`: Asterisk Manager Interface messages, one per frame (`Key: Value` lines
/// ended by CRLF or LF; the blank line that ends a message on the wire may be present or not).
/// Maps app_queue's events (QueueCallerJoin/Leave/Abandon, AgentCalled, AgentConnect,
/// AgentComplete, AgentRingNoAnswer, QueueMemberStatus/Pause/Added/Removed) and the QueueStatus
/// action's replies (QueueMember, QueueEntry, QueueStatusComplete) onto canonical events through
/// the source's AsteriskTracker; see docs/adapters/asterisk.md. Event time is the `Timestamp`
/// header (manager.conf `timestampevents = yes`); without it, the wall clock at decode.
///
/// Owned with its decoder by one ingest thread; not thread-safe.

#include <cstddef>
#include <string_view>

#include "ccpulse/decode/asterisk_decoder.hpp"

namespace ccpulse {

struct AsteriskAmiFormat {
  std::size_t decode(std::string_view message, AsteriskTracker& tracker, DecodeSink& sink);

  bool inSnapshot = false;  ///< between QueueStatus's "Queue status will follow" and its Complete
};

using AsteriskAmiDecoder = AsteriskDecoder<AsteriskAmiFormat>;

}  // namespace ccpulse
