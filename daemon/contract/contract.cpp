#include "ccpulse/contract/contract.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>
#include <tuple>

#include "ccpulse/common/civil_time.hpp"
#include "ccpulse/common/csv.hpp"

namespace ccpulse {
namespace {

constexpr std::int64_t kDaySeconds = 86'400;

std::int64_t floorDiv(std::int64_t a, std::int64_t b) noexcept {
  const std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/// Local calendar day (days since 1970-01-01) containing `utcUs`.
std::int64_t localDays(const TimeZone& zone, std::int64_t utcUs) noexcept {
  const std::int64_t seconds = floorDiv(utcUs, 1'000'000);
  return floorDiv(seconds + zone.offsetAt(seconds), kDaySeconds);
}

/// Per-contact bounds of a measure's raw value (numerator per unit of denominator), for "needed".
void rawBounds(ContractMeasure measure, double& lo, double& hi) noexcept {
  lo = 0;
  hi = 1;
  switch (measure) {
    case ContractMeasure::kAsa:
    case ContractMeasure::kAhtBand:
      hi = INFINITY;
      break;
    case ContractMeasure::kCsatAverage:
      lo = 1;
      hi = 5;
      break;
    case ContractMeasure::kNps:
      lo = -1;
      break;
    default:
      break;
  }
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string isoDate(std::int64_t days) {
  const CivilDate d = civilFromDays(days);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(d.year), d.month, d.day);
  return buf;
}

std::string htmlEscape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string jsonEscape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

std::string targetText(const ContractTerm& term) {
  if (term.measure == ContractMeasure::kAhtBand) {
    return formatAttainment(term.measure, term.bandMin) + " to " + formatAttainment(term.measure, term.bandMax);
  }
  return std::string(term.comparison == Comparison::kAtLeast ? "at least " : "at most ") +
         formatAttainment(term.measure, term.target);
}

std::string periodNoun(ContractPeriod period, bool plural) {
  switch (period) {
    case ContractPeriod::kInterval:
      return plural ? "intervals" : "interval";
    case ContractPeriod::kDay:
      return plural ? "days" : "day";
    case ContractPeriod::kWeek:
      return plural ? "weeks" : "week";
    case ContractPeriod::kMonth:
      return plural ? "months" : "month";
  }
  return "periods";
}

/// "2026-11-03" for days and longer periods, "2026-11-03T10:15:00+00:00" for intervals.
std::string periodLabel(const TermCard& t, const PeriodResult& p) {
  const TimeZone& zone = *t.contract->zone;
  if (t.term->period == ContractPeriod::kInterval) {
    return zone.formatLocal(p.startUs);
  }
  return isoDate(localDays(zone, p.startUs));
}

}  // namespace

std::string_view toString(ContractMeasure measure) noexcept {
  switch (measure) {
    case ContractMeasure::kServiceLevel:
      return "service_level";
    case ContractMeasure::kAbandonRate:
      return "abandon_rate";
    case ContractMeasure::kAsa:
      return "asa";
    case ContractMeasure::kAhtBand:
      return "aht_band";
    case ContractMeasure::kCsatAverage:
      return "csat_average";
    case ContractMeasure::kNps:
      return "nps";
    case ContractMeasure::kFcrResolved:
      return "fcr";
    case ContractMeasure::kFcrNoRepeat:
      return "fcr_no_repeat";
    case ContractMeasure::kContainment:
      return "containment";
    case ContractMeasure::kComplaintsPer1000:
      return "complaints_per_1000";
    case ContractMeasure::kStaffedVsCommitted:
      return "staffed_vs_committed";
  }
  return "unknown";
}

std::string_view toString(ContractPeriod period) noexcept {
  switch (period) {
    case ContractPeriod::kInterval:
      return "interval";
    case ContractPeriod::kDay:
      return "day";
    case ContractPeriod::kWeek:
      return "week";
    case ContractPeriod::kMonth:
      return "month";
  }
  return "unknown";
}

std::string_view toString(Comparison comparison) noexcept { return comparison == Comparison::kAtLeast ? ">=" : "<="; }

std::string_view toString(TermStatus status) noexcept {
  switch (status) {
    case TermStatus::kNoData:
      return "no_data";
    case TermStatus::kMet:
      return "met";
    case TermStatus::kAtRisk:
      return "at_risk";
    case TermStatus::kMissed:
      return "missed";
  }
  return "unknown";
}

bool globMatch(std::string_view pattern, std::string_view text) noexcept {
  // Iterative matcher with one backtrack point for the last `*`: linear in practice.
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = std::string_view::npos;
  std::size_t mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') {
    ++p;
  }
  return p == pattern.size();
}

bool termCovers(const Contract& contract, const ContractTerm& term, std::string_view tenant, std::string_view vendor,
                std::string_view queue, Channel channel) noexcept {
  if (tenant != contract.tenant || vendor != contract.vendor) {
    return false;
  }
  if (!term.match.channels.empty() &&
      std::find(term.match.channels.begin(), term.match.channels.end(), channel) == term.match.channels.end()) {
    return false;
  }
  if (term.match.queues.empty()) {
    return true;
  }
  return std::any_of(term.match.queues.begin(), term.match.queues.end(),
                     [&](const std::string& glob) { return globMatch(glob, queue); });
}

std::int64_t localDayStartUs(const TimeZone& zone, std::int64_t days) noexcept {
  // Local noon of that date is inside it whatever the DST shift (at most a few hours).
  const std::int64_t noonUtc = days * kDaySeconds + kDaySeconds / 2;
  const std::int64_t guess = noonUtc - zone.offsetAt(noonUtc);
  return zone.dayStartUs(guess * 1'000'000);
}

void contractPeriodBounds(ContractPeriod period, const TimeZone& zone, std::int64_t intervalUs, std::int64_t tsUs,
                          std::int64_t& startUs, std::int64_t& endUs) noexcept {
  switch (period) {
    case ContractPeriod::kInterval:
      startUs = zone.periodStartUs(tsUs, std::max<std::int64_t>(intervalUs / 1'000'000, 60));
      endUs = startUs + intervalUs;
      return;
    case ContractPeriod::kDay:
      startUs = zone.dayStartUs(tsUs);
      endUs = zone.nextDayStartUs(tsUs);
      return;
    case ContractPeriod::kWeek: {
      const std::int64_t days = localDays(zone, tsUs);
      const std::int64_t monday = days - ((days % 7 + 7 + 3) % 7);  // 1970-01-01 was a Thursday
      startUs = localDayStartUs(zone, monday);
      endUs = localDayStartUs(zone, monday + 7);
      return;
    }
    case ContractPeriod::kMonth: {
      const CivilDate d = civilFromDays(localDays(zone, tsUs));
      startUs = localDayStartUs(zone, daysFromCivil(d.year, d.month, 1));
      endUs = localDayStartUs(zone,
                              d.month == 12 ? daysFromCivil(d.year + 1, 1, 1) : daysFromCivil(d.year, d.month + 1, 1));
      return;
    }
  }
}

TermValue termValue(const ContractTerm& term, const OutcomeCounts& c) noexcept {
  TermValue v;
  const auto n = static_cast<double>(c.answered);
  const auto a = static_cast<double>(c.answeredInThreshold);
  const auto b = static_cast<double>(c.abandoned);
  const auto bt = static_cast<double>(c.abandonedInThreshold);
  const auto bs = static_cast<double>(c.abandonedShort);
  switch (term.measure) {
    case ContractMeasure::kServiceLevel: {
      // The same formulas as computeServiceLevel (service_level.cpp), kept as a fraction so that
      // "what is still needed" can be solved for the rest of the period.
      const double d = term.dequeuedCountsAsMiss ? static_cast<double>(c.dequeued) : 0.0;
      const double finished = n + b + d;
      v.numerator = a;
      switch (term.formula) {
        case ServiceLevelFormula::kAnswered:
          v.denominator = n;
          break;
        case ServiceLevelFormula::kIgnoreAbandons:
          v.denominator = finished - bt;
          break;
        case ServiceLevelFormula::kAbandonsMiss:
        case ServiceLevelFormula::kAllMisses:
          v.denominator = finished;
          break;
        case ServiceLevelFormula::kAbandonsMet:
          v.numerator = a + bt;
          v.denominator = finished;
          break;
        case ServiceLevelFormula::kExcludeShortAbandons:
          v.denominator = finished - bs;
          break;
      }
      break;
    }
    case ContractMeasure::kAbandonRate:
      v.numerator = b;
      v.denominator = static_cast<double>(c.offered);
      break;
    case ContractMeasure::kAsa:
      v.numerator = c.waitSecondsAnswered;
      v.denominator = n;
      break;
    case ContractMeasure::kAhtBand:
      v.numerator = c.handleSeconds;
      v.denominator = static_cast<double>(c.handled);
      break;
    case ContractMeasure::kCsatAverage:
      v.numerator = static_cast<double>(c.csatSum);
      v.denominator = static_cast<double>(c.surveys);
      break;
    case ContractMeasure::kNps:
      v.numerator = static_cast<double>(c.npsPromoters) - static_cast<double>(c.npsDetractors);
      v.denominator = static_cast<double>(c.npsResponses);
      v.scale = 100;
      break;
    case ContractMeasure::kFcrResolved:
      v.numerator = static_cast<double>(c.resolvedYes);
      v.denominator = static_cast<double>(c.resolvedKnown);
      break;
    case ContractMeasure::kFcrNoRepeat:
      v.numerator = static_cast<double>(c.offered) - static_cast<double>(std::min(c.repeatContacts, c.offered));
      v.denominator = static_cast<double>(c.offered);
      break;
    case ContractMeasure::kContainment:
      v.numerator = static_cast<double>(c.selfServiceContained);
      v.denominator = static_cast<double>(c.selfServiceContained + c.selfServiceEscalated);
      break;
    case ContractMeasure::kComplaintsPer1000:
      v.numerator = static_cast<double>(c.complaints);
      v.denominator = static_cast<double>(c.handled);
      v.scale = 1000;
      break;
    case ContractMeasure::kStaffedVsCommitted:
      break;  // not from contact counts: staffedTermValue() over agent intervals
  }
  return v;
}

bool termCoversAgents(const Contract& contract, const ContractTerm& term, std::string_view tenant,
                      std::string_view vendor, std::string_view queue) noexcept {
  if (tenant != contract.tenant || vendor != contract.vendor) {
    return false;
  }
  return term.match.queues.empty() || std::any_of(term.match.queues.begin(), term.match.queues.end(),
                                                  [&](const std::string& glob) { return globMatch(glob, queue); });
}

const Forecast* tenantForecast(const ForecastsByTenant* forecasts, std::string_view tenant) noexcept {
  if (forecasts == nullptr) {
    return nullptr;
  }
  const auto it = forecasts->find(tenant);
  return it == forecasts->end() ? nullptr : it->second.get();
}

std::map<std::int64_t, double> scheduledAgentsByInterval(const Contract& contract, const ContractTerm& term,
                                                         const Forecast& forecast, std::int64_t fromUs,
                                                         std::int64_t toUs) {
  std::map<std::int64_t, double> scheduled;
  const Forecast::Rows& rows = forecast.rows();
  for (const auto& [key, series] : rows) {
    if (!forecast.planOfVendor(key, contract.vendor)) {
      continue;
    }
    if (!termCoversAgents(contract, term, contract.tenant, contract.vendor, key.queue)) {
      continue;
    }
    // Each series is sorted by start.
    auto it = std::lower_bound(series.begin(), series.end(), fromUs,
                               [](const ForecastRow& row, std::int64_t us) { return row.startUs < us; });
    for (; it != series.end() && it->startUs < toUs; ++it) {
      scheduled[it->startUs] += it->scheduledAgents;
    }
  }
  return scheduled;
}

TermValue staffedTermValue(const Contract& contract, const ContractTerm& term,
                           const std::vector<AgentIntervalRow>& rows, std::int64_t fromUs, std::int64_t toUs,
                           std::int64_t* coveredUntilUs, const Forecast* schedule) {
  struct Interval {
    std::int64_t endUs = 0;
    std::int64_t staffedUs = 0;
  };
  // One row per (labels, shard, start): a re-closed interval (journal replay after a restore)
  // replaces the earlier row instead of adding to it.
  std::map<std::tuple<std::int64_t, std::string_view, std::string_view, std::string_view, std::uint32_t>,
           const AgentIntervalRow*>
      unique;
  for (const AgentIntervalRow& row : rows) {
    if (row.startUs >= fromUs && row.startUs < toUs &&
        termCoversAgents(contract, term, row.tenant, row.vendor, row.queue)) {
      unique[{row.startUs, row.tenant, row.vendor, row.queue, row.shard}] = &row;
    }
  }
  std::map<std::int64_t, Interval> intervals;  // start -> staffed agent-time over queues and shards
  for (const auto& [key, row] : unique) {
    Interval& i = intervals[row->startUs];
    i.endUs = row->endUs;
    i.staffedUs += row->staffedUs;
  }
  std::map<std::int64_t, double> scheduled;
  if (term.commitmentFromSchedule && schedule != nullptr && !intervals.empty()) {
    scheduled =
        scheduledAgentsByInterval(contract, term, *schedule, intervals.begin()->first, intervals.rbegin()->first + 1);
  }
  TermValue v;
  for (const auto& [startUs, i] : intervals) {
    // The interval is over either way: the rest of the period starts after it.
    if (coveredUntilUs != nullptr) {
      *coveredUntilUs = std::max(*coveredUntilUs, i.endUs);
    }
    double committed = term.committedAgents;
    if (term.commitmentFromSchedule) {
      // Nobody scheduled (night, closed queue, no forecast row or no forecast): not counted.
      const auto s = scheduled.find(startUs);
      if (s == scheduled.end() || !(s->second > 0)) {
        continue;
      }
      committed = s->second * term.commitmentRatio;
    }
    // Average staffed agents = agent-time / interval length; compared as a product so that
    // exactly the commitment (e.g. 2 agents all interval long) meets it.
    const double lengthUs = static_cast<double>(i.endUs - startUs);
    v.numerator += static_cast<double>(i.staffedUs) >= committed * lengthUs ? 1 : 0;
    v.denominator += 1;
  }
  return v;
}

bool meetsTarget(const ContractTerm& term, double attainment) noexcept {
  if (term.measure == ContractMeasure::kAhtBand) {
    return attainment >= term.bandMin && attainment <= term.bandMax;
  }
  return term.comparison == Comparison::kAtLeast ? attainment >= term.target : attainment <= term.target;
}

TermStatus closedStatus(const ContractTerm& term, const TermValue& value) noexcept {
  const auto attainment = value.attainment();
  if (!attainment) {
    return TermStatus::kNoData;
  }
  return meetsTarget(term, *attainment) ? TermStatus::kMet : TermStatus::kMissed;
}

Needed neededForRest(const ContractTerm& term, const TermValue& soFar, std::int64_t elapsedUs, std::int64_t remainingUs,
                     std::optional<double> forecastRemainingVolume) noexcept {
  Needed needed;
  if (term.measure == ContractMeasure::kAhtBand) {
    return needed;
  }
  double remaining = 0;
  if (forecastRemainingVolume) {
    remaining = std::max(0.0, *forecastRemainingVolume);
  } else {
    if (elapsedUs <= 0 || soFar.denominator <= 0) {
      return needed;
    }
    remaining = soFar.denominator * static_cast<double>(std::max<std::int64_t>(remainingUs, 0)) /
                static_cast<double>(elapsedUs);
  }
  needed.expectedRemainingVolume = remaining;
  const double target = term.target / soFar.scale;  // in numerator per unit of denominator
  const bool atLeast = term.comparison == Comparison::kAtLeast;
  if (remaining <= 0) {
    // Nothing more is expected: the period so far is the final answer.
    const auto attainment = soFar.attainment();
    if (!attainment) {
      return needed;
    }
    needed.kind = meetsTarget(term, *attainment) ? Needed::Kind::kSecured : Needed::Kind::kCannotBeMet;
    return needed;
  }
  double lo = 0;
  double hi = 1;
  rawBounds(term.measure, lo, hi);
  // Solve (numerator + x·R) / (denominator + R) = target for the rest's per-unit value x.
  const double x = (target * (soFar.denominator + remaining) - soFar.numerator) / remaining;
  if (atLeast ? x > hi : x < lo) {
    needed.kind = Needed::Kind::kCannotBeMet;
  } else if (atLeast ? x <= lo : x >= hi) {
    needed.kind = Needed::Kind::kSecured;
  } else {
    needed.kind = Needed::Kind::kValue;
    needed.value = x * soFar.scale;
  }
  return needed;
}

TermStatus openStatus(const ContractTerm& term, const TermValue& soFar, const Needed& needed) noexcept {
  const auto attainment = soFar.attainment();
  if (!attainment) {
    return TermStatus::kNoData;
  }
  if (needed.kind == Needed::Kind::kCannotBeMet) {
    return TermStatus::kMissed;
  }
  if (!meetsTarget(term, *attainment)) {
    return TermStatus::kAtRisk;
  }
  double margin = 0;
  if (term.measure == ContractMeasure::kAhtBand) {
    margin = std::min(*attainment - term.bandMin, term.bandMax - *attainment);
  } else {
    margin = std::abs(*attainment - term.target);
  }
  return margin < term.atRiskMargin ? TermStatus::kAtRisk : TermStatus::kMet;
}

std::optional<std::int64_t> parseDate(std::string_view text) noexcept {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return std::nullopt;
  }
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  if (std::from_chars(text.data(), text.data() + 4, y).ptr != text.data() + 4 ||
      std::from_chars(text.data() + 5, text.data() + 7, m).ptr != text.data() + 7 ||
      std::from_chars(text.data() + 8, text.data() + 10, d).ptr != text.data() + 10) {
    return std::nullopt;
  }
  if (m < 1 || m > 12 || d < 1 || d > 31) {
    return std::nullopt;
  }
  const std::int64_t days = daysFromCivil(y, m, d);
  const CivilDate back = civilFromDays(days);
  if (back.month != m || back.day != d) {
    return std::nullopt;  // e.g. 2026-02-30
  }
  return days;
}

