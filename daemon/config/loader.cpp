#include "ccpulse/config/loader.hpp"

#include <sys/stat.h>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <string_view>
#include <system_error>
#include <utility>

#include "ccpulse/config/duration.hpp"
#include "ccpulse/config/z85.hpp"

namespace ccpulse {
namespace {

using Keys = std::span<const std::string_view>;

constexpr std::int64_t kMinHistoryRetentionDays = 32;  // a month and a day
constexpr std::array<std::string_view, 5> kStateKeys{"directory", "journal_sync_interval", "checkpoint_interval",
                                                     "journal_segment_bytes", "history_retention_days"};
constexpr std::array<std::string_view, 13> kRootKeys{"http",      "sources",   "service_level", "engine",   "logging",
                                                     "time_zone", "tenants",   "intervals",     "staffing", "state",
                                                     "auth",      "wallboard", "contracts"};
constexpr std::array<std::string_view, 6> kStaffingKeys{"enabled",       "interval",  "window",
                                                        "max_occupancy", "shrinkage", "concurrency"};
constexpr std::array<std::string_view, 2> kTenantKeys{"time_zone", "forecast"};
constexpr std::array<std::string_view, 3> kIntervalKeys{"length", "late_tolerance", "history"};
// Vendor adapter keys of a source (docs/adapters/); accepted for every format.
constexpr std::array<std::string_view, 5> kSourceAdapterKeys{"tenant", "vendor", "channel", "queue_names",
                                                             "agent_queues"};
constexpr std::array<std::string_view, 9> kSourceKeys{"name",   "endpoint",        "socket",      "bind", "subscribe",
                                                      "format", "max_frame_bytes", "receive_hwm", "curve"};
constexpr std::array<std::string_view, 3> kCurveKeys{"secret_key", "allowed_clients", "allowed_clients_file"};
/// Key files are a line or a few hundred; anything larger is the wrong file.
constexpr std::size_t kMaxKeyFileBytes = std::size_t{1} << 20U;
constexpr std::array<std::string_view, 2> kHttpKeys{"listen", "tls"};
constexpr std::array<std::string_view, 3> kTlsKeys{"certificate", "key", "client_ca"};
constexpr std::array<std::string_view, 4> kAuthKeys{"anonymous", "users", "tokens", "rate_limit"};
constexpr std::array<std::string_view, 3> kAuthUserKeys{"name", "password_hash", "scope"};
constexpr std::array<std::string_view, 3> kAuthTokenKeys{"name", "sha256", "scope"};
constexpr std::array<std::string_view, 3> kRateLimitKeys{"burst", "per_minute", "max_clients"};
constexpr std::array<std::string_view, 3> kWallboardKeys{"enabled", "stream_interval", "max_stream_clients"};
// Source keys of the Asterisk adapters and of adapter-owned sources (file tailing, AMI client);
// see AdapterSettings. Checked against the format and endpoint by checkAdapterKeys.
constexpr std::array<std::string_view, 7> kAsteriskSourceKeys{
    "max_tracked_calls", "max_tracked_agents", "poll_interval", "username", "secret", "reconnect_min", "reconnect_max"};
constexpr std::array<std::string_view, 2> kAdapterKeys{"max_tracked_calls", "max_tracked_agents"};
constexpr std::array<std::string_view, 4> kAmiKeys{"username", "secret", "reconnect_min", "reconnect_max"};
constexpr std::array<std::string_view, 6> kServiceLevelKeys{
    "threshold", "target", "short_abandon", "formula", "dequeued_counts_as_miss", "overrides"};
constexpr std::array<std::string_view, 6> kOverrideKeys{"match",         "threshold", "target",
                                                        "short_abandon", "formula",   "dequeued_counts_as_miss"};
constexpr std::array<std::string_view, 4> kMatchKeys{"tenant", "vendor", "queue", "channel"};
constexpr std::array<std::string_view, 14> kEngineKeys{"shards",
                                                       "ring_capacity",
                                                       "backpressure_timeout",
                                                       "windows",
                                                       "window_bucket",
                                                       "publish_interval",
                                                       "max_contacts_in_flight",
                                                       "contact_max_age",
                                                       "max_series_per_shard",
                                                       "max_agents_per_shard",
                                                       "dedup_window",
                                                       "clock",
                                                       "aux_reasons",
                                                       "max_series_per_tenant"};
constexpr std::array<std::string_view, 1> kLoggingKeys{"level"};
// contracts (docs/contracts.md)
constexpr std::array<std::string_view, 4> kContractsKeys{"complaint_dispositions", "repeat_window", "repeat_table_size",
                                                         "agreements"};
constexpr std::array<std::string_view, 6> kAgreementKeys{"name",      "tenant",      "vendor",
                                                         "time_zone", "monthly_fee", "terms"};
constexpr std::array<std::string_view, 14> kTermKeys{
    "name",   "match",          "measure",          "formula",         "dequeued_counts_as_miss",
    "target", "comparison",     "period",           "at_risk_margin",  "min",
    "max",    "service_credit", "committed_agents", "commitment_ratio"};
/// `committed_agents: schedule`: the per-interval commitment is the tenant forecast's scheduled agents.
constexpr std::string_view kScheduleCommitment = "schedule";
constexpr std::array<std::string_view, 2> kTermMatchKeys{"queues", "channels"};
constexpr std::array<std::string_view, 2> kCreditKeys{"percent", "cap_percent"};
constexpr std::array<std::pair<std::string_view, ContractMeasure>, 11> kMeasureNames{{
    {"service_level", ContractMeasure::kServiceLevel},
    {"abandon_rate", ContractMeasure::kAbandonRate},
    {"asa", ContractMeasure::kAsa},
    {"aht_band", ContractMeasure::kAhtBand},
    {"csat_average", ContractMeasure::kCsatAverage},
    {"nps", ContractMeasure::kNps},
    {"fcr", ContractMeasure::kFcrResolved},
    {"fcr_no_repeat", ContractMeasure::kFcrNoRepeat},
    {"containment", ContractMeasure::kContainment},
    {"complaints_per_1000", ContractMeasure::kComplaintsPer1000},
    {"staffed_vs_committed", ContractMeasure::kStaffedVsCommitted},
}};
constexpr std::array<std::pair<std::string_view, ContractPeriod>, 4> kPeriodNames{{
    {"interval", ContractPeriod::kInterval},
    {"day", ContractPeriod::kDay},
    {"week", ContractPeriod::kWeek},
    {"month", ContractPeriod::kMonth},
}};
constexpr std::array<std::pair<std::string_view, Comparison>, 2> kComparisonNames{{
    {">=", Comparison::kAtLeast},
    {"<=", Comparison::kAtMost},
}};

constexpr std::array<std::pair<std::string_view, SocketKind>, 2> kSocketNames{{
    {"pull", SocketKind::kPull},
    {"sub", SocketKind::kSub},
}};
constexpr std::array<std::pair<std::string_view, SourceFormat>, 6> kFormatNames{{
    {"json", SourceFormat::kJson},
    {"amazon_connect", SourceFormat::kAmazonConnect},
    {"twilio_taskrouter", SourceFormat::kTwilioTaskRouter},
    {"genesys_cloud", SourceFormat::kGenesysCloud},
    {"asterisk_queue_log", SourceFormat::kAsteriskQueueLog},
    {"asterisk_ami", SourceFormat::kAsteriskAmi},
}};
constexpr std::array<std::pair<std::string_view, ClockMode>, 2> kClockNames{{
    {"system", ClockMode::kSystem},
    {"event", ClockMode::kEvent},
}};
constexpr std::array<std::pair<std::string_view, ServiceLevelFormula>, 6> kFormulaNames{{
    {"answered", ServiceLevelFormula::kAnswered},
    {"ignore_abandons", ServiceLevelFormula::kIgnoreAbandons},
    {"abandons_miss", ServiceLevelFormula::kAbandonsMiss},
    {"all_misses", ServiceLevelFormula::kAllMisses},
    {"abandons_met", ServiceLevelFormula::kAbandonsMet},
    {"exclude_short_abandons", ServiceLevelFormula::kExcludeShortAbandons},
}};
constexpr std::array<std::pair<std::string_view, int>, 6> kLogLevels{{
    {"trace", 0},
    {"debug", 1},
    {"info", 2},
    {"warn", 3},
    {"error", 4},
    {"off", 5},
}};

constexpr unsigned kMaxShards = 64;
constexpr std::int64_t kMaxRingCapacity = std::int64_t{1} << 24;
// Every series keeps one counter set per bucket per window, so these bound memory per series.
constexpr std::size_t kMaxWindows = 8;
constexpr std::int64_t kMaxBucketsPerWindow = 10080;  // one week of one-minute buckets
constexpr std::size_t kMaxAuxReasons = 64;            // aux reasons become a metric label
constexpr std::string_view kImplicitAuxReason = "other";
// A config file this large is a mistake (or /dev/zero); refuse rather than exhaust memory.
constexpr std::size_t kMaxFileBytes = std::size_t{16} << 20U;

// Echoes a value from the file in a message, cut short so a stray multi-kilobyte scalar does
// not flood the log.
std::string quoted(std::string_view text) {
  constexpr std::size_t kMaxEcho = 64;
  if (text.size() <= kMaxEcho) {
    return "'" + std::string(text) + "'";
  }
  return "'" + std::string(text.substr(0, kMaxEcho)) + "...' (" + std::to_string(text.size()) + " characters)";
}

// ---- key suggestions ---------------------------------------------------------------------

std::size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0U : 1U)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// Lower-case with separators dropped, so that `maxFrameBytes` and `max-frame-bytes` find
// `max_frame_bytes`.
std::string foldKey(std::string_view key) {
  std::string out;
  for (const char c : key) {
    if (c == '_' || c == '-') {
      continue;
    }
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

std::optional<std::string_view> suggestKey(std::string_view key, Keys known) {
  const std::string folded = foldKey(key);
  for (const std::string_view candidate : known) {
    if (foldKey(candidate) == folded) {
      return candidate;
    }
  }
  std::optional<std::string_view> best;
  std::size_t bestDistance = std::max<std::size_t>(1, key.size() / 3) + 1;
  for (const std::string_view candidate : known) {
    const std::size_t distance = editDistance(key, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

template <typename T, std::size_t N>
std::string nameList(const std::array<std::pair<std::string_view, T>, N>& table) {
  std::string out;
  for (const auto& entry : table) {
    if (!out.empty()) {
      out += ", ";
    }
    out += entry.first;
  }
  return out;
}

bool isSourceNameChar(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

std::optional<long long> parsePort(std::string_view text) noexcept {
  if (text.empty() || text.size() > 5) {
    return std::nullopt;
  }
  long long port = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc{} || end != text.data() + text.size() || port < 0 || port > 65535) {
    return std::nullopt;
  }
  return port;
}

struct HostPort {
  std::string host;  ///< without IPv6 brackets
  std::string port;  ///< unparsed
};

// Splits "host:port" / "[v6]:port"; the message says what is wrong otherwise.
std::optional<HostPort> splitHostPort(std::string_view text, std::string& whyNot) {
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) {
      whyNot = "missing ']' after IPv6 address";
      return std::nullopt;
    }
    if (close + 1 >= text.size() || text[close + 1] != ':') {
      whyNot = "missing ':port' after ']'";
      return std::nullopt;
    }
    return HostPort{std::string(text.substr(1, close - 1)), std::string(text.substr(close + 2))};
  }
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    whyNot = "missing ':port'";
    return std::nullopt;
  }
  if (text.substr(0, colon).find(':') != std::string_view::npos) {
    whyNot = "IPv6 addresses must be in brackets, e.g. [::1]:9464";
    return std::nullopt;
  }
  return HostPort{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
}

// ---- the parser --------------------------------------------------------------------------

/// A value in the document together with where to report problems about it.
struct Field {
  std::string path;
  YAML::Node node;
  YAML::Mark mark;  ///< the value's position; the key's when the value is empty (yaml-cpp puts
                    ///< an empty value's mark at the next token, often on the following line)
};

/// One load: walks the document, fills a Config and collects every problem it finds. Not
/// thread-safe; each load makes its own.
class Parser final {
 public:
  explicit Parser(std::string file) : file_(std::move(file)) {}

  void error(const std::string& path, const YAML::Mark& mark, std::string message) {
    ConfigError err;
    err.keyPath = path;
    err.file = file_;
    // yaml-cpp marks are 0-based, and -1 when unknown (e.g. the root of an empty document).
    if (mark.line >= 0) {
      err.line = mark.line + 1;
      err.column = mark.column >= 0 ? mark.column + 1 : 0;
    }
    err.message = std::move(message);
    errors_.push_back(std::move(err));
  }
  void error(const Field& field, std::string message) { error(field.path, field.mark, std::move(message)); }

  std::vector<ConfigError> takeErrors() { return std::move(errors_); }

  Config parse(const YAML::Node& root) {
    Config config;
    const Field top{"", root, root.Mark()};
    if (!root.IsNull() && !root.IsMap()) {
      error(top, "the top level must be a map of sections (http, sources, service_level, engine, logging), got " +
                     describe(root));
      return config;
    }
    bool haveSources = false;
    std::optional<Field> staffingField;
    forEachEntry(top, kRootKeys, [&](std::string_view key, const Field& value) {
      if (key == "http") {
        parseHttp(value, config.http);
      } else if (key == "sources") {
        haveSources = true;
        parseSources(value, config.sources);
      } else if (key == "service_level") {
        parseServiceLevel(value, config.serviceLevel);
      } else if (key == "engine") {
        parseEngine(value, config.engine);
      } else if (key == "logging") {
        parseLogging(value, config.logging);
      } else if (key == "time_zone") {
        if (auto zone = readZone(value)) {
          config.timeZone = value.node.Scalar();
          config.zones.defaultZone = std::move(zone);
        }
      } else if (key == "tenants") {
        parseTenants(value, config);
      } else if (key == "intervals") {
        parseIntervals(value, config.intervals);
      } else if (key == "staffing") {
        staffingField = value;
        parseStaffing(value, config.staffing);
      } else if (key == "state") {
        parseState(value, config.state);
      } else if (key == "auth") {
        parseAuth(value, config.auth.emplace());
      } else if (key == "wallboard") {
        parseWallboard(value, config.wallboard);
      } else if (key == "contracts") {
        parseContracts(value, config.contracts);
      }
    });
    for (auto& [tenant, zone] : config.zones.byTenant) {
      if (!zone) {
        zone = config.zones.defaultZone;  // tenant listed without its own time_zone
      }
    }
    // After the tenants' defaults: a contract of a tenant listed without time_zone (e.g. only
    // for its forecast) gets the default zone, never a null one.
    for (Contract& contract : config.contracts.contracts) {
      if (!contract.zone) {
        contract.zone = config.zones.forTenant(contract.tenant);  // the tenant's zone by default
      }
    }
    if (config.staffing.window && staffingField &&
        std::find(config.engine.windows.begin(), config.engine.windows.end(), *config.staffing.window) ==
            config.engine.windows.end()) {
      error(staffingField->path + ".window", staffingField->mark,
            "must be one of engine.windows (" + formatWindows(config.engine.windows) + ")");
    }
    for (const auto& [tenant, field] : scheduleFields_) {
      // Checked after the whole file: `tenants` may come after `contracts`.
      if (forecastFields_.count(tenant) == 0) {
        error(field, "'schedule' takes the commitment from the tenant's forecast, but tenants." + tenant +
                         ".forecast is not configured (docs/staffing.md)");
      }
    }
    loadForecasts(config);
    if (!haveSources) {
      error("sources", root.IsMap() ? root.Mark() : YAML::Mark::null_mark(), "required: configure at least one source");
    }
    return config;
  }

 private:
  // ---- structure -------------------------------------------------------------------------

  static std::string describe(const YAML::Node& node) {
    switch (node.Type()) {
      case YAML::NodeType::Null:
        return "an empty value";
      case YAML::NodeType::Scalar:
        return quoted(node.Scalar());
      case YAML::NodeType::Sequence:
        return "a list";
      case YAML::NodeType::Map:
        return "a map";
      case YAML::NodeType::Undefined:
        break;
    }
    return "nothing";
  }

  static Field child(std::string path, const YAML::Node& node, const YAML::Mark& keyMark) {
    return Field{std::move(path), node, node.IsNull() ? keyMark : node.Mark()};
  }

  /// Calls `handle` for each known key of a map in file order; reports non-map values, unknown
  /// keys (with a suggestion), non-scalar keys and duplicate keys (yaml-cpp accepts those
  /// silently and lookups would see only the first).
  void forEachEntry(const Field& map, Keys known, const std::function<void(std::string_view, const Field&)>& handle) {
    if (map.node.IsNull()) {
      return;  // `section:` with nothing under it: all defaults
    }
    if (!map.node.IsMap()) {
      error(map, "expected a map, got " + describe(map.node));
      return;
    }
    const std::string prefix = map.path.empty() ? "" : map.path + ".";
    std::map<std::string, int, std::less<>> seen;  // key -> 1-based line of first occurrence
    for (auto it = map.node.begin(); it != map.node.end(); ++it) {
      // A copy, not a reference: yaml-cpp's operator-> returns a temporary proxy holding the pair,
      // so a reference to `it->first` dangles after this statement (found by ASan via fuzzing).
      const YAML::Node keyNode = it->first;
      if (!keyNode.IsScalar()) {
        error(map.path, keyNode.Mark(), "keys must be plain strings, got " + describe(keyNode));
        continue;
      }
      const std::string& key = keyNode.Scalar();
      const std::string path = prefix + key;
      const auto [firstIt, inserted] = seen.emplace(key, keyNode.Mark().line + 1);
      if (!inserted) {
        error(path, keyNode.Mark(), "duplicate key (first given at line " + std::to_string(firstIt->second) + ")");
        continue;
      }
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        std::string message = "unknown key " + quoted(key);
        if (const auto suggestion = suggestKey(key, known)) {
          message += " (did you mean '" + std::string(*suggestion) + "'?)";
        }
        error(path, keyNode.Mark(), std::move(message));
        continue;
      }
      handle(key, child(path, it->second, keyNode.Mark()));
    }
  }

  /// The items of a list; reports anything else. An empty value is not an empty list: `[]` is.
  std::optional<std::vector<Field>> readList(const Field& field) {
    if (!field.node.IsSequence()) {
      std::string message = "expected a list, got " + describe(field.node);
      if (field.node.IsNull()) {
        message += " (write [] for an empty list)";
      }
      error(field, std::move(message));
      return std::nullopt;
    }
    std::vector<Field> items;
    std::size_t index = 0;
    for (const YAML::Node& item : field.node) {
      // An empty item's own mark is unreliable; the list's is the best nearby position.
      items.push_back(
          Field{field.path + "[" + std::to_string(index) + "]", item, item.IsNull() ? field.mark : item.Mark()});
      ++index;
    }
    return items;
  }

  // ---- scalars ---------------------------------------------------------------------------

  std::optional<std::string> readScalar(const Field& field, std::string_view expected) {
    if (field.node.IsScalar()) {
      return field.node.Scalar();
    }
    if (field.node.IsNull()) {
      error(field, "missing value (expected " + std::string(expected) + ")");
    } else {
      error(field, "expected " + std::string(expected) + ", got " + describe(field.node));
    }
    return std::nullopt;
  }

  std::optional<std::string> readString(const Field& field) { return readScalar(field, "a string"); }

  /// Non-empty string; the usual shape of names and identifiers.
  std::optional<std::string> readNonEmptyString(const Field& field) {
    auto text = readString(field);
    if (text && text->empty()) {
      error(field, "must not be empty");
      return std::nullopt;
    }
    return text;
  }

  // YAML 1.2 core-schema booleans only; yes/no/on/off are rejected because their meaning
  // differs between YAML versions and tools.
  std::optional<bool> readBool(const Field& field) {
    const auto text = readScalar(field, "true or false");
    if (!text) {
      return std::nullopt;
    }
    if (*text == "true" || *text == "True" || *text == "TRUE") {
      return true;
    }
    if (*text == "false" || *text == "False" || *text == "FALSE") {
      return false;
    }
    error(field, "expected true or false, got " + quoted(*text));
    return std::nullopt;
  }

  std::optional<std::int64_t> readInt(const Field& field, std::int64_t min, std::int64_t max) {
    const auto text = readScalar(field, "an integer");
    if (!text) {
      return std::nullopt;
    }
    std::int64_t value = 0;
    const char* const begin = text->data();
    const char* const end = begin + text->size();
    const auto [stop, ec] = std::from_chars(begin, end, value);
    if (text->empty() || stop != end || (ec != std::errc{} && ec != std::errc::result_out_of_range)) {
      error(field, "expected an integer, got " + quoted(*text));
      return std::nullopt;
    }
    if (ec == std::errc::result_out_of_range || value < min || value > max) {
      if (max == std::numeric_limits<std::int64_t>::max()) {
        error(field, "must be at least " + std::to_string(min) + ", got " + *text);
      } else {
        error(field, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + *text);
      }
      return std::nullopt;
    }
    return value;
  }

  std::optional<double> readNumber(const Field& field) {
    const auto text = readScalar(field, "a number");
    if (!text) {
      return std::nullopt;
    }
    double value = 0;
    const char* const begin = text->data();
    const char* const end = begin + text->size();
    const auto [stop, ec] = std::from_chars(begin, end, value, std::chars_format::fixed);
    if (text->empty() || stop != end || ec != std::errc{}) {
      error(field, "expected a number, got " + quoted(*text));
      return std::nullopt;
    }
    return value;
  }

  enum class Zero : std::uint8_t { kAllowed, kRejected };

  std::optional<Micros> readDuration(const Field& field, Zero zero) {
    const auto text = readScalar(field, "a duration, e.g. 20s");
    if (!text) {
      return std::nullopt;
    }
    std::string whyNot;
    const auto value = parseDuration(*text, whyNot);
    if (!value) {
      error(field, whyNot);
      return std::nullopt;
    }
    if (zero == Zero::kRejected && value->count() == 0) {
      error(field, "must be greater than zero");
      return std::nullopt;
    }
    return value;
  }

  template <typename T, std::size_t N>
  std::optional<T> readEnum(const Field& field, const std::array<std::pair<std::string_view, T>, N>& table) {
    const auto text = readScalar(field, "one of: " + nameList(table));
    if (!text) {
      return std::nullopt;
    }
    for (const auto& [name, value] : table) {
      if (name == *text) {
        return value;
      }
    }
    error(field, "must be one of: " + nameList(table) + "; got " + quoted(*text));
    return std::nullopt;
  }

  // The decoder's parseChannel is the one definition of channel names, so a match can name exactly
  // the channels events can carry.
  std::optional<Channel> readChannel(const Field& field) {
    std::string names;
    for (std::size_t i = 0; i < kChannelCount; ++i) {
      names += (i == 0 ? "" : ", ") + std::string(toString(static_cast<Channel>(i)));
    }
    const auto text = readScalar(field, "one of: " + names);
    if (!text) {
      return std::nullopt;
    }
    const auto channel = parseChannel(*text);
    if (!channel) {
      error(field, "must be one of: " + names + "; got " + quoted(*text));
    }
    return channel;
  }

  template <typename T>
  static void assign(T& target, std::optional<T> value) {
    if (value) {
      target = std::move(*value);
    }
  }

  template <typename T>
  void assignInt(T& target, const Field& field, std::int64_t min, std::int64_t max) {
    if (const auto value = readInt(field, min, max)) {
      target = static_cast<T>(*value);
    }
  }

  // ---- sections --------------------------------------------------------------------------

  void parseState(const Field& section, StateSettings& state) {
    forEachEntry(section, kStateKeys, [&](std::string_view key, const Field& value) {
      if (key == "journal_sync_interval") {
        assign(state.journalSyncInterval, readDuration(value, Zero::kAllowed));
      } else if (key == "checkpoint_interval") {
        assign(state.checkpointInterval, readDuration(value, Zero::kRejected));
      } else if (key == "journal_segment_bytes") {
        assignInt(state.journalSegmentBytes, value, 4096, std::int64_t{1} << 40);
      } else if (key == "history_retention_days") {
        if (const auto days = readInt(value, 0, 36500)) {
          if (*days != 0 && *days < kMinHistoryRetentionDays) {
            error(value, "must be 0 (keep forever) or at least " + std::to_string(kMinHistoryRetentionDays) +
                             " days: a monthly contract period is rebuilt from its intervals after a restart");
          } else {
            state.historyRetentionDays = static_cast<std::uint32_t>(*days);
          }
        }
      } else if (const auto text = readNonEmptyString(value)) {
        state.directory = *text;
      }
    });
  }

  // ---- contracts (a self-contained block: docs/contracts.md) -------------------------------

  void parseContracts(const Field& section, ContractSettings& contracts) {
    forEachEntry(section, kContractsKeys, [&](std::string_view key, const Field& value) {
      if (key == "complaint_dispositions") {
        if (const auto items = readList(value)) {
          contracts.complaintDispositions.clear();
          for (const Field& item : *items) {
            if (auto text = readNonEmptyString(item)) {
              if (text->size() > kMaxTagLength) {
                error(item, "longer than " + std::to_string(kMaxTagLength) + " characters, so it could never match");
              } else {
                contracts.complaintDispositions.push_back(std::move(*text));
              }
            }
          }
        }
      } else if (key == "repeat_window") {
        assign(contracts.repeatWindow, readDuration(value, Zero::kRejected));
      } else if (key == "repeat_table_size") {
        assignInt(contracts.repeatTableSize, value, 1024, std::int64_t{1} << 28);
      } else if (key == "agreements") {
        if (const auto items = readList(value)) {
          std::set<std::string, std::less<>> names;
          for (const Field& item : *items) {
            Contract contract;
            if (parseAgreement(item, contract)) {
              if (!names.insert(contract.name).second) {
                error(item, "duplicate agreement name " + quoted(contract.name));
              }
              contracts.contracts.push_back(std::move(contract));
            }
          }
        }
      }
    });
  }

  bool parseAgreement(const Field& item, Contract& contract) {
    const std::size_t before = errors_.size();
    pendingScheduleFields_.clear();
    bool haveTenant = false;
    bool haveName = false;
    forEachEntry(item, kAgreementKeys, [&](std::string_view key, const Field& value) {
      if (key == "name") {
        haveName = static_cast<bool>(readNonEmptyString(value));
        assign(contract.name, readNonEmptyString(value));
      } else if (key == "tenant") {
        haveTenant = static_cast<bool>(readNonEmptyString(value));
        assign(contract.tenant, readNonEmptyString(value));
      } else if (key == "vendor") {
        assign(contract.vendor, readString(value));
      } else if (key == "time_zone") {
        if (auto zone = readZone(value)) {
          contract.timeZone = value.node.Scalar();
          contract.zone = std::move(zone);
        }
      } else if (key == "monthly_fee") {
        const auto fee = readNumber(value);
        if (fee && *fee < 0) {
          error(value, "must not be negative");
        } else {
          assign(contract.monthlyFee, fee);
        }
      } else if (key == "terms") {
        if (const auto terms = readList(value)) {
          std::set<std::string, std::less<>> names;
          for (const Field& termField : *terms) {
            ContractTerm term;
            if (parseTerm(termField, term)) {
              if (!names.insert(term.name).second) {
                error(termField, "duplicate term name " + quoted(term.name));
              }
              contract.terms.push_back(std::move(term));
            }
          }
        }
      }
    });
    if (item.node.IsMap() && !haveName) {
      error(item, "required: name");
    }
    if (item.node.IsMap() && !haveTenant) {
      error(item, "required: tenant");
    }
    for (Field& field : pendingScheduleFields_) {
      if (haveTenant) {
        scheduleFields_.emplace_back(contract.tenant, std::move(field));
      }
    }
    pendingScheduleFields_.clear();
    return errors_.size() == before;
  }

  bool parseTerm(const Field& item, ContractTerm& term) {
    const std::size_t before = errors_.size();
    bool haveTarget = false;
    bool haveMeasure = false;
    bool haveMin = false;
    bool haveMax = false;
    std::optional<Field> comparisonField;
    std::optional<Field> committedField;
    std::optional<Field> ratioField;
    std::optional<Field> channelsField;
    forEachEntry(item, kTermKeys, [&](std::string_view key, const Field& value) {
      if (key == "name") {
        assign(term.name, readNonEmptyString(value));
      } else if (key == "match") {
        forEachEntry(value, kTermMatchKeys, [&](std::string_view matchKey, const Field& list) {
          const auto items = readList(list);
          if (!items) {
            return;
          }
          if (matchKey == "channels") {
            channelsField = list;
          }
          for (const Field& entry : *items) {
            if (matchKey == "queues") {
              if (auto glob = readNonEmptyString(entry)) {
                term.match.queues.push_back(std::move(*glob));
              }
            } else if (const auto channel = readChannel(entry)) {
              term.match.channels.push_back(*channel);
            }
          }
        });
      } else if (key == "measure") {
        haveMeasure = true;
        assign(term.measure, readEnum(value, kMeasureNames));
      } else if (key == "formula") {
        assign(term.formula, readEnum(value, kFormulaNames));
      } else if (key == "dequeued_counts_as_miss") {
        assign(term.dequeuedCountsAsMiss, readBool(value));
      } else if (key == "target") {
        haveTarget = true;
        assign(term.target, readNumber(value));
      } else if (key == "comparison") {
        comparisonField = value;
        assign(term.comparison, readEnum(value, kComparisonNames));
      } else if (key == "period") {
        assign(term.period, readEnum(value, kPeriodNames));
      } else if (key == "at_risk_margin") {
        const auto margin = readNumber(value);
        if (margin && *margin < 0) {
          error(value, "must not be negative");
        } else {
          assign(term.atRiskMargin, margin);
        }
      } else if (key == "min") {
        haveMin = true;
        assign(term.bandMin, readNumber(value));
      } else if (key == "max") {
        haveMax = true;
        assign(term.bandMax, readNumber(value));
      } else if (key == "committed_agents") {
        committedField = value;
        const bool scalar = value.node.IsScalar();
        double number = 0;
        const std::string text = scalar ? value.node.Scalar() : std::string();
        const bool numeric =
            scalar && std::from_chars(text.data(), text.data() + text.size(), number, std::chars_format::fixed).ptr ==
                          text.data() + text.size();
        if (scalar && text == kScheduleCommitment) {
          term.commitmentFromSchedule = true;
        } else if (scalar && (text.empty() || !numeric)) {
          // A misspelt `schedule` must not read as "expected a number" only.
          error(value, "expected a number of agents (> 0) or 'schedule' (the forecast's scheduled agents), got " +
                           quoted(text));
        } else if (const auto committed = readNumber(value); committed && !(*committed > 0)) {
          error(value, "must be greater than 0 (agents committed per interval)");
        } else {
          assign(term.committedAgents, committed);
        }
      } else if (key == "commitment_ratio") {
        ratioField = value;
        const auto ratio = readNumber(value);
        if (ratio && !(*ratio > 0)) {
          error(value, "must be greater than 0 (share of the scheduled agents that must be staffed)");
        } else {
          assign(term.commitmentRatio, ratio);
        }
      } else if (key == "service_credit") {
        forEachEntry(value, kCreditKeys, [&](std::string_view creditKey, const Field& v) {
          const auto percent = readNumber(v);
          if (percent && (*percent < 0 || *percent > 100)) {
            error(v, "must be between 0 and 100");
          } else if (creditKey == "percent") {
            assign(term.creditPercent, percent);
          } else {
            assign(term.creditCapPercent, percent);
          }
        });
      }
    });
    if (!item.node.IsMap()) {
      return false;
    }
    if (term.name.empty()) {
      error(item, "required: name");
    }
    if (!haveMeasure) {
      error(item, "required: measure");
    }
    if (term.measure == ContractMeasure::kStaffedVsCommitted) {
      // The target is the share of intervals that must be staffed to the commitment.
      if (!committedField) {
        error(item, "staffed_vs_committed needs committed_agents (agents per interval, > 0)");
      }
      if (haveTarget && (term.target < 0 || term.target > 1)) {
        error(item, "staffed_vs_committed target is a share of intervals: between 0 and 1");
      }
      if (channelsField) {
        error(*channelsField, "staffed_vs_committed counts agents, which have no channel: match by queues only");
      }
    } else if (committedField) {
      error(*committedField, "committed_agents applies to staffed_vs_committed only");
    }
    if (ratioField && !term.commitmentFromSchedule) {
      error(*ratioField, "commitment_ratio applies to committed_agents: schedule only");
    }
    if (term.commitmentFromSchedule && term.measure == ContractMeasure::kStaffedVsCommitted) {
      pendingScheduleFields_.push_back(*committedField);  // the tenant may come after the terms
    }
    if (term.measure == ContractMeasure::kAhtBand) {
      if (!haveMin || !haveMax) {
        error(item, "aht_band needs min and max (seconds)");
      } else if (term.bandMin < 0 || term.bandMax < term.bandMin) {
        error(item, "aht_band needs 0 <= min <= max");
      }
    } else {
      if (haveMin || haveMax) {
        error(item, "min and max apply to aht_band only");
      }
      if (!haveTarget) {
        error(item, "required: target");
      }
      if (!comparisonField) {
        // Lower is better for these; higher for the rest.
        const bool lowerIsBetter = term.measure == ContractMeasure::kAbandonRate ||
                                   term.measure == ContractMeasure::kAsa ||
                                   term.measure == ContractMeasure::kComplaintsPer1000;
        term.comparison = lowerIsBetter ? Comparison::kAtMost : Comparison::kAtLeast;
      }
    }
    return errors_.size() == before;
  }

  void parseHttp(const Field& section, HttpSettings& http) {
    forEachEntry(section, kHttpKeys, [&](std::string_view key, const Field& value) {
      if (key == "tls") {
        parseTls(value, http.tls.emplace());
        return;
      }
      const auto text = readNonEmptyString(value);
      if (!text) {
        return;
      }
      std::string whyNot;
      const auto parts = splitHostPort(*text, whyNot);
      if (!parts) {
        error(value, "invalid listen address '" + *text + "': " + whyNot + " (expected host:port)");
        return;
      }
      if (parts->host.empty()) {
        error(value,
              "invalid listen address '" + *text + "': empty host (use 0.0.0.0 or [::] to listen on all interfaces)");
        return;
      }
      const auto port = parsePort(parts->port);
      if (!port) {
        error(value, "invalid listen address '" + *text + "': port must be an integer 0..65535");
        return;
      }
      http.listenHost = parts->host;
      http.listenPort = static_cast<std::uint16_t>(*port);
    });
  }

  void parseTls(const Field& section, TlsSettings& tls) {
    forEachEntry(section, kTlsKeys, [&](std::string_view key, const Field& value) {
      const auto text = readNonEmptyString(value);
      if (!text) {
        return;
      }
      (key == "certificate" ? tls.certificate : key == "key" ? tls.key : tls.clientCa) = *text;
    });
    if (tls.certificate.empty() || tls.key.empty()) {
      error(section, "requires both certificate and key");
    }
  }

  // "admin", "prometheus", "tenant:NAME" or "vendor:NAME".
  std::optional<ScopeSettings> readScope(const Field& field) {
    const auto text = readNonEmptyString(field);
    if (!text) {
      return std::nullopt;
    }
    if (*text == "admin") {
      return ScopeSettings{ScopeSettings::Kind::kAdmin, ""};
    }
    if (*text == "prometheus") {
      return ScopeSettings{ScopeSettings::Kind::kPrometheus, ""};
    }
    const std::size_t colon = text->find(':');
    const std::string kind = text->substr(0, colon);
    const std::string name = colon == std::string::npos ? "" : text->substr(colon + 1);
    if ((kind == "tenant" || kind == "vendor") && !name.empty() && name.size() <= kMaxIdLength) {
      return ScopeSettings{kind == "tenant" ? ScopeSettings::Kind::kTenant : ScopeSettings::Kind::kVendor, name};
    }
    error(field, "expected admin, prometheus, tenant:NAME or vendor:NAME, got " + quoted(*text));
    return std::nullopt;
  }

  static bool isBcryptHash(std::string_view text) {
    // $2b$NN$ + 53 characters of salt and hash (bcrypt's own base64 alphabet).
    if (text.size() != 60 || text[0] != '$' || text[1] != '2' || text[3] != '$' || text[6] != '$' ||
        (text[2] != 'a' && text[2] != 'b' && text[2] != 'y')) {
      return false;
    }
    const int cost = (text[4] - '0') * 10 + (text[5] - '0');
    if (text[4] < '0' || text[4] > '3' || text[5] < '0' || text[5] > '9' || cost < 4 || cost > 31) {
      return false;
    }
    return std::all_of(text.begin() + 7, text.end(), [](char c) {
      return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '/';
    });
  }

  static std::optional<std::array<unsigned char, 32>> parseSha256Hex(std::string_view text) {
    if (text.size() != 64) {
      return std::nullopt;
    }
    std::array<unsigned char, 32> out{};
    for (std::size_t i = 0; i < 32; ++i) {
      unsigned value = 0;
      const auto [end, ec] = std::from_chars(text.data() + 2 * i, text.data() + 2 * i + 2, value, 16);
      if (ec != std::errc{} || end != text.data() + 2 * i + 2) {
        return std::nullopt;
      }
      out[i] = static_cast<unsigned char>(value);
    }
    return out;
  }

  void parseAuth(const Field& section, AuthSettings& auth) {
    std::set<std::string, std::less<>> names;
    const auto checkName = [&](const Field& field, const std::string& name) {
      if (!names.insert(name).second) {
        error(field, "duplicate credential name " + quoted(name) + " (users and tokens share one namespace)");
      }
    };
    forEachEntry(section, kAuthKeys, [&](std::string_view key, const Field& value) {
      if (key == "anonymous") {
        assign(auth.anonymous, readBool(value));
      } else if (key == "users") {
        const auto items = readList(value);
        for (const Field& item : items ? *items : std::vector<Field>{}) {
          AuthUser user;
          bool haveName = false;
          bool haveHash = false;
          bool haveScope = false;
          forEachEntry(item, kAuthUserKeys, [&](std::string_view k, const Field& v) {
            if (k == "name") {
              haveName = true;
              if (auto text = readNonEmptyString(v)) {
                if (text->find(':') != std::string::npos) {
                  error(v, "must not contain ':' (HTTP Basic separates user and password with it)");
                } else {
                  checkName(v, *text);
                  user.name = std::move(*text);
                }
              }
            } else if (k == "password_hash") {
              haveHash = true;
              if (auto text = readNonEmptyString(v)) {
                if (!isBcryptHash(*text)) {
                  error(v, "expected a bcrypt hash ($2b$, 60 characters; make one with `ccpulsectl hash-password`)");
                } else {
                  user.passwordHash = std::move(*text);
                }
              }
            } else if (k == "scope") {
              haveScope = true;
              if (auto scope = readScope(v)) {
                user.scope = std::move(*scope);
              }
            }
          });
          if (item.node.IsMap() && !(haveName && haveHash && haveScope)) {
            error(item, "a user needs name, password_hash and scope");
          }
          auth.users.push_back(std::move(user));
        }
      } else if (key == "tokens") {
        const auto items = readList(value);
        for (const Field& item : items ? *items : std::vector<Field>{}) {
          AuthToken token;
          bool haveName = false;
          bool haveHash = false;
          bool haveScope = false;
          forEachEntry(item, kAuthTokenKeys, [&](std::string_view k, const Field& v) {
            if (k == "name") {
              haveName = true;
              if (auto text = readNonEmptyString(v)) {
                checkName(v, *text);
                token.name = std::move(*text);
              }
            } else if (k == "sha256") {
              haveHash = true;
              if (const auto text = readNonEmptyString(v)) {
                if (const auto digest = parseSha256Hex(*text)) {
                  token.sha256 = *digest;
                } else {
                  error(v, "expected 64 hex digits (SHA-256 of the token; make one with `ccpulsectl hash-token`)");
                }
              }
            } else if (k == "scope") {
              haveScope = true;
              if (auto scope = readScope(v)) {
                token.scope = std::move(*scope);
              }
            }
          });
          if (item.node.IsMap() && !(haveName && haveHash && haveScope)) {
            error(item, "a token needs name, sha256 and scope");
          }
          auth.tokens.push_back(std::move(token));
        }
      } else if (key == "rate_limit") {
        forEachEntry(value, kRateLimitKeys, [&](std::string_view k, const Field& v) {
          if (k == "max_clients") {
            assignInt(auth.maxClients, v, 1, 1'000'000);
          } else if (const auto number = readNumber(v)) {
            if (*number <= 0 || *number > 1e6) {
              error(v, "must be greater than 0 and at most 1000000");
            } else {
              (k == "burst" ? auth.failureBurst : auth.failuresPerMinute) = *number;
            }
          }
        });
      }
    });
  }

  void parseWallboard(const Field& section, WallboardSettings& wallboard) {
    forEachEntry(section, kWallboardKeys, [&](std::string_view key, const Field& value) {
      if (key == "enabled") {
        assign(wallboard.enabled, readBool(value));
      } else if (key == "stream_interval") {
        if (const auto interval = readDuration(value, Zero::kRejected)) {
          if (*interval < std::chrono::milliseconds(100) || *interval > std::chrono::seconds(1)) {
            error(value, "must be between 100ms and 1s (the wallboard promises under a second to screen)");
          } else {
            wallboard.streamInterval = *interval;
          }
        }
      } else if (key == "max_stream_clients") {
        assignInt(wallboard.maxStreamClients, value, 0, 100000);
      }
    });
  }

  void parseSources(const Field& field, std::vector<SourceSettings>& sources) {
    const auto items = readList(field);
    if (!items) {
      return;
    }
    if (items->empty()) {
      error(field, "configure at least one source");
      return;
    }
    // name/endpoint -> (index, 1-based line) of the first source that used it.
    std::map<std::string, std::pair<std::size_t, int>, std::less<>> names;
    std::map<std::string, std::pair<std::size_t, int>, std::less<>> endpoints;
    for (const Field& item : *items) {
      const std::size_t index = sources.size();
      SourceSettings source;
      std::optional<Field> nameField;
      std::optional<Field> endpointField;
      std::optional<Field> subscribeField;
      std::optional<Field> curveField;
      std::map<std::string, Field, std::less<>> adapterFields;  // adapter/AMI/file keys given, for the checks below
      if (!item.node.IsMap()) {
        error(item, "expected a map with at least name and endpoint, got " + describe(item.node));
        sources.push_back(std::move(source));
        continue;
      }
      forEachEntry(item, sourceKeys(), [&](std::string_view key, const Field& value) {
        if (parseSourceAdapterKey(key, value, source)) {
          return;
        }
        if (key == "name") {
          nameField = value;
          if (const auto name = readNonEmptyString(value)) {
            if (!std::all_of(name->begin(), name->end(), isSourceNameChar)) {
              error(value, "invalid source name '" + *name + "' (allowed: letters, digits, '_', '.', '-')");
            } else {
              source.name = *name;
            }
          }
        } else if (key == "endpoint") {
          endpointField = value;
          assign(source.endpoint, readNonEmptyString(value));
        } else if (key == "socket") {
          assign(source.socket, readEnum(value, kSocketNames));
        } else if (key == "bind") {
          assign(source.bind, readBool(value));
        } else if (key == "subscribe") {
          subscribeField = value;
          if (const auto topics = readList(value)) {
            for (const Field& topic : *topics) {
              if (auto text = readString(topic)) {
                source.subscribe.push_back(std::move(*text));
              }
            }
          }
        } else if (key == "format") {
          assign(source.format, readEnum(value, kFormatNames));
        } else if (key == "max_frame_bytes") {
          assignInt(source.maxFrameBytes, value, 1, std::numeric_limits<std::int64_t>::max());
        } else if (key == "receive_hwm") {
          assignInt(source.receiveHighWaterMark, value, 0, std::numeric_limits<int>::max());
        } else if (key == "curve") {
          curveField = value;
          source.curve = parseCurve(value);
        } else {
          adapterFields.emplace(std::string(key), value);
          parseAdapterKey(key, value, source.adapter);
        }
      });
      // One set of vendor-adapter labels: the Asterisk tracker reads them from AdapterSettings.
      source.adapter.tenant = source.tenant.empty() ? "default" : source.tenant;
      source.adapter.vendor = source.vendor;
      source.adapter.channel = source.channel.value_or(Channel::kVoice);
      if (curveField && source.curve && !source.bind) {
        error(*curveField, "curve is only supported with bind: true (the daemon is the CURVE server)");
      }

      checkAdapterKeys(item, adapterFields, source);  // first: it settles `bind` for AMI sources
      if (!nameField) {
        error(item.path + ".name", item.mark, "required key is missing");
      } else if (!source.name.empty()) {
        const int line = nameField->mark.line + 1;
        const auto [first, inserted] = names.emplace(source.name, std::make_pair(index, line));
        if (!inserted) {
          error(*nameField, "duplicate source name '" + source.name + "' (already used by sources[" +
                                std::to_string(first->second.first) + "] at line " +
                                std::to_string(first->second.second) + ")");
        }
      }
      if (!endpointField) {
        error(item.path + ".endpoint", item.mark, "required key is missing");
      } else if (!source.endpoint.empty()) {
        if (checkEndpoint(*endpointField, source)) {
          const int line = endpointField->mark.line + 1;
          const auto [first, inserted] = endpoints.emplace(source.endpoint, std::make_pair(index, line));
          if (!inserted) {
            error(*endpointField, "duplicate endpoint '" + source.endpoint + "' (already used by sources[" +
                                      std::to_string(first->second.first) + "] at line " +
                                      std::to_string(first->second.second) + ")");
          }
        }
      }
      // Checked after the whole item so that key order does not matter.
      if (subscribeField && !source.subscribe.empty() && source.socket != SocketKind::kSub) {
        error(*subscribeField, "subscribe is only meaningful with socket: sub");
      }
      sources.push_back(std::move(source));
    }
  }

  static Keys sourceKeys() {
    static const auto kAll = [] {
      std::array<std::string_view, kSourceKeys.size() + kSourceAdapterKeys.size() + kAsteriskSourceKeys.size()> all{};
      auto end = std::copy(kSourceKeys.begin(), kSourceKeys.end(), all.begin());
      end = std::copy(kSourceAdapterKeys.begin(), kSourceAdapterKeys.end(), end);
      std::copy(kAsteriskSourceKeys.begin(), kAsteriskSourceKeys.end(), end);
      return all;
    }();
    return kAll;
  }

  /// The vendor adapter keys of a source; returns false for other keys.
  bool parseSourceAdapterKey(std::string_view key, const Field& value, SourceSettings& source) {
    const auto readId = [&](const Field& field) -> std::optional<std::string> {
      auto text = readNonEmptyString(field);
      if (text && text->size() > kMaxIdLength) {
        error(field, "longer than " + std::to_string(kMaxIdLength) + " bytes (the identifier limit of events)");
        return std::nullopt;
      }
      return text;
    };
    if (key == "tenant") {
      assign(source.tenant, readId(value));
    } else if (key == "vendor") {
      assign(source.vendor, readId(value));
    } else if (key == "channel") {
      if (const auto channel = readChannel(value)) {
        source.channel = *channel;
      }
    } else if (key == "queue_names") {
      if (!value.node.IsMap()) {
        error(value, "expected a map of vendor queue id to queue name, got " + describe(value.node));
        return true;
      }
      for (auto it = value.node.begin(); it != value.node.end(); ++it) {
        const YAML::Node keyNode = it->first;
        if (!keyNode.IsScalar() || keyNode.Scalar().empty()) {
          error(value.path, keyNode.Mark(), "queue ids must be non-empty strings");
          continue;
        }
        if (auto name = readId(child(value.path + "." + keyNode.Scalar(), it->second, keyNode.Mark()))) {
          if (!source.queueNames.emplace(keyNode.Scalar(), std::move(*name)).second) {
            error(value.path + "." + keyNode.Scalar(), keyNode.Mark(), "duplicate queue id");
          }
        }
      }
    } else if (key == "agent_queues") {
      if (const auto items = readList(value)) {
        if (items->size() > kMaxAgentQueues) {
          error(value, "at most " + std::to_string(kMaxAgentQueues) + " queues");
        }
        for (const Field& item : *items) {
          if (auto name = readId(item)) {
            source.agentQueues.push_back(std::move(*name));
          }
        }
      }
    } else {
      return false;
    }
    return true;
  }

  /// Reads a small text file for a key; reports (at `field`) when it cannot.
  std::optional<std::string> readKeyFile(const Field& field, const std::string& path) {
    // Regular files only: a FIFO or a device (/dev/stdin) could block the load forever.
    struct stat info {};
    if (::stat(path.c_str(), &info) == 0 && !S_ISREG(info.st_mode)) {
      error(field, "key file '" + path + "' is not a regular file");
      return std::nullopt;
    }
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (file == nullptr) {
      error(field, "cannot open key file '" + path + "': " + std::strerror(errno));
      return std::nullopt;
    }
    std::string text;
    std::array<char, 4096> buffer{};
    std::size_t got = 0;
    while ((got = std::fread(buffer.data(), 1, buffer.size(), file)) > 0 && text.size() <= kMaxKeyFileBytes) {
      text.append(buffer.data(), got);
    }
    const bool failed = std::ferror(file) != 0;
    std::fclose(file);
    if (failed || text.size() > kMaxKeyFileBytes) {
      error(field, "cannot read key file '" + path + "'" + (failed ? "" : " (larger than 1 MiB)"));
      return std::nullopt;
    }
    return text;
  }

  /// The keys of a key file: the first word of each line. Blank lines and comment lines (a first
  /// word starting with '#' that is not itself a key: '#' is a Z85 digit) are skipped; after the
  /// key, only a '#' comment may follow (else the whole line is returned and fails the check).
  static std::vector<std::string> keyLines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      const auto first = line.find_first_not_of(" \t\r");
      if (first == std::string::npos) {
        continue;
      }
      const auto end = std::min(line.find_first_of(" \t\r", first), line.size());
      std::string word = line.substr(first, end - first);
      if (word.front() == '#' && !decodeZ85Key(word)) {
        continue;
      }
      const auto rest = line.find_first_not_of(" \t\r", end);
      if (rest != std::string::npos && line[rest] != '#') {
        word = line.substr(first, line.find_last_not_of(" \t\r") - first + 1);
      }
      lines.push_back(std::move(word));
    }
    return lines;
  }

  /// `sources[].curve`: every key is checked to be 40 characters of valid Z85.
  std::optional<CurveSettings> parseCurve(const Field& field) {
    if (!field.node.IsMap()) {
      error(field, "expected a map with secret_key and allowed_clients, got " + describe(field.node));
      return std::nullopt;
    }
    CurveSettings curve;
    bool ok = true;
    bool haveSecret = false;
    bool haveClients = false;
    const auto checkKey = [&](const Field& at, const std::string& key, const std::string& what) {
      if (!decodeZ85Key(key)) {
        error(at, what + " is not a CURVE key (expected 40 characters of Z85 text, got " + std::to_string(key.size()) +
                      " characters" +
                      (key.size() == kZ85KeyLength ? " with a character outside the Z85 alphabet" : "") + ")");
        ok = false;
        return false;
      }
      return true;
    };
    forEachEntry(field, kCurveKeys, [&](std::string_view key, const Field& value) {
      if (key == "secret_key") {
        haveSecret = true;
        const auto text = readNonEmptyString(value);
        if (!text) {
          ok = false;
          return;
        }
        // A 40-character Z85 string is the key itself; anything else names a file holding it.
        if (text->size() == kZ85KeyLength && decodeZ85Key(*text)) {
          curve.secretKey = *text;
          return;
        }
        const auto contents = readKeyFile(value, *text);
        if (!contents) {
          ok = false;
          return;
        }
        const auto lines = keyLines(*contents);
        if (lines.size() != 1) {
          error(value,
                "key file '" + *text + "' must hold exactly one key line, found " + std::to_string(lines.size()));
          ok = false;
          return;
        }
        if (checkKey(value, lines.front(), "the secret key in '" + *text + "'")) {
          curve.secretKey = lines.front();
        }
      } else if (key == "allowed_clients") {
        haveClients = true;
        if (const auto items = readList(value)) {
          for (const Field& item : *items) {
            if (const auto text = readNonEmptyString(item)) {
              if (checkKey(item, *text, "allowed client key")) {
                curve.allowedClients.push_back(*text);
              }
            } else {
              ok = false;
            }
          }
        } else {
          ok = false;
        }
      } else if (key == "allowed_clients_file") {
        haveClients = true;
        const auto path = readNonEmptyString(value);
        const auto contents = path ? readKeyFile(value, *path) : std::nullopt;
        if (!contents) {
          ok = false;
          return;
        }
        std::size_t lineNo = 0;
        for (const auto& line : keyLines(*contents)) {
          ++lineNo;
          if (checkKey(value, line, "key " + std::to_string(lineNo) + " in '" + *path + "'")) {
            curve.allowedClients.push_back(line);
          }
        }
      }
    });
    if (!haveSecret) {
      error(field.path + ".secret_key", field.mark, "required key is missing");
      ok = false;
    }
    if (!haveClients) {
      error(field.path + ".allowed_clients", field.mark,
            "required: list the publishers' public keys (allowed_clients or allowed_clients_file)");
      ok = false;
    } else if (ok && curve.allowedClients.empty()) {
      error(field, "no allowed client keys: every publisher would be refused");
      ok = false;
    }
    if (!ok) {
      return std::nullopt;
    }
    return curve;
  }

  /// The Asterisk adapter keys (caps, file and AMI settings) of one source; tenant, vendor and
  /// channel are parseSourceAdapterKey's.
  void parseAdapterKey(std::string_view key, const Field& value, AdapterSettings& adapter) {
    if (key == "max_tracked_calls") {
      assignInt(adapter.maxCalls, value, 1, 10'000'000);
    } else if (key == "max_tracked_agents") {
      assignInt(adapter.maxAgents, value, 1, 1'000'000);
    } else if (key == "poll_interval") {
      assign(adapter.pollInterval, readDuration(value, Zero::kRejected));
    } else if (key == "username") {
      assign(adapter.username, readNonEmptyString(value));
    } else if (key == "secret") {
      assign(adapter.secret, readString(value));
    } else if (key == "reconnect_min") {
      assign(adapter.reconnectMin, readDuration(value, Zero::kRejected));
    } else if (key == "reconnect_max") {
      assign(adapter.reconnectMax, readDuration(value, Zero::kRejected));
    }
  }

  /// Cross-key rules of the adapter keys, checked after the whole source so key order does not matter.
  void checkAdapterKeys(const Field& item, const std::map<std::string, Field, std::less<>>& given,
                        SourceSettings& source) {
    const bool adapterFormat = source.format != SourceFormat::kJson;
    const bool ami = source.format == SourceFormat::kAsteriskAmi;
    const bool file = isFileEndpoint(source.endpoint);
    for (const auto& [key, field] : given) {
      const bool adapterKey = std::find(kAdapterKeys.begin(), kAdapterKeys.end(), key) != kAdapterKeys.end();
      const bool amiKey = std::find(kAmiKeys.begin(), kAmiKeys.end(), key) != kAmiKeys.end();
      if (adapterKey && !adapterFormat) {
        error(field, key + " is only meaningful with an adapter format (asterisk_queue_log, asterisk_ami)");
      } else if (amiKey && !ami) {
        error(field, key + " is only meaningful with format: asterisk_ami");
      } else if (key == "poll_interval" && !file) {
        error(field, "poll_interval is only meaningful with a file:// endpoint");
      }
    }
    if (ami) {
      if (file) {
        error(item.path + ".endpoint", item.mark,
              "format asterisk_ami needs a tcp://host:port endpoint (the AMI port)");
      }
      // An AMI source always connects to Asterisk; `bind: true` cannot mean anything for it.
      source.bind = false;
      source.socket = SocketKind::kPull;
      if (source.adapter.username.empty()) {
        error(item.path + ".username", item.mark, "required with format: asterisk_ami");
      }
      if (!given.contains("secret")) {
        error(item.path + ".secret", item.mark, "required with format: asterisk_ami");
      }
      if (source.adapter.reconnectMin > source.adapter.reconnectMax) {
        const auto it = given.find("reconnect_min");
        error(it != given.end() ? it->second : item, "reconnect_min must not exceed reconnect_max");
      }
    }
  }

  /// Shape of the endpoint string; the socket layer reports what it cannot bind or reach.
  bool checkEndpoint(const Field& field, const SourceSettings& source) {
    const std::string& endpoint = source.endpoint;
    if (isFileEndpoint(endpoint)) {
      // file:///var/log/asterisk/queue_log: the path after the scheme, absolute.
      if (!std::string_view(endpoint).substr(7).starts_with('/')) {
        error(field, "endpoint '" + endpoint + "': a file endpoint needs an absolute path (file:///path/to/file)");
        return false;
      }
      return true;
    }
    constexpr std::array<std::string_view, 3> kSchemes{"tcp://", "ipc://", "inproc://"};
    const auto scheme = std::find_if(kSchemes.begin(), kSchemes.end(),
                                     [&](std::string_view prefix) { return endpoint.starts_with(prefix); });
    if (scheme == kSchemes.end()) {
      error(field, "endpoint '" + endpoint + "' must start with tcp://, ipc://, inproc:// or file://");
      return false;
    }
    const std::string_view rest = std::string_view(endpoint).substr(scheme->size());
    if (rest.empty()) {
      error(field, "endpoint '" + endpoint + "' has nothing after " + std::string(*scheme));
      return false;
    }
    if (*scheme != "tcp://") {
      return true;
    }
    std::string whyNot;
    const auto parts = splitHostPort(rest, whyNot);
    if (!parts) {
      error(field, "endpoint '" + endpoint + "': " + whyNot + " (expected tcp://host:port)");
      return false;
    }
    if (parts->host.empty()) {
      error(field, "endpoint '" + endpoint + "': empty host (use * to bind on all interfaces)");
      return false;
    }
    if (parts->host == "*" && !source.bind) {
      error(field, "endpoint '" + endpoint + "': host '*' is only valid with bind: true");
      return false;
    }
    if (parts->port == "*") {
      if (!source.bind) {
        error(field, "endpoint '" + endpoint + "': port '*' is only valid with bind: true");
        return false;
      }
      return true;
    }
    const auto port = parsePort(parts->port);
    if (!port || *port == 0) {
      error(field, "endpoint '" + endpoint + "': port must be an integer 1..65535");
      return false;
    }
    return true;
  }

  /// Sets one policy key; returns false for keys that are not policy keys.
  bool parsePolicyKey(std::string_view key, const Field& value, ServiceLevelPolicy& policy) {
    if (key == "threshold") {
      assign(policy.threshold, readDuration(value, Zero::kRejected));
    } else if (key == "target") {
      if (const auto target = readNumber(value)) {
        if (*target > 0.0 && *target <= 1.0) {
          policy.target = *target;
        } else {
          error(value, "must be greater than 0 and at most 1 (a fraction: 0.8 means 80%), got " + value.node.Scalar());
        }
      }
    } else if (key == "short_abandon") {
      assign(policy.shortAbandon, readDuration(value, Zero::kAllowed));
    } else if (key == "formula") {
      assign(policy.formula, readEnum(value, kFormulaNames));
    } else if (key == "dequeued_counts_as_miss") {
      assign(policy.dequeuedCountsAsMiss, readBool(value));
    } else {
      return false;
    }
    return true;
  }

  void parseServiceLevel(const Field& section, ServiceLevelSettings& serviceLevel) {
    std::optional<Field> overridesField;
    forEachEntry(section, kServiceLevelKeys, [&](std::string_view key, const Field& value) {
      if (key == "overrides") {
        overridesField = value;  // after the defaults, which overrides inherit wherever they are
      } else {
        parsePolicyKey(key, value, serviceLevel.defaults);
      }
    });
    if (!overridesField) {
      return;
    }
    const auto items = readList(*overridesField);
    if (!items) {
      return;
    }
    for (const Field& item : *items) {
      ServiceLevelOverride entry;
      entry.policy = serviceLevel.defaults;
      if (!item.node.IsMap()) {
        error(item, "expected a map with match and at least one policy key, got " + describe(item.node));
        serviceLevel.overrides.push_back(std::move(entry));  // keeps later indices in messages right
        continue;
      }
      std::optional<Field> matchField;
      bool setsSomething = false;
      forEachEntry(item, kOverrideKeys, [&](std::string_view key, const Field& value) {
        if (key == "match") {
          matchField = value;
          parseMatch(value, entry.match);
        } else {
          setsSomething = parsePolicyKey(key, value, entry.policy) || setsSomething;
        }
      });
      if (!matchField) {
        error(item.path + ".match", item.mark, "required key is missing");
      }
      if (!setsSomething) {
        error(item,
              "override changes nothing (set at least one of: threshold, target, short_abandon, formula, "
              "dequeued_counts_as_miss)");
      }
      if (matchField) {
        for (std::size_t earlier = 0; earlier < serviceLevel.overrides.size(); ++earlier) {
          const ServiceLevelMatch& other = serviceLevel.overrides[earlier].match;
          if (specificityOf(entry.match) > 0 && other.tenant == entry.match.tenant &&
              other.vendor == entry.match.vendor && other.queue == entry.match.queue &&
              other.channel == entry.match.channel) {
            error(*matchField, "same match as " + overridesField->path + "[" + std::to_string(earlier) +
                                   "], so this override would never apply");
            break;
          }
        }
      }
      serviceLevel.overrides.push_back(std::move(entry));
    }
  }

  static int specificityOf(const ServiceLevelMatch& match) {
    return static_cast<int>(match.tenant.has_value()) + static_cast<int>(match.vendor.has_value()) +
           static_cast<int>(match.queue.has_value()) + static_cast<int>(match.channel.has_value());
  }

  void parseMatch(const Field& field, ServiceLevelMatch& match) {
    if (!field.node.IsMap()) {
      error(field, "expected a map of tenant, vendor, queue and/or channel, got " + describe(field.node));
      return;
    }
    bool any = false;
    const auto readId = [&](const Field& value, std::optional<std::string>& target) {
      if (auto text = readNonEmptyString(value)) {
        // Events with longer identifiers are rejected by the decoder, so such a match never applies.
        if (text->size() > kMaxIdLength) {
          error(value, "longer than " + std::to_string(kMaxIdLength) + " characters, so it could never match");
          return;
        }
        target = std::move(*text);
      }
    };
    forEachEntry(field, kMatchKeys, [&](std::string_view key, const Field& value) {
      any = true;
      if (key == "tenant") {
        readId(value, match.tenant);
      } else if (key == "vendor") {
        readId(value, match.vendor);
      } else if (key == "queue") {
        readId(value, match.queue);
      } else if (key == "channel") {
        if (const auto channel = readChannel(value)) {
          match.channel = *channel;
        }
      }
    });
    if (!any) {
      error(field, "match needs at least one of: tenant, vendor, queue, channel");
    }
  }

  void parseEngine(const Field& section, EngineSettings& engine) {
    std::optional<Field> windowsField;
    std::optional<Field> bucketField;
    forEachEntry(section, kEngineKeys, [&](std::string_view key, const Field& value) {
      constexpr std::int64_t kUnbounded = std::numeric_limits<std::int64_t>::max();
      if (key == "shards") {
        assignInt(engine.shards, value, 1, kMaxShards);
      } else if (key == "ring_capacity") {
        assignInt(engine.ringCapacity, value, 2, kMaxRingCapacity);
      } else if (key == "backpressure_timeout") {
        assign(engine.backpressureTimeout, readDuration(value, Zero::kAllowed));
      } else if (key == "windows") {
        windowsField = value;  // validated against window_bucket, wherever that is written
      } else if (key == "window_bucket") {
        bucketField = value;
        assign(engine.windowBucket, readDuration(value, Zero::kRejected));
      } else if (key == "publish_interval") {
        assign(engine.publishInterval, readDuration(value, Zero::kRejected));
      } else if (key == "max_contacts_in_flight") {
        assignInt(engine.maxContactsInFlight, value, 1, kUnbounded);
      } else if (key == "contact_max_age") {
        assign(engine.contactMaxAge, readDuration(value, Zero::kRejected));
      } else if (key == "max_series_per_shard") {
        assignInt(engine.maxSeriesPerShard, value, 1, kUnbounded);
      } else if (key == "max_series_per_tenant") {
        assignInt(engine.maxSeriesPerTenant, value, 1, kUnbounded);
      } else if (key == "max_agents_per_shard") {
        assignInt(engine.maxAgentsPerShard, value, 1, kUnbounded);
      } else if (key == "dedup_window") {
        assignInt(engine.dedupWindow, value, 1, kUnbounded);
      } else if (key == "clock") {
        assign(engine.clock, readEnum(value, kClockNames));
      } else if (key == "aux_reasons") {
        parseAuxReasons(value, engine.auxReasons);
      }
    });
    if (windowsField) {
      parseWindows(*windowsField, engine);
    } else if (bucketField) {
      // Changing only the bucket must not leave the default windows misaligned.
      std::string windows;
      bool aligned = true;
      for (const Micros window : engine.windows) {
        aligned = aligned && window.count() % engine.windowBucket.count() == 0;
        windows += (windows.empty() ? "" : ", ") + formatDuration(window);
      }
      if (!aligned) {
        error(*bucketField, formatDuration(engine.windowBucket) + " does not divide the default windows (" + windows +
                                "); set engine.windows as well");
      }
    }
  }

  void parseWindows(const Field& field, EngineSettings& engine) {
    const auto items = readList(field);
    if (!items) {
      return;
    }
    if (items->empty()) {
      error(field, "configure at least one window");
      return;
    }
    if (items->size() > kMaxWindows) {
      error(field, "at most " + std::to_string(kMaxWindows) + " windows");
      return;
    }
    const Micros bucket = engine.windowBucket;
    std::vector<Micros> windows;
    bool ok = true;
    for (const Field& item : *items) {
      const auto window = readDuration(item, Zero::kRejected);
      if (!window) {
        ok = false;
        continue;
      }
      if (window->count() % bucket.count() != 0) {
        error(item, formatDuration(*window) + " is not a multiple of window_bucket (" + formatDuration(bucket) + ")");
        ok = false;
      } else if (window->count() / bucket.count() > kMaxBucketsPerWindow) {
        error(item, formatDuration(*window) + " would need " + std::to_string(window->count() / bucket.count()) +
                        " buckets of " + formatDuration(bucket) + " (at most " + std::to_string(kMaxBucketsPerWindow) +
                        "; use a larger window_bucket)");
        ok = false;
      } else if (std::find(windows.begin(), windows.end(), *window) != windows.end()) {
        error(item, "duplicate window " + formatDuration(*window));
        ok = false;
      }
      windows.push_back(*window);
    }
    if (ok) {
      engine.windows = std::move(windows);
    }
  }

  void parseAuxReasons(const Field& field, std::vector<std::string>& auxReasons) {
    const auto items = readList(field);
    if (!items) {
      return;
    }
    if (items->size() > kMaxAuxReasons) {
      error(field, "at most " + std::to_string(kMaxAuxReasons) + " aux reasons (each becomes a label value)");
      return;
    }
    std::vector<std::string> reasons;
    for (const Field& item : *items) {
      auto reason = readNonEmptyString(item);
      if (!reason) {
        continue;
      }
      if (*reason == kImplicitAuxReason) {
        error(item, "'other' is implicit (it collects every unlisted reason); remove it");
      } else if (reason->size() > kMaxTagLength) {
        error(item, "longer than " + std::to_string(kMaxTagLength) + " characters, so it could never match");
      } else if (std::find(reasons.begin(), reasons.end(), *reason) != reasons.end()) {
        error(item, "duplicate aux reason '" + *reason + "'");
      } else {
        reasons.push_back(std::move(*reason));
      }
    }
    auxReasons = std::move(reasons);
  }

  std::shared_ptr<const TimeZone> readZone(const Field& field) {
    const auto name = readNonEmptyString(field);
    if (!name) {
      return nullptr;
    }
    std::string whyNot;
    auto zone = TimeZone::load(*name, whyNot);
    if (!zone) {
      error(field, whyNot);
      return nullptr;
    }
    return std::make_shared<const TimeZone>(std::move(*zone));
  }

  void parseTenants(const Field& section, Config& config) {
    if (section.node.IsNull()) {
      return;
    }
    if (!section.node.IsMap()) {
      error(section, "expected a map of tenant name to settings, got " + describe(section.node));
      return;
    }
    for (auto it = section.node.begin(); it != section.node.end(); ++it) {
      if (!it->first.IsScalar() || it->first.Scalar().empty()) {
        error(section.path, it->first.Mark(), "tenant names must be non-empty strings");
        continue;
      }
      const std::string tenant = it->first.Scalar();
      if (tenant.size() > kMaxIdLength) {
        error(section.path + "." + tenant, it->first.Mark(),
              "longer than " + std::to_string(kMaxIdLength) + " characters, so it could never match");
        continue;
      }
      const Field entry = child(section.path + "." + tenant, it->second, it->first.Mark());
      TenantSettings settings;
      std::shared_ptr<const TimeZone> zone;
      forEachEntry(entry, kTenantKeys, [&](std::string_view key, const Field& value) {
        if (key == "forecast") {
          if (const auto path = readNonEmptyString(value)) {
            settings.forecastPath = resolveAgainstConfigDir(*path);
            forecastFields_.emplace(tenant, value);
          }
        } else if ((zone = readZone(value))) {
          settings.timeZone = value.node.Scalar();
        }
      });
      config.tenants[tenant] = settings;
      config.zones.byTenant[tenant] = zone;
    }
  }

  /// Relative forecast paths are taken from the config file's folder, so a config and its plans
  /// can move together.
  std::string resolveAgainstConfigDir(const std::string& path) const {
    if (path.empty() || path.front() == '/') {
      return path;
    }
    const auto slash = file_.rfind('/');
    return slash == std::string::npos ? path : file_.substr(0, slash + 1) + path;
  }

  /// Forecast files are read once the tenant's zone and the interval length are both known.
  void loadForecasts(Config& config) {
    for (const auto& [tenant, field] : forecastFields_) {
      const TenantSettings& settings = config.tenants[tenant];
      auto loaded =
          loadForecastFile(settings.forecastPath, *config.zones.forTenant(tenant), config.intervals.length.count());
      for (const auto& e : loaded.errors) {
        if (e.line == 0) {
          error(field, settings.forecastPath + ": " + e.message);
          continue;
        }
        ConfigError err;
        err.keyPath = field.path;
        err.file = settings.forecastPath;
        err.line = e.line;
        err.message = (e.column.empty() ? "" : "column '" + e.column + "': ") + e.message;
        errors_.push_back(std::move(err));
      }
      if (loaded.forecast) {
        config.forecasts[tenant] = std::move(loaded.forecast);
      }
    }
  }

  void parseIntervals(const Field& section, IntervalSettings& intervals) {
    forEachEntry(section, kIntervalKeys, [&](std::string_view key, const Field& value) {
      if (key == "length") {
        const auto length = readDuration(value, Zero::kRejected);
        constexpr std::int64_t kHourUs = 3'600'000'000;
        constexpr std::int64_t kMinuteUs = 60'000'000;
        if (length && (length->count() % kMinuteUs != 0 || kHourUs % length->count() != 0)) {
          error(value, "must be whole minutes dividing one hour (e.g. 15m, 30m, 60m), got " + value.node.Scalar());
        } else if (length) {
          intervals.length = *length;
        }
      } else if (key == "late_tolerance") {
        assign(intervals.lateTolerance, readDuration(value, Zero::kAllowed));
      } else if (key == "history") {
        assign(intervals.history, readDuration(value, Zero::kRejected));
      }
    });
  }

  static std::string formatWindows(const std::vector<Micros>& windows) {
    std::string out;
    for (const Micros w : windows) {
      out += (out.empty() ? "" : ", ") + formatDuration(w);
    }
    return out;
  }

  void parseStaffing(const Field& section, StaffingSettings& staffing) {
    forEachEntry(section, kStaffingKeys, [&](std::string_view key, const Field& value) {
      if (key == "enabled") {
        assign(staffing.enabled, readBool(value));
      } else if (key == "interval") {
        assign(staffing.interval, readDuration(value, Zero::kRejected));
      } else if (key == "window") {
        if (const auto w = readDuration(value, Zero::kRejected)) {
          staffing.window = *w;
        }
      } else if (key == "max_occupancy") {
        if (const auto v = readNumber(value)) {
          if (*v <= 0 || *v > 1) {
            error(value, "must be greater than 0 and at most 1");
          } else {
            staffing.maxOccupancy = *v;
          }
        }
      } else if (key == "shrinkage") {
        if (const auto v = readNumber(value)) {
          if (*v < 0 || *v >= 1) {
            error(value, "must be at least 0 and below 1");
          } else {
            staffing.shrinkage = *v;
          }
        }
      } else if (key == "concurrency") {
        if (!value.node.IsMap()) {
          error(value, "expected a map of channel to contacts per agent, e.g. {chat: 3}");
          return;
        }
        for (auto it = value.node.begin(); it != value.node.end(); ++it) {
          const YAML::Node keyNode = it->first;
          const Field channelField{value.path + "." + keyNode.Scalar(), keyNode, keyNode.Mark()};
          const auto channel = readChannel(channelField);
          const Field countField{channelField.path, it->second, it->second.Mark()};
          const auto count = readNumber(countField);
          if (channel && count) {
            if (*count < 1 || *count > 255) {
              error(countField, "must be between 1 and 255");
            } else {
              staffing.concurrency[static_cast<std::size_t>(*channel)] = *count;
            }
          }
        }
      }
    });
  }

  void parseLogging(const Field& section, LoggingSettings& logging) {
    forEachEntry(section, kLoggingKeys, [&](std::string_view, const Field& value) {
      if (readEnum(value, kLogLevels)) {
        logging.level = value.node.Scalar();
      }
    });
  }

  std::string file_;
  std::vector<ConfigError> errors_;
  std::map<std::string, Field> forecastFields_;  ///< tenant → its `forecast` key, for messages
  /// `committed_agents: schedule` keys of the agreement being parsed, then with their tenant: each
  /// needs tenants.<tenant>.forecast, checked once the whole file is read.
  std::vector<Field> pendingScheduleFields_;
  std::vector<std::pair<std::string, Field>> scheduleFields_;
};

// Records where each document starts and ignores everything else.
class DocumentStarts final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { marks.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  std::vector<YAML::Mark> marks;
};

// yaml-cpp 0.7's LoadAll never returns (and allocates without bound) on a stray ',' outside
// [ ] or { }: its parser then yields empty documents forever without consuming input (found by
// tests/fuzz/fuzz_config_loader). This first pass walks the documents and stops at the first one
// that starts where the previous one did; every other document advances, so it terminates.
// Throws YAML::ParserException like LoadAll.
std::optional<YAML::Mark> stalledDocument(const std::string& text) {
  std::istringstream input(text);
  YAML::Parser parser(input);
  DocumentStarts starts;
  while (parser.HandleNextDocument(starts)) {
    const std::size_t count = starts.marks.size();
    if (count >= 2 && starts.marks[count - 1].pos == starts.marks[count - 2].pos) {
      return starts.marks.back();
    }
  }
  return std::nullopt;
}

ConfigError fileError(const std::string& file, std::string message) {
  ConfigError err;
  err.file = file;
  err.message = std::move(message);
  return err;
}

}  // namespace

