// The ThreadSanitizer suite (label `tsan`; NEARDUP_TSAN=1 tools/test.sh
// builds it in build/tsan with -fsanitize=thread and runs only this label).
// Each test drives the code paths that run on several threads at once, so
// TSan sees every shared access, and also asserts the results, so the tests
// mean something in the ordinary builds too:
//   - the index under its thread-safety contract (include/neardup/index.h):
//     batches added from two threads at once (as neardup.Index.add does from
//     two Python threads: it releases the GIL and holds only a shared lock),
//     queries, removals, Sync() and Compact() all at the same time;
//   - the pipeline's thread pool (src/internal/parallel.h): RunPipeline,
//     FindRepeatedPassages, the exact search and LoadCorpus with 2 to 8
//     threads give the single-thread result;
//   - what the Python module calls with the GIL released, from several
//     threads at once: RunPipeline on two corpora, one Normalizer and one
//     MinHasher shared by every thread.
// Sizes are small: TSan runs code 5-15 times slower.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "neardup/corpus.h"
#include "neardup/exact_search.h"
#include "neardup/index.h"
#include "neardup/minhash.h"
#include "neardup/normalize.h"
#include "neardup/passage.h"
#include "neardup/pipeline.h"
#include "neardup/shingle.h"
#include "src/internal/index_batch.h"
#include "src/internal/json_writer.h"
#include "src/internal/sketch_screen.h"
#include "tests/support/cli_harness.h"
#include "tests/support/generator.h"
#include "tests/support/status_matchers.h"

