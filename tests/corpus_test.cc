#include "neardup/corpus.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "neardup/index.h"
#include "simdjson.h"
#include "src/internal/json_fields.h"
#include "src/internal/read_file.h"
#include "src/internal/utf8_repair.h"
#include "tests/support/compress.h"
#include "tests/support/status_matchers.h"

namespace neardup {
namespace {

namespace fs = std::filesystem;
using ::neardup::testing::IsOk;
using ::neardup::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// --- Fixture generators (the library's own dependencies, no shelling out).

using ::neardup::testing::Gzip;
using ::neardup::testing::Zstd;

// A zstd frame that does not state its decompressed size, as streaming
// compressors write them.
std::string ZstdWithoutSize(const std::string& data) {
  ZSTD_CStream* stream = ZSTD_createCStream();
  ZSTD_initCStream(stream, 3);
  std::string out;
  std::string chunk(ZSTD_CStreamOutSize(), '\0');
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  while (in.pos < in.size) {
    ZSTD_outBuffer buffer{chunk.data(), chunk.size(), 0};
    EXPECT_FALSE(ZSTD_isError(ZSTD_compressStream(stream, &buffer, &in)));
    out.append(chunk.data(), buffer.pos);
  }
  for (;;) {
    ZSTD_outBuffer buffer{chunk.data(), chunk.size(), 0};
    size_t left = ZSTD_endStream(stream, &buffer);
    out.append(chunk.data(), buffer.pos);
    if (left == 0) break;
  }
  ZSTD_freeCStream(stream);
  return out;
}

class CorpusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* info =
        ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(::testing::TempDir()) /
           absl::StrCat("corpus_test_", info->name(), "_", ::getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    old_cwd_ = fs::current_path();
    // Paths in messages are then short and predictable.
    fs::current_path(dir_);
  }
  void TearDown() override {
    fs::current_path(old_cwd_);
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  static void WriteFile(const std::string& path, const std::string& bytes) {
    fs::path parent = fs::path(path).parent_path();
    if (!parent.empty()) fs::create_directories(parent);
    std::ofstream out(path, std::ios::binary);
    out << bytes;
  }

  static absl::StatusOr<std::unique_ptr<Corpus>> Load(
      const std::vector<std::string>& inputs, InputOptions options = {}) {
    if (options.threads == 0) options.threads = 2;
    return LoadCorpus(inputs, options);
  }

  static std::vector<std::string> Ids(const Corpus& corpus) {
    std::vector<std::string> ids;
    for (size_t i = 0; i < corpus.size(); ++i) {
      ids.emplace_back(corpus.Id(i));
    }
    return ids;
  }

  static std::vector<std::string> Texts(const Corpus& corpus) {
    std::vector<std::string> texts;
    TextScratch scratch;
    for (size_t i = 0; i < corpus.size(); ++i) {
      absl::StatusOr<absl::string_view> text = corpus.Text(i, &scratch);
      EXPECT_THAT(text, IsOk());
      texts.emplace_back(text.ok() ? *text : "<error>");
    }
    return texts;
  }

  fs::path dir_;
  fs::path old_cwd_;
};

constexpr char kThreeRecords[] =
    R"({"id": "a", "source": "x", "text": "first text"})"
    "\n"
    R"({"id": "b", "text": "second\ntext", "extra": [1, 2]})"
    "\n"
    R"({"text": "third", "id": "c"})"
    "\n";

TEST_F(CorpusTest, LoadsJsonLines) {
  WriteFile("feed.jsonl", kThreeRecords);
  auto corpus = Load({"feed.jsonl"});
  ASSERT_THAT(corpus, IsOk());
  const Corpus& c = **corpus;
  EXPECT_THAT(Ids(c), ElementsAre("a", "b", "c"));
  EXPECT_THAT(Texts(c), ElementsAre("first text", "second\ntext", "third"));
  EXPECT_EQ(c.Raw(1),
            R"({"id": "b", "text": "second\ntext", "extra": [1, 2]})");
  EXPECT_EQ(c.Location(2), "feed.jsonl:3");
  EXPECT_EQ(c.stats().records, 3u);
  EXPECT_EQ(c.stats().skipped, 0u);
  EXPECT_EQ(c.stats().input_bytes, std::string(kThreeRecords).size());
}

// Plain files are mapped, with zero padding for simdjson after the last byte.
// Files that end at, just before and just after a page boundary, with and
// without a final newline, load whole (a padding page past the file's end
// would raise SIGBUS), the corpus keeps the mapping alive, and texts read
// after ReleaseInputPages() are the same.
TEST_F(CorpusTest, MappedFilesEndingNearAPageBoundaryLoadWhole) {
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  for (size_t size :
       {page - 70, page - 64, page - 1, page, page + 1, 2 * page}) {
    for (bool newline : {true, false}) {
      // One record padded with spaces inside its text to the exact size.
      const std::string head = R"({"id": "a", "text": ")";
      const std::string tail = newline ? "\"}\n" : "\"}";
      ASSERT_GT(size, head.size() + tail.size());
      const std::string text(size - head.size() - tail.size(), 'x');
      const std::string bytes = head + text + tail;
      ASSERT_EQ(bytes.size(), size);
      WriteFile("page.jsonl", bytes);
      std::unique_ptr<Corpus> corpus;
      {
        auto loaded = Load({"page.jsonl"});
        ASSERT_THAT(loaded, IsOk()) << size << " " << newline;
        corpus = std::move(loaded).value();
      }
      fs::remove("page.jsonl");  // The mapping outlives the file's name.
      EXPECT_EQ(corpus->stats().input_bytes, size);
      EXPECT_THAT(Texts(*corpus), ElementsAre(text)) << size << " " << newline;
      // Released pages come back unchanged on the next read.
      corpus->ReleaseInputPages();
      EXPECT_THAT(Texts(*corpus), ElementsAre(text)) << size << " " << newline;
    }
  }
}

TEST_F(CorpusTest, UnescapedTextIsServedFromTheLineItself) {
  WriteFile("feed.jsonl", kThreeRecords);
  auto corpus = Load({"feed.jsonl"});
  ASSERT_THAT(corpus, IsOk());
  TextScratch scratch;
  absl::StatusOr<absl::string_view> text = (*corpus)->Text(0, &scratch);
  ASSERT_THAT(text, IsOk());
  absl::string_view raw = (*corpus)->Raw(0);
  EXPECT_GE(text->data(), raw.data());
  EXPECT_LE(text->data() + text->size(), raw.data() + raw.size());
}

TEST_F(CorpusTest, IntegerIdsBecomeDecimalText) {
  WriteFile("feed.jsonl", R"({"id": 17, "text": "a"})"
                          "\n"
                          R"({"id": -3, "text": "b"})"
                          "\n"
                          R"({"id": 18446744073709551615, "text": "c"})"
                          "\n");
  auto corpus = Load({"feed.jsonl"});
  ASSERT_THAT(corpus, IsOk());
  EXPECT_THAT(Ids(**corpus), ElementsAre("17", "-3", "18446744073709551615"));
}

TEST_F(CorpusTest, BlankLinesAreIgnoredButKeepLineNumbers) {
  WriteFile("feed.jsonl",
            "\n"
            R"({"id": "a", "text": "x"})"
            "\n   \n\t\r\n"
            R"({"id": "b", "text": "y"})"
            "\n\n");
  auto corpus = Load({"feed.jsonl"});
  ASSERT_THAT(corpus, IsOk());
  EXPECT_THAT(Ids(**corpus), ElementsAre("a", "b"));
  EXPECT_EQ((*corpus)->Location(0), "feed.jsonl:2");
  EXPECT_EQ((*corpus)->Location(1), "feed.jsonl:5");
}

TEST_F(CorpusTest, CrlfLineEndsAreStripped) {
  WriteFile("feed.jsonl",
            "{\"id\": \"a\", \"text\": \"x\"}\r\n"
            "{\"id\": \"b\", \"text\": \"y\"}\r\n");
  auto corpus = Load({"feed.jsonl"});
  ASSERT_THAT(corpus, IsOk());
  EXPECT_EQ((*corpus)->Raw(0), "{\"id\": \"a\", \"text\": \"x\"}");
  EXPECT_THAT(Texts(**corpus), ElementsAre("x", "y"));
}

TEST_F(CorpusTest, LastLineNeedsNoNewlineAndByteOrderMarkIsIgnored) {
  WriteFile("feed.jsonl",
            "\xEF\xBB\xBF{\"id\": \"a\", \"text\": \"x\"}\n"
            "{\"id\": \"b\", \"text\": \"y\"}");
  auto corpus = Load({"feed.jsonl"});
  ASSERT_THAT(corpus, IsOk());
  EXPECT_THAT(Ids(**corpus), ElementsAre("a", "b"));
  EXPECT_EQ((*corpus)->Raw(0), "{\"id\": \"a\", \"text\": \"x\"}");
}

TEST_F(CorpusTest, EmptyFileGivesAnEmptyCorpus) {
  WriteFile("empty.jsonl", "");
  WriteFile("blank.jsonl", "\n\n  \n");
  auto corpus = Load({"empty.jsonl", "blank.jsonl"});
  ASSERT_THAT(corpus, IsOk());
  EXPECT_EQ((*corpus)->size(), 0u);
}

TEST_F(CorpusTest, EscapedTextRoundTrips) {
  // \n, \", \\, \/, \t, \u0627 (Arabic alef), \ud83d\ude00 (a surrogate
  // pair for U+1F600) and \u0000.
  WriteFile(
      "feed.jsonl",
      R"({"id": "e", "text": "a\nb \"q\" c\\d \/ \t \u0627 \ud83d\ude00 \u0000!"})"
      "\n");
  auto corpus = Load({"feed.jsonl"});
  ASSERT_THAT(corpus, IsOk());
  TextScratch scratch;
  absl::StatusOr<absl::string_view> text = (*corpus)->Text(0, &scratch);
  ASSERT_THAT(text, IsOk());
  static const char kExpected[] =
      "a\nb \"q\" c\\d / \t \xD8\xA7 \xF0\x9F\x98\x80 \0!";
  EXPECT_EQ(*text, absl::string_view(kExpected, sizeof(kExpected) - 1));
  EXPECT_EQ(
      (*corpus)->Raw(0),
      R"({"id": "e", "text": "a\nb \"q\" c\\d \/ \t \u0627 \ud83d\ude00 \u0000!"})");
}

