// The hand-labelled SaudiNewsNet pairs (tests/data/labels): the file is well
// formed, and, when ../shared/data is present, its ids belong to the corpus
// and its pairs cover the Jaccard range they were sampled from. How the pairs
// were chosen and judged is in tests/data/labels/README.md.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "neardup/corpus.h"
#include "neardup/normalize.h"
#include "neardup/shingle.h"
#include "neardup/verify.h"
#include "tests/support/labelled_data.h"

namespace neardup {
namespace {

namespace fs = std::filesystem;
using ::neardup::testing::SaudiNewsNetDevLabelsPath;
using ::neardup::testing::SaudiNewsNetDevPath;
using ::neardup::testing::SaudiNewsNetDevReadingsPath;

// The labels were sampled in 0.1-wide bands of full-normalisation Jaccard
// from 0.2 to 1.0 (band 8 holds J = 1.0 as well).
constexpr double kLowestBand = 0.2;
constexpr int kBands = 8;

struct Label {
  std::string a;
  std::string b;
  std::string label;
  int line = 0;
};

// Data lines in file order; '#' comment lines and blank lines are skipped.
// Malformed lines are kept with fewer fields so that the tests report them.
std::vector<std::vector<std::string>> ReadRows(const fs::path& path,
                                               std::vector<int>* line_numbers) {
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(path);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    rows.push_back(absl::StrSplit(line, '\t'));
    line_numbers->push_back(number);
  }
  return rows;
}

std::vector<Label> ReadLabels() {
  std::vector<int> numbers;
  std::vector<std::vector<std::string>> rows =
      ReadRows(SaudiNewsNetDevLabelsPath(), &numbers);
  std::vector<Label> labels;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].size() != 3) continue;
    labels.push_back({rows[i][0], rows[i][1], rows[i][2], numbers[i]});
  }
  return labels;
}

TEST(LabelsFile, EveryRowHasTwoDistinctIdsAndAKnownLabel) {
  ASSERT_TRUE(fs::exists(SaudiNewsNetDevLabelsPath()))
      << SaudiNewsNetDevLabelsPath();
  std::vector<int> numbers;
  std::vector<std::vector<std::string>> rows =
      ReadRows(SaudiNewsNetDevLabelsPath(), &numbers);
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::vector<std::string>& f = rows[i];
    ASSERT_EQ(f.size(), 3u)
        << "line " << numbers[i] << ": expected idA<TAB>idB<TAB>label";
    EXPECT_FALSE(f[0].empty()) << "line " << numbers[i];
    EXPECT_FALSE(f[1].empty()) << "line " << numbers[i];
    EXPECT_NE(f[0], f[1]) << "line " << numbers[i]
                          << ": a document with itself";
    EXPECT_TRUE(f[2] == "copy" || f[2] == "distinct")
        << "line " << numbers[i] << ": label \"" << f[2] << "\"";
  }
}

TEST(LabelsFile, HoldsAtLeastThreeHundredPairsWithBothLabels) {
  const std::vector<Label> labels = ReadLabels();
  EXPECT_GE(labels.size(), 300u);
  size_t copies = 0;
  for (const Label& l : labels) copies += l.label == "copy";
  // Precision and recall need plenty of each class.
  EXPECT_GE(copies, 50u);
  EXPECT_GE(labels.size() - copies, 50u);
}

TEST(LabelsFile, NoPairIsLabelledTwice) {
  std::set<std::pair<std::string, std::string>> seen;
  for (const Label& l : ReadLabels()) {
    auto key = l.a < l.b ? std::make_pair(l.a, l.b) : std::make_pair(l.b, l.a);
    EXPECT_TRUE(seen.insert(key).second)
        << "line " << l.line << ": " << l.a << " " << l.b << " again";
  }
}

// The documented order (idA < idB, rows by idA then idB, byte order) keeps
// diffs of future relabelling small and the file deterministic.
TEST(LabelsFile, IsSortedWithTheSmallerIdFirst) {
  const std::vector<Label> labels = ReadLabels();
  for (size_t i = 0; i < labels.size(); ++i) {
    EXPECT_LT(labels[i].a, labels[i].b) << "line " << labels[i].line;
    if (i > 0) {
      EXPECT_LT(std::make_pair(labels[i - 1].a, labels[i - 1].b),
                std::make_pair(labels[i].a, labels[i].b))
          << "line " << labels[i].line;
    }
  }
}

