// The big rows of the bad-input matrix (docs/cli.md, "Bad input"): a 100 MB
// single line and a 50 MB document, end to end through the built `neardup`.
// Each checks the exit status, the message and what is left on disk, like
// bad_input_test.cc. Slow (ctest label `slow`): the inputs are generated in
// a temporary directory, and one 100 MB text takes about 4 s and 2.4 GB to
// cluster.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "neardup/index.h"
#include "tests/support/child_process.h"
#include "tests/support/cli_harness.h"
#include "tests/support/generator.h"
#include "tests/support/news_feed.h"

namespace neardup::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

// `bytes` of made-up English and Arabic articles (about, never more),
// paragraphs separated by blank lines.
std::string LongText(size_t bytes, uint64_t seed) {
  Rng rng(seed);
  std::string text;
  while (text.size() < bytes) {
    std::string article = GenerateArticle(
        rng, rng.Bernoulli(0.5) ? Language::kArabic : Language::kEnglish, 4);
    if (text.size() + article.size() + 2 > bytes) break;
    text += article;
    text += "\n\n";
  }
  return text;
}

class BadInputBig : public CliFixture {
 protected:
  ChildResult Nd(const std::vector<std::string>& args,
                 const std::string& stdin_name = "") {
    ChildOptions options;
    if (!stdin_name.empty()) options.stdin_path = (dir_ / stdin_name).string();
    return RunNeardup(cli_, dir_.string(), args, options);
  }
  // A file's size as the summary prints it ("100.4 MB").
  std::string Megabytes(const std::string& name) const {
    return absl::StrFormat("%.1f MB",
                           std::filesystem::file_size(dir_ / name) / 1e6);
  }
  uint64_t Documents(const std::string& index) const {
    auto opened = Index::Open((dir_ / index).string(), {.read_only = true});
    EXPECT_TRUE(opened.ok()) << opened.status();
    return opened.ok() ? (*opened)->stats().documents : 0;
  }
};

// Row: a 100 MB single line. A JSON array of records (a .json export given
// where JSON lines are expected) is refused at once as not an object; one
// record whose text is 100 MB is a document like any other.
TEST_F(BadInputBig, HundredMegabyteSingleLine) {
  std::string array = "[";
  for (int i = 0; array.size() < 100'000'000; ++i) {
    if (i > 0) array += ",";
    std::string record = JsonRecord(absl::StrCat("doc-", i), LongText(4000, i));
    record.pop_back();  // The array's elements, not lines.
    array += record;
  }
  array += "]";  // No line end: the whole file is one line.
  WriteAll(dir_ / "export.json", array);
  array.clear();
  ChildResult r = Nd({"cluster", "export.json", "--clusters", "out.jsonl"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.err,
            "neardup cluster: error: export.json:1: not a JSON object (got "
            "array); each line must be one object such as {\"id\": ..., "
            "\"text\": ...}, or pass --on-error skip\n");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out.jsonl"));
  ASSERT_EQ(Nd({"index", "create", "idx", "-q"}).exit_code, 0);
  r = Nd({"stream", "idx"}, "export.json");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, StartsWith("neardup stream: error: stdin:1: not a JSON "
                                "object (got array)"));
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_EQ(Documents("idx"), 0u);
  std::filesystem::remove(dir_ / "export.json");

  const std::string text = LongText(100'000'000, 7);
  WriteAll(dir_ / "one.jsonl", JsonRecord("huge", text));
  r = Nd({"cluster", "one.jsonl", "--clusters", "out.jsonl"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, StartsWith(absl::StrCat("neardup cluster: 1 documents (",
                                             Megabytes("one.jsonl"), ")")));
  EXPECT_THAT(ReadAll(dir_ / "out.jsonl"), IsEmpty());  // No pair: no cluster.
  r = Nd({"stream", "idx", "-q"}, "one.jsonl");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("{\"id\":\"huge\",\"status\":\"new\""));
  EXPECT_EQ(Nd({"index", "verify", "idx", "-q"}).exit_code, 0);
}

// Row: a 50 MB document, as a .txt file in a directory beside a copy of its
// first half: both read whole, the copy found by containment.
TEST_F(BadInputBig, FiftyMegabyteDocument) {
  const std::string text = LongText(50'000'000, 8);
  std::filesystem::create_directories(dir_ / "docs");
  WriteAll(dir_ / "docs" / "big.txt", text);
  WriteAll(dir_ / "docs" / "half.txt",
           text.substr(0, text.find("\n\n", text.size() / 2)));
  ChildResult r = Nd({"cluster", "docs", "--clusters", "out.jsonl"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err,
              StartsWith(absl::StrFormat(
                  "neardup cluster: 2 documents (%.1f MB)",
                  (std::filesystem::file_size(dir_ / "docs" / "big.txt") +
                   std::filesystem::file_size(dir_ / "docs" / "half.txt")) /
                      1e6)));
  const std::string clusters = ReadAll(dir_ / "out.jsonl");
  EXPECT_THAT(clusters, StartsWith("{\"cluster\":\"big.txt\",\"size\":2,"));
  EXPECT_THAT(clusters, HasSubstr("{\"id\":\"half.txt\""));

  ASSERT_EQ(Nd({"index", "create", "idx", "-q"}).exit_code, 0);
  r = Nd({"index", "add", "idx", "docs", "-q"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Lines(r.out).size(), 2u);
  EXPECT_EQ(Documents("idx"), 2u);
  EXPECT_EQ(Nd({"index", "verify", "idx", "-q"}).exit_code, 0);
}

}  // namespace
}  // namespace neardup::testing
