// End-to-end tests of the neardup command: outputs, exit statuses and the
// message for each kind of bad input, run as a user would run it.

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "neardup/pipeline.h"
#include "simdjson.h"
#include "tests/support/cli_harness.h"

namespace neardup {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

using ::neardup::testing::Lines;
using ::neardup::testing::ReadAll;
using ::neardup::testing::RunResult;
using ::neardup::testing::WriteAll;

class CliTest : public ::neardup::testing::CliFixture {
 protected:
  fs::path Sample() const {
    return fs::path(NEARDUP_SOURCE_DIR) / "tests/data/sample-news.jsonl";
  }
};

constexpr char kStory[] =
    "The central bank raised its main interest rate by a quarter point on "
    "Tuesday, citing persistent inflation in services.";

std::string Record(const std::string& id, const std::string& text,
                   const std::string& extra = "") {
  return absl::StrCat("{\"id\": \"", id, "\", \"text\": \"", text, "\"", extra,
                      "}\n");
}

TEST_F(CliTest, ClustersTheSampleCorpus) {
  RunResult r = Run(absl::StrCat("cluster '", Sample().string(), "'"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_GE(lines.size(), 3u);
  simdjson::dom::parser parser;
  for (const std::string& line : lines) {
    simdjson::dom::element e;
    ASSERT_EQ(parser.parse(line).get(e), simdjson::SUCCESS) << line;
    int64_t size = e["size"].get_int64();
    simdjson::dom::array members = e["members"].get_array();
    EXPECT_EQ(static_cast<int64_t>(members.size()), size);
    EXPECT_GE(size, 2);
    std::string_view cluster = e["cluster"].get_string();
    std::string_view first = members.at(0)["id"].get_string();
    EXPECT_EQ(cluster, first) << "cluster id is its representative's id";
    // Centre linkage by default: every member is itself a copy of the
    // representative, by Jaccard or by containment.
    const PipelineOptions defaults;
    ASSERT_EQ(defaults.cluster.linkage, Linkage::kCenter);
    for (simdjson::dom::element m : members) {
      const double jaccard = m["jaccard"].get_double().value();
      const double containment = m["containment"].get_double().value();
      EXPECT_TRUE(
          jaccard >= defaults.threshold ||
          (defaults.containment > 0 && containment >= defaults.containment))
          << m;
    }
  }
  EXPECT_THAT(r.err, HasSubstr("documents"));
  EXPECT_THAT(r.err, HasSubstr("clusters"));
}

// With containment on, bands are chosen for Jaccard 0.5 whatever higher
// threshold is asked for (BandJaccard), and the summary says why; without
// it, for the threshold; given bands are used as given.
TEST_F(CliTest, ContainmentKeepsTheBandsOfJaccardOneHalf) {
  const std::string input = Sample().string();
  RunResult r = Run(absl::StrCat("cluster '", input, "' --threshold 0.8"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("35 bands x 3 rows: P(candidate | J = 0.50)"));
  EXPECT_THAT(r.err, HasSubstr("(bands for containment; see --containment)"));
  r = Run(
      absl::StrCat("cluster '", input, "' --threshold 0.8 --containment 0"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("16 bands x 6 rows: P(candidate | J = 0.80)"));
  EXPECT_THAT(r.err, Not(HasSubstr("bands for containment")));
  r = Run(absl::StrCat("cluster '", input,
                       "' --threshold 0.8 --bands 16 --rows 6"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("16 bands x 6 rows"));
  EXPECT_THAT(r.err, Not(HasSubstr("bands for containment")));
  PipelineOptions options;
  options.threshold = 0.9;
  EXPECT_EQ(BandJaccard(options), kContainmentBandJaccard);
  options.containment = 0;
  EXPECT_EQ(BandJaccard(options), 0.9);
  options.threshold = 0.3;
  options.containment = 0.8;
  EXPECT_EQ(BandJaccard(options), 0.3);
}

TEST_F(CliTest, OutputIsIdenticalForAnyThreadCount) {
  std::string args = absl::StrCat("cluster '", Sample().string(),
                                  "' --threshold 0.5 --quiet --pairs p.jsonl");
  RunResult one = Run(args + " --threads 1");
  std::string pairs_one = ReadAll(dir_ / "p.jsonl");
  RunResult two = Run(args + " --threads 2");
  std::string pairs_two = ReadAll(dir_ / "p.jsonl");
  RunResult four = Run(args + " --threads 4");
  ASSERT_EQ(one.exit_code, 0);
  EXPECT_FALSE(pairs_one.empty());
  EXPECT_EQ(one.out, two.out);
  EXPECT_EQ(one.out, four.out);
  EXPECT_EQ(pairs_one, pairs_two);
  EXPECT_EQ(one.err, "");  // --quiet
}

TEST_F(CliTest, PairsAndDedupOutputs) {
  std::string input = Record("a", kStory, ", \"source\": \"x\"") +
                      Record("b",
                             "Completely different words here about "
                             "the weather and the rain today.") +
                      Record("c", kStory, ", \"source\": \"y\", \"n\": [1, 2]");
  WriteAll(dir_ / "in.jsonl", input);
  RunResult r =
      Run("cluster in.jsonl --pairs pairs.jsonl --dedup dedup.jsonl "
          "--clusters clusters.jsonl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(ReadAll(dir_ / "pairs.jsonl"),
            "{\"a\":\"a\",\"b\":\"c\",\"jaccard\":1,\"containment\":1}\n");
  EXPECT_EQ(ReadAll(dir_ / "clusters.jsonl"),
            "{\"cluster\":\"a\",\"size\":2,\"members\":[{\"id\":\"a\","
            "\"jaccard\":1,\"containment\":1},{\"id\":\"c\",\"jaccard\":1,"
            "\"containment\":1}]}\n");
  // Records pass through byte for byte, minus the duplicate.
  std::vector<std::string> in_lines = Lines(input);
  EXPECT_EQ(ReadAll(dir_ / "dedup.jsonl"),
            in_lines[0] + "\n" + in_lines[1] + "\n");
}

TEST_F(CliTest, KeepLongestChoosesTheLongerCopy) {
  std::string longer = absl::StrCat(kStory, " Markets rose.");
  WriteAll(dir_ / "in.jsonl", Record("short", kStory) + Record("long", longer));
  RunResult r = Run("cluster in.jsonl --keep longest --threshold 0.7 --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("{\"cluster\":\"long\""));
}

TEST_F(CliTest, ReadsStdinAndDirectories) {
  WriteAll(dir_ / "in.jsonl", Record("a", kStory) + Record("b", kStory));
  RunResult r = Run("cluster - --quiet", (dir_ / "in.jsonl").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"cluster\":\"a\""));
  r = Run("cluster - - --quiet", (dir_ / "in.jsonl").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("named more than once"));

  fs::create_directories(dir_ / "docs/sub");
  WriteAll(dir_ / "docs/one.txt", kStory);
  WriteAll(dir_ / "docs/sub/two.txt", kStory);
  WriteAll(dir_ / "docs/ignored.md", kStory);
  r = Run("cluster docs --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"cluster\":\"one.txt\""));
  EXPECT_THAT(r.out, HasSubstr("\"id\":\"sub/two.txt\""));
  EXPECT_THAT(r.out, Not(HasSubstr("ignored")));
}

// Every bad input: exit status 2, a one-line message that names the place,
// and no output file left behind.
TEST_F(CliTest, MalformedJsonLineNamesFileAndLine) {
  WriteAll(dir_ / "bad.jsonl", Record("a", kStory) + "{\"id\": \"b\", \n");
  RunResult r = Run("cluster bad.jsonl --pairs pairs.jsonl --dedup d.jsonl");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("bad.jsonl:2"));
  EXPECT_THAT(r.err, HasSubstr("--on-error skip"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(Files(), ::testing::ElementsAre("bad.jsonl"));
}

TEST_F(CliTest, MissingFieldsAndDuplicateIds) {
  WriteAll(dir_ / "notext.jsonl", Record("a", kStory) + "{\"id\": \"b\"}\n");
  RunResult r = Run("cluster notext.jsonl");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("notext.jsonl:2"));
  EXPECT_THAT(r.err, HasSubstr("--text-field"));

  WriteAll(dir_ / "noid.jsonl", "{\"text\": \"x\"}\n");
  r = Run("cluster noid.jsonl");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("noid.jsonl:1"));
  EXPECT_THAT(r.err, HasSubstr("--id-field"));

  WriteAll(dir_ / "dup.jsonl", Record("a", kStory) + Record("a", "other"));
  r = Run("cluster dup.jsonl");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("dup.jsonl:2"));
  EXPECT_THAT(r.err, HasSubstr("duplicate id"));
}

TEST_F(CliTest, OnErrorSkipContinuesAndCounts) {
  WriteAll(dir_ / "mixed.jsonl", Record("a", kStory) + "not json\n" +
                                     Record("b", kStory) + "{\"id\": \"c\"}\n" +
                                     Record("a", kStory));
  RunResult r = Run("cluster mixed.jsonl --on-error skip --dedup d.jsonl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("3 bad records skipped"));
  EXPECT_THAT(r.err, HasSubstr("mixed.jsonl:2"));
  EXPECT_THAT(r.out, HasSubstr("\"cluster\":\"a\""));
  EXPECT_EQ(Lines(ReadAll(dir_ / "d.jsonl")).size(), 1u);
}

TEST_F(CliTest, UnreadableInputs) {
  RunResult r = Run("cluster missing.jsonl");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("missing.jsonl"));

  WriteAll(dir_ / "broken.jsonl.zst",
           std::string("\x28\xb5\x2f\xfd garbage", 12));
  r = Run("cluster broken.jsonl.zst");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("broken.jsonl.zst"));
}

TEST_F(CliTest, InvalidOptions) {
  WriteAll(dir_ / "in.jsonl", Record("a", kStory));
  struct BadFlag {
    const char* args;
    const char* message;
  };
  for (BadFlag bad : {BadFlag{"--threshold 2", "--threshold"},
                      BadFlag{"--threshold 0", "--threshold"},
                      BadFlag{"--normalize nfc", "--normalize"},
                      BadFlag{"--algorithm simhash", "--algorithm"},
                      BadFlag{"--bands 4", "--bands and --rows"},
                      BadFlag{"--bands 20 --rows 7", "bands * rows"},
                      BadFlag{"--ngram 0", "--ngram"},
                      BadFlag{"--no-such-flag", "no-such-flag"},
                      BadFlag{"--pairs in.jsonl", "also an input"},
                      BadFlag{"--pairs x.jsonl --dedup x.jsonl", "twice"},
                      // Not there yet, spelt two ways: still one file.
                      BadFlag{"--pairs y.jsonl --dedup ./y.jsonl", "twice"},
                      BadFlag{"--pairs ./in.jsonl", "also an input"},
                      BadFlag{"--bands 0 --rows 4", "0 is out of range: use 1"},
                      BadFlag{"--threads -1", "-1 is out of range: use 0"},
                      BadFlag{"--threads abc", "'abc' is not a whole number"},
                      BadFlag{"--seed -1", "is not a seed"},
                      BadFlag{"--seed 99999999999999999999", "is not a seed"},
                      BadFlag{"--pairs -", "both write to standard output"},
                      BadFlag{"--pairs no/such/dir/p.jsonl", "no/such/dir"},
                      BadFlag{"--min-weighted-jaccard 0.5",
                              "--min-weighted-jaccard needs --boilerplate-df"},
                      BadFlag{"--boilerplate-df 3 --min-weighted-jaccard 2",
                              "--min-weighted-jaccard must be between 0 and 1"},
                      BadFlag{"--boilerplate-whole-corpus",
                              "--boilerplate-whole-corpus needs "
                              "--boilerplate-df"}}) {
    RunResult r = Run(absl::StrCat("cluster in.jsonl ", bad.args));
    EXPECT_EQ(r.exit_code, 2) << bad.args << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr(bad.message)) << bad.args;
    EXPECT_EQ(r.out, "") << bad.args;
  }
  EXPECT_THAT(Files(), ::testing::ElementsAre("in.jsonl"));
  EXPECT_EQ(Run("cluster").exit_code, 2);
  EXPECT_EQ(Run("").exit_code, 2);
}

