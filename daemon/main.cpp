// ccpulsed: parse arguments, load and validate config, build the app, run, map failures to exit codes.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "ccpulse/app/app.hpp"
#include "ccpulse/config/loader.hpp"

namespace {

constexpr std::string_view kUsage = R"(Usage: ccpulsed [options]
Real-time contact-centre monitoring daemon: ZeroMQ events in, Prometheus metrics out.

Options:
  --config FILE       configuration file (default: config/ccpulse.yaml)
  --check-config      validate the configuration, print every error, exit 0 (valid) or 1
  --log-level LEVEL   trace, debug, info, warn, error or off (overrides logging.level)
  --version           print the version and exit
  --help              print this help and exit

Signals: SIGINT/SIGTERM stop gracefully; SIGHUP reloads the configuration file.
Exit codes: 0 ok, 1 invalid config, 2 usage error, 3 startup failure, 4 runtime failure.
)";

struct Args {
  std::string config = "config/ccpulse.yaml";
  bool checkConfig = false;
  std::optional<std::string> logLevel;
};

}  // namespace

int main(int argc, char** argv) {
  Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const auto value = [&](std::string_view name) -> std::optional<std::string> {
      if (i + 1 >= argc) {
        std::cerr << "ccpulsed: " << name << " needs a value\n" << kUsage;
        return std::nullopt;
      }
      return std::string(argv[++i]);
    };
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return ccpulse::kExitOk;
    }
    if (arg == "--version") {
      std::cout << "ccpulsed " << CCPULSE_VERSION << "\n";
      return ccpulse::kExitOk;
    }
    if (arg == "--check-config") {
      args.checkConfig = true;
    } else if (arg == "--config") {
      auto v = value(arg);
      if (!v) {
        return ccpulse::kExitUsage;
      }
      args.config = *v;
    } else if (arg == "--log-level") {
      auto v = value(arg);
      if (!v) {
        return ccpulse::kExitUsage;
      }
      args.logLevel = *v;
    } else if (!arg.empty() && arg[0] != '-' && args.checkConfig) {
      args.config = std::string(arg);  // `--check-config FILE`
    } else {
      std::cerr << "ccpulsed: unknown argument '" << arg << "'\n" << kUsage;
      return ccpulse::kExitUsage;
    }
  }
  if (args.logLevel && !ccpulse::applyLogLevel(*args.logLevel)) {
    std::cerr << "ccpulsed: unknown log level '" << *args.logLevel << "'\n";
    return ccpulse::kExitUsage;
  }

  const ccpulse::ConfigLoadResult loaded = ccpulse::loadConfigFile(args.config);
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) {
      std::cerr << e.format() << "\n";
    }
    std::cerr << "ccpulsed: " << args.config << ": " << loaded.errors.size() << " error(s)\n";
    return ccpulse::kExitConfigInvalid;
  }
  if (args.checkConfig) {
    std::cout << args.config << ": ok\n";
    return ccpulse::kExitOk;
  }

  try {
    ccpulse::SystemClock clock;
    ccpulse::App app(loaded.config, ccpulse::AppOptions{args.config, args.logLevel}, clock);
    app.run();
  } catch (const std::exception& e) {
    spdlog::critical("ccpulsed: cannot start: {}", e.what());
    return ccpulse::kExitStartupFailed;
  }
  return ccpulse::kExitOk;
}
