#include "src/internal/sketch_screen.h"

#include <cmath>
#include <cstdint>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/generator.h"

namespace neardup::internal {
namespace {

// P(X < m) for X ~ binomial(k, p), summed directly in long double.
long double BinomialBelow(int k, double p, int m) {
  long double total = 0;
  for (int x = 0; x < m; ++x) {
    long double log_pmf = std::lgamma(k + 1.0L) - std::lgamma(x + 1.0L) -
                          std::lgamma(k - x + 1.0L) +
                          x * std::log((long double)p) +
                          (k - x) * std::log1p(-(long double)p);
    total += std::exp(log_pmf);
  }
  return total;
}

TEST(SketchScreenTest, MinMatchesIsTheLargestBarWithLossBelowTheBound) {
  for (int k : {64, 128, 256}) {
    SketchScreen screen(k, 1e-6);
    for (double p : {0.05, 0.3, 0.5, 0.8, 0.95}) {
      const int m = screen.MinMatches(p);
      EXPECT_LE(BinomialBelow(k, p, m), 1e-6) << k << " " << p;
      EXPECT_GT(BinomialBelow(k, p, m + 1), 1e-6) << k << " " << p;
    }
    EXPECT_EQ(screen.MinMatches(0), 0);
    EXPECT_EQ(screen.MinMatches(-1), 0);
    EXPECT_EQ(screen.MinMatches(1), k);
  }
  // At J = 0.5 and 128 slots the bar is about 4.5 standard deviations
  // (5.7 slots) below the mean of 64.
  const int bar = SketchScreen(128).MinMatches(0.5);
  EXPECT_GT(bar, 30);
  EXPECT_LT(bar, 45);
}

TEST(SketchScreenTest, GridRoundsDownSoTheBarNeverRises) {
  SketchScreen screen(128);
  int previous = 0;
  for (int i = 0; i <= 1000; ++i) {
    const double p = i / 1000.0;
    const int m = screen.MinMatches(p);
    EXPECT_GE(m, previous);
    EXPECT_LE(m, screen.MinMatches(p + 1.0 / SketchScreen::kGrid));
    previous = m;
  }
}

// Simulated signatures: each slot agrees with probability J, as MinHash
// slots do. Pairs at the similarity asked for are kept (10,000 trials, loss
// bound 1e-6: any drop fails), unrelated ones are dropped.
TEST(SketchScreenTest, KeepsPairsAtTheBarAndDropsUnrelatedOnes) {
  SketchScreen screen(128);
  testing::Rng rng(3);
  std::vector<uint32_t> a(128), b(128);
  int dropped_at_threshold = 0;
  int kept_unrelated = 0;
  for (int trial = 0; trial < 10000; ++trial) {
    for (double j : {0.5, 0.03}) {
      for (int s = 0; s < 128; ++s) {
        a[s] = static_cast<uint32_t>(rng.Next());
        b[s] = rng.Bernoulli(j) ? a[s] : static_cast<uint32_t>(rng.Next());
      }
      const bool keep = screen.Keep(a, b, 0.5);
      if (j == 0.5) dropped_at_threshold += !keep;
      if (j == 0.03) kept_unrelated += keep;
    }
  }
  EXPECT_EQ(dropped_at_threshold, 0);
  EXPECT_EQ(kept_unrelated, 0);
  EXPECT_EQ(SketchScreen::EqualSlots(a, a), 128);
}

}  // namespace
}  // namespace neardup::internal
