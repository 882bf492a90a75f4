// Contracts end to end: a real ccpulsed (event clock, state directory with the durability
// journal and checkpoints) stopped and restarted in the MIDDLE of an open interval, with contacts
// still waiting, must end with exactly the same live period-to-date contract metrics and the same
// SQLite history as a run of the same events without the restart (issue #5 "done when").
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "../support/test_support.hpp"
#include "ccpulse/history/history_db.hpp"

namespace ccpulse::test {
namespace {

// All times are on 2026-11-23 (UTC tenant) at 10:MM:SS.
constexpr double kDayStart = 1'795'392'000;  // 2026-11-23T00:00:00Z, seconds

std::string at(int minute, int second) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "2026-11-23T10:%02d:%02dZ", minute, second);
  return buf;
}
std::string contact(const std::string& type, int minute, int second, const std::string& id) {
  return R"({"type":")" + type + R"(","ts":")" + at(minute, second) +
         R"(","tenant":"acme","vendor":"v1","queue":"sales","channel":"voice","contact":")" + id + "\"}";
}
std::string tick(int minute, int second = 0) {
  // An agent event moves the event clock without counting in any queue interval.
  return R"({"type":"agent.state","ts":")" + at(minute, second) +
         R"(","tenant":"acme","vendor":"v1","agent":"a1","state":"available"})";
}

struct RunResult {
  std::vector<std::string> contractLines;  ///< every ccpulse_contract_* sample line, in order
  std::vector<IntervalRow> intervals;      ///< the history database after the stop
  std::vector<ContractPeriodRow> dayPeriods;
  std::vector<ContractPeriodRow> intervalPeriods;
};

class ContractRestart {
 public:
  explicit ContractRestart(const std::string& name)
      : dir_(std::filesystem::path(writeTempFile(name + ".marker", "")).parent_path().string()),
        httpPort_(freeTcpPort()),
        zmqPort_(freeTcpPort()) {
    std::ofstream config(dir_ + "/ccpulse.yaml");
    config << "http:\n  listen: 127.0.0.1:" << httpPort_
           << "\nsources:\n  - name: acd\n    endpoint: tcp://127.0.0.1:" << zmqPort_
           << "\n    socket: pull\n    bind: true\nengine:\n  shards: 1\n  clock: event\n"
              "state:\n  directory: "
           << dir_
           << "/state\n"
              "contracts:\n  agreements:\n    - name: acme-v1\n      tenant: acme\n      vendor: v1\n"
              "      terms:\n"
              "        - name: sl-day\n          measure: service_level\n          target: 0.8\n"
              "          period: day\n"
              "        - name: sl-interval\n          measure: service_level\n          target: 0.6\n"
              "          period: interval\n";
  }

  void start() {
    log_ = dir_ + "/run" + std::to_string(++runs_) + ".log";
    daemon_ =
        std::make_unique<Process>(CCPULSED_PATH, std::vector<std::string>{"--config", dir_ + "/ccpulse.yaml"}, log_);
    ASSERT_TRUE(waitReady(httpPort_)) << readFile(log_);
  }
  void stop() {
    daemon_->signal(SIGTERM);
    ASSERT_EQ(daemon_->wait(std::chrono::seconds(20)), 0) << readFile(log_);
    daemon_.reset();
  }
  void push(const std::vector<std::string>& frames) const { pushFrames(zmqPort_, frames); }

  [[nodiscard]] std::string metricsText() const {
    const auto r = httpGet(httpPort_, "/metrics");
    return r && r->status == 200 ? r->body : std::string();
  }
  [[nodiscard]] std::optional<double> metric(const std::string& name,
                                             const std::map<std::string, std::string>& labels) const {
    return findSample(parsePrometheusText(metricsText()), name, labels);
  }
  /// Waits until the shard has closed the interval starting at 10:`minute` and the control
  /// thread has drained it (a /metrics request drains closed intervals before it renders).
  void waitClosed(int minute) const {
    ASSERT_TRUE(pollUntil(
        [&] {
          return metric("ccpulse_interval_start_timestamp_seconds", {{"queue", "sales"}, {"interval", "last"}}) ==
                 kDayStart + 36'000 + minute * 60;
        },
        std::chrono::seconds(10)))
        << readFile(log_);
    (void)metricsText();  // one more drain, in case the close was published after the first
  }
  void waitFor(const std::function<bool()>& condition, const char* what) const {
    ASSERT_TRUE(pollUntil(condition, std::chrono::seconds(10))) << what << "\n" << readFile(log_);
  }
  [[nodiscard]] RunResult result() const {
    RunResult out;
    std::istringstream lines(metricsText());
    for (std::string line; std::getline(lines, line);) {
      if (line.starts_with("ccpulse_contract_")) {
        out.contractLines.push_back(line);
      }
    }
    return out;
  }
  void readHistory(RunResult& out) const {
    HistoryDb db(dir_ + "/state/history.sqlite", /*readOnly=*/true);
    out.intervals = db.intervals("", 0, INT64_MAX);
    out.dayPeriods = db.contractPeriods("acme-v1", "sl-day");
    out.intervalPeriods = db.contractPeriods("acme-v1", "sl-interval");
  }
  [[nodiscard]] const std::string& log() const { return log_; }

