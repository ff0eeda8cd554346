// The exact all-pairs search against brute force: every pair of every small
// corpus compared directly, at several thresholds.
#include "neardup/exact_search.h"

#include <cstdint>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "neardup/verify.h"
#include "tests/support/generator.h"
#include "tests/support/status_matchers.h"

namespace neardup {
namespace {

using ::neardup::testing::BruteForcePairs;
using ::neardup::testing::CorpusSpec;
using ::neardup::testing::GeneratedDoc;
using ::neardup::testing::IsOk;
using ::neardup::testing::Rng;
using ::neardup::testing::StatusIs;
using ::neardup::testing::TruePair;
using ::testing::_;

std::vector<absl::Span<const uint64_t>> Spans(
    const std::vector<std::vector<uint64_t>>& sets) {
  return std::vector<absl::Span<const uint64_t>>(sets.begin(), sets.end());
}

// All pairs scored with CompareSortedSets: the reference.
std::vector<ScoredPair> AllPairs(const std::vector<std::vector<uint64_t>>& sets,
                                 double threshold) {
  std::vector<ScoredPair> pairs;
  for (uint32_t a = 0; a < sets.size(); ++a) {
    for (uint32_t b = a + 1; b < sets.size(); ++b) {
      if (sets[a].empty() || sets[b].empty()) continue;
      SetSimilarity s = CompareSortedSets(sets[a], sets[b]);
      if (s.jaccard >= threshold) {
        pairs.push_back({a, b, s.jaccard, s.containment});
      }
    }
  }
  return pairs;
}

// Small random sets over a small vocabulary with a skewed token frequency,
// so that many pairs sit exactly on simple fractions (2/3, 4/5, ...) and the
// prefix and size bounds are tested at their edges.
std::vector<std::vector<uint64_t>> RandomSets(uint64_t seed, int count,
                                              int max_size, int vocabulary) {
  Rng rng(seed);
  std::vector<std::vector<uint64_t>> sets(count);
  for (auto& s : sets) {
    const int size = static_cast<int>(rng.UniformInt(0, max_size));
    std::set<uint64_t> values;
    for (int i = 0; i < size; ++i) {
      // Squaring a uniform draw favours low values: frequent tokens.
      const double u = rng.UniformDouble();
      const uint64_t token = static_cast<uint64_t>(u * u * vocabulary);
      values.insert(testing::Mix64(token + 1));
    }
    s.assign(values.begin(), values.end());
  }
  // Some exact copies and near copies of earlier sets.
  for (int i = 0; i + 1 < count; i += 7) {
    sets[i + 1] = sets[i];
    if (!sets[i + 1].empty() && rng.Bernoulli(0.5)) sets[i + 1].pop_back();
  }
  return sets;
}

void ExpectSamePairs(const std::vector<ScoredPair>& got,
                     const std::vector<ScoredPair>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].a, want[i].a) << i;
    EXPECT_EQ(got[i].b, want[i].b) << i;
    // Bit for bit: the same division as CompareSortedSets.
    EXPECT_EQ(got[i].jaccard, want[i].jaccard) << i;
    EXPECT_EQ(got[i].containment, want[i].containment) << i;
  }
}

TEST(FindSimilarSets, MatchesAllPairsOnRandomSetsAtManyThresholds) {
  for (uint64_t seed : {1, 2, 3}) {
    std::vector<std::vector<uint64_t>> sets = RandomSets(seed, 300, 12, 40);
    for (double t : {0.1, 0.25, 1.0 / 3, 0.5, 0.6, 2.0 / 3, 0.7, 0.75, 0.8, 0.9,
                     0.95, 1.0}) {
      SCOPED_TRACE(absl::StrCat("seed ", seed, " threshold ", t));
      absl::StatusOr<ExactSearchResult> got =
          FindSimilarSets(Spans(sets), {.threshold = t, .threads = 2});
      ASSERT_THAT(got, IsOk());
      std::vector<ScoredPair> want = AllPairs(sets, t);
      ExpectSamePairs(got->pairs, want);
      EXPECT_EQ(got->stats.pairs, want.size());
      EXPECT_GE(got->stats.candidates, want.size());
    }
  }
}

TEST(FindSimilarSets, MatchesAllPairsOnLongerSetsWithSharedVocabulary) {
  // Sets of up to 150 tokens from 400: long prefixes, many partial
  // overlaps, so the positional and prefix-overlap bounds do real work.
  std::vector<std::vector<uint64_t>> sets = RandomSets(4, 250, 150, 400);
  for (double t : {0.3, 0.5, 0.7, 0.85}) {
    SCOPED_TRACE(absl::StrCat("threshold ", t));
    absl::StatusOr<ExactSearchResult> got =
        FindSimilarSets(Spans(sets), {.threshold = t, .threads = 2});
    ASSERT_THAT(got, IsOk());
    std::vector<ScoredPair> want = AllPairs(sets, t);
    ASSERT_FALSE(want.empty());
    ExpectSamePairs(got->pairs, want);
  }
}

