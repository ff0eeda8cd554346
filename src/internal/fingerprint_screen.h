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

// Counts the common elements of two sorted arrays into *common_out, pairing
// equal elements off one to one (so duplicates count min(multiplicity)).
// Returns false as soon as fewer than `need` common elements remain
// possible (need 0: never). With kStopAtNeed it returns true as soon as
// `need` are found, leaving *common_out unset; otherwise it counts them all.
// The bound is checked every kBlock steps so that the inner loop stays
// branch-light. Also the exact merge of verify.cc.
template <typename T, bool kStopAtNeed = false>
inline bool MergeCountIfAtLeast(const T* a, size_t na, const T* b, size_t nb,
                                uint64_t need, uint64_t* common_out) {
  constexpr size_t kBlock = 128;
  uint64_t common = 0;
  size_t i = 0, j = 0;
  while (i < na && j < nb) {
    if (kStopAtNeed && common >= need) return true;
    if (common + std::min(na - i, nb - j) < need) return false;
    const size_t steps = std::min(kBlock, std::min(na - i, nb - j));
    for (size_t s = 0; s < steps; ++s) {
      const T x = a[i], y = b[j];
      common += x == y;
      i += x <= y;
      j += y <= x;
    }
  }
  if (common_out != nullptr) *common_out = common;
  return common >= need;
}

// Whether two sorted fingerprint multisets have at least `need` common
// elements, counted with multiplicity.
inline bool FingerprintCountReaches(absl::Span<const uint32_t> a,
                                    absl::Span<const uint32_t> b,
                                    uint64_t need) {
  return MergeCountIfAtLeast<uint32_t, /*kStopAtNeed=*/true>(
      a.data(), a.size(), b.data(), b.size(), need, nullptr);
}

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_FINGERPRINT_SCREEN_H_
