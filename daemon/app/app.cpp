#include "ccpulse/app/app.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include <algorithm>
#include <csignal>
#include <filesystem>

#include "ccpulse/app/sd_notify.hpp"
#include "ccpulse/config/loader.hpp"
#include "ccpulse/contract/contract.hpp"
#include "ccpulse/export/scoped_metrics.hpp"
#include "ccpulse/ingest/ami_source.hpp"
#include "ccpulse/ingest/file_source.hpp"

namespace ccpulse {
namespace {

std::shared_ptr<const ServiceLevelSettings> serviceLevelOf(const std::shared_ptr<const Config>& config) {
  // Aliasing constructor: the settings keep the whole immutable config alive.
  return {config, &config->serviceLevel};
}

std::shared_ptr<const ForecastsByTenant> forecastsOf(const std::shared_ptr<const Config>& config) {
  return {config, &config->forecasts};
}

}  // namespace

bool applyLogLevel(const std::string& level) {
  const auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") {
    return false;
  }
  spdlog::set_level(parsed);
  return true;
}

App::App(std::shared_ptr<const Config> config, AppOptions options, const Clock& clock)
    : config_(std::move(config)),
      options_(std::move(options)),
      clock_(clock),
      signals_(io_, SIGINT, SIGTERM, SIGHUP),
      housekeeping_(io_),
      watchdog_(io_) {
  applyLogLevel(options_.logLevelOverride.value_or(config_->logging.level));
  process_.startTimeSeconds.set(static_cast<double>(clock_.nowUs()) / 1e6);
  engine_ = std::make_unique<Engine>(config_->engine, serviceLevelOf(config_), config_->sources.size(), clock_,
                                     config_->intervals, config_->zones, config_->contracts);
  const bool anyCurve = std::any_of(config_->sources.begin(), config_->sources.end(),
                                    [](const SourceSettings& s) { return s.curve.has_value(); });
  if (anyCurve) {
    zap_ = std::make_unique<ZapHandler>(zmq_);  // before any CURVE socket exists: see zap_handler.hpp
  }
  std::vector<SourceView> views;
  std::vector<SourceStatus::Source> statusViews;
  for (std::size_t i = 0; i < config_->sources.size(); ++i) {
    const SourceSettings& s = config_->sources[i];
    try {
      if (isFileEndpoint(s.endpoint)) {
        sources_.push_back(
            std::make_unique<FileSource>(s, i, config_->state.directory,
                                         [engine = engine_.get(), i](const Event& e) { return engine->submit(i, e); }));
      } else if (s.format == SourceFormat::kAsteriskAmi) {
        sources_.push_back(std::make_unique<AmiSource>(
            s, i, [engine = engine_.get(), i](const Event& e) { return engine->submit(i, e); }));
      } else {
        sources_.push_back(std::make_unique<ZmqSource>(s, i, zmq_, *engine_));
      }
    } catch (const std::exception& e) {
      throw std::runtime_error("source '" + s.name + "' cannot " + (s.bind ? "bind " : "connect to ") + s.endpoint +
                               ": " + e.what());
    }
    views.push_back({s.name, &sources_.back()->stats()});
    statusViews.push_back(
        {&s, sources_.back()->boundEndpoint(), &sources_.back()->stats(), &sources_.back()->sequences(), nullptr});
    if (s.curve) {
      const PubU64& rejected = zap_->addDomain(s.name, s.curve->allowedClients);
      views.back().curveRejected = &rejected;
      statusViews.back().curveRejected = &rejected;
    }
  }
  sourceStatus_ = std::make_unique<SourceStatus>(std::move(statusViews), *engine_);
  exporter_ = std::make_unique<MetricsExporter>(*engine_, std::move(views), process_, config_->staffing);
  exporter_->setForecasts(forecastsOf(config_));
  if (!config_->state.directory.empty()) {
    DurabilitySettings durable{config_->state.directory, config_->state.checkpointInterval,
                               config_->state.journalSyncInterval, config_->state.journalSegmentBytes};
    std::vector<DurableSource> durableSources;
    for (auto& s : sources_) {
      durableSources.push_back({s->settings().name, &s->mutableStats(), &s->sequences(), s->lineSource()});
    }
    durability_ = std::make_unique<Durability>(std::move(durable), *engine_, std::move(durableSources), clock_);
    exporter_->setDurability(&durability_->stats());
  }
  intervals_ = std::make_unique<IntervalStore>(config_->intervals.history.count(), /*logEach=*/true);
  board_ = std::make_unique<LiveBoard>(*engine_, *exporter_, config_->wallboard, io_);
  // Access per route (docs/security.md). A route not listed here is admin-only: a new endpoint
  // adds one line saying it filters by request.scope.
  gate_ = std::make_unique<AccessGate>(config_->auth);
  gate_->route("/healthz", Access::kPublic);
  gate_->route("/readyz", Access::kPublic);
  gate_->route("/metrics", Access::kMetrics);
  gate_->route("/", Access::kScoped);
  gate_->route("/assets/", Access::kScoped);
  gate_->route("/api/v1/queues", Access::kScoped);
  gate_->route("/api/v1/stream", Access::kScoped);
  gate_->route("/api/v1/intervals", Access::kScoped);
  gate_->route("/api/v1/scorecard", Access::kScoped);
  if (!config_->auth && config_->http.listenHost != "127.0.0.1" && config_->http.listenHost != "::1" &&
      config_->http.listenHost != "localhost") {
    spdlog::warn("http: no auth section: every client that reaches {} sees every tenant's data (docs/security.md)",
                 config_->http.listenHost);
  }
  if (!config_->state.directory.empty()) {
    std::filesystem::create_directories(config_->state.directory);
    history_ = std::make_unique<HistoryDb>(config_->state.directory + "/history.sqlite");
  }
  // Periods close on the engine's interval watermark (drainClosed), not on "now".
  contracts_ = std::make_unique<ContractTracker>(config_->intervals.length.count(), history_.get());
  contracts_->setForecasts(forecastsOf(config_));
  contracts_->setContracts({config_, &config_->contracts}, engineNowUs());
  try {
    http_ = std::make_unique<HttpServer>(config_->http, io_, [this](HttpRequest& r) { return admitAndHandle(r); });
  } catch (const std::exception& e) {
    if (std::string_view(e.what()).starts_with("http.tls")) {
      throw;  // names the file that cannot be loaded
    }
    throw std::runtime_error("http.listen " + config_->http.listenHost + ":" +
                             std::to_string(config_->http.listenPort) + " cannot be bound: " + e.what());
  }
}

