#include "neardup/exact_search.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "neardup/verify.h"
#include "src/internal/parallel.h"
#include "src/internal/stage.h"
#include "src/internal/status_macros.h"

namespace neardup {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The smallest integer >= x, except that x is first shrunk by a relative
// 1e-12. The bounds below are exact in rational arithmetic, but t is a double
// (0.8 is slightly above 4/5) and the engine decides a pair with a double
// division, so a pair whose rational Jaccard sits a rounding error below t
// can still be reported. Erring low only lengthens prefixes by at most one
// token: never a missed pair.
uint32_t AtLeast(double x) {
  const double c = std::ceil(x * (1 - 1e-12));
  return c < 1 ? 1 : static_cast<uint32_t>(c);
}

using internal::FirstError;

struct Posting {
  uint32_t rank;      // The indexed set's position in size order.
  uint32_t position;  // Where the token sits in that set.
};

absl::Status ValidateThreshold(const ExactSearchOptions& options) {
  if (!(options.threshold > 0 && options.threshold <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("the exact search threshold must be greater than 0 and "
                     "at most 1, got ",
                     options.threshold));
  }
  if (!(options.containment >= 0 && options.containment <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("the exact search containment must be between 0 (off) "
                     "and 1, got ",
                     options.containment));
  }
  return absl::OkStatus();
}

// The sets a search works on: token ids (rarest first, each set sorted), and
// the non-empty sets in order of size, ties by input position.
struct RankedSets {
  const std::vector<uint32_t>& tokens;
  const std::vector<uint32_t>& offsets;  // Per input set.
  const std::vector<uint32_t>& order;    // Rank -> input position.
  const std::vector<uint32_t>& size_at;  // Rank -> set size.

