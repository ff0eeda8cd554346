// Reading collections of documents: JSON lines (plain, .gz or .zst), folders
// of .txt files, standard input, or documents built in memory.
//
// A Corpus is loaded once and then read by many threads. Loading validates
// every record (well-formed JSON, id and text fields present, ids unique)
// so that later stages never meet a bad record; errors name the file and
// line and say what to do.
//
// Example:
//
//   neardup::InputOptions options;
//   options.text_field = "body";
//   absl::StatusOr<std::unique_ptr<neardup::Corpus>> corpus =
//       neardup::LoadCorpus({"feed.jsonl.zst", "extra/"}, options);
//   if (!corpus.ok()) return corpus.status();  // "feed.jsonl.zst:17: ..."
//   neardup::TextScratch scratch;
//   for (size_t i = 0; i < (*corpus)->size(); ++i) {
//     absl::StatusOr<absl::string_view> text = (*corpus)->Text(i, &scratch);
//     ...
//   }
#ifndef NEARDUP_INCLUDE_NEARDUP_CORPUS_H_
#define NEARDUP_INCLUDE_NEARDUP_CORPUS_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace neardup {

enum class OnError {
  kFail,  // The first bad record stops loading with its error.
  kSkip,  // Bad records are skipped, counted and the first few remembered.
};

struct InputOptions {
  // JSON field holding the document id: a string, or an integer (used as
  // its decimal text).
  std::string id_field = "id";
  // JSON field holding the document text: a string.
  std::string text_field = "text";
  OnError on_error = OnError::kFail;
  // Documents larger than this many bytes of text are bad records: offsets
  // inside a document are 32-bit, and one huge record usually means a broken
  // export. Must be below 4 GiB.
  uint64_t max_document_bytes = uint64_t{1} << 30;
  // Threads used to validate records; 0 means every hardware thread.
  int threads = 0;
};

// What loading saw, for the summary line.
struct LoadStats {
  size_t records = 0;               // Records kept.
  size_t skipped = 0;               // Bad records skipped under OnError::kSkip.
  size_t invalid_utf8_records = 0;  // Kept records whose bytes were not
                                    // valid UTF-8 (replaced by U+FFFD).
  uint64_t input_bytes = 0;         // Bytes after decompression.
  // Up to 10 messages about skipped records, in input order.
  std::vector<std::string> skipped_examples;
};

// Per-thread scratch for Corpus::Text(). Opaque; reuse one per thread.
class TextScratch {
 public:
  TextScratch();
  ~TextScratch();
  TextScratch(const TextScratch&) = delete;
  TextScratch& operator=(const TextScratch&) = delete;

 private:
  friend class Corpus;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// An immutable, loaded set of documents.
//
// Thread safety: every const method may be called from many threads at once.
class Corpus {
 public:
  // Builds a corpus from (id, text) pairs held in memory. Ids must be unique
  // (InvalidArgument names the first duplicate). Raw() of such a document is
  // a JSON object {"id": ..., "text": ...}.
  static absl::StatusOr<std::unique_ptr<Corpus>> FromDocuments(
      std::vector<std::pair<std::string, std::string>> documents);

  ~Corpus();
  Corpus(const Corpus&) = delete;
  Corpus& operator=(const Corpus&) = delete;

  size_t size() const;

  // The document's id, unescaped.
  absl::string_view Id(size_t index) const;

  // The document's text, unescaped, valid until the next call with the same
  // scratch. A JSONL record whose bytes were not valid UTF-8 is served
  // repaired (each invalid sequence replaced by U+FFFD, as the JSON parser
  // requires); .txt files and in-memory documents are served as given, and
  // the normaliser replaces what is invalid. Either way the record counts in
  // stats().invalid_utf8_records. Errors are not expected after a successful
  // load, but a failure to re-read is reported, never hidden.
  absl::StatusOr<absl::string_view> Text(size_t index,
                                         TextScratch* scratch) const;

  // The record exactly as it was read: a JSONL line without its line end, or
  // a JSON object made for .txt files and in-memory documents. Deduplicated
  // output writes these bytes through untouched.
  absl::string_view Raw(size_t index) const;

  // Raw(index) with the text field's value replaced by `text`, written as a
  // JSON string (AppendJsonString escaping); every other byte of the record,
  // other fields and their order included, is kept. For cleaned output such
  // as `neardup passages --strip`. Errors are not expected after a
  // successful load (Internal if the field cannot be found again).
  absl::StatusOr<std::string> RawWithText(size_t index,
                                          absl::string_view text) const;

  // "file:line" for JSONL records, the file path for .txt files, "#index"
  // for in-memory documents: where to look when something about this record
  // needs a user's attention.
  std::string Location(size_t index) const;

  const LoadStats& stats() const;

  // Lets the kernel take the pages of mapped input files (plain JSON lines
  // are mapped, not read) out of this process; the next access reads them
  // back from the page cache. Long passes call it now and then so that
  // memory follows what they use, not the input's size. Thread-safe, also
  // while other threads read texts; a no-op for inputs held in memory.
  void ReleaseInputPages() const;

 private:
  friend class CorpusBuilder;
  struct Impl;
  explicit Corpus(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Called now and then while loading with (bytes read, total bytes or 0 when
// unknown). May be empty.
using LoadProgress = std::function<void(uint64_t done, uint64_t total)>;

// Loads every input in order. An input is:
//   - a JSON-lines file, plain or compressed with gzip or zstd (recognised
//     by their magic bytes, whatever the file is called); blank lines are
//     ignored;
//   - a directory: every regular file ending in ".txt" below it, recursively,
//     in byte order of relative path, id = the path relative to the
//     directory with '/' separators;
//   - "-": JSON lines on standard input (compressed is fine too).
// Errors (InvalidArgument for bad data, NotFound/PermissionDenied for files)
// carry a one-line message that names the file, the line and the fix, e.g.
//   feed.jsonl:17: missing field "text" (use --text-field to pick another)
// Duplicate ids are bad records: under OnError::kSkip the later one is
// skipped.
absl::StatusOr<std::unique_ptr<Corpus>> LoadCorpus(
    const std::vector<std::string>& inputs, const InputOptions& options,
    const LoadProgress& progress = {});

}  // namespace neardup

#endif  // NEARDUP_INCLUDE_NEARDUP_CORPUS_H_
