// End-to-end tests of `neardup stream`, including a crash test: a writer is
// killed with SIGKILL at random moments and restarted on the rest of the
// input; every printed decision must be durable and the final clusters must
// equal an uninterrupted run's.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "neardup/index.h"
#include "src/internal/json_writer.h"
#include "tests/support/cli_harness.h"
#include "tests/support/generator.h"

namespace neardup::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string JsonLine(const GeneratedDoc& d) {
  std::string line = "{\"id\":";
  internal::AppendJsonString(d.id, &line);
  line += ",\"text\":";
  internal::AppendJsonString(d.text, &line);
  line += "}\n";
  return line;
}

std::vector<GeneratedDoc> Corpus(size_t stories, uint64_t seed) {
  CorpusSpec spec;
  spec.stories = stories;
  spec.seed = seed;
  spec.min_paragraphs = 2;
  spec.max_paragraphs = 4;
  return GenerateCorpus(spec);
}

class StreamCli : public CliFixture {
 protected:
  std::string WriteInput(const std::vector<GeneratedDoc>& docs, size_t from,
                         const std::string& name) {
    std::string data;
    for (size_t i = from; i < docs.size(); ++i) data += JsonLine(docs[i]);
    WriteAll(dir_ / name, data);
    return (dir_ / name).string();
  }

  std::map<std::string, std::string> Clusters(
      const std::string& index_dir, const std::vector<GeneratedDoc>& docs) {
    std::map<std::string, std::string> out;
    auto index = Index::Open((dir_ / index_dir).string(), {.read_only = true});
    EXPECT_TRUE(index.ok()) << index.status();
    if (!index.ok()) return out;
    for (const auto& d : docs) {
      auto c = (*index)->ClusterOf(d.id);
      out[d.id] = c.ok() ? *c : "<missing>";
    }
    return out;
  }
};

// `index add` compacts after its batch when the log has outgrown the
// snapshot and --compact-at-mb, and says so on stderr before its summary,
// unless quiet; the decisions are those of a batch that never compacts.
TEST_F(StreamCli, IndexAddNotesItsCompaction) {
  std::vector<GeneratedDoc> docs = Corpus(20, 7);
  const std::string input = WriteInput(docs, 0, "in.jsonl");
  ASSERT_EQ(Run("index create plain -q").exit_code, 0);
  RunResult plain =
      Run(absl::StrCat("index add plain ", input, " --compact-at-mb 0"));
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_THAT(plain.err, ::testing::Not(HasSubstr("compacting")));

  ASSERT_EQ(Run("index create small -q").exit_code, 0);
  RunResult compacted =
      Run(absl::StrCat("index add small ", input, " --compact-at-mb 0.000001"));
  ASSERT_EQ(compacted.exit_code, 0) << compacted.err;
  EXPECT_EQ(compacted.out, plain.out);
  const size_t note = compacted.err.find("neardup index add: compacting ");
  ASSERT_NE(note, std::string::npos) << compacted.err;
  EXPECT_LT(note, compacted.err.find("documents added")) << compacted.err;

  ASSERT_EQ(Run("index create quiet -q").exit_code, 0);
  RunResult quiet = Run(
      absl::StrCat("index add quiet ", input, " --compact-at-mb 0.000001 -q"));
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.err, "");
  EXPECT_EQ(quiet.out, plain.out);
}

