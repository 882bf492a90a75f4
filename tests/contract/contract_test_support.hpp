#pragma once
// Shared pieces of the contract tests: a throwaway history database and reading one term's
// sample from the tracker's exposition.

#include <unistd.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "../support/test_support.hpp"

namespace ccpulse::test {

/// A fresh directory for a history database, removed with the object. The pid keeps test
/// processes that run side by side apart.
struct TempDb {
  explicit TempDb(const std::string& name)
      : dir(std::filesystem::temp_directory_path() / ("ccpulse_contract_" + name + "_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  ~TempDb() { std::filesystem::remove_all(dir); }
  TempDb(const TempDb&) = delete;
  TempDb& operator=(const TempDb&) = delete;
  [[nodiscard]] std::string path() const { return (dir / "history.sqlite").string(); }
  std::filesystem::path dir;
};

/// The sample of `family` for contract term `term` (plus `labels`) in exposition `text`.
inline std::optional<double> termMetric(const std::string& text, const std::string& term, const std::string& family,
                                        std::map<std::string, std::string> labels = {}) {
  labels["term"] = term;
  return findSample(parsePrometheusText(text), family, labels);
}

}  // namespace ccpulse::test