Scorecard buildScorecard(const ContractSettings& contracts, const std::vector<IntervalRow>& rows,
                         std::string_view tenant, std::string_view vendor, std::int64_t fromDay, std::int64_t toDay,
                         std::int64_t intervalUs, const std::vector<AgentIntervalRow>& agentRows,
                         const ForecastsByTenant* forecasts) {
  Scorecard card;
  card.tenant = std::string(tenant);
  card.vendor = std::string(vendor);
  bool first = true;
  for (const Contract& contract : contracts.contracts) {
    if (contract.tenant != tenant || (!vendor.empty() && contract.vendor != vendor)) {
      continue;
    }
    const TimeZone& zone = *contract.zone;
    const std::int64_t fromUs = localDayStartUs(zone, fromDay);
    const std::int64_t toUs = localDayStartUs(zone, toDay + 1);
    if (first) {
      card.fromUs = fromUs;
      card.toUs = toUs;
      first = false;
    }
    for (const ContractTerm& term : contract.terms) {
      TermCard t;
      t.contract = &contract;
      t.term = &term;
      std::map<std::int64_t, PeriodResult> periods;
      // Every period whose start is in range, with or without data, so gaps show as no_data.
      for (std::int64_t at = fromUs; at < toUs;) {
        PeriodResult p;
        contractPeriodBounds(term.period, zone, intervalUs, at, p.startUs, p.endUs);
        if (p.startUs >= fromUs) {
          periods.emplace(p.startUs, p);
        }
        at = p.endUs;
      }
      std::map<std::int64_t, OutcomeCounts> sums;
      OutcomeCounts overall;
      for (const IntervalRow& row : rows) {
        if (!termCovers(contract, term, row.tenant, row.vendor, row.queue, row.channel)) {
          continue;
        }
        std::int64_t start = 0;
        std::int64_t end = 0;
        contractPeriodBounds(term.period, zone, intervalUs, row.startUs, start, end);
        const auto it = periods.find(start);
        if (it == periods.end()) {
          continue;  // in a period that starts before or after the range
        }
        addCounts(sums[start], row.counts);
        addCounts(overall, row.counts);
      }
      const bool staffed = term.measure == ContractMeasure::kStaffedVsCommitted;
      const Forecast* const schedule = tenantForecast(forecasts, contract.tenant);
      if (staffed) {
        // Intervals, not contacts: the overall share is over every interval of the listed periods.
        t.overall = TermValue{};
        for (const auto& [start, p] : periods) {
          const TermValue v = staffedTermValue(contract, term, agentRows, p.startUs, p.endUs, nullptr, schedule);
          t.overall.numerator += v.numerator;
          t.overall.denominator += v.denominator;
        }
      } else {
        t.overall = termValue(term, overall);
      }
      std::map<std::int64_t, double> creditByMonth;  // month start -> percent so far
      for (auto& [start, p] : periods) {
        const auto sum = sums.find(start);
        p.value = staffed ? staffedTermValue(contract, term, agentRows, p.startUs, p.endUs, nullptr, schedule)
                          : termValue(term, sum == sums.end() ? OutcomeCounts{} : sum->second);
        p.status = closedStatus(term, p.value);
        if (p.status == TermStatus::kMissed && term.creditPercent > 0) {
          std::int64_t monthStart = 0;
          std::int64_t monthEnd = 0;
          contractPeriodBounds(ContractPeriod::kMonth, zone, intervalUs, p.startUs, monthStart, monthEnd);
          double& used = creditByMonth[monthStart];
          p.creditPercent = std::max(0.0, std::min(term.creditPercent, term.creditCapPercent - used));
          used += p.creditPercent;
        }
        t.met += p.status == TermStatus::kMet ? 1 : 0;
        t.missed += p.status == TermStatus::kMissed ? 1 : 0;
        t.noData += p.status == TermStatus::kNoData ? 1 : 0;
        t.creditPercent += p.creditPercent;
        t.periods.push_back(p);
      }
      t.creditAmount = t.creditPercent * contract.monthlyFee / 100.0;
      card.terms.push_back(std::move(t));
    }
  }
  return card;
}

