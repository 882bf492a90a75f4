#include "ccpulse/common/csv.hpp"

#include <gtest/gtest.h>

namespace ccpulse {
namespace {

TEST(CsvField, PlainTextIsUnchanged) {
  EXPECT_EQ(csvField("acme"), "acme");
  EXPECT_EQ(csvField(""), "");
  EXPECT_EQ(csvField("sales queue 1"), "sales queue 1");
}

// RFC 4180: a field with a comma, a quote or a line break is quoted, and its quotes doubled.
TEST(CsvField, SpecialCharactersAreQuoted) {
  EXPECT_EQ(csvField("a,b"), "\"a,b\"");
  EXPECT_EQ(csvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csvField("cr\rhere"), "\"cr\rhere\"");
}

}  // namespace
}  // namespace ccpulse
