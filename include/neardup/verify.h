// Exact similarity of two shingle sets: the verification stage.
//
// LSH only proposes candidates, and a sketch's estimate is noisy near the
// threshold (at J = t about half the true pairs estimate below t). Every pair
// neardup reports has been scored here, exactly, from the two shingle sets.
//
// Example:
//
//   neardup::SetSimilarity s = neardup::CompareSortedSets(set_a, set_b);
//   if (s.jaccard >= 0.8) Report(s.jaccard, s.containment);
#ifndef NEARDUP_INCLUDE_NEARDUP_VERIFY_H_
#define NEARDUP_INCLUDE_NEARDUP_VERIFY_H_

#include <cstdint>
#include <optional>

#include "absl/types/span.h"

namespace neardup {

struct SetSimilarity {
  // |A ∩ B| / |A ∪ B|; 1 when both sets are empty.
  double jaccard = 0;
  // |A ∩ B| / min(|A|, |B|): how much of the smaller set the larger one
  // holds. 1 when the smaller set is empty.
  double containment = 0;
  uint64_t intersection = 0;
};

// Exact Jaccard and containment of two sets given as sorted arrays without
// duplicates (see SortUnique()). Runs in O(|A| + |B|), or O(|small| log
// |large|) when one set is much smaller. Thread-safe.
SetSimilarity CompareSortedSets(absl::Span<const uint64_t> a,
                                absl::Span<const uint64_t> b);

// A lower bound on the intersection that sets of sizes a and b need to reach
// Jaccard `min_jaccard`, or containment `min_containment` when that is above
// 0. Conservative (it may be a little low, never high), so a pair that
// reaches either threshold always has at least this many common elements.
uint64_t MinIntersectionFor(uint64_t a, uint64_t b, double min_jaccard,
                            double min_containment);

// CompareSortedSets() for verification, where most candidates fail: it stops
// as soon as the sets can no longer have `min_intersection` common elements
// and returns std::nullopt. Otherwise the result equals CompareSortedSets'
// exactly. Thread-safe.
std::optional<SetSimilarity> CompareSortedSetsIfAtLeast(
    absl::Span<const uint64_t> a, absl::Span<const uint64_t> b,
    uint64_t min_intersection);

// Upper bound on the Jaccard of sets of sizes a and b: min / max. Pairs
// whose bound is below the threshold need no merge at all.
inline double JaccardUpperBound(uint64_t a, uint64_t b) {
  if (a == 0 && b == 0) return 1;
  return a < b ? static_cast<double>(a) / b : static_cast<double>(b) / a;
}

}  // namespace neardup

#endif  // NEARDUP_INCLUDE_NEARDUP_VERIFY_H_
