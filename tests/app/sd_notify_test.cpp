// sd_notify: the exact datagrams a service manager would receive, over a real AF_UNIX socket bound
// in a private temporary directory (and in the abstract namespace), with the environment set the
// way systemd sets it. Sends to a local datagram socket are queued by the time sendto() returns,
// so each message is read back without waiting.

#include "ccpulse/app/sd_notify.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace ccpulse::sd {
namespace {

constexpr std::array<const char*, 3> kVariables{"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"};

// A datagram socket standing in for systemd's notification socket.
class Receiver final {
 public:
  /// Binds to `name`: a filesystem path, or an abstract name when it starts with '@'.
  explicit Receiver(const std::string& name) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
      throw std::system_error(errno, std::generic_category(), "socket");
    }
    // Like systemd: ask for the sender's credentials on every datagram.
    const int on = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, name.data(), name.size());
    auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
    if (name.front() == '@') {
      address.sun_path[0] = '\0';
    } else {
      ++length;
    }
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&address), length) != 0) {
      const int error = errno;
      ::close(fd_);
      throw std::system_error(error, std::generic_category(), "bind " + name);
    }
  }
  ~Receiver() { ::close(fd_); }
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  struct Datagram {
    std::string text;
    pid_t senderPid = 0;
  };

  /// The next queued datagram, or nullopt when none is queued (never blocks).
  std::optional<Datagram> take() {
    std::array<char, 4096> buffer{};
    alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(ucred))> control{};
    iovec io{buffer.data(), buffer.size()};
    msghdr header{};
    header.msg_iov = &io;
    header.msg_iovlen = 1;
    header.msg_control = control.data();
    header.msg_controllen = control.size();
    const ssize_t got = ::recvmsg(fd_, &header, MSG_DONTWAIT);
    if (got < 0) {
      return std::nullopt;
    }
    Datagram datagram{std::string(buffer.data(), static_cast<std::size_t>(got)), 0};
    for (cmsghdr* c = CMSG_FIRSTHDR(&header); c != nullptr; c = CMSG_NXTHDR(&header, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
        ucred credentials{};
        std::memcpy(&credentials, CMSG_DATA(c), sizeof credentials);
        datagram.senderPid = credentials.pid;
      }
    }
    return datagram;
  }

  std::string takeText() {
    auto datagram = take();
    return datagram ? datagram->text : "<nothing>";
  }

 private:
  int fd_ = -1;
};

class SdNotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : kVariables) {
      const char* value = std::getenv(name);
      saved_.push_back(value == nullptr ? std::nullopt : std::optional<std::string>(value));
      ::unsetenv(name);
    }
    std::string pattern = (std::filesystem::temp_directory_path() / "ccpulse-sd-notify-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr) << std::strerror(errno);
    dir_ = pattern;
  }

  void TearDown() override {
    for (std::size_t i = 0; i < kVariables.size(); ++i) {
      if (saved_[i]) {
        ::setenv(kVariables[i], saved_[i]->c_str(), 1);
      } else {
        ::unsetenv(kVariables[i]);
      }
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  [[nodiscard]] std::string socketPath() const { return (dir_ / "notify").string(); }

  std::filesystem::path dir_;
  std::vector<std::optional<std::string>> saved_;
};

TEST_F(SdNotifyTest, WithoutNotifySocketEveryCallIsANoOp) {
  Receiver receiver(socketPath());
  EXPECT_FALSE(notifyReady());
  EXPECT_FALSE(notifyReady("up"));
  EXPECT_FALSE(notifyReloading());
  EXPECT_FALSE(notifyStopping());
  EXPECT_FALSE(notifyWatchdog());
  EXPECT_FALSE(notifyStatus("x"));
  EXPECT_FALSE(watchdogInterval().has_value());
  EXPECT_FALSE(receiver.take().has_value());
}

TEST_F(SdNotifyTest, SendsTheExactProtocolMessages) {
  Receiver receiver(socketPath());
  ::setenv("NOTIFY_SOCKET", socketPath().c_str(), 1);

  EXPECT_TRUE(notifyReady());
  EXPECT_EQ(receiver.takeText(), "READY=1");
  EXPECT_TRUE(notifyReady("serving 2 sources"));
  EXPECT_EQ(receiver.takeText(), "READY=1\nSTATUS=serving 2 sources");
  EXPECT_TRUE(notifyStopping());
  EXPECT_EQ(receiver.takeText(), "STOPPING=1");
  EXPECT_TRUE(notifyWatchdog());
  EXPECT_EQ(receiver.takeText(), "WATCHDOG=1");
  EXPECT_TRUE(notifyStatus("reload 3 rejected"));
  EXPECT_EQ(receiver.takeText(), "STATUS=reload 3 rejected");
  EXPECT_TRUE(notify("EXTEND_TIMEOUT_USEC=5000000"));
  EXPECT_EQ(receiver.takeText(), "EXTEND_TIMEOUT_USEC=5000000");
  EXPECT_FALSE(receiver.take().has_value());  // one datagram per call, nothing extra
}

TEST_F(SdNotifyTest, ReloadingCarriesTheMonotonicTimeOfTheCall) {
  Receiver receiver(socketPath());
  ::setenv("NOTIFY_SOCKET", socketPath().c_str(), 1);
  const auto monotonicUs = [] {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<std::uint64_t>(now.tv_sec) * 1'000'000U + static_cast<std::uint64_t>(now.tv_nsec) / 1000U;
  };
  const std::uint64_t before = monotonicUs();
  ASSERT_TRUE(notifyReloading());
  const std::uint64_t after = monotonicUs();

  const std::string text = receiver.takeText();
  const std::string prefix = "RELOADING=1\nMONOTONIC_USEC=";
  ASSERT_EQ(text.substr(0, prefix.size()), prefix) << text;
  const std::string digits = text.substr(prefix.size());
  ASSERT_FALSE(digits.empty());
  ASSERT_EQ(digits.find_first_not_of("0123456789"), std::string::npos) << text;
  const std::uint64_t sent = std::stoull(digits);
  EXPECT_GE(sent, before);
  EXPECT_LE(sent, after);
}

TEST_F(SdNotifyTest, StatusNewlinesCannotInjectFields) {
  Receiver receiver(socketPath());
  ::setenv("NOTIFY_SOCKET", socketPath().c_str(), 1);
  EXPECT_TRUE(notifyStatus("bad\nREADY=1\r\nx"));
  EXPECT_EQ(receiver.takeText(), "STATUS=bad READY=1  x");
  EXPECT_TRUE(notifyReady("a\nb"));
  EXPECT_EQ(receiver.takeText(), "READY=1\nSTATUS=a b");
  EXPECT_EQ(statusField(""), "STATUS=");
}

TEST_F(SdNotifyTest, KernelAttachesOurPidSoTheManagerCanAttributeTheMessage) {
  Receiver receiver(socketPath());
  ::setenv("NOTIFY_SOCKET", socketPath().c_str(), 1);
  ASSERT_TRUE(notifyWatchdog());
  const auto datagram = receiver.take();
  ASSERT_TRUE(datagram.has_value());
  EXPECT_EQ(datagram->senderPid, ::getpid());
}

TEST_F(SdNotifyTest, AbstractNamespaceSocket) {
  // '@' in NOTIFY_SOCKET stands for the leading NUL of an abstract address; the name is unique
  // per process and directory so parallel test runs do not collide.
  const std::string name = "@ccpulse-sd-notify-test-" + std::to_string(::getpid()) + "-" + dir_.filename().string();
  Receiver receiver(name);
  ::setenv("NOTIFY_SOCKET", name.c_str(), 1);
  EXPECT_TRUE(notifyReady());
  EXPECT_EQ(receiver.takeText(), "READY=1");
}

TEST_F(SdNotifyTest, UnusableSocketValuesFailWithoutSending) {
  Receiver receiver(socketPath());
  for (const std::string& value : {std::string(""), std::string("@"), std::string("relative/notify"),
                                   "/" + std::string(200, 'x'), (dir_ / "missing").string()}) {
    ::setenv("NOTIFY_SOCKET", value.c_str(), 1);
    EXPECT_FALSE(notifyReady()) << "NOTIFY_SOCKET=" << value;
  }
  EXPECT_FALSE(receiver.take().has_value());
}

TEST_F(SdNotifyTest, WatchdogIntervalFromEnvironment) {
  EXPECT_FALSE(watchdogInterval().has_value());
  ::setenv("WATCHDOG_USEC", "20000000", 1);
  EXPECT_EQ(watchdogInterval(), std::chrono::seconds(20));
  ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
  EXPECT_EQ(watchdogInterval(), std::chrono::seconds(20));
  // Inherited from a watched parent: not ours to ping.
  ::setenv("WATCHDOG_PID", std::to_string(::getpid() + 1).c_str(), 1);
  EXPECT_FALSE(watchdogInterval().has_value());
  ::unsetenv("WATCHDOG_PID");
  for (const char* bad : {"0", "", "abc", "-5", "12x", "99999999999999999999999"}) {
    ::setenv("WATCHDOG_USEC", bad, 1);
    EXPECT_FALSE(watchdogInterval().has_value()) << "WATCHDOG_USEC=" << bad;
  }
}

}  // namespace
}  // namespace ccpulse::sd
