// Character n-gram shingles over code points, hashed to 64 bits.
//
// A shingle is n consecutive code points of normalised text (code points, not
// bytes: an Arabic letter is two UTF-8 bytes, and a byte n-gram would cut it).
// Each shingle is hashed with XXH3-64 under an explicit seed, over the
// little-endian 32-bit encoding of its code points, so hashes are the same on
// every machine and may be stored.
//
// Example:
//
//   std::vector<uint64_t> hashes;
//   neardup::HashShingles(text.code_points, {.ngram = 5}, &hashes);
//   neardup::SortUnique(&hashes);  // the shingle set, for exact Jaccard
#ifndef NEARDUP_INCLUDE_NEARDUP_SHINGLE_H_
#define NEARDUP_INCLUDE_NEARDUP_SHINGLE_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"

namespace neardup {

// The seed used when the user gives none. Every seeded hash in neardup derives
// from the user's seed, so one --seed changes all of them together.
inline constexpr uint64_t kDefaultSeed = 0x6e65617264757031;  // "neardup1"

struct ShingleOptions {
  // Code points per shingle, 1 to 64.
  int ngram = 5;
  uint64_t seed = kDefaultSeed;
};

// InvalidArgument unless 1 <= ngram <= 64.
absl::Status ValidateShingleOptions(const ShingleOptions& options);

// Hash of one shingle.
uint64_t HashShingle(absl::Span<const char32_t> code_points, uint64_t seed);

// Appends to `out` the hash of every window of `options.ngram` consecutive
// code points, in text order, duplicates included. Text shorter than the
// n-gram (but not empty) is one shingle: the whole text. Empty text adds
// nothing. Precondition: options are valid.
void HashShingles(absl::Span<const char32_t> code_points,
                  const ShingleOptions& options, std::vector<uint64_t>* out);

// Sorts and removes duplicates: turns HashShingles() output into a set.
void SortUnique(std::vector<uint64_t>* hashes);

}  // namespace neardup

#endif  // NEARDUP_INCLUDE_NEARDUP_SHINGLE_H_
