// Checkpoints: file format with fallback, shard state round trip (golden: the numbers after N
// events, a save/restore and M more events equal those of N+M events without a restart), and the
// source journal replay that rebuilds sequence tracking exactly.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../support/test_support.hpp"
#include "ccpulse/config/loader.hpp"
#include "ccpulse/durability/durability.hpp"
#include "ccpulse/replay/replayer.hpp"
#include "ccpulse/sim/simulator.hpp"

namespace ccpulse {
namespace {

namespace fs = std::filesystem;

std::string freshDir(const std::string& name) {
  const std::string file = test::writeTempFile(name, "");
  const std::string dir = fs::path(file).parent_path().string() + "/" + name + ".d";
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::shared_ptr<const Config> testConfig() {
  const auto loaded = loadConfigString(
      "sources:\n  - name: acd\n    endpoint: tcp://127.0.0.1:5555\nengine:\n  shards: 3\n  clock: event\n"
      "  dedup_window: 50000\n",
      "test.yaml");
  EXPECT_TRUE(loaded.ok());
  return loaded.config;
}

std::vector<std::string> simulatedFrames(std::size_t count) {
  sim::SimSettings s;
  s.seed = 11;
  s.rate = 50;
  s.curve = sim::Curve::kFlat;
  s.startUs = 1'795'000'000'000'000;
  s.maxEvents = count;
  sim::Simulator simulator(s);
  std::vector<std::string> frames;
  sim::SimEvent e;
  while (simulator.next(e)) {
    std::string line;
    sim::renderJson(e, line);
    frames.push_back(std::move(line));
  }
  return frames;
}

/// Every sample not about one source's ingest counters (which a Replayer counts for itself).
std::map<std::string, double> samplesOf(const std::string& text) {
  std::map<std::string, double> out;
  for (const auto& s : test::parsePrometheusText(text)) {
    if (s.labels.count("source") != 0) {
      continue;
    }
    std::string key = s.name + "{";
    for (const auto& [k, v] : s.labels) {
      key += k + "=" + v + ",";
    }
    out[key + "}"] = s.value;
  }
  return out;
}

TEST(ShardState, RestoredShardsContinueExactlyLikeUninterruptedOnes) {
  const auto config = testConfig();
  const auto frames = simulatedFrames(20000);
  ASSERT_EQ(frames.size(), 20000U);
  // Reference: every event, no restart.
  Replayer reference(*config);
  for (const auto& f : frames) {
    reference.feed(f);
  }
  reference.publish();
  // Interrupted: 12,000 events, save every shard, restore into a new engine, then the rest.
  Replayer before(*config);
  for (std::size_t i = 0; i < 12000; ++i) {
    before.feed(frames[i]);
  }
  std::vector<std::string> blobs;
  for (std::size_t s = 0; s < before.mutableEngine().shardCount(); ++s) {
    std::string blob;
    before.mutableEngine().shard(s).saveState(blob);
    blobs.push_back(std::move(blob));
  }
  Replayer after(*config);
  std::uint64_t contactsInFlight = 0;
  for (std::size_t s = 0; s < blobs.size(); ++s) {
    ASSERT_TRUE(after.mutableEngine().shard(s).restoreState(blobs[s]));
    contactsInFlight += static_cast<std::uint64_t>(after.engine().shard(s).stats().contactsInFlight.get());
  }
  EXPECT_GT(contactsInFlight, 0U);  // the cut really falls in the middle of contacts
  for (std::size_t i = 12000; i < frames.size(); ++i) {
    after.feed(frames[i]);
  }
  after.publish(reference.newestEventUs());
  const auto expected = samplesOf(reference.renderMetrics());
  const auto actual = samplesOf(after.renderMetrics());
  EXPECT_GT(expected.size(), 300U);
  std::size_t differences = 0;
  for (const auto& [key, value] : expected) {
    const auto it = actual.find(key);
    const bool same =
        it != actual.end() && (it->second == value || std::abs(it->second - value) <= 1e-9 * std::abs(value));
    if (!same && ++differences <= 10) {
      ADD_FAILURE() << key << ": uninterrupted " << value << ", restored " << (it == actual.end() ? NAN : it->second);
    }
  }
  EXPECT_EQ(differences, 0U);
  EXPECT_EQ(actual.size(), expected.size());

  // The dedup memory survived: an event from before the cut, fed again, is a duplicate.
  std::uint64_t duplicatesBefore = 0;
  for (std::size_t s = 0; s < after.engine().shardCount(); ++s) {
    duplicatesBefore += after.engine().shard(s).stats().duplicates[0].get();
  }
  // Same id, a new sequence number (so the sequence rules let it through to the dedup check).
  std::string again = frames[11999];
  const auto seqAt = again.find("\"seq\":");
  ASSERT_NE(seqAt, std::string::npos);
  ASSERT_NE(again.find("\"id\":"), std::string::npos);
  again.replace(seqAt, again.find_first_of(",}", seqAt) - seqAt, "\"seq\":99999999");
  after.feed(again);
  std::uint64_t duplicatesAfter = 0;
  for (std::size_t s = 0; s < after.engine().shardCount(); ++s) {
    duplicatesAfter += after.engine().shard(s).stats().duplicates[0].get();
  }
  EXPECT_GE(duplicatesAfter, duplicatesBefore + 1);
}

TEST(ShardState, CorruptOrIncompatibleStateIsRefused) {
  const auto config = testConfig();
  Replayer a(*config);
  for (const auto& f : simulatedFrames(500)) {
    a.feed(f);
  }
  std::string blob;
  a.mutableEngine().shard(0).saveState(blob);
  {
    Replayer b(*config);
    EXPECT_FALSE(b.mutableEngine().shard(0).restoreState(blob.substr(0, blob.size() / 2)));
  }
  {
    Replayer b(*config);
    EXPECT_FALSE(b.mutableEngine().shard(1).restoreState(blob));  // saved by shard 0
  }
  {
    std::string wrongVersion = blob;
    wrongVersion[0] = static_cast<char>(wrongVersion[0] + 1);
    Replayer b(*config);
    EXPECT_FALSE(b.mutableEngine().shard(0).restoreState(wrongVersion));
  }
}

CheckpointData sampleCheckpoint(std::uint64_t generation) {
  CheckpointData d;
  d.generation = generation;
  d.createdUs = 1000 + static_cast<std::int64_t>(generation);
  d.shards = {"shard-zero-state", std::string(1000, 'x')};
  SourceSnapshot s;
  s.name = "acd";
  s.position = {3, 4096};
  s.nextOrdinal = 77;
  s.resumePosition = 12345;
  s.gaps = 5;
  s.rejected[1] = 9;
  s.sequences = {{"pub-a", 100}, {"pub-b", 7}};
  d.sources.push_back(s);
  d.counters = {1, 2, 3, 4, 5, 6};
  return d;
}

TEST(CheckpointFile, RoundTripKeepsTheNewestTwoAndFallsBackWhenTheNewestIsBad) {
  const std::string dir = freshDir("ckpt");
  for (std::uint64_t g = 1; g <= 3; ++g) {
    ASSERT_TRUE(writeCheckpointFile(dir, sampleCheckpoint(g)));
  }
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    EXPECT_TRUE(e.path().filename().string().starts_with("checkpoint-")) << e.path();  // no temp file left
    ++files;
  }
  EXPECT_EQ(files, 2U);
  std::uint64_t fallbacks = 0;
  auto loaded = loadNewestCheckpoint(dir, fallbacks);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(fallbacks, 0U);
  EXPECT_EQ(loaded->generation, 3U);
  EXPECT_EQ(loaded->shards, sampleCheckpoint(3).shards);
  ASSERT_EQ(loaded->sources.size(), 1U);
  const SourceSnapshot& s = loaded->sources[0];
  EXPECT_EQ(s.name, "acd");
  EXPECT_EQ(s.position, (JournalPosition{3, 4096}));
  EXPECT_EQ(s.nextOrdinal, 77U);
  EXPECT_EQ(s.resumePosition, 12345U);
  EXPECT_EQ(s.gaps, 5U);
  EXPECT_EQ(s.rejected[1], 9U);
  EXPECT_EQ(s.sequences, (std::vector<std::pair<std::string, std::uint64_t>>{{"pub-a", 100}, {"pub-b", 7}}));
  EXPECT_EQ(loaded->counters, (std::array<std::uint64_t, 6>{1, 2, 3, 4, 5, 6}));

  // Flip one byte in the newest: its CRC fails and the previous generation is used.
  const std::string newest = dir + "/checkpoint-0000000000000003.ckpt";
  {
    std::fstream f(newest, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(100);
    f.put('!');
  }
  fallbacks = 0;
  loaded = loadNewestCheckpoint(dir, fallbacks);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->generation, 2U);
  EXPECT_EQ(fallbacks, 1U);
  // A torn newest (cut short) likewise.
  fs::resize_file(newest, 30);
  fallbacks = 0;
  loaded = loadNewestCheckpoint(dir, fallbacks);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->generation, 2U);
  EXPECT_EQ(fallbacks, 1U);
  // Both bad: nothing to restore (a fresh start), both counted.
  fs::resize_file(dir + "/checkpoint-0000000000000002.ckpt", 10);
  fallbacks = 0;
  EXPECT_FALSE(loadNewestCheckpoint(dir, fallbacks));
  EXPECT_EQ(fallbacks, 2U);
}

Event seqEvent(std::uint64_t seq, const std::string& contact, EventType type = EventType::kContactQueued) {
  Event e;
  e.type = type;
  e.tsUs = 1'795'000'000'000'000 + static_cast<std::int64_t>(seq) * 1'000'000;
  e.hasSeq = true;
  e.seq = seq;
  e.publisher.assign("pbx");
  e.tenant.assign("default");
  e.queue.assign("sales");
  e.contact.assign(contact);
  e.sourcePosition = seq * 100;
  return e;
}

// A journal that can no longer write counts it where /metrics reads it
// (ccpulse_journal_write_errors_total). The directory vanishes under the open segment, so the
// first rotation cannot open the next segment and every later write has no file: as root, which
// ignores permission bits, this is a way to make writes fail for real.
TEST(SourceJournal, WriteErrorsAreCountedInTheSourceStats) {
  const std::string dir = freshDir("srcjournal-errors");
  const auto config = testConfig();
  ManualClock clock;
  Engine live(config->engine, std::make_shared<ServiceLevelSettings>(config->serviceLevel), 1, clock);
  SequenceTracker seqs;
  SourceStats stats;
  JournalWriter::Settings js;
  js.directory = dir;
  js.segmentBytes = 256;  // a few events fill a segment, so the writer soon needs a new file
  SourceJournal journal("acd", 0, js, 1, 0, 0, stats, seqs, live);
  journal.logEvent(seqEvent(1, "c1"));
  journal.commit();
  EXPECT_EQ(stats.journalWriteErrors.get(), 0U);
  fs::remove_all(dir);
  for (std::uint64_t seq = 2; seq <= 20; ++seq) {
    journal.logEvent(seqEvent(seq, "c" + std::to_string(seq)));
    journal.commit();
  }
  EXPECT_GT(stats.journalWriteErrors.get(), 0U);
  EXPECT_EQ(stats.journalWriteErrors.get(), journal.writer().writeErrors());
}

TEST(SourceJournal, ReplayRebuildsTrackerCountersAndShardsAndSkipsDroppedEvents) {
  const std::string dir = freshDir("srcjournal");
  const auto config = testConfig();
  ManualClock clock;
  // Live side: seq 1..5, then 8..10 (a gap of 2), event 9 dropped (ring full).
  Engine live(config->engine, std::make_shared<ServiceLevelSettings>(config->serviceLevel), 1, clock);
  SequenceTracker liveSeq;
  SourceStats liveStats;
  {
    JournalWriter::Settings js;
    js.directory = dir;
    SourceJournal journal("acd", 0, js, 1, 0, 0, liveStats, liveSeq, live);
    for (const std::uint64_t seq : {1, 2, 3, 4, 5, 8, 9, 10}) {
      const Event e = seqEvent(seq, "c" + std::to_string(seq));
      std::uint64_t missing = 0;
      ASSERT_TRUE(admitBySequence(e, liveSeq, liveStats, missing));
      liveStats.received.add(1);
      const std::uint64_t ordinal = journal.logEvent(e);
      journal.commit();
      if (seq == 9) {
        journal.logDropped(ordinal);
      }
    }
    liveStats.frames.add(8);
    journal.commit();
    EXPECT_EQ(journal.resumePosition(), 1000U);
  }
  EXPECT_EQ(liveStats.sequenceGaps.get(), 2U);

  Engine restored(config->engine, std::make_shared<ServiceLevelSettings>(config->serviceLevel), 1, clock);
  SequenceTracker seq;
  SourceStats stats;
  const ReplayResult r = replaySourceJournal(dir, {}, 0, 0, 0, stats, seq, restored);
  EXPECT_EQ(r.events, 7U);
  EXPECT_EQ(r.skipped, 1U);
  EXPECT_EQ(r.nextOrdinal, 8U);
  EXPECT_EQ(r.resumePosition, 1000U);
  EXPECT_EQ(stats.sequenceGaps.get(), 2U);
  EXPECT_EQ(stats.received.get(), 8U);
  EXPECT_EQ(stats.frames.get(), 8U);
  EXPECT_EQ(stats.submitted.get(), 7U);
  EXPECT_EQ(restored.dropped(0), 1U);
  std::uint64_t applied = 0;
  std::uint64_t offered = 0;
  for (std::size_t s = 0; s < restored.shardCount(); ++s) {
    applied += restored.shard(s).stats().applied.get();
    const auto& list = restored.shard(s).queueSeries();
    for (std::size_t i = 0; i < list.size(); ++i) {
      offered += list.at(i).offered.get();
    }
  }
  EXPECT_EQ(applied, 7U);
  EXPECT_EQ(offered, 7U);
  // The tracker continues where the journal ended: 11 is in order, 13 is a gap of one; no restart.
  std::uint64_t missing = 0;
  EXPECT_EQ(seq.observe("pbx", 11, missing), SequenceTracker::Verdict::kInOrder);
  EXPECT_EQ(seq.observe("pbx", 13, missing), SequenceTracker::Verdict::kGap);
  EXPECT_EQ(missing, 1U);
}

TEST(Durability, RestartRestoresCheckpointPlusJournalTailAndDeletesCoveredSegments) {
  const std::string dir = freshDir("durable");
  const auto config = testConfig();
  ManualClock clock;
  DurabilitySettings settings;
  settings.directory = dir;
  settings.journalSegmentBytes = 4096;
  const auto serviceLevel = std::make_shared<ServiceLevelSettings>(config->serviceLevel);
  const auto run = [&](std::uint64_t firstSeq, std::uint64_t lastSeq, bool cleanStop, std::uint64_t& offered,
                       std::uint64_t& gaps) {
    Engine engine(config->engine, serviceLevel, 1, clock);
    SequenceTracker seq;
    SourceStats stats;
    Durability durability(settings, engine, {{"acd", &stats, &seq}}, clock);
    durability.restore();
    SourceJournal& journal = durability.journal(0);
    for (std::uint64_t s = firstSeq; s <= lastSeq; ++s) {
      const Event e = seqEvent(s, "k" + std::to_string(s));
      std::uint64_t missing = 0;
      admitBySequence(e, seq, stats, missing);
      journal.logEvent(e);
      journal.commit();
      // The test thread owns the engine (not started): apply as the shards would.
      forEachRoute(e, engine.shardCount(),
                   [&](std::size_t shard, const Event& routed) { engine.shard(shard).apply(routed); });
      if (s == firstSeq + 50) {
        durability.finalCheckpoint();  // a checkpoint in the middle; the rest is journal only
      }
    }
    if (cleanStop) {
      durability.finalCheckpoint();
    }
    offered = 0;
    for (std::size_t s = 0; s < engine.shardCount(); ++s) {
      const auto& list = engine.shard(s).queueSeries();
      for (std::size_t i = 0; i < list.size(); ++i) {
        offered += list.at(i).offered.get();
      }
    }
    gaps = stats.sequenceGaps.get();
    return durability.stats().replayedEvents.get();
  };
  std::uint64_t offered = 0;
  std::uint64_t gaps = 0;
  EXPECT_EQ(run(1, 300, /*cleanStop=*/false, offered, gaps), 0U);  // "crash" after 300 events
  EXPECT_EQ(offered, 300U);
  // Second life: the first 51 come from the checkpoint, 249 are replayed; then 305..400 (gap 4).
  EXPECT_EQ(run(305, 400, /*cleanStop=*/true, offered, gaps), 249U);
  EXPECT_EQ(offered, 300U + 96U);
  EXPECT_EQ(gaps, 4U);
  // Third life after a clean stop: nothing to replay, same numbers.
  EXPECT_EQ(run(1, 0, /*cleanStop=*/true, offered, gaps), 0U);
  EXPECT_EQ(offered, 396U);
  EXPECT_EQ(gaps, 4U);
  // Covered segments were deleted: only what the two kept checkpoints may need remains.
  EXPECT_LE(listSegments(dir + "/journal/acd").size(), 3U);
}

// A source that does not journal (AMI: attachJournal() returns false) never answers a pause. The
// online checkpoint must snapshot it without waiting: it used to wait 10 s for the pause and give
// up, so with an AMI source configured no online checkpoint ever succeeded (and journal segments
// were never pruned). Its counters must still survive a restart.
TEST(Durability, OnlineCheckpointSnapshotsASourceThatDoesNotJournalWithoutPausingIt) {
  const std::string dir = freshDir("notdriven");
  const auto config = testConfig();
  ManualClock clock;
  DurabilitySettings settings;
  settings.directory = dir;
  const auto serviceLevel = std::make_shared<ServiceLevelSettings>(config->serviceLevel);
  {
    Engine engine(config->engine, serviceLevel, 1, clock);
    SequenceTracker seq;
    SourceStats stats;
    Durability durability(settings, engine, {{"ami", &stats, &seq}}, clock);
    durability.restore();
    durability.journal(0).setNotDriven();
    engine.start();
    stats.frames.add(7);
    stats.received.add(5);
    EXPECT_TRUE(durability.checkpointOnline());
    EXPECT_EQ(durability.stats().checkpointFailures.get(), 0U);
    engine.stop();
  }
  Engine engine(config->engine, serviceLevel, 1, clock);
  SequenceTracker seq;
  SourceStats stats;
  Durability durability(settings, engine, {{"ami", &stats, &seq}}, clock);
  durability.restore();
  EXPECT_EQ(stats.frames.get(), 7U);
  EXPECT_EQ(stats.received.get(), 5U);
}

}  // namespace
}  // namespace ccpulse
