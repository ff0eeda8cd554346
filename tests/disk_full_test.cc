// A full disk and failing writes, end to end: the built `neardup` runs with a
// file size limit (RLIMIT_FSIZE, which any user may lower) or writes to
// /dev/full. Every command must fail with exit status 1 and a message that
// names the file and what to do, and leave the previous output or index as
// it was: intact, openable, and passing `index verify`.
//
// The child does not ignore SIGXFSZ: the tool must do that itself, or the
// kernel kills it at the limit and leaves its temporary file behind.
#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "neardup/index.h"
#include "tests/support/child_process.h"
#include "tests/support/cli_harness.h"
#include "tests/support/news_feed.h"

namespace neardup::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

class DiskFull : public CliFixture {
 protected:
  // Runs `neardup ARGS...` in the scratch directory under a file size
  // limit of `limit` bytes (-1: none).
  ChildResult Neardup(const std::vector<std::string>& args, int64_t limit,
                      const std::string& stdin_path = "") {
    ChildOptions options;
    options.stdin_path = stdin_path;
    options.file_size_limit = limit;
    return RunNeardup(cli_, dir_.string(), args, options);
  }

  std::string Path(const std::string& name) const {
    return (dir_ / name).string();
  }

  uint64_t Size(const std::string& name) const {
    return std::filesystem::file_size(dir_ / name);
  }

  // Every file of an index directory with its bytes.
  std::map<std::string, std::string> Snapshot(const std::string& index) const {
    std::map<std::string, std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(dir_ / index)) {
      files[e.path().filename().string()] = ReadAll(e.path());
    }
    return files;
  }

  // ClusterOf for every id, from a read-only open that must succeed.
  std::map<std::string, std::string> Clusters(
      const std::string& index, const std::vector<std::string>& ids) const {
    std::map<std::string, std::string> out;
    auto opened = Index::Open(Path(index), {.read_only = true});
    EXPECT_TRUE(opened.ok()) << opened.status();
    if (!opened.ok()) return out;
    for (const std::string& id : ids) {
      auto c = (*opened)->ClusterOf(id);
      if (c.ok()) out[id] = *c;
    }
    return out;
  }

  void ExpectVerifies(const std::string& index) {
    ChildResult verify = Neardup({"index", "verify", index}, -1);
    EXPECT_EQ(verify.exit_code, 0) << verify.err;
  }

  // The bundled sample, copied into the scratch directory.
  std::string Sample() {
    const std::string sample =
        ReadAll(std::filesystem::path(NEARDUP_SOURCE_DIR) / "tests" / "data" /
                "sample-news.jsonl");
    EXPECT_FALSE(sample.empty());
    WriteAll(dir_ / "sample.jsonl", sample);
    return "sample.jsonl";
  }
};

TEST_F(DiskFull, ClusterKeepsThePreviousOutputs) {
  const std::string input = Sample();
  WriteAll(dir_ / "clusters.jsonl", "previous clusters\n");
  WriteAll(dir_ / "pairs.jsonl", "previous pairs\n");
  const std::vector<std::string> before = Files();
  // The clusters of the sample are about 1.6 KB: over a 1,000-byte limit.
  ChildResult r = Neardup({"cluster", input, "-q", "--clusters",
                           "clusters.jsonl", "--pairs", "pairs.jsonl"},
                          1000);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.term_signal, 0) << "killed by SIGXFSZ: the tool must ignore it";
  EXPECT_THAT(r.err, HasSubstr("neardup cluster: error: clusters.jsonl: write "
                               "failed: File too large"));
  EXPECT_THAT(r.err, HasSubstr("ulimit -f"));
  EXPECT_EQ(ReadAll(dir_ / "clusters.jsonl"), "previous clusters\n");
  EXPECT_EQ(ReadAll(dir_ / "pairs.jsonl"), "previous pairs\n");
  EXPECT_EQ(Files(), before) << "a temporary file was left behind";

  // Without the limit the same run replaces both.
  r = Neardup({"cluster", input, "-q", "--clusters", "clusters.jsonl",
               "--pairs", "pairs.jsonl"},
              -1);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(ReadAll(dir_ / "clusters.jsonl"), HasSubstr("\"cluster\""));
  EXPECT_EQ(Files(), before);
}

TEST_F(DiskFull, ClusterCommitsTheOutputsThatFit) {
  const std::string input = Sample();
  WriteAll(dir_ / "pairs.jsonl", "previous pairs\n");
  // Clusters (about 1.6 KB) fit under 2,500 bytes; the pairs (about 3 KB at
  // threshold 0.3) do not. Outputs are committed in order, so the clusters
  // are complete and the pairs file is the previous one.
  ChildResult r =
      Neardup({"cluster", input, "-q", "--threshold", "0.3", "--clusters",
               "clusters.jsonl", "--pairs", "pairs.jsonl"},
              2500);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("pairs.jsonl: write failed: File too large"));
  EXPECT_EQ(ReadAll(dir_ / "pairs.jsonl"), "previous pairs\n");
  ChildResult whole =
      Neardup({"cluster", input, "-q", "--threshold", "0.3"}, -1);
  ASSERT_EQ(whole.exit_code, 0);
  EXPECT_EQ(ReadAll(dir_ / "clusters.jsonl"), whole.out);
}

