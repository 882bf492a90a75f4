// Contract-term arithmetic: periods (interval, day, week, month) in the contract's time zone,
// including DST days, attainment, status, what is still needed, credits with a cap, the
// scorecard, the history database and the live tracker rebuilt from it after a restart.
// Expected numbers are worked out by hand next to each assertion.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "ccpulse/common/civil_time.hpp"
#include "ccpulse/config/loader.hpp"
#include "ccpulse/contract/contract.hpp"
#include "ccpulse/contract/tracker.hpp"
#include "ccpulse/history/history_db.hpp"
#include "ccpulse/staffing/forecast.hpp"

namespace ccpulse {
namespace {

constexpr std::int64_t kMinuteUs = 60'000'000;
constexpr std::int64_t kHourUs = 60 * kMinuteUs;
constexpr std::int64_t kDayUs = 24 * kHourUs;
constexpr std::int64_t kIntervalUs = 15 * kMinuteUs;

std::shared_ptr<const TimeZone> zone(const std::string& name) {
  std::string error;
  auto z = TimeZone::load(name, error);
  EXPECT_TRUE(z.has_value()) << error;
  return std::make_shared<const TimeZone>(*z);
}

/// UTC microseconds of a civil UTC time.
std::int64_t utc(int y, unsigned m, unsigned d, int h = 0, int min = 0) {
  return daysFromCivil(y, m, d) * kDayUs + h * kHourUs + min * kMinuteUs;
}

IntervalRow row(std::int64_t startUs, std::uint64_t answered, std::uint64_t inThreshold, std::uint64_t abandoned = 0,
                std::string queue = "acme-sales") {
  IntervalRow r;
  r.tenant = "acme";
  r.vendor = "teleperf";
  r.queue = std::move(queue);
  r.channel = Channel::kVoice;
  r.startUs = startUs;
  r.endUs = startUs + kIntervalUs;
  r.thresholdSeconds = 20;
  r.counts.offered = answered + abandoned;
  r.counts.answered = answered;
  r.counts.answeredInThreshold = inThreshold;
  r.counts.abandoned = abandoned;
  return r;
}

ContractTerm slTerm(ContractPeriod period, double target = 0.8) {
  ContractTerm t;
  t.name = "voice-sl";
  t.match.queues = {"acme-*"};
  t.match.channels = {Channel::kVoice};
  t.measure = ContractMeasure::kServiceLevel;
  t.formula = ServiceLevelFormula::kAbandonsMiss;
  t.target = target;
  t.comparison = Comparison::kAtLeast;
  t.period = period;
  return t;
}

ContractSettings settingsWith(ContractTerm term, const std::string& zoneName = "UTC", double fee = 10000) {
  ContractSettings s;
  Contract c;
  c.name = "acme-teleperf";
  c.tenant = "acme";
  c.vendor = "teleperf";
  c.zone = zone(zoneName);
  c.monthlyFee = fee;
  c.terms.push_back(std::move(term));
  s.contracts.push_back(std::move(c));
  return s;
}

TEST(ContractGlob, StarsAndQuestionMarks) {
  EXPECT_TRUE(globMatch("acme-*", "acme-sales"));
  EXPECT_TRUE(globMatch("*-voice", "acme-helpdesk-voice"));
  EXPECT_TRUE(globMatch("a?me*", "acme"));
  EXPECT_FALSE(globMatch("acme-*", "initech-sales"));
  EXPECT_FALSE(globMatch("acme", "acme-sales"));
  EXPECT_TRUE(globMatch("*", ""));
}

TEST(ContractPeriods, WeekStartsMondayMonthOnTheFirst) {
  const auto utcZone = zone("UTC");
  std::int64_t s = 0;
  std::int64_t e = 0;
  // 2026-11-19 is a Thursday: its week is Mon 2026-11-16 .. Mon 2026-11-23.
  contractPeriodBounds(ContractPeriod::kWeek, *utcZone, kIntervalUs, utc(2026, 11, 19, 13), s, e);
  EXPECT_EQ(s, utc(2026, 11, 16));
  EXPECT_EQ(e, utc(2026, 11, 23));
  contractPeriodBounds(ContractPeriod::kMonth, *utcZone, kIntervalUs, utc(2026, 12, 31, 23, 59), s, e);
  EXPECT_EQ(s, utc(2026, 12, 1));
  EXPECT_EQ(e, utc(2027, 1, 1));
  contractPeriodBounds(ContractPeriod::kInterval, *utcZone, kIntervalUs, utc(2026, 11, 19, 13, 44), s, e);
  EXPECT_EQ(s, utc(2026, 11, 19, 13, 30));
  EXPECT_EQ(e, utc(2026, 11, 19, 13, 45));
}

TEST(ContractPeriods, DstDaysInLondonHave23And25Hours) {
  const auto london = zone("Europe/London");
  std::int64_t s = 0;
  std::int64_t e = 0;
  // Spring forward 2026-03-29 01:00 GMT -> 02:00 BST: local day = 00:00Z .. 23:00Z = 23 h.
  contractPeriodBounds(ContractPeriod::kDay, *london, kIntervalUs, utc(2026, 3, 29, 12), s, e);
  EXPECT_EQ(s, utc(2026, 3, 29, 0));
  EXPECT_EQ(e - s, 23 * kHourUs);
  // Fall back 2026-10-25 02:00 BST -> 01:00 GMT: local day = 2026-10-24T23:00Z .. 2026-10-26T00:00Z = 25 h.
  contractPeriodBounds(ContractPeriod::kDay, *london, kIntervalUs, utc(2026, 10, 25, 12), s, e);
  EXPECT_EQ(s, utc(2026, 10, 24, 23));
  EXPECT_EQ(e - s, 25 * kHourUs);
  // The week containing it (Mon 2026-10-19 00:00 BST = 10-18T23:00Z .. Mon 10-26 00:00 GMT) has 7×24+1 h.
  contractPeriodBounds(ContractPeriod::kWeek, *london, kIntervalUs, utc(2026, 10, 25, 12), s, e);
  EXPECT_EQ(s, utc(2026, 10, 18, 23));
  EXPECT_EQ(e - s, (7 * 24 + 1) * kHourUs);
  // October 2026 in London: 10-01 00:00 BST (09-30T23:00Z) .. 11-01 00:00 GMT: 31 days + 1 h.
  contractPeriodBounds(ContractPeriod::kMonth, *london, kIntervalUs, utc(2026, 10, 15), s, e);
  EXPECT_EQ(s, utc(2026, 9, 30, 23));
  EXPECT_EQ(e - s, (31 * 24 + 1) * kHourUs);
}

TEST(ContractScorecard, DstDaysCountEveryIntervalOfTheLocalDay) {
  // An interval-period term over the two DST days: 92 intervals on 2026-03-29 and 100 on
  // 2026-10-25 (23 h × 4, 25 h × 4).
  const ContractSettings spring = settingsWith(slTerm(ContractPeriod::kInterval), "Europe/London");
  const auto springDay = *parseDate("2026-03-29");
  EXPECT_EQ(buildScorecard(spring, {}, "acme", "", springDay, springDay, kIntervalUs).terms.at(0).periods.size(), 92U);
  const auto fallDay = *parseDate("2026-10-25");
  EXPECT_EQ(buildScorecard(spring, {}, "acme", "", fallDay, fallDay, kIntervalUs).terms.at(0).periods.size(), 100U);

  // Day term, 2026-10-25 in London: an interval at 23:30Z on the 24th is local 00:30 BST on the
  // 25th, and one at 23:30Z on the 25th is 23:30 GMT, still the 25th. Both count in the one
  // 25-hour day: answered 10+10, in threshold 9+5 -> 14/20 = 0.70 < 0.80: missed.
  const ContractSettings daily = settingsWith(slTerm(ContractPeriod::kDay), "Europe/London");
  const std::vector<IntervalRow> rows = {row(utc(2026, 10, 24, 23, 30), 10, 9), row(utc(2026, 10, 25, 23, 30), 10, 5),
                                         row(utc(2026, 10, 24, 22, 30), 10, 0)};  // 23:30 BST on the 24th: not in
  const Scorecard card = buildScorecard(daily, rows, "acme", "", fallDay, fallDay, kIntervalUs);
  ASSERT_EQ(card.terms.at(0).periods.size(), 1U);
  const PeriodResult& p = card.terms[0].periods[0];
  EXPECT_EQ(p.endUs - p.startUs, 25 * kHourUs);
  EXPECT_DOUBLE_EQ(p.value.numerator, 14);
  EXPECT_DOUBLE_EQ(p.value.denominator, 20);
  EXPECT_EQ(p.status, TermStatus::kMissed);
}

TEST(ContractScorecard, AttainmentPerPeriodType) {
  // Three UTC days, 2026-11-02 (Mon) .. 11-04, one interval each at 10:00 and 10:15:
  //   11-02: 10:00 answered 50 / 45 in threshold, 10:15 50 / 40  -> day 85/100 = 0.85 met
  //   11-03: 10:00 40 / 20 + 10 abandoned,  10:15 50 / 40        -> day 60/100 = 0.60 missed
  //   11-04: 10:00 100 / 81                                       -> day 81/100 = 0.81 met
  // Whole range: (85 + 60 + 81) / 300 = 226/300 = 0.75333.
  std::vector<IntervalRow> rows = {
      row(utc(2026, 11, 2, 10, 0), 50, 45),
      row(utc(2026, 11, 2, 10, 15), 50, 40),
      row(utc(2026, 11, 3, 10, 0), 40, 20, 10),
      row(utc(2026, 11, 3, 10, 15), 50, 40),
      row(utc(2026, 11, 4, 10, 0), 100, 81),
      row(utc(2026, 11, 3, 10, 0), 100, 0, 0, "initech-sales"),  // other queue: not covered
  };
  const auto from = *parseDate("2026-11-02");
  const auto to = *parseDate("2026-11-04");

  // Interval: 3 days × 96 periods; 5 with data. 10:00 on 11-03: 20/(40+10) = 0.4 missed;
  // 10:15 on 11-02: 40/50 = 0.8 met (>= is inclusive).
  {
    const ContractSettings settings = settingsWith(slTerm(ContractPeriod::kInterval));
    const Scorecard card = buildScorecard(settings, rows, "acme", "", from, to, kIntervalUs);
    const TermCard& t = card.terms.at(0);
    EXPECT_EQ(t.periods.size(), 3U * 96U);
    EXPECT_EQ(t.met, 4U);  // 0.9, 0.8, 0.8, 0.81
    EXPECT_EQ(t.missed, 1U);
    EXPECT_EQ(t.noData, 3U * 96U - 5U);
    EXPECT_NEAR(*t.overall.attainment(), 226.0 / 300.0, 1e-12);
  }
  // Day: met, missed, met; credit 2 % of 10,000 for the missed day = 200.
  {
    ContractTerm term = slTerm(ContractPeriod::kDay);
    term.creditPercent = 2;
    const ContractSettings settings = settingsWith(term);  // the card points into it
    const Scorecard card = buildScorecard(settings, rows, "acme", "", from, to, kIntervalUs);
    const TermCard& t = card.terms.at(0);
    ASSERT_EQ(t.periods.size(), 3U);
    EXPECT_DOUBLE_EQ(*t.periods[0].value.attainment(), 0.85);
    EXPECT_DOUBLE_EQ(*t.periods[1].value.attainment(), 0.60);
    EXPECT_DOUBLE_EQ(*t.periods[2].value.attainment(), 0.81);
    EXPECT_EQ(t.periods[1].status, TermStatus::kMissed);
    EXPECT_DOUBLE_EQ(t.creditPercent, 2);
    EXPECT_DOUBLE_EQ(t.creditAmount, 200);
    const std::string csv = scorecardCsv(card);
    EXPECT_NE(csv.find("acme-teleperf,acme,teleperf,voice-sl,service_level,day,2026-11-03T00:00:00+00:00,"
                       "2026-11-04T00:00:00+00:00,0.600000,0.800000,>=,missed,60.000000,100.000000,2.000000,200.00"),
              std::string::npos)
        << csv;
  }
  // Week (Mon 11-02 .. Mon 11-09): one period, 226/300 = 0.7533 < 0.8: missed. A month term
  // over the same rows: November has one period starting 11-01, whose start is before the range
  // start 11-02, so it is not listed; from 11-01 it is, with the same 226/300.
  {
    const ContractSettings weekly = settingsWith(slTerm(ContractPeriod::kWeek));
    const Scorecard week = buildScorecard(weekly, rows, "acme", "", from, to, kIntervalUs);
    ASSERT_EQ(week.terms.at(0).periods.size(), 1U);
    EXPECT_NEAR(*week.terms[0].periods[0].value.attainment(), 226.0 / 300.0, 1e-12);
    EXPECT_EQ(week.terms[0].periods[0].status, TermStatus::kMissed);
    // A 0.75 weekly target is met.
    const ContractSettings weeklyLow = settingsWith(slTerm(ContractPeriod::kWeek, 0.75));
    const Scorecard weekLow = buildScorecard(weeklyLow, rows, "acme", "", from, to, kIntervalUs);
    EXPECT_EQ(weekLow.terms[0].periods[0].status, TermStatus::kMet);
    const ContractSettings monthly = settingsWith(slTerm(ContractPeriod::kMonth));
    const Scorecard month =
        buildScorecard(monthly, rows, "acme", "", *parseDate("2026-11-01"), *parseDate("2026-11-30"), kIntervalUs);
    ASSERT_EQ(month.terms.at(0).periods.size(), 1U);
    EXPECT_EQ(month.terms[0].periods[0].endUs - month.terms[0].periods[0].startUs, 30 * kDayUs);
    EXPECT_NEAR(*month.terms[0].periods[0].value.attainment(), 226.0 / 300.0, 1e-12);
  }
}

TEST(ContractScorecard, CreditsAreCappedPerMonth) {
  // Daily SL target 0.8, 3 % per missed day, cap 10 % a month: 5 missed days in November earn
  // 3 + 3 + 3 + 1 + 0 = 10 %; a missed day in December starts a new month: 3 %.
  ContractTerm term = slTerm(ContractPeriod::kDay);
  term.creditPercent = 3;
  term.creditCapPercent = 10;
  std::vector<IntervalRow> rows;
  for (unsigned d = 1; d <= 5; ++d) {
    rows.push_back(row(utc(2026, 11, d, 9), 10, 1));
  }
  rows.push_back(row(utc(2026, 12, 1, 9), 10, 1));
  const ContractSettings settings = settingsWith(term, "UTC", 50000);
  const Scorecard card = buildScorecard(settings, rows, "acme", "teleperf", *parseDate("2026-11-01"),
                                        *parseDate("2026-12-01"), kIntervalUs);
  const TermCard& t = card.terms.at(0);
  EXPECT_EQ(t.missed, 6U);
  EXPECT_DOUBLE_EQ(t.periods[3].creditPercent, 1);
  EXPECT_DOUBLE_EQ(t.periods[4].creditPercent, 0);
  EXPECT_DOUBLE_EQ(t.periods.back().creditPercent, 3);
  EXPECT_DOUBLE_EQ(t.creditPercent, 13);
  EXPECT_DOUBLE_EQ(t.creditAmount, 13 * 500.0);  // 1 % of 50,000 = 500
  // Another vendor's scorecard has no terms.
  EXPECT_TRUE(buildScorecard(settingsWith(term), rows, "acme", "other", *parseDate("2026-11-01"),
                             *parseDate("2026-11-02"), kIntervalUs)
                  .terms.empty());
}

TEST(ContractLive, NeededAndStatus) {
  // Daily SL >= 0.8. Half the day gone: 70 of 100 in threshold. Same-rate extrapolation expects
  // 100 more; the rest must reach x with (70 + 100x) / 200 = 0.8 -> x = 0.9. At risk.
  ContractTerm term = slTerm(ContractPeriod::kDay);
  TermValue soFar{70, 100, 1};
  Needed n = neededForRest(term, soFar, 12 * kHourUs, 12 * kHourUs);
  EXPECT_EQ(n.kind, Needed::Kind::kValue);
  EXPECT_NEAR(n.value, 0.9, 1e-12);
  EXPECT_DOUBLE_EQ(n.expectedRemainingVolume, 100);
  EXPECT_EQ(openStatus(term, soFar, n), TermStatus::kAtRisk);
  // 18 h gone, 40/100: remaining 100 × 6/18 = 33.3; x = (0.8 × 133.3 − 40) / 33.3 = 2.0 > 1: cannot be met.
  soFar = {40, 100, 1};
  n = neededForRest(term, soFar, 18 * kHourUs, 6 * kHourUs);
  EXPECT_EQ(n.kind, Needed::Kind::kCannotBeMet);
  EXPECT_EQ(openStatus(term, soFar, n), TermStatus::kMissed);
  // A forecast of 300 more contacts makes it reachable: x = (0.8 × 400 − 40) / 300 = 0.9333.
  n = neededForRest(term, soFar, 18 * kHourUs, 6 * kHourUs, 300.0);
  EXPECT_EQ(n.kind, Needed::Kind::kValue);
  EXPECT_NEAR(n.value, 280.0 / 300.0, 1e-12);
  // 95/100 with half the day left: x = (160 − 95)/100 = 0.65; met, unless the margin is 0.2.
  soFar = {95, 100, 1};
  n = neededForRest(term, soFar, 12 * kHourUs, 12 * kHourUs);
  EXPECT_NEAR(n.value, 0.65, 1e-12);
  EXPECT_EQ(openStatus(term, soFar, n), TermStatus::kMet);
  term.atRiskMargin = 0.2;
  EXPECT_EQ(openStatus(term, soFar, n), TermStatus::kAtRisk);
  // Abandon rate <= 0.05: 2 of 100 so far, 100 more expected: the rest may abandon up to
  // (0.05 × 200 − 2)/100 = 0.08. With 0 so far and 1 expected... secured when x >= 1.
  ContractTerm abandon = term;
  abandon.measure = ContractMeasure::kAbandonRate;
  abandon.comparison = Comparison::kAtMost;
  abandon.target = 0.05;
  abandon.atRiskMargin = 0;
  n = neededForRest(abandon, {2, 100, 1}, kHourUs, kHourUs);
  EXPECT_NEAR(n.value, 0.08, 1e-12);
  n = neededForRest(abandon, {0, 100, 1}, 99 * kHourUs, kHourUs);  // 1.01 more: 0.05 × 101.01 / 1.01 > 1
  EXPECT_EQ(n.kind, Needed::Kind::kSecured);
  // No volume yet: unknown and no data.
  n = neededForRest(term, {0, 0, 1}, kHourUs, kHourUs);
  EXPECT_EQ(n.kind, Needed::Kind::kUnknown);
  EXPECT_EQ(openStatus(term, {0, 0, 1}, n), TermStatus::kNoData);
}

TEST(ContractMeasures, QualityMeasuresFromCounts) {
  OutcomeCounts c;
  c.offered = 200;
  c.repeatContacts = 30;
  c.handled = 160;
  c.complaints = 4;
  c.surveys = 20;
  c.csatSum = 84;
  c.npsResponses = 20;
  c.npsPromoters = 9;
  c.npsDetractors = 3;
  c.selfServiceContained = 60;
  c.selfServiceEscalated = 40;
  c.resolvedKnown = 150;
  c.resolvedYes = 120;
  c.handleSeconds = 160 * 300.0;
  ContractTerm t;
  const auto value = [&](ContractMeasure m) {
    t.measure = m;
    return *termValue(t, c).attainment();
  };
  EXPECT_DOUBLE_EQ(value(ContractMeasure::kFcrNoRepeat), 170.0 / 200.0);  // 1 − 30/200
  EXPECT_DOUBLE_EQ(value(ContractMeasure::kComplaintsPer1000), 25.0);     // 4/160 × 1000
  EXPECT_DOUBLE_EQ(value(ContractMeasure::kCsatAverage), 4.2);            // 84/20
  EXPECT_DOUBLE_EQ(value(ContractMeasure::kNps), 30.0);                   // (9 − 3)/20 × 100
  EXPECT_DOUBLE_EQ(value(ContractMeasure::kContainment), 0.6);            // 60/100
  EXPECT_DOUBLE_EQ(value(ContractMeasure::kFcrResolved), 0.8);            // 120/150
  EXPECT_DOUBLE_EQ(value(ContractMeasure::kAhtBand), 300.0);
  t.measure = ContractMeasure::kAhtBand;
  t.bandMin = 240;
  t.bandMax = 360;
  EXPECT_TRUE(meetsTarget(t, 300));
  EXPECT_FALSE(meetsTarget(t, 361));
  // The service-level fractions agree with the engine's computeServiceLevel for every formula.
  OutcomeCounts sl;
  sl.answered = 90;
  sl.answeredInThreshold = 70;
  sl.abandoned = 10;
  sl.abandonedInThreshold = 6;
  sl.abandonedShort = 3;
  sl.dequeued = 5;
  for (int f = 0; f < 6; ++f) {
    for (const bool dq : {false, true}) {
      ContractTerm s = slTerm(ContractPeriod::kDay);
      s.formula = static_cast<ServiceLevelFormula>(f);
      s.dequeuedCountsAsMiss = dq;
      EXPECT_DOUBLE_EQ(*termValue(s, sl).attainment(), *computeServiceLevel(s.formula, dq, sl)) << f << dq;
    }
  }
}

std::filesystem::path freshDir(const std::string& name) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("ccpulse_contract_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(HistoryDb, CreatesMigratesAndRoundTrips) {
  const auto dir = freshDir("db");
  const std::string path = (dir / "history.sqlite").string();
  IntervalRow r = row(utc(2026, 11, 2, 10), 50, 45, 5);
  r.counts.csatSum = 17;
  r.counts.repeatContacts = 3;
  r.counts.handleSeconds = 1234.5;
  {
    HistoryDb db(path);
    EXPECT_EQ(db.schemaVersion(), HistoryDb::kSchemaVersion);
    db.writeIntervals({r, row(utc(2026, 11, 2, 10, 15), 1, 1)});
    db.writeIntervals({r});  // the same interval again replaces, not duplicates
    EXPECT_EQ(db.intervalCount(), 2);
  }
  const HistoryDb db(path, /*readOnly=*/true);  // reopen: migrations are not re-applied
  EXPECT_EQ(db.schemaVersion(), HistoryDb::kSchemaVersion);
  const auto rows = db.intervals("acme", utc(2026, 11, 2), utc(2026, 11, 3));
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows[0].queue, "acme-sales");
  EXPECT_EQ(rows[0].counts.abandoned, 5U);
  EXPECT_EQ(rows[0].counts.csatSum, 17U);
  EXPECT_EQ(rows[0].counts.repeatContacts, 3U);
  EXPECT_DOUBLE_EQ(rows[0].counts.handleSeconds, 1234.5);
  EXPECT_TRUE(db.intervals("initech", 0, INT64_MAX).empty());
  std::filesystem::remove_all(dir);
}

TEST(ContractTracker, RestartRebuildsPeriodToDateFromHistory) {
  const auto dir = freshDir("tracker");
  const std::string path = (dir / "history.sqlite").string();
  ContractTerm term = slTerm(ContractPeriod::kDay);
  term.creditPercent = 5;
  const auto contracts = std::make_shared<const ContractSettings>(settingsWith(term));
  std::string before;
  {
    HistoryDb db(path);
    ContractTracker tracker(kIntervalUs, &db);
    tracker.setContracts(contracts, utc(2026, 11, 2, 9));
    // Day 1: 60/100 -> missed when the day is over (the watermark passes midnight).
    const std::vector<IntervalRow> day1 = {row(utc(2026, 11, 2, 9), 100, 60)};
    db.writeIntervals(day1);
    tracker.addInterval(day1[0]);
    tracker.tick(utc(2026, 11, 3, 0) + 10'000'000);
    EXPECT_EQ(tracker.terms().at(0).periodsMissed, 1U);
    EXPECT_DOUBLE_EQ(tracker.terms()[0].creditPercentThisMonth, 5);
    // Day 2 so far: 90/100.
    const std::vector<IntervalRow> day2 = {row(utc(2026, 11, 3, 8), 50, 45), row(utc(2026, 11, 3, 8, 15), 50, 45)};
    db.writeIntervals(day2);
    for (const auto& r : day2) {
      tracker.addInterval(r);
    }
    before = tracker.renderMetrics(0);
  }
  // "Restart": a new tracker over the same database has the same period to date, counters and
  // credit, because all of it is derived from the stored intervals and closed periods.
  HistoryDb db(path);
  ContractTracker tracker(kIntervalUs, &db);
  tracker.setContracts(contracts, utc(2026, 11, 3, 8, 40));
  EXPECT_EQ(tracker.renderMetrics(0), before);
  EXPECT_NE(before.find("ccpulse_contract_attainment{agreement=\"acme-teleperf\",tenant=\"acme\",vendor=\"teleperf\","
                        "term=\"voice-sl\",measure=\"service_level\",period=\"day\"} 0.9"),
            std::string::npos)
      << before;
  EXPECT_NE(before.find("ccpulse_contract_periods_missed_total{agreement=\"acme-teleperf\",tenant=\"acme\",vendor="
                        "\"teleperf\",term=\"voice-sl\",measure=\"service_level\",period=\"day\"} 1"),
            std::string::npos);
  const auto closed = db.contractPeriods("acme-teleperf", "voice-sl");
  ASSERT_EQ(closed.size(), 1U);
  EXPECT_EQ(closed[0].status, "missed");
  EXPECT_DOUBLE_EQ(*closed[0].attainment, 0.6);
  std::filesystem::remove_all(dir);
}

TEST(ContractConfig, LoadsAgreementsAndRejectsMistakes) {
  const std::string base =
      "sources:\n  - name: a\n    endpoint: inproc://a\n"
      "tenants:\n  acme:\n    time_zone: Europe/London\n"
      "contracts:\n"
      "  complaint_dispositions: [complaint, escalation]\n"
      "  repeat_window: 7d\n"
      "  agreements:\n"
      "    - name: acme-teleperf\n"
      "      tenant: acme\n"
      "      vendor: teleperf\n"
      "      monthly_fee: 120000\n"
      "      terms:\n"
      "        - name: voice-sl\n"
      "          match: {queues: ['acme-*'], channels: [voice]}\n"
      "          measure: service_level\n"
      "          formula: exclude_short_abandons\n"
      "          target: 0.8\n"
      "          period: day\n"
      "          service_credit: {percent: 2, cap_percent: 10}\n"
      "        - name: abandons\n"
      "          measure: abandon_rate\n"
      "          target: 0.05\n"
      "          period: month\n"
      "        - name: aht\n"
      "          measure: aht_band\n"
      "          min: 240\n"
      "          max: 420\n"
      "          period: week\n";
  const auto ok = loadConfigString(base, "c.yaml");
  ASSERT_TRUE(ok.ok()) << ok.errors.front().format();
  const ContractSettings& c = ok.config->contracts;
  EXPECT_EQ(c.complaintDispositions, (std::vector<std::string>{"complaint", "escalation"}));
  EXPECT_EQ(c.repeatWindow, std::chrono::hours(24 * 7));
  ASSERT_EQ(c.contracts.size(), 1U);
  EXPECT_EQ(c.contracts[0].zone->name(), "Europe/London");  // the tenant's zone by default
  ASSERT_EQ(c.contracts[0].terms.size(), 3U);
  EXPECT_EQ(c.contracts[0].terms[0].formula, ServiceLevelFormula::kExcludeShortAbandons);
  EXPECT_DOUBLE_EQ(c.contracts[0].terms[0].creditCapPercent, 10);
  EXPECT_EQ(c.contracts[0].terms[1].comparison, Comparison::kAtMost);  // lower is better by default
  EXPECT_EQ(c.contracts[0].terms[2].period, ContractPeriod::kWeek);

  const auto expectError = [&](const std::string& from, const std::string& to, const std::string& path,
                               const std::string& words) {
    std::string text = base;
    const auto at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    const auto bad = loadConfigString(text, "c.yaml");
    ASSERT_FALSE(bad.ok()) << to;
    std::string message;  // every error: a typo also leaves its term without a target
    for (const auto& e : bad.errors) {
      message += e.format() + "\n";
    }
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find(words), std::string::npos) << message;
    EXPECT_NE(message.find("c.yaml:"), std::string::npos) << message;
  };
  expectError("          period: day\n", "          period: fortnight\n", "contracts.agreements[0].terms[0].period",
              "must be one of");
  expectError("          target: 0.8\n", "          targte: 0.8\n", "contracts.agreements[0].terms[0].targte",
              "did you mean 'target'");
  expectError("          target: 0.05\n", "", "contracts.agreements[0].terms[1]", "required: target");
  expectError("          min: 240\n", "", "contracts.agreements[0].terms[2]", "aht_band needs min and max");
  expectError("{percent: 2,", "{percent: 200,", "service_credit.percent", "between 0 and 100");
}

}  // namespace
}  // namespace ccpulse