 private:
  std::string dir_;
  int httpPort_;
  int zmqPort_;
  int runs_ = 0;
  std::string log_;
  std::unique_ptr<Process> daemon_;
};

const std::map<std::string, std::string> kDay = {{"agreement", "acme-v1"}, {"term", "sl-day"}};
const std::map<std::string, std::string> kOffered = {{"tenant", "acme"}, {"queue", "sales"}};

/// The same events, with or without a stop and restart at 10:18, in the middle of 10:15-10:30
/// with c6 and c7 still waiting.
RunResult runScenario(const std::string& name, bool restart) {
  ContractRestart run(name);
  run.start();
  // 10:00-10:15: c1 waits 10 s (within the 20 s threshold), c2 30 s (not), c3 5 s (within), c4
  // abandons after 40 s. 10:15:06 (past the 5 s late tolerance) closes it in the engine; the
  // interval term's period closes on the watermark that comes with it (10:15:01). On this first
  // start (empty database, event clock at 0) the terms begin in 1970 and step to 10:00.
  run.push({contact("contact.queued", 0, 0, "c1"), contact("contact.queued", 0, 0, "c2"),
            contact("contact.queued", 0, 0, "c3"), contact("contact.queued", 0, 0, "c4"),
            contact("contact.answered", 0, 10, "c1"), contact("contact.answered", 0, 30, "c2"),
            contact("contact.answered", 0, 5, "c3"), contact("contact.abandoned", 0, 40, "c4"), tick(15, 6)});
  run.waitClosed(0);
  // 10:15-10:30, open: c5 answered after 5 s; c6 and c7 queue and are still waiting at 10:18.
  run.push({contact("contact.queued", 16, 0, "c5"), contact("contact.answered", 16, 5, "c5"),
            contact("contact.queued", 17, 0, "c6"), contact("contact.queued", 18, 0, "c7")});
  // Day so far with the open interval: A = 2 + 1 = 3 of N + B = 4 + 1 = 5.
  run.waitFor(
      [&] {
        return run.metric("ccpulse_contacts_offered_total", kOffered) == 7.0 &&
               run.metric("ccpulse_contract_volume", kDay) == 5.0 &&
               run.metric("ccpulse_contract_attainment", kDay) == 0.6;
      },
      "phase 1 applied");
  if (restart) {
    run.stop();
    run.start();
  }
  // c6 answered at 10:20 (180 s: a miss), c7 abandons at 10:21, c8 answered after 10 s.
  run.push({contact("contact.answered", 20, 0, "c6"), contact("contact.abandoned", 21, 0, "c7"),
            contact("contact.queued", 22, 0, "c8"), contact("contact.answered", 22, 10, "c8"), tick(30, 6)});
  run.waitClosed(15);
  // 10:30-10:45, open at the end: c9 answered after 3 s; the clock ends at 10:41.
  run.push({contact("contact.queued", 40, 0, "c9"), contact("contact.answered", 40, 3, "c9"), tick(41)});
  // Day: A = 2 + 2 + 1 = 5 of N + B = 4 + 4 + 1 = 9 -> 5/9. Needed, with the day so far running
  // to 10:41 (641 min of 1440): R = 9 × 799 / 641 = 11.218409; x = (0.8 × (9 + R) − 5) / R =
  // 11.174727 / 11.218409 = 0.996106: reachable, below target: at risk.
  const double r = 9.0 * 799 / 641;
  const double needed = (0.8 * (9 + r) - 5) / r;
  run.waitFor(
      [&] {
        const auto n = run.metric("ccpulse_contract_needed", kDay);
        return run.metric("ccpulse_contacts_offered_total", kOffered) == 9.0 &&
               run.metric("ccpulse_contract_volume", kDay) == 9.0 && n && std::abs(*n - needed) < 1e-9 &&
               run.metric("ccpulse_contract_period_start_seconds",
                          {{"agreement", "acme-v1"}, {"term", "sl-interval"}}) == kDayStart + 36'000 + 30 * 60;
      },
      "phase 2 applied");
  EXPECT_NEAR(*run.metric("ccpulse_contract_attainment", kDay), 5.0 / 9.0, 1e-12);
  EXPECT_NEAR(needed, 0.996106, 1e-6);
  EXPECT_EQ(
      run.metric("ccpulse_contract_status", {{"agreement", "acme-v1"}, {"term", "sl-day"}, {"status", "at_risk"}}),
      1.0);
  // Interval term (SL >= 0.6 per interval): 10:00 2/4 and 10:15 2/4 missed; 10:30 so far 1/1,
  // and with 11 of 15 minutes gone only 1 × 4 / 11 more are expected: secured, met.
  const std::map<std::string, std::string> interval = {{"agreement", "acme-v1"}, {"term", "sl-interval"}};
  EXPECT_EQ(run.metric("ccpulse_contract_periods_missed_total", interval), 2.0);
  EXPECT_EQ(run.metric("ccpulse_contract_periods_met_total", interval), 0.0);
  EXPECT_EQ(run.metric("ccpulse_contract_attainment", interval), 1.0);
  std::map<std::string, std::string> met = interval;
  met["status"] = "met";
  EXPECT_EQ(run.metric("ccpulse_contract_status", met), 1.0);
  RunResult out = run.result();
  run.stop();
  run.readHistory(out);
  return out;
}