std::string formatAttainment(ContractMeasure measure, double value) {
  switch (measure) {
    case ContractMeasure::kServiceLevel:
    case ContractMeasure::kAbandonRate:
    case ContractMeasure::kFcrResolved:
    case ContractMeasure::kFcrNoRepeat:
    case ContractMeasure::kContainment:
      return fixed(value * 100, 1) + " %";
    case ContractMeasure::kAsa:
    case ContractMeasure::kAhtBand:
      return fixed(value, 1) + " s";
    case ContractMeasure::kCsatAverage:
      return fixed(value, 2);
    case ContractMeasure::kNps:
      return fixed(value, 1);
    case ContractMeasure::kComplaintsPer1000:
      return fixed(value, 2) + " per 1,000";
    case ContractMeasure::kStaffedVsCommitted:
      return fixed(value * 100, 1) + " % of intervals";
  }
  return fixed(value, 3);
}

std::vector<std::string> scorecardSummary(const Scorecard& card) {
  std::vector<std::string> lines;
  if (card.terms.empty()) {
    lines.emplace_back("No contract terms for tenant " + card.tenant +
                       (card.vendor.empty() ? "" : " and vendor " + card.vendor) + ".");
    return lines;
  }
  std::size_t clean = 0;
  std::size_t slipped = 0;
  double credit = 0;
  for (const TermCard& t : card.terms) {
    clean += t.missed == 0 && t.met > 0 ? 1 : 0;
    slipped += t.missed > 0 ? 1 : 0;
    credit += t.creditAmount;
  }
  std::string overview =
      std::to_string(clean) + " of " + std::to_string(card.terms.size()) + " terms were met in every period with data";
  if (slipped > 0) {
    overview += "; " + std::to_string(slipped) + " slipped at least once";
  }
  if (credit > 0) {
    overview += "; service credits owed: " + fixed(credit, 2);
  }
  lines.push_back(overview + ".");
  for (const TermCard& t : card.terms) {
    const ContractTerm& term = *t.term;
    std::string line = t.contract->name + " / " + term.name + " (" + std::string(toString(term.measure)) + ", " +
                       targetText(term) + " per " + periodNoun(term.period, false) + "): ";
    const std::size_t measured = t.met + t.missed;
    if (measured == 0) {
      line += "no contacts in the range.";
      lines.push_back(std::move(line));
      continue;
    }
    if (t.missed == 0) {
      line += measured == 1
                  ? "met in the one " + periodNoun(term.period, false) + " with data"
                  : "met in all " + std::to_string(measured) + " " + periodNoun(term.period, true) + " with data";
    } else {
      line += "met in " + std::to_string(t.met) + " of " + std::to_string(measured) + " " +
              periodNoun(term.period, measured != 1) + "; slipped on ";
      std::size_t listed = 0;
      for (const PeriodResult& p : t.periods) {
        if (p.status != TermStatus::kMissed) {
          continue;
        }
        if (listed == 5) {
          line += " and " + std::to_string(t.missed - listed) + " more";
          break;
        }
        line += (listed == 0 ? "" : ", ") + periodLabel(t, p) + " (" +
                formatAttainment(term.measure, *p.value.attainment()) + ")";
        ++listed;
      }
    }
    if (const auto overall = t.overall.attainment()) {
      line += "; " + formatAttainment(term.measure, *overall) + " over the whole range";
    }
    if (t.creditPercent > 0) {
      line += "; service credit owed: " + fixed(t.creditPercent, 2) + " % of the monthly fee";
      if (t.contract->monthlyFee > 0) {
        line += " (" + fixed(t.creditAmount, 2) + ")";
      }
    }
    line += ".";
    lines.push_back(std::move(line));
  }
  return lines;
}

