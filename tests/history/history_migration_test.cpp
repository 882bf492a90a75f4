// History schema migrations (docs/contracts.md "History database"): a version-1 database (before
// staffed agent-time) opens read-only as it is, and opens read-write upgraded to version 2 with its
// rows intact and the agent_intervals table added.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

#include "ccpulse/history/history_db.hpp"

namespace ccpulse {
namespace {

struct TempDir {
  TempDir() : dir(std::filesystem::temp_directory_path() / ("ccpulse_migration_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  ~TempDir() { std::filesystem::remove_all(dir); }
  std::filesystem::path dir;
};

void exec(sqlite3* db, const char* sql) {
  char* message = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, &message), SQLITE_OK) << (message != nullptr ? message : "");
}

/// The database as a version-1 build left it: version 1's schema, verbatim, and one interval.
void writeVersion1(const std::string& path) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  exec(db, "CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)");
  exec(db,
       "CREATE TABLE intervals ("
       " tenant TEXT NOT NULL, vendor TEXT NOT NULL, queue TEXT NOT NULL, channel TEXT NOT NULL,"
       " start_us INTEGER NOT NULL, end_us INTEGER NOT NULL, threshold_s REAL NOT NULL,"
       " offered INTEGER NOT NULL, answered INTEGER NOT NULL, answered_in_threshold INTEGER NOT NULL,"
       " abandoned INTEGER NOT NULL, abandoned_in_threshold INTEGER NOT NULL, abandoned_short INTEGER NOT NULL,"
       " dequeued INTEGER NOT NULL, wait_answered_s REAL NOT NULL, wait_left_s REAL NOT NULL,"
       " handled INTEGER NOT NULL, handle_s REAL NOT NULL, transferred INTEGER NOT NULL,"
       " surveys INTEGER NOT NULL, csat_sum INTEGER NOT NULL, nps_responses INTEGER NOT NULL,"
       " nps_promoters INTEGER NOT NULL, nps_detractors INTEGER NOT NULL, ss_contained INTEGER NOT NULL,"
       " ss_escalated INTEGER NOT NULL, resolved_known INTEGER NOT NULL, resolved_yes INTEGER NOT NULL,"
       " complaints INTEGER NOT NULL, repeat_contacts INTEGER NOT NULL,"
       " PRIMARY KEY (tenant, start_us, vendor, queue, channel)) WITHOUT ROWID;"
       "CREATE TABLE contract_periods ("
       " agreement TEXT NOT NULL, term TEXT NOT NULL, start_us INTEGER NOT NULL, end_us INTEGER NOT NULL,"
       " attainment REAL, numerator REAL NOT NULL, denominator REAL NOT NULL, status TEXT NOT NULL,"
       " credit_percent REAL NOT NULL, PRIMARY KEY (agreement, term, start_us)) WITHOUT ROWID;");
  exec(db, "INSERT INTO schema_version VALUES (1, datetime('now'))");
  exec(db,
       "INSERT INTO intervals VALUES ('acme','v1','sales','voice',900000000,1800000000,20,"
       "10,8,6,2,1,0,0,120,30,8,2400,0,0,0,0,0,0,0,0,0,0,0,0)");
  sqlite3_close(db);
}

TEST(HistoryMigration, Version1OpensReadOnlyAsIsAndUpgradesToStaffedIntervals) {
  TempDir tmp;
  const std::string path = (tmp.dir / "history.sqlite").string();
  writeVersion1(path);
  {
    // The scorecard CLI against a database the daemon has not migrated yet: no staffed rows.
    const HistoryDb readOnly(path, /*readOnly=*/true);
    EXPECT_EQ(readOnly.schemaVersion(), 1);
    EXPECT_TRUE(readOnly.agentIntervals("", 0, INT64_MAX).empty());
    EXPECT_EQ(readOnly.newestIntervalEndUs(), 1'800'000'000);
  }
  HistoryDb db(path);
  EXPECT_EQ(db.schemaVersion(), 2);
  EXPECT_EQ(HistoryDb::kSchemaVersion, 2);
  const auto old = db.intervals("acme", 0, INT64_MAX);
  ASSERT_EQ(old.size(), 1U);
  EXPECT_EQ(old[0].counts.answered, 8U);
  EXPECT_DOUBLE_EQ(old[0].counts.handleSeconds, 2400);
  AgentIntervalRow row;
  row.tenant = "acme";
  row.vendor = "v1";
  row.queue = "sales";
  row.shard = 3;
  row.startUs = 1'800'000'000;
  row.endUs = 2'700'000'000;
  row.staffedUs = 1'234'567'890'123;
  db.writeAgentIntervals({row});
  const auto agents = db.agentIntervals("acme", 0, INT64_MAX);
  ASSERT_EQ(agents.size(), 1U);
  EXPECT_EQ(agents[0].shard, 3U);
  EXPECT_EQ(agents[0].staffedUs, 1'234'567'890'123);
  EXPECT_EQ(agents[0].endUs, 2'700'000'000);
  EXPECT_EQ(db.newestIntervalEndUs(), 2'700'000'000);  // the staffed row is the newest now
  // Retention deletes staffed rows with the intervals.
  EXPECT_EQ(db.deleteIntervalsBefore({"acme"}, 2'700'000'000), 2);
  EXPECT_TRUE(db.agentIntervals("", 0, INT64_MAX).empty());
}

}  // namespace
}  // namespace ccpulse
