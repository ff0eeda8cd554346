// Snapshot format version 2 (src/internal/snapshot.h): the sorted tables
// used in place, answers that do not depend on whether documents come from
// a snapshot or the log, damage found when a document is read, and the
// upgrade of a version-1 index by Compact().
#include "src/internal/snapshot.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "neardup/index.h"
#include "src/internal/index_format.h"
#include "tests/support/cli_harness.h"
#include "tests/support/describe_decision.h"
#include "tests/support/generator.h"
#include "tests/support/snapshot_layout.h"
#include "tests/support/status_matchers.h"

namespace neardup {
namespace {

namespace fs = std::filesystem;
using ::neardup::testing::ReadAll;
using ::neardup::testing::WriteAll;
using ::testing::HasSubstr;

TEST(VarintCount, CountsEncodedSetsAndRejectsAnyFlippedContinuationBit) {
  testing::Rng rng(17);
  for (size_t n = 0; n < 40; ++n) {
    std::vector<uint64_t> values;
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) {
      v += 1 + rng.Uniform(uint64_t{1} << (i % 5 == 0 ? 24 : 10));
      values.push_back(v);
    }
    std::string bytes;
    internal::EncodeFingerprints(values, &bytes);
    EXPECT_TRUE(internal::HasVarintCount(bytes, n)) << n;
    EXPECT_FALSE(internal::HasVarintCount(bytes, n + 1)) << n;
    if (n > 0) {
      EXPECT_FALSE(internal::HasVarintCount(bytes, n - 1)) << n;
    }
    // Flipping a continuation bit anywhere changes the count, or leaves the
    // last byte unfinished; either way the check fails.
    for (size_t at = 0; at < bytes.size(); ++at) {
      std::string damaged = bytes;
      damaged[at] ^= static_cast<char>(0x80);
      EXPECT_FALSE(internal::HasVarintCount(damaged, n)) << n << " " << at;
    }
  }
}

// The encoder writes each gap in one store; its bytes must be those of the
// plain varint loop, which is what the format documents and older files hold.
TEST(EncodeFingerprints, WritesPlainVarintGapsAndDecodesBack) {
  testing::Rng rng(23);
  const uint64_t edges[] = {1,          0x7f,       0x80,     0x3fff,
                            0x4000,     0x1fffff,   0x200000, 0xfffffff,
                            0x10000000, 0xffffffffu};
  for (int round = 0; round < 200; ++round) {
    std::vector<uint64_t> values;
    uint64_t v = round % 2;  // A set may start at 0.
    while (values.size() < 300) {
      const uint64_t gap =
          rng.Bernoulli(0.3) ? edges[rng.Uniform(std::size(edges))]
                             : 1 + rng.Uniform(uint64_t{1} << rng.Uniform(33));
      if (v + gap > 0xffffffffu) break;
      values.push_back(v);
      v += gap;
    }
    std::string expected = "prefix";
    uint64_t previous = 0;
    for (uint64_t value : values) {
      uint64_t g = value - previous;
      previous = value;
      for (; g >= 0x80; g >>= 7) {
        expected.push_back(static_cast<char>((g & 0x7f) | 0x80));
      }
      expected.push_back(static_cast<char>(g));
    }
    std::string bytes = "prefix";
    internal::EncodeFingerprints(values, &bytes);
    ASSERT_EQ(bytes, expected) << round;
    std::vector<uint64_t> decoded;
    ASSERT_TRUE(internal::DecodeFingerprints(absl::string_view(bytes).substr(6),
                                             values.size(), &decoded));
    EXPECT_EQ(decoded, values) << round;
  }
}

TEST(KeyTable, FindsEveryEntryOfAKeyAndNothingElse) {
  testing::Rng rng(5);
  std::vector<std::pair<uint64_t, uint32_t>> entries;
  for (uint32_t i = 0; i < 5000; ++i) {
    // A few repeated keys, as in a bucket shared by near-duplicates.
    const uint64_t key = rng.Bernoulli(0.1) && !entries.empty()
                             ? entries[rng.Uniform(entries.size())].first
                             : rng.Next();
    entries.emplace_back(key, i);
  }
  std::sort(entries.begin(), entries.end());
  std::vector<uint64_t> keys;
  std::vector<uint32_t> values;
  for (const auto& [k, v] : entries) {
    keys.push_back(k);
    values.push_back(v);
  }
  internal::KeyTable table;
  ASSERT_TRUE(table.Init(keys.data(), values.data(), keys.size(), 5000));
  std::multimap<uint64_t, uint32_t> expected(entries.begin(), entries.end());
  for (size_t i = 0; i < keys.size(); i += 7) {
    std::vector<uint32_t> found;
    table.ForEach(keys[i], [&](uint32_t v) { found.push_back(v); });
    std::vector<uint32_t> want;
    auto [lo, hi] = expected.equal_range(keys[i]);
    for (auto it = lo; it != hi; ++it) want.push_back(it->second);
    EXPECT_EQ(found, want);
  }
  int absent = 0;
  for (int i = 0; i < 1000; ++i) {
    table.ForEach(rng.Next(), [&](uint32_t) { ++absent; });
  }
  EXPECT_EQ(absent, 0);
  // The extremes of the key range land in the first and last buckets.
  for (uint64_t key : {uint64_t{0}, ~uint64_t{0}}) {
    table.ForEach(key, [&](uint32_t) { ++absent; });
  }
  EXPECT_EQ(absent, 0);
}

TEST(KeyTable, RefusesUnsortedTablesAndValuesOutOfRange) {
  const uint64_t keys[] = {1, 5, 3, 9};
  const uint32_t values[] = {0, 1, 2, 3};
  internal::KeyTable table;
  EXPECT_FALSE(table.Init(keys, values, 4, 10));
  const uint64_t sorted[] = {1, 3, 5, 9};
  EXPECT_TRUE(table.Init(sorted, values, 4, 10));
  EXPECT_FALSE(table.Init(sorted, values, 4, 3));
  const uint64_t repeated[] = {1, 1, 5, 9};
  const uint32_t same[] = {2, 2, 0, 1};
  EXPECT_FALSE(table.Init(repeated, same, 4, 10));
  EXPECT_TRUE(table.Init(nullptr, nullptr, 0, 0));
  int found = 0;
  table.ForEach(1, [&](uint32_t) { ++found; });
  EXPECT_EQ(found, 0);
}

class SnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = fs::temp_directory_path() /
            absl::StrCat("neardup_snapshot_", info->name(), "_", getpid());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  std::unique_ptr<Index> Open(const fs::path& dir) {
    auto index = Index::Open(dir.string(), {});
    EXPECT_THAT(index.status(), testing::IsOk());
    return index.ok() ? std::move(*index) : nullptr;
  }

