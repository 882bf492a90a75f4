// ccpulsectl replay: recorded events through the real decoder and engine, as fast as possible,
// with event time as the clock; prints the final /metrics exposition.
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "ccpulse/config/loader.hpp"
#include "ccpulse/ctl/commands.hpp"
#include "ccpulse/history/interval_store.hpp"
#include "ccpulse/replay/replayer.hpp"

namespace ccpulse::ctl {
namespace {

constexpr std::string_view kReplayUsage =
    R"(Usage: ccpulsectl replay --config FILE [--format F] [--intervals OUT.csv] FILE...
Replays recorded input (FILE '-' is stdin) through the real decoder and engine as fast as it can,
using event time as the clock, then prints the final Prometheus exposition to stdout.

  --config FILE       ccpulsed configuration (service levels, windows, intervals, time zones);
                      its first source's adapter keys (tenant, vendor, channel, queue_names...) apply
  --format F          input format, one of the source formats (default: the first source's):
                        json                one canonical JSON object or array per line
                        amazon_connect, twilio_taskrouter, genesys_cloud
                                            one vendor record per line (docs/adapters/)
                        asterisk_queue_log  one queue_log line per line
                        asterisk_ami        AMI messages (Key: Value lines), each ended by an
                                            empty line, as read from the manager port
  --intervals FILE    also write every closed interval and day as CSV
)";

/// Streams closed periods to the CSV as they close (chronological), so memory stays flat however
/// long the recording; without --intervals they are just discarded.
void writeClosed(Replayer& replayer, std::ostream* csv) {
  replayer.drainClosedPeriods([&](const ClosedPeriod& p) {
    if (csv != nullptr) {
      *csv << IntervalStore::toCsv(p);
    }
  });
  // Staffed agent-time intervals feed contracts only; drained so that their ring never overflows
  // (which would count as dropped periods).
  replayer.drainClosedAgentIntervals([](const ClosedAgentInterval&) {});
}

/// Feeds one frame per line, or (`blocks`, the AMI framing) one frame per run of non-empty lines.
bool replayStream(std::istream& in, Replayer& replayer, std::ostream* csv, bool blocks) {
  std::string line;
  std::string block;
  std::size_t frames = 0;
  const auto feed = [&](const std::string& frame) {
    replayer.feed(frame);
    if (++frames % 256 == 0) {
      writeClosed(replayer, csv);
    }
  };
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    if (!blocks) {
      if (!line.empty()) {
        feed(line);
      }
    } else if (!line.empty()) {
      block += line;
      block += "\r\n";
    } else if (!block.empty()) {
      feed(block);
      block.clear();
    }
  }
  if (!block.empty()) {
    feed(block);
  }
  return !in.bad();
}

}  // namespace

int runReplay(Args args) {
  std::string configPath;
  std::string intervalsPath;
  std::vector<std::string> inputs;
  std::optional<SourceFormat> format;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    const auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) {
        std::cerr << "ccpulsectl replay: " << a << " needs a value\n";
        return std::nullopt;
      }
      return std::string(args[++i]);
    };
    if (a == "--help" || a == "-h") {
      std::cout << kReplayUsage;
      return 0;
    }
    if (a == "--config" || a == "--format" || a == "--intervals") {
      const auto v = value();
      if (!v) {
        return 2;
      }
      if (a == "--config") {
        configPath = *v;
      } else if (a == "--intervals") {
        intervalsPath = *v;
      } else if (!(format = parseSourceFormat(*v))) {
        std::cerr << "ccpulsectl replay: unknown --format '" << *v << "' (known: " << sourceFormatNames() << ")\n";
        return 2;
      }
    } else if (a.size() > 1 && a[0] == '-') {
      std::cerr << "ccpulsectl replay: unknown option '" << a << "'\n" << kReplayUsage;
      return 2;
    } else {
      inputs.emplace_back(a);
    }
  }
  if (configPath.empty() || inputs.empty()) {
    std::cerr << "ccpulsectl replay: --config and at least one input file are required\n" << kReplayUsage;
    return 2;
  }
  const ConfigLoadResult loaded = loadConfigFile(configPath);
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) {
      std::cerr << e.format() << "\n";
    }
    return 1;
  }
  Replayer replayer(*loaded.config, format);
  const SourceFormat effective =
      format.value_or(loaded.config->sources.empty() ? SourceFormat::kJson : loaded.config->sources.front().format);
  const bool blocks = effective == SourceFormat::kAsteriskAmi;
  std::ofstream csv;
  if (!intervalsPath.empty()) {
    csv.open(intervalsPath);
    if (!csv) {
      std::cerr << "ccpulsectl replay: cannot write " << intervalsPath << "\n";
      return 1;
    }
    csv << IntervalStore::csvHeader();
  }
  std::ostream* csvOut = csv.is_open() ? &csv : nullptr;
  for (const std::string& input : inputs) {
    bool ok = true;
    if (input == "-") {
      ok = replayStream(std::cin, replayer, csvOut, blocks);
    } else {
      std::ifstream in(input);
      if (!in) {
        std::cerr << "ccpulsectl replay: cannot read " << input << "\n";
        return 1;
      }
      ok = replayStream(in, replayer, csvOut, blocks);
    }
    if (!ok) {
      std::cerr << "ccpulsectl replay: read error in " << input << "\n";
      return 1;
    }
  }
  replayer.publish();
  writeClosed(replayer, csvOut);
  std::cout << replayer.renderMetrics();
  return 0;
}

}  // namespace ccpulse::ctl
