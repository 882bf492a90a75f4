// Canonical schema v1 decoder (docs/events.md). Hot path: one call per received frame on the
// ingest thread. simdjson's DOM parser is reused across calls; its document and our padded
// input buffer only ever grow (in powers of two), so once frames stop outgrowing them nothing
// is allocated. Only simdjson's error-code API is used, never the throwing one.

#include "ccpulse/decode/json_decoder.hpp"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <string_view>

namespace ccpulse {

std::string_view toString(RejectReason reason) noexcept {
  switch (reason) {
    case RejectReason::kNotJson:
      return "not_json";
    case RejectReason::kNotObject:
      return "not_object";
    case RejectReason::kMissingField:
      return "missing_field";
    case RejectReason::kWrongType:
      return "wrong_type";
    case RejectReason::kUnknownType:
      return "unknown_type";
    case RejectReason::kBadTimestamp:
      return "bad_timestamp";
    case RejectReason::kFieldTooLong:
      return "field_too_long";
    case RejectReason::kBadValue:
      return "bad_value";
    case RejectReason::kOversize:
      return "oversize";
    case RejectReason::kBadEncoding:
      return "bad_encoding";
    case RejectReason::kUnsupported:
      return "unsupported";
    case RejectReason::kStaleRecord:
      return "stale_record";
    case RejectReason::kTooFewFields:
      return "too_few_fields";
    case RejectReason::kMalformedMessage:
      return "malformed_message";
  }
  return {};
}

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// Every field the schema knows. Anything else in an object is skipped (forward compatibility).
enum class Field : std::uint8_t {
  kType,
  kTs,
  kId,
  kSource,
  kSeq,
  kTenant,
  kVendor,
  kQueue,
  kChannel,
  kContact,
  kAgent,
  kCustomer,
  kReason,
  kToQueue,
  kDisposition,
  kResolved,
  kContained,
  kQueues,
  kCapacity,
  kState,
  kCsat,
  kNps,
};
constexpr std::size_t kFieldCount = 22;
constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "type",      "ts",      "id",       "source",   "seq",    "tenant",   "vendor",      "queue",
    "channel",   "contact", "agent",    "customer", "reason", "to_queue", "disposition", "resolved",
    "contained", "queues",  "capacity", "state",    "csat",   "nps",
};
static_assert(static_cast<std::size_t>(Field::kNps) + 1 == kFieldCount);
static_assert(kFieldCount <= 32, "presence is a 32-bit mask");

constexpr std::string_view kDefaultTenant = "default";

// Epoch milliseconds accepted for `ts`: the same range RFC 3339 text can express, so every
// accepted time formats back (and the * 1000 cannot overflow).
constexpr std::int64_t kMinEpochMs = kMinTimestampUs / 1000;
constexpr std::int64_t kMaxEpochMs = kMaxTimestampUs / 1000;

constexpr std::string_view nameOf(Field field) noexcept { return kFieldNames[static_cast<std::size_t>(field)]; }

constexpr std::optional<Field> fieldOf(std::string_view key) noexcept {
  // Linear scan over 22 short names: string_view compares the length first, so most candidates
  // cost one integer comparison; cheaper than hashing the key.
  for (std::size_t i = 0; i < kFieldCount; ++i) {
    if (kFieldNames[i] == key) {
      return static_cast<Field>(i);
    }
  }
  return std::nullopt;
}

bool isInteger(const element& value) noexcept {
  const element_type type = value.type();
  return type == element_type::INT64 || type == element_type::UINT64;
}

}  // namespace

/// Decodes one JSON object into `event_`, or records why it is rejected. All string views point
/// into the parser's document and are only valid until the next parse.
struct JsonDecoder::Impl {
  explicit Impl(DecoderSettings decoderSettings) : settings_(decoderSettings) {}

  DecoderSettings settings_;
  simdjson::dom::parser parser_;
  /// Padded copy of the frame being parsed (simdjson reads up to SIMDJSON_PADDING bytes past it).
  std::unique_ptr<char[]> padded_;
  std::size_t paddedCapacity_ = 0;
  Event event_;
  // Values of the known fields of the object being decoded, indexed by Field; an entry is
  // meaningful only when its bit in `present_` is set.
  std::array<element, kFieldCount> values_{};
  std::uint32_t present_ = 0;
  RejectReason rejectReason_ = RejectReason::kNotJson;
  std::string_view rejectDetail_;

  bool fail(RejectReason reason, Field field) noexcept {
    rejectReason_ = reason;
    rejectDetail_ = nameOf(field);
    return false;
  }