namespace neardup {
namespace {

namespace fs = std::filesystem;

std::vector<testing::GeneratedDoc> Documents(size_t stories, uint64_t seed) {
  testing::CorpusSpec spec;
  spec.stories = stories;
  spec.max_copies = 3;
  spec.min_paragraphs = 2;
  spec.max_paragraphs = 4;
  spec.seed = seed;
  return testing::GenerateCorpus(spec);
}

std::unique_ptr<Corpus> MakeCorpus(const std::vector<testing::GeneratedDoc>& d,
                                   absl::string_view id_prefix) {
  std::vector<std::pair<std::string, std::string>> documents;
  for (const testing::GeneratedDoc& doc : d) {
    documents.emplace_back(absl::StrCat(id_prefix, doc.id), doc.text);
  }
  absl::StatusOr<std::unique_ptr<Corpus>> corpus =
      Corpus::FromDocuments(std::move(documents));
  EXPECT_THAT(corpus.status(), testing::IsOk());
  return corpus.ok() ? std::move(*corpus) : nullptr;
}

// At the defaults, and with boilerplate scoring (whose counts adds and
// removals change and queries read).
class TsanIndexTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           absl::StrCat("neardup_tsan_index_", getpid());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  // Creates the index with `options` (and boilerplate scoring when the
  // parameter says so) and opens it for writing; null on failure.
  std::unique_ptr<Index> CreateAndOpen(IndexOptions options) {
    if (GetParam()) options.boilerplate_df = 2;
    EXPECT_THAT(Index::Create(dir_.string(), options), testing::IsOk());
    absl::StatusOr<std::unique_ptr<Index>> opened =
        Index::Open(dir_.string(), {});
    EXPECT_THAT(opened.status(), testing::IsOk());
    return opened.ok() ? std::move(*opened) : nullptr;
  }
  fs::path dir_;
};

TEST_P(TsanIndexTest, AddsQueriesRemovalsAndCompactionsAtOnce) {
  std::unique_ptr<Index> opened = CreateAndOpen({});
  ASSERT_NE(opened, nullptr);
  Index& index = *opened;
  // Two writers with their own ids, as two Python threads calling
  // Index.add; a third set is added first and then removed under load.
  const std::vector<testing::GeneratedDoc> docs = Documents(12, 7);
  std::unique_ptr<Corpus> first = MakeCorpus(docs, "a-");
  std::unique_ptr<Corpus> second = MakeCorpus(docs, "b-");
  std::unique_ptr<Corpus> doomed = MakeCorpus(docs, "r-");
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  ASSERT_NE(doomed, nullptr);
  internal::BatchOptions batch;
  batch.threads = 2;
  internal::AddBatchResult pre = internal::AddCorpus(index, *doomed, batch);
  ASSERT_THAT(pre.failure, testing::IsOk());
  ASSERT_THAT(index.Sync(), testing::IsOk());

  std::atomic<int> writers_left{2};
  std::atomic<int> queries{0}, compactions{0};
  std::vector<std::thread> threads;
  internal::AddBatchResult added[2];
  const Corpus* corpora[2] = {first.get(), second.get()};
  for (int w = 0; w < 2; ++w) {
    threads.emplace_back([&, w] {
      added[w] = internal::AddCorpus(index, *corpora[w], batch);
      EXPECT_THAT(index.Sync(), testing::IsOk());
      --writers_left;
    });
  }
  threads.emplace_back([&] {
    std::vector<std::string> ids;
    for (size_t i = 0; i < doomed->size(); ++i) {
      ids.emplace_back(doomed->Id(i));
    }
    std::vector<std::string> locations(ids.size(), "test");
    absl::StatusOr<uint64_t> removed =
        internal::RemoveIds(index, ids, locations);
    EXPECT_THAT(removed.status(), testing::IsOk());
    if (removed.ok()) {
      EXPECT_EQ(*removed, ids.size());
    }
    EXPECT_THAT(index.Sync(), testing::IsOk());
  });
  threads.emplace_back([&] {
    // At least three, however quickly the writers finish.
    while (compactions.load() < 3 || writers_left.load() > 0) {
      EXPECT_THAT(index.Compact(), testing::IsOk());
      ++compactions;
    }
  });
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&, r] {
      do {
        internal::QueryBatchResult result =
            internal::QueryCorpus(index, *first, batch);
        EXPECT_THAT(result.failure, testing::IsOk());
        const testing::GeneratedDoc& d = docs[r];
        absl::StatusOr<Decision> q = index.Query("query", d.text, 3);
        EXPECT_THAT(q.status(), testing::IsOk());
        if (index.Contains(absl::StrCat("a-", d.id))) {
          EXPECT_THAT(index.ClusterOf(absl::StrCat("a-", d.id)).status(),
                      testing::IsOk());
        }
        (void)index.stats();
        ++queries;
      } while (writers_left.load() > 0);
    });
  }
  for (std::thread& t : threads) t.join();

  EXPECT_GT(queries.load(), 0);
  for (int w = 0; w < 2; ++w) {
    EXPECT_THAT(added[w].failure, testing::IsOk());
    EXPECT_EQ(
        std::count(added[w].decisions.begin(), added[w].decisions.end(), '\n'),
        static_cast<ptrdiff_t>(docs.size()));
  }
  EXPECT_EQ(index.stats().documents, 2 * docs.size());
  for (const testing::GeneratedDoc& d : docs) {
    EXPECT_TRUE(index.Contains(absl::StrCat("a-", d.id))) << d.id;
    EXPECT_TRUE(index.Contains(absl::StrCat("b-", d.id))) << d.id;
    EXPECT_FALSE(index.Contains(absl::StrCat("r-", d.id))) << d.id;
  }
  // Every copy found the same story in the other writer's set or its own:
  // a and b documents of one text share a cluster.
  for (const testing::GeneratedDoc& d : docs) {
    EXPECT_EQ(*index.ClusterOf(absl::StrCat("a-", d.id)),
              *index.ClusterOf(absl::StrCat("b-", d.id)))
        << d.id;
  }
  // What was synced is what a reopen sees.
  const IndexStats before = index.stats();
  opened.reset();
  absl::StatusOr<std::unique_ptr<Index>> again =
      Index::Open(dir_.string(), {.read_only = true});
  ASSERT_THAT(again.status(), testing::IsOk());
  EXPECT_EQ((*again)->stats().documents, before.documents);
  EXPECT_EQ((*again)->stats().clusters, before.clusters);
}

// Past 16,384 documents a writer merges its chained band entries into
// sorted tables (and its log writes point the new documents at the log's
// mapped bytes) while readers query.
TEST_P(TsanIndexTest, QueriesRunWhileTheWriterMergesItsBandTables) {
  // Bands of 3 rows (t = 0.5): their chains are merged.
  std::unique_ptr<Index> opened =
      CreateAndOpen({.threshold = 0.5, .containment = 0});
  ASSERT_NE(opened, nullptr);
  Index& index = *opened;
  testing::Rng rng(3);
  std::vector<std::pair<std::string, std::string>> docs;
  for (int i = 0; i < 17000; ++i) {
    // Short texts, so that the adds are quick under ThreadSanitizer; every
    // tenth repeats an earlier one.
    docs.emplace_back(absl::StrCat("d", i),
                      i % 10 == 9 ? docs[i / 2].second
                                  : testing::GenerateArticle(
                                        rng, testing::Language::kEnglish, 1));
  }
  auto corpus = Corpus::FromDocuments(docs);
  ASSERT_THAT(corpus.status(), testing::IsOk());
  std::atomic<bool> done{false};
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&, r] {
      size_t i = static_cast<size_t>(r);
      do {
        absl::StatusOr<Decision> q =
            index.Query("q", docs[i % docs.size()].second, 3);
        EXPECT_THAT(q.status(), testing::IsOk());
        i += 997;
        // Readers that never pause would starve the writer of its lock.
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      } while (!done.load());
    });
  }
  internal::BatchOptions batch;
  batch.threads = 2;
  internal::AddBatchResult added = internal::AddCorpus(index, **corpus, batch);
  done = true;
  for (std::thread& t : readers) t.join();
  ASSERT_THAT(added.failure, testing::IsOk());
  EXPECT_GT(added.duplicates, 1000u);
  // A repeated text added after the merge still finds its original.
  absl::StatusOr<Decision> q = index.Query("q", docs[8000].second, 1);
  ASSERT_THAT(q.status(), testing::IsOk());
  ASSERT_FALSE(q->matches.empty());
  EXPECT_EQ(q->matches[0].jaccard, 1.0);
}

