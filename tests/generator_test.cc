#include "tests/support/generator.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace neardup::testing {
namespace {

using ::testing::ElementsAre;

// An independent strict UTF-8 check (RFC 3629: no overlongs, no surrogates,
// nothing above U+10FFFF), so the generator's own decoder is not trusted to
// judge its output.
bool IsValidUtf8(absl::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    int extra = 0;
    unsigned char low = 0x80, high = 0xbf;  // Range of the second byte.
    if (c < 0x80) {
      extra = 0;
    } else if (c >= 0xc2 && c <= 0xdf) {
      extra = 1;
    } else if (c == 0xe0) {
      extra = 2, low = 0xa0;
    } else if (c == 0xed) {
      extra = 2, high = 0x9f;
    } else if (c >= 0xe1 && c <= 0xef) {
      extra = 2;
    } else if (c == 0xf0) {
      extra = 3, low = 0x90;
    } else if (c == 0xf4) {
      extra = 3, high = 0x8f;
    } else if (c >= 0xf1 && c <= 0xf3) {
      extra = 3;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;  // Truncated.
    for (int k = 1; k <= extra; ++k) {
      const unsigned char next = static_cast<unsigned char>(text[i + k]);
      const unsigned char lo = k == 1 ? low : 0x80;
      const unsigned char hi = k == 1 ? high : 0xbf;
      if (next < lo || next > hi) return false;
    }
    i += extra + 1;
  }
  return true;
}

size_t CountParagraphs(absl::string_view text) {
  return std::vector<absl::string_view>(absl::StrSplit(text, "\n\n")).size();
}

bool HasArabicLetter(absl::string_view text) {
  for (char32_t c : DecodeUtf8(text)) {
    if (c >= 0x621 && c <= 0x64a) return true;
  }
  return false;
}

bool HasLatinLetter(absl::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  });
}

TEST(TestUtf8Check, AcceptsValidAndRejectsInvalid) {
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("سلام “quotes” €"));
  EXPECT_TRUE(IsValidUtf8("\xf0\x9f\x98\x80"));   // U+1F600
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // Overlong '/'.
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // Surrogate U+D800.
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // Above U+10FFFF.
  EXPECT_FALSE(IsValidUtf8("abc\xd8"));           // Truncated sequence.
  EXPECT_FALSE(IsValidUtf8("\x80"));              // Stray continuation.
}

// ---------------------------------------------------------------------------
// Rng

TEST(Rng, MatchesReferenceXoshiro256StarStar) {
  // Seeding is splitmix64: for seed 0 its first two outputs are the published
  // 0xe220a8397b1dcdaf and 0x6e789e6aa1b965f4. The expected values below come
  // from a separate Python transcription of splitmix64 + xoshiro256**
  // (Blackman and Vigna's reference code), not from this implementation.
  Rng zero(0);
  EXPECT_EQ(zero.Next(), 0x99ec5f36cb75f2b4u);
  EXPECT_EQ(zero.Next(), 0xbf6e1f784956452au);
  EXPECT_EQ(zero.Next(), 0x1a5f849d4933e6e0u);
  Rng one(1);
  EXPECT_EQ(one.Next(), 0xb3f2af6d0fc710c5u);
  EXPECT_EQ(one.Next(), 0x853b559647364ceau);
  EXPECT_EQ(one.Next(), 0x92f89756082a4514u);
}

TEST(Rng, SameSeedSameStreamDifferentSeedDifferentStream) {
  Rng a(42), b(42), c(43);
  int same_as_c = 0;
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    same_as_c += x == c.Next();
  }
  EXPECT_EQ(same_as_c, 0);
}

TEST(Rng, UniformCoversRangeEvenly) {
  Rng rng(7);
  constexpr int kBuckets = 7;
  constexpr int kDraws = 70000;
  int counts[kBuckets] = {};
  for (int i = 0; i < kDraws; ++i) {
    const uint64_t x = rng.Uniform(kBuckets);
    ASSERT_LT(x, kBuckets);
    ++counts[x];
  }
  // Each count is Binomial(70000, 1/7): mean 10000, sd about 93. Six sd.
  for (int count : counts) EXPECT_NEAR(count, 10000, 560);
  EXPECT_EQ(rng.Uniform(0), 0u);
  EXPECT_EQ(rng.Uniform(1), 0u);
}

