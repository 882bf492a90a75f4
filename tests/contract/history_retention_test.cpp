// History retention, database part: HistoryDb::deleteIntervalsBefore deletes a tenant's
// intervals that ended by the cutoff and keeps closed contract periods. The config key
// state.history_retention_days is tested in tests/config/history_retention_config_test.cpp, the
// daemon's deletes in tests/e2e/contract_restart_test.cpp.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "ccpulse/history/history_db.hpp"

namespace ccpulse {
namespace {

constexpr std::int64_t kDayUs = 86'400'000'000;
constexpr std::int64_t kIntervalUs = 900'000'000;

IntervalRow at(const std::string& tenant, std::int64_t startUs) {
  IntervalRow r;
  r.tenant = tenant;
  r.vendor = "v1";
  r.queue = "sales";
  r.startUs = startUs;
  r.endUs = startUs + kIntervalUs;
  r.counts.offered = 1;
  return r;
}

TEST(HistoryRetention, DeletesIntervalsEndedByTheCutoffPerTenantAndKeepsPeriods) {
  const auto dir = std::filesystem::temp_directory_path() / ("ccpulse_history_retention_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  HistoryDb db((dir / "history.sqlite").string());
  const std::int64_t day0 = 20'000 * kDayUs;
  // acme: day 0 (two intervals), day 40; globex: day 0, day 40. Cutoff = day 40 + 15 min − 32 days.
  db.writeIntervals({at("acme", day0), at("acme", day0 + kIntervalUs), at("acme", day0 + 40 * kDayUs),
                     at("globex", day0), at("globex", day0 + 40 * kDayUs)});
  ContractPeriodRow period;
  period.agreement = "acme-v1";
  period.term = "sl";
  period.startUs = day0;
  period.endUs = day0 + kDayUs;
  period.status = "met";
  db.writeContractPeriods({period});
  const std::int64_t cutoff = day0 + 40 * kDayUs + kIntervalUs - 32 * kDayUs;
  // Only acme is scanned (it closed an interval now): its 2 day-0 intervals go, globex's stays.
  EXPECT_EQ(db.deleteIntervalsBefore({"acme"}, cutoff), 2);
  EXPECT_EQ(db.intervalCount(), 3);
  EXPECT_EQ(db.intervals("acme", 0, INT64_MAX).size(), 1U);
  EXPECT_EQ(db.intervals("globex", 0, INT64_MAX).size(), 2U);
  EXPECT_EQ(db.deleteIntervalsBefore({"acme", "globex"}, cutoff), 1);
  EXPECT_EQ(db.deleteIntervalsBefore({"acme", "globex"}, cutoff), 0);
  // An interval ending exactly at the cutoff is deleted; one ending a microsecond later is not.
  db.writeIntervals({at("acme", cutoff - kIntervalUs), at("acme", cutoff - kIntervalUs + 1)});
  EXPECT_EQ(db.deleteIntervalsBefore({"acme"}, cutoff), 1);
  EXPECT_EQ(db.contractPeriods("acme-v1", "sl").size(), 1U);  // periods are kept
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ccpulse