  [[nodiscard]] bool has(Field field) const noexcept { return (present_ & (1U << static_cast<unsigned>(field))) != 0; }
  [[nodiscard]] const element& value(Field field) const noexcept { return values_[static_cast<std::size_t>(field)]; }

  void collect(simdjson::dom::object object) noexcept {
    present_ = 0;
    for (const auto& member : object) {
      const std::optional<Field> field = fieldOf(member.key);
      if (!field) {
        continue;
      }
      const auto bit = 1U << static_cast<unsigned>(*field);
      // `null` means absent; with duplicate keys the last one wins (a null one included).
      if (member.value.is_null()) {
        present_ &= ~bit;
      } else {
        present_ |= bit;
        values_[static_cast<std::size_t>(*field)] = member.value;
      }
    }
  }

  // Reads an optional string field; `out` is left untouched when absent. False on wrong type.
  bool readString(Field field, std::string_view& out) noexcept {
    if (!has(field)) {
      return true;
    }
    if (value(field).get_string().get(out) != simdjson::SUCCESS) {
      return fail(RejectReason::kWrongType, field);
    }
    return true;
  }

  template <std::size_t Capacity>
  bool readFixed(Field field, FixedString<Capacity>& out, bool required) noexcept {
    std::string_view text;
    if (!readString(field, text)) {
      return false;
    }
    if (text.empty()) {
      // Absent and "" are the same for an identifier: neither names anything.
      return required ? fail(RejectReason::kMissingField, field) : true;
    }
    if (!out.assign(text)) {
      return fail(RejectReason::kFieldTooLong, field);
    }
    return true;
  }

  bool readBool(Field field, std::int8_t& out, bool required) noexcept {
    if (!has(field)) {
      return required ? fail(RejectReason::kMissingField, field) : true;
    }
    bool flag = false;
    if (value(field).get_bool().get(flag) != simdjson::SUCCESS) {
      return fail(RejectReason::kWrongType, field);
    }
    out = flag ? 1 : 0;
    return true;
  }

  // Integers in [min, max]; a non-integer (a double such as 4.0 included) is the wrong type, an
  // integer outside the range a bad value.
  bool readInt(Field field, std::int64_t min, std::int64_t max, std::int64_t& out, bool required) noexcept {
    if (!has(field)) {
      return required ? fail(RejectReason::kMissingField, field) : true;
    }
    const element& number = value(field);
    if (!isInteger(number)) {
      return fail(RejectReason::kWrongType, field);
    }
    std::int64_t result = 0;
    if (number.get_int64().get(result) != simdjson::SUCCESS || result < min || result > max) {
      return fail(RejectReason::kBadValue, field);  // UINT64 lands here: above int64 max
    }
    out = result;
    return true;
  }

  bool readTimestamp() noexcept {
    if (!has(Field::kTs)) {
      return fail(RejectReason::kMissingField, Field::kTs);
    }
    const element& ts = value(Field::kTs);
    switch (ts.type()) {
      case element_type::STRING: {
        std::string_view text;
        std::int64_t us = 0;
        if (ts.get_string().get(text) != simdjson::SUCCESS || !parseRfc3339(text, us)) {
          return fail(RejectReason::kBadTimestamp, Field::kTs);
        }
        event_.tsUs = us;
        return true;
      }
      case element_type::INT64: {
        std::int64_t ms = 0;
        if (ts.get_int64().get(ms) != simdjson::SUCCESS || ms < kMinEpochMs || ms > kMaxEpochMs) {
          return fail(RejectReason::kBadTimestamp, Field::kTs);
        }
        event_.tsUs = ms * 1000;
        return true;
      }
      default:
        // Fractional / exponent numbers, huge integers, booleans, objects...: the schema says
        // integer milliseconds or text, and guessing a unit would silently skew metrics.
        return fail(RejectReason::kBadTimestamp, Field::kTs);
    }
  }

  bool readCommon() noexcept {
    const EventType type = event_.type;
    const bool contactEvent = isContactEvent(type);
    if (!readFixed(Field::kId, event_.id, false) || !readFixed(Field::kSource, event_.publisher, false)) {
      return false;
    }
    if (has(Field::kSeq)) {
      const element& seq = value(Field::kSeq);
      if (!isInteger(seq)) {
        return fail(RejectReason::kWrongType, Field::kSeq);
      }
      std::uint64_t number = 0;
      // get_uint64 covers the whole unsigned range and refuses negatives.
      if (seq.get_uint64().get(number) != simdjson::SUCCESS) {
        return fail(RejectReason::kBadValue, Field::kSeq);
      }
      event_.seq = number;
      event_.hasSeq = true;
    }
    if (!readFixed(Field::kTenant, event_.tenant, false) || !readFixed(Field::kVendor, event_.vendor, false) ||
        !readFixed(Field::kQueue, event_.queue, contactEvent)) {
      return false;
    }
    std::string_view channelName;
    if (!readString(Field::kChannel, channelName)) {
      return false;
    }
    if (has(Field::kChannel)) {
      const std::optional<Channel> channel = parseChannel(channelName);
      if (!channel) {
        return fail(RejectReason::kBadValue, Field::kChannel);
      }
      event_.channel = *channel;
    }
    const bool contactRequired = contactEvent || type == EventType::kSurveyResult;
    if (!readFixed(Field::kContact, event_.contact, contactRequired)) {
      return false;
    }
    const bool agentRequired = isAgentEvent(type);
    if (!readFixed(Field::kAgent, event_.agent, agentRequired)) {
      return false;
    }
    return readFixed(Field::kCustomer, event_.customer, false);
  }

