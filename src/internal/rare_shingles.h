// Containment candidates from sampled shingles: documents most of whose
// rare sampled shingles another document holds, wherever they sit in it.
//
// Document LSH cannot propose a short item held in a long article: their
// Jaccard is C |A| / (|A| + |B| - C |A|), 0.2 for a lead of a quarter of the
// story, and bands for that would make a few per cent of all pairs collide.
// Passage LSH proposes it only when a passage of one matches a passage of the
// other at Jaccard 0.8, which an abridged copy whose sentences were picked
// from several paragraphs, or lightly reworded, does not have. This route
// needs neither: it asks whether the shingles of one are in the other.
//
// Nested samples, so the cost per document does not depend on its length:
//   - A shingle's level is the number of trailing zero bits of the high half
//     of its hash: one shingle in 2^l has level l or more, the same shingle
//     in every document.
//   - A document of m distinct shingles probes with its shingles of level
//     l(m) = floor(log2(m / kProbeShingles)) or more (about 8-16 of them),
//     and stores, for others to find, those of level l(m) - kRatioLevels or
//     more (about 8 times as many). A document up to 2^kRatioLevels times
//     longer than A stores every shingle A probes with, so the test "are A's
//     probe shingles in B" is exact for such pairs, and containment 0.8
//     allows nothing longer than that to matter much (J would be below
//     0.1).
//   - A shingle stored by more than kMaxFrequency documents is boilerplate
//     or common phrasing. It is counted as of the later document of a pair
//     (in input order): it is rare for A and B while at most kMaxFrequency
//     documents up to the later of them store it. So only its first
//     kMaxFrequency documents find each other through it, every lookup is
//     short and the work per document is bounded whatever the corpus size;
//     and an index that adds the same documents in order, and so knows
//     only the documents so far, proposes exactly the same pairs.
//   - A and B are a candidate when B stores at least two of A's probe
//     shingles that are rare for the pair, and at least half of A's probe
//     shingles that were rare as of the later one (a document contained at
//     0.8 in another has about 80 % of them there).
//   - A candidate is then screened on the two documents' stored samples.
//     At the higher of their storing levels each holds a uniform sample of
//     its shingles (the same shingles in both), so the share of the smaller
//     sample found in the other estimates their containment, and the shared
//     part of the two their Jaccard, typically from 64 to 128 shingles
//     instead of the 8-16 probes. A pair is turned down only when both
//     shares fall short of what is asked for beyond kScreenLoss, by the
//     exact binomial tail (Jaccard too, so the route still adds the pairs
//     the bands miss), and only with kMinScreenSamples or more.
//     Probes alone let through a long article that holds half of a short
//     item's probe shingles, and verifying those pairs exactly (both texts
//     shingled and sorted) was the largest cost of the route.
// Documents under kMinShingles distinct shingles neither probe nor store.
// Candidates are verified exactly by the caller. Output is sorted and does
// not depend on the thread count.
//
// Example:
//
//   internal::RareShingleSample sample(corpus.size());
//   // In parallel, each chunk of kDocumentsPerChunk documents on one thread:
//   sample.Add(doc, shingle_hashes, distinct_shingles);
//   std::vector<DocPair> pairs =
//       sample.Candidates(/*screen=*/true, /*containment=*/0.8,
//                         /*threshold=*/0.5, threads, keep, &stats);
#ifndef NEARDUP_SRC_INTERNAL_RARE_SHINGLES_H_
#define NEARDUP_SRC_INTERNAL_RARE_SHINGLES_H_

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "neardup/lsh.h"

