#include "src/internal/utf8.h"

#include <cstddef>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace neardup::internal {
namespace {

// The decoder writes up to this many code points past the last one it
// keeps, so the output buffers carry this much slack.
constexpr size_t kSlack = 16;

// Bytes the SIMD fast path looks at in one step. Closer than this to the
// end of a chunk, decoding goes one code point at a time.
constexpr ptrdiff_t kBlockBytes = 16;

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
#ifdef __SSE2__
    // Sixteen bytes at a time while they hold only ASCII and complete,
    // well-formed two-byte sequences (Arabic, Hebrew, Cyrillic, Greek, Latin
    // accents), which is nearly all of the news text this serves. The
    // candidate code point at every byte position is computed in SIMD, then
    // the ones at sequence starts are kept, without a branch per code point:
    // branching on each sequence's length costs more in mispredictions on
    // text that alternates between letters and ASCII spaces and digits.
    while (limit - p >= kBlockBytes) {
      const __m128i bytes =
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      const auto at = static_cast<uint32_t>(p - base);
      const __m128i zero = _mm_setzero_si128();
      const uint32_t high = static_cast<uint32_t>(_mm_movemask_epi8(bytes));
      if (high == 0) {
        const __m128i low8 = _mm_unpacklo_epi8(bytes, zero);
        const __m128i high8 = _mm_unpackhi_epi8(bytes, zero);
        auto* o128 = reinterpret_cast<__m128i*>(o);
        _mm_storeu_si128(o128 + 0, _mm_unpacklo_epi16(low8, zero));
        _mm_storeu_si128(o128 + 1, _mm_unpackhi_epi16(low8, zero));
        _mm_storeu_si128(o128 + 2, _mm_unpacklo_epi16(high8, zero));
        _mm_storeu_si128(o128 + 3, _mm_unpackhi_epi16(high8, zero));
        if constexpr (kRecordOffsets) {
          const __m128i first = _mm_add_epi32(
              _mm_set1_epi32(static_cast<int>(at)), _mm_set_epi32(3, 2, 1, 0));
          auto* offsets128 = reinterpret_cast<__m128i*>(offsets);
          for (int i = 0; i < 4; ++i) {
            _mm_storeu_si128(offsets128 + i,
                             _mm_add_epi32(first, _mm_set1_epi32(4 * i)));
          }
          offsets += 16;
        }
        o += 16;
        p += 16;
        continue;
      }
      // As signed bytes: continuation 80..BF is < -64, a two-byte lead
      // C0..DF is in [-64, -33], a longer lead E0..FF is in [-32, -1].
      const uint32_t continuation = static_cast<uint32_t>(
          _mm_movemask_epi8(_mm_cmplt_epi8(bytes, _mm_set1_epi8(-64))));
      const uint32_t long_lead =
          static_cast<uint32_t>(
              _mm_movemask_epi8(_mm_cmpgt_epi8(bytes, _mm_set1_epi8(-33)))) &
          high;
      const uint32_t lead = high & ~continuation & ~long_lead;
      const uint32_t overlong = static_cast<uint32_t>(_mm_movemask_epi8(
          _mm_cmpeq_epi8(_mm_and_si128(bytes, _mm_set1_epi8(-2)),
                         _mm_set1_epi8(static_cast<char>(0xC0)))));
      // Every continuation byte follows a lead and every lead (but one in
      // the last byte, left for the next round) has its continuation.
      if ((long_lead | overlong) != 0 ||
          ((lead << 1) & 0xFFFF) != continuation) {
        break;
      }
      const uint32_t last_is_lead = lead >> 15;
      const uint32_t starts = ~continuation & (0xFFFF >> last_is_lead);
      // The code point each position would start, in 16-bit lanes.
      const __m128i next = _mm_srli_si128(bytes, 1);
      const __m128i lead_bits = _mm_set1_epi16(0x1F);
      const __m128i tail_bits = _mm_set1_epi16(0x3F);
      alignas(16) uint16_t candidates[16];
      for (int half = 0; half < 2; ++half) {
        const __m128i b0 = half == 0 ? _mm_unpacklo_epi8(bytes, zero)
                                     : _mm_unpackhi_epi8(bytes, zero);
        const __m128i b1 = half == 0 ? _mm_unpacklo_epi8(next, zero)
                                     : _mm_unpackhi_epi8(next, zero);
        const __m128i two_byte =
            _mm_or_si128(_mm_slli_epi16(_mm_and_si128(b0, lead_bits), 6),
                         _mm_and_si128(b1, tail_bits));
        const __m128i is_lead =
            _mm_and_si128(_mm_cmpgt_epi16(b0, _mm_set1_epi16(0xBF)),
                          _mm_cmplt_epi16(b0, _mm_set1_epi16(0xE0)));
        _mm_store_si128(reinterpret_cast<__m128i*>(candidates + 8 * half),
                        _mm_or_si128(_mm_and_si128(is_lead, two_byte),
                                     _mm_andnot_si128(is_lead, b0)));
      }
      for (int i = 0; i < 16; ++i) {
        // Written at every position; only starts advance the output.
        *o = candidates[i];
        const size_t step = (starts >> i) & 1;
        o += step;
        if constexpr (kRecordOffsets) {
          *offsets = at + i;
          offsets += step;
        }
      }
      p += 16 - last_is_lead;
    }
#endif
    if (p >= limit) break;
    // The rest one code point at a time: three- and four-byte sequences,
    // invalid bytes and the last few bytes before `limit`.
    do {
      bool bad = false;
      const uint32_t length = DecodeUtf8CodePoint(p, end, o, &bad);
      invalid_count += bad;
      ++o;
      if constexpr (kRecordOffsets) {
        *offsets++ = static_cast<uint32_t>(p - base);
      }
      p += length;
    } while (p < limit && (limit - p < kBlockBytes || *p >= 0xE0));
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
  // twice what Arabic text needs. Entries left from earlier contents are
  // overwritten, not refilled.
  constexpr size_t kChunkBytes = 16 << 10;
  size_t count = 0;
  size_t invalid = 0;
  for (const uint8_t* p = base; p < end;) {
    const uint8_t* const limit =
        static_cast<size_t>(end - p) > kChunkBytes ? p + kChunkBytes : end;
    // The last code point may run 3 bytes past `limit`.
    const size_t room = count + static_cast<size_t>(limit - p) + kSlack;
    if (code_points->size() < room) code_points->resize(room);
    if (offsets != nullptr) {
      if (offsets->size() < room) offsets->resize(room);
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