namespace ccpulse {
namespace {

TEST(ContractTracker, ExpectedVolumeComesFromTheForecastWhenItCoversTheRest) {
  // Daily SL >= 0.8 (UTC). Closed so far: 09:00-09:15 with 70 of 100 in threshold.
  // Forecast for the rest of the day (09:15 .. 24:00): teleperf's own acme-sales rows 50 (09:15)
  // + 30 (10:00); the 08:00 row is before and the next day's after; the queue-wide acme-sales row
  // is ignored because teleperf has its own; acme-other has only a queue-wide row: 5 (12:00).
  // R = 50 + 30 + 5 = 85; needed x = (0.8 × (100 + 85) − 70) / 85 = 78 / 85 = 0.917647.
  Forecast::Rows rows;
  rows[ForecastKey{"teleperf", "acme-sales", Channel::kVoice}] = {{utc(2026, 11, 2, 8), 7, 300, 1},
                                                                  {utc(2026, 11, 2, 9, 15), 50, 300, 1},
                                                                  {utc(2026, 11, 2, 10), 30, 300, 1},
                                                                  {utc(2026, 11, 3, 0), 999, 300, 1}};
  rows[ForecastKey{"", "acme-sales", Channel::kVoice}] = {{utc(2026, 11, 2, 11), 1000, 300, 1}};
  rows[ForecastKey{"", "acme-other", Channel::kVoice}] = {{utc(2026, 11, 2, 12), 5, 300, 1}};
  auto forecasts = std::make_shared<ForecastsByTenant>();
  (*forecasts)["acme"] = std::make_shared<const Forecast>("f.csv", kIntervalUs, rows);
  const auto contracts = std::make_shared<const ContractSettings>(settingsWith(slTerm(ContractPeriod::kDay)));
  ContractTracker tracker(kIntervalUs, nullptr);
  tracker.setForecasts(forecasts);
  tracker.setContracts(contracts, utc(2026, 11, 2, 9));
  tracker.addInterval(row(utc(2026, 11, 2, 9), 100, 70));
  const std::string text = tracker.renderMetrics(0);
  EXPECT_NE(text.find("ccpulse_contract_expected_remaining_volume{agreement=\"acme-teleperf\",tenant=\"acme\","
                      "vendor=\"teleperf\",term=\"voice-sl\",measure=\"service_level\",period=\"day\"} 85\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("ccpulse_contract_needed{agreement=\"acme-teleperf\",tenant=\"acme\",vendor=\"teleperf\","
                      "term=\"voice-sl\",measure=\"service_level\",period=\"day\"} 0.9176470588235"),
            std::string::npos)
      << text;
  // Without the forecast: same-rate extrapolation, 100 × (24 h − 9.25 h) / 9.25 h = 159.46.
  tracker.setForecasts(nullptr);
  EXPECT_NE(tracker.renderMetrics(0).find("period=\"day\"} 159.459459"), std::string::npos);
}

}  // namespace
}  // namespace ccpulse
