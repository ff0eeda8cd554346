// Containment linking: an abridged copy of a story joins the story's cluster
// through `PipelineOptions::containment`, found through shared passages.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "neardup/passage.h"
#include "neardup/pipeline.h"
#include "tests/support/generator.h"
#include "tests/support/status_matchers.h"

namespace neardup {
namespace {

using ::neardup::testing::IsOk;
using ::neardup::testing::Language;
using ::neardup::testing::StatusIs;
using ::testing::HasSubstr;

struct Fixture {
  std::vector<std::pair<std::string, std::string>> docs;
};

// Document 0: a story; document 1: its first `fraction` of paragraphs;
// documents 2..: other stories in the same language (several share the
// story's topic, since the generator has six).
Fixture MakeFixture(Language language, double fraction, uint64_t seed) {
  neardup::testing::Rng rng(seed);
  Fixture f;
  const std::string story =
      neardup::testing::GenerateArticle(rng, language, 10);
  f.docs.emplace_back("story", story);
  f.docs.emplace_back("abridged", neardup::testing::Truncate(story, fraction));
  for (int i = 0; i < 12; ++i) {
    f.docs.emplace_back(absl::StrCat("other-", i),
                        neardup::testing::GenerateArticle(rng, language, 10));
  }
  return f;
}

absl::StatusOr<PipelineResult> Cluster(const Fixture& f, double containment) {
  absl::StatusOr<std::unique_ptr<Corpus>> corpus =
      Corpus::FromDocuments(f.docs);
  if (!corpus.ok()) return corpus.status();
  PipelineOptions options;
  // The fixtures' abridged copies have Jaccard 0.4-0.75 with their story:
  // below this threshold, so only containment can link them.
  options.threshold = 0.8;
  options.containment = containment;
  options.threads = 2;
  return RunPipeline(**corpus, options);
}

bool Linked(const PipelineResult& result, uint32_t a, uint32_t b) {
  return result.representative_of[a] == result.representative_of[b];
}

TEST(Containment, AbridgedCopyJoinsItsStoryOnlyWithContainment) {
  for (Language language : {Language::kArabic, Language::kEnglish}) {
    for (double fraction : {0.4, 0.5, 0.6}) {
      SCOPED_TRACE(absl::StrCat(language == Language::kArabic ? "ar " : "en ",
                                fraction));
      const Fixture f = MakeFixture(language, fraction, 17);
      // The premise, measured independently: Jaccard well below 0.8,
      // containment near 1.
      const double jaccard = neardup::testing::BruteForceJaccard(
          f.docs[0].second, f.docs[1].second, 5);
      ASSERT_LT(jaccard, 0.75);
      ASSERT_GT(neardup::testing::BruteForceContainment(f.docs[0].second,
                                                        f.docs[1].second, 5),
                0.95);

      absl::StatusOr<PipelineResult> plain = Cluster(f, 0);
      ASSERT_THAT(plain, IsOk());
      EXPECT_FALSE(Linked(*plain, 0, 1));
      EXPECT_EQ(plain->stats.containment_candidates, 0u);

      absl::StatusOr<PipelineResult> linked = Cluster(f, 0.8);
      ASSERT_THAT(linked, IsOk());
      EXPECT_TRUE(Linked(*linked, 0, 1));
      ASSERT_EQ(linked->pairs.size(), linked->pair_links.size());
      bool found = false;
      for (size_t i = 0; i < linked->pairs.size(); ++i) {
        const ScoredPair& p = linked->pairs[i];
        if (p.a == 0 && p.b == 1) {
          found = true;
          EXPECT_EQ(linked->pair_links[i], PairLink::kContainment);
          EXPECT_GE(p.containment, 0.8);
          EXPECT_NEAR(p.jaccard, jaccard, 0.1);
        }
        // Unrelated stories on the same topics stay apart.
        EXPECT_LT(p.b, 2u) << "document " << p.b << " linked to " << p.a;
      }
      EXPECT_TRUE(found);
      EXPECT_GE(linked->stats.containment_candidates, 1u);
      EXPECT_EQ(linked->stats.containment_pairs, 1u);
    }
  }
}

TEST(Containment, PairPassingJaccardStaysAJaccardLink) {
  Fixture f = MakeFixture(Language::kEnglish, 0.5, 5);
  f.docs.emplace_back("copy", f.docs[0].second);
  absl::StatusOr<PipelineResult> result = Cluster(f, 0.8);
  ASSERT_THAT(result, IsOk());
  const uint32_t copy = static_cast<uint32_t>(f.docs.size() - 1);
  int seen = 0;
  for (size_t i = 0; i < result->pairs.size(); ++i) {
    const ScoredPair& p = result->pairs[i];
    if (p.a == 0 && p.b == copy) {
      ++seen;
      EXPECT_EQ(p.jaccard, 1);
      EXPECT_EQ(result->pair_links[i], PairLink::kJaccard);
    }
  }
  EXPECT_EQ(seen, 1);
  EXPECT_TRUE(Linked(*result, 0, 1));
  EXPECT_TRUE(Linked(*result, 1, copy));
  EXPECT_EQ(result->stats.verified_pairs, 1u);
}

TEST(Containment, WithoutContainmentEveryPairIsAJaccardLink) {
  neardup::testing::CorpusSpec spec;
  spec.stories = 20;
  std::vector<std::pair<std::string, std::string>> docs;
  for (auto& d : neardup::testing::GenerateCorpus(spec)) {
    docs.emplace_back(d.id, d.text);
  }
  absl::StatusOr<std::unique_ptr<Corpus>> corpus = Corpus::FromDocuments(docs);
  ASSERT_THAT(corpus, IsOk());
  absl::StatusOr<PipelineResult> result = RunPipeline(**corpus, {});
  ASSERT_THAT(result, IsOk());
  ASSERT_FALSE(result->pairs.empty());
  ASSERT_EQ(result->pair_links.size(), result->pairs.size());
  for (PairLink link : result->pair_links) EXPECT_EQ(link, PairLink::kJaccard);
}

TEST(Containment, CandidatesAreDocumentsSharingAPassage) {
  const Fixture f = MakeFixture(Language::kArabic, 0.5, 8);
  absl::StatusOr<std::unique_ptr<Corpus>> corpus =
      Corpus::FromDocuments(f.docs);
  ASSERT_THAT(corpus, IsOk());
  absl::StatusOr<std::vector<DocPair>> pairs =
      FindContainmentCandidates(**corpus, {});
  ASSERT_THAT(pairs, IsOk());
  EXPECT_THAT(*pairs, ::testing::ElementsAre(DocPair{0, 1}));
}

TEST(Containment, OptionIsValidated) {
  PipelineOptions options;
  options.containment = 1.5;
  EXPECT_THAT(
      ValidatePipelineOptions(options),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--containment")));
  options.containment = -0.1;
  EXPECT_THAT(
      ValidatePipelineOptions(options),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--containment")));
}

}  // namespace
}  // namespace neardup