TEST_F(CorpusTest, EscapedIdsAreUnescaped) {
  WriteFile("feed.jsonl", R"({"id": "a\"b\u00e9", "text": "x"})"
                          "\n");
  auto corpus = Load({"feed.jsonl"});
  ASSERT_THAT(corpus, IsOk());
  EXPECT_EQ((*corpus)->Id(0), "a\"b\xC3\xA9");
}

TEST_F(CorpusTest, FindsTextAfterNestedValuesAndEscapedKeys) {
  WriteFile("feed.jsonl",
            R"({"id": "a", "meta": {"x": ["}", {"y": "\"{["}], "z": null}, )"
            R"("n": -1.5e3, "b": true, "text" : "t\"x" })"
            "\n"
            // The key is "text" once unescaped, as simdjson sees it.
            R"({"id": "b", "te\u0078t": "escaped key\n"})"
            "\n"
            // With repeated keys the first one counts.
            R"({"id": "c", "text": "first\t", "text": "second"})"
            "\n"
            R"({"text":"tight","id":"d"})"
            "\n");
  auto corpus = Load({"feed.jsonl"});
  ASSERT_THAT(corpus, IsOk());
  EXPECT_THAT(Texts(**corpus),
              ElementsAre("t\"x", "escaped key\n", "first\t", "tight"));
}

