#include "src/internal/rare_shingles.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <functional>
#include <utility>

#include "src/internal/binomial.h"
#include "src/internal/parallel.h"

namespace neardup::internal {
namespace {

constexpr size_t kBuckets = 256;

// count[g * kBuckets + b] holds how many values range g of the input (of
// `ranges`) puts in bucket b. Turns each count into the position in bucket b
// where range g's first value goes, so that the ranges can be scattered in
// parallel and land in input order, and sizes the buckets to fit. Returns
// the number of values.
size_t PlaceRanges(std::vector<size_t>& count, size_t ranges,
                   std::vector<std::vector<uint64_t>>& buckets) {
  size_t all = 0;
  for (size_t b = 0; b < kBuckets; ++b) {
    size_t total = 0;
    for (size_t g = 0; g < ranges; ++g) {
      const size_t c = count[g * kBuckets + b];
      count[g * kBuckets + b] = total;
      total += c;
    }
    buckets[b].resize(total);
    all += total;
  }
  return all;
}

// Scatters `parts` (each a list of uint64 values) into kBuckets buckets by
// bucket_of(value), then sorts each bucket; the buckets' concatenation is the
// sorted union (without repeats when `unique`). Where a value lands before
// the sort never matters, so the result is the same for any thread count.
// With `sort` false the buckets are left in input order, for callers that
// sort them their own way.
template <typename BucketOf>
std::vector<std::vector<uint64_t>> BucketSort(
    std::vector<std::vector<uint64_t>>& parts, int threads, BucketOf bucket_of,
    bool unique = true, bool sort = true) {
  std::vector<std::vector<uint64_t>> buckets(kBuckets);
  // Counted per part range, so the scatter can run in parallel.
  constexpr size_t kRanges = 16;
  const size_t num_parts = parts.size();
  std::vector<size_t> count(kRanges * kBuckets, 0);
  auto range_begin = [&](size_t g) { return num_parts * g / kRanges; };
  ParallelFor(kRanges, threads, 1, [&](size_t begin, size_t end, int) {
    for (size_t g = begin; g < end; ++g) {
      for (size_t p = range_begin(g); p < range_begin(g + 1); ++p) {
        for (uint64_t v : parts[p]) ++count[g * kBuckets + bucket_of(v)];
      }
    }
  });
  PlaceRanges(count, kRanges, buckets);
  ParallelFor(kRanges, threads, 1, [&](size_t begin, size_t end, int) {
    for (size_t g = begin; g < end; ++g) {
      for (size_t p = range_begin(g); p < range_begin(g + 1); ++p) {
        for (uint64_t v : parts[p]) {
          const size_t b = bucket_of(v);
          buckets[b][count[g * kBuckets + b]++] = v;
        }
        std::vector<uint64_t>().swap(parts[p]);
      }
    }
  });
  if (!sort) return buckets;
  ParallelFor(kBuckets, threads, 1, [&](size_t begin, size_t end, int) {
    for (size_t b = begin; b < end; ++b) {
      std::sort(buckets[b].begin(), buckets[b].end());
      if (unique) {
        buckets[b].erase(std::unique(buckets[b].begin(), buckets[b].end()),
                         buckets[b].end());
      }
    }
  });
  return buckets;
}

}  // namespace

namespace {

// One shingle in 2^l has level l or more; the bits are independent of the
// low bits, which make the key.
int Level(uint64_t h) {
  return __builtin_ctzll((h >> 32) | (uint64_t{1} << 40));
}

constexpr int kKeyBits = 27;

// The level (up to 31) over 27 low bits of the hash: sorting keys in
// decreasing order puts the higher levels first.
uint32_t SampleKey(uint64_t h, int level) {
  return static_cast<uint32_t>(std::min(level, 31)) << kKeyBits |
         (static_cast<uint32_t>(h) & ((uint32_t{1} << kKeyBits) - 1));
}

// The index's buckets: the high bits of a key are its level, so it is mixed
// first to spread the keys evenly.
size_t BucketOfKey(uint32_t key) {
  return static_cast<size_t>((key * 0x9E3779B1u) >> 24);
}

}  // namespace

// How many of the decreasing `keys` have level `level` or more.
size_t SamplesAtLevel(absl::Span<const uint32_t> keys, int level) {
  const uint32_t cut = static_cast<uint32_t>(level) << kKeyBits;
  return static_cast<size_t>(
      std::partition_point(keys.begin(), keys.end(),
                           [cut](uint32_t k) { return k >= cut; }) -
      keys.begin());
}

RareShingleSample::RareShingleSample(size_t documents)
    : documents_(documents),
      chunks_((documents + kDocumentsPerChunk - 1) / kDocumentsPerChunk) {}

void RareShingleSample::FinishChunk(Chunk& chunk, size_t upto) const {
  for (; chunk.added < upto; ++chunk.added) {
    chunk.begin[chunk.added + 1] = static_cast<uint32_t>(chunk.keys.size());
    chunk.probe[chunk.added] = kNoSamples;
  }
}

void RareShingleSample::Add(uint32_t doc,
                            absl::Span<const uint64_t> shingle_hashes,
                            uint32_t distinct_shingles) {
  Chunk& chunk = chunks_[doc / kDocumentsPerChunk];
  const size_t local = doc % kDocumentsPerChunk;
  FinishChunk(chunk, local);
  const int probe =
      SampleShingles(shingle_hashes, distinct_shingles, &chunk.keys);
  chunk.begin[local + 1] = static_cast<uint32_t>(chunk.keys.size());
  chunk.probe[local] =
      probe == kNoProbe ? kNoSamples : static_cast<uint8_t>(probe);
  chunk.added = local + 1;
}

absl::Span<const uint32_t> RareShingleSample::Samples(uint32_t doc) const {
  const Chunk& chunk = chunks_[doc / kDocumentsPerChunk];
  const size_t local = doc % kDocumentsPerChunk;
  return absl::MakeConstSpan(chunk.keys.data() + chunk.begin[local],
                             chunk.begin[local + 1] - chunk.begin[local]);
}

int RareShingleSample::ProbeLevel(uint32_t doc) const {
  return chunks_[doc / kDocumentsPerChunk].probe[doc % kDocumentsPerChunk];
}

bool RareShingleSample::CouldQualify(
    uint32_t a, uint32_t b, absl::Span<const uint16_t> min_contained,
    absl::Span<const uint16_t> min_shared) const {
  const int probe_a = ProbeLevel(a), probe_b = ProbeLevel(b);
  if (probe_a == kNoSamples || probe_b == kNoSamples) return true;
  return SamplesCouldQualify(Samples(a), probe_a, Samples(b), probe_b,
                             min_contained, min_shared);
}

int SampleShingles(absl::Span<const uint64_t> shingle_hashes,
                   uint32_t distinct_shingles, std::vector<uint32_t>* keys) {
  if (distinct_shingles < RareShingleSample::kMinShingles) return kNoProbe;
  const int probe =
      static_cast<int>(std::bit_width(distinct_shingles /
                                      RareShingleSample::kProbeShingles)) -
      1;
  const int store = std::max(0, probe - RareShingleSample::kRatioLevels);
  const size_t first = keys->size();
  for (uint64_t h : shingle_hashes) {
    const int level = Level(h);
    if (level >= store) keys->push_back(SampleKey(h, level));
  }
  std::sort(keys->begin() + first, keys->end(), std::greater<uint32_t>());
  keys->erase(std::unique(keys->begin() + first, keys->end()), keys->end());
  return probe;
}

// min_hits[n], n < kScreenTable: fewer than min_hits[n] hits of n rule out
// a share of p or more (MinSuccesses, at kScreenLoss). The exact tail, not a
// normal approximation: for p near 1 the lower tail is much heavier.
std::vector<uint16_t> SampleScreenTable(double p) {
  constexpr size_t kScreenTable = RareShingleSample::kScreenTable;
  const std::vector<double> log_factorial =
      LogFactorials(static_cast<int>(kScreenTable) - 1);
  std::vector<uint16_t> min_hits(kScreenTable);
  for (size_t n = 0; n < kScreenTable; ++n) {
    min_hits[n] = static_cast<uint16_t>(MinSuccesses(
        static_cast<int>(n), p, RareShingleSample::kScreenLoss, log_factorial));
  }
  return min_hits;
}

bool SamplesCouldQualify(absl::Span<const uint32_t> all_a, int probe_a,
                         absl::Span<const uint32_t> all_b, int probe_b,
                         absl::Span<const uint16_t> min_contained,
                         absl::Span<const uint16_t> min_shared) {
  // Both samples hold every shingle of this level or more.
  const int level =
      std::max(0, std::max(probe_a, probe_b) - RareShingleSample::kRatioLevels);
  const size_t size_a = SamplesAtLevel(all_a, level);
  const size_t size_b = SamplesAtLevel(all_b, level);
  const size_t smaller = std::min(size_a, size_b);
  if (smaller < RareShingleSample::kMinScreenSamples) return true;
  size_t shared = 0;
  for (size_t i = 0, j = 0; i < size_a && j < size_b;) {
    if (all_a[i] == all_b[j]) {
      ++shared;
      ++i;
      ++j;
    } else if (all_a[i] > all_b[j]) {
      ++i;
    } else {
      ++j;
    }
  }
  // Containment: how many of the smaller sample's shingles the other holds;
  // Jaccard: how many of the union's both hold. Samples too large for the
  // tables (not seen in practice: a document stores about 64-128) keep the
  // pair.
  const size_t united = size_a + size_b - shared;
  if (united >= min_shared.size()) return true;
  return shared >= min_contained[smaller] || shared >= min_shared[united];
}

std::vector<DocPair> RareShingleSample::Candidates(
    bool screen, double containment, double threshold, int threads,
    const CandidateFilter& keep, RareShingleStats* stats) {
  RareShingleStats local;
  for (Chunk& chunk : chunks_) FinishChunk(chunk, kDocumentsPerChunk);
  const std::vector<uint16_t> min_contained =
      screen ? SampleScreenTable(containment) : std::vector<uint16_t>();
  const std::vector<uint16_t> min_shared =
      screen ? SampleScreenTable(threshold) : std::vector<uint16_t>();
  const size_t num_chunks = chunks_.size();
  // A stored shingle can only be found if some document probes with it:
  // about one in six is. A bitmap of the probe keys (one bit set in 16)
  // keeps most of the others out of the index, which would otherwise be
  // the largest allocation of the route (8 bytes a stored shingle, 750 MB
  // at a million news articles).
  std::vector<uint64_t> probe_counts(num_chunks, 0);
  ParallelFor(num_chunks, threads, 16, [&](size_t begin, size_t end, int) {
    for (size_t c = begin; c < end; ++c) {
      for (size_t i = 0; i < kDocumentsPerChunk; ++i) {
        if (chunks_[c].probe[i] == kNoSamples) continue;
        probe_counts[c] += SamplesAtLevel(
            Samples(static_cast<uint32_t>(c * kDocumentsPerChunk + i)),
            chunks_[c].probe[i]);
      }
    }
  });
  uint64_t probe_total = 0;
  for (uint64_t n : probe_counts) probe_total += n;
  const int bits =
      std::max(12, static_cast<int>(std::bit_width(probe_total * 16)));
  std::vector<uint64_t> probed(size_t{1} << (bits - 6), 0);
  auto probe_bit = [bits](uint32_t key) {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> (64 - bits));
  };
  ParallelFor(num_chunks, threads, 16, [&](size_t begin, size_t end, int) {
    for (size_t c = begin; c < end; ++c) {
      for (size_t i = 0; i < kDocumentsPerChunk; ++i) {
        if (chunks_[c].probe[i] == kNoSamples) continue;
        const absl::Span<const uint32_t> samples =
            Samples(static_cast<uint32_t>(c * kDocumentsPerChunk + i));
        const size_t probes = SamplesAtLevel(samples, chunks_[c].probe[i]);
        for (size_t p = 0; p < probes; ++p) {
          const size_t bit = probe_bit(samples[p]);
          std::atomic_ref<uint64_t>(probed[bit >> 6])
              .fetch_or(uint64_t{1} << (bit & 63), std::memory_order_relaxed);
        }
      }
    }
  });
  auto is_probed = [&](uint32_t key) {
    const size_t bit = probe_bit(key);
    return (probed[bit >> 6] >> (bit & 63)) & 1;
  };
  // Every stored shingle that may be probed, as key << 32 | doc, by bucket
  // of key, sorted: counted per range of chunks, so the scatter can run in
  // parallel.
  constexpr size_t kRanges = 16;
  auto range_begin = [&](size_t g) { return num_chunks * g / kRanges; };
  std::vector<size_t> count(kRanges * kBuckets, 0);
  ParallelFor(kRanges, threads, 1, [&](size_t begin, size_t end, int) {
    for (size_t g = begin; g < end; ++g) {
      for (size_t c = range_begin(g); c < range_begin(g + 1); ++c) {
        for (uint32_t key : chunks_[c].keys) {
          if (is_probed(key)) ++count[g * kBuckets + BucketOfKey(key)];
        }
      }
    }
  });
  std::vector<std::vector<uint64_t>> index(kBuckets);
  local.indexed = PlaceRanges(count, kRanges, index);
  ParallelFor(kRanges, threads, 1, [&](size_t begin, size_t end, int) {
    for (size_t g = begin; g < end; ++g) {
      for (size_t c = range_begin(g); c < range_begin(g + 1); ++c) {
        const Chunk& chunk = chunks_[c];
        for (size_t i = 0; i < kDocumentsPerChunk; ++i) {
          const uint64_t doc = c * kDocumentsPerChunk + i;
          for (uint32_t k = chunk.begin[i]; k < chunk.begin[i + 1]; ++k) {
            const uint32_t key = chunk.keys[k];
            if (!is_probed(key)) continue;
            const size_t b = BucketOfKey(key);
            index[b][count[g * kBuckets + b]++] =
                (static_cast<uint64_t>(key) << 32) | doc;
          }
        }
      }
    }
  });
  std::vector<uint64_t>().swap(probed);
  ParallelFor(kBuckets, threads, 1, [&](size_t begin, size_t end, int) {
    for (size_t b = begin; b < end; ++b) {
      std::sort(index[b].begin(), index[b].end());
    }
  });

