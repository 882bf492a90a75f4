// `ccpulsectl erlang` driven in-process: runErlang() with its stdout and stderr captured.
#include <gtest/gtest.h>

#include <iostream>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "ccpulse/ctl/commands.hpp"
#include "ccpulse/staffing/erlang.hpp"

namespace ccpulse::ctl {

int runErlang(Args args);  // daemon/ctl/erlang_command.cpp

namespace {

struct Run {
  int code = -1;
  std::string out;
  std::string err;
};

Run run(std::vector<std::string_view> args) {
  std::ostringstream out, err;
  auto* oldOut = std::cout.rdbuf(out.rdbuf());
  auto* oldErr = std::cerr.rdbuf(err.rdbuf());
  Run r;
  r.code = runErlang(args);
  std::cout.rdbuf(oldOut);
  std::cerr.rdbuf(oldErr);
  r.out = out.str();
  r.err = err.str();
  return r;
}

// The keys of a flat JSON object, in order (values are numbers or one nested object).
std::vector<std::string> keysOf(const std::string& json) {
  std::vector<std::string> keys;
  const std::regex key("\"([a-z_]+)\":");
  for (auto it = std::sregex_iterator(json.begin(), json.end(), key); it != std::sregex_iterator(); ++it) {
    keys.push_back((*it)[1]);
  }
  return keys;
}

TEST(ErlangCommand, IsRegistered) {
  bool found = false;
  for (const auto& c : commands()) {
    found = found || (c.name == "erlang" && c.run == &runErlang);
  }
  EXPECT_TRUE(found);
}

TEST(ErlangCommand, JsonKeysAndValues) {
  const auto r =
      run({"--calls", "100", "--interval", "30m", "--aht", "180", "--threshold", "20", "--target", "0.8", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(keysOf(r.out), (std::vector<std::string>{"agents", "service_level", "asa_seconds", "occupancy",
                                                     "probability_wait", "positions"}));
  EXPECT_NE(r.out.find("\"agents\":14,"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"positions\":14}"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"service_level\":0.88835"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"occupancy\":0.714286"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.front(), '{');
  EXPECT_EQ(r.out.back(), '\n');
}

TEST(ErlangCommand, PatienceAddsErlangAObject) {
  const auto r = run({"--calls=100", "--interval=1800s", "--aht=180", "--threshold=20", "--target=0.8",
                      "--patience=120", "--shrinkage=0.3", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(keysOf(r.out),
            (std::vector<std::string>{"agents", "service_level", "asa_seconds", "occupancy", "probability_wait",
                                      "positions", "erlang_a", "agents", "service_level", "asa_seconds", "occupancy",
                                      "probability_wait", "positions", "abandon_rate"}));
  EXPECT_NE(r.out.find("\"positions\":20,\"erlang_a\":{"), std::string::npos) << r.out;

  staffing::Queue q;
  q.arrivalRate = 100.0 / 1800.0;
  q.ahtSeconds = 180;
  q.thresholdSeconds = 20;
  q.patienceSeconds = 120;
  const auto a = staffing::requiredAgents(q, staffing::Target{0.8, 1.0, 0.3});
  ASSERT_TRUE(a.ok());
  EXPECT_NE(r.out.find("\"erlang_a\":{\"agents\":" + std::to_string(a.value.metrics.agents) + ","), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"abandon_rate\":"), std::string::npos);
}

TEST(ErlangCommand, IntervalUnitsAreEquivalent) {
  const auto halfHour =
      run({"--calls", "100", "--interval", "30m", "--aht", "180", "--threshold", "20", "--target", "0.8", "--json"});
  const auto hour =
      run({"--calls", "200", "--interval", "1h", "--aht", "180", "--threshold", "20", "--target", "0.8", "--json"});
  const auto seconds =
      run({"--calls", "50", "--interval", "900s", "--aht", "180", "--threshold", "20", "--target", "0.8", "--json"});
  ASSERT_EQ(halfHour.code, 0);
  EXPECT_EQ(halfHour.out, hour.out);
  EXPECT_EQ(halfHour.out, seconds.out);
}

TEST(ErlangCommand, HumanOutputShowsBothModelsAndPositions) {
  const auto r = run({"--calls", "100", "--interval", "30m", "--aht", "180", "--threshold", "20", "--target", "0.8",
                      "--patience", "120", "--shrinkage", "0.3", "--max-occupancy", "0.85"});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* text : {"Erlang C", "Erlang A", "agents", "positions", "service level", "ASA", "occupancy",
                           "P(wait)", "abandon rate", "10.0000 Erlangs"}) {
    EXPECT_NE(r.out.find(text), std::string::npos) << text << "\n" << r.out;
  }
  const auto plain =
      run({"--calls", "100", "--interval", "30m", "--aht", "180", "--threshold", "20", "--target", "0.8"});
  EXPECT_EQ(plain.out.find("positions"), std::string::npos) << "positions only with --shrinkage";
  EXPECT_EQ(plain.out.find("Erlang A"), std::string::npos);
}

TEST(ErlangCommand, ConcurrencyForChat) {
  const auto chat = run({"--calls", "300", "--interval", "30m", "--aht", "600", "--threshold", "30", "--target", "0.85",
                         "--concurrency", "3", "--json"});
  const auto voice =
      run({"--calls", "300", "--interval", "30m", "--aht", "200", "--threshold", "30", "--target", "0.85", "--json"});
  ASSERT_EQ(chat.code, 0) << chat.err;
  EXPECT_EQ(chat.out, voice.out);
}

TEST(ErlangCommand, BadOrMissingArgumentsExitTwo) {
  const std::vector<std::vector<std::string_view>> cases = {
      {},
      {"--calls", "100", "--interval", "30m", "--aht", "180", "--threshold", "20"},  // no target
      {"--calls", "100", "--aht", "180", "--threshold", "20", "--target", "0.8"},    // no interval
      {"--calls", "-5", "--interval", "30m", "--aht", "180", "--threshold", "20", "--target", "0.8"},
      {"--calls", "abc", "--interval", "30m", "--aht", "180", "--threshold", "20", "--target", "0.8"},
      {"--calls", "nan", "--interval", "30m", "--aht", "180", "--threshold", "20", "--target", "0.8"},
      {"--calls", "100", "--interval", "30", "--aht", "180", "--threshold", "20", "--target", "0.8"},
      {"--calls", "100", "--interval", "0s", "--aht", "180", "--threshold", "20", "--target", "0.8"},
      {"--calls", "100", "--interval", "30m", "--aht", "0", "--threshold", "20", "--target", "0.8"},
      {"--calls", "100", "--interval", "30m", "--aht", "180", "--threshold", "20", "--target", "80"},
      {"--calls", "100", "--interval", "30m", "--aht", "180", "--threshold", "20", "--target", "0.8", "--shrinkage",
       "1"},
      {"--calls", "100", "--interval", "30m", "--aht", "180", "--threshold", "20", "--target", "0.8", "--patience",
       "-1"},
      {"--calls", "100", "--interval", "30m", "--aht", "180", "--threshold", "20", "--target", "0.8", "--concurrency",
       "0.5"},
      {"--calls", "100", "--interval", "30m", "--aht", "180", "--threshold", "20", "--target", "0.8", "--bogus", "1"},
      {"--calls", "100", "--interval", "30m", "--aht", "180", "--threshold", "20", "--target"},
      {"--calls", "1e12", "--interval", "1s", "--aht", "180", "--threshold", "20", "--target", "0.8"},
  };
  for (const auto& args : cases) {
    const auto r = run(args);
    std::string joined;
    for (auto a : args) joined += std::string(a) + " ";
    EXPECT_EQ(r.code, 2) << joined;
    EXPECT_NE(r.err.find("ccpulsectl erlang:"), std::string::npos) << joined;
    EXPECT_NE(r.err.find("Usage:"), std::string::npos) << joined;
    EXPECT_TRUE(r.out.empty()) << joined;
  }
  const auto missing = run({"--calls", "100", "--interval", "30m", "--aht", "180", "--threshold", "20"});
  EXPECT_NE(missing.err.find("missing --target"), std::string::npos) << missing.err;
}

TEST(ErlangCommand, HelpExitsZero) {
  const auto r = run({"--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("--patience"), std::string::npos);
}

}  // namespace
}  // namespace ccpulse::ctl
