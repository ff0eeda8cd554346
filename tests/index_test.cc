#include "neardup/index.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "neardup/pipeline.h"
#include "neardup/verify.h"
#include "src/internal/index_batch.h"
#include "src/internal/index_format.h"
#include "src/internal/index_json.h"
#include "tests/support/cli_harness.h"
#include "tests/support/describe_decision.h"
#include "tests/support/generator.h"
#include "tests/support/status_matchers.h"

namespace neardup {
namespace {

namespace fs = std::filesystem;
using ::neardup::testing::GenerateArticle;
using ::neardup::testing::ReadAll;
using ::neardup::testing::Rng;
using ::neardup::testing::WriteAll;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// (id, text) of a generated corpus of `stories` stories and their copies.
std::vector<std::pair<std::string, std::string>> GeneratedDocs(size_t stories,
                                                               uint64_t seed) {
  testing::CorpusSpec spec;
  spec.stories = stories;
  spec.seed = seed;
  std::vector<std::pair<std::string, std::string>> docs;
  for (const auto& d : testing::GenerateCorpus(spec)) {
    docs.emplace_back(d.id, d.text);
  }
  return docs;
}

class IndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           absl::StrCat("neardup_index_", info->test_suite_name(), "_",
                        info->name(), "_", getpid());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Index> OpenOrDie(OpenReport* report = nullptr) {
    auto index = Index::Open(dir_.string(), {}, report);
    EXPECT_THAT(index.status(), testing::IsOk());
    return index.ok() ? std::move(*index) : nullptr;
  }

  fs::path dir_;
};

// Three paragraphs of about the same size: A = p0 p1, B = p1 p2 and
// C = p0 p1 p2 give J(A, C) and J(B, C) near 2/3 but J(A, B) near 1/3.
std::vector<std::string> Paragraphs(int n, uint64_t seed) {
  Rng rng(seed);
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(GenerateArticle(rng, testing::Language::kEnglish, 2));
  }
  return out;
}

TEST_F(IndexTest, NewDocumentOpensClusterNamedByItsId) {
  ASSERT_THAT(Index::Create(dir_.string(), {}), testing::IsOk());
  auto index = OpenOrDie();
  std::vector<std::string> p = Paragraphs(2, 1);
  auto d = index->Add("a", p[0], {});
  ASSERT_THAT(d.status(), testing::IsOk());
  EXPECT_EQ(d->status, DecisionStatus::kNew);
  EXPECT_EQ(d->cluster, "a");
  EXPECT_TRUE(d->matches.empty());
  auto copy = index->Add("b", p[0], {});
  ASSERT_THAT(copy.status(), testing::IsOk());
  EXPECT_EQ(copy->status, DecisionStatus::kDuplicate);
  EXPECT_EQ(copy->cluster, "a");
  ASSERT_EQ(copy->matches.size(), 1u);
  EXPECT_EQ(copy->matches[0].id, "a");
  EXPECT_EQ(copy->matches[0].jaccard, 1.0);
  auto other = index->Add("c", p[1], {});
  ASSERT_THAT(other.status(), testing::IsOk());
  EXPECT_EQ(other->status, DecisionStatus::kNew);
  EXPECT_EQ(other->cluster, "c");
}

TEST_F(IndexTest, BridgingDocumentKeepsOlderClusterIdAndListsAbsorbed) {
  IndexOptions options;
  options.threshold = 0.5;
  ASSERT_THAT(Index::Create(dir_.string(), options), testing::IsOk());
  auto index = OpenOrDie();
  std::vector<std::string> p = Paragraphs(3, 7);
  const std::string a = p[0] + "\n\n" + p[1];
  const std::string b = p[1] + "\n\n" + p[2];
  const std::string c = p[0] + "\n\n" + p[1] + "\n\n" + p[2];
  ASSERT_LT(testing::BruteForceJaccard(a, b, 5), 0.5);
  ASSERT_EQ(index->Add("first", a, {})->cluster, "first");
  ASSERT_EQ(index->Add("second", b, {})->cluster, "second");
  auto bridge = index->Add("bridge", c, {});
  ASSERT_THAT(bridge.status(), testing::IsOk());
  EXPECT_EQ(bridge->status, DecisionStatus::kDuplicate);
  EXPECT_EQ(bridge->cluster, "first");
  EXPECT_THAT(bridge->merged, ElementsAre("second"));
  EXPECT_EQ(*index->ClusterOf("second"), "first");
  // The absorbed id no longer names a cluster; later copies of b join
  // "first" with no merge.
  auto later = index->Add("b-copy", b, {});
  EXPECT_EQ(later->cluster, "first");
  EXPECT_TRUE(later->merged.empty());
}

// A lead (the first third of a story) joins it by containment, and its
// match says so; a near-verbatim copy's match with the story does not.
TEST_F(IndexTest, ContainmentMatchesAreMarked) {
  ASSERT_THAT(Index::Create(dir_.string(), {}), testing::IsOk());
  auto index = OpenOrDie();
  const std::vector<std::string> paragraphs = Paragraphs(6, 3);
  std::string story;
  for (const std::string& p : paragraphs) story += p + "\n\n";
  ASSERT_THAT(index->Add("story", story, {}).status(), testing::IsOk());
  auto lead = index->Add("lead", paragraphs[0] + "\n\n" + paragraphs[1], {});
  ASSERT_THAT(lead.status(), testing::IsOk());
  ASSERT_EQ(lead->matches.size(), 1u);
  EXPECT_LT(lead->matches[0].jaccard, 0.8);
  EXPECT_EQ(lead->matches[0].containment, 1.0);
  EXPECT_TRUE(lead->matches[0].containment_link);
  std::string json;
  internal::AppendDecisionJson(*lead, &json);
  EXPECT_THAT(json, HasSubstr("\"link\":\"containment\""));
  // The copy matches the story by Jaccard, and holds the lead whole.
  auto copy = index->Add("copy", story + "Reporting by staff.", {});
  ASSERT_THAT(copy.status(), testing::IsOk());
  ASSERT_EQ(copy->matches.size(), 2u);
  EXPECT_EQ(copy->matches[0].id, "story");
  EXPECT_FALSE(copy->matches[0].containment_link);
  EXPECT_EQ(copy->matches[1].id, "lead");
  EXPECT_TRUE(copy->matches[1].containment_link);
}

// A prepared text whose containment sketch is not this index's (damaged,
// or made by an index without containment) is refused before anything is
// written, so the log never holds a record its replay would reject.
TEST_F(IndexTest, PreparedTextWithAForeignSketchIsRefused) {
  ASSERT_THAT(Index::Create(dir_.string(), {}), testing::IsOk());
  const fs::path plain_dir = dir_.string() + "-plain";
  fs::remove_all(plain_dir);
  ASSERT_THAT(Index::Create(plain_dir.string(), {.containment = 0}),
              testing::IsOk());
  const std::string text = Paragraphs(3, 4)[0];
  {
    auto index = OpenOrDie();
    auto plain = Index::Open(plain_dir.string(), {});
    ASSERT_THAT(plain.status(), testing::IsOk());
    PreparedText damaged, foreign;
    index->Prepare(text, &damaged);
    ASSERT_FALSE(damaged.containment.empty());
    damaged.containment.pop_back();
    (*plain)->Prepare(text, &foreign);
    EXPECT_TRUE(foreign.containment.empty());
    for (const PreparedText* p : {&damaged, &foreign}) {
      EXPECT_THAT(index->AddPrepared("a", *p, {}).status(),
                  testing::StatusIs(absl::StatusCode::kInvalidArgument,
                                    HasSubstr("not made by this index")));
    }
    PreparedText theirs;
    index->Prepare(text, &theirs);
    EXPECT_THAT((*plain)->AddPrepared("a", theirs, {}).status(),
                testing::StatusIs(absl::StatusCode::kInvalidArgument,
                                  HasSubstr("not made by this index")));
    EXPECT_EQ(index->stats().documents, 0u);
    ASSERT_THAT(index->AddPrepared("a", theirs, {}).status(), testing::IsOk());
  }
  OpenReport report;
  auto reopened = OpenOrDie(&report);
  EXPECT_EQ(report.log_records_replayed, 1u);
  EXPECT_TRUE(reopened->Contains("a"));
  fs::remove_all(plain_dir);
}

