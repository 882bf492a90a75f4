#pragma once
/// Per-tenant budget of queue label sets, shared by every shard. Thread-safe: a mutex guards
/// the map, taken only when a shard creates a new label set (never per event in steady state,
/// and label sets are bounded), so the hot path stays lock-free.

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace ccpulse {

class SeriesBudget final {
 public:
  explicit SeriesBudget(std::size_t perTenant) : perTenant_(perTenant) {}

  /// Takes one label set from `tenant`'s budget; false when it is used up.
  bool tryTake(std::string_view tenant) {
    const std::lock_guard lock(mutex_);
    auto it = used_.find(tenant);
    if (it == used_.end()) {
      it = used_.emplace(std::string(tenant), 0).first;
    }
    if (it->second >= perTenant_) {
      return false;
    }
    ++it->second;
    return true;
  }

 private:
  std::size_t perTenant_;
  std::mutex mutex_;
  std::map<std::string, std::size_t, std::less<>> used_;
};

}  // namespace ccpulse
