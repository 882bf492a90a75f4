// The `state:` durability keys: defaults, parsing, and errors naming the key.
#include <gtest/gtest.h>

#include "ccpulse/config/loader.hpp"

namespace ccpulse {
namespace {

constexpr const char* kSource = "sources:\n  - name: acd\n    endpoint: tcp://127.0.0.1:5555\n";

TEST(StateConfig, DefaultsAndExplicitValues) {
  const auto defaults = loadConfigString(kSource, "a.yaml");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults.config->state.journalSyncInterval, std::chrono::milliseconds(100));
  EXPECT_EQ(defaults.config->state.checkpointInterval, std::chrono::seconds(60));
  EXPECT_EQ(defaults.config->state.journalSegmentBytes, 64ULL << 20U);
  const auto set = loadConfigString(std::string(kSource) +
                                        "state:\n  directory: /var/lib/ccpulse\n  journal_sync_interval: 0s\n"
                                        "  checkpoint_interval: 5m\n  journal_segment_bytes: 1048576\n",
                                    "b.yaml");
  ASSERT_TRUE(set.ok()) << set.errors.front().format();
  EXPECT_EQ(set.config->state.directory, "/var/lib/ccpulse");
  EXPECT_EQ(set.config->state.journalSyncInterval, std::chrono::seconds(0));
  EXPECT_EQ(set.config->state.checkpointInterval, std::chrono::minutes(5));
  EXPECT_EQ(set.config->state.journalSegmentBytes, 1048576U);
}

TEST(StateConfig, BadValuesNameTheKey) {
  for (const auto& [yaml, key] : std::vector<std::pair<std::string, std::string>>{
           {"state:\n  checkpoint_interval: 0s\n", "state.checkpoint_interval"},
           {"state:\n  journal_segment_bytes: 100\n", "state.journal_segment_bytes"},
           {"state:\n  journal_sync_interval: soon\n", "state.journal_sync_interval"},
           {"state:\n  journal_size: 1\n", "state.journal_size"}}) {
    const auto loaded = loadConfigString(std::string(kSource) + yaml, "c.yaml");
    ASSERT_FALSE(loaded.ok()) << yaml;
    EXPECT_NE(loaded.errors.front().format().find(key), std::string::npos) << loaded.errors.front().format();
  }
}

}  // namespace
}  // namespace ccpulse
