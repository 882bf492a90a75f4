#include "ccpulse/common/time_zone.hpp"

#include "ccpulse/common/civil_time.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>

namespace ccpulse {
namespace {

constexpr std::int64_t kMicros = 1'000'000;
constexpr std::int64_t kDaySeconds = 86'400;

std::int64_t floorDiv(std::int64_t a, std::int64_t b) noexcept {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

std::uint32_t be32(const unsigned char* p) noexcept {
  return (static_cast<std::uint32_t>(p[0]) << 24U) | (static_cast<std::uint32_t>(p[1]) << 16U) |
         (static_cast<std::uint32_t>(p[2]) << 8U) | static_cast<std::uint32_t>(p[3]);
}
std::int64_t be64(const unsigned char* p) noexcept {
  return static_cast<std::int64_t>((static_cast<std::uint64_t>(be32(p)) << 32U) | be32(p + 4));
}

bool validName(const std::string& name) {
  if (name.empty() || name.front() == '/' || name.find("..") != std::string::npos) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '_' ||
           c == '-' || c == '+';
  });
}

}  // namespace

TimeZone TimeZone::utc() {
  TimeZone tz;
  tz.name_ = "UTC";
  return tz;
}

std::optional<TimeZone> TimeZone::load(const std::string& name, std::string& error, const std::string& zoneinfoDir) {
  if (name == "UTC" || name == "Etc/UTC") {
    return utc();
  }
  if (!validName(name)) {
    error = "'" + name + "' is not a valid IANA time zone name";
    return std::nullopt;
  }
  std::ifstream in(zoneinfoDir + "/" + name, std::ios::binary);
  if (!in) {
    error = "unknown time zone '" + name + "' (no " + zoneinfoDir + "/" + name + "; is tzdata installed?)";
    return std::nullopt;
  }
  const std::vector<unsigned char> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto bad = [&] {
    error = "'" + zoneinfoDir + "/" + name + "' is not a valid TZif file";
    return std::nullopt;
  };
  // Header: "TZif", version, 15 reserved, then six 32-bit counts.
  constexpr std::size_t kHeader = 44;
  if (data.size() < kHeader || data[0] != 'T' || data[1] != 'Z' || data[2] != 'i' || data[3] != 'f') {
    return bad();
  }
  struct Counts {
    std::uint32_t isut, isstd, leap, time, type, chars;
  };
  const auto counts = [&](std::size_t at) {
    const unsigned char* p = data.data() + at + 20;
    return Counts{be32(p), be32(p + 4), be32(p + 8), be32(p + 12), be32(p + 16), be32(p + 20)};
  };
  const Counts v1 = counts(0);
  const bool v2 = data[4] >= '2';
  std::size_t at = 0;
  Counts c = v1;
  std::size_t timeSize = 4;
  if (v2) {
    // Skip the 32-bit block; the 64-bit block follows with its own header.
    at = kHeader + v1.time * 4 + v1.time + v1.type * 6 + v1.chars + v1.leap * 8 + v1.isstd + v1.isut;
    if (data.size() < at + kHeader) {
      return bad();
    }
    c = counts(at);
    timeSize = 8;
  }
  std::size_t p = at + kHeader;
  const std::size_t need = c.time * timeSize + c.time + c.type * 6 + c.chars;
  if (c.type == 0 || data.size() < p + need) {
    return bad();
  }
  TimeZone tz;
  tz.name_ = name;
  std::vector<std::int64_t> times(c.time);
  for (std::uint32_t i = 0; i < c.time; ++i) {
    times[i] = timeSize == 8 ? be64(&data[p + i * 8]) : static_cast<std::int32_t>(be32(&data[p + i * 4]));
  }
  p += c.time * timeSize;
  std::vector<std::uint8_t> typeIndex(data.begin() + static_cast<std::ptrdiff_t>(p),
                                      data.begin() + static_cast<std::ptrdiff_t>(p + c.time));
  p += c.time;
  std::vector<std::int32_t> typeOffset(c.type);
  for (std::uint32_t i = 0; i < c.type; ++i) {
    typeOffset[i] = static_cast<std::int32_t>(be32(&data[p + i * 6]));
  }
  for (const std::uint8_t t : typeIndex) {
    if (t >= c.type) {
      return bad();
    }
  }
  tz.initialOffset_ = typeOffset[0];
  tz.transitions_ = std::move(times);
  tz.offsets_.reserve(typeIndex.size());
  for (const std::uint8_t t : typeIndex) {
    tz.offsets_.push_back(typeOffset[t]);
  }
  return tz;
}

