// End-to-end access control (issue #8): the real ccpulsed on loopback with an `auth` section,
// fed scripted events for two tenants served by two vendors. Every credential against every
// endpoint: a scoped caller must not get one byte naming another tenant's or vendor's queues,
// and the values it gets must add up to its own queues only. Also TLS (certificates made by the
// test with the openssl CLI) and the bound on stream clients.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "../support/http_client.hpp"
#include "../support/test_support.hpp"
#include "ccpulse/http/auth.hpp"

namespace ccpulse::test {
namespace {

std::string at(int seconds) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "2026-11-23T10:%02d:%02dZ", seconds / 60, seconds % 60);
  return buf;
}

struct Queue {
  std::string tenant;
  std::string vendor;
  std::string name;
  int initialWaiting;
};

// Names are unique and none is a substring of another, so a byte search is exact.
const std::vector<Queue> kQueues = {
    {"acme", "northbpo", "alpha-sales", 1},
    {"acme", "southbpo", "bravo-care", 2},
    {"globex", "northbpo", "charlie-desk", 4},
    {"globex", "southbpo", "delta-line", 8},
};

std::string queued(const Queue& q, int t, const std::string& id) {
  return R"({"type":"contact.queued","ts":")" + at(t) + R"(","tenant":")" + q.tenant + R"(","vendor":")" + q.vendor +
         R"(","queue":")" + q.name + R"(","channel":"voice","contact":")" + id + "\"}";
}

struct Credential {
  std::string label;
  Headers headers;
  std::string scope;  ///< "admin", "prometheus", "tenant:x", "vendor:y", "" = anonymous
};

bool permits(const std::string& scope, const Queue& q) {
  return scope == "admin" || scope == "prometheus" || scope == "tenant:" + q.tenant || scope == "vendor:" + q.vendor;
}

class WallboardAccessTest : public ::testing::Test {
 protected:
  static std::string userHash(const std::string& password) { return *bcryptHash(password, 4); }
  static std::string tokenHash(const std::string& token) {
    const auto d = sha256(token);
    return toHex(d.data(), d.size());
  }

  void start(const std::string& extra, bool waitForReady = true) {
    httpPort_ = freeTcpPort();
    zmqPort_ = freeTcpPort();
    const std::string config = "http:\n  listen: 127.0.0.1:" + std::to_string(httpPort_) + "\n" + extra +
                               "sources:\n  - name: acd\n    endpoint: tcp://127.0.0.1:" + std::to_string(zmqPort_) +
                               "\nengine:\n  shards: 2\n  clock: event\n";
    configPath_ = writeTempFile("ccpulse.yaml", config);
    logPath_ = configPath_ + ".log";
    daemon_ = std::make_unique<Process>(CCPULSED_PATH, std::vector<std::string>{"--config", configPath_}, logPath_);
    if (waitForReady) {
      ASSERT_TRUE(waitReady(httpPort_)) << readFile(logPath_);
    }
  }

  void TearDown() override {
    if (daemon_ && daemon_->running()) {
      daemon_->signal(SIGTERM);
      EXPECT_EQ(daemon_->wait(std::chrono::seconds(10)), 0) << readFile(logPath_);
    }
  }

  int httpPort_ = 0;
  int zmqPort_ = 0;
  std::string configPath_;
  std::string logPath_;
  std::unique_ptr<Process> daemon_;
};