  absl::Span<const uint32_t> Tokens(uint32_t rank) const {
    return absl::MakeConstSpan(tokens.data() + offsets[order[rank]],
                               size_at[rank]);
  }
};

// Every pair whose containment |x ∩ y| / min(|x|, |y|) is at least c, by
// prefix filtering on the smaller set alone: if x (the smaller, lower rank)
// shares at least ceil(c |x|) tokens with y, it shares one of its first
// |x| - ceil(c |x|) + 1 (its rarest) with y, wherever that token sits in y.
// So every shared token of every set is indexed, and each set probes with its
// prefix the sets ranked after it. Candidates are merged in full, stopping
// once the needed overlap is out of reach.
std::vector<ScoredPair> ContainedPairs(const RankedSets& ranked,
                                       size_t num_distinct,
                                       uint32_t num_unshared, double c,
                                       int threads, uint64_t* candidates) {
  const uint32_t num_sets = static_cast<uint32_t>(ranked.order.size());
  std::vector<uint32_t> list_start(num_distinct + 1, 0);
  for (uint32_t r = 0; r < num_sets; ++r) {
    for (uint32_t token : ranked.Tokens(r)) {
      if (token >= num_unshared) ++list_start[token + 1];
    }
  }
  for (size_t k = 1; k < list_start.size(); ++k) {
    list_start[k] += list_start[k - 1];
  }
  std::vector<Posting> postings(list_start.back());
  {
    std::vector<uint32_t> fill(list_start.begin(), list_start.end() - 1);
    for (uint32_t r = 0; r < num_sets; ++r) {
      absl::Span<const uint32_t> x = ranked.Tokens(r);
      for (uint32_t i = 0; i < x.size(); ++i) {
        if (x[i] >= num_unshared) postings[fill[x[i]]++] = {r, i};
      }
    }
  }
  constexpr uint32_t kPruned = std::numeric_limits<uint32_t>::max();
  constexpr size_t kChunk = 32;
  struct Worker {
    std::vector<uint32_t> overlap;  // Per rank: prefix overlap or kPruned.
    std::vector<uint32_t> touched;
    uint64_t candidates = 0;
  };
  std::vector<Worker> workers(threads);
  std::vector<std::vector<ScoredPair>> found((num_sets + kChunk - 1) / kChunk);
  internal::ParallelFor(
      num_sets, threads, kChunk, [&](size_t begin, size_t end, int worker) {
        Worker& w = workers[worker];
        if (w.overlap.empty()) w.overlap.assign(num_sets, 0);
        std::vector<ScoredPair>& out = found[begin / kChunk];
        for (uint32_t r = static_cast<uint32_t>(begin); r < end; ++r) {
          absl::Span<const uint32_t> x = ranked.Tokens(r);
          const uint32_t sx = ranked.size_at[r];
          const uint32_t needed = AtLeast(c * sx);
          const uint32_t prefix = sx - needed + 1;
          for (uint32_t i = 0; i < prefix; ++i) {
            if (x[i] < num_unshared) continue;
            const Posting* list = postings.data() + list_start[x[i]];
            const Posting* list_end = postings.data() + list_start[x[i] + 1];
            // Entries are in rank order: only the sets ranked after x.
            list = std::upper_bound(
                list, list_end, r,
                [](uint32_t rank, const Posting& p) { return rank < p.rank; });
            for (; list != list_end; ++list) {
              const uint32_t y = list->rank;
              const uint32_t seen = w.overlap[y];
              if (seen == kPruned) continue;
              const uint32_t reachable =
                  seen + 1 +
                  std::min(sx - i - 1, ranked.size_at[y] - list->position - 1);
              if (seen == 0) w.touched.push_back(y);
              w.overlap[y] = reachable >= needed ? seen + 1 : kPruned;
            }
          }
          for (uint32_t y : w.touched) {
            const uint32_t seen = w.overlap[y];
            w.overlap[y] = 0;
            if (seen == kPruned) continue;
            ++w.candidates;
            absl::Span<const uint32_t> ys = ranked.Tokens(y);
            const uint32_t sy = ranked.size_at[y];
            uint32_t common = 0;
            size_t a = 0, b = 0;
            while (a < sx && b < sy) {
              if (common + std::min(sx - a, sy - b) < needed) break;
              const uint32_t u = x[a], v = ys[b];
              common += u == v;
              a += u <= v;
              b += v <= u;
            }
            // As CompareSortedSets computes them, so a pair on the
            // threshold is decided as the engine decides it.
            const double containment =
                static_cast<double>(common) / static_cast<double>(sx);
            if (common < needed || containment < c) continue;
            uint32_t da = ranked.order[r], db = ranked.order[y];
            if (da > db) std::swap(da, db);
            out.push_back({da, db,
                           static_cast<double>(common) /
                               static_cast<double>(sx + sy - common),
                           containment});
          }
          w.touched.clear();
        }
      });
  std::vector<ScoredPair> pairs;
  for (const Worker& w : workers) *candidates += w.candidates;
  for (auto& f : found) pairs.insert(pairs.end(), f.begin(), f.end());
  return pairs;
}

}  // namespace