  bool readQueues() noexcept {
    if (!has(Field::kQueues)) {
      return true;
    }
    simdjson::dom::array list;
    if (value(Field::kQueues).get_array().get(list) != simdjson::SUCCESS) {
      return fail(RejectReason::kWrongType, Field::kQueues);
    }
    std::size_t listed = 0;
    for (const element item : list) {
      if (++listed > kMaxAgentQueues) {
        return fail(RejectReason::kBadValue, Field::kQueues);
      }
      std::string_view name;
      if (item.get_string().get(name) != simdjson::SUCCESS) {
        return fail(RejectReason::kWrongType, Field::kQueues);
      }
      if (name.empty()) {
        return fail(RejectReason::kBadValue, Field::kQueues);
      }
      if (name.size() > kMaxIdLength) {
        return fail(RejectReason::kFieldTooLong, Field::kQueues);
      }
      // A repeated queue would be counted twice by the engine's per-queue staffing; keep one.
      bool duplicate = false;
      for (std::size_t i = 0; i < event_.queueCount; ++i) {
        duplicate = duplicate || event_.queues[i].view() == name;
      }
      if (!duplicate) {
        (void)event_.queues[event_.queueCount].assign(name);  // length checked above
        ++event_.queueCount;
      }
    }
    return true;
  }

  bool readCapacity() noexcept {
    if (!has(Field::kCapacity)) {
      return true;
    }
    simdjson::dom::object perChannel;
    if (value(Field::kCapacity).get_object().get(perChannel) != simdjson::SUCCESS) {
      return fail(RejectReason::kWrongType, Field::kCapacity);
    }
    for (const auto& member : perChannel) {
      const std::optional<Channel> channel = parseChannel(member.key);
      if (!channel) {
        return fail(RejectReason::kBadValue, Field::kCapacity);
      }
      if (!isInteger(member.value)) {
        return fail(RejectReason::kWrongType, Field::kCapacity);
      }
      std::int64_t slots = 0;
      if (member.value.get_int64().get(slots) != simdjson::SUCCESS || slots < 1 || slots > 255) {
        return fail(RejectReason::kBadValue, Field::kCapacity);
      }
      event_.capacity[static_cast<std::size_t>(*channel)] = static_cast<std::uint8_t>(slots);
    }
    return true;
  }

  // Fields that only mean something for one event type; for other types they are ignored like
  // unknown fields (so `reason` can mean a dequeue reason on one type and an aux reason on another).
  bool readTypeSpecific() noexcept {
    switch (event_.type) {
      case EventType::kContactDequeued: {
        std::string_view text;
        if (!readString(Field::kReason, text)) {
          return false;
        }
        if (has(Field::kReason)) {
          const std::optional<DequeueReason> reason = parseDequeueReason(text);
          if (!reason) {
            return fail(RejectReason::kBadValue, Field::kReason);
          }
          event_.dequeueReason = *reason;
        }
        return true;
      }
      case EventType::kContactTransferred:
        return readFixed(Field::kToQueue, event_.toQueue, false);
      case EventType::kContactWrapped:
        return readFixed(Field::kDisposition, event_.disposition, false) &&
               readBool(Field::kResolved, event_.resolved, false);
      case EventType::kContactSelfService:
        return readBool(Field::kContained, event_.contained, true);
      case EventType::kAgentLogin:
        return readQueues() && readCapacity();
      case EventType::kAgentState: {
        if (!has(Field::kState)) {
          return fail(RejectReason::kMissingField, Field::kState);
        }
        std::string_view text;
        if (!readString(Field::kState, text)) {
          return false;
        }
        const std::optional<AgentStateKind> state = parseAgentState(text);
        if (!state) {
          return fail(RejectReason::kBadValue, Field::kState);
        }
        event_.agentState = *state;
        return readFixed(Field::kReason, event_.reason, false);
      }
      case EventType::kSurveyResult: {
        std::int64_t csat = 0;
        if (!readInt(Field::kCsat, 1, 5, csat, true)) {
          return false;
        }
        event_.csat = static_cast<std::uint8_t>(csat);
        std::int64_t nps = -1;
        if (!readInt(Field::kNps, 0, 10, nps, false)) {
          return false;
        }
        event_.nps = static_cast<std::int8_t>(nps);
        return true;
      }
      default:
        return true;
    }
  }

