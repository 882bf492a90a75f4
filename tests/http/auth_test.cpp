// Access control primitives and the gate, without a server: constant-time compare, SHA-256,
// base64, bcrypt, the failure rate limiter (injected times) and AccessGate decisions.
#include "ccpulse/http/auth.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "ccpulse/export/scoped_metrics.hpp"

namespace ccpulse {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

std::string basic(const std::string& userColonPassword) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  const std::string& in = userColonPassword;
  for (std::size_t i = 0; i < in.size(); i += 3) {
    const auto byte = [&](std::size_t k) { return k < in.size() ? static_cast<unsigned char>(in[k]) : 0U; };
    const unsigned group = (byte(i) << 16U) | (byte(i + 1) << 8U) | byte(i + 2);
    out += kAlphabet[(group >> 18U) & 63U];
    out += kAlphabet[(group >> 12U) & 63U];
    out += i + 1 < in.size() ? kAlphabet[(group >> 6U) & 63U] : '=';
    out += i + 2 < in.size() ? kAlphabet[group & 63U] : '=';
  }
  return "Basic " + out;
}

TEST(ConstantTimeEqual, ComparesContentAndLength) {
  EXPECT_TRUE(constantTimeEqual("abc", "abc"));
  EXPECT_TRUE(constantTimeEqual("", ""));
  EXPECT_FALSE(constantTimeEqual("abc", "abd"));
  EXPECT_FALSE(constantTimeEqual("abc", "xbc"));
  EXPECT_FALSE(constantTimeEqual("abc", "abcd"));
  const std::string withNul("a\0b", 3);
  EXPECT_FALSE(constantTimeEqual(withNul, std::string("a\0c", 3)));  // not a C-string compare
}

TEST(Sha256, KnownVector) {
  // FIPS 180-2 example: SHA-256("abc").
  const auto d = sha256("abc");
  EXPECT_EQ(toHex(d.data(), d.size()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Base64, DecodesPaddingAndRejectsGarbage) {
  EXPECT_EQ(base64Decode("YWxpY2U6c2VjcmV0"), "alice:secret");
  EXPECT_EQ(base64Decode("YQ=="), "a");
  EXPECT_EQ(base64Decode("YWI="), "ab");
  EXPECT_FALSE(base64Decode("YWJ"));
  EXPECT_FALSE(base64Decode("Y*==").has_value());
}

TEST(Bcrypt, HashThenVerify) {
  const auto hash = bcryptHash("correct horse", 4);
  ASSERT_TRUE(hash);
  EXPECT_EQ(hash->substr(0, 7), "$2b$04$");
  EXPECT_EQ(hash->size(), 60U);
  EXPECT_TRUE(bcryptVerify("correct horse", *hash));
  EXPECT_FALSE(bcryptVerify("correct horsf", *hash));
  EXPECT_FALSE(bcryptVerify("", *hash));
  EXPECT_FALSE(bcryptVerify("correct horse", "not a hash"));
}

TEST(FailureLimiter, BurstThenRefillPerMinute) {
  // burst 3, 6 per minute = one token every 10 s.
  FailureLimiter limiter(3, 6, 100);
  const std::int64_t t0 = 1000 * kSecond;
  EXPECT_TRUE(limiter.allowed("10.0.0.1", t0));
  for (int i = 0; i < 3; ++i) {
    limiter.recordFailure("10.0.0.1", t0);
  }
  EXPECT_FALSE(limiter.allowed("10.0.0.1", t0));
  EXPECT_TRUE(limiter.allowed("10.0.0.2", t0));  // per address
  EXPECT_FALSE(limiter.allowed("10.0.0.1", t0 + 9 * kSecond));
  EXPECT_TRUE(limiter.allowed("10.0.0.1", t0 + 10 * kSecond));  // one token back after 10 s
  limiter.recordFailure("10.0.0.1", t0 + 10 * kSecond);
  EXPECT_FALSE(limiter.allowed("10.0.0.1", t0 + 11 * kSecond));
}

TEST(FailureLimiter, TableIsBoundedAndEvictsTheIdlest) {
  FailureLimiter limiter(1, 1, 2);
  limiter.recordFailure("a", 1 * kSecond);
  limiter.recordFailure("b", 2 * kSecond);
  limiter.recordFailure("c", 3 * kSecond);  // evicts "a", the idlest
  EXPECT_EQ(limiter.size(), 2U);
  EXPECT_EQ(limiter.evictions(), 1U);
  EXPECT_TRUE(limiter.allowed("a", 3 * kSecond));
  EXPECT_FALSE(limiter.allowed("c", 3 * kSecond));
}

class GateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AuthSettings auth;
    auth.failureBurst = 3;
    auth.failuresPerMinute = 6;
    auth.users.push_back({"alice", *bcryptHash("alice-pw", 4), {ScopeSettings::Kind::kTenant, "acme"}});
    auth.users.push_back({"root", *bcryptHash("root-pw", 4), {ScopeSettings::Kind::kAdmin, ""}});
    auth.tokens.push_back({"prom", sha256("prom-token"), {ScopeSettings::Kind::kPrometheus, ""}});
    auth.tokens.push_back({"bpo", sha256("bpo-token"), {ScopeSettings::Kind::kVendor, "bpo"}});
    gate_ = std::make_unique<AccessGate>(auth);
    gate_->route("/healthz", Access::kPublic);
    gate_->route("/metrics", Access::kMetrics);
    gate_->route("/api/v1/queues", Access::kScoped);
    gate_->route("/assets/", Access::kScoped);
  }

  std::pair<unsigned, Scope> ask(const std::string& target, const std::string& authorization,
                                 std::int64_t now = 100 * kSecond, const std::string& from = "192.0.2.1") {
    HttpRequest r{"GET", target, authorization, from, Scope{}};
    const auto refused = gate_->admit(r, now);
    return {refused ? refused->status : 200U, r.scope};
  }

  std::unique_ptr<AccessGate> gate_;
};

