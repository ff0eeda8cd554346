#include "neardup/pipeline.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iterator>
#include <limits>
#include <mutex>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "neardup/passage.h"
#include "neardup/verify.h"
#include "src/internal/fingerprint_screen.h"
#include "src/internal/match_stages.h"
#include "src/internal/parallel.h"
#include "src/internal/sketch_screen.h"
#include "src/internal/stage.h"
#include "src/internal/status_macros.h"
#include "src/internal/validate.h"

namespace neardup {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

using internal::FirstError;
using internal::StageProgress;

// Per-worker buffers; reused across documents so the hot loop allocates only
// when a document is larger than any before it.
struct Scratch {
  TextScratch text;
  NormalizedText normalized;
  std::vector<uint64_t> shingles;
};

// Exact shingle sets of the documents that take part in some candidate pair;
// only those are ever needed, which keeps memory near the input's size.
struct ShingleSets {
  std::vector<uint32_t> slot;  // Per document; kNone when not stored.
  std::vector<std::vector<uint64_t>> sets;
  static constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

  absl::Span<const uint64_t> Get(uint32_t doc) const { return sets[slot[doc]]; }
};

}  // namespace

absl::Status ValidatePipelineOptions(const PipelineOptions& options) {
  NEARDUP_RETURN_IF_ERROR(
      internal::ValidateMatchSettings({.ngram = options.ngram,
                                       .num_perm = options.num_perm,
                                       .threshold = options.threshold,
                                       .bands = options.bands,
                                       .rows = options.rows,
                                       .threads = options.threads}));
  if (!(options.containment >= 0 && options.containment <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--containment must be between 0 (off) and 1, got ",
                     options.containment));
  }
  return absl::OkStatus();
}