TEST(Rng, UniformIntIsInclusive) {
  Rng rng(3);
  std::set<int64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    const int64_t x = rng.UniformInt(-2, 2);
    ASSERT_GE(x, -2);
    ASSERT_LE(x, 2);
    seen.insert(x);
  }
  EXPECT_THAT(seen, ElementsAre(-2, -1, 0, 1, 2));
}

TEST(Rng, UniformDoubleIsInUnitIntervalWithMeanOneHalf) {
  Rng rng(11);
  double sum = 0;
  constexpr int kDraws = 100000;
  for (int i = 0; i < kDraws; ++i) {
    const double x = rng.UniformDouble();
    ASSERT_GE(x, 0.0);
    ASSERT_LT(x, 1.0);
    sum += x;
  }
  // sd of the mean: sqrt(1/12 / 100000) ~ 0.0009.
  EXPECT_NEAR(sum / kDraws, 0.5, 0.006);
}

// ---------------------------------------------------------------------------
// UTF-8 helpers

TEST(DecodeUtf8, DecodesCodePointsAndReplacesInvalidBytes) {
  EXPECT_EQ(DecodeUtf8("aب€😀"), U"aب€😀");
  EXPECT_EQ(DecodeUtf8("a\xffz"), U"a\uFFFDz");
  EXPECT_EQ(DecodeUtf8("\xc0\xaf"), U"\uFFFD\uFFFD");  // Overlong.
  EXPECT_EQ(DecodeUtf8("\xd8"), U"\uFFFD");            // Truncated.
  EXPECT_EQ(EncodeUtf8(U"aب€😀"), "aب€😀");
}

// ---------------------------------------------------------------------------
// Brute-force reference

TEST(BruteForceJaccard, IdenticalTextsScoreOne) {
  EXPECT_EQ(BruteForceJaccard("the quick brown fox", "the quick brown fox", 5),
            1.0);
  EXPECT_EQ(BruteForceJaccard("مرحبا بالعالم", "مرحبا بالعالم", 3), 1.0);
}

TEST(BruteForceJaccard, DisjointTextsScoreZero) {
  EXPECT_EQ(BruteForceJaccard("abcde", "vwxyz", 2), 0.0);
  EXPECT_EQ(BruteForceJaccard("", "abcde", 2), 0.0);
  EXPECT_EQ(BruteForceJaccard("", "", 2), 0.0);
}

TEST(BruteForceJaccard, HandComputedSmallCases) {
  // "abcde" -> {ab, bc, cd, de}; "abcdf" -> {ab, bc, cd, df}.
  // Shared {ab, bc, cd} = 3; union {ab, bc, cd, de, df} = 5: 3/5.
  EXPECT_DOUBLE_EQ(BruteForceJaccard("abcde", "abcdf", 2), 0.6);
  // Sets, not multisets: "abab" -> {ab, ba}; "ab" -> {ab}: 1/2.
  EXPECT_DOUBLE_EQ(BruteForceJaccard("abab", "ab", 2), 0.5);
  // Code points, not bytes: "سلم" -> {سل, لم}; "سلام" -> {سل, لا, ام}.
  // Shared {سل}; union of 4: 1/4. (Byte bigrams would share more.)
  EXPECT_DOUBLE_EQ(BruteForceJaccard("سلم", "سلام", 2), 0.25);
}

TEST(BruteForceJaccard, TextShorterThanNgramIsOneShingle) {
  EXPECT_EQ(BruteForceJaccard("ab", "ab", 5), 1.0);
  // {"ab"} vs {"abc"}: different whole-text shingles.
  EXPECT_EQ(BruteForceJaccard("ab", "abc", 5), 0.0);
  // {"ab"} vs {"abcde", "bcdef"}.
  EXPECT_EQ(BruteForceJaccard("ab", "abcdef", 5), 0.0);
  // {"abcd"} (shorter than 5) vs {"abcde"}: no shared shingle.
  EXPECT_EQ(BruteForceJaccard("abcd", "abcde", 5), 0.0);
  EXPECT_THAT(NgramSet("ab", 5), ElementsAre(U"ab"));
  EXPECT_TRUE(NgramSet("", 5).empty());
}

