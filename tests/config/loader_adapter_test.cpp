// Source keys of the adapter formats (asterisk_*) and file sources: parsed into AdapterSettings,
// rejected where they would be meaningless, with the key path and line.

#include <gtest/gtest.h>

#include <string>

#include "ccpulse/config/loader.hpp"

namespace ccpulse {
namespace {

std::string errorsOf(const ConfigLoadResult& r) {
  std::string out;
  for (const auto& e : r.errors) {
    out += e.format() + "\n";
  }
  return out;
}

TEST(ConfigLoaderAdapter, FileSourceWithQueueLogAndAdapterKeys) {
  const ConfigLoadResult r = loadConfigString(R"(sources:
  - name: pbx
    endpoint: file:///var/log/asterisk/queue_log
    format: asterisk_queue_log
    tenant: acme
    vendor: bpo-east
    channel: chat
    max_tracked_calls: 500
    max_tracked_agents: 50
    poll_interval: 100ms
)",
                                              "a.yaml");
  ASSERT_TRUE(r.ok()) << errorsOf(r);
  const SourceSettings& s = r.config->sources[0];
  EXPECT_EQ(s.format, SourceFormat::kAsteriskQueueLog);
  EXPECT_TRUE(isFileEndpoint(s.endpoint));
  EXPECT_EQ(s.adapter.tenant, "acme");
  EXPECT_EQ(s.adapter.vendor, "bpo-east");
  EXPECT_EQ(s.adapter.channel, Channel::kChat);
  EXPECT_EQ(s.adapter.maxCalls, 500U);
  EXPECT_EQ(s.adapter.maxAgents, 50U);
  EXPECT_EQ(s.adapter.pollInterval, std::chrono::milliseconds(100));
}

TEST(ConfigLoaderAdapter, AmiSourceNeedsCredentialsAndConnects) {
  const ConfigLoadResult ok = loadConfigString(R"(sources:
  - name: ami
    endpoint: tcp://pbx.example.net:5038
    format: asterisk_ami
    username: ccpulse
    secret: s3cret
    reconnect_min: 500ms
    reconnect_max: 1m
)",
                                               "a.yaml");
  ASSERT_TRUE(ok.ok()) << errorsOf(ok);
  const SourceSettings& s = ok.config->sources[0];
  EXPECT_FALSE(s.bind);
  EXPECT_EQ(s.adapter.username, "ccpulse");
  EXPECT_EQ(s.adapter.secret, "s3cret");
  EXPECT_EQ(s.adapter.reconnectMin, std::chrono::milliseconds(500));
  EXPECT_EQ(s.adapter.reconnectMax, std::chrono::minutes(1));

  const ConfigLoadResult bad = loadConfigString(R"(sources:
  - name: ami
    endpoint: tcp://pbx:5038
    format: asterisk_ami
    reconnect_min: 1m
    reconnect_max: 1s
)",
                                                "a.yaml");
  const std::string text = errorsOf(bad);
  EXPECT_NE(text.find("sources[0].username: required with format: asterisk_ami"), std::string::npos) << text;
  EXPECT_NE(text.find("sources[0].secret: required with format: asterisk_ami"), std::string::npos) << text;
  EXPECT_NE(text.find("a.yaml:5:20: sources[0].reconnect_min: reconnect_min must not exceed reconnect_max"),
            std::string::npos)
      << text;
}

TEST(ConfigLoaderAdapter, KeysWhereTheyMeanNothingAreErrors) {
  const ConfigLoadResult r = loadConfigString(R"(sources:
  - name: json
    endpoint: tcp://127.0.0.1:5555
    tenant: acme
    poll_interval: 1s
    username: x
  - name: relative
    endpoint: file://var/log/queue_log
    format: asterisk_queue_log
  - name: long
    endpoint: tcp://127.0.0.1:5556
    format: asterisk_queue_log
    vendor: )" + std::string(65, 'v') + R"(
  - name: formats
    endpoint: tcp://127.0.0.1:5557
    format: asterisk_queue_logs
)",
                                              "a.yaml");
  const std::string text = errorsOf(r);
  // tenant, vendor and channel are accepted with every format (docs/config.md: json sources ignore them).
  EXPECT_EQ(text.find("sources[0].tenant"), std::string::npos) << text;
  EXPECT_NE(text.find("sources[0].poll_interval: poll_interval is only meaningful with a file:// endpoint"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("sources[0].username: username is only meaningful with format: asterisk_ami"), std::string::npos)
      << text;
  EXPECT_NE(
      text.find("sources[1].endpoint: endpoint 'file://var/log/queue_log': a file endpoint needs an absolute path"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("sources[2].vendor: longer than 64 bytes"), std::string::npos) << text;
  EXPECT_NE(text.find("must be one of: json, amazon_connect, twilio_taskrouter, genesys_cloud, asterisk_queue_log, "
                      "asterisk_ami"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace ccpulse
