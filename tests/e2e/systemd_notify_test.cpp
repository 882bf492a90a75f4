// ccpulsed under a (pretend) service manager: NOTIFY_SOCKET and WATCHDOG_USEC set, a datagram
// socket standing in for systemd. Checks READY, RELOADING/READY with the reload's status line,
// WATCHDOG while the shards make progress, and STOPPING.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "../support/test_support.hpp"

namespace ccpulse::test {
namespace {

class FakeServiceManager final {
 public:
  explicit FakeServiceManager(const std::string& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
      throw std::runtime_error("bind " + path);
    }
  }
  ~FakeServiceManager() { ::close(fd_); }

  /// Collects datagrams until one contains `needle` or the deadline passes.
  bool waitFor(const std::string& needle, std::chrono::milliseconds timeout) {
    return pollUntil(
        [&] {
          std::array<char, 4096> buf{};
          for (ssize_t n; (n = ::recv(fd_, buf.data(), buf.size(), MSG_DONTWAIT)) > 0;) {
            messages_.emplace_back(buf.data(), static_cast<std::size_t>(n));
          }
          for (const auto& m : messages_) {
            if (m.find(needle) != std::string::npos) {
              return true;
            }
          }
          return false;
        },
        timeout);
  }
  [[nodiscard]] std::string all() const {
    std::string out;
    for (const auto& m : messages_) {
      out += "[" + m + "]\n";
    }
    return out;
  }

 private:
  std::string path_;
  int fd_ = -1;
  std::vector<std::string> messages_;
};

TEST(SystemdNotify, ReadyReloadWatchdogAndStopping) {
  const int httpPort = freeTcpPort();
  const std::string configPath = writeTempFile(
      "ccpulse.yaml", "http:\n  listen: 127.0.0.1:" + std::to_string(httpPort) +
                          "\nsources:\n  - name: acd\n    endpoint: tcp://127.0.0.1:" + std::to_string(freeTcpPort()) +
                          "\n");
  FakeServiceManager manager(configPath + ".notify");
  ::setenv("NOTIFY_SOCKET", (configPath + ".notify").c_str(), 1);
  ::setenv("WATCHDOG_USEC", "200000", 1);  // 200 ms: the daemon pings every 100 ms
  Process daemon(CCPULSED_PATH, {"--config", configPath}, configPath + ".log");
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");

  ASSERT_TRUE(
      manager.waitFor("READY=1\nSTATUS=serving http://127.0.0.1:" + std::to_string(httpPort), std::chrono::seconds(10)))
      << manager.all();
  ASSERT_TRUE(manager.waitFor("WATCHDOG=1", std::chrono::seconds(5))) << manager.all();
  daemon.signal(SIGHUP);  // same file: a valid reload
  ASSERT_TRUE(manager.waitFor("RELOADING=1\nMONOTONIC_USEC=", std::chrono::seconds(10))) << manager.all();
  ASSERT_TRUE(manager.waitFor("READY=1\nSTATUS=config reload 1 applied", std::chrono::seconds(10))) << manager.all();
  std::ofstream(configPath, std::ios::app) << "engine:\n  shards: 5\n";  // needs a restart
  daemon.signal(SIGHUP);
  ASSERT_TRUE(manager.waitFor("STATUS=config reload 2 rejected: changed keys need a restart: engine.shards",
                              std::chrono::seconds(10)))
      << manager.all();
  daemon.signal(SIGTERM);
  EXPECT_EQ(daemon.wait(std::chrono::seconds(10)), 0);
  EXPECT_TRUE(manager.waitFor("STOPPING=1", std::chrono::seconds(1))) << manager.all();
}

}  // namespace
}  // namespace ccpulse::test