// Every file of an index with containment is version 3: a log or snapshot
// of another version in it is damage, refused naming the file.
TEST_F(IndexTest, ContainmentIndexRefusesFilesOfAnotherVersion) {
  ASSERT_THAT(Index::Create(dir_.string(), {}), testing::IsOk());
  {
    auto index = OpenOrDie();
    ASSERT_THAT(index->Add("a", Paragraphs(2, 5)[0], {}).status(),
                testing::IsOk());
    ASSERT_THAT(index->Compact(), testing::IsOk());
  }
  auto rewrite_version = [](const fs::path& path, absl::string_view magic,
                            uint32_t version) {
    const std::string bytes = ReadAll(path);
    internal::FileHeader header;
    ASSERT_EQ(internal::ParseFileHeader(bytes, magic, 1000, &header),
              internal::HeaderCheck::kOk);
    std::string out;
    internal::AppendFileHeader({magic, version, header.generation}, &out);
    WriteAll(path, out + bytes.substr(internal::kFileHeaderBytes));
  };
  const fs::path log = dir_ / internal::kLogFile;
  const std::string good_log = ReadAll(log);
  rewrite_version(log, internal::kLogMagic, 1);
  auto open = Index::Open(dir_.string(), {});
  EXPECT_THAT(open.status(),
              testing::StatusIs(absl::StatusCode::kDataLoss,
                                HasSubstr("log format version 1 does not "
                                          "match the meta file's 3")));
  EXPECT_THAT(std::string(open.status().message()), HasSubstr(log.string()));
  WriteAll(log, good_log);

  const fs::path snapshot = dir_ / internal::kSnapshotFile;
  rewrite_version(snapshot, internal::kSnapshotMagic, 2);
  open = Index::Open(dir_.string(), {.read_only = true});
  EXPECT_THAT(open.status(),
              testing::StatusIs(absl::StatusCode::kDataLoss,
                                HasSubstr("snapshot format version 2 does "
                                          "not match")));
  EXPECT_THAT(std::string(open.status().message()),
              HasSubstr(snapshot.string()));
}

TEST_F(IndexTest, QueryDoesNotInsert) {
  ASSERT_THAT(Index::Create(dir_.string(), {}), testing::IsOk());
  auto index = OpenOrDie();
  std::vector<std::string> p = Paragraphs(1, 3);
  ASSERT_THAT(index->Add("a", p[0], {}).status(), testing::IsOk());
  Decision q = *index->Query("q", p[0], 10);
  EXPECT_EQ(q.status, DecisionStatus::kDuplicate);
  EXPECT_EQ(q.cluster, "a");
  EXPECT_FALSE(index->Contains("q"));
  EXPECT_EQ(index->stats().documents, 1u);
}

TEST_F(IndexTest, SameIdSameTextIsIdempotentDifferentTextIsRefused) {
  ASSERT_THAT(Index::Create(dir_.string(), {}), testing::IsOk());
  auto index = OpenOrDie();
  std::vector<std::string> p = Paragraphs(2, 4);
  ASSERT_THAT(index->Add("a", p[0], {}).status(), testing::IsOk());
  auto again = index->Add("a", p[0], {});
  ASSERT_THAT(again.status(), testing::IsOk());
  EXPECT_EQ(again->status, DecisionStatus::kExists);
  EXPECT_EQ(again->cluster, "a");
  EXPECT_THAT(
      index->Add("a", p[1], {}).status(),
      testing::StatusIs(absl::StatusCode::kAlreadyExists, ::testing::_));
  EXPECT_EQ(index->stats().documents, 1u);
}

// Query predicts Add, ids included.
TEST_F(IndexTest, QueryAnswersForAnIndexedIdAsAddWould) {
  ASSERT_THAT(Index::Create(dir_.string(), {}), testing::IsOk());
  auto index = OpenOrDie();
  std::vector<std::string> p = Paragraphs(2, 4);
  ASSERT_THAT(index->Add("a", p[0], {}).status(), testing::IsOk());
  ASSERT_THAT(index->Add("b", p[0], {}).status(), testing::IsOk());
  auto same = index->Query("a", p[0], 10);
  ASSERT_THAT(same.status(), testing::IsOk());
  EXPECT_EQ(same->status, DecisionStatus::kExists);
  EXPECT_EQ(same->cluster, "a");
  EXPECT_TRUE(same->matches.empty());
  EXPECT_THAT(index->Query("a", p[1], 10).status(),
              testing::StatusIs(absl::StatusCode::kAlreadyExists,
                                HasSubstr("\"a\" is already in the index")));
  EXPECT_THAT(index->Query("", p[0], 10).status(),
              testing::StatusIs(absl::StatusCode::kInvalidArgument,
                                HasSubstr("ids must be 1 to")));
  // Once removed, the id is free again: a query sees a new copy of b.
  ASSERT_THAT(index->Remove("a"), testing::IsOk());
  auto after = index->Query("a", p[1], 10);
  ASSERT_THAT(after.status(), testing::IsOk());
  EXPECT_EQ(after->status, DecisionStatus::kNew);
}

TEST_F(IndexTest, ParametersAndIdsSurviveRestart) {
  IndexOptions options;
  options.threshold = 0.7;
  options.ngram = 4;
  options.num_perm = 64;
  options.normalize = NormalizeMode::kWhitespace;
  options.seed = 99;
  ASSERT_THAT(Index::Create(dir_.string(), options), testing::IsOk());
  testing::CorpusSpec spec;
  spec.stories = 30;
  spec.ngram = 4;
  std::vector<testing::GeneratedDoc> docs = testing::GenerateCorpus(spec);
  std::map<std::string, std::string> clusters;
  {
    auto index = OpenOrDie();
    for (size_t i = 0; i < docs.size() / 2; ++i) {
      ASSERT_THAT(
          index->Add(docs[i].id, docs[i].text, {.sync = false}).status(),
          testing::IsOk());
    }
    ASSERT_THAT(index->Sync(), testing::IsOk());
  }
  {
    auto index = OpenOrDie();
    EXPECT_EQ(index->options().threshold, 0.7);
    EXPECT_EQ(index->options().ngram, 4);
    EXPECT_EQ(index->options().num_perm, 64);
    EXPECT_EQ(index->options().normalize, NormalizeMode::kWhitespace);
    EXPECT_EQ(index->options().seed, 99u);
    for (size_t i = docs.size() / 2; i < docs.size(); ++i) {
      ASSERT_THAT(index->Add(docs[i].id, docs[i].text, {}).status(),
                  testing::IsOk());
    }
    for (const auto& d : docs) clusters[d.id] = *index->ClusterOf(d.id);
  }
  // An uninterrupted run gives the same clusters.
  fs::remove_all(dir_);
  ASSERT_THAT(Index::Create(dir_.string(), options), testing::IsOk());
  auto index = OpenOrDie();
  for (const auto& d : docs) {
    ASSERT_THAT(index->Add(d.id, d.text, {.sync = false}).status(),
                testing::IsOk());
  }
  for (const auto& d : docs) EXPECT_EQ(*index->ClusterOf(d.id), clusters[d.id]);
}

