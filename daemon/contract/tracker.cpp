#include "ccpulse/contract/tracker.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <sstream>

#include "ccpulse/engine/series.hpp"
#include "ccpulse/history/history_db.hpp"

namespace ccpulse {
namespace {

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

bool isStaffed(const ContractTerm& term) noexcept { return term.measure == ContractMeasure::kStaffedVsCommitted; }

std::string escapeLabel(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

IntervalRow toIntervalRow(const ClosedPeriod& p) {
  IntervalRow row;
  row.tenant = p.series->tenant;
  row.vendor = p.series->vendor;
  row.queue = p.series->queue;
  row.channel = p.series->channel;
  row.startUs = p.startUs;
  row.endUs = p.endUs;
  row.thresholdSeconds = p.thresholdSeconds;
  row.counts = p.counts;
  return row;
}

AgentIntervalRow toAgentIntervalRow(const ClosedAgentInterval& p) {
  AgentIntervalRow row;
  row.tenant = p.series->tenant;
  row.vendor = p.series->vendor;
  row.queue = p.series->queue;
  row.shard = p.shard;
  row.startUs = p.startUs;
  row.endUs = p.endUs;
  row.staffedUs = p.staffedUs;
  return row;
}

void appendOpenIntervals(const QueueSeries& series, std::vector<IntervalRow>& out) {
  if (!series.openIntervals.written()) {
    return;
  }
  const OpenIntervals open = series.openIntervals.read();
  const OutcomeCounts zero{};
  const auto add = [&](std::int64_t startUs, std::int64_t endUs, const OutcomeCounts& counts) {
    // All fields are integers or sums of non-negative doubles: all-zero bytes means nothing counted.
    if (startUs == INT64_MIN || std::memcmp(&counts, &zero, sizeof counts) == 0) {
      return;
    }
    IntervalRow row;
    row.tenant = series.tenant;
    row.vendor = series.vendor;
    row.queue = series.queue;
    row.channel = series.channel;
    row.startUs = startUs;
    row.endUs = endUs;
    row.thresholdSeconds = open.thresholdSeconds;
    row.counts = counts;
    out.push_back(std::move(row));
  };
  add(open.closingStartUs, open.closingEndUs, open.closing);
  add(open.currentStartUs, open.currentEndUs, open.current);
}

ContractTracker::ContractTracker(std::int64_t intervalUs, HistoryDb* db) : intervalUs_(intervalUs), db_(db) {}

void ContractTracker::startPeriod(TermState& t, std::int64_t atUs) const {
  contractPeriodBounds(t.term->period, *t.contract->zone, intervalUs_, atUs, t.startUs, t.endUs);
  t.sum = OutcomeCounts{};
  t.coveredUntilUs = t.startUs;
  std::int64_t monthStart = 0;
  std::int64_t monthEnd = 0;
  contractPeriodBounds(ContractPeriod::kMonth, *t.contract->zone, intervalUs_, t.startUs, monthStart, monthEnd);
  if (monthStart != t.creditMonthStartUs) {
    t.creditMonthStartUs = monthStart;
    t.creditPercentThisMonth = 0;
  }
}

void ContractTracker::setContracts(std::shared_ptr<const ContractSettings> contracts, std::int64_t nowUs) {
  std::vector<TermState> previous = std::move(terms_);
  if (db_ != nullptr) {
    // The current periods are the ones the history ends in, whatever "now" says: an event clock
    // that has seen no event since the restart is behind them, and a wall clock after a downtime
    // is past them while the newest may not be closed yet (tick() closes it on the first
    // watermark, then moves on). The held intervals are in the database: rebuilt below.
    const std::int64_t newest = db_->newestIntervalEndUs();
    if (newest != INT64_MIN) {
      nowUs = newest - 1;
    }
    ahead_.clear();
  }
  staffedCache_.clear();  // keyed by the old settings' terms
  ++agentRowsGeneration_;
  // `previous` points into the old settings: keep them alive until the carry-over below is done.
  const std::shared_ptr<const ContractSettings> keepPrevious = std::move(contracts_);
  contracts_ = std::move(contracts);
  terms_.clear();
  for (const Contract& c : contracts_->contracts) {
    for (const ContractTerm& term : c.terms) {
      TermState t;
      t.contract = &c;
      t.term = &term;
      startPeriod(t, nowUs);
      bool carried = false;
      if (db_ == nullptr) {
        // No history to rebuild from: a kept term keeps its whole state, including a period
        // that "now" has passed but the watermark has not closed yet.
        for (const TermState& old : previous) {
          if (old.contract->name != c.name || old.term->name != term.name || old.term->period != term.period) {
            continue;
          }
          TermState kept = t;
          startPeriod(kept, old.startUs);
          if (kept.startUs == old.startUs && kept.endUs == old.endUs) {
            kept.sum = old.sum;
            kept.coveredUntilUs = old.coveredUntilUs;
            kept.periodsMet = old.periodsMet;
            kept.periodsMissed = old.periodsMissed;
            kept.creditPercentThisMonth = old.creditPercentThisMonth;
            t = kept;
            carried = true;
          }
        }
        if (!carried) {
          for (const IntervalRow& row : ahead_) {
            if (row.startUs >= t.startUs && row.startUs < t.endUs &&
                termCovers(c, term, row.tenant, row.vendor, row.queue, row.channel)) {
              addCounts(t.sum, row.counts);
              t.coveredUntilUs = std::max(t.coveredUntilUs, row.endUs);
            }
          }
        }
      }
      terms_.push_back(t);
    }
  }
  if (db_ == nullptr || terms_.empty()) {
    return;
  }
  // Derived state: the closed periods' tallies, and the current periods' closed intervals.
  std::int64_t earliest = INT64_MAX;
  for (TermState& t : terms_) {
    const std::vector<ContractPeriodRow> closed = db_->contractPeriods(t.contract->name, t.term->name);
    // "Now" may still be inside a period that history has already closed: the current period
    // is the one after it, or it would be closed, written and counted a second time.
    for (const ContractPeriodRow& p : closed) {
      if (p.startUs == t.startUs) {
        startPeriod(t, p.endUs);
      }
    }
    for (const ContractPeriodRow& p : closed) {
      t.periodsMet += p.status == "met" ? 1 : 0;
      t.periodsMissed += p.status == "missed" ? 1 : 0;
      if (p.startUs >= t.creditMonthStartUs && p.startUs < t.startUs) {
        t.creditPercentThisMonth += p.creditPercent;
      }
    }
    earliest = std::min(earliest, t.startUs);
  }
  for (const IntervalRow& row : db_->intervals("", earliest, INT64_MAX)) {
    addInterval(row);
  }
  agentRows_ = db_->agentIntervals("", earliest, INT64_MAX);
  ++agentRowsGeneration_;
  // The intervals in history were closed before the restart: count them in the live figures
  // at once, not only when the engine's watermark passes them again (with the event clock that
  // waits for the next event). After a crash the newest one may lack a shard's part for a moment
  // (that shard re-closes it from its checkpoint and journal); periods still close on the engine's
  // watermark only.
  for (const AgentIntervalRow& row : agentRows_) {
    watermarkUs_ = std::max(watermarkUs_, row.endUs);
  }
}

TermValue ContractTracker::staffedValue(const TermState& t, std::int64_t throughUs,
                                        std::int64_t* coveredUntilUs) const {
  // An interval ending by `throughUs` starts at or before throughUs − intervalUs_.
  const std::int64_t toUs = throughUs == INT64_MIN ? t.startUs : std::min(t.endUs, throughUs - intervalUs_ + 1);
  StaffedCache& cache = staffedCache_[t.term];
  if (cache.generation != agentRowsGeneration_ + 1 || cache.startUs != t.startUs || cache.throughUs != toUs) {
    cache.generation = agentRowsGeneration_ + 1;  // + 1: a fresh entry (0) never matches
    cache.startUs = t.startUs;
    cache.throughUs = toUs;
    cache.coveredUntilUs = INT64_MIN;
    cache.value = staffedTermValue(*t.contract, *t.term, agentRows_, t.startUs, std::max(toUs, t.startUs),
                                   &cache.coveredUntilUs, tenantForecast(forecasts_.get(), t.contract->tenant));
  }
  if (coveredUntilUs != nullptr) {
    *coveredUntilUs = std::max(*coveredUntilUs, cache.coveredUntilUs);
  }
  return cache.value;
}

void ContractTracker::addAgentInterval(const AgentIntervalRow& row) {
  for (const TermState& t : terms_) {
    if (isStaffed(*t.term) && row.startUs >= t.startUs &&
        termCoversAgents(*t.contract, *t.term, row.tenant, row.vendor, row.queue)) {
      agentRows_.push_back(row);  // staffedTermValue keeps the last of duplicates
      ++agentRowsGeneration_;
      return;
    }
  }
}

namespace {

std::string seriesKey(const IntervalRow& row) {
  std::string key;
  key.reserve(row.tenant.size() + row.vendor.size() + row.queue.size() + 5);
  key.append(row.tenant).push_back('\x1f');
  key.append(row.vendor).push_back('\x1f');
  key.append(row.queue).push_back('\x1f');
  key.push_back(static_cast<char>('0' + static_cast<int>(row.channel)));
  return key;
}

}  // namespace

void ContractTracker::setOpenIntervals(std::vector<IntervalRow> rows) { open_ = std::move(rows); }

OutcomeCounts ContractTracker::liveCounts(const TermState& t, std::int64_t& coveredUntilUs) const {
  OutcomeCounts counts = t.sum;
  coveredUntilUs = t.coveredUntilUs;
  for (const IntervalRow& row : open_) {
    if (row.startUs < t.startUs || row.startUs >= t.endUs ||
        !termCovers(*t.contract, *t.term, row.tenant, row.vendor, row.queue, row.channel)) {
      continue;
    }
    // Closed already (its ClosedPeriod was drained after this snapshot was taken): counted in sum.
    const auto closed = closedUntil_.find(seriesKey(row));
    if (closed != closedUntil_.end() && row.startUs < closed->second) {
      continue;
    }
    addCounts(counts, row.counts);
    coveredUntilUs = std::max(coveredUntilUs, row.startUs);
  }
  return counts;
}

void ContractTracker::addInterval(const IntervalRow& row) {
  std::int64_t& closedUntil = closedUntil_[seriesKey(row)];
  closedUntil = std::max(closedUntil, row.endUs);
  bool hold = false;
  for (TermState& t : terms_) {
    if (isStaffed(*t.term) || !termCovers(*t.contract, *t.term, row.tenant, row.vendor, row.queue, row.channel)) {
      continue;
    }
    if (row.startUs >= t.endUs) {
      // A later period's interval: this one is not closed until the watermark says every shard
      // has handed over its intervals (one shard can be ahead of another).
      hold = true;
      continue;
    }
    if (row.startUs < t.startUs) {
      continue;  // a late interval of a closed period: history has it, the scorecard counts it
    }
    addCounts(t.sum, row.counts);
    t.coveredUntilUs = std::max(t.coveredUntilUs, row.endUs);
  }
  if (hold) {
    ahead_.push_back(row);
  }
}

void ContractTracker::closePeriod(TermState& t, std::vector<ContractPeriodRow>& out) {
  // Closed on the watermark: every interval of the period has been handed over by every shard.
  const TermValue value = isStaffed(*t.term) ? staffedValue(t, t.endUs, nullptr) : termValue(*t.term, t.sum);
  const TermStatus status = closedStatus(*t.term, value);
  ContractPeriodRow row;
  row.agreement = t.contract->name;
  row.term = t.term->name;
  row.startUs = t.startUs;
  row.endUs = t.endUs;
  row.attainment = value.attainment();
  row.numerator = value.numerator;
  row.denominator = value.denominator;
  row.status = std::string(toString(status));
  if (status == TermStatus::kNoData) {
    return;  // nothing to record (the scorecard lists such periods from the intervals anyway)
  }
  if (status == TermStatus::kMissed) {
    ++t.periodsMissed;
    row.creditPercent =
        std::max(0.0, std::min(t.term->creditPercent, t.term->creditCapPercent - t.creditPercentThisMonth));
    t.creditPercentThisMonth += row.creditPercent;
  } else if (status == TermStatus::kMet) {
    ++t.periodsMet;
  }
  out.push_back(std::move(row));
}

std::optional<double> ContractTracker::forecastVolume(const Contract& contract, const ContractTerm& term,
                                                      std::int64_t fromUs, std::int64_t toUs) const {
  // Forecasts are contacts offered: a fair volume for the measures counted per contact, not for
  // surveys or self-service.
  switch (term.measure) {
    case ContractMeasure::kCsatAverage:
    case ContractMeasure::kNps:
    case ContractMeasure::kContainment:
    case ContractMeasure::kAhtBand:
    case ContractMeasure::kStaffedVsCommitted:  // counts intervals, not contacts: renderMetrics()
      return std::nullopt;
    default:
      break;
  }
  if (!forecasts_) {
    return std::nullopt;
  }
  const auto it = forecasts_->find(contract.tenant);
  if (it == forecasts_->end() || !it->second) {
    return std::nullopt;
  }
  const Forecast::Rows& rows = it->second->rows();
  double total = 0;
  bool any = false;
  for (const auto& [key, series] : rows) {
    if (!it->second->planOfVendor(key, contract.vendor)) {
      continue;
    }
    if (!termCovers(contract, term, contract.tenant, contract.vendor, key.queue, key.channel)) {
      continue;
    }
    for (const ForecastRow& row : series) {
      if (row.startUs >= fromUs && row.startUs < toUs) {
        total += row.contacts;
        any = true;
      }
    }
  }
  return any ? std::optional<double>(total) : std::nullopt;
}

void ContractTracker::tick(std::int64_t closedThroughUs) {
  watermarkUs_ = std::max(watermarkUs_, closedThroughUs);
  std::vector<ContractPeriodRow> closed;
  for (TermState& t : terms_) {
    while (t.endUs <= closedThroughUs) {
      closePeriod(t, closed);
      // Next: the period right after this one, or, when that has nothing held for it, the first
      // that does or the watermark's (the periods in between are empty: no_data, no row).
      std::int64_t next = closedThroughUs;
      if (isStaffed(*t.term)) {
        for (const AgentIntervalRow& row : agentRows_) {
          if (row.startUs >= t.endUs && row.startUs < next &&
              termCoversAgents(*t.contract, *t.term, row.tenant, row.vendor, row.queue)) {
            next = row.startUs;
          }
        }
      }
      for (const IntervalRow& row : ahead_) {
        if (row.startUs >= t.endUs && row.startUs < next &&
            termCovers(*t.contract, *t.term, row.tenant, row.vendor, row.queue, row.channel)) {
          next = row.startUs;
        }
      }
      startPeriod(t, std::max(next, t.endUs));
      for (const IntervalRow& row : ahead_) {
        if (row.startUs >= t.startUs && row.startUs < t.endUs &&
            termCovers(*t.contract, *t.term, row.tenant, row.vendor, row.queue, row.channel)) {
          addCounts(t.sum, row.counts);
          t.coveredUntilUs = std::max(t.coveredUntilUs, row.endUs);
        }
      }
    }
  }
  // A held interval is taken by every term it is ahead of once that term's period reaches it.
  std::int64_t oldestEnd = INT64_MAX;
  for (const TermState& t : terms_) {
    oldestEnd = std::min(oldestEnd, t.endUs);
  }
  std::erase_if(ahead_, [&](const IntervalRow& row) { return row.startUs < oldestEnd; });
  // Staffed rows are kept from the oldest staffed term's current period on (none without such terms).
  std::int64_t oldestStaffedStart = INT64_MAX;
  for (const TermState& t : terms_) {
    if (isStaffed(*t.term)) {
      oldestStaffedStart = std::min(oldestStaffedStart, t.startUs);
    }
  }
  if (std::erase_if(agentRows_, [&](const AgentIntervalRow& row) { return row.startUs < oldestStaffedStart; }) > 0) {
    ++agentRowsGeneration_;
  }
  if (db_ != nullptr && !closed.empty()) {
    db_->writeContractPeriods(closed);
  }
}

std::string ContractTracker::renderMetrics(std::int64_t nowUs) const {
  if (terms_.empty()) {
    return {};
  }
  struct Family {
    const char* name;
    const char* type;
    const char* help;
    std::ostringstream body;
  };
  Family attainment{"ccpulse_contract_attainment",
                    "gauge",
                    "Period-to-date attainment of a contract term, in the measure's unit (ratios 0-1, seconds, "
                    "CSAT 1-5, NPS, complaints per 1000), from the closed intervals plus the open ones",
                    {}};
  Family target{"ccpulse_contract_target", "gauge", "Contract term target (bound=target, or min/max of a band)", {}};
  Family status{
      "ccpulse_contract_status", "gauge", "1 for the term's current status (met, at_risk, missed, no_data)", {}};
  Family needed{"ccpulse_contract_needed",
                "gauge",
                "Attainment the rest of the period must reach to meet the target (absent when secured, unknown "
                "or cannot be met)",
                {}};
  Family volume{"ccpulse_contract_volume", "gauge", "Denominator of the attainment so far in the period", {}};
  Family remaining{"ccpulse_contract_expected_remaining_volume",
                   "gauge",
                   "Denominator the rest of the period is expected to add (staffing forecast where it covers the rest "
                   "of the period, else same-rate extrapolation)",
                   {}};
  Family start{"ccpulse_contract_period_start_seconds", "gauge", "Start of the term's current period", {}};
  Family end{"ccpulse_contract_period_end_seconds", "gauge", "End of the term's current period", {}};
  Family missed{"ccpulse_contract_periods_missed_total",
                "counter",
                "Closed periods in which the term was missed, over the whole history",
                {}};
  Family met{"ccpulse_contract_periods_met_total",
             "counter",
             "Closed periods in which the term was met, over the whole history",
             {}};
  Family credit{"ccpulse_contract_service_credit_month_percent",
                "gauge",
                "Service credit owed for the current month so far, percent of the monthly fee (capped)",
                {}};
  for (const TermState& t : terms_) {
    const ContractTerm& term = *t.term;
    std::string labels = "agreement=\"" + escapeLabel(t.contract->name) + "\",tenant=\"" +
                         escapeLabel(t.contract->tenant) + "\",vendor=\"" + escapeLabel(t.contract->vendor) +
                         "\",term=\"" + escapeLabel(term.name) + "\",measure=\"" + std::string(toString(term.measure)) +
                         "\",period=\"" + std::string(toString(term.period)) + "\"";
    TermValue value;
    Needed need;
    if (isStaffed(term)) {
      // Whole intervals only (an interval in progress has no average yet): those ending by the
      // watermark, complete from every shard. The rest of the period is its remaining intervals.
      std::int64_t coveredUntil = t.startUs;
      value = staffedValue(t, watermarkUs_, &coveredUntil);
      const std::int64_t restFrom = std::clamp(coveredUntil, t.startUs, t.endUs);
      auto remainingIntervals = static_cast<double>((t.endUs - restFrom + std::max<std::int64_t>(intervalUs_, 1) - 1) /
                                                    std::max<std::int64_t>(intervalUs_, 1));
      if (term.commitmentFromSchedule) {
        // Only the intervals the schedule puts agents on will count.
        remainingIntervals = 0;
        if (const Forecast* schedule = tenantForecast(forecasts_.get(), t.contract->tenant)) {
          for (const auto& interval : scheduledAgentsByInterval(*t.contract, term, *schedule, restFrom, t.endUs)) {
            remainingIntervals += interval.second > 0 ? 1 : 0;
          }
        }
      }
      need = neededForRest(term, value, restFrom - t.startUs, t.endUs - restFrom, remainingIntervals);
    } else {
      std::int64_t coveredUntil = t.coveredUntilUs;
      const OutcomeCounts live = liveCounts(t, coveredUntil);
      value = termValue(term, live);
      // The open interval's counts run to about now: the period so far reaches now when that is
      // later than what the counts surely cover (never beyond the period).
      const std::int64_t restFrom = std::clamp(std::max(nowUs, coveredUntil), t.startUs, t.endUs);
      const std::int64_t elapsed = restFrom - t.startUs;
      need =
          neededForRest(term, value, elapsed, t.endUs - restFrom, forecastVolume(*t.contract, term, restFrom, t.endUs));
    }
    const TermStatus s = openStatus(term, value, need);
    if (const auto a = value.attainment()) {
      attainment.body << attainment.name << '{' << labels << "} " << number(*a) << '\n';
    }
    if (term.measure == ContractMeasure::kAhtBand) {
      target.body << target.name << '{' << labels << ",bound=\"min\"} " << number(term.bandMin) << '\n';
      target.body << target.name << '{' << labels << ",bound=\"max\"} " << number(term.bandMax) << '\n';
    } else {
      target.body << target.name << '{' << labels << ",bound=\"target\"} " << number(term.target) << '\n';
    }
    for (const TermStatus each : {TermStatus::kMet, TermStatus::kAtRisk, TermStatus::kMissed, TermStatus::kNoData}) {
      status.body << status.name << '{' << labels << ",status=\"" << toString(each) << "\"} " << (each == s ? 1 : 0)
                  << '\n';
    }
    if (need.kind == Needed::Kind::kValue) {
      needed.body << needed.name << '{' << labels << "} " << number(need.value) << '\n';
    }
    volume.body << volume.name << '{' << labels << "} " << number(value.denominator) << '\n';
    remaining.body << remaining.name << '{' << labels << "} " << number(need.expectedRemainingVolume) << '\n';
    start.body << start.name << '{' << labels << "} " << number(static_cast<double>(t.startUs) / 1e6) << '\n';
    end.body << end.name << '{' << labels << "} " << number(static_cast<double>(t.endUs) / 1e6) << '\n';
    missed.body << missed.name << '{' << labels << "} " << t.periodsMissed << '\n';
    met.body << met.name << '{' << labels << "} " << t.periodsMet << '\n';
    credit.body << credit.name << '{' << labels << "} " << number(t.creditPercentThisMonth) << '\n';
  }
  std::string out;
  for (Family* f :
       {&attainment, &target, &status, &needed, &volume, &remaining, &start, &end, &missed, &met, &credit}) {
    out +=
        std::string("# HELP ") + f->name + " " + f->help + "\n# TYPE " + f->name + " " + f->type + "\n" + f->body.str();
  }
  return out;
}

}  // namespace ccpulse
