#include "neardup/corpus.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "simdjson.h"
#include "src/internal/json_fields.h"
#include "src/internal/json_writer.h"
#include "src/internal/page_release.h"
#include "src/internal/parallel.h"
#include "src/internal/read_file.h"
#include "src/internal/record_fields.h"
#include "src/internal/status_macros.h"
#include "src/internal/utf8_repair.h"

namespace neardup {
namespace {

using internal::kInputPadding;

constexpr size_t kMaxExamples = 10;
// Lines per unit of parallel work: enough to amortise the atomic counter,
// few enough that a handful of huge records cannot unbalance the workers.
constexpr size_t kLinesPerChunk = 64;
// Offsets inside a record are 32-bit.
constexpr uint64_t kMaxRecordBytes = UINT32_MAX;
// Progress is reported after about this many bytes of work.
constexpr uint64_t kProgressStep = uint64_t{16} << 20;

enum RecordFlags : uint8_t {
  // `text` points at a quoted JSON string with escapes, to be unescaped on
  // each Text() call; otherwise it is the text itself.
  kTextEscaped = 1,
  // Enough readable bytes follow the quoted string for simdjson to parse it
  // where it lies.
  kTextInPlace = 2,
};

struct Record {
  const char* raw = nullptr;
  const char* text = nullptr;
  const char* id = nullptr;
  uint64_t line = 0;  // 1-based line in a JSON-lines source.
  uint32_t raw_size = 0;
  uint32_t text_size = 0;
  uint32_t id_size = 0;
  uint32_t source = 0;
  uint8_t flags = 0;
};

enum class SourceKind { kJsonLines, kDirectory, kMemory };

struct Source {
  // The path as given ("<stdin>" for standard input; a directory without
  // trailing slashes), used in locations.
  std::string name;
  SourceKind kind = SourceKind::kJsonLines;
  // JSON lines: the decompressed input. Directories and in-memory
  // documents: the JSON objects made for them, one a line. Either way
  // followed by kInputPadding zero bytes, and never resized once records
  // point into it. Empty when a plain JSON-lines file is mapped instead.
  std::string buffer;
  // The mapping of a plain JSON-lines file, kept for as long as records
  // point into it (internal::ReadOptions::map_plain_files).
  std::shared_ptr<const char> mapping;
  // JSON lines: the input and its padding, in `buffer` or `mapping`.
  absl::string_view bytes;
};

// See Corpus::ReleaseInputPages(). The mapping is private and never
// written, so dropped pages come back unchanged from the file.
void ReleasePages(const Source& source) {
  if (source.mapping == nullptr) return;
  ::madvise(const_cast<char*>(source.bytes.data()), source.bytes.size(),
            MADV_DONTNEED);
}

// Stable storage for many small strings (ids): pointers stay valid for the
// arena's life.
class Arena {
 public:
  const char* Store(absl::string_view bytes) {
    if (bytes.empty()) return "";
    char* target;
    if (bytes.size() > kBlockBytes / 4) {
      blocks_.push_back(std::make_unique_for_overwrite<char[]>(bytes.size()));
      target = blocks_.back().get();
    } else {
      if (bytes.size() > left_) {
        blocks_.push_back(std::make_unique_for_overwrite<char[]>(kBlockBytes));
        next_ = blocks_.back().get();
        left_ = kBlockBytes;
      }
      target = next_;
      next_ += bytes.size();
      left_ -= bytes.size();
    }
    std::memcpy(target, bytes.data(), bytes.size());
    return target;
  }

  // Takes ownership of a block made elsewhere.
  void Adopt(std::unique_ptr<char[]> block) {
    blocks_.push_back(std::move(block));
  }

