#include "neardup/normalize.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>
#include <unicode/utf16.h>
#include <unicode/utypes.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "src/internal/normalize_internal.h"
#include "src/internal/utf8.h"

namespace neardup {
namespace internal {

char32_t FoldCodePoint(char32_t c) {
  if (c < 0x80) return c;
  switch (c) {
    // Double quotes. U+2033 DOUBLE PRIME normally never gets here (see
    // PreNormalizeMap) and U+FF02 becomes '"' in NFKC already; both are
    // listed so the fold is right on its own.
    case 0x00AB:
    case 0x00BB:
    case 0x201C:
    case 0x201D:
    case 0x201E:
    case 0x201F:
    case 0x2033:
    case 0x301D:
    case 0x301E:
    case 0xFF02:
      return U'"';
    // Single quotes.
    case 0x2018:
    case 0x2019:
    case 0x201A:
    case 0x201B:
    case 0x2032:
    case 0x2039:
    case 0x203A:
      return U'\'';
    // Dashes. U+FE58, U+FE63 and U+FF0D are compatibility forms that NFKC
    // maps to U+2014 and '-'; listed for the same reason as above.
    case 0x2010:
    case 0x2011:
    case 0x2012:
    case 0x2013:
    case 0x2014:
    case 0x2015:
    case 0x2212:
    case 0xFE58:
    case 0xFE63:
    case 0xFF0D:
      return U'-';
    // Arabic punctuation.
    case 0x060C:
      return U',';
    case 0x061B:
      return U';';
    case 0x061F:
      return U'?';
    case 0x066A:
      return U'%';
    case 0x066B:
      return U'.';
    case 0x066C:
      return U',';
    case 0x06D4:
      return U'.';
    // Arabic letters.
    case 0x0622:  // alef with madda above
    case 0x0623:  // alef with hamza above
    case 0x0625:  // alef with hamza below
    case 0x0671:  // alef wasla
      return 0x0627;
    case 0x0649:  // alef maqsura
      return 0x064A;
    case 0x0629:  // taa marbuta
      return 0x0647;
    case 0x0640:  // tatweel
    case 0x0670:  // superscript alef
      return kFoldRemoved;
    default:
      break;
  }
  if (c >= 0x064B && c <= 0x065F) return kFoldRemoved;  // harakat
  if (c >= 0x0660 && c <= 0x0669) return U'0' + (c - 0x0660);
  if (c >= 0x06F0 && c <= 0x06F9) return U'0' + (c - 0x06F0);
  return c;
}

}  // namespace internal

namespace {

using internal::DecodeUtf8CodePoint;
using internal::FoldCodePoint;
using internal::IsPythonWhitespace;
using internal::kFoldRemoved;
using internal::PreNormalizeMap;

// Collects output code points (and their spans), collapsing white space on
// the way: a white-space code point directly after another becomes part of
// it, and one before any other output is dropped. Writes straight into the
// NormalizedText's vectors, which keep their capacity across calls.
template <bool kRecordOffsets>
class Sink {
 public:
  explicit Sink(NormalizedText* out) : out_(out) {
    // Whatever the vectors hold from the previous text is room that costs
    // nothing to overwrite, unlike room that resize() must zero-fill.
    if constexpr (kRecordOffsets) {
      capacity_ = std::min({out->code_points.size(), out->source_begin.size(),
                            out->source_end.size()});
      begins_ = out->source_begin.data();
      ends_ = out->source_end.data();
    } else {
      capacity_ = out->code_points.size();
      out->source_begin.clear();
      out->source_end.clear();
    }
    code_points_ = out->code_points.data();
  }

  // Makes room for `n` more code points.
  ABSL_ATTRIBUTE_ALWAYS_INLINE void Reserve(size_t n) {
    if (ABSL_PREDICT_FALSE(size_ + n > capacity_)) {
      // The vectors grow a chunk at a time because resize() zero-fills:
      // sizing for the worst case up front would fill far more than most
      // text uses. Their capacity stays, so steady state never allocates.
      // (Their size stays too, see the constructor.)
      capacity_ = std::max(size_ + n, capacity_ + kChunk);
      Grow(capacity_, out_);
      code_points_ = out_->code_points.data();
      if constexpr (kRecordOffsets) {
        begins_ = out_->source_begin.data();
        ends_ = out_->source_end.data();
      }
    }
  }