std::string scorecardCsv(const Scorecard& card) {
  std::ostringstream out;
  out << "agreement,tenant,vendor,term,measure,period,period_start,period_end,attainment,target,comparison,status,"
         "numerator,denominator,credit_percent,credit_amount\n";
  for (const TermCard& t : card.terms) {
    const ContractTerm& term = *t.term;
    const TimeZone& zone = *t.contract->zone;
    const std::string target = term.measure == ContractMeasure::kAhtBand
                                   ? fixed(term.bandMin, 6) + ".." + fixed(term.bandMax, 6)
                                   : fixed(term.target, 6);
    for (const PeriodResult& p : t.periods) {
      const auto attainment = p.value.attainment();
      out << csvField(t.contract->name) << ',' << csvField(t.contract->tenant) << ',' << csvField(t.contract->vendor)
          << ',' << csvField(term.name) << ',' << toString(term.measure) << ',' << toString(term.period) << ','
          << zone.formatLocal(p.startUs) << ',' << zone.formatLocal(p.endUs) << ','
          << (attainment ? fixed(*attainment, 6) : "") << ',' << target << ','
          << (term.measure == ContractMeasure::kAhtBand ? "band" : std::string(toString(term.comparison))) << ','
          << toString(p.status) << ',' << fixed(p.value.numerator, 6) << ',' << fixed(p.value.denominator, 6) << ','
          << fixed(p.creditPercent, 6) << ',' << fixed(p.creditPercent * t.contract->monthlyFee / 100.0, 2) << '\n';
    }
  }
  return out.str();
}

