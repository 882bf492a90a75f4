#include "ccpulse/config/config.hpp"

#include <array>
#include <utility>

namespace ccpulse {
namespace {

// The config-file spelling of each formula (docs/config.md lists the same names).
constexpr std::array<std::pair<ServiceLevelFormula, std::string_view>, 6> kFormulaNames{{
    {ServiceLevelFormula::kAnswered, "answered"},
    {ServiceLevelFormula::kIgnoreAbandons, "ignore_abandons"},
    {ServiceLevelFormula::kAbandonsMiss, "abandons_miss"},
    {ServiceLevelFormula::kAllMisses, "all_misses"},
    {ServiceLevelFormula::kAbandonsMet, "abandons_met"},
    {ServiceLevelFormula::kExcludeShortAbandons, "exclude_short_abandons"},
}};

// Unset fields are wildcards; a set field must equal the series' value exactly.
bool fieldMatches(const std::optional<std::string>& want, std::string_view have) noexcept {
  return !want.has_value() || *want == have;
}

int specificity(const ServiceLevelMatch& match) noexcept {
  return static_cast<int>(match.tenant.has_value()) + static_cast<int>(match.vendor.has_value()) +
         static_cast<int>(match.queue.has_value()) + static_cast<int>(match.channel.has_value());
}

}  // namespace

const ServiceLevelPolicy& ServiceLevelSettings::resolve(std::string_view tenant, std::string_view vendor,
                                                        std::string_view queue, Channel channel) const noexcept {
  const ServiceLevelPolicy* best = &defaults;
  int bestSpecificity = -1;
  for (const ServiceLevelOverride& candidate : overrides) {
    const ServiceLevelMatch& match = candidate.match;
    if (!fieldMatches(match.tenant, tenant) || !fieldMatches(match.vendor, vendor) ||
        !fieldMatches(match.queue, queue) || (match.channel.has_value() && *match.channel != channel)) {
      continue;
    }
    // Strictly greater: on a tie the override listed first keeps the win.
    const int score = specificity(match);
    if (score > bestSpecificity) {
      best = &candidate.policy;
      bestSpecificity = score;
    }
  }
  return *best;
}

std::string_view toString(ServiceLevelFormula formula) noexcept {
  for (const auto& [value, name] : kFormulaNames) {
    if (value == formula) {
      return name;
    }
  }
  return "unknown";
}

std::optional<ServiceLevelFormula> parseServiceLevelFormula(std::string_view text) noexcept {
  for (const auto& [value, name] : kFormulaNames) {
    if (name == text) {
      return value;
    }
  }
  return std::nullopt;
}

}  // namespace ccpulse
