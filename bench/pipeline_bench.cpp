// Micro-benchmarks of the pipeline stages, each on one thread with no sockets:
//   Decode/<format>/...      frame -> canonical events (one decoder per source format)
//   Apply/<event type>       Shard::apply of one event in steady state
//   WindowRead/...           rolling-window sum, and Shard::publish per label set
//   Exposition/<N>           MetricsExporter::render with N (queue, channel) label sets
//   ExpositionModel/<N>      the same through the MetricFamily model + TextSerializer (reference)
// Results and the commands: docs/performance.md.
#include <benchmark/benchmark.h>
#include <prometheus/text_serializer.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "bench_events.hpp"
#include "ccpulse/common/clock.hpp"
#include "ccpulse/config/config.hpp"
#include "ccpulse/decode/frame_decoder.hpp"
#include "ccpulse/engine/engine.hpp"
#include "ccpulse/engine/shard.hpp"
#include "ccpulse/engine/window.hpp"
#include "ccpulse/export/metrics_exporter.hpp"

namespace {

using namespace ccpulse;
using ccpulse::bench::makeWorkload;
using ccpulse::bench::Workload;
using ccpulse::bench::WorkloadSettings;

// ---------------------------------------------------------------------------------------------
// Decode, per source format. Adding a format = one entry in kFormats: its SourceFormat and a
// function turning the canonical workload into that format's frames (one event per frame).

class CountingSink final : public DecodeSink {
 public:
  void onEvent(const Event& event) override {
    ++events;
    benchmark::DoNotOptimize(event.tsUs);
  }
  void onReject(RejectReason /*reason*/, std::string_view /*detail*/) override { ++rejects; }
  std::uint64_t events = 0;
  std::uint64_t rejects = 0;
};

struct FormatCase {
  const char* name;
  SourceFormat format;
  /// Frames of this format carrying the workload's events (one event per frame).
  std::vector<std::string> (*frames)(const Workload& w);
  /// Whether a frame may hold an array of events (then a batched variant is measured too).
  bool batches;
};

std::vector<std::string> canonicalJsonFrames(const Workload& w) {
  std::vector<std::string> out;
  out.reserve(w.size());
  for (std::size_t i = 0; i < w.size(); ++i) {
    out.emplace_back(w.event(i));
  }
  return out;
}

const FormatCase kFormats[] = {
    {"json", SourceFormat::kJson, &canonicalJsonFrames, true},
};

const Workload& decodeWorkload() {
  static const Workload w = [] {
    WorkloadSettings s;
    s.events = 20'000;
    return makeWorkload(s);
  }();
  return w;
}

void decodeFrames(benchmark::State& state, const FormatCase& format, std::size_t batch) {
  const std::vector<std::string> single = format.frames(decodeWorkload());
  std::vector<std::string> frames;
  if (batch <= 1) {
    frames = single;
  } else {
    for (std::size_t i = 0; i < single.size(); i += batch) {
      std::string f = "[";
      for (std::size_t j = i; j < std::min(single.size(), i + batch); ++j) {
        f += (j == i ? "" : ",") + single[j];
      }
      frames.push_back(f + "]");
    }
  }
  SourceSettings settings;
  settings.format = format.format;
  auto decoder = makeFrameDecoder(settings);
  CountingSink sink;
  std::size_t bytes = 0;
  for (auto _ : state) {
    for (const auto& f : frames) {
      decoder->decode(f, sink);
      bytes += f.size();
    }
  }
  if (sink.rejects != 0) {
    state.SkipWithError("decoder rejected benchmark input");
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(sink.events));
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

const bool kDecodeRegistered = [] {
  for (const FormatCase& f : kFormats) {
    benchmark::RegisterBenchmark((std::string("Decode/") + f.name + "/single").c_str(),
                                 [&f](benchmark::State& s) { decodeFrames(s, f, 1); });
    if (f.batches) {
      benchmark::RegisterBenchmark((std::string("Decode/") + f.name + "/batch100").c_str(),
                                   [&f](benchmark::State& s) { decodeFrames(s, f, 100); });
    }
  }
  return true;
}();

// ---------------------------------------------------------------------------------------------
// Apply, per event type, through Shard::apply on this thread. Each round sets up 1,024 contacts
// (or agents) untimed, times the 1,024 events of the measured type, then cleans up untimed, so
// the shard stays in a steady state (same contacts in flight, label sets already created).

constexpr std::size_t kRound = 1024;
constexpr std::uint32_t kApplyQueues = 1000;

Event makeEvent(EventType type, std::uint64_t n, std::int64_t tsUs) {
  Event e;
  e.type = type;
  e.channel = Channel::kVoice;
  e.tsUs = tsUs;
  e.tenant.assign("t1");
  e.vendor.assign("v1");
  e.queue.assign("q" + std::to_string(n % kApplyQueues));
  e.contact.assign("c" + std::to_string(n));
  e.agent.assign("a" + std::to_string(n % 4096));
  e.id.assign("id-" + std::to_string(tsUs) + "-" + std::to_string(static_cast<int>(type)));
  return e;
}

struct ApplyCase {
  const char* name;
  EventType measured;
  std::vector<EventType> before;
  std::vector<EventType> after;
};

void applyType(benchmark::State& state, const ApplyCase& c) {
  const SystemClock clock;
  ShardSettings settings;
  settings.sourceCount = 1;
  settings.waitBounds = waitHistogramBounds(ServiceLevelSettings{});
  Shard shard(std::move(settings), std::make_shared<const ServiceLevelSettings>(), clock);
  std::int64_t ts = clock.nowUs();
  std::uint64_t round = 0;
  // Pre-built events for a few rounds, reused with fresh ids/times would cost; instead build per
  // round outside the timed region (the build is not what is measured).
  std::vector<Event> before;
  std::vector<Event> measured;
  std::vector<Event> after;
  const auto build = [&](std::vector<Event>& out, const std::vector<EventType>& types) {
    out.clear();
    for (const EventType t : types) {
      for (std::size_t i = 0; i < kRound; ++i) {
        Event e = makeEvent(t, round * kRound + i, ++ts);
        if (t == EventType::kContactTransferred) {
          e.toQueue.assign("q-target");
        }
        if (t == EventType::kAgentLogin) {
          e.queueCount = 2;
          e.queues[0].assign("q1");
          e.queues[1].assign("q2");
        }
        if (t == EventType::kAgentState) {
          e.agentState = AgentStateKind::kBusy;
        }
        if (t == EventType::kSurveyResult) {
          e.csat = 4;
        }
        if (isAgentEvent(t)) {
          e.agent.assign("a" + std::to_string(round * kRound + i));
        }
        out.push_back(e);
      }
    }
  };
  std::uint64_t applied = 0;
  for (auto _ : state) {
    state.PauseTiming();
    build(before, c.before);
    build(measured, {c.measured});
    build(after, c.after);
    for (const Event& e : before) {
      shard.apply(e);
    }
    state.ResumeTiming();
    for (const Event& e : measured) {
      shard.apply(e);
    }
    state.PauseTiming();
    for (const Event& e : after) {
      shard.apply(e);
    }
    ++round;
    applied += measured.size();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(applied));
}

const bool kApplyRegistered = [] {
  using T = EventType;
  static const ApplyCase kCases[] = {
      {"contact.queued", T::kContactQueued, {}, {T::kContactAbandoned}},
      {"contact.answered", T::kContactAnswered, {T::kContactQueued}, {T::kContactWrapped}},
      {"contact.abandoned", T::kContactAbandoned, {T::kContactQueued}, {}},
      {"contact.dequeued", T::kContactDequeued, {T::kContactQueued}, {}},
      {"contact.hold", T::kContactHold, {T::kContactQueued, T::kContactAnswered}, {T::kContactWrapped}},
      {"contact.unhold",
       T::kContactUnhold,
       {T::kContactQueued, T::kContactAnswered, T::kContactHold},
       {T::kContactWrapped}},
      {"contact.transferred",
       T::kContactTransferred,
       {T::kContactQueued, T::kContactAnswered},
       {T::kContactQueued, T::kContactAbandoned}},
      {"contact.ended", T::kContactEnded, {T::kContactQueued, T::kContactAnswered}, {T::kContactWrapped}},
      {"contact.wrapped", T::kContactWrapped, {T::kContactQueued, T::kContactAnswered, T::kContactEnded}, {}},
      {"contact.selfservice", T::kContactSelfService, {}, {}},
      {"agent.login", T::kAgentLogin, {}, {T::kAgentLogout}},
      {"agent.state", T::kAgentState, {T::kAgentLogin}, {T::kAgentLogout}},
      {"agent.logout", T::kAgentLogout, {T::kAgentLogin}, {}},
      {"survey.result", T::kSurveyResult, {}, {}},
  };
  for (const ApplyCase& c : kCases) {
    benchmark::RegisterBenchmark((std::string("Apply/") + c.name).c_str(),
                                 [&c](benchmark::State& s) { applyType(s, c); });
  }
  return true;
}();

// ---------------------------------------------------------------------------------------------
// Window read: summing a queue's rolling-window ring (60 one-minute buckets for the 1 h window),
// and a whole Shard::publish (every window of every label set recomputed) per label set.

void BM_WindowRingSum(benchmark::State& state) {
  constexpr std::int64_t kBucketUs = 60'000'000;
  WindowRing<OutcomeCounts> ring(kBucketUs, 60);
  const std::int64_t now = 1'795'428'000'000'000;
  for (int i = 0; i < 60; ++i) {
    OutcomeCounts* b = ring.at(now - i * kBucketUs);
    b->offered = 10;
    b->answered = 8;
  }
  for (auto _ : state) {
    OutcomeCounts sum15;
    OutcomeCounts sum60;
    ring.forEachRecent(now, 60, [&](const OutcomeCounts& b, std::int64_t age) {
      if (age < 15) {
        addCounts(sum15, b);
      }
      addCounts(sum60, b);
    });
    benchmark::DoNotOptimize(sum15);
    benchmark::DoNotOptimize(sum60);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WindowRingSum)->Name("WindowRead/ring_1h_of_1m_buckets");

/// One shard holding `labelSets` queue label sets (each with traffic in its window buckets).
struct LoadedShard {
  explicit LoadedShard(std::size_t labelSets) {
    ShardSettings settings;
    settings.sourceCount = 1;
    settings.waitBounds = waitHistogramBounds(ServiceLevelSettings{});
    shard = std::make_unique<Shard>(std::move(settings), std::make_shared<const ServiceLevelSettings>(), clock);
    now = clock.nowUs();
    for (std::size_t i = 0; i < labelSets * 4; ++i) {
      Event e = makeEvent(EventType::kContactQueued, i, now - static_cast<std::int64_t>(i) * 1000);
      e.queue.assign("q" + std::to_string(i % labelSets));
      shard->apply(e);
      e.type = EventType::kContactAbandoned;
      shard->apply(e);
    }
  }
  SystemClock clock;
  std::unique_ptr<Shard> shard;
  std::int64_t now = 0;
};

void BM_ShardPublish(benchmark::State& state) {
  LoadedShard loaded(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    loaded.shard->publish(loaded.now);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.counters["label_sets"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_ShardPublish)->Name("WindowRead/shard_publish")->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);

// ---------------------------------------------------------------------------------------------
// Exposition: MetricsExporter::render over an engine (2 shards, not started) holding N
// (queue, channel) label sets, each with answered and abandoned contacts so every family has
// samples. This is the CPU a scrape of /metrics costs, minus HTTP.

/// `model`: the MetricFamily path the daemon used before (collect() + prometheus-cpp's
/// TextSerializer), kept as the reference the direct text is tested against.
void exposition(benchmark::State& state, bool model) {
  const auto labelSets = static_cast<std::uint32_t>(state.range(0));
  const SystemClock clock;
  EngineSettings engineSettings;
  engineSettings.shards = 2;
  Engine engine(engineSettings, std::make_shared<const ServiceLevelSettings>(), 1, clock);
  WorkloadSettings ws;
  ws.queues = labelSets / 2;
  ws.channels = 2;
  ws.events = static_cast<std::uint64_t>(labelSets) * 4;
  ws.startUs = clock.nowUs() - static_cast<std::int64_t>(ws.events);
  const Workload w = makeWorkload(ws);
  SourceSettings source;
  auto decoder = makeFrameDecoder(source);
  struct ApplySink final : DecodeSink {
    explicit ApplySink(Engine& e) : engine(e) {}
    void onEvent(const Event& event) override {
      forEachRoute(event, engine.shardCount(),
                   [&](std::size_t shard, const Event& routed) { engine.shard(shard).apply(routed); });
    }
    void onReject(RejectReason /*reason*/, std::string_view /*detail*/) override { ++rejects; }
    Engine& engine;
    std::uint64_t rejects = 0;
  } sink(engine);
  for (std::size_t i = 0; i < w.size(); ++i) {
    decoder->decode(w.event(i), sink);
  }
  for (std::size_t i = 0; i < engine.shardCount(); ++i) {
    engine.shard(i).publish(clock.nowUs());
  }
  SourceStats stats;
  ProcessStats process;
  MetricsExporter exporter(engine, {{"bench", &stats}}, process);
  std::size_t bytes = 0;
  // The daemon renders into a body recycled from the previous scrape (BodyPool): so does this.
  std::string reused;
  for (auto _ : state) {
    if (model) {
      std::ostringstream os;
      prometheus::TextSerializer().Serialize(os, exporter.collect());
      bytes += os.str().size();
    } else {
      reused.clear();
      exporter.renderTo(reused, Scope::admin());
      bytes += reused.size();
    }
  }
  std::size_t series = 0;
  for (std::size_t i = 0; i < engine.shardCount(); ++i) {
    series += engine.shard(i).queueSeries().size();
  }
  if (series != labelSets || sink.rejects != 0) {
    state.SkipWithError("workload did not create the expected label sets");
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["label_sets"] = static_cast<double>(series);
  state.counters["bytes_per_scrape"] = static_cast<double>(bytes) / static_cast<double>(state.iterations());
}
void BM_Exposition(benchmark::State& state) { exposition(state, false); }
void BM_ExpositionModel(benchmark::State& state) { exposition(state, true); }
BENCHMARK(BM_Exposition)->Name("Exposition")->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ExpositionModel)->Name("ExpositionModel")->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace

// ---------------------------------------------------------------------------------------------
// Ingest hand-off: what ZmqSource does per decoded event after decoding (ingest metadata, route,
// ring push) plus the shard side (ring pop, apply), on one thread: decode -> Engine::submit ->
// Shard::drainOnce. The difference to Decode/json/single + Apply is the cost of moving the
// ~1.8 KB Event through the rings.

namespace {

void BM_DecodeSubmitApply(benchmark::State& state) {
  const SystemClock clock;
  EngineSettings engineSettings;
  engineSettings.shards = 2;
  Engine engine(engineSettings, std::make_shared<const ServiceLevelSettings>(), 1, clock);
  WorkloadSettings ws;
  ws.events = 200'000;
  ws.startUs = clock.nowUs() - static_cast<std::int64_t>(ws.events);
  const Workload w = makeWorkload(ws);
  struct SubmitSink final : DecodeSink {
    explicit SubmitSink(Engine& e) : engine(e) {}
    void onEvent(const Event& event) override {
      submitted += engine.submit(0, event, 1) ? 1 : 0;  // as ZmqSource::onEvent does
    }
    void onReject(RejectReason /*reason*/, std::string_view /*detail*/) override {}
    Engine& engine;
    std::uint64_t submitted = 0;
  } sink(engine);
  SourceSettings source;
  auto decoder = makeFrameDecoder(source);
  std::size_t next = 0;
  std::uint64_t applied = 0;
  for (auto _ : state) {
    for (int i = 0; i < 256; ++i) {
      decoder->decode(w.event(next), sink);
      next = (next + 1) % w.size();
    }
    for (std::size_t s = 0; s < engine.shardCount(); ++s) {
      applied += engine.shard(s).drainOnce(1024);
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(applied));
}
BENCHMARK(BM_DecodeSubmitApply)->Name("Ingest/decode_submit_apply");

}  // namespace