std::string scorecardJson(const Scorecard& card) {
  std::ostringstream out;
  out << "{\"tenant\":\"" << jsonEscape(card.tenant) << "\",\"vendor\":\"" << jsonEscape(card.vendor)
      << "\",\"from_us\":" << card.fromUs << ",\"to_us\":" << card.toUs << ",\"summary\":[";
  const auto summary = scorecardSummary(card);
  for (std::size_t i = 0; i < summary.size(); ++i) {
    out << (i == 0 ? "" : ",") << '"' << jsonEscape(summary[i]) << '"';
  }
  out << "],\"terms\":[";
  for (std::size_t i = 0; i < card.terms.size(); ++i) {
    const TermCard& t = card.terms[i];
    const ContractTerm& term = *t.term;
    const auto overall = t.overall.attainment();
    out << (i == 0 ? "" : ",") << "{\"agreement\":\"" << jsonEscape(t.contract->name) << "\",\"vendor\":\""
        << jsonEscape(t.contract->vendor) << "\",\"term\":\"" << jsonEscape(term.name) << "\",\"measure\":\""
        << toString(term.measure) << "\",\"period\":\"" << toString(term.period) << "\",\"comparison\":\""
        << toString(term.comparison) << "\",\"target\":" << fixed(term.target, 6)
        << ",\"min\":" << fixed(term.bandMin, 6) << ",\"max\":" << fixed(term.bandMax, 6)
        << ",\"overall\":" << (overall ? fixed(*overall, 6) : "null") << ",\"met\":" << t.met
        << ",\"missed\":" << t.missed << ",\"no_data\":" << t.noData
        << ",\"credit_percent\":" << fixed(t.creditPercent, 6) << ",\"credit_amount\":" << fixed(t.creditAmount, 2)
        << ",\"periods\":[";
    for (std::size_t j = 0; j < t.periods.size(); ++j) {
      const PeriodResult& p = t.periods[j];
      const auto a = p.value.attainment();
      out << (j == 0 ? "" : ",") << "{\"start\":\"" << t.contract->zone->formatLocal(p.startUs) << "\",\"end\":\""
          << t.contract->zone->formatLocal(p.endUs) << "\",\"attainment\":" << (a ? fixed(*a, 6) : "null")
          << ",\"status\":\"" << toString(p.status) << "\",\"numerator\":" << fixed(p.value.numerator, 6)
          << ",\"denominator\":" << fixed(p.value.denominator, 6) << ",\"credit_percent\":" << fixed(p.creditPercent, 6)
          << "}";
    }
    out << "]}";
  }
  out << "]}\n";
  return out.str();
}

