// A screen on MinHash signatures for candidate pairs, run before exact
// verification.
//
// On a large corpus most LSH candidates are unrelated articles that met in one
// band by chance (they share common n-grams); exact verification of each
// costs a normalisation, a shingling and a sort of both texts. Two
// signatures already tell those apart: the number of equal slots is
// binomial(k, J) for one-permutation hashing with optimal densification and
// for classic MinHash alike. A pair is dropped only when so few slots agree
// (first among the first half of the slots, then among all) that a pair at
// the lowest similarity that could still qualify would show that few with
// probability below `max_loss` (1e-6 by default, half to each test): far below
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
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/types/span.h"
#include "src/internal/binomial.h"

namespace neardup::internal {

class SketchScreen {
 public:
  // Resolution of the similarity grid the thresholds are tabulated on.
  static constexpr int kGrid = 2048;

  // The tables are computed once per (num_perm, max_loss) in a process
  // and shared: every Index::Open and pipeline run builds a screen, and the
  // index fuzzers open thousands of indexes. Thread-safe.
  explicit SketchScreen(int num_perm, double max_loss = 1e-6)
      : prefix_(num_perm >= 2 * kMinPrefix ? num_perm / 2 : 0),
        tables_(SharedTables(num_perm, prefix_, max_loss)) {}

  // The fewest equal slots (of all num_perm) a pair with Jaccard >=
  // min_jaccard shows except with probability below the full test's share
  // of max_loss. The similarity is rounded down to the grid, which only
  // lowers the bar.
  int MinMatches(double min_jaccard) const {
    return tables_->min_matches[GridIndex(min_jaccard)];
  }
  // The same for the first PrefixSlots() slots alone (0 when there is no
  // prefix test).
  int PrefixMinMatches(double min_jaccard) const {
    return tables_->prefix_min_matches[GridIndex(min_jaccard)];
  }
  int PrefixSlots() const { return prefix_; }

  // True unless the two signatures (num_perm slots each) show that the pair
  // is below min_jaccard beyond reasonable doubt. The first half of the
  // slots is tested first: most pairs a large corpus proposes are unrelated
  // and fail there, after reading a quarter of the bytes of both rows.
  //
  // Slots may be cut to their low 16 bits (both rows alike): unequal slots
  // then agree by chance one time in 65,536, which only raises the count,
  // so no pair the full slots would keep is turned down.
  bool Keep(absl::Span<const uint32_t> a, absl::Span<const uint32_t> b,
            double min_jaccard) const {
    return KeepSlots(a, b, min_jaccard);
  }
  bool Keep(absl::Span<const uint16_t> a, absl::Span<const uint16_t> b,
            double min_jaccard) const {
    return KeepSlots(a, b, min_jaccard);
  }

  static int EqualSlots(absl::Span<const uint32_t> a,
                        absl::Span<const uint32_t> b) {
    return CountEqual(a, b);
  }
  static int EqualSlots(absl::Span<const uint16_t> a,
                        absl::Span<const uint16_t> b) {
    return CountEqual(a, b);
  }

 private:
  template <typename Slot>
  bool KeepSlots(absl::Span<const Slot> a, absl::Span<const Slot> b,
                 double min_jaccard) const {
    const int g = GridIndex(min_jaccard);
    if (prefix_ > 0 && CountEqual(a.first(prefix_), b.first(prefix_)) <
                           tables_->prefix_min_matches[g]) {
      return false;
    }
    return CountEqual(a, b) >= tables_->min_matches[g];
  }

  template <typename Slot>
  static int CountEqual(absl::Span<const Slot> a, absl::Span<const Slot> b) {
    int equal = 0;
    const size_t k = std::min(a.size(), b.size());
    for (size_t i = 0; i < k; ++i) equal += a[i] == b[i];
    return equal;
  }

  // Prefix tests below this many slots reject too little to pay.
  static constexpr int kMinPrefix = 32;

  static int GridIndex(double min_jaccard) {
    return static_cast<int>(std::clamp(min_jaccard, 0.0, 1.0) * kGrid);
  }

  struct Tables {
    std::vector<int> min_matches;  // Indexed by similarity * kGrid.
    std::vector<int> prefix_min_matches;
  };

  static std::shared_ptr<const Tables> SharedTables(int num_perm, int prefix,
                                                    double max_loss) {
    static std::mutex mu;
    static auto* cache =
        new std::map<std::pair<int, double>, std::shared_ptr<const Tables>>;
    std::lock_guard<std::mutex> lock(mu);
    std::shared_ptr<const Tables>& tables = (*cache)[{num_perm, max_loss}];
    if (tables == nullptr) {
      auto built = std::make_shared<Tables>();
      built->min_matches.resize(kGrid + 1);
      built->prefix_min_matches.resize(kGrid + 1, 0);
      // Each test may lose a qualifying pair with half the allowed
      // probability, so both together stay within max_loss.
      const double loss = prefix > 0 ? max_loss / 2 : max_loss;
      const std::vector<double> log_factorial = LogFactorials(num_perm);
      for (int g = 0; g <= kGrid; ++g) {
        const double p = static_cast<double>(g) / kGrid;
        built->min_matches[g] = MinSuccesses(num_perm, p, loss, log_factorial);
        if (prefix > 0) {
          built->prefix_min_matches[g] =
              MinSuccesses(prefix, p, loss, log_factorial);
        }
      }
      tables = std::move(built);
    }
    return tables;
  }

  int prefix_;  // Slots of the first test, or 0.
  std::shared_ptr<const Tables> tables_;
};

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_SKETCH_SCREEN_H_
