// Command-line parsing for ccpulse-sim, kept in the library so that tests can exercise it.

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <zmq.h>

#include "ccpulse/decode/json_decoder.hpp"
#include "ccpulse/sim/simulator.hpp"

namespace ccpulse::sim {
namespace {

constexpr std::string_view kUsage = R"(Usage: ccpulse-sim [options]

Contact-centre traffic simulator and load generator: publishes canonical v1 JSON events
(contact.*, agent.*, survey.result) over ZeroMQ, or writes them as NDJSON.

Output:
  --endpoint URL          ZeroMQ endpoint (default tcp://127.0.0.1:5555); the socket connects
  --bind                  bind the endpoint instead of connecting
  --socket push|pub       socket type (default push)
  --topic PREFIX          pub only: send each frame as two parts, topic then payload
  --batch N               events per frame, as a JSON array when N > 1 (default 1)
  --out FILE              write NDJSON (one event per line) to FILE instead; '-' = stdout
  --linger MS             ZMQ linger on exit so queued frames are flushed (default 2000)
  --curve-server-key KEY  publish with CURVE to a source configured with sources[].curve: the
                          daemon's public key (Z85, 40 characters)
  --curve-secret-key KEY  this publisher's secret key (Z85), or a file holding it; its public
                          key must be in the source's allowed_clients

Pacing and length:
  --fast                  emit as fast as possible (default with --out)
  --paced                 send each event when the wall clock reaches its timestamp
                          (default without --out)
  --count N               stop after N events
  --duration D            stop after D of simulated time: 500ms, 30s, 10m, 2h, 1d
  --start TIME            simulated start: RFC 3339 (2026-11-23T09:00:00Z) or epoch ms
                          (default now)

Model:
  --seed N                PRNG seed; the same seed and options give the same stream (default 1)
  --rate R                target average events per simulated second (default 200)
  --curve daily|flat      arrival intensity over the UTC day (default daily: quiet at night,
                          peaks late morning and early afternoon; R is the daily average)
  --tenants N             generate N tenants (default: built-in 3 tenants, 12 queues)
  --queues-per-tenant N   generate N queues per tenant
  --agents-per-queue N    agents per queue pool (default: sized from the peak load)
  --source ID             publisher id in `source` (default sim-<seed>)

Other:
  --log-level LEVEL       trace|debug|info|warn|error|off (default info)
  -h, --help              this help

Exit status: 0 success (also after SIGINT/SIGTERM), 1 runtime error, 2 bad arguments.
A one-line summary (events per type) is printed to stderr at exit.
)";

constexpr std::array<std::string_view, 19> kValueOptions{"--curve-server-key",
                                                         "--curve-secret-key",
                                                         "--endpoint",
                                                         "--socket",
                                                         "--topic",
                                                         "--seed",
                                                         "--rate",
                                                         "--count",
                                                         "--duration",
                                                         "--start",
                                                         "--curve",
                                                         "--out",
                                                         "--batch",
                                                         "--tenants",
                                                         "--queues-per-tenant",
                                                         "--agents-per-queue",
                                                         "--source",
                                                         "--log-level",
                                                         "--linger"};

template <typename T>
bool parseInt(std::string_view text, T& out) noexcept {
  if (text.empty()) {
    return false;
  }
  const auto result = std::from_chars(text.data(), text.data() + text.size(), out);
  return result.ec == std::errc{} && result.ptr == text.data() + text.size();
}

bool parseDouble(std::string_view text, double& out) noexcept {
  if (text.empty()) {
    return false;
  }
  const auto result = std::from_chars(text.data(), text.data() + text.size(), out);
  return result.ec == std::errc{} && result.ptr == text.data() + text.size();
}

}  // namespace

std::string_view simUsage() noexcept { return kUsage; }

std::optional<std::int64_t> parseDurationUs(std::string_view text) noexcept {
  std::size_t split = 0;
  while (split < text.size() && ((text[split] >= '0' && text[split] <= '9') || text[split] == '.')) {
    ++split;
  }
  double value = 0.0;
  if (!parseDouble(text.substr(0, split), value) || value < 0) {
    return std::nullopt;
  }
  const std::string_view unit = text.substr(split);
  double scale = 0.0;
  if (unit.empty() || unit == "s") {
    scale = 1e6;
  } else if (unit == "us") {
    scale = 1.0;
  } else if (unit == "ms") {
    scale = 1e3;
  } else if (unit == "m" || unit == "min") {
    scale = 60e6;
  } else if (unit == "h") {
    scale = 3600e6;
  } else if (unit == "d") {
    scale = 86400e6;
  } else {
    return std::nullopt;
  }
  const double us = value * scale;
  if (us > 9.0e18) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(us);
}

std::optional<std::int64_t> parseStartUs(std::string_view text) noexcept {
  std::int64_t epochMs = 0;
  if (parseInt(text, epochMs)) {
    if (epochMs < 0 || epochMs > 253402300799999) {
      return std::nullopt;
    }
    return epochMs * 1000;
  }
  // The same RFC 3339 rules as the daemon's decoder, so whatever the sim accepts, ccpulsed does.
  std::int64_t us = 0;
  if (!parseRfc3339(text, us)) {
    return std::nullopt;
  }
  return us;
}

ParseResult parseSimArgs(std::span<const std::string_view> args, std::int64_t nowUs) {
  ParseResult result;
  SimOptions options;
  options.settings.startUs = nowUs;
  bool fastGiven = false;
  bool pacedGiven = false;
  bool topicGiven = false;

  auto fail = [&result](std::string message) {
    result.error = std::move(message);
    return result;
  };

  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    std::string_view value;
    bool hasInlineValue = false;
    if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      hasInlineValue = true;
    }
    // Fetches the option's value from "--opt=value" or the next argument.
    auto takeValue = [&]() -> bool {
      if (hasInlineValue) {
        return true;
      }
      if (i + 1 >= args.size()) {
        return false;
      }
      value = args[++i];
      return true;
    };
    auto isFlag = [&](std::string_view name) { return arg == name; };

