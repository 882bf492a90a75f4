// state.history_retention_days: 0 (default) keeps history forever; otherwise at least 32 days;
// errors name the key path, the file and the line like every other key.
#include <gtest/gtest.h>

#include "ccpulse/config/loader.hpp"

namespace ccpulse {
namespace {

std::string withRetention(const std::string& value) {
  return "sources:\n  - name: a\n    endpoint: inproc://a\n"
         "state:\n  directory: /tmp/x\n  history_retention_days: " +
         value + "\n";
}

std::string errors(const ConfigLoadResult& r) {
  std::string out;
  for (const auto& e : r.errors) {
    out += e.format() + "\n";
  }
  return out;
}

TEST(HistoryRetentionConfig, DefaultsToForeverAndAcceptsAMonthOrMore) {
  const auto none = loadConfigString("sources:\n  - name: a\n    endpoint: inproc://a\n", "r.yaml");
  ASSERT_TRUE(none.ok()) << errors(none);
  EXPECT_EQ(none.config->state.historyRetentionDays, 0U);
  for (const auto& [text, days] : {std::pair{"0", 0U}, {"32", 32U}, {"400", 400U}}) {
    const auto r = loadConfigString(withRetention(text), "r.yaml");
    ASSERT_TRUE(r.ok()) << errors(r);
    EXPECT_EQ(r.config->state.historyRetentionDays, days);
  }
}

TEST(HistoryRetentionConfig, RejectsLessThanAMonthNegativeAndText) {
  for (const std::string bad : {"31", "1", "-5", "forever"}) {
    const auto r = loadConfigString(withRetention(bad), "r.yaml");
    ASSERT_FALSE(r.ok()) << bad;
    const std::string message = errors(r);
    EXPECT_NE(message.find("state.history_retention_days"), std::string::npos) << message;
    EXPECT_NE(message.find("r.yaml:6"), std::string::npos) << message;  // file and line
  }
  const auto r = loadConfigString(withRetention("31"), "r.yaml");
  EXPECT_NE(errors(r).find("at least 32 days"), std::string::npos) << errors(r);
}

TEST(HistoryRetentionConfig, ChangingItNeedsARestart) {
  const auto a = loadConfigString(withRetention("0"), "r.yaml");
  const auto b = loadConfigString(withRetention("40"), "r.yaml");
  ASSERT_TRUE(a.ok() && b.ok());
  const auto changes = restartRequiredChanges(*a.config, *b.config);
  EXPECT_NE(std::find(changes.begin(), changes.end(), "state.history_retention_days"), changes.end());
}

}  // namespace
}  // namespace ccpulse
