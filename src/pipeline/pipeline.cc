#include "neardup/pipeline.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <iterator>
#include <limits>
#include <mutex>
#include <optional>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "neardup/passage.h"
#include "neardup/verify.h"
#include "src/internal/match_stages.h"
#include "src/internal/page_release.h"
#include "src/internal/parallel.h"
#include "src/internal/rare_shingles.h"
#include "src/internal/release_memory.h"
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
  std::vector<std::vector<uint64_t>> sets;  // One component's shingle sets.
  std::vector<uint64_t> bitmap;             // For EstimateDistinct.
};

// A linking pair's exact scores, and its Jaccard without boilerplate
// shingles (-1 when not asked for).
struct Scored {
  SetSimilarity sim;
  double weighted = -1;
};

// The Jaccard of two sorted shingle sets without their boilerplate as of the
// later of the two documents, `later` (input order): a shingle is left out of
// both when its fingerprint had turned frequent by then (internal::
// BoilerplateCrossings, sorted); 0 when nothing is left. Counting up to the
// later document, not over the whole corpus, is what an index adding the
// same documents in order knows when it scores the pair.
double JaccardWithout(absl::Span<const uint64_t> a,
                      absl::Span<const uint64_t> b,
                      absl::Span<const uint64_t> crossings, uint32_t later) {
  internal::BoilerplateCursor boilerplate(crossings, later);
  return internal::JaccardOfKept(a, b, [&](uint64_t v, bool, bool) {
    return !boilerplate.IsBoilerplate(v >> 32);
  });
}

// The documents in some candidate pair, grouped by connected component of the
// candidate graph, with each component's candidates. Components are ordered
// by their first document, members and edges in input order.
struct CandidateComponents {
  std::vector<uint32_t> documents;      // Members of component c are
  std::vector<size_t> document_starts;  // documents[starts[c], starts[c+1]).
  std::vector<uint32_t> edges;          // Indices into the candidates.
  std::vector<size_t> edge_starts;

  size_t size() const { return document_starts.size() - 1; }
  absl::Span<const uint32_t> Members(size_t c) const {
    return absl::MakeConstSpan(documents).subspan(
        document_starts[c], document_starts[c + 1] - document_starts[c]);
  }
  std::vector<DocPair> Edges(size_t c,
                             const std::vector<DocPair>& candidates) const {
    std::vector<DocPair> out;
    out.reserve(edge_starts[c + 1] - edge_starts[c]);
    for (size_t e = edge_starts[c]; e < edge_starts[c + 1]; ++e) {
      out.push_back(candidates[edges[e]]);
    }
    return out;
  }
};

// The position of `doc` in a component's sorted members.
uint32_t LocalIndex(absl::Span<const uint32_t> members, uint32_t doc) {
  return static_cast<uint32_t>(
      std::lower_bound(members.begin(), members.end(), doc) - members.begin());
}

