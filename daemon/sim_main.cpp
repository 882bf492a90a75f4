// ccpulse-sim entry point: parse arguments, run the simulator, report, map outcomes to exit codes.

#include <atomic>
#include <csignal>
#include <cstdio>
#include <exception>
#include <string_view>
#include <vector>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "ccpulse/common/clock.hpp"
#include "ccpulse/sim/simulator.hpp"

namespace {

// Lock-free atomic<bool> is async-signal-safe to store to.
std::atomic<bool> gStop{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void onSignal(int /*signal*/) { gStop.store(true, std::memory_order_relaxed); }

constexpr int kExitOk = 0;
constexpr int kExitRuntime = 1;
constexpr int kExitUsage = 2;

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  const ccpulse::sim::ParseResult parsed = ccpulse::sim::parseSimArgs(args, ccpulse::SystemClock{}.nowUs());
  if (parsed.help) {
    std::fputs(ccpulse::sim::simUsage().data(), stdout);
    return kExitOk;
  }
  if (!parsed.options) {
    std::fprintf(stderr, "ccpulse-sim: %s\nTry 'ccpulse-sim --help'.\n", parsed.error.c_str());
    return kExitUsage;
  }
  const ccpulse::sim::SimOptions& options = *parsed.options;

  // Logs go to stderr so that `--out -` keeps stdout pure NDJSON.
  auto logger = spdlog::stderr_color_mt("ccpulse-sim");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(options.logLevel));

  std::signal(SIGINT, onSignal);
  std::signal(SIGTERM, onSignal);

  try {
    const ccpulse::sim::RunStats stats = ccpulse::sim::runSim(options, gStop);
    std::fprintf(stderr, "%s\n", ccpulse::sim::formatSummary(stats).c_str());
  } catch (const std::exception& error) {
    spdlog::error("ccpulse-sim: {}", error.what());
    return kExitRuntime;
  }
  return kExitOk;
}
