#include "ccpulse/history/history_db.hpp"

#include <sqlite3.h>

#include <stdexcept>

namespace ccpulse {
namespace {

// Column order shared by the INSERT and the SELECT below.
constexpr const char* kIntervalColumns =
    "tenant,vendor,queue,channel,start_us,end_us,threshold_s,offered,answered,answered_in_threshold,abandoned,"
    "abandoned_in_threshold,abandoned_short,dequeued,wait_answered_s,wait_left_s,handled,handle_s,transferred,"
    "surveys,csat_sum,nps_responses,nps_promoters,nps_detractors,ss_contained,ss_escalated,resolved_known,"
    "resolved_yes,complaints,repeat_contacts";
constexpr int kIntervalColumnCount = 30;

// Migrations, index = version - 1. Append only: a released step is never edited.
constexpr const char* kMigrations[] = {
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
    // Tenant first, then time: a tenant's scorecard is one range scan.
    " PRIMARY KEY (tenant, start_us, vendor, queue, channel)) WITHOUT ROWID;"
    "CREATE TABLE contract_periods ("
    " agreement TEXT NOT NULL, term TEXT NOT NULL, start_us INTEGER NOT NULL, end_us INTEGER NOT NULL,"
    " attainment REAL, numerator REAL NOT NULL, denominator REAL NOT NULL, status TEXT NOT NULL,"
    " credit_percent REAL NOT NULL, PRIMARY KEY (agreement, term, start_us)) WITHOUT ROWID;",
    // 2: staffed agent-time per interval (contracts' staffed_vs_committed). One row per shard
    // that held agents of the queue (agents are sharded by agent): readers sum them, and a
    // re-closed interval replaces its own shard's row instead of adding to it.
    "CREATE TABLE agent_intervals ("
    " tenant TEXT NOT NULL, vendor TEXT NOT NULL, queue TEXT NOT NULL, shard INTEGER NOT NULL,"
    " start_us INTEGER NOT NULL, end_us INTEGER NOT NULL, staffed_us INTEGER NOT NULL,"
    " PRIMARY KEY (tenant, start_us, vendor, queue, shard)) WITHOUT ROWID;",
};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == HistoryDb::kSchemaVersion);

class Statement final {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("sqlite prepare: ") + sqlite3_errmsg(db));
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  sqlite3_stmt* get() const noexcept { return stmt_; }
  /// Steps once; true while there is a row.
  bool step() const {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) {
      return true;
    }
    if (rc != SQLITE_DONE) {
      throw std::runtime_error(std::string("sqlite step: ") + sqlite3_errmsg(db_));
    }
    return false;
  }
  void reset() const {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

void bindText(sqlite3_stmt* s, int i, std::string_view text) {
  sqlite3_bind_text(s, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}
void bindU64(sqlite3_stmt* s, int i, std::uint64_t v) { sqlite3_bind_int64(s, i, static_cast<sqlite3_int64>(v)); }
std::uint64_t colU64(sqlite3_stmt* s, int i) { return static_cast<std::uint64_t>(sqlite3_column_int64(s, i)); }
std::string colText(sqlite3_stmt* s, int i) {
  const auto* text = sqlite3_column_text(s, i);
  return text == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(text));
}

}  // namespace

HistoryDb::HistoryDb(const std::string& path, bool readOnly) : path_(path) {
  const int flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    const std::string why = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error("cannot open history database " + path + ": " + why);
  }
  sqlite3_busy_timeout(db_, 5000);
  if (!readOnly) {
    // WAL: readers (the scorecard CLI) never block the daemon's writer; NORMAL sync is durable
    // across process crashes and loses at most the last transaction on power loss.
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
    migrate();
  } else if (schemaVersion() > kSchemaVersion) {
    throw std::runtime_error(path + " has schema version " + std::to_string(schemaVersion()) +
                             ", newer than this build's " + std::to_string(kSchemaVersion));
  }
}

HistoryDb::~HistoryDb() { sqlite3_close(db_); }