namespace {

/// A line chart of attainment per period with the target as a dashed line; missed periods are
/// red dots. Plain SVG with inline styles: no script, no external assets.
std::string trendSvg(const TermCard& t) {
  constexpr double kW = 760;
  constexpr double kH = 180;
  constexpr double kLeft = 60;
  constexpr double kRight = 10;
  constexpr double kTop = 10;
  constexpr double kBottom = 24;
  const ContractTerm& term = *t.term;
  double lo = INFINITY;
  double hi = -INFINITY;
  for (const PeriodResult& p : t.periods) {
    if (const auto a = p.value.attainment()) {
      lo = std::min(lo, *a);
      hi = std::max(hi, *a);
    }
  }
  const double t1 = term.measure == ContractMeasure::kAhtBand ? term.bandMin : term.target;
  const double t2 = term.measure == ContractMeasure::kAhtBand ? term.bandMax : term.target;
  lo = std::min({lo, t1, t2});
  hi = std::max({hi, t1, t2});
  if (!(hi > lo)) {
    hi = lo + 1;
  }
  const double pad = (hi - lo) * 0.1;
  lo -= pad;
  hi += pad;
  const std::size_t n = std::max<std::size_t>(t.periods.size(), 1);
  const auto x = [&](std::size_t i) {
    return kLeft + (n == 1 ? 0.5 : static_cast<double>(i) / static_cast<double>(n - 1)) * (kW - kLeft - kRight);
  };
  const auto y = [&](double v) { return kTop + (hi - v) / (hi - lo) * (kH - kTop - kBottom); };
  std::ostringstream svg;
  svg << "<svg class=\"trend\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " << kW << ' ' << kH
      << "\" role=\"img\" aria-label=\"" << htmlEscape(term.name) << " trend\">";
  svg << "<rect x=\"" << kLeft << "\" y=\"" << kTop << "\" width=\"" << kW - kLeft - kRight << "\" height=\""
      << kH - kTop - kBottom << "\" fill=\"#fafafa\" stroke=\"#ccc\"/>";
  for (const double v : {hi - pad, (hi + lo) / 2, lo + pad}) {
    svg << "<text x=\"" << kLeft - 4 << "\" y=\"" << fixed(y(v) + 4, 1)
        << "\" font-size=\"10\" text-anchor=\"end\" fill=\"#555\">" << htmlEscape(formatAttainment(term.measure, v))
        << "</text>";
  }
  for (const double v : {t1, t2}) {
    svg << "<line x1=\"" << kLeft << "\" x2=\"" << kW - kRight << "\" y1=\"" << fixed(y(v), 1) << "\" y2=\""
        << fixed(y(v), 1) << "\" stroke=\"#d08000\" stroke-dasharray=\"5,3\"/>";
  }
  std::string points;
  for (std::size_t i = 0; i < t.periods.size(); ++i) {
    if (const auto a = t.periods[i].value.attainment()) {
      points += fixed(x(i), 1) + "," + fixed(y(*a), 1) + " ";
    }
  }
  svg << "<polyline fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"1.5\" points=\"" << points << "\"/>";
  for (std::size_t i = 0; i < t.periods.size(); ++i) {
    const PeriodResult& p = t.periods[i];
    if (const auto a = p.value.attainment()) {
      svg << "<circle cx=\"" << fixed(x(i), 1) << "\" cy=\"" << fixed(y(*a), 1) << "\" r=\""
          << (t.periods.size() > 100 ? 1.5 : 3) << "\" fill=\""
          << (p.status == TermStatus::kMissed ? "#c0392b" : "#1f5fa8") << "\"><title>"
          << htmlEscape(periodLabel(t, p) + ": " + formatAttainment(term.measure, *a)) << "</title></circle>";
    }
  }
  if (!t.periods.empty()) {
    svg << "<text x=\"" << kLeft << "\" y=\"" << kH - 6 << "\" font-size=\"10\" fill=\"#555\">"
        << htmlEscape(periodLabel(t, t.periods.front())) << "</text>";
    svg << "<text x=\"" << kW - kRight << "\" y=\"" << kH - 6
        << "\" font-size=\"10\" text-anchor=\"end\" fill=\"#555\">" << htmlEscape(periodLabel(t, t.periods.back()))
        << "</text>";
  }
  svg << "</svg>";
  return svg.str();
}

}  // namespace

