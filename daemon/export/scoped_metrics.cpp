#include "ccpulse/export/scoped_metrics.hpp"

#include <prometheus/text_serializer.h>

#include <algorithm>
#include <sstream>

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
  std::ostringstream os;
  prometheus::TextSerializer().Serialize(os, families);
  return os.str();
}

}  // namespace ccpulse