std::string ConfigError::format() const {
  std::string out = file.empty() ? std::string("<config>") : file;
  if (line > 0) {
    out += ':' + std::to_string(line);
    if (column > 0) {
      out += ':' + std::to_string(column);
    }
  }
  out += ": ";
  if (!keyPath.empty()) {
    out += keyPath + ": ";
  }
  out += message;
  return out;
}

ConfigLoadResult loadConfigString(const std::string& text, const std::string& fileName) {
  ConfigLoadResult result;
  try {
    std::vector<YAML::Node> documents;
    try {
      if (const auto stalled = stalledDocument(text)) {
        const auto pos = static_cast<std::size_t>(stalled->pos);
        std::string message = "syntax error: unexpected ";
        if (pos < text.size() && text[pos] == ',') {
          message += "',' (a comma separates items only inside [ ] or { })";
        } else {
          message += pos < text.size() ? "'" + std::string(1, text[pos]) + "'" : "end of text";
        }
        ConfigError err = fileError(fileName, std::move(message));
        err.line = stalled->line + 1;
        err.column = stalled->column + 1;
        result.errors.push_back(std::move(err));
        return result;
      }
      documents = YAML::LoadAll(text);
    } catch (const YAML::ParserException& e) {
      ConfigError err = fileError(fileName, e.msg);
      if (e.mark.line >= 0) {
        err.line = e.mark.line + 1;
        err.column = e.mark.column + 1;
      }
      result.errors.push_back(std::move(err));
      return result;
    }
    Parser parser(fileName);
    if (documents.size() > 1) {
      parser.error("", documents[1].Mark(), "more than one YAML document ('---'); the config is a single document");
    }
    auto config = std::make_shared<Config>(parser.parse(documents.empty() ? YAML::Node() : documents.front()));
    result.errors = parser.takeErrors();
    // Report in file order: some checks run after their section (so key order does not matter).
    std::stable_sort(result.errors.begin(), result.errors.end(), [](const ConfigError& a, const ConfigError& b) {
      return std::pair(a.line, a.column) < std::pair(b.line, b.column);
    });
    if (result.errors.empty()) {
      config->filePath = fileName;
      result.config = std::move(config);
    }
  } catch (const std::exception& e) {
    result.config.reset();
    result.errors.push_back(fileError(fileName, std::string("internal error while loading: ") + e.what()));
  } catch (...) {
    result.config.reset();
    result.errors.push_back(fileError(fileName, "internal error while loading"));
  }
  return result;
}

