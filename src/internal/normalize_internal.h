// Pieces of full normalisation shared by the fast path, the ICU-only
// reference path and the tests. Not part of the public API.
#ifndef NEARDUP_SRC_INTERNAL_NORMALIZE_INTERNAL_H_
#define NEARDUP_SRC_INTERNAL_NORMALIZE_INTERNAL_H_

#include <cstdint>

#include "absl/strings/string_view.h"
#include "neardup/normalize.h"

namespace neardup::internal {

// True for exactly the code points Python's str.isspace() accepts (which is
// also what `\s` matches in a Python 3 str regex): U+0009..U+000D,
// U+001C..U+0020, U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029,
// U+202F, U+205F and U+3000.
constexpr bool IsPythonWhitespace(char32_t c) {
  if (c <= 0x20) {
    constexpr uint64_t kMask = (uint64_t{0x1F} << 9) | (uint64_t{0x1F} << 28);
    return (kMask >> c) & 1;
  }
  if (c < 0x85) return false;
  if (c < 0x2000) return c == 0x85 || c == 0xA0 || c == 0x1680;
  return c <= 0x200A || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

// Returned by FoldCodePoint() for code points that full mode removes.
inline constexpr char32_t kFoldRemoved = 0xFFFFFFFF;

// Applied to each input code point before NFKC_Casefold. Only U+2033 DOUBLE
// PRIME changes (to '"'): NFKC would otherwise split it into two U+2032
// PRIMEs, which fold to two apostrophes, and the rules want one quote.
inline char32_t PreNormalizeMap(char32_t c) { return c == 0x2033 ? U'"' : c; }

// Steps 2 and 3 of full mode, applied to each code point NFKC_Casefold
// produced: punctuation variants unified, Arabic folded. Returns the
// replacement, or kFoldRemoved for diacritics and tatweel. Every result is a
// fixed point (FoldCodePoint(FoldCodePoint(c)) == FoldCodePoint(c)).
char32_t FoldCodePoint(char32_t c);

// Full-mode normalisation that asks ICU about every code point: the same
// segmentation and output rules as Normalizer with NormalizeMode::kFull, but
// no precomputed table. The reference for the differential tests and the
// IcuOnly benchmark. Thread-safe.
void NormalizeFullWithIcuOnly(absl::string_view utf8, bool record_offsets,
                              NormalizedText* out);

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_NORMALIZE_INTERNAL_H_
