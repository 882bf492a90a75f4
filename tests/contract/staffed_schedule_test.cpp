// staffed_vs_committed with `committed_agents: schedule` (docs/contracts.md): each interval's
// commitment is the tenant forecast's scheduled agents of the covered queues (summed over queues
// and channels), and an interval nobody is scheduled for is not counted. Arithmetic, live status
// and "needed", period close, restart rebuild, the scorecard from history, and config validation;
// expected numbers are worked out by hand next to each assertion.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "../support/test_day.hpp"
#include "../support/test_support.hpp"
#include "ccpulse/common/civil_time.hpp"
#include "ccpulse/config/loader.hpp"
#include "ccpulse/contract/tracker.hpp"
#include "ccpulse/history/history_db.hpp"
#include "contract_test_support.hpp"

namespace ccpulse {
namespace {

using test::at;
using test::findSample;
using test::kMinuteUs;
using test::kSecondUs;
using test::parsePrometheusText;

constexpr std::int64_t kIntervalUs = 15 * kMinuteUs;

std::string errors(const ConfigLoadResult& r) {
  std::string out;
  for (const auto& e : r.errors) {
    out += e.format() + "\n";
  }
  return out;
}

/// The schedule of 2026-11-23 (UTC) for acme's queues. Per interval, what vendor v1's term over
/// queues sales and support is committed to:
///   08:00  sales voice 2                    -> 2 (the v2-only row and billing do not count)
///   08:15  sales voice 2 + sales chat 1     -> 3 (channels summed: agents have no channel)
///   08:30  sales voice 0                    -> 0: not counted
///   08:45  sales voice 3 + support voice 1  -> 4 (queues summed)
///   09:00  no row                           -> not counted
///   09:15  sales voice 2                    -> 2
///   10:00, 10:15, 10:30, 10:45  sales voice 2 each
/// Nothing after 10:45: the evening and night are not counted.
constexpr const char* kScheduleCsv =
    "interval_start,vendor,queue,channel,contacts,aht_seconds,scheduled_agents\n"
    "2026-11-23T08:00:00Z,,sales,voice,10,300,2\n"
    "2026-11-23T08:00:00Z,v2,support,voice,10,300,100\n"
    "2026-11-23T08:00:00Z,,billing,voice,10,300,50\n"
    "2026-11-23T08:15:00Z,,sales,voice,10,300,2\n"
    "2026-11-23T08:15:00Z,,sales,chat,10,300,1\n"
    "2026-11-23T08:30:00Z,,sales,voice,0,300,0\n"
    "2026-11-23T08:45:00Z,,sales,voice,10,300,3\n"
    "2026-11-23T08:45:00Z,,support,voice,10,300,1\n"
    "2026-11-23T09:15:00Z,,sales,voice,10,300,2\n"
    "2026-11-23T10:00:00Z,,sales,voice,10,300,2\n"
    "2026-11-23T10:15:00Z,,sales,voice,10,300,2\n"
    "2026-11-23T10:30:00Z,,sales,voice,10,300,2\n"
    "2026-11-23T10:45:00Z,,sales,voice,10,300,2\n";

/// One agreement acme/v1 with one staffed_vs_committed term over sales and support; `termExtra`
/// are more term keys (from line 14), `tail` more top-level sections.
std::string termYaml(const std::string& termExtra, const std::string& tail = "") {
  return "sources:\n  - name: acd\n    endpoint: tcp://127.0.0.1:5555\n"
         "contracts:\n  agreements:\n    - name: acme-v1\n      tenant: acme\n      vendor: v1\n"
         "      terms:\n"
         "        - name: staffing\n          measure: staffed_vs_committed\n"
         "          match:\n            queues: [sales, support]\n" +
         termExtra + tail;
}

std::string forecastTail() {
  return "tenants:\n  acme:\n    forecast: " + test::writeTempFile("staffed-schedule.csv", kScheduleCsv) + "\n";
}

std::shared_ptr<const Config> config(const std::string& termExtra) {
  const auto loaded = loadConfigString(termYaml(termExtra, forecastTail()), "staffing.yaml");
  EXPECT_TRUE(loaded.ok()) << errors(loaded);
  return loaded.config;
}

/// One shard's closed 15-minute row of queue `queue` with `agentSeconds` staffed agent-seconds.
AgentIntervalRow row(std::int64_t startUs, double agentSeconds, const std::string& queue = "sales",
                     std::uint32_t shard = 0) {
  AgentIntervalRow r;
  r.tenant = "acme";
  r.vendor = "v1";
  r.queue = queue;
  r.shard = shard;
  r.startUs = startUs;
  r.endUs = startUs + kIntervalUs;
  r.staffedUs = static_cast<std::int64_t>(agentSeconds * kSecondUs);
  return r;
}

/// Staffed averages 2.5, 2.9, 1.0, 4.0, 0, 2.0 from 08:00 to 09:15 (× 900 s per interval).
std::vector<AgentIntervalRow> morningRows() {
  return {row(at(8, 0), 2250), row(at(8, 15), 2610), row(at(8, 30), 900),
          // 4.0 over two queues (3 sales + 1 support) and two shards.
          row(at(8, 45), 1800, "sales", 0), row(at(8, 45), 900, "sales", 1), row(at(8, 45), 900, "support", 0),
          row(at(9, 0), 0), row(at(9, 15), 1800)};
}

TEST(StaffedSchedule, EachIntervalAgainstItsScheduledAgentsUnscheduledNotCounted) {
  const auto cfg = config("          committed_agents: schedule\n          target: 0.75\n          period: day\n");
  const Contract& contract = cfg->contracts.contracts.front();
  const ContractTerm& term = contract.terms.front();
  ASSERT_TRUE(term.commitmentFromSchedule);
  EXPECT_DOUBLE_EQ(term.commitmentRatio, 1);
  const Forecast* schedule = tenantForecast(&cfg->forecasts, "acme");
  ASSERT_NE(schedule, nullptr);

  // The commitments per interval (see kScheduleCsv): 08:30 has a row of 0, 09:00 none.
  const auto scheduled = scheduledAgentsByInterval(contract, term, *schedule, at(8, 0), at(9, 30));
  EXPECT_EQ(scheduled, (std::map<std::int64_t, double>{
                           {at(8, 0), 2}, {at(8, 15), 3}, {at(8, 30), 0}, {at(8, 45), 4}, {at(9, 15), 2}}));

  // staffed 2.5 vs 2 met; 2.9 vs 3 missed; 1.0 vs 0 not counted; 4.0 vs 4 met (exactly);
  // 0 vs no row not counted; 2.0 vs 2 met. Counted 4, met 3: 3 / 4 = 0.75.
  std::int64_t covered = INT64_MIN;
  const TermValue v = staffedTermValue(contract, term, morningRows(), at(0, 0), at(24, 0), &covered, schedule);
  EXPECT_DOUBLE_EQ(v.numerator, 3);
  EXPECT_DOUBLE_EQ(v.denominator, 4);
  EXPECT_DOUBLE_EQ(*v.attainment(), 0.75);
  EXPECT_EQ(covered, at(9, 30));  // the newest interval with a row, counted or not
  EXPECT_EQ(closedStatus(term, v), TermStatus::kMet);

  // A ratio of 0.95: 08:15 needs 0.95 × 3 = 2.85 <= 2.9, met; the others as before: 4 / 4.
  ContractTerm ratio = term;
  ratio.commitmentRatio = 0.95;
  EXPECT_DOUBLE_EQ(staffedTermValue(contract, ratio, morningRows(), at(0, 0), at(24, 0), nullptr, schedule).numerator,
                   4);
  // No forecast: no interval has a commitment, nothing is counted (no_data, never "all met").
  EXPECT_EQ(closedStatus(term, staffedTermValue(contract, term, morningRows(), at(0, 0), at(24, 0))),
            TermStatus::kNoData);
  // The constant commitment still counts every interval with a row: 2 agents, 6 intervals,
  // met 08:00 (2.5), 08:15 (2.9), 08:45 (4.0), 09:15 (2.0): 4 / 6.
  ContractTerm constant = term;
  constant.commitmentFromSchedule = false;
  constant.committedAgents = 2;
  const TermValue c = staffedTermValue(contract, constant, morningRows(), at(0, 0), at(24, 0), nullptr, schedule);
  EXPECT_DOUBLE_EQ(c.numerator, 4);
  EXPECT_DOUBLE_EQ(c.denominator, 6);
}

using test::TempDb;
using test::termMetric;

TEST(StaffedSchedule, LiveRestartCloseAndScorecardFromHistoryAgree) {
  const auto cfg = config("          committed_agents: schedule\n          target: 0.75\n          period: day\n");
  const std::shared_ptr<const ForecastsByTenant> forecasts(cfg, &cfg->forecasts);
  TempDb tmp("live");
  HistoryDb db(tmp.path());
  ContractTracker tracker(cfg->intervals.length.count(), &db);
  tracker.setForecasts(forecasts);
  tracker.setContracts({cfg, &cfg->contracts}, at(8, 0));
  // As the App does: every drained row goes to the tracker and to history.
  const auto add = [&](const std::vector<AgentIntervalRow>& rows) {
    for (const AgentIntervalRow& r : rows) {
      tracker.addAgentInterval(r);
    }
    db.writeAgentIntervals(rows);
  };

  // 08:00-09:30 as in the arithmetic test: 3 / 4 = 0.75. The rest of the day has 4 scheduled
  // intervals (10:00-10:45), so needed x = (0.75 × (4 + 4) − 3) / 4 = 0.75; 0.75 meets 0.75 (no
  // margin): met.
  add(morningRows());
  tracker.tick(at(9, 30, 55));
  std::string text = tracker.renderMetrics(at(9, 31));
  EXPECT_EQ(termMetric(text, "staffing", "ccpulse_contract_attainment"), 0.75);
  EXPECT_EQ(termMetric(text, "staffing", "ccpulse_contract_volume"), 4.0);
  EXPECT_EQ(termMetric(text, "staffing", "ccpulse_contract_expected_remaining_volume"), 4.0);
  EXPECT_EQ(termMetric(text, "staffing", "ccpulse_contract_needed"), 0.75);
  EXPECT_EQ(termMetric(text, "staffing", "ccpulse_contract_status", {{"status", "met"}}), 1.0);

  // 10:00-10:45 staffed 2, 2, 1, 0 against 2 each: met, met, missed, missed. Then nobody staffed
  // from 11:00 to midnight, with no schedule: the night is not counted (with a constant
  // commitment those 52 intervals would all be missed). 5 / 8 = 0.625; nothing scheduled is
  // left, so it cannot be met: missed.
  add({row(at(10, 0), 1800), row(at(10, 15), 1800), row(at(10, 30), 900), row(at(10, 45), 0)});
  std::vector<AgentIntervalRow> night;
  for (std::int64_t start = at(11, 0); start < at(24, 0); start += kIntervalUs) {
    night.push_back(row(start, 0));
  }
  add(night);
  tracker.tick(at(24, 0) - 1);  // 23:45-24:00 is not over yet: counted through 23:45
  text = tracker.renderMetrics(at(23, 59));
  EXPECT_EQ(termMetric(text, "staffing", "ccpulse_contract_attainment"), 0.625);
  EXPECT_EQ(termMetric(text, "staffing", "ccpulse_contract_volume"), 8.0);
  EXPECT_EQ(termMetric(text, "staffing", "ccpulse_contract_expected_remaining_volume"), 0.0);
  EXPECT_EQ(termMetric(text, "staffing", "ccpulse_contract_status", {{"status", "missed"}}), 1.0);
  EXPECT_FALSE(termMetric(text, "staffing", "ccpulse_contract_needed").has_value());

  // A restart rebuilds the same figures from history with the same forecast.
  {
    ContractTracker restarted(cfg->intervals.length.count(), &db);
    restarted.setForecasts(forecasts);
    restarted.setContracts({cfg, &cfg->contracts}, at(23, 59));
    restarted.tick(at(24, 0) - 1);
    const std::string again = restarted.renderMetrics(at(23, 59));
    EXPECT_EQ(termMetric(again, "staffing", "ccpulse_contract_attainment"), 0.625);
    EXPECT_EQ(termMetric(again, "staffing", "ccpulse_contract_volume"), 8.0);
    // Without the forecast (e.g. a reload that dropped the file) nothing has a commitment: no_data.
    restarted.setForecasts(nullptr);
    EXPECT_EQ(
        termMetric(restarted.renderMetrics(at(23, 59)), "staffing", "ccpulse_contract_status", {{"status", "no_data"}}),
        1.0);
  }

  // The day closes on the watermark after midnight: 5 / 8, missed, written to history.
  tracker.tick(at(24, 0, 5));
  const auto periods = db.contractPeriods("acme-v1", "staffing");
  ASSERT_EQ(periods.size(), 1U);
  EXPECT_DOUBLE_EQ(periods[0].numerator, 5);
  EXPECT_DOUBLE_EQ(periods[0].denominator, 8);
  EXPECT_EQ(periods[0].status, "missed");

  // The scorecard from history with the config's forecasts says the same; without them, no_data.
  const auto scorecard = [&](const ForecastsByTenant* f) {
    return buildScorecard(cfg->contracts, db.intervals("acme", at(0, 0), at(48, 0)), "acme", "v1",
                          daysFromCivil(2026, 11, 23), daysFromCivil(2026, 11, 23), cfg->intervals.length.count(),
                          db.agentIntervals("acme", at(0, 0), at(48, 0)), f);
  };
  const Scorecard card = scorecard(&cfg->forecasts);
  ASSERT_EQ(card.terms.size(), 1U);
  ASSERT_EQ(card.terms[0].periods.size(), 1U);
  EXPECT_DOUBLE_EQ(card.terms[0].periods[0].value.numerator, 5);
  EXPECT_DOUBLE_EQ(card.terms[0].periods[0].value.denominator, 8);
  EXPECT_EQ(card.terms[0].periods[0].status, TermStatus::kMissed);
  EXPECT_DOUBLE_EQ(*card.terms[0].overall.attainment(), 0.625);
  EXPECT_EQ(scorecard(nullptr).terms[0].periods[0].status, TermStatus::kNoData);
}

TEST(StaffedScheduleConfig, ScheduleNeedsTheTenantsForecastAndIsSpeltExactly) {
  // Line numbers: the term starts on line 10, match on 12-13, the extra keys from line 14.
  {
    // tenants after contracts: checked once the whole file is read.
    const auto cfg =
        config("          committed_agents: schedule\n          commitment_ratio: 0.95\n          target: 0.9\n");
    ASSERT_TRUE(cfg);
    EXPECT_TRUE(cfg->contracts.contracts.front().terms.front().commitmentFromSchedule);
    EXPECT_DOUBLE_EQ(cfg->contracts.contracts.front().terms.front().commitmentRatio, 0.95);
    // acme is listed under tenants (for its forecast) without a time_zone: the contract still
    // gets the default zone (it was left null, and the tracker crashed on it).
    EXPECT_NE(cfg->contracts.contracts.front().zone, nullptr);
  }
  {
    const auto r =
        loadConfigString(termYaml("          committed_agents: schedule\n          target: 0.9\n"), "s.yaml");
    ASSERT_FALSE(r.ok());
    const std::string message = errors(r);
    EXPECT_NE(message.find("contracts.agreements[0].terms[0].committed_agents"), std::string::npos) << message;
    EXPECT_NE(message.find("s.yaml:14"), std::string::npos) << message;
    EXPECT_NE(message.find("tenants.acme.forecast is not configured"), std::string::npos) << message;
  }
  for (const std::string bad : {"schedul", "Schedule", "scheduled"}) {
    const auto r = loadConfigString(
        termYaml("          target: 0.9\n          committed_agents: " + bad + "\n", forecastTail()), "s.yaml");
    ASSERT_FALSE(r.ok()) << bad;
    const std::string message = errors(r);
    EXPECT_NE(message.find("contracts.agreements[0].terms[0].committed_agents"), std::string::npos) << message;
    EXPECT_NE(message.find("s.yaml:15"), std::string::npos) << message;
    EXPECT_NE(message.find("or 'schedule'"), std::string::npos) << message;
  }
  {
    // A ratio only scales the schedule.
    const auto r = loadConfigString(
        termYaml("          committed_agents: 2\n          commitment_ratio: 0.9\n          target: 0.9\n"), "s.yaml");
    ASSERT_FALSE(r.ok());
    const std::string message = errors(r);
    EXPECT_NE(message.find("contracts.agreements[0].terms[0].commitment_ratio"), std::string::npos) << message;
    EXPECT_NE(message.find("s.yaml:15"), std::string::npos) << message;
    EXPECT_NE(message.find("committed_agents: schedule only"), std::string::npos) << message;
  }
  {
    const auto r = loadConfigString(
        termYaml("          committed_agents: schedule\n          commitment_ratio: 0\n          target: 0.9\n",
                 forecastTail()),
        "s.yaml");
    ASSERT_FALSE(r.ok());
    const std::string message = errors(r);
    EXPECT_NE(message.find("contracts.agreements[0].terms[0].commitment_ratio"), std::string::npos) << message;
    EXPECT_NE(message.find("must be greater than 0"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace ccpulse
