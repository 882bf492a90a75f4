#pragma once
/// Decoder for Asterisk Manager Interface messages, format `asterisk_ami`: one frame is one AMI
/// message (`Key: Value` lines ended by CRLF or LF; the blank line that ends a message on the wire
/// may be present or not). Maps app_queue's events (QueueCallerJoin/Leave/Abandon, AgentCalled,
/// AgentConnect, AgentComplete, AgentRingNoAnswer, QueueMemberStatus/Pause/Added/Removed) and the
/// QueueStatus action's replies (QueueMember, QueueEntry, QueueStatusComplete) onto canonical
/// events; see docs/adapters/asterisk.md. Event time is the `Timestamp` header (manager.conf
/// `timestampevents = yes`); without it, the wall clock at decode.
///
/// One instance per source, owned by its ingest thread; not thread-safe. Never throws on input.

#include <cstddef>
#include <memory>
#include <string_view>

#include "ccpulse/config/config.hpp"
#include "ccpulse/decode/frame_decoder.hpp"

namespace ccpulse {

class AsteriskAmiDecoder final : public FrameDecoder {
 public:
  explicit AsteriskAmiDecoder(const SourceSettings& settings);
  ~AsteriskAmiDecoder() override;

  std::size_t decode(std::string_view frame, DecodeSink& sink) override;

  [[nodiscard]] std::size_t trackedCalls() const noexcept;
  [[nodiscard]] std::size_t trackedAgents() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccpulse
