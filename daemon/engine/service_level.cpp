#include "ccpulse/engine/service_level.hpp"

namespace ccpulse {
namespace {

std::optional<double> ratio(double numerator, double denominator) noexcept {
  if (denominator <= 0) {
    return std::nullopt;
  }
  return numerator / denominator;
}

}  // namespace

void addCounts(OutcomeCounts& into, const OutcomeCounts& delta) noexcept {
  into.offered += delta.offered;
  into.answered += delta.answered;
  into.answeredInThreshold += delta.answeredInThreshold;
  into.abandoned += delta.abandoned;
  into.abandonedInThreshold += delta.abandonedInThreshold;
  into.abandonedShort += delta.abandonedShort;
  into.dequeued += delta.dequeued;
  into.waitSecondsAnswered += delta.waitSecondsAnswered;
  into.waitSecondsLeft += delta.waitSecondsLeft;
  into.handled += delta.handled;
  into.handleSeconds += delta.handleSeconds;
  into.transferred += delta.transferred;
  into.surveys += delta.surveys;
  into.csatSum += delta.csatSum;
  into.npsResponses += delta.npsResponses;
  into.npsPromoters += delta.npsPromoters;
  into.npsDetractors += delta.npsDetractors;
  into.selfServiceContained += delta.selfServiceContained;
  into.selfServiceEscalated += delta.selfServiceEscalated;
  into.resolvedKnown += delta.resolvedKnown;
  into.resolvedYes += delta.resolvedYes;
  into.complaints += delta.complaints;
  into.repeatContacts += delta.repeatContacts;
}

std::optional<double> computeServiceLevel(ServiceLevelFormula formula, bool dequeuedCountsAsMiss,
                                          const OutcomeCounts& c) noexcept {
  const auto a = static_cast<double>(c.answeredInThreshold);
  const auto n = static_cast<double>(c.answered);
  const auto b = static_cast<double>(c.abandoned);
  const auto bt = static_cast<double>(c.abandonedInThreshold);
  const auto bs = static_cast<double>(c.abandonedShort);
  const double d = dequeuedCountsAsMiss ? static_cast<double>(c.dequeued) : 0.0;
  const double finished = n + b + d;  // O
  switch (formula) {
    case ServiceLevelFormula::kAnswered:
      return ratio(a, n);
    case ServiceLevelFormula::kIgnoreAbandons:
      return ratio(a, finished - bt);
    case ServiceLevelFormula::kAbandonsMiss:
      return ratio(a, n + b + d);
    case ServiceLevelFormula::kAllMisses:
      return ratio(a, finished);
    case ServiceLevelFormula::kAbandonsMet:
      return ratio(a + bt, n + b + d);
    case ServiceLevelFormula::kExcludeShortAbandons:
      return ratio(a, n + b - bs + d);
  }
  return std::nullopt;
}

std::optional<double> computeAsa(const OutcomeCounts& c) noexcept {
  return ratio(c.waitSecondsAnswered, static_cast<double>(c.answered));
}

std::optional<double> computeAht(const OutcomeCounts& c) noexcept {
  return ratio(c.handleSeconds, static_cast<double>(c.handled));
}

std::optional<double> computeAbandonRate(const OutcomeCounts& c) noexcept {
  return ratio(static_cast<double>(c.abandoned), static_cast<double>(c.offered));
}

std::optional<double> computePatience(const OutcomeCounts& c) noexcept {
  return ratio(c.waitSecondsAnswered + c.waitSecondsLeft, static_cast<double>(c.abandoned));
}

std::optional<double> computeTransferRate(const OutcomeCounts& c) noexcept {
  return ratio(static_cast<double>(c.transferred), static_cast<double>(c.answered));
}

}  // namespace ccpulse