// Found by tests/fuzz/corpus_fuzzer.cc: a record repaired for invalid UTF-8
// whose text key is written with an escape ("te\u0078t") could not be
// rewritten (`neardup passages --strip`): RawWithText looked for the key
// spelled "text" and failed with an internal error.
TEST_F(CorpusTest, RawWithTextFindsEscapedKeysInRepairedRecords) {
  WriteFile("feed.jsonl",
            "{\"id\": \"a\", \"te\\u0078t\": \"caf\xE9 ok\", \"n\": 1}\n"
            "{\"id\": \"b\", \"text\": \"first\", \"te\\u0078t\": \"\xFF\"}\n"
            "{\"id\": \"c\", \"x\": \"\xFF\", \"text\": \"esc\\\"aped\"}\n");
  auto corpus = Load({"feed.jsonl"});
  ASSERT_THAT(corpus, IsOk());
  EXPECT_EQ((*corpus)->stats().invalid_utf8_records, 3u);
  EXPECT_THAT(Texts(**corpus),
              ElementsAre("caf\xEF\xBF\xBD ok", "first", "esc\"aped"));
  const std::string expected[] = {
      "{\"id\": \"a\", \"te\\u0078t\": \"new\", \"n\": 1}",
      // The first member named "text" counts, as when loading.
      "{\"id\": \"b\", \"text\": \"new\", \"te\\u0078t\": \"\xFF\"}",
      "{\"id\": \"c\", \"x\": \"\xFF\", \"text\": \"new\"}"};
  for (size_t i = 0; i < 3; ++i) {
    absl::StatusOr<std::string> raw = (*corpus)->RawWithText(i, "new");
    ASSERT_THAT(raw, IsOk()) << i;
    EXPECT_EQ(*raw, expected[i]);
  }
}

TEST_F(CorpusTest, OtherFieldNamesCanBeChosen) {
  WriteFile("feed.jsonl", R"({"doc": 5, "body": "hello", "text": 1})"
                          "\n");
  InputOptions options;
  options.id_field = "doc";
  options.text_field = "body";
  auto corpus = Load({"feed.jsonl"}, options);
  ASSERT_THAT(corpus, IsOk());
  EXPECT_THAT(Ids(**corpus), ElementsAre("5"));
  EXPECT_THAT(Texts(**corpus), ElementsAre("hello"));
}

// --- Bad records under --on-error fail.

struct BadLineCase {
  std::string name;
  std::string line;
  std::vector<std::string> message_parts;
};

class BadLineTest : public CorpusTest,
                    public ::testing::WithParamInterface<BadLineCase> {};

TEST_P(BadLineTest, FailsNamingFileLineAndFix) {
  const BadLineCase& test_case = GetParam();
  WriteFile("feed.jsonl", R"({"id": "ok", "text": "fine"})"
                          "\n\n" +
                              test_case.line + "\n");
  InputOptions options;
  options.max_document_bytes = 20;
  auto corpus = Load({"feed.jsonl"}, options);
  ASSERT_THAT(corpus, StatusIs(absl::StatusCode::kInvalidArgument,
                               HasSubstr("feed.jsonl:3: ")));
  for (const std::string& part : test_case.message_parts) {
    EXPECT_THAT(corpus.status().message(), HasSubstr(part));
  }
  EXPECT_EQ(corpus.status().message().find('\n'), absl::string_view::npos);
}

// `neardup stream` reads records one line at a time with RecordParser; it
// must refuse exactly what the batch loader refuses, with the same words.
TEST_P(BadLineTest, StreamingParserGivesTheLoadersMessage) {
  const BadLineCase& test_case = GetParam();
  if (test_case.name == "DuplicateId") {
    // A line on its own has no earlier id: duplicates are for the reader
    // that keeps a history (the loader, or the index), not the parser.
    RecordParser parser(InputOptions{});
    std::string id, text;
    EXPECT_THAT(parser.Parse(test_case.line, &id, &text), IsOk());
    EXPECT_EQ(id, "ok");
    return;
  }
  WriteFile("feed.jsonl", test_case.line + "\n");
  InputOptions options;
  options.max_document_bytes = 20;
  options.on_error = OnError::kSkip;  // No advice about --on-error.
  auto corpus = Load({"feed.jsonl"}, options);
  ASSERT_THAT(corpus, IsOk());
  ASSERT_EQ((*corpus)->stats().skipped_examples.size(), 1u);
  const std::string& loader = (*corpus)->stats().skipped_examples[0];
  const std::string prefix = "feed.jsonl:1: ";
  ASSERT_EQ(loader.substr(0, prefix.size()), prefix) << loader;

  RecordParser parser(options);
  std::string id = "stale", text = "stale";
  absl::Status status = parser.Parse(test_case.line, &id, &text);
  EXPECT_THAT(status,
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::_));
  EXPECT_EQ(std::string(status.message()), loader.substr(prefix.size()));

  // Under --on-error fail both end with the same advice.
  options.on_error = OnError::kFail;
  auto failed = Load({"feed.jsonl"}, options);
  ASSERT_FALSE(failed.ok());
  const std::string loader_error(failed.status().message());
  ASSERT_EQ(loader_error.substr(0, prefix.size()), prefix) << loader_error;
  RecordParser failing_parser(options);
  status = failing_parser.Parse(test_case.line, &id, &text);
  EXPECT_EQ(std::string(status.message()), loader_error.substr(prefix.size()));
}

TEST(RecordParser, ReadsWhatTheLoaderReads) {
  RecordParser parser(InputOptions{});
  std::string id, text;
  ASSERT_THAT(
      parser.Parse(R"({"text": "a\u00e9b", "id": 18446744073709551615})", &id,
                   &text),
      IsOk());
  EXPECT_EQ(id, "18446744073709551615");
  EXPECT_EQ(text,
            "a\xc3\xa9"
            "b");
  ASSERT_THAT(
      parser.Parse(R"({"id": -7, "text": "x", "id": "later"})", &id, &text),
      IsOk());
  EXPECT_EQ(id, "-7");  // The first of repeated keys counts.
  EXPECT_EQ(text, "x");
}