TEST_F(WallboardAccessTest, IsolationMatrixEveryCredentialEveryEndpoint) {
  start(
      "auth:\n"
      "  users:\n"
      "    - {name: acme-user, password_hash: '" +
      userHash("acme-pw") +
      "', scope: 'tenant:acme'}\n"
      "    - {name: globex-user, password_hash: '" +
      userHash("globex-pw") +
      "', scope: 'tenant:globex'}\n"
      "    - {name: south-user, password_hash: '" +
      userHash("south-pw") +
      "', scope: 'vendor:southbpo'}\n"
      "    - {name: root, password_hash: '" +
      userHash("root-pw") +
      "', scope: admin}\n"
      "  tokens:\n"
      "    - {name: north-token, sha256: " +
      tokenHash("north-secret") +
      ", scope: 'vendor:northbpo'}\n"
      "    - {name: prom, sha256: " +
      tokenHash("prom-secret") + ", scope: prometheus}\n");

  // Each queue gets initialWaiting contacts at 10:00:10, and one more at 10:16:00 which moves the
  // event clock past 10:15 and closes the first 15-minute interval. Waiting at the end:
  // alpha 1+1 = 2, bravo 2+1 = 3, charlie 4+1 = 5, delta 8+1 = 9.
  std::vector<std::string> frames;
  for (const Queue& q : kQueues) {
    for (int i = 0; i < q.initialWaiting; ++i) {
      frames.push_back(queued(q, 10, q.name + "-c" + std::to_string(i)));
    }
  }
  for (const Queue& q : kQueues) {
    frames.push_back(queued(q, 16 * 60, q.name + "-late"));
  }
  pushFrames(zmqPort_, frames);

  const Headers root = basicAuth("root", "root-pw");
  // The admin sees every queue waiting its final count and the four closed intervals.
  std::string lastSeen = "no reply yet";
  ASSERT_TRUE(pollUntil(
      [&] {
        const auto m = get(httpPort_, "/metrics", root);
        const auto i = get(httpPort_, "/api/v1/intervals", root);
        if (!m || !i || m->status != 200) {
          lastSeen = std::string("metrics ") + (m ? std::to_string(m->status) : "no reply") + ", intervals " +
                     (i ? std::to_string(i->status) : "no reply");
          return false;
        }
        const auto samples = parsePrometheusText(m->body);
        double waiting = 0;
        for (const auto& s : samples) {
          waiting += s.name == "ccpulse_contacts_waiting" ? s.value : 0;
        }
        std::size_t periods = 0;
        for (std::size_t p = i->body.find("\"tenant\""); p != std::string::npos;
             p = i->body.find("\"tenant\"", p + 1)) {
          ++periods;
        }
        lastSeen =
            "waiting " + std::to_string(waiting) + ", closed intervals " + std::to_string(periods) + "\n" + i->body;
        return waiting == 19 && periods == 4;  // 2 + 3 + 5 + 9; one interval per queue
      },
      std::chrono::seconds(15)))
      << "last seen: " << lastSeen << "\n"
      << readFile(logPath_);

  const std::vector<Credential> credentials = {
      {"tenant acme (basic)", basicAuth("acme-user", "acme-pw"), "tenant:acme"},
      {"tenant globex (basic)", basicAuth("globex-user", "globex-pw"), "tenant:globex"},
      {"vendor northbpo (bearer)", bearer("north-secret"), "vendor:northbpo"},
      {"vendor southbpo (basic)", basicAuth("south-user", "south-pw"), "vendor:southbpo"},
      {"admin (basic)", root, "admin"},
      {"prometheus (bearer)", bearer("prom-secret"), "prometheus"},
      {"anonymous", {}, ""},
      {"wrong password", basicAuth("acme-user", "globex-pw"), ""},
  };
  const std::vector<std::string> endpoints = {"/", "/api/v1/stream", "/api/v1/queues", "/api/v1/intervals", "/metrics"};
  std::size_t checks = 0;
  for (const Credential& c : credentials) {
    for (const std::string& endpoint : endpoints) {
      SCOPED_TRACE(c.label + " " + endpoint);
      const auto reply = get(httpPort_, endpoint, c.headers, {}, endpoint == "/api/v1/stream");
      ASSERT_TRUE(reply);
      int expected = 200;
      if (c.scope.empty()) {
        expected = 401;
      } else if (c.scope == "prometheus" && endpoint != "/metrics") {
        expected = 403;
      }
      ASSERT_EQ(reply->status, expected) << reply->body;
      if (expected == 401) {
        EXPECT_EQ(reply->wwwAuthenticate.rfind("Basic", 0), 0U);
      }
      // Not one byte of a queue outside the scope, nor of a tenant or vendor wholly outside it.
      std::set<std::string> visibleTenants;
      std::set<std::string> visibleVendors;
      for (const Queue& q : kQueues) {
        if (!c.scope.empty() && permits(c.scope, q)) {
          visibleTenants.insert(q.tenant);
          visibleVendors.insert(q.vendor);
        }
      }
      for (const Queue& q : kQueues) {
        const bool visible = !c.scope.empty() && permits(c.scope, q);
        if (!visible) {
          EXPECT_EQ(reply->body.find(q.name), std::string::npos) << q.name << " leaked";
        }
        if (!visibleTenants.contains(q.tenant)) {
          EXPECT_EQ(reply->body.find(q.tenant), std::string::npos) << q.tenant << " leaked";
        }
        if (!visibleVendors.contains(q.vendor)) {
          EXPECT_EQ(reply->body.find(q.vendor), std::string::npos) << q.vendor << " leaked";
        }
        // And what is visible is really there (the filter does not just drop everything).
        if (visible && reply->status == 200 && endpoint != "/") {
          EXPECT_NE(reply->body.find(q.name), std::string::npos) << q.name << " missing";
        }
      }
      if (reply->status == 200 && endpoint == "/metrics") {
        // Values: the waiting gauges add up to exactly the scope's own queues.
        double expectedWaiting = 0;
        for (const Queue& q : kQueues) {
          expectedWaiting += permits(c.scope, q) ? q.initialWaiting + 1 : 0;
        }
        double waiting = 0;
        bool operations = false;
        for (const auto& s : parsePrometheusText(reply->body)) {
          waiting += s.name == "ccpulse_contacts_waiting" ? s.value : 0;
          operations = operations || s.name == "ccpulse_events_applied_total";
        }
        EXPECT_EQ(waiting, expectedWaiting);
        EXPECT_EQ(operations, c.scope == "admin" || c.scope == "prometheus");
      }
      if (reply->status == 200 && (endpoint == "/api/v1/queues" || endpoint == "/api/v1/stream")) {
        std::size_t shown = 0;
        for (const Queue& q : kQueues) {
          shown += permits(c.scope, q) ? 1 : 0;
        }
        std::size_t tiles = 0;
        for (std::size_t p = reply->body.find("\"queue\":"); p != std::string::npos;
             p = reply->body.find("\"queue\":", p + 1)) {
          ++tiles;
        }
        EXPECT_EQ(tiles, shown);
        EXPECT_NE(reply->body.find("\"scope\":\"" + c.scope + "\""), std::string::npos);
      }
      ++checks;
    }
  }
  EXPECT_EQ(checks, credentials.size() * endpoints.size());  // 8 x 5 = 40

  // Probes stay open without credentials (they name no tenant).
  const auto health = get(httpPort_, "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  // Failures were counted by reason: 5 anonymous requests (missing), 5 with a wrong password.
  const auto m = get(httpPort_, "/metrics", root);
  ASSERT_TRUE(m);
  const auto samples = parsePrometheusText(m->body);
  EXPECT_GE(findSample(samples, "ccpulse_http_auth_failures_total", {{"reason", "missing"}}).value_or(0), 5);
  EXPECT_EQ(findSample(samples, "ccpulse_http_auth_failures_total", {{"reason", "bad_password"}}), 5);
  EXPECT_EQ(findSample(samples, "ccpulse_http_auth_failures_total", {{"reason", "forbidden"}}), 4);
}

TEST_F(WallboardAccessTest, RepeatedFailuresFromOneAddressGet429) {
  start("auth:\n  rate_limit: {burst: 3, per_minute: 1}\n  users:\n    - {name: u, password_hash: '" + userHash("pw") +
        "', scope: admin}\n");
  for (int i = 0; i < 3; ++i) {
    const auto r = get(httpPort_, "/metrics", basicAuth("u", "bad"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
  }
  const auto limited = get(httpPort_, "/metrics", basicAuth("u", "pw"));  // even the right password
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429);
}

TEST_F(WallboardAccessTest, StreamClientsAreBoundedAndFreedOnDisconnect) {
  start("wallboard:\n  max_stream_clients: 1\n");  // no auth section: open, as before
  namespace asio = boost::asio;
  asio::io_context io;
  auto held = std::make_unique<asio::ip::tcp::socket>(io);
  held->connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(httpPort_)});
  const std::string request = "GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  asio::write(*held, asio::buffer(request));
  std::string head;
  asio::read_until(*held, asio::dynamic_buffer(head), "data: ");
  EXPECT_EQ(head.rfind("HTTP/1.1 200", 0), 0U);
  EXPECT_NE(head.find("text/event-stream"), std::string::npos);

  const auto refused = get(httpPort_, "/api/v1/stream", {}, {}, true);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  int refusals = 1;
  held.reset();  // the client goes away; its slot is freed when a write to it fails
  EXPECT_TRUE(pollUntil(
      [&] {
        const auto r = get(httpPort_, "/api/v1/stream", {}, {}, true);
        refusals += r && r->status == 503 ? 1 : 0;
        return r && r->status == 200 && r->body.find("\"queues\":[") != std::string::npos;
      },
      std::chrono::seconds(10)));
  const auto m = get(httpPort_, "/metrics");
  ASSERT_TRUE(m);
  // Every 503 was counted, and the open slot was counted as opened.
  EXPECT_EQ(findSample(parsePrometheusText(m->body), "ccpulse_wallboard_streams_total", {{"result", "rejected"}}),
            refusals);
}