TEST(BruteForceContainment, MeasuresTheSmallerSet) {
  // "abcde" -> {ab, bc, cd, de}; "abc" -> {ab, bc}: both of the smaller.
  EXPECT_DOUBLE_EQ(BruteForceContainment("abcde", "abc", 2), 1.0);
  EXPECT_DOUBLE_EQ(BruteForceContainment("abc", "abcde", 2), 1.0);
  // {ab, bc, cd, de} vs {ab, bx}: 1 of 2.
  EXPECT_DOUBLE_EQ(BruteForceContainment("abcde", "abx", 2), 0.5);
  EXPECT_EQ(BruteForceContainment("", "abc", 2), 0.0);
}

// ---------------------------------------------------------------------------
// Articles and edits

TEST(GenerateArticle, HasRequestedParagraphsInTheRightScript) {
  Rng rng(5);
  for (int paragraphs : {1, 3, 8}) {
    const std::string english =
        GenerateArticle(rng, Language::kEnglish, paragraphs);
    const std::string arabic =
        GenerateArticle(rng, Language::kArabic, paragraphs);
    EXPECT_EQ(CountParagraphs(english), paragraphs);
    EXPECT_EQ(CountParagraphs(arabic), paragraphs);
    EXPECT_TRUE(IsValidUtf8(english));
    EXPECT_TRUE(IsValidUtf8(arabic));
    EXPECT_TRUE(HasLatinLetter(english));
    EXPECT_FALSE(HasArabicLetter(english));
    EXPECT_TRUE(HasArabicLetter(arabic));
    EXPECT_FALSE(HasLatinLetter(arabic));
  }
  EXPECT_EQ(GenerateArticle(rng, Language::kEnglish, 0), "");
}

TEST(GenerateArticle, UnrelatedArticlesAreNotNearDuplicates) {
  Rng rng(9);
  for (Language language : {Language::kEnglish, Language::kArabic}) {
    std::vector<std::string> articles;
    for (int i = 0; i < 8; ++i) {
      articles.push_back(GenerateArticle(rng, language, 5));
    }
    for (size_t i = 0; i < articles.size(); ++i) {
      for (size_t j = i + 1; j < articles.size(); ++j) {
        EXPECT_LT(BruteForceJaccard(articles[i], articles[j], 5), 0.4);
      }
    }
  }
}

class EditToJaccardTest
    : public ::testing::TestWithParam<std::tuple<Language, double>> {};

TEST_P(EditToJaccardTest, LandsWithinTolerance) {
  const auto [language, target] = GetParam();
  Rng rng(static_cast<uint64_t>(target * 1000) +
          (language == Language::kArabic ? 1 : 0));
  for (int trial = 0; trial < 3; ++trial) {
    const std::string original = GenerateArticle(rng, language, 4);
    const std::string copy = EditToJaccard(original, target, 5, rng);
    EXPECT_NEAR(BruteForceJaccard(original, copy, 5), target, 0.02);
    EXPECT_TRUE(IsValidUtf8(copy));
    EXPECT_EQ(CountParagraphs(copy), CountParagraphs(original));
    EXPECT_EQ(HasArabicLetter(copy), language == Language::kArabic);
  }
}

INSTANTIATE_TEST_SUITE_P(
    TargetsAndLanguages, EditToJaccardTest,
    ::testing::Combine(::testing::Values(Language::kEnglish, Language::kArabic),
                       ::testing::Values(0.5, 0.7, 0.8, 0.9, 0.95)),
    [](const ::testing::TestParamInfo<EditToJaccardTest::ParamType>&
           param_info) {
      const bool arabic = std::get<0>(param_info.param) == Language::kArabic;
      const int percent =
          static_cast<int>(std::get<1>(param_info.param) * 100 + 0.5);
      return std::string(arabic ? "Arabic" : "English") +
             std::to_string(percent);
    });

TEST(EditToJaccard, HonoursOtherNgramsAndTolerances) {
  Rng rng(21);
  const std::string original = GenerateArticle(rng, Language::kArabic, 3);
  for (int ngram : {3, 7, 9}) {
    const std::string copy = EditToJaccard(original, 0.75, ngram, rng, 0.01);
    EXPECT_NEAR(BruteForceJaccard(original, copy, ngram), 0.75, 0.01)
        << "ngram " << ngram;
  }
}

TEST(EditToJaccard, TargetOneReturnsTheText) {
  Rng rng(1);
  const std::string original = GenerateArticle(rng, Language::kEnglish, 2);
  EXPECT_EQ(EditToJaccard(original, 1.0, 5, rng), original);
  EXPECT_EQ(EditToJaccard("", 0.5, 5, rng), "");
}

