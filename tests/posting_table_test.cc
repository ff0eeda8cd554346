// PostingTable against a map of vectors, through random adds and removes,
// across the change between one document (kept in the hash table) and a
// list.
#include "src/internal/posting_table.h"

#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace neardup::internal {
namespace {

std::vector<uint32_t> Docs(const PostingTable<uint32_t>& table, uint32_t key) {
  const auto docs = table.Find(key);
  return std::vector<uint32_t>(docs.begin(), docs.end());
}

TEST(PostingTable, MatchesAMapOfListsThroughAddsAndRemoves) {
  PostingTable<uint32_t> table;
  std::map<uint32_t, std::vector<uint32_t>> expected;
  std::mt19937 rng(5);
  // Few documents a key, so keys keep moving between none, one and a list.
  constexpr uint32_t kKeys = 2048;
  uint32_t doc = 0;
  size_t shrunk_to_one = 0;
  for (int step = 0; step < 20000; ++step) {
    const uint32_t key = rng() % kKeys;
    if (rng() % 3 != 0) {
      // Documents arrive in increasing order; a repeat of the newest is
      // ignored.
      if (rng() % 4 != 0) ++doc;
      table.Add(key, doc);
      std::vector<uint32_t>& list = expected[key];
      if (list.empty() || list.back() != doc) list.push_back(doc);
    } else {
      std::vector<uint32_t>& list = expected[key];
      const uint32_t victim =
          list.empty() || rng() % 5 == 0 ? doc + 1 : list[rng() % list.size()];
      table.Remove(key, victim);
      const size_t before = list.size();
      std::erase(list, victim);
      shrunk_to_one += before == 2 && list.size() == 1;
      if (list.empty()) expected.erase(key);
    }
    if (step % 97 == 0) {
      for (uint32_t k = 0; k < kKeys; ++k) {
        auto it = expected.find(k);
        const std::vector<uint32_t> want =
            it == expected.end() ? std::vector<uint32_t>() : it->second;
        ASSERT_EQ(Docs(table, k), want) << "key " << k << " step " << step;
        ASSERT_EQ(table.Count(k), want.size());
      }
      ASSERT_EQ(table.keys(), expected.size());
    }
  }
  EXPECT_GT(shrunk_to_one, 100u);
}

TEST(PostingTable, UnknownKeysHaveNoDocuments) {
  PostingTable<uint32_t> table;
  EXPECT_EQ(table.Count(3), 0u);
  EXPECT_TRUE(Docs(table, 3).empty());
  table.Remove(3, 1);  // Harmless.
  table.Add(3, 1);
  table.Remove(3, 2);  // Not there.
  EXPECT_EQ(Docs(table, 3), std::vector<uint32_t>{1});
}

}  // namespace
}  // namespace neardup::internal
