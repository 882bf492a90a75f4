#pragma once
/// Human-readable durations as written in the config file: a non-negative integer followed by a
/// unit, e.g. `500ms`, `20s`, `15m`, `1h`, `1d`. Pure functions; thread-safe.
///
/// Units: `us` (microseconds), `ms`, `s`, `m` (minutes), `h`, `d` (24 h). Exactly one number and
/// one unit: no sign, no fraction, no spaces, no compound forms like `1h30m` (write `90m`).

#include <optional>
#include <string>
#include <string_view>

#include "ccpulse/config/config.hpp"

namespace ccpulse {

/// Parses `text`; nullopt when it is not a valid duration (including a bare number with no unit,
/// a negative value, or a value that does not fit in 64-bit microseconds).
[[nodiscard]] std::optional<Micros> parseDuration(std::string_view text) noexcept;

/// Same, and on failure sets `whyNot` to a message fit for a config error, e.g.
/// "duration needs a unit, e.g. 20s". `whyNot` is left untouched on success.
[[nodiscard]] std::optional<Micros> parseDuration(std::string_view text, std::string& whyNot);

/// Formats with the largest unit that represents the value exactly: 90s -> "90s",
/// 3600s -> "1h", 1500us -> "1500us", 0 -> "0s". Negative values get a leading '-'.
/// For any non-negative value, `parseDuration(formatDuration(d)) == d`.
[[nodiscard]] std::string formatDuration(Micros duration);

}  // namespace ccpulse
