// Startup restore time with a large journal (docs/durability.md, docs/performance.md): 1,000,000
// simulated events are journaled once (as ccpulsed's ingest thread would), then each iteration
// restores from the journal alone (no checkpoint: the worst case) into a fresh engine.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "ccpulse/config/loader.hpp"
#include "ccpulse/decode/frame_decoder.hpp"
#include "ccpulse/durability/durability.hpp"
#include "ccpulse/sim/simulator.hpp"

namespace ccpulse {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kEvents = 1'000'000;

std::shared_ptr<const Config> benchConfig() {
  const auto loaded = loadConfigString(
      "sources:\n  - name: acd\n    endpoint: tcp://127.0.0.1:5555\nengine:\n  shards: 2\n  clock: event\n",
      "bench.yaml");
  return loaded.config;
}

class Collect final : public DecodeSink {
 public:
  explicit Collect(SourceJournal& journal, SequenceTracker& seq, SourceStats& stats)
      : journal_(journal), seq_(seq), stats_(stats) {}
  void onEvent(const Event& event) override {
    std::uint64_t missing = 0;
    if (admitBySequence(event, seq_, stats_, missing)) {
      journal_.logEvent(event);
    }
  }
  void onReject(RejectReason, std::string_view) override {}

 private:
  SourceJournal& journal_;
  SequenceTracker& seq_;
  SourceStats& stats_;
};

/// Journals kEvents once per process into a temp directory; returns it.
const std::string& journaledState() {
  static const std::string dir = [] {
    const std::string d = (fs::temp_directory_path() / "ccpulse-restore-bench").string();
    fs::remove_all(d);
    const auto config = benchConfig();
    ManualClock clock;
    Engine engine(config->engine, std::make_shared<ServiceLevelSettings>(config->serviceLevel), 1, clock);
    SequenceTracker seq;
    SourceStats stats;
    JournalWriter::Settings js;
    js.directory = d + "/journal/acd";
    SourceJournal journal("acd", 0, js, 1, 0, 0, stats, seq, engine);
    Collect sink(journal, seq, stats);
    const auto decoder = makeFrameDecoder(config->sources[0]);
    sim::SimSettings s;
    s.seed = 3;
    s.rate = 200;
    s.curve = sim::Curve::kFlat;
    s.startUs = 1'795'000'000'000'000;
    s.maxEvents = kEvents;
    s.agentsPerQueue = 20;
    sim::Simulator simulator(s);
    sim::SimEvent e;
    std::string line;
    while (simulator.next(e)) {
      line.clear();
      sim::renderJson(e, line);
      decoder->decode(line, sink);
      journal.commit();
    }
    return d;
  }();
  return dir;
}

void BM_RestoreFromJournal(benchmark::State& state) {
  const std::string& dir = journaledState();
  const auto config = benchConfig();
  ManualClock clock;
  std::uintmax_t journalBytes = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir + "/journal")) {
    if (entry.is_regular_file()) {
      journalBytes += entry.file_size();
    }
  }
  std::uint64_t replayed = 0;
  for (auto _ : state) {
    state.PauseTiming();
    fs::remove_all(dir + "/checkpoints");  // journal only: every event is replayed
    Engine engine(config->engine, std::make_shared<ServiceLevelSettings>(config->serviceLevel), 1, clock);
    SequenceTracker seq;
    SourceStats stats;
    state.ResumeTiming();
    DurabilitySettings settings;
    settings.directory = dir;
    Durability durability(settings, engine, {{"acd", &stats, &seq}}, clock);
    durability.restore();
    replayed = durability.stats().replayedEvents.get();
  }
  state.counters["events"] = static_cast<double>(replayed);
  state.counters["journal_MB"] = static_cast<double>(journalBytes) / 1e6;
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(replayed), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_RestoreFromJournal)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

}  // namespace
}  // namespace ccpulse
