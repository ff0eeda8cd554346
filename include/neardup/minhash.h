// MinHash signatures of shingle sets.
//
// Two algorithms, both unbiased estimators of Jaccard similarity:
//   - kOnePermutation (default): one hash per shingle picks one of k bins and
//     the bin keeps its minimum; empty bins are filled by optimal
//     densification (Shrivastava, ICML 2017), which keeps the probability
//     that two signatures agree in a slot equal to the Jaccard similarity.
//     O(1) work per shingle plus O(k) per document.
//   - kClassic: k independent hash functions, the minimum of each. O(k) work
//     per shingle; kept as the reference.
// Slot values are 32-bit; the chance that two different minima agree by
// accident (2^-32) is far below the estimator's own noise.
//
// Example:
//
//   absl::StatusOr<neardup::MinHasher> hasher = neardup::MinHasher::Create({});
//   std::vector<uint32_t> sig_a(hasher->num_perm()), sig_b(hasher->num_perm());
//   hasher->Sketch(shingles_a, absl::MakeSpan(sig_a));
//   hasher->Sketch(shingles_b, absl::MakeSpan(sig_b));
//   double j = neardup::EstimateJaccard(sig_a, sig_b);
#ifndef NEARDUP_INCLUDE_NEARDUP_MINHASH_H_
#define NEARDUP_INCLUDE_NEARDUP_MINHASH_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "neardup/shingle.h"

namespace neardup {

enum class SketchAlgorithm { kOnePermutation, kClassic };

// "oph" or "classic".
absl::string_view SketchAlgorithmName(SketchAlgorithm algorithm);
// Parses "oph" or "classic". InvalidArgument otherwise.
absl::StatusOr<SketchAlgorithm> ParseSketchAlgorithm(absl::string_view name);

struct MinHashOptions {
  // Slots per signature (k), 1 to 4096.
  int num_perm = 128;
  SketchAlgorithm algorithm = SketchAlgorithm::kOnePermutation;
  uint64_t seed = kDefaultSeed;
};

// Computes signatures. Immutable after Create(); Sketch() may be called from
// many threads at once.
class MinHasher {
 public:
  // InvalidArgument for num_perm outside [1, 4096].
  static absl::StatusOr<MinHasher> Create(const MinHashOptions& options);

  int num_perm() const { return options_.num_perm; }
  const MinHashOptions& options() const { return options_; }

  // Writes the signature of the set of `shingle_hashes` (duplicates allowed,
  // any order) to `signature`, which must have num_perm() slots. Returns false
  // and leaves `signature` unspecified when there are no shingles: an empty
  // document has no signature.
  bool Sketch(absl::Span<const uint64_t> shingle_hashes,
              absl::Span<uint32_t> signature) const;

 private:
  explicit MinHasher(const MinHashOptions& options);
  void SketchOnePermutation(absl::Span<const uint64_t> hashes,
                            absl::Span<uint32_t> signature) const;
  void SketchClassic(absl::Span<const uint64_t> hashes,
                     absl::Span<uint32_t> signature) const;

  MinHashOptions options_;
  // Classic: per-slot multiplier and offset. OPH: per-slot densification
  // seeds.
  std::vector<uint64_t> multipliers_;
  std::vector<uint64_t> offsets_;
};

// Fraction of equal slots. Precondition: a.size() == b.size() > 0.
double EstimateJaccard(absl::Span<const uint32_t> a,
                       absl::Span<const uint32_t> b);

}  // namespace neardup

#endif  // NEARDUP_INCLUDE_NEARDUP_MINHASH_H_