TEST_F(IndexTest, StreamingGivesBatchPairsAndClusters) {
  testing::CorpusSpec spec;
  spec.stories = 80;
  spec.seed = 11;
  std::vector<testing::GeneratedDoc> docs = testing::GenerateCorpus(spec);
  std::vector<std::pair<std::string, std::string>> in_memory;
  for (const auto& d : docs) in_memory.emplace_back(d.id, d.text);
  auto corpus = Corpus::FromDocuments(in_memory);
  ASSERT_THAT(corpus.status(), testing::IsOk());
  for (auto [threshold, containment] :
       {std::pair{0.5, 0.0}, {0.8, 0.0}, {0.5, 0.8}, {0.8, 0.8}}) {
    SCOPED_TRACE(absl::StrCat("t ", threshold, " c ", containment));
    // What the index promises to equal: single linkage, keep first, the
    // same containment (whatever RunPipeline's defaults are).
    PipelineOptions batch_options;
    batch_options.threshold = threshold;
    batch_options.threads = 2;
    batch_options.cluster = {.linkage = Linkage::kSingle,
                             .keep = KeepPolicy::kFirst};
    batch_options.containment = containment;
    auto batch = RunPipeline(**corpus, batch_options);
    ASSERT_THAT(batch.status(), testing::IsOk());
    ASSERT_EQ(batch->stats.candidates.capped_buckets, 0u);
    std::map<std::pair<std::string, std::string>, double> batch_pairs;
    for (const ScoredPair& p : batch->pairs) {
      batch_pairs[{docs[p.a].id, docs[p.b].id}] = p.jaccard;
    }
    ASSERT_GT(batch_pairs.size(), 20u);

    fs::remove_all(dir_);
    IndexOptions options;
    options.threshold = threshold;
    options.containment = containment;
    ASSERT_THAT(Index::Create(dir_.string(), options), testing::IsOk());
    auto index = OpenOrDie();
    std::map<std::pair<std::string, std::string>, double> stream_pairs;
    for (const auto& d : docs) {
      auto decision =
          index->Add(d.id, d.text, {.max_matches = 1000000, .sync = false});
      ASSERT_THAT(decision.status(), testing::IsOk());
      for (const IndexMatch& m : decision->matches) {
        stream_pairs[{m.id, d.id}] = m.jaccard;
      }
    }
    ASSERT_EQ(stream_pairs.size(), batch_pairs.size());
    for (const auto& [pair, jaccard] : batch_pairs) {
      auto it = stream_pairs.find(pair);
      ASSERT_NE(it, stream_pairs.end()) << pair.first << " " << pair.second;
      EXPECT_NEAR(it->second, jaccard, 1e-4);
    }
    for (size_t i = 0; i < docs.size(); ++i) {
      EXPECT_EQ(*index->ClusterOf(docs[i].id),
                docs[batch->representative_of[i]].id);
    }
  }
}

// Once its log record is written, a document's fingerprint set (and
// containment sketch) is read from the log's mapped bytes, and the memory
// that held it is reused for later documents. Copies added after several
// such writes must still meet their originals with the exact scores, before
// and after a reopen.
TEST_F(IndexTest, SetsAreReadFromTheLogOnceWritten) {
  Rng rng(31);
  std::vector<std::string> originals;
  for (int i = 0; i < 2400; ++i) {
    originals.push_back(GenerateArticle(
        rng, i % 2 ? testing::Language::kArabic : testing::Language::kEnglish,
        14));
  }
  for (double containment : {0.0, 0.8}) {
    SCOPED_TRACE(absl::StrCat("containment ", containment));
    fs::remove_all(dir_);
    IndexOptions options;
    options.containment = containment;
    ASSERT_THAT(Index::Create(dir_.string(), options), testing::IsOk());
    auto index = OpenOrDie();
    for (size_t i = 0; i < originals.size(); ++i) {
      ASSERT_THAT(
          index->Add(absl::StrCat("o", i), originals[i], {.sync = false}),
          testing::IsOk());
    }
    // The log is written 8 MB at a time: the originals span several writes.
    ASSERT_GT(index->FileSizes().log_bytes, uint64_t{16} << 20);
    std::map<std::string, std::string> cluster_of;
    for (size_t i = 0; i < originals.size(); i += 17) {
      const std::string copy =
          i % 2 ? testing::EditToJaccard(originals[i], 0.9, 5, rng)
                : originals[i];
      PreparedText a, b;
      index->Prepare(originals[i], &a);
      index->Prepare(copy, &b);
      const double expected =
          CompareSortedSets(a.fingerprints, b.fingerprints).jaccard;
      auto decision = index->Add(absl::StrCat("c", i), copy, {.sync = false});
      ASSERT_THAT(decision.status(), testing::IsOk());
      ASSERT_FALSE(decision->matches.empty()) << i;
      EXPECT_EQ(decision->matches[0].id, absl::StrCat("o", i));
      EXPECT_NEAR(decision->matches[0].jaccard, expected, 1e-9) << i;
      cluster_of[absl::StrCat("c", i)] = decision->cluster;
    }
    EXPECT_THAT(index->Verify(), testing::IsOk());
    ASSERT_THAT(index->Sync(), testing::IsOk());
    index.reset();
    auto reopened = OpenOrDie();
    EXPECT_THAT(reopened->Verify(), testing::IsOk());
    for (const auto& [id, cluster] : cluster_of) {
      EXPECT_EQ(*reopened->ClusterOf(id), cluster) << id;
    }
    // A query reads the same sets from the replayed log.
    auto again = reopened->Query("q", originals[7], 1);
    ASSERT_THAT(again.status(), testing::IsOk());
    ASSERT_FALSE(again->matches.empty());
    EXPECT_EQ(again->matches[0].jaccard, 1.0);
  }
}

// A batch never compacts by itself (its sets are read back from the log),
// and a compaction between two batches changes no decision of the second.
TEST_F(IndexTest, CompactionBetweenBatchesKeepsTheDecisions) {
  std::vector<std::pair<std::string, std::string>> docs = GeneratedDocs(800, 5);
  ASSERT_GT(docs.size(), 2100u);  // Five blocks of 512 or more.
  const size_t half = docs.size() / 2;
  auto first =
      Corpus::FromDocuments(std::vector<std::pair<std::string, std::string>>(
          docs.begin(), docs.begin() + half));
  auto second =
      Corpus::FromDocuments(std::vector<std::pair<std::string, std::string>>(
          docs.begin() + half, docs.end()));
  ASSERT_THAT(first.status(), testing::IsOk());
  ASSERT_THAT(second.status(), testing::IsOk());
  std::string decisions[2];
  for (int compact : {0, 1}) {
    fs::remove_all(dir_);
    ASSERT_THAT(Index::Create(dir_.string(), {}), testing::IsOk());
    auto index = OpenOrDie();
    internal::BatchOptions batch;
    batch.threads = 2;
    internal::AddBatchResult added =
        internal::AddCorpus(*index, **first, batch);
    ASSERT_THAT(added.failure, testing::IsOk());
    EXPECT_EQ(index->FileSizes().snapshot_bytes, 0u);
    if (compact) {
      ASSERT_THAT(index->Compact(), testing::IsOk());
    }
    added = internal::AddCorpus(*index, **second, batch);
    ASSERT_THAT(added.failure, testing::IsOk());
    decisions[compact] = added.decisions;
    EXPECT_EQ(index->FileSizes().snapshot_bytes > 0, compact == 1);
    ASSERT_THAT(index->Sync(), testing::IsOk());
    index.reset();
    auto reopened = OpenOrDie();
    EXPECT_EQ(reopened->stats().documents, docs.size());
    EXPECT_THAT(reopened->Verify(), testing::IsOk());
  }
  EXPECT_THAT(decisions[0], HasSubstr("\"duplicate\""));
  EXPECT_EQ(decisions[0], decisions[1]);
}