std::int64_t TimeZone::offsetAt(std::int64_t utcSeconds) const noexcept {
  const auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utcSeconds);
  if (it == transitions_.begin()) {
    return initialOffset_;
  }
  return offsets_[static_cast<std::size_t>(std::distance(transitions_.begin(), it) - 1)];
}

std::int64_t TimeZone::localToUtc(std::int64_t localSeconds) const noexcept {
  // Try the offsets in force around the guess; prefer the later instant in an overlap.
  const std::int64_t guess = localSeconds - offsetAt(localSeconds);
  std::int64_t best = INT64_MIN;
  for (const std::int64_t probe : {guess - 2 * 3600, guess, guess + 2 * 3600}) {
    const std::int64_t candidate = localSeconds - offsetAt(probe);
    if (candidate + offsetAt(candidate) == localSeconds) {
      best = std::max(best, candidate);
    }
  }
  if (best != INT64_MIN) {
    return best;
  }
  // In a spring-forward gap no instant has this local time: take the transition instant.
  return guess;
}

std::int64_t TimeZone::periodStartUs(std::int64_t utcUs, std::int64_t periodSeconds) const noexcept {
  const std::int64_t utc = floorDiv(utcUs, kMicros);
  const std::int64_t local = utc + offsetAt(utc);
  const std::int64_t localStart = floorDiv(local, periodSeconds) * periodSeconds;
  // Within one offset the period started (local - localStart) seconds ago; if an offset change
  // happened inside the period, map the local boundary back through the zone.
  std::int64_t start = utc - (local - localStart);
  if (offsetAt(start) != offsetAt(utc)) {
    start = std::min(localToUtc(localStart), utc);
  }
  return start * kMicros;
}

std::int64_t TimeZone::dayStartUs(std::int64_t utcUs) const noexcept {
  const std::int64_t utc = floorDiv(utcUs, kMicros);
  const std::int64_t local = utc + offsetAt(utc);
  return std::min(localToUtc(floorDiv(local, kDaySeconds) * kDaySeconds), utc) * kMicros;
}

std::int64_t TimeZone::nextDayStartUs(std::int64_t utcUs) const noexcept {
  const std::int64_t utc = floorDiv(utcUs, kMicros);
  const std::int64_t local = utc + offsetAt(utc);
  return localToUtc((floorDiv(local, kDaySeconds) + 1) * kDaySeconds) * kMicros;
}

std::string TimeZone::formatLocal(std::int64_t utcUs) const {
  const std::int64_t utc = floorDiv(utcUs, kMicros);
  const std::int64_t offset = offsetAt(utc);
  const std::int64_t local = utc + offset;
  const CivilDate date = civilFromDays(floorDiv(local, kDaySeconds));
  const auto y = static_cast<int>(date.year);
  const unsigned m = date.month;
  const unsigned d = date.day;
  const std::int64_t sod = local - floorDiv(local, kDaySeconds) * kDaySeconds;
  const std::int64_t absOffset = offset < 0 ? -offset : offset;
  std::array<char, 64> buf{};
  std::snprintf(buf.data(), buf.size(), "%04d-%02u-%02uT%02d:%02d:%02d%c%02d:%02d", y, m, d,
                static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60), static_cast<int>(sod % 60),
                offset < 0 ? '-' : '+', static_cast<int>(absOffset / 3600), static_cast<int>(absOffset / 60 % 60));
  return buf.data();
}

}  // namespace ccpulse