TEST(FindSimilarSets, DecidesPairsOnTheThresholdAsTheEngineDoes) {
  // J = 4/5 exactly, and 0.8 as a double is slightly above 4/5: the engine
  // compares 4.0 / 5.0 >= 0.8, which holds, so the pair must be found.
  std::vector<std::vector<uint64_t>> sets = {{1, 2, 3, 4, 5}, {1, 2, 3, 4}};
  absl::StatusOr<ExactSearchResult> got =
      FindSimilarSets(Spans(sets), {.threshold = 0.8});
  ASSERT_THAT(got, IsOk());
  ASSERT_EQ(got->pairs.size(), 1u);
  EXPECT_EQ(got->pairs[0].jaccard, 0.8);
  EXPECT_EQ(got->pairs[0].containment, 1.0);
  // Just above 4/5 it is not.
  got = FindSimilarSets(Spans(sets), {.threshold = 0.8000001});
  ASSERT_THAT(got, IsOk());
  EXPECT_TRUE(got->pairs.empty());
}

// With containment: every pair with J >= t or C >= c, as the engine links.
TEST(FindSimilarSets, WithContainmentMatchesAllPairs) {
  const std::vector<std::vector<uint64_t>> sets = RandomSets(11, 300, 40, 120);
  for (double c : {0.5, 0.75, 0.8, 1.0}) {
    std::vector<ScoredPair> want;
    for (uint32_t a = 0; a < sets.size(); ++a) {
      for (uint32_t b = a + 1; b < sets.size(); ++b) {
        if (sets[a].empty() || sets[b].empty()) continue;
        SetSimilarity s = CompareSortedSets(sets[a], sets[b]);
        if (s.jaccard >= 0.9 || s.containment >= c) {
          want.push_back({a, b, s.jaccard, s.containment});
        }
      }
    }
    SCOPED_TRACE(absl::StrCat("containment ", c));
    absl::StatusOr<ExactSearchResult> got = FindSimilarSets(
        Spans(sets), {.threshold = 0.9, .containment = c, .threads = 2});
    ASSERT_THAT(got, IsOk());
    EXPECT_GT(want.size(), 10u);
    ExpectSamePairs(got->pairs, want);
  }
  EXPECT_THAT(FindSimilarSets(Spans(sets), {.containment = 1.5}),
              StatusIs(absl::StatusCode::kInvalidArgument, _));
}

TEST(FindSimilarSets, NeverPairsEmptySets) {
  std::vector<std::vector<uint64_t>> sets = {{}, {}, {7}, {7}};
  absl::StatusOr<ExactSearchResult> got =
      FindSimilarSets(Spans(sets), {.threshold = 0.5});
  ASSERT_THAT(got, IsOk());
  ASSERT_EQ(got->pairs.size(), 1u);
  EXPECT_EQ(got->pairs[0].a, 2u);
  EXPECT_EQ(got->pairs[0].b, 3u);
  EXPECT_EQ(got->stats.documents, 2u);
}

TEST(FindSimilarSets, OutputDoesNotDependOnThreads) {
  std::vector<std::vector<uint64_t>> sets = RandomSets(9, 500, 20, 80);
  absl::StatusOr<ExactSearchResult> one =
      FindSimilarSets(Spans(sets), {.threshold = 0.4, .threads = 1});
  absl::StatusOr<ExactSearchResult> three =
      FindSimilarSets(Spans(sets), {.threshold = 0.4, .threads = 3});
  ASSERT_THAT(one, IsOk());
  ASSERT_THAT(three, IsOk());
  ASSERT_FALSE(one->pairs.empty());
  ExpectSamePairs(three->pairs, one->pairs);
  EXPECT_EQ(one->stats.candidates, three->stats.candidates);
}

TEST(FindSimilarSets, RejectsThresholdsOutsideTheUnitInterval) {
  std::vector<std::vector<uint64_t>> sets = {{1}};
  for (double t : {0.0, -0.5, 1.5}) {
    EXPECT_THAT(FindSimilarSets(Spans(sets), {.threshold = t}),
                StatusIs(absl::StatusCode::kInvalidArgument, _));
  }
}

class FindSimilarDocumentsTest : public ::testing::TestWithParam<double> {};

