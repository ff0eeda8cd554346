// The bad-input matrix (docs/cli.md, "Bad input"), one test per row: the
// built `neardup` meets each kind of bad or odd input, and the test checks
// the three things the table promises: the exit status, the message, and
// what is left on disk. The rows with 50 MB and 100 MB inputs are in
// bad_input_big_test.cc (label slow).
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "neardup/index.h"
#include "src/internal/index_format.h"
#include "tests/support/child_process.h"
#include "tests/support/cli_harness.h"
#include "tests/support/compress.h"
#include "tests/support/generator.h"
#include "tests/support/news_feed.h"

namespace neardup::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

// A made-up article of a few hundred bytes; the same `n` gives the same
// text, different ones unrelated texts.
std::string Story(uint64_t n) {
  Rng rng(n);
  return GenerateArticle(rng, n % 2 ? Language::kArabic : Language::kEnglish,
                         2);
}

class BadInput : public CliFixture {
 protected:
  ChildResult Nd(const std::vector<std::string>& args,
                 ChildOptions options = {}) {
    return RunNeardup(cli_, dir_.string(), args, options);
  }
  // With standard input read from the scratch file `name`.
  ChildResult NdWithStdin(const std::vector<std::string>& args,
                          const std::string& name) {
    ChildOptions options;
    options.stdin_path = (dir_ / name).string();
    return Nd(args, options);
  }

  // Exit status `code` and one line on stderr: "neardup COMMAND: error: "
  // with `message` in it.
  static void ExpectError(const ChildResult& r, int code,
                          const std::string& command,
                          const std::string& message) {
    EXPECT_EQ(r.exit_code, code) << r.err;
    EXPECT_THAT(r.err,
                StartsWith(absl::StrCat("neardup ", command, ": error: ")));
    EXPECT_THAT(r.err, HasSubstr(message));
    EXPECT_EQ(Lines(r.err).size(), 1u) << r.err;
  }

  // Every file below the scratch directory with its bytes: what a run left.
  std::map<std::string, std::string> Disk() const {
    std::map<std::string, std::string> files;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir_)) {
      std::error_code ec;
      if (!e.is_regular_file(ec) || e.is_symlink(ec)) continue;
      files[e.path().lexically_relative(dir_).string()] = ReadAll(e.path());
    }
    return files;
  }

  size_t IndexedDocuments(const std::string& index) const {
    auto opened = Index::Open((dir_ / index).string(), {.read_only = true});
    EXPECT_TRUE(opened.ok()) << opened.status();
    return opened.ok() ? (*opened)->stats().documents : 0;
  }

  void CreateIndex(const std::string& name) {
    ASSERT_EQ(Nd({"index", "create", name, "-q"}).exit_code, 0);
  }
};