namespace neardup::internal {

struct RareShingleStats {
  // Stored shingles, summed over documents.
  uint64_t stored = 0;
  // The stored shingles some document probes with (the others are not
  // indexed).
  uint64_t indexed = 0;
  // Probe shingles, summed over documents.
  uint64_t probes = 0;
  // Pairs with enough shared probe shingles.
  uint64_t proposed = 0;
  // Proposed pairs that `keep` turned down.
  uint64_t filtered = 0;
  // Proposed pairs that `keep` kept and the stored samples turned down.
  uint64_t screened = 0;
  uint64_t candidates = 0;
};

class RareShingleSample {
 public:
  // A document probes with about this many to twice this many shingles.
  static constexpr int kProbeShingles = 8;
  // It stores 2^kRatioLevels times as many.
  static constexpr int kRatioLevels = 3;
  // Shingles stored by more documents than this are not rare.
  static constexpr uint32_t kMaxFrequency = 128;
  // Shorter documents (a name, a dateline) take no part.
  static constexpr uint32_t kMinShingles = 64;
  // Documents are added by chunks of this many.
  static constexpr size_t kDocumentsPerChunk = 64;
  // The sample screen needs at least this many shingles in the smaller
  // sample to turn a pair down, and loses a pair at the bar with at most
  // probability kScreenLoss (the sketch screen's bound); its tables go up
  // to kScreenTable samples.
  static constexpr uint32_t kMinScreenSamples = 16;
  static constexpr double kScreenLoss = 1e-6;
  static constexpr size_t kScreenTable = 512;

  explicit RareShingleSample(size_t documents);

  // Records the samples of `doc` from its shingle hashes (any order, repeats
  // allowed) and its number of distinct shingles (an estimate will do; it
  // only sets the levels). Documents of one chunk must be added from one
  // thread, in increasing order; different chunks from any threads.
  void Add(uint32_t doc, absl::Span<const uint64_t> shingle_hashes,
           uint32_t distinct_shingles);

  // The candidate pairs (a < b), sorted. With `keep`, only pairs it accepts;
  // with `screen`, only pairs whose samples allow containment `containment`
  // or Jaccard `threshold` (both in (0, 1]). Frees the samples.
  std::vector<DocPair> Candidates(bool screen, double containment,
                                  double threshold, int threads,
                                  const CandidateFilter& keep,
                                  RareShingleStats* stats);

 private:
  // A document's stored samples, each a key (27 bits of the shingle's hash)
  // under its level (5 bits), sorted in decreasing order: the shingles of
  // level l or more are a prefix, and two documents' prefixes are merged as
  // they are, since a shingle has the same level everywhere.
  struct Chunk {
    std::vector<uint32_t> keys;
    // Document i of the chunk: keys[begin[i], begin[i + 1]), probing with
    // the shingles of level probe[i] or more (kNoSamples: none).
    std::array<uint32_t, kDocumentsPerChunk + 1> begin{};
    std::array<uint8_t, kDocumentsPerChunk> probe{};
    size_t added = 0;  // Documents of the chunk with `begin` set.
  };
  static constexpr uint8_t kNoSamples = 0xFF;

  absl::Span<const uint32_t> Samples(uint32_t doc) const;
  int ProbeLevel(uint32_t doc) const;
  // Whether the samples of `a` and `b` allow the containment or the Jaccard
  // asked for: the shared samples reach min_contained[size of the smaller
  // sample] or min_shared[size of their union] (MinHitsTable in the .cc).
  bool CouldQualify(uint32_t a, uint32_t b,
                    absl::Span<const uint16_t> min_contained,
                    absl::Span<const uint16_t> min_shared) const;
  void FinishChunk(Chunk& chunk, size_t upto) const;