// ---- TLS ---------------------------------------------------------------------------------------

class TlsTest : public WallboardAccessTest {
 protected:
  void SetUp() override {
    dir_ = writeTempFile("placeholder", "");
    dir_ = dir_.substr(0, dir_.rfind('/'));
    const auto run = [](const std::vector<std::string>& args) {
      const auto [code, output] = runCommand("/usr/bin/openssl", args);
      ASSERT_EQ(code, 0) << output;
    };
    // A CA, a server certificate for 127.0.0.1 and a client certificate, both signed by the CA.
    run({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=ccpulse test CA", "-keyout",
         dir_ + "/ca.key", "-out", dir_ + "/ca.pem"});
    for (const std::string name : {"server", "client"}) {
      run({"req", "-newkey", "rsa:2048", "-nodes", "-subj",
           "/CN=" + (name == "server" ? std::string("127.0.0.1") : name), "-keyout", dir_ + "/" + name + ".key", "-out",
           dir_ + "/" + name + ".csr"});
      writeFileIn(name + ".ext", name == "server" ? "subjectAltName=IP:127.0.0.1\n" : "extendedKeyUsage=clientAuth\n");
      run({"x509", "-req", "-in", dir_ + "/" + name + ".csr", "-CA", dir_ + "/ca.pem", "-CAkey", dir_ + "/ca.key",
           "-CAcreateserial", "-days", "1", "-extfile", dir_ + "/" + name + ".ext", "-out",
           dir_ + "/" + name + ".pem"});
    }
  }
  void writeFileIn(const std::string& name, const std::string& text) { std::ofstream(dir_ + "/" + name) << text; }
  std::string tlsSection(bool clientCa) {
    return "  tls:\n    certificate: " + dir_ + "/server.pem\n    key: " + dir_ + "/server.key\n" +
           (clientCa ? "    client_ca: " + dir_ + "/ca.pem\n" : "");
  }
  TlsClientOptions client() const {
    TlsClientOptions o;
    o.enabled = true;
    o.caFile = dir_ + "/ca.pem";
    return o;
  }
  bool readyOverTls(const TlsClientOptions& o) {
    return pollUntil(
        [&] {
          const auto r = get(httpPort_, "/readyz", {}, o);
          return r && r->status == 200;
        },
        std::chrono::seconds(10));
  }

