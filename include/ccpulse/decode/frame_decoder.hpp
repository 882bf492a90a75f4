#pragma once
/// The decoder interface every source `format` implements, and the factory that picks one.
/// A decoder instance belongs to one source and is owned by that source's ingest thread (it may
/// keep per-source state, e.g. when an answered call was queued); not thread-safe. Never throws on
/// input: bad input becomes a RejectReason delivered to the sink.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "ccpulse/decode/json_decoder.hpp"

namespace ccpulse {

struct SourceSettings;

class FrameDecoder {
 public:
  virtual ~FrameDecoder() = default;
  FrameDecoder() = default;
  FrameDecoder(const FrameDecoder&) = delete;
  FrameDecoder& operator=(const FrameDecoder&) = delete;

  /// Decodes one frame (a ZeroMQ message, a file line, a record); it may yield zero, one or several
  /// canonical events. Returns the number of events delivered to `sink.onEvent`.
  virtual std::size_t decode(std::string_view frame, DecodeSink& sink) = 0;

  /// Per-source state entries (contacts, tasks, agents...) dropped because the decoder's
  /// fixed-capacity tables were full; a later event for such an entry may be counted again or
  /// be unmatched. Monotonic; 0 for stateless formats.
  [[nodiscard]] virtual std::uint64_t stateEvictions() const noexcept { return 0; }

  /// The per-source state as bytes, for a checkpoint of a source that journals its input lines
  /// (the file source, docs/durability.md): appended to `out`. Stateless formats write nothing.
  virtual void saveState(std::string& /*out*/) {}
  /// Puts back what saveState() wrote (startup, before any decode). False when unusable (the
  /// decoder then starts empty).
  virtual bool restoreState(std::string_view state) { return state.empty(); }
};

/// Capacities of a vendor adapter's per-source state tables; 0 = the adapter's default (see
/// docs/adapters/). Small values are for tests and fuzzing.
struct AdapterCapacity {
  std::size_t contacts = 0;  ///< contacts / tasks / conversations remembered
  std::size_t agents = 0;    ///< agents / workers / users remembered
};

/// Vendor adapters (docs/adapters/); declared here so the factory, tests and fuzz targets share them.
[[nodiscard]] std::unique_ptr<FrameDecoder> makeAmazonConnectDecoder(const SourceSettings& settings,
                                                                     AdapterCapacity capacity = {});
[[nodiscard]] std::unique_ptr<FrameDecoder> makeTwilioTaskRouterDecoder(const SourceSettings& settings,
                                                                        AdapterCapacity capacity = {});
[[nodiscard]] std::unique_ptr<FrameDecoder> makeGenesysCloudDecoder(const SourceSettings& settings,
                                                                    AdapterCapacity capacity = {});

/// The decoder for a source's `format` (canonical JSON by default).
[[nodiscard]] std::unique_ptr<FrameDecoder> makeFrameDecoder(const SourceSettings& settings);

}  // namespace ccpulse