// Row: invalid UTF-8 in a text. Accepted: replaced by U+FFFD for matching,
// counted in the summary; --dedup writes the original bytes.
TEST_F(BadInput, InvalidUtf8InATextIsRepairedAndKept) {
  const std::string story = Story(1);
  const std::string bad_story = Story(2);
  // b is a with one invalid byte; c is unrelated and keeps its bad bytes.
  const std::string c_line =
      absl::StrCat("{\"id\":\"c\",\"text\":\"", "caf\xE9 \xFF\xFE ",
                   bad_story.substr(0, bad_story.find('\n')), "\"}\n");
  WriteAll(dir_ / "in.jsonl",
           JsonRecord("a", story) +
               absl::StrCat("{\"id\":\"b\",\"text\":\"\xC3",
                            story.substr(0, story.find('\n')), "\"}\n") +
               c_line);
  ChildResult r = Nd({"cluster", "in.jsonl", "--clusters", "out.jsonl",
                      "--dedup", "dedup.jsonl", "--threshold", "0.3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("2 with invalid UTF-8 (replaced by U+FFFD)"));
  EXPECT_THAT(ReadAll(dir_ / "out.jsonl"), HasSubstr("{\"id\":\"b\""));
  EXPECT_THAT(ReadAll(dir_ / "dedup.jsonl"), HasSubstr(c_line));

  CreateIndex("idx");
  r = NdWithStdin({"stream", "idx", "-q"}, "in.jsonl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Lines(r.out).size(), 3u);
}

// Row: invalid UTF-8 in an id. Refused (repaired ids could merge); no
// output file; --on-error skip leaves the record out.
TEST_F(BadInput, InvalidUtf8InAnIdIsRefused) {
  WriteAll(dir_ / "in.jsonl", JsonRecord("a", Story(1)) +
                                  "{\"id\":\"b\xFF\",\"text\":\"x y z\"}\n");
  const auto before = Disk();
  ChildResult r = Nd({"cluster", "in.jsonl", "--clusters", "out.jsonl"});
  ExpectError(r, 2, "cluster",
              "in.jsonl:2: id \"b\xEF\xBF\xBD\" is not valid UTF-8 (shown "
              "with U+FFFD); text can be repaired but ids must stay exact; "
              "fix the id in the source or pass --on-error skip");
  EXPECT_EQ(Disk(), before);

  r = Nd(
      {"cluster", "in.jsonl", "--on-error", "skip", "--clusters", "out.jsonl"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("skipped: in.jsonl:2: id"));

  CreateIndex("idx");
  r = NdWithStdin({"stream", "idx"}, "in.jsonl");
  ExpectError(r, 2, "stream", "stdin:2: id \"b\xEF\xBF\xBD\" is not valid");
  EXPECT_EQ(Lines(r.out).size(), 1u);  // a's decision, durable.
  EXPECT_EQ(IndexedDocuments("idx"), 1u);
}

// Rows: a byte order mark, and CRLF line ends. Both ignored: the output is
// the same as for the plain file.
TEST_F(BadInput, ByteOrderMarkAndCrlfAreIgnored) {
  const std::string plain = JsonRecord("a", Story(3)) +
                            JsonRecord("b", Story(3)) +
                            JsonRecord("c", Story(4));
  std::string crlf;
  for (const std::string& line : Lines(plain)) crlf += line + "\r\n";
  WriteAll(dir_ / "plain.jsonl", plain);
  WriteAll(dir_ / "bom.jsonl", "\xEF\xBB\xBF" + plain);
  WriteAll(dir_ / "crlf.jsonl", "\xEF\xBB\xBF" + crlf);
  ChildResult expected = Nd({"cluster", "plain.jsonl", "-q"});
  ASSERT_EQ(expected.exit_code, 0);
  ASSERT_THAT(expected.out, HasSubstr("\"size\":2"));
  CreateIndex("plain_idx");
  ChildResult expected_stream =
      NdWithStdin({"stream", "plain_idx", "-q"}, "plain.jsonl");
  ASSERT_EQ(Lines(expected_stream.out).size(), 3u);
  for (const std::string name : {"bom.jsonl", "crlf.jsonl"}) {
    ChildResult r = Nd({"cluster", name, "-q"});
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
    EXPECT_EQ(r.out, expected.out) << name;
    CreateIndex(name + ".idx");
    r = NdWithStdin({"stream", name + ".idx", "-q"}, name);
    EXPECT_EQ(r.exit_code, 0) << name << ": " << r.err;
    EXPECT_EQ(r.out, expected_stream.out) << name;
  }
}

// Row: NUL bytes. A raw NUL is not JSON: refused with its column (also the
// first sign of a UTF-16 file). Escaped as \u0000 inside a text it is fine.
TEST_F(BadInput, NulBytesAreRefusedWithTheirColumn) {
  const std::string before_nul = "{\"id\":\"b\",\"text\":\"x";
  WriteAll(dir_ / "in.jsonl",
           JsonRecord("a", Story(5)) + before_nul + '\0' + "y\"}\n");
  const auto before = Disk();
  ChildResult r = Nd({"cluster", "in.jsonl", "--clusters", "out.jsonl"});
  ExpectError(
      r, 2, "cluster",
      absl::StrCat("in.jsonl:2: not valid JSON: a NUL byte at column ",
                   before_nul.size() + 1, " (raw NUL bytes are not JSON"));
  EXPECT_THAT(r.err, HasSubstr("fix the line or pass --on-error skip"));
  EXPECT_EQ(Disk(), before);

  CreateIndex("idx");
  r = NdWithStdin({"stream", "idx"}, "in.jsonl");
  ExpectError(r, 2, "stream", "stdin:2: not valid JSON: a NUL byte at column");
  EXPECT_EQ(IndexedDocuments("idx"), 1u);

  // UTF-16 (little-endian, with its byte order mark).
  std::string utf16 = "\xFF\xFE";
  for (char c : std::string("{\"id\":\"a\",\"text\":\"x\"}\n")) {
    utf16 += c;
    utf16 += '\0';
  }
  WriteAll(dir_ / "utf16.jsonl", utf16);
  r = Nd({"cluster", "utf16.jsonl"});
  ExpectError(r, 2, "cluster", "utf16.jsonl:1: not valid JSON: a NUL byte");
  EXPECT_THAT(r.err, HasSubstr("convert a UTF-16 file to UTF-8"));

  WriteAll(
      dir_ / "escaped.jsonl",
      JsonRecord("a", std::string("before\0after", 12)) + JsonRecord("b", "x"));
  r = Nd({"cluster", "escaped.jsonl", "-q"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// Row: a JSON text that is a number or null (a line, or the text field).
TEST_F(BadInput, JsonTextThatIsANumberOrNull) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"42\n", "not a JSON object (got integer)"},
      {"null\n", "not a JSON object (got null)"},
      {"\"text\"\n", "not a JSON object (got string)"},
      {"{\"id\":\"a\",\"text\":null}\n",
       "field \"text\" must be a string, got null; fix the record or pass "
       "--on-error skip"},
      {"{\"id\":\"a\",\"text\":3.5}\n",
       "field \"text\" must be a string, got non-integer number"},
      {"{\"id\":null,\"text\":\"x\"}\n",
       "field \"id\" must be a string or an integer, got null"},
  };
  CreateIndex("idx");
  for (const auto& [line, message] : cases) {
    WriteAll(dir_ / "in.jsonl", line);
    ChildResult r = Nd({"cluster", "in.jsonl", "--clusters", "out.jsonl"});
    ExpectError(r, 2, "cluster", "in.jsonl:1: " + message);
    EXPECT_FALSE(std::filesystem::exists(dir_ / "out.jsonl"));
    r = NdWithStdin({"stream", "idx"}, "in.jsonl");
    ExpectError(r, 2, "stream", "stdin:1: " + message);
  }
  EXPECT_EQ(IndexedDocuments("idx"), 0u);
  // An integer id is fine: its decimal text is the id.
  WriteAll(dir_ / "in.jsonl", "{\"id\":7,\"text\":\"x\"}\n");
  ChildResult r = NdWithStdin({"stream", "idx"}, "in.jsonl");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("{\"id\":\"7\""));
}

// Rows: duplicate ids within a file, across files, and already indexed.
TEST_F(BadInput, DuplicateIds) {
  WriteAll(dir_ / "one.jsonl", JsonRecord("a", Story(6)) +
                                   JsonRecord("b", Story(7)) +
                                   JsonRecord("a", Story(8)));
  WriteAll(dir_ / "two.jsonl", JsonRecord("b", Story(9)));
  const auto before = Disk();
  ChildResult r = Nd({"cluster", "one.jsonl", "--clusters", "out.jsonl"});
  ExpectError(r, 2, "cluster",
              "one.jsonl:3: duplicate id \"a\" (first seen at one.jsonl:1); "
              "ids must be unique, or pass --on-error skip to keep the first");
  EXPECT_EQ(Disk(), before);
  r = Nd({"cluster", "two.jsonl", "one.jsonl"});
  ExpectError(r, 2, "cluster",
              "one.jsonl:2: duplicate id \"b\" (first seen at two.jsonl:1)");
  r = Nd({"cluster", "one.jsonl", "--on-error", "skip", "--dedup",
          "dedup.jsonl", "--clusters", ""});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadAll(dir_ / "dedup.jsonl"),
            JsonRecord("a", Story(6)) + JsonRecord("b", Story(7)));

  // Already indexed: the same text is `exists`; another text is refused,
  // after the records before it were added and printed.
  CreateIndex("idx");
  WriteAll(dir_ / "first.jsonl", JsonRecord("a", Story(6)));
  ASSERT_EQ(Nd({"index", "add", "idx", "first.jsonl", "-q"}).exit_code, 0);
  r = Nd({"index", "add", "idx", "first.jsonl", "-q"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("{\"id\":\"a\",\"status\":\"exists\""));
  WriteAll(dir_ / "again.jsonl",
           JsonRecord("c", Story(10)) + JsonRecord("a", Story(11)));
  r = Nd({"index", "add", "idx", "again.jsonl"});
  ExpectError(r, 2, "index add",
              "again.jsonl:2: id \"a\" is already in the index with a "
              "different text; remove it first to replace it, or pass "
              "--on-error skip");
  EXPECT_THAT(r.out, StartsWith("{\"id\":\"c\",\"status\":\"new\""));
  EXPECT_EQ(IndexedDocuments("idx"), 2u);
  // one.jsonl re-sends a (exists), adds b, then meets a with another text.
  r = NdWithStdin({"stream", "idx"}, "one.jsonl");
  ExpectError(r, 2, "stream",
              "stdin:3: id \"a\" is already in the index with a different "
              "text; remove it first to replace it, or pass --on-error skip");
  EXPECT_EQ(Lines(r.out).size(), 2u);
  EXPECT_EQ(IndexedDocuments("idx"), 3u);
  // `index add` reads the whole file first: the duplicate stops it before
  // anything is added.
  r = Nd({"index", "add", "idx", "one.jsonl"});
  ExpectError(r, 2, "index add", "one.jsonl:3: duplicate id \"a\"");
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_EQ(IndexedDocuments("idx"), 3u);
}

// Row: empty input. Not an error: no documents, an empty clusters file.
TEST_F(BadInput, EmptyInputGivesEmptyOutput) {
  WriteAll(dir_ / "empty.jsonl", "");
  WriteAll(dir_ / "blank.jsonl", "\n  \n\r\n");
  for (const std::string name : {"empty.jsonl", "blank.jsonl"}) {
    ChildResult r = Nd({"cluster", name, "--clusters", "out.jsonl"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.err, StartsWith("neardup cluster: 0 documents (0.0 MB)"));
    ASSERT_TRUE(std::filesystem::exists(dir_ / "out.jsonl"));
    EXPECT_THAT(ReadAll(dir_ / "out.jsonl"), IsEmpty());
  }
  ChildResult r = NdWithStdin({"cluster", "-", "-q"}, "empty.jsonl");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, IsEmpty());
  CreateIndex("idx");
  r = NdWithStdin({"stream", "idx"}, "empty.jsonl");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_THAT(r.err, HasSubstr("0 records"));
}

// Row: a truncated .gz or .zst file (also on standard input).
TEST_F(BadInput, TruncatedCompressedFilesAreRefused) {
  std::string plain;
  for (int i = 0; i < 40; ++i)
    plain += JsonRecord(absl::StrCat("d", i), Story(i));
  const std::string gz = Gzip(plain);
  const std::string zst = Zstd(plain);
  WriteAll(dir_ / "cut.jsonl.gz", gz.substr(0, gz.size() / 2));
  WriteAll(dir_ / "cut.jsonl.zst", zst.substr(0, zst.size() / 2));
  const auto before = Disk();
  ChildResult r = Nd({"cluster", "cut.jsonl.gz", "--clusters", "out.jsonl"});
  ExpectError(r, 2, "cluster",
              absl::StrCat("cut.jsonl.gz: truncated gzip data (the file ends "
                           "inside a member after ",
                           gz.size() / 2,
                           " bytes); re-download or re-compress the file"));
  r = Nd({"cluster", "cut.jsonl.zst", "--clusters", "out.jsonl"});
  ExpectError(r, 2, "cluster",
              absl::StrCat("cut.jsonl.zst: truncated zstd data (the file ends "
                           "inside a frame after ",
                           zst.size() / 2, " bytes)"));
  r = NdWithStdin({"cluster", "-", "--clusters", "out.jsonl"}, "cut.jsonl.gz");
  ExpectError(r, 2, "cluster", "<stdin>: truncated gzip data");
  CreateIndex("idx");
  const auto index_before = Disk();
  r = Nd({"index", "add", "idx", "cut.jsonl.zst"});
  ExpectError(r, 2, "index add", "cut.jsonl.zst: truncated zstd data");
  EXPECT_EQ(IndexedDocuments("idx"), 0u);
  EXPECT_EQ(Disk().size(), index_before.size() + 1) << "only the lock file";
  std::filesystem::remove_all(dir_ / "idx");
  EXPECT_EQ(Disk(), before);
}

// Row: a directory with unreadable files. The run stops at the first file
// it cannot read, naming it. Root reads every file whatever its mode, so
// as root the command runs as user nobody.
TEST_F(BadInput, UnreadableFilesInADirectoryStopTheRun) {
  std::filesystem::create_directories(dir_ / "docs" / "sub");
  WriteAll(dir_ / "docs" / "a.txt", Story(1));
  WriteAll(dir_ / "docs" / "sub" / "b.txt", Story(1));
  ChildOptions options;
  if (::geteuid() == 0) {
    options.uid = 65534;
    options.gid = 65534;
  }
  ::chmod((dir_ / "docs" / "sub" / "b.txt").c_str(), 0);
  ChildResult r = Nd({"cluster", "docs", "-q"}, options);
  if (r.exit_code == 126 || r.exit_code == 127) {
    GTEST_SKIP() << "cannot run the tool as user nobody (65534), which this "
                    "row needs as root: "
                 << r.err;
  }
  ExpectError(r, 2, "cluster",
              "docs/sub/b.txt: cannot open: Permission denied; check the "
              "file's permissions");
  EXPECT_THAT(r.out, IsEmpty());
  ::chmod((dir_ / "docs" / "sub" / "b.txt").c_str(), 0644);
  ::chmod((dir_ / "docs" / "sub").c_str(), 0);
  r = Nd({"cluster", "docs", "-q"}, options);
  ExpectError(r, 2, "cluster",
              "docs: cannot list docs/sub: Permission denied; check the "
              "directory's permissions");
  ::chmod((dir_ / "docs" / "sub").c_str(), 0755);
  r = Nd({"cluster", "docs", "-q"}, options);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"sub/b.txt\""));
}

// Row: symbolic link loops. An input that is a loop, and a *.txt link in a
// directory that leads nowhere, are refused; a directory link back up the
// tree is not followed.
TEST_F(BadInput, SymbolicLinkLoops) {
  std::filesystem::create_symlink("loop.jsonl", dir_ / "loop.jsonl");
  ChildResult r = Nd({"cluster", "loop.jsonl"});
  ExpectError(r, 2, "cluster",
              "loop.jsonl: cannot open: Too many levels of symbolic links (a "
              "symbolic link loop); point the link at a file");

  std::filesystem::create_directories(dir_ / "docs" / "sub");
  WriteAll(dir_ / "docs" / "a.txt", Story(2));
  WriteAll(dir_ / "docs" / "sub" / "b.txt", Story(2));
  std::filesystem::create_directory_symlink("..", dir_ / "docs" / "sub" / "up");
  r = Nd({"cluster", "docs", "-q"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"members\":[{\"id\":\"a.txt\""));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("up/")));

  std::filesystem::create_symlink("x.txt", dir_ / "docs" / "x.txt");
  r = Nd({"cluster", "docs", "-q"});
  ExpectError(r, 2, "cluster",
              "docs/x.txt: cannot read: Too many levels of symbolic links (a "
              "symbolic link loop); fix or remove the link");
  std::filesystem::remove(dir_ / "docs" / "x.txt");
  std::filesystem::create_symlink("gone.txt", dir_ / "docs" / "y.txt");
  r = Nd({"cluster", "docs", "-q"});
  ExpectError(r, 2, "cluster",
              "docs/y.txt: cannot read: No such file or directory (a symbolic "
              "link to a missing file); fix or remove the link");
}

