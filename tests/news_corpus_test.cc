#include "tests/support/news_corpus.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/generator.h"

namespace neardup::testing {
namespace {

TEST(NewsCorpusTest, SameSeedAndStorySameBytesOtherSeedOtherText) {
  NewsSpec spec;
  spec.seed = 5;
  const NewsStory a = GenerateStory(spec, 42);
  const NewsStory b = GenerateStory(spec, 42);
  ASSERT_EQ(a.docs.size(), b.docs.size());
  for (size_t i = 0; i < a.docs.size(); ++i) {
    EXPECT_EQ(a.docs[i].text, b.docs[i].text);
    EXPECT_EQ(a.docs[i].date, b.docs[i].date);
  }
  spec.seed = 6;
  EXPECT_NE(GenerateStory(spec, 42).docs[0].text, a.docs[0].text);
}

TEST(NewsCorpusTest, OriginalsAreNewsSizedAndCopiesFollowThem) {
  NewsSpec spec;
  size_t copies = 0;
  size_t stories = 400;
  for (uint64_t s = 0; s < stories; ++s) {
    const NewsStory story = GenerateStory(spec, s);
    ASSERT_FALSE(story.docs.empty());
    const NewsDoc& original = story.docs[0];
    EXPECT_EQ(original.kind, CopyKind::kOriginal);
    EXPECT_GE(original.text.size(), static_cast<size_t>(spec.min_bytes));
    // One sentence past the target at most.
    EXPECT_LE(original.text.size(), static_cast<size_t>(spec.max_bytes) + 400);
    EXPECT_NE(original.text.find("\n\n"), std::string::npos);
    EXPECT_FALSE(original.title.empty());
    for (size_t c = 1; c < story.docs.size(); ++c) {
      EXPECT_NE(story.docs[c].kind, CopyKind::kOriginal);
      EXPECT_GT(story.docs[c].date, original.date);  // ISO 8601 sorts.
      ++copies;
    }
  }
  // About one story in eight gets 1-4 copies (2.5 on average).
  EXPECT_GT(copies, stories / 20);
  EXPECT_LT(copies, stories / 2);
}

// The calibration the header promises, checked with the independent
// brute-force reference: unrelated articles in one language share little
// (as real news does: SaudiNewsNet's median is 0.024), light copies share
// most, and a truncated copy is contained in its original.
TEST(NewsCorpusTest, UnrelatedArticlesShareLittleAndCopiesShareMuch) {
  NewsSpec spec;
  spec.copied_fraction = 1.0;
  for (double arabic : {0.0, 1.0}) {
    spec.arabic_fraction = arabic;
    std::vector<double> background;
    for (uint64_t s = 0; s + 1 < 24; s += 2) {
      background.push_back(
          BruteForceJaccard(GenerateStory(spec, s).docs[0].text,
                            GenerateStory(spec, s + 1).docs[0].text, 5));
    }
    std::sort(background.begin(), background.end());
    EXPECT_LT(background[background.size() / 2], 0.06) << "arabic " << arabic;
    EXPECT_GT(background[background.size() / 2], 0.005) << "arabic " << arabic;

    int light = 0, truncated = 0;
    for (uint64_t s = 0; s < 60 && (light < 3 || truncated < 2); ++s) {
      const NewsStory story = GenerateStory(spec, s);
      for (size_t c = 1; c < story.docs.size(); ++c) {
        const std::string& original = story.docs[0].text;
        const std::string& copy = story.docs[c].text;
        if (story.docs[c].kind == CopyKind::kLight && light < 3) {
          ++light;
          EXPECT_GT(BruteForceJaccard(original, copy, 5), 0.7);
        } else if (story.docs[c].kind == CopyKind::kTruncated &&
                   truncated < 2) {
          ++truncated;
          EXPECT_GT(BruteForceContainment(original, copy, 5), 0.8);
          EXPECT_LT(copy.size(), original.size());
        }
      }
    }
    EXPECT_EQ(light, 3);
    EXPECT_EQ(truncated, 2);
  }
}

}  // namespace
}  // namespace neardup::testing
