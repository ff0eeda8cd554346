#include "neardup/verify.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "src/internal/fingerprint_screen.h"

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

// Sets of sizes in the hundreds and thousands with overlap from none to
// all: the early exit must agree with the full merge on every bound.
TEST(CompareSortedSetsIfAtLeast, AgreesWithTheFullMergeOnEveryBound) {
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 60; ++trial) {
    const size_t na = 1 + rng() % 600;
    const size_t nb = 1 + rng() % (trial % 3 == 0 ? 20000 : 700);
    const uint64_t range = 1 + rng() % 3000;
    std::vector<uint64_t> a, b;
    for (size_t i = 0; i < na; ++i) a.push_back(rng() % range);
    for (size_t i = 0; i < nb; ++i) b.push_back(rng() % (range * 3));
    for (auto* v : {&a, &b}) {
      std::sort(v->begin(), v->end());
      v->erase(std::unique(v->begin(), v->end()), v->end());
    }
    const SetSimilarity full = CompareSortedSets(a, b);
    for (uint64_t need = 0; need <= std::min(a.size(), b.size()) + 1;
         need += 1 + need / 16) {
      std::optional<SetSimilarity> bounded =
          CompareSortedSetsIfAtLeast(a, b, need);
      ASSERT_EQ(bounded.has_value(), full.intersection >= need)
          << "trial " << trial << " need " << need;
      if (bounded) {
        EXPECT_EQ(bounded->intersection, full.intersection);
        EXPECT_EQ(bounded->jaccard, full.jaccard);
        EXPECT_EQ(bounded->containment, full.containment);
      }
    }
  }
}

TEST(CompareSortedSetsIfAtLeast, EmptySets) {
  const std::vector<uint64_t> empty, one = {5};
  EXPECT_FALSE(CompareSortedSetsIfAtLeast(empty, one, 1).has_value());
  ASSERT_TRUE(CompareSortedSetsIfAtLeast(empty, empty, 0).has_value());
  EXPECT_EQ(CompareSortedSetsIfAtLeast(empty, empty, 0)->jaccard, 1.0);
}

// Every intersection size that reaches either threshold is at or above the
// bound, checked by trying each size.
TEST(MinIntersectionFor, NeverExcludesAPairThatReachesAThreshold) {
  std::mt19937_64 rng(3);
  for (int trial = 0; trial < 3000; ++trial) {
    const uint64_t a = rng() % 3000, b = rng() % 3000;
    const double t = (1 + rng() % 99) / 100.0;
    const double k = trial % 2 ? (1 + rng() % 100) / 100.0 : 0.0;
    const uint64_t need = MinIntersectionFor(a, b, t, k);
    const uint64_t lo = std::min(a, b);
    for (uint64_t c = 0; c <= lo; ++c) {
      const bool jaccard =
          a + b > 0 &&
          static_cast<double>(c) / static_cast<double>(a + b - c) >= t;
      const bool containment =
          k > 0 && lo > 0 &&
          static_cast<double>(c) / static_cast<double>(lo) >= k;
      if (jaccard || containment) {
        ASSERT_GE(c, need) << a << " " << b << " t " << t << " k " << k;
        break;  // Larger c reach it too.
      }
    }
    // And it is tight to within two, so it prunes.
    if (lo > 0) {
      uint64_t first = lo + 1;
      for (uint64_t c = 0; c <= lo; ++c) {
        const bool reach =
            static_cast<double>(c) / static_cast<double>(a + b - c) >= t ||
            (k > 0 && static_cast<double>(c) / static_cast<double>(lo) >= k);
        if (reach) {
          first = c;
          break;
        }
      }
      if (first <= lo) {
        EXPECT_LE(first, need + 2);
      }
    }
  }
}

// The screen may keep a pair that fails, never drop one that passes: its
// count with multiplicity is at least the true intersection, even when
// distinct shingles share a fingerprint (forced here by drawing the top
// halves from a small range).
TEST(FingerprintScreen, CountIsNeverBelowTheTrueIntersection) {
  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 300; ++trial) {
    const uint64_t top_range = trial % 2 ? 50 : (uint64_t{1} << 32);
    auto draw = [&] { return (rng() % top_range) << 32 | (rng() % 40); };
    std::vector<uint64_t> a, b;
    const size_t na = 1 + rng() % 400, nb = 1 + rng() % 400;
    for (size_t i = 0; i < na; ++i) a.push_back(draw());
    for (size_t i = 0; i < nb; ++i) {
      b.push_back(rng() % 2 ? a[rng() % a.size()] : draw());
    }
    for (auto* v : {&a, &b}) {
      std::sort(v->begin(), v->end());
      v->erase(std::unique(v->begin(), v->end()), v->end());
    }
    const uint64_t exact = CompareSortedSets(a, b).intersection;
    std::vector<uint32_t> fa, fb;
    internal::AppendFingerprints(a, &fa);
    internal::AppendFingerprints(b, &fb);
    ASSERT_TRUE(std::is_sorted(fa.begin(), fa.end()));
    ASSERT_EQ(fa.size(), a.size());
    EXPECT_TRUE(internal::FingerprintCountReaches(fa, fb, exact))
        << "trial " << trial;
    EXPECT_TRUE(internal::FingerprintCountReaches(fa, fb, 0));
    // Without collisions (full 32-bit tops, almost surely distinct) the
    // count is the intersection itself, so one more is out of reach.
    if (trial % 2 == 1) continue;
    EXPECT_FALSE(internal::FingerprintCountReaches(fa, fb, exact + 1))
        << "trial " << trial;
  }
}

TEST(JaccardUpperBound, IsMinOverMax) {
  EXPECT_DOUBLE_EQ(JaccardUpperBound(8, 10), 0.8);
  EXPECT_DOUBLE_EQ(JaccardUpperBound(10, 8), 0.8);
  EXPECT_DOUBLE_EQ(JaccardUpperBound(0, 0), 1.0);
}

}  // namespace
}  // namespace neardup