INSTANTIATE_TEST_SUITE_P(
    Messages, BadLineTest,
    ::testing::Values(
        BadLineCase{
            "NotJson",
            R"({"id": "x", "text": })",
            {"not valid JSON (", "fix the line or pass --on-error skip"}},
        BadLineCase{"TruncatedJson",
                    R"({"id": "x", "text": "abc)",
                    {"not valid JSON (", "--on-error skip"}},
        BadLineCase{"TrailingGarbage",
                    R"({"id": "x", "text": "abc"} x)",
                    {"not valid JSON ("}},
        BadLineCase{"Array",
                    R"(["id", "text"])",
                    {"not a JSON object (got array)", "--on-error skip"}},
        BadLineCase{
            "String", R"("just a string")", {"not a JSON object (got string)"}},
        BadLineCase{"MissingText",
                    R"({"id": "x", "body": "y"})",
                    {"missing field \"text\"",
                     "use --text-field to name the field that holds the text"}},
        BadLineCase{"MissingId",
                    R"({"text": "y"})",
                    {"missing field \"id\"", "use --id-field"}},
        BadLineCase{"ArrayId",
                    R"({"id": [1], "text": "y"})",
                    {"field \"id\" must be a string or an integer, got array"}},
        BadLineCase{"FractionalId",
                    R"({"id": 1.5, "text": "y"})",
                    {"field \"id\" must be a string or an integer, got "
                     "non-integer number"}},
        BadLineCase{"NullId", R"({"id": null, "text": "y"})", {"got null"}},
        BadLineCase{"NumberText",
                    R"({"id": "x", "text": 12})",
                    {"field \"text\" must be a string, got integer"}},
        BadLineCase{"ObjectText",
                    R"({"id": "x", "text": {"a": "b"}})",
                    {"must be a string, got object"}},
        BadLineCase{"TooLarge",
                    R"({"id": "x", "text": "123456789012345678901"})",
                    {"text is 21 bytes, over the limit of 20 bytes",
                     "--on-error skip"}},
        // Text could be repaired; an id must stay exact ("a\xff" and
        // "a\xfe" would both read "a\uFFFD").
        BadLineCase{"InvalidUtf8Id",
                    "{\"id\": \"a\xff\", \"text\": \"y\"}",
                    {"is not valid UTF-8", "ids must stay exact",
                     "fix the id in the source or pass --on-error skip"}},
        BadLineCase{"DuplicateId",
                    R"({"id": "ok", "text": "again"})",
                    {"duplicate id \"ok\" (first seen at feed.jsonl:1); ids "
                     "must be unique, or pass --on-error skip to keep the "
                     "first"}}),
    [](const ::testing::TestParamInfo<BadLineCase>& param_info) {
      return param_info.param.name;
    });

TEST_F(CorpusTest, FirstBadLineInInputOrderIsReported) {
  std::string content;
  for (int i = 0; i < 5000; ++i) {
    if (i == 3001 || i == 4500) {
      content += "{broken\n";
    } else {
      content += absl::StrCat(R"({"id": )", i, R"(, "text": "t"})", "\n");
    }
  }
  WriteFile("feed.jsonl", content);
  for (int threads : {1, 2, 7}) {
    InputOptions options;
    options.threads = threads;
    EXPECT_THAT(Load({"feed.jsonl"}, options),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("feed.jsonl:3002: not valid JSON")));
  }
}

TEST_F(CorpusTest, DuplicateIdsAcrossFilesNameBothPlaces) {
  WriteFile("one.jsonl", R"({"id": "a", "text": "x"})"
                         "\n");
  WriteFile("two.jsonl",
            "\n"
            R"({"id": "a", "text": "y"})"
            "\n");
  EXPECT_THAT(Load({"one.jsonl", "two.jsonl"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("two.jsonl:2: duplicate id \"a\" (first seen "
                                 "at one.jsonl:1)")));
}

TEST_F(CorpusTest, IntegerAndStringIdsWithTheSameTextAreDuplicates) {
  WriteFile("feed.jsonl", R"({"id": 7, "text": "x"})"
                          "\n"
                          R"({"id": "7", "text": "y"})"
                          "\n");
  EXPECT_THAT(Load({"feed.jsonl"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("feed.jsonl:2: duplicate id \"7\"")));
}

TEST_F(CorpusTest, MissingFileIsNotFound) {
  EXPECT_THAT(Load({"missing.jsonl"}),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("missing.jsonl: cannot open: No such file or "
                                 "directory")));
}

TEST_F(CorpusTest, BadOptionsAreRejected) {
  InputOptions options;
  options.max_document_bytes = uint64_t{1} << 32;
  EXPECT_THAT(LoadCorpus({}, options),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("max_document_bytes")));
}

// --- --on-error skip.

TEST_F(CorpusTest, SkipModeCountsAndRemembersBadRecords) {
  WriteFile("feed.jsonl", R"({"id": "a", "text": "kept"})"
                          "\n"
                          "not json\n"
                          R"({"id": "b"})"
                          "\n"
                          R"({"id": "a", "text": "duplicate"})"
                          "\n"
                          R"({"id": "c", "text": "kept too"})"
                          "\n"
                          "[1]\n");
  InputOptions options;
  options.on_error = OnError::kSkip;
  auto corpus = Load({"feed.jsonl"}, options);
  ASSERT_THAT(corpus, IsOk());
  const Corpus& c = **corpus;
  EXPECT_THAT(Ids(c), ElementsAre("a", "c"));
  EXPECT_THAT(Texts(c), ElementsAre("kept", "kept too"));
  EXPECT_EQ(c.stats().records, 2u);
  EXPECT_EQ(c.stats().skipped, 4u);
  ASSERT_EQ(c.stats().skipped_examples.size(), 4u);
  EXPECT_THAT(c.stats().skipped_examples[0],
              AllOf(HasSubstr("feed.jsonl:2: not valid JSON"),
                    Not(HasSubstr("--on-error"))));
  EXPECT_THAT(c.stats().skipped_examples[1],
              HasSubstr("feed.jsonl:3: missing field \"text\""));
  EXPECT_THAT(c.stats().skipped_examples[2],
              AllOf(HasSubstr("feed.jsonl:4: duplicate id \"a\" (first seen at "
                              "feed.jsonl:1)"),
                    Not(HasSubstr("--on-error"))));
  EXPECT_THAT(c.stats().skipped_examples[3], HasSubstr("feed.jsonl:6: "));
  EXPECT_EQ(c.Location(1), "feed.jsonl:5");
}

