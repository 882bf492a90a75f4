// Fuzz target: loadConfigString on arbitrary text. It must never throw or crash, must be
// deterministic, and must only ever hand out configs that satisfy the documented limits
// (docs/config.md). An accepted config is then written back out as YAML and loaded again: the
// copy must validate too and mean the same thing, so the validator never accepts a value it would
// refuse when it sees it written plainly.

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ccpulse/config/config.hpp"
#include "ccpulse/config/duration.hpp"
#include "ccpulse/config/loader.hpp"
#include "fuzz_check.hpp"

namespace {

using ccpulse::Config;
using ccpulse::Micros;

constexpr std::string_view kFileName = "fuzz.yaml";

bool validPolicy(const ccpulse::ServiceLevelPolicy& policy) {
  return policy.threshold.count() > 0 && policy.target > 0.0 && policy.target <= 1.0 &&
         policy.shortAbandon.count() >= 0;
}

// The limits docs/config.md promises for any config the loader accepts.
void checkValid(const Config& config) {
  CCPULSE_FUZZ_CHECK(config.filePath == kFileName);
  CCPULSE_FUZZ_CHECK(!config.sources.empty());
  std::set<std::string> names;
  std::set<std::string> endpoints;
  for (const auto& source : config.sources) {
    CCPULSE_FUZZ_CHECK(!source.name.empty() && names.insert(source.name).second);
    CCPULSE_FUZZ_CHECK(!source.endpoint.empty() && endpoints.insert(source.endpoint).second);
    CCPULSE_FUZZ_CHECK(source.endpoint.starts_with("tcp://") || source.endpoint.starts_with("ipc://") ||
                       source.endpoint.starts_with("inproc://"));
    CCPULSE_FUZZ_CHECK(source.subscribe.empty() || source.socket == ccpulse::SocketKind::kSub);
    CCPULSE_FUZZ_CHECK(source.maxFrameBytes >= 1 && source.receiveHighWaterMark >= 0);
  }

  const ccpulse::EngineSettings& engine = config.engine;
  CCPULSE_FUZZ_CHECK(engine.shards >= 1 && engine.shards <= 64);
  CCPULSE_FUZZ_CHECK(engine.ringCapacity >= 2 && engine.ringCapacity <= (std::size_t{1} << 24U));
  CCPULSE_FUZZ_CHECK(engine.backpressureTimeout.count() >= 0);
  CCPULSE_FUZZ_CHECK(engine.windowBucket.count() > 0 && engine.publishInterval.count() > 0);
  CCPULSE_FUZZ_CHECK(engine.contactMaxAge.count() > 0);
  CCPULSE_FUZZ_CHECK(!engine.windows.empty() && engine.windows.size() <= 8);
  for (const Micros window : engine.windows) {
    CCPULSE_FUZZ_CHECK(window.count() > 0 && window.count() % engine.windowBucket.count() == 0);
    CCPULSE_FUZZ_CHECK(window.count() / engine.windowBucket.count() <= 10080);
    CCPULSE_FUZZ_CHECK(std::count(engine.windows.begin(), engine.windows.end(), window) == 1);
  }
  CCPULSE_FUZZ_CHECK(engine.maxContactsInFlight >= 1 && engine.maxSeriesPerShard >= 1);
  CCPULSE_FUZZ_CHECK(engine.maxAgentsPerShard >= 1 && engine.dedupWindow >= 1);
  CCPULSE_FUZZ_CHECK(engine.auxReasons.size() <= 64);
  for (const std::string& reason : engine.auxReasons) {
    CCPULSE_FUZZ_CHECK(!reason.empty() && reason.size() <= ccpulse::kMaxTagLength && reason != "other");
    CCPULSE_FUZZ_CHECK(std::count(engine.auxReasons.begin(), engine.auxReasons.end(), reason) == 1);
  }

  CCPULSE_FUZZ_CHECK(validPolicy(config.serviceLevel.defaults));
  for (const auto& entry : config.serviceLevel.overrides) {
    CCPULSE_FUZZ_CHECK(validPolicy(entry.policy));
    const auto& match = entry.match;
    CCPULSE_FUZZ_CHECK(match.tenant || match.vendor || match.queue || match.channel);
    for (const auto* id : {&match.tenant, &match.vendor, &match.queue}) {
      CCPULSE_FUZZ_CHECK(!*id || (!(*id)->empty() && (*id)->size() <= ccpulse::kMaxIdLength));
    }
  }

  constexpr std::int64_t kHourUs = 3'600'000'000;
  CCPULSE_FUZZ_CHECK(config.intervals.length.count() > 0 && config.intervals.length.count() % 60'000'000 == 0 &&
                     kHourUs % config.intervals.length.count() == 0);
  CCPULSE_FUZZ_CHECK(config.intervals.lateTolerance.count() >= 0 && config.intervals.history.count() > 0);

  CCPULSE_FUZZ_CHECK(config.zones.defaultZone != nullptr);
  CCPULSE_FUZZ_CHECK(config.zones.byTenant.size() == config.tenants.size());
  for (const auto& [tenant, zone] : config.zones.byTenant) {
    CCPULSE_FUZZ_CHECK(zone != nullptr && config.tenants.contains(tenant));
    CCPULSE_FUZZ_CHECK(!tenant.empty() && tenant.size() <= ccpulse::kMaxIdLength);
  }
  constexpr std::array<std::string_view, 6> kLevels{"trace", "debug", "info", "warn", "error", "off"};
  CCPULSE_FUZZ_CHECK(std::find(kLevels.begin(), kLevels.end(), config.logging.level) != kLevels.end());
  CCPULSE_FUZZ_CHECK(ccpulse::restartRequiredChanges(config, config).empty());
}

// yaml-cpp's emitter replaces invalid UTF-8 by U+FFFD, which would change the value; such
// configs are checked for validity but not written back.
bool validUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    if (lead < 0x80U) {
      length = 1;
    } else if (lead >= 0xC2U && lead <= 0xDFU) {
      length = 2;
    } else if (lead >= 0xE0U && lead <= 0xEFU) {
      length = 3;
    } else if (lead >= 0xF0U && lead <= 0xF4U) {
      length = 4;
    } else {
      return false;
    }
    if (i + length > text.size()) {
      return false;
    }
    for (std::size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0U) != 0x80U) {
        return false;
      }
    }
    i += length;
  }
  return true;
}

