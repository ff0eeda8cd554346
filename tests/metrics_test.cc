// Metric computations on hand-made cases whose values are derived in the
// comments, and the ground-truth file readers.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "neardup/eval.h"
#include "tests/support/status_matchers.h"

namespace neardup {
namespace {

namespace fs = std::filesystem;
using ::neardup::testing::IsOk;
using ::neardup::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(MakePrecisionRecall, ComputesRatiosFromCounts) {
  // P = 3/4, R = 3/5, F1 = 2 * 0.45 / 1.35 = 2/3.
  PrecisionRecall r = MakePrecisionRecall(3, 1, 2);
  EXPECT_DOUBLE_EQ(r.precision, 0.75);
  EXPECT_DOUBLE_EQ(r.recall, 0.6);
  EXPECT_DOUBLE_EQ(r.f1, 2.0 / 3);
}

TEST(MakePrecisionRecall, EmptyPredictionsAreNotWrongAndEmptyTruthIsNotMissed) {
  PrecisionRecall nothing_predicted = MakePrecisionRecall(0, 0, 4);
  EXPECT_EQ(nothing_predicted.precision, 1);
  EXPECT_EQ(nothing_predicted.recall, 0);
  EXPECT_EQ(nothing_predicted.f1, 0);
  PrecisionRecall nothing_to_find = MakePrecisionRecall(0, 0, 0);
  EXPECT_EQ(nothing_to_find.precision, 1);
  EXPECT_EQ(nothing_to_find.recall, 1);
  EXPECT_EQ(nothing_to_find.f1, 1);
  PrecisionRecall all_wrong = MakePrecisionRecall(0, 2, 0);
  EXPECT_EQ(all_wrong.precision, 0);
  EXPECT_EQ(all_wrong.f1, 0);
}

TEST(ComparePairs, CountsSharedPairsOnceInAnyOrder) {
  std::vector<DocPair> predicted = {{1, 2}, {0, 1}, {0, 2}, {0, 1}};
  std::vector<DocPair> truth = {{2, 3}, {0, 1}};
  PrecisionRecall r = ComparePairs(predicted, truth);
  EXPECT_EQ(r.true_positives, 1u);   // (0, 1)
  EXPECT_EQ(r.false_positives, 2u);  // (0, 2), (1, 2)
  EXPECT_EQ(r.false_negatives, 1u);  // (2, 3)
  EXPECT_DOUBLE_EQ(r.precision, 1.0 / 3);
  EXPECT_DOUBLE_EQ(r.recall, 0.5);
}

TEST(AdjustedRandIndex, IdenticalClusteringsScoreOneWhateverTheLabels) {
  std::vector<uint32_t> a = {0, 0, 1, 1, 1, 2, 3};
  std::vector<uint32_t> b = {7, 7, 4, 4, 4, 9, 5};
  EXPECT_DOUBLE_EQ(AdjustedRandIndex(a, b), 1.0);
  EXPECT_DOUBLE_EQ(AdjustedRandIndex(a, a), 1.0);
}

TEST(AdjustedRandIndex, SplitClusterScoresTheHandDerivedValue) {
  // Truth {0,1,2} {3,4,5}; prediction splits the first: {0,1} {2} {3,4,5}.
  // Pairs together in both (sum of C(n_ij, 2)): C(2,2) + C(3,2) = 4.
  // Together in prediction: 1 + 0 + 3 = 4; in truth: 3 + 3 = 6; all C(6,2)
  // = 15. Expected index 4 * 6 / 15 = 1.6, maximum (4 + 6) / 2 = 5.
  // ARI = (4 - 1.6) / (5 - 1.6) = 2.4 / 3.4 = 12/17.
  std::vector<uint32_t> truth = {0, 0, 0, 1, 1, 1};
  std::vector<uint32_t> predicted = {0, 0, 1, 2, 2, 2};
  EXPECT_NEAR(AdjustedRandIndex(predicted, truth), 12.0 / 17, 1e-12);
  EXPECT_NEAR(AdjustedRandIndex(truth, predicted), 12.0 / 17, 1e-12);
  // Pairwise: 4 of the 4 predicted pairs are true, 4 of 6 true pairs found.
  PrecisionRecall r = ComparePairClusterings(predicted, truth);
  EXPECT_EQ(r.true_positives, 4u);
  EXPECT_EQ(r.false_positives, 0u);
  EXPECT_EQ(r.false_negatives, 2u);
  EXPECT_DOUBLE_EQ(r.recall, 2.0 / 3);
}

TEST(AdjustedRandIndex, HalvingOneClusterIsNoBetterThanChance) {
  // Truth one cluster of 4; prediction {0,1} {2,3}. Index 1 + 1 = 2,
  // prediction 2, truth 6, all 6: expected 2 * 6 / 6 = 2 = index, so 0.
  EXPECT_NEAR(AdjustedRandIndex({0, 0, 1, 1}, {0, 0, 0, 0}), 0.0, 1e-12);
}

TEST(AdjustedRandIndex, DegenerateClusteringsFollowTheUsualConvention) {
  // All singletons in both: 0 / 0, defined as 1.
  EXPECT_EQ(AdjustedRandIndex({0, 1, 2}, {5, 6, 7}), 1.0);
  // One cluster against singletons: index 0, expected 3 * 0 / 3 = 0,
  // maximum 1.5, so 0.
  EXPECT_NEAR(AdjustedRandIndex({0, 0, 0}, {0, 1, 2}), 0.0, 1e-12);
  EXPECT_EQ(AdjustedRandIndex({}, {}), 1.0);
}

TEST(BestF1Threshold, PicksTheThresholdWithHighestF1) {
  // Sweeping down (3 copies):  t=0.95 P 1   R 1/3 F1 0.5
  //   t=0.9  P 1   R 2/3 F1 0.8      t=0.85 P 2/3 R 2/3 F1 2/3
  //   t=0.7  P 3/4 R 1   F1 6/7      t=0.6  P 3/5 R 1   F1 0.75
  //   t=0.3  P 1/2 R 1   F1 2/3
  std::vector<LabeledScore> scores = {{0.6, false},  {0.95, true}, {0.3, false},
                                      {0.85, false}, {0.7, true},  {0.9, true}};
  ThresholdChoice best = BestF1Threshold(scores);
  EXPECT_EQ(best.threshold, 0.7);
  EXPECT_EQ(best.open_below, 0.6);
  EXPECT_DOUBLE_EQ(best.metrics.f1, 6.0 / 7);
  EXPECT_EQ(best.metrics.true_positives, 3u);
  EXPECT_EQ(best.metrics.false_positives, 1u);
  // The same decisions from ClassifyAtThreshold anywhere in (0.6, 0.7].
  PrecisionRecall at = ClassifyAtThreshold(scores, 0.65);
  EXPECT_DOUBLE_EQ(at.f1, 6.0 / 7);
}

TEST(BestF1Threshold, TiesGoToTheHighestThreshold) {
  // Two copies; F1 = 2tp / (2tp + fp + fn).
  //   t=0.9: tp 1 fp 0 fn 1 -> 2/3     t=0.8: tp 1 fp 1 fn 1 -> 1/2
  //   t=0.7: tp 1 fp 2 fn 1 -> 2/5     t=0.6: tp 2 fp 2 fn 0 -> 2/3
  std::vector<LabeledScore> scores = {
      {0.6, true}, {0.7, false}, {0.8, false}, {0.9, true}};
  ThresholdChoice best = BestF1Threshold(scores);
  EXPECT_EQ(best.threshold, 0.9);
  EXPECT_EQ(best.open_below, 0.8);
  EXPECT_DOUBLE_EQ(best.metrics.f1, 2.0 / 3);
}

TEST(BestF1Threshold, EqualScoresAreDecidedTogether) {
  // Three copies. t=0.9: tp 1 fn 2 -> F1 1/2; t=0.8: tp 1 fp 1 fn 2 ->
  // 2/5; t=0.4 takes both pairs at 0.4: tp 3 fp 1 -> 6/7; t=0.2: tp 3
  // fp 2 -> 3/4.
  std::vector<LabeledScore> scores = {
      {0.9, true}, {0.8, false}, {0.4, true}, {0.4, true}, {0.2, false}};
  ThresholdChoice best = BestF1Threshold(scores);
  EXPECT_EQ(best.threshold, 0.4);
  EXPECT_EQ(best.open_below, 0.2);
  EXPECT_DOUBLE_EQ(best.metrics.f1, 6.0 / 7);
}

TEST(BestF1Threshold, EmptyInputGivesThresholdOne) {
  ThresholdChoice best = BestF1Threshold({});
  EXPECT_EQ(best.threshold, 1);
}

class TruthFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           absl::StrCat(
               "neardup_metrics_test_", getpid(), "_",
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    auto corpus = Corpus::FromDocuments(
        {{"a", "alpha"}, {"b", "beta"}, {"c", "gamma"}, {"7", "delta"}});
    ASSERT_THAT(corpus, IsOk());
    corpus_ = std::move(*corpus);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& data) {
    fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << data;
    return path.string();
  }