// A batch's writer adds one block while helpers, and then the writer
// itself, prepare the next: whichever thread takes which chunk, and however
// many there are, the decisions are those of Add() one document at a time.
TEST_F(IndexTest, BatchDecisionsAreAddsWhateverTheThreadCount) {
  std::vector<std::pair<std::string, std::string>> docs = GeneratedDocs(500, 9);
  ASSERT_GT(docs.size(), 1100u);  // Three blocks of 512 or more.
  auto corpus = Corpus::FromDocuments(docs);
  ASSERT_THAT(corpus.status(), testing::IsOk());
  std::string one_by_one;
  {
    fs::remove_all(dir_);
    ASSERT_THAT(Index::Create(dir_.string(), {}), testing::IsOk());
    auto index = OpenOrDie();
    for (const auto& [id, text] : docs) {
      absl::StatusOr<Decision> d = index->Add(id, text, {.sync = false});
      ASSERT_THAT(d.status(), testing::IsOk());
      internal::AppendDecisionJson(*d, &one_by_one);
    }
  }
  size_t duplicates = 0;
  for (int threads : {1, 2, 3, 4}) {
    fs::remove_all(dir_);
    ASSERT_THAT(Index::Create(dir_.string(), {}), testing::IsOk());
    auto index = OpenOrDie();
    internal::BatchOptions batch;
    batch.threads = threads;
    internal::AddBatchResult added =
        internal::AddCorpus(*index, **corpus, batch);
    ASSERT_THAT(added.failure, testing::IsOk());
    EXPECT_EQ(added.added, docs.size());
    EXPECT_EQ(added.decisions, one_by_one) << threads << " threads";
    duplicates = added.duplicates;
  }
  EXPECT_GT(duplicates, 100u);  // The blocks had matches to find.
}

// Prepare and Prescreen a block in parallel, then AddPrepared in order: the
// decisions are Add()'s, with matches from before the block and within it,
// buckets that grow past the cap inside a block, a removal between the
// screening and the add (which voids the screening), and a text screened by
// another index.
TEST_F(IndexTest, PrescreenedBlocksDecideExactlyAsAdd) {
  std::vector<std::pair<std::string, std::string>> docs = GeneratedDocs(60, 21);
  // Identical texts fill every band's bucket past the cap of 3.
  const std::string same = Paragraphs(1, 33)[0];
  for (int i = 0; i < 7; ++i) {
    docs.insert(docs.begin() + 5 * i + 3, {absl::StrCat("same", i), same});
  }
  ASSERT_GT(docs.size(), 100u);
  const fs::path plain_dir = dir_.string() + "_plain";
  fs::remove_all(plain_dir);
  ASSERT_THAT(Index::Create(dir_.string(), {.threshold = 0.5}),
              testing::IsOk());
  ASSERT_THAT(Index::Create(plain_dir.string(), {.threshold = 0.5}),
              testing::IsOk());
  auto open_screened = Index::Open(dir_.string(), {.max_bucket = 3});
  auto open_plain = Index::Open(plain_dir.string(), {.max_bucket = 3});
  ASSERT_THAT(open_screened.status(), testing::IsOk());
  ASSERT_THAT(open_plain.status(), testing::IsOk());
  Index& screened = **open_screened;
  Index& plain = **open_plain;

  constexpr size_t kBlock = 16;
  const AddOptions add{.max_matches = 100, .sync = false};
  std::vector<std::string> got, want;
  for (size_t start = 0; start < docs.size(); start += kBlock) {
    const size_t count = std::min(kBlock, docs.size() - start);
    std::vector<PreparedText> prepared(count);
    std::vector<std::thread> threads;
    for (size_t t = 0; t < 2; ++t) {
      threads.emplace_back([&, t] {
        for (size_t j = t; j < count; j += 2) {
          // Block 2 is screened by the other index: it must not count.
          Index& by = start / kBlock == 2 ? plain : screened;
          by.Prepare(docs[start + j].second, &prepared[j]);
          by.Prescreen(&prepared[j]);
        }
      });
    }
    for (auto& th : threads) th.join();
    if (start / kBlock == 4) {
      // A removal after the screening: the adds must see it.
      for (Index* index : {&screened, &plain}) {
        ASSERT_THAT(index->Remove(docs[1].first), testing::IsOk());
        ASSERT_THAT(index->Remove("same0"), testing::IsOk());
      }
    }
    for (size_t j = 0; j < count; ++j) {
      const auto& [id, text] = docs[start + j];
      auto a = screened.AddPrepared(id, prepared[j], add);
      auto b = plain.Add(id, text, add);
      ASSERT_THAT(a.status(), testing::IsOk());
      ASSERT_THAT(b.status(), testing::IsOk());
      got.push_back(testing::DescribeDecision(*a));
      want.push_back(testing::DescribeDecision(*b));
    }
  }
  EXPECT_EQ(got, want);
  // The test meets what it is about: matches, merges and capped buckets.
  size_t with_matches = 0;
  for (const std::string& line : want) {
    with_matches += line.find("[]") == std::string::npos;
  }
  EXPECT_GT(with_matches, 20u);
  EXPECT_GT(plain.stats().capped_buckets, 0u);
  EXPECT_EQ(screened.stats().capped_buckets, plain.stats().capped_buckets);
  EXPECT_EQ(screened.stats().candidates_checked,
            plain.stats().candidates_checked);
  fs::remove_all(plain_dir);
}

TEST_F(IndexTest, RemoveThenReAdd) {
  ASSERT_THAT(Index::Create(dir_.string(), {}), testing::IsOk());
  std::vector<std::string> p = Paragraphs(2, 5);
  {
    auto index = OpenOrDie();
    ASSERT_THAT(index->Add("a", p[0], {}).status(), testing::IsOk());
    ASSERT_THAT(index->Add("b", p[0], {}).status(), testing::IsOk());
    ASSERT_THAT(index->Remove("a"), testing::IsOk());
    EXPECT_THAT(index->Remove("a"),
                testing::StatusIs(absl::StatusCode::kNotFound, ::testing::_));
    ASSERT_THAT(index->Sync(), testing::IsOk());
    EXPECT_FALSE(index->Contains("a"));
    // The story keeps its id while "b" is in it.
    EXPECT_EQ(*index->ClusterOf("b"), "a");
  }
  auto index = OpenOrDie();
  EXPECT_FALSE(index->Contains("a"));
  EXPECT_EQ(*index->ClusterOf("b"), "a");
  // Re-added with the same text: it joins its old story.
  auto same = index->Add("a", p[0], {});
  ASSERT_THAT(same.status(), testing::IsOk());
  EXPECT_EQ(same->status, DecisionStatus::kDuplicate);
  EXPECT_EQ(same->cluster, "a");
  // Removed again and re-added with another text: "a" still names b's
  // story, so the new cluster gets another name.
  ASSERT_THAT(index->Remove("a"), testing::IsOk());
  auto other = index->Add("a", p[1], {});
  ASSERT_THAT(other.status(), testing::IsOk());
  EXPECT_EQ(other->status, DecisionStatus::kNew);
  EXPECT_EQ(other->cluster, "a#2");
  EXPECT_EQ(*index->ClusterOf("b"), "a");
}

