// The `auth`, `http.tls` and `wallboard` config sections: values, defaults and errors.
#include <gtest/gtest.h>

#include "ccpulse/config/loader.hpp"

namespace ccpulse {
namespace {

const std::string kSources = "sources:\n  - name: acd\n    endpoint: tcp://127.0.0.1:5555\n";
const std::string kHash = "$2b$04$abcdefghijklmnopqrstuuJ8Jm2yYl9b7Q4x5ZKk0E2VdWqA3Jqmu";  // shape only

std::string firstError(const std::string& yaml) {
  const auto r = loadConfigString(kSources + yaml, "t.yaml");
  return r.errors.empty() ? "" : r.errors.front().format();
}

TEST(AuthConfig, AbsentMeansOpenAndDefaults) {
  const auto r = loadConfigString(kSources, "t.yaml");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.config->auth.has_value());
  EXPECT_FALSE(r.config->http.tls.has_value());
  EXPECT_TRUE(r.config->wallboard.enabled);
  EXPECT_EQ(r.config->wallboard.maxStreamClients, 64U);
}

TEST(AuthConfig, UsersTokensScopesAndLimits) {
  const auto r = loadConfigString(kSources +
                                      "auth:\n"
                                      "  users:\n"
                                      "    - {name: alice, password_hash: '" +
                                      kHash +
                                      "', scope: 'tenant:acme'}\n"
                                      "  tokens:\n"
                                      "    - name: prom\n"
                                      "      sha256: ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n"
                                      "      scope: prometheus\n"
                                      "    - {name: bpo, sha256: " +
                                      std::string(64, 'a') +
                                      ", scope: 'vendor:bpo'}\n"
                                      "  rate_limit: {burst: 5, per_minute: 2, max_clients: 10}\n"
                                      "wallboard: {stream_interval: 250ms, max_stream_clients: 3}\n",
                                  "t.yaml");
  ASSERT_TRUE(r.ok()) << r.errors.front().format();
  const AuthSettings& a = *r.config->auth;
  EXPECT_FALSE(a.anonymous);
  ASSERT_EQ(a.users.size(), 1U);
  EXPECT_EQ(a.users[0].scope.kind, ScopeSettings::Kind::kTenant);
  EXPECT_EQ(a.users[0].scope.name, "acme");
  ASSERT_EQ(a.tokens.size(), 2U);
  EXPECT_EQ(a.tokens[0].scope.kind, ScopeSettings::Kind::kPrometheus);
  EXPECT_EQ(a.tokens[0].sha256[0], 0xba);
  EXPECT_EQ(a.tokens[1].scope.kind, ScopeSettings::Kind::kVendor);
  EXPECT_EQ(a.failureBurst, 5);
  EXPECT_EQ(a.failuresPerMinute, 2);
  EXPECT_EQ(a.maxClients, 10U);
  EXPECT_EQ(r.config->wallboard.streamInterval, std::chrono::milliseconds(250));
  EXPECT_EQ(r.config->wallboard.maxStreamClients, 3U);
}

TEST(AuthConfig, ErrorsNameTheKey) {
  EXPECT_NE(firstError("auth:\n  users:\n    - {name: a, password_hash: plain, scope: admin}\n")
                .find("auth.users[0].password_hash: expected a bcrypt hash"),
            std::string::npos);
  EXPECT_NE(firstError("auth:\n  tokens:\n    - {name: a, sha256: abc, scope: admin}\n").find("auth.tokens[0].sha256"),
            std::string::npos);
  EXPECT_NE(firstError("auth:\n  tokens:\n    - {name: a, sha256: " + std::string(64, 'a') + ", scope: 'tenant:'}\n")
                .find("expected admin, prometheus, tenant:NAME or vendor:NAME"),
            std::string::npos);
  EXPECT_NE(firstError("auth:\n  users:\n    - {name: a, scope: admin}\n").find("a user needs name, password_hash"),
            std::string::npos);
  EXPECT_NE(firstError("auth:\n  anonymus: true\n").find("did you mean 'anonymous'"), std::string::npos);
  EXPECT_NE(firstError("http:\n  tls: {certificate: /x.pem}\n").find("http.tls: requires both certificate and key"),
            std::string::npos);
  EXPECT_NE(firstError("wallboard: {stream_interval: 5s}\n").find("between 100ms and 1s"), std::string::npos);
  EXPECT_NE(firstError("auth:\n  tokens:\n    - {name: a, sha256: " + std::string(64, 'a') +
                       ", scope: admin}\n    - {name: a, sha256: " + std::string(64, 'b') + ", scope: admin}\n")
                .find("duplicate credential name"),
            std::string::npos);
}

TEST(AuthConfig, TlsNeedsARestartButCredentialsReload) {
  const auto a = loadConfigString(kSources, "t.yaml");
  const auto b = loadConfigString(kSources + "http:\n  tls: {certificate: /c.pem, key: /k.pem}\n", "t.yaml");
  const auto c = loadConfigString(kSources + "auth:\n  anonymous: true\n", "t.yaml");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(restartRequiredChanges(*a.config, *b.config), std::vector<std::string>{"http.tls"});
  EXPECT_TRUE(restartRequiredChanges(*a.config, *c.config).empty());
}

}  // namespace
}  // namespace ccpulse