TEST_F(CorpusTest, SkipModeKeepsOnlyTenExamples) {
  std::string content;
  for (int i = 0; i < 25; ++i) content += absl::StrCat("bad ", i, "\n");
  content += R"({"id": "z", "text": "t"})"
             "\n";
  WriteFile("feed.jsonl", content);
  InputOptions options;
  options.on_error = OnError::kSkip;
  auto corpus = Load({"feed.jsonl"}, options);
  ASSERT_THAT(corpus, IsOk());
  EXPECT_EQ((*corpus)->size(), 1u);
  EXPECT_EQ((*corpus)->stats().skipped, 25u);
  ASSERT_EQ((*corpus)->stats().skipped_examples.size(), 10u);
  EXPECT_THAT((*corpus)->stats().skipped_examples[9],
              HasSubstr("feed.jsonl:10:"));
}

TEST_F(CorpusTest, ResultsDoNotDependOnThreadCount) {
  std::string content;
  for (int i = 0; i < 3000; ++i) {
    if (i % 97 == 5) {
      content += "{oops\n";
    } else {
      content += absl::StrCat(R"({"id": ")", i % 1000, R"(", "text": "t)", i,
                              R"(\n"})", "\n");
    }
  }
  WriteFile("feed.jsonl", content);
  InputOptions options;
  options.on_error = OnError::kSkip;
  options.threads = 1;
  auto one = Load({"feed.jsonl"}, options);
  options.threads = 5;
  auto five = Load({"feed.jsonl"}, options);
  ASSERT_THAT(one, IsOk());
  ASSERT_THAT(five, IsOk());
  EXPECT_EQ(Ids(**one), Ids(**five));
  EXPECT_EQ(Texts(**one), Texts(**five));
  EXPECT_EQ((*one)->stats().skipped, (*five)->stats().skipped);
  EXPECT_EQ((*one)->stats().skipped_examples,
            (*five)->stats().skipped_examples);
  EXPECT_EQ((*one)->size(), 1000u);
}

// --- Invalid UTF-8.

TEST_F(CorpusTest, InvalidUtf8LineIsSanitisedNotRejected) {
  const std::string line1 =
      "{\"id\": \"x\", \"text\": \"ab\xFF"
      "cd\"}";
  const std::string line2 =
      "{\"id\": \"y\", \"text\": \"e\\n\xC3(\\u0627\", \"k\": \"\xF0\x9F\"}";
  WriteFile("feed.jsonl", line1 + "\n" + line2 + "\n");
  auto corpus = Load({"feed.jsonl"});
  ASSERT_THAT(corpus, IsOk());
  EXPECT_EQ((*corpus)->stats().invalid_utf8_records, 2u);
  EXPECT_EQ((*corpus)->Raw(0), line1);
  EXPECT_EQ((*corpus)->Raw(1), line2);
  EXPECT_THAT(Texts(**corpus), ElementsAre("ab\xEF\xBF\xBD"
                                           "cd",
                                           "e\n\xEF\xBF\xBD(\xD8\xA7"));
}

TEST_F(CorpusTest, InvalidUtf8DoesNotHideBadJson) {
  WriteFile("feed.jsonl", "{\"id\": \"x\", \"text\": \"ab\xFF\"\n");
  EXPECT_THAT(Load({"feed.jsonl"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("feed.jsonl:1: not valid JSON")));
}

// --- Compressed input.

std::string ManyRecords(int count) {
  std::string content;
  for (int i = 0; i < count; ++i) {
    content += absl::StrCat(R"({"id": "r)", i, R"(", "text": "record number )",
                            i, R"( \u0627\n"})", "\n");
  }
  return content;
}

TEST_F(CorpusTest, ReadsGzipRecognisedByContent) {
  const std::string content = ManyRecords(50);
  WriteFile("plain.jsonl", content);
  WriteFile("packed.data", Gzip(content));  // No .gz suffix on purpose.
  auto plain = Load({"plain.jsonl"});
  auto packed = Load({"packed.data"});
  ASSERT_THAT(plain, IsOk());
  ASSERT_THAT(packed, IsOk());
  EXPECT_EQ((*packed)->size(), 50u);
  EXPECT_EQ(Ids(**plain), Ids(**packed));
  EXPECT_EQ(Texts(**plain), Texts(**packed));
  EXPECT_EQ((*packed)->stats().input_bytes, content.size());
  EXPECT_EQ((*packed)->Location(3), "packed.data:4");
}

TEST_F(CorpusTest, ReadsConcatenatedGzipMembers) {
  // Large, repetitive parts make the output buffer grow past any guess.
  const std::string part1 = ManyRecords(40000);
  std::string part2;
  for (int i = 0; i < 10; ++i) {
    part2 += absl::StrCat(R"({"id": "p)", i, R"(", "text": "two"})", "\n");
  }
  WriteFile("feed.jsonl.gz", Gzip(part1) + Gzip(part2));
  absl::StatusOr<internal::InputBytes> bytes =
      internal::ReadInput("feed.jsonl.gz");
  ASSERT_THAT(bytes, IsOk());
  EXPECT_EQ(bytes->compression, internal::InputBytes::Compression::kGzip);
  ASSERT_EQ(bytes->size, part1.size() + part2.size());
  EXPECT_EQ(bytes->data.size(), bytes->size + internal::kInputPadding);
  EXPECT_EQ(bytes->data.substr(0, bytes->size), part1 + part2);
  EXPECT_EQ(bytes->data.substr(bytes->size),
            std::string(internal::kInputPadding, '\0'));
  auto corpus = Load({"feed.jsonl.gz"});
  ASSERT_THAT(corpus, IsOk());
  EXPECT_EQ((*corpus)->size(), 40010u);
  EXPECT_EQ((*corpus)->Id(40009), "p9");
}

