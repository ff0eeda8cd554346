// Containment recall against the exact search: at the defaults (t = 0.5,
// containment 0.8), every pair with exact Jaccard >= t or containment >= C
// is linked (recall >= 0.99), and no pair below both is, on generated
// stories with abridged, reflowed and lightly rewritten copies, the copies
// whose paragraphs match no paragraph of the story.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "neardup/exact_search.h"
#include "neardup/index.h"
#include "neardup/pipeline.h"
#include "tests/support/describe_decision.h"
#include "tests/support/generator.h"

namespace neardup {
namespace {

using ::neardup::testing::EditToJaccard;
using ::neardup::testing::GenerateArticle;
using ::neardup::testing::Language;
using ::neardup::testing::Rng;
using ::neardup::testing::Truncate;

// Some paragraphs of `text`, in order, each kept with probability `keep`
// (at least one), joined into one paragraph: an abridged copy whose cuts are
// nowhere near the story's.
std::string PickAndReflow(const std::string& text, double keep, Rng& rng) {
  std::vector<std::string> paragraphs = absl::StrSplit(text, "\n\n");
  std::vector<std::string> kept;
  for (const std::string& p : paragraphs) {
    if (rng.Bernoulli(keep)) kept.push_back(p);
  }
  if (kept.empty()) kept.push_back(paragraphs[rng.Uniform(paragraphs.size())]);
  return absl::StrJoin(kept, " ");
}

std::vector<std::pair<std::string, std::string>> MakeCorpus(uint64_t seed) {
  Rng rng(seed);
  std::vector<std::pair<std::string, std::string>> docs;
  for (int story = 0; story < 150; ++story) {
    const Language language =
        rng.Bernoulli(0.5) ? Language::kArabic : Language::kEnglish;
    const std::string text =
        GenerateArticle(rng, language, static_cast<int>(rng.UniformInt(6, 12)));
    const std::string id = absl::StrCat("story-", story);
    docs.emplace_back(id, text);
    // The lead, lightly rewritten.
    docs.emplace_back(
        absl::StrCat(id, "-lead"),
        EditToJaccard(Truncate(text, 0.15 + 0.45 * rng.UniformDouble()),
                      0.8 + 0.15 * rng.UniformDouble(), 5, rng));
    // Paragraphs picked from throughout and run together, lightly rewritten.
    docs.emplace_back(
        absl::StrCat(id, "-picked"),
        EditToJaccard(PickAndReflow(text, 0.2 + 0.4 * rng.UniformDouble(), rng),
                      0.8 + 0.15 * rng.UniformDouble(), 5, rng));
    // The whole story, rewritten throughout.
    docs.emplace_back(
        absl::StrCat(id, "-rewritten"),
        EditToJaccard(text, 0.55 + 0.3 * rng.UniformDouble(), 5, rng));
  }
  // Shuffled, so copies do not sit next to their story.
  for (size_t i = docs.size() - 1; i > 0; --i) {
    std::swap(docs[i], docs[rng.Uniform(i + 1)]);
  }
  return docs;
}

TEST(ContainmentRecall, DefaultsLinkEveryContainedCopyAndNothingBelow) {
  const auto docs = MakeCorpus(15);
  absl::StatusOr<std::unique_ptr<Corpus>> corpus = Corpus::FromDocuments(docs);
  ASSERT_TRUE(corpus.ok()) << corpus.status();
  PipelineOptions options;
  options.threads = 2;
  absl::StatusOr<PipelineResult> result = RunPipeline(**corpus, options);
  ASSERT_TRUE(result.ok()) << result.status();
  ExactSearchOptions exact_options;
  exact_options.threshold = options.threshold;
  exact_options.containment = options.containment;
  exact_options.threads = 2;
  absl::StatusOr<ExactSearchResult> exact =
      FindSimilarDocuments(**corpus, exact_options);
  ASSERT_TRUE(exact.ok()) << exact.status();

  std::map<std::pair<uint32_t, uint32_t>, ScoredPair> truth;
  size_t contained = 0;
  for (const ScoredPair& p : exact->pairs) {
    truth[{p.a, p.b}] = p;
    contained += p.jaccard < options.threshold;
  }
  // Most planted copies are linked by containment alone.
  ASSERT_GT(contained, 250u);
  size_t found = 0;
  for (const ScoredPair& p : result->pairs) {
    auto it = truth.find({p.a, p.b});
    ASSERT_NE(it, truth.end())
        << "linked below both thresholds: " << (*corpus)->Id(p.a) << " "
        << (*corpus)->Id(p.b) << " J=" << p.jaccard << " C=" << p.containment;
    EXPECT_EQ(p.jaccard, it->second.jaccard);
    EXPECT_EQ(p.containment, it->second.containment);
    ++found;
  }
  const double recall = static_cast<double>(found) / truth.size();
  std::string missed;
  for (const auto& entry : truth) {
    const ScoredPair& p = entry.second;  // Clang cannot capture a binding.
    if (std::none_of(
            result->pairs.begin(), result->pairs.end(),
            [&](const ScoredPair& q) { return q.a == p.a && q.b == p.b; })) {
      absl::StrAppend(&missed, " ", (*corpus)->Id(p.a), "/", (*corpus)->Id(p.b),
                      " (J ", p.jaccard, ", C ", p.containment, ")");
    }
  }
  RecordProperty("recall", std::to_string(recall));
  RecordProperty("candidates_lsh",
                 std::to_string(result->stats.candidates.candidate_pairs));
  RecordProperty("candidates_passages",
                 std::to_string(result->stats.containment_candidates));
  RecordProperty("candidates_sampled",
                 std::to_string(result->stats.sample_candidates));
  EXPECT_GE(recall, 0.99) << found << " of " << truth.size()
                          << "; missed:" << missed;
  std::printf(
      "exact pairs %zu (%zu by containment alone), linked %zu; "
      "candidates: %llu document LSH, %llu passages, %llu sampled\n",
      truth.size(), contained, found,
      static_cast<unsigned long long>(result->stats.candidates.candidate_pairs),
      static_cast<unsigned long long>(result->stats.containment_candidates),
      static_cast<unsigned long long>(result->stats.sample_candidates));
}

// The sampled route proposes copies (every "-picked" copy is one reflowed
// paragraph, rewritten, so no passage need match), and its candidates stay
// a few per document even on this corpus, whose made-up articles share most
// of a small vocabulary.
TEST(ContainmentRecall, SampledCandidatesStayFew) {
  const auto docs = MakeCorpus(16);
  absl::StatusOr<std::unique_ptr<Corpus>> corpus = Corpus::FromDocuments(docs);
  ASSERT_TRUE(corpus.ok()) << corpus.status();
  PipelineOptions options;
  options.threads = 2;
  absl::StatusOr<PipelineResult> result = RunPipeline(**corpus, options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_GT(result->stats.sample_candidates, docs.size() / 4);
  EXPECT_LT(result->stats.sample_candidates, 5 * docs.size());
}

// The index links by containment as `neardup cluster` does: documents added
// in order (one at a time; or as a prescreened batch of two blocks, then
// compacted, added to, reopened and added to from the snapshot and the
// log) give the pairs and clusters of single linkage at the same options,
// on copies that only the passage route or only the sampled route
// proposes.
TEST(ContainmentRecall, IndexLinksWhatClusterLinks) {
  namespace fs = std::filesystem;
  const auto docs = MakeCorpus(18);
  absl::StatusOr<std::unique_ptr<Corpus>> corpus = Corpus::FromDocuments(docs);
  ASSERT_TRUE(corpus.ok()) << corpus.status();
  const fs::path dir = fs::temp_directory_path() /
                       absl::StrCat("neardup_containment_index_", getpid());
  using Pairs = std::map<std::pair<std::string, std::string>, double>;
  for (double threshold : {0.5, 0.8}) {
    SCOPED_TRACE(threshold);
    PipelineOptions batch_options;
    batch_options.threshold = threshold;
    batch_options.threads = 2;
    batch_options.cluster = {.linkage = Linkage::kSingle,
                             .keep = KeepPolicy::kFirst};
    absl::StatusOr<PipelineResult> batch = RunPipeline(**corpus, batch_options);
    ASSERT_TRUE(batch.ok()) << batch.status();
    ASSERT_GT(batch->stats.containment_pairs, 250u);
    Pairs batch_pairs;
    for (const ScoredPair& p : batch->pairs) {
      batch_pairs[{docs[p.a].first, docs[p.b].first}] = p.containment;
    }

    IndexOptions options;
    options.threshold = threshold;
    for (bool one_at_a_time : {true, false}) {
      SCOPED_TRACE(one_at_a_time ? "Add" : "batch, compacted, reopened");
      fs::remove_all(dir);
      ASSERT_TRUE(Index::Create(dir.string(), options).ok());
      Pairs index_pairs;
      auto record = [&](absl::string_view id, const Decision& d) {
        for (const IndexMatch& m : d.matches) {
          index_pairs[{m.id, std::string(id)}] = m.containment;
        }
      };
      auto index = Index::Open(dir.string(), {});
      ASSERT_TRUE(index.ok()) << index.status();
      // A batch works in blocks of 512: 560 make two.
      const size_t half = one_at_a_time ? docs.size() : 560;
      if (one_at_a_time) {
        for (size_t i = 0; i < half; ++i) {
          auto d = (*index)->Add(docs[i].first, docs[i].second,
                                 {.max_matches = 100000, .sync = false});
          ASSERT_TRUE(d.ok()) << d.status();
          record(docs[i].first, *d);
        }
      } else {
        // The first 560 as a batch (the second block prescreened while the
        // first is added), then a compaction.
        for (const auto& pair : testing::DecisionPairs(
                 testing::AddFirstAsBatch(**index, docs, half))) {
          index_pairs[pair] = 0;
        }
        ASSERT_TRUE((*index)->Compact().ok());
        for (size_t i = half; i < half + 20; ++i) {
          auto d = (*index)->Add(docs[i].first, docs[i].second,
                                 {.max_matches = 100000, .sync = false});
          ASSERT_TRUE(d.ok()) << d.status();
          record(docs[i].first, *d);
        }
        ASSERT_TRUE((*index)->Sync().ok());
        // The rest after a reopen: from the snapshot and the log.
        index->reset();
        index = Index::Open(dir.string(), {});
        ASSERT_TRUE(index.ok()) << index.status();
        for (size_t i = half + 20; i < docs.size(); ++i) {
          auto d = (*index)->Add(docs[i].first, docs[i].second,
                                 {.max_matches = 100000, .sync = false});
          ASSERT_TRUE(d.ok()) << d.status();
          record(docs[i].first, *d);
        }
      }
      // Pairs by (older, newer); the batch's are (a, b) in input order.
      std::vector<std::string> only_batch, only_index;
      for (const auto& [pair, containment] : batch_pairs) {
        if (!index_pairs.contains(pair)) {
          only_batch.push_back(absl::StrCat(pair.first, "/", pair.second));
        }
      }
      for (const auto& [pair, containment] : index_pairs) {
        if (!batch_pairs.contains(pair)) {
          only_index.push_back(absl::StrCat(pair.first, "/", pair.second));
        }
      }
      EXPECT_TRUE(only_batch.empty()) << absl::StrJoin(only_batch, " ");
      EXPECT_TRUE(only_index.empty()) << absl::StrJoin(only_index, " ");
      for (size_t i = 0; i < docs.size(); ++i) {
        EXPECT_EQ(*(*index)->ClusterOf(docs[i].first),
                  docs[batch->representative_of[i]].first);
      }
      // A read-only open builds its containment tables at its first query
      // (on two threads at once here) and answers as the writer does.
      ASSERT_TRUE((*index)->Sync().ok());
      auto reader = Index::Open(dir.string(), {.read_only = true});
      ASSERT_TRUE(reader.ok()) << reader.status();
      std::vector<std::string> by_reader(docs.size()), by_writer(docs.size());
      std::vector<std::thread> readers;
      for (size_t t = 0; t < 2; ++t) {
        readers.emplace_back([&, t] {
          for (size_t i = t; i < docs.size(); i += 2) {
            auto d = (*reader)->Query("probe", docs[i].second, 100000);
            by_reader[i] = d.ok() ? testing::DescribeDecision(*d)
                                  : std::string(d.status().message());
          }
        });
      }
      for (std::thread& t : readers) t.join();
      for (size_t i = 0; i < docs.size(); ++i) {
        auto d = (*index)->Query("probe", docs[i].second, 100000);
        ASSERT_TRUE(d.ok()) << d.status();
        by_writer[i] = testing::DescribeDecision(*d);
        ASSERT_EQ(by_reader[i], by_writer[i]) << docs[i].first;
      }
      EXPECT_EQ((*reader)->stats().damaged_reads, 0u);
    }
  }
  fs::remove_all(dir);
}

TEST(ContainmentRecall, SamePairsForAnyThreadCount) {
  const auto docs = MakeCorpus(17);
  absl::StatusOr<std::unique_ptr<Corpus>> corpus = Corpus::FromDocuments(docs);
  ASSERT_TRUE(corpus.ok()) << corpus.status();
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> runs;
  for (int threads : {1, 3}) {
    PipelineOptions options;
    options.threads = threads;
    absl::StatusOr<PipelineResult> result = RunPipeline(**corpus, options);
    ASSERT_TRUE(result.ok()) << result.status();
    runs.emplace_back();
    for (const ScoredPair& p : result->pairs) runs.back().push_back({p.a, p.b});
  }
  EXPECT_EQ(runs[0], runs[1]);
}

}  // namespace
}  // namespace neardup
