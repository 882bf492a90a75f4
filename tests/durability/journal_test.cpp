// Journal files: CRC, framing, segment rotation, torn-tail truncation, segment deletion.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "../support/test_support.hpp"
#include "ccpulse/durability/codec.hpp"
#include "ccpulse/durability/journal.hpp"

namespace ccpulse {
namespace {

namespace fs = std::filesystem;

std::string freshDir(const std::string& name) {
  const std::string file = test::writeTempFile(name, "");
  const std::string dir = fs::path(file).parent_path().string() + "/" + name + ".d";
  fs::remove_all(dir);
  return dir;
}

std::string segmentFile(const std::string& dir, std::uint64_t id) {
  char name[32];
  std::snprintf(name, sizeof name, "%016llu.seg", static_cast<unsigned long long>(id));
  return dir + "/" + name;
}

std::vector<std::string> readAll(const std::string& dir, JournalCounters& counters, JournalPosition from = {}) {
  std::vector<std::string> out;
  readJournal(
      dir, from, [&](std::string_view p, JournalPosition) { out.emplace_back(p); }, counters);
  return out;
}

TEST(Crc32c, KnownVectors) {
  // The standard check value of CRC-32C (RFC 3720 appendix B.4) for "123456789".
  EXPECT_EQ(crc32c("123456789", 9), 0xE3069283U);
  EXPECT_EQ(crc32c("", 0), 0U);
  // Chaining over pieces equals one pass.
  EXPECT_EQ(crc32c("6789", 4, crc32c("12345", 5)), 0xE3069283U);
}

TEST(EventCodec, RoundTripsEveryField) {
  Event e;
  e.type = EventType::kAgentLogin;
  e.channel = Channel::kChat;
  e.tsUs = 1'795'000'000'123'456;
  e.sourcePosition = 987654321;
  e.hasSeq = true;
  e.seq = 42;
  e.id.assign("id-1");
  e.publisher.assign("pub");
  e.tenant.assign("t");
  e.vendor.assign("v");
  e.queue.assign("q");
  e.contact.assign("c");
  e.agent.assign("a");
  e.customer.assign("cust");
  e.toQueue.assign("q2");
  e.dequeueReason = DequeueReason::kOverflow;
  e.agentState = AgentStateKind::kAux;
  e.reason.assign("lunch");
  e.disposition.assign("sale");
  e.resolved = 1;
  e.contained = 0;
  e.csat = 4;
  e.nps = 9;
  e.queueCount = 2;
  e.queues[0].assign("q");
  e.queues[1].assign(std::string(64, 'x'));
  e.capacity = {1, 3, 0, 0, 0, 2};
  std::string buffer;
  ByteWriter w(buffer);
  encodeEvent(w, e);
  EXPECT_LT(buffer.size(), 250U);  // compact: not the 1.7 KB in-memory size
  ByteReader r(buffer);
  Event back;
  ASSERT_TRUE(decodeEvent(r, back));
  EXPECT_EQ(r.remaining(), 0U);
  EXPECT_EQ(std::memcmp(&back.tsUs, &e.tsUs, sizeof e.tsUs), 0);
  EXPECT_EQ(back.type, e.type);
  EXPECT_EQ(back.channel, e.channel);
  EXPECT_EQ(back.sourcePosition, e.sourcePosition);
  EXPECT_EQ(back.seq, 42U);
  EXPECT_TRUE(back.hasSeq);
  for (const auto& [a, b] : std::vector<std::pair<const Id*, const Id*>>{{&back.id, &e.id},
                                                                         {&back.publisher, &e.publisher},
                                                                         {&back.tenant, &e.tenant},
                                                                         {&back.vendor, &e.vendor},
                                                                         {&back.queue, &e.queue},
                                                                         {&back.contact, &e.contact},
                                                                         {&back.agent, &e.agent},
                                                                         {&back.customer, &e.customer},
                                                                         {&back.toQueue, &e.toQueue},
                                                                         {&back.queues[1], &e.queues[1]}}) {
    EXPECT_EQ(a->view(), b->view());
  }
  EXPECT_EQ(back.dequeueReason, e.dequeueReason);
  EXPECT_EQ(back.agentState, e.agentState);
  EXPECT_EQ(back.reason.view(), "lunch");
  EXPECT_EQ(back.disposition.view(), "sale");
  EXPECT_EQ(back.resolved, 1);
  EXPECT_EQ(back.contained, 0);
  EXPECT_EQ(back.csat, 4);
  EXPECT_EQ(back.nps, 9);
  EXPECT_EQ(back.queueCount, 2);
  EXPECT_EQ(back.capacity, e.capacity);
  // A truncated encoding is rejected, never read past its end.
  for (std::size_t cut = 0; cut < buffer.size(); cut += 7) {
    ByteReader shortReader(std::string_view(buffer).substr(0, cut));
    Event ignored;
    EXPECT_FALSE(decodeEvent(shortReader, ignored)) << cut;
  }
}

TEST(Journal, RotatesSegmentsAndReadsEverythingBackInOrder) {
  const std::string dir = freshDir("rotate");
  JournalPosition afterFirstHundred;
  {
    JournalWriter::Settings s;
    s.directory = dir;
    s.segmentBytes = 4096;
    JournalWriter w(s, 1);
    for (int i = 0; i < 1000; ++i) {
      w.append("record-" + std::to_string(i) + std::string(static_cast<std::size_t>(i % 50), '.'));
      if (i % 10 == 9) {
        w.flush();  // rotation happens only at flush boundaries
      }
      if (i == 99) {
        afterFirstHundred = w.position();
      }
    }
  }
  const auto segments = listSegments(dir);
  ASSERT_GT(segments.size(), 5U);
  EXPECT_EQ(segments.front(), 1U);
  for (std::size_t i = 1; i < segments.size(); ++i) {
    EXPECT_EQ(segments[i], segments[i - 1] + 1);
  }
  JournalCounters counters;
  const auto all = readAll(dir, counters);
  ASSERT_EQ(all.size(), 1000U);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(all[static_cast<std::size_t>(i)],
              "record-" + std::to_string(i) + std::string(static_cast<std::size_t>(i % 50), '.'));
  }
  EXPECT_EQ(counters.tornTails, 0U);
  // Reading from a saved position resumes exactly after record 99.
  JournalCounters c2;
  const auto tail = readAll(dir, c2, afterFirstHundred);
  ASSERT_EQ(tail.size(), 900U);
  EXPECT_EQ(tail.front(), "record-100" + std::string(0, '.'));
  // Segments before the position's segment can go; reading from the position still works.
  const std::size_t removed = removeSegmentsBefore(dir, afterFirstHundred.segment);
  EXPECT_EQ(removed, afterFirstHundred.segment - 1);
  EXPECT_EQ(listSegments(dir).front(), afterFirstHundred.segment);
  JournalCounters c3;
  EXPECT_EQ(readAll(dir, c3, afterFirstHundred).size(), 900U);
}

TEST(Journal, TornTailIsTruncatedAtTheLastGoodRecordAndCounted) {
  const std::string dir = freshDir("torn");
  {
    JournalWriter::Settings s;
    s.directory = dir;
    JournalWriter w(s, 7);
    for (int i = 0; i < 10; ++i) {
      w.append("payload-" + std::to_string(i));
    }
  }
  const std::string path = segmentFile(dir, 7);
  const auto goodSize = fs::file_size(path);
  // A crash in the middle of a write: half a record at the end.
  {
    std::ofstream out(path, std::ios::binary | std::ios::app);
    const std::uint32_t length = 100;
    const std::uint32_t crc = 0;
    out.write(reinterpret_cast<const char*>(&length), 4);
    out.write(reinterpret_cast<const char*>(&crc), 4);
    out.write("only-part", 9);
  }
  JournalCounters counters;
  const auto records = readAll(dir, counters);
  EXPECT_EQ(records.size(), 10U);
  EXPECT_EQ(counters.tornTails, 1U);
  EXPECT_EQ(fs::file_size(path), goodSize);  // truncated at the last good record
  JournalCounters again;
  EXPECT_EQ(readAll(dir, again).size(), 10U);
  EXPECT_EQ(again.tornTails, 0U);
}

TEST(Journal, CrcMismatchEndsTheSegmentThere) {
  const std::string dir = freshDir("crc");
  {
    JournalWriter::Settings s;
    s.directory = dir;
    JournalWriter w(s, 1);
    for (int i = 0; i < 10; ++i) {
      w.append("abcdefgh-" + std::to_string(i));  // 10 bytes each + 8 framing
    }
  }
  const std::string path = segmentFile(dir, 1);
  // Flip one payload byte of the 5th record: header 24 + 4 records * 18, then 8 framing bytes.
  {
    std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(24 + 4 * 18 + 8 + 2);
    f.put('X');
  }
  JournalCounters counters;
  const auto records = readAll(dir, counters);
  EXPECT_EQ(records.size(), 4U);
  EXPECT_EQ(counters.tornTails, 1U);
  EXPECT_EQ(fs::file_size(path), 24U + 4 * 18);
}

TEST(Journal, SegmentWithoutHeaderIsSkippedAndCounted) {
  const std::string dir = freshDir("header");
  {
    JournalWriter::Settings s;
    s.directory = dir;
    JournalWriter w(s, 1);
    w.append("one");
  }
  { std::ofstream(segmentFile(dir, 2), std::ios::binary) << "CCPJ"; }  // crash right after create
  JournalCounters counters;
  EXPECT_EQ(readAll(dir, counters).size(), 1U);
  EXPECT_EQ(counters.tornTails, 1U);
}

}  // namespace
}  // namespace ccpulse
