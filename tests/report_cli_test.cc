// `neardup report` end to end: the outputs, and the bad inputs of issue 13
// (clusters file from another corpus, no date field, mixed date formats, a
// 5 MB article, an empty corpus), each a clear message or a marked gap.
#include <filesystem>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "simdjson.h"
#include "tests/support/cli_harness.h"

namespace neardup::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kSample =
    std::string(NEARDUP_SOURCE_DIR) + "/tests/data/sample-news.jsonl";

// A paragraph of about 150 bytes that differs with `n`.
std::string Paragraph(int n) {
  return absl::StrCat("Paragraph ", n, " of the story tells how the council ",
                      "of district ", n * 7, " voted on the budget for the ",
                      "harbour, the schools and the roads, after a debate of ",
                      n + 3, " hours.");
}

std::string Line(const std::string& id, const std::string& fields,
                 const std::string& text) {
  return absl::StrCat("{\"id\":\"", id, "\",", fields, "\"text\":\"", text,
                      "\"}\n");
}

class ReportCli : public CliFixture {};

TEST_F(ReportCli, WritesThePageAndTheFigures) {
  RunResult r = Run(absl::StrCat("report '", kSample,
                                 "' --html report.html --json report.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("43 documents from 14 outlets; 6 stories"));
  const std::string page = ReadAll(dir_ / "report.html");
  EXPECT_TRUE(absl::StartsWith(page, "<!DOCTYPE html>"));
  EXPECT_TRUE(absl::EndsWith(page, "</html>\n"));
  EXPECT_THAT(page, HasSubstr("class=\"cluster\""));
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  const std::string json = ReadAll(dir_ / "report.json");
  ASSERT_EQ(parser.parse(json).get(root), simdjson::SUCCESS);
  EXPECT_EQ(root["documents"].get_uint64().value(), 43u);
  EXPECT_EQ(root["cluster_count"].get_uint64().value(), 6u);
  EXPECT_THAT(Files(), ElementsAre("report.html", "report.json"));

  // Nothing asked for: said, not guessed.
  r = Run(absl::StrCat("report '", kSample, "'"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("give --html FILE"));
}

TEST_F(ReportCli, ReadsAnEarlierRunsClusters) {
  ASSERT_EQ(Run(absl::StrCat("cluster '", kSample,
                             "' --clusters clusters.jsonl --pairs pairs.jsonl"))
                .exit_code,
            0);
  RunResult r = Run(absl::StrCat("report '", kSample,
                                 "' --clusters clusters.jsonl --json a.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("6 stories"));
  r = Run(
      absl::StrCat("report '", kSample, "' --pairs pairs.jsonl --json b.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(ReportCli, ClustersFromAnotherCorpusAreRefusedByLine) {
  ASSERT_EQ(
      Run(absl::StrCat("cluster '", kSample, "' --clusters clusters.jsonl"))
          .exit_code,
      0);
  // Another corpus: the sample with other ids.
  std::string other;
  for (const std::string& line : Lines(ReadAll(kSample))) {
    std::string changed = line;
    changed.replace(changed.find("sample-"), 7, "other-");
    other += changed + "\n";
  }
  WriteAll(dir_ / "other.jsonl", other);
  RunResult r =
      Run("report other.jsonl --clusters clusters.jsonl --html report.html");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("clusters.jsonl:1: id \"sample-"));
  EXPECT_THAT(r.err, HasSubstr("another corpus"));
  // The failed run left no page behind.
  EXPECT_FALSE(std::filesystem::exists(dir_ / "report.html"));

  WriteAll(dir_ / "bad.jsonl", "{\"id\":\"x\",\"text\":\"t\"}\nnot json\n");
  r = Run(absl::StrCat("report '", kSample,
                       "' --clusters bad.jsonl --html report.html"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("bad.jsonl:1: not a line of `neardup cluster "
                               "--clusters`"));
}

TEST_F(ReportCli, MissingAndMixedDatesAreMarkedGaps) {
  const std::string story = absl::StrCat(Paragraph(1), "\\n\\n", Paragraph(2),
                                         "\\n\\n", Paragraph(3));
  // No date field at all.
  WriteAll(dir_ / "nodates.jsonl", Line("a", "\"source\":\"A\",", story) +
                                       Line("b", "\"source\":\"B\",", story));
  RunResult r = Run("report nodates.jsonl --html a.html");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("dates: 2 missing"));
  std::string page = ReadAll(dir_ / "a.html");
  EXPECT_THAT(page, HasSubstr("id=\"date-gap\""));
  EXPECT_THAT(page, HasSubstr("No timeline"));

  // Dates in mixed forms: ISO dates and date-times with zones order the
  // stories; a day-first date is reported and ordered last.
  WriteAll(
      dir_ / "mixed.jsonl",
      Line("late", "\"source\":\"L\",\"date\":\"2024-03-13\",", story) +
          Line("early",
               "\"source\":\"E\",\"date\":\"2024-03-12T10:00:00+02:00\",",
               story) +
          Line("dayfirst", "\"source\":\"D\",\"date\":\"12/03/2024\",", story) +
          Line("z", "\"source\":\"Z\",\"date\":\"2024-03-12 09:00Z\",", story));
  r = Run("report mixed.jsonl --json mixed.json --html mixed.html");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("1 not ISO 8601"));
  EXPECT_THAT(r.err, HasSubstr("mixed.jsonl:3: \"12/03/2024\""));
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  const std::string json = ReadAll(dir_ / "mixed.json");
  ASSERT_EQ(parser.parse(json).get(root), simdjson::SUCCESS);
  simdjson::dom::element cluster = root["clusters"].at(0);
  EXPECT_EQ(std::string(cluster["original"]["id"].get_string().value()),
            "early");  // 08:00 UTC.
  EXPECT_EQ(std::string(cluster["copies"].at(0)["id"].get_string().value()),
            "z");
  EXPECT_EQ(cluster["copies"].at(0)["delay_seconds"].get_int64().value(), 3600);
  EXPECT_EQ(std::string(cluster["copies"].at(2)["id"].get_string().value()),
            "dayfirst");
  EXPECT_TRUE(cluster["copies"].at(2)["delay_seconds"].is_null());
  EXPECT_THAT(ReadAll(dir_ / "mixed.html"),
              HasSubstr("unreadable date &quot;12/03/2024&quot;"));
}

TEST_F(ReportCli, AHugeArticleKeepsThePageSmall) {
  std::string huge;
  for (int i = 0; huge.size() < 5'000'000; ++i) {
    absl::StrAppend(&huge, Paragraph(i), "\\n\\n");
  }
  WriteAll(dir_ / "huge.jsonl",
           Line("a", "\"source\":\"A\",\"date\":\"2024-01-01\",", huge) +
               Line("b", "\"source\":\"B\",\"date\":\"2024-01-02\",", huge));
  RunResult r = Run("report huge.jsonl --html huge.html");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string page = ReadAll(dir_ / "huge.html");
  EXPECT_LT(page.size(), 500'000u);
  EXPECT_THAT(page, HasSubstr("are not shown here"));
  EXPECT_TRUE(absl::EndsWith(page, "</html>\n"));
}

TEST_F(ReportCli, AnEmptyCorpusGivesAPageThatSaysSo) {
  WriteAll(dir_ / "empty.jsonl", "");
  RunResult r = Run("report empty.jsonl --html empty.html --json -");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"documents\":0"));
  const std::string page = ReadAll(dir_ / "empty.html");
  EXPECT_THAT(page, HasSubstr("The input holds no documents"));
  EXPECT_THAT(page, HasSubstr("No story was run more than once"));
  EXPECT_THAT(page, Not(HasSubstr("class=\"cluster\"")));
}

TEST_F(ReportCli, OutputsMustNotOverwriteInputs) {
  RunResult r =
      Run(absl::StrCat("report '", kSample, "' --html '", kSample, "'"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("also an input"));
}

}  // namespace
}  // namespace neardup::testing
