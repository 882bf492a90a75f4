#include "ccpulse/export/queue_exposition.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <string_view>
#include <tuple>

#include "ccpulse/config/duration.hpp"
#include "ccpulse/export/text_format.hpp"
#include "queue_families.hpp"

namespace ccpulse {
namespace {

namespace qf = queue_families;

/// How the MetricFamily path merges the "_other" series of one (tenant, vendor, channel) that
/// several shards hold (MetricsExporter's mergeOverflowDuplicates, rule for rule): counters and
/// histograms add up, the oldest wait takes the maximum, and a gauge the name rules call a ratio
/// is left out once two shards have it; the remaining gauges add up.
enum class Merge : std::uint8_t { kSum, kMax, kKeepFirst, kDropIfSeveral };

Merge gaugeMerge(std::string_view name) {
  const auto has = [&](std::string_view part) { return name.find(part) != std::string_view::npos; };
  const bool isRatio = name != qf::kWaiting.name && name != qf::kOldest.name && !has("_offered") && !has("_answered") &&
                       !has("_abandoned");
  if (name == qf::kOldest.name) {
    return Merge::kMax;
  }
  if (isRatio) {
    return Merge::kDropIfSeveral;
  }
  if (has("start_timestamp") || has("_target") || has("_threshold")) {
    return Merge::kKeepFirst;
  }
  return Merge::kSum;
}

/// One scrape's working state: the series as of the start of the scrape and their formatted
/// label blocks.
class Render final {
 public:
  Render(std::string& out, const Scope* scope) : out_(out), scope_(scope) {}

  void addSeries(const QueueSeries& s) {
    const auto i = static_cast<std::uint32_t>(series_.size());
    series_.push_back(&s);
    labels_ += "{tenant=\"";
    appendEscaped(labels_, s.tenant);
    labels_ += "\",vendor=\"";
    appendEscaped(labels_, s.vendor);
    labels_ += "\",queue=\"";
    appendEscaped(labels_, s.queue);
    labels_ += "\",channel=\"";
    appendEscaped(labels_, toString(s.channel));
    labels_ += '"';
    labelEnd_.push_back(labels_.size());
    visible_.push_back(scope_ == nullptr || scope_->permits(s.tenant, s.vendor) ? 1 : 0);
    groupOf_.push_back(-1);
    if (s.queue == "_other") {
      overflow_.push_back(i);
    }
  }

  /// Groups the "_other" series with equal labels (only the label-set caps create them, in
  /// whichever shard an event routes to).
  void groupOverflow() {
    if (overflow_.size() < 2) {
      return;
    }
    std::map<std::tuple<std::string_view, std::string_view, Channel>, std::vector<std::uint32_t>> byKey;
    for (const std::uint32_t i : overflow_) {
      byKey[{series_[i]->tenant, series_[i]->vendor, series_[i]->channel}].push_back(i);
    }
    for (auto& [key, members] : byKey) {
      if (members.size() < 2) {
        continue;
      }
      for (const std::uint32_t i : members) {
        groupOf_[i] = static_cast<std::int32_t>(groups_.size());
      }
      groups_.push_back(std::move(members));
    }
  }

  /// A value family: `extras[k]` is sample k's extra label (`,name="value"`, or empty), and
  /// read(series, k, value) says whether series has sample k.
  template <typename Read>
  void values(std::string_view name, std::string_view help, std::string_view type, Merge merge,
              const std::vector<std::string>& extras, Read read) {
    bool headWritten = false;
    for (std::size_t i = 0; i < series_.size(); ++i) {
      if (visible_[i] == 0) {
        continue;
      }
      for (std::size_t k = 0; k < extras.size(); ++k) {
        double v = 0;
        if (groupOf_[i] < 0 ? !read(*series_[i], k, v) : !merged(i, k, merge, read, v)) {
          continue;
        }
        if (!headWritten) {
          familyHead(name, help, type);
          headWritten = true;
        }
        lineHead(name, {}, i, extras[k]);
        appendNumber(out_, v);
        out_ += '\n';
      }
    }
  }

