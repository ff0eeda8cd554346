// The engine against brute force: on generated corpora with known edited
// copies, every pair it reports must be a true pair with its exact Jaccard,
// and it must find (nearly) all true pairs. The reference computes Jaccard
// from sets of n-gram strings, sharing no code with the engine's hashing.
#include <map>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "neardup/pipeline.h"
#include "tests/support/generator.h"

namespace neardup {
namespace {

using ::neardup::testing::CorpusSpec;
using ::neardup::testing::GeneratedDoc;
using ::neardup::testing::TruePair;

struct Case {
  SketchAlgorithm algorithm;
  double threshold;
  int ngram;
};

class AccuracyTest : public ::testing::TestWithParam<Case> {};

TEST_P(AccuracyTest, MatchesBruteForceExactJaccard) {
  const Case c = GetParam();
  CorpusSpec spec;
  spec.stories = 250;
  spec.max_copies = 3;
  spec.min_similarity = c.threshold - 0.15;
  spec.ngram = c.ngram;
  spec.seed = 77;
  std::vector<GeneratedDoc> docs = neardup::testing::GenerateCorpus(spec);
  std::vector<TruePair> truth =
      neardup::testing::BruteForcePairs(docs, c.ngram, c.threshold);
  ASSERT_GT(truth.size(), 100u) << "generator made too few true pairs";

  std::vector<std::pair<std::string, std::string>> input;
  for (const GeneratedDoc& d : docs) input.emplace_back(d.id, d.text);
  auto corpus = Corpus::FromDocuments(std::move(input));
  ASSERT_TRUE(corpus.ok());
  PipelineOptions options;
  options.normalize = NormalizeMode::kNone;
  options.ngram = c.ngram;
  options.threshold = c.threshold;
  options.algorithm = c.algorithm;
  options.containment = 0;  // Jaccard links only, as the brute force.
  absl::StatusOr<PipelineResult> result = RunPipeline(**corpus, options);
  ASSERT_TRUE(result.ok()) << result.status();

  std::map<std::pair<uint32_t, uint32_t>, double> expected;
  for (const TruePair& p : truth) expected[{p.a, p.b}] = p.jaccard;
  size_t found = 0;
  for (const ScoredPair& p : result->pairs) {
    auto it = expected.find({p.a, p.b});
    // Precision 1: every reported pair is a true pair with its exact score.
    ASSERT_NE(it, expected.end())
        << docs[p.a].id << " " << docs[p.b].id << " J=" << p.jaccard;
    EXPECT_NEAR(p.jaccard, it->second, 1e-9);
    ++found;
  }
  const double recall = static_cast<double>(found) / truth.size();
  EXPECT_GE(recall, 0.99) << found << " of " << truth.size();
}

INSTANTIATE_TEST_SUITE_P(
    Settings, AccuracyTest,
    ::testing::Values(Case{SketchAlgorithm::kOnePermutation, 0.8, 5},
                      Case{SketchAlgorithm::kClassic, 0.8, 5},
                      Case{SketchAlgorithm::kOnePermutation, 0.6, 5},
                      Case{SketchAlgorithm::kOnePermutation, 0.9, 3}),
    [](const auto& param_info) {
      return absl::StrCat(SketchAlgorithmName(param_info.param.algorithm), "_t",
                          static_cast<int>(param_info.param.threshold * 100),
                          "_n", param_info.param.ngram);
    });

}  // namespace
}  // namespace neardup
