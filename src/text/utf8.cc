#include "src/internal/utf8.h"

#include <cstring>

namespace neardup::internal {
namespace {

constexpr uint64_t kHighBits = 0x8080808080808080ULL;

// The decoder writes up to this many code points past the last one it
// keeps, so the output buffers carry this much slack.
constexpr size_t kSlack = 8;

inline uint64_t Load64(const uint8_t* p) {
  uint64_t word;
  std::memcpy(&word, p, sizeof(word));
  return word;
}

// Decodes the code points starting in [p, limit) (the last may run on to
// `end`) into `out` (and `offsets`), which must have room for
// (limit - p) + kSlack entries. Returns where decoding stopped and adds the
// numbers of code points and of invalid sequences to `*count` and
// `*invalid`.
template <bool kRecordOffsets>
const uint8_t* DecodeRange(const uint8_t* const base, const uint8_t* p,
                           const uint8_t* const limit, const uint8_t* const end,
                           char32_t* out, uint32_t* offsets, size_t* count,
                           size_t* invalid) {
  char32_t* o = out;
  size_t invalid_count = 0;
  while (p < limit) {
    if (*p < 0x80) {
      // ASCII: widen 8 bytes at a time and keep as many as are ASCII. The
      // extra code points written land in the slack or are overwritten.
      while (limit - p >= 8) {
        const uint64_t word = Load64(p);
        const uint64_t high = word & kHighBits;
        for (int i = 0; i < 8; ++i) {
          o[i] = static_cast<char32_t>((word >> (8 * i)) & 0xFF);
        }
        if constexpr (kRecordOffsets) {
          const auto at = static_cast<uint32_t>(p - base);
          for (int i = 0; i < 8; ++i) offsets[i] = at + i;
        }
        if (high != 0) {
          const int ascii = __builtin_ctzll(high) / 8;
          o += ascii;
          p += ascii;
          if constexpr (kRecordOffsets) offsets += ascii;
          break;
        }
        o += 8;
        p += 8;
        if constexpr (kRecordOffsets) offsets += 8;
      }
      while (p < limit && *p < 0x80) {
        *o++ = *p;
        if constexpr (kRecordOffsets) {
          *offsets++ = static_cast<uint32_t>(p - base);
        }
        ++p;
      }
      continue;
    }
    // Runs of two-byte sequences (Arabic, Hebrew, Cyrillic, Greek, most
    // Latin accents) get their own tight loop.
    while (limit - p >= 2) {
      const uint32_t b0 = p[0];
      const uint32_t b1 = p[1];
      if (b0 < 0xC2 || b0 > 0xDF || (b1 & 0xC0) != 0x80) break;
      *o++ = ((b0 & 0x1F) << 6) | (b1 & 0x3F);
      if constexpr (kRecordOffsets) {
        *offsets++ = static_cast<uint32_t>(p - base);
      }
      p += 2;
    }
    if (p >= limit || *p < 0x80) continue;
    bool bad = false;
    const uint32_t length = DecodeUtf8CodePoint(p, end, o, &bad);
    invalid_count += bad;
    ++o;
    if constexpr (kRecordOffsets) *offsets++ = static_cast<uint32_t>(p - base);
    p += length;
  }
  *invalid += invalid_count;
  *count += static_cast<size_t>(o - out);
  return p;
}

}  // namespace

size_t DecodeUtf8(absl::string_view utf8, std::vector<char32_t>* code_points,
                  std::vector<uint32_t>* offsets) {
  const auto* const base = reinterpret_cast<const uint8_t*>(utf8.data());
  const uint8_t* const end = base + utf8.size();
  // Output vectors grow chunk by chunk: resize() zero-fills, and sizing for
  // the worst case (one code point per byte) up front would fill about
  // twice what Arabic text needs.
  constexpr size_t kChunkBytes = 16 << 10;
  size_t count = 0;
  size_t invalid = 0;
  for (const uint8_t* p = base; p < end;) {
    const uint8_t* const limit =
        static_cast<size_t>(end - p) > kChunkBytes ? p + kChunkBytes : end;
    // The last code point may run 3 bytes past `limit`.
    const size_t room = count + static_cast<size_t>(limit - p) + kSlack;
    code_points->resize(room);
    if (offsets != nullptr) {
      offsets->resize(room);
      p = DecodeRange<true>(base, p, limit, end, code_points->data() + count,
                            offsets->data() + count, &count, &invalid);
    } else {
      p = DecodeRange<false>(base, p, limit, end, code_points->data() + count,
                             nullptr, &count, &invalid);
    }
  }
  code_points->resize(count);
  if (offsets != nullptr) offsets->resize(count);
  return invalid;
}

size_t EncodeUtf8(char32_t code_point, char* out) {
  if (code_point < 0x80) {
    out[0] = static_cast<char>(code_point);
    return 1;
  }
  if (code_point < 0x800) {
    out[0] = static_cast<char>(0xC0 | (code_point >> 6));
    out[1] = static_cast<char>(0x80 | (code_point & 0x3F));
    return 2;
  }
  if (code_point > kMaxCodePoint ||
      (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    code_point = kReplacementCharacter;
  }
  if (code_point < 0x10000) {
    out[0] = static_cast<char>(0xE0 | (code_point >> 12));
    out[1] = static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out[2] = static_cast<char>(0x80 | (code_point & 0x3F));
    return 3;
  }
  out[0] = static_cast<char>(0xF0 | (code_point >> 18));
  out[1] = static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
  out[2] = static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
  out[3] = static_cast<char>(0x80 | (code_point & 0x3F));
  return 4;
}

void AppendUtf8(char32_t code_point, std::string* out) {
  char buffer[4];
  out->append(buffer, EncodeUtf8(code_point, buffer));
}

void AppendUtf8(const char32_t* begin, const char32_t* end, std::string* out) {
  char buffer[4];
  for (const char32_t* it = begin; it != end; ++it) {
    out->append(buffer, EncodeUtf8(*it, buffer));
  }
}

}  // namespace neardup::internal