  fs::path root_;
};

// One step of a scripted run: add (text index) or remove an id.
struct Step {
  bool remove = false;
  std::string id;
  int text = 0;
  std::string literal;  // Used instead of docs[text] when not empty.
};

// Adds, removals of founders and re-adds of their ids (named `id#2`),
// duplicates and merges, at a threshold low enough to bridge clusters.
std::vector<Step> Script(const std::vector<testing::GeneratedDoc>& docs) {
  std::vector<Step> steps;
  // A founder removed while its copy keeps the story, then its id re-added
  // with an unrelated text: the new story is "founder#2".
  testing::Rng rng(17);
  const std::string unrelated =
      testing::GenerateArticle(rng, testing::Language::kArabic, 4);
  steps.push_back({false, "founder", 0, docs[0].text + " founder"});
  steps.push_back({false, "founder-copy", 0, docs[0].text + " founder"});
  for (size_t i = 0; i < docs.size(); ++i) {
    if (i == docs.size() / 3) steps.push_back({true, "founder", 0, ""});
    if (i == docs.size() * 2 / 3) {
      steps.push_back({false, "founder", 0, unrelated});
    }
    steps.push_back({false, docs[i].id, static_cast<int>(i), ""});
    if (i % 17 == 5) steps.push_back({true, docs[i - 3].id, 0, ""});
    if (i % 17 == 11) {
      // A removed id comes back with another text.
      steps.push_back(
          {false, docs[i - 9].id, static_cast<int>((i * 7) % docs.size()), ""});
    }
  }
  return steps;
}

