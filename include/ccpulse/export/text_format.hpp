#pragma once
/// Building blocks of the Prometheus text exposition format 0.0.4, written straight into a
/// caller's std::string (no ostream, no locale), byte for byte as prometheus-cpp 1.0.1's
/// TextSerializer writes them, so both paths can be mixed in one /metrics body and compared in
/// tests. Pure functions: thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <prometheus/metric_family.h>

namespace ccpulse {

/// A sample value as TextSerializer writes it: "Nan", "+Inf", "-Inf", otherwise printf's "%.16g"
/// (an ostream with precision 16 in the classic locale), via std::to_chars.
void appendNumber(std::string& out, double value);
void appendNumber(std::string& out, std::uint64_t value);
/// A label value with the exposition format's escapes: backslash, double quote, line feed.
void appendEscaped(std::string& out, std::string_view value);
/// prometheus::TextSerializer::Serialize, appending to `out`.
void appendFamilies(std::string& out, const std::vector<prometheus::MetricFamily>& families);

}  // namespace ccpulse
