// UTF-8 decoding and encoding for the text stages.
//
// Decoding never fails: each invalid sequence becomes one U+FFFD, using the
// Unicode standard's "maximal subpart" rule (also WHATWG's): a lead byte
// followed by the longest run of bytes that could still start a well-formed
// sequence is replaced as a unit, and the byte that broke the sequence is
// decoded afresh. Overlong forms, surrogates (ED A0..BF), values above
// U+10FFFF, truncated sequences and stray continuation bytes are all invalid.
//
// Example:
//
//   std::vector<char32_t> code_points;
//   std::vector<uint32_t> offsets;
//   size_t invalid = neardup::internal::DecodeUtf8("a\xC3\xA9\xFF",
//   &code_points,
//                                                 &offsets);
//   // code_points == {'a', U+00E9, U+FFFD}, offsets == {0, 1, 3}, invalid == 1
#ifndef NEARDUP_SRC_INTERNAL_UTF8_H_
#define NEARDUP_SRC_INTERNAL_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "absl/strings/string_view.h"

namespace neardup::internal {

inline constexpr char32_t kReplacementCharacter = 0xFFFD;
inline constexpr char32_t kMaxCodePoint = 0x10FFFF;

// Decodes the code point starting at `p` (which must be < `end`). Stores it
// in `*code_point` and returns the number of bytes it used (1 to 4). For an
// invalid sequence stores U+FFFD, returns the length of its maximal subpart
// (1 to 3) and sets `*invalid` to true; otherwise leaves `*invalid` alone.
ABSL_ATTRIBUTE_ALWAYS_INLINE inline uint32_t DecodeUtf8CodePoint(
    const uint8_t* p, const uint8_t* end, char32_t* code_point, bool* invalid) {
  const uint32_t b0 = p[0];
  if (ABSL_PREDICT_TRUE(b0 < 0x80)) {
    *code_point = b0;
    return 1;
  }
  const ptrdiff_t avail = end - p;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    if (ABSL_PREDICT_TRUE(avail >= 2 && (p[1] & 0xC0) == 0x80)) {
      *code_point = ((b0 & 0x1F) << 6) | (p[1] & 0x3F);
      return 2;
    }
    *code_point = kReplacementCharacter;
    *invalid = true;
    return 1;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    // Second-byte ranges exclude overlongs (E0 80..9F) and surrogates
    // (ED A0..BF).
    const uint32_t lo = b0 == 0xE0 ? 0xA0 : 0x80;
    const uint32_t hi = b0 == 0xED ? 0x9F : 0xBF;
    if (avail < 2 || p[1] < lo || p[1] > hi) {
      *code_point = kReplacementCharacter;
      *invalid = true;
      return 1;
    }
    if (avail < 3 || (p[2] & 0xC0) != 0x80) {
      *code_point = kReplacementCharacter;
      *invalid = true;
      return 2;
    }
    *code_point = ((b0 & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F);
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    // Second-byte ranges exclude overlongs (F0 80..8F) and values above
    // U+10FFFF (F4 90..BF).
    const uint32_t lo = b0 == 0xF0 ? 0x90 : 0x80;
    const uint32_t hi = b0 == 0xF4 ? 0x8F : 0xBF;
    if (avail < 2 || p[1] < lo || p[1] > hi) {
      *code_point = kReplacementCharacter;
      *invalid = true;
      return 1;
    }
    if (avail < 3 || (p[2] & 0xC0) != 0x80) {
      *code_point = kReplacementCharacter;
      *invalid = true;
      return 2;
    }
    if (avail < 4 || (p[3] & 0xC0) != 0x80) {
      *code_point = kReplacementCharacter;
      *invalid = true;
      return 3;
    }
    *code_point = ((b0 & 0x07) << 18) | ((p[1] & 0x3F) << 12) |
                  ((p[2] & 0x3F) << 6) | (p[3] & 0x3F);
    return 4;
  }
  // Stray continuation byte (80..BF), overlong lead (C0, C1) or a byte that
  // never occurs in UTF-8 (F5..FF).
  *code_point = kReplacementCharacter;
  *invalid = true;
  return 1;
}

// Decodes all of `utf8`, replacing the contents of `*code_points` and, when
// `offsets` is not null, of `*offsets` with the byte offset at which each
// code point (or each invalid sequence) starts. Returns the number of invalid
// sequences. `utf8` must be shorter than 4 GiB when offsets are wanted.
size_t DecodeUtf8(absl::string_view utf8, std::vector<char32_t>* code_points,
                  std::vector<uint32_t>* offsets = nullptr);

// Writes the UTF-8 form of `code_point` to `out` (room for 4 bytes needed)
// and returns its length. Surrogates and values above U+10FFFF, which have
// no UTF-8 form, are written as U+FFFD.
size_t EncodeUtf8(char32_t code_point, char* out);

// Appends the UTF-8 form of `code_point` to `*out` (U+FFFD for surrogates and
// values above U+10FFFF).
void AppendUtf8(char32_t code_point, std::string* out);

// Appends the UTF-8 form of every code point in [begin, end) to `*out`.
void AppendUtf8(const char32_t* begin, const char32_t* end, std::string* out);

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_UTF8_H_
