#include "neardup/normalize.h"

#include <unicode/normalizer2.h>
#include <unicode/uclean.h>
#include <unicode/unistr.h>
#include <unicode/utf16.h>
#include <zstd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <new>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/attributes.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "src/internal/normalize_internal.h"
#include "src/internal/utf8.h"
#include "tests/support/status_matchers.h"

// Counts heap allocations made by this thread, through operator new and
// through ICU's allocator, to check that steady-state normalisation
// allocates nothing.
namespace {
thread_local size_t allocations = 0;

void* U_CALLCONV CountingMalloc(const void*, size_t size) {
  ++allocations;
  return std::malloc(size);
}
void* U_CALLCONV CountingRealloc(const void*, void* p, size_t size) {
  ++allocations;
  return std::realloc(p, size);
}
void U_CALLCONV CountingFree(const void*, void* p) { std::free(p); }

// Installed before main(), while ICU is still unused.
const bool icu_allocator_installed = [] {
  UErrorCode status = U_ZERO_ERROR;
  u_setMemoryFunctions(nullptr, CountingMalloc, CountingRealloc, CountingFree,
                       &status);
  return U_SUCCESS(status);
}();
}  // namespace

void* operator new(size_t size) {
  ++allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
// Not inlined: GCC 12 otherwise warns (-Wmismatched-new-delete) that free()
// receives memory from operator new, which is exactly what the operator new
// above hands out.
ABSL_ATTRIBUTE_NOINLINE void operator delete(void* p) noexcept { std::free(p); }
ABSL_ATTRIBUTE_NOINLINE void operator delete(void* p, size_t) noexcept {
  std::free(p);
}

namespace neardup {
namespace {

using ::neardup::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string Utf8(const std::u32string& text) {
  std::string out;
  internal::AppendUtf8(text.data(), text.data() + text.size(), &out);
  return out;
}

std::u32string CodePoints(const NormalizedText& text) {
  return std::u32string(text.code_points.begin(), text.code_points.end());
}

Normalizer MakeNormalizer(NormalizeMode mode, bool record_offsets = true) {
  absl::StatusOr<Normalizer> normalizer =
      Normalizer::Create({.mode = mode, .record_offsets = record_offsets});
  EXPECT_TRUE(normalizer.ok()) << normalizer.status();
  return *std::move(normalizer);
}

NormalizedText NormalizeWith(NormalizeMode mode, absl::string_view utf8) {
  NormalizedText out;
  MakeNormalizer(mode).Normalize(utf8, &out);
  return out;
}

// Full-mode code points of a UTF-32 string, as UTF-32.
std::u32string Full(const std::u32string& text) {
  return CodePoints(NormalizeWith(NormalizeMode::kFull, Utf8(text)));
}

struct Span {
  uint32_t begin;
  uint32_t end;
  bool operator==(const Span& other) const {
    return begin == other.begin && end == other.end;
  }
  friend std::ostream& operator<<(std::ostream& os, const Span& span) {
    return os << "[" << span.begin << "," << span.end << ")";
  }
};

std::vector<Span> Spans(const NormalizedText& text) {
  std::vector<Span> spans;
  for (size_t i = 0; i < text.source_begin.size(); ++i) {
    spans.push_back({text.source_begin[i], text.source_end[i]});
  }
  return spans;
}

// Checks the span invariants the header promises: one span per code point,
// non-empty, non-decreasing, inside the input and on code point boundaries.
void ExpectValidSpans(absl::string_view input, const NormalizedText& text) {
  ASSERT_EQ(text.source_begin.size(), text.code_points.size());
  ASSERT_EQ(text.source_end.size(), text.code_points.size());
  std::vector<char32_t> decoded;
  std::vector<uint32_t> starts;
  internal::DecodeUtf8(input, &decoded, &starts);
  std::vector<bool> boundary(input.size() + 1, false);
  for (uint32_t start : starts) boundary[start] = true;
  boundary[input.size()] = true;
  for (size_t i = 0; i < text.code_points.size(); ++i) {
    const uint32_t begin = text.source_begin[i];
    const uint32_t end = text.source_end[i];
    ASSERT_LT(begin, end) << "code point " << i;
    ASSERT_LE(end, input.size()) << "code point " << i;
    ASSERT_TRUE(boundary[begin]) << "code point " << i;
    ASSERT_TRUE(boundary[end]) << "code point " << i;
    if (i > 0) {
      ASSERT_LE(text.source_begin[i - 1], begin) << "code point " << i;
      ASSERT_LE(text.source_end[i - 1], end) << "code point " << i;
    }
  }
}

// ---------------------------------------------------------------------------
// Mode names

TEST(NormalizeMode, NamesRoundTrip) {
  for (NormalizeMode mode : {NormalizeMode::kNone, NormalizeMode::kWhitespace,
                             NormalizeMode::kFull}) {
    absl::StatusOr<NormalizeMode> parsed =
        ParseNormalizeMode(NormalizeModeName(mode));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, mode);
  }
  EXPECT_EQ(NormalizeModeName(NormalizeMode::kNone), "none");
  EXPECT_EQ(NormalizeModeName(NormalizeMode::kWhitespace), "ws");
  EXPECT_EQ(NormalizeModeName(NormalizeMode::kFull), "full");
}

TEST(NormalizeMode, ParseRejectsUnknownNames) {
  for (absl::string_view name :
       {"", "Full", "FULL", "whitespace", "nfkc", " full", "none "}) {
    EXPECT_THAT(ParseNormalizeMode(name),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr(absl::StrCat("\"", name, "\""))))
        << name;
  }
}

TEST(Normalizer, DefaultsToFullModeWithOffsets) {
  const NormalizeOptions options;
  EXPECT_EQ(options.mode, NormalizeMode::kFull);
  EXPECT_TRUE(options.record_offsets);
  absl::StatusOr<Normalizer> normalizer = Normalizer::Create(options);
  ASSERT_TRUE(normalizer.ok()) << normalizer.status();
  EXPECT_EQ(normalizer->options().mode, NormalizeMode::kFull);
}

// ---------------------------------------------------------------------------
// kNone

TEST(Normalizer, NoneModeKeepsCodePointsAndTheirBytes) {
  const NormalizedText out =
      NormalizeWith(NormalizeMode::kNone, "A \xD8\xA3\xD9\x8E!");
  EXPECT_EQ(CodePoints(out), U"A \u0623\u064E!");
  EXPECT_THAT(Spans(out), ElementsAre(Span{0, 1}, Span{1, 2}, Span{2, 4},
                                      Span{4, 6}, Span{6, 7}));
  EXPECT_EQ(out.invalid_utf8, 0u);
}

// ---------------------------------------------------------------------------
// Invalid UTF-8 and empty input, every mode

TEST(Normalizer, InvalidUtf8IsReplacedAndCountedInEveryMode) {
  // 'a', a stray continuation byte, 'b', an overlong pair (two maximal
  // subparts), 'c', a truncated three-byte sequence.
  const std::string input =
      "a\x80"
      "b\xC0\xAF"
      "c\xE2\x82";
  for (NormalizeMode mode : {NormalizeMode::kNone, NormalizeMode::kWhitespace,
                             NormalizeMode::kFull}) {
    SCOPED_TRACE(NormalizeModeName(mode));
    const NormalizedText out = NormalizeWith(mode, input);
    EXPECT_EQ(CodePoints(out), U"a\uFFFDb\uFFFD\uFFFDc\uFFFD");
    EXPECT_THAT(Spans(out),
                ElementsAre(Span{0, 1}, Span{1, 2}, Span{2, 3}, Span{3, 4},
                            Span{4, 5}, Span{5, 6}, Span{6, 8}));
    EXPECT_EQ(out.invalid_utf8, 4u);
  }
}

TEST(Normalizer, EmptyInputGivesEmptyOutputInEveryMode) {
  for (NormalizeMode mode : {NormalizeMode::kNone, NormalizeMode::kWhitespace,
                             NormalizeMode::kFull}) {
    SCOPED_TRACE(NormalizeModeName(mode));
    NormalizedText out;
    out.code_points = {'x'};
    out.source_begin = {0};
    out.source_end = {1};
    out.invalid_utf8 = 3;
    MakeNormalizer(mode).Normalize("", &out);
    EXPECT_THAT(out.code_points, IsEmpty());
    EXPECT_THAT(out.source_begin, IsEmpty());
    EXPECT_THAT(out.source_end, IsEmpty());
    EXPECT_EQ(out.invalid_utf8, 0u);
  }
}

TEST(Normalizer, OffsetsAreLeftEmptyWhenNotRecorded) {
  const std::string input = "  \xD8\xA3\xD9\x8E  Hello\xFF  ";
  for (NormalizeMode mode : {NormalizeMode::kNone, NormalizeMode::kWhitespace,
                             NormalizeMode::kFull}) {
    SCOPED_TRACE(NormalizeModeName(mode));
    NormalizedText with;
    NormalizedText without;
    MakeNormalizer(mode, true).Normalize(input, &with);
    MakeNormalizer(mode, false).Normalize(input, &without);
    EXPECT_EQ(CodePoints(without), CodePoints(with));
    EXPECT_EQ(without.invalid_utf8, 1u);
    EXPECT_THAT(without.source_begin, IsEmpty());
    EXPECT_THAT(without.source_end, IsEmpty());
    EXPECT_FALSE(with.source_begin.empty());
  }
}

TEST(Normalizer, ReusedOutputHoldsOnlyTheLatestText) {
  for (NormalizeMode mode : {NormalizeMode::kNone, NormalizeMode::kWhitespace,
                             NormalizeMode::kFull}) {
    SCOPED_TRACE(NormalizeModeName(mode));
    const Normalizer normalizer = MakeNormalizer(mode);
    NormalizedText out;
    normalizer.Normalize(std::string(1000, 'x') + "\xFF", &out);
    normalizer.Normalize("ab", &out);
    EXPECT_EQ(CodePoints(out), U"ab");
    EXPECT_THAT(Spans(out), ElementsAre(Span{0, 1}, Span{1, 2}));
    EXPECT_EQ(out.invalid_utf8, 0u);
  }
}

// ---------------------------------------------------------------------------
// White space

// Every code point Python's str.isspace() accepts (checked with CPython
// 3.11: [c for c in range(0x110000) if chr(c).isspace()], which equals the
// set `\s` matches in a str regex).
constexpr char32_t kPythonWhitespace[] = {
    0x09,   0x0A,   0x0B,   0x0C,   0x0D,   0x1C,   0x1D,   0x1E,
    0x1F,   0x20,   0x85,   0xA0,   0x1680, 0x2000, 0x2001, 0x2002,
    0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A,
    0x2028, 0x2029, 0x202F, 0x205F, 0x3000};

TEST(IsPythonWhitespace, AcceptsExactlyPythonsSet) {
  std::vector<char32_t> accepted;
  for (char32_t c = 0; c <= 0x10FFFF; ++c) {
    if (internal::IsPythonWhitespace(c)) accepted.push_back(c);
  }
  EXPECT_THAT(accepted, ::testing::ElementsAreArray(kPythonWhitespace));
}

TEST(Normalizer, WhitespaceModeTurnsEveryPythonSpaceIntoOneSpace) {
  for (char32_t space : kPythonWhitespace) {
    SCOPED_TRACE(absl::StrCat("U+", absl::Hex(static_cast<uint32_t>(space))));
    std::u32string input = U"a";
    input += space;
    input += space;
    input += U"b";
    const NormalizedText out =
        NormalizeWith(NormalizeMode::kWhitespace, Utf8(input));
    EXPECT_EQ(CodePoints(out), U"a b");
    const uint32_t width = static_cast<uint32_t>(Utf8({space}).size());
    EXPECT_THAT(Spans(out), ElementsAre(Span{0, 1}, Span{1, 1 + 2 * width},
                                        Span{1 + 2 * width, 2 + 2 * width}));
  }
}

TEST(Normalizer, WhitespaceModeLeavesLookalikesAlone) {
  // Not white space for Python: zero width space, Mongolian vowel separator
  // (white space before Unicode 6.3), BOM, word joiner.
  const std::u32string input = U"a\u200Bb\u180Ec\uFEFFd\u2060e";
  EXPECT_EQ(CodePoints(NormalizeWith(NormalizeMode::kWhitespace, Utf8(input))),
            input);
}

TEST(Normalizer, WhitespaceModeCollapsesRunsAndDropsLeadingSpace) {
  // Bytes: 0-1 spaces, 2 'a', 3-6 " \t\n ", 7 'b', 8-9 trailing spaces.
  const NormalizedText out =
      NormalizeWith(NormalizeMode::kWhitespace, "  a \t\n b  ");
  EXPECT_EQ(CodePoints(out), U"a b ");
  EXPECT_THAT(Spans(out),
              ElementsAre(Span{2, 3}, Span{3, 7}, Span{7, 8}, Span{8, 10}));
  EXPECT_EQ(CodePoints(NormalizeWith(NormalizeMode::kWhitespace, " \n\t ")),
            U"");
}

TEST(Normalizer, WhitespaceModeKeepsEverythingElse) {
  const std::u32string input = U"\u00AB\u0623\u064E\u0640 Stra\u00DFe\u060C";
  EXPECT_EQ(CodePoints(NormalizeWith(NormalizeMode::kWhitespace, Utf8(input))),
            input);
}

TEST(Normalizer, FullModeCollapsesWhiteSpaceAfterNfkc) {
  // NBSP, EM SPACE and IDEOGRAPHIC SPACE become U+0020 under NFKC; NEL,
  // OGHAM SPACE MARK and LINE SEPARATOR stay but are white space.
  EXPECT_EQ(Full(U"\u00A0 x\u00A0\u2003 y\u3000z\u0085\u1680\u2028w "),
            U"x y z w ");
  // Spans: the run covers all of its bytes.
  const NormalizedText out =
      NormalizeWith(NormalizeMode::kFull, Utf8(U"a\u00A0\t\u3000b"));
  EXPECT_EQ(CodePoints(out), U"a b");
  EXPECT_THAT(Spans(out), ElementsAre(Span{0, 1}, Span{1, 7}, Span{7, 8}));
}

TEST(Normalizer, FullModeMatchesPythonCollapseOnAsciiText) {
  // Same rule as `re.sub(r"\s+", " ", text).lstrip()`, then lower case.
  EXPECT_EQ(Full(U"\t\n  Hello,\r\n\r\n  World!  \f"), U"hello, world! ");
}

// ---------------------------------------------------------------------------
// Full mode: NFKC_Casefold

TEST(Normalizer, FullModeAppliesNfkc) {
  EXPECT_EQ(Full(U"\uFB01nd"), U"find");              // ligature fi
  EXPECT_EQ(Full(U"\uFF21\uFF42\uFF43"), U"abc");     // full-width
  EXPECT_EQ(Full(U"\uFF11\uFF12"), U"12");            // full-width digits
  EXPECT_EQ(Full(U"\uFEFB"), U"\u0644\u0627");        // lam-alef ligature
  EXPECT_EQ(Full(U"\uFE8D\uFEDF"), U"\u0627\u0644");  // presentation forms
  EXPECT_EQ(Full(U"\u2460"), U"1");                   // circled digit
  EXPECT_EQ(Full(U"e\u0301"), U"\u00E9");             // composes
  EXPECT_EQ(Full(U"\u1100\u1161"), U"\uAC00");        // Hangul jamo
  EXPECT_EQ(Full(U"x\u00B2"), U"x2");                 // superscript
}

TEST(Normalizer, FullModeFoldsCase) {
  EXPECT_EQ(Full(U"Stra\u00DFe STRASSE"), U"strasse strasse");
  // Greek: capital, medial and final sigma all fold to medial sigma.
  EXPECT_EQ(Full(U"\u039F\u0394\u039F\u03A3 \u03BF\u03B4\u03BF\u03C2"),
            U"\u03BF\u03B4\u03BF\u03C3 \u03BF\u03B4\u03BF\u03C3");
  EXPECT_EQ(Full(U"\u0130"), U"i\u0307");  // dotted capital I
  EXPECT_EQ(Full(U"\u0414\u041E\u041C"), U"\u0434\u043E\u043C");
}

TEST(Normalizer, FullModeRemovesDefaultIgnorables) {
  // RLM, ZWSP, soft hyphen, Arabic letter mark, BOM, ZWNJ.
  EXPECT_EQ(Full(U"a\u200Fb\u200Bc\u00ADd\u061Ce\uFEFFf\u200Cg"), U"abcdefg");
}

// ---------------------------------------------------------------------------
// Full mode: punctuation

TEST(Normalizer, FullModeUnifiesArabicPunctuation) {
  EXPECT_EQ(Full(U"\u060C\u061B\u061F\u06D4\u066A\u066B\u066C"), U",;?.%.,");
}

TEST(Normalizer, FullModeUnifiesDoubleQuotes) {
  EXPECT_EQ(Full(U"\u00AB\u00BB\u201C\u201D\u201E\u201F\u301D\u301E\uFF02"
                 U"\u2033"),
            U"\"\"\"\"\"\"\"\"\"\"");
}

TEST(Normalizer, FullModeUnifiesSingleQuotes) {
  EXPECT_EQ(Full(U"\u2018\u2019\u201A\u201B\u2039\u203A\u2032"), U"'''''''");
}

TEST(Normalizer, FullModeUnifiesDashes) {
  EXPECT_EQ(Full(U"\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uFE58\uFE63"
                 U"\uFF0D"),
            U"----------");
}

TEST(Normalizer, DoublePrimeIsOneQuoteEvenWithAMark) {
  // NFKC alone would split U+2033 into two primes.
  EXPECT_EQ(Full(U"5\u2033"), U"5\"");
  EXPECT_EQ(Full(U"\u2033\u0301"), U"\"\u0301");
}

TEST(Normalizer, FoldCodePointResultsAreFixedPoints) {
  for (char32_t c = 0; c <= 0x10FFFF; ++c) {
    const char32_t folded = internal::FoldCodePoint(c);
    if (folded == internal::kFoldRemoved) continue;
    ASSERT_EQ(internal::FoldCodePoint(folded), folded)
        << std::hex << static_cast<uint32_t>(c);
  }
}

// ---------------------------------------------------------------------------
// Full mode: Arabic

TEST(Normalizer, FullModeRemovesArabicDiacritics) {
  // Every code point in U+064B..U+065F and U+0670, after a letter.
  for (char32_t mark = 0x064B; mark <= 0x0670; ++mark) {
    if (mark > 0x065F && mark < 0x0670) continue;
    SCOPED_TRACE(absl::StrCat("U+", absl::Hex(static_cast<uint32_t>(mark))));
    // Beh, so that the hamza and madda marks have nothing to compose with.
    EXPECT_EQ(Full(std::u32string{0x0628, mark, 0x062A}), U"\u0628\u062A");
  }
  // Tanween placed on either letter gives the same text.
  EXPECT_EQ(Full(U"\u0628\u0631\u0627\u064B"),
            Full(U"\u0628\u0631\u064B\u0627"));
  EXPECT_EQ(Full(U"\u0628\u0631\u064B\u0627"), U"\u0628\u0631\u0627");
}

TEST(Normalizer, FullModeRemovesTatweel) {
  EXPECT_EQ(Full(U"\u0643\u0640\u0640\u0640\u062A\u0627\u0628"),
            U"\u0643\u062A\u0627\u0628");
}

TEST(Normalizer, FullModeFoldsAlefForms) {
  EXPECT_EQ(Full(U"\u0623\u0625\u0622\u0671\u0627"),
            U"\u0627\u0627\u0627\u0627\u0627");
}

TEST(Normalizer, FullModeFoldsAlefMaqsuraAndTaaMarbuta) {
  EXPECT_EQ(Full(U"\u0639\u0644\u0649"), U"\u0639\u0644\u064A");
  EXPECT_EQ(Full(U"\u0645\u062F\u064A\u0646\u0629"),
            U"\u0645\u062F\u064A\u0646\u0647");
}

TEST(Normalizer, FullModeFoldsArabicIndicAndPersianDigits) {
  EXPECT_EQ(Full(U"\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668"
                 U"\u0669"),
            U"0123456789");
  EXPECT_EQ(Full(U"\u06F0\u06F1\u06F2\u06F3\u06F4\u06F5\u06F6\u06F7\u06F8"
                 U"\u06F9"),
            U"0123456789");
}

TEST(Normalizer, FullModeHeaderExample) {
  EXPECT_EQ(Full(U"\u00AB\u0623\u0647\u0644\u0627\u064B\u00BB  World"),
            U"\"\u0627\u0647\u0644\u0627\" world");
}

TEST(Normalizer, FullModeComposesHamzaBeforeFolding) {
  // NFKC runs first, so a decomposed alef + hamza becomes U+0623 and then
  // bare alef; the same for madda and hamza below.
  EXPECT_EQ(Full(U"\u0627\u0654"), U"\u0627");
  EXPECT_EQ(Full(U"\u0627\u0655"), U"\u0627");
  EXPECT_EQ(Full(U"\u0627\u0653"), U"\u0627");
  // Waw and yaa with hamza are not folded, so the composed letter stays
  // (removing the hamza first would have given bare waw and yaa).
  EXPECT_EQ(Full(U"\u0648\u0654"), U"\u0624");
  EXPECT_EQ(Full(U"\u064A\u0654"), U"\u0626");
  EXPECT_EQ(Full(U"\u06D5\u0654"), U"\u06C0");
  // Alef maqsura + hamza has no composition: fold, then drop the hamza.
  EXPECT_EQ(Full(U"\u0649\u0654"), U"\u064A");
  // Canonical ordering: shadda (class 33) sorts before hamza above (230),
  // and does not block the composition.
  EXPECT_EQ(Full(U"\u0648\u0654\u0651"), U"\u0624");
  EXPECT_EQ(Full(U"\u0648\u0651\u0654"), U"\u0624");
  EXPECT_EQ(Full(U"\u0627\u064E\u0654"), U"\u0627");
}

TEST(Normalizer, FullModeSpanCoversRemovedDiacritics) {
  // Beh (0-1), fatha (2-3), shadda (4-5), teh (6-7).
  const NormalizedText out =
      NormalizeWith(NormalizeMode::kFull, Utf8(U"\u0628\u064E\u0651\u062A"));
  EXPECT_EQ(CodePoints(out), U"\u0628\u062A");
  EXPECT_THAT(Spans(out), ElementsAre(Span{0, 6}, Span{6, 8}));
}

TEST(Normalizer, FullModeSpanCoversComposedHamza) {
  // Alef (0-1) + hamza above (2-3) -> one alef; waw (4-5) + hamza (6-7) ->
  // one waw with hamza.
  const NormalizedText out =
      NormalizeWith(NormalizeMode::kFull, Utf8(U"\u0627\u0654\u0648\u0654"));
  EXPECT_EQ(CodePoints(out), U"\u0627\u0624");
  EXPECT_THAT(Spans(out), ElementsAre(Span{0, 4}, Span{4, 8}));
}

TEST(Normalizer, FullModeRemovedCodePointsJoinThePreviousSpan) {
  // Beh (0-1), tatweel (2-3), RLM (4-6), teh (7-8).
  NormalizedText out =
      NormalizeWith(NormalizeMode::kFull, Utf8(U"\u0628\u0640\u200F\u062A"));
  EXPECT_EQ(CodePoints(out), U"\u0628\u062A");
  EXPECT_THAT(Spans(out), ElementsAre(Span{0, 7}, Span{7, 9}));
  // Before any output they belong to no span, like leading white space.
  out = NormalizeWith(NormalizeMode::kFull, Utf8(U"\u0640 \u064Eb"));
  EXPECT_EQ(CodePoints(out), U"b");
  EXPECT_THAT(Spans(out), ElementsAre(Span{5, 6}));
  // After a collapsed space they extend the space.
  out = NormalizeWith(NormalizeMode::kFull, Utf8(U"a \u0640 b"));
  EXPECT_EQ(CodePoints(out), U"a b");
  EXPECT_THAT(Spans(out), ElementsAre(Span{0, 1}, Span{1, 5}, Span{5, 6}));
}

TEST(Normalizer, FullModeExpansionsShareTheSpan) {
  // U+FDFA (3 bytes) expands to a whole phrase.
  const NormalizedText out =
      NormalizeWith(NormalizeMode::kFull, Utf8(U"x\uFDFA\u00DF"));
  const std::u32string expected =
      U"x\u0635\u0644\u064A \u0627\u0644\u0644\u0647 \u0639\u0644\u064A\u0647 "
      U"\u0648\u0633\u0644\u0645ss";
  EXPECT_EQ(CodePoints(out), expected);
  ASSERT_EQ(out.code_points.size(), expected.size());
  EXPECT_EQ(Spans(out).front(), (Span{0, 1}));
  for (size_t i = 1; i + 2 < expected.size(); ++i) {
    EXPECT_EQ(Spans(out)[i], (Span{1, 4})) << i;
  }
  EXPECT_EQ(Spans(out)[expected.size() - 2], (Span{4, 6}));
  EXPECT_EQ(Spans(out)[expected.size() - 1], (Span{4, 6}));
}

// ---------------------------------------------------------------------------
// Table assumptions, checked against ICU's own data

TEST(Normalizer, OnlyMaddaAndHamzaAmongRemovedMarksCompose) {
  // The fast path treats the other removed diacritics as unable to change
  // the letter before them. That holds if no canonical decomposition ends
  // in one of them.
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  ASSERT_TRUE(U_SUCCESS(status));
  std::vector<char32_t> second_parts;
  for (UChar32 c = 0; c <= 0x10FFFF; ++c) {
    icu::UnicodeString decomposition;
    if (!nfc->getRawDecomposition(c, decomposition)) continue;
    if (decomposition.countChar32() != 2) continue;
    const UChar32 second =
        decomposition.char32At(decomposition.moveIndex32(0, 1));
    if ((second >= 0x064B && second <= 0x065F) || second == 0x0670) {
      second_parts.push_back(static_cast<char32_t>(second));
    }
  }
  std::sort(second_parts.begin(), second_parts.end());
  second_parts.erase(std::unique(second_parts.begin(), second_parts.end()),
                     second_parts.end());
  EXPECT_THAT(second_parts, ElementsAre(0x0653, 0x0654, 0x0655));
}

// ---------------------------------------------------------------------------
// Differential tests: table fast path vs ICU

// Whole-text reference, independent of the segmentation: ICU normalises the
// entire (pre-mapped) text in one call, then the fold and the white-space
// rule are applied.
std::u32string WholeTextReference(absl::string_view utf8) {
  std::vector<char32_t> decoded;
  internal::DecodeUtf8(utf8, &decoded);
  icu::UnicodeString source;
  for (char32_t c : decoded) {
    source.append(static_cast<UChar32>(internal::PreNormalizeMap(c)));
  }
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc_cf =
      icu::Normalizer2::getNFKCCasefoldInstance(status);
  const icu::UnicodeString normalized = nfkc_cf->normalize(source, status);
  EXPECT_TRUE(U_SUCCESS(status));
  std::u32string out;
  bool in_space = false;
  for (int32_t i = 0; i < normalized.length();) {
    const UChar32 c = normalized.char32At(i);
    i += U16_LENGTH(c);
    const char32_t folded = internal::FoldCodePoint(static_cast<char32_t>(c));
    if (folded == internal::kFoldRemoved) continue;
    if (internal::IsPythonWhitespace(folded)) {
      if (!in_space && !out.empty()) out.push_back(U' ');
      in_space = !out.empty();
      continue;
    }
    in_space = false;
    out.push_back(folded);
  }
  return out;
}

void ExpectMatchesIcu(const Normalizer& fast, const Normalizer& fast_no_offsets,
                      absl::string_view input) {
  NormalizedText ours;
  NormalizedText ours_no_offsets;
  NormalizedText reference;
  fast.Normalize(input, &ours);
  fast_no_offsets.Normalize(input, &ours_no_offsets);
  internal::NormalizeFullWithIcuOnly(input, /*record_offsets=*/true,
                                     &reference);
  const std::string printable = ::testing::PrintToString(std::string(input));
  ASSERT_EQ(CodePoints(ours), CodePoints(reference)) << printable;
  ASSERT_EQ(ours.source_begin, reference.source_begin) << printable;
  ASSERT_EQ(ours.source_end, reference.source_end) << printable;
  ASSERT_EQ(ours.invalid_utf8, reference.invalid_utf8) << printable;
  ASSERT_EQ(CodePoints(ours_no_offsets), CodePoints(ours)) << printable;
  ASSERT_EQ(CodePoints(ours), WholeTextReference(input)) << printable;
  ExpectValidSpans(input, ours);
}

// Random text from the kinds of code points news text mixes, and the ones
// most likely to trip the fast path.
class RandomText {
 public:
  explicit RandomText(uint32_t seed) : rng_(seed) {}

  std::string Next(int max_pieces) {
    std::string out;
    const int pieces = Uniform(0, max_pieces);
    for (int i = 0; i < pieces; ++i) AppendPiece(&out);
    return out;
  }

 private:
  int Uniform(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng_);
  }
  void Add(char32_t c, std::string* out) { internal::AppendUtf8(c, out); }
  void AddRange(char32_t lo, char32_t hi, std::string* out) {
    Add(static_cast<char32_t>(
            Uniform(static_cast<int>(lo), static_cast<int>(hi))),
        out);
  }

  void AppendPiece(std::string* out) {
    static constexpr char32_t kSpaces[] = {
        0x20, 0x20,   0x09,   0x0A,   0x0D,   0x1C,   0x85,
        0xA0, 0x1680, 0x2003, 0x2028, 0x202F, 0x205F, 0x3000};
    static constexpr char32_t kPunct[] = {
        0x060C, 0x061B, 0x061F, 0x06D4, 0x066A, 0x066B, 0x066C, 0x00AB,
        0x00BB, 0x201C, 0x201D, 0x201E, 0x201F, 0x301D, 0x301E, 0xFF02,
        0x2033, 0x2018, 0x2019, 0x201A, 0x201B, 0x2039, 0x203A, 0x2032,
        0x2010, 0x2011, 0x2013, 0x2015, 0x2212, 0xFE58, 0xFE63, 0xFF0D,
        0x2026, 0x00AD, 0x200B, 0x200F, 0x061C, 0xFEFF, 0x2060, 0x0640};
    static constexpr char32_t kHamzaBases[] = {0x0627, 0x0648, 0x064A, 0x0649,
                                               0x06C1, 0x06D2, 0x06D5};
    switch (Uniform(0, 15)) {
      case 0:
        AddRange(0x20, 0x7E, out);
        break;
      case 1:
        AddRange(0x00, 0x1F, out);
        break;
      case 2:  // Arabic letters
        AddRange(0x0620, 0x064A, out);
        break;
      case 3:  // Arabic diacritics, after whatever came before
        AddRange(0x064B, 0x065F, out);
        if (Uniform(0, 3) == 0) Add(0x0670, out);
        break;
      case 4: {  // madda / hamza after a letter they may compose with
        Add(kHamzaBases[Uniform(0, 6)], out);
        if (Uniform(0, 1)) AddRange(0x064B, 0x0652, out);
        AddRange(0x0653, 0x0655, out);
        if (Uniform(0, 1)) AddRange(0x064B, 0x065F, out);
        break;
      }
      case 5:  // the rest of the Arabic block and Arabic digits
        AddRange(0x0600, 0x06FF, out);
        break;
      case 6:  // presentation forms A and B
        if (Uniform(0, 1)) {
          AddRange(0xFB50, 0xFDFF, out);
        } else {
          AddRange(0xFE70, 0xFEFF, out);
        }
        break;
      case 7:  // Latin with combining accents
        AddRange(U'A', U'z', out);
        for (int n = Uniform(0, 3); n > 0; --n) AddRange(0x0300, 0x036F, out);
        break;
      case 8:  // Latin-1, Latin Extended, Greek, Cyrillic
        AddRange(0x00A0, 0x052F, out);
        break;
      case 9:  // full-width and half-width forms
        AddRange(0xFF00, 0xFFEF, out);
        break;
      case 10:  // Hangul jamo, conjoining and compatibility, and syllables
        switch (Uniform(0, 3)) {
          case 0:
            AddRange(0x1100, 0x1112, out);
            AddRange(0x1161, 0x1175, out);
            if (Uniform(0, 1)) AddRange(0x11A8, 0x11C2, out);
            break;
          case 1:
            AddRange(0x1100, 0x11FF, out);
            break;
          case 2:
            AddRange(0x3131, 0x318E, out);
            break;
          default:
            AddRange(0xAC00, 0xD7A3, out);
            break;
        }
        break;
      case 11:  // emoji and other supplementary-plane code points
        AddRange(0x1F300, 0x1FAFF, out);
        if (Uniform(0, 2) == 0) Add(0xFE0F, out);
        if (Uniform(0, 4) == 0) AddRange(0x1D400, 0x1D7FF, out);
        break;
      case 12:
        Add(kSpaces[Uniform(0, std::size(kSpaces) - 1)], out);
        break;
      case 13:
        Add(kPunct[Uniform(0, std::size(kPunct) - 1)], out);
        break;
      case 14: {  // invalid bytes
        static const char* const kInvalid[] = {
            "\x80",     "\xFF",         "\xC0\x80",
            "\xE2\x82", "\xED\xA0\x80", "\xF4\x90\x80\x80",
            "\xD8"};
        *out += kInvalid[Uniform(0, std::size(kInvalid) - 1)];
        break;
      }
      default:  // anything in the BMP and a bit beyond
        AddRange(0x00A0, 0x2FFFF, out);
        break;
    }
  }

  std::mt19937 rng_;
};