TEST_F(CorpusTest, TruncatedOrCorruptGzipIsRejected) {
  const std::string packed = Gzip(ManyRecords(100));
  WriteFile("cut.gz", packed.substr(0, packed.size() - 20));
  EXPECT_THAT(Load({"cut.gz"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("cut.gz: truncated gzip data"),
                             HasSubstr("re-download or re-compress"))));
  std::string corrupt = packed;
  for (size_t i = 20; i < 60; ++i) corrupt[i] = static_cast<char>(0xFF);
  WriteFile("corrupt.gz", corrupt);
  EXPECT_THAT(
      Load({"corrupt.gz"}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("corrupt.gz: corrupt gzip data at byte "),
                     HasSubstr("re-download or re-compress"))));
}

TEST_F(CorpusTest, ReadsZstdWithAndWithoutStatedSize) {
  const std::string content = ManyRecords(30000);
  const std::string sized = Zstd(content);
  const std::string unsized = ZstdWithoutSize(content);
  ASSERT_EQ(ZSTD_getFrameContentSize(unsized.data(), unsized.size()),
            ZSTD_CONTENTSIZE_UNKNOWN);
  WriteFile("sized.zst", sized);
  WriteFile("unsized.zst", unsized);
  WriteFile("frames.zst", Zstd(content.substr(0, 1000)) +
                              ZstdWithoutSize(content.substr(1000)));
  for (const char* name : {"sized.zst", "unsized.zst", "frames.zst"}) {
    absl::StatusOr<internal::InputBytes> bytes = internal::ReadInput(name);
    ASSERT_THAT(bytes, IsOk()) << name;
    EXPECT_EQ(bytes->compression, internal::InputBytes::Compression::kZstd);
    ASSERT_EQ(bytes->size, content.size()) << name;
    EXPECT_TRUE(bytes->data.compare(0, bytes->size, content) == 0) << name;
    EXPECT_EQ(bytes->data.substr(bytes->size),
              std::string(internal::kInputPadding, '\0'));
  }
  auto corpus = Load({"unsized.zst"});
  ASSERT_THAT(corpus, IsOk());
  EXPECT_EQ((*corpus)->size(), 30000u);
}

TEST_F(CorpusTest, TruncatedOrCorruptZstdIsRejected) {
  const std::string packed = Zstd(ManyRecords(200));
  WriteFile("cut.zst", packed.substr(0, packed.size() / 2));
  EXPECT_THAT(Load({"cut.zst"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("cut.zst: truncated zstd data"),
                             HasSubstr("re-download or re-compress"))));
  WriteFile("broken.jsonl.zst",
            std::string("\x28\xB5\x2F\xFD", 4) + std::string(40, '\xEE'));
  EXPECT_THAT(Load({"broken.jsonl.zst"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("broken.jsonl.zst: corrupt zstd data at "
                                       "byte "),
                             HasSubstr("; re-download or re-compress the "
                                       "file"))));
}

TEST_F(CorpusTest, PlainInputIsPaddedWithZeros) {
  WriteFile("feed.jsonl", "abc");
  absl::StatusOr<internal::InputBytes> bytes =
      internal::ReadInput("feed.jsonl");
  ASSERT_THAT(bytes, IsOk());
  EXPECT_EQ(bytes->compression, internal::InputBytes::Compression::kNone);
  EXPECT_EQ(bytes->size, 3u);
  EXPECT_EQ(bytes->data, "abc" + std::string(internal::kInputPadding, '\0'));
}

// --- Standard input.

TEST_F(CorpusTest, DashReadsStandardInputEvenCompressed) {
  WriteFile("stdin.zst", Zstd(kThreeRecords));
  int saved = ::dup(STDIN_FILENO);
  ASSERT_GE(saved, 0);
  int fd = ::open("stdin.zst", O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::dup2(fd, STDIN_FILENO), STDIN_FILENO);
  ::close(fd);
  auto corpus = Load({"-"});
  ::dup2(saved, STDIN_FILENO);
  ::close(saved);
  ASSERT_THAT(corpus, IsOk());
  EXPECT_THAT(Ids(**corpus), ElementsAre("a", "b", "c"));
  EXPECT_EQ((*corpus)->Location(1), "<stdin>:2");
}

// --- Directories of .txt files.

TEST_F(CorpusTest, DirectoryGivesTxtFilesInByteOrderWithRelativeIds) {
  WriteFile("docs/b.txt", "bee");
  WriteFile("docs/a.txt", "line one\nline \"two\"\n");
  WriteFile("docs/Z.txt", "upper");
  WriteFile("docs/sub/c.txt", "");
  WriteFile("docs/sub/notes.md", "ignored");
  WriteFile("docs/\xC3\xA9.txt", "accent");
  WriteFile("docs/txt", "no suffix");
  fs::create_directory_symlink(dir_ / "docs", dir_ / "docs" / "loop");
  auto corpus = Load({"docs/"});
  ASSERT_THAT(corpus, IsOk());
  const Corpus& c = **corpus;
  EXPECT_THAT(Ids(c), ElementsAre("Z.txt", "a.txt", "b.txt", "sub/c.txt",
                                  "\xC3\xA9.txt"));
  EXPECT_THAT(Texts(c), ElementsAre("upper", "line one\nline \"two\"\n", "bee",
                                    "", "accent"));
  EXPECT_EQ(c.Location(3), "docs/sub/c.txt");
  EXPECT_EQ(c.Raw(2), R"({"id":"b.txt","text":"bee"})");
  EXPECT_EQ(c.Raw(1), R"({"id":"a.txt","text":"line one\nline \"two\"\n"})");
  EXPECT_EQ(c.stats().input_bytes, 3u + 20u + 5u + 0u + 6u);
}

TEST_F(CorpusTest, DirectoryFileWithInvalidUtf8KeepsItsBytes) {
  const std::string bytes = "caf\xE9 \"x\"";  // Latin-1, not UTF-8.
  WriteFile("docs/latin1.txt", bytes);
  auto corpus = Load({"docs"});
  ASSERT_THAT(corpus, IsOk());
  EXPECT_EQ((*corpus)->stats().invalid_utf8_records, 1u);
  EXPECT_THAT(Texts(**corpus), ElementsAre(bytes));
  // Raw() is still valid JSON, with U+FFFD in place of the bad byte.
  std::string raw((*corpus)->Raw(0));
  simdjson::dom::parser parser;
  simdjson::dom::element element;
  ASSERT_EQ(parser.parse(raw).get(element), simdjson::SUCCESS) << raw;
  std::string_view text;
  ASSERT_EQ(element["text"].get(text), simdjson::SUCCESS);
  EXPECT_EQ(text, "caf\xEF\xBF\xBD \"x\"");
}