    if (isFlag("-h") || isFlag("--help")) {
      result.help = true;
      return result;
    }
    if (isFlag("--bind") || isFlag("--fast") || isFlag("--paced")) {
      if (hasInlineValue) {
        return fail(fmt::format("{} takes no value", arg));
      }
      if (arg == "--bind") {
        options.bind = true;
      } else if (arg == "--fast") {
        fastGiven = true;
      } else {
        pacedGiven = true;
      }
      continue;
    }
    if (!arg.starts_with("--")) {
      return fail(fmt::format("unexpected argument '{}'", arg));
    }
    if (std::find(kValueOptions.begin(), kValueOptions.end(), arg) == kValueOptions.end()) {
      return fail(fmt::format("unknown option '{}' (see --help)", arg));
    }
    if (!takeValue()) {
      return fail(fmt::format("{} requires a value", arg));
    }
    auto badValue = [&](std::string_view expected) {
      return fail(fmt::format("invalid value '{}' for {}: expected {}", value, arg, expected));
    };

    if (arg == "--endpoint") {
      if (value.find("://") == std::string_view::npos) {
        return badValue("a ZeroMQ endpoint such as tcp://127.0.0.1:5555");
      }
      options.endpoint = std::string(value);
    } else if (arg == "--socket") {
      if (value == "push") {
        options.socket = SocketKind::kPush;
      } else if (value == "pub") {
        options.socket = SocketKind::kPub;
      } else {
        return badValue("push or pub");
      }
    } else if (arg == "--topic") {
      options.topic = std::string(value);
      topicGiven = true;
    } else if (arg == "--seed") {
      if (!parseInt(value, options.settings.seed)) {
        return badValue("a non-negative integer");
      }
    } else if (arg == "--rate") {
      double rate = 0.0;
      if (!parseDouble(value, rate) || !(rate > 0.0) || rate > 1e8) {
        return badValue("a number of events per second in (0, 1e8]");
      }
      options.settings.rate = rate;
    } else if (arg == "--count") {
      if (!parseInt(value, options.settings.maxEvents) || options.settings.maxEvents == 0) {
        return badValue("a positive integer");
      }
    } else if (arg == "--duration") {
      const auto us = parseDurationUs(value);
      if (!us || *us <= 0) {
        return badValue("a positive duration such as 30s, 10m, 2h");
      }
      options.settings.durationUs = *us;
    } else if (arg == "--start") {
      const auto us = parseStartUs(value);
      if (!us) {
        return badValue("RFC 3339 (2026-11-23T09:00:00Z) or epoch milliseconds");
      }
      options.settings.startUs = *us;
    } else if (arg == "--curve") {
      if (value == "daily") {
        options.settings.curve = Curve::kDaily;
      } else if (value == "flat") {
        options.settings.curve = Curve::kFlat;
      } else {
        return badValue("daily or flat");
      }
    } else if (arg == "--out") {
      if (value.empty()) {
        return badValue("a file path or '-'");
      }
      options.outPath = std::string(value);
    } else if (arg == "--batch") {
      if (!parseInt(value, options.batch) || options.batch == 0 || options.batch > 100000) {
        return badValue("an integer in [1, 100000]");
      }
    } else if (arg == "--tenants") {
      if (!parseInt(value, options.settings.tenants) || options.settings.tenants == 0 ||
          options.settings.tenants > 100000) {
        return badValue("an integer in [1, 100000]");
      }
    } else if (arg == "--queues-per-tenant") {
      if (!parseInt(value, options.settings.queuesPerTenant) || options.settings.queuesPerTenant == 0 ||
          options.settings.queuesPerTenant > 10000) {
        return badValue("an integer in [1, 10000]");
      }
    } else if (arg == "--agents-per-queue") {
      if (!parseInt(value, options.settings.agentsPerQueue) || options.settings.agentsPerQueue == 0 ||
          options.settings.agentsPerQueue > 100000) {
        return badValue("an integer in [1, 100000]");
      }
    } else if (arg == "--source") {
      if (value.empty() || value.size() > 48 || value.find_first_of("\"\\") != std::string_view::npos) {
        return badValue("1-48 characters without quotes or backslashes");
      }
      options.settings.source = std::string(value);
    } else if (arg == "--log-level") {
      if (value != "trace" && value != "debug" && value != "info" && value != "warn" && value != "error" &&
          value != "off") {
        return badValue("trace, debug, info, warn, error or off");
      }
      options.logLevel = std::string(value);
    } else if (arg == "--curve-server-key" || arg == "--curve-secret-key") {
      std::string key(value);
      if (key.size() != 40 && arg == "--curve-secret-key") {
        // Not a key: a file holding one (first word of the first non-blank line).
        std::ifstream in(key);
        std::string word;
        if (!(in >> word)) {
          return badValue("a Z85 key or a readable file holding one");
        }
        key = word;
      }
      std::array<std::uint8_t, 32> decoded{};
      if (key.size() != 40 || zmq_z85_decode(decoded.data(), key.c_str()) == nullptr) {
        return badValue("a 40-character Z85 CURVE key (ccpulsectl curve-keypair)");
      }
      (arg == "--curve-server-key" ? options.curveServerKey : options.curveSecretKey) = key;
    } else if (arg == "--linger") {
      if (!parseInt(value, options.lingerMs) || options.lingerMs < 0) {
        return badValue("milliseconds >= 0");
      }
    } else {
      return fail(fmt::format("unknown option '{}' (see --help)", arg));
    }
  }

  if (fastGiven && pacedGiven) {
    return fail("--fast and --paced are mutually exclusive");
  }
  if (options.curveServerKey.empty() != options.curveSecretKey.empty()) {
    return fail("--curve-server-key and --curve-secret-key go together");
  }
  if (topicGiven && options.socket != SocketKind::kPub) {
    return fail("--topic requires --socket pub");
  }
  const std::uint64_t queueCount =
      static_cast<std::uint64_t>(options.settings.tenants != 0 ? options.settings.tenants : 3) *
      (options.settings.queuesPerTenant != 0 ? options.settings.queuesPerTenant : 4);
  if ((options.settings.tenants != 0 || options.settings.queuesPerTenant != 0) && queueCount > 1'000'000) {
    return fail(fmt::format("--tenants x --queues-per-tenant = {} queues; at most 1000000", queueCount));
  }
  options.fast = fastGiven || (!pacedGiven && !options.outPath.empty());
  result.options = std::move(options);
  return result;
}

std::string formatSummary(const RunStats& stats) {
  const double rate = stats.wallSeconds > 0 ? static_cast<double>(stats.events) / stats.wallSeconds : 0.0;
  std::string line =
      fmt::format("ccpulse-sim: sent {} events in {} frames over {:.3f}s ({:.0f} ev/s, {:.1f}s simulated)",
                  stats.events, stats.frames, stats.wallSeconds, rate, static_cast<double>(stats.simulatedUs) / 1e6);
  if (stats.dropped != 0) {
    line += fmt::format(", {} dropped on stop", stats.dropped);
  }
  char sep = ':';
  for (std::size_t t = 0; t < kEventTypeCount; ++t) {
    if (stats.perType[t] != 0) {
      line += fmt::format("{} {}={}", sep, eventTypeName(static_cast<EventType>(t)), stats.perType[t]);
      sep = ',';
    }
  }
  return line;
}

}  // namespace ccpulse::sim
