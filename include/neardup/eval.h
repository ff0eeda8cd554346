// Measuring the engine against ground truth: pair precision and recall,
// agreement between clusterings (pairwise F1 and adjusted Rand index), the
// best threshold for labelled pairs, and readers for the ground-truth files
// `neardup eval` takes.
//
// Example:
//
//   // Engine pairs against the exact pairs at one threshold.
//   neardup::PrecisionRecall pr = neardup::ComparePairs(engine, exact);
//   // Engine clusters against hand-made ones, one label per document.
//   double ari = neardup::AdjustedRandIndex(engine_labels, truth_labels);
//   // Which threshold separates labelled copies from distinct reports?
//   neardup::ThresholdChoice best = neardup::BestF1Threshold(scores);
#ifndef NEARDUP_INCLUDE_NEARDUP_EVAL_H_
#define NEARDUP_INCLUDE_NEARDUP_EVAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "neardup/cluster.h"  // ScoredPair
#include "neardup/corpus.h"
#include "neardup/lsh.h"  // DocPair

namespace neardup {

// Agreement of a set of predictions with the truth.
struct PrecisionRecall {
  uint64_t true_positives = 0;
  uint64_t false_positives = 0;
  uint64_t false_negatives = 0;
  // tp / (tp + fp); 1 when nothing was predicted (no claim was wrong).
  double precision = 1;
  // tp / (tp + fn); 1 when the truth is empty (nothing was missed).
  double recall = 1;
  // Harmonic mean of the two; 0 when both are 0.
  double f1 = 1;
};

// Fills the ratios from the three counts.
PrecisionRecall MakePrecisionRecall(uint64_t true_positives,
                                    uint64_t false_positives,
                                    uint64_t false_negatives);

// Predicted pairs against true pairs. Each pair must have a < b; any order,
// duplicates count once.
PrecisionRecall ComparePairs(absl::Span<const DocPair> predicted,
                             absl::Span<const DocPair> truth);

// A clustering as one label per element: elements with equal labels share a
// cluster, and an element whose label no other element has is a singleton.

// Pairwise agreement of two clusterings of the same elements: a pair of
// elements is "predicted" when `predicted` puts both in one cluster and
// "true" when `truth` does. Counted from the contingency table, never pair
// by pair. Precondition: predicted.size() == truth.size().
PrecisionRecall ComparePairClusterings(absl::Span<const uint32_t> predicted,
                                       absl::Span<const uint32_t> truth);

// Adjusted Rand index (Hubert and Arabie 1985): the Rand index corrected for
// chance, 1 for identical clusterings (whatever the label values), about 0
// for independent ones, negative when worse than chance. When both
// clusterings are all singletons or both one cluster (the index is 0 / 0)
// it is 1, as scikit-learn defines it. Precondition: a.size() == b.size().
double AdjustedRandIndex(absl::Span<const uint32_t> a,
                         absl::Span<const uint32_t> b);

// A scored pair with a human judgement.
struct LabeledScore {
  double score = 0;       // Exact Jaccard, or any score where higher = copy.
  bool positive = false;  // Judged a copy.
};

// Decisions "copy when score >= threshold" against the labels.
PrecisionRecall ClassifyAtThreshold(absl::Span<const LabeledScore> scores,
                                    double threshold);

struct ThresholdChoice {
  // Calling pairs with score >= threshold copies maximises F1; it is one of
  // the labelled scores. Ties go to the highest such threshold (the engine
  // is cheapest at high thresholds).
  double threshold = 1;
  // The highest labelled score below `threshold` (0 when there is none):
  // every threshold in (open_below, threshold] makes the same decisions.
  double open_below = 0;
  PrecisionRecall metrics;
};

// The F1-maximising threshold. With no positive labels every threshold has
// F1 0 and the highest score is returned; with no scores, threshold 1.
ThresholdChoice BestF1Threshold(absl::Span<const LabeledScore> scores);

// Readers for ground-truth files. Ids are the corpus's; an id the corpus
// does not hold is an error (InvalidArgument, "FILE:LINE: unknown id ..."),
// because it means the truth belongs to other data. Blank lines and lines
// starting with '#' are skipped. Files may be gzip or zstd compressed.

// A truth-pairs file may open with this comment, followed by the Jaccard it
// lists every pair down to and then a space or the end of the line:
// "# neardup exact pairs: jaccard >= 0.5 (normalize full, 5-grams)".
// `neardup eval --write-truth` writes it, so that a file's floor need not be
// guessed from its lowest value (the lowest pair lies somewhere above it).
inline constexpr char kTruthFloorComment[] =
    "# neardup exact pairs: jaccard >= ";

struct TruthPairs {
  // With a < b, sorted and without duplicates (containment is left 0).
  std::vector<ScoredPair> pairs;
  // The floor from a first line starting with kTruthFloorComment; nullopt
  // when the file has none (as ../shared/data/*.pairs-*.tsv).
  std::optional<double> floor;
};

// `idA<TAB>idB<TAB>jaccard` lines, as in ../shared/data/*.pairs-*.tsv:
// exact pairs. A first line that starts with kTruthFloorComment but holds no
// number in [0, 1] is an error ("FILE:1: ...").
absl::StatusOr<TruthPairs> ReadTruthPairs(const std::string& path,
                                          const Corpus& corpus);

struct LabeledPair {
  uint32_t a = 0;  // a < b
  uint32_t b = 0;
  bool copy = false;
};

// `idA<TAB>idB<TAB>label` lines, label `copy` or `distinct`, in file order.
// A pair labelled twice is an error naming both lines.
absl::StatusOr<std::vector<LabeledPair>> ReadLabels(const std::string& path,
                                                    const Corpus& corpus);

// JSON lines {"id": ..., "cluster": ...} (string or integer values): a
// cluster label for every document of the corpus, in corpus order.
// Documents the file does not list are singletons. A document listed twice
// is an error.
absl::StatusOr<std::vector<uint32_t>> ReadTruthClusters(const std::string& path,
                                                        const Corpus& corpus);

}  // namespace neardup

#endif  // NEARDUP_INCLUDE_NEARDUP_EVAL_H_