// Runs `steps` on a fresh index in `dir`, compacting (and reopening, if
// `reopen`) after each step listed in `compact_after`; returns every
// decision and, at the end, each id's cluster and the index's stats.
std::vector<std::string> RunScript(
    const fs::path& dir, const std::vector<testing::GeneratedDoc>& docs,
    const std::vector<Step>& steps, const std::vector<size_t>& compact_after,
    bool reopen = true) {
  std::vector<std::string> out;
  IndexOptions options;
  options.threshold = 0.5;
  EXPECT_THAT(Index::Create(dir.string(), options), testing::IsOk());
  auto index = Index::Open(dir.string(), {});
  EXPECT_THAT(index.status(), testing::IsOk());
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& step = steps[i];
    if (step.remove) {
      const absl::Status removed = (*index)->Remove(step.id);
      out.push_back(absl::StrCat("remove ", step.id, " ", removed.ToString()));
    } else {
      auto d = (*index)->Add(
          step.id, step.literal.empty() ? docs[step.text].text : step.literal,
          {.max_matches = 100, .sync = false});
      out.push_back(d.ok() ? testing::DescribeDecision(*d)
                           : d.status().ToString());
    }
    if (std::find(compact_after.begin(), compact_after.end(), i) !=
        compact_after.end()) {
      EXPECT_THAT((*index)->Compact(), testing::IsOk());
      if (reopen) {
        index->reset();
        index = Index::Open(dir.string(), {});
        EXPECT_THAT(index.status(), testing::IsOk());
      }
    }
  }
  for (const auto& d : docs) {
    auto cluster = (*index)->ClusterOf(d.id);
    out.push_back(
        absl::StrCat(d.id, " in ", cluster.ok() ? *cluster : "(not indexed)"));
    out.push_back(
        testing::DescribeDecision(*(*index)->Query("probe", d.text, 100)));
  }
  const IndexStats s = (*index)->stats();
  out.push_back(absl::StrCat("stats ", s.documents, " ", s.clusters, " ",
                             s.clusters_of_two_or_more));
  return out;
}

TEST_F(SnapshotTest, AnswersDoNotDependOnWhereDocumentsAreStored) {
  testing::CorpusSpec spec;
  spec.stories = 25;
  spec.seed = 3;
  const std::vector<testing::GeneratedDoc> docs = testing::GenerateCorpus(spec);
  const std::vector<Step> steps = Script(docs);
  ASSERT_GT(steps.size(), 60u);
  // Never compacted (the log only) against compacted several times, so that
  // documents sit in one snapshot, in the log after it, or removed from a
  // snapshot by the log, and band tables are merged across compactions.
  const std::vector<std::string> log_only =
      RunScript(root_ / "a", docs, steps, {});
  const std::vector<std::string> compacted =
      RunScript(root_ / "b", docs, steps,
                {steps.size() / 4, steps.size() / 2, steps.size() - 1});
  // Compacting without reopening switches the open index to the new
  // snapshot.
  const std::vector<std::string> compacted_in_place =
      RunScript(root_ / "c", docs, steps,
                {steps.size() / 4, steps.size() / 2, steps.size() - 1},
                /*reopen=*/false);
  ASSERT_EQ(log_only.size(), compacted.size());
  ASSERT_EQ(log_only.size(), compacted_in_place.size());
  for (size_t i = 0; i < log_only.size(); ++i) {
    EXPECT_EQ(log_only[i], compacted[i]) << "line " << i;
    EXPECT_EQ(log_only[i], compacted_in_place[i]) << "line " << i;
  }
  // The script exercises what it is meant to.
  int merges = 0, renamed = 0, duplicates = 0;
  for (const std::string& line : log_only) {
    merges += line.find("merged ") != std::string::npos;
    renamed += line.find("#2") != std::string::npos;
    duplicates += line.find(" duplicate ") != std::string::npos;
  }
  EXPECT_GT(duplicates, 10);
  EXPECT_GT(renamed, 0);
  EXPECT_GT(merges, 0);
}