bool sameRow(const IntervalRow& a, const IntervalRow& b) {
  const auto& x = a.counts;
  const auto& y = b.counts;
  return a.tenant == b.tenant && a.vendor == b.vendor && a.queue == b.queue && a.channel == b.channel &&
         a.startUs == b.startUs && a.endUs == b.endUs && a.thresholdSeconds == b.thresholdSeconds &&
         x.offered == y.offered && x.answered == y.answered && x.answeredInThreshold == y.answeredInThreshold &&
         x.abandoned == y.abandoned && x.abandonedInThreshold == y.abandonedInThreshold &&
         x.abandonedShort == y.abandonedShort && x.dequeued == y.dequeued &&
         x.waitSecondsAnswered == y.waitSecondsAnswered && x.waitSecondsLeft == y.waitSecondsLeft &&
         x.handled == y.handled && x.handleSeconds == y.handleSeconds && x.transferred == y.transferred &&
         x.surveys == y.surveys && x.csatSum == y.csatSum && x.npsResponses == y.npsResponses &&
         x.resolvedKnown == y.resolvedKnown && x.complaints == y.complaints && x.repeatContacts == y.repeatContacts;
}

bool samePeriod(const ContractPeriodRow& a, const ContractPeriodRow& b) {
  return a.agreement == b.agreement && a.term == b.term && a.startUs == b.startUs && a.endUs == b.endUs &&
         a.attainment == b.attainment && a.numerator == b.numerator && a.denominator == b.denominator &&
         a.status == b.status && a.creditPercent == b.creditPercent;
}

TEST(ContractRestartE2e, RestartInTheMiddleOfAnOpenIntervalEqualsARunWithoutRestart) {
  const RunResult plain = runScenario("contract_restart_plain", false);
  if (HasFatalFailure()) {
    return;
  }
  const RunResult restarted = runScenario("contract_restart_mid", true);
  if (HasFatalFailure()) {
    return;
  }
  // Live: every contract sample line identical (attainment, volume, needed, status, periods,
  // met/missed counters, credits), not just the ones asserted by hand above.
  ASSERT_FALSE(plain.contractLines.empty());
  EXPECT_EQ(restarted.contractLines, plain.contractLines);
  // History: closed intervals 10:00 and 10:15 only (10:30 was still open at the stop), each with
  // the counts of the run without restart; the interval term's two closed periods likewise.
  ASSERT_EQ(plain.intervals.size(), 2U);
  EXPECT_EQ(plain.intervals[0].counts.answeredInThreshold, 2U);  // c1, c3
  EXPECT_EQ(plain.intervals[1].counts.answered, 3U);             // c5, c6, c8
  EXPECT_EQ(plain.intervals[1].counts.answeredInThreshold, 2U);  // c5, c8
  EXPECT_EQ(plain.intervals[1].counts.abandoned, 1U);            // c7
  ASSERT_EQ(restarted.intervals.size(), plain.intervals.size());
  for (std::size_t i = 0; i < plain.intervals.size(); ++i) {
    EXPECT_TRUE(sameRow(restarted.intervals[i], plain.intervals[i])) << "interval " << i;
  }
  EXPECT_TRUE(plain.dayPeriods.empty());  // the day is not over
  EXPECT_TRUE(restarted.dayPeriods.empty());
  ASSERT_EQ(plain.intervalPeriods.size(), 2U);
  EXPECT_EQ(plain.intervalPeriods[1].status, "missed");
  EXPECT_DOUBLE_EQ(plain.intervalPeriods[1].numerator, 2);
  EXPECT_DOUBLE_EQ(plain.intervalPeriods[1].denominator, 4);
  ASSERT_EQ(restarted.intervalPeriods.size(), plain.intervalPeriods.size());
  for (std::size_t i = 0; i < plain.intervalPeriods.size(); ++i) {
    EXPECT_TRUE(samePeriod(restarted.intervalPeriods[i], plain.intervalPeriods[i])) << "period " << i;
  }
}