TEST_F(DiskFull, PassagesKeepsThePreviousOutputs) {
  const std::string input = Sample();
  WriteAll(dir_ / "repeats.jsonl", "previous repeats\n");
  WriteAll(dir_ / "clean.jsonl", "previous clean\n");
  const std::vector<std::string> before = Files();
  // The repeats are about 13 KB and the stripped records about 57 KB.
  for (int64_t limit : {4000, 20000}) {
    ChildResult r = Neardup({"passages", input, "-q", "--output",
                             "repeats.jsonl", "--strip", "clean.jsonl"},
                            limit);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_THAT(r.err, HasSubstr("write failed: File too large"));
    EXPECT_THAT(r.err, HasSubstr("ulimit -f"));
    EXPECT_EQ(ReadAll(dir_ / "clean.jsonl"), "previous clean\n");
    EXPECT_EQ(Files(), before);
  }
}

TEST_F(DiskFull, StandardOutputOnAFullDevice) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  const std::string input = Sample();
  for (const char* command : {"cluster", "passages"}) {
    ChildOptions options;
    options.args = {cli_, command, input, "-q"};
    options.dir = dir_.string();
    options.stdout_path = "/dev/full";
    ChildResult r = RunChild(options);
    EXPECT_EQ(r.exit_code, 1) << command << ": " << r.err;
    EXPECT_THAT(r.err, HasSubstr("No space left on device")) << command;
    EXPECT_THAT(r.err, HasSubstr("free some disk space")) << command;
  }
  // A device named as the output is written directly, never replaced.
  ChildResult r =
      Neardup({"cluster", input, "-q", "--clusters", "/dev/full"}, -1);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("/dev/full: write failed: No space left"));
  struct stat info;
  ASSERT_EQ(::stat("/dev/full", &info), 0);
  EXPECT_TRUE(S_ISCHR(info.st_mode));
}

TEST_F(DiskFull, IndexAddKeepsTheIndexAndLosesNothingAcknowledged) {
  std::vector<std::string> ids;
  const std::string feed = NewsFeed(120, 3, &ids);
  const size_t half = feed.find('\n', feed.size() / 2) + 1;
  WriteAll(dir_ / "first.jsonl", feed.substr(0, half));
  WriteAll(dir_ / "second.jsonl", feed.substr(half));
  WriteAll(dir_ / "all.jsonl", feed);
  ASSERT_EQ(Neardup({"index", "create", "ref", "-q"}, -1).exit_code, 0);
  ASSERT_EQ(Neardup({"index", "add", "ref", "all.jsonl", "-q"}, -1).exit_code,
            0);
  ASSERT_EQ(Neardup({"index", "create", "idx", "-q"}, -1).exit_code, 0);
  ChildResult first = Neardup({"index", "add", "idx", "first.jsonl", "-q"}, -1);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const std::vector<std::string> acknowledged = Lines(first.out);

  // The log may grow by 20 KB, a few of the second half's documents.
  const int64_t limit = static_cast<int64_t>(Size("idx/log")) + 20000;
  ChildResult r = Neardup({"index", "add", "idx", "second.jsonl"}, limit);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.term_signal, 0);
  EXPECT_THAT(r.err, HasSubstr("neardup index add: error: idx/log: write "
                               "failed: File too large"));
  EXPECT_THAT(r.err, HasSubstr("everything acknowledged before is kept"));
  EXPECT_THAT(r.out, IsEmpty()) << "a decision printed that is not durable";
  EXPECT_LE(Size("idx/log"), static_cast<uint64_t>(limit));

  // The index opens, verifies and holds everything acknowledged.
  ExpectVerifies("idx");
  std::map<std::string, std::string> clusters = Clusters("idx", ids);
  for (const std::string& line : acknowledged) {
    const std::string id = line.substr(7, line.find('"', 7) - 7);
    EXPECT_EQ(clusters.count(id), 1u) << id;
  }
  // Once there is room, adding the rest gives the uninterrupted clusters.
  r = Neardup({"index", "add", "idx", "second.jsonl", "-q"}, -1);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Clusters("idx", ids), Clusters("ref", ids));
  ExpectVerifies("idx");
}

