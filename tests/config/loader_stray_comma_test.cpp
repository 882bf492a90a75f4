// A stray ',' outside [ ] or { } must be a syntax error with its position. yaml-cpp 0.7's LoadAll
// never returns on such text (found by tests/fuzz/fuzz_config_loader), so if the loader's guard
// regresses these tests hang until ctest's timeout instead of passing.

#include <gtest/gtest.h>

#include <string>

#include "ccpulse/config/loader.hpp"

namespace ccpulse {
namespace {

struct Case {
  std::string text;
  int line;
  int column;
};

TEST(ConfigLoaderStrayComma, IsASyntaxErrorAtTheComma) {
  const std::string sources = "sources:\n  - name: acd\n    endpoint: tcp://127.0.0.1:5555\n";
  for (const Case& c : {Case{",", 1, 1}, Case{", so", 1, 1}, Case{"- a\n,", 2, 1}, Case{"# comment\n, x\n", 2, 1},
                        Case{",\xF8", 1, 1}, Case{sources + "---\n,\n", 5, 1}}) {
    const ConfigLoadResult result = loadConfigString(c.text, "bad.yaml");
    EXPECT_FALSE(result.ok());
    ASSERT_EQ(result.errors.size(), 1U) << c.text;
    EXPECT_EQ(result.errors[0].line, c.line) << c.text;
    EXPECT_EQ(result.errors[0].column, c.column) << c.text;
    EXPECT_NE(result.errors[0].message.find("unexpected ','"), std::string::npos) << result.errors[0].format();
  }
}

TEST(ConfigLoaderStrayComma, CommasInFlowCollectionsAndScalarsStayValid) {
  const ConfigLoadResult result = loadConfigString(
      "sources: [{name: a, endpoint: \"tcp://127.0.0.1:1\"}]\n"
      "engine: {aux_reasons: [break, lunch], windows: [15m, 1h]}\n"
      "tenants:\n  \"a, b\": {}\n",
      "ok.yaml");
  ASSERT_TRUE(result.ok()) << (result.errors.empty() ? "" : result.errors[0].format());
  EXPECT_TRUE(result.config->tenants.contains("a, b"));
}

TEST(ConfigLoaderStrayComma, SecondDocumentIsStillReportedAsSuch) {
  const ConfigLoadResult result =
      loadConfigString("sources: [{name: a, endpoint: \"tcp://127.0.0.1:1\"}]\n---\nlogging: {}\n", "two.yaml");
  ASSERT_EQ(result.errors.size(), 1U);
  EXPECT_NE(result.errors[0].message.find("more than one YAML document"), std::string::npos);
}

}  // namespace
}  // namespace ccpulse
