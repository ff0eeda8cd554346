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
  std::sort(hashes->begin(), hashes->end());
  hashes->erase(std::unique(hashes->begin(), hashes->end()), hashes->end());
}

}  // namespace neardup