TEST(Normalizer, FullModeMatchesIcuOnRandomText) {
  const Normalizer fast = MakeNormalizer(NormalizeMode::kFull, true);
  const Normalizer fast_no_offsets =
      MakeNormalizer(NormalizeMode::kFull, false);
  RandomText random(12345);
  for (int i = 0; i < 3000; ++i) {
    ASSERT_NO_FATAL_FAILURE(ExpectMatchesIcu(fast, fast_no_offsets,
                                             random.Next(i % 3 == 0 ? 4 : 30)));
  }
}

TEST(Normalizer, FullModeMatchesIcuOnLongText) {
  // Long enough for the output vectors to grow several times mid-text.
  const Normalizer fast = MakeNormalizer(NormalizeMode::kFull, true);
  const Normalizer fast_no_offsets =
      MakeNormalizer(NormalizeMode::kFull, false);
  RandomText random(31337);
  std::string input;
  while (input.size() < 100000) input += random.Next(30);
  ExpectMatchesIcu(fast, fast_no_offsets, input);
}

TEST(Normalizer, FullModeHandlesLongSegments) {
  // A letter with more marks than ICU's strings hold inline, in shuffled
  // combining classes; and a long run of removable Arabic marks.
  const Normalizer fast = MakeNormalizer(NormalizeMode::kFull, true);
  const Normalizer fast_no_offsets =
      MakeNormalizer(NormalizeMode::kFull, false);
  std::u32string latin = U"xa";
  for (int i = 0; i < 100; ++i) latin += (i % 3 == 0) ? U'\u0323' : U'\u0301';
  latin += U"b";
  ExpectMatchesIcu(fast, fast_no_offsets, Utf8(latin));
  std::u32string arabic = U"\u0628";
  for (int i = 0; i < 100; ++i) arabic += static_cast<char32_t>(0x064B + i % 8);
  arabic += U"\u062A";
  ExpectMatchesIcu(fast, fast_no_offsets, Utf8(arabic));
  EXPECT_EQ(Full(arabic), U"\u0628\u062A");
}