TEST_P(FindSimilarDocumentsTest, MatchesBruteForceOnGeneratedNews) {
  const double threshold = GetParam();
  CorpusSpec spec;
  spec.stories = 40;
  spec.min_similarity = 0.3;
  spec.max_paragraphs = 4;
  spec.seed = 5;
  std::vector<GeneratedDoc> docs = testing::GenerateCorpus(spec);
  std::vector<std::pair<std::string, std::string>> records;
  for (const GeneratedDoc& d : docs) records.emplace_back(d.id, d.text);
  absl::StatusOr<std::unique_ptr<Corpus>> corpus =
      Corpus::FromDocuments(std::move(records));
  ASSERT_THAT(corpus, IsOk());

  ExactSearchOptions options;
  options.normalize = NormalizeMode::kNone;
  options.ngram = spec.ngram;
  options.threshold = threshold;
  options.threads = 2;
  absl::StatusOr<ExactSearchResult> got =
      FindSimilarDocuments(**corpus, options);
  ASSERT_THAT(got, IsOk());
  std::vector<TruePair> want = BruteForcePairs(docs, spec.ngram, threshold);
  ASSERT_FALSE(want.empty());
  ASSERT_EQ(got->pairs.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got->pairs[i].a, want[i].a);
    EXPECT_EQ(got->pairs[i].b, want[i].b);
    EXPECT_NEAR(got->pairs[i].jaccard, want[i].jaccard, 1e-12);
  }
  EXPECT_EQ(got->stats.documents, docs.size());
  EXPECT_GT(got->stats.distinct_shingles, 0u);
}

INSTANTIATE_TEST_SUITE_P(Thresholds, FindSimilarDocumentsTest,
                         ::testing::Values(0.3, 0.5, 0.8, 0.95));

TEST(FindSimilarDocuments, AppliesTheNormalisationMode) {
  // Equal after white-space collapsing only.
  absl::StatusOr<std::unique_ptr<Corpus>> corpus =
      Corpus::FromDocuments({{"a", "one two three four five six seven"},
                             {"b", "one  two   three four five six seven"}});
  ASSERT_THAT(corpus, IsOk());
  ExactSearchOptions options;
  options.threshold = 1.0;
  options.normalize = NormalizeMode::kWhitespace;
  absl::StatusOr<ExactSearchResult> ws =
      FindSimilarDocuments(**corpus, options);
  ASSERT_THAT(ws, IsOk());
  EXPECT_EQ(ws->pairs.size(), 1u);
  options.normalize = NormalizeMode::kNone;
  absl::StatusOr<ExactSearchResult> none =
      FindSimilarDocuments(**corpus, options);
  ASSERT_THAT(none, IsOk());
  EXPECT_TRUE(none->pairs.empty());
}

TEST(FindSimilarDocuments, RejectsBadNgram) {
  absl::StatusOr<std::unique_ptr<Corpus>> corpus =
      Corpus::FromDocuments({{"a", "x"}});
  ASSERT_THAT(corpus, IsOk());
  ExactSearchOptions options;
  options.ngram = 0;
  EXPECT_THAT(FindSimilarDocuments(**corpus, options),
              StatusIs(absl::StatusCode::kInvalidArgument, _));
}

TEST(ScoreDocumentPairs, ScoresChosenPairsLikeBruteForce) {
  CorpusSpec spec;
  spec.stories = 6;
  spec.max_paragraphs = 3;
  spec.seed = 11;
  std::vector<GeneratedDoc> docs = testing::GenerateCorpus(spec);
  std::vector<std::pair<std::string, std::string>> records;
  for (const GeneratedDoc& d : docs) records.emplace_back(d.id, d.text);
  absl::StatusOr<std::unique_ptr<Corpus>> corpus =
      Corpus::FromDocuments(std::move(records));
  ASSERT_THAT(corpus, IsOk());
  std::vector<DocPair> pairs;
  for (uint32_t a = 0; a < docs.size(); ++a) {
    for (uint32_t b = a + 1; b < docs.size(); b += 2) pairs.push_back({a, b});
  }
  ExactSearchOptions options;
  options.normalize = NormalizeMode::kNone;
  absl::StatusOr<std::vector<SetSimilarity>> scores =
      ScoreDocumentPairs(**corpus, pairs, options);
  ASSERT_THAT(scores, IsOk());
  ASSERT_EQ(scores->size(), pairs.size());
  for (size_t i = 0; i < pairs.size(); ++i) {
    EXPECT_NEAR((*scores)[i].jaccard,
                testing::BruteForceJaccard(docs[pairs[i].a].text,
                                           docs[pairs[i].b].text, 5),
                1e-12);
  }
  std::vector<DocPair> out_of_range = {{0, 1000}};
  EXPECT_THAT(ScoreDocumentPairs(**corpus, out_of_range, options),
              StatusIs(absl::StatusCode::kInvalidArgument, _));
}

}  // namespace
}  // namespace neardup
