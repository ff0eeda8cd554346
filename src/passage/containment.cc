// Containment candidates: documents whose passages meet in an LSH bucket.
//
// An abridged copy (the first half of a wire story) has whole-document
// Jaccard near 0.5 with the full story, so document LSH at t = 0.8 never
// proposes the pair; but its paragraphs are the story's paragraphs, so
// passage LSH does. The caller verifies each candidate exactly on the two
// documents' shingle sets, so passage pairs are not verified here: that
// would cost a second shingling of every passage in a candidate pair, and a
// set for each, for a decision the document-level check makes anyway.
//
// Memory is what makes this hard at scale: a million news articles hold
// about nine million passages. Each passage keeps only its document and one
// 32-bit key per band (68 bytes with 16 bands), never its signature; 32 bits
// are plenty because a chance key collision only proposes a pair that the
// caller's checks then turn down.
#include <algorithm>
#include <limits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "neardup/passage.h"
#include "src/internal/match_stages.h"
#include "src/internal/page_release.h"
#include "src/internal/parallel.h"
#include "src/internal/passage_keys.h"
#include "src/internal/stage.h"
#include "src/internal/status_macros.h"

namespace neardup {
namespace {

struct Scratch {
  TextScratch text;
  internal::PassageKeyScratch keys;
};

// The passages of a run of documents: document numbers, and `bands` keys a
// passage, passage-major.
struct ChunkKeys {
  std::vector<uint32_t> documents;
  std::vector<uint32_t> keys;
};

struct KeyedDocument {
  uint32_t key;
  uint32_t document;
  bool operator<(const KeyedDocument& other) const {
    return key != other.key ? key < other.key : document < other.document;
  }
};

constexpr size_t kDocumentsPerChunk = 64;

// Sorts `keyed`, which comes in document order, by (key, document): a
// stable sort by key keeps the document order within each key. Three
// counting passes of 11 bits each; introsort of the same pairs was 7 % of
// `neardup cluster`'s CPU at a million articles. Falls back to std::sort
// if the input is not in document order.
void SortKeyedDocuments(std::vector<KeyedDocument>* keyed,
                        std::vector<KeyedDocument>* scratch) {
  const size_t n = keyed->size();
  for (size_t i = 1; i < n; ++i) {
    if ((*keyed)[i].document < (*keyed)[i - 1].document) {
      std::sort(keyed->begin(), keyed->end());
      return;
    }
  }
  constexpr int kBits = 11;
  constexpr size_t kBuckets = size_t{1} << kBits;
  std::vector<uint32_t> counts(3 * kBuckets, 0);
  for (const KeyedDocument& k : *keyed) {
    ++counts[k.key & (kBuckets - 1)];
    ++counts[kBuckets + ((k.key >> kBits) & (kBuckets - 1))];
    ++counts[2 * kBuckets + (k.key >> (2 * kBits))];
  }
  scratch->resize(n);
  for (int pass = 0; pass < 3; ++pass) {
    uint32_t* count = counts.data() + pass * kBuckets;
    uint32_t sum = 0;
    for (size_t b = 0; b < kBuckets; ++b) {
      const uint32_t c = count[b];
      count[b] = sum;
      sum += c;
    }
    const int shift = pass * kBits;
    for (const KeyedDocument& k : *keyed) {
      (*scratch)[count[(k.key >> shift) & (kBuckets - 1)]++] = k;
    }
    keyed->swap(*scratch);
  }
}

}  // namespace

namespace internal {

size_t AppendPassageKeys(absl::string_view text, const PassageKeyParams& params,
                         const Normalizer& normalizer, const MinHasher& hasher,
                         PassageKeyScratch* scratch,
                         std::vector<uint32_t>* keys) {
  PassageKeyScratch& s = *scratch;
  s.signature.resize(static_cast<size_t>(hasher.num_perm()));
  s.spans.clear();
  Segment(text, params.segments, &s.spans);
  size_t passages = 0;
  for (const PassageSpan& span : s.spans) {
    normalizer.Normalize(text.substr(span.begin, span.end - span.begin),
                         &s.normalized);
    if (s.normalized.code_points.size() < params.min_chars) continue;
    s.shingles.clear();
    HashShingles(s.normalized.code_points, params.shingles, &s.shingles);
    if (!hasher.Sketch(s.shingles, absl::MakeSpan(s.signature))) continue;
    ++passages;
    for (int band = 0; band < params.bands.bands; ++band) {
      keys->push_back(static_cast<uint32_t>(
          BandKey(s.signature, params.bands, band, params.seed) >> 32));
    }
  }
  return passages;
}

}  // namespace internal

absl::StatusOr<std::vector<DocPair>> FindContainmentCandidates(
    const Corpus& corpus, const PassageOptions& options,
    const PassageProgress& progress, const CandidateFilter& keep,
    ContainmentCandidateStats* stats) {
  NEARDUP_RETURN_IF_ERROR(ValidatePassageOptions(options));
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
  const size_t num_bands = static_cast<size_t>(bands.bands);
  const internal::PassageKeyParams key_params{
      .bands = bands,
      .shingles = {.ngram = options.ngram, .seed = options.seed},
      .segments = {.max_chars = options.max_chars},
      .min_chars = static_cast<size_t>(options.min_chars),
      .seed = options.seed};
  const int threads = internal::ResolveThreads(options.threads);
  const size_t n = corpus.size();
  ContainmentCandidateStats local_stats;

  // Stage 1: every long enough passage's band keys, document by document.
  std::vector<std::unique_ptr<Scratch>> scratch(threads);
  for (auto& s : scratch) s = std::make_unique<Scratch>();
  internal::FirstError error;
  internal::PeriodicRelease release(corpus);
  std::vector<ChunkKeys> chunks((n + kDocumentsPerChunk - 1) /
                                kDocumentsPerChunk);
  {
    internal::StageProgress stage(progress, "sketch", n);
    internal::ParallelFor(
        n, threads, kDocumentsPerChunk,
        [&](size_t begin, size_t end, int worker) {
          Scratch& s = *scratch[worker];
          ChunkKeys& out = chunks[begin / kDocumentsPerChunk];
          for (size_t doc = begin; doc < end; ++doc) {
            absl::StatusOr<absl::string_view> text = corpus.Text(doc, &s.text);
            if (!text.ok()) {
              error.Record(doc, text.status());
              continue;
            }
            release.Add(text->size());
            const size_t passages = internal::AppendPassageKeys(
                *text, key_params, stages.normalizer, stages.hasher, &s.keys,
                &out.keys);
            out.documents.insert(out.documents.end(), passages,
                                 static_cast<uint32_t>(doc));
          }
          stage.Add(end - begin, worker);
        });
  }
  if (error.any()) return error.status();
  scratch.clear();
  size_t passages = 0;
  for (const ChunkKeys& chunk : chunks) passages += chunk.documents.size();
  local_stats.passages = passages;

  // Stage 2: per band, documents whose passages share a key. A bucket over
  // the cap (a boilerplate paragraph in thousands of documents) pairs its
  // documents with its first one only, as document LSH does.
  constexpr size_t kMaxBucketDocuments = 1000;
  std::vector<std::vector<uint64_t>> band_pairs(num_bands);
  std::vector<uint64_t> filtered(num_bands, 0);
  // Per worker, reused for every band it takes.
  std::vector<std::vector<KeyedDocument>> keyed_by_worker(threads);
  std::vector<std::vector<KeyedDocument>> scratch_by_worker(threads);
  {
    internal::StageProgress stage(progress, "candidates", num_bands);
    internal::ParallelFor(
        num_bands, threads, 1, [&](size_t begin, size_t end, int worker) {
          std::vector<KeyedDocument>& keyed = keyed_by_worker[worker];
          keyed.resize(passages);
          std::vector<uint32_t> members;
          for (size_t band = begin; band < end; ++band) {
            size_t i = 0;
            for (const ChunkKeys& chunk : chunks) {
              for (size_t p = 0; p < chunk.documents.size(); ++p) {
                keyed[i++] = {chunk.keys[p * num_bands + band],
                              chunk.documents[p]};
              }
            }
            SortKeyedDocuments(&keyed, &scratch_by_worker[worker]);
            std::vector<uint64_t>& out = band_pairs[band];
            auto emit = [&](uint32_t a, uint32_t b) {
              if (keep && !keep(a, b)) {
                ++filtered[band];
                return;
              }
              out.push_back((static_cast<uint64_t>(a) << 32) | b);
            };
            for (size_t x = 0; x < keyed.size();) {
              size_t y = x + 1;
              while (y < keyed.size() && keyed[y].key == keyed[x].key) ++y;
              // Distinct documents of the bucket, in input order (a
              // document may repeat its own paragraph).
              members.clear();
              for (size_t z = x; z < y; ++z) {
                if (members.empty() || members.back() != keyed[z].document) {
                  members.push_back(keyed[z].document);
                }
              }
              if (members.size() > kMaxBucketDocuments) {
                for (size_t m = 1; m < members.size(); ++m) {
                  emit(members[0], members[m]);
                }
              } else {
                for (size_t m = 0; m < members.size(); ++m) {
                  for (size_t o = m + 1; o < members.size(); ++o) {
                    emit(members[m], members[o]);
                  }
                }
              }
              x = y;
            }
            std::sort(out.begin(), out.end());
            out.erase(std::unique(out.begin(), out.end()), out.end());
            stage.Add(1, worker);
          }
        });
  }
  std::vector<ChunkKeys>().swap(chunks);
  std::vector<std::vector<KeyedDocument>>().swap(keyed_by_worker);
  std::vector<std::vector<KeyedDocument>>().swap(scratch_by_worker);
  std::vector<uint64_t> merged;
  for (size_t band = 0; band < num_bands; ++band) {
    local_stats.filtered += filtered[band];
    merged.insert(merged.end(), band_pairs[band].begin(),
                  band_pairs[band].end());
    std::vector<uint64_t>().swap(band_pairs[band]);
  }
  std::sort(merged.begin(), merged.end());
  merged.erase(std::unique(merged.begin(), merged.end()), merged.end());
  std::vector<DocPair> pairs(merged.size());
  for (size_t i = 0; i < merged.size(); ++i) {
    pairs[i] = {static_cast<uint32_t>(merged[i] >> 32),
                static_cast<uint32_t>(merged[i])};
  }
  local_stats.document_pairs = pairs.size();
  if (stats != nullptr) *stats = local_stats;
  return pairs;
}

}  // namespace neardup
