// libFuzzer target: the JSON-lines record reader (LoadCorpus) on arbitrary
// files, plain, gzip or zstd, with the field and error options varied.
//
// An input is:
//   byte 0   bits 0-1  framing: 0 the bytes as the file (they may carry
//                      compression magic themselves), 1 gzip, 2 zstd,
//                      3 gzip or zstd (bit 2) cut short by byte 1 % 64 + 1
//                      bytes;
//            bit 3     OnError::kSkip instead of kFail;
//            bit 4     id field "doc" instead of "id";
//            bit 5     text field "body" instead of "text";
//            bit 6     max_document_bytes 16 instead of the default;
//            bit 7     validate with 2 threads (and compare with 1).
//   byte 1   the cut for framing 3.
//   the rest the records.
// Promises checked:
//   - loading never crashes and no message is an "internal error";
//   - every loaded record reads back: Text() succeeds and is valid UTF-8
//     within max_document_bytes, Raw() and Location() are not empty;
//   - RawWithText(i, Text(i)) and RawWithText(i, other) are records that
//     RecordParser (the `neardup stream` reader) reads back to the same id
//     and the given text;
//   - LoadCorpus and RecordParser accept and refuse the same lines: with
//     kSkip the corpus holds exactly the lines RecordParser accepts, first
//     of each id; with kFail it loads exactly when every line is accepted
//     and no id repeats;
//   - 2 validating threads give the same corpus as 1.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "neardup/corpus.h"
#include "neardup/index.h"  // RecordParser
#include "tests/fuzz/fuzz_support.h"

