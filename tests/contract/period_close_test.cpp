// Contract periods close on the interval watermark (docs/contracts.md "Closing periods"): a
// period is closed only when every shard has handed over every interval ending by its end, and
// the term then moves to the period right after it (not to the one containing "now"). Each
// scenario starts like a first start with an empty database under `engine.clock: event`
// (setContracts at "now" = 0, the epoch) unless it says otherwise. Expected numbers are worked
// out by hand next to each assertion.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "../support/test_day.hpp"
#include "../support/test_support.hpp"
#include "ccpulse/common/civil_time.hpp"
#include "ccpulse/config/loader.hpp"
#include "ccpulse/contract/tracker.hpp"
#include "ccpulse/history/history_db.hpp"
#include "ccpulse/replay/replayer.hpp"
#include "contract_test_support.hpp"

namespace ccpulse {
namespace {

using test::findSample;
using test::parsePrometheusText;

using test::at;
using test::kHourUs;
using test::kMinuteUs;
using test::kSecondUs;

/// Day SL >= 0.8 ("sl-day") and 15-minute SL >= 0.6 ("sl-interval") for acme/v1, UTC.
std::shared_ptr<const Config> config() {
  const auto loaded = loadConfigString(
      "sources:\n  - name: acd\n    endpoint: tcp://127.0.0.1:5555\n"
      "contracts:\n  agreements:\n    - name: acme-v1\n      tenant: acme\n      vendor: v1\n"
      "      terms:\n"
      "        - name: sl-day\n          measure: service_level\n          target: 0.8\n"
      "          period: day\n"
      "        - name: sl-interval\n          measure: service_level\n          target: 0.6\n"
      "          period: interval\n",
      "close.yaml");
  EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.errors.front().format());
  return loaded.config;
}

/// A closed 15-minute interval of queue `queue` with `answered` contacts, `within` of them
/// answered within the threshold (SL = within / answered with the default formula).
IntervalRow interval(const std::string& queue, std::int64_t startUs, std::uint64_t answered, std::uint64_t within) {
  IntervalRow r;
  r.tenant = "acme";
  r.vendor = "v1";
  r.queue = queue;
  r.startUs = startUs;
  r.endUs = startUs + 15 * kMinuteUs;
  r.thresholdSeconds = 20;
  r.counts.offered = answered;
  r.counts.answered = answered;
  r.counts.answeredInThreshold = within;
  return r;
}

const ContractTracker::TermState& term(const ContractTracker& tracker, const std::string& name) {
  for (const auto& t : tracker.terms()) {
    if (t.term->name == name) {
      return t;
    }
  }
  throw std::runtime_error("no term " + name);
}

using test::TempDb;

TEST(ContractPeriodClose, WaitsForTheShardThatIsBehind) {
  // Two queues in two shards. Shard A (sales) is at 10:31 and has closed sales 10:00-10:15
  // (1 of 2 within) and 10:15-10:30 (1 of 1); shard B (support) last published at 10:10, so its
  // 10:00-10:15 is still open: the watermark is 10:10 − 5 s tolerance = 10:09:55. Before the
  // fix, sales 10:15-10:30 closed the interval term's 10:00-10:15 period at once, without
  // support's interval, which then arrived "late" and was only in history.
  const auto cfg = config();
  TempDb tmp("behind");
  HistoryDb db(tmp.path());
  ContractTracker tracker(cfg->intervals.length.count(), &db);
  tracker.setContracts({cfg, &cfg->contracts}, 0);  // first start, event clock: "now" is 0
  tracker.addInterval(interval("sales", at(10, 0), 2, 1));
  tracker.addInterval(interval("sales", at(10, 15), 1, 1));
  tracker.tick(at(10, 9, 55));
  EXPECT_TRUE(db.contractPeriods("acme-v1", "sl-interval").empty());
  EXPECT_EQ(term(tracker, "sl-interval").startUs, at(10, 0));
  EXPECT_EQ(term(tracker, "sl-interval").sum.answered, 2U);  // sales 10:00 only; 10:15 is held
  // The day (moved from the epoch's day to the oldest held interval's) has both sales
  // intervals: 2 + 1 = 3 answered.
  EXPECT_EQ(term(tracker, "sl-day").startUs, at(0, 0));
  EXPECT_EQ(term(tracker, "sl-day").sum.answered, 3U);

  // Shard B publishes at 10:31: support 10:00-10:15 (2 of 2 within) and 10:15-10:30 (0 of 2)
  // close; both shards are at 10:31, watermark 10:30:55.
  tracker.addInterval(interval("support", at(10, 0), 2, 2));
  tracker.addInterval(interval("support", at(10, 15), 2, 0));
  tracker.tick(at(10, 30, 55));
  const auto periods = db.contractPeriods("acme-v1", "sl-interval");
  ASSERT_EQ(periods.size(), 2U);
  // 10:00-10:15: (1 + 2) / (2 + 2) = 0.75 >= 0.6: met.
  EXPECT_EQ(periods[0].startUs, at(10, 0));
  EXPECT_DOUBLE_EQ(periods[0].numerator, 3);
  EXPECT_DOUBLE_EQ(periods[0].denominator, 4);
  EXPECT_EQ(periods[0].status, "met");
  // 10:15-10:30: (1 + 0) / (1 + 2) = 0.333 < 0.6: missed.
  EXPECT_EQ(periods[1].startUs, at(10, 15));
  EXPECT_DOUBLE_EQ(periods[1].numerator, 1);
  EXPECT_DOUBLE_EQ(periods[1].denominator, 3);
  EXPECT_EQ(periods[1].status, "missed");
  EXPECT_EQ(term(tracker, "sl-interval").periodsMet, 1U);
  EXPECT_EQ(term(tracker, "sl-interval").periodsMissed, 1U);
  EXPECT_EQ(term(tracker, "sl-interval").startUs, at(10, 30));
  // The day so far has all four: (1 + 1 + 2 + 0) / (2 + 1 + 2 + 2) = 4 / 7, and is not closed.
  EXPECT_EQ(term(tracker, "sl-day").sum.answeredInThreshold, 4U);
  EXPECT_EQ(term(tracker, "sl-day").sum.answered, 7U);
  EXPECT_TRUE(db.contractPeriods("acme-v1", "sl-day").empty());
}

TEST(ContractPeriodClose, EventClockJumpOverSeveralIntervalsAtFirstStart) {
  // The real shard (Replayer: event clock, injected time) and the App's order: read the
  // engine's watermark, drain the closed intervals, tick with the watermark.
  const auto cfg = config();
  TempDb tmp("jump");
  HistoryDb db(tmp.path());
  ContractTracker tracker(cfg->intervals.length.count(), &db);
  tracker.setContracts({cfg, &cfg->contracts}, 0);  // first start, empty database: the epoch
  Replayer r(*cfg);
  const auto housekeeping = [&] {
    const std::int64_t closedThrough = r.engine().closedThroughUs();
    r.drainClosedPeriods([&](const ClosedPeriod& p) {
      if (p.kind == PeriodKind::kInterval) {
        tracker.addInterval(toIntervalRow(p));
      }
    });
    tracker.tick(closedThrough);
  };
  const auto contact = [](const std::string& type, const std::string& ts, const std::string& id) {
    return R"({"type":")" + type + R"(","ts":"2026-11-23T)" + ts +
           R"(Z","tenant":"acme","vendor":"v1","queue":"sales","channel":"voice","contact":")" + id + "\"}";
  };
  // Before any publish the watermark is unknown: nothing closes, not even the epoch's periods.
  EXPECT_EQ(r.engine().closedThroughUs(), INT64_MIN);
  housekeeping();
  EXPECT_EQ(term(tracker, "sl-interval").startUs, 0);