  // Adds `c`, produced by input bytes [begin, end). `is_space` must equal
  // IsPythonWhitespace(c). Needs room for one more code point reserved.
  // (Branches beat a branch-free version here: measured 1.8x faster on
  // Arabic news, where the predictor learns the rhythm of words and spaces.)
  ABSL_ATTRIBUTE_ALWAYS_INLINE void Put(char32_t c, bool is_space,
                                        uint32_t begin, uint32_t end) {
    if (is_space) {
      if (last_is_space_) {
        ExtendLast(end);
        return;
      }
      if (size_ == 0) return;
      c = U' ';
    }
    last_is_space_ = is_space;
    code_points_[size_] = c;
    if constexpr (kRecordOffsets) {
      begins_[size_] = begin;
      ends_[size_] = end;
    }
    ++size_;
  }

  // Input bytes up to `end` that produced nothing join the previous output
  // code point's span. Before the first output they belong to no span, like
  // dropped leading white space.
  ABSL_ATTRIBUTE_ALWAYS_INLINE void ExtendLast(uint32_t end) {
    if constexpr (kRecordOffsets) {
      if (size_ > 0) ends_[size_ - 1] = end;
    }
  }

  void Finish() {
    out_->code_points.resize(size_);
    if constexpr (kRecordOffsets) {
      out_->source_begin.resize(size_);
      out_->source_end.resize(size_);
    }
  }

 private:
  static constexpr size_t kChunk = 4096;

  // Static, so that no pointer to the Sink escapes and its members can stay
  // in registers.
  ABSL_ATTRIBUTE_NOINLINE static void Grow(size_t capacity,
                                           NormalizedText* out) {
    out->code_points.resize(capacity);
    if constexpr (kRecordOffsets) {
      out->source_begin.resize(capacity);
      out->source_end.resize(capacity);
    }
  }

  NormalizedText* out_;
  char32_t* code_points_ = nullptr;
  uint32_t* begins_ = nullptr;
  uint32_t* ends_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
  bool last_is_space_ = false;
};

// Full-mode output (NFKC_Casefold, then FoldCodePoint) of single code points
// in the ranges where most news text lives, precomputed from ICU.
class FastTable {
 public:
  enum Flags : uint8_t {
    // ICU's hasBoundaryBefore(): normalisation never reaches back across
    // this code point.
    kBoundaryBefore = 1,
    // Has no boundary before it, yet cannot change the code points before
    // it and leaves no output of its own: either NFKC_Casefold maps it to
    // nothing (default-ignorables such as U+200F or U+00AD), or it is a
    // diacritic that full mode removes, has a nonzero combining class,
    // NFKC_Casefold leaves it alone and no canonical composition has it as
    // its second part. A segment made of a code point plus such code points
    // therefore normalises to the first code point's own entry.
    kVanishesAfterStarter = 2,
    // The single output code point is white space.
    kOutputIsSpace = 4,
  };

  struct Entry {
    char32_t single;       // the output when length == 1
    uint16_t pool_offset;  // where the output starts in pool_ when length > 1
    uint8_t length;        // number of output code points
    uint8_t flags;
  };

  // [0, 0x700): ASCII, Latin, Greek, Cyrillic, Hebrew and the Arabic block.
  // [0x2000, 0x2070): General Punctuation (quotes, dashes, bidi marks).
  static constexpr char32_t kLowEnd = 0x700;
  static constexpr char32_t kPunctBegin = 0x2000;
  static constexpr char32_t kPunctSize = 0x70;
  static constexpr size_t kSize = kLowEnd + kPunctSize;

  static absl::StatusOr<FastTable> Build(const icu::Normalizer2& nfkc_cf);

  ABSL_ATTRIBUTE_ALWAYS_INLINE const Entry* Find(char32_t c) const {
    if (c < kLowEnd) return &entries_[c];
    if (c - kPunctBegin < kPunctSize) {
      return &entries_[kLowEnd + (c - kPunctBegin)];
    }
    return nullptr;
  }

