// History database at month scale (docs/performance.md): a month of 15-minute intervals for
// 1,000 queues (10 tenants × 100 queues × 96 intervals × 30 days = 2,880,000 rows), written in
// day-sized transactions like the daemon's batched writes; reports the file size, then times a
// month's scorecard of one tenant (query + aggregation of its 288,000 rows into one daily SL
// term, and the CSV).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "ccpulse/common/civil_time.hpp"
#include "ccpulse/contract/contract.hpp"
#include "ccpulse/history/history_db.hpp"

namespace ccpulse {
namespace {

constexpr int kTenants = 10;
constexpr int kQueuesPerTenant = 100;
constexpr int kDays = 30;
constexpr std::int64_t kIntervalUs = 15LL * 60 * 1'000'000;

struct MonthDb {
  std::string path;
  double writeSeconds = 0;
  double fileBytes = 0;
  std::int64_t rows = 0;
  std::int64_t firstDay = daysFromCivil(2026, 11, 1);

  MonthDb() {
    const auto dir = std::filesystem::temp_directory_path() / ("ccpulse_history_bench_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    path = (dir / "history.sqlite").string();
    HistoryDb db(path);
    const auto start = std::chrono::steady_clock::now();
    std::vector<IntervalRow> batch;
    for (int day = 0; day < kDays; ++day) {
      batch.clear();
      for (int i = 0; i < 96; ++i) {
        const std::int64_t startUs = (firstDay + day) * 86'400'000'000LL + i * kIntervalUs;
        for (int t = 0; t < kTenants; ++t) {
          for (int q = 0; q < kQueuesPerTenant; ++q) {
            IntervalRow r;
            r.tenant = "tenant-" + std::to_string(t);
            r.vendor = "vendor-" + std::to_string(q % 3);
            r.queue = r.tenant + "-q" + std::to_string(q);
            r.channel = static_cast<Channel>(q % 3);
            r.startUs = startUs;
            r.endUs = startUs + kIntervalUs;
            r.thresholdSeconds = 20;
            const auto n = static_cast<std::uint64_t>(20 + (i * 7 + q) % 30);
            r.counts.offered = n + 2;
            r.counts.answered = n;
            r.counts.answeredInThreshold = n * 4 / 5;
            r.counts.abandoned = 2;
            r.counts.waitSecondsAnswered = static_cast<double>(n) * 12.5;
            r.counts.handled = n;
            r.counts.handleSeconds = static_cast<double>(n) * 280.0;
            r.counts.surveys = n / 10;
            r.counts.csatSum = n / 10 * 4;
            batch.push_back(std::move(r));
          }
        }
      }
      db.writeIntervals(batch);
    }
    writeSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    rows = db.intervalCount();
    fileBytes = static_cast<double>(std::filesystem::file_size(path));
    if (std::filesystem::exists(path + "-wal")) {
      fileBytes += static_cast<double>(std::filesystem::file_size(path + "-wal"));
    }
    std::fprintf(stderr, "history bench: %lld rows written in %.1f s (%.0f rows/s), %.1f MiB (%.1f bytes/row)\n",
                 static_cast<long long>(rows), writeSeconds, static_cast<double>(rows) / writeSeconds,
                 fileBytes / (1024.0 * 1024.0), fileBytes / static_cast<double>(rows));
  }
  ~MonthDb() { std::filesystem::remove_all(std::filesystem::path(path).parent_path()); }
};

MonthDb& monthDb() {
  static MonthDb db;
  return db;
}

void BM_HistoryMonthScorecardOneTenant(benchmark::State& state) {
  MonthDb& month = monthDb();
  ContractSettings contracts;
  Contract c;
  c.name = "tenant-3-vendor-0";
  c.tenant = "tenant-3";
  c.vendor = "vendor-0";
  c.zone = std::make_shared<const TimeZone>(TimeZone::utc());
  ContractTerm term;
  term.name = "sl";
  term.measure = ContractMeasure::kServiceLevel;
  term.target = 0.8;
  term.period = ContractPeriod::kDay;
  c.terms.push_back(term);
  contracts.contracts.push_back(c);
  const HistoryDb db(month.path, /*readOnly=*/true);
  std::size_t rows = 0;
  for (auto _ : state) {
    const auto data = db.intervals("tenant-3", (month.firstDay - 1) * 86'400'000'000LL,
                                   (month.firstDay + kDays + 33) * 86'400'000'000LL);
    rows = data.size();
    const Scorecard card =
        buildScorecard(contracts, data, "tenant-3", "", month.firstDay, month.firstDay + kDays - 1, kIntervalUs);
    benchmark::DoNotOptimize(scorecardCsv(card));
  }
  state.counters["tenant_rows"] = static_cast<double>(rows);
  state.counters["db_rows"] = static_cast<double>(month.rows);
  state.counters["db_mib"] = month.fileBytes / (1024.0 * 1024.0);
  state.counters["write_s"] = month.writeSeconds;
}
BENCHMARK(BM_HistoryMonthScorecardOneTenant)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace
}  // namespace ccpulse