  // 10:00-10:15: c1 waits 10 s (within the 20 s threshold), c2 30 s (not). Published at 10:05:
  // watermark 10:04:55: the epoch's periods close empty (no row) and each term moves to the
  // watermark's period, as nothing is held before it.
  for (const auto& f : {contact("contact.queued", "10:00:00", "c1"), contact("contact.queued", "10:00:00", "c2"),
                        contact("contact.answered", "10:00:10", "c1"), contact("contact.answered", "10:00:30", "c2")}) {
    r.feed(f);
  }
  r.publish(at(10, 5));
  housekeeping();
  EXPECT_EQ(r.engine().closedThroughUs(), at(10, 4, 55));
  EXPECT_EQ(term(tracker, "sl-interval").startUs, at(10, 0));
  EXPECT_EQ(term(tracker, "sl-day").startUs, at(0, 0));

  // One event moves the event clock from 10:00:30 to 10:47, across 10:15 and 10:30. The shard
  // has applied it but not published: 10:00-10:15 is still open in the engine and the watermark
  // has not moved. Before the fix the tracker closed on "now" (10:47 > 10:15 + grace) here: the
  // period was closed empty and the term jumped to 10:45, leaving 10:00-10:15 out of it.
  r.feed(R"({"type":"agent.state","ts":"2026-11-23T10:47:00Z","tenant":"acme","vendor":"v1","agent":"a1",)"
         R"("state":"available"})");
  housekeeping();
  EXPECT_TRUE(db.contractPeriods("acme-v1", "sl-interval").empty());
  EXPECT_EQ(term(tracker, "sl-interval").startUs, at(10, 0));