App::~App() {
  if (http_) {
    http_->stop();
  }
  if (durability_) {
    durability_->stop();
  }
  for (auto& s : sources_) {
    s->stop();
  }
  if (zap_) {
    zap_->stop();
  }
  if (engine_) {
    engine_->stop();
  }
}

bool App::ready() const noexcept {
  if (!restored_.load(std::memory_order_acquire)) {
    return false;
  }
  for (const auto& s : sources_) {
    if (!s->ready()) {
      return false;
    }
  }
  return true;
}

HttpResponse App::admitAndHandle(HttpRequest& request) {
  if (auto refused = gate_->admit(request, steadyNowNs())) {
    return std::move(*refused);
  }
  return handle(request);
}

HttpResponse App::handle(const HttpRequest& request) {
  if (request.method != "GET" && request.method != "HEAD") {
    return {405, "text/plain; charset=utf-8", "method not allowed\n"};
  }
  const std::string path = request.target.substr(0, request.target.find('?'));
  const Scope& scope = request.scope;
  if (path == "/metrics") {
    // The queue families are rendered straight into the body (issue #10: a scrape of 10,000
    // label sets), the rest through prometheus-cpp's model; same order and text as before.
    // The body buffer comes from the pool and goes back to it after the write (see BodyPool).
    std::string body = metricsBodies_.take();
    exporter_->renderTo(body, scope);
    std::vector<prometheus::MetricFamily> families;
    if (config_->wallboard.enabled) {
      for (auto& f : board_->families()) {
        families.push_back(std::move(f));
      }
    }
    families.push_back(gate_->failureFamily());
    body += renderScoped(std::move(families), scope);
    // The contract families come as text; a scoped caller keeps only its own series' lines.
    // Period-to-date includes the open intervals: drain the closed ones first so that a snapshot
    // and its closed interval are rarely both missing (the tracker skips one counted twice).
    drainClosed();
    contracts_->setOpenIntervals(openIntervalRows());
    body += filterScopedText(contracts_->renderMetrics(engineNowUs()), scope);
    if (history_ && scope.seesOperations()) {  // only with a state directory: replay has none
      body +=
          "# HELP ccpulse_history_write_errors_total Failed writes to the history database\n"
          "# TYPE ccpulse_history_write_errors_total counter\nccpulse_history_write_errors_total " +
          std::to_string(historyWriteErrors_.get()) +
          "\n# HELP ccpulse_history_rows_written_total Intervals (and staffed agent-time rows) written to the history "
          "database\n"
          "# TYPE ccpulse_history_rows_written_total counter\nccpulse_history_rows_written_total " +
          std::to_string(historyRowsWritten_.get()) +
          "\n# HELP ccpulse_history_rows_deleted_total Intervals deleted from the history database by "
          "state.history_retention_days\n"
          "# TYPE ccpulse_history_rows_deleted_total counter\nccpulse_history_rows_deleted_total " +
          std::to_string(historyRowsDeleted_.get()) + "\n";
    }
    HttpResponse response(200, "text/plain; version=0.0.4; charset=utf-8", std::move(body));
    response.recycleBody = [this](std::string&& used) { metricsBodies_.give(std::move(used)); };
    return response;
  }
  if (config_->wallboard.enabled) {
    if (const Asset* asset = findAsset(path)) {
      HttpResponse r(200, std::string(asset->contentType), std::string(asset->body));
      r.headers.emplace_back("Cache-Control", "no-cache");
      return r;
    }
    if (path == "/api/v1/queues") {
      return {200, "application/json", board_->queuesJson(scope)};
    }
    if (path == "/api/v1/stream") {
      auto stream = board_->openStream(scope);
      if (!stream) {
        return {503, "text/plain; charset=utf-8", "too many stream clients (wallboard.max_stream_clients)\n"};
      }
      HttpResponse r;
      r.stream = std::move(stream);
      return r;
    }
  }
  if (path == "/api/v1/intervals") {
    IntervalQuery query;
    const auto q = request.target.find('?');
    if (const auto error = parseIntervalQuery(q == std::string::npos ? "" : request.target.substr(q + 1), query)) {
      return {400, "application/json", "{\"error\":\"" + *error + "\"}\n"};
    }
    drainClosed();
    // Same shape as IntervalStore::queryJson, with only the periods the caller's scope permits.
    std::string body = "{\"kind\":\"" + std::string(toString(query.kind)) + "\",\"periods\":[";
    bool first = true;
    for (const ClosedPeriod& p : intervals_->query(query)) {
      if (scope.permits(p.series->tenant, p.series->vendor)) {
        body += (first ? "" : ",") + IntervalStore::toJson(p);
        first = false;
      }
    }
    return {200, "application/json", body + "]}\n"};
  }
  if (path == "/api/v1/sources") {
    return {200, "application/json", sourceStatus_->renderJson()};
  }
  if (path == "/api/v1/scorecard") {
    return scorecard(request);
  }
  if (path == "/healthz") {
    return {200, "text/plain; charset=utf-8", "ok\n"};
  }
  if (path == "/readyz") {
    if (!restored_.load(std::memory_order_acquire)) {
      return {503, "text/plain; charset=utf-8", "not ready: restoring state\n"};
    }
    std::string notReady;
    for (const auto& s : sources_) {
      if (!s->ready()) {
        notReady += " " + s->settings().name;
      }
    }
    if (notReady.empty()) {
      return {200, "text/plain; charset=utf-8", "ready\n"};
    }
    return {503, "text/plain; charset=utf-8", "not ready: sources not bound or connected:" + notReady + "\n"};
  }
  return {404, "text/plain; charset=utf-8", "not found; try /metrics, /healthz or /readyz\n"};
}