TEST(EditToJaccard, IsDeterministicGivenRngState) {
  Rng seed(2);
  const std::string original = GenerateArticle(seed, Language::kArabic, 3);
  Rng a(77), b(77);
  EXPECT_EQ(EditToJaccard(original, 0.6, 5, a),
            EditToJaccard(original, 0.6, 5, b));
}

TEST(EditToJaccard, ShortTextNeverGoesBelowTheBand) {
  // Too short to land within 0.02 by construction (each edit moves J by a
  // lot), but the result must never undershoot.
  Rng rng(4);
  const std::string text = "The council met on Monday.";
  const std::string copy = EditToJaccard(text, 0.5, 5, rng);
  EXPECT_GE(BruteForceJaccard(text, copy, 5), 0.5 - 0.02);
  EXPECT_LT(BruteForceJaccard(text, copy, 5), 1.0);
}

TEST(Truncate, KeepsWholeLeadingParagraphs) {
  const std::string text = "one.\n\ntwo.\n\nthree.\n\nfour.\n\nfive.\n\nsix.";
  EXPECT_EQ(Truncate(text, 0.5), "one.\n\ntwo.\n\nthree.");
  EXPECT_EQ(Truncate(text, 0.7), "one.\n\ntwo.\n\nthree.\n\nfour.");
  EXPECT_EQ(Truncate(text, 0.01), "one.");  // At least one.
  EXPECT_EQ(Truncate(text, 1.0), text);
  EXPECT_EQ(Truncate("single paragraph", 0.3), "single paragraph");
}

TEST(Truncate, AbridgedCopyIsContainedInTheOriginal) {
  Rng rng(8);
  for (Language language : {Language::kEnglish, Language::kArabic}) {
    const std::string original = GenerateArticle(rng, language, 6);
    const std::string abridged = Truncate(original, 0.5);
    EXPECT_EQ(CountParagraphs(abridged), 3u);
    EXPECT_TRUE(absl::string_view(original).substr(0, abridged.size()) ==
                abridged);
    EXPECT_DOUBLE_EQ(BruteForceContainment(abridged, original, 5), 1.0);
    // Half the text: Jaccard well below containment.
    EXPECT_LT(BruteForceJaccard(abridged, original, 5), 0.7);
    // An edited copy, abridged, is still mostly contained.
    const std::string edited_abridged =
        Truncate(EditToJaccard(original, 0.9, 5, rng), 0.5);
    EXPECT_GT(BruteForceContainment(edited_abridged, original, 5), 0.8);
  }
}

// ---------------------------------------------------------------------------
// Corpora

CorpusSpec SmallSpec(uint64_t seed) {
  CorpusSpec spec;
  spec.stories = 30;
  spec.max_paragraphs = 5;
  spec.seed = seed;
  return spec;
}

TEST(GenerateCorpus, SameSeedSameCorpusDifferentSeedDifferentCorpus) {
  const std::vector<GeneratedDoc> a = GenerateCorpus(SmallSpec(1));
  const std::vector<GeneratedDoc> b = GenerateCorpus(SmallSpec(1));
  const std::vector<GeneratedDoc> c = GenerateCorpus(SmallSpec(2));
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].id, b[i].id);
    EXPECT_EQ(a[i].text, b[i].text);
    EXPECT_EQ(a[i].story, b[i].story);
    EXPECT_EQ(a[i].original, b[i].original);
  }
  std::set<std::string> texts_a, texts_c;
  for (const GeneratedDoc& doc : a) texts_a.insert(doc.text);
  for (const GeneratedDoc& doc : c) texts_c.insert(doc.text);
  std::vector<std::string> shared;
  std::set_intersection(texts_a.begin(), texts_a.end(), texts_c.begin(),
                        texts_c.end(), std::back_inserter(shared));
  EXPECT_TRUE(shared.empty());
}