ConfigLoadResult loadConfigFile(const std::string& path) {
  ConfigLoadResult result;
  try {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (file == nullptr) {
      result.errors.push_back(fileError(path, std::string("cannot open config file: ") + std::strerror(errno)));
      return result;
    }
    std::string text;
    std::array<char, 65536> buffer{};
    bool tooLarge = false;
    while (true) {
      const std::size_t got = std::fread(buffer.data(), 1, buffer.size(), file);
      text.append(buffer.data(), got);
      if (text.size() > kMaxFileBytes) {
        tooLarge = true;
        break;
      }
      if (got < buffer.size()) {
        break;
      }
    }
    const bool readFailed = std::ferror(file) != 0;
    const int readErrno = errno;
    std::fclose(file);
    if (readFailed) {
      result.errors.push_back(fileError(path, std::string("cannot read config file: ") + std::strerror(readErrno)));
      return result;
    }
    if (tooLarge) {
      result.errors.push_back(
          fileError(path, "config file is larger than " + std::to_string(kMaxFileBytes >> 20U) + " MiB"));
      return result;
    }
    return loadConfigString(text, path);
  } catch (const std::exception& e) {
    result.errors.push_back(fileError(path, std::string("cannot read config file: ") + e.what()));
  }
  return result;
}

std::string_view sourceFormatName(SourceFormat format) {
  for (const auto& [text, value] : kFormatNames) {
    if (value == format) {
      return text;
    }
  }
  return "?";
}

