// Staffing solver cost: required agents for 10,000 queues of varied load, solved once.
// Goal (docs/performance.md): re-solving every queue once a second costs < 5 % of one core,
// i.e. one pass over 10,000 queues must take < 50 ms.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "ccpulse/staffing/erlang.hpp"

namespace {

namespace st = ccpulse::staffing;

constexpr int kQueues = 10'000;

// Deterministic mix of loads: traffic log-uniform in [0.2, 2,000] Erlangs, AHT 60-600 s,
// thresholds 20/30/60 s, targets 0.8/0.9, patience 30-600 s for the Erlang A variant.
std::vector<std::pair<st::Queue, st::Target>> makeQueues(bool withPatience) {
  std::mt19937_64 rng(2024);
  std::uniform_real_distribution<double> logLoad(std::log(0.2), std::log(2000.0));
  std::uniform_real_distribution<double> aht(60.0, 600.0);
  std::uniform_real_distribution<double> patience(30.0, 600.0);
  constexpr double kThresholds[] = {20.0, 30.0, 60.0};
  constexpr double kTargets[] = {0.8, 0.9};
  std::vector<std::pair<st::Queue, st::Target>> out;
  out.reserve(kQueues);
  for (int i = 0; i < kQueues; ++i) {
    st::Queue q;
    q.ahtSeconds = aht(rng);
    q.arrivalRate = std::exp(logLoad(rng)) / q.ahtSeconds;
    q.thresholdSeconds = kThresholds[i % 3];
    if (withPatience) {
      q.patienceSeconds = patience(rng);
    }
    st::Target t;
    t.serviceLevel = kTargets[i % 2];
    t.maxOccupancy = 0.9;
    t.shrinkage = 0.3;
    out.emplace_back(q, t);
  }
  return out;
}

void solveAll(benchmark::State& state, bool withPatience) {
  const auto queues = makeQueues(withPatience);
  std::int64_t agents = 0;
  for (auto _ : state) {
    for (const auto& [q, t] : queues) {
      const auto r = st::requiredAgents(q, t);
      agents += r.value.metrics.agents;
    }
    benchmark::DoNotOptimize(agents);
  }
  state.counters["queues"] = kQueues;
  // Seconds per pass = share of one core if the whole set is re-solved once a second.
  state.counters["core_share_at_1Hz"] =
      benchmark::Counter(1.0, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void BM_RequiredAgents10kQueuesErlangC(benchmark::State& state) { solveAll(state, false); }
void BM_RequiredAgents10kQueuesErlangA(benchmark::State& state) { solveAll(state, true); }

// The largest single queue the brief asks to stay stable: 5,000 Erlangs.
void BM_RequiredAgentsOneQueue5000Erlangs(benchmark::State& state) {
  st::Queue q;
  q.ahtSeconds = 180;
  q.arrivalRate = 5000.0 / 180.0;
  q.thresholdSeconds = 20;
  if (state.range(0) != 0) {
    q.patienceSeconds = 120;
  }
  for (auto _ : state) {
    auto r = st::requiredAgents(q, st::Target{});
    benchmark::DoNotOptimize(r);
  }
}

}  // namespace

BENCHMARK(BM_RequiredAgents10kQueuesErlangC)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RequiredAgents10kQueuesErlangA)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RequiredAgentsOneQueue5000Erlangs)->Arg(0)->Arg(1)->ArgName("erlang_a")->Unit(benchmark::kMicrosecond);
