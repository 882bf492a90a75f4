#pragma once
/// Little helpers to write and read the binary journal and checkpoint formats: CRC32C, a byte
/// writer appending to a caller-owned std::string (whose capacity is reused, so steady-state
/// appends do not allocate) and a bounds-checked reader that turns a short or garbled input into
/// `ok() == false` instead of undefined behaviour. Value types, not thread-safe.
///
/// Integers are stored in host byte order: journal and checkpoints are local files read back by
/// the same machine (an x86-64 or arm64 host, both little-endian); the format version says so.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

#include "ccpulse/decode/event.hpp"

namespace ccpulse {

/// CRC32C (Castagnoli), as used by iSCSI/ext4; `crc` chains calls over pieces.
[[nodiscard]] std::uint32_t crc32c(const void* data, std::size_t size, std::uint32_t crc = 0) noexcept;

class ByteWriter final {
 public:
  explicit ByteWriter(std::string& out) noexcept : out_(out) {}
  template <typename T>
  void put(const T& value) {
    static_assert(std::is_trivially_copyable_v<T>);
    out_.append(reinterpret_cast<const char*>(&value), sizeof(T));
  }
  /// A string up to 4 GiB: u32 length, then the bytes.
  void putBytes(std::string_view bytes) {
    put(static_cast<std::uint32_t>(bytes.size()));
    out_.append(bytes);
  }
  /// A short string (identifiers): u8 length, then the bytes.
  void putShort(std::string_view text) {
    put(static_cast<std::uint8_t>(text.size()));
    out_.append(text.substr(0, 255));
  }
  [[nodiscard]] std::string& buffer() noexcept { return out_; }

 private:
  std::string& out_;
};

class ByteReader final {
 public:
  explicit ByteReader(std::string_view in) noexcept : p_(in.data()), end_(in.data() + in.size()) {}
  template <typename T>
  T get() noexcept {
    static_assert(std::is_trivially_copyable_v<T>);
    T value{};
    if (static_cast<std::size_t>(end_ - p_) < sizeof(T)) {
      ok_ = false;
      p_ = end_;
      return value;
    }
    std::memcpy(&value, p_, sizeof(T));
    p_ += sizeof(T);
    return value;
  }
  std::string_view getBytes() noexcept { return take(get<std::uint32_t>()); }
  std::string_view getShort() noexcept { return take(get<std::uint8_t>()); }
  [[nodiscard]] bool ok() const noexcept { return ok_; }
  [[nodiscard]] std::size_t remaining() const noexcept { return static_cast<std::size_t>(end_ - p_); }
  void fail() noexcept { ok_ = false; }

 private:
  std::string_view take(std::size_t n) noexcept {
    if (!ok_ || static_cast<std::size_t>(end_ - p_) < n) {
      ok_ = false;
      p_ = end_;
      return {};
    }
    std::string_view out(p_, n);
    p_ += n;
    return out;
  }
  const char* p_;
  const char* end_;
  bool ok_ = true;
};

/// Compact encoding of an event for the journal: the decoded fields only (not `receivedNs`,
/// `legs` or `sourceIndex`, which ingest and routing set again on replay). About 100 bytes for a
/// typical contact event instead of the in-memory ~1.7 KB.
void encodeEvent(ByteWriter& out, const Event& event);
/// False when the input is short or a field does not fit (the record is then treated as corrupt).
[[nodiscard]] bool decodeEvent(ByteReader& in, Event& event) noexcept;

}  // namespace ccpulse