// A batch large enough that the index writes its log before the final
// sync (every 8 MB): the write error stops the batch where it happened.
TEST_F(DiskFull, IndexAddFailsInTheMiddleOfALargeBatch) {
  std::vector<std::string> ids;
  WriteAll(dir_ / "feed.jsonl", NewsFeed(2500, 4, &ids));
  ASSERT_EQ(Neardup({"index", "create", "idx", "-q"}, -1).exit_code, 0);
  const auto before = Snapshot("idx");
  ChildResult r = Neardup({"index", "add", "idx", "feed.jsonl"}, 1 << 20);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("idx/log: write failed: File too large"));
  EXPECT_THAT(r.err, Not(HasSubstr("earlier write failed"))) << "one error";
  EXPECT_THAT(r.out, IsEmpty());
  ExpectVerifies("idx");
  // Whatever reached the log is a prefix of the feed.
  std::map<std::string, std::string> clusters = Clusters("idx", ids);
  for (size_t i = 0; i < clusters.size(); ++i) {
    EXPECT_EQ(clusters.count(ids[i]), 1u) << ids[i];
  }
  EXPECT_EQ(before.count("snapshot"), 0u);
}

TEST_F(DiskFull, CompactKeepsTheIndex) {
  std::vector<std::string> ids;
  WriteAll(dir_ / "feed.jsonl", NewsFeed(100, 5, &ids));
  ASSERT_EQ(Neardup({"index", "create", "idx", "-q"}, -1).exit_code, 0);
  ASSERT_EQ(Neardup({"index", "add", "idx", "feed.jsonl", "-q"}, -1).exit_code,
            0);
  const std::map<std::string, std::string> clusters = Clusters("idx", ids);
  ASSERT_EQ(clusters.size(), ids.size());
  const auto before = Snapshot("idx");
  // Room for the log as it is, not for a snapshot of the same documents.
  ChildResult r = Neardup({"index", "compact", "idx"},
                          static_cast<int64_t>(Size("idx/log")) / 2);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.term_signal, 0);
  EXPECT_THAT(r.err,
              HasSubstr("neardup index compact: error: idx/snapshot.tmp: "
                        "write failed: File too large"));
  EXPECT_THAT(r.err, HasSubstr("ulimit -f"));
  EXPECT_EQ(Snapshot("idx"), before) << "the failed compaction changed files";
  ExpectVerifies("idx");
  EXPECT_EQ(Clusters("idx", ids), clusters);

  // A second compaction, over an existing snapshot, keeps that snapshot.
  ASSERT_EQ(Neardup({"index", "compact", "idx", "-q"}, -1).exit_code, 0);
  WriteAll(dir_ / "more.jsonl",
           NewsFeed(130, 5).substr(ReadAll(dir_ / "feed.jsonl").size()));
  ASSERT_EQ(Neardup({"index", "add", "idx", "more.jsonl", "-q"}, -1).exit_code,
            0);
  const auto compacted = Snapshot("idx");
  r = Neardup({"index", "compact", "idx"},
              static_cast<int64_t>(Size("idx/snapshot")));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(Snapshot("idx"), compacted);
  ExpectVerifies("idx");
}

TEST_F(DiskFull, StreamPrintsOnlyDurableDecisions) {
  std::vector<std::string> ids;
  WriteAll(dir_ / "feed.jsonl", NewsFeed(900, 6, &ids));
  ASSERT_EQ(Neardup({"index", "create", "ref", "-q"}, -1).exit_code, 0);
  ASSERT_EQ(Neardup({"stream", "ref", "-q"}, -1, Path("feed.jsonl")).exit_code,
            0);
  ASSERT_EQ(Neardup({"index", "create", "idx", "-q"}, -1).exit_code, 0);
  // stream reads at most 1 MB at a time, a third of this feed, and prints the
  // decisions of each read once its log is synced. The log of the whole
  // feed does not fit under the limit; that of the first read does.
  ASSERT_GT(Size("feed.jsonl"), uint64_t{2500000});
  const int64_t limit = static_cast<int64_t>(Size("ref/log") * 6 / 10);
  ChildResult r = Neardup({"stream", "idx"}, limit, Path("feed.jsonl"));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("neardup stream: error: idx/log: write failed: "
                               "File too large"));
  ExpectVerifies("idx");
  std::map<std::string, std::string> clusters = Clusters("idx", ids);
  const std::vector<std::string> printed = Lines(r.out);
  EXPECT_GT(printed.size(), 0u) << r.err;
  EXPECT_LT(printed.size(), ids.size());
  for (size_t i = 0; i < printed.size(); ++i) {
    EXPECT_THAT(printed[i], HasSubstr(absl::StrCat("\"id\":\"", ids[i], "\"")));
    EXPECT_EQ(clusters.count(ids[i]), 1u) << ids[i];
  }
}

}  // namespace
}  // namespace neardup::testing
