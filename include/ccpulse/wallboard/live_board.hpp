#pragma once
/// The live wallboard's data (docs/wallboard.md): a per-queue snapshot read from the engine's
/// published atomics (waiting, oldest wait against its threshold, service level for each window
/// and the day, abandon rate, ASA, agents by state, staffing gap), served as JSON at
/// /api/v1/queues and pushed over Server-Sent Events at /api/v1/stream; every answer is filtered
/// by the caller's Scope before one byte of it is written. Also the page's static assets.
///
/// Streams are pushed on change, not on a fixed timer: while at least one stream is open, a timer
/// on the control thread polls the engine's change generation (every shard's applied and publish
/// counters, relaxed loads) every kPollInterval, and when it moved and the last snapshot is at
/// least half wallboard.stream_interval old, builds one snapshot and wakes every stream; with no
/// change a snapshot still goes out every wallboard.stream_interval (heartbeat). Each stream
/// holds at most one event in flight and coalesces the rest (http_server.hpp), so a slow client
/// costs one buffer, never a queue. The engine's hot path is untouched: the board only reads.
///
/// Thread-safety: owned by the control thread (the HTTP io_context), the only caller; it reads
/// the engine's series through their relaxed atomics (see published.hpp): a snapshot may see a
/// change a moment before its publish completes, and the publish bumps the generation again, so
/// the next snapshot carries it. The stream counters are PubU64/PubI64 so scrapes on any thread
/// may read them.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <prometheus/metric_family.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

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
  /// How often the engine's change generation is polled while a stream is open.
  static constexpr std::chrono::milliseconds kPollInterval{20};
  /// An event applied but not yet published (the shard publishes as its rings run dry, i.e.
  /// right after): wait this long for the publish, so one snapshot carries the event's waiting
  /// count and its windows together. A saturated shard publishes only every publish_interval;
  /// then its applied events are pushed after this wait.
  static constexpr std::chrono::milliseconds kPublishWait{100};

  /// `engine` and `exporter` must outlive the board; `io` is the control thread's io_context
  /// (the streams' timer runs on it) and must outlive it too.
  LiveBoard(const Engine& engine, const MetricsExporter& exporter, WallboardSettings settings,
            boost::asio::io_context& io);
  ~LiveBoard();
  LiveBoard(const LiveBoard&) = delete;
  LiveBoard& operator=(const LiveBoard&) = delete;

  /// {"generated_ms":..., "windows":[...], "queues":[...]} with only the queues `scope` permits.
  [[nodiscard]] std::string queuesJson(const Scope& scope);
  /// A feed of queuesJson snapshots for `scope`, or nullptr when max_stream_clients are connected
  /// (counted as rejected). The slot is freed when the server drops the feed.
  [[nodiscard]] std::shared_ptr<EventStream> openStream(const Scope& scope);

  [[nodiscard]] std::int64_t streamClients() const noexcept { return counters_->active.get(); }
  [[nodiscard]] std::uint64_t streamsRejected() const noexcept { return counters_->rejected.get(); }
  /// Snapshots pushed to the streams so far (one per change burst or heartbeat).
  [[nodiscard]] std::uint64_t snapshotsPushed() const noexcept { return counters_->snapshots.get(); }
  /// Snapshots some slow client never received because a newer one replaced it.
  [[nodiscard]] std::uint64_t snapshotsCoalesced() const noexcept { return counters_->coalesced.get(); }
  /// ccpulse_wallboard_stream_clients, ccpulse_wallboard_streams_total{result},
  /// ccpulse_wallboard_snapshots_total, ccpulse_wallboard_snapshots_coalesced_total.
  [[nodiscard]] std::vector<prometheus::MetricFamily> families() const;
  /// Sums of every shard's applied-event and publish counters: they move whenever a tile may
  /// have changed (waiting on apply; oldest wait, windows and the day on publish).
  struct Generation {
    std::uint64_t applied = 0;
    std::uint64_t publishes = 0;
    bool operator==(const Generation&) const = default;
  };
  [[nodiscard]] Generation engineGeneration() const noexcept;

  struct Counters {
    PubI64 active;
    PubU64 opened;
    PubU64 rejected;
    PubU64 snapshots;
    PubU64 coalesced;
  };

 private:
  class Stream;
  void rebuild(std::int64_t nowNs);
  /// Shortest gap between pushes: half the heartbeat (250 ms by default); changes within it
  /// are coalesced into one snapshot.
  [[nodiscard]] std::int64_t minIntervalNs() const noexcept;
  void scheduleTick();
  void tick();

  struct Row {
    std::string tenant;
    std::string vendor;
    std::string json;
  };
  /// Shared by every client; rebuilt by each push, and for other callers when the engine moved
  /// and the rows are at least minIntervalNs() old.
  const std::vector<Row>& rows();

  const Engine& engine_;
  const MetricsExporter& exporter_;
  WallboardSettings settings_;
  std::vector<std::string> windowLabels_;
  std::vector<Row> rows_;
  std::int64_t rowsBuiltNs_ = INT64_MIN;
  Generation rowsGeneration_;
  std::int64_t generatedMs_ = 0;
  std::shared_ptr<Counters> counters_ = std::make_shared<Counters>();
  boost::asio::steady_timer timer_;
  bool ticking_ = false;
  std::int64_t lastPushNs_ = 0;          ///< steady clock; 0 = long ago
  std::uint64_t snapshotSeq_ = 0;        ///< number of the newest pushed snapshot
  Generation pushedGeneration_;          ///< engineGeneration() when it was built
  std::int64_t unpublishedSinceNs_ = 0;  ///< first tick that saw events applied but not published
  std::vector<std::weak_ptr<Stream>> streams_;
};

}  // namespace ccpulse