absl::StatusOr<ExactSearchResult> FindSimilarSets(
    absl::Span<const absl::Span<const uint64_t>> sets,
    const ExactSearchOptions& options) {
  NEARDUP_RETURN_IF_ERROR(ValidateThreshold(options));
  if (sets.size() >= std::numeric_limits<uint32_t>::max()) {
    return absl::InvalidArgumentError(
        "the exact search takes fewer than 4 billion documents");
  }
  uint64_t total = 0;
  for (absl::Span<const uint64_t> s : sets) total += s.size();
  if (total >= std::numeric_limits<uint32_t>::max()) {
    return absl::InvalidArgumentError(
        "the exact search takes fewer than 4 billion shingles in total; "
        "split the input");
  }
  const int threads = internal::ResolveThreads(options.threads);
  const double t = options.threshold;
  ExactSearchResult result;
  ExactSearchStats& stats = result.stats;
  stats.shingles = total;

  // Token ids: distinct hashes ranked by how many sets hold them, rarest
  // first, ties by hash value. Rare tokens then lead every set, where the
  // prefixes are, and the inverted lists stay short.
  auto start = Clock::now();
  std::vector<uint32_t> offsets(sets.size() + 1, 0);
  for (size_t i = 0; i < sets.size(); ++i) {
    offsets[i + 1] = offsets[i] + static_cast<uint32_t>(sets[i].size());
  }
  const size_t n = sets.size();
  // Hashes are uniform, so their top byte splits them into 256 buckets of
  // similar size that are counted, sorted and looked up independently, in
  // parallel, each small enough to stay in cache. Documents are cut into a
  // fixed number of ranges (not one per thread) for the scatter, so where
  // each hash lands never depends on the thread count.
  constexpr int kTopShift = 56;
  constexpr size_t kBuckets = 256;
  constexpr size_t kRanges = 16;
  std::vector<size_t> range_start(kRanges + 1);
  for (size_t g = 0; g <= kRanges; ++g) range_start[g] = n * g / kRanges;
  // slot[g * kBuckets + b]: where range g writes its hashes of bucket b.
  std::vector<uint64_t> slot(kRanges * kBuckets, 0);
  internal::ParallelFor(
      kRanges, threads, 1, [&](size_t begin, size_t end, int) {
        for (size_t g = begin; g < end; ++g) {
          uint64_t* count = slot.data() + g * kBuckets;
          for (size_t i = range_start[g]; i < range_start[g + 1]; ++i) {
            for (uint64_t h : sets[i]) ++count[h >> kTopShift];
          }
        }
      });
  std::vector<uint64_t> bucket_start(kBuckets + 1, 0);
  {
    uint64_t position = 0;
    for (size_t b = 0; b < kBuckets; ++b) {
      bucket_start[b] = position;
      for (size_t g = 0; g < kRanges; ++g) {
        const uint64_t count = slot[g * kBuckets + b];
        slot[g * kBuckets + b] = position;
        position += count;
      }
    }
    bucket_start[kBuckets] = position;
  }
  std::vector<uint64_t> hashes(total);
  internal::ParallelFor(
      kRanges, threads, 1, [&](size_t begin, size_t end, int) {
        for (size_t g = begin; g < end; ++g) {
          uint64_t* fill = slot.data() + g * kBuckets;
          for (size_t i = range_start[g]; i < range_start[g + 1]; ++i) {
            for (uint64_t h : sets[i]) hashes[fill[h >> kTopShift]++] = h;
          }
        }
      });
  std::vector<uint64_t>().swap(slot);
  // Per bucket: distinct hashes (compacted to the front of the bucket's
  // range) and how many sets hold each.
  std::vector<std::vector<uint32_t>> frequency(kBuckets);
  internal::ParallelFor(
      kBuckets, threads, 1, [&](size_t begin, size_t end, int) {
        for (size_t b = begin; b < end; ++b) {
          uint64_t* first = hashes.data() + bucket_start[b];
          uint64_t* last = hashes.data() + bucket_start[b + 1];
          std::sort(first, last);
          uint64_t* out = first;
          for (uint64_t* it = first; it != last;) {
            uint64_t* run = it + 1;
            while (run != last && *run == *it) ++run;
            *out++ = *it;
            frequency[b].push_back(static_cast<uint32_t>(run - it));
            it = run;
          }
        }
      });
  size_t num_distinct = 0;
  uint32_t max_frequency = 0;
  for (const auto& f : frequency) {
    num_distinct += f.size();
    for (uint32_t c : f) max_frequency = std::max(max_frequency, c);
  }
  stats.distinct_shingles = num_distinct;
  // Counting sort by frequency; within a frequency, hash order (bucket by
  // bucket is hash order). Each bucket's counts are overwritten by the
  // token ids.
  std::vector<uint32_t> first_of(max_frequency + 2, 0);
  for (const auto& f : frequency) {
    for (uint32_t c : f) ++first_of[c + 1];
  }
  for (size_t f = 1; f < first_of.size(); ++f) first_of[f] += first_of[f - 1];
  // Tokens held by one set only can never be shared: they are skipped when
  // indexing and probing.
  const uint32_t num_unshared = first_of.size() > 2 ? first_of[2] : 0;
  for (auto& f : frequency) {
    for (uint32_t& c : f) c = first_of[c]++;
  }
  std::vector<uint32_t>().swap(first_of);
  // Rename every set's hashes, bucket by bucket: a set's hashes of one
  // bucket are contiguous (sets are sorted), so each worker walks every
  // set with a cursor, and lookups stay inside one bucket's small table.
  std::vector<uint32_t> tokens(total);
  constexpr size_t kBucketChunk = 16;
  internal::ParallelFor(
      kBuckets, threads, kBucketChunk, [&](size_t begin, size_t end, int) {
        std::vector<uint32_t> cursor(n);
        for (size_t i = 0; i < n; ++i) {
          cursor[i] = static_cast<uint32_t>(
              std::lower_bound(sets[i].begin(), sets[i].end(),
                               static_cast<uint64_t>(begin) << kTopShift) -
              sets[i].begin());
        }
        // One lookup table per bucket of the chunk, then one visit per set:
        // a set's hashes in these buckets are contiguous.
        struct Lookup {
          const uint64_t* distinct;
          const uint32_t* ids;
          int shift;
          uint64_t mask;
          std::vector<uint32_t> table;
        };
        std::vector<Lookup> lookups(end - begin);
        for (size_t b = begin; b < end; ++b) {
          Lookup& l = lookups[b - begin];
          l.distinct = hashes.data() + bucket_start[b];
          l.ids = frequency[b].data();
          const size_t m = frequency[b].size();
          const int bits =
              std::clamp(static_cast<int>(std::bit_width(m)) - 2, 1, 20);
          l.shift = kTopShift - bits;
          l.mask = (uint64_t{1} << bits) - 1;
          l.table.assign((size_t{1} << bits) + 1, 0);
          for (size_t u = 0; u < m; ++u) {
            ++l.table[((l.distinct[u] >> l.shift) & l.mask) + 1];
          }
          for (size_t k = 1; k < l.table.size(); ++k) {
            l.table[k] += l.table[k - 1];
          }
        }
        for (size_t i = 0; i < n; ++i) {
          absl::Span<const uint64_t> set = sets[i];
          uint32_t* out = tokens.data() + offsets[i];
          for (size_t c = cursor[i];
               c < set.size() && (set[c] >> kTopShift) < end; ++c) {
            const uint64_t h = set[c];
            const Lookup& l = lookups[(h >> kTopShift) - begin];
            uint32_t u = l.table[(h >> l.shift) & l.mask];
            while (l.distinct[u] != h) ++u;
            out[c] = l.ids[u];
          }
        }
      });
  std::vector<uint64_t>().swap(hashes);
  std::vector<std::vector<uint32_t>>().swap(frequency);
  internal::ParallelFor(n, threads, 64, [&](size_t begin, size_t end, int) {
    for (size_t i = begin; i < end; ++i) {
      std::sort(tokens.data() + offsets[i], tokens.data() + offsets[i + 1]);
    }
  });
  stats.order_seconds = SecondsSince(start);

  // Sets in order of size (ties by input position): a set is probed only
  // against smaller-or-equal ones, which is what lets the index hold the
  // shorter prefix.
  start = Clock::now();
  std::vector<uint32_t> order;
  for (size_t i = 0; i < sets.size(); ++i) {
    if (!sets[i].empty()) order.push_back(static_cast<uint32_t>(i));
  }
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return sets[a].size() < sets[b].size();
  });
  const size_t num_sets = order.size();
  stats.documents = num_sets;
  std::vector<uint32_t> size_at(num_sets);
  for (size_t r = 0; r < num_sets; ++r) {
    size_at[r] = static_cast<uint32_t>(sets[order[r]].size());
  }
  auto set_tokens = [&](uint32_t rank) {
    const uint32_t doc = order[rank];
    return absl::MakeConstSpan(tokens.data() + offsets[doc], size_at[rank]);
  };
  const double index_ratio = 2 * t / (1 + t);
  auto index_prefix = [&](uint32_t size) {
    return size - AtLeast(index_ratio * size) + 1;
  };
  // The last token of each set's indexed prefix, for the verification
  // bound.
  std::vector<uint32_t> index_last(num_sets);
  for (uint32_t r = 0; r < num_sets; ++r) {
    index_last[r] = set_tokens(r)[index_prefix(size_at[r]) - 1];
  }
  std::vector<uint32_t> list_start(num_distinct + 1, 0);
  for (uint32_t r = 0; r < num_sets; ++r) {
    absl::Span<const uint32_t> x = set_tokens(r);
    const uint32_t prefix = index_prefix(size_at[r]);
    for (uint32_t i = 0; i < prefix; ++i) {
      if (x[i] >= num_unshared) ++list_start[x[i] + 1];
    }
  }
  for (size_t k = 1; k < list_start.size(); ++k) {
    list_start[k] += list_start[k - 1];
  }
  std::vector<Posting> postings(list_start.back());
  stats.postings = postings.size();
  {
    std::vector<uint32_t> fill(list_start.begin(), list_start.end() - 1);
    for (uint32_t r = 0; r < num_sets; ++r) {
      absl::Span<const uint32_t> x = set_tokens(r);
      const uint32_t prefix = index_prefix(size_at[r]);
      for (uint32_t i = 0; i < prefix; ++i) {
        if (x[i] >= num_unshared) postings[fill[x[i]]++] = {r, i};
      }
    }
  }

  // Probe: each set against the index entries of smaller sets, in parallel.
  constexpr uint32_t kPruned = std::numeric_limits<uint32_t>::max();
  constexpr size_t kChunk = 32;
  const double pair_ratio = t / (1 + t);
  struct Worker {
    std::vector<uint32_t> overlap;  // Per rank: prefix overlap or kPruned.
    // Per rank: positions in x and in y of the last shared prefix token.
    std::vector<uint32_t> last_x, last_y;
    // Per shared token: how many entries at the head of its list are too
    // small for the sets this worker probes now. A worker's sets come in
    // rank order (ParallelFor hands out chunks in increasing order), so
    // sizes only grow and the skip only moves forward: one read instead of
    // a binary search over a long list (cache misses that were most of the
    // probing time). Costs 4 bytes per shared token per worker.
    std::vector<uint32_t> too_small;
    std::vector<uint32_t> touched;
    uint64_t candidates = 0;
  };
  std::vector<Worker> workers(threads);
  std::vector<std::vector<ScoredPair>> found((num_sets + kChunk - 1) / kChunk);
  internal::ParallelFor(
      num_sets, threads, kChunk, [&](size_t begin, size_t end, int worker) {
        Worker& w = workers[worker];
        if (w.overlap.empty()) {
          w.overlap.assign(num_sets, 0);
          w.last_x.resize(num_sets);
          w.last_y.resize(num_sets);
          w.too_small.assign(num_distinct - num_unshared, 0);
        }
        std::vector<ScoredPair>& out = found[begin / kChunk];
        for (uint32_t r = static_cast<uint32_t>(begin); r < end; ++r) {
          absl::Span<const uint32_t> x = set_tokens(r);
          const uint32_t sx = size_at[r];
          const uint32_t min_size = AtLeast(t * sx);
          const uint32_t prefix = sx - min_size + 1;
          for (uint32_t i = 0; i < prefix; ++i) {
            if (x[i] < num_unshared) continue;
            const Posting* list_end = postings.data() + list_start[x[i] + 1];
            // Entries are in rank order, so in size order: skip the sets too
            // small to reach t, stop at the first set not smaller than x.
            uint32_t& skip = w.too_small[x[i] - num_unshared];
            const Posting* list = postings.data() + list_start[x[i]] + skip;
            while (list != list_end && size_at[list->rank] < min_size) {
              ++list;
              ++skip;
            }
            for (; list != list_end && list->rank < r; ++list) {
              const uint32_t y = list->rank;
              const uint32_t seen = w.overlap[y];
              if (seen == kPruned) continue;
              const uint32_t sy = size_at[y];
              const uint32_t needed = AtLeast(pair_ratio * (sx + sy));
              const uint32_t reachable =
                  seen + 1 + std::min(sx - i - 1, sy - list->position - 1);
              if (seen == 0) w.touched.push_back(y);
              w.overlap[y] = reachable >= needed ? seen + 1 : kPruned;
              w.last_x[y] = i;
              w.last_y[y] = list->position;
            }
          }
          for (uint32_t y : w.touched) {
            const uint32_t seen = w.overlap[y];
            w.overlap[y] = 0;
            if (seen == kPruned) continue;
            const uint32_t sy = size_at[y];
            const uint32_t needed = AtLeast(pair_ratio * (sx + sy));
            // `seen` counts every token the two prefixes share. Tokens up to
            // the smaller of the two prefixes' last tokens lie inside both
            // prefixes, so only what follows it can add to the overlap
            // (AllPairs' verification bound): often too little, and the
            // merge is skipped. The bound is first taken from positions at
            // hand (the last shared token bounds where the smaller prefix
            // ends in the other set), without reading y's tokens, which
            // would be a cache miss for most candidates.
            const uint32_t y_prefix = index_prefix(sy);
            const uint32_t x_last = x[prefix - 1];
            const bool x_ends_first = x_last < index_last[y];
            const uint32_t rest =
                x_ends_first ? std::min(sx - prefix, sy - w.last_y[y] - 1)
                             : std::min(sx - w.last_x[y] - 1, sy - y_prefix);
            if (seen + rest < needed) continue;
            absl::Span<const uint32_t> ys = set_tokens(y);
            size_t a, b;
            if (x_ends_first) {
              a = prefix;
              b = std::upper_bound(ys.begin() + w.last_y[y] + 1, ys.end(),
                                   x_last) -
                  ys.begin();
            } else {
              a = std::upper_bound(x.begin() + w.last_x[y] + 1, x.end(),
                                   index_last[y]) -
                  x.begin();
              b = y_prefix;
            }
            uint32_t common = seen;
            if (common + std::min(sx - a, sy - b) < needed) continue;
            ++w.candidates;
            while (a < sx && b < sy) {
              if (common + std::min(sx - a, sy - b) < needed) break;
              const uint32_t u = x[a], v = ys[b];
              common += u == v;
              a += u <= v;
              b += v <= u;
            }
            // As CompareSortedSets computes them, so a pair on the threshold
            // is decided the same way the engine decides it.
            const double jaccard = static_cast<double>(common) /
                                   static_cast<double>(sx + sy - common);
            if (jaccard < t) continue;
            uint32_t da = order[r], db = order[y];
            if (da > db) std::swap(da, db);
            out.push_back(
                {da, db, jaccard,
                 static_cast<double>(common) / static_cast<double>(sy)});
          }
          w.touched.clear();
        }
      });
  for (const Worker& w : workers) stats.candidates += w.candidates;
  size_t num_pairs = 0;
  for (const auto& f : found) num_pairs += f.size();
  result.pairs.reserve(num_pairs);
  for (auto& f : found) {
    result.pairs.insert(result.pairs.end(), f.begin(), f.end());
    std::vector<ScoredPair>().swap(f);
  }
  std::vector<Worker>().swap(workers);
  std::vector<Posting>().swap(postings);
  if (options.containment > 0) {
    std::vector<ScoredPair> contained =
        ContainedPairs({.tokens = tokens,
                        .offsets = offsets,
                        .order = order,
                        .size_at = size_at},
                       num_distinct, num_unshared, options.containment, threads,
                       &stats.candidates);
    result.pairs.insert(result.pairs.end(), contained.begin(), contained.end());
  }
  std::sort(result.pairs.begin(), result.pairs.end(),
            [](const ScoredPair& p, const ScoredPair& q) {
              return p.a != q.a ? p.a < q.a : p.b < q.b;
            });
  // A pair both searches found is the same pair with the same scores.
  result.pairs.erase(std::unique(result.pairs.begin(), result.pairs.end(),
                                 [](const ScoredPair& p, const ScoredPair& q) {
                                   return p.a == q.a && p.b == q.b;
                                 }),
                     result.pairs.end());
  stats.pairs = result.pairs.size();
  stats.search_seconds = SecondsSince(start);
  return result;
}

