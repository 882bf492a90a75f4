#pragma once
// CSV output shared by the history export (/api/v1/intervals?format=csv) and the scorecard.
// Pure functions; thread-safe.

#include <string>
#include <string_view>

namespace ccpulse {

/// One CSV field as RFC 4180 writes it: unchanged unless it holds a comma, a double quote or a
/// line break, else in double quotes with each inner quote doubled.
[[nodiscard]] std::string csvField(std::string_view text);

}  // namespace ccpulse