// Row: a FIFO as input. Read to its end like a file; a FIFO named *.txt in a
// directory is not a regular file and is skipped (reading it would block).
TEST_F(BadInput, FifoAsInput) {
  const std::string records = JsonRecord("a", Story(3)) +
                              JsonRecord("b", Story(3)) +
                              JsonRecord("c", Story(4));
  WriteAll(dir_ / "plain.jsonl", records);
  ChildResult expected = Nd({"cluster", "plain.jsonl", "-q"});
  ASSERT_EQ(expected.exit_code, 0);
  ASSERT_EQ(::mkfifo((dir_ / "feed.fifo").c_str(), 0644), 0);
  const std::string fifo = (dir_ / "feed.fifo").string();
  std::thread writer([&] {
    std::ofstream out(fifo, std::ios::binary);
    out << records;
  });
  ChildResult r = Nd({"cluster", "feed.fifo", "-q"});
  writer.join();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, expected.out);

  std::filesystem::create_directories(dir_ / "docs");
  WriteAll(dir_ / "docs" / "a.txt", Story(5));
  ASSERT_EQ(::mkfifo((dir_ / "docs" / "pipe.txt").c_str(), 0644), 0);
  ChildOptions options;
  options.args = {cli_, "cluster", "docs"};
  options.dir = dir_.string();
  Child child(options);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (child.Pump(100)) {
    if (std::chrono::steady_clock::now() > deadline) {
      child.Kill();
      ADD_FAILURE() << "neardup cluster blocked on a FIFO in a directory";
      break;
    }
  }
  r = child.Wait();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("1 documents"));
}