 private:
  static constexpr size_t kBlockBytes = 64 << 10;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* next_ = nullptr;
  size_t left_ = 0;
};

std::string JoinPath(absl::string_view directory, absl::string_view relative) {
  if (directory == "/") return absl::StrCat("/", relative);
  return absl::StrCat(directory, "/", relative);
}

std::string RecordLocation(const Source& source, const Record& record,
                           size_t index) {
  switch (source.kind) {
    case SourceKind::kJsonLines:
      return absl::StrCat(source.name, ":", record.line);
    case SourceKind::kDirectory:
      return JoinPath(source.name,
                      absl::string_view(record.id, record.id_size));
    case SourceKind::kMemory:
      break;
  }
  return absl::StrCat("#", index);
}

bool IsBlank(const char* begin, size_t size) {
  for (size_t i = 0; i < size; ++i) {
    char c = begin[i];
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

// A non-blank line of a JSON-lines buffer.
struct Line {
  size_t begin;
  size_t size;
  uint64_t number;
};

// Also hands the pages it has read back to the kernel as it goes (see
// ReleasePages), since validation reads them again only a chunk at a time.
std::vector<Line> SplitLines(const char* data, size_t size,
                             const Source& source) {
  std::vector<Line> lines;
  size_t pos = 0;
  size_t next_release = internal::PeriodicRelease::kDefaultEvery;
  // A byte order mark is not JSON; editors on Windows like to add one.
  if (size >= 3 && std::memcmp(data, "\xEF\xBB\xBF", 3) == 0) pos = 3;
  uint64_t number = 0;
  while (pos < size) {
    ++number;
    const void* newline = std::memchr(data + pos, '\n', size - pos);
    const size_t end =
        newline != nullptr ? static_cast<const char*>(newline) - data : size;
    size_t content_end = end;
    if (content_end > pos && data[content_end - 1] == '\r') --content_end;
    if (!IsBlank(data + pos, content_end - pos)) {
      lines.push_back(Line{pos, content_end - pos, number});
    }
    pos = end + 1;
    if (pos >= next_release) {
      ReleasePages(source);
      next_release += internal::PeriodicRelease::kDefaultEvery;
    }
  }
  return lines;
}

// Outcome of validating one line, beside its Record.
struct LineResult {
  uint64_t id_offset = 0;  // In the worker's `ids`.
  uint32_t worker = 0;
  enum : uint8_t { kGood, kBad, kGoodSanitized } state = kGood;
};

// A .txt file found below a directory input.
struct TextFile {
  std::string relative;  // With '/' separators.
  uint64_t bytes = 0;
};

// What LoadCorpus will read, worked out first so the progress total is known.
struct PlannedInput {
  enum class Kind { kStdin, kFile, kDirectory } kind = Kind::kFile;
  std::string path;
  uint64_t bytes = 0;           // On disk.
  std::vector<TextFile> files;  // For directories, sorted.
};

absl::Status ListTextFiles(const std::string& directory,
                           std::vector<TextFile>* files, uint64_t* bytes) {
  namespace fs = std::filesystem;
  std::error_code error;
  // Symlinked directories are not followed (no loops, no escaping the
  // tree); symlinked files are read.
  fs::recursive_directory_iterator it(directory, fs::directory_options::none,
                                      error);
  const std::string prefix = directory == "/" ? "/" : directory + "/";
  // The subdirectory the next increment enters, to name it when it cannot
  // be listed (the iterator's error does not say which one failed).
  std::string entering;
  for (; !error && it != fs::recursive_directory_iterator();
       it.increment(error)) {
    const fs::directory_entry& entry = *it;
    const std::string& path = entry.path().native();
    std::error_code type_error;
    entering.clear();
    if (entry.is_directory(type_error) && !entry.is_symlink(type_error)) {
      entering = path;
    }
    if (path.size() < 4 || path.compare(path.size() - 4, 4, ".txt") != 0) {
      continue;
    }
    std::error_code entry_error;
    if (!entry.is_regular_file(entry_error)) {
      // A link named *.txt that leads nowhere (a missing target, a loop) is
      // a file the user meant to include: refuse it, as a missing input
      // file is refused, rather than leave its text out without a word.
      // Other non-regular files (FIFOs, sockets, directories) are skipped.
      std::error_code link_error, target_error;
      if (entry.is_symlink(link_error)) {
        const fs::file_status target = fs::status(entry.path(), target_error);
        if (target_error || target.type() == fs::file_type::not_found) {
          const bool loop = target_error.value() == ELOOP;
          return absl::Status(
              loop ? absl::StatusCode::kInvalidArgument
                   : absl::StatusCode::kNotFound,
              absl::StrCat(
                  path, ": cannot read: ",
                  target_error ? target_error.message() : "no such file",
                  loop ? " (a symbolic link loop)"
                       : " (a symbolic link to a missing file)",
                  "; fix or remove the link"));
        }
      }
      continue;
    }
    TextFile file;
    if (path.compare(0, prefix.size(), prefix) == 0) {
      file.relative = path.substr(prefix.size());
    } else {
      file.relative =
          entry.path().lexically_relative(directory).generic_string();
    }
    uint64_t size = entry.file_size(entry_error);
    file.bytes = entry_error ? 0 : size;
    *bytes += file.bytes;
    files->push_back(std::move(file));
  }
  if (error) {
    return absl::Status(
        absl::ErrnoToStatusCode(error.value()),
        absl::StrCat(directory, ": cannot list",
                     entering.empty() ? "" : absl::StrCat(" ", entering), ": ",
                     error.message(), "; check the directory's permissions"));
  }
  std::sort(files->begin(), files->end(),
            [](const TextFile& a, const TextFile& b) {
              return a.relative < b.relative;  // Byte order: char_traits
                                               // compares unsigned.
            });
  return absl::OkStatus();
}

}  // namespace

struct TextScratch::Impl {
  simdjson::ondemand::parser parser;
  std::string copy;  // For strings without padding after them.
};

TextScratch::TextScratch() : impl_(std::make_unique<Impl>()) {}
TextScratch::~TextScratch() = default;

struct Corpus::Impl {
  std::string text_field = "text";  // For RawWithText().
  std::vector<std::unique_ptr<Source>> sources;
  std::vector<Record> records;
  Arena arena;  // Ids, sanitised lines, original bytes of invalid .txt.
  LoadStats stats;
};

// Builds a Corpus::Impl source by source: JSON lines are validated in
// parallel, then admitted serially in input order (ids checked for
// duplicates), which keeps the result independent of the thread count.
class CorpusBuilder {
 public:
  CorpusBuilder(const InputOptions& options, int threads,
                const LoadProgress& progress, uint64_t total_bytes)
      : options_(options),
        text_field_quoted_(internal::QuoteForMessage(options.text_field)),
        threads_(threads),
        progress_(progress),
        total_bytes_(total_bytes),
        impl_(std::make_unique<Corpus::Impl>()) {
    impl_->text_field = options.text_field;
  }

  // In-memory documents have no --on-error; their messages say so.
  void set_in_memory() { in_memory_ = true; }

  absl::Status AddJsonLines(std::string name, internal::InputBytes input,
                            uint64_t disk_bytes);
  absl::Status AddDirectory(const PlannedInput& input);
  absl::Status AddDocuments(
      std::vector<std::pair<std::string, std::string>> documents);

  std::unique_ptr<Corpus> Finish() {
    impl_->records.shrink_to_fit();
    impl_->stats.records = impl_->records.size();
    ReportProgress(0, true);
    return std::unique_ptr<Corpus>(new Corpus(std::move(impl_)));
  }

  // Reports `done_bytes_ + extra` when at least kProgressStep has passed
  // since the last report (or always when `force`).
  void ReportProgress(uint64_t extra, bool force) {
    if (!progress_) return;
    uint64_t done = done_bytes_ + extra;
    if (total_bytes_ != 0) done = std::min(done, total_bytes_);
    if (!force && done < reported_bytes_ + kProgressStep) return;
    reported_bytes_ = done;
    progress_(done, total_bytes_);
  }

 private:
  struct Worker;
  struct LineContext;

  // Checks one line of a JSON-lines source and fills in its record, or
  // files an error message with the worker. Runs on many threads at once.
  void ValidateLine(const LineContext& context, size_t index,
                    uint32_t worker_index, Worker& worker, Record& record,
                    LineResult& result) const;

  // Advice to append under --on-error fail, dropped when skipping.
  absl::string_view FailHint(absl::string_view hint) const {
    return options_.on_error == OnError::kFail ? hint : absl::string_view();
  }

  // A bad record: the error under kFail, counted and remembered under kSkip.
  absl::Status Reject(std::string message) {
    if (options_.on_error == OnError::kFail) {
      return absl::InvalidArgumentError(message);
    }
    ++impl_->stats.skipped;
    if (impl_->stats.skipped_examples.size() < kMaxExamples) {
      impl_->stats.skipped_examples.push_back(std::move(message));
    }
    return absl::OkStatus();
  }

  // Returns true if no admitted record has `id`. Otherwise the record at
  // `location` is a bad record: returns false, with *status set to the
  // error under kFail or OK (skipped and counted) under kSkip.
  bool AdmitId(absl::string_view id, absl::string_view location,
               absl::Status* status) {
    auto it = ids_.find(id);
    if (it == ids_.end()) return true;
    const size_t first = it->second;
    std::string first_location =
        RecordLocation(*impl_->sources[impl_->records[first].source],
                       impl_->records[first], first);
    absl::string_view advice =
        in_memory_ ? "; ids must be unique"
        : options_.on_error == OnError::kFail
            ? "; ids must be unique, or pass --on-error skip to keep the first"
            : "; kept the first";
    *status = Reject(
        absl::StrCat(location, ": duplicate id ", internal::QuoteForMessage(id),
                     " (first seen at ", first_location, ")", advice));
    return false;
  }

  // Appends a record; `id` must already be in the arena.
  void AppendRecord(const Record& record) {
    ids_.emplace(absl::string_view(record.id, record.id_size),
                 impl_->records.size());
    impl_->records.push_back(record);
  }

  // Adds one document to a directory or in-memory source whose buffer is
  // still growing. `location` names it in messages.
  absl::Status AddSynthetic(uint32_t source_index, absl::string_view id,
                            absl::string_view text, absl::string_view location);
  // Points records made by AddSynthetic() at their source's finished buffer.
  void FinishSynthetic(uint32_t source_index, size_t first_record);

  const InputOptions options_;
  // Field names as messages quote them.
  const std::string text_field_quoted_;
  const int threads_;
  const LoadProgress progress_;
  const uint64_t total_bytes_;
  uint64_t done_bytes_ = 0;
  uint64_t reported_bytes_ = 0;
  bool in_memory_ = false;
  std::unique_ptr<Corpus::Impl> impl_;
  // Ids admitted so far -> record index. Keys point into the arena.
  absl::flat_hash_map<absl::string_view, size_t> ids_;
  // For records of the source being built by AddSynthetic(): buffer offsets
  // to turn into pointers by FinishSynthetic().
  struct SyntheticOffsets {
    size_t raw = 0;
    size_t text = 0;
    bool text_in_buffer = true;
  };
  std::vector<SyntheticOffsets> synthetic_;
};

// Per-thread state for validating JSON lines.
struct CorpusBuilder::Worker {
  simdjson::dom::parser parser;
  std::string ids;  // Ids of this worker's good lines, back to back.
  std::string sanitized;
  // Messages for bad lines and sanitised copies, keyed by line index.
  std::vector<std::pair<size_t, std::string>> errors;
  std::vector<std::pair<size_t, std::unique_ptr<char[]>>> copies;
};

// The JSON-lines source being validated.
struct CorpusBuilder::LineContext {
  const Source* source;
  uint32_t source_index;
  const std::vector<Line>& lines;
  const char* buffer_end;  // End of the padded buffer.
};

void CorpusBuilder::ValidateLine(const LineContext& context, size_t index,
                                 uint32_t worker_index, Worker& worker,
                                 Record& record, LineResult& result) const {
  const Source& source = *context.source;
  const Line& line = context.lines[index];
  const char* const data = source.bytes.data();
  result.worker = worker_index;
  auto bad = [&](auto&&... message) {
    result.state = LineResult::kBad;
    worker.errors.emplace_back(
        index, absl::StrCat(source.name, ":", line.number, ": ", message...));
  };
  if (line.size > kMaxRecordBytes) {
    bad("line is ", line.size, " bytes; lines must be shorter than 4 GiB",
        FailHint("; split the record or pass --on-error skip"));
    return;
  }
  const char* base = data + line.begin;
  size_t size = line.size;
  const char* end = context.buffer_end;
  simdjson::dom::element root;
  auto parse = [&]() {
    // In place when the padding simdjson reads past the end is there
    // (ReadInput guarantees it); a copy otherwise.
    const bool padded =
        static_cast<size_t>(end - base) >= size + simdjson::SIMDJSON_PADDING;
    return worker.parser.parse(base, size, !padded).get(root);
  };
  simdjson::error_code error = parse();
  std::unique_ptr<char[]> copy;
  if (error == simdjson::UTF8_ERROR) {
    // Keep the record: parse a copy with each bad sequence replaced.
    worker.sanitized.clear();
    internal::AppendSanitizedUtf8(absl::string_view(base, size),
                                  &worker.sanitized);
    const size_t copy_size = worker.sanitized.size();
    copy = std::make_unique<char[]>(copy_size + simdjson::SIMDJSON_PADDING);
    std::memcpy(copy.get(), worker.sanitized.data(), copy_size);
    base = copy.get();
    size = copy_size;
    end = base + copy_size + simdjson::SIMDJSON_PADDING;
    error = parse();
  }
  if (error) {
    bad(internal::InvalidJsonMessage(
            error, absl::string_view(data + line.begin, line.size)),
        FailHint("; fix the line or pass --on-error skip"));
    return;
  }
  const size_t id_offset = worker.ids.size();
  internal::RecordFields fields;
  internal::RecordProblem problem;
  if (!internal::ReadRecordFields(root, options_, /*repaired=*/copy != nullptr,
                                  &worker.ids, &fields, &problem)) {
    bad(problem.message, FailHint(problem.skip_hint));
    return;
  }
  const std::string_view text = fields.text;
  const size_t text_ordinal = fields.text_ordinal;
  // Find the string in the line: unescaped text is then a slice of it,
  // and escaped text can be re-read from it without parsing the rest.
  size_t value_begin = 0, value_end = 0;
  if (!internal::FindMemberValue(absl::string_view(base, size), text_ordinal,
                                 &value_begin, &value_end) ||
      value_end - value_begin < 2 || base[value_begin] != '"' ||
      base[value_end - 1] != '"') {
    worker.ids.resize(id_offset);
    bad("internal error: cannot locate field ", text_field_quoted_,
        " in a valid line; please report this line");
    return;
  }
  const char* quoted = base + value_begin;
  const size_t quoted_size = value_end - value_begin;
  if (std::memchr(quoted + 1, '\\', quoted_size - 2) == nullptr) {
    record.text = quoted + 1;
    record.text_size = static_cast<uint32_t>(quoted_size - 2);
    if (record.text_size != text.size()) {
      worker.ids.resize(id_offset);
      bad("internal error: field ", text_field_quoted_,
          " located wrongly; please report this line");
      return;
    }
  } else {
    record.text = quoted;
    record.text_size = static_cast<uint32_t>(quoted_size);
    record.flags |= kTextEscaped;
    if (static_cast<size_t>(end - quoted) >=
        quoted_size + simdjson::SIMDJSON_PADDING) {
      record.flags |= kTextInPlace;
    }
  }
  record.raw = data + line.begin;
  record.raw_size = static_cast<uint32_t>(line.size);
  record.line = line.number;
  record.source = context.source_index;
  record.id_size = static_cast<uint32_t>(worker.ids.size() - id_offset);
  result.id_offset = id_offset;
  if (copy != nullptr) {
    result.state = LineResult::kGoodSanitized;
    worker.copies.emplace_back(index, std::move(copy));
  }
}

absl::Status CorpusBuilder::AddJsonLines(std::string name,
                                         internal::InputBytes input,
                                         uint64_t disk_bytes) {
  auto owned = std::make_unique<Source>();
  owned->name = std::move(name);
  owned->kind = SourceKind::kJsonLines;
  owned->mapping = input.mapping;
  owned->bytes = input.padded();
  owned->buffer = std::move(input.data);
  if (owned->mapping == nullptr) owned->bytes = owned->buffer;
  const Source& source = *owned;
  const auto source_index = static_cast<uint32_t>(impl_->sources.size());
  impl_->sources.push_back(std::move(owned));
  impl_->stats.input_bytes += input.size;

  const char* data = source.bytes.data();
  const char* buffer_end = data + source.bytes.size();
  const std::vector<Line> lines = SplitLines(data, input.size, source);
  std::vector<Record> parsed(lines.size());
  std::vector<LineResult> results(lines.size());

  const int workers = std::max(1, threads_);
  std::vector<Worker> state(static_cast<size_t>(workers));
  std::atomic<uint64_t> bytes_done{0};
  const LineContext context{&source, source_index, lines, buffer_end};

  internal::ParallelFor(
      lines.size(), workers, kLinesPerChunk,
      [&](size_t begin, size_t end, int worker_index) {
        Worker& worker = state[static_cast<size_t>(worker_index)];
        for (size_t i = begin; i < end; ++i) {
          ValidateLine(context, i, static_cast<uint32_t>(worker_index), worker,
                       parsed[i], results[i]);
        }
        uint64_t chunk_bytes =
            lines[end - 1].begin + lines[end - 1].size - lines[begin].begin;
        uint64_t so_far = bytes_done.fetch_add(chunk_bytes) + chunk_bytes;
        // Validated lines need not stay resident (see ReleasePages).
        if ((so_far - chunk_bytes) / internal::PeriodicRelease::kDefaultEvery !=
            so_far / internal::PeriodicRelease::kDefaultEvery) {
          ReleasePages(source);
        }
        // Only the calling thread reports: callbacks need not be
        // thread-safe.
        if (worker_index == 0 && input.size > 0) {
          ReportProgress(static_cast<uint64_t>(static_cast<double>(disk_bytes) *
                                               static_cast<double>(so_far) /
                                               static_cast<double>(input.size)),
                         false);
        }
      });

  // Admit good records in input order.
  std::vector<std::pair<size_t, std::string>> errors;
  std::vector<std::pair<size_t, std::unique_ptr<char[]>>> copies;
  for (Worker& worker : state) {
    for (auto& entry : worker.errors) errors.push_back(std::move(entry));
    for (auto& entry : worker.copies) copies.push_back(std::move(entry));
  }
  auto by_index = [](const auto& a, const auto& b) {
    return a.first < b.first;
  };
  std::sort(errors.begin(), errors.end(), by_index);
  std::sort(copies.begin(), copies.end(), by_index);
  size_t next_error = 0, next_copy = 0;
  impl_->records.reserve(impl_->records.size() + lines.size() - errors.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    const LineResult& result = results[i];
    if (result.state == LineResult::kBad) {
      NEARDUP_RETURN_IF_ERROR(Reject(std::move(errors[next_error++].second)));
      continue;
    }
    Record record = parsed[i];
    if (result.state == LineResult::kGoodSanitized) {
      // Adopted even if the id turns out to be a duplicate: the record's
      // pointers already lead into it, and such lines are rare.
      impl_->arena.Adopt(std::move(copies[next_copy++].second));
    }
    absl::string_view id(state[result.worker].ids.data() + result.id_offset,
                         record.id_size);
    absl::Status status;
    if (!AdmitId(id, RecordLocation(source, record, 0), &status)) {
      NEARDUP_RETURN_IF_ERROR(status);
      continue;
    }
    record.id = impl_->arena.Store(id);
    if (result.state == LineResult::kGoodSanitized) {
      ++impl_->stats.invalid_utf8_records;
    }
    AppendRecord(record);
  }
  ReleasePages(source);
  done_bytes_ += disk_bytes;
  ReportProgress(0, true);
  return absl::OkStatus();
}

absl::Status CorpusBuilder::AddSynthetic(uint32_t source_index,
                                         absl::string_view id,
                                         absl::string_view text,
                                         absl::string_view location) {
  if (text.size() > options_.max_document_bytes) {
    return Reject(absl::StrCat(
        location, ": text is ", text.size(), " bytes, over the limit of ",
        options_.max_document_bytes, " bytes",
        FailHint(in_memory_ ? ""
                            : "; split the file or pass --on-error skip")));
  }
  absl::Status status;
  if (!AdmitId(id, location, &status)) return status;

  Source& source = *impl_->sources[source_index];
  std::string& buffer = source.buffer;
  const size_t raw_begin = buffer.size();
  buffer.push_back('{');
  internal::AppendJsonString(options_.id_field, &buffer);
  buffer.push_back(':');
  internal::AppendJsonString(id, &buffer);
  buffer.push_back(',');
  internal::AppendJsonString(options_.text_field, &buffer);
  buffer.push_back(':');
  const size_t text_begin = buffer.size();
  internal::AppendJsonString(text, &buffer);
  const size_t text_end = buffer.size();
  buffer.push_back('}');
  const size_t raw_size = buffer.size() - raw_begin;
  buffer.push_back('\n');
  if (raw_size > kMaxRecordBytes) {
    buffer.resize(raw_begin);
    return Reject(absl::StrCat(
        location, ": too large to store (over 4 GiB as JSON)",
        FailHint(in_memory_ ? ""
                            : "; split the file or pass --on-error skip")));
  }

  Record record;
  record.id = impl_->arena.Store(id);
  record.id_size = static_cast<uint32_t>(id.size());
  record.raw_size = static_cast<uint32_t>(raw_size);
  record.source = source_index;
  record.line = 0;
  SyntheticOffsets offsets;
  offsets.raw = raw_begin;
  if (!simdjson::validate_utf8(text.data(), text.size())) {
    // Text() serves the bytes as they were; only Raw() needs valid JSON.
    std::unique_ptr<char[]> original = std::make_unique_for_overwrite<char[]>(
        std::max<size_t>(text.size(), 1));
    std::memcpy(original.get(), text.data(), text.size());
    record.text = original.get();
    record.text_size = static_cast<uint32_t>(text.size());
    impl_->arena.Adopt(std::move(original));
    offsets.text_in_buffer = false;
    ++impl_->stats.invalid_utf8_records;
  } else if (text_end - text_begin == text.size() + 2) {
    offsets.text = text_begin + 1;  // Nothing escaped: a slice.
    record.text_size = static_cast<uint32_t>(text.size());
  } else {
    offsets.text = text_begin;
    record.text_size = static_cast<uint32_t>(text_end - text_begin);
    record.flags = kTextEscaped;
  }
  synthetic_.push_back(offsets);
  AppendRecord(record);
  return absl::OkStatus();
}

void CorpusBuilder::FinishSynthetic(uint32_t source_index,
                                    size_t first_record) {
  Source& source = *impl_->sources[source_index];
  source.buffer.append(kInputPadding, '\0');
  if (source.buffer.capacity() > source.buffer.size() * 5 / 4 + (1 << 16)) {
    source.buffer.shrink_to_fit();
  }
  const char* data = source.buffer.data();
  const char* end = data + source.buffer.size();
  for (size_t i = 0; i < synthetic_.size(); ++i) {
    Record& record = impl_->records[first_record + i];
    const SyntheticOffsets& offsets = synthetic_[i];
    record.raw = data + offsets.raw;
    if (offsets.text_in_buffer) record.text = data + offsets.text;
    if ((record.flags & kTextEscaped) &&
        static_cast<size_t>(end - record.text) >=
            record.text_size + simdjson::SIMDJSON_PADDING) {
      record.flags |= kTextInPlace;
    }
  }
  synthetic_.clear();
}

absl::Status CorpusBuilder::AddDirectory(const PlannedInput& input) {
  auto owned = std::make_unique<Source>();
  owned->name = input.path;
  owned->kind = SourceKind::kDirectory;
  const auto source_index = static_cast<uint32_t>(impl_->sources.size());
  impl_->sources.push_back(std::move(owned));
  const size_t first_record = impl_->records.size();
  synthetic_.clear();
  uint64_t done_here = 0;
  for (const TextFile& file : input.files) {
    const std::string path = JoinPath(input.path, file.relative);
    absl::StatusOr<internal::InputBytes> bytes = internal::ReadInput(path);
    if (!bytes.ok()) {
      // Leave the records made so far consistent before failing.
      FinishSynthetic(source_index, first_record);
      return bytes.status();
    }
    impl_->stats.input_bytes += bytes->size;
    absl::Status status =
        AddSynthetic(source_index, file.relative,
                     absl::string_view(bytes->data.data(), bytes->size), path);
    if (!status.ok()) {
      FinishSynthetic(source_index, first_record);
      return status;
    }
    done_here += file.bytes;
    ReportProgress(done_here, false);
  }
  FinishSynthetic(source_index, first_record);
  done_bytes_ += input.bytes;
  ReportProgress(0, true);
  return absl::OkStatus();
}

absl::Status CorpusBuilder::AddDocuments(
    std::vector<std::pair<std::string, std::string>> documents) {
  auto owned = std::make_unique<Source>();
  owned->kind = SourceKind::kMemory;
  const auto source_index = static_cast<uint32_t>(impl_->sources.size());
  impl_->sources.push_back(std::move(owned));
  const size_t first_record = impl_->records.size();
  synthetic_.clear();
  size_t total = 0;
  for (const auto& document : documents) {
    total += document.first.size() + document.second.size() + 32;
  }
  impl_->sources.back()->buffer.reserve(total + kInputPadding);
  for (size_t i = 0; i < documents.size(); ++i) {
    impl_->stats.input_bytes += documents[i].second.size();
    absl::Status status =
        AddSynthetic(source_index, documents[i].first, documents[i].second,
                     absl::StrCat("#", i));
    if (!status.ok()) {
      FinishSynthetic(source_index, first_record);
      return status;
    }
    // The copy in the buffer is what the corpus keeps.
    std::string().swap(documents[i].second);
  }
  FinishSynthetic(source_index, first_record);
  return absl::OkStatus();
}

Corpus::Corpus(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Corpus::~Corpus() = default;

absl::StatusOr<std::unique_ptr<Corpus>> Corpus::FromDocuments(
    std::vector<std::pair<std::string, std::string>> documents) {
  CorpusBuilder builder(InputOptions(), 1, LoadProgress(), 0);
  builder.set_in_memory();
  NEARDUP_RETURN_IF_ERROR(builder.AddDocuments(std::move(documents)));
  return builder.Finish();
}

size_t Corpus::size() const { return impl_->records.size(); }

absl::string_view Corpus::Id(size_t index) const {
  const Record& record = impl_->records[index];
  return absl::string_view(record.id, record.id_size);
}

absl::string_view Corpus::Raw(size_t index) const {
  const Record& record = impl_->records[index];
  return absl::string_view(record.raw, record.raw_size);
}

std::string Corpus::Location(size_t index) const {
  const Record& record = impl_->records[index];
  return RecordLocation(*impl_->sources[record.source], record, index);
}

const LoadStats& Corpus::stats() const { return impl_->stats; }

void Corpus::ReleaseInputPages() const {
  for (const std::unique_ptr<Source>& source : impl_->sources) {
    ReleasePages(*source);
  }
}

namespace {

// The value of the text member of a record repaired for invalid UTF-8,
// whose text lies in the repaired copy, not in `raw`: the first member named
// `text_field` once unescaped, as validation chose it (its key may be
// written with escapes, "te\u0078t"), located in the original bytes by its
// position among the members. Sets [*begin, *end) to the quoted string.
bool FindRepairedTextMember(absl::string_view raw, absl::string_view text_field,
                            size_t* begin, size_t* end) {
  std::string repaired;
  internal::AppendSanitizedUtf8(raw, &repaired);
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(repaired).get(object) != simdjson::SUCCESS) return false;
  const std::string_view key(text_field.data(), text_field.size());
  size_t ordinal = 0;
  for (simdjson::dom::key_value_pair field : object) {
    if (field.key == key) {
      // Invalid bytes are never JSON structure, so the original has the
      // same members in the same order.
      return internal::FindMemberValue(raw, ordinal, begin, end) &&
             *end - *begin >= 2 && raw[*begin] == '"' && raw[*end - 1] == '"';
    }
    ++ordinal;
  }
  return false;
}

}  // namespace

absl::StatusOr<std::string> Corpus::RawWithText(size_t index,
                                                absl::string_view text) const {
  if (index >= impl_->records.size()) {
    return absl::OutOfRangeError(absl::StrCat("document ", index,
                                              " requested from a corpus of ",
                                              impl_->records.size()));
  }
  const Record& record = impl_->records[index];
  const absl::string_view raw(record.raw, record.raw_size);
  // The text usually lies inside the record: a slice of the quoted string,
  // or the quoted string itself when it has escapes.
  size_t begin = 0, end = 0;
  const auto raw_at = reinterpret_cast<uintptr_t>(record.raw);
  const auto text_at = reinterpret_cast<uintptr_t>(record.text);
  bool found = false;
  if (text_at > raw_at &&
      text_at + record.text_size < raw_at + record.raw_size) {
    if (record.flags & kTextEscaped) {
      begin = record.text - record.raw;
      end = begin + record.text_size;
      found = raw[begin] == '"' && raw[end - 1] == '"';
    } else {
      begin = record.text - record.raw - 1;
      end = begin + record.text_size + 2;
      found = raw[begin] == '"' && raw[end - 1] == '"';
    }
  }
  if (!found) {
    // A record repaired for invalid UTF-8 keeps its text elsewhere: find
    // the field in the original bytes.
    found = FindRepairedTextMember(raw, impl_->text_field, &begin, &end);
  }
  if (!found) {
    return absl::InternalError(
        absl::StrCat(Location(index),
                     ": cannot locate the text field again; please "
                     "report this record"));
  }
  std::string out;
  out.reserve(raw.size() + text.size() - (end - begin) + 16);
  out.append(raw.data(), begin);
  internal::AppendJsonString(text, &out);
  out.append(raw.data() + end, raw.size() - end);
  return out;
}

absl::StatusOr<absl::string_view> Corpus::Text(size_t index,
                                               TextScratch* scratch) const {
  if (index >= impl_->records.size()) {
    return absl::OutOfRangeError(absl::StrCat("document ", index,
                                              " requested from a corpus of ",
                                              impl_->records.size()));
  }
  const Record& record = impl_->records[index];
  if ((record.flags & kTextEscaped) == 0) {
    return absl::string_view(record.text, record.text_size);
  }
  if (scratch == nullptr) {
    return absl::InvalidArgumentError("Corpus::Text() needs a TextScratch");
  }
  TextScratch::Impl& state = *scratch->impl_;
  simdjson::padded_string_view json;
  if (record.flags & kTextInPlace) {
    json = simdjson::padded_string_view(
        record.text, record.text_size,
        record.text_size + simdjson::SIMDJSON_PADDING);
  } else {
    state.copy.assign(record.text, record.text_size);
    state.copy.append(simdjson::SIMDJSON_PADDING, '\0');
    json = simdjson::padded_string_view(state.copy.data(), record.text_size,
                                        state.copy.size());
  }
  simdjson::ondemand::document document;
  std::string_view text;
  simdjson::error_code error = state.parser.iterate(json).get(document);
  if (!error) error = document.get_string().get(text);
  if (error) {
    return absl::DataLossError(absl::StrCat(
        Location(index), ": cannot re-read the text (",
        internal::JsonErrorName(error), ": ", simdjson::error_message(error),
        "); the input may have changed in memory"));
  }
  return absl::string_view(text.data(), text.size());
}

absl::StatusOr<std::unique_ptr<Corpus>> LoadCorpus(
    const std::vector<std::string>& inputs, const InputOptions& options,
    const LoadProgress& progress) {
  if (options.max_document_bytes >= (uint64_t{1} << 32)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_document_bytes must be below 4 GiB (offsets are 32-bit), got ",
        options.max_document_bytes));
  }
  if (options.threads < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "threads must be 0 (all cores) or more, got ", options.threads));
  }
  // Standard input can be read once; a second "-" would silently add nothing.
  if (std::count(inputs.begin(), inputs.end(), "-") > 1) {
    return absl::InvalidArgumentError(
        "- (standard input) is named more than once; it can be read only "
        "once");
  }
  // Plan first: directory listings and file sizes give the progress total.
  std::vector<PlannedInput> planned;
  planned.reserve(inputs.size());
  uint64_t total_bytes = 0;
  bool total_known = true;
  for (const std::string& path : inputs) {
    PlannedInput input;
    input.path = path;
    if (path == "-") {
      input.kind = PlannedInput::Kind::kStdin;
      total_known = false;
    } else {
      struct stat info;
      if (::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
        input.kind = PlannedInput::Kind::kDirectory;
        while (input.path.size() > 1 && input.path.back() == '/') {
          input.path.pop_back();
        }
        NEARDUP_RETURN_IF_ERROR(
            ListTextFiles(input.path, &input.files, &input.bytes));
      } else {
        // Missing or unreadable files are reported by ReadInput in order.
        input.kind = PlannedInput::Kind::kFile;
        if (::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode)) {
          input.bytes = static_cast<uint64_t>(info.st_size);
        }
      }
    }
    total_bytes += input.bytes;
    planned.push_back(std::move(input));
  }

  const int threads = internal::ResolveThreads(options.threads);
  CorpusBuilder builder(options, threads, progress,
                        total_known ? total_bytes : 0);
  builder.ReportProgress(0, true);
  for (const PlannedInput& input : planned) {
    switch (input.kind) {
      case PlannedInput::Kind::kDirectory:
        NEARDUP_RETURN_IF_ERROR(builder.AddDirectory(input));
        break;
      case PlannedInput::Kind::kStdin:
      case PlannedInput::Kind::kFile: {
        NEARDUP_ASSIGN_OR_RETURN(
            internal::InputBytes bytes,
            internal::ReadInput(input.path, {.map_plain_files = true}));
        const bool is_stdin = input.kind == PlannedInput::Kind::kStdin;
        NEARDUP_RETURN_IF_ERROR(
            builder.AddJsonLines(is_stdin ? "<stdin>" : input.path,
                                 std::move(bytes), is_stdin ? 0 : input.bytes));
        break;
      }
    }
  }
  return builder.Finish();
}

}  // namespace neardup