CandidateComponents GroupCandidates(const std::vector<DocPair>& candidates,
                                    size_t n) {
  constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
  // Union-find with the smaller index as root, and path halving.
  std::vector<uint32_t> parent(n, kNone);  // kNone: in no candidate.
  auto find = [&parent](uint32_t x) {
    while (parent[x] != x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  for (const DocPair& p : candidates) {
    if (parent[p.a] == kNone) parent[p.a] = p.a;
    if (parent[p.b] == kNone) parent[p.b] = p.b;
    uint32_t a = find(p.a);
    uint32_t b = find(p.b);
    if (a == b) continue;
    if (a > b) std::swap(a, b);
    parent[b] = a;
  }
  // Components numbered by their root (their first document), so ascending.
  std::vector<uint32_t> component(n, kNone);
  CandidateComponents out;
  std::vector<size_t> sizes;
  for (uint32_t d = 0; d < n; ++d) {
    if (parent[d] == kNone) continue;
    const uint32_t root = find(d);
    if (root == d) {
      component[d] = static_cast<uint32_t>(sizes.size());
      sizes.push_back(0);
    }
    component[d] = component[root];
    ++sizes[component[d]];
  }
  out.document_starts.assign(sizes.size() + 1, 0);
  for (size_t c = 0; c < sizes.size(); ++c) {
    out.document_starts[c + 1] = out.document_starts[c] + sizes[c];
  }
  out.documents.resize(out.document_starts.back());
  std::vector<size_t> fill(out.document_starts.begin(),
                           out.document_starts.end() - 1);
  for (uint32_t d = 0; d < n; ++d) {
    if (component[d] != kNone) out.documents[fill[component[d]]++] = d;
  }
  std::vector<size_t> edge_counts(sizes.size(), 0);
  for (const DocPair& p : candidates) ++edge_counts[component[p.a]];
  out.edge_starts.assign(sizes.size() + 1, 0);
  for (size_t c = 0; c < sizes.size(); ++c) {
    out.edge_starts[c + 1] = out.edge_starts[c] + edge_counts[c];
  }
  out.edges.resize(candidates.size());
  fill.assign(out.edge_starts.begin(), out.edge_starts.end() - 1);
  for (size_t i = 0; i < candidates.size(); ++i) {
    out.edges[fill[component[candidates[i].a]]++] = static_cast<uint32_t>(i);
  }
  return out;
}

}  // namespace

double BandJaccard(const PipelineOptions& options) {
  return options.containment > 0
             ? std::min(options.threshold, kContainmentBandJaccard)
             : options.threshold;
}

absl::Status ValidatePipelineOptions(const PipelineOptions& options) {
  NEARDUP_RETURN_IF_ERROR(
      internal::ValidateMatchSettings({.ngram = options.ngram,
                                       .num_perm = options.num_perm,
                                       .threshold = options.threshold,
                                       .bands = options.bands,
                                       .rows = options.rows,
                                       .threads = options.threads}));
  NEARDUP_RETURN_IF_ERROR(internal::ValidateBoilerplateSettings(
      options.boilerplate_df, options.min_weighted_jaccard));
  if (options.boilerplate_whole_corpus && options.boilerplate_df == 0) {
    return absl::InvalidArgumentError(
        "--boilerplate-whole-corpus needs --boilerplate-df (the document "
        "frequency above which a shingle is boilerplate)");
  }
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
                                 .threshold = BandJaccard(options),
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
  // Every pass reads texts from the (usually mapped) input; their pages are
  // handed back as it goes (src/internal/page_release.h).
  internal::PeriodicRelease release(corpus);
  auto shingle = [&](size_t doc, Scratch& s, bool in_order) -> absl::Status {
    absl::StatusOr<absl::string_view> text = corpus.Text(doc, &s.text);
    if (!text.ok()) return text.status();
    if (in_order) {
      release.Add(text->size());
    } else {
      release.AddRandom(text->size());
    }
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
  // Distinct shingles (estimated), for the screen's containment bound;
  // left empty without containment.
  std::vector<uint32_t> distinct(options.containment > 0 ? n : 0, 0);
  std::vector<uint8_t> invalid_utf8(n, 0);
  // With containment on, each document's sampled shingles, for the
  // containment candidates that no cut of the texts decides.
  std::optional<internal::RareShingleSample> sample;
  if (options.containment > 0) sample.emplace(n);
  static_assert(internal::RareShingleSample::kDocumentsPerChunk == 64);
  // With boilerplate_df, every document's distinct fingerprints (the high
  // halves of its shingle hashes, as the index stores them) packed with the
  // document, by chunk of 64 documents, for the document frequencies.
  std::vector<std::vector<uint64_t>> document_sets(
      options.boilerplate_df > 0 ? (n + 63) / 64 : 0);
  FirstError error;
  {
    StageProgress stage(progress, "sketch", n);
    internal::ParallelFor(
        n, threads, 64, [&](size_t begin, size_t end, int worker) {
          Scratch& s = *scratch[worker];
          for (size_t doc = begin; doc < end; ++doc) {
            absl::Status status = shingle(doc, s, /*in_order=*/true);
            if (!status.ok()) {
              error.Record(doc, std::move(status));
              continue;
            }
            lengths[doc] = s.normalized.code_points.size();
            if (options.boilerplate_df > 0) {
              SortUnique(&s.shingles);
              internal::AppendFingerprintsOf(s.shingles,
                                             static_cast<uint32_t>(doc),
                                             &document_sets[doc / 64]);
            }
            // Only the containment bound of the screen needs it.
            if (options.containment > 0) {
              distinct[doc] = internal::EstimateDistinct(s.shingles, &s.bitmap);
              sample->Add(static_cast<uint32_t>(doc), s.shingles,
                          distinct[doc]);
            }
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
  // Fingerprints held by more than boilerplate_df documents, with the
  // document that made them so.
  std::vector<uint64_t> boilerplate;
  if (options.boilerplate_df > 0) {
    boilerplate = internal::BoilerplateCrossings(
        document_sets, options.boilerplate_df, threads);
    std::vector<std::vector<uint64_t>>().swap(document_sets);
  }
  stats.times.sketch_seconds = SecondsSince(start);

  // Most band collisions of a large corpus are unrelated articles that met
  // in one band by chance, and most passage candidates share no more than
  // a boilerplate paragraph; their signatures show it. Turning them down
  // before exact verification (src/internal/sketch_screen.h) saves
  // re-shingling both texts and keeps boilerplate from tying the candidate
  // graph into one giant component; doing so as the bands propose them
  // keeps memory to the pairs that survive. A pair is kept when it could
  // reach the threshold or, with containment on, the containment: given the
  // two documents' distinct shingle counts (estimated to about 0.3 %, well
  // inside the screen's margin), both are a least Jaccard.
  const internal::SketchScreen screen(options.num_perm);
  // After the bands, the containment stages screen on the slots' low 16
  // bits (sketch_screen.h: never fewer pairs kept), so the signatures take
  // half the memory while the samples are indexed and the passages built.
  std::vector<uint16_t> low_slots;
  auto min_jaccard_for = [&](uint32_t a, uint32_t b) {
    double min_jaccard = options.threshold;
    if (options.containment > 0) {
      // |A ∩ B| >= c min(|A|, |B|) means J >= c m / (|A| + |B| - c m).
      const double needed =
          options.containment * std::min(distinct[a], distinct[b]);
      const double total = static_cast<double>(distinct[a]) + distinct[b];
      if (total > needed) {
        min_jaccard = std::min(min_jaccard, needed / (total - needed));
      }
    }
    return min_jaccard;
  };
  const CandidateFilter could_qualify = [&](uint32_t a, uint32_t b) {
    return screen.Keep(signatures.Row(a), signatures.Row(b),
                       min_jaccard_for(a, b));
  };
  const CandidateFilter could_qualify_low = [&](uint32_t a, uint32_t b) {
    const size_t k = static_cast<size_t>(options.num_perm);
    const absl::Span<const uint16_t> slots = absl::MakeConstSpan(low_slots);
    return screen.Keep(slots.subspan(a * k, k), slots.subspan(b * k, k),
                       min_jaccard_for(a, b));
  };
  const CandidateFilter no_filter;
  const CandidateFilter& filter =
      options.sketch_screen ? could_qualify : no_filter;
  const CandidateFilter& low_filter =
      options.sketch_screen ? could_qualify_low : no_filter;

  // Stage 2: candidate pairs from the bands.
  start = Clock::now();
  if (progress) progress("candidates", 0);
  std::vector<DocPair> candidates = FindCandidatePairs(
      signatures, {.bands = bands, .seed = options.seed, .threads = threads},
      &stats.candidates, filter);
  stats.sketch_screened += stats.candidates.filtered;
  if (options.containment > 0 && options.sketch_screen) {
    low_slots.resize(signatures.slots.size());
    internal::ParallelFor(low_slots.size(), threads, size_t{1} << 16,
                          [&](size_t begin, size_t end, int) {
                            for (size_t i = begin; i < end; ++i) {
                              low_slots[i] =
                                  static_cast<uint16_t>(signatures.slots[i]);
                            }
                          });
  }
  std::vector<uint32_t>().swap(signatures.slots);
  stats.times.candidates_seconds = SecondsSince(start);

  // Stage 2a: documents whose rare sampled shingles are mostly another's
  // (src/internal/rare_shingles.h), through the same screen: containment
  // candidates wherever the shared text sits and however the texts are cut.
  std::vector<DocPair> sampled;
  if (sample) {
    start = Clock::now();
    internal::RareShingleStats rare_stats;
    sampled =
        sample->Candidates(options.sketch_screen, options.containment,
                           options.threshold, threads, low_filter, &rare_stats);
    sample.reset();
    internal::ReleaseFreedMemory();
    stats.sample_candidates = rare_stats.candidates;
    stats.sketch_screened += rare_stats.filtered + rare_stats.screened;
    stats.times.sample_seconds = SecondsSince(start);
    stats.times.passages_seconds += stats.times.sample_seconds;
  }

  // Stage 2b: documents whose passages meet in passage LSH (and pass the
  // same screen) are containment candidates; they join the LSH candidates,
  // and any candidate may link by containment. The signatures' low slots
  // are needed until then, for the screen.
  if (options.containment > 0) {
    start = Clock::now();
    PassageOptions passage_options;
    passage_options.normalize = options.normalize;
    passage_options.ngram = options.ngram;
    passage_options.num_perm = options.num_perm;
    passage_options.algorithm = options.algorithm;
    passage_options.threads = options.threads;
    passage_options.seed = options.seed;
    ContainmentCandidateStats containment_stats;
    NEARDUP_ASSIGN_OR_RETURN(
        std::vector<DocPair> shared,
        FindContainmentCandidates(
            corpus, passage_options,
            [&progress](absl::string_view stage, double fraction) {
              if (progress) {
                progress(absl::StrCat("passages: ", stage), fraction);
              }
            },
            low_filter, &containment_stats));
    stats.containment_candidates = containment_stats.document_pairs;
    stats.sketch_screened += containment_stats.filtered;
    for (const std::vector<DocPair>* more : {&shared, &sampled}) {
      std::vector<DocPair> merged;
      merged.reserve(candidates.size() + more->size());
      std::set_union(candidates.begin(), candidates.end(), more->begin(),
                     more->end(), std::back_inserter(merged));
      candidates.swap(merged);
    }
    std::vector<DocPair>().swap(sampled);
    stats.times.passages_seconds += SecondsSince(start);
  }

  std::vector<uint16_t>().swap(low_slots);

  // Stages 3 and 4, one connected component of the candidate graph at a
  // time: its documents' exact shingle sets are built, its candidates
  // verified, its clusters formed and scored, and the sets dropped. Every
  // verified pair lies inside one component, and BuildClusters only follows
  // verified pairs, so this gives the clusters a global run would; memory
  // for sets is bounded by the components in flight (one per thread), not
  // by all involved documents, and each set is built once.
  start = Clock::now();
  const double threshold = options.threshold;
  const double containment = options.containment;
  const CandidateComponents components = GroupCandidates(candidates, n);
  struct ComponentOutput {
    std::vector<ScoredPair> pairs;  // Global indices, sorted by (a, b).
    std::vector<PairLink> links;
    std::vector<double> weighted;  // With boilerplate_df.
    std::vector<ClusterResult> clusters;
  };
  std::vector<ComponentOutput> outputs(components.size());

  // The exact scores of a candidate pair when it links (Jaccard >= t, or
  // containment >= C); most fail, and the merge stops once the sets cannot
  // share enough shingles for either threshold.
  // With boilerplate_df, the pair's Jaccard over its non-boilerplate
  // shingles decides too (min_weighted_jaccard).
  auto score = [&](const std::vector<uint64_t>& a,
                   const std::vector<uint64_t>& b,
                   uint32_t later) -> std::optional<Scored> {
    std::optional<SetSimilarity> sim = CompareSortedSetsIfAtLeast(
        a, b, MinIntersectionFor(a.size(), b.size(), threshold, containment));
    if (!sim || !(sim->jaccard >= threshold ||
                  (containment > 0 && sim->containment >= containment))) {
      return std::nullopt;
    }
    Scored scored{*sim, -1};
    if (options.boilerplate_df > 0) {
      scored.weighted =
          JaccardWithout(a, b, boilerplate,
                         options.boilerplate_whole_corpus ? UINT32_MAX : later);
      if (scored.weighted < options.min_weighted_jaccard) return std::nullopt;
    }
    return scored;
  };
  // Records component c's linking pairs from its edges' scores and returns
  // its clusters on local indices (positions in Members(c), which keep input
  // order; BuildClusters sizes its tables by the documents it is given).
  auto link_component = [&](size_t c, const std::vector<DocPair>& edges,
                            const std::vector<std::optional<Scored>>& scores) {
    const absl::Span<const uint32_t> members = components.Members(c);
    ComponentOutput& out = outputs[c];
    std::vector<ScoredPair> local_pairs;
    for (size_t e = 0; e < edges.size(); ++e) {
      if (!scores[e]) continue;
      const SetSimilarity& sim = scores[e]->sim;
      if (options.boilerplate_df > 0) {
        out.weighted.push_back(scores[e]->weighted);
      }
      local_pairs.push_back({LocalIndex(members, edges[e].a),
                             LocalIndex(members, edges[e].b), sim.jaccard,
                             sim.containment});
      out.pairs.push_back(
          {edges[e].a, edges[e].b, sim.jaccard, sim.containment});
      out.links.push_back(sim.jaccard >= threshold ? PairLink::kJaccard
                                                   : PairLink::kContainment);
    }
    std::vector<uint64_t> local_lengths(members.size());
    for (size_t m = 0; m < members.size(); ++m) {
      local_lengths[m] = lengths[members[m]];
    }
    std::vector<Cluster> clusters =
        BuildClusters(local_pairs, local_lengths, options.cluster);
    out.clusters.resize(clusters.size());
    return clusters;
  };

  // One component's work, on `inner` threads (workers first_worker.. of the
  // scratch space): most components are a story and its copies, done on one
  // thread each with every member's set held while it lasts.
  auto process = [&](size_t c, int first_worker, int inner) {
    const absl::Span<const uint32_t> members = components.Members(c);
    std::vector<std::vector<uint64_t>>& sets = scratch[first_worker]->sets;
    if (sets.size() < members.size()) sets.resize(members.size());
    std::atomic<bool> failed{false};
    internal::ParallelFor(
        members.size(), inner, 16, [&](size_t begin, size_t end, int w) {
          Scratch& s = *scratch[first_worker + w];
          for (size_t m = begin; m < end; ++m) {
            absl::Status status = shingle(members[m], s, /*in_order=*/false);
            if (!status.ok()) {
              error.Record(members[m], std::move(status));
              failed = true;
              continue;
            }
            SortUnique(&s.shingles);
            sets[m].swap(s.shingles);
          }
        });
    if (failed) return;
    const std::vector<DocPair> edges = components.Edges(c, candidates);
    std::vector<std::optional<Scored>> scores(edges.size());
    internal::ParallelFor(
        edges.size(), inner, 256, [&](size_t begin, size_t end, int) {
          for (size_t e = begin; e < end; ++e) {
            scores[e] = score(sets[LocalIndex(members, edges[e].a)],
                              sets[LocalIndex(members, edges[e].b)],
                              std::max(edges[e].a, edges[e].b));
          }
        });
    ComponentOutput& out = outputs[c];
    const std::vector<Cluster> clusters = link_component(c, edges, scores);
    internal::ParallelFor(
        clusters.size(), inner, 16, [&](size_t begin, size_t end, int) {
          for (size_t k = begin; k < end; ++k) {
            const Cluster& cluster = clusters[k];
            ClusterResult& scored = out.clusters[k];
            scored.representative = members[cluster.representative];
            scored.members.reserve(cluster.members.size());
            const std::vector<uint64_t>& rep = sets[cluster.representative];
            for (uint32_t m : cluster.members) {
              if (m == cluster.representative) {
                scored.members.push_back({members[m], 1.0, 1.0});
                continue;
              }
              // Under single linkage a member may reach the representative
              // only through others.
              SetSimilarity sim = CompareSortedSets(rep, sets[m]);
              scored.members.push_back(
                  {members[m], sim.jaccard, sim.containment});
            }
          }
        });
  };
  // A large component (templated items; or, on millions of documents, the
  // giant component that candidates that fail verification tie together)
  // would need every member's set at once. Its sets are built a block of
  // members at a time instead (below), and the member scores cluster by
  // cluster: memory of one block of sets per thread.
  auto process_large = [&](size_t c) {
    const absl::Span<const uint32_t> members = components.Members(c);
    // The sorted shingle set of `doc` into `set`.
    auto build = [&](uint32_t doc, Scratch& s,
                     std::vector<uint64_t>* set) -> bool {
      absl::Status status = shingle(doc, s, /*in_order=*/false);
      if (!status.ok()) {
        error.Record(doc, std::move(status));
        return false;
      }
      SortUnique(&s.shingles);
      set->swap(s.shingles);
      return true;
    };
    // Pairs in order of their first document, cut into blocks of
    // kBlockDocuments members: a thread builds its block's sets once, and
    // takes the block's pairs in order of their second document, so that a
    // set outside the block is built once per block, not once per pair
    // (copies tend to sit near each other in a feed, so most pairs stay in
    // their block).
    const std::vector<DocPair> edges = components.Edges(c, candidates);
    std::vector<std::optional<Scored>> scores(edges.size());
    constexpr size_t kBlockDocuments = 1024;
    const size_t blocks =
        (members.size() + kBlockDocuments - 1) / kBlockDocuments;
    std::vector<size_t> block_edges(blocks + 1, 0);
    for (size_t e = 0, block = 0; block <= blocks; ++block) {
      while (e < edges.size() &&
             LocalIndex(members, edges[e].a) < block * kBlockDocuments) {
        ++e;
      }
      block_edges[block] = e;
    }
    block_edges[blocks] = edges.size();
    internal::ParallelFor(
        blocks, threads, 1, [&](size_t begin, size_t end, int w) {
          Scratch& s = *scratch[w];
          if (s.sets.size() < kBlockDocuments + 1) {
            s.sets.resize(kBlockDocuments + 1);
          }
          std::vector<uint64_t>& outside = s.sets[kBlockDocuments];
          std::vector<std::pair<uint32_t, size_t>> order;  // (b, edge).
          for (size_t block = begin; block < end; ++block) {
            const size_t first = block * kBlockDocuments;
            const size_t last =
                std::min(members.size(), first + kBlockDocuments);
            std::vector<uint8_t> built(last - first, 0);
            // The member whose set `outside` holds (none yet).
            uint32_t outside_member = UINT32_MAX;
            auto set_of = [&](uint32_t m) -> const std::vector<uint64_t>* {
              if (m >= first && m < last) {
                if (!built[m - first]) {
                  if (!build(members[m], s, &s.sets[m - first])) {
                    return nullptr;
                  }
                  built[m - first] = 1;
                }
                return &s.sets[m - first];
              }
              if (m != outside_member) {
                outside_member = UINT32_MAX;
                if (!build(members[m], s, &outside)) return nullptr;
                outside_member = m;
              }
              return &outside;
            };
            order.clear();
            for (size_t e = block_edges[block]; e < block_edges[block + 1];
                 ++e) {
              order.emplace_back(LocalIndex(members, edges[e].b), e);
            }
            std::sort(order.begin(), order.end());
            for (const auto& [b_member, e] : order) {
              const std::vector<uint64_t>* a =
                  set_of(LocalIndex(members, edges[e].a));
              if (a == nullptr) continue;
              const std::vector<uint64_t>* b = set_of(b_member);
              if (b == nullptr) continue;
              scores[e] = score(*a, *b, std::max(edges[e].a, edges[e].b));
            }
          }
        });
    if (error.any()) return;
    ComponentOutput& out = outputs[c];
    const std::vector<Cluster> clusters = link_component(c, edges, scores);
    // A member verified against its representative (every member, under
    // center linkage) already has its exact scores; only the others need
    // both sets built again.
    // Only pairs that touch a representative are looked up.
    std::vector<uint8_t> is_representative(members.size(), 0);
    for (const Cluster& cluster : clusters) {
      is_representative[cluster.representative] = 1;
    }
    absl::flat_hash_map<uint64_t, SetSimilarity> verified;
    for (size_t e = 0; e < edges.size(); ++e) {
      if (scores[e] && (is_representative[LocalIndex(members, edges[e].a)] ||
                        is_representative[LocalIndex(members, edges[e].b)])) {
        verified.emplace(uint64_t{edges[e].a} << 32 | edges[e].b,
                         scores[e]->sim);
      }
    }
    internal::ParallelFor(
        clusters.size(), threads, 16, [&](size_t begin, size_t end, int w) {
          Scratch& s = *scratch[w];
          if (s.sets.size() < 2) s.sets.resize(2);
          std::vector<uint64_t>& rep = s.sets[0];
          std::vector<uint64_t>& member = s.sets[1];
          for (size_t k = begin; k < end; ++k) {
            const Cluster& cluster = clusters[k];
            ClusterResult& scored = out.clusters[k];
            const uint32_t rep_doc = members[cluster.representative];
            scored.representative = rep_doc;
            bool rep_built = false;
            for (uint32_t m : cluster.members) {
              if (m == cluster.representative) {
                scored.members.push_back({members[m], 1.0, 1.0});
                continue;
              }
              const uint32_t doc = members[m];
              const auto known =
                  verified.find(uint64_t{std::min(rep_doc, doc)} << 32 |
                                std::max(rep_doc, doc));
              if (known != verified.end()) {
                scored.members.push_back(
                    {doc, known->second.jaccard, known->second.containment});
                continue;
              }
              if (!rep_built) {
                if (!build(rep_doc, s, &rep)) break;
                rep_built = true;
              }
              if (!build(members[m], s, &member)) break;
              SetSimilarity sim = CompareSortedSets(rep, member);
              scored.members.push_back(
                  {members[m], sim.jaccard, sim.containment});
            }
          }
        });
  };
  {
    constexpr size_t kLargeComponent = 2048;
    std::vector<size_t> small, large;
    for (size_t c = 0; c < components.size(); ++c) {
      const size_t size = components.Members(c).size();
      stats.largest_component = std::max(stats.largest_component, size);
      (size > kLargeComponent ? large : small).push_back(c);
    }
    StageProgress stage(progress, "verify", components.documents.size());
    internal::ParallelFor(small.size(), threads, 8,
                          [&](size_t begin, size_t end, int worker) {
                            size_t documents = 0;
                            for (size_t i = begin; i < end; ++i) {
                              process(small[i], worker, 1);
                              documents += components.Members(small[i]).size();
                            }
                            stage.Add(documents, worker);
                          });
    for (size_t c : large) {
      process_large(c);
      stage.Add(components.Members(c).size(), 0);
    }
  }
  if (error.any()) return error.status();
  scratch.clear();
  std::vector<DocPair>().swap(candidates);

  // Pairs in (a, b) order and clusters in representative order, whatever the
  // components' order.
  {
    std::vector<std::tuple<ScoredPair, PairLink, double>> all;
    size_t total = 0;
    for (const ComponentOutput& out : outputs) total += out.pairs.size();
    all.reserve(total);
    for (ComponentOutput& out : outputs) {
      for (size_t i = 0; i < out.pairs.size(); ++i) {
        all.emplace_back(out.pairs[i], out.links[i],
                         out.weighted.empty() ? -1.0 : out.weighted[i]);
      }
      std::vector<ScoredPair>().swap(out.pairs);
      std::vector<PairLink>().swap(out.links);
      std::vector<double>().swap(out.weighted);
    }
    std::sort(all.begin(), all.end(), [](const auto& x, const auto& y) {
      return std::tie(std::get<0>(x).a, std::get<0>(x).b) <
             std::tie(std::get<0>(y).a, std::get<0>(y).b);
    });
    result.pairs.reserve(all.size());
    result.pair_links.reserve(all.size());
    for (const auto& [pair, link, weighted] : all) {
      result.pairs.push_back(pair);
      result.pair_links.push_back(link);
      if (options.boilerplate_df > 0) {
        result.weighted_jaccard.push_back(weighted);
      }
      if (link == PairLink::kJaccard) {
        ++stats.verified_pairs;
      } else {
        ++stats.containment_pairs;
      }
    }
  }
  stats.times.verify_seconds = SecondsSince(start);

  start = Clock::now();
  if (progress) progress("cluster", 0);
  for (ComponentOutput& out : outputs) {
    for (ClusterResult& c : out.clusters) {
      result.clusters.push_back(std::move(c));
    }
  }
  std::vector<ComponentOutput>().swap(outputs);
  std::sort(result.clusters.begin(), result.clusters.end(),
            [](const ClusterResult& x, const ClusterResult& y) {
              return x.representative < y.representative;
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