  fs::path dir_;
  std::unique_ptr<Corpus> corpus_;
};

TEST_F(TruthFileTest, ReadsLabelsSkippingCommentsAndOrderingEachPair) {
  std::string path =
      Write("labels.tsv", "# idA idB label\nb\ta\tcopy\r\n\nc\t7\tdistinct\n");
  absl::StatusOr<std::vector<LabeledPair>> labels = ReadLabels(path, *corpus_);
  ASSERT_THAT(labels, IsOk());
  ASSERT_EQ(labels->size(), 2u);
  EXPECT_EQ((*labels)[0].a, 0u);
  EXPECT_EQ((*labels)[0].b, 1u);
  EXPECT_TRUE((*labels)[0].copy);
  EXPECT_EQ((*labels)[1].a, 2u);
  EXPECT_EQ((*labels)[1].b, 3u);
  EXPECT_FALSE((*labels)[1].copy);
}

TEST_F(TruthFileTest, BadLabelLinesNameFileAndLine) {
  std::string unknown = Write("unknown.tsv", "a\tb\tcopy\na\tzz\tcopy\n");
  EXPECT_THAT(ReadLabels(unknown, *corpus_),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr(unknown + ":2:"), HasSubstr("zz"))));
  std::string label = Write("label.tsv", "a\tb\tmaybe\n");
  EXPECT_THAT(ReadLabels(label, *corpus_),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr(label + ":1:"), HasSubstr("maybe"))));
  std::string fields = Write("fields.tsv", "a b copy\n");
  EXPECT_THAT(ReadLabels(fields, *corpus_),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(fields + ":1: expected 3")));
  std::string twice = Write("twice.tsv", "a\tb\tcopy\nb\ta\tdistinct\n");
  EXPECT_THAT(ReadLabels(twice, *corpus_),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(twice + ":2: pair already labelled on line "
                                         "1")));
  EXPECT_THAT(ReadLabels((dir_ / "missing.tsv").string(), *corpus_),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("missing.tsv")));
}

