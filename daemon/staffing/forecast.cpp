#include "ccpulse/staffing/forecast.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "ccpulse/decode/json_decoder.hpp"

namespace ccpulse {
namespace {

constexpr std::int64_t kMicros = 1'000'000;
/// Beyond this many problems the file is clearly the wrong one; more lines would only be noise.
constexpr std::size_t kMaxErrors = 20;
/// A month of 15-minute intervals for a few hundred queues is well under this.
constexpr std::size_t kMaxFileBytes = std::size_t{64} << 20U;

enum Column : std::uint8_t { kStart, kQueue, kChannel, kContacts, kAht, kScheduled, kVendor, kColumnCount };
constexpr std::array<std::string_view, kColumnCount> kColumnNames{
    "interval_start", "queue", "channel", "contacts", "aht_seconds", "scheduled_agents", "vendor"};

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

/// Splits one CSV record (RFC 4180 quoting: "a ""b""" is a "b"). Returns false on an unterminated quote.
bool splitCsv(std::string_view line, std::vector<std::string>& fields) {
  fields.clear();
  std::string field;
  bool quoted = false;
  bool wasQuoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < line.size() && line[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
      wasQuoted = true;
    } else if (c == ',') {
      fields.emplace_back(wasQuoted ? field : std::string(trim(field)));
      field.clear();
      wasQuoted = false;
    } else {
      field += c;
    }
  }
  if (quoted) {
    return false;
  }
  fields.emplace_back(wasQuoted ? field : std::string(trim(field)));
  return true;
}

std::optional<double> parseNumber(std::string_view text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

/// "YYYY-MM-DD HH:MM[:SS]" (or 'T') as seconds since the epoch of the local clock; nullopt if
/// malformed. Read as if it were UTC by the RFC 3339 parser, which range-checks every field.
std::optional<std::int64_t> parseLocal(std::string_view text) {
  if ((text.size() != 16 && text.size() != 19) || (text[10] != ' ' && text[10] != 'T' && text[10] != 't')) {
    return std::nullopt;
  }
  std::string utc(text);
  utc[10] = 'T';
  utc += text.size() == 16 ? ":00Z" : "Z";
  std::int64_t us = 0;
  if (!parseRfc3339(utc, us)) {
    return std::nullopt;
  }
  return us / kMicros;
}

/// The UTC instants whose local time in `zone` is `local` (0, 1 or 2 of them around a DST change).
std::vector<std::int64_t> utcCandidates(const TimeZone& zone, std::int64_t local) {
  std::set<std::int64_t> found;
  const std::int64_t guess = local - zone.offsetAt(local);
  for (const std::int64_t probe : {guess - 2 * 3600, guess, guess + 2 * 3600}) {
    const std::int64_t candidate = local - zone.offsetAt(probe);
    if (candidate + zone.offsetAt(candidate) == local) {
      found.insert(candidate);
    }
  }
  return {found.begin(), found.end()};
}

class Parser final {
 public:
  Parser(std::string path, const TimeZone& zone, std::int64_t intervalUs)
      : path_(std::move(path)), zone_(zone), intervalUs_(intervalUs) {}

  ForecastParseResult run(std::string_view text) {
    ForecastParseResult result;
    int lineNo = 0;
    bool haveHeader = false;
    std::vector<std::string> fields;
    std::size_t pos = 0;
    while (pos <= text.size() && errors_.size() < kMaxErrors) {
      const std::size_t end = std::min(text.find('\n', pos), text.size());
      const std::string_view line = trim(text.substr(pos, end - pos));
      pos = end + 1;
      ++lineNo;
      if (line.empty() || line.front() == '#') {
        if (end == text.size()) {
          break;
        }
        continue;
      }
      if (!splitCsv(line, fields)) {
        error(lineNo, "", "unterminated quoted field");
      } else if (!haveHeader) {
        haveHeader = readHeader(lineNo, fields);
        if (!haveHeader) {
          break;
        }
      } else {
        readRow(lineNo, fields);
      }
      if (end == text.size()) {
        break;
      }
    }
    if (!haveHeader && errors_.empty()) {
      error(1, "", "empty file: expected a header line naming the columns " + requiredColumns());
    }
    if (!errors_.empty()) {
      result.errors = std::move(errors_);
      return result;
    }
    for (auto& [key, rows] : rows_) {
      std::sort(rows.begin(), rows.end(),
                [](const ForecastRow& a, const ForecastRow& b) { return a.startUs < b.startUs; });
    }
    result.forecast = std::make_shared<const Forecast>(path_, intervalUs_, std::move(rows_));
    return result;
  }

 private:
  static std::string requiredColumns() {
    std::string out;
    for (std::size_t i = 0; i < kVendor; ++i) {
      out += (out.empty() ? "" : ", ") + std::string(kColumnNames[i]);
    }
    return out;
  }

  void error(int line, std::string column, std::string message) {
    errors_.push_back({line, std::move(column), std::move(message)});
  }

  bool readHeader(int lineNo, const std::vector<std::string>& fields) {
    columnIndex_.fill(-1);
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const std::string name = lower(fields[i]);
      const auto* it = std::find(kColumnNames.begin(), kColumnNames.end(), name);
      if (it == kColumnNames.end()) {
        error(lineNo, fields[i], "unknown column '" + fields[i] + "' (known: " + requiredColumns() + ", vendor)");
        continue;
      }
      auto& slot = columnIndex_[static_cast<std::size_t>(it - kColumnNames.begin())];
      if (slot >= 0) {
        error(lineNo, fields[i], "column '" + name + "' appears twice");
      }
      slot = static_cast<int>(i);
    }
    for (std::size_t c = 0; c < kVendor; ++c) {
      if (columnIndex_[c] < 0) {
        error(lineNo, std::string(kColumnNames[c]), "missing column '" + std::string(kColumnNames[c]) + "'");
      }
    }
    columnCount_ = fields.size();
    return errors_.empty();
  }

  void readRow(int lineNo, const std::vector<std::string>& fields) {
    if (fields.size() != columnCount_) {
      error(
          lineNo, "",
          "expected " + std::to_string(columnCount_) + " fields like the header, got " + std::to_string(fields.size()));
      return;
    }
    const auto field = [&](Column c) -> const std::string& {
      return fields[static_cast<std::size_t>(columnIndex_[c])];
    };
    const std::size_t before = errors_.size();
    ForecastKey key;
    key.queue = field(kQueue);
    if (key.queue.empty() || key.queue.size() > kMaxIdLength) {
      error(lineNo, "queue", "must be 1.." + std::to_string(kMaxIdLength) + " characters");
    }
    if (columnIndex_[kVendor] >= 0) {
      key.vendor = field(kVendor);
      if (key.vendor.size() > kMaxIdLength) {
        error(lineNo, "vendor", "longer than " + std::to_string(kMaxIdLength) + " characters");
      }
    }
    if (const auto channel = parseChannel(lower(field(kChannel)))) {
      key.channel = *channel;
    } else {
      error(lineNo, "channel", "'" + field(kChannel) + "' is not a channel (voice, chat, sms, email, social, video)");
    }
    ForecastRow row;
    const auto number = [&](Column c, double& out, bool positive) {
      const auto value = parseNumber(field(c));
      if (!value || *value < 0 || (positive && *value == 0)) {
        error(lineNo, std::string(kColumnNames[c]),
              "'" + field(c) + "' is not a " + (positive ? "positive" : "non-negative") + " number");
        return;
      }
      out = *value;
    };
    number(kContacts, row.contacts, false);
    number(kAht, row.ahtSeconds, /*positive=*/true);
    number(kScheduled, row.scheduledAgents, false);
    if (const auto start = parseStart(lineNo, field(kStart))) {
      row.startUs = *start;
    }
    if (errors_.size() != before) {
      return;
    }
    auto& list = rows_[key];
    const auto [_, inserted] = seen_.insert(
        {key.vendor + '\x1f' + key.queue + '\x1f' + std::to_string(static_cast<int>(key.channel)), row.startUs});
    if (!inserted) {
      error(lineNo, "interval_start",
            "a second row for the same interval, queue, channel and vendor (" + field(kStart) + ")");
      return;
    }
    list.push_back(row);
  }

  std::optional<std::int64_t> parseStart(int lineNo, const std::string& text) {
    std::int64_t us = 0;
    if (parseRfc3339(text, us)) {
      // An explicit offset says which instant is meant; it still has to start a local interval.
    } else if (const auto local = parseLocal(text)) {
      const auto candidates = utcCandidates(zone_, *local);
      if (candidates.empty()) {
        error(lineNo, "interval_start",
              "'" + text + "' does not exist in " + zone_.name() + " (skipped by a daylight-saving change)");
        return std::nullopt;
      }
      if (candidates.size() > 1) {
        error(lineNo, "interval_start",
              "'" + text + "' happens twice in " + zone_.name() +
                  " (daylight-saving change); write it with its UTC offset, e.g. " + formatWithOffset(candidates[0]) +
                  " or " + formatWithOffset(candidates[1]));
        return std::nullopt;
      }
      us = candidates[0] * kMicros;
    } else {
      error(lineNo, "interval_start",
            "'" + text + "' is neither RFC 3339 (2026-11-23T09:00:00+01:00) nor a local time (2026-11-23 09:00)");
      return std::nullopt;
    }
    if (zone_.periodStartUs(us, intervalUs_ / kMicros) != us) {
      error(lineNo, "interval_start",
            "'" + text + "' does not start a " + std::to_string(intervalUs_ / kMicros / 60) + "-minute interval in " +
                zone_.name() + " (intervals.length)");
      return std::nullopt;
    }
    return us;
  }

  std::string formatWithOffset(std::int64_t utcSeconds) const {
    const std::int64_t offset = zone_.offsetAt(utcSeconds);
    const std::string local = zone_.formatLocal(utcSeconds * kMicros);
    const std::int64_t a = offset < 0 ? -offset : offset;
    std::array<char, 8> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "%c%02d:%02d", offset < 0 ? '-' : '+', static_cast<int>(a / 3600),
                  static_cast<int>(a % 3600 / 60));
    return local.substr(0, 16) + buffer.data();
  }

