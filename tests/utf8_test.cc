#include "src/internal/utf8.h"

#include <unicode/utf8.h>

#include <cstdint>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace neardup::internal {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;

struct Decoded {
  std::vector<char32_t> code_points;
  std::vector<uint32_t> offsets;
  size_t invalid = 0;
};

Decoded Decode(absl::string_view bytes) {
  Decoded decoded;
  decoded.invalid = DecodeUtf8(bytes, &decoded.code_points, &decoded.offsets);
  return decoded;
}

// Independent reference: ICU's U8_NEXT, which since ICU 60 also replaces
// maximal subparts (it returns a negative value for each ill-formed one).
Decoded DecodeWithIcu(absl::string_view bytes) {
  Decoded decoded;
  const auto* s = reinterpret_cast<const uint8_t*>(bytes.data());
  const auto length = static_cast<int32_t>(bytes.size());
  for (int32_t i = 0; i < length;) {
    decoded.offsets.push_back(static_cast<uint32_t>(i));
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0) {
      c = 0xFFFD;
      ++decoded.invalid;
    }
    decoded.code_points.push_back(static_cast<char32_t>(c));
  }
  return decoded;
}

std::string Encode(char32_t c) {
  std::string out;
  AppendUtf8(c, &out);
  return out;
}

TEST(DecodeUtf8, EmptyInputGivesNothing) {
  const Decoded decoded = Decode("");
  EXPECT_THAT(decoded.code_points, IsEmpty());
  EXPECT_THAT(decoded.offsets, IsEmpty());
  EXPECT_EQ(decoded.invalid, 0u);
}

TEST(DecodeUtf8, DecodesEachSequenceLengthAtItsLimits) {
  // U+0000, U+007F | U+0080, U+07FF | U+0800, U+FFFF | U+10000, U+10FFFF.
  const std::string bytes(
      "\x00\x7F"
      "\xC2\x80\xDF\xBF"
      "\xE0\xA0\x80\xEF\xBF\xBF"
      "\xF0\x90\x80\x80\xF4\x8F\xBF\xBF",
      20);
  const Decoded decoded = Decode(bytes);
  EXPECT_THAT(decoded.code_points, ElementsAre(0x0, 0x7F, 0x80, 0x7FF, 0x800,
                                               0xFFFF, 0x10000, 0x10FFFF));
  EXPECT_THAT(decoded.offsets, ElementsAre(0, 1, 2, 4, 6, 9, 12, 16));
  EXPECT_EQ(decoded.invalid, 0u);
}

TEST(DecodeUtf8, ReplacesMaximalSubpartsAsInTheUnicodeStandard) {
  // The example of Unicode 15, section 3.9, "U+FFFD Substitution of Maximal
  // Subparts": 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64.
  const Decoded decoded =
      Decode("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64");
  EXPECT_THAT(decoded.code_points,
              ElementsAre(0x61, 0xFFFD, 0xFFFD, 0xFFFD, 0x62, 0xFFFD, 0x63,
                          0xFFFD, 0xFFFD, 0x64));
  EXPECT_THAT(decoded.offsets, ElementsAre(0, 1, 4, 6, 7, 8, 9, 10, 11, 12));
  EXPECT_EQ(decoded.invalid, 6u);
}

TEST(DecodeUtf8, RejectsOverlongSurrogateAndOutOfRangeForms) {
  struct Case {
    std::string bytes;
    size_t replacements;  // one per byte: no prefix of these is valid
  };
  const Case cases[] = {
      {"\xC0\x80", 2},          // overlong U+0000
      {"\xC1\xBF", 2},          // overlong U+007F
      {"\xE0\x80\x80", 3},      // overlong U+0000
      {"\xE0\x9F\xBF", 3},      // overlong U+07FF
      {"\xED\xA0\x80", 3},      // U+D800
      {"\xED\xBF\xBF", 3},      // U+DFFF
      {"\xF0\x80\x80\x80", 4},  // overlong U+0000
      {"\xF0\x8F\xBF\xBF", 4},  // overlong U+FFFF
      {"\xF4\x90\x80\x80", 4},  // U+110000
      {"\xF5\x80\x80\x80", 4}, {"\xFF", 1}, {"\xFE", 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::PrintToString(c.bytes));
    const Decoded decoded = Decode(c.bytes);
    EXPECT_EQ(decoded.code_points,
              std::vector<char32_t>(c.replacements, 0xFFFD));
    EXPECT_EQ(decoded.invalid, c.replacements);
  }
}