  std::string dir_;
};

TEST_F(TlsTest, ServesTls12AndLaterAndRefusesTls11AndPlainHttp) {
  start(tlsSection(false), /*waitForReady=*/false);
  ASSERT_TRUE(readyOverTls(client())) << readFile(logPath_);
  TlsClientOptions v12 = client();
  v12.minVersion = TLS1_2_VERSION;
  v12.maxVersion = TLS1_2_VERSION;
  const auto r12 = get(httpPort_, "/metrics", {}, v12);
  ASSERT_TRUE(r12);
  EXPECT_EQ(r12->status, 200);
  TlsClientOptions v11 = client();
  v11.minVersion = TLS1_1_VERSION;
  v11.maxVersion = TLS1_1_VERSION;
  EXPECT_FALSE(get(httpPort_, "/metrics", {}, v11)) << "a TLS 1.1-only client must not get through";
  // And it was the server that refused it (not the client library declining to offer TLS 1.1).
  EXPECT_TRUE(pollUntil([&] { return readFile(logPath_).find("unsupported protocol") != std::string::npos; },
                        std::chrono::seconds(5)))
      << readFile(logPath_);
  const auto plain = get(httpPort_, "/metrics");
  EXPECT_FALSE(plain && plain->status == 200);
  // The wallboard stream over TLS too.
  const auto stream = get(httpPort_, "/api/v1/stream", {}, client(), true);
  ASSERT_TRUE(stream);
  EXPECT_EQ(stream->status, 200);
  EXPECT_NE(stream->body.find("\"queues\":["), std::string::npos);
}

TEST_F(TlsTest, ClientCaRequiresAClientCertificate) {
  start(tlsSection(true), /*waitForReady=*/false);
  TlsClientOptions withCert = client();
  withCert.certFile = dir_ + "/client.pem";
  withCert.keyFile = dir_ + "/client.key";
  ASSERT_TRUE(readyOverTls(withCert)) << readFile(logPath_);
  const auto anonymousClient = get(httpPort_, "/readyz", {}, client());
  EXPECT_FALSE(anonymousClient && anonymousClient->status == 200) << "no client certificate must be refused";
}

TEST_F(TlsTest, UnreadableCertificateFailsAtStartupNamingTheKey) {
  start("  tls: {certificate: /nonexistent/cert.pem, key: /nonexistent/key.pem}\n", /*waitForReady=*/false);
  EXPECT_EQ(daemon_->wait(std::chrono::seconds(10)), 3);  // kExitStartupFailed
  EXPECT_NE(readFile(logPath_).find("http.tls.certificate"), std::string::npos) << readFile(logPath_);
}

}  // namespace
}  // namespace ccpulse::test
