#pragma once
// Helpers for tests that run the real ccpulsed process on loopback: free ports, child processes,
// HTTP GET, a Prometheus text parser and polling with a deadline (no sleeps to wait for things).

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ccpulse::test {

/// A TCP port that was free a moment ago (bound to 0 and released).
int freeTcpPort();

/// Writes `text` to a new file in a fresh temp directory; returns its path.
std::string writeTempFile(const std::string& name, const std::string& text);

/// The whole file, byte for byte (binary mode); empty when it cannot be read (a daemon log that
/// was never written, say), so a failure message can always include it.
std::string readFile(const std::string& path);

/// A child process; killed (SIGKILL) on destruction if still running.
class Process final {
 public:
  Process(const std::string& path, const std::vector<std::string>& args, const std::string& logPath);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  void signal(int sig) const;
  /// Waits up to `timeout` for exit; returns the exit code, or nullopt on timeout. A death by
  /// signal returns 128 + signal.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  [[nodiscard]] bool running();
  [[nodiscard]] int pid() const noexcept { return pid_; }

 private:
  int pid_ = -1;
  std::optional<int> status_;
};

/// Runs a command to completion, capturing stdout+stderr; returns {exit code, output}.
std::pair<int, std::string> runCommand(const std::string& path, const std::vector<std::string>& args);

struct HttpResult {
  int status = 0;
  std::string contentType;
  std::string body;
};
/// GET http://127.0.0.1:port/target; nullopt when the connection fails.
std::optional<HttpResult> httpGet(int port, const std::string& target);

/// Parsed Prometheus text exposition: one entry per sample.
struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};
std::vector<Sample> parsePrometheusText(const std::string& text);

/// The value of the one sample named `name` whose labels include `labels`; nullopt when there
/// is none; throws when several match (the test named too few labels).
std::optional<double> findSample(const std::vector<Sample>& samples, const std::string& name,
                                 const std::map<std::string, std::string>& labels = {});

/// Waits up to 10 s for the daemon's /readyz to answer 200.
bool waitReady(int httpPort);

/// Sends each frame once over a ZeroMQ PUSH socket connected to tcp://127.0.0.1:port, with an
/// unbounded send queue, and waits (linger) until everything is handed to the peer.
void pushFrames(int port, const std::vector<std::string>& frames);

/// Polls `condition` until true or the deadline passes; returns its last result.
bool pollUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

}  // namespace ccpulse::test
