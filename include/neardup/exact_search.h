// Exact all-pairs similarity search: every pair of documents whose exact
// Jaccard similarity over shingle sets is at least a threshold, with no
// sketching and no chance of a miss. This is the ground truth `neardup eval`
// measures the engine against.
//
// The search is prefix filtering with a global token order (AllPairs,
// Bayardo et al. 2007; PPJoin, Xiao et al. 2008):
//   - every distinct shingle hash is renamed to a dense 32-bit token id in
//     order of corpus frequency, rarest first, and each set is sorted by it;
//   - two sets with Jaccard >= t must share a token among the first
//     |x| - ceil(t |x|) + 1 tokens of the larger one and the first
//     |y| - ceil(2t / (1 + t) |y|) + 1 of the smaller one, so only those
//     prefixes are indexed and probed, and rare tokens keep the lists short;
//   - a size filter (|y| >= t |x|) and a positional filter (the overlap still
//     reachable from the current positions) drop candidates early;
//   - each surviving candidate is verified by merging the two full sets.
// Documents are probed in parallel against a read-only index, and the result
// is sorted, so the output is the same for any thread count.
//
// Memory: the corpus-level search holds every document's shingle set, at
// first as 64-bit hashes (8 bytes a shingle, plus a sorted copy while token
// ids are assigned), then as 32-bit token ids. SaudiNewsNet-dev (52.5 MB of
// text, about 27 M shingles) peaks near 16 bytes a shingle, about 450 MB.
//
// Example:
//
//   neardup::ExactSearchOptions options;
//   options.normalize = neardup::NormalizeMode::kNone;
//   options.threshold = 0.5;
//   absl::StatusOr<neardup::ExactSearchResult> exact =
//       neardup::FindSimilarDocuments(*corpus, options);
//   if (!exact.ok()) return exact.status();
//   for (const neardup::ScoredPair& p : exact->pairs) ...
#ifndef NEARDUP_INCLUDE_NEARDUP_EXACT_SEARCH_H_
#define NEARDUP_INCLUDE_NEARDUP_EXACT_SEARCH_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "neardup/cluster.h"  // ScoredPair
#include "neardup/corpus.h"
#include "neardup/lsh.h"  // DocPair
#include "neardup/normalize.h"
#include "neardup/shingle.h"
#include "neardup/verify.h"  // SetSimilarity

namespace neardup {

struct ExactSearchOptions {
  // How documents become shingle sets; the same meaning and defaults as
  // PipelineOptions, so the exact pairs are the ones the engine aims at.
  // Ignored by FindSimilarSets(), which is given the sets.
  NormalizeMode normalize = NormalizeMode::kFull;
  int ngram = 5;
  uint64_t seed = kDefaultSeed;
  // Pairs with exact Jaccard >= threshold are returned; 0 < threshold <= 1.
  // Low thresholds cost more: prefixes grow and so do the candidates.
  double threshold = 0.5;
  // When above 0 (at most 1), also every pair whose containment
  // |A ∩ B| / min(|A|, |B|) is at least this: the pairs
  // `neardup cluster --threshold T --containment C` links. Prefix filtering
  // on the smaller set of a pair, with every shared shingle indexed (about 8
  // more bytes a shingle); slower than the Jaccard search.
  double containment = 0;
  // 0 means every hardware thread.
  int threads = 0;
};

struct ExactSearchStats {
  uint64_t documents = 0;  // Documents with at least one shingle.
  uint64_t shingles = 0;   // Sum of set sizes.
  uint64_t distinct_shingles = 0;
  uint64_t postings = 0;       // Index entries (indexed prefix tokens).
  uint64_t candidates = 0;     // Pairs verified by merging the full sets.
  uint64_t pairs = 0;          // Pairs at or above the threshold.
  double shingle_seconds = 0;  // Normalise and shingle (corpus search only).
  double order_seconds = 0;    // Token frequencies and renaming.
  double search_seconds = 0;   // Index, probe and verify.
};

struct ExactSearchResult {
  // Every pair (a < b, input order) of non-empty documents with exact
  // Jaccard >= threshold (or containment >= containment, when that is
  // above 0), sorted by (a, b). Scores are computed as
  // CompareSortedSets() computes them, bit for bit.
  std::vector<ScoredPair> pairs;
  ExactSearchStats stats;
};

// Every pair of `sets` with Jaccard >= options.threshold. Each set must be
// sorted and free of duplicates (see SortUnique()); empty sets are never
// paired. InvalidArgument for a threshold outside (0, 1], 2^32 or more sets,
// or 2^32 or more shingles in total.
absl::StatusOr<ExactSearchResult> FindSimilarSets(
    absl::Span<const absl::Span<const uint64_t>> sets,
    const ExactSearchOptions& options);

// Called from the calling thread with a stage name and progress in [0, 1].
using ExactSearchProgress =
    std::function<void(absl::string_view stage, double fraction)>;

// Normalises and shingles every document of `corpus` as RunPipeline() does,
// then runs FindSimilarSets(). Errors: InvalidArgument for bad options, any
// error the corpus reports while re-reading a document. Never prints.
absl::StatusOr<ExactSearchResult> FindSimilarDocuments(
    const Corpus& corpus, const ExactSearchOptions& options,
    const ExactSearchProgress& progress = {});

// Exact similarity of chosen pairs of documents (a labelled sample, say),
// shingled as FindSimilarDocuments() shingles them; only the documents named
// are read. One result per pair, in the order given. options.threshold is
// not used. Errors as FindSimilarDocuments(); an index out of range is
// InvalidArgument.
absl::StatusOr<std::vector<SetSimilarity>> ScoreDocumentPairs(
    const Corpus& corpus, absl::Span<const DocPair> pairs,
    const ExactSearchOptions& options);

}  // namespace neardup

#endif  // NEARDUP_INCLUDE_NEARDUP_EXACT_SEARCH_H_