TEST(ContractRestartE2e, HistoryRetentionDeletesOldIntervalsOnClose) {
  const std::string dir = std::filesystem::path(writeTempFile("history_retention.marker", "")).parent_path().string();
  const int httpPort = freeTcpPort();
  const int zmqPort = freeTcpPort();
  {
    std::ofstream config(dir + "/ccpulse.yaml");
    config << "http:\n  listen: 127.0.0.1:" << httpPort
           << "\nsources:\n  - name: acd\n    endpoint: tcp://127.0.0.1:" << zmqPort
           << "\n    socket: pull\n    bind: true\nengine:\n  shards: 1\n  clock: event\n"
              "state:\n  directory: "
           << dir << "/state\n  history_retention_days: 32\n";
  }
  const auto frame = [](const std::string& type, const std::string& ts, const std::string& id) {
    return R"({"type":")" + type + R"(","ts":")" + ts +
           R"(","tenant":"acme","vendor":"v1","queue":"sales","channel":"voice","contact":")" + id + "\"}";
  };
  const auto tickAt = [](const std::string& ts) {
    return R"({"type":"agent.state","ts":")" + ts +
           R"(","tenant":"acme","vendor":"v1","agent":"a1","state":"available"})";
  };
  const std::string log = dir + "/run.log";
  Process daemon(CCPULSED_PATH, {"--config", dir + "/ccpulse.yaml"}, log);
  ASSERT_TRUE(waitReady(httpPort)) << readFile(log);
  const auto metric = [&](const std::string& name) -> std::optional<double> {
    const auto r = httpGet(httpPort, "/metrics");
    return r ? findSample(parsePrometheusText(r->body), name) : std::nullopt;
  };
  // 2026-10-01 10:00-10:15 (c1) closes at 10:15:06: 1 row written, nothing old enough to delete.
  pushFrames(zmqPort, {frame("contact.queued", "2026-10-01T10:00:00Z", "c1"),
                       frame("contact.answered", "2026-10-01T10:00:05Z", "c1"), tickAt("2026-10-01T10:15:06Z")});
  ASSERT_TRUE(pollUntil([&] { return metric("ccpulse_history_rows_written_total") == 1.0; }, std::chrono::seconds(10)))
      << readFile(log);
  EXPECT_EQ(metric("ccpulse_history_rows_deleted_total"), 0.0);
  // 2026-11-23: c2's event closes 2026-10-01 10:15-10:30 (empty, row 2); 10:15:06 closes
  // 2026-11-23 10:00-10:15 (row 3). Cutoff = 2026-11-23 10:15 − 32 days = 2026-10-22 10:15: both
  // October rows (ending 10:15 and 10:30 on 2026-10-01) are deleted, 2 in all.
  pushFrames(zmqPort, {frame("contact.queued", "2026-11-23T10:00:00Z", "c2"),
                       frame("contact.answered", "2026-11-23T10:00:05Z", "c2"), tickAt("2026-11-23T10:15:06Z")});
  ASSERT_TRUE(pollUntil([&] { return metric("ccpulse_history_rows_written_total") == 3.0; }, std::chrono::seconds(10)))
      << readFile(log);
  ASSERT_TRUE(pollUntil([&] { return metric("ccpulse_history_rows_deleted_total") == 2.0; }, std::chrono::seconds(10)))
      << readFile(log);
  daemon.signal(SIGTERM);
  ASSERT_EQ(daemon.wait(std::chrono::seconds(20)), 0) << readFile(log);
  EXPECT_NE(readFile(log).find("history: deleted 2 intervals older than 32 days"), std::string::npos) << readFile(log);
  HistoryDb db(dir + "/state/history.sqlite", /*readOnly=*/true);
  const auto rows = db.intervals("", 0, INT64_MAX);
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].counts.answered, 1U);
  EXPECT_EQ(rows[0].startUs, (static_cast<std::int64_t>(kDayStart) + 36'000) * 1'000'000);
}

}  // namespace
}  // namespace ccpulse::test