TEST(Normalizer, SpansAreValidInEveryModeOnRandomText) {
  RandomText random(777);
  for (NormalizeMode mode : {NormalizeMode::kNone, NormalizeMode::kWhitespace,
                             NormalizeMode::kFull}) {
    SCOPED_TRACE(NormalizeModeName(mode));
    const Normalizer normalizer = MakeNormalizer(mode);
    NormalizedText out;
    for (int i = 0; i < 500; ++i) {
      const std::string input = random.Next(30);
      normalizer.Normalize(input, &out);
      ASSERT_NO_FATAL_FAILURE(ExpectValidSpans(input, out))
          << ::testing::PrintToString(input);
    }
  }
}

TEST(Normalizer, FullModeIsIdempotent) {
  const Normalizer normalizer = MakeNormalizer(NormalizeMode::kFull);
  RandomText random(99);
  NormalizedText once;
  NormalizedText twice;
  for (int i = 0; i < 1000; ++i) {
    const std::string input = random.Next(30);
    normalizer.Normalize(input, &once);
    normalizer.Normalize(Utf8(CodePoints(once)), &twice);
    ASSERT_EQ(CodePoints(twice), CodePoints(once))
        << ::testing::PrintToString(input);
  }
}

TEST(Normalizer, SteadyStateAllocatesNothing) {
  // Arabic with diacritics and a decomposed hamza (ICU path), punctuation,
  // white space variants, an expansion, CJK, emoji, invalid bytes, and a
  // segment longer than ICU strings hold inline.
  const std::string input =
      Utf8(
          U"  \u00AB\u0623\u0647\u0644\u0627\u064B\u00BB \u0627\u0654"
          U"\u0648\u0654\u0651\u00A0\u3000Stra\u00DFe \uFB01 \u4E2D"
          U"\u6587 \U0001F600 e\u0301 \uFDFA \u0661\u0662 ") +
      "\xFF\xC0\xAF tail " + Utf8(U"a" + std::u32string(60, U'\u0301'));
  ASSERT_TRUE(icu_allocator_installed);
  for (NormalizeMode mode : {NormalizeMode::kNone, NormalizeMode::kWhitespace,
                             NormalizeMode::kFull}) {
    for (bool record_offsets : {false, true}) {
      SCOPED_TRACE(absl::StrCat(NormalizeModeName(mode), " ", record_offsets));
      const Normalizer normalizer = MakeNormalizer(mode, record_offsets);
      NormalizedText out;
      normalizer.Normalize(input, &out);  // grows the vectors
      const size_t before = allocations;
      for (int i = 0; i < 10; ++i) normalizer.Normalize(input, &out);
      EXPECT_EQ(allocations - before, 0u);
      EXPECT_FALSE(out.code_points.empty());
    }
  }
}

