#include "neardup/verify.h"

#include <algorithm>
#include <iterator>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace neardup {
namespace {

TEST(CompareSortedSets, HandComputedCase) {
  // A = {1,2,3,4}, B = {3,4,5}: |A∩B| = 2, |A∪B| = 5.
  std::vector<uint64_t> a = {1, 2, 3, 4}, b = {3, 4, 5};
  SetSimilarity s = CompareSortedSets(a, b);
  EXPECT_EQ(s.intersection, 2u);
  EXPECT_DOUBLE_EQ(s.jaccard, 2.0 / 5.0);
  EXPECT_DOUBLE_EQ(s.containment, 2.0 / 3.0);
}

TEST(CompareSortedSets, IdenticalAndDisjoint) {
  std::vector<uint64_t> a = {1, 5, 9}, b = {2, 6, 10};
  EXPECT_DOUBLE_EQ(CompareSortedSets(a, a).jaccard, 1.0);
  EXPECT_DOUBLE_EQ(CompareSortedSets(a, b).jaccard, 0.0);
  EXPECT_DOUBLE_EQ(CompareSortedSets(a, b).containment, 0.0);
}

TEST(CompareSortedSets, SubsetHasFullContainment) {
  std::vector<uint64_t> small = {2, 4}, large = {1, 2, 3, 4, 5, 6, 7, 8};
  SetSimilarity s = CompareSortedSets(small, large);
  EXPECT_DOUBLE_EQ(s.containment, 1.0);
  EXPECT_DOUBLE_EQ(s.jaccard, 2.0 / 8.0);
}

TEST(CompareSortedSets, EmptySets) {
  std::vector<uint64_t> empty, a = {1};
  EXPECT_DOUBLE_EQ(CompareSortedSets(empty, empty).jaccard, 1.0);
  EXPECT_DOUBLE_EQ(CompareSortedSets(empty, a).jaccard, 0.0);
}

// Random sets of very different sizes exercise both the merge and the
// galloping paths; std::set_intersection is the reference.
TEST(CompareSortedSets, MatchesStdSetIntersection) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    size_t na = 1 + rng() % 50;
    size_t nb = 1 + rng() % (trial % 2 ? 5000 : 60);
    uint64_t range = 1 + rng() % 8000;
    std::vector<uint64_t> a, b;
    for (size_t i = 0; i < na; ++i) a.push_back(rng() % range);
    for (size_t i = 0; i < nb; ++i) b.push_back(rng() % range);
    for (auto* v : {&a, &b}) {
      std::sort(v->begin(), v->end());
      v->erase(std::unique(v->begin(), v->end()), v->end());
    }
    std::vector<uint64_t> common;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(),
                          std::back_inserter(common));
    SetSimilarity s = CompareSortedSets(a, b);
    ASSERT_EQ(s.intersection, common.size()) << "trial " << trial;
    EXPECT_DOUBLE_EQ(s.jaccard, static_cast<double>(common.size()) /
                                    (a.size() + b.size() - common.size()));
    EXPECT_EQ(CompareSortedSets(b, a).intersection, common.size());
  }
}

TEST(JaccardUpperBound, IsMinOverMax) {
  EXPECT_DOUBLE_EQ(JaccardUpperBound(8, 10), 0.8);
  EXPECT_DOUBLE_EQ(JaccardUpperBound(10, 8), 0.8);
  EXPECT_DOUBLE_EQ(JaccardUpperBound(0, 0), 1.0);
}

}  // namespace
}  // namespace neardup
