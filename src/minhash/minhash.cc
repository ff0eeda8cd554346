#include "neardup/minhash.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

#define XXH_INLINE_ALL
#include "xxhash.h"

namespace neardup {
namespace {

constexpr int kMaxPerm = 4096;

// Probes precomputed per bin for densification. A document whose filled bins
// are a fraction f of k needs 1/f probes per empty bin on average, so this
// covers all but the tiniest documents; later probes are hashed on the fly.
constexpr int kPrecomputedProbes = 16;

uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Maps a 32-bit hash uniformly onto [0, n) without division.
inline uint32_t FastRange(uint32_t hash, uint32_t n) {
  return static_cast<uint32_t>((static_cast<uint64_t>(hash) * n) >> 32);
}

// The densification probe sequence of `bin`: a hash of (bin, attempt) that is
// the same for every document, which is what keeps the collision
// probability equal to Jaccard.
inline uint32_t ProbeBin(uint64_t seed, uint32_t bin, uint32_t attempt,
                         uint32_t k) {
  uint64_t key = (static_cast<uint64_t>(bin) << 32) | attempt;
  uint64_t h = XXH3_64bits_withSeed(&key, sizeof(key), seed);
  return FastRange(static_cast<uint32_t>(h >> 32), k);
}

}  // namespace

absl::string_view SketchAlgorithmName(SketchAlgorithm algorithm) {
  switch (algorithm) {
    case SketchAlgorithm::kOnePermutation:
      return "oph";
    case SketchAlgorithm::kClassic:
      return "classic";
  }
  return "unknown";
}

absl::StatusOr<SketchAlgorithm> ParseSketchAlgorithm(absl::string_view name) {
  if (name == "oph") return SketchAlgorithm::kOnePermutation;
  if (name == "classic") return SketchAlgorithm::kClassic;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown sketch algorithm \"", name, "\"; use oph or classic"));
}

absl::StatusOr<MinHasher> MinHasher::Create(const MinHashOptions& options) {
  if (options.num_perm < 1 || options.num_perm > kMaxPerm) {
    return absl::InvalidArgumentError(
        absl::StrCat("number of permutations must be between 1 and ", kMaxPerm,
                     ", got ", options.num_perm));
  }
  return MinHasher(options);
}

MinHasher::MinHasher(const MinHashOptions& options) : options_(options) {
  const uint32_t k = static_cast<uint32_t>(options.num_perm);
  // Separate streams for the two algorithms' parameters so changing one
  // never shifts the other.
  uint64_t state = options.seed ^ 0x636c617373696331ULL;  // "classic1"
  if (options.algorithm == SketchAlgorithm::kClassic) {
    multipliers_.resize(k);
    offsets_.resize(k);
    for (uint32_t i = 0; i < k; ++i) {
      multipliers_[i] = SplitMix64(&state) | 1;  // Odd: a bijection mod 2^64.
      offsets_[i] = SplitMix64(&state);
    }
  } else {
    // offsets_ holds the densification probe table, bin-major.
    const uint64_t probe_seed = options.seed ^ 0x64656e7369667931ULL;
    offsets_.resize(static_cast<size_t>(k) * kPrecomputedProbes);
    for (uint32_t bin = 0; bin < k; ++bin) {
      for (uint32_t a = 0; a < kPrecomputedProbes; ++a) {
        offsets_[bin * kPrecomputedProbes + a] =
            ProbeBin(probe_seed, bin, a + 1, k);
      }
    }
  }
}

bool MinHasher::Sketch(absl::Span<const uint64_t> shingle_hashes,
                       absl::Span<uint32_t> signature) const {
  if (shingle_hashes.empty()) return false;
  if (options_.algorithm == SketchAlgorithm::kClassic) {
    SketchClassic(shingle_hashes, signature);
  } else {
    SketchOnePermutation(shingle_hashes, signature);
  }
  return true;
}

void MinHasher::SketchOnePermutation(absl::Span<const uint64_t> hashes,
                                     absl::Span<uint32_t> signature) const {
  const uint32_t k = static_cast<uint32_t>(options_.num_perm);
  // The high half of each shingle hash picks the bin, the low half is the
  // value ranked inside it: independent bits of one XXH3 output.
  uint32_t* bins = signature.data();
  std::fill(bins, bins + k, std::numeric_limits<uint32_t>::max());
  uint8_t filled[kMaxPerm];
  std::memset(filled, 0, k);
  for (uint64_t h : hashes) {
    uint32_t bin = FastRange(static_cast<uint32_t>(h >> 32), k);
    uint32_t value = static_cast<uint32_t>(h);
    bins[bin] = std::min(bins[bin], value);
    filled[bin] = 1;
  }
  // Optimal densification: an empty bin copies the value of the first filled
  // bin on its own probe sequence. Sources are read from the original bins
  // only (`filled` is not updated), as the scheme requires.
  const uint64_t probe_seed = options_.seed ^ 0x64656e7369667931ULL;
  for (uint32_t bin = 0; bin < k; ++bin) {
    if (filled[bin]) continue;
    const uint64_t* probes = &offsets_[bin * kPrecomputedProbes];
    uint32_t source = k;
    for (uint32_t a = 0; a < kPrecomputedProbes; ++a) {
      uint32_t candidate = static_cast<uint32_t>(probes[a]);
      if (filled[candidate]) {
        source = candidate;
        break;
      }
    }
    for (uint32_t a = kPrecomputedProbes + 1; source == k; ++a) {
      uint32_t candidate = ProbeBin(probe_seed, bin, a, k);
      if (filled[candidate]) source = candidate;
    }
    bins[bin] = bins[source];
  }
}

namespace {

// The classic O(k)-per-shingle loop, compiled for AVX-512, AVX2 and the
// baseline; the loader picks the best the CPU has. Integer arithmetic gives
// the same bits on every path.
// Not under ThreadSanitizer: the clones' resolver runs before its runtime
// starts and crashes the program at load.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(__SANITIZE_THREAD__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
void ClassicMinima(const uint64_t* hashes, size_t n, const uint64_t* a,
                   const uint64_t* b, size_t k, uint64_t* minima) {
  for (size_t s = 0; s < n; ++s) {
    const uint64_t h = hashes[s];
    for (size_t i = 0; i < k; ++i) {
      uint64_t v = (a[i] * h + b[i]) >> 32;
      minima[i] = v < minima[i] ? v : minima[i];
    }
  }
}

}  // namespace

void MinHasher::SketchClassic(absl::Span<const uint64_t> hashes,
                              absl::Span<uint32_t> signature) const {
  const size_t k = static_cast<size_t>(options_.num_perm);
  // Slot i ranks shingles by the high half of a_i * h + b_i (mod 2^64): an
  // independent affine permutation of the already uniform 64-bit hash per
  // slot. Shingle-major order keeps the k minima in registers/L1 and lets the
  // compiler vectorise the slot loop.
  uint64_t minima[kMaxPerm];
  std::fill(minima, minima + k, std::numeric_limits<uint64_t>::max());
  ClassicMinima(hashes.data(), hashes.size(), multipliers_.data(),
                offsets_.data(), k, minima);
  for (size_t i = 0; i < k; ++i)
    signature[i] = static_cast<uint32_t>(minima[i]);
}

double EstimateJaccard(absl::Span<const uint32_t> a,
                       absl::Span<const uint32_t> b) {
  size_t equal = 0;
  for (size_t i = 0; i < a.size(); ++i) equal += a[i] == b[i];
  return static_cast<double>(equal) / static_cast<double>(a.size());
}

}  // namespace neardup