// A mistyped word is named, with the commands that exist there, and the
// usage hint points at the deepest command recognised.
TEST_F(CliTest, UnknownCommandWordsAreNamed) {
  struct BadLine {
    const char* args;
    const char* message;
  };
  for (BadLine bad : {BadLine{"clusters x",
                              "'clusters' is not a command of neardup; the "
                              "commands are cluster, "},
                      BadLine{"index craete x",
                              "'craete' is not a command of neardup "
                              "index; the commands are create, add"},
                      BadLine{"--versio", "unknown option '--versio'"},
                      BadLine{"index add", "Run 'neardup index add --help'"}}) {
    RunResult r = Run(bad.args);
    EXPECT_EQ(r.exit_code, 2) << bad.args;
    EXPECT_THAT(r.err, HasSubstr(bad.message)) << bad.args << ": " << r.err;
    EXPECT_EQ(r.out, "") << bad.args;
  }
  // A sub-command's help ends with its own examples, not the top level's.
  RunResult r = Run("index add --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, Not(HasSubstr("neardup cluster news.jsonl.zst")));
}

TEST_F(CliTest, HelpTeaches) {
  RunResult r = Run("cluster --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("--threshold"));
  EXPECT_THAT(r.out, HasSubstr("Examples:"));
  EXPECT_THAT(r.out, HasSubstr("Exit status"));
}

TEST_F(CliTest, EmptyInputGivesEmptyOutput) {
  WriteAll(dir_ / "empty.jsonl", "");
  RunResult r = Run("cluster empty.jsonl --pairs p.jsonl");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(fs::exists(dir_ / "p.jsonl"));
  EXPECT_THAT(r.err, HasSubstr("0 documents"));
}

}  // namespace
}  // namespace neardup