// The label of a pair is the majority of its three independent readings
// (README.md, "Three readings"), and the readings cover exactly the labelled
// pairs, so neither file can drift from the other.
TEST(ReadingsFile, EveryLabelIsTheMajorityOfThreeReadings) {
  ASSERT_TRUE(fs::exists(SaudiNewsNetDevReadingsPath()))
      << SaudiNewsNetDevReadingsPath();
  std::vector<int> numbers;
  const std::vector<std::vector<std::string>> rows =
      ReadRows(SaudiNewsNetDevReadingsPath(), &numbers);
  std::set<std::pair<std::string, std::string>> read;
  absl::flat_hash_map<std::string, std::string> majority;
  for (size_t i = 0; i < rows.size(); ++i) {
    const std::vector<std::string>& f = rows[i];
    ASSERT_EQ(f.size(), 5u)
        << "line " << numbers[i] << ": expected idA<TAB>idB<TAB>three readings";
    int copies = 0;
    for (size_t r = 2; r < 5; ++r) {
      EXPECT_TRUE(f[r] == "copy" || f[r] == "distinct")
          << "line " << numbers[i] << ": reading \"" << f[r] << "\"";
      copies += f[r] == "copy";
    }
    EXPECT_TRUE(read.insert({f[0], f[1]}).second)
        << "line " << numbers[i] << ": pair read twice";
    majority[f[0] + "\t" + f[1]] = copies >= 2 ? "copy" : "distinct";
  }
  const std::vector<Label> labels = ReadLabels();
  EXPECT_EQ(labels.size(), rows.size());
  for (const Label& l : labels) {
    auto it = majority.find(l.a + "\t" + l.b);
    if (it == majority.end()) {
      ADD_FAILURE() << "line " << l.line << ": " << l.a << " " << l.b
                    << " has no readings";
      continue;
    }
    EXPECT_EQ(l.label, it->second)
        << "line " << l.line << ": " << l.a << " " << l.b;
  }
}

// Loads the corpus once for the tests that need it.
class LabelsOnCorpusTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!fs::exists(SaudiNewsNetDevPath())) return;
    auto corpus = LoadCorpus({SaudiNewsNetDevPath().string()}, {});
    ASSERT_TRUE(corpus.ok()) << corpus.status();
    corpus_ = corpus->release();
    index_ = new absl::flat_hash_map<std::string, size_t>();
    for (size_t i = 0; i < corpus_->size(); ++i) {
      index_->emplace(std::string(corpus_->Id(i)), i);
    }
  }
  static void TearDownTestSuite() {
    delete corpus_;
    corpus_ = nullptr;
    delete index_;
    index_ = nullptr;
  }
  void SetUp() override {
    if (corpus_ == nullptr) {
      GTEST_SKIP() << "no " << SaudiNewsNetDevPath()
                   << " (../shared/data is optional)";
    }
  }

  // The shingle set of a document under the engine's default settings.
  static std::vector<uint64_t> Shingles(const Normalizer& normalizer,
                                        size_t doc) {
    TextScratch scratch;
    absl::StatusOr<absl::string_view> text = corpus_->Text(doc, &scratch);
    EXPECT_TRUE(text.ok()) << text.status();
    NormalizedText normalized;
    normalizer.Normalize(text.ok() ? *text : absl::string_view(), &normalized);
    std::vector<uint64_t> hashes;
    HashShingles(normalized.code_points, {.ngram = 5}, &hashes);
    SortUnique(&hashes);
    return hashes;
  }

  static const Corpus* corpus_;
  static absl::flat_hash_map<std::string, size_t>* index_;
};

const Corpus* LabelsOnCorpusTest::corpus_ = nullptr;
absl::flat_hash_map<std::string, size_t>* LabelsOnCorpusTest::index_ = nullptr;

TEST_F(LabelsOnCorpusTest, EveryIdIsInTheCorpus) {
  for (const Label& l : ReadLabels()) {
    EXPECT_TRUE(index_->contains(l.a)) << "line " << l.line << ": " << l.a;
    EXPECT_TRUE(index_->contains(l.b)) << "line " << l.line << ": " << l.b;
  }
}

TEST_F(LabelsOnCorpusTest, PairsSpanEveryJaccardBandFromPointTwoToOne) {
  absl::StatusOr<Normalizer> normalizer = Normalizer::Create(
      {.mode = NormalizeMode::kFull, .record_offsets = false});
  ASSERT_TRUE(normalizer.ok()) << normalizer.status();
  std::array<int, kBands> in_band{};
  std::array<int, kBands> copies_in_band{};
  for (const Label& l : ReadLabels()) {
    auto a = index_->find(l.a);
    auto b = index_->find(l.b);
    if (a == index_->end() || b == index_->end()) continue;  // Reported above.
    const SetSimilarity s = CompareSortedSets(Shingles(*normalizer, a->second),
                                              Shingles(*normalizer, b->second));
    if (s.jaccard < kLowestBand) continue;  // Extra hard negatives.
    const int band =
        std::min(kBands - 1, static_cast<int>((s.jaccard - kLowestBand) * 10));
    ++in_band[band];
    copies_in_band[band] += l.label == "copy";
  }
  for (int band = 0; band < kBands; ++band) {
    const double low = kLowestBand + 0.1 * band;
    EXPECT_GE(in_band[band], 20)
        << "too few labelled pairs with " << low << " <= J < " << low + 0.1;
    RecordProperty("band_" + std::to_string(band),
                   std::to_string(copies_in_band[band]) + "/" +
                       std::to_string(in_band[band]));
  }
  // Swapped columns or inverted labels would show first at the extremes:
  // texts sharing 90% of their shingles are near-verbatim copies, and texts
  // sharing under 30% are mostly different reports.
  EXPECT_GE(copies_in_band[kBands - 1], in_band[kBands - 1] * 9 / 10);
  EXPECT_LE(copies_in_band[0], in_band[0] / 5);
}

}  // namespace
}  // namespace neardup