  // Find() for c < kLowEnd.
  ABSL_ATTRIBUTE_ALWAYS_INLINE const Entry* FindLow(char32_t c) const {
    return &entries_[c];
  }

  const char32_t* Output(const Entry& entry) const {
    return entry.length == 1 ? &entry.single : &pool_[entry.pool_offset];
  }

 private:
  static char32_t CodePointAt(size_t index) {
    return index < kLowEnd
               ? static_cast<char32_t>(index)
               : kPunctBegin + static_cast<char32_t>(index - kLowEnd);
  }

  std::array<Entry, kSize> entries_;
  std::vector<char32_t> pool_;
};

// Diacritics that FoldCodePoint removes, minus U+0653..U+0655 (madda and
// hamza above and below), which compose with a preceding alef, waw, yaa or
// heh. normalize_test checks against ICU's data that nothing else here is
// the second part of a canonical composition.
bool IsNonComposingRemovedMark(char32_t c) {
  return (c >= 0x064B && c <= 0x0652) || (c >= 0x0656 && c <= 0x065F) ||
         c == 0x0670;
}

absl::StatusOr<FastTable> FastTable::Build(const icu::Normalizer2& nfkc_cf) {
  FastTable table;
  for (size_t index = 0; index < kSize; ++index) {
    const char32_t c = CodePointAt(index);
    UErrorCode status = U_ZERO_ERROR;
    icu::UnicodeString source(static_cast<UChar32>(PreNormalizeMap(c)));
    icu::UnicodeString normalized = nfkc_cf.normalize(source, status);
    if (U_FAILURE(status)) {
      return absl::InternalError(absl::StrCat(
          "ICU NFKC_Casefold failed on U+", absl::Hex(static_cast<uint32_t>(c)),
          ": ", u_errorName(status)));
    }
    std::vector<char32_t> output;
    for (int32_t i = 0; i < normalized.length();) {
      const UChar32 n = normalized.char32At(i);
      i += U16_LENGTH(n);
      const char32_t folded = FoldCodePoint(static_cast<char32_t>(n));
      if (folded != kFoldRemoved) output.push_back(folded);
    }
    Entry& entry = table.entries_[index];
    entry = Entry{0, 0, static_cast<uint8_t>(output.size()), 0};
    if (output.size() == 1) {
      entry.single = output[0];
      if (IsPythonWhitespace(output[0])) entry.flags |= kOutputIsSpace;
    } else if (output.size() > 1) {
      entry.pool_offset = static_cast<uint16_t>(table.pool_.size());
      table.pool_.insert(table.pool_.end(), output.begin(), output.end());
    }
    const bool boundary_before = nfkc_cf.hasBoundaryBefore(c);
    if (boundary_before) entry.flags |= kBoundaryBefore;
    const bool removed_mark = IsNonComposingRemovedMark(c) &&
                              nfkc_cf.getCombiningClass(c) != 0 &&
                              normalized == source;
    if (!boundary_before && output.empty() &&
        (normalized.isEmpty() || removed_mark)) {
      entry.flags |= kVanishesAfterStarter;
    }
  }
  return table;
}

template <bool kRecordOffsets>
void NormalizeWhitespace(absl::string_view utf8, NormalizedText* out) {
  const auto* const base = reinterpret_cast<const uint8_t*>(utf8.data());
  const uint8_t* const end = base + utf8.size();
  Sink<kRecordOffsets> sink(out);
  size_t invalid = 0;
  for (const uint8_t* p = base; p < end;) {
    char32_t c;
    bool bad = false;
    const uint32_t length = DecodeUtf8CodePoint(p, end, &c, &bad);
    invalid += bad;
    const auto at = static_cast<uint32_t>(p - base);
    sink.Reserve(1);
    sink.Put(c, IsPythonWhitespace(c), at, at + length);
    p += length;
  }
  sink.Finish();
  out->invalid_utf8 = invalid;
}

// Normalises the segment [begin, end) of the input (a code point with a
// boundary before it and the code points up to the next boundary) with ICU.
// The result stays valid until the next call on this thread. Not inlined,
// and given no Sink, so that the Sink in the caller's hot loop can live in
// registers.
ABSL_ATTRIBUTE_NOINLINE const icu::UnicodeString& NormalizeSegmentWithIcu(
    const icu::Normalizer2& nfkc_cf, const uint8_t* begin, const uint8_t* end) {
  // Per-thread scratch, so that even segments too long for a string's inline
  // buffer (a letter with dozens of marks) allocate only the first time.
  // Buffers grown by a freak segment are dropped rather than kept for the
  // thread's lifetime.
  constexpr int32_t kMaxKeptCapacity = 1 << 12;
  thread_local icu::UnicodeString segment;
  thread_local icu::UnicodeString normalized;
  if (segment.getCapacity() > kMaxKeptCapacity) segment = icu::UnicodeString();
  if (normalized.getCapacity() > kMaxKeptCapacity) {
    normalized = icu::UnicodeString();
  }
  segment.remove();
  for (const uint8_t* p = begin; p < end;) {
    char32_t c;
    bool bad = false;  // already counted when the segment was found
    p += DecodeUtf8CodePoint(p, end, &c, &bad);
    segment.append(static_cast<UChar32>(PreNormalizeMap(c)));
  }
  UErrorCode status = U_ZERO_ERROR;
  nfkc_cf.normalize(segment, normalized, status);
  // ICU fails only when out of memory; the segment then passes through
  // unnormalised rather than being lost.
  return U_SUCCESS(status) ? normalized : segment;
}

// Where full mode stands: the segment starting at `p` begins with code
// point `c` of `length` bytes, whose table entry is `entry` (or null).
struct FastCursor {
  const uint8_t* p;
  char32_t c;
  uint32_t length;
  const FastTable::Entry* entry;
};

// Full mode's common case on its own: while the current segment's code
// point has a one-code-point entry and the next code point is ASCII or
// two-byte, in the table and starts a new segment, emit the entry and move
// on. Everything else returns to the general loop. Being a function of its
// own, with its own copies of the cursor and the sink, lets the compiler
// keep the loop's state in registers. (Branch-free decoding was tried and
// measured slower: the branches here are well predicted on news text.)
template <bool kRecordOffsets>
ABSL_ATTRIBUTE_NOINLINE void RunFastPath(const FastTable& table,
                                         const uint8_t* const base,
                                         const uint8_t* const end,
                                         FastCursor* cursor,
                                         Sink<kRecordOffsets>* sink_out) {
  Sink<kRecordOffsets> sink = *sink_out;
  const uint8_t* p = cursor->p;
  char32_t c = cursor->c;
  uint32_t length = cursor->length;
  const FastTable::Entry* entry = cursor->entry;
  while (entry->length == 1 && end - p - length >= 2) {
    const uint8_t* const q = p + length;
    const uint32_t b0 = q[0];
    uint32_t cp;
    uint32_t next_length;
    if (b0 < 0x80) {
      cp = b0;
      next_length = 1;
    } else if (b0 - 0xC2 <= 0xDF - 0xC2 && (q[1] & 0xC0) == 0x80) {
      cp = ((b0 & 0x1F) << 6) | (q[1] & 0x3F);
      next_length = 2;
    } else {
      break;
    }
    if (cp >= FastTable::kLowEnd) break;
    const FastTable::Entry* const next = table.FindLow(cp);
    if ((next->flags & FastTable::kBoundaryBefore) == 0) break;
    sink.Reserve(1);
    sink.Put(entry->single, (entry->flags & FastTable::kOutputIsSpace) != 0,
             static_cast<uint32_t>(p - base), static_cast<uint32_t>(q - base));
    p = q;
    c = cp;
    length = next_length;
    entry = next;
  }
  *cursor = FastCursor{p, c, length, entry};
  *sink_out = sink;
}

// Full mode. Cuts the input into segments at ICU's normalisation boundaries
// (NFKC of a string is the concatenation of the NFKC of its segments) and
// normalises each segment from `table` when it can answer, otherwise with
// ICU. Without kUseTable every segment goes to ICU (the reference path).
template <bool kRecordOffsets, bool kUseTable>
void NormalizeFull(const icu::Normalizer2& nfkc_cf, const FastTable* table,
                   absl::string_view utf8, NormalizedText* out) {
  const auto* const base = reinterpret_cast<const uint8_t*>(utf8.data());
  const uint8_t* const end = base + utf8.size();
  Sink<kRecordOffsets> sink(out);
  size_t invalid = 0;
  const auto find = [table](char32_t c) -> const FastTable::Entry* {
    if constexpr (kUseTable) {
      return table->Find(c);
    } else {
      (void)table;  // The reference path has no table.
      return nullptr;
    }
  };
  if (base == end) {
    sink.Finish();
    out->invalid_utf8 = 0;
    return;
  }
  // The current segment starts at `p` with code point `c` of `length` bytes.
  const uint8_t* p = base;
  char32_t c;
  bool bad = false;
  uint32_t length = DecodeUtf8CodePoint(p, end, &c, &bad);
  invalid += bad;
  const FastTable::Entry* entry = find(c);
  for (;;) {
    if constexpr (kUseTable) {
      if (entry != nullptr && entry->length == 1) {
        FastCursor cursor{p, c, length, entry};
        RunFastPath(*table, base, end, &cursor, &sink);
        p = cursor.p;
        c = cursor.c;
        length = cursor.length;
        entry = cursor.entry;
      }
    }
    const char32_t first = c;
    // Extend the segment [p, q) up to the next boundary, where `c`,
    // `length` and `next` describe the code point that starts the next one.
    const uint8_t* q = p + length;
    const ptrdiff_t length_of_first = length;
    const FastTable::Entry* next = nullptr;
    bool rest_vanishes = true;
    while (q < end) {
      bad = false;
      length = DecodeUtf8CodePoint(q, end, &c, &bad);
      invalid += bad;
      next = find(c);
      if (next != nullptr ? (next->flags & FastTable::kBoundaryBefore) != 0
                          : nfkc_cf.hasBoundaryBefore(c)) {
        break;
      }
      rest_vanishes = rest_vanishes && next != nullptr &&
                      (next->flags & FastTable::kVanishesAfterStarter) != 0;
      q += length;
    }
    const auto segment_begin = static_cast<uint32_t>(p - base);
    const auto segment_end = static_cast<uint32_t>(q - base);
    if (ABSL_PREDICT_TRUE(entry != nullptr && rest_vanishes)) {
      if (ABSL_PREDICT_TRUE(entry->length == 1)) {
        sink.Reserve(1);
        sink.Put(entry->single, (entry->flags & FastTable::kOutputIsSpace) != 0,
                 segment_begin, segment_end);
      } else if (entry->length == 0) {
        sink.ExtendLast(segment_end);
      } else {
        sink.Reserve(entry->length);
        const char32_t* output = table->Output(*entry);
        for (int i = 0; i < entry->length; ++i) {
          sink.Put(output[i], IsPythonWhitespace(output[i]), segment_begin,
                   segment_end);
        }
      }
    } else if (kUseTable && entry == nullptr && q - p == length_of_first &&
               nfkc_cf.isInert(first)) {
      // Outside the table, a lone code point that NFKC_Casefold leaves
      // alone (CJK, emoji, U+FFFD) needs only the fold: a virtual call
      // instead of a round trip through UnicodeStrings.
      const char32_t folded = FoldCodePoint(first);
      if (folded == kFoldRemoved) {
        sink.ExtendLast(segment_end);
      } else {
        sink.Reserve(1);
        sink.Put(folded, IsPythonWhitespace(folded), segment_begin,
                 segment_end);
      }
    } else {
      const icu::UnicodeString& normalized =
          NormalizeSegmentWithIcu(nfkc_cf, p, q);
      const int32_t units = normalized.length();
      // At most one code point per UTF-16 unit.
      sink.Reserve(static_cast<size_t>(units));
      bool emitted = false;
      for (int32_t i = 0; i < units;) {
        const UChar32 n = normalized.char32At(i);
        i += U16_LENGTH(n);
        const char32_t folded = FoldCodePoint(static_cast<char32_t>(n));
        if (folded == kFoldRemoved) continue;
        sink.Put(folded, IsPythonWhitespace(folded), segment_begin,
                 segment_end);
        emitted = true;
      }
      if (!emitted) sink.ExtendLast(segment_end);
    }
    if (q == end) break;
    p = q;
    entry = next;
  }
  sink.Finish();
  out->invalid_utf8 = invalid;
}

absl::StatusOr<const icu::Normalizer2*> GetNfkcCasefold() {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc_cf =
      icu::Normalizer2::getNFKCCasefoldInstance(status);
  if (U_FAILURE(status) || nfkc_cf == nullptr) {
    return absl::InternalError(absl::StrCat(
        "cannot load ICU's NFKC_Casefold data: ", u_errorName(status),
        "; check that the ICU data library (libicudata) is "
        "installed and matches libicuuc"));
  }
  return nfkc_cf;
}

}  // namespace

namespace internal {

void NormalizeFullWithIcuOnly(absl::string_view utf8, bool record_offsets,
                              NormalizedText* out) {
  out->Clear();
  absl::StatusOr<const icu::Normalizer2*> nfkc_cf = GetNfkcCasefold();
  if (!nfkc_cf.ok()) return;
  if (record_offsets) {
    NormalizeFull<true, false>(**nfkc_cf, nullptr, utf8, out);
  } else {
    NormalizeFull<false, false>(**nfkc_cf, nullptr, utf8, out);
  }
}

}  // namespace internal

struct Normalizer::Tables {
  const icu::Normalizer2* nfkc_cf = nullptr;  // owned by ICU
  FastTable fast;
};

absl::string_view NormalizeModeName(NormalizeMode mode) {
  switch (mode) {
    case NormalizeMode::kNone:
      return "none";
    case NormalizeMode::kWhitespace:
      return "ws";
    case NormalizeMode::kFull:
      return "full";
  }
  return "unknown";
}

absl::StatusOr<NormalizeMode> ParseNormalizeMode(absl::string_view name) {
  if (name == "none") return NormalizeMode::kNone;
  if (name == "ws") return NormalizeMode::kWhitespace;
  if (name == "full") return NormalizeMode::kFull;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown normalisation mode \"", name,
                   "\"; expected \"none\", \"ws\" or \"full\""));
}