  // The shard publishes at 10:47: 10:00-10:15 closes (watermark 10:46:55) and the period closes
  // with it: 1 of 2 = 0.5 < 0.6, missed. The empty 10:15 and 10:30 periods are skipped; the term
  // is at 10:45-11:00. The day keeps c1 and c2: 1 / 2.
  r.publish(at(10, 47));
  housekeeping();
  const auto periods = db.contractPeriods("acme-v1", "sl-interval");
  ASSERT_EQ(periods.size(), 1U);
  EXPECT_EQ(periods[0].startUs, at(10, 0));
  EXPECT_DOUBLE_EQ(periods[0].numerator, 1);
  EXPECT_DOUBLE_EQ(periods[0].denominator, 2);
  EXPECT_EQ(periods[0].status, "missed");
  EXPECT_EQ(term(tracker, "sl-interval").startUs, at(10, 45));
  EXPECT_EQ(term(tracker, "sl-interval").periodsMissed, 1U);
  EXPECT_EQ(term(tracker, "sl-day").sum.answered, 2U);
  EXPECT_EQ(term(tracker, "sl-day").sum.answeredInThreshold, 1U);
}

TEST(ContractPeriodClose, RestartAfterADowntimeClosesThePeriodHistoryEndsIn) {
  // The daemon stopped at 23:50 with the day's intervals in history but the day not closed
  // (its last interval was still open). It restarts the next morning with a wall clock at
  // 08:00 (watermark 07:59:55). Before the fix, the term started at the day containing "now"
  // and the previous day was never closed; now it is closed from history first.
  const auto cfg = config();
  TempDb tmp("downtime");
  {
    HistoryDb db(tmp.path());
    ContractTracker tracker(cfg->intervals.length.count(), &db);
    tracker.setContracts({cfg, &cfg->contracts}, at(9, 0));
    const std::vector<IntervalRow> rows = {interval("sales", at(9, 0), 10, 9), interval("sales", at(23, 30), 10, 6)};
    db.writeIntervals(rows);
    for (const auto& row : rows) {
      tracker.addInterval(row);
    }
    tracker.tick(at(23, 49, 55));  // stopped at 23:50: watermark 23:50 − 5 s tolerance
  }
  HistoryDb db(tmp.path());
  EXPECT_TRUE(db.contractPeriods("acme-v1", "sl-day").empty());
  ContractTracker tracker(cfg->intervals.length.count(), &db);
  tracker.setContracts({cfg, &cfg->contracts}, at(24 + 8, 0));
  EXPECT_EQ(term(tracker, "sl-day").startUs, at(0, 0));
  EXPECT_EQ(term(tracker, "sl-day").sum.answered, 20U);
  tracker.tick(at(24 + 7, 59, 55));
  // The day: (9 + 6) / (10 + 10) = 0.75 < 0.8: missed. The term is now at the next day.
  const auto days = db.contractPeriods("acme-v1", "sl-day");
  ASSERT_EQ(days.size(), 1U);
  EXPECT_EQ(days[0].startUs, at(0, 0));
  EXPECT_DOUBLE_EQ(days[0].numerator, 15);
  EXPECT_DOUBLE_EQ(days[0].denominator, 20);
  EXPECT_EQ(days[0].status, "missed");
  EXPECT_EQ(term(tracker, "sl-day").startUs, at(24, 0));
  EXPECT_EQ(term(tracker, "sl-day").periodsMissed, 1U);
  // The interval term closed 09:00 (9 / 10 = 0.9) and 23:30 (6 / 10 = 0.6), both met, before the
  // stop; after the restart it neither closes them again nor stops at the empty 23:45: it is at
  // the watermark's interval, 07:45-08:00.
  const auto intervals = db.contractPeriods("acme-v1", "sl-interval");
  ASSERT_EQ(intervals.size(), 2U);
  EXPECT_EQ(intervals[1].startUs, at(23, 30));
  EXPECT_EQ(intervals[1].status, "met");
  EXPECT_EQ(term(tracker, "sl-interval").periodsMet, 2U);
  EXPECT_EQ(term(tracker, "sl-interval").startUs, at(24 + 7, 45));
}

}  // namespace
}  // namespace ccpulse
