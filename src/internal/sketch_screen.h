// A screen on MinHash signatures for candidate pairs, run before exact
// verification.
//
// On a large corpus most LSH candidates are unrelated articles that met in one
// band by chance (they share common n-grams); exact verification of each
// costs a normalisation, a shingling and a sort of both texts. Two
// signatures already tell those apart: the number of equal slots is
// binomial(k, J) for one-permutation hashing with optimal densification and
// for classic MinHash alike. A pair is dropped only when so few slots agree
// that a pair at the lowest similarity that could still qualify would show
// that few with probability below `max_loss` (1e-6 by default): far below
// LSH's own 1 % miss rate at the threshold, so recall is unchanged while the
// candidates left to verify are mostly real copies.
//
// Example:
//
//   internal::SketchScreen screen(/*num_perm=*/128);
//   if (screen.Keep(signature_a, signature_b, /*min_jaccard=*/0.5)) ...
#ifndef NEARDUP_SRC_INTERNAL_SKETCH_SCREEN_H_
#define NEARDUP_SRC_INTERNAL_SKETCH_SCREEN_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace neardup::internal {

class SketchScreen {
 public:
  // Resolution of the similarity grid the thresholds are tabulated on.
  static constexpr int kGrid = 2048;

  explicit SketchScreen(int num_perm, double max_loss = 1e-6)
      : num_perm_(num_perm), max_loss_(max_loss), min_matches_(kGrid + 1) {
    for (int g = 0; g <= kGrid; ++g) {
      min_matches_[g] = MinMatchesAt(static_cast<double>(g) / kGrid);
    }
  }

  // The fewest equal slots a pair with Jaccard >= min_jaccard shows except
  // with probability below max_loss. The similarity is rounded down to the
  // grid, which only lowers the bar.
  int MinMatches(double min_jaccard) const {
    const double clamped = std::clamp(min_jaccard, 0.0, 1.0);
    return min_matches_[static_cast<int>(clamped * kGrid)];
  }

  // True unless the two signatures (num_perm slots each) show that the pair
  // is below min_jaccard beyond reasonable doubt.
  bool Keep(absl::Span<const uint32_t> a, absl::Span<const uint32_t> b,
            double min_jaccard) const {
    return EqualSlots(a, b) >= MinMatches(min_jaccard);
  }

  static int EqualSlots(absl::Span<const uint32_t> a,
                        absl::Span<const uint32_t> b) {
    int equal = 0;
    const size_t k = std::min(a.size(), b.size());
    for (size_t i = 0; i < k; ++i) equal += a[i] == b[i];
    return equal;
  }

 private:
  // The largest m with P(X < m) <= max_loss for X ~ binomial(num_perm, p).
  int MinMatchesAt(double p) const {
    if (p <= 0) return 0;
    const int k = num_perm_;
    if (p >= 1) return k;
    const double log_p = std::log(p);
    const double log_q = std::log1p(-p);
    double below = 0;  // P(X < m), summed as m grows.
    for (int m = 0; m <= k; ++m) {
      const double log_pmf = std::lgamma(k + 1.0) - std::lgamma(m + 1.0) -
                             std::lgamma(k - m + 1.0) + m * log_p +
                             (k - m) * log_q;
      const double next = below + std::exp(log_pmf);
      if (next > max_loss_) return m;  // P(X < m) <= max_loss < P(X <= m).
      below = next;
    }
    return k;
  }

  int num_perm_;
  double max_loss_;
  std::vector<int> min_matches_;  // Indexed by similarity * kGrid.
};

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_SKETCH_SCREEN_H_
