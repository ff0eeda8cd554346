// End-to-end tests of `neardup index
// create|add|query|remove|stats|verify|compact`.
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "src/internal/index_format.h"
#include "tests/support/cli_harness.h"
#include "tests/support/snapshot_layout.h"

namespace neardup::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kRecords[] =
    "{\"id\":\"a\",\"text\":\"The central bank raised interest rates by a "
    "quarter point on Tuesday, citing persistent inflation.\"}\n"
    "{\"id\":\"b\",\"text\":\"The central bank raised interest rates by a "
    "quarter point on Tuesday, citing persistent inflation!\"}\n"
    "{\"id\":\"c\",\"text\":\"Heavy rain is expected across the north of "
    "the country over the weekend.\"}\n";

class IndexCli : public CliFixture {};

TEST_F(IndexCli, CreateAddQueryStats) {
  RunResult r = Run("index create idx --threshold 0.7");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("containment 0.80"));
  EXPECT_THAT(r.err, HasSubstr("format version 3"));
  WriteAll(dir_ / "in.jsonl", kRecords);
  r = Run("index add idx in.jsonl -q");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_THAT(lines[0], StartsWith("{\"id\":\"a\",\"status\":\"new\","
                                   "\"cluster\":\"a\""));
  EXPECT_THAT(lines[1], StartsWith("{\"id\":\"b\",\"status\":\"duplicate\","
                                   "\"cluster\":\"a\",\"matches\":[{\"id\":"
                                   "\"a\""));
  EXPECT_THAT(lines[2], StartsWith("{\"id\":\"c\",\"status\":\"new\""));

  WriteAll(dir_ / "probe.jsonl",
           "{\"id\":\"p\",\"text\":\"The central bank raised interest rates "
           "by a quarter point on Tuesday, citing persistent inflation.\"}\n");
  r = Run("index query idx probe.jsonl -q");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("{\"id\":\"p\",\"status\":\"duplicate\","
                                "\"cluster\":\"a\""));

  r = Run("index stats idx");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"documents\":3"));
  EXPECT_THAT(r.out, HasSubstr("\"clusters\":2"));
  EXPECT_THAT(r.out, HasSubstr("\"threshold\":0.7"));
  EXPECT_THAT(r.out, HasSubstr("\"containment\":0.8"));
  EXPECT_THAT(r.out, HasSubstr("\"format_version\":3"));

  // Without containment the files stay at version 1.
  r = Run("index create plain --containment 0");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("containment off"));
  EXPECT_THAT(r.err, HasSubstr("format version 1"));
  r = Run("index stats plain");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"containment\":0,"));
  EXPECT_THAT(r.out, HasSubstr("\"format_version\":1"));
}

