// Locality-sensitive hashing over MinHash signatures: the candidate stage.
//
// A signature of k slots is cut into b bands of r rows (b * r <= k). Two
// documents become a candidate pair when all r slots of at least one band
// agree, which for Jaccard similarity s happens with probability
//   P(s) = 1 - (1 - s^r)^b.
// neardup verifies every candidate exactly, so a false candidate costs only
// time while a missed one is lost for good. ChooseBands() therefore first
// guarantees recall (P(threshold) >= 0.99 by default) and only then picks the
// setting with the fewest expected candidates below the threshold.
//
// Example:
//
//   absl::StatusOr<neardup::BandParams> bands = neardup::ChooseBands(0.8, 128);
//   // bands->bands == 16, bands->rows == 6: P(0.8) = 0.992.
//   neardup::CandidateStats stats;
//   std::vector<neardup::DocPair> pairs = neardup::FindCandidatePairs(
//       signatures, {.bands = *bands, .threads = 2}, &stats);
#ifndef NEARDUP_INCLUDE_NEARDUP_LSH_H_
#define NEARDUP_INCLUDE_NEARDUP_LSH_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "neardup/shingle.h"  // kDefaultSeed

namespace neardup {

struct BandParams {
  int bands = 0;
  int rows = 0;
};

// 1 - (1 - s^rows)^bands.
double CandidateProbability(double similarity, BandParams params);

// Chooses bands and rows with bands * rows <= num_perm such that
// CandidateProbability(threshold) >= min_recall, minimising the expected
// share of candidates below the threshold (the integral of P over
// [0, threshold]). InvalidArgument when no setting reaches min_recall (too
// few permutations for the threshold) or an argument is out of range
// (threshold in (0, 1], num_perm >= 1, min_recall in (0, 1)).
absl::StatusOr<BandParams> ChooseBands(double threshold, int num_perm,
                                       double min_recall = 0.99);

// InvalidArgument unless 1 <= bands, 1 <= rows and bands * rows <= num_perm.
absl::Status ValidateBandParams(BandParams params, int num_perm);

// A pair of document indices, a < b.
struct DocPair {
  uint32_t a = 0;
  uint32_t b = 0;
  friend bool operator==(const DocPair&, const DocPair&) = default;
  friend auto operator<=>(const DocPair&, const DocPair&) = default;
};

// Signatures of a batch of documents, one row of num_perm slots per document.
// Documents without a signature (empty text) are marked absent and never
// become candidates.
struct SignatureMatrix {
  int num_perm = 0;
  std::vector<uint32_t> slots;   // size() * num_perm values, row-major.
  std::vector<uint8_t> present;  // 1 when the row holds a signature.

  size_t size() const { return present.size(); }
  absl::Span<const uint32_t> Row(size_t i) const {
    return absl::MakeConstSpan(slots).subspan(i * num_perm, num_perm);
  }
  absl::Span<uint32_t> MutableRow(size_t i) {
    return absl::MakeSpan(slots).subspan(i * num_perm, num_perm);
  }
  void Resize(size_t documents, int slots_per_row) {
    num_perm = slots_per_row;
    slots.assign(documents * slots_per_row, 0);
    present.assign(documents, 0);
  }
};

struct CandidateOptions {
  BandParams bands;
  uint64_t seed = kDefaultSeed;
  // A bucket holding more documents than this (templated items: a table of
  // earnings reports can share whole bands) would emit a quadratic number of
  // pairs. Its members are paired with the bucket's first document only,
  // which still links them all when they are verified copies of it.
  uint32_t max_bucket = 1000;
  // 0 means every hardware thread.
  int threads = 0;
};

struct CandidateStats {
  // Pairs emitted by band buckets, counting a pair once per band it shares.
  uint64_t band_collisions = 0;
  // Distinct candidate pairs after merging the bands.
  uint64_t candidate_pairs = 0;
  // Largest bucket seen in any band.
  uint64_t largest_bucket = 0;
  // Buckets larger than CandidateOptions::max_bucket.
  uint64_t capped_buckets = 0;
  // Band collisions the `keep` filter turned down (a pair once per band).
  uint64_t filtered = 0;
};

// Decides, for a pair (a < b) that a band proposes, whether it becomes a
// candidate. Called from several threads at once, possibly more than once for
// a pair (once per band it shares); must be thread-safe and deterministic.
using CandidateFilter = std::function<bool(uint32_t a, uint32_t b)>;

// Every pair of present documents that agrees on all rows of some band
// (subject to max_bucket), sorted and without duplicates. Band keys are XXH3
// hashes of the band's slots seeded from `seed` and the band number.
// Deterministic for any thread count. Precondition: ValidateBandParams() is
// OK and there are fewer than 2^32 documents. `stats` may be null.
//
// With `keep`, a pair is kept only when keep(a, b) is true, as buckets
// propose it: on a large corpus most band collisions are unrelated
// documents, and filtering them then (rather than collecting every pair
// first) keeps memory to the candidates that survive.
std::vector<DocPair> FindCandidatePairs(const SignatureMatrix& signatures,
                                        const CandidateOptions& options,
                                        CandidateStats* stats,
                                        const CandidateFilter& keep = {});

// The key of band `band` of one signature, as used by FindCandidatePairs and
// by persistent indexes.
uint64_t BandKey(absl::Span<const uint32_t> signature, BandParams params,
                 int band, uint64_t seed);

}  // namespace neardup

#endif  // NEARDUP_INCLUDE_NEARDUP_LSH_H_