void HistoryDb::exec(const char* sql) const {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string why = message != nullptr ? message : "unknown error";
    sqlite3_free(message);
    throw std::runtime_error("sqlite (" + path_ + "): " + why);
  }
}

int HistoryDb::schemaVersion() const {
  Statement exists(db_, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='schema_version'");
  exists.step();
  if (sqlite3_column_int(exists.get(), 0) == 0) {
    return 0;
  }
  Statement version(db_, "SELECT max(version) FROM schema_version");
  return version.step() ? sqlite3_column_int(version.get(), 0) : 0;
}

void HistoryDb::migrate() {
  exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)");
  const int current = schemaVersion();
  if (current > kSchemaVersion) {
    throw std::runtime_error(path_ + " has schema version " + std::to_string(current) + ", newer than this build's " +
                             std::to_string(kSchemaVersion) + "; refusing to write to it");
  }
  for (int v = current + 1; v <= kSchemaVersion; ++v) {
    exec("BEGIN IMMEDIATE");
    try {
      exec(kMigrations[v - 1]);
      exec(("INSERT INTO schema_version VALUES (" + std::to_string(v) + ", datetime('now'))").c_str());
      exec("COMMIT");
    } catch (...) {
      exec("ROLLBACK");
      throw;
    }
  }
}

void HistoryDb::writeIntervals(const std::vector<IntervalRow>& rows) {
  if (rows.empty()) {
    return;
  }
  std::string sql = std::string("INSERT OR REPLACE INTO intervals (") + kIntervalColumns + ") VALUES (";
  for (int i = 0; i < kIntervalColumnCount; ++i) {
    sql += i == 0 ? "?" : ",?";
  }
  sql += ")";
  inTransaction([&] {
    Statement insert(db_, sql.c_str());
    sqlite3_stmt* s = insert.get();
    for (const IntervalRow& r : rows) {
      const OutcomeCounts& c = r.counts;
      int i = 1;
      bindText(s, i++, r.tenant);
      bindText(s, i++, r.vendor);
      bindText(s, i++, r.queue);
      bindText(s, i++, toString(r.channel));
      sqlite3_bind_int64(s, i++, r.startUs);
      sqlite3_bind_int64(s, i++, r.endUs);
      sqlite3_bind_double(s, i++, r.thresholdSeconds);
      for (const std::uint64_t v : {c.offered, c.answered, c.answeredInThreshold, c.abandoned, c.abandonedInThreshold,
                                    c.abandonedShort, c.dequeued}) {
        bindU64(s, i++, v);
      }
      sqlite3_bind_double(s, i++, c.waitSecondsAnswered);
      sqlite3_bind_double(s, i++, c.waitSecondsLeft);
      bindU64(s, i++, c.handled);
      sqlite3_bind_double(s, i++, c.handleSeconds);
      for (const std::uint64_t v : {c.transferred, c.surveys, c.csatSum, c.npsResponses, c.npsPromoters,
                                    c.npsDetractors, c.selfServiceContained, c.selfServiceEscalated, c.resolvedKnown,
                                    c.resolvedYes, c.complaints, c.repeatContacts}) {
        bindU64(s, i++, v);
      }
      insert.step();
      insert.reset();
    }
  });
}

void HistoryDb::writeContractPeriods(const std::vector<ContractPeriodRow>& rows) {
  if (rows.empty()) {
    return;
  }
  inTransaction([&] {
    Statement insert(db_,
                     "INSERT OR REPLACE INTO contract_periods (agreement,term,start_us,end_us,attainment,numerator,"
                     "denominator,status,credit_percent) VALUES (?,?,?,?,?,?,?,?,?)");
    sqlite3_stmt* s = insert.get();
    for (const ContractPeriodRow& r : rows) {
      bindText(s, 1, r.agreement);
      bindText(s, 2, r.term);
      sqlite3_bind_int64(s, 3, r.startUs);
      sqlite3_bind_int64(s, 4, r.endUs);
      if (r.attainment) {
        sqlite3_bind_double(s, 5, *r.attainment);
      } else {
        sqlite3_bind_null(s, 5);
      }
      sqlite3_bind_double(s, 6, r.numerator);
      sqlite3_bind_double(s, 7, r.denominator);
      bindText(s, 8, r.status);
      sqlite3_bind_double(s, 9, r.creditPercent);
      insert.step();
      insert.reset();
    }
  });
}