// A log that outgrows its snapshot and --compact-at-mb is compacted between
// reads: the output is the same, and the index reopens from a snapshot.
TEST_F(StreamCli, CompactsWhenTheLogOutgrowsTheSnapshot) {
  std::vector<GeneratedDoc> docs = Corpus(20, 5);
  const std::string input = WriteInput(docs, 0, "in.jsonl");
  ASSERT_EQ(Run("index create plain -q").exit_code, 0);
  RunResult plain = Run("stream plain", input);
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_THAT(plain.err, ::testing::Not(HasSubstr("compacting")));

  ASSERT_EQ(Run("index create small -q").exit_code, 0);
  RunResult compacted = Run("stream small --compact-at-mb 0.000001", input);
  ASSERT_EQ(compacted.exit_code, 0) << compacted.err;
  EXPECT_THAT(compacted.err, HasSubstr("compacting"));
  EXPECT_EQ(compacted.out, plain.out);

  auto index = Index::Open((dir_ / "small").string(), {.read_only = true});
  ASSERT_TRUE(index.ok()) << index.status();
  const IndexStats s = (*index)->stats();
  EXPECT_EQ(s.documents, docs.size());
  EXPECT_GT(s.snapshot_bytes, 0u);
  EXPECT_LT(s.log_bytes, s.snapshot_bytes);
  EXPECT_EQ(Clusters("small", docs), Clusters("plain", docs));
  auto plain_index =
      Index::Open((dir_ / "plain").string(), {.read_only = true});
  ASSERT_TRUE(plain_index.ok());
  EXPECT_EQ((*plain_index)->stats().snapshot_bytes, 0u);
  plain_index->reset();

  // A negative size is refused before anything is read, for both writers.
  RunResult bad = Run("stream plain --compact-at-mb -1", input);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--compact-at-mb"));
  bad = Run(absl::StrCat("index add plain ", input, " --compact-at-mb -1"));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--compact-at-mb"));
}

TEST_F(StreamCli, PrintsOneDecisionPerRecordInOrder) {
  ASSERT_EQ(Run("index create idx -q").exit_code, 0);
  std::vector<GeneratedDoc> docs = Corpus(20, 3);
  const std::string input = WriteInput(docs, 0, "in.jsonl");
  RunResult r = Run("stream idx --quiet", input);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), docs.size());
  for (size_t i = 0; i < docs.size(); ++i) {
    EXPECT_THAT(lines[i], StartsWith(absl::StrCat("{\"id\":\"", docs[i].id,
                                                  "\",\"status\":\"")));
  }
  // Streaming the same records again changes nothing.
  r = Run("stream idx --quiet", input);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const std::string& line : Lines(r.out)) {
    EXPECT_THAT(line, HasSubstr("\"status\":\"exists\""));
  }
}

TEST_F(StreamCli, NoInsertOnlyQueries) {
  ASSERT_EQ(Run("index create idx -q").exit_code, 0);
  std::vector<GeneratedDoc> docs = Corpus(5, 4);
  const std::string input = WriteInput(docs, 0, "in.jsonl");
  RunResult r = Run("stream idx --no-insert -q", input);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Lines(r.out).size(), docs.size());
  r = Run("index stats idx");
  EXPECT_THAT(r.out, HasSubstr("\"documents\":0"));
}

TEST_F(StreamCli, BadRecordStopsWithLineNumberAfterPrintingEarlierOnes) {
  ASSERT_EQ(Run("index create idx -q").exit_code, 0);
  WriteAll(dir_ / "in.jsonl",
           "{\"id\":\"a\",\"text\":\"first story text here\"}\n"
           "{\"id\":\"b\",\"body\":\"no text field\"}\n"
           "{\"id\":\"c\",\"text\":\"third\"}\n");
  RunResult r = Run("stream idx", (dir_ / "in.jsonl").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("stdin:2: missing field \"text\""));
  ASSERT_EQ(Lines(r.out).size(), 1u);
  EXPECT_THAT(r.out, HasSubstr("\"id\":\"a\""));
  r = Run("stream idx --on-error skip -q", (dir_ / "in.jsonl").string());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Lines(r.out).size(), 2u);
  EXPECT_THAT(r.err, HasSubstr("skipped stdin:2:"));
}

TEST_F(StreamCli, SameIdWithOtherTextIsAnError) {
  ASSERT_EQ(Run("index create idx -q").exit_code, 0);
  WriteAll(dir_ / "in.jsonl",
           "{\"id\":\"a\",\"text\":\"first story text here\"}\n"
           "{\"id\":\"a\",\"text\":\"a completely different text\"}\n");
  RunResult r = Run("stream idx", (dir_ / "in.jsonl").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("stdin:2: id \"a\" is already in the index"));
}