absl::StatusOr<ExactSearchResult> FindSimilarDocuments(
    const Corpus& corpus, const ExactSearchOptions& options,
    const ExactSearchProgress& progress) {
  NEARDUP_RETURN_IF_ERROR(ValidateThreshold(options));
  NEARDUP_RETURN_IF_ERROR(ValidateShingleOptions({.ngram = options.ngram}));
  if (options.threads < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "threads must be 0 (all cores) or more, got ", options.threads));
  }
  NEARDUP_ASSIGN_OR_RETURN(
      Normalizer normalizer,
      Normalizer::Create({.mode = options.normalize, .record_offsets = false}));
  const ShingleOptions shingle_options{.ngram = options.ngram,
                                       .seed = options.seed};
  const int threads = internal::ResolveThreads(options.threads);
  const size_t n = corpus.size();

  auto start = Clock::now();
  struct Scratch {
    TextScratch text;
    NormalizedText normalized;
    std::vector<uint64_t> shingles;
  };
  std::vector<std::unique_ptr<Scratch>> scratch(threads);
  for (auto& s : scratch) s = std::make_unique<Scratch>();
  std::vector<std::vector<uint64_t>> sets(n);
  FirstError error;
  std::atomic<size_t> done{0};
  internal::ParallelFor(
      n, threads, 64, [&](size_t begin, size_t end, int worker) {
        Scratch& s = *scratch[worker];
        for (size_t doc = begin; doc < end; ++doc) {
          absl::StatusOr<absl::string_view> text = corpus.Text(doc, &s.text);
          if (!text.ok()) {
            error.Record(doc, text.status());
            continue;
          }
          normalizer.Normalize(*text, &s.normalized);
          s.shingles.clear();
          HashShingles(s.normalized.code_points, shingle_options, &s.shingles);
          SortUnique(&s.shingles);
          sets[doc].assign(s.shingles.begin(), s.shingles.end());
        }
        const size_t now = done.fetch_add(end - begin) + (end - begin);
        if (worker == 0 && progress) {
          progress("shingle", static_cast<double>(now) / n);
        }
      });
  if (error.any()) return error.status();
  scratch.clear();
  const double shingle_seconds = SecondsSince(start);

  if (progress) progress("exact search", 0);
  std::vector<absl::Span<const uint64_t>> spans(sets.begin(), sets.end());
  NEARDUP_ASSIGN_OR_RETURN(ExactSearchResult result,
                           FindSimilarSets(spans, options));
  result.stats.shingle_seconds = shingle_seconds;
  if (progress) progress("exact search", 1);
  return result;
}

