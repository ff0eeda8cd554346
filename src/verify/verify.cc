#include "neardup/verify.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "src/internal/fingerprint_screen.h"

namespace neardup {
namespace {

// Counts common elements into *common_out by searching each element of the
// small array in the large one with exponential (galloping) search:
// O(small * log(large / small)). Gives up, returning false, once fewer than
// `need` remain possible (need 0: never).
bool IntersectGallopIfAtLeast(const uint64_t* small, size_t ns,
                              const uint64_t* large, size_t nl, uint64_t need,
                              uint64_t* common_out) {
  uint64_t common = 0;
  size_t lo = 0;
  for (size_t i = 0; i < ns && lo < nl; ++i) {
    if (common + (ns - i) < need) return false;
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
  *common_out = common;
  return common >= need;
}

SetSimilarity FromIntersection(size_t na, size_t nb, uint64_t common) {
  SetSimilarity result;
  result.intersection = common;
  result.jaccard =
      static_cast<double>(common) / static_cast<double>(na + nb - common);
  result.containment =
      static_cast<double>(common) / static_cast<double>(std::min(na, nb));
  return result;
}

}  // namespace

uint64_t MinIntersectionFor(uint64_t a, uint64_t b, double min_jaccard,
                            double min_containment) {
  // J = c / (a + b - c) >= t  <=>  c >= t (a + b) / (1 + t); C = c / min >= k
  // <=> c >= k min. One below the floor absorbs floating-point rounding.
  auto lower = [](double exact) -> uint64_t {
    const double floored = std::floor(exact) - 1;
    return floored > 0 ? static_cast<uint64_t>(floored) : 0;
  };
  uint64_t need =
      lower(min_jaccard * static_cast<double>(a + b) / (1 + min_jaccard));
  if (min_containment > 0) {
    need = std::min(
        need, lower(min_containment * static_cast<double>(std::min(a, b))));
  }
  return need;
}

std::optional<SetSimilarity> CompareSortedSetsIfAtLeast(
    absl::Span<const uint64_t> a, absl::Span<const uint64_t> b,
    uint64_t min_intersection) {
  const size_t na = a.size(), nb = b.size();
  if (na == 0 || nb == 0) {
    if (min_intersection > 0) return std::nullopt;
    return CompareSortedSets(a, b);
  }
  const uint64_t *small = a.data(), *large = b.data();
  size_t ns = na, nl = nb;
  if (ns > nl) {
    std::swap(small, large);
    std::swap(ns, nl);
  }
  uint64_t common = 0;
  const bool reached =
      nl > 16 * ns ? IntersectGallopIfAtLeast(small, ns, large, nl,
                                              min_intersection, &common)
                   : internal::MergeCountIfAtLeast<uint64_t>(
                         small, ns, large, nl, min_intersection, &common);
  if (!reached) return std::nullopt;
  return FromIntersection(na, nb, common);
}

SetSimilarity CompareSortedSets(absl::Span<const uint64_t> a,
                                absl::Span<const uint64_t> b) {
  const size_t na = a.size(), nb = b.size();
  if (na == 0 || nb == 0) {
    SetSimilarity result;
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
  uint64_t common = 0;
  if (nl > 16 * ns) {
    IntersectGallopIfAtLeast(small, ns, large, nl, 0, &common);
  } else {
    internal::MergeCountIfAtLeast<uint64_t>(small, ns, large, nl, 0, &common);
  }
  return FromIntersection(na, nb, common);
}

}  // namespace neardup
