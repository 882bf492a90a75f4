// `ccpulsectl hash-password` and `ccpulsectl hash-token`: config values for the `auth` section
// (docs/security.md). Secrets are read from stdin, never from the command line (which other
// users can see in the process list).
#include <openssl/rand.h>

#include <charconv>
#include <iostream>
#include <string>
#include <string_view>

#include "ccpulse/ctl/commands.hpp"
#include "ccpulse/http/auth.hpp"

namespace ccpulse::ctl {
namespace {

constexpr std::string_view kPasswordUsage =
    "Usage: ccpulsectl hash-password [--cost N] < password\n"
    "\n"
    "Reads one line (the password) from stdin and prints its bcrypt hash for\n"
    "auth.users[].password_hash. --cost: bcrypt cost 4..16 (default 10; each step doubles the time\n"
    "a check takes, on the daemon's HTTP thread too).\n";

constexpr std::string_view kTokenUsage =
    "Usage: ccpulsectl hash-token [--generate] [< token]\n"
    "\n"
    "Prints the SHA-256 of a bearer token for auth.tokens[].sha256. Reads the token (one line) from\n"
    "stdin, or with --generate makes a new random one (32 bytes, hex) and prints it first.\n";

std::string readLine() {
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') {
    line.pop_back();
  }
  return line;
}

}  // namespace

int runHashPassword(Args args) {
  unsigned cost = 10;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      std::cout << kPasswordUsage;
      return 0;
    }
    if (args[i] == "--cost" && i + 1 < args.size()) {
      const std::string_view v = args[++i];
      const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), cost);
      if (ec != std::errc{} || end != v.data() + v.size() || cost < 4 || cost > 16) {
        std::cerr << "ccpulsectl hash-password: --cost must be 4..16\n";
        return 2;
      }
      continue;
    }
    std::cerr << "ccpulsectl hash-password: unknown argument '" << args[i] << "'\n\n" << kPasswordUsage;
    return 2;
  }
  const std::string password = readLine();
  if (password.empty()) {
    std::cerr << "ccpulsectl hash-password: empty password on stdin\n";
    return 1;
  }
  const auto hash = bcryptHash(password, cost);
  if (!hash) {
    std::cerr << "ccpulsectl hash-password: bcrypt failed\n";
    return 1;
  }
  std::cout << *hash << "\n";
  return 0;
}

int runHashToken(Args args) {
  bool generate = false;
  for (const std::string_view a : args) {
    if (a == "--help" || a == "-h") {
      std::cout << kTokenUsage;
      return 0;
    }
    if (a == "--generate") {
      generate = true;
      continue;
    }
    std::cerr << "ccpulsectl hash-token: unknown argument '" << a << "'\n\n" << kTokenUsage;
    return 2;
  }
  std::string token;
  if (generate) {
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof bytes) != 1) {
      std::cerr << "ccpulsectl hash-token: no random bytes\n";
      return 1;
    }
    token = toHex(bytes, sizeof bytes);
    std::cout << "token:  " << token << "\n";
  } else {
    token = readLine();
  }
  if (token.empty()) {
    std::cerr << "ccpulsectl hash-token: empty token\n";
    return 1;
  }
  const auto digest = sha256(token);
  std::cout << (generate ? "sha256: " : "") << toHex(digest.data(), digest.size()) << "\n";
  return 0;
}

}  // namespace ccpulse::ctl