  // Each document probes: per other document, how many of its rare probe
  // shingles that one stores.
  struct Worker {
    std::vector<uint32_t> count;  // Per document.
    std::vector<uint32_t> touched;
    // x's probe shingles' first kMaxFrequency documents, as key << 32 | doc.
    std::vector<std::pair<const uint64_t*, const uint64_t*>> ranges;
  };
  std::vector<Worker> workers(threads);
  std::vector<std::vector<uint64_t>> found(num_chunks);
  std::vector<RareShingleStats> per_chunk(num_chunks);
  ParallelFor(
      num_chunks, threads, 1, [&](size_t begin, size_t end, int worker) {
        Worker& w = workers[worker];
        if (w.count.empty()) w.count.assign(documents_, 0);
        for (size_t c = begin; c < end; ++c) {
          RareShingleStats& counts = per_chunk[c];
          for (size_t i = 0; i < kDocumentsPerChunk; ++i) {
            const auto x = static_cast<uint32_t>(c * kDocumentsPerChunk + i);
            if (x >= documents_ || chunks_[c].probe[i] == kNoSamples) continue;
            const absl::Span<const uint32_t> samples = Samples(x);
            const size_t probes = SamplesAtLevel(samples, chunks_[c].probe[i]);
            // A shingle is rare for the pair of x and y when at most
            // kMaxFrequency documents up to the later of the two store it:
            // so the first kMaxFrequency of its documents count, and only
            // when x is among them (an index, adding documents in this
            // order, sees exactly that when it adds the later one).
            uint32_t rare = 0;  // As of x.
            w.ranges.clear();
            for (size_t p = 0; p < probes; ++p) {
              const uint64_t key = samples[p];
              const std::vector<uint64_t>& bucket =
                  index[BucketOfKey(samples[p])];
              auto first =
                  std::lower_bound(bucket.begin(), bucket.end(), key << 32);
              auto last = std::upper_bound(first, bucket.end(),
                                           (key << 32) | 0xffffffffu);
              // One past the first kMaxFrequency tells when it stops being
              // rare.
              const ptrdiff_t seen = std::min<ptrdiff_t>(
                  last - first, ptrdiff_t{kMaxFrequency} + 1);
              const uint64_t* run = bucket.data() + (first - bucket.begin());
              w.ranges.emplace_back(run, run + seen);
              last = first + std::min<ptrdiff_t>(seen, kMaxFrequency);
              if (!std::binary_search(first, last, (key << 32) | x)) continue;
              ++rare;
              for (auto it = first; it != last; ++it) {
                const uint32_t y = static_cast<uint32_t>(*it);
                if (y == x) continue;
                if (w.count[y]++ == 0) w.touched.push_back(y);
              }
            }
            // At least two, and half of x's probe shingles rare as of the
            // later document.
            auto need = [&](uint32_t y) {
              uint32_t rare_then = rare;
              if (y > x) {
                rare_then = 0;
                for (const auto& [first, last] : w.ranges) {
                  // At most kMaxFrequency documents up to y.
                  rare_then +=
                      static_cast<size_t>(last - first) <= kMaxFrequency ||
                      static_cast<uint32_t>(*(last - 1)) > y;
                }
              }
              return std::max<uint32_t>(2, (rare_then + 1) / 2);
            };
            for (uint32_t y : w.touched) {
              if (w.count[y] >= 2 && w.count[y] >= need(y)) {
                ++counts.proposed;
                const uint32_t a = std::min(x, y), b = std::max(x, y);
                if (keep && !keep(a, b)) {
                  ++counts.filtered;
                } else if (screen &&
                           !CouldQualify(a, b, min_contained, min_shared)) {
                  ++counts.screened;
                } else {
                  found[c].push_back((static_cast<uint64_t>(a) << 32) | b);
                }
              }
              w.count[y] = 0;
            }
            w.touched.clear();
          }
        }
      });
  std::vector<std::vector<uint64_t>>().swap(index);
  local.probes = probe_total;
  for (const Chunk& chunk : chunks_) local.stored += chunk.keys.size();
  std::vector<Chunk>().swap(chunks_);
  std::vector<uint64_t> pairs;
  for (size_t c = 0; c < num_chunks; ++c) {
    local.proposed += per_chunk[c].proposed;
    local.filtered += per_chunk[c].filtered;
    local.screened += per_chunk[c].screened;
    pairs.insert(pairs.end(), found[c].begin(), found[c].end());
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  std::vector<DocPair> out(pairs.size());
  for (size_t i = 0; i < pairs.size(); ++i) {
    out[i] = {static_cast<uint32_t>(pairs[i] >> 32),
              static_cast<uint32_t>(pairs[i])};
  }
  local.candidates = out.size();
  if (stats != nullptr) *stats = local;
  return out;
}

// About how many distinct values `hashes` (shingle hashes, uniformly random)
// holds, by linear counting on a bitmap of at least 16 bits a value: the
// standard error is about 0.3 %, at a nanosecond a shingle in a bitmap that
// stays in L1, far cheaper than an exact count.
uint32_t EstimateDistinct(absl::Span<const uint64_t> hashes,
                          std::vector<uint64_t>* bitmap) {
  if (hashes.empty()) return 0;
  size_t bits = 1024;
  while (bits < 16 * hashes.size() && bits < (size_t{1} << 26)) bits *= 2;
  bitmap->assign(bits / 64, 0);
  const uint64_t mask = bits - 1;
  for (uint64_t h : hashes) {
    const uint64_t bit = (h >> 20) & mask;
    (*bitmap)[bit >> 6] |= uint64_t{1} << (bit & 63);
  }
  size_t ones = 0;
  for (uint64_t word : *bitmap) ones += __builtin_popcountll(word);
  if (ones == bits) return static_cast<uint32_t>(hashes.size());
  const double m = static_cast<double>(bits);
  const double estimate = -m * std::log1p(-static_cast<double>(ones) / m);
  return static_cast<uint32_t>(std::min<double>(
      std::max(estimate, 1.0), static_cast<double>(hashes.size())));
}

std::vector<uint64_t> BoilerplateCrossings(
    std::vector<std::vector<uint64_t>>& packed_sets, uint32_t max_frequency,
    int threads) {
  std::vector<std::vector<uint64_t>> buckets = BucketSort(
      packed_sets, threads,
      [](uint64_t v) { return static_cast<size_t>(v >> 56); },
      /*unique=*/false, /*sort=*/false);
  std::vector<std::vector<uint64_t>> frequent(kBuckets);
  ParallelFor(kBuckets, threads, 1, [&](size_t begin, size_t end, int) {
    std::vector<uint64_t> list;
    std::vector<size_t> starts(kBuckets + 1);
    for (size_t b = begin; b < end; ++b) {
      // Sorted, each fingerprint's holders are adjacent and in document
      // order. A bucket holds a 256th of the corpus's fingerprints, too many
      // to sort in cache: one more counting pass on the next 8 bits leaves
      // pieces that are.
      const std::vector<uint64_t>& in = buckets[b];
      std::fill(starts.begin(), starts.end(), 0);
      for (uint64_t v : in) ++starts[((v >> 48) & 0xFF) + 1];
      for (size_t k = 1; k <= kBuckets; ++k) starts[k] += starts[k - 1];
      list.resize(in.size());
      for (uint64_t v : in) list[starts[(v >> 48) & 0xFF]++] = v;
      for (size_t k = 0, from = 0; k < kBuckets; from = starts[k++]) {
        std::sort(list.begin() + static_cast<ptrdiff_t>(from),
                  list.begin() + static_cast<ptrdiff_t>(starts[k]));
      }
      std::vector<uint64_t>().swap(buckets[b]);
      for (size_t x = 0; x < list.size();) {
        size_t y = x + 1;
        while (y < list.size() && (list[y] >> 32) == (list[x] >> 32)) ++y;
        if (y - x > max_frequency)
          frequent[b].push_back(list[x + max_frequency]);
        x = y;
      }
    }
  });
  std::vector<uint64_t> out;
  for (const auto& f : frequent) out.insert(out.end(), f.begin(), f.end());
  return out;
}

}  // namespace neardup::internal
