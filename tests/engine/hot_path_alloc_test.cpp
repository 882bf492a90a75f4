// The hot path allocates nothing per event in steady state (issue #10): frames go through the
// real decoder, the sequence rules, Engine::submit (routing, ring push) and Shard::drainOnce
// (ring pop, apply) on this thread, with a counting global operator new. After a warm-up that
// creates every label set and grows every buffer, a further 20,000 events must not allocate.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "../../bench/bench_events.hpp"
#include "ccpulse/common/clock.hpp"
#include "ccpulse/config/config.hpp"
#include "ccpulse/decode/frame_decoder.hpp"
#include "ccpulse/engine/engine.hpp"
#include "ccpulse/ingest/sequence_tracker.hpp"
#include "ccpulse/ingest/source_stats.hpp"

// A sanitizer runtime (ASan, TSan) owns the global operator new and would clash with the
// counting replacements below (duplicate symbols under TSan, new/free mismatches under ASan);
// there the test is skipped and the Release build does the counting.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define CCPULSE_SANITIZED_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define CCPULSE_SANITIZED_BUILD 1
#endif
#endif

namespace {

// Counts every allocation made through operator new on any thread (relaxed: only the total
// read after the work on the same thread matters, and the work here is single-threaded).
std::atomic<std::uint64_t> gAllocations{0};

#ifndef CCPULSE_SANITIZED_BUILD
void* countedAlloc(std::size_t size) {
  gAllocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) {
    return p;
  }
  throw std::bad_alloc();
}

void* countedAlignedAlloc(std::size_t size, std::align_val_t align) {
  gAllocations.fetch_add(1, std::memory_order_relaxed);
  const auto a = static_cast<std::size_t>(align);
  const std::size_t rounded = (size + a - 1) / a * a;
  if (void* p = std::aligned_alloc(a, rounded == 0 ? a : rounded)) {
    return p;
  }
  throw std::bad_alloc();
}

#endif

}  // namespace

#ifndef CCPULSE_SANITIZED_BUILD
// Replacements of the global allocation functions for this test binary. They only count and
// forward to malloc, so every other test in the binary behaves as before.
void* operator new(std::size_t size) { return countedAlloc(size); }
void* operator new[](std::size_t size) { return countedAlloc(size); }
void* operator new(std::size_t size, std::align_val_t align) { return countedAlignedAlloc(size, align); }
void* operator new[](std::size_t size, std::align_val_t align) { return countedAlignedAlloc(size, align); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
#endif

namespace ccpulse {
namespace {

/// What ZmqSource does per decoded event, minus the socket: sequence rules, then submit.
class IngestSink final : public DecodeSink {
 public:
  explicit IngestSink(Engine& engine) : engine_(engine) {}
  void onEvent(const Event& decoded) override {
    std::uint64_t missing = 0;
    if (!admitBySequence(decoded, sequences_, stats_, missing)) {
      return;
    }
    submitted += engine_.submit(0, decoded) ? 1 : 0;
  }
  void onReject(RejectReason /*reason*/, std::string_view /*detail*/) override { ++rejected; }

  std::uint64_t submitted = 0;
  std::uint64_t rejected = 0;

 private:
  Engine& engine_;
  SequenceTracker sequences_;
  SourceStats stats_;
};

std::uint64_t drainAll(Engine& engine) {
  std::uint64_t applied = 0;
  for (std::size_t s = 0; s < engine.shardCount(); ++s) {
    while (const std::size_t n = engine.shard(s).drainOnce(1024)) {
      applied += n;
    }
  }
  return applied;
}

TEST(HotPathAllocation, SteadyStateDecodeSubmitApplyAllocatesNothing) {
#ifdef CCPULSE_SANITIZED_BUILD
  GTEST_SKIP() << "a sanitizer runtime replaces operator new; the Release build counts allocations";
#endif
  // The counter works: a plain new is seen.
  const std::uint64_t probeBefore = gAllocations.load();
  auto* probe = new int(7);
  EXPECT_EQ(gAllocations.load(), probeBefore + 1);
  delete probe;

  EngineSettings settings;  // defaults: 2 shards, 8192-slot rings, 65,536 remembered ids
  ManualClock clock(1'795'428'000'000'000);
  Engine engine(settings, std::make_shared<const ServiceLevelSettings>(), 1, clock);
  SourceSettings source;
  auto decoder = makeFrameDecoder(source);
  IngestSink sink(engine);

  // One stream: the first 100,000 events warm up (all 200 label sets created, the dedup window
  // of 65,536 ids filled so it evicts from now on, decoder buffers at their largest), the last
  // 20,000 are measured. Batches of 64 frames are drained right away, so rings never fill.
  bench::WorkloadSettings ws;
  ws.events = 120'000;
  ws.queues = 200;
  ws.startUs = clock.nowUs();
  const bench::Workload w = bench::makeWorkload(ws);
  constexpr std::size_t kWarm = 100'000;
  std::uint64_t applied = 0;
  std::uint64_t allocationsBefore = 0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (i == kWarm) {
      applied += drainAll(engine);
      allocationsBefore = gAllocations.load();
    }
    decoder->decode(w.event(i), sink);
    if (i % 64 == 63) {
      applied += drainAll(engine);
    }
  }
  applied += drainAll(engine);
  const std::uint64_t allocations = gAllocations.load() - allocationsBefore;

  ASSERT_EQ(sink.rejected, 0U);
  ASSERT_EQ(sink.submitted, w.size());
  ASSERT_EQ(applied, w.size()) << "no agent fields: every event routes to exactly one shard";
  EXPECT_EQ(engine.droppedTotal(), 0U);
  EXPECT_EQ(allocations, 0U) << "heap allocations while decoding and applying the last " << w.size() - kWarm
                             << " events";
}

}  // namespace
}  // namespace ccpulse