TEST(GenerateCorpus, HasOneOriginalPerStoryAndCopiesNearTheirTargets) {
  const CorpusSpec spec = SmallSpec(3);
  const std::vector<GeneratedDoc> docs = GenerateCorpus(spec);
  std::map<uint32_t, const GeneratedDoc*> originals;
  std::map<uint32_t, int> copies;
  size_t arabic = 0;
  for (size_t i = 0; i < docs.size(); ++i) {
    const GeneratedDoc& doc = docs[i];
    char id[32];
    std::snprintf(id, sizeof(id), "gen-%06zu", i);
    EXPECT_EQ(doc.id, id);
    EXPECT_TRUE(IsValidUtf8(doc.text)) << doc.id;
    ASSERT_LT(doc.story, spec.stories);
    const size_t paragraphs = CountParagraphs(doc.text);
    EXPECT_GE(paragraphs, static_cast<size_t>(spec.min_paragraphs));
    EXPECT_LE(paragraphs, static_cast<size_t>(spec.max_paragraphs));
    if (doc.original) {
      EXPECT_TRUE(originals.emplace(doc.story, &doc).second);
      arabic += HasArabicLetter(doc.text);
    } else {
      ++copies[doc.story];
    }
  }
  EXPECT_EQ(originals.size(), spec.stories);
  for (const auto& [story, count] : copies) {
    EXPECT_LE(count, spec.max_copies);
  }
  // Binomial(30, 0.5): anything in [5, 25] is a 4-sd event away.
  EXPECT_GE(arabic, 5u);
  EXPECT_LE(arabic, 25u);
  for (const GeneratedDoc& doc : docs) {
    if (doc.original) continue;
    const double jaccard =
        BruteForceJaccard(doc.text, originals[doc.story]->text, spec.ngram);
    EXPECT_GE(jaccard, spec.min_similarity - 0.02) << doc.id;
    EXPECT_LE(jaccard, spec.max_similarity) << doc.id;
  }
}

TEST(BruteForcePairs, MatchesPairwiseBruteForceJaccard) {
  CorpusSpec spec = SmallSpec(4);
  spec.stories = 8;
  const std::vector<GeneratedDoc> docs = GenerateCorpus(spec);
  std::map<std::pair<uint32_t, uint32_t>, double> all_pairs;
  for (uint32_t i = 0; i < docs.size(); ++i) {
    for (uint32_t j = i + 1; j < docs.size(); ++j) {
      all_pairs[{i, j}] = BruteForceJaccard(docs[i].text, docs[j].text, 5);
    }
  }
  for (double threshold : {0.3, 0.6, 0.85}) {
    std::vector<std::pair<uint32_t, uint32_t>> expected;
    for (const auto& [pair, jaccard] : all_pairs) {
      if (jaccard >= threshold) expected.push_back(pair);
    }
    std::vector<std::pair<uint32_t, uint32_t>> actual;
    for (const TruePair& pair : BruteForcePairs(docs, 5, threshold)) {
      actual.emplace_back(pair.a, pair.b);
      EXPECT_DOUBLE_EQ(pair.jaccard, all_pairs[std::make_pair(pair.a, pair.b)]);
    }
    EXPECT_EQ(actual, expected) << "threshold " << threshold;
    EXPECT_FALSE(actual.empty()) << "threshold " << threshold;
  }
}

TEST(BruteForcePairs, HandMadeDocuments) {
  const std::vector<GeneratedDoc> docs = {
      {"a", "abcde", 0, true},
      {"b", "xyz", 1, true},
      {"c", "abcdf", 0, false},  // 0.6 with "abcde" (see above).
      {"d", "", 2, true},
      {"e", "abcde", 3, true},  // Another story, same text: J = 1.
  };
  const std::vector<TruePair> pairs = BruteForcePairs(docs, 2, 0.5);
  ASSERT_EQ(pairs.size(), 3u);
  EXPECT_EQ(pairs[0].a, 0u);
  EXPECT_EQ(pairs[0].b, 2u);
  EXPECT_DOUBLE_EQ(pairs[0].jaccard, 0.6);
  EXPECT_EQ(pairs[1].a, 0u);
  EXPECT_EQ(pairs[1].b, 4u);
  EXPECT_DOUBLE_EQ(pairs[1].jaccard, 1.0);
  EXPECT_EQ(pairs[2].a, 2u);
  EXPECT_EQ(pairs[2].b, 4u);
  EXPECT_DOUBLE_EQ(pairs[2].jaccard, 0.6);
  // A threshold of 0 lists every pair, the empty document's included.
  EXPECT_EQ(BruteForcePairs(docs, 2, 0.0).size(), 10u);
}