  size_t documents_;
  std::vector<Chunk> chunks_;
};

// The rules above for one document, shared with the index (which keeps each
// document's samples on disk and probes them incrementally).
//
// Appends the document's stored samples to *keys, in decreasing order
// without repeats, and returns the level it probes with (its samples of
// that level or more, a prefix), or kNoProbe for a document under
// kMinShingles distinct shingles (nothing appended).
inline constexpr int kNoProbe = -1;
int SampleShingles(absl::Span<const uint64_t> shingle_hashes,
                   uint32_t distinct_shingles, std::vector<uint32_t>* keys);

// How many of the decreasing sample keys have level `level` or more.
size_t SamplesAtLevel(absl::Span<const uint32_t> keys, int level);

// The screen's table for a share p in (0, 1]: fewer than table[n] hits of n
// rule out a share of p or more (at RareShingleSample::kScreenLoss).
std::vector<uint16_t> SampleScreenTable(double p);

// Whether two documents' samples (as SampleShingles made them, with their
// probe levels) allow containment or Jaccard at the tables' bars (see
// RareShingleSample): false only when both shares fall short.
bool SamplesCouldQualify(absl::Span<const uint32_t> a, int probe_a,
                         absl::Span<const uint32_t> b, int probe_b,
                         absl::Span<const uint16_t> min_contained,
                         absl::Span<const uint16_t> min_shared);

// About how many distinct values `hashes` (shingle hashes, repeats allowed)
// holds, within about 0.3 %: what SampleShingles is given, so that the
// index and `neardup cluster` choose the same levels. *bitmap is scratch.
uint32_t EstimateDistinct(absl::Span<const uint64_t> hashes,
                          std::vector<uint64_t>* bitmap);

// Boilerplate (PipelineOptions::boilerplate_df, IndexOptions::boilerplate_df)
// is counted on fingerprints, the high halves of the shingle hashes, as the
// index stores them, so that `neardup cluster` and an index agree on every
// count. A fingerprint is boilerplate for a pair once more than D documents
// up to the later of the two hold it.
//
// Appends document `doc`'s distinct fingerprints, each packed as
// fingerprint << 32 | doc, given its sorted distinct shingle hashes.
inline void AppendFingerprintsOf(absl::Span<const uint64_t> sorted_set,
                                 uint32_t doc, std::vector<uint64_t>* out) {
  uint64_t last = ~uint64_t{0};
  for (uint64_t h : sorted_set) {
    const uint64_t fingerprint = h >> 32;
    if (fingerprint == last) continue;
    last = fingerprint;
    out->push_back(fingerprint << 32 | doc);
  }
}

// Every fingerprint held by more than `max_frequency` documents of the
// packed sets (AppendFingerprintsOf), packed as fingerprint << 32 | the
// document whose holding it made the count exceed max_frequency (the
// (max_frequency + 1)-th holder by document number), sorted. Frees the sets.
// Same result for any thread count.
std::vector<uint64_t> BoilerplateCrossings(
    std::vector<std::vector<uint64_t>>& packed_sets, uint32_t max_frequency,
    int threads);

// The Jaccard of two sorted sets counting only the values for which
// kept(value, in_a, in_b) is true (each value is asked once, in increasing
// order); 0 when none is.
template <typename Kept>
double JaccardOfKept(absl::Span<const uint64_t> a, absl::Span<const uint64_t> b,
                     Kept kept) {
  uint64_t na = 0, nb = 0, common = 0;
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i] < b[j])) {
      na += kept(a[i++], true, false);
    } else if (i == a.size() || b[j] < a[i]) {
      nb += kept(b[j++], false, true);
    } else {
      const bool k = kept(a[i], true, true);
      na += k;
      nb += k;
      common += k;
      ++i;
      ++j;
    }
  }
  const uint64_t all = na + nb - common;
  return all == 0 ? 0.0
                  : static_cast<double>(common) / static_cast<double>(all);
}

// Whether fingerprints are boilerplate for a pair whose later document is
// `later`, by BoilerplateCrossings' answer, asked in non-decreasing order
// (a merge of two sorted shingle sets asks so): each answer gallops on from
// the last, a few steps instead of a binary search over every crossing.
class BoilerplateCursor {
 public:
  BoilerplateCursor(absl::Span<const uint64_t> crossings, uint32_t later)
      : crossings_(crossings), later_(later) {}

  bool IsBoilerplate(uint64_t fingerprint) {
    const uint64_t key = fingerprint << 32;
    const size_t n = crossings_.size();
    if (at_ < n && crossings_[at_] < key) {
      size_t step = 1;
      size_t end = at_ + 1;
      while (end < n && crossings_[end] < key) {
        at_ = end;
        step *= 2;
        end = at_ + step;
      }
      at_ = static_cast<size_t>(
          std::lower_bound(crossings_.begin() + at_,
                           crossings_.begin() + std::min(end, n), key) -
          crossings_.begin());
    }
    return at_ < n && (crossings_[at_] >> 32) == fingerprint &&
           static_cast<uint32_t>(crossings_[at_]) <= later_;
  }

 private:
  absl::Span<const uint64_t> crossings_;
  uint32_t later_;
  size_t at_ = 0;
};

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_RARE_SHINGLES_H_