TEST_F(SnapshotTest, CompactWritesVersionTwoAndReopenUsesIt) {
  const fs::path dir = root_ / "idx";
  ASSERT_THAT(Index::Create(dir.string(), {.containment = 0}), testing::IsOk());
  testing::CorpusSpec spec;
  spec.stories = 10;
  const std::vector<testing::GeneratedDoc> docs = testing::GenerateCorpus(spec);
  {
    auto index = Open(dir);
    EXPECT_EQ(index->stats().format_version, 1u);
    for (const auto& d : docs) {
      ASSERT_THAT(index->Add(d.id, d.text, {.sync = false}).status(),
                  testing::IsOk());
    }
    ASSERT_THAT(index->Compact(), testing::IsOk());
    EXPECT_EQ(index->stats().format_version, 2u);
  }
  const std::string bytes = ReadAll(dir / internal::kSnapshotFile);
  internal::FileHeader header;
  ASSERT_EQ(
      internal::ParseFileHeader(bytes, internal::kSnapshotMagic, 2, &header),
      internal::HeaderCheck::kOk);
  EXPECT_EQ(header.version, 2u);
  EXPECT_EQ(header.generation, 1u);
  // Meta and log keep version 1: older libraries read them unchanged.
  EXPECT_EQ(ReadAll(dir / internal::kLogFile).substr(8, 4),
            std::string("\x01\0\0\0", 4));
  OpenReport report;
  auto index = Index::Open(dir.string(), {.read_only = true}, &report);
  ASSERT_THAT(index.status(), testing::IsOk());
  EXPECT_EQ(report.snapshot_documents, docs.size());
  EXPECT_EQ(report.log_records_replayed, 0u);
  EXPECT_EQ((*index)->stats().format_version, 2u);
  EXPECT_EQ((*index)->stats().snapshot_bytes, bytes.size());
  EXPECT_THAT((*index)->Verify(), testing::IsOk());
  for (const auto& d : docs) EXPECT_TRUE((*index)->Contains(d.id));
  EXPECT_FALSE((*index)->Contains("nope"));
}

TEST_F(SnapshotTest, DamagedFingerprintsAreReportedWhenRead) {
  const fs::path dir = root_ / "idx";
  ASSERT_THAT(Index::Create(dir.string(), {}), testing::IsOk());
  std::vector<std::string> texts;
  testing::Rng rng(8);
  for (int i = 0; i < 3; ++i) {
    texts.push_back(
        testing::GenerateArticle(rng, testing::Language::kEnglish, 3));
  }
  {
    auto index = Open(dir);
    for (int i = 0; i < 3; ++i) {
      ASSERT_THAT(index->Add(absl::StrCat("d", i), texts[i], {}).status(),
                  testing::IsOk());
    }
    ASSERT_THAT(index->Compact(), testing::IsOk());
  }
  const fs::path path = dir / internal::kSnapshotFile;
  std::string bytes = ReadAll(path);
  // The fingerprint section is the last; flip a bit in its first set (d0).
  const auto [offset, size] =
      testing::SnapshotSection(bytes, testing::SnapshotSectionCount(bytes) - 1);
  ASSERT_GT(size, 100u);
  bytes[offset + 10] ^= 0x04;
  WriteAll(path, bytes);

  auto index = Open(dir);  // Open does not read the sets.
  ASSERT_NE(index, nullptr);
  Decision q = *index->Query("q", texts[0], 10);
  EXPECT_EQ(q.status, DecisionStatus::kNew);    // d0 matches nothing...
  EXPECT_EQ(index->stats().damaged_reads, 1u);  // ...and is counted.
  q = *index->Query("q", texts[1], 10);         // The others are intact.
  EXPECT_EQ(q.status, DecisionStatus::kDuplicate);
  EXPECT_EQ(index->stats().damaged_reads, 1u);
  EXPECT_THAT(index->Add("d0", texts[0], {}).status(),
              testing::StatusIs(absl::StatusCode::kDataLoss, HasSubstr("d0")));
  EXPECT_THAT(index->Add("d9", texts[0], {}).status(),
              testing::StatusIs(absl::StatusCode::kDataLoss, HasSubstr("d0")));
  EXPECT_THAT(index->Add("d1", texts[1], {}).status(), testing::IsOk());
  EXPECT_THAT(index->Compact(),
              testing::StatusIs(absl::StatusCode::kDataLoss, HasSubstr("d0")));
  EXPECT_THAT(index->Verify(),
              testing::StatusIs(absl::StatusCode::kDataLoss, ::testing::_));
  // The failed compaction left the damaged snapshot in place, not a
  // "repaired" one.
  EXPECT_EQ(ReadAll(path), bytes);
}