absl::StatusOr<std::vector<SetSimilarity>> ScoreDocumentPairs(
    const Corpus& corpus, absl::Span<const DocPair> pairs,
    const ExactSearchOptions& options) {
  NEARDUP_RETURN_IF_ERROR(ValidateShingleOptions({.ngram = options.ngram}));
  NEARDUP_ASSIGN_OR_RETURN(
      Normalizer normalizer,
      Normalizer::Create({.mode = options.normalize, .record_offsets = false}));
  const ShingleOptions shingle_options{.ngram = options.ngram,
                                       .seed = options.seed};
  // The distinct documents named, each shingled once.
  std::vector<uint32_t> docs;
  for (const DocPair& p : pairs) {
    if (p.a >= corpus.size() || p.b >= corpus.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("document index out of range: pair (", p.a, ", ", p.b,
                       ") in a corpus of ", corpus.size()));
    }
    docs.push_back(p.a);
    docs.push_back(p.b);
  }
  std::sort(docs.begin(), docs.end());
  docs.erase(std::unique(docs.begin(), docs.end()), docs.end());
  const int threads = internal::ResolveThreads(std::max(options.threads, 0));
  struct Scratch {
    TextScratch text;
    NormalizedText normalized;
  };
  std::vector<std::unique_ptr<Scratch>> scratch(threads);
  for (auto& s : scratch) s = std::make_unique<Scratch>();
  std::vector<std::vector<uint64_t>> sets(docs.size());
  FirstError error;
  internal::ParallelFor(
      docs.size(), threads, 16, [&](size_t begin, size_t end, int worker) {
        Scratch& s = *scratch[worker];
        for (size_t i = begin; i < end; ++i) {
          absl::StatusOr<absl::string_view> text =
              corpus.Text(docs[i], &s.text);
          if (!text.ok()) {
            error.Record(docs[i], text.status());
            continue;
          }
          normalizer.Normalize(*text, &s.normalized);
          HashShingles(s.normalized.code_points, shingle_options, &sets[i]);
          SortUnique(&sets[i]);
        }
      });
  if (error.any()) return error.status();
  auto set_of = [&](uint32_t doc) -> absl::Span<const uint64_t> {
    return sets[std::lower_bound(docs.begin(), docs.end(), doc) - docs.begin()];
  };
  std::vector<SetSimilarity> result;
  result.reserve(pairs.size());
  for (const DocPair& p : pairs) {
    result.push_back(CompareSortedSets(set_of(p.a), set_of(p.b)));
  }
  return result;
}

}  // namespace neardup