  void histogram(std::string_view name, std::string_view help, const PubHistogram QueueSeries::*member) {
    bool headWritten = false;
    for (std::size_t i = 0; i < series_.size(); ++i) {
      if (visible_[i] == 0) {
        continue;
      }
      const PubHistogram& h = series_[i]->*member;
      const std::size_t buckets = h.bounds().size() + 1;
      counts_.assign(buckets, 0);
      double sum = 0;
      if (groupOf_[i] < 0) {
        add(h, sum);
      } else {
        const auto& members = groups_[static_cast<std::size_t>(groupOf_[i])];
        if (members.front() != i) {
          continue;  // merged into the group's first series
        }
        for (const std::uint32_t m : members) {
          add(series_[m]->*member, sum);
        }
      }
      if (!headWritten) {
        familyHead(name, help, "histogram");
        headWritten = true;
      }
      const std::vector<std::string>& le = leLabels(h.bounds());
      lineHead(name, "_count", i, {});
      appendNumber(out_, counts_.back());
      out_ += '\n';
      lineHead(name, "_sum", i, {});
      appendNumber(out_, sum);
      out_ += '\n';
      for (std::size_t b = 0; b < buckets; ++b) {
        lineHead(name, "_bucket", i, le[b]);
        appendNumber(out_, counts_[b]);
        out_ += '\n';
      }
    }
  }

 private:
  /// Adds one histogram's cumulative bucket counts (and its sum) to counts_. The total comes
  /// from the buckets, so +Inf always equals _count even mid-update (as the MetricFamily path).
  void add(const PubHistogram& h, double& sum) {
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < counts_.size(); ++b) {
      cumulative += h.bucketCount(b);
      counts_[b] += cumulative;
    }
    sum += h.sum();
  }

  /// Sample k of series i when i belongs to an overflow group: it appears once, at the first
  /// member that has it, with the members' values merged.
  template <typename Read>
  bool merged(std::size_t i, std::size_t k, Merge merge, Read& read, double& v) const {
    int present = 0;
    for (const std::uint32_t m : groups_[static_cast<std::size_t>(groupOf_[i])]) {
      double x = 0;
      if (!read(*series_[m], k, x)) {
        continue;
      }
      if (present++ == 0) {
        if (m != i) {
          return false;
        }
        v = x;
      } else if (merge == Merge::kSum) {
        v += x;
      } else if (merge == Merge::kMax) {
        v = std::max(v, x);
      }
    }
    return present > 0 && !(merge == Merge::kDropIfSeveral && present >= 2);
  }

  void familyHead(std::string_view name, std::string_view help, std::string_view type) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }

  void lineHead(std::string_view name, std::string_view suffix, std::size_t i, std::string_view extra) {
    const std::size_t begin = i == 0 ? 0 : labelEnd_[i - 1];
    out_ += name;
    out_ += suffix;
    out_.append(labels_, begin, labelEnd_[i] - begin);
    out_ += extra;
    out_ += "} ";
  }

  const std::vector<std::string>& leLabels(const std::vector<double>& bounds) {
    if (leFor_ != &bounds) {
      le_.clear();
      for (const double b : bounds) {
        std::string l = ",le=\"";
        appendNumber(l, b);
        l += '"';
        le_.push_back(std::move(l));
      }
      le_.emplace_back(",le=\"+Inf\"");
      leFor_ = &bounds;
    }
    return le_;
  }

  std::string& out_;
  const Scope* scope_;
  std::vector<const QueueSeries*> series_;
  std::string labels_;  ///< every series' `{tenant="..",vendor="..",queue="..",channel=".."`, back to back
  std::vector<std::size_t> labelEnd_;
  std::vector<char> visible_;
  std::vector<std::uint32_t> overflow_;
  std::vector<std::int32_t> groupOf_;
  std::vector<std::vector<std::uint32_t>> groups_;
  std::vector<std::uint64_t> counts_;
  const std::vector<double>* leFor_ = nullptr;
  std::vector<std::string> le_;
};

std::string extraLabel(std::string_view name, std::string_view value) {
  std::string s = ",";
  s += name;
  s += "=\"";
  appendEscaped(s, value);
  s += '"';
  return s;
}

}  // namespace

QueueExposition::QueueExposition(const Engine& engine) : engine_(engine) {
  for (const auto& w : engine_.settings().windows) {
    windowLabels_.push_back(formatDuration(w));
  }
}

