#pragma once
// Shared pieces of the vendor adapters (amazon_connect, twilio_taskrouter, genesys_cloud): the
// per-source defaults a vendor payload does not carry, a fixed-capacity table for per-source
// state (contacts, tasks, conversations, agents) and small helpers over simdjson's DOM.
// Everything here is owned by one decoder, hence by one ingest thread; not thread-safe.

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "ccpulse/common/hash.hpp"
#include "ccpulse/config/config.hpp"
#include "ccpulse/decode/event.hpp"
#include "ccpulse/decode/json_decoder.hpp"

namespace ccpulse::vendor {

/// What the source's config adds to every event (docs/config.md, sources[].tenant/vendor/...).
struct Defaults {
  explicit Defaults(const SourceSettings& settings)
      : tenant(settings.tenant.empty() ? std::string("default") : settings.tenant),
        vendorName(settings.vendor),
        channel(settings.channel),
        queueNames(settings.queueNames),
        agentQueues(settings.agentQueues) {}

  std::string tenant;
  std::string vendorName;
  std::optional<Channel> channel;
  std::map<std::string, std::string, std::less<>> queueNames;
  std::vector<std::string> agentQueues;

  /// The configured name for a vendor queue id, or the id itself.
  [[nodiscard]] std::string_view queueName(std::string_view id) const noexcept {
    const auto it = queueNames.find(id);
    return it == queueNames.end() ? id : std::string_view(it->second);
  }

  /// A fresh event with the source-level fields set (lengths were checked by the loader).
  void start(Event& event, EventType type, std::int64_t tsUs) const noexcept {
    event = Event{};
    event.type = type;
    event.tsUs = tsUs;
    (void)event.tenant.assign(tenant);
    (void)event.vendor.assign(vendorName);
    if (channel) {
      event.channel = *channel;
    }
  }

  /// agent.login's queue list from the source's `agent_queues` (for vendors whose agent events
  /// do not say which queues an agent serves).
  void fillDefaultQueues(Event& event) const noexcept {
    event.queueCount = 0;
    for (const std::string& q : agentQueues) {
      if (event.queueCount < kMaxAgentQueues && event.queues[event.queueCount].assign(q)) {
        ++event.queueCount;
      }
    }
  }
};

/// Adds a queue to an agent.login event once (duplicates and overflow are dropped, documented).
inline void addQueue(Event& event, std::string_view name) noexcept {
  if (name.empty() || event.queueCount >= kMaxAgentQueues) {
    return;
  }
  for (std::size_t i = 0; i < event.queueCount; ++i) {
    if (event.queues[i].view() == name) {
      return;
    }
  }
  if (event.queues[event.queueCount].assign(name)) {
    ++event.queueCount;
  }
}

/// Order-independent hash of an agent.login queue list, to notice when it changes.
inline std::uint64_t queueSetHash(const Event& event) noexcept {
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < event.queueCount; ++i) {
    sum += hashKey(event.queues[i].view()) | 1U;
  }
  return sum;
}

/// Vendor status names become aux reasons: lowercased, spaces to '_', cut at the tag length
/// (a reason is a label, not an identifier; a long vendor name must not lose the state change).
inline void assignReason(Tag& out, std::string_view name) noexcept {
  std::array<char, kMaxTagLength> buf{};
  const std::size_t n = std::min(name.size(), kMaxTagLength);
  for (std::size_t i = 0; i < n; ++i) {
    char c = name[i];
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    } else if (c == ' ' || c == '-') {
      c = '_';
    }
    buf[i] = c;
  }
  (void)out.assign(std::string_view(buf.data(), n));
}

[[nodiscard]] inline bool equalsIgnoreCase(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    x = (x >= 'A' && x <= 'Z') ? static_cast<char>(x - 'A' + 'a') : x;
    y = (y >= 'A' && y <= 'Z') ? static_cast<char>(y - 'A' + 'a') : y;
    if (x != y) {
      return false;
    }
  }
  return true;
}

/// Fixed-capacity map from a 64-bit key (the hash of a vendor id) to `Value`, oldest-inserted
/// evicted first when full. Open addressing with linear probing over twice the capacity and
/// backward-shift deletion; an insertion-order ring picks the eviction victim. All memory is
/// allocated by the constructor: insert/find/erase never allocate.
template <typename Value>
class BoundedTable final {
 public:
  explicit BoundedTable(std::size_t capacity)
      : capacity_(std::max<std::size_t>(capacity, 1)),
        mask_(slotsFor(capacity_) - 1),
        slots_(mask_ + 1),
        order_(capacity_) {}