void App::scheduleHousekeeping() {
  // Closed intervals travel from the shards over SPSC rings; this thread is their one consumer.
  housekeeping_.expires_after(std::chrono::milliseconds(200));
  housekeeping_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) {
      return;
    }
    try {
      drainClosed();
      // The engine's now: under `engine.clock: event` the wall clock would prune every interval
      // of a replayed past day within 200 ms of its close (seen as an empty /api/v1/intervals).
      intervals_->prune(engineNowUs());
      sourceStatus_->sample(steadyNowNs() / 1000);  // rates use elapsed time, whatever the clock mode
    } catch (const std::exception& e) {
      spdlog::error("housekeeping failed: {}", e.what());
    }
    scheduleHousekeeping();
  });
}

void App::drainClosed() {
  // Read before the drain: every interval ending by it is then among the rows drained below (or
  // drained before), so a contract period ending by it is complete.
  const std::int64_t closedThroughUs = engine_->closedThroughUs();
  std::vector<IntervalRow> rows;
  drainClosedPeriods(*engine_, [&](const ClosedPeriod& p) {
    intervals_->add(p);
    if (p.kind == PeriodKind::kInterval) {
      rows.push_back(toIntervalRow(p));
    }
  });
  std::vector<AgentIntervalRow> agentRows;
  drainClosedAgentIntervals(*engine_,
                            [&](const ClosedAgentInterval& p) { agentRows.push_back(toAgentIntervalRow(p)); });
  if (history_ && !agentRows.empty()) {
    try {
      history_->writeAgentIntervals(agentRows);
      historyRowsWritten_.add(agentRows.size());
    } catch (const std::exception& e) {
      historyWriteErrors_.add(1);
      std::uint64_t suppressed = 0;
      if (historyErrorLog_.shouldLog(suppressed)) {
        spdlog::error(
            "history database write failed ({} staffed intervals lost from history; {} similar suppressed): {}",
            agentRows.size(), suppressed, e.what());
      }
    }
  }
  if (history_ && !rows.empty()) {
    try {
      history_->writeIntervals(rows);  // one transaction per drain
      historyRowsWritten_.add(rows.size());
      applyHistoryRetention(rows);
    } catch (const std::exception& e) {
      historyWriteErrors_.add(1);
      std::uint64_t suppressed = 0;
      if (historyErrorLog_.shouldLog(suppressed)) {
        spdlog::error("history database write failed ({} intervals lost from history; {} similar suppressed): {}",
                      rows.size(), suppressed, e.what());
      }
    }
  }
  try {
    for (const IntervalRow& row : rows) {
      contracts_->addInterval(row);
    }
    for (const AgentIntervalRow& row : agentRows) {
      contracts_->addAgentInterval(row);
    }
    contracts_->tick(closedThroughUs);
  } catch (const std::exception& e) {
    historyWriteErrors_.add(1);
    std::uint64_t suppressed = 0;
    if (historyErrorLog_.shouldLog(suppressed)) {
      spdlog::error("contract period write failed ({} similar suppressed): {}", suppressed, e.what());
    }
  }
}

