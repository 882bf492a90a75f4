#pragma once
// Helpers of the end-to-end tests that check a whole set of hand-computed metric values: collect
// every mismatch (so a failure shows all of them at once), and scrape a daemon's /metrics until
// they all match or time runs out. Test code; single-threaded.

#include <chrono>
#include <cmath>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "../support/test_support.hpp"

namespace ccpulse::test {

/// `expect(name, labels, want[, tolerance])` records one line per value that is absent or off.
class MetricExpect {
 public:
  explicit MetricExpect(const std::vector<Sample>& samples) : samples_(samples) {}

  void operator()(const std::string& name, const std::map<std::string, std::string>& labels, double want,
                  double tolerance = 1e-6) {
    const auto got = findSample(samples_, name, labels);
    if (got && std::abs(*got - want) <= tolerance) {
      return;
    }
    std::string l;
    for (const auto& [k, v] : labels) {
      l += k + "=" + v + ",";
    }
    mismatches_ +=
        name + "{" + l + "} = " + (got ? std::to_string(*got) : "absent") + ", want " + std::to_string(want) + "\n";
  }

  /// Empty when every value matched.
  [[nodiscard]] const std::string& mismatches() const noexcept { return mismatches_; }

 private:
  const std::vector<Sample>& samples_;
  std::string mismatches_;
};

/// Scrapes http://127.0.0.1:port/metrics until `check` (returning the mismatches) returns "" or
/// `timeout` passes. Returns the last mismatches ("" = matched; "no scrape" if none succeeded);
/// the last samples scraped go to `last` when given.
inline std::string pollMetricsUntilMatch(int port, const std::function<std::string(const std::vector<Sample>&)>& check,
                                         std::chrono::milliseconds timeout, std::vector<Sample>* last = nullptr) {
  std::string result = "no scrape of /metrics succeeded\n";
  pollUntil(
      [&] {
        const auto r = httpGet(port, "/metrics");
        if (!r || r->status != 200) {
          return false;
        }
        std::vector<Sample> samples = parsePrometheusText(r->body);
        result = check(samples);
        if (last != nullptr) {
          *last = std::move(samples);
        }
        return result.empty();
      },
      timeout);
  return result;
}

}  // namespace ccpulse::test
