#include "neardup/pipeline.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "neardup/normalize.h"
#include "neardup/shingle.h"
#include "neardup/verify.h"
#include "tests/support/generator.h"
#include "tests/support/news_corpus.h"
#include "tests/support/status_matchers.h"

namespace neardup {
namespace {

using ::neardup::testing::StatusIs;
using ::testing::HasSubstr;

std::unique_ptr<Corpus> MakeCorpus(
    std::vector<std::pair<std::string, std::string>> docs) {
  absl::StatusOr<std::unique_ptr<Corpus>> corpus =
      Corpus::FromDocuments(std::move(docs));
  EXPECT_TRUE(corpus.ok()) << corpus.status();
  return std::move(corpus).value();
}

const char kStory[] =
    "The central bank raised its main interest rate by a quarter point on "
    "Tuesday, citing persistent inflation in services and a tight labour "
    "market. Analysts had expected the move after last month's data.";

TEST(RunPipeline, ClustersCopiesAndLeavesOthersAlone) {
  std::string copy = kStory;
  copy.replace(copy.find("Tuesday"), 7, "Wednesday");
  auto corpus = MakeCorpus({{"a", kStory},
                            {"unrelated",
                             "Heavy rain closed two schools in "
                             "the north of the region today."},
                            {"b", copy},
                            {"c", kStory}});
  absl::StatusOr<PipelineResult> result = RunPipeline(*corpus, {});
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->clusters.size(), 1u);
  const ClusterResult& c = result->clusters[0];
  EXPECT_EQ(c.representative, 0u);
  ASSERT_EQ(c.members.size(), 3u);
  EXPECT_EQ(c.members[1].document, 2u);
  EXPECT_EQ(c.members[2].document, 3u);
  EXPECT_DOUBLE_EQ(c.members[2].jaccard, 1.0);
  EXPECT_LT(c.members[1].jaccard, 1.0);
  EXPECT_GT(c.members[1].jaccard, 0.8);
  EXPECT_EQ(result->representative_of[1], 1u);
  EXPECT_EQ(result->representative_of[2], 0u);
  EXPECT_EQ(result->stats.verified_pairs, 3u);
  EXPECT_EQ(result->pairs.size(), 3u);
}

TEST(RunPipeline, FullNormalisationJoinsSpellingVariants) {
  // Differ only in what full normalisation folds: case, Arabic comma, alef
  // forms, diacritics, tatweel, digits and white space.
  auto corpus = MakeCorpus({
      {"a",
       "أعلنت الوزارة، اليوم، عن خطة جديدة لدعم المزارعين في 2015 "
       "بقيمة 300 مليون ريال"},
      {"b",
       "اعلنت  الوزارة, اليوم, عن خطـة جديدةٌ لدعم المزارعين في ٢٠١٥ "
       "بقيمة ٣٠٠ مليون ريال"},
  });
  PipelineOptions options;
  absl::StatusOr<PipelineResult> full = RunPipeline(*corpus, options);
  ASSERT_TRUE(full.ok()) << full.status();
  ASSERT_EQ(full->pairs.size(), 1u);
  EXPECT_DOUBLE_EQ(full->pairs[0].jaccard, 1.0);
  options.normalize = NormalizeMode::kNone;
  absl::StatusOr<PipelineResult> raw = RunPipeline(*corpus, options);
  ASSERT_TRUE(raw.ok());
  EXPECT_TRUE(raw->pairs.empty());
}

TEST(RunPipeline, EmptyDocumentsAreCountedNotClustered) {
  auto corpus = MakeCorpus({{"e1", ""}, {"e2", "   "}, {"x", kStory}});
  PipelineOptions options;
  absl::StatusOr<PipelineResult> result = RunPipeline(*corpus, options);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->stats.empty_documents, 2u);
  EXPECT_TRUE(result->clusters.empty());
}

TEST(RunPipeline, EmptyCorpusIsFine) {
  auto corpus = MakeCorpus({});
  absl::StatusOr<PipelineResult> result = RunPipeline(*corpus, {});
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->stats.documents, 0u);
  EXPECT_TRUE(result->pairs.empty());
}

