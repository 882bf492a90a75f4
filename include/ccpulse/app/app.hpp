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
#include "ccpulse/common/rate_limited_log.hpp"
#include "ccpulse/config/config.hpp"
#include "ccpulse/contract/tracker.hpp"
#include "ccpulse/durability/durability.hpp"
#include "ccpulse/engine/engine.hpp"
#include "ccpulse/export/metrics_exporter.hpp"
#include "ccpulse/history/history_db.hpp"
#include "ccpulse/history/interval_store.hpp"
#include "ccpulse/http/auth.hpp"
#include "ccpulse/http/body_pool.hpp"
#include "ccpulse/http/http_server.hpp"
#include "ccpulse/ingest/source.hpp"
#include "ccpulse/ingest/source_status.hpp"
#include "ccpulse/ingest/zap_handler.hpp"
#include "ccpulse/ingest/zmq_source.hpp"
#include "ccpulse/wallboard/live_board.hpp"

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
  /// Every request: the access gate (credentials, scope, rate limit), then handle().
  HttpResponse admitAndHandle(HttpRequest& request);
  /// Routes a request that passed the gate; request.scope says what the caller may see.
  HttpResponse handle(const HttpRequest& request);
  void waitForSignals();
  void scheduleHousekeeping();
  /// Closed periods from the shards into the interval store, the history database and the
  /// contract tracker (control thread only).
  void drainClosed();
  /// The engine's "now": the newest event time under engine.clock=event, else the clock. What
  /// contracts and the in-memory interval history measure their periods against.
  [[nodiscard]] std::int64_t engineNowUs() const;
  /// Every queue series' open intervals (any thread may publish them; read on the control thread).
  [[nodiscard]] std::vector<IntervalRow> openIntervalRows() const;
  /// Deletes history intervals older than state.history_retention_days (control thread).
  void applyHistoryRetention(const std::vector<IntervalRow>& closed);
  HttpResponse scorecard(const HttpRequest& request);
  /// WATCHDOG=1 to systemd, only while every shard keeps publishing (a stalled pipeline is then
  /// restarted by the service manager).
  void scheduleWatchdog(std::chrono::microseconds interval);

  std::shared_ptr<const Config> config_;
  AppOptions options_;
  const Clock& clock_;
  ProcessStats process_;
  /// /metrics bodies for reuse (one spare: resident memory grows by one body, ~9.6 KB per label
  /// set); declared before io_ so it outlives any pending write handler.
  BodyPool metricsBodies_{1};
  boost::asio::io_context io_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer housekeeping_;
  boost::asio::steady_timer watchdog_;
  std::vector<std::uint64_t> lastPublishes_;  ///< per shard, at the previous watchdog tick
  zmq::context_t zmq_;
  std::unique_ptr<ZapHandler> zap_;  ///< only when a source uses CURVE; bound before the sources
  std::unique_ptr<Engine> engine_;
  std::vector<std::unique_ptr<Source>> sources_;
  std::unique_ptr<MetricsExporter> exporter_;
  std::unique_ptr<IntervalStore> intervals_;
  std::unique_ptr<SourceStatus> sourceStatus_;  ///< /api/v1/sources; sampled by housekeeping
  std::unique_ptr<AccessGate> gate_;
  std::unique_ptr<LiveBoard> board_;
  // Contracts and durable history (docs/contracts.md); control thread only.
  std::unique_ptr<HistoryDb> history_;  ///< null without state.directory
  std::unique_ptr<ContractTracker> contracts_;
  PubU64 historyWriteErrors_;
  PubU64 historyRowsWritten_;
  PubU64 historyRowsDeleted_;  ///< by state.history_retention_days
  RateLimitedLog historyErrorLog_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<Durability> durability_;  ///< null when state.directory is empty
  std::atomic<bool> restored_{false};       ///< state restored (or none configured): /readyz may say ready
};

/// Applies a level name ("info", ...) to the default logger; false if unknown.
bool applyLogLevel(const std::string& level);

}  // namespace ccpulse
