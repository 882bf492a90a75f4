#pragma once
/// Loads and validates YAML config into an immutable `Config`. Thread-safe (no shared state).
/// Every problem is collected (not just the first) with its key path, file and line.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ccpulse/config/config.hpp"

namespace ccpulse {

struct ConfigError {
  std::string keyPath;  ///< e.g. "sources[0].socket"
  std::string file;
  int line = 0;    ///< 1-based; 0 when unknown
  int column = 0;  ///< 1-based; 0 when unknown
  std::string message;

  /// "file:line:column: keyPath: message"
  [[nodiscard]] std::string format() const;
};

struct ConfigLoadResult {
  std::shared_ptr<const Config> config;  ///< null when errors is non-empty
  std::vector<ConfigError> errors;
  [[nodiscard]] bool ok() const noexcept { return config != nullptr && errors.empty(); }
};

/// Reads and validates a file. Never throws; I/O and syntax problems become errors.
[[nodiscard]] ConfigLoadResult loadConfigFile(const std::string& path);
/// Same, from text; `fileName` is used in messages.
[[nodiscard]] ConfigLoadResult loadConfigString(const std::string& text, const std::string& fileName);

/// For reload: the key paths (e.g. "http.listen", "sources", "engine.shards") whose value differs
/// between the running and the newly loaded config but which only take effect after a restart.
/// Empty when everything that changed is reloadable (service_level.*, logging.level,
/// engine.aux_reasons); see docs/config.md.
[[nodiscard]] std::vector<std::string> restartRequiredChanges(const Config& running, const Config& next);

/// The config name of a format, for logs (parseSourceFormat and sourceFormatNames: config.hpp).
[[nodiscard]] std::string_view sourceFormatName(SourceFormat format);

}  // namespace ccpulse
