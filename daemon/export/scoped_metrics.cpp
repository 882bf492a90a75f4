#include "ccpulse/export/scoped_metrics.hpp"

#include <algorithm>

#include "ccpulse/export/text_format.hpp"

namespace ccpulse {

void filterFamilies(std::vector<prometheus::MetricFamily>& families, const Scope& scope) {
  if (scope.kind == Scope::Kind::kAdmin || scope.kind == Scope::Kind::kPrometheus) {
    return;
  }
  for (auto& f : families) {
    std::erase_if(f.metric, [&](const prometheus::ClientMetric& m) {
      const prometheus::ClientMetric::Label* tenant = nullptr;
      const prometheus::ClientMetric::Label* vendor = nullptr;
      for (const auto& l : m.label) {
        tenant = l.name == "tenant" ? &l : tenant;
        vendor = l.name == "vendor" ? &l : vendor;
      }
      if (tenant == nullptr && vendor == nullptr) {
        return !scope.seesOperations();
      }
      return !scope.permits(tenant != nullptr ? tenant->value : "", vendor != nullptr ? vendor->value : "");
    });
  }
  std::erase_if(families, [](const prometheus::MetricFamily& f) { return f.metric.empty(); });
}

std::string renderScoped(std::vector<prometheus::MetricFamily> families, const Scope& scope) {
  filterFamilies(families, scope);
  std::string out;
  appendFamilies(out, families);
  return out;
}

namespace {

std::string_view labelValue(std::string_view line, std::string_view name) {
  const std::string key = std::string(name) + "=\"";
  std::size_t pos = line.find(key);
  // Only a whole label name: preceded by '{' or ','.
  while (pos != std::string_view::npos && pos > 0 && line[pos - 1] != '{' && line[pos - 1] != ',') {
    pos = line.find(key, pos + 1);
  }
  if (pos == std::string_view::npos) {
    return {};
  }
  const std::size_t begin = pos + key.size();
  const std::size_t end = line.find('"', begin);
  return end == std::string_view::npos ? std::string_view{} : line.substr(begin, end - begin);
}

}  // namespace

std::string filterScopedText(const std::string& text, const Scope& scope) {
  if (scope.seesOperations()) {
    return text;
  }
  // A family's HELP and TYPE lines are written only before its first permitted sample, so a
  // family with nothing to show leaves no trace (as renderScoped does).
  std::string out;
  std::string pendingComments;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    const std::string_view line(text.data() + pos, end - pos);
    if (line.starts_with("# HELP")) {
      pendingComments.clear();
    }
    if (line.starts_with('#')) {
      pendingComments.append(line);
      pendingComments += '\n';
    } else if (!line.empty() && scope.permits(labelValue(line, "tenant"), labelValue(line, "vendor"))) {
      out += pendingComments;
      pendingComments.clear();
      out.append(line);
      out += '\n';
    }
    pos = end + 1;
  }
  return out;
}

}  // namespace ccpulse