// With identical texts every band is one bucket. Past the cap a bucket
// offers only its oldest live member, wherever that member is stored.
TEST_F(IndexTest, OversizedBucketOffersOnlyItsOldestLiveMember) {
  // Band buckets alone: the sampled-shingle route of containment would find
  // every copy of the same text (ContainmentRecall.IndexLinksWhatClusterLinks
  // tests the routes together).
  ASSERT_THAT(Index::Create(dir_.string(), {.containment = 0}),
              testing::IsOk());
  const std::string text = Paragraphs(1, 9)[0];
  auto open = Index::Open(dir_.string(), {.max_bucket = 3});
  ASSERT_THAT(open.status(), testing::IsOk());
  std::unique_ptr<Index> index = std::move(*open);
  auto match_ids = [](const Decision& d) {
    std::vector<std::string> ids;
    for (const IndexMatch& m : d.matches) ids.push_back(m.id);
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  using ::testing::ElementsAre;
  for (int i = 0; i < 8; ++i) {
    auto d = index->Add(absl::StrCat("d", i), text, {.max_matches = 100});
    ASSERT_THAT(d.status(), testing::IsOk());
    EXPECT_EQ(d->cluster, "d0");
    if (i == 3) {
      EXPECT_THAT(match_ids(*d), ElementsAre("d0", "d1", "d2"));
    } else if (i == 4) {
      EXPECT_THAT(match_ids(*d), ElementsAre("d0"));  // 4 members > 3.
    }
  }
  EXPECT_GT(index->stats().capped_buckets, 0u);
  EXPECT_THAT(match_ids(*index->Query("q", text, 100)), ElementsAre("d0"));

  // Removing the oldest hands the part to the next oldest (the delta
  // chain's tail moves back).
  ASSERT_THAT(index->Remove("d0"), testing::IsOk());
  EXPECT_THAT(match_ids(*index->Query("q", text, 100)), ElementsAre("d1"));
  // Below the cap again, every member is a candidate.
  for (const char* id : {"d2", "d3", "d4", "d5"}) {
    ASSERT_THAT(index->Remove(id), testing::IsOk());
  }
  EXPECT_THAT(match_ids(*index->Query("q", text, 100)),
              ElementsAre("d1", "d6", "d7"));

  // The same answers from the snapshot, and from snapshot plus delta.
  for (int i = 8; i < 12; ++i) {
    ASSERT_THAT(index->Add(absl::StrCat("d", i), text, {}).status(),
                testing::IsOk());
  }
  const auto before = match_ids(*index->Query("q", text, 100));
  EXPECT_THAT(before, ElementsAre("d1"));
  ASSERT_THAT(index->Compact(), testing::IsOk());
  EXPECT_EQ(match_ids(*index->Query("q", text, 100)), before);
  ASSERT_THAT(index->Remove("d1"), testing::IsOk());
  EXPECT_THAT(match_ids(*index->Query("q", text, 100)), ElementsAre("d6"));
  ASSERT_THAT(index->Add("d12", text, {}).status(), testing::IsOk());
  EXPECT_THAT(match_ids(*index->Query("q", text, 100)), ElementsAre("d6"));
}

// Past 16,384 documents the chained band entries of bands with few rows
// are merged into sorted tables in memory (twice here). Buckets must keep their
// members: an oversized bucket still offers its oldest live member, removals
// still count, copies still meet their originals with the exact scores, and a
// reopened index (which merges as it replays) answers the same.
TEST_F(IndexTest, MergedBandTablesAnswerAsChainsDid) {
  // Bands of 3 rows (t = 0.5), where buckets grow large enough to merge.
  ASSERT_THAT(
      Index::Create(dir_.string(), {.threshold = 0.5, .containment = 0}),
      testing::IsOk());
  auto open = Index::Open(dir_.string(), {.max_bucket = 3});
  ASSERT_THAT(open.status(), testing::IsOk());
  std::unique_ptr<Index> index = std::move(*open);
  const std::string text = Paragraphs(1, 9)[0];
  auto match_ids = [](const Decision& d) {
    std::vector<std::string> ids;
    for (const IndexMatch& m : d.matches) ids.push_back(m.id);
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  for (int i = 0; i < 6; ++i) {
    ASSERT_THAT(index->Add(absl::StrCat("d", i), text, {.sync = false}),
                testing::IsOk());
  }
  Rng rng(41);
  std::vector<std::string> others;
  auto add_others = [&](size_t count) {
    for (size_t i = 0; i < count; ++i) {
      others.push_back(GenerateArticle(rng, testing::Language::kEnglish, 1));
      ASSERT_THAT(index->Add(absl::StrCat("u", others.size() - 1),
                             others.back(), {.sync = false}),
                  testing::IsOk());
    }
  };
  add_others(17000);  // One merge, at 16,384 documents.
  EXPECT_THAT(match_ids(*index->Query("q", text, 100)), ElementsAre("d0"));
  ASSERT_THAT(index->Remove("d0"), testing::IsOk());
  EXPECT_THAT(match_ids(*index->Query("q", text, 100)), ElementsAre("d1"));
  for (const char* id : {"d1", "d2", "d3", "d4"}) {
    ASSERT_THAT(index->Remove(id), testing::IsOk());
  }
  for (const char* id : {"d6", "d7"}) {
    ASSERT_THAT(index->Add(id, text, {.sync = false}), testing::IsOk());
  }
  // Below the cap: the merged member and the chained ones.
  EXPECT_THAT(match_ids(*index->Query("q", text, 100)),
              ElementsAre("d5", "d6", "d7"));
  add_others(16500);  // A second merge, into the first's tables.
  ASSERT_THAT(index->Add("d8", text, {.sync = false}), testing::IsOk());
  EXPECT_THAT(match_ids(*index->Query("q", text, 100)), ElementsAre("d5"));
  for (size_t i = 0; i < others.size(); i += 1999) {
    const std::string copy = testing::EditToJaccard(others[i], 0.9, 5, rng);
    PreparedText a, b;
    index->Prepare(others[i], &a);
    index->Prepare(copy, &b);
    auto decision = index->Query("copy", copy, 1);
    ASSERT_THAT(decision.status(), testing::IsOk());
    ASSERT_FALSE(decision->matches.empty()) << i;
    EXPECT_EQ(decision->matches[0].id, absl::StrCat("u", i));
    EXPECT_NEAR(decision->matches[0].jaccard,
                CompareSortedSets(a.fingerprints, b.fingerprints).jaccard,
                1e-9);
  }
  ASSERT_THAT(index->Sync(), testing::IsOk());
  index.reset();
  auto reopened = Index::Open(dir_.string(), {.max_bucket = 3});
  ASSERT_THAT(reopened.status(), testing::IsOk());
  EXPECT_THAT(match_ids(*(*reopened)->Query("q", text, 100)),
              ElementsAre("d5"));
  ASSERT_THAT((*reopened)->Remove("d5"), testing::IsOk());
  EXPECT_THAT(match_ids(*(*reopened)->Query("q", text, 100)),
              ElementsAre("d6", "d7", "d8"));
}

TEST_F(IndexTest, CompactKeepsEverythingAndShrinksLog) {
  ASSERT_THAT(Index::Create(dir_.string(), {}), testing::IsOk());
  testing::CorpusSpec spec;
  spec.stories = 20;
  std::vector<testing::GeneratedDoc> docs = testing::GenerateCorpus(spec);
  std::map<std::string, std::string> clusters;
  {
    auto index = OpenOrDie();
    for (const auto& d : docs) {
      ASSERT_THAT(index->Add(d.id, d.text, {.sync = false}).status(),
                  testing::IsOk());
    }
    ASSERT_THAT(index->Remove(docs[0].id), testing::IsOk());
    ASSERT_THAT(index->Compact(), testing::IsOk());
    EXPECT_EQ(index->stats().log_bytes, internal::kFileHeaderBytes);
    // Writes after compaction go to the new log.
    ASSERT_THAT(index->Add(docs[0].id, docs[0].text, {}).status(),
                testing::IsOk());
    for (const auto& d : docs) clusters[d.id] = *index->ClusterOf(d.id);
  }
  OpenReport report;
  auto index = OpenOrDie(&report);
  EXPECT_TRUE(report.warnings.empty());
  EXPECT_EQ(report.log_records_replayed, 1u);
  EXPECT_EQ(index->stats().documents, docs.size());
  for (const auto& d : docs) EXPECT_EQ(*index->ClusterOf(d.id), clusters[d.id]);
}

TEST_F(IndexTest, SecondWriterIsRefused) {
  ASSERT_THAT(Index::Create(dir_.string(), {}), testing::IsOk());
  auto first = OpenOrDie();
  auto second = Index::Open(dir_.string(), {});
  EXPECT_THAT(
      second.status(),
      testing::StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::_));
  EXPECT_THAT(std::string(second.status().message()), HasSubstr("locked"));
  auto reader = Index::Open(dir_.string(), {.read_only = true});
  EXPECT_THAT(reader.status(), testing::IsOk());
}

TEST_F(IndexTest, CreateRefusesNonEmptyDirectory) {
  fs::create_directories(dir_);
  WriteAll(dir_ / "notes.txt", "hello");
  EXPECT_THAT(
      Index::Create(dir_.string(), {}),
      testing::StatusIs(absl::StatusCode::kAlreadyExists, ::testing::_));
  auto open = Index::Open(dir_.string(), {});
  EXPECT_THAT(
      open.status(),
      testing::StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  EXPECT_THAT(std::string(open.status().message()),
              HasSubstr("not a neardup index"));
}

// Fills an index with a few documents, synced, and returns the ids.
std::vector<std::string> Fill(const fs::path& dir, int n) {
  std::vector<std::string> p = Paragraphs(n, 21);
  auto index = Index::Open(dir.string(), {});
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) {
    ids.push_back(absl::StrCat("doc", i));
    (void)(*index)->Add(ids.back(), p[i], {});
  }
  return ids;
}

TEST_F(IndexTest, TornLogTailIsTruncatedAndReported) {
  ASSERT_THAT(Index::Create(dir_.string(), {}), testing::IsOk());
  std::vector<std::string> ids = Fill(dir_, 3);
  const fs::path log = dir_ / internal::kLogFile;
  const std::string bytes = ReadAll(log);
  WriteAll(log, bytes.substr(0, bytes.size() - 5));
  OpenReport report;
  auto index = OpenOrDie(&report);
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_THAT(report.warnings[0], HasSubstr("torn tail"));
  EXPECT_TRUE(index->Contains("doc0"));
  EXPECT_TRUE(index->Contains("doc1"));
  EXPECT_FALSE(index->Contains("doc2"));
  // The tail is gone from disk; new writes follow the last good record.
  ASSERT_THAT(index->Add("doc2", "fresh text for doc2", {}).status(),
              testing::IsOk());
  index.reset();
  report = {};
  index = OpenOrDie(&report);
  EXPECT_TRUE(report.warnings.empty());
  EXPECT_EQ(index->stats().documents, 3u);
}

TEST_F(IndexTest, DamageBeforeTheTailIsRefused) {
  ASSERT_THAT(Index::Create(dir_.string(), {}), testing::IsOk());
  Fill(dir_, 3);
  const fs::path log = dir_ / internal::kLogFile;
  std::string bytes = ReadAll(log);
  bytes[internal::kFileHeaderBytes + 20] ^= 0x10;  // Inside the first record.
  WriteAll(log, bytes);
  auto open = Index::Open(dir_.string(), {});
  EXPECT_THAT(open.status(),
              testing::StatusIs(absl::StatusCode::kDataLoss, ::testing::_));
  EXPECT_THAT(std::string(open.status().message()),
              HasSubstr("more records follow"));
}

TEST_F(IndexTest, DamagedFilesAreRefusedCleanly) {
  ASSERT_THAT(Index::Create(dir_.string(), {}), testing::IsOk());
  Fill(dir_, 3);
  const std::vector<std::string> texts = Paragraphs(3, 21);  // Fill's.
  {
    auto index = OpenOrDie();
    ASSERT_THAT(index->Compact(), testing::IsOk());
  }
  for (const char* name :
       {internal::kMetaFile, internal::kSnapshotFile, internal::kLogFile}) {
    SCOPED_TRACE(name);
    const fs::path path = dir_ / name;
    const std::string good = ReadAll(path);
    // Empty, every truncation, and a bit flip in every byte: each open
    // either succeeds (a torn log tail) or fails with a message; none
    // crashes.
    std::vector<std::string> variants = {""};
    for (size_t n = 1; n < good.size();
         n += std::max<size_t>(1, good.size() / 97)) {
      variants.push_back(good.substr(0, n));
    }
    for (size_t i = 0; i < good.size();
         i += std::max<size_t>(1, good.size() / 211)) {
      std::string flipped = good;
      flipped[i] ^= static_cast<char>(1 << (i % 8));
      variants.push_back(flipped);
    }
    for (const std::string& v : variants) {
      WriteAll(path, v);
      auto open = Index::Open(dir_.string(), {.read_only = true});
      if (open.ok()) {
        // Documents never appear from nowhere.
        EXPECT_LE((*open)->stats().documents, 3u);
        if (std::string(name) == internal::kSnapshotFile) {
          // Open leaves a snapshot's signatures and fingerprint sets to be
          // checked when read: a query that meets the damaged one counts
          // it, and Verify() reports it.
          absl::Status verified = (*open)->Verify();
          EXPECT_THAT(verified, testing::StatusIs(absl::StatusCode::kDataLoss,
                                                  ::testing::_));
          EXPECT_EQ(verified.message().find('\n'), std::string::npos);
          for (const std::string& text : texts) {
            Decision q = *(*open)->Query("q", text, 10);
            EXPECT_NE(q.status, DecisionStatus::kExists);
          }
          EXPECT_GE((*open)->stats().damaged_reads, 1u);
        } else {
          // Otherwise only the log may lose its (torn) tail.
          EXPECT_EQ(std::string(name), internal::kLogFile);
        }
      } else {
        EXPECT_FALSE(open.status().message().empty());
        EXPECT_EQ(open.status().message().find('\n'), std::string::npos);
      }
    }
    WriteAll(path, good);
    ASSERT_THAT(Index::Open(dir_.string(), {.read_only = true}).status(),
                testing::IsOk());
  }
}

TEST_F(IndexTest, WrongMagicAndFutureVersionAreRefused) {
  ASSERT_THAT(Index::Create(dir_.string(), {}), testing::IsOk());
  const fs::path meta = dir_ / internal::kMetaFile;
  const std::string good = ReadAll(meta);
  WriteAll(meta, "PK\x03\x04 this is a zip file, not an index at all....");
  auto open = Index::Open(dir_.string(), {});
  EXPECT_THAT(
      open.status(),
      testing::StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  EXPECT_THAT(std::string(open.status().message()), HasSubstr("wrong magic"));

  std::string future;
  internal::AppendFileHeader(
      {internal::kMetaMagic, kBoilerplateIndexFormatVersion + 1, 0}, &future);
  future += good.substr(internal::kFileHeaderBytes);
  WriteAll(meta, future);
  open = Index::Open(dir_.string(), {});
  EXPECT_THAT(
      open.status(),
      testing::StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::_));
  EXPECT_THAT(
      std::string(open.status().message()),
      HasSubstr(absl::StrCat("version ", kBoilerplateIndexFormatVersion + 1)));
}

TEST_F(IndexTest, QueriesRunWhileOneThreadAdds) {
  ASSERT_THAT(Index::Create(dir_.string(), {}), testing::IsOk());
  auto index = OpenOrDie();
  testing::CorpusSpec spec;
  spec.stories = 40;
  std::vector<testing::GeneratedDoc> docs = testing::GenerateCorpus(spec);
  std::atomic<bool> done{false};
  std::atomic<int> queries{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&, t] {
      size_t i = t;
      while (!done.load()) {
        const auto& d = docs[i % docs.size()];
        Decision q = *index->Query("q", d.text, 5);
        // A query of an indexed text finds at least that text.
        if (index->Contains(d.id) && q.status != DecisionStatus::kDuplicate) {
          // The document may have been added after the query ran; only a
          // second query can tell.
          Decision again = *index->Query("q", d.text, 5);
          EXPECT_EQ(again.status, DecisionStatus::kDuplicate);
        }
        (void)index->stats();
        ++queries;
        i += 7;
      }
    });
  }
  for (size_t i = 0; i < docs.size(); ++i) {
    ASSERT_THAT(index->Add(docs[i].id, docs[i].text, {.sync = false}).status(),
                testing::IsOk());
    // Halfway, the index switches to a snapshot under the readers' feet.
    if (i == docs.size() / 2) {
      ASSERT_THAT(index->Compact(), testing::IsOk());
    }
  }
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_GT(queries.load(), 0);
  EXPECT_EQ(index->stats().documents, docs.size());
}