void App::applyHistoryRetention(const std::vector<IntervalRow>& closed) {
  const std::uint32_t days = config_->state.historyRetentionDays;
  if (days == 0) {
    return;
  }
  // By the newest closed interval's time rather than the wall clock, so that an event-clock
  // replay of old data keeps what it just wrote. Only the tenants that closed an interval now
  // are scanned: every active tenant closes one each interval.
  std::int64_t newestEndUs = INT64_MIN;
  std::vector<std::string> tenants;
  for (const IntervalRow& row : closed) {
    newestEndUs = std::max(newestEndUs, row.endUs);
    if (std::find(tenants.begin(), tenants.end(), row.tenant) == tenants.end()) {
      tenants.push_back(row.tenant);
    }
  }
  const std::int64_t cutoffUs = newestEndUs - static_cast<std::int64_t>(days) * 86'400'000'000;
  std::int64_t deleted = 0;
  try {
    deleted = history_->deleteIntervalsBefore(tenants, cutoffUs);
  } catch (const std::exception& e) {
    historyWriteErrors_.add(1);
    std::uint64_t suppressed = 0;
    if (historyErrorLog_.shouldLog(suppressed)) {
      spdlog::error("history retention delete failed ({} similar suppressed): {}", suppressed, e.what());
    }
    return;
  }
  if (deleted > 0) {
    historyRowsDeleted_.add(static_cast<std::uint64_t>(deleted));
    spdlog::info("history: deleted {} intervals older than {} days (state.history_retention_days)", deleted, days);
  }
}

