#include "neardup/lsh.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "src/internal/parallel.h"

#define XXH_INLINE_ALL
#include "xxhash.h"

namespace neardup {
namespace {

// Expected share of pairs below the threshold that become candidates,
// assuming similarities spread evenly over [0, threshold]: the midpoint rule
// is plenty for ranking settings.
double FalsePositiveArea(double threshold, BandParams params) {
  constexpr int kSteps = 400;
  const double step = threshold / kSteps;
  double sum = 0;
  for (int i = 0; i < kSteps; ++i) {
    sum += CandidateProbability((i + 0.5) * step, params);
  }
  return sum * step;
}

struct KeyedDoc {
  uint64_t key;
  uint32_t doc;
  bool operator<(const KeyedDoc& other) const {
    return key != other.key ? key < other.key : doc < other.doc;
  }
};

inline uint64_t PackPair(uint32_t a, uint32_t b) {
  return (static_cast<uint64_t>(a) << 32) | b;
}

}  // namespace

double CandidateProbability(double similarity, BandParams params) {
  return 1.0 - std::pow(1.0 - std::pow(similarity, params.rows), params.bands);
}

absl::Status ValidateBandParams(BandParams params, int num_perm) {
  if (params.bands < 1 || params.rows < 1 ||
      static_cast<int64_t>(params.bands) * params.rows > num_perm) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bands (", params.bands, ") and rows (", params.rows,
        ") must be at least 1 with bands * rows <= number of permutations (",
        num_perm, ")"));
  }
  return absl::OkStatus();
}

absl::StatusOr<BandParams> ChooseBands(double threshold, int num_perm,
                                       double min_recall) {
  if (!(threshold > 0 && threshold <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("threshold must be in (0, 1], got ", threshold));
  }
  if (num_perm < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "number of permutations must be at least 1, got ", num_perm));
  }
  if (!(min_recall > 0 && min_recall < 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("minimum recall must be in (0, 1), got ", min_recall));
  }
  BandParams best;
  double best_area = 0;
  for (int rows = 1; rows <= num_perm; ++rows) {
    // For a fixed row count more bands only add candidates, so the fewest
    // bands that reach the recall target is the one to compare.
    for (int bands = 1; bands * rows <= num_perm; ++bands) {
      BandParams params{bands, rows};
      if (CandidateProbability(threshold, params) < min_recall) continue;
      double area = FalsePositiveArea(threshold, params);
      if (best.bands == 0 || area < best_area) {
        best = params;
        best_area = area;
      }
      break;
    }
  }
  if (best.bands == 0) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "no bands x rows with %d permutations reaches recall %.3f at "
        "threshold %.3f; use more permutations or a higher threshold",
        num_perm, min_recall, threshold));
  }
  return best;
}

uint64_t BandKey(absl::Span<const uint32_t> signature, BandParams params,
                 int band, uint64_t seed) {
  // Slot values are hashed as little-endian bytes; on big-endian machines the
  // keys differ, which only matters for files written on one and read on the
  // other (the index format stores signatures, not keys).
  const uint32_t* rows =
      signature.data() + static_cast<size_t>(band) * params.rows;
  return XXH3_64bits_withSeed(rows, sizeof(uint32_t) * params.rows,
                              seed + static_cast<uint64_t>(band));
}

std::vector<DocPair> FindCandidatePairs(const SignatureMatrix& signatures,
                                        const CandidateOptions& options,
                                        CandidateStats* stats,
                                        const CandidateFilter& keep) {
  const BandParams params = options.bands;
  const size_t n = signatures.size();
  const int threads = internal::ResolveThreads(options.threads);
  const uint32_t max_bucket = std::max<uint32_t>(options.max_bucket, 2);

  std::vector<uint32_t> present;
  present.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (signatures.present[i]) present.push_back(static_cast<uint32_t>(i));
  }

  struct BandOutput {
    std::vector<uint64_t> pairs;
    uint64_t collisions = 0;
    uint64_t largest = 0;
    uint64_t capped = 0;
    uint64_t filtered = 0;
  };
  std::vector<BandOutput> outputs(params.bands);
  internal::ParallelFor(
      static_cast<size_t>(params.bands), threads, 1,
      [&](size_t begin, size_t end, int) {
        std::vector<KeyedDoc> keyed(present.size());
        for (size_t band = begin; band < end; ++band) {
          for (size_t i = 0; i < present.size(); ++i) {
            keyed[i] = {BandKey(signatures.Row(present[i]), params,
                                static_cast<int>(band), options.seed),
                        present[i]};
          }
          std::sort(keyed.begin(), keyed.end());
          BandOutput& out = outputs[band];
          auto emit = [&out, &keep](uint32_t a, uint32_t b) {
            ++out.collisions;
            if (!keep || keep(a, b)) {
              out.pairs.push_back(PackPair(a, b));
            } else {
              ++out.filtered;
            }
          };
          for (size_t i = 0; i < keyed.size();) {
            size_t j = i + 1;
            while (j < keyed.size() && keyed[j].key == keyed[i].key) ++j;
            const uint64_t size = j - i;
            out.largest = std::max(out.largest, size);
            if (size > max_bucket) {
              ++out.capped;
              for (size_t x = i + 1; x < j; ++x) {
                emit(keyed[i].doc, keyed[x].doc);
              }
            } else {
              for (size_t x = i; x < j; ++x) {
                for (size_t y = x + 1; y < j; ++y) {
                  emit(keyed[x].doc, keyed[y].doc);
                }
              }
            }
            i = j;
          }
          std::sort(out.pairs.begin(), out.pairs.end());
        }
      });

  // Merge the per-band sorted lists and drop duplicates.
  CandidateStats local;
  size_t total = 0;
  for (const BandOutput& out : outputs) {
    local.band_collisions += out.collisions;
    local.largest_bucket = std::max(local.largest_bucket, out.largest);
    local.capped_buckets += out.capped;
    local.filtered += out.filtered;
    total += out.pairs.size();
  }
  std::vector<uint64_t> merged;
  merged.reserve(total);
  for (BandOutput& out : outputs) {
    merged.insert(merged.end(), out.pairs.begin(), out.pairs.end());
    std::vector<uint64_t>().swap(out.pairs);
  }
  std::sort(merged.begin(), merged.end());
  merged.erase(std::unique(merged.begin(), merged.end()), merged.end());

  std::vector<DocPair> pairs(merged.size());
  for (size_t i = 0; i < merged.size(); ++i) {
    pairs[i] = {static_cast<uint32_t>(merged[i] >> 32),
                static_cast<uint32_t>(merged[i])};
  }
  local.candidate_pairs = pairs.size();
  if (stats != nullptr) *stats = local;
  return pairs;
}

}  // namespace neardup