void QueueExposition::render(std::string& out, const Scope* scope) const {
  const std::size_t startSize = out.size();
  out.reserve(startSize + lastBytes_.load(std::memory_order_relaxed) * 9 / 8);
  Render r(out, scope);
  // One snapshot of the lists for every family, so all families show the same series.
  for (std::size_t shard = 0; shard < engine_.shardCount(); ++shard) {
    const auto& list = engine_.shard(shard).queueSeries();
    const std::size_t n = list.size();
    for (std::size_t i = 0; i < n; ++i) {
      r.addSeries(list.at(i));
    }
  }
  r.groupOverflow();

  const std::vector<std::string> none{std::string()};
  for (const auto& def : qf::kCounters) {
    r.values(def.name, def.help, "counter", Merge::kSum, none,
             [read = def.read](const QueueSeries& s, std::size_t, double& v) {
               v = read(s);
               return true;
             });
  }
  std::vector<std::string> reasons;
  for (std::size_t k = 0; k < kDequeueReasonCount; ++k) {
    reasons.push_back(extraLabel("reason", toString(static_cast<DequeueReason>(k))));
  }
  r.values(qf::kDequeued.name, qf::kDequeued.help, "counter", Merge::kSum, reasons,
           [](const QueueSeries& s, std::size_t k, double& v) {
             v = static_cast<double>(s.dequeued[k].get());
             return true;
           });
  r.values(qf::kSelfService.name, qf::kSelfService.help, "counter", Merge::kSum,
           {extraLabel("contained", "true"), extraLabel("contained", "false")},
           [](const QueueSeries& s, std::size_t k, double& v) {
             v = static_cast<double>(k == 0 ? s.selfServiceContained.get() : s.selfServiceEscalated.get());
             return true;
           });
  r.histogram(qf::kWait.name, qf::kWait.help, &QueueSeries::waitHistogram);
  r.histogram(qf::kAbandonWait.name, qf::kAbandonWait.help, &QueueSeries::abandonWaitHistogram);
  const auto gauge = [&](const qf::Text& t, const std::vector<std::string>& extras, auto read) {
    r.values(t.name, t.help, "gauge", gaugeMerge(t.name), extras, read);
  };
  gauge(qf::kWaiting, none, [](const QueueSeries& s, std::size_t, double& v) {
    v = static_cast<double>(s.waiting.get());
    return true;
  });
  gauge(qf::kOldest, none, [](const QueueSeries& s, std::size_t, double& v) {
    v = s.oldestWaitingSeconds.get();
    return true;
  });
  std::vector<std::string> windows;
  for (const auto& w : windowLabels_) {
    windows.push_back(extraLabel("window", w));
  }
  // A windowed gauge is NaN while undefined (no denominator) and then not exported.
  const auto windowed = [](PubF64 WindowGauges::*field) {
    return [field](const QueueSeries& s, std::size_t w, double& v) {
      v = (s.windows[w].*field).get();
      return !std::isnan(v);
    };
  };
  gauge(qf::kServiceLevel, windows, windowed(&WindowGauges::serviceLevel));
  gauge(qf::kTarget, none, [](const QueueSeries& s, std::size_t, double& v) {
    v = s.publishedTarget.get();
    return true;
  });
  gauge(qf::kThreshold, none, [](const QueueSeries& s, std::size_t, double& v) {
    v = s.publishedThresholdSeconds.get();
    return true;
  });
  gauge(qf::kAsa, windows, windowed(&WindowGauges::asaSeconds));
  gauge(qf::kAht, windows, windowed(&WindowGauges::ahtSeconds));
  gauge(qf::kAbandonRate, windows, windowed(&WindowGauges::abandonRate));
  gauge(qf::kTransferRate, windows, windowed(&WindowGauges::transferRate));

  // Interval and day: [0] current so far, [1] last closed; a period that does not exist yet
  // (start 0) has no samples, nor has an undefined (NaN) gauge.
  const auto periods = [&](const char* prefix, const char* note, const char* label,
                           std::array<PeriodGauges, 2> QueueSeries::*member) {
    const std::vector<std::string> which{extraLabel(label, "current"), extraLabel(label, "last")};
    for (const auto& def : qf::kPeriods) {
      const std::string name = std::string(prefix) + def.suffix;
      const std::string help = std::string(def.help) + note;
      r.values(name, help, "gauge", gaugeMerge(name), which,
               [member, field = def.field](const QueueSeries& s, std::size_t k, double& v) {
                 const PeriodGauges& g = (s.*member)[k];
                 if (g.startSeconds.get() == 0) {
                   return false;
                 }
                 v = (g.*field).get();
                 return !std::isnan(v);
               });
    }
  };
  periods("ccpulse_interval_", qf::kIntervalHelpNote, "interval", &QueueSeries::interval);
  periods("ccpulse_day_", qf::kDayHelpNote, "day", &QueueSeries::day);

  if (scope == nullptr || scope->seesOperations()) {
    lastBytes_.store(out.size() - startSize, std::memory_order_relaxed);
  }
}

}  // namespace ccpulse