  [[nodiscard]] Value* find(std::uint64_t key) noexcept {
    const std::size_t i = locate(key);
    return slots_[i].used ? &slots_[i].value : nullptr;
  }

  /// The entry for `key`, created (value-initialised) if absent; `inserted` tells which. When the
  /// table is full the oldest entry is evicted first (counted in evictions()).
  Value& findOrInsert(std::uint64_t key, bool& inserted) noexcept {
    std::size_t i = locate(key);
    if (slots_[i].used) {
      inserted = false;
      return slots_[i].value;
    }
    if (size_ == capacity_) {
      evictOldest();
      i = locate(key);
    }
    slots_[i].used = true;
    slots_[i].key = key;
    slots_[i].value = Value{};
    order_[(head_ + size_) % capacity_] = key;
    ++size_;
    inserted = true;
    return slots_[i].value;
  }

  /// Removes `key` (its place in the eviction ring is skipped lazily).
  void erase(std::uint64_t key) noexcept {
    const std::size_t i = locate(key);
    if (slots_[i].used) {
      removeAt(i);
      ++erasedPending_;
    }
  }

  [[nodiscard]] std::size_t size() const noexcept { return size_ - erasedPending_; }
  [[nodiscard]] std::uint64_t evictions() const noexcept { return evictions_; }

 private:
  struct Slot {
    std::uint64_t key = 0;
    bool used = false;
    Value value{};
  };

  static std::size_t slotsFor(std::size_t capacity) noexcept {
    std::size_t n = 2;
    while (n < capacity * 2) {
      n <<= 1U;
    }
    return n;
  }

  [[nodiscard]] std::size_t locate(std::uint64_t key) const noexcept {
    std::size_t i = static_cast<std::size_t>(key * 0x9E3779B97F4A7C15ULL >> 17U) & mask_;
    while (slots_[i].used && slots_[i].key != key) {
      i = (i + 1) & mask_;
    }
    return i;
  }

  void removeAt(std::size_t hole) noexcept {
    slots_[hole].used = false;
    std::size_t i = (hole + 1) & mask_;
    while (slots_[i].used) {
      const std::size_t home = static_cast<std::size_t>(slots_[i].key * 0x9E3779B97F4A7C15ULL >> 17U) & mask_;
      // Move the entry back into the hole if the hole lies on its probe path (home..i, cyclic).
      if (((i - home) & mask_) >= ((i - hole) & mask_)) {
        slots_[hole] = slots_[i];
        slots_[i].used = false;
        hole = i;
      }
      i = (i + 1) & mask_;
    }
  }

  // The ring holds keys in insertion order, including ones erased since (counted in
  // erasedPending_); those are skipped without counting as evictions.
  void evictOldest() noexcept {
    while (size_ > 0) {
      const std::uint64_t key = order_[head_];
      head_ = (head_ + 1) % capacity_;
      --size_;
      const std::size_t i = locate(key);
      if (slots_[i].used) {
        removeAt(i);
        ++evictions_;
        return;
      }
      --erasedPending_;
    }
  }

  std::size_t capacity_;
  std::size_t mask_;
  std::vector<Slot> slots_;
  std::vector<std::uint64_t> order_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;  ///< ring entries (live + erasedPending_)
  std::size_t erasedPending_ = 0;
  std::uint64_t evictions_ = 0;
};

// ---- simdjson DOM helpers (error-code API only) ----

using simdjson::dom::element;
using simdjson::dom::object;

