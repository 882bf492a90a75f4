#include "ccpulse/replay/replayer.hpp"

#include <algorithm>

namespace ccpulse {
namespace {

EngineSettings replaySettings(const EngineSettings& configured) {
  EngineSettings s = configured;
  s.clock = ClockMode::kEvent;
  return s;
}

// The first configured source's settings (adapter defaults such as tenant), with --format applied.
SourceSettings replaySource(const Config& config, std::optional<SourceFormat> format) {
  SourceSettings s = config.sources.empty() ? SourceSettings{} : config.sources.front();
  if (format) {
    s.format = *format;
  }
  return s;
}

}  // namespace

Replayer::Replayer(const Config& config, std::optional<SourceFormat> format)
    : engine_(std::make_unique<Engine>(replaySettings(config.engine),
                                       std::make_shared<const ServiceLevelSettings>(config.serviceLevel), 1, clock_,
                                       config.intervals, config.zones, config.contracts)),
      decoder_(makeFrameDecoder(replaySource(config, format))) {
  stats_.ready.store(true);
  StaffingSettings staffing = config.staffing;
  staffing.interval = Micros(0);  // replay renders once, from the final state
  exporter_ =
      std::make_unique<MetricsExporter>(*engine_, std::vector<SourceView>{{"replay", &stats_}}, process_, staffing);
  exporter_->setForecasts(std::make_shared<const ForecastsByTenant>(config.forecasts));
}

Replayer::~Replayer() = default;

void Replayer::feed(std::string_view frame) {
  stats_.frames.add(1);
  stats_.bytes.add(frame.size());
  decoder_->decode(frame, *this);
  stats_.decoderEvictions.set(decoder_->stateEvictions());
}

void Replayer::onEvent(const Event& event) {
  stats_.received.add(1);
  std::uint64_t missing = 0;
  if (!admitBySequence(event, sequences_, stats_, missing)) {
    return;
  }
  newestEventUs_ = std::max(newestEventUs_, event.tsUs);
  stats_.lastEventSeconds.set(static_cast<double>(event.tsUs) / 1e6);
  forEachRoute(event, engine_->shardCount(),
               [&](std::size_t shard, const Event& routed) { engine_->shard(shard).apply(routed); });
  stats_.submitted.add(1);
}

void Replayer::onReject(RejectReason reason, std::string_view /*detail*/) {
  stats_.rejected[static_cast<std::size_t>(reason)].add(1);
}

void Replayer::onIgnored(std::string_view /*what*/) { stats_.ignored.add(1); }

void Replayer::onStateEvicted(std::string_view /*what*/) { stats_.stateEvicted.add(1); }

void Replayer::publish() { publish(newestEventUs_); }

void Replayer::publish(std::int64_t nowUs) {
  clock_.setUs(nowUs);
  engine_->noteSubmitted(nowUs);
  for (std::size_t i = 0; i < engine_->shardCount(); ++i) {
    engine_->shard(i).publish(nowUs);
  }
}

std::string Replayer::renderMetrics() const { return exporter_->render(); }

}  // namespace ccpulse
