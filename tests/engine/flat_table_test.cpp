#include "ccpulse/engine/flat_table.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace ccpulse {
namespace {

TEST(FlatTable, InsertFindEraseAndCapacity) {
  FlatTable<int> t(3);
  bool inserted = false;
  *t.findOrInsert(10, inserted) = 1;
  EXPECT_TRUE(inserted);
  *t.findOrInsert(20, inserted) = 2;
  *t.findOrInsert(0, inserted) = 3;  // key 0 is remapped internally, still usable
  EXPECT_EQ(t.size(), 3U);
  EXPECT_EQ(t.findOrInsert(30, inserted), nullptr) << "full at maxEntries";
  EXPECT_EQ(*t.findOrInsert(20, inserted), 2);
  EXPECT_FALSE(inserted);
  EXPECT_TRUE(t.erase(20));
  EXPECT_FALSE(t.erase(20));
  EXPECT_EQ(t.find(20), nullptr);
  EXPECT_EQ(*t.find(0), 3);
  EXPECT_NE(t.findOrInsert(30, inserted), nullptr);
}

// Random operations against std::map as the oracle, with keys that collide in the low bits so
// probe runs and backward-shift deletion are exercised.
TEST(FlatTable, MatchesStdMapUnderRandomOperations) {
  FlatTable<std::uint64_t> t(500);
  std::map<std::uint64_t, std::uint64_t> oracle;
  std::mt19937_64 rng(42);
  for (int i = 0; i < 200000; ++i) {
    const std::uint64_t key = (rng() % 700) << 11U;  // same home slot for many keys
    if (rng() % 3 == 0) {
      EXPECT_EQ(t.erase(key), oracle.erase(key) == 1);
    } else if (oracle.size() < 500 || oracle.count(key) != 0) {
      bool inserted = false;
      std::uint64_t* v = t.findOrInsert(key, inserted);
      ASSERT_NE(v, nullptr);
      EXPECT_EQ(inserted, oracle.count(key) == 0);
      *v = key + 1;
      oracle[key] = key + 1;
    }
    ASSERT_EQ(t.size(), oracle.size());
  }
  for (const auto& [k, v] : oracle) {
    ASSERT_NE(t.find(k), nullptr);
    EXPECT_EQ(*t.find(k), v);
  }
  std::size_t visited = 0;
  t.forEach([&](std::uint64_t, std::uint64_t&) { ++visited; });
  EXPECT_EQ(visited, oracle.size());
}

}  // namespace
}  // namespace ccpulse
