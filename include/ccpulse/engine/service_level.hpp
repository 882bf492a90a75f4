#pragma once
/// Pure metric arithmetic shared by the live engine, replay and tests. Thread-safe (no state).

#include <cstdint>
#include <optional>

#include "ccpulse/config/config.hpp"

namespace ccpulse {

/// Outcome counts over some period (an interval, a window, all time).
struct OutcomeCounts {
  std::uint64_t offered = 0;
  std::uint64_t answered = 0;              ///< N: answered with a known wait (unmatched answers excluded)
  std::uint64_t answeredInThreshold = 0;   ///< A
  std::uint64_t abandoned = 0;             ///< B: abandoned with a known wait
  std::uint64_t abandonedInThreshold = 0;  ///< Bt
  std::uint64_t abandonedShort = 0;        ///< Bs
  std::uint64_t dequeued = 0;              ///< D: dequeued with a known wait
  double waitSecondsAnswered = 0;          ///< sum of waits of the N answered
  double waitSecondsLeft = 0;              ///< sum of waits of the abandoned and dequeued (known wait)
  std::uint64_t handled = 0;               ///< contacts wrapped
  double handleSeconds = 0;                ///< talk + hold + ACW of the handled
  std::uint64_t transferred = 0;           ///< transfers out
  // Quality (report card): counted at the event's time, in its queue's period.
  std::uint64_t surveys = 0;               ///< survey.result with a CSAT
  std::uint64_t csatSum = 0;               ///< sum of CSAT (1..5)
  std::uint64_t npsResponses = 0;          ///< survey.result with an NPS
  std::uint64_t npsPromoters = 0;          ///< NPS 9..10
  std::uint64_t npsDetractors = 0;         ///< NPS 0..6
  std::uint64_t selfServiceContained = 0;  ///< contact.selfservice contained=true
  std::uint64_t selfServiceEscalated = 0;  ///< contact.selfservice contained=false
  std::uint64_t resolvedKnown = 0;         ///< contact.wrapped with a `resolved` flag
  std::uint64_t resolvedYes = 0;           ///< contact.wrapped resolved=true
  std::uint64_t complaints = 0;            ///< contact.wrapped with a complaint disposition
  std::uint64_t repeatContacts = 0;        ///< queued by a customer seen within the repeat window
};

/// Adds every field of `delta` to `into`.
void addCounts(OutcomeCounts& into, const OutcomeCounts& delta) noexcept;

/// Service level per `formula` (see ServiceLevelFormula); nullopt when the denominator is zero.
/// `dequeuedCountsAsMiss` adds D to every denominator but the `answered` formula's, which by
/// definition looks at answered contacts only.
[[nodiscard]] std::optional<double> computeServiceLevel(ServiceLevelFormula formula, bool dequeuedCountsAsMiss,
                                                        const OutcomeCounts& c) noexcept;
/// Answered wait average (ASA); nullopt with no answered contact.
[[nodiscard]] std::optional<double> computeAsa(const OutcomeCounts& c) noexcept;
/// Average handle time over handled (wrapped) contacts.
[[nodiscard]] std::optional<double> computeAht(const OutcomeCounts& c) noexcept;
/// Abandoned / offered.
[[nodiscard]] std::optional<double> computeAbandonRate(const OutcomeCounts& c) noexcept;
/// Mean patience (seconds) under exponential patience, by maximum likelihood with censoring:
/// total time all finished contacts spent waiting / abandons. nullopt with no abandon.
[[nodiscard]] std::optional<double> computePatience(const OutcomeCounts& c) noexcept;
/// Transfers out / answered.
[[nodiscard]] std::optional<double> computeTransferRate(const OutcomeCounts& c) noexcept;

}  // namespace ccpulse