namespace {

using neardup::fuzz::IsValidUtf8;

struct Line {
  std::string id;
  std::string text;
};

// `message` without its quoted parts (JSON strings, as QuoteForMessage
// writes user values), so a record's own bytes cannot look like an
// internal error.
std::string WithoutQuoted(absl::string_view message) {
  std::string out;
  bool quoted = false;
  for (size_t i = 0; i < message.size(); ++i) {
    const char c = message[i];
    if (quoted && c == '\\') {
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted) {
      out += c;
    }
  }
  return out;
}

bool IsInternalError(absl::string_view message) {
  return absl::StrContains(WithoutQuoted(message), "internal error");
}

// The non-blank lines of `bytes` as LoadCorpus splits them (a leading byte
// order mark dropped, "\n" ends a line and one "\r" before it is dropped,
// lines of spaces, tabs and "\r" are blank), each read by RecordParser:
// the accepted ones, first of each id, and whether every line was accepted
// with no id repeated.
std::vector<Line> ReferenceRecords(absl::string_view bytes,
                                   const neardup::InputOptions& options,
                                   bool* all_good) {
  *all_good = true;
  neardup::RecordParser parser(options);
  absl::flat_hash_set<std::string> seen;
  std::vector<Line> records;
  absl::ConsumePrefix(&bytes, "\xEF\xBB\xBF");
  while (!bytes.empty()) {
    const size_t newline = bytes.find('\n');
    absl::string_view line = bytes.substr(0, newline);
    bytes.remove_prefix(newline == absl::string_view::npos ? bytes.size()
                                                           : newline + 1);
    absl::ConsumeSuffix(&line, "\r");
    if (line.find_first_not_of(" \t\r") == absl::string_view::npos) continue;
    Line record;
    const absl::Status status = parser.Parse(line, &record.id, &record.text);
    NEARDUP_FUZZ_CHECK(!IsInternalError(status.message()), status.message());
    if (!status.ok()) {
      *all_good = false;
      continue;
    }
    if (!seen.insert(record.id).second) {
      *all_good = false;
      continue;
    }
    records.push_back(std::move(record));
  }
  return records;
}

bool LooksCompressed(absl::string_view bytes) {
  if (absl::StartsWith(bytes, "\x1F\x8B")) return true;
  if (absl::StartsWith(bytes, "\x28\xB5\x2F\xFD")) return true;
  return bytes.size() >= 4 && (static_cast<uint8_t>(bytes[0]) & 0xF0) == 0x50 &&
         bytes.substr(1, 3) == "\x2A\x4D\x18";
}

void CheckRecordsReadBack(const neardup::Corpus& corpus,
                          const neardup::InputOptions& options) {
  neardup::TextScratch scratch;
  neardup::RecordParser parser(options);
  std::string id, text;
  for (size_t i = 0; i < corpus.size(); ++i) {
    absl::StatusOr<absl::string_view> read = corpus.Text(i, &scratch);
    NEARDUP_FUZZ_CHECK(read.ok(), read.status().message());
    const std::string expected(*read);
    NEARDUP_FUZZ_CHECK(IsValidUtf8(expected), "record ", i);
    NEARDUP_FUZZ_CHECK(expected.size() <= options.max_document_bytes);
    NEARDUP_FUZZ_CHECK(!corpus.Raw(i).empty());
    NEARDUP_FUZZ_CHECK(!corpus.Location(i).empty());
    for (const std::string& replacement :
         {expected, std::string("new \"text\"\n\xD8\xA7")}) {
      absl::StatusOr<std::string> record = corpus.RawWithText(i, replacement);
      NEARDUP_FUZZ_CHECK(record.ok(), record.status().message());
      const absl::Status parsed = parser.Parse(*record, &id, &text);
      NEARDUP_FUZZ_CHECK(parsed.ok(), parsed.message(), " in ", *record);
      NEARDUP_FUZZ_CHECK(id == corpus.Id(i), id, " vs ", corpus.Id(i));
      NEARDUP_FUZZ_CHECK(text == replacement, *record);
    }
  }
}

void CheckNoInternalError(const absl::Status& status,
                          const neardup::LoadStats* stats) {
  NEARDUP_FUZZ_CHECK(!IsInternalError(status.message()), status.message());
  if (stats == nullptr) return;
  for (const std::string& example : stats->skipped_examples) {
    NEARDUP_FUZZ_CHECK(!IsInternalError(example), example);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t flags = data[0];
  const std::string payload(reinterpret_cast<const char*>(data) + 2, size - 2);
  std::string file;
  bool exact = true;  // The file decompresses to exactly `payload`.
  switch (flags & 3) {
    case 0:
    case 1:
    case 2:
      file = neardup::fuzz::Frame(payload, flags & 3);
      exact = (flags & 3) != 0 || !LooksCompressed(payload);
      break;
    case 3:
      file = neardup::fuzz::Frame(payload, (flags & 4) ? 2 : 1);
      file.resize(file.size() -
                  std::min<size_t>(file.size() - 4, data[1] % 64 + 1));
      exact = false;
      break;
  }
  const std::filesystem::path path =
      neardup::fuzz::ScratchDir("corpus_fuzzer") / "input.jsonl";
  neardup::fuzz::WriteFile(path, file);

  neardup::InputOptions options;
  options.on_error =
      (flags & 8) ? neardup::OnError::kSkip : neardup::OnError::kFail;
  if (flags & 16) options.id_field = "doc";
  if (flags & 32) options.text_field = "body";
  if (flags & 64) options.max_document_bytes = 16;
  options.threads = 1;
  absl::StatusOr<std::unique_ptr<neardup::Corpus>> corpus =
      neardup::LoadCorpus({path.string()}, options);
  CheckNoInternalError(corpus.status(),
                       corpus.ok() ? &(*corpus)->stats() : nullptr);
  if (corpus.ok()) CheckRecordsReadBack(**corpus, options);

  if (flags & 128) {
    neardup::InputOptions two = options;
    two.threads = 2;
    absl::StatusOr<std::unique_ptr<neardup::Corpus>> again =
        neardup::LoadCorpus({path.string()}, two);
    NEARDUP_FUZZ_CHECK(again.ok() == corpus.ok());
    NEARDUP_FUZZ_CHECK(again.status().message() == corpus.status().message(),
                       again.status().message(), " vs ",
                       corpus.status().message());
    if (corpus.ok()) {
      NEARDUP_FUZZ_CHECK((*again)->size() == (*corpus)->size());
      for (size_t i = 0; i < (*corpus)->size(); ++i) {
        NEARDUP_FUZZ_CHECK((*again)->Id(i) == (*corpus)->Id(i));
        NEARDUP_FUZZ_CHECK((*again)->Raw(i) == (*corpus)->Raw(i));
      }
    }
  }

  if (!exact) {
    // Whatever a damaged frame decompresses to was checked above; the
    // line-by-line comparison needs the bytes LoadCorpus saw.
    NEARDUP_FUZZ_CHECK((flags & 3) != 3 || !corpus.ok() ||
                       (*corpus)->stats().input_bytes <= payload.size());
    return 0;
  }
  bool all_good = false;
  const std::vector<Line> reference =
      ReferenceRecords(payload, options, &all_good);
  if (options.on_error == neardup::OnError::kFail) {
    NEARDUP_FUZZ_CHECK(corpus.ok() == all_good, corpus.status().message());
    if (!corpus.ok()) return 0;
  }
  NEARDUP_FUZZ_CHECK(corpus.ok(), corpus.status().message());
  NEARDUP_FUZZ_CHECK((*corpus)->size() == reference.size(), (*corpus)->size(),
                     " records loaded, ", reference.size(), " accepted");
  neardup::TextScratch scratch;
  for (size_t i = 0; i < reference.size(); ++i) {
    NEARDUP_FUZZ_CHECK((*corpus)->Id(i) == reference[i].id);
    absl::StatusOr<absl::string_view> text = (*corpus)->Text(i, &scratch);
    NEARDUP_FUZZ_CHECK(text.ok() && *text == reference[i].text,
                       (*corpus)->Location(i));
  }
  return 0;
}
