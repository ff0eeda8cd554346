// The batch engine: from a Corpus to verified pairs and clusters.
//
// RunPipeline() wires the stages together with threads over documents:
//   normalise -> shingle -> sketch      (every document, in parallel)
//   band keys -> candidate pairs        (in parallel over bands)
//   shingle sets -> exact verification  (only documents in a candidate pair)
//   clusters                            (union-find or centre linkage)
// Results are identical for any thread count.
//
// Memory stays near the size of the input: signatures are kept for every
// document (k 32-bit slots), exact shingle sets only for candidates.
//
// Example:
//
//   neardup::PipelineOptions options;
//   options.threshold = 0.5;
//   absl::StatusOr<neardup::PipelineResult> result =
//       neardup::RunPipeline(*corpus, options);
//   if (!result.ok()) return result.status();
//   for (const neardup::ClusterResult& c : result->clusters) ...
#ifndef NEARDUP_INCLUDE_NEARDUP_PIPELINE_H_
#define NEARDUP_INCLUDE_NEARDUP_PIPELINE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "neardup/cluster.h"
#include "neardup/corpus.h"
#include "neardup/lsh.h"
#include "neardup/minhash.h"
#include "neardup/normalize.h"
#include "neardup/shingle.h"

namespace neardup {

// The defaults were chosen on human judgements of SaudiNewsNet pairs
// (docs/quality.md, "Defaults and why"): 5-gram shingles of fully normalised
// text, 128 slots of OPH, and a copy is a pair with Jaccard >= 0.5 or
// containment >= 0.8, grouped with centre linkage. For near-verbatim copies
// only, raise the threshold to 0.8 and set containment to 0.
struct PipelineOptions {
  NormalizeMode normalize = NormalizeMode::kFull;
  int ngram = 5;
  int num_perm = 128;
  SketchAlgorithm algorithm = SketchAlgorithm::kOnePermutation;
  // Pairs with exact Jaccard >= threshold are reported and linked.
  double threshold = 0.5;
  // 0 and 0: chosen by ChooseBands(BandJaccard(options), num_perm,
  // min_recall): for the threshold, or lower with containment on (see
  // BandJaccard). Both or neither must be set.
  int bands = 0;
  int rows = 0;
  double min_recall = 0.99;
  // Centre linkage by default: at low thresholds single linkage chains
  // templated items (weather forecasts, cables) into clusters of hundreds.
  ClusterOptions cluster = {.linkage = Linkage::kCenter};
  // When above 0, also link two documents whose containment |A ∩ B| /
  // min(|A|, |B|) is at least this, so an abridged copy joins its full
  // story. Candidates are the documents that share a passage (see
  // passage.h; passages matched at Jaccard >= 0.8 with the default passage
  // lengths) and the documents one of which holds most of the other's rare
  // sampled shingles (src/internal/rare_shingles.h), verified exactly on the
  // documents' shingle sets. 0 turns it off; at most 1.
  double containment = 0.8;
  // When true, LSH candidates whose signatures agree in so few slots that
  // they cannot reach the threshold (or, with containment on, the
  // containment), except with probability below 1e-6, are dropped before
  // exact verification, and so are sampled-shingle candidates whose stored
  // samples share too few shingles for either, by the same 1e-6 bound.
  // Reported scores stay exact; on a large corpus this removes most of the
  // verification work. False gives plain LSH-then-exact.
  bool sketch_screen = true;
  // Boilerplate-aware scoring (docs/quality.md, "Boilerplate"): when above
  // 0, a shingle is boilerplate for a pair (a template, a byline, a weather
  // table) once more than this many documents up to the later of the two,
  // in input order, hold it (counted on the shingle hash's high 32 bits, as
  // an index does). Every reported pair then also carries its exact Jaccard
  // over the other shingles (PipelineResult::weighted_jaccard), and links
  // only when that is at least min_weighted_jaccard. Counting up to the
  // later document is what an index that adds the same documents in order
  // knows (IndexOptions::boilerplate_df), so `neardup stream` gives the
  // same pairs. 0, the default, is off: on the dev labels no setting of it
  // reaches the precision a default needs (docs/quality.md), and counting
  // costs 16 bytes per shingle of the corpus while it runs.
  uint32_t boilerplate_df = 0;
  double min_weighted_jaccard = 0;
  // With boilerplate_df: count every pair's shingles over the whole input
  // instead of up to its later document. A template is then boilerplate for
  // its first occurrences too (on the dev labels, F1 0.902 against 0.894 at
  // the defaults with D 25 and U 0.05, docs/quality.md), but no index fed
  // the input in order gives the same scores.
  bool boilerplate_whole_corpus = false;
  // 0 means every hardware thread.
  int threads = 0;
  uint64_t seed = kDefaultSeed;
};

// InvalidArgument naming the first bad field and its allowed range.
absl::Status ValidatePipelineOptions(const PipelineOptions& options);

// With containment on, document bands are chosen for Jaccard at most this.
inline constexpr double kContainmentBandJaccard = 0.5;

// The Jaccard the automatic bands are chosen for: the threshold, or with
// containment on min(threshold, kContainmentBandJaccard). A copy of similar
// length contained at 0.8 has Jaccard 0.4-0.7; the passage and sampled-
// shingle routes miss some of those that repeat common text (a story run
// by hundreds of outlets), and bands for the threshold alone lose them at
// higher thresholds (SaudiNewsNet at 0.8: containment recall 0.978 with
// bands for 0.8, 0.99 with bands for 0.5; docs/architecture.md). At 0.5,
// the default, the bands are those measured at a million documents.
double BandJaccard(const PipelineOptions& options);

struct StageTimes {
  double sketch_seconds = 0;    // Normalise, shingle, sketch.
  double passages_seconds = 0;  // Containment candidates, when asked for:
                                // passages and sampled shingles,
  double sample_seconds = 0;    // of which sampled shingles.
  double candidates_seconds = 0;
  double verify_seconds = 0;
  double cluster_seconds = 0;
};

struct PipelineStats {
  size_t documents = 0;
  size_t empty_documents = 0;  // No shingles after normalisation.
  size_t invalid_utf8_documents = 0;
  uint64_t code_points = 0;  // After normalisation, all documents.
  BandParams bands;
  CandidateStats candidates;
  uint64_t verified_pairs = 0;  // Candidates with exact Jaccard >= threshold.
  // With PipelineOptions::containment: document pairs with passages in one
  // passage-LSH bucket that the sketch screen kept (FindContainmentCandidates),
  // and the verified pairs linked by containment alone (not counted above).
  uint64_t containment_candidates = 0;
  uint64_t containment_pairs = 0;
  // With containment: document pairs that share at least two rare sampled
  // shingles, and half of the smaller one's (src/internal/rare_shingles.h),
  // and that the sketch screen and the samples' screen kept. They join the
  // candidates whatever the passages say.
  uint64_t sample_candidates = 0;
  // Pairs PipelineOptions::sketch_screen turned down: band collisions (a
  // pair once per band it shares), passage and sampled-shingle candidates.
  uint64_t sketch_screened = 0;
  // Documents in the largest connected component of the candidate graph;
  // above 2,048 its sets are built pair by pair rather than held together.
  size_t largest_component = 0;
  size_t clusters = 0;
  size_t clustered_documents = 0;
  StageTimes times;
};

struct ClusterMember {
  uint32_t document = 0;
  // Exact Jaccard and containment with the cluster's representative (1 for
  // the representative itself).
  double jaccard = 1;
  double containment = 1;
};

struct ClusterResult {
  uint32_t representative = 0;
  std::vector<ClusterMember> members;  // Representative first.
};

// Why a verified pair links its documents.
enum class PairLink : uint8_t {
  kJaccard,      // Exact Jaccard >= threshold (whatever its containment).
  kContainment,  // Jaccard below the threshold, containment >= the option.
};

struct PipelineResult {
  // Verified pairs, sorted by (a, b).
  std::vector<ScoredPair> pairs;
  // Parallel to `pairs`: kJaccard for every pair unless
  // PipelineOptions::containment is above 0.
  std::vector<PairLink> pair_links;
  // Parallel to `pairs` when PipelineOptions::boilerplate_df is above 0
  // (else empty): the pair's Jaccard without the shingles that were
  // boilerplate as of its later document (0 when neither has any other).
  std::vector<double> weighted_jaccard;
  // Clusters of two or more, ordered by representative's input position.
  std::vector<ClusterResult> clusters;
  // For each document, the representative of its cluster (itself when it
  // is alone or a representative).
  std::vector<uint32_t> representative_of;
  PipelineStats stats;
};

// Called from the calling thread with a stage name and progress in [0, 1].
using PipelineProgress =
    std::function<void(absl::string_view stage, double fraction)>;

// Runs the whole batch. Errors: InvalidArgument for bad options; any error
// the corpus reports while re-reading a document. Never prints.
absl::StatusOr<PipelineResult> RunPipeline(
    const Corpus& corpus, const PipelineOptions& options,
    const PipelineProgress& progress = {});

}  // namespace neardup

#endif  // NEARDUP_INCLUDE_NEARDUP_PIPELINE_H_