TEST_F(CorpusTest, DirectoryAndJsonLinesMix) {
  WriteFile("docs/a.txt", "from a file");
  WriteFile("feed.jsonl", R"({"id": "j", "text": "from json"})"
                          "\n");
  auto corpus = Load({"feed.jsonl", "docs"});
  ASSERT_THAT(corpus, IsOk());
  EXPECT_THAT(Ids(**corpus), ElementsAre("j", "a.txt"));
  WriteFile("clash.jsonl", R"({"id": "a.txt", "text": "x"})"
                           "\n");
  EXPECT_THAT(Load({"docs", "clash.jsonl"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("clash.jsonl:1: duplicate id \"a.txt\" "
                                 "(first seen at docs/a.txt)")));
}

TEST_F(CorpusTest, DirectoryFileOverTheLimitIsABadRecord) {
  WriteFile("docs/big.txt", std::string(100, 'x'));
  WriteFile("docs/small.txt", "x");
  InputOptions options;
  options.max_document_bytes = 50;
  EXPECT_THAT(Load({"docs"}, options),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("docs/big.txt: text is 100 bytes")));
  options.on_error = OnError::kSkip;
  auto corpus = Load({"docs"}, options);
  ASSERT_THAT(corpus, IsOk());
  EXPECT_THAT(Ids(**corpus), ElementsAre("small.txt"));
  EXPECT_EQ((*corpus)->stats().skipped, 1u);
}

// --- In-memory documents.

TEST(CorpusFromDocuments, KeepsIdsTextsAndMakesJsonRecords) {
  auto corpus = Corpus::FromDocuments(
      {{"one", "plain"}, {"two", "tab\there \"q\""}, {"three", "bad \xFF"}});
  ASSERT_THAT(corpus, IsOk());
  const Corpus& c = **corpus;
  ASSERT_EQ(c.size(), 3u);
  TextScratch scratch;
  EXPECT_EQ(*c.Text(0, &scratch), "plain");
  EXPECT_EQ(*c.Text(1, &scratch), "tab\there \"q\"");
  EXPECT_EQ(*c.Text(2, &scratch), "bad \xFF");
  EXPECT_EQ(c.Id(1), "two");
  EXPECT_EQ(c.Raw(1), R"({"id":"two","text":"tab\there \"q\""})");
  EXPECT_EQ(c.Raw(2), R"({"id":"three","text":"bad \ufffd"})");
  EXPECT_EQ(c.Location(2), "#2");
  EXPECT_EQ(c.stats().invalid_utf8_records, 1u);
  EXPECT_EQ(c.stats().records, 3u);
}

TEST(CorpusFromDocuments, DuplicateIdsAreRejected) {
  EXPECT_THAT(Corpus::FromDocuments({{"a", "x"}, {"b", "y"}, {"a", "z"}}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("#2: duplicate id \"a\" (first seen at "
                                       "#0)"),
                             Not(HasSubstr("--on-error")))));
}

TEST(CorpusFromDocuments, EmptyIsFine) {
  auto corpus = Corpus::FromDocuments({});
  ASSERT_THAT(corpus, IsOk());
  EXPECT_EQ((*corpus)->size(), 0u);
}

// --- Concurrency and progress.

TEST_F(CorpusTest, TextIsSafeFromManyThreadsAtOnce) {
  std::string content;
  std::vector<std::string> expected;
  for (int i = 0; i < 3000; ++i) {
    // Alternate escaped and plain texts of varied length.
    std::string body(static_cast<size_t>(i % 300), 'a' + i % 26);
    if (i % 2 == 0) {
      content += absl::StrCat(R"({"id": )", i, R"(, "text": ")", body,
                              R"(\n\u0628"})", "\n");
      expected.push_back(body + "\n\xD8\xA8");
    } else {
      content +=
          absl::StrCat(R"({"id": )", i, R"(, "text": ")", body, R"("})", "\n");
      expected.push_back(body);
    }
  }
  WriteFile("feed.jsonl", content);
  auto corpus = Load({"feed.jsonl"});
  ASSERT_THAT(corpus, IsOk());
  const Corpus& c = **corpus;
  ASSERT_EQ(c.size(), expected.size());
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      TextScratch scratch;
      for (int round = 0; round < 3; ++round) {
        for (size_t k = 0; k < c.size(); ++k) {
          size_t i = (k * 7 + static_cast<size_t>(t) * 131) % c.size();
          absl::StatusOr<absl::string_view> text = c.Text(i, &scratch);
          if (!text.ok() || *text != expected[i]) ++mismatches;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST_F(CorpusTest, ProgressEndsAtTheTotal) {
  WriteFile("feed.jsonl", ManyRecords(1000));
  WriteFile("docs/a.txt", "x");
  std::vector<std::pair<uint64_t, uint64_t>> calls;
  auto corpus = LoadCorpus(
      {"feed.jsonl", "docs"}, InputOptions(),
      [&](uint64_t done, uint64_t total) { calls.emplace_back(done, total); });
  ASSERT_THAT(corpus, IsOk());
  ASSERT_FALSE(calls.empty());
  const uint64_t total = fs::file_size("feed.jsonl") + 1;
  for (size_t i = 0; i < calls.size(); ++i) {
    EXPECT_EQ(calls[i].second, total);
    EXPECT_LE(calls[i].first, total);
    if (i > 0) {
      EXPECT_GE(calls[i].first, calls[i - 1].first);
    }
  }
  EXPECT_EQ(calls.back().first, total);
}

TEST(CorpusScratch, TextWithoutScratchFailsCleanlyForEscapedText) {
  auto corpus = Corpus::FromDocuments({{"a", "x\ny"}});
  ASSERT_THAT(corpus, IsOk());
  EXPECT_THAT(
      (*corpus)->Text(0, nullptr),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("Scratch")));
  TextScratch scratch;
  EXPECT_THAT((*corpus)->Text(5, &scratch),
              StatusIs(absl::StatusCode::kOutOfRange, HasSubstr("5")));
}

// --- The member locator on its own.

TEST(FindMemberValue, FindsEachMemberBySourcePosition) {
  const std::string json =
      R"( { "a" : 1 , "b\"}" : {"x": [1, "]}", {}]}, "c":"v\\\"w" ,"d":[]} )";
  size_t begin = 0, end = 0;
  ASSERT_TRUE(internal::FindMemberValue(json, 0, &begin, &end));
  EXPECT_EQ(json.substr(begin, end - begin), "1");
  ASSERT_TRUE(internal::FindMemberValue(json, 1, &begin, &end));
  EXPECT_EQ(json.substr(begin, end - begin), R"({"x": [1, "]}", {}]})");
  ASSERT_TRUE(internal::FindMemberValue(json, 2, &begin, &end));
  EXPECT_EQ(json.substr(begin, end - begin), R"("v\\\"w")");
  ASSERT_TRUE(internal::FindMemberValue(json, 3, &begin, &end));
  EXPECT_EQ(json.substr(begin, end - begin), "[]");
  EXPECT_FALSE(internal::FindMemberValue(json, 4, &begin, &end));
  EXPECT_FALSE(internal::FindMemberValue("[1]", 0, &begin, &end));
  EXPECT_FALSE(internal::FindMemberValue(R"({"a": "open)", 0, &begin, &end));
}

