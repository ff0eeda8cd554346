// The passage route of containment, one document at a time: the LSH band
// keys of each long enough passage. FindContainmentCandidates pairs the
// documents whose passages share a key; the index keeps each document's
// keys so that a new document meets the passages of every older one the
// same way.
//
// Example:
//
//   internal::PassageKeyScratch scratch;
//   std::vector<uint32_t> keys;
//   size_t passages = internal::AppendPassageKeys(text, params, normalizer,
//                                                 hasher, &scratch, &keys);
//   // keys holds params.bands.bands keys per passage, passage-major.
#ifndef NEARDUP_SRC_INTERNAL_PASSAGE_KEYS_H_
#define NEARDUP_SRC_INTERNAL_PASSAGE_KEYS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"
#include "neardup/lsh.h"
#include "neardup/minhash.h"
#include "neardup/normalize.h"
#include "neardup/passage.h"
#include "neardup/shingle.h"

namespace neardup::internal {

struct PassageKeyParams {
  BandParams bands;
  ShingleOptions shingles;
  SegmentOptions segments;
  // Passages under this many code points after normalisation have no keys.
  size_t min_chars = 0;
  uint64_t seed = 0;
};

// Per-thread buffers, reused from one text to the next.
struct PassageKeyScratch {
  NormalizedText normalized;
  std::vector<uint64_t> shingles;
  std::vector<uint32_t> signature;
  std::vector<PassageSpan> spans;
};

// Appends params.bands.bands keys (the high 32 bits of each BandKey) for
// every passage of `text` with min_chars code points or more, passage-major,
// and returns how many passages that was. `hasher` sketches with the
// passage signatures' num_perm. Thread-safe for distinct scratches.
size_t AppendPassageKeys(absl::string_view text, const PassageKeyParams& params,
                         const Normalizer& normalizer, const MinHasher& hasher,
                         PassageKeyScratch* scratch,
                         std::vector<uint32_t>* keys);

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_PASSAGE_KEYS_H_
