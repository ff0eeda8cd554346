// The pieces the command line and the Python module share: settings as
// users spell them, result records, and the index batch rules.
#include "src/internal/engine_settings.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "neardup/corpus.h"
#include "src/internal/index_batch.h"
#include "src/internal/result_json.h"
#include "tests/support/status_matchers.h"

namespace neardup::internal {
namespace {

using ::neardup::testing::IsOk;
using ::neardup::testing::StatusIs;
using ::testing::HasSubstr;

TEST(EngineSettings, DefaultsAreTheOptionStructs) {
  const PipelineOptions pipeline;
  absl::StatusOr<PipelineOptions> made =
      MakePipelineOptions(EngineSettings(), 0);
  ASSERT_THAT(made, IsOk());
  EXPECT_EQ(made->threshold, pipeline.threshold);
  EXPECT_EQ(made->containment, pipeline.containment);
  EXPECT_EQ(made->ngram, pipeline.ngram);
  EXPECT_EQ(made->num_perm, pipeline.num_perm);
  EXPECT_EQ(made->normalize, pipeline.normalize);
  EXPECT_EQ(made->cluster.linkage, pipeline.cluster.linkage);
  EXPECT_EQ(made->cluster.keep, pipeline.cluster.keep);
  EXPECT_EQ(made->seed, pipeline.seed);

  absl::StatusOr<PassageOptions> passages =
      MakePassageOptions(EngineSettings::ForPassages(), kDefaultPassageMinChars,
                         kDefaultPassageMaxChars, 0);
  ASSERT_THAT(passages, IsOk());
  EXPECT_EQ(passages->threshold, PassageOptions().threshold);

  absl::StatusOr<IndexOptions> index =
      MakeIndexOptions(EngineSettings::ForIndex());
  ASSERT_THAT(index, IsOk());
  EXPECT_EQ(index->threshold, IndexOptions().threshold);
  EXPECT_EQ(index->num_perm, IndexOptions().num_perm);
}

TEST(EngineSettings, RefusesWithTheFlagsName) {
  EngineSettings settings;
  settings.linkage = "double";
  EXPECT_THAT(
      MakePipelineOptions(settings, 0),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("double")));
  settings = EngineSettings();
  settings.threshold = 0;
  EXPECT_THAT(
      MakePipelineOptions(settings, 0),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--threshold")));
  EXPECT_THAT(MakePipelineOptions(EngineSettings(), kMaxThreads + 1),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--threads must be between 0 (all cores) "
                                 "and 4096, got 4097")));
  EXPECT_THAT(MakePipelineOptions(EngineSettings(), kMaxThreads), IsOk());
  EXPECT_THAT(MakePassageOptions(EngineSettings::ForPassages(), 600, 500, 0),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--min-chars 600 is above --max-chars 500")));
  settings = EngineSettings::ForIndex();
  settings.algorithm = "fast";
  EXPECT_THAT(MakeIndexOptions(settings),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("fast")));
}

TEST(ParseSeed, TakesDecimalDigitsUpTo64Bits) {
  EXPECT_EQ(*ParseSeed("0"), 0u);
  EXPECT_EQ(*ParseSeed("18446744073709551615"), UINT64_MAX);
  for (const char* bad :
       {"", "-1", "+1", "1.5", "0x10", " 1", "18446744073709551616"}) {
    EXPECT_THAT(ParseSeed(bad),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("is not a seed: use a whole number from 0 "
                                   "to 18446744073709551615")))
        << bad;
  }
}

TEST(CompactionDue, WhenTheLogOutgrowsBothLimits) {
  IndexStats stats;
  stats.log_bytes = 70'000'000;
  stats.snapshot_bytes = 10'000'000;
  EXPECT_TRUE(CompactionDue(stats, kDefaultCompactAtMb));
  EXPECT_FALSE(CompactionDue(stats, 0));
  EXPECT_FALSE(CompactionDue(stats, 100));
  stats.snapshot_bytes = 80'000'000;
  EXPECT_FALSE(CompactionDue(stats, kDefaultCompactAtMb));
}

TEST(ResultJson, RecordsAsTheCommandLineWritesThem) {
  auto corpus = Corpus::FromDocuments({{"a\"1", "x"}, {"b", "y"}});
  ASSERT_THAT(corpus, IsOk());
  std::string out;
  AppendPairJson(**corpus, {.a = 0, .b = 1, .jaccard = 0.5, .containment = 1},
                 PairLink::kJaccard, &out);
  AppendPairJson(**corpus,
                 {.a = 0, .b = 1, .jaccard = 1.0 / 3, .containment = 0.8},
                 PairLink::kContainment, &out);
  EXPECT_EQ(out,
            "{\"a\":\"a\\\"1\",\"b\":\"b\",\"jaccard\":0.5,\"containment\":1}\n"
            "{\"a\":\"a\\\"1\",\"b\":\"b\",\"jaccard\":0.333333,"
            "\"containment\":0.8,\"link\":\"containment\"}\n");
  out.clear();
  ClusterResult cluster;
  cluster.representative = 1;
  cluster.members = {{.document = 1, .jaccard = 1, .containment = 1},
                     {.document = 0, .jaccard = 0.75, .containment = 0.9}};
  AppendClusterJson(**corpus, cluster, &out);
  EXPECT_EQ(out,
            "{\"cluster\":\"b\",\"size\":2,\"members\":[{\"id\":\"b\","
            "\"jaccard\":1,\"containment\":1},{\"id\":\"a\\\"1\","
            "\"jaccard\":0.75,\"containment\":0.9}]}\n");
  out.clear();
  RepeatedPassage repeat;
  repeat.passage = {.document = 1, .span = {.begin = 3, .end = 9}};
  repeat.original = {.document = 0, .span = {.begin = 0, .end = 6}};
  repeat.jaccard = 0.9;
  AppendRepeatJson(**corpus, repeat, &out);
  EXPECT_EQ(out,
            "{\"id\":\"b\",\"start\":3,\"end\":9,\"original\":{\"id\":"
            "\"a\\\"1\",\"start\":0,\"end\":6},\"jaccard\":0.9,"
            "\"internal\":false}\n");
}

}  // namespace
}  // namespace neardup::internal
