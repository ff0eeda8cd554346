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

// Each of the two tests (the first half of the slots, then all of them) may
// lose a qualifying pair with half of max_loss, and each bar is the highest
// that keeps to it.
TEST(SketchScreenTest, MinMatchesIsTheLargestBarWithLossBelowTheBound) {
  for (int k : {64, 128, 256}) {
    SketchScreen screen(k, 1e-6);
    ASSERT_EQ(screen.PrefixSlots(), k / 2);
    for (double exact : {0.05, 0.3, 0.5, 0.8, 0.95}) {
      // Bars are tabulated on a grid, rounded down.
      const double p =
          std::floor(exact * SketchScreen::kGrid) / SketchScreen::kGrid;
      const int m = screen.MinMatches(exact);
      EXPECT_LE(BinomialBelow(k, p, m), 5e-7) << k << " " << p;
      EXPECT_GT(BinomialBelow(k, p, m + 1), 5e-7) << k << " " << p;
      const int prefix = screen.PrefixMinMatches(exact);
      EXPECT_LE(BinomialBelow(k / 2, p, prefix), 5e-7) << k << " " << p;
      EXPECT_GT(BinomialBelow(k / 2, p, prefix + 1), 5e-7) << k << " " << p;
    }
    EXPECT_EQ(screen.MinMatches(0), 0);
    EXPECT_EQ(screen.MinMatches(-1), 0);
    EXPECT_EQ(screen.MinMatches(1), k);
  }
  // Too few slots for a useful first test: one test with all of max_loss.
  SketchScreen small(32, 1e-6);
  EXPECT_EQ(small.PrefixSlots(), 0);
  const int m = small.MinMatches(0.5);
  EXPECT_LE(BinomialBelow(32, 0.5, m), 1e-6);
  EXPECT_GT(BinomialBelow(32, 0.5, m + 1), 1e-6);
  // At J = 0.5 and 128 slots the bar is about 4.9 standard deviations
  // (5.7 slots) below the mean of 64.
  const int bar = SketchScreen(128).MinMatches(0.5);
  EXPECT_GT(bar, 30);
  EXPECT_LT(bar, 45);
}

// A pair whose first half of slots falls short is turned down whatever the
// rest shows, and one that passes there is judged on all its slots.
TEST(SketchScreenTest, TheFirstHalfIsTestedFirst) {
  SketchScreen screen(128);
  std::vector<uint32_t> a(128), b(128);
  for (int s = 0; s < 128; ++s) a[s] = b[s] = static_cast<uint32_t>(s);
  for (int s = 0; s < 64; ++s) b[s] = 1000 + s;  // First half: no match.
  EXPECT_GE(SketchScreen::EqualSlots(a, b), screen.MinMatches(0.3));
  EXPECT_FALSE(screen.Keep(a, b, 0.3));
  for (int s = 0; s < 64; ++s) b[s] = a[s];
  for (int s = 64; s < 128; ++s) b[s] = 1000 + s;  // Second half: none.
  EXPECT_GE(SketchScreen::EqualSlots(absl::MakeSpan(a).first(64),
                                     absl::MakeSpan(b).first(64)),
            screen.PrefixMinMatches(0.8));
  EXPECT_FALSE(screen.Keep(a, b, 0.8));
  EXPECT_TRUE(screen.Keep(a, b, 0.3));
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

// The pipeline's containment stages screen on the slots' low 16 bits. Cut
// slots agree wherever the full ones do (and by chance elsewhere), so the
// cut screen keeps every pair the full one keeps, at every bar; and it
// still drops unrelated pairs.
TEST(SketchScreenTest, LowSixteenBitsKeepEverythingTheFullSlotsKeep) {
  SketchScreen screen(128);
  testing::Rng rng(11);
  std::vector<uint32_t> a(128), b(128);
  std::vector<uint16_t> low_a(128), low_b(128);
  int kept = 0, kept_low = 0, kept_unrelated_low = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    const double j = rng.Uniform(100) / 100.0;
    for (int s = 0; s < 128; ++s) {
      a[s] = static_cast<uint32_t>(rng.Next());
      b[s] = rng.Bernoulli(j) ? a[s] : static_cast<uint32_t>(rng.Next());
      // Some slots differ only above bit 16, as slots may.
      if (a[s] != b[s] && rng.Bernoulli(0.05)) b[s] = a[s] ^ 0x10000u;
      low_a[s] = static_cast<uint16_t>(a[s]);
      low_b[s] = static_cast<uint16_t>(b[s]);
    }
    EXPECT_GE(SketchScreen::EqualSlots(low_a, low_b),
              SketchScreen::EqualSlots(a, b));
    for (double bar : {0.1, 0.5, 0.8}) {
      const bool full = screen.Keep(a, b, bar);
      const bool low = screen.Keep(low_a, low_b, bar);
      EXPECT_TRUE(low || !full) << "J " << j << " bar " << bar;
      kept += full;
      kept_low += low;
      if (j < 0.05 && bar == 0.5) kept_unrelated_low += low;
    }
  }
  EXPECT_GT(kept, 1000);
  EXPECT_GE(kept_low, kept);
  EXPECT_EQ(kept_unrelated_low, 0);
}

}  // namespace
}  // namespace neardup::internal
