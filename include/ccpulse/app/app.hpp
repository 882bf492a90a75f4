#pragma once
/// The wiring layer: the only place that knows every component. Builds the engine, the sources,
/// the exporter and the HTTP server from a validated Config, runs the control thread (Asio:
/// signals, HTTP, reload) and tears everything down in order. Not thread-safe: construct and run
/// on the main thread; requestStop() may be called from any thread.

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <zmq.hpp>

#include "ccpulse/common/clock.hpp"
#include "ccpulse/config/config.hpp"
#include "ccpulse/engine/engine.hpp"
#include "ccpulse/export/metrics_exporter.hpp"
#include "ccpulse/history/interval_store.hpp"
#include "ccpulse/http/http_server.hpp"
#include "ccpulse/ingest/source.hpp"
#include "ccpulse/ingest/zmq_source.hpp"

namespace ccpulse {

struct AppOptions {
  std::string configPath;
  /// --log-level: wins over logging.level, also across reloads.
  std::optional<std::string> logLevelOverride;
};

/// Exit codes of ccpulsed, shared by main and the tests.
enum ExitCode : int {
  kExitOk = 0,
  kExitConfigInvalid = 1,
  kExitUsage = 2,
  kExitStartupFailed = 3,
  kExitRuntimeFailed = 4,
};

class App final {
 public:
  /// Builds every component; throws std::exception when something cannot start (e.g. a port or
  /// endpoint that cannot be bound), with a message naming it.
  App(std::shared_ptr<const Config> config, AppOptions options, const Clock& clock);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  /// Runs until SIGINT/SIGTERM or requestStop(); SIGHUP reloads the config file.
  void run();
  void requestStop();
  /// Reloads from options.configPath now; returns true when the new config was applied.
  bool reload();

  [[nodiscard]] std::uint16_t httpPort() const noexcept { return http_->port(); }
  [[nodiscard]] bool ready() const noexcept;

 private:
  HttpResponse handle(const HttpRequest& request);
  void waitForSignals();
  void scheduleHousekeeping();
  /// WATCHDOG=1 to systemd, only while every shard keeps publishing (a stalled pipeline is then
  /// restarted by the service manager).
  void scheduleWatchdog(std::chrono::microseconds interval);

  std::shared_ptr<const Config> config_;
  AppOptions options_;
  const Clock& clock_;
  ProcessStats process_;
  boost::asio::io_context io_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer housekeeping_;
  boost::asio::steady_timer watchdog_;
  std::vector<std::uint64_t> lastPublishes_;  ///< per shard, at the previous watchdog tick
  zmq::context_t zmq_;
  std::unique_ptr<Engine> engine_;
  std::vector<std::unique_ptr<Source>> sources_;
  std::unique_ptr<MetricsExporter> exporter_;
  std::unique_ptr<IntervalStore> intervals_;
  std::unique_ptr<HttpServer> http_;
};

/// Applies a level name ("info", ...) to the default logger; false if unknown.
bool applyLogLevel(const std::string& level);

}  // namespace ccpulse
