#include "neardup/cluster.h"

#include <algorithm>
#include <random>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"

namespace neardup {
namespace {

using ::testing::ElementsAre;

ScoredPair P(uint32_t a, uint32_t b) { return {a, b, 0.9, 0.9}; }

TEST(BuildClusters, SingleLinkageJoinsChains) {
  // 0-1, 1-2 chain; 3-4 pair; 5 alone.
  std::vector<ScoredPair> pairs = {P(1, 2), P(0, 1), P(3, 4)};
  std::vector<uint64_t> lengths(6, 10);
  std::vector<Cluster> c = BuildClusters(pairs, lengths, {});
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].representative, 0u);
  EXPECT_THAT(c[0].members, ElementsAre(0, 1, 2));
  EXPECT_EQ(c[1].representative, 3u);
  EXPECT_THAT(c[1].members, ElementsAre(3, 4));
}

TEST(BuildClusters, KeepLongestPicksLongestWithTiesToFirst) {
  std::vector<ScoredPair> pairs = {P(0, 1), P(1, 2), P(3, 4)};
  std::vector<uint64_t> lengths = {5, 9, 9, 4, 4};
  std::vector<Cluster> c =
      BuildClusters(pairs, lengths, {.keep = KeepPolicy::kLongest});
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].representative, 1u);  // 1 and 2 tie; 1 comes first.
  EXPECT_THAT(c[0].members, ElementsAre(1, 0, 2));
  EXPECT_EQ(c[1].representative, 3u);
}

TEST(BuildClusters, CenterLinkageNeverChains) {
  // 0-1 and 1-2 verified, 0-2 not: with centre linkage 2 must not join 0.
  std::vector<ScoredPair> pairs = {P(0, 1), P(1, 2)};
  std::vector<uint64_t> lengths(3, 10);
  std::vector<Cluster> c =
      BuildClusters(pairs, lengths, {.linkage = Linkage::kCenter});
  ASSERT_EQ(c.size(), 1u);
  EXPECT_THAT(c[0].members, ElementsAre(0, 1));
}

TEST(BuildClusters, CenterLinkageEveryMemberIsLinkedToItsCenter) {
  std::mt19937 rng(3);
  std::vector<ScoredPair> pairs;
  for (int i = 0; i < 300; ++i) {
    uint32_t a = rng() % 100, b = rng() % 100;
    if (a == b) continue;
    pairs.push_back(P(std::min(a, b), std::max(a, b)));
  }
  std::vector<uint64_t> lengths(100);
  for (auto& l : lengths) l = rng() % 50;
  for (KeepPolicy keep : {KeepPolicy::kFirst, KeepPolicy::kLongest}) {
    std::vector<Cluster> clusters = BuildClusters(
        pairs, lengths, {.linkage = Linkage::kCenter, .keep = keep});
    std::vector<int> seen(100, 0);
    for (const Cluster& c : clusters) {
      for (uint32_t m : c.members) {
        ++seen[m];
        if (m == c.representative) continue;
        bool linked = std::any_of(pairs.begin(), pairs.end(), [&](auto& p) {
          return (p.a == m && p.b == c.representative) ||
                 (p.b == m && p.a == c.representative);
        });
        EXPECT_TRUE(linked) << m << " not linked to " << c.representative;
      }
    }
    for (int s : seen) EXPECT_LE(s, 1);  // Clusters are disjoint.
  }
}

TEST(BuildClusters, ResultDoesNotDependOnPairOrder) {
  std::mt19937 rng(11);
  std::vector<ScoredPair> pairs;
  for (int i = 0; i < 200; ++i) {
    uint32_t a = rng() % 80, b = rng() % 80;
    if (a != b) pairs.push_back(P(std::min(a, b), std::max(a, b)));
  }
  std::vector<uint64_t> lengths(80);
  for (auto& l : lengths) l = rng() % 5;
  for (Linkage linkage : {Linkage::kSingle, Linkage::kCenter}) {
    ClusterOptions options{.linkage = linkage, .keep = KeepPolicy::kLongest};
    std::vector<Cluster> before = BuildClusters(pairs, lengths, options);
    std::shuffle(pairs.begin(), pairs.end(), rng);
    std::vector<Cluster> after = BuildClusters(pairs, lengths, options);
    ASSERT_EQ(before.size(), after.size());
    for (size_t i = 0; i < before.size(); ++i) {
      EXPECT_EQ(before[i].representative, after[i].representative);
      EXPECT_EQ(before[i].members, after[i].members);
    }
  }
}

TEST(BuildClusters, NoPairsNoClusters) {
  std::vector<uint64_t> lengths(4, 1);
  EXPECT_TRUE(BuildClusters({}, lengths, {}).empty());
}

TEST(ClusterOptions, ParseNames) {
  using ::neardup::testing::StatusIs;
  EXPECT_EQ(*ParseLinkage("center"), Linkage::kCenter);
  EXPECT_EQ(*ParseKeepPolicy("longest"), KeepPolicy::kLongest);
  EXPECT_THAT(ParseLinkage("complete"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::HasSubstr("single or center")));
  EXPECT_THAT(ParseKeepPolicy("last"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::HasSubstr("first or longest")));
}

}  // namespace
}  // namespace neardup