std::vector<IntervalRow> App::openIntervalRows() const {
  std::vector<IntervalRow> rows;
  for (std::size_t i = 0; i < engine_->shardCount(); ++i) {
    const auto& list = engine_->shard(i).queueSeries();
    const std::size_t n = list.size();
    for (std::size_t j = 0; j < n; ++j) {
      appendOpenIntervals(list.at(j), rows);
    }
  }
  return rows;
}

std::int64_t App::engineNowUs() const {
  return config_->engine.clock == ClockMode::kEvent ? engine_->newestEventUs() : clock_.nowUs();
}

HttpResponse App::scorecard(const HttpRequest& request) {
  const auto q = request.target.find('?');
  const std::string query = q == std::string::npos ? "" : request.target.substr(q + 1);
  std::string tenant;
  std::string vendor;
  std::string from;
  std::string to;
  std::string format = "json";
  std::size_t pos = 0;
  while (pos <= query.size() && !query.empty()) {
    const std::size_t amp = std::min(query.find('&', pos), query.size());
    const std::string pair = query.substr(pos, amp - pos);
    const std::size_t eq = pair.find('=');
    const std::string key = pair.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : pair.substr(eq + 1);
    if (key == "tenant") {
      tenant = value;
    } else if (key == "vendor") {
      vendor = value;
    } else if (key == "from") {
      from = value;
    } else if (key == "to") {
      to = value;
    } else if (key == "format") {
      format = value;
    } else if (!key.empty()) {
      return {400, "application/json", "{\"error\":\"unknown parameter " + key + "\"}\n"};
    }
    pos = amp + 1;
  }
  const auto fromDay = parseDate(from);
  const auto toDay = parseDate(to);
  if (tenant.empty() || !fromDay || !toDay || *toDay < *fromDay) {
    return {400, "application/json", "{\"error\":\"tenant, from and to (YYYY-MM-DD, from <= to) are required\"}\n"};
  }
  // A client sees its own card across vendors; a vendor must name itself (a card over all of a
  // client's vendors would show the others').
  if (!request.scope.permits(tenant, vendor)) {
    return {403, "application/json", "{\"error\":\"this credential may not see that tenant or vendor\"}\n"};
  }
  if (format != "json" && format != "csv" && format != "html") {
    return {400, "application/json", "{\"error\":\"format must be json, csv or html\"}\n"};
  }
  drainClosed();
  std::vector<IntervalRow> rows;
  std::vector<AgentIntervalRow> agentRows;
  // A day either side covers every zone; a week or month starting in the range may reach 32 days past it.
  constexpr std::int64_t kDayUs = 86'400'000'000;
  const std::int64_t fromUs = (*fromDay - 1) * kDayUs;
  const std::int64_t toUs = (*toDay + 33) * kDayUs;
  if (history_) {
    rows = history_->intervals(tenant, fromUs, toUs);
    agentRows = history_->agentIntervals(tenant, fromUs, toUs);
  } else {
    IntervalQuery iq;
    iq.tenant = tenant;
    iq.fromUs = fromUs;
    iq.toUs = toUs;
    for (const ClosedPeriod& p : intervals_->query(iq)) {
      rows.push_back(toIntervalRow(p));
    }
  }
  const Scorecard card = buildScorecard(config_->contracts, rows, tenant, vendor, *fromDay, *toDay,
                                        config_->intervals.length.count(), agentRows, &config_->forecasts);
  if (format == "csv") {
    return {200, "text/csv; charset=utf-8", scorecardCsv(card)};
  }
  if (format == "html") {
    return {200, "text/html; charset=utf-8", scorecardHtml(card)};
  }
  return {200, "application/json", scorecardJson(card)};
}

void App::scheduleWatchdog(std::chrono::microseconds interval) {
  watchdog_.expires_after(interval / 2);
  watchdog_.async_wait([this, interval](const boost::system::error_code& ec) {
    if (ec) {
      return;
    }
    bool progressing = true;
    for (std::size_t i = 0; i < engine_->shardCount(); ++i) {
      const std::uint64_t publishes = engine_->shard(i).stats().publishes.get();
      progressing = progressing && publishes != lastPublishes_[i];
      lastPublishes_[i] = publishes;
    }
    if (progressing) {
      sd::notifyWatchdog();
    } else {
      spdlog::warn("a shard worker has not published since the last watchdog tick; withholding WATCHDOG=1");
    }
    scheduleWatchdog(interval);
  });
}