/// A string member; nullopt when absent, null or not a string.
[[nodiscard]] inline std::optional<std::string_view> str(const object& obj, std::string_view key) noexcept {
  element value;
  std::string_view text;
  if (obj.at_key(key).get(value) != simdjson::SUCCESS || value.get_string().get(text) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return text;
}

[[nodiscard]] inline std::optional<object> obj(const object& parent, std::string_view key) noexcept {
  element value;
  object child;
  if (parent.at_key(key).get(value) != simdjson::SUCCESS || value.get_object().get(child) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return child;
}

[[nodiscard]] inline std::optional<simdjson::dom::array> arr(const object& parent, std::string_view key) noexcept {
  element value;
  simdjson::dom::array list;
  if (parent.at_key(key).get(value) != simdjson::SUCCESS || value.get_array().get(list) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return list;
}

/// True when `key` is present with a value other than null.
[[nodiscard]] inline bool present(const object& parent, std::string_view key) noexcept {
  element value;
  return parent.at_key(key).get(value) == simdjson::SUCCESS && !value.is_null();
}

/// A number member as a double (integer or not); nullopt when absent or not a number.
[[nodiscard]] inline std::optional<double> number(const object& parent, std::string_view key) noexcept {
  element value;
  double d = 0;
  if (parent.at_key(key).get(value) != simdjson::SUCCESS || value.get_double().get(d) != simdjson::SUCCESS) {
    return std::nullopt;
  }
  return d;
}

/// An ISO 8601 / RFC 3339 timestamp member ("2019-05-25T18:43:59.049Z").
enum class TimeField : std::uint8_t { kAbsent, kBad, kOk };
[[nodiscard]] inline TimeField isoTime(const object& parent, std::string_view key, std::int64_t& outUs) noexcept {
  element value;
  if (parent.at_key(key).get(value) != simdjson::SUCCESS || value.is_null()) {
    return TimeField::kAbsent;
  }
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS || text.empty()) {
    return text.empty() && value.is_string() ? TimeField::kAbsent : TimeField::kBad;
  }
  return parseRfc3339(text, outUs) ? TimeField::kOk : TimeField::kBad;
}

/// Why the frame element being decoded was rejected and the field that failed, set by the last
/// failure; the decoder hands both to FrameSink::onReject. One per decoder (its ingest thread).
struct RejectNote final {
  RejectReason reason = RejectReason::kNotJson;
  std::string_view detail;

  /// Records the reject; returns false so that a parse step can end with `return fail(...)`.
  bool fail(RejectReason why, std::string_view field) noexcept {
    reason = why;
    detail = field;
    return false;
  }

  /// An optional RFC 3339 member `key` of `parent`: absent, null or "" leaves `out` empty; a
  /// malformed one is a kBadTimestamp reject naming `path`. Returns false only on that reject.
  bool time(const object& parent, std::string_view key, std::string_view path,
            std::optional<std::int64_t>& out) noexcept {
    std::int64_t us = 0;
    switch (isoTime(parent, key, us)) {
      case TimeField::kAbsent:
        out.reset();
        return true;
      case TimeField::kBad:
        return fail(RejectReason::kBadTimestamp, path);
      case TimeField::kOk:
        out = us;
        return true;
    }
    return true;
  }
};

/// The last '/'-separated part of an ARN ("arn:...:instance/i-1/queue/q-1" -> "q-1").
[[nodiscard]] inline std::string_view arnTail(std::string_view arn) noexcept {
  const std::size_t slash = arn.rfind('/');
  return slash == std::string_view::npos ? arn : arn.substr(slash + 1);
}

/// Collects events of one frame element and delivers them only when the whole element decoded,
/// so a rejected element never yields half its events. Fixed capacity: no allocation.
class Pending final {
 public:
  static constexpr std::size_t kCapacity = 12;

  Event& next() noexcept {
    // Callers emit at most kCapacity events per element (checked by the decoders' structure).
    return events_[count_ < kCapacity ? count_++ : kCapacity - 1];
  }
  void drop() noexcept { count_ = 0; }
  std::size_t flush(DecodeSink& sink) noexcept {
    const std::size_t n = count_;
    for (std::size_t i = 0; i < n; ++i) {
      sink.onEvent(events_[i]);
    }
    count_ = 0;
    return n;
  }
  [[nodiscard]] std::size_t size() const noexcept { return count_; }

 private:
  std::array<Event, kCapacity> events_{};
  std::size_t count_ = 0;
};

/// The frame step shared by the JSON vendor decoders: size and emptiness checks, one parse, then
/// `decodeElement(element, sink)` for the object or for each element of a JSON array batch.
/// Returns the events delivered.
template <typename DecodeElement>
std::size_t decodeJsonFrame(simdjson::dom::parser& parser, std::size_t maxFrameBytes, std::string_view frame,
                            DecodeSink& sink, DecodeElement&& decodeElement) {
  if (frame.size() > maxFrameBytes) {
    sink.onReject(RejectReason::kOversize, {});
    return 0;
  }
  if (frame.empty()) {
    sink.onReject(RejectReason::kNotJson, "empty frame");
    return 0;
  }
  simdjson::dom::element root;
  const simdjson::error_code error = parser.parse(frame.data(), frame.size(), true).get(root);
  if (error != simdjson::SUCCESS) {
    sink.onReject(RejectReason::kNotJson, simdjson::error_message(error));
    return 0;
  }
  simdjson::dom::array batch;
  if (root.get_array().get(batch) != simdjson::SUCCESS) {
    return decodeElement(root, sink);
  }
  std::size_t delivered = 0;
  for (const simdjson::dom::element item : batch) {
    delivered += decodeElement(item, sink);
  }
  return delivered;
}

}  // namespace ccpulse::vendor
