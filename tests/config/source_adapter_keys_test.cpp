// Config keys of the vendor adapters (docs/config.md, "Vendor adapter keys of a source").
#include <gtest/gtest.h>

#include "ccpulse/config/loader.hpp"

namespace ccpulse {
namespace {

ConfigLoadResult load(const std::string& sourceExtra) {
  return loadConfigString("sources:\n  - name: cloud\n    endpoint: tcp://127.0.0.1:5555\n" + sourceExtra, "c.yaml");
}

std::string errors(const ConfigLoadResult& r) {
  std::string out;
  for (const ConfigError& e : r.errors) {
    out += e.format() + "\n";
  }
  return out;
}

TEST(SourceAdapterKeys, ParsedIntoTheSourceSettings) {
  const auto r = load(
      "    format: genesys_cloud\n"
      "    tenant: acme\n"
      "    vendor: bpo1\n"
      "    channel: chat\n"
      "    queue_names:\n"
      "      q-1: support\n"
      "      q-2: sales\n"
      "    agent_queues: [support, sales]\n");
  ASSERT_TRUE(r.ok()) << errors(r);
  const SourceSettings& s = r.config->sources.at(0);
  EXPECT_EQ(s.format, SourceFormat::kGenesysCloud);
  EXPECT_EQ(s.tenant, "acme");
  EXPECT_EQ(s.vendor, "bpo1");
  EXPECT_EQ(s.channel, Channel::kChat);
  EXPECT_EQ(s.queueNames.at("q-2"), "sales");
  EXPECT_EQ(s.agentQueues, (std::vector<std::string>{"support", "sales"}));
}

TEST(SourceAdapterKeys, DefaultsAndEveryFormatName) {
  const auto r = load("");
  ASSERT_TRUE(r.ok()) << errors(r);
  EXPECT_TRUE(r.config->sources[0].tenant.empty());
  EXPECT_FALSE(r.config->sources[0].channel.has_value());
  for (const char* name : {"json", "amazon_connect", "twilio_taskrouter", "genesys_cloud"}) {
    EXPECT_TRUE(load(std::string("    format: ") + name + "\n").ok()) << name;
    EXPECT_TRUE(parseSourceFormat(name).has_value()) << name;
  }
  EXPECT_FALSE(parseSourceFormat("xml").has_value());
}

TEST(SourceAdapterKeys, BadValuesNameKeyAndLine) {
  const auto r = load("    tenant: " + std::string(65, 't') +
                      "\n"                                                                       // line 4
                      "    channel: fax\n"                                                       // line 5
                      "    queue_names: [a, b]\n"                                                // line 6
                      "    agent_queues: [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q]\n"  // line 7: 17 queues
                      "    format: asterisk_carrier_pigeon\n");                                  // line 8
  ASSERT_FALSE(r.ok());
  const std::string all = errors(r);
  EXPECT_NE(all.find("c.yaml:4:"), std::string::npos) << all;
  EXPECT_NE(all.find("sources[0].tenant"), std::string::npos) << all;
  EXPECT_NE(all.find("c.yaml:5:"), std::string::npos) << all;
  EXPECT_NE(all.find("sources[0].channel"), std::string::npos) << all;
  EXPECT_NE(all.find("sources[0].queue_names"), std::string::npos) << all;
  EXPECT_NE(all.find("sources[0].agent_queues"), std::string::npos) << all;
  EXPECT_NE(all.find("genesys_cloud"), std::string::npos) << all;  // the known formats are listed
}

TEST(SourceAdapterKeys, ChangingThemNeedsARestart) {
  const auto a = load("    tenant: acme\n");
  const auto b = load("    tenant: other\n");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(restartRequiredChanges(*a.config, *b.config), (std::vector<std::string>{"sources"}));
}

}  // namespace
}  // namespace ccpulse