TEST_F(CorpusTest, MutatedLinesAreSkippedOrReadExactlyAsSimdjsonReadsThem) {
  // Random edits to well-formed records produce broken JSON, odd escapes,
  // invalid UTF-8 and reordered structure. Whatever survives validation must
  // give the text a plain simdjson parse of the record gives.
  const std::string seeds[] = {
      R"({"id": "a@", "meta": {"k": ["x", "}"]}, "text": "p\"q\\r\n\u0627"})",
      R"({"text": "\ud83d\ude00 tail", "id": 1@, "z": [1.5, true, null]})",
      R"({"id": "c\"@", "title": "t", "text": "\u00e9t\u00e9 \/ ok"})",
  };
  const std::string edits = "\"\\{}[],:u0 \xFF\xC3\xA9\xE0";
  std::mt19937 random(12345);
  std::string content;
  for (int i = 0; i < 3000; ++i) {
    std::string line = seeds[i % 3];
    line.replace(line.find('@'), 1, std::to_string(i));
    const int changes = static_cast<int>(random() % 3);
    for (int k = 0; k < changes; ++k) {
      const size_t at = random() % line.size();
      switch (random() % 3) {
        case 0:
          line[at] = edits[random() % edits.size()];
          break;
        case 1:
          line.insert(at, 1, edits[random() % edits.size()]);
          break;
        default:
          line.erase(at, 1);
          break;
      }
    }
    content += line + "\n";
  }
  WriteFile("feed.jsonl", content);
  InputOptions options;
  options.on_error = OnError::kSkip;
  auto corpus = Load({"feed.jsonl"}, options);
  ASSERT_THAT(corpus, IsOk());
  const Corpus& c = **corpus;
  EXPECT_GT(c.size(), 0u);
  EXPECT_GT(c.stats().skipped, 0u);
  simdjson::dom::parser parser;
  TextScratch scratch;
  size_t escaped_checked = 0;
  for (size_t i = 0; i < c.size(); ++i) {
    std::string raw(c.Raw(i));
    std::string sanitized;
    internal::AppendSanitizedUtf8(raw, &sanitized);
    simdjson::dom::element element;
    ASSERT_EQ(parser.parse(sanitized).get(element), simdjson::SUCCESS) << raw;
    std::string_view expected;
    ASSERT_EQ(element["text"].get(expected), simdjson::SUCCESS) << raw;
    absl::StatusOr<absl::string_view> text = c.Text(i, &scratch);
    ASSERT_THAT(text, IsOk());
    EXPECT_EQ(*text, absl::string_view(expected.data(), expected.size()))
        << raw;
    if (raw.find('\\') != std::string::npos) ++escaped_checked;
  }
  EXPECT_GT(escaped_checked, 100u);
}

// --- Real data, when present.

TEST(CorpusRealData, LoadsSaudiNewsNetAndAgreesWithSimdjson) {
  const std::string path =
      NEARDUP_SOURCE_DIR "/../shared/data/saudinewsnet-dev.jsonl.zst";
  if (!fs::exists(path)) GTEST_SKIP() << path << " not present";
  InputOptions options;
  options.threads = 2;
  auto corpus = LoadCorpus({path}, options);
  ASSERT_THAT(corpus, IsOk());
  const Corpus& c = **corpus;
  // Figures from the data's README and `zstd -l`.
  EXPECT_EQ(c.size(), 14848u);
  EXPECT_EQ(c.stats().input_bytes, 52537036u);
  EXPECT_EQ(c.stats().skipped, 0u);
  // Every record's Id() and Text() match an independent parse of Raw().
  simdjson::dom::parser parser;
  TextScratch scratch;
  for (size_t i = 0; i < c.size(); ++i) {
    simdjson::padded_string raw(
        std::string_view(c.Raw(i).data(), c.Raw(i).size()));
    simdjson::dom::element element;
    ASSERT_EQ(parser.parse(raw).get(element), simdjson::SUCCESS) << i;
    std::string_view id, text;
    ASSERT_EQ(element["id"].get(id), simdjson::SUCCESS);
    ASSERT_EQ(element["text"].get(text), simdjson::SUCCESS);
    EXPECT_EQ(c.Id(i), absl::string_view(id.data(), id.size()));
    absl::StatusOr<absl::string_view> got = c.Text(i, &scratch);
    ASSERT_THAT(got, IsOk());
    ASSERT_EQ(*got, absl::string_view(text.data(), text.size()))
        << c.Location(i);
  }
}

}  // namespace
}  // namespace neardup