std::vector<IntervalRow> HistoryDb::intervals(const std::string& tenant, std::int64_t fromUs, std::int64_t toUs) const {
  const std::string sql = std::string("SELECT ") + kIntervalColumns + " FROM intervals WHERE " +
                          (tenant.empty() ? "" : "tenant = ?3 AND ") +
                          "start_us >= ?1 AND start_us < ?2 ORDER BY start_us";
  Statement query(db_, sql.c_str());
  sqlite3_stmt* s = query.get();
  sqlite3_bind_int64(s, 1, fromUs);
  sqlite3_bind_int64(s, 2, toUs);
  if (!tenant.empty()) {
    bindText(s, 3, tenant);
  }
  std::vector<IntervalRow> rows;
  while (query.step()) {
    IntervalRow r;
    int i = 0;
    r.tenant = colText(s, i++);
    r.vendor = colText(s, i++);
    r.queue = colText(s, i++);
    r.channel = parseChannel(colText(s, i++)).value_or(Channel::kVoice);
    r.startUs = sqlite3_column_int64(s, i++);
    r.endUs = sqlite3_column_int64(s, i++);
    r.thresholdSeconds = sqlite3_column_double(s, i++);
    OutcomeCounts& c = r.counts;
    for (std::uint64_t* v : {&c.offered, &c.answered, &c.answeredInThreshold, &c.abandoned, &c.abandonedInThreshold,
                             &c.abandonedShort, &c.dequeued}) {
      *v = colU64(s, i++);
    }
    c.waitSecondsAnswered = sqlite3_column_double(s, i++);
    c.waitSecondsLeft = sqlite3_column_double(s, i++);
    c.handled = colU64(s, i++);
    c.handleSeconds = sqlite3_column_double(s, i++);
    for (std::uint64_t* v : {&c.transferred, &c.surveys, &c.csatSum, &c.npsResponses, &c.npsPromoters, &c.npsDetractors,
                             &c.selfServiceContained, &c.selfServiceEscalated, &c.resolvedKnown, &c.resolvedYes,
                             &c.complaints, &c.repeatContacts}) {
      *v = colU64(s, i++);
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

void HistoryDb::writeAgentIntervals(const std::vector<AgentIntervalRow>& rows) {
  if (rows.empty()) {
    return;
  }
  inTransaction([&] {
    Statement insert(db_,
                     "INSERT OR REPLACE INTO agent_intervals (tenant,vendor,queue,shard,start_us,end_us,staffed_us) "
                     "VALUES (?,?,?,?,?,?,?)");
    sqlite3_stmt* s = insert.get();
    for (const AgentIntervalRow& r : rows) {
      bindText(s, 1, r.tenant);
      bindText(s, 2, r.vendor);
      bindText(s, 3, r.queue);
      sqlite3_bind_int64(s, 4, r.shard);
      sqlite3_bind_int64(s, 5, r.startUs);
      sqlite3_bind_int64(s, 6, r.endUs);
      sqlite3_bind_int64(s, 7, r.staffedUs);
      insert.step();
      insert.reset();
    }
  });
}

std::vector<AgentIntervalRow> HistoryDb::agentIntervals(const std::string& tenant, std::int64_t fromUs,
                                                        std::int64_t toUs) const {
  std::vector<AgentIntervalRow> rows;
  if (schemaVersion() < 2) {
    return rows;  // opened read-only before the daemon migrated it: no staffed time recorded yet
  }
  const std::string sql =
      std::string("SELECT tenant,vendor,queue,shard,start_us,end_us,staffed_us FROM agent_intervals WHERE ") +
      (tenant.empty() ? "" : "tenant = ?3 AND ") + "start_us >= ?1 AND start_us < ?2 ORDER BY start_us";
  Statement query(db_, sql.c_str());
  sqlite3_stmt* s = query.get();
  sqlite3_bind_int64(s, 1, fromUs);
  sqlite3_bind_int64(s, 2, toUs);
  if (!tenant.empty()) {
    bindText(s, 3, tenant);
  }
  while (query.step()) {
    AgentIntervalRow r;
    r.tenant = colText(s, 0);
    r.vendor = colText(s, 1);
    r.queue = colText(s, 2);
    r.shard = static_cast<std::uint32_t>(sqlite3_column_int64(s, 3));
    r.startUs = sqlite3_column_int64(s, 4);
    r.endUs = sqlite3_column_int64(s, 5);
    r.staffedUs = sqlite3_column_int64(s, 6);
    rows.push_back(std::move(r));
  }
  return rows;
}

std::vector<ContractPeriodRow> HistoryDb::contractPeriods(const std::string& agreement, const std::string& term) const {
  Statement query(db_,
                  "SELECT agreement,term,start_us,end_us,attainment,numerator,denominator,status,credit_percent "
                  "FROM contract_periods WHERE agreement = ?1 AND term = ?2 ORDER BY start_us");
  sqlite3_stmt* s = query.get();
  bindText(s, 1, agreement);
  bindText(s, 2, term);
  std::vector<ContractPeriodRow> rows;
  while (query.step()) {
    ContractPeriodRow r;
    r.agreement = colText(s, 0);
    r.term = colText(s, 1);
    r.startUs = sqlite3_column_int64(s, 2);
    r.endUs = sqlite3_column_int64(s, 3);
    if (sqlite3_column_type(s, 4) != SQLITE_NULL) {
      r.attainment = sqlite3_column_double(s, 4);
    }
    r.numerator = sqlite3_column_double(s, 5);
    r.denominator = sqlite3_column_double(s, 6);
    r.status = colText(s, 7);
    r.creditPercent = sqlite3_column_double(s, 8);
    rows.push_back(std::move(r));
  }
  return rows;
}

std::int64_t HistoryDb::newestIntervalEndUs() const {
  Statement query(db_, schemaVersion() >= 2 ? "SELECT max(m) FROM (SELECT max(end_us) AS m FROM intervals"
                                              " UNION ALL SELECT max(end_us) FROM agent_intervals)"
                                            : "SELECT max(end_us) FROM intervals");
  query.step();
  return sqlite3_column_type(query.get(), 0) == SQLITE_NULL ? INT64_MIN : sqlite3_column_int64(query.get(), 0);
}

std::int64_t HistoryDb::deleteIntervalsBefore(const std::vector<std::string>& tenants, std::int64_t cutoffUs) {
  std::int64_t deleted = 0;
  inTransaction([&] {
    // An interval ending by the cutoff starts before it: bounding start_us keeps this a range
    // scan of the tenant's primary key.
    Statement intervals(db_, "DELETE FROM intervals WHERE tenant = ? AND start_us < ? AND end_us <= ?");
    for (const std::string& tenant : tenants) {
      bindText(intervals.get(), 1, tenant);
      sqlite3_bind_int64(intervals.get(), 2, cutoffUs);
      sqlite3_bind_int64(intervals.get(), 3, cutoffUs);
      intervals.step();
      deleted += sqlite3_changes(db_);
      intervals.reset();
    }
    Statement agents(db_, "DELETE FROM agent_intervals WHERE tenant = ? AND start_us < ? AND end_us <= ?");
    for (const std::string& tenant : tenants) {
      bindText(agents.get(), 1, tenant);
      sqlite3_bind_int64(agents.get(), 2, cutoffUs);
      sqlite3_bind_int64(agents.get(), 3, cutoffUs);
      agents.step();
      deleted += sqlite3_changes(db_);
      agents.reset();
    }
  });
  return deleted;
}

std::int64_t HistoryDb::intervalCount() const {
  Statement query(db_, "SELECT count(*) FROM intervals");
  query.step();
  return sqlite3_column_int64(query.get(), 0);
}

}  // namespace ccpulse
