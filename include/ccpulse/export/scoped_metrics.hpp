#pragma once
/// /metrics for one caller: drops every sample whose tenant/vendor labels the caller's Scope does
/// not permit, and every sample without those labels (the daemon's own metrics: sources, shards,
/// HTTP) unless the scope sees operations (admin, prometheus). Families left empty are dropped
/// whole, so not even a HELP line hints at what was filtered. Pure functions: thread-safe.

#include <string>
#include <vector>

#include <prometheus/metric_family.h>

#include "ccpulse/http/scope.hpp"

namespace ccpulse {

void filterFamilies(std::vector<prometheus::MetricFamily>& families, const Scope& scope);
/// Filters, then serializes as text exposition format 0.0.4.
[[nodiscard]] std::string renderScoped(std::vector<prometheus::MetricFamily> families, const Scope& scope);

/// The same rule for exposition text rendered elsewhere (the contract families): comment lines
/// stay, a sample line stays only when the scope permits its `tenant` and `vendor` labels.
[[nodiscard]] std::string filterScopedText(const std::string& text, const Scope& scope);

}  // namespace ccpulse
