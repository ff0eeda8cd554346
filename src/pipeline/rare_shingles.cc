#include "src/internal/rare_shingles.h"

#include <algorithm>
#include <bit>
#include <utility>

#include "src/internal/parallel.h"

namespace neardup::internal {
namespace {

constexpr size_t kBuckets = 256;

// Scatters `parts` (each a list of uint64 values) into kBuckets buckets by
// bucket_of(value), then sorts each bucket; the buckets' concatenation is the
// sorted union (without repeats when `unique`). Where a value lands before
// the sort never matters, so the result is the same for any thread count.
template <typename BucketOf>
std::vector<std::vector<uint64_t>> BucketSort(
    std::vector<std::vector<uint64_t>>& parts, int threads, BucketOf bucket_of,
    bool unique = true) {
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
  for (size_t b = 0; b < kBuckets; ++b) {
    size_t total = 0;
    for (size_t g = 0; g < kRanges; ++g) {
      const size_t c = count[g * kBuckets + b];
      count[g * kBuckets + b] = total;
      total += c;
    }
    buckets[b].resize(total);
  }
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
// low 32 bits, which are the key.
int Level(uint64_t h) {
  return __builtin_ctzll((h >> 32) | (uint64_t{1} << 40));
}

}  // namespace

RareShingleSample::RareShingleSample(size_t documents)
    : documents_(documents),
      chunks_((documents + kDocumentsPerChunk - 1) / kDocumentsPerChunk) {}

void RareShingleSample::Add(uint32_t doc,
                            absl::Span<const uint64_t> shingle_hashes,
                            uint32_t distinct_shingles) {
  if (distinct_shingles < kMinShingles) return;
  const int probe =
      static_cast<int>(std::bit_width(distinct_shingles / kProbeShingles)) - 1;
  const int store = std::max(0, probe - kRatioLevels);
  Chunk& chunk = chunks_[doc / kDocumentsPerChunk];
  const size_t first_probe = chunk.probe_keys.size();
  for (uint64_t h : shingle_hashes) {
    const int level = Level(h);
    if (level < store) continue;
    // (low 32 bits) << 32 | doc; a repeat is dropped once the entries are
    // sorted.
    chunk.stored.push_back((h << 32) | doc);
    if (level >= probe) chunk.probe_keys.push_back(static_cast<uint32_t>(h));
  }
  std::sort(chunk.probe_keys.begin() + first_probe, chunk.probe_keys.end());
  chunk.probe_keys.erase(std::unique(chunk.probe_keys.begin() + first_probe,
                                     chunk.probe_keys.end()),
                         chunk.probe_keys.end());
  chunk.probe_docs.resize(chunk.probe_keys.size(), doc);
}

std::vector<DocPair> RareShingleSample::Candidates(int threads,
                                                   const CandidateFilter& keep,
                                                   RareShingleStats* stats) {
  RareShingleStats local;
  std::vector<std::vector<uint64_t>> parts(chunks_.size());
  for (size_t c = 0; c < chunks_.size(); ++c) {
    local.stored += chunks_[c].stored.size();
    local.probes += chunks_[c].probe_keys.size();
    parts[c].swap(chunks_[c].stored);
  }
  // Stored shingles by key, then document.
  const std::vector<std::vector<uint64_t>> index = BucketSort(
      parts, threads, [](uint64_t v) { return static_cast<size_t>(v >> 56); });
  std::vector<std::vector<uint64_t>>().swap(parts);

  // Each document probes: per other document, how many of its rare probe
  // shingles that one stores.
  struct Worker {
    std::vector<uint32_t> count;  // Per document.
    std::vector<uint32_t> touched;
  };
  std::vector<Worker> workers(threads);
  std::vector<std::vector<uint64_t>> found(chunks_.size());
  std::vector<uint64_t> proposed(chunks_.size(), 0),
      filtered(chunks_.size(), 0);
  ParallelFor(
      chunks_.size(), threads, 1, [&](size_t begin, size_t end, int worker) {
        Worker& w = workers[worker];
        if (w.count.empty()) w.count.assign(documents_, 0);
        for (size_t c = begin; c < end; ++c) {
          const Chunk& chunk = chunks_[c];
          for (size_t i = 0; i < chunk.probe_keys.size();) {
            const uint32_t x = chunk.probe_docs[i];
            uint32_t rare = 0;
            for (; i < chunk.probe_keys.size() && chunk.probe_docs[i] == x;
                 ++i) {
              const uint64_t key = chunk.probe_keys[i];
              const std::vector<uint64_t>& bucket = index[key >> 24];
              auto first =
                  std::lower_bound(bucket.begin(), bucket.end(), key << 32);
              auto last = std::upper_bound(first, bucket.end(),
                                           (key << 32) | 0xffffffffu);
              if (static_cast<size_t>(last - first) > kMaxFrequency) continue;
              ++rare;
              for (auto it = first; it != last; ++it) {
                const uint32_t y = static_cast<uint32_t>(*it);
                if (y == x) continue;
                if (w.count[y]++ == 0) w.touched.push_back(y);
              }
            }
            // At least two, and half of x's rare probe shingles.
            const uint32_t need = std::max<uint32_t>(2, (rare + 1) / 2);
            for (uint32_t y : w.touched) {
              if (w.count[y] >= need) {
                ++proposed[c];
                const uint32_t a = std::min(x, y), b = std::max(x, y);
                if (keep && !keep(a, b)) {
                  ++filtered[c];
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
  std::vector<Chunk>().swap(chunks_);
  std::vector<uint64_t> pairs;
  for (size_t c = 0; c < found.size(); ++c) {
    local.proposed += proposed[c];
    local.filtered += filtered[c];
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

std::vector<uint64_t> FrequentShingles(
    std::vector<std::vector<uint64_t>>& document_sets, uint32_t max_frequency,
    int threads) {
  std::vector<std::vector<uint64_t>> buckets = BucketSort(
      document_sets, threads,
      [](uint64_t v) { return static_cast<size_t>(v >> 56); },
      /*unique=*/false);
  std::vector<std::vector<uint64_t>> frequent(kBuckets);
  ParallelFor(kBuckets, threads, 1, [&](size_t begin, size_t end, int) {
    for (size_t b = begin; b < end; ++b) {
      const std::vector<uint64_t>& list = buckets[b];
      for (size_t x = 0; x < list.size();) {
        size_t y = x + 1;
        while (y < list.size() && list[y] == list[x]) ++y;
        if (y - x > max_frequency) frequent[b].push_back(list[x]);
        x = y;
      }
      std::vector<uint64_t>().swap(buckets[b]);
    }
  });
  std::vector<uint64_t> out;
  for (const auto& f : frequent) out.insert(out.end(), f.begin(), f.end());
  return out;
}

}  // namespace neardup::internal
