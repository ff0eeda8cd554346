// End-to-end tests of `neardup passages`: the repeats it reports, the
// cleaned records it writes, and its behaviour on bad input.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "simdjson.h"
#include "tests/support/cli_harness.h"

namespace neardup {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

using ::neardup::testing::Lines;
using ::neardup::testing::ReadAll;
using ::neardup::testing::RunResult;
using ::neardup::testing::WriteAll;

// One reported repeat, parsed from its JSON line.
struct Repeat {
  std::string id;
  uint64_t start = 0, end = 0;
  std::string original_id;
  uint64_t original_start = 0, original_end = 0;
  double jaccard = 0;
  bool internal = false;
};

std::vector<Repeat> ParseRepeats(const std::string& out) {
  std::vector<Repeat> repeats;
  simdjson::dom::parser parser;
  for (const std::string& line : Lines(out)) {
    simdjson::dom::element e;
    EXPECT_EQ(parser.parse(line).get(e), simdjson::SUCCESS) << line;
    if (!e.is_object()) continue;
    Repeat r;
    r.id = std::string(e["id"].get_string().value());
    r.start = e["start"].get_uint64().value();
    r.end = e["end"].get_uint64().value();
    r.original_id = std::string(e["original"]["id"].get_string().value());
    r.original_start = e["original"]["start"].get_uint64().value();
    r.original_end = e["original"]["end"].get_uint64().value();
    r.jaccard = e["jaccard"].get_double().value();
    r.internal = e["internal"].get_bool().value();
    repeats.push_back(r);
  }
  return repeats;
}

// The text field of a JSON line.
std::string TextOf(const std::string& line) {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  if (parser.parse(line).get(e) != simdjson::SUCCESS) return "<bad json>";
  return std::string(e["text"].get_string().value());
}

class PassagesCliTest : public ::neardup::testing::CliFixture {
 protected:
  static fs::path Fixture() {
    return fs::path(NEARDUP_SOURCE_DIR) /
           "tests/data/passages-arabic-repeats.jsonl";
  }
};

std::string Record(const std::string& id, const std::string& text,
                   const std::string& extra = "") {
  return absl::StrCat("{\"id\": \"", id, "\"", extra, ", \"text\": \"", text,
                      "\"}\n");
}

// Paragraphs long enough to be matched (over 80 code points each).
constexpr const char* kParagraphs[] = {
    "The port authority said on Monday that container traffic rose by nine "
    "percent in the first half of the year, led by transshipment cargo.",
    "Officials expect the new deep-water berth to open in the spring, "
    "allowing the largest vessels to dock without waiting for the tide.",
    "Local businesses welcomed the figures but warned that road congestion "
    "around the terminal gates is getting worse every month.",
    "The authority plans to publish a traffic study in the autumn and has "
    "asked the city council to fund a second access road.",
};

// The "done when" case: an Arabic article whose last eight paragraphs repeat
// eight earlier ones (one with a changed word).
TEST_F(PassagesCliTest, ArabicArticleWithEightRepeatedParagraphs) {
  const std::vector<std::string> input = Lines(ReadAll(Fixture()));
  ASSERT_EQ(input.size(), 2u);
  const std::string text = TextOf(input[0]);
  const std::vector<std::string> paragraphs = absl::StrSplit(text, "\n\n");
  ASSERT_EQ(paragraphs.size(), 18u);
  std::vector<uint64_t> starts;
  uint64_t at = 0;
  for (const std::string& p : paragraphs) {
    starts.push_back(at);
    at += p.size() + 2;
  }

  RunResult r = Run(
      absl::StrCat("passages '", Fixture().string(), "' --strip clean.jsonl"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<Repeat> repeats = ParseRepeats(r.out);
  ASSERT_EQ(repeats.size(), 8u) << r.out;
  int changed = 0;
  for (size_t i = 0; i < 8; ++i) {
    const Repeat& rep = repeats[i];
    const size_t copy = 10 + i, original = 1 + i;
    EXPECT_EQ(rep.id, "marsa-001");
    EXPECT_EQ(rep.original_id, "marsa-001");
    EXPECT_TRUE(rep.internal);
    EXPECT_EQ(rep.start, starts[copy]);
    EXPECT_EQ(rep.end, starts[copy] + paragraphs[copy].size());
    EXPECT_EQ(rep.original_start, starts[original]);
    EXPECT_EQ(rep.original_end, starts[original] + paragraphs[original].size());
    if (paragraphs[copy] == paragraphs[original]) {
      EXPECT_EQ(rep.jaccard, 1);
    } else {
      ++changed;
      EXPECT_GE(rep.jaccard, 0.8);
      EXPECT_LT(rep.jaccard, 1);
    }
  }
  EXPECT_EQ(changed, 1);
  EXPECT_THAT(r.err, HasSubstr("8 repeated passages"));
  EXPECT_THAT(r.err, HasSubstr("8 internal"));

  // --strip: the first ten paragraphs, every other byte of the line kept.
  const std::vector<std::string> clean = Lines(ReadAll(dir_ / "clean.jsonl"));
  ASSERT_EQ(clean.size(), 2u);
  const std::string expected_text = absl::StrJoin(
      std::vector<std::string>(paragraphs.begin(), paragraphs.begin() + 10),
      "\n\n");
  EXPECT_EQ(TextOf(clean[0]), expected_text);
  const size_t text_key = input[0].find("\"text\": \"");
  ASSERT_NE(text_key, std::string::npos);
  EXPECT_EQ(clean[0].substr(0, text_key + 9), input[0].substr(0, text_key + 9));
  const size_t url = input[0].find("\", \"url\"");
  ASSERT_NE(url, std::string::npos);
  EXPECT_TRUE(absl::EndsWith(clean[0], input[0].substr(url)));
  EXPECT_EQ(clean[1], input[1]);  // No repeats: byte for byte.
}

TEST_F(PassagesCliTest, SharedPassagesAndStripShared) {
  const std::string a = absl::StrCat(kParagraphs[0], "\\n\\n", kParagraphs[1]);
  const std::string b =
      absl::StrCat(kParagraphs[2], "\\n\\n", kParagraphs[1], "\\r\\n",
                   kParagraphs[3], "\\n", kParagraphs[3]);
  WriteAll(dir_ / "in.jsonl", Record("a", a) +
                                  Record("b", b, ", \"source\": \"x\"") +
                                  Record("c", "Short.", ", \"n\": 1"));
  RunResult r = Run("passages in.jsonl --strip s.jsonl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<Repeat> repeats = ParseRepeats(r.out);
  ASSERT_EQ(repeats.size(), 2u) << r.out;
  EXPECT_EQ(repeats[0].id, "b");
  EXPECT_EQ(repeats[0].original_id, "a");
  EXPECT_FALSE(repeats[0].internal);
  EXPECT_EQ(repeats[1].id, "b");
  EXPECT_TRUE(repeats[1].internal);
  const std::vector<std::string> in = Lines(ReadAll(dir_ / "in.jsonl"));
  std::vector<std::string> stripped = Lines(ReadAll(dir_ / "s.jsonl"));
  ASSERT_EQ(stripped.size(), 3u);
  EXPECT_EQ(stripped[0], in[0]);
  EXPECT_EQ(TextOf(stripped[1]),
            absl::StrCat(kParagraphs[2], "\n\n", kParagraphs[1], "\r\n",
                         kParagraphs[3]));
  EXPECT_THAT(stripped[1], HasSubstr("\"source\": \"x\""));
  EXPECT_EQ(stripped[2], in[2]);

  r = Run("passages in.jsonl --strip s.jsonl --strip-shared --output ''");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  stripped = Lines(ReadAll(dir_ / "s.jsonl"));
  ASSERT_EQ(stripped.size(), 3u);
  EXPECT_EQ(TextOf(stripped[1]),
            absl::StrCat(kParagraphs[2], "\n\n", kParagraphs[3]));
}

TEST_F(PassagesCliTest, ReadsTextDirectoriesWithCrLf) {
  fs::create_directories(dir_ / "docs");
  const std::string text =
      absl::StrCat(kParagraphs[0], "\r\n\r\n", kParagraphs[1], "\r\n\r\n",
                   kParagraphs[0], "\r\n");
  WriteAll(dir_ / "docs/one.txt", text);
  RunResult r = Run("passages docs --strip s.jsonl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<Repeat> repeats = ParseRepeats(r.out);
  ASSERT_EQ(repeats.size(), 1u);
  EXPECT_EQ(repeats[0].id, "one.txt");
  EXPECT_EQ(text.substr(repeats[0].start, repeats[0].end - repeats[0].start),
            kParagraphs[0]);
  EXPECT_EQ(repeats[0].original_start, 0u);
  std::vector<std::string> stripped = Lines(ReadAll(dir_ / "s.jsonl"));
  ASSERT_EQ(stripped.size(), 1u);
  EXPECT_EQ(TextOf(stripped[0]),
            absl::StrCat(kParagraphs[0], "\r\n\r\n", kParagraphs[1], "\r\n"));
}

// Records whose bytes are not valid UTF-8 are served repaired (U+FFFD), so
// their text does not lie inside the line; --strip must still find the
// field and keep every other byte.
TEST_F(PassagesCliTest, StripsRecordsWithInvalidUtf8) {
  const std::string text = absl::StrCat(
      kParagraphs[0], "\\n\\n", kParagraphs[1], " \xFF\\n\\n", kParagraphs[0]);
  const std::string line =
      absl::StrCat("{\"id\": \"bad-bytes\", \"text\": \"", text,
                   "\", \"note\": \"caf\xC3\xA9\", \"n\": [1, 2]}");
  WriteAll(dir_ / "in.jsonl", line + "\n");
  RunResult r = Run("passages in.jsonl --strip s.jsonl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ParseRepeats(r.out).size(), 1u) << r.out;
  const std::vector<std::string> stripped = Lines(ReadAll(dir_ / "s.jsonl"));
  ASSERT_EQ(stripped.size(), 1u);
  EXPECT_EQ(TextOf(stripped[0]), absl::StrCat(kParagraphs[0], "\n\n",
                                              kParagraphs[1], " \xEF\xBF\xBD"));
  EXPECT_TRUE(
      absl::StartsWith(stripped[0], "{\"id\": \"bad-bytes\", \"text\": "));
  EXPECT_TRUE(absl::EndsWith(stripped[0],
                             ", \"note\": \"caf\xC3\xA9\", \"n\": [1, 2]}"));

  // The same for a .txt file, whose record is made by the loader.
  fs::create_directories(dir_ / "docs");
  WriteAll(dir_ / "docs/x.txt",
           absl::StrCat(kParagraphs[2], "\xC3\n", kParagraphs[2]));
  r = Run("passages docs --strip s.jsonl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ParseRepeats(r.out).size(), 1u) << r.out;
  const std::string record = ReadAll(dir_ / "s.jsonl");
  EXPECT_EQ(TextOf(record), absl::StrCat(kParagraphs[2], "\xEF\xBF\xBD"));
  EXPECT_TRUE(absl::StartsWith(record, "{\"id\":\"x.txt\",\"text\":"));
}

TEST_F(PassagesCliTest, OutputIsIdenticalForAnyThreadCount) {
  const std::string sample =
      (fs::path(NEARDUP_SOURCE_DIR) / "tests/data/sample-news.jsonl").string();
  std::string args =
      absl::StrCat("passages '", sample, "' --quiet --strip s.jsonl");
  RunResult one = Run(args + " --threads 1");
  std::string strip_one = ReadAll(dir_ / "s.jsonl");
  RunResult three = Run(args + " --threads 3");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_FALSE(one.out.empty());
  EXPECT_EQ(one.out, three.out);
  EXPECT_EQ(strip_one, ReadAll(dir_ / "s.jsonl"));
  EXPECT_EQ(one.err, "");
}

TEST_F(PassagesCliTest, BadInputIsReportedLikeCluster) {
  WriteAll(dir_ / "bad.jsonl",
           Record("a", kParagraphs[0]) + "{\"id\": \"b\", \n");
  RunResult r = Run("passages bad.jsonl --strip s.jsonl");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("bad.jsonl:2"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(Files(), ::testing::ElementsAre("bad.jsonl"));

  r = Run("passages missing.jsonl");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("missing.jsonl"));

  WriteAll(dir_ / "dup.jsonl",
           Record("a", kParagraphs[0]) + Record("a", kParagraphs[1]));
  r = Run("passages dup.jsonl");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("duplicate id"));
  r = Run("passages dup.jsonl --on-error skip");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("1 bad records skipped"));
}

TEST_F(PassagesCliTest, InvalidOptions) {
  WriteAll(dir_ / "in.jsonl", Record("a", kParagraphs[0]));
  struct BadFlag {
    const char* args;
    const char* message;
  };
  for (BadFlag bad :
       {BadFlag{"--threshold 2", "--threshold"},
        BadFlag{"--min-chars 0", "--min-chars"},
        BadFlag{"--max-chars 0", "--max-chars"},
        BadFlag{"--max-chars x", "'x' is not a whole number"},
        BadFlag{"--min-chars 600 --max-chars 100", "is above --max-chars"},
        BadFlag{"--strip ./s.jsonl --output s.jsonl", "twice"},
        BadFlag{"--normalize nfc", "--normalize"},
        BadFlag{"--ngram 0", "--ngram"},
        BadFlag{"--strip-shared", "--strip FILE"},
        BadFlag{"--strip in.jsonl", "also an input"},
        BadFlag{"--strip x.jsonl --output x.jsonl", "twice"},
        BadFlag{"--strip -", "standard output"},
        BadFlag{"--strip no/such/dir/s.jsonl", "no/such/dir"},
        BadFlag{"--no-such-flag", "no-such-flag"}}) {
    RunResult r = Run(absl::StrCat("passages in.jsonl ", bad.args));
    EXPECT_EQ(r.exit_code, 2) << bad.args << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr(bad.message)) << bad.args;
    EXPECT_EQ(r.out, "") << bad.args;
  }
  EXPECT_THAT(Files(), ::testing::ElementsAre("in.jsonl"));
  EXPECT_EQ(Run("passages").exit_code, 2);
}

TEST_F(PassagesCliTest, WriteFailureExitsOne) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  WriteAll(dir_ / "in.jsonl",
           Record("a", absl::StrCat(kParagraphs[0], "\\n", kParagraphs[0])));
  RunResult r = Run("passages in.jsonl --output /dev/full");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("/dev/full"));
}

// `neardup cluster --containment`: the abridged copy's pair is marked.
TEST_F(PassagesCliTest, ClusterContainmentMarksPairs) {
  const std::string full =
      absl::StrJoin(std::begin(kParagraphs), std::end(kParagraphs), "\\n\\n");
  const std::string half =
      absl::StrCat(kParagraphs[0], "\\n\\n", kParagraphs[1]);
  WriteAll(dir_ / "in.jsonl", Record("full", full) + Record("half", half) +
                                  Record("full-copy", full));
  // The half copy's Jaccard (about 0.55) is under 0.8: only containment
  // links it.
  RunResult r =
      Run("cluster in.jsonl --threshold 0.8 --containment 0 --pairs p.jsonl "
          "--clusters c.jsonl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadAll(dir_ / "p.jsonl"),
            "{\"a\":\"full\",\"b\":\"full-copy\",\"jaccard\":1,"
            "\"containment\":1}\n");
  r =
      Run("cluster in.jsonl --threshold 0.8 --containment 0.8 --pairs p.jsonl "
          "--clusters c.jsonl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> pairs = Lines(ReadAll(dir_ / "p.jsonl"));
  ASSERT_EQ(pairs.size(), 3u);
  EXPECT_THAT(pairs[0], HasSubstr("\"a\":\"full\",\"b\":\"half\""));
  EXPECT_THAT(pairs[0], HasSubstr(",\"link\":\"containment\"}"));
  EXPECT_THAT(pairs[1], HasSubstr("\"b\":\"full-copy\",\"jaccard\":1,"
                                  "\"containment\":1}"));
  EXPECT_THAT(pairs[2], HasSubstr("\"a\":\"half\",\"b\":\"full-copy\""));
  EXPECT_THAT(pairs[2], HasSubstr("\"link\":\"containment\""));
  EXPECT_THAT(ReadAll(dir_ / "c.jsonl"), HasSubstr("\"size\":3"));
  EXPECT_THAT(r.err, HasSubstr("Containment:"));
  r = Run("cluster in.jsonl --containment 1.5");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--containment"));
}

TEST_F(PassagesCliTest, EmptyInputAndHelp) {
  WriteAll(dir_ / "empty.jsonl", "");
  RunResult r = Run("passages empty.jsonl --strip s.jsonl");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(ReadAll(dir_ / "s.jsonl"), "");
  EXPECT_THAT(r.err, HasSubstr("0 documents"));

  r = Run("passages --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("--min-chars"));
  EXPECT_THAT(r.out, HasSubstr("Examples:"));
  EXPECT_THAT(r.out, HasSubstr("Exit status"));
}

}  // namespace
}  // namespace neardup