// ---------------------------------------------------------------------------
// The sample corpus shipped in tests/data (see tests/data/README.md).

// Reads a JSON string starting at text[*pos] == '"' into `out` (UTF-8),
// leaving *pos after the closing quote. Handles every JSON escape, surrogate
// pairs included; raw control characters are an error.
bool ParseJsonString(absl::string_view text, size_t* pos, std::string* out) {
  if (*pos >= text.size() || text[*pos] != '"') return false;
  ++*pos;
  out->clear();
  auto hex4 = [&](size_t at, uint32_t* value) {
    if (at + 4 > text.size()) return false;
    *value = 0;
    for (size_t k = at; k < at + 4; ++k) {
      const char c = text[k];
      *value <<= 4;
      if (c >= '0' && c <= '9') {
        *value |= c - '0';
      } else if (c >= 'a' && c <= 'f') {
        *value |= c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        *value |= c - 'A' + 10;
      } else {
        return false;
      }
    }
    return true;
  };
  while (*pos < text.size()) {
    const char c = text[(*pos)++];
    if (c == '"') return true;
    if (static_cast<unsigned char>(c) < 0x20) return false;
    if (c != '\\') {
      out->push_back(c);
      continue;
    }
    if (*pos >= text.size()) return false;
    const char escape = text[(*pos)++];
    switch (escape) {
      case '"':
      case '\\':
      case '/':
        out->push_back(escape);
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'n':
        out->push_back('\n');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'u': {
        uint32_t unit;
        if (!hex4(*pos, &unit)) return false;
        *pos += 4;
        if (unit >= 0xd800 && unit <= 0xdbff) {
          uint32_t low;
          if (text.substr(*pos, 2) != "\\u" || !hex4(*pos + 2, &low) ||
              low < 0xdc00 || low > 0xdfff) {
            return false;
          }
          *pos += 6;
          unit = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
        } else if (unit >= 0xdc00 && unit <= 0xdfff) {
          return false;
        }
        *out += EncodeUtf8(std::u32string(1, static_cast<char32_t>(unit)));
        break;
      }
      default:
        return false;
    }
  }
  return false;
}

// Parses a JSON object whose values are all strings (what the sample holds).
bool ParseFlatJsonObject(absl::string_view line,
                         std::map<std::string, std::string>* fields) {
  size_t pos = 0;
  auto skip_space = [&] {
    while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t' ||
                                 line[pos] == '\r' || line[pos] == '\n')) {
      ++pos;
    }
  };
  skip_space();
  if (pos >= line.size() || line[pos++] != '{') return false;
  for (;;) {
    skip_space();
    std::string key, value;
    if (!ParseJsonString(line, &pos, &key)) return false;
    skip_space();
    if (pos >= line.size() || line[pos++] != ':') return false;
    skip_space();
    if (!ParseJsonString(line, &pos, &value)) return false;
    if (!fields->emplace(std::move(key), std::move(value)).second) {
      return false;  // Duplicate key.
    }
    skip_space();
    if (pos >= line.size()) return false;
    const char next = line[pos++];
    if (next == '}') break;
    if (next != ',') return false;
  }
  skip_space();
  return pos == line.size();
}

TEST(ParseFlatJsonObject, HandlesEscapes) {
  std::map<std::string, std::string> fields;
  ASSERT_TRUE(ParseFlatJsonObject(
      R"({"a": "x\"y\\z\n", "b":"\u00e9\u0628\ud83d\ude00"})", &fields));
  EXPECT_EQ(fields["a"], "x\"y\\z\n");
  EXPECT_EQ(fields["b"], "éب😀");
  fields.clear();
  EXPECT_FALSE(ParseFlatJsonObject(R"({"a": 1})", &fields));
  fields.clear();
  EXPECT_FALSE(ParseFlatJsonObject(R"({"a": "x")", &fields));
}

