#include "ccpulse/engine/service_level.hpp"

#include <gtest/gtest.h>

namespace ccpulse {
namespace {

// The Cisco UCCE manual's example: A = 70 answered in threshold, Bt = 10 abandoned in threshold,
// O = 100 finished. Take N = 85 answered, B = 15 abandoned (10 of them within T, 4 short), D = 0.
OutcomeCounts ucceExample() {
  OutcomeCounts c;
  c.offered = 100;
  c.answered = 85;
  c.answeredInThreshold = 70;
  c.abandoned = 15;
  c.abandonedInThreshold = 10;
  c.abandonedShort = 4;
  return c;
}

TEST(ServiceLevel, EveryFormulaOnTheUcceExample) {
  const OutcomeCounts c = ucceExample();
  // answered: 70 / 85
  EXPECT_DOUBLE_EQ(*computeServiceLevel(ServiceLevelFormula::kAnswered, true, c), 70.0 / 85.0);
  // ignore_abandons ("ignore"): 70 / (100 - 10) = 77.8 %
  EXPECT_NEAR(*computeServiceLevel(ServiceLevelFormula::kIgnoreAbandons, true, c), 0.778, 0.0005);
  // abandons_miss: 70 / (85 + 15) = 70 %
  EXPECT_DOUBLE_EQ(*computeServiceLevel(ServiceLevelFormula::kAbandonsMiss, true, c), 0.70);
  // all_misses ("negative"): 70 / 100 = 70 %
  EXPECT_DOUBLE_EQ(*computeServiceLevel(ServiceLevelFormula::kAllMisses, true, c), 0.70);
  // abandons_met ("positive" when D = 0): (70 + 10) / 100 = 80 %
  EXPECT_DOUBLE_EQ(*computeServiceLevel(ServiceLevelFormula::kAbandonsMet, true, c), 0.80);
  // exclude_short_abandons: 70 / (85 + 15 - 4) = 70 / 96
  EXPECT_DOUBLE_EQ(*computeServiceLevel(ServiceLevelFormula::kExcludeShortAbandons, true, c), 70.0 / 96.0);
}

TEST(ServiceLevel, DequeuedSwitchChangesDenominatorsButNotAnsweredFormula) {
  OutcomeCounts c = ucceExample();
  c.dequeued = 20;
  // abandons_miss with D as misses: 70 / (85 + 15 + 20) = 70 / 120; without: 70 / 100.
  EXPECT_DOUBLE_EQ(*computeServiceLevel(ServiceLevelFormula::kAbandonsMiss, true, c), 70.0 / 120.0);
  EXPECT_DOUBLE_EQ(*computeServiceLevel(ServiceLevelFormula::kAbandonsMiss, false, c), 0.70);
  // all_misses: O = 120 with D, 100 without.
  EXPECT_DOUBLE_EQ(*computeServiceLevel(ServiceLevelFormula::kAllMisses, true, c), 70.0 / 120.0);
  EXPECT_DOUBLE_EQ(*computeServiceLevel(ServiceLevelFormula::kAllMisses, false, c), 0.70);
  // answered ignores D either way.
  EXPECT_DOUBLE_EQ(*computeServiceLevel(ServiceLevelFormula::kAnswered, true, c), 70.0 / 85.0);
}

TEST(ServiceLevel, UndefinedWithoutDenominator) {
  const OutcomeCounts empty;
  EXPECT_FALSE(computeServiceLevel(ServiceLevelFormula::kAbandonsMiss, true, empty).has_value());
  EXPECT_FALSE(computeAsa(empty).has_value());
  EXPECT_FALSE(computeAht(empty).has_value());
  EXPECT_FALSE(computeAbandonRate(empty).has_value());
  EXPECT_FALSE(computeTransferRate(empty).has_value());
}

}  // namespace
}  // namespace ccpulse
