// sources[].curve: keys inline or from files, validated at load (length, Z85 alphabet, value).
#include <gtest/gtest.h>
#include <zmq.h>

#include "../support/test_support.hpp"
#include "ccpulse/config/loader.hpp"
#include "ccpulse/config/z85.hpp"

namespace ccpulse {
namespace {

struct Keys {
  std::string pub;
  std::string sec;
};

Keys keyPair() {
  char pub[41] = {};
  char sec[41] = {};
  EXPECT_EQ(zmq_curve_keypair(pub, sec), 0);
  return {pub, sec};
}

std::string source(const std::string& curveBody, bool bind = true) {
  return "sources:\n  - name: acd\n    endpoint: tcp://127.0.0.1:5555\n    bind: " +
         std::string(bind ? "true" : "false") + "\n    curve:\n" + curveBody;
}

std::string errorsOf(const ConfigLoadResult& r) {
  std::string out;
  for (const auto& e : r.errors) {
    out += e.format() + "\n";
  }
  return out;
}

bool hasError(const ConfigLoadResult& r, const std::string& keyPath, const std::string& fragment) {
  for (const auto& e : r.errors) {
    if (e.keyPath == keyPath && e.message.find(fragment) != std::string::npos) {
      return true;
    }
  }
  return false;
}

TEST(Z85, DecodesLibzmqKeysAndRejectsBadText) {
  const Keys k = keyPair();
  std::array<std::uint8_t, 32> viaZmq{};
  ASSERT_NE(zmq_z85_decode(viaZmq.data(), k.pub.c_str()), nullptr);
  const auto ours = decodeZ85Key(k.pub);
  ASSERT_TRUE(ours);
  EXPECT_EQ(*ours, viaZmq);
  EXPECT_FALSE(decodeZ85Key(k.pub.substr(0, 39)));                          // length
  EXPECT_FALSE(decodeZ85Key(std::string(39, '0') + "~"));                   // '~' is not a Z85 digit
  EXPECT_FALSE(decodeZ85Key(std::string("%%%%%") + std::string(35, '0')));  // 84*85^4+... > 2^32-1
  EXPECT_TRUE(decodeZ85Key(std::string(40, '0')));
}

TEST(CurveConfig, InlineKeysAndKeyFilesLoad) {
  const Keys server = keyPair();
  const Keys a = keyPair();
  const Keys b = keyPair();
  const Keys c = keyPair();
  const std::string secretFile = test::writeTempFile("server.key", "# server\n\n  " + server.sec + "  \n");
  const std::string clientsFile =
      test::writeTempFile("clients.txt", "# publishers\n" + b.pub + "  # pbx-b\n\n" + c.pub + "\n");
  const auto r = loadConfigString(source("      secret_key: " + secretFile + "\n      allowed_clients: [\"" + a.pub +
                                         "\"]\n      allowed_clients_file: " + clientsFile + "\n"),
                                  "t.yaml");
  ASSERT_TRUE(r.ok()) << errorsOf(r);
  const auto& curve = r.config->sources.at(0).curve;
  ASSERT_TRUE(curve);
  EXPECT_EQ(curve->secretKey, server.sec);
  EXPECT_EQ(curve->allowedClients, (std::vector<std::string>{a.pub, b.pub, c.pub}));

  const auto inlineSecret = loadConfigString(
      source("      secret_key: \"" + server.sec + "\"\n      allowed_clients: [\"" + a.pub + "\"]\n"), "t.yaml");
  ASSERT_TRUE(inlineSecret.ok()) << errorsOf(inlineSecret);
  EXPECT_EQ(inlineSecret.config->sources.at(0).curve->secretKey, server.sec);
  EXPECT_FALSE(loadConfigString("sources:\n  - name: acd\n    endpoint: tcp://127.0.0.1:5555\n", "t.yaml")
                   .config->sources.at(0)
                   .curve);
}

TEST(CurveConfig, BadKeysAndShapesAreRejectedWithTheirPath) {
  const Keys server = keyPair();
  const Keys a = keyPair();
  const std::string ok = "      allowed_clients: [\"" + a.pub + "\"]\n";
  // A secret that is neither a key nor a readable file.
  auto r = loadConfigString(source("      secret_key: /nonexistent/server.key\n" + ok), "t.yaml");
  EXPECT_TRUE(hasError(r, "sources[0].curve.secret_key", "cannot open key file")) << errorsOf(r);
  r = loadConfigString(source("      secret_key: /dev/null\n" + ok), "t.yaml");
  EXPECT_TRUE(hasError(r, "sources[0].curve.secret_key", "not a regular file")) << errorsOf(r);
  // A short client key, and one with a character outside the alphabet.
  r = loadConfigString(source("      secret_key: \"" + server.sec + "\"\n      allowed_clients: [\"" +
                              a.pub.substr(0, 30) + "\", \"" + std::string(39, 'a') + "~\"]\n"),
                       "t.yaml");
  EXPECT_TRUE(hasError(r, "sources[0].curve.allowed_clients[0]", "got 30 characters")) << errorsOf(r);
  EXPECT_TRUE(hasError(r, "sources[0].curve.allowed_clients[1]", "outside the Z85 alphabet")) << errorsOf(r);
  // A key file with two keys where one is expected.
  const std::string twoKeys = test::writeTempFile("two.key", server.sec + "\n" + a.sec + "\n");
  r = loadConfigString(source("      secret_key: " + twoKeys + "\n" + ok), "t.yaml");
  EXPECT_TRUE(hasError(r, "sources[0].curve.secret_key", "exactly one key line, found 2")) << errorsOf(r);
  // Missing pieces, unknown keys, connecting sources.
  r = loadConfigString(source("      allowed_clients: [\"" + a.pub + "\"]\n"), "t.yaml");
  EXPECT_TRUE(hasError(r, "sources[0].curve.secret_key", "required key is missing")) << errorsOf(r);
  r = loadConfigString(source("      secret_key: \"" + server.sec + "\"\n"), "t.yaml");
  EXPECT_TRUE(hasError(r, "sources[0].curve.allowed_clients", "required")) << errorsOf(r);
  r = loadConfigString(source("      secret_key: \"" + server.sec + "\"\n      allowed_clients: []\n"), "t.yaml");
  EXPECT_TRUE(hasError(r, "sources[0].curve", "no allowed client keys")) << errorsOf(r);
  r = loadConfigString(source("      secret_key: \"" + server.sec + "\"\n" + ok + "      public_key: x\n"), "t.yaml");
  EXPECT_TRUE(hasError(r, "sources[0].curve.public_key", "unknown key")) << errorsOf(r);
  r = loadConfigString(source("      secret_key: \"" + server.sec + "\"\n" + ok, false), "t.yaml");
  EXPECT_TRUE(hasError(r, "sources[0].curve", "only supported with bind: true")) << errorsOf(r);
}

TEST(CurveConfig, ChangingCurveNeedsARestart) {
  const Keys server = keyPair();
  const Keys a = keyPair();
  const Keys b = keyPair();
  const auto one = loadConfigString(
      source("      secret_key: \"" + server.sec + "\"\n      allowed_clients: [\"" + a.pub + "\"]\n"), "t");
  const auto two = loadConfigString(
      source("      secret_key: \"" + server.sec + "\"\n      allowed_clients: [\"" + b.pub + "\"]\n"), "t");
  ASSERT_TRUE(one.ok() && two.ok());
  EXPECT_EQ(restartRequiredChanges(*one.config, *two.config), (std::vector<std::string>{"sources"}));
  EXPECT_TRUE(restartRequiredChanges(*one.config, *one.config).empty());
}

}  // namespace
}  // namespace ccpulse
