// The sd_notify(3) protocol, written out: it is one sendto() of a text datagram, far less than
// what a libsystemd dependency would cost to package, and it keeps the daemon buildable without it.

#include "ccpulse/app/sd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>
#include <system_error>

namespace ccpulse::sd {
namespace {

// Closes the socket on every path out of notify().
class Fd final {
 public:
  explicit Fd(int fd) noexcept : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  [[nodiscard]] int get() const noexcept { return fd_; }

 private:
  int fd_;
};

std::optional<std::uint64_t> parseUnsigned(const char* text) noexcept {
  if (text == nullptr || *text == '\0') {
    return std::nullopt;
  }
  const char* const end = text + std::strlen(text);
  std::uint64_t value = 0;
  const auto [stop, ec] = std::from_chars(text, end, value);
  if (ec != std::errc{} || stop != end) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

bool notify(std::string_view message) noexcept {
  const char* const path = std::getenv("NOTIFY_SOCKET");
  if (path == nullptr || message.empty()) {
    return false;
  }
  const std::string_view name(path);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  // Only an absolute path or an abstract name ('@' stands for the leading NUL) is valid, as in
  // sd_notify(3); anything else is a misconfiguration, not something to guess about.
  if (name.size() < 2 || (name.front() != '/' && name.front() != '@') || name.size() >= sizeof(address.sun_path)) {
    return false;
  }
  std::memcpy(address.sun_path, name.data(), name.size());
  socklen_t length = 0;
  if (name.front() == '@') {
    address.sun_path[0] = '\0';
    // An abstract name is exactly its bytes: no terminating NUL counts towards the address.
    length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
  } else {
    length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size() + 1);
  }

  const Fd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) {
    return false;
  }
  // The kernel attaches our credentials (systemd sets SO_PASSCRED), which is how the manager
  // knows the message comes from the main process; nothing else needs to travel with it.
  ssize_t sent = 0;
  do {
    sent = ::sendto(fd.get(), message.data(), message.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&address),
                    length);
  } while (sent < 0 && errno == EINTR);
  return sent == static_cast<ssize_t>(message.size());
}

std::string statusField(std::string_view text) {
  std::string field = "STATUS=";
  field.reserve(field.size() + text.size());
  for (const char c : text) {
    field += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return field;
}

bool notifyReady(std::string_view status) noexcept {
  if (status.empty()) {
    return notify("READY=1");
  }
  try {
    return notify("READY=1\n" + statusField(status));
  } catch (...) {
    return notify("READY=1");  // out of memory for the status text: readiness still matters most
  }
}

bool notifyReloading() noexcept {
  timespec now{};
  if (::clock_gettime(CLOCK_MONOTONIC, &now) != 0) {
    return notify("RELOADING=1");
  }
  const auto us = static_cast<std::uint64_t>(now.tv_sec) * 1'000'000U + static_cast<std::uint64_t>(now.tv_nsec) / 1000U;
  // A fixed buffer keeps this allocation-free: the prefix plus at most 20 digits.
  constexpr std::string_view kPrefix = "RELOADING=1\nMONOTONIC_USEC=";
  std::array<char, 64> buffer{};
  std::memcpy(buffer.data(), kPrefix.data(), kPrefix.size());
  const auto [end, ec] = std::to_chars(buffer.data() + kPrefix.size(), buffer.data() + buffer.size(), us);
  if (ec != std::errc{}) {
    return notify("RELOADING=1");
  }
  return notify(std::string_view(buffer.data(), static_cast<std::size_t>(end - buffer.data())));
}

bool notifyStopping() noexcept { return notify("STOPPING=1"); }

bool notifyWatchdog() noexcept { return notify("WATCHDOG=1"); }

bool notifyStatus(std::string_view text) noexcept {
  try {
    return notify(statusField(text));
  } catch (...) {
    return false;
  }
}

std::optional<std::chrono::microseconds> watchdogInterval() noexcept {
  const auto usec = parseUnsigned(std::getenv("WATCHDOG_USEC"));
  if (!usec || *usec == 0 || *usec > static_cast<std::uint64_t>(std::chrono::microseconds::max().count())) {
    return std::nullopt;
  }
  // The variable may have been inherited from a parent that systemd watches; only the process
  // it names (when it names one) is meant to ping.
  if (const char* const pid = std::getenv("WATCHDOG_PID"); pid != nullptr) {
    const auto owner = parseUnsigned(pid);
    if (!owner || *owner != static_cast<std::uint64_t>(::getpid())) {
      return std::nullopt;
    }
  }
  return std::chrono::microseconds(static_cast<std::int64_t>(*usec));
}

}  // namespace ccpulse::sd
