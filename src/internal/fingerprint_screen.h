// A cheap, never-wrong first pass of verification on 32-bit fingerprints.
//
// At low thresholds most documents of a corpus are in some candidate pair,
// and holding all their 64-bit shingle sets would cost several times the
// input. A sorted multiset of fingerprints (the top 32 bits of each shingle
// hash) is half the size, and counting its common elements with another's
// gives an upper bound on the true intersection: every common shingle has a
// common fingerprint, and a fingerprint is counted min(multiplicity) times.
// So a pair whose fingerprint count cannot reach the needed intersection
// (MinIntersectionFor) cannot reach it exactly either, and is dropped
// without its exact sets.
//
//   std::vector<uint32_t> fa = internal::Fingerprints(sorted_set_a);
//   if (internal::FingerprintCountReaches(fa, fb, need)) { /* verify exactly */
//   }
#ifndef NEARDUP_SRC_INTERNAL_FINGERPRINT_SCREEN_H_
#define NEARDUP_SRC_INTERNAL_FINGERPRINT_SCREEN_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace neardup::internal {

// The fingerprints of a sorted set of 64-bit hashes, sorted (the top halves
// of sorted values are already in order), duplicates kept.
inline void AppendFingerprints(absl::Span<const uint64_t> sorted_set,
                               std::vector<uint32_t>* out) {
  out->reserve(out->size() + sorted_set.size());
  for (uint64_t h : sorted_set) out->push_back(static_cast<uint32_t>(h >> 32));
}

// Whether two sorted fingerprint multisets have at least `need` common
// elements, counted with multiplicity (min of the two). Gives up as soon as
// the rest cannot make up the difference.
inline bool FingerprintCountReaches(absl::Span<const uint32_t> a,
                                    absl::Span<const uint32_t> b,
                                    uint64_t need) {
  constexpr size_t kBlock = 128;
  const size_t na = a.size(), nb = b.size();
  uint64_t common = 0;
  size_t i = 0, j = 0;
  while (i < na && j < nb) {
    if (common >= need) return true;
    if (common + std::min(na - i, nb - j) < need) return false;
    const size_t steps = std::min(kBlock, std::min(na - i, nb - j));
    for (size_t s = 0; s < steps; ++s) {
      const uint32_t x = a[i], y = b[j];
      common += x == y;
      i += x <= y;
      j += y <= x;
    }
  }
  return common >= need;
}

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_FINGERPRINT_SCREEN_H_
