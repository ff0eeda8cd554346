// The engine against exact ground truth on real news (../shared/data):
// SaudiNewsNet (Arabic, wire copies across outlets) and Reuters-21578
// (English, resends and templated items). Skips when the data is absent.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "neardup/pipeline.h"

namespace neardup {
namespace {

namespace fs = std::filesystem;

fs::path DataDir() { return fs::path(NEARDUP_SOURCE_DIR) / "../shared/data"; }

// idA idB jaccard lines with jaccard >= threshold, keyed by sorted id pair.
std::map<std::pair<std::string, std::string>, double> ReadTruth(
    const fs::path& path, double threshold) {
  std::map<std::pair<std::string, std::string>, double> truth;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f = absl::StrSplit(line, '\t');
    double j = 0;
    if (f.size() != 3 || !absl::SimpleAtod(f[2], &j)) continue;
    if (j < threshold) continue;
    if (f[1] < f[0]) std::swap(f[0], f[1]);
    truth[{f[0], f[1]}] = j;
  }
  return truth;
}

struct DataSet {
  const char* corpus;
  const char* truth;
};

class RealDataTest : public ::testing::TestWithParam<DataSet> {};

TEST_P(RealDataTest, RawFiveGramPairsMatchExactGroundTruth) {
  const fs::path corpus_path = DataDir() / GetParam().corpus;
  const fs::path truth_path = DataDir() / GetParam().truth;
  if (!fs::exists(corpus_path) || !fs::exists(truth_path)) {
    GTEST_SKIP() << "no " << corpus_path << " (../shared/data is optional)";
  }
  constexpr double kThreshold = 0.8;
  auto truth = ReadTruth(truth_path, kThreshold);
  ASSERT_GT(truth.size(), 100u);
  auto corpus = LoadCorpus({corpus_path.string()}, {});
  ASSERT_TRUE(corpus.ok()) << corpus.status();
  PipelineOptions options;
  options.normalize = NormalizeMode::kNone;
  options.ngram = 5;
  options.threshold = kThreshold;
  options.containment = 0;  // The truth is Jaccard only.
  auto result = RunPipeline(**corpus, options);
  ASSERT_TRUE(result.ok()) << result.status();

  size_t found = 0;
  for (const ScoredPair& p : result->pairs) {
    std::string a((*corpus)->Id(p.a)), b((*corpus)->Id(p.b));
    if (b < a) std::swap(a, b);
    auto it = truth.find({a, b});
    ASSERT_NE(it, truth.end()) << "reported pair not in truth: " << a << " "
                               << b << " J=" << p.jaccard;
    // Truth is rounded to 4 decimals.
    EXPECT_LE(std::abs(p.jaccard - it->second), 0.00005 + 1e-9)
        << a << " " << b;
    ++found;
  }
  const double recall = static_cast<double>(found) / truth.size();
  RecordProperty("recall", std::to_string(recall));
  EXPECT_GE(recall, 0.99) << found << " of " << truth.size();
}

INSTANTIATE_TEST_SUITE_P(
    SharedData, RealDataTest,
    ::testing::Values(DataSet{"saudinewsnet-dev.jsonl.zst",
                              "saudinewsnet-dev.pairs-raw-j05.tsv"},
                      DataSet{"reuters21578.jsonl.zst",
                              "reuters21578.pairs-raw-j05.tsv"}),
    [](const auto& param_info) {
      return std::string(param_info.index == 0 ? "SaudiNewsNet" : "Reuters");
    });

}  // namespace
}  // namespace neardup
