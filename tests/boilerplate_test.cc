// Boilerplate-aware scoring (PipelineOptions::boilerplate_df): templated
// items that share only their template lose their link once the template is
// frequent, copies keep it, and every pair carries its Jaccard without the
// shingles that were boilerplate as of its later document.
#include <algorithm>
#include <iterator>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "neardup/normalize.h"
#include "neardup/pipeline.h"
#include "neardup/shingle.h"
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

// A cable's formula turns boilerplate at its (D + 1)-th cable, document D:
// pairs whose later cable comes before it still share it, every later pair
// has only its short item left.
TEST(Boilerplate, TemplatePairsLoseTheirLinkOnceFrequentAndCopiesKeepIt) {
  constexpr uint32_t kDf = 20;
  const auto docs = MakeCorpus();
  const PipelineResult plain = ClusterWith(docs, kDf, 0, 2);
  ASSERT_EQ(plain.weighted_jaccard.size(), plain.pairs.size());
  int early = 0, late = 0;
  for (size_t i = 0; i < plain.pairs.size(); ++i) {
    const ScoredPair& p = plain.pairs[i];
    const double w = plain.weighted_jaccard[i];
    EXPECT_GE(w, 0);
    EXPECT_LE(w, 1);
    if (p.b < 40) {
      if (p.b < kDf) {
        ++early;
        EXPECT_GT(w, 0.5) << p.a << " " << p.b;
      } else {
        ++late;
        EXPECT_LT(w, 0.2) << p.a << " " << p.b;
      }
    }
    if (p.a == 40 && p.b == 41) {
      EXPECT_GT(w, 0.6);
    }
  }
  EXPECT_EQ(early, kDf * (kDf - 1) / 2);
  EXPECT_EQ(late, 40 * 39 / 2 - kDf * (kDf - 1) / 2);
  const PipelineResult cut = ClusterWith(docs, kDf, 0.3, 2);
  EXPECT_TRUE(HasPair(cut, 0, 1));
  EXPECT_FALSE(HasPair(cut, 0, kDf));
  EXPECT_FALSE(HasPair(cut, kDf, kDf + 1));
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

// Every weighted score equals a brute-force count: the documents up to the
// later of the two holding each fingerprint (high 32 bits of a shingle hash).
TEST(Boilerplate, WeightedScoresEqualABruteForceCount) {
  const auto docs = MakeCorpus();
  for (uint32_t df : {3u, 20u, 39u}) {
    const PipelineResult r = ClusterWith(docs, df, 0, 2);
    ASSERT_EQ(r.weighted_jaccard.size(), r.pairs.size());
    auto normalizer = Normalizer::Create({});
    ASSERT_TRUE(normalizer.ok());
    std::vector<std::vector<uint64_t>> sets;
    for (const auto& [id, text] : docs) {
      NormalizedText normalized;
      normalizer->Normalize(text, &normalized);
      std::vector<uint64_t> hashes;
      HashShingles(normalized.code_points, {.ngram = 5}, &hashes);
      SortUnique(&hashes);
      sets.push_back(std::move(hashes));
    }
    // Each fingerprint's holders, in document order.
    std::map<uint64_t, std::vector<uint32_t>> holders_of;
    for (uint32_t d = 0; d < sets.size(); ++d) {
      std::vector<uint64_t> f;
      for (uint64_t h : sets[d]) f.push_back(h >> 32);
      SortUnique(&f);
      for (uint64_t x : f) holders_of[x].push_back(d);
    }
    auto holders = [&](uint64_t fingerprint, uint32_t later) {
      const std::vector<uint32_t>& docs_holding = holders_of[fingerprint];
      return std::upper_bound(docs_holding.begin(), docs_holding.end(), later) -
             docs_holding.begin();
    };
    ASSERT_FALSE(r.pairs.empty());
    for (size_t i = 0; i < r.pairs.size(); ++i) {
      const ScoredPair& p = r.pairs[i];
      std::vector<uint64_t> both;
      std::set_union(sets[p.a].begin(), sets[p.a].end(), sets[p.b].begin(),
                     sets[p.b].end(), std::back_inserter(both));
      uint64_t common = 0, all = 0;
      for (uint64_t h : both) {
        if (holders(h >> 32, p.b) > static_cast<ptrdiff_t>(df)) continue;
        ++all;
        common += std::binary_search(sets[p.a].begin(), sets[p.a].end(), h) &&
                  std::binary_search(sets[p.b].begin(), sets[p.b].end(), h);
      }
      const double expected =
          all == 0 ? 0.0 : static_cast<double>(common) / all;
      EXPECT_DOUBLE_EQ(r.weighted_jaccard[i], expected)
          << "df " << df << ", pair " << p.a << " " << p.b;
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
