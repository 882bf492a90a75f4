#pragma once
// Field parsing shared by the two Asterisk formats (queue_log lines, AMI messages): epoch
// timestamps, durations in seconds and the identifier checks. Pure functions; thread-safe.

#include <charconv>
#include <cstdint>
#include <initializer_list>
#include <string_view>

#include "ccpulse/decode/asterisk_tracker.hpp"
#include "ccpulse/decode/event.hpp"
#include "ccpulse/decode/json_decoder.hpp"

namespace ccpulse::asterisk {

/// `seconds[.fraction]` since the epoch (queue_log's epoch, AMI's Timestamp) into microseconds; a
/// fraction finer than microseconds is truncated. False when not that or outside the canonical
/// range (up to 9999-12-31T23:59:59Z).
inline bool parseEpoch(std::string_view text, std::int64_t& outUs) noexcept {
  constexpr std::int64_t kMaxEpochSeconds = kMaxTimestampUs / 1'000'000;
  const std::size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  std::int64_t seconds = 0;
  const auto [end, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), seconds);
  if (whole.empty() || ec != std::errc{} || end != whole.data() + whole.size() || seconds < 0 ||
      seconds > kMaxEpochSeconds) {
    return false;
  }
  std::int64_t micros = 0;
  if (dot != std::string_view::npos) {
    const std::string_view fraction = text.substr(dot + 1);
    if (fraction.empty() || fraction.size() > 9) {
      return false;
    }
    std::int64_t scale = 100'000;
    for (const char c : fraction) {
      if (c < '0' || c > '9') {
        return false;
      }
      micros += (c - '0') * scale;
      scale /= 10;
    }
  }
  outUs = seconds * 1'000'000 + micros;
  return true;
}

/// A non-negative integer duration in seconds; empty = unknown (AsteriskTracker::kUnknown).
inline bool parseSeconds(std::string_view text, std::int64_t& out) noexcept {
  if (text.empty()) {
    out = AsteriskTracker::kUnknown;
    return true;
  }
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size() && out >= 0 && out <= 10'000'000'000;
}

struct IdField {
  std::string_view value;
  std::string_view name;  ///< the reject detail
  bool required;
};

/// The call, queue and agent identifiers of one message: rejects the first one that is required
/// and empty (missing_field) or longer than an Id holds (field_too_long). True when all are fine.
inline bool checkIds(std::initializer_list<IdField> ids, DecodeSink& sink) noexcept {
  for (const IdField& id : ids) {
    if (id.required && id.value.empty()) {
      sink.onReject(RejectReason::kMissingField, id.name);
      return false;
    }
    if (id.value.size() > kMaxIdLength) {
      sink.onReject(RejectReason::kFieldTooLong, id.name);
      return false;
    }
  }
  return true;
}

}  // namespace ccpulse::asterisk