INSTANTIATE_TEST_SUITE_P(Options, TsanIndexTest, ::testing::Bool(),
                         [](const auto& test_info) {
                           return test_info.param ? "Boilerplate" : "Defaults";
                         });

// The pieces of a result that must not depend on the thread count.
struct Outcome {
  std::vector<std::pair<uint32_t, uint32_t>> pairs;
  std::vector<uint32_t> representative_of;
  friend bool operator==(const Outcome&, const Outcome&) = default;
};

Outcome RunWithThreads(const Corpus& corpus, int threads) {
  PipelineOptions options;
  options.threads = threads;
  options.containment = 0.8;
  absl::StatusOr<PipelineResult> result = RunPipeline(corpus, options);
  EXPECT_THAT(result.status(), testing::IsOk());
  Outcome out;
  if (!result.ok()) return out;
  for (const ScoredPair& p : result->pairs) out.pairs.emplace_back(p.a, p.b);
  out.representative_of = result->representative_of;
  return out;
}

TEST(TsanThreadPoolTest, PipelineGivesOneResultForEveryThreadCount) {
  std::unique_ptr<Corpus> corpus = MakeCorpus(Documents(20, 3), "");
  ASSERT_NE(corpus, nullptr);
  const Outcome one = RunWithThreads(*corpus, 1);
  EXPECT_FALSE(one.pairs.empty());
  for (int threads : {2, 3, 8}) {
    EXPECT_EQ(RunWithThreads(*corpus, threads), one) << threads << " threads";
  }
}

TEST(TsanThreadPoolTest,
     PassagesAndExactSearchGiveOneResultForEveryThreadCount) {
  std::vector<testing::GeneratedDoc> docs = Documents(10, 5);
  // Paragraphs pasted into other articles, for passage repeats.
  for (size_t i = 1; i < docs.size(); i += 3) {
    docs[i].text += "\n\n" + docs[i - 1].text.substr(0, 400);
  }
  std::unique_ptr<Corpus> corpus = MakeCorpus(docs, "");
  ASSERT_NE(corpus, nullptr);
  auto passages = [&](int threads) {
    PassageOptions options;
    options.threads = threads;
    absl::StatusOr<PassageResult> result =
        FindRepeatedPassages(*corpus, options);
    EXPECT_THAT(result.status(), testing::IsOk());
    std::vector<std::pair<uint32_t, uint32_t>> found;
    if (result.ok()) {
      for (const RepeatedPassage& r : result->repeats) {
        found.emplace_back(r.passage.document, r.passage.span.begin);
      }
    }
    return found;
  };
  auto exact = [&](int threads) {
    ExactSearchOptions options;
    options.threads = threads;
    absl::StatusOr<ExactSearchResult> result =
        FindSimilarDocuments(*corpus, options);
    EXPECT_THAT(result.status(), testing::IsOk());
    std::vector<std::pair<uint32_t, uint32_t>> found;
    if (result.ok()) {
      for (const ScoredPair& p : result->pairs) found.emplace_back(p.a, p.b);
    }
    return found;
  };
  const auto passages_one = passages(1);
  const auto exact_one = exact(1);
  EXPECT_FALSE(passages_one.empty());
  EXPECT_FALSE(exact_one.empty());
  for (int threads : {2, 4, 8}) {
    EXPECT_EQ(passages(threads), passages_one) << threads << " threads";
    EXPECT_EQ(exact(threads), exact_one) << threads << " threads";
  }
}