// The folds DESIGN.md lists for full normalisation that matter for this
// sample: diacritics and tatweel removed, Arabic comma/semicolon/question
// mark as ASCII, «» “” as ", alef forms to bare alef, ى to ي, ة to ه,
// Arabic-Indic and Persian digits to ASCII, ASCII case, runs of white space
// to one space. Full normalisation folds at least this much, so Jaccard after
// this fold is a stand-in for what the engine sees, written independently of
// the engine's normaliser.
std::string LightFold(absl::string_view text) {
  std::u32string out;
  bool in_space = true;  // Drops leading white space too.
  for (char32_t c : DecodeUtf8(text)) {
    if ((c >= 0x64b && c <= 0x65f) || c == 0x670 || c == 0x640) continue;
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      if (!in_space) out.push_back(' ');
      in_space = true;
      continue;
    }
    in_space = false;
    if (c == U'،') c = ',';
    if (c == U'؛') c = ';';
    if (c == U'؟') c = '?';
    if (c == U'«' || c == U'»' || c == U'“' || c == U'”') c = '"';
    if (c == U'أ' || c == U'إ' || c == U'آ' || c == U'ٱ') c = U'ا';
    if (c == U'ى') c = U'ي';
    if (c == U'ة') c = U'ه';
    if (c >= 0x660 && c <= 0x669) c = '0' + (c - 0x660);
    if (c >= 0x6f0 && c <= 0x6f9) c = '0' + (c - 0x6f0);
    if (c >= 'A' && c <= 'Z') c = c - 'A' + 'a';
    out.push_back(c);
  }
  return EncodeUtf8(out);
}

TEST(LightFold, FoldsTheSampleEdits) {
  EXPECT_EQ(LightFold("  «أهلاً»،  World\n\nإلى  ٢٠٢٤"),
            "\"اهلا\", world الي 2024");
  EXPECT_EQ(LightFold("المحطـــة خطوةٌ"), "المحطه خطوه");
}

struct SampleDoc {
  std::string id, source, date, title, text;
};

std::vector<SampleDoc> LoadSample() {
  std::vector<SampleDoc> docs;
  std::ifstream in(NEARDUP_SOURCE_DIR "/tests/data/sample-news.jsonl",
                   std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing tests/data/sample-news.jsonl";
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty()) continue;
    std::map<std::string, std::string> fields;
    EXPECT_TRUE(ParseFlatJsonObject(line, &fields)) << "line " << line_number;
    EXPECT_EQ(fields.size(), 5u) << "line " << line_number;
    docs.push_back({fields["id"], fields["source"], fields["date"],
                    fields["title"], fields["text"]});
  }
  return docs;
}

// What tests/data/README.md documents. Each story: the wire original first,
// then its reprints.
const std::vector<std::vector<std::string>>& SampleStories() {
  static const auto* const stories = new std::vector<std::vector<std::string>>{
      {"sample-001", "sample-002", "sample-003", "sample-004"},
      {"sample-005", "sample-006", "sample-007"},
      {"sample-009", "sample-010", "sample-011", "sample-012"},
      {"sample-022", "sample-023", "sample-024", "sample-025", "sample-026"},
      {"sample-027", "sample-028", "sample-029"},
      {"sample-030", "sample-031", "sample-032", "sample-033"},
  };
  return *stories;
}
// Abridged copy -> its original.
const std::map<std::string, std::string>& SampleAbridged() {
  static const auto* const abridged = new std::map<std::string, std::string>{
      {"sample-008", "sample-005"}, {"sample-034", "sample-030"}};
  return *abridged;
}
constexpr absl::string_view kRepeatingDoc = "sample-019";

class SampleNewsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    docs_ = LoadSample();
    for (const SampleDoc& doc : docs_) by_id_[doc.id] = &doc;
  }
  const SampleDoc& Doc(const std::string& id) {
    EXPECT_EQ(by_id_.count(id), 1u) << id;
    return *by_id_[id];
  }
  std::vector<SampleDoc> docs_;
  std::map<std::string, const SampleDoc*> by_id_;
};

TEST_F(SampleNewsTest, RecordsAreWellFormed) {
  ASSERT_EQ(docs_.size(), 43u);
  size_t arabic = 0;
  for (size_t i = 0; i < docs_.size(); ++i) {
    const SampleDoc& doc = docs_[i];
    char id[32];
    std::snprintf(id, sizeof(id), "sample-%03zu", i + 1);
    EXPECT_EQ(doc.id, id);
    EXPECT_FALSE(doc.source.empty()) << doc.id;
    EXPECT_EQ(doc.date.size(), 10u) << doc.id;
    EXPECT_FALSE(doc.title.empty()) << doc.id;
    EXPECT_TRUE(IsValidUtf8(doc.text)) << doc.id;
    EXPECT_TRUE(IsValidUtf8(doc.title)) << doc.id;
    const size_t paragraphs = CountParagraphs(doc.text);
    EXPECT_GE(paragraphs, 3u) << doc.id;
    EXPECT_LE(paragraphs, 8u) << doc.id;
    arabic += HasArabicLetter(doc.text);
  }
  EXPECT_GE(arabic, 18u);  // About half of 43.
  EXPECT_LE(arabic, 25u);
}