class Writer final {
 public:
  void key(std::string_view name) { out_ << YAML::Key << std::string(name) << YAML::Value; }
  /// A key from the file (a tenant name): quoted like any other text.
  void textKey(const std::string& name) {
    utf8_ = utf8_ && validUtf8(name);
    out_ << YAML::Key << YAML::DoubleQuoted << name << YAML::Value;
  }
  void text(const std::string& value) {
    utf8_ = utf8_ && validUtf8(value);
    out_ << YAML::DoubleQuoted << value;
  }
  void integer(std::uint64_t value) { out_ << std::to_string(value); }
  void duration(Micros value) { out_ << ccpulse::formatDuration(value); }
  void boolean(bool value) { out_ << (value ? "true" : "false"); }
  void fraction(double value) {
    // Shortest fixed-notation text that reads back to the same double (the loader reads fixed).
    std::array<char, 400> buffer{};
    const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, std::chars_format::fixed);
    CCPULSE_FUZZ_CHECK(ec == std::errc{});
    out_ << std::string(buffer.data(), end);
  }
  YAML::Emitter& raw() { return out_; }
  [[nodiscard]] bool utf8() const noexcept { return utf8_; }

 private:
  YAML::Emitter out_;
  bool utf8_ = true;
};

void writePolicy(Writer& w, const ccpulse::ServiceLevelPolicy& policy) {
  w.key("threshold");
  w.duration(policy.threshold);
  w.key("target");
  w.fraction(policy.target);
  w.key("short_abandon");
  w.duration(policy.shortAbandon);
  w.key("formula");
  w.text(std::string(ccpulse::toString(policy.formula)));
  w.key("dequeued_counts_as_miss");
  w.boolean(policy.dequeuedCountsAsMiss);
}

