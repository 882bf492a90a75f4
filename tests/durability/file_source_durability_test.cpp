// A file source under Durability (the LineSource path, docs/durability.md): lines journaled before
// their events are applied, the read position and the Asterisk decoder's calls in flight in the
// checkpoint, the journal tail decoded again on restart, and a file rotated while the daemon was
// down finished from its saved offset. Driven by pollOnce() on the test thread; a "crash" is
// destroying everything without a final checkpoint.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "../support/test_support.hpp"
#include "ccpulse/config/loader.hpp"
#include "ccpulse/durability/durability.hpp"
#include "ccpulse/ingest/file_source.hpp"

namespace ccpulse {
namespace {

namespace fs = std::filesystem;

struct Totals {
  std::uint64_t offered = 0, answered = 0, abandoned = 0, unmatched = 0;
};

/// One process life: restore, attach, poll once per `appends` entry after appending it, then
/// either crash (no final checkpoint) or stop cleanly. `checkpointAfter`: a checkpoint after
/// that many polls (mid-life), so the next life needs both the checkpoint and the journal tail.
Totals life(const std::shared_ptr<const Config>& config, const std::string& stateDir, const std::string& log,
            const std::vector<std::string>& appends, std::size_t checkpointAfter, bool clean,
            std::uint64_t* frames = nullptr) {
  ManualClock clock;
  const auto serviceLevel = std::make_shared<ServiceLevelSettings>(config->serviceLevel);
  Engine engine(config->engine, serviceLevel, 1, clock);
  // The engine is not started: the test thread applies as the shards would.
  FileSource source(config->sources[0], 0, stateDir, [&](const Event& e) {
    forEachRoute(e, engine.shardCount(),
                 [&](std::size_t shard, const Event& routed) { engine.shard(shard).apply(routed); });
    return true;
  });
  DurabilitySettings settings;
  settings.directory = stateDir;
  Durability durability(settings, engine, {{"pbx", &source.mutableStats(), &source.sequences(), source.lineSource()}},
                        clock);
  durability.restore();
  EXPECT_TRUE(source.attachJournal(&durability.journal(0)));
  for (std::size_t i = 0; i < appends.size(); ++i) {
    std::ofstream(log, std::ios::app) << appends[i];
    source.pollOnce();
    if (i + 1 == checkpointAfter) {
      durability.finalCheckpoint();
    }
  }
  if (clean) {
    durability.finalCheckpoint();
  }
  Totals t;
  for (std::size_t s = 0; s < engine.shardCount(); ++s) {
    const auto& list = engine.shard(s).queueSeries();
    for (std::size_t i = 0; i < list.size(); ++i) {
      t.offered += list.at(i).offered.get();
      t.answered += list.at(i).answered.get();
      t.abandoned += list.at(i).abandoned.get();
      t.unmatched += list.at(i).answeredUnmatched.get();
    }
  }
  if (frames != nullptr) {
    *frames = source.stats().frames.get();
  }
  return t;
}

TEST(FileSourceDurability, CrashesAndARotationWhileDownLoseNothingAndCountNothingTwice) {
  const fs::path dir = fs::temp_directory_path() / ("ccpulse-file-durability-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "log");
  const std::string log = (dir / "log" / "queue_log").string();
  const std::string state = (dir / "state").string();
  const auto loaded = loadConfigString("sources:\n  - name: pbx\n    endpoint: file://" + log +
                                           "\n    format: asterisk_queue_log\nengine:\n  shards: 2\n  clock: event\n",
                                       "test.yaml");
  ASSERT_TRUE(loaded.ok());
  const auto& config = loaded.config;
  std::ofstream(log) << "";

  // Life 1: c1 and c2 enter (checkpoint), c1 is answered, then a crash: the CONNECT line is
  // only in the journal tail, c1 is "connected" only in that life's decoder.
  Totals t = life(config, state, log,
                  {"1795424400|NONE|NONE|NONE|QUEUESTART|\n"
                   "1795424410|c1|support|NONE|ENTERQUEUE||5550100|1\n"
                   "1795424412|c2|support|NONE|ENTERQUEUE||5550101|1\n",
                   "1795424420|c1|support|PJSIP/alice|CONNECT|10|b1|3\n1795424421|c3|sales|NONE|ENTER"},
                  /*checkpointAfter=*/1, /*clean=*/false);
  EXPECT_EQ(t.offered, 2U);  // c3's line is incomplete: not read yet
  EXPECT_EQ(t.answered, 1U);

  // While "down": c3's line is completed and c2 abandons in the old file, which is then rotated
  // away (renamed); the new file has c1's completion and c3's answer.
  std::ofstream(log, std::ios::app) << "QUEUE||5550102|1\n1795424430|c2|support|NONE|ABANDON|1|1|18\n";
  fs::rename(log, log + ".1");
  std::ofstream(log) << "";

  // Life 2: the checkpoint (c1, c2 waiting) plus the replayed CONNECT line must put c1 in the
  // decoder as connected; the rest of the old file (c3, c2's abandon) is read, then the new one.
  std::uint64_t frames = 0;
  t = life(config, state, log,
           {"1795424500|c1|support|PJSIP/alice|COMPLETECALLER|10|80|1\n"
            "1795424505|c3|sales|PJSIP/erin|CONNECT|84|b3|2\n"},
           /*checkpointAfter=*/0, /*clean=*/false, &frames);
  // offered: c1, c2, c3 once each; answered c1 (life 1, replayed) and c3; abandoned c2.
  EXPECT_EQ(t.offered, 3U);
  EXPECT_EQ(t.answered, 2U);
  EXPECT_EQ(t.abandoned, 1U);
  EXPECT_EQ(t.unmatched, 0U);
  // 3 + 1 lines in life 1, c3's ENTERQUEUE and c2's ABANDON from the old file, 2 from the new.
  EXPECT_EQ(frames, 8U);

  // Life 3 after the crash of life 2: everything comes back from checkpoint + journal; nothing
  // is read twice.
  t = life(config, state, log, {""}, 0, /*clean=*/true, &frames);
  EXPECT_EQ(t.offered, 3U);
  EXPECT_EQ(t.answered, 2U);
  EXPECT_EQ(t.abandoned, 1U);
  EXPECT_EQ(frames, 8U);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ccpulse