  // Validation order (which reason wins when several apply): type, ts, the common fields in
  // schema order, then the type's own fields.
  bool decodeObject(simdjson::dom::object object) noexcept {
    event_ = Event{};  // never let a field of the previous event leak into this one
    (void)event_.tenant.assign(kDefaultTenant);
    collect(object);

    if (!has(Field::kType)) {
      return fail(RejectReason::kMissingField, Field::kType);
    }
    std::string_view typeName;
    if (value(Field::kType).get_string().get(typeName) != simdjson::SUCCESS) {
      return fail(RejectReason::kWrongType, Field::kType);
    }
    const std::optional<EventType> type = parseEventType(typeName);
    if (!type) {
      return fail(RejectReason::kUnknownType, Field::kType);
    }
    event_.type = *type;
    if (!readTimestamp() || !readCommon() || !readTypeSpecific()) {
      return false;
    }
    if (event_.tenant.empty()) {
      (void)event_.tenant.assign(kDefaultTenant);  // "tenant": "" means the default tenant
    }
    return true;
  }

  std::size_t decodeElement(const element& item, DecodeSink& sink) {
    simdjson::dom::object object;
    if (item.get_object().get(object) != simdjson::SUCCESS) {
      sink.onReject(RejectReason::kNotObject, {});
      return 0;
    }
    if (!decodeObject(object)) {
      sink.onReject(rejectReason_, rejectDetail_);
      return 0;
    }
    sink.onEvent(event_);
    return 1;
  }
};

JsonDecoder::JsonDecoder(DecoderSettings settings) : impl_(std::make_unique<Impl>(settings)) {}

JsonDecoder::~JsonDecoder() = default;

std::size_t JsonDecoder::decode(std::string_view frame, DecodeSink& sink) {
  Impl& impl = *impl_;
  if (frame.size() > impl.settings_.maxFrameBytes) {
    sink.onReject(RejectReason::kOversize, {});
    return 0;
  }
  if (frame.empty()) {
    sink.onReject(RejectReason::kNotJson, "empty frame");
    return 0;
  }
  // The frame is not padded, so it is copied into our own padded buffer, kept across calls. It
  // and the parser's document grow in powers of two (at least 4 KiB), not to the exact length
  // as simdjson's own copy would, so frames that differ by a few bytes (a longer sequence
  // number) never cause another allocation (issue #10: none per event in steady state).
  if (frame.size() > impl.paddedCapacity_) {
    const std::size_t capacity = std::max<std::size_t>(4096, std::bit_ceil(frame.size()));
    impl.padded_.reset(new (std::nothrow) char[capacity + simdjson::SIMDJSON_PADDING]);
    // Priming parse of `capacity` bytes (blanks, then 0) sizes the parser and its document
    // through the public API, which otherwise grow to each new frame length exactly.
    bool primed = false;
    if (impl.padded_) {
      std::memset(impl.padded_.get(), ' ', capacity);
      impl.padded_[capacity - 1] = '0';
      primed = impl.parser_.parse(impl.padded_.get(), capacity, false).error() == simdjson::SUCCESS;
    }
    if (!primed) {
      impl.padded_.reset();
      impl.paddedCapacity_ = 0;
      sink.onReject(RejectReason::kNotJson, simdjson::error_message(simdjson::MEMALLOC));
      return 0;
    }
    impl.paddedCapacity_ = capacity;
  }
  std::memcpy(impl.padded_.get(), frame.data(), frame.size());
  element root;
  const simdjson::error_code error = impl.parser_.parse(impl.padded_.get(), frame.size(), false).get(root);
  if (error != simdjson::SUCCESS) {
    // simdjson's messages are static strings, so they can serve as the detail.
    sink.onReject(RejectReason::kNotJson, simdjson::error_message(error));
    return 0;
  }
  simdjson::dom::array batch;
  if (root.get_array().get(batch) != simdjson::SUCCESS) {
    return impl.decodeElement(root, sink);
  }
  std::size_t delivered = 0;
  for (const element item : batch) {
    delivered += impl.decodeElement(item, sink);
  }
  return delivered;
}

}  // namespace ccpulse
