// Finding and replacing invalid UTF-8 the way Unicode recommends: each
// maximal subpart of an ill-formed sequence (the longest prefix of a
// well-formed sequence, at least one byte) becomes one U+FFFD. The JSON
// writer and the corpus loader share this so that a record's sanitised text
// and its JSON rendering agree on where replacements go.
#ifndef NEARDUP_SRC_INTERNAL_UTF8_REPAIR_H_
#define NEARDUP_SRC_INTERNAL_UTF8_REPAIR_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace neardup::internal {

inline constexpr absl::string_view kUtf8Replacement = "\xEF\xBF\xBD";

// Examines the sequence starting at text[pos] (pos < text.size()). Returns
// its length in bytes if it is well-formed UTF-8 (1 to 4). Otherwise
// returns 0 and sets *invalid_length to the length of the maximal subpart to
// replace (1 to 3).
inline size_t Utf8SequenceLength(absl::string_view text, size_t pos,
                                 size_t* invalid_length) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  const unsigned char b0 = s[pos];
  if (b0 < 0x80) return 1;
  size_t need;
  unsigned char lo = 0x80, hi = 0xBF;  // Range of the second byte.
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    if (b0 == 0xE0) lo = 0xA0;  // Overlong.
    if (b0 == 0xED) hi = 0x9F;  // Surrogates.
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    if (b0 == 0xF0) lo = 0x90;  // Overlong.
    if (b0 == 0xF4) hi = 0x8F;  // Above U+10FFFF.
  } else {
    *invalid_length = 1;
    return 0;
  }
  for (size_t k = 1; k <= need; ++k) {
    if (pos + k >= n) {
      *invalid_length = k;
      return 0;
    }
    const unsigned char b = s[pos + k];
    const unsigned char min = k == 1 ? lo : 0x80;
    const unsigned char max = k == 1 ? hi : 0xBF;
    if (b < min || b > max) {
      *invalid_length = k;
      return 0;
    }
  }
  return need + 1;
}

// Appends `text` to `out` with every invalid sequence replaced by U+FFFD.
// Returns the number of replacements.
inline size_t AppendSanitizedUtf8(absl::string_view text, std::string* out) {
  size_t replaced = 0;
  size_t run_begin = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      ++pos;
      continue;
    }
    size_t invalid = 0;
    size_t length = Utf8SequenceLength(text, pos, &invalid);
    if (length != 0) {
      pos += length;
      continue;
    }
    out->append(text.data() + run_begin, pos - run_begin);
    out->append(kUtf8Replacement.data(), kUtf8Replacement.size());
    ++replaced;
    pos += invalid;
    run_begin = pos;
  }
  out->append(text.data() + run_begin, text.size() - run_begin);
  return replaced;
}

}  // namespace neardup::internal

#endif  // NEARDUP_SRC_INTERNAL_UTF8_REPAIR_H_