TEST(RunPipeline, SameResultForAnyThreadCount) {
  neardup::testing::CorpusSpec spec;
  spec.stories = 60;
  spec.seed = 21;
  std::vector<std::pair<std::string, std::string>> docs;
  for (auto& d : neardup::testing::GenerateCorpus(spec)) {
    docs.emplace_back(d.id, d.text);
  }
  auto corpus = MakeCorpus(docs);
  PipelineOptions options;
  options.threshold = 0.6;
  options.threads = 1;
  absl::StatusOr<PipelineResult> one = RunPipeline(*corpus, options);
  options.threads = 3;
  absl::StatusOr<PipelineResult> three = RunPipeline(*corpus, options);
  ASSERT_TRUE(one.ok() && three.ok());
  ASSERT_FALSE(one->pairs.empty());
  ASSERT_EQ(one->pairs.size(), three->pairs.size());
  for (size_t i = 0; i < one->pairs.size(); ++i) {
    EXPECT_EQ(one->pairs[i].a, three->pairs[i].a);
    EXPECT_EQ(one->pairs[i].b, three->pairs[i].b);
    EXPECT_EQ(one->pairs[i].jaccard, three->pairs[i].jaccard);
  }
  EXPECT_EQ(one->representative_of, three->representative_of);
}

// The sketch screen only removes candidates that cannot qualify: on news-size
// articles with planted copies (background similarity as in real news), the
// verified pairs are the same with and without it, at the defaults
// (containment on) and at a high threshold, while it rules out most of the
// unrelated candidates that verification would reject.
TEST(RunPipeline, SketchScreenChangesNoVerifiedPair) {
  neardup::testing::NewsSpec spec;
  spec.copied_fraction = 0.3;
  std::vector<std::pair<std::string, std::string>> docs;
  for (uint64_t s = 0; docs.size() < 1500; ++s) {
    for (auto& d : neardup::testing::GenerateStory(spec, s).docs) {
      docs.emplace_back(absl::StrCat("d", docs.size()), std::move(d.text));
    }
  }
  auto corpus = MakeCorpus(docs);
  for (double threshold : {0.5, 0.8}) {
    PipelineOptions options;
    options.threshold = threshold;
    options.containment = threshold == 0.5 ? 0.8 : 0;
    options.sketch_screen = false;
    absl::StatusOr<PipelineResult> plain = RunPipeline(*corpus, options);
    options.sketch_screen = true;
    absl::StatusOr<PipelineResult> screened = RunPipeline(*corpus, options);
    ASSERT_TRUE(plain.ok() && screened.ok());
    EXPECT_EQ(plain->stats.sketch_screened, 0u);
    // Most candidates that fail verification at 0.5 are unrelated articles
    // and never reach it; at 0.8 most are copies just below the threshold,
    // which a sketch cannot rule out.
    const uint64_t failing =
        plain->stats.candidates.candidate_pairs - plain->pairs.size();
    EXPECT_GT(screened->stats.sketch_screened,
              threshold == 0.5 ? failing / 2 : 0)
        << threshold;
    ASSERT_GT(plain->pairs.size(), 100u);
    ASSERT_EQ(plain->pairs.size(), screened->pairs.size()) << threshold;
    for (size_t i = 0; i < plain->pairs.size(); ++i) {
      EXPECT_EQ(plain->pairs[i].a, screened->pairs[i].a);
      EXPECT_EQ(plain->pairs[i].b, screened->pairs[i].b);
      EXPECT_EQ(plain->pairs[i].jaccard, screened->pairs[i].jaccard);
    }
    EXPECT_EQ(plain->representative_of, screened->representative_of);
  }
}

