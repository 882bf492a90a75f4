#pragma once
/// Decodes canonical v1 JSON frames (one object, or an array of objects) into `Event`s.
/// Owned by one ingest thread (the simdjson parser and its buffers are reused, so steady-state
/// decoding allocates nothing); not thread-safe. Never throws: bad input becomes a RejectReason.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "ccpulse/decode/event.hpp"

namespace ccpulse {

enum class RejectReason : std::uint8_t {
  kNotJson,       ///< not parseable JSON
  kNotObject,     ///< a frame or array element that is not a JSON object
  kMissingField,  ///< a required field is absent
  kWrongType,     ///< a field has the wrong JSON type
  kUnknownType,   ///< `type` is not a known event type
  kBadTimestamp,  ///< `ts` is not RFC 3339 with offset nor integer epoch milliseconds
  kFieldTooLong,  ///< an identifier longer than kMaxIdLength (or a tag longer than kMaxTagLength)
  kBadValue,      ///< a value out of its domain (channel, state, csat range, too many queues...)
  kOversize,      ///< frame larger than the source's max_frame_bytes
  // Vendor adapters (docs/adapters/).
  kBadEncoding,  ///< a form-urlencoded body or an embedded JSON string that does not decode
  kUnsupported,  ///< valid vendor input with no canonical mapping (e.g. an Amazon Connect TASK contact)
  kStaleRecord,  ///< a redelivered vendor record that is not newer than the one already applied
  // Asterisk (docs/adapters/asterisk.md): kTooFewFields = a delimited line (queue_log) with fewer
  // fields than its event needs; kMalformedMessage = an AMI message line not `Key: Value`.
  kTooFewFields,
  kMalformedMessage,
};
inline constexpr std::size_t kRejectReasonCount = 14;
[[nodiscard]] std::string_view toString(RejectReason reason) noexcept;

/// Receives decode results. Called synchronously on the decoding thread.
class DecodeSink {
 public:
  virtual ~DecodeSink() = default;
  /// A valid event. The reference is valid only during the call.
  virtual void onEvent(const Event& event) = 0;
  /// One rejected frame or array element; `detail` names the field (valid only during the call).
  virtual void onReject(RejectReason reason, std::string_view detail) = 0;
  /// Well-formed input an adapter deliberately maps to no event (e.g. queue_log CONFIGRELOAD);
  /// `what` names it (valid only during the call). Counted apart from rejects.
  virtual void onIgnored(std::string_view /*what*/) {}
  /// An adapter dropped remembered per-source state (e.g. an old call) because its cap was reached.
  virtual void onStateEvicted(std::string_view /*what*/) {}
};

struct DecoderSettings {
  std::size_t maxFrameBytes = 1U << 20U;
};

class JsonDecoder final {
 public:
  explicit JsonDecoder(DecoderSettings settings);
  ~JsonDecoder();
  JsonDecoder(const JsonDecoder&) = delete;
  JsonDecoder& operator=(const JsonDecoder&) = delete;

  /// Decodes one frame; each element of an array is accepted or rejected on its own.
  /// Returns the number of events delivered to `sink.onEvent`.
  std::size_t decode(std::string_view frame, DecodeSink& sink);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Earliest event time accepted (0000-01-01T00:00:00Z), microseconds since the epoch.
inline constexpr std::int64_t kMinTimestampUs = -62'167'219'200'000'000;
/// Latest event time accepted (9999-12-31T23:59:59.999999Z), microseconds since the epoch.
inline constexpr std::int64_t kMaxTimestampUs = 253'402'300'799'999'999;

/// Parses RFC 3339 ("2026-11-23T10:15:30.123456+01:00", "…Z"; fraction up to 9 digits, truncated
/// to microseconds) into microseconds since the epoch. Returns false on any deviation. Dates and
/// times are range-checked (leap years included); offsets are ±HH:MM; `t`/`z` may be lowercase.
/// Second 60 (a leap second) is accepted and maps to HH:MM:59.999999.
[[nodiscard]] bool parseRfc3339(std::string_view text, std::int64_t& outUs) noexcept;
/// Formats microseconds since the epoch as RFC 3339 UTC with microseconds ("…Z").
[[nodiscard]] std::string formatRfc3339(std::int64_t us);

}  // namespace ccpulse
