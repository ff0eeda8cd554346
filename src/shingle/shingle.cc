#include "neardup/shingle.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

#define XXH_INLINE_ALL
#include "xxhash.h"

namespace neardup {
namespace {

constexpr int kMaxNgram = 64;

// Hashes the little-endian bytes of `count` code points. On little-endian
// machines that is the array itself; elsewhere the bytes are swapped first so
// stored hashes agree across machines.
inline uint64_t HashCodePoints(const char32_t* data, size_t count,
                               uint64_t seed) {
  if constexpr (std::endian::native == std::endian::little) {
    return XXH3_64bits_withSeed(data, count * sizeof(char32_t), seed);
  } else {
    char32_t swapped[kMaxNgram];
    for (size_t i = 0; i < count; ++i) {
      uint32_t v = static_cast<uint32_t>(data[i]);
      swapped[i] = static_cast<char32_t>((v >> 24) | ((v >> 8) & 0xff00) |
                                         ((v << 8) & 0xff0000) | (v << 24));
    }
    return XXH3_64bits_withSeed(swapped, count * sizeof(char32_t), seed);
  }
}

}  // namespace

absl::Status ValidateShingleOptions(const ShingleOptions& options) {
  if (options.ngram < 1 || options.ngram > kMaxNgram) {
    return absl::InvalidArgumentError(
        absl::StrCat("n-gram size must be between 1 and ", kMaxNgram, ", got ",
                     options.ngram));
  }
  return absl::OkStatus();
}

uint64_t HashShingle(absl::Span<const char32_t> code_points, uint64_t seed) {
  // Longer windows than kMaxNgram only come from short-text shingles, which
  // are hashed whole; the byte-swapped path handles at most kMaxNgram.
  if constexpr (std::endian::native != std::endian::little) {
    if (code_points.size() > static_cast<size_t>(kMaxNgram)) {
      XXH3_state_t state;
      XXH3_64bits_reset_withSeed(&state, seed);
      for (size_t i = 0; i < code_points.size(); i += kMaxNgram) {
        size_t n = std::min<size_t>(kMaxNgram, code_points.size() - i);
        char32_t swapped[kMaxNgram];
        for (size_t j = 0; j < n; ++j) {
          uint32_t v = static_cast<uint32_t>(code_points[i + j]);
          swapped[j] = static_cast<char32_t>((v >> 24) | ((v >> 8) & 0xff00) |
                                             ((v << 8) & 0xff0000) | (v << 24));
        }
        XXH3_64bits_update(&state, swapped, n * sizeof(char32_t));
      }
      return XXH3_64bits_digest(&state);
    }
  }
  return HashCodePoints(code_points.data(), code_points.size(), seed);
}

void HashShingles(absl::Span<const char32_t> code_points,
                  const ShingleOptions& options, std::vector<uint64_t>* out) {
  const size_t n = static_cast<size_t>(options.ngram);
  const size_t len = code_points.size();
  if (len == 0) return;
  if (len <= n) {
    out->push_back(HashShingle(code_points, options.seed));
    return;
  }
  const size_t count = len - n + 1;
  const size_t base = out->size();
  out->resize(base + count);
  uint64_t* dst = out->data() + base;
  const char32_t* src = code_points.data();
  const uint64_t seed = options.seed;
  for (size_t i = 0; i < count; ++i) dst[i] = HashCodePoints(src + i, n, seed);
}

void SortUnique(std::vector<uint64_t>* hashes) {
  const size_t n = hashes->size();
  if (n < 256) {
    std::sort(hashes->begin(), hashes->end());
    hashes->erase(std::unique(hashes->begin(), hashes->end()), hashes->end());
    return;
  }
  // Shingle hashes are uniform, so one counting pass on the top bits leaves
  // about one value per bucket and the buckets need only insertion sort:
  // about 4x faster than introsort here, and sorting is the largest cost of
  // verification. Heavy duplication (a text repeating one shingle) makes big
  // buckets, which fall back to std::sort.
  const int bits = std::clamp(static_cast<int>(std::bit_width(n)) - 1, 8, 20);
  const size_t buckets = size_t{1} << bits;
  const int shift = 64 - bits;
  thread_local std::vector<uint32_t> ends_storage;
  thread_local std::vector<uint64_t> scattered_storage;
  ends_storage.assign(buckets + 1, 0);
  scattered_storage.resize(n);
  // Plain pointers: through the thread_local vectors the compiler reloads
  // their addresses inside the loops.
  uint32_t* const ends = ends_storage.data();
  uint64_t* const scattered = scattered_storage.data();
  uint64_t* const values = hashes->data();
  for (size_t i = 0; i < n; ++i) ++ends[(values[i] >> shift) + 1];
  for (size_t b = 1; b <= buckets; ++b) ends[b] += ends[b - 1];
  for (size_t i = 0; i < n; ++i) {
    scattered[ends[values[i] >> shift]++] = values[i];
  }
  // ends[b] is now the end of bucket b (and the start of bucket b + 1).
  // Equal values share a bucket, so duplicates are only looked for inside
  // one, and a bucket of one value (the most common) is copied as it is.
  size_t out = 0;
  size_t begin = 0;
  for (size_t b = 0; b < buckets; ++b) {
    const size_t end = ends[b];
    uint64_t* const first = scattered + begin;
    uint64_t* const last = scattered + end;
    begin = end;
    if (last - first <= 1) {
      if (last != first) values[out++] = *first;
      continue;
    }
    if (last - first > 16) {
      std::sort(first, last);
    } else {
      for (uint64_t* i = first + 1; i < last; ++i) {
        uint64_t v = *i;
        uint64_t* j = i;
        for (; j > first && *(j - 1) > v; --j) *j = *(j - 1);
        *j = v;
      }
    }
    values[out++] = *first;
    for (uint64_t* i = first + 1; i < last; ++i) {
      if (*i != *(i - 1)) values[out++] = *i;
    }
  }
  hashes->resize(out);
}

}  // namespace neardup
