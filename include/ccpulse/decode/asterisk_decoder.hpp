#pragma once
/// The decoder of both Asterisk formats (`asterisk_queue_log`, `asterisk_ami`): one
/// AsteriskDecoder<Format> per source owns the per-source AsteriskTracker (calls waiting or
/// talking, agents' memberships, pauses and calls) and hands each frame within `max_frame_bytes`
/// to the format's parser, which maps it onto tracker calls (asterisk_queue_log.hpp,
/// asterisk_ami.hpp). Mapping tables: docs/adapters/asterisk.md.
///
/// One instance per source, owned by that source's ingest thread; not thread-safe. Never throws on
/// input. The tracker's tables are fixed-capacity (AdapterSettings::maxCalls / maxAgents) and
/// allocated once, so steady-state decoding allocates nothing.

#include <cstddef>
#include <string>
#include <string_view>

#include "ccpulse/config/config.hpp"
#include "ccpulse/decode/asterisk_tracker.hpp"
#include "ccpulse/decode/frame_decoder.hpp"

namespace ccpulse {

/// `Format` is default-constructible and has
/// `std::size_t decode(std::string_view frame, AsteriskTracker&, DecodeSink&)`, returning the
/// number of events it delivered.
template <class Format>
class AsteriskDecoder final : public FrameDecoder {
 public:
  explicit AsteriskDecoder(const SourceSettings& settings)
      : maxFrameBytes_(settings.maxFrameBytes), tracker_(settings.adapter) {}

  std::size_t decode(std::string_view frame, DecodeSink& sink) override {
    if (frame.size() > maxFrameBytes_) {
      sink.onReject(RejectReason::kOversize, {});
      return 0;
    }
    return format_.decode(frame, tracker_, sink);
  }

  /// The tracker's tables (calls waiting or connected, agents), for the checkpoints of a file
  /// source that journals its lines (docs/durability.md). The formats keep no state of their own.
  void saveState(std::string& out) override { tracker_.saveState(out); }
  bool restoreState(std::string_view state) override { return tracker_.restoreState(state); }

  /// Calls and agents currently remembered (for tests).
  [[nodiscard]] std::size_t trackedCalls() const noexcept { return tracker_.trackedCalls(); }
  [[nodiscard]] std::size_t trackedAgents() const noexcept { return tracker_.trackedAgents(); }

 private:
  std::size_t maxFrameBytes_;
  AsteriskTracker tracker_;
  Format format_;
};

}  // namespace ccpulse