// Every key, explicitly, in docs/config.md's spelling.
void writeConfig(Writer& w, const Config& config) {
  YAML::Emitter& out = w.raw();
  out << YAML::BeginMap;
  w.key("http");
  out << YAML::BeginMap;
  w.key("listen");
  const std::string& host = config.http.listenHost;
  const bool bracket = host.find(':') != std::string::npos || host.starts_with("[");
  w.text((bracket ? "[" + host + "]" : host) + ":" + std::to_string(config.http.listenPort));
  out << YAML::EndMap;

  w.key("sources");
  out << YAML::BeginSeq;
  for (const auto& source : config.sources) {
    out << YAML::BeginMap;
    w.key("name");
    w.text(source.name);
    w.key("endpoint");
    w.text(source.endpoint);
    w.key("socket");
    w.text(source.socket == ccpulse::SocketKind::kSub ? "sub" : "pull");
    w.key("bind");
    w.boolean(source.bind);
    w.key("subscribe");
    out << YAML::Flow << YAML::BeginSeq;
    for (const std::string& topic : source.subscribe) {
      w.text(topic);
    }
    out << YAML::EndSeq;
    w.key("format");
    w.text("json");
    w.key("max_frame_bytes");
    w.integer(source.maxFrameBytes);
    w.key("receive_hwm");
    w.integer(static_cast<std::uint64_t>(source.receiveHighWaterMark));
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;

  w.key("service_level");
  out << YAML::BeginMap;
  writePolicy(w, config.serviceLevel.defaults);
  w.key("overrides");
  out << YAML::BeginSeq;
  for (const auto& entry : config.serviceLevel.overrides) {
    out << YAML::BeginMap;
    w.key("match");
    out << YAML::BeginMap;
    const auto& match = entry.match;
    for (const auto& [name, value] :
         {std::pair{"tenant", &match.tenant}, std::pair{"vendor", &match.vendor}, std::pair{"queue", &match.queue}}) {
      if (*value) {
        w.key(name);
        w.text(**value);
      }
    }
    if (match.channel) {
      w.key("channel");
      w.text(std::string(ccpulse::toString(*match.channel)));
    }
    out << YAML::EndMap;
    writePolicy(w, entry.policy);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::EndMap;

  const ccpulse::EngineSettings& engine = config.engine;
  w.key("engine");
  out << YAML::BeginMap;
  w.key("shards");
  w.integer(engine.shards);
  w.key("ring_capacity");
  w.integer(engine.ringCapacity);
  w.key("backpressure_timeout");
  w.duration(engine.backpressureTimeout);
  w.key("windows");
  out << YAML::Flow << YAML::BeginSeq;
  for (const Micros window : engine.windows) {
    w.duration(window);
  }
  out << YAML::EndSeq;
  w.key("window_bucket");
  w.duration(engine.windowBucket);
  w.key("publish_interval");
  w.duration(engine.publishInterval);
  w.key("max_contacts_in_flight");
  w.integer(engine.maxContactsInFlight);
  w.key("contact_max_age");
  w.duration(engine.contactMaxAge);
  w.key("max_series_per_shard");
  w.integer(engine.maxSeriesPerShard);
  w.key("max_agents_per_shard");
  w.integer(engine.maxAgentsPerShard);
  w.key("dedup_window");
  w.integer(engine.dedupWindow);
  w.key("clock");
  w.text(engine.clock == ccpulse::ClockMode::kEvent ? "event" : "system");
  w.key("aux_reasons");
  out << YAML::Flow << YAML::BeginSeq;
  for (const std::string& reason : engine.auxReasons) {
    w.text(reason);
  }
  out << YAML::EndSeq;
  out << YAML::EndMap;

  w.key("logging");
  out << YAML::BeginMap;
  w.key("level");
  w.text(config.logging.level);
  out << YAML::EndMap;

  w.key("time_zone");
  w.text(config.timeZone);
  w.key("tenants");
  out << YAML::BeginMap;
  for (const auto& [tenant, settings] : config.tenants) {
    w.textKey(tenant);
    out << YAML::BeginMap;
    if (!settings.timeZone.empty()) {
      w.key("time_zone");
      w.text(settings.timeZone);
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap;

  w.key("intervals");
  out << YAML::BeginMap;
  w.key("length");
  w.duration(config.intervals.length);
  w.key("late_tolerance");
  w.duration(config.intervals.lateTolerance);
  w.key("history");
  w.duration(config.intervals.history);
  out << YAML::EndMap;
  out << YAML::EndMap;
}

bool samePolicy(const ccpulse::ServiceLevelPolicy& a, const ccpulse::ServiceLevelPolicy& b) {
  return a.threshold == b.threshold && a.target == b.target && a.shortAbandon == b.shortAbandon &&
         a.formula == b.formula && a.dequeuedCountsAsMiss == b.dequeuedCountsAsMiss;
}

bool sameMeaning(const Config& a, const Config& b) {
  if (!ccpulse::restartRequiredChanges(a, b).empty() || a.logging.level != b.logging.level ||
      !samePolicy(a.serviceLevel.defaults, b.serviceLevel.defaults) ||
      a.serviceLevel.overrides.size() != b.serviceLevel.overrides.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.serviceLevel.overrides.size(); ++i) {
    const auto& x = a.serviceLevel.overrides[i];
    const auto& y = b.serviceLevel.overrides[i];
    if (!samePolicy(x.policy, y.policy) || x.match.tenant != y.match.tenant || x.match.vendor != y.match.vendor ||
        x.match.queue != y.match.queue || x.match.channel != y.match.channel) {
      return false;
    }
  }
  return true;
}

std::vector<std::string> formatted(const ccpulse::ConfigLoadResult& result) {
  std::vector<std::string> lines;
  for (const auto& error : result.errors) {
    lines.push_back(error.format());
  }
  return lines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string fileName(kFileName);

  // Deliberately outside any try: an exception escaping the loader terminates, which the fuzzer
  // reports as a crash.
  const ccpulse::ConfigLoadResult result = ccpulse::loadConfigString(text, fileName);
  CCPULSE_FUZZ_CHECK(result.ok() == (result.config != nullptr));
  CCPULSE_FUZZ_CHECK(result.ok() == result.errors.empty());
  for (const auto& error : result.errors) {
    CCPULSE_FUZZ_CHECK(error.file == fileName && !error.message.empty());
    CCPULSE_FUZZ_CHECK(error.line >= 0 && error.column >= 0);
  }
  CCPULSE_FUZZ_CHECK(formatted(ccpulse::loadConfigString(text, fileName)) == formatted(result));
  if (!result.ok()) {
    return 0;
  }
  checkValid(*result.config);

  Writer writer;
  writeConfig(writer, *result.config);
  CCPULSE_FUZZ_CHECK(writer.raw().good());
  if (!writer.utf8()) {
    return 0;
  }
  const std::string written = writer.raw().c_str();
  const ccpulse::ConfigLoadResult again = ccpulse::loadConfigString(written, fileName);
  if (!again.ok()) {
    for (const std::string& line : formatted(again)) {
      std::fprintf(stderr, "%s\n", line.c_str());
    }
    std::fprintf(stderr, "--- written back as:\n%s\n", written.c_str());
  }
  CCPULSE_FUZZ_CHECK(again.ok());
  CCPULSE_FUZZ_CHECK(sameMeaning(*result.config, *again.config));
  return 0;
}