  std::string path_;
  const TimeZone& zone_;
  std::int64_t intervalUs_;
  std::array<int, kColumnCount> columnIndex_{};
  std::size_t columnCount_ = 0;
  Forecast::Rows rows_;
  std::set<std::pair<std::string, std::int64_t>> seen_;
  std::vector<ForecastError> errors_;
};

}  // namespace

Forecast::Forecast(std::string path, std::int64_t intervalUs, Rows rows) noexcept
    : path_(std::move(path)), intervalUs_(intervalUs), rows_(std::move(rows)) {}

bool Forecast::planOfVendor(const ForecastKey& key, const std::string& vendor) const {
  if (key.vendor.empty()) {
    return rows_.count(ForecastKey{vendor, key.queue, key.channel}) == 0;
  }
  return key.vendor == vendor;
}

const ForecastRow* Forecast::find(const ForecastKey& key, std::int64_t utcUs) const noexcept {
  const auto it = rows_.find(key);
  if (it == rows_.end()) {
    return nullptr;
  }
  const auto& rows = it->second;
  // The last row starting at or before utcUs, if utcUs is inside its interval.
  auto upper = std::upper_bound(rows.begin(), rows.end(), utcUs,
                                [](std::int64_t t, const ForecastRow& r) { return t < r.startUs; });
  if (upper == rows.begin()) {
    return nullptr;
  }
  const ForecastRow& row = *std::prev(upper);
  // Intervals are clock-aligned, so one ends where the next would start; a DST change does not
  // move 15/30/60-minute boundaries (offsets change by whole quarter hours or more).
  return utcUs < row.startUs + intervalUs_ ? &row : nullptr;
}

std::size_t Forecast::rowCount() const noexcept {
  std::size_t n = 0;
  for (const auto& [key, rows] : rows_) {
    n += rows.size();
  }
  return n;
}

ForecastParseResult parseForecastCsv(std::string_view text, std::string path, const TimeZone& zone,
                                     std::int64_t intervalUs) {
  return Parser(std::move(path), zone, intervalUs).run(text);
}

ForecastParseResult loadForecastFile(const std::string& path, const TimeZone& zone, std::int64_t intervalUs) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ForecastParseResult result;
    result.errors.push_back({0, "", std::string("cannot open forecast file: ") + std::strerror(errno)});
    return result;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > kMaxFileBytes) {
    ForecastParseResult result;
    result.errors.push_back({0, "", "forecast file larger than " + std::to_string(kMaxFileBytes >> 20U) + " MiB"});
    return result;
  }
  return parseForecastCsv(text.str(), path, zone, intervalUs);
}

}  // namespace ccpulse
