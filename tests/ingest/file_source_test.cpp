// FileSource: tails a queue_log file across partial lines, rotation (new inode), truncation, and
// restarts (the saved offset), driven by pollOnce() on the test thread, plus one run on its own
// thread polled with a deadline.

#include "ccpulse/ingest/file_source.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../support/test_support.hpp"
#include "ccpulse/common/clock.hpp"

namespace ccpulse {
namespace {

namespace fs = std::filesystem;

class FileSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ccpulse-file-source-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "log");
    log_ = (dir_ / "log" / "queue_log").string();
    settings_.name = "pbx";
    settings_.endpoint = "file://" + log_;
    settings_.format = SourceFormat::kAsteriskQueueLog;
    settings_.adapter.pollInterval = std::chrono::milliseconds(5);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<FileSource> make() {
    return std::make_unique<FileSource>(settings_, 0, (dir_ / "state").string(), [this](const Event& e) {
      events_.push_back(e);
      return true;
    });
  }
  void append(const std::string& text) {
    std::ofstream out(log_, std::ios::app | std::ios::binary);
    out << text;
  }
  static std::string enter(int i) {
    return std::to_string(1795425300 + i) + "|call" + std::to_string(i) + "|sales|NONE|ENTERQUEUE||100" +
           std::to_string(i) + "\n";
  }
  std::vector<std::string> contacts() const {
    std::vector<std::string> out;
    for (const Event& e : events_) {
      out.emplace_back(e.contact.view());
    }
    return out;
  }

  fs::path dir_;
  std::string log_;
  SourceSettings settings_;
  std::vector<Event> events_;
};

TEST_F(FileSourceTest, PartialLastLineWaitsForItsNewlineAndPositionsArePastEachLine) {
  const std::string first = enter(0);
  const std::string second = enter(1);
  append(first + second.substr(0, 10));
  auto source = make();
  source->pollOnce();
  EXPECT_EQ(contacts(), (std::vector<std::string>{"call0"}));
  EXPECT_EQ(events_[0].sourcePosition, first.size());
  EXPECT_EQ(source->offset(), first.size());
  append(second.substr(10));
  source->pollOnce();
  EXPECT_EQ(contacts(), (std::vector<std::string>{"call0", "call1"}));
  EXPECT_EQ(events_[1].sourcePosition, first.size() + second.size());
  EXPECT_EQ(source->stats().frames.get(), 2U);
  EXPECT_TRUE(source->ready());
}

TEST_F(FileSourceTest, MissingFileIsNotReadyUntilItAppears) {
  auto source = make();
  source->pollOnce();
  EXPECT_FALSE(source->ready());
  append(enter(0));
  source->pollOnce();
  EXPECT_TRUE(source->ready());
  EXPECT_EQ(contacts(), (std::vector<std::string>{"call0"}));
}

TEST_F(FileSourceTest, RotationReadsTheOldFileToItsEndThenTheNewOne) {
  append(enter(0));
  auto source = make();
  source->pollOnce();
  // logrotate's default: the old file is renamed (same inode), written a little more by Asterisk
  // before it reopens, then a new file appears under the name.
  fs::rename(log_, log_ + ".1");
  {
    std::ofstream old(log_ + ".1", std::ios::app | std::ios::binary);
    old << enter(1);
  }
  append(enter(2));
  source->pollOnce();
  EXPECT_EQ(contacts(), (std::vector<std::string>{"call0", "call1", "call2"}));
  EXPECT_EQ(source->stats().fileRotations.get(), 1U);
  EXPECT_EQ(source->offset(), enter(2).size());
  EXPECT_EQ(events_.back().sourcePosition, enter(2).size());
}

TEST_F(FileSourceTest, TruncationStartsAgainFromTheBeginning) {
  append(enter(0) + enter(1));
  auto source = make();
  source->pollOnce();
  fs::resize_file(log_, 0);  // copytruncate
  append(enter(2));
  source->pollOnce();
  EXPECT_EQ(contacts(), (std::vector<std::string>{"call0", "call1", "call2"}));
  EXPECT_EQ(source->stats().fileTruncations.get(), 1U);
  EXPECT_EQ(source->offset(), enter(2).size());
}

