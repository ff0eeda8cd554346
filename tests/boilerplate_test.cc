// Boilerplate-aware scoring (PipelineOptions::boilerplate_df): templated
// items that share only their template lose their link, copies keep it, and
// every pair carries its Jaccard without boilerplate shingles.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "neardup/pipeline.h"
#include "tests/support/generator.h"

namespace neardup {
namespace {

using ::neardup::testing::EditToJaccard;
using ::neardup::testing::GenerateArticle;
using ::neardup::testing::Language;
using ::neardup::testing::Rng;

// Documents 0..39: one long template (a cable's formula) with a short
// different item each; 40: a story; 41: a light copy of it; 42..: others.
std::vector<std::pair<std::string, std::string>> MakeCorpus() {
  Rng rng(5);
  const std::string formula = GenerateArticle(rng, Language::kEnglish, 4);
  std::vector<std::pair<std::string, std::string>> docs;
  for (int i = 0; i < 40; ++i) {
    docs.emplace_back(
        absl::StrCat("cable-", i),
        absl::StrCat(formula, "\n\n",
                     GenerateArticle(rng, Language::kEnglish, 1)));
  }
  const std::string story = GenerateArticle(rng, Language::kArabic, 6);
  docs.emplace_back("story", story);
  docs.emplace_back("copy", EditToJaccard(story, 0.85, 5, rng));
  for (int i = 0; i < 20; ++i) {
    docs.emplace_back(absl::StrCat("other-", i),
                      GenerateArticle(rng, Language::kArabic, 6));
  }
  return docs;
}

PipelineResult ClusterWith(
    const std::vector<std::pair<std::string, std::string>>& docs,
    uint32_t boilerplate_df, double min_weighted, int threads) {
  auto corpus = Corpus::FromDocuments(docs);
  EXPECT_TRUE(corpus.ok()) << corpus.status();
  PipelineOptions options;
  options.boilerplate_df = boilerplate_df;
  options.min_weighted_jaccard = min_weighted;
  options.threads = threads;
  auto result = RunPipeline(**corpus, options);
  EXPECT_TRUE(result.ok()) << result.status();
  return *std::move(result);
}

bool HasPair(const PipelineResult& r, uint32_t a, uint32_t b) {
  for (const ScoredPair& p : r.pairs) {
    if (p.a == a && p.b == b) return true;
  }
  return false;
}

TEST(Boilerplate, OffByDefaultAndNoWeightedScores) {
  const PipelineResult r = ClusterWith(MakeCorpus(), 0, 0, 2);
  EXPECT_TRUE(r.weighted_jaccard.empty());
  EXPECT_TRUE(HasPair(r, 0, 1));    // Cables share their formula.
  EXPECT_TRUE(HasPair(r, 40, 41));  // The copy.
}

TEST(Boilerplate, TemplatePairsLoseTheirLinkAndCopiesKeepIt) {
  const auto docs = MakeCorpus();
  const PipelineResult plain = ClusterWith(docs, 20, 0, 2);
  ASSERT_EQ(plain.weighted_jaccard.size(), plain.pairs.size());
  for (size_t i = 0; i < plain.pairs.size(); ++i) {
    const ScoredPair& p = plain.pairs[i];
    const double w = plain.weighted_jaccard[i];
    EXPECT_GE(w, 0);
    EXPECT_LE(w, 1);
    if (p.a < 40 && p.b < 40) {
      EXPECT_LT(w, 0.2) << p.a << " " << p.b;
    }
    if (p.a == 40 && p.b == 41) {
      EXPECT_GT(w, 0.6);
    }
  }
  const PipelineResult cut = ClusterWith(docs, 20, 0.3, 2);
  EXPECT_FALSE(HasPair(cut, 0, 1));
  EXPECT_TRUE(HasPair(cut, 40, 41));
  for (double w : cut.weighted_jaccard) EXPECT_GE(w, 0.3);
  // Jaccard stays the plain exact value.
  for (const ScoredPair& p : cut.pairs) {
    for (const ScoredPair& q : plain.pairs) {
      if (p.a == q.a && p.b == q.b) {
        EXPECT_EQ(p.jaccard, q.jaccard);
      }
    }
  }
}

TEST(Boilerplate, SameScoresForAnyThreadCount) {
  const auto docs = MakeCorpus();
  const PipelineResult one = ClusterWith(docs, 20, 0.1, 1);
  const PipelineResult three = ClusterWith(docs, 20, 0.1, 3);
  ASSERT_EQ(one.pairs.size(), three.pairs.size());
  EXPECT_EQ(one.weighted_jaccard, three.weighted_jaccard);
}

TEST(Boilerplate, OptionsAreValidated) {
  PipelineOptions options;
  options.min_weighted_jaccard = 0.2;  // Without boilerplate_df.
  EXPECT_FALSE(ValidatePipelineOptions(options).ok());
  options.boilerplate_df = 10;
  EXPECT_TRUE(ValidatePipelineOptions(options).ok());
  options.min_weighted_jaccard = 1.5;
  EXPECT_FALSE(ValidatePipelineOptions(options).ok());
}

}  // namespace
}  // namespace neardup