TEST(DecodeUtf8, TruncatedSequenceIsOneReplacement) {
  const Decoded decoded = Decode("a\xE2\x82");
  EXPECT_THAT(decoded.code_points, ElementsAre('a', 0xFFFD));
  EXPECT_THAT(decoded.offsets, ElementsAre(0, 1));
  EXPECT_EQ(decoded.invalid, 1u);

  const Decoded four = Decode("\xF0\x9F\x98 x");
  EXPECT_THAT(four.code_points, ElementsAre(0xFFFD, ' ', 'x'));
  EXPECT_THAT(four.offsets, ElementsAre(0, 3, 4));
  EXPECT_EQ(four.invalid, 1u);
}

TEST(DecodeUtf8, EncodedReplacementCharacterIsNotCountedAsInvalid) {
  const Decoded decoded = Decode("\xEF\xBF\xBD");
  EXPECT_THAT(decoded.code_points, ElementsAre(0xFFFD));
  EXPECT_EQ(decoded.invalid, 0u);
}

TEST(DecodeUtf8, OffsetsAreOptional) {
  std::vector<char32_t> code_points;
  EXPECT_EQ(DecodeUtf8("ab\xD8\xA8\x80", &code_points), 1u);
  EXPECT_THAT(code_points, ElementsAre('a', 'b', 0x0628, 0xFFFD));
}

TEST(DecodeUtf8, ReplacesPreviousContents) {
  std::vector<char32_t> code_points(100, 'x');
  std::vector<uint32_t> offsets(100, 7);
  DecodeUtf8("hi", &code_points, &offsets);
  EXPECT_THAT(code_points, ElementsAre('h', 'i'));
  EXPECT_THAT(offsets, ElementsAre(0, 1));
}

TEST(DecodeUtf8, RoundTripsEveryScalarValue) {
  std::string all;
  std::vector<char32_t> expected;
  for (char32_t c = 0; c <= kMaxCodePoint; ++c) {
    if (c >= 0xD800 && c <= 0xDFFF) continue;
    AppendUtf8(c, &all);
    expected.push_back(c);
  }
  std::vector<char32_t> code_points;
  EXPECT_EQ(DecodeUtf8(all, &code_points), 0u);
  EXPECT_TRUE(code_points == expected);
}

TEST(DecodeUtf8, MatchesIcuOnRandomBytes) {
  // Fragments chosen to exercise the ASCII and two-byte fast paths and every
  // kind of ill-formed sequence, at every alignment.
  const std::vector<std::string> fragments = {
      "a",
      "hello wo",
      " ",
      "\xD8\xA8",
      "\xD9\x8E",
      "\xC3\xA9",
      "\xE2\x80\x9C",
      "\xF0\x9F\x98\x80",
      "\xEF\xBF\xBD",
      "\x80",
      "\xBF",
      "\xC0",
      "\xC1\x81",
      "\xC2",
      "\xE0\x80",
      "\xE0\xA0",
      "\xED\xA0\x80",
      "\xF0\x90",
      "\xF4\x90",
      "\xF5",
      "\xFF",
      "\xF0\x9F\x98",
      "\xE2\x82",
      std::string(1, '\0'),
  };
  std::mt19937 rng(20260521);
  std::uniform_int_distribution<size_t> pick(0, fragments.size() - 1);
  std::uniform_int_distribution<int> length(0, 40);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int iteration = 0; iteration < 5000; ++iteration) {
    std::string bytes;
    const int pieces = length(rng);
    for (int i = 0; i < pieces; ++i) {
      if (iteration % 4 == 3) {
        bytes.push_back(static_cast<char>(byte(rng)));
      } else {
        bytes += fragments[pick(rng)];
      }
    }
    const Decoded ours = Decode(bytes);
    const Decoded icu = DecodeWithIcu(bytes);
    ASSERT_EQ(ours.code_points, icu.code_points)
        << testing::PrintToString(bytes);
    ASSERT_EQ(ours.offsets, icu.offsets) << testing::PrintToString(bytes);
    ASSERT_EQ(ours.invalid, icu.invalid) << testing::PrintToString(bytes);
  }
}