// Row: an index from a newer version. Refused by every command, naming both
// versions; nothing on disk changes (not even a lock file appears).
TEST_F(BadInput, IndexFromANewerVersionIsRefused) {
  CreateIndex("idx");
  const std::filesystem::path meta = dir_ / "idx" / internal::kMetaFile;
  std::string bytes = ReadAll(meta);
  std::string newer;
  internal::AppendFileHeader(
      {internal::kMetaMagic, kBoilerplateIndexFormatVersion + 1, 0}, &newer);
  newer += bytes.substr(internal::kFileHeaderBytes);
  WriteAll(meta, newer);
  WriteAll(dir_ / "in.jsonl", JsonRecord("a", Story(1)));
  const auto before = Disk();
  const std::string message = absl::StrCat(
      "idx/meta: written by index format version ",
      kBoilerplateIndexFormatVersion + 1, "; this neardup reads up to version ",
      kBoilerplateIndexFormatVersion, " (upgrade neardup)");
  ExpectError(Nd({"index", "add", "idx", "in.jsonl"}), 2, "index add", message);
  ExpectError(NdWithStdin({"stream", "idx"}, "in.jsonl"), 2, "stream", message);
  ExpectError(Nd({"index", "stats", "idx"}), 2, "index stats", message);
  ExpectError(Nd({"index", "verify", "idx"}), 2, "index verify", message);
  ExpectError(Nd({"index", "compact", "idx"}), 2, "index compact", message);
  EXPECT_EQ(Disk(), before);
}

