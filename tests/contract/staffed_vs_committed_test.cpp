// Contract measure staffed_vs_committed (docs/contracts.md): the share of intervals whose
// time-weighted staffed agents (staffed agent-seconds / interval seconds, summed over the shards'
// rows) reach `committed_agents`. Arithmetic, live status, period close, scorecard and config
// validation; expected numbers are worked out by hand next to each assertion.
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

using test::findSample;
using test::parsePrometheusText;

using test::at;
using test::kMinuteUs;
using test::kSecondUs;

constexpr std::int64_t kIntervalUs = 15 * kMinuteUs;

std::string errors(const ConfigLoadResult& r) {
  std::string out;
  for (const auto& e : r.errors) {
    out += e.format() + "\n";
  }
  return out;
}

/// One agreement acme/v1 with one staffed_vs_committed term; `termExtra` are more term keys.
std::string termYaml(const std::string& termExtra) {
  return "sources:\n  - name: acd\n    endpoint: tcp://127.0.0.1:5555\n"
         "contracts:\n  agreements:\n    - name: acme-v1\n      tenant: acme\n      vendor: v1\n"
         "      terms:\n"
         "        - name: staffing\n          measure: staffed_vs_committed\n" +
         termExtra;
}

std::shared_ptr<const Config> config(const std::string& termExtra) {
  const auto loaded = loadConfigString(termYaml(termExtra), "staffing.yaml");
  EXPECT_TRUE(loaded.ok()) << errors(loaded);
  return loaded.config;
}