TEST(DecodeUtf8, MatchesIcuAcrossInternalChunkBoundaries) {
  // Long enough for several of the decoder's 16 KiB chunks, with sequences
  // of every length (and broken ones) straddling the chunk edges.
  std::mt19937 rng(99);
  const std::string pieces[] = {"abc",          "\xD8\xA8",
                                "\xE2\x80\x9C", "\xF0\x9F\x98\x80",
                                "\xF0\x9F",     "\x80"};
  std::uniform_int_distribution<size_t> pick(0, std::size(pieces) - 1);
  for (size_t pad = 0; pad < 4; ++pad) {
    std::string bytes(pad, 'x');
    while (bytes.size() < 70000) bytes += pieces[pick(rng)];
    const Decoded ours = Decode(bytes);
    const Decoded icu = DecodeWithIcu(bytes);
    ASSERT_EQ(ours.code_points, icu.code_points);
    ASSERT_EQ(ours.offsets, icu.offsets);
    ASSERT_EQ(ours.invalid, icu.invalid);
    std::vector<char32_t> without_offsets;
    EXPECT_EQ(DecodeUtf8(bytes, &without_offsets), icu.invalid);
    EXPECT_EQ(without_offsets, icu.code_points);
  }
}

TEST(DecodeUtf8, MatchesIcuWithAnInsertAtEveryPosition) {
  // Arabic letters and ASCII, the case the decoder handles 16 bytes at a
  // time, with one odd sequence put at every byte offset in turn, so that
  // it falls at every position of a block (and splits pairs when the offset
  // is odd).
  const std::string text =
      "\xD8\xA8\xD8\xAA \xD8\xAB"
      "12 \xD8\xAC\xD8\xAD\xD8\xAE ab "
      "\xD8\xAF\xD8\xB0\xD8\xB1\xD8\xB2 c\xD8\xB3\xD8\xB4";
  const std::string inserts[] = {
      "\xC0\x80", "\xC1\xBF",         "\x80",     "\xC2", "\xE2\x82\xAC",
      "\xE2\x82", "\xF0\x9F\x98\x80", "\xDF\xBF", "\xFF", "x"};
  for (const std::string& insert : inserts) {
    for (size_t at = 0; at <= text.size(); ++at) {
      const std::string bytes = text.substr(0, at) + insert + text.substr(at);
      const Decoded ours = Decode(bytes);
      const Decoded icu = DecodeWithIcu(bytes);
      ASSERT_EQ(ours.code_points, icu.code_points)
          << testing::PrintToString(bytes);
      ASSERT_EQ(ours.offsets, icu.offsets) << testing::PrintToString(bytes);
      ASSERT_EQ(ours.invalid, icu.invalid) << testing::PrintToString(bytes);
    }
  }
}

TEST(EncodeUtf8, WritesShortestForm) {
  EXPECT_EQ(Encode(U'a'), "a");
  EXPECT_EQ(Encode(0x80), "\xC2\x80");
  EXPECT_EQ(Encode(0x0628), "\xD8\xA8");
  EXPECT_EQ(Encode(0x07FF), "\xDF\xBF");
  EXPECT_EQ(Encode(0x0800), "\xE0\xA0\x80");
  EXPECT_EQ(Encode(0xFFFF), "\xEF\xBF\xBF");
  EXPECT_EQ(Encode(0x10000), "\xF0\x90\x80\x80");
  EXPECT_EQ(Encode(0x10FFFF), "\xF4\x8F\xBF\xBF");
}

TEST(EncodeUtf8, WritesReplacementForNonScalarValues) {
  EXPECT_EQ(Encode(0xD800), "\xEF\xBF\xBD");
  EXPECT_EQ(Encode(0xDFFF), "\xEF\xBF\xBD");
  EXPECT_EQ(Encode(0x110000), "\xEF\xBF\xBD");
  EXPECT_EQ(Encode(0xFFFFFFFF), "\xEF\xBF\xBD");
}

TEST(EncodeUtf8, AppendsRanges) {
  const std::u32string text = U"a\u0628\U0001F600";
  std::string out = "x";
  AppendUtf8(text.data(), text.data() + text.size(), &out);
  EXPECT_EQ(out, "xa\xD8\xA8\xF0\x9F\x98\x80");
  char buffer[4];
  EXPECT_EQ(EncodeUtf8(0x1F600, buffer), 4u);
}

}  // namespace
}  // namespace neardup::internal