// Real news (../shared/data, skipped where absent): an index at its
// defaults, fed a month of news in order, links exactly the pairs `neardup
// cluster --threshold 0.8 --linkage single` links at the same containment,
// and forms its clusters; and so it does with boilerplate scoring
// (`--boilerplate-df 25 --min-weighted-jaccard 0.05`), with the same
// weighted scores.
class IndexSharedData
    : public ::testing::TestWithParam<std::tuple<const char*, bool>> {};

TEST_P(IndexSharedData, StreamEqualsClusterAtTheSameOptions) {
  const auto [file, boilerplate] = GetParam();
  const fs::path path = fs::path(NEARDUP_SOURCE_DIR) / "../shared/data" / file;
  if (!fs::exists(path)) {
    GTEST_SKIP() << "no " << path << " (../shared/data is optional)";
  }
  auto corpus = LoadCorpus({path.string()}, {});
  ASSERT_THAT(corpus.status(), testing::IsOk());
  IndexOptions defaults;
  ASSERT_GT(defaults.containment, 0);
  if (boilerplate) {
    defaults.boilerplate_df = 25;
    defaults.min_weighted_jaccard = 0.05;
  }
  PipelineOptions batch_options;
  batch_options.threshold = defaults.threshold;
  batch_options.containment = defaults.containment;
  batch_options.boilerplate_df = defaults.boilerplate_df;
  batch_options.min_weighted_jaccard = defaults.min_weighted_jaccard;
  batch_options.cluster = {.linkage = Linkage::kSingle,
                           .keep = KeepPolicy::kFirst};
  auto batch = RunPipeline(**corpus, batch_options);
  ASSERT_THAT(batch.status(), testing::IsOk());
  std::set<std::pair<std::string, std::string>> batch_pairs;
  // (Jaccard, weighted Jaccard) of each batch pair, with boilerplate.
  std::map<std::pair<std::string, std::string>, std::pair<double, double>>
      batch_weighted;
  for (size_t i = 0; i < batch->pairs.size(); ++i) {
    const ScoredPair& p = batch->pairs[i];
    batch_pairs.emplace((*corpus)->Id(p.a), (*corpus)->Id(p.b));
    if (boilerplate) {
      batch_weighted[{std::string((*corpus)->Id(p.a)),
                      std::string((*corpus)->Id(p.b))}] =
          std::make_pair(p.jaccard, batch->weighted_jaccard[i]);
    }
  }

  const fs::path dir =
      fs::temp_directory_path() / absl::StrCat("neardup_shared_", getpid());
  fs::remove_all(dir);
  ASSERT_THAT(Index::Create(dir.string(), defaults), testing::IsOk());
  auto index = Index::Open(dir.string(), {});
  ASSERT_THAT(index.status(), testing::IsOk());
  internal::BatchOptions add_options;
  add_options.max_matches = 1000000;
  internal::AddBatchResult added =
      internal::AddCorpus(**index, **corpus, add_options);
  ASSERT_THAT(added.failure, testing::IsOk());
  const auto index_pairs = testing::DecisionPairs(added.decisions);
  const std::set<std::pair<std::string, std::string>> stream_pairs(
      index_pairs.begin(), index_pairs.end());
  EXPECT_GT(batch->stats.containment_pairs, 100u);
  EXPECT_EQ(stream_pairs.size(), batch_pairs.size());
  std::vector<std::string> only_batch, only_stream;
  for (const auto& [a, b] : batch_pairs) {
    if (!stream_pairs.contains({a, b})) only_batch.push_back(a + "/" + b);
  }
  for (const auto& [a, b] : stream_pairs) {
    if (!batch_pairs.contains({a, b})) only_stream.push_back(a + "/" + b);
  }
  EXPECT_THAT(only_batch, ::testing::IsEmpty());
  EXPECT_THAT(only_stream, ::testing::IsEmpty());
  if (boilerplate) {
    // The weighted scores agree to within the fingerprints' rounding, and
    // boilerplate lowered some.
    size_t scored = 0, far = 0, lowered = 0;
    for (const auto& m : testing::DecisionWeightedPairs(added.decisions)) {
      auto it = batch_weighted.find({m.older, m.newer});
      if (it == batch_weighted.end()) continue;
      ++scored;
      far += std::abs(it->second.second - m.weighted) > 1e-4;
      lowered += m.weighted < it->second.first - 0.01;
    }
    EXPECT_EQ(scored, batch_pairs.size());
    EXPECT_EQ(far, 0u);
    EXPECT_GT(lowered, 0u);
  }
  size_t differ = 0;
  for (size_t i = 0; i < (*corpus)->size(); ++i) {
    differ += *(*index)->ClusterOf((*corpus)->Id(i)) !=
              (*corpus)->Id(batch->representative_of[i]);
  }
  EXPECT_EQ(differ, 0u);
  index->reset();
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(
    News, IndexSharedData,
    ::testing::Combine(::testing::Values("saudinewsnet-dev.jsonl.zst",
                                         "reuters21578.jsonl.zst"),
                       ::testing::Bool()),
    [](const auto& test_info) {
      return absl::StrCat(
          std::string(std::get<0>(test_info.param)).substr(0, 7),
          std::get<1>(test_info.param) ? "Boilerplate" : "");
    });

// tests/data/index-v1 to index-v4 hold the same documents, written from
// the texts below by WriteFixture() with format versions 1, 2, 3
// (containment) and 4 (containment and boilerplate scoring); every later
// version must load them all with the same answers.
const char* const kFixtureTexts[][2] = {
    {"story-1",
     "The central bank raised interest rates by a quarter point on "
     "Tuesday, citing persistent inflation in services and housing."},
    {"story-1-copy",
     "The central bank raised interest rates by a quarter point on Tuesday, "
     "citing persistent inflation in services and housing!"},
    {"story-2",
     "رفع البنك المركزي أسعار الفائدة ربع نقطة يوم الثلاثاء بسبب "
     "استمرار التضخم في الخدمات والإسكان."},
    {"story-2-copy",
     "رفع البنك المركزي أسعار الفائدة ربع نقطة يوم الثلاثاء "
     "بسبب استمرار التضخم في الخدمات والاسكان"},
    {"removed", "A document that was added and then removed again."},
    {"story-3",
     "Heavy rain is expected across the north of the country over "
     "the weekend, with flooding possible in low-lying areas."},
};

fs::path FixtureDir(absl::string_view name) {
  return fs::path(NEARDUP_SOURCE_DIR) / "tests" / "data" / std::string(name);
}

// Six documents, one removed, compacted, then one more add, so that the
// fixture has a snapshot and a log.
void WriteFixture(const fs::path& fixture, double containment,
                  uint32_t boilerplate_df = 0) {
  fs::remove_all(fixture);
  IndexOptions options;
  options.threshold = 0.7;
  options.containment = containment;
  options.boilerplate_df = boilerplate_df;
  ASSERT_THAT(Index::Create(fixture.string(), options), testing::IsOk());
  auto index = Index::Open(fixture.string(), {});
  ASSERT_THAT(index.status(), testing::IsOk());
  for (const auto& [id, text] : kFixtureTexts) {
    ASSERT_THAT((*index)->Add(id, text, {}).status(), testing::IsOk());
  }
  ASSERT_THAT((*index)->Remove("removed"), testing::IsOk());
  ASSERT_THAT((*index)->Compact(), testing::IsOk());
  ASSERT_THAT((*index)
                  ->Add("story-3-copy",
                        "Heavy rain is expected across the north of the "
                        "country over the weekend, with flooding "
                        "possible in low lying areas.",
                        {})
                  .status(),
              testing::IsOk());
  index->reset();
  fs::remove(fixture / internal::kLockFile);
}

// The header version of the fixture's snapshot.
uint32_t SnapshotVersion(const fs::path& fixture) {
  const std::string bytes = ReadAll(fixture / internal::kSnapshotFile);
  internal::FileHeader header;
  internal::HeaderCheck check =
      internal::ParseFileHeader(bytes, internal::kSnapshotMagic, 1000, &header);
  return check == internal::HeaderCheck::kOk ? header.version : 0;
}

void ExpectFixtureAnswers(const fs::path& fixture, double containment = 0,
                          uint32_t boilerplate_df = 0) {
  OpenReport report;
  auto index = Index::Open(fixture.string(), {.read_only = true}, &report);
  ASSERT_THAT(index.status(), testing::IsOk());
  EXPECT_TRUE(report.warnings.empty());
  EXPECT_EQ(report.snapshot_documents, 5u);
  EXPECT_EQ(report.log_records_replayed, 1u);
  EXPECT_EQ((*index)->options().threshold, 0.7);
  EXPECT_EQ((*index)->options().containment, containment);
  EXPECT_EQ((*index)->options().boilerplate_df, boilerplate_df);
  EXPECT_EQ((*index)->stats().documents, 6u);
  EXPECT_FALSE((*index)->Contains("removed"));
  EXPECT_EQ(*(*index)->ClusterOf("story-1-copy"), "story-1");
  EXPECT_EQ(*(*index)->ClusterOf("story-2-copy"), "story-2");
  EXPECT_EQ(*(*index)->ClusterOf("story-3-copy"), "story-3");
  EXPECT_EQ(*(*index)->ClusterOf("story-2"), "story-2");
  Decision q = *(*index)->Query("q", kFixtureTexts[0][1], 10);
  EXPECT_EQ(q.cluster, "story-1");
  ASSERT_EQ(q.matches.size(), 2u);
  EXPECT_EQ(q.matches[0].id, "story-1");
  EXPECT_EQ(q.matches[0].jaccard, 1.0);
  // With boilerplate scoring (D = 2), the shingles story-1, its copy and
  // the query (story-1's text) share are held by three: boilerplate. What
  // is left of the query and story-1 is common to both, and nothing the
  // query and the copy share is left.
  if (boilerplate_df > 0) {
    EXPECT_EQ(q.matches[0].weighted_jaccard, 1.0);
    EXPECT_EQ(q.matches[1].id, "story-1-copy");
    EXPECT_EQ(q.matches[1].weighted_jaccard, 0.0);
  } else {
    EXPECT_EQ(q.matches[0].weighted_jaccard, -1);
  }
  EXPECT_THAT((*index)->Verify(), testing::IsOk());
}

// Written by format version 1 (WriteFixture at commit b3f4c04). This library
// writes version-2 snapshots, so it cannot rewrite it; never regenerate it.
TEST(IndexFixture, VersionOneIndexLoads) {
  const fs::path fixture = FixtureDir("index-v1");
  EXPECT_EQ(SnapshotVersion(fixture), 1u);
  ExpectFixtureAnswers(fixture);
}

// NEARDUP_WRITE_INDEX_FIXTURE=2 rewrites it; do not, unless the format
// version changes (then add a fixture for the new version and keep this
// one).
TEST(IndexFixture, VersionTwoIndexLoads) {
  const fs::path fixture = FixtureDir("index-v2");
  const char* write = std::getenv("NEARDUP_WRITE_INDEX_FIXTURE");
  if (write != nullptr && std::string(write) == "2") WriteFixture(fixture, 0);
  EXPECT_EQ(SnapshotVersion(fixture), 2u);
  ExpectFixtureAnswers(fixture);
}

// An index with containment: every file is version 3.
// NEARDUP_WRITE_INDEX_FIXTURE=3 rewrites it; do not, unless the format
// version changes (then add a fixture for the new version and keep this
// one).
TEST(IndexFixture, VersionThreeIndexLoads) {
  const fs::path fixture = FixtureDir("index-v3");
  const char* write = std::getenv("NEARDUP_WRITE_INDEX_FIXTURE");
  if (write != nullptr && std::string(write) == "3") {
    WriteFixture(fixture, 0.8);
  }
  EXPECT_EQ(SnapshotVersion(fixture), 3u);
  for (const char* file : {internal::kMetaFile, internal::kLogFile}) {
    EXPECT_EQ(ReadAll(fixture / file).substr(8, 4),
              std::string("\x03\0\0\0", 4))
        << file;
  }
  ExpectFixtureAnswers(fixture, 0.8);
}

// An index with containment and boilerplate scoring: meta is version 4, the
// log and snapshot version 3. NEARDUP_WRITE_INDEX_FIXTURE=4 rewrites it; do
// not, unless the format version changes (then add a fixture for the new
// version and keep this one).
TEST(IndexFixture, VersionFourIndexLoads) {
  const fs::path fixture = FixtureDir("index-v4");
  const char* write = std::getenv("NEARDUP_WRITE_INDEX_FIXTURE");
  if (write != nullptr && std::string(write) == "4") {
    WriteFixture(fixture, 0.8, /*boilerplate_df=*/2);
  }
  EXPECT_EQ(SnapshotVersion(fixture), 3u);
  EXPECT_EQ(ReadAll(fixture / internal::kMetaFile).substr(8, 4),
            std::string("\x04\0\0\0", 4));
  EXPECT_EQ(ReadAll(fixture / internal::kLogFile).substr(8, 4),
            std::string("\x03\0\0\0", 4));
  ExpectFixtureAnswers(fixture, 0.8, 2);
}

}  // namespace
}  // namespace neardup