absl::StatusOr<PipelineResult> RunPipeline(const Corpus& corpus,
                                           const PipelineOptions& options,
                                           const PipelineProgress& progress) {
  NEARDUP_RETURN_IF_ERROR(ValidatePipelineOptions(options));
  if (corpus.size() >= std::numeric_limits<uint32_t>::max()) {
    return absl::InvalidArgumentError(
        "more than 4 billion documents; split the input");
  }
  NEARDUP_ASSIGN_OR_RETURN(
      internal::MatchStages stages,
      internal::MakeMatchStages({.normalize = options.normalize,
                                 .num_perm = options.num_perm,
                                 .algorithm = options.algorithm,
                                 .seed = options.seed,
                                 .threshold = options.threshold,
                                 .bands = options.bands,
                                 .rows = options.rows,
                                 .min_recall = options.min_recall}));
  const BandParams bands = stages.bands;
  const Normalizer& normalizer = stages.normalizer;
  const MinHasher& hasher = stages.hasher;
  const ShingleOptions shingle_options{.ngram = options.ngram,
                                       .seed = options.seed};
  const int threads = internal::ResolveThreads(options.threads);
  const size_t n = corpus.size();

  PipelineResult result;
  PipelineStats& stats = result.stats;
  stats.documents = n;
  stats.bands = bands;

  std::vector<std::unique_ptr<Scratch>> scratch(threads);
  for (auto& s : scratch) s = std::make_unique<Scratch>();

  // Normalises and shingles one document into the worker's scratch.
  auto shingle = [&](size_t doc, Scratch& s) -> absl::Status {
    absl::StatusOr<absl::string_view> text = corpus.Text(doc, &s.text);
    if (!text.ok()) return text.status();
    normalizer.Normalize(*text, &s.normalized);
    s.shingles.clear();
    HashShingles(s.normalized.code_points, shingle_options, &s.shingles);
    return absl::OkStatus();
  };

  // Stage 1: a signature for every document.
  auto start = Clock::now();
  SignatureMatrix signatures;
  signatures.Resize(n, options.num_perm);
  std::vector<uint64_t> lengths(n, 0);
  std::vector<uint8_t> invalid_utf8(n, 0);
  FirstError error;
  {
    StageProgress stage(progress, "sketch", n);
    internal::ParallelFor(
        n, threads, 64, [&](size_t begin, size_t end, int worker) {
          Scratch& s = *scratch[worker];
          for (size_t doc = begin; doc < end; ++doc) {
            absl::Status status = shingle(doc, s);
            if (!status.ok()) {
              error.Record(doc, std::move(status));
              continue;
            }
            lengths[doc] = s.normalized.code_points.size();
            invalid_utf8[doc] = s.normalized.invalid_utf8 > 0;
            signatures.present[doc] =
                hasher.Sketch(s.shingles, signatures.MutableRow(doc));
          }
          stage.Add(end - begin, worker);
        });
  }
  if (error.any()) return error.status();
  for (size_t i = 0; i < n; ++i) {
    stats.code_points += lengths[i];
    stats.empty_documents += !signatures.present[i];
    stats.invalid_utf8_documents += invalid_utf8[i];
  }
  stats.times.sketch_seconds = SecondsSince(start);

  // Stage 2: candidate pairs from the bands.
  start = Clock::now();
  if (progress) progress("candidates", 0);
  std::vector<DocPair> candidates = FindCandidatePairs(
      signatures, {.bands = bands, .seed = options.seed, .threads = threads},
      &stats.candidates);

  // Stage 2a: most candidates of a large corpus are unrelated articles that
  // met in one band by chance; their signatures show it, and dropping them
  // here saves re-shingling both texts (src/internal/sketch_screen.h). A
  // pair is kept when it could reach the threshold, or, with containment on,
  // the containment; the sizes for that are the code point counts, with a
  // factor 2 of slack because a repetitive text has fewer distinct shingles
  // than code points. Passage candidates (below) are never screened.
  if (options.sketch_screen && !candidates.empty()) {
    const internal::SketchScreen screen(options.num_perm);
    const double threshold = options.threshold;
    const double containment = options.containment;
    std::vector<uint8_t> keep(candidates.size());
    internal::ParallelFor(
        candidates.size(), threads, 4096, [&](size_t begin, size_t end, int) {
          for (size_t i = begin; i < end; ++i) {
            const uint32_t a = candidates[i].a;
            const uint32_t b = candidates[i].b;
            double min_jaccard = threshold;
            if (containment > 0) {
              const double small =
                  std::max<uint64_t>(std::min(lengths[a], lengths[b]), 1);
              const double ratio =
                  2 * static_cast<double>(std::max(lengths[a], lengths[b])) /
                  small;
              min_jaccard = std::min(min_jaccard,
                                     containment / (1 - containment + ratio));
            }
            keep[i] =
                screen.Keep(signatures.Row(a), signatures.Row(b), min_jaccard);
          }
        });
    size_t kept = 0;
    for (size_t i = 0; i < candidates.size(); ++i) {
      if (keep[i]) candidates[kept++] = candidates[i];
    }
    stats.sketch_screened = candidates.size() - kept;
    candidates.resize(kept);
  }
  std::vector<uint32_t>().swap(signatures.slots);
  stats.times.candidates_seconds = SecondsSince(start);

  // Stage 2b: documents sharing a passage are containment candidates; they
  // join the LSH candidates, and any candidate may link by containment.
  if (options.containment > 0) {
    start = Clock::now();
    PassageOptions passage_options;
    passage_options.normalize = options.normalize;
    passage_options.ngram = options.ngram;
    passage_options.num_perm = options.num_perm;
    passage_options.algorithm = options.algorithm;
    passage_options.threads = options.threads;
    passage_options.seed = options.seed;
    NEARDUP_ASSIGN_OR_RETURN(
        std::vector<DocPair> shared,
        FindContainmentCandidates(
            corpus, passage_options,
            [&progress](absl::string_view stage, double fraction) {
              if (progress) {
                progress(absl::StrCat("passages: ", stage), fraction);
              }
            }));
    stats.containment_candidates = shared.size();
    std::vector<DocPair> merged;
    merged.reserve(candidates.size() + shared.size());
    std::set_union(candidates.begin(), candidates.end(), shared.begin(),
                   shared.end(), std::back_inserter(merged));
    candidates.swap(merged);
    stats.times.passages_seconds = SecondsSince(start);
  }

  // Stage 3: exact Jaccard and containment for the candidates.
  start = Clock::now();
  const double threshold = options.threshold;
  const double containment = options.containment;
  // Documents in some pair of `pairs`, in first-seen order.
  auto involved_in = [n](const std::vector<DocPair>& pairs) {
    std::vector<uint32_t> slot(n, ShingleSets::kNone);
    std::vector<uint32_t> involved;
    for (const DocPair& p : pairs) {
      for (uint32_t d : {p.a, p.b}) {
        if (slot[d] == ShingleSets::kNone) {
          slot[d] = static_cast<uint32_t>(involved.size());
          involved.push_back(d);
        }
      }
    }
    return std::make_pair(std::move(slot), std::move(involved));
  };
  // Builds each involved document's sorted shingle set and hands it to
  // `keep(index in involved, set)`.
  auto build_sets = [&](absl::string_view stage_name,
                        const std::vector<uint32_t>& involved, auto keep) {
    StageProgress stage(progress, stage_name, involved.size());
    internal::ParallelFor(involved.size(), threads, 16,
                          [&](size_t begin, size_t end, int worker) {
                            Scratch& s = *scratch[worker];
                            for (size_t i = begin; i < end; ++i) {
                              absl::Status status = shingle(involved[i], s);
                              if (!status.ok()) {
                                error.Record(involved[i], std::move(status));
                                continue;
                              }
                              SortUnique(&s.shingles);
                              keep(i, absl::MakeConstSpan(s.shingles));
                            }
                            stage.Add(end - begin, worker);
                          });
  };

  // Holding the exact (64-bit) sets of every involved document costs about
  // 8 bytes per code point. When that would exceed the input's own size (low
  // thresholds, where most documents are in some pair), a screen on 32-bit
  // fingerprints runs first (src/internal/fingerprint_screen.h): it never
  // drops a pair that reaches a threshold, and exact sets are then built
  // only for the documents of the pairs it keeps. Either way the scores are
  // exact and the same.
  std::vector<DocPair> to_score;
  {
    // Not a structured binding: clang before 16 cannot capture those.
    const auto slots_and_involved = involved_in(candidates);
    const std::vector<uint32_t>& slot = slots_and_involved.first;
    const std::vector<uint32_t>& involved = slots_and_involved.second;
    uint64_t set_bytes = 0;
    for (uint32_t d : involved) set_bytes += 8 * lengths[d];
    if (set_bytes > corpus.stats().input_bytes) {
      std::vector<std::vector<uint32_t>> prints(involved.size());
      std::vector<uint64_t> sizes(involved.size());
      build_sets("screen", involved,
                 [&](size_t i, absl::Span<const uint64_t> set) {
                   sizes[i] = set.size();
                   internal::AppendFingerprints(set, &prints[i]);
                 });
      if (error.any()) return error.status();
      std::vector<uint8_t> keep(candidates.size(), 0);
      internal::ParallelFor(candidates.size(), threads, 256,
                            [&](size_t begin, size_t end, int) {
                              for (size_t i = begin; i < end; ++i) {
                                const uint32_t a = slot[candidates[i].a];
                                const uint32_t b = slot[candidates[i].b];
                                keep[i] = internal::FingerprintCountReaches(
                                    prints[a], prints[b],
                                    MinIntersectionFor(sizes[a], sizes[b],
                                                       threshold, containment));
                              }
                            });
      for (size_t i = 0; i < candidates.size(); ++i) {
        if (keep[i]) {
          to_score.push_back(candidates[i]);
        } else {
          ++stats.screened_out;
        }
      }
    } else {
      to_score.swap(candidates);
    }
  }
  ShingleSets sets;
  {
    auto [slot, involved] = involved_in(to_score);
    sets.slot = std::move(slot);
    sets.sets.resize(involved.size());
    build_sets("shingle sets", involved,
               [&](size_t i, absl::Span<const uint64_t> set) {
                 sets.sets[i].assign(set.begin(), set.end());
               });
  }
  if (error.any()) return error.status();
  scratch.clear();
  candidates.swap(to_score);
  std::vector<DocPair>().swap(to_score);

  std::vector<std::optional<SetSimilarity>> scores(candidates.size());
  {
    StageProgress stage(progress, "verify", candidates.size());
    internal::ParallelFor(
        candidates.size(), threads, 256,
        [&](size_t begin, size_t end, int worker) {
          for (size_t i = begin; i < end; ++i) {
            absl::Span<const uint64_t> a = sets.Get(candidates[i].a);
            absl::Span<const uint64_t> b = sets.Get(candidates[i].b);
            // Most candidates fail: the merge stops once the sets cannot
            // share enough shingles for either threshold.
            std::optional<SetSimilarity> sim = CompareSortedSetsIfAtLeast(
                a, b,
                MinIntersectionFor(a.size(), b.size(), threshold, containment));
            if (sim && (sim->jaccard >= threshold ||
                        (containment > 0 && sim->containment >= containment))) {
              scores[i] = sim;
            }
          }
          stage.Add(end - begin, worker);
        });
  }
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (!scores[i]) continue;
    result.pairs.push_back({candidates[i].a, candidates[i].b,
                            scores[i]->jaccard, scores[i]->containment});
    if (scores[i]->jaccard >= options.threshold) {
      result.pair_links.push_back(PairLink::kJaccard);
      ++stats.verified_pairs;
    } else {
      result.pair_links.push_back(PairLink::kContainment);
      ++stats.containment_pairs;
    }
  }
  stats.times.verify_seconds = SecondsSince(start);

  // Stage 4: clusters, and each member's exact similarity to its
  // representative (under single linkage a member may reach it only through
  // others).
  start = Clock::now();
  if (progress) progress("cluster", 0);
  std::vector<Cluster> clusters =
      BuildClusters(result.pairs, lengths, options.cluster);
  result.clusters.resize(clusters.size());
  internal::ParallelFor(
      clusters.size(), threads, 16, [&](size_t begin, size_t end, int) {
        for (size_t c = begin; c < end; ++c) {
          const Cluster& cluster = clusters[c];
          ClusterResult& out = result.clusters[c];
          out.representative = cluster.representative;
          out.members.reserve(cluster.members.size());
          absl::Span<const uint64_t> rep = sets.Get(cluster.representative);
          for (uint32_t m : cluster.members) {
            if (m == cluster.representative) {
              out.members.push_back({m, 1.0, 1.0});
              continue;
            }
            SetSimilarity sim = CompareSortedSets(rep, sets.Get(m));
            out.members.push_back({m, sim.jaccard, sim.containment});
          }
        }
      });
  result.representative_of.resize(n);
  for (size_t i = 0; i < n; ++i) {
    result.representative_of[i] = static_cast<uint32_t>(i);
  }
  for (const ClusterResult& c : result.clusters) {
    for (const ClusterMember& m : c.members) {
      result.representative_of[m.document] = c.representative;
    }
    stats.clustered_documents += c.members.size();
  }
  stats.clusters = result.clusters.size();
  stats.times.cluster_seconds = SecondsSince(start);
  if (progress) progress("done", 1);
  return result;
}

}  // namespace neardup