void App::waitForSignals() {
  signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) {
      return;
    }
    if (signal == SIGHUP) {
      try {
        reload();
      } catch (const std::exception& e) {
        process_.reloadsFailed.add(1);
        spdlog::error("reload failed unexpectedly: {}; the running config stays", e.what());
      }
      waitForSignals();
      return;
    }
    spdlog::info("received signal {}; stopping", signal);
    requestStop();
  });
}

bool App::reload() {
  spdlog::info("reloading config from {}", options_.configPath);
  sd::notifyReloading();
  const std::uint64_t number = process_.reloadsOk.get() + process_.reloadsFailed.get() + 1;
  // systemctl reload (ExecReload) waits for this status line: "applied" or "rejected: why".
  const auto rejected = [&](const std::string& why) {
    process_.reloadsFailed.add(1);
    sd::notifyReady("config reload " + std::to_string(number) + " rejected: " + why);
    return false;
  };
  ConfigLoadResult loaded = loadConfigFile(options_.configPath);
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) {
      spdlog::error("reload rejected: {}", e.format());
    }
    spdlog::error("reload rejected with {} error(s); the running config stays", loaded.errors.size());
    return rejected(loaded.errors.front().format());
  }
  const auto restartKeys = restartRequiredChanges(*config_, *loaded.config);
  if (!restartKeys.empty()) {
    std::string keys;
    for (const auto& k : restartKeys) {
      keys += (keys.empty() ? "" : ", ") + k;
    }
    spdlog::error("reload rejected: changed keys need a restart: {}; the running config stays", keys);
    return rejected("changed keys need a restart: " + keys);
  }
  config_ = loaded.config;
  gate_->update(config_->auth);
  engine_->postServiceLevel(serviceLevelOf(config_));
  exporter_->setForecasts(forecastsOf(config_));
  contracts_->setForecasts(forecastsOf(config_));
  contracts_->setContracts({config_, &config_->contracts}, engineNowUs());
  applyLogLevel(options_.logLevelOverride.value_or(config_->logging.level));
  process_.reloadsOk.add(1);
  spdlog::info("config reloaded");
  sd::notifyReady("config reload " + std::to_string(number) + " applied");
  return true;
}

void App::requestStop() {
  boost::asio::post(io_, [this] {
    boost::system::error_code ignored;
    signals_.cancel(ignored);
    housekeeping_.cancel();
    watchdog_.cancel();
    http_->stop();
    io_.stop();
  });
}

void App::run() {
  if (durability_) {
    // Before any worker or ingest thread runs: this thread owns every shard and source now.
    durability_->restore();
    for (std::size_t i = 0; i < sources_.size(); ++i) {
      if (!sources_[i]->attachJournal(&durability_->journal(i))) {
        durability_->journal(i).setNotDriven();
      }
    }
  }
  restored_.store(true, std::memory_order_release);
  engine_->start();
  if (zap_) {
    zap_->start();
  }
  for (auto& s : sources_) {
    s->start();
  }
  if (durability_) {
    durability_->start();
  }
  http_->start();
  waitForSignals();
  scheduleHousekeeping();
  if (const auto interval = sd::watchdogInterval()) {
    lastPublishes_.assign(engine_->shardCount(), UINT64_MAX);
    scheduleWatchdog(*interval);
  }
  spdlog::info("ccpulsed {} serving http://{}:{}/metrics with {} source(s), {} shard(s)", CCPULSE_VERSION,
               config_->http.listenHost, http_->port(), sources_.size(), engine_->shardCount());
  sd::notifyReady("serving http://" + config_->http.listenHost + ":" + std::to_string(http_->port()) + "/metrics");
  io_.run();
  sd::notifyStopping();
  // Orderly shutdown: stop receiving, let the shards drain what they already hold.
  if (durability_) {
    durability_->stop();
  }
  for (auto& s : sources_) {
    s->stop();
  }
  engine_->stop();
  if (durability_) {
    durability_->finalCheckpoint();
  }
  drainClosed();
  spdlog::info("stopped");
}

}  // namespace ccpulse