/// One shard's closed 15-minute row of queue `queue` with `agentSeconds` staffed agent-seconds.
AgentIntervalRow row(std::int64_t startUs, double agentSeconds, std::uint32_t shard = 0,
                     const std::string& queue = "sales") {
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

TEST(StaffedVsCommitted, ShareOfIntervalsAtOrAboveTheCommitment) {
  // committed 2 agents; four 15-minute (900 s) intervals with staffed averages 2.5, 1.9, 2.0, 3:
  //   2.5 × 900 = 2250 agent-s, here from two shards: 1200 + 1050   -> met
  //   1.9 × 900 = 1710 agent-s                                         -> missed (< 1800)
  //   2.0 × 900 = 1800 agent-s, exactly the commitment                 -> met
  //   3   × 900 = 2700 agent-s, over two queues: 1800 sales + 900 support -> met
  // attainment 3 / 4 = 0.75.
  const auto cfg = config("          committed_agents: 2\n          target: 0.75\n          period: day\n");
  const Contract& contract = cfg->contracts.contracts.front();
  const ContractTerm& term = contract.terms.front();
  EXPECT_EQ(term.measure, ContractMeasure::kStaffedVsCommitted);
  EXPECT_DOUBLE_EQ(term.committedAgents, 2);
  EXPECT_EQ(term.comparison, Comparison::kAtLeast);
  std::vector<AgentIntervalRow> rows = {row(at(8, 0), 1200, 0),  row(at(8, 0), 1050, 1),
                                        row(at(8, 15), 1710, 0), row(at(8, 30), 1800, 1),
                                        row(at(8, 45), 1800, 0), row(at(8, 45), 900, 0, "support")};
  // The same shard's row handed over twice (re-closed after a restore) counts once.
  rows.push_back(row(at(8, 15), 1710, 0));
  // Not covered: another vendor's agents.
  AgentIntervalRow other = row(at(8, 15), 9000, 0);
  other.vendor = "v2";
  rows.push_back(other);
  std::int64_t covered = INT64_MIN;
  const TermValue v = staffedTermValue(contract, term, rows, at(0, 0), at(24, 0), &covered);
  EXPECT_DOUBLE_EQ(v.numerator, 3);
  EXPECT_DOUBLE_EQ(v.denominator, 4);
  ASSERT_TRUE(v.attainment().has_value());
  EXPECT_DOUBLE_EQ(*v.attainment(), 0.75);
  EXPECT_EQ(covered, at(9, 0));
  // Target comparison: 0.75 >= 0.75 is met; a 0.8 target is missed.
  EXPECT_EQ(closedStatus(term, v), TermStatus::kMet);
  ContractTerm stricter = term;
  stricter.target = 0.8;
  EXPECT_EQ(closedStatus(stricter, v), TermStatus::kMissed);
  // A fractional commitment: 2.5 agents needs 2250 agent-s: only 08:00 (2250) and 08:45 (2700): 2 / 4.
  ContractTerm fractional = term;
  fractional.committedAgents = 2.5;
  EXPECT_DOUBLE_EQ(staffedTermValue(contract, fractional, rows, at(0, 0), at(24, 0)).numerator, 2);
  // No rows: no data.
  EXPECT_EQ(closedStatus(term, staffedTermValue(contract, term, {}, at(0, 0), at(24, 0))), TermStatus::kNoData);
  EXPECT_EQ(formatAttainment(ContractMeasure::kStaffedVsCommitted, 0.75), "75.0 % of intervals");
}

using test::TempDb;
using test::termMetric;

TEST(StaffedVsCommitted, LiveStatusMetAtRiskMissedAndThePeriodClose) {
  // Daily term: at least 75 % of the day's intervals with >= 2 agents; at risk within 0.1.
  // Only intervals with a row count (here from 08:00: no agent series before); the rest of the
  // day is its remaining intervals, from the end of the newest one counted to midnight.
  const auto cfg = config(
      "          committed_agents: 2\n          target: 0.75\n          period: day\n"
      "          at_risk_margin: 0.1\n");
  TempDb tmp("live");
  HistoryDb db(tmp.path());
  ContractTracker tracker(cfg->intervals.length.count(), &db);
  tracker.setContracts({cfg, &cfg->contracts}, at(8, 0));

  // 08:00-09:00, all four met (1800 agent-s = 2 agents). Watermark 09:00:55: all four are complete.
  for (int m = 0; m < 60; m += 15) {
    tracker.addAgentInterval(row(at(8, m), 1800));
  }
  tracker.tick(at(9, 0, 55));
  std::string text = tracker.renderMetrics(at(9, 1));
  // 4 / 4 = 1.0 >= 0.75 by 0.25 >= margin 0.1: met. Remaining 09:00-24:00 = 60 intervals:
  // needed x = (0.75 × (4 + 60) − 4) / 60 = 44 / 60 = 0.733.
  EXPECT_EQ(termMetric(text, "staffing", "ccpulse_contract_attainment"), 1.0);
  EXPECT_EQ(termMetric(text, "staffing", "ccpulse_contract_status", {{"status", "met"}}), 1.0);
  EXPECT_EQ(termMetric(text, "staffing", "ccpulse_contract_volume"), 4.0);
  EXPECT_EQ(termMetric(text, "staffing", "ccpulse_contract_expected_remaining_volume"), 60.0);
  EXPECT_NEAR(*termMetric(text, "staffing", "ccpulse_contract_needed"), 44.0 / 60.0, 1e-12);

  // 09:00-09:15 understaffed (1.9 agents = 1710 agent-s): 4 / 5 = 0.8 >= 0.75 by 0.05 < 0.1: at risk.
  // A 09:15 row from one shard only, past the watermark, is not counted yet (its other shard may
  // still owe its part).
  tracker.addAgentInterval(row(at(9, 0), 1710));
  tracker.addAgentInterval(row(at(9, 15), 0));
  tracker.tick(at(9, 15, 55));
  text = tracker.renderMetrics(at(9, 16));
  EXPECT_EQ(termMetric(text, "staffing", "ccpulse_contract_attainment"), 0.8);
  EXPECT_EQ(termMetric(text, "staffing", "ccpulse_contract_volume"), 5.0);
  EXPECT_EQ(termMetric(text, "staffing", "ccpulse_contract_status", {{"status", "at_risk"}}), 1.0);

  // Nobody staffed from 09:15 to 15:30 (25 intervals of 0; 09:15 again is the same shard's row,
  // counted once). 4 met of 30 so far; even if the remaining 15:30-24:00 = 34 intervals are all
  // met, (4 + 34) / (30 + 34) = 0.59 < 0.75: cannot be met, missed (no `needed` sample).
  for (std::int64_t start = at(9, 15); start < at(15, 30); start += kIntervalUs) {
    tracker.addAgentInterval(row(start, 0));
  }
  tracker.tick(at(15, 30, 55));
  text = tracker.renderMetrics(at(15, 31));
  EXPECT_EQ(termMetric(text, "staffing", "ccpulse_contract_volume"), 30.0);
  EXPECT_EQ(termMetric(text, "staffing", "ccpulse_contract_status", {{"status", "missed"}}), 1.0);
  EXPECT_FALSE(termMetric(text, "staffing", "ccpulse_contract_needed").has_value());

  // The day closes on the watermark after midnight: 4 / 30 = 0.133, missed, written to history.
  tracker.tick(at(24, 0, 5));
  const auto periods = db.contractPeriods("acme-v1", "staffing");
  ASSERT_EQ(periods.size(), 1U);
  EXPECT_EQ(periods[0].startUs, at(0, 0));
  EXPECT_DOUBLE_EQ(periods[0].numerator, 4);
  EXPECT_DOUBLE_EQ(periods[0].denominator, 30);
  EXPECT_EQ(periods[0].status, "missed");
  EXPECT_EQ(tracker.terms().front().periodsMissed, 1U);
}

TEST(StaffedVsCommitted, RestartRebuildsThePeriodFromHistoryAndTheScorecardReadsIt) {
  // The App writes each drained staffed row to history; after a restart the tracker rebuilds the
  // current period from it. Two shards' rows for 10:00 (1000 + 900 = 1900 agent-s = 2.11 agents,
  // met), one row for 10:15 (1700 agent-s = 1.89, missed): 1 / 2 = 0.5.
  const auto cfg = config("          committed_agents: 2\n          target: 0.9\n          period: day\n");
  TempDb tmp("restart");
  {
    HistoryDb db(tmp.path());
    db.writeAgentIntervals({row(at(10, 0), 1000, 0), row(at(10, 0), 900, 1), row(at(10, 15), 1700, 1)});
    // A re-closed interval replaces its shard's row: still 1700.
    db.writeAgentIntervals({row(at(10, 15), 1700, 1)});
  }
  HistoryDb db(tmp.path());
  const auto stored = db.agentIntervals("acme", at(0, 0), at(24, 0));
  ASSERT_EQ(stored.size(), 3U);
  EXPECT_EQ(stored[0].startUs, at(10, 0));
  EXPECT_EQ(stored[2].staffedUs, 1700 * kSecondUs);
  EXPECT_EQ(stored[2].shard, 1U);
  EXPECT_EQ(db.newestIntervalEndUs(), at(10, 30));
  ContractTracker tracker(cfg->intervals.length.count(), &db);
  tracker.setContracts({cfg, &cfg->contracts}, at(10, 40));
  tracker.tick(at(10, 30, 55));
  const std::string text = tracker.renderMetrics(at(10, 40));
  EXPECT_EQ(termMetric(text, "staffing", "ccpulse_contract_attainment"), 0.5);
  EXPECT_EQ(termMetric(text, "staffing", "ccpulse_contract_volume"), 2.0);
  // The scorecard of that day: one period, 1 of 2, missed against 0.9.
  const Scorecard card = buildScorecard(cfg->contracts, db.intervals("acme", at(0, 0), at(48, 0)), "acme", "v1",
                                        daysFromCivil(2026, 11, 23), daysFromCivil(2026, 11, 23),
                                        cfg->intervals.length.count(), db.agentIntervals("acme", at(0, 0), at(48, 0)));
  ASSERT_EQ(card.terms.size(), 1U);
  ASSERT_EQ(card.terms[0].periods.size(), 1U);
  EXPECT_DOUBLE_EQ(card.terms[0].periods[0].value.numerator, 1);
  EXPECT_DOUBLE_EQ(card.terms[0].periods[0].value.denominator, 2);
  EXPECT_EQ(card.terms[0].periods[0].status, TermStatus::kMissed);
  EXPECT_EQ(card.terms[0].missed, 1U);
}

TEST(StaffedVsCommittedConfig, CommittedAgentsIsRequiredPositiveAndOnlyForThisMeasure) {
  // Line numbers: the term starts on line 10 ("- name: staffing"), measure is line 11, the
  // extra keys from line 12 (committed_agents, second, on line 13).
  {
    const auto r = loadConfigString(termYaml("          target: 0.9\n"), "s.yaml");
    ASSERT_FALSE(r.ok());
    const std::string message = errors(r);
    EXPECT_NE(message.find("contracts.agreements[0].terms[0]"), std::string::npos) << message;
    EXPECT_NE(message.find("s.yaml:10"), std::string::npos) << message;
    EXPECT_NE(message.find("needs committed_agents"), std::string::npos) << message;
  }
  for (const std::string bad : {"0", "-1", "two"}) {
    const auto r =
        loadConfigString(termYaml("          target: 0.9\n          committed_agents: " + bad + "\n"), "s.yaml");
    ASSERT_FALSE(r.ok()) << bad;
    const std::string message = errors(r);
    EXPECT_NE(message.find("contracts.agreements[0].terms[0].committed_agents"), std::string::npos) << message;
    EXPECT_NE(message.find("s.yaml:13"), std::string::npos) << message;
  }
  {
    // A share of intervals: a target above 1 is a mistake (probably a headcount).
    const auto r = loadConfigString(termYaml("          target: 2\n          committed_agents: 2\n"), "s.yaml");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(errors(r).find("between 0 and 1"), std::string::npos) << errors(r);
  }
  {
    // Agents have no channel.
    const auto r = loadConfigString(
        termYaml(
            "          target: 0.9\n          committed_agents: 2\n          match:\n            channels: [voice]\n"),
        "s.yaml");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(errors(r).find("contracts.agreements[0].terms[0].match.channels"), std::string::npos) << errors(r);
  }
  {
    // committed_agents on another measure.
    const std::string yaml =
        "sources:\n  - name: acd\n    endpoint: tcp://127.0.0.1:5555\n"
        "contracts:\n  agreements:\n    - name: acme-v1\n      tenant: acme\n      vendor: v1\n"
        "      terms:\n        - name: sl\n          measure: service_level\n          target: 0.8\n"
        "          committed_agents: 2\n";
    const auto r = loadConfigString(yaml, "s.yaml");
    ASSERT_FALSE(r.ok());
    const std::string message = errors(r);
    EXPECT_NE(message.find("contracts.agreements[0].terms[0].committed_agents"), std::string::npos) << message;
    EXPECT_NE(message.find("s.yaml:13"), std::string::npos) << message;
    EXPECT_NE(message.find("staffed_vs_committed only"), std::string::npos) << message;
  }
  {
    // Unknown keys are still rejected next to it.
    const auto r = loadConfigString(
        termYaml("          target: 0.9\n          committed_agents: 2\n          committed: 3\n"), "s.yaml");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(errors(r).find("unknown key 'committed'"), std::string::npos) << errors(r);
  }
}

}  // namespace
}  // namespace ccpulse
