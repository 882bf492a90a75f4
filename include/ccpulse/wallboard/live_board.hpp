#pragma once
/// The live wallboard's data (docs/wallboard.md): a per-queue snapshot read from the engine's
/// published atomics (waiting, oldest wait against its threshold, service level for each window
/// and the day, abandon rate, ASA, agents by state, staffing gap), served as JSON at
/// /api/v1/queues and pushed over Server-Sent Events at /api/v1/stream; every answer is filtered
/// by the caller's Scope before one byte of it is written. Also the page's static assets.
///
/// Thread-safety: owned by the control thread (the HTTP io_context), the only caller; it reads
/// the engine's series through their relaxed atomics (see published.hpp). The stream counters
/// are PubU64/PubI64 so scrapes on any thread may read them.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <prometheus/metric_family.h>

#include "ccpulse/config/config.hpp"
#include "ccpulse/engine/engine.hpp"
#include "ccpulse/export/metrics_exporter.hpp"
#include "ccpulse/http/http_server.hpp"
#include "ccpulse/http/scope.hpp"

namespace ccpulse {

/// A file of the wallboard page, embedded in the binary at build time from daemon/http/assets/.
struct Asset {
  std::string_view path;  ///< URL path, e.g. "/" or "/assets/wallboard.js"
  std::string_view contentType;
  std::string_view body;
};
/// The asset served at `path`, or nullptr.
[[nodiscard]] const Asset* findAsset(std::string_view path) noexcept;

class LiveBoard final {
 public:
  /// `engine` and `exporter` must outlive the board.
  LiveBoard(const Engine& engine, const MetricsExporter& exporter, WallboardSettings settings);

  /// {"generated_ms":..., "windows":[...], "queues":[...]} with only the queues `scope` permits.
  [[nodiscard]] std::string queuesJson(const Scope& scope);
  /// A feed of queuesJson snapshots for `scope`, or nullptr when max_stream_clients are connected
  /// (counted as rejected). The slot is freed when the server drops the feed.
  [[nodiscard]] std::shared_ptr<EventStream> openStream(const Scope& scope);

  [[nodiscard]] std::int64_t streamClients() const noexcept { return counters_->active.get(); }
  [[nodiscard]] std::uint64_t streamsRejected() const noexcept { return counters_->rejected.get(); }
  /// ccpulse_wallboard_stream_clients, ccpulse_wallboard_streams_total{result}.
  [[nodiscard]] std::vector<prometheus::MetricFamily> families() const;

  struct Counters {
    PubI64 active;
    PubU64 opened;
    PubU64 rejected;
  };

 private:
  struct Row {
    std::string tenant;
    std::string vendor;
    std::string json;
  };
  /// Rebuilt from the engine at most every half stream interval; shared by every client.
  const std::vector<Row>& rows();

  const Engine& engine_;
  const MetricsExporter& exporter_;
  WallboardSettings settings_;
  std::vector<std::string> windowLabels_;
  std::vector<Row> rows_;
  std::int64_t rowsBuiltNs_ = INT64_MIN;
  std::int64_t generatedMs_ = 0;
  std::shared_ptr<Counters> counters_ = std::make_shared<Counters>();
};

}  // namespace ccpulse