std::string scorecardHtml(const Scorecard& card) {
  std::ostringstream out;
  const std::string title = "Contract scorecard: " + card.tenant + (card.vendor.empty() ? "" : " / " + card.vendor);
  const TimeZone* zone = card.terms.empty() ? nullptr : card.terms.front().contract->zone.get();
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" << htmlEscape(title)
      << "</title>\n<style>\n"
         "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#222;max-width:820px}\n"
         "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 6px}\n"
         ".range{color:#555;margin-bottom:14px}\n"
         ".summary{background:#f3f6fa;border-left:4px solid #1f5fa8;padding:8px 14px}\n"
         ".summary li{margin:4px 0}\n"
         "table{border-collapse:collapse;font-size:12px;margin-top:8px}\n"
         "td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}th{background:#f0f0f0}\n"
         "td:first-child,th:first-child{text-align:left}\n"
         ".missed{color:#c0392b;font-weight:600}.met{color:#217a3c}.no_data{color:#888}\n"
         ".trend{width:100%;height:auto}\n"
         "section{page-break-inside:avoid;break-inside:avoid}\n"
         "@media print{body{margin:0;max-width:none}.summary{background:none;border-left:2px solid #000}"
         "a{color:inherit}section{page-break-inside:avoid}@page{size:A4;margin:15mm}}\n"
         "</style></head><body>\n";
  out << "<h1>" << htmlEscape(title) << "</h1>\n";
  if (zone != nullptr) {
    out << "<div class=\"range\">" << htmlEscape(zone->formatLocal(card.fromUs)) << " to "
        << htmlEscape(zone->formatLocal(card.toUs)) << " (" << htmlEscape(zone->name()) << ")</div>\n";
  }
  out << "<div class=\"summary\"><strong>Summary</strong><ul>\n";
  for (const std::string& line : scorecardSummary(card)) {
    out << "<li>" << htmlEscape(line) << "</li>\n";
  }
  out << "</ul></div>\n";
  for (const TermCard& t : card.terms) {
    const ContractTerm& term = *t.term;
    out << "<section><h2>" << htmlEscape(t.contract->name + " / " + term.name) << "</h2>\n<div>"
        << htmlEscape(std::string(toString(term.measure)) + ", target " + targetText(term) + " per " +
                      periodNoun(term.period, false) + ", vendor " + t.contract->vendor)
        << ". Met " << t.met << ", missed " << t.missed << ", no data " << t.noData;
    if (t.creditPercent > 0) {
      out << ". Service credit " << fixed(t.creditPercent, 2) << " %";
      if (t.contract->monthlyFee > 0) {
        out << " = " << fixed(t.creditAmount, 2);
      }
    }
    out << ".</div>\n" << trendSvg(t) << "\n";
    // Long interval lists would make pages of rows: show the missed ones only.
    const bool onlyMissed = t.periods.size() > 62;
    out << "<table><tr><th>" << (onlyMissed ? "missed " : "") << htmlEscape(periodNoun(term.period, false))
        << "</th><th>attainment</th><th>volume</th><th>status</th><th>credit %</th></tr>\n";
    for (const PeriodResult& p : t.periods) {
      if (onlyMissed && p.status != TermStatus::kMissed) {
        continue;
      }
      const auto a = p.value.attainment();
      out << "<tr><td>" << htmlEscape(periodLabel(t, p)) << "</td><td>"
          << (a ? htmlEscape(formatAttainment(term.measure, *a)) : "&ndash;") << "</td><td>"
          << fixed(p.value.denominator, 0) << "</td><td class=\"" << toString(p.status) << "\">" << toString(p.status)
          << "</td><td>" << (p.creditPercent > 0 ? fixed(p.creditPercent, 2) : "") << "</td></tr>\n";
    }
    out << "</table></section>\n";
  }
  out << "</body></html>\n";
  return out.str();
}

}  // namespace ccpulse