// Row: two writers. The second is refused while the first holds the index;
// readers go on; the first finishes normally.
TEST_F(BadInput, SecondWriterIsRefused) {
  CreateIndex("idx");
  WriteAll(dir_ / "more.jsonl", JsonRecord("m", Story(2)));
  ChildOptions options;
  options.args = {cli_, "stream", "idx"};
  options.dir = dir_.string();
  options.pipe_stdin = true;
  options.keep_stdin_open = true;
  options.stdin_data = JsonRecord("a", Story(1));
  Child first(options);
  // Its decision shows that it holds the index.
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (first.out().find('\n') == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    first.Pump(100);
  }
  ASSERT_THAT(first.out(), StartsWith("{\"id\":\"a\",\"status\":\"new\""));
  const std::string locked =
      "idx: index is locked by another writer (only one process may add to "
      "an index at a time)";
  ExpectError(Nd({"index", "add", "idx", "more.jsonl"}), 2, "index add",
              locked);
  ExpectError(NdWithStdin({"stream", "idx"}, "more.jsonl"), 2, "stream",
              locked);
  ExpectError(Nd({"index", "compact", "idx"}), 2, "index compact", locked);
  ChildResult stats = Nd({"index", "stats", "idx"});
  EXPECT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_THAT(stats.out, HasSubstr("\"documents\":1,"));
  first.CloseStdin();
  ChildResult r = first.Wait();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(IndexedDocuments("idx"), 1u);
  auto index = Index::Open((dir_ / "idx").string(), {.read_only = true});
  ASSERT_TRUE(index.ok());
  EXPECT_FALSE((*index)->Contains("m"));
}

}  // namespace
}  // namespace neardup::testing
