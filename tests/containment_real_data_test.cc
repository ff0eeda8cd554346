// Containment recall on real news (../shared/data), against the exact
// search: at the defaults (t = 0.5, containment 0.8), and at t = 0.8 with
// the same containment (where bands for t alone lost 2 % of the contained
// copies, see BandJaccard in pipeline.h), the pairs with exact
// Jaccard >= t or containment >= C are linked (recall >= 0.99 of those
// whose smaller document has at least 100 code points; a name or a dateline
// "contained" in an article is not a copy, and no sketch proposes it), and
// every linked pair is one of them. Labelled slow: the exact containment
// search takes minutes. Skips when the data is absent.
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <utility>

#include "gtest/gtest.h"
#include "neardup/exact_search.h"
#include "neardup/pipeline.h"

namespace neardup {
namespace {

namespace fs = std::filesystem;

fs::path DataDir() { return fs::path(NEARDUP_SOURCE_DIR) / "../shared/data"; }

size_t CodePoints(absl::string_view text) {
  size_t n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

struct RealDataCase {
  const char* file;
  const char* name;
  double threshold;
};

class ContainmentRealDataTest : public ::testing::TestWithParam<RealDataCase> {
};

TEST_P(ContainmentRealDataTest, DefaultPairsMatchExactContainmentSearch) {
  const fs::path corpus_path = DataDir() / GetParam().file;
  if (!fs::exists(corpus_path)) {
    GTEST_SKIP() << "no " << corpus_path << " (../shared/data is optional)";
  }
  auto corpus = LoadCorpus({corpus_path.string()}, {});
  ASSERT_TRUE(corpus.ok()) << corpus.status();
  PipelineOptions options;
  options.threshold = GetParam().threshold;
  auto result = RunPipeline(**corpus, options);
  ASSERT_TRUE(result.ok()) << result.status();
  ExactSearchOptions exact_options;
  exact_options.threshold = options.threshold;
  exact_options.containment = options.containment;
  auto exact = FindSimilarDocuments(**corpus, exact_options);
  ASSERT_TRUE(exact.ok()) << exact.status();

  std::vector<size_t> length((*corpus)->size());
  TextScratch scratch;
  for (size_t i = 0; i < length.size(); ++i) {
    auto text = (*corpus)->Text(i, &scratch);
    ASSERT_TRUE(text.ok()) << text.status();
    length[i] = CodePoints(*text);
  }
  std::map<std::pair<uint32_t, uint32_t>, const ScoredPair*> truth;
  for (const ScoredPair& p : exact->pairs) truth[{p.a, p.b}] = &p;
  for (const ScoredPair& p : result->pairs) {
    auto it = truth.find({p.a, p.b});
    ASSERT_NE(it, truth.end())
        << "linked below both thresholds: " << p.a << " " << p.b
        << " J=" << p.jaccard << " C=" << p.containment;
    EXPECT_EQ(p.jaccard, it->second->jaccard);
    EXPECT_EQ(p.containment, it->second->containment);
    truth.erase(it);
  }
  // What is left was missed; pairs with a short document are counted apart.
  size_t exact_long = 0, missed_long = 0, missed_contained = 0;
  for (const ScoredPair& p : exact->pairs) {
    exact_long += std::min(length[p.a], length[p.b]) >= 100;
  }
  for (const auto& [key, p] : truth) {
    if (std::min(length[p->a], length[p->b]) < 100) continue;
    ++missed_long;
    missed_contained += p->jaccard < options.threshold;
  }
  const double recall =
      1 - static_cast<double>(missed_long) / static_cast<double>(exact_long);
  RecordProperty("recall", std::to_string(recall));
  std::printf(
      "exact pairs %zu, %zu with both documents of 100 code points or more; "
      "of these %zu missed (%zu by containment alone), recall %.4f; all "
      "pairs missed %zu; candidates %llu document LSH, %llu passages, %llu "
      "sampled\n",
      exact->pairs.size(), exact_long, missed_long, missed_contained, recall,
      truth.size(),
      static_cast<unsigned long long>(result->stats.candidates.candidate_pairs),
      static_cast<unsigned long long>(result->stats.containment_candidates),
      static_cast<unsigned long long>(result->stats.sample_candidates));
  EXPECT_GE(recall, 0.99) << missed_long << " of " << exact_long << " missed";
}

INSTANTIATE_TEST_SUITE_P(
    SharedData, ContainmentRealDataTest,
    ::testing::Values(
        RealDataCase{"saudinewsnet-dev.jsonl.zst", "SaudiNewsNet", 0.5},
        RealDataCase{"reuters21578.jsonl.zst", "Reuters", 0.5},
        RealDataCase{"saudinewsnet-dev.jsonl.zst", "SaudiNewsNetAt08", 0.8}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace neardup