TEST_F(GateTest, AnonymousIsRefusedWithAChallengeButProbesAreOpen) {
  HttpRequest r{"GET", "/api/v1/queues", "", "192.0.2.1", Scope{}};
  const auto refused = gate_->admit(r, 0);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401U);
  ASSERT_EQ(refused->headers.size(), 1U);
  EXPECT_EQ(refused->headers[0].first, "WWW-Authenticate");
  EXPECT_EQ(gate_->failures(AuthFailure::kMissing), 1U);
  EXPECT_EQ(ask("/healthz", "").first, 200U);
}

TEST_F(GateTest, CredentialsMapToTheirScopes) {
  auto [status, scope] = ask("/api/v1/queues", basic("alice:alice-pw"));
  EXPECT_EQ(status, 200U);
  EXPECT_EQ(scope.describe(), "tenant:acme");
  EXPECT_TRUE(scope.permits("acme", "any"));
  EXPECT_FALSE(scope.permits("globex", "any"));
  std::tie(status, scope) = ask("/api/v1/queues?x=1", "Bearer bpo-token");
  EXPECT_EQ(status, 200U);
  EXPECT_EQ(scope.describe(), "vendor:bpo");
  EXPECT_TRUE(scope.permits("globex", "bpo"));
  EXPECT_FALSE(scope.permits("acme", "other"));
  EXPECT_EQ(ask("/metrics", "bearer prom-token").first, 200U);  // scheme is case-insensitive
}

TEST_F(GateTest, RouteClassesAreEnforced) {
  EXPECT_EQ(ask("/api/v1/queues", "Bearer prom-token").first, 403U);       // prometheus: /metrics only
  EXPECT_EQ(ask("/api/v1/unknown", basic("alice:alice-pw")).first, 403U);  // unlisted route: admin only
  EXPECT_EQ(ask("/api/v1/unknown", basic("root:root-pw")).first, 200U);
  EXPECT_EQ(ask("/assets/wallboard.js", basic("alice:alice-pw")).first, 200U);  // prefix route
  EXPECT_EQ(gate_->failures(AuthFailure::kForbidden), 2U);
}