TEST_F(TruthFileTest, ReadsTruthPairsSortedWithoutDuplicates) {
  std::string path =
      Write("truth.tsv", "c\ta\t0.5000\na\tb\t1.0000\na\tc\t0.5000\n");
  absl::StatusOr<TruthPairs> truth = ReadTruthPairs(path, *corpus_);
  ASSERT_THAT(truth, IsOk());
  const std::vector<ScoredPair>& pairs = truth->pairs;
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[0].a, 0u);
  EXPECT_EQ(pairs[0].b, 1u);
  EXPECT_EQ(pairs[0].jaccard, 1.0);
  EXPECT_EQ(pairs[1].b, 2u);
  // No floor line: the caller must guess.
  EXPECT_EQ(truth->floor, std::nullopt);
  std::string bad = Write("bad.tsv", "a\tb\thigh\n");
  EXPECT_THAT(
      ReadTruthPairs(bad, *corpus_),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(bad + ":1:")));
}

TEST_F(TruthFileTest, ReadsTheFloorFromTheFirstLineOnly) {
  std::string path = Write("floor.tsv",
                           "# neardup exact pairs: jaccard >= 0.55 (normalize "
                           "full, 5-grams)\r\na\tb\t0.9000\n");
  absl::StatusOr<TruthPairs> truth = ReadTruthPairs(path, *corpus_);
  ASSERT_THAT(truth, IsOk());
  EXPECT_EQ(truth->floor, 0.55);
  EXPECT_EQ(truth->pairs.size(), 1u);
  // At the end of the line, too.
  path = Write("bare.tsv", "# neardup exact pairs: jaccard >= 0.3\n");
  truth = ReadTruthPairs(path, *corpus_);
  ASSERT_THAT(truth, IsOk());
  EXPECT_EQ(truth->floor, 0.3);
  EXPECT_TRUE(truth->pairs.empty());
  // Other comments, and the floor line anywhere but first, are comments.
  for (const char* text :
       {"# idA\tidB\tjaccard\na\tb\t0.9000\n",
        "a\tb\t0.9000\n# neardup exact pairs: jaccard >= 0.5\n",
        "\n# neardup exact pairs: jaccard >= 0.5\na\tb\t0.9000\n"}) {
    path = Write("other.tsv", text);
    truth = ReadTruthPairs(path, *corpus_);
    ASSERT_THAT(truth, IsOk()) << text;
    EXPECT_EQ(truth->floor, std::nullopt) << text;
    EXPECT_EQ(truth->pairs.size(), 1u) << text;
  }
  // A floor line whose floor cannot be read names the file and line.
  for (const char* text : {"# neardup exact pairs: jaccard >= high\n",
                           "# neardup exact pairs: jaccard >= 1.5\n",
                           "# neardup exact pairs: jaccard >= \n"}) {
    path = Write("badfloor.tsv", text);
    EXPECT_THAT(ReadTruthPairs(path, *corpus_),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr(path + ":1: floor")))
        << text;
  }
}

