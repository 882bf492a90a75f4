#pragma once
/// Spare response bodies for large, repeated responses (`/metrics`: ~100 MB at 10,000 label
/// sets). glibc serves an allocation that large with a fresh mmap and unmaps it on free, so a
/// body built in a new string first-touches every page again on each scrape (about a quarter of
/// the render's CPU, issue #10). A body taken from here keeps its capacity from the last use;
/// HttpServer hands it back through HttpResponse::recycleBody once the write has finished.
///
/// Thread-safe (a mutex: taken twice per scrape, never on an ingest thread). Memory is bounded:
/// at most `maxSpare` bodies are kept, and a body is not kept when its capacity exceeds twice
/// what it last held plus 1 MiB (the label sets shrank, e.g. after a reload or eviction), so the
/// pool holds at most about maxSpare x (the largest recent response).

#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

namespace ccpulse {

class BodyPool final {
 public:
  explicit BodyPool(std::size_t maxSpare = 2) : maxSpare_(maxSpare) {}

  /// An empty string, with the capacity of a recycled body when there is one.
  [[nodiscard]] std::string take() {
    std::lock_guard lock(mutex_);
    if (spare_.empty()) {
      return {};
    }
    std::string body = std::move(spare_.back());
    spare_.pop_back();
    body.clear();
    return body;
  }

  /// Returns a body whose response has been written; kept or freed by the rule above.
  void give(std::string&& body) {
    constexpr std::size_t kSlack = std::size_t{1} << 20;
    if (body.capacity() > 2 * body.size() + kSlack) {
      return;  // freed here, outside the lock
    }
    std::lock_guard lock(mutex_);
    if (spare_.size() < maxSpare_) {
      spare_.push_back(std::move(body));
    }
  }

  [[nodiscard]] std::size_t spareCount() const {
    std::lock_guard lock(mutex_);
    return spare_.size();
  }

 private:
  std::size_t maxSpare_;
  mutable std::mutex mutex_;
  std::vector<std::string> spare_;
};

}  // namespace ccpulse