TEST(Normalizer, IsSafeToShareBetweenThreads) {
  const Normalizer normalizer = MakeNormalizer(NormalizeMode::kFull);
  std::vector<std::string> inputs;
  RandomText random(4242);
  for (int i = 0; i < 200; ++i) inputs.push_back(random.Next(40));
  std::vector<std::u32string> expected;
  NormalizedText out;
  for (const std::string& input : inputs) {
    normalizer.Normalize(input, &out);
    expected.push_back(CodePoints(out));
  }
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      NormalizedText local;
      for (int round = 0; round < 5; ++round) {
        for (size_t i = 0; i < inputs.size(); ++i) {
          normalizer.Normalize(inputs[i], &local);
          if (CodePoints(local) != expected[i]) ++mismatches[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_THAT(mismatches, ElementsAre(0, 0, 0, 0));
}

// Reads up to `max_bytes` of decompressed data from the start of a .zst file.
std::string ReadZstdPrefix(const std::string& path, size_t max_bytes) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return "";
  ZSTD_DStream* stream = ZSTD_createDStream();
  ZSTD_initDStream(stream);
  std::string out;
  std::vector<char> in_buffer(ZSTD_DStreamInSize());
  std::vector<char> out_buffer(ZSTD_DStreamOutSize());
  while (out.size() < max_bytes && file) {
    file.read(in_buffer.data(), static_cast<std::streamsize>(in_buffer.size()));
    ZSTD_inBuffer input{in_buffer.data(), static_cast<size_t>(file.gcount()),
                        0};
    while (input.pos < input.size && out.size() < max_bytes) {
      ZSTD_outBuffer output{out_buffer.data(), out_buffer.size(), 0};
      const size_t result = ZSTD_decompressStream(stream, &output, &input);
      if (ZSTD_isError(result)) {
        ZSTD_freeDStream(stream);
        return "";
      }
      out.append(out_buffer.data(), output.pos);
    }
  }
  ZSTD_freeDStream(stream);
  return out;
}

TEST(Normalizer, FullModeMatchesIcuOnRealArabicNews) {
  const std::string path =
      NEARDUP_SOURCE_DIR "/../shared/data/saudinewsnet-dev.jsonl.zst";
  const std::string data = ReadZstdPrefix(path, 1 << 20);
  if (data.empty()) GTEST_SKIP() << "no readable " << path;
  // Whole JSON lines: the escapes are harmless, and the Arabic text, its
  // punctuation and its diacritics are all there.
  std::vector<absl::string_view> lines = absl::StrSplit(data, '\n');
  lines.pop_back();  // possibly cut short
  ASSERT_GT(lines.size(), 50u);
  if (lines.size() > 300) lines.resize(300);
  const Normalizer fast = MakeNormalizer(NormalizeMode::kFull, true);
  const Normalizer fast_no_offsets =
      MakeNormalizer(NormalizeMode::kFull, false);
  for (absl::string_view line : lines) {
    ASSERT_NO_FATAL_FAILURE(ExpectMatchesIcu(fast, fast_no_offsets, line));
  }
}

}  // namespace
}  // namespace neardup