TEST_F(TruthFileTest, ReadsTruthClustersWithIntegerIdsAndSingletons) {
  std::string path = Write("clusters.jsonl",
                           "{\"id\": \"a\", \"cluster\": \"x\"}\n"
                           "{\"id\": 7, \"cluster\": 3}\n"
                           "{\"id\": \"b\", \"cluster\": \"x\"}\n");
  absl::StatusOr<std::vector<uint32_t>> labels =
      ReadTruthClusters(path, *corpus_);
  ASSERT_THAT(labels, IsOk());
  // a, b in cluster "x" (label 0), 7 alone in cluster 3 (label 1), c
  // unlisted: a singleton with a fresh label.
  EXPECT_THAT(*labels, ElementsAre(0u, 0u, 2u, 1u));
  std::string twice = Write("twice.jsonl",
                            "{\"id\": \"a\", \"cluster\": 1}\n"
                            "{\"id\": \"a\", \"cluster\": 2}\n");
  EXPECT_THAT(
      ReadTruthClusters(twice, *corpus_),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(twice + ":2:")));
  std::string broken = Write("broken.jsonl", "{\"id\": \"a\"\n");
  EXPECT_THAT(
      ReadTruthClusters(broken, *corpus_),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(broken + ":1:")));
}

// Found by tests/fuzz/eval_fuzzer.cc: an id or value from the file was
// printed as it was, so a JSON "\n" escape or a stray "\r" in a line split
// the message over several lines (and let a file forge output lines).
TEST_F(TruthFileTest, MessagesQuoteTheFileValuesOnOneLine) {
  const std::pair<const char*, const char*> cases[] = {
      {"clusters.jsonl", "{\"id\": \"x\\ny\", \"cluster\": 1}\n"},
      {"pairs.tsv", "a\rb\tc\t0.5\n"},
      {"jaccard.tsv", "a\tb\t0.5\r0.6\n"},
      {"labels.tsv", "a\tb\tco\rpy\n"},
  };
  for (const auto& [name, text] : cases) {
    const std::string path = Write(name, text);
    absl::Status status = ReadTruthClusters(path, *corpus_).status();
    if (absl::string_view(name).find("labels") != absl::string_view::npos) {
      status = ReadLabels(path, *corpus_).status();
    } else if (absl::string_view(name).find(".tsv") !=
               absl::string_view::npos) {
      status = ReadTruthPairs(path, *corpus_).status();
    }
    EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
                                 HasSubstr(path + ":1: ")))
        << name;
    EXPECT_EQ(status.message().find_first_of("\r\n"), absl::string_view::npos)
        << status.message();
  }
}

}  // namespace
}  // namespace neardup