// Boilerplate scoring: `index add` and `stream` print each match's weighted
// Jaccard, equal to what `cluster --pairs` prints for the pair; the flags
// are checked before anything is created.
TEST_F(IndexCli, BoilerplateScoresAsClusterDoes) {
  // Four notices sharing one formula, and a story.
  std::string records;
  const std::string formula =
      "The ministry of health announced today the following figures for the "
      "day, and asked citizens to follow the guidance of the authorities. ";
  const char* const items[] = {"Rain in the north.", "Sun in the south.",
                               "Wind on the coast.", "Snow in the hills."};
  for (int i = 0; i < 4; ++i) {
    absl::StrAppend(&records, "{\"id\":\"n", i, "\",\"text\":\"", formula,
                    items[i], "\"}\n");
  }
  WriteAll(dir_ / "in.jsonl", records);
  RunResult r =
      Run("index create idx --threshold 0.5 --boilerplate-df 2 "
          "--min-weighted-jaccard 0");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("boilerplate df > 2"));
  EXPECT_THAT(r.err, HasSubstr("format version 4"));
  r = Run("index add idx in.jsonl -q --max-matches 10");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> decisions = Lines(r.out);
  ASSERT_EQ(decisions.size(), 4u);
  EXPECT_THAT(decisions[1], HasSubstr("\"weighted_jaccard\":"));
  r =
      Run("cluster in.jsonl --threshold 0.5 --linkage single "
          "--boilerplate-df 2 --pairs pairs.jsonl -q --clusters /dev/null");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Each pair's weighted score, as cluster prints it, is in the decision of
  // its later document.
  const std::vector<std::string> pairs = Lines(ReadAll(dir_ / "pairs.jsonl"));
  ASSERT_EQ(pairs.size(), 6u);
  for (const std::string& pair : pairs) {
    const size_t at = pair.find("\"weighted_jaccard\":");
    ASSERT_NE(at, std::string::npos) << pair;
    const std::string weighted =
        pair.substr(at, pair.find_first_of(",}", at) - at);
    const int later = pair[pair.find("\"b\":\"n") + 6] - '0';
    EXPECT_THAT(decisions[later], HasSubstr(weighted)) << pair;
  }
  WriteAll(dir_ / "probe.jsonl",
           absl::StrCat("{\"id\":\"p\",\"text\":\"", formula,
                        "Fog in the valleys.\"}\n"));
  r = Run("stream idx --no-insert", (dir_ / "probe.jsonl").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"weighted_jaccard\":"));
  r = Run("index stats idx");
  EXPECT_THAT(r.out, HasSubstr("\"boilerplate_df\":2"));
  EXPECT_THAT(r.out, HasSubstr("\"format_version\":4"));

  r = Run("index create other --min-weighted-jaccard 0.2");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err,
              HasSubstr("--min-weighted-jaccard needs --boilerplate-df"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "other"));
  r = Run("index create other --boilerplate-df 3 --min-weighted-jaccard 2");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--min-weighted-jaccard"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "other"));
}

TEST_F(IndexCli, RemoveChecksEveryIdFirstThenCompactKeepsTheRest) {
  ASSERT_EQ(Run("index create idx -q").exit_code, 0);
  WriteAll(dir_ / "in.jsonl", kRecords);
  ASSERT_EQ(Run("index add idx in.jsonl -q").exit_code, 0);
  WriteAll(dir_ / "ids.txt", "a\nnope\n");
  RunResult r = Run("index remove idx --ids ids.txt");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("ids.txt:2: id \"nope\" is not in the index"));
  EXPECT_THAT(Run("index stats idx").out, HasSubstr("\"documents\":3"));
  r = Run("index remove idx --ids no-such-list.txt");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("no-such-list.txt: cannot open the list of "
                               "ids: No such file"));
  // An id listed twice is removed once, and counted once.
  WriteAll(dir_ / "ids.txt", "a\na\n");
  r = Run("index remove idx --ids ids.txt");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("1 id removed; index holds 2 documents"));
  ASSERT_EQ(Run("index compact idx -q").exit_code, 0);
  r = Run("index stats idx");
  EXPECT_THAT(r.out, HasSubstr("\"documents\":2"));
  EXPECT_THAT(r.out, HasSubstr("\"log_bytes\":32"));
}

TEST_F(IndexCli, RefusesBadDirectoriesAndBadInput) {
  ASSERT_EQ(Run("index create idx -q").exit_code, 0);
  RunResult r = Run("index create idx");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("already holds an index"));
  std::filesystem::create_directories(dir_ / "plain");
  WriteAll(dir_ / "plain" / "x.txt", "hello");
  r = Run("index stats plain");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("not a neardup index"));
  EXPECT_EQ(Lines(r.err).size(), 1u);
  r = Run("index stats plain/x.txt");  // A file, such as an input, by mistake.
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("x.txt: is a file, not an index directory"));
  r = Run("index stats nowhere");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("nowhere: no such index directory"));
  WriteAll(dir_ / "bad.jsonl", "{\"id\":\"a\",\"text\":\"x\"}\nnot json\n");
  r = Run("index add idx bad.jsonl");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("bad.jsonl:2:"));
  EXPECT_THAT(Run("index stats idx").out, HasSubstr("\"documents\":0"));
}