TEST_F(SnapshotTest, NewerSnapshotVersionIsRefused) {
  const fs::path dir = root_ / "idx";
  ASSERT_THAT(Index::Create(dir.string(), {}), testing::IsOk());
  {
    auto index = Open(dir);
    ASSERT_THAT(index->Add("a", "some text to index here", {}).status(),
                testing::IsOk());
    ASSERT_THAT(index->Compact(), testing::IsOk());
  }
  const fs::path path = dir / internal::kSnapshotFile;
  const std::string good = ReadAll(path);
  std::string future;
  internal::AppendFileHeader({internal::kSnapshotMagic, 4, 1}, &future);
  WriteAll(path, future + good.substr(internal::kFileHeaderBytes));
  auto open = Index::Open(dir.string(), {.read_only = true});
  EXPECT_THAT(open.status(),
              testing::StatusIs(absl::StatusCode::kFailedPrecondition,
                                HasSubstr("version 4")));
  EXPECT_THAT(std::string(open.status().message()),
              HasSubstr("up to version 3"));
}

TEST_F(SnapshotTest, VersionOneIndexIsUpgradedByCompact) {
  const fs::path fixture =
      fs::path(NEARDUP_SOURCE_DIR) / "tests" / "data" / "index-v1";
  const fs::path dir = root_ / "idx";
  fs::copy(fixture, dir);
  const std::string v1_snapshot = ReadAll(dir / internal::kSnapshotFile);
  ASSERT_EQ(v1_snapshot.substr(8, 4), std::string("\x01\0\0\0", 4));
  std::map<std::string, std::string> clusters;
  const char* const ids[] = {"story-1",      "story-1-copy", "story-2",
                             "story-2-copy", "story-3",      "story-3-copy"};
  {
    auto index = Open(dir);
    EXPECT_EQ(index->stats().format_version, 1u);
    for (const char* id : ids) clusters[id] = *index->ClusterOf(id);
    ASSERT_THAT(index->Compact(), testing::IsOk());
    EXPECT_EQ(index->stats().format_version, 2u);
  }
  EXPECT_EQ(ReadAll(dir / internal::kSnapshotFile).substr(8, 4),
            std::string("\x02\0\0\0", 4));
  auto index = Index::Open(dir.string(), {.read_only = true});
  ASSERT_THAT(index.status(), testing::IsOk());
  EXPECT_EQ((*index)->stats().documents, 6u);
  EXPECT_FALSE((*index)->Contains("removed"));
  for (const char* id : ids) EXPECT_EQ(*(*index)->ClusterOf(id), clusters[id]);
  EXPECT_THAT((*index)->Verify(), testing::IsOk());
}

}  // namespace
}  // namespace neardup
