#include "neardup/shingle.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/status_matchers.h"
#include "xxhash.h"

namespace neardup {
namespace {

using ::testing::ElementsAre;
using ::testing::SizeIs;

std::vector<uint64_t> Shingles(const std::u32string& text, int n,
                               uint64_t seed = kDefaultSeed) {
  std::vector<uint64_t> out;
  HashShingles(text, {.ngram = n, .seed = seed}, &out);
  return out;
}

TEST(HashShingles, OneHashPerWindow) {
  EXPECT_THAT(Shingles(U"abcdefg", 5), SizeIs(3));
  EXPECT_THAT(Shingles(U"abcdefg", 1), SizeIs(7));
}

TEST(HashShingles, ShortTextIsOneShingleOfTheWholeText) {
  std::vector<uint64_t> hashes = Shingles(U"abc", 5);
  ASSERT_THAT(hashes, SizeIs(1));
  EXPECT_EQ(hashes[0], HashShingle(std::u32string_view(U"abc"), kDefaultSeed));
  EXPECT_THAT(Shingles(U"abcde", 5), SizeIs(1));
}

TEST(HashShingles, EmptyTextHasNoShingles) {
  EXPECT_THAT(Shingles(U"", 5), SizeIs(0));
}

TEST(HashShingles, AppendsWithoutClearing) {
  std::vector<uint64_t> out = {42};
  HashShingles(std::u32string_view(U"abcdef"), {.ngram = 5}, &out);
  EXPECT_THAT(out, SizeIs(3));
  EXPECT_EQ(out[0], 42u);
}

TEST(HashShingles, EqualWindowsGiveEqualHashes) {
  // "abcab" with n = 2: ab, bc, ca, ab.
  std::vector<uint64_t> h = Shingles(U"abcab", 2);
  ASSERT_THAT(h, SizeIs(4));
  EXPECT_EQ(h[0], h[3]);
  EXPECT_NE(h[0], h[1]);
  EXPECT_NE(h[1], h[2]);
}

TEST(HashShingles, HashIsXxh3OfLittleEndianCodePoints) {
  // The documented on-disk definition, recomputed from raw bytes.
  const std::u32string text = U"\u0628\u064A\u062A a";
  unsigned char bytes[16];
  for (int i = 0; i < 4; ++i) {
    uint32_t cp = static_cast<uint32_t>(text[i]);
    for (int b = 0; b < 4; ++b) bytes[i * 4 + b] = (cp >> (8 * b)) & 0xff;
  }
  EXPECT_EQ(Shingles(text, 4)[0],
            XXH3_64bits_withSeed(bytes, sizeof(bytes), kDefaultSeed));
}

TEST(HashShingles, GoldenValuesAreStable) {
  // Pinned once: a change here changes every signature and invalidates
  // stored indexes, so it must be deliberate (bump kNormalizationVersion or
  // the index format).
  EXPECT_EQ(HashShingle(std::u32string_view(U"hello"), 0),
            XXH3_64bits_withSeed("h\0\0\0e\0\0\0l\0\0\0l\0\0\0o\0\0\0", 20, 0));
  EXPECT_EQ(HashShingle(std::u32string_view(U"hello"), kDefaultSeed),
            0xe843389bbdb7a8cfULL);
}

TEST(HashShingles, SeedChangesHashes) {
  EXPECT_NE(Shingles(U"abcdef", 5, 1), Shingles(U"abcdef", 5, 2));
}

TEST(SortUnique, MakesASortedSet) {
  std::vector<uint64_t> v = {5, 1, 5, 3, 1};
  SortUnique(&v);
  EXPECT_THAT(v, ElementsAre(1, 3, 5));
}

TEST(SortUnique, MatchesStdSortOnLargeAndRepetitiveInputs) {
  std::mt19937_64 rng(5);
  for (size_t n : {255, 256, 1000, 70000}) {
    for (uint64_t distinct : {uint64_t{3}, uint64_t{500}, ~uint64_t{0}}) {
      std::vector<uint64_t> v(n);
      // Few distinct values stress the big-bucket path; spreading them over
      // the whole range (multiplying) keeps the top bits varied.
      for (auto& x : v) x = (rng() % distinct) * 0x9e3779b97f4a7c15ULL;
      std::vector<uint64_t> expected = v;
      std::sort(expected.begin(), expected.end());
      expected.erase(std::unique(expected.begin(), expected.end()),
                     expected.end());
      SortUnique(&v);
      EXPECT_EQ(v, expected) << "n=" << n << " distinct=" << distinct;
    }
  }
}

// Values that are not uniform (all in the lowest bucket, or piled at both
// ends of the range) must still come out sorted, without the insertion pass
// turning quadratic: their buckets are sorted first.
TEST(SortUnique, SortsValuesCrowdedIntoFewBuckets) {
  std::mt19937_64 rng(9);
  for (size_t n : {300, 5000, 70000}) {
    std::vector<uint64_t> low(n), ends(n);
    for (auto& x : low) x = rng() % (uint64_t{1} << 40);
    for (size_t i = 0; i < n; ++i) {
      ends[i] = i % 2 == 0 ? rng() % 64 : ~uint64_t{0} - rng() % 64;
    }
    for (std::vector<uint64_t>* v : {&low, &ends}) {
      std::vector<uint64_t> expected = *v;
      std::sort(expected.begin(), expected.end());
      expected.erase(std::unique(expected.begin(), expected.end()),
                     expected.end());
      SortUnique(v);
      EXPECT_EQ(*v, expected) << "n=" << n;
    }
  }
}

TEST(ValidateShingleOptions, RejectsOutOfRangeNgram) {
  using ::neardup::testing::StatusIs;
  EXPECT_THAT(ValidateShingleOptions({.ngram = 0}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::HasSubstr("between 1 and 64")));
  EXPECT_THAT(
      ValidateShingleOptions({.ngram = 65}),
      StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("65")));
  NEARDUP_EXPECT_OK(ValidateShingleOptions({.ngram = 64}));
}

}  // namespace
}  // namespace neardup