TEST_F(GateTest, WrongCredentialsAreCountedByReasonThenRateLimited) {
  EXPECT_EQ(ask("/metrics", basic("alice:wrong")).first, 401U);
  EXPECT_EQ(ask("/metrics", basic("mallory:x")).first, 401U);
  EXPECT_EQ(ask("/metrics", "Bearer nope").first, 401U);
  // Burst of 3 used up: the next attempt is refused before any check, even a correct one.
  EXPECT_EQ(ask("/metrics", basic("alice:alice-pw")).first, 429U);
  EXPECT_EQ(ask("/metrics", basic("alice:alice-pw"), 100 * kSecond, "192.0.2.2").first, 200U);  // other address
  EXPECT_EQ(gate_->failures(AuthFailure::kBadPassword), 1U);
  EXPECT_EQ(gate_->failures(AuthFailure::kUnknownUser), 1U);
  EXPECT_EQ(gate_->failures(AuthFailure::kBadToken), 1U);
  EXPECT_EQ(gate_->failures(AuthFailure::kRateLimited), 1U);
  // 6 per minute: 10 s later one attempt is allowed again.
  EXPECT_EQ(ask("/metrics", basic("alice:alice-pw"), 110 * kSecond).first, 200U);
  EXPECT_EQ(ask("/metrics", "Garbage", 110 * kSecond + 1).first, 401U);
  EXPECT_EQ(gate_->failures(AuthFailure::kMalformed), 1U);
}

TEST(GateTiming, UnknownUsersCostABcryptCheckToo) {
  // Cost 8 makes one check take milliseconds, so "no check at all" (microseconds) and "one
  // check" are far apart even on a loaded machine: an unknown user must take at least a third of
  // a wrong password's time, otherwise user names could be probed by timing.
  AuthSettings auth;
  auth.failureBurst = 1000;
  auth.users.push_back({"alice", *bcryptHash("pw", 8), {ScopeSettings::Kind::kAdmin, ""}});
  AccessGate gate(auth);
  gate.route("/x", Access::kScoped);
  const auto timeOf = [&](const std::string& credentials) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 5; ++i) {
      HttpRequest r{"GET", "/x", basic(credentials), "192.0.2.9", Scope{}};
      EXPECT_TRUE(gate.admit(r, 0));
    }
    return std::chrono::steady_clock::now() - start;
  };
  const auto wrongPassword = timeOf("alice:nope");
  const auto unknownUser = timeOf("nobody-at-all:nope");
  EXPECT_GT(unknownUser * 3, wrongPassword);
}

TEST_F(GateTest, WithoutAuthEveryoneIsAdmin) {
  AccessGate open(std::nullopt);
  HttpRequest r{"GET", "/anything", "", "192.0.2.1", Scope{Scope::Kind::kTenant, "x", ""}};
  EXPECT_FALSE(open.admit(r, 0));
  EXPECT_TRUE(r.scope.isAdmin());
}

TEST(ScopedMetrics, KeepsOnlyPermittedSeriesAndHidesOperations) {
  std::vector<prometheus::MetricFamily> families(2);
  families[0].name = "ccpulse_contacts_waiting";
  families[0].type = prometheus::MetricType::Gauge;
  for (const auto& [t, v] : {std::pair{"acme", "bpo"}, std::pair{"globex", "bpo"}, std::pair{"acme", "inhouse"}}) {
    prometheus::ClientMetric m;
    m.label = {{"tenant", t}, {"vendor", v}, {"queue", "q"}};
    families[0].metric.push_back(m);
  }
  families[1].name = "ccpulse_frames_received_total";
  families[1].type = prometheus::MetricType::Counter;
  families[1].metric.emplace_back();
  families[1].metric.back().label = {{"source", "acd"}};

  const std::string tenant = renderScoped(families, Scope{Scope::Kind::kTenant, "acme", ""});
  EXPECT_NE(tenant.find("tenant=\"acme\",vendor=\"bpo\""), std::string::npos);
  EXPECT_NE(tenant.find("vendor=\"inhouse\""), std::string::npos);
  EXPECT_EQ(tenant.find("globex"), std::string::npos);
  EXPECT_EQ(tenant.find("frames_received"), std::string::npos);  // not even HELP/TYPE

  const std::string vendor = renderScoped(families, Scope{Scope::Kind::kVendor, "bpo", ""});
  EXPECT_NE(vendor.find("globex"), std::string::npos);
  EXPECT_EQ(vendor.find("inhouse"), std::string::npos);

  const std::string prom = renderScoped(families, Scope{Scope::Kind::kPrometheus, "", ""});
  EXPECT_NE(prom.find("frames_received"), std::string::npos);
  EXPECT_NE(prom.find("inhouse"), std::string::npos);
}

}  // namespace
}  // namespace ccpulse