absl::StatusOr<Normalizer> Normalizer::Create(const NormalizeOptions& options) {
  auto tables = std::make_unique<Tables>();
  if (options.mode == NormalizeMode::kFull) {
    absl::StatusOr<const icu::Normalizer2*> nfkc_cf = GetNfkcCasefold();
    if (!nfkc_cf.ok()) return nfkc_cf.status();
    tables->nfkc_cf = *nfkc_cf;
    absl::StatusOr<FastTable> fast = FastTable::Build(**nfkc_cf);
    if (!fast.ok()) return fast.status();
    tables->fast = *std::move(fast);
  }
  return Normalizer(options, std::move(tables));
}

Normalizer::Normalizer(NormalizeOptions options,
                       std::unique_ptr<const Tables> tables)
    : options_(options), tables_(std::move(tables)) {}

Normalizer::Normalizer(Normalizer&&) noexcept = default;
Normalizer& Normalizer::operator=(Normalizer&&) noexcept = default;
Normalizer::~Normalizer() = default;

void Normalizer::Normalize(absl::string_view utf8, NormalizedText* out) const {
  const bool record = options_.record_offsets;
  switch (options_.mode) {
    case NormalizeMode::kNone: {
      out->invalid_utf8 = internal::DecodeUtf8(
          utf8, &out->code_points, record ? &out->source_begin : nullptr);
      if (record) {
        const size_t count = out->source_begin.size();
        out->source_end.resize(count);
        for (size_t i = 0; i + 1 < count; ++i) {
          out->source_end[i] = out->source_begin[i + 1];
        }
        if (count > 0) {
          out->source_end[count - 1] = static_cast<uint32_t>(utf8.size());
        }
      } else {
        out->source_begin.clear();
        out->source_end.clear();
      }
      return;
    }
    case NormalizeMode::kWhitespace:
      if (record) {
        NormalizeWhitespace<true>(utf8, out);
      } else {
        NormalizeWhitespace<false>(utf8, out);
      }
      return;
    case NormalizeMode::kFull:
      if (record) {
        NormalizeFull<true, true>(*tables_->nfkc_cf, &tables_->fast, utf8, out);
      } else {
        NormalizeFull<false, true>(*tables_->nfkc_cf, &tables_->fast, utf8,
                                   out);
      }
      return;
  }
  out->Clear();  // not a NormalizeMode
}

}  // namespace neardup