TEST_F(StreamCli, RefusesMissingIndex) {
  RunResult r = Run("stream nowhere", "");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("no such index directory"));
  EXPECT_EQ(Lines(r.err).size(), 1u);
}

// Starts `neardup stream idx` on `input`, kills it after `delay_us`
// (or lets it finish when delay_us < 0) and returns the complete lines it
// printed, and whether it finished by itself.
std::vector<std::string> RunAndKill(const std::string& cli,
                                    const std::filesystem::path& dir,
                                    const std::string& input, int delay_us,
                                    bool* finished) {
  const std::string out_path = (dir / "killed.out").string();
  pid_t pid = fork();
  if (pid == 0) {
    int in = open(input.c_str(), O_RDONLY);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open("/dev/null", O_WRONLY);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    if (chdir(dir.c_str()) != 0) _exit(127);
    execl(cli.c_str(), cli.c_str(), "stream", "idx", "--quiet",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  if (delay_us >= 0) {
    usleep(static_cast<useconds_t>(delay_us));
    kill(pid, SIGKILL);
  }
  waitpid(pid, &status, 0);
  *finished = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  std::string printed = ReadAll(out_path);
  // A line cut short by the kill was never acknowledged.
  const size_t last = printed.rfind('\n');
  printed = last == std::string::npos ? "" : printed.substr(0, last + 1);
  return Lines(printed);
}

TEST_F(StreamCli, KilledWriterLosesNothingAcknowledged) {
  std::vector<GeneratedDoc> docs = Corpus(120, 9);
  // Reference: one uninterrupted run.
  ASSERT_EQ(Run("index create ref -q").exit_code, 0);
  const auto ref_start = std::chrono::steady_clock::now();
  RunResult ref = Run("stream ref -q", WriteInput(docs, 0, "all.jsonl"));
  const auto ref_us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - ref_start)
                          .count();
  ASSERT_EQ(ref.exit_code, 0) << ref.err;
  const std::map<std::string, std::string> expected = Clusters("ref", docs);

  ASSERT_EQ(Run("index create idx -q").exit_code, 0);
  const bool slow = std::getenv("NEARDUP_SLOW_TESTS") != nullptr;
  const int max_kills = slow ? 60 : 6;
  Rng rng(2024);
  size_t next = 0;  // First record not yet acknowledged.
  std::vector<std::string> acknowledged;
  int kills = 0;
  bool finished = false;
  while (!finished) {
    const std::string input = WriteInput(docs, next, "rest.jsonl");
    // Kills land within the first half of an uninterrupted run's time, so
    // they hit mid-stream on a fast machine and a slow one alike.
    const uint64_t window = std::max<int64_t>(ref_us / 2, 1000);
    const int delay =
        kills < max_kills ? static_cast<int>(rng.Uniform(window)) : -1;
    std::vector<std::string> lines =
        RunAndKill(cli_, dir_, input, delay, &finished);
    if (!finished) ++kills;
    for (const std::string& line : lines) {
      ASSERT_THAT(line,
                  StartsWith(absl::StrCat("{\"id\":\"", docs[next].id, "\"")));
      acknowledged.push_back(docs[next].id);
      ++next;
    }
    // Every acknowledged document is in the index after the kill.
    auto index = Index::Open((dir_ / "idx").string(), {.read_only = true});
    ASSERT_TRUE(index.ok()) << index.status();
    for (const std::string& id : acknowledged) {
      ASSERT_TRUE((*index)->Contains(id)) << id << " after " << kills;
    }
  }
  EXPECT_EQ(next, docs.size());
  EXPECT_GT(kills, 0);
  std::printf("%d kills, %zu documents\n", kills, docs.size());
  EXPECT_EQ(Clusters("idx", docs), expected);
}

}  // namespace
}  // namespace neardup::testing
