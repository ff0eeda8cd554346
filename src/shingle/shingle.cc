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
  // about one value per bucket, and the values are then out of order only
  // inside their bucket. One insertion pass over the whole array finishes
  // the sort: it moves a value only past the few before it in its bucket,
  // and unlike a loop over the buckets it does not mispredict a branch at
  // every bucket's size (1.6 times faster than sorting bucket by bucket on
  // a news article's 3,300 shingles). Buckets of more
  // than 16 values (a text repeating itself, or values that are not
  // uniform) are sorted first, so the pass stays linear.
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
  uint32_t largest = 0;
  for (size_t b = 1; b <= buckets; ++b) {
    largest = std::max(largest, ends[b]);
    ends[b] += ends[b - 1];
  }
  for (size_t i = 0; i < n; ++i) {
    scattered[ends[values[i] >> shift]++] = values[i];
  }
  // ends[b] is now the end of bucket b (and the start of bucket b + 1).
  if (largest > 16) {
    for (size_t b = 0, begin = 0; b < buckets; begin = ends[b++]) {
      if (ends[b] - begin > 16) {
        std::sort(scattered + begin, scattered + ends[b]);
      }
    }
  }
  for (size_t i = 1; i < n; ++i) {
    const uint64_t v = scattered[i];
    if (scattered[i - 1] <= v) continue;
    size_t j = i;
    do {
      scattered[j] = scattered[j - 1];
      --j;
    } while (j > 0 && scattered[j - 1] > v);
    scattered[j] = v;
  }
  // Equal values are adjacent now; keep the first of each run.
  values[0] = scattered[0];
  size_t out = 1;
  for (size_t i = 1; i < n; ++i) {
    const uint64_t v = scattered[i];
    values[out] = v;
    out += v != scattered[i - 1];
  }
  hashes->resize(out);
}

}  // namespace neardup
