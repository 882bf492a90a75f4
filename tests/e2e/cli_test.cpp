// The ccpulsed command line, run as a real process.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "../support/test_support.hpp"

namespace ccpulse::test {
namespace {

TEST(CcpulsedCli, CheckConfigAcceptsTheShippedConfig) {
  const auto [code, output] = runCommand(CCPULSED_PATH, {"--check-config", CCPULSE_SOURCE_DIR "/config/ccpulse.yaml"});
  EXPECT_EQ(code, 0) << output;
  EXPECT_NE(output.find("ok"), std::string::npos);
}

TEST(CcpulsedCli, CheckConfigRejectsUnknownKeyNamingKeyAndLine) {
  const std::string path = writeTempFile("bad.yaml",
                                         "http:\n"
                                         "  listen: 127.0.0.1:9464\n"
                                         "sources:\n"
                                         "  - name: acd\n"
                                         "    endpoint: tcp://127.0.0.1:5555\n"
                                         "    sockett: pull\n"  // line 6
                                         "engine:\n"
                                         "  shards: 0\n");  // line 8: out of range
  const auto [code, output] = runCommand(CCPULSED_PATH, {"--check-config", "--config", path});
  EXPECT_EQ(code, 1) << output;
  EXPECT_NE(output.find(path + ":6:"), std::string::npos) << output;
  EXPECT_NE(output.find("sources[0].sockett"), std::string::npos) << output;
  EXPECT_NE(output.find(path + ":8:"), std::string::npos) << output;
  EXPECT_NE(output.find("engine.shards"), std::string::npos) << output;
}

TEST(CcpulsedCli, VersionHelpAndUsageErrors) {
  auto [code, output] = runCommand(CCPULSED_PATH, {"--version"});
  EXPECT_EQ(code, 0);
  EXPECT_NE(output.find("ccpulsed "), std::string::npos);
  std::tie(code, output) = runCommand(CCPULSED_PATH, {"--help"});
  EXPECT_EQ(code, 0);
  EXPECT_NE(output.find("--check-config"), std::string::npos);
  std::tie(code, output) = runCommand(CCPULSED_PATH, {"--frobnicate"});
  EXPECT_EQ(code, 2);
  std::tie(code, output) = runCommand(CCPULSED_PATH, {"--log-level", "chatty"});
  EXPECT_EQ(code, 2);
}

TEST(CcpulsedCli, MissingConfigFileIsAConfigError) {
  const auto [code, output] = runCommand(CCPULSED_PATH, {"--config", "/nonexistent/ccpulse.yaml"});
  EXPECT_EQ(code, 1);
  EXPECT_NE(output.find("/nonexistent/ccpulse.yaml"), std::string::npos) << output;
}

TEST(CcpulsedCli, PortInUseIsAStartupFailureNamingTheAddress) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor busy(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const int port = busy.local_endpoint().port();
  const std::string path = writeTempFile("busy.yaml", "http:\n  listen: 127.0.0.1:" + std::to_string(port) +
                                                          "\nsources:\n  - name: acd\n    endpoint: tcp://127.0.0.1:" +
                                                          std::to_string(freeTcpPort()) + "\n");
  const auto [code, output] = runCommand(CCPULSED_PATH, {"--config", path});
  EXPECT_EQ(code, 3) << output;
  EXPECT_NE(output.find("http.listen"), std::string::npos) << output;
}

}  // namespace
}  // namespace ccpulse::test