TEST(TsanThreadPoolTest, LoadCorpusValidatesOnManyThreads) {
  const std::vector<testing::GeneratedDoc> docs = Documents(30, 11);
  std::string jsonl;
  for (size_t i = 0; i < docs.size(); ++i) {
    // Bad lines and a repeated id among good ones, for the error paths.
    if (i % 7 == 3) jsonl += "{\"id\": 1, \"text\": 2}\n";
    if (i % 11 == 5) jsonl += "{\"id\": \"dup\", \"text\": \"again\"}\n";
    jsonl += "{\"id\": ";
    internal::AppendJsonString(docs[i].id, &jsonl);
    jsonl += ", \"text\": ";
    internal::AppendJsonString(docs[i].text, &jsonl);
    jsonl += "}\n";
  }
  const fs::path path = fs::temp_directory_path() /
                        absl::StrCat("neardup_tsan_load_", getpid(), ".jsonl");
  testing::WriteAll(path, jsonl);
  auto load = [&](int threads) {
    InputOptions options;
    options.threads = threads;
    options.on_error = OnError::kSkip;
    absl::StatusOr<std::unique_ptr<Corpus>> corpus =
        LoadCorpus({path.string()}, options);
    EXPECT_THAT(corpus.status(), testing::IsOk());
    std::vector<std::string> ids;
    if (corpus.ok()) {
      for (size_t i = 0; i < (*corpus)->size(); ++i) {
        ids.emplace_back((*corpus)->Id(i));
      }
      EXPECT_GT((*corpus)->stats().skipped, 0u);
    }
    return ids;
  };
  const std::vector<std::string> one = load(1);
  EXPECT_EQ(one.size(), docs.size() + 1);  // And the first "dup".
  for (int threads : {2, 4, 8}) EXPECT_EQ(load(threads), one) << threads;
  fs::remove(path);
}

TEST(TsanEntryPointsTest, PipelinesRunConcurrently) {
  // neardup.cluster() from two Python threads: two pipelines at once, each
  // with its own thread pool.
  std::unique_ptr<Corpus> a = MakeCorpus(Documents(12, 21), "");
  std::unique_ptr<Corpus> b = MakeCorpus(Documents(12, 22), "");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  const Outcome expected_a = RunWithThreads(*a, 1);
  const Outcome expected_b = RunWithThreads(*b, 1);
  Outcome got_a, got_b;
  std::thread ta([&] { got_a = RunWithThreads(*a, 3); });
  std::thread tb([&] { got_b = RunWithThreads(*b, 2); });
  ta.join();
  tb.join();
  EXPECT_EQ(got_a, expected_a);
  EXPECT_EQ(got_b, expected_b);
}

// The sketch screen's tables were built with std::lgamma, which writes the
// global signgam: two pipelines at once raced on it (TSan, in the test
// above). Screens built on two threads equal one built alone.
TEST(TsanEntryPointsTest, SketchScreensBuiltConcurrently) {
  const internal::SketchScreen alone(128);
  std::vector<std::unique_ptr<internal::SketchScreen>> built(2);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back(
        [&, t] { built[t] = std::make_unique<internal::SketchScreen>(128); });
  }
  for (std::thread& t : threads) t.join();
  for (const auto& screen : built) {
    for (double j : {0.3, 0.5, 0.8, 0.95}) {
      EXPECT_EQ(screen->MinMatches(j), alone.MinMatches(j)) << j;
      EXPECT_EQ(screen->PrefixMinMatches(j), alone.PrefixMinMatches(j)) << j;
    }
  }
  EXPECT_GT(alone.MinMatches(0.8), 0);
}

TEST(TsanEntryPointsTest, SharedNormalizerAndMinHasherAcrossThreads) {
  // neardup.Sketcher and friends keep one Normalizer and one MinHasher and
  // call them from every thread that released the GIL.
  absl::StatusOr<Normalizer> normalizer = Normalizer::Create({});
  absl::StatusOr<MinHasher> hasher = MinHasher::Create({});
  ASSERT_THAT(normalizer.status(), testing::IsOk());
  ASSERT_THAT(hasher.status(), testing::IsOk());
  const std::vector<testing::GeneratedDoc> docs = Documents(8, 31);
  auto sketch = [&](const std::string& text) {
    NormalizedText normalized;
    normalizer->Normalize(text, &normalized);
    std::vector<uint64_t> shingles;
    HashShingles(normalized.code_points, {}, &shingles);
    SortUnique(&shingles);
    std::vector<uint32_t> signature(hasher->num_perm());
    hasher->Sketch(shingles, absl::MakeSpan(signature));
    return signature;
  };
  std::vector<std::vector<uint32_t>> expected;
  for (const testing::GeneratedDoc& d : docs)
    expected.push_back(sketch(d.text));
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = 0; i < docs.size(); ++i) {
        const size_t k = (i + t) % docs.size();
        if (sketch(docs[k].text) != expected[k]) ++mismatches;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace neardup