TEST_F(FileSourceTest, RestartResumesAfterTheLastLineNeitherLosingNorRepeating) {
  append(enter(0) + enter(1));
  {
    auto source = make();
    source->pollOnce();
    append(enter(2).substr(0, 5));  // a partial line at shutdown is not consumed
    source->pollOnce();
    source->stop();
  }
  ASSERT_TRUE(fs::exists(dir_ / "state" / "sources" / "pbx.offset"));
  append(enter(2).substr(5) + enter(3));
  events_.clear();
  auto again = make();
  again->pollOnce();
  EXPECT_EQ(contacts(), (std::vector<std::string>{"call2", "call3"}));
  EXPECT_EQ(again->stats().fileRotations.get(), 0U);
}

TEST_F(FileSourceTest, RestartAfterTheFileWasReplacedReadsTheNewFileFromZero) {
  append(enter(0));
  {
    auto source = make();
    source->pollOnce();
  }
  fs::remove(log_);
  append(enter(5));
  events_.clear();
  auto again = make();
  again->pollOnce();
  EXPECT_EQ(contacts(), (std::vector<std::string>{"call5"}));
  EXPECT_EQ(again->stats().fileRotations.get(), 1U);
}

TEST_F(FileSourceTest, RestartAfterTruncationWhileStoppedReadsFromZero) {
  append(enter(0) + enter(1) + enter(2));
  {
    auto source = make();
    source->pollOnce();
  }
  fs::resize_file(log_, 0);
  append(enter(7));
  events_.clear();
  auto again = make();
  again->pollOnce();
  EXPECT_EQ(contacts(), (std::vector<std::string>{"call7"}));
  EXPECT_EQ(again->stats().fileTruncations.get(), 1U);
}

TEST_F(FileSourceTest, MalformedAndOversizeLinesAreCountedAndSkipped) {
  settings_.maxFrameBytes = 64;
  append("not a queue_log line\n" + std::string(200, 'x') + "\n" + enter(0));
  auto source = make();
  source->pollOnce();
  EXPECT_EQ(contacts(), (std::vector<std::string>{"call0"}));
  EXPECT_EQ(source->stats().rejected[static_cast<std::size_t>(RejectReason::kTooFewFields)].get(), 1U);
  EXPECT_EQ(source->stats().rejected[static_cast<std::size_t>(RejectReason::kOversize)].get(), 1U);
}

TEST_F(FileSourceTest, UnreadableOffsetFileIsCountedAndReadsFromZero) {
  fs::create_directories(dir_ / "state" / "sources");
  std::ofstream(dir_ / "state" / "sources" / "pbx.offset") << "garbage\n";
  append(enter(0));
  auto source = make();
  source->pollOnce();
  EXPECT_EQ(contacts(), (std::vector<std::string>{"call0"}));
  EXPECT_EQ(source->stats().stateWriteFailures.get(), 1U);
}

TEST_F(FileSourceTest, RunsOnItsOwnThreadAndFollowsAppends) {
  std::atomic<std::size_t> seen{0};
  FileSource source(settings_, 0, (dir_ / "state").string(), [&](const Event&) {
    seen.fetch_add(1);
    return true;
  });
  append(enter(0));
  source.start();
  EXPECT_TRUE(test::pollUntil([&] { return seen.load() == 1; }, std::chrono::seconds(10)));
  append(enter(1) + enter(2));
  EXPECT_TRUE(test::pollUntil([&] { return seen.load() == 3; }, std::chrono::seconds(10)));
  source.stop();
  // stop() saved the offset past the third line.
  std::ifstream saved(dir_ / "state" / "sources" / "pbx.offset");
  std::string magic;
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::uint64_t offset = 0;
  saved >> magic >> device >> inode >> offset;
  EXPECT_EQ(offset, enter(0).size() + enter(1).size() + enter(2).size());
}

}  // namespace
}  // namespace ccpulse