std::vector<std::string> restartRequiredChanges(const Config& running, const Config& next) {
  std::vector<std::string> changed;
  const auto note = [&changed](bool differs, const char* path) {
    if (differs) {
      changed.emplace_back(path);
    }
  };
  note(running.http.listenHost != next.http.listenHost || running.http.listenPort != next.http.listenPort,
       "http.listen");
  const auto sameSource = [](const SourceSettings& a, const SourceSettings& b) {
    return a.name == b.name && a.endpoint == b.endpoint && a.socket == b.socket && a.bind == b.bind &&
           a.subscribe == b.subscribe && a.format == b.format && a.maxFrameBytes == b.maxFrameBytes &&
           a.receiveHighWaterMark == b.receiveHighWaterMark && a.tenant == b.tenant && a.vendor == b.vendor &&
           a.channel == b.channel && a.queueNames == b.queueNames && a.agentQueues == b.agentQueues &&
           a.curve == b.curve && a.adapter.maxCalls == b.adapter.maxCalls &&
           a.adapter.maxAgents == b.adapter.maxAgents && a.adapter.pollInterval == b.adapter.pollInterval &&
           a.adapter.username == b.adapter.username && a.adapter.secret == b.adapter.secret &&
           a.adapter.reconnectMin == b.adapter.reconnectMin && a.adapter.reconnectMax == b.adapter.reconnectMax;
  };
  note(
      !std::equal(running.sources.begin(), running.sources.end(), next.sources.begin(), next.sources.end(), sameSource),
      "sources");
  note(running.state.directory != next.state.directory, "state.directory");
  note(running.state.journalSyncInterval != next.state.journalSyncInterval, "state.journal_sync_interval");
  note(running.state.checkpointInterval != next.state.checkpointInterval, "state.checkpoint_interval");
  note(running.state.journalSegmentBytes != next.state.journalSegmentBytes, "state.journal_segment_bytes");
  note(running.state.historyRetentionDays != next.state.historyRetentionDays, "state.history_retention_days");
  const auto tlsFiles = [](const HttpSettings& h) {
    return h.tls ? std::array<std::string, 3>{h.tls->certificate, h.tls->key, h.tls->clientCa}
                 : std::array<std::string, 3>{};
  };
  note(running.http.tls.has_value() != next.http.tls.has_value() || tlsFiles(running.http) != tlsFiles(next.http),
       "http.tls");
  note(running.wallboard.enabled != next.wallboard.enabled ||
           running.wallboard.streamInterval != next.wallboard.streamInterval ||
           running.wallboard.maxStreamClients != next.wallboard.maxStreamClients,
       "wallboard");
  // Contract agreements reload; what the shards count for them does not.
  note(running.contracts.complaintDispositions != next.contracts.complaintDispositions,
       "contracts.complaint_dispositions");
  note(running.contracts.repeatWindow != next.contracts.repeatWindow, "contracts.repeat_window");
  note(running.contracts.repeatTableSize != next.contracts.repeatTableSize, "contracts.repeat_table_size");
  const EngineSettings& a = running.engine;
  const EngineSettings& b = next.engine;
  note(a.shards != b.shards, "engine.shards");
  note(a.ringCapacity != b.ringCapacity, "engine.ring_capacity");
  note(a.backpressureTimeout != b.backpressureTimeout, "engine.backpressure_timeout");
  note(a.windows != b.windows, "engine.windows");
  note(a.windowBucket != b.windowBucket, "engine.window_bucket");
  note(a.publishInterval != b.publishInterval, "engine.publish_interval");
  note(a.maxContactsInFlight != b.maxContactsInFlight, "engine.max_contacts_in_flight");
  note(a.contactMaxAge != b.contactMaxAge, "engine.contact_max_age");
  note(a.maxSeriesPerShard != b.maxSeriesPerShard, "engine.max_series_per_shard");
  note(a.maxSeriesPerTenant != b.maxSeriesPerTenant, "engine.max_series_per_tenant");
  note(a.maxAgentsPerShard != b.maxAgentsPerShard, "engine.max_agents_per_shard");
  note(a.dedupWindow != b.dedupWindow, "engine.dedup_window");
  note(a.clock != b.clock, "engine.clock");
  // Agent series size their per-reason gauges when created, so the label set is fixed per run.
  note(a.auxReasons != b.auxReasons, "engine.aux_reasons");
  // Open intervals and days were cut in the old zones and lengths.
  note(running.timeZone != next.timeZone, "time_zone");
  const auto zoneNames = [](const Config& c) {
    std::map<std::string, std::string, std::less<>> names;
    for (const auto& [tenant, settings] : c.tenants) {
      if (!settings.timeZone.empty()) {  // a tenant listed only for its forecast keeps the default zone
        names[tenant] = settings.timeZone;
      }
    }
    return names;
  };
  note(zoneNames(running) != zoneNames(next), "tenants");
  note(running.intervals.length != next.intervals.length, "intervals.length");
  note(running.intervals.lateTolerance != next.intervals.lateTolerance, "intervals.late_tolerance");
  note(running.intervals.history != next.intervals.history, "intervals.history");
  const StaffingSettings& sa = running.staffing;
  const StaffingSettings& sb = next.staffing;
  note(sa.enabled != sb.enabled || sa.interval != sb.interval || sa.window != sb.window ||
           sa.maxOccupancy != sb.maxOccupancy || sa.shrinkage != sb.shrinkage || sa.concurrency != sb.concurrency,
       "staffing");
  return changed;
}

std::optional<SourceFormat> parseSourceFormat(std::string_view text) noexcept {
  for (const auto& [name, format] : kFormatNames) {
    if (name == text) {
      return format;
    }
  }
  return std::nullopt;
}

std::string sourceFormatNames() { return nameList(kFormatNames); }

}  // namespace ccpulse