// More than 2,048 documents in one component of the candidate graph take
// the path that builds sets pair by pair instead of holding them all. A chain
// of windows over one long text (each shifted by four words, so neighbours
// are copies and distant windows are not) makes one such component: every
// reported score, for pairs and for cluster members, is the exact one, and
// any thread count gives the same result.
TEST(RunPipeline, LargeComponentsAreVerifiedExactlyPairByPair) {
  neardup::testing::Rng rng(5);
  std::vector<std::string> words;
  for (int w = 0; w < 2200 * 4 + 40; ++w) {
    std::string word;
    for (int c = 0, length = static_cast<int>(rng.UniformInt(3, 8)); c < length;
         ++c) {
      word += static_cast<char>('a' + rng.Uniform(26));
    }
    words.push_back(std::move(word));
  }
  std::vector<std::pair<std::string, std::string>> docs;
  for (int i = 0; i < 2200; ++i) {
    std::string text;
    for (int w = 0; w < 40; ++w) absl::StrAppend(&text, words[4 * i + w], " ");
    docs.emplace_back(absl::StrCat("w", i), std::move(text));
  }
  auto corpus = MakeCorpus(docs);
  PipelineOptions options;
  options.threads = 2;
  absl::StatusOr<PipelineResult> two = RunPipeline(*corpus, options);
  options.threads = 1;
  absl::StatusOr<PipelineResult> one = RunPipeline(*corpus, options);
  ASSERT_TRUE(two.ok() && one.ok());
  ASSERT_GT(two->stats.largest_component, 2048u);
  ASSERT_GT(two->pairs.size(), 2200u);
  ASSERT_EQ(two->pairs.size(), one->pairs.size());

  absl::StatusOr<Normalizer> normalizer = Normalizer::Create({});
  ASSERT_TRUE(normalizer.ok());
  auto set_of = [&](uint32_t doc) {
    NormalizedText text;
    normalizer->Normalize(docs[doc].second, &text);
    std::vector<uint64_t> set;
    HashShingles(text.code_points, {}, &set);
    SortUnique(&set);
    return set;
  };
  for (size_t i = 0; i < two->pairs.size(); i += 97) {
    const ScoredPair& p = two->pairs[i];
    EXPECT_EQ(p.a, one->pairs[i].a);
    EXPECT_EQ(p.b, one->pairs[i].b);
    const SetSimilarity exact = CompareSortedSets(set_of(p.a), set_of(p.b));
    EXPECT_EQ(p.jaccard, exact.jaccard);
    EXPECT_EQ(p.containment, exact.containment);
  }
  ASSERT_FALSE(two->clusters.empty());
  size_t checked = 0;
  for (const ClusterResult& c : two->clusters) {
    for (const ClusterMember& m : c.members) {
      if (m.document == c.representative || ++checked % 13 != 0) continue;
      const SetSimilarity exact =
          CompareSortedSets(set_of(c.representative), set_of(m.document));
      EXPECT_EQ(m.jaccard, exact.jaccard);
    }
  }
  EXPECT_GT(checked, 100u);
  EXPECT_EQ(two->representative_of, one->representative_of);
}

TEST(RunPipeline, RejectsBadOptions) {
  auto corpus = MakeCorpus({{"a", "x"}});
  PipelineOptions options;
  options.bands = 4;
  EXPECT_THAT(RunPipeline(*corpus, options),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--bands and --rows go together")));
  options = {};
  options.threshold = 0;
  EXPECT_THAT(
      RunPipeline(*corpus, options),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--threshold")));
  options = {};
  options.bands = 20;
  options.rows = 7;
  EXPECT_THAT(
      RunPipeline(*corpus, options),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("bands * rows")));
  options = {};
  options.ngram = 0;
  EXPECT_THAT(
      RunPipeline(*corpus, options),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("n-gram")));
}

TEST(RunPipeline, CenterLinkageReportsEveryMemberAboveThreshold) {
  neardup::testing::CorpusSpec spec;
  spec.stories = 40;
  spec.min_similarity = 0.7;
  spec.seed = 5;
  std::vector<std::pair<std::string, std::string>> docs;
  for (auto& d : neardup::testing::GenerateCorpus(spec)) {
    docs.emplace_back(d.id, d.text);
  }
  auto corpus = MakeCorpus(docs);
  PipelineOptions options;
  options.normalize = NormalizeMode::kNone;
  options.cluster.linkage = Linkage::kCenter;
  absl::StatusOr<PipelineResult> result = RunPipeline(*corpus, options);
  ASSERT_TRUE(result.ok());
  ASSERT_FALSE(result->clusters.empty());
  for (const ClusterResult& c : result->clusters) {
    for (const ClusterMember& m : c.members) {
      EXPECT_GE(m.jaccard, options.threshold);
    }
  }
}

}  // namespace
}  // namespace neardup