TEST_F(IndexCli, SameIdWithOtherTextFailsOrIsSkipped) {
  ASSERT_EQ(Run("index create idx -q").exit_code, 0);
  WriteAll(dir_ / "in.jsonl", kRecords);
  ASSERT_EQ(Run("index add idx in.jsonl -q").exit_code, 0);
  WriteAll(dir_ / "more.jsonl",
           "{\"id\":\"d\",\"text\":\"something new entirely\"}\n"
           "{\"id\":\"a\",\"text\":\"a different text under an old id\"}\n");
  RunResult r = Run("index add idx more.jsonl -q");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("more.jsonl:2: id \"a\" is already"));
  // What came before the failure was added and reported.
  EXPECT_EQ(Lines(r.out).size(), 1u);
  r = Run("index add idx more.jsonl --on-error skip -q");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"status\":\"exists\""));
}

// `index query` and `stream --no-insert` predict what an add would do.
TEST_F(IndexCli, QueryAnswersIndexedIdsAsAddWould) {
  ASSERT_EQ(Run("index create idx -q").exit_code, 0);
  WriteAll(dir_ / "in.jsonl", kRecords);
  ASSERT_EQ(Run("index add idx in.jsonl -q").exit_code, 0);
  RunResult r = Run("index query idx in.jsonl -q");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const std::string& line : Lines(r.out)) {
    EXPECT_THAT(line, HasSubstr("\"status\":\"exists\"")) << line;
  }
  r = Run("stream idx --no-insert -q", (dir_ / "in.jsonl").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Lines(r.out).size(), 3u);
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("duplicate")));

  WriteAll(dir_ / "other.jsonl",
           "{\"id\":\"a\",\"text\":\"a different text under an old id\"}\n");
  r = Run("index query idx other.jsonl");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("other.jsonl:1: id \"a\" is already"));
  r = Run("index query idx other.jsonl --on-error skip");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("skipped other.jsonl:1"));
  EXPECT_EQ(r.out, "");
  r = Run("stream idx --no-insert", (dir_ / "other.jsonl").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("stdin:1: id \"a\" is already"));
}

TEST_F(IndexCli, VerifyFindsDamageThatQueriesOnlyWarnAbout) {
  ASSERT_EQ(Run("index create idx -q").exit_code, 0);
  WriteAll(dir_ / "in.jsonl", kRecords);
  ASSERT_EQ(Run("index add idx in.jsonl -q").exit_code, 0);
  ASSERT_EQ(Run("index compact idx -q").exit_code, 0);
  RunResult r = Run("index verify idx");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("3 documents; every stored byte matches"));
  EXPECT_EQ(Run("index verify idx -q").err, "");

  // Damage the fingerprints of "a", which Open does not read.
  const std::filesystem::path snapshot = dir_ / "idx" / internal::kSnapshotFile;
  std::string bytes = ReadAll(snapshot);
  const auto [offset, size] =
      SnapshotSection(bytes, SnapshotSectionCount(bytes) - 1);
  ASSERT_GT(size, 20u);
  bytes[offset + 10] ^= 0x04;
  WriteAll(snapshot, bytes);

  r = Run("index stats idx");  // Opens as before.
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Run("index verify idx");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("checksum mismatch"));
  EXPECT_EQ(Lines(r.err).size(), 1u) << r.err;

  // A query still answers (b is intact and matches), and says, even under
  // -q, that part of the index could not be read.
  WriteAll(dir_ / "probe.jsonl",
           "{\"id\":\"p\",\"text\":\"The central bank raised interest rates "
           "by a quarter point on Tuesday, citing persistent inflation.\"}\n");
  r = Run("index query idx probe.jsonl -q");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"cluster\":\"a\""));
  EXPECT_THAT(r.err, HasSubstr("damaged data in 1 read of stored documents"));
  EXPECT_THAT(r.err, HasSubstr("neardup index verify"));
  r = Run("stream idx --no-insert -q", (dir_ / "probe.jsonl").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("damaged data in 1 read"));

  // The intact documents alone warn about nothing.
  WriteAll(dir_ / "rain.jsonl",
           "{\"id\":\"q\",\"text\":\"Heavy rain is expected across the north "
           "of the country over the weekend.\"}\n");
  r = Run("index query idx rain.jsonl -q");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
}

}  // namespace
}  // namespace neardup::testing