TEST_F(SampleNewsTest, ReprintsAreNearDuplicatesOfEachOther) {
  for (const std::vector<std::string>& story : SampleStories()) {
    for (size_t i = 0; i < story.size(); ++i) {
      for (size_t j = i + 1; j < story.size(); ++j) {
        const std::string& a = Doc(story[i]).text;
        const std::string& b = Doc(story[j]).text;
        const double raw = BruteForceJaccard(a, b, 5);
        const double folded = BruteForceJaccard(LightFold(a), LightFold(b), 5);
        // README: every reprint is >= 0.8 raw with its original and >= 0.7
        // raw with the other reprints; >= 0.85 with anyone after folding.
        EXPECT_GE(raw, i == 0 ? 0.8 : 0.7) << story[i] << " " << story[j];
        EXPECT_GE(folded, 0.85) << story[i] << " " << story[j];
      }
    }
  }
}

TEST_F(SampleNewsTest, AbridgedCopiesAreContainedButNotJaccardDuplicates) {
  for (const auto& [abridged, original] : SampleAbridged()) {
    const std::string& short_text = Doc(abridged).text;
    const std::string& full_text = Doc(original).text;
    EXPECT_TRUE(absl::StartsWith(full_text, short_text)) << abridged;
    EXPECT_LE(CountParagraphs(short_text) * 2, CountParagraphs(full_text))
        << abridged;
    EXPECT_DOUBLE_EQ(BruteForceContainment(short_text, full_text, 5), 1.0)
        << abridged;
    EXPECT_LT(BruteForceJaccard(short_text, full_text, 5), 0.6) << abridged;
  }
}

TEST_F(SampleNewsTest, RepeatingArticleRepeatsItsFirstParagraphs) {
  const std::vector<std::string> paragraphs =
      absl::StrSplit(Doc(std::string(kRepeatingDoc)).text, "\n\n");
  ASSERT_EQ(paragraphs.size(), 7u);
  for (int k = 0; k < 3; ++k) EXPECT_EQ(paragraphs[4 + k], paragraphs[k]);
  const std::set<std::string> distinct(paragraphs.begin(), paragraphs.end());
  EXPECT_EQ(distinct.size(), 4u);
}

TEST_F(SampleNewsTest, DifferentStoriesAreNotSimilar) {
  // Story of each document: its cluster, its abridged copy's original, or
  // itself.
  std::map<std::string, std::string> story_of;
  for (const std::vector<std::string>& story : SampleStories()) {
    for (const std::string& id : story) story_of[id] = story[0];
  }
  for (const auto& [abridged, original] : SampleAbridged()) {
    story_of[abridged] = original;
  }
  // Each folded text's n-gram set once: the pairs below reuse them.
  std::vector<std::vector<std::u32string>> sets;
  for (const SampleDoc& doc : docs_) {
    if (!story_of.count(doc.id)) story_of[doc.id] = doc.id;
    sets.push_back(NgramSet(LightFold(doc.text), 5));
  }
  for (size_t i = 0; i < docs_.size(); ++i) {
    for (size_t j = i + 1; j < docs_.size(); ++j) {
      if (story_of[docs_[i].id] == story_of[docs_[j].id]) continue;
      std::vector<std::u32string> shared;
      std::set_intersection(sets[i].begin(), sets[i].end(), sets[j].begin(),
                            sets[j].end(), std::back_inserter(shared));
      const double jaccard =
          static_cast<double>(shared.size()) /
          static_cast<double>(sets[i].size() + sets[j].size() - shared.size());
      const double containment =
          static_cast<double>(shared.size()) /
          static_cast<double>(std::min(sets[i].size(), sets[j].size()));
      EXPECT_LT(jaccard, 0.5) << docs_[i].id << " " << docs_[j].id;
      EXPECT_LT(containment, 0.5) << docs_[i].id << " " << docs_[j].id;
    }
  }
}

}  // namespace
}  // namespace neardup::testing
