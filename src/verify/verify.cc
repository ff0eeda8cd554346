#include "neardup/verify.h"

#include <algorithm>

namespace neardup {
namespace {

// Counts common elements by walking both arrays.
uint64_t IntersectMerge(const uint64_t* a, size_t na, const uint64_t* b,
                        size_t nb) {
  uint64_t common = 0;
  size_t i = 0, j = 0;
  while (i < na && j < nb) {
    uint64_t x = a[i], y = b[j];
    // Branch-light: advance whichever side is smaller, both when equal.
    common += x == y;
    i += x <= y;
    j += y <= x;
  }
  return common;
}

// Counts common elements by searching each element of the small array in the
// large one with exponential (galloping) search: O(small * log(large / small)).
uint64_t IntersectGallop(const uint64_t* small, size_t ns,
                         const uint64_t* large, size_t nl) {
  uint64_t common = 0;
  size_t lo = 0;
  for (size_t i = 0; i < ns && lo < nl; ++i) {
    uint64_t x = small[i];
    size_t step = 1, hi = lo;
    while (hi < nl && large[hi] < x) {
      lo = hi + 1;
      hi += step;
      step <<= 1;
    }
    hi = std::min(hi, nl);
    const uint64_t* it = std::lower_bound(large + lo, large + hi, x);
    lo = static_cast<size_t>(it - large);
    if (lo < nl && large[lo] == x) {
      ++common;
      ++lo;
    }
  }
  return common;
}

}  // namespace

SetSimilarity CompareSortedSets(absl::Span<const uint64_t> a,
                                absl::Span<const uint64_t> b) {
  SetSimilarity result;
  const size_t na = a.size(), nb = b.size();
  if (na == 0 || nb == 0) {
    result.jaccard = (na == 0 && nb == 0) ? 1.0 : 0.0;
    result.containment = 1.0;
    return result;
  }
  const uint64_t *small = a.data(), *large = b.data();
  size_t ns = na, nl = nb;
  if (ns > nl) {
    std::swap(small, large);
    std::swap(ns, nl);
  }
  uint64_t common = nl > 16 * ns ? IntersectGallop(small, ns, large, nl)
                                 : IntersectMerge(small, ns, large, nl);
  result.intersection = common;
  result.jaccard =
      static_cast<double>(common) / static_cast<double>(na + nb - common);
  result.containment = static_cast<double>(common) / static_cast<double>(ns);
  return result;
}

}  // namespace neardup
